/* The Adam step over a parameter set, and parameter initialisation. */
#include <stdlib.h>

#include "backend/backend.h"
#include "core/status_internal.h"

/* Host buffer for initial values, uploaded one slice at a time. */
#define INIT_CHUNK_FLOATS (1 << 16)

t2v_status t2v_adam_step(t2v_adam *opt, t2v_params *ps)
{
    if (!opt || !ps || !ps->be)
        return t2v_fail(T2V_ERR_INVALID, "Adam step: optimiser or parameter set missing");
    for (int i = 0; i < ps->count; i++)
        if (!ps->items[i].adam_m || !ps->items[i].adam_v)
            return t2v_fail(T2V_ERR_INVALID, "Adam step: parameter '%s' has no moments",
                            ps->items[i].name);
    opt->step++;
    t2v_backend *be = ps->be;
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        float wd = p->no_decay ? 0.0f : opt->weight_decay;
        be->k->adam(be, p->t.data, p->t.grad, p->adam_m, p->adam_v, t2v_tensor_numel(&p->t),
                    opt->lr, opt->beta1, opt->beta2, opt->eps, wd, opt->step);
    }
    return T2V_OK;
}

// p: (n) backend memory = mean + std * N(0, 1) from the (seed, stream) Philox stream
t2v_status t2v_init_normal(t2v_backend *be, float *p, int64_t n, float mean, float std,
                           uint64_t seed, uint64_t stream)
{
    if (n < 0 || (n > 0 && !p))
        return t2v_fail(T2V_ERR_INVALID, "normal init: bad buffer or count %lld", (long long)n);
    if (n == 0)
        return T2V_OK;
    size_t chunk = n < INIT_CHUNK_FLOATS ? (size_t)n : INIT_CHUNK_FLOATS;
    float *host = malloc(chunk * sizeof(float));
    if (!host)
        return t2v_fail(T2V_ERR_NOMEM, "normal init: out of memory");
    t2v_status s = T2V_OK;
    for (int64_t done = 0; done < n && s == T2V_OK; done += (int64_t)chunk) {
        size_t m = n - done < (int64_t)chunk ? (size_t)(n - done) : chunk;
        t2v_rng_normal_host(host, m, seed, stream, (uint64_t)done);
        for (size_t i = 0; i < m; i++)
            host[i] = mean + std * host[i];
        s = t2v_backend_upload(be, p + done, host, m * sizeof(float));
    }
    free(host);
    return s;
}

t2v_status t2v_init_const(t2v_backend *be, float *p, int64_t n, float v)
{
    if (n < 0 || (n > 0 && !p))
        return t2v_fail(T2V_ERR_INVALID, "constant init: bad buffer or count %lld", (long long)n);
    if (n > 0)
        be->k->fill(be, p, v, n);
    return T2V_OK;
}
