/* A convolutional trunk: the feature extractor of the judge's two trunks
 * and of the matching model's image encoder.
 *
 *   x (N, C, T, H, W)
 *   -> `layers` x [conv k4 s2 p1 along every axis of size >= 2, no bias,
 *                  batchnorm, ReLU], channels w0, 2 w0, 4 w0, ...
 *   -> global average pool -> feat (N, F), F = w0 << (layers - 1)
 *
 * A per-frame trunk (T2V_CTRUNK_PER_FRAME) uses temporal kernel 1 and keeps
 * every other frame in its first layer: it cannot see motion. A
 * spatio-temporal trunk (T2V_CTRUNK_SPACETIME) convolves over time too.
 *
 * Parameters "<prefix>.l<i>.conv.weight", ".bn.weight", ".bn.bias" go into
 * a parameter set, the running statistics ".bn.running_mean" /
 * ".bn.running_var" into a buffer set. */
#ifndef T2V_EVAL_CONV_TRUNK_H
#define T2V_EVAL_CONV_TRUNK_H

#include <stddef.h>
#include <stdint.h>

#include "models/net.h"

#define T2V_CTRUNK_MAX_LAYERS 6

enum { T2V_CTRUNK_PER_FRAME = 0, T2V_CTRUNK_SPACETIME = 1 };

typedef struct t2v_ctrunk_layer {
    t2v_conv_geom g;         /* batch 1; runs set g.n */
    int w, bn_g, bn_b;       /* parameter indices */
    int rm, rv;              /* running statistics (buffer indices) */
} t2v_ctrunk_layer;

typedef struct t2v_ctrunk {
    int used;
    int layers;
    t2v_ctrunk_layer layer[T2V_CTRUNK_MAX_LAYERS];
    int feat_dim;            /* channels of the last layer */
    int64_t feat_l;          /* positions averaged by the pooling */
    int64_t in_numel;        /* C T H W of one input */
} t2v_ctrunk;

/* Activations of one trunk for batches of up to N inputs. */
typedef struct t2v_ctrunk_run {
    float *conv[T2V_CTRUNK_MAX_LAYERS];  /* conv outputs, before batchnorm */
    float *act[T2V_CTRUNK_MAX_LAYERS];   /* after batchnorm + ReLU */
    float *mean[T2V_CTRUNK_MAX_LAYERS], *invstd[T2V_CTRUNK_MAX_LAYERS];
    float *dconv[T2V_CTRUNK_MAX_LAYERS], *dact[T2V_CTRUNK_MAX_LAYERS];
    float *feat, *dfeat;     /* (N, F) pooled, and its gradient (training) */
} t2v_ctrunk_run;

/* Declares the trunk's tensors for inputs (C, T, H, W). */
t2v_status t2v_ctrunk_declare(t2v_ctrunk *tr, t2v_params *ps, t2v_params *bufs,
                             const char *prefix, int kind, int C, int T, int H, int W,
                             int layers, int width0);

/* Kaiming-normal convolutions (ReLU gain) from Philox stream
 * (seed, stream0 + i) for layer i, unit batchnorm, running mean 0, var 1. */
t2v_status t2v_ctrunk_init(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                          t2v_params *bufs, uint64_t seed, uint64_t stream0);

/* Hands out the run's buffers for batch p->N; *ws_floats grows to the
 * convolution workspace the trunk needs. */
void t2v_ctrunk_plan(const t2v_ctrunk *tr, t2v_backend *be, t2v_plan *p, t2v_ctrunk_run *tn,
                    size_t *ws_floats);

/* x (n, C, T, H, W) on the backend -> tn->feat (n, F). Training uses batch
 * statistics (and updates the running ones). */
void t2v_ctrunk_forward(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       t2v_ctrunk_run *tn, const float *x, int n, float *ws, int training);

/* tn->dfeat (n, F) in -> parameter gradients (accumulate). No input
 * gradient. */
void t2v_ctrunk_backward(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                        t2v_ctrunk_run *tn, const float *x, int n, float *ws);

/* A trained trunk held fixed: scales[i] (n, C_i) on the backend receives
 * layer i's batchnorm at its running statistics, gamma / sqrt(var + eps),
 * for every one of n inputs. */
t2v_status t2v_ctrunk_frozen_scales(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                                   t2v_params *bufs, int n, float **scales);

/* After an inference-mode forward (training 0) of n inputs: tn->dfeat
 * (n, F) in -> dx (n, C, T, H, W), the gradient with respect to the input
 * (assigned), through batchnorm at the running statistics (scales from
 * t2v_ctrunk_frozen_scales). No parameter gradient; the run needs its
 * gradient buffers (planned for training). */
void t2v_ctrunk_input_grad(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                          t2v_ctrunk_run *tn, const float *x, int n, float *ws,
                          float *const *scales, float *dx);

#endif
