/* txt2vid train: a TGANs-C run with progress, a CSV log, sample sheets,
 * loss plots, atomic checkpoints, exact resume and Ctrl-C saving. */
#include <math.h>
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
#include "train/eval/eval.h"
#include "train/media/media.h"
#include "train/tganc/trainer.h"

#define CMD "txt2vid train"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid train [options]\n"
            "\n"
            "  --preset NAME       tiny | small | paper (default small)\n"
            "  --data NAME         sbmg | tbmg | videos:<folder> (default sbmg)\n"
            "  --steps N           total steps of the run (default: the preset's)\n"
            "  --batch N           clips per step (default: the preset's)\n"
            "  --seed N            seed of every random choice (default 1)\n"
            "  --loss bce|hinge    adversarial loss (paper: bce)\n"
            "  --temporal none|constraint|adversarial\n"
            "                      TGANs-C without temporal term, -C, or -A\n"
            "  --lambda-tc X       weight of the coherence constraint (default 0.1)\n"
            "  --out-kernel 3|1    the generator's output convolution, 3x3x3 or 1x1x1\n"

            "  --head concat|projection  how D checks the caption\n"
            "  --sn on|off         spectral normalisation in D\n"
            "  --d-bn on|off       batch normalisation in D's hidden layers\n"
            "  --g-text shared|own the generator reads the sentence through D's encoder\n"
            "                      (shared, default) or trains its own from its loss\n"
            "  --near-miss F       share of D's mismatching captions that state exactly one\n"
            "                      attribute differently (default 0: any other caption)\n"
            "  --lr-g X, --lr-d X  Adam learning rates\n"
            "  --beta1 X, --beta2 X  Adam moment decays (both networks)\n"
            "  --train-count N     clips in the training split (default 10000)\n"
            "  --run-dir DIR       checkpoint, log and samples\n"
            "                      (default ~/.cache/txt2vid/runs/DATA-PRESET)\n"
            "  --out FILE          the model file written at the end (default RUN/model.gguf)\n"
            "  --resume            continue from RUN/checkpoint.gguf when it exists\n"
            "  --minutes M         stop (and save) after M minutes of this invocation\n"
            "  --ckpt-every N      checkpoint every N steps (default 200)\n"
            "  --sample-every N    sample sheet and loss plot every N steps (default 500)\n"
            "  --threads N         CPU threads (default: all cores)\n"
            "  --device auto|cpu|cuda  where to train (default auto: CUDA when a device\n"
            "                      answers, else the CPU); cuda without one is an error\n"
            "  --gpu-id N          which CUDA device (default 0)\n"
            "  --g-ema D           export the average of the generator's weights with\n"
            "                      decay D (e.g. 0.999; 0: the trained weights); on\n"
            "                      --resume it takes effect from the checkpoint's step\n"
            "  --text-pool on|off  the sentence vector's last E entries are the mean word\n"
            "                      embedding, a part that composes over words (default off)\n"
            "  --g-layout clip|sprite  the generator's stack draws the clip (default) or one\n"
            "                      picture that a path head moves through the frames, so\n"
            "                      what is drawn and how it moves are separate outputs\n"
            "  --g-picture S       sprite layout: the picture is S x S pixels, the frame's\n"
            "                      side halved once or more (the stack's last stages left\n"
            "                      out); it starts in the frame's middle and moves within\n"
            "                      the frame (default: the frame's size, moving up to half\n"
            "                      a frame, partly out of view)\n"
            "  --g-attend X        sprite layout: the picture reads the caption through\n"
            "                      attention over its words (a learned score per word,\n"
            "                      from 3 x its inverse document frequency over the\n"
            "                      training captions); X weighs the attention's mean\n"
            "                      entropy in G's loss, keeping it on one word\n"
            "                      (default 0: off)\n"
            "  --g-sprites K       with --g-attend: K pictures per clip (1..4, default 1),\n"
            "                      each attending to the words with a positional bias of\n"
            "                      its own and moved along its own path, overlaid by\n"
            "                      their maximum (TBMG's two digits: 2)\n"
            "  --g-path sentence|rest|follow|each  with --g-attend: the path head reads\n"
            "                      the sentence vector (default), the rest of the caption\n"
            "                      (the sum of the embeddings of the words no picture\n"
            "                      attends to), or for each picture the words that follow\n"
            "                      its picture's word (each digit's own motion clause):\n"
            "                      all pictures' windows at once (follow), or each\n"
            "                      picture's path from its own window alone (each)\n"
            "  --g-path-words L    with --g-path follow or each: how many words follow\n"
            "                      (1..64, default 5: \"is moving up and down\")\n"
            "  --g-path-shape free|bounce|axis  sprite layout: the path head gives\n"
            "                      every frame's offset (free, default), or a start and a\n"
            "                      speed per axis for each picture, which then travels at\n"
            "                      that speed and turns back at the edges of its reach\n"
            "                      (bounce), and an axis gate that can hold one axis\n"
            "                      still (axis); on --resume, bounce or axis switches a\n"
            "                      free run's head from the checkpoint's step (its output\n"
            "                      layer afresh, the rest kept), axis adds the gate to a\n"
            "                      bouncing run (the clips unchanged at the switch), and\n"
            "                      --g-path or --g-path-words\n"
            "                      that differ from the checkpoint's give the run a path\n"
            "                      head afresh that reads them\n"
            "  --g-sentence all|pooled  what the generator reads of the sentence vector: all\n"
            "                      of it (default) or, with --text-pool on, the mean word\n"
            "                      embedding alone (the discriminators read all of it)\n"
            "  --partial-captions P  share of training clips (drawn per epoch) whose caption\n"
            "                      leaves one attribute unstated: \"a digit is moving up\n"
            "                      and down\", \"digit 3 is moving\" (sbmg, tbmg; default 0)\n"
            "  --aux-words X       weight of the word heads: D learns to read a real\n"
            "                      clip's caption words from its video and frame\n"
            "                      features, G's clips must be read as their captions\n"
            "                      (default 0: off; not with --partial-captions)\n"
            "  --reader X          weight of the word reader: a frame network of its own\n"
            "                      learns a real frame's caption words, G's frames must\n"
            "                      be read as their captions (default 0: off; not with\n"
            "                      --partial-captions); on --resume it can be added from\n"
            "                      the checkpoint's step, not changed\n"
            "  --g-axis-sharpen X  with --g-path-shape axis: weight of the gates' openness\n"
            "                      4 s (1 - s) in G's loss, s each gate's sigmoid, which\n"
            "                      pushes each picture onto one axis (default 0: off);\n"
            "                      on --resume it takes effect from the checkpoint's step\n"
            "  --lambda-ms X       weight of the mode-seeking term: clips of one caption\n"
            "                      must differ as their noise does (default 0: off);\n"
            "                      on --resume it takes effect from the checkpoint's step\n"
            "  --judge FILE        score the generator every --eval-every steps (default\n"
            "                      1000) on --eval-count test captions (default 200):\n"
            "                      RUN/eval.csv and RUN/eval.png, caption accuracy over time\n"
            "  --quiet             no progress output\n");
}

/* The options only this command takes. */
typedef struct train_opts {
    int temporal;       /* -1: preset's */
    float lambda_tc;    /* < 0: preset's */
    int out_k;          /* 0: preset's */
    float g_ema;        /* < 0: preset's (or the checkpoint's) */
    float lambda_ms;    /* < 0: preset's (or the checkpoint's) */
    float partial;      /* < 0: preset's */
    float aux_words;    /* < 0: preset's */
    float reader;       /* < 0: preset's (or the checkpoint's) */
    int text_pool;      /* < 0: preset's */
    int g_pooled;       /* < 0: preset's; 1: G reads the pooled words alone */
    int g_sprite;       /* < 0: preset's; 1: the sprite layout */
    float g_attend;     /* < 0: preset's; > 0: the picture attends to the words */
    int g_sprites;      /* 0: preset's; pictures per clip with --g-attend */
    int g_path;         /* < 0: preset's; else PATH_* below: what the path reads */
    int g_path_words;   /* 0: default (5); the words --g-path follow|each reads */
    int g_path_shape;   /* < 0: preset's; 1: the bouncing path, 2: with the gate */
    int g_picture;      /* 0: preset's; the sprite picture's side */
    float axis_sharpen; /* < 0: preset's (or the checkpoint's) */
    const char *judge;
    int eval_every, eval_count;
} train_opts;

enum { O_TEMPORAL = T2V_OPT_OWN, O_LAMBDA, O_JUDGE, O_EVAL_EVERY, O_EVAL_COUNT, O_OUT_K,
       O_G_EMA, O_LAMBDA_MS, O_TEXT_POOL, O_PARTIAL, O_AUX_WORDS, O_READER,
       O_G_SENTENCE, O_G_LAYOUT, O_G_ATTEND, O_G_SPRITES, O_G_PATH, O_G_PATH_WORDS, O_G_PICTURE,
       O_G_PATH_SHAPE, O_G_AXIS_SHARPEN };

/* --g-path's words, in train_opts.g_path's order */
enum { PATH_SENTENCE, PATH_REST, PATH_FOLLOW, PATH_EACH, PATH_KINDS };
static const char *const g_path_kinds[PATH_KINDS] = {"sentence", "rest", "follow", "each"};

/* The index of arg among n words, or -1. */
static int word_index(const char *arg, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(arg, words[i]))
            return i;
    return -1;
}

static int parse_own(void *user, int c, const char *arg)
{
    static const char *const temporal[3] = {"none", "constraint", "adversarial"};
    static const char *const kernel[2] = {"1", "3"}, *const on_off[2] = {"off", "on"};
    train_opts *o = user;
    char *end;
    switch (c) {
    case O_TEMPORAL:
        o->temporal = word_index(arg, temporal, 3); /* the t2v_temporal order */
        return o->temporal < 0 ? -1 : 0;
    case O_LAMBDA:
        o->lambda_tc = strtof(arg, &end);
        return *end || !(o->lambda_tc >= 0) ? -1 : 0;
    case O_OUT_K:
        switch (word_index(arg, kernel, 2)) {
        case 0: o->out_k = 1; return 0;
        case 1: o->out_k = 3; return 0;
        default: return -1;
        }
    case O_G_EMA:
        o->g_ema = strtof(arg, &end);
        return *end || !(o->g_ema >= 0.0f && o->g_ema < 1.0f) ? -1 : 0;
    case O_G_SENTENCE: {
        static const char *const reads[2] = {"all", "pooled"};
        o->g_pooled = word_index(arg, reads, 2);
        return o->g_pooled < 0 ? -1 : 0;
    }
    case O_G_LAYOUT: {
        static const char *const layouts[2] = {"clip", "sprite"};
        o->g_sprite = word_index(arg, layouts, 2);
        return o->g_sprite < 0 ? -1 : 0;
    }
    case O_TEXT_POOL:
        o->text_pool = word_index(arg, on_off, 2);
        return o->text_pool < 0 ? -1 : 0;
    case O_PARTIAL:
        o->partial = strtof(arg, &end);
        return *end || !(o->partial >= 0.0f && o->partial <= 1.0f) ? -1 : 0;
    case O_AUX_WORDS:
        o->aux_words = strtof(arg, &end);
        return *end || !(o->aux_words >= 0.0f && o->aux_words <= 100.0f) ? -1 : 0;
    case O_READER:
        o->reader = strtof(arg, &end);
        return *end || !(o->reader >= 0.0f && o->reader <= 100.0f) ? -1 : 0;
    case O_G_PATH:
        o->g_path = word_index(arg, g_path_kinds, PATH_KINDS);
        return o->g_path < 0 ? -1 : 0;
    case O_G_PATH_SHAPE: {
        static const char *const shapes[3] = {"free", "bounce", "axis"};
        o->g_path_shape = word_index(arg, shapes, 3);
        return o->g_path_shape < 0 ? -1 : 0;
    }
    case O_G_PATH_WORDS:
        o->g_path_words = (int)strtol(arg, &end, 10);
        return *end || o->g_path_words < 1 || o->g_path_words > 64 ? -1 : 0;
    case O_G_PICTURE:
        o->g_picture = (int)strtol(arg, &end, 10);
        return *end || o->g_picture < 1 || o->g_picture > 4096 ? -1 : 0;
    case O_G_SPRITES:
        o->g_sprites = (int)strtol(arg, &end, 10);
        return *end || o->g_sprites < 1 || o->g_sprites > T2V_TGANC_MAX_SPRITES ? -1 : 0;
    case O_G_ATTEND:
        o->g_attend = strtof(arg, &end);
        return *end || !(o->g_attend >= 0.0f && o->g_attend <= 100.0f) ? -1 : 0;
    case O_LAMBDA_MS:
        o->lambda_ms = strtof(arg, &end);
        return *end || !(o->lambda_ms >= 0.0f) ? -1 : 0;
    case O_G_AXIS_SHARPEN:
        o->axis_sharpen = strtof(arg, &end);
        return *end || !(o->axis_sharpen >= 0.0f && o->axis_sharpen <= 100.0f) ? -1 : 0;
    case O_JUDGE: o->judge = arg; return 0;
    case O_EVAL_EVERY:
        o->eval_every = (int)strtol(arg, &end, 10);
        return *end || o->eval_every < 1 ? -1 : 0;
    case O_EVAL_COUNT:
        o->eval_count = (int)strtol(arg, &end, 10);
        return *end || o->eval_count < 1 ? -1 : 0;
    default: return -1;
    }
}

/* Prints CMD: message, for a usage error; returns 1. */
static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int refuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t2v_cli_verror(CMD, fmt, ap);
    va_end(ap);
    return 1;
}

/* Options given on --resume that the checkpoint's recipe r cannot take:
 * prints why and returns 1. */
static int resume_conflict(const train_opts *to, const t2v_tganc_recipe *r)
{
    if (to->aux_words >= 0.0f && to->aux_words != r->aux_words)
        /* the word heads are parameters of D: they exist from step 0 or not at all */
        return refuse("--aux-words %g on --resume: the checkpoint was trained with %g, which "
                      "it keeps", to->aux_words, r->aux_words);
    if (to->reader >= 0.0f && to->reader != r->reader)
        /* a reader can join a run (from the checkpoint's step), not change or leave */
        return refuse("--reader %g on --resume: the checkpoint's reader has weight %g, which "
                      "it keeps", to->reader, r->reader);
    if (to->g_pooled >= 0 && (to->g_pooled ? 2 : 1) != r->gen.text.pool)
        /* a generator can stop reading the LSTM's part, not start again */
        return refuse("--g-sentence %s on --resume: the checkpoint's generator reads %s",
                      to->g_pooled ? "pooled" : "all",
                      r->gen.text.pool == 2 ? "the pooled words alone, which it keeps"
                      : r->gen.text.pool ? "all of the sentence vector (--g-sentence pooled "
                                           "with --text-pool on switches it)"
                                         : "a sentence vector without a pooled part");
    if (to->g_sprite >= 0 && to->g_sprite != (r->gen.sprite_frames > 0))
        /* the layout is the generator's architecture */
        return refuse("--g-layout %s on --resume: the checkpoint's generator %s",
                      to->g_sprite ? "sprite" : "clip",
                      r->gen.sprite_frames > 0 ? "moves a picture (sprite), which it keeps"
                                               : "draws the clip, which it keeps");
    if (to->g_attend >= 0.0f &&
        (to->g_attend != r->attend_sharpen || (to->g_attend > 0.0f) != r->gen.attend))
        /* the attention's score vector is a parameter of G from step 0 or never */
        return r->gen.attend
                   ? refuse("--g-attend %g on --resume: the checkpoint's generator attends to "
                            "the words, sharpened by %g, which it keeps", to->g_attend,
                            r->attend_sharpen)
                   : refuse("--g-attend %g on --resume: the checkpoint's generator reads the "
                            "sentence vector, which it keeps", to->g_attend);
    int sprites = r->gen.sprites > 1 ? r->gen.sprites : 1;
    if (to->g_sprites && to->g_sprites != sprites)
        /* each picture has its own positional bias and path: a count from step 0 */
        return refuse("--g-sprites %d on --resume: the checkpoint's generator draws %d "
                      "picture%s per clip, which it keeps", to->g_sprites, sprites,
                      sprites > 1 ? "s" : "");
    if (to->g_path_shape == 0 && r->gen.path_bounce)
        /* a bouncing head gives 4 numbers per picture: it does not turn back */
        return refuse("--g-path-shape free on --resume: the checkpoint's path bounces (from "
                      "step %lld), which it keeps", (long long)r->path_bounce_from);
    if (to->g_path_shape == 1 && r->gen.path_bounce == 2)
        /* nor does the gate's fifth number go away */
        return refuse("--g-path-shape bounce on --resume: the checkpoint's path has its axis "
                      "gate (from step %lld), which it keeps", (long long)r->path_axis_from);
    if (to->g_picture && to->g_picture != r->gen.pic_h)
        /* the stack's stages are the generator's architecture */
        return refuse("--g-picture %d on --resume: the checkpoint's generator draws a picture "
                      "of %dx%d, which it keeps", to->g_picture, r->gen.pic_h, r->gen.pic_w);
    if (r->reader > 0.0f && r->partial > 0.0f)
        return refuse("--reader and --partial-captions do not go together");
    return 0;
}

static int parse(int argc, char **argv, t2v_run_opts *ro, train_opts *o)
{
    static const struct option longopts[] = {
        T2V_RUN_LONGOPTS, {"temporal", 1, 0, O_TEMPORAL}, {"lambda-tc", 1, 0, O_LAMBDA},
        {"judge", 1, 0, O_JUDGE}, {"eval-every", 1, 0, O_EVAL_EVERY},
        {"eval-count", 1, 0, O_EVAL_COUNT}, {"out-kernel", 1, 0, O_OUT_K},
        {"g-ema", 1, 0, O_G_EMA}, {"lambda-ms", 1, 0, O_LAMBDA_MS},
        {"g-axis-sharpen", 1, 0, O_G_AXIS_SHARPEN},
        {"text-pool", 1, 0, O_TEXT_POOL}, {"partial-captions", 1, 0, O_PARTIAL},
        {"aux-words", 1, 0, O_AUX_WORDS}, {"reader", 1, 0, O_READER},
        {"g-sentence", 1, 0, O_G_SENTENCE}, {"g-layout", 1, 0, O_G_LAYOUT},
        {"g-attend", 1, 0, O_G_ATTEND}, {"g-sprites", 1, 0, O_G_SPRITES},
        {"g-path", 1, 0, O_G_PATH}, {"g-path-words", 1, 0, O_G_PATH_WORDS},
        {"g-picture", 1, 0, O_G_PICTURE}, {"g-path-shape", 1, 0, O_G_PATH_SHAPE},
        {0, 0, 0, 0}};
    *o = (train_opts){.temporal = -1, .lambda_tc = -1.0f, .g_ema = -1.0f, .lambda_ms = -1.0f,
                      .axis_sharpen = -1.0f,
                      .partial = -1.0f, .aux_words = -1.0f, .reader = -1.0f, .g_pooled = -1, .g_sprite = -1,
                      .g_attend = -1.0f, .g_path = -1, .g_path_shape = -1,
                      .text_pool = -1, .eval_every = 1000,
                      .eval_count = 200};
    return t2v_run_opts_parse(argc, argv, CMD, longopts, ro, parse_own, o, usage);
}

/* Fixed captions for the sample sheets: the test split's first captions
 * (combinations never seen in training) and the training split's. */
static void draw_samples(t2v_tganc_trainer *tr, const char *run_dir, int64_t step)
{
    const t2v_tganc_recipe *rc = t2v_tganc_trainer_recipe(tr);
    const char *caps[8];
    char store[8][160];
    t2v_data_options so;
    t2v_data_options_default(&so);
    so.name = rc->data;
    so.seed = rc->seed;
    so.count = 64;
    int n = t2v_sheet_captions(&so, caps, store, 8);
    if (n == 0)
        return;
    const t2v_tganc_cfg *g = &rc->gen;
    t2v_tganc_cfg c = *g;
    t2v_tganc_check(&c);
    size_t clip = (size_t)c.channels * c.frames * c.height * c.width;
    float *buf = malloc((size_t)n * clip * sizeof(float));
    if (!buf)
        return;
    if (t2v_tganc_standing_stats(tr, 20) == T2V_OK &&
        t2v_tganc_trainer_sample(tr, caps, n, 7, 0, buf) == T2V_OK) {
        t2v_clip_view views[8];
        for (int i = 0; i < n; i++)
            views[i] = (t2v_clip_view){buf + i * clip, c.channels, c.frames, c.height, c.width};
        char png[1200], gif[1200];
        snprintf(png, sizeof png, "%s/samples/step-%07lld.png", run_dir, (long long)step);
        snprintf(gif, sizeof gif, "%s/samples/step-%07lld.gif", run_dir, (long long)step);
        if (t2v_media_write_sheet(png, gif, views, caps, n, 4, 0) != T2V_OK)
            fprintf(stderr, "txt2vid: warning: sample sheet: %s\n", t2v_media_last_error());
    }
    free(buf);
}

/* Sample sheets, evaluations and the exported model read the average of
 * the generator's weights when the run keeps one. */
static void write_samples(t2v_tganc_trainer *tr, const char *run_dir, int64_t step)
{
    int swapped = t2v_tganc_trainer_swap_ema(tr);
    draw_samples(tr, run_dir, step);
    if (swapped)
        t2v_tganc_trainer_swap_ema(tr);
}

/* Caption accuracy over training: a snapshot of the generator is exported
 * and scored through the generation API exactly as `txt2vid eval` does. */
typedef struct progress_eval {
    t2v_judge *judge;
    t2v_dataset *test, *train;
    int count, threads;
    double best;            /* best "all" accuracy so far (eval.csv), -1: none */
    char csv[1100], png[1100], snapshot[1100], best_path[1100];
} progress_eval;

/* The best "all" accuracy recorded in an eval.csv, or -1. */
static double best_in_csv(const char *csv)
{
    FILE *f = fopen(csv, "r");
    if (!f)
        return -1.0;
    char line[1024];
    int col = -1;
    double best = -1.0;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        int i = 0;
        for (char *t = strtok_r(line, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), i++) {
            if (col < 0 && strcmp(t, "all") == 0)
                col = i;
            else if (col >= 0 && i == col) {
                double v = strtod(t, NULL);
                best = v > best ? v : best;
            }
        }
    }
    fclose(f);
    return best;
}

static t2v_dataset *open_judge_split(const t2v_judge *j, t2v_data_split split)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = j->cfg.dataset;
    o.split = split;
    o.frames = j->cfg.frames;
    o.height = j->cfg.height;
    o.width = j->cfg.width;
    o.channels = j->cfg.channels;
    t2v_dataset *ds = NULL;
    return t2v_data_open(&o, &ds) == T2V_OK ? ds : NULL;
}

static int progress_eval_open(progress_eval *pe, const char *judge, const char *run_dir,
                              int count, int threads)
{
    memset(pe, 0, sizeof *pe);
    pe->count = count;
    pe->threads = threads;
    snprintf(pe->csv, sizeof pe->csv, "%s/eval.csv", run_dir);
    snprintf(pe->png, sizeof pe->png, "%s/eval.png", run_dir);
    snprintf(pe->snapshot, sizeof pe->snapshot, "%s/snapshot.gguf", run_dir);
    snprintf(pe->best_path, sizeof pe->best_path, "%s/best.gguf", run_dir);
    pe->best = best_in_csv(pe->csv);
    if (t2v_judge_load(judge, NULL, threads, &pe->judge) != T2V_OK) {
        fprintf(stderr, "txt2vid train: %s\n", t2v_last_error());
        return -1;
    }
    pe->test = open_judge_split(pe->judge, T2V_SPLIT_TEST);
    pe->train = open_judge_split(pe->judge, T2V_SPLIT_TRAIN);
    if (!pe->test || !pe->train) {
        fprintf(stderr, "txt2vid train: judge data: %s\n", t2v_data_last_error());
        return -1;
    }
    return 0;
}

static void progress_eval_close(progress_eval *pe)
{
    t2v_data_close(pe->test);
    t2v_data_close(pe->train);
    t2v_judge_free(pe->judge);
}

static void progress_eval_score(progress_eval *pe, t2v_tganc_trainer *tr)
{
    t2v_model *m = NULL;
    t2v_model_clips mc;
    memset(&mc, 0, sizeof mc);
    t2v_eval_report rep;
    if (t2v_tganc_standing_stats(tr, 50) != T2V_OK ||
        t2v_tganc_export(tr, pe->snapshot, t2v_cli_command_line(), NULL, NULL, 0) != T2V_OK ||
        t2v_model_load(pe->snapshot, &m) != T2V_OK ||
        t2v_model_clips_open(&mc, m, pe->test, &pe->judge->cfg, 1000, pe->threads) != T2V_OK ||
        t2v_eval_clips(pe->judge, pe->test, pe->train, pe->count, 32, t2v_model_clip_fn, &mc,
                       &rep) != T2V_OK) {
        fprintf(stderr, "txt2vid train: warning: evaluation failed: %s\n", t2v_last_error());
    } else {
        FILE *f = fopen(pe->csv, "a");
        if (f) {
            if (ftell(f) == 0) {
                fprintf(f, "step,seconds");
                for (int k = 0; k < rep.n_attrs; k++)
                    fprintf(f, ",%s", rep.attr_name[k]);
                fprintf(f, ",all,fid\n");
            }
            fprintf(f, "%lld,%.0f", (long long)t2v_tganc_trainer_step_count(tr),
                    t2v_tganc_trainer_seconds(tr));
            for (int k = 0; k < rep.n_attrs; k++)
                fprintf(f, ",%.4f", rep.acc_gen[k]);
            fprintf(f, ",%.4f,%.3f\n", rep.all_gen, rep.fid_gen);
            fclose(f);
        }
        /* GAN snapshots swing: keep the best-scoring one beside the latest */
        if (rep.all_gen > pe->best) {
            if (t2v_tganc_export(tr, pe->best_path, t2v_cli_command_line(), NULL, NULL, 0) ==
                T2V_OK)
                pe->best = rep.all_gen;
            else
                fprintf(stderr, "txt2vid train: warning: %s\n", t2v_last_error());
        }
        char cols[256] = "all";
        for (int k = 0; k < rep.n_attrs; k++) {
            size_t used = strlen(cols);
            snprintf(cols + used, sizeof cols - used, ",%s", rep.attr_name[k]);
        }
        t2v_plot_options po = {.columns = cols, .smooth = 1};
        t2v_media_plot_csv_opts(pe->csv, pe->png, "caption accuracy on unseen test captions", &po);
    }
    t2v_model_clips_close(&mc);
    if (m)
        t2v_model_unref(m);
}

static void progress_eval_run(progress_eval *pe, t2v_tganc_trainer *tr)
{
    int swapped = t2v_tganc_trainer_swap_ema(tr);
    progress_eval_score(pe, tr);
    if (swapped)
        t2v_tganc_trainer_swap_ema(tr);
}

static void plot_losses(const char *csv, const char *png)
{
    t2v_plot_options po = {.columns = "d_loss,g_loss,d_video,d_frame,d_motion,g_video,g_frame,"
                                      "g_motion,tc,d_words,g_words"};
    if (t2v_media_plot_csv_opts(csv, png, "TGANs-C training losses", &po) != T2V_OK)
        fprintf(stderr, "txt2vid: warning: loss plot: %s\n", t2v_media_last_error());
}

int t2v_cmd_train(int argc, char **argv)
{
    t2v_run_opts o;
    train_opts to;
    int pr = parse(argc, argv, &o, &to);
    if (pr)
        return pr == 1 ? 0 : 2;
    t2v_tganc_recipe rc;
    if (t2v_tganc_preset(o.preset, &rc) != T2V_OK) {
        fprintf(stderr, CMD ": %s\n", t2v_last_error());
        return 2;
    }
    T2V_RUN_OPTS_APPLY(&o, &rc);
    if (o.steps) rc.steps = o.steps;
    if (to.temporal >= 0) rc.temporal = (t2v_temporal)to.temporal;
    if (to.lambda_tc >= 0) rc.lambda_tc = to.lambda_tc;
    if (to.out_k) rc.gen.out_k = to.out_k;
    if (to.g_ema >= 0.0f) rc.g_ema = to.g_ema;
    if (to.lambda_ms >= 0.0f) rc.lambda_ms = to.lambda_ms;
    if (to.axis_sharpen >= 0.0f) rc.axis_sharpen = to.axis_sharpen;
    if (to.partial >= 0.0f) rc.partial = to.partial;
    if (to.aux_words >= 0.0f) rc.aux_words = to.aux_words;
    if (to.reader >= 0.0f) rc.reader = to.reader;
    if ((rc.aux_words > 0.0f || rc.reader > 0.0f) && rc.partial > 0.0f) {
        /* a partial caption leaves a word out that the clip still shows:
         * the word heads would learn that the clip does not show it */
        fprintf(stderr, CMD ": --%s and --partial-captions do not go together\n",
                rc.aux_words > 0.0f ? "aux-words" : "reader");
        return 2;
    }
    if (to.text_pool >= 0) rc.gen.text.pool = to.text_pool;
    if (to.g_pooled == 1 && !rc.gen.text.pool) {
        fprintf(stderr, CMD ": --g-sentence pooled needs --text-pool on\n");
        return 2;
    }
    if (to.g_pooled >= 0 && rc.gen.text.pool) rc.gen.text.pool = to.g_pooled ? 2 : 1;
    if (to.g_sprite == 1 && t2v_tganc_recipe_sprite(&rc) != T2V_OK) {
        fprintf(stderr, CMD ": --g-layout sprite: %s\n", t2v_last_error());
        return 2;
    }
    if (to.g_picture && t2v_tganc_recipe_picture(&rc, to.g_picture) != T2V_OK) {
        fprintf(stderr, CMD ": --g-picture %d: %s\n", to.g_picture, t2v_last_error());
        return 2;
    }
    if ((to.g_sprites > 1 || to.g_path >= PATH_REST) && !(to.g_attend > 0.0f)) {
        if (to.g_sprites > 1)
            fprintf(stderr, CMD ": --g-sprites needs --g-attend: each picture reads its own "
                    "words\n");
        else
            fprintf(stderr, CMD ": --g-path %s needs --g-attend: %s\n", g_path_kinds[to.g_path],
                    to.g_path == PATH_REST ? "the rest is what the pictures do not attend to"
                                           : "the words follow the one each picture attends to");
        return 2;
    }
    if (to.g_path_words && to.g_path < PATH_FOLLOW) {
        fprintf(stderr, CMD ": --g-path-words needs --g-path follow or each\n");
        return 2;
    }
    if (to.g_attend > 0.0f &&
        t2v_tganc_recipe_attend(&rc, to.g_attend, to.g_sprites ? to.g_sprites : 1,
                                to.g_path == PATH_REST,
                                to.g_path >= PATH_FOLLOW ? (to.g_path_words ? to.g_path_words : 5)
                                                         : 0,
                                to.g_path == PATH_EACH) != T2V_OK) {
        fprintf(stderr, CMD ": --g-attend %g: %s\n", to.g_attend, t2v_last_error());
        return 2;
    }
    if (to.g_path_shape >= 1 && rc.gen.sprite_frames <= 0 && !o.resume) {
        fprintf(stderr, CMD ": --g-path-shape %s needs --g-layout sprite: it moves the "
                "picture\n", to.g_path_shape == 2 ? "axis" : "bounce");
        return 2;
    }
    if (to.g_path_shape >= 0) rc.gen.path_bounce = to.g_path_shape;
    /* on --resume, a path reading something else starts afresh */
    rc.switch_path = to.g_path >= 0 || to.g_path_words > 0;

    t2v_run_files rf;
    int fr = t2v_run_files_prepare(&rf, CMD, o.run_dir, rc.data, "", rc.preset, "", o.out);
    if (fr)
        return fr;
    const char *run_dir = rf.dir, *ckpt = rf.ckpt, *csv = rf.csv, *out = rf.out;
    int resuming = o.resume && access(ckpt, R_OK) == 0;
    t2v_tganc_trainer *tr;
    t2v_status s = t2v_tganc_trainer_new(&rc, resuming ? ckpt : NULL, o.threads, o.device,
                                         o.gpu_id, t2v_print_data_warning, NULL, &tr);
    if (s != T2V_OK) {
        t2v_run_opts_open_error(CMD, &o, s);
        return 1;
    }
    /* a resumed run reads its recipe from the checkpoint; --g-ema changes it */
    if (resuming && ((to.g_ema >= 0.0f && t2v_tganc_trainer_set_ema(tr, to.g_ema) != T2V_OK) ||
                     (to.lambda_ms >= 0.0f &&
                      t2v_tganc_trainer_set_ms(tr, to.lambda_ms) != T2V_OK) ||
                     (to.axis_sharpen >= 0.0f &&
                      t2v_tganc_trainer_set_axis_sharpen(tr, to.axis_sharpen) != T2V_OK))) {
        fprintf(stderr, CMD ": %s\n", t2v_last_error());
        t2v_tganc_trainer_free(tr);
        return 2;
    }
    const t2v_tganc_recipe *r = t2v_tganc_trainer_recipe(tr);
    if (resuming && resume_conflict(&to, r)) {
        t2v_tganc_trainer_free(tr);
        return 2;
    }
    int64_t steps = o.steps ? o.steps : r->steps;
    int64_t start = t2v_tganc_trainer_step_count(tr);
    char head[320];
    snprintf(head, sizeof head,
             "step,seconds,d_loss,g_loss,d_video,d_frame,d_motion,g_video,g_frame,g_motion,tc,"
             "video_real,video_wrong,video_fake,frame_real,frame_wrong,frame_fake,motion_real,"
             "motion_wrong,motion_fake%s%s\n", r->aux_words > 0.0f ? ",d_words,g_words" : "",
             r->reader > 0.0f ? ",d_reader,g_reader" : "");
    FILE *log = t2v_open_log(CMD, csv, resuming ? start : 0, head);
    if (!log) {
        t2v_tganc_trainer_free(tr);
        return 1;
    }
    if (!o.quiet)
        fprintf(stderr, CMD ": %s on %s, preset %s, batch %d, loss %s, temporal %s, "
                        "%s step %lld of %lld, run dir %s\n",
                resuming ? "resuming" : "starting", r->data, r->preset, r->batch,
                t2v_loss_name(r->loss), t2v_temporal_name(r->temporal),
                resuming ? "at" : "from", (long long)start, (long long)steps, run_dir);
    t2v_interrupt_install();
    progress_eval pe;
    int evaluating = 0;
    if (to.judge) {
        if (progress_eval_open(&pe, to.judge, run_dir, to.eval_count, o.threads) != 0) {
            progress_eval_close(&pe);
            fclose(log);
            t2v_tganc_trainer_free(tr);
            return 1;
        }
        evaluating = 1;
    }
    t2v_progress pg;
    t2v_progress_start(&pg, o.quiet);
    int rc_exit = 0;
    t2v_step_stats st = {0};
    while (t2v_tganc_trainer_step_count(tr) < steps && !t2v_interrupted()) {
        if (t2v_progress_out_of_time(&pg, o.minutes))
            break;
        s = t2v_tganc_train_step(tr, &st);
        t2v_tganc_trainer_add_seconds(tr, t2v_progress_tick(&pg));
        if (s != T2V_OK) {
            fprintf(stderr, "\n" CMD ": %s\n", t2v_last_error());
            rc_exit = 1;
            break;
        }
        int64_t step = t2v_tganc_trainer_step_count(tr);
        fprintf(log, "%lld,%.1f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f", (long long)step,
                t2v_tganc_trainer_seconds(tr), st.d_loss, st.g_loss, st.d_video, st.d_frame,
                st.d_motion, st.g_video, st.g_frame, st.g_motion, st.tc);
        for (int d = 0; d < 3; d++)
            for (int r = 0; r < 3; r++)
                fprintf(log, ",%.4f", st.logit[d][r]);
        if (r->aux_words > 0.0f)
            fprintf(log, ",%.5f,%.5f", st.d_words, st.g_words);
        if (r->reader > 0.0f)
            fprintf(log, ",%.5f,%.5f", st.d_reader, st.g_reader);
        fprintf(log, "\n");
        double eta = t2v_progress_eta(&pg, step, steps), ema = pg.ema;
        int due = t2v_progress_due(&pg, step, steps);
        if (due == T2V_PROGRESS_BAR) {
            char bar[32];
            t2v_progress_bar(bar, 30, step, steps);
            fprintf(stderr, "\r[%s] %lld/%lld %.2f step/s ETA %02d:%02d:%02d  D %.3f  G %.3f  ",
                    bar, (long long)step, (long long)steps, 1.0 / ema, (int)(eta / 3600),
                    (int)fmod(eta / 60, 60), (int)fmod(eta, 60), st.d_loss, st.g_loss);
        } else if (due == T2V_PROGRESS_LINE) {
            fprintf(stderr, "step %lld/%lld  %.2f step/s  ETA %.0f s  D %.4f  G %.4f\n",
                    (long long)step, (long long)steps, 1.0 / ema, eta, st.d_loss, st.g_loss);
        }
        if (step % o.ckpt_every == 0) {
            fflush(log);
            if (t2v_tganc_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK)
                fprintf(stderr, "\n" CMD ": checkpoint failed: %s\n", t2v_last_error());
        }
        if (o.sample_every && step % o.sample_every == 0) {
            fflush(log);
            write_samples(tr, run_dir, step);
            plot_losses(csv, rf.plot);
        }
        if (evaluating && step % to.eval_every == 0) {
            double e0 = t2v_now_seconds();
            progress_eval_run(&pe, tr);
            t2v_progress_pause(&pg, t2v_now_seconds() - e0); /* evaluation is not training time */
        }
    }
    t2v_progress_end(&pg);
    fclose(log);
    if (evaluating)
        progress_eval_close(&pe);
    if (t2v_interrupted() && !o.quiet)
        fprintf(stderr, CMD ": interrupted, saving a checkpoint\n");
    if (t2v_tganc_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK) {
        fprintf(stderr, CMD ": checkpoint failed: %s\n", t2v_last_error());
        rc_exit = 1;
    }
    t2v_tganc_trainer_swap_ema(tr); /* the model carries the average; nothing trains after */
    if (rc_exit == 0 && (t2v_tganc_standing_stats(tr, 50) != T2V_OK ||
                         t2v_tganc_export(tr, out, t2v_cli_command_line(), NULL, NULL, 0) != T2V_OK)) {
        fprintf(stderr, CMD ": writing %s failed: %s\n", out, t2v_last_error());
        rc_exit = 1;
    }
    if (o.sample_every)
        plot_losses(csv, rf.plot);
    if (!o.quiet && rc_exit == 0)
        fprintf(stderr, CMD ": step %lld, %.0f s of training; model %s, checkpoint %s\n",
                (long long)t2v_tganc_trainer_step_count(tr), t2v_tganc_trainer_seconds(tr), out,
                ckpt);
    t2v_tganc_trainer_free(tr);
    return rc_exit;
}
