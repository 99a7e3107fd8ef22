/* Elementwise kernels over n floats: grid-stride maps whose arithmetic is
 * the shared per-element functions of t2v_cuda_ops.cuh. Outputs may alias
 * inputs element for element (each thread reads then writes one index). */
#include "cuda_backend.cuh"

__global__ void k_fill(float *y, float v, int64_t n)
{
    CUDA_FOR(i, n) y[i] = v;
}

__global__ void k_scale(float *y, const float *x, float a, int64_t n)
{
    CUDA_FOR(i, n) y[i] = a * x[i];
}

__global__ void k_axpy(float *y, float a, const float *x, int64_t n)
{
    CUDA_FOR(i, n) y[i] += a * x[i];
}

__global__ void k_add(float *y, const float *a, const float *b, int64_t n)
{
    CUDA_FOR(i, n) y[i] = a[i] + b[i];
}

__global__ void k_mul(float *y, const float *a, const float *b, int64_t n)
{
    CUDA_FOR(i, n) y[i] = a[i] * b[i];
}

/* da += dy * b, db += dy * a (either output may be NULL) */
__global__ void k_mul_backward(float *da, float *db, const float *dy, const float *a,
                               const float *b, int64_t n)
{
    CUDA_FOR(i, n)
    {
        float g = dy[i];
        if (da)
            da[i] += g * b[i];
        if (db)
            db[i] += g * a[i];
    }
}

__global__ void k_act_forward(t2v_act act, float slope, float *y, const float *x, int64_t n)
{
    CUDA_FOR(i, n) y[i] = t2v_op_act_forward(act, slope, x[i]);
}

__global__ void k_act_backward(t2v_act act, float slope, float *dx, const float *dy,
                               const float *y, int64_t n)
{
    CUDA_FOR(i, n) dx[i] = t2v_op_act_backward(act, slope, dy[i], y[i]);
}

extern "C" {

void cuda_fill(t2v_backend *be, float *y, float v, int64_t n)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    if (v == 0.0f) {
        CUDA_OK(be, cudaMemsetAsync(y, 0, (size_t)n * sizeof(float), st));
        return;
    }
    k_fill<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, v, n);
    LAUNCH_OK(be, "k_fill");
}

void cuda_copy(t2v_backend *be, float *y, const float *x, int64_t n)
{
    if (n <= 0 || y == x)
        return;
    cudaStream_t st = cuda_enter(be);
    CUDA_OK(be, cudaMemcpyAsync(y, x, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice, st));
}

void cuda_scale(t2v_backend *be, float *y, const float *x, float a, int64_t n)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_scale<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, a, n);
    LAUNCH_OK(be, "k_scale");
}

void cuda_axpy(t2v_backend *be, float *y, float a, const float *x, int64_t n)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_axpy<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, a, x, n);
    LAUNCH_OK(be, "k_axpy");
}

void cuda_add(t2v_backend *be, float *y, const float *a, const float *b, int64_t n)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_add<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, a, b, n);
    LAUNCH_OK(be, "k_add");
}

void cuda_mul(t2v_backend *be, float *y, const float *a, const float *b, int64_t n)
{
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_mul<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, a, b, n);
    LAUNCH_OK(be, "k_mul");
}

void cuda_mul_backward(t2v_backend *be, float *da, float *db, const float *dy, const float *a,
                       const float *b, int64_t n)
{
    if (n <= 0 || (!da && !db))
        return;
    cudaStream_t st = cuda_enter(be);
    k_mul_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(da, db, dy, a, b, n);
    LAUNCH_OK(be, "k_mul_backward");
}

void cuda_act_forward(t2v_backend *be, t2v_act act, float slope, float *y, const float *x,
                      int64_t n)
{
    if (n <= 0)
        return;
    if (act == T2V_ACT_NONE) {
        cuda_copy(be, y, x, n);
        return;
    }
    cudaStream_t st = cuda_enter(be);
    k_act_forward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(
        act, t2v_op_slope(act, slope), y, x, n);
    LAUNCH_OK(be, "k_act_forward");
}

void cuda_act_backward(t2v_backend *be, t2v_act act, float slope, float *dx, const float *dy,
                       const float *y, int64_t n)
{
    if (n <= 0)
        return;
    if (act == T2V_ACT_NONE) {
        cuda_copy(be, dx, dy, n);
        return;
    }
    cudaStream_t st = cuda_enter(be);
    k_act_backward<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(
        act, t2v_op_slope(act, slope), dx, dy, y, n);
    LAUNCH_OK(be, "k_act_backward");
}

} /* extern "C" */
