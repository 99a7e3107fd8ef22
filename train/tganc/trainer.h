/* Training TGANs-C: the recipe (sizes, losses, optimiser), the trainer
 * state, one step, checkpoints and the exported model. */
#ifndef T2V_TGANC_TRAINER_H
#define T2V_TGANC_TRAINER_H

#include "models/tganc.h"
#include "text/tokenizer.h"
#include "train/common/gan_loss.h"
#include "train/data/dataset.h"
#include "train/tganc/disc.h"
#include "txt2vid/weights.h"

typedef enum t2v_temporal {
    T2V_TEMPORAL_NONE = 0,        /* video and frame D only */
    T2V_TEMPORAL_CONSTRAINT = 1,  /* TGANs-C-C: L2 between consecutive frames in G's loss */
    T2V_TEMPORAL_ADVERSARIAL = 2, /* TGANs-C-A: the motion discriminator */
} t2v_temporal;

typedef struct t2v_tganc_recipe {
    char preset[32];
    char data[512];
    t2v_tganc_cfg gen;
    int d_width, d_layers, d_concat;
    t2v_head_kind head;
    int sn, d_bn;
    t2v_gan_loss loss;
    t2v_temporal temporal;
    float lambda_tc;
    int batch;
    float lr_g, lr_d, beta1, beta2;
    uint64_t seed;
    int64_t steps;
    int fps;
    long train_count;      /* clips in the training split (0: data set default) */
    int shared_text;       /* 1: G reads the sentence through D's encoder (a copy
                              after every D update, no gradient from G's loss) */
    float g_ema;           /* > 0: decay of the average of G's weights that the
                              exported model carries (train/common/ema.h) */
    float near_miss;       /* share of mismatching captions that are near misses
                              (t2v_data_near_mismatched_caption) */
    float lambda_ms;       /* > 0: weight of the mode-seeking term in G's loss
                              (train/common/mode_seeking.h) */
    float partial;         /* share of training captions that leave one attribute
                              unstated (t2v_data_options.partial) */
    float aux_words;       /* > 0: weight of the word heads on the video and frame
                              trunks (train/common/word_head.h) in both losses */
    float reader;          /* > 0: weight of the word reader (a frame network of its
                              own with a word head, trained on real frames) in G's
                              loss */
    int64_t reader_from;   /* the step the reader started at (0, or the step of the
                              checkpoint it was added to) */
    int64_t g_pooled_from; /* gen.text.pool 2: the step from which G has read the
                              pooled words alone (0, or a checkpoint's step) */
    int64_t path_from;     /* the step from which the path head has read what it reads
                              (0, or the step of a checkpoint whose head read
                              something else: its head started afresh there) */
    int switch_path;       /* on resume, not kept: 1 takes the recipe's path input
                              (gen.path_rest, path_follow, path_each) where it
                              differs from the checkpoint's, the head afresh */
    int64_t path_bounce_from; /* gen.path_bounce: the step from which the path has
                              bounced (0, or the step of the free-path checkpoint
                              it replaced the head's output layer of) */
    int64_t path_axis_from; /* gen.path_bounce 2: the step from which the path has
                              had its axis gate (0, or the step of the checkpoint
                              whose head it widened) */
    float axis_sharpen;    /* gen.path_bounce 2: weight of the axis gates' mean
                              openness 4 s (1 - s) in G's loss (models/tganc.h) */
    float attend_sharpen;  /* gen.attend: weight of the attention's mean entropy in
                              G's loss (models/tganc.h) */
} t2v_tganc_recipe;

/* Fills a recipe from a preset name: "tiny" (tests), "small" (CPU),
 * "paper" (the published sizes and losses, for a GPU). */
t2v_status t2v_tganc_preset(const char *name, t2v_tganc_recipe *r);
/* Turns a recipe's generator into the sprite layout (models/tganc.h): the
 * stack keeps its widths and spatial stages but one frame, and a path head
 * of width 2 z_dim moves that frame through the frames the stack made. */
t2v_status t2v_tganc_recipe_sprite(t2v_tganc_recipe *r);
/* Sprite layout: the picture reads the caption through attention over its
 * words, sharpened with weight `sharpen` (>= 0) on its mean entropy; with
 * sprites > 1, that many pictures per clip, each with its own attention
 * and path, overlaid by their maximum. The path head reads the sentence
 * vector, or with path_rest the rest of the caption, or with path_follow
 * = L > 0 the L words after each picture's word; path_each (with
 * path_follow) gives each picture its path from its own window alone
 * (models/tganc.h). */
t2v_status t2v_tganc_recipe_attend(t2v_tganc_recipe *r, float sharpen, int sprites,
                                   int path_rest, int path_follow, int path_each);
/* Sprite layout: the stack draws a picture of side `side`, the frame's
 * side halved once per upsampling stage it leaves out (the last ones), and
 * the frame keeps the data's size; the picture moves within the frame. */
t2v_status t2v_tganc_recipe_picture(t2v_tganc_recipe *r, int side);
const char *t2v_temporal_name(t2v_temporal t);

typedef struct t2v_step_stats {
    float d_loss, g_loss;
    float d_video, d_frame, d_motion;
    float g_video, g_frame, g_motion, tc, ms;
    float d_words, g_words;  /* word heads' terms (aux_words > 0), weighted */
    float d_reader, g_reader; /* the word reader's terms (reader > 0): on real frames
                                 (unweighted), on G's frames (weighted) */
    /* mean logits of the D step: [video, frame, motion][real+match,
     * real+mismatch, fake] */
    float logit[3][3];
} t2v_step_stats;

typedef struct t2v_tganc_trainer t2v_tganc_trainer;

/* Builds everything for training from a recipe (fresh weights), or from a
 * checkpoint file when resume_path is set (the recipe is then read from
 * it; a recipe with gen.path_bounce switches a free-path checkpoint's
 * generator to the bouncing path, its head's output layer afresh, a
 * recipe with gen.path_bounce 2 gives a bouncing path its axis gate (the
 * output layer widened by a row per picture that starts at 0), and one
 * with switch_path its path head to the recipe's input, the whole head
 * afresh), on the backend of `device` (gpu_id: the CUDA device; threads: CPU
 * threads). warn receives data-set warnings. */
t2v_status t2v_tganc_trainer_new(const t2v_tganc_recipe *recipe, const char *resume_path,
                                 int threads, t2v_device device, int gpu_id,
                                 t2v_data_warn_fn warn, void *warn_user,
                                 t2v_tganc_trainer **out);
void t2v_tganc_trainer_free(t2v_tganc_trainer *tr);
const t2v_tganc_recipe *t2v_tganc_trainer_recipe(const t2v_tganc_trainer *tr);
int64_t t2v_tganc_trainer_step_count(const t2v_tganc_trainer *tr);
double t2v_tganc_trainer_seconds(const t2v_tganc_trainer *tr);
void t2v_tganc_trainer_add_seconds(t2v_tganc_trainer *tr, double s);

/* One D update and one G update. */
t2v_status t2v_tganc_train_step(t2v_tganc_trainer *tr, t2v_step_stats *stats);

/* The discriminator's loss on the batch of step `at_step`, without
 * updating anything (for tests: D's loss on a fixed batch). */
t2v_status t2v_tganc_d_loss_on(t2v_tganc_trainer *tr, int64_t at_step, float *d_loss);

/* Everything needed to resume exactly (weights, moments, buffers, step). */
t2v_status t2v_tganc_save_checkpoint(t2v_tganc_trainer *tr, const char *path,
                                     const char *command);
/* The model both plugins load: the generator, its vocabulary and sizes. */
t2v_status t2v_tganc_export(t2v_tganc_trainer *tr, const char *path, const char *command,
                            const char *const *extra_keys, const char *const *extra_values,
                            int n_extra);

/* Generates clips for captions with the trainer's generator: out (n, C, T,
 * H, W) on the host. Inference mode (running statistics, as the plugins
 * run it), or batch statistics of each group of `batch` clips when
 * batch_stats. */
t2v_status t2v_tganc_trainer_sample(t2v_tganc_trainer *tr, const char *const *captions, int n,
                                    uint64_t seed, int batch_stats, float *out);

/* Sentence vectors of n <= batch captions: out (n, D) on the host, through
 * the generator's encoder (disc = 0) or the discriminators' (disc = 1). */
t2v_status t2v_tganc_trainer_sentences(t2v_tganc_trainer *tr, int disc,
                                       const char *const *captions, int n, float *out);

/* Standing statistics: replaces the generator's running batch-norm
 * statistics by their average over `batches` training-mode batches of
 * fresh noise and training captions (the exponential average trails the
 * weights while they move). Done before sampling and exporting. */
t2v_status t2v_tganc_standing_stats(t2v_tganc_trainer *tr, int batches);

/* Turns the average of G's weights on from now (started at the current
 * weights), changes its decay, or with decay 0 drops it; the recipe, and
 * so the checkpoint, records it. */
t2v_status t2v_tganc_trainer_set_ema(t2v_tganc_trainer *tr, float decay);
/* Sets the mode-seeking term's weight from now on (0: off); the recipe,
 * and so the checkpoint, records it. */
t2v_status t2v_tganc_trainer_set_ms(t2v_tganc_trainer *tr, float lambda);
/* Sets the axis gates' sharpening weight from now on (0: off; > 0 only for
 * a generator with the gate); the recipe, and so the checkpoint, records
 * it. */
t2v_status t2v_tganc_trainer_set_axis_sharpen(t2v_tganc_trainer *tr, float weight);
/* Exchanges G's trained and averaged weights (sampling and exports in
 * between read the average; a second call restores the trained ones bit
 * for bit). Returns 0, doing nothing, when no average is kept. */
int t2v_tganc_trainer_swap_ema(t2v_tganc_trainer *tr);

#endif
