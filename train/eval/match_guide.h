/* A trained matching model (match.h) held fixed as a training signal for
 * an image generator: besides fooling its discriminator, the generator is
 * asked to make images that the matching model pairs with their own
 * captions.
 *
 *   images x (N, C, side, side) on the generator's backend
 *     -> to the model's size (a power of two apart): box filter down or
 *        nearest upsampling up
 *     -> image encoder (batchnorm at its running statistics) -> u (N, dim)
 *   captions (data set indices, encoded once with the model's vocabulary)
 *     -> text encoder -> v (N, dim)
 *   loss = t2v_match_loss(u, v, N, dim, temperature): each image picks its
 *     caption among the batch's and each caption its image
 *
 * Only the images receive a gradient; the model never changes. */
#ifndef T2V_EVAL_MATCH_GUIDE_H
#define T2V_EVAL_MATCH_GUIDE_H

#include "train/common/captions.h"
#include "train/eval/match.h"

typedef struct t2v_match_guide {
    t2v_match *m;
    t2v_match_run run;              /* batch N, with gradient buffers */
    t2v_encoded_captions caps;      /* the data set's captions in the model's words */
    int N, channels, side;
    int steps;                      /* > 0: halvings to the model's size, < 0: doublings */
    float *scales[T2V_CTRUNK_MAX_LAYERS]; /* frozen batchnorm, (N, C_i) */
    float *level[8];                /* level[h]: the images after h steps (h >= 1) */
    float *dlevel[8];               /* dlevel[h]: a gradient at the size of h steps */
    float *u, *v, *du;              /* (N, dim) host */
    int32_t *ids;
    int *len;
    float *dev;                     /* one backend allocation behind scales and box */
} t2v_match_guide;

/* Opens the model at `path` on backend `be` for batches of N >= 2 images of
 * (channels, side, side) whose captions are the n_captions captions of
 * data set `ds` (the one the generator trains on). Fails with a message
 * naming the file when it is no matching model, or its image size or
 * channels cannot read the generator's. */
t2v_status t2v_match_guide_open(t2v_match_guide *g, const char *path, t2v_backend *be,
                                t2v_dataset *ds, long n_captions, int N, int channels, int side);
void t2v_match_guide_close(t2v_match_guide *g);

/* images (N, C, side, side) on the backend and the data set indices of
 * their N captions: *loss = the matching loss; dimages (same shape, on the
 * backend) += weight * dloss/dimages. */
t2v_status t2v_match_guide_step(t2v_match_guide *g, const float *images, const long *captions,
                                float weight, float *dimages, double *loss);

#endif
