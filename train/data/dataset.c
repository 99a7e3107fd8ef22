/* Opening a data set by name and the reads every kind shares. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

void t2v_data_options_default(t2v_data_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->split = T2V_SPLIT_TRAIN;
    opts->seed = 1;
    opts->augment = -1;
}

t2v_status t2v_data_open(const t2v_data_options *opts, t2v_dataset **out)
{
    if (!opts || !out || !opts->name)
        return t2v_data_fail(T2V_ERR_INVALID, "t2v_data_open: missing options or name");
    *out = NULL;
    if (opts->split != T2V_SPLIT_TRAIN && opts->split != T2V_SPLIT_TEST)
        return t2v_data_fail(T2V_ERR_INVALID, "split must be train or test");
    if (opts->channels != 0 && opts->channels != 1 && opts->channels != 3)
        return t2v_data_fail(T2V_ERR_INVALID, "channels must be 1 or 3, not %d", opts->channels);
    if (opts->frames < 0 || opts->frames > 4096 || opts->height < 0 || opts->height > 4096 ||
        opts->width < 0 || opts->width > 4096 || opts->hi_height < 0 || opts->hi_height > 4096 ||
        opts->hi_width < 0 || opts->hi_width > 4096 || opts->count < 0 ||
        opts->max_video_frames < 0 || opts->test_every < 0)
        return t2v_data_fail(T2V_ERR_INVALID, "data set sizes out of range");
    if ((opts->hi_height > 0) != (opts->hi_width > 0))
        return t2v_data_fail(T2V_ERR_INVALID, "give both hi_height and hi_width, or neither");

    int bouncing = strcmp(opts->name, "sbmg") == 0 || strcmp(opts->name, "tbmg") == 0;
    if (!(opts->partial >= 0.0f && opts->partial <= 1.0f) || (opts->partial > 0.0f && !bouncing))
        return t2v_data_fail(T2V_ERR_INVALID, "partial captions: a share in [0, 1] of an sbmg "
                             "or tbmg set (got %g for %s)", (double)opts->partial, opts->name);

    t2v_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return t2v_data_fail(T2V_ERR_NOMEM, "out of memory");
    ds->opts = *opts;
    ds->opts.name = NULL; /* data_dir is only read while opening */
    if (ds->opts.height == 0)
        ds->opts.height = 64;
    if (ds->opts.width == 0)
        ds->opts.width = 64;
    ds->info.split = opts->split;
    ds->info.height = ds->opts.height;
    ds->info.width = ds->opts.width;

    const char *name = opts->name;
    t2v_status st;
    if (strcmp(name, "sbmg") == 0)
        st = t2v_bouncing_open(ds, 1);
    else if (strcmp(name, "tbmg") == 0)
        st = t2v_bouncing_open(ds, 2);
    else if (strcmp(name, "scenes") == 0)
        st = t2v_scenes_open(ds);
    else if (strncmp(name, "images:", 7) == 0)
        st = t2v_folder_open(ds, name + 7, 0);
    else if (strncmp(name, "videos:", 7) == 0)
        st = t2v_folder_open(ds, name + 7, 1);
    else
        st = t2v_data_fail(T2V_ERR_INVALID, "unknown data set \"%s\" (sbmg, tbmg, scenes, "
                           "images:<folder>, videos:<folder>)", name);
    ds->opts.data_dir = NULL;
    if (st == T2V_OK)
        ds->info.n_captions = ds->captions.n;
    if (st != T2V_OK) {
        t2v_data_close(ds);
        return st;
    }
    *out = ds;
    return T2V_OK;
}

void t2v_data_close(t2v_dataset *ds)
{
    if (!ds)
        return;
    if (ds->ops && ds->ops->destroy)
        ds->ops->destroy(ds->impl);
    t2v_caption_table_free(&ds->captions);
    free(ds);
}

void t2v_data_get_info(const t2v_dataset *ds, t2v_data_info *info)
{
    *info = ds->info;
}

long t2v_data_count(const t2v_dataset *ds)
{
    return ds->info.count;
}

t2v_status t2v_data_get(const t2v_dataset *ds, long i, uint64_t epoch, float *x, float *x_hi)
{
    if (!ds || !x || i < 0 || i >= ds->info.count)
        return t2v_data_fail(T2V_ERR_INVALID, "t2v_data_get: item %ld out of range (count %ld)",
                             i, ds ? ds->info.count : 0);
    if (x_hi && ds->info.hi_height == 0)
        return t2v_data_fail(T2V_ERR_INVALID, "t2v_data_get: %s has no second resolution",
                             ds->info.name);
    return ds->ops->get(ds, i, epoch, x, x_hi);
}

long t2v_data_caption_index(const t2v_dataset *ds, long i, uint64_t epoch)
{
    if (!ds || i < 0 || i >= ds->info.count)
        return -1;
    return ds->ops->caption_index(ds, i, epoch);
}

const char *t2v_data_caption(const t2v_dataset *ds, long i, uint64_t epoch)
{
    return t2v_caption_table_get(&ds->captions, t2v_data_caption_index(ds, i, epoch));
}

const char *t2v_data_caption_at(const t2v_dataset *ds, long k)
{
    return t2v_caption_table_get(&ds->captions, k);
}

/* Caption k is what the draw wants: a mismatch (near = 0) or a near miss. */
static int wanted(const t2v_dataset *ds, long i, long k, int near)
{
    if (!ds->ops->caption_differences)
        return !near && !ds->ops->caption_matches(ds, i, k);
    int d = ds->ops->caption_differences(ds, i, k);
    return near ? d == 1 : d > 0;
}

/* `tries` random captions, then a scan from a random start, so that rare
 * ones (a few among tens of thousands) stay reachable; -1 when none is. */
static long find_caption(const t2v_dataset *ds, long i, t2v_data_rng *r, int tries, int near)
{
    long n = ds->captions.n;
    for (int t = 0; t < tries; t++) {
        long k = t2v_data_rng_below(r, n);
        if (wanted(ds, i, k, near))
            return k;
    }
    long start = t2v_data_rng_below(r, n);
    for (long j = 0; j < n; j++) {
        long k = (start + j) % n;
        if (wanted(ds, i, k, near))
            return k;
    }
    return -1;
}

long t2v_data_mismatched_caption(const t2v_dataset *ds, long i, uint64_t epoch, uint64_t draw)
{
    if (!ds || i < 0 || i >= ds->info.count || ds->captions.n == 0)
        return -1;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch * 0x10001 + draw,
                                      T2V_STREAM_MISMATCH);
    return find_caption(ds, i, &r, 64, 0);
}

long t2v_data_near_mismatched_caption(const t2v_dataset *ds, long i, uint64_t epoch,
                                      uint64_t draw)
{
    if (!ds || i < 0 || i >= ds->info.count || ds->captions.n == 0 ||
        !ds->ops->caption_differences)
        return -1;
    t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch * 0x10001 + draw,
                                      T2V_STREAM_NEAR_MISS);
    return find_caption(ds, i, &r, 256, 1);
}

long t2v_data_swapped_caption(const t2v_dataset *ds, long i, uint64_t epoch)
{
    if (!ds || i < 0 || i >= ds->info.count || !ds->ops->swapped_caption)
        return -1;
    return ds->ops->swapped_caption(ds, i, epoch);
}

int t2v_data_has_role_swaps(const t2v_dataset *ds)
{
    return ds && ds->ops->swapped_caption;
}

long t2v_data_training_mismatch(const t2v_dataset *ds, long i, uint64_t epoch, uint64_t draw,
                                float near_share, float swap_share)
{
    if (!ds || i < 0 || i >= ds->info.count)
        return -1;
    if (swap_share > 0.0f) {
        t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch * 0x10001 + draw,
                                          T2V_STREAM_SWAP_COIN);
        if (t2v_data_rng_uniform(&r) < swap_share) {
            long k = t2v_data_swapped_caption(ds, i, epoch);
            if (k >= 0)
                return k;
        }
    }
    if (near_share > 0.0f) {
        t2v_data_rng r = t2v_data_rng_for(ds->opts.seed, (uint64_t)i, epoch * 0x10001 + draw,
                                          T2V_STREAM_NEAR_COIN);
        if (t2v_data_rng_uniform(&r) < near_share) {
            long k = t2v_data_near_mismatched_caption(ds, i, epoch, draw);
            if (k >= 0)
                return k;
        }
    }
    return t2v_data_mismatched_caption(ds, i, epoch, draw);
}

t2v_status t2v_data_attributes(const t2v_dataset *ds, long i, t2v_data_attrs *attrs)
{
    if (!ds || !attrs || i < 0 || i >= ds->info.count)
        return t2v_data_fail(T2V_ERR_INVALID, "t2v_data_attributes: item %ld out of range", i);
    return ds->ops->attributes(ds, i, attrs);
}

int t2v_data_has_object_pictures(const t2v_dataset *ds)
{
    return ds && ds->ops->object_picture;
}

t2v_status t2v_data_object_picture(const t2v_dataset *ds, long i, int canvas, int side,
                                   float *out)
{
    if (!ds || !out || i < 0 || i >= ds->info.count)
        return t2v_data_fail(T2V_ERR_INVALID, "t2v_data_object_picture: item %ld out of range",
                             i);
    if (!ds->ops->object_picture)
        return t2v_data_fail(T2V_ERR_INVALID, "data set %s has no object pictures (only "
                             "generated scenes know their object apart from the image)",
                             ds->info.name);
    if (canvas < 1 || side < 1 || side > 4096 || canvas > 4096)
        return t2v_data_fail(T2V_ERR_INVALID, "object picture of side %d on a canvas of %d",
                             side, canvas);
    return ds->ops->object_picture(ds, i, canvas, side, out);
}

const char *t2v_data_attr_value_name(const t2v_dataset *ds, int a, int v)
{
    if (!ds || a < 0 || a >= ds->info.schema.n || v < 0 ||
        v >= ds->info.schema.attr[a].n_classes || !ds->ops->value_name)
        return NULL;
    return ds->ops->value_name(ds, a, v);
}
