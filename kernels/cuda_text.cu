/* Text kernels on the device: embedding lookup and its gradient, one LSTM
 * step forward and backward (gate order i, f, g, o; padding steps carry the
 * state through unchanged), and the masked softmax of attention over a
 * caption's words (backend/softmax_ops.h, the CPU backend's arithmetic). */
#include "cuda_backend.cuh"

#include "backend/softmax_ops.h"

/* y (n, E) = table[ids[i]] */
__global__ void k_embedding_forward(float *y, const float *table, const int32_t *ids, int E,
                                    int64_t total)
{
    CUDA_FOR(i, total)
    {
        int64_t row = i / E, e = i % E;
        y[i] = table[(int64_t)ids[row] * E + e];
    }
}

/* One thread per column e walks the ids in order, so repeated ids add up
 * in the CPU backend's order and no two threads touch one value. */
__global__ void k_embedding_backward(float *dtable, const float *dy, const int32_t *ids, int n,
                                     int E)
{
    CUDA_FOR(e, (int64_t)E)
    {
        for (int i = 0; i < n; i++)
            dtable[(int64_t)ids[i] * E + e] += dy[(int64_t)i * E + e];
    }
}

/* one thread per (n, k) */
__global__ void k_lstm_forward(float *h, float *c, float *act, const float *gates,
                               const float *h_prev, const float *c_prev, const float *mask,
                               int H, int64_t total)
{
    CUDA_FOR(i, total)
    {
        int64_t n = i / H, k = i % H;
        const float *g = gates + n * 4 * H;
        float *a = act + n * 4 * H;
        float gv[4] = {g[k], g[H + k], g[2 * H + k], g[3 * H + k]};
        float av[4];
        t2v_op_lstm_gates(gv, av);
        for (int q = 0; q < 4; q++)
            a[q * H + k] = av[q];
        if (mask && mask[n] == 0.0f) {
            h[i] = h_prev[i];
            c[i] = c_prev[i];
        } else {
            float cn, hn;
            t2v_op_lstm_state(av, c_prev[i], &cn, &hn);
            c[i] = cn;
            h[i] = hn;
        }
    }
}

__global__ void k_lstm_backward(float *dgates, float *dh_prev, float *dc_prev, const float *dh,
                                const float *dc, const float *act, const float *c,
                                const float *c_prev, const float *mask, int H, int64_t total)
{
    CUDA_FOR(i, total)
    {
        int64_t n = i / H, k = i % H;
        float *dg = dgates + n * 4 * H;
        if (mask && mask[n] == 0.0f) {
            for (int q = 0; q < 4; q++)
                dg[q * H + k] = 0.0f;
            float g_h = dh[i], g_c = dc[i];
            dh_prev[i] = g_h;
            dc_prev[i] = g_c;
            continue;
        }
        const float *a = act + n * 4 * H;
        float av[4] = {a[k], a[H + k], a[2 * H + k], a[3 * H + k]};
        float d[4], dcp;
        t2v_op_lstm_backward(av, c[i], c_prev[i], dh[i], dc[i], d, &dcp);
        for (int q = 0; q < 4; q++)
            dg[q * H + k] = d[q];
        dc_prev[i] = dcp;
        dh_prev[i] = 0.0f;
    }
}

extern "C" {

void cuda_embedding_forward(t2v_backend *be, float *y, const float *table, const int32_t *ids,
                            int n, int E)
{
    int64_t total = (int64_t)n * E;
    if (total <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_embedding_forward<<<cuda_blocks(be, total), T2V_CUDA_THREADS, 0, st>>>(y, table, ids, E,
                                                                            total);
    LAUNCH_OK(be, "k_embedding_forward");
}

void cuda_embedding_backward(t2v_backend *be, float *dtable, const float *dy,
                             const int32_t *ids, int n, int E)
{
    if (n <= 0 || E <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_embedding_backward<<<cuda_blocks(be, E), T2V_CUDA_THREADS, 0, st>>>(dtable, dy, ids, n, E);
    LAUNCH_OK(be, "k_embedding_backward");
}

void cuda_lstm_cell_forward(t2v_backend *be, float *h, float *c, float *act,
                            const float *gates, const float *h_prev, const float *c_prev,
                            const float *mask, int N, int H)
{
    int64_t total = (int64_t)N * H;
    if (total <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_lstm_forward<<<cuda_blocks(be, total), T2V_CUDA_THREADS, 0, st>>>(h, c, act, gates, h_prev,
                                                                       c_prev, mask, H, total);
    LAUNCH_OK(be, "k_lstm_forward");
}

void cuda_lstm_cell_backward(t2v_backend *be, float *dgates, float *dh_prev, float *dc_prev,
                             const float *dh, const float *dc, const float *act,
                             const float *c, const float *c_prev, const float *mask, int N,
                             int H)
{
    int64_t total = (int64_t)N * H;
    if (total <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_lstm_backward<<<cuda_blocks(be, total), T2V_CUDA_THREADS, 0, st>>>(
        dgates, dh_prev, dc_prev, dh, dc, act, c, c_prev, mask, H, total);
    LAUNCH_OK(be, "k_lstm_backward");
}

} /* extern "C" */

/* one thread per row: a row is a caption's words, a batch a few dozen rows */
__global__ void k_softmax_forward(float *y, const float *x, const float *mask, int len,
                                  int64_t rows)
{
    CUDA_FOR(r, rows)
    {
        t2v_softmax_row(y + r * len, x + r * len, mask + r * len, len);
    }
}

__global__ void k_softmax_backward(float *dx, const float *y, const float *dy, int len,
                                   float ent, int64_t rows)
{
    CUDA_FOR(r, rows)
    {
        t2v_softmax_row_backward(dx + r * len, y + r * len, dy + r * len, len, ent);
    }
}

extern "C" void cuda_softmax_forward(t2v_backend *be, float *y, const float *x, const float *mask,
                                     int rows, int len)
{
    if (rows <= 0 || len <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_softmax_forward<<<cuda_blocks(be, rows), T2V_CUDA_THREADS, 0, st>>>(y, x, mask, len, rows);
    LAUNCH_OK(be, "k_softmax_forward");
}

extern "C" void cuda_softmax_backward(t2v_backend *be, float *dx, const float *y, const float *dy,
                                      int rows, int len, float ent)
{
    if (rows <= 0 || len <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_softmax_backward<<<cuda_blocks(be, rows), T2V_CUDA_THREADS, 0, st>>>(dx, y, dy, len, ent,
                                                                          rows);
    LAUNCH_OK(be, "k_softmax_backward");
}
