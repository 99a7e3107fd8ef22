/* The shared command line of `txt2vid judge` and `txt2vid match`
 * (eval_cli.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "train/eval/eval_cli.h"

enum { O_DATA = 256, O_OUT, O_MODEL, O_STEPS, O_BATCH, O_LR, O_SEED, O_WIDTH, O_COUNT,
       O_THREADS, O_DIR, O_HELP, O_CONFUSION, O_TRAIN_COUNT, O_SHIFT,
       O_SHAPE_WIDTH, O_SHAPE_CROP };

#define MAX_OPTIONS 19

/* The options cmd accepts, ending in a zero entry (opts holds MAX_OPTIONS). */
static void long_options(const t2v_eval_cmd *cmd, struct option *opts)
{
    int n = 0;
    opts[n++] = (struct option){"data", 1, 0, O_DATA};
    opts[n++] = (struct option){"out", 1, 0, O_OUT};
    opts[n++] = (struct option){cmd->model_option, 1, 0, O_MODEL};
    opts[n++] = (struct option){"steps", 1, 0, O_STEPS};
    opts[n++] = (struct option){"batch", 1, 0, O_BATCH};
    opts[n++] = (struct option){"lr", 1, 0, O_LR};
    opts[n++] = (struct option){"seed", 1, 0, O_SEED};
    if (cmd->width_option)
        opts[n++] = (struct option){"width", 1, 0, O_WIDTH};
    if (cmd->test_count_option)
        opts[n++] = (struct option){"test-count", 1, 0, O_COUNT};
    if (cmd->judge_options) {
        opts[n++] = (struct option){"confusion", 1, 0, O_CONFUSION};
        opts[n++] = (struct option){"train-count", 1, 0, O_TRAIN_COUNT};
        opts[n++] = (struct option){"shift", 1, 0, O_SHIFT};
        opts[n++] = (struct option){"shape-width", 1, 0, O_SHAPE_WIDTH};
        opts[n++] = (struct option){"shape-crop", 1, 0, O_SHAPE_CROP};
    }
    opts[n++] = (struct option){"count", 1, 0, O_COUNT};
    opts[n++] = (struct option){"threads", 1, 0, O_THREADS};
    opts[n++] = (struct option){"data-dir", 1, 0, O_DIR};
    opts[n++] = (struct option){"help", 0, 0, O_HELP};
    opts[n] = (struct option){0, 0, 0, 0};
}

/* -1: parsed; otherwise the exit status. */
static int parse_args(const t2v_eval_cmd *cmd, int argc, char **argv, t2v_eval_args *a)
{
    struct option opts[MAX_OPTIONS];
    long_options(cmd, opts);
    *a = cmd->defaults;
    optind = 1;
    int c;
    char *end = NULL;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_MODEL: a->model = optarg; break;
        case O_DIR: a->data_dir = optarg; break;
        case O_STEPS: a->steps = strtoll(optarg, &end, 10); if (*end || a->steps < 1) goto bad; break;
        case O_BATCH: a->batch = (int)strtol(optarg, &end, 10); if (*end || a->batch < 2) goto bad; break;
        case O_LR: a->lr = strtof(optarg, &end); if (*end || !(a->lr > 0)) goto bad; break;
        case O_SEED: a->seed = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case O_WIDTH: a->width = (int)strtol(optarg, &end, 10); if (*end || a->width < 1) goto bad; break;
        case O_COUNT: a->count = strtol(optarg, &end, 10); if (*end || a->count < 1) goto bad; break;
        case O_CONFUSION: a->confusion = optarg; break;
        case O_TRAIN_COUNT: a->train_count = strtol(optarg, &end, 10); if (*end || a->train_count < 1) goto bad; break;
        case O_SHIFT: a->shift = (int)strtol(optarg, &end, 10); if (*end || a->shift < 0 || a->shift > 16) goto bad; break;
        case O_SHAPE_WIDTH: a->shape_width = (int)strtol(optarg, &end, 10); if (*end || a->shape_width < 1 || a->shape_width > 1024) goto bad; break;
        case O_SHAPE_CROP:
            a->shape_crop = (int)strtol(optarg, &end, 10);
            if (*end || (a->shape_crop != 0 && (a->shape_crop < 4 || a->shape_crop > 1024)))
                goto bad;
            a->shape_crop = a->shape_crop ? a->shape_crop : -1;
            break;
        case O_THREADS: a->threads = (int)strtol(optarg, &end, 10); if (*end) goto bad; break;
        case O_HELP: cmd->usage(stdout); return 0;
        default: cmd->usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "txt2vid %s: unexpected argument '%s'\n", cmd->name, argv[optind]);
        return 2;
    }
    return -1;
bad:
    fprintf(stderr, "txt2vid %s: bad value '%s'\n", cmd->name, optarg);
    return 2;
}

int t2v_eval_cmd_main(const t2v_eval_cmd *cmd, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cmd->usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    t2v_eval_args a;
    int pr = parse_args(cmd, argc - 1, argv + 1, &a);
    if (pr >= 0)
        return pr;
    if (!strcmp(sub, "train"))
        return cmd->train(&a);
    if (!strcmp(sub, "test"))
        return cmd->test(&a);
    fprintf(stderr, "txt2vid %s: unknown subcommand '%s'\n", cmd->name, sub);
    cmd->usage(stderr);
    return 2;
}

static t2v_dataset *open_split(const char *cmd, const char *name, t2v_data_split split,
                               const char *data_dir, int C, int T, int H, int W, long count)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.split = split;
    o.data_dir = data_dir;
    o.channels = C;
    o.frames = T;
    o.height = H;
    o.width = W;
    o.count = count;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        fprintf(stderr, "txt2vid %s: cannot open data set %s: %s\n", cmd, name,
                t2v_data_last_error());
        return NULL;
    }
    return ds;
}

t2v_dataset *t2v_eval_open_split(const char *cmd, const char *name, t2v_data_split split,
                                 const char *data_dir, int C, int T, int H, int W)
{
    return open_split(cmd, name, split, data_dir, C, T, H, W, 0);
}

t2v_dataset *t2v_eval_open_split_count(const char *cmd, const char *name,
                                       t2v_data_split split, const char *data_dir, long count)
{
    return open_split(cmd, name, split, data_dir, 0, 0, 0, 0, count);
}

void t2v_eval_print_progress(void *user, int64_t step, int64_t steps, double loss,
                             double seconds)
{
    (void)user;
    double eta = step > 0 ? seconds * (double)(steps - step) / (double)step : 0.0;
    printf("step %lld/%lld  loss %.4f  %.1f s  (eta %.0f s)\n", (long long)step,
           (long long)steps, loss, seconds, eta);
    fflush(stdout);
}

/* The confusion table of attribute `attr` (rows true, columns predicted,
 * columns numbered as the rows), then its accuracy for each value of every
 * other attribute. */
void t2v_eval_print_confusion(const t2v_judge *j, const t2v_dataset *ds, const t2v_judged *judged,
                              const int *truth, int attr)
{
    int nc = j->cfg.n_classes[attr], A = j->cfg.n_attrs;
    long *counts = malloc((size_t)nc * nc * sizeof *counts);
    if (!counts)
        return;
    t2v_judged_confusion(j, judged, truth, attr, counts);
    printf("%s confusion (rows: true class, columns: predicted class):\n%-22s",
           j->cfg.attr_name[attr], "");
    for (int c = 0; c < nc; c++)
        printf(" %4d", c);
    printf("  right\n");
    for (int r = 0; r < nc; r++) {
        long row = 0;
        for (int c = 0; c < nc; c++)
            row += counts[(size_t)r * nc + c];
        const char *name = t2v_data_attr_value_name(ds, attr, r);
        printf("%2d %-19.19s", r, name ? name : "");
        for (int c = 0; c < nc; c++)
            printf(" %4ld", counts[(size_t)r * nc + c]);
        if (row)
            printf(" %6.1f%%\n", 100.0 * counts[(size_t)r * nc + r] / row);
        else
            printf("       -\n");
    }
    free(counts);
    for (int b = 0; b < A; b++) {
        if (b == attr)
            continue;
        printf("%s accuracy by %s:", j->cfg.attr_name[attr], j->cfg.attr_name[b]);
        for (int v = 0; v < j->cfg.n_classes[b]; v++) {
            long n = 0, hit = 0;
            for (long i = 0; i < judged->n; i++) {
                const int *t = truth + (size_t)i * A;
                if (t[b] != v)
                    continue;
                int correct[T2V_DATA_MAX_ATTRS];
                t2v_judge_match(&j->cfg, judged->pred + (size_t)i * A, t, correct);
                n++;
                hit += correct[attr];
            }
            const char *name = t2v_data_attr_value_name(ds, b, v);
            if (n)
                printf("  %s %.1f%%", name ? name : "?", 100.0 * hit / n);
        }
        printf("\n");
    }
}

int t2v_judge_attr_index(const t2v_judge *j, const char *name)
{
    for (int a = 0; a < j->cfg.n_attrs; a++)
        if (!strcmp(name, j->cfg.attr_name[a]))
            return a;
    return -1;
}
