/* 8-bit grey or RGB PNG files through libpng. */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "media_internal.h"

/* libpng reports through these instead of printing. */
static void png_on_error(png_structp png, png_const_charp msg)
{
    t2v_media_fail(T2V_ERR_IO, "png: %s", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* The libpng part, kept apart so that no local changes after setjmp. */
static int png_encode(FILE *f, const uint8_t *px, int w, int h, int channels)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_on_error,
                                              png_on_warning);
    if (!png) {
        t2v_media_fail(T2V_ERR_NOMEM, "png: cannot create the writer");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        t2v_media_fail(T2V_ERR_NOMEM, "png: cannot create the header");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t row_bytes = (size_t)w * (size_t)channels;
    for (int y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(px + (size_t)y * row_bytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 1;
}

t2v_status t2v_media_png_write(const char *path, const uint8_t *px, int w, int h, int channels)
{
    if (!path || !px || (channels != 1 && channels != 3))
        return t2v_media_fail(T2V_ERR_INVALID, "png: bad arguments");
    if (w < 1 || h < 1 || w > 1000000 || h > 1000000)
        return t2v_media_fail(T2V_ERR_INVALID, "png: size %d x %d not writable", w, h);
    FILE *f = fopen(path, "wb");
    if (!f)
        return t2v_media_fail(T2V_ERR_IO, "png: cannot open %s: %s", path, strerror(errno));
    int ok = png_encode(f, px, w, h, channels);
    if (fclose(f) != 0 && ok) {
        ok = 0;
        t2v_media_fail(T2V_ERR_IO, "png: cannot finish %s: %s", path, strerror(errno));
    }
    if (!ok) {
        remove(path);
        return T2V_ERR_IO;
    }
    return T2V_OK;
}
