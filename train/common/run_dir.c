/* The run folder of a training command and the paths inside it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train/common/run_dir.h"

int t2v_make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int t2v_default_run_dir(char *out, size_t size, const char *data, const char *tag,
                        const char *preset)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char base[900], data_name[512];
    if (xdg && *xdg) snprintf(base, sizeof base, "%s/txt2vid/runs", xdg);
    else snprintf(base, sizeof base, "%s/.cache/txt2vid/runs", home ? home : ".");
    snprintf(data_name, sizeof data_name, "%s", data);
    for (char *p = data_name; *p; p++)
        if (*p == '/' || *p == ':')
            *p = '_';
    int n = snprintf(out, size, "%s/%s-%s%s", base, data_name, tag, preset);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int t2v_run_files_prepare(t2v_run_files *f, const char *cmd, const char *run_dir,
                          const char *data, const char *tag, const char *preset,
                          const char *log_suffix, const char *out)
{
    if (run_dir) {
        snprintf(f->dir, sizeof f->dir, "%s", run_dir);
    } else if (t2v_default_run_dir(f->dir, sizeof f->dir, data, tag, preset) != 0) {
        fprintf(stderr, "%s: run folder name too long\n", cmd);
        return 2;
    }
    snprintf(f->ckpt, sizeof f->ckpt, "%s/checkpoint.gguf", f->dir);
    snprintf(f->csv, sizeof f->csv, "%.1024s/log%.40s.csv", f->dir, log_suffix);
    snprintf(f->plot, sizeof f->plot, "%.1024s/loss%.40s.png", f->dir, log_suffix);
    snprintf(f->samples, sizeof f->samples, "%s/samples", f->dir);
    if (out)
        snprintf(f->out, sizeof f->out, "%s", out);
    else
        snprintf(f->out, sizeof f->out, "%s/model.gguf", f->dir);
    if (t2v_make_dirs(f->samples) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", cmd, f->samples, strerror(errno));
        return 1;
    }
    return 0;
}
