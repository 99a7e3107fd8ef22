/* The matching model's training loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/match_loss.h"
#include "train/eval/match_train.h"

#define WARMUP_STEPS 50
#define ITEM_STREAM 7101   /* Philox stream of the item draws */

void t2v_match_train_opts_default(t2v_match_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 2000;
    o->batch = 32;
    o->lr = 1e-3f;
    o->seed = 1;
    o->progress_every = 100;
}

t2v_status t2v_match_batch(const t2v_dataset *ds, const t2v_encoded_captions *caps,
                           const long *items, int B, uint64_t epoch, float *images,
                           int32_t *ids, int *len)
{
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    size_t img_n = (size_t)info.channels * info.frames * info.height * info.width;
    for (int b = 0; b < B; b++) {
        t2v_status s = t2v_data_get(ds, items[b], epoch, images + (size_t)b * img_n, NULL);
        if (s != T2V_OK)
            return t2v_fail(s, "matching model, item %ld: %s", items[b], t2v_data_last_error());
        long k = t2v_data_caption_index(ds, items[b], epoch);
        if (k < 0 || k >= caps->n)
            return t2v_fail(T2V_ERR_INVALID, "matching model: item %ld has no caption",
                            items[b]);
        t2v_encoded_captions_copy(caps, k, ids, len, b);
    }
    return T2V_OK;
}

t2v_status t2v_match_step_grad(t2v_match *m, t2v_match_run *r, const float *images,
                               const int32_t *ids, const int *len, double *loss,
                               float *host_u, float *host_v, float *host_du, float *host_dv)
{
    int N = r->N, dim = m->cfg.dim;
    t2v_status s = t2v_params_zero_grad(&m->params);
    if (s == T2V_OK)
        s = t2v_match_images(m, r, images, host_u);
    if (s == T2V_OK)
        s = t2v_match_captions(m, r, ids, len, host_v);
    if (s != T2V_OK)
        return s;
    *loss = t2v_match_loss(host_u, host_v, N, dim, m->cfg.temperature, host_du, host_dv);
    if (!isfinite(*loss))
        return t2v_fail(T2V_ERR_INVALID, "matching model: loss is not finite");
    size_t bytes = (size_t)N * dim * sizeof(float);
    s = t2v_backend_upload(m->be, r->du, host_du, bytes);
    if (s == T2V_OK)
        s = t2v_backend_upload(m->be, r->dv, host_dv, bytes);
    if (s == T2V_OK)
        t2v_match_backward(m, r);
    return s;
}

t2v_status t2v_match_train(const t2v_match_train_opts *o, t2v_dataset *train, t2v_match **out)
{
    *out = NULL;
    t2v_status s = t2v_fit_check("matching model", o->steps, o->batch, o->lr);
    if (s != T2V_OK)
        return s;
    t2v_data_info info;
    t2v_data_get_info(train, &info);
    if (info.count < o->batch || info.frames != 1)
        return t2v_fail(T2V_ERR_INVALID, "matching model: data set %s needs still images and "
                        "at least %d items", info.name, o->batch);
    t2v_match_cfg cfg;
    s = t2v_match_cfg_for(&cfg, info.name, info.channels, info.height, info.width, 0);
    if (s != T2V_OK)
        return s;
    t2v_vocab vocab;
    t2v_encoded_captions caps;
    memset(&vocab, 0, sizeof vocab);
    memset(&caps, 0, sizeof caps);
    s = t2v_encoded_captions_build(&caps, &vocab, 1, train, info.n_captions, cfg.text.max_words,
                                   info.name);
    cfg.text.vocab = vocab.count;
    t2v_match *m = NULL;
    if (s == T2V_OK)
        s = t2v_match_new(&cfg, &vocab, NULL, o->threads, o->seed, 1, &m);
    t2v_vocab_free(&vocab);
    t2v_match_run r;
    memset(&r, 0, sizeof r);
    if (s == T2V_OK)
        s = t2v_match_run_init(m, &r, o->batch, 1);
    int B = o->batch, T = cfg.text.max_words, dim = cfg.dim;
    size_t img_n = (size_t)cfg.channels * cfg.height * cfg.width;
    float *images = malloc((size_t)B * img_n * sizeof *images);
    int32_t *ids = calloc((size_t)B * T, sizeof *ids);
    int *len = malloc((size_t)B * sizeof *len);
    long *items = malloc((size_t)B * sizeof *items);
    float *draws = malloc((size_t)B * sizeof *draws);
    float *hu = malloc((size_t)B * dim * sizeof *hu), *hv = malloc((size_t)B * dim * sizeof *hv);
    float *hdu = malloc((size_t)B * dim * sizeof *hdu), *hdv = malloc((size_t)B * dim * sizeof *hdv);
    if (s == T2V_OK && (!images || !ids || !len || !items || !draws || !hu || !hv || !hdu || !hdv))
        s = t2v_fail(T2V_ERR_NOMEM, "matching model: out of memory");
    t2v_adam adam = t2v_fit_adam(o->lr);
    t2v_fit_report rep;
    t2v_fit_report_start(&rep, o->progress, o->user, o->progress_every, 100, o->steps);
    for (int64_t step = 0; step < o->steps && s == T2V_OK; step++) {
        t2v_rng_uniform_host(draws, (size_t)B, o->seed, ITEM_STREAM, (uint64_t)step * B);
        for (int b = 0; b < B; b++)
            items[b] = t2v_index_of_uniform(draws[b], info.count);
        double loss = 0.0;
        s = t2v_match_batch(train, &caps, items, B, (uint64_t)step, images, ids, len);
        if (s == T2V_OK)
            s = t2v_match_step_grad(m, &r, images, ids, len, &loss, hu, hv, hdu, hdv);
        if (s == T2V_OK) {
            adam.lr = t2v_fit_lr(o->lr, WARMUP_STEPS, o->steps, step);
            s = t2v_adam_step(&adam, &m->params);
        }
        if (s == T2V_OK)
            t2v_fit_report_step(&rep, step, loss);
    }
    if (s == T2V_OK)
        s = t2v_backend_sync(m->be);
    free(images); free(ids); free(len); free(items); free(draws);
    free(hu); free(hv); free(hdu); free(hdv);
    t2v_match_run_release(&r);
    t2v_encoded_captions_free(&caps);
    if (s != T2V_OK) {
        t2v_match_free(m);
        return s;
    }
    m->train_steps = o->steps;
    m->train_seed = o->seed;
    m->train_seconds = t2v_fit_report_seconds(&rep);
    m->train_loss = rep.last_mean;
    *out = m;
    return T2V_OK;
}
