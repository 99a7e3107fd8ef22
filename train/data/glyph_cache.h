/* Glyph caches: 28x28 uint8 glyphs with class labels and a train/test flag,
 * in one small binary file per source (mnist.t2vg, fashion-mnist.t2vg).
 *
 * File layout (little-endian):
 *   0   char[8]  magic "T2VGLYPH"
 *   8   u32      version (1)
 *   12  u32      rows, 16 u32 cols, 20 u32 n_classes, 24 u32 count
 *   28  u32      0 (reserved)
 *   32  u64      FNV-1a 64 of everything after the header
 *   40  u8       labels[count]   (< n_classes)
 *       u8       split[count]    (0 train, 1 test)
 *       u8       pixels[count][rows][cols]  (0 = background, 255 = ink)
 */
#ifndef TXT2VID_TRAIN_GLYPH_CACHE_H
#define TXT2VID_TRAIN_GLYPH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <txt2vid/status.h>

#define T2V_GLYPH_MAGIC "T2VGLYPH"
#define T2V_GLYPH_VERSION 1u
#define T2V_GLYPH_HEADER_BYTES 40
#define T2V_GLYPH_MNIST_FILE "mnist.t2vg"
#define T2V_GLYPH_FASHION_FILE "fashion-mnist.t2vg"
/* Fraction of each MNIST class (in file order) that is used for training. */
#define T2V_GLYPH_MNIST_TRAIN_FRACTION 0.85

typedef struct t2v_glyphs {
    int rows, cols, n_classes;
    long count;
    uint8_t *labels; /* (count) */
    uint8_t *split;  /* (count) */
    uint8_t *pixels; /* (count, rows, cols) */
    /* members[split][class]: glyph indices of that split and class, in order */
    long *members[2][16];
    long n_members[2][16];
} t2v_glyphs;

/* Writes a cache atomically (path.tmp, then rename). */
t2v_status t2v_glyphs_write(const char *path, const t2v_glyphs *g);
/* Reads and validates a cache; fills the members lists. */
t2v_status t2v_glyphs_read(const char *path, t2v_glyphs *g);
/* Fills the members lists from labels and split. */
t2v_status t2v_glyphs_index(t2v_glyphs *g);
void t2v_glyphs_free(t2v_glyphs *g);

/* Opens <data dir>/<file>; a missing file names the command that makes it. */
t2v_status t2v_glyphs_load_cached(const char *data_dir, const char *file, t2v_glyphs *g);

/* Strict reader of one mnist package digit file: {"data": [n * 784 numbers
 * in [0, 1]]}. Each number becomes round(255 v). *pixels is malloc'ed. */
t2v_status t2v_mnist_json_parse(const char *text, size_t len, uint8_t **pixels, long *count);

/* Reads one gzip'ed IDX file (images: u8 [n][rows][cols]; labels: u8 [n]). */
t2v_status t2v_idx_read_gz(const char *path, int want_dims, uint8_t **data, long *count,
                           int *rows, int *cols);

#endif
