/* Animated, looping GIF files through giflib. */
#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gif_palette.h"
#include "media_internal.h"

/* Delay between frames in hundredths of a second (GIF's unit), at least 2:
 * viewers replace shorter delays by a slow default. */
static int gif_delay_cs(double fps)
{
    double d = 100.0 / fps;
    if (!(d >= 2.0))
        return 2;
    if (d > 65535.0)
        return 65535;
    return (int)lround(d);
}

static t2v_status gif_fail(GifFileType *gif, const char *path, const char *what)
{
    int err = gif ? gif->Error : 0;
    const char *msg = GifErrorString(err);
    if (gif)
        EGifCloseFile(gif, NULL);
    remove(path);
    return t2v_media_fail(T2V_ERR_IO, "gif: %s %s: %s", what, path, msg ? msg : "error");
}

/* NETSCAPE2.0 application extension: loop forever. */
static int put_loop_extension(GifFileType *gif)
{
    static const GifByteType app[11] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static const GifByteType loop[3] = {1, 0, 0}; /* sub-block 1, count 0 = forever */
    return EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
           EGifPutExtensionBlock(gif, sizeof app, app) == GIF_OK &&
           EGifPutExtensionBlock(gif, sizeof loop, loop) == GIF_OK &&
           EGifPutExtensionTrailer(gif) == GIF_OK;
}

static int put_frame(GifFileType *gif, t2v_gif_palette *pal, const uint8_t *rgb, int w, int h,
                     int delay_cs, GifPixelType *line)
{
    GraphicsControlBlock gcb = {
        .DisposalMode = DISPOSE_DO_NOT,
        .UserInputFlag = false,
        .DelayTime = delay_cs,
        .TransparentColor = NO_TRANSPARENT_COLOR,
    };
    GifByteType ext[4];
    size_t len = EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, (int)len, ext) != GIF_OK)
        return 0;
    if (EGifPutImageDesc(gif, 0, 0, w, h, false, NULL) != GIF_OK)
        return 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = rgb + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++)
            line[x] = t2v_gif_palette_index(pal, row + 3 * x);
        if (EGifPutLine(gif, line, w) != GIF_OK)
            return 0;
    }
    return 1;
}

t2v_status t2v_media_gif_write(const char *path, const uint8_t *frames, int n, int w, int h,
                               double fps)
{
    if (!path || !frames || n < 1)
        return t2v_media_fail(T2V_ERR_INVALID, "gif: bad arguments");
    if (w < 1 || h < 1 || w > 65535 || h > 65535)
        return t2v_media_fail(T2V_ERR_INVALID, "gif: size %d x %d not writable (1..65535)", w,
                              h);
    if (!(fps > 0.0) || !isfinite(fps))
        return t2v_media_fail(T2V_ERR_INVALID, "gif: frame rate %g must be positive", fps);
    size_t pixels = (size_t)w * (size_t)h * (size_t)n;

    t2v_gif_palette pal;
    pal.nearest = NULL;
    GifPixelType *line = malloc((size_t)w);
    if (!line || !t2v_gif_palette_build(&pal, frames, pixels)) {
        free(line);
        t2v_gif_palette_free(&pal);
        return t2v_media_fail(T2V_ERR_NOMEM, "gif: out of memory for the palette");
    }
    GifColorType colours[256];
    memset(colours, 0, sizeof colours);
    for (int i = 0; i < pal.count; i++) {
        colours[i].Red = pal.rgb[i][0];
        colours[i].Green = pal.rgb[i][1];
        colours[i].Blue = pal.rgb[i][2];
    }

    t2v_status status = T2V_OK;
    int err = 0;
    /* opened here (not by giflib, which creates files readable by the owner only) */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        status = t2v_media_fail(T2V_ERR_IO, "gif: cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    GifFileType *gif = EGifOpenFileHandle(fd, &err); /* owns fd from here on */
    if (!gif) {
        close(fd);
        remove(path);
        status = t2v_media_fail(T2V_ERR_IO, "gif: cannot start %s: %s", path,
                                GifErrorString(err));
        goto done;
    }
    EGifSetGifVersion(gif, true);
    ColorMapObject *map = GifMakeMapObject(256, colours);
    if (!map) {
        status = gif_fail(gif, path, "no memory for the colour map of");
        goto done;
    }
    int ok = EGifPutScreenDesc(gif, w, h, 8, 0, map) == GIF_OK;
    GifFreeMapObject(map);
    if (!ok || !put_loop_extension(gif)) {
        status = gif_fail(gif, path, "cannot write the header of");
        goto done;
    }
    int delay = gif_delay_cs(fps);
    for (int t = 0; t < n; t++) {
        if (!put_frame(gif, &pal, frames + (size_t)t * (size_t)w * (size_t)h * 3, w, h, delay,
                       line)) {
            status = gif_fail(gif, path, "cannot write a frame of");
            goto done;
        }
    }
    if (EGifCloseFile(gif, &err) != GIF_OK) {
        remove(path);
        status = t2v_media_fail(T2V_ERR_IO, "gif: cannot finish %s: %s", path,
                                GifErrorString(err));
    }
done:
    free(line);
    t2v_gif_palette_free(&pal);
    return status;
}
