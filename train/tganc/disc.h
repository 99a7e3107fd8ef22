/* TGANs-C discriminators (train/ only): a convolution trunk over clips
 * (video D, 3D convs) or over every frame (frame D, 2D convs), and heads
 * that score a trunk's features against a sentence. The motion D is a head
 * over differences of adjacent frames' trunk features.
 *
 * Head kinds:
 *   concat      the paper's: FC(S) tiled over the feature grid, concatenated,
 *               1x1 conv + LeakyReLU, then a conv over the whole grid -> logit
 *   projection  sum-pooled features h: logit = w.h + b + <P S, h>
 * Spectral normalisation of every weight and batch normalisation in the
 * trunk are options. */
#ifndef T2V_DISC_H
#define T2V_DISC_H

#include "models/net.h"

#define T2V_DISC_MAX_LAYERS 6

typedef enum t2v_head_kind { T2V_HEAD_CONCAT = 0, T2V_HEAD_PROJECTION = 1 } t2v_head_kind;

/* A weight, optionally spectrally normalised: the network uses `eff`,
 * which is the raw weight or raw / sigma. */
typedef struct t2v_snw {
    int w;               /* parameter index */
    int u;               /* buffer index of the power-iteration vector (sn) */
    int rows, cols;      /* weight viewed as (rows, cols) */
    float *eff, *geff;   /* (rows*cols) normalised weight and its gradient */
    float *v, *wv;       /* (cols), (rows) power-iteration scratch; wv ends as u */
    float *scalar;       /* one float for dot products */
    float sigma;
} t2v_snw;

typedef struct t2v_disc_cfg {
    int frame_level;     /* 1: 2D convs on every frame; 0: 3D convs on clips */
    int channels, frames, height, width;
    int width0;          /* channels of the first layer, doubled each layer */
    int layers;
    int sent;            /* sentence dimension */
    t2v_head_kind head;
    int sn, bn;
    int concat_dim;      /* concat head: FC(S) size */
    t2v_act act;         /* hidden activation, LeakyReLU 0.2 in the papers */
} t2v_disc_cfg;

typedef struct t2v_disc_layer {
    t2v_conv_geom g;
    t2v_snw w;
    int b;               /* bias index (-1 with bn) */
    int bn_g, bn_b, rm, rv;
} t2v_disc_layer;

typedef struct t2v_disc {
    t2v_disc_cfg cfg;
    int M;               /* items per clip batch row: N or N*T */
    t2v_disc_layer layer[T2V_DISC_MAX_LAYERS];
    int feat_c;          /* channels of the last layer */
    int feat_dims[3];    /* its grid */
    int64_t feat_l;
    float *ws;           /* conv workspace (shared by instances) */
    size_t ws_floats;
} t2v_disc;

/* Activations of one trunk run (real or fake). */
typedef struct t2v_trunk_run {
    float *in;           /* (M, C, D, H, W) trunk input (frame D: permuted) */
    float *act[T2V_DISC_MAX_LAYERS];   /* post-activation outputs */
    float *bn_x[T2V_DISC_MAX_LAYERS];  /* conv outputs before BN (bn only) */
    float *mean[T2V_DISC_MAX_LAYERS], *invstd[T2V_DISC_MAX_LAYERS];
    float *dact[T2V_DISC_MAX_LAYERS], *dbn_x[T2V_DISC_MAX_LAYERS];
    const float *x0;     /* what the first layer read */
    float *din;          /* gradient w.r.t. x0 */
    float *dclip;        /* frame D: din in clip layout */
    float *dinput;       /* after backward: the gradient in clip layout */
} t2v_trunk_run;

/* A head, with its parameters. */
typedef struct t2v_head {
    t2v_head_kind kind;
    int C;               /* feature channels */
    int dims[3];         /* feature grid */
    int64_t L;
    int sent, concat_dim;
    int M;               /* items scored per run */
    int per_clip;        /* items per sentence: 1 (video), T (frame), T-1 (motion) */
    /* concat: fc (concat_dim, sent) + b; conv1 1x1 (C, C+concat_dim) + b;
     * final conv (1, C, grid) + b. projection: lin (1, C) + b, proj (C, sent) */
    t2v_snw fc, conv1, fin, lin, proj;
    int fc_b, conv1_b, fin_b, lin_b;
    t2v_conv_geom g1, gfin;
    int sn;
    t2v_act act;
} t2v_head;

/* Activations of one head run. */
typedef struct t2v_head_run {
    float *e;            /* (N, concat_dim) or (N, C) sentence embedding */
    float *et;           /* (M, E) per item (tiled when per_clip > 1) */
    float *tiled, *cat, *h1;  /* concat head */
    float *pooled;       /* (M, C) projection head */
    float *logit;        /* (M) */
    float *dlogit, *dfeat, *de, *det, *dtiled, *dcat, *dh1, *dpooled, *dS;
    float *tmp;
} t2v_head_run;

t2v_status t2v_disc_declare(t2v_disc *d, const t2v_disc_cfg *cfg, t2v_params *ps,
                            t2v_params *bufs, const char *prefix);
void t2v_disc_plan(t2v_disc *d, t2v_backend *be, t2v_plan *p, int N);
void t2v_trunk_plan(const t2v_disc *d, t2v_plan *p, t2v_trunk_run *r);
t2v_status t2v_disc_init(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         uint64_t seed, uint64_t stream);

/* Refreshes the effective (normalised) weights: once per step, before any
 * run that uses them. update_u advances the power iteration (training). */
t2v_status t2v_disc_refresh(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                            int update_u);

/* clip (N, C, T, H, W) -> r->act[last] */
void t2v_trunk_forward(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       t2v_trunk_run *r, const float *clip, int N, int training);
/* r->dact[last] in; fills r->dclip (clip layout) when want_dclip;
 * parameter gradients (through SN) accumulate when param_grads (the
 * generator's step needs only the input gradient). */
void t2v_trunk_backward(t2v_disc *d, t2v_backend *be, t2v_params *ps, t2v_trunk_run *r, int N,
                        int want_dclip, int param_grads);

t2v_status t2v_head_declare(t2v_head *h, t2v_head_kind kind, int C, const int dims[3], int sent,
                            int concat_dim, int sn, t2v_act act, t2v_params *ps,
                            t2v_params *bufs, const char *prefix);
/* Once per plan: sizes for N clips, effective weights, workspace need. */
void t2v_head_plan(t2v_head *h, t2v_backend *be, t2v_plan *p, int N, int per_clip,
                   size_t *ws_floats);
/* Once per run that needs its own activations. */
void t2v_head_run_plan(const t2v_head *h, t2v_plan *p, int N, t2v_head_run *r);
t2v_status t2v_head_init(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         uint64_t seed, uint64_t stream);
t2v_status t2v_head_refresh(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                            int update_u);
/* feat (M, C, L), S (N, sent) -> r->logit (M) */
void t2v_head_forward(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_head_run *r,
                      const float *feat, const float *S, int N, float *ws);
/* r->dlogit in -> r->dfeat (assign), r->dS (assign); param grads
 * accumulate when param_grads */
void t2v_head_backward(t2v_head *h, t2v_backend *be, t2v_params *ps, t2v_head_run *r,
                       const float *feat, const float *S, int N, float *ws, int param_grads);

/* After backward: fold the gradients of the effective weights into the raw
 * weights' gradients (identity without SN). */
t2v_status t2v_disc_fold_grads(t2v_disc *d, t2v_backend *be, t2v_params *ps);
t2v_status t2v_head_fold_grads(t2v_head *h, t2v_backend *be, t2v_params *ps);

#endif
