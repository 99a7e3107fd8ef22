/* Independent readers for the media tests: libpng, giflib and libav decode
 * the files that train/media wrote. */
#ifndef TXT2VID_TESTS_MEDIA_READERS_H
#define TXT2VID_TESTS_MEDIA_READERS_H

#include <dirent.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A decoded PNG as packed RGB. px: (h, w, 3). */
typedef struct test_image {
    int w, h;
    uint8_t *px;
} test_image;

static inline int test_read_png(const char *path, test_image *img)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    img->px = NULL;
    if (!png_image_begin_read_from_file(&pi, path))
        return 0;
    pi.format = PNG_FORMAT_RGB;
    img->w = (int)pi.width;
    img->h = (int)pi.height;
    img->px = malloc(PNG_IMAGE_SIZE(pi));
    if (!img->px || !png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
        png_image_free(&pi);
        free(img->px);
        img->px = NULL;
        return 0;
    }
    return 1;
}

/* The PNG colour type from its header (to check grey vs RGB files). */
static inline int test_png_channels(const char *path)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path))
        return -1;
    int c = (int)PNG_IMAGE_PIXEL_CHANNELS(pi.format);
    png_image_free(&pi);
    return c;
}

static inline const uint8_t *test_pixel(const test_image *img, int x, int y)
{
    return img->px + ((size_t)y * (size_t)img->w + (size_t)x) * 3;
}

/* Reads a whole GIF with giflib; NULL when it does not decode. */
static inline GifFileType *test_read_gif(const char *path)
{
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif)
        return NULL;
    if (DGifSlurp(gif) != GIF_OK) {
        DGifCloseFile(gif, &err);
        return NULL;
    }
    return gif;
}

/* RGB of pixel (x, y) of frame i (frames cover the whole screen here). */
static inline void test_gif_rgb(const GifFileType *gif, int i, int x, int y, uint8_t out[3])
{
    const SavedImage *im = &gif->SavedImages[i];
    const ColorMapObject *map = im->ImageDesc.ColorMap ? im->ImageDesc.ColorMap : gif->SColorMap;
    int lx = x - im->ImageDesc.Left, ly = y - im->ImageDesc.Top;
    GifByteType idx = im->RasterBits[(size_t)ly * (size_t)im->ImageDesc.Width + (size_t)lx];
    out[0] = map->Colors[idx].Red;
    out[1] = map->Colors[idx].Green;
    out[2] = map->Colors[idx].Blue;
}

/* 1 when the GIF has a NETSCAPE2.0 block with loop count 0 (forever). */
static inline int test_gif_loops_forever(const GifFileType *gif)
{
    for (int i = 0; i < gif->ImageCount; i++) {
        const SavedImage *im = &gif->SavedImages[i];
        for (int k = 0; k + 1 < im->ExtensionBlockCount; k++) {
            const ExtensionBlock *b = &im->ExtensionBlocks[k];
            if (b->Function == APPLICATION_EXT_FUNC_CODE && b->ByteCount == 11 &&
                !memcmp(b->Bytes, "NETSCAPE2.0", 11)) {
                const ExtensionBlock *d = &im->ExtensionBlocks[k + 1];
                return d->ByteCount == 3 && d->Bytes[0] == 1 && d->Bytes[1] == 0 &&
                       d->Bytes[2] == 0;
            }
        }
    }
    return 0;
}

/* Runs with stderr sent to a file; returns the bytes written there. */
typedef struct test_quiet {
    int saved;
    char path[64];
} test_quiet;

static inline void test_quiet_begin(test_quiet *q)
{
    snprintf(q->path, sizeof q->path, "/tmp/t2v-media-stderr-%d", (int)getpid());
    fflush(stderr);
    q->saved = dup(2);
    int fd = open(q->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

static inline long test_quiet_end(test_quiet *q)
{
    fflush(stderr);
    dup2(q->saved, 2);
    close(q->saved);
    FILE *f = fopen(q->path, "rb");
    long n = -1;
    if (f) {
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fclose(f);
    }
    remove(q->path);
    return n;
}

/* A fresh directory for a test's files: argv[1] when given, else /tmp. */
static inline const char *test_out_dir(int argc, char **argv, char *buf, size_t cap)
{
    if (argc > 1) {
        snprintf(buf, cap, "%s", argv[1]);
        mkdir(buf, 0755);
        return buf;
    }
    snprintf(buf, cap, "/tmp/t2v-media-XXXXXX");
    return mkdtemp(buf);
}

/* Removes a scratch directory made by test_out_dir (flat: files only). */
static inline void test_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    closedir(d);
    rmdir(dir);
}

static inline long test_file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* The byte the writers should produce for v, computed in double. */
static inline int test_expect_u8(float v)
{
    if (isnan(v))
        return 0;
    double x = ((double)v + 1.0) * 127.5;
    long r = lround(x);
    return (int)(r < 0 ? 0 : r > 255 ? 255 : r);
}

#endif
