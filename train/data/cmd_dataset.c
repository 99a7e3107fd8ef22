/* `txt2vid dataset ...`: building the glyph caches, describing the data
 * sets and previewing them as a captioned contact sheet + animated GIF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/log.h>

#include "../media/media.h"
#include "dataset.h"
#include "glyph_cache.h"

int t2v_cmd_dataset(int argc, char **argv);

static void dataset_usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid dataset cache [--data-dir DIR] [--fashion-dir DIR] [--force]\n"
            "       txt2vid dataset stats [--data-dir DIR] [NAME...]\n"
            "       txt2vid dataset preview NAME [--split train|test] [-n N] [--frames T]\n"
            "                               [--size S] [--hi] [--seed N] [--data-dir DIR]\n"
            "                               [--out PREFIX]\n"
            "NAME: sbmg, tbmg, scenes, images:<folder>, videos:<folder>\n"
            "cache   builds mnist.t2vg and fashion-mnist.t2vg from the sources that\n"
            "        scripts/fetch-data.sh fetched (skipped when valid ones exist)\n"
            "stats   counts, sizes, captions and attributes of each split\n"
            "preview writes PREFIX.png (frame strips) and PREFIX.gif (animated), each\n"
            "        sample captioned; default PREFIX: NAME-preview\n");
}

static void print_warning(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "txt2vid dataset: warning: %s\n", message);
}

/* The value after argv[*i] (advancing *i), or NULL with a message. */
static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "txt2vid dataset: %s needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int cache_is_valid(const char *dir, const char *file, long *count, long *bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    t2v_glyphs g;
    if (t2v_glyphs_read(path, &g) != T2V_OK)
        return 0;
    *count = g.count;
    struct stat s;
    *bytes = stat(path, &s) == 0 ? (long)s.st_size : -1;
    t2v_glyphs_free(&g);
    return 1;
}

static int cmd_cache(int argc, char **argv)
{
    const char *data_dir = NULL, *fashion_dir = NULL;
    int force = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0) {
            if (!(data_dir = option_value(argc, argv, &i)))
                return 2;
        } else if (strcmp(argv[i], "--fashion-dir") == 0) {
            if (!(fashion_dir = option_value(argc, argv, &i)))
                return 2;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else {
            dataset_usage(stderr);
            return 2;
        }
    }
    char dir[3072];
    if (!t2v_data_cache_dir(data_dir, dir, sizeof dir)) {
        fprintf(stderr, "txt2vid dataset: data directory path too long\n");
        return 1;
    }
    static const char *files[2] = {T2V_GLYPH_MNIST_FILE, T2V_GLYPH_FASHION_FILE};
    long count[2], bytes[2];
    int valid = cache_is_valid(dir, files[0], &count[0], &bytes[0]) &&
                cache_is_valid(dir, files[1], &count[1], &bytes[1]);
    if (!valid || force) {
        if (t2v_data_build_caches(dir, fashion_dir) != T2V_OK) {
            fprintf(stderr, "txt2vid dataset cache: %s\n", t2v_data_last_error());
            return 1;
        }
        for (int k = 0; k < 2; k++)
            if (!cache_is_valid(dir, files[k], &count[k], &bytes[k])) {
                fprintf(stderr, "txt2vid dataset cache: %s/%s: %s\n", dir, files[k],
                        t2v_data_last_error());
                return 1;
            }
    }
    for (int k = 0; k < 2; k++)
        printf("%s %s/%s: %ld glyphs, %ld bytes\n", valid && !force ? "up to date" : "built",
               dir, files[k], count[k], bytes[k]);
    return 0;
}

static int print_stats(const char *name, const char *data_dir)
{
    for (int split = 0; split < 2; split++) {
        t2v_data_options o;
        t2v_data_options_default(&o);
        o.name = name;
        o.split = (t2v_data_split)split;
        o.data_dir = data_dir;
        o.warn = print_warning;
        t2v_dataset *ds;
        if (t2v_data_open(&o, &ds) != T2V_OK) {
            fprintf(stderr, "txt2vid dataset stats: %s: %s\n", name, t2v_data_last_error());
            return 1;
        }
        t2v_data_info info;
        t2v_data_get_info(ds, &info);
        printf("%s %s: %ld items of (C %d, T %d, H %d, W %d)", info.name,
               split ? "test" : "train", info.count, info.channels, info.frames, info.height,
               info.width);
        if (info.hi_height)
            printf(" + (C %d, T %d, H %d, W %d)", info.channels, info.frames, info.hi_height,
                   info.hi_width);
        printf(", %ld distinct captions, e.g. \"%s\"\n", info.n_captions,
               t2v_data_caption(ds, 0, 0));
        for (int a = 0; a < info.schema.n; a++)
            printf("  attribute %s: %d classes\n", info.schema.attr[a].name,
                   info.schema.attr[a].n_classes);
        t2v_data_close(ds);
    }
    return 0;
}

static int cmd_stats(int argc, char **argv)
{
    const char *data_dir = NULL;
    const char *names[16];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0) {
            if (!(data_dir = option_value(argc, argv, &i)))
                return 2;
        } else if (n < 16) {
            names[n++] = argv[i];
        }
    }
    if (n == 0) {
        names[n++] = "sbmg";
        names[n++] = "tbmg";
        names[n++] = "scenes";
    }
    int rc = 0;
    for (int k = 0; k < n; k++)
        rc |= print_stats(names[k], data_dir);
    return rc;
}

static int cmd_preview(int argc, char **argv)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.warn = print_warning;
    int n = 16, hi = 0;
    const char *prefix = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (argv[i][0] != '-') {
            o.name = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--hi") == 0) {
            hi = 1;
            continue;
        }
        if (!(v = option_value(argc, argv, &i)))
            return 2;
        if (strcmp(argv[i - 1], "--split") == 0)
            o.split = strcmp(v, "test") == 0 ? T2V_SPLIT_TEST : T2V_SPLIT_TRAIN;
        else if (strcmp(argv[i - 1], "-n") == 0)
            n = atoi(v);
        else if (strcmp(argv[i - 1], "--frames") == 0)
            o.frames = atoi(v);
        else if (strcmp(argv[i - 1], "--size") == 0)
            o.height = o.width = atoi(v);
        else if (strcmp(argv[i - 1], "--seed") == 0)
            o.seed = strtoull(v, NULL, 10);
        else if (strcmp(argv[i - 1], "--data-dir") == 0)
            o.data_dir = v;
        else if (strcmp(argv[i - 1], "--out") == 0)
            prefix = v;
        else {
            dataset_usage(stderr);
            return 2;
        }
    }
    if (!o.name || n < 1 || n > 256) {
        dataset_usage(stderr);
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    t2v_dataset *ds;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        fprintf(stderr, "txt2vid dataset preview: %s\n", t2v_data_last_error());
        return 1;
    }
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    if (hi && info.hi_height == 0) {
        fprintf(stderr, "txt2vid dataset preview: %s has no second resolution\n", info.name);
        t2v_data_close(ds);
        return 2;
    }
    n = n < info.count ? n : (int)info.count;
    int H = hi ? info.hi_height : info.height, W = hi ? info.hi_width : info.width;
    size_t lo_size = (size_t)info.channels * info.frames * info.height * info.width;
    size_t size = (size_t)info.channels * info.frames * H * W;
    float *data = malloc((size_t)n * size * sizeof *data);
    float *scratch = hi ? malloc(lo_size * sizeof *scratch) : NULL;
    t2v_clip_view *clips = calloc((size_t)n, sizeof *clips);
    const char **captions = calloc((size_t)n, sizeof *captions);
    int rc = 0;
    if (!data || !clips || !captions || (hi && !scratch)) {
        fprintf(stderr, "txt2vid dataset preview: out of memory\n");
        rc = 1;
    }
    for (int k = 0; k < n && rc == 0; k++) {
        long i = (long)((double)k * info.count / n);
        float *x = data + (size_t)k * size;
        if (t2v_data_get(ds, i, 0, hi ? scratch : x, hi ? x : NULL) != T2V_OK) {
            fprintf(stderr, "txt2vid dataset preview: %s\n", t2v_data_last_error());
            rc = 1;
        }
        clips[k] = (t2v_clip_view){x, info.channels, info.frames, H, W};
        captions[k] = t2v_data_caption(ds, i, 0);
    }
    char png[4096], gif[4096], fallback[512];
    if (!prefix) {
        snprintf(fallback, sizeof fallback, "%s-preview", info.name);
        prefix = fallback;
    }
    snprintf(png, sizeof png, "%s.png", prefix);
    snprintf(gif, sizeof gif, "%s.gif", prefix);
    if (rc == 0) {
        t2v_sheet_options so = {0};
        so.scale = hi ? 1 : 0;
        so.fps = 8;
        if (t2v_media_write_sheet_opts(png, info.frames > 1 ? gif : NULL, clips, captions, n,
                                       &so) != T2V_OK) {
            fprintf(stderr, "txt2vid dataset preview: %s\n", t2v_media_last_error());
            rc = 1;
        } else {
            printf("wrote %s", png);
            if (info.frames > 1)
                printf(" and %s", gif);
            printf(" (%d samples of %s %s)\n", n, info.name,
                   info.split ? "test" : "train");
        }
    }
    free(data);
    free(scratch);
    free(clips);
    free(captions);
    t2v_data_close(ds);
    return rc;
}

/* argv[0] is the command's own name ("dataset"), as in a main(). */
int t2v_cmd_dataset(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "dataset") == 0) {
        argc--;
        argv++;
    }
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        dataset_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (strcmp(argv[0], "cache") == 0)
        return cmd_cache(argc - 1, argv + 1);
    if (strcmp(argv[0], "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    if (strcmp(argv[0], "preview") == 0)
        return cmd_preview(argc - 1, argv + 1);
    fprintf(stderr, "txt2vid dataset: unknown command \"%s\"\n", argv[0]);
    dataset_usage(stderr);
    return 2;
}
