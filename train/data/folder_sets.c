/* "images:<folder>" and "videos:<folder>": the user's own captioned media.
 *
 * Every image / video file under the folder (sorted, sub-folders included)
 * with a caption file is decoded once at open time into uint8 frames of a
 * slightly larger size than asked (19/16, as StackGAN does), so reads only
 * cut a crop out (random + horizontal flip when augmenting, the middle
 * otherwise). Caption files: <name>.txt next to the file, or the same
 * relative path under a parallel text/ folder (../text or ./text), one
 * caption per line. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "av_decode.h"
#include "data_internal.h"
#include "resample.h"

#define FOLDER_MAX_DEPTH 4
#define FOLDER_DECODE_CAP 2048 /* frames decoded per video at most (even sampling) */

typedef struct folder_item {
    uint8_t *pixels; /* (n_frames, sh, sw, C) */
    int n_frames;
    long *captions;  /* indices into the caption table */
    int n_captions;
} folder_item;

typedef struct folder_set {
    int videos;
    int sh, sw;      /* stored size */
    int bh, bw;      /* crop size at the base resolution (hi when set) */
    int augment;
    long n_items;
    folder_item *items;
} folder_set;

typedef struct path_list {
    char **paths;
    long n, cap;
} path_list;

static const char *const image_exts[] = {"png", "jpg", "jpeg", "bmp", "ppm", "pgm", "webp",
                                         "tif", "tiff", NULL};
static const char *const video_exts[] = {"mp4", "mkv", "webm", "avi", "mov", "m4v", "mpg",
                                         "mpeg", "ogv", "gif", "flv", "ts", "y4m", NULL};

static int has_ext(const char *name, const char *const *exts)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return 0;
    for (int k = 0; exts[k]; k++)
        if (strcasecmp(dot + 1, exts[k]) == 0)
            return 1;
    return 0;
}

static int path_list_add(path_list *l, const char *path)
{
    if (l->n == l->cap) {
        long cap = l->cap ? l->cap * 2 : 64;
        char **paths = realloc(l->paths, (size_t)cap * sizeof *paths);
        if (!paths)
            return -1;
        l->paths = paths;
        l->cap = cap;
    }
    l->paths[l->n] = strdup(path);
    return l->paths[l->n] ? (int)(l->n++ * 0) : -1;
}

static void path_list_free(path_list *l)
{
    for (long k = 0; k < l->n; k++)
        free(l->paths[k]);
    free(l->paths);
}

/* Relative paths (to root) of media files under dir. */
static int folder_walk(const char *root, const char *rel, int depth, const char *const *exts,
                       path_list *out)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return depth == 0 ? -1 : 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096], full[8200];
        if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
                sizeof sub ||
            (size_t)snprintf(full, sizeof full, "%s/%s", root, sub) >= sizeof full)
            continue; /* a path too long to open */
        struct stat s;
        if (stat(full, &s) != 0)
            continue;
        if (S_ISDIR(s.st_mode)) {
            if (depth + 1 < FOLDER_MAX_DEPTH && !(depth == 0 && strcmp(e->d_name, "text") == 0))
                rc = folder_walk(root, sub, depth + 1, exts, out);
        } else if (S_ISREG(s.st_mode) && has_ext(e->d_name, exts)) {
            rc = path_list_add(out, sub);
        }
    }
    closedir(d);
    return rc;
}

static void free_lines(char **lines, int n)
{
    for (int k = 0; k < n; k++)
        free(lines[k]);
    free(lines);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the caption lines of root/rel (copies, trimmed, empty lines
 * dropped). Returns the number of captions (0 when there is no caption
 * file or it is empty), -1 when out of memory. */
static int folder_captions(const char *root, const char *rel, char ***out)
{
    char base[4096];
    snprintf(base, sizeof base, "%s", rel);
    char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    char candidates[3][4200];
    snprintf(candidates[0], sizeof candidates[0], "%s/%s.txt", root, base);
    snprintf(candidates[1], sizeof candidates[1], "%s/../text/%s.txt", root, base);
    snprintf(candidates[2], sizeof candidates[2], "%s/text/%s.txt", root, base);
    FILE *f = NULL;
    for (int k = 0; k < 3 && !f; k++)
        f = fopen(candidates[k], "r");
    *out = NULL;
    if (!f)
        return 0;
    int n = 0, cap = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *s = line, *e = line + strlen(line);
        while (*s && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (!*s)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char **grown = realloc(*out, (size_t)cap * sizeof **out);
            if (!grown)
                break;
            *out = grown;
        }
        if (!((*out)[n] = strdup(s)))
            break;
        n++;
    }
    int failed = !feof(f);
    fclose(f);
    if (failed) {
        free_lines(*out, n);
        *out = NULL;
        return -1;
    }
    return n;
}

typedef struct frame_sink {
    uint8_t *frames;
    long n, cap, max;
    size_t frame_bytes;
    int failed;
} frame_sink;

static int sink_frame(void *user, const uint8_t *pixels)
{
    frame_sink *s = user;
    if (s->n == s->cap) {
        long cap = s->cap ? s->cap * 2 : 16;
        cap = cap > s->max ? s->max : cap;
        uint8_t *grown = realloc(s->frames, (size_t)cap * s->frame_bytes);
        if (!grown) {
            s->failed = 1;
            return 1;
        }
        s->frames = grown;
        s->cap = cap;
    }
    memcpy(s->frames + (size_t)s->n * s->frame_bytes, pixels, s->frame_bytes);
    s->n++;
    return s->n >= s->max;
}

/* Decodes one file into item->pixels. T2V_ERR_FORMAT: skip the file. */
static t2v_status folder_decode(const t2v_dataset *ds, const folder_set *set, const char *path,
                                folder_item *item)
{
    const t2v_data_options *o = &ds->opts;
    int C = ds->info.channels, T = ds->info.frames;
    frame_sink sink = {.frame_bytes = (size_t)set->sh * set->sw * C};
    if (!set->videos)
        sink.max = 1;
    else if (o->sampling == T2V_FRAMES_CONSECUTIVE)
        sink.max = o->max_video_frames ? o->max_video_frames : 4 * T;
    else
        sink.max = FOLDER_DECODE_CAP;
    long n = 0;
    t2v_status st = t2v_av_decode(path, C, set->sh, set->sw, sink_frame, &sink, &n);
    if (st == T2V_OK && sink.failed)
        st = t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
    if (st != T2V_OK) {
        free(sink.frames);
        return st;
    }
    if (set->videos && o->sampling == T2V_FRAMES_EVEN && sink.n != T) {
        /* Keep T frames spread evenly: frame k is the middle of slice k. */
        uint8_t *kept = malloc((size_t)T * sink.frame_bytes);
        if (!kept) {
            free(sink.frames);
            return t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
        }
        for (int k = 0; k < T; k++) {
            long src = (long)((k + 0.5) * (double)sink.n / T);
            memcpy(kept + (size_t)k * sink.frame_bytes,
                   sink.frames + (size_t)src * sink.frame_bytes, sink.frame_bytes);
        }
        free(sink.frames);
        sink.frames = kept;
        sink.n = T;
    }
    item->pixels = sink.frames;
    item->n_frames = (int)sink.n;
    return T2V_OK;
}

/* Writes frame f of item at crop (ox, oy) of size (h, w), flipped or not,
 * into dst: (C, h, w) planes with plane stride plane. */
static void crop_frame(const folder_set *set, const folder_item *item, int C, int f, int ox,
                       int oy, int h, int w, int flip, float *dst, size_t plane)
{
    const uint8_t *src = item->pixels + (size_t)f * set->sh * set->sw * C;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx = ox + (flip ? w - 1 - x : x);
            const uint8_t *p = src + ((size_t)(oy + y) * set->sw + sx) * C;
            for (int c = 0; c < C; c++)
                dst[c * plane + (size_t)y * w + x] = t2v_data_u8_to_float(p[c]);
        }
}

static t2v_status folder_get(const t2v_dataset *ds, long i, uint64_t epoch, float *x,
                             float *x_hi)
{
    const folder_set *set = ds->impl;
    const folder_item *item = &set->items[i];
    int C = ds->info.channels, T = ds->info.frames, H = ds->info.height, W = ds->info.width;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch, T2V_STREAM_AUGMENT);
    int ox = (set->sw - set->bw) / 2, oy = (set->sh - set->bh) / 2, flip = 0;
    if (set->augment) {
        ox = (int)t2v_data_rng_below(&r, set->sw - set->bw + 1);
        oy = (int)t2v_data_rng_below(&r, set->sh - set->bh + 1);
        flip = (int)t2v_data_rng_below(&r, 2);
    }
    int start = 0;
    if (set->videos && ds->opts.sampling == T2V_FRAMES_CONSECUTIVE && item->n_frames > T)
        start = (int)t2v_data_rng_below(&r, item->n_frames - T + 1);
    int hi = ds->info.hi_height > 0;
    float *base = NULL;
    if (hi && !x_hi) {
        base = malloc((size_t)C * set->bh * set->bw * sizeof *base);
        if (!base)
            return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    }
    size_t hw = (size_t)H * W, bhw = (size_t)set->bh * set->bw;
    int failed = 0;
    for (int t = 0; t < T; t++) {
        int f = start + t < item->n_frames ? start + t : item->n_frames - 1;
        if (!hi) {
            crop_frame(set, item, C, f, ox, oy, H, W, flip, x + (size_t)t * hw, (size_t)T * hw);
            continue;
        }
        /* x_hi: (C, T, bh, bw); the low resolution is its area average */
        float *b = x_hi ? x_hi + (size_t)t * bhw : base;
        size_t b_plane = x_hi ? (size_t)T * bhw : bhw;
        crop_frame(set, item, C, f, ox, oy, set->bh, set->bw, flip, b, b_plane);
        for (int c = 0; c < C; c++)
            failed |= t2v_data_resample_area(b + c * b_plane, set->bh, set->bw, set->bw,
                                             x + ((size_t)c * T + t) * hw, H, W);
    }
    free(base);
    return failed ? t2v_data_fail(T2V_ERR_NOMEM, "out of memory") : T2V_OK;
}

static long folder_caption_index(const t2v_dataset *ds, long i, uint64_t epoch)
{
    const folder_item *item = &((const folder_set *)ds->impl)->items[i];
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch, T2V_STREAM_CAPTION);
    return item->captions[t2v_data_rng_below(&r, item->n_captions)];
}

static int folder_caption_matches(const t2v_dataset *ds, long i, long k)
{
    const folder_item *item = &((const folder_set *)ds->impl)->items[i];
    for (int j = 0; j < item->n_captions; j++)
        if (item->captions[j] == k)
            return 1;
    return 0;
}

static t2v_status folder_attributes(const t2v_dataset *ds, long i, t2v_data_attrs *attrs)
{
    (void)i;
    *attrs = ds->info.schema;
    return T2V_OK;
}

static void folder_destroy(void *impl)
{
    folder_set *set = impl;
    if (!set)
        return;
    for (long k = 0; k < set->n_items; k++) {
        free(set->items[k].pixels);
        free(set->items[k].captions);
    }
    free(set->items);
    free(set);
}

static const t2v_data_ops folder_ops = {
    .get = folder_get,
    .caption_index = folder_caption_index,
    .caption_matches = folder_caption_matches,
    .attributes = folder_attributes,
    .value_name = NULL,
    .destroy = folder_destroy,
};

t2v_status t2v_folder_open(t2v_dataset *ds, const char *folder, int videos)
{
    const t2v_data_options *o = &ds->opts;
    folder_set *set = calloc(1, sizeof *set);
    if (!set)
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    ds->impl = set;
    ds->ops = &folder_ops;
    set->videos = videos;
    ds->info.name = videos ? "videos" : "images";
    ds->info.channels = o->channels ? o->channels : 3;
    ds->info.frames = videos ? (o->frames ? o->frames : 16) : 1;
    if (!videos && o->frames > 1)
        return t2v_data_fail(T2V_ERR_INVALID, "images:%s: an image set has one frame", folder);
    ds->info.hi_height = o->hi_height;
    ds->info.hi_width = o->hi_width;
    if (o->hi_height && (o->hi_height < ds->info.height || o->hi_width < ds->info.width))
        return t2v_data_fail(T2V_ERR_INVALID, "the second resolution must not be smaller");
    set->bh = o->hi_height ? o->hi_height : ds->info.height;
    set->bw = o->hi_width ? o->hi_width : ds->info.width;
    set->sh = (set->bh * 19 + 8) / 16;
    set->sw = (set->bw * 19 + 8) / 16;
    set->augment = o->augment < 0 ? o->split == T2V_SPLIT_TRAIN : o->augment != 0;

    path_list files = {0};
    if (folder_walk(folder, "", 0, videos ? video_exts : image_exts, &files) != 0) {
        path_list_free(&files);
        return t2v_data_fail(T2V_ERR_IO, "%s: cannot read the folder", folder);
    }
    if (files.n > 1)
        qsort(files.paths, (size_t)files.n, sizeof *files.paths, compare_paths);

    long n_split = 0;
    for (long k = 0; k < files.n; k++)
        if (o->test_every == 0 || (k % o->test_every == o->test_every - 1) == (o->split == 1))
            n_split++;
    size_t frames_each = !videos ? 1 : (o->sampling == T2V_FRAMES_CONSECUTIVE
                                            ? (size_t)(o->max_video_frames ? o->max_video_frames
                                                                           : 4 * ds->info.frames)
                                            : (size_t)ds->info.frames);
    size_t item_bytes = frames_each * set->sh * set->sw * ds->info.channels;
    size_t limit = o->max_bytes ? o->max_bytes : ((size_t)2 << 30);
    if (n_split > 0 && item_bytes * (size_t)n_split > limit) {
        path_list_free(&files);
        return t2v_data_fail(T2V_ERR_NOMEM, "%s: %ld files of up to %zu bytes each need %zu MiB, "
                             "more than the limit of %zu MiB (max_bytes)", folder, n_split,
                             item_bytes, item_bytes * (size_t)n_split >> 20, limit >> 20);
    }
    set->items = calloc((size_t)(n_split ? n_split : 1), sizeof *set->items);
    if (!set->items) {
        path_list_free(&files);
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    }
    t2v_status st = T2V_OK;
    for (long k = 0; k < files.n && st == T2V_OK; k++) {
        if (!(o->test_every == 0 || (k % o->test_every == o->test_every - 1) == (o->split == 1)))
            continue;
        folder_item *item = &set->items[set->n_items];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", folder, files.paths[k]);
        char **lines;
        int n = folder_captions(folder, files.paths[k], &lines);
        if (n < 0) {
            st = t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
            break;
        }
        if (n == 0) {
            t2v_data_warn(o, "skipped %s: no caption file (<name>.txt next to it or in a "
                          "parallel text/ folder, one caption per line)", path);
            continue;
        }
        t2v_status dst = folder_decode(ds, set, path, item);
        if (dst == T2V_ERR_FORMAT || dst == T2V_ERR_IO) {
            t2v_data_warn(o, "skipped %s: %s", path, t2v_data_last_error());
            free_lines(lines, n);
            continue;
        }
        item->captions = dst == T2V_OK ? malloc((size_t)n * sizeof *item->captions) : NULL;
        if (dst == T2V_OK && !item->captions)
            dst = t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
        for (int j = 0; j < n && dst == T2V_OK; j++) {
            long c = t2v_caption_table_add(&ds->captions, lines[j]);
            if (c < 0)
                dst = t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
            item->captions[j] = c;
        }
        free_lines(lines, n);
        item->n_captions = n;
        set->n_items++; /* counted even on failure, so destroy frees it */
        st = dst;
    }
    path_list_free(&files);
    if (st != T2V_OK)
        return st;
    if (set->n_items == 0)
        return t2v_data_fail(T2V_ERR_INVALID, "%s:%s: no usable %s with captions%s",
                             ds->info.name, folder, videos ? "video" : "image",
                             o->test_every ? " in this split" : "");
    ds->info.count = set->n_items;
    return T2V_OK;
}
