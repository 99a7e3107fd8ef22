/* StackGAN generators: Conditioning Augmentation, Stage I and Stage II. */
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "models/stackgan.h"

#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f
#define LRELU 0.2f

/* v = m 2^k for some k >= 0 */
static int pow2_times(int v, int m)
{
    if (v < m || v % m)
        return 0;
    v /= m;
    return (v & (v - 1)) == 0;
}

t2v_status t2v_stackgan_check(t2v_stackgan_cfg *c)
{
    int pow2 = c->size1 >= 16 && c->size1 <= 256 && (c->size1 & (c->size1 - 1)) == 0;
    if (c->z_dim < 1 || c->z_dim > 4096 || c->c_dim < 1 || c->c_dim > 4096 || c->gf < 1 ||
        c->gf > 4096 || !pow2 || c->gf2 < 1 || c->gf2 > 4096 || c->n_res2 < 0 ||
        c->n_res2 > 8 || c->layered < 0 || c->layered > 2 || (c->channels != 1 && c->channels != 3) || c->act < T2V_ACT_RELU ||
        c->act > T2V_ACT_SIGMOID || c->ca_act < T2V_ACT_NONE || c->ca_act > T2V_ACT_SIGMOID ||
        c->text.sent < 1)
        return t2v_fail(T2V_ERR_INVALID,
                        "bad StackGAN sizes (z %d, c %d, gf %d, size %d, gf2 %d, res %d, "
                        "channels %d, layered %d)", c->z_dim, c->c_dim, c->gf, c->size1, c->gf2,
                        c->n_res2, c->channels, c->layered);
    if (c->tint_sent < 0 || c->tint_sent > 1 || (c->tint_sent && c->layered != 2))
        return t2v_fail(T2V_ERR_INVALID, "StackGAN tint_sent %d: 0, or 1 with the glyph "
                        "Stage I (layered 2)", c->tint_sent);
    if (c->bg_flat < 0 || c->bg_flat > 1 || (c->bg_flat && c->layered != 2))
        return t2v_fail(T2V_ERR_INVALID, "StackGAN bg_flat %d: 0, or 1 with the glyph Stage I "
                        "(layered 2)", c->bg_flat);
    if (c->tint_words < 0 || c->tint_words > 1 || (c->tint_words && c->layered != 2))
        return t2v_fail(T2V_ERR_INVALID, "StackGAN tint_words %d: 0, or 1 with the glyph "
                        "Stage I (layered 2)", c->tint_words);
    if (c->s2_residual < 0 || c->s2_residual > 1)
        return t2v_fail(T2V_ERR_INVALID, "StackGAN s2_residual %d: 0 or 1", c->s2_residual);
    if (c->s2_bg < 0 || c->s2_bg > 1 || (c->s2_bg && (!c->s2_residual || !c->layered)))
        return t2v_fail(T2V_ERR_INVALID, "StackGAN s2_bg %d: 0, or 1 with the residual Stage "
                        "II (s2_residual 1) over a layered Stage I (its alpha is the matte)",
                        c->s2_bg);
    int side = c->layer_side;
    if (side < 0 || (side && (!c->layered || side > c->size1 ||
                              !(pow2_times(side, 3) || pow2_times(side, 4)))))
        return t2v_fail(T2V_ERR_INVALID, "StackGAN object picture side %d: 0, or with the "
                        "layered Stage I 3 or 4 times a power of 2 up to the Stage-I size %d",
                        side, c->size1);
    c->size2 = 4 * c->size1;
    return T2V_OK;
}

/* ---- Conditioning Augmentation ------------------------------------------ */

t2v_status t2v_sg_ca_declare(t2v_sg_ca *ca, int sent, int c, t2v_act act, t2v_params *ps,
                             const char *prefix)
{
    memset(ca, 0, sizeof *ca);
    ca->sent = sent;
    ca->c = c;
    ca->act = act;
    t2v_status st = T2V_OK;
    int64_t ws[2] = {c, sent}, bs[1] = {c};
    ca->w_mu = t2v_declare(ps, &st, prefix, "mu.weight", 2, ws, 0);
    ca->b_mu = t2v_declare(ps, &st, prefix, "mu.bias", 1, bs, 1);
    ca->w_lv = t2v_declare(ps, &st, prefix, "logvar.weight", 2, ws, 0);
    ca->b_lv = t2v_declare(ps, &st, prefix, "logvar.bias", 1, bs, 1);
    return st;
}

void t2v_sg_ca_plan(t2v_sg_ca *ca, t2v_plan *p)
{
    size_t n = (size_t)p->N * ca->c;
    ca->N = p->N;
    ca->mu = t2v_plan_floats(p, n);
    ca->logvar = t2v_plan_floats(p, n);
    ca->eps = t2v_plan_floats(p, n);
    ca->sigma = t2v_plan_floats(p, n);
    ca->half = t2v_plan_floats(p, n);
    ca->c_hat = t2v_plan_floats(p, n);
    ca->kl = t2v_plan_grad(p, n);
    ca->dmu_kl = t2v_plan_grad(p, n);
    ca->dlv_kl = t2v_plan_grad(p, n);
    ca->dc = t2v_plan_grad(p, n);
    ca->dmu = t2v_plan_grad(p, n);
    ca->dlv = t2v_plan_grad(p, n);
    ca->dS = t2v_plan_grad(p, (size_t)p->N * ca->sent);
    ca->dS_tmp = t2v_plan_grad(p, (size_t)p->N * ca->sent);
}

t2v_status t2v_sg_ca_init(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, uint64_t seed,
                          uint64_t stream)
{
    int64_t nw = (int64_t)ca->c * ca->sent;
    t2v_status s = t2v_init_normal(be, t2v_pdata(ps, ca->w_mu), nw, 0.0f, 0.02f, seed, stream);
    if (s == T2V_OK)
        s = t2v_init_normal(be, t2v_pdata(ps, ca->w_lv), nw, 0.0f, 0.02f, seed, stream + 1);
    if (s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(ps, ca->b_mu), ca->c, 0.0f);
    if (s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(ps, ca->b_lv), ca->c, 0.0f);
    return s;
}

void t2v_sg_ca_forward(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, const float *S)
{
    const t2v_kernels *k = be->k;
    int N = ca->N, c = ca->c;
    int64_t n = (int64_t)N * c;
    t2v_linear_forward(be, ca->mu, S, t2v_pdata(ps, ca->w_mu), t2v_pdata(ps, ca->b_mu), N,
                       ca->sent, c);
    t2v_linear_forward(be, ca->logvar, S, t2v_pdata(ps, ca->w_lv), t2v_pdata(ps, ca->b_lv), N,
                       ca->sent, c);
    if (ca->act != T2V_ACT_NONE) {
        k->act_forward(be, ca->act, LRELU, ca->mu, ca->mu, n);
        k->act_forward(be, ca->act, LRELU, ca->logvar, ca->logvar, n);
    }
    /* sigma = exp(logvar / 2). The kernel table has no exp; the KL kernel's
     * logvar gradient at x = logvar / 2 (scale 2) is exp(x) - 1. */
    k->scale(be, ca->half, ca->logvar, 0.5f, n);
    k->kl_normal(be, ca->c_hat, NULL, ca->sigma, ca->mu, ca->half, n, 2.0f);
    k->fill(be, ca->c_hat, 1.0f, n);
    k->add(be, ca->sigma, ca->sigma, ca->c_hat, n);
    // c_hat = mu + sigma * eps
    k->mul(be, ca->c_hat, ca->sigma, ca->eps, n);
    k->add(be, ca->c_hat, ca->c_hat, ca->mu, n);
}

void t2v_sg_ca_kl(t2v_sg_ca *ca, t2v_backend *be, float scale)
{
    be->k->kl_normal(be, ca->kl, ca->dmu_kl, ca->dlv_kl, ca->mu, ca->logvar,
                     (int64_t)ca->N * ca->c, scale);
}

void t2v_sg_ca_backward(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, const float *S,
                        int with_kl)
{
    const t2v_kernels *k = be->k;
    int N = ca->N, c = ca->c;
    int64_t n = (int64_t)N * c;
    // dmu = dc; dlogvar = dc * eps * sigma / 2
    k->copy(be, ca->dmu, ca->dc, n);
    k->mul(be, ca->dlv, ca->dc, ca->eps, n);
    k->mul(be, ca->dlv, ca->dlv, ca->sigma, n);
    k->scale(be, ca->dlv, ca->dlv, 0.5f, n);
    if (with_kl) {
        k->add(be, ca->dmu, ca->dmu, ca->dmu_kl, n);
        k->add(be, ca->dlv, ca->dlv, ca->dlv_kl, n);
    }
    if (ca->act != T2V_ACT_NONE) {
        k->act_backward(be, ca->act, LRELU, ca->dmu, ca->dmu, ca->mu, n);
        k->act_backward(be, ca->act, LRELU, ca->dlv, ca->dlv, ca->logvar, n);
    }
    t2v_linear_backward(be, ca->dS, t2v_pgrad(ps, ca->w_mu), t2v_pgrad(ps, ca->b_mu), ca->dmu, S,
                        t2v_pdata(ps, ca->w_mu), N, ca->sent, c);
    t2v_linear_backward(be, ca->dS_tmp, t2v_pgrad(ps, ca->w_lv), t2v_pgrad(ps, ca->b_lv), ca->dlv,
                        S, t2v_pdata(ps, ca->w_lv), N, ca->sent, c);
    k->add(be, ca->dS, ca->dS, ca->dS_tmp, (int64_t)N * ca->sent);
}

/* ---- chains -------------------------------------------------------------- */

typedef struct chain_builder {
    t2v_sg_chain *ch;
    t2v_params *ps, *bufs;
    t2v_status st;
    const char *prefix;
    int C, H, W;            /* the running output shape */
} chain_builder;

static t2v_sg_node *push(chain_builder *b, t2v_sg_kind kind)
{
    if (b->ch->n >= T2V_SG_MAX_NODES) {
        if (b->st == T2V_OK)
            b->st = t2v_fail(T2V_ERR_INVALID, "StackGAN network has too many layers");
        return NULL;
    }
    t2v_sg_node *nd = &b->ch->node[b->ch->n++];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->Cin = b->C;
    nd->Hin = b->H;
    nd->Win = b->W;
    nd->w = nd->b = nd->bn_g = nd->bn_b = nd->rm = nd->rv = nd->skip = -1;
    return nd;
}

/* A BN node's statistics: groups per item and values per group. */
static int bn_groups(const t2v_sg_node *nd) { return nd->unit ? nd->C * nd->H * nd->W : nd->C; }
static int64_t bn_len(const t2v_sg_node *nd) { return nd->unit ? 1 : (int64_t)nd->H * nd->W; }

static void declare_bn(chain_builder *b, t2v_sg_node *nd, const char *name)
{
    char n1[80];
    int64_t cs[1] = {bn_groups(nd)};
    snprintf(n1, sizeof n1, "%s.bn.weight", name);
    nd->bn_g = t2v_declare(b->ps, &b->st, b->prefix, n1, 1, cs, 1);
    snprintf(n1, sizeof n1, "%s.bn.bias", name);
    nd->bn_b = t2v_declare(b->ps, &b->st, b->prefix, n1, 1, cs, 1);
    snprintf(n1, sizeof n1, "%s.bn.running_mean", name);
    nd->rm = t2v_declare(b->bufs, &b->st, b->prefix, n1, 1, cs, 1);
    snprintf(n1, sizeof n1, "%s.bn.running_var", name);
    nd->rv = t2v_declare(b->bufs, &b->st, b->prefix, n1, 1, cs, 1);
}

/* FC from the chain input (K per sample) to (C, H, W), BN (per unit when
 * unit), act. */
static void add_fc(chain_builder *b, const char *name, int C, int H, int W, int unit,
                   t2v_act act)
{
    t2v_sg_node *nd = push(b, T2V_SG_FC);
    if (!nd)
        return;
    nd->C = C;
    nd->H = H;
    nd->W = W;
    nd->bn = 1;
    nd->unit = unit;
    nd->act = act;
    char n1[80];
    snprintf(n1, sizeof n1, "%s.weight", name);
    int64_t ws[2] = {(int64_t)C * H * W, b->ch->in_numel};
    nd->w = t2v_declare(b->ps, &b->st, b->prefix, n1, 2, ws, 0);
    declare_bn(b, nd, name);
    b->C = C;
    b->H = H;
    b->W = W;
}

/* k x k conv (stride s, pad p) to C channels; BN (no bias) or bias. */
static void add_conv(chain_builder *b, const char *name, int C, int k, int s, int pad, int bn,
                     t2v_act act, t2v_sg_kind kind)
{
    t2v_sg_node *nd = push(b, kind);
    if (!nd)
        return;
    nd->g = (t2v_conv_geom){.n = 1, .c_in = b->C, .c_out = C, .in = {1, b->H, b->W},
                            .k = {1, k, k}, .stride = {1, s, s}, .pad = {0, pad, pad}};
    if (t2v_conv_geom_init(&nd->g) != T2V_OK) {
        if (b->st == T2V_OK)
            b->st = t2v_fail(T2V_ERR_INVALID, "StackGAN layer %s.%s has impossible sizes",
                             b->prefix, name);
        return;
    }
    nd->C = C;
    nd->H = nd->g.out[1];
    nd->W = nd->g.out[2];
    nd->bn = bn;
    nd->act = act;
    char n1[80];
    snprintf(n1, sizeof n1, "%s.weight", name);
    int64_t ws[5] = {C, b->C, 1, k, k}, cs[1] = {C};
    nd->w = t2v_declare(b->ps, &b->st, b->prefix, n1, 5, ws, 0);
    if (bn) {
        declare_bn(b, nd, name);
    } else {
        snprintf(n1, sizeof n1, "%s.bias", name);
        nd->b = t2v_declare(b->ps, &b->st, b->prefix, n1, 1, cs, 1);
    }
    b->C = C;
    b->H = nd->H;
    b->W = nd->W;
}

static void add_up(chain_builder *b)
{
    t2v_sg_node *nd = push(b, T2V_SG_UP);
    if (!nd)
        return;
    nd->C = b->C;
    nd->H = b->H * 2;
    nd->W = b->W * 2;
    b->H = nd->H;
    b->W = nd->W;
}

/* concat(in, something of C channels at the chain's size): a JOIN's tiled
 * condition vector, an IMAGE node's ch->image */
static void add_concat(chain_builder *b, t2v_sg_kind kind, int C)
{
    t2v_sg_node *nd = push(b, kind);
    if (!nd)
        return;
    if (kind == T2V_SG_JOIN)
        b->ch->cond_c = C;
    else
        b->ch->image_c = C;
    nd->C = b->C + C;
    nd->H = b->H;
    nd->W = b->W;
    b->C = nd->C;
}

/* The residual block of the official code: 1x1 (c/4), 3x3 (c/4), 3x3 (c)
 * when bottleneck, else 3x3 (c), 3x3 (c); BN after each; add; act. */
static void add_residual(chain_builder *b, const char *name, int bottleneck, t2v_act act)
{
    int skip = b->ch->n - 1, C = b->C;
    char n1[80];
    if (bottleneck) {
        int q = C / 4 > 0 ? C / 4 : 1;
        snprintf(n1, sizeof n1, "%s.c1", name);
        add_conv(b, n1, q, 1, 1, 0, 1, act, T2V_SG_CONV);
        snprintf(n1, sizeof n1, "%s.c2", name);
        add_conv(b, n1, q, 3, 1, 1, 1, act, T2V_SG_CONV);
        snprintf(n1, sizeof n1, "%s.c3", name);
        add_conv(b, n1, C, 3, 1, 1, 1, T2V_ACT_NONE, T2V_SG_CONV);
    } else {
        snprintf(n1, sizeof n1, "%s.c1", name);
        add_conv(b, n1, C, 3, 1, 1, 1, act, T2V_SG_CONV);
        snprintf(n1, sizeof n1, "%s.c2", name);
        add_conv(b, n1, C, 3, 1, 1, 1, T2V_ACT_NONE, T2V_SG_CONV);
    }
    t2v_sg_node *nd = push(b, T2V_SG_ADD);
    if (!nd)
        return;
    nd->C = C;
    nd->H = b->H;
    nd->W = b->W;
    nd->act = act;
    nd->skip = skip;
}

static size_t node_numel(const t2v_sg_node *nd) { return (size_t)nd->C * nd->H * nd->W; }

static void chain_plan(t2v_sg_chain *ch, t2v_backend *be, t2v_plan *p)
{
    size_t N = (size_t)p->N, ws = 0;
    ch->N = p->N;
    for (int i = 0; i < ch->n; i++) {
        t2v_sg_node *nd = &ch->node[i];
        size_t n = N * node_numel(nd);
        if (nd->kind == T2V_SG_CONV || nd->kind == T2V_SG_OUT) {
            nd->g.n = p->N;
            size_t w = t2v_conv_ws_floats(be, &nd->g);
            ws = w > ws ? w : ws;
        }
        int has_pre = nd->kind != T2V_SG_UP;
        nd->pre = has_pre ? t2v_plan_floats(p, n) : NULL;
        nd->out = t2v_plan_floats(p, n);
        nd->mean = nd->bn ? t2v_plan_floats(p, (size_t)bn_groups(nd)) : NULL;
        nd->invstd = nd->bn ? t2v_plan_floats(p, (size_t)bn_groups(nd)) : NULL;
        nd->dpre = has_pre ? t2v_plan_grad(p, n) : NULL;
        nd->dout = t2v_plan_grad(p, n);
    }
    ch->ws = t2v_plan_floats(p, ws);
    ch->dx = t2v_plan_grad(p, N * (size_t)ch->in_numel);
    ch->dcond = ch->cond_c ? t2v_plan_grad(p, N * (size_t)ch->cond_c) : NULL;
}

static t2v_status chain_init(t2v_sg_chain *ch, t2v_backend *be, t2v_params *ps,
                             t2v_params *bufs, uint64_t seed, uint64_t stream)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < ch->n && s == T2V_OK; i++) {
        t2v_sg_node *nd = &ch->node[i];
        if (nd->w >= 0) {
            t2v_param *w = &ps->items[nd->w];
            s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed,
                                stream + 2 * (uint64_t)i);
        }
        if (s == T2V_OK && nd->b >= 0)
            s = t2v_init_const(be, t2v_pdata(ps, nd->b), nd->C, 0.0f);
        if (s == T2V_OK && nd->bn) {
            s = t2v_init_normal(be, t2v_pdata(ps, nd->bn_g), bn_groups(nd), 1.0f, 0.02f, seed,
                                stream + 2 * (uint64_t)i + 1);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, nd->bn_b), bn_groups(nd), 0.0f);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, nd->rm), bn_groups(nd), 0.0f);
            if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, nd->rv), bn_groups(nd), 1.0f);
        }
    }
    return s;
}

/* x (N, in_numel), cond (N, cond_c) for a JOIN -> last node's out. */
static void chain_forward(t2v_sg_chain *ch, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                          const float *x, const float *cond, int training)
{
    const t2v_kernels *k = be->k;
    int N = ch->N;
    ch->x = x;
    for (int i = 0; i < ch->n; i++) {
        t2v_sg_node *nd = &ch->node[i];
        const float *in = i ? ch->node[i - 1].out : x;
        int64_t L = (int64_t)nd->H * nd->W, n = (int64_t)N * nd->C * L;
        switch (nd->kind) {
        case T2V_SG_FC:
            t2v_linear_forward(be, nd->pre, in, t2v_pdata(ps, nd->w), NULL, N, (int)ch->in_numel,
                               (int)(nd->C * L));
            break;
        case T2V_SG_CONV:
        case T2V_SG_OUT:
            t2v_conv_forward(be, &nd->g, nd->pre, in, t2v_pdata(ps, nd->w),
                             nd->b >= 0 ? t2v_pdata(ps, nd->b) : NULL, ch->ws);
            break;
        case T2V_SG_UP:
            k->upsample2_forward(be, nd->out, in, N * nd->Cin, 1, nd->Hin, nd->Win, 2);
            continue;
        case T2V_SG_ADD:
            k->add(be, nd->pre, in, ch->node[nd->skip].out, n);
            k->act_forward(be, nd->act, LRELU, nd->out, nd->pre, n);
            continue;
        case T2V_SG_JOIN:
            // pre holds the tiled condition (N, cond_c, L); out = [in, tiled]
            k->tile_forward(be, nd->pre, cond, N, ch->cond_c, L);
            k->concat_forward(be, nd->out, in, nd->pre, N, nd->Cin, ch->cond_c, L);
            continue;
        case T2V_SG_IMAGE:
            k->concat_forward(be, nd->out, in, ch->image, N, nd->Cin, ch->image_c, L);
            continue;
        }
        if (nd->kind == T2V_SG_OUT) {
            k->act_forward(be, T2V_ACT_TANH, 0.0f, nd->out, nd->pre, n);
            continue;
        }
        if (nd->bn)
            k->batchnorm_forward(be, nd->out, nd->pre, t2v_pdata(ps, nd->bn_g),
                                 t2v_pdata(ps, nd->bn_b), t2v_pdata(bufs, nd->rm),
                                 t2v_pdata(bufs, nd->rv), nd->mean, nd->invstd, N,
                                 bn_groups(nd), bn_len(nd), ch->bn_momentum, BN_EPS, training);
        else
            k->copy(be, nd->out, nd->pre, n);
        if (nd->act != T2V_ACT_NONE)
            k->act_forward(be, nd->act, LRELU, nd->out, nd->out, n);
    }
}

/* The last node's dout in; fills ch->dx when want_dx and ch->dcond for a
 * JOIN; parameter gradients accumulate. */
static void chain_backward(t2v_sg_chain *ch, t2v_backend *be, t2v_params *ps, int want_dx)
{
    const t2v_kernels *k = be->k;
    int N = ch->N;
    for (int i = ch->n - 1; i >= 0; i--) {
        t2v_sg_node *nd = &ch->node[i];
        int64_t L = (int64_t)nd->H * nd->W, n = (int64_t)N * nd->C * L;
        /* the skip connections of residual blocks that start here */
        for (int j = i + 1; j < ch->n; j++)
            if (ch->node[j].kind == T2V_SG_ADD && ch->node[j].skip == i)
                k->add(be, nd->dout, nd->dout, ch->node[j].dpre, n);
        const float *in = i ? ch->node[i - 1].out : ch->x;
        float *din = i ? ch->node[i - 1].dout : (want_dx ? ch->dx : NULL);
        switch (nd->kind) {
        case T2V_SG_UP:
            if (din)
                k->upsample2_backward(be, din, nd->dout, N * nd->Cin, 1, nd->Hin, nd->Win, 2);
            continue;
        case T2V_SG_ADD:
            k->act_backward(be, nd->act, LRELU, nd->dpre, nd->dout, nd->out, n);
            if (din)
                k->copy(be, din, nd->dpre, n);
            continue;
        case T2V_SG_JOIN:
            k->concat_backward(be, din, nd->dpre, nd->dout, N, nd->Cin, ch->cond_c, L);
            k->fill(be, ch->dcond, 0.0f, (int64_t)N * ch->cond_c);
            k->tile_backward(be, ch->dcond, nd->dpre, N, ch->cond_c, L);
            continue;
        case T2V_SG_IMAGE: /* the image's share (into dpre) is dropped */
            k->concat_backward(be, din, nd->dpre, nd->dout, N, nd->Cin, ch->image_c, L);
            continue;
        default:
            break;
        }
        if (nd->kind == T2V_SG_OUT)
            k->act_backward(be, T2V_ACT_TANH, 0.0f, nd->dout, nd->dout, nd->out, n);
        else if (nd->act != T2V_ACT_NONE)
            k->act_backward(be, nd->act, LRELU, nd->dout, nd->dout, nd->out, n);
        const float *dy = nd->dout;
        if (nd->bn) {
            k->batchnorm_backward(be, nd->dpre, t2v_pgrad(ps, nd->bn_g), t2v_pgrad(ps, nd->bn_b),
                                  nd->dout, nd->pre, t2v_pdata(ps, nd->bn_g), nd->mean,
                                  nd->invstd, N, bn_groups(nd), bn_len(nd));
            dy = nd->dpre;
        }
        if (nd->kind == T2V_SG_FC)
            t2v_linear_backward(be, din, t2v_pgrad(ps, nd->w), NULL, dy, in, t2v_pdata(ps, nd->w),
                                N, (int)ch->in_numel, (int)(nd->C * L));
        else
            t2v_conv_backward(be, &nd->g, din, t2v_pgrad(ps, nd->w),
                              nd->b >= 0 ? t2v_pgrad(ps, nd->b) : NULL, dy, in,
                              t2v_pdata(ps, nd->w), ch->ws);
    }
}

static const t2v_sg_node *chain_last(const t2v_sg_chain *ch) { return &ch->node[ch->n - 1]; }

/* ---- Stage I ------------------------------------------------------------- */

static int halve(int c, int times)
{
    int v = c >> times;
    return v > 0 ? v : 1;
}

/* Stage I's generator chain: concat(c, z) -> FC -> 4x4 (3x3 for a side of
 * 3 times a power of 2) ... -> (C, side, side), tanh; the background and
 * the object picture have this shape. */
static t2v_status stage1_chain(t2v_sg_chain *ch, const t2v_stackgan_cfg *c, int64_t in_numel,
                               int channels, int out_side, t2v_params *ps, t2v_params *bufs,
                               const char *prefix)
{
    ch->in_numel = in_numel;
    ch->bn_momentum = BN_MOMENTUM;
    chain_builder b = {.ch = ch, .ps = ps, .bufs = bufs, .st = T2V_OK, .prefix = prefix};
    int c0 = 8 * c->gf, s0 = out_side % 3 == 0 ? 3 : 4;
    add_fc(&b, "fc", c0, s0, s0, c->unit_norm0, c->act);
    if (c->res1)
        add_residual(&b, "res4", 1, c->act);
    int ups = 0;
    char name[32];
    for (int side = s0; side < out_side; side *= 2, ups++) {
        add_up(&b);
        snprintf(name, sizeof name, "up%d", ups);
        add_conv(&b, name, halve(c0, ups + 1), 3, 1, 1, 1, c->act, T2V_SG_CONV);
        if (c->res1 && ups == 0)
            add_residual(&b, "res8", 1, c->act);
    }
    add_conv(&b, "out", channels, 3, 1, 1, 0, T2V_ACT_TANH, T2V_SG_OUT);
    return b.st;
}

t2v_status t2v_sg_stage1_declare(t2v_sg_stage1 *s, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                 t2v_params *bufs)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    t2v_status st = t2v_stackgan_check(&s->cfg);
    if (st != T2V_OK)
        return st;
    const t2v_stackgan_cfg *c = &s->cfg;
    if ((st = t2v_encoder_declare(&s->text, &c->text, ps, "gen.text")) != T2V_OK)
        return st;
    if ((st = t2v_sg_ca_declare(&s->ca, c->text.sent, c->c_dim, c->ca_act, ps, "s1.ca")) !=
        T2V_OK)
        return st;
    int K = c->c_dim + c->z_dim;
    if ((st = stage1_chain(&s->net, c, K, c->channels, c->size1, ps, bufs, "s1")) != T2V_OK ||
        !c->layered)
        return st;
    t2v_sg_layer *y = &s->layer;
    y->side = c->layer_side ? c->layer_side : c->size1;
    y->glyph = c->layered == 2;
    /* the glyph: alpha alone, from the attended words too */
    if ((st = stage1_chain(&y->pic, c, y->glyph ? c->text.embed + K : K,
                           y->glyph ? 1 : c->channels + 1, y->side, ps, bufs, "s1.obj")) !=
        T2V_OK)
        return st;
    if (y->glyph) {
        int64_t v[1] = {c->text.vocab}, tb[1] = {c->channels};
        int64_t tw[2] = {c->channels, K + (c->tint_sent ? c->text.sent : 0) +
                                          (c->tint_words ? 2 * c->text.hidden : 0)};
        y->att_w = t2v_declare(ps, &st, "s1.attend", "score", 1, v, 1);
        y->tint_w = t2v_declare(ps, &st, "s1.tint", "fc.weight", 2, tw, 0);
        y->tint_b = t2v_declare(ps, &st, "s1.tint", "fc.bias", 1, tb, 1);
        y->tq_w = -1;
        if (c->tint_words) {
            int64_t q[1] = {2 * c->text.hidden};
            y->tq_w = t2v_declare(ps, &st, "s1.tint", "attend", 1, q, 1);
        }
    }
    int64_t w1[2] = {T2V_SG_POS_HIDDEN, c->c_dim + c->z_dim}, b1[1] = {T2V_SG_POS_HIDDEN};
    int64_t w2[2] = {2, T2V_SG_POS_HIDDEN}, b2[1] = {2};
    y->pos_w[0] = t2v_declare(ps, &st, "s1.pos", "fc1.weight", 2, w1, 0);
    y->pos_b[0] = t2v_declare(ps, &st, "s1.pos", "fc1.bias", 1, b1, 1);
    y->pos_w[1] = t2v_declare(ps, &st, "s1.pos", "fc2.weight", 2, w2, 0);
    y->pos_b[1] = t2v_declare(ps, &st, "s1.pos", "fc2.bias", 1, b2, 1);
    return st;
}

static void layer_plan(t2v_sg_layer *y, const t2v_stackgan_cfg *c, t2v_backend *be,
                       t2v_plan *p)
{
    size_t N = (size_t)p->N, C = (size_t)c->channels, L = (size_t)c->size1 * c->size1;
    size_t H = T2V_SG_POS_HIDDEN, K = (size_t)(c->c_dim + c->z_dim);
    size_t Cm = y->glyph ? 1 : C + 1; /* the moved picture's channels */
    chain_plan(&y->pic, be, p);
    y->pos_h = t2v_plan_floats(p, N * H);
    y->pos_t = t2v_plan_floats(p, N * 2);
    y->off = t2v_plan_floats(p, N * 2);
    y->moved = t2v_plan_floats(p, N * Cm * L);
    y->colour = t2v_plan_floats(p, N * C * L);
    y->araw = y->glyph ? y->moved : t2v_plan_floats(p, N * L);
    y->alpha = t2v_plan_floats(p, N * L);
    y->alpha_t = t2v_plan_floats(p, N * L * C);
    y->alpha3 = t2v_plan_floats(p, N * C * L);
    y->diff = t2v_plan_floats(p, N * C * L);
    y->dpos_h = t2v_plan_grad(p, N * H);
    y->dpos_t = t2v_plan_grad(p, N * 2);
    y->doff = t2v_plan_grad(p, N * 2);
    y->dx_pos = t2v_plan_grad(p, N * K);
    y->dmoved = t2v_plan_grad(p, N * Cm * L);
    y->dcolour = t2v_plan_grad(p, N * C * L);
    y->dalpha = t2v_plan_grad(p, N * L);
    y->dalpha_t = t2v_plan_grad(p, N * L * C);
    y->dalpha3 = t2v_plan_grad(p, N * C * L);
    if (!y->glyph)
        return;
    size_t T = (size_t)c->text.max_words, E = (size_t)c->text.embed;
    y->att_s = t2v_plan_floats(p, N * T);
    y->att_a = t2v_plan_floats(p, N * T);
    y->att_p = t2v_plan_floats(p, N * E);
    y->pin = t2v_plan_floats(p, N * (E + K));
    y->tint = t2v_plan_floats(p, N * C);
    y->datt_s = t2v_plan_grad(p, N * T);
    y->datt_a = t2v_plan_grad(p, N * T);
    y->datt_p = t2v_plan_grad(p, N * E);
    y->dtint = t2v_plan_grad(p, N * C);
    size_t D = c->tint_sent ? (size_t)c->text.sent : 0;
    size_t Q = c->tint_words ? 2 * (size_t)c->text.hidden : 0;
    y->dx_tint = t2v_plan_grad(p, N * (Q + D + K));
    if (D) {
        y->tin = t2v_plan_floats(p, N * (D + K));
        y->dtin_s = t2v_plan_grad(p, N * D);
    }
    if (Q) {
        y->tq_s = t2v_plan_floats(p, N * T);
        y->tq_a = t2v_plan_floats(p, N * T);
        y->tq_p = t2v_plan_floats(p, N * Q);
        y->tin_q = t2v_plan_floats(p, N * (Q + D + K));
        y->dtq_s = t2v_plan_grad(p, N * T);
        y->dtq_a = t2v_plan_grad(p, N * T);
        y->dtq_p = t2v_plan_grad(p, N * Q);
        y->dx_rest = t2v_plan_grad(p, N * (D + K));
        y->dhc = t2v_plan_grad(p, N * T * Q);
    }
    if (c->bg_flat) {
        y->bg_mean = t2v_plan_floats(p, N * C);
        y->bg_flat = t2v_plan_floats(p, N * C * L);
        y->dbg_mean = t2v_plan_grad(p, N * C);
        y->dflat = t2v_plan_grad(p, N * C * L);
    }
    y->dpin_zc = t2v_plan_grad(p, N * K);
    y->dwords = t2v_plan_grad(p, N * T * E);
}

void t2v_sg_stage1_plan(t2v_sg_stage1 *s, t2v_backend *be, t2v_plan *p)
{
    size_t N = (size_t)p->N, Z = (size_t)s->cfg.z_dim, C = (size_t)s->cfg.c_dim;
    s->N = p->N;
    t2v_encoder_plan(&s->text, p);
    t2v_sg_ca_plan(&s->ca, p);
    s->z = t2v_plan_floats(p, N * Z);
    s->zc = t2v_plan_floats(p, N * (C + Z));
    s->dz = t2v_plan_grad(p, N * Z);
    chain_plan(&s->net, be, p);
    s->dzc = s->net.dx;
    s->img = chain_last(&s->net)->out;
    s->dimg = chain_last(&s->net)->dout;
    if (s->cfg.layered) {
        size_t n = N * (size_t)s->cfg.channels * s->cfg.size1 * s->cfg.size1;
        layer_plan(&s->layer, &s->cfg, be, p);
        s->img = t2v_plan_floats(p, n);
        s->dimg = t2v_plan_grad(p, n);
    }
}

t2v_status t2v_sg_stage1_init(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps,
                              t2v_params *bufs, uint64_t seed)
{
    t2v_status st = t2v_encoder_init(&s->text, be, ps, seed, 100);
    if (st == T2V_OK)
        st = t2v_sg_ca_init(&s->ca, be, ps, seed, 200);
    if (st == T2V_OK)
        st = chain_init(&s->net, be, ps, bufs, seed, 300);
    if (st != T2V_OK || !s->cfg.layered)
        return st;
    t2v_sg_layer *y = &s->layer;
    st = chain_init(&y->pic, be, ps, bufs, seed, 400);
    for (int i = 0; i < 2 && st == T2V_OK; i++) {
        t2v_param *w = &ps->items[y->pos_w[i]];
        st = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed,
                             500 + (uint64_t)i);
        if (st == T2V_OK)
            st = t2v_init_const(be, t2v_pdata(ps, y->pos_b[i]), i ? 2 : T2V_SG_POS_HIDDEN, 0.0f);
    }
    if (!y->glyph || st != T2V_OK)
        return st;
    /* equal scores: the words' mean (a trainer sets a prior over them) */
    const t2v_stackgan_cfg *c = &s->cfg;
    st = t2v_init_const(be, t2v_pdata(ps, y->att_w), c->text.vocab, 0.0f);
    if (st == T2V_OK)
        st = t2v_init_normal(be, t2v_pdata(ps, y->tint_w),
                             t2v_tensor_numel(&ps->items[y->tint_w].t), 0.0f, 0.02f, seed, 502);
    if (st == T2V_OK)
        st = t2v_init_const(be, t2v_pdata(ps, y->tint_b), c->channels, 0.0f);
    /* equal scores: the tint starts from the mean of the words' features */
    if (st == T2V_OK && c->tint_words)
        st = t2v_init_const(be, t2v_pdata(ps, y->tq_w), 2 * c->text.hidden, 0.0f);
    return st;
}

/* The glyph's input pin (N, E + c + Z) = [P, zc]: P (N, E) the caption's
 * word embeddings (the encoder's x) weighted by the softmax over its words
 * of their scores */
static void glyph_input(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    t2v_sg_layer *y = &s->layer;
    int N = s->N, T = s->cfg.text.max_words, E = s->cfg.text.embed;
    t2v_attend_words_forward(be, y->att_s, y->att_a, y->att_p, t2v_pdata(ps, y->att_w), NULL,
                             s->text.ids, s->text.mask, s->text.x, N, T, E);
    k->concat_forward(be, y->pin, y->att_p, s->zc, N, E, s->cfg.c_dim + s->cfg.z_dim, 1);
}

/* Pooled word features: p (N, Q) = a hc, hc (N, T, Q) the encoder's
 * bi-LSTM outputs, a (N, T) the softmax over each caption's words (mask)
 * of the scores sc = hc u, u (Q). */
static void pool_words_forward(t2v_backend *be, float *sc, float *a, float *p, const float *hc,
                               const float *mask, const float *u, int N, int T, int Q)
{
    const t2v_kernels *k = be->k;
    // scores (N T, 1) = hc (N T, Q) u (Q, 1)
    k->gemm(be, 0, 0, N * T, 1, Q, 1.0f, hc, Q, u, 1, 0.0f, sc, 1);
    k->softmax_forward(be, a, sc, mask, N, T);
    // p[n] (1, Q) = a[n] (1, T) hc[n] (T, Q)
    k->gemm_batched(be, 0, 0, 1, Q, T, 1.0f, a, T, T, hc, Q, (int64_t)T * Q, 0.0f, p, Q, Q, N);
}

/* Its backward: dp (N, Q) -> du (accumulated) through da and dsc, and,
 * when dhc is not NULL, the features' gradient dhc (N, T, Q), assigned. */
static void pool_words_backward(t2v_backend *be, float *dsc, float *da, float *du, float *dhc,
                                const float *dp, const float *a, const float *hc,
                                const float *u, int N, int T, int Q)
{
    const t2v_kernels *k = be->k;
    // da[n] (1, T) = dp[n] (1, Q) hc[n]^T (Q, T)
    k->gemm_batched(be, 0, 1, 1, T, Q, 1.0f, dp, Q, Q, hc, Q, (int64_t)T * Q, 0.0f, da, T, T, N);
    k->softmax_backward(be, dsc, a, da, N, T, 0.0f);
    // du (Q, 1) += hc^T (Q, N T) dsc (N T, 1)
    k->gemm(be, 1, 0, Q, 1, N * T, 1.0f, hc, Q, dsc, 1, 1.0f, du, 1);
    if (!dhc)
        return;
    // dhc[n] (T, Q) = a[n]^T (T, 1) dp[n] (1, Q) + dsc (N T, 1) u^T (1, Q)
    k->gemm_batched(be, 0, 0, T, Q, 1, 1.0f, a, 1, T, dp, Q, Q, 0.0f, dhc, Q, (int64_t)T * Q, N);
    k->gemm(be, 0, 0, N * T, Q, 1, 1.0f, dsc, 1, u, Q, 1.0f, dhc, Q);
}

/* The tint's Q (N, 2H): the caption's word features pooled by its scores. */
static void tint_words_forward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps)
{
    t2v_sg_layer *y = &s->layer;
    pool_words_forward(be, y->tq_s, y->tq_a, y->tq_p, s->text.hc, s->text.mask,
                       t2v_pdata(ps, y->tq_w), s->N, s->cfg.text.max_words,
                       2 * s->cfg.text.hidden);
}

/* dtq_p (N, 2H) -> the score vector's gradient, and the features' dhc
 * (N, T, 2H) for an encoder trained by G's loss. */
static void tint_words_backward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps)
{
    t2v_sg_layer *y = &s->layer;
    pool_words_backward(be, y->dtq_s, y->dtq_a, t2v_pgrad(ps, y->tq_w), y->dhc, y->dtq_p,
                        y->tq_a, s->text.hc, t2v_pdata(ps, y->tq_w), s->N,
                        s->cfg.text.max_words, 2 * s->cfg.text.hidden);
}

/* out (N, C, L) = the mean over L of each (n, c) row of x, everywhere;
 * mean (N, C) keeps it. x may not be out. */
static void spatial_mean_tile(t2v_backend *be, float *out, float *mean, const float *x, int N,
                              int C, int64_t L)
{
    const t2v_kernels *k = be->k;
    k->fill(be, mean, 0.0f, (int64_t)N * C);
    k->tile_backward(be, mean, x, N, C, L);
    k->scale(be, mean, mean, 1.0f / (float)L, (int64_t)N * C);
    k->tile_forward(be, out, mean, N, C, L);
}

/* The object layer over the background (net's output) into s->img:
 * img = bg + alpha (colour - bg); colour the picture's channels, or for
 * the glyph the tint head's one value per channel. */
static void layer_forward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                          int training)
{
    const t2v_kernels *k = be->k;
    t2v_sg_layer *y = &s->layer;
    const t2v_stackgan_cfg *c = &s->cfg;
    int N = s->N, C = c->channels, side = c->size1, K = c->c_dim + c->z_dim;
    int H = T2V_SG_POS_HIDDEN, Cm = y->glyph ? 1 : C + 1;
    int64_t L = (int64_t)side * side, n = (int64_t)N * C * L;
    y->pic.bn_momentum = s->net.bn_momentum; /* standing statistics set net's */
    if (y->glyph)
        glyph_input(s, be, ps);
    chain_forward(&y->pic, be, ps, bufs, y->glyph ? y->pin : s->zc, NULL, training);
    t2v_linear_forward(be, y->pos_h, s->zc, t2v_pdata(ps, y->pos_w[0]),
                       t2v_pdata(ps, y->pos_b[0]), N, K, H);
    k->act_forward(be, c->act, LRELU, y->pos_h, y->pos_h, (int64_t)N * H);
    t2v_linear_forward(be, y->pos_t, y->pos_h, t2v_pdata(ps, y->pos_w[1]),
                       t2v_pdata(ps, y->pos_b[1]), N, H, 2);
    k->act_forward(be, T2V_ACT_TANH, 0.0f, y->pos_t, y->pos_t, (int64_t)N * 2);
    k->scale(be, y->off, y->pos_t, T2V_SG_POS_REACH * (float)side, (int64_t)N * 2);
    /* -1 outside the picture: alpha 0 */
    k->translate_forward(be, y->moved, chain_last(&y->pic)->out, y->off, N, Cm, 1, y->side,
                         y->side, side, side, -1.0f);
    if (y->glyph) { /* araw is moved; colour (N, C, L) = the tint, everywhere */
        const float *tin = s->zc;
        int D = c->tint_sent ? c->text.sent : 0, W = K;
        if (D) { /* [S, zc] */
            k->concat_forward(be, y->tin, y->S, s->zc, N, D, K, 1);
            tin = y->tin;
            W += D;
        }
        if (c->tint_words) { /* [Q, S?, zc] */
            int Q = 2 * c->text.hidden;
            tint_words_forward(s, be, ps);
            k->concat_forward(be, y->tin_q, y->tq_p, tin, N, Q, W, 1);
            tin = y->tin_q;
            W += Q;
        }
        t2v_linear_forward(be, y->tint, tin, t2v_pdata(ps, y->tint_w), t2v_pdata(ps, y->tint_b),
                           N, W, C);
        k->act_forward(be, T2V_ACT_TANH, 0.0f, y->tint, y->tint, (int64_t)N * C);
        k->tile_forward(be, y->colour, y->tint, N, C, (int)L);
    } else {
        k->concat_backward(be, y->colour, y->araw, y->moved, N, C, 1, L);
    }
    k->fill(be, y->alpha, 0.5f, (int64_t)N * L);
    k->axpy(be, y->alpha, 0.5f, y->araw, (int64_t)N * L);
    /* alpha (N, L) -> (N, L, C) -> (N, C, L) */
    k->tile_forward(be, y->alpha_t, y->alpha, N, (int)L, C);
    int64_t shape[3] = {N, L, C};
    int perm[3] = {0, 2, 1};
    k->permute(be, y->alpha3, y->alpha_t, 3, shape, perm);
    const float *bg = chain_last(&s->net)->out;
    if (c->bg_flat) { /* one colour per image: the chain's mean over its pixels */
        spatial_mean_tile(be, y->bg_flat, y->bg_mean, bg, N, C, L);
        bg = y->bg_flat;
    }
    k->copy(be, y->diff, y->colour, n);
    k->axpy(be, y->diff, -1.0f, bg, n);
    k->mul(be, s->img, y->alpha3, y->diff, n);
    k->add(be, s->img, s->img, bg, n);
}

void t2v_sg_stage1_forward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                           const float *S, int training)
{
    t2v_sg_ca_forward(&s->ca, be, ps, S);
    s->layer.S = S;
    // zc (N, c + Z) = [c_hat, z]
    be->k->concat_forward(be, s->zc, s->ca.c_hat, s->z, s->N, s->cfg.c_dim, s->cfg.z_dim, 1);
    chain_forward(&s->net, be, ps, bufs, s->zc, NULL, training);
    if (s->cfg.layered)
        layer_forward(s, be, ps, bufs, training);
}

/* s->dimg -> the background's dout, the object chain's and the position
 * head's parameter gradients, and their input gradients added into
 * net.dx (call after net's backward). */
static void layer_backward_top(t2v_sg_stage1 *s, t2v_backend *be)
{
    const t2v_kernels *k = be->k;
    t2v_sg_layer *y = &s->layer;
    int N = s->N, C = s->cfg.channels, side = s->cfg.size1;
    int64_t L = (int64_t)side * side, n = (int64_t)N * C * L;
    float *dbg = chain_last(&s->net)->dout;
    // dcolour = alpha dimg; dbg = dimg - dcolour; dalpha3 = dimg (colour - bg)
    k->mul(be, y->dcolour, y->alpha3, s->dimg, n);
    k->copy(be, dbg, s->dimg, n);
    k->axpy(be, dbg, -1.0f, y->dcolour, n);
    if (s->cfg.bg_flat) { /* the mean is its own adjoint: dbg's mean, to every pixel */
        spatial_mean_tile(be, y->dflat, y->dbg_mean, dbg, N, C, L);
        k->copy(be, dbg, y->dflat, n);
    }
    k->mul(be, y->dalpha3, s->dimg, y->diff, n);
    int64_t shape[3] = {N, C, L};
    int perm[3] = {0, 2, 1};
    k->permute(be, y->dalpha_t, y->dalpha3, 3, shape, perm);
    k->fill(be, y->dalpha, 0.0f, (int64_t)N * L);
    k->tile_backward(be, y->dalpha, y->dalpha_t, N, (int)L, C);
    k->scale(be, y->dalpha, y->dalpha, 0.5f, (int64_t)N * L);
    if (y->glyph) /* the moved picture is the alpha alone; dcolour goes to the tint */
        k->copy(be, y->dmoved, y->dalpha, (int64_t)N * L);
    else
        k->concat_forward(be, y->dmoved, y->dcolour, y->dalpha, N, C, 1, L);
    const t2v_sg_node *pic = chain_last(&y->pic);
    k->translate_backward(be, pic->dout, y->doff, y->dmoved, pic->out, y->off, N,
                          y->glyph ? 1 : C + 1, 1, y->side, y->side, side, side, -1.0f);
    if (y->glyph && y->dpic_add)
        k->add(be, pic->dout, pic->dout, y->dpic_add, (int64_t)N * y->side * y->side);
}

void t2v_sg_box_down4(t2v_backend *be, float *y, const float *x, float *tmp, int NC, int h)
{
    const t2v_kernels *k = be->k;
    k->upsample2_backward(be, tmp, x, NC, 1, 2 * h, 2 * h, 2); /* sums of 2x2 blocks */
    k->upsample2_backward(be, y, tmp, NC, 1, h, h, 2);
    k->scale(be, y, y, 1.0f / 16.0f, (int64_t)NC * h * h);
}

void t2v_sg_box_down4_backward(t2v_backend *be, float *dx, const float *dy, float *tmp, int NC,
                               int h)
{
    const t2v_kernels *k = be->k;
    k->upsample2_forward(be, tmp, dy, NC, 1, h, h, 2);
    k->upsample2_forward(be, dx, tmp, NC, 1, 2 * h, 2 * h, 2);
    k->scale(be, dx, dx, 1.0f / 16.0f, (int64_t)NC * 16 * h * h);
}

const float *t2v_sg_glyph_picture(const t2v_sg_stage1 *s)
{
    return s->cfg.layered && s->layer.glyph ? chain_last(&s->layer.pic)->out : NULL;
}

/* The tint head's input: [Q, S, zc] with tint_words, [S, zc] with
 * tint_sent, else zc */
static const float *tint_input(const t2v_sg_stage1 *s)
{
    return s->cfg.tint_words ? s->layer.tin_q : s->cfg.tint_sent ? s->layer.tin : s->zc;
}

/* The glyph's tint and attention: dcolour -> the tint head's gradients,
 * pic.dx -> dP and the zc part; dP -> the scores' gradients (and the
 * attention's entropy, weight sharpen per row of the batch's mean) and the
 * words' dwords. Both zc parts are added into net.dx. */
static void glyph_backward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    t2v_sg_layer *y = &s->layer;
    const t2v_stackgan_cfg *c = &s->cfg;
    int N = s->N, C = c->channels, K = c->c_dim + c->z_dim, T = c->text.max_words;
    int E = c->text.embed, L = c->size1 * c->size1;
    k->fill(be, y->dtint, 0.0f, (int64_t)N * C);
    k->tile_backward(be, y->dtint, y->dcolour, N, C, L);
    if (y->dtint_add)
        k->add(be, y->dtint, y->dtint, y->dtint_add, (int64_t)N * C);
    k->act_backward(be, T2V_ACT_TANH, 0.0f, y->dtint, y->dtint, y->tint, (int64_t)N * C);
    int D = c->tint_sent ? c->text.sent : 0, Q = c->tint_words ? 2 * c->text.hidden : 0;
    t2v_linear_backward(be, y->dx_tint, t2v_pgrad(ps, y->tint_w), t2v_pgrad(ps, y->tint_b),
                        y->dtint, tint_input(s), t2v_pdata(ps, y->tint_w), N, Q + D + K, C);
    float *drest = y->dx_tint; /* the [S?, zc] part */
    if (Q) {
        k->concat_backward(be, y->dtq_p, y->dx_rest, y->dx_tint, N, Q, D + K, 1);
        drest = y->dx_rest;
        tint_words_backward(s, be, ps);
    }
    if (D) { /* the S part joins the CA's dS after its backward */
        k->concat_backward(be, y->dtin_s, y->dpin_zc, drest, N, D, K, 1);
        k->add(be, s->net.dx, s->net.dx, y->dpin_zc, (int64_t)N * K);
    } else {
        k->add(be, s->net.dx, s->net.dx, drest, (int64_t)N * K);
    }
    k->concat_backward(be, y->datt_p, y->dpin_zc, y->pic.dx, N, E, K, 1);
    k->add(be, s->net.dx, s->net.dx, y->dpin_zc, (int64_t)N * K);
    // da[n] (1, T) = dP[n] (1, E) x[n]^T (E, T)
    k->gemm_batched(be, 0, 1, 1, T, E, 1.0f, y->datt_p, E, E, s->text.x, E, (int64_t)T * E,
                    0.0f, y->datt_a, T, T, N);
    t2v_attend_words_backward(be, y->datt_s, t2v_pgrad(ps, y->att_w), NULL, y->att_a, y->datt_a,
                              s->text.ids, N, T, y->sharpen / (float)N);
    // dwords[n] (T, E) = a[n]^T (T, 1) dP[n] (1, E)
    k->gemm_batched(be, 0, 0, T, E, 1, 1.0f, y->att_a, 1, T, y->datt_p, E, E, 0.0f, y->dwords,
                    E, (int64_t)T * E, N);
}

static void layer_backward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    t2v_sg_layer *y = &s->layer;
    const t2v_stackgan_cfg *c = &s->cfg;
    int N = s->N, K = c->c_dim + c->z_dim, H = T2V_SG_POS_HIDDEN;
    chain_backward(&y->pic, be, ps, 1);
    if (y->glyph)
        glyph_backward(s, be, ps);
    k->scale(be, y->dpos_t, y->doff, T2V_SG_POS_REACH * (float)c->size1, (int64_t)N * 2);
    k->act_backward(be, T2V_ACT_TANH, 0.0f, y->dpos_t, y->dpos_t, y->pos_t, (int64_t)N * 2);
    t2v_linear_backward(be, y->dpos_h, t2v_pgrad(ps, y->pos_w[1]), t2v_pgrad(ps, y->pos_b[1]),
                        y->dpos_t, y->pos_h, t2v_pdata(ps, y->pos_w[1]), N, H, 2);
    k->act_backward(be, c->act, LRELU, y->dpos_h, y->dpos_h, y->pos_h, (int64_t)N * H);
    t2v_linear_backward(be, y->dx_pos, t2v_pgrad(ps, y->pos_w[0]), t2v_pgrad(ps, y->pos_b[0]),
                        y->dpos_h, s->zc, t2v_pdata(ps, y->pos_w[0]), N, K, H);
    if (!y->glyph) /* the glyph's picture read [P, zc]: glyph_backward added its share */
        k->add(be, s->net.dx, s->net.dx, y->pic.dx, (int64_t)N * K);
    k->add(be, s->net.dx, s->net.dx, y->dx_pos, (int64_t)N * K);
}

void t2v_sg_stage1_backward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps, const float *S,
                            int with_kl)
{
    if (s->cfg.layered)
        layer_backward_top(s, be);
    chain_backward(&s->net, be, ps, 1);
    if (s->cfg.layered)
        layer_backward(s, be, ps);
    be->k->concat_backward(be, s->ca.dc, s->dz, s->dzc, s->N, s->cfg.c_dim, s->cfg.z_dim, 1);
    t2v_sg_ca_backward(&s->ca, be, ps, S, with_kl);
    if (s->cfg.tint_sent)
        be->k->add(be, s->ca.dS, s->ca.dS, s->layer.dtin_s, (int64_t)s->N * s->cfg.text.sent);
}

/* ---- Stage II ------------------------------------------------------------ */

t2v_status t2v_sg_stage2_declare(t2v_sg_stage2 *s, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                 t2v_params *bufs)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    t2v_status st = t2v_stackgan_check(&s->cfg);
    if (st != T2V_OK)
        return st;
    const t2v_stackgan_cfg *c = &s->cfg;
    if ((st = t2v_sg_ca_declare(&s->ca, c->text.sent, c->c_dim, c->ca_act, ps, "s2.ca")) !=
        T2V_OK)
        return st;
    s->net.in_numel = (int64_t)c->channels * c->size1 * c->size1;
    s->net.bn_momentum = BN_MOMENTUM;
    chain_builder b = {.ch = &s->net, .ps = ps, .bufs = bufs, .st = T2V_OK, .prefix = "s2",
                       .C = c->channels, .H = c->size1, .W = c->size1};
    int g = c->gf2;
    add_conv(&b, "enc0", g, 3, 1, 1, 0, c->act, T2V_SG_CONV);
    add_conv(&b, "enc1", 2 * g, 4, 2, 1, 1, c->act, T2V_SG_CONV);
    add_conv(&b, "enc2", 4 * g, 4, 2, 1, 1, c->act, T2V_SG_CONV);
    add_concat(&b, T2V_SG_JOIN, c->c_dim);
    add_conv(&b, "joint", 4 * g, 3, 1, 1, 1, c->act, T2V_SG_CONV);
    char name[32];
    for (int r = 0; r < c->n_res2; r++) {
        snprintf(name, sizeof name, "res%d", r);
        add_residual(&b, name, 0, c->act);
    }
    for (int u = 0; u < 4; u++) {
        add_up(&b);
        snprintf(name, sizeof name, "up%d", u);
        add_conv(&b, name, halve(2 * g, u), 3, 1, 1, 1, c->act, T2V_SG_CONV);
    }
    if (c->s2_residual) /* the correction reads the picture it corrects */
        add_concat(&b, T2V_SG_IMAGE, c->channels);
    add_conv(&b, "out", c->channels, 3, 1, 1, 0, T2V_ACT_TANH, T2V_SG_OUT);
    s->bg_att = s->bg_w = s->bg_b = -1;
    if (c->s2_bg && b.st == T2V_OK) { /* the head: C colour values and the gate */
        int Q = 2 * c->text.hidden;
        int64_t q[1] = {Q}, w[2] = {c->channels + 1, Q + c->text.sent + c->c_dim},
                bb[1] = {c->channels + 1};
        s->bg_att = t2v_declare(ps, &b.st, "s2.bg", "attend", 1, q, 1);
        s->bg_w = t2v_declare(ps, &b.st, "s2.bg", "fc.weight", 2, w, 0);
        s->bg_b = t2v_declare(ps, &b.st, "s2.bg", "fc.bias", 1, bb, 1);
    }
    return b.st;
}

void t2v_sg_stage2_plan(t2v_sg_stage2 *s, t2v_backend *be, t2v_plan *p)
{
    s->N = p->N;
    t2v_sg_ca_plan(&s->ca, p);
    chain_plan(&s->net, be, p);
    s->img = chain_last(&s->net)->out;
    s->dimg = chain_last(&s->net)->dout;
    if (!s->cfg.s2_residual)
        return;
    size_t n = (size_t)p->N * s->cfg.channels * s->cfg.size2 * s->cfg.size2;
    s->up_half = t2v_plan_floats(p, n / 4);
    s->up = t2v_plan_floats(p, n);
    s->u = t2v_plan_floats(p, n);
    s->lo = t2v_plan_floats(p, n);
    s->hi = t2v_plan_floats(p, n);
    s->img = t2v_plan_floats(p, n);
    s->dimg = t2v_plan_grad(p, n);
    s->dhi = t2v_plan_grad(p, n);
    if (!s->cfg.s2_bg)
        return;
    const t2v_stackgan_cfg *c = &s->cfg;
    size_t N = (size_t)p->N, C = (size_t)c->channels, L = n / (N * C);
    size_t T = (size_t)c->text.max_words, Q = 2 * (size_t)c->text.hidden;
    size_t D = (size_t)c->text.sent, K = (size_t)c->c_dim;
    s->a_half = t2v_plan_floats(p, N * L / 4);
    s->keep = t2v_plan_floats(p, N * L);
    s->gate_t = t2v_plan_floats(p, N * L);
    s->matte = t2v_plan_floats(p, N * L);
    s->matte_t = t2v_plan_floats(p, n);
    s->matte3 = t2v_plan_floats(p, n);
    s->v = t2v_plan_floats(p, n);
    s->bq_s = t2v_plan_floats(p, N * T);
    s->bq_a = t2v_plan_floats(p, N * T);
    s->bq_p = t2v_plan_floats(p, N * Q);
    s->bin_sc = t2v_plan_floats(p, N * (D + K));
    s->bin = t2v_plan_floats(p, N * (Q + D + K));
    s->head = t2v_plan_floats(p, N * (C + 1));
    s->bg = t2v_plan_floats(p, N * C);
    s->gate = t2v_plan_floats(p, N);
    s->bgt = t2v_plan_floats(p, n);
    s->diff = t2v_plan_floats(p, n);
    s->dv = t2v_plan_grad(p, n);
    s->dbgt = t2v_plan_grad(p, n);
    s->dbg = t2v_plan_grad(p, N * C);
    s->dgate = t2v_plan_grad(p, N);
    s->dhead = t2v_plan_grad(p, N * (C + 1));
    s->dbin = t2v_plan_grad(p, N * (Q + D + K));
    s->dbin_sc = t2v_plan_grad(p, N * (D + K));
    s->dbq_p = t2v_plan_grad(p, N * Q);
    s->dbq_a = t2v_plan_grad(p, N * T);
    s->dbq_s = t2v_plan_grad(p, N * T);
    s->dmatte_t = t2v_plan_grad(p, n);
    s->dmatte3 = t2v_plan_grad(p, n);
    s->dmatte = t2v_plan_grad(p, N * L);
    s->dS_bg = t2v_plan_grad(p, N * D);
    s->dc_bg = t2v_plan_grad(p, N * K);
}

t2v_status t2v_sg_stage2_init(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps,
                              t2v_params *bufs, uint64_t seed)
{
    t2v_status st = t2v_sg_ca_init(&s->ca, be, ps, seed, 1200);
    if (st == T2V_OK)
        st = chain_init(&s->net, be, ps, bufs, seed, 1300);
    /* a correction that starts at zero: Stage II starts at Stage I's picture
     * (the output layer's weights still get gradients from its input) */
    const t2v_sg_node *out = chain_last(&s->net);
    if (st == T2V_OK && s->cfg.s2_residual)
        st = t2v_init_const(be, t2v_pdata(ps, out->w),
                            t2v_tensor_numel(&ps->items[out->w].t), 0.0f);
    if (st != T2V_OK || !s->cfg.s2_bg)
        return st;
    /* a head on the words' mean; the gate sigmoid(T2V_SG_GATE_BIAS) for every
     * caption at first (its row of weights zero) */
    int C = s->cfg.channels, W = 2 * s->cfg.text.hidden + s->cfg.text.sent + s->cfg.c_dim;
    st = t2v_init_const(be, t2v_pdata(ps, s->bg_att), 2 * s->cfg.text.hidden, 0.0f);
    if (st == T2V_OK)
        st = t2v_init_normal(be, t2v_pdata(ps, s->bg_w), (int64_t)C * W, 0.0f, 0.02f, seed, 1400);
    if (st == T2V_OK)
        st = t2v_init_const(be, t2v_pdata(ps, s->bg_w) + (size_t)C * W, W, 0.0f);
    if (st == T2V_OK)
        st = t2v_init_const(be, t2v_pdata(ps, s->bg_b), C, 0.0f);
    if (st == T2V_OK)
        st = t2v_init_const(be, t2v_pdata(ps, s->bg_b) + C, 1, T2V_SG_GATE_BIAS);
    return st;
}

/* The repainting's colour and gate: Q2 (N, 2H) = softmax(hc u2) hc over
 * each caption's words, [b, g] = FC([Q2, S, c2]), b (N, C) through tanh
 * (tiled into bgt), the gate g (N) through the sigmoid. */
static void bg_head_forward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps, const float *S)
{
    const t2v_kernels *k = be->k;
    const t2v_stackgan_cfg *c = &s->cfg;
    int N = s->N, T = c->text.max_words, Q = 2 * c->text.hidden, D = c->text.sent;
    int K = c->c_dim, C = c->channels, L = c->size2 * c->size2;
    pool_words_forward(be, s->bq_s, s->bq_a, s->bq_p, s->hc, s->mask, t2v_pdata(ps, s->bg_att),
                       N, T, Q);
    k->concat_forward(be, s->bin_sc, S, s->ca.c_hat, N, D, K, 1);
    k->concat_forward(be, s->bin, s->bq_p, s->bin_sc, N, Q, D + K, 1);
    t2v_linear_forward(be, s->head, s->bin, t2v_pdata(ps, s->bg_w), t2v_pdata(ps, s->bg_b), N,
                       Q + D + K, C + 1);
    k->concat_backward(be, s->bg, s->gate, s->head, N, C, 1, 1);
    k->act_forward(be, T2V_ACT_TANH, 0.0f, s->bg, s->bg, (int64_t)N * C);
    k->act_forward(be, T2V_ACT_SIGMOID, 0.0f, s->gate, s->gate, N);
    k->tile_forward(be, s->bgt, s->bg, N, C, L);
}

/* dbgt, dgate -> the head's parameter gradients (the encoder is frozen: its
 * word features get none) and dc_bg, the c2 part, for the CA's backward. */
static void bg_head_backward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    const t2v_stackgan_cfg *c = &s->cfg;
    int N = s->N, T = c->text.max_words, Q = 2 * c->text.hidden, D = c->text.sent;
    int K = c->c_dim, C = c->channels, L = c->size2 * c->size2;
    k->fill(be, s->dbg, 0.0f, (int64_t)N * C);
    k->tile_backward(be, s->dbg, s->dbgt, N, C, L);
    k->act_backward(be, T2V_ACT_TANH, 0.0f, s->dbg, s->dbg, s->bg, (int64_t)N * C);
    k->act_backward(be, T2V_ACT_SIGMOID, 0.0f, s->dgate, s->dgate, s->gate, N);
    k->concat_forward(be, s->dhead, s->dbg, s->dgate, N, C, 1, 1);
    t2v_linear_backward(be, s->dbin, t2v_pgrad(ps, s->bg_w), t2v_pgrad(ps, s->bg_b), s->dhead,
                        s->bin, t2v_pdata(ps, s->bg_w), N, Q + D + K, C + 1);
    k->concat_backward(be, s->dbq_p, s->dbin_sc, s->dbin, N, Q, D + K, 1);
    k->concat_backward(be, s->dS_bg, s->dc_bg, s->dbin_sc, N, D, K, 1);
    pool_words_backward(be, s->dbq_s, s->dbq_a, t2v_pgrad(ps, s->bg_att), NULL, s->dbq_p,
                        s->bq_a, s->hc, t2v_pdata(ps, s->bg_att), N, T, Q);
}

void t2v_sg_stage2_forward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                           const float *img1, const float *S, int training)
{
    t2v_sg_ca_forward(&s->ca, be, ps, S);
    if (!s->cfg.s2_residual) {
        chain_forward(&s->net, be, ps, bufs, img1, s->ca.c_hat, training);
        return;
    }
    const t2v_kernels *k = be->k;
    int NC = s->N * s->cfg.channels, h = s->cfg.size1;
    int64_t n = (int64_t)NC * s->cfg.size2 * s->cfg.size2;
    k->upsample2_forward(be, s->up_half, img1, NC, 1, h, h, 2);
    k->upsample2_forward(be, s->up, s->up_half, NC, 1, 2 * h, 2 * h, 2);
    s->net.image = s->up;
    chain_forward(&s->net, be, ps, bufs, img1, s->ca.c_hat, training);
    int L = s->cfg.size2 * s->cfg.size2, C = s->cfg.channels;
    float *v = s->cfg.s2_bg ? s->v : s->img; /* repainting: the clamp into v, then over it */
    k->add(be, s->u, s->up, chain_last(&s->net)->out, n);
    // clamp(u, -1, 1) = relu(u + 1) - relu(u - 1) - 1
    k->fill(be, s->lo, 1.0f, n);
    k->axpy(be, s->lo, 1.0f, s->u, n);
    k->act_forward(be, T2V_ACT_RELU, 0.0f, s->lo, s->lo, n);
    k->fill(be, s->hi, -1.0f, n);
    k->axpy(be, s->hi, 1.0f, s->u, n);
    k->act_forward(be, T2V_ACT_RELU, 0.0f, s->hi, s->hi, n);
    k->fill(be, v, -1.0f, n);
    k->axpy(be, v, 1.0f, s->lo, n);
    k->axpy(be, v, -1.0f, s->hi, n);
    if (!s->cfg.s2_bg)
        return;
    bg_head_forward(s, be, ps, S);
    // keep (N, L) = 1 - up4(alpha1): Stage I's background; matte = gate keep
    k->upsample2_forward(be, s->a_half, s->alpha1, s->N, 1, h, h, 2);
    k->upsample2_forward(be, s->gate_t, s->a_half, s->N, 1, 2 * h, 2 * h, 2); /* up4(alpha1) */
    k->fill(be, s->keep, 1.0f, (int64_t)s->N * L);
    k->axpy(be, s->keep, -1.0f, s->gate_t, (int64_t)s->N * L);
    k->tile_forward(be, s->gate_t, s->gate, s->N, 1, L);
    k->mul(be, s->matte, s->keep, s->gate_t, (int64_t)s->N * L);
    // matte (N, L) -> (N, L, C) -> (N, C, L); img = v + matte (bgt - v)
    k->tile_forward(be, s->matte_t, s->matte, s->N, L, C);
    int64_t shape[3] = {s->N, L, C};
    int perm[3] = {0, 2, 1};
    k->permute(be, s->matte3, s->matte_t, 3, shape, perm);
    k->copy(be, s->diff, s->bgt, n);
    k->axpy(be, s->diff, -1.0f, v, n);
    k->mul(be, s->img, s->matte3, s->diff, n);
    k->add(be, s->img, s->img, v, n);
}

/* Repainting's backward: dimg -> dv (the clamped image's share) and,
 * through the colour and the gate, the background head's gradients. */
static void repaint_backward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    int N = s->N, C = s->cfg.channels, L = s->cfg.size2 * s->cfg.size2;
    int64_t n = (int64_t)N * C * L;
    k->mul(be, s->dbgt, s->matte3, s->dimg, n);
    k->copy(be, s->dv, s->dimg, n);
    k->axpy(be, s->dv, -1.0f, s->dbgt, n);
    // dmatte (N, L) = sum over C of dimg (bgt - v); dgate = sum over L of dmatte keep
    k->mul(be, s->dmatte3, s->dimg, s->diff, n);
    int64_t shape[3] = {N, C, L};
    int perm[3] = {0, 2, 1};
    k->permute(be, s->dmatte_t, s->dmatte3, 3, shape, perm);
    k->fill(be, s->dmatte, 0.0f, (int64_t)N * L);
    k->tile_backward(be, s->dmatte, s->dmatte_t, N, L, C);
    k->mul(be, s->dmatte, s->dmatte, s->keep, (int64_t)N * L);
    k->fill(be, s->dgate, 0.0f, N);
    k->tile_backward(be, s->dgate, s->dmatte, N, 1, L);
    bg_head_backward(s, be, ps);
}

void t2v_sg_stage2_backward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps, const float *S,
                            int with_kl)
{
    const t2v_kernels *k = be->k;
    int bg = s->cfg.s2_bg;
    if (s->cfg.s2_residual) { /* dr = dv where -1 < u < 1, else 0 */
        int64_t n = (int64_t)s->N * s->cfg.channels * s->cfg.size2 * s->cfg.size2;
        float *dr = chain_last(&s->net)->dout;
        const float *dv = s->dimg, *r = chain_last(&s->net)->out;
        if (bg) {
            repaint_backward(s, be, ps);
            dv = s->dv;
        }
        k->act_backward(be, T2V_ACT_RELU, 0.0f, dr, dv, s->lo, n);
        k->act_backward(be, T2V_ACT_RELU, 0.0f, s->dhi, dv, s->hi, n);
        k->axpy(be, dr, -1.0f, s->dhi, n);
        if (s->reg > 0.0f) /* reg mean(r^2) */
            k->axpy(be, dr, 2.0f * s->reg / (float)n, r, n);
    }
    chain_backward(&s->net, be, ps, 0);
    k->copy(be, s->ca.dc, s->net.dcond, (int64_t)s->N * s->cfg.c_dim);
    if (bg)
        k->add(be, s->ca.dc, s->ca.dc, s->dc_bg, (int64_t)s->N * s->cfg.c_dim);
    t2v_sg_ca_backward(&s->ca, be, ps, S, with_kl);
}

/* ---- the whole generator -------------------------------------------------- */

t2v_status t2v_stackgan_declare(t2v_stackgan *g, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                t2v_params *bufs)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    t2v_status s = t2v_stackgan_check(&g->cfg);
    if (s == T2V_OK)
        s = t2v_sg_stage1_declare(&g->s1, &g->cfg, ps, bufs);
    if (s == T2V_OK)
        s = t2v_sg_stage2_declare(&g->s2, &g->cfg, ps, bufs);
    return s;
}

void t2v_stackgan_plan(t2v_stackgan *g, t2v_backend *be, t2v_plan *p)
{
    t2v_sg_stage1_plan(&g->s1, be, p);
    t2v_sg_stage2_plan(&g->s2, be, p);
    g->s2.hc = g->s1.text.hc; /* Stage II reads the caption's words through Stage I's encoder */
    g->s2.mask = g->s1.text.mask;
    g->s2.alpha1 = g->s1.layer.alpha; /* and repaints where Stage I's object is not */
}

t2v_status t2v_stackgan_init(t2v_stackgan *g, t2v_backend *be, t2v_params *ps,
                             t2v_params *bufs, uint64_t seed)
{
    t2v_status s = t2v_sg_stage1_init(&g->s1, be, ps, bufs, seed);
    if (s == T2V_OK)
        s = t2v_sg_stage2_init(&g->s2, be, ps, bufs, seed ^ 0x5EC0u);
    return s;
}

void t2v_stackgan_noise(t2v_stackgan *g, t2v_backend *be, uint64_t seed, uint64_t index,
                        int row)
{
    const t2v_kernels *k = be->k;
    int Z = g->cfg.z_dim, C = g->cfg.c_dim;
    k->rng_normal(be, g->s1.z + (size_t)row * Z, Z, seed, index, 0);
    k->rng_normal(be, g->s1.ca.eps + (size_t)row * C, C, seed, index, (uint64_t)Z);
    k->rng_normal(be, g->s2.ca.eps + (size_t)row * C, C, seed, index, (uint64_t)(Z + C));
}

void t2v_stackgan_sample(t2v_stackgan *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         const float *S, uint64_t seed, uint64_t index)
{
    for (int j = 0; j < g->s1.N; j++)
        t2v_stackgan_noise(g, be, seed, index + (uint64_t)j, j);
    t2v_sg_stage1_forward(&g->s1, be, ps, bufs, S, 0);
    t2v_sg_stage2_forward(&g->s2, be, ps, bufs, g->s1.img, S, 0);
}
