/* `txt2vid eval`: scores a generator model with the judge (and, with
 * --match, the matching model's R-precision) on the test split's
 * captions, prints the table and, with --write, stores the metrics in the
 * model file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/eval/clip_cache.h"
#include "train/eval/eval.h"
#include "train/eval/eval_cli.h"
#include "train/eval/match_rprec.h"

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
            "and the mean squared difference of consecutive frames. With --match, also the\n"
            "R-precision: each image's true caption ranked against 99 mismatching test\n"
            "captions by the matching model (`txt2vid match train`), generated and real.\n"
            "  --model FILE      generator weights file\n"
            "  --judge FILE      judge weights file\n"
            "  --data NAME       data set (default: the judge's)\n"
            "  --count N         test items (default 500, or all when fewer)\n"
            "  --split test|train  the captions to score: the test split's (default) or,\n"
            "                    to measure what generalises, the training split's\n"
            "                    (combinations seen in training; the floor FID then\n"
            "                    compares real test with real train clips; no --write)\n"
            "  --seed S          clip k uses seed S + k (default 1)\n"
            "  --stage 1|2       image models: score Stage I (upsampled by nearest neighbour\n"
            "                    to the model's size) or Stage II (default: the last stage)\n"
            "  --match FILE      matching model weights: report R-precision too\n"
            "  --confusion ATTR  also the confusion table of attribute ATTR over the\n"
            "                    generated clips (rows: the caption's class, columns: the\n"
            "                    judge's reading)\n"
            "  --write           store the metrics in the model file as txt2vid.eval.* keys\n"
            "                    (txt2vid.eval.stageS.* with --stage S)\n"
            "  --threads N       CPU threads (default: every core)\n"
            "  --data-dir DIR    glyph caches (default $TXT2VID_DATA_DIR or the cache folder)\n");
}

typedef struct eval_args {
    const char *model, *judge, *data, *data_dir, *match, *confusion;
    long count;
    unsigned long long seed;
    int write, threads, stage;
    int train_split;    /* 1: score the training split's captions */
} eval_args;

static int parse_eval(int argc, char **argv, eval_args *a)
{
    enum { O_MODEL = 256, O_JUDGE, O_DATA, O_COUNT, O_SEED, O_WRITE, O_THREADS, O_DIR, O_HELP,
           O_STAGE, O_MATCH, O_SPLIT, O_CONFUSION };
    static const struct option longopts[] = {
        {"model", 1, 0, O_MODEL}, {"judge", 1, 0, O_JUDGE}, {"data", 1, 0, O_DATA},
        {"count", 1, 0, O_COUNT}, {"seed", 1, 0, O_SEED}, {"write", 0, 0, O_WRITE},
        {"threads", 1, 0, O_THREADS}, {"data-dir", 1, 0, O_DIR}, {"help", 0, 0, O_HELP},
        {"stage", 1, 0, O_STAGE}, {"match", 1, 0, O_MATCH}, {"split", 1, 0, O_SPLIT},
        {"confusion", 1, 0, O_CONFUSION}, {0, 0, 0, 0}};
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
        case O_MATCH: a->match = optarg; break;
        case O_CONFUSION: a->confusion = optarg; break;
        case O_SPLIT:
            if (!strcmp(optarg, "train")) a->train_split = 1;
            else if (!strcmp(optarg, "test")) a->train_split = 0;
            else goto bad;
            break;
        case O_STAGE:
            a->stage = (int)strtol(optarg, &end, 10);
            if (*end || a->stage < 1 || a->stage > 2) goto bad;
            break;
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
    if (a->train_split && a->write) {
        fprintf(stderr, "txt2vid eval: --write stores test-split metrics; not with --split train\n");
        return 2;
    }
    return -1;
bad:
    fprintf(stderr, "txt2vid eval: bad value '%s'\n", optarg);
    return 2;
}

/* A split of the data set laid out as cfg's input (C, T, H, W). */
static t2v_dataset *open_for_judge(const eval_args *a, const t2v_judge_cfg *cfg,
                                   t2v_data_split split)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = a->data ? a->data : cfg->dataset;
    o.split = split;
    o.data_dir = a->data_dir;
    o.frames = cfg->frames;
    o.height = cfg->height;
    o.width = cfg->width;
    o.channels = cfg->channels;
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
    if (r->stage)
        printf("stage  %d%s\n", r->stage,
               r->stage == 1 ? " (Stage I upsampled by nearest neighbour)" : "");
    printf("%ld %s %s, seeds %llu..%llu\n\n", r->count, r->dataset,
           a->train_split ? "training-split captions (attribute combinations seen in training)"
                          : "test-split captions (attribute combinations unseen in training)",
           a->seed, a->seed + (unsigned long long)r->count - 1);
    printf("%-12s %10s %12s %8s %9s %9s\n", "attribute", "generated", "real (ceil)", "chance",
           "IS gen", "IS real");
    for (int k = 0; k < r->n_attrs; k++)
        printf("%-12s %9.1f%% %11.1f%% %7.1f%% %9.3f %9.3f\n", r->attr_name[k],
               100.0 * r->acc_gen[k], 100.0 * r->acc_real[k], 100.0 / r->n_classes[k],
               r->is_gen[k], r->is_real[k]);
    printf("%-12s %9.1f%% %11.1f%%\n\n", "all right", 100.0 * r->all_gen, 100.0 * r->all_real);
    const char *scored = a->train_split ? "train" : "test", *other = a->train_split ? "test" : "train";
    printf("FID on judge features   generated vs real %-5s  %10.3f\n", scored, r->fid_gen);
    printf("                        real %-5s vs real %-5s %10.3f  (floor, %ld %s items)\n",
           other, scored, r->fid_floor, r->floor_count, other);
    printf("frame difference        generated %.5f   real %.5f  (mean squared, consecutive "
           "frames)\n", r->frame_diff_gen, r->frame_diff_real);
    if (r->in_view_gen >= 0.0)
        printf("object in view          generated %.1f%%   real %.1f%%  (frames with a tenth of "
               "a real frame's mean ink or more)\n", 100.0 * r->in_view_gen, 100.0 * r->in_view_real);
    if (r->has_rprec)
        printf("R-precision (%s)   generated %.2f%%   real %.2f%%  (true caption first among "
               "%d; chance %.1f%%)\n", r->match, 100.0 * r->rprec_gen, 100.0 * r->rprec_real,
               T2V_RPREC_MISMATCHED + 1, 100.0 / (T2V_RPREC_MISMATCHED + 1));
}

/* The judge's confusion of attribute a->confusion over the kept generated
 * clips. */
static int print_generated_confusion(const eval_args *a, t2v_judge *j, const t2v_dataset *test,
                                     t2v_clip_cache *kept, long n)
{
    int attr = t2v_judge_attr_index(j, a->confusion);
    if (attr < 0) {
        fprintf(stderr, "txt2vid eval: the judge has no attribute '%s'\n", a->confusion);
        return 1;
    }
    t2v_judge_run r;
    t2v_judged judged = {0};
    int *truth = malloc((size_t)n * j->cfg.n_attrs * sizeof *truth);
    t2v_status s = truth ? t2v_data_truth(test, 0, n, j->cfg.n_attrs, truth) : T2V_ERR_NOMEM;
    if (s == T2V_OK && (s = t2v_judge_run_init(j, &r, 32, 0)) == T2V_OK) {
        s = t2v_judge_clips(j, &r, t2v_clip_cache_fn, kept, n, &judged);
        t2v_judge_run_release(&r);
    }
    if (s == T2V_OK) {
        printf("\ngenerated clips, ");
        t2v_eval_print_confusion(j, test, &judged, truth, attr);
    } else {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
    }
    t2v_judged_free(&judged);
    free(truth);
    return s == T2V_OK ? 0 : 1;
}

/* R-precision of the generated images (the kept ones when the matching
 * model reads the judge's size, else generated again at its size) and of
 * the real test images. */
static int eval_rprec(const eval_args *a, t2v_model *model, const t2v_judge *j,
                      t2v_dataset *test, t2v_clip_cache *kept, t2v_eval_report *rep)
{
    t2v_match *m = NULL;
    if (t2v_match_load(a->match, NULL, a->threads, &m) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        return 1;
    }
    t2v_judge_cfg mcfg = j->cfg;
    mcfg.channels = m->cfg.channels;
    mcfg.frames = 1;
    mcfg.height = m->cfg.height;
    mcfg.width = m->cfg.width;
    int same = !memcmp(&mcfg, &j->cfg, sizeof mcfg);
    t2v_dataset *mtest = same ? test : open_for_judge(a, &mcfg, T2V_SPLIT_TEST);
    t2v_model_clips mc;
    memset(&mc, 0, sizeof mc);
    int rc = 1;
    t2v_status s = mtest ? T2V_OK : T2V_ERR_INVALID;
    if (s == T2V_OK && !same)
        s = t2v_model_clips_open_stage(&mc, model, mtest, &mcfg, a->seed, a->threads, a->stage);
    if (s == T2V_OK)
        s = t2v_match_rprecision(m, mtest, rep->count, same ? t2v_clip_cache_fn : t2v_model_clip_fn,
                                 same ? (void *)kept : (void *)&mc, &rep->rprec_gen);
    t2v_data_clips real = {.ds = mtest, .first = 0};
    if (s == T2V_OK)
        s = t2v_match_rprecision(m, mtest, rep->count, t2v_data_clip_fn, &real, &rep->rprec_real);
    if (s == T2V_OK) {
        const char *slash = strrchr(a->match, '/');
        snprintf(rep->match, sizeof rep->match, "%s", slash ? slash + 1 : a->match);
        rep->has_rprec = 1;
        rc = 0;
    } else if (mtest) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
    }
    t2v_model_clips_close(&mc);
    if (!same)
        t2v_data_close(mtest);
    t2v_match_free(m);
    return rc;
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
    t2v_clip_cache kept;
    memset(&kept, 0, sizeof kept);
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
    /* `test` is the scored split, `train` the other one (the floor FID) */
    test = open_for_judge(&a, &j->cfg, a.train_split ? T2V_SPLIT_TRAIN : T2V_SPLIT_TEST);
    train = test ? open_for_judge(&a, &j->cfg, a.train_split ? T2V_SPLIT_TEST : T2V_SPLIT_TRAIN)
                 : NULL;
    if (!train)
        goto done;
    long n = a.count < t2v_data_count(test) ? a.count : t2v_data_count(test);
    size_t clip_floats = (size_t)j->cfg.channels * j->cfg.frames * j->cfg.height * j->cfg.width;
    if (t2v_model_clips_open_stage(&mc, m, test, &j->cfg, a.seed, a.threads, a.stage) != T2V_OK ||
        t2v_clip_cache_open(&kept, t2v_model_clip_fn, &mc, n, clip_floats) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    t2v_eval_report rep;
    if (t2v_eval_clips(j, test, train, n, 32, t2v_clip_cache_fn, &kept, &rep) != T2V_OK) {
        fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
        goto done;
    }
    rep.stage = a.stage;
    if (a.match && eval_rprec(&a, m, j, test, &kept, &rep) != 0)
        goto done;
    print_report(&a, &mi, &rep);
    if (a.confusion && print_generated_confusion(&a, j, test, &kept, n) != 0)
        goto done;
    rc = 0;
    if (a.write) {
        // the loaded model keeps its own copy of the file: rewriting is safe
        if (t2v_eval_write_metrics(a.model, &rep, a.seed, base_name(a.judge)) == T2V_OK) {
            if (a.stage)
                printf("\nwrote the metrics into %s (txt2vid.eval.stage%d.*)\n", a.model,
                       a.stage);
            else
                printf("\nwrote the metrics into %s (txt2vid.eval.*)\n", a.model);
        } else {
            fprintf(stderr, "txt2vid eval: %s\n", t2v_last_error());
            rc = 1;
        }
    }
done:
    t2v_clip_cache_close(&kept);
    t2v_model_clips_close(&mc);
    if (m)
        t2v_model_unref(m);
    t2v_data_close(test);
    t2v_data_close(train);
    t2v_judge_free(j);
    return rc;
}
