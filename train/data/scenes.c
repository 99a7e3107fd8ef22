/* The "scenes" image set (see scenes.h): glyph alpha from the caches,
 * sampled bilinearly with supersampling at any resolution, composited
 * over a background colour. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glyph_cache.h"
#include "scenes.h"

const uint8_t t2v_scene_palette[T2V_SCENE_COLOURS][3] = {
    {220, 30, 30},   /* red */
    {30, 170, 50},   /* green */
    {30, 60, 220},   /* blue */
    {240, 220, 30},  /* yellow */
    {245, 245, 245}, /* white */
    {15, 15, 15},    /* black */
    {140, 40, 170},  /* purple */
    {245, 130, 20},  /* orange */
};
const char *const t2v_scene_colour_names[T2V_SCENE_COLOURS] = {
    "red", "green", "blue", "yellow", "white", "black", "purple", "orange"};
const char *const t2v_scene_object_names[T2V_SCENE_OBJECTS] = {
    "digit 0", "digit 1", "digit 2", "digit 3", "digit 4", "digit 5", "digit 6",
    "digit 7", "digit 8", "digit 9", "t-shirt", "pair of trousers", "pullover", "dress",
    "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"};
const char *const t2v_scene_position_phrases[T2V_SCENE_POSITIONS] = {
    "in the upper left", "at the top", "in the upper right",
    "on the left", "in the centre", "on the right",
    "in the lower left", "at the bottom", "in the lower right"};
static const char *const position_names[T2V_SCENE_POSITIONS] = {
    "upper left", "top", "upper right", "left", "centre", "right",
    "lower left", "bottom", "lower right"};
static const char *const size_names[T2V_SCENE_SIZES] = {"small", "large"};

#define SCENE_MARGIN 0.04 /* between the ink box and the canvas edge at the sides */
#define SCENE_JITTER 0.02 /* uniform +- jitter of the centroid, canvas fractions */
#define SCENE_COMBOS (T2V_SCENE_OBJECTS * T2V_SCENE_COLOURS * T2V_SCENE_COLOURS * \
                      T2V_SCENE_SIZES * T2V_SCENE_POSITIONS)

typedef struct scene_set {
    t2v_glyphs mnist, fashion;
    int n_pairs;
    int pair[T2V_SCENE_OBJECTS * T2V_SCENE_COLOURS]; /* object * 8 + colour */
    int *caption_of;   /* (SCENE_COMBOS * 3): caption index, -1 when not in the split */
    int *combo_of;     /* (n_captions): the attribute combination of each caption */
} scene_set;

int t2v_scene_pair_is_test(int object, int colour)
{
    /* 3 is invertible mod 8: each object loses exactly one colour, and
     * each colour two or three objects. */
    return (object + 3 * colour) % 8 == 0;
}

static int combo_index(int object, int colour, int background, int size, int position)
{
    return (((object * T2V_SCENE_COLOURS + colour) * T2V_SCENE_COLOURS + background) *
                T2V_SCENE_SIZES + size) * T2V_SCENE_POSITIONS + position;
}

void t2v_scene_target(int size, int position, double *tx, double *ty)
{
    double s = size ? T2V_SCENE_LARGE : T2V_SCENE_SMALL;
    double at[3] = {SCENE_MARGIN + s / 2, 0.5, 1.0 - SCENE_MARGIN - s / 2};
    *tx = at[position % 3];
    *ty = at[position / 3];
}

void t2v_scene_describe(const t2v_dataset *ds, long i, t2v_scene *sc)
{
    const scene_set *set = ds->impl;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)ds->info.split, (uint64_t)i,
                                      T2V_STREAM_ITEM);
    memset(sc, 0, sizeof *sc);
    int pair = set->pair[t2v_data_rng_below(&r, set->n_pairs)];
    sc->object = pair / T2V_SCENE_COLOURS;
    sc->colour = pair % T2V_SCENE_COLOURS;
    sc->background = (int)t2v_data_rng_below(&r, T2V_SCENE_COLOURS - 1);
    if (sc->background >= sc->colour)
        sc->background++;
    sc->size = (int)t2v_data_rng_below(&r, T2V_SCENE_SIZES);
    sc->position = (int)t2v_data_rng_below(&r, T2V_SCENE_POSITIONS);
    const t2v_glyphs *g = sc->object < 10 ? &set->mnist : &set->fashion;
    int cls = sc->object % 10, split = ds->info.split;
    sc->glyph = g->members[split][cls][t2v_data_rng_below(&r, g->n_members[split][cls])];
    sc->jitter_x = (2 * t2v_data_rng_uniform(&r) - 1) * SCENE_JITTER;
    sc->jitter_y = (2 * t2v_data_rng_uniform(&r) - 1) * SCENE_JITTER;
    t2v_scene_target(sc->size, sc->position, &sc->tx, &sc->ty);
    sc->tx += sc->jitter_x;
    sc->ty += sc->jitter_y;
}

int t2v_scene_glyph_split(const t2v_dataset *ds, const t2v_scene *sc)
{
    const scene_set *set = ds->impl;
    const t2v_glyphs *g = sc->object < 10 ? &set->mnist : &set->fashion;
    return g->split[sc->glyph];
}

/* The glyph as alpha in [0, 1]: ink scaled so that most of the item is
 * opaque (Fashion-MNIST items are textured), its ink box and centroid. */
typedef struct glyph_alpha {
    float a[28 * 28]; // a: (28, 28)
    int c0, c1, r0, r1; /* ink box [c0, c1) x [r0, r1), alpha >= 0.25 */
    double cx, cy;      /* alpha-weighted centroid, pixel centres at +0.5 */
} glyph_alpha;

static void glyph_alpha_make(const uint8_t *px, glyph_alpha *ga)
{
    int hist[256] = {0}, vmax = 0;
    for (int p = 0; p < 784; p++)
        vmax = px[p] > vmax ? px[p] : vmax;
    int n = 0;
    for (int p = 0; p < 784; p++)
        if (px[p] > vmax / 10) {
            hist[px[p]]++;
            n++;
        }
    int median = 0;
    for (int v = 0, seen = 0; v < 256; v++) {
        seen += hist[v];
        if (seen * 2 >= n) {
            median = v;
            break;
        }
    }
    double ref = median * 0.5 < 8 ? 8 : median * 0.5;
    double sum = 0, sx = 0, sy = 0;
    ga->c0 = ga->r0 = 28;
    ga->c1 = ga->r1 = 0;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            double a = px[y * 28 + x] / ref;
            a = a > 1 ? 1 : a;
            ga->a[y * 28 + x] = (float)a;
            sum += a;
            sx += a * (x + 0.5);
            sy += a * (y + 0.5);
            if (a >= 0.25) {
                ga->c0 = x < ga->c0 ? x : ga->c0;
                ga->c1 = x + 1 > ga->c1 ? x + 1 : ga->c1;
                ga->r0 = y < ga->r0 ? y : ga->r0;
                ga->r1 = y + 1 > ga->r1 ? y + 1 : ga->r1;
            }
        }
    if (sum <= 0 || ga->c1 <= ga->c0) { /* an empty glyph: a centred box */
        ga->c0 = ga->r0 = 4;
        ga->c1 = ga->r1 = 24;
        ga->cx = ga->cy = 14;
        return;
    }
    ga->cx = sx / sum;
    ga->cy = sy / sum;
}

/* Bilinear alpha at continuous glyph coordinates (pixel centres at +0.5). */
static double glyph_sample(const glyph_alpha *ga, double gx, double gy)
{
    double u = gx - 0.5, v = gy - 0.5;
    int x0 = (int)floor(u), y0 = (int)floor(v);
    double fx = u - x0, fy = v - y0, out = 0;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = x0 + dx, y = y0 + dy;
            if (x < 0 || x >= 28 || y < 0 || y >= 28)
                continue;
            double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
            out += w * ga->a[y * 28 + x];
        }
    return out;
}

/* The scene's glyph and its scale k (canvas sides per glyph pixel). */
static void scene_glyph(const scene_set *set, const t2v_scene *sc, glyph_alpha *ga, double *k)
{
    const t2v_glyphs *g = sc->object < 10 ? &set->mnist : &set->fashion;
    glyph_alpha_make(g->pixels + (size_t)sc->glyph * 784, ga);
    int side = ga->c1 - ga->c0 > ga->r1 - ga->r0 ? ga->c1 - ga->c0 : ga->r1 - ga->r0;
    *k = (sc->size ? T2V_SCENE_LARGE : T2V_SCENE_SMALL) / side;
}

/* Supersampling per axis for a canvas of H x W pixels. */
static int scene_supersampling(int H, int W)
{
    return H <= 64 && W <= 64 ? 4 : (H <= 128 && W <= 128 ? 2 : 1);
}

/* Glyph coverage of pixel (px, py) of an H x W canvas, the ink centroid at
 * canvas fractions (tx, ty); ss x ss samples. */
static double glyph_coverage(const glyph_alpha *ga, double k, double tx, double ty, int px,
                             int py, int H, int W, int ss)
{
    double a = 0;
    for (int sy = 0; sy < ss; sy++)
        for (int sx = 0; sx < ss; sx++) {
            double fx = (px + (sx + 0.5) / ss) / W, fy = (py + (sy + 0.5) / ss) / H;
            a += glyph_sample(ga, ga->cx + (fx - tx) / k, ga->cy + (fy - ty) / k);
        }
    return a / (ss * ss);
}

/* RGB in 0..255 to C planes in [-1, 1] (C 1: luminance). */
static void scene_pixel(const double rgb[3], int C, float *x, size_t plane)
{
    if (C == 1) {
        x[0] = (float)((0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 127.5 - 1);
        return;
    }
    for (int c = 0; c < 3; c++)
        x[c * plane] = (float)(rgb[c] / 127.5 - 1);
}

/* Renders the scene at (H, W) into x: (C, 1, H, W). */
static void scene_render(const scene_set *set, const t2v_scene *sc, int C, int H, int W,
                         float *x)
{
    glyph_alpha ga;
    double k;
    scene_glyph(set, sc, &ga, &k);
    /* Keep the ink box inside the canvas, at least half a margin from the edges. */
    double tx = sc->tx, ty = sc->ty, edge = SCENE_MARGIN / 2;
    double lo = tx + (ga.c0 - ga.cx) * k, hi = tx + (ga.c1 - ga.cx) * k;
    tx += lo < edge ? edge - lo : (hi > 1 - edge ? 1 - edge - hi : 0);
    lo = ty + (ga.r0 - ga.cy) * k;
    hi = ty + (ga.r1 - ga.cy) * k;
    ty += lo < edge ? edge - lo : (hi > 1 - edge ? 1 - edge - hi : 0);
    int ss = scene_supersampling(H, W);
    const uint8_t *fg = t2v_scene_palette[sc->colour], *bg = t2v_scene_palette[sc->background];
    size_t hw = (size_t)H * W;
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++) {
            double a = glyph_coverage(&ga, k, tx, ty, px, py, H, W, ss);
            double rgb[3];
            for (int c = 0; c < 3; c++)
                rgb[c] = bg[c] + (fg[c] - bg[c]) * a;
            scene_pixel(rgb, C, x + (size_t)py * W + px, hw);
        }
}

/* The object alone in a side x side box of a canvas x canvas image, its
 * ink centroid at the box's centre: colour times alpha, then 2 alpha - 1. */
static t2v_status scene_object_picture(const t2v_dataset *ds, long i, int canvas, int side,
                                       float *out)
{
    t2v_scene sc;
    t2v_scene_describe(ds, i, &sc);
    glyph_alpha ga;
    double k;
    scene_glyph(ds->impl, &sc, &ga, &k);
    int C = ds->info.channels, ss = scene_supersampling(canvas, canvas);
    double centre = 0.5 * side / canvas;
    const uint8_t *fg = t2v_scene_palette[sc.colour];
    size_t plane = (size_t)side * side;
    for (int py = 0; py < side; py++)
        for (int px = 0; px < side; px++) {
            double a = glyph_coverage(&ga, k, centre, centre, px, py, canvas, canvas, ss);
            /* premultiplied: the colour in [-1, 1] units times alpha */
            double rgb[3];
            for (int c = 0; c < 3; c++)
                rgb[c] = 127.5 + (fg[c] - 127.5) * a;
            size_t p = (size_t)py * side + px;
            scene_pixel(rgb, C, out + p, plane);
            out[C * plane + p] = (float)(2 * a - 1);
        }
    return T2V_OK;
}

static t2v_status scene_get(const t2v_dataset *ds, long i, uint64_t epoch, float *x,
                            float *x_hi)
{
    (void)epoch;
    t2v_scene sc;
    t2v_scene_describe(ds, i, &sc);
    int C = ds->info.channels;
    scene_render(ds->impl, &sc, C, ds->info.height, ds->info.width, x);
    if (x_hi)
        scene_render(ds->impl, &sc, C, ds->info.hi_height, ds->info.hi_width, x_hi);
    return T2V_OK;
}

static int scene_combo(const t2v_scene *sc)
{
    return combo_index(sc->object, sc->colour, sc->background, sc->size, sc->position);
}

/* Item i's scene and the template of its caption at `epoch`. */
static int scene_and_template(const t2v_dataset *ds, long i, uint64_t epoch, t2v_scene *sc)
{
    t2v_scene_describe(ds, i, sc);
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch, T2V_STREAM_CAPTION);
    return (int)t2v_data_rng_below(&r, T2V_SCENE_TEMPLATES);
}

static long scene_caption_index(const t2v_dataset *ds, long i, uint64_t epoch)
{
    const scene_set *set = ds->impl;
    t2v_scene sc;
    int tmpl = scene_and_template(ds, i, epoch, &sc);
    return set->caption_of[scene_combo(&sc) * T2V_SCENE_TEMPLATES + tmpl];
}

/* The same template and words with the object's colour and the
 * background's exchanged; -1 when that combination is not in the split
 * (the object with the background's colour is a pair of the other split). */
static long scene_swapped_caption(const t2v_dataset *ds, long i, uint64_t epoch)
{
    const scene_set *set = ds->impl;
    t2v_scene sc;
    int tmpl = scene_and_template(ds, i, epoch, &sc);
    int combo = combo_index(sc.object, sc.background, sc.colour, sc.size, sc.position);
    return set->caption_of[combo * T2V_SCENE_TEMPLATES + tmpl];
}

static int scene_caption_differences(const t2v_dataset *ds, long i, long k)
{
    const scene_set *set = ds->impl;
    t2v_scene sc;
    t2v_scene_describe(ds, i, &sc);
    /* combo_index's mixed radix, innermost first */
    int code = set->combo_of[k];
    int position = code % T2V_SCENE_POSITIONS;
    code /= T2V_SCENE_POSITIONS;
    int size = code % T2V_SCENE_SIZES;
    code /= T2V_SCENE_SIZES;
    int background = code % T2V_SCENE_COLOURS;
    code /= T2V_SCENE_COLOURS;
    int colour = code % T2V_SCENE_COLOURS, object = code / T2V_SCENE_COLOURS;
    return (object != sc.object) + (colour != sc.colour) + (background != sc.background) +
           (size != sc.size) + (position != sc.position);
}

static t2v_status scene_attributes(const t2v_dataset *ds, long i, t2v_data_attrs *attrs)
{
    t2v_scene sc;
    t2v_scene_describe(ds, i, &sc);
    *attrs = ds->info.schema;
    attrs->attr[0].value = sc.object;
    attrs->attr[1].value = sc.colour;
    attrs->attr[2].value = sc.size;
    attrs->attr[3].value = sc.position;
    attrs->attr[4].value = sc.background;
    return T2V_OK;
}

static const char *scene_value_name(const t2v_dataset *ds, int a, int v)
{
    (void)ds;
    switch (a) {
    case 0: return t2v_scene_object_names[v];
    case 2: return size_names[v];
    case 3: return position_names[v];
    default: return t2v_scene_colour_names[v];
    }
}

static void scene_destroy(void *impl)
{
    scene_set *set = impl;
    if (!set)
        return;
    t2v_glyphs_free(&set->mnist);
    t2v_glyphs_free(&set->fashion);
    free(set->caption_of);
    free(set->combo_of);
    free(set);
}

static const t2v_data_ops scene_ops = {
    .get = scene_get,
    .caption_index = scene_caption_index,
    .caption_differences = scene_caption_differences,
    .swapped_caption = scene_swapped_caption,
    .attributes = scene_attributes,
    .value_name = scene_value_name,
    .object_picture = scene_object_picture,
    .destroy = scene_destroy,
};

/* "a" or "an" before a colour word. */
static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

static void scene_caption(int tmpl, int object, int colour, int background, int size,
                          int position, char *buf, size_t n)
{
    const char *obj = t2v_scene_object_names[object], *col = t2v_scene_colour_names[colour];
    const char *bg = t2v_scene_colour_names[background], *sz = size_names[size];
    const char *pos = t2v_scene_position_phrases[position];
    if (tmpl == 0) /* a large red digit 7 in the upper left on a blue background */
        snprintf(buf, n, "a %s %s %s %s on %s %s background", sz, col, obj, pos, article(bg), bg);
    else if (tmpl == 1) /* a blue background with a large red digit 7 in the upper left */
        snprintf(buf, n, "%s %s background with a %s %s %s %s", article(bg), bg, sz, col, obj,
                 pos);
    else /* a large digit 7 in red in the upper left on a blue background */
        snprintf(buf, n, "a %s %s in %s %s on %s %s background", sz, obj, col, pos, article(bg),
                 bg);
}

t2v_status t2v_scenes_open(t2v_dataset *ds)
{
    const t2v_data_options *o = &ds->opts;
    scene_set *set = calloc(1, sizeof *set);
    if (!set)
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    ds->impl = set;
    ds->ops = &scene_ops;
    ds->info.name = "scenes";
    if (o->frames > 1)
        return t2v_data_fail(T2V_ERR_INVALID, "scenes are images: frames must be 1");
    ds->info.frames = 1;
    ds->info.channels = o->channels ? o->channels : 3;
    ds->info.hi_height = o->hi_height ? o->hi_height : 4 * ds->info.height;
    ds->info.hi_width = o->hi_width ? o->hi_width : 4 * ds->info.width;
    ds->info.count = o->count ? o->count : (o->split == T2V_SPLIT_TRAIN ? 10000 : 2000);
    static const char *names[5] = {"object", "colour", "size", "position", "background"};
    static const int classes[5] = {T2V_SCENE_OBJECTS, T2V_SCENE_COLOURS, T2V_SCENE_SIZES,
                                   T2V_SCENE_POSITIONS, T2V_SCENE_COLOURS};
    ds->info.schema.n_objects = 1;
    ds->info.schema.n = 5;
    for (int a = 0; a < 5; a++)
        ds->info.schema.attr[a] = (t2v_data_attr){names[a], classes[a], -1};

    int test = o->split == T2V_SPLIT_TEST;
    for (int obj = 0; obj < T2V_SCENE_OBJECTS; obj++)
        for (int col = 0; col < T2V_SCENE_COLOURS; col++)
            if (t2v_scene_pair_is_test(obj, col) == test)
                set->pair[set->n_pairs++] = obj * T2V_SCENE_COLOURS + col;

    set->caption_of = malloc((size_t)SCENE_COMBOS * T2V_SCENE_TEMPLATES * sizeof(int));
    set->combo_of = malloc((size_t)SCENE_COMBOS * T2V_SCENE_TEMPLATES * sizeof(int));
    if (!set->caption_of || !set->combo_of)
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    for (int c = 0; c < SCENE_COMBOS * T2V_SCENE_TEMPLATES; c++)
        set->caption_of[c] = -1;
    for (int p = 0; p < set->n_pairs; p++) {
        int obj = set->pair[p] / T2V_SCENE_COLOURS, col = set->pair[p] % T2V_SCENE_COLOURS;
        for (int bg = 0; bg < T2V_SCENE_COLOURS; bg++) {
            if (bg == col)
                continue;
            for (int size = 0; size < T2V_SCENE_SIZES; size++)
                for (int pos = 0; pos < T2V_SCENE_POSITIONS; pos++)
                    for (int tmpl = 0; tmpl < T2V_SCENE_TEMPLATES; tmpl++) {
                        char caption[160];
                        scene_caption(tmpl, obj, col, bg, size, pos, caption, sizeof caption);
                        long k = t2v_caption_table_add(&ds->captions, caption);
                        if (k < 0)
                            return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
                        int combo = combo_index(obj, col, bg, size, pos);
                        set->caption_of[combo * T2V_SCENE_TEMPLATES + tmpl] = (int)k;
                        set->combo_of[k] = combo;
                    }
        }
    }
    t2v_status st = t2v_glyphs_load_cached(o->data_dir, T2V_GLYPH_MNIST_FILE, &set->mnist);
    if (st == T2V_OK)
        st = t2v_glyphs_load_cached(o->data_dir, T2V_GLYPH_FASHION_FILE, &set->fashion);
    return st;
}
