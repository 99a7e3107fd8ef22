/* Convolution and transposed convolution (2D as depth 1, or 3D) by column
 * transforms and products, written only with the backend's kernels.
 *
 * Convolution, per sample s (CK = c_in*kd*kh*kw, L = output positions):
 *   col_s (CK, L) = vol2col(x_s);     y_s (c_out, L) = W (c_out, CK) col_s
 *   dW += dy_s col_s^T;               dx_s = col2vol(W^T dy_s)
 * Transposed convolution is the data gradient of a convolution taking the
 * output back to the input (weight (c_in, c_out*k), CKo = c_out*kd*kh*kw):
 *   col_s (CKo, Lin) = W^T x_s;       y_s = col2vol(col_s)
 *   col_s = vol2col(dy_s);            dx_s = W col_s;  dW += x_s col_s^T
 * Samples go in groups, one column buffer per backend worker, so the
 * products of a group run as one batched gemm. 1x1x1 kernels with stride 1
 * and no padding need no columns at all. */
#include <limits.h>

#include "backend/cpu.h"
#include "core/status_internal.h"

static int64_t vol(const int d[3]) { return (int64_t)d[0] * d[1] * d[2]; }

static int is_pointwise(const t2v_conv_geom *g)
{
    for (int i = 0; i < 3; i++)
        if (g->k[i] != 1 || g->stride[i] != 1 || g->pad[i] != 0)
            return 0;
    return 1;
}

t2v_status t2v_conv_geom_init(t2v_conv_geom *g)
{
    if (!g)
        return t2v_fail(T2V_ERR_INVALID, "convolution geometry is NULL");
    if (g->n < 1 || g->c_in < 1 || g->c_out < 1)
        return t2v_fail(T2V_ERR_INVALID, "convolution: batch %d, c_in %d, c_out %d must be >= 1",
                        g->n, g->c_in, g->c_out);
    static const char *axis[3] = {"depth", "height", "width"};
    for (int i = 0; i < 3; i++) {
        if (g->in[i] < 1 || g->k[i] < 1 || g->stride[i] < 1 || g->pad[i] < 0)
            return t2v_fail(T2V_ERR_INVALID,
                            "convolution %s: input %d, kernel %d, stride %d, pad %d "
                            "(need input, kernel, stride >= 1 and pad >= 0)",
                            axis[i], g->in[i], g->k[i], g->stride[i], g->pad[i]);
        int64_t out;
        if (g->transposed)
            out = ((int64_t)g->in[i] - 1) * g->stride[i] - 2 * (int64_t)g->pad[i] + g->k[i];
        else if ((int64_t)g->in[i] + 2 * (int64_t)g->pad[i] < g->k[i])
            out = 0;
        else
            out = ((int64_t)g->in[i] + 2 * (int64_t)g->pad[i] - g->k[i]) / g->stride[i] + 1;
        if (out < 1 || out > INT_MAX)
            return t2v_fail(T2V_ERR_INVALID,
                            "%sconvolution %s: input %d, kernel %d, stride %d, pad %d gives "
                            "output size %lld",
                            g->transposed ? "transposed " : "", axis[i], g->in[i], g->k[i],
                            g->stride[i], g->pad[i], (long long)out);
        g->out[i] = (int)out;
    }
    return T2V_OK;
}

size_t t2v_conv_workspace(const t2v_conv_geom *g)
{
    if (is_pointwise(g))
        return 0;
    int64_t kvol = vol(g->k);
    if (g->transposed)
        return (size_t)((int64_t)g->c_out * kvol * vol(g->in));
    return (size_t)((int64_t)g->c_in * kvol * vol(g->out));
}

/* Samples handled together: one per worker the backend runs in parallel. */
static int group_size(t2v_backend *be, const t2v_conv_geom *g)
{
    int workers = be->device == T2V_DEVICE_CPU ? t2v_pool_size(cpu_pool(be)) : 1;
    if (workers > g->n)
        workers = g->n;
    return workers < 1 ? 1 : workers;
}

size_t t2v_conv_ws_floats(t2v_backend *be, const t2v_conv_geom *g)
{
    return t2v_conv_workspace(g) * (size_t)group_size(be, g);
}

// x: (n, c_in, D, H, W), w: conv (c_out, c_in, k...) or transposed (c_in, c_out, k...),
// b: (c_out) or NULL -> y: (n, c_out, Do, Ho, Wo)
void t2v_conv_forward(t2v_backend *be, const t2v_conv_geom *g, float *y, const float *x,
                      const float *w, const float *b, float *ws)
{
    const t2v_kernels *k = be->k;
    const int64_t Lin = vol(g->in), Lout = vol(g->out), kvol = vol(g->k);
    const int64_t xs = g->c_in * Lin, ys = g->c_out * Lout;
    if (is_pointwise(g)) {
        /* y_s (c_out, L) = W x_s, or W^T x_s when transposed */
        if (g->transposed)
            k->gemm_batched(be, 1, 0, g->c_out, (int)Lin, g->c_in, 1.0f, w, g->c_out, 0, x,
                            (int)Lin, xs, 0.0f, y, (int)Lout, ys, g->n);
        else
            k->gemm_batched(be, 0, 0, g->c_out, (int)Lin, g->c_in, 1.0f, w, g->c_in, 0, x,
                            (int)Lin, xs, 0.0f, y, (int)Lout, ys, g->n);
    } else {
        const int G = group_size(be, g);
        const int64_t wsz = (int64_t)t2v_conv_workspace(g);
        for (int s0 = 0; s0 < g->n; s0 += G) {
            int cnt = g->n - s0 < G ? g->n - s0 : G;
            if (!g->transposed) {
                const int CK = (int)(g->c_in * kvol);
                for (int s = 0; s < cnt; s++)
                    k->vol2col(be, g, g->c_in, g->in, g->out, x + (s0 + s) * xs, ws + s * wsz);
                k->gemm_batched(be, 0, 0, g->c_out, (int)Lout, CK, 1.0f, w, CK, 0, ws,
                                (int)Lout, wsz, 0.0f, y + s0 * ys, (int)Lout, ys, cnt);
            } else {
                const int CKo = (int)(g->c_out * kvol);
                k->gemm_batched(be, 1, 0, CKo, (int)Lin, g->c_in, 1.0f, w, CKo, 0,
                                x + s0 * xs, (int)Lin, xs, 0.0f, ws, (int)Lin, wsz, cnt);
                k->fill(be, y + s0 * ys, 0.0f, cnt * ys);
                for (int s = 0; s < cnt; s++)
                    k->col2vol(be, g, g->c_out, g->out, g->in, ws + s * wsz,
                               y + (s0 + s) * ys);
            }
        }
    }
    if (b)
        k->bias_add(be, y, b, g->n, g->c_out, Lout);
}

// dy: (n, c_out, Do, Ho, Wo) -> dx (n, c_in, D, H, W) assigned; dw, db accumulated
void t2v_conv_backward(t2v_backend *be, const t2v_conv_geom *g, float *dx, float *dw,
                       float *db, const float *dy, const float *x, const float *w, float *ws)
{
    const t2v_kernels *k = be->k;
    const int64_t Lin = vol(g->in), Lout = vol(g->out), kvol = vol(g->k);
    const int64_t xs = g->c_in * Lin, ys = g->c_out * Lout;
    if (db)
        k->bias_backward(be, db, dy, g->n, g->c_out, Lout);
    if (!dx && !dw)
        return;
    if (is_pointwise(g)) {
        const int L = (int)Lin;
        if (!g->transposed) {
            /* dW (c_out, c_in) += dy_s x_s^T; dx_s = W^T dy_s */
            if (dw)
                for (int s = 0; s < g->n; s++)
                    k->gemm(be, 0, 1, g->c_out, g->c_in, L, 1.0f, dy + s * ys, L, x + s * xs, L,
                            1.0f, dw, g->c_in);
            if (dx)
                k->gemm_batched(be, 1, 0, g->c_in, L, g->c_out, 1.0f, w, g->c_in, 0, dy, L, ys,
                                0.0f, dx, L, xs, g->n);
        } else {
            /* dW (c_in, c_out) += x_s dy_s^T; dx_s = W dy_s */
            if (dw)
                for (int s = 0; s < g->n; s++)
                    k->gemm(be, 0, 1, g->c_in, g->c_out, L, 1.0f, x + s * xs, L, dy + s * ys, L,
                            1.0f, dw, g->c_out);
            if (dx)
                k->gemm_batched(be, 0, 0, g->c_in, L, g->c_out, 1.0f, w, g->c_out, 0, dy, L, ys,
                                0.0f, dx, L, xs, g->n);
        }
        return;
    }
    const int G = group_size(be, g);
    const int64_t wsz = (int64_t)t2v_conv_workspace(g);
    for (int s0 = 0; s0 < g->n; s0 += G) {
        int cnt = g->n - s0 < G ? g->n - s0 : G;
        if (!g->transposed) {
            const int CK = (int)(g->c_in * kvol);
            if (dw)
                for (int s = 0; s < cnt; s++) {
                    float *col = ws + s * wsz;
                    k->vol2col(be, g, g->c_in, g->in, g->out, x + (s0 + s) * xs, col);
                    k->gemm(be, 0, 1, g->c_out, CK, (int)Lout, 1.0f, dy + (s0 + s) * ys,
                            (int)Lout, col, (int)Lout, 1.0f, dw, CK);
                }
            if (dx) {
                k->gemm_batched(be, 1, 0, CK, (int)Lout, g->c_out, 1.0f, w, CK, 0, dy + s0 * ys,
                                (int)Lout, ys, 0.0f, ws, (int)Lout, wsz, cnt);
                k->fill(be, dx + s0 * xs, 0.0f, cnt * xs);
                for (int s = 0; s < cnt; s++)
                    k->col2vol(be, g, g->c_in, g->in, g->out, ws + s * wsz, dx + (s0 + s) * xs);
            }
        } else {
            const int CKo = (int)(g->c_out * kvol);
            for (int s = 0; s < cnt; s++)
                k->vol2col(be, g, g->c_out, g->out, g->in, dy + (s0 + s) * ys, ws + s * wsz);
            if (dw)
                for (int s = 0; s < cnt; s++)
                    k->gemm(be, 0, 1, g->c_in, CKo, (int)Lin, 1.0f, x + (s0 + s) * xs, (int)Lin,
                            ws + s * wsz, (int)Lin, 1.0f, dw, CKo);
            if (dx)
                k->gemm_batched(be, 0, 0, g->c_in, (int)Lin, CKo, 1.0f, w, CKo, 0, ws, (int)Lin,
                                wsz, 0.0f, dx + s0 * xs, (int)Lin, xs, cnt);
        }
    }
}
