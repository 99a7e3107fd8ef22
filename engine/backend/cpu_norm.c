/* Per-channel kernels over x (N, C, L): bias, per-sample modulation and
 * batch normalisation. Reductions over (N, L) split channels across the
 * pool; maps split the N*C rows. */
#include <math.h>

#include "backend/cpu.h"
#include "backend/cpu_sum.h"

/* Fewer elements than this run on the calling thread. */
#define NORM_PARALLEL_MIN 32768

static int64_t grain_for(int64_t items, int64_t total)
{
    return total < NORM_PARALLEL_MIN ? items : 1;
}

typedef struct chan_job {
    int N, C;
    int64_t L;
    float *y, *dx, *da, *db;
    const float *x, *dy, *va, *vb;  /* va, vb: bias/gamma/beta vectors */
    float *run_mean, *run_var, *save_mean, *save_invstd;
    const float *mean_in, *invstd_in;
    float momentum, eps;
    int training;
} chan_job;

/* ---- bias ---------------------------------------------------------------- */

static void bias_add_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    for (int64_t r = begin; r < end; r++) {
        float b = j->va[r % j->C];
        float *y = j->y + r * j->L;
        for (int64_t l = 0; l < j->L; l++)
            y[l] += b;
    }
}

void cpu_bias_add(t2v_backend *be, float *y, const float *bias, int N, int C, int64_t L)
{
    if (!bias)
        return;
    chan_job j = {.N = N, .C = C, .L = L, .y = y, .va = bias};
    int64_t rows = (int64_t)N * C;
    t2v_pool_for(cpu_pool(be), rows, grain_for(rows, rows * L), bias_add_rows, &j);
}

static void bias_backward_channels(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    for (int64_t c = begin; c < end; c++) {
        double s = 0.0;
        for (int n = 0; n < j->N; n++)
            s += cpu_sum(j->dy + ((int64_t)n * j->C + c) * j->L, j->L);
        j->da[c] += (float)s;
    }
}

void cpu_bias_backward(t2v_backend *be, float *dbias, const float *dy, int N, int C, int64_t L)
{
    if (!dbias)
        return;
    chan_job j = {.N = N, .C = C, .L = L, .da = dbias, .dy = dy};
    t2v_pool_for(cpu_pool(be), C, grain_for(C, (int64_t)N * C * L), bias_backward_channels, &j);
}

/* ---- per-sample modulation: y = x * gamma[n, c] + beta[n, c] ------------ */

static void modulate_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    for (int64_t r = begin; r < end; r++) {
        float g = j->va ? j->va[r] : 1.0f;
        float b = j->vb ? j->vb[r] : 0.0f;
        const float *x = j->x + r * j->L;
        float *y = j->y + r * j->L;
        for (int64_t l = 0; l < j->L; l++)
            y[l] = x[l] * g + b;
    }
}

void cpu_modulate(t2v_backend *be, float *y, const float *x, const float *gamma,
                  const float *beta, int N, int C, int64_t L)
{
    chan_job j = {.N = N, .C = C, .L = L, .y = y, .x = x, .va = gamma, .vb = beta};
    int64_t rows = (int64_t)N * C;
    t2v_pool_for(cpu_pool(be), rows, grain_for(rows, rows * L), modulate_rows, &j);
}

static void modulate_backward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    for (int64_t r = begin; r < end; r++) {
        const float *dy = j->dy + r * j->L;
        if (j->da)
            j->da[r] += (float)cpu_dot(dy, j->x + r * j->L, j->L);
        if (j->db)
            j->db[r] += (float)cpu_sum(dy, j->L);
        if (j->dx) {
            float g = j->va ? j->va[r] : 1.0f;
            float *dx = j->dx + r * j->L;
            for (int64_t l = 0; l < j->L; l++)
                dx[l] = dy[l] * g;
        }
    }
}

void cpu_modulate_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                           const float *dy, const float *x, const float *gamma, int N, int C,
                           int64_t L)
{
    chan_job j = {.N = N, .C = C, .L = L, .dx = dx, .da = dgamma, .db = dbeta, .dy = dy,
                  .x = x, .va = gamma};
    int64_t rows = (int64_t)N * C;
    t2v_pool_for(cpu_pool(be), rows, grain_for(rows, rows * L), modulate_backward_rows, &j);
}

/* ---- batch normalisation ----------------------------------------------- */

static void bn_forward_channels(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    const int64_t L = j->L, C = j->C;
    const double count = (double)j->N * (double)L;
    for (int64_t c = begin; c < end; c++) {
        float mean, invstd;
        if (j->training) {
            double s = 0.0;
            for (int n = 0; n < j->N; n++)
                s += cpu_sum(j->x + (n * C + c) * L, L);
            mean = (float)(s / count);
            double ss = 0.0;
            for (int n = 0; n < j->N; n++)
                ss += cpu_sqdev(j->x + (n * C + c) * L, mean, L);
            double var = ss / count;
            invstd = (float)(1.0 / sqrt(var + (double)j->eps));
            if (j->save_mean)
                j->save_mean[c] = mean;
            if (j->save_invstd)
                j->save_invstd[c] = invstd;
            float m = j->momentum;
            if (j->run_mean)
                j->run_mean[c] = (1.0f - m) * j->run_mean[c] + m * mean;
            if (j->run_var) {
                double unbiased = count > 1.0 ? ss / (count - 1.0) : var;
                j->run_var[c] = (1.0f - m) * j->run_var[c] + m * (float)unbiased;
            }
        } else {
            mean = j->run_mean ? j->run_mean[c] : 0.0f;
            float var = j->run_var ? j->run_var[c] : 1.0f;
            invstd = (float)(1.0 / sqrt((double)var + (double)j->eps));
        }
        /* y = (x - mean) * invstd * gamma + beta = x * scale + shift */
        float scale = invstd * (j->va ? j->va[c] : 1.0f);
        float shift = (j->vb ? j->vb[c] : 0.0f) - mean * scale;
        for (int n = 0; n < j->N; n++) {
            const float *x = j->x + (n * C + c) * L;
            float *y = j->y + (n * C + c) * L;
            for (int64_t l = 0; l < L; l++)
                y[l] = x[l] * scale + shift;
        }
    }
}

void cpu_batchnorm_forward(t2v_backend *be, float *y, const float *x, const float *gamma,
                           const float *beta, float *running_mean, float *running_var,
                           float *save_mean, float *save_invstd, int N, int C, int64_t L,
                           float momentum, float eps, int training)
{
    chan_job j = {.N = N, .C = C, .L = L, .y = y, .x = x, .va = gamma, .vb = beta,
                  .run_mean = running_mean, .run_var = running_var, .save_mean = save_mean,
                  .save_invstd = save_invstd, .momentum = momentum, .eps = eps,
                  .training = training};
    t2v_pool_for(cpu_pool(be), C, grain_for(C, (int64_t)N * C * L), bn_forward_channels, &j);
}

/* sum of dy * (x - mean) */
static double dot_centered(const float *dy, const float *x, float mean, int64_t n)
{
    double total = 0.0;
    for (int64_t b = 0; b < n; b += SUM_BLOCK) {
        int64_t m = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
        const float *p = dy + b, *q = x + b;
        float lane[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= m; i += 8)
            for (int k = 0; k < 8; k++)
                lane[k] += p[i + k] * (q[i + k] - mean);
        double part = 0.0;
        for (; i < m; i++)
            part += (double)p[i] * ((double)q[i] - mean);
        for (int k = 0; k < 8; k++)
            part += lane[k];
        total += part;
    }
    return total;
}

/* With xhat = (x - mean) * invstd and M = N*L:
 * dbeta += sum dy, dgamma += sum dy * xhat,
 * dx = gamma * invstd * (dy - sum(dy) / M - xhat * sum(dy * xhat) / M). */
static void bn_backward_channels(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const chan_job *j = ctx;
    const int64_t L = j->L, C = j->C;
    const double count = (double)j->N * (double)L;
    for (int64_t c = begin; c < end; c++) {
        float mean = j->mean_in[c], invstd = j->invstd_in[c];
        double sdy = 0.0, sdyx = 0.0;
        for (int n = 0; n < j->N; n++) {
            const float *dy = j->dy + (n * C + c) * L;
            sdy += cpu_sum(dy, L);
            sdyx += dot_centered(dy, j->x + (n * C + c) * L, mean, L);
        }
        double sdy_xhat = sdyx * invstd;
        if (j->db)
            j->db[c] += (float)sdy;
        if (j->da)
            j->da[c] += (float)sdy_xhat;
        if (!j->dx)
            continue;
        float g = j->va ? j->va[c] : 1.0f;
        float k = g * invstd;
        float mdy = (float)(sdy / count);
        float mdyx = (float)(sdy_xhat / count);
        for (int n = 0; n < j->N; n++) {
            const float *dy = j->dy + (n * C + c) * L;
            const float *x = j->x + (n * C + c) * L;
            float *dx = j->dx + (n * C + c) * L;
            for (int64_t l = 0; l < L; l++) {
                float xhat = (x[l] - mean) * invstd;
                dx[l] = k * (dy[l] - mdy - xhat * mdyx);
            }
        }
    }
}

void cpu_batchnorm_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                            const float *dy, const float *x, const float *gamma,
                            const float *save_mean, const float *save_invstd, int N, int C,
                            int64_t L)
{
    chan_job j = {.N = N, .C = C, .L = L, .dx = dx, .da = dgamma, .db = dbeta, .dy = dy, .x = x,
                  .va = gamma, .mean_in = save_mean, .invstd_in = save_invstd};
    t2v_pool_for(cpu_pool(be), C, grain_for(C, (int64_t)N * C * L), bn_backward_channels, &j);
}
