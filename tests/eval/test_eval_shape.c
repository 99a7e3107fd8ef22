/* The judge's shape trunk: the colour-invariant picture it reads
 * (shape_image.h) against the alpha it was composited from, and a judge
 * built for a schema with an "object" attribute, whose object head cannot
 * tell two colourings of one glyph apart while its colour head can. Also
 * that judges without such an attribute are built and stored as before;
 * argv[1]: the shipped SBMG judge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t2v_test.h"
#include "train/eval/judge.h"
#include "train/eval/shape_image.h"
#include "txt2vid/weights.h"

enum { SIDE = 32 };

/* A glyph alpha (SIDE, SIDE) in [0, 1]: a soft ring and a bar, nothing on
 * the border; its largest value is 1. */
static void make_alpha(double *alpha, int variant)
{
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            double dx = x - 15.5 - variant, dy = y - 14.0, r = sqrt(dx * dx + dy * dy);
            double ring = fmax(0.0, 1.0 - fabs(r - 7.0) / 2.5);
            double bar = (x >= 6 && x < 10 && y >= 8 + variant && y < 26) ? 0.8 : 0.0;
            alpha[y * SIDE + x] = fmin(1.0, ring + bar);
        }
    double top = 0;
    for (int p = 0; p < SIDE * SIDE; p++)
        top = fmax(top, alpha[p]);
    for (int p = 0; p < SIDE * SIDE; p++)
        alpha[p] /= top;
}

/* image (3, 1, SIDE, SIDE) = bg + (fg - bg) alpha, colours in [-1, 1]. */
static void composite(const double *alpha, const double fg[3], const double bg[3], float *img)
{
    size_t hw = (size_t)SIDE * SIDE;
    for (int c = 0; c < 3; c++)
        for (size_t p = 0; p < hw; p++)
            img[c * hw + p] = (float)(bg[c] + (fg[c] - bg[c]) * alpha[p]);
}

/* Largest |got - want| over n values. */
static double max_diff(const float *got, const double *want, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, isfinite(got[i]) ? fabs(got[i] - want[i]) : INFINITY);
    return worst;
}

static void check_shape_image(void)
{
    size_t hw = (size_t)SIDE * SIDE;
    double alpha[SIDE * SIDE];
    make_alpha(alpha, 0);
    static const double colours[4][2][3] = {
        {{0.73, -0.76, -0.76}, {-0.88, -0.88, -0.88}},  /* red on black */
        {{-0.76, 0.33, -0.61}, {0.92, 0.92, 0.92}},     /* green on white */
        {{0.88, 0.73, -0.76}, {0.10, -0.69, 0.33}},     /* yellow on purple */
        {{-0.76, -0.53, 0.73}, {0.92, 0.02, -0.84}},    /* blue on orange */
    };
    float *img = malloc(3 * hw * sizeof(float)), *shape = malloc(4 * hw * sizeof(float));
    float *scratch = malloc(t2v_shape_scratch_floats(SIDE, SIDE) * sizeof(float));
    double *want = malloc(hw * sizeof(double));
    for (size_t p = 0; p < hw; p++)
        want[p] = 2.0 * alpha[p] - 1.0;
    double err = 0;
    for (int k = 0; k < 4; k++) {
        composite(alpha, colours[k][0], colours[k][1], img);
        t2v_shape_image(img, 1, 3, 1, SIDE, SIDE, shape + k * hw, scratch);
        err = fmax(err, max_diff(shape + k * hw, want, hw));
    }
    T2V_CHECK(err < 1e-5, "the shape picture of a glyph is 2 alpha - 1 on four colour pairs "
              "(background removed, ink normalised; max error %.2g)", err);
    float worst = 0;
    for (int k = 1; k < 4; k++)
        for (size_t p = 0; p < hw; p++)
            worst = fmaxf(worst, fabsf(shape[k * hw + p] - shape[p]));
    T2V_CHECK(worst < 1e-5f, "four colourings of one glyph give the same picture (max diff %g)",
              (double)worst);

    // a faint glyph (contrast 0.1 < the minimum) is not stretched to full range
    const double faint_fg[3] = {0.1, 0.05, 0.0}, zero[3] = {0, 0, 0};
    composite(alpha, faint_fg, zero, img);
    t2v_shape_image(img, 1, 3, 1, SIDE, SIDE, shape, scratch);
    for (size_t p = 0; p < hw; p++)
        want[p] = 2.0 * 0.1 * alpha[p] / T2V_SHAPE_MIN_CONTRAST - 1.0;
    err = max_diff(shape, want, hw);
    T2V_CHECK(err < 1e-5, "a frame fainter than %.2f keeps its contrast (noise is not blown "
              "up; max error %.2g)", (double)T2V_SHAPE_MIN_CONTRAST, err);

    // two frames of one grey clip (1, 2, H, W): each frame on its own
    double alpha2[SIDE * SIDE];
    make_alpha(alpha2, 3);
    float *clip = malloc(2 * hw * sizeof(float));
    for (size_t p = 0; p < hw; p++) {
        clip[p] = (float)(-0.5 + 1.2 * alpha[p]);
        clip[hw + p] = (float)(0.9 - 0.6 * alpha2[p]);
    }
    t2v_shape_image(clip, 1, 1, 2, SIDE, SIDE, shape, scratch);
    double *want2 = malloc(2 * hw * sizeof(double));
    for (size_t p = 0; p < hw; p++) {
        want2[p] = 2.0 * alpha[p] - 1.0;
        want2[hw + p] = 2.0 * alpha2[p] - 1.0;
    }
    err = max_diff(shape, want2, 2 * hw);
    T2V_CHECK(err < 1e-5, "frames of a grey clip: each frame's own background and ink, bright "
              "on dark and dark on bright (max error %.2g)", err);
    free(img); free(shape); free(scratch); free(want); free(want2); free(clip);
}

/* Alpha of an analytic glyph (kind 0: a ring and a bar; 1: a diagonal
 * cross; unit size) drawn at centre
 * (cx, cy) with scale k pixels per unit, 4 x 4 samples per pixel, into a
 * frame (H, W) as 2 alpha - 1. */
static void draw_glyph(float *frame, int H, int W, double cx, double cy, double k, int kind)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double a = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    double u = (x + (sx + 0.5) / 4 - cx) / k, v = (y + (sy + 0.5) / 4 - cy) / k;
                    double r = sqrt(u * u + v * v);
                    int ring = fabs(r - 0.35) < 0.1;
                    int bar = fabs(v) < 0.08 && u > -0.5 && u < 0.5;
                    int cross = fabs(u - v) < 0.12 || fabs(u + v) < 0.12;
                    a += kind ? cross && r < 0.5 : ring || bar;
                }
            frame[y * W + x] = (float)(2.0 * a / 16 - 1.0);
        }
}

static double mean_abs_diff(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs(a[i] - b[i]);
    return s / (double)n;
}

static void check_shape_crop(void)
{
    enum { H = 64, W = 64, S = 32 };
    float *frames = malloc(4 * H * W * sizeof(float)), *crops = malloc(4 * S * S * sizeof(float));
    // a solid box of ink over columns [10, 20) and rows [30, 36): the crop is
    // the 12.5-pixel square around it, the box spans its middle 80% across
    for (int p = 0; p < H * W; p++)
        frames[p] = -1.0f;
    for (int y = 30; y < 36; y++)
        for (int x = 10; x < 20; x++)
            frames[y * W + x] = 1.0f;
    t2v_shape_crop(frames, 1, 1, H, W, S, crops);
    // crop pixel k covers frame x in 15 + (k - 16) 12.5 / 32 + [0, 12.5 / 32)
    int bad = 0;
    for (int i = 0; i < S; i++)
        for (int k = 0; k < S; k++) {
            double x0 = 15 + (k - 16) * 12.5 / S, x1 = x0 + 12.5 / S;
            double y0 = 33 + (i - 16) * 12.5 / S, y1 = y0 + 12.5 / S;
            float v = crops[i * S + k];
            if (x0 >= 10.5 && x1 <= 19.5 && y0 >= 30.5 && y1 <= 35.5)
                bad += fabsf(v - 1.0f) > 1e-5f;      /* well inside the box: ink */
            else if (x1 <= 9.5 || x0 >= 20.5 || y1 <= 29.5 || y0 >= 36.5)
                bad += fabsf(v + 1.0f) > 1e-5f;      /* well outside: background */
        }
    T2V_CHECK(bad == 0, "a box of ink is cut to the square around it, filling %.0f%% of its "
              "side (%d pixels wrong)", 100.0 * T2V_SHAPE_CROP_FILL, bad);

    // one glyph small in a corner and large in the centre: nearly the same crop;
    // another glyph at the same size and place: a different one
    draw_glyph(frames, H, W, 14.0, 15.0, 20.0, 0);
    draw_glyph(frames + H * W, H, W, 33.0, 31.0, 36.0, 0);
    draw_glyph(frames + 2 * H * W, H, W, 14.0, 15.0, 20.0, 1);
    for (int p = 0; p < H * W; p++)
        frames[3 * H * W + p] = -1.0f;
    t2v_shape_crop(frames, 4, 1, H, W, S, crops);
    double same = mean_abs_diff(crops, crops + S * S, S * S);
    double other = mean_abs_diff(crops, crops + 2 * S * S, S * S);
    T2V_CHECK(same < 0.08 && other > 3 * same,
              "a glyph's crop hardly depends on its place and size (mean diff %.3f), another "
              "glyph's differs (%.3f)", same, other);
    float top = -1.0f;
    for (int p = 0; p < S * S; p++)
        top = fmaxf(top, crops[3 * S * S + p]);
    T2V_CHECK(top == -1.0f, "a blank frame crops to background");
    free(frames);
    free(crops);
}

static t2v_data_attrs scenes_schema(void)
{
    static const char *names[5] = {"object", "colour", "size", "position", "background"};
    static const int classes[5] = {20, 8, 2, 9, 8};
    t2v_data_attrs s = {.n_objects = 1, .n = 5};
    for (int a = 0; a < 5; a++)
        s.attr[a] = (t2v_data_attr){.name = names[a], .n_classes = classes[a], .value = -1};
    return s;
}

/* Logits (2, K) of two colourings of one glyph under a fresh judge. */
static int two_colourings(t2v_judge *j, float *logits)
{
    size_t hw = (size_t)SIDE * SIDE;
    double alpha[SIDE * SIDE];
    make_alpha(alpha, 1);
    const double fg0[3] = {0.73, -0.76, -0.76}, bg0[3] = {-0.88, -0.88, -0.88};
    const double fg1[3] = {-0.76, -0.53, 0.73}, bg1[3] = {0.88, 0.73, -0.76};
    float *img = malloc(2 * 3 * hw * sizeof(float));
    composite(alpha, fg0, bg0, img);
    composite(alpha, fg1, bg1, img + 3 * hw);
    t2v_judge_run r;
    int ok = img && t2v_judge_run_init(j, &r, 2, 0) == T2V_OK;
    if (ok) {
        ok = t2v_judge_forward(j, &r, img, 2, logits, NULL) == T2V_OK;
        t2v_judge_run_release(&r);
    }
    free(img);
    return ok;
}

static void check_scenes_judge(void)
{
    t2v_data_attrs schema = scenes_schema();
    t2v_judge_cfg cfg;
    t2v_status st = t2v_judge_cfg_for(&cfg, "scenes", 3, 1, SIDE, SIDE, &schema);
    T2V_CHECK(st == T2V_OK && cfg.shape_width0 == 16 && cfg.motion_width0 == 0 &&
              cfg.shape_crop == T2V_JUDGE_SHAPE_CROP &&
              cfg.head_trunk[0] == T2V_JUDGE_SHAPE && cfg.head_trunk[1] == T2V_JUDGE_APPEARANCE &&
              cfg.head_trunk[4] == T2V_JUDGE_APPEARANCE,
              "a schema with \"object\": a shape trunk (reading the %d-pixel crop) for the "
              "object head, RGB for the rest", T2V_JUDGE_SHAPE_CROP);
    t2v_judge *j = NULL;
    st = t2v_judge_new(&cfg, NULL, 1, 3, 0, &j);
    if (!T2V_CHECK(st == T2V_OK, "scenes judge built (%s)", st ? t2v_last_error() : "ok"))
        return;
    T2V_CHECK(j->trunk[T2V_JUDGE_SHAPE].used &&
              j->trunk[T2V_JUDGE_SHAPE].in_numel == T2V_JUDGE_SHAPE_CROP * T2V_JUDGE_SHAPE_CROP &&
              j->feat_dim == j->trunk[0].feat_dim + j->trunk[T2V_JUDGE_SHAPE].feat_dim,
              "the shape trunk reads one channel; features are [appearance | shape] (%d)",
              j->feat_dim);
    int K = j->n_logits;
    float *logits = malloc(2 * (size_t)K * sizeof(float));
    if (T2V_CHECK(logits && two_colourings(j, logits), "two colourings judged")) {
        float obj = 0, col = 0;
        for (int c = 0; c < 20; c++)
            obj = fmaxf(obj, fabsf(logits[c] - logits[K + c]));
        for (int c = 0; c < 8; c++)
            col = fmaxf(col, fabsf(logits[20 + c] - logits[K + 20 + c]));
        T2V_CHECK(obj < 1e-4f && col > 1e-2f,
                  "object logits ignore the colours (max diff %.2g), colour logits do not "
                  "(%.3g)", (double)obj, (double)col);
    }

    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-judge-shape-%ld.gguf", dir && *dir ? dir : "/tmp",
             (long)getpid());
    t2v_judge *back = NULL;
    st = t2v_judge_save(j, path, "test");
    if (st == T2V_OK)
        st = t2v_judge_load(path, NULL, 1, &back);
    float *again = malloc(2 * (size_t)K * sizeof(float));
    if (T2V_CHECK(st == T2V_OK && again, "scenes judge saved and loaded (%s)",
                  st ? t2v_last_error() : "ok")) {
        int same_cfg = back->cfg.shape_width0 == cfg.shape_width0 &&
                       !memcmp(back->cfg.head_trunk, cfg.head_trunk, sizeof cfg.head_trunk);
        T2V_CHECK(same_cfg && two_colourings(back, again) &&
                  !memcmp(again, logits, 2 * (size_t)K * sizeof(float)),
                  "the loaded judge keeps its shape trunk and head trunks, and gives the same "
                  "logits bit for bit");
    }
    t2v_judge_free(back);
    remove(path);
    free(logits);
    free(again);
    t2v_judge_free(j);
}

/* A scenes judge whose shape trunk reads the crop (16 x 16): built, blind
 * to colour, and stored with its crop size. */
static void check_cropped_judge(void)
{
    t2v_data_attrs schema = scenes_schema();
    t2v_judge_cfg cfg;
    t2v_status st = t2v_judge_cfg_for(&cfg, "scenes", 3, 1, SIDE, SIDE, &schema);
    cfg.shape_crop = 16;
    t2v_judge *j = NULL, *back = NULL;
    if (st == T2V_OK)
        st = t2v_judge_new(&cfg, NULL, 1, 5, 0, &j);
    if (!T2V_CHECK(st == T2V_OK && j->trunk[T2V_JUDGE_SHAPE].in_numel == 16 * 16 &&
                   j->trunk[T2V_JUDGE_APPEARANCE].in_numel == 3 * SIDE * SIDE,
                   "with shape_crop 16 the shape trunk reads 16 x 16, the RGB trunk the frame "
                   "(%s)", st ? t2v_last_error() : "ok"))
        return;
    int K = j->n_logits;
    float *logits = malloc(2 * (size_t)K * sizeof(float));
    float *again = malloc(2 * (size_t)K * sizeof(float));
    if (T2V_CHECK(logits && again && two_colourings(j, logits), "two colourings judged")) {
        float obj = 0;
        for (int c = 0; c < 20; c++)
            obj = fmaxf(obj, fabsf(logits[c] - logits[K + c]));
        T2V_CHECK(obj < 1e-4f, "the cropped shape trunk ignores the colours (max diff %.2g)",
                  (double)obj);
    }
    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-judge-crop-%ld.gguf", dir && *dir ? dir : "/tmp",
             (long)getpid());
    st = t2v_judge_save(j, path, "test");
    if (st == T2V_OK)
        st = t2v_judge_load(path, NULL, 1, &back);
    T2V_CHECK(st == T2V_OK && back->cfg.shape_crop == 16 && two_colourings(back, again) &&
              !memcmp(again, logits, 2 * (size_t)K * sizeof(float)),
              "saved and loaded, the judge keeps its crop size and its logits bit for bit");
    cfg.shape_crop = 0;
    t2v_judge *whole = NULL;
    st = t2v_judge_new(&cfg, NULL, 1, 5, 0, &whole);
    T2V_CHECK(st == T2V_OK && whole->trunk[T2V_JUDGE_SHAPE].in_numel == SIDE * SIDE,
              "with shape_crop 0 the shape trunk reads the whole %d x %d frame", SIDE, SIDE);
    t2v_judge_free(whole);
    cfg.shape_crop = 2;
    t2v_judge *tiny = NULL;
    T2V_CHECK(t2v_judge_new(&cfg, NULL, 1, 5, 0, &tiny) == T2V_ERR_INVALID && !tiny,
              "a crop under 4 pixels is refused");
    t2v_judge_free(back);
    t2v_judge_free(j);
    remove(path);
    free(logits);
    free(again);
}

static void check_without_shape(const char *sbmg_path)
{
    t2v_data_attrs s = {.n_objects = 1, .n = 2};
    s.attr[0] = (t2v_data_attr){.name = "digit", .n_classes = 10, .value = -1};
    s.attr[1] = (t2v_data_attr){.name = "motion", .n_classes = 2, .value = -1};
    t2v_judge_cfg cfg;
    t2v_status st = t2v_judge_cfg_for(&cfg, "sbmg", 1, 4, SIDE, SIDE, &s);
    T2V_CHECK(st == T2V_OK && cfg.shape_width0 == 0 && cfg.motion_width0 == 16 &&
              cfg.head_trunk[0] == T2V_JUDGE_APPEARANCE && cfg.head_trunk[1] == T2V_JUDGE_MOTION,
              "a digit / motion schema gets no shape trunk (appearance and motion heads)");
    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-judge-noshape-%ld.gguf", dir && *dir ? dir : "/tmp",
             (long)getpid());
    t2v_judge *j = NULL;
    t2v_weights *w = NULL;
    st = t2v_judge_new(&cfg, NULL, 1, 3, 0, &j);
    if (st == T2V_OK)
        st = t2v_judge_save(j, path, "test");
    if (st == T2V_OK)
        st = t2v_weights_open(path, &w);
    T2V_CHECK(st == T2V_OK && !t2v_weights_has_key(w, "txt2vid.judge.shape_width0") &&
              !t2v_weights_has_key(w, "txt2vid.judge.head_trunks"),
              "a judge without a shape trunk is stored with the keys judges always had");
    if (w)
        t2v_weights_close(w);
    t2v_judge_free(j);
    remove(path);

    t2v_judge *shipped = NULL;
    st = sbmg_path ? t2v_judge_load(sbmg_path, NULL, 1, &shipped) : T2V_ERR_INVALID;
    T2V_CHECK(st == T2V_OK && !shipped->trunk[T2V_JUDGE_SHAPE].used &&
              shipped->cfg.head_trunk[0] == T2V_JUDGE_APPEARANCE &&
              shipped->cfg.head_trunk[1] == T2V_JUDGE_MOTION &&
              shipped->feat_dim == shipped->trunk[0].feat_dim + shipped->trunk[1].feat_dim,
              "the shipped SBMG judge (%s) loads with its two trunks", sbmg_path ? sbmg_path : "?");
    t2v_judge_free(shipped);
}

int main(int argc, char **argv)
{
    check_shape_image();
    check_shape_crop();
    check_scenes_judge();
    check_cropped_judge();
    check_without_shape(argc > 1 ? argv[1] : NULL);
    return t2v_test_finish();
}
