/* txt2vid media writers: clips to files, sample sheets, training plots.
 *
 * Used by the txt2vid CLI (train, sample, dataset preview). Everything here
 * returns a t2v_status; on failure the reason is kept per thread and read
 * with t2v_media_last_error(). Nothing here prints.
 */
#ifndef TXT2VID_MEDIA_H
#define TXT2VID_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <txt2vid/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed view of one clip.
 * data: (C, T, H, W) floats in [-1, 1], C = 1 (grey) or 3 (RGB).
 * Values outside [-1, 1] are clamped, NaN becomes -1 (black). */
typedef struct t2v_clip_view {
    const float *data;
    int channels; /* C: 1 or 3 */
    int frames;   /* T >= 1 */
    int height;   /* H >= 1 */
    int width;    /* W >= 1 */
} t2v_clip_view;

/* The message of the last failure in this library on this thread ("" when none). */
const char *t2v_media_last_error(void);

/* ---- pixel conversion ---------------------------------------------------- */

/* One float in [-1, 1] to 0..255: round((v + 1) * 127.5), clamped; NaN -> 0. */
uint8_t t2v_media_to_u8(float v);

/* Checks a view: non-NULL data, C in {1, 3}, T, H, W >= 1, no size overflow. */
t2v_status t2v_media_check_clip(const t2v_clip_view *clip);

/* Frame t of a clip as packed RGB bytes. rgb: (H, W, 3); grey repeats. */
t2v_status t2v_media_frame_to_rgb(const t2v_clip_view *clip, int t, uint8_t *rgb);

/* Frame t of a clip as grey bytes. grey: (H, W); RGB uses BT.601 luma. */
t2v_status t2v_media_frame_to_grey(const t2v_clip_view *clip, int t, uint8_t *grey);

/* ---- single clips -------------------------------------------------------- */

/* Writes a clip, choosing the format by the extension of path (any case):
 *   .mp4  H.264 (libx264) in MP4, yuv420p, frame i at pts i / fps
 *         (odd sizes are padded by one edge pixel to even)
 *   .gif  animated and looping; grey clips keep exact grey levels, colour
 *         clips use a median-cut palette of at most 256 colours
 *   .png  one image: the T frames side by side, (H, T*W)
 *   .y4m  YUV4MPEG2: C420jpeg (full-range BT.601) for RGB, Cmono for grey
 * fps > 0 (used by .mp4, .gif and .y4m). */
t2v_status t2v_media_write_clip(const char *path, const t2v_clip_view *clip, double fps);

/* ---- sample sheets ------------------------------------------------------- */

typedef struct t2v_sheet_options {
    int cols;         /* samples per row; <= 0: ceil(sqrt(n)) */
    int scale;        /* nearest-neighbour zoom; <= 0: 2 when H, W <= 64, else 1 */
    int strip_frames; /* most frames per PNG strip, evenly spaced from the first
                         to the last when T is larger; <= 0: 8 */
    double fps;       /* GIF frame rate; <= 0: 8 */
    int font_px;      /* caption text size in pixels; <= 0: 11 */
} t2v_sheet_options;

/* A grid of samples, each caption word-wrapped under its sample.
 * The PNG shows a strip of each sample's frames (the image when T = 1); the
 * GIF animates the whole grid (frame t shows frame t mod T of every clip).
 * Either path may be NULL (not both). captions may be NULL, and so may any
 * caption. Clips may differ in size and channel count. */
t2v_status t2v_media_write_sheet(const char *png_path, const char *gif_path,
                                 const t2v_clip_view *clips, const char *const *captions,
                                 int n, int cols, int scale);

/* The same with every option; opts == NULL means all defaults. */
t2v_status t2v_media_write_sheet_opts(const char *png_path, const char *gif_path,
                                      const t2v_clip_view *clips,
                                      const char *const *captions, int n,
                                      const t2v_sheet_options *opts);

/* ---- training plots ------------------------------------------------------ */

typedef struct t2v_plot_options {
    int width, height; /* image size; <= 0: 960 x 540 */
    int smooth;        /* moving-average window in rows; 0: automatic (about
                          rows / 50, off below 3), 1: no smoothing */
    const char *columns; /* comma-separated series to draw; NULL: all */
} t2v_plot_options;

/* Plots a CSV log: a header line whose first column is the x axis (e.g.
 * "step") and whose other columns are numeric series (e.g. d_loss,g_loss).
 * Empty cells and non-finite values leave gaps. Each series is drawn as a
 * line (a faint raw line under its moving average when smoothing is on),
 * with axes, ticks, a grid, a legend and the title. A log with no data rows
 * gives empty axes. title may be NULL. */
t2v_status t2v_media_plot_csv(const char *csv_path, const char *png_path, const char *title);

/* The same with options; opts == NULL means all defaults. */
t2v_status t2v_media_plot_csv_opts(const char *csv_path, const char *png_path,
                                   const char *title, const t2v_plot_options *opts);

#ifdef __cplusplus
}
#endif
#endif
