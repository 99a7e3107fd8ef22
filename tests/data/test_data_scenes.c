/* "scenes": caption grammar for every caption, attributes measured from
 * pixels (background and glyph colour, centroid position, size), the
 * held-out (object, colour) pairs, glyph-image split, determinism, and
 * agreement of the two resolutions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "scenes.h"
#include "attr_diff.h"
#include "t2v_test.h"

static const char *colours[8] = {"red", "green", "blue", "yellow", "white", "black", "purple",
                                 "orange"};
static const char *positions[9] = {"in the upper left", "at the top", "in the upper right",
                                   "on the left", "in the centre", "on the right",
                                   "in the lower left", "at the bottom", "in the lower right"};
static const char *fashion[10] = {"t-shirt", "pair of trousers", "pullover", "dress", "coat",
                                  "sandal", "shirt", "sneaker", "bag", "ankle boot"};

/* Consumes word w at *s (followed by a space or the end). */
static int eat(const char **s, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*s, w, n) != 0 || ((*s)[n] != ' ' && (*s)[n] != '\0'))
        return 0;
    *s += n + ((*s)[n] == ' ');
    return 1;
}

static int eat_of(const char **s, const char *const *words, int n)
{
    for (int k = 0; k < n; k++)
        if (eat(s, words[k]))
            return k;
    return -1;
}

static int eat_object(const char **s)
{
    if (strncmp(*s, "digit ", 6) == 0 && (*s)[6] >= '0' && (*s)[6] <= '9') {
        int d = (*s)[6] - '0';
        *s += 7 + ((*s)[7] == ' ');
        return d;
    }
    int k = eat_of(s, fashion, 10);
    return k < 0 ? -1 : 10 + k;
}

static int eat_article(const char **s, int colour)
{
    return eat(s, colours[colour][0] == 'o' ? "an" : "a");
}

/* The three phrasings, parsed independently; attrs: object, colour, size,
 * position, background. Returns 1 when the caption is well formed. */
static int parse_scene(const char *s, int *at)
{
    static const char *sizes[2] = {"small", "large"};
    const char *p = s;
    if (eat(&p, "a") && (at[2] = eat_of(&p, sizes, 2)) >= 0) {
        int c = eat_of(&p, colours, 8);
        if (c >= 0) { /* a large red digit 7 in the upper left on a blue background */
            at[1] = c;
            if ((at[0] = eat_object(&p)) < 0 || (at[3] = eat_of(&p, positions, 9)) < 0 ||
                !eat(&p, "on"))
                return 0;
        } else { /* a large digit 7 in red in the upper left on a blue background */
            if ((at[0] = eat_object(&p)) < 0 || !eat(&p, "in") ||
                (at[1] = eat_of(&p, colours, 8)) < 0 || (at[3] = eat_of(&p, positions, 9)) < 0 ||
                !eat(&p, "on"))
                return 0;
        }
        const char *q = p;
        if (!eat(&q, "a") && !eat(&q, "an"))
            return 0;
        if ((at[4] = eat_of(&q, colours, 8)) < 0 || !eat_article(&p, at[4]) ||
            !eat(&q, "background"))
            return 0;
        return *q == '\0';
    }
    /* a blue background with a large red digit 7 in the upper left */
    p = s;
    const char *q = p;
    if (!eat(&q, "a") && !eat(&q, "an"))
        return 0;
    if ((at[4] = eat_of(&q, colours, 8)) < 0 || !eat_article(&p, at[4]) ||
        !eat(&q, "background") || !eat(&q, "with") || !eat(&q, "a") ||
        (at[2] = eat_of(&q, sizes, 2)) < 0 || (at[1] = eat_of(&q, colours, 8)) < 0 ||
        (at[0] = eat_object(&q)) < 0 || (at[3] = eat_of(&q, positions, 9)) < 0)
        return 0;
    return *q == '\0';
}

static t2v_dataset *open_scenes(t2v_data_split split, uint64_t seed)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "scenes";
    o.split = split;
    o.seed = seed;
    t2v_dataset *ds = NULL;
    return t2v_data_open(&o, &ds) == T2V_OK ? ds : NULL;
}

static void check_captions(t2v_dataset *tr, t2v_dataset *te)
{
    for (int s = 0; s < 2; s++) {
        t2v_dataset *ds = s ? te : tr;
        t2v_data_info info;
        t2v_data_get_info(ds, &info);
        long bad = 0, wrong_split = 0;
        for (long k = 0; k < info.n_captions; k++) {
            int at[5];
            if (!parse_scene(t2v_data_caption_at(ds, k), at) || at[1] == at[4])
                bad++;
            else
                wrong_split += t2v_scene_pair_is_test(at[0], at[1]) != s;
        }
        T2V_CHECK(bad == 0, "scenes %s: all %ld distinct captions parse with the grammar, glyph "
                  "colour != background (%ld bad)", s ? "test" : "train", info.n_captions, bad);
        T2V_CHECK(wrong_split == 0, "scenes %s: every caption's (object, colour) pair belongs to "
                  "this split (%ld do not)", s ? "test" : "train", wrong_split);
    }
    int held = 0, per_object_ok = 1;
    for (int o = 0; o < 20; o++) {
        int n = 0;
        for (int c = 0; c < 8; c++)
            n += t2v_scene_pair_is_test(o, c);
        held += n;
        per_object_ok &= n == 1;
    }
    T2V_CHECK(held == 20 && per_object_ok, "scenes: 20 (object, colour) pairs held out, one "
              "colour per object, so every object and colour remain in training");
}

static int nearest_colour(const double *rgb)
{
    int best = 0;
    double bd = 1e18;
    for (int c = 0; c < 8; c++) {
        double d = 0;
        for (int k = 0; k < 3; k++)
            d += pow(rgb[k] - t2v_scene_palette[c][k], 2);
        if (d < bd) {
            bd = d;
            best = c;
        }
    }
    return best;
}

/* Measures background, glyph colour, centroid and ink extent of x: (3, R, R). */
static void measure(const float *x, int R, int *bg, int *fg, double *cx, double *cy,
                    double *extent)
{
    size_t hw = (size_t)R * R;
    double corner[3] = {0};
    for (int k = 0; k < 3; k++) /* the four corners are background by construction */
        corner[k] = ((x[k * hw] + x[k * hw + R - 1] + x[k * hw + hw - R] + x[k * hw + hw - 1]) / 4 +
                     1) * 127.5;
    *bg = nearest_colour(corner);
    const uint8_t *b = t2v_scene_palette[*bg];
    double far = -1, far_rgb[3] = {0};
    for (size_t p = 0; p < hw; p++) {
        double d = 0, rgb[3];
        for (int k = 0; k < 3; k++) {
            rgb[k] = (x[k * hw + p] + 1) * 127.5;
            d += pow(rgb[k] - b[k], 2);
        }
        if (d > far) {
            far = d;
            memcpy(far_rgb, rgb, sizeof rgb);
        }
    }
    *fg = nearest_colour(far_rgb);
    const uint8_t *f = t2v_scene_palette[*fg];
    double den = 0, m = 0, sx = 0, sy = 0;
    for (int k = 0; k < 3; k++)
        den += pow((double)f[k] - b[k], 2);
    int x0 = R, x1 = -1, y0 = R, y1 = -1;
    for (int y = 0; y < R; y++)
        for (int xx = 0; xx < R; xx++) {
            double a = 0;
            for (int k = 0; k < 3; k++)
                a += ((x[k * hw + (size_t)y * R + xx] + 1) * 127.5 - b[k]) * ((double)f[k] - b[k]);
            a /= den;
            m += a;
            sx += a * (xx + 0.5);
            sy += a * (y + 0.5);
            if (a > 0.5) {
                x0 = xx < x0 ? xx : x0;
                x1 = xx > x1 ? xx : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
        }
    *cx = sx / m / R;
    *cy = sy / m / R;
    *extent = fmax(x1 - x0 + 1, y1 - y0 + 1) / R;
}

static void check_pixels(t2v_dataset *ds, const char *split, long n)
{
    float *x = malloc(3 * 64 * 64 * sizeof *x), *hi = malloc(3 * 256 * 256 * sizeof *hi);
    long bad_bg = 0, bad_fg = 0, bad_pos = 0, bad_size = 0, bad_caption = 0, bad_glyph = 0;
    double worst_res = 0;
    for (long i = 0; i < n; i++) {
        t2v_data_get(ds, i, 0, x, i < 100 ? hi : NULL);
        t2v_data_attrs a;
        t2v_data_attributes(ds, i, &a);
        int obj = a.attr[0].value, col = a.attr[1].value, size = a.attr[2].value;
        int pos = a.attr[3].value, back = a.attr[4].value;
        int bg, fg;
        double cx, cy, ext;
        measure(x, 64, &bg, &fg, &cx, &cy, &ext);
        bad_bg += bg != back;
        bad_fg += fg != col;
        /* size: nearer to its own nominal extent */
        int msize = fabs(ext - T2V_SCENE_LARGE) < fabs(ext - T2V_SCENE_SMALL);
        bad_size += msize != size;
        /* position: the centroid is nearest to its own column and row */
        double tx[3], ty[3];
        for (int k = 0; k < 3; k++)
            t2v_scene_target(size, k * 4, &tx[k], &ty[k]); /* diagonal: columns == rows */
        int col_i = 0, row_i = 0;
        for (int k = 1; k < 3; k++) {
            if (fabs(cx - tx[k]) < fabs(cx - tx[col_i]))
                col_i = k;
            if (fabs(cy - ty[k]) < fabs(cy - ty[row_i]))
                row_i = k;
        }
        bad_pos += row_i * 3 + col_i != pos;
        int at[5];
        for (uint64_t e = 0; e < 3; e++)
            if (!parse_scene(t2v_data_caption(ds, i, e), at) || at[0] != obj || at[1] != col ||
                at[2] != size || at[3] != pos || at[4] != back)
                bad_caption++;
        t2v_scene sc;
        t2v_scene_describe(ds, i, &sc);
        bad_glyph += t2v_scene_glyph_split(ds, &sc) != (strcmp(split, "test") == 0);
        if (i < 100) /* the 4x4 mean of the 256x256 image is close to the 64x64 one */
            for (int c = 0; c < 3; c++) {
                double err = 0;
                for (int y = 0; y < 64; y++)
                    for (int xx = 0; xx < 64; xx++) {
                        double m = 0;
                        for (int dy = 0; dy < 4; dy++)
                            for (int dx = 0; dx < 4; dx++)
                                m += hi[(size_t)c * 65536 + (4 * y + dy) * 256 + 4 * xx + dx];
                        err += fabs(m / 16 - x[(size_t)c * 4096 + y * 64 + xx]);
                    }
                worst_res = fmax(worst_res, err / 4096);
            }
    }
    T2V_CHECK(bad_bg == 0, "scenes %s: background colour measured in %ld images is the labelled "
              "one (%ld wrong)", split, n, bad_bg);
    T2V_CHECK(bad_fg == 0, "scenes %s: glyph colour measured is the labelled one (%ld wrong)",
              split, bad_fg);
    T2V_CHECK(bad_pos == 0, "scenes %s: the ink centroid is nearest to the labelled column and "
              "row (%ld wrong)", split, bad_pos);
    T2V_CHECK(bad_size == 0, "scenes %s: the ink extent is nearest to the labelled size (%ld "
              "wrong)", split, bad_size);
    T2V_CHECK(bad_caption == 0, "scenes %s: captions of 3 epochs parse back to the item's "
              "attributes (%ld wrong)", split, bad_caption);
    T2V_CHECK(bad_glyph == 0, "scenes %s: glyphs come only from the %s images of their source "
              "(%ld wrong)", split, split, bad_glyph);
    T2V_CHECK(worst_res < 0.03, "scenes %s: 256x256 averaged 4x4 matches 64x64 (mean |diff| "
              "%.2g, worst channel of 100 images)", split, worst_res);
    free(x);
    free(hi);
}

/* The object alone (t2v_data_object_picture) against the scene it was
 * drawn into: its colour planes are the caption's colour times its alpha,
 * its ink mass is the scene's (read back from the scene's pixels with the
 * caption's two colours), its centroid the box's centre, its ink extent
 * the scene's; sets without a known object refuse. */
static void check_object_pictures(t2v_dataset *ds)
{
    enum { R = 64, S = 48 };
    float *x = malloc(3 * R * R * sizeof *x), *o = malloc(4 * S * S * sizeof *o);
    long n = 300, colour_bad = 0, checked = 0, mass_bad = 0, centre_bad = 0, extent_bad = 0,
         clipped = 0;
    double worst_mass = 0, worst_centre = 0;
    for (long i = 0; i < n; i++) {
        t2v_data_attrs at;
        t2v_data_attributes(ds, i, &at);
        if (t2v_data_get(ds, i, 0, x, NULL) != T2V_OK ||
            t2v_data_object_picture(ds, i, R, S, o) != T2V_OK) {
            colour_bad++;
            continue;
        }
        const uint8_t *f = t2v_scene_palette[at.attr[1].value];
        const uint8_t *b = t2v_scene_palette[at.attr[4].value];
        double box = 0, sx = 0, sy = 0, border = 0;
        int x0 = S, x1 = -1, y0 = S, y1 = -1;
        for (int p = 0; p < S * S; p++) {
            double a = (o[3 * S * S + p] + 1) / 2;
            for (int k = 0; k < 3; k++)
                colour_bad += fabs(o[k * S * S + p] - (f[k] / 127.5 - 1) * a) > 1e-5;
            box += a;
            sx += a * (p % S + 0.5);
            sy += a * (p / S + 0.5);
            if (p % S == 0 || p % S == S - 1 || p / S == 0 || p / S == S - 1)
                border = fmax(border, a);
            if (a > 0.5) {
                x0 = p % S < x0 ? p % S : x0;
                x1 = p % S > x1 ? p % S : x1;
                y0 = p / S < y0 ? p / S : y0;
                y1 = p / S > y1 ? p / S : y1;
            }
        }
        /* the scene's alpha: the projection of (pixel - bg) on (fg - bg) */
        double den = 0, scene = 0, scene_edge = 0;
        for (int k = 0; k < 3; k++)
            den += pow((double)f[k] - b[k], 2);
        for (int p = 0; p < R * R; p++) {
            double a = 0;
            for (int k = 0; k < 3; k++)
                a += ((x[k * R * R + p] + 1) * 127.5 - b[k]) * ((double)f[k] - b[k]);
            scene += a / den;
            if (p % R == 0 || p % R == R - 1 || p / R == 0 || p / R == R - 1)
                scene_edge = fmax(scene_edge, a / den);
        }
        if (border > 0.02 || scene_edge > 0.02) { /* cut by the box or the canvas */
            clipped++;
            continue;
        }
        checked++;
        double rel = fabs(box - scene) / scene, off = hypot(sx / box - S / 2.0, sy / box - S / 2.0);
        worst_mass = fmax(worst_mass, rel);
        worst_centre = fmax(worst_centre, off);
        mass_bad += rel > 0.02;
        centre_bad += off > 0.1;
        int fgc, bgc;
        double cx, cy, extent;
        measure(x, R, &bgc, &fgc, &cx, &cy, &extent);
        extent_bad += fabs(fmax(x1 - x0 + 1, y1 - y0 + 1) - extent * R) > 2;
    }
    T2V_CHECK(colour_bad == 0, "scenes: the object picture's colour planes are the caption's "
              "colour times alpha (%ld of %ld items x %d pixels x 3 off)", colour_bad, n, S * S);
    T2V_CHECK(checked > n * 3 / 4 && mass_bad == 0 && centre_bad == 0 && extent_bad == 0,
              "scenes: %ld object pictures (of %ld; %ld cut by an edge) hold the scene's ink "
              "(worst %.3f%%), centred (worst %.3f px), as wide as in the scene (%ld off by "
              "more than 2 px)", checked, n, clipped, 100 * worst_mass, worst_centre, extent_bad);
    T2V_CHECK(t2v_data_has_object_pictures(ds), "scenes: the set says it has object pictures");
    T2V_CHECK(t2v_data_object_picture(ds, t2v_data_count(ds), R, S, o) == T2V_ERR_INVALID &&
              t2v_data_object_picture(ds, 0, R, 0, o) == T2V_ERR_INVALID,
              "scenes: an item out of range or an empty box is refused (%s)",
              t2v_data_last_error());
    t2v_data_options opt;
    t2v_data_options_default(&opt);
    opt.name = "sbmg";
    t2v_dataset *clips = NULL;
    if (t2v_data_open(&opt, &clips) == T2V_OK) {
        T2V_CHECK(!t2v_data_has_object_pictures(clips) &&
                  t2v_data_object_picture(clips, 0, R, S, o) == T2V_ERR_INVALID,
                  "sbmg clips have no object pictures: %s", t2v_data_last_error());
        t2v_data_close(clips);
    }
    free(x);
    free(o);
}

/* The caption's words with "a"/"an" dropped and every colour word as "C",
 * joined by spaces: two captions of one template and roles agree here. */
static void caption_shape(const char *caption, char *out, size_t n)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", caption);
    out[0] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (strcmp(w, "a") == 0 || strcmp(w, "an") == 0)
            continue;
        int colour = 0;
        for (int c = 0; c < 8; c++)
            colour |= strcmp(w, colours[c]) == 0;
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%s", used ? " " : "", colour ? "C" : w);
    }
}

int main(void)
{
    t2v_dataset *tr = open_scenes(T2V_SPLIT_TRAIN, 21), *te = open_scenes(T2V_SPLIT_TEST, 21);
    if (!tr || !te) {
        if (strstr(t2v_data_last_error(), "is missing")) {
            printf("skip - %s\n", t2v_data_last_error());
            return 0;
        }
        T2V_CHECK(0, "open scenes: %s", t2v_data_last_error());
        return t2v_test_finish();
    }
    check_captions(tr, te);
    check_pixels(tr, "train", 1500);
    check_pixels(te, "test", 500);
    check_object_pictures(tr);

    t2v_dataset *again = open_scenes(T2V_SPLIT_TRAIN, 21), *other = open_scenes(T2V_SPLIT_TRAIN, 22);
    float *a = malloc(3 * 4096 * sizeof *a), *b = malloc(3 * 4096 * sizeof *b);
    int same = 1, differ = 0;
    for (long i = 0; i < 40; i++) {
        t2v_data_get(tr, i, 0, a, NULL);
        t2v_data_get(again, i, 0, b, NULL);
        same &= memcmp(a, b, 3 * 4096 * sizeof *a) == 0;
        t2v_data_get(other, i, 0, b, NULL);
        differ += memcmp(a, b, 3 * 4096 * sizeof *a) != 0;
    }
    T2V_CHECK(same && differ == 40, "scenes: same seed same bytes (40 images), another seed "
              "different (%d of 40)", differ);
    long bad = 0;
    for (long i = 0; i < 300; i++) {
        long k = t2v_data_mismatched_caption(tr, i, 0, 1);
        int at[5];
        t2v_data_attrs att;
        t2v_data_attributes(tr, i, &att);
        if (k < 0 || !parse_scene(t2v_data_caption_at(tr, k), at))
            bad++;
        else if (at[0] == att.attr[0].value && at[1] == att.attr[1].value &&
                 at[2] == att.attr[2].value && at[3] == att.attr[3].value &&
                 at[4] == att.attr[4].value)
            bad++;
    }
    T2V_CHECK(bad == 0, "scenes: 300 mismatched captions describe other attributes (%ld bad)", bad);
    long wrong = 0, changed[5] = {0};
    for (long i = 0; i < 300; i++) {
        long k = t2v_data_near_mismatched_caption(tr, i, 0, 7);
        int at[5], which = -1;
        t2v_data_attrs att;
        t2v_data_attributes(tr, i, &att);
        if (k < 0 || !parse_scene(t2v_data_caption_at(tr, k), at)) {
            wrong++;
            continue;
        }
        if (attr_differences(at, &att, 5, &which) != 1)
            wrong++;
        else
            changed[which]++;
    }
    T2V_CHECK(wrong == 0 && changed[0] && changed[1] && changed[2] && changed[3] && changed[4],
              "scenes: 300 near misses each change one attribute (%ld wrong; object %ld, colour "
              "%ld, size %ld, position %ld, background %ld)", wrong, changed[0], changed[1],
              changed[2], changed[3], changed[4]);
    // a training step's mismatch: share 0 is any mismatch, share 1 a near
    // miss, and in between the near misses come at about that share (a
    // random mismatch of scenes almost never differs in exactly one attribute)
    long plain = 0, all_near = 0, near30 = 0, random_near = 0;
    for (long i = 0; i < 2000; i++) {
        t2v_data_attrs att;
        t2v_data_attributes(tr, i, &att);
        plain += t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 0.0f, 0.0f) ==
                 t2v_data_mismatched_caption(tr, i, 3, (uint64_t)i);
        all_near += t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 1.0f, 0.0f) ==
                    t2v_data_near_mismatched_caption(tr, i, 3, (uint64_t)i);
        int at[5], which;
        long k = t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 0.3f, 0.0f);
        near30 += k >= 0 && parse_scene(t2v_data_caption_at(tr, k), at) &&
                  attr_differences(at, &att, 5, &which) == 1;
        k = t2v_data_mismatched_caption(tr, i, 3, (uint64_t)i);
        random_near += k >= 0 && parse_scene(t2v_data_caption_at(tr, k), at) &&
                       attr_differences(at, &att, 5, &which) == 1;
    }
    T2V_CHECK(plain == 2000 && all_near == 2000,
              "scenes: a training mismatch at share 0 is the plain mismatch (%ld of 2000), at "
              "share 1 the near miss (%ld of 2000)", plain, all_near);
    T2V_CHECK(fabs(near30 / 2000.0 - 0.3) < 0.04 && random_near < 40,
              "scenes: at share 0.3, %.3f of 2000 training mismatches are near misses (random "
              "mismatches: %ld)", near30 / 2000.0, random_near);
    // role swaps: the item's own caption with the object's colour and the
    // background's exchanged, exactly when that (object, colour) pair is
    // of the same split
    long swaps = 0, bad_swap = 0, bad_none = 0;
    for (long i = 0; i < 2000; i++) {
        t2v_data_attrs att;
        t2v_data_attributes(tr, i, &att);
        int obj = att.attr[0].value, col = att.attr[1].value, bg = att.attr[4].value;
        long k = t2v_data_swapped_caption(tr, i, 3);
        if (t2v_scene_pair_is_test(obj, bg)) {
            bad_none += k != -1;
            continue;
        }
        int at[5];
        char own[200], swapped[200];
        caption_shape(t2v_data_caption(tr, i, 3), own, sizeof own);
        if (k < 0 || !parse_scene(t2v_data_caption_at(tr, k), at)) {
            bad_swap++;
            continue;
        }
        caption_shape(t2v_data_caption_at(tr, k), swapped, sizeof swapped);
        swaps++;
        bad_swap += at[0] != obj || at[1] != bg || at[2] != att.attr[2].value ||
                    at[3] != att.attr[3].value || at[4] != col || strcmp(own, swapped) != 0;
    }
    T2V_CHECK(bad_swap == 0 && bad_none == 0 && swaps > 1500,
              "scenes: %ld role swaps of 2000 training items state the background's colour for "
              "the object's and back, in the item's template (%ld wrong; %ld given where the "
              "swapped pair is a test pair)", swaps, bad_swap, bad_none);
    long test_swaps = 0, test_bad = 0;
    for (long i = 0; i < 500; i++) {
        t2v_data_attrs att;
        t2v_data_attributes(te, i, &att);
        long k = t2v_data_swapped_caption(te, i, 0);
        int want = t2v_scene_pair_is_test(att.attr[0].value, att.attr[4].value);
        test_swaps += k >= 0;
        test_bad += (k >= 0) != want;
    }
    T2V_CHECK(test_bad == 0, "scenes: on the test split a swap exists exactly when the swapped "
              "pair is a test pair (%ld of 500 have one, %ld wrong)", test_swaps, test_bad);
    // a training step's mismatch: share 1 gives the swap whenever there is
    // one; at 0.4 about 0.4 of the items that have one; a swap draw never
    // changes the mismatch of share 0
    long swap_all = 0, swap_some = 0, have = 0, same0 = 0;
    for (long i = 0; i < 2000; i++) {
        long k = t2v_data_swapped_caption(tr, i, 3);
        long m1 = t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 0.0f, 1.0f);
        long m4 = t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 0.0f, 0.4f);
        same0 += t2v_data_training_mismatch(tr, i, 3, (uint64_t)i, 0.0f, 0.0f) ==
                 t2v_data_mismatched_caption(tr, i, 3, (uint64_t)i);
        if (k < 0) {
            swap_all += m1 == t2v_data_mismatched_caption(tr, i, 3, (uint64_t)i);
            continue;
        }
        have++;
        swap_all += m1 == k;
        swap_some += m4 == k;
    }
    T2V_CHECK(swap_all == 2000 && same0 == 2000 && fabs(swap_some / (double)have - 0.4) < 0.04,
              "scenes: swap share 1 gives the swap where there is one, else any mismatch (%ld "
              "of 2000); share 0.4 gives it for %.3f of the %ld items that have one",
              swap_all, swap_some / (double)have, have);
    free(a);
    free(b);
    t2v_data_close(tr);
    t2v_data_close(te);
    t2v_data_close(again);
    t2v_data_close(other);
    return t2v_test_finish();
}
