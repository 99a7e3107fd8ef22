/* SBMG / TBMG: bouncing MNIST digits with captions (Sync-DRAW recipe).
 *
 * 64x64 canvas, 28x28 digits, so the top-left corner of a digit lives in
 * the free 37x37 grid 0..36 (a span of 36 px). A digit moves purely along x
 * ("left and right") or purely along y ("up and down") at 0.2 of the span
 * per frame, 7.2 px, reflecting at 0 and 36; positions are truncated to
 * integers; two digits are combined with a per-pixel max. */
#ifndef TXT2VID_TRAIN_BOUNCING_H
#define TXT2VID_TRAIN_BOUNCING_H

#include <stdint.h>

#include "data_internal.h"
#include "glyph_cache.h"

#define T2V_BOUNCE_CANVAS 64
#define T2V_BOUNCE_GLYPH 28
#define T2V_BOUNCE_SPAN (T2V_BOUNCE_CANVAS - T2V_BOUNCE_GLYPH) /* 36 */
#define T2V_BOUNCE_STEP (0.2 * T2V_BOUNCE_SPAN)               /* 7.2 px per frame */

enum { T2V_MOTION_LEFT_RIGHT = 0, T2V_MOTION_UP_DOWN = 1 };

typedef struct t2v_bounce_clip {
    int n_digits;
    int combo;        /* index into the split's combinations = caption index */
    int digit[2];     /* class 0..9 */
    int motion[2];    /* T2V_MOTION_* */
    long glyph[2];    /* index into the MNIST glyph cache */
    double start[2];  /* position along the moving axis at t = 0, px in [0, 36) */
    int fixed[2];     /* position on the other axis, px 0..36 */
    int direction[2]; /* +1 or -1 along the moving axis */
} t2v_bounce_clip;

/* Whether a (digit, motion) combination (TBMG: both digits) is held out
 * for the test split. */
int t2v_bounce_combo_is_test(int n_digits, const int *digit, const int *motion);

/* The clip drawn for item i of ds (a "sbmg" or "tbmg" set). */
void t2v_bounce_describe(const t2v_dataset *ds, long i, t2v_bounce_clip *clip);

/* Top-left corner of digit obj at frame t. */
void t2v_bounce_position(const t2v_bounce_clip *clip, int obj, int t, int *x, int *y);

/* Draws the digits whose bit is set in object_mask (bit 0: first digit).
 * frames: (T, 64, 64). Returns 0. */
int t2v_bounce_render(const t2v_dataset *ds, const t2v_bounce_clip *clip, int object_mask,
                      int frames, uint8_t *out);

/* The MNIST glyphs a "sbmg" / "tbmg" set draws from. */
const t2v_glyphs *t2v_bounce_glyphs(const t2v_dataset *ds);

#endif
