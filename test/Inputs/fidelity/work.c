extern __thread char *GapString;
extern int Counter;

int work(int N) {
  int Sum = 0;
  for (int I = 0; I < N; ++I)
    Sum += GapString[0] + Counter * I;
  Counter += Sum % 7;
  return Sum;
}
