/* Learning rate, Adam settings and loss reports of the evaluation models'
 * training loops (fit_loop.h). */
#include <math.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/progress.h"
#include "train/eval/fit_loop.h"

#define FINAL_LR_FRACTION 0.02f

t2v_status t2v_fit_check(const char *what, int64_t steps, int batch, float lr)
{
    if (steps < 1 || batch < 2 || !(lr > 0.0f))
        return t2v_fail(T2V_ERR_INVALID, "%s: steps %lld, batch %d, lr %g", what,
                        (long long)steps, batch, (double)lr);
    return T2V_OK;
}

float t2v_fit_lr(float peak, int64_t warmup, int64_t steps, int64_t step)
{
    if (step < warmup)
        return peak * (float)(step + 1) / (float)warmup;
    double span = (double)(steps - warmup);
    double u = span > 0 ? (double)(step - warmup) / span : 1.0;
    double cosine = 0.5 * (1.0 + cos(M_PI * (u > 1.0 ? 1.0 : u)));
    return peak * (FINAL_LR_FRACTION + (1.0f - FINAL_LR_FRACTION) * (float)cosine);
}

t2v_adam t2v_fit_adam(float lr)
{
    return (t2v_adam){.lr = lr, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                      .weight_decay = 1e-4f, .step = 0};
}

void t2v_fit_report_start(t2v_fit_report *r, t2v_fit_progress_fn fn, void *user, int every,
                          int default_every, int64_t steps)
{
    memset(r, 0, sizeof *r);
    r->fn = fn;
    r->user = user;
    r->every = every > 0 ? every : default_every;
    r->steps = steps;
    r->start = t2v_now_seconds();
}

void t2v_fit_report_step(t2v_fit_report *r, int64_t step, double loss)
{
    r->sum += loss;
    r->n++;
    if ((step + 1) % r->every != 0 && step + 1 != r->steps)
        return;
    r->last_mean = r->sum / r->n;
    if (r->fn)
        r->fn(r->user, step + 1, r->steps, r->last_mean, t2v_fit_report_seconds(r));
    r->sum = 0.0;
    r->n = 0;
}

double t2v_fit_report_seconds(const t2v_fit_report *r) { return t2v_now_seconds() - r->start; }
