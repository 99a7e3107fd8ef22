/* The sentence encoder of TGANs-C: word embeddings -> bi-LSTM (contextual
 * word features) -> LSTM whose state after the last word is the sentence
 * vector S. Used by the generators and, with its own weights, by the
 * discriminators in train/.
 *
 * With `pool`, S (N, D) = [the LSTM's last state (N, D - E), the mean of
 * the caption's word embeddings (N, E)]: the second part is a sum over
 * words, so a caption that combines words in a way never seen in training
 * (a digit with the other direction of motion) still gets the sum of
 * what each word contributes, where the LSTM's state of an unseen word
 * sequence can land anywhere. With pool 2 the LSTM's part of S is zero
 * (and passes no gradient back): a generator that reads S then depends on
 * the caption only through the mean of its words. */
#ifndef T2V_ENCODER_H
#define T2V_ENCODER_H

#include "models/net.h"

typedef struct t2v_encoder_cfg {
    int vocab;      /* V */
    int embed;      /* E */
    int hidden;     /* H, per direction of the bi-LSTM */
    int sent;       /* D, the sentence vector */
    int max_words;  /* T */
    int pool;       /* 1: the last E entries of S are the mean word embedding;
                       2: as 1, with the LSTM's D - E entries zero, so the
                       sentence's reader sees the bag of words alone */
} t2v_encoder_cfg;

typedef struct t2v_encoder {
    t2v_encoder_cfg cfg;
    /* parameter indices */
    int emb;
    int lstm[3][4];              /* fwd, bwd, sentence x (w_ih, w_hh, b_ih, b_hh) */
    /* activations, for a batch of N */
    int N;
    int32_t *ids;                /* (N, T) on the backend */
    float *mask;                 /* (N, T) */
    float *x;                    /* (N, T, E) embedded words */
    float *hf, *hb;              /* (N, T, H) each direction */
    float *hc;                   /* (N, T, 2H) */
    float *hs;                   /* (N, T, Dl), Dl = D, or D - E with pool */
    float *hs_tm;                /* (T, N, Dl) time-major copy */
    float *S;                    /* (N, D): hs_tm's last slice, [it, pooled] with pool */
    float *poolw;                /* pool: (N, T) mask / length */
    float *pooled, *dpooled;     /* pool: (N, E) */
    float *state[3];             /* LSTM states kept for backward */
    /* gradients (training only) */
    float *dx, *dx2, *dhf, *dhb, *dhc, *dhs, *dhs_tm, *scratch;
} t2v_encoder;

t2v_status t2v_encoder_declare(t2v_encoder *e, const t2v_encoder_cfg *cfg, t2v_params *ps,
                               const char *prefix);
void t2v_encoder_plan(t2v_encoder *e, t2v_plan *p);
/* Initialises embeddings N(0, 1) and LSTM weights U(-1/sqrt(H), 1/sqrt(H))
 * as PyTorch does, from (seed, stream), with the forget-gate biases raised
 * by 1 each (Jozefowicz et al. 2015) so early words reach S. */
/* Copies src's weights (in sps) over dst's (in dps); both encoders have the
 * same sizes. */
void t2v_encoder_copy_weights(t2v_backend *be, const t2v_encoder *src, const t2v_params *sps,
                              const t2v_encoder *dst, t2v_params *dps);
t2v_status t2v_encoder_init(t2v_encoder *e, t2v_backend *be, t2v_params *ps, uint64_t seed,
                            uint64_t stream);
/* ids_host (N, T) with T2V_TOK_PAD after each caption's end; lengths >= 1.
 * Leaves S (N, D). */
t2v_status t2v_encoder_forward(t2v_encoder *e, t2v_backend *be, t2v_params *ps,
                               const int32_t *ids_host, const int *lengths);
/* dS (N, D) in; parameter gradients accumulate. */
void t2v_encoder_backward(t2v_encoder *e, t2v_backend *be, t2v_params *ps, const float *dS);
/* The same, with dwords (N, T, E): a gradient of the embedded words x that
 * a reader of x besides S formed (NULL: none). */
void t2v_encoder_backward_words(t2v_encoder *e, t2v_backend *be, t2v_params *ps,
                                const float *dS, const float *dwords);
/* The same, with dhc (N, T, 2H) as well: a gradient of the bi-LSTM's word
 * features hc that a reader of them formed (NULL: none). */
void t2v_encoder_backward_all(t2v_encoder *e, t2v_backend *be, t2v_params *ps, const float *dS,
                              const float *dwords, const float *dhc);

#endif
