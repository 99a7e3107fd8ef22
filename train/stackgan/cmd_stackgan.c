/* txt2vid train-stackgan: a StackGAN run (Stage I, then Stage II with Stage
 * I frozen) with progress, a CSV log, sample sheets of both stages side by
 * side, loss plots, atomic checkpoints, exact resume and Ctrl-C saving. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/cli.h"
#include "train/common/captions.h"
#include "train/common/progress.h"
#include "train/common/run_dir.h"
#include "train/common/run_opts.h"
#include "train/eval/match_guide.h"
#include "train/media/media.h"
#include "train/stackgan/sg_trainer.h"

#define CMD "txt2vid train-stackgan"

int t2v_cmd_train_stackgan(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid train-stackgan [options]\n"
            "\n"
            "  --preset NAME       tiny | small | paper (default small)\n"
            "  --data NAME         scenes | images:<folder> (default scenes)\n"
            "  --stage 1|2         the stage to train (default 1); stage 2 needs stage 1\n"
            "                      trained first (resume from its checkpoint, or --from)\n"
            "  --from CKPT         with --stage 2: start this run's Stage II afresh on the\n"
            "                      trained Stage I of another run's checkpoint (its recipe,\n"
            "                      encoder, Stage I and Stage-I discriminators; CKPT is only\n"
            "                      read); a run dir that has its own checkpoint and\n"
            "                      --resume continues that instead\n"
            "  --stage1 MODEL      with --stage 2: Stage I and the encoder from an exported\n"
            "                      model (`txt2vid train-stackgan` writes one) of the same\n"
            "                      sizes and vocabulary, in place of the checkpoint's, when\n"
            "                      Stage II starts (a new Stage II for a model's Stage I);\n"
            "                      once Stage II has trained, the run keeps the Stage I it\n"
            "                      trained on and says so\n"
            "  --g2-residual on|off|repaint  Stage II draws a correction added to Stage\n"
            "                      I's image (upsampled), starting at zero, or the whole\n"
            "                      image (off, default); repaint: a correction, and a\n"
            "                      background colour read from the caption again, painted\n"
            "                      where Stage I's object is not (a layered or glyph Stage\n"
            "                      I); set when Stage II starts, fixed after\n"
            "  --g2-reg X          with --g2-residual on: weight of the correction's mean\n"
            "                      square in G's loss (default 0); set when Stage II\n"
            "                      starts, fixed after\n"
            "  --d2-low X          weight of Stage II's judging at Stage I's size: its\n"
            "                      images, box-filtered by 4, face Stage-I D, which trains\n"
            "                      on with them (default 0: off); set when Stage II\n"
            "                      starts, fixed after\n"
            "  --steps N           total steps of this stage (default: the preset's)\n"
            "  --batch N           images per step (default: the preset's)\n"
            "  --seed N            seed of every random choice (default 1)\n"
            "  --loss bce|hinge    adversarial loss (paper: bce)\n"
            "  --head concat|projection  how D checks the caption\n"
            "  --sn on|off         spectral normalisation in D\n"
            "  --kl X              weight of the CA's KL term (default 2)\n"
            "  --d-bn on|off       batch normalisation in D's hidden layers\n"
            "  --g-text shared|own the generator reads the sentence through Stage-I D's\n"
            "                      encoder (shared, default) or trains its own\n"
            "  --near-miss F       share of D's mismatching captions that state exactly one\n"
            "                      attribute differently (default 0: any other caption)\n"
            "  --swap-miss F       share of D's mismatching captions that are the caption's\n"
            "                      own words with two roles exchanged (scenes: the object's\n"
            "                      colour and the background's), so that D must bind each\n"
            "                      colour word to what it colours (default 0; taken before\n"
            "                      the near misses; fixed for the run)\n"
            "  --match-model FILE  a matching model (`txt2vid match train`) whose loss the\n"
            "                      generator also minimises: its images must pick their own\n"
            "                      captions among the batch's (on --resume: where the\n"
            "                      checkpoint's model now lies; with --stage 2 where Stage\n"
            "                      II has not trained, --from included: Stage II's loss,\n"
            "                      fixed after)\n"
            "  --lambda-match X    weight of that loss (default 1 with --match-model)\n"
            "  --aux-words X       weight of the word heads: each stage's D learns to read\n"
            "                      a real image's caption words from its 4x4 features, G's\n"
            "                      images must be read as their captions (default 0: off;\n"
            "                      fixed for the run: not changeable on --resume)\n"
            "  --reader X          weight of the word readers: a network of its own per\n"
            "                      stage learns a real image's caption words, G's images\n"
            "                      must be read as their captions (default 0: off; fixed\n"
            "                      for the run)\n"
            "  --g-layout plain|layered|glyph  Stage I draws the image whole (plain,\n"
            "                      default) or an object picture with alpha, moved into\n"
            "                      place by a position head, over a background of its own\n"
            "                      (layered); glyph: as layered, the picture an alpha shape\n"
            "                      read from the caption's words through attention (its\n"
            "                      object word), its colour one value from a colour head\n"
            "                      (fixed for the run)\n"
            "  --g-attend X        with --g-layout glyph: weight of the attention's mean\n"
            "                      entropy in G's loss, keeping it on one word (default\n"
            "                      0.1)\n"
            "  --g-object S        with --g-layout layered or glyph: the object picture's\n"
            "                      side (3 or 4 times a power of 2, at most the Stage-I\n"
            "                      size; default the Stage-I size), centred before its move\n"
            "  --g-tint sample|sentence|words  with --g-layout glyph: the tint head reads\n"
            "                      the CA sample and the noise (sample, default), the\n"
            "                      sentence vector too (sentence), or also the caption's\n"
            "                      contextual word features (the encoder's bi-LSTM\n"
            "                      outputs) through an attention of its own (words);\n"
            "                      fixed for the run\n"
            "  --g-background chain|flat  with --g-layout glyph: the background is the\n"
            "                      chain's picture (chain, default) or one colour per image,\n"
            "                      the picture's mean (flat; fixed for the run)\n"
            "  --object-d X        with --g-layout glyph, on scenes: weight of the object\n"
            "                      discriminator, which scores the glyph alone (its shape\n"
            "                      and tint, before the move) against the caption's object,\n"
            "                      colour and size, real pictures being the scenes' own\n"
            "                      objects (default 0: off; fixed for the run)\n"
            "  --text-pool on|off  the sentence vector's last E entries are the mean word\n"
            "                      embedding (every encoder: the generator's and each\n"
            "                      discriminator's; fixed for the run)\n"
            "  --lr-g X, --lr-d X  Adam learning rates (with --stage 2 where Stage II has not\n"
            "                      trained, --from included: Stage II's; fixed after)\n"
            "  --beta1 X, --beta2 X  Adam moment decays (both networks)\n"
            "  --train-count N     items of the synthetic training split\n"
            "  --run-dir DIR       checkpoint, log and samples (both stages)\n"
            "                      (default ~/.cache/txt2vid/runs/DATA-stackgan-PRESET)\n"
            "  --out FILE          the model file written at the end (default RUN/model.gguf)\n"
            "  --resume            continue from RUN/checkpoint.gguf when it exists\n"
            "  --minutes M         stop (and save) after M minutes of this invocation\n"
            "  --ckpt-every N      checkpoint every N steps (default 200)\n"
            "  --sample-every N    sample sheet and loss plot every N steps (default 500)\n"
            "  --threads N         CPU threads (default: all cores)\n"
            "  --device auto|cpu|cuda  where to train (default auto: CUDA when a device\n"
            "                      answers, else the CPU); cuda without one is an error\n"
            "  --gpu-id N          which CUDA device (default 0)\n"
            "  --quiet             no progress output\n");
}

/* Stage II's form as --g2-residual names it: 0 off, 1 on, 2 repaint. */
static const char *const s2_form_names[3] = {"off", "on", "repaint"};

static int s2_form(const t2v_sg_recipe *r)
{
    return r->gen.s2_residual ? 1 + r->gen.s2_bg : 0;
}

/* The options only this command takes. */
typedef struct sg_opts {
    int stage;
    float kl;           /* < 0: preset's */
    const char *match_model;
    float lambda_match; /* < 0: 1 with a matching model */
    float aux_words;    /* < 0: preset's */
    float reader;       /* < 0: preset's */
    int layered;        /* < 0: preset's */
    int text_pool;      /* < 0: preset's */
    int g_object;       /* < 0: preset's */
    float g_attend;     /* < 0: 0.1 with the glyph layer */
    float object_d;     /* < 0: preset's */
    float swap_miss;    /* < 0: preset's */
    int g_tint;         /* < 0: preset's; 1: the tint reads the sentence; 2: and the words */
    int g_background;   /* < 0: preset's; 1: flat */
    int g2_residual;    /* < 0: preset's (or the checkpoint's); 0 off, 1 on, 2 repaint */
    float g2_reg;       /* < 0: preset's (or the checkpoint's) */
    float d2_low;       /* < 0: preset's (or the checkpoint's) */
    const char *from;   /* a checkpoint whose Stage I a new Stage II starts from */
    const char *stage1; /* a model whose Stage I and encoder Stage II trains on */
} sg_opts;

enum { O_STAGE = T2V_OPT_OWN, O_KL, O_MATCH_MODEL, O_LAMBDA_MATCH, O_AUX_WORDS, O_READER,
       O_G_LAYOUT, O_TEXT_POOL, O_G_OBJECT, O_G_ATTEND, O_OBJECT_D,
       O_G_TINT, O_G_BACKGROUND, O_G2_RESIDUAL, O_G2_REG, O_FROM, O_STAGE1, O_SWAP_MISS,
       O_D2_LOW };

static int parse_own(void *user, int c, const char *arg)
{
    sg_opts *o = user;
    char *end;
    switch (c) {
    case O_STAGE:
        o->stage = (int)strtol(arg, &end, 10);
        return *end || (o->stage != 1 && o->stage != 2) ? -1 : 0;
    case O_KL:
        o->kl = strtof(arg, &end);
        return *end || !(o->kl >= 0) ? -1 : 0;
    case O_MATCH_MODEL:
        o->match_model = arg;
        return *arg && strlen(arg) < sizeof ((t2v_sg_recipe *)0)->match_model ? 0 : -1;
    case O_LAMBDA_MATCH:
        o->lambda_match = strtof(arg, &end);
        return *end || !(o->lambda_match >= 0 && o->lambda_match <= 1000) ? -1 : 0;
    case O_AUX_WORDS:
        o->aux_words = strtof(arg, &end);
        return *end || !(o->aux_words >= 0.0f && o->aux_words <= 100.0f) ? -1 : 0;
    case O_READER:
        o->reader = strtof(arg, &end);
        return *end || !(o->reader >= 0.0f && o->reader <= 100.0f) ? -1 : 0;
    case O_G_LAYOUT:
        o->layered = strcmp(arg, "glyph") == 0     ? 2
                     : strcmp(arg, "layered") == 0 ? 1
                     : strcmp(arg, "plain") == 0   ? 0
                                                   : -1;
        return o->layered < 0 ? -1 : 0;
    case O_G_BACKGROUND:
        o->g_background = strcmp(arg, "flat") == 0 ? 1 : strcmp(arg, "chain") == 0 ? 0 : -1;
        return o->g_background < 0 ? -1 : 0;
    case O_G_TINT:
        o->g_tint = strcmp(arg, "words") == 0      ? 2
                    : strcmp(arg, "sentence") == 0 ? 1
                    : strcmp(arg, "sample") == 0   ? 0
                                                   : -1;
        return o->g_tint < 0 ? -1 : 0;
    case O_G2_RESIDUAL:
        o->g2_residual = strcmp(arg, "repaint") == 0 ? 2
                         : strcmp(arg, "on") == 0    ? 1
                         : strcmp(arg, "off") == 0   ? 0
                                                     : -1;
        return o->g2_residual < 0 ? -1 : 0;
    case O_G2_REG:
        o->g2_reg = strtof(arg, &end);
        return *end || !(o->g2_reg >= 0.0f && o->g2_reg <= 1e6f) ? -1 : 0;
    case O_FROM:
        o->from = arg;
        return *arg ? 0 : -1;
    case O_STAGE1:
        o->stage1 = arg;
        return *arg ? 0 : -1;
    case O_D2_LOW:
        o->d2_low = strtof(arg, &end);
        return *end || !(o->d2_low >= 0.0f && o->d2_low <= 100.0f) ? -1 : 0;
    case O_SWAP_MISS:
        o->swap_miss = strtof(arg, &end);
        return *end || !(o->swap_miss >= 0.0f && o->swap_miss <= 1.0f) ? -1 : 0;
    case O_OBJECT_D:
        o->object_d = strtof(arg, &end);
        return *end || !(o->object_d >= 0.0f && o->object_d <= 100.0f) ? -1 : 0;
    case O_G_ATTEND:
        o->g_attend = strtof(arg, &end);
        return *end || !(o->g_attend >= 0.0f && o->g_attend <= 100.0f) ? -1 : 0;
    case O_TEXT_POOL:
        o->text_pool = strcmp(arg, "on") == 0 ? 1 : strcmp(arg, "off") == 0 ? 0 : -1;
        return o->text_pool < 0 ? -1 : 0;
    case O_G_OBJECT:
        o->g_object = (int)strtol(arg, &end, 10);
        return *end || o->g_object < 1 || o->g_object > 256 ? -1 : 0;
    default: return -1;
    }
}

static int parse(int argc, char **argv, t2v_run_opts *ro, sg_opts *o)
{
    static const struct option longopts[] = {
        T2V_RUN_LONGOPTS, {"stage", 1, 0, O_STAGE}, {"kl", 1, 0, O_KL},
        {"match-model", 1, 0, O_MATCH_MODEL}, {"lambda-match", 1, 0, O_LAMBDA_MATCH},
        {"aux-words", 1, 0, O_AUX_WORDS}, {"reader", 1, 0, O_READER},
        {"g-layout", 1, 0, O_G_LAYOUT}, {"text-pool", 1, 0, O_TEXT_POOL},
        {"g-object", 1, 0, O_G_OBJECT}, {"g-attend", 1, 0, O_G_ATTEND},
        {"object-d", 1, 0, O_OBJECT_D}, {"g-tint", 1, 0, O_G_TINT},
        {"g-background", 1, 0, O_G_BACKGROUND}, {"g2-residual", 1, 0, O_G2_RESIDUAL},
        {"g2-reg", 1, 0, O_G2_REG}, {"from", 1, 0, O_FROM}, {"stage1", 1, 0, O_STAGE1}, {"swap-miss", 1, 0, O_SWAP_MISS},
        {"d2-low", 1, 0, O_D2_LOW},
        {0, 0, 0, 0}};
    *o = (sg_opts){.stage = 1, .kl = -1.0f, .lambda_match = -1.0f, .aux_words = -1.0f,
                   .reader = -1.0f, .layered = -1, .g_attend = -1.0f,
                   .text_pool = -1, .g_object = -1, .object_d = -1.0f, .swap_miss = -1.0f,
                   .g_tint = -1, .g_background = -1, .g2_residual = -1, .g2_reg = -1.0f,
                   .d2_low = -1.0f};
    return t2v_run_opts_parse(argc, argv, CMD, longopts, ro, parse_own, o, usage);
}

static t2v_status guide_loss(void *user, const float *images, const long *captions,
                             float weight, float *dimages, double *loss)
{
    return t2v_match_guide_step(user, images, captions, weight, dimages, loss);
}

/* Opens the recipe's matching model (at `path` when given) for the stage's
 * images and hands its loss to the trainer; nothing when the recipe has
 * none. */
static t2v_status open_guide(t2v_sg_trainer *tr, int stage, const char *path,
                             t2v_match_guide *g)
{
    const t2v_sg_recipe *r = t2v_sg_trainer_recipe(tr);
    if (!(r->lambda_match > 0.0f))
        return T2V_OK;
    long n_captions;
    t2v_dataset *ds = t2v_sg_trainer_dataset(tr, &n_captions);
    t2v_status s = t2v_match_guide_open(g, path ? path : r->match_model,
                                        t2v_sg_trainer_backend(tr), ds, n_captions, r->batch,
                                        r->gen.channels, stage == 1 ? r->gen.size1 : r->gen.size2);
    if (s == T2V_OK)
        t2v_sg_trainer_set_image_loss(tr, guide_loss, g);
    return s;
}

/* Sheet captions: the test split's first captions (for "scenes", object and
 * colour pairs never seen in training), then the training split's. */
static int sheet_captions(const t2v_sg_recipe *rc, const char **out, char store[][160], int max)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = rc->data;
    o.seed = rc->seed;
    o.count = 64;
    o.frames = 1;
    o.height = o.width = 16;
    o.max_bytes = (size_t)64 << 20;
    return t2v_sheet_captions(&o, out, store, max);
}

/* One sheet cell per caption: Stage I upsampled to Stage II's size (nearest),
 * and Stage II, side by side: (C, size2, 2 size2). */
static void write_samples(t2v_sg_trainer *tr, const char *run_dir, int stage, int64_t step)
{
    const t2v_sg_recipe *rc = t2v_sg_trainer_recipe(tr);
    const char *caps[8];
    char store[8][160];
    int n = sheet_captions(rc, caps, store, 8);
    if (n == 0)
        return;
    t2v_stackgan_cfg c = rc->gen;
    t2v_stackgan_check(&c);
    int C = c.channels, s1 = c.size1, s2 = c.size2, f = s2 / s1;
    size_t n1 = (size_t)C * s1 * s1, n2 = (size_t)C * s2 * s2;
    float *a = malloc((size_t)n * n1 * sizeof(float)), *b = malloc((size_t)n * n2 * sizeof(float));
    float *pair = malloc((size_t)n * 2 * n2 * sizeof(float));
    if (a && b && pair && t2v_sg_standing_stats(tr, stage, 20) == T2V_OK &&
        t2v_sg_trainer_sample(tr, caps, n, 7, a, b) == T2V_OK) {
        t2v_clip_view views[8];
        for (int i = 0; i < n; i++) {
            float *dst = pair + (size_t)i * 2 * n2;
            for (int ch = 0; ch < C; ch++)
                for (int y = 0; y < s2; y++)
                    for (int x = 0; x < 2 * s2; x++) {
                        float v = x < s2 ? a[i * n1 + ((size_t)ch * s1 + y / f) * s1 + x / f]
                                         : b[i * n2 + ((size_t)ch * s2 + y) * s2 + (x - s2)];
                        dst[((size_t)ch * s2 + y) * 2 * s2 + x] = v;
                    }
            views[i] = (t2v_clip_view){dst, C, 1, s2, 2 * s2};
        }
        char png[1200];
        snprintf(png, sizeof png, "%s/samples/stage%d-step-%07lld.png", run_dir, stage,
                 (long long)step);
        t2v_sheet_options so = {.cols = 2, .scale = 1};
        if (t2v_media_write_sheet_opts(png, NULL, views, caps, n, &so) != T2V_OK)
            fprintf(stderr, "txt2vid: warning: sample sheet: %s\n", t2v_media_last_error());
    }
    free(a);
    free(b);
    free(pair);
}

/* A recipe option on --resume that the checkpoint fixes otherwise: the
 * message, the trainer freed, usage status 2. */
static int refuse(t2v_sg_trainer *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(t2v_sg_trainer *tr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t2v_cli_verror(CMD, fmt, ap);
    va_end(ap);
    t2v_sg_trainer_free(tr);
    return 2;
}

int t2v_cmd_train_stackgan(int argc, char **argv)
{
    t2v_run_opts o;
    sg_opts so;
    int pr = parse(argc, argv, &o, &so);
    if (pr)
        return pr == 1 ? 0 : 2;
    t2v_sg_recipe rc;
    if (t2v_sg_preset(o.preset, &rc) != T2V_OK) {
        fprintf(stderr, CMD ": %s\n", t2v_last_error());
        return 2;
    }
    T2V_RUN_OPTS_APPLY(&o, &rc);
    /* the recipe comes from a checkpoint: this run's, or --from's */
    int fixed_recipe = o.resume || so.from;
    if (so.from && so.stage != 2) {
        fprintf(stderr, CMD ": --from starts a Stage II on a trained Stage I: use it with "
                "--stage 2\n");
        return 2;
    }
    if (so.stage1 && so.stage != 2) {
        fprintf(stderr, CMD ": --stage1 gives Stage II a model's Stage I: use it with "
                "--stage 2\n");
        return 2;
    }
    if (so.stage1 && access(so.stage1, R_OK) != 0) {
        fprintf(stderr, CMD ": --stage1 %s: %s\n", so.stage1, strerror(errno));
        return 2;
    }
    if (so.from && access(so.from, R_OK) != 0) {
        fprintf(stderr, CMD ": --from %s: %s\n", so.from, strerror(errno));
        return 2;
    }
    if (so.kl >= 0) rc.kl_weight = so.kl;
    if (so.aux_words >= 0) rc.aux_words = so.aux_words;
    if (so.reader >= 0) rc.reader = so.reader;
    if (so.object_d >= 0) rc.object_d = so.object_d;
    if (so.swap_miss >= 0) rc.swap_miss = so.swap_miss;
    if (so.g_tint >= 0) rc.gen.tint_sent = so.g_tint >= 1, rc.gen.tint_words = so.g_tint == 2;
    if (so.g2_residual >= 0)
        rc.gen.s2_residual = so.g2_residual > 0, rc.gen.s2_bg = so.g2_residual == 2;
    if (so.g2_reg >= 0) rc.s2_reg = so.g2_reg;
    if (so.d2_low >= 0) rc.d2_low = so.d2_low;
    if (so.g2_reg > 0 && !rc.gen.s2_residual && so.g2_residual < 1 && !fixed_recipe) {
        fprintf(stderr, CMD ": --g2-reg weighs the residual Stage II's correction: it needs "
                "--g2-residual on\n");
        return 2;
    }
    if (so.g_background >= 0) rc.gen.bg_flat = so.g_background;
    if (so.layered >= 0) rc.gen.layered = so.layered;
    if (so.text_pool >= 0) rc.gen.text.pool = so.text_pool;
    if (so.g_object > 0) rc.gen.layer_side = so.g_object;
    if (so.g_object > 0 && !rc.gen.layered && !fixed_recipe) {
        fprintf(stderr, CMD ": --g-object needs --g-layout layered or glyph\n");
        return 2;
    }
    if (so.g_attend >= 0 && rc.gen.layered != 2 && !fixed_recipe) {
        fprintf(stderr, CMD ": --g-attend needs --g-layout glyph: the glyph's picture "
                "attends to the words\n");
        return 2;
    }
    if (so.g_background > 0 && rc.gen.layered != 2 && !fixed_recipe) {
        fprintf(stderr, CMD ": --g-background needs --g-layout glyph\n");
        return 2;
    }
    if (so.g_tint > 0 && rc.gen.layered != 2 && !fixed_recipe) {
        fprintf(stderr, CMD ": --g-tint needs --g-layout glyph: the tint is the glyph's\n");
        return 2;
    }

    if (so.object_d > 0 && rc.gen.layered != 2 && !fixed_recipe) {
        fprintf(stderr, CMD ": --object-d needs --g-layout glyph: it scores the glyph\n");
        return 2;
    }
    rc.attend_sharpen = rc.gen.layered == 2 ? (so.g_attend >= 0 ? so.g_attend : 0.1f) : 0.0f;
    t2v_stackgan_cfg sizes = rc.gen; /* a checkpoint's recipe is checked where it is read */
    if (!fixed_recipe && t2v_stackgan_check(&sizes) != T2V_OK) {
        fprintf(stderr, CMD ": %s\n", t2v_last_error());
        return 2;
    }
    if (so.lambda_match > 0 && !so.match_model && (!fixed_recipe || so.stage == 2)) {
        fprintf(stderr, CMD ": --lambda-match needs --match-model FILE\n");
        return 2;
    }
    if (so.match_model) {
        /* the recipe keeps an absolute path: a resumed run may start elsewhere */
        char *abs = realpath(so.match_model, NULL);
        if (!abs) {
            fprintf(stderr, CMD ": --match-model %s: %s\n", so.match_model, strerror(errno));
            return 2;
        }
        snprintf(rc.match_model, sizeof rc.match_model, "%s", abs);
        free(abs);
        rc.lambda_match = so.lambda_match >= 0 ? so.lambda_match : 1.0f;
    }
    if (o.steps) {
        if (so.stage == 1) rc.steps1 = o.steps;
        else rc.steps2 = o.steps;
    }
    t2v_run_files rf;
    char suffix[16];
    snprintf(suffix, sizeof suffix, "-stage%d", so.stage);
    int fr = t2v_run_files_prepare(&rf, CMD, o.run_dir, rc.data, "stackgan-", rc.preset, suffix,
                                   o.out);
    if (fr)
        return fr;
    const char *run_dir = rf.dir, *ckpt = rf.ckpt, *csv = rf.csv, *plot = rf.plot, *out = rf.out;
    int resuming = o.resume && access(ckpt, R_OK) == 0;
    int from = so.from && !resuming; /* a run with a checkpoint of its own continues it */
    if (so.stage == 2 && !resuming && !from) {
        fprintf(stderr, CMD ": stage 2 continues a run: train stage 1 first, "
                        "then pass --resume with the same --run-dir (no %s), or start "
                        "from another run's checkpoint with --from\n", ckpt);
        return 2;
    }

    if (resuming) { /* a resumed run keeps its stored step targets unless --steps is given */
        rc.steps1 = so.stage == 1 ? o.steps : 0;
        rc.steps2 = so.stage == 2 ? o.steps : 0;
    }
    t2v_sg_trainer *tr;
    t2v_status s;
    if (from)
        s = t2v_sg_trainer_new_stage2(so.from, so.g2_residual, o.steps, o.threads, o.device,
                                      o.gpu_id, t2v_print_data_warning, NULL, &tr);
    else
        s = t2v_sg_trainer_new(&rc, resuming ? ckpt : NULL, o.threads, o.device, o.gpu_id,
                               t2v_print_data_warning, NULL, &tr);
    /* Stage II's form is chosen when it starts: before, a new one replaces it */
    if (s == T2V_OK && resuming && so.g2_residual >= 0 &&
        so.g2_residual != s2_form(t2v_sg_trainer_recipe(tr)) &&
        t2v_sg_trainer_step_count(tr, 2) == 0) {
        t2v_sg_trainer_free(tr);
        s = t2v_sg_trainer_new_stage2(ckpt, so.g2_residual, so.stage == 2 ? o.steps : 0,
                                      o.threads, o.device, o.gpu_id, t2v_print_data_warning,
                                      NULL, &tr);
    }
    if (s != T2V_OK) {
        t2v_run_opts_open_error(CMD, &o, s);
        return 1;
    }
    /* a model's Stage I, Stage II's matching loss and the correction's weight too,
     * before Stage II's first step */
    int fresh2 = s == T2V_OK && so.stage == 2 && (resuming || from) &&
                 t2v_sg_trainer_step_count(tr, 2) == 0;
    if (fresh2 && (o.lr_g > 0 || o.lr_d > 0))
        s = t2v_sg_trainer_set_rates(tr, o.lr_g, o.lr_d);
    if (s == T2V_OK && fresh2 && so.match_model)
        s = t2v_sg_trainer_set_match(tr, rc.match_model, /* the absolute path above */
                                     so.lambda_match >= 0 ? so.lambda_match : 1.0f);
    if (s == T2V_OK && so.stage1 && t2v_sg_trainer_step_count(tr, 2) == 0)
        s = t2v_sg_trainer_load_stage1(tr, so.stage1);
    else if (s == T2V_OK && so.stage1 && !o.quiet)
        fprintf(stderr, CMD ": Stage II has trained %lld steps on the Stage I it started with; "
                "--stage1 is not applied again\n", (long long)t2v_sg_trainer_step_count(tr, 2));
    if (s == T2V_OK && (resuming || from) && so.g2_reg >= 0 &&
        so.g2_reg != t2v_sg_trainer_recipe(tr)->s2_reg && t2v_sg_trainer_step_count(tr, 2) == 0)
        s = t2v_sg_trainer_set_s2_reg(tr, so.g2_reg);
    if (s == T2V_OK && (resuming || from) && so.d2_low >= 0 &&
        so.d2_low != t2v_sg_trainer_recipe(tr)->d2_low && t2v_sg_trainer_step_count(tr, 2) == 0)
        s = t2v_sg_trainer_set_d2_low(tr, so.d2_low);
    if (s != T2V_OK) {
        t2v_run_opts_open_error(CMD, &o, s);
        t2v_sg_trainer_free(tr);
        return 1;
    }
    const t2v_sg_recipe *r = t2v_sg_trainer_recipe(tr);
    resuming = resuming || from; /* the checkpoint's recipe holds, as on --resume */
    if (r->s2_reg > 0.0f && !r->gen.s2_residual)
        return refuse(tr, "--g2-reg weighs the residual Stage II's correction: this Stage II "
                      "draws the whole image (--g2-residual on)");
    if (resuming && so.g2_reg >= 0 && so.g2_reg != r->s2_reg)
        return refuse(tr, "--g2-reg %g on --resume: the checkpoint's Stage II has trained "
                      "%lld steps with %g, which it keeps", (double)so.g2_reg,
                      (long long)t2v_sg_trainer_step_count(tr, 2), (double)r->s2_reg);
    if (resuming && so.d2_low >= 0 && so.d2_low != r->d2_low)
        return refuse(tr, "--d2-low %g on --resume: the checkpoint's Stage II has trained "
                      "%lld steps with %g, which it keeps", (double)so.d2_low,
                      (long long)t2v_sg_trainer_step_count(tr, 2), (double)r->d2_low);
    if (resuming && so.g2_residual >= 0 && so.g2_residual != s2_form(r))
        return refuse(tr, "--g2-residual %s on --resume: the checkpoint's Stage II has "
                      "trained %lld steps %s, which it keeps", s2_form_names[so.g2_residual],
                      (long long)t2v_sg_trainer_step_count(tr, 2),
                      r->gen.s2_bg         ? "as a correction that repaints the background"
                      : r->gen.s2_residual ? "as a correction"
                                           : "drawing the whole image");
    int stage = so.stage;
    t2v_match_guide guide;
    memset(&guide, 0, sizeof guide);
    if (resuming && !(fresh2 && so.match_model) &&
        ((so.lambda_match >= 0 && so.lambda_match != r->lambda_match) ||
         (so.match_model && !(r->lambda_match > 0.0f))))
        return refuse(tr, "%s fixes the matching loss (weight %g%s%s); on --resume, "
                      "--match-model only says where its model now lies", ckpt,
                      (double)r->lambda_match, r->lambda_match > 0.0f ? ", " : "",
                      r->lambda_match > 0.0f ? r->match_model : "");
    if (resuming && !fresh2 &&
        ((o.lr_g > 0 && o.lr_g != r->lr_g) || (o.lr_d > 0 && o.lr_d != r->lr_d)))
        return refuse(tr, "--lr-g/--lr-d on --resume: the checkpoint trains with %g and %g, "
                      "which it keeps (a Stage II that has not started takes new ones)",
                      (double)r->lr_g, (double)r->lr_d);
    /* the word heads are parameters of D: they exist from step 0 or not at all */
    if (resuming && so.aux_words >= 0 && so.aux_words != r->aux_words)
        return refuse(tr, "--aux-words %g on --resume: the checkpoint was trained with %g, "
                      "which it keeps", (double)so.aux_words, (double)r->aux_words);
    /* each stage's reader learns from that stage's first step */
    if (resuming && so.reader >= 0 && so.reader != r->reader)
        return refuse(tr, "--reader %g on --resume: the checkpoint was trained with %g, which "
                      "it keeps", (double)so.reader, (double)r->reader);
    static const char *const tints[3] = {"sample", "sentence", "words"};
    int tint_now = r->gen.tint_words ? 2 : r->gen.tint_sent;
    if (resuming && so.g_tint >= 0 && so.g_tint != tint_now)
        return refuse(tr, "--g-tint %s on --resume: the checkpoint's tint head reads the %s, "
                      "which it keeps", tints[so.g_tint], tints[tint_now]);
    if (resuming && so.g_background >= 0 && so.g_background != r->gen.bg_flat)
        return refuse(tr, "--g-background %s on --resume: the checkpoint's background is %s, "
                      "which it keeps", so.g_background ? "flat" : "chain",
                      r->gen.bg_flat ? "flat" : "the chain's picture");
    if (resuming && so.swap_miss >= 0 && so.swap_miss != r->swap_miss)
        return refuse(tr, "--swap-miss %g on --resume: the checkpoint was trained with %g, "
                      "which it keeps", (double)so.swap_miss, (double)r->swap_miss);
    /* the object discriminator exists from step 0 or not at all */
    if (resuming && so.object_d >= 0 && so.object_d != r->object_d)
        return refuse(tr, "--object-d %g on --resume: the checkpoint was trained with %g, "
                      "which it keeps", (double)so.object_d, (double)r->object_d);
    /* the object layer's networks are parameters of Stage I */
    static const char *const layouts[3] = {"plain", "layered", "glyph"};
    if (resuming && so.layered >= 0 && so.layered != r->gen.layered)
        return refuse(tr, "--g-layout %s on --resume: the checkpoint was trained with %s, "
                      "which it keeps", layouts[so.layered], layouts[r->gen.layered]);
    if (resuming && so.g_attend >= 0 && so.g_attend != r->attend_sharpen)
        return refuse(tr, "--g-attend %g on --resume: the checkpoint's attention is sharpened "
                      "by %g, which it keeps", (double)so.g_attend, (double)r->attend_sharpen);
    if (resuming && so.g_object > 0 && so.g_object != r->gen.layer_side)
        return refuse(tr, "--g-object %d on --resume: the checkpoint's object picture is %d, "
                      "which it keeps", so.g_object,
                      r->gen.layered ? (r->gen.layer_side ? r->gen.layer_side : r->gen.size1)
                                     : 0);
    /* the sentence vector's layout is every encoder's */
    if (resuming && so.text_pool >= 0 && so.text_pool != (r->gen.text.pool != 0))
        return refuse(tr, "--text-pool %s on --resume: the checkpoint was trained with %s, "
                      "which it keeps", so.text_pool ? "on" : "off",
                      r->gen.text.pool ? "on" : "off");
    if ((s = open_guide(tr, stage, resuming ? so.match_model : NULL, &guide)) != T2V_OK) {
        fprintf(stderr, CMD ": matching loss: %s\n", t2v_last_error());
        t2v_sg_trainer_free(tr);
        return 1;
    }
    int64_t steps = stage == 1 ? r->steps1 : r->steps2;
    int64_t start = t2v_sg_trainer_step_count(tr, stage);
    if (stage == 2 && t2v_sg_trainer_step_count(tr, 1) == 0) {
        fprintf(stderr, CMD ": %s has no Stage-I training; train stage 1 first\n", ckpt);
        t2v_match_guide_close(&guide);
        t2v_sg_trainer_free(tr);
        return 2;
    }
    /* Stage II reads the frozen Stage I with its running statistics: their
     * average over the final Stage-I weights, not the trailing one */
    if (stage == 2 && start == 0 && (s = t2v_sg_standing_stats(tr, 1, 50)) != T2V_OK) {
        fprintf(stderr, CMD ": %s\n", t2v_last_error());
        t2v_match_guide_close(&guide);
        t2v_sg_trainer_free(tr);
        return 1;
    }
    int with_match = r->lambda_match > 0.0f, with_words = r->aux_words > 0.0f,
        with_reader = r->reader > 0.0f, with_obj = stage == 1 && r->object_d > 0.0f,
        with_reg = stage == 2 && r->s2_reg > 0.0f, with_low = stage == 2 && r->d2_low > 0.0f;
    char head[192];
    snprintf(head, sizeof head,
             "step,seconds,d_loss,g_loss,d_real,d_wrong,d_fake,g_adv,kl%s%s%s%s%s%s\n",
             with_match ? ",g_match" : "", with_words ? ",d_words,g_words" : "",
             with_reader ? ",d_reader,g_reader" : "", with_obj ? ",d_obj,g_obj" : "",
             with_reg ? ",g_reg" : "", with_low ? ",d_low,g_low" : "");
    FILE *log = t2v_open_log(CMD, csv, start, head);
    if (!log) {
        t2v_match_guide_close(&guide);
        t2v_sg_trainer_free(tr);
        return 1;
    }
    if (!o.quiet)
        fprintf(stderr, CMD ": stage %d on %s, preset %s, batch %d, loss %s, "
                        "%s step %lld of %lld, run dir %s\n",
                stage, r->data, r->preset, r->batch, t2v_loss_name(r->loss),
                start ? "resuming at" : "from", (long long)start, (long long)steps, run_dir);
    t2v_interrupt_install();
    t2v_progress pg;
    t2v_progress_start(&pg, o.quiet);
    int rc_exit = 0;
    t2v_sg_stats st = {0};
    const char *title = stage == 1 ? "StackGAN Stage-I losses" : "StackGAN Stage-II losses";
    while (t2v_sg_trainer_step_count(tr, stage) < steps && !t2v_interrupted()) {
        if (t2v_progress_out_of_time(&pg, o.minutes))
            break;
        s = t2v_sg_train_step(tr, stage, &st);
        t2v_sg_trainer_add_seconds(tr, t2v_progress_tick(&pg));
        if (s != T2V_OK) {
            fprintf(stderr, "\n" CMD ": %s\n", t2v_last_error());
            rc_exit = 1;
            break;
        }
        int64_t step = t2v_sg_trainer_step_count(tr, stage);
        fprintf(log, "%lld,%.1f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f", (long long)step,
                t2v_sg_trainer_seconds(tr), st.d_loss, st.g_loss, st.d_real, st.d_wrong,
                st.d_fake, st.g_adv, st.kl);
        if (with_match)
            fprintf(log, ",%.5f", st.g_match);
        if (with_words)
            fprintf(log, ",%.5f,%.5f", st.d_words, st.g_words);
        if (with_reader)
            fprintf(log, ",%.5f,%.5f", st.d_reader, st.g_reader);
        if (with_obj)
            fprintf(log, ",%.5f,%.5f", st.d_obj, st.g_obj);
        if (with_reg)
            fprintf(log, ",%.6f", st.g_reg);
        if (with_low)
            fprintf(log, ",%.5f,%.5f", st.d_low, st.g_low);
        fputc('\n', log);
        double eta = t2v_progress_eta(&pg, step, steps), ema = pg.ema;
        int due = t2v_progress_due(&pg, step, steps);
        if (due == T2V_PROGRESS_BAR)
            fprintf(stderr, "\rstage %d  %lld/%lld  %.2f step/s  ETA %.0f s  D %.3f  G %.3f  KL %.3f  ",
                    stage, (long long)step, (long long)steps, 1.0 / ema, eta, st.d_loss,
                    st.g_loss, st.kl);
        else if (due == T2V_PROGRESS_LINE)
            fprintf(stderr, "stage %d step %lld/%lld  %.2f step/s  ETA %.0f s  D %.4f  G %.4f\n",
                    stage, (long long)step, (long long)steps, 1.0 / ema, eta, st.d_loss,
                    st.g_loss);
        if (step % o.ckpt_every == 0) {
            fflush(log);
            if (t2v_sg_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK)
                fprintf(stderr, "\n" CMD ": checkpoint failed: %s\n", t2v_last_error());
        }
        if (o.sample_every && step % o.sample_every == 0) {
            fflush(log);
            write_samples(tr, run_dir, stage, step);
            t2v_media_plot_csv(csv, plot, title);
        }
    }
    t2v_progress_end(&pg);
    fclose(log);
    if (t2v_interrupted() && !o.quiet)
        fprintf(stderr, CMD ": interrupted, saving a checkpoint\n");
    /* the checkpoint and the model carry standing statistics (training
     * itself reads batch statistics, so resuming stays exact) */
    if (t2v_sg_standing_stats(tr, stage, 50) != T2V_OK ||
        t2v_sg_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK) {
        fprintf(stderr, CMD ": checkpoint failed: %s\n", t2v_last_error());
        rc_exit = 1;
    }
    if (rc_exit == 0 && t2v_sg_export(tr, out, t2v_cli_command_line()) != T2V_OK) {
        fprintf(stderr, CMD ": writing %s failed: %s\n", out, t2v_last_error());
        rc_exit = 1;
    }
    if (o.sample_every) {
        write_samples(tr, run_dir, stage, t2v_sg_trainer_step_count(tr, stage));
        t2v_media_plot_csv(csv, plot, title);
    }
    if (!o.quiet && rc_exit == 0)
        fprintf(stderr, CMD ": stage %d at step %lld, %.0f s of training; "
                        "model %s, checkpoint %s\n", stage,
                (long long)t2v_sg_trainer_step_count(tr, stage), t2v_sg_trainer_seconds(tr), out,
                ckpt);
    t2v_match_guide_close(&guide); /* before the trainer closes its backend */
    t2v_sg_trainer_free(tr);
    return rc_exit;
}
