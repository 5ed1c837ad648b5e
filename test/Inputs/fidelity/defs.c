// Globals defined here, used by work.c, which imports nothing from this
// module: DTLTO's backend for work.c must still know, as in-process
// ThinLTO's does, that they are local to the program (local-exec TLS and
// direct access instead of initial-exec and the GOT).
__thread char *GapString = "-";
int Counter = 1;
