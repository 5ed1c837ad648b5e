#include "util.h"
// A global defined in one module and read in others.
extern "C" int g_scale = 3;
