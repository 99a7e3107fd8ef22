/* The bookkeeping both evaluation models' training loops share (the judge
 * and the matching model): the options every loop takes, the learning
 * rate (linear warm-up, then a cosine decay to 2% of the peak), the Adam
 * settings, and the running loss reported every few steps. */
#ifndef T2V_EVAL_FIT_LOOP_H
#define T2V_EVAL_FIT_LOOP_H

#include <stdint.h>

#include "txt2vid/nn.h"

/* Called every `every` steps and after the last one with the mean loss of
 * the steps since the last call and the seconds since the start. */
typedef void (*t2v_fit_progress_fn)(void *user, int64_t step, int64_t steps, double loss,
                                    double seconds);

/* Fails (T2V_ERR_INVALID, "WHAT: steps S, batch B, lr X") unless steps >= 1,
 * batch >= 2 and lr > 0. */
t2v_status t2v_fit_check(const char *what, int64_t steps, int batch, float lr);

/* Learning rate of `step` (0-based) of `steps`: peak (step + 1) / warmup
 * during the warm-up, then peak (0.02 + 0.98 (1 + cos(pi u)) / 2) with u
 * going from 0 to 1 over the remaining steps. */
float t2v_fit_lr(float peak, int64_t warmup, int64_t steps, int64_t step);

/* Adam at learning rate lr: betas 0.9 / 0.999, eps 1e-8, weight decay 1e-4. */
t2v_adam t2v_fit_adam(float lr);

/* The running loss between reports. */
typedef struct t2v_fit_report {
    t2v_fit_progress_fn fn;  /* NULL: nothing is called */
    void *user;
    int every;
    int64_t steps;
    double start;            /* monotonic seconds at the start */
    double sum;              /* losses since the last report */
    int n;
    double last_mean;        /* mean loss of the last report (0 before) */
} t2v_fit_report;

/* every <= 0 takes default_every. Starts the clock. */
void t2v_fit_report_start(t2v_fit_report *r, t2v_fit_progress_fn fn, void *user, int every,
                          int default_every, int64_t steps);
/* After step `step` (0-based) with its loss: reports when step + 1 is a
 * multiple of `every` or the last step. */
void t2v_fit_report_step(t2v_fit_report *r, int64_t step, double loss);
/* Seconds since the start. */
double t2v_fit_report_seconds(const t2v_fit_report *r);

#endif
