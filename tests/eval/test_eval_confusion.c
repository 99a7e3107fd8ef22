/* What the judge's diagnostics and training options do, against tables
 * worked out by hand: the matched predictions and the confusion table
 * (one object and two objects whose predictions come out swapped), the
 * training shift of a clip, and that a shifted training run differs from
 * an unshifted one while the unshifted one repeats itself bit for bit.
 * The training check needs the MNIST glyph cache (scripts/fetch-data.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t2v_test.h"
#include "train/eval/judge_train.h"
#include "train/eval/score.h"

/* A configuration of `objects` objects with the class counts `classes`
 * (per object, repeated for each object). */
static t2v_judge_cfg cfg_of(int objects, int per, const int *classes)
{
    t2v_judge_cfg c;
    memset(&c, 0, sizeof c);
    c.n_objects = objects;
    c.n_attrs = objects * per;
    for (int a = 0; a < c.n_attrs; a++) {
        snprintf(c.attr_name[a], sizeof c.attr_name[a], "a%d", a);
        c.n_classes[a] = classes[a % per];
    }
    return c;
}

static void check_matched_pred(void)
{
    // two objects (digit, motion): the judge names them in the other order
    static const int classes[2] = {10, 4};
    t2v_judge_cfg c = cfg_of(2, 2, classes);
    const int truth[4] = {3, 1, 7, 2};
    const int swapped[4] = {7, 2, 3, 0};   /* object 2 first, object 1's motion wrong */
    int matched[4], correct[4];
    t2v_judge_matched_pred(&c, swapped, truth, matched);
    t2v_judge_match(&c, swapped, truth, correct);
    T2V_CHECK(matched[0] == 3 && matched[1] == 0 && matched[2] == 7 && matched[3] == 2,
              "matched predictions of a swapped pair come back in the true objects' order "
              "(%d %d %d %d)", matched[0], matched[1], matched[2], matched[3]);
    T2V_CHECK(correct[0] == 1 && correct[1] == 0 && correct[2] == 1 && correct[3] == 1,
              "t2v_judge_match marks the same assignment right and wrong");

    // one object: the predictions are returned as they are
    static const int one_cls[3] = {5, 3, 2};
    t2v_judge_cfg one = cfg_of(1, 3, one_cls);
    const int t1[3] = {4, 0, 1}, p1[3] = {2, 0, 0};
    t2v_judge_matched_pred(&one, p1, t1, matched);
    T2V_CHECK(matched[0] == 2 && matched[1] == 0 && matched[2] == 0,
              "one object: matched predictions are the predictions");
}

static void check_confusion(void)
{
    // one object, attribute 0 has 3 classes, attribute 1 has 2
    static const int classes[2] = {3, 2};
    t2v_judge j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg_of(1, 2, classes);
    enum { N = 7 };
    int truth[N * 2] = {0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 2, 1, 2, 0};
    int pred[N * 2] = {0, 0, 1, 1, 1, 1, 2, 1, 2, 0, 0, 1, 2, 0};
    t2v_judged s = {.n = N, .n_attrs = 2, .pred = pred};
    long counts[9], want[9] = {
        1, 1, 0,   /* true 0: once right, once called 1 */
        0, 1, 1,   /* true 1 */
        1, 0, 2,   /* true 2 */
    };
    t2v_judged_confusion(&j, &s, truth, 0, counts);
    T2V_CHECK(!memcmp(counts, want, sizeof want),
              "confusion of a 3-class attribute: rows true, columns predicted, as counted by "
              "hand");
    double acc[2], all;
    t2v_judged_accuracy(&j, &s, truth, acc, &all);
    long diag = counts[0] + counts[4] + counts[8];
    T2V_CHECK(diag == 4 && acc[0] * N > diag - 0.5 && acc[0] * N < diag + 0.5,
              "its diagonal (%ld) is the accuracy's hit count (%.3f of %d)", diag, acc[0], N);
    long c1[4], want1[4] = {3, 1, 0, 3};
    t2v_judged_confusion(&j, &s, truth, 1, c1);
    T2V_CHECK(!memcmp(c1, want1, sizeof want1), "confusion of the 2-class attribute");

    // two objects predicted in the swapped order: the table stays diagonal
    static const int tb[2] = {4, 2};
    t2v_judge j2;
    memset(&j2, 0, sizeof j2);
    j2.cfg = cfg_of(2, 2, tb);
    int truth2[2 * 4] = {0, 1, 3, 0, 2, 0, 1, 1};
    int pred2[2 * 4] = {3, 0, 0, 1, 1, 1, 2, 0};
    t2v_judged s2 = {.n = 2, .n_attrs = 4, .pred = pred2};
    long c2[16];
    t2v_judged_confusion(&j2, &s2, truth2, 2, c2);
    long off = 0;
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 4; k++)
            off += r != k ? c2[r * 4 + k] : 0;
    T2V_CHECK(c2[3 * 4 + 3] == 1 && c2[1 * 4 + 1] == 1 && off == 0,
              "two objects named in the other order: the second object's digit lands on the "
              "diagonal");
}

static void check_shift(void)
{
    enum { C = 2, T = 2, H = 5, W = 7 };
    float clip[C * T * H * W], orig[C * T * H * W], tmp[H * W];
    for (int i = 0; i < C * T * H * W; i++)
        orig[i] = (float)(i * 0.37 - 11.0);
    int shifts[4][2] = {{0, 0}, {1, -2}, {-3, 4}, {9, -9}};
    for (int k = 0; k < 4; k++) {
        int dy = shifts[k][0], dx = shifts[k][1];
        memcpy(clip, orig, sizeof clip);
        t2v_judge_shift_clip(clip, C, T, H, W, dy, dx, tmp);
        int bad = 0;
        for (int p = 0; p < C * T; p++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    int sy = y - dy, sx = x - dx;
                    sy = sy < 0 ? 0 : sy > H - 1 ? H - 1 : sy;
                    sx = sx < 0 ? 0 : sx > W - 1 ? W - 1 : sx;
                    bad += clip[(p * H + y) * W + x] != orig[(p * H + sy) * W + sx];
                }
        T2V_CHECK(bad == 0, "shift by (%d, %d): every plane moves, edges repeat (%d wrong "
                  "pixels)", dy, dx, bad);
    }
}

/* Trains a judge on a few SBMG items for 3 steps; its first head's
 * weights (n floats) into w. */
static t2v_status train_tiny(const t2v_dataset *train, int shift, float *w, size_t n)
{
    t2v_judge_train_opts o;
    t2v_judge_train_opts_default(&o);
    o.steps = 3;
    o.batch = 4;
    o.threads = 1;
    o.width0 = 4;
    o.shift = shift;
    t2v_judge *j = NULL;
    t2v_status s = t2v_judge_train(&o, train, &j);
    if (s == T2V_OK)
        s = t2v_backend_download(j->be, w, t2v_pdata(&j->params, j->head_w[0]),
                                 n * sizeof(float));
    t2v_judge_free(j);
    return s;
}

static void check_shift_training(void)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "sbmg";
    o.split = T2V_SPLIT_TRAIN;
    o.frames = 4;
    o.height = o.width = 32;
    o.count = 64;
    t2v_dataset *train = NULL;
    t2v_status st = t2v_data_open(&o, &train);
    if (!T2V_CHECK(st == T2V_OK, "SBMG train items open%s%s", st ? ": " : "",
                   st ? t2v_data_last_error() : ""))
        return;
    enum { NW = 10 * 32 };   /* digit head: 10 classes x 32 features (width 4) */
    float a[NW], b[NW], c[NW];
    t2v_status s = train_tiny(train, 0, a, NW);
    if (s == T2V_OK)
        s = train_tiny(train, 0, b, NW);
    if (s == T2V_OK)
        s = train_tiny(train, 3, c, NW);
    if (T2V_CHECK(s == T2V_OK, "three tiny training runs (%s)", s ? t2v_last_error() : "ok")) {
        T2V_CHECK(!memcmp(a, b, sizeof a), "an unshifted run repeats itself bit for bit");
        T2V_CHECK(memcmp(a, c, sizeof a) != 0, "--shift 3 changes what the judge learns");
    }
    t2v_judge_train_opts bad;
    t2v_judge_train_opts_default(&bad);
    bad.shift = 17;
    t2v_judge *j = NULL;
    T2V_CHECK(t2v_judge_train(&bad, train, &j) == T2V_ERR_INVALID && !j,
              "a shift above 16 pixels is refused");
    t2v_data_close(train);
}

int main(void)
{
    check_matched_pred();
    check_confusion();
    check_shift();
    check_shift_training();
    return t2v_test_finish();
}
