/* t2v_media_write_sheet: frames land unchanged (zoomed) in the grid, the
 * GIF animates every cell, captions are drawn under their sample. */
#include "media.h"
#include "media_readers.h"
#include "t2v_test.h"

enum { S = 64, SCALE = 2 };

/* (1, T, S, S) grey clip whose every frame is a distinct gradient (the
 * clip id changes the slope in y, the frame index the offset). */
static float *make_grey(int T, int id)
{
    float *d = malloc(sizeof(float) * (size_t)T * S * S);
    for (int t = 0; t < T; t++)
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
                d[((size_t)t * S + y) * S + x] =
                    -0.9f + 0.012f * x + (0.008f + 0.003f * id) * y + 0.06f * t;
    return d;
}

/* Frame t of a clip zoomed by SCALE as packed RGB (S*SCALE, S*SCALE, 3),
 * computed here from the floats. */
static void expected_block(const t2v_clip_view *v, int t, uint8_t *out)
{
    int n = S * SCALE;
    size_t plane = (size_t)v->height * v->width, cstride = plane * v->frames;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            for (int k = 0; k < 3; k++) {
                int c = v->channels == 1 ? 0 : k;
                float f = v->data[c * cstride + (size_t)t * plane + (size_t)(y / SCALE) * v->width +
                                  (size_t)(x / SCALE)];
                out[((size_t)y * n + x) * 3 + k] = (uint8_t)test_expect_u8(f);
            }
}

typedef int (*get_px)(const void *img, int x, int y, uint8_t out[3]);

static int png_px(const void *img, int x, int y, uint8_t out[3])
{
    memcpy(out, test_pixel(img, x, y), 3);
    return 1;
}

typedef struct gif_frame {
    const GifFileType *gif;
    int index;
} gif_frame;

static int gif_px(const void *p, int x, int y, uint8_t out[3])
{
    const gif_frame *g = p;
    test_gif_rgb(g->gif, g->index, x, y, out);
    return 1;
}

/* Finds block (n x n RGB) in an image of w x h; 1 and its corner when found. */
static int find_block(const void *img, get_px px, int w, int h, const uint8_t *block, int n,
                      int *bx, int *by)
{
    uint8_t p[3];
    for (int y = 0; y + n <= h; y++)
        for (int x = 0; x + n <= w; x++) {
            int ok = 1;
            for (int yy = 0; yy < n && ok; yy++)
                for (int xx = 0; xx < n && ok; xx++) {
                    px(img, x + xx, y + yy, p);
                    ok = !memcmp(p, block + ((size_t)yy * n + xx) * 3, 3);
                }
            if (ok) {
                *bx = x;
                *by = y;
                return 1;
            }
        }
    return 0;
}

/* Dark (text) pixels in [x0, x1) x [y0, y1). */
static int dark_pixels(const void *img, get_px px, int x0, int x1, int y0, int y1)
{
    int n = 0;
    uint8_t p[3];
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            px(img, x, y, p);
            n += p[0] < 128;
        }
    return n;
}

/* Separate bands of rows holding dark pixels: the caption's lines. */
static int text_lines(const void *img, get_px px, int x0, int x1, int y0, int y1)
{
    int lines = 0, in_line = 0;
    for (int y = y0; y < y1; y++) {
        int dark = dark_pixels(img, px, x0, x1, y, y + 1) > 0;
        if (dark && !in_line)
            lines++;
        in_line = dark;
    }
    return lines;
}

static const char *long_caption =
    "a man in a red shirt is playing golf on the green grass near a lake";

static void check_grey_sheet(const char *dir)
{
    float *a = make_grey(8, 0), *b = make_grey(8, 1), *c = make_grey(4, 2);
    t2v_clip_view clips[3] = {{a, 1, 8, S, S}, {b, 1, 8, S, S}, {c, 1, 4, S, S}};
    const char *captions[3] = {long_caption, "digit 7 moves left", NULL};
    char png[512], gif_path[512];
    snprintf(png, sizeof png, "%s/sheet.png", dir);
    snprintf(gif_path, sizeof gif_path, "%s/sheet.gif", dir);
    t2v_status s = t2v_media_write_sheet(png, gif_path, clips, captions, 3, 2, SCALE);
    T2V_CHECK(s == T2V_OK, "grey sheet PNG + GIF written (%s)", t2v_media_last_error());

    int n = S * SCALE;
    uint8_t *block = malloc((size_t)n * n * 3);
    test_image img;
    int ok = test_read_png(png, &img);
    T2V_CHECK(ok, "sheet PNG decodes (%d x %d)", ok ? img.w : 0, ok ? img.h : 0);
    if (!ok)
        return;
    /* every frame of every strip, zoomed x2, in order left to right */
    int first_x[3] = {0}, first_y[3] = {0}, strips_ok = 1;
    for (int i = 0; i < 3; i++) {
        int prev_x = -1, row_y = -1;
        for (int t = 0; t < clips[i].frames; t++) {
            expected_block(&clips[i], t, block);
            int x, y;
            int found = find_block(&img, png_px, img.w, img.h, block, n, &x, &y);
            strips_ok &= found && x > prev_x && (row_y < 0 || y == row_y);
            if (found && t == 0) {
                first_x[i] = x;
                first_y[i] = y;
            }
            prev_x = x;
            row_y = y;
        }
    }
    T2V_CHECK(strips_ok, "sheet PNG: all 20 frames appear exactly (x2 nearest) as strips");
    /* clip 2's shorter strip is centred in the first column */
    T2V_CHECK(first_y[0] == first_y[1] && first_x[1] > first_x[0] + 8 * n &&
                  first_y[2] > first_y[0] + n && first_x[2] > first_x[0] &&
                  first_x[2] + 4 * n < first_x[1],
              "sheet PNG grid: clips 0,1 on row 1, clip 2 under clip 0 (2 columns)");
    int under0 = dark_pixels(&img, png_px, first_x[0], first_x[0] + 8 * n, first_y[0] + n,
                             first_y[2]);
    int under1 = dark_pixels(&img, png_px, first_x[1], first_x[1] + 8 * n, first_y[1] + n,
                             first_y[2]);
    int under2 = dark_pixels(&img, png_px, first_x[2], first_x[2] + 4 * n, first_y[2] + n,
                             img.h);
    T2V_CHECK(under0 > 50 && under1 > 30, "sheet PNG: caption text under clips 0 and 1 (%d, %d dark pixels)",
              under0, under1);
    T2V_CHECK(under2 == 0, "sheet PNG: nothing drawn under the clip without caption");
    int above = dark_pixels(&img, png_px, 0, img.w, 0, first_y[0]);
    T2V_CHECK(above == 0, "sheet PNG: no text above the first row of clips");
    free(img.px);

    GifFileType *gif = test_read_gif(gif_path);
    T2V_CHECK(gif && gif->ImageCount == 8, "sheet GIF has 8 frames (the longest clip)");
    if (gif) {
        T2V_CHECK(test_gif_loops_forever(gif), "sheet GIF loops forever");
        GraphicsControlBlock gcb;
        T2V_CHECK(DGifSavedExtensionToGCB(gif, 0, &gcb) == GIF_OK && gcb.DelayTime == 13,
                  "sheet GIF delay 13 cs (8 fps default)");
        int frames_ok = 1, pos_x[3] = {0}, pos_y[3] = {0};
        for (int t = 0; t < 8; t++)
            for (int i = 0; i < 3; i++) {
                gif_frame gf = {gif, t};
                expected_block(&clips[i], t % clips[i].frames, block);
                int x, y;
                /* positions are fixed: search frame 0, then check in place */
                if (t == 0) {
                    frames_ok &= find_block(&gf, gif_px, gif->SWidth, gif->SHeight, block, n,
                                            &pos_x[i], &pos_y[i]);
                } else {
                    x = pos_x[i];
                    y = pos_y[i];
                    uint8_t p[3];
                    for (int yy = 0; yy < n && frames_ok; yy++)
                        for (int xx = 0; xx < n && frames_ok; xx++) {
                            gif_px(&gf, x + xx, y + yy, p);
                            frames_ok = !memcmp(p, block + ((size_t)yy * n + xx) * 3, 3);
                        }
                }
            }
        T2V_CHECK(frames_ok, "sheet GIF frame t shows frame t mod T of each clip, exact grey");
        gif_frame g0 = {gif, 0};
        int cap_bottom = pos_y[2];
        int lines = text_lines(&g0, gif_px, pos_x[0], pos_x[0] + n, pos_y[0] + n, cap_bottom);
        T2V_CHECK(lines >= 3, "sheet GIF: long caption wraps to %d lines in a 128-px cell", lines);
        int spill = dark_pixels(&g0, gif_px, pos_x[0] + n, pos_x[1], pos_y[0] + n, cap_bottom);
        T2V_CHECK(spill == 0, "sheet GIF: caption stays inside its cell (%d pixels spill)", spill);
        DGifCloseFile(gif, NULL);
    }
    free(block);
    free(a);
    free(b);
    free(c);
}

static void check_rgb_images(const char *dir)
{
    /* two RGB images (T = 1): the PNG shows each image once */
    size_t plane = (size_t)S * S;
    float *a = malloc(sizeof(float) * 3 * plane), *b = malloc(sizeof(float) * 3 * plane);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < plane; i++) {
            a[k * plane + i] = -1.0f + 2.0f * (float)((i * (k + 3) + k * 17) % 97) / 96.0f;
            b[k * plane + i] = 0.5f - 0.01f * (float)((i + (size_t)k * 5) % 61);
        }
    t2v_clip_view clips[2] = {{a, 3, 1, S, S}, {b, 3, 1, S, S}};
    const char *captions[2] = {"this small bird has a red crown and white belly", "a yellow flower"};
    char png[512];
    snprintf(png, sizeof png, "%s/images.png", dir);
    T2V_CHECK(t2v_media_write_sheet(png, NULL, clips, captions, 2, 0, 0) == T2V_OK,
              "RGB image sheet written with default columns and scale");
    test_image img;
    int n = S * SCALE, ok = test_read_png(png, &img);
    uint8_t *block = malloc((size_t)n * n * 3);
    int found = ok;
    int xs[2] = {0}, ys[2] = {0};
    for (int i = 0; ok && i < 2; i++) {
        expected_block(&clips[i], 0, block);
        found &= find_block(&img, png_px, img.w, img.h, block, n, &xs[i], &ys[i]);
    }
    T2V_CHECK(found, "image sheet: both RGB images exact at default scale x2");
    T2V_CHECK(found && ys[0] == ys[1] && xs[1] > xs[0] + n,
              "image sheet: ceil(sqrt(2)) = 2 columns side by side");
    T2V_CHECK(found && dark_pixels(&img, png_px, xs[0], xs[0] + n, ys[0] + n, img.h) > 30,
              "image sheet: caption under the first image");
    free(img.px);
    free(block);
    free(a);
    free(b);
}

/* T = 16: the default strip shows 8 frames evenly spaced, first and last
 * included (0, 2, 4, 6, 9, 11, 13, 15); strip_frames = 16 shows them all. */
static void check_long_clip(const char *dir)
{
    float *a = make_grey(16, 3);
    t2v_clip_view clip = {a, 1, 16, S, S};
    const char *cap[1] = {"sixteen frames"};
    char png[512];
    snprintf(png, sizeof png, "%s/long.png", dir);
    T2V_CHECK(t2v_media_write_sheet(png, NULL, &clip, cap, 1, 1, SCALE) == T2V_OK,
              "sheet of a 16-frame clip written");
    int n = S * SCALE, x, y, prev = -1, ok = 1, shown = 0;
    uint8_t *block = malloc((size_t)n * n * 3);
    test_image img;
    if (!test_read_png(png, &img)) {
        T2V_CHECK(0, "16-frame sheet decodes");
        free(block);
        free(a);
        return;
    }
    const int want[8] = {0, 2, 4, 6, 9, 11, 13, 15};
    for (int t = 0; t < 16; t++) {
        expected_block(&clip, t, block);
        int found = find_block(&img, png_px, img.w, img.h, block, n, &x, &y);
        int expected = 0;
        for (int j = 0; j < 8; j++)
            expected |= want[j] == t;
        ok &= found == expected && (!found || x > prev);
        if (found) {
            prev = x;
            shown++;
        }
    }
    T2V_CHECK(ok && shown == 8, "default strip of 16 frames shows frames 0,2,4,6,9,11,13,15 in order (%d shown)",
              shown);
    free(img.px);
    t2v_sheet_options o = {1, SCALE, 16, 0, 0};
    T2V_CHECK(t2v_media_write_sheet_opts(png, NULL, &clip, cap, 1, &o) == T2V_OK &&
                  test_read_png(png, &img),
              "sheet with strip_frames = 16 written");
    shown = 0;
    for (int t = 0; t < 16; t++) {
        expected_block(&clip, t, block);
        shown += find_block(&img, png_px, img.w, img.h, block, n, &x, &y);
    }
    T2V_CHECK(shown == 16, "strip_frames = 16 shows all 16 frames (%d)", shown);
    free(img.px);
    free(block);
    free(a);
}

static void check_errors(const char *dir)
{
    float *a = make_grey(2, 0);
    t2v_clip_view ok_clip = {a, 1, 2, S, S}, bad_clip = {a, 1, 0, S, S};
    char png[512];
    snprintf(png, sizeof png, "%s/bad.png", dir);
    const char *cap[1] = {"x"};
    T2V_CHECK(t2v_media_write_sheet(NULL, NULL, &ok_clip, cap, 1, 1, 1) == T2V_ERR_INVALID,
              "sheet without any path refused");
    T2V_CHECK(t2v_media_write_sheet(png, NULL, &ok_clip, cap, 0, 1, 1) == T2V_ERR_INVALID,
              "sheet with n = 0 refused");
    T2V_CHECK(t2v_media_write_sheet(png, NULL, &bad_clip, cap, 1, 1, 1) == T2V_ERR_INVALID &&
                  strstr(t2v_media_last_error(), "clip 0"),
              "sheet with a zero-frame clip refused (\"%s\")", t2v_media_last_error());
    T2V_CHECK(t2v_media_write_sheet("/nonexistent-t2v-dir/s.png", NULL, &ok_clip, cap, 1, 1, 1) ==
                  T2V_ERR_IO,
              "sheet to an unwritable PNG path: IO error");
    T2V_CHECK(t2v_media_write_sheet(NULL, "/nonexistent-t2v-dir/s.gif", &ok_clip, NULL, 1, 1, 1) ==
                  T2V_ERR_IO,
              "sheet to an unwritable GIF path: IO error");
    /* odd text: invalid UTF-8, control characters, one huge word */
    char weird[600];
    memset(weird, 'W', sizeof weird - 1);
    weird[sizeof weird - 1] = '\0';
    weird[10] = (char)0xff;
    weird[20] = '\n';
    weird[30] = (char)0xc3; /* a lead byte without its continuation */
    const char *caps[1] = {weird};
    T2V_CHECK(t2v_media_write_sheet(png, NULL, &ok_clip, caps, 1, 1, 1) == T2V_OK,
              "sheet with invalid UTF-8 and a 600-letter word still written");
    free(a);
}

int main(int argc, char **argv)
{
    char buf[256];
    const char *dir = test_out_dir(argc, argv, buf, sizeof buf);
    if (!dir) {
        printf("FAIL - cannot create a scratch directory\n");
        return 1;
    }
    printf("# files in %s\n", dir);
    check_grey_sheet(dir);
    check_rgb_images(dir);
    check_long_clip(dir);
    check_errors(dir);
    if (argc < 2)
        test_remove_dir(dir);
    return t2v_test_finish();
}
