/* TGANs-C discriminators: trunks, heads, spectral normalisation. */
#include <math.h>
#include <string.h>

#include "train/tganc/disc.h"
#include "backend/backend.h"

#define LRELU 0.2f
#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

/* ---- spectrally normalised weights ------------------------------------ */

static void snw_declare(t2v_snw *s, t2v_params *ps, t2v_params *bufs, t2v_status *st,
                        const char *prefix, const char *name, int ndim, const int64_t *shape,
                        int sn)
{
    memset(s, 0, sizeof *s);
    s->w = t2v_declare(ps, st, prefix, name, ndim, shape, 0);
    s->rows = (int)shape[0];
    int64_t cols = 1;
    for (int i = 1; i < ndim; i++)
        cols *= shape[i];
    s->cols = (int)cols;
    s->u = -1;
    if (sn) {
        char un[64];
        snprintf(un, sizeof un, "%s_u", name);
        int64_t us[1] = {s->rows};
        s->u = t2v_declare(bufs, st, prefix, un, 1, us, 1);
    }
}

static void snw_plan(t2v_snw *s, t2v_plan *p)
{
    if (s->u < 0)
        return;
    size_t n = (size_t)s->rows * (size_t)s->cols;
    s->eff = t2v_plan_floats(p, n);
    s->geff = t2v_plan_floats(p, n);
    s->v = t2v_plan_floats(p, (size_t)s->cols);
    s->wv = t2v_plan_floats(p, (size_t)s->rows);
    s->scalar = t2v_plan_floats(p, 1);
}

static t2v_status snw_init(t2v_snw *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                           uint64_t seed, uint64_t stream)
{
    t2v_param *p = &ps->items[s->w];
    t2v_status st = t2v_init_normal(be, p->t.data, t2v_tensor_numel(&p->t), 0.0f, 0.02f, seed,
                                    stream);
    if (st == T2V_OK && s->u >= 0) {
        st = t2v_init_normal(be, t2v_pdata(bufs, s->u), s->rows, 0.0f, 1.0f, seed, stream + 1000);
    }
    return st;
}

static float dot_host(t2v_backend *be, const float *a, const float *b, int64_t n, float *tmp)
{
    float r = 0.0f;
    be->k->row_dot(be, tmp, a, b, 1, n, 1.0f);
    t2v_backend_download(be, &r, tmp, sizeof r);
    return r;
}

/* eff = W / sigma(W), one power iteration from the stored u. */
static t2v_status snw_refresh(t2v_snw *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                              int update_u)
{
    const t2v_kernels *k = be->k;
    if (s->u < 0) {
        s->eff = t2v_pdata(ps, s->w);
        s->geff = t2v_pgrad(ps, s->w);
        s->sigma = 1.0f;
        return T2V_OK;
    }
    const float *W = t2v_pdata(ps, s->w);
    float *u = t2v_pdata(bufs, s->u);
    int R = s->rows, C = s->cols;
    // v (C) = W^T u, normalised
    k->gemm(be, 1, 0, C, 1, R, 1.0f, W, C, u, 1, 0.0f, s->v, 1);
    float nv = sqrtf(dot_host(be, s->v, s->v, C, s->scalar));
    k->scale(be, s->v, s->v, 1.0f / (nv + 1e-12f), C);
    // wv (R) = W v; sigma = |W v|; wv becomes u_new = W v / sigma
    k->gemm(be, 0, 0, R, 1, C, 1.0f, W, C, s->v, 1, 0.0f, s->wv, 1);
    float sigma = sqrtf(dot_host(be, s->wv, s->wv, R, s->scalar));
    if (!(sigma > 1e-12f) || !isfinite(sigma))
        sigma = 1e-12f;
    s->sigma = sigma;
    k->scale(be, s->wv, s->wv, 1.0f / sigma, R);
    if (update_u)
        k->copy(be, u, s->wv, R);
    k->scale(be, s->eff, W, 1.0f / sigma, (int64_t)R * C);
    k->fill(be, s->geff, 0.0f, (int64_t)R * C);
    return T2V_OK;
}

/* dW += G / sigma - (<G, W> / sigma^2) u v^T */
static void snw_fold(t2v_snw *s, t2v_backend *be, t2v_params *ps)
{
    if (s->u < 0)
        return;
    const t2v_kernels *k = be->k;
    int R = s->rows, C = s->cols;
    const float *W = t2v_pdata(ps, s->w);
    float *dW = t2v_pgrad(ps, s->w);
    float gw = dot_host(be, s->geff, W, (int64_t)R * C, s->scalar);
    k->axpy(be, dW, 1.0f / s->sigma, s->geff, (int64_t)R * C);
    k->gemm(be, 0, 0, R, C, 1, -gw / (s->sigma * s->sigma), s->wv, 1, s->v, C, 1.0f, dW, C);
}

/* ---- trunk ------------------------------------------------------------ */

t2v_status t2v_disc_declare(t2v_disc *d, const t2v_disc_cfg *cfg, t2v_params *ps,
                            t2v_params *bufs, const char *prefix)
{
    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    t2v_status st = T2V_OK;
    if (cfg->layers < 1 || cfg->layers > T2V_DISC_MAX_LAYERS)
        return T2V_ERR_INVALID;
    int dims[3] = {cfg->frame_level ? 1 : cfg->frames, cfg->height, cfg->width};
    int cin = cfg->channels;
    for (int i = 0; i < cfg->layers; i++) {
        t2v_disc_layer *l = &d->layer[i];
        char pre[64];
        snprintf(pre, sizeof pre, "%s.l%d", prefix, i);
        int cout = cfg->width0 << i;
        l->g = (t2v_conv_geom){.n = 1, .c_in = cin, .c_out = cout};
        for (int a = 0; a < 3; a++) {
            int spatial = a > 0 || !cfg->frame_level;
            int can = dims[a] >= 2;
            l->g.in[a] = dims[a];
            l->g.k[a] = spatial && can ? 4 : 1;
            l->g.stride[a] = spatial && can ? 2 : 1;
            l->g.pad[a] = spatial && can ? 1 : 0;
        }
        if (t2v_conv_geom_init(&l->g) != T2V_OK)
            return T2V_ERR_INVALID;
        int64_t ws[5] = {cout, cin, l->g.k[0], l->g.k[1], l->g.k[2]};
        snw_declare(&l->w, ps, bufs, &st, pre, "conv.weight", 5, ws, cfg->sn);
        int64_t cs[1] = {cout};
        int use_bn = cfg->bn && i > 0;
        l->b = use_bn ? -1 : t2v_declare(ps, &st, pre, "conv.bias", 1, cs, 1);
        l->bn_g = l->bn_b = l->rm = l->rv = -1;
        if (use_bn) {
            l->bn_g = t2v_declare(ps, &st, pre, "bn.weight", 1, cs, 1);
            l->bn_b = t2v_declare(ps, &st, pre, "bn.bias", 1, cs, 1);
            l->rm = t2v_declare(bufs, &st, pre, "bn.running_mean", 1, cs, 1);
            l->rv = t2v_declare(bufs, &st, pre, "bn.running_var", 1, cs, 1);
        }
        for (int a = 0; a < 3; a++)
            dims[a] = l->g.out[a];
        cin = cout;
    }
    d->feat_c = cin;
    memcpy(d->feat_dims, dims, sizeof dims);
    d->feat_l = (int64_t)dims[0] * dims[1] * dims[2];
    return st;
}

void t2v_disc_plan(t2v_disc *d, t2v_backend *be, t2v_plan *p, int N)
{
    d->M = d->cfg.frame_level ? N * d->cfg.frames : N;
    size_t ws = 0;
    for (int i = 0; i < d->cfg.layers; i++) {
        t2v_disc_layer *l = &d->layer[i];
        l->g.n = d->M;
        size_t w = t2v_conv_ws_floats(be, &l->g);
        ws = w > ws ? w : ws;
        snw_plan(&l->w, p);
    }
    d->ws_floats = ws;
    d->ws = t2v_plan_floats(p, ws);
}

static size_t layer_out(const t2v_disc *d, int i)
{
    const t2v_conv_geom *g = &d->layer[i].g;
    return (size_t)d->M * g->c_out * g->out[0] * g->out[1] * g->out[2];
}

void t2v_trunk_plan(const t2v_disc *d, t2v_plan *p, t2v_trunk_run *r)
{
    memset(r, 0, sizeof *r);
    const t2v_disc_cfg *c = &d->cfg;
    size_t in = (size_t)d->M * c->channels * (c->frame_level ? 1 : c->frames) * c->height *
                c->width;
    r->in = c->frame_level ? t2v_plan_floats(p, in) : NULL;
    for (int i = 0; i < c->layers; i++) {
        size_t n = layer_out(d, i);
        int use_bn = d->layer[i].b < 0;
        r->act[i] = t2v_plan_floats(p, n);
        r->dact[i] = t2v_plan_grad(p, n);
        if (use_bn) {
            r->bn_x[i] = t2v_plan_floats(p, n);
            r->dbn_x[i] = t2v_plan_grad(p, n);
            r->mean[i] = t2v_plan_floats(p, (size_t)d->layer[i].g.c_out);
            r->invstd[i] = t2v_plan_floats(p, (size_t)d->layer[i].g.c_out);
        }
    }
    r->din = t2v_plan_grad(p, in);
    r->dclip = c->frame_level ? t2v_plan_grad(p, in) : NULL;
}

t2v_status t2v_disc_init(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         uint64_t seed, uint64_t stream)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < d->cfg.layers && s == T2V_OK; i++) {
        t2v_disc_layer *l = &d->layer[i];
        int C = l->g.c_out;
        s = snw_init(&l->w, be, ps, bufs, seed, stream + (uint64_t)i);
        if (s == T2V_OK && l->b >= 0)
            s = t2v_init_const(be, t2v_pdata(ps, l->b), C, 0.0f);
        if (s == T2V_OK && l->bn_g >= 0) {
            s = t2v_init_normal(be, t2v_pdata(ps, l->bn_g), C, 1.0f, 0.02f, seed,
                                stream + 50 + (uint64_t)i);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, l->bn_b), C, 0.0f);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, l->rm), C, 0.0f);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, l->rv), C, 1.0f);
        }
    }
    return s;
}

t2v_status t2v_disc_refresh(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                            int update_u)
{
    for (int i = 0; i < d->cfg.layers; i++) {
        t2v_status s = snw_refresh(&d->layer[i].w, be, ps, bufs, update_u);
        if (s != T2V_OK)
            return s;
    }
    return T2V_OK;
}

t2v_status t2v_disc_fold_grads(t2v_disc *d, t2v_backend *be, t2v_params *ps)
{
    for (int i = 0; i < d->cfg.layers; i++)
        snw_fold(&d->layer[i].w, be, ps);
    return T2V_OK;
}

void t2v_trunk_forward(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       t2v_trunk_run *r, const float *clip, int N, int training)
{
    const t2v_kernels *k = be->k;
    const t2v_disc_cfg *c = &d->cfg;
    const float *x = clip;
    if (c->frame_level) {
        // clip (N, C, T, H, W) -> in (N, T, C, H, W): every frame an item
        int64_t shape[5] = {N, c->channels, c->frames, c->height, c->width};
        int perm[5] = {0, 2, 1, 3, 4};
        k->permute(be, r->in, clip, 5, shape, perm);
        x = r->in;
    }
    r->x0 = x;
    for (int i = 0; i < c->layers; i++) {
        t2v_disc_layer *l = &d->layer[i];
        int64_t n = (int64_t)layer_out(d, i), L = n / ((int64_t)d->M * l->g.c_out);
        if (l->b >= 0) {
            t2v_conv_forward(be, &l->g, r->act[i], x, l->w.eff, t2v_pdata(ps, l->b), d->ws);
        } else {
            t2v_conv_forward(be, &l->g, r->bn_x[i], x, l->w.eff, NULL, d->ws);
            k->batchnorm_forward(be, r->act[i], r->bn_x[i], t2v_pdata(ps, l->bn_g),
                                 t2v_pdata(ps, l->bn_b), t2v_pdata(bufs, l->rm),
                                 t2v_pdata(bufs, l->rv), r->mean[i], r->invstd[i], d->M,
                                 l->g.c_out, L, BN_MOMENTUM, BN_EPS, training);
        }
        k->act_forward(be, c->act, LRELU, r->act[i], r->act[i], n);
        x = r->act[i];
    }
}

void t2v_trunk_backward(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_trunk_run *r, int N,
                        int want_dclip, int param_grads)
{
    const t2v_kernels *k = be->k;
    const t2v_disc_cfg *c = &d->cfg;
    for (int i = c->layers - 1; i >= 0; i--) {
        t2v_disc_layer *l = &d->layer[i];
        int64_t n = (int64_t)layer_out(d, i), L = n / ((int64_t)d->M * l->g.c_out);
        k->act_backward(be, c->act, LRELU, r->dact[i], r->dact[i], r->act[i], n);
        const float *dy = r->dact[i];
        if (l->b < 0) {
            k->batchnorm_backward(be, r->dbn_x[i], param_grads ? t2v_pgrad(ps, l->bn_g) : NULL,
                                  param_grads ? t2v_pgrad(ps, l->bn_b) : NULL,
                                  r->dact[i], r->bn_x[i], t2v_pdata(ps, l->bn_g), r->mean[i],
                                  r->invstd[i], d->M, l->g.c_out, L);
            dy = r->dbn_x[i];
        }
        const float *x = i > 0 ? r->act[i - 1] : r->x0;
        float *dx = i > 0 ? r->dact[i - 1] : (want_dclip ? r->din : NULL);
        float *dw = param_grads ? l->w.geff : NULL;
        float *db = param_grads && l->b >= 0 ? t2v_pgrad(ps, l->b) : NULL;
        if (dx || dw)
            t2v_conv_backward(be, &l->g, dx, dw, db, dy, x, l->w.eff, d->ws);
    }
    r->dinput = NULL;
    if (want_dclip && c->frame_level) {
        // din (N, T, C, H, W) -> clip layout (N, C, T, H, W)
        int64_t shape[5] = {N, c->frames, c->channels, c->height, c->width};
        int perm[5] = {0, 2, 1, 3, 4};
        k->permute(be, r->dclip, r->din, 5, shape, perm);
        r->dinput = r->dclip;
    } else if (want_dclip) {
        r->dinput = r->din;
    }
}

/* ---- heads ------------------------------------------------------------ */

t2v_status t2v_head_declare(t2v_head *h, t2v_head_kind kind, int C, const int dims[3], int sent,
                            int concat_dim, int sn, t2v_act act, t2v_params *ps,
                            t2v_params *bufs, const char *prefix)
{
    memset(h, 0, sizeof *h);
    h->kind = kind;
    h->C = C;
    memcpy(h->dims, dims, sizeof h->dims);
    h->L = (int64_t)dims[0] * dims[1] * dims[2];
    h->sent = sent;
    h->concat_dim = concat_dim;
    h->sn = sn;
    h->act = act;
    t2v_status st = T2V_OK;
    int64_t one[1] = {1};
    if (kind == T2V_HEAD_CONCAT) {
        int64_t fs[2] = {concat_dim, sent}, fb[1] = {concat_dim};
        snw_declare(&h->fc, ps, bufs, &st, prefix, "fc.weight", 2, fs, sn);
        h->fc_b = t2v_declare(ps, &st, prefix, "fc.bias", 1, fb, 1);
        int64_t c1[5] = {C, C + concat_dim, 1, 1, 1}, cb[1] = {C};
        snw_declare(&h->conv1, ps, bufs, &st, prefix, "conv1.weight", 5, c1, sn);
        h->conv1_b = t2v_declare(ps, &st, prefix, "conv1.bias", 1, cb, 1);
        int64_t fw[5] = {1, C, dims[0], dims[1], dims[2]};
        snw_declare(&h->fin, ps, bufs, &st, prefix, "final.weight", 5, fw, sn);
        h->fin_b = t2v_declare(ps, &st, prefix, "final.bias", 1, one, 1);
        h->g1 = (t2v_conv_geom){.n = 1, .c_in = C + concat_dim, .c_out = C};
        h->gfin = (t2v_conv_geom){.n = 1, .c_in = C, .c_out = 1};
        for (int a = 0; a < 3; a++) {
            h->g1.in[a] = dims[a];
            h->g1.k[a] = 1;
            h->g1.stride[a] = 1;
            h->gfin.in[a] = dims[a];
            h->gfin.k[a] = dims[a];
            h->gfin.stride[a] = 1;
        }
        t2v_conv_geom_init(&h->g1);
        t2v_conv_geom_init(&h->gfin);
    } else {
        int64_t lw[2] = {1, C}, pw[2] = {C, sent};
        snw_declare(&h->lin, ps, bufs, &st, prefix, "linear.weight", 2, lw, sn);
        h->lin_b = t2v_declare(ps, &st, prefix, "linear.bias", 1, one, 1);
        snw_declare(&h->proj, ps, bufs, &st, prefix, "embed.weight", 2, pw, sn);
    }
    return st;
}

void t2v_head_plan(t2v_head *h, t2v_backend *be, t2v_plan *p, int N, int per_clip,
                   size_t *ws_floats)
{
    h->per_clip = per_clip;
    h->M = N * per_clip;
    if (h->kind == T2V_HEAD_CONCAT) {
        h->g1.n = h->M;
        h->gfin.n = h->M;
        size_t w1 = t2v_conv_ws_floats(be, &h->g1), w2 = t2v_conv_ws_floats(be, &h->gfin);
        size_t w = w1 > w2 ? w1 : w2;
        if (w > *ws_floats)
            *ws_floats = w;
        snw_plan(&h->fc, p);
        snw_plan(&h->conv1, p);
        snw_plan(&h->fin, p);
    } else {
        snw_plan(&h->lin, p);
        snw_plan(&h->proj, p);
    }
}

void t2v_head_run_plan(const t2v_head *h, t2v_plan *p, int N, t2v_head_run *r)
{
    memset(r, 0, sizeof *r);
    size_t M = (size_t)h->M, C = (size_t)h->C, L = (size_t)h->L;
    size_t E = h->kind == T2V_HEAD_CONCAT ? (size_t)h->concat_dim : C;
    int spread = h->per_clip > 1;
    r->e = t2v_plan_floats(p, (size_t)N * E);
    r->et = spread ? t2v_plan_floats(p, M * E) : r->e;
    r->tmp = t2v_plan_floats(p, M * (E > C ? E : C) * L);
    r->logit = t2v_plan_floats(p, M);
    r->dlogit = t2v_plan_grad(p, M);
    r->dfeat = t2v_plan_grad(p, M * C * L);
    r->de = t2v_plan_grad(p, (size_t)N * E);
    r->det = spread ? t2v_plan_grad(p, M * E) : r->de;
    r->dS = t2v_plan_grad(p, (size_t)N * h->sent);
    if (h->kind == T2V_HEAD_CONCAT) {
        r->tiled = t2v_plan_floats(p, M * E * L);
        r->cat = t2v_plan_floats(p, M * (C + E) * L);
        r->h1 = t2v_plan_floats(p, M * C * L);
        r->dtiled = t2v_plan_grad(p, M * E * L);
        r->dcat = t2v_plan_grad(p, M * (C + E) * L);
        r->dh1 = t2v_plan_grad(p, M * C * L);
    } else {
        r->pooled = t2v_plan_floats(p, M * C);
        r->dpooled = t2v_plan_grad(p, M * C);
    }
}

t2v_status t2v_head_init(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         uint64_t seed, uint64_t stream)
{
    t2v_status s;
    if (h->kind == T2V_HEAD_CONCAT) {
        s = snw_init(&h->fc, be, ps, bufs, seed, stream);
        if (s == T2V_OK) s = snw_init(&h->conv1, be, ps, bufs, seed, stream + 1);
        if (s == T2V_OK) s = snw_init(&h->fin, be, ps, bufs, seed, stream + 2);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, h->fc_b), h->concat_dim, 0.0f);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, h->conv1_b), h->C, 0.0f);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, h->fin_b), 1, 0.0f);
    } else {
        s = snw_init(&h->lin, be, ps, bufs, seed, stream);
        if (s == T2V_OK) s = snw_init(&h->proj, be, ps, bufs, seed, stream + 1);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, h->lin_b), 1, 0.0f);
    }
    return s;
}

t2v_status t2v_head_refresh(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                            int update_u)
{
    if (h->kind == T2V_HEAD_CONCAT) {
        snw_refresh(&h->fc, be, ps, bufs, update_u);
        snw_refresh(&h->conv1, be, ps, bufs, update_u);
        return snw_refresh(&h->fin, be, ps, bufs, update_u);
    }
    snw_refresh(&h->lin, be, ps, bufs, update_u);
    return snw_refresh(&h->proj, be, ps, bufs, update_u);
}

t2v_status t2v_head_fold_grads(t2v_head *h, t2v_backend *be, t2v_params *ps)
{
    if (h->kind == T2V_HEAD_CONCAT) {
        snw_fold(&h->fc, be, ps);
        snw_fold(&h->conv1, be, ps);
        snw_fold(&h->fin, be, ps);
    } else {
        snw_fold(&h->lin, be, ps);
        snw_fold(&h->proj, be, ps);
    }
    return T2V_OK;
}

/* e (N, E) -> et (M, E): each clip's row repeated per_clip times */
static void spread(t2v_head *h, t2v_backend *be, float *et, const float *e, int N, int E,
                   float *tmp)
{
    if (h->per_clip == 1)
        return; /* et aliases e */
    // tmp (N, E, P) = tile(e); et (N, P, E) = permute(tmp)
    be->k->tile_forward(be, tmp, e, N, E, h->per_clip);
    int64_t shape[3] = {N, E, h->per_clip};
    int perm[3] = {0, 2, 1};
    be->k->permute(be, et, tmp, 3, shape, perm);
}

static void spread_backward(t2v_head *h, t2v_backend *be, float *de, const float *det, int N,
                            int E, float *tmp)
{
    if (h->per_clip == 1)
        return;
    int64_t shape[3] = {N, h->per_clip, E};
    int perm[3] = {0, 2, 1};
    be->k->permute(be, tmp, det, 3, shape, perm);
    be->k->fill(be, de, 0.0f, (int64_t)N * E);
    be->k->tile_backward(be, de, tmp, N, E, h->per_clip);
}

void t2v_head_forward(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_head_run *r,
                      const float *feat, const float *S, int N, float *ws)
{
    const t2v_kernels *k = be->k;
    int M = h->M, C = h->C;
    int64_t L = h->L;
    if (h->kind == T2V_HEAD_CONCAT) {
        int E = h->concat_dim;
        t2v_linear_forward(be, r->e, S, h->fc.eff, t2v_pdata(ps, h->fc_b), N, h->sent, E);
        k->act_forward(be, h->act, LRELU, r->e, r->e, (int64_t)N * E);
        spread(h, be, r->et, r->e, N, E, r->tmp);
        k->tile_forward(be, r->tiled, r->et, M, E, L);
        k->concat_forward(be, r->cat, feat, r->tiled, M, C, E, L);
        t2v_conv_forward(be, &h->g1, r->h1, r->cat, h->conv1.eff, t2v_pdata(ps, h->conv1_b), ws);
        k->act_forward(be, h->act, LRELU, r->h1, r->h1, (int64_t)M * C * L);
        t2v_conv_forward(be, &h->gfin, r->logit, r->h1, h->fin.eff, t2v_pdata(ps, h->fin_b), ws);
    } else {
        // pooled (M, C) = sum over the grid; logit = lin(pooled) + <P S, pooled>
        k->row_sum(be, r->pooled, feat, M * C, L, 1.0f);
        t2v_linear_forward(be, r->logit, r->pooled, h->lin.eff, t2v_pdata(ps, h->lin_b), M, C, 1);
        t2v_linear_forward(be, r->e, S, h->proj.eff, NULL, N, h->sent, C);
        spread(h, be, r->et, r->e, N, C, r->tmp);
        k->row_dot(be, r->tmp, r->et, r->pooled, M, C, 1.0f);
        k->add(be, r->logit, r->logit, r->tmp, M);
    }
}

void t2v_head_backward(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_head_run *r,
                       const float *feat, const float *S, int N, float *ws, int param_grads)
{
#define PG(x) (param_grads ? (x) : NULL)
    const t2v_kernels *k = be->k;
    int M = h->M, C = h->C;
    int64_t L = h->L;
    (void)feat; /* both heads kept what backward needs (cat, pooled) */
    if (h->kind == T2V_HEAD_CONCAT) {
        int E = h->concat_dim;
        t2v_conv_backward(be, &h->gfin, r->dh1, PG(h->fin.geff), PG(t2v_pgrad(ps, h->fin_b)), r->dlogit,
                          r->h1, h->fin.eff, ws);
        k->act_backward(be, h->act, LRELU, r->dh1, r->dh1, r->h1, (int64_t)M * C * L);
        t2v_conv_backward(be, &h->g1, r->dcat, PG(h->conv1.geff), PG(t2v_pgrad(ps, h->conv1_b)), r->dh1,
                          r->cat, h->conv1.eff, ws);
        k->concat_backward(be, r->dfeat, r->dtiled, r->dcat, M, C, E, L);
        k->fill(be, r->det, 0.0f, (int64_t)M * E);
        k->tile_backward(be, r->det, r->dtiled, M, E, L);
        spread_backward(h, be, r->de, r->det, N, E, r->tmp);
        k->act_backward(be, h->act, LRELU, r->de, r->de, r->e, (int64_t)N * E);
        t2v_linear_backward(be, r->dS, PG(h->fc.geff), PG(t2v_pgrad(ps, h->fc_b)), r->de, S, h->fc.eff, N,
                            h->sent, E);
    } else {
        // dpooled = dlogit * lin_w + dlogit * et; det = dlogit * pooled
        t2v_linear_backward(be, r->dpooled, PG(h->lin.geff), PG(t2v_pgrad(ps, h->lin_b)), r->dlogit,
                            r->pooled, h->lin.eff, M, C, 1);
        k->modulate(be, r->tmp, r->et, r->dlogit, NULL, M, 1, C);
        k->add(be, r->dpooled, r->dpooled, r->tmp, (int64_t)M * C);
        k->modulate(be, r->det, r->pooled, r->dlogit, NULL, M, 1, C);
        spread_backward(h, be, r->de, r->det, N, C, r->tmp);
        t2v_linear_backward(be, r->dS, PG(h->proj.geff), NULL, r->de, S, h->proj.eff, N, h->sent, C);
        k->tile_forward(be, r->dfeat, r->dpooled, M, C, L);
    }
}
#undef PG
