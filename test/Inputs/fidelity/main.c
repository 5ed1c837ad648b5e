#include <stdio.h>
int work(int N);
int main(int Argc, char **Argv) {
  (void)Argv;
  printf("%d\n", work(Argc + 9));
  return 0;
}
