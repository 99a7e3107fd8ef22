/* t2v_media_plot_csv: CSV logs to line plots, read back with libpng. */
#include "media.h"
#include "media_readers.h"
#include "t2v_test.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Pixels of colour rgb (within tol per channel) in [x0, x1) x [y0, y1),
 * and the mean row where they lie. */
static int colour_pixels(const test_image *img, const int rgb[3], int tol, int x0, int x1,
                         int y0, int y1, double *mean_y)
{
    int n = 0;
    double sy = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = test_pixel(img, x, y);
            if (abs(p[0] - rgb[0]) <= tol && abs(p[1] - rgb[1]) <= tol &&
                abs(p[2] - rgb[2]) <= tol) {
                n++;
                sy += y;
            }
        }
    if (mean_y)
        *mean_y = n ? sy / n : -1;
    return n;
}

static int dark_pixels(const test_image *img, int x0, int x1, int y0, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += test_pixel(img, x, y)[0] < 100 && test_pixel(img, x, y)[2] < 100;
    return n;
}

/* The first two series colours of the plot (0.12,0.47,0.71), (0.84,0.15,0.16). */
static const int blue[3] = {31, 120, 181}, red[3] = {214, 38, 41};

static void check_log(const char *dir)
{
    char csv[512], png[512];
    snprintf(csv, sizeof csv, "%s/log.csv", dir);
    snprintf(png, sizeof png, "%s/log.png", dir);
    /* d_loss rises with step, g_loss falls; gaps, empty cells and inf */
    FILE *f = fopen(csv, "wb");
    fprintf(f, "step,d_loss,g_loss\r\n");
    for (int i = 0; i < 300; i++) {
        double d = 0.5 + i / 100.0 + 0.2 * sin(i * 0.7), g = 4.0 - i / 100.0;
        if (i == 40)
            fprintf(f, "%d,nan,\n", i * 10);
        else if (i == 41)
            fprintf(f, "%d,inf,%g\n", i * 10, g);
        else if (i == 44)
            fprintf(f, "%d,1e300,-1e300\n", i * 10);
        else if (i == 42)
            fprintf(f, "%d,,%g\n", i * 10, g);
        else if (i == 43)
            fprintf(f, "%d\n", i * 10);
        else
            fprintf(f, "%d,%g,%g\n", i * 10, d, g);
    }
    fclose(f);
    test_quiet q;
    test_quiet_begin(&q);
    t2v_status s = t2v_media_plot_csv(csv, png, "TGANs-C losses");
    long printed = test_quiet_end(&q);
    T2V_CHECK(s == T2V_OK, "plot of a 300-row log with NaN, inf, 1e300, empty and short rows (%s)",
              t2v_media_last_error());
    T2V_CHECK(printed == 0, "plotting printed nothing");
    test_image img;
    int ok = test_read_png(png, &img);
    T2V_CHECK(ok && img.w == 960 && img.h == 540, "plot PNG is 960 x 540");
    if (!ok)
        return;
    /* inside the axes: the left and right thirds of the plot area */
    double by_left, by_right, ry_left, ry_right;
    int bl = colour_pixels(&img, blue, 6, 100, 350, 50, 480, &by_left);
    int br = colour_pixels(&img, blue, 6, 650, 900, 50, 480, &by_right);
    int rl = colour_pixels(&img, red, 6, 100, 350, 50, 480, &ry_left);
    int rr = colour_pixels(&img, red, 6, 650, 900, 50, 480, &ry_right);
    T2V_CHECK(bl > 100 && br > 100 && rl > 100 && rr > 100,
              "both series drawn across the axes (blue %d/%d, red %d/%d pixels)", bl, br, rl, rr);
    T2V_CHECK(by_right < by_left - 50, "rising d_loss is drawn higher on the right (y %.0f -> %.0f)",
              by_left, by_right);
    T2V_CHECK(ry_right > ry_left + 50, "falling g_loss is drawn lower on the right (y %.0f -> %.0f)",
              ry_left, ry_right);
    T2V_CHECK(dark_pixels(&img, 300, 660, 0, 34) > 40, "title text above the axes");
    T2V_CHECK(dark_pixels(&img, 0, 66, 40, 500) > 40, "y tick labels left of the axes");
    T2V_CHECK(dark_pixels(&img, 70, 940, 495, 540) > 100, "x tick labels and axis name below");
    /* the legend's samples: short horizontal runs of each colour near the top right */
    int legend_b = colour_pixels(&img, blue, 2, 700, 940, 40, 110, NULL);
    int legend_r = colour_pixels(&img, red, 2, 700, 940, 40, 110, NULL);
    T2V_CHECK(legend_b >= 40 && legend_r >= 40, "legend shows both series colours (%d, %d)",
              legend_b, legend_r);
    free(img.px);
}

static void check_small_cases(const char *dir)
{
    char csv[512], png[512];
    snprintf(csv, sizeof csv, "%s/one.csv", dir);
    snprintf(png, sizeof png, "%s/one.png", dir);
    write_text(csv, "step,d_loss,g_loss\n100,0.7,2.5\n");
    t2v_plot_options o = {.width = 400, .height = 300, .smooth = 1};
    T2V_CHECK(t2v_media_plot_csv_opts(csv, png, NULL, &o) == T2V_OK, "plot of a single row (%s)",
              t2v_media_last_error());
    test_image img;
    int ok = test_read_png(png, &img);
    T2V_CHECK(ok && img.w == 400 && img.h == 300, "custom size 400 x 300 kept");
    if (ok) {
        int b = colour_pixels(&img, blue, 6, 70, 380, 10, 250, NULL);
        int r = colour_pixels(&img, red, 6, 70, 380, 10, 250, NULL);
        T2V_CHECK(b > 5 && r > 5, "a single row shows a dot per series (%d, %d pixels)", b, r);
        free(img.px);
    }
    /* columns: only the named series, drawn in the first colour */
    write_text(csv, "step,seconds,g_loss\n1,100,0.5\n2,200,0.7\n3,300,0.2\n");
    t2v_plot_options only = {.width = 400, .height = 300, .smooth = 1, .columns = "g_loss"};
    T2V_CHECK(t2v_media_plot_csv_opts(csv, png, NULL, &only) == T2V_OK, "plot of chosen columns");
    if (test_read_png(png, &img)) {
        int b = colour_pixels(&img, blue, 6, 70, 380, 10, 250, NULL);
        int r = colour_pixels(&img, red, 6, 70, 380, 10, 250, NULL);
        T2V_CHECK(b > 20 && r == 0, "columns=g_loss draws one series only (%d, %d pixels)", b, r);
        free(img.px);
    }

    write_text(csv, "step,d_loss\n");
    T2V_CHECK(t2v_media_plot_csv(csv, png, "empty") == T2V_OK, "a header-only log gives empty axes");
    write_text(csv, "step,d_loss\n0,nan\n1,inf\n2,-inf\n");
    T2V_CHECK(t2v_media_plot_csv(csv, png, "all non-finite") == T2V_OK,
              "a log with only non-finite values still plots");
    write_text(csv, "step,a,b,c,d,e,f,g,h,i,j,k,l\n0,1,2,3,4,5,6,7,8,9,10,11,12\n1,2,3,4,5,6,7,8,9,10,11,12,13\n");
    T2V_CHECK(t2v_media_plot_csv(csv, png, "twelve series") == T2V_OK, "twelve series (colours cycle)");
    ok = test_read_png(png, &img);
    if (ok) {
        int b = colour_pixels(&img, blue, 6, 70, 940, 40, 490, NULL);
        T2V_CHECK(b > 100, "twelve series: first colour drawn (%d pixels)", b);
        free(img.px);
    }

    /* errors */
    snprintf(png, sizeof png, "%s/err.png", dir);
    T2V_CHECK(t2v_media_plot_csv("/nonexistent-t2v-dir/log.csv", png, NULL) == T2V_ERR_IO,
              "missing CSV: IO error");
    write_text(csv, "step,d_loss\n0,1.5\n1,abc\n");
    T2V_CHECK(t2v_media_plot_csv(csv, png, NULL) == T2V_ERR_FORMAT &&
                  strstr(t2v_media_last_error(), "line 3"),
              "non-numeric cell: format error naming line 3 (\"%s\")", t2v_media_last_error());
    write_text(csv, "step,d_loss\n0,1,2\n");
    T2V_CHECK(t2v_media_plot_csv(csv, png, NULL) == T2V_ERR_FORMAT, "row longer than the header refused");
    write_text(csv, "");
    T2V_CHECK(t2v_media_plot_csv(csv, png, NULL) == T2V_ERR_FORMAT, "empty file: no header");
    T2V_CHECK(test_file_size(png) < 0, "failed plots leave no PNG");
    write_text(csv, "step,d_loss\n0,1\n");
    T2V_CHECK(t2v_media_plot_csv(csv, "/nonexistent-t2v-dir/p.png", NULL) == T2V_ERR_IO,
              "unwritable PNG path: IO error");
    t2v_plot_options tiny = {.width = 10, .height = 10};
    T2V_CHECK(t2v_media_plot_csv_opts(csv, png, NULL, &tiny) == T2V_ERR_INVALID,
              "a 10 x 10 plot is refused");
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
    check_log(dir);
    check_small_cases(dir);
    if (argc < 2)
        test_remove_dir(dir);
    return t2v_test_finish();
}
