/* "scenes": captioned images for text-to-image training. One real glyph
 * (an MNIST digit or a Fashion-MNIST item), coloured, scaled, placed on a
 * plain coloured background; rendered anti-aliased from one scene
 * description at two resolutions (64x64 and 256x256 by default). */
#ifndef TXT2VID_TRAIN_SCENES_H
#define TXT2VID_TRAIN_SCENES_H

#include <stdint.h>

#include "data_internal.h"

#define T2V_SCENE_OBJECTS 20   /* 0..9 MNIST digits, 10..19 Fashion-MNIST classes */
#define T2V_SCENE_COLOURS 8
#define T2V_SCENE_SIZES 2
#define T2V_SCENE_POSITIONS 9  /* 3x3 grid, row-major from the upper left */
#define T2V_SCENE_TEMPLATES 3  /* caption phrasings */

/* Longest side of the glyph's ink box, as a fraction of the canvas side. */
#define T2V_SCENE_SMALL 0.32
#define T2V_SCENE_LARGE 0.56

extern const uint8_t t2v_scene_palette[T2V_SCENE_COLOURS][3];
extern const char *const t2v_scene_colour_names[T2V_SCENE_COLOURS];
extern const char *const t2v_scene_object_names[T2V_SCENE_OBJECTS];
extern const char *const t2v_scene_position_phrases[T2V_SCENE_POSITIONS];

typedef struct t2v_scene {
    int object, colour, background, size, position;
    long glyph;        /* index into the MNIST (object < 10) or Fashion-MNIST cache */
    double tx, ty;     /* where the glyph's ink centroid lands, canvas fractions */
    double jitter_x, jitter_y;
} t2v_scene;

/* Whether an (object, colour) pair is held out for the test split. */
int t2v_scene_pair_is_test(int object, int colour);

/* The scene drawn for item i of a "scenes" set. */
void t2v_scene_describe(const t2v_dataset *ds, long i, t2v_scene *scene);

/* The glyph index of item i refers to this cache split flag (0 train, 1 test). */
int t2v_scene_glyph_split(const t2v_dataset *ds, const t2v_scene *scene);

/* The centroid target for a size and position, without jitter or clamping. */
void t2v_scene_target(int size, int position, double *tx, double *ty);

#endif
