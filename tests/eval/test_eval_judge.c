/* The judge on real SBMG clips (32x32, 16 frames, to keep the suite fast):
 * a short training run reaches well above chance on real test clips; the
 * weights file gives back the same network; the evaluation scores real
 * clips of the captions near the judge's ceiling and noise clips near
 * chance, and counts the frames that show the digit (all of a real clip's,
 * a quarter of a clip emptied after frame 4), through the same clip-callback path `txt2vid eval` uses for
 * generated clips. Needs the MNIST glyph cache (scripts/fetch-data.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t2v_test.h"
#include "train/eval/eval.h"
#include "train/eval/judge_train.h"

enum { FRAMES = 16, SIDE = 32, TEST_ITEMS = 400 };

static t2v_dataset *open_sbmg(t2v_data_split split, uint64_t seed)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "sbmg";
    o.split = split;
    o.seed = seed;
    o.frames = FRAMES;
    o.height = o.width = SIDE;
    t2v_dataset *ds = NULL;
    return t2v_data_open(&o, &ds) == T2V_OK ? ds : NULL;
}

/* Real clips that show the caption of test item k, drawn from a data set
 * with another seed (other glyphs, positions and directions). */
typedef struct other_real {
    const t2v_dataset *want;   /* whose captions are shown */
    const t2v_dataset *other;  /* where the clips come from */
} other_real;

static t2v_status other_real_fn(void *user, long k, float *clip)
{
    other_real *o = user;
    long want = t2v_data_caption_index(o->want, k, 0);
    long n = t2v_data_count(o->other);
    for (long step = 0; step < n; step++) {
        long i = (k * 7 + step) % n;
        if (t2v_data_caption_index(o->other, i, 0) == want)
            return t2v_data_get(o->other, i, 0, clip, NULL);
    }
    return T2V_ERR_INVALID;
}

/* other_real's clip with every frame after the fourth left empty (-1): the
 * digit shows in a quarter of the frames. */
static t2v_status fading_fn(void *user, long k, float *clip)
{
    t2v_status s = other_real_fn(user, k, clip);
    for (size_t i = (size_t)4 * SIDE * SIDE; s == T2V_OK && i < (size_t)FRAMES * SIDE * SIDE; i++)
        clip[i] = -1.0f;
    return s;
}

/* Uniform noise in [-1, 1], a different clip for every k. */
static t2v_status noise_fn(void *user, long k, float *clip)
{
    (void)user;
    size_t n = (size_t)FRAMES * SIDE * SIDE;
    t2v_rng_uniform_host(clip, n, 99, 5, (uint64_t)k * n);
    for (size_t i = 0; i < n; i++)
        clip[i] = 2.0f * clip[i] - 1.0f;
    return T2V_OK;
}

static void check_save_load(t2v_judge *j, const t2v_dataset *test)
{
    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-judge-%ld.gguf", dir && *dir ? dir : "/tmp",
             (long)getpid());
    t2v_judge *back = NULL;
    t2v_status st = t2v_judge_save(j, path, "test");
    if (st == T2V_OK)
        st = t2v_judge_load(path, NULL, 0, &back);
    if (!T2V_CHECK(st == T2V_OK, "judge saved and loaded (%s)",
                   st == T2V_OK ? "ok" : t2v_last_error()))
        return;
    enum { B = 6 };
    size_t clip_n = (size_t)FRAMES * SIDE * SIDE;
    float *clips = malloc(B * clip_n * sizeof(float));
    int K = j->n_logits, F = j->feat_dim;
    float *a = malloc((size_t)B * K * sizeof(float)), *b = malloc((size_t)B * K * sizeof(float));
    float *fa = malloc((size_t)B * F * sizeof(float)), *fb = malloc((size_t)B * F * sizeof(float));
    t2v_judge_run ra, rb;
    memset(&ra, 0, sizeof ra);
    memset(&rb, 0, sizeof rb);
    int ok = clips && a && b && fa && fb && t2v_judge_run_init(j, &ra, B, 0) == T2V_OK &&
             t2v_judge_run_init(back, &rb, B, 0) == T2V_OK;
    for (int i = 0; ok && i < B; i++)
        ok = t2v_data_get(test, i, 0, clips + i * clip_n, NULL) == T2V_OK;
    ok = ok && t2v_judge_forward(j, &ra, clips, B, a, fa) == T2V_OK &&
         t2v_judge_forward(back, &rb, clips, B, b, fb) == T2V_OK;
    T2V_CHECK(ok && back->n_logits == K && back->feat_dim == F && !memcmp(a, b, (size_t)B * K * sizeof(float)) &&
              !memcmp(fa, fb, (size_t)B * F * sizeof(float)),
              "the loaded judge gives the same logits and features bit for bit");
    T2V_CHECK(back->cfg.n_attrs == 2 && !strcmp(back->cfg.attr_name[1], "motion") &&
              back->cfg.n_classes[0] == 10 && !strcmp(back->cfg.dataset, "sbmg") &&
              back->train_steps == j->train_steps,
              "the judge file keeps its schema, data set and provenance");
    t2v_judge_run_release(&ra);
    t2v_judge_run_release(&rb);
    free(clips);
    free(a);
    free(b);
    free(fa);
    free(fb);
    t2v_judge_free(back);
    remove(path);
}

int main(void)
{
    t2v_dataset *train = open_sbmg(T2V_SPLIT_TRAIN, 1);
    if (!train) {
        printf("skip - sbmg unavailable (run scripts/fetch-data.sh): %s\n", t2v_data_last_error());
        return 0;
    }
    t2v_dataset *test = open_sbmg(T2V_SPLIT_TEST, 1);
    t2v_dataset *test2 = open_sbmg(T2V_SPLIT_TEST, 2);
    if (!T2V_CHECK(test && test2, "sbmg test splits open"))
        return t2v_test_finish();

    t2v_judge_train_opts o;
    t2v_judge_train_opts_default(&o);
    o.steps = 300;
    o.batch = 32;
    o.threads = 2;
    t2v_judge *j = NULL;
    t2v_status st = t2v_judge_train(&o, train, &j);
    if (!T2V_CHECK(st == T2V_OK, "judge trained for %lld steps (%s)", (long long)o.steps,
                   st == T2V_OK ? "ok" : t2v_last_error()))
        return t2v_test_finish();
    printf("# judge trained in %.1f s\n", j->train_seconds);

    double acc[T2V_DATA_MAX_ATTRS], all = 0;
    st = t2v_judge_accuracy(j, test, TEST_ITEMS, 50, acc, &all);
    T2V_CHECK(st == T2V_OK && acc[0] >= 0.6 && acc[1] >= 0.9,
              "judge on %d real test clips (unseen combinations): digit %.1f%% (chance 10%%), "
              "motion %.1f%% (chance 50%%)", TEST_ITEMS, 100 * acc[0], 100 * acc[1]);

    check_save_load(j, test);

    // real clips of the same captions, other renderings: near the ceiling
    t2v_eval_report real;
    other_real src = {.want = test, .other = test2};
    st = t2v_eval_clips(j, test, train, TEST_ITEMS, 50, other_real_fn, &src, &real);
    T2V_CHECK(st == T2V_OK, "evaluation of real clips runs (%s)",
              st == T2V_OK ? "ok" : t2v_last_error());
    T2V_CHECK(fabs(real.acc_gen[0] - real.acc_real[0]) <= 0.08 &&
              fabs(real.acc_gen[1] - real.acc_real[1]) <= 0.05,
              "real clips of the captions score near the ceiling: digit %.1f%% vs %.1f%%, "
              "motion %.1f%% vs %.1f%%", 100 * real.acc_gen[0], 100 * real.acc_real[0],
              100 * real.acc_gen[1], 100 * real.acc_real[1]);
    T2V_CHECK(fabs(real.frame_diff_gen - real.frame_diff_real) < 0.2 * real.frame_diff_real,
              "real clips move as much as the real test clips (frame difference %.4f vs %.4f)",
              real.frame_diff_gen, real.frame_diff_real);
    T2V_CHECK(real.in_view_gen >= 0.95 && real.in_view_real >= 0.95,
              "real clips show the digit in nearly every frame (%.1f%%, test clips %.1f%%)",
              100 * real.in_view_gen, 100 * real.in_view_real);
    t2v_eval_report fading;
    st = t2v_eval_clips(j, test, train, TEST_ITEMS, 50, fading_fn, &src, &fading);
    T2V_CHECK(st == T2V_OK && fading.in_view_gen <= 0.25 &&
              fading.in_view_gen >= 0.25 * real.in_view_gen - 0.02 &&
              fading.in_view_real == real.in_view_real,
              "clips empty after frame 4 show the digit in a quarter of the frames (%.1f%%, "
              "want 25%% x %.1f%%)", 100 * fading.in_view_gen, 100 * real.in_view_gen);
    T2V_CHECK(real.is_real[0] > 2.0 && real.is_gen[0] > 2.0,
              "IS analogue of digits on real clips is well above 1 (%.2f, %.2f; test captions "
              "use 4 digits)", real.is_real[0], real.is_gen[0]);

    // the same real clips as "generated": identical scores, FID 0
    t2v_eval_report same;
    t2v_data_clips same_src = {.ds = test, .first = 0};
    st = t2v_eval_clips(j, test, train, 200, 50, t2v_data_clip_fn, &same_src, &same);
    T2V_CHECK(st == T2V_OK && same.acc_gen[0] == same.acc_real[0] &&
              same.acc_gen[1] == same.acc_real[1] && same.fid_gen < 1e-6 * (1 + same.fid_floor),
              "the test clips themselves score exactly the ceiling with FID 0 (%.3g)",
              same.fid_gen);

    // noise: near chance, far from the real clips in FID
    t2v_eval_report noise;
    st = t2v_eval_clips(j, test, train, TEST_ITEMS, 50, noise_fn, NULL, &noise);
    T2V_CHECK(st == T2V_OK && noise.acc_gen[0] <= 0.35 && noise.acc_gen[1] <= 0.75 &&
              noise.all_gen <= 0.3,
              "noise clips score near chance: digit %.1f%%, motion %.1f%%, all %.1f%%",
              100 * noise.acc_gen[0], 100 * noise.acc_gen[1], 100 * noise.all_gen);
    T2V_CHECK(noise.fid_gen > 5.0 * real.fid_gen && noise.fid_gen > 5.0 * noise.fid_floor,
              "FID of noise (%.2f) is far above real clips' (%.2f) and the floor (%.2f)",
              noise.fid_gen, real.fid_gen, noise.fid_floor);

    t2v_judge_free(j);
    t2v_data_close(train);
    t2v_data_close(test);
    t2v_data_close(test2);
    return t2v_test_finish();
}
