/* translate_forward / translate_backward (a picture moved along a path):
 * the forward against bilinear sampling written here in double from
 * floor(i - corner - offset), with pixels outside the picture reading the
 * fill (pictures as large as the frame, and smaller ones whose corner at
 * offset 0 is the whole pixel ((H - h) / 2, (W - w) / 2));
 * the picture's and the offsets' gradients against central differences of
 * the forward. Offsets keep their fractions inside [0.2, 0.8] so no
 * difference step crosses a whole pixel, and include moves that take part
 * of the picture, or all of it, out of the frame. */
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

static void run_checks(oc_ctx *oc)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        tr_case(oc, &shapes[i]);
}

OC_TEST_MAIN(run_checks)
