#include "shapes.h"
#include "util.h"
#include <cstdio>
#include <cstring>
int main() {
  IntVec v;
  vec_init(&v);
  for (int i = 0; i < 100; ++i)
    vec_push(&v, (i * 37) % 101);
  sort_ints(v.data, v.size);
  std::printf("sum=%ld min=%d max=%d\n", vec_sum(&v), v.data[0],
              v.data[v.size - 1]);
  std::printf("crc=%08x hash=%08x\n", crc32_buf(v.data, v.size * sizeof(int)),
              hash_str("distributed thinlto"));
  vec_free(&v);
  int a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, b[9], c[9];
  for (int i = 0; i < 9; ++i)
    b[i] = 9 - i;
  mat_mul3(a, b, c);
  std::printf("trace=%d\n", mat_trace3(c));
  std::vector<double> areas;
  for (auto &s : makeShapes(6)) {
    areas.push_back(s->area());
    registerName(s->name());
  }
  std::printf("mean=%.3f sd=%.3f %s\n", mean(areas), stddev(areas),
              registrySummary().c_str());
  char text[] = "hello distributed world";
  std::printf("spaces=%zu ", str_count_char(text, ' '));
  str_reverse(text);
  std::printf("rev=%s title=%s\n", text,
              upperWords("link time optimization").c_str());
  return 0;
}
