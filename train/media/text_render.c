/* Text for sheets and plots: FreeType-loaded font, UTF-8 cleanup, wrapping. */
#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "text_render.h"

static const char *const font_files[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
};

static pthread_once_t font_once = PTHREAD_ONCE_INIT;
static cairo_font_face_t *font_face; /* lives for the whole process */
static FT_Library ft_library;
static const cairo_user_data_key_t ft_face_key;

static void release_ft_face(void *face)
{
    FT_Done_Face((FT_Face)face);
}

static void load_font(void)
{
    if (FT_Init_FreeType(&ft_library) == 0) {
        for (size_t i = 0; i < sizeof font_files / sizeof font_files[0] && !font_face; i++) {
            FT_Face face;
            if (FT_New_Face(ft_library, font_files[i], 0, &face) != 0)
                continue;
            cairo_font_face_t *cf = cairo_ft_font_face_create_for_ft_face(face, 0);
            if (cairo_font_face_status(cf) != CAIRO_STATUS_SUCCESS ||
                cairo_font_face_set_user_data(cf, &ft_face_key, face, release_ft_face) !=
                    CAIRO_STATUS_SUCCESS) {
                cairo_font_face_destroy(cf);
                FT_Done_Face(face);
                continue;
            }
            font_face = cf;
        }
    }
    if (!font_face)
        font_face = cairo_toy_font_face_create("sans-serif", CAIRO_FONT_SLANT_NORMAL,
                                               CAIRO_FONT_WEIGHT_NORMAL);
}

void t2v_text_use_font(cairo_t *cr, double px)
{
    pthread_once(&font_once, load_font);
    cairo_set_font_face(cr, font_face);
    cairo_set_font_size(cr, px);
    cairo_font_options_t *opt = cairo_font_options_create();
    cairo_font_options_set_antialias(opt, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(opt, CAIRO_HINT_STYLE_SLIGHT);
    cairo_font_options_set_hint_metrics(opt, CAIRO_HINT_METRICS_ON);
    cairo_set_font_options(cr, opt);
    cairo_font_options_destroy(opt);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4
                                                                                               : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    unsigned cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3f);
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp > 0x10ffff)
        return 0;
    return n;
}

/* A copy of text with invalid UTF-8 bytes and control characters as '?'
 * (tabs and newlines become spaces). */
static char *clean_utf8(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(s + i);
        if (n == 0) {
            out[o++] = '?';
            i++;
        } else if (n == 1 && s[i] < 0x20) {
            out[o++] = (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ? ' ' : '?';
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

double t2v_text_width(cairo_t *cr, const char *text)
{
    char *clean = clean_utf8(text);
    if (!clean)
        return 0.0;
    cairo_text_extents_t ext;
    cairo_text_extents(cr, clean, &ext);
    free(clean);
    return ext.x_advance;
}

void t2v_text_draw(cairo_t *cr, const char *text, double x, double y)
{
    char *clean = clean_utf8(text);
    if (!clean)
        return;
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, clean);
    free(clean);
}

/* n reduced so that s[0, n) ends on a whole UTF-8 character. */
static size_t utf8_floor(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static double span_width(cairo_t *cr, const char *s, size_t n)
{
    char buf[1024];
    if (n >= sizeof buf)
        n = utf8_floor(s, sizeof buf - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    cairo_text_extents_t ext;
    cairo_text_extents(cr, buf, &ext);
    return ext.x_advance;
}

static void draw_span(cairo_t *cr, const char *s, size_t n, double centre_x, double y,
                      int ellipsis)
{
    char buf[1100];
    if (n > 1023)
        n = utf8_floor(s, 1023);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (ellipsis)
        strcat(buf, "...");
    cairo_text_extents_t ext;
    cairo_text_extents(cr, buf, &ext);
    cairo_move_to(cr, centre_x - ext.x_advance / 2.0, y);
    cairo_show_text(cr, buf);
}

/* Bytes of the longest prefix of s[0, n) (whole UTF-8 characters, at least
 * one) that fits in max_w. */
static size_t fitting_prefix(cairo_t *cr, const char *s, size_t n, double max_w)
{
    size_t fit = 0, i = 0;
    while (i < n) {
        size_t step = utf8_len((const unsigned char *)s + i);
        if (step == 0)
            step = 1;
        if (span_width(cr, s, i + step) > max_w && fit > 0)
            break;
        i += step;
        fit = i;
    }
    return fit;
}

int t2v_text_wrapped(cairo_t *cr, const char *text, double centre_x, double y, double max_w,
                     double line_h, int max_lines, int draw)
{
    if (!text || max_lines < 1)
        return 0;
    char *clean = clean_utf8(text);
    if (!clean)
        return 0;
    int lines = 0;
    const char *p = clean;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        /* grow the line word by word */
        const char *end = p, *q = p;
        while (*q) {
            const char *w_end = q;
            while (*w_end && *w_end != ' ')
                w_end++;
            if (end != p && span_width(cr, p, (size_t)(w_end - p)) > max_w)
                break;
            end = w_end;
            q = w_end;
            while (*q == ' ')
                q++;
            if (end == p)
                break;
        }
        if (end == p || span_width(cr, p, (size_t)(end - p)) > max_w)
            end = p + fitting_prefix(cr, p, (size_t)(end > p ? end - p : 1), max_w);
        const char *next = end;
        while (*next == ' ')
            next++;
        int last = lines + 1 == max_lines && *next;
        if (draw) {
            size_t n = (size_t)(end - p);
            if (last) /* make room for "..." */
                while (n > 0 && span_width(cr, p, n) + t2v_text_width(cr, "...") > max_w)
                    n = utf8_floor(p, n - 1);
            draw_span(cr, p, n, centre_x, y + lines * line_h, last);
        }
        lines++;
        p = next;
        if (last)
            break;
    }
    free(clean);
    return lines;
}
