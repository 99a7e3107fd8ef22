/* Elementwise kernels over n floats. Large arrays are cut into one
 * contiguous chunk per pool worker; each chunk runs a plain loop the
 * compiler can vectorise. Outputs may alias inputs element for element. */
#include <math.h>
#include <string.h>

#include "backend/cpu.h"

/* Fewer elements than this run on the calling thread. */
#define EW_PARALLEL_MIN 65536
#define LRELU_DEFAULT_SLOPE 0.2f

typedef enum ew_op {
    EW_FILL,
    EW_COPY,
    EW_SCALE,
    EW_AXPY,
    EW_ADD,
    EW_MUL,
    EW_MUL_BACKWARD,
    EW_ACT_FORWARD,
    EW_ACT_BACKWARD,
} ew_op;

typedef struct ew_job {
    ew_op op;
    t2v_act act;
    float a;          /* fill value, scale, axpy factor or slope */
    float *y, *y2;    /* outputs (y2: db of mul_backward) */
    const float *x0, *x1, *x2;
} ew_job;

static void act_forward_range(t2v_act act, float slope, float *y, const float *x, int64_t n)
{
    switch (act) {
    case T2V_ACT_NONE:
        if (y != x)
            memmove(y, x, (size_t)n * sizeof(float));
        break;
    case T2V_ACT_RELU:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case T2V_ACT_LRELU:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
        break;
    case T2V_ACT_TANH:
        for (int64_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
        break;
    case T2V_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    }
}

/* the derivative from the forward output y */
static void act_backward_range(t2v_act act, float slope, float *dx, const float *dy,
                               const float *y, int64_t n)
{
    switch (act) {
    case T2V_ACT_NONE:
        if (dx != dy)
            memmove(dx, dy, (size_t)n * sizeof(float));
        break;
    case T2V_ACT_RELU:
        for (int64_t i = 0; i < n; i++)
            dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case T2V_ACT_LRELU:
        /* for a positive slope, y > 0 exactly where x > 0 */
        for (int64_t i = 0; i < n; i++)
            dx[i] = y[i] > 0.0f ? dy[i] : slope * dy[i];
        break;
    case T2V_ACT_TANH:
        for (int64_t i = 0; i < n; i++)
            dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case T2V_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++)
            dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    }
}

static void ew_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const ew_job *j = ctx;
    const int64_t n = end - begin;
    float *y = j->y ? j->y + begin : NULL;
    const float *x0 = j->x0 ? j->x0 + begin : NULL;
    const float *x1 = j->x1 ? j->x1 + begin : NULL;
    const float *x2 = j->x2 ? j->x2 + begin : NULL;
    const float a = j->a;
    switch (j->op) {
    case EW_FILL:
        if (a == 0.0f) {
            memset(y, 0, (size_t)n * sizeof(float));
        } else {
            for (int64_t i = 0; i < n; i++)
                y[i] = a;
        }
        break;
    case EW_COPY:
        if (y != x0)
            memmove(y, x0, (size_t)n * sizeof(float));
        break;
    case EW_SCALE:
        for (int64_t i = 0; i < n; i++)
            y[i] = a * x0[i];
        break;
    case EW_AXPY:
        for (int64_t i = 0; i < n; i++)
            y[i] += a * x0[i];
        break;
    case EW_ADD:
        for (int64_t i = 0; i < n; i++)
            y[i] = x0[i] + x1[i];
        break;
    case EW_MUL:
        for (int64_t i = 0; i < n; i++)
            y[i] = x0[i] * x1[i];
        break;
    case EW_MUL_BACKWARD: {
        /* x0 = dy, x1 = a, x2 = b; y = da, y2 = db */
        float *db = j->y2 ? j->y2 + begin : NULL;
        if (y)
            for (int64_t i = 0; i < n; i++)
                y[i] += x0[i] * x2[i];
        if (db)
            for (int64_t i = 0; i < n; i++)
                db[i] += x0[i] * x1[i];
        break;
    }
    case EW_ACT_FORWARD:
        act_forward_range(j->act, a, y, x0, n);
        break;
    case EW_ACT_BACKWARD:
        /* x0 = dy, x1 = y */
        act_backward_range(j->act, a, y, x0, x1, n);
        break;
    }
}

static void ew_run(t2v_backend *be, const ew_job *j, int64_t n)
{
    if (n <= 0)
        return;
    t2v_pool_for(cpu_pool(be), n, n < EW_PARALLEL_MIN ? n : EW_PARALLEL_MIN / 4, ew_task,
                 (void *)j);
}

void cpu_fill(t2v_backend *be, float *y, float v, int64_t n)
{
    ew_job j = {.op = EW_FILL, .a = v, .y = y};
    ew_run(be, &j, n);
}

void cpu_copy(t2v_backend *be, float *y, const float *x, int64_t n)
{
    ew_job j = {.op = EW_COPY, .y = y, .x0 = x};
    ew_run(be, &j, n);
}

void cpu_scale(t2v_backend *be, float *y, const float *x, float a, int64_t n)
{
    ew_job j = {.op = EW_SCALE, .a = a, .y = y, .x0 = x};
    ew_run(be, &j, n);
}

void cpu_axpy(t2v_backend *be, float *y, float a, const float *x, int64_t n)
{
    ew_job j = {.op = EW_AXPY, .a = a, .y = y, .x0 = x};
    ew_run(be, &j, n);
}

void cpu_add(t2v_backend *be, float *y, const float *a, const float *b, int64_t n)
{
    ew_job j = {.op = EW_ADD, .y = y, .x0 = a, .x1 = b};
    ew_run(be, &j, n);
}

void cpu_mul(t2v_backend *be, float *y, const float *a, const float *b, int64_t n)
{
    ew_job j = {.op = EW_MUL, .y = y, .x0 = a, .x1 = b};
    ew_run(be, &j, n);
}

void cpu_mul_backward(t2v_backend *be, float *da, float *db, const float *dy, const float *a,
                      const float *b, int64_t n)
{
    ew_job j = {.op = EW_MUL_BACKWARD, .y = da, .y2 = db, .x0 = dy, .x1 = a, .x2 = b};
    ew_run(be, &j, n);
}

/* A slope of 0 for T2V_ACT_LRELU means the default 0.2. */
static float lrelu_slope(t2v_act act, float slope)
{
    return act == T2V_ACT_LRELU && slope == 0.0f ? LRELU_DEFAULT_SLOPE : slope;
}

void cpu_act_forward(t2v_backend *be, t2v_act act, float slope, float *y, const float *x,
                     int64_t n)
{
    ew_job j = {.op = EW_ACT_FORWARD, .act = act, .a = lrelu_slope(act, slope), .y = y, .x0 = x};
    ew_run(be, &j, n);
}

void cpu_act_backward(t2v_backend *be, t2v_act act, float slope, float *dx, const float *dy,
                      const float *y, int64_t n)
{
    ew_job j = {.op = EW_ACT_BACKWARD, .act = act, .a = lrelu_slope(act, slope), .y = dx,
                .x0 = dy, .x1 = y};
    ew_run(be, &j, n);
}
