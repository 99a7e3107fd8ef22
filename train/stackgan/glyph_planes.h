/* The glyph as planes: Stage I's glyph picture p (N, 1, L) in [-1, 1]
 * and its tint t (N, C) as the object discriminator reads them,
 *   x (N, C + 1, L) = [t_c alpha, p],  alpha = (p + 1) / 2,
 * the layout of t2v_data_object_picture (colour premultiplied by alpha,
 * then 2 alpha - 1), and the way back from a gradient of x. */
#ifndef T2V_GLYPH_PLANES_H
#define T2V_GLYPH_PLANES_H

#include "models/net.h"

typedef struct t2v_glyph_planes {
    int N, C;
    int64_t L;
    float *x;                               /* (N, C + 1, L) */
    float *alpha, *alpha_t, *alpha3, *tint_t, *col;
    float *dcol, *dp, *dalpha, *tmp, *tmp2;
    float *dpic, *dtint;                    /* (N, L), (N, C): the gradients */
} t2v_glyph_planes;

void t2v_glyph_planes_plan(t2v_glyph_planes *g, t2v_plan *p, int N, int C, int64_t L);
/* p (N, L), tint (N, C) -> g->x */
void t2v_glyph_planes_forward(t2v_glyph_planes *g, t2v_backend *be, const float *p,
                              const float *tint);
/* dx (N, C + 1, L) -> g->dpic, g->dtint (assigned), from the last forward */
void t2v_glyph_planes_backward(t2v_glyph_planes *g, t2v_backend *be, const float *dx);

#endif
