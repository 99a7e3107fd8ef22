/* The weights reader against broken files: a table of files crafted byte by
 * byte (each must fail with T2V_ERR_FORMAT and a message that names the file
 * and the problem), every truncation of a valid file, and every single-byte
 * corruption of it (which must either fail cleanly or load consistently). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gguf_bytes.h"
#include "t2v_test.h"
#include "txt2vid/weights.h"
#include "weights_exercise.h"

#define LABEL "crafted.gguf"

/* A minimal valid file: one u32 key and one tensor "w" of `data_floats`
 * floats; the tensor info fields are the caller's. */
static void one_tensor(gbuf *b, const char *name, uint32_t ndim, const uint64_t *dims,
                       uint32_t type, uint64_t offset, size_t data_floats)
{
    gb_header(b, 3, 1, 1);
    gb_kv_u32(b, "a.b", 7);
    gb_tensor_info(b, name, ndim, dims, type, offset);
    gb_pad(b, 32);
    gb_floats(b, data_floats, 1.0f);
    gb_pad(b, 32);
}

static const uint64_t dims2[1] = {2};

/* ---- the crafted files, one builder each -------------------------------- */

static void valid_control(gbuf *b) { one_tensor(b, "w", 1, dims2, 0, 0, 2); }
static void empty_file(gbuf *b) { (void)b; }
static void bad_magic(gbuf *b)
{
    gb_bytes(b, "GGUX", 4);
    gb_u32(b, 3);
    gb_u64(b, 0);
    gb_u64(b, 0);
}
static void elf_magic(gbuf *b)
{
    gb_bytes(b,
             "\x7f"
             "ELF\x02\x01\x01",
             7);
}
static void short_header(gbuf *b)
{
    gb_bytes(b, "GGUF", 4);
    gb_u32(b, 3);
    gb_u32(b, 0);
}
static void three_bytes(gbuf *b) { gb_bytes(b, "GGU", 3); }
static void version_2(gbuf *b) { gb_header(b, 2, 0, 0); }
static void version_4(gbuf *b) { gb_header(b, 4, 0, 0); }
static void version_big_endian(gbuf *b) { gb_header(b, 0x03000000u, 0, 0); }
static void kv_count_huge(gbuf *b)
{
    gb_header(b, 3, 0, UINT64_MAX);
    gb_kv_u32(b, "a.b", 1);
}
static void kv_count_1000(gbuf *b)
{
    gb_header(b, 3, 0, 1000);
    gb_kv_u32(b, "a.b", 1);
    gb_pad(b, 32);
}
static void tensor_count_huge(gbuf *b)
{
    gb_header(b, 3, UINT64_MAX, 0);
    gb_pad(b, 64);
}

/* Each count fits the file alone, not both together. */
static void counts_together_too_big(gbuf *b)
{
    gb_header(b, 3, 10, 30);
    for (int k = 0; k < 66; k++)
        gb_u64(b, 0); /* 528 bytes: 30 * 14 fits, 10 * 33 fits, both do not */
}

static void key_length_huge(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_u64(b, (uint64_t)1 << 62);
    gb_bytes(b, "a.b", 3);
    gb_pad(b, 32);
}

static void key_length_over_limit(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_u64(b, 70000);
    for (int k = 0; k < 70000; k++)
        gb_u8(b, 'k');
    gb_u32(b, 4);
    gb_u32(b, 1);
    gb_pad(b, 32);
}

static void key_past_end(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_u64(b, 40);
    gb_bytes(b, "a.key.that.stops.short", 22);
}

static void string_length_huge(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.s");
    gb_u32(b, GB_STRING);
    gb_u64(b, UINT64_MAX);
    gb_bytes(b, "abc", 3);
    gb_pad(b, 32);
}

static void array_length_huge(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.arr");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, GB_U32);
    gb_u64(b, (uint64_t)1 << 61);
    gb_u32(b, 1);
    gb_pad(b, 32);
}

static void string_array_length_huge(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "tokenizer.vocab");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, GB_STRING);
    gb_u64(b, UINT64_MAX / 2);
    gb_str(b, "word");
    gb_pad(b, 32);
}

static void array_string_item_huge(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "tokenizer.vocab");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, GB_STRING);
    gb_u64(b, 2);
    gb_str(b, "word");
    gb_u64(b, (uint64_t)1 << 40);
    gb_bytes(b, "x", 1);
    gb_pad(b, 32);
}

static void nested_array(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.nested");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, GB_ARRAY);
    gb_u64(b, 1);
    gb_u32(b, GB_U8);
    gb_u64(b, 1);
    gb_u8(b, 1);
    gb_pad(b, 32);
}

static void unknown_value_type(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.b");
    gb_u32(b, 13);
    gb_u32(b, 0);
    gb_pad(b, 32);
}

static void value_type_max(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.b");
    gb_u32(b, UINT32_MAX);
    gb_u32(b, 0);
    gb_pad(b, 32);
}

static void unknown_array_type(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.arr");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, 77);
    gb_u64(b, 1);
    gb_u32(b, 0);
    gb_pad(b, 32);
}

static void bool_two(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.flag");
    gb_u32(b, GB_BOOL);
    gb_u8(b, 2);
    gb_pad(b, 32);
}

static void bool_array_three(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "a.flags");
    gb_u32(b, GB_ARRAY);
    gb_u32(b, GB_BOOL);
    gb_u64(b, 3);
    gb_u8(b, 1);
    gb_u8(b, 0);
    gb_u8(b, 3);
    gb_pad(b, 32);
}

static void duplicate_key(gbuf *b)
{
    gb_header(b, 3, 0, 3);
    gb_kv_u32(b, "a.b", 1);
    gb_kv_str(b, "a.c", "x");
    gb_kv_str(b, "a.b", "again");
    gb_pad(b, 32);
}

static void empty_key(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_kv_u32(b, "", 1);
    gb_pad(b, 32);
}

static void key_control_byte(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_kv_u32(b, "a.\x1b[2J", 1);
    gb_pad(b, 32);
}

static void key_nul_byte(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_u64(b, 3);
    gb_bytes(b, "a\0b", 3);
    gb_u32(b, GB_U32);
    gb_u32(b, 1);
    gb_pad(b, 32);
}

static void string_nul_byte(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "general.name");
    gb_u32(b, GB_STRING);
    gb_u64(b, 5);
    gb_bytes(b, "ab\0cd", 5);
    gb_pad(b, 32);
}

static void alignment_wrong_type(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_str(b, "general.alignment");
    gb_u32(b, GB_U64);
    gb_u64(b, 32);
    gb_pad(b, 32);
}

static void alignment_24(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_kv_u32(b, "general.alignment", 24);
    gb_pad(b, 32);
}

static void alignment_0(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_kv_u32(b, "general.alignment", 0);
    gb_pad(b, 32);
}

static void tensor_dim_zero(gbuf *b)
{
    const uint64_t d[2] = {2, 0};
    one_tensor(b, "w", 2, d, 0, 0, 2);
}

static void tensor_dims_overflow(gbuf *b)
{
    const uint64_t d[2] = {(uint64_t)1 << 32, (uint64_t)1 << 32};
    one_tensor(b, "w", 2, d, 0, 0, 2);
}

static void tensor_dim_max(gbuf *b)
{
    const uint64_t d[1] = {UINT64_MAX};
    one_tensor(b, "w", 1, d, 0, 0, 2);
}

static void tensor_rank_zero(gbuf *b) { one_tensor(b, "w", 0, dims2, 0, 0, 2); }

static void tensor_rank_nine(gbuf *b)
{
    const uint64_t d[9] = {2, 1, 1, 1, 1, 1, 1, 1, 1};
    one_tensor(b, "w", 9, d, 0, 0, 2);
}

static void tensor_rank_max(gbuf *b)
{
    gb_header(b, 3, 1, 0);
    gb_str(b, "w");
    gb_u32(b, UINT32_MAX);
    gb_u64(b, 2);
    gb_u32(b, 0);
    gb_u64(b, 0);
    gb_pad(b, 32);
    gb_floats(b, 8, 0.0f);
}
static void tensor_offset_past_end(gbuf *b)
{
    one_tensor(b, "w", 1, dims2, 0, (uint64_t)1 << 40, 2);
}
static void tensor_offset_misaligned(gbuf *b) { one_tensor(b, "w", 1, dims2, 0, 4, 7); }

static void tensor_offset_wraps(gbuf *b)
{
    one_tensor(b, "w", 1, dims2, 0, UINT64_MAX & ~(uint64_t)31, 2);
}

/* 16 floats declared, 8 present (the data ends inside the tensor). */
static void tensor_overlaps_end(gbuf *b)
{
    const uint64_t d[1] = {16};
    one_tensor(b, "w", 1, d, 0, 0, 8);
}

static void tensors_overlap(gbuf *b)
{
    const uint64_t d16[1] = {16}, d8[1] = {8};
    gb_header(b, 3, 2, 0);
    gb_tensor_info(b, "first", 1, d16, 0, 0);
    gb_tensor_info(b, "second", 1, d8, 0, 32);
    gb_pad(b, 32);
    gb_floats(b, 16, 0.0f);
}

static void tensor_type_unknown(gbuf *b) { one_tensor(b, "w", 1, dims2, 99, 0, 2); }
static void tensor_type_f16(gbuf *b) { one_tensor(b, "w", 1, dims2, 1, 0, 2); }

static void duplicate_tensor(gbuf *b)
{
    gb_header(b, 3, 2, 0);
    gb_tensor_info(b, "w", 1, dims2, 0, 0);
    gb_tensor_info(b, "w", 1, dims2, 0, 32);
    gb_pad(b, 32);
    gb_floats(b, 2, 0.0f);
    gb_pad(b, 32);
    gb_floats(b, 2, 0.0f);
    gb_pad(b, 32);
}

static void tensor_name_65(gbuf *b)
{
    char name[66];
    memset(name, 't', 65);
    name[65] = '\0';
    one_tensor(b, name, 1, dims2, 0, 0, 2);
}

static void tensor_name_empty(gbuf *b) { one_tensor(b, "", 1, dims2, 0, 0, 2); }

static void trailing_bytes(gbuf *b)
{
    valid_control(b);
    gb_floats(b, 8, 0.0f);
}

/* The file ends right after the tensor infos, before the padding. */
static void data_section_missing(gbuf *b)
{
    gb_header(b, 3, 1, 0);
    gb_tensor_info(b, "w", 1, dims2, 0, 0);
    if (b->n % 32 == 0)
        gb_u8(b, 0);
}

static void metadata_only_unpadded(gbuf *b)
{
    gb_header(b, 3, 0, 1);
    gb_kv_u32(b, "a.b", 1); /* ends at 24 + 19 = 43: padding to 64 missing */
}

typedef struct bad_case {
    const char *what;
    void (*build)(gbuf *b);
    const char *expect; /* must appear in the message */
} bad_case;

static const bad_case cases[] = {
    {"empty file", empty_file, "empty"},
    {"bad magic GGUX", bad_magic, "not a GGUF file"},
    {"an ELF header", elf_magic, "not a GGUF file"},
    {"3 bytes \"GGU\"", three_bytes, "shorter than the 24-byte header"},
    {"header cut at 12 bytes", short_header, "shorter than the 24-byte header"},
    {"version 2", version_2, "version 2 is not supported"},
    {"version 4", version_4, "version 4 is not supported"},
    {"big-endian version", version_big_endian, "big-endian"},
    {"kv_count 2^64-1", kv_count_huge, "metadata count 18446744073709551615 is impossible"},
    {"kv_count 1000 in 64 bytes", kv_count_1000, "metadata count 1000 is impossible"},
    {"tensor_count 2^64-1", tensor_count_huge, "tensor count 18446744073709551615 is impossible"},
    {"counts that only fit one at a time", counts_together_too_big,
     "tensor count 10 is impossible"},
    {"key length 2^62", key_length_huge, "key at offset 24 has length 4611686018427387904"},
    {"key length 70000", key_length_over_limit, "over the limit 65535"},
    {"key running past the end", key_past_end, "truncated: key needs 40 bytes"},
    {"string length 2^64-1", string_length_huge,
     "truncated: string value needs 18446744073709551615 bytes"},
    {"u32 array length 2^61", array_length_huge, "array length 2305843009213693952"},
    {"string array length 2^63-1", string_array_length_huge, "array length 9223372036854775807"},
    {"string array item length 2^40", array_string_item_huge,
     "truncated: array string needs 1099511627776 bytes"},
    {"nested array", nested_array, "nested arrays are not supported"},
    {"unknown value type 13", unknown_value_type, "unknown value type 13"},
    {"value type 2^32-1", value_type_max, "unknown value type 4294967295"},
    {"unknown array element type 77", unknown_array_type, "unknown array element type 77"},
    {"bool with value 2", bool_two, "bool at offset"},
    {"bool array element 3", bool_array_three, "bool element 2 has value 3"},
    {"duplicate key", duplicate_key, "duplicate key 'a.b'"},
    {"empty key", empty_key, "key at offset 24 is empty"},
    {"key with an escape byte", key_control_byte, "not printable ASCII"},
    {"key with a NUL byte", key_nul_byte, "key at offset 24 contains a NUL byte"},
    {"string with a NUL byte", string_nul_byte, "string value at offset 48 contains a NUL byte"},
    {"general.alignment as u64", alignment_wrong_type, "'general.alignment' is u64, expected u32"},
    {"alignment 24", alignment_24, "alignment 24 is not a power of two"},
    {"alignment 0", alignment_0, "alignment 0 is not a power of two"},
    {"tensor dimension 0", tensor_dim_zero, "tensor 'w' has a zero dimension"},
    {"tensor dims 2^32 x 2^32", tensor_dims_overflow, "tensor 'w': the element count overflows"},
    {"tensor dim 2^64-1", tensor_dim_max, "tensor 'w': the element count overflows"},
    {"tensor rank 0", tensor_rank_zero, "tensor 'w' has 0 dimensions"},
    {"tensor rank 9", tensor_rank_nine, "tensor 'w' has 9 dimensions"},
    {"tensor rank 2^32-1", tensor_rank_max, "tensor 'w' has 4294967295 dimensions"},
    {"tensor offset 2^40", tensor_offset_past_end,
     "tensor 'w' data [1099511627776, +8) lies outside"},
    {"tensor offset 4 (misaligned)", tensor_offset_misaligned,
     "offset 4 is not a multiple of the alignment 32"},
    {"tensor offset near 2^64", tensor_offset_wraps, "lies outside"},
    {"tensor running past the end", tensor_overlaps_end,
     "tensor 'w' data [0, +64) lies outside the 32-byte data section"},
    {"two tensors overlapping", tensors_overlap, "tensors 'first' and 'second' overlap"},
    {"tensor type 99", tensor_type_unknown, "tensor 'w' has unknown tensor type 99"},
    {"tensor type F16", tensor_type_f16, "tensor 'w' has type F16 (1); only F32"},
    {"duplicate tensor name", duplicate_tensor, "duplicate tensor name 'w'"},
    {"tensor name of 65 bytes", tensor_name_65, "has length 65, over the limit 64"},
    {"empty tensor name", tensor_name_empty, "tensor name at offset"},
    {"32 bytes after the data", trailing_bytes, "32 unexpected bytes after the data section"},
    {"data section missing", data_section_missing, "truncated: the data section starts at"},
    {"metadata-only file without its padding", metadata_only_unpadded,
     "truncated: the data section starts at 64"},
};

static void test_crafted(void)
{
    gbuf b = {0};
    valid_control(&b);
    t2v_weights *w = NULL;
    t2v_status s = t2v_weights_open_memory(b.p, b.n, LABEL, &w);
    uint32_t v = 0;
    T2V_CHECK(s == T2V_OK && t2v_weights_get_u32(w, "a.b", &v) == T2V_OK && v == 7,
              "control: the crafted valid file (%zu bytes) loads (%s)", b.n, t2v_last_error());
    t2v_weights_close(w);
    gb_free(&b);

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gbuf bad = {0};
        cases[k].build(&bad);
        w = (t2v_weights *)&bad; /* must be reset to NULL on failure */
        t2v_clear_error();
        s = t2v_weights_open_memory(bad.p, bad.n, LABEL, &w);
        const char *msg = t2v_last_error();
        T2V_CHECK(s == T2V_ERR_FORMAT && w == NULL && strstr(msg, LABEL) &&
                      strstr(msg, cases[k].expect),
                  "%s: T2V_ERR_FORMAT \"%s\"", cases[k].what, msg);
        if (s == T2V_OK)
            t2v_weights_close(w);
        gb_free(&bad);
    }
}

/* The same table through real files, so the file path is exercised too. */
static void test_crafted_files(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/crafted.gguf", dir);
    int all = 1, named = 1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gbuf bad = {0};
        cases[k].build(&bad);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(bad.p ? (void *)bad.p : (void *)"", 1, bad.n, f) != bad.n) {
            all = 0;
            if (f)
                fclose(f);
            gb_free(&bad);
            continue;
        }
        fclose(f);
        t2v_weights *w = NULL;
        t2v_status s = t2v_weights_open(path, &w);
        all &= s == T2V_ERR_FORMAT && w == NULL;
        named &= strstr(t2v_last_error(), path) != NULL &&
                 strstr(t2v_last_error(), cases[k].expect) != NULL;
        t2v_weights_close(w);
        gb_free(&bad);
    }
    unlink(path);
    T2V_CHECK(all && named, "all %zu crafted files also fail from disk, messages naming the path",
              sizeof cases / sizeof cases[0]);
}

/* ------------------------------------------------------------------------ */

/* A small valid file with every kind of entry and three tensors. */
static unsigned char *small_valid_file(const char *dir, size_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/small.gguf", dir);
    static const char *const words[] = {"<pad>", "<unk>", "a", "digit"};
    const float fa[3] = {0.25f, -1.0f, 3.0f};
    const int32_t ia[2] = {-7, 9};
    float t1[3] = {1, 2, 3}, t2[8] = {1, 2, 3, 4, 5, 6, 7, 8}, t3[2] = {-1, 1};
    int64_t s1[1] = {3}, s2[3] = {2, 2, 2}, s3[2] = {1, 2};
    t2v_weights_writer *wr = NULL;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "tganc");
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u32(wr, T2V_KEY_FORMAT_VERSION, 1);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i64(wr, "t.i64", -3);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_f64(wr, "t.f64", 2.5);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_bool(wr, "t.bool", 1);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_str_array(wr, T2V_KEY_VOCAB, words, 4);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_f32_array(wr, "t.f32s", fa, 3);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_i32_array(wr, "t.i32s", ia, 2);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "t1", 1, s1, t1);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "t2", 3, s2, t2);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, "t3", 2, s3, t3);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    if (s != T2V_OK)
        return NULL;
    FILE *f = fopen(path, "rb");
    unsigned char *p = malloc(4096);
    *size = f && p ? fread(p, 1, 4096, f) : 0;
    if (f)
        fclose(f);
    unlink(path);
    return p;
}

static void test_truncations(const unsigned char *file, size_t n, const char *dir)
{
    size_t format = 0, named = 0, loaded = 0;
    for (size_t len = 0; len < n; len++) {
        t2v_weights *w = NULL;
        t2v_status s = t2v_weights_open_memory(file, len, LABEL, &w);
        format += s == T2V_ERR_FORMAT && w == NULL;
        named += strstr(t2v_last_error(), LABEL) != NULL;
        loaded += s == T2V_OK;
        t2v_weights_close(w);
    }
    T2V_CHECK(format == n && named == n && loaded == 0,
              "all %zu truncations (0..%zu bytes) fail with T2V_ERR_FORMAT naming the file "
              "(%zu did, %zu loaded)",
              n, n - 1, format, loaded);
    /* Every 5th prefix also from disk. */
    char path[512];
    snprintf(path, sizeof path, "%s/cut.gguf", dir);
    size_t tried = 0, ok = 0;
    for (size_t len = 0; len < n; len += 5) {
        FILE *f = fopen(path, "wb");
        if (!f)
            break;
        fwrite(file, 1, len, f);
        fclose(f);
        t2v_weights *w = NULL;
        tried++;
        ok += t2v_weights_open(path, &w) == T2V_ERR_FORMAT && w == NULL;
        t2v_weights_close(w);
    }
    unlink(path);
    T2V_CHECK(tried > 0 && ok == tried, "%zu truncated files on disk fail with T2V_ERR_FORMAT",
              tried);
}

/* Each byte replaced by three other values: every result is either a clean
 * T2V_ERR_FORMAT or a file whose contents read back consistently. */
static void test_byte_corruptions(const unsigned char *file, size_t n)
{
    unsigned char *copy = malloc(n);
    static const unsigned char replacements[3] = {0x00, 0xff, 0x80};
    size_t runs = 0, format = 0, loaded = 0, consistent = 0, other = 0;
    uint64_t checksum = 0;
    for (size_t pos = 0; pos < n; pos++) {
        for (int r = 0; r < 3; r++) {
            memcpy(copy, file, n);
            copy[pos] = copy[pos] == replacements[r] ? (unsigned char)(replacements[r] ^ 0x55)
                                                     : replacements[r];
            t2v_weights *w = NULL;
            t2v_status s = t2v_weights_open_memory(copy, n, LABEL, &w);
            runs++;
            if (s == T2V_ERR_FORMAT && w == NULL) {
                format++;
            } else if (s == T2V_OK && w) {
                loaded++;
                consistent += (size_t)exercise_weights(w, &checksum);
            } else {
                other++;
            }
            t2v_weights_close(w);
        }
    }
    free(copy);
    T2V_CHECK(other == 0 && consistent == loaded && format > 0,
              "%zu single-byte corruptions: %zu rejected, %zu loaded and read back "
              "consistently, %zu other results (checksum %llx)",
              runs, format, loaded, other, (unsigned long long)checksum);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/t2v_corrupt_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_crafted();
    test_crafted_files(dir);
    size_t n = 0;
    unsigned char *file = small_valid_file(dir, &n);
    T2V_CHECK(file && n > 0 && n < 4096, "write a small valid file (%zu bytes)", n);
    if (file && n) {
        t2v_weights *w = NULL;
        uint64_t checksum = 0;
        T2V_CHECK(t2v_weights_open_memory(file, n, LABEL, &w) == T2V_OK &&
                      exercise_weights(w, &checksum),
                  "the small valid file loads and reads back");
        t2v_weights_close(w);
        test_truncations(file, n, dir);
        test_byte_corruptions(file, n);
    }
    free(file);
    rmdir(dir);
    return t2v_test_finish();
}
