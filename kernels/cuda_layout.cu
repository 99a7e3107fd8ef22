/* Layout kernels on the device: nearest x2 upsampling, channel concat,
 * tiling, permutes, frame differences and GLU. One thread per output
 * element; backward kernels gather (each output written by one thread, sums
 * in the CPU backend's order), so nothing needs atomics. */
#include "cuda_backend.cuh"

/* ---- nearest x2: x (NC, D, H, W) -> y (NC, D*dd, 2H, 2W), dd = 2 when
 * dims == 3 (depth doubled too), 1 when dims == 2 ---- */

__global__ void k_up_forward(float *y, const float *x, int D, int H, int W, int dd, int64_t n)
{
    const int oH = 2 * H, oW = 2 * W;
    CUDA_FOR(i, n)
    {
        int ow = (int)(i % oW);
        int oh = (int)(i / oW % oH);
        int64_t plane = i / ((int64_t)oW * oH); /* output plane (nc, od) */
        int64_t in_plane = plane / dd;          /* input plane (nc, d) */
        y[i] = x[(in_plane * H + oh / 2) * W + ow / 2];
    }
}

/* dx[p, h, w] = sum over the dd planes of the 2x2 block, in the CPU order */
__global__ void k_up_backward(float *dx, const float *dy, int H, int W, int dd, int64_t n)
{
    const int oH = 2 * H, oW = 2 * W;
    CUDA_FOR(i, n)
    {
        int w = (int)(i % W);
        int h = (int)(i / W % H);
        int64_t p = i / ((int64_t)W * H);
        float s = 0.0f;
        for (int z = 0; z < dd; z++) {
            const float *q = dy + ((p * dd + z) * oH + 2 * h) * (int64_t)oW + 2 * w;
            s += q[0] + q[1] + q[oW] + q[oW + 1];
        }
        dx[i] = s;
    }
}

/* ---- concat over channels: y (N, Ca+Cb, L) = [a (N, Ca, L), b (N, Cb, L)] */

__global__ void k_concat_forward(float *y, const float *a, const float *b, int64_t na,
                                 int64_t nb, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t s = i / (na + nb), q = i % (na + nb);
        y[i] = q < na ? a[s * na + q] : b[s * nb + (q - na)];
    }
}

__global__ void k_concat_backward(float *da, float *db, const float *dy, int64_t na,
                                  int64_t nb, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t s = i / (na + nb), q = i % (na + nb);
        if (q < na) {
            if (da)
                da[s * na + q] = dy[i];
        } else if (db) {
            db[s * nb + (q - na)] = dy[i];
        }
    }
}

__global__ void k_tile_forward(float *y, const float *v, int64_t L, int64_t n)
{
    CUDA_FOR(i, n) y[i] = v[i / L];
}

/* ---- permute: y.shape[i] = x.shape[perm[i]]; shapes padded to 5 axes ---- */

typedef struct perm_geom {
    int64_t yshape[T2V_MAX_DIMS];
    int64_t xstride[T2V_MAX_DIMS]; /* x stride of y's axis i */
} perm_geom;

__global__ void k_permute(float *y, const float *x, perm_geom g, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t rest = i, off = 0;
        for (int a = T2V_MAX_DIMS - 1; a >= 0; a--) {
            int64_t idx = rest % g.yshape[a];
            rest /= g.yshape[a];
            off += idx * g.xstride[a];
        }
        y[i] = x[off];
    }
}

/* ---- frame differences: x (NC, T, HW) -> y (NC, T-1, HW) ---- */

__global__ void k_diff_forward(float *y, const float *x, int T, int64_t HW, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t k = i % HW;
        int t = (int)(i / HW % (T - 1));
        int64_t r = i / (HW * (T - 1));
        const float *xr = x + r * T * HW;
        y[i] = xr[(t + 1) * HW + k] - xr[t * HW + k];
    }
}

/* dx[t] = dy[t-1] (t >= 1) - dy[t] (t <= T-2) */
__global__ void k_diff_backward(float *dx, const float *dy, int T, int64_t HW, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t k = i % HW;
        int t = (int)(i / HW % T);
        int64_t r = i / (HW * T);
        const float *dyr = dy + r * (T - 1) * HW;
        float v = 0.0f;
        if (t >= 1)
            v += dyr[(t - 1) * HW + k];
        if (t + 1 < T)
            v -= dyr[t * HW + k];
        dx[i] = v;
    }
}

/* ---- GLU: x (N, 2C, L) = [a, b] -> y (N, C, L) = a * sigmoid(b) ---- */

__global__ void k_glu_forward(float *y, const float *x, int64_t half, int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t s = i / half, q = i % half;
        const float *a = x + s * 2 * half;
        y[i] = t2v_op_glu_forward(a[q], a[half + q]);
    }
}

__global__ void k_glu_backward(float *dx, const float *dy, const float *x, int64_t half,
                               int64_t n)
{
    CUDA_FOR(i, n)
    {
        int64_t s = i / half, q = i % half;
        const float *a = x + s * 2 * half;
        float *d = dx + s * 2 * half;
        float da, db;
        t2v_op_glu_backward(dy[i], a[q], a[half + q], &da, &db);
        d[q] = da;
        d[half + q] = db;
    }
}

extern "C" {

void cuda_upsample2_forward(t2v_backend *be, float *y, const float *x, int NC, int D, int H,
                            int W, int dims)
{
    int dd = dims == 3 ? 2 : 1;
    int64_t n = (int64_t)NC * D * dd * 4 * H * W;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_up_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, D, H, W, dd, n);
    LAUNCH_OK(be, "k_up_forward");
}

void cuda_upsample2_backward(t2v_backend *be, float *dx, const float *dy, int NC, int D, int H,
                             int W, int dims)
{
    int dd = dims == 3 ? 2 : 1;
    int64_t n = (int64_t)NC * D * H * W;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_up_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, H, W, dd, n);
    LAUNCH_OK(be, "k_up_backward");
}

void cuda_concat_forward(t2v_backend *be, float *y, const float *a, const float *b, int N,
                         int Ca, int Cb, int64_t L)
{
    int64_t na = (int64_t)Ca * L, nb = (int64_t)Cb * L, n = (int64_t)N * (na + nb);
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_concat_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, a, b, na, nb, n);
    LAUNCH_OK(be, "k_concat_forward");
}

void cuda_concat_backward(t2v_backend *be, float *da, float *db, const float *dy, int N,
                          int Ca, int Cb, int64_t L)
{
    int64_t na = (int64_t)Ca * L, nb = (int64_t)Cb * L, n = (int64_t)N * (na + nb);
    if (n <= 0 || (!da && !db))
        return;
    cudaStream_t st = cuda_enter(be);
    k_concat_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(da, db, dy, na, nb, n);
    LAUNCH_OK(be, "k_concat_backward");
}

void cuda_tile_forward(t2v_backend *be, float *y, const float *v, int N, int C, int64_t L)
{
    int64_t n = (int64_t)N * C * L;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_tile_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, v, L, n);
    LAUNCH_OK(be, "k_tile_forward");
}

void cuda_permute(t2v_backend *be, float *y, const float *x, int ndim, const int64_t *shape,
                  const int *perm)
{
    if (ndim < 1 || ndim > T2V_MAX_DIMS)
        return;
    int64_t xstride[T2V_MAX_DIMS];
    int64_t acc = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        xstride[i] = acc;
        acc *= shape[i];
    }
    perm_geom g;
    int pad = T2V_MAX_DIMS - ndim;
    int64_t n = 1;
    for (int i = 0; i < T2V_MAX_DIMS; i++) {
        if (i < pad) {
            g.yshape[i] = 1;
            g.xstride[i] = 0;
        } else {
            g.yshape[i] = shape[perm[i - pad]];
            g.xstride[i] = xstride[perm[i - pad]];
        }
        n *= g.yshape[i];
    }
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_permute<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, g, n);
    LAUNCH_OK(be, "k_permute");
}

void cuda_frame_diff_forward(t2v_backend *be, float *y, const float *x, int N, int C, int T,
                             int64_t HW)
{
    if (T < 2)
        return;
    int64_t n = (int64_t)N * C * (T - 1) * HW;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_diff_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, T, HW, n);
    LAUNCH_OK(be, "k_diff_forward");
}

void cuda_frame_diff_backward(t2v_backend *be, float *dx, const float *dy, int N, int C, int T,
                              int64_t HW)
{
    int64_t n = (int64_t)N * C * T * HW;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_diff_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, T, HW, n);
    LAUNCH_OK(be, "k_diff_backward");
}

void cuda_glu_forward(t2v_backend *be, float *y, const float *x, int N, int C, int64_t L)
{
    int64_t half = (int64_t)C * L, n = (int64_t)N * half;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_glu_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, half, n);
    LAUNCH_OK(be, "k_glu_forward");
}

void cuda_glu_backward(t2v_backend *be, float *dx, const float *dy, const float *x, int N,
                       int C, int64_t L)
{
    int64_t half = (int64_t)C * L, n = (int64_t)N * half;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_glu_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, x, half, n);
    LAUNCH_OK(be, "k_glu_backward");
}

} /* extern "C" */
