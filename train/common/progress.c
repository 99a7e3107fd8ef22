/* Step timing, progress output, the CSV log and the interrupt flag. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "train/common/progress.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void t2v_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int t2v_interrupted(void) { return interrupted != 0; }

double t2v_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void t2v_print_data_warning(void *user, const char *msg)
{
    (void)user;
    fprintf(stderr, "txt2vid: warning: %s\n", msg);
}

FILE *t2v_open_log(const char *cmd, const char *csv, int append, const char *header)
{
    FILE *log = fopen(csv, append ? "a" : "w");
    if (!log) {
        fprintf(stderr, "%s: cannot write %s: %s\n", cmd, csv, strerror(errno));
        return NULL;
    }
    if (!append)
        fputs(header, log);
    return log;
}

void t2v_progress_start(t2v_progress *p, int quiet)
{
    memset(p, 0, sizeof *p);
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO) && !quiet;
    p->t0 = p->last_t = p->now = t2v_now_seconds();
}

int t2v_progress_out_of_time(const t2v_progress *p, double minutes)
{
    return minutes > 0 && t2v_now_seconds() - p->t0 > minutes * 60.0;
}

double t2v_progress_tick(t2v_progress *p)
{
    double t = t2v_now_seconds(), dt = t - p->last_t;
    p->now = p->last_t = t;
    p->ema = p->ema == 0.0 ? dt : 0.95 * p->ema + 0.05 * dt;
    return dt;
}

void t2v_progress_pause(t2v_progress *p, double seconds) { p->last_t += seconds; }

int t2v_progress_due(t2v_progress *p, int64_t step, int64_t steps)
{
    if (p->tty) {
        if (p->now - p->last_print <= 0.5)
            return T2V_PROGRESS_NONE;
        p->last_print = p->now;
        return T2V_PROGRESS_BAR;
    }
    if (!p->quiet && (step % 50 == 0 || step == steps))
        return T2V_PROGRESS_LINE;
    return T2V_PROGRESS_NONE;
}

double t2v_progress_eta(const t2v_progress *p, int64_t step, int64_t steps)
{
    return p->ema * (double)(steps - step);
}

void t2v_progress_bar(char *bar, int width, int64_t step, int64_t steps)
{
    int fill = (int)((double)step / (double)steps * width);
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
}

void t2v_progress_end(const t2v_progress *p)
{
    if (p->tty)
        fprintf(stderr, "\n");
}
