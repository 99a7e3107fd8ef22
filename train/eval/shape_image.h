/* A colour-invariant picture of the glyphs in a clip: what a trunk sees
 * when it must read an object's identity and nothing of its colours.
 *
 * Scenes are drawn as bg + (fg - bg) * alpha with plain colours fg and bg
 * (train/data/scenes.c), so once the background colour is known,
 *   d(p) = max over channels |x(p) - bg|  = |fg - bg|_max * alpha(p)
 * is the glyph's alpha up to one factor per frame; dividing by the frame's
 * largest d leaves the alpha alone (the shape, its size and place) and no
 * trace of fg or bg. The background colour of a frame is taken as the
 * per-channel median of its border pixels (scenes keep the ink off the
 * border), which also holds for noisy or generated frames.
 *
 * Output per frame: 2 d / max(max_p d, SHAPE_MIN_CONTRAST) - 1 in [-1, 1]
 * (-1 background, 1 the most opaque ink), one channel. */
#ifndef T2V_EVAL_SHAPE_IMAGE_H
#define T2V_EVAL_SHAPE_IMAGE_H

#include <stddef.h>

/* Below this largest difference from the background (pixel units of
 * [-1, 1] images) a frame counts as blank and is not stretched further. */
#define T2V_SHAPE_MIN_CONTRAST 0.25f

/* Floats of scratch t2v_shape_image needs for frames (H, W). */
size_t t2v_shape_scratch_floats(int H, int W);

/* clips (n, C, T, H, W) -> shape (n, 1, T, H, W). scratch: at least
 * t2v_shape_scratch_floats(H, W) floats. H, W >= 2. */
void t2v_shape_image(const float *clips, int n, int C, int T, int H, int W, float *shape,
                     float *scratch);

/* The shape picture cut to its ink and scaled to one size, so that what a
 * trunk reads of a glyph does not depend on where it is drawn or how
 * large: per frame, the ink box is the bounding box of the pixels with
 * alpha = (v + 1) / 2 >= T2V_SHAPE_INK (the whole frame when there are
 * none); the crop is the square centred on it whose side is the box's
 * longer side / T2V_SHAPE_CROP_FILL; it is resampled to (S, S) with 2 x 2
 * bilinear samples per pixel, alpha 0 outside the frame, and written as
 * 2 alpha - 1 like the picture itself. */
#define T2V_SHAPE_INK 0.25f
#define T2V_SHAPE_CROP_FILL 0.8f

/* shape (n, 1, T, H, W) -> crop (n, 1, T, S, S). S >= 2. */
void t2v_shape_crop(const float *shape, int n, int T, int H, int W, int S, float *crop);

#endif
