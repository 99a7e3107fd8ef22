/* The strict digit-file parser and the glyph cache format: round trip,
 * and every kind of damage rejected; a missing cache names the fetch script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "glyph_cache.h"
#include "t2v_test.h"

static char *digit_doc(int n_values, const char *value, const char *tail)
{
    size_t cap = 64 + (size_t)n_values * (strlen(value) + 1) + strlen(tail);
    char *s = malloc(cap), *p = s;
    p += sprintf(p, " {\"data\" : [");
    for (int k = 0; k < n_values; k++)
        p += sprintf(p, "%s%s", k ? "," : "", value);
    sprintf(p, "%s", tail);
    return s;
}

static t2v_status parse(const char *doc, long *count, uint8_t *first)
{
    uint8_t *px = NULL;
    t2v_status st = t2v_mnist_json_parse(doc, strlen(doc), &px, count);
    if (st == T2V_OK && first)
        *first = px[0];
    free(px);
    return st;
}

static void check_parser(void)
{
    long n = 0;
    uint8_t v = 0;
    char *ok = digit_doc(784 * 2, "0.502", "]}\n");
    t2v_status st = parse(ok, &n, &v);
    T2V_CHECK(st == T2V_OK && n == 2 && v == 128,
              "parser: 2 x 784 numbers give 2 glyphs, 0.502 -> 128 (got %ld, %u)", n, v);
    free(ok);
    static const struct { const char *value, *tail, *why; int n; } bad[] = {
        {"0.5", "]}", "783 numbers", 783},
        {"1.5", "]}", "a number above 1", 784},
        {"-0.1", "]}", "a negative number", 784},
        {"01", "]}", "a leading zero", 784},
        {"0.", "]}", "a dot without digits", 784},
        {"\"0\"", "]}", "a string", 784},
        {"0.5", "]} x", "trailing bytes", 784},
        {"0.5", "],}", "a trailing comma", 784},
        {"0.5", "]", "a missing brace", 784},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *doc = digit_doc(bad[k].n, bad[k].value, bad[k].tail);
        T2V_CHECK(parse(doc, &n, NULL) == T2V_ERR_FORMAT, "parser rejects %s", bad[k].why);
        free(doc);
    }
    T2V_CHECK(parse("{\"other\": [0]}", &n, NULL) == T2V_ERR_FORMAT,
              "parser rejects another key");
    char *exp = digit_doc(784, "1e-0", "]}");
    st = parse(exp, &n, &v);
    T2V_CHECK(st == T2V_OK && v == 255, "parser reads exponents (1e-0 -> %u)", v);
    free(exp);
}

static void check_cache(const char *dir)
{
    t2v_glyphs g = {.rows = 28, .cols = 28, .n_classes = 3, .count = 6};
    uint8_t labels[6] = {0, 1, 2, 0, 1, 2}, split[6] = {0, 0, 0, 1, 1, 1};
    uint8_t *pixels = malloc(6 * 784);
    for (int k = 0; k < 6 * 784; k++)
        pixels[k] = (uint8_t)(k * 7 + 3);
    g.labels = labels;
    g.split = split;
    g.pixels = pixels;
    char path[512];
    snprintf(path, sizeof path, "%s/t.t2vg", dir);
    t2v_glyphs r;
    int ok = t2v_glyphs_write(path, &g) == T2V_OK && t2v_glyphs_read(path, &r) == T2V_OK;
    T2V_CHECK(ok && r.count == 6 && memcmp(r.pixels, pixels, 6 * 784) == 0 &&
                  memcmp(r.labels, labels, 6) == 0 && r.n_members[1][2] == 1 &&
                  r.members[1][2][0] == 5,
              "cache: write then read gives the same glyphs, labels and split index");
    if (ok)
        t2v_glyphs_free(&r);
    FILE *f = fopen(path, "r+b");
    fseek(f, 40 + 12 + 500, SEEK_SET);
    fputc(0x55, f);
    fclose(f);
    T2V_CHECK(t2v_glyphs_read(path, &r) == T2V_ERR_FORMAT &&
                  strstr(t2v_data_last_error(), "checksum"),
              "cache: one changed pixel byte fails the checksum (%s)", t2v_data_last_error());
    t2v_glyphs_write(path, &g);
    if (truncate(path, 40 + 12 + 784 * 5) != 0)
        T2V_CHECK(0, "truncate the cache");
    T2V_CHECK(t2v_glyphs_read(path, &r) == T2V_ERR_FORMAT && strstr(t2v_data_last_error(), "size"),
              "cache: a truncated file is rejected (%s)", t2v_data_last_error());
    t2v_glyphs_write(path, &g);
    f = fopen(path, "r+b");
    fputc('X', f);
    fclose(f);
    T2V_CHECK(t2v_glyphs_read(path, &r) == T2V_ERR_FORMAT, "cache: a wrong magic is rejected");
    t2v_glyphs_write(path, &g);
    f = fopen(path, "r+b");
    fseek(f, 8, SEEK_SET);
    fputc(9, f);
    fclose(f);
    T2V_CHECK(t2v_glyphs_read(path, &r) == T2V_ERR_FORMAT && strstr(t2v_data_last_error(), "version"),
              "cache: another version is rejected (%s)", t2v_data_last_error());
    remove(path);
    free(pixels);

    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "sbmg";
    o.data_dir = dir;
    t2v_dataset *ds = NULL;
    t2v_status st = t2v_data_open(&o, &ds);
    T2V_CHECK(st == T2V_ERR_IO && strstr(t2v_data_last_error(), "scripts/fetch-data.sh"),
              "a missing cache is an error naming scripts/fetch-data.sh (%s)",
              t2v_data_last_error());
    o.name = "nonsense";
    T2V_CHECK(t2v_data_open(&o, &ds) == T2V_ERR_INVALID, "an unknown data set name is rejected");
}

static void check_real_caches(void)
{
    t2v_glyphs m, fm;
    if (t2v_glyphs_load_cached(NULL, T2V_GLYPH_MNIST_FILE, &m) != T2V_OK) {
        printf("skip - %s\n", t2v_data_last_error());
        return;
    }
    long per_class[10] = {0}, train[10] = {0};
    for (long i = 0; i < m.count; i++) {
        per_class[m.labels[i]]++;
        train[m.labels[i]] += m.split[i] == 0;
    }
    int ok = m.count == 10000;
    for (int d = 0; d < 10; d++)
        ok &= per_class[d] > 800 && train[d] == (long)(per_class[d] * 0.85);
    T2V_CHECK(ok, "MNIST cache: 10000 digits, every class with 85%% train (class 0: %ld of %ld)",
              train[0], per_class[0]);
    t2v_glyphs_free(&m);
    if (t2v_glyphs_load_cached(NULL, T2V_GLYPH_FASHION_FILE, &fm) != T2V_OK) {
        T2V_CHECK(0, "Fashion-MNIST cache: %s", t2v_data_last_error());
        return;
    }
    T2V_CHECK(fm.count == 70000 && fm.n_members[0][9] == 6000 && fm.n_members[1][9] == 1000,
              "Fashion-MNIST cache: 70000 items, 6000 train and 1000 test ankle boots");
    t2v_glyphs_free(&fm);
}

int main(void)
{
    char dir[] = "/tmp/t2v-cache-test-XXXXXX";
    if (!mkdtemp(dir)) {
        T2V_CHECK(0, "create a temporary folder");
        return t2v_test_finish();
    }
    check_parser();
    check_cache(dir);
    check_real_caches();
    rmdir(dir);
    return t2v_test_finish();
}
