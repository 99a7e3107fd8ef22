/* txt2vid: the weights file.
 *
 * One file per model carries everything the model needs: typed key-value
 * metadata (architecture, sizes, vocabulary, training provenance), a table
 * of named float32 tensors and their data. The container is GGUF version 3
 * (the single-file format of ggml); docs/weights-format.md gives the byte
 * layout, the keys txt2vid uses and the validation rules.
 *
 * Reading: t2v_weights_open() loads the whole file into memory and checks
 * every byte of its structure before it returns, so a corrupt, truncated or
 * hostile file fails with T2V_ERR_FORMAT and a message naming the file and
 * the problem; nothing is read out of bounds and no allocation is larger
 * than a small multiple of the file size. A loaded file is immutable: any
 * number of threads may read it at once.
 *
 * Writing: build a t2v_weights_writer, add metadata and tensors, then
 * t2v_weights_writer_write() writes "<path>.tmp" in the same directory,
 * syncs it and renames it over <path>, so an interrupted write never leaves
 * a half-written file at <path>.
 *
 * Shapes are given outermost first, as in PyTorch: a conv3d weight is
 * (C_out, C_in, kT, kH, kW) and its data is row-major (the last index
 * varies fastest). The file stores dimensions in ggml's order (fastest
 * first); the reader and the writer convert.
 *
 * Lookups fail with:
 *   T2V_ERR_UNSUPPORTED  the key or tensor is not in the file,
 *   T2V_ERR_FORMAT       it is there but has another type, or its value does
 *                        not fit the requested type,
 *   T2V_ERR_INVALID      a NULL argument or an index out of range.
 * Each message names the key (or tensor) and the file.
 */
#ifndef TXT2VID_WEIGHTS_H
#define TXT2VID_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "txt2vid/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define T2V_GGUF_VERSION              3     /* the only container version read or written */
#define T2V_WEIGHTS_FORMAT_VERSION    1     /* value of txt2vid.format_version written now */
#define T2V_WEIGHTS_MAX_DIMS          8     /* tensor rank limit */
#define T2V_WEIGHTS_MAX_NAME          64    /* tensor name length limit in bytes */
#define T2V_WEIGHTS_MAX_KEY           65535 /* key length limit in bytes */
#define T2V_WEIGHTS_DEFAULT_ALIGNMENT 32

/* Keys txt2vid reads and writes (docs/weights-format.md describes each). */
#define T2V_KEY_ARCHITECTURE   "general.architecture"   /* string: "tganc" | "stackgan" */
#define T2V_KEY_NAME           "general.name"           /* string */
#define T2V_KEY_ALIGNMENT      "general.alignment"      /* u32, set by the writer */
#define T2V_KEY_FORMAT_VERSION "txt2vid.format_version" /* u32 */
#define T2V_KEY_KIND           "txt2vid.kind"           /* string: "video" | "image" */
#define T2V_KEY_FPS            "txt2vid.fps"            /* u32: suggested frame rate */
#define T2V_KEY_VOCAB          "tokenizer.vocab"        /* string array */
#define T2V_KEY_TRAIN_DATASET  "txt2vid.train.dataset"  /* string */
#define T2V_KEY_TRAIN_PRESET   "txt2vid.train.preset"   /* string */
#define T2V_KEY_TRAIN_STEPS    "txt2vid.train.steps"    /* u64 */
#define T2V_KEY_TRAIN_SEED     "txt2vid.train.seed"     /* u64 */
#define T2V_KEY_TRAIN_SECONDS  "txt2vid.train.seconds"  /* f64 */
#define T2V_KEY_TRAIN_COMMAND  "txt2vid.train.command"  /* string */

/* Metadata value types; the numbers are GGUF's. */
typedef enum t2v_value_type {
    T2V_VALUE_U8 = 0,
    T2V_VALUE_I8 = 1,
    T2V_VALUE_U16 = 2,
    T2V_VALUE_I16 = 3,
    T2V_VALUE_U32 = 4,
    T2V_VALUE_I32 = 5,
    T2V_VALUE_F32 = 6,
    T2V_VALUE_BOOL = 7,
    T2V_VALUE_STRING = 8,
    T2V_VALUE_ARRAY = 9,
    T2V_VALUE_U64 = 10,
    T2V_VALUE_I64 = 11,
    T2V_VALUE_F64 = 12,
} t2v_value_type;

/* "u32", "string", "array", ...; "unknown" outside the enum. */
const char *t2v_value_type_name(t2v_value_type type);

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct t2v_weights t2v_weights;

/* One metadata entry, for iteration. */
typedef struct t2v_weights_kv {
    const char *key;
    t2v_value_type type;
    t2v_value_type elem_type; /* arrays: the element type; else equal to type */
    uint64_t count;           /* arrays: the number of elements; else 1 */
} t2v_weights_kv;

/* One tensor. Pointers stay valid until t2v_weights_close(). */
typedef struct t2v_weights_tensor {
    const char *name;
    int ndim;
    int64_t shape[T2V_WEIGHTS_MAX_DIMS]; /* outermost first; unused entries 0 */
    int64_t numel;
    const float *data;    /* row-major float32, aligned to the file's alignment */
    uint64_t file_offset; /* where the data starts in the file */
} t2v_weights_tensor;

/* Reads and validates a whole file. T2V_ERR_IO when it cannot be read,
 * T2V_ERR_FORMAT when it is not a valid weights file, T2V_ERR_NOMEM. */
t2v_status t2v_weights_open(const char *path, t2v_weights **out);

/* The same, from bytes in memory (copied; `label` names them in messages). */
t2v_status t2v_weights_open_memory(const void *bytes, size_t size, const char *label,
                                   t2v_weights **out);

void t2v_weights_close(t2v_weights *w);

/* The path or label given when opening. */
const char *t2v_weights_path(const t2v_weights *w);

/* The alignment of the data section (general.alignment, default 32). */
uint32_t t2v_weights_alignment(const t2v_weights *w);

/* Metadata, in file order. */
size_t t2v_weights_kv_count(const t2v_weights *w);
t2v_status t2v_weights_kv_at(const t2v_weights *w, size_t index, t2v_weights_kv *out);
/* Writes the value of entry `index` as text ("64", "\"tganc\"",
 * "[\"a\", \"b\", ... 1000 items]") into buf (always terminated). */
t2v_status t2v_weights_format_value(const t2v_weights *w, size_t index, char *buf, size_t size);

/* 1 when the key is present, 0 when not. */
int t2v_weights_has_key(const t2v_weights *w, const char *key);
/* The key's type (and its element type and count for arrays). */
t2v_status t2v_weights_find_key(const t2v_weights *w, const char *key, t2v_weights_kv *out);

/* Typed getters. The integer getters accept any stored integer type whose
 * value fits the requested one; get_f64 also accepts f32. The string stays
 * valid until close and contains no NUL byte. */
t2v_status t2v_weights_get_str(const t2v_weights *w, const char *key, const char **out);
t2v_status t2v_weights_get_u32(const t2v_weights *w, const char *key, uint32_t *out);
t2v_status t2v_weights_get_i32(const t2v_weights *w, const char *key, int32_t *out);
t2v_status t2v_weights_get_u64(const t2v_weights *w, const char *key, uint64_t *out);
t2v_status t2v_weights_get_i64(const t2v_weights *w, const char *key, int64_t *out);
t2v_status t2v_weights_get_f32(const t2v_weights *w, const char *key, float *out);
t2v_status t2v_weights_get_f64(const t2v_weights *w, const char *key, double *out);
t2v_status t2v_weights_get_bool(const t2v_weights *w, const char *key, int *out);

/* Arrays. The returned pointers stay valid until close. */
t2v_status t2v_weights_get_str_array(const t2v_weights *w, const char *key,
                                     const char *const **items, size_t *count);
t2v_status t2v_weights_get_str_array_item(const t2v_weights *w, const char *key, size_t index,
                                          const char **out);
t2v_status t2v_weights_get_f32_array(const t2v_weights *w, const char *key, const float **values,
                                     size_t *count);
t2v_status t2v_weights_get_i32_array(const t2v_weights *w, const char *key, const int32_t **values,
                                     size_t *count);

/* Tensors, in file order, and by name. */
size_t t2v_weights_tensor_count(const t2v_weights *w);
t2v_status t2v_weights_tensor_at(const t2v_weights *w, size_t index, t2v_weights_tensor *out);
t2v_status t2v_weights_find_tensor(const t2v_weights *w, const char *name, t2v_weights_tensor *out);

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct t2v_weights_writer t2v_weights_writer;

t2v_status t2v_weights_writer_new(t2v_weights_writer **out);
void t2v_weights_writer_free(t2v_weights_writer *wr);

/* Data section alignment: a power of two from 8 to 65536 (default 32). It
 * is written as general.alignment, which may not be added by hand. */
t2v_status t2v_weights_writer_set_alignment(t2v_weights_writer *wr, uint32_t alignment);

/* Metadata, written in the order added. Keys are 1..65535 printable ASCII
 * bytes; adding a key twice fails with T2V_ERR_INVALID. Strings may not
 * contain NUL bytes (they are C strings here). Values are copied. */
t2v_status t2v_weights_writer_add_str(t2v_weights_writer *wr, const char *key, const char *value);
t2v_status t2v_weights_writer_add_u32(t2v_weights_writer *wr, const char *key, uint32_t value);
t2v_status t2v_weights_writer_add_i32(t2v_weights_writer *wr, const char *key, int32_t value);
t2v_status t2v_weights_writer_add_u64(t2v_weights_writer *wr, const char *key, uint64_t value);
t2v_status t2v_weights_writer_add_i64(t2v_weights_writer *wr, const char *key, int64_t value);
t2v_status t2v_weights_writer_add_f32(t2v_weights_writer *wr, const char *key, float value);
t2v_status t2v_weights_writer_add_f64(t2v_weights_writer *wr, const char *key, double value);
t2v_status t2v_weights_writer_add_bool(t2v_weights_writer *wr, const char *key, int value);
t2v_status t2v_weights_writer_add_str_array(t2v_weights_writer *wr, const char *key,
                                            const char *const *items, size_t count);
t2v_status t2v_weights_writer_add_f32_array(t2v_weights_writer *wr, const char *key,
                                            const float *values, size_t count);
t2v_status t2v_weights_writer_add_i32_array(t2v_weights_writer *wr, const char *key,
                                            const int32_t *values, size_t count);

/* A float32 tensor, shape outermost first (1..8 dims, each > 0), data
 * row-major. Names are 1..64 printable ASCII bytes and unique.
 * add_tensor copies the data now; add_tensor_ref keeps the pointer, whose
 * data must stay valid (and is read) when t2v_weights_writer_write runs. */
t2v_status t2v_weights_writer_add_tensor(t2v_weights_writer *wr, const char *name, int ndim,
                                         const int64_t *shape, const float *data);
t2v_status t2v_weights_writer_add_tensor_ref(t2v_weights_writer *wr, const char *name, int ndim,
                                             const int64_t *shape, const float *data);

/* Writes the file atomically (see the top of this header). On failure no
 * "<path>.tmp" is left behind and an existing <path> is untouched. The
 * writer may be written again or freed afterwards. */
t2v_status t2v_weights_writer_write(const t2v_weights_writer *wr, const char *path);

#ifdef __cplusplus
}
#endif
#endif
