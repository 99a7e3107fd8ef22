/* Naive double-precision references (see reference.h). */
#include "reference.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ref_gemm(int ta, int tb, int M, int N, int K, double alpha, const float *A, int lda,
              const float *B, int ldb, double beta, const float *c_in, int ldc, double *c_out)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < ldc; j++) {
            if (j >= N) {
                c_out[(size_t)i * ldc + j] = c_in[(size_t)i * ldc + j];
                continue;
            }
            double acc = 0.0;
            for (int p = 0; p < K; p++) {
                double a = ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                double b = tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                acc += a * b;
            }
            double prior = beta != 0.0 ? beta * c_in[(size_t)i * ldc + j] : 0.0;
            c_out[(size_t)i * ldc + j] = alpha * acc + prior;
        }
    }
}

int ref_conv_out_size(int in, int k, int stride, int pad, int transposed)
{
    if (in < 1)
        return 0;
    if (transposed)
        return (in - 1) * stride - 2 * pad + k;
    int span = in + 2 * pad - k;
    if (span < 0)
        return 0;
    return span / stride + 1;
}

int ref_conv_out(const t2v_conv_shape *s, int out[3])
{
    int ok = 1;
    for (int a = 0; a < 3; a++) {
        out[a] = ref_conv_out_size(s->in[a], s->k[a], s->stride[a], s->pad[a], s->transposed);
        if (out[a] < 1)
            ok = 0;
    }
    return ok;
}

/* index of input voxel read by output voxel o through kernel tap t, or -1 */
static int tap(int o, int t, int stride, int pad, int in)
{
    int i = o * stride - pad + t;
    return (i >= 0 && i < in) ? i : -1;
}

void ref_vol2col(int channels, const int in[3], const int out[3], const int k[3],
                 const int stride[3], const int pad[3], const float *x, double *col)
{
    long cols = (long)out[0] * out[1] * out[2];
    for (int c = 0; c < channels; c++)
        for (int a = 0; a < k[0]; a++)
            for (int b = 0; b < k[1]; b++)
                for (int e = 0; e < k[2]; e++) {
                    long row = (((long)c * k[0] + a) * k[1] + b) * k[2] + e;
                    for (int od = 0; od < out[0]; od++)
                        for (int oh = 0; oh < out[1]; oh++)
                            for (int ow = 0; ow < out[2]; ow++) {
                                long colidx = ((long)od * out[1] + oh) * out[2] + ow;
                                int id = tap(od, a, stride[0], pad[0], in[0]);
                                int ih = tap(oh, b, stride[1], pad[1], in[1]);
                                int iw = tap(ow, e, stride[2], pad[2], in[2]);
                                double v = 0.0;
                                if (id >= 0 && ih >= 0 && iw >= 0)
                                    v = x[(((long)c * in[0] + id) * in[1] + ih) * in[2] + iw];
                                col[row * cols + colidx] = v;
                            }
                }
}

void ref_col2vol(int channels, const int in[3], const int out[3], const int k[3],
                 const int stride[3], const int pad[3], const float *col, const float *x_in,
                 double *x_out)
{
    long vol = (long)channels * in[0] * in[1] * in[2];
    for (long i = 0; i < vol; i++)
        x_out[i] = x_in[i];
    long cols = (long)out[0] * out[1] * out[2];
    for (int c = 0; c < channels; c++)
        for (int a = 0; a < k[0]; a++)
            for (int b = 0; b < k[1]; b++)
                for (int e = 0; e < k[2]; e++) {
                    long row = (((long)c * k[0] + a) * k[1] + b) * k[2] + e;
                    for (int od = 0; od < out[0]; od++)
                        for (int oh = 0; oh < out[1]; oh++)
                            for (int ow = 0; ow < out[2]; ow++) {
                                int id = tap(od, a, stride[0], pad[0], in[0]);
                                int ih = tap(oh, b, stride[1], pad[1], in[1]);
                                int iw = tap(ow, e, stride[2], pad[2], in[2]);
                                if (id < 0 || ih < 0 || iw < 0)
                                    continue;
                                long colidx = ((long)od * out[1] + oh) * out[2] + ow;
                                x_out[(((long)c * in[0] + id) * in[1] + ih) * in[2] + iw] +=
                                    col[row * cols + colidx];
                            }
                }
}

void ref_conv_forward(const t2v_conv_shape *s, const int out[3], const float *x,
                      const float *w, const float *b, double *y)
{
    const int *in = s->in, *k = s->k, *st = s->stride, *pd = s->pad;
    long in_vol = (long)in[0] * in[1] * in[2], out_vol = (long)out[0] * out[1] * out[2];
    long taps = (long)k[0] * k[1] * k[2];
    for (int n = 0; n < s->n; n++)
        for (int o = 0; o < s->c_out; o++)
            for (long v = 0; v < out_vol; v++)
                y[((long)n * s->c_out + o) * out_vol + v] = b ? b[o] : 0.0;
    for (int n = 0; n < s->n; n++)
        for (int c = 0; c < s->c_in; c++)
            for (int o = 0; o < s->c_out; o++)
                for (int a = 0; a < k[0]; a++)
                    for (int bb = 0; bb < k[1]; bb++)
                        for (int e = 0; e < k[2]; e++) {
                            long t = ((long)a * k[1] + bb) * k[2] + e;
                            double wv = s->transposed ? w[((long)c * s->c_out + o) * taps + t]
                                                      : w[((long)o * s->c_in + c) * taps + t];
                            const float *xs = x + ((long)n * s->c_in + c) * in_vol;
                            double *ys = y + ((long)n * s->c_out + o) * out_vol;
                            if (!s->transposed) {
                                for (int od = 0; od < out[0]; od++)
                                    for (int oh = 0; oh < out[1]; oh++)
                                        for (int ow = 0; ow < out[2]; ow++) {
                                            int id = tap(od, a, st[0], pd[0], in[0]);
                                            int ih = tap(oh, bb, st[1], pd[1], in[1]);
                                            int iw = tap(ow, e, st[2], pd[2], in[2]);
                                            if (id < 0 || ih < 0 || iw < 0)
                                                continue;
                                            ys[((long)od * out[1] + oh) * out[2] + ow] +=
                                                wv * xs[((long)id * in[1] + ih) * in[2] + iw];
                                        }
                            } else {
                                /* input voxel i scatters to output i*s - p + tap */
                                for (int id = 0; id < in[0]; id++)
                                    for (int ih = 0; ih < in[1]; ih++)
                                        for (int iw = 0; iw < in[2]; iw++) {
                                            int od = tap(id, a, st[0], pd[0], out[0]);
                                            int oh = tap(ih, bb, st[1], pd[1], out[1]);
                                            int ow = tap(iw, e, st[2], pd[2], out[2]);
                                            if (od < 0 || oh < 0 || ow < 0)
                                                continue;
                                            ys[((long)od * out[1] + oh) * out[2] + ow] +=
                                                wv * xs[((long)id * in[1] + ih) * in[2] + iw];
                                        }
                            }
                        }
}

double ref_act(t2v_act act, double slope, double x)
{
    switch (act) {
    case T2V_ACT_NONE:
        return x;
    case T2V_ACT_RELU:
        return x > 0 ? x : 0.0;
    case T2V_ACT_LRELU:
        return x > 0 ? x : slope * x;
    case T2V_ACT_TANH:
        return tanh(x);
    case T2V_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    }
    return NAN;
}

void ref_batchnorm_forward(int N, int C, int64_t L, const float *x, const float *gamma,
                           const float *beta, const float *running_mean_in,
                           const float *running_var_in, double momentum, double eps,
                           int training, double *y, double *running_mean_out,
                           double *running_var_out, double *mean_out, double *invstd_out)
{
    double count = (double)N * (double)L;
    for (int c = 0; c < C; c++) {
        double mean, var;
        if (training) {
            double s = 0.0;
            for (int n = 0; n < N; n++)
                for (int64_t l = 0; l < L; l++)
                    s += x[((int64_t)n * C + c) * L + l];
            mean = s / count;
            double ss = 0.0;
            for (int n = 0; n < N; n++)
                for (int64_t l = 0; l < L; l++) {
                    double d = x[((int64_t)n * C + c) * L + l] - mean;
                    ss += d * d;
                }
            var = ss / count;
            running_mean_out[c] = (1.0 - momentum) * running_mean_in[c] + momentum * mean;
            running_var_out[c] =
                (1.0 - momentum) * running_var_in[c] + momentum * ss / (count - 1.0);
            mean_out[c] = mean;
            invstd_out[c] = 1.0 / sqrt(var + eps);
        } else {
            mean = running_mean_in[c];
            var = running_var_in[c];
            running_mean_out[c] = running_mean_in[c];
            running_var_out[c] = running_var_in[c];
        }
        double invstd = 1.0 / sqrt(var + eps);
        double g = gamma ? gamma[c] : 1.0, b = beta ? beta[c] : 0.0;
        for (int n = 0; n < N; n++)
            for (int64_t l = 0; l < L; l++) {
                int64_t i = ((int64_t)n * C + c) * L + l;
                y[i] = (x[i] - mean) * invstd * g + b;
            }
    }
}

void ref_upsample2(int NC, int D, int H, int W, int dims, const float *x, double *y)
{
    int Do = dims == 3 ? 2 * D : D, Ho = 2 * H, Wo = 2 * W;
    for (int p = 0; p < NC; p++)
        for (int d = 0; d < Do; d++)
            for (int h = 0; h < Ho; h++)
                for (int w = 0; w < Wo; w++) {
                    int sd = dims == 3 ? d / 2 : d;
                    y[(((long)p * Do + d) * Ho + h) * Wo + w] =
                        x[(((long)p * D + sd) * H + h / 2) * W + w / 2];
                }
}

void ref_permute(int ndim, const int64_t *shape, const int *perm, const float *x, double *y)
{
    int64_t total = 1, ystride[5], xstride[5];
    for (int i = 0; i < ndim; i++)
        total *= shape[i];
    xstride[ndim - 1] = 1;
    for (int i = ndim - 2; i >= 0; i--)
        xstride[i] = xstride[i + 1] * shape[i + 1];
    ystride[ndim - 1] = 1;
    for (int i = ndim - 2; i >= 0; i--)
        ystride[i] = ystride[i + 1] * shape[perm[i + 1]];
    /* walk x; its coordinate on axis perm[j] is y's coordinate on axis j */
    for (int64_t xi = 0; xi < total; xi++) {
        int64_t yi = 0;
        for (int j = 0; j < ndim; j++) {
            int64_t coord = (xi / xstride[perm[j]]) % shape[perm[j]];
            yi += coord * ystride[j];
        }
        y[yi] = x[xi];
    }
}

static double sigm(double v) { return 1.0 / (1.0 + exp(-v)); }

void ref_lstm_cell(int N, int H, const float *gates, const float *h_prev, const float *c_prev,
                   const float *mask, double *h, double *c, double *act)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++) {
            const float *g = gates + (long)n * 4 * H;
            double i = sigm(g[j]), f = sigm(g[H + j]), gg = tanh(g[2 * H + j]),
                   o = sigm(g[3 * H + j]);
            double *a = act + (long)n * 4 * H;
            a[j] = i;
            a[H + j] = f;
            a[2 * H + j] = gg;
            a[3 * H + j] = o;
            long s = (long)n * H + j;
            if (mask[n] != 0.0f) {
                c[s] = f * c_prev[s] + i * gg;
                h[s] = o * tanh(c[s]);
            } else {
                c[s] = c_prev[s];
                h[s] = h_prev[s];
            }
        }
}

void ref_lstm_layer(int N, int T, int E, int H, const float *x, const float *mask,
                    const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                    int reverse, double *h_all)
{
    double *h = calloc((size_t)H, sizeof *h), *c = calloc((size_t)H, sizeof *c);
    double *g = calloc((size_t)4 * H, sizeof *g);
    for (int n = 0; n < N; n++) {
        memset(h, 0, (size_t)H * sizeof *h);
        memset(c, 0, (size_t)H * sizeof *c);
        for (int s = 0; s < T; s++) {
            int t = reverse ? T - 1 - s : s;
            const float *xt = x + ((long)n * T + t) * E;
            if (mask[(long)n * T + t] != 0.0f) {
                for (int r = 0; r < 4 * H; r++) {
                    double acc = (double)b_ih[r] + (double)b_hh[r];
                    for (int e = 0; e < E; e++)
                        acc += (double)w_ih[(long)r * E + e] * xt[e];
                    for (int q = 0; q < H; q++)
                        acc += (double)w_hh[(long)r * H + q] * h[q];
                    g[r] = acc;
                }
                for (int j = 0; j < H; j++) {
                    double i = sigm(g[j]), f = sigm(g[H + j]), gg = tanh(g[2 * H + j]),
                           o = sigm(g[3 * H + j]);
                    c[j] = f * c[j] + i * gg;
                    h[j] = o * tanh(c[j]);
                }
            }
            for (int j = 0; j < H; j++)
                h_all[((long)n * T + t) * H + j] = h[j];
        }
    }
    free(h);
    free(c);
    free(g);
}

double ref_bce_logits(double x, double t, double *grad)
{
    if (grad)
        *grad = sigm(x) - t;
    return (x > 0 ? x : 0.0) - x * t + log1p(exp(-fabs(x)));
}

double ref_hinge(double x, double sign, double *grad)
{
    if (sign > 0) {
        if (grad)
            *grad = x < 1.0 ? -1.0 : 0.0;
        return x < 1.0 ? 1.0 - x : 0.0;
    }
    if (sign < 0) {
        if (grad)
            *grad = x > -1.0 ? 1.0 : 0.0;
        return x > -1.0 ? 1.0 + x : 0.0;
    }
    if (grad)
        *grad = -1.0;
    return -x;
}

double ref_kl_normal(double mu, double logvar, double *dmu, double *dlogvar)
{
    if (dmu)
        *dmu = mu;
    if (dlogvar)
        *dlogvar = 0.5 * (exp(logvar) - 1.0);
    return 0.5 * (mu * mu + exp(logvar) - 1.0 - logvar);
}

void ref_adam(double *p, const float *g, double *m, double *v, int64_t n, double lr,
              double beta1, double beta2, double eps, double wd, int64_t t)
{
    double bc1 = 1.0 - pow(beta1, (double)t), bc2 = 1.0 - pow(beta2, (double)t);
    for (int64_t i = 0; i < n; i++) {
        p[i] *= 1.0 - lr * wd;
        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0 - beta2) * (double)g[i] * g[i];
        p[i] -= lr * (m[i] / bc1) / (sqrt(v[i] / bc2) + eps);
    }
}
