/* Per-channel and per-row kernels over x (N, C, L): bias, per-sample
 * modulation, batch normalisation, tiling's backward and the row
 * reductions.
 *
 * Every reduction is deterministic and accumulates in double, in two
 * stages with fixed shapes (no atomics):
 *   1. partials: one warp per (row, chunk) of RED_CHUNK values of a row
 *      (row r = n*C + c of length L) sums its values into part[r][chunk];
 *   2. finish: one warp per output (a row, or a channel gathering its N
 *      rows) sums the partials in a fixed order and applies the op's
 *      epilogue (accumulate a gradient, save statistics, ...).
 * Then maps apply per-channel coefficients where the op needs them. */
#include "cuda_backend.cuh"

#define RED_CHUNK 1024
#define WARP 32
#define WARPS_PER_BLOCK (T2V_CUDA_THREADS / WARP)

/* what a partial sums, per element (a, b the inputs, m the channel mean) */
enum red_mode {
    RED_SUM,      /* a */
    RED_DOT,      /* a b */
    RED_SUM_DOT,  /* a, and a b */
    RED_SQDEV,    /* (a - m)^2 */
    RED_BN_BWD,   /* a, and a (b - m) */
};

typedef struct red_in {
    const float *a, *b;
    const float *mean; /* per channel (RED_SQDEV, RED_BN_BWD) */
    int C;
    int64_t rows, len, chunks;
} red_in;

__device__ __forceinline__ double warp_sum(double v)
{
    for (int o = WARP / 2; o > 0; o /= 2)
        v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

template <int MODE>
__global__ void k_partials(red_in in, double2 *part)
{
    const int lane = threadIdx.x % WARP;
    const int64_t warps = (int64_t)gridDim.x * WARPS_PER_BLOCK;
    for (int64_t w = (int64_t)blockIdx.x * WARPS_PER_BLOCK + threadIdx.x / WARP;
         w < in.rows * in.chunks; w += warps) {
        int64_t r = w / in.chunks, k = w % in.chunks;
        int64_t lo = k * RED_CHUNK, hi = lo + RED_CHUNK < in.len ? lo + RED_CHUNK : in.len;
        const float *a = in.a + r * in.len;
        const float *b = in.b ? in.b + r * in.len : NULL;
        double m = (MODE == RED_SQDEV || MODE == RED_BN_BWD) ? (double)in.mean[r % in.C] : 0.0;
        double s0 = 0.0, s1 = 0.0;
        for (int64_t l = lo + lane; l < hi; l += WARP) {
            double av = a[l];
            if (MODE == RED_SUM) {
                s0 += av;
            } else if (MODE == RED_DOT) {
                s0 += av * (double)b[l];
            } else if (MODE == RED_SUM_DOT) {
                s0 += av;
                s1 += av * (double)b[l];
            } else if (MODE == RED_SQDEV) {
                double d = av - m;
                s0 += d * d;
            } else {
                s0 += av;
                s1 += av * ((double)b[l] - m);
            }
        }
        s0 = warp_sum(s0);
        s1 = warp_sum(s1);
        if (lane == 0)
            part[w] = make_double2(s0, s1);
    }
}

/* the sums of output o: a row's chunks, or a channel's rows' chunks */
__device__ __forceinline__ double2 gather(const double2 *part, int64_t o, int per_channel,
                                          int N, int C, int64_t chunks)
{
    const int lane = threadIdx.x % WARP;
    double s0 = 0.0, s1 = 0.0;
    int64_t items = per_channel ? (int64_t)N * chunks : chunks;
    for (int64_t i = lane; i < items; i += WARP) {
        int64_t idx = per_channel ? ((i / chunks) * C + o) * chunks + i % chunks
                                  : o * chunks + i;
        double2 p = part[idx];
        s0 += p.x;
        s1 += p.y;
    }
    return make_double2(warp_sum(s0), warp_sum(s1));
}

/* epilogues of the finish stage */
enum red_epilogue {
    EPI_ROW_SCALED,   /* out[r] = scale * s0 */
    EPI_ROW_ACCUM,    /* out[r] += s0 */
    EPI_ROW_MODULATE, /* dgamma[r] += s1, dbeta[r] += s0 */
    EPI_CH_ACCUM,     /* out[c] += s0 */
    EPI_CH_MEAN,      /* mean[c] = s0 / count */
    EPI_CH_BN_STATS,  /* from sum (x - mean)^2: statistics and scale/shift */
    EPI_CH_BN_BWD,    /* dbeta, dgamma and the dx coefficients */
};

typedef struct red_out {
    float *out, *out2;               /* accumulated / written outputs */
    float scale;
    double count;                    /* N * L */
    float *coef;                     /* per channel: [mean | a | b | c] x C */
    const float *gamma, *beta;
    float *run_mean, *run_var, *save_mean, *save_invstd;
    const float *mean_in, *invstd_in;
    float momentum, eps;
} red_out;

template <int EPI>
__global__ void k_finish(const double2 *part, int64_t outputs, int N, int C, int64_t chunks,
                         red_out o)
{
    const int per_channel = EPI >= EPI_CH_ACCUM;
    const int lane = threadIdx.x % WARP;
    const int64_t warps = (int64_t)gridDim.x * WARPS_PER_BLOCK;
    for (int64_t w = (int64_t)blockIdx.x * WARPS_PER_BLOCK + threadIdx.x / WARP; w < outputs;
         w += warps) {
        double2 s = gather(part, w, per_channel, N, C, chunks);
        if (lane != 0)
            continue;
        if (EPI == EPI_ROW_SCALED) {
            o.out[w] = (float)((double)o.scale * s.x);
        } else if (EPI == EPI_ROW_ACCUM || EPI == EPI_CH_ACCUM) {
            o.out[w] += (float)s.x;
        } else if (EPI == EPI_ROW_MODULATE) {
            if (o.out)
                o.out[w] += (float)s.y;
            if (o.out2)
                o.out2[w] += (float)s.x;
        } else if (EPI == EPI_CH_MEAN) {
            o.coef[w] = (float)(s.x / o.count);
        } else if (EPI == EPI_CH_BN_STATS) {
            float mean = o.coef[w];
            double var = s.x / o.count;
            float invstd = (float)(1.0 / sqrt(var + (double)o.eps));
            if (o.save_mean)
                o.save_mean[w] = mean;
            if (o.save_invstd)
                o.save_invstd[w] = invstd;
            float m = o.momentum;
            if (o.run_mean)
                o.run_mean[w] = (1.0f - m) * o.run_mean[w] + m * mean;
            if (o.run_var) {
                double unbiased = o.count > 1.0 ? s.x / (o.count - 1.0) : var;
                o.run_var[w] = (1.0f - m) * o.run_var[w] + m * (float)unbiased;
            }
            float sc = invstd * (o.gamma ? o.gamma[w] : 1.0f);
            o.coef[C + w] = sc;
            o.coef[2 * C + w] = (o.beta ? o.beta[w] : 0.0f) - mean * sc;
        } else if (EPI == EPI_CH_BN_BWD) {
            float invstd = o.invstd_in[w];
            double sdy_xhat = s.y * (double)invstd;
            if (o.out2)
                o.out2[w] += (float)s.x;      /* dbeta */
            if (o.out)
                o.out[w] += (float)sdy_xhat;  /* dgamma */
            float g = o.gamma ? o.gamma[w] : 1.0f;
            o.coef[C + w] = g * invstd;
            o.coef[2 * C + w] = (float)(s.x / o.count);
            o.coef[3 * C + w] = (float)(sdy_xhat / o.count);
        }
    }
}

static unsigned warp_blocks(t2v_backend *be, int64_t warps)
{
    int64_t b = (warps + WARPS_PER_BLOCK - 1) / WARPS_PER_BLOCK;
    int64_t cap = (int64_t)cuda_of(be)->sm_count * 64;
    if (b > cap)
        b = cap;
    return (unsigned)(b < 1 ? 1 : b);
}

static int64_t chunks_of(int64_t len) { return len > 0 ? (len + RED_CHUNK - 1) / RED_CHUNK : 1; }

/* Scratch layout: 4*C floats of coefficients (rounded up to 256 bytes),
 * then rows*chunks partials. */
typedef struct red_scratch {
    float *coef;
    double2 *part;
} red_scratch;

static bool get_scratch(t2v_backend *be, int C, int64_t rows, int64_t chunks, red_scratch *s)
{
    size_t coef_bytes = ((size_t)4 * (C > 0 ? C : 1) * sizeof(float) + 255) & ~(size_t)255;
    size_t bytes = coef_bytes + (size_t)rows * (size_t)chunks * sizeof(double2);
    char *p = (char *)t2v_cuda_scratch(be, bytes);
    if (!p)
        return false;
    s->coef = (float *)p;
    s->part = (double2 *)(p + coef_bytes);
    return true;
}

template <int MODE>
static bool run_partials(t2v_backend *be, cudaStream_t st, const red_in &in, double2 *part)
{
    k_partials<MODE><<<warp_blocks(be, in.rows * in.chunks), T2V_CUDA_THREADS, 0, st>>>(in,
                                                                                        part);
    return LAUNCH_OK(be, "k_partials");
}

template <int EPI>
static bool run_finish(t2v_backend *be, cudaStream_t st, const double2 *part, int64_t outputs,
                       int N, int C, int64_t chunks, const red_out &o)
{
    k_finish<EPI><<<warp_blocks(be, outputs), T2V_CUDA_THREADS, 0, st>>>(part, outputs, N, C,
                                                                         chunks, o);
    return LAUNCH_OK(be, "k_finish");
}

/* ---- maps over (rows, L) -------------------------------------------------- */

__global__ void k_bias_add(float *y, const float *bias, int C, int64_t L, int64_t n)
{
    CUDA_FOR(i, n) y[i] += bias[(i / L) % C];
}

/* y = x * g[r] + b[r], r = i / L (either vector may be NULL) */
__global__ void k_modulate(float *y, const float *x, const float *g, const float *b, int64_t L,
                           int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t r = i / L;
        y[i] = x[i] * (g ? g[r] : 1.0f) + (b ? b[r] : 0.0f);
    }
}

/* y = x * coef_a[c] + coef_b[c] */
__global__ void k_channel_affine(float *y, const float *x, const float *a, const float *b,
                                 int C, int64_t L, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t c = (i / L) % C;
        y[i] = x[i] * a[c] + b[c];
    }
}

/* coef: [mean | g*invstd | mean(dy) | mean(dy xhat)] */
__global__ void k_bn_dx(float *dx, const float *dy, const float *x, const float *mean,
                        const float *invstd, const float *coef, int C, int64_t L, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t c = (i / L) % C;
        float xhat = (x[i] - mean[c]) * invstd[c];
        dx[i] = coef[C + c] * (dy[i] - coef[2 * C + c] - xhat * coef[3 * C + c]);
    }
}

/* inference: scale/shift from the running statistics */
__global__ void k_bn_inference_coef(float *coef, const float *gamma, const float *beta,
                                    const float *run_mean, const float *run_var, float eps,
                                    int C)
{
    CUDA_FOR(c, (int64_t)C)
    {
        float mean = run_mean ? run_mean[c] : 0.0f;
        float var = run_var ? run_var[c] : 1.0f;
        float invstd = (float)(1.0 / sqrt((double)var + (double)eps));
        float sc = invstd * (gamma ? gamma[c] : 1.0f);
        coef[C + c] = sc;
        coef[2 * C + c] = (beta ? beta[c] : 0.0f) - mean * sc;
    }
}

extern "C" {

void cuda_bias_add(t2v_backend *be, float *y, const float *bias, int N, int C, int64_t L)
{
    int64_t n = (int64_t)N * C * L;
    if (!bias || n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_bias_add<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, bias, C, L, n);
    LAUNCH_OK(be, "k_bias_add");
}

void cuda_bias_backward(t2v_backend *be, float *dbias, const float *dy, int N, int C, int64_t L)
{
    if (!dbias || N <= 0 || C <= 0 || L <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    red_in in = {dy, NULL, NULL, C, (int64_t)N * C, L, chunks_of(L)};
    red_scratch s;
    if (!get_scratch(be, C, in.rows, in.chunks, &s))
        return;
    red_out o = {};
    o.out = dbias;
    if (run_partials<RED_SUM>(be, st, in, s.part))
        run_finish<EPI_CH_ACCUM>(be, st, s.part, C, N, C, in.chunks, o);
}

void cuda_modulate(t2v_backend *be, float *y, const float *x, const float *gamma,
                   const float *beta, int N, int C, int64_t L)
{
    int64_t n = (int64_t)N * C * L;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_modulate<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, gamma, beta, L, n);
    LAUNCH_OK(be, "k_modulate");
}

void cuda_modulate_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                            const float *dy, const float *x, const float *gamma, int N, int C,
                            int64_t L)
{
    int64_t rows = (int64_t)N * C, n = rows * L;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    if (dgamma || dbeta) {
        red_in in = {dy, x, NULL, C, rows, L, chunks_of(L)};
        red_scratch s;
        if (!get_scratch(be, C, rows, in.chunks, &s))
            return;
        red_out o = {};
        o.out = dgamma;
        o.out2 = dbeta;
        if (!run_partials<RED_SUM_DOT>(be, st, in, s.part) ||
            !run_finish<EPI_ROW_MODULATE>(be, st, s.part, rows, N, C, in.chunks, o))
            return;
    }
    if (dx) {
        k_modulate<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, gamma, NULL, L, n);
        LAUNCH_OK(be, "k_modulate (dx)");
    }
}

void cuda_batchnorm_forward(t2v_backend *be, float *y, const float *x, const float *gamma,
                            const float *beta, float *running_mean, float *running_var,
                            float *save_mean, float *save_invstd, int N, int C, int64_t L,
                            float momentum, float eps, int training)
{
    int64_t rows = (int64_t)N * C, n = rows * L;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    red_in in = {x, NULL, NULL, C, rows, L, chunks_of(L)};
    red_scratch s;
    if (!get_scratch(be, C, training ? rows : 0, in.chunks, &s))
        return;
    if (training) {
        red_out o = {};
        o.coef = s.coef;
        o.count = (double)N * (double)L;
        o.gamma = gamma;
        o.beta = beta;
        o.run_mean = running_mean;
        o.run_var = running_var;
        o.save_mean = save_mean;
        o.save_invstd = save_invstd;
        o.momentum = momentum;
        o.eps = eps;
        if (!run_partials<RED_SUM>(be, st, in, s.part) ||
            !run_finish<EPI_CH_MEAN>(be, st, s.part, C, N, C, in.chunks, o))
            return;
        in.mean = s.coef;
        if (!run_partials<RED_SQDEV>(be, st, in, s.part) ||
            !run_finish<EPI_CH_BN_STATS>(be, st, s.part, C, N, C, in.chunks, o))
            return;
    } else {
        k_bn_inference_coef<<<cuda_blocks(be, C), T2V_CUDA_THREADS, 0, st>>>(
            s.coef, gamma, beta, running_mean, running_var, eps, C);
        if (!LAUNCH_OK(be, "k_bn_inference_coef"))
            return;
    }
    k_channel_affine<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, s.coef + C,
                                                                     s.coef + 2 * C, C, L, n);
    LAUNCH_OK(be, "k_channel_affine");
}

void cuda_batchnorm_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                             const float *dy, const float *x, const float *gamma,
                             const float *save_mean, const float *save_invstd, int N, int C,
                             int64_t L)
{
    int64_t rows = (int64_t)N * C, n = rows * L;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    red_in in = {dy, x, save_mean, C, rows, L, chunks_of(L)};
    red_scratch s;
    if (!get_scratch(be, C, rows, in.chunks, &s))
        return;
    red_out o = {};
    o.out = dgamma;
    o.out2 = dbeta;
    o.coef = s.coef;
    o.count = (double)N * (double)L;
    o.gamma = gamma;
    o.invstd_in = save_invstd;
    if (!run_partials<RED_BN_BWD>(be, st, in, s.part) ||
        !run_finish<EPI_CH_BN_BWD>(be, st, s.part, C, N, C, in.chunks, o))
        return;
    if (dx) {
        k_bn_dx<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, x, save_mean,
                                                                save_invstd, s.coef, C, L, n);
        LAUNCH_OK(be, "k_bn_dx");
    }
}

/* out[r] (=, scaled) or (+=) the sum of row r */
static void row_reduce(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                       int64_t len, float scale, bool accumulate)
{
    if (rows <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    red_in in = {a, b, NULL, 1, rows, len > 0 ? len : 0, chunks_of(len)};
    red_scratch s;
    if (!get_scratch(be, 1, rows, in.chunks, &s))
        return;
    red_out o = {};
    o.out = out;
    o.scale = scale;
    bool ok = b ? run_partials<RED_DOT>(be, st, in, s.part)
                : run_partials<RED_SUM>(be, st, in, s.part);
    if (!ok)
        return;
    if (accumulate)
        run_finish<EPI_ROW_ACCUM>(be, st, s.part, rows, 1, 1, in.chunks, o);
    else
        run_finish<EPI_ROW_SCALED>(be, st, s.part, rows, 1, 1, in.chunks, o);
}

void cuda_tile_backward(t2v_backend *be, float *dv, const float *dy, int N, int C, int64_t L)
{
    row_reduce(be, dv, dy, NULL, N * C, L, 1.0f, true);
}

void cuda_row_sum(t2v_backend *be, float *out, const float *x, int rows, int64_t len,
                  float scale)
{
    row_reduce(be, out, x, NULL, rows, len, scale, false);
}

void cuda_row_dot(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                  int64_t len, float scale)
{
    row_reduce(be, out, a, b, rows, len, scale, false);
}

} /* extern "C" */
