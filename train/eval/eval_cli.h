/* The command line `txt2vid judge` and `txt2vid match` share: the
 * subcommands train and test, their options, opening a split of a data
 * set, and the progress lines of training. */
#ifndef T2V_EVAL_EVAL_CLI_H
#define T2V_EVAL_EVAL_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "train/data/dataset.h"
#include "train/eval/score.h"

typedef struct t2v_eval_args {
    const char *data, *out, *model, *data_dir;
    long long steps;
    int batch, threads, width;  /* width 0: the model's default */
    float lr;
    unsigned long long seed;
    long count;                 /* 0: the whole test split */
    const char *confusion;      /* --confusion ATTR; NULL: not asked */
    long train_count;           /* --train-count N; 0: the train split's own size */
    int shift;                  /* --shift P; 0: no shift augmentation */
    int shape_width;            /* --shape-width W; 0: as the other trunks */
    int shape_crop;             /* --shape-crop S; 0 given: the whole frame (-1
                                   here); not given: 0 */
} t2v_eval_args;

typedef struct t2v_eval_cmd {
    const char *name;           /* "judge": messages start "txt2vid judge: " */
    const char *model_option;   /* "judge": --judge FILE sets args.model */
    int width_option;           /* --width W is accepted */
    int test_count_option;      /* --test-count N is accepted as --count N */
    int judge_options;          /* --confusion, --train-count, --shift,
                                   --shape-width, --shape-crop are accepted */
    t2v_eval_args defaults;     /* steps, batch, lr, seed and count */
    void (*usage)(FILE *f);
    int (*train)(const t2v_eval_args *a);
    int (*test)(const t2v_eval_args *a);
} t2v_eval_cmd;

/* argv[0] is the command's name, argv[1] the subcommand; options:
 * --data --out --<model_option> --steps --batch --lr --seed [--width]
 * [--test-count] [--confusion --train-count --shift
 * --shape-width --shape-crop] --count --threads
 * --data-dir --help. Returns the exit
 * status: 2 for usage errors, else what train / test return. */
int t2v_eval_cmd_main(const t2v_eval_cmd *cmd, int argc, char **argv);

/* Opens a split of data set `name` (0 sizes: the set's own) of `count`
 * items (0: the split's own count); NULL after
 * printing "txt2vid CMD: cannot open data set NAME: why". */
t2v_dataset *t2v_eval_open_split(const char *cmd, const char *name, t2v_data_split split,
                                 const char *data_dir, int C, int T, int H, int W);
t2v_dataset *t2v_eval_open_split_count(const char *cmd, const char *name,
                                       t2v_data_split split, const char *data_dir, long count);

/* The confusion table of attribute `attr` of judged clips (rows: the true
 * class, columns: the predicted one; truth (n, n_attrs)), then its accuracy
 * for each value of every other attribute, on stdout. */
void t2v_eval_print_confusion(const t2v_judge *j, const t2v_dataset *ds, const t2v_judged *judged,
                              const int *truth, int attr);
/* The index of the judge's attribute `name`, or -1. */
int t2v_judge_attr_index(const t2v_judge *j, const char *name);

/* "step S/N  loss L  T s  (eta E s)" on stdout; user unused. */
void t2v_eval_print_progress(void *user, int64_t step, int64_t steps, double loss,
                             double seconds);

#endif
