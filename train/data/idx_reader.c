/* Reading the gzip'ed IDX files of Fashion-MNIST (big-endian header:
 * u32 magic 0x0000080N with N dimensions, N u32 sizes, then u8 data). */
#include <stdlib.h>
#include <zlib.h>

#include "data_internal.h"
#include "glyph_cache.h"

static int read_be32(gzFile f, uint32_t *v)
{
    uint8_t b[4];
    if (gzread(f, b, 4) != 4)
        return 0;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return 1;
}

t2v_status t2v_idx_read_gz(const char *path, int want_dims, uint8_t **data, long *count,
                           int *rows, int *cols)
{
    *data = NULL;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return t2v_data_fail(T2V_ERR_IO, "cannot open %s", path);
    uint32_t magic, dims[3] = {0, 1, 1};
    t2v_status st = T2V_OK;
    if (!read_be32(f, &magic) || magic != (0x0800u | (uint32_t)want_dims)) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: not an IDX file of %d-dimensional u8 data",
                           path, want_dims);
        goto done;
    }
    for (int d = 0; d < want_dims; d++)
        if (!read_be32(f, &dims[d])) {
            st = t2v_data_fail(T2V_ERR_FORMAT, "%s: truncated IDX header", path);
            goto done;
        }
    if (dims[0] < 1 || dims[0] > 10000000 || dims[1] > 1024 || dims[2] > 1024) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: implausible IDX sizes", path);
        goto done;
    }
    size_t n = (size_t)dims[0] * dims[1] * dims[2];
    *data = malloc(n);
    if (!*data) {
        st = t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
        int r = gzread(f, *data + got, chunk);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    uint8_t extra;
    if (got != n || gzread(f, &extra, 1) != 0) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: data does not match the IDX header", path);
        free(*data);
        *data = NULL;
        goto done;
    }
    *count = (long)dims[0];
    if (rows)
        *rows = (int)dims[1];
    if (cols)
        *cols = (int)dims[2];
done:
    gzclose(f);
    return st;
}
