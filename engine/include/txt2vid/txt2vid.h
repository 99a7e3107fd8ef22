/* txt2vid: the generation API used by the GStreamer element, the FFmpeg
 * filter and the CLI.
 *
 * A caption travels: t2v_generator_set_caption (tokenizer + sentence
 * encoder) -> t2v_generator_frame (noise from (seed, clip), generator network)
 * -> t2v_pixels_convert -> the caller's frame (or, in one call that converts
 * on the generator's backend, t2v_generator_frame_pixels). A frame's
 * content depends only
 * on (model, caption, seed, frame index): seeking is exact.
 *
 * A loaded model is immutable and may be shared by any number of generators
 * (threads) at once; a generator belongs to one stream / thread.
 */
#ifndef TXT2VID_H
#define TXT2VID_H

#include <stddef.h>
#include <stdint.h>

#include "txt2vid/nn.h"
#include "txt2vid/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define T2V_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct t2v_model t2v_model;

typedef enum t2v_model_kind {
    T2V_MODEL_VIDEO = 1, /* TGANs-C: a caption gives clips of `frames` frames */
    T2V_MODEL_IMAGE = 2, /* StackGAN: a caption gives still images */
} t2v_model_kind;

typedef struct t2v_model_info {
    t2v_model_kind kind;
    const char *arch;       /* "tganc" or "stackgan" */
    const char *name;       /* e.g. "sbmg-small" */
    const char *dataset;    /* training data set */
    int frames;             /* frames per clip (1 for image models) */
    int width, height;      /* native output size */
    int channels;           /* 1 (grey) or 3 (RGB) */
    int fps_num, fps_den;   /* suggested frame rate */
    int max_words;          /* captions are truncated to this many words */
    int vocab_size;
} t2v_model_info;

/* Loads a weights file. Fails with T2V_ERR_IO (missing, unreadable) or
 * T2V_ERR_FORMAT (corrupt, truncated, wrong kind), message naming the file. */
t2v_status t2v_model_load(const char *path, t2v_model **out);
/* Reference counting: a model is freed when its last reference goes. */
t2v_model *t2v_model_ref(t2v_model *m);
void t2v_model_unref(t2v_model *m);
void t2v_model_get_info(const t2v_model *m, t2v_model_info *info);
/* Metadata of the file as "key = value" lines (t2v info); NULL if none. */
const char *t2v_model_describe(const t2v_model *m);

/* The shipped default text-to-video model: $TXT2VID_MODEL if set, else the
 * installed path. */
const char *t2v_default_model_path(void);

/* ------------------------------------------------------------------------ */
/* Generators                                                                */
/* ------------------------------------------------------------------------ */

typedef struct t2v_generator t2v_generator;

typedef enum t2v_image_mode {
    T2V_MODE_STILL = 0, /* image models: one image held for `hold` frames */
    T2V_MODE_MORPH = 1, /* image models: a smooth walk between samples */
} t2v_image_mode;

typedef struct t2v_generator_opts {
    t2v_device device;  /* auto, cpu, cuda */
    int gpu_id;
    int threads;        /* CPU threads; <= 0: all cores */
    t2v_image_mode mode;
    int hold;           /* image models: frames per image (still) or per
                           step of the walk (morph); >= 1 */
    int stage;          /* which stage's output the frames show: 0 (the
                           default) the model's last stage; StackGAN 1:
                           Stage I's image upsampled by nearest neighbour
                           to the model's size (each pixel repeated
                           size2 / size1 times both ways), 2: Stage II.
                           Any other value, or 1 or 2 for a video model,
                           is T2V_ERR_INVALID at t2v_generator_new. */
} t2v_generator_opts;

void t2v_generator_opts_init(t2v_generator_opts *o);
t2v_status t2v_generator_new(t2v_model *m, const t2v_generator_opts *o,
                             t2v_generator **out);
void t2v_generator_free(t2v_generator *g);

/* What setting a caption found. */
typedef struct t2v_caption_report {
    int words;            /* words kept */
    int unknown;          /* of which not in the vocabulary */
    int truncated;        /* words dropped past the model's limit */
    char unknown_list[256]; /* the unknown words, space separated (cut) */
} t2v_caption_report;

/* Sets the caption for the frames generated from now on. An empty caption
 * (or one of only spaces and punctuation) or invalid UTF-8 is
 * T2V_ERR_INVALID. Unknown words map to <unk> and are reported; captions
 * longer than max_words are truncated and reported. */
t2v_status t2v_generator_set_caption(t2v_generator *g, const char *caption,
                                     t2v_caption_report *report);
void t2v_generator_set_seed(t2v_generator *g, uint64_t seed);

/* The float frame `index` (C, H, W), values in [-1, 1], in host memory owned
 * by the generator and valid until the next call. Frames of one clip are
 * generated together and kept, so walking indices in order costs one
 * network run per clip. */
t2v_status t2v_generator_frame(t2v_generator *g, uint64_t index, const float **frame);

/* Which clip (video) or image (image models) a frame index belongs to, and
 * the first frame index of the next one: the boundary where a caption change
 * takes effect. */
uint64_t t2v_generator_next_boundary(const t2v_generator *g, uint64_t index);

/* ------------------------------------------------------------------------ */
/* Pixels                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum t2v_pixfmt {
    T2V_PIX_GRAY8 = 0,
    T2V_PIX_RGB24,
    T2V_PIX_RGBA,
    T2V_PIX_BGRX,
    T2V_PIX_I420,   /* planar Y, U, V, chroma halved both ways (BT.601 limited range) */
    T2V_PIX_NV12,
} t2v_pixfmt;

/* Converts a float frame (C, H, W) in [-1, 1], C = 1 or 3, to `fmt` at the
 * same size. planes/strides as in GStreamer and FFmpeg (one entry per
 * plane). Odd sizes round chroma up. */
t2v_status t2v_pixels_convert(const float *frame, int C, int H, int W, t2v_pixfmt fmt,
                              uint8_t *const planes[], const int strides[]);

/* Frame `index` of a generator as pixels of `fmt` at the model's size: the
 * same bytes as t2v_generator_frame followed by t2v_pixels_convert, with
 * planes and strides as there, but converted where the generator runs. On
 * a GPU only the bytes are copied to the host (no float frame is); on the
 * CPU the conversion writes straight into the planes. Shares the
 * generator's clip cache with t2v_generator_frame. */
t2v_status t2v_generator_frame_pixels(t2v_generator *g, uint64_t index, t2v_pixfmt fmt,
                                      uint8_t *const planes[], const int strides[]);

#ifdef __cplusplus
}
#endif
#endif
