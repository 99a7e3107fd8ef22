/* `txt2vid match`: train the matching model (image and caption encoders in
 * one space) on real data, and measure its R-precision on real test
 * images. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/eval/match_rprec.h"
#include "train/eval/match_train.h"

static void match_usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid match train --data NAME --out FILE [options]\n"
            "       txt2vid match test --match FILE [--count N] [--data-dir DIR]\n"
            "\n"
            "train: trains an image encoder and a caption encoder whose cosine similarity\n"
            "scores how well a caption describes an image (the R-precision of `txt2vid eval\n"
            "--match`), on the train split's real images and captions, then measures the\n"
            "R-precision of real test images (true caption against 99 mismatching ones).\n"
            "  --data NAME       a data set of captioned still images (scenes)\n"
            "  --out FILE        weights file to write (atomically)\n"
            "  --steps N         training steps (default 2000)\n"
            "  --batch N         images per step (default 32)\n"
            "  --lr X            peak Adam learning rate (default 0.001)\n"
            "  --seed S          initial weights and item draws (default 1)\n"
            "  --count N         real test items measured (default 500)\n"
            "  --threads N       CPU threads (default: every core)\n"
            "  --data-dir DIR    glyph caches (default $TXT2VID_DATA_DIR or the cache folder)\n"
            "test: prints the R-precision of real test images.\n");
}

typedef struct match_args {
    const char *data, *out, *match, *data_dir;
    long long steps;
    int batch, threads;
    float lr;
    unsigned long long seed;
    long count;
} match_args;

static int parse_match(int argc, char **argv, match_args *a)
{
    enum { O_DATA = 256, O_OUT, O_MATCH, O_STEPS, O_BATCH, O_LR, O_SEED, O_COUNT, O_THREADS,
           O_DIR, O_HELP };
    static const struct option longopts[] = {
        {"data", 1, 0, O_DATA}, {"out", 1, 0, O_OUT}, {"match", 1, 0, O_MATCH},
        {"steps", 1, 0, O_STEPS}, {"batch", 1, 0, O_BATCH}, {"lr", 1, 0, O_LR},
        {"seed", 1, 0, O_SEED}, {"count", 1, 0, O_COUNT}, {"threads", 1, 0, O_THREADS},
        {"data-dir", 1, 0, O_DIR}, {"help", 0, 0, O_HELP}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->steps = 2000;
    a->batch = 32;
    a->lr = 1e-3f;
    a->seed = 1;
    a->count = 500;
    optind = 1;
    int c;
    char *end = NULL;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_MATCH: a->match = optarg; break;
        case O_DIR: a->data_dir = optarg; break;
        case O_STEPS: a->steps = strtoll(optarg, &end, 10); if (*end || a->steps < 1) goto bad; break;
        case O_BATCH: a->batch = (int)strtol(optarg, &end, 10); if (*end || a->batch < 2) goto bad; break;
        case O_LR: a->lr = strtof(optarg, &end); if (*end || !(a->lr > 0)) goto bad; break;
        case O_SEED: a->seed = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case O_COUNT: a->count = strtol(optarg, &end, 10); if (*end || a->count < 1) goto bad; break;
        case O_THREADS: a->threads = (int)strtol(optarg, &end, 10); if (*end) goto bad; break;
        case O_HELP: match_usage(stdout); return 0;
        default: match_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "txt2vid match: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return -1;
bad:
    fprintf(stderr, "txt2vid match: bad value '%s'\n", optarg);
    return 2;
}

static t2v_dataset *open_split(const char *name, t2v_data_split split, const char *data_dir,
                               int C, int H, int W)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.split = split;
    o.data_dir = data_dir;
    o.channels = C;
    o.height = H;
    o.width = W;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        fprintf(stderr, "txt2vid match: cannot open data set %s: %s\n", name,
                t2v_data_last_error());
        return NULL;
    }
    return ds;
}

static void print_progress(void *user, int64_t step, int64_t steps, double loss, double seconds)
{
    (void)user;
    double eta = step > 0 ? seconds * (double)(steps - step) / (double)step : 0.0;
    printf("step %lld/%lld  loss %.4f  %.1f s  (eta %.0f s)\n", (long long)step,
           (long long)steps, loss, seconds, eta);
    fflush(stdout);
}

/* R-precision of n real test items; prints it. */
static int measure(t2v_match *m, const match_args *a, long n)
{
    t2v_dataset *test = open_split(m->cfg.dataset, T2V_SPLIT_TEST, a->data_dir,
                                   m->cfg.channels, m->cfg.height, m->cfg.width);
    if (!test)
        return 1;
    t2v_data_clips src = {.ds = test, .first = 0};
    double rp = 0.0;
    long count = n < t2v_data_count(test) ? n : t2v_data_count(test);
    int rc = 1;
    if (t2v_match_rprecision(m, test, count, t2v_data_clip_fn, &src, &rp) == T2V_OK) {
        printf("R-precision on %ld real %s test images: %.2f%%  (true caption first among %d; "
               "chance %.1f%%)\n", count, m->cfg.dataset, 100.0 * rp,
               T2V_RPREC_MISMATCHED + 1, 100.0 / (T2V_RPREC_MISMATCHED + 1));
        rc = 0;
    } else {
        fprintf(stderr, "txt2vid match: %s\n", t2v_last_error());
    }
    t2v_data_close(test);
    return rc;
}

static int match_train_cmd(const match_args *a)
{
    if (!a->data || !a->out) {
        fprintf(stderr, "txt2vid match train: --data and --out are required\n");
        return 2;
    }
    t2v_dataset *train = open_split(a->data, T2V_SPLIT_TRAIN, a->data_dir, 0, 0, 0);
    if (!train)
        return 1;
    t2v_match_train_opts o;
    t2v_match_train_opts_default(&o);
    o.steps = a->steps;
    o.batch = a->batch;
    o.lr = a->lr;
    o.seed = a->seed;
    o.threads = a->threads;
    o.progress = print_progress;
    printf("training the %s matching model: %lld steps of %d images\n", a->data,
           (long long)a->steps, a->batch);
    t2v_match *m = NULL;
    t2v_status s = t2v_match_train(&o, train, &m);
    t2v_data_close(train);
    if (s != T2V_OK) {
        fprintf(stderr, "txt2vid match train: %s\n", t2v_last_error());
        return 1;
    }
    printf("trained in %.1f s\n", m->train_seconds);
    int rc = 1;
    if (t2v_match_save(m, a->out, t2v_cli_command_line()) == T2V_OK) {
        printf("wrote %s\n", a->out);
        rc = measure(m, a, a->count);
    } else {
        fprintf(stderr, "txt2vid match train: %s\n", t2v_last_error());
    }
    t2v_match_free(m);
    return rc;
}

static int match_test_cmd(const match_args *a)
{
    if (!a->match) {
        fprintf(stderr, "txt2vid match test: --match is required\n");
        return 2;
    }
    t2v_match *m = NULL;
    if (t2v_match_load(a->match, NULL, a->threads, &m) != T2V_OK) {
        fprintf(stderr, "txt2vid match test: %s\n", t2v_last_error());
        return 1;
    }
    int rc = measure(m, a, a->count);
    t2v_match_free(m);
    return rc;
}

int t2v_cmd_match(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        match_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    match_args a;
    int pr = parse_match(argc - 1, argv + 1, &a);
    if (pr >= 0)
        return pr;
    if (!strcmp(sub, "train"))
        return match_train_cmd(&a);
    if (!strcmp(sub, "test"))
        return match_test_cmd(&a);
    fprintf(stderr, "txt2vid match: unknown subcommand '%s'\n", sub);
    match_usage(stderr);
    return 2;
}
