/* Sample sheets: a grid of clips, each with its caption wrapped underneath.
 * PNG: each cell holds a strip of frames; GIF: each cell plays its clip. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_internal.h"
#include "text_render.h"

enum {
    SHEET_MARGIN = 8,     /* around the grid and between cells */
    SHEET_FRAME_GAP = 2,  /* between frames of a strip */
    SHEET_TEXT_GAP = 4,   /* between a clip and its caption */
    SHEET_MIN_TEXT_W = 120, /* captions get at least this width */
    SHEET_MAX_LINES = 6,
    SHEET_MAX_STRIP = 8, /* default frames per PNG strip */
};
static const uint8_t sheet_background = 255;
static const double sheet_ink = 0x20 / 255.0;

typedef struct sheet_layout {
    int n, cols, rows, scale;
    int cell_w, cell_h;    /* one cell, caption included */
    int media_h;           /* height of the picture part of a cell */
    int caption_lines;
    double font_px, line_h;
    int width, height;     /* whole canvas */
} sheet_layout;

/* Frames shown in the PNG strip of a clip. */
static int strip_count(const t2v_clip_view *clip, int strip_frames)
{
    int k = strip_frames > 0 ? strip_frames : SHEET_MAX_STRIP;
    return clip->frames < k ? clip->frames : k;
}

/* The j-th of k evenly spaced frame indices of T. */
static int strip_index(int j, int k, int frames)
{
    return k <= 1 ? 0 : (int)lround((double)j * (frames - 1) / (k - 1));
}

/* Width of the picture part of a clip's cell: a strip or one frame. */
static int media_width(const t2v_clip_view *clip, int scale, int strip, int strip_frames)
{
    if (!strip)
        return clip->width * scale;
    int k = strip_count(clip, strip_frames);
    return k * clip->width * scale + (k - 1) * SHEET_FRAME_GAP;
}

static t2v_status plan_layout(sheet_layout *L, const t2v_clip_view *clips,
                              const char *const *captions, int n, const t2v_sheet_options *o,
                              int strip)
{
    L->n = n;
    L->cols = o->cols > 0 ? (o->cols < n ? o->cols : n) : (int)ceil(sqrt((double)n));
    L->rows = (n + L->cols - 1) / L->cols;
    int big = 0;
    for (int i = 0; i < n; i++)
        if (clips[i].width > 64 || clips[i].height > 64)
            big = 1;
    L->scale = o->scale > 0 ? o->scale : (big ? 1 : 2);
    L->font_px = o->font_px > 0 ? o->font_px : 11;
    L->line_h = ceil(L->font_px * 1.3);
    long media_w = 0, media_h = 0;
    for (int i = 0; i < n; i++) {
        long w = media_width(&clips[i], L->scale, strip, o->strip_frames);
        long h = (long)clips[i].height * L->scale;
        media_w = w > media_w ? w : media_w;
        media_h = h > media_h ? h : media_h;
    }
    if (media_w > 60000 || media_h > 60000)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: cells of %ld x %ld pixels are too large",
                              media_w, media_h);
    L->media_h = (int)media_h;
    L->cell_w = media_w > SHEET_MIN_TEXT_W ? (int)media_w : SHEET_MIN_TEXT_W;

    /* caption height: the most lines any caption needs at this width */
    cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(probe);
    t2v_text_use_font(cr, L->font_px);
    L->caption_lines = 0;
    for (int i = 0; captions && i < n; i++) {
        int k = t2v_text_wrapped(cr, captions[i] ? captions[i] : "", 0, 0, L->cell_w,
                                 L->line_h, SHEET_MAX_LINES, 0);
        L->caption_lines = k > L->caption_lines ? k : L->caption_lines;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(probe);
    int text_h = L->caption_lines ? SHEET_TEXT_GAP + (int)(L->caption_lines * L->line_h) + 2 : 0;
    L->cell_h = L->media_h + text_h;
    long W = (long)L->cols * (L->cell_w + SHEET_MARGIN) + SHEET_MARGIN;
    long H = (long)L->rows * (L->cell_h + SHEET_MARGIN) + SHEET_MARGIN;
    if (W > 65535 || H > 65535)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: %ld x %ld pixels is too large", W, H);
    L->width = (int)W;
    L->height = (int)H;
    return T2V_OK;
}

static void cell_origin(const sheet_layout *L, int i, int *x, int *y)
{
    *x = SHEET_MARGIN + (i % L->cols) * (L->cell_w + SHEET_MARGIN);
    *y = SHEET_MARGIN + (i / L->cols) * (L->cell_h + SHEET_MARGIN);
}

/* The background with every caption drawn: packed RGB (height, width, 3). */
static uint8_t *render_captions(const sheet_layout *L, const char *const *captions)
{
    size_t bytes = (size_t)L->width * (size_t)L->height * 3;
    uint8_t *rgb = malloc(bytes);
    if (!rgb)
        return NULL;
    memset(rgb, sheet_background, bytes);
    if (!captions || !L->caption_lines)
        return rgb;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, L->width, L->height);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        free(rgb);
        return NULL;
    }
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, sheet_background / 255.0, sheet_background / 255.0,
                         sheet_background / 255.0);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, sheet_ink, sheet_ink, sheet_ink);
    t2v_text_use_font(cr, L->font_px);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    for (int i = 0; i < L->n; i++) {
        if (!captions[i])
            continue;
        int x, y;
        cell_origin(L, i, &x, &y);
        double baseline = y + L->media_h + SHEET_TEXT_GAP + fe.ascent;
        t2v_text_wrapped(cr, captions[i], x + L->cell_w / 2.0, baseline, L->cell_w, L->line_h,
                         SHEET_MAX_LINES, 1);
    }
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    for (int y = 0; y < L->height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        uint8_t *out = rgb + (size_t)y * (size_t)L->width * 3;
        for (int x = 0; x < L->width; x++) {
            out[3 * x] = (uint8_t)(row[x] >> 16);
            out[3 * x + 1] = (uint8_t)(row[x] >> 8);
            out[3 * x + 2] = (uint8_t)row[x];
        }
    }
    cairo_surface_destroy(surf);
    return rgb;
}

/* Copies a frame (h, w, 3) into the canvas at (x0, y0), zoomed by scale. */
static void blit_frame(uint8_t *canvas, int canvas_w, int x0, int y0, const uint8_t *frame,
                       int w, int h, int scale)
{
    for (int y = 0; y < h * scale; y++) {
        const uint8_t *src = frame + (size_t)(y / scale) * (size_t)w * 3;
        uint8_t *dst = canvas + ((size_t)(y0 + y) * (size_t)canvas_w + (size_t)x0) * 3;
        for (int x = 0; x < w * scale; x++)
            memcpy(dst + 3 * x, src + 3 * (x / scale), 3);
    }
}

/* Draws frames of every clip into canvas: the strip when strip is set,
 * else frame t mod T of each clip. frame_buf holds the largest frame. */
static void blit_clips(const sheet_layout *L, uint8_t *canvas, const t2v_clip_view *clips,
                       int strip, int strip_frames, int t, uint8_t *frame_buf)
{
    for (int i = 0; i < L->n; i++) {
        const t2v_clip_view *c = &clips[i];
        int x, y;
        cell_origin(L, i, &x, &y);
        int mw = media_width(c, L->scale, strip, strip_frames);
        x += (L->cell_w - mw) / 2;
        y += (L->media_h - c->height * L->scale) / 2;
        int k = strip ? strip_count(c, strip_frames) : 1;
        for (int j = 0; j < k; j++) {
            int frame = strip ? strip_index(j, k, c->frames) : t % c->frames;
            t2v_media_frame_to_rgb(c, frame, frame_buf);
            blit_frame(canvas, L->width, x + j * (c->width * L->scale + SHEET_FRAME_GAP), y,
                       frame_buf, c->width, c->height, L->scale);
        }
    }
}

static t2v_status write_sheet_png(const char *path, const t2v_clip_view *clips,
                                  const char *const *captions, int n,
                                  const t2v_sheet_options *o, uint8_t *frame_buf)
{
    sheet_layout L;
    t2v_status s = plan_layout(&L, clips, captions, n, o, 1);
    if (s != T2V_OK)
        return s;
    uint8_t *canvas = render_captions(&L, captions);
    if (!canvas)
        return t2v_media_fail(T2V_ERR_NOMEM, "sheet: out of memory for %d x %d", L.width,
                              L.height);
    blit_clips(&L, canvas, clips, 1, o->strip_frames, 0, frame_buf);
    s = t2v_media_png_write(path, canvas, L.width, L.height, 3);
    free(canvas);
    return s;
}

static t2v_status write_sheet_gif(const char *path, const t2v_clip_view *clips,
                                  const char *const *captions, int n,
                                  const t2v_sheet_options *o, uint8_t *frame_buf)
{
    sheet_layout L;
    t2v_status s = plan_layout(&L, clips, captions, n, o, 0);
    if (s != T2V_OK)
        return s;
    int frames = 1;
    for (int i = 0; i < n; i++)
        frames = clips[i].frames > frames ? clips[i].frames : frames;
    size_t one = t2v_media_bytes(L.width, L.height, 3, 1);
    if (!t2v_media_bytes(L.width, L.height, 3, frames))
        return T2V_ERR_NOMEM;
    uint8_t *base = render_captions(&L, captions);
    uint8_t *all = malloc(one * (size_t)frames);
    if (!base || !all) {
        free(base);
        free(all);
        return t2v_media_fail(T2V_ERR_NOMEM, "sheet: out of memory for %d frames of %d x %d",
                              frames, L.width, L.height);
    }
    for (int t = 0; t < frames; t++) {
        uint8_t *canvas = all + (size_t)t * one;
        memcpy(canvas, base, one);
        blit_clips(&L, canvas, clips, 0, o->strip_frames, t, frame_buf);
    }
    s = t2v_media_gif_write(path, all, frames, L.width, L.height, o->fps > 0 ? o->fps : 8.0);
    free(base);
    free(all);
    return s;
}

t2v_status t2v_media_write_sheet_opts(const char *png_path, const char *gif_path,
                                      const t2v_clip_view *clips,
                                      const char *const *captions, int n,
                                      const t2v_sheet_options *opts)
{
    t2v_media_clear_error();
    if (!png_path && !gif_path)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: neither a PNG nor a GIF path");
    if (!clips || n < 1)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: no clips (n = %d)", n);
    t2v_sheet_options o = {0, 0, 0, 0.0, 0};
    if (opts)
        o = *opts;
    if (!isfinite(o.fps) || o.fps > 1000.0)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: frame rate %g", o.fps);
    if (o.scale > 16 || o.font_px > 64)
        return t2v_media_fail(T2V_ERR_INVALID, "sheet: scale %d or font size %d too large",
                              o.scale, o.font_px);
    size_t largest = 0;
    for (int i = 0; i < n; i++) {
        t2v_status s = t2v_media_check_clip(&clips[i]);
        if (s != T2V_OK) {
            char why[256];
            snprintf(why, sizeof why, "%s", t2v_media_last_error());
            return t2v_media_fail(s, "sheet: clip %d: %s", i, why);
        }
        size_t b = (size_t)clips[i].width * (size_t)clips[i].height * 3;
        largest = b > largest ? b : largest;
    }
    uint8_t *frame_buf = malloc(largest);
    if (!frame_buf)
        return t2v_media_fail(T2V_ERR_NOMEM, "sheet: out of memory");
    t2v_status s = T2V_OK;
    if (png_path)
        s = write_sheet_png(png_path, clips, captions, n, &o, frame_buf);
    if (s == T2V_OK && gif_path)
        s = write_sheet_gif(gif_path, clips, captions, n, &o, frame_buf);
    free(frame_buf);
    return s;
}

t2v_status t2v_media_write_sheet(const char *png_path, const char *gif_path,
                                 const t2v_clip_view *clips, const char *const *captions,
                                 int n, int cols, int scale)
{
    t2v_sheet_options o = {cols, scale, 0, 0.0, 0};
    return t2v_media_write_sheet_opts(png_path, gif_path, clips, captions, n, &o);
}
