/* Convolution: t2v_conv_geom_init against PyTorch's output sizes (and its
 * refusals), vol2col / col2vol against direct gathers, and the conv and
 * transposed-conv layers (2D as depth 1, and 3D): forward against a direct
 * double-precision convolution, backward (dx, dw, db) against central
 * differences of the forward, with and without bias, dx may be NULL. */
#include <math.h>

#include "op_check.h"

static void conv_name(const t2v_conv_shape *s, char *buf, size_t size)
{
    int is2d = s->in[0] == 1 && s->k[0] == 1 && s->stride[0] == 1 && s->pad[0] == 0;
    snprintf(buf, size, "%s%s n=%d c=%d->%d in=%dx%dx%d k=%dx%dx%d s=%dx%dx%d p=%dx%dx%d",
             is2d ? "conv2d" : "conv3d", s->transposed ? "_transpose" : "", s->n, s->c_in,
             s->c_out, s->in[0], s->in[1], s->in[2], s->k[0], s->k[1], s->k[2], s->stride[0],
             s->stride[1], s->stride[2], s->pad[0], s->pad[1], s->pad[2]);
}

static void geom_from(const t2v_conv_shape *s, t2v_conv_geom *g)
{
    memset(g, 0, sizeof *g);
    g->n = s->n;
    g->c_in = s->c_in;
    g->c_out = s->c_out;
    for (int a = 0; a < 3; a++) {
        g->in[a] = s->in[a];
        g->k[a] = s->k[a];
        g->stride[a] = s->stride[a];
        g->pad[a] = s->pad[a];
    }
    g->transposed = s->transposed;
}

static void geometry_checks(void)
{
    for (int i = 0; i < t2v_conv_shape_count; i++) {
        const t2v_conv_shape *s = &t2v_conv_shapes[i];
        t2v_conv_geom g;
        geom_from(s, &g);
        int want[3];
        ref_conv_out(s, want);
        t2v_status st = t2v_conv_geom_init(&g);
        char name[200];
        conv_name(s, name, sizeof name);
        T2V_CHECK(st == T2V_OK && g.out[0] == want[0] && g.out[1] == want[1] &&
                      g.out[2] == want[2],
                  "t2v_conv_geom_init %s -> out %dx%dx%d (want %dx%dx%d)", name, g.out[0],
                  g.out[1], g.out[2], want[0], want[1], want[2]);
    }
    for (int i = 0; i < t2v_conv_bad_shape_count; i++) {
        const t2v_conv_shape *s = &t2v_conv_bad_shapes[i];
        t2v_conv_geom g;
        geom_from(s, &g);
        t2v_clear_error();
        t2v_status st = t2v_conv_geom_init(&g);
        char name[200];
        conv_name(s, name, sizeof name);
        T2V_CHECK(st != T2V_OK && t2v_last_error()[0] != '\0',
                  "t2v_conv_geom_init refuses %s (status %d, \"%s\")", name, (int)st,
                  t2v_last_error());
    }
}

/* vol2col over volume `in` with columns over `out`; col2vol adds its
 * adjoint into a volume that already holds values. */
static void vol2col_case(oc_ctx *oc, const t2v_conv_shape *s, const t2v_conv_geom *g,
                         const int in[3], const int out[3], int channels, const char *name)
{
    long vol = (long)channels * in[0] * in[1] * in[2];
    long rows = (long)channels * s->k[0] * s->k[1] * s->k[2];
    long ncol = rows * out[0] * out[1] * out[2];
    float *x = oc_hostf(oc, vol), *col = oc_hostf(oc, ncol), *x0 = oc_hostf(oc, vol);
    oc_uniform(oc, x, vol, -1.0f, 1.0f);
    oc_uniform(oc, col, ncol, -1.0f, 1.0f);
    oc_uniform(oc, x0, vol, -1.0f, 1.0f);
    double *want_col = oc_hostd(oc, ncol), *want_x = oc_hostd(oc, vol);
    ref_vol2col(channels, in, out, s->k, s->stride, s->pad, x, want_col);
    ref_col2vol(channels, in, out, s->k, s->stride, s->pad, col, x0, want_x);

    float *dx = oc_dev(oc, x, vol), *dcol = oc_alloc(oc, ncol);
    oc->k->vol2col(oc->be, g, channels, in, out, dx, dcol);
    oc_report(oc_compare(oc_fetch(oc, dcol, ncol), want_col, ncol, 0.0, 0.0),
              "vol2col %s channels=%d vol %dx%dx%d -> cols %dx%dx%d", name, channels, in[0],
              in[1], in[2], out[0], out[1], out[2]);
    float *dcol2 = oc_dev(oc, col, ncol), *dx0 = oc_dev(oc, x0, vol);
    oc->k->col2vol(oc->be, g, channels, in, out, dcol2, dx0);
    oc_report(oc_compare(oc_fetch(oc, dx0, vol), want_x, vol, 1e-6, 1e-6),
              "col2vol (accumulating) %s channels=%d", name, channels);
    oc_finish_case(oc, "vol2col/col2vol");
}

typedef struct conv_ctx {
    oc_ctx *oc;
    t2v_conv_geom g;
    float *x, *w, *b;           /* host */
    float *dx_, *dw_, *db_;     /* backend inputs */
    float *dy_out, *ws;         /* backend output and workspace */
    long nx, nw, nb, ny;
} conv_ctx;

static void conv_fwd(void *p, float *y)
{
    conv_ctx *c = p;
    oc_up(c->oc, c->dx_, c->x, c->nx);
    oc_up(c->oc, c->dw_, c->w, c->nw);
    oc_up(c->oc, c->db_, c->b, c->nb);
    t2v_conv_forward(c->oc->be, &c->g, c->dy_out, c->dx_, c->dw_, c->db_, c->ws);
    oc_down(c->oc, y, c->dy_out, c->ny);
}

static void conv_case(oc_ctx *oc, const t2v_conv_shape *s)
{
    char name[200];
    conv_name(s, name, sizeof name);
    conv_ctx c = {.oc = oc};
    geom_from(s, &c.g);
    if (t2v_conv_geom_init(&c.g) != T2V_OK) {
        T2V_CHECK(0, "%s: geometry refused: %s", name, t2v_last_error());
        return;
    }
    int out[3];
    ref_conv_out(s, out);
    long in_vol = (long)s->in[0] * s->in[1] * s->in[2], out_vol = (long)out[0] * out[1] * out[2];
    long taps = (long)s->k[0] * s->k[1] * s->k[2];
    c.nx = s->n * s->c_in * in_vol;
    c.ny = s->n * s->c_out * out_vol;
    c.nw = (long)s->c_in * s->c_out * taps;
    c.nb = s->c_out;
    c.x = oc_hostf(oc, c.nx);
    c.w = oc_hostf(oc, c.nw);
    c.b = oc_hostf(oc, c.nb);
    oc_uniform(oc, c.x, c.nx, -1.0f, 1.0f);
    oc_uniform(oc, c.w, c.nw, -0.5f, 0.5f);
    oc_uniform(oc, c.b, c.nb, -0.5f, 0.5f);
    c.dx_ = oc_dev(oc, c.x, c.nx);
    c.dw_ = oc_dev(oc, c.w, c.nw);
    c.db_ = oc_dev(oc, c.b, c.nb);
    c.dy_out = oc_alloc(oc, c.ny);
    size_t wsn = t2v_conv_ws_floats(oc->be, &c.g);
    c.ws = oc_alloc(oc, wsn);
    long K = (long)s->c_in * taps; // terms summed per output (an upper bound when transposed)
    double atol = 1e-6 * K + 1e-6;

    /* forward with and without bias */
    double *want = oc_hostd(oc, c.ny);
    ref_conv_forward(s, out, c.x, c.w, c.b, want);
    t2v_conv_forward(oc->be, &c.g, c.dy_out, c.dx_, c.dw_, c.db_, c.ws);
    oc_report(oc_compare(oc_fetch(oc, c.dy_out, c.ny), want, c.ny, atol, 1e-5),
              "%s forward", name);
    ref_conv_forward(s, out, c.x, c.w, NULL, want);
    float *y_nobias = oc_alloc(oc, c.ny);
    t2v_conv_forward(oc->be, &c.g, y_nobias, c.dx_, c.dw_, NULL, c.ws);
    oc_report(oc_compare(oc_fetch(oc, y_nobias, c.ny), want, c.ny, atol, 1e-5),
              "%s forward without bias", name);

    /* backward: dy = loss weights; dw and db accumulate onto random values */
    float *wl = oc_hostf(oc, c.ny), *dw0 = oc_hostf(oc, c.nw), *db0 = oc_hostf(oc, c.nb);
    oc_uniform(oc, wl, c.ny, -1.0f, 1.0f);
    oc_uniform(oc, dw0, c.nw, -1.0f, 1.0f);
    oc_uniform(oc, db0, c.nb, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, wl, c.ny), *gdx = oc_alloc(oc, c.nx);
    float *gdw = oc_dev(oc, dw0, c.nw), *gdb = oc_dev(oc, db0, c.nb);
    t2v_conv_backward(oc->be, &c.g, gdx, gdw, gdb, ddy, c.dx_, c.dw_, c.ws);
    float *hdx = oc_fetch(oc, gdx, c.nx), *hdw = oc_fetch(oc, gdw, c.nw),
          *hdb = oc_fetch(oc, gdb, c.nb);
    /* linear in each argument: a large step is exact up to rounding */
    const double h = 0.25;
    oc_report(oc_fd_check(conv_fwd, &c, wl, c.ny, c.x, c.nx, hdx, NULL, h, 1e-4, 1e-3, 40),
              "%s backward dx vs finite differences", name);
    oc_report(oc_fd_check(conv_fwd, &c, wl, c.ny, c.w, c.nw, hdw, dw0, h, 1e-4, 1e-3, 40),
              "%s backward dw (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(conv_fwd, &c, wl, c.ny, c.b, c.nb, hdb, db0, h, 1e-4, 1e-3, 40),
              "%s backward db (accumulating) vs finite differences", name);

    /* dx NULL and db NULL: dw alone, the same numbers */
    float *gdw2 = oc_dev(oc, dw0, c.nw);
    t2v_conv_backward(oc->be, &c.g, NULL, gdw2, NULL, ddy, c.dx_, c.dw_, c.ws);
    float *hdw2 = oc_fetch(oc, gdw2, c.nw);
    double *want_dw = oc_hostd(oc, c.nw);
    for (long i = 0; i < c.nw; i++)
        want_dw[i] = hdw[i];
    oc_report(oc_compare(hdw2, want_dw, c.nw, 1e-5, 1e-5),
              "%s backward with dx = NULL, db = NULL gives the same dw", name);
    oc_finish_case(oc, name);
}

static void run_checks(oc_ctx *oc)
{
    geometry_checks();
    for (int i = 0; i < t2v_conv_shape_count; i++) {
        const t2v_conv_shape *s = &t2v_conv_shapes[i];
        t2v_conv_geom g;
        geom_from(s, &g);
        if (t2v_conv_geom_init(&g) != T2V_OK)
            continue;
        char name[200];
        conv_name(s, name, sizeof name);
        /* a conv gathers from its input; a transposed conv's columns run
         * over its input and scatter into its output volume */
        if (!s->transposed)
            vol2col_case(oc, s, &g, g.in, g.out, s->c_in, name);
        else
            vol2col_case(oc, s, &g, g.out, g.in, s->c_out, name);
    }
    for (int i = 0; i < t2v_conv_shape_count; i++)
        conv_case(oc, &t2v_conv_shapes[i]);
}

OC_TEST_MAIN(run_checks)
