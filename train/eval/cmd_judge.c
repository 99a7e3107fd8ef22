/* `txt2vid judge`: train the evaluation's judge on real data and measure it
 * on the real test split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/cli.h"
#include "train/eval/eval_cli.h"
#include "train/eval/judge_train.h"
#include "train/eval/score.h"

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
            "  --train-count N   items in the train split drawn from (default: the\n"
            "                    set's own, 10000 for the synthetic sets)\n"
            "  --shift P         move each training clip by up to P pixels (default 0)\n"
            "  --shape-width W   channels of the shape trunk's first layer (scenes;\n"
            "                    default: as --width)\n"
            "  --shape-crop S    the shape trunk reads the glyph cut to its ink box and\n"
            "                    scaled to SxS (scenes; default 32; 0: the whole frame)\n"
            "  --threads N       CPU threads (default: every core)\n"
            "  --data-dir DIR    glyph caches (default $TXT2VID_DATA_DIR or the cache folder)\n"
            "test: prints the judge's accuracy on real test items.\n"
            "  --confusion ATTR  (train and test) also the confusion table of attribute\n"
            "                    ATTR and its accuracy for each value of the others\n");
}

static void print_accuracy(const t2v_judge *j, const double *acc, double all, long n)
{
    printf("judge accuracy on %ld real %s test items:\n", n, j->cfg.dataset);
    for (int a = 0; a < j->cfg.n_attrs; a++)
        printf("  %-10s %6.2f%%  (chance %.1f%%)\n", j->cfg.attr_name[a], 100.0 * acc[a],
               100.0 / j->cfg.n_classes[a]);
    printf("  %-10s %6.2f%%\n", "all right", 100.0 * all);
}

/* Measures the judge on n real test items; prints the accuracy (and the
 * confusion of attribute `confusion` unless NULL). acc (n_attrs). */
static t2v_status measure(t2v_judge *j, const t2v_dataset *test, long n, const char *confusion,
                          double *acc, long *n_out)
{
    int attr = confusion ? t2v_judge_attr_index(j, confusion) : -1;
    if (confusion && attr < 0)
        return t2v_fail(T2V_ERR_INVALID, "the judge has no attribute '%s'", confusion);
    t2v_judged judged;
    int *truth = NULL;
    double all = 0.0;
    t2v_status s = t2v_judge_real(j, test, n, 64, &judged, &truth, n_out);
    if (s != T2V_OK)
        return s;
    t2v_judged_accuracy(j, &judged, truth, acc, &all);
    print_accuracy(j, acc, all, *n_out);
    if (attr >= 0)
        t2v_eval_print_confusion(j, test, &judged, truth, attr);
    t2v_judged_free(&judged);
    free(truth);
    return T2V_OK;
}

static int judge_train_cmd(const t2v_eval_args *a)
{
    if (!a->data || !a->out) {
        fprintf(stderr, "txt2vid judge train: --data and --out are required\n");
        return 2;
    }
    t2v_dataset *train = t2v_eval_open_split_count("judge", a->data, T2V_SPLIT_TRAIN,
                                                   a->data_dir, a->train_count);
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
    o.shift = a->shift;
    o.shape_width0 = a->shape_width;
    o.shape_crop = a->shape_crop;
    o.progress = t2v_eval_print_progress;
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
    t2v_dataset *test = t2v_eval_open_split("judge", a->data, T2V_SPLIT_TEST, a->data_dir,
                                             j->cfg.channels, j->cfg.frames, j->cfg.height,
                                             j->cfg.width);
    int rc = 1;
    if (test) {
        long n = a->count > 0 ? a->count : t2v_data_count(test);
        double acc[T2V_DATA_MAX_ATTRS];
        s = measure(j, test, n, a->confusion, acc, &n);
        if (s == T2V_OK) {
            for (int k = 0; k < j->cfg.n_attrs; k++)
                j->test_accuracy[k] = acc[k];
            j->test_items = n;
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

static int judge_test_cmd(const t2v_eval_args *a)
{
    if (!a->model) {
        fprintf(stderr, "txt2vid judge test: --judge is required\n");
        return 2;
    }
    t2v_judge *j = NULL;
    if (t2v_judge_load(a->model, NULL, a->threads, &j) != T2V_OK) {
        fprintf(stderr, "txt2vid judge test: %s\n", t2v_last_error());
        return 1;
    }
    t2v_dataset *test = t2v_eval_open_split("judge", j->cfg.dataset, T2V_SPLIT_TEST, a->data_dir,
                                             j->cfg.channels, j->cfg.frames, j->cfg.height,
                                             j->cfg.width);
    int rc = 1;
    if (test) {
        long n = a->count > 0 ? a->count : t2v_data_count(test);
        double acc[T2V_DATA_MAX_ATTRS];
        if (measure(j, test, n, a->confusion, acc, &n) == T2V_OK) {
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
    static const t2v_eval_cmd cmd = {
        .name = "judge", .model_option = "judge", .width_option = 1, .test_count_option = 1,
        .judge_options = 1,
        .defaults = {.steps = 600, .batch = 32, .lr = 2e-3f, .seed = 1},
        .usage = judge_usage, .train = judge_train_cmd, .test = judge_test_cmd};
    return t2v_eval_cmd_main(&cmd, argc, argv);
}
