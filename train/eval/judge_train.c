/* The judge's training loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/status_internal.h"
#include "train/eval/judge_train.h"

#define WARMUP_STEPS 20
#define FINAL_LR_FRACTION 0.02f

/* Stream of the Philox draws that pick training items. */
#define ITEM_STREAM 7001

void t2v_judge_train_opts_default(t2v_judge_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 600;
    o->batch = 32;
    o->lr = 2e-3f;
    o->seed = 1;
    o->progress_every = 50;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float learning_rate(const t2v_judge_train_opts *o, int64_t step)
{
    if (step < WARMUP_STEPS)
        return o->lr * (float)(step + 1) / (float)WARMUP_STEPS;
    double span = (double)(o->steps - WARMUP_STEPS);
    double u = span > 0 ? (double)(step - WARMUP_STEPS) / span : 1.0;
    double cosine = 0.5 * (1.0 + cos(M_PI * (u > 1.0 ? 1.0 : u)));
    return o->lr * (FINAL_LR_FRACTION + (1.0f - FINAL_LR_FRACTION) * (float)cosine);
}

/* One batch of random train items: clips (B, C, T, H, W), labels (B, A). */
static t2v_status load_batch(const t2v_judge *j, const t2v_dataset *ds, uint64_t seed,
                             int64_t step, int B, float *clips, int *labels, float *draws)
{
    long count = t2v_data_count(ds);
    size_t clip_n = (size_t)j->cfg.channels * j->cfg.frames * j->cfg.height * j->cfg.width;
    t2v_rng_uniform_host(draws, (size_t)B, seed, ITEM_STREAM, (uint64_t)step * (uint64_t)B);
    for (int b = 0; b < B; b++) {
        long i = (long)((double)draws[b] * (double)count);
        if (i >= count)
            i = count - 1;
        if (i < 0)
            i = 0;
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
    if (o->steps < 1 || o->batch < 2 || !(o->lr > 0.0f))
        return t2v_fail(T2V_ERR_INVALID, "judge training: steps %lld, batch %d, lr %g",
                        (long long)o->steps, o->batch, (double)o->lr);
    t2v_data_info info;
    t2v_data_get_info(train, &info);
    if (info.count < 1)
        return t2v_fail(T2V_ERR_INVALID, "judge training: data set %s is empty", info.name);
    t2v_judge_cfg cfg;
    t2v_status s = t2v_judge_cfg_for(&cfg, info.name, info.channels, info.frames, info.height,
                                     info.width, &info.schema);
    if (s != T2V_OK)
        return s;
    if (o->width0 > 0) {
        cfg.motion_width0 = cfg.motion_width0 ? o->width0 : 0;
        cfg.width0 = o->width0;
    }
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
    float *draws = malloc((size_t)o->batch * sizeof *draws);
    if (!clips || !labels || !draws)
        s = t2v_fail(T2V_ERR_NOMEM, "judge training: out of memory");
    t2v_adam adam = {.lr = o->lr, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                     .weight_decay = 1e-4f, .step = 0};
    double start = now_seconds(), loss_avg = 0.0;
    int every = o->progress_every > 0 ? o->progress_every : 50, in_avg = 0;
    for (int64_t step = 0; step < o->steps && s == T2V_OK; step++) {
        double loss = 0.0;
        s = load_batch(j, train, o->seed, step, o->batch, clips, labels, draws);
        if (s == T2V_OK)
            s = t2v_params_zero_grad(&j->params);
        if (s == T2V_OK)
            s = t2v_judge_forward(j, &r, clips, o->batch, NULL, NULL);
        if (s == T2V_OK)
            s = t2v_judge_backward(j, &r, o->batch, labels, &loss);
        if (s == T2V_OK) {
            adam.lr = learning_rate(o, step);
            s = t2v_adam_step(&adam, &j->params);
        }
        if (s == T2V_OK && !isfinite(loss))
            s = t2v_fail(T2V_ERR_INVALID, "judge training diverged at step %lld",
                         (long long)step);
        loss_avg += loss;
        in_avg++;
        if (s == T2V_OK && o->progress && ((step + 1) % every == 0 || step + 1 == o->steps)) {
            o->progress(o->user, step + 1, o->steps, loss_avg / in_avg, now_seconds() - start);
            loss_avg = 0.0;
            in_avg = 0;
        }
    }
    if (s == T2V_OK)
        s = t2v_backend_sync(j->be);
    free(clips);
    free(labels);
    free(draws);
    t2v_judge_run_release(&r);
    if (s != T2V_OK) {
        t2v_judge_free(j);
        return s;
    }
    j->train_steps = o->steps;
    j->train_seed = o->seed;
    j->train_seconds = now_seconds() - start;
    *out = j;
    return T2V_OK;
}
