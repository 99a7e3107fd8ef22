/* The glyph as planes (see glyph_planes.h). */
#include "backend/backend.h"
#include "train/stackgan/glyph_planes.h"

void t2v_glyph_planes_plan(t2v_glyph_planes *g, t2v_plan *p, int N, int C, int64_t L)
{
    g->N = N;
    g->C = C;
    g->L = L;
    size_t nl = (size_t)N * L, ncl = nl * C;
    g->x = t2v_plan_floats(p, ncl + nl);
    float **by_nl[] = {&g->alpha, &g->dp, &g->dalpha, &g->dpic};
    float **by_ncl[] = {&g->alpha_t, &g->alpha3, &g->tint_t, &g->col, &g->tmp, &g->tmp2,
                        &g->dcol};
    for (size_t i = 0; i < sizeof by_nl / sizeof by_nl[0]; i++)
        *by_nl[i] = t2v_plan_floats(p, nl);
    for (size_t i = 0; i < sizeof by_ncl / sizeof by_ncl[0]; i++)
        *by_ncl[i] = t2v_plan_floats(p, ncl);
    g->dtint = t2v_plan_floats(p, (size_t)N * C);
}

void t2v_glyph_planes_forward(t2v_glyph_planes *g, t2v_backend *be, const float *p,
                              const float *tint)
{
    const t2v_kernels *k = be->k;
    int N = g->N, C = g->C;
    int64_t L = g->L;
    k->fill(be, g->alpha, 0.5f, N * L);
    k->axpy(be, g->alpha, 0.5f, p, N * L);
    // alpha (N, L) -> (N, L, C) -> (N, C, L)
    k->tile_forward(be, g->alpha_t, g->alpha, N, (int)L, C);
    int64_t shape[3] = {N, L, C};
    int perm[3] = {0, 2, 1};
    k->permute(be, g->alpha3, g->alpha_t, 3, shape, perm);
    k->tile_forward(be, g->tint_t, tint, N, C, L);
    k->mul(be, g->col, g->alpha3, g->tint_t, N * C * L);
    k->concat_forward(be, g->x, g->col, p, N, C, 1, L);
}

void t2v_glyph_planes_backward(t2v_glyph_planes *g, t2v_backend *be, const float *dx)
{
    const t2v_kernels *k = be->k;
    int N = g->N, C = g->C;
    int64_t L = g->L;
    k->concat_backward(be, g->dcol, g->dp, dx, N, C, 1, L);
    // dtint = sum over L of dcol alpha
    k->mul(be, g->tmp, g->dcol, g->alpha3, N * C * L);
    k->fill(be, g->dtint, 0.0f, (int64_t)N * C);
    k->tile_backward(be, g->dtint, g->tmp, N, C, L);
    // dalpha = sum over C of dcol tint; dp += dalpha / 2
    k->mul(be, g->tmp, g->dcol, g->tint_t, N * C * L);
    int64_t shape[3] = {N, C, L};
    int perm[3] = {0, 2, 1};
    k->permute(be, g->tmp2, g->tmp, 3, shape, perm);
    k->fill(be, g->dalpha, 0.0f, N * L);
    k->tile_backward(be, g->dalpha, g->tmp2, N, (int)L, C);
    k->copy(be, g->dpic, g->dp, N * L);
    k->axpy(be, g->dpic, 0.5f, g->dalpha, N * L);
}
