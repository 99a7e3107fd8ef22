/* The word reader (train/common/word_reader.h): the generator's pull is
 * the gradient of the reader's term at its running statistics (central
 * differences of the same term), it leaves the reader unchanged, its
 * learning lowers its term on real pictures, and a reader written and read
 * back reads the same and learns on identically. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "t2v_test.h"
#include "train/common/word_reader.h"

enum { N = 4, C = 1, T = 2, H = 8, W = 8, V = 6, WORDS = 4, PIC = C * T * H * W };

/* caption ids per picture (row of WORDS): 2 is in every caption, so it is
 * not scored; 3 / 4 and 5 tell the pictures apart */
static const int32_t ids[N * WORDS] = {2, 3, 5, 0, 2, 4, 0, 0, 2, 3, 0, 0, 2, 4, 5, 0};
static const int lens[N] = {3, 2, 2, 3};

/* real pictures: word 3 is a bright left half, word 4 a bright right
 * half, word 5 a bright top row; fakes are smooth noise */
static void draw(float *real, float *fake)
{
    for (int n = 0; n < N; n++)
        for (int i = 0; i < PIC; i++) {
            int x = i % W, y = (i / W) % H;
            int has3 = ids[n * WORDS + 1] == 3, has5 = lens[n] == 3;
            float v = -0.8f;
            if ((has3 && x < W / 2) || (!has3 && x >= W / 2))
                v = 0.6f;
            if (has5 && y == 0)
                v = 1.0f;
            real[n * PIC + i] = v + 0.05f * (float)sin(1.7 * i + n);
            fake[n * PIC + i] = 0.5f * (float)sin(0.31 * i + 1.1 * n) + 0.2f * (float)cos(0.7 * i);
        }
}

static t2v_status reader_for(t2v_word_reader *r, t2v_backend *be, t2v_arena *arena)
{
    t2v_status s = t2v_word_reader_new(r, be, "reader", C, T, H, W, 2, 3, V);
    if (s != T2V_OK)
        return s;
    t2v_plan p = {.arena = arena, .N = N, .training = 1, .status = T2V_OK};
    t2v_arena_measure(arena, be);
    t2v_word_reader_plan(r, be, &p, N);
    if ((s = t2v_arena_commit(arena)) != T2V_OK)
        return s;
    t2v_word_reader_plan(r, be, &p, N);
    if (p.status != T2V_OK)
        return p.status;
    s = t2v_word_reader_keep_informative(r, ids, lens, N, WORDS);
    return s == T2V_OK ? t2v_word_reader_set_targets(r, ids, lens, WORDS) : s;
}

static double pull_loss(t2v_word_reader *r, t2v_backend *be, const float *x, float *dev,
                        float *ddev, float weight)
{
    float loss = 0.0f;
    t2v_backend_upload(be, dev, x, sizeof(float) * N * PIC);
    be->k->fill(be, ddev, 0.0f, N * PIC);
    t2v_word_reader_pull(r, dev, weight, ddev, &loss);
    return loss;
}

int main(void)
{
    t2v_backend *be = NULL;
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK) {
        printf("not ok - CPU backend: %s\n", t2v_last_error());
        return 1;
    }
    static float real[N * PIC], fake[N * PIC], grad[N * PIC], tmp[N * PIC], grad2[N * PIC];
    draw(real, fake);
    t2v_word_reader r, r2;
    t2v_arena arena, arena2;
    T2V_CHECK(reader_for(&r, be, &arena) == T2V_OK, "reader built (%s)", t2v_last_error());
    T2V_CHECK(r.words.kept == 3, "scores the 3 words some but not all captions hold: %d",
              r.words.kept);
    T2V_CHECK(t2v_word_reader_init(&r, 5, 100) == T2V_OK, "initialised");
    float *dev = t2v_backend_alloc(be, sizeof(float) * N * PIC * 3);
    float *ddev = dev + N * PIC, *rdev = dev + 2 * N * PIC;
    t2v_backend_upload(be, rdev, real, sizeof real);

    /* learning: the term on the real batch falls */
    float first = t2v_word_reader_learn(&r, rdev), last = first;
    T2V_CHECK(fabsf(first - 3.0f * (float)log(2.0)) < 0.1f,
              "first term %.4f near 3 ln 2 = %.4f (logits start near 0)", first, 3.0 * log(2.0));
    for (int i = 0; i < 200; i++)
        last = t2v_word_reader_learn(&r, rdev);
    /* base rates alone (each word on half the pictures) stay at 3 ln 2 */
    T2V_CHECK(last < 0.7f * first, "200 steps on one batch: %.4f -> %.4f", first, last);

    /* the pull: gradient against central differences; the reader is left
     * as it was (the same loss twice) */
    const float weight = 0.7f;
    double l0 = pull_loss(&r, be, fake, dev, ddev, weight);
    t2v_backend_download(be, grad, ddev, sizeof grad);
    double l1 = pull_loss(&r, be, fake, dev, ddev, weight);
    T2V_CHECK(l0 == l1, "the pull leaves the reader unchanged: %.7f, %.7f", l0, l1);
    double worst = 0.0, scale = 0.0;
    int bad = 0;
    for (int i = 0; i < N * PIC; i += 7) {
        const double h = 2e-3;
        memcpy(tmp, fake, sizeof tmp);
        tmp[i] = fake[i] + (float)h;
        double up = pull_loss(&r, be, tmp, dev, ddev, weight);
        tmp[i] = fake[i] - (float)h;
        double down = pull_loss(&r, be, tmp, dev, ddev, weight);
        double fd = (up - down) / (2.0 * h), err = fabs(fd - grad[i]);
        scale = fmax(scale, fabs(fd));
        if (err > 2e-3 + 0.05 * fabs(fd))
            bad++;
        worst = fmax(worst, err);
    }
    T2V_CHECK(bad == 0 && scale > 1e-4, "pull gradient = central differences (worst %.2e, "
              "largest %.2e, %d off)", worst, scale, bad);

    /* written, read back: the same reading and the same next step */
    t2v_weights_writer *wr = NULL;
    const char *path = "test_word_reader.gguf";
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK) s = t2v_word_reader_write(&r, wr);
    if (s == T2V_OK) s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    T2V_CHECK(s == T2V_OK, "written (%s)", s ? t2v_last_error() : "ok");
    t2v_weights *w = NULL;
    T2V_CHECK(reader_for(&r2, be, &arena2) == T2V_OK && t2v_weights_open(path, &w) == T2V_OK &&
                  t2v_word_reader_load(&r2, w, r.opt.step) == T2V_OK,
              "read back (%s)", t2v_last_error());
    t2v_weights_close(w);
    remove(path);
    double l2 = pull_loss(&r2, be, fake, dev, ddev, weight);
    t2v_backend_download(be, grad2, ddev, sizeof grad2);
    T2V_CHECK(l2 == l0 && !memcmp(grad, grad2, sizeof grad), "the copy reads as the original");
    float a = t2v_word_reader_learn(&r, rdev), b = t2v_word_reader_learn(&r2, rdev);
    a = t2v_word_reader_learn(&r, rdev);
    b = t2v_word_reader_learn(&r2, rdev);
    T2V_CHECK(a == b, "and learns on identically: %.7f, %.7f", a, b);

    t2v_backend_free(be, dev);
    t2v_word_reader_free(&r);
    t2v_word_reader_free(&r2);
    t2v_arena_release(&arena);
    t2v_arena_release(&arena2);
    t2v_backend_close(be);
    return t2v_test_finish();
}
