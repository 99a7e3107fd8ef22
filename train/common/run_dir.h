/* A training run's folder: where it lies by default, the files in it
 * (checkpoint, CSV log, loss plot, sample sheets, model) and creating it. */
#ifndef T2V_TRAIN_RUN_DIR_H
#define T2V_TRAIN_RUN_DIR_H

#include <stddef.h>

/* mkdir -p: 0, or -1 with errno set. */
int t2v_make_dirs(const char *path);

/* $XDG_CACHE_HOME/txt2vid/runs (or ~/.cache/txt2vid/runs)/DATA-TAGPRESET,
 * with '/' and ':' of the data set name made '_'; tag is "" or e.g.
 * "stackgan-". Returns -1 when the name does not fit. */
int t2v_default_run_dir(char *out, size_t size, const char *data, const char *tag,
                        const char *preset);

typedef struct t2v_run_files {
    char dir[1024];
    char ckpt[1100];     /* DIR/checkpoint.gguf */
    char csv[1100];      /* DIR/logSUFFIX.csv */
    char plot[1100];     /* DIR/lossSUFFIX.png */
    char samples[1100];  /* DIR/samples */
    char out[1100];      /* the model written at the end: OUT or DIR/model.gguf */
} t2v_run_files;

/* Fills f from the --run-dir (NULL: the default folder for data, tag and
 * preset) and --out (NULL: DIR/model.gguf) options and creates DIR/samples.
 * Returns 0, or prints why after "CMD: " and returns the exit status (2: a
 * name too long, 1: a folder that cannot be made). */
int t2v_run_files_prepare(t2v_run_files *f, const char *cmd, const char *run_dir,
                          const char *data, const char *tag, const char *preset,
                          const char *log_suffix, const char *out);

#endif
