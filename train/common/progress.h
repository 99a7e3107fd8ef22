/* Progress of a training loop on stderr: step timing with an ETA, a
 * redrawn bar on a terminal or plain lines otherwise, the CSV log, and the
 * Ctrl-C / SIGTERM flag that ends the loop with a saved checkpoint. */
#ifndef T2V_TRAIN_PROGRESS_H
#define T2V_TRAIN_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* Monotonic seconds. */
double t2v_now_seconds(void);

/* SIGINT and SIGTERM set a flag (async-signal-safe) instead of ending the
 * process; t2v_interrupted() reads it. */
void t2v_interrupt_install(void);
int t2v_interrupted(void);

/* A data-set warning callback: "txt2vid: warning: MSG" on stderr. */
void t2v_print_data_warning(void *user, const char *msg);

/* Opens the CSV log of a run at step `start`: anew with its header line at
 * step 0; for a resumed run (start > 0) the existing log is kept up to
 * step `start` (later rows are taken again) and appended to, its header
 * widened with empty cells when the header gained columns at its end, and
 * written with the header when there was none. NULL after printing
 * "CMD: cannot ..." on failure. */
FILE *t2v_open_log(const char *cmd, const char *csv, int64_t start, const char *header);

typedef struct t2v_progress {
    double t0;          /* start of this invocation */
    double last_t;      /* end of the last step (or pause) */
    double now;         /* end of the last step */
    double last_print;  /* last time the bar was drawn */
    double ema;         /* exponential average of seconds per step */
    int tty, quiet;     /* a terminal gets the bar; quiet: nothing */
} t2v_progress;

enum { T2V_PROGRESS_NONE = 0, T2V_PROGRESS_BAR = 1, T2V_PROGRESS_LINE = 2 };

void t2v_progress_start(t2v_progress *p, int quiet);
/* Whether more than `minutes` (> 0) of this invocation have passed. */
int t2v_progress_out_of_time(const t2v_progress *p, double minutes);
/* After a step: its seconds (also folded into the average). */
double t2v_progress_tick(t2v_progress *p);
/* Time that is not training (evaluation): left out of the next step. */
void t2v_progress_pause(t2v_progress *p, double seconds);
/* What to print after `step` of `steps`: the bar (at most twice a second,
 * on a terminal), a plain line (every 50 steps and the last one), or
 * nothing. */
int t2v_progress_due(t2v_progress *p, int64_t step, int64_t steps);
/* Seconds left at the average step time. */
double t2v_progress_eta(const t2v_progress *p, int64_t step, int64_t steps);
/* A bar of `width` cells, '#' done and '.' to go (bar holds width + 1). */
void t2v_progress_bar(char *bar, int width, int64_t step, int64_t steps);
/* Ends the bar's line on a terminal. */
void t2v_progress_end(const t2v_progress *p);

#endif
