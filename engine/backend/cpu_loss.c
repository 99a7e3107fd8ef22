/* Per-element losses, the Adam update and Philox random fills. Every kernel
 * here is a map over n values, split into one chunk per pool worker. */
#include <math.h>

#include "backend/cpu.h"

/* Fewer elements than this run on the calling thread. */
#define LOSS_PARALLEL_MIN 65536
/* Random fills cost far more per value than a copy. */
#define RNG_PARALLEL_MIN 4096

static void run(t2v_backend *be, int64_t n, int64_t min, t2v_pool_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    t2v_pool_for(cpu_pool(be), n, n < min ? n : min / 4, fn, ctx);
}

/* ---- losses ---------------------------------------------------------------- */

typedef struct loss_job {
    float *loss, *g1, *g2;
    const float *x, *x2;
    float sign, scale;
} loss_job;

/* loss = max(x, 0) - x t + log(1 + exp(-|x|)); d/dx = sigmoid(x) - t */
static void bce_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const loss_job *j = ctx;
    for (int64_t i = begin; i < end; i++) {
        float x = j->x[i], t = j->x2[i];
        float e = expf(-fabsf(x));
        j->loss[i] = (x > 0.0f ? x : 0.0f) - x * t + log1pf(e);
        if (j->g1) {
            /* sigmoid(x) from e = exp(-|x|) without overflow */
            float s = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
            j->g1[i] = j->scale * (s - t);
        }
    }
}

void cpu_bce_logits(t2v_backend *be, float *loss, float *grad, const float *x,
                    const float *target, int64_t n, float scale)
{
    loss_job j = {.loss = loss, .g1 = grad, .x = x, .x2 = target, .scale = scale};
    run(be, n, LOSS_PARALLEL_MIN, bce_task, &j);
}

/* sign +1: max(0, 1 - x); sign -1: max(0, 1 + x); sign 0: -x */
static void hinge_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const loss_job *j = ctx;
    for (int64_t i = begin; i < end; i++) {
        float x = j->x[i], l, d;
        if (j->sign > 0.0f) {
            l = 1.0f - x;
            d = l > 0.0f ? -1.0f : 0.0f;
        } else if (j->sign < 0.0f) {
            l = 1.0f + x;
            d = l > 0.0f ? 1.0f : 0.0f;
        } else {
            l = -x;
            d = -1.0f;
        }
        j->loss[i] = (j->sign != 0.0f && l < 0.0f) ? 0.0f : l;
        if (j->g1)
            j->g1[i] = j->scale * d;
    }
}

void cpu_hinge(t2v_backend *be, float *loss, float *grad, const float *x, float sign, int64_t n,
               float scale)
{
    loss_job j = {.loss = loss, .g1 = grad, .x = x, .sign = sign, .scale = scale};
    run(be, n, LOSS_PARALLEL_MIN, hinge_task, &j);
}

/* 0.5 (mu^2 + exp(lv) - 1 - lv); d/dmu = mu, d/dlv = 0.5 (exp(lv) - 1) */
static void kl_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const loss_job *j = ctx;
    for (int64_t i = begin; i < end; i++) {
        float mu = j->x[i], lv = j->x2[i];
        float ev = expf(lv);
        j->loss[i] = 0.5f * (mu * mu + ev - 1.0f - lv);
        if (j->g1)
            j->g1[i] = j->scale * mu;
        if (j->g2)
            j->g2[i] = j->scale * 0.5f * (ev - 1.0f);
    }
}

void cpu_kl_normal(t2v_backend *be, float *loss, float *dmu, float *dlogvar, const float *mu,
                   const float *logvar, int64_t n, float scale)
{
    loss_job j = {.loss = loss, .g1 = dmu, .g2 = dlogvar, .x = mu, .x2 = logvar, .scale = scale};
    run(be, n, LOSS_PARALLEL_MIN, kl_task, &j);
}

/* ---- Adam ------------------------------------------------------------------
 * step is the 1-based index of this update. Decoupled weight decay first
 * (p -= lr wd p), then m, v, bias correction, p -= lr m_hat / (sqrt(v_hat) + eps). */

typedef struct adam_job {
    float *p, *m, *v;
    const float *g;
    float lr, b1, b2, eps, decay;
    float c1, c2; /* 1 / (1 - beta^step) */
} adam_job;

static void adam_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const adam_job *j = ctx;
    float *p = j->p, *m = j->m, *v = j->v;
    const float *g = j->g;
    const float b1 = j->b1, b2 = j->b2, lr = j->lr, eps = j->eps;
    const float c1 = j->c1, c2 = j->c2, keep = 1.0f - j->decay;
    for (int64_t i = begin; i < end; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * keep - lr * (mi * c1) / (sqrtf(vi * c2) + eps);
    }
}

void cpu_adam(t2v_backend *be, float *p, const float *g, float *m, float *v, int64_t n,
              float lr, float beta1, float beta2, float eps, float wd, int64_t step)
{
    if (step < 1)
        step = 1;
    adam_job j = {.p = p, .m = m, .v = v, .g = g, .lr = lr, .b1 = beta1, .b2 = beta2,
                  .eps = eps, .decay = wd > 0.0f ? lr * wd : 0.0f,
                  .c1 = (float)(1.0 / (1.0 - pow((double)beta1, (double)step))),
                  .c2 = (float)(1.0 / (1.0 - pow((double)beta2, (double)step)))};
    run(be, n, LOSS_PARALLEL_MIN, adam_task, &j);
}

/* ---- random fills: each chunk draws its own slice of the stream, which
 * by construction equals the same slice of the host fill. */

typedef struct rng_job {
    float *out;
    uint64_t seed, stream, offset;
} rng_job;

static void normal_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rng_job *j = ctx;
    t2v_rng_normal_host(j->out + begin, (size_t)(end - begin), j->seed, j->stream,
                        j->offset + (uint64_t)begin);
}

static void uniform_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rng_job *j = ctx;
    t2v_rng_uniform_host(j->out + begin, (size_t)(end - begin), j->seed, j->stream,
                         j->offset + (uint64_t)begin);
}

void cpu_rng_normal(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                    uint64_t offset)
{
    rng_job j = {out, seed, stream, offset};
    run(be, n, RNG_PARALLEL_MIN, normal_task, &j);
}

void cpu_rng_uniform(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                     uint64_t offset)
{
    rng_job j = {out, seed, stream, offset};
    run(be, n, RNG_PARALLEL_MIN, uniform_task, &j);
}
