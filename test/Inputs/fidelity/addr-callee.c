/* Never imported into addr-caller.c: it is noinline. */
__attribute__((noinline)) int callee(int X) { return X * 3 + 1; }
