/* The adversarial loss shared by the GAN trainers: one matching-aware term
 * over a backend (hinge or binary cross-entropy on logits), and host sums
 * of device vectors (mean logits, loss values). */
#ifndef T2V_TRAIN_GAN_LOSS_H
#define T2V_TRAIN_GAN_LOSS_H

#include "backend/backend.h"

typedef enum t2v_gan_loss { T2V_LOSS_BCE = 0, T2V_LOSS_HINGE = 1 } t2v_gan_loss;

const char *t2v_loss_name(t2v_gan_loss l);

/* Device and host buffers one term works in. */
typedef struct t2v_gan_loss_ws {
    t2v_backend *be;
    t2v_gan_loss loss;
    float *loss_dev;            /* (M) per-logit losses on the device */
    const float *ones, *zeros;  /* (M) BCE targets on the device */
    float *loss_host;           /* (M) host copy of loss_dev */
} t2v_gan_loss_ws;

/* The loss of M logits toward `target` (+1 real, -1 fake, 0 the
 * generator's view of its fakes); gradient `scale` per logit into dlogit.
 * Returns the sum of the M per-logit losses (in double precision). */
double t2v_gan_loss_sum(const t2v_gan_loss_ws *ws, const float *logit, float *dlogit, int M,
                        int target, float scale);

/* Sum of n device floats: downloads into host (n floats) and adds them in
 * double precision. */
double t2v_device_sum(t2v_backend *be, float *host, const float *dev, int n);

#endif
