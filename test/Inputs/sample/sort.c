#include "util.h"
static void sift(int *a, size_t i, size_t n) {
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < n && a[l] > a[m]) m = l;
    if (l + 1 < n && a[l + 1] > a[m]) m = l + 1;
    if (m == i) return;
    int t = a[i]; a[i] = a[m]; a[m] = t;
    i = m;
  }
}
void sort_ints(int *a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (size_t e = n; e-- > 1;) {
    int t = a[0]; a[0] = a[e]; a[e] = t;
    sift(a, 0, e);
  }
}
