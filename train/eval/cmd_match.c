/* `txt2vid match`: train the matching model (image and caption encoders in
 * one space) on real data, and measure its R-precision on real test
 * images. */
#include <stdio.h>

#include "train/cli.h"
#include "train/eval/eval_cli.h"
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

/* R-precision of n real test items; prints it. */
static int measure(t2v_match *m, const t2v_eval_args *a, long n)
{
    t2v_dataset *test = t2v_eval_open_split("match", m->cfg.dataset, T2V_SPLIT_TEST, a->data_dir,
                                             m->cfg.channels, 0, m->cfg.height, m->cfg.width);
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

static int match_train_cmd(const t2v_eval_args *a)
{
    if (!a->data || !a->out) {
        fprintf(stderr, "txt2vid match train: --data and --out are required\n");
        return 2;
    }
    t2v_dataset *train =
        t2v_eval_open_split("match", a->data, T2V_SPLIT_TRAIN, a->data_dir, 0, 0, 0, 0);
    if (!train)
        return 1;
    t2v_match_train_opts o;
    t2v_match_train_opts_default(&o);
    o.steps = a->steps;
    o.batch = a->batch;
    o.lr = a->lr;
    o.seed = a->seed;
    o.threads = a->threads;
    o.progress = t2v_eval_print_progress;
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

static int match_test_cmd(const t2v_eval_args *a)
{
    if (!a->model) {
        fprintf(stderr, "txt2vid match test: --match is required\n");
        return 2;
    }
    t2v_match *m = NULL;
    if (t2v_match_load(a->model, NULL, a->threads, &m) != T2V_OK) {
        fprintf(stderr, "txt2vid match test: %s\n", t2v_last_error());
        return 1;
    }
    int rc = measure(m, a, a->count);
    t2v_match_free(m);
    return rc;
}

int t2v_cmd_match(int argc, char **argv)
{
    static const t2v_eval_cmd cmd = {
        .name = "match", .model_option = "match",
        .defaults = {.steps = 2000, .batch = 32, .lr = 1e-3f, .seed = 1, .count = 500},
        .usage = match_usage, .train = match_train_cmd, .test = match_test_cmd};
    return t2v_eval_cmd_main(&cmd, argc, argv);
}
