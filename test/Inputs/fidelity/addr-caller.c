/* Takes the address of a function of another module that it does not
   import: the combined index says it is dso_local, so in-process codegen
   uses a PC-relative lea, not a GOT load. */
int callee(int X);

int main(int Argc, char **Argv) {
  int (*volatile F)(int) = callee;
  return F(Argc);
}
