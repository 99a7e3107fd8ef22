/* Line plots of CSV training logs (losses per step) as PNG. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "media_internal.h"
#include "text_render.h"

typedef struct plot_frame {
    double left, top, right, bottom; /* plot area in pixels */
    double x0, x1, y0, y1;           /* data range shown */
} plot_frame;

static const double series_colours[][3] = {
    {0.12, 0.47, 0.71}, {0.84, 0.15, 0.16}, {0.17, 0.63, 0.17}, {1.00, 0.50, 0.05},
    {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
    {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81},
};
enum { N_COLOURS = sizeof series_colours / sizeof series_colours[0] };

/* Values this plot can place: finite and far from overflow when subtracted. */
static int usable(double v)
{
    return isfinite(v) && fabs(v) < 1e150;
}

static double px_x(const plot_frame *f, double x)
{
    return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double px_y(const plot_frame *f, double y)
{
    return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

/* A step of 1, 2 or 5 times a power of ten giving about `want` intervals. */
static double nice_step(double span, int want)
{
    double raw = span / want;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

static void format_tick(char *buf, size_t cap, double v, double step)
{
    if (fabs(v) < step * 1e-9)
        v = 0.0;
    double mag = fmax(fabs(v), step);
    if (mag >= 1e6 || step < 1e-4) {
        snprintf(buf, cap, "%.3g", v);
        return;
    }
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, cap, "%.*f", decimals, v);
}

/* [lo, hi] widened when empty or degenerate. */
static void settle_range(double *lo, double *hi)
{
    if (!(*lo <= *hi)) {
        *lo = 0.0;
        *hi = 1.0;
    } else if (*hi - *lo <= 1e-12 * fmax(1.0, fabs(*lo))) {
        double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1.0;
        *lo -= d;
        *hi += d;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Trailing moving average of the finite values among the last w rows. */
static void moving_average(const double *v, size_t stride, int n, int w, double *out)
{
    double sum = 0.0;
    int count = 0;
    for (int i = 0; i < n; i++) {
        double add = v[(size_t)i * stride];
        if (usable(add)) {
            sum += add;
            count++;
        }
        if (i >= w) {
            double drop = v[(size_t)(i - w) * stride];
            if (usable(drop)) {
                sum -= drop;
                count--;
            }
        }
        out[i] = count ? sum / count : NAN;
    }
}

/* The y range: every finite value, or the 0.5%..99.5% quantiles of many
 * values widened to hold the smoothed curves, so that one spike does not
 * flatten the rest. */
static void y_range(const t2v_csv_table *t, const double *smooth, int smoothing, double *lo,
                    double *hi)
{
    size_t n = 0, cap = (size_t)t->rows * (size_t)(t->cols > 1 ? t->cols - 1 : 1);
    double *vals = malloc((cap ? cap : 1) * sizeof *vals);
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int r = 0; r < t->rows; r++) {
        if (!usable(t->cells[(size_t)r * (size_t)t->cols]))
            continue;
        for (int c = 1; c < t->cols; c++) {
            double v = t->cells[(size_t)r * (size_t)t->cols + (size_t)c];
            if (!usable(v))
                continue;
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
            if (vals)
                vals[n++] = v;
        }
    }
    if (vals && n >= 200) {
        qsort(vals, n, sizeof *vals, cmp_double);
        *lo = vals[(size_t)(0.005 * (double)(n - 1))];
        *hi = vals[(size_t)ceil(0.995 * (double)(n - 1))];
        for (int c = 1; smoothing && c < t->cols; c++)
            for (int r = 0; r < t->rows; r++) {
                double v = smooth[(size_t)(c - 1) * (size_t)t->rows + (size_t)r];
                if (usable(v) && usable(t->cells[(size_t)r * (size_t)t->cols])) {
                    *lo = fmin(*lo, v);
                    *hi = fmax(*hi, v);
                }
            }
    }
    free(vals);
    if (*lo > *hi)
        return;
    settle_range(lo, hi);
    double pad = 0.05 * (*hi - *lo);
    *lo -= pad;
    *hi += pad;
}

static void draw_axes(cairo_t *cr, const plot_frame *f, const char *x_name)
{
    char buf[64];
    cairo_set_line_width(cr, 1.0);
    /* grid and ticks */
    double xs = nice_step(f->x1 - f->x0, 6), ys = nice_step(f->y1 - f->y0, 5);
    for (int axis = 0; axis < 2; axis++) {
        double lo = axis ? f->y0 : f->x0, hi = axis ? f->y1 : f->x1, step = axis ? ys : xs;
        int ticks = 0;
        for (double k = ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && ticks < 50;
             k += 1.0, ticks++) {
            double v = k * step;
            double p = axis ? floor(px_y(f, v)) + 0.5 : floor(px_x(f, v)) + 0.5;
            cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
            if (axis) {
                cairo_move_to(cr, f->left, p);
                cairo_line_to(cr, f->right, p);
            } else {
                cairo_move_to(cr, p, f->top);
                cairo_line_to(cr, p, f->bottom);
            }
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
            if (axis) {
                cairo_move_to(cr, f->left - 5, p);
                cairo_line_to(cr, f->left, p);
            } else {
                cairo_move_to(cr, p, f->bottom);
                cairo_line_to(cr, p, f->bottom + 5);
            }
            cairo_stroke(cr);
            format_tick(buf, sizeof buf, v, step);
            double w = t2v_text_width(cr, buf);
            if (axis)
                t2v_text_draw(cr, buf, f->left - 8 - w, p + 4);
            else
                t2v_text_draw(cr, buf, p - w / 2, f->bottom + 18);
        }
    }
    cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
    cairo_rectangle(cr, floor(f->left) + 0.5, floor(f->top) + 0.5,
                    floor(f->right) - floor(f->left), floor(f->bottom) - floor(f->top));
    cairo_stroke(cr);
    if (x_name && *x_name) {
        double w = t2v_text_width(cr, x_name);
        t2v_text_draw(cr, x_name, (f->left + f->right) / 2 - w / 2, f->bottom + 36);
    }
}

/* One series as a polyline broken at non-finite values; isolated points
 * become dots. ys: (rows). */
static void draw_series(cairo_t *cr, const plot_frame *f, const t2v_csv_table *t,
                        const double *ys, double width)
{
    int n = t->rows;
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    int pen_down = 0;
    for (int r = 0; r < n; r++) {
        double x = t->cells[(size_t)r * (size_t)t->cols];
        if (!usable(x) || !usable(ys[r])) {
            pen_down = 0;
            continue;
        }
        double px = px_x(f, x), py = px_y(f, ys[r]);
        if (pen_down) {
            cairo_line_to(cr, px, py);
        } else {
            int next_ok = r + 1 < n && usable(ys[r + 1]) &&
                          usable(t->cells[(size_t)(r + 1) * (size_t)t->cols]);
            if (!next_ok) { /* a lone point */
                cairo_stroke(cr);
                cairo_new_sub_path(cr);
                cairo_arc(cr, px, py, width + 1.5, 0, 2 * M_PI);
                cairo_fill(cr);
                continue;
            }
            cairo_move_to(cr, px, py);
            pen_down = 1;
        }
    }
    cairo_stroke(cr);
}

static void draw_legend(cairo_t *cr, const plot_frame *f, const t2v_csv_table *t)
{
    int n = t->cols - 1;
    if (n < 1)
        return;
    double line_h = 16, wmax = 0;
    for (int c = 1; c < t->cols; c++)
        wmax = fmax(wmax, t2v_text_width(cr, t->names[c]));
    double bw = wmax + 44, bh = n * line_h + 8;
    double bx = f->right - bw - 8, by = f->top + 8;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, bx, by, bw, bh);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    for (int c = 1; c < t->cols; c++) {
        const double *rgb = series_colours[(c - 1) % N_COLOURS];
        double y = by + 4 + (c - 1) * line_h + line_h / 2;
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, bx + 8, y);
        cairo_line_to(cr, bx + 30, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        t2v_text_draw(cr, t->names[c], bx + 36, y + 4);
    }
}

static t2v_status render_plot(const t2v_csv_table *t, const char *png_path, const char *title,
                              int width, int height, int smooth)
{
    int series = t->cols - 1, rows = t->rows;
    double *smoothed = NULL;
    if (smooth > 1 && series > 0 && rows > 0) {
        smoothed = malloc((size_t)series * (size_t)rows * sizeof *smoothed);
        if (!smoothed)
            return t2v_media_fail(T2V_ERR_NOMEM, "plot: out of memory");
        for (int c = 1; c <= series; c++)
            moving_average(t->cells + c, (size_t)t->cols, rows, smooth,
                           smoothed + (size_t)(c - 1) * (size_t)rows);
    }
    plot_frame f = {70, title && *title ? 40 : 16, width - 20.0, height - 50.0, 0, 0, 0, 0};
    double xlo = INFINITY, xhi = -INFINITY;
    for (int r = 0; r < rows; r++) {
        double x = t->cells[(size_t)r * (size_t)t->cols];
        if (usable(x)) {
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
        }
    }
    settle_range(&xlo, &xhi);
    f.x0 = xlo;
    f.x1 = xhi;
    y_range(t, smoothed, smoothed != NULL, &f.y0, &f.y1);
    settle_range(&f.y0, &f.y1);

    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        free(smoothed);
        return t2v_media_fail(T2V_ERR_NOMEM, "plot: cannot create a %d x %d image", width,
                              height);
    }
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    t2v_text_use_font(cr, 12);
    draw_axes(cr, &f, t->names[0]);
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
    cairo_clip(cr);
    for (int c = 1; c <= series; c++) {
        const double *rgb = series_colours[(c - 1) % N_COLOURS];
        double *raw = malloc((size_t)(rows ? rows : 1) * sizeof *raw);
        if (!raw)
            break;
        for (int r = 0; r < rows; r++)
            raw[r] = t->cells[(size_t)r * (size_t)t->cols + (size_t)c];
        if (smoothed) {
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.25);
            draw_series(cr, &f, t, raw, 1.0);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            draw_series(cr, &f, t, smoothed + (size_t)(c - 1) * (size_t)rows, 2.0);
        } else {
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            draw_series(cr, &f, t, raw, 1.6);
        }
        free(raw);
    }
    cairo_restore(cr);
    draw_legend(cr, &f, t);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (rows == 0) {
        const char *msg = "no data yet";
        t2v_text_draw(cr, msg, (f.left + f.right) / 2 - t2v_text_width(cr, msg) / 2,
                      (f.top + f.bottom) / 2);
    }
    if (title && *title) {
        t2v_text_use_font(cr, 15);
        t2v_text_draw(cr, title, width / 2.0 - t2v_text_width(cr, title) / 2, 26);
    }
    cairo_destroy(cr);
    free(smoothed);

    cairo_surface_flush(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    uint8_t *rgb = malloc((size_t)width * (size_t)height * 3);
    if (!rgb) {
        cairo_surface_destroy(surf);
        return t2v_media_fail(T2V_ERR_NOMEM, "plot: out of memory");
    }
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            uint8_t *o = rgb + ((size_t)y * (size_t)width + (size_t)x) * 3;
            o[0] = (uint8_t)(row[x] >> 16);
            o[1] = (uint8_t)(row[x] >> 8);
            o[2] = (uint8_t)row[x];
        }
    }
    cairo_surface_destroy(surf);
    t2v_status s = t2v_media_png_write(png_path, rgb, width, height, 3);
    free(rgb);
    return s;
}

/* 1 when name is one of the comma-separated names in list */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Drops the series (not the x column) that `columns` does not name. */
static void keep_columns(t2v_csv_table *t, const char *columns)
{
    int out = 1;
    for (int c = 1; c < t->cols; c++) {
        if (!listed(columns, t->names[c])) {
            free(t->names[c]);
            continue;
        }
        t->names[out] = t->names[c];
        for (int r = 0; r < t->rows; r++)
            t->cells[(size_t)r * t->cols + out] = t->cells[(size_t)r * t->cols + c];
        out++;
    }
    /* repack rows to the new width */
    for (int r = 0; r < t->rows; r++)
        for (int c = 0; c < out; c++)
            t->cells[(size_t)r * out + c] = t->cells[(size_t)r * t->cols + c];
    t->cols = out;
}

t2v_status t2v_media_plot_csv_opts(const char *csv_path, const char *png_path,
                                   const char *title, const t2v_plot_options *opts)
{
    t2v_media_clear_error();
    if (!csv_path || !png_path)
        return t2v_media_fail(T2V_ERR_INVALID, "plot: no CSV or PNG path");
    int width = opts && opts->width > 0 ? opts->width : 960;
    int height = opts && opts->height > 0 ? opts->height : 540;
    if (width < 200 || height < 150 || width > 8192 || height > 8192)
        return t2v_media_fail(T2V_ERR_INVALID, "plot: size %d x %d (want 200..8192 x 150..8192)",
                              width, height);
    t2v_csv_table t;
    t2v_status s = t2v_csv_table_read(csv_path, &t);
    if (s != T2V_OK)
        return s;
    if (opts && opts->columns)
        keep_columns(&t, opts->columns);
    int smooth = opts ? opts->smooth : 0;
    if (smooth <= 0)
        smooth = t.rows / 50 >= 3 ? t.rows / 50 : 1;
    s = render_plot(&t, png_path, title, width, height, smooth);
    t2v_csv_table_free(&t);
    return s;
}

t2v_status t2v_media_plot_csv(const char *csv_path, const char *png_path, const char *title)
{
    return t2v_media_plot_csv_opts(csv_path, png_path, title, NULL);
}
