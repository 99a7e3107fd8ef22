/* The TGANs-C trainer: matching-aware video, frame and motion
 * discriminators against the engine's generator.
 *
 * Randomness is counter-based: the batch of step s, its mismatched
 * captions and its noise are Philox streams indexed by (seed, s), so a run
 * resumed from a checkpoint takes exactly the steps it would have taken. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"
#include "models/tganc_io.h"
#include "train/common/captions.h"
#include "train/common/ckpt_meta.h"
#include "train/common/ema.h"
#include "train/common/mode_seeking.h"
#include "train/common/word_head.h"
#include "train/common/word_reader.h"
#include "train/tganc/trainer.h"

enum { STREAM_BATCH = 1, STREAM_Z = 2, STREAM_INIT_G = 3, STREAM_INIT_D = 4, STREAM_MIS = 5 };

#define TRAIN_FORMAT "txt2vid-tganc-checkpoint"

/* One discriminator family (video or frame) with its runs. */
typedef struct disc_set {
    int on;
    t2v_disc d;
    t2v_head head;
    t2v_trunk_run real, fake;
    t2v_head_run run[3];       /* real+match, real+mismatch, fake+match */
    t2v_word_head words;       /* recipe aux_words > 0 */
} disc_set;

/* The motion head over adjacent frame-feature differences. */
typedef struct motion_set {
    int on;
    t2v_head head;
    t2v_head_run run[3];
    /* per trunk run (0 real, 1 fake): (N, C, T, hw) time-major features,
     * (N, C, T-1, hw) differences, (N*(T-1), C, hw) items, and gradients */
    float *tm[2], *diff[2], *items[2];
    float *ditems, *ddiff, *dtm, *dback;
} motion_set;

struct t2v_tganc_trainer {
    t2v_tganc_recipe rc;
    t2v_backend *be;
    t2v_dataset *ds;
    t2v_data_info di;
    t2v_vocab vocab;
    t2v_encoded_captions caps;    /* every training caption encoded */
    t2v_params gps, gbufs, dps, dbufs;
    t2v_tganc gen;
    t2v_encoder denc;          /* the discriminators' own sentence encoder, batch 2N */
    disc_set video, frame;
    motion_set motion;
    t2v_word_reader reader;    /* recipe reader > 0 (train/common/word_reader.h) */
    t2v_arena arena;
    float *head_ws;
    float *real;               /* (N, C, T, H, W) */
    float *ones, *zeros;       /* targets, max items */
    float *loss_dev, *dS_d, *dclip, *tc_diff, *scalar;
    float *loss_host;
    float *clip_host;
    float *z_host, *ms_grad_host; /* mode-seeking term (lambda_ms > 0) */
    int *group_host;
    int32_t *ids_host;
    int *len_host;
    int max_items;
    t2v_adam opt_g, opt_d;
    t2v_ema ema;               /* the generator's averaged weights (recipe g_ema) */
    int64_t step;
    double seconds;
};

const char *t2v_temporal_name(t2v_temporal t)
{
    return t == T2V_TEMPORAL_CONSTRAINT ? "constraint"
           : t == T2V_TEMPORAL_ADVERSARIAL ? "adversarial" : "none";
}

static void set_stage(t2v_tganc_stage *s, int c, int kt, int st, int pt)
{
    *s = (t2v_tganc_stage){.c_out = c, .k = {kt, 4, 4}, .s = {st, 2, 2}, .p = {pt, 1, 1}};
}

/* What differs between the presets; the rest is shared. */
typedef struct tganc_preset {
    const char *name;
    int z_dim, c0, stage_c[4], cond_bn;
    int embed, hidden, sent;
    int d_width, d_concat;
    t2v_head_kind head;
    int sn, d_bn;
    t2v_gan_loss loss;
    int batch;
    float lr_g, lr_d, beta1, beta2;
    int64_t steps;
    long train_count;
} tganc_preset;

static const tganc_preset presets[] = {
    {"tiny", 8, 16, {8, 8, 4, 4}, 1, 8, 8, 8, 4, 8, T2V_HEAD_PROJECTION, 1, 0, T2V_LOSS_HINGE,
     4, 1e-4f, 4e-4f, 0.0f, 0.9f, 20, 200},
    {"small", 64, 128, {64, 32, 16, 8}, 1, 32, 32, 64, 16, 32, T2V_HEAD_PROJECTION, 1, 0,
     T2V_LOSS_HINGE, 16, 1e-4f, 4e-4f, 0.0f, 0.9f, 20000, 0},
    {"paper", 100, 512, {256, 128, 64, 32}, 0, 256, 256, 256, 64, 128, T2V_HEAD_CONCAT, 0, 1,
     T2V_LOSS_BCE, 64, 2e-4f, 2e-4f, 0.5f, 0.999f, 60000, 0},
};

t2v_status t2v_tganc_preset(const char *name, t2v_tganc_recipe *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->preset, sizeof r->preset, "%s", name);
    snprintf(r->data, sizeof r->data, "sbmg");
    t2v_tganc_cfg *g = &r->gen;
    g->channels = 1;
    g->base[0] = 2;
    g->base[1] = g->base[2] = 4;
    g->n_stages = 4;
    r->fps = 8;
    r->lambda_tc = 0.1f;
    r->d_layers = 4;
    g->act = T2V_ACT_RELU;
    const tganc_preset *ps = NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(name, presets[i].name) == 0)
            ps = &presets[i];
    if (!ps)
        return t2v_fail(T2V_ERR_INVALID, "unknown preset '%s' (tiny, small, paper)", name);
    g->z_dim = ps->z_dim;
    g->c0 = ps->c0;
    /* three upsampling stages (4x4x4, stride 2) and a last one at full size */
    for (int i = 0; i < 4; i++)
        set_stage(&g->stage[i], ps->stage_c[i], i < 3 ? 4 : 1, i < 3 ? 2 : 1, i < 3 ? 1 : 0);
    g->cond_bn = ps->cond_bn;
    g->unit_norm0 = 1;
    r->shared_text = 1;
    g->text = (t2v_encoder_cfg){.embed = ps->embed, .hidden = ps->hidden, .sent = ps->sent,
                                .max_words = 24};
    r->d_width = ps->d_width;
    r->d_concat = ps->d_concat;
    r->head = ps->head;
    r->sn = ps->sn;
    r->d_bn = ps->d_bn;
    r->loss = ps->loss;
    r->temporal = T2V_TEMPORAL_ADVERSARIAL;
    r->batch = ps->batch;
    r->lr_g = ps->lr_g;
    r->lr_d = ps->lr_d;
    r->beta1 = ps->beta1;
    r->beta2 = ps->beta2;
    r->seed = 1;
    r->steps = ps->steps;
    r->train_count = ps->train_count;
    return T2V_OK;
}

t2v_status t2v_tganc_recipe_sprite(t2v_tganc_recipe *r)
{
    t2v_tganc_cfg *g = &r->gen;
    t2v_tganc_cfg clip = *g;
    if (g->sprite_frames > 0)
        return T2V_OK;
    t2v_status s = t2v_tganc_check(&clip);
    if (s != T2V_OK)
        return s;
    g->base[0] = 1;
    for (int i = 0; i < g->n_stages; i++) {
        g->stage[i].k[0] = g->stage[i].s[0] = 1;
        g->stage[i].p[0] = 0;
    }
    g->sprite_frames = clip.frames;
    g->path_hidden = 2 * g->z_dim;
    return t2v_tganc_check(g);
}

t2v_status t2v_tganc_recipe_attend(t2v_tganc_recipe *r, float sharpen, int sprites,
                                   int path_rest, int path_follow, int path_each)
{
    if (r->gen.sprite_frames <= 0)
        return t2v_fail(T2V_ERR_INVALID, "attention over the words draws the picture of the "
                        "sprite layout (--g-layout sprite)");
    if (!(sharpen >= 0.0f && sharpen <= 100.0f))
        return t2v_fail(T2V_ERR_INVALID, "the attention's sharpening weight must lie in "
                        "[0, 100], not %g", (double)sharpen);
    if (sprites < 1 || sprites > T2V_TGANC_MAX_SPRITES)
        return t2v_fail(T2V_ERR_INVALID, "%d pictures per clip (1..%d)", sprites,
                        T2V_TGANC_MAX_SPRITES);
    r->gen.attend = 1;
    r->gen.sprites = sprites;
    r->gen.path_rest = path_rest;
    r->gen.path_follow = path_follow;
    r->gen.path_each = path_each;
    r->attend_sharpen = sharpen;
    return t2v_tganc_check(&r->gen);
}

t2v_status t2v_tganc_recipe_picture(t2v_tganc_recipe *r, int side)
{
    t2v_tganc_cfg *g = &r->gen;
    t2v_status s = t2v_tganc_check(g);
    if (s != T2V_OK)
        return s;
    if (g->sprite_frames <= 0)
        return t2v_fail(T2V_ERR_INVALID, "a picture smaller than the frame is the sprite "
                        "layout's (--g-layout sprite)");
    int H = g->height, W = g->width;
    if (g->frame[0])
        return t2v_fail(T2V_ERR_INVALID, "the picture is already %dx%d in a %dx%d frame",
                        g->pic_h, g->pic_w, H, W);
    if (side < 1 || side >= H || side >= W)
        return t2v_fail(T2V_ERR_INVALID, "a picture of side %d in a %dx%d frame: it must be "
                        "smaller than the frame", side, H, W);
    t2v_tganc_cfg t = *g;
    while (t.pic_h > side && t.n_stages > 1) {
        t.n_stages--; /* the last upsampling stage left out */
        if (t2v_tganc_check(&t) != T2V_OK)
            break;
    }
    if (t.pic_h != side || (int64_t)t.pic_w * H != (int64_t)side * W)
        return t2v_fail(T2V_ERR_INVALID, "a picture of side %d in a %dx%d frame: the side must "
                        "be the frame's halved once or more, with a stage left to draw it",
                        side, H, W);
    t.frame[0] = H;
    t.frame[1] = W;
    if ((s = t2v_tganc_check(&t)) != T2V_OK)
        return s;
    *g = t;
    return T2V_OK;
}

/* ---- set-up ------------------------------------------------------------- */

static t2v_status declare_all(t2v_tganc_trainer *tr)
{
    t2v_tganc_recipe *rc = &tr->rc;
    rc->gen.text.vocab = tr->vocab.count;
    t2v_status s = t2v_tganc_declare(&tr->gen, &rc->gen, &tr->gps, &tr->gbufs);
    if (s != T2V_OK)
        return s;
    tr->gen.attend_sharpen = rc->attend_sharpen;
    tr->gen.axis_sharpen = rc->axis_sharpen;
    t2v_encoder_cfg dtext = rc->gen.text;
    dtext.pool = dtext.pool != 0; /* D reads the whole sentence, whatever G reads */
    s = t2v_encoder_declare(&tr->denc, &dtext, &tr->dps, "disc.text");
    int Dsent = dtext.sent;
    t2v_disc_cfg dc = {.channels = rc->gen.channels, .frames = tr->gen.cfg.frames,
                       .height = tr->gen.cfg.height, .width = tr->gen.cfg.width,
                       .width0 = rc->d_width, .layers = rc->d_layers, .sent = Dsent,
                       .head = rc->head, .sn = rc->sn, .bn = rc->d_bn,
                       .concat_dim = rc->d_concat, .act = T2V_ACT_LRELU};
    tr->video.on = tr->frame.on = 1;
    tr->motion.on = rc->temporal == T2V_TEMPORAL_ADVERSARIAL;
    /* the video trunk (3D), then the frame trunk (2D), each with its head */
    disc_set *sets[2] = {&tr->video, &tr->frame};
    static const char *const names[2][3] = {{"disc.video", "disc.video.head", "disc.video.words"},
                                             {"disc.frame", "disc.frame.head", "disc.frame.words"}};
    for (int i = 0; i < 2; i++) {
        disc_set *d = sets[i];
        dc.frame_level = i;
        if (s == T2V_OK)
            s = t2v_disc_declare(&d->d, &dc, &tr->dps, &tr->dbufs, names[i][0]);
        if (s == T2V_OK)
            s = t2v_head_declare(&d->head, rc->head, d->d.feat_c, d->d.feat_dims, Dsent,
                                 rc->d_concat, rc->sn, T2V_ACT_LRELU, &tr->dps, &tr->dbufs,
                                 names[i][1]);
        if (s == T2V_OK && rc->aux_words > 0.0f)
            s = t2v_word_head_declare(&d->words, d->d.feat_c, d->d.feat_l, tr->vocab.count, 0,
                                      &tr->dps, names[i][2]);
    }
    if (s == T2V_OK && rc->reader > 0.0f) {
        const t2v_tganc_cfg *g = &tr->gen.cfg;
        s = t2v_word_reader_new(&tr->reader, tr->be, "reader", g->channels, g->frames, g->height,
                                g->width, rc->d_layers, rc->d_width, tr->vocab.count);
    }
    if (s == T2V_OK && tr->motion.on) {
        /* Motion is where features moved, which sum pooling would erase: the
         * projection head sees each difference map whole, (C*h*w) x 1x1;
         * the concatenation head keeps the grid. */
        int flat[3] = {1, 1, 1};
        int proj = rc->head == T2V_HEAD_PROJECTION;
        int C = proj ? tr->frame.d.feat_c * (int)tr->frame.d.feat_l : tr->frame.d.feat_c;
        /* Differences of deep features are small, and a spectrally normalised
         * head cannot amplify them (its logits stayed near 1e-3 in measured
         * runs): the motion head's own weights are left free. */
        s = t2v_head_declare(&tr->motion.head, rc->head, C, proj ? flat : tr->frame.d.feat_dims,
                             Dsent, rc->d_concat, 0, T2V_ACT_LRELU, &tr->dps, &tr->dbufs,
                             "disc.motion.head");
    }
    return s;
}

static void plan_all(t2v_tganc_trainer *tr, t2v_plan *p)
{
    int N = tr->rc.batch, T = tr->gen.cfg.frames;
    t2v_backend *be = tr->be;
    t2v_tganc_plan(&tr->gen, be, p);
    t2v_plan p2 = *p;
    p2.N = 2 * N;
    t2v_encoder_plan(&tr->denc, &p2);
    if (p2.status != T2V_OK && p->status == T2V_OK)
        p->status = p2.status;
    size_t ws = 0;
    disc_set *sets[2] = {&tr->video, &tr->frame};
    for (int i = 0; i < 2; i++) {
        disc_set *d = sets[i];
        t2v_disc_plan(&d->d, be, p, N);
        t2v_trunk_plan(&d->d, p, &d->real);
        t2v_trunk_plan(&d->d, p, &d->fake);
        t2v_head_plan(&d->head, be, p, N, i == 0 ? 1 : T, &ws);
        for (int r = 0; r < 3; r++)
            t2v_head_run_plan(&d->head, p, N, &d->run[r]);
        if (tr->rc.aux_words > 0.0f)
            t2v_word_head_plan(&d->words, p, N, i == 0 ? 1 : T);
    }
    if (tr->rc.reader > 0.0f)
        t2v_word_reader_plan(&tr->reader, be, p, N);
    motion_set *m = &tr->motion;
    if (m->on) {
        t2v_head_plan(&m->head, be, p, N, T - 1, &ws);
        for (int r = 0; r < 3; r++)
            t2v_head_run_plan(&m->head, p, N, &m->run[r]);
        size_t C = (size_t)tr->frame.d.feat_c, hw = (size_t)tr->frame.d.feat_l;
        size_t full = (size_t)N * C * T * hw, less = (size_t)N * C * (T - 1) * hw;
        for (int r = 0; r < 2; r++) {
            m->tm[r] = t2v_plan_floats(p, full);
            m->diff[r] = t2v_plan_floats(p, less);
            m->items[r] = t2v_plan_floats(p, less);
        }
        m->ditems = t2v_plan_floats(p, less);
        m->ddiff = t2v_plan_floats(p, less);
        m->dtm = t2v_plan_floats(p, full);
        m->dback = t2v_plan_floats(p, full);
    }
    tr->head_ws = t2v_plan_floats(p, ws);
    size_t clip = (size_t)N * tr->gen.cfg.channels * T * tr->gen.cfg.height * tr->gen.cfg.width;
    tr->real = t2v_plan_floats(p, clip);
    tr->dclip = t2v_plan_floats(p, clip);
    tr->tc_diff = t2v_plan_floats(p, 2 * clip); /* differences, then their gradient */
    tr->max_items = N * T;
    tr->ones = t2v_plan_floats(p, (size_t)tr->max_items);
    tr->zeros = t2v_plan_floats(p, (size_t)tr->max_items);
    tr->loss_dev = t2v_plan_floats(p, (size_t)tr->max_items);
    tr->scalar = t2v_plan_floats(p, 1);
    tr->dS_d = t2v_plan_floats(p, (size_t)2 * N * tr->denc.cfg.sent);
}

static void copy_text(t2v_tganc_trainer *tr);

/* The attention's starting scores (models/tganc.h attend): ATTEND_PRIOR
 * times each word's inverse document frequency over the training split's
 * captions, ln(captions / captions holding it); words no training caption
 * holds score 0. A word every caption has ("digit", "is") tells pictures
 * apart no more than silence does, and a rarer one names what differs: a
 * SBMG caption's digit starts with ~0.95 of its weight.
 *
 * With K > 1 sprites, sprite k's positional bias at t starts at
 * ATTEND_PRIOR times the share of training captions whose k-th most
 * informative word (of their K highest scores, in caption order) stands
 * at t: in TBMG the first sprite starts on the first digit, the second on
 * the second. */
#define ATTEND_PRIOR 3.0f

/* adds caption k's K highest-scoring positions, in caption order, to
 * count (K, T) */
static void count_positions(const t2v_encoded_captions *c, long k, const float *score, int K,
                            float *count)
{
    const int32_t *ids = c->ids + k * c->max_words;
    int top[T2V_TGANC_MAX_SPRITES], n = 0;
    for (int j = 0; j < K && j < c->len[k]; j++) {
        int best = -1;
        for (int t = 0; t < c->len[k]; t++) {
            int taken = 0;
            for (int u = 0; u < n; u++)
                taken |= top[u] == t;
            if (!taken && (best < 0 || score[ids[t]] > score[ids[best]]))
                best = t;
        }
        top[n++] = best;
    }
    for (int a = 1; a < n; a++) /* caption order */
        for (int b = a; b > 0 && top[b] < top[b - 1]; b--) {
            int x = top[b];
            top[b] = top[b - 1];
            top[b - 1] = x;
        }
    for (int j = 0; j < n; j++)
        count[j * c->max_words + top[j]] += 1.0f;
}

static t2v_status attend_prior(t2v_tganc_trainer *tr)
{
    int V = tr->vocab.count, K = tr->gen.K, T = tr->caps.max_words;
    const t2v_encoded_captions *c = &tr->caps;
    float *score = calloc((size_t)V, sizeof *score);
    float *pos = calloc((size_t)K * T, sizeof *pos);
    t2v_status s = score && pos ? T2V_OK : t2v_fail(T2V_ERR_NOMEM, "out of memory");
    if (s == T2V_OK)
        s = t2v_encoded_captions_idf(c, V, ATTEND_PRIOR, score);
    if (s == T2V_OK)
        s = t2v_backend_upload(tr->be, t2v_pdata(&tr->gps, tr->gen.att_w), score,
                               (size_t)V * sizeof *score);
    if (s == T2V_OK && K > 1) {
        for (long k = 0; k < c->n; k++)
            count_positions(c, k, score, K, pos);
        for (int i = 0; i < K * T; i++)
            pos[i] *= ATTEND_PRIOR / (float)c->n;
        s = t2v_backend_upload(tr->be, t2v_pdata(&tr->gps, tr->gen.att_pos), pos,
                               (size_t)K * T * sizeof *pos);
    }
    free(score);
    free(pos);
    return s;
}

static t2v_status init_weights(t2v_tganc_trainer *tr)
{
    uint64_t seed = tr->rc.seed;
    t2v_status s = t2v_tganc_init(&tr->gen, tr->be, &tr->gps, &tr->gbufs, seed ^ 0x9E37u);
    if (s == T2V_OK && tr->gen.cfg.attend)
        s = attend_prior(tr);
    if (s == T2V_OK)
        s = t2v_encoder_init(&tr->denc, tr->be, &tr->dps, seed ^ 0xD15Cu, 100);
    if (s == T2V_OK)
        s = t2v_disc_init(&tr->video.d, tr->be, &tr->dps, &tr->dbufs, seed, 1000);
    if (s == T2V_OK)
        s = t2v_head_init(&tr->video.head, tr->be, &tr->dps, &tr->dbufs, seed, 1100);
    if (s == T2V_OK)
        s = t2v_disc_init(&tr->frame.d, tr->be, &tr->dps, &tr->dbufs, seed, 2000);
    if (s == T2V_OK)
        s = t2v_head_init(&tr->frame.head, tr->be, &tr->dps, &tr->dbufs, seed, 2100);
    if (s == T2V_OK && tr->motion.on)
        s = t2v_head_init(&tr->motion.head, tr->be, &tr->dps, &tr->dbufs, seed, 3100);
    if (s == T2V_OK && tr->rc.aux_words > 0.0f)
        s = t2v_word_head_init(&tr->video.words, tr->be, &tr->dps, seed, 1200);
    if (s == T2V_OK && tr->rc.aux_words > 0.0f)
        s = t2v_word_head_init(&tr->frame.words, tr->be, &tr->dps, seed, 2200);
    return s;
}

/* ---- recipe <-> file ------------------------------------------------------ */

#define KEY(key, type, field, lo, hi) T2V_RECIPE_KEY(key, type, t2v_tganc_recipe, field, lo, hi)
static const t2v_recipe_key recipe_keys[] = {
    KEY("train.preset", T2V_RECIPE_STR, preset, 1, 0),
    KEY("train.data", T2V_RECIPE_STR, data, 1, 0),
    KEY("train.d_width", T2V_RECIPE_U32, d_width, 1, 4096),
    KEY("train.d_layers", T2V_RECIPE_U32, d_layers, 1, T2V_DISC_MAX_LAYERS),
    KEY("train.d_concat", T2V_RECIPE_U32, d_concat, 1, 4096),
    KEY("train.head", T2V_RECIPE_U32, head, 0, 1),
    KEY("train.sn", T2V_RECIPE_BOOL, sn, 1, 0),
    KEY("train.d_bn", T2V_RECIPE_BOOL, d_bn, 1, 0),
    KEY("train.loss", T2V_RECIPE_U32, loss, 0, 1),
    KEY("train.temporal", T2V_RECIPE_U32, temporal, 0, 2),
    KEY("train.lambda_tc", T2V_RECIPE_F32, lambda_tc, 1, 0),
    KEY("train.batch", T2V_RECIPE_U32, batch, 1, 4096),
    KEY("train.lr_g", T2V_RECIPE_F32, lr_g, 1, 0),
    KEY("train.lr_d", T2V_RECIPE_F32, lr_d, 1, 0),
    KEY("train.beta1", T2V_RECIPE_F32, beta1, 1, 0),
    KEY("train.beta2", T2V_RECIPE_F32, beta2, 1, 0),
    KEY("train.seed", T2V_RECIPE_U64, seed, 1, 0),
    KEY("train.steps", T2V_RECIPE_I64, steps, 1, 0),
    KEY("train.fps", T2V_RECIPE_U32, fps, 1, 240),
    KEY("train.train_count", T2V_RECIPE_I64, train_count, 1, 0),
    T2V_RECIPE_KEY_OPT("train.shared_text", T2V_RECIPE_BOOL, t2v_tganc_recipe, shared_text, 1, 0),
    T2V_RECIPE_KEY_OPT("train.near_miss", T2V_RECIPE_F32, t2v_tganc_recipe, near_miss, 1, 0),
    T2V_RECIPE_KEY_OPT("train.g_ema", T2V_RECIPE_F32, t2v_tganc_recipe, g_ema, 1, 0),
    T2V_RECIPE_KEY_OPT("train.lambda_ms", T2V_RECIPE_F32, t2v_tganc_recipe, lambda_ms, 1, 0),
    T2V_RECIPE_KEY_OPT("train.partial", T2V_RECIPE_F32, t2v_tganc_recipe, partial, 1, 0),
    T2V_RECIPE_KEY_OPT("train.aux_words", T2V_RECIPE_F32, t2v_tganc_recipe, aux_words, 1, 0),
    T2V_RECIPE_KEY_OPT("train.reader", T2V_RECIPE_F32, t2v_tganc_recipe, reader, 1, 0),
    T2V_RECIPE_KEY_OPT("train.reader_from", T2V_RECIPE_I64, t2v_tganc_recipe, reader_from, 1, 0),
    T2V_RECIPE_KEY_OPT("train.g_pooled_from", T2V_RECIPE_I64, t2v_tganc_recipe, g_pooled_from, 1,
                       0),
    T2V_RECIPE_KEY_OPT("train.path_from", T2V_RECIPE_I64, t2v_tganc_recipe, path_from, 1, 0),
    T2V_RECIPE_KEY_OPT("train.path_bounce_from", T2V_RECIPE_I64, t2v_tganc_recipe,
                       path_bounce_from, 1, 0),
    T2V_RECIPE_KEY_OPT("train.path_axis_from", T2V_RECIPE_I64, t2v_tganc_recipe,
                       path_axis_from, 1, 0),
    T2V_RECIPE_KEY_OPT("train.axis_sharpen", T2V_RECIPE_F32, t2v_tganc_recipe, axis_sharpen, 1,
                       0),
    T2V_RECIPE_KEY_OPT("train.attend_sharpen", T2V_RECIPE_F32, t2v_tganc_recipe, attend_sharpen,
                       1, 0),
};
#undef KEY
enum { N_RECIPE_KEYS = (int)(sizeof recipe_keys / sizeof recipe_keys[0]) };

static t2v_status read_recipe(const t2v_weights *w, t2v_tganc_recipe *r)
{
    uint32_t z_dim;
    t2v_status s = t2v_recipe_read(w, recipe_keys, N_RECIPE_KEYS, r, sizeof *r);
    if (s == T2V_OK && t2v_weights_get_u32(w, "tganc.z_dim", &z_dim) != T2V_OK)
        s = T2V_ERR_FORMAT; /* the reader named the missing key and the file */
    if (s == T2V_OK)
        s = t2v_recipe_check(w, recipe_keys, N_RECIPE_KEYS, r);
    return s;
}

/* ---- construction --------------------------------------------------------- */

static t2v_status open_data(t2v_tganc_trainer *tr, t2v_data_warn_fn warn, void *warn_user)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = tr->rc.data;
    o.split = T2V_SPLIT_TRAIN;
    o.frames = tr->gen.cfg.frames ? tr->gen.cfg.frames : 16;
    o.channels = tr->rc.gen.channels;
    o.seed = tr->rc.seed;
    o.count = tr->rc.train_count;
    o.partial = tr->rc.partial;
    o.warn = warn;
    o.warn_user = warn_user;
    t2v_status s = t2v_data_open(&o, &tr->ds);
    if (s != T2V_OK)
        return t2v_fail(s, "%s", t2v_data_last_error());
    t2v_data_get_info(tr->ds, &tr->di);
    return T2V_OK;
}

/* Host buffers of the mode-seeking term. */
static t2v_status ms_buffers(t2v_tganc_trainer *tr)
{
    if (tr->ms_grad_host)
        return T2V_OK;
    size_t N = (size_t)tr->rc.batch;
    size_t clip = N * tr->gen.cfg.channels * tr->gen.cfg.frames * tr->gen.cfg.height *
                  tr->gen.cfg.width;
    tr->z_host = malloc(N * tr->gen.cfg.z_dim * sizeof(float));
    tr->ms_grad_host = malloc(clip * sizeof(float));
    tr->group_host = malloc(N * sizeof(int));
    if (!tr->z_host || !tr->ms_grad_host || !tr->group_host)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory");
    return T2V_OK;
}

/* On resume: the recipe's path for the checkpoint's (tr->rc.gen), where it
 * asks for another. The bouncing shape replaces a free head's output layer
 * (4 or 5 numbers per picture instead of 2T); the axis gate widens a
 * bouncing head's output layer by one output per picture (*widen), whose
 * weights start at 0, so the generator's output is unchanged at the switch;
 * another input (switch_path) replaces the whole head, whose first layer
 * reads it. *fresh names the parameters that start afresh (NULL: none). */
static t2v_status switch_path(t2v_tganc_trainer *tr, const t2v_tganc_recipe *recipe,
                              int64_t ck_step, const char *resume_path, const char **fresh,
                              int *widen)
{
    t2v_tganc_cfg want = tr->rc.gen;
    if (recipe && recipe->gen.path_bounce > want.path_bounce)
        want.path_bounce = recipe->gen.path_bounce;
    if (recipe && recipe->switch_path) {
        want.path_rest = recipe->gen.path_rest;
        want.path_follow = recipe->gen.path_follow;
        want.path_each = recipe->gen.path_each;
    }
    const t2v_tganc_cfg *had = &tr->rc.gen;
    int input = want.path_rest != had->path_rest || want.path_follow != had->path_follow ||
                want.path_each != had->path_each;
    int shape = want.path_bounce != had->path_bounce;
    if (!input && !shape)
        return T2V_OK;
    if (had->sprite_frames <= 0)
        return t2v_fail(T2V_ERR_INVALID, "%s: a path moves the sprite layout's picture; this "
                        "generator draws the clip", resume_path);
    t2v_status s = t2v_tganc_check(&want);
    if (s != T2V_OK)
        return t2v_fail(T2V_ERR_INVALID, "%s: its path cannot switch: %s", resume_path,
                        t2v_last_error());
    if (input)
        tr->rc.path_from = ck_step;
    if (shape && !had->path_bounce)
        tr->rc.path_bounce_from = ck_step;
    if (want.path_bounce == 2 && had->path_bounce < 2)
        tr->rc.path_axis_from = ck_step;
    *fresh = input ? T2V_TGANC_PATH : T2V_TGANC_PATH_OUT;
    *widen = !input && had->path_bounce == 1 && want.path_bounce == 2;
    tr->rc.gen = want;
    return T2V_OK;
}

t2v_status t2v_tganc_trainer_new(const t2v_tganc_recipe *recipe, const char *resume_path,
                                 int threads, t2v_device device, int gpu_id,
                                 t2v_data_warn_fn warn, void *warn_user,
                                 t2v_tganc_trainer **out)
{
    *out = NULL;
    t2v_tganc_trainer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory");
    t2v_weights *ck = NULL;
    t2v_status s = T2V_OK;
    int fresh_reader = 0; /* a reader added to a checkpoint that has none */
    const char *fresh_path = NULL; /* the path head's parameters that start afresh */
    int widen_path = 0;            /* ... or grow by the axis gate's outputs */
    int64_t ck_step = 0;
    if (resume_path) {
        if ((s = t2v_weights_open(resume_path, &ck)) != T2V_OK)
            goto fail;
        if ((s = read_recipe(ck, &tr->rc)) != T2V_OK)
            goto fail;
        if (t2v_weights_get_i64(ck, "train.step", &ck_step) != T2V_OK || ck_step < 0) {
            s = t2v_fail(T2V_ERR_FORMAT, "%s: no train.step", resume_path);
            goto fail;
        }
        if (tr->rc.reader > 0.0f && (tr->rc.reader_from > ck_step || tr->rc.reader_from < 0)) {
            s = t2v_fail(T2V_ERR_FORMAT, "%s: its reader starts at step %lld, outside the "
                         "checkpoint's 0..%lld", resume_path, (long long)tr->rc.reader_from,
                         (long long)ck_step);
            goto fail;
        }
        if (recipe && recipe->reader > 0.0f && tr->rc.reader == 0.0f) {
            /* the reader is a network of its own: it can start at any step */
            tr->rc.reader = recipe->reader;
            tr->rc.reader_from = ck_step;
            fresh_reader = 1;
        }
        if ((s = t2v_vocab_read(ck, &tr->vocab)) != T2V_OK)
            goto fail;
        if ((s = t2v_tganc_cfg_read(ck, tr->vocab.count, &tr->rc.gen)) != T2V_OK)
            goto fail;
        if (recipe && recipe->gen.text.pool == 2 && tr->rc.gen.text.pool == 1) {
            /* G stops reading the LSTM's part of the sentence from here on;
             * its parameters stay, the LSTM's entries of its S become zero */
            tr->rc.gen.text.pool = 2;
            tr->rc.g_pooled_from = ck_step;
        }
        if ((s = switch_path(tr, recipe, ck_step, resume_path, &fresh_path, &widen_path)) !=
            T2V_OK)
            goto fail;
    } else {
        tr->rc = *recipe;
        tr->rc.reader_from = 0;
        tr->rc.g_pooled_from = 0;
        tr->rc.path_bounce_from = 0;
        tr->rc.path_axis_from = 0;
        tr->rc.path_from = 0;
        if ((s = t2v_tganc_check(&tr->rc.gen)) != T2V_OK)
            goto fail;
    }
    if (!(tr->rc.reader >= 0.0f && tr->rc.reader <= 100.0f)) {
        s = t2v_fail(T2V_ERR_INVALID, "the reader's weight must lie in [0, 100], not %g",
                     (double)tr->rc.reader);
        goto fail;
    }
    if (tr->rc.axis_sharpen != 0.0f &&
        (s = t2v_tganc_trainer_set_axis_sharpen(tr, tr->rc.axis_sharpen)) != T2V_OK)
        goto fail;
    tr->gen.cfg = tr->rc.gen;
    t2v_tganc_check(&tr->gen.cfg);
    if (tr->rc.batch < 1 || tr->gen.cfg.frames < 2)
        return t2v_fail(T2V_ERR_INVALID, "batch must be >= 1 and clips at least 2 frames");
    if ((s = open_data(tr, warn, warn_user)) != T2V_OK)
        goto fail;
    if (tr->di.channels != tr->rc.gen.channels || tr->di.frames != tr->gen.cfg.frames ||
        tr->di.height != tr->gen.cfg.height || tr->di.width != tr->gen.cfg.width) {
        s = t2v_fail(T2V_ERR_INVALID,
                     "data set clips are %dx%dx%dx%d but the generator makes %dx%dx%dx%d",
                     tr->di.channels, tr->di.frames, tr->di.height, tr->di.width,
                     tr->gen.cfg.channels, tr->gen.cfg.frames, tr->gen.cfg.height,
                     tr->gen.cfg.width);
        goto fail;
    }
    if ((s = t2v_encoded_captions_build(&tr->caps, &tr->vocab, ck == NULL, tr->ds, tr->di.n_captions,
                                     tr->rc.gen.text.max_words, tr->rc.data)) != T2V_OK)
        goto fail;
    if ((s = t2v_backend_open(device, threads, gpu_id, &tr->be)) != T2V_OK)
        goto fail;
    t2v_params_init(&tr->gps, tr->be);
    t2v_params_init(&tr->gbufs, tr->be);
    t2v_params_init(&tr->dps, tr->be);
    t2v_params_init(&tr->dbufs, tr->be);
    if ((s = declare_all(tr)) != T2V_OK)
        goto fail;
    if ((s = t2v_params_allocate(&tr->gps, 1)) != T2V_OK ||
        (s = t2v_params_allocate(&tr->gbufs, 0)) != T2V_OK ||
        (s = t2v_params_allocate(&tr->dps, 1)) != T2V_OK ||
        (s = t2v_params_allocate(&tr->dbufs, 0)) != T2V_OK)
        goto fail;
    t2v_plan p = {.arena = &tr->arena, .N = tr->rc.batch, .training = 1};
    t2v_arena_measure(&tr->arena, tr->be);
    plan_all(tr, &p);
    if (p.status == T2V_OK)
        p.status = t2v_arena_commit(&tr->arena);
    if (p.status == T2V_OK)
        plan_all(tr, &p);
    if ((s = p.status) != T2V_OK)
        goto fail;
    t2v_backend *be = tr->be;
    be->k->fill(be, tr->ones, 1.0f, tr->max_items);
    be->k->fill(be, tr->zeros, 0.0f, tr->max_items);
    for (int i = 0; i < 2 && tr->rc.aux_words > 0.0f; i++) {
        disc_set *d = i ? &tr->frame : &tr->video;
        if ((s = t2v_word_head_keep_informative(&d->words, be, tr->caps.ids, tr->caps.len,
                                                tr->caps.n, tr->caps.max_words)) != T2V_OK)
            goto fail;
    }
    if (tr->rc.reader > 0.0f &&
        (s = t2v_word_reader_keep_informative(&tr->reader, tr->caps.ids, tr->caps.len, tr->caps.n,
                                              tr->caps.max_words)) != T2V_OK)
        goto fail;
    size_t clip = (size_t)tr->rc.batch * tr->gen.cfg.channels * tr->gen.cfg.frames *
                  tr->gen.cfg.height * tr->gen.cfg.width;
    tr->clip_host = malloc(clip * sizeof(float));
    tr->loss_host = malloc((size_t)tr->max_items * sizeof(float));
    tr->ids_host = calloc((size_t)2 * tr->rc.batch * tr->rc.gen.text.max_words, sizeof(int32_t));
    tr->len_host = calloc((size_t)2 * tr->rc.batch, sizeof(int));
    if (tr->rc.lambda_ms > 0.0f && (s = ms_buffers(tr)) != T2V_OK)
        goto fail;
    if (!tr->clip_host || !tr->loss_host || !tr->ids_host || !tr->len_host) {
        s = t2v_fail(T2V_ERR_NOMEM, "out of memory");
        goto fail;
    }
    tr->opt_g = (t2v_adam){.lr = tr->rc.lr_g, .beta1 = tr->rc.beta1, .beta2 = tr->rc.beta2,
                           .eps = 1e-8f};
    tr->opt_d = (t2v_adam){.lr = tr->rc.lr_d, .beta1 = tr->rc.beta1, .beta2 = tr->rc.beta2,
                           .eps = 1e-8f};
    if (ck) {
        double secs = 0.0;
        t2v_weights_get_f64(ck, T2V_KEY_TRAIN_SECONDS, &secs);
        tr->step = ck_step;
        tr->seconds = secs;
        tr->opt_g.step = tr->opt_d.step = ck_step;
        const char *skip = fresh_path;
        if ((s = t2v_params_load_except(&tr->gps, ck, 1, skip)) != T2V_OK ||
            (skip && !widen_path &&
             (s = t2v_tganc_init_path(&tr->gen, tr->be, &tr->gps, tr->rc.seed ^ 0x9E37u,
                                      5000 + 4 * (uint64_t)ck_step,
                                      strcmp(skip, T2V_TGANC_PATH) == 0)) != T2V_OK) ||
            (widen_path && (s = t2v_params_load_widened(&tr->gps, ck, 1, T2V_TGANC_PATH_OUT, 4,
                                                        5)) != T2V_OK) ||
            (s = t2v_params_load_from(&tr->gbufs, ck, 0)) != T2V_OK ||
            (s = t2v_params_load_from(&tr->dps, ck, 1)) != T2V_OK ||
            (s = t2v_params_load_from(&tr->dbufs, ck, 0)) != T2V_OK)
            goto fail;
        if (tr->rc.reader > 0.0f &&
            (s = fresh_reader ? t2v_word_reader_init(&tr->reader, tr->rc.seed, 4000)
                              : t2v_word_reader_load(&tr->reader, ck,
                                                     ck_step - tr->rc.reader_from)) != T2V_OK)
            goto fail;
        /* an average the file does not hold starts at the loaded weights */
        if (tr->rc.g_ema > 0.0f &&
            ((s = t2v_ema_init(&tr->ema, &tr->gps, tr->rc.g_ema)) != T2V_OK ||
             (t2v_ema_in_file(&tr->gps, ck) &&
              ((s = t2v_ema_load_except(&tr->ema, &tr->gps, ck, skip)) != T2V_OK ||
               (widen_path && (s = t2v_ema_load_widened(&tr->ema, &tr->gps, ck,
                                                        T2V_TGANC_PATH_OUT, 4, 5)) != T2V_OK)))))
            goto fail;
        t2v_weights_close(ck);
        ck = NULL;
    } else if ((s = init_weights(tr)) != T2V_OK ||
               (tr->rc.reader > 0.0f &&
                (s = t2v_word_reader_init(&tr->reader, tr->rc.seed, 4000)) != T2V_OK)) {
        goto fail;
    } else {
        if (tr->rc.shared_text)
            copy_text(tr);
        if (tr->rc.g_ema > 0.0f && (s = t2v_ema_init(&tr->ema, &tr->gps, tr->rc.g_ema)) != T2V_OK)
            goto fail;
    }
    *out = tr;
    return T2V_OK;
fail:
    t2v_weights_close(ck);
    t2v_tganc_trainer_free(tr);
    return s;
}

void t2v_tganc_trainer_free(t2v_tganc_trainer *tr)
{
    if (!tr)
        return;
    t2v_arena_release(&tr->arena);
    t2v_ema_free(&tr->ema);
    t2v_word_head_free(&tr->video.words);
    t2v_word_head_free(&tr->frame.words);
    t2v_word_reader_free(&tr->reader);
    t2v_params_free(&tr->gps);
    t2v_params_free(&tr->gbufs);
    t2v_params_free(&tr->dps);
    t2v_params_free(&tr->dbufs);
    t2v_backend_close(tr->be);
    t2v_data_close(tr->ds);
    t2v_vocab_free(&tr->vocab);
    t2v_encoded_captions_free(&tr->caps);
    free(tr->clip_host);
    free(tr->z_host);
    free(tr->ms_grad_host);
    free(tr->group_host);
    free(tr->loss_host);
    free(tr->ids_host);
    free(tr->len_host);
    free(tr);
}

const t2v_tganc_recipe *t2v_tganc_trainer_recipe(const t2v_tganc_trainer *tr) { return &tr->rc; }
int64_t t2v_tganc_trainer_step_count(const t2v_tganc_trainer *tr) { return tr->step; }
double t2v_tganc_trainer_seconds(const t2v_tganc_trainer *tr) { return tr->seconds; }
void t2v_tganc_trainer_add_seconds(t2v_tganc_trainer *tr, double s) { tr->seconds += s; }

/* ---- one step ------------------------------------------------------------ */

/* Loads the batch of `step`: real clips, matching and mismatching captions. */
static t2v_status load_batch(t2v_tganc_trainer *tr, int64_t step)
{
    int N = tr->rc.batch;
    long count = tr->di.count;
    size_t clip = tr->di.channels * (size_t)tr->di.frames * tr->di.height * tr->di.width;
    float u[2];
    uint64_t epoch = (uint64_t)step * (uint64_t)N / (uint64_t)count;
    for (int n = 0; n < N; n++) {
        t2v_rng_uniform_host(u, 2, tr->rc.seed, STREAM_BATCH, ((uint64_t)step * N + n) * 2);
        long i = t2v_index_of_uniform(u[0], count);
        t2v_status s = t2v_data_get(tr->ds, i, epoch, tr->clip_host + n * clip, NULL);
        if (s != T2V_OK)
            return t2v_fail(s, "%s", t2v_data_last_error());
        s = t2v_encoded_captions_pair(&tr->caps, tr->ds, i, epoch, (uint64_t)step * N + n,
                                      tr->rc.near_miss, 0.0f, tr->ids_host, tr->len_host,
                                      n, N, NULL);
        if (s != T2V_OK)
            return s;
    }
    if (tr->rc.aux_words > 0.0f) {
        /* the word heads read the matching captions (rows 0..N-1) */
        int W = tr->rc.gen.text.max_words;
        t2v_status s = t2v_word_head_set_targets(&tr->video.words, tr->be, tr->ids_host,
                                                 tr->len_host, N, W);
        if (s == T2V_OK)
            s = t2v_word_head_set_targets(&tr->frame.words, tr->be, tr->ids_host, tr->len_host,
                                          N, W);
        if (s != T2V_OK)
            return s;
    }
    if (tr->rc.reader > 0.0f) {
        t2v_status s = t2v_word_reader_set_targets(&tr->reader, tr->ids_host, tr->len_host,
                                                   tr->rc.gen.text.max_words);
        if (s != T2V_OK)
            return s;
    }
    return t2v_backend_upload(tr->be, tr->real, tr->clip_host, N * clip * sizeof(float));
}

/* The adversarial loss of M logits toward `target` (+1 real, -1 fake, 0 the
 * generator's view of its fakes), gradient weight/M into dlogit; returns the
 * weighted mean loss. */
static float gan_term(t2v_tganc_trainer *tr, const float *logit, float *dlogit, int M,
                      int target, float weight)
{
    float scale = weight / (float)M;
    t2v_gan_loss_ws ws = {tr->be, tr->rc.loss, tr->loss_dev, tr->ones, tr->zeros, tr->loss_host};
    return (float)(t2v_gan_loss_sum(&ws, logit, dlogit, M, target, scale) * scale);
}

static float mean_logit(t2v_tganc_trainer *tr, const float *logit, int M)
{
    return (float)(t2v_device_sum(tr->be, tr->loss_host, logit, M) / M);
}

/* Frame features (N*T, C, hw) -> motion items (N*(T-1), C, hw). */
static void motion_forward(t2v_tganc_trainer *tr, int r, const float *feat)
{
    motion_set *m = &tr->motion;
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, T = tr->gen.cfg.frames, C = tr->frame.d.feat_c;
    int64_t hw = tr->frame.d.feat_l;
    int64_t s1[4] = {N, T, C, hw};
    int p1[4] = {0, 2, 1, 3};
    be->k->permute(be, m->tm[r], feat, 4, s1, p1);
    be->k->frame_diff_forward(be, m->diff[r], m->tm[r], N, C, T, hw);
    int64_t s2[4] = {N, C, T - 1, hw};
    be->k->permute(be, m->items[r], m->diff[r], 4, s2, p1);
}

/* ditems -> added into the frame trunk's last-layer gradient dfeat. */
static void motion_backward(t2v_tganc_trainer *tr, float *dfeat)
{
    motion_set *m = &tr->motion;
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, T = tr->gen.cfg.frames, C = tr->frame.d.feat_c;
    int64_t hw = tr->frame.d.feat_l;
    int64_t s1[4] = {N, T - 1, C, hw};
    int p1[4] = {0, 2, 1, 3};
    be->k->permute(be, m->ddiff, m->ditems, 4, s1, p1);
    be->k->frame_diff_backward(be, m->dtm, m->ddiff, N, C, T, hw);
    int64_t s2[4] = {N, C, T, hw};
    be->k->permute(be, m->dback, m->dtm, 4, s2, p1);
    be->k->add(be, dfeat, dfeat, m->dback, (int64_t)N * T * C * hw);
}

/* A head's three matching-aware terms for D. Adds head gradients into
 * dfeat_real / dfeat_fake and the sentence gradients into dS_d. */
static float d_head_terms(t2v_tganc_trainer *tr, t2v_head *h, t2v_head_run *run,
                          const float *feat_r, const float *feat_f, float *dfeat_r,
                          float *dfeat_f, float means[3])
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, D = tr->denc.cfg.sent, M = h->M;
    const float *S_match = tr->denc.S, *S_mis = tr->denc.S + (size_t)N * D;
    int64_t fl = (int64_t)M * h->C * h->L;
    t2v_head_forward(h, be, &tr->dps, &run[0], feat_r, S_match, N, tr->head_ws);
    t2v_head_forward(h, be, &tr->dps, &run[1], feat_r, S_mis, N, tr->head_ws);
    t2v_head_forward(h, be, &tr->dps, &run[2], feat_f, S_match, N, tr->head_ws);
    for (int r = 0; r < 3; r++)
        means[r] = mean_logit(tr, run[r].logit, M);
    float loss = gan_term(tr, run[0].logit, run[0].dlogit, M, +1, 1.0f);
    loss += gan_term(tr, run[1].logit, run[1].dlogit, M, -1, 0.5f);
    loss += gan_term(tr, run[2].logit, run[2].dlogit, M, -1, 0.5f);
    t2v_head_backward(h, be, &tr->dps, &run[0], feat_r, S_match, N, tr->head_ws, 1);
    be->k->add(be, dfeat_r, dfeat_r, run[0].dfeat, fl);
    be->k->add(be, tr->dS_d, tr->dS_d, run[0].dS, (int64_t)N * D);
    t2v_head_backward(h, be, &tr->dps, &run[1], feat_r, S_mis, N, tr->head_ws, 1);
    be->k->add(be, dfeat_r, dfeat_r, run[1].dfeat, fl);
    be->k->add(be, tr->dS_d + (size_t)N * D, tr->dS_d + (size_t)N * D, run[1].dS, (int64_t)N * D);
    t2v_head_backward(h, be, &tr->dps, &run[2], feat_f, S_match, N, tr->head_ws, 1);
    be->k->add(be, dfeat_f, dfeat_f, run[2].dfeat, fl);
    be->k->add(be, tr->dS_d, tr->dS_d, run[2].dS, (int64_t)N * D);
    return loss;
}

static int64_t last_size(const disc_set *d)
{
    return (int64_t)d->d.M * d->d.feat_c * d->d.feat_l;
}

static t2v_status refresh_d(t2v_tganc_trainer *tr, int update_u)
{
    t2v_backend *be = tr->be;
    t2v_disc_refresh(&tr->video.d, be, &tr->dps, &tr->dbufs, update_u);
    t2v_head_refresh(&tr->video.head, be, &tr->dps, &tr->dbufs, update_u);
    t2v_disc_refresh(&tr->frame.d, be, &tr->dps, &tr->dbufs, update_u);
    t2v_head_refresh(&tr->frame.head, be, &tr->dps, &tr->dbufs, update_u);
    if (tr->motion.on)
        t2v_head_refresh(&tr->motion.head, be, &tr->dps, &tr->dbufs, update_u);
    return T2V_OK;
}

static void fold_d(t2v_tganc_trainer *tr)
{
    t2v_backend *be = tr->be;
    t2v_disc_fold_grads(&tr->video.d, be, &tr->dps);
    t2v_head_fold_grads(&tr->video.head, be, &tr->dps);
    t2v_disc_fold_grads(&tr->frame.d, be, &tr->dps);
    t2v_head_fold_grads(&tr->frame.head, be, &tr->dps);
    if (tr->motion.on)
        t2v_head_fold_grads(&tr->motion.head, be, &tr->dps);
}

/* D's forward and backward on the current batch (real, tr->gen.clip).
 * Leaves gradients in dps; returns the loss parts. */
static void d_pass(t2v_tganc_trainer *tr, t2v_step_stats *st)
{
    t2v_backend *be = tr->be;
    const t2v_kernels *k = be->k;
    int N = tr->rc.batch;
    const float *fake = tr->gen.clip;
    k->fill(be, tr->dS_d, 0.0f, (int64_t)2 * N * tr->denc.cfg.sent);
    disc_set *sets[2] = {&tr->video, &tr->frame};
    float parts[3] = {0, 0, 0};
    for (int i = 0; i < 2; i++) {
        disc_set *d = sets[i];
        int last = d->d.cfg.layers - 1;
        t2v_trunk_forward(&d->d, be, &tr->dps, &tr->dbufs, &d->real, tr->real, N, 1);
        t2v_trunk_forward(&d->d, be, &tr->dps, &tr->dbufs, &d->fake, fake, N, 1);
        float *dr = d->real.dact[last], *df = d->fake.dact[last];
        k->fill(be, dr, 0.0f, last_size(d));
        k->fill(be, df, 0.0f, last_size(d));
        const float *fr = d->real.act[last], *ff = d->fake.act[last];
        parts[i] = d_head_terms(tr, &d->head, d->run, fr, ff, dr, df, st->logit[i]);
        if (tr->rc.aux_words > 0.0f) /* real clips only: the head reads real data */
            st->d_words += t2v_word_head_term(&d->words, be, &tr->dps, fr, dr, tr->rc.aux_words, 1);
        if (i == 1 && tr->motion.on) {
            motion_set *m = &tr->motion;
            motion_forward(tr, 0, fr);
            motion_forward(tr, 1, ff);
            int64_t ml = (int64_t)m->head.M * m->head.C * m->head.L;
            /* runs 0 and 1 score the real items, run 2 the fake ones */
            t2v_head *h = &m->head;
            const float *S_match = tr->denc.S;
            const float *S_mis = tr->denc.S + (size_t)N * tr->denc.cfg.sent;
            t2v_head_forward(h, be, &tr->dps, &m->run[0], m->items[0], S_match, N, tr->head_ws);
            t2v_head_forward(h, be, &tr->dps, &m->run[1], m->items[0], S_mis, N, tr->head_ws);
            t2v_head_forward(h, be, &tr->dps, &m->run[2], m->items[1], S_match, N, tr->head_ws);
            for (int r = 0; r < 3; r++)
                st->logit[2][r] = mean_logit(tr, m->run[r].logit, h->M);
            float loss = gan_term(tr, m->run[0].logit, m->run[0].dlogit, h->M, +1, 1.0f);
            loss += gan_term(tr, m->run[1].logit, m->run[1].dlogit, h->M, -1, 0.5f);
            loss += gan_term(tr, m->run[2].logit, m->run[2].dlogit, h->M, -1, 0.5f);
            size_t ND = (size_t)N * tr->denc.cfg.sent;
            for (int r = 0; r < 3; r++) {
                t2v_head_backward(h, be, &tr->dps, &m->run[r], m->items[r == 2], r == 1 ? S_mis
                                  : S_match, N, tr->head_ws, 1);
                float *dS = tr->dS_d + (r == 1 ? ND : 0);
                k->add(be, dS, dS, m->run[r].dS, (int64_t)ND);
            }
            k->add(be, m->ditems, m->run[0].dfeat, m->run[1].dfeat, ml);
            motion_backward(tr, dr);
            k->copy(be, m->ditems, m->run[2].dfeat, ml);
            motion_backward(tr, df);
            parts[2] = loss;
        }
        t2v_trunk_backward(&d->d, be, &tr->dps, &d->real, N, 0, 1);
        t2v_trunk_backward(&d->d, be, &tr->dps, &d->fake, N, 0, 1);
    }
    t2v_encoder_backward(&tr->denc, be, &tr->dps, tr->dS_d);
    st->d_video = parts[0];
    st->d_frame = parts[1];
    st->d_motion = parts[2];
    st->d_loss = parts[0] + parts[1] + parts[2] + st->d_words;
}

/* The mode-seeking term on G's clips (train/common/mode_seeking.h): items
 * of the batch with the same caption are the pairs. Adds its gradient to
 * tr->dclip (through tc_diff, free by now) and returns its value. */
static float mode_seeking_term(t2v_tganc_trainer *tr, int64_t clip)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, Z = tr->gen.cfg.z_dim, W = tr->rc.gen.text.max_words;
    for (int i = 0; i < N; i++) {
        tr->group_host[i] = i;
        for (int j = 0; j < i; j++)
            if (tr->len_host[j] == tr->len_host[i] &&
                !memcmp(tr->ids_host + (size_t)j * W, tr->ids_host + (size_t)i * W,
                        (size_t)W * sizeof(int32_t))) {
                tr->group_host[i] = tr->group_host[j];
                break;
            }
    }
    if (t2v_backend_download(be, tr->clip_host, tr->gen.clip, (size_t)clip * sizeof(float)) !=
            T2V_OK ||
        t2v_backend_download(be, tr->z_host, tr->gen.z, (size_t)N * Z * sizeof(float)) != T2V_OK)
        return 0.0f;
    double loss = t2v_mode_seeking(tr->clip_host, N, (size_t)(clip / N), tr->z_host, Z,
                                   tr->group_host, tr->rc.lambda_ms, tr->ms_grad_host, NULL, NULL);
    if (t2v_backend_upload(be, tr->tc_diff, tr->ms_grad_host, (size_t)clip * sizeof(float)) !=
        T2V_OK)
        return 0.0f;
    be->k->add(be, tr->dclip, tr->dclip, tr->tc_diff, clip);
    return (float)loss;
}

/* G's adversarial terms on its fakes; leaves dclip (N, C, T, H, W). */
static t2v_status g_pass(t2v_tganc_trainer *tr, t2v_step_stats *st)
{
    t2v_backend *be = tr->be;
    const t2v_kernels *k = be->k;
    int N = tr->rc.batch;
    const float *fake = tr->gen.clip;
    const t2v_tganc_cfg *gc = &tr->gen.cfg;
    int64_t clip = (int64_t)N * gc->channels * gc->frames * gc->height * gc->width;
    k->fill(be, tr->dclip, 0.0f, clip);
    disc_set *sets[2] = {&tr->video, &tr->frame};
    float parts[3] = {0, 0, 0};
    const float *S_match = tr->denc.S;
    for (int i = 0; i < 2; i++) {
        disc_set *d = sets[i];
        int last = d->d.cfg.layers - 1;
        t2v_trunk_forward(&d->d, be, &tr->dps, &tr->dbufs, &d->fake, fake, N, 1);
        const float *ff = d->fake.act[last];
        float *df = d->fake.dact[last];
        t2v_head *h = &d->head;
        t2v_head_forward(h, be, &tr->dps, &d->run[2], ff, S_match, N, tr->head_ws);
        parts[i] = gan_term(tr, d->run[2].logit, d->run[2].dlogit, h->M, 0, 1.0f);
        t2v_head_backward(h, be, &tr->dps, &d->run[2], ff, S_match, N, tr->head_ws, 0);
        k->copy(be, df, d->run[2].dfeat, last_size(d));
        if (tr->rc.aux_words > 0.0f)
            st->g_words += t2v_word_head_term(&d->words, be, &tr->dps, ff, df, tr->rc.aux_words, 0);
        if (i == 1 && tr->motion.on) {
            motion_set *m = &tr->motion;
            motion_forward(tr, 1, ff);
            t2v_head_forward(&m->head, be, &tr->dps, &m->run[2], m->items[1], S_match, N,
                             tr->head_ws);
            parts[2] = gan_term(tr, m->run[2].logit, m->run[2].dlogit, m->head.M, 0, 1.0f);
            t2v_head_backward(&m->head, be, &tr->dps, &m->run[2], m->items[1], S_match, N,
                              tr->head_ws, 0);
            k->copy(be, m->ditems, m->run[2].dfeat,
                    (int64_t)m->head.M * m->head.C * m->head.L);
            motion_backward(tr, df);
        }
        t2v_trunk_backward(&d->d, be, &tr->dps, &d->fake, N, 1, 0);
        k->add(be, tr->dclip, tr->dclip, d->fake.dinput, clip);
    }
    st->g_video = parts[0];
    st->g_frame = parts[1];
    st->g_motion = parts[2];
    st->tc = 0.0f;
    if (tr->rc.temporal == T2V_TEMPORAL_CONSTRAINT) {
        /* lambda / N * sum_t |f_t - f_{t-1}|^2, gradient 2 lambda / N diff */
        int C = gc->channels, T = gc->frames;
        int64_t hw = (int64_t)gc->height * gc->width, nd = (int64_t)N * C * (T - 1) * hw;
        float lam = tr->rc.lambda_tc / (float)N;
        k->frame_diff_forward(be, tr->tc_diff, fake, N, C, T, hw);
        k->row_dot(be, tr->scalar, tr->tc_diff, tr->tc_diff, 1, nd, 1.0f);
        float sq;
        t2v_backend_download(be, &sq, tr->scalar, sizeof sq);
        st->tc = lam * sq;
        k->scale(be, tr->tc_diff, tr->tc_diff, 2.0f * lam, nd);
        k->frame_diff_backward(be, tr->tc_diff + nd, tr->tc_diff, N, C, T, hw);
        k->add(be, tr->dclip, tr->dclip, tr->tc_diff + nd, clip);
    }
    st->ms = tr->rc.lambda_ms > 0.0f ? mode_seeking_term(tr, clip) : 0.0f;
    t2v_status s = tr->rc.reader > 0.0f ? t2v_word_reader_pull(&tr->reader, fake, tr->rc.reader,
                                                               tr->dclip, &st->g_reader)
                                        : T2V_OK;
    st->g_loss = parts[0] + parts[1] + parts[2] + st->tc + st->ms + st->g_words + st->g_reader;
    return s;
}

/* With shared_text, G's sentence encoder is a copy of D's: D's
 * matching-aware losses must tell captions apart, so its sentence vectors
 * carry the digit and the motion; G's own loss, left to train an encoder,
 * drove it to one saturated vector for every caption (measured: spread
 * across captions 0.0015 against 0.06 for D's encoder after 200 steps). */
static void copy_text(t2v_tganc_trainer *tr)
{
    t2v_encoder_copy_weights(tr->be, &tr->denc, &tr->dps, &tr->gen.text, &tr->gps);
}

static void forward_batch(t2v_tganc_trainer *tr, int64_t step)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, Z = tr->gen.cfg.z_dim;
    be->k->rng_normal(be, tr->gen.z, (int64_t)N * Z, tr->rc.seed, STREAM_Z,
                      (uint64_t)step * N * Z);
    t2v_tganc_forward(&tr->gen, be, &tr->gps, &tr->gbufs, tr->gen.text.S, 1);
}

t2v_status t2v_tganc_train_step(t2v_tganc_trainer *tr, t2v_step_stats *st)
{
    memset(st, 0, sizeof *st);
    t2v_backend *be = tr->be;
    int N = tr->rc.batch;
    t2v_status s = load_batch(tr, tr->step);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&tr->denc, be, &tr->dps, tr->ids_host, tr->len_host);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&tr->gen.text, be, &tr->gps, tr->ids_host, tr->len_host);
    if (s != T2V_OK)
        return s;
    (void)N;
    forward_batch(tr, tr->step);
    /* D step */
    t2v_params_zero_grad(&tr->dps);
    refresh_d(tr, 1);
    d_pass(tr, st);
    fold_d(tr);
    t2v_adam_step(&tr->opt_d, &tr->dps);
    if (tr->rc.reader > 0.0f) /* the reader learns from the real clips D just saw */
        st->d_reader = t2v_word_reader_learn(&tr->reader, tr->real);
    /* G step: the same fakes against the updated D */
    t2v_params_zero_grad(&tr->gps);
    refresh_d(tr, 0);
    s = t2v_encoder_forward(&tr->denc, be, &tr->dps, tr->ids_host, tr->len_host);
    if (s != T2V_OK)
        return s;
    if ((s = g_pass(tr, st)) != T2V_OK)
        return s;
    be->k->copy(be, tr->gen.dclip, tr->dclip,
                (int64_t)N * tr->gen.cfg.channels * tr->gen.cfg.frames * tr->gen.cfg.height *
                    tr->gen.cfg.width);
    t2v_tganc_backward(&tr->gen, be, &tr->gps, tr->gen.text.S);
    if (!tr->rc.shared_text)
        t2v_tganc_text_backward(&tr->gen, be, &tr->gps);
    t2v_adam_step(&tr->opt_g, &tr->gps);
    if (tr->rc.shared_text)
        copy_text(tr);
    t2v_ema_update(&tr->ema, &tr->gps, tr->step);
    tr->step++;
    if (!isfinite(st->d_loss) || !isfinite(st->g_loss))
        return t2v_fail(T2V_ERR_BACKEND, "training diverged at step %lld (d %g, g %g)",
                        (long long)tr->step, st->d_loss, st->g_loss);
    return T2V_OK;
}

t2v_status t2v_tganc_d_loss_on(t2v_tganc_trainer *tr, int64_t at_step, float *d_loss)
{
    t2v_backend *be = tr->be;
    t2v_status s = load_batch(tr, at_step);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&tr->denc, be, &tr->dps, tr->ids_host, tr->len_host);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&tr->gen.text, be, &tr->gps, tr->ids_host, tr->len_host);
    if (s != T2V_OK)
        return s;
    forward_batch(tr, at_step);
    t2v_params_zero_grad(&tr->dps);
    refresh_d(tr, 0);
    t2v_step_stats st;
    memset(&st, 0, sizeof st);
    d_pass(tr, &st);
    t2v_params_zero_grad(&tr->dps);
    *d_loss = st.d_loss;
    return T2V_OK;
}

/* ---- files ----------------------------------------------------------------- */

static t2v_status add_common(t2v_tganc_trainer *tr, t2v_weights_writer *wr, const char *command)
{
    char name[96];
    snprintf(name, sizeof name, "%s-%s", tr->di.name, tr->rc.preset);
    t2v_status s = t2v_ckpt_write_header(wr, "tganc", name, "video", &tr->vocab);
    if (s == T2V_OK) s = t2v_tganc_cfg_write(&tr->rc.gen, wr);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "txt2vid.fps", (uint32_t)tr->rc.fps);
    if (s == T2V_OK) s = t2v_ckpt_write_provenance(wr, tr->rc.data, tr->rc.preset,
                                                   (uint64_t)tr->step, tr->rc.seed, tr->seconds,
                                                   command, tr->rc.loss);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, "txt2vid.train.temporal",
                                                    t2v_temporal_name(tr->rc.temporal));
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gps, wr, 0);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gbufs, wr, 0);
    return s;
}

t2v_status t2v_tganc_save_checkpoint(t2v_tganc_trainer *tr, const char *path, const char *command)
{
    t2v_weights_writer *wr;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s != T2V_OK)
        return s;
    s = add_common(tr, wr, command);
    if (s == T2V_OK) s = t2v_recipe_write(&tr->rc, recipe_keys, N_RECIPE_KEYS, wr);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, "train.format", TRAIN_FORMAT);
    if (s == T2V_OK) s = t2v_weights_writer_add_i64(wr, "train.step", tr->step);
    /* moments of G: the data tensors are already in; add only @m/@v */
    if (s == T2V_OK) s = t2v_ckpt_write_moments(tr->be, &tr->gps, wr);
    if (s == T2V_OK && tr->ema.decay > 0.0f) s = t2v_ema_write(&tr->ema, &tr->gps, wr);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->dps, wr, 1);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->dbufs, wr, 0);
    if (s == T2V_OK && tr->rc.reader > 0.0f) s = t2v_word_reader_write(&tr->reader, wr);
    if (s == T2V_OK) s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    return s;
}

t2v_status t2v_tganc_export(t2v_tganc_trainer *tr, const char *path, const char *command,
                            const char *const *extra_keys, const char *const *extra_values,
                            int n_extra)
{
    t2v_weights_writer *wr;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s != T2V_OK)
        return s;
    s = add_common(tr, wr, command);
    for (int i = 0; i < n_extra && s == T2V_OK; i++)
        s = t2v_weights_writer_add_str(wr, extra_keys[i], extra_values[i]);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    return s;
}

t2v_status t2v_tganc_trainer_set_ema(t2v_tganc_trainer *tr, float decay)
{
    if (tr->ema.swapped)
        return t2v_fail(T2V_ERR_INVALID, "the averaged weights are in place");
    if (decay == 0.0f) {
        t2v_ema_free(&tr->ema);
    } else if (tr->ema.decay > 0.0f) {
        if (!(decay > 0.0f && decay < 1.0f))
            return t2v_fail(T2V_ERR_INVALID, "the average's decay must lie in (0, 1), not %g",
                            (double)decay);
        tr->ema.decay = decay;
    } else {
        t2v_status s = t2v_ema_init(&tr->ema, &tr->gps, decay);
        if (s != T2V_OK)
            return s;
    }
    tr->rc.g_ema = decay;
    return T2V_OK;
}

t2v_status t2v_tganc_trainer_set_ms(t2v_tganc_trainer *tr, float lambda)
{
    if (!(lambda >= 0.0f))
        return t2v_fail(T2V_ERR_INVALID, "the mode-seeking weight must be >= 0, not %g",
                        (double)lambda);
    t2v_status s = lambda > 0.0f ? ms_buffers(tr) : T2V_OK;
    if (s == T2V_OK)
        tr->rc.lambda_ms = lambda;
    return s;
}

t2v_status t2v_tganc_trainer_set_axis_sharpen(t2v_tganc_trainer *tr, float weight)
{
    if (!(weight >= 0.0f && weight <= 100.0f))
        return t2v_fail(T2V_ERR_INVALID, "the axis gates' sharpening weight must lie in "
                        "[0, 100], not %g", (double)weight);
    if (weight > 0.0f && tr->rc.gen.path_bounce != 2)
        return t2v_fail(T2V_ERR_INVALID, "the axis gates' sharpening needs the gated path "
                        "(--g-path-shape axis)");
    tr->rc.axis_sharpen = tr->gen.axis_sharpen = weight;
    return T2V_OK;
}

int t2v_tganc_trainer_swap_ema(t2v_tganc_trainer *tr)
{
    if (!(tr->ema.decay > 0.0f))
        return 0;
    t2v_ema_swap(&tr->ema, &tr->gps);
    return 1;
}

t2v_status t2v_tganc_trainer_sample(t2v_tganc_trainer *tr, const char *const *captions, int n,
                                    uint64_t seed, int batch_stats, float *out)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, T = tr->rc.gen.text.max_words, Z = tr->gen.cfg.z_dim;
    size_t clip = (size_t)tr->gen.cfg.channels * tr->gen.cfg.frames * tr->gen.cfg.height *
                  tr->gen.cfg.width;
    for (int base = 0; base < n; base += N) {
        t2v_status s = t2v_encode_caption_batch(&tr->vocab, captions, n, base, N, T, tr->ids_host,
                                                tr->len_host);
        if (s != T2V_OK)
            return s;
        s = t2v_encoder_forward(&tr->gen.text, be, &tr->gps, tr->ids_host, tr->len_host);
        if (s != T2V_OK)
            return s;
        /* clip j uses the same noise as generation: Philox (seed, clip 0) */
        for (int j = 0; j < N; j++)
            be->k->rng_normal(be, tr->gen.z + (size_t)j * Z, Z, seed, (uint64_t)(base + j), 0);
        /* batch statistics must not move the running ones */
        float momentum = tr->gen.bn_momentum;
        tr->gen.bn_momentum = 0.0f;
        t2v_tganc_forward(&tr->gen, be, &tr->gps, &tr->gbufs, tr->gen.text.S, batch_stats);
        tr->gen.bn_momentum = momentum;
        int take = n - base < N ? n - base : N;
        s = t2v_backend_download(be, out + (size_t)base * clip, tr->gen.clip,
                                 (size_t)take * clip * sizeof(float));
        if (s != T2V_OK)
            return s;
    }
    return T2V_OK;
}

t2v_status t2v_tganc_trainer_sentences(t2v_tganc_trainer *tr, int disc,
                                       const char *const *captions, int n, float *out)
{
    int N = tr->rc.batch, T = tr->rc.gen.text.max_words;
    if (n < 1 || n > N)
        return t2v_fail(T2V_ERR_INVALID, "%d captions for a batch of %d", n, N);
    t2v_status s = t2v_encode_caption_batch(&tr->vocab, captions, n, 0, N, T, tr->ids_host,
                                            tr->len_host);
    if (s != T2V_OK)
        return s;
    t2v_encoder *e = disc ? &tr->denc : &tr->gen.text;
    if (disc) { /* D's encoder reads 2N captions: the matching and mismatching halves */
        memcpy(tr->ids_host + (size_t)N * T, tr->ids_host, (size_t)N * T * sizeof(int32_t));
        memcpy(tr->len_host + N, tr->len_host, (size_t)N * sizeof(int));
    }
    s = t2v_encoder_forward(e, tr->be, disc ? &tr->dps : &tr->gps, tr->ids_host, tr->len_host);
    if (s != T2V_OK)
        return s;
    return t2v_backend_download(tr->be, out, e->S, (size_t)n * e->cfg.sent * sizeof(float));
}

t2v_status t2v_tganc_standing_stats(t2v_tganc_trainer *tr, int batches)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, Z = tr->gen.cfg.z_dim;
    float u;
    for (int b = 0; b < batches; b++) {
        for (int n = 0; n < N; n++) {
            t2v_rng_uniform_host(&u, 1, tr->rc.seed ^ 0x57A7u, STREAM_BATCH, (uint64_t)b * N + n);
            long k = t2v_index_of_uniform(u, tr->caps.n);
            t2v_encoded_captions_copy(&tr->caps, k, tr->ids_host, tr->len_host, n);
        }
        t2v_status s = t2v_encoder_forward(&tr->gen.text, be, &tr->gps, tr->ids_host, tr->len_host);
        if (s != T2V_OK)
            return s;
        be->k->rng_normal(be, tr->gen.z, (int64_t)N * Z, tr->rc.seed ^ 0x57A7u, STREAM_Z,
                          (uint64_t)b * N * Z);
        /* momentum 1/(b+1): the running statistics become the plain average */
        float momentum = tr->gen.bn_momentum;
        tr->gen.bn_momentum = 1.0f / (float)(b + 1);
        t2v_tganc_forward(&tr->gen, be, &tr->gps, &tr->gbufs, tr->gen.text.S, 1);
        tr->gen.bn_momentum = momentum;
    }
    return T2V_OK;
}
