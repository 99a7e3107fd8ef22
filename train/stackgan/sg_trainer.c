/* The StackGAN trainer: matching-aware Stage-I and Stage-II discriminators
 * against the engine's generators.
 *
 * Randomness is counter-based: the batch of step s of a stage, its
 * mismatched captions and its noise are Philox streams indexed by (seed,
 * stage, s), so a run resumed from a checkpoint takes exactly the steps it
 * would have taken. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"
#include "models/stackgan_io.h"
#include "text/tokenizer.h"
#include "train/common/captions.h"
#include "train/common/ckpt_meta.h"
#include "train/common/word_head.h"
#include "train/common/word_reader.h"
#include "train/stackgan/glyph_planes.h"
#include "train/stackgan/sg_trainer.h"

enum { STREAM_BATCH = 1, STREAM_Z = 2, STREAM_EPS1 = 3, STREAM_EPS2 = 4 };
/* standing statistics (t2v_sg_standing_stats): captions and noise of their own */
enum { STREAM_ST_CAPS = 5, STREAM_ST_Z = 6, STREAM_ST_EPS1 = 7, STREAM_ST_EPS2 = 8 };
/* the object discriminator's mismatching conditions */
enum { STREAM_OBJ = 9 };

#define TRAIN_FORMAT "txt2vid-stackgan-checkpoint"

/* A matching-aware scorer: a 2D trunk and a head that scores its features
 * against a condition vector per image. */
typedef struct sg_scorer {
    t2v_params ps, bufs;
    t2v_disc d;
    t2v_head head;
    t2v_trunk_run real, fake;
    t2v_head_run run[3];        /* real+match, real+mismatch, fake+match */
    t2v_adam opt;
} sg_scorer;

/* One stage's discriminator: a scorer whose condition is the sentence of
 * its own encoder (batch 2N: matching then mismatching captions). */
typedef struct sg_disc {
    sg_scorer sc;
    t2v_encoder text;
    t2v_word_head words;        /* recipe aux_words > 0 */
} sg_disc;

/* The object discriminator (recipe object_d): a scorer of Stage I's glyph
 * alone, before its move, as C + 1 planes (the tint times alpha, then the
 * picture 2 alpha - 1), against the one-hot object, colour and size of the
 * item it was drawn for; real pictures are the items' own objects
 * (t2v_data_object_picture). A mismatching condition states one of the
 * three differently. It is the only signal that sees an object's shape
 * apart from the scene: the stage's D rejects a mismatching caption on its
 * background and place first. */
enum { OBJ_ATTRS = 3 };
static const char *const obj_attr_names[OBJ_ATTRS] = {"object", "colour", "size"};

typedef struct sg_objd {
    sg_scorer sc;
    int on, side, cond;             /* picture side; condition width */
    int attr[OBJ_ATTRS], off[OBJ_ATTRS], classes[OBJ_ATTRS];
    float *x_real;                  /* (N, C + 1, side, side) */
    t2v_glyph_planes fake;          /* Stage I's glyphs as those planes */
    float *cond_dev;                /* (2N, cond): matching rows, then mismatching */
    float *host_x, *host_cond;
} sg_objd;

struct t2v_sg_trainer {
    t2v_sg_recipe rc;
    t2v_backend *be;
    t2v_dataset *ds;
    t2v_data_info di;
    t2v_vocab vocab;
    t2v_encoded_captions caps;     /* every training caption encoded */
    t2v_stackgan gen;           /* s1 in gps1/gbufs1 (with the encoder), s2 in gps2/gbufs2 */
    t2v_params gps1, gbufs1, gps2, gbufs2;
    t2v_adam opt_g1, opt_g2;
    sg_disc disc[2];
    t2v_word_reader reader[2];  /* recipe reader > 0: one per stage, at its size */
    sg_objd obj;                /* recipe object_d > 0 */
    t2v_arena arena;
    float *head_ws;
    float *real1, *real2;       /* (N, C, size1, size1), (N, C, size2, size2) */
    float *low, *low_tmp, *dlow2; /* recipe d2_low: Stage II's fakes box-filtered to
                                     size1, the filter's middle size, their gradient
                                     back at size2 */
    float *ones, *zeros, *loss_dev;
    float *dS_d;                /* (2N, sent) D's sentence gradient */
    float *host1, *host2, *loss_host;
    int32_t *ids_host;
    int *len_host;
    long *cap_ix;               /* (N) data set index of each matching caption */
    long *item_ix;              /* (N) data set index of each real image */
    t2v_sg_image_loss_fn image_loss;
    void *image_loss_user;
    int64_t step[2];
    double seconds;
};

t2v_status t2v_sg_preset(const char *name, t2v_sg_recipe *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->preset, sizeof r->preset, "%s", name);
    snprintf(r->data, sizeof r->data, "scenes");
    t2v_stackgan_cfg *g = &r->gen;
    g->channels = 3;
    g->act = T2V_ACT_RELU;
    g->ca_act = T2V_ACT_LRELU;
    g->res1 = 1;
    r->kl_weight = 2.0f;
    r->shared_text = 1;
    r->beta1 = 0.5f;
    r->beta2 = 0.999f;
    r->seed = 1;
    if (strcmp(name, "tiny") == 0) {
        g->unit_norm0 = 1;
        g->z_dim = 8;
        g->c_dim = 6;
        g->gf = 4;
        g->size1 = 16;
        g->gf2 = 8;
        g->n_res2 = 1;
        g->text = (t2v_encoder_cfg){.embed = 8, .hidden = 8, .sent = 8, .max_words = 16};
        r->d_width1 = r->d_width2 = 2;
        r->d_concat = 4;
        r->head = T2V_HEAD_PROJECTION;
        r->sn = 1;
        r->loss = T2V_LOSS_HINGE;
        r->batch = 4;
        r->lr_g = 1e-4f;
        r->lr_d = 4e-4f;
        r->beta1 = 0.0f;
        r->beta2 = 0.9f;
        r->steps1 = r->steps2 = 20;
        r->train_count = 200;
    } else if (strcmp(name, "small") == 0) {
        g->unit_norm0 = 1;
        g->z_dim = 64;
        g->c_dim = 32;
        g->gf = 16;
        g->size1 = 64;
        g->gf2 = 16;
        g->n_res2 = 2;
        g->text = (t2v_encoder_cfg){.embed = 32, .hidden = 32, .sent = 64, .max_words = 24};
        r->d_width1 = 16;
        r->d_width2 = 8;
        r->d_concat = 32;
        r->head = T2V_HEAD_PROJECTION;
        r->sn = 1;
        r->loss = T2V_LOSS_HINGE;
        r->batch = 16;
        r->lr_g = 1e-4f;
        r->lr_d = 4e-4f;
        r->beta1 = 0.0f;
        r->beta2 = 0.9f;
        r->steps1 = 20000;
        r->steps2 = 10000;
    } else if (strcmp(name, "paper") == 0) {
        g->z_dim = 100;
        g->c_dim = 128;
        g->gf = 128;
        g->size1 = 64;
        g->gf2 = 128;
        g->n_res2 = 4;
        g->text = (t2v_encoder_cfg){.embed = 256, .hidden = 256, .sent = 256, .max_words = 24};
        r->d_width1 = r->d_width2 = 64;
        r->d_concat = 128;
        r->head = T2V_HEAD_CONCAT;
        r->d_bn = 1;
        r->loss = T2V_LOSS_BCE;
        r->batch = 64;
        r->lr_g = r->lr_d = 2e-4f;
        r->steps1 = r->steps2 = 90000;
        r->lr_decay_every = 15000;
    } else {
        return t2v_fail(T2V_ERR_INVALID, "unknown preset '%s' (tiny, small, paper)", name);
    }
    return T2V_OK;
}

/* ---- set-up ------------------------------------------------------------- */

/* Stride-2 layers that take a side-long image down to 4x4. */
static int layers_to_4x4(int side)
{
    int layers = 0;
    for (int s = side; s > 4; s /= 2)
        layers++;
    return layers;
}

static t2v_status declare_disc(t2v_sg_trainer *tr, int stage)
{
    const t2v_sg_recipe *rc = &tr->rc;
    sg_disc *D = &tr->disc[stage - 1];
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    int side = stage == 1 ? g->size1 : g->size2, layers = layers_to_4x4(side);
    char pre[32], text[32], head[32], words[32];
    snprintf(words, sizeof words, "d%d.words", stage);
    snprintf(pre, sizeof pre, "d%d", stage);
    snprintf(text, sizeof text, "d%d.text", stage);
    snprintf(head, sizeof head, "d%d.head", stage);
    t2v_params_init(&D->sc.ps, tr->be);
    t2v_params_init(&D->sc.bufs, tr->be);
    t2v_status s = t2v_encoder_declare(&D->text, &g->text, &D->sc.ps, text);
    /* images are one-frame clips scored by a frame-level (2D) trunk */
    t2v_disc_cfg dc = {.frame_level = 1, .channels = g->channels, .frames = 1, .height = side,
                       .width = side, .width0 = stage == 1 ? rc->d_width1 : rc->d_width2,
                       .layers = layers, .sent = g->text.sent, .head = rc->head, .sn = rc->sn,
                       .bn = rc->d_bn, .concat_dim = rc->d_concat, .act = T2V_ACT_LRELU};
    if (s == T2V_OK)
        s = t2v_disc_declare(&D->sc.d, &dc, &D->sc.ps, &D->sc.bufs, pre);
    if (s == T2V_OK)
        s = t2v_head_declare(&D->sc.head, rc->head, D->sc.d.feat_c, D->sc.d.feat_dims, g->text.sent,
                             rc->d_concat, rc->sn, T2V_ACT_LRELU, &D->sc.ps, &D->sc.bufs, head);
    /* flat: where on the grid a feature lies says "top left" or "bottom right" */
    if (s == T2V_OK && rc->aux_words > 0.0f)
        s = t2v_word_head_declare(&D->words, D->sc.d.feat_c, D->sc.d.feat_l, tr->vocab.count, 1,
                                  &D->sc.ps, words);
    return s;
}

static t2v_status declare_objd(t2v_sg_trainer *tr)
{
    const t2v_sg_recipe *rc = &tr->rc;
    sg_objd *o = &tr->obj;
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    if (g->layered != 2)
        return t2v_fail(T2V_ERR_INVALID, "the object discriminator scores the glyph: it needs "
                        "--g-layout glyph");
    if (!t2v_data_has_object_pictures(tr->ds))
        return t2v_fail(T2V_ERR_INVALID, "the object discriminator needs a data set that knows "
                        "each image's object apart from the image (scenes); %s does not",
                        rc->data);
    o->on = 1;
    o->side = tr->gen.s1.layer.side;
    o->cond = 0;
    for (int a = 0; a < OBJ_ATTRS; a++) {
        o->attr[a] = -1;
        for (int j = 0; j < tr->di.schema.n; j++)
            if (strcmp(tr->di.schema.attr[j].name, obj_attr_names[a]) == 0)
                o->attr[a] = j;
        if (o->attr[a] < 0)
            return t2v_fail(T2V_ERR_INVALID, "data set %s has no attribute '%s'", rc->data,
                            obj_attr_names[a]);
        o->off[a] = o->cond;
        o->classes[a] = tr->di.schema.attr[o->attr[a]].n_classes;
        o->cond += o->classes[a];
    }
    t2v_params_init(&o->sc.ps, tr->be);
    t2v_params_init(&o->sc.bufs, tr->be);
    t2v_disc_cfg dc = {.frame_level = 1, .channels = g->channels + 1, .frames = 1,
                       .height = o->side, .width = o->side, .width0 = rc->d_width1,
                       .layers = layers_to_4x4(o->side), .sent = o->cond, .head = rc->head,
                       .sn = rc->sn, .bn = rc->d_bn, .concat_dim = rc->d_concat,
                       .act = T2V_ACT_LRELU};
    t2v_status s = t2v_disc_declare(&o->sc.d, &dc, &o->sc.ps, &o->sc.bufs, "o1");
    if (s == T2V_OK)
        s = t2v_head_declare(&o->sc.head, rc->head, o->sc.d.feat_c, o->sc.d.feat_dims, o->cond,
                             rc->d_concat, rc->sn, T2V_ACT_LRELU, &o->sc.ps, &o->sc.bufs,
                             "o1.head");
    return s;
}

static t2v_status declare_all(t2v_sg_trainer *tr)
{
    tr->rc.gen.text.vocab = tr->vocab.count;
    t2v_stackgan *g = &tr->gen;
    memset(g, 0, sizeof *g);
    g->cfg = tr->rc.gen;
    t2v_status s = t2v_stackgan_check(&g->cfg);
    t2v_params_init(&tr->gps1, tr->be);
    t2v_params_init(&tr->gbufs1, tr->be);
    t2v_params_init(&tr->gps2, tr->be);
    t2v_params_init(&tr->gbufs2, tr->be);
    if (s == T2V_OK)
        s = t2v_sg_stage1_declare(&g->s1, &g->cfg, &tr->gps1, &tr->gbufs1);
    if (s == T2V_OK)
        s = t2v_sg_stage2_declare(&g->s2, &g->cfg, &tr->gps2, &tr->gbufs2);
    if (s == T2V_OK)
        s = declare_disc(tr, 1);
    if (s == T2V_OK)
        s = declare_disc(tr, 2);
    if (s == T2V_OK && tr->rc.object_d > 0.0f)
        s = declare_objd(tr);
    for (int i = 0; i < 2 && s == T2V_OK && tr->rc.reader > 0.0f; i++) {
        /* at most 4 layers, fewer for small images (the tiny preset's 16x16) */
        int side = i ? g->cfg.size2 : g->cfg.size1, layers = layers_to_4x4(side);
        layers = layers < 4 ? layers : 4;
        char pre[16];
        snprintf(pre, sizeof pre, "reader%d", i + 1);
        s = t2v_word_reader_new(&tr->reader[i], tr->be, pre, g->cfg.channels, 1, side, side,
                                layers, i ? tr->rc.d_width2 : tr->rc.d_width1, tr->vocab.count);
    }
    return s;
}

/* A scorer's trunk runs and head runs for batches of N; its head's
 * workspace need joins *ws. */
static void scorer_plan(t2v_backend *be, sg_scorer *sc, t2v_plan *p, int N, size_t *ws)
{
    t2v_disc_plan(&sc->d, be, p, N);
    t2v_trunk_plan(&sc->d, p, &sc->real);
    t2v_trunk_plan(&sc->d, p, &sc->fake);
    t2v_head_plan(&sc->head, be, p, N, 1, ws);
    for (int r = 0; r < 3; r++)
        t2v_head_run_plan(&sc->head, p, N, &sc->run[r]);
}

static void plan_all(t2v_sg_trainer *tr, t2v_plan *p)
{
    int N = tr->rc.batch;
    t2v_backend *be = tr->be;
    t2v_sg_stage1_plan(&tr->gen.s1, be, p);
    t2v_sg_stage2_plan(&tr->gen.s2, be, p);
    tr->gen.s2.hc = tr->gen.s1.text.hc; /* repainting reads the caption's words */
    tr->gen.s2.mask = tr->gen.s1.text.mask;
    tr->gen.s2.alpha1 = tr->gen.s1.layer.alpha; /* and Stage I's object alpha */
    size_t ws = 0;
    for (int i = 0; i < 2; i++) {
        sg_disc *D = &tr->disc[i];
        t2v_plan p2 = *p;
        p2.N = 2 * N;
        t2v_encoder_plan(&D->text, &p2);
        if (p2.status != T2V_OK && p->status == T2V_OK)
            p->status = p2.status;
        scorer_plan(be, &D->sc, p, N, &ws);
        if (tr->rc.aux_words > 0.0f)
            t2v_word_head_plan(&D->words, p, N, 1);
    }
    for (int i = 0; i < 2 && tr->rc.reader > 0.0f; i++)
        t2v_word_reader_plan(&tr->reader[i], be, p, N);
    sg_objd *o = &tr->obj;
    if (o->on) {
        size_t C = (size_t)tr->gen.cfg.channels, L = (size_t)o->side * o->side, NL = N * L;
        scorer_plan(be, &o->sc, p, N, &ws);
        o->x_real = t2v_plan_floats(p, NL * (C + 1));
        o->cond_dev = t2v_plan_floats(p, (size_t)2 * N * o->cond);
        t2v_glyph_planes_plan(&o->fake, p, N, (int)C, (int64_t)L);
    }
    tr->head_ws = t2v_plan_floats(p, ws);
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    tr->real1 = t2v_plan_floats(p, (size_t)N * g->channels * g->size1 * g->size1);
    tr->real2 = t2v_plan_floats(p, (size_t)N * g->channels * g->size2 * g->size2);
    tr->low = t2v_plan_floats(p, (size_t)N * g->channels * g->size1 * g->size1);
    tr->low_tmp = t2v_plan_floats(p, (size_t)N * g->channels * 4 * g->size1 * g->size1);
    tr->dlow2 = t2v_plan_floats(p, (size_t)N * g->channels * g->size2 * g->size2);
    tr->ones = t2v_plan_floats(p, (size_t)N);
    tr->zeros = t2v_plan_floats(p, (size_t)N);
    tr->loss_dev = t2v_plan_floats(p, (size_t)N * g->c_dim);
    tr->dS_d = t2v_plan_floats(p, (size_t)2 * N * g->text.sent);
}

/* With shared_text the generator's sentence encoder is a copy of Stage-I
 * D's, which its matching-aware loss trains to tell captions apart (see
 * docs/training.md: an encoder trained by G's loss alone went to one
 * saturated vector for every caption). Stage II keeps it frozen. */
static void copy_text(t2v_sg_trainer *tr)
{
    t2v_encoder_copy_weights(tr->be, &tr->disc[0].text, &tr->disc[0].sc.ps, &tr->gen.s1.text,
                             &tr->gps1);
}

/* The glyph's attention starts at 3 times each word's inverse document
 * frequency over the training captions, as TGANs-C's picture does: a scene
 * caption's object word (1 of 20 objects; "digit" is half of them) starts
 * with most of the weight, its place and colours with the rest. */
#define GLYPH_PRIOR 3.0f

static t2v_status glyph_prior(t2v_sg_trainer *tr)
{
    int V = tr->vocab.count;
    float *score = calloc((size_t)V, sizeof *score);
    t2v_status s = score ? t2v_encoded_captions_idf(&tr->caps, V, GLYPH_PRIOR, score)
                         : t2v_fail(T2V_ERR_NOMEM, "out of memory");
    if (s == T2V_OK)
        s = t2v_backend_upload(tr->be, t2v_pdata(&tr->gps1, tr->gen.s1.layer.att_w), score,
                               (size_t)V * sizeof *score);
    free(score);
    return s;
}

/* Stage `i + 1`'s discriminator (its encoder, trunk, head, word head) and
 * word reader, fresh. */
static t2v_status init_disc(t2v_sg_trainer *tr, int i)
{
    uint64_t seed = tr->rc.seed;
    t2v_backend *be = tr->be;
    sg_disc *D = &tr->disc[i];
    t2v_status s = t2v_encoder_init(&D->text, be, &D->sc.ps, seed ^ (0xD15Cu + (uint64_t)i), 100);
    if (s == T2V_OK)
        s = t2v_disc_init(&D->sc.d, be, &D->sc.ps, &D->sc.bufs, seed, 1000 + 1000 * (uint64_t)i);
    if (s == T2V_OK)
        s = t2v_head_init(&D->sc.head, be, &D->sc.ps, &D->sc.bufs, seed, 1100 + 1000 * (uint64_t)i);
    if (s == T2V_OK && tr->rc.aux_words > 0.0f)
        s = t2v_word_head_init(&D->words, be, &D->sc.ps, seed, 1200 + 1000 * (uint64_t)i);
    if (s == T2V_OK && tr->rc.reader > 0.0f)
        s = t2v_word_reader_init(&tr->reader[i], seed, 4000 + 1000 * (uint64_t)i);
    return s;
}

/* Stage II's generator, discriminator and word reader, fresh. */
static t2v_status init_stage2(t2v_sg_trainer *tr)
{
    t2v_status s = t2v_sg_stage2_init(&tr->gen.s2, tr->be, &tr->gps2, &tr->gbufs2,
                                      tr->rc.seed ^ 0x5EC0u);
    return s == T2V_OK ? init_disc(tr, 1) : s;
}

static t2v_status init_weights(t2v_sg_trainer *tr)
{
    uint64_t seed = tr->rc.seed;
    t2v_backend *be = tr->be;
    t2v_status s = t2v_sg_stage1_init(&tr->gen.s1, be, &tr->gps1, &tr->gbufs1, seed ^ 0x9E37u);
    if (s == T2V_OK && tr->gen.s1.layer.glyph)
        s = glyph_prior(tr);
    if (s == T2V_OK)
        s = init_disc(tr, 0);
    if (s == T2V_OK)
        s = init_stage2(tr);
    if (s == T2V_OK && tr->obj.on)
        s = t2v_disc_init(&tr->obj.sc.d, be, &tr->obj.sc.ps, &tr->obj.sc.bufs, seed, 6000);
    if (s == T2V_OK && tr->obj.on)
        s = t2v_head_init(&tr->obj.sc.head, be, &tr->obj.sc.ps, &tr->obj.sc.bufs, seed, 6100);
    return s;
}

/* ---- recipe <-> file ------------------------------------------------------ */

#define KEY(key, type, field, lo, hi) T2V_RECIPE_KEY(key, type, t2v_sg_recipe, field, lo, hi)
static const t2v_recipe_key recipe_keys[] = {
    KEY("train.preset", T2V_RECIPE_STR, preset, 1, 0),
    KEY("train.data", T2V_RECIPE_STR, data, 1, 0),
    KEY("train.d_width1", T2V_RECIPE_U32, d_width1, 1, 4096),
    KEY("train.d_width2", T2V_RECIPE_U32, d_width2, 1, 4096),
    KEY("train.d_concat", T2V_RECIPE_U32, d_concat, 1, 4096),
    KEY("train.head", T2V_RECIPE_U32, head, 0, 1),
    KEY("train.sn", T2V_RECIPE_BOOL, sn, 1, 0),
    KEY("train.d_bn", T2V_RECIPE_BOOL, d_bn, 1, 0),
    KEY("train.loss", T2V_RECIPE_U32, loss, 0, 1),
    KEY("train.kl_weight", T2V_RECIPE_F32, kl_weight, 1, 0),
    KEY("train.batch", T2V_RECIPE_U32, batch, 1, 4096),
    KEY("train.lr_g", T2V_RECIPE_F32, lr_g, 1, 0),
    KEY("train.lr_d", T2V_RECIPE_F32, lr_d, 1, 0),
    KEY("train.beta1", T2V_RECIPE_F32, beta1, 1, 0),
    KEY("train.beta2", T2V_RECIPE_F32, beta2, 1, 0),
    KEY("train.lr_decay_every", T2V_RECIPE_I64, lr_decay_every, 0, INT64_MAX),
    KEY("train.seed", T2V_RECIPE_U64, seed, 1, 0),
    KEY("train.steps1", T2V_RECIPE_I64, steps1, 1, 0),
    KEY("train.steps2", T2V_RECIPE_I64, steps2, 1, 0),
    KEY("train.train_count", T2V_RECIPE_I64, train_count, 1, 0),
    T2V_RECIPE_KEY_OPT("train.shared_text", T2V_RECIPE_BOOL, t2v_sg_recipe, shared_text, 1, 0),
    T2V_RECIPE_KEY_OPT("train.near_miss", T2V_RECIPE_F32, t2v_sg_recipe, near_miss, 1, 0),
    T2V_RECIPE_KEY_OPT("train.swap_miss", T2V_RECIPE_F32, t2v_sg_recipe, swap_miss, 1, 0),
    T2V_RECIPE_KEY_OPT("train.lambda_match", T2V_RECIPE_F32, t2v_sg_recipe, lambda_match, 1, 0),
    T2V_RECIPE_KEY_OPT("train.match_model", T2V_RECIPE_STR, t2v_sg_recipe, match_model, 1, 0),
    T2V_RECIPE_KEY_OPT("train.aux_words", T2V_RECIPE_F32, t2v_sg_recipe, aux_words, 1, 0),
    T2V_RECIPE_KEY_OPT("train.reader", T2V_RECIPE_F32, t2v_sg_recipe, reader, 1, 0),
    T2V_RECIPE_KEY_OPT("train.attend_sharpen", T2V_RECIPE_F32, t2v_sg_recipe, attend_sharpen, 1,
                       0),
    T2V_RECIPE_KEY_OPT("train.object_d", T2V_RECIPE_F32, t2v_sg_recipe, object_d, 1, 0),
    T2V_RECIPE_KEY_OPT("train.s2_reg", T2V_RECIPE_F32, t2v_sg_recipe, s2_reg, 1, 0),
    T2V_RECIPE_KEY_OPT("train.d2_low", T2V_RECIPE_F32, t2v_sg_recipe, d2_low, 1, 0),
};
#undef KEY
enum { N_RECIPE_KEYS = (int)(sizeof recipe_keys / sizeof recipe_keys[0]) };

static t2v_status read_recipe(const t2v_weights *w, t2v_sg_recipe *r)
{
    t2v_status s = t2v_recipe_read(w, recipe_keys, N_RECIPE_KEYS, r, sizeof *r);
    return s == T2V_OK ? t2v_recipe_check(w, recipe_keys, N_RECIPE_KEYS, r) : s;
}

/* ---- construction --------------------------------------------------------- */

static t2v_status open_data(t2v_sg_trainer *tr, t2v_data_warn_fn warn, void *warn_user)
{
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = tr->rc.data;
    o.split = T2V_SPLIT_TRAIN;
    o.frames = 1;
    o.height = o.width = g->size1;
    o.hi_height = o.hi_width = g->size2;
    o.channels = g->channels;
    o.seed = tr->rc.seed;
    o.count = tr->rc.train_count;
    o.warn = warn;
    o.warn_user = warn_user;
    t2v_status s = t2v_data_open(&o, &tr->ds);
    if (s != T2V_OK)
        return t2v_fail(s, "%s", t2v_data_last_error());
    t2v_data_get_info(tr->ds, &tr->di);
    if (tr->di.frames != 1 || tr->di.channels != g->channels || tr->di.height != g->size1 ||
        tr->di.width != g->size1 || tr->di.hi_height != g->size2 || tr->di.hi_width != g->size2)
        return t2v_fail(T2V_ERR_INVALID,
                        "data set %s gives %d frames of %dx%dx%d (second size %dx%d), StackGAN "
                        "needs images of %dx%dx%d and %dx%d", tr->rc.data, tr->di.frames,
                        tr->di.channels, tr->di.height, tr->di.width, tr->di.hi_height,
                        tr->di.hi_width, g->channels, g->size1, g->size1, g->size2, g->size2);
    if (!(tr->rc.d2_low >= 0.0f) || (tr->rc.d2_low > 0.0f && g->size2 != 4 * g->size1))
        return t2v_fail(T2V_ERR_INVALID, "d2_low %g: a weight >= 0, and Stage II 4 times "
                        "Stage I's size (%d and %d)", (double)tr->rc.d2_low, g->size1, g->size2);
    if (!(tr->rc.swap_miss >= 0.0f && tr->rc.swap_miss <= 1.0f))
        return t2v_fail(T2V_ERR_INVALID, "swap_miss %g: a share in [0, 1]",
                        (double)tr->rc.swap_miss);
    if (tr->rc.swap_miss > 0.0f && !t2v_data_has_role_swaps(tr->ds))
        return t2v_fail(T2V_ERR_INVALID, "role swaps need a data set whose captions give two "
                        "attributes of one kind (scenes: the object's colour and the "
                        "background's); %s has none", tr->rc.data);
    return T2V_OK;
}

static t2v_status load_params(t2v_params *ps, const t2v_weights *w, int with_moments)
{
    return t2v_params_load_from(ps, w, with_moments);
}

/* fresh2 >= 0 (with resume_path): Stage I from the checkpoint, Stage II
 * (its generator, discriminator and reader) fresh: drawing the whole image
 * when fresh2 is 0, residual when 1, residual and repainting when 2, as
 * stored when 3. */
static t2v_status trainer_open(const t2v_sg_recipe *recipe, const char *resume_path, int fresh2,
                               int threads, t2v_device device, int gpu_id,
                               t2v_data_warn_fn warn, void *warn_user, t2v_sg_trainer **out)
{
    *out = NULL;
    t2v_sg_trainer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory");
    t2v_weights *ck = NULL;
    t2v_status s = T2V_OK;
    if (resume_path) {
        if ((s = t2v_weights_open(resume_path, &ck)) != T2V_OK ||
            (s = read_recipe(ck, &tr->rc)) != T2V_OK ||
            (s = t2v_vocab_read(ck, &tr->vocab)) != T2V_OK ||
            (s = t2v_stackgan_cfg_read(ck, tr->vocab.count, &tr->rc.gen)) != T2V_OK)
            goto fail;
        if (recipe && recipe->steps1 > 0)
            tr->rc.steps1 = recipe->steps1;
        if (recipe && recipe->steps2 > 0)
            tr->rc.steps2 = recipe->steps2;
        if (fresh2 >= 0 && fresh2 <= 2) {
            tr->rc.gen.s2_residual = fresh2 > 0;
            tr->rc.gen.s2_bg = fresh2 == 2;
        }
    } else {
        tr->rc = *recipe;
    }
    tr->gen.cfg = tr->rc.gen;
    if ((s = t2v_stackgan_check(&tr->gen.cfg)) != T2V_OK)
        goto fail;
    if (tr->rc.batch < 1) {
        s = t2v_fail(T2V_ERR_INVALID, "batch must be >= 1");
        goto fail;
    }

    if ((s = open_data(tr, warn, warn_user)) != T2V_OK ||
        (s = t2v_encoded_captions_build(&tr->caps, &tr->vocab, ck == NULL, tr->ds,
                                     tr->di.n_captions, tr->rc.gen.text.max_words,
                                     tr->rc.data)) != T2V_OK ||
        (s = t2v_backend_open(device, threads, gpu_id, &tr->be)) != T2V_OK ||
        (s = declare_all(tr)) != T2V_OK)
        goto fail;
    tr->gen.s1.layer.sharpen = tr->rc.attend_sharpen;
    tr->gen.s2.reg = tr->rc.s2_reg;
    t2v_params *sets[10] = {&tr->gps1, &tr->gbufs1, &tr->gps2, &tr->gbufs2,
                            &tr->disc[0].sc.ps, &tr->disc[0].sc.bufs, &tr->disc[1].sc.ps,
                            &tr->disc[1].sc.bufs, &tr->obj.sc.ps, &tr->obj.sc.bufs};
    int n_sets = tr->obj.on ? 10 : 8;
    for (int i = 0; i < n_sets && s == T2V_OK; i++)
        s = t2v_params_allocate(sets[i], !(i & 1));
    if (s != T2V_OK)
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
    int N = tr->rc.batch;
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    be->k->fill(be, tr->ones, 1.0f, N);
    be->k->fill(be, tr->zeros, 0.0f, N);
    for (int i = 0; i < 2 && tr->rc.aux_words > 0.0f; i++)
        if ((s = t2v_word_head_keep_informative(&tr->disc[i].words, be, tr->caps.ids,
                                                tr->caps.len, tr->caps.n,
                                                tr->caps.max_words)) != T2V_OK)
            goto fail;
    for (int i = 0; i < 2 && tr->rc.reader > 0.0f; i++)
        if ((s = t2v_word_reader_keep_informative(&tr->reader[i], tr->caps.ids, tr->caps.len,
                                                  tr->caps.n, tr->caps.max_words)) != T2V_OK)
            goto fail;
    tr->host1 = malloc((size_t)N * g->channels * g->size1 * g->size1 * sizeof(float));
    tr->host2 = malloc((size_t)N * g->channels * g->size2 * g->size2 * sizeof(float));
    tr->loss_host = malloc((size_t)N * g->c_dim * sizeof(float));
    tr->ids_host = calloc((size_t)2 * N * g->text.max_words, sizeof(int32_t));
    tr->len_host = calloc((size_t)2 * N, sizeof(int));
    tr->cap_ix = calloc((size_t)N, sizeof(long));
    tr->item_ix = calloc((size_t)N, sizeof(long));
    if (tr->obj.on) {
        size_t L = (size_t)tr->obj.side * tr->obj.side;
        tr->obj.host_x = malloc((size_t)N * (g->channels + 1) * L * sizeof(float));
        tr->obj.host_cond = malloc((size_t)2 * N * tr->obj.cond * sizeof(float));
    }
    if (!tr->host1 || !tr->host2 || !tr->loss_host || !tr->ids_host || !tr->len_host ||
        !tr->cap_ix || !tr->item_ix || (tr->obj.on && (!tr->obj.host_x || !tr->obj.host_cond))) {
        s = t2v_fail(T2V_ERR_NOMEM, "out of memory");
        goto fail;
    }
    t2v_adam base = {.beta1 = tr->rc.beta1, .beta2 = tr->rc.beta2, .eps = 1e-8f};
    tr->opt_g1 = tr->opt_g2 = base;
    tr->disc[0].sc.opt = tr->disc[1].sc.opt = tr->obj.sc.opt = base;
    if (ck) {
        if (t2v_weights_get_i64(ck, "train.step1", &tr->step[0]) != T2V_OK ||
            t2v_weights_get_i64(ck, "train.step2", &tr->step[1]) != T2V_OK || tr->step[0] < 0 ||
            tr->step[1] < 0) {
            s = t2v_fail(T2V_ERR_FORMAT, "%s: no train.step1 / train.step2", resume_path);
            goto fail;
        }
        t2v_weights_get_f64(ck, T2V_KEY_TRAIN_SECONDS, &tr->seconds);
        /* sets 2, 3, 6, 7 are Stage II's generator and discriminator */
        for (int i = 0; i < n_sets && s == T2V_OK; i++)
            if (fresh2 < 0 || (i != 2 && i != 3 && i != 6 && i != 7))
                s = load_params(sets[i], ck, !(i & 1));
        for (int i = 0; i < (fresh2 < 0 ? 2 : 1) && s == T2V_OK && tr->rc.reader > 0.0f; i++)
            s = t2v_word_reader_load(&tr->reader[i], ck, tr->step[i]);
        if (s == T2V_OK && fresh2 >= 0) {
            tr->step[1] = 0;
            s = init_stage2(tr);
        }
        if (s != T2V_OK)
            goto fail;
        t2v_weights_close(ck);
        ck = NULL;
    } else if ((s = init_weights(tr)) != T2V_OK) {
        goto fail;
    } else if (tr->rc.shared_text) {
        copy_text(tr);
    }
    tr->opt_g1.step = tr->obj.sc.opt.step = tr->step[0];
    /* with d2_low, Stage-I D also steps once per Stage-II step */
    tr->disc[0].sc.opt.step = tr->step[0] + (tr->rc.d2_low > 0.0f ? tr->step[1] : 0);
    tr->opt_g2.step = tr->disc[1].sc.opt.step = tr->step[1];
    *out = tr;
    return T2V_OK;
fail:
    t2v_weights_close(ck);
    t2v_sg_trainer_free(tr);
    return s;
}

/* A Stage-II weight may be set before Stage II's first step, to >= 0. */
static t2v_status check_stage2_weight(const t2v_sg_trainer *tr, const char *what, float weight)
{
    if (!(weight >= 0.0f) || tr->step[1] > 0)
        return t2v_fail(T2V_ERR_INVALID, "%s is set before Stage II's first step, to a value "
                        ">= 0 (%g at step %lld)", what, (double)weight, (long long)tr->step[1]);
    return T2V_OK;
}

t2v_status t2v_sg_trainer_set_s2_reg(t2v_sg_trainer *tr, float weight)
{
    t2v_status s = check_stage2_weight(tr, "the Stage-II correction's weight", weight);
    if (s == T2V_OK)
        tr->rc.s2_reg = tr->gen.s2.reg = weight;
    return s;
}

t2v_status t2v_sg_trainer_set_match(t2v_sg_trainer *tr, const char *match_model, float weight)
{
    t2v_status s = check_stage2_weight(tr, "the matching loss's weight", weight);
    if (s == T2V_OK && strlen(match_model) >= sizeof tr->rc.match_model)
        s = t2v_fail(T2V_ERR_INVALID, "matching model path too long: %s", match_model);
    if (s == T2V_OK) {
        snprintf(tr->rc.match_model, sizeof tr->rc.match_model, "%s", match_model);
        tr->rc.lambda_match = weight;
    }
    return s;
}

t2v_status t2v_sg_trainer_set_rates(t2v_sg_trainer *tr, float lr_g, float lr_d)
{
    t2v_status s = check_stage2_weight(tr, "a learning rate", lr_g < 0.0f ? 0.0f : lr_g);
    if (s == T2V_OK)
        s = check_stage2_weight(tr, "a learning rate", lr_d < 0.0f ? 0.0f : lr_d);
    if (s == T2V_OK && (lr_g == 0.0f || lr_d == 0.0f || lr_g > 1.0f || lr_d > 1.0f))
        s = t2v_fail(T2V_ERR_INVALID, "learning rates lie in (0, 1] (%g, %g)", (double)lr_g,
                     (double)lr_d);
    if (s == T2V_OK && lr_g > 0.0f)
        tr->rc.lr_g = lr_g;
    if (s == T2V_OK && lr_d > 0.0f)
        tr->rc.lr_d = lr_d;
    return s;
}

/* Stage I's and the encoder's sizes and layout agree (Stage II's may not). */
static int same_stage1(const t2v_stackgan_cfg *a, const t2v_stackgan_cfg *b)
{
    const t2v_encoder_cfg *x = &a->text, *y = &b->text;
    return a->z_dim == b->z_dim && a->c_dim == b->c_dim && a->gf == b->gf &&
           a->size1 == b->size1 && a->res1 == b->res1 && a->unit_norm0 == b->unit_norm0 &&
           a->layered == b->layered && a->tint_sent == b->tint_sent &&
           a->bg_flat == b->bg_flat && a->tint_words == b->tint_words &&
           a->layer_side == b->layer_side && a->channels == b->channels && a->act == b->act &&
           a->ca_act == b->ca_act && x->vocab == y->vocab && x->embed == y->embed &&
           x->hidden == y->hidden && x->sent == y->sent && x->max_words == y->max_words &&
           x->pool == y->pool;
}

t2v_status t2v_sg_trainer_load_stage1(t2v_sg_trainer *tr, const char *model_path)
{
    if (tr->step[1] > 0)
        return t2v_fail(T2V_ERR_INVALID, "Stage I is replaced before Stage II's first step "
                        "(this run's Stage II is at step %lld)", (long long)tr->step[1]);
    t2v_weights *w = NULL;
    t2v_vocab v;
    memset(&v, 0, sizeof v);
    t2v_stackgan_cfg c;
    t2v_status s = t2v_weights_open(model_path, &w);
    if (s == T2V_OK)
        s = t2v_vocab_read(w, &v);
    if (s == T2V_OK)
        s = t2v_stackgan_cfg_read(w, v.count, &c);
    int same = s == T2V_OK && v.count == tr->vocab.count;
    for (int i = 0; same && i < v.count; i++)
        same = strcmp(v.words[i], tr->vocab.words[i]) == 0;
    if (s == T2V_OK && !same)
        s = t2v_fail(T2V_ERR_INVALID, "%s: its vocabulary (%d words) is not this run's (%d)",
                     model_path, v.count, tr->vocab.count);
    if (s == T2V_OK && !same_stage1(&c, &tr->gen.cfg))
        s = t2v_fail(T2V_ERR_INVALID, "%s: its Stage I or encoder is not shaped as this run's "
                     "(`txt2vid info` lists both files' stackgan.* keys)", model_path);
    if (s == T2V_OK)
        s = t2v_params_load_from(&tr->gps1, w, 0);
    if (s == T2V_OK)
        s = t2v_params_load_from(&tr->gbufs1, w, 0);
    t2v_vocab_free(&v);
    t2v_weights_close(w);
    return s;
}

t2v_status t2v_sg_trainer_set_d2_low(t2v_sg_trainer *tr, float weight)
{
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    t2v_status s = check_stage2_weight(tr, "Stage II's judging at Stage I's size", weight);
    if (s == T2V_OK && weight > 0.0f && g->size2 != 4 * g->size1)
        s = t2v_fail(T2V_ERR_INVALID, "Stage II's judging at Stage I's size needs a Stage II 4 "
                     "times Stage I's size (sizes %d and %d)", g->size1, g->size2);
    if (s == T2V_OK)
        tr->rc.d2_low = weight;
    return s;
}

t2v_status t2v_sg_trainer_new(const t2v_sg_recipe *recipe, const char *resume_path, int threads,
                              t2v_device device, int gpu_id, t2v_data_warn_fn warn,
                              void *warn_user, t2v_sg_trainer **out)
{
    return trainer_open(recipe, resume_path, -1, threads, device, gpu_id, warn, warn_user, out);
}

t2v_status t2v_sg_trainer_new_stage2(const char *stage1_path, int residual, int64_t steps2,
                                     int threads, t2v_device device, int gpu_id,
                                     t2v_data_warn_fn warn, void *warn_user,
                                     t2v_sg_trainer **out)
{
    *out = NULL;
    if (residual < -1 || residual > 2)
        return t2v_fail(T2V_ERR_INVALID, "Stage-II form %d: -1, 0, 1 or 2", residual);
    t2v_sg_recipe r;
    memset(&r, 0, sizeof r);
    r.steps2 = steps2;
    return trainer_open(&r, stage1_path, residual < 0 ? 3 : residual, threads, device, gpu_id,
                        warn, warn_user, out);
}

void t2v_sg_trainer_free(t2v_sg_trainer *tr)
{
    if (!tr)
        return;
    t2v_arena_release(&tr->arena);
    t2v_params_free(&tr->gps1);
    t2v_params_free(&tr->gbufs1);
    t2v_params_free(&tr->gps2);
    t2v_params_free(&tr->gbufs2);
    for (int i = 0; i < 2; i++) {
        t2v_params_free(&tr->disc[i].sc.ps);
        t2v_params_free(&tr->disc[i].sc.bufs);
        t2v_word_head_free(&tr->disc[i].words);
        t2v_word_reader_free(&tr->reader[i]);
    }
    t2v_params_free(&tr->obj.sc.ps);
    t2v_params_free(&tr->obj.sc.bufs);
    free(tr->obj.host_x);
    free(tr->obj.host_cond);
    free(tr->item_ix);
    t2v_backend_close(tr->be);
    t2v_data_close(tr->ds);
    t2v_vocab_free(&tr->vocab);
    t2v_encoded_captions_free(&tr->caps);
    free(tr->host1);
    free(tr->host2);
    free(tr->loss_host);
    free(tr->ids_host);
    free(tr->len_host);
    free(tr->cap_ix);
    free(tr);
}

const t2v_sg_recipe *t2v_sg_trainer_recipe(const t2v_sg_trainer *tr) { return &tr->rc; }

void t2v_sg_trainer_set_image_loss(t2v_sg_trainer *tr, t2v_sg_image_loss_fn fn, void *user)
{
    tr->image_loss = fn;
    tr->image_loss_user = user;
}

t2v_backend *t2v_sg_trainer_backend(t2v_sg_trainer *tr) { return tr->be; }

t2v_dataset *t2v_sg_trainer_dataset(t2v_sg_trainer *tr, long *n_captions)
{
    *n_captions = tr->di.n_captions;
    return tr->ds;
}
int64_t t2v_sg_trainer_step_count(const t2v_sg_trainer *tr, int stage)
{
    return tr->step[stage == 2];
}
double t2v_sg_trainer_seconds(const t2v_sg_trainer *tr) { return tr->seconds; }
void t2v_sg_trainer_add_seconds(t2v_sg_trainer *tr, double s) { tr->seconds += s; }

/* ---- one step ------------------------------------------------------------ */

static uint64_t stream_of(int stage, int kind) { return (uint64_t)(16 * stage + kind); }

/* The object discriminator's real pictures and conditions for the items
 * of step `step` (tr->item_ix): row n the item's object, colour and size
 * one-hot, row N + n the same with one of them stated differently (the
 * object for half the rows, the colour or the size for a quarter each). */
static t2v_status load_objects(t2v_sg_trainer *tr, int64_t step)
{
    sg_objd *o = &tr->obj;
    int N = tr->rc.batch, C = tr->gen.cfg.channels;
    size_t L = (size_t)o->side * o->side;
    memset(o->host_cond, 0, (size_t)2 * N * o->cond * sizeof(float));
    for (int n = 0; n < N; n++) {
        long i = tr->item_ix[n];
        t2v_data_attrs at;
        t2v_status s = t2v_data_object_picture(tr->ds, i, tr->gen.cfg.size1, o->side,
                                               o->host_x + (size_t)n * (C + 1) * L);
        if (s == T2V_OK)
            s = t2v_data_attributes(tr->ds, i, &at);
        if (s != T2V_OK)
            return t2v_fail(s, "%s", t2v_data_last_error());
        float u[2];
        t2v_rng_uniform_host(u, 2, tr->rc.seed, stream_of(1, STREAM_OBJ),
                             ((uint64_t)step * N + n) * 2);
        int changed = u[0] < 0.5f ? 0 : (u[0] < 0.75f ? 1 : 2);
        float *match = o->host_cond + (size_t)n * o->cond;
        float *mis = o->host_cond + (size_t)(N + n) * o->cond;
        for (int a = 0; a < OBJ_ATTRS; a++) {
            int K = o->classes[a], v = at.attr[o->attr[a]].value;
            match[o->off[a] + v] = 1.0f;
            if (a == changed) /* uniformly one of the other K - 1 values */
                v = (v + 1 + (int)t2v_index_of_uniform(u[1], K - 1)) % K;
            mis[o->off[a] + v] = 1.0f;
        }
    }
    t2v_status s = t2v_backend_upload(tr->be, o->x_real, o->host_x,
                                      (size_t)N * (C + 1) * L * sizeof(float));
    if (s == T2V_OK)
        s = t2v_backend_upload(tr->be, o->cond_dev, o->host_cond,
                               (size_t)2 * N * o->cond * sizeof(float));
    return s;
}

/* The batch of `step` of a stage: real images at the stage's size,
 * matching captions (rows 0..N-1) and mismatching ones (rows N..2N-1). */
static t2v_status load_batch(t2v_sg_trainer *tr, int stage, int64_t step)
{
    int N = tr->rc.batch;
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    long count = tr->di.count;
    size_t n1 = (size_t)g->channels * g->size1 * g->size1;
    size_t n2 = (size_t)g->channels * g->size2 * g->size2;
    uint64_t epoch = (uint64_t)step * (uint64_t)N / (uint64_t)count;
    for (int n = 0; n < N; n++) {
        float u;
        t2v_rng_uniform_host(&u, 1, tr->rc.seed, stream_of(stage, STREAM_BATCH),
                             (uint64_t)step * N + n);
        long i = t2v_index_of_uniform(u, count);
        tr->item_ix[n] = i;
        t2v_status s = t2v_data_get(tr->ds, i, epoch, tr->host1 + n * n1,
                                    stage == 2 ? tr->host2 + n * n2 : NULL);
        if (s != T2V_OK)
            return t2v_fail(s, "%s", t2v_data_last_error());
        s = t2v_encoded_captions_pair(&tr->caps, tr->ds, i, epoch, (uint64_t)step * N + n,
                                      tr->rc.near_miss, tr->rc.swap_miss, tr->ids_host,
                                      tr->len_host, n, N, &tr->cap_ix[n]);
        if (s != T2V_OK)
            return s;
    }
    int low = stage == 2 && tr->rc.d2_low > 0.0f; /* Stage-I D judges Stage II too */
    for (int d = low ? 0 : stage - 1; d < stage && tr->rc.aux_words > 0.0f; d++) {
        t2v_status s = t2v_word_head_set_targets(&tr->disc[d].words, tr->be, tr->ids_host,
                                                 tr->len_host, N, g->text.max_words);
        if (s != T2V_OK)
            return s;
    }
    if (tr->rc.reader > 0.0f) {
        t2v_status s = t2v_word_reader_set_targets(&tr->reader[stage - 1], tr->ids_host,
                                                   tr->len_host, g->text.max_words);
        if (s != T2V_OK)
            return s;
    }
    if (stage == 1 && tr->obj.on) {
        t2v_status s = load_objects(tr, step);
        if (s != T2V_OK)
            return s;
    }
    if (stage == 1 || low) {
        t2v_status s = t2v_backend_upload(tr->be, tr->real1, tr->host1, N * n1 * sizeof(float));
        if (s != T2V_OK || stage == 1)
            return s;
    }
    return t2v_backend_upload(tr->be, tr->real2, tr->host2, N * n2 * sizeof(float));
}

/* Mean adversarial loss of N logits toward `target` (+1 real, -1 fake, 0
 * the generator's view of its fakes); gradient weight/N into dlogit;
 * returns the unweighted mean. */
static float gan_term(t2v_sg_trainer *tr, const float *logit, float *dlogit, int target,
                      float weight)
{
    int N = tr->rc.batch;
    t2v_gan_loss_ws ws = {tr->be, tr->rc.loss, tr->loss_dev, tr->ones, tr->zeros, tr->loss_host};
    return (float)(t2v_gan_loss_sum(&ws, logit, dlogit, N, target, weight / (float)N) / N);
}

/* A scorer's effective (spectrally normalised) weights, before its runs. */
static void scorer_refresh(t2v_sg_trainer *tr, sg_scorer *sc, int update_u)
{
    t2v_disc_refresh(&sc->d, tr->be, &sc->ps, &sc->bufs, update_u);
    t2v_head_refresh(&sc->head, tr->be, &sc->ps, &sc->bufs, update_u);
}

/* Its gradients folded into the raw weights, then one Adam step at lr. */
static void scorer_update(t2v_sg_trainer *tr, sg_scorer *sc, float lr)
{
    t2v_disc_fold_grads(&sc->d, tr->be, &sc->ps);
    t2v_head_fold_grads(&sc->head, tr->be, &sc->ps);
    sc->opt.lr = lr;
    t2v_adam_step(&sc->opt, &sc->ps);
}

/* The generator's forward for the loaded batch: noise from (seed, stage,
 * step), Stage I (and Stage II); returns the fakes of `stage`. */
static const float *forward_fakes(t2v_sg_trainer *tr, int stage, int64_t step)
{
    t2v_backend *be = tr->be;
    t2v_stackgan *g = &tr->gen;
    int N = tr->rc.batch, Z = g->cfg.z_dim, C = g->cfg.c_dim;
    uint64_t seed = tr->rc.seed;
    be->k->rng_normal(be, g->s1.z, (int64_t)N * Z, seed, stream_of(stage, STREAM_Z),
                      (uint64_t)step * N * Z);
    be->k->rng_normal(be, g->s1.ca.eps, (int64_t)N * C, seed, stream_of(stage, STREAM_EPS1),
                      (uint64_t)step * N * C);
    /* Stage I trains in batch-statistics mode; frozen under Stage II it
     * runs as at generation time (running statistics, nothing updated) */
    t2v_sg_stage1_forward(&g->s1, be, &tr->gps1, &tr->gbufs1, g->s1.text.S, stage == 1);
    if (stage == 1)
        return g->s1.img;
    be->k->rng_normal(be, g->s2.ca.eps, (int64_t)N * C, seed, stream_of(stage, STREAM_EPS2),
                      (uint64_t)step * N * C);
    t2v_sg_stage2_forward(&g->s2, be, &tr->gps2, &tr->gbufs2, g->s1.img, g->s1.text.S, 1);
    return g->s2.img;
}

/* A scorer's matching-aware terms on (real, fake): real with its matching
 * condition (+1), real with a mismatching one and fake with its matching
 * one (-1, half weight each) into terms[3]; gradients through the head
 * into its parameters, the conditions' into run[r].dS and the features'
 * into the trunk runs' last dact, ready for scorer_d_trunks. Returns the
 * loss: real + (wrong + fake) / 2. */
static float scorer_d_heads(t2v_sg_trainer *tr, sg_scorer *sc, const float *real,
                            const float *fake, const float *S_match, const float *S_mis,
                            float terms[3])
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, last = sc->d.cfg.layers - 1;
    t2v_head *h = &sc->head;
    t2v_trunk_forward(&sc->d, be, &sc->ps, &sc->bufs, &sc->real, real, N, 1);
    t2v_trunk_forward(&sc->d, be, &sc->ps, &sc->bufs, &sc->fake, fake, N, 1);
    const float *fr = sc->real.act[last], *ff = sc->fake.act[last];
    t2v_head_forward(h, be, &sc->ps, &sc->run[0], fr, S_match, N, tr->head_ws);
    t2v_head_forward(h, be, &sc->ps, &sc->run[1], fr, S_mis, N, tr->head_ws);
    t2v_head_forward(h, be, &sc->ps, &sc->run[2], ff, S_match, N, tr->head_ws);
    terms[0] = gan_term(tr, sc->run[0].logit, sc->run[0].dlogit, +1, 1.0f);
    terms[1] = gan_term(tr, sc->run[1].logit, sc->run[1].dlogit, -1, 0.5f);
    terms[2] = gan_term(tr, sc->run[2].logit, sc->run[2].dlogit, -1, 0.5f);
    int64_t fl = (int64_t)h->M * h->C * h->L;
    for (int r = 0; r < 3; r++)
        t2v_head_backward(h, be, &sc->ps, &sc->run[r], r == 2 ? ff : fr,
                          r == 1 ? S_mis : S_match, N, tr->head_ws, 1);
    be->k->add(be, sc->real.dact[last], sc->run[0].dfeat, sc->run[1].dfeat, fl);
    be->k->copy(be, sc->fake.dact[last], sc->run[2].dfeat, fl);
    return terms[0] + 0.5f * (terms[1] + terms[2]);
}

static void scorer_d_trunks(t2v_sg_trainer *tr, sg_scorer *sc)
{
    t2v_trunk_backward(&sc->d, tr->be, &sc->ps, &sc->real, tr->rc.batch, 0, 1);
    t2v_trunk_backward(&sc->d, tr->be, &sc->ps, &sc->fake, tr->rc.batch, 0, 1);
}

/* The generator's view of its fakes through a scorer, weighted: the
 * features' gradient into the fake run's last dact (scorer_g_trunk then
 * gives the images'). Returns the unweighted term. */
static float scorer_g_head(t2v_sg_trainer *tr, sg_scorer *sc, const float *fake,
                           const float *S, float weight)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, last = sc->d.cfg.layers - 1;
    t2v_head *h = &sc->head;
    t2v_trunk_forward(&sc->d, be, &sc->ps, &sc->bufs, &sc->fake, fake, N, 1);
    const float *ff = sc->fake.act[last];
    t2v_head_forward(h, be, &sc->ps, &sc->run[2], ff, S, N, tr->head_ws);
    float term = gan_term(tr, sc->run[2].logit, sc->run[2].dlogit, 0, weight);
    t2v_head_backward(h, be, &sc->ps, &sc->run[2], ff, S, N, tr->head_ws, 0);
    be->k->copy(be, sc->fake.dact[last], sc->run[2].dfeat, (int64_t)h->M * h->C * h->L);
    return term;
}

/* -> sc->fake.dinput, the images' gradient; no parameter gradients. */
static void scorer_g_trunk(t2v_sg_trainer *tr, sg_scorer *sc)
{
    t2v_trunk_backward(&sc->d, tr->be, &sc->ps, &sc->fake, tr->rc.batch, 1, 0);
}

/* D's forward and backward on (real, fake): gradients into D->sc.ps. */
static void d_pass(t2v_sg_trainer *tr, sg_disc *D, const float *real, const float *fake,
                   t2v_sg_stats *st)
{
    t2v_backend *be = tr->be;
    int N = tr->rc.batch, Dm = D->text.cfg.sent, last = D->sc.d.cfg.layers - 1;
    size_t ND = (size_t)N * Dm;
    float terms[3];
    st->d_loss = scorer_d_heads(tr, &D->sc, real, fake, D->text.S, D->text.S + ND, terms);
    st->d_real = terms[0];
    st->d_wrong = terms[1];
    st->d_fake = terms[2];
    if (tr->rc.aux_words > 0.0f) { /* real images only: the head reads real data */
        st->d_words = t2v_word_head_term(&D->words, be, &D->sc.ps, D->sc.real.act[last],
                                         D->sc.real.dact[last], tr->rc.aux_words, 1);
        st->d_loss += st->d_words;
    }
    scorer_d_trunks(tr, &D->sc);
    // dS (2N, sent): matching rows from runs 0 and 2, mismatching from run 1
    float *dS2 = tr->dS_d;
    be->k->add(be, dS2, D->sc.run[0].dS, D->sc.run[2].dS, (int64_t)ND);
    be->k->copy(be, dS2 + ND, D->sc.run[1].dS, (int64_t)ND);
    t2v_encoder_backward(&D->text, be, &D->sc.ps, dS2);
}

/* recipe d2_low: Stage-I D's update on Stage II's fakes box-filtered to
 * Stage I's size (tr->low), against the real images at that size and the
 * batch's captions through its own encoder. */
static t2v_status low_d_step(t2v_sg_trainer *tr, const float *fake2, float lr,
                             t2v_sg_stats *st)
{
    sg_disc *D1 = &tr->disc[0];
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    t2v_sg_box_down4(tr->be, tr->low, fake2, tr->low_tmp, tr->rc.batch * g->channels,
                     g->size1);
    t2v_status s = t2v_encoder_forward(&D1->text, tr->be, &D1->sc.ps, tr->ids_host,
                                       tr->len_host);
    if (s != T2V_OK)
        return s;
    t2v_params_zero_grad(&D1->sc.ps);
    scorer_refresh(tr, &D1->sc, 1);
    t2v_sg_stats low;
    memset(&low, 0, sizeof low);
    d_pass(tr, D1, tr->real1, tr->low, &low);
    scorer_update(tr, &D1->sc, lr);
    st->d_low = low.d_loss;
    return T2V_OK;
}

/* G's term through the updated Stage-I D on tr->low (its matching-aware
 * head; the word heads, when on, judge Stage II at its own size only),
 * weighted by d2_low; its gradient, back at Stage II's size, in tr->dlow2. */
static t2v_status low_g_term(t2v_sg_trainer *tr, t2v_sg_stats *st)
{
    sg_disc *D1 = &tr->disc[0];
    const t2v_stackgan_cfg *g = &tr->gen.cfg;
    scorer_refresh(tr, &D1->sc, 0);
    t2v_status s = t2v_encoder_forward(&D1->text, tr->be, &D1->sc.ps, tr->ids_host,
                                       tr->len_host);
    if (s != T2V_OK)
        return s;
    st->g_low = scorer_g_head(tr, &D1->sc, tr->low, D1->text.S, tr->rc.d2_low);
    scorer_g_trunk(tr, &D1->sc);
    t2v_sg_box_down4_backward(tr->be, tr->dlow2, D1->sc.fake.dinput, tr->low_tmp,
                              tr->rc.batch * g->channels, g->size1);
    return T2V_OK;
}

/* G's adversarial term on its fakes and the CA's KL; gradients into the
 * stage's generator parameters (and, in Stage I, the text encoder). */
static t2v_status g_pass(t2v_sg_trainer *tr, sg_disc *D, int stage, const float *fake,
                         t2v_sg_stats *st)
{
    t2v_backend *be = tr->be;
    const t2v_kernels *k = be->k;
    t2v_stackgan *g = &tr->gen;
    int N = tr->rc.batch, last = D->sc.d.cfg.layers - 1, C = g->cfg.c_dim;
    st->g_adv = scorer_g_head(tr, &D->sc, fake, D->text.S, 1.0f);
    if (tr->rc.aux_words > 0.0f)
        st->g_words = t2v_word_head_term(&D->words, be, &D->sc.ps, D->sc.fake.act[last],
                                         D->sc.fake.dact[last], tr->rc.aux_words, 0);
    scorer_g_trunk(tr, &D->sc);
    t2v_sg_ca *ca = stage == 1 ? &g->s1.ca : &g->s2.ca;
    float *dimg = stage == 1 ? g->s1.dimg : g->s2.dimg;
    int side = stage == 1 ? g->cfg.size1 : g->cfg.size2;
    k->copy(be, dimg, D->sc.fake.dinput, (int64_t)N * g->cfg.channels * side * side);
    if (stage == 2 && tr->rc.d2_low > 0.0f) {
        t2v_status s = low_g_term(tr, st);
        if (s != T2V_OK)
            return s;
        k->axpy(be, dimg, 1.0f, tr->dlow2, (int64_t)N * g->cfg.channels * side * side);
    }
    if (tr->rc.reader > 0.0f) {
        t2v_status s = t2v_word_reader_pull(&tr->reader[stage - 1], fake, tr->rc.reader, dimg,
                                            &st->g_reader);
        if (s != T2V_OK)
            return s;
    }
    if (tr->rc.lambda_match > 0.0f) {
        if (!tr->image_loss)
            return t2v_fail(T2V_ERR_INVALID, "the recipe weighs a matching loss (%g, %s) but no "
                            "matching model is open", (double)tr->rc.lambda_match,
                            tr->rc.match_model);
        double match = 0.0;
        t2v_status s = tr->image_loss(tr->image_loss_user, fake, tr->cap_ix,
                                      tr->rc.lambda_match, dimg, &match);
        if (s != T2V_OK)
            return s;
        st->g_match = (float)match;
    }
    if (stage == 2 && g->cfg.s2_residual && tr->rc.s2_reg > 0.0f) { /* its gradient: backward's */
        const float *r = g->s2.net.node[g->s2.net.n - 1].out;
        int64_t len = (int64_t)g->cfg.channels * side * side;
        k->row_dot(be, tr->loss_dev, r, r, N, len, 1.0f / (float)len);
        st->g_reg = (float)(t2v_device_sum(be, tr->loss_host, tr->loss_dev, N) / N);
    }
    /* KL weight times the mean over the N x c elements */
    t2v_sg_ca_kl(ca, be, tr->rc.kl_weight / (float)(N * C));
    double kl = t2v_device_sum(be, tr->loss_host, ca->kl, N * C);
    st->kl = (float)(kl / (N * C));
    st->g_loss = st->g_adv + tr->rc.kl_weight * st->kl + tr->rc.lambda_match * st->g_match +
                 st->g_words + st->g_reader + tr->rc.s2_reg * st->g_reg +
                 tr->rc.d2_low * st->g_low;
    if (stage == 1) {
        t2v_sg_stage1_backward(&g->s1, be, &tr->gps1, g->s1.text.S, 1);
        if (!tr->rc.shared_text) /* the glyph's picture reads the words too, its tint
                                    perhaps their features */
            t2v_encoder_backward_all(&g->s1.text, be, &tr->gps1, g->s1.ca.dS,
                                     g->s1.layer.glyph ? g->s1.layer.dwords : NULL,
                                     g->cfg.tint_words ? g->s1.layer.dhc : NULL);
    } else {
        t2v_sg_stage2_backward(&g->s2, be, &tr->gps2, g->s1.text.S, 1);
    }
    return T2V_OK;
}

/* One update of the object discriminator on the step's glyphs. */
static void obj_d_step(t2v_sg_trainer *tr, float lr, t2v_sg_stats *st)
{
    sg_objd *o = &tr->obj;
    size_t half = (size_t)tr->rc.batch * o->cond;
    float terms[3];
    t2v_glyph_planes_forward(&o->fake, tr->be, t2v_sg_glyph_picture(&tr->gen.s1),
                             tr->gen.s1.layer.tint);
    t2v_params_zero_grad(&o->sc.ps);
    scorer_refresh(tr, &o->sc, 1);
    st->d_obj = scorer_d_heads(tr, &o->sc, o->x_real, o->fake.x, o->cond_dev,
                               o->cond_dev + half, terms);
    scorer_d_trunks(tr, &o->sc);
    scorer_update(tr, &o->sc, lr);
}

/* G's term through the updated object discriminator: its gradients wait
 * in the glyph layer for Stage I's backward. */
static void obj_g_term(t2v_sg_trainer *tr, t2v_sg_stats *st)
{
    sg_objd *o = &tr->obj;
    scorer_refresh(tr, &o->sc, 0);
    st->g_obj = scorer_g_head(tr, &o->sc, o->fake.x, o->cond_dev, tr->rc.object_d);
    scorer_g_trunk(tr, &o->sc);
    t2v_glyph_planes_backward(&o->fake, tr->be, o->sc.fake.dinput);
    tr->gen.s1.layer.dpic_add = o->fake.dpic;
    tr->gen.s1.layer.dtint_add = o->fake.dtint;
}

static t2v_status encode_batch(t2v_sg_trainer *tr, sg_disc *D)
{
    t2v_status s = t2v_encoder_forward(&D->text, tr->be, &D->sc.ps, tr->ids_host, tr->len_host);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&tr->gen.s1.text, tr->be, &tr->gps1, tr->ids_host,
                                tr->len_host);
    return s;
}

t2v_status t2v_sg_train_step(t2v_sg_trainer *tr, int stage, t2v_sg_stats *st)
{
    memset(st, 0, sizeof *st);
    if (stage != 1 && stage != 2)
        return t2v_fail(T2V_ERR_INVALID, "stage must be 1 or 2 (got %d)", stage);
    t2v_backend *be = tr->be;
    sg_disc *D = &tr->disc[stage - 1];
    int64_t step = tr->step[stage - 1];
    t2v_status s = load_batch(tr, stage, step);
    if (s == T2V_OK)
        s = encode_batch(tr, D);
    if (s != T2V_OK)
        return s;
    const float *fake = forward_fakes(tr, stage, step);
    const float *real = stage == 1 ? tr->real1 : tr->real2;
    float decay = 1.0f;
    if (tr->rc.lr_decay_every > 0)
        decay = powf(0.5f, (float)(step / tr->rc.lr_decay_every));
    t2v_adam *opt_g = stage == 1 ? &tr->opt_g1 : &tr->opt_g2;
    t2v_params *gps = stage == 1 ? &tr->gps1 : &tr->gps2;
    opt_g->lr = tr->rc.lr_g * decay;
    /* D step */
    t2v_params_zero_grad(&D->sc.ps);
    scorer_refresh(tr, &D->sc, 1);
    d_pass(tr, D, real, fake, st);
    scorer_update(tr, &D->sc, tr->rc.lr_d * decay);
    if (tr->rc.reader > 0.0f) /* the reader learns from the real images D just saw */
        st->d_reader = t2v_word_reader_learn(&tr->reader[stage - 1], real);
    int with_obj = stage == 1 && tr->obj.on;
    if (with_obj)
        obj_d_step(tr, tr->rc.lr_d * decay, st);
    if (stage == 2 && tr->rc.d2_low > 0.0f && (s = low_d_step(tr, fake, tr->rc.lr_d * decay,
                                                              st)) != T2V_OK)
        return s;
    /* G step: the same fakes against the updated D */
    t2v_params_zero_grad(gps);
    scorer_refresh(tr, &D->sc, 0);
    s = t2v_encoder_forward(&D->text, be, &D->sc.ps, tr->ids_host, tr->len_host);
    if (s != T2V_OK)
        return s;
    if (with_obj)
        obj_g_term(tr, st);
    s = g_pass(tr, D, stage, fake, st);
    tr->gen.s1.layer.dpic_add = tr->gen.s1.layer.dtint_add = NULL;
    if (s != T2V_OK)
        return s;
    if (with_obj) {
        st->g_loss += tr->rc.object_d * st->g_obj;
        if (!isfinite(st->d_obj))
            st->d_loss = st->d_obj; /* reported as D's divergence below */
    }
    t2v_adam_step(opt_g, gps);
    if (stage == 1 && tr->rc.shared_text)
        copy_text(tr);
    tr->step[stage - 1]++;
    if (!isfinite(st->d_loss) || !isfinite(st->g_loss))
        return t2v_fail(T2V_ERR_BACKEND, "Stage-%s training diverged at step %lld (d %g, g %g)",
                        stage == 1 ? "I" : "II", (long long)tr->step[stage - 1], st->d_loss,
                        st->g_loss);
    return T2V_OK;
}

t2v_status t2v_sg_d_loss_on(t2v_sg_trainer *tr, int stage, int64_t at_step, float *d_loss)
{
    if (stage != 1 && stage != 2)
        return t2v_fail(T2V_ERR_INVALID, "stage must be 1 or 2 (got %d)", stage);
    sg_disc *D = &tr->disc[stage - 1];
    t2v_status s = load_batch(tr, stage, at_step);
    if (s == T2V_OK)
        s = encode_batch(tr, D);
    if (s != T2V_OK)
        return s;
    const float *fake = forward_fakes(tr, stage, at_step);
    t2v_params_zero_grad(&D->sc.ps);
    scorer_refresh(tr, &D->sc, 0);
    t2v_sg_stats st;
    memset(&st, 0, sizeof st);
    d_pass(tr, D, stage == 1 ? tr->real1 : tr->real2, fake, &st);
    t2v_params_zero_grad(&D->sc.ps);
    *d_loss = st.d_loss;
    return T2V_OK;
}

t2v_status t2v_sg_object_d_loss_on(t2v_sg_trainer *tr, int64_t at_step, float *d_loss)
{
    sg_objd *o = &tr->obj;
    if (!o->on)
        return t2v_fail(T2V_ERR_INVALID, "the recipe has no object discriminator");
    t2v_status s = load_batch(tr, 1, at_step);
    if (s == T2V_OK)
        s = encode_batch(tr, &tr->disc[0]);
    if (s != T2V_OK)
        return s;
    forward_fakes(tr, 1, at_step);
    t2v_glyph_planes_forward(&o->fake, tr->be, t2v_sg_glyph_picture(&tr->gen.s1),
                             tr->gen.s1.layer.tint);
    scorer_refresh(tr, &o->sc, 0);
    float terms[3];
    *d_loss = scorer_d_heads(tr, &o->sc, o->x_real, o->fake.x, o->cond_dev,
                             o->cond_dev + (size_t)tr->rc.batch * o->cond, terms);
    t2v_params_zero_grad(&o->sc.ps);
    return T2V_OK;
}

/* ---- files ----------------------------------------------------------------- */

static t2v_status add_common(t2v_sg_trainer *tr, t2v_weights_writer *wr, const char *command)
{
    char name[96];
    snprintf(name, sizeof name, "%s-stackgan-%s", tr->di.name, tr->rc.preset);
    t2v_status s = t2v_ckpt_write_header(wr, "stackgan", name, "image", &tr->vocab);
    if (s == T2V_OK) s = t2v_stackgan_cfg_write(&tr->rc.gen, wr);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, "stackgan.steps1", (uint64_t)tr->step[0]);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, "stackgan.steps2", (uint64_t)tr->step[1]);
    if (s == T2V_OK) s = t2v_ckpt_write_provenance(wr, tr->rc.data, tr->rc.preset,
                                                   (uint64_t)(tr->step[0] + tr->step[1]),
                                                   tr->rc.seed, tr->seconds, command, tr->rc.loss);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gps1, wr, 0);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gbufs1, wr, 0);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gps2, wr, 0);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&tr->gbufs2, wr, 0);
    return s;
}

t2v_status t2v_sg_save_checkpoint(t2v_sg_trainer *tr, const char *path, const char *command)
{
    t2v_weights_writer *wr;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s != T2V_OK)
        return s;
    s = add_common(tr, wr, command);
    if (s == T2V_OK) s = t2v_recipe_write(&tr->rc, recipe_keys, N_RECIPE_KEYS, wr);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, "train.format", TRAIN_FORMAT);
    if (s == T2V_OK) s = t2v_weights_writer_add_i64(wr, "train.step1", tr->step[0]);
    if (s == T2V_OK) s = t2v_weights_writer_add_i64(wr, "train.step2", tr->step[1]);
    if (s == T2V_OK) s = t2v_ckpt_write_moments(tr->be, &tr->gps1, wr);
    if (s == T2V_OK) s = t2v_ckpt_write_moments(tr->be, &tr->gps2, wr);
    for (int i = 0; i < 2 && s == T2V_OK; i++) {
        s = t2v_params_add_to_writer(&tr->disc[i].sc.ps, wr, 1);
        if (s == T2V_OK)
            s = t2v_params_add_to_writer(&tr->disc[i].sc.bufs, wr, 0);
        if (s == T2V_OK && tr->rc.reader > 0.0f)
            s = t2v_word_reader_write(&tr->reader[i], wr);
    }
    if (s == T2V_OK && tr->obj.on)
        s = t2v_params_add_to_writer(&tr->obj.sc.ps, wr, 1);
    if (s == T2V_OK && tr->obj.on)
        s = t2v_params_add_to_writer(&tr->obj.sc.bufs, wr, 0);
    if (s == T2V_OK) s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    return s;
}

t2v_status t2v_sg_export(t2v_sg_trainer *tr, const char *path, const char *command)
{
    t2v_weights_writer *wr;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s != T2V_OK)
        return s;
    s = add_common(tr, wr, command);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    return s;
}

t2v_status t2v_sg_trainer_sentences(t2v_sg_trainer *tr, int disc, const char *const *captions,
                                    int n, float *out)
{
    int N = tr->rc.batch, T = tr->gen.cfg.text.max_words;
    if (n < 1 || n > N)
        return t2v_fail(T2V_ERR_INVALID, "%d captions for a batch of %d", n, N);
    t2v_status s = t2v_encode_caption_batch(&tr->vocab, captions, n, 0, N, T, tr->ids_host,
                                            tr->len_host);
    t2v_encoder *e = disc ? &tr->disc[0].text : &tr->gen.s1.text;
    if (e->N > N) { /* D's encoder reads the matching and the mismatching halves */
        memcpy(tr->ids_host + (size_t)N * T, tr->ids_host, (size_t)N * T * sizeof(int32_t));
        memcpy(tr->len_host + N, tr->len_host, (size_t)N * sizeof(int));
    }
    if (s == T2V_OK)
        s = t2v_encoder_forward(e, tr->be, disc ? &tr->disc[0].sc.ps : &tr->gps1, tr->ids_host,
                                tr->len_host);
    if (s != T2V_OK)
        return s;
    return t2v_backend_download(tr->be, out, e->S, (size_t)n * e->cfg.sent * sizeof(float));
}

t2v_status t2v_sg_standing_stats(t2v_sg_trainer *tr, int stage, int batches)
{
    if (stage != 1 && stage != 2)
        return t2v_fail(T2V_ERR_INVALID, "stage must be 1 or 2 (got %d)", stage);
    t2v_backend *be = tr->be;
    t2v_stackgan *g = &tr->gen;
    int N = tr->rc.batch, Z = g->cfg.z_dim, C = g->cfg.c_dim;
    uint64_t seed = tr->rc.seed;
    t2v_sg_chain *net = stage == 1 ? &g->s1.net : &g->s2.net;
    float momentum = net->bn_momentum;
    for (int b = 0; b < batches; b++) {
        uint64_t at = (uint64_t)b * N;
        for (int n = 0; n < N; n++) {
            float u;
            t2v_rng_uniform_host(&u, 1, seed, stream_of(stage, STREAM_ST_CAPS), at + n);
            t2v_encoded_captions_copy(&tr->caps, t2v_index_of_uniform(u, tr->caps.n), tr->ids_host,
                                      tr->len_host, n);
        }
        t2v_status s = t2v_encoder_forward(&g->s1.text, be, &tr->gps1, tr->ids_host, tr->len_host);
        if (s != T2V_OK)
            return s;
        be->k->rng_normal(be, g->s1.z, (int64_t)N * Z, seed, stream_of(stage, STREAM_ST_Z),
                          at * Z);
        be->k->rng_normal(be, g->s1.ca.eps, (int64_t)N * C, seed,
                          stream_of(stage, STREAM_ST_EPS1), at * C);
        /* momentum 1/(b+1): the running statistics become the plain average */
        net->bn_momentum = 1.0f / (float)(b + 1);
        t2v_sg_stage1_forward(&g->s1, be, &tr->gps1, &tr->gbufs1, g->s1.text.S, stage == 1);
        if (stage == 2) {
            be->k->rng_normal(be, g->s2.ca.eps, (int64_t)N * C, seed,
                              stream_of(stage, STREAM_ST_EPS2), at * C);
            t2v_sg_stage2_forward(&g->s2, be, &tr->gps2, &tr->gbufs2, g->s1.img, g->s1.text.S, 1);
        }
        net->bn_momentum = momentum;
    }
    return T2V_OK;
}

t2v_status t2v_sg_trainer_sample(t2v_sg_trainer *tr, const char *const *captions, int n,
                                 uint64_t seed, float *out1, float *out2)
{
    t2v_backend *be = tr->be;
    t2v_stackgan *g = &tr->gen;
    int N = tr->rc.batch, T = g->cfg.text.max_words;
    size_t n1 = (size_t)g->cfg.channels * g->cfg.size1 * g->cfg.size1;
    size_t n2 = (size_t)g->cfg.channels * g->cfg.size2 * g->cfg.size2;
    for (int base = 0; base < n; base += N) {
        t2v_status s = t2v_encode_caption_batch(&tr->vocab, captions, n, base, N, T, tr->ids_host,
                                                tr->len_host);
        if (s != T2V_OK)
            return s;
        s = t2v_encoder_forward(&g->s1.text, be, &tr->gps1, tr->ids_host,
                                           tr->len_host);
        if (s != T2V_OK)
            return s;
        for (int j = 0; j < N; j++)
            t2v_stackgan_noise(g, be, seed, (uint64_t)(base + j), j);
        t2v_sg_stage1_forward(&g->s1, be, &tr->gps1, &tr->gbufs1, g->s1.text.S, 0);
        t2v_sg_stage2_forward(&g->s2, be, &tr->gps2, &tr->gbufs2, g->s1.img, g->s1.text.S, 0);
        int take = n - base < N ? n - base : N;
        if (out1)
            s = t2v_backend_download(be, out1 + (size_t)base * n1, g->s1.img,
                                     (size_t)take * n1 * sizeof(float));
        if (s == T2V_OK && out2)
            s = t2v_backend_download(be, out2 + (size_t)base * n2, g->s2.img,
                                     (size_t)take * n2 * sizeof(float));
        if (s != T2V_OK)
            return s;
    }
    return T2V_OK;
}
