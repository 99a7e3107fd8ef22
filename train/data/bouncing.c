/* SBMG / TBMG clips, generated from (seed, split, index); see bouncing.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncing.h"
#include "resample.h"

#define MAX_SLOTS 4      /* attributes of a clip: digit and motion of each digit */
#define MAX_CAPTIONS (400 * (1 + MAX_SLOTS))

typedef struct bounce_set {
    t2v_glyphs glyphs;
    int n_digits;
    int n_combos;
    int combo_code[400]; /* SBMG: d*2+m; TBMG: ((d1*2+m1)*10+d2)*2+m2 */
    /* caption k: the combination it was written for and the attribute slot
     * it leaves unstated (2j: digit j's identity, 2j+1: its motion; -1: none).
     * Captions 0 .. n_combos-1 state everything; partial forms follow when
     * the set was opened with opts.partial > 0 (several combinations share
     * one: "digit 3 is moving" describes both of its motions). */
    short cap_combo[MAX_CAPTIONS];
    signed char cap_hidden[MAX_CAPTIONS];
    int partial_of[400][MAX_SLOTS]; /* caption of combo c with slot s unstated */
} bounce_set;

static const char *motion_words[2] = {"left and right", "up and down"};
static const char *digit_words[10] = {"digit 0", "digit 1", "digit 2", "digit 3", "digit 4",
                                      "digit 5", "digit 6", "digit 7", "digit 8", "digit 9"};

/* SBMG test combinations: every digit keeps its other motion in training,
 * and both motions keep eight digits. */
static const int sbmg_test[4][2] = {
    {2, T2V_MOTION_UP_DOWN},
    {4, T2V_MOTION_LEFT_RIGHT},
    {7, T2V_MOTION_UP_DOWN},
    {9, T2V_MOTION_LEFT_RIGHT},
};

int t2v_bounce_combo_is_test(int n_digits, const int *digit, const int *motion)
{
    if (n_digits == 1) {
        for (int k = 0; k < 4; k++)
            if (sbmg_test[k][0] == digit[0] && sbmg_test[k][1] == motion[0])
                return 1;
        return 0;
    }
    /* TBMG: for any fixed (m1, d2, m2) exactly two first digits make this
     * zero, so one fifth of the 400 combinations (80) are test. */
    return (digit[0] + 2 * digit[1] + 3 * motion[0] + 4 * motion[1]) % 5 == 0;
}

static void combo_decode(int n_digits, int code, int *digit, int *motion)
{
    if (n_digits == 1) {
        digit[0] = code / 2;
        motion[0] = code % 2;
        return;
    }
    motion[1] = code % 2;
    digit[1] = (code / 2) % 10;
    motion[0] = (code / 20) % 2;
    digit[0] = code / 40;
}

/* The caption of a combination; slot `hidden` (-1: none) left unstated:
 * "a digit" for an identity, "is moving" without a direction for a motion. */
static void combo_caption(int n_digits, const int *digit, const int *motion, int hidden,
                          char *buf, size_t n)
{
    size_t at = 0;
    for (int j = 0; j < n_digits && at < n; j++) {
        const char *who = hidden == 2 * j ? "a digit" : digit_words[digit[j]];
        int r = hidden == 2 * j + 1
                    ? snprintf(buf + at, n - at, "%s%s is moving", j ? " and " : "", who)
                    : snprintf(buf + at, n - at, "%s%s is moving %s", j ? " and " : "", who,
                               motion_words[motion[j]]);
        at += r > 0 ? (size_t)r : 0;
    }
}

void t2v_bounce_describe(const t2v_dataset *ds, long i, t2v_bounce_clip *clip)
{
    const bounce_set *set = ds->impl;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)ds->info.split, (uint64_t)i,
                                      T2V_STREAM_ITEM);
    memset(clip, 0, sizeof *clip);
    clip->n_digits = set->n_digits;
    clip->combo = (int)t2v_data_rng_below(&r, set->n_combos);
    combo_decode(set->n_digits, set->combo_code[clip->combo], clip->digit, clip->motion);
    for (int k = 0; k < set->n_digits; k++) {
        int d = clip->digit[k];
        long n = set->glyphs.n_members[ds->info.split][d];
        clip->glyph[k] = set->glyphs.members[ds->info.split][d][t2v_data_rng_below(&r, n)];
        clip->start[k] = t2v_data_rng_uniform(&r) * T2V_BOUNCE_SPAN;
        clip->fixed[k] = (int)t2v_data_rng_below(&r, T2V_BOUNCE_SPAN + 1);
        clip->direction[k] = t2v_data_rng_below(&r, 2) ? 1 : -1;
    }
}

void t2v_bounce_position(const t2v_bounce_clip *clip, int obj, int t, int *x, int *y)
{
    /* Reflection at 0 and SPAN is a triangle wave of period 2 * SPAN. */
    double period = 2.0 * T2V_BOUNCE_SPAN;
    double u = clip->start[obj] + clip->direction[obj] * T2V_BOUNCE_STEP * t;
    u = fmod(u, period);
    if (u < 0)
        u += period;
    if (u > T2V_BOUNCE_SPAN)
        u = period - u;
    int moving = (int)u; /* truncation, as in Sync-DRAW */
    if (moving > T2V_BOUNCE_SPAN)
        moving = T2V_BOUNCE_SPAN;
    if (clip->motion[obj] == T2V_MOTION_LEFT_RIGHT) {
        *x = moving;
        *y = clip->fixed[obj];
    } else {
        *x = clip->fixed[obj];
        *y = moving;
    }
}

int t2v_bounce_render(const t2v_dataset *ds, const t2v_bounce_clip *clip, int object_mask,
                      int frames, uint8_t *out)
{
    const bounce_set *set = ds->impl;
    const int S = T2V_BOUNCE_CANVAS, G = T2V_BOUNCE_GLYPH;
    memset(out, 0, (size_t)frames * S * S);
    for (int t = 0; t < frames; t++) {
        uint8_t *frame = out + (size_t)t * S * S; // frame: (64, 64)
        for (int k = 0; k < clip->n_digits; k++) {
            if (!(object_mask & (1 << k)))
                continue;
            int x0, y0;
            t2v_bounce_position(clip, k, t, &x0, &y0);
            const uint8_t *g = set->glyphs.pixels + (size_t)clip->glyph[k] * G * G;
            for (int y = 0; y < G; y++)
                for (int x = 0; x < G; x++) {
                    uint8_t v = g[y * G + x];
                    uint8_t *p = &frame[(y0 + y) * S + x0 + x];
                    if (v > *p)
                        *p = v;
                }
        }
    }
    return 0;
}

const t2v_glyphs *t2v_bounce_glyphs(const t2v_dataset *ds)
{
    return &((const bounce_set *)ds->impl)->glyphs;
}

static t2v_status bounce_get(const t2v_dataset *ds, long i, uint64_t epoch, float *x,
                             float *x_hi)
{
    (void)epoch;
    (void)x_hi;
    const int S = T2V_BOUNCE_CANVAS;
    int T = ds->info.frames, C = ds->info.channels, H = ds->info.height, W = ds->info.width;
    t2v_bounce_clip clip;
    t2v_bounce_describe(ds, i, &clip);
    uint8_t *canvas = malloc((size_t)T * S * S); // canvas: (T, 64, 64)
    float *plane = malloc((size_t)S * S * sizeof *plane);
    if (!canvas || !plane) {
        free(canvas);
        free(plane);
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    }
    t2v_bounce_render(ds, &clip, 3, T, canvas);
    size_t hw = (size_t)H * W;
    int failed = 0;
    for (int t = 0; t < T; t++) {
        float *dst = x + (size_t)t * hw; // x: (C, T, H, W), channel 0 first
        const uint8_t *src = canvas + (size_t)t * S * S;
        if (H == S && W == S) {
            for (size_t p = 0; p < hw; p++)
                dst[p] = t2v_data_u8_to_float(src[p]);
        } else {
            for (int p = 0; p < S * S; p++)
                plane[p] = t2v_data_u8_to_float(src[p]);
            failed |= t2v_data_resample_area(plane, S, S, S, dst, H, W);
        }
        for (int c = 1; c < C; c++)
            memcpy(x + ((size_t)c * T + t) * hw, dst, hw * sizeof *dst);
    }
    free(canvas);
    free(plane);
    return failed ? t2v_data_fail(T2V_ERR_NOMEM, "out of memory") : T2V_OK;
}

static long bounce_caption_index(const t2v_dataset *ds, long i, uint64_t epoch)
{
    const bounce_set *set = ds->impl;
    t2v_bounce_clip clip;
    t2v_bounce_describe(ds, i, &clip);
    if (!(ds->opts.partial > 0.0f))
        return clip.combo;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch, T2V_STREAM_PARTIAL);
    if (t2v_data_rng_uniform(&r) >= ds->opts.partial)
        return clip.combo;
    return set->partial_of[clip.combo][t2v_data_rng_below(&r, 2 * set->n_digits)];
}

/* Attributes caption k states differently from item i (unstated ones never
 * differ). */
static int bounce_caption_differences(const t2v_dataset *ds, long i, long k)
{
    const bounce_set *set = ds->impl;
    t2v_bounce_clip clip;
    t2v_bounce_describe(ds, i, &clip);
    int digit[2], motion[2], d = 0, hidden = set->cap_hidden[k];
    combo_decode(set->n_digits, set->combo_code[set->cap_combo[k]], digit, motion);
    for (int j = 0; j < set->n_digits; j++)
        d += (hidden != 2 * j && digit[j] != clip.digit[j]) +
             (hidden != 2 * j + 1 && motion[j] != clip.motion[j]);
    return d;
}

static t2v_status bounce_attributes(const t2v_dataset *ds, long i, t2v_data_attrs *attrs)
{
    t2v_bounce_clip clip;
    t2v_bounce_describe(ds, i, &clip);
    *attrs = ds->info.schema;
    attrs->n_objects = clip.n_digits;
    for (int k = 0; k < clip.n_digits; k++) {
        attrs->attr[2 * k].value = clip.digit[k];
        attrs->attr[2 * k + 1].value = clip.motion[k];
    }
    return T2V_OK;
}

static const char *bounce_value_name(const t2v_dataset *ds, int a, int v)
{
    (void)ds;
    return a % 2 == 0 ? digit_words[v] : motion_words[v];
}

static void bounce_destroy(void *impl)
{
    bounce_set *set = impl;
    if (!set)
        return;
    t2v_glyphs_free(&set->glyphs);
    free(set);
}

static const t2v_data_ops bounce_ops = {
    .get = bounce_get,
    .caption_index = bounce_caption_index,
    .caption_differences = bounce_caption_differences,
    .attributes = bounce_attributes,
    .value_name = bounce_value_name,
    .destroy = bounce_destroy,
};

t2v_status t2v_bouncing_open(t2v_dataset *ds, int n_digits)
{
    const t2v_data_options *o = &ds->opts;
    if (o->hi_height > 0)
        return t2v_data_fail(T2V_ERR_INVALID, "sbmg/tbmg have no second resolution");
    bounce_set *set = calloc(1, sizeof *set);
    if (!set)
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    ds->impl = set;
    ds->ops = &bounce_ops;
    set->n_digits = n_digits;
    ds->info.name = n_digits == 1 ? "sbmg" : "tbmg";
    ds->info.frames = o->frames ? o->frames : 16;
    ds->info.channels = o->channels ? o->channels : 1;
    ds->info.count = o->count ? o->count : (o->split == T2V_SPLIT_TRAIN ? 10000 : 2000);

    static const char *names[2][4] = {{"digit", "motion"},
                                      {"digit1", "motion1", "digit2", "motion2"}};
    ds->info.schema.n_objects = n_digits;
    ds->info.schema.n = 2 * n_digits;
    for (int k = 0; k < 2 * n_digits; k++) {
        ds->info.schema.attr[k].name = names[n_digits - 1][k];
        ds->info.schema.attr[k].n_classes = k % 2 == 0 ? 10 : 2;
        ds->info.schema.attr[k].value = -1;
    }

    int n_codes = n_digits == 1 ? 20 : 400;
    for (int code = 0; code < n_codes; code++) {
        int digit[2], motion[2];
        combo_decode(n_digits, code, digit, motion);
        if (t2v_bounce_combo_is_test(n_digits, digit, motion) != (o->split == T2V_SPLIT_TEST))
            continue;
        char caption[128];
        combo_caption(n_digits, digit, motion, -1, caption, sizeof caption);
        if (t2v_caption_table_add(&ds->captions, caption) != set->n_combos)
            return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
        set->cap_combo[set->n_combos] = (short)set->n_combos;
        set->cap_hidden[set->n_combos] = -1;
        set->combo_code[set->n_combos++] = code;
    }
    for (int c = 0; o->partial > 0.0f && c < set->n_combos; c++) {
        int digit[2], motion[2];
        combo_decode(n_digits, set->combo_code[c], digit, motion);
        for (int slot = 0; slot < 2 * n_digits; slot++) {
            char caption[128];
            combo_caption(n_digits, digit, motion, slot, caption, sizeof caption);
            long before = ds->captions.n;
            long k = t2v_caption_table_add(&ds->captions, caption);
            if (k < 0 || k >= MAX_CAPTIONS)
                return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
            if (k == before) { /* a new form; shared ones keep their first combination */
                set->cap_combo[k] = (short)c;
                set->cap_hidden[k] = (signed char)slot;
            }
            set->partial_of[c][slot] = (int)k;
        }
    }
    return t2v_glyphs_load_cached(ds->opts.data_dir, T2V_GLYPH_MNIST_FILE, &set->glyphs);
}
