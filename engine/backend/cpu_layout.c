/* Layout kernels: nearest upsampling, channel concat, tiling, permutes,
 * frame differences, GLU, and row reductions. Each splits its outermost
 * independent axis across the pool. */
#include <math.h>
#include <string.h>

#include "backend/cpu.h"
#include "backend/cpu_sum.h"

/* Fewer elements than this run on the calling thread. */
#define LAYOUT_PARALLEL_MIN 32768

static void run(t2v_backend *be, int64_t items, int64_t total, t2v_pool_fn fn, void *ctx)
{
    t2v_pool_for(cpu_pool(be), items, total < LAYOUT_PARALLEL_MIN ? items : 1, fn, ctx);
}

/* ---- nearest x2 upsampling --------------------------------------------------
 * dims 3: x (NC, D, H, W) -> y (NC, 2D, 2H, 2W)
 * dims 2: x (NC, D, H, W) -> y (NC, D, 2H, 2W) (each depth plane on its own;
 *         D = 1 for images) */

typedef struct up_job {
    float *out;
    const float *in;
    int D, H, W, dims;
} up_job;

static void up_forward_planes(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const up_job *j = ctx;
    const int H = j->H, W = j->W, oH = 2 * H, oW = 2 * W;
    const int dd = j->dims == 3 ? 2 : 1; /* output planes per input plane */
    for (int64_t p = begin; p < end; p++) {   /* input plane (nc, d) */
        const float *x = j->in + p * H * W;
        float *y0 = j->out + p * dd * oH * oW;
        for (int h = 0; h < H; h++) {
            float *row = y0 + (size_t)(2 * h) * oW;
            const float *src = x + (size_t)h * W;
            for (int w = 0; w < W; w++) {
                row[2 * w] = src[w];
                row[2 * w + 1] = src[w];
            }
            memcpy(row + oW, row, (size_t)oW * sizeof(float));
        }
        if (dd == 2)
            memcpy(y0 + (size_t)oH * oW, y0, (size_t)oH * oW * sizeof(float));
    }
}

static void up_backward_planes(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const up_job *j = ctx;
    const int H = j->H, W = j->W, oH = 2 * H, oW = 2 * W;
    const int dd = j->dims == 3 ? 2 : 1;
    for (int64_t p = begin; p < end; p++) {
        float *dx = j->out + p * H * W;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                float s = 0.0f;
                for (int z = 0; z < dd; z++) {
                    const float *dy = j->in + ((p * dd + z) * oH + 2 * h) * (int64_t)oW + 2 * w;
                    s += dy[0] + dy[1] + dy[oW] + dy[oW + 1];
                }
                dx[(size_t)h * W + w] = s;
            }
    }
}

void cpu_upsample2_forward(t2v_backend *be, float *y, const float *x, int NC, int D, int H,
                           int W, int dims)
{
    up_job j = {y, x, D, H, W, dims};
    int64_t planes = (int64_t)NC * D;
    run(be, planes, planes * H * W * (dims == 3 ? 8 : 4), up_forward_planes, &j);
}

void cpu_upsample2_backward(t2v_backend *be, float *dx, const float *dy, int NC, int D, int H,
                            int W, int dims)
{
    up_job j = {dx, dy, D, H, W, dims};
    int64_t planes = (int64_t)NC * D;
    run(be, planes, planes * H * W * (dims == 3 ? 8 : 4), up_backward_planes, &j);
}

/* ---- channel concat: y (N, Ca+Cb, L) = [a (N, Ca, L), b (N, Cb, L)] ------- */

typedef struct cat_job {
    float *y, *a, *b;
    const float *cy, *ca, *cb;
    int Ca, Cb;
    int64_t L;
} cat_job;

static void cat_forward_samples(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const cat_job *j = ctx;
    const size_t na = (size_t)j->Ca * j->L, nb = (size_t)j->Cb * j->L;
    for (int64_t n = begin; n < end; n++) {
        float *y = j->y + n * (na + nb);
        memcpy(y, j->ca + n * na, na * sizeof(float));
        memcpy(y + na, j->cb + n * nb, nb * sizeof(float));
    }
}

static void cat_backward_samples(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const cat_job *j = ctx;
    const size_t na = (size_t)j->Ca * j->L, nb = (size_t)j->Cb * j->L;
    for (int64_t n = begin; n < end; n++) {
        const float *dy = j->cy + n * (na + nb);
        if (j->a)
            memcpy(j->a + n * na, dy, na * sizeof(float));
        if (j->b)
            memcpy(j->b + n * nb, dy + na, nb * sizeof(float));
    }
}

void cpu_concat_forward(t2v_backend *be, float *y, const float *a, const float *b, int N,
                        int Ca, int Cb, int64_t L)
{
    cat_job j = {.y = y, .ca = a, .cb = b, .Ca = Ca, .Cb = Cb, .L = L};
    run(be, N, (int64_t)N * (Ca + Cb) * L, cat_forward_samples, &j);
}

void cpu_concat_backward(t2v_backend *be, float *da, float *db, const float *dy, int N, int Ca,
                         int Cb, int64_t L)
{
    cat_job j = {.a = da, .b = db, .cy = dy, .Ca = Ca, .Cb = Cb, .L = L};
    run(be, N, (int64_t)N * (Ca + Cb) * L, cat_backward_samples, &j);
}

/* ---- tiling: y (N, C, L) = v (N, C) repeated over L ------------------------ */

typedef struct rows_job {
    float *out;
    const float *x, *x2;
    int64_t len;
    float scale;
} rows_job;

static void tile_forward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rows_job *j = ctx;
    for (int64_t r = begin; r < end; r++) {
        float v = j->x[r];
        float *y = j->out + r * j->len;
        for (int64_t l = 0; l < j->len; l++)
            y[l] = v;
    }
}

static void tile_backward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rows_job *j = ctx;
    for (int64_t r = begin; r < end; r++)
        j->out[r] += (float)cpu_sum(j->x + r * j->len, j->len);
}

void cpu_tile_forward(t2v_backend *be, float *y, const float *v, int N, int C, int64_t L)
{
    rows_job j = {.out = y, .x = v, .len = L};
    int64_t rows = (int64_t)N * C;
    run(be, rows, rows * L, tile_forward_rows, &j);
}

void cpu_tile_backward(t2v_backend *be, float *dv, const float *dy, int N, int C, int64_t L)
{
    rows_job j = {.out = dv, .x = dy, .len = L};
    int64_t rows = (int64_t)N * C;
    run(be, rows, rows * L, tile_backward_rows, &j);
}

/* ---- permute: y = x.permute(perm), y.shape[i] = x.shape[perm[i]] --------- */

typedef struct perm_job {
    float *y;
    const float *x;
    int64_t yshape[T2V_MAX_DIMS]; /* padded in front with 1s to 5 axes */
    int64_t xstride[T2V_MAX_DIMS]; /* x stride of y's axis i */
} perm_job;

static void permute_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const perm_job *j = ctx;
    const int64_t *s = j->yshape, *st = j->xstride;
    const int64_t inner = s[4], sinner = st[4];
    for (int64_t r = begin; r < end; r++) {   /* r: index over y axes 0..3 */
        int64_t i3 = r % s[3], i2 = r / s[3] % s[2], i1 = r / (s[3] * s[2]) % s[1];
        int64_t i0 = r / (s[3] * s[2] * s[1]);
        const float *x = j->x + i0 * st[0] + i1 * st[1] + i2 * st[2] + i3 * st[3];
        float *y = j->y + r * inner;
        if (sinner == 1) {
            memcpy(y, x, (size_t)inner * sizeof(float));
        } else {
            for (int64_t l = 0; l < inner; l++)
                y[l] = x[l * sinner];
        }
    }
}

void cpu_permute(t2v_backend *be, float *y, const float *x, int ndim, const int64_t *shape,
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
    perm_job j = {.y = y, .x = x};
    int pad = T2V_MAX_DIMS - ndim;
    for (int i = 0; i < T2V_MAX_DIMS; i++) {
        if (i < pad) {
            j.yshape[i] = 1;
            j.xstride[i] = 0;
        } else {
            j.yshape[i] = shape[perm[i - pad]];
            j.xstride[i] = xstride[perm[i - pad]];
        }
    }
    int64_t rows = j.yshape[0] * j.yshape[1] * j.yshape[2] * j.yshape[3];
    run(be, rows, rows * j.yshape[4], permute_rows, &j);
}

/* ---- frame differences over T: x (N, C, T, HW) -> y (N, C, T-1, HW) ----- */

typedef struct diff_job {
    float *out;
    const float *in;
    int T;
    int64_t HW;
} diff_job;

static void diff_forward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const diff_job *j = ctx;
    const int T = j->T;
    const int64_t HW = j->HW;
    for (int64_t r = begin; r < end; r++) {   /* r = n*C + c */
        const float *x = j->in + r * T * HW;
        float *y = j->out + r * (T - 1) * HW;
        for (int t = 0; t + 1 < T; t++)
            for (int64_t i = 0; i < HW; i++)
                y[t * HW + i] = x[(t + 1) * HW + i] - x[t * HW + i];
    }
}

static void diff_backward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const diff_job *j = ctx;
    const int T = j->T;
    const int64_t HW = j->HW;
    for (int64_t r = begin; r < end; r++) {
        const float *dy = j->in + r * (T - 1) * HW;
        float *dx = j->out + r * T * HW;
        /* dx[t] = dy[t-1] (t >= 1) - dy[t] (t <= T-2) */
        for (int t = 0; t < T; t++)
            for (int64_t i = 0; i < HW; i++) {
                float v = 0.0f;
                if (t >= 1)
                    v += dy[(t - 1) * HW + i];
                if (t + 1 < T)
                    v -= dy[t * HW + i];
                dx[t * HW + i] = v;
            }
    }
}

void cpu_frame_diff_forward(t2v_backend *be, float *y, const float *x, int N, int C, int T,
                            int64_t HW)
{
    if (T < 2)
        return;
    diff_job j = {y, x, T, HW};
    int64_t rows = (int64_t)N * C;
    run(be, rows, rows * T * HW, diff_forward_rows, &j);
}

void cpu_frame_diff_backward(t2v_backend *be, float *dx, const float *dy, int N, int C, int T,
                             int64_t HW)
{
    diff_job j = {dx, dy, T, HW};
    int64_t rows = (int64_t)N * C;
    run(be, rows, rows * T * HW, diff_backward_rows, &j);
}

/* ---- GLU over channels: x (N, 2C, L) = [a, b] -> y (N, C, L) = a * sig(b) */

typedef struct glu_job {
    float *out;
    const float *x, *dy;
    int C;
    int64_t L;
} glu_job;

static void glu_forward_samples(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const glu_job *j = ctx;
    const int64_t half = (int64_t)j->C * j->L;
    for (int64_t n = begin; n < end; n++) {
        const float *a = j->x + n * 2 * half, *b = a + half;
        float *y = j->out + n * half;
        for (int64_t i = 0; i < half; i++)
            y[i] = a[i] / (1.0f + expf(-b[i]));
    }
}

static void glu_backward_samples(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const glu_job *j = ctx;
    const int64_t half = (int64_t)j->C * j->L;
    for (int64_t n = begin; n < end; n++) {
        const float *a = j->x + n * 2 * half, *b = a + half;
        const float *dy = j->dy + n * half;
        float *da = j->out + n * 2 * half, *db = da + half;
        for (int64_t i = 0; i < half; i++) {
            float s = 1.0f / (1.0f + expf(-b[i]));
            da[i] = dy[i] * s;
            db[i] = dy[i] * a[i] * s * (1.0f - s);
        }
    }
}

void cpu_glu_forward(t2v_backend *be, float *y, const float *x, int N, int C, int64_t L)
{
    glu_job j = {y, x, NULL, C, L};
    run(be, N, (int64_t)N * C * L, glu_forward_samples, &j);
}

void cpu_glu_backward(t2v_backend *be, float *dx, const float *dy, const float *x, int N, int C,
                      int64_t L)
{
    glu_job j = {dx, x, dy, C, L};
    run(be, N, (int64_t)N * C * L, glu_backward_samples, &j);
}

/* ---- row reductions ---------------------------------------------------- */

static void row_sum_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rows_job *j = ctx;
    for (int64_t r = begin; r < end; r++)
        j->out[r] = (float)(j->scale * cpu_sum(j->x + r * j->len, j->len));
}

static void row_dot_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const rows_job *j = ctx;
    for (int64_t r = begin; r < end; r++)
        j->out[r] = (float)(j->scale * cpu_dot(j->x + r * j->len, j->x2 + r * j->len, j->len));
}

void cpu_row_sum(t2v_backend *be, float *out, const float *x, int rows, int64_t len, float scale)
{
    rows_job j = {.out = out, .x = x, .len = len, .scale = scale};
    run(be, rows, (int64_t)rows * len, row_sum_rows, &j);
}

void cpu_row_dot(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                 int64_t len, float scale)
{
    rows_job j = {.out = out, .x = a, .x2 = b, .len = len, .scale = scale};
    run(be, rows, (int64_t)rows * len, row_dot_rows, &j);
}
