#include "util.h"
uint32_t crc32_buf(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= b[i];
    for (int k = 0; k < 8; ++k)
      c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}
