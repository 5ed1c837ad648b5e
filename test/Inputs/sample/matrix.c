#include "util.h"
void mat_mul3(const int a[9], const int b[9], int out[9]) {
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      int s = 0;
      for (int k = 0; k < 3; ++k)
        s += a[r * 3 + k] * b[k * 3 + c];
      out[r * 3 + c] = s;
    }
}
int mat_trace3(const int m[9]) { return m[0] + m[4] + m[8]; }
