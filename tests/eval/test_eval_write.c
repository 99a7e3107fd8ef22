/* Storing evaluation metrics in a model file: every key (each value type
 * the writer has, plus small integers it widens) and every tensor survives
 * the rewrite bit for bit, the txt2vid.eval.* keys appear once and are
 * replaced by a second write, and a key that cannot be copied fails
 * without touching the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t2v_test.h"
#include "io/gguf_bytes.h"
#include "train/eval/eval.h"
#include "txt2vid/weights.h"

static void temp_path(char *buf, size_t n, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/t2v-eval-%ld-%s", dir && *dir ? dir : "/tmp", (long)getpid(), name);
}

static void fill_report(t2v_eval_report *r, double base)
{
    memset(r, 0, sizeof *r);
    strcpy(r->dataset, "sbmg");
    r->count = 500;
    r->floor_count = 500;
    r->n_attrs = 2;
    strcpy(r->attr_name[0], "digit");
    strcpy(r->attr_name[1], "motion");
    r->n_classes[0] = 10;
    r->n_classes[1] = 2;
    r->acc_gen[0] = base + 0.1;
    r->acc_gen[1] = base + 0.2;
    r->acc_real[0] = 0.97;
    r->acc_real[1] = 1.0;
    r->is_gen[0] = 3.5;
    r->fid_gen = 12.25;
    r->fid_floor = 0.75;
    r->frame_diff_gen = 0.01;
    r->frame_diff_real = 0.02;
    r->in_view_gen = 0.9375; /* grey clips */
    r->in_view_real = 0.96875;
}

static int write_model(const char *path, const float *t1, const float *t2)
{
    t2v_weights_writer *wr = NULL;
    const char *vocab[3] = {"<unk>", "digit", "moving"};
    const float fa[3] = {0.5f, -1.25f, 3.0f};
    const int32_t ia[2] = {-7, 9};
    int64_t s1[2] = {3, 4}, s2[1] = {5};
    int ok = t2v_weights_writer_new(&wr) == T2V_OK;
    ok = ok && t2v_weights_writer_set_alignment(wr, 64) == T2V_OK;
    ok = ok && t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "tganc") == T2V_OK;
    ok = ok && t2v_weights_writer_add_u32(wr, "m.u32", 4000000000u) == T2V_OK;
    ok = ok && t2v_weights_writer_add_i32(wr, "m.i32", -123456) == T2V_OK;
    ok = ok && t2v_weights_writer_add_u64(wr, "m.u64", 1ull << 60) == T2V_OK;
    ok = ok && t2v_weights_writer_add_i64(wr, "m.i64", -(1ll << 50)) == T2V_OK;
    ok = ok && t2v_weights_writer_add_f32(wr, "m.f32", 0.1f) == T2V_OK;
    ok = ok && t2v_weights_writer_add_f64(wr, "m.f64", 0.1) == T2V_OK;
    ok = ok && t2v_weights_writer_add_bool(wr, "m.bool", 1) == T2V_OK;
    ok = ok && t2v_weights_writer_add_str_array(wr, T2V_KEY_VOCAB, vocab, 3) == T2V_OK;
    ok = ok && t2v_weights_writer_add_f32_array(wr, "m.f32s", fa, 3) == T2V_OK;
    ok = ok && t2v_weights_writer_add_i32_array(wr, "m.i32s", ia, 2) == T2V_OK;
    ok = ok && t2v_weights_writer_add_tensor(wr, "gen.w", 2, s1, t1) == T2V_OK;
    ok = ok && t2v_weights_writer_add_tensor(wr, "gen.b", 1, s2, t2) == T2V_OK;
    ok = ok && t2v_weights_writer_write(wr, path) == T2V_OK;
    t2v_weights_writer_free(wr);
    return ok;
}

static int count_eval_keys(const t2v_weights *w)
{
    int n = 0;
    for (size_t i = 0; i < t2v_weights_kv_count(w); i++) {
        t2v_weights_kv kv;
        if (t2v_weights_kv_at(w, i, &kv) == T2V_OK && !strncmp(kv.key, "txt2vid.eval.", 13))
            n++;
    }
    return n;
}

static void check_roundtrip(void)
{
    char path[512];
    temp_path(path, sizeof path, "model.gguf");
    float t1[12], t2[5];
    for (int i = 0; i < 12; i++)
        t1[i] = 0.25f * (float)i - 1.0f;
    for (int i = 0; i < 5; i++)
        t2[i] = -3.5f + (float)i;
    if (!T2V_CHECK(write_model(path, t1, t2), "wrote a model file with every writable key type"))
        return;
    t2v_eval_report rep;
    fill_report(&rep, 0.0);
    t2v_status st = t2v_eval_write_metrics(path, &rep, 42, "judge-sbmg.gguf");
    T2V_CHECK(st == T2V_OK, "metrics written into the model file");
    fill_report(&rep, 0.5);
    st = t2v_eval_write_metrics(path, &rep, 43, "judge-sbmg.gguf");
    T2V_CHECK(st == T2V_OK, "metrics written a second time");

    t2v_weights *w = NULL;
    if (!T2V_CHECK(t2v_weights_open(path, &w) == T2V_OK, "rewritten file opens (%s)",
                   t2v_last_error()))
        return;
    const char *s = NULL;
    uint32_t u32 = 0;
    int32_t i32 = 0;
    uint64_t u64 = 0;
    int64_t i64 = 0;
    float f32 = 0;
    double f64 = 0;
    int b = 0;
    T2V_CHECK(t2v_weights_get_str(w, T2V_KEY_ARCHITECTURE, &s) == T2V_OK && !strcmp(s, "tganc"),
              "string key kept");
    int got_u32 = t2v_weights_get_u32(w, "m.u32", &u32) == T2V_OK;
    int got_i32 = t2v_weights_get_i32(w, "m.i32", &i32) == T2V_OK;
    T2V_CHECK(got_u32 && u32 == 4000000000u, "u32 key kept (%u)", u32);
    T2V_CHECK(got_i32 && i32 == -123456, "i32 key kept (%d)", i32);
    T2V_CHECK(t2v_weights_get_u64(w, "m.u64", &u64) == T2V_OK && u64 == 1ull << 60,
              "u64 key kept");
    T2V_CHECK(t2v_weights_get_i64(w, "m.i64", &i64) == T2V_OK && i64 == -(1ll << 50),
              "i64 key kept");
    T2V_CHECK(t2v_weights_get_f32(w, "m.f32", &f32) == T2V_OK && f32 == 0.1f, "f32 key kept");
    t2v_weights_kv kv;
    T2V_CHECK(t2v_weights_find_key(w, "m.f64", &kv) == T2V_OK && kv.type == T2V_VALUE_F64 &&
              t2v_weights_get_f64(w, "m.f64", &f64) == T2V_OK && f64 == 0.1,
              "f64 key kept with its type");
    T2V_CHECK(t2v_weights_get_bool(w, "m.bool", &b) == T2V_OK && b == 1, "bool key kept");
    const char *const *items = NULL;
    size_t n = 0;
    T2V_CHECK(t2v_weights_get_str_array(w, T2V_KEY_VOCAB, &items, &n) == T2V_OK && n == 3 &&
              !strcmp(items[0], "<unk>") && !strcmp(items[2], "moving"),
              "string array kept");
    const float *fa = NULL;
    T2V_CHECK(t2v_weights_get_f32_array(w, "m.f32s", &fa, &n) == T2V_OK && n == 3 &&
              fa[0] == 0.5f && fa[1] == -1.25f && fa[2] == 3.0f, "f32 array kept");
    const int32_t *ia = NULL;
    T2V_CHECK(t2v_weights_get_i32_array(w, "m.i32s", &ia, &n) == T2V_OK && n == 2 &&
              ia[0] == -7 && ia[1] == 9, "i32 array kept");
    T2V_CHECK(t2v_weights_alignment(w) == 64, "alignment 64 kept (%u)", t2v_weights_alignment(w));
    t2v_weights_tensor t;
    T2V_CHECK(t2v_weights_tensor_count(w) == 2 &&
              t2v_weights_find_tensor(w, "gen.w", &t) == T2V_OK && t.ndim == 2 &&
              t.shape[0] == 3 && t.shape[1] == 4 && !memcmp(t.data, t1, sizeof t1) &&
              t2v_weights_find_tensor(w, "gen.b", &t) == T2V_OK && !memcmp(t.data, t2, sizeof t2),
              "both tensors kept bit for bit with their shapes");
    double acc = 0, fid = 0;
    int got_acc = t2v_weights_get_f64(w, "txt2vid.eval.digit.accuracy", &acc) == T2V_OK;
    T2V_CHECK(got_acc && acc == 0.6 && t2v_weights_get_f64(w, "txt2vid.eval.fid", &fid) == T2V_OK &&
              fid == 12.25 && t2v_weights_get_u64(w, "txt2vid.eval.seed", &u64) == T2V_OK &&
              u64 == 43,
              "the second write's metrics are stored (digit accuracy %.3f)", acc);
    double view = 0, view_real = 0;
    T2V_CHECK(t2v_weights_get_f64(w, "txt2vid.eval.in_view", &view) == T2V_OK &&
              t2v_weights_get_f64(w, "txt2vid.eval.in_view_real", &view_real) == T2V_OK &&
              view == 0.9375 && view_real == 0.96875,
              "frames in view stored (%.4f, real %.5f)", view, view_real);
    int keys = count_eval_keys(w);
    // dataset, judge, count, seed, 4 per attribute, 6 overall, 2 in view
    T2V_CHECK(keys == 4 + 4 * 2 + 6 + 2, "txt2vid.eval.* keys appear once each (%d)", keys);
    t2v_weights_close(w);
    remove(path);
}

/* A file with a u8 and an i16 scalar (widened on rewrite) and an array of u8
 * (which the writer cannot produce). */
static void check_widen_and_refuse(void)
{
    char path[512];
    temp_path(path, sizeof path, "small-types.gguf");
    gbuf g = {0};
    gb_header(&g, 3, 0, 3);
    gb_str(&g, "x.u8");
    gb_u32(&g, GB_U8);
    gb_u8(&g, 200);
    gb_str(&g, "x.i16");
    gb_u32(&g, GB_I16);
    gb_le(&g, (uint16_t)(int16_t)-300, 2);
    gb_str(&g, "x.u8s");
    gb_u32(&g, GB_ARRAY);
    gb_u32(&g, GB_U8);
    gb_u64(&g, 2);
    gb_u8(&g, 1);
    gb_u8(&g, 2);
    gb_pad(&g, 32); // the (empty) data section starts aligned
    FILE *f = fopen(path, "wb");
    int wrote = f && fwrite(g.p, 1, g.n, f) == g.n;
    if (f)
        fclose(f);
    size_t before = g.n;
    gb_free(&g);
    if (!T2V_CHECK(wrote, "wrote a hand-made file with u8, i16 and u8-array keys"))
        return;
    t2v_eval_report rep;
    fill_report(&rep, 0.0);
    t2v_status st = t2v_eval_write_metrics(path, &rep, 1, "j");
    T2V_CHECK(st == T2V_ERR_UNSUPPORTED && strstr(t2v_last_error(), "x.u8s"),
              "an array of u8 is refused, naming the key (%s)", t2v_last_error());
    FILE *r = fopen(path, "rb");
    long size = -1;
    if (r) {
        fseek(r, 0, SEEK_END);
        size = ftell(r);
        fclose(r);
    }
    T2V_CHECK(size == (long)before, "the refused file is untouched (%ld bytes)", size);

    // without the array the small integers are widened and keep their values
    gbuf h = {0};
    gb_header(&h, 3, 0, 2);
    gb_str(&h, "x.u8");
    gb_u32(&h, GB_U8);
    gb_u8(&h, 200);
    gb_str(&h, "x.i16");
    gb_u32(&h, GB_I16);
    gb_le(&h, (uint16_t)(int16_t)-300, 2);
    gb_pad(&h, 32);
    f = fopen(path, "wb");
    wrote = f && fwrite(h.p, 1, h.n, f) == h.n;
    if (f)
        fclose(f);
    gb_free(&h);
    st = wrote ? t2v_eval_write_metrics(path, &rep, 1, "j") : T2V_ERR_IO;
    t2v_weights *w = NULL;
    uint32_t u = 0;
    int32_t i = 0;
    int ok = st == T2V_OK && t2v_weights_open(path, &w) == T2V_OK &&
             t2v_weights_get_u32(w, "x.u8", &u) == T2V_OK &&
             t2v_weights_get_i32(w, "x.i16", &i) == T2V_OK;
    T2V_CHECK(ok && u == 200 && i == -300, "u8 and i16 keys are rewritten with their values (%u, %d)", u, i);
    t2v_weights_close(w);
    remove(path);
}

static int count_prefix(const t2v_weights *w, const char *prefix)
{
    int n = 0;
    for (size_t i = 0; i < t2v_weights_kv_count(w); i++) {
        t2v_weights_kv kv;
        if (t2v_weights_kv_at(w, i, &kv) == T2V_OK && !strncmp(kv.key, prefix, strlen(prefix)))
            n++;
    }
    return n;
}

/* Reports of StackGAN's two stages go under txt2vid.eval.stage1.* and
 * .stage2.*, with the R-precision when measured; rewriting one stage (or
 * the unstaged keys) leaves the other stage's keys as they were. */
static void check_stages(void)
{
    char path[512];
    temp_path(path, sizeof path, "stages.gguf");
    float t1[12] = {0}, t2[5] = {0};
    if (!T2V_CHECK(write_model(path, t1, t2), "wrote a model file for the stage keys"))
        return;
    t2v_eval_report r1, r2, r0;
    fill_report(&r1, 0.0);
    r1.stage = 1;
    r1.has_rprec = 1;
    r1.rprec_gen = 0.25;
    r1.rprec_real = 0.875;
    strcpy(r1.match, "match-scenes.gguf");
    fill_report(&r2, 0.5);
    r2.stage = 2;
    r2.has_rprec = 1;
    r2.rprec_gen = 0.5;
    r2.rprec_real = 0.875;
    strcpy(r2.match, "match-scenes.gguf");
    fill_report(&r0, 0.25);
    /* colour images: no frames-in-view figure, and no keys for it */
    r0.in_view_gen = r1.in_view_gen = r2.in_view_gen = -1.0;
    int ok = t2v_eval_write_metrics(path, &r1, 1, "judge-scenes.gguf") == T2V_OK &&
             t2v_eval_write_metrics(path, &r2, 1, "judge-scenes.gguf") == T2V_OK &&
             t2v_eval_write_metrics(path, &r0, 1, "judge-scenes.gguf") == T2V_OK;
    r1.rprec_gen = 0.375;  // stage 1 measured again
    ok = ok && t2v_eval_write_metrics(path, &r1, 2, "judge-scenes.gguf") == T2V_OK;
    T2V_CHECK(ok, "stage 1, stage 2, unstaged, then stage 1 again written");
    t2v_weights *w = NULL;
    if (!T2V_CHECK(t2v_weights_open(path, &w) == T2V_OK, "the file opens"))
        return;
    // per stage: 4 identity keys, 4 per attribute, 6 figures, 3 R-precision keys
    int n1 = count_prefix(w, "txt2vid.eval.stage1."), n2 = count_prefix(w, "txt2vid.eval.stage2.");
    int all = count_prefix(w, "txt2vid.eval.");
    T2V_CHECK(n1 == 4 + 4 * 2 + 6 + 3 && n2 == n1, "each stage has its %d keys once (%d, %d)",
              4 + 4 * 2 + 6 + 3, n1, n2);
    T2V_CHECK(all == n1 + n2 + 4 + 4 * 2 + 6, "unstaged keys sit beside them (%d in all)", all);
    double a = 0, b = 0, c = 0, d = 0;
    uint64_t seed1 = 0, seed2 = 0;
    const char *match = NULL;
    ok = t2v_weights_get_f64(w, "txt2vid.eval.stage1.r_precision", &a) == T2V_OK &&
         t2v_weights_get_f64(w, "txt2vid.eval.stage2.r_precision", &b) == T2V_OK &&
         t2v_weights_get_f64(w, "txt2vid.eval.stage2.digit.accuracy", &c) == T2V_OK &&
         t2v_weights_get_f64(w, "txt2vid.eval.digit.accuracy", &d) == T2V_OK &&
         t2v_weights_get_u64(w, "txt2vid.eval.stage1.seed", &seed1) == T2V_OK &&
         t2v_weights_get_u64(w, "txt2vid.eval.stage2.seed", &seed2) == T2V_OK &&
         t2v_weights_get_str(w, "txt2vid.eval.stage2.match", &match) == T2V_OK;
    T2V_CHECK(ok && a == 0.375 && b == 0.5 && c == 0.6 && d == 0.35 && seed1 == 2 && seed2 == 1 &&
              !strcmp(match, "match-scenes.gguf"),
              "stage 1 replaced (R-precision %.3f, seed %llu), stage 2 and unstaged kept "
              "(%.3f, %.2f, %.2f)", a, (unsigned long long)seed1, b, c, d);
    T2V_CHECK(count_prefix(w, "txt2vid.eval.r_precision") == 0,
              "no R-precision keys for a report without a matching model");
    t2v_weights_close(w);
    remove(path);
}

int main(void)
{
    check_roundtrip();
    check_widen_and_refuse();
    check_stages();
    return t2v_test_finish();
}
