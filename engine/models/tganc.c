/* TGANs-C generator: written once, run by the plugins, trained by train/. */
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "models/tganc.h"

#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

t2v_status t2v_tganc_check(t2v_tganc_cfg *c)
{
    if (c->out_k == 0)
        c->out_k = 3; /* the default output convolution */
    if (c->z_dim < 1 || c->c0 < 1 || c->n_stages < 0 || c->n_stages > T2V_TGANC_MAX_STAGES ||
        (c->out_k != 1 && c->out_k != 3) ||
        (c->channels != 1 && c->channels != 3) || c->act < T2V_ACT_RELU ||
        c->act > T2V_ACT_SIGMOID)
        return t2v_fail(T2V_ERR_INVALID, "bad TGANs-C sizes (z %d, c0 %d, stages %d, channels %d)",
                        c->z_dim, c->c0, c->n_stages, c->channels);
    int dims[3] = {c->base[0], c->base[1], c->base[2]};
    int cin = c->c0;
    for (int i = 0; i < c->n_stages; i++) {
        t2v_conv_geom g = {.n = 1, .c_in = cin, .c_out = c->stage[i].c_out, .transposed = 1};
        for (int d = 0; d < 3; d++) {
            g.in[d] = dims[d];
            g.k[d] = c->stage[i].k[d];
            g.stride[d] = c->stage[i].s[d];
            g.pad[d] = c->stage[i].p[d];
        }
        if (g.c_out < 1 || t2v_conv_geom_init(&g) != T2V_OK)
            return t2v_fail(T2V_ERR_INVALID, "TGANs-C stage %d has impossible sizes", i);
        for (int d = 0; d < 3; d++)
            dims[d] = g.out[d];
        cin = g.c_out;
    }
    if (c->sprite_frames < 0 || c->sprite_frames > 1024 ||
        (c->sprite_frames > 0 && (dims[0] != 1 || c->path_hidden < 1 || c->path_hidden > 4096)))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C sprite layout: %d frames from a stack of %d "
                        "frames with a path head of width %d (one frame and a width of "
                        "1..4096 needed)", c->sprite_frames, dims[0], c->path_hidden);
    if (c->attend != 0 && (c->attend != 1 || c->sprite_frames <= 0))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C attention %d: 0, or 1 in the sprite layout "
                        "(the picture reads the attended words, the path the sentence)",
                        c->attend);
    if (c->path_rest != 0 && (c->path_rest != 1 || !c->attend))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C path reading the rest of the caption (%d): "
                        "only with attention over the words", c->path_rest);
    if (c->path_follow != 0 &&
        (c->path_follow < 1 || c->path_follow > 64 || !c->attend || c->path_rest))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C path reading the %d words after each "
                        "picture's word: 1..64 words, only with attention over the words and "
                        "not with the rest of the caption", c->path_follow);
    if (c->path_each != 0 && (c->path_each != 1 || !c->path_follow))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C path of each picture from its own window "
                        "(%d): only with the window of words after the picture's word",
                        c->path_each);
    if (c->sprites < 0 || c->sprites > T2V_TGANC_MAX_SPRITES || (c->sprites > 1 && !c->attend))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C sprites %d: 1..%d, more than one only with "
                        "attention over the words", c->sprites, T2V_TGANC_MAX_SPRITES);
    if (c->path_bounce != 0 && (c->path_bounce < 0 || c->path_bounce > 2 || c->sprite_frames <= 0))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C bouncing path (%d): only in the sprite "
                        "layout", c->path_bounce);
    int framed = c->frame[0] != 0 || c->frame[1] != 0;
    if (framed && (c->sprite_frames <= 0 || c->frame[0] <= dims[1] || c->frame[1] <= dims[2] ||
                   c->frame[0] > 4096 || c->frame[1] > 4096))
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C frame %dx%d around a %dx%d picture: only in "
                        "the sprite layout, larger than the picture on both sides (up to 4096)",
                        c->frame[0], c->frame[1], dims[1], dims[2]);
    c->frames = c->sprite_frames > 0 ? c->sprite_frames : dims[0];
    c->pic_h = dims[1];
    c->pic_w = dims[2];
    c->height = framed ? c->frame[0] : dims[1];
    c->width = framed ? c->frame[1] : dims[2];
    if (c->frames < 1 || c->height < 1 || c->width < 1 || c->frames > 1024 ||
        c->height > 4096 || c->width > 4096)
        return t2v_fail(T2V_ERR_INVALID, "TGANs-C output %dx%dx%d is out of range", c->frames,
                        c->height, c->width);
    return T2V_OK;
}

/* path_each with several pictures: each has a hidden bias of its own, so
 * that two pictures told the same motion take different paths */
static int path_pos_used(const t2v_tganc *g) { return g->cfg.path_each && g->K > 1; }

/* The rows the path head runs on: one per picture with path_each, else
 * one per clip. */
static int path_rows(const t2v_tganc *g) { return g->cfg.path_each ? g->NS : g->N; }

/* The numbers one row of the path head gives: one picture's (path_each),
 * or every picture's of a clip */
static int head_width(const t2v_tganc *g)
{
    return t2v_tganc_path_outputs(&g->cfg) * (g->cfg.path_each ? 1 : g->K);
}

/* Where R_k starts in a (N, K E) table, or with path_each a (K N, E) one,
 * and how far apart its rows are */
static size_t window_at(const t2v_tganc *g, int s)
{
    return (size_t)s * g->cfg.text.embed * (g->cfg.path_each ? (size_t)g->N : 1);
}

static int64_t window_stride(const t2v_tganc *g)
{
    return (int64_t)g->cfg.text.embed * (g->cfg.path_each ? 1 : g->K);
}

t2v_status t2v_tganc_declare(t2v_tganc *g, const t2v_tganc_cfg *cfg, t2v_params *ps,
                             t2v_params *bufs)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    g->bn_momentum = BN_MOMENTUM;
    t2v_status st = t2v_tganc_check(&g->cfg);
    if (st != T2V_OK)
        return st;
    const t2v_tganc_cfg *c = &g->cfg;
    g->K = c->sprites > 1 ? c->sprites : 1;
    st = t2v_encoder_declare(&g->text, &c->text, ps, "gen.text");
    if (st != T2V_OK)
        return st;
    int Ds = t2v_tganc_stack_sent(c);
    int dims[3] = {c->base[0], c->base[1], c->base[2]};
    for (int i = 0; i <= c->n_stages; i++) {
        t2v_tganc_layer *l = &g->layer[i];
        char pre[32];
        snprintf(pre, sizeof pre, "gen.l%d", i);
        if (i == 0) {
            l->C = c->c0;
            int64_t ws[2] = {(int64_t)c->c0 * dims[0] * dims[1] * dims[2], c->z_dim + Ds};
            l->w = t2v_declare(ps, &st, pre, "fc.weight", 2, ws, 0);
        } else {
            const t2v_tganc_stage *s = &c->stage[i - 1];
            t2v_conv_geom *cg = &l->geom;
            *cg = (t2v_conv_geom){.n = 1, .c_in = g->layer[i - 1].C, .c_out = s->c_out, .transposed = 1};
            for (int d = 0; d < 3; d++) {
                cg->in[d] = dims[d];
                cg->k[d] = s->k[d];
                cg->stride[d] = s->s[d];
                cg->pad[d] = s->p[d];
            }
            t2v_conv_geom_init(cg);
            for (int d = 0; d < 3; d++)
                dims[d] = cg->out[d];
            l->C = s->c_out;
            int64_t ws[5] = {cg->c_in, cg->c_out, s->k[0], s->k[1], s->k[2]};
            l->w = t2v_declare(ps, &st, pre, "convt.weight", 5, ws, 0);
        }
        l->L = (int64_t)dims[0] * dims[1] * dims[2];
        int unit = i == 0 && c->unit_norm0;
        l->SC = unit ? (int)(l->C * l->L) : l->C;
        l->SL = unit ? 1 : l->L;
        int64_t cs[1] = {l->C}, ss[1] = {l->SC};
        if (c->cond_bn) {
            int64_t mw[2] = {l->C, Ds};
            l->mod[0] = t2v_declare(ps, &st, pre, "bn_gamma.weight", 2, mw, 0);
            l->mod[1] = t2v_declare(ps, &st, pre, "bn_gamma.bias", 1, cs, 1);
            l->mod[2] = t2v_declare(ps, &st, pre, "bn_beta.weight", 2, mw, 0);
            l->mod[3] = t2v_declare(ps, &st, pre, "bn_beta.bias", 1, cs, 1);
        } else {
            l->bn_g = t2v_declare(ps, &st, pre, "bn.weight", 1, ss, 1);
            l->bn_b = t2v_declare(ps, &st, pre, "bn.bias", 1, ss, 1);
        }
        l->run_mean = t2v_declare(bufs, &st, pre, "bn.running_mean", 1, ss, 1);
        l->run_var = t2v_declare(bufs, &st, pre, "bn.running_var", 1, ss, 1);
    }
    t2v_conv_geom *og = &g->out_geom;
    *og = (t2v_conv_geom){.n = 1, .c_in = g->layer[c->n_stages].C, .c_out = c->channels};
    for (int d = 0; d < 3; d++) {
        og->in[d] = dims[d];
        og->k[d] = c->out_k;
        og->stride[d] = 1;
        og->pad[d] = c->out_k / 2;
    }
    t2v_conv_geom_init(og);
    int64_t ow[5] = {c->channels, og->c_in, c->out_k, c->out_k, c->out_k}, ob[1] = {c->channels};
    g->out_w = t2v_declare(ps, &st, "gen.out", "conv.weight", 5, ow, 0);
    g->out_b = t2v_declare(ps, &st, "gen.out", "conv.bias", 1, ob, 1);
    if (c->sprite_frames > 0) {
        int64_t w0[2] = {c->path_hidden, c->z_dim + t2v_tganc_path_sent(c)};
        int64_t b0[1] = {c->path_hidden};
        int64_t w1[2] = {head_width(g), c->path_hidden}, b1[1] = {head_width(g)};
        g->path_w[0] = t2v_declare(ps, &st, "gen.path.l0", "weight", 2, w0, 0);
        g->path_b[0] = t2v_declare(ps, &st, "gen.path.l0", "bias", 1, b0, 1);
        g->path_w[1] = t2v_declare(ps, &st, "gen.path.l1", "weight", 2, w1, 0);
        g->path_b[1] = t2v_declare(ps, &st, "gen.path.l1", "bias", 1, b1, 1);
        int64_t pp[2] = {g->K, c->path_hidden};
        if (path_pos_used(g))
            g->path_pos = t2v_declare(ps, &st, "gen.path", "sprite", 2, pp, 1);
    }
    if (c->attend) {
        int64_t aw[1] = {c->text.vocab};
        g->att_w = t2v_declare(ps, &st, "gen.attend", "score", 1, aw, 1);
        int64_t pw[2] = {g->K, c->text.max_words};
        if (g->K > 1)
            g->att_pos = t2v_declare(ps, &st, "gen.attend", "pos", 2, pw, 1);
    }
    return st;
}

void t2v_tganc_plan(t2v_tganc *g, t2v_backend *be, t2v_plan *p)
{
    const t2v_tganc_cfg *c = &g->cfg;
    size_t N = (size_t)p->N, K = (size_t)g->K, NS = N * K;
    g->N = p->N;
    g->NS = (int)NS;
    t2v_encoder_plan(&g->text, p);
    int Z = c->z_dim, D = c->text.sent, Ds = t2v_tganc_stack_sent(c);
    size_t T = (size_t)c->text.max_words, E = (size_t)c->text.embed;
    g->z = t2v_plan_floats(p, N * Z);
    g->zs = t2v_plan_floats(p, NS * (Z + Ds));
    size_t ws = 0;
    for (int i = 0; i <= c->n_stages; i++) { /* the stack runs on K N items */
        t2v_tganc_layer *l = &g->layer[i];
        size_t n = NS * (size_t)l->C * (size_t)l->L;
        if (i > 0) {
            l->geom.n = g->NS;
            size_t w = t2v_conv_ws_floats(be, &l->geom);
            ws = w > ws ? w : ws;
        }
        l->pre = t2v_plan_floats(p, n);
        l->xhat = c->cond_bn ? t2v_plan_floats(p, n) : NULL;
        l->a = t2v_plan_floats(p, n);
        l->gamma = c->cond_bn ? t2v_plan_floats(p, NS * l->C) : NULL;
        l->beta = c->cond_bn ? t2v_plan_floats(p, NS * l->C) : NULL;
        l->save_mean = t2v_plan_floats(p, (size_t)l->SC);
        l->save_invstd = t2v_plan_floats(p, (size_t)l->SC);
        l->da = t2v_plan_grad(p, n);
        l->dxhat = c->cond_bn ? t2v_plan_grad(p, n) : NULL;
        l->dpre = t2v_plan_grad(p, n);
        l->dgamma = c->cond_bn ? t2v_plan_grad(p, NS * l->C) : NULL;
        l->dbeta = c->cond_bn ? t2v_plan_grad(p, NS * l->C) : NULL;
    }
    g->out_geom.n = g->NS;
    size_t w = t2v_conv_ws_floats(be, &g->out_geom);
    ws = w > ws ? w : ws;
    g->ws = t2v_plan_floats(p, ws);
    size_t pic = N * (size_t)c->channels * c->pic_h * c->pic_w;
    size_t clip = N * (size_t)c->channels * c->frames * c->height * c->width;
    size_t stack = c->sprite_frames > 0 ? pic * K : clip;
    g->out_pre = t2v_plan_floats(p, stack);
    g->clip = t2v_plan_floats(p, clip);
    g->dclip = t2v_plan_grad(p, clip);
    g->dout_pre = t2v_plan_grad(p, stack);
    if (c->sprite_frames > 0) {
        size_t rows = (size_t)path_rows(g);
        size_t hid = rows * (size_t)c->path_hidden, path = NS * 2 * (size_t)c->sprite_frames;
        size_t head = NS * (size_t)t2v_tganc_path_outputs(c);
        g->picture = t2v_plan_floats(p, pic * K);
        g->path_h = t2v_plan_floats(p, hid);
        g->path_t = t2v_plan_floats(p, head);
        g->off = t2v_plan_floats(p, path);
        g->dpicture = t2v_plan_grad(p, pic * K);
        g->dpath_h = t2v_plan_grad(p, hid);
        g->dpath_t = t2v_plan_grad(p, head);
        g->doff = t2v_plan_grad(p, path);
        g->dzs_path = t2v_plan_grad(p, rows * (Z + (size_t)t2v_tganc_path_sent(c)));
    }
    if (K > 1) {
        g->moved = t2v_plan_floats(p, clip * K);
        g->over = t2v_plan_floats(p, clip * (K - 1));
        g->dmoved = t2v_plan_grad(p, clip * K);
        if (!c->path_each) { /* with path_each, off is sprite-major already */
            g->off_k = t2v_plan_floats(p, NS * 2 * (size_t)c->sprite_frames);
            g->doff_k = t2v_plan_grad(p, NS * 2 * (size_t)c->sprite_frames);
        }
    }
    if (c->attend) {
        g->zs_path = t2v_plan_floats(p, (size_t)path_rows(g) *
                                            (Z + (size_t)t2v_tganc_path_sent(c)));
        if (c->path_rest) {
            g->rest_w = t2v_plan_floats(p, N * T);
            g->rest = t2v_plan_floats(p, N * E);
            g->drest_w = t2v_plan_grad(p, N * T);
        } else if (c->path_follow) {
            g->rest_w = t2v_plan_floats(p, NS * T);
            g->rest = t2v_plan_floats(p, NS * E);
            g->drest_w = t2v_plan_grad(p, NS * T);
            g->band = t2v_plan_floats(p, T * T);
            g->band_ready = 0;
        }
        g->att_s = t2v_plan_floats(p, NS * T);
        g->att_a = t2v_plan_floats(p, NS * T);
        g->att_p = t2v_plan_floats(p, NS * E);
        g->datt_s = t2v_plan_grad(p, NS * T);
        g->datt_a = t2v_plan_grad(p, NS * T);
        g->datt_p = t2v_plan_grad(p, NS * E);
        g->datt_x = t2v_plan_grad(p, N * T * E);
        g->dz_path = t2v_plan_grad(p, N * Z);
    }
    g->dzs = t2v_plan_grad(p, NS * (Z + Ds));
    g->dz = t2v_plan_grad(p, N * Z);
    g->dS = t2v_plan_grad(p, N * D);
    g->dS_tmp = t2v_plan_grad(p, NS * (D > Ds ? D : Ds));
}

t2v_status t2v_tganc_init(t2v_tganc *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                          uint64_t seed)
{
    const t2v_tganc_cfg *c = &g->cfg;
    t2v_status s = t2v_encoder_init(&g->text, be, ps, seed, 100);
    uint64_t stream = 200;
    for (int i = 0; i <= c->n_stages && s == T2V_OK; i++) {
        t2v_tganc_layer *l = &g->layer[i];
        t2v_param *w = &ps->items[l->w];
        s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed, stream++);
        if (c->cond_bn) {
            for (int k = 0; k < 4 && s == T2V_OK; k++) {
                t2v_param *m = &ps->items[l->mod[k]];
                int64_t n = t2v_tensor_numel(&m->t);
                s = (k & 1) ? t2v_init_const(be, m->t.data, n, k == 1 ? 1.0f : 0.0f)
                            : t2v_init_normal(be, m->t.data, n, 0.0f, 0.02f, seed, stream++);
            }
        } else if (s == T2V_OK) {
            s = t2v_init_normal(be, t2v_pdata(ps, l->bn_g), l->SC, 1.0f, 0.02f, seed, stream++);
            if (s == T2V_OK)
                s = t2v_init_const(be, t2v_pdata(ps, l->bn_b), l->SC, 0.0f);
        }
        if (s == T2V_OK)
            s = t2v_init_const(be, t2v_pdata(bufs, l->run_mean), l->SC, 0.0f);
        if (s == T2V_OK)
            s = t2v_init_const(be, t2v_pdata(bufs, l->run_var), l->SC, 1.0f);
    }
    if (s == T2V_OK) {
        t2v_param *w = &ps->items[g->out_w];
        s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed, stream++);
    }
    if (s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(ps, g->out_b), c->channels, 0.0f);
    for (int i = 0; i < 2 && c->sprite_frames > 0 && s == T2V_OK; i++) {
        t2v_param *w = &ps->items[g->path_w[i]];
        s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed, stream++);
        if (s == T2V_OK)
            s = t2v_init_const(be, t2v_pdata(ps, g->path_b[i]),
                               t2v_tensor_numel(&ps->items[g->path_b[i]].t), 0.0f);
    }
    /* equal scores: the words' mean (a trainer sets a prior over them) */
    if (c->attend && s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(ps, g->att_w), c->text.vocab, 0.0f);
    if (g->K > 1 && s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(ps, g->att_pos), (int64_t)g->K * c->text.max_words,
                           0.0f);
    /* the pictures' hidden biases, about as spread as the head's first
     * layer's outputs at the start; drawn after every other stream, so that
     * the other parameters draw what they draw without them */
    if (path_pos_used(g) && s == T2V_OK)
        s = t2v_init_normal(be, t2v_pdata(ps, g->path_pos), (int64_t)g->K * c->path_hidden,
                            0.0f, 0.1f, seed, stream++);
    return s;
}

t2v_status t2v_tganc_init_path(t2v_tganc *g, t2v_backend *be, t2v_params *ps, uint64_t seed,
                               uint64_t stream, int whole)
{
    if (g->cfg.sprite_frames <= 0)
        return t2v_fail(T2V_ERR_INVALID, "the generator has no path head (sprite layout only)");
    t2v_status s = T2V_OK;
    for (int i = whole ? 0 : 1; i < 2 && s == T2V_OK; i++) {
        t2v_param *w = &ps->items[g->path_w[i]];
        s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f, 0.02f, seed,
                            stream + (uint64_t)i);
        if (s == T2V_OK)
            s = t2v_init_const(be, t2v_pdata(ps, g->path_b[i]),
                               t2v_tensor_numel(&ps->items[g->path_b[i]].t), 0.0f);
    }
    if (whole && path_pos_used(g) && s == T2V_OK)
        s = t2v_init_normal(be, t2v_pdata(ps, g->path_pos), (int64_t)g->K * g->cfg.path_hidden,
                            0.0f, 0.1f, seed, stream + 2);
    return s;
}

/* pre -> BN (-> modulate by S) -> ReLU -> a */
static void norm_act_forward(t2v_tganc *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                             t2v_tganc_layer *l, const float *S, int training)
{
    const t2v_kernels *k = be->k;
    int N = g->NS, D = t2v_tganc_stack_sent(&g->cfg);
    if (g->cfg.cond_bn) {
        k->batchnorm_forward(be, l->xhat, l->pre, NULL, NULL, t2v_pdata(bufs, l->run_mean),
                             t2v_pdata(bufs, l->run_var), l->save_mean, l->save_invstd, N, l->SC,
                             l->SL, g->bn_momentum, BN_EPS, training);
        t2v_linear_forward(be, l->gamma, S, t2v_pdata(ps, l->mod[0]), t2v_pdata(ps, l->mod[1]), N,
                           D, l->C);
        t2v_linear_forward(be, l->beta, S, t2v_pdata(ps, l->mod[2]), t2v_pdata(ps, l->mod[3]), N,
                           D, l->C);
        k->modulate(be, l->a, l->xhat, l->gamma, l->beta, N, l->C, l->L);
    } else {
        k->batchnorm_forward(be, l->a, l->pre, t2v_pdata(ps, l->bn_g), t2v_pdata(ps, l->bn_b),
                             t2v_pdata(bufs, l->run_mean), t2v_pdata(bufs, l->run_var),
                             l->save_mean, l->save_invstd, N, l->SC, l->SL, g->bn_momentum,
                             BN_EPS, training);
    }
    k->act_forward(be, g->cfg.act, 0.2f, l->a, l->a, (int64_t)N * l->C * l->L);
}

/* attend: P (K N, E), sprite-major: for each sprite k, the words'
 * embeddings x weighted by the softmax over each caption's words of their
 * scores (plus, with K > 1, sprite k's positional bias) */
static void attend_forward(t2v_tganc *g, t2v_backend *be, t2v_params *ps)
{
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed;
    for (int s = 0; s < g->K; s++) {
        size_t o = (size_t)s * N * T;
        t2v_attend_words_forward(be, g->att_s + o, g->att_a + o, g->att_p + (size_t)s * N * E,
                                 t2v_pdata(ps, g->att_w),
                                 g->K > 1 ? t2v_pdata(ps, g->att_pos) + (size_t)s * T : NULL,
                                 g->text.ids, g->text.mask, g->text.x, N, T, E);
    }
}

/* dP -> the scores' (and positional biases') gradients, which accumulate,
 * and the words' datt_x */
static void attend_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps)
{
    const t2v_kernels *k = be->k;
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed;
    for (int s = 0; s < g->K; s++) {
        size_t o = (size_t)s * N * T;
        const float *dP = g->datt_p + (size_t)s * N * E;
        // da[n] (1, T) = dP[n] (1, E) x[n]^T (E, T)
        k->gemm_batched(be, 0, 1, 1, T, E, 1.0f, dP, E, E, g->text.x, E, (int64_t)T * E, 0.0f,
                        g->datt_a + o, T, T, N);
        if (g->cfg.path_rest) /* the rest's weights are 1 - the pictures' */
            k->axpy(be, g->datt_a + o, -1.0f, g->drest_w, (int64_t)N * T);
        else if (g->cfg.path_follow) /* sprite s's window: its weights through the band */
            k->gemm(be, 0, 1, N, T, T, 1.0f, g->drest_w + o, T, g->band, T, 1.0f,
                    g->datt_a + o, T);
        /* the sharpening weight is per row of the mean entropy over the
         * batch's captions and sprites */
        t2v_attend_words_backward(be, g->datt_s + o, t2v_pgrad(ps, g->att_w),
                                  g->K > 1 ? t2v_pgrad(ps, g->att_pos) + (size_t)s * T : NULL,
                                  g->att_a + o, g->datt_a + o, g->text.ids, N, T,
                                  g->attend_sharpen / (float)g->NS);
        // dx[n] (T, E) (+)= a[n]^T (T, 1) dP[n] (1, E)
        k->gemm_batched(be, 0, 0, T, E, 1, 1.0f, g->att_a + o, 1, T, dP, E, E,
                        s ? 1.0f : 0.0f, g->datt_x, E, (int64_t)T * E, N);
    }
    if (g->cfg.path_rest) // dx[n] (T, E) += w[n]^T (T, 1) dR[n] (1, E), dR in dS_tmp
        k->gemm_batched(be, 0, 0, T, E, 1, 1.0f, g->rest_w, 1, T, g->dS_tmp, E, E, 1.0f,
                        g->datt_x, E, (int64_t)T * E, N);
    for (int s = 0; s < g->K && g->cfg.path_follow; s++) // the same for each R_s
        k->gemm_batched(be, 0, 0, T, E, 1, 1.0f, g->rest_w + (size_t)s * N * T, 1, T,
                        g->dS_tmp + window_at(g, s), E, window_stride(g), 1.0f, g->datt_x, E,
                        (int64_t)T * E, N);
}

/* path_rest: R (N, E) = sum_t max(0, mask - sum_k a_k)_t x_t */
static void rest_forward(t2v_tganc *g, t2v_backend *be)
{
    const t2v_kernels *k = be->k;
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed;
    int64_t nt = (int64_t)N * T;
    k->copy(be, g->rest_w, g->text.mask, nt);
    for (int s = 0; s < g->K; s++)
        k->axpy(be, g->rest_w, -1.0f, g->att_a + (size_t)s * nt, nt);
    if (g->K > 1) /* two pictures on one word leave it out, not below */
        k->act_forward(be, T2V_ACT_RELU, 0.0f, g->rest_w, g->rest_w, nt);
    k->gemm_batched(be, 0, 0, 1, E, T, 1.0f, g->rest_w, T, T, g->text.x, E, (int64_t)T * E, 0.0f,
                    g->rest, E, E, N);
}

/* dR (N, E) in dS_tmp -> drest_w (N, T), the weights' gradient */
static void rest_backward(t2v_tganc *g, t2v_backend *be)
{
    const t2v_kernels *k = be->k;
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed;
    k->gemm_batched(be, 0, 1, 1, T, E, 1.0f, g->dS_tmp, E, E, g->text.x, E, (int64_t)T * E, 0.0f,
                    g->drest_w, T, T, N);
    if (g->K > 1)
        k->act_backward(be, T2V_ACT_RELU, 0.0f, g->drest_w, g->drest_w, g->rest_w,
                        (int64_t)N * T);
}

/* path_follow: the band B (T, T), B[s][t] = 1 for 1 <= t - s <= L, so
 * that a (1, T) B gives each word the attention on the L words before it.
 * Uploaded once per plan, one row at a time from the stack. */
static void follow_band(t2v_tganc *g, t2v_backend *be)
{
    if (g->band_ready)
        return;
    int T = g->cfg.text.max_words, L = g->cfg.path_follow;
    float row[256]; /* max_words <= 256 (t2v_encoder_check) */
    for (int s = 0; s < T; s++) {
        for (int t = 0; t < T; t++)
            row[t] = t - s >= 1 && t - s <= L ? 1.0f : 0.0f;
        be->mem->upload(be, g->band + (size_t)s * T, row, sizeof(float) * (size_t)T);
    }
    g->band_ready = 1;
}

/* path_follow: for each sprite k, w_k (N, T) = (a_k B) * mask, and R_k =
 * sum_t w_k,t x_t: the k-th E columns of rest (N, K E), or with path_each
 * its k-th N rows (K N, E) */
static void follow_forward(t2v_tganc *g, t2v_backend *be)
{
    const t2v_kernels *k = be->k;
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed, K = g->K;
    int64_t nt = (int64_t)N * T;
    follow_band(g, be);
    for (int s = 0; s < K; s++) {
        float *w = g->rest_w + (size_t)s * nt;
        k->gemm(be, 0, 0, N, T, T, 1.0f, g->att_a + (size_t)s * nt, T, g->band, T, 0.0f, w, T);
        k->mul(be, w, w, g->text.mask, nt);
        k->gemm_batched(be, 0, 0, 1, E, T, 1.0f, w, T, T, g->text.x, E, (int64_t)T * E, 0.0f,
                        g->rest + window_at(g, s), E, window_stride(g), N);
    }
}

/* dR in dS_tmp, laid out as R -> drest_w (K N, T): each window weight's
 * gradient, masked, ready for the band's transpose in attend_backward */
static void follow_backward(t2v_tganc *g, t2v_backend *be)
{
    const t2v_kernels *k = be->k;
    int N = g->N, T = g->cfg.text.max_words, E = g->cfg.text.embed, K = g->K;
    int64_t nt = (int64_t)N * T;
    for (int s = 0; s < K; s++) {
        float *dw = g->drest_w + (size_t)s * nt;
        k->gemm_batched(be, 0, 1, 1, T, E, 1.0f, g->dS_tmp + window_at(g, s), E,
                        window_stride(g), g->text.x, E, (int64_t)T * E, 0.0f, dw, T, T, N);
        k->mul(be, dw, dw, g->text.mask, nt);
    }
}

void t2v_tganc_text_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps)
{
    t2v_encoder_backward_words(&g->text, be, ps, g->dS, g->cfg.attend ? g->datt_x : NULL);
}

/* K > 1: clip = the pixelwise maximum of the K moved pictures, folded in
 * one at a time: over[s-1] = relu(max so far - moved[s]), max = over + moved[s] */
static void composite_forward(t2v_tganc *g, t2v_backend *be, int64_t n)
{
    const t2v_kernels *k = be->k;
    k->copy(be, g->clip, g->moved, n);
    for (int s = 1; s < g->K; s++) {
        float *over = g->over + (size_t)(s - 1) * n;
        const float *m = g->moved + (size_t)s * n;
        k->copy(be, over, g->clip, n);
        k->axpy(be, over, -1.0f, m, n);
        k->act_forward(be, T2V_ACT_RELU, 0.0f, over, over, n);
        k->add(be, g->clip, over, m, n);
    }
}

/* dclip -> dmoved: each pixel's gradient goes to the picture whose value
 * the maximum took (on a tie, the later one) */
static void composite_backward(t2v_tganc *g, t2v_backend *be, int64_t n)
{
    const t2v_kernels *k = be->k;
    float *dmax = g->dmoved; /* block 0 carries the running max's gradient */
    k->copy(be, dmax, g->dclip, n);
    for (int s = g->K - 1; s >= 1; s--) {
        float *dm = g->dmoved + (size_t)s * n;
        k->copy(be, dm, dmax, n);
        k->act_backward(be, T2V_ACT_RELU, 0.0f, dmax, dmax, g->over + (size_t)(s - 1) * n, n);
        k->axpy(be, dm, -1.0f, dmax, n);
    }
}

void t2v_tganc_forward(t2v_tganc *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       const float *S, int training)
{
    const t2v_kernels *k = be->k;
    const t2v_tganc_cfg *c = &g->cfg;
    int N = g->N, NS = g->NS, Z = c->z_dim, Ds = t2v_tganc_stack_sent(c);
    if (c->attend)
        attend_forward(g, be, ps);
    const float *Sk = c->attend ? g->att_p : S; /* what the stack reads of the caption */
    // zs: (K N, Z + Ds), every sprite of a clip with the clip's noise
    for (int s = 0; s < g->K; s++)
        k->concat_forward(be, g->zs + (size_t)s * N * (Z + Ds), g->z, Sk + (size_t)s * N * Ds,
                          N, Z, Ds, 1);
    t2v_tganc_layer *l0 = &g->layer[0];
    t2v_linear_forward(be, l0->pre, g->zs, t2v_pdata(ps, l0->w), NULL, NS, Z + Ds,
                       (int)(l0->C * l0->L));
    norm_act_forward(g, be, ps, bufs, l0, Sk, training);
    for (int i = 1; i <= c->n_stages; i++) {
        t2v_tganc_layer *l = &g->layer[i];
        t2v_conv_forward(be, &l->geom, l->pre, g->layer[i - 1].a, t2v_pdata(ps, l->w), NULL,
                         g->ws);
        norm_act_forward(g, be, ps, bufs, l, Sk, training);
    }
    t2v_conv_forward(be, &g->out_geom, g->out_pre, g->layer[c->n_stages].a,
                     t2v_pdata(ps, g->out_w), t2v_pdata(ps, g->out_b), g->ws);
    int64_t clip = (int64_t)N * c->channels * c->frames * c->height * c->width;
    if (c->sprite_frames <= 0) {
        k->act_forward(be, T2V_ACT_TANH, 0.0f, g->clip, g->out_pre, clip);
        return;
    }
    int64_t pic = (int64_t)NS * c->channels * c->pic_h * c->pic_w;
    int T = c->frames, Hd = c->path_hidden, P2 = 2 * T * g->K;
    k->act_forward(be, T2V_ACT_TANH, 0.0f, g->picture, g->out_pre, pic);
    int Dp = t2v_tganc_path_sent(c);
    if (c->path_rest)
        rest_forward(g, be);
    else if (c->path_follow)
        follow_forward(g, be);
    /* the head's rows: N clips, or with path_each K N pictures, of Po each */
    int R = path_rows(g), Po = head_width(g);
    if (c->path_each) // zs_path (K N, Z + E): picture k's rows [z, R_k]
        for (int s = 0; s < g->K; s++)
            k->concat_forward(be, g->zs_path + (size_t)s * N * (Z + Dp), g->z,
                              g->rest + window_at(g, s), N, Z, Dp, 1);
    else if (c->attend) // the path's own input: zs_path (N, Z + Dp)
        k->concat_forward(be, g->zs_path, g->z, c->path_rest || c->path_follow ? g->rest : S, N,
                          Z, Dp, 1);
    t2v_linear_forward(be, g->path_h, c->attend ? g->zs_path : g->zs, t2v_pdata(ps, g->path_w[0]),
                       t2v_pdata(ps, g->path_b[0]), R, Z + Dp, Hd);
    for (int s = 0; s < g->K && path_pos_used(g); s++)
        k->bias_add(be, g->path_h + (size_t)s * N * Hd, t2v_pdata(ps, g->path_pos) +
                    (size_t)s * Hd, N, Hd, 1);
    k->act_forward(be, c->act, 0.2f, g->path_h, g->path_h, (int64_t)R * Hd);
    t2v_linear_forward(be, g->path_t, g->path_h, t2v_pdata(ps, g->path_w[1]),
                       t2v_pdata(ps, g->path_b[1]), R, Hd, Po);
    if (c->path_bounce) { /* path_t (K N or N K, 4) -> off, in the same order */
        k->bounce_forward(be, g->off, g->path_t, c->path_bounce == 2, NS, T, t2v_tganc_reach(c),
                          T2V_TGANC_BOUNCE_VMAX);
    } else {
        k->act_forward(be, T2V_ACT_TANH, 0.0f, g->path_t, g->path_t, (int64_t)N * P2);
        k->scale(be, g->off, g->path_t, t2v_tganc_reach(c), (int64_t)N * P2);
    }
    if (g->K == 1) {
        k->translate_forward(be, g->clip, g->picture, g->off, N, c->channels, T, c->pic_h,
                             c->pic_w, c->height, c->width, -1.0f);
        return;
    }
    if (!c->path_each) { // off (N, K, 2T) -> off_k (K, N, 2T): sprite-major, as the pictures
        int64_t shape[3] = {N, g->K, 2 * T};
        int perm[3] = {1, 0, 2};
        k->permute(be, g->off_k, g->off, 3, shape, perm);
    }
    k->translate_forward(be, g->moved, g->picture, c->path_each ? g->off : g->off_k, NS,
                         c->channels, T, c->pic_h, c->pic_w, c->height, c->width, -1.0f);
    composite_forward(g, be, clip);
}

/* da -> dpre, and dS (the stack's sentence input S, of width D) accumulates
 * the modulation's share */
static void norm_act_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps,
                              t2v_tganc_layer *l, const float *S, float *dS)
{
    const t2v_kernels *k = be->k;
    int N = g->NS, D = t2v_tganc_stack_sent(&g->cfg);
    int64_t n = (int64_t)N * l->C * l->L;
    k->act_backward(be, g->cfg.act, 0.2f, l->da, l->da, l->a, n);
    if (g->cfg.cond_bn) {
        k->fill(be, l->dgamma, 0.0f, (int64_t)N * l->C);
        k->fill(be, l->dbeta, 0.0f, (int64_t)N * l->C);
        k->modulate_backward(be, l->dxhat, l->dgamma, l->dbeta, l->da, l->xhat, l->gamma, N, l->C,
                             l->L);
        k->batchnorm_backward(be, l->dpre, NULL, NULL, l->dxhat, l->pre, NULL, l->save_mean,
                              l->save_invstd, N, l->SC, l->SL);
        t2v_linear_backward(be, g->dS_tmp, t2v_pgrad(ps, l->mod[0]), t2v_pgrad(ps, l->mod[1]),
                            l->dgamma, S, t2v_pdata(ps, l->mod[0]), N, D, l->C);
        k->add(be, dS, dS, g->dS_tmp, (int64_t)N * D);
        t2v_linear_backward(be, g->dS_tmp, t2v_pgrad(ps, l->mod[2]), t2v_pgrad(ps, l->mod[3]),
                            l->dbeta, S, t2v_pdata(ps, l->mod[2]), N, D, l->C);
        k->add(be, dS, dS, g->dS_tmp, (int64_t)N * D);
    } else {
        k->batchnorm_backward(be, l->dpre, t2v_pgrad(ps, l->bn_g), t2v_pgrad(ps, l->bn_b), l->da,
                              l->pre, t2v_pdata(ps, l->bn_g), l->save_mean, l->save_invstd, N,
                              l->SC, l->SL);
    }
}

void t2v_tganc_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps, const float *S)
{
    const t2v_kernels *k = be->k;
    const t2v_tganc_cfg *c = &g->cfg;
    int N = g->N, NS = g->NS, Z = c->z_dim, D = c->text.sent, Ds = t2v_tganc_stack_sent(c);
    int sprite = c->sprite_frames > 0;
    int64_t clip = (int64_t)N * c->channels * c->frames * c->height * c->width;
    int64_t n = sprite ? (int64_t)NS * c->channels * c->pic_h * c->pic_w : clip;
    const float *Sk = c->attend ? g->att_p : S; /* the stack's caption input */
    float *dSk = c->attend ? g->datt_p : g->dS;
    k->fill(be, g->dS, 0.0f, (int64_t)N * D);
    if (c->attend)
        k->fill(be, g->datt_p, 0.0f, (int64_t)NS * Ds);
    if (sprite) {
        int T = c->frames, Hd = c->path_hidden, P2 = 2 * T * g->K;
        if (g->K == 1) {
            k->translate_backward(be, g->dpicture, g->doff, g->dclip, g->picture, g->off, N,
                                  c->channels, T, c->pic_h, c->pic_w, c->height, c->width,
                                  -1.0f);
        } else { /* the offsets sprite-major: with path_each as the head wrote them */
            composite_backward(g, be, clip);
            k->translate_backward(be, g->dpicture, c->path_each ? g->doff : g->doff_k, g->dmoved,
                                  g->picture, c->path_each ? g->off : g->off_k, NS, c->channels,
                                  T, c->pic_h, c->pic_w, c->height, c->width, -1.0f);
            int64_t shape[3] = {g->K, N, 2 * T};
            int perm[3] = {1, 0, 2};
            if (!c->path_each)
                k->permute(be, g->doff, g->doff_k, 3, shape, perm);
        }
        int R = path_rows(g), Po = head_width(g);
        if (c->path_bounce) {
            /* the gate's sharpening weight is per row of the mean over the
             * batch's pictures */
            k->bounce_backward(be, g->dpath_t, g->doff, g->path_t, c->path_bounce == 2, NS, T,
                               t2v_tganc_reach(c), T2V_TGANC_BOUNCE_VMAX,
                               g->axis_sharpen / (float)NS);
        } else {
            k->scale(be, g->dpath_t, g->doff, t2v_tganc_reach(c), (int64_t)N * P2);
            k->act_backward(be, T2V_ACT_TANH, 0.0f, g->dpath_t, g->dpath_t, g->path_t,
                            (int64_t)N * P2);
        }
        t2v_linear_backward(be, g->dpath_h, t2v_pgrad(ps, g->path_w[1]),
                            t2v_pgrad(ps, g->path_b[1]), g->dpath_t, g->path_h,
                            t2v_pdata(ps, g->path_w[1]), R, Hd, Po);
        k->act_backward(be, c->act, 0.2f, g->dpath_h, g->dpath_h, g->path_h, (int64_t)R * Hd);
        for (int s = 0; s < g->K && path_pos_used(g); s++)
            k->bias_backward(be, t2v_pgrad(ps, g->path_pos) + (size_t)s * Hd,
                             g->dpath_h + (size_t)s * N * Hd, N, Hd, 1);
        t2v_linear_backward(be, g->dzs_path, t2v_pgrad(ps, g->path_w[0]),
                            t2v_pgrad(ps, g->path_b[0]), g->dpath_h,
                            c->attend ? g->zs_path : g->zs, t2v_pdata(ps, g->path_w[0]), R,
                            Z + t2v_tganc_path_sent(c), Hd);
    }
    k->act_backward(be, T2V_ACT_TANH, 0.0f, g->dout_pre, sprite ? g->dpicture : g->dclip,
                    sprite ? g->picture : g->clip, n);
    t2v_tganc_layer *last = &g->layer[c->n_stages];
    t2v_conv_backward(be, &g->out_geom, last->da, t2v_pgrad(ps, g->out_w),
                      t2v_pgrad(ps, g->out_b), g->dout_pre, last->a, t2v_pdata(ps, g->out_w),
                      g->ws);
    for (int i = c->n_stages; i >= 1; i--) {
        t2v_tganc_layer *l = &g->layer[i];
        norm_act_backward(g, be, ps, l, Sk, dSk);
        t2v_conv_backward(be, &l->geom, g->layer[i - 1].da, t2v_pgrad(ps, l->w), NULL, l->dpre,
                          g->layer[i - 1].a, t2v_pdata(ps, l->w), g->ws);
    }
    t2v_tganc_layer *l0 = &g->layer[0];
    norm_act_backward(g, be, ps, l0, Sk, dSk);
    t2v_linear_backward(be, g->dzs, t2v_pgrad(ps, l0->w), NULL, l0->dpre, g->zs,
                        t2v_pdata(ps, l0->w), NS, Z + Ds, (int)(l0->C * l0->L));
    if (sprite && !c->attend) /* the path read zs too */
        k->add(be, g->dzs, g->dzs, g->dzs_path, (int64_t)N * (Z + D));
    for (int s = 0; s < g->K; s++) { /* each sprite's share of dz, and of its caption input */
        float *dz = s ? g->dz_path : g->dz;
        k->concat_backward(be, dz, g->dS_tmp, g->dzs + (size_t)s * N * (Z + Ds), N, Z, Ds, 1);
        if (s)
            k->add(be, g->dz, g->dz, g->dz_path, (int64_t)N * Z);
        k->add(be, dSk + (size_t)s * N * Ds, dSk + (size_t)s * N * Ds, g->dS_tmp,
               (int64_t)N * Ds);
    }
    if (c->attend) { /* the path's input zs_path, then the attention under P (and R) */
        int Dp = t2v_tganc_path_sent(c);
        for (int s = 0; s < (c->path_each ? g->K : 1); s++) { /* dR as R is laid out */
            k->concat_backward(be, g->dz_path, g->dS_tmp + window_at(g, s),
                               g->dzs_path + (size_t)s * N * (Z + Dp), N, Z, Dp, 1);
            k->add(be, g->dz, g->dz, g->dz_path, (int64_t)N * Z);
        }
        if (c->path_rest)
            rest_backward(g, be); /* dR stays in dS_tmp for attend_backward's dx */
        else if (c->path_follow)
            follow_backward(g, be); /* as for the rest */
        else
            k->add(be, g->dS, g->dS, g->dS_tmp, (int64_t)N * D);
        attend_backward(g, be, ps);
    }
}
