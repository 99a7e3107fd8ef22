/* The matching model: an image encoder and a text encoder that map an
 * image and a caption into one space where their cosine similarity says
 * how well the caption describes the image. `txt2vid eval --match` ranks
 * each image's true caption against mismatching ones with it
 * (R-precision).
 *
 *   image x (N, C, 1, H, W) -> conv trunk (conv_trunk.h, per frame: 4 x
 *       [conv k4 s2 p1, BN, ReLU], widths 16..128, average pool) -> F
 *       -> linear -> u (N, dim)
 *   caption ids (N, T) -> sentence encoder (engine/text/encoder.h:
 *       embeddings, bi-LSTM, LSTM) -> S (N, D) -> linear -> v (N, dim)
 *   similarity s(i, j) = cos(u_i, v_j)
 *
 * Trained on real train-split images and their captions with the
 * symmetric contrastive loss of match_loss.h (softmax over the batch's
 * captions for each image and over the batch's images for each caption). */
#ifndef T2V_EVAL_MATCH_H
#define T2V_EVAL_MATCH_H

#include <stdint.h>

#include "text/encoder.h"
#include "text/tokenizer.h"
#include "train/data/dataset.h"
#include "train/common/conv_trunk.h"

#define T2V_MATCH_ARCH "match"

typedef struct t2v_match_cfg {
    char dataset[32];
    int channels, height, width;  /* image input (C, H, W) */
    int layers, width0;           /* image trunk */
    t2v_encoder_cfg text;         /* text.vocab: the vocabulary's size */
    int dim;                      /* common space */
    float temperature;            /* of the training loss (similarities / temperature) */
} t2v_match_cfg;

typedef struct t2v_match {
    t2v_match_cfg cfg;
    t2v_backend *be;
    int own_backend;
    t2v_vocab vocab;
    t2v_params params, bufs;
    t2v_ctrunk trunk;            /* "match.image.l*" */
    int img_w, img_b;            /* "match.image.proj": (dim, F), (dim) */
    t2v_encoder text;            /* "match.text.*" */
    int txt_w, txt_b;            /* "match.text.proj": (dim, D), (dim) */
    /* training provenance (0 when unknown) */
    int64_t train_steps;
    uint64_t train_seed;
    double train_seconds;
    double train_loss;           /* mean loss of the last steps */
} t2v_match;

/* Activations for batches of N images and N captions. */
typedef struct t2v_match_run {
    t2v_arena arena;
    int N, training;
    float *ws;
    float *x;                    /* (N, C, 1, H, W) */
    t2v_ctrunk_run trunk;
    float *u, *du;               /* (N, dim) image embeddings and gradient */
    float *v, *dv;               /* (N, dim) caption embeddings and gradient */
    float *dS;                   /* (N, D) */
} t2v_match_run;

/* Sizes for a data set's images: 4 layers from width 16, the sentence
 * encoder of StackGAN's small preset (embed 32, hidden 32, sent 64, 24
 * words), dim 64, temperature 0.1. */
t2v_status t2v_match_cfg_for(t2v_match_cfg *cfg, const char *dataset, int C, int H, int W,
                             int vocab_size);

/* A new model over `vocab` (moved into the model: the caller's is emptied).
 * be NULL opens a CPU backend with `threads`. Weights from Philox (seed). */
t2v_status t2v_match_new(const t2v_match_cfg *cfg, t2v_vocab *vocab, t2v_backend *be,
                         int threads, uint64_t seed, int with_adam, t2v_match **out);
void t2v_match_free(t2v_match *m);

t2v_status t2v_match_run_init(t2v_match *m, t2v_match_run *r, int N, int training);
void t2v_match_run_release(t2v_match_run *r);

/* images (N, C, 1, H, W) host floats -> r->u; u_host (N, dim) when not
 * NULL. Always a full batch of the run's N. */
t2v_status t2v_match_images(t2v_match *m, t2v_match_run *r, const float *images,
                            float *u_host);
/* The same from images x already on the backend, batchnorm in training
 * (batch statistics) or inference mode whatever the run was planned for. */
t2v_status t2v_match_images_on(t2v_match *m, t2v_match_run *r, const float *x, int training,
                               float *u_host);
/* ids (N, T) with <pad> after each caption, lengths (N) >= 1 -> r->v;
 * v_host (N, dim) when not NULL. */
t2v_status t2v_match_captions(t2v_match *m, t2v_match_run *r, const int32_t *ids,
                              const int *lengths, float *v_host);
/* After both forwards of a training run: r->du, r->dv (N, dim) uploaded by
 * the caller -> parameter gradients (accumulate). */
void t2v_match_backward(t2v_match *m, t2v_match_run *r);

/* Weights file (architecture "match"): sizes, vocabulary, provenance and
 * every tensor; written atomically. */
t2v_status t2v_match_save(t2v_match *m, const char *path, const char *command);
/* Fails with T2V_ERR_IO / T2V_ERR_FORMAT naming the file. be as t2v_match_new. */
t2v_status t2v_match_load(const char *path, t2v_backend *be, int threads, t2v_match **out);

#endif
