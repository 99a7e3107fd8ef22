/* Declaring parameters and planning activations for the networks. */
#include "core/status_internal.h"
#include "models/net.h"

int t2v_declare(t2v_params *ps, t2v_status *st, const char *prefix, const char *name,
                int ndim, const int64_t *shape, int no_decay)
{
    char full[96];
    int n = snprintf(full, sizeof full, "%s.%s", prefix, name);
    if (n < 0 || (size_t)n >= sizeof full) {
        if (*st == T2V_OK)
            *st = t2v_fail(T2V_ERR_INVALID, "parameter name %s.%s too long", prefix, name);
        return -1;
    }
    int idx = t2v_params_declare(ps, full, ndim, shape, no_decay);
    if (idx < 0 && *st == T2V_OK)
        *st = T2V_ERR_INVALID;
    return idx;
}

float *t2v_plan_floats(t2v_plan *p, size_t n)
{
    float *f = t2v_arena_floats(p->arena, n);
    if (p->arena->failed && p->status == T2V_OK)
        p->status = t2v_fail(T2V_ERR_NOMEM, "activation arena too small");
    return f;
}

float *t2v_plan_grad(t2v_plan *p, size_t n) { return p->training ? t2v_plan_floats(p, n) : NULL; }
