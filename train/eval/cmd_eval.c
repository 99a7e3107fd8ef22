/* `txt2vid eval`: scores a generator model with the judge on the test
 * split's captions, prints the table and, with --write, stores the metrics
 * in the model file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/eval/eval.h"

static void eval_usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid eval --model MODEL --judge JUDGE [options]\n"
            "\n"
            "Generates one clip for each of N test-split captions (attribute combinations\n"
            "never seen in training) and scores it with the judge (`txt2vid judge train`):\n"
            "per-attribute caption accuracy next to the judge's accuracy on the real clips of\n"
            "the same items (the ceiling), FID on the judge's features (generated vs real\n"
            "test; real train vs real test is the floor), the Inception-score analogue,\n"
            "and the mean squared difference of consecutive frames.\n"
            "  --model FILE      generator weights file\n"
            "  --judge FILE      judge weights file\n"
            "  --data NAME       data set (default: the judge's)\n"
            "  --count N         test items (default 500, or all when fewer)\n"
            "  --seed S          clip k uses seed S + k (default 1)\n"
            "  --write           store the metrics in the model file as txt2vid.eval.* keys\n"
            "  --threads N       CPU threads (default: every core)\n"
            "  --data-dir DIR    glyph caches (default $TXT2VID_DATA_DIR or the cache folder)\n");
}

typedef struct eval_args {
    const char *model, *judge, *data, *data_dir;
    long count;
    unsigned long long seed;
    int write, threads;
} eval_args;

static int parse_eval(int argc, char **argv, eval_args *a)
{
    enum { O_MODEL = 256, O_JUDGE, O_DATA, O_COUNT, O_SEED, O_WRITE, O_THREADS, O_DIR, O_HELP };
    static const struct option longopts[] = {
        {"model", 1, 0, O_MODEL}, {"judge", 1, 0, O_JUDGE}, {"data", 1, 0, O_DATA},
        {"count", 1, 0, O_COUNT}, {"seed", 1, 0, O_SEED}, {"write", 0, 0, O_WRITE},
        {"threads", 1, 0, O_THREADS}, {"data-dir", 1, 0, O_DIR}, {"help", 0, 0, O_HELP},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->count = 500;
    a->seed = 1;
    optind = 1;
    int c;
    char *end = NULL;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_MODEL: a->model = optarg; break;
        case O_JUDGE: a->judge = optarg; break;
        case O_DATA: a->data = optarg; break;
        case O_DIR: a->data_dir = optarg; break;
        case O_WRITE: a->write = 1; break;
        case O_COUNT: a->count = strtol(optarg, &end, 10); if (*end || a->count < 2) goto bad; break;
        case O_SEED: a->seed = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case O_THREADS: a->threads = (int)strtol(optarg, &end, 10); if (*end) goto bad; break;
        case O_HELP: eval_usage(stdout); return 0;
        default: eval_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "txt2vid eval: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!a->model || !a->judge) {
        fprintf(stderr, "txt2vid eval: --model and --judge are required\n");
        return 2;
    }
    return -1;
bad:
    fprintf(stderr, "txt2vid eval: bad value '%s'\n", optarg);
    return 2;
}

static t2v_dataset *open_for_judge(const eval_args *a, const t2v_judge *j, t2v_data_split split)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = a->data ? a->data : j->cfg.dataset;
    o.split = split;
    o.data_dir = a->data_dir;
    o.frames = j->cfg.frames;
    o.height = j->cfg.height;
    o.width = j->cfg.width;
    o.channels = j->cfg.channels;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: cannot open data set %s: %s\n", o.name,
                t2v_data_last_error());
        return NULL;
    }
    return ds;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void print_report(const eval_args *a, const t2v_model_info *mi, const t2v_eval_report *r)
{
    printf("model  %s (%s, trained on %s)\n", a->model, mi->arch ? mi->arch : "?",
           mi->dataset ? mi->dataset : "?");
    printf("judge  %s\n", a->judge);
    printf("%ld %s test-split captions (attribute combinations unseen in training), "
           "seeds %llu..%llu\n\n", r->count, r->dataset, a->seed,
           a->seed + (unsigned long long)r->count - 1);
    printf("%-12s %10s %12s %8s %9s %9s\n", "attribute", "generated", "real (ceil)", "chance",
           "IS gen", "IS real");
    for (int k = 0; k < r->n_attrs; k++)
        printf("%-12s %9.1f%% %11.1f%% %7.1f%% %9.3f %9.3f\n", r->attr_name[k],
               100.0 * r->acc_gen[k], 100.0 * r->acc_real[k], 100.0 / r->n_classes[k],
               r->is_gen[k], r->is_real[k]);
    printf("%-12s %9.1f%% %11.1f%%\n\n", "all right", 100.0 * r->all_gen, 100.0 * r->all_real);
    printf("FID on judge features   generated vs real test   %10.3f\n", r->fid_gen);
    printf("                        real train vs real test  %10.3f  (floor, %ld train items)\n",
           r->fid_floor, r->floor_count);
    printf("frame difference        generated %.5f   real %.5f  (mean squared, consecutive "
           "frames)\n", r->frame_diff_gen, r->frame_diff_real);
}

int t2v_cmd_eval(int argc, char **argv)
{
    eval_args a;
    int pr = parse_eval(argc, argv, &a);
    if (pr >= 0)
        return pr;
    t2v_judge *j = NULL;
    t2v_model *m = NULL;
    t2v_dataset *test = NULL, *train = NULL;
    t2v_model_clips mc;
    memset(&mc, 0, sizeof mc);
    int rc = 1;
    if (t2v_judge_load(a.judge, NULL, a.threads, &j) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    if (t2v_model_load(a.model, &m) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    t2v_model_info mi;
    t2v_model_get_info(m, &mi);
    const char *data = a.data ? a.data : j->cfg.dataset;
    if (mi.dataset && strcmp(mi.dataset, data) != 0)
        fprintf(stderr, "txt2vid eval: note: the model was trained on %s, scored on %s\n",
                mi.dataset, data);
    test = open_for_judge(&a, j, T2V_SPLIT_TEST);
    train = test ? open_for_judge(&a, j, T2V_SPLIT_TRAIN) : NULL;
    if (!train)
        goto done;
    if (t2v_model_clips_open(&mc, m, test, &j->cfg, a.seed, a.threads) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    t2v_eval_report rep;
    if (t2v_eval_clips(j, test, train, a.count, 32, t2v_model_clip_fn, &mc, &rep) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    print_report(&a, &mi, &rep);
    rc = 0;
    if (a.write) {
        // the loaded model keeps its own copy of the file: rewriting is safe
        if (t2v_eval_write_metrics(a.model, &rep, a.seed, base_name(a.judge)) == T2V_OK) {
            printf("\nwrote the metrics into %s (txt2vid.eval.*)\n", a.model);
        } else {
            fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
            rc = 1;
        }
    }
done:
    t2v_model_clips_close(&mc);
    if (m)
        t2v_model_unref(m);
    t2v_data_close(test);
    t2v_data_close(train);
    t2v_judge_free(j);
    return rc;
}
