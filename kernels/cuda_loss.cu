/* Per-element losses, the Adam update and the Philox random fills on the
 * device. The arithmetic is t2v_cuda_ops.cuh's; the random fills give the
 * same stream as t2v_rng_*_host (one thread per Philox block of four). */
#include "cuda_backend.cuh"

__global__ void k_bce(float *loss, float *grad, const float *x, const float *t, int64_t n,
                      float scale)
{
    CUDA_FOR(i, n)
    {
        float d;
        loss[i] = t2v_op_bce(x[i], t[i], &d);
        if (grad)
            grad[i] = scale * d;
    }
}

__global__ void k_hinge(float *loss, float *grad, const float *x, float sign, int64_t n,
                        float scale)
{
    CUDA_FOR(i, n)
    {
        float d;
        loss[i] = t2v_op_hinge(x[i], sign, &d);
        if (grad)
            grad[i] = scale * d;
    }
}

__global__ void k_kl(float *loss, float *dmu, float *dlv, const float *mu, const float *lv,
                     int64_t n, float scale)
{
    CUDA_FOR(i, n)
    {
        float m = mu[i], ev;
        loss[i] = t2v_op_kl(m, lv[i], &ev);
        if (dmu)
            dmu[i] = scale * m;
        if (dlv)
            dlv[i] = scale * 0.5f * (ev - 1.0f);
    }
}

__global__ void k_adam(float *p, const float *g, float *m, float *v, int64_t n,
                       t2v_adam_consts k)
{
    CUDA_FOR(i, n)
    {
        float pi = p[i], mi = m[i], vi = v[i];
        t2v_op_adam(k, g[i], &pi, &mi, &vi);
        m[i] = mi;
        v[i] = vi;
        p[i] = pi;
    }
}

/* Thread b handles block b0 + b of the stream: the values j in
 * [offset, offset + n) with j / 4 == b0 + b, written to out[j - offset]. */
template <bool NORMAL>
__global__ void k_rng(float *out, int64_t n, uint64_t seed, uint64_t stream, uint64_t offset,
                      int64_t blocks)
{
    const uint64_t b0 = offset >> 2;
    CUDA_FOR(b, blocks)
    {
        uint64_t blk = b0 + (uint64_t)b;
        uint32_t w[4];
        t2v_op_philox_block(w, seed, stream, blk);
        for (int q = 0; q < 4; q++) {
            uint64_t j = (blk << 2) + (uint64_t)q;
            if (j < offset || j - offset >= (uint64_t)n)
                continue;
            out[j - offset] = NORMAL ? t2v_op_normal_from_block(w, j)
                                     : t2v_op_uniform_from_block(w, j);
        }
    }
}

extern "C" {

void cuda_bce_logits(t2v_backend *be, float *loss, float *grad, const float *x,
                     const float *target, int64_t n, float scale)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_bce<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(loss, grad, x, target, n, scale);
    LAUNCH_OK(be, "k_bce");
}

void cuda_hinge(t2v_backend *be, float *loss, float *grad, const float *x, float sign,
                int64_t n, float scale)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_hinge<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(loss, grad, x, sign, n, scale);
    LAUNCH_OK(be, "k_hinge");
}

void cuda_kl_normal(t2v_backend *be, float *loss, float *dmu, float *dlogvar, const float *mu,
                    const float *logvar, int64_t n, float scale)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_kl<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(loss, dmu, dlogvar, mu, logvar, n,
                                                         scale);
    LAUNCH_OK(be, "k_kl");
}

void cuda_adam(t2v_backend *be, float *p, const float *g, float *m, float *v, int64_t n,
               float lr, float beta1, float beta2, float eps, float wd, int64_t step)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    t2v_adam_consts k = t2v_op_adam_consts(lr, beta1, beta2, eps, wd, step);
    k_adam<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(p, g, m, v, n, k);
    LAUNCH_OK(be, "k_adam");
}

/* Philox blocks covering [offset, offset + n) */
static int64_t rng_blocks(int64_t n, uint64_t offset)
{
    uint64_t first = offset >> 2, last = (offset + (uint64_t)n - 1) >> 2;
    return (int64_t)(last - first + 1);
}

void cuda_rng_normal(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                     uint64_t offset)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    int64_t blocks = rng_blocks(n, offset);
    k_rng<true><<<cuda_blocks(be, blocks), T2V_CUDA_THREADS, 0, st>>>(out, n, seed, stream,
                                                                     offset, blocks);
    LAUNCH_OK(be, "k_rng<normal>");
}

void cuda_rng_uniform(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                      uint64_t offset)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    int64_t blocks = rng_blocks(n, offset);
    k_rng<false><<<cuda_blocks(be, blocks), T2V_CUDA_THREADS, 0, st>>>(out, n, seed, stream,
                                                                      offset, blocks);
    LAUNCH_OK(be, "k_rng<uniform>");
}

} /* extern "C" */
