/* A clip source that remembers: clip k is asked of the wrapped source once
 * and kept, so that the judge and the matching model score the very same
 * generated images without generating them twice. */
#ifndef T2V_EVAL_CLIP_CACHE_H
#define T2V_EVAL_CLIP_CACHE_H

#include "train/eval/score.h"

typedef struct t2v_clip_cache {
    t2v_clip_fn fn;
    void *user;
    long n;              /* clips 0..n-1 */
    size_t clip_floats;  /* floats per clip */
    float *clips;        /* (n, clip_floats) */
    unsigned char *have; /* (n) */
} t2v_clip_cache;

t2v_status t2v_clip_cache_open(t2v_clip_cache *cc, t2v_clip_fn fn, void *user, long n,
                               size_t clip_floats);
/* A t2v_clip_fn over the cache (user = the cache). */
t2v_status t2v_clip_cache_fn(void *user, long k, float *clip);
void t2v_clip_cache_close(t2v_clip_cache *cc);

#endif
