/* Backend, parameter sets and run arena of the evaluation networks
 * (eval_net.h). */
#include "train/eval/eval_net.h"

t2v_status t2v_eval_backend(t2v_backend **be, int threads, int *own)
{
    if (*be)
        return T2V_OK;
    t2v_status s = t2v_backend_open(T2V_DEVICE_CPU, threads, 0, be);
    *own = s == T2V_OK;
    return s;
}

t2v_status t2v_eval_params_build(void *model, t2v_backend *be, t2v_params *params,
                                 t2v_params *bufs, t2v_eval_declare_fn declare,
                                 t2v_eval_init_fn init, uint64_t seed, int with_adam)
{
    t2v_params_init(params, be);
    t2v_params_init(bufs, be);
    t2v_status s = declare(model);
    if (s == T2V_OK)
        s = t2v_params_allocate(params, with_adam);
    if (s == T2V_OK)
        s = t2v_params_allocate(bufs, 0);
    if (s == T2V_OK)
        s = init(model, seed);
    return s;
}

void t2v_eval_params_release(t2v_params *params, t2v_params *bufs, t2v_backend *be, int own)
{
    t2v_params_free(params);
    t2v_params_free(bufs);
    if (own)
        t2v_backend_close(be);
}

t2v_status t2v_eval_arena_build(t2v_arena *arena, t2v_backend *be, t2v_eval_plan_fn plan,
                                void *model, void *run)
{
    t2v_arena_measure(arena, be);
    t2v_status s = plan(model, run);
    if (s == T2V_OK)
        s = t2v_arena_commit(arena);
    if (s == T2V_OK)
        s = plan(model, run);
    return s;
}
