/* The options every training command takes (--preset, --data, --steps,
 * --batch, --seed, --loss, --head, --sn, --d-bn, --g-text, --lr-g/--lr-d,
 * --beta1/--beta2, --near-miss,
 * --train-count,
 * --run-dir, --out, --resume, --minutes, --ckpt-every, --sample-every,
 * --threads, --device, --gpu-id, --quiet, --help) and the getopt loop that
 * reads them along with a command's own options. */
#ifndef T2V_TRAIN_RUN_OPTS_H
#define T2V_TRAIN_RUN_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "txt2vid/nn.h"

typedef struct t2v_run_opts {
    const char *preset, *data, *run_dir, *out;
    int64_t steps;
    int batch, threads, resume, quiet, have_seed;
    long train_count;
    uint64_t seed;
    int loss, head, sn, d_bn;   /* -1: preset's */
    int shared_text;            /* -1: preset's */
    float lr_g, lr_d;           /* < 0: preset's */
    float beta1, beta2;         /* < 0: preset's */
    float near_miss;            /* < 0: preset's */
    double minutes;
    int ckpt_every, sample_every;
    t2v_device device;          /* where the networks train (default auto) */
    int gpu_id;                 /* which CUDA device (default 0) */
} t2v_run_opts;

enum {
    T2V_OPT_PRESET = 256, T2V_OPT_DATA, T2V_OPT_STEPS, T2V_OPT_BATCH, T2V_OPT_SEED,
    T2V_OPT_LOSS, T2V_OPT_HEAD, T2V_OPT_SN, T2V_OPT_LRG, T2V_OPT_LRD, T2V_OPT_COUNT,
    T2V_OPT_RUN, T2V_OPT_OUT, T2V_OPT_RESUME, T2V_OPT_MIN, T2V_OPT_CKPT, T2V_OPT_SAMPLE,
    T2V_OPT_THREADS, T2V_OPT_QUIET, T2V_OPT_HELP, T2V_OPT_DBN, T2V_OPT_BETA1, T2V_OPT_BETA2, T2V_OPT_GTEXT,
    T2V_OPT_DEVICE, T2V_OPT_GPU, T2V_OPT_NEAR,
    T2V_OPT_OWN  /* the first code of a command's own options */
};

/* The shared entries of a command's struct option table. */
#define T2V_RUN_LONGOPTS                                                                  \
    {"preset", 1, 0, T2V_OPT_PRESET}, {"data", 1, 0, T2V_OPT_DATA},                      \
    {"steps", 1, 0, T2V_OPT_STEPS}, {"batch", 1, 0, T2V_OPT_BATCH},                      \
    {"seed", 1, 0, T2V_OPT_SEED}, {"loss", 1, 0, T2V_OPT_LOSS},                          \
    {"head", 1, 0, T2V_OPT_HEAD}, {"sn", 1, 0, T2V_OPT_SN}, {"lr-g", 1, 0, T2V_OPT_LRG},  \
    {"lr-d", 1, 0, T2V_OPT_LRD}, {"train-count", 1, 0, T2V_OPT_COUNT},                   \
    {"run-dir", 1, 0, T2V_OPT_RUN}, {"out", 1, 0, T2V_OPT_OUT},                          \
    {"resume", 0, 0, T2V_OPT_RESUME}, {"minutes", 1, 0, T2V_OPT_MIN},                    \
    {"ckpt-every", 1, 0, T2V_OPT_CKPT}, {"sample-every", 1, 0, T2V_OPT_SAMPLE},          \
    {"threads", 1, 0, T2V_OPT_THREADS}, {"quiet", 0, 0, T2V_OPT_QUIET},                  \
    {"d-bn", 1, 0, T2V_OPT_DBN}, {"beta1", 1, 0, T2V_OPT_BETA1},                          \
    {"beta2", 1, 0, T2V_OPT_BETA2}, {"device", 1, 0, T2V_OPT_DEVICE},                   \
    {"gpu-id", 1, 0, T2V_OPT_GPU}, {"g-text", 1, 0, T2V_OPT_GTEXT},                     \
    {"near-miss", 1, 0, T2V_OPT_NEAR}, {"help", 0, 0, T2V_OPT_HELP}

/* A command's own option `code` with its argument: 0, or -1 for a bad
 * value. */
typedef int (*t2v_own_opt_fn)(void *user, int code, const char *arg);

/* Defaults (preset "small", seed 1, checkpoints every 200 steps, samples
 * every 500, everything else the preset's), then getopt_long over argv with
 * longopts (T2V_RUN_LONGOPTS and the command's own, ending in a zero
 * entry). Returns 0 to run, 1 after printing usage for --help, 2 after
 * printing a usage error prefixed by cmd ("txt2vid train"). */
int t2v_run_opts_parse(int argc, char **argv, const char *cmd, const struct option *longopts,
                       t2v_run_opts *o, t2v_own_opt_fn own, void *user, void (*usage)(FILE *));

/* Prints why a trainer could not be built (status s, t2v_last_error());
 * when --device cuda found no usable device, says so and how to train on
 * the CPU instead. */
void t2v_run_opts_open_error(const char *cmd, const t2v_run_opts *o, t2v_status s);

/* Applies the options a recipe of either trainer shares (data, batch,
 * seed, loss, head, sn, d_bn, lr_g, lr_d, beta1, beta2, train_count,
 * shared_text, near_miss) to a
 * recipe struct. */
#define T2V_RUN_OPTS_APPLY(o, rc)                                                  \
    do {                                                                           \
        if ((o)->data) snprintf((rc)->data, sizeof (rc)->data, "%s", (o)->data);    \
        if ((o)->batch) (rc)->batch = (o)->batch;                                  \
        if ((o)->have_seed) (rc)->seed = (o)->seed;                                \
        if ((o)->loss >= 0) (rc)->loss = (t2v_gan_loss)(o)->loss;                  \
        if ((o)->head >= 0) (rc)->head = (t2v_head_kind)(o)->head;                 \
        if ((o)->sn >= 0) (rc)->sn = (o)->sn;                                      \
        if ((o)->lr_g > 0) (rc)->lr_g = (o)->lr_g;                                 \
        if ((o)->lr_d > 0) (rc)->lr_d = (o)->lr_d;                                 \
        if ((o)->d_bn >= 0) (rc)->d_bn = (o)->d_bn;                                \
        if ((o)->shared_text >= 0) (rc)->shared_text = (o)->shared_text;           \
        if ((o)->beta1 >= 0) (rc)->beta1 = (o)->beta1;                             \
        if ((o)->beta2 >= 0) (rc)->beta2 = (o)->beta2;                             \
        if ((o)->train_count) (rc)->train_count = (o)->train_count;                \
        if ((o)->near_miss >= 0) (rc)->near_miss = (o)->near_miss;                 \
    } while (0)

#endif
