/* The weights file: writer output byte for byte, round trips of every
 * metadata type and of tensors (bit-exact), typed getters and their
 * failures, writer argument checks, and atomic writes. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gguf_bytes.h"
#include "t2v_test.h"
#include "txt2vid/weights.h"

static char tmpdir[256];

static void path_in_tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return p;
}

static int contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* Deterministic test data with awkward values mixed in. */
static void fill_floats(float *x, size_t n, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1;
    for (size_t k = 0; k < n; k++) {
        s = s * 1664525u + 1013904223u;
        x[k] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 8.0f;
    }
    if (n > 4) {
        x[0] = -0.0f;
        x[1] = INFINITY;
        x[2] = 1e-45f; /* the smallest denormal */
        x[3] = -3.4028235e38f;
    }
}

/* ------------------------------------------------------------------------ */

/* The writer's bytes for a tiny model equal a file built by hand from the
 * specification: header, general.alignment first, then the keys in order,
 * dimensions fastest first, zero padding, data padded to the alignment. */
static void test_exact_bytes(void)
{
    char path[512];
    path_in_tmp(path, sizeof path, "exact.gguf");
    t2v_weights_writer *wr = NULL;
    T2V_CHECK(t2v_weights_writer_new(&wr) == T2V_OK, "writer_new succeeds");
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b[3] = {-1, -2, -3};
    int64_t shape_a[2] = {2, 3};
    int64_t shape_b[1] = {3};
    t2v_status s = t2v_weights_writer_add_str(wr, "general.architecture", "tganc");
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u32(wr, "txt2vid.format_version", 1);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "a", 2, shape_a, a);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "b", 1, shape_b, b);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    T2V_CHECK(s == T2V_OK, "write a two-tensor file (%s)", t2v_last_error());
    t2v_weights_writer_free(wr);

    gbuf e = {0};
    gb_header(&e, 3, 2, 3);
    gb_kv_u32(&e, "general.alignment", 32);
    gb_kv_str(&e, "general.architecture", "tganc");
    gb_kv_u32(&e, "txt2vid.format_version", 1);
    uint64_t da[2] = {3, 2}, db[1] = {3};
    gb_tensor_info(&e, "a", 2, da, 0, 0);
    gb_tensor_info(&e, "b", 1, db, 0, 32); /* 24 bytes of a, padded to 32 */
    gb_pad(&e, 32);
    for (int k = 0; k < 6; k++)
        gb_f32(&e, a[k]);
    gb_pad(&e, 32);
    for (int k = 0; k < 3; k++)
        gb_f32(&e, b[k]);
    gb_pad(&e, 32);

    size_t n = 0;
    unsigned char *got = read_file(path, &n);
    size_t first_diff = 0;
    while (got && first_diff < n && first_diff < e.n && got[first_diff] == e.p[first_diff])
        first_diff++;
    T2V_CHECK(got && n == e.n && first_diff == n,
              "writer output equals the hand-built GGUF v3 bytes (%zu vs %zu bytes, first "
              "difference at %zu)",
              n, e.n, first_diff);
    free(got);
    gb_free(&e);
}

/* ------------------------------------------------------------------------ */

static const char *const vocab[] = {"<pad>", "<unk>", "the",         "digit", "7",
                                    "moves", "left",  "caf\xc3\xa9", "",      "a \"quoted\" word"};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static void test_round_trip(void)
{
    char path[512];
    path_in_tmp(path, sizeof path, "round.gguf");
    /* Tensors: 1-D, 2-D, 4-D and 5-D with sizes that need padding. */
    static const int64_t shapes[4][5] = {{7}, {3, 5}, {2, 3, 3, 3}, {4, 2, 3, 3, 3}};
    static const int ranks[4] = {1, 2, 4, 5};
    static const char *const names[4] = {"enc.bias", "enc.fc.weight", "gen.conv2d.weight",
                                         "gen.up1.conv3d.weight"};
    float *data[4];
    size_t counts[4];
    for (int t = 0; t < 4; t++) {
        counts[t] = 1;
        for (int d = 0; d < ranks[t]; d++)
            counts[t] *= (size_t)shapes[t][d];
        data[t] = malloc(counts[t] * sizeof(float));
        fill_floats(data[t], counts[t], (uint32_t)t + 1);
    }
    const float f32s[5] = {0.5f, -0.0f, 1e-45f, INFINITY, -123.25f};
    const int32_t i32s[4] = {INT32_MIN, -1, 0, INT32_MAX};
    uint32_t nan_bits = 0x7fc01234u;
    float nan_payload;
    memcpy(&nan_payload, &nan_bits, 4);

    t2v_weights_writer *wr = NULL;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK)
        s = t2v_weights_writer_set_alignment(wr, 64);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "tganc");
    if (s == T2V_OK)
        s = t2v_weights_writer_add_str(wr, "general.name", "");
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u32(wr, "t.u32", UINT32_MAX);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i32(wr, "t.i32", INT32_MIN);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u64(wr, "t.u64", UINT64_MAX);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i64(wr, "t.i64", INT64_MIN);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_f32(wr, "t.f32", nan_payload);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_f64(wr, "t.f64", 0.1);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_bool(wr, "t.true", 5);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_bool(wr, "t.false", 0);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_str_array(wr, T2V_KEY_VOCAB, vocab, NVOCAB);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_f32_array(wr, "t.f32s", f32s, 5);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i32_array(wr, "t.i32s", i32s, 4);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i32_array(wr, "t.empty", NULL, 0);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u64(wr, "t.small_u64", 4096);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i64(wr, "t.neg_i64", -5);
    for (int t = 0; t < 4 && s == T2V_OK; t++)
        s = t2v_weights_writer_add_tensor(wr, names[t], ranks[t], shapes[t], data[t]);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    T2V_CHECK(s == T2V_OK, "write every metadata type and four tensors (%s)", t2v_last_error());
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    T2V_CHECK(!file_exists(tmp), "no .tmp file left after a successful write");
    t2v_weights_writer_free(wr);

    t2v_weights *w = NULL;
    s = t2v_weights_open(path, &w);
    T2V_CHECK(s == T2V_OK && w, "open the written file (%s)", t2v_last_error());
    if (!w)
        return;
    T2V_CHECK(t2v_weights_alignment(w) == 64, "alignment read back as 64 (got %u)",
              t2v_weights_alignment(w));
    T2V_CHECK(strcmp(t2v_weights_path(w), path) == 0, "path is kept");
    T2V_CHECK(t2v_weights_kv_count(w) == 17, "17 metadata entries incl. general.alignment (%zu)",
              t2v_weights_kv_count(w));

    const char *str = NULL;
    T2V_CHECK(t2v_weights_get_str(w, T2V_KEY_ARCHITECTURE, &str) == T2V_OK &&
                  strcmp(str, "tganc") == 0,
              "string round trip");
    T2V_CHECK(t2v_weights_get_str(w, "general.name", &str) == T2V_OK && str[0] == '\0',
              "empty string round trip");
    uint32_t u32 = 0;
    T2V_CHECK(t2v_weights_get_u32(w, "t.u32", &u32) == T2V_OK && u32 == UINT32_MAX,
              "u32 max round trip");
    int32_t i32 = 0;
    T2V_CHECK(t2v_weights_get_i32(w, "t.i32", &i32) == T2V_OK && i32 == INT32_MIN,
              "i32 min round trip");
    uint64_t u64 = 0;
    T2V_CHECK(t2v_weights_get_u64(w, "t.u64", &u64) == T2V_OK && u64 == UINT64_MAX,
              "u64 max round trip");
    int64_t i64 = 0;
    T2V_CHECK(t2v_weights_get_i64(w, "t.i64", &i64) == T2V_OK && i64 == INT64_MIN,
              "i64 min round trip");
    float f32 = 0;
    uint32_t f32_bits = 0;
    s = t2v_weights_get_f32(w, "t.f32", &f32);
    memcpy(&f32_bits, &f32, 4);
    T2V_CHECK(s == T2V_OK && f32_bits == nan_bits, "f32 NaN payload bit-exact (0x%08x)", f32_bits);
    double f64 = 0;
    T2V_CHECK(t2v_weights_get_f64(w, "t.f64", &f64) == T2V_OK && f64 == 0.1, "f64 0.1 bit-exact");
    int bt = -1, bf = -1;
    T2V_CHECK(t2v_weights_get_bool(w, "t.true", &bt) == T2V_OK && bt == 1 &&
                  t2v_weights_get_bool(w, "t.false", &bf) == T2V_OK && bf == 0,
              "bools round trip (nonzero written as true)");
    const char *const *items = NULL;
    size_t nitems = 0;
    s = t2v_weights_get_str_array(w, T2V_KEY_VOCAB, &items, &nitems);
    int same = s == T2V_OK && nitems == NVOCAB;
    for (size_t k = 0; same && k < NVOCAB; k++)
        same = strcmp(items[k], vocab[k]) == 0;
    T2V_CHECK(same, "string array of %zu items round trip (UTF-8, empty, quotes)", NVOCAB);
    const char *item = NULL;
    T2V_CHECK(t2v_weights_get_str_array_item(w, T2V_KEY_VOCAB, 7, &item) == T2V_OK &&
                  strcmp(item, vocab[7]) == 0,
              "string array item 7 by index");
    T2V_CHECK(t2v_weights_get_str_array_item(w, T2V_KEY_VOCAB, NVOCAB, &item) == T2V_ERR_INVALID,
              "string array index past the end is T2V_ERR_INVALID");
    const float *fa = NULL;
    size_t nfa = 0;
    s = t2v_weights_get_f32_array(w, "t.f32s", &fa, &nfa);
    T2V_CHECK(s == T2V_OK && nfa == 5 && memcmp(fa, f32s, sizeof f32s) == 0,
              "f32 array bit-exact (-0, denormal, inf)");
    const int32_t *ia = NULL;
    size_t nia = 0;
    s = t2v_weights_get_i32_array(w, "t.i32s", &ia, &nia);
    T2V_CHECK(s == T2V_OK && nia == 4 && memcmp(ia, i32s, sizeof i32s) == 0,
              "i32 array round trip");
    s = t2v_weights_get_i32_array(w, "t.empty", &ia, &nia);
    T2V_CHECK(s == T2V_OK && nia == 0, "empty array round trip");

    /* Integer conversions between stored and requested types. */
    T2V_CHECK(t2v_weights_get_u32(w, "t.small_u64", &u32) == T2V_OK && u32 == 4096,
              "u64 4096 read as u32");
    T2V_CHECK(t2v_weights_get_i32(w, "t.neg_i64", &i32) == T2V_OK && i32 == -5,
              "i64 -5 read as i32");
    T2V_CHECK(t2v_weights_get_i64(w, "t.u32", &i64) == T2V_OK && i64 == UINT32_MAX,
              "u32 max read as i64");
    T2V_CHECK(t2v_weights_get_u32(w, "t.u64", &u32) == T2V_ERR_FORMAT &&
                  contains(t2v_last_error(), "t.u64") && contains(t2v_last_error(), "does not fit"),
              "u64 max read as u32 fails with T2V_ERR_FORMAT (%s)", t2v_last_error());
    T2V_CHECK(t2v_weights_get_u64(w, "t.neg_i64", &u64) == T2V_ERR_FORMAT,
              "negative i64 read as u64 fails");
    T2V_CHECK(t2v_weights_get_i64(w, "t.u64", &i64) == T2V_ERR_FORMAT, "u64 max read as i64 fails");
    T2V_CHECK(t2v_weights_get_i32(w, "t.i64", &i32) == T2V_ERR_FORMAT, "i64 min read as i32 fails");
    T2V_CHECK(t2v_weights_get_f64(w, "t.f32", &f64) == T2V_OK && isnan(f64), "f32 read as f64");

    /* Missing key and wrong type are told apart, and both name key and file. */
    s = t2v_weights_get_u32(w, "tganc.z_dim", &u32);
    T2V_CHECK(s == T2V_ERR_UNSUPPORTED && contains(t2v_last_error(), "tganc.z_dim") &&
                  contains(t2v_last_error(), path) && contains(t2v_last_error(), "missing"),
              "missing key: T2V_ERR_UNSUPPORTED naming key and file (%s)", t2v_last_error());
    s = t2v_weights_get_u32(w, T2V_KEY_ARCHITECTURE, &u32);
    T2V_CHECK(s == T2V_ERR_FORMAT && contains(t2v_last_error(), T2V_KEY_ARCHITECTURE) &&
                  contains(t2v_last_error(), path) && contains(t2v_last_error(), "string"),
              "wrong type: T2V_ERR_FORMAT naming key, file and type (%s)", t2v_last_error());
    T2V_CHECK(t2v_weights_get_f32_array(w, T2V_KEY_VOCAB, &fa, &nfa) == T2V_ERR_FORMAT &&
                  contains(t2v_last_error(), "array of string"),
              "string array read as f32 array fails (%s)", t2v_last_error());
    T2V_CHECK(t2v_weights_get_str(w, "t.f32s", &str) == T2V_ERR_FORMAT,
              "f32 array read as string fails");
    T2V_CHECK(t2v_weights_get_bool(w, "t.u32", &bt) == T2V_ERR_FORMAT, "u32 read as bool fails");
    T2V_CHECK(t2v_weights_has_key(w, "t.u32") == 1 && t2v_weights_has_key(w, "t.u3") == 0 &&
                  t2v_weights_has_key(w, "t.u32x") == 0,
              "has_key matches whole keys only");

    /* Iteration in file order, with types and text values. */
    t2v_weights_kv kv;
    char text[256];
    T2V_CHECK(t2v_weights_kv_at(w, 0, &kv) == T2V_OK && strcmp(kv.key, "general.alignment") == 0 &&
                  kv.type == T2V_VALUE_U32 &&
                  t2v_weights_format_value(w, 0, text, sizeof text) == T2V_OK &&
                  strcmp(text, "64") == 0,
              "entry 0 is general.alignment = 64");
    T2V_CHECK(t2v_weights_kv_at(w, 1, &kv) == T2V_OK &&
                  strcmp(kv.key, "general.architecture") == 0 &&
                  t2v_weights_format_value(w, 1, text, sizeof text) == T2V_OK &&
                  strcmp(text, "\"tganc\"") == 0,
              "entry 1 is general.architecture = \"tganc\"");
    T2V_CHECK(t2v_weights_kv_at(w, 11, &kv) == T2V_OK && strcmp(kv.key, T2V_KEY_VOCAB) == 0 &&
                  kv.type == T2V_VALUE_ARRAY && kv.elem_type == T2V_VALUE_STRING &&
                  kv.count == NVOCAB,
              "entry 11 is the vocabulary, an array of 10 strings");
    t2v_weights_format_value(w, 11, text, sizeof text);
    T2V_CHECK(strcmp(text, "[\"<pad>\", \"<unk>\", \"the\", \"digit\", \"7\", \"moves\", "
                           "\"left\", \"caf\xc3\xa9\", ... 10 items]") == 0,
              "vocabulary as text: %s", text);
    t2v_weights_format_value(w, 13, text, sizeof text);
    T2V_CHECK(strcmp(text, "[-2147483648, -1, 0, 2147483647]") == 0, "i32 array as text: %s", text);
    char tiny[8];
    t2v_weights_format_value(w, 11, tiny, sizeof tiny);
    T2V_CHECK(strlen(tiny) == 7 && memcmp(tiny, "[\"<pad>", 7) == 0,
              "text cut to a small buffer stays terminated (%s)", tiny);
    T2V_CHECK(t2v_weights_kv_at(w, 17, &kv) == T2V_ERR_INVALID, "entry 17 is out of range");

    /* Tensors: shapes outermost first, data bit-exact and aligned. */
    T2V_CHECK(t2v_weights_tensor_count(w) == 4, "4 tensors");
    for (int t = 0; t < 4; t++) {
        t2v_weights_tensor wt;
        s = t2v_weights_find_tensor(w, names[t], &wt);
        int shape_ok = s == T2V_OK && wt.ndim == ranks[t] && wt.numel == (int64_t)counts[t];
        for (int d = 0; shape_ok && d < T2V_WEIGHTS_MAX_DIMS; d++)
            shape_ok = wt.shape[d] == (d < ranks[t] ? shapes[t][d] : 0);
        T2V_CHECK(shape_ok, "tensor %s: rank %d and shape read back", names[t], ranks[t]);
        T2V_CHECK(s == T2V_OK && memcmp(wt.data, data[t], counts[t] * sizeof(float)) == 0,
                  "tensor %s: %zu floats bit-exact", names[t], counts[t]);
        T2V_CHECK(s == T2V_OK && (uintptr_t)wt.data % 64 == 0 && wt.file_offset % 64 == 0,
                  "tensor %s: data 64-byte aligned in memory and in the file", names[t]);
        t2v_weights_tensor at;
        T2V_CHECK(t2v_weights_tensor_at(w, (size_t)t, &at) == T2V_OK && at.data == wt.data &&
                      strcmp(at.name, names[t]) == 0,
                  "tensor %d in file order is %s", t, names[t]);
    }
    t2v_weights_tensor wt;
    s = t2v_weights_find_tensor(w, "gen.missing", &wt);
    T2V_CHECK(s == T2V_ERR_UNSUPPORTED && contains(t2v_last_error(), "gen.missing") &&
                  contains(t2v_last_error(), path),
              "missing tensor: T2V_ERR_UNSUPPORTED (%s)", t2v_last_error());
    T2V_CHECK(t2v_weights_tensor_at(w, 4, &wt) == T2V_ERR_INVALID, "tensor 4 is out of range");
    t2v_weights_close(w);
    for (int t = 0; t < 4; t++)
        free(data[t]);
}

/* add_tensor copies at once; add_tensor_ref reads the memory at write time. */
static void test_copy_and_reference(void)
{
    char path[512];
    path_in_tmp(path, sizeof path, "refs.gguf");
    float copied[4] = {1, 2, 3, 4}, referenced[4] = {1, 2, 3, 4};
    int64_t shape[1] = {4};
    t2v_weights_writer *wr = NULL;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "copied", 1, shape, copied);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor_ref(wr, "referenced", 1, shape, referenced);
    copied[0] = referenced[0] = 99;
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    t2v_weights *w = NULL;
    if (s == T2V_OK)
        s = t2v_weights_open(path, &w);
    t2v_weights_tensor a, b;
    T2V_CHECK(s == T2V_OK && t2v_weights_find_tensor(w, "copied", &a) == T2V_OK &&
                  t2v_weights_find_tensor(w, "referenced", &b) == T2V_OK && a.data[0] == 1.0f &&
                  b.data[0] == 99.0f,
              "copied tensor keeps the old value, referenced one the new");
    t2v_weights_close(w);
}

/* The writer refuses bad arguments with T2V_ERR_INVALID. */
static void test_writer_arguments(void)
{
    t2v_weights_writer *wr = NULL;
    t2v_weights_writer_new(&wr);
    float x[2] = {0, 0};
    int64_t good[1] = {2}, zero[2] = {2, 0}, neg[1] = {-2}, huge[2] = {INT64_MAX / 2, 4};
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
    char long_name[70];
    memset(long_name, 'n', 65);
    long_name[65] = '\0';
    T2V_CHECK(t2v_weights_writer_add_u32(wr, "a.b", 1) == T2V_OK, "add a.b");
    T2V_CHECK(t2v_weights_writer_add_str(wr, "a.b", "x") == T2V_ERR_INVALID &&
                  contains(t2v_last_error(), "a.b"),
              "a duplicate key is refused (%s)", t2v_last_error());
    T2V_CHECK(t2v_weights_writer_add_u32(wr, "general.alignment", 64) == T2V_ERR_INVALID,
              "general.alignment cannot be added by hand");
    T2V_CHECK(t2v_weights_writer_add_u32(wr, "", 1) == T2V_ERR_INVALID, "an empty key is refused");
    T2V_CHECK(t2v_weights_writer_add_u32(wr, "has space", 1) == T2V_ERR_INVALID,
              "a key with a space is refused");
    T2V_CHECK(t2v_weights_writer_add_u32(wr, "caf\xc3\xa9", 1) == T2V_ERR_INVALID,
              "a non-ASCII key is refused");
    T2V_CHECK(t2v_weights_writer_add_str(wr, "s", NULL) == T2V_ERR_INVALID,
              "a NULL string is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "t", 1, good, x) == T2V_OK, "add tensor t");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "t", 1, good, x) == T2V_ERR_INVALID,
              "a duplicate tensor name is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "z", 2, zero, x) == T2V_ERR_INVALID,
              "a zero dimension is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "n", 1, neg, x) == T2V_ERR_INVALID,
              "a negative dimension is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "h", 2, huge, x) == T2V_ERR_INVALID,
              "an overflowing element count is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "r", 9, nine, x) == T2V_ERR_INVALID,
              "rank 9 is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "r", 0, good, x) == T2V_ERR_INVALID,
              "rank 0 is refused");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, long_name, 1, good, x) == T2V_ERR_INVALID,
              "a 65-byte tensor name is refused");
    long_name[64] = '\0';
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, long_name, 1, good, x) == T2V_OK,
              "a 64-byte tensor name is accepted");
    T2V_CHECK(t2v_weights_writer_add_tensor(wr, "d", 1, good, NULL) == T2V_ERR_INVALID,
              "NULL tensor data is refused");
    T2V_CHECK(t2v_weights_writer_set_alignment(wr, 12) == T2V_ERR_INVALID &&
                  t2v_weights_writer_set_alignment(wr, 4) == T2V_ERR_INVALID &&
                  t2v_weights_writer_set_alignment(wr, 131072) == T2V_ERR_INVALID &&
                  t2v_weights_writer_set_alignment(wr, 8) == T2V_OK,
              "alignment must be a power of two from 8 to 65536");
    T2V_CHECK(t2v_weights_writer_write(wr, "") == T2V_ERR_INVALID, "an empty path is refused");
    t2v_weights_writer_free(wr);
}

/* ------------------------------------------------------------------------ */
/* Atomic writes                                                            */
/* ------------------------------------------------------------------------ */

static t2v_weights_writer *big_writer(float *data, size_t n)
{
    t2v_weights_writer *wr = NULL;
    int64_t shape[1] = {(int64_t)n};
    fill_floats(data, n, 9);
    if (t2v_weights_writer_new(&wr) != T2V_OK ||
        t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "stackgan") != T2V_OK ||
        t2v_weights_writer_add_tensor_ref(wr, "big", 1, shape, data) != T2V_OK) {
        t2v_weights_writer_free(wr);
        return NULL;
    }
    return wr;
}

static void test_atomic_write(void)
{
    enum { N = 1 << 16 }; /* 256 KiB of tensor data */
    float *data = malloc(N * sizeof(float));
    t2v_weights_writer *wr = big_writer(data, N);
    char path[512], tmp[600];

    /* 1. No such directory: nothing is created. */
    path_in_tmp(path, sizeof path, "no/such/dir/m.gguf");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    t2v_status s = t2v_weights_writer_write(wr, path);
    T2V_CHECK(s == T2V_ERR_IO && contains(t2v_last_error(), path) && !file_exists(path) &&
                  !file_exists(tmp),
              "missing directory: T2V_ERR_IO, no file (%s)", t2v_last_error());

    /* 2. The disk fills up mid-write (file size limit): no target, no tmp. */
    path_in_tmp(path, sizeof path, "full.gguf");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    struct rlimit old, small;
    getrlimit(RLIMIT_FSIZE, &old);
    small = old;
    small.rlim_cur = 100000; /* bytes: well inside the tensor data */
    signal(SIGXFSZ, SIG_IGN);
    int limited = setrlimit(RLIMIT_FSIZE, &small) == 0;
    s = t2v_weights_writer_write(wr, path);
    if (limited)
        setrlimit(RLIMIT_FSIZE, &old);
    T2V_CHECK(limited && s == T2V_ERR_IO && !file_exists(path) && !file_exists(tmp),
              "write failing at 100000 bytes: T2V_ERR_IO, no target and no tmp file (%s)",
              t2v_last_error());

    /* 3. A failed write leaves an existing file untouched. */
    float small_data[3] = {1, 2, 3};
    int64_t shape3[1] = {3};
    t2v_weights_writer *old_wr = NULL;
    t2v_weights_writer_new(&old_wr);
    t2v_weights_writer_add_tensor(old_wr, "old", 1, shape3, small_data);
    T2V_CHECK(t2v_weights_writer_write(old_wr, path) == T2V_OK, "write a small file first");
    t2v_weights_writer_free(old_wr);
    size_t before_n = 0, after_n = 0;
    unsigned char *before = read_file(path, &before_n);
    limited = setrlimit(RLIMIT_FSIZE, &small) == 0;
    s = t2v_weights_writer_write(wr, path);
    if (limited)
        setrlimit(RLIMIT_FSIZE, &old);
    unsigned char *after = read_file(path, &after_n);
    T2V_CHECK(s == T2V_ERR_IO && before && after && before_n == after_n &&
                  memcmp(before, after, before_n) == 0 && !file_exists(tmp),
              "failed overwrite keeps the old %zu-byte file intact and removes the tmp file",
              before_n);
    free(before);
    free(after);

    /* 4. The rename fails (the target is a directory): the tmp file goes. */
    path_in_tmp(path, sizeof path, "a_directory");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    mkdir(path, 0755);
    s = t2v_weights_writer_write(wr, path);
    struct stat st;
    T2V_CHECK(s == T2V_ERR_IO && contains(t2v_last_error(), "rename") && !file_exists(tmp) &&
                  stat(path, &st) == 0 && S_ISDIR(st.st_mode),
              "rename onto a directory: T2V_ERR_IO, tmp removed (%s)", t2v_last_error());
    rmdir(path);

    /* 5. A stale tmp file from an interrupted run does not get in the way. */
    path_in_tmp(path, sizeof path, "stale.gguf");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f) {
        fputs("half a file", f);
        fclose(f);
    }
    s = t2v_weights_writer_write(wr, path);
    t2v_weights *w = NULL;
    t2v_weights_tensor t;
    if (s == T2V_OK)
        s = t2v_weights_open(path, &w);
    T2V_CHECK(s == T2V_OK && !file_exists(tmp) && t2v_weights_find_tensor(w, "big", &t) == T2V_OK &&
                  t.numel == N && memcmp(t.data, data, N * sizeof(float)) == 0,
              "write over a stale tmp file succeeds and reads back 65536 floats exactly");
    t2v_weights_close(w);

    /* 6. Opening what is not a readable file. */
    path_in_tmp(path, sizeof path, "does_not_exist.gguf");
    s = t2v_weights_open(path, &w);
    T2V_CHECK(s == T2V_ERR_IO && w == NULL && contains(t2v_last_error(), path),
              "opening a missing file: T2V_ERR_IO naming it (%s)", t2v_last_error());
    s = t2v_weights_open(tmpdir, &w);
    T2V_CHECK(s == T2V_ERR_IO && w == NULL, "opening a directory: T2V_ERR_IO (%s)",
              t2v_last_error());

    t2v_weights_writer_free(wr);
    free(data);
}

static void remove_tmpdir(void)
{
    static const char *const files[] = {"exact.gguf", "round.gguf", "refs.gguf", "full.gguf",
                                        "stale.gguf"};
    char path[512];
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        path_in_tmp(path, sizeof path, files[k]);
        unlink(path);
    }
    rmdir(tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/t2v_weights_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_exact_bytes();
    test_round_trip();
    test_copy_and_reference();
    test_writer_arguments();
    test_atomic_write();
    remove_tmpdir();
    T2V_CHECK(!file_exists(tmpdir), "the test's temporary directory is removed (nothing left "
                                    "behind)");
    return t2v_test_finish();
}
