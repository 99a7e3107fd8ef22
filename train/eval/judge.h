/* The judge: a small convolutional classifier trained on real data that
 * reads a clip (C, T, H, W) and predicts every attribute of the data set's
 * schema (digit and motion of each bouncing digit, a scene's object and
 * colours, ...). Its penultimate features are the features of the FID, its
 * class probabilities those of the Inception-score analogue.
 *
 * Two trunks, so that no attribute can be read off another one. The test
 * split holds attribute combinations never seen in training (in SBMG's
 * train split digit 2 only moves left and right); a single 3D trunk learns
 * "moves left and right" as evidence for "2" and then fails on every test
 * clip (measured: 0.15% digit accuracy). So:
 *   appearance trunk: per-frame convolutions (temporal kernel 1; frames
 *       subsampled by 2 in the first layer), feeding every attribute whose
 *       name does not start with "motion": it cannot see motion at all;
 *   motion trunk: spatio-temporal convolutions, feeding the "motion*"
 *       attributes; built only when the schema has them and T > 1;
 *   shape trunk: per-frame convolutions like the appearance trunk, over a
 *       one-channel, colour-invariant picture of the glyphs (shape_image.h:
 *       background removed, ink normalised), feeding the "object*"
 *       attributes; built only when the schema has them. In the scenes
 *       train split each object lacks one of its colours, which is the one
 *       the test split shows it in; an RGB trunk learns the colour as
 *       evidence against the right object (measured: 17% object accuracy
 *       on real test images), the shape trunk cannot see colour at all.
 *       With cfg.shape_crop it reads the picture cut to the glyph's ink box
 *       and scaled to (shape_crop, shape_crop) (t2v_shape_crop), so neither
 *       the glyph's place nor its size reaches it.
 * Each trunk: `layers` x [conv k4 s2 p1 along the spatial axes (and time,
 * motion trunk), no bias, batchnorm, ReLU], widths w0, 2 w0, 4 w0, ...
 *   -> global average pool -> (N, F_trunk).
 * Features = [appearance | motion | shape] (N, F), the trunks present. One linear head per attribute
 * over its trunk's features -> logits (N, K), heads side by side, K = sum
 * of the class counts.
 *
 * Multi-object sets (TBMG): the data set does not say which digit is the
 * "first" one in pixels, so the judge is trained on targets in a canonical
 * object order (objects sorted by their attribute tuples) and scoring picks
 * the assignment of predicted objects to captioned objects that matches
 * most attributes (see t2v_judge_match). */
#ifndef T2V_EVAL_JUDGE_H
#define T2V_EVAL_JUDGE_H

#include <stdint.h>

#include "models/net.h"
#include "train/common/conv_trunk.h"
#include "train/data/dataset.h"

#define T2V_JUDGE_MAX_LAYERS T2V_CTRUNK_MAX_LAYERS
#define T2V_JUDGE_ARCH "judge"
#define T2V_JUDGE_SHAPE_CROP 32  /* default side of the shape trunk's crop */

typedef struct t2v_judge_cfg {
    char dataset[32];        /* data set the judge was trained on ("sbmg") */
    int channels, frames, height, width; /* input clip (C, T, H, W) */
    int layers;              /* conv layers per trunk */
    int width0;              /* appearance trunk's first width */
    int motion_width0;       /* motion trunk's first width; 0: no motion trunk */
    int shape_width0;        /* shape trunk's first width; 0: no shape trunk */
    int shape_crop;          /* the shape trunk reads the picture cut to the ink
                                and scaled to (shape_crop, shape_crop)
                                (t2v_shape_crop); 0: the whole frame */
    int n_objects;           /* objects per item (attributes form n_objects equal groups) */
    int n_attrs;
    char attr_name[T2V_DATA_MAX_ATTRS][32];
    int n_classes[T2V_DATA_MAX_ATTRS];
    int head_trunk[T2V_DATA_MAX_ATTRS]; /* which trunk each head reads */
} t2v_judge_cfg;

enum { T2V_JUDGE_APPEARANCE = 0, T2V_JUDGE_MOTION = 1, T2V_JUDGE_SHAPE = 2,
       T2V_JUDGE_TRUNKS = 3 };


typedef struct t2v_judge {
    t2v_judge_cfg cfg;
    t2v_backend *be;
    int own_backend;
    t2v_params params;       /* trainable */
    t2v_params bufs;         /* batchnorm running statistics */
    t2v_ctrunk trunk[T2V_JUDGE_TRUNKS]; /* appearance, motion, shape */
    int head_w[T2V_DATA_MAX_ATTRS], head_b[T2V_DATA_MAX_ATTRS];
    int feat_dim;            /* F = appearance + motion + shape features */
    int n_logits;            /* K */
    int attr_offset[T2V_DATA_MAX_ATTRS]; /* first logit column of each head */
    /* training provenance (0 / empty when unknown) */
    int64_t train_steps;
    uint64_t train_seed;
    double train_seconds;
    double test_accuracy[T2V_DATA_MAX_ATTRS]; /* on real test items; -1 unknown */
    long test_items;
} t2v_judge;

/* Activations for batches of up to N clips. */

typedef struct t2v_judge_run {
    t2v_arena arena;
    int N, training;
    float *ws;               /* convolution workspace */
    float *x;                /* (N, C, T, H, W) input on the backend */
    float *x_shape;          /* (N, 1, T, H, W) shape picture on the backend */
    t2v_ctrunk_run trunk[T2V_JUDGE_TRUNKS];
    float *head_logits[T2V_DATA_MAX_ATTRS];  /* (N, n_classes) per head */
    float *head_dlogits[T2V_DATA_MAX_ATTRS];
    float *dfeat_tmp;        /* (N, max F_trunk) one head's feature gradient */
    float *host_logits, *host_dlogits; /* (N, K) host copies */
    float *host_head;        /* (N, max n_classes) */
    float *host_feat;        /* (N, max F_trunk) */
    float *host_shape;       /* (N, 1, T, Hs, Ws): what the shape trunk reads */
    float *host_shape_full;  /* (N, 1, T, H, W) before the crop (with shape_crop) */
    float *shape_scratch;    /* the shape picture's scratch */
} t2v_judge_run;

/* Fills a configuration for clips (C, T, H, W) of a data set with schema
 * `schema`: 4 layers per trunk, widths 16, 32, 64, 128; a motion trunk
 * when an attribute's name starts with "motion" (and T > 1), a shape trunk
 * reading the crop of T2V_JUDGE_SHAPE_CROP pixels when one starts with
 * "object". */
t2v_status t2v_judge_cfg_for(t2v_judge_cfg *cfg, const char *dataset, int C, int T, int H,
                             int W, const t2v_data_attrs *schema);

/* Sets cfg->head_trunk from the attribute names and the trunks present:
 * "motion*" -> motion trunk, "object*" -> shape trunk, the others (and
 * those whose trunk is absent) -> appearance trunk. */
void t2v_judge_cfg_assign_trunks(t2v_judge_cfg *cfg);

/* Builds a judge with freshly initialised parameters (Kaiming normal from
 * the Philox stream of seed). be NULL opens a CPU backend with `threads`. */
t2v_status t2v_judge_new(const t2v_judge_cfg *cfg, t2v_backend *be, int threads, uint64_t seed,
                         int with_adam, t2v_judge **out);
void t2v_judge_free(t2v_judge *j);

t2v_status t2v_judge_run_init(t2v_judge *j, t2v_judge_run *r, int N, int training);
void t2v_judge_run_release(t2v_judge_run *r);

/* clips (n, C, T, H, W) host floats, n <= r->N -> logits (n, K) and
 * features (n, F) in host memory (either may be NULL). Training runs use
 * batch statistics and keep what backward needs. */
t2v_status t2v_judge_forward(t2v_judge *j, t2v_judge_run *r, const float *clips, int n,
                             float *logits, float *feats);

/* After a training forward: loss = sum over attributes of the mean softmax
 * cross-entropy against labels (n, n_attrs); back-propagates into the
 * parameters' gradients (accumulate). Returns the loss in *loss. */
t2v_status t2v_judge_backward(t2v_judge *j, t2v_judge_run *r, int n, const int *labels,
                              double *loss);

/* Labels of an item in the judge's canonical object order (sorted object
 * tuples): labels (n_attrs). */
void t2v_judge_canonical_labels(const t2v_judge_cfg *cfg, const t2v_data_attrs *attrs,
                                int *labels);

/* Predicted class of every attribute from one logit row (K). */
void t2v_judge_predict(const t2v_judge *j, const float *logits, int *pred);

/* Assigns predicted objects to the true objects to maximise the number of
 * matching attributes (identity first among ties); writes per-attribute
 * correctness (n_attrs, 0/1) in the true objects' order. */
void t2v_judge_match(const t2v_judge_cfg *cfg, const int *pred, const int *truth, int *correct);
/* The same assignment; writes the predictions (n_attrs) rearranged into the
 * true objects' order: matched[a] is what the judge said about truth[a]. */
void t2v_judge_matched_pred(const t2v_judge_cfg *cfg, const int *pred, const int *truth,
                            int *matched);

/* Weights file (architecture "judge"): configuration, provenance, the
 * accuracy on real test items and every tensor. Written atomically. */
t2v_status t2v_judge_save(t2v_judge *j, const char *path, const char *command);
/* be NULL opens a CPU backend with `threads`. */
t2v_status t2v_judge_load(const char *path, t2v_backend *be, int threads, t2v_judge **out);

#endif
