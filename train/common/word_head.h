/* The word head: an auxiliary classifier on a discriminator's trunk that
 * reads which vocabulary words a caption holds from the picture alone.
 *
 * Features (M, C, L) are averaged over the grid (or, flat, read whole as
 * C*L inputs, where the grid position matters: "top left"); a linear layer
 * gives one logit per vocabulary word; the loss is binary cross-entropy against the
 * caption's bag of words (1 for every word it holds, 0 for the rest),
 * summed over words and averaged over items. Each word is scored on its
 * own, so what the head knows about "3" does not depend on the words next
 * to it.
 *
 * The discriminator trains the head on real pictures only (it stays a
 * reader of real data); the generator is pushed to make pictures the head
 * reads as their captions. */
#ifndef T2V_TRAIN_WORD_HEAD_H
#define T2V_TRAIN_WORD_HEAD_H

#include <stdint.h>

#include "models/net.h"

typedef struct t2v_word_head {
    int C, V;            /* feature channels, vocabulary size */
    int flat;            /* 1: the linear layer reads all C*L features */
    int in;              /* its input size: C, or C*L when flat */
    int64_t L;           /* feature grid size */
    int M;               /* items per run (N clips x per_clip) */
    int per_clip;        /* items that share one caption: 1, or T for frames */
    int w, b;            /* parameters: weight (V, in), bias (V) */
    float *pooled, *logit, *dlogit, *loss, *target, *dpooled, *dfeat;
    float *keep;         /* (M, V) 1 for the words scored, 0 for the rest */
    int kept;            /* words scored */
    float *target_host;  /* (M, V) the targets on the host */
    float *keep_host;    /* (M, V) keep on the host */
    float *host;         /* (M, V) host scratch: losses, logits */
} t2v_word_head;

t2v_status t2v_word_head_declare(t2v_word_head *h, int C, int64_t L, int V, int flat,
                                 t2v_params *ps, const char *prefix);
/* Buffers for N clips of per_clip items each; host scratch is malloc'd
 * (freed by t2v_word_head_free). */
void t2v_word_head_plan(t2v_word_head *h, t2v_plan *p, int N, int per_clip);
t2v_status t2v_word_head_init(t2v_word_head *h, t2v_backend *be, t2v_params *ps, uint64_t seed,
                              uint64_t stream);
void t2v_word_head_free(t2v_word_head *h);

/* Scores only the words some but not all of the n captions hold: a word
 * every caption holds ("digit", "is") or none does tells nothing about a
 * picture, and a head left to score it learns a caption-blind direction
 * that the generator can chase instead of the caption. Needed once
 * before the first term (a resumed run computes it again from the same
 * captions). */
t2v_status t2v_word_head_keep_informative(t2v_word_head *h, t2v_backend *be, const int32_t *ids,
                                          const int *lens, long n, int stride);

/* Targets from N captions' ids (rows of `stride` ids, lens[n] of them
 * used): 1 for each word the caption holds (<pad> and <unk> never), else
 * 0; the same row for the per_clip items of a clip. */
t2v_status t2v_word_head_set_targets(t2v_word_head *h, t2v_backend *be, const int32_t *ids,
                                     const int *lens, int N, int stride);

/* Loss of feat (M, C, L) against the targets times `weight` (summed over
 * words, averaged over items). Adds weight x its gradient into dfeat
 * (M, C, L); the head's parameter gradients accumulate when param_grads. */
float t2v_word_head_term(t2v_word_head *h, t2v_backend *be, t2v_params *ps, const float *feat,
                         float *dfeat, float weight, int param_grads);

/* Share of (item, scored word) pairs the head gets right at logit 0 on
 * feat; a measure for tests and logs. */
float t2v_word_head_accuracy(t2v_word_head *h, t2v_backend *be, t2v_params *ps,
                             const float *feat);

#endif
