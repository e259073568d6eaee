/* base.h -- the shared primitives every stage may use, and the public face of base/: growing
 * buffers, errors with exit codes, allocation that cannot fail, UTF-8 and Swedish text
 * helpers, Swedish number words, files written atomically, frames between processes, the
 * process sandbox and a clean stop on signals. Each part has its own header below; other
 * folders include only this one. */
#ifndef LYSSNA_BASE_H
#define LYSSNA_BASE_H

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "numbers_sv.h"
#include "outfile.h"
#include "sandbox.h"
#include "signals.h"
#include "svtext.h"
#include "unicode.h"
#include "utf8.h"
#include "xalloc.h"

#endif
