/* `txt2vid judge`: train the evaluation's judge on real data and measure it
 * on the real test split. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/eval/judge_train.h"
#include "train/eval/score.h"

int t2v_cmd_judge(int argc, char **argv);

static void judge_usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid judge train --data NAME --out FILE [options]\n"
            "       txt2vid judge test --judge FILE [--count N] [--data-dir DIR]\n"
            "\n"
            "train: trains the classifier that `txt2vid eval` scores clips with, on the\n"
            "train split of real data, then measures it on the real test split.\n"
            "  --data NAME       sbmg, tbmg or scenes\n"
            "  --out FILE        weights file to write (atomically)\n"
            "  --steps N         training steps (default 600)\n"
            "  --batch N         clips per step (default 32)\n"
            "  --lr X            peak Adam learning rate (default 0.002)\n"
            "  --seed S          initial weights and item draws (default 1)\n"
            "  --width W         channels of the first layer (default 16)\n"
            "  --test-count N    real test items measured (default: the whole split)\n"
            "  --threads N       CPU threads (default: every core)\n"
            "  --data-dir DIR    glyph caches (default $TXT2VID_DATA_DIR or the cache folder)\n"
            "test: prints the judge's accuracy on real test items.\n");
}

typedef struct judge_args {
    const char *data, *out, *judge, *data_dir;
    long long steps;
    int batch, threads, width;
    float lr;
    unsigned long long seed;
    long count;
} judge_args;

static int parse_judge(int argc, char **argv, judge_args *a)
{
    enum { O_DATA = 256, O_OUT, O_JUDGE, O_STEPS, O_BATCH, O_LR, O_SEED, O_WIDTH, O_COUNT,
           O_THREADS, O_DIR, O_HELP };
    static const struct option longopts[] = {
        {"data", 1, 0, O_DATA}, {"out", 1, 0, O_OUT}, {"judge", 1, 0, O_JUDGE},
        {"steps", 1, 0, O_STEPS}, {"batch", 1, 0, O_BATCH}, {"lr", 1, 0, O_LR},
        {"seed", 1, 0, O_SEED}, {"width", 1, 0, O_WIDTH}, {"test-count", 1, 0, O_COUNT},
        {"count", 1, 0, O_COUNT}, {"threads", 1, 0, O_THREADS}, {"data-dir", 1, 0, O_DIR},
        {"help", 0, 0, O_HELP}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->steps = 600;
    a->batch = 32;
    a->lr = 2e-3f;
    a->seed = 1;
    optind = 1;
    int c;
    char *end = NULL;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_JUDGE: a->judge = optarg; break;
        case O_DIR: a->data_dir = optarg; break;
        case O_STEPS: a->steps = strtoll(optarg, &end, 10); if (*end || a->steps < 1) goto bad; break;
        case O_BATCH: a->batch = (int)strtol(optarg, &end, 10); if (*end || a->batch < 2) goto bad; break;
        case O_LR: a->lr = strtof(optarg, &end); if (*end || !(a->lr > 0)) goto bad; break;
        case O_SEED: a->seed = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case O_WIDTH: a->width = (int)strtol(optarg, &end, 10); if (*end || a->width < 1) goto bad; break;
        case O_COUNT: a->count = strtol(optarg, &end, 10); if (*end || a->count < 1) goto bad; break;
        case O_THREADS: a->threads = (int)strtol(optarg, &end, 10); if (*end) goto bad; break;
        case O_HELP: judge_usage(stdout); return 0;
        default: judge_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "txt2vid judge: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return -1;
bad:
    fprintf(stderr, "txt2vid judge: bad value '%s'\n", optarg);
    return 2;
}

static t2v_dataset *open_split(const char *name, t2v_data_split split, const char *data_dir,
                               int frames, int height, int width, int channels)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.split = split;
    o.data_dir = data_dir;
    o.frames = frames;
    o.height = height;
    o.width = width;
    o.channels = channels;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        fprintf(stderr, "txt2vid: cannot open data set %s: %s\n", name, t2v_data_last_error());
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

static void print_accuracy(const t2v_judge *j, const double *acc, double all, long n)
{
    printf("judge accuracy on %ld real %s test items:\n", n, j->cfg.dataset);
    for (int a = 0; a < j->cfg.n_attrs; a++)
        printf("  %-10s %6.2f%%  (chance %.1f%%)\n", j->cfg.attr_name[a], 100.0 * acc[a],
               100.0 / j->cfg.n_classes[a]);
    printf("  %-10s %6.2f%%\n", "all right", 100.0 * all);
}

static int judge_train_cmd(const judge_args *a)
{
    if (!a->data || !a->out) {
        fprintf(stderr, "txt2vid judge train: --data and --out are required\n");
        return 2;
    }
    t2v_dataset *train = open_split(a->data, T2V_SPLIT_TRAIN, a->data_dir, 0, 0, 0, 0);
    if (!train)
        return 1;
    t2v_judge_train_opts o;
    t2v_judge_train_opts_default(&o);
    o.steps = a->steps;
    o.batch = a->batch;
    o.lr = a->lr;
    o.seed = a->seed;
    o.threads = a->threads;
    o.width0 = a->width;
    o.progress = print_progress;
    t2v_judge *j = NULL;
    printf("training the %s judge: %lld steps of %d clips\n", a->data, (long long)a->steps,
           a->batch);
    t2v_status s = t2v_judge_train(&o, train, &j);
    t2v_data_close(train);
    if (s != T2V_OK) {
        fprintf(stderr, "txt2vid judge train: %s\n", t2v_last_error());
        return 1;
    }
    printf("trained in %.1f s\n", j->train_seconds);
    t2v_dataset *test = open_split(a->data, T2V_SPLIT_TEST, a->data_dir, j->cfg.frames,
                                   j->cfg.height, j->cfg.width, j->cfg.channels);
    int rc = 1;
    if (test) {
        long n = a->count > 0 && a->count < t2v_data_count(test) ? a->count : t2v_data_count(test);
        double acc[T2V_DATA_MAX_ATTRS], all = 0.0;
        s = t2v_judge_accuracy(j, test, n, 64, acc, &all);
        if (s == T2V_OK) {
            for (int k = 0; k < j->cfg.n_attrs; k++)
                j->test_accuracy[k] = acc[k];
            j->test_items = n;
            print_accuracy(j, acc, all, n);
            s = t2v_judge_save(j, a->out, t2v_cli_command_line());
        }
        if (s == T2V_OK) {
            printf("wrote %s\n", a->out);
            rc = 0;
        } else {
            fprintf(stderr, "txt2vid judge train: %s\n", t2v_last_error());
        }
        t2v_data_close(test);
    }
    t2v_judge_free(j);
    return rc;
}

static int judge_test_cmd(const judge_args *a)
{
    if (!a->judge) {
        fprintf(stderr, "txt2vid judge test: --judge is required\n");
        return 2;
    }
    t2v_judge *j = NULL;
    if (t2v_judge_load(a->judge, NULL, a->threads, &j) != T2V_OK) {
        fprintf(stderr, "txt2vid judge test: %s\n", t2v_last_error());
        return 1;
    }
    t2v_dataset *test = open_split(j->cfg.dataset, T2V_SPLIT_TEST, a->data_dir, j->cfg.frames,
                                   j->cfg.height, j->cfg.width, j->cfg.channels);
    int rc = 1;
    if (test) {
        long n = a->count > 0 && a->count < t2v_data_count(test) ? a->count : t2v_data_count(test);
        double acc[T2V_DATA_MAX_ATTRS], all = 0.0;
        if (t2v_judge_accuracy(j, test, n, 64, acc, &all) == T2V_OK) {
            print_accuracy(j, acc, all, n);
            rc = 0;
        } else {
            fprintf(stderr, "txt2vid judge test: %s\n", t2v_last_error());
        }
        t2v_data_close(test);
    }
    t2v_judge_free(j);
    return rc;
}

int t2v_cmd_judge(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        judge_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    judge_args a;
    int pr = parse_judge(argc - 1, argv + 1, &a);
    if (pr >= 0)
        return pr;
    if (!strcmp(sub, "train"))
        return judge_train_cmd(&a);
    if (!strcmp(sub, "test"))
        return judge_test_cmd(&a);
    fprintf(stderr, "txt2vid judge: unknown subcommand '%s'\n", sub);
    judge_usage(stderr);
    return 2;
}
