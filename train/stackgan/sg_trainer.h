/* Training StackGAN: the recipe, the trainer state, one step of either
 * stage, checkpoints and the exported model (both stages in one file). */
#ifndef T2V_SG_TRAINER_H
#define T2V_SG_TRAINER_H

#include "models/stackgan.h"
#include "train/data/dataset.h"
#include "train/tganc/disc.h"
#include "train/tganc/trainer.h"
#include "txt2vid/weights.h"

typedef struct t2v_sg_recipe {
    char preset[32];
    char data[512];
    t2v_stackgan_cfg gen;
    int d_width1, d_width2;   /* DF of the Stage-I and Stage-II discriminators */
    int d_concat;             /* concat head: FC(S) size */
    t2v_head_kind head;
    int sn, d_bn;
    t2v_gan_loss loss;
    float kl_weight;
    int batch;
    float lr_g, lr_d, beta1, beta2;
    int64_t lr_decay_every;   /* halve both rates every n steps of a stage; 0: never */
    uint64_t seed;
    int64_t steps1, steps2;   /* steps of each stage */
    long train_count;         /* items of a synthetic training split (0: default) */
    int shared_text;          /* 1: G reads the sentence through Stage-I D's encoder (a
                                 copy after every Stage-I D update, no gradient from G) */
    float near_miss;          /* share of mismatching captions that are near misses
                                 (t2v_data_near_mismatched_caption) */
    float swap_miss;          /* share of mismatching captions that are role swaps, the
                                 caption's own words with two roles exchanged
                                 (t2v_data_swapped_caption; before the near misses) */
    float lambda_match;       /* weight of the image loss of t2v_sg_trainer_set_image_loss
                                 in G's loss (0: none) */
    char match_model[512];    /* the matching model behind that loss (the command opens
                                 it; the recipe keeps its path for resuming) */
    float aux_words;          /* > 0: weight of each stage D's word head (flat over its
                                 4x4 grid, train/common/word_head.h) in both losses */
    float reader;             /* > 0: weight of each stage's word reader
                                 (train/common/word_reader.h) in G's loss */
    float attend_sharpen;     /* the glyph layer (gen.layered 2): weight of its
                                 attention's mean entropy in G's loss */
    float object_d;           /* > 0: weight of the object discriminator in G's loss: a
                                 scorer of the glyph alone, before its move, against
                                 the item's object, colour and size (data sets with
                                 object pictures, t2v_data_object_picture; the glyph
                                 layer); 0: off */
    float s2_reg;             /* residual Stage II (gen.s2_residual): weight of the
                                 correction's mean square in G's loss, keeping Stage II
                                 near Stage I's picture where D does not ask for a
                                 change; 0: off */
    float d2_low;             /* > 0: Stage II is also judged at Stage I's size: its
                                 images, box-filtered by 4, face Stage-I D (which
                                 trains on with them as its fakes), whose G term
                                 joins Stage II's loss with this weight; 0: off */
} t2v_sg_recipe;

/* "tiny" (tests: 16 -> 64 px), "small" (CPU: 64 -> 256, narrow, hinge +
 * spectral norm + projection heads), "paper" (the published sizes and
 * losses, for a GPU). */
t2v_status t2v_sg_preset(const char *name, t2v_sg_recipe *r);

typedef struct t2v_sg_stats {
    float d_loss, g_loss;
    float d_real, d_wrong, d_fake;  /* D's three matching-aware terms (unweighted) */
    float g_adv, kl;                /* G's adversarial term and the KL (unweighted) */
    float g_match;                  /* the image loss (unweighted; 0 when off) */
    float d_words, g_words;         /* the word head's terms (weighted; 0 when off) */
    float d_reader, g_reader;       /* the word reader's terms: on real images
                                       (unweighted), on G's (weighted); 0 when off */
    float d_obj, g_obj;             /* the object discriminator's loss and G's term
                                       (unweighted); 0 when off */
    float g_reg;                    /* residual Stage II: the correction's mean square
                                       (unweighted); 0 when off */
    float d_low, g_low;             /* recipe d2_low: Stage-I D's loss on Stage II's
                                       box-filtered images and G's term through it
                                       (unweighted); 0 when off */
} t2v_sg_stats;

typedef struct t2v_sg_trainer t2v_sg_trainer;

/* Fresh weights from a recipe, or everything from a checkpoint when
 * resume_path is set (the recipe is then read from it; steps1/steps2 of
 * `recipe`, when not NULL and > 0, override the stored ones), on the
 * backend of `device` (gpu_id: the CUDA device; threads: CPU threads). */
t2v_status t2v_sg_trainer_new(const t2v_sg_recipe *recipe, const char *resume_path, int threads,
                              t2v_device device, int gpu_id, t2v_data_warn_fn warn,
                              void *warn_user, t2v_sg_trainer **out);
/* A new Stage II on a trained Stage I: the recipe, the encoder, Stage I
 * and its discriminators from the checkpoint at stage1_path, Stage II (its
 * generator, discriminator and word reader, their Adam moments) fresh at
 * step 0, in the form `residual` gives: 0 drawing the whole image, 1 a
 * correction (stackgan.s2_residual), 2 a correction that also repaints the
 * background (stackgan.s2_bg), -1 as the checkpoint's recipe says; steps2 > 0 overrides
 * the stored step target. The checkpoint itself is only read. */
t2v_status t2v_sg_trainer_new_stage2(const char *stage1_path, int residual, int64_t steps2,
                                     int threads, t2v_device device, int gpu_id,
                                     t2v_data_warn_fn warn, void *warn_user,
                                     t2v_sg_trainer **out);
/* Sets recipe s2_reg before Stage II's first step (T2V_ERR_INVALID after
 * it, or for a negative weight). */
t2v_status t2v_sg_trainer_set_s2_reg(t2v_sg_trainer *tr, float weight);
/* Sets recipe d2_low likewise (T2V_ERR_INVALID after Stage II's first step,
 * for a negative weight, or when Stage II is not 4 times Stage I's size). */
t2v_status t2v_sg_trainer_set_d2_low(t2v_sg_trainer *tr, float weight);
/* Sets recipe match_model and lambda_match likewise (before Stage II's
 * first step; a stage whose steps then fail until the command sets the
 * image loss, t2v_sg_trainer_set_image_loss): Stage II's matching loss. */
t2v_status t2v_sg_trainer_set_match(t2v_sg_trainer *tr, const char *match_model, float weight);
/* Sets recipe lr_g and lr_d (a negative one: kept) likewise, for Stage II
 * (Stage I is done); rates lie in (0, 1]. */
t2v_status t2v_sg_trainer_set_rates(t2v_sg_trainer *tr, float lr_g, float lr_d);
/* Stage I and the encoder (their weights and running statistics) from an
 * exported model (t2v_sg_export) whose vocabulary and Stage-I sizes equal
 * this run's, before Stage II's first step (T2V_ERR_INVALID after it): a
 * new Stage II for a model's Stage I. The discriminators stay the
 * checkpoint's. */
t2v_status t2v_sg_trainer_load_stage1(t2v_sg_trainer *tr, const char *model_path);
void t2v_sg_trainer_free(t2v_sg_trainer *tr);
const t2v_sg_recipe *t2v_sg_trainer_recipe(const t2v_sg_trainer *tr);
/* Steps taken by stage 1 or 2. */
int64_t t2v_sg_trainer_step_count(const t2v_sg_trainer *tr, int stage);
double t2v_sg_trainer_seconds(const t2v_sg_trainer *tr);
void t2v_sg_trainer_add_seconds(t2v_sg_trainer *tr, double s);

/* A loss on the generator's images beside the adversarial one, weighted
 * by recipe.lambda_match: fn gets the stage's fakes (N, C, side, side) on
 * the trainer's backend and the data set indices of their captions, adds
 * weight * dloss/dimages into dimages (on the backend) and returns the
 * loss. A recipe with lambda_match > 0 fails its steps until one is set. */
typedef t2v_status (*t2v_sg_image_loss_fn)(void *user, const float *images,
                                           const long *captions, float weight, float *dimages,
                                           double *loss);
void t2v_sg_trainer_set_image_loss(t2v_sg_trainer *tr, t2v_sg_image_loss_fn fn, void *user);
t2v_backend *t2v_sg_trainer_backend(t2v_sg_trainer *tr);
/* The training data set and how many captions it has. */
t2v_dataset *t2v_sg_trainer_dataset(t2v_sg_trainer *tr, long *n_captions);

/* One D update and one G update of `stage` (1 or 2; Stage I stays frozen
 * while Stage II trains). */
t2v_status t2v_sg_train_step(t2v_sg_trainer *tr, int stage, t2v_sg_stats *stats);

/* Stage `stage`'s D loss on the batch of step `at_step`, updating nothing
 * but the BN running statistics of the generator's forward. */
t2v_status t2v_sg_d_loss_on(t2v_sg_trainer *tr, int stage, int64_t at_step, float *d_loss);

/* The object discriminator's loss (recipe object_d > 0) on Stage I's
 * batch of step `at_step`, updating nothing but the BN running statistics
 * of the generator's forward. */
t2v_status t2v_sg_object_d_loss_on(t2v_sg_trainer *tr, int64_t at_step, float *d_loss);

t2v_status t2v_sg_save_checkpoint(t2v_sg_trainer *tr, const char *path, const char *command);
/* The model the generation API loads: encoder, vocabulary, both stages. */
t2v_status t2v_sg_export(t2v_sg_trainer *tr, const char *path, const char *command);

/* Sentence vectors of n <= batch captions: out (n, D) on the host, through
 * the generator's encoder (disc = 0) or Stage-I D's (disc = 1). */
t2v_status t2v_sg_trainer_sentences(t2v_sg_trainer *tr, int disc, const char *const *captions,
                                    int n, float *out);

/* Standing statistics of one stage: its BN running statistics become the
 * plain average over `batches` training-mode batches of training captions
 * and fresh noise (Stage II's batches read Stage I at generation mode).
 * The exponential running average trails weights that move every step;
 * generation, sample sheets, Stage II's frozen Stage I and exported models
 * read the running statistics, so every one of them is preceded by this.
 * Draws from its own random streams: training is not disturbed. */
t2v_status t2v_sg_standing_stats(t2v_sg_trainer *tr, int stage, int batches);

/* Images for captions in inference mode, noise as t2v_stackgan_noise with
 * image index i: out1 (n, C, size1, size1) and out2 (n, C, size2, size2) on
 * the host (either may be NULL). */
t2v_status t2v_sg_trainer_sample(t2v_sg_trainer *tr, const char *const *captions, int n,
                                 uint64_t seed, float *out1, float *out2);

#endif
