/* The evaluation of a generator against what its captions say.
 *
 * For N items of a data set's test split (unseen attribute combinations),
 * clip k of a generated set must show the caption of test item k. The
 * judge scores:
 *   - per-attribute accuracy of its predictions against the caption's
 *     attributes, and the share of clips with every attribute right, next
 *     to the same figures on the real test clips of the same items (the
 *     ceiling);
 *   - the FID of its penultimate features, real test vs generated, and
 *     real train vs real test (the floor);
 *   - the Inception-score analogue of each head, generated and real;
 *   - the mean squared difference of consecutive frames (motion energy),
 *     generated and real;
 *   - grey clips: the share of frames that show the object, holding at
 *     least a tenth of the mean ink of a real test frame (a clip whose
 *     object leaves the frame can still be read right from its other
 *     frames), generated and real. */
#ifndef T2V_EVAL_EVAL_H
#define T2V_EVAL_EVAL_H

#include "txt2vid/txt2vid.h"
#include "train/eval/score.h"

typedef struct t2v_eval_report {
    char dataset[32];
    long count;                         /* items scored */
    long floor_count;                   /* real train items of the floor FID */
    int n_attrs;
    char attr_name[T2V_DATA_MAX_ATTRS][32];
    int n_classes[T2V_DATA_MAX_ATTRS];
    double acc_gen[T2V_DATA_MAX_ATTRS], acc_real[T2V_DATA_MAX_ATTRS];
    double all_gen, all_real;
    double is_gen[T2V_DATA_MAX_ATTRS], is_real[T2V_DATA_MAX_ATTRS];
    double fid_gen, fid_floor;
    double frame_diff_gen, frame_diff_real;
    double in_view_gen, in_view_real;   /* grey clips; -1 otherwise */
    int stage;                          /* 0: the model's last stage, keys txt2vid.eval.*;
                                           1, 2: StackGAN's stage, keys txt2vid.eval.stageS.* */
    int has_rprec;                      /* R-precision measured (a matching model given) */
    double rprec_gen, rprec_real;       /* generated images, real test images */
    char match[128];                    /* the matching model's file name */
} t2v_eval_report;

/* Scores `count` clips of `gen` (clip k for test item k; count is capped by
 * the test split) against the test split; `train` gives the floor FID.
 * Both data sets must have the judge's layout and schema. */
t2v_status t2v_eval_clips(t2v_judge *j, const t2v_dataset *test, const t2v_dataset *train,
                          long count, int batch, t2v_clip_fn gen, void *user,
                          t2v_eval_report *rep);

/* ---- clips of a generator model, through the generation API ------------ */

typedef struct t2v_model_clips {
    t2v_generator *gen;
    const t2v_dataset *ds;  /* captions: t2v_data_caption(ds, k, 0) */
    uint64_t seed;          /* clip k uses seed + k */
    int C, T, H, W;         /* the model's clips */
    int jC, jT, jH, jW;     /* the judge's input */
    float *frames;          /* (C, T, H, W) when the sizes differ */
    t2v_caption_report report; /* of the last caption set */
} t2v_model_clips;

/* The model's frames must match the judge's frame count; its height and
 * width must be the judge's times one integer factor (box-filtered down);
 * RGB is turned to grey for a grey judge. Clips show the model's last
 * stage. */
t2v_status t2v_model_clips_open(t2v_model_clips *mc, t2v_model *m, const t2v_dataset *test,
                                const t2v_judge_cfg *cfg, uint64_t seed, int threads);
/* The same for a chosen stage (t2v_generator_opts.stage: 0 the last;
 * StackGAN 1: Stage I upsampled to the model's size, 2: Stage II). */
t2v_status t2v_model_clips_open_stage(t2v_model_clips *mc, t2v_model *m,
                                      const t2v_dataset *test, const t2v_judge_cfg *cfg,
                                      uint64_t seed, int threads, int stage);
t2v_status t2v_model_clip_fn(void *user, long k, float *clip);
void t2v_model_clips_close(t2v_model_clips *mc);

/* ---- storing the metrics in the model file ----------------------------- */

/* Rewrites the weights file at `path` atomically with all its metadata and
 * tensors, replacing the earlier keys of the report's stage with the
 * report's: txt2vid.eval.* (other than txt2vid.eval.stage*) for stage 0,
 * txt2vid.eval.stageS.* for stage S (docs/evaluation.md lists them). Metadata of types the writer cannot
 * produce is widened (u8/u16 to u32, i8/i16 to i32); arrays of other than
 * strings, f32 and i32 fail with T2V_ERR_UNSUPPORTED and leave the file
 * untouched. */
t2v_status t2v_eval_write_metrics(const char *path, const t2v_eval_report *rep, uint64_t seed,
                                  const char *judge_name);

#endif
