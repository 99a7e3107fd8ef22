/* Shared plumbing for the engine's networks. A network is used in three
 * steps: declare its parameters into a t2v_params (once), plan its
 * activation buffers from an arena for a batch size (measure, commit, plan
 * again), then run forward / backward any number of times. */
#ifndef T2V_NET_H
#define T2V_NET_H

#include <stdio.h>

#include "txt2vid/nn.h"

/* Declares `prefix.name`; returns its index, or -1 after recording the
 * first failure in *st. */
int t2v_declare(t2v_params *ps, t2v_status *st, const char *prefix, const char *name,
                int ndim, const int64_t *shape, int no_decay);

typedef struct t2v_plan {
    t2v_arena *arena;
    int N;               /* batch the buffers are sized for */
    int training;        /* 1: keep what backward needs, gradient buffers too */
    t2v_status status;   /* first failure while planning */
} t2v_plan;

float *t2v_plan_floats(t2v_plan *p, size_t n);
/* Gradient buffers exist only when training. */
float *t2v_plan_grad(t2v_plan *p, size_t n);

/* Attention over a caption's words, as both generators' pictures read
 * them: sc (N, T) = score[ids] (+ bias (T) at each position when not
 * NULL), a = the softmax of sc over each caption's words (mask), and
 * P[n] (E) = a[n] x[n], x (N, T, E) the embedded words. */
void t2v_attend_words_forward(t2v_backend *be, float *sc, float *a, float *P, const float *score,
                              const float *bias, const int32_t *ids, const float *mask,
                              const float *x, int N, int T, int E);
/* da (N, T), the weights' gradient, -> dsc (overwritten) with the
 * entropy term of weight ent per row, then the scores' gradient (and the
 * bias's, when not NULL) accumulate. */
void t2v_attend_words_backward(t2v_backend *be, float *dsc, float *dscore, float *dbias,
                               const float *a, const float *da, const int32_t *ids, int N, int T,
                               float ent);

static inline float *t2v_pdata(t2v_params *ps, int i) { return ps->items[i].t.data; }
static inline float *t2v_pgrad(t2v_params *ps, int i) { return ps->items[i].t.grad; }

#endif
