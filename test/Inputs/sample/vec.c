#include "util.h"
#include <stdlib.h>
void vec_init(IntVec *v) { v->data = 0; v->size = v->cap = 0; }
void vec_push(IntVec *v, int x) {
  if (v->size == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 8;
    v->data = (int *)realloc(v->data, v->cap * sizeof(int));
  }
  v->data[v->size++] = x;
}
void vec_free(IntVec *v) { free(v->data); vec_init(v); }
long vec_sum(const IntVec *v) {
  long s = 0;
  for (size_t i = 0; i < v->size; ++i)
    s += v->data[i] * (long)g_scale;
  return s;
}
