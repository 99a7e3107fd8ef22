/* Reading, validating and writing glyph cache files (see glyph_cache.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "glyph_cache.h"

static uint64_t fnv1a64(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t glyph_checksum(const t2v_glyphs *g)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a64(h, g->labels, (size_t)g->count);
    h = fnv1a64(h, g->split, (size_t)g->count);
    return fnv1a64(h, g->pixels, (size_t)g->count * (size_t)(g->rows * g->cols));
}

t2v_status t2v_glyphs_write(const char *path, const t2v_glyphs *g)
{
    uint8_t header[T2V_GLYPH_HEADER_BYTES] = {0};
    memcpy(header, T2V_GLYPH_MAGIC, 8);
    put_u32(header + 8, T2V_GLYPH_VERSION);
    put_u32(header + 12, (uint32_t)g->rows);
    put_u32(header + 16, (uint32_t)g->cols);
    put_u32(header + 20, (uint32_t)g->n_classes);
    put_u32(header + 24, (uint32_t)g->count);
    uint64_t sum = glyph_checksum(g);
    for (int i = 0; i < 8; i++)
        header[32 + i] = (uint8_t)(sum >> (8 * i));

    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return t2v_data_fail(T2V_ERR_INVALID, "cache path too long: %s", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return t2v_data_fail(T2V_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    size_t n = (size_t)g->count;
    int ok = fwrite(header, 1, sizeof header, f) == sizeof header &&
             fwrite(g->labels, 1, n, f) == n && fwrite(g->split, 1, n, f) == n &&
             fwrite(g->pixels, (size_t)(g->rows * g->cols), n, f) == n;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return t2v_data_fail(T2V_ERR_IO, "cannot write %s", path);
    }
    return T2V_OK;
}

t2v_status t2v_glyphs_index(t2v_glyphs *g)
{
    if (g->n_classes < 1 || g->n_classes > 16)
        return t2v_data_fail(T2V_ERR_FORMAT, "glyph cache: %d classes (1..16 allowed)",
                             g->n_classes);
    for (int s = 0; s < 2; s++)
        for (int c = 0; c < g->n_classes; c++) {
            g->n_members[s][c] = 0;
            g->members[s][c] = NULL;
        }
    for (long i = 0; i < g->count; i++)
        g->n_members[g->split[i]][g->labels[i]]++;
    for (int s = 0; s < 2; s++)
        for (int c = 0; c < g->n_classes; c++) {
            if (g->n_members[s][c] == 0)
                return t2v_data_fail(T2V_ERR_FORMAT,
                                     "glyph cache: class %d has no %s glyphs", c,
                                     s ? "test" : "train");
            g->members[s][c] = malloc((size_t)g->n_members[s][c] * sizeof(long));
            if (!g->members[s][c])
                return t2v_data_fail(T2V_ERR_NOMEM, "glyph cache: out of memory");
            g->n_members[s][c] = 0;
        }
    for (long i = 0; i < g->count; i++) {
        int s = g->split[i], c = g->labels[i];
        g->members[s][c][g->n_members[s][c]++] = i;
    }
    return T2V_OK;
}

t2v_status t2v_glyphs_read(const char *path, t2v_glyphs *g)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "rb");
    if (!f)
        return t2v_data_fail(T2V_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    uint8_t header[T2V_GLYPH_HEADER_BYTES];
    t2v_status st = T2V_OK;
    if (fread(header, 1, sizeof header, f) != sizeof header ||
        memcmp(header, T2V_GLYPH_MAGIC, 8) != 0) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s is not a txt2vid glyph cache", path);
        goto done;
    }
    if (get_u32(header + 8) != T2V_GLYPH_VERSION) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: glyph cache version %u, expected %u "
                           "(rebuild it with scripts/fetch-data.sh)", path,
                           get_u32(header + 8), T2V_GLYPH_VERSION);
        goto done;
    }
    uint32_t rows = get_u32(header + 12), cols = get_u32(header + 16);
    uint32_t n_classes = get_u32(header + 20), count = get_u32(header + 24);
    if (rows < 1 || rows > 256 || cols < 1 || cols > 256 || n_classes < 1 || n_classes > 16 ||
        count < 1 || count > 10000000 || get_u32(header + 28) != 0) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: implausible glyph cache header", path);
        goto done;
    }
    uint64_t want_sum = 0;
    for (int i = 0; i < 8; i++)
        want_sum |= (uint64_t)header[32 + i] << (8 * i);
    size_t payload = (size_t)count * (2 + (size_t)rows * cols);
    if (fseek(f, 0, SEEK_END) != 0 || (size_t)ftell(f) != T2V_GLYPH_HEADER_BYTES + payload) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: size does not match its header (truncated?)",
                           path);
        goto done;
    }
    fseek(f, T2V_GLYPH_HEADER_BYTES, SEEK_SET);
    g->rows = (int)rows;
    g->cols = (int)cols;
    g->n_classes = (int)n_classes;
    g->count = (long)count;
    g->labels = malloc(count);
    g->split = malloc(count);
    g->pixels = malloc((size_t)count * rows * cols);
    if (!g->labels || !g->split || !g->pixels) {
        st = t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if (fread(g->labels, 1, count, f) != count || fread(g->split, 1, count, f) != count ||
        fread(g->pixels, (size_t)rows * cols, count, f) != count) {
        st = t2v_data_fail(T2V_ERR_IO, "%s: read error", path);
        goto done;
    }
    if (glyph_checksum(g) != want_sum) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: checksum mismatch (corrupt cache; rebuild "
                           "it with scripts/fetch-data.sh)", path);
        goto done;
    }
    for (long i = 0; i < g->count; i++)
        if (g->labels[i] >= n_classes || g->split[i] > 1) {
            st = t2v_data_fail(T2V_ERR_FORMAT, "%s: glyph %ld has label %u split %u", path, i,
                               g->labels[i], g->split[i]);
            goto done;
        }
    st = t2v_glyphs_index(g);
done:
    fclose(f);
    if (st != T2V_OK)
        t2v_glyphs_free(g);
    return st;
}

void t2v_glyphs_free(t2v_glyphs *g)
{
    free(g->labels);
    free(g->split);
    free(g->pixels);
    for (int s = 0; s < 2; s++)
        for (int c = 0; c < 16; c++)
            free(g->members[s][c]);
    memset(g, 0, sizeof *g);
}

const char *t2v_data_cache_dir(const char *data_dir, char *buf, size_t n)
{
    int len;
    const char *env = getenv("TXT2VID_DATA_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (data_dir && *data_dir)
        len = snprintf(buf, n, "%s", data_dir);
    else if (env && *env)
        len = snprintf(buf, n, "%s", env);
    else if (xdg && *xdg)
        len = snprintf(buf, n, "%s/txt2vid/data", xdg);
    else
        len = snprintf(buf, n, "%s/.cache/txt2vid/data", home && *home ? home : ".");
    return len >= 0 && (size_t)len < n ? buf : NULL;
}

t2v_status t2v_glyphs_load_cached(const char *data_dir, const char *file, t2v_glyphs *g)
{
    char dir[3072], path[4096];
    if (!t2v_data_cache_dir(data_dir, dir, sizeof dir) ||
        (size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
        return t2v_data_fail(T2V_ERR_INVALID, "data directory path too long");
    FILE *f = fopen(path, "rb");
    if (!f)
        return t2v_data_fail(T2V_ERR_IO, "glyph cache %s is missing: run scripts/fetch-data.sh "
                             "(it fetches MNIST and Fashion-MNIST and runs `txt2vid dataset "
                             "cache`)", path);
    fclose(f);
    return t2v_glyphs_read(path, g);
}
