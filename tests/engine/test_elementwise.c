/* Elementwise kernels (fill, copy, scale, axpy, add, mul and its backward,
 * activations forward and backward) and row reductions (row_sum, row_dot),
 * in place where the contract allows, against double references;
 * activation and mul gradients also against central differences. */
#include <math.h>

#include "op_check.h"

static const char *act_name(t2v_act a)
{
    switch (a) {
    case T2V_ACT_NONE: return "none";
    case T2V_ACT_RELU: return "relu";
    case T2V_ACT_LRELU: return "lrelu";
    case T2V_ACT_TANH: return "tanh";
    case T2V_ACT_SIGMOID: return "sigmoid";
    }
    return "?";
}

static void basic_case(oc_ctx *oc, int64_t n)
{
    float *a = oc_hostf(oc, n), *b = oc_hostf(oc, n), *y0 = oc_hostf(oc, n);
    double *want = oc_hostd(oc, n);
    oc_uniform(oc, a, n, -2.0f, 2.0f);
    oc_uniform(oc, b, n, -2.0f, 2.0f);
    oc_uniform(oc, y0, n, -2.0f, 2.0f);
    float *da = oc_dev(oc, a, n), *db = oc_dev(oc, b, n), *y = oc_alloc(oc, n);

    oc->k->fill(oc->be, y, -0.375f, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = -0.375;
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 0, 0), "fill n=%lld", (long long)n);

    oc->k->copy(oc->be, y, da, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = a[i];
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 0, 0), "copy n=%lld", (long long)n);

    oc->k->scale(oc->be, y, da, -1.75f, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = -1.75 * a[i];
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 1e-7, 1e-7), "scale n=%lld a=-1.75",
              (long long)n);
    float *yin = oc_dev(oc, a, n);
    oc->k->scale(oc->be, yin, yin, 0.3f, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = (double)0.3f * a[i];
    oc_report(oc_compare(oc_fetch(oc, yin, n), want, n, 1e-7, 1e-7),
              "scale in place (y == x) n=%lld", (long long)n);

    oc_up(oc, y, y0, n);
    oc->k->axpy(oc->be, y, 0.625f, da, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = y0[i] + 0.625 * a[i];
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 1e-6, 1e-6), "axpy y += 0.625 x n=%lld",
              (long long)n);

    oc->k->add(oc->be, y, da, db, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = (double)a[i] + b[i];
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 1e-6, 1e-7), "add n=%lld", (long long)n);
    oc_up(oc, yin, a, n);
    oc->k->add(oc->be, yin, yin, db, n);
    oc_report(oc_compare(oc_fetch(oc, yin, n), want, n, 1e-6, 1e-7),
              "add in place (y == a) n=%lld", (long long)n);

    oc->k->mul(oc->be, y, da, db, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = (double)a[i] * b[i];
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 1e-6, 1e-6), "mul n=%lld", (long long)n);

    /* mul_backward accumulates; either output may be NULL */
    float *dy = oc_hostf(oc, n), *ga0 = oc_hostf(oc, n), *gb0 = oc_hostf(oc, n);
    oc_uniform(oc, dy, n, -1.0f, 1.0f);
    oc_uniform(oc, ga0, n, -1.0f, 1.0f);
    oc_uniform(oc, gb0, n, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, n), *ga = oc_dev(oc, ga0, n), *gb = oc_dev(oc, gb0, n);
    double *want_b = oc_hostd(oc, n);
    for (int64_t i = 0; i < n; i++) {
        want[i] = ga0[i] + (double)dy[i] * b[i];
        want_b[i] = gb0[i] + (double)dy[i] * a[i];
    }
    oc->k->mul_backward(oc->be, ga, gb, ddy, da, db, n);
    oc_report(oc_compare(oc_fetch(oc, ga, n), want, n, 1e-6, 1e-6),
              "mul_backward da += dy*b n=%lld", (long long)n);
    oc_report(oc_compare(oc_fetch(oc, gb, n), want_b, n, 1e-6, 1e-6),
              "mul_backward db += dy*a n=%lld", (long long)n);
    oc_up(oc, ga, ga0, n);
    oc->k->mul_backward(oc->be, ga, NULL, ddy, da, db, n);
    oc_report(oc_compare(oc_fetch(oc, ga, n), want, n, 1e-6, 1e-6),
              "mul_backward with db = NULL n=%lld", (long long)n);
    oc_up(oc, gb, gb0, n);
    oc->k->mul_backward(oc->be, NULL, gb, ddy, da, db, n);
    oc_report(oc_compare(oc_fetch(oc, gb, n), want_b, n, 1e-6, 1e-6),
              "mul_backward with da = NULL n=%lld", (long long)n);
    char what[64];
    snprintf(what, sizeof what, "elementwise n=%lld", (long long)n);
    oc_finish_case(oc, what);
}

typedef struct act_ctx {
    oc_ctx *oc;
    t2v_act act;
    float slope;
    float *x, *dx_, *dy_out;
    long n;
} act_ctx;

static void act_fwd(void *p, float *y)
{
    act_ctx *c = p;
    oc_up(c->oc, c->dx_, c->x, c->n);
    c->oc->k->act_forward(c->oc->be, c->act, c->slope, c->dy_out, c->dx_, c->n);
    oc_down(c->oc, y, c->dy_out, c->n);
}

static void act_case(oc_ctx *oc, t2v_act act, float slope, int64_t n)
{
    char name[96];
    snprintf(name, sizeof name, "act %s%s n=%lld", act_name(act),
             act == T2V_ACT_LRELU ? (slope == 0.2f ? " slope=0.2" : " slope=0.1") : "",
             (long long)n);
    act_ctx c = {.oc = oc, .act = act, .slope = slope, .n = (long)n};
    c.x = oc_hostf(oc, n);
    /* away from the kinks of relu / lrelu at 0 */
    oc_away_from_zero(oc, c.x, n, 0.05f, 3.0f);
    c.dx_ = oc_dev(oc, c.x, n);
    c.dy_out = oc_alloc(oc, n);
    double *want = oc_hostd(oc, n);
    for (int64_t i = 0; i < n; i++)
        want[i] = ref_act(act, slope, c.x[i]);
    oc->k->act_forward(oc->be, act, slope, c.dy_out, c.dx_, n);
    float *y = oc_fetch(oc, c.dy_out, n);
    oc_report(oc_compare(y, want, n, 1e-6, 1e-6), "%s forward", name);
    float *inplace = oc_dev(oc, c.x, n);
    oc->k->act_forward(oc->be, act, slope, inplace, inplace, n);
    oc_report(oc_compare(oc_fetch(oc, inplace, n), want, n, 1e-6, 1e-6),
              "%s forward in place (y == x)", name);

    /* backward from the forward output */
    float *dy = oc_hostf(oc, n);
    oc_uniform(oc, dy, n, -1.0f, 1.0f);
    double *want_dx = oc_hostd(oc, n);
    for (int64_t i = 0; i < n; i++) {
        double xv = c.x[i], d;
        switch (act) {
        case T2V_ACT_RELU: d = xv > 0 ? 1.0 : 0.0; break;
        case T2V_ACT_LRELU: d = xv > 0 ? 1.0 : slope; break;
        case T2V_ACT_TANH: d = 1.0 - tanh(xv) * tanh(xv); break;
        case T2V_ACT_SIGMOID: {
            double s = 1.0 / (1.0 + exp(-xv));
            d = s * (1.0 - s);
            break;
        }
        default: d = 1.0;
        }
        want_dx[i] = dy[i] * d;
    }
    float *ddy = oc_dev(oc, dy, n), *gdx = oc_alloc(oc, n);
    oc->k->act_backward(oc->be, act, slope, gdx, ddy, c.dy_out, n);
    float *hdx = oc_fetch(oc, gdx, n);
    oc_report(oc_compare(hdx, want_dx, n, 1e-6, 1e-5), "%s backward", name);
    oc->k->act_backward(oc->be, act, slope, ddy, ddy, c.dy_out, n);
    oc_report(oc_compare(oc_fetch(oc, ddy, n), want_dx, n, 1e-6, 1e-5),
              "%s backward in place (dx == dy)", name);
    oc_report(oc_fd_check(act_fwd, &c, dy, n, c.x, n, hdx, NULL, 1e-2, 1e-4, 2e-3, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

static void rows_case(oc_ctx *oc, const t2v_rows_shape *s)
{
    long n = (long)s->rows * s->len;
    float *x = oc_hostf(oc, n), *b = oc_hostf(oc, n);
    oc_uniform(oc, x, n, -1.0f, 1.0f);
    oc_uniform(oc, b, n, -1.0f, 1.0f);
    double *want = oc_hostd(oc, s->rows);
    float *dx = oc_dev(oc, x, n), *dbb = oc_dev(oc, b, n), *out = oc_alloc(oc, s->rows);
    double atol = 1e-6 * sqrt((double)s->len) + 1e-7;
    float scale = 1.0f / (float)s->len; /* a mean */
    for (int r = 0; r < s->rows; r++) {
        double acc = 0;
        for (int64_t l = 0; l < s->len; l++)
            acc += x[r * s->len + l];
        want[r] = (double)scale * acc;
    }
    oc->k->row_sum(oc->be, out, dx, s->rows, s->len, scale);
    oc_report(oc_compare(oc_fetch(oc, out, s->rows), want, s->rows, atol, 1e-6),
              "row_sum (mean) rows=%d len=%lld", s->rows, (long long)s->len);
    for (int r = 0; r < s->rows; r++) {
        double acc = 0;
        for (int64_t l = 0; l < s->len; l++)
            acc += (double)x[r * s->len + l] * b[r * s->len + l];
        want[r] = -2.5 * acc;
    }
    oc->k->row_dot(oc->be, out, dx, dbb, s->rows, s->len, -2.5f);
    oc_report(oc_compare(oc_fetch(oc, out, s->rows), want, s->rows, 2.5 * atol, 1e-6),
              "row_dot scale=-2.5 rows=%d len=%lld", s->rows, (long long)s->len);
    oc_finish_case(oc, "row_sum/row_dot");
}

static void run_checks(oc_ctx *oc)
{
    for (int i = 0; i < t2v_elementwise_length_count; i++)
        basic_case(oc, t2v_elementwise_lengths[i]);
    const t2v_act acts[] = {T2V_ACT_NONE, T2V_ACT_RELU, T2V_ACT_LRELU, T2V_ACT_TANH,
                            T2V_ACT_SIGMOID};
    for (int i = 0; i < t2v_elementwise_length_count; i++) {
        int64_t n = t2v_elementwise_lengths[i];
        for (int a = 0; a < 5; a++)
            act_case(oc, acts[a], 0.2f, n);
        act_case(oc, T2V_ACT_LRELU, 0.1f, n);
    }
    for (int i = 0; i < t2v_rows_shape_count; i++)
        rows_case(oc, &t2v_rows_shapes[i]);
}

OC_TEST_MAIN(run_checks)
