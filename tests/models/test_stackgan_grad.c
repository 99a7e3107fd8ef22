/* StackGAN networks: Conditioning Augmentation's sample, KL value and
 * gradients against closed forms in double precision; the output shapes of
 * both stages at the test, CPU and paper sizes; and every parameter's
 * gradient against central finite differences (strictly with tanh
 * activations, statistically with the ReLU / LeakyReLU ones it trains
 * with). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "models/stackgan.h"
#include "fd_check.h"
#include "t2v_test.h"

static double EPS = 2e-3;
#define ATOL 3e-3

static t2v_backend *be;

static double sum_dev(const float *dev, size_t n, double scale)
{
    float *h = malloc(n * sizeof *h);
    fd_download(be, h, dev, n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += h[i];
    free(h);
    return s * scale;
}

typedef fd_loss_fn loss_fn;

/* Analytic gradients (already in ps) against central differences of loss()
 * for three entries of every parameter. smooth: every entry inside 5% +
 * ATOL. Else (ReLU under batch statistics, as in test_tganc_grad.c) the
 * check is statistical: the difference quotient measures a slope smoothed
 * over the kinks a step crosses, so the median relative error must be
 * small and at most 30% of the entries may miss the band; the strict tanh
 * runs of the same code are what pins every gradient. */
static void check_params(t2v_params *ps, loss_fn loss, void *ctx, const char *what, int smooth)
{
    fd_result r;
    fd_compare_params(be, ps, loss, ctx, EPS, ATOL, 2048, &r);
    int bad = r.bad, checked = r.checked;
    double median = r.median, worst = r.worst;
    const char *worst_name = r.worst_name;
    if (smooth)
        T2V_CHECK(bad == 0 && checked > 0,
                  "%s: all %d parameter entries match central differences (median relative "
                  "error %.4f, worst %.3f in %s)", what, checked, median, worst, worst_name);
    else
        T2V_CHECK(median < 0.03 && bad * 10 <= checked * 3,
                  "%s: %d parameter entries against central differences: median relative error "
                  "%.4f, %d outside 5%%, worst %.3f (%s)", what, checked, median, bad, worst,
                  worst_name);
}

static void randomise(t2v_params *ps, float std, uint64_t seed)
{
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        if (strstr(p->name, "bn.") || strstr(p->name, "bias"))
            continue;
        t2v_init_normal(be, p->t.data, t2v_tensor_numel(&p->t), 0.0f, std, seed, (uint64_t)i);
    }
}

/* ---- Conditioning Augmentation against closed forms ----------------------- */

typedef struct ca_case {
    t2v_sg_ca ca;
    t2v_params ps;
    t2v_arena arena;
    float *S;
} ca_case;

static void ca_plan(void *ctx, t2v_plan *p)
{
    ca_case *c = ctx;
    t2v_sg_ca_plan(&c->ca, p);
    c->S = t2v_plan_floats(p, (size_t)p->N * 4);
}

static void check_ca(void)
{
    enum { N = 3, SENT = 4, CD = 5 };
    ca_case c;
    memset(&c, 0, sizeof c);
    t2v_params_init(&c.ps, be);
    T2V_CHECK(t2v_sg_ca_declare(&c.ca, SENT, CD, T2V_ACT_NONE, &c.ps, "ca") == T2V_OK,
              "CA declares");
    t2v_params_allocate(&c.ps, 0);
    fd_plan_twice(be, &c.arena, ca_plan, &c, N);
    float Wm[CD * SENT], Wl[CD * SENT], bm[CD], bl[CD], S[N * SENT], eps[N * CD], dc[N * CD];
    t2v_rng_normal_host(Wm, CD * SENT, 1, 0, 0);
    t2v_rng_normal_host(Wl, CD * SENT, 1, 1, 0);
    t2v_rng_normal_host(bm, CD, 1, 2, 0);
    t2v_rng_normal_host(bl, CD, 1, 3, 0);
    t2v_rng_normal_host(S, N * SENT, 1, 4, 0);
    t2v_rng_normal_host(eps, N * CD, 1, 5, 0);
    t2v_rng_normal_host(dc, N * CD, 1, 6, 0);
    for (int i = 0; i < CD * SENT; i++)
        Wl[i] *= 0.5f;
    fd_upload(be, t2v_pdata(&c.ps, c.ca.w_mu), Wm, CD * SENT);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.w_lv), Wl, CD * SENT);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.b_mu), bm, CD);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.b_lv), bl, CD);
    fd_upload(be, c.S, S, N * SENT);
    fd_upload(be, c.ca.eps, eps, N * CD);
    t2v_sg_ca_forward(&c.ca, be, &c.ps, c.S);
    const double w = 2.0; /* KL weight; the mean over N x c elements */
    t2v_sg_ca_kl(&c.ca, be, (float)(w / (N * CD)));
    fd_upload(be, c.ca.dc, dc, N * CD);
    t2v_params_zero_grad(&c.ps);
    t2v_sg_ca_backward(&c.ca, be, &c.ps, c.S, 1);
    /* reference, double precision: L = sum dc * c_hat + w * mean KL */
    double mu[N * CD], lv[N * CD], ch[N * CD], kl[N * CD], gmu[N * CD], glv[N * CD];
    double dWm[CD * SENT] = {0}, dWl[CD * SENT] = {0}, dS[N * SENT] = {0};
    double klsum = 0.0;
    for (int n = 0; n < N; n++)
        for (int j = 0; j < CD; j++) {
            int i = n * CD + j;
            mu[i] = bm[j];
            lv[i] = bl[j];
            for (int k = 0; k < SENT; k++) {
                mu[i] += (double)Wm[j * SENT + k] * S[n * SENT + k];
                lv[i] += (double)Wl[j * SENT + k] * S[n * SENT + k];
            }
            double sigma = exp(0.5 * lv[i]);
            ch[i] = mu[i] + sigma * eps[i];
            kl[i] = 0.5 * (mu[i] * mu[i] + exp(lv[i]) - 1.0 - lv[i]);
            klsum += kl[i];
            gmu[i] = dc[i] + w / (N * CD) * mu[i];
            glv[i] = dc[i] * eps[i] * 0.5 * sigma + w / (N * CD) * 0.5 * (exp(lv[i]) - 1.0);
            for (int k = 0; k < SENT; k++) {
                dWm[j * SENT + k] += gmu[i] * S[n * SENT + k];
                dWl[j * SENT + k] += glv[i] * S[n * SENT + k];
                dS[n * SENT + k] += gmu[i] * Wm[j * SENT + k] + glv[i] * Wl[j * SENT + k];
            }
        }
    float got[N * CD];
    fd_download(be, got, c.ca.c_hat, N * CD);
    t2v_check_arrays(got, ch, N * CD, 1e-5, 1e-5, "CA sample c = mu + exp(logvar/2) eps");
    fd_download(be, got, c.ca.kl, N * CD);
    t2v_check_arrays(got, kl, N * CD, 1e-5, 1e-5,
                     "CA KL per element 0.5 (mu^2 + exp(logvar) - 1 - logvar)");
    T2V_CHECK(klsum > 0.1, "CA KL of a non-standard posterior is positive (%.4f)", klsum);
    float gw[CD * SENT], gS[N * SENT];
    fd_download(be, gw, t2v_pgrad(&c.ps, c.ca.w_mu), CD * SENT);
    t2v_check_arrays(gw, dWm, CD * SENT, 1e-5, 1e-4, "CA gradient of the mu weights (KL + sample)");
    fd_download(be, gw, t2v_pgrad(&c.ps, c.ca.w_lv), CD * SENT);
    t2v_check_arrays(gw, dWl, CD * SENT, 1e-5, 1e-4,
                     "CA gradient of the logvar weights (KL + reparameterisation)");
    fd_download(be, gS, c.ca.dS, N * SENT);
    t2v_check_arrays(gS, dS, N * SENT, 1e-5, 1e-4, "CA gradient w.r.t. the sentence vector");
    /* the KL vanishes at the prior: mu = 0, logvar = 0 */
    float zero[CD * SENT] = {0};
    fd_upload(be, t2v_pdata(&c.ps, c.ca.w_mu), zero, CD * SENT);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.w_lv), zero, CD * SENT);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.b_mu), zero, CD);
    fd_upload(be, t2v_pdata(&c.ps, c.ca.b_lv), zero, CD);
    t2v_sg_ca_forward(&c.ca, be, &c.ps, c.S);
    t2v_sg_ca_kl(&c.ca, be, 1.0f);
    double at_prior = sum_dev(c.ca.kl, N * CD, 1.0);
    fd_download(be, got, c.ca.c_hat, N * CD);
    double dev = 0.0;
    for (int i = 0; i < N * CD; i++)
        dev = fmax(dev, fabs(got[i] - eps[i]));
    T2V_CHECK(fabs(at_prior) < 1e-6 && dev < 1e-6,
              "CA at the prior: KL %.2g, sample equals eps (max diff %.2g)", at_prior, dev);
    t2v_arena_release(&c.arena);
    t2v_params_free(&c.ps);
}

/* ---- shapes ------------------------------------------------------------------ */

static void check_shapes(void)
{
    struct { const char *name; t2v_stackgan_cfg cfg; } cases[2] = {
        {"paper", {.z_dim = 100, .c_dim = 128, .gf = 128, .size1 = 64, .res1 = 1, .gf2 = 128,
                   .n_res2 = 4, .channels = 3, .act = T2V_ACT_RELU, .ca_act = T2V_ACT_LRELU,
                   .text = {.vocab = 50, .embed = 16, .hidden = 16, .sent = 256,
                            .max_words = 24}}},
        {"test", {.z_dim = 4, .c_dim = 3, .gf = 1, .size1 = 16, .res1 = 0, .gf2 = 2,
                  .n_res2 = 0, .channels = 1, .act = T2V_ACT_RELU, .ca_act = T2V_ACT_NONE,
                  .text = {.vocab = 9, .embed = 4, .hidden = 3, .sent = 5, .max_words = 6}}},
    };
    for (int k = 0; k < 2; k++) {
        t2v_params ps, bufs;
        t2v_params_init(&ps, be);
        t2v_params_init(&bufs, be);
        t2v_stackgan *g = calloc(1, sizeof *g);
        t2v_status s = t2v_stackgan_declare(g, &cases[k].cfg, &ps, &bufs);
        const t2v_stackgan_cfg *c = &g->cfg;
        const t2v_sg_chain *a = &g->s1.net, *b = &g->s2.net;
        const t2v_sg_node *o1 = &a->node[a->n - 1], *o2 = &b->node[b->n - 1];
        T2V_CHECK(s == T2V_OK && o1->C == c->channels && o1->H == c->size1 &&
                      o1->W == c->size1 && o2->C == c->channels && o2->H == 4 * c->size1 &&
                      o2->W == 4 * c->size1,
                  "%s sizes: Stage I gives (%d, %d, %d), Stage II (%d, %d, %d)", cases[k].name,
                  o1->C, o1->H, o1->W, o2->C, o2->H, o2->W);
        T2V_CHECK(a->node[0].kind == T2V_SG_FC && a->node[0].C == 8 * c->gf &&
                      a->node[0].H == 4 && a->in_numel == c->c_dim + c->z_dim,
                  "%s Stage I: concat(c, z) of %lld -> FC -> (%d, 4, 4)", cases[k].name,
                  (long long)a->in_numel, a->node[0].C);
        int join = -1, res = 0, ups = 0;
        for (int i = 0; i < b->n; i++) {
            join = b->node[i].kind == T2V_SG_JOIN ? i : join;
            res += b->node[i].kind == T2V_SG_ADD;
            ups += b->node[i].kind == T2V_SG_UP;
        }
        T2V_CHECK(join == 3 && b->node[2].H == c->size1 / 4 && b->node[2].C == 4 * c->gf2 &&
                      b->node[join].C == 4 * c->gf2 + c->c_dim && res == c->n_res2 && ups == 4,
                  "%s Stage II: encodes to (%d, %d, %d), joins c to %d channels, %d residual "
                  "blocks, 4 doublings", cases[k].name, b->node[2].C, b->node[2].H,
                  b->node[2].W, b->node[join].C, res);
        if (k == 0) {
            t2v_param *fc = t2v_params_find(&ps, "s1.fc.weight");
            t2v_param *e2 = t2v_params_find(&ps, "s2.enc2.weight");
            T2V_CHECK(fc && fc->t.shape[0] == 1024 * 16 && fc->t.shape[1] == 228 && e2 &&
                          e2->t.shape[0] == 512 && e2->t.shape[1] == 256 && e2->t.shape[3] == 4,
                      "paper parameter shapes: s1.fc (16384, 228), s2.enc2 (512, 256, 1, 4, 4)");
        }
        free(g);
        t2v_params_free(&ps);
        t2v_params_free(&bufs);
    }
    t2v_stackgan_cfg bad = cases[1].cfg;
    bad.size1 = 48;
    T2V_CHECK(t2v_stackgan_check(&bad) == T2V_ERR_INVALID, "size 48 is refused: %s",
              t2v_last_error());
    bad = cases[0].cfg;
    bad.layered = 3;
    T2V_CHECK(t2v_stackgan_check(&bad) == T2V_ERR_INVALID, "layered 3 is refused: %s",
              t2v_last_error());
    int sides[5] = {40, 5, 96, 20, 24};
    for (int i = 0; i < 5; i++) {
        bad = cases[0].cfg;
        bad.layered = i < 4;
        bad.layer_side = sides[i];
        T2V_CHECK(t2v_stackgan_check(&bad) == T2V_ERR_INVALID,
                  "object picture side %d%s is refused: %s", sides[i],
                  i < 4 ? "" : " without the layered Stage I", t2v_last_error());
    }
    /* the layered paper Stage I: an object chain of the background's shape
     * with one more output channel (alpha), and the position head */
    t2v_params ps, bufs;
    t2v_params_init(&ps, be);
    t2v_params_init(&bufs, be);
    t2v_sg_stage1 *s1 = calloc(1, sizeof *s1);
    t2v_stackgan_cfg lay = cases[0].cfg;
    lay.layered = 1;
    lay.layer_side = 48;
    t2v_status st = t2v_sg_stage1_declare(s1, &lay, &ps, &bufs);
    t2v_param *ow = t2v_params_find(&ps, "s1.obj.out.weight");
    t2v_param *bw = t2v_params_find(&ps, "s1.out.weight");
    t2v_param *p1 = t2v_params_find(&ps, "s1.pos.fc1.weight");
    t2v_param *p2 = t2v_params_find(&ps, "s1.pos.fc2.weight");
    const t2v_sg_node *lo = &s1->layer.pic.node[s1->layer.pic.n - 1];
    T2V_CHECK(st == T2V_OK && ow && bw && p1 && p2 && ow->t.shape[0] == 4 &&
                  bw->t.shape[0] == 3 && ow->t.shape[1] == bw->t.shape[1] &&
                  p1->t.shape[1] == 228 && p2->t.shape[0] == 2 && lo->H == 48 && lo->W == 48 &&
                  s1->layer.pic.node[0].H == 3 && s1->layer.pic.n == s1->net.n,
              "layered paper Stage I: object picture (%d, %d, %d) from 3x3 through a chain of "
              "%d nodes like the background's %d, position head 228 -> %d -> 2",
              ow ? (int)ow->t.shape[0] : -1, lo->H, lo->W, s1->layer.pic.n, s1->net.n,
              p1 ? (int)p1->t.shape[0] : -1);
    free(s1);
    t2v_params_free(&ps);
    t2v_params_free(&bufs);
}

/* ---- Stage I's FC statistics per unit ----------------------------------------- */

static void stage1_plan(void *ctx, t2v_plan *p) { t2v_sg_stage1_plan(ctx, be, p); }

/* With unit_norm0 the FC layer's output is normalised per unit over the
 * batch: out = tanh(g_u (pre_u - mean_u) / sqrt(var_u + eps) + b_u) for
 * every unit u = (channel, position), checked in double precision. (The
 * backward pass is the batch-norm kernel with the same (groups, length)
 * layout, gradient-checked by test_tganc_grad's per-unit generator; a
 * difference quotient through statistics over a handful of items is
 * dominated by float rounding.) */
static void check_unit_norm(void)
{
    enum { N = 8 };
    t2v_sg_stage1 *s1 = calloc(1, sizeof *s1);
    t2v_arena arena = {0};
    t2v_stackgan_cfg cfg = {.z_dim = 3, .c_dim = 2, .gf = 1, .size1 = 16, .res1 = 1,
                            .unit_norm0 = 1, .gf2 = 1, .n_res2 = 1, .channels = 3,
                            .act = T2V_ACT_TANH, .ca_act = T2V_ACT_TANH,
                            .text = {.vocab = 9, .embed = 4, .hidden = 3, .sent = 5,
                                     .max_words = 6}};
    t2v_params ps, bufs;
    t2v_params_init(&ps, be);
    t2v_params_init(&bufs, be);
    t2v_status s = t2v_sg_stage1_declare(s1, &cfg, &ps, &bufs);
    t2v_param *bg = t2v_params_find(&ps, "s1.fc.bn.weight");
    T2V_CHECK(s == T2V_OK && bg && bg->t.shape[0] == 8 * 16,
              "per-unit FC: one scale per unit, 8 channels x 4x4 = %lld",
              bg ? (long long)bg->t.shape[0] : -1LL);
    t2v_params_allocate(&ps, 0);
    t2v_params_allocate(&bufs, 0);
    fd_plan_twice(be, &arena, stage1_plan, s1, N);
    t2v_sg_stage1_init(s1, be, &ps, &bufs, 5);
    randomise(&ps, 0.3f, 17);
    /* scales and shifts away from 1 and 0, so a wrong pairing shows */
    t2v_init_normal(be, t2v_pdata(&ps, s1->net.node[0].bn_g), 128, 0.8f, 0.3f, 3, 1);
    t2v_init_normal(be, t2v_pdata(&ps, s1->net.node[0].bn_b), 128, 0.0f, 0.3f, 3, 2);
    float S[N * 5], z[N * 3], eps[N * 2];
    t2v_rng_normal_host(S, N * 5, 4, 0, 0);
    t2v_rng_normal_host(z, N * 3, 4, 1, 0);
    t2v_rng_normal_host(eps, N * 2, 4, 2, 0);
    fd_upload(be, s1->text.S, S, N * 5); /* the sentence vectors, without the encoder */
    fd_upload(be, s1->z, z, N * 3);
    fd_upload(be, s1->ca.eps, eps, N * 2);
    t2v_sg_stage1_forward(s1, be, &ps, &bufs, s1->text.S, 1);
    const t2v_sg_node *fc = &s1->net.node[0];
    enum { U = 128 };
    float pre[N * U], out[N * U], g[U], b[U];
    fd_download(be, pre, fc->pre, N * U);
    fd_download(be, out, fc->out, N * U);
    fd_download(be, g, t2v_pdata(&ps, fc->bn_g), U);
    fd_download(be, b, t2v_pdata(&ps, fc->bn_b), U);
    double worst = 0.0, spread = 0.0;
    for (int k = 0; k < U; k++) {
        double m = 0.0, v = 0.0;
        for (int n = 0; n < N; n++)
            m += pre[n * U + k] / (double)N;
        for (int n = 0; n < N; n++)
            v += (pre[n * U + k] - m) * (pre[n * U + k] - m) / N;
        for (int n = 0; n < N; n++) {
            double want = tanh(g[k] * (pre[n * U + k] - m) / sqrt(v + 1e-5) + b[k]);
            worst = fmax(worst, fabs(out[n * U + k] - want));
            spread = fmax(spread, fabs(out[n * U + k] - out[k]));
        }
    }
    T2V_CHECK(worst < 1e-4 && spread > 0.1,
              "per-unit FC statistics: every unit normalised over the batch of %d (max error "
              "%.2g; outputs vary across the batch by up to %.2f)", N, worst, spread);
    t2v_arena_release(&arena);
    t2v_params_free(&ps);
    t2v_params_free(&bufs);
    free(s1);
}

/* ---- finite differences ----------------------------------------------------- */

#define NB 2

typedef struct gen_case {
    t2v_sg_stage1 s1;
    t2v_sg_stage2 s2;
    t2v_params ps, bufs;
    t2v_arena arena;
    int stage;
    int32_t ids[NB * 6];
    int len[NB];
    float *S, *img1, *w;
    float *hc, *mask, *alpha1;  /* repainting: the word features it reads, Stage I's alpha */
    size_t out_n;
    double kl_w;
    /* glyph losses on the picture before its move and on the tint (a
     * trainer's object discriminator), through the layer's dpic_add and
     * dtint_add: weights on the host, their gradients on the device */
    float *w_pic, *w_tint;
    float *d_pic, *d_tint;
    size_t pic_n, tint_n;
} gen_case;

static void gen_plan(void *ctx, t2v_plan *p)
{
    gen_case *c = ctx;
    if (c->stage == 1) {
        t2v_sg_stage1_plan(&c->s1, be, p);
    } else {
        t2v_sg_stage2_plan(&c->s2, be, p);
        c->S = t2v_plan_floats(p, (size_t)NB * 5);
        c->img1 = t2v_plan_floats(p, (size_t)NB * 3 * 16 * 16);
        c->hc = t2v_plan_floats(p, (size_t)NB * 6 * 6);
        c->mask = t2v_plan_floats(p, (size_t)NB * 6);
        c->alpha1 = t2v_plan_floats(p, (size_t)NB * 16 * 16);
        c->s2.hc = c->hc;
        c->s2.mask = c->mask;
        c->s2.alpha1 = c->alpha1;
    }
    if (c->pic_n) {
        c->d_pic = t2v_plan_floats(p, c->pic_n);
        c->d_tint = t2v_plan_floats(p, c->tint_n);
    }
}

/* sum w * image + kl_w * mean KL; `encode` 0: Stage I reads the
 * encoder's outputs as they are (S, x, hc), fixed inputs */
static double gen_loss_as(gen_case *c, int encode)
{
    t2v_sg_ca *ca;
    const float *img;
    if (c->stage == 1) {
        if (encode)
            t2v_encoder_forward(&c->s1.text, be, &c->ps, c->ids, c->len);
        t2v_sg_stage1_forward(&c->s1, be, &c->ps, &c->bufs, c->s1.text.S, 1);
        ca = &c->s1.ca;
        img = c->s1.img;
    } else {
        t2v_sg_stage2_forward(&c->s2, be, &c->ps, &c->bufs, c->img1, c->S, 1);
        ca = &c->s2.ca;
        img = c->s2.img;
    }
    size_t nc = (size_t)NB * ca->c;
    t2v_sg_ca_kl(ca, be, (float)(c->kl_w / (double)nc));
    double glyph = 0.0;
    if (c->pic_n)
        glyph = fd_weighted(be, t2v_sg_glyph_picture(&c->s1), c->w_pic, c->pic_n, NULL) +
                fd_weighted(be, c->s1.layer.tint, c->w_tint, c->tint_n, NULL);
    double reg = 0.0;
    if (c->stage == 2 && c->s2.reg > 0.0f) { /* reg mean(r^2) of the residual's correction */
        float *r = malloc(c->out_n * sizeof *r);
        fd_download(be, r, c->s2.net.node[c->s2.net.n - 1].out, c->out_n);
        for (size_t i = 0; i < c->out_n; i++)
            reg += (double)r[i] * r[i];
        reg *= c->s2.reg / (double)c->out_n;
        free(r);
    }
    return fd_weighted(be, img, c->w, c->out_n, NULL) + sum_dev(ca->kl, nc, c->kl_w / (double)nc) +
           glyph + reg;
}

static double gen_loss(void *ctx) { return gen_loss_as(ctx, 1); }

/* The tint's word features: the layer's dhc (after a backward) against
 * central differences of the loss in each entry of the encoder's hc,
 * Stage I rerun on the perturbed features. */
static void check_word_features_grad(gen_case *c)
{
    const t2v_sg_stage1 *s1 = &c->s1;
    int n = NB * s1->cfg.text.max_words * 2 * s1->cfg.text.hidden;
    float *hc = malloc((size_t)n * sizeof(float)), *dhc = malloc((size_t)n * sizeof(float));
    fd_download(be, hc, s1->text.hc, (size_t)n);
    fd_download(be, dhc, s1->layer.dhc, (size_t)n);
    double worst = 0.0, largest = 0.0;
    for (int i = 0; i < n; i++) {
        float keep = hc[i], v;
        double l[2];
        for (int k = 0; k < 2; k++) {
            v = keep + (k ? -1.0f : 1.0f) * (float)EPS;
            fd_upload(be, s1->text.hc + i, &v, 1);
            l[k] = gen_loss_as(c, 0);
        }
        fd_upload(be, s1->text.hc + i, &keep, 1);
        double num = (l[0] - l[1]) / (2.0 * EPS);
        worst = fmax(worst, fabs(num - dhc[i]) / fmax(0.05, fabs(num)));
        largest = fmax(largest, fabs(num));
    }
    T2V_CHECK(worst < 0.02 && largest > 0.01,
              "glyph Stage I, the tint's word attention: all %d entries of the word features' "
              "gradient match central differences (worst relative error %.2g; gradients up to "
              "%.3f)", n, worst, largest);
    free(hc);
    free(dhc);
}

/* n weights uniform in [-1, 1) from stream `stream` */
static float *signed_weights(size_t n, uint64_t stream)
{
    float *w = malloc(n * sizeof *w);
    t2v_rng_uniform_host(w, n, 3, stream, 0);
    for (size_t i = 0; i < n; i++)
        w[i] = 2.0f * w[i] - 1.0f;
    return w;
}

/* The layered Stage I's last forward against double precision: the
 * position head's offsets from concat(c, z), and every pixel of
 * bg + alpha (colour - bg) with the object picture read bilinearly at
 * (i - down, j - right), -1 outside it. */
static void check_layer_reference(t2v_sg_stage1 *s1, t2v_params *ps)
{
    enum { C = 3, SIDE = 16, L = SIDE * SIDE, HID = T2V_SG_POS_HIDDEN };
    const t2v_sg_layer *y = &s1->layer;
    int K = s1->cfg.c_dim + s1->cfg.z_dim, P = y->side, corner = (SIDE - P) / 2;
    float zc[NB * 16], w1[HID * 16], b1[HID], w2[2 * HID], b2[2], off[NB * 2];
    float bg[NB * C * L], pic[NB * (C + 1) * L], img[NB * C * L]; /* pic: P x P */
    fd_download(be, zc, s1->zc, (size_t)NB * K);
    fd_download(be, w1, t2v_pdata(ps, y->pos_w[0]), (size_t)HID * K);
    fd_download(be, b1, t2v_pdata(ps, y->pos_b[0]), HID);
    fd_download(be, w2, t2v_pdata(ps, y->pos_w[1]), 2 * HID);
    fd_download(be, b2, t2v_pdata(ps, y->pos_b[1]), 2);
    fd_download(be, off, y->off, NB * 2);
    fd_download(be, bg, s1->net.node[s1->net.n - 1].out, NB * C * L);
    fd_download(be, pic, y->pic.node[y->pic.n - 1].out, (size_t)NB * (C + 1) * P * P);
    fd_download(be, img, s1->img, NB * C * L);
    double off_err = 0.0, img_err = 0.0, moved = 0.0, alpha_lo = 1.0, alpha_hi = 0.0;
    for (int n = 0; n < NB; n++) {
        double want[2];
        for (int o = 0; o < 2; o++) {
            double u = b2[o];
            for (int h = 0; h < HID; h++) {
                double v = b1[h];
                for (int i = 0; i < K; i++)
                    v += (double)w1[h * K + i] * zc[n * K + i];
                u += (double)w2[o * HID + h] * tanh(v); /* the tanh network */
            }
            want[o] = T2V_SG_POS_REACH * SIDE * tanh(u);
            off_err = fmax(off_err, fabs(want[o] - off[n * 2 + o]));
            moved = fmax(moved, fabs(want[o]));
        }
        const float *p = pic + (size_t)n * (C + 1) * P * P;
        for (int i = 0; i < SIDE; i++)
            for (int j = 0; j < SIDE; j++) {
                double r = i - corner - (double)off[n * 2];
                double q = j - corner - (double)off[n * 2 + 1];
                int r0 = (int)floor(r), q0 = (int)floor(q);
                double fr = r - r0, fq = q - q0, v[C + 1];
                for (int ch = 0; ch <= C; ch++) {
                    double acc = 0.0;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++) {
                            int rr = r0 + a, qq = q0 + b;
                            double x = rr >= 0 && rr < P && qq >= 0 && qq < P
                                           ? p[((size_t)ch * P + rr) * P + qq] : -1.0;
                            acc += (a ? fr : 1 - fr) * (b ? fq : 1 - fq) * x;
                        }
                    v[ch] = acc;
                }
                double alpha = (v[C] + 1.0) / 2.0;
                alpha_lo = fmin(alpha_lo, alpha);
                alpha_hi = fmax(alpha_hi, alpha);
                for (int ch = 0; ch < C; ch++) {
                    size_t at = ((size_t)n * C + ch) * L + i * SIDE + j;
                    double b = bg[at], want_px = b + alpha * (v[ch] - b);
                    img_err = fmax(img_err, fabs(want_px - img[at]));
                }
            }
    }
    T2V_CHECK(off_err < 1e-4 && moved > 0.5,
              "layered Stage I: the position head's offsets match double precision (max error "
              "%.2g; moves of up to %.2f px)", off_err, moved);
    T2V_CHECK(img_err < 1e-5 && alpha_hi - alpha_lo > 0.2,
              "layered Stage I, picture %dx%d: every pixel is bg + alpha (colour - bg) of the "
              "moved picture (max error %.2g; alpha %.2f .. %.2f)", P, P, img_err, alpha_lo,
              alpha_hi);
}

/* The glyph's last forward against double precision: P, the words'
 * embeddings weighted by the softmax of their scores over each caption's
 * words; the tint tanh(W zc + b); and every pixel bg + alpha (tint - bg),
 * alpha = (a + 1) / 2 of the moved one-channel picture. */
static void check_glyph_reference(gen_case *c)
{
    enum { C = 3, SIDE = 16, L = SIDE * SIDE, T = 6, E = 4 };
    t2v_sg_stage1 *s1 = &c->s1;
    const t2v_sg_layer *y = &s1->layer;
    /* the tint head's input: [Q, S, zc] with tint_words, [S, zc] with
     * tint_sent, else zc */
    int K = s1->cfg.c_dim + s1->cfg.z_dim, D = s1->cfg.tint_sent ? s1->cfg.text.sent : 0;
    int Q = s1->cfg.tint_words ? 2 * s1->cfg.text.hidden : 0, W = Q + D + K;
    float x[NB * T * E], score[9], P[NB * E], zc[NB * 16], S[NB * 8], tw[C * 32], tb[C];
    float hc[NB * T * 8], u[8];
    float bg[NB * C * L], moved[NB * L], img[NB * C * L];
    fd_download(be, x, s1->text.x, NB * T * E);
    fd_download(be, score, t2v_pdata(&c->ps, y->att_w), 9);
    fd_download(be, P, y->att_p, NB * E);
    fd_download(be, zc, s1->zc, (size_t)NB * K);
    fd_download(be, S, s1->text.S, (size_t)NB * s1->cfg.text.sent);
    fd_download(be, tw, t2v_pdata(&c->ps, y->tint_w), (size_t)C * W);
    if (Q) {
        fd_download(be, hc, s1->text.hc, (size_t)NB * T * Q);
        fd_download(be, u, t2v_pdata(&c->ps, y->tq_w), (size_t)Q);
    }
    fd_download(be, tb, t2v_pdata(&c->ps, y->tint_b), C);
    fd_download(be, bg, s1->net.node[s1->net.n - 1].out, NB * C * L);
    fd_download(be, moved, y->moved, NB * L);
    fd_download(be, img, s1->img, NB * C * L);
    if (s1->cfg.bg_flat) /* one colour per image: the chain's mean */
        for (int n = 0; n < NB; n++)
            for (int ch = 0; ch < C; ch++) {
                double mean = 0.0;
                for (int i = 0; i < L; i++)
                    mean += bg[((size_t)n * C + ch) * L + i] / L;
                for (int i = 0; i < L; i++)
                    bg[((size_t)n * C + ch) * L + i] = (float)mean;
            }
    double p_err = 0.0, img_err = 0.0, spread = 0.0;
    for (int n = 0; n < NB; n++) {
        double wsum = 0.0, w[T], top = -1e30;
        for (int t = 0; t < c->len[n]; t++)
            top = fmax(top, score[c->ids[n * 6 + t]]);
        for (int t = 0; t < c->len[n]; t++)
            wsum += w[t] = exp(score[c->ids[n * 6 + t]] - top);
        for (int e = 0; e < E; e++) {
            double want = 0.0;
            for (int t = 0; t < c->len[n]; t++)
                want += w[t] / wsum * x[(n * T + t) * E + e];
            p_err = fmax(p_err, fabs(want - P[n * E + e]));
        }
        /* the tint's words: Q = softmax(hc u) hc over the caption's words */
        double q[8] = {0}, qs[T], qtop = -1e30, qsum = 0.0;
        for (int t = 0; Q && t < c->len[n]; t++) {
            qs[t] = 0.0;
            for (int i = 0; i < Q; i++)
                qs[t] += (double)hc[(n * T + t) * Q + i] * u[i];
            qtop = fmax(qtop, qs[t]);
        }
        for (int t = 0; Q && t < c->len[n]; t++)
            qsum += qs[t] = exp(qs[t] - qtop);
        for (int t = 0; Q && t < c->len[n]; t++)
            for (int i = 0; i < Q; i++)
                q[i] += qs[t] / qsum * hc[(n * T + t) * Q + i];
        double tint[C];
        for (int ch = 0; ch < C; ch++) {
            double v = tb[ch];
            for (int i = 0; i < Q; i++)
                v += (double)tw[ch * W + i] * q[i];
            for (int i = 0; i < D; i++)
                v += (double)tw[ch * W + Q + i] * S[n * D + i];
            for (int i = 0; i < K; i++)
                v += (double)tw[ch * W + Q + D + i] * zc[n * K + i];
            tint[ch] = tanh(v);
        }
        for (int i = 0; i < L; i++) {
            double alpha = (moved[n * L + i] + 1.0) / 2.0;
            for (int ch = 0; ch < C; ch++) {
                size_t at = ((size_t)n * C + ch) * L + i;
                img_err = fmax(img_err, fabs(bg[at] + alpha * (tint[ch] - bg[at]) - img[at]));
                spread = fmax(spread, fabs(img[at] - bg[at]));
            }
        }
    }
    T2V_CHECK(p_err < 1e-5 && img_err < 1e-5 && spread > 0.05,
              "glyph Stage I: the attended words (max error %.2g) and every pixel bg + alpha "
              "(tint - bg) (max error %.2g; the glyph moves pixels by up to %.2f)%s%s", p_err,
              img_err, spread,
              Q ? ", the tint read from [Q (attended word features), S, c, z]"
              : D ? ", the tint read from [S, c, z]" : "",
              s1->cfg.bg_flat ? ", over the chain's mean colour" : "");
}

/* The residual Stage II's last forward: every pixel clamp(img1 (nearest,
 * 4x) + r, -1, 1), r the chain's output. mode 0: at initialisation, r is
 * zero (the output layer starts at zero), so img2 is img1 upsampled; 1:
 * some pixels clamped and some not; 2: none clamped (a smooth loss for
 * finite differences). */
static void check_residual_reference(gen_case *c, int mode)
{
    enum { C = 3, S1 = 16, S2 = 64 };
    size_t n2 = (size_t)NB * C * S2 * S2;
    float *img1 = malloc((size_t)NB * C * S1 * S1 * sizeof(float));
    float *r = malloc(n2 * sizeof(float)), *img = malloc(n2 * sizeof(float));
    fd_download(be, img1, c->img1, (size_t)NB * C * S1 * S1);
    fd_download(be, r, c->s2.net.node[c->s2.net.n - 1].out, n2);
    fd_download(be, img, c->s2.img, n2);
    double err = 0.0, rmax = 0.0;
    size_t clamped = 0;
    for (size_t nc = 0; nc < (size_t)NB * C; nc++)
        for (int i = 0; i < S2; i++)
            for (int j = 0; j < S2; j++) {
                size_t at = (nc * S2 + i) * S2 + j;
                double u = (double)img1[(nc * S1 + i / 4) * S1 + j / 4] + r[at];
                double want = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
                clamped += fabs(u) > 1.0;
                err = fmax(err, fabs(want - img[at]));
                rmax = fmax(rmax, fabs(r[at]));
            }
    if (mode == 0)
        T2V_CHECK(err < 1e-6 && rmax == 0.0,
                  "residual Stage II at initialisation: the correction is zero and the image "
                  "is Stage I's, upsampled 4x (max error %.2g, largest correction %.2g)", err,
                  rmax);
    else
        T2V_CHECK(err < 1e-6 && (mode == 1 ? clamped > 0 && clamped < n2 / 2 : clamped == 0),
                  "residual Stage II: every pixel is clamp(up4(img1) + r, -1, 1) (max error "
                  "%.2g; %zu of %zu clamped, corrections up to %.2f)", err, clamped, n2, rmax);
    free(img1);
    free(r);
    free(img);
}

/* The residual Stage II's output layer reads the upsampled Stage-I image
 * as its last C input channels: with only their centre taps set (0.5 from
 * each channel to itself), r = tanh(0.5 up4(img1)) everywhere. */
static void check_residual_reads_image(gen_case *c)
{
    enum { C = 3, S1 = 16, S2 = 64 };
    const t2v_sg_node *out = &c->s2.net.node[c->s2.net.n - 1];
    size_t nw = (size_t)t2v_tensor_numel(&c->ps.items[out->w].t), n2 = (size_t)NB * C * S2 * S2;
    int cin = out->g.c_in;
    float *w = calloc(nw, sizeof(float)), *r = malloc(n2 * sizeof(float));
    float *img1 = malloc((size_t)NB * C * S1 * S1 * sizeof(float));
    for (int ch = 0; ch < C; ch++)
        w[((size_t)ch * cin + (cin - C + ch)) * 9 + 4] = 0.5f;
    fd_upload(be, t2v_pdata(&c->ps, out->w), w, nw);
    t2v_sg_stage2_forward(&c->s2, be, &c->ps, &c->bufs, c->img1, c->S, 1);
    fd_download(be, r, out->out, n2);
    fd_download(be, img1, c->img1, (size_t)NB * C * S1 * S1);
    double err = 0.0;
    for (size_t nc = 0; nc < (size_t)NB * C; nc++)
        for (int i = 0; i < S2; i++)
            for (int j = 0; j < S2; j++)
                err = fmax(err, fabs(tanh(0.5 * img1[(nc * S1 + i / 4) * S1 + j / 4]) -
                                     r[(nc * S2 + i) * S2 + j]));
    T2V_CHECK(out[-1].kind == T2V_SG_IMAGE && cin == out[-1].Cin + C && err < 1e-6,
              "residual Stage II: the output layer reads [features, up4(img1)] (%d + %d "
              "channels; tanh(0.5 up4(img1)) through the image's centre taps, max error %.2g)",
              cin - C, C, err);
    memset(w, 0, nw * sizeof(float));
    fd_upload(be, t2v_pdata(&c->ps, out->w), w, nw);
    free(w);
    free(r);
    free(img1);
}

/* Stage I's image uniform in [-a, a] into c->img1. */
static void residual_img1(gen_case *c, float a)
{
    float img[NB * 3 * 256];
    t2v_rng_uniform_host(img, (size_t)NB * 3 * 256, 9, 3, 0);
    for (int i = 0; i < NB * 3 * 256; i++)
        img[i] = a * (2.0f * img[i] - 1.0f);
    fd_upload(be, c->img1, img, (size_t)NB * 3 * 256);
}

static void residual_soften(gen_case *c);

/* The clamp's gradient: with many pixels clamped, the output layer's bias
 * gradient is sum over unclamped pixels of w (1 - r^2), in double. Then
 * the output layer's weights are scaled down and Stage I's image kept
 * small, so that no pixel is clamped and finite differences see a smooth
 * loss. */
static void check_residual_clamp(gen_case *c)
{
    enum { C = 3, S2 = 64, L = S2 * S2 };
    size_t n2 = (size_t)NB * C * L;
    const t2v_sg_node *out = &c->s2.net.node[c->s2.net.n - 1];
    residual_img1(c, 0.9f);
    t2v_params_zero_grad(&c->ps);
    gen_loss(c);
    check_residual_reference(c, 1);
    fd_upload(be, c->s2.dimg, c->w, c->out_n);
    t2v_sg_stage2_backward(&c->s2, be, &c->ps, c->S, 1);
    float *r = malloc(n2 * sizeof(float)), *u = malloc(n2 * sizeof(float)), db[C];
    fd_download(be, r, out->out, n2);
    fd_download(be, u, c->s2.u, n2);
    fd_download(be, db, t2v_pgrad(&c->ps, out->b), C);
    double err = 0.0;
    for (int ch = 0; ch < C; ch++) {
        double want = 0.0;
        for (int n = 0; n < NB; n++)
            for (int i = 0; i < L; i++) {
                size_t at = ((size_t)n * C + ch) * L + i;
                if (fabs(u[at]) < 1.0)
                    want += (double)c->w[at] * (1.0 - (double)r[at] * r[at]);
            }
        err = fmax(err, fabs(want - db[ch]) / fmax(1.0, fabs(want)));
    }
    T2V_CHECK(err < 1e-4, "residual Stage II: no gradient passes a clamped pixel (the output "
              "bias's gradient against double precision, relative error %.2g)", err);
    residual_soften(c);
    free(r);
    free(u);
}

/* The output layer's weights scaled down and Stage I's image kept small:
 * no pixel clamped, a smooth loss for finite differences. */
static void residual_soften(gen_case *c)
{
    const t2v_sg_node *out = &c->s2.net.node[c->s2.net.n - 1];
    int64_t nw = t2v_tensor_numel(&c->ps.items[out->w].t);
    float *w = malloc((size_t)nw * sizeof(float));
    fd_download(be, w, t2v_pdata(&c->ps, out->w), (size_t)nw);
    for (int64_t i = 0; i < nw; i++)
        w[i] *= 0.2f;
    fd_upload(be, t2v_pdata(&c->ps, out->w), w, (size_t)nw);
    residual_img1(c, 0.3f);
    free(w);
}

/* Repainting against a double-precision reference: Q2 = softmax(hc u2)
 * hc over each caption's words, [b, g] = W [Q2, S, c2] + bias, b through
 * tanh, the gate g through the sigmoid, the matte m = g (1 - up4(alpha1)),
 * v = clamp(up4(img1) + r), img = v + m (b - v). at_init: the gate is
 * sigmoid(T2V_SG_GATE_BIAS) for both captions and the correction zero. */
static void check_repaint_reference(gen_case *c, int at_init)
{
    enum { C = 3, S1 = 16, S2 = 64, L = S2 * S2, T = 6, Q = 6, D = 5, K = 2, W = Q + D + K };
    const t2v_sg_stage2 *s2 = &c->s2;
    const t2v_sg_node *out = &s2->net.node[s2->net.n - 1];
    size_t n2 = (size_t)NB * C * L, n1 = (size_t)NB * C * S1 * S1;
    float *img1 = malloc(n1 * sizeof(float)), *r = malloc(n2 * sizeof(float));
    float *img = malloc(n2 * sizeof(float)), a1[NB * S1 * S1];
    float hc[NB * T * Q], mask[NB * T], S[NB * D], ch[NB * K], u2[Q], Wt[(C + 1) * W], bb[C + 1];
    fd_download(be, img1, c->img1, n1);
    fd_download(be, r, out->out, n2);
    fd_download(be, img, s2->img, n2);
    fd_download(be, a1, c->alpha1, NB * S1 * S1);
    fd_download(be, hc, c->hc, NB * T * Q);
    fd_download(be, mask, c->mask, NB * T);
    fd_download(be, S, c->S, NB * D);
    fd_download(be, ch, s2->ca.c_hat, NB * K);
    fd_download(be, u2, t2v_pdata(&c->ps, s2->bg_att), Q);
    fd_download(be, Wt, t2v_pdata(&c->ps, s2->bg_w), (C + 1) * W);
    fd_download(be, bb, t2v_pdata(&c->ps, s2->bg_b), C + 1);
    double err = 0.0, gate[NB], rmax = 0.0;
    for (int n = 0; n < NB; n++) {
        double a[T], amax = -1e30, z = 0.0, in[W], b[C + 1];
        for (int t = 0; t < T; t++) {
            a[t] = 0.0;
            for (int q = 0; q < Q; q++)
                a[t] += (double)hc[(n * T + t) * Q + q] * u2[q];
            if (mask[n * T + t] > 0.0f)
                amax = fmax(amax, a[t]);
        }
        for (int t = 0; t < T; t++)
            z += a[t] = mask[n * T + t] > 0.0f ? exp(a[t] - amax) : 0.0;
        for (int q = 0; q < Q; q++) {
            in[q] = 0.0;
            for (int t = 0; t < T; t++)
                in[q] += a[t] / z * hc[(n * T + t) * Q + q];
        }
        for (int d = 0; d < D; d++)
            in[Q + d] = S[n * D + d];
        for (int k = 0; k < K; k++)
            in[Q + D + k] = ch[n * K + k];
        for (int k = 0; k <= C; k++) {
            double acc = bb[k];
            for (int j = 0; j < W; j++)
                acc += (double)Wt[k * W + j] * in[j];
            b[k] = k < C ? tanh(acc) : 1.0 / (1.0 + exp(-acc));
        }
        gate[n] = b[C];
        for (int i = 0; i < S2; i++)
            for (int j = 0; j < S2; j++) {
                double m = gate[n] * (1.0 - a1[(n * S1 + i / 4) * S1 + j / 4]);
                for (int k = 0; k < C; k++) {
                    size_t at = ((size_t)(n * C + k) * S2 + i) * S2 + j;
                    double u = img1[((size_t)(n * C + k) * S1 + i / 4) * S1 + j / 4] + r[at];
                    double v = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
                    err = fmax(err, fabs(v + m * (b[k] - v) - img[at]));
                    rmax = fmax(rmax, fabs(r[at]));
                }
            }
    }
    double g0 = 1.0 / (1.0 + exp(-(double)T2V_SG_GATE_BIAS));
    if (at_init)
        T2V_CHECK(err < 1e-5 && rmax == 0.0 && fabs(gate[0] - g0) < 1e-7 &&
                      fabs(gate[1] - g0) < 1e-7,
                  "repainting Stage II at initialisation: no correction, the gate %.4f for "
                  "both captions, every pixel v + g (1 - up4(alpha1)) (b - v) with b read from "
                  "the caption (max error %.2g)", g0, err);
    else
        T2V_CHECK(err < 1e-5 && fabs(gate[0] - gate[1]) > 1e-3,
                  "repainting Stage II: every pixel is v + g (1 - up4(alpha1)) (b - v), "
                  "v = clamp(up4(img1) + r), [b, g] from FC([softmax(hc u2) hc, S, c2]) (max "
                  "error %.2g; gates %.3f, %.3f)", err, gate[0], gate[1]);
    free(img1);
    free(r);
    free(img);
}

/* layered: 0, or the object picture's side (16: the whole frame); glyph:
 * the glyph layer (an alpha picture from the attended words, a tint), 2:
 * with losses on the glyph itself added through its gradient hooks, 3: as
 * 2 with the tint reading the sentence vector too, 4: as 3 over a flat
 * background (the chain's mean colour), 5: as 4 with the tint reading the
 * words' features through its own attention too. Stage II: glyph 1 is
 * the residual Stage II (a correction of the upsampled Stage-I image,
 * clamped to [-1, 1]), 2 that correction repainting a background colour
 * read from the caption under a matte */
static void check_stage_as(int stage, t2v_act act, int layered, int glyph)
{
    gen_case *c = calloc(1, sizeof *c);
    c->stage = stage;
    if (stage == 1 && glyph >= 2) {
        c->pic_n = (size_t)NB * layered * layered;
        c->tint_n = (size_t)NB * 3;
        c->w_pic = signed_weights(c->pic_n, 7);
        c->w_tint = signed_weights(c->tint_n, 8);
    }
    c->kl_w = 0.7;
    int smooth = act == T2V_ACT_TANH;
    t2v_stackgan_cfg cfg = {.z_dim = 3, .c_dim = 2, .gf = 1, .size1 = 16, .res1 = 1, .gf2 = 1,
                            .n_res2 = 1, .channels = 3, .act = act,
                            .layered = stage == 1 && glyph ? 2
                                       : layered > 0 || (stage == 2 && glyph == 2),
                            .layer_side = layered, .tint_sent = glyph >= 3,
                            .bg_flat = glyph >= 4, .tint_words = glyph == 5,
                            .s2_residual = stage == 2 && glyph >= 1,
                            .s2_bg = stage == 2 && glyph == 2,
                            .ca_act = smooth ? T2V_ACT_TANH : T2V_ACT_LRELU,
                            .text = {.vocab = 9, .embed = 4, .hidden = 3, .sent = 5,
                                     .max_words = 6}};
    t2v_params_init(&c->ps, be);
    t2v_params_init(&c->bufs, be);
    t2v_status s = stage == 1 ? t2v_sg_stage1_declare(&c->s1, &cfg, &c->ps, &c->bufs)
                              : t2v_sg_stage2_declare(&c->s2, &cfg, &c->ps, &c->bufs);
    T2V_CHECK(s == T2V_OK, "Stage %d declares (%s)", stage, s ? t2v_last_error() : "ok");
    t2v_params_allocate(&c->ps, 0);
    t2v_params_allocate(&c->bufs, 0);
    fd_plan_twice(be, &c->arena, gen_plan, c, NB);
    if (stage == 1)
        t2v_sg_stage1_init(&c->s1, be, &c->ps, &c->bufs, 5);
    else
        t2v_sg_stage2_init(&c->s2, be, &c->ps, &c->bufs, 5);
    int residual = stage == 2 && glyph >= 1, repaint = stage == 2 && glyph == 2;
    if (stage == 2) { /* word features in [-1, 1]; captions of 6 and 3 words */
        float hc[NB * 36], mask[NB * 6] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
        t2v_rng_uniform_host(hc, NB * 36, 9, 4, 0);
        for (int i = 0; i < NB * 36; i++)
            hc[i] = 2.0f * hc[i] - 1.0f;
        fd_upload(be, c->hc, hc, NB * 36);
        fd_upload(be, c->mask, mask, NB * 6);
        float a1[NB * 256]; /* Stage I's alpha in [0, 1] */
        t2v_rng_uniform_host(a1, NB * 256, 9, 5, 0);
        fd_upload(be, c->alpha1, a1, NB * 256);
    }
    if (residual) {
        float S[NB * 5], eps0[NB * 2];
        t2v_rng_normal_host(S, NB * 5, 9, 2, 0);
        t2v_rng_normal_host(eps0, NB * 2, 9, 1, 0);
        fd_upload(be, c->S, S, NB * 5);
        fd_upload(be, c->s2.ca.eps, eps0, NB * 2);
        residual_img1(c, 0.9f);
        t2v_sg_stage2_forward(&c->s2, be, &c->ps, &c->bufs, c->img1, c->S, 1);
        if (repaint) {
            check_repaint_reference(c, 1);
        } else {
            check_residual_reference(c, 0);
            check_residual_reads_image(c);
        }
    }
    randomise(&c->ps, 0.3f, 11);
    if (glyph == 5) /* sharp scores: their path into the word features weighs */
        t2v_init_normal(be, t2v_pdata(&c->ps, c->s1.layer.tq_w), 2 * cfg.text.hidden, 0.0f,
                        3.0f, 11, 77);
    int side = stage == 1 ? 16 : 64;
    c->out_n = (size_t)NB * 3 * side * side;
    c->w = malloc(c->out_n * sizeof(float));
    t2v_rng_uniform_host(c->w, c->out_n, 3, 0, 0);
    for (size_t i = 0; i < c->out_n; i++)
        c->w[i] = 2.0f * c->w[i] - 1.0f;
    float eps[NB * 2];
    t2v_rng_normal_host(eps, NB * 2, 9, 1, 0);
    if (stage == 1) {
        int32_t ids[NB * 6] = {2, 3, 4, 5, 6, 7, 8, 2, 3, 0, 0, 0};
        memcpy(c->ids, ids, sizeof ids);
        c->len[0] = 6;
        c->len[1] = 3;
        float z[NB * 3];
        t2v_rng_normal_host(z, NB * 3, 9, 0, 0);
        fd_upload(be, c->s1.z, z, NB * 3);
        fd_upload(be, c->s1.ca.eps, eps, NB * 2);
    } else {
        float S[NB * 5], *img = malloc((size_t)NB * 3 * 256 * sizeof(float));
        t2v_rng_normal_host(S, NB * 5, 9, 2, 0);
        t2v_rng_uniform_host(img, (size_t)NB * 3 * 256, 9, 3, 0);
        for (int i = 0; i < NB * 3 * 256; i++)
            img[i] = 2.0f * img[i] - 1.0f;
        fd_upload(be, c->S, S, NB * 5);
        fd_upload(be, c->img1, img, (size_t)NB * 3 * 256);
        fd_upload(be, c->s2.ca.eps, eps, NB * 2);
        free(img);
        if (repaint) {
            residual_soften(c);
            c->s2.reg = 3000.0f;
        } else if (residual) {
            check_residual_clamp(c);
            c->s2.reg = 3000.0f; /* the correction's mean square joins the loss, weighted
                                    to matter beside the 24,576 weighted pixels */
        }
    }
    t2v_params_zero_grad(&c->ps);
    gen_loss(c);
    if (layered && smooth)
        glyph ? check_glyph_reference(c) : check_layer_reference(&c->s1, &c->ps);
    if (repaint)
        check_repaint_reference(c, 0);
    else if (residual)
        check_residual_reference(c, 2);
    if (stage == 1) { /* the glyph's attention reaches the words as well as S */
        fd_upload(be, c->s1.dimg, c->w, c->out_n);
        if (c->pic_n) {
            fd_upload(be, c->d_pic, c->w_pic, c->pic_n);
            fd_upload(be, c->d_tint, c->w_tint, c->tint_n);
            c->s1.layer.dpic_add = c->d_pic;
            c->s1.layer.dtint_add = c->d_tint;
        }
        t2v_sg_stage1_backward(&c->s1, be, &c->ps, c->s1.text.S, 1);
        t2v_encoder_backward_all(&c->s1.text, be, &c->ps, c->s1.ca.dS,
                                 glyph ? c->s1.layer.dwords : NULL,
                                 glyph == 5 ? c->s1.layer.dhc : NULL);
        if (glyph == 5)
            check_word_features_grad(c);
    } else {
        fd_upload(be, c->s2.dimg, c->w, c->out_n);
        t2v_sg_stage2_backward(&c->s2, be, &c->ps, c->S, 1);
    }
    char what[300];
    char layer[220];
    snprintf(layer, sizeof layer, "%s Stage-I G 16x16 (background, object picture %dx%d, "
             "position head%s) + encoder", glyph ? "glyph" : "layered", layered, layered,
             glyph == 5 ? ", word attention, tint head on the attended word features and S "
                          "too, flat background, losses on the glyph and tint"
             : glyph == 4 ? ", word attention, tint head on S too, flat background, losses on the "
                          "glyph and tint"
             : glyph == 3 ? ", word attention, tint head on S too, losses on the glyph and tint"
             : glyph == 2 ? ", word attention, tint head, losses on the glyph and tint"
             : glyph ? ", word attention, tint head" : "");
    snprintf(what, sizeof what, "%s (%s) with CA and KL", stage == 1 ? layered ? layer
             : "Stage-I G 16x16, residual blocks, + encoder"
             : repaint ? "repainting Stage-II G 16 -> 64 (a clamped correction of Stage I, "
                         "its mean square weighted 3000, and a background colour read from "
                         "the words painted where Stage I's alpha is not, through a gate)"
             : residual ? "residual Stage-II G 16 -> 64 (a clamped correction of Stage I, "
                          "its mean square weighted 3000)"
                        : "Stage-II G 16 -> 64, residual block",
             smooth ? "tanh" : "ReLU");
    check_params(&c->ps, gen_loss, c, what, smooth);
    free(c->w);
    free(c->w_pic);
    free(c->w_tint);
    t2v_arena_release(&c->arena);
    t2v_params_free(&c->ps);
    t2v_params_free(&c->bufs);
    free(c);
}

static void check_stage(int stage, t2v_act act, int layered)
{
    check_stage_as(stage, act, layered, 0);
}

/* The box filter by 4 (Stage II seen at Stage I's size): each output the
 * mean of its 4x4 block (against a double reference), and the backward its
 * adjoint, <down(x), y> = <x, down'(y)>. */
static void check_box_down4(void)
{
    enum { NC = 6, h = 5, H = 4 * h };
    static float x[NC * H * H], y[NC * h * h], r[NC * h * h], dx[NC * H * H], tmp[NC * 4 * h * h];
    uint32_t u = 12345;
    for (int i = 0; i < NC * H * H; i++)
        x[i] = (float)((u = u * 1664525u + 1013904223u) >> 8) / 16777216.0f * 2.0f - 1.0f;
    for (int i = 0; i < NC * h * h; i++)
        r[i] = (float)((u = u * 1664525u + 1013904223u) >> 8) / 16777216.0f * 2.0f - 1.0f;
    t2v_sg_box_down4(be, y, x, tmp, NC, h);
    double err = 0.0;
    for (int p = 0; p < NC; p++)
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++) {
                double m = 0.0;
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++)
                        m += x[(p * H + 4 * i + a) * H + 4 * j + b];
                err = fmax(err, fabs(m / 16.0 - y[(p * h + i) * h + j]));
            }
    t2v_sg_box_down4_backward(be, dx, r, tmp, NC, h);
    double lhs = 0.0, rhs = 0.0;
    for (int i = 0; i < NC * h * h; i++)
        lhs += (double)y[i] * r[i];
    for (int i = 0; i < NC * H * H; i++)
        rhs += (double)x[i] * dx[i];
    T2V_CHECK(err < 1e-6 && fabs(lhs - rhs) < 1e-5 * (1.0 + fabs(lhs)),
              "box filter by 4: block means (max error %.2g), backward its adjoint (%.7f, %.7f)",
              err, lhs, rhs);
}

int main(void)
{
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK) {
        printf("FAIL - cannot open the CPU backend: %s\n", t2v_last_error());
        return 1;
    }
    check_ca();
    check_box_down4();
    check_shapes();
    check_unit_norm();
    check_stage(1, T2V_ACT_TANH, 0);
    check_stage(1, T2V_ACT_TANH, 16);
    check_stage(1, T2V_ACT_TANH, 12);
    check_stage_as(1, T2V_ACT_TANH, 12, 1);
    check_stage_as(1, T2V_ACT_TANH, 16, 1);
    check_stage_as(1, T2V_ACT_TANH, 12, 2);
    check_stage_as(1, T2V_ACT_TANH, 12, 3);
    check_stage_as(1, T2V_ACT_TANH, 12, 4);
    check_stage_as(1, T2V_ACT_TANH, 12, 5);
    check_stage(2, T2V_ACT_TANH, 0);
    check_stage_as(2, T2V_ACT_TANH, 0, 1);
    check_stage_as(2, T2V_ACT_TANH, 0, 2);
    /* ReLU after batch norm puts many units at the kink; a smaller step
     * measures the slope with fewer crossings */
    EPS = 5e-4;
    check_stage(1, T2V_ACT_RELU, 0);
    check_stage(1, T2V_ACT_RELU, 12);
    check_stage_as(1, T2V_ACT_RELU, 12, 1);
    check_stage(2, T2V_ACT_RELU, 0);
    t2v_backend_close(be);
    return t2v_test_finish();
}
