/* translate_forward / translate_backward (a picture moved along a path):
 * the forward against bilinear sampling written here in double from
 * floor(i - corner - offset), with pixels outside the picture reading the
 * fill (pictures as large as the frame, and smaller ones whose corner at
 * offset 0 is the whole pixel ((H - h) / 2, (W - w) / 2));
 * the picture's and the offsets' gradients against central differences of
 * the forward. Offsets keep their fractions inside [0.2, 0.8] so no
 * difference step crosses a whole pixel, and include moves that take part
 * of the picture, or all of it, out of the frame.
 *
 * bounce_forward / bounce_backward (the bouncing path that gives those
 * offsets): the forward against a triangle wave written in double as an
 * arcsine of a sine, the gradient against central differences away from
 * the turning points. */
#include <math.h>

#include "op_check.h"

typedef struct tr_shape {
    int N, C, T, h, w, H, W; /* picture (h, w), frame (H, W) */
    float fill;
} tr_shape;

static const tr_shape shapes[] = {
    {2, 2, 3, 5, 6, 5, 6, -1.0f},
    {3, 1, 4, 16, 12, 16, 12, 0.25f},
    {1, 3, 2, 7, 7, 7, 7, 0.0f},
    {2, 1, 3, 4, 6, 8, 10, -1.0f},
    {1, 2, 2, 3, 5, 8, 9, 0.5f},
};

typedef struct tr_ctx {
    oc_ctx *oc;
    const tr_shape *s;
    float *x, *off;     /* host */
    float *dx, *doff;   /* backend copies */
    float *y;           /* backend output */
    long nx, noff, ny;
} tr_ctx;

static void tr_fwd(void *p, float *y)
{
    tr_ctx *c = p;
    const tr_shape *s = c->s;
    oc_up(c->oc, c->dx, c->x, c->nx);
    oc_up(c->oc, c->doff, c->off, c->noff);
    c->oc->k->translate_forward(c->oc->be, c->y, c->dx, c->doff, s->N, s->C, s->T, s->h, s->w,
                                s->H, s->W, s->fill);
    oc_down(c->oc, y, c->y, c->ny);
}

static double ref_at(const float *x, int H, int W, int r, int q, double fill)
{
    return r >= 0 && r < H && q >= 0 && q < W ? x[r * W + q] : fill;
}

static void ref_translate(const tr_shape *s, const float *x, const float *off, double *y)
{
    const int h = s->h, w = s->w, cy = (s->H - h) / 2, cx = (s->W - w) / 2;
    for (int n = 0; n < s->N; n++)
        for (int c = 0; c < s->C; c++)
            for (int t = 0; t < s->T; t++) {
                const float *img = x + ((long)n * s->C + c) * h * w;
                double py0 = off[(n * s->T + t) * 2], px0 = off[(n * s->T + t) * 2 + 1];
                for (int i = 0; i < s->H; i++)
                    for (int j = 0; j < s->W; j++) {
                        /* where the pixel reads, in the picture's own rows and columns */
                        double py = i - cy - py0, px = j - cx - px0;
                        int r = (int)floor(py), q = (int)floor(px);
                        double fy = py - r, fx = px - q;
                        double v = (1 - fy) * (1 - fx) * ref_at(img, h, w, r, q, s->fill) +
                                   (1 - fy) * fx * ref_at(img, h, w, r, q + 1, s->fill) +
                                   fy * (1 - fx) * ref_at(img, h, w, r + 1, q, s->fill) +
                                   fy * fx * ref_at(img, h, w, r + 1, q + 1, s->fill);
                        y[(((long)n * s->C + c) * s->T + t) * s->H * s->W + i * s->W + j] = v;
                    }
            }
}

static void tr_case(oc_ctx *oc, const tr_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "translate (%d, %d, %d, %dx%d in %dx%d) fill %.2f", s->N, s->C,
             s->T, s->h, s->w, s->H, s->W, s->fill);
    tr_ctx c = {.oc = oc, .s = s};
    c.nx = (long)s->N * s->C * s->h * s->w;
    c.noff = (long)s->N * s->T * 2;
    c.ny = (long)s->N * s->C * s->T * s->H * s->W;
    c.x = oc_hostf(oc, c.nx);
    oc_uniform(oc, c.x, c.nx, -1.0f, 1.0f);
    /* whole parts from -(H + 2) to H + 2: some frames keep the picture, some
     * lose part of it, a few lose all of it; fractions in [0.2, 0.8] */
    c.off = oc_hostf(oc, c.noff);
    float *frac = oc_hostf(oc, c.noff), *whole = oc_hostf(oc, c.noff);
    oc_uniform(oc, frac, c.noff, 0.2f, 0.8f);
    oc_uniform(oc, whole, c.noff, -1.0f, 1.0f);
    for (long i = 0; i < c.noff; i++) {
        int side = i % 2 ? s->W : s->H;
        float w = whole[i] * (i % 7 == 3 ? side + 2.0f : side * 0.5f);
        c.off[i] = floorf(w) + frac[i];
    }
    c.dx = oc_dev(oc, c.x, c.nx);
    c.doff = oc_dev(oc, c.off, c.noff);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    ref_translate(s, c.x, c.off, want);
    oc->k->translate_forward(oc->be, c.y, c.dx, c.doff, s->N, s->C, s->T, s->h, s->w, s->H, s->W,
                             s->fill);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 1e-6, 1e-6), "%s forward", name);
    float *dy = oc_hostf(oc, c.ny);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gx = oc_alloc(oc, c.nx), *goff = oc_alloc(oc, c.noff);
    oc->k->translate_backward(oc->be, gx, goff, ddy, c.dx, c.doff, s->N, s->C, s->T, s->h, s->w,
                              s->H, s->W, s->fill);
    oc_report(oc_fd_check(tr_fwd, &c, dy, c.ny, c.x, c.nx, oc_fetch(oc, gx, c.nx), NULL, 0.5,
                          1e-4, 1e-4, 64),
              "%s backward: picture vs finite differences", name);
    oc_report(oc_fd_check(tr_fwd, &c, dy, c.ny, c.off, c.noff, oc_fetch(oc, goff, c.noff), NULL,
                          0.05, 1e-3, 1e-3, 64),
              "%s backward: offsets vs finite differences", name);
    oc_finish_case(oc, name);
}

/* ---- bounce_forward / bounce_backward: the bouncing path ---------------- */

typedef struct bn_ctx {
    oc_ctx *oc;
    int rows, T, gated, np;
    float reach, vmax;
    float *par, *dpar, *off; /* host parameters, their backend copy, backend output */
} bn_ctx;

static void bn_fwd(void *p, float *y)
{
    bn_ctx *c = p;
    oc_up(c->oc, c->dpar, c->par, (size_t)c->rows * c->np);
    c->oc->k->bounce_forward(c->oc->be, c->off, c->dpar, c->gated, c->rows, c->T, c->reach,
                             c->vmax);
    oc_down(c->oc, y, c->off, (size_t)c->rows * c->T * 2);
}

/* the triangle wave through tri(0) = 0, tri(1) = 1, tri(3) = -1, written
 * as the arcsine of a sine: a form the kernel does not use */
static double ref_tri(double u) { return asin(sin(M_PI * u / 2.0)) * 2.0 / M_PI; }

/* where a path turns back (u odd), the offset has a kink; a row whose u(t)
 * comes within `gap` of one at some frame is drawn again, so that no
 * difference step crosses a kink */
/* the gate's weight on axis a, in double (written with tanh: 2 sigmoid(x)
 * = 1 + tanh(x / 2)) */
static double ref_gate(const float *par, int gated, int a)
{
    if (!gated)
        return 1.0;
    double down = 1.0 + tanh(0.5 * par[4]);
    return a == 0 ? down : 2.0 - down;
}

static int near_kink(const float *par, int gated, int T, float vmax, double gap)
{
    for (int a = 0; a < 2; a++)
        for (int t = 0; t < T; t++) {
            double u = 2.0 * tanh(par[a]) + vmax * tanh(par[2 + a]) * ref_gate(par, gated, a) * t;
            double d = fabs(u - (2.0 * floor((u - 1.0) / 2.0 + 0.5) + 1.0));
            if (d < gap)
                return 1;
        }
    return 0;
}

static void bn_case(oc_ctx *oc, int gated, int rows, int T, float reach, float vmax)
{
    char name[96];
    snprintf(name, sizeof name, "bounce%s (%d paths, %d frames, reach %g, vmax %g)",
             gated ? " with axis gate" : "", rows, T, (double)reach, (double)vmax);
    int P = gated ? 5 : 4;
    bn_ctx c = {.oc = oc, .rows = rows, .T = T, .gated = gated, .np = P, .reach = reach,
                .vmax = vmax};
    long np = (long)rows * P, no = (long)rows * T * 2;
    c.par = oc_hostf(oc, np);
    for (int r = 0; r < rows; r++) { /* phases, speeds (and gates) over every start and direction */
        int tries = 0;
        do
            oc_uniform(oc, c.par + r * P, P, -2.5f, 2.5f);
        while (near_kink(c.par + r * P, gated, T, vmax, 0.02) && ++tries < 1000);
    }
    double *want = oc_hostd(oc, no);
    for (int r = 0; r < rows; r++)
        for (int t = 0; t < T; t++)
            for (int a = 0; a < 2; a++) {
                const float *p = c.par + r * P;
                double u = 2.0 * tanh(p[a]) + vmax * tanh(p[2 + a]) * ref_gate(p, gated, a) * t;
                want[((long)r * T + t) * 2 + a] = reach * ref_tri(u);
            }
    c.dpar = oc_dev(oc, c.par, np);
    c.off = oc_alloc(oc, no);
    oc->k->bounce_forward(oc->be, c.off, c.dpar, gated, rows, T, reach, vmax);
    oc_report(oc_compare(oc_fetch(oc, c.off, no), want, no, 1e-5 * reach, 1e-5), "%s forward",
              name);
    /* a path never leaves its reach, and one with no speed stands still */
    const float *got = oc_fetch(oc, c.off, no);
    int inside = 1;
    for (long i = 0; i < no; i++)
        inside &= fabsf(got[i]) <= reach * (1.0f + 1e-6f);
    t2v_test_report(inside, "%s stays within +-reach", name);
    float *doff = oc_hostf(oc, no);
    oc_uniform(oc, doff, no, -1.0f, 1.0f);
    float *gpar = oc_alloc(oc, np), *ddoff = oc_dev(oc, doff, no);
    oc->k->bounce_backward(oc->be, gpar, ddoff, c.dpar, gated, rows, T, reach, vmax, 0.0f);
    oc_report(oc_fd_check(bn_fwd, &c, doff, no, c.par, np, oc_fetch(oc, gpar, np), NULL, 1e-3,
                          1e-3, 1e-3, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

/* a path with zero speed holds its start in every frame, and the phase 0
 * starts in the middle */
static void bn_still(oc_ctx *oc)
{
    float par[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.3f, -0.7f, 0.0f, 0.0f};
    int T = 6;
    float *d = oc_dev(oc, par, 8), *off = oc_alloc(oc, 2 * T * 2);
    oc->k->bounce_forward(oc->be, off, d, 0, 2, T, 16.0f, 1.0f);
    const float *got = oc_fetch(oc, off, 2 * T * 2);
    int still = 1;
    for (int t = 0; t < T; t++) {
        still &= got[t * 2] == 0.0f && got[t * 2 + 1] == 0.0f;
        still &= fabs(got[(T + t) * 2] - 16.0 * ref_tri(2.0 * tanh(0.3))) < 1e-4 &&
                 fabs(got[(T + t) * 2 + 1] - 16.0 * ref_tri(2.0 * tanh(-0.7))) < 1e-4;
    }
    t2v_test_report(still, "bounce: no speed, no motion (phase 0 in the middle)");
    oc_finish_case(oc, "bounce still");
}

/* the axis gate: at logit 0 the path is the ungated one, bit for bit; a
 * saturated gate holds the other axis at its start in every frame */
static void bn_gate(oc_ctx *oc)
{
    int T = 9;
    float plain[4] = {0.4f, -1.1f, 0.8f, -0.6f};
    float gated[15] = {0.4f, -1.1f, 0.8f, -0.6f, 0.0f,  /* logit 0 */
                       0.4f, -1.1f, 0.8f, -0.6f, 30.0f, /* down only */
                       0.4f, -1.1f, 0.8f, -0.6f, -30.0f};
    float *dp = oc_dev(oc, plain, 4), *dg = oc_dev(oc, gated, 15);
    float *op = oc_alloc(oc, T * 2), *og = oc_alloc(oc, 3 * T * 2);
    oc->k->bounce_forward(oc->be, op, dp, 0, 1, T, 16.0f, 1.0f);
    oc->k->bounce_forward(oc->be, og, dg, 1, 3, T, 16.0f, 1.0f);
    const float *a = oc_fetch(oc, op, T * 2), *b = oc_fetch(oc, og, 3 * T * 2);
    t2v_test_report(memcmp(a, b, (size_t)T * 2 * sizeof *a) == 0,
                    "bounce with axis gate: logit 0 gives the ungated path exactly");
    int down = 1, right = 1, moves = 0;
    for (int t = 0; t < T; t++) {
        down &= b[(T + t) * 2 + 1] == b[T * 2 + 1];      /* right offset held */
        right &= b[(2 * T + t) * 2] == b[2 * T * 2];     /* down offset held */
        moves |= b[(T + t) * 2] != b[T * 2] && b[(2 * T + t) * 2 + 1] != b[2 * T * 2 + 1];
    }
    t2v_test_report(down && right && moves,
                    "bounce with axis gate: a saturated gate moves the picture along one axis");
    /* sharpening: with no gradient from the offsets, the gate's gradient is
     * sharpen x d/da 4 s (1 - s), against central differences in double;
     * the other four are 0 */
    float logits[4] = {-2.0f, -0.3f, 0.0f, 1.1f}, par[20], sh = 0.7f;
    for (int r = 0; r < 4; r++) {
        memcpy(par + r * 5, gated, 4 * sizeof *par);
        par[r * 5 + 4] = logits[r];
    }
    float *dpar = oc_dev(oc, par, 20), *zero = oc_alloc(oc, 4 * T * 2), *g = oc_alloc(oc, 20);
    oc->k->fill(oc->be, zero, 0.0f, 4 * T * 2);
    oc->k->bounce_backward(oc->be, g, zero, dpar, 1, 4, T, 16.0f, 1.0f, sh);
    const float *got = oc_fetch(oc, g, 20);
    double worst = 0.0;
    int others = 1;
    for (int r = 0; r < 4; r++) {
        double h = 1e-4, a = logits[r];
        double sp = 1.0 / (1.0 + exp(-(a + h))), sm = 1.0 / (1.0 + exp(-(a - h)));
        double want = sh * (4.0 * sp * (1.0 - sp) - 4.0 * sm * (1.0 - sm)) / (2.0 * h);
        worst = fmax(worst, fabs(got[r * 5 + 4] - want));
        for (int j = 0; j < 4; j++)
            others &= got[r * 5 + j] == 0.0f;
    }
    t2v_test_report(worst < 1e-5 && others, "bounce with axis gate: the sharpening term's "
                    "gradient against central differences (max error %.2g)", worst);
    oc_finish_case(oc, "bounce gate");
}

static void run_checks(oc_ctx *oc)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        tr_case(oc, &shapes[i]);
    bn_case(oc, 0, 3, 16, 16.0f, 1.0f);
    bn_case(oc, 0, 5, 7, 2.5f, 0.4f);
    bn_case(oc, 0, 1, 64, 8.0f, 1.0f);
    bn_case(oc, 1, 4, 16, 16.0f, 1.0f);
    bn_case(oc, 1, 3, 9, 4.0f, 0.5f);
    bn_still(oc);
    bn_gate(oc);
}

OC_TEST_MAIN(run_checks)
