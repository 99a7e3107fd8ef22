/* The judge's training loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/captions.h"
#include "train/eval/judge_train.h"

#define WARMUP_STEPS 20

/* Streams of the Philox draws that pick training items and their shifts. */
#define ITEM_STREAM 7001
#define SHIFT_STREAM 7002

void t2v_judge_train_opts_default(t2v_judge_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 600;
    o->batch = 32;
    o->lr = 2e-3f;
    o->seed = 1;
    o->progress_every = 50;
}

/* Moves every frame of clip (C, T, H, W) by (dy, dx) pixels: out(y, x) =
 * in(clamp(y - dy), clamp(x - dx)); tmp holds H W floats. */
void t2v_judge_shift_clip(float *clip, int C, int T, int H, int W, int dy, int dx, float *tmp)
{
    size_t hw = (size_t)H * W;
    for (int p = 0; p < C * T; p++) {
        float *plane = clip + (size_t)p * hw;
        memcpy(tmp, plane, hw * sizeof *tmp);
        for (int y = 0; y < H; y++) {
            int sy = y - dy < 0 ? 0 : (y - dy >= H ? H - 1 : y - dy);
            for (int x = 0; x < W; x++) {
                int sx = x - dx < 0 ? 0 : (x - dx >= W ? W - 1 : x - dx);
                plane[(size_t)y * W + x] = tmp[(size_t)sy * W + sx];
            }
        }
    }
}

/* Shifts of the B clips of a step, uniform in [-shift, shift]. */
static void shift_batch(const t2v_judge_cfg *c, uint64_t seed, int64_t step, int B, int shift,
                        float *clips, float *draws, float *tmp)
{
    size_t clip_n = (size_t)c->channels * c->frames * c->height * c->width;
    t2v_rng_uniform_host(draws, (size_t)2 * B, seed, SHIFT_STREAM, (uint64_t)step * 2 * B);
    for (int b = 0; b < B; b++) {
        int dy = (int)t2v_index_of_uniform(draws[2 * b], 2 * shift + 1) - shift;
        int dx = (int)t2v_index_of_uniform(draws[2 * b + 1], 2 * shift + 1) - shift;
        t2v_judge_shift_clip(clips + (size_t)b * clip_n, c->channels, c->frames, c->height,
                             c->width, dy, dx, tmp);
    }
}

/* One batch of random train items: clips (B, C, T, H, W), labels (B, A). */
static t2v_status load_batch(const t2v_judge *j, const t2v_dataset *ds, uint64_t seed,
                             int64_t step, int B, float *clips, int *labels, float *draws)
{
    long count = t2v_data_count(ds);
    size_t clip_n = (size_t)j->cfg.channels * j->cfg.frames * j->cfg.height * j->cfg.width;
    t2v_rng_uniform_host(draws, (size_t)B, seed, ITEM_STREAM, (uint64_t)step * (uint64_t)B);
    for (int b = 0; b < B; b++) {
        long i = t2v_index_of_uniform(draws[b], count);
        // a new epoch number per step: data sets that augment draw afresh
        t2v_status s = t2v_data_get(ds, i, (uint64_t)step, clips + (size_t)b * clip_n, NULL);
        t2v_data_attrs attrs;
        if (s == T2V_OK)
            s = t2v_data_attributes(ds, i, &attrs);
        if (s != T2V_OK)
            return t2v_fail(s, "judge training, item %ld: %s", i, t2v_data_last_error());
        t2v_judge_canonical_labels(&j->cfg, &attrs, labels + (size_t)b * j->cfg.n_attrs);
    }
    return T2V_OK;
}

t2v_status t2v_judge_train(const t2v_judge_train_opts *o, const t2v_dataset *train,
                           t2v_judge **out)
{
    *out = NULL;
    t2v_status s = t2v_fit_check("judge training", o->steps, o->batch, o->lr);
    if (s != T2V_OK)
        return s;
    if (o->shift < 0 || o->shift > 16)
        return t2v_fail(T2V_ERR_INVALID, "judge training: shift %d outside [0, 16]", o->shift);
    t2v_data_info info;
    t2v_data_get_info(train, &info);
    if (info.count < 1)
        return t2v_fail(T2V_ERR_INVALID, "judge training: data set %s is empty", info.name);
    t2v_judge_cfg cfg;
    s = t2v_judge_cfg_for(&cfg, info.name, info.channels, info.frames, info.height,
                                     info.width, &info.schema);
    if (s != T2V_OK)
        return s;
    if (o->width0 > 0) {
        cfg.motion_width0 = cfg.motion_width0 ? o->width0 : 0;
        cfg.shape_width0 = cfg.shape_width0 ? o->width0 : 0;
        cfg.width0 = o->width0;
    }
    if (o->shape_width0 > 0 && cfg.shape_width0)
        cfg.shape_width0 = o->shape_width0;
    if (o->shape_crop != 0 && cfg.shape_width0)
        cfg.shape_crop = o->shape_crop > 0 ? o->shape_crop : 0;
    t2v_judge *j = NULL;
    s = t2v_judge_new(&cfg, NULL, o->threads, o->seed, 1, &j);
    if (s != T2V_OK)
        return s;
    t2v_judge_run r;
    s = t2v_judge_run_init(j, &r, o->batch, 1);
    if (s != T2V_OK) {
        t2v_judge_free(j);
        return s;
    }
    size_t clip_n = (size_t)cfg.channels * cfg.frames * cfg.height * cfg.width;
    float *clips = malloc((size_t)o->batch * clip_n * sizeof *clips);
    int *labels = malloc((size_t)o->batch * cfg.n_attrs * sizeof *labels);
    float *draws = malloc((size_t)2 * o->batch * sizeof *draws);
    float *tmp = malloc((size_t)cfg.height * cfg.width * sizeof *tmp);
    if (!clips || !labels || !draws || !tmp)
        s = t2v_fail(T2V_ERR_NOMEM, "judge training: out of memory");
    t2v_adam adam = t2v_fit_adam(o->lr);
    t2v_fit_report rep;
    t2v_fit_report_start(&rep, o->progress, o->user, o->progress_every, 50, o->steps);
    for (int64_t step = 0; step < o->steps && s == T2V_OK; step++) {
        double loss = 0.0;
        s = load_batch(j, train, o->seed, step, o->batch, clips, labels, draws);
        if (s == T2V_OK && o->shift > 0)
            shift_batch(&cfg, o->seed, step, o->batch, o->shift, clips, draws, tmp);
        if (s == T2V_OK)
            s = t2v_params_zero_grad(&j->params);
        if (s == T2V_OK)
            s = t2v_judge_forward(j, &r, clips, o->batch, NULL, NULL);
        if (s == T2V_OK)
            s = t2v_judge_backward(j, &r, o->batch, labels, &loss);
        if (s == T2V_OK) {
            adam.lr = t2v_fit_lr(o->lr, WARMUP_STEPS, o->steps, step);
            s = t2v_adam_step(&adam, &j->params);
        }
        if (s == T2V_OK && !isfinite(loss))
            s = t2v_fail(T2V_ERR_INVALID, "judge training diverged at step %lld",
                         (long long)step);
        if (s == T2V_OK)
            t2v_fit_report_step(&rep, step, loss);
    }
    if (s == T2V_OK)
        s = t2v_backend_sync(j->be);
    free(clips);
    free(labels);
    free(draws);
    free(tmp);
    t2v_judge_run_release(&r);
    if (s != T2V_OK) {
        t2v_judge_free(j);
        return s;
    }
    j->train_steps = o->steps;
    j->train_seed = o->seed;
    j->train_seconds = t2v_fit_report_seconds(&rep);
    *out = j;
    return T2V_OK;
}
