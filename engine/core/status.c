/* Status names and the per-thread error message. */
#include <stdarg.h>
#include <stdio.h>

#include "core/status_internal.h"

static _Thread_local char last_error[512];

const char *t2v_status_name(t2v_status s)
{
    switch (s) {
    case T2V_OK: return "ok";
    case T2V_ERR_INVALID: return "invalid argument";
    case T2V_ERR_IO: return "i/o error";
    case T2V_ERR_FORMAT: return "bad file format";
    case T2V_ERR_NOMEM: return "out of memory";
    case T2V_ERR_UNSUPPORTED: return "unsupported";
    case T2V_ERR_BACKEND: return "backend failure";
    }
    return "unknown status";
}

const char *t2v_last_error(void) { return last_error; }

void t2v_clear_error(void) { last_error[0] = '\0'; }

t2v_status t2v_fail(t2v_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}
