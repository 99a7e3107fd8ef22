/* Writes a few small valid weights files as the fuzzer's seed corpus:
 *   make_weights_seeds DIR
 * (tests/io/run_fuzz.sh runs it). */
#include <stdio.h>

#include "txt2vid/weights.h"

static int write_seed(t2v_weights_writer *wr, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    t2v_status s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    if (s != T2V_OK)
        fprintf(stderr, "make_weights_seeds: %s\n", t2v_last_error());
    return s == T2V_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_weights_seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    int failed = 0;
    t2v_weights_writer *wr = NULL;

    /* 1. metadata only */
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "tganc");
    t2v_weights_writer_add_u32(wr, T2V_KEY_FORMAT_VERSION, T2V_WEIGHTS_FORMAT_VERSION);
    failed |= write_seed(wr, dir, "metadata_only.gguf");

    /* 2. every metadata type and two tensors */
    static const char *const words[] = {"<pad>", "<unk>", "digit", "moves", "left"};
    const float fa[3] = {0.5f, -2.0f, 1e-3f};
    const int32_t ia[3] = {-1, 0, 7};
    const float t1[6] = {1, 2, 3, 4, 5, 6}, t2[3] = {-1, 0, 1};
    const int64_t s1[2] = {2, 3}, s2[1] = {3};
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "stackgan");
    t2v_weights_writer_add_str(wr, T2V_KEY_KIND, "image");
    t2v_weights_writer_add_u32(wr, "stackgan.z_dim", 100);
    t2v_weights_writer_add_i32(wr, "t.i32", -5);
    t2v_weights_writer_add_u64(wr, T2V_KEY_TRAIN_STEPS, 1000);
    t2v_weights_writer_add_i64(wr, "t.i64", -9);
    t2v_weights_writer_add_f32(wr, "t.f32", 0.25f);
    t2v_weights_writer_add_f64(wr, T2V_KEY_TRAIN_SECONDS, 12.5);
    t2v_weights_writer_add_bool(wr, "t.bool", 1);
    t2v_weights_writer_add_str_array(wr, T2V_KEY_VOCAB, words, 5);
    t2v_weights_writer_add_f32_array(wr, "t.f32s", fa, 3);
    t2v_weights_writer_add_i32_array(wr, "t.i32s", ia, 3);
    t2v_weights_writer_add_tensor(wr, "fc.weight", 2, s1, t1);
    t2v_weights_writer_add_tensor(wr, "fc.bias", 1, s2, t2);
    failed |= write_seed(wr, dir, "all_types.gguf");

    /* 3. alignment 8 and a 5-D tensor */
    float t3[2 * 1 * 2 * 2 * 2];
    for (int k = 0; k < 16; k++)
        t3[k] = (float)k * 0.5f;
    const int64_t s3[5] = {2, 1, 2, 2, 2};
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_set_alignment(wr, 8);
    t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "tganc");
    t2v_weights_writer_add_tensor(wr, "gen.conv3d.weight", 5, s3, t3);
    t2v_weights_writer_add_tensor(wr, "gen.conv3d.bias", 1, s2, t2);
    failed |= write_seed(wr, dir, "align8_conv3d.gguf");
    return failed;
}
