/* Per-thread failure messages and warnings of the data library. */
#include <stdarg.h>
#include <stdio.h>

#include "data_internal.h"

static _Thread_local char data_error_text[1024];

const char *t2v_data_last_error(void)
{
    return data_error_text;
}

t2v_status t2v_data_fail(t2v_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(data_error_text, sizeof data_error_text, fmt, ap);
    va_end(ap);
    return s;
}

void t2v_data_warn(const t2v_data_options *opts, const char *fmt, ...)
{
    if (!opts || !opts->warn)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    opts->warn(opts->warn_user, text);
}
