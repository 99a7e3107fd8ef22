/* Setting the per-thread error message from inside the engine. */
#ifndef T2V_STATUS_INTERNAL_H
#define T2V_STATUS_INTERNAL_H

#include "txt2vid/status.h"

#if defined(__GNUC__)
#define T2V_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define T2V_PRINTF(a, b)
#endif

/* Records the message and returns s, so a failure reads
 * `return t2v_fail(T2V_ERR_IO, "cannot open %s", path);` */
t2v_status t2v_fail(t2v_status s, const char *fmt, ...) T2V_PRINTF(2, 3);

#endif
