/* SBMG / TBMG: determinism, compositional split, digit-image split, motion
 * labels measured from rendered pixels, caption grammar. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncing.h"
#include "dataset.h"
#include "attr_diff.h"
#include "bouncing_caption.h"
#include "t2v_test.h"

static t2v_dataset *open_set(const char *name, t2v_data_split split, uint64_t seed, int T,
                             int size, int channels)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.split = split;
    o.seed = seed;
    o.frames = T;
    o.height = o.width = size;
    o.channels = channels;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK)
        return NULL;
    return ds;
}

/* Centre of mass of one (64, 64) frame given as floats in [-1, 1]. */
static void centre_of_mass(const float *f, double *cx, double *cy)
{
    double m = 0, sx = 0, sy = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            double v = f[y * 64 + x] + 1.0;
            m += v;
            sx += v * x;
            sy += v * y;
        }
    *cx = m > 0 ? sx / m : 0;
    *cy = m > 0 ? sy / m : 0;
}

/* Measures the motion of a (T, 64, 64) float clip: 0 left-right, 1 up-down,
 * -1 when it is neither purely horizontal nor purely vertical. Also the
 * largest per-frame displacement along the moving axis. */
static int measure_motion(const float *clip, int T, double *max_step, double *range)
{
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9, step = 0, px = 0, py = 0;
    for (int t = 0; t < T; t++) {
        double cx, cy;
        centre_of_mass(clip + (size_t)t * 4096, &cx, &cy);
        x0 = fmin(x0, cx);
        x1 = fmax(x1, cx);
        y0 = fmin(y0, cy);
        y1 = fmax(y1, cy);
        if (t > 0)
            step = fmax(step, fmax(fabs(cx - px), fabs(cy - py)));
        px = cx;
        py = cy;
    }
    *max_step = step;
    if (y1 - y0 < 1e-6 && x1 - x0 > 1.0) {
        *range = x1 - x0;
        return 0;
    }
    if (x1 - x0 < 1e-6 && y1 - y0 > 1.0) {
        *range = y1 - y0;
        return 1;
    }
    *range = 0;
    return -1;
}

static void check_motion_sbmg(t2v_data_split split, long n)
{
    t2v_dataset *ds = open_set("sbmg", split, 7, 16, 64, 1);
    float *clip = malloc(16 * 4096 * sizeof *clip);
    long bad = 0, bad_step = 0, bad_caption = 0, moved_far = 0;
    double worst_step = 0;
    for (long i = 0; i < n; i++) {
        t2v_data_get(ds, i, 0, clip, NULL);
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        double step, range;
        int m = measure_motion(clip, 16, &step, &range);
        bad += m != a.attr[1].value;
        bad_step += step > 8.0 + 1e-6;
        worst_step = fmax(worst_step, step);
        moved_far += range >= 20;
        int d[2], mo[2];
        if (parse_caption(t2v_data_caption(ds, i, 0), d, mo) != 1 || d[0] != a.attr[0].value ||
            mo[0] != a.attr[1].value)
            bad_caption++;
    }
    T2V_CHECK(bad == 0, "sbmg %s: motion measured from the centre of mass of %ld rendered "
              "clips matches the motion label (%ld mismatches)",
              split ? "test" : "train", n, bad);
    T2V_CHECK(bad_step == 0 && worst_step >= 6.5,
              "sbmg %s: largest centre-of-mass step per frame is %.2f px (<= 8, about 7.2)",
              split ? "test" : "train", worst_step);
    T2V_CHECK(moved_far > n * 9 / 10, "sbmg %s: %ld of %ld clips travel >= 20 px in 16 frames",
              split ? "test" : "train", moved_far, n);
    T2V_CHECK(bad_caption == 0, "sbmg %s: every caption parses and names the clip's digit and "
              "motion (%ld bad)", split ? "test" : "train", bad_caption);
    free(clip);
    t2v_data_close(ds);
}

/* TBMG: each digit drawn alone (same renderer), the composite is their max. */
static void check_motion_tbmg(t2v_data_split split, long n)
{
    t2v_dataset *ds = open_set("tbmg", split, 11, 16, 64, 1);
    float *clip = malloc(16 * 4096 * sizeof *clip), *layer = malloc(16 * 4096 * sizeof *layer);
    uint8_t *u8[2] = {malloc(16 * 4096), malloc(16 * 4096)};
    long bad = 0, bad_max = 0, bad_caption = 0;
    for (long i = 0; i < n; i++) {
        t2v_bounce_clip c;
        t2v_bounce_describe(ds, i, &c);
        t2v_data_get(ds, i, 0, clip, NULL);
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        for (int k = 0; k < 2; k++) {
            t2v_bounce_render(ds, &c, 1 << k, 16, u8[k]);
            for (int p = 0; p < 16 * 4096; p++)
                layer[p] = u8[k][p] / 127.5f - 1.0f;
            double step, range;
            if (measure_motion(layer, 16, &step, &range) != a.attr[2 * k + 1].value || step > 8.0 + 1e-6)
                bad++;
        }
        for (int p = 0; p < 16 * 4096; p++) {
            int want = u8[0][p] > u8[1][p] ? u8[0][p] : u8[1][p];
            if (fabsf(clip[p] - (want / 127.5f - 1.0f)) > 1e-6f) {
                bad_max++;
                break;
            }
        }
        int d[2], mo[2];
        if (parse_caption(t2v_data_caption(ds, i, 0), d, mo) != 2 || d[0] != a.attr[0].value ||
            mo[0] != a.attr[1].value || d[1] != a.attr[2].value || mo[1] != a.attr[3].value)
            bad_caption++;
    }
    T2V_CHECK(bad == 0, "tbmg %s: the motion of each digit, measured from its rendered layer, "
              "matches its label in %ld clips (%ld mismatches)", split ? "test" : "train", n, bad);
    T2V_CHECK(bad_max == 0, "tbmg %s: every frame is the per-pixel max of the two digit layers "
              "(%ld clips differ)", split ? "test" : "train", bad_max);
    T2V_CHECK(bad_caption == 0, "tbmg %s: every caption parses and names both digits and "
              "motions (%ld bad)", split ? "test" : "train", bad_caption);
    free(clip);
    free(layer);
    free(u8[0]);
    free(u8[1]);
    t2v_data_close(ds);
}

static void check_determinism(void)
{
    t2v_dataset *a = open_set("tbmg", T2V_SPLIT_TRAIN, 5, 10, 64, 1);
    t2v_dataset *b = open_set("tbmg", T2V_SPLIT_TRAIN, 5, 10, 64, 1);
    t2v_dataset *c = open_set("tbmg", T2V_SPLIT_TRAIN, 6, 10, 64, 1);
    size_t n = 10 * 4096;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
    int same = 1, differ = 0;
    for (long i = 0; i < 50; i++) {
        t2v_data_get(a, i, 0, x, NULL);
        t2v_data_get(b, i, 3, y, NULL);
        t2v_data_get(c, i, 0, z, NULL);
        same &= memcmp(x, y, n * sizeof *x) == 0 &&
                strcmp(t2v_data_caption(a, i, 0), t2v_data_caption(b, i, 0)) == 0;
        differ += memcmp(x, z, n * sizeof *x) != 0;
    }
    T2V_CHECK(same, "tbmg: the same seed gives the same bytes and captions for 50 clips "
              "(10 frames, another epoch)");
    T2V_CHECK(differ == 50, "tbmg: another seed gives different clips (%d of 50 differ)", differ);
    free(x);
    free(y);
    free(z);
    t2v_data_close(a);
    t2v_data_close(b);
    t2v_data_close(c);
}

static void check_split(const char *name, int n_digits, int want_train, int want_test)
{
    t2v_dataset *tr = open_set(name, T2V_SPLIT_TRAIN, 3, 4, 64, 1);
    t2v_dataset *te = open_set(name, T2V_SPLIT_TEST, 3, 4, 64, 1);
    t2v_data_info it, ie;
    t2v_data_get_info(tr, &it);
    t2v_data_get_info(te, &ie);
    T2V_CHECK(it.count == 10000 && ie.count == 2000, "%s: 10000 train and 2000 test clips "
              "(%ld, %ld)", name, it.count, ie.count);
    T2V_CHECK(it.n_captions == want_train && ie.n_captions == want_test,
              "%s: %d train and %d test captions (%ld, %ld)", name, want_train, want_test,
              it.n_captions, ie.n_captions);
    long shared = 0;
    for (long k = 0; k < ie.n_captions; k++)
        for (long j = 0; j < it.n_captions; j++)
            shared += strcmp(t2v_data_caption_at(te, k), t2v_data_caption_at(tr, j)) == 0;
    T2V_CHECK(shared == 0, "%s: no test caption is a training caption (%ld shared)", name,
              shared);

    /* Combinations actually drawn, digit images actually used. */
    static char seen_train[400], seen_test[400];
    memset(seen_train, 0, sizeof seen_train);
    memset(seen_test, 0, sizeof seen_test);
    const t2v_glyphs *g = t2v_bounce_glyphs(tr);
    char *used = calloc((size_t)g->count, 1);
    int digit_motion_train[2][10][2] = {{{0}}};
    long wrong_image_split = 0, images_shared = 0;
    for (int s = 0; s < 2; s++) {
        t2v_dataset *ds = s ? te : tr;
        long n = s ? ie.count : it.count;
        for (long i = 0; i < n; i++) {
            t2v_bounce_clip c;
            t2v_bounce_describe(ds, i, &c);
            int code = n_digits == 1 ? c.digit[0] * 2 + c.motion[0]
                                     : ((c.digit[0] * 2 + c.motion[0]) * 10 + c.digit[1]) * 2 +
                                           c.motion[1];
            (s ? seen_test : seen_train)[code] = 1;
            for (int k = 0; k < n_digits; k++) {
                wrong_image_split += g->split[c.glyph[k]] != s || g->labels[c.glyph[k]] != c.digit[k];
                if (used[c.glyph[k]] && used[c.glyph[k]] != s + 1)
                    images_shared++;
                used[c.glyph[k]] = (char)(s + 1);
                if (!s)
                    digit_motion_train[k][c.digit[k]][c.motion[k]] = 1;
            }
        }
    }
    int overlap = 0, n_train = 0, n_test = 0;
    for (int k = 0; k < 400; k++) {
        overlap += seen_train[k] && seen_test[k];
        n_train += seen_train[k];
        n_test += seen_test[k];
    }
    T2V_CHECK(overlap == 0, "%s: no (digit, motion) combination occurs in both splits "
              "(%d train, %d test combinations drawn)", name, n_train, n_test);
    T2V_CHECK(wrong_image_split == 0 && images_shared == 0,
              "%s: train clips use only train MNIST images of the right class and test clips "
              "only test images (%ld wrong, %ld shared)", name, wrong_image_split, images_shared);
    int missing = 0;
    for (int k = 0; k < n_digits; k++)
        for (int d = 0; d < 10; d++)
            for (int m = 0; m < 2; m++)
                missing += !digit_motion_train[k][d][m] && n_digits == 2;
    int digit_seen[10] = {0}, motion_seen[2] = {0};
    for (int d = 0; d < 10; d++)
        for (int m = 0; m < 2; m++)
            if (digit_motion_train[0][d][m]) {
                digit_seen[d] = 1;
                motion_seen[m] = 1;
            }
    for (int d = 0; d < 10; d++)
        missing += !digit_seen[d];
    missing += !motion_seen[0] + !motion_seen[1];
    T2V_CHECK(missing == 0, "%s: every digit and every motion still appears in training%s",
              name, n_digits == 2 ? " (each position: every digit with every motion)" : "");
    free(used);
    t2v_data_close(tr);
    t2v_data_close(te);
}

static void check_mismatch(void)
{
    t2v_dataset *ds = open_set("tbmg", T2V_SPLIT_TRAIN, 9, 4, 64, 1);
    long bad = 0;
    for (long i = 0; i < 500; i++) {
        long k = t2v_data_mismatched_caption(ds, i, 0, (uint64_t)i);
        int d[2], m[2];
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        if (k < 0 || parse_caption(t2v_data_caption_at(ds, k), d, m) != 2 ||
            (d[0] == a.attr[0].value && m[0] == a.attr[1].value && d[1] == a.attr[2].value &&
             m[1] == a.attr[3].value))
            bad++;
    }
    T2V_CHECK(bad == 0, "tbmg: 500 mismatched captions all describe other attributes (%ld bad)",
              bad);
    /* near misses: exactly one of the four attributes stated differently,
     * and over many items each attribute is the changed one sometimes */
    long wrong = 0, changed[4] = {0};
    for (long i = 0; i < 500; i++) {
        long k = t2v_data_near_mismatched_caption(ds, i, 0, (uint64_t)i);
        int d[2], m[2];
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        if (k < 0 || parse_caption(t2v_data_caption_at(ds, k), d, m) != 2) {
            wrong++;
            continue;
        }
        int got[4] = {d[0], m[0], d[1], m[1]}, which = -1;
        if (attr_differences(got, &a, 4, &which) != 1)
            wrong++;
        else
            changed[which]++;
    }
    T2V_CHECK(wrong == 0 && changed[0] && changed[1] && changed[2] && changed[3],
              "tbmg: 500 near misses each change one attribute (%ld wrong; digit1 %ld, motion1 "
              "%ld, digit2 %ld, motion2 %ld)", wrong, changed[0], changed[1], changed[2],
              changed[3]);
    t2v_data_close(ds);
    ds = open_set("sbmg", T2V_SPLIT_TRAIN, 9, 4, 64, 1);
    wrong = 0;
    long same_digit = 0;
    for (long i = 0; i < 300; i++) {
        long k = t2v_data_near_mismatched_caption(ds, i, 0, (uint64_t)i);
        int d[2] = {-1, -1}, m[2] = {-1, -1}; /* room for a second digit */
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        if (k < 0 || parse_caption(t2v_data_caption_at(ds, k), d, m) != 1 ||
            (d[0] != a.attr[0].value) + (m[0] != a.attr[1].value) != 1)
            wrong++;
        same_digit += d[0] == a.attr[0].value;
    }
    /* sbmg: 16 training captions; every digit keeps one motion, so a near
     * miss of the other motion exists only for digits with both in training */
    T2V_CHECK(wrong == 0 && same_digit > 0 && same_digit < 300,
              "sbmg: 300 near misses each change the digit or the motion, not both (%ld wrong, "
              "%ld keep the digit)", wrong, same_digit);
    t2v_data_close(ds);
}

static void check_layout(void)
{
    t2v_dataset *g1 = open_set("sbmg", T2V_SPLIT_TRAIN, 4, 8, 64, 1);
    t2v_dataset *g3 = open_set("sbmg", T2V_SPLIT_TRAIN, 4, 8, 64, 3);
    t2v_dataset *s32 = open_set("sbmg", T2V_SPLIT_TRAIN, 4, 8, 32, 1);
    float *a = malloc(8 * 4096 * sizeof *a), *b = malloc(3 * 8 * 4096 * sizeof *b);
    float *c = malloc(8 * 1024 * sizeof *c);
    t2v_data_get(g1, 17, 0, a, NULL);
    t2v_data_get(g3, 17, 0, b, NULL);
    t2v_data_get(s32, 17, 0, c, NULL);
    int rgb_same = memcmp(a, b, 8 * 4096 * sizeof *a) == 0 &&
                   memcmp(a, b + 8 * 4096, 8 * 4096 * sizeof *a) == 0 &&
                   memcmp(a, b + 2 * 8 * 4096, 8 * 4096 * sizeof *a) == 0;
    T2V_CHECK(rgb_same, "sbmg: 3 channels repeat the grey clip in each plane of (C, T, H, W)");
    double worst = 0, lo = 1, hi = -1;
    for (int t = 0; t < 8; t++)
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                const float *f = a + t * 4096;
                double want = (f[2 * y * 64 + 2 * x] + f[2 * y * 64 + 2 * x + 1] +
                               f[(2 * y + 1) * 64 + 2 * x] + f[(2 * y + 1) * 64 + 2 * x + 1]) / 4;
                double got = c[t * 1024 + y * 32 + x];
                worst = fmax(worst, fabs(got - want));
            }
    for (int p = 0; p < 8 * 4096; p++) {
        lo = fmin(lo, a[p]);
        hi = fmax(hi, a[p]);
    }
    T2V_CHECK(worst < 1e-5, "sbmg at 32x32 is the 2x2 mean of the 64x64 clip (worst %.2g)", worst);
    T2V_CHECK(lo == -1.0 && hi > 0.9 && hi <= 1.0, "sbmg values lie in [-1, 1] with black "
              "background (min %.3f, max %.3f)", lo, hi);
    free(a);
    free(b);
    free(c);
    t2v_data_close(g1);
    t2v_data_close(g3);
    t2v_data_close(s32);
}

/* Partial captions (opts.partial): about that share of items' captions
 * leaves exactly one attribute unstated, every caption is true of its
 * clip, the choice changes with the epoch, the split's captions are the
 * full ones plus every partial form, and near misses state exactly one
 * attribute differently (unstated ones never count). Sets without digits
 * and shares outside [0, 1] are refused. */
static void check_partial(const char *name, int n_digits, long want_captions)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.seed = 13;
    o.frames = 4;
    o.count = 2000;
    o.partial = 0.5f;
    t2v_dataset *ds = NULL;
    if (!T2V_CHECK(t2v_data_open(&o, &ds) == T2V_OK, "%s with partial 0.5 opens (%s)", name,
                   t2v_data_last_error()))
        return;
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    T2V_CHECK(info.n_captions == want_captions, "%s partial: %ld distinct captions (want %ld)",
              name, info.n_captions, want_captions);
    long partial = 0, untrue = 0, malformed = 0, changed = 0, near_bad = 0, near_n = 0;
    for (long i = 0; i < info.count; i++) {
        int digit[2], motion[2], hidden = 0;
        t2v_data_attrs at;
        const char *cap = t2v_data_caption(ds, i, 0);
        if (t2v_data_attributes(ds, i, &at) != T2V_OK ||
            parse_any_caption(cap, digit, motion) != n_digits) {
            malformed++;
            continue;
        }
        for (int j = 0; j < n_digits; j++) {
            hidden += (digit[j] < 0) + (motion[j] < 0);
            untrue += (digit[j] >= 0 && digit[j] != at.attr[2 * j].value) +
                      (motion[j] >= 0 && motion[j] != at.attr[2 * j + 1].value);
        }
        partial += hidden == 1;
        malformed += hidden > 1;
        changed += strcmp(cap, t2v_data_caption(ds, i, 1)) != 0;
        if (i % 10 == 0) {
            long k = t2v_data_near_mismatched_caption(ds, i, 0, (uint64_t)i);
            int nd[2], nm[2], diff = 0;
            if (k < 0 || parse_any_caption(t2v_data_caption_at(ds, k), nd, nm) != n_digits) {
                near_bad++;
                continue;
            }
            for (int j = 0; j < n_digits; j++)
                diff += (nd[j] >= 0 && nd[j] != at.attr[2 * j].value) +
                        (nm[j] >= 0 && nm[j] != at.attr[2 * j + 1].value);
            near_bad += diff != 1;
            near_n++;
        }
    }
    double share = (double)partial / (double)info.count;
    T2V_CHECK(malformed == 0 && fabs(share - 0.5) < 0.05,
              "%s partial: %.3f of captions leave one attribute unstated (want 0.5 +- 0.05), "
              "none malformed (%ld)", name, share, malformed);
    T2V_CHECK(untrue == 0, "%s partial: every stated attribute is true of its clip (%ld not)",
              name, untrue);
    T2V_CHECK(changed > info.count / 4, "%s partial: %ld of %ld captions change with the epoch",
              name, changed, info.count);
    T2V_CHECK(near_n > 0 && near_bad == 0,
              "%s partial: %ld near misses each state exactly one attribute differently "
              "(%ld not)", name, near_n, near_bad);
    t2v_data_close(ds);
}

static void check_partial_refused(void)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "scenes";
    o.partial = 0.5f;
    t2v_dataset *ds = NULL;
    t2v_status s = t2v_data_open(&o, &ds);
    T2V_CHECK(s == T2V_ERR_INVALID && ds == NULL && strstr(t2v_data_last_error(), "partial"),
              "scenes with partial captions refused (%s)", t2v_data_last_error());
    o.name = "sbmg";
    o.partial = 1.5f;
    s = t2v_data_open(&o, &ds);
    T2V_CHECK(s == T2V_ERR_INVALID && ds == NULL, "partial 1.5 refused (%s)",
              t2v_data_last_error());
}

int main(void)
{
    t2v_dataset *probe = open_set("sbmg", T2V_SPLIT_TRAIN, 1, 16, 64, 1);
    if (!probe) {
        if (strstr(t2v_data_last_error(), "is missing")) {
            printf("skip - %s\n", t2v_data_last_error());
            return 0;
        }
        T2V_CHECK(0, "open sbmg: %s", t2v_data_last_error());
        return t2v_test_finish();
    }
    t2v_data_close(probe);
    check_determinism();
    check_split("sbmg", 1, 16, 4);
    check_split("tbmg", 2, 320, 80);
    check_motion_sbmg(T2V_SPLIT_TRAIN, 4000);
    check_motion_sbmg(T2V_SPLIT_TEST, 2000);
    check_motion_tbmg(T2V_SPLIT_TRAIN, 1500);
    check_motion_tbmg(T2V_SPLIT_TEST, 500);
    check_mismatch();
    check_layout();
    /* sbmg: 16 full + "a digit is moving" x 2 directions + "digit D is moving" x 10;
     * tbmg: 320 full + 2 x (10 x 2 x 2) identity-hidden + 2 x (10 x 10 x 2) motion-hidden
     *       (every such form has a training combination behind it) */
    check_partial("sbmg", 1, 16 + 2 + 10);
    check_partial("tbmg", 2, 320 + 80 + 400);
    check_partial_refused();
    return t2v_test_finish();
}
