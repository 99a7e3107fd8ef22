/* A tiny randomly initialised StackGAN model file (see tiny_stackgan.h). */
#include <string.h>

#include "io/params_io.h"
#include "models/stackgan_io.h"
#include "tests/eval/tiny_stackgan.h"
#include "train/common/ckpt_meta.h"

void tiny_stackgan_cfg(t2v_stackgan_cfg *c, int vocab_size)
{
    memset(c, 0, sizeof *c);
    c->z_dim = 8;
    c->c_dim = 6;
    c->gf = 4;
    c->size1 = 16;
    c->res1 = 1;
    c->gf2 = 8;
    c->n_res2 = 1;
    c->channels = 3;
    c->act = T2V_ACT_RELU;
    c->ca_act = T2V_ACT_LRELU;
    c->text = (t2v_encoder_cfg){.vocab = vocab_size, .embed = 8, .hidden = 8, .sent = 8,
                                .max_words = 16};
}

t2v_status tiny_stackgan_write(const char *path, const char *const *words, int n,
                               uint64_t seed)
{
    t2v_vocab vocab;
    t2v_status s = t2v_vocab_init(&vocab);
    for (int i = 0; i < n && s == T2V_OK; i++) {
        int id;
        s = t2v_vocab_add(&vocab, words[i], &id);
    }
    if (s != T2V_OK)
        return s;
    t2v_stackgan_cfg cfg;
    tiny_stackgan_cfg(&cfg, vocab.count);
    t2v_backend *be = NULL;
    s = t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    if (s != T2V_OK) {
        t2v_vocab_free(&vocab);
        return s;
    }
    t2v_params ps, bufs;
    t2v_params_init(&ps, be);
    t2v_params_init(&bufs, be);
    t2v_stackgan g;
    t2v_weights_writer *wr = NULL;
    s = t2v_stackgan_declare(&g, &cfg, &ps, &bufs);
    if (s == T2V_OK) s = t2v_params_allocate(&ps, 0);
    if (s == T2V_OK) s = t2v_params_allocate(&bufs, 0);
    if (s == T2V_OK) s = t2v_stackgan_init(&g, be, &ps, &bufs, seed);
    if (s == T2V_OK) s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK) s = t2v_ckpt_write_header(wr, "stackgan", "tiny-test", "image", &vocab);
    if (s == T2V_OK) s = t2v_stackgan_cfg_write(&g.cfg, wr);
    if (s == T2V_OK) s = t2v_ckpt_write_provenance(wr, "scenes", "tiny", 0, seed, 0.0, NULL,
                                                   T2V_LOSS_HINGE);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&ps, wr, 0);
    if (s == T2V_OK) s = t2v_params_add_to_writer(&bufs, wr, 0);
    if (s == T2V_OK) s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    t2v_params_free(&ps);
    t2v_params_free(&bufs);
    t2v_backend_close(be);
    t2v_vocab_free(&vocab);
    return s;
}
