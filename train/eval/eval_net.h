/* The life cycle both evaluation networks (the judge and the matching
 * model) share: a backend opened on demand, the parameter set and the
 * batchnorm-statistics set declared, allocated and initialised, a run's
 * buffers handed out from one arena (measured, then for real), and the
 * release of it all. */
#ifndef T2V_EVAL_EVAL_NET_H
#define T2V_EVAL_EVAL_NET_H

#include <stdint.h>

#include "models/net.h"

/* *be NULL: opens a CPU backend with `threads` into *be and sets *own. */
t2v_status t2v_eval_backend(t2v_backend **be, int threads, int *own);

typedef t2v_status (*t2v_eval_declare_fn)(void *model);
typedef t2v_status (*t2v_eval_init_fn)(void *model, uint64_t seed);

/* Starts params and bufs on be, declares the model's tensors, allocates
 * them (params with Adam moments when with_adam) and initialises them. */
t2v_status t2v_eval_params_build(void *model, t2v_backend *be, t2v_params *params,
                                 t2v_params *bufs, t2v_eval_declare_fn declare,
                                 t2v_eval_init_fn init, uint64_t seed, int with_adam);

/* Frees both sets and closes the backend when own. */
void t2v_eval_params_release(t2v_params *params, t2v_params *bufs, t2v_backend *be, int own);

/* Hands out a run's buffers from its arena (p->arena == arena). */
typedef t2v_status (*t2v_eval_plan_fn)(void *model, void *run);

/* Measures the run's buffers with plan, commits the arena on be, then
 * plans again for real. */
t2v_status t2v_eval_arena_build(t2v_arena *arena, t2v_backend *be, t2v_eval_plan_fn plan,
                                void *model, void *run);

#endif
