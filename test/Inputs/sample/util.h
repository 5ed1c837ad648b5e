/* Shared declarations of the sample program's C modules. */
#ifndef SAMPLE_UTIL_H
#define SAMPLE_UTIL_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef struct {
  int *data;
  size_t size, cap;
} IntVec;
void vec_init(IntVec *v);
void vec_push(IntVec *v, int x);
void vec_free(IntVec *v);
long vec_sum(const IntVec *v);
uint32_t hash_str(const char *s);
uint32_t crc32_buf(const void *p, size_t n);
void sort_ints(int *a, size_t n);
void mat_mul3(const int a[9], const int b[9], int out[9]);
int mat_trace3(const int m[9]);
size_t str_count_char(const char *s, char c);
void str_reverse(char *s);
extern int g_scale; /* defined in global.cpp, read across modules */
#ifdef __cplusplus
}
#endif
#endif
