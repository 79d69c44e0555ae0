#ifndef VIGIE_CZLIB_SHIM_H
#define VIGIE_CZLIB_SHIM_H

#include <zlib.h>

// inflateInit2 is a macro (it passes the library version and struct size), which
// Swift cannot call.
static inline int vigie_inflateInit2(z_streamp strm, int windowBits) { return inflateInit2(strm, windowBits); }

#endif
