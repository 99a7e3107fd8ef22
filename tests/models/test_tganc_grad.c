/* Gradients of the TGANs-C networks against central finite differences:
 * the generator with its sentence encoder (both batch-norm kinds), and the
 * discriminator trunks with both head kinds; spectral normalisation's sigma
 * against a double-precision power iteration. Each network is checked
 * strictly with a smooth hidden activation (tanh), and statistically with
 * the piecewise-linear one it trains with. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "models/tganc.h"
#include "fd_check.h"
#include "t2v_test.h"
#include "train/tganc/disc.h"

#define EPS 2e-3

static t2v_backend *be;

typedef fd_loss_fn loss_fn;

/* Compares analytic gradients (already in ps grads) with central
 * differences of loss() for a few entries of every parameter.
 *
 * These networks are piecewise linear (ReLU, LeakyReLU) with batch
 * statistics: with thousands of activations, any perturbation large enough
 * to rise above float32 noise crosses some kinks, and the difference
 * quotient then measures a smoothed slope. With such activations the check
 * is statistical: the median error must be small (a wrong gradient is wrong
 * almost everywhere) and at most a fifth of the entries may miss the
 * 5% + ATOL band. With smooth activations (smooth = 1) every entry must be
 * inside the band. ATOL is the float32 noise floor of the quotient. */
#define ATOL 3e-3
static int check_params(t2v_params *ps, loss_fn loss, void *ctx, const char *what, int smooth)
{
    fd_result r;
    fd_compare_params(be, ps, loss, ctx, EPS, ATOL, 1024, &r);
    int bad = r.bad, checked = r.checked;
    double median = r.median, worst = r.worst;
    const char *worst_name = r.worst_name;
    if (smooth) /* no kinks: every entry must be inside the band */
        return T2V_CHECK(bad == 0, "%s: all %d parameter entries match central differences "
                                   "(median relative error %.4f, worst %.3f in %s)",
                         what, checked, median, worst, worst_name);
    return T2V_CHECK(median < 0.02 && bad * 5 <= checked,
                     "%s: %d parameter entries against central differences: median relative "
                     "error %.4f, %d outside 5%%, worst %.3f (%s)",
                     what, checked, median, bad, worst, worst_name);
}

/* ---- generator ----------------------------------------------------------- */

#define GEN_N 3 /* clips: with 2, a per-unit batch norm's output is always +-1 */

typedef struct gen_case {
    t2v_tganc g;
    t2v_params ps, bufs;
    t2v_arena arena;
    int32_t ids[GEN_N * 6];
    int len[GEN_N];
    float *w, *tmp;
    size_t clip;
} gen_case;

static void gen_plan(void *c, t2v_plan *p) { t2v_tganc_plan(&((gen_case *)c)->g, be, p); }

/* the attention's mean entropy over the batch's captions and sprites */
static double attention_entropy(gen_case *c)
{
    float a[2 * GEN_N * 6];
    fd_download(be, a, c->g.att_a, (size_t)c->g.NS * 6);
    double h = 0.0;
    for (int i = 0; i < c->g.NS * 6; i++)
        h -= a[i] > 0.0f ? a[i] * log(a[i]) : 0.0;
    return h / c->g.NS;
}

/* the weighted clip, plus with attend the sharpening term the backward adds */
static double gen_loss(void *ctx)
{
    gen_case *c = ctx;
    t2v_encoder_forward(&c->g.text, be, &c->ps, c->ids, c->len);
    t2v_tganc_forward(&c->g, be, &c->ps, &c->bufs, c->g.text.S, 1);
    double loss = fd_weighted(be, c->g.clip, c->w, c->clip, c->tmp);
    if (c->g.cfg.attend)
        loss += c->g.attend_sharpen * attention_entropy(c);
    if (c->g.cfg.path_bounce == 2) { /* the gates' sharpening: mean of 4 s (1 - s) */
        float head[GEN_N * 5];
        fd_download(be, head, c->g.path_t, (size_t)c->g.NS * 5);
        double open = 0.0;
        for (int r = 0; r < c->g.NS; r++) {
            double s = 1.0 / (1.0 + exp(-(double)head[r * 5 + 4]));
            open += 4.0 * s * (1.0 - s);
        }
        loss += c->g.axis_sharpen * open / c->g.NS;
    }
    return loss;
}

/* With attend, P against a softmax over each caption's words of their
 * scores (plus each sprite's positional bias), written here in double
 * from the embedding, score and bias tables; with two sprites, the clip
 * against the pixelwise maximum of the two moved pictures. */
static void check_attention(gen_case *c)
{
    int K = c->g.K;
    float P[2 * GEN_N * 4], table[9 * 4], score[9], pos[2 * 6] = {0}, a[2 * GEN_N * 6];
    fd_download(be, P, c->g.att_p, (size_t)K * GEN_N * 4);
    fd_download(be, a, c->g.att_a, (size_t)K * GEN_N * 6);
    fd_download(be, table, t2v_pdata(&c->ps, c->g.text.emb), 9 * 4);
    fd_download(be, score, t2v_pdata(&c->ps, c->g.att_w), 9);
    if (K > 1)
        fd_download(be, pos, t2v_pdata(&c->ps, c->g.att_pos), (size_t)K * 6);
    double worst = 0.0, pad = 0.0;
    for (int s = 0; s < K; s++)
        for (int n = 0; n < GEN_N; n++) {
            double sc[6], mx = -1e30, sum = 0.0;
            for (int t = 0; t < c->len[n]; t++) {
                sc[t] = score[c->ids[n * 6 + t]] + (double)pos[s * 6 + t];
                mx = fmax(mx, sc[t]);
            }
            for (int t = 0; t < c->len[n]; t++)
                sum += exp(sc[t] - mx);
            for (int d = 0; d < 4; d++) {
                double p = 0.0;
                for (int t = 0; t < c->len[n]; t++)
                    p += exp(sc[t] - mx) / sum * table[c->ids[n * 6 + t] * 4 + d];
                worst = fmax(worst, fabs(P[(s * GEN_N + n) * 4 + d] - p));
            }
            for (int t = c->len[n]; t < 6; t++)
                pad = fmax(pad, fabs(a[(s * GEN_N + n) * 6 + t]));
        }
    T2V_CHECK(worst < 1e-5 && pad == 0.0,
              "attended words%s: P is the softmax-weighted word embedding (max error %.2g), "
              "padding gets no weight (max %.2g)", K > 1 ? ", two sprites" : "", worst, pad);
    int L = c->g.cfg.path_follow;
    if (L) { /* R_k = sum over real words t of (a_k,t-L + .. + a_k,t-1) x_t */
        float R[2 * GEN_N * 4];
        fd_download(be, R, c->g.rest, (size_t)K * GEN_N * 4);
        double err = 0.0, mass = 0.0;
        for (int s = 0; s < K; s++)
            for (int n = 0; n < GEN_N; n++)
                for (int d = 0; d < 4; d++) {
                    double r = 0.0;
                    for (int t = 0; t < c->len[n]; t++)
                        for (int j = 1; j <= L && j <= t; j++)
                            r += a[(s * GEN_N + n) * 6 + t - j] * table[c->ids[n * 6 + t] * 4 + d];
                    /* (N, K E), or with path_each (K N, E) */
                    int row = c->g.cfg.path_each ? s * GEN_N + n : n * K + s;
                    err = fmax(err, fabs(R[row * 4 + d] - r));
                    mass = fmax(mass, fabs(r));
                }
        T2V_CHECK(err < 1e-5 && mass > 0.1,
                  "each picture's path reads the %d words after its picture's%s (max error "
                  "%.2g, largest entry %.2g)", L, c->g.cfg.path_each ? ", one window per row"
                  : "", err, mass);
    }
    if (K > 1) {
        float *moved = malloc(2 * c->clip * sizeof *moved), *clip = malloc(c->clip * sizeof *clip);
        fd_download(be, moved, c->g.moved, 2 * c->clip);
        fd_download(be, clip, c->g.clip, c->clip);
        double err = 0.0;
        long first = 0;
        for (size_t i = 0; i < c->clip; i++) {
            err = fmax(err, fabs(clip[i] - fmax(moved[i], moved[c->clip + i])));
            first += moved[i] > moved[c->clip + i];
        }
        /* max(a, b) formed as relu(a - b) + b: within a rounding of a */
        T2V_CHECK(err < 1e-6 && first > 0 && (size_t)first < c->clip,
                  "two sprites: the clip is the pixelwise maximum of the moved pictures (max "
                  "error %.2g; the first is above in %ld of %zu pixels)", err, first, c->clip);
        free(moved);
        free(clip);
    }
}

/* path_each, tanh hidden activation: each picture's offsets (K, N, T, 2)
 * against reach tanh(W1 tanh(W0 [z, R_k] + b0 + pos_k) + b1), written here in double from the
 * head's tables, the noise and the windows (checked against their own
 * reference in check_attention) */
static void check_each_path(gen_case *c, const float *z)
{
    enum { Z = 3, E = 4, HD = 5, P = 8 }; /* the head's sizes in check_generator */
    int K = c->g.K;
    float R[2 * GEN_N * E], w0[HD * (Z + E)], b0[HD], pos[2 * HD], w1[P * HD], b1[P];
    float off[2 * GEN_N * P];
    fd_download(be, R, c->g.rest, (size_t)K * GEN_N * E);
    fd_download(be, w0, t2v_pdata(&c->ps, c->g.path_w[0]), HD * (Z + E));
    fd_download(be, b0, t2v_pdata(&c->ps, c->g.path_b[0]), HD);
    fd_download(be, pos, t2v_pdata(&c->ps, c->g.path_pos), (size_t)K * HD);
    fd_download(be, w1, t2v_pdata(&c->ps, c->g.path_w[1]), P * HD);
    fd_download(be, b1, t2v_pdata(&c->ps, c->g.path_b[1]), P);
    fd_download(be, off, c->g.off, (size_t)K * GEN_N * P);
    double reach = t2v_tganc_reach(&c->g.cfg), err = 0.0, apart = 0.0;
    for (int s = 0; s < K; s++)
        for (int n = 0; n < GEN_N; n++) {
            double in[Z + E], h[HD];
            for (int i = 0; i < Z; i++)
                in[i] = z[n * Z + i];
            for (int i = 0; i < E; i++)
                in[Z + i] = R[(s * GEN_N + n) * E + i];
            for (int j = 0; j < HD; j++) {
                double v = b0[j] + pos[s * HD + j];
                for (int i = 0; i < Z + E; i++)
                    v += w0[j * (Z + E) + i] * in[i];
                h[j] = tanh(v);
            }
            for (int o = 0; o < P; o++) {
                double v = b1[o];
                for (int j = 0; j < HD; j++)
                    v += w1[o * HD + j] * h[j];
                err = fmax(err, fabs(off[(s * GEN_N + n) * P + o] - reach * tanh(v)));
                if (s)
                    apart = fmax(apart, fabs(off[(GEN_N + n) * P + o] - off[n * P + o]));
            }
        }
    T2V_CHECK(err < 1e-5 && apart > 0.1,
              "each picture's path comes from the noise, its own window and its own bias (max "
              "error %.2g; the two pictures' paths differ by up to %.2g pixels)", err, apart);
}

/* bouncing paths: the offsets (N, K, T, 2) against reach tri(2 tanh(p0) +
 * vmax tanh(p2) w t) per axis from the head's four outputs (N, K, 4), tri
 * written here as an arcsine of a sine, w = 1, or with the axis gate's
 * fifth output a: w = 1 + tanh(a / 2) down and 1 - tanh(a / 2) right; and
 * every path stays in reach */
static void check_bounce_path(gen_case *c)
{
    int K = c->g.K, T = c->g.cfg.frames, rows = GEN_N * K, gated = c->g.cfg.path_bounce == 2;
    int P = gated ? 5 : 4;
    float head[2 * GEN_N * 5], off[2 * GEN_N * 4 * 2];
    fd_download(be, head, c->g.path_t, (size_t)rows * P);
    fd_download(be, off, c->g.off, (size_t)rows * T * 2);
    double reach = t2v_tganc_reach(&c->g.cfg), err = 0.0, moved = 0.0;
    for (int r = 0; r < rows; r++)
        for (int t = 0; t < T; t++)
            for (int a = 0; a < 2; a++) {
                double w = gated ? 1.0 + (a ? -1.0 : 1.0) * tanh(0.5 * head[r * P + 4]) : 1.0;
                double u = 2.0 * tanh(head[r * P + a]) +
                           T2V_TGANC_BOUNCE_VMAX * tanh(head[r * P + 2 + a]) * w * t;
                double want = reach * asin(sin(M_PI * u / 2.0)) * 2.0 / M_PI;
                err = fmax(err, fabs(off[(r * T + t) * 2 + a] - want));
                moved = fmax(moved, fabs(off[(r * T + t) * 2 + a] - off[r * T * 2 + a]));
            }
    T2V_CHECK(err < 1e-5 * reach && moved > 0.1,
              "bouncing paths: %d paths of %d frames from the head's %d numbers each (max "
              "error %.2g; the pictures move by up to %.2g pixels)", rows, T, P, err, moved);
}

/* sprite: 0 the clip layout; 1 the stack draws one 8x8 frame that the path
 * head moves through 4; 2 that, its picture reading the attended words;
 * 3 two such pictures, each attending with its own positional bias; 4 and 5
 * as 2 and 3 with the path head reading the rest of the caption; 6 as 4
 * with a 4x4 picture (one stage) moving within the 8x8 frame; 7 and 8 as 2
 * and 3 with the path head reading the two words after each picture's; 9
 * as 8 with each picture's path from its own window and hidden bias; 10 as
 * 6 and 11 as 8 with bouncing paths (four numbers per picture); 12 as 10
 * with the axis gate (five) */
static void check_generator(int cond_bn, int unit_norm0, int out_k, t2v_act act, int pool,
                            int sprite)
{
    gen_case c;
    memset(&c, 0, sizeof c);
    t2v_tganc_cfg cfg = {.z_dim = 3, .c0 = 4, .base = {1, 2, 2}, .n_stages = 2, .channels = 1,
                         .cond_bn = cond_bn, .unit_norm0 = unit_norm0, .out_k = out_k,
                         .act = act,
                         .text = {.vocab = 9, .embed = 4, .hidden = 3, .sent = pool ? 7 : 5,
                                  .max_words = 6, .pool = pool}};
    cfg.stage[0] = (t2v_tganc_stage){.c_out = 3, .k = {2, 4, 4}, .s = {2, 2, 2}, .p = {0, 1, 1}};
    cfg.stage[1] = (t2v_tganc_stage){.c_out = 2, .k = {4, 4, 4}, .s = {2, 2, 2}, .p = {1, 1, 1}};
    if (sprite) {
        for (int i = 0; i < 2; i++) {
            cfg.stage[i].k[0] = cfg.stage[i].s[0] = 1;
            cfg.stage[i].p[0] = 0;
        }
        cfg.sprite_frames = 4;
        cfg.path_hidden = 5;
        cfg.attend = sprite >= 2;
        cfg.sprites = sprite == 3 || sprite == 5 || sprite >= 8 ? 2 : 0;
        cfg.sprites = sprite == 11 ? 2 : sprite == 10 || sprite == 12 ? 0 : cfg.sprites;
        cfg.path_rest = (sprite >= 4 && sprite <= 6) || sprite == 10 || sprite == 12;
        /* the two words after each picture's */
        cfg.path_follow = sprite >= 7 && sprite != 10 && sprite != 12 ? 2 : 0;
        cfg.path_each = sprite == 9;
        cfg.path_bounce = sprite == 12 ? 2 : sprite >= 10;
        if (sprite == 6 || sprite == 10 || sprite == 12) {
            cfg.n_stages = 1;
            cfg.frame[0] = cfg.frame[1] = 8;
        }
    }
    t2v_params_init(&c.ps, be);
    t2v_params_init(&c.bufs, be);
    T2V_CHECK(t2v_tganc_declare(&c.g, &cfg, &c.ps, &c.bufs) == T2V_OK,
              "generator declares (%s)", t2v_last_error());
    t2v_params_allocate(&c.ps, 0);
    t2v_params_allocate(&c.bufs, 0);
    c.g.attend_sharpen = 0.7f;
    c.g.axis_sharpen = 0.9f;
    T2V_CHECK(c.g.cfg.frames == 4 && c.g.cfg.height == 8 && c.g.cfg.width == 8,
              "generator output is 4x8x8 (got %dx%dx%d)", c.g.cfg.frames, c.g.cfg.height,
              c.g.cfg.width);
    if (sprite == 6 || sprite == 10 || sprite == 12)
        T2V_CHECK(c.g.cfg.pic_h == 4 && c.g.cfg.pic_w == 4 && t2v_tganc_reach(&c.g.cfg) == 2.0f,
                  "a 4x4 picture in the 8x8 frame, reaching 2 pixels (got %dx%d, %g)",
                  c.g.cfg.pic_h, c.g.cfg.pic_w, (double)t2v_tganc_reach(&c.g.cfg));
    fd_plan_twice(be, &c.arena, gen_plan, &c, GEN_N);
    t2v_tganc_init(&c.g, be, &c.ps, &c.bufs, 5);
    /* larger weights than the GAN init, so every path carries signal */
    for (int i = 0; i < c.ps.count; i++) {
        t2v_param *p = &c.ps.items[i];
        if (strstr(p->name, "bias") || strstr(p->name, "bn."))
            continue;
        t2v_init_normal(be, p->t.data, t2v_tensor_numel(&p->t), 0.0f, 0.3f, 11, (uint64_t)i);
    }
    /* two sprites: positional biases far apart, so the two pictures differ and
     * few pixels of the maximum sit near a tie, where it has a kink */
    if (c.g.K > 1)
        t2v_init_normal(be, t2v_pdata(&c.ps, c.g.att_pos), (int64_t)c.g.K * 6, 0.0f, 3.0f, 12, 0);
    int32_t ids[GEN_N * 6] = {2, 3, 4, 5, 6, 7, 8, 2, 3, 0, 0, 0, 5, 1, 7, 8, 0, 0};
    memcpy(c.ids, ids, sizeof ids);
    c.len[0] = 6;
    c.len[1] = 3; /* padding after the third word */
    c.len[2] = 4;
    c.clip = (size_t)GEN_N * 4 * 8 * 8;
    c.w = malloc(c.clip * sizeof(float));
    c.tmp = malloc(c.clip * sizeof(float));
    t2v_rng_uniform_host(c.w, c.clip, 3, 0, 0);
    for (size_t i = 0; i < c.clip; i++)
        c.w[i] = 2.0f * c.w[i] - 1.0f;
    float z[GEN_N * 3];
    t2v_rng_normal_host(z, GEN_N * 3, 9, 0, 0);
    fd_upload(be, c.g.z, z, GEN_N * 3);
    /* analytic */
    t2v_params_zero_grad(&c.ps);
    gen_loss(&c);
    if (sprite >= 2)
        check_attention(&c);
    if (cfg.path_each && act == T2V_ACT_TANH)
        check_each_path(&c, z);
    if (cfg.path_bounce)
        check_bounce_path(&c);
    if (pool) { /* S's last E entries: the mean embedding of each caption's words */
        float S[GEN_N * 7], table[9 * 4];
        fd_download(be, S, c.g.text.S, GEN_N * 7);
        fd_download(be, table, t2v_pdata(&c.ps, c.g.text.emb), 9 * 4);
        double worst = 0.0;
        for (int n = 0; n < GEN_N; n++)
            for (int d = 0; d < 4; d++) {
                double m = 0.0;
                for (int t = 0; t < c.len[n]; t++)
                    m += table[c.ids[n * 6 + t] * 4 + d] / (double)c.len[n];
                worst = fmax(worst, fabs(S[n * 7 + 3 + d] - m));
            }
        T2V_CHECK(worst < 1e-6, "pooled sentence vector: the last 4 entries are the mean word "
                  "embedding (max error %.2g)", worst);
        double lstm = 0.0;
        for (int n = 0; n < GEN_N; n++)
            for (int d = 0; d < 3; d++)
                lstm = fmax(lstm, fabs(S[n * 7 + d]));
        if (pool == 2)
            T2V_CHECK(lstm == 0.0, "words' mean alone: the LSTM's 3 entries are 0 (max %.2g)",
                      lstm);
        else
            T2V_CHECK(lstm > 1e-3, "the LSTM's 3 entries carry its state (max %.2g)", lstm);
    }
    fd_upload(be, c.g.dclip, c.w, c.clip);
    t2v_tganc_backward(&c.g, be, &c.ps, c.g.text.S);
    t2v_tganc_text_backward(&c.g, be, &c.ps);
    char what[384];
    snprintf(what, sizeof what, "generator%s%s (%s BN, FC statistics per %s, output conv %d^3, "
             "%s) + encoder%s", c.g.K > 1 ? ", two sprites attending to words (and the "
             "attention's entropy)" : sprite >= 2 ? ", sprite layout, picture attending to words "
             "(and the attention's entropy)" : sprite ? ", sprite layout" : "",
             sprite == 10 ? ", bouncing path reading the rest, 4x4 picture in the frame"
             : sprite == 11 ? ", bouncing paths reading the two words after each picture's word"
             : sprite == 12 ? ", bouncing path with axis gate reading the rest, 4x4 picture "
                              "in the frame"
             : sprite == 6 ? ", path reading the rest, 4x4 picture in the frame"
             : sprite == 9 ? ", each path from the two words after its own picture's word"
             : sprite >= 7 ? ", paths reading the two words after each picture's word"
             : sprite >= 4 ? ", path reading the rest" : "", cond_bn ? "sentence-modulated" : "affine",
             unit_norm0 ? "unit" : "channel", out_k, act == T2V_ACT_RELU ? "ReLU" : "tanh",
             pool == 2 ? " reading the pooled word embeddings alone"
             : pool ? " with the pooled word embeddings" : "");
    /* two sprites: the pixelwise maximum has a kink wherever the pictures
     * cross, which moves as weights do, so the check is the statistical one
     * (at eps 4e-4 the two misses at 2e-3 fall to one, nearer the analytic) */
    check_params(&c.ps, gen_loss, &c, what, act != T2V_ACT_RELU && c.g.K == 1);
    free(c.w);
    free(c.tmp);
    t2v_arena_release(&c.arena);
    t2v_params_free(&c.ps);
    t2v_params_free(&c.bufs);
}

/* ---- discriminator --------------------------------------------------------- */

typedef struct disc_case {
    t2v_disc d;
    t2v_head h;
    t2v_params ps, bufs;
    t2v_arena arena;
    t2v_trunk_run run;
    t2v_head_run hr;
    size_t ws;
    float *head_ws, *clip, *S;
    float *w, *tmp;
    int N, per_clip;
    size_t clip_n;
} disc_case;

static void disc_plan(void *ctx, t2v_plan *p)
{
    disc_case *c = ctx;
    t2v_disc_plan(&c->d, be, p, c->N);
    t2v_trunk_plan(&c->d, p, &c->run);
    c->ws = 0;
    t2v_head_plan(&c->h, be, p, c->N, c->per_clip, &c->ws);
    t2v_head_run_plan(&c->h, p, c->N, &c->hr);
    c->head_ws = t2v_plan_floats(p, c->ws);
    c->clip = t2v_plan_floats(p, c->clip_n);
    c->S = t2v_plan_floats(p, (size_t)c->N * 5);
}

static double disc_loss(void *ctx)
{
    disc_case *c = ctx;
    t2v_disc_refresh(&c->d, be, &c->ps, &c->bufs, 0);
    t2v_head_refresh(&c->h, be, &c->ps, &c->bufs, 0);
    t2v_trunk_forward(&c->d, be, &c->ps, &c->bufs, &c->run, c->clip, c->N, 1);
    const float *feat = c->run.act[c->d.cfg.layers - 1];
    t2v_head_forward(&c->h, be, &c->ps, &c->hr, feat, c->S, c->N, c->head_ws);
    return fd_weighted(be, c->hr.logit, c->w, (size_t)c->h.M, c->tmp);
}

static void check_disc(int frame_level, t2v_head_kind head, int bn, t2v_act act)
{
    disc_case c;
    memset(&c, 0, sizeof c);
    c.N = 2;
    t2v_disc_cfg cfg = {.frame_level = frame_level, .channels = 1, .frames = 4, .height = 8,
                        .width = 8, .width0 = 2, .layers = 2, .sent = 5, .head = head,
                        .sn = 0, .bn = bn, .concat_dim = 3, .act = act};
    c.per_clip = frame_level ? 4 : 1;
    t2v_params_init(&c.ps, be);
    t2v_params_init(&c.bufs, be);
    t2v_status s = t2v_disc_declare(&c.d, &cfg, &c.ps, &c.bufs, "d");
    if (s == T2V_OK)
        s = t2v_head_declare(&c.h, head, c.d.feat_c, c.d.feat_dims, 5, 3, 0, act, &c.ps,
                             &c.bufs, "d.head");
    T2V_CHECK(s == T2V_OK, "discriminator declares");
    t2v_params_allocate(&c.ps, 0);
    t2v_params_allocate(&c.bufs, 0);
    c.clip_n = (size_t)c.N * 4 * 8 * 8;
    fd_plan_twice(be, &c.arena, disc_plan, &c, c.N);
    t2v_disc_init(&c.d, be, &c.ps, &c.bufs, 3, 10);
    t2v_head_init(&c.h, be, &c.ps, &c.bufs, 3, 20);
    for (int i = 0; i < c.ps.count; i++) {
        t2v_param *p = &c.ps.items[i];
        if (strstr(p->name, "bn."))
            continue;
        t2v_init_normal(be, p->t.data, t2v_tensor_numel(&p->t), 0.0f, 0.4f, 12, (uint64_t)i);
    }
    float *host = malloc(c.clip_n * sizeof(float));
    t2v_rng_uniform_host(host, c.clip_n, 4, 1, 0);
    for (size_t i = 0; i < c.clip_n; i++)
        host[i] = 2.0f * host[i] - 1.0f;
    fd_upload(be, c.clip, host, c.clip_n);
    float S[10];
    t2v_rng_normal_host(S, 10, 4, 2, 0);
    fd_upload(be, c.S, S, 10);
    c.w = malloc((size_t)c.h.M * sizeof(float));
    c.tmp = malloc(c.clip_n * sizeof(float));
    t2v_rng_uniform_host(c.w, (size_t)c.h.M, 4, 3, 0);
    /* analytic */
    t2v_params_zero_grad(&c.ps);
    disc_loss(&c);
    fd_upload(be, c.hr.dlogit, c.w, (size_t)c.h.M);
    t2v_head_backward(&c.h, be, &c.ps, &c.hr, c.run.act[1], c.S, c.N, c.head_ws, 1);
    t2v_backend_kernels(be)->copy(be, c.run.dact[1], c.hr.dfeat,
                                  (int64_t)c.h.M * c.h.C * c.h.L);
    t2v_trunk_backward(&c.d, be, &c.ps, &c.run, c.N, 1, 1);
    t2v_disc_fold_grads(&c.d, be, &c.ps);
    t2v_head_fold_grads(&c.h, be, &c.ps);
    char what[128];
    snprintf(what, sizeof what, "%s D, %s head%s, %s", frame_level ? "frame" : "video",
             head == T2V_HEAD_CONCAT ? "concat" : "projection", bn ? ", batch norm" : "",
             act == T2V_ACT_LRELU ? "LeakyReLU" : "tanh");
    check_params(&c.ps, disc_loss, &c, what, act != T2V_ACT_LRELU);
    /* gradient w.r.t. the clip and the sentence */
    float *dclip = malloc(c.clip_n * sizeof(float)), dS[10];
    fd_download(be, dclip, c.run.dinput, c.clip_n);
    fd_download(be, dS, c.hr.dS, 10);
    int bad = 0;
    for (int k = 0; k < 6; k++) {
        size_t j = (size_t)(k * 37 + 5) % c.clip_n;
        float o = host[j];
        host[j] = o + (float)EPS;
        fd_upload(be, c.clip, host, c.clip_n);
        double lp = disc_loss(&c);
        host[j] = o - (float)EPS;
        fd_upload(be, c.clip, host, c.clip_n);
        double lm = disc_loss(&c);
        host[j] = o;
        fd_upload(be, c.clip, host, c.clip_n);
        double num = (lp - lm) / (2 * EPS);
        bad += fabs(num - dclip[j]) / (fabs(num) + fabs(dclip[j]) + 1e-2) > 0.05;
    }
    for (int j = 0; j < 10; j++) {
        float o = S[j];
        S[j] = o + (float)EPS;
        fd_upload(be, c.S, S, 10);
        double lp = disc_loss(&c);
        S[j] = o - (float)EPS;
        fd_upload(be, c.S, S, 10);
        double lm = disc_loss(&c);
        S[j] = o;
        fd_upload(be, c.S, S, 10);
        double num = (lp - lm) / (2 * EPS);
        bad += fabs(num - dS[j]) / (fabs(num) + fabs(dS[j]) + 1e-2) > 0.05;
    }
    T2V_CHECK(bad == 0, "%s: gradients w.r.t. the clip and the sentence match finite "
                        "differences (%d off)", what, bad);
    free(dclip);
    free(host);
    free(c.w);
    free(c.tmp);
    t2v_arena_release(&c.arena);
    t2v_params_free(&c.ps);
    t2v_params_free(&c.bufs);
}

/* ---- spectral normalisation -------------------------------------------------- */

static void check_spectral_norm(void)
{
    disc_case c;
    memset(&c, 0, sizeof c);
    c.N = 1;
    c.per_clip = 1;
    t2v_disc_cfg cfg = {.frame_level = 0, .channels = 2, .frames = 4, .height = 8, .width = 8,
                        .width0 = 3, .layers = 1, .sent = 5, .head = T2V_HEAD_PROJECTION, .sn = 1,
                        .act = T2V_ACT_LRELU};
    t2v_params_init(&c.ps, be);
    t2v_params_init(&c.bufs, be);
    t2v_disc_declare(&c.d, &cfg, &c.ps, &c.bufs, "d");
    t2v_head_declare(&c.h, T2V_HEAD_PROJECTION, c.d.feat_c, c.d.feat_dims, 5, 3, 1,
                     T2V_ACT_LRELU, &c.ps, &c.bufs, "d.head");
    t2v_params_allocate(&c.ps, 0);
    t2v_params_allocate(&c.bufs, 0);
    c.clip_n = (size_t)2 * 4 * 8 * 8;
    fd_plan_twice(be, &c.arena, disc_plan, &c, 1);
    t2v_disc_init(&c.d, be, &c.ps, &c.bufs, 8, 10);
    t2v_snw *s = &c.d.layer[0].w;
    for (int it = 0; it < 200; it++)
        t2v_disc_refresh(&c.d, be, &c.ps, &c.bufs, 1);
    /* reference: power iteration on W^T W in double */
    int R = s->rows, C = s->cols;
    float *W = malloc((size_t)R * C * sizeof(float)), *E = malloc((size_t)R * C * sizeof(float));
    fd_download(be, W, t2v_pdata(&c.ps, s->w), (size_t)R * C);
    fd_download(be, E, s->eff, (size_t)R * C);
    double *v = malloc((size_t)C * sizeof(double)), *wv = malloc((size_t)R * sizeof(double));
    for (int j = 0; j < C; j++)
        v[j] = 1.0 + 0.01 * j;
    double sigma = 0.0;
    for (int it = 0; it < 2000; it++) {
        double nv = 0;
        for (int j = 0; j < C; j++)
            nv += v[j] * v[j];
        nv = sqrt(nv);
        for (int j = 0; j < C; j++)
            v[j] /= nv;
        sigma = 0;
        for (int r = 0; r < R; r++) {
            wv[r] = 0;
            for (int j = 0; j < C; j++)
                wv[r] += (double)W[(size_t)r * C + j] * v[j];
            sigma += wv[r] * wv[r];
        }
        sigma = sqrt(sigma);
        for (int j = 0; j < C; j++) {
            v[j] = 0;
            for (int r = 0; r < R; r++)
                v[j] += (double)W[(size_t)r * C + j] * wv[r];
        }
    }
    T2V_CHECK(t2v_close(s->sigma, sigma, 1e-4, 1e-3),
              "spectral norm: sigma %.6f equals the largest singular value %.6f", s->sigma,
              sigma);
    double err = 0.0;
    for (size_t i = 0; i < (size_t)R * C; i++)
        err = fmax(err, fabs(E[i] - W[i] / sigma));
    T2V_CHECK(err < 1e-5, "spectral norm: effective weight is W / sigma (max error %.2g)", err);
    free(W);
    free(E);
    free(v);
    free(wv);
    t2v_arena_release(&c.arena);
    t2v_params_free(&c.ps);
    t2v_params_free(&c.bufs);
}

int main(void)
{
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK) {
        printf("FAIL - cannot open the CPU backend: %s\n", t2v_last_error());
        return 1;
    }
    /* strict: smooth activations, every entry must match */
    check_generator(1, 0, 3, T2V_ACT_TANH, 0, 0);
    check_generator(0, 0, 3, T2V_ACT_TANH, 0, 0);
    check_generator(1, 1, 1, T2V_ACT_TANH, 0, 0);
    check_generator(0, 1, 3, T2V_ACT_TANH, 0, 0);
    check_generator(1, 1, 3, T2V_ACT_TANH, 1, 0);
    check_generator(1, 1, 3, T2V_ACT_TANH, 2, 0);
    check_generator(1, 1, 3, T2V_ACT_TANH, 1, 1);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 2);
    check_generator(0, 0, 3, T2V_ACT_TANH, 0, 2);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 3);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 4);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 5);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 6);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 7);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 8);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 9);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 10);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 11);
    check_generator(1, 1, 3, T2V_ACT_TANH, 0, 12);
    check_disc(0, T2V_HEAD_PROJECTION, 0, T2V_ACT_TANH);
    check_disc(1, T2V_HEAD_PROJECTION, 0, T2V_ACT_TANH);
    check_disc(0, T2V_HEAD_CONCAT, 0, T2V_ACT_TANH);
    check_disc(1, T2V_HEAD_CONCAT, 1, T2V_ACT_TANH);
    /* the activations the models train with, checked statistically */
    check_generator(1, 1, 1, T2V_ACT_RELU, 0, 0);
    check_generator(0, 0, 3, T2V_ACT_RELU, 0, 0);
    check_generator(1, 1, 3, T2V_ACT_RELU, 1, 1);
    check_generator(1, 1, 3, T2V_ACT_RELU, 0, 2);
    check_disc(0, T2V_HEAD_PROJECTION, 0, T2V_ACT_LRELU);
    check_disc(1, T2V_HEAD_CONCAT, 1, T2V_ACT_LRELU);
    check_spectral_norm();
    t2v_backend_close(be);
    return t2v_test_finish();
}
