/* The adversarial loss term and device sums of the GAN trainers. */
#include "train/common/gan_loss.h"

const char *t2v_loss_name(t2v_gan_loss l) { return l == T2V_LOSS_HINGE ? "hinge" : "bce"; }

double t2v_device_sum(t2v_backend *be, float *host, const float *dev, int n)
{
    t2v_backend_download(be, host, dev, (size_t)n * sizeof(float));
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += host[i];
    return sum;
}

double t2v_gan_loss_sum(const t2v_gan_loss_ws *ws, const float *logit, float *dlogit, int M,
                        int target, float scale)
{
    t2v_backend *be = ws->be;
    if (ws->loss == T2V_LOSS_HINGE)
        be->k->hinge(be, ws->loss_dev, dlogit, logit, (float)target, M, scale);
    else
        be->k->bce_logits(be, ws->loss_dev, dlogit, logit, target < 0 ? ws->zeros : ws->ones, M,
                          scale);
    return t2v_device_sum(be, ws->loss_host, ws->loss_dev, M);
}
