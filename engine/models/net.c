/* Declaring parameters and planning activations for the networks. */
#include "backend/backend.h"
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

void t2v_attend_words_forward(t2v_backend *be, float *sc, float *a, float *P, const float *score,
                              const float *bias, const int32_t *ids, const float *mask,
                              const float *x, int N, int T, int E)
{
    const t2v_kernels *k = be->k;
    k->embedding_forward(be, sc, score, ids, N * T, 1);
    if (bias)
        k->bias_add(be, sc, bias, N, T, 1);
    k->softmax_forward(be, a, sc, mask, N, T);
    // P[n] (1, E) = a[n] (1, T) x[n] (T, E)
    k->gemm_batched(be, 0, 0, 1, E, T, 1.0f, a, T, T, x, E, (int64_t)T * E, 0.0f, P, E, E, N);
}

void t2v_attend_words_backward(t2v_backend *be, float *dsc, float *dscore, float *dbias,
                               const float *a, const float *da, const int32_t *ids, int N, int T,
                               float ent)
{
    const t2v_kernels *k = be->k;
    k->softmax_backward(be, dsc, a, da, N, T, ent);
    k->embedding_backward(be, dscore, dsc, ids, N * T, 1);
    if (dbias)
        k->bias_backward(be, dbias, dsc, N, T, 1);
}
