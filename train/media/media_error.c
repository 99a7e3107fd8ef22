/* Per-thread failure message of the media library. */
#include <stdarg.h>
#include <stdio.h>

#include "media_internal.h"

static _Thread_local char media_error[512];

t2v_status t2v_media_fail(t2v_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(media_error, sizeof media_error, fmt, ap);
    va_end(ap);
    return s;
}

void t2v_media_clear_error(void)
{
    media_error[0] = '\0';
}

const char *t2v_media_last_error(void)
{
    return media_error;
}
