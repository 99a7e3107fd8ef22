/* Step timing, progress output, the CSV log and the interrupt flag. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
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

/* Cells in a CSV line (no quoting in these logs). */
static int count_cells(const char *line)
{
    int n = 1;
    for (const char *c = line; *c && *c != '\n'; c++)
        n += *c == ',';
    return n;
}

/* Rewrites an existing log for a run resumed at `start`: rows of later
 * steps (written after the checkpoint by a run that was then killed) go,
 * since the resumed run takes those steps again, and so does a row cut
 * short; when the header has gained columns at its end (an option that
 * joined at this step), the header is replaced and older rows get empty
 * cells; a log without a header (rows from the start) gets one. A header
 * that differs otherwise keeps the old log as CSV.1. Returns 0, or -1
 * after printing why. */
static int resume_log(const char *cmd, const char *csv, int64_t start, const char *header)
{
    FILE *in = fopen(csv, "r");
    if (!in) {
        if (errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: cannot read %s: %s\n", cmd, csv, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    size_t hlen = strlen(header);
    int rows_first = n > 0 && line[0] >= '0' && line[0] <= '9';
    int has_header = n > 0 && !rows_first && line[n - 1] == '\n';
    size_t old_len = has_header ? (size_t)n - 1 : 0;
    int same = has_header && (size_t)n == hlen && !memcmp(line, header, hlen);
    int grown = has_header && !same && old_len < hlen && !memcmp(line, header, old_len) &&
                header[old_len] == ',';
    char tmp[4096], old[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", csv) >= sizeof tmp ||
        (size_t)snprintf(old, sizeof old, "%s.1", csv) >= sizeof old) {
        fprintf(stderr, "%s: %s: path too long\n", cmd, csv);
        fclose(in);
        free(line);
        return -1;
    }
    if (has_header && !same && !grown) {
        fclose(in);
        free(line);
        fprintf(stderr, "%s: warning: %s has other columns; kept as %s, a new log begins\n",
                cmd, csv, old);
        if (rename(csv, old) == 0)
            return 0;
        fprintf(stderr, "%s: cannot rename %s: %s\n", cmd, csv, strerror(errno));
        return -1;
    }
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "%s: cannot write %s: %s\n", cmd, tmp, strerror(errno));
        fclose(in);
        free(line);
        return -1;
    }
    int cells = count_cells(header);
    fputs(header, out);
    if (!rows_first)
        n = getline(&line, &cap, in);
    for (; n > 0 && line[n - 1] == '\n'; n = getline(&line, &cap, in)) {
        char *end;
        long long step = strtoll(line, &end, 10);
        if (end == line || *end != ',' || step > start)
            continue;
        line[n - 1] = 0;
        fputs(line, out);
        for (int i = count_cells(line); i < cells; i++)
            fputc(',', out);
        fputc('\n', out);
    }
    int bad = ferror(in);
    fclose(in);
    free(line);
    if (fclose(out) != 0 || bad || rename(tmp, csv) != 0) {
        fprintf(stderr, "%s: cannot rewrite %s: %s\n", cmd, csv, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

FILE *t2v_open_log(const char *cmd, const char *csv, int64_t start, const char *header)
{
    if (start > 0 && resume_log(cmd, csv, start, header) != 0)
        return NULL;
    FILE *log = fopen(csv, start > 0 ? "a" : "w");
    if (!log) {
        fprintf(stderr, "%s: cannot write %s: %s\n", cmd, csv, strerror(errno));
        return NULL;
    }
    if (ftell(log) == 0)
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
