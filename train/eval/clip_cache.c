/* A clip source that keeps what it was given (see clip_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/clip_cache.h"

t2v_status t2v_clip_cache_open(t2v_clip_cache *cc, t2v_clip_fn fn, void *user, long n,
                               size_t clip_floats)
{
    memset(cc, 0, sizeof *cc);
    cc->fn = fn;
    cc->user = user;
    cc->n = n;
    cc->clip_floats = clip_floats;
    cc->clips = malloc((size_t)n * clip_floats * sizeof(float));
    cc->have = calloc((size_t)n, 1);
    if (!cc->clips || !cc->have) {
        t2v_clip_cache_close(cc);
        return t2v_fail(T2V_ERR_NOMEM, "out of memory keeping %ld clips", n);
    }
    return T2V_OK;
}

t2v_status t2v_clip_cache_fn(void *user, long k, float *clip)
{
    t2v_clip_cache *cc = user;
    if (k < 0 || k >= cc->n)
        return t2v_fail(T2V_ERR_INVALID, "clip %ld outside the %ld kept", k, cc->n);
    float *kept = cc->clips + (size_t)k * cc->clip_floats;
    if (!cc->have[k]) {
        t2v_status s = cc->fn(cc->user, k, kept);
        if (s != T2V_OK)
            return s;
        cc->have[k] = 1;
    }
    memcpy(clip, kept, cc->clip_floats * sizeof(float));
    return T2V_OK;
}

void t2v_clip_cache_close(t2v_clip_cache *cc)
{
    free(cc->clips);
    free(cc->have);
    memset(cc, 0, sizeof *cc);
}
