/* Palette selection for GIF: exact grey, exact small colour sets, or median cut. */
#include <stdlib.h>
#include <string.h>

#include "gif_palette.h"
#include "media_internal.h"

#define HIST_BINS 32768 /* 5 bits per channel */

static unsigned key15(const uint8_t *c)
{
    return ((unsigned)(c[0] >> 3) << 10) | ((unsigned)(c[1] >> 3) << 5) | (unsigned)(c[2] >> 3);
}

static uint32_t colour_key(const uint8_t *c)
{
    return ((uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2]) + 1;
}

static unsigned colour_slot(uint32_t key)
{
    return (key * 2654435761u) >> 22; /* 10 bits */
}

/* Collects the distinct colours into the palette and its hash; returns their
 * count, or 257 when there are more than 256. */
static int distinct_colours(t2v_gif_palette *pal, const uint8_t *px, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = colour_key(px + 3 * i);
        unsigned h = colour_slot(v);
        while (pal->slot_key[h] && pal->slot_key[h] != v)
            h = (h + 1) & 1023u;
        if (pal->slot_key[h])
            continue;
        if (count == 256)
            return 257;
        pal->slot_key[h] = v;
        pal->slot_index[h] = (uint8_t)count;
        memcpy(pal->rgb[count++], px + 3 * i, 3);
    }
    return count;
}

/* One occupied histogram bin: its pixel count and 8-bit channel sums. */
typedef struct bin {
    uint64_t count;
    uint64_t sum[3];
    uint8_t q[3]; /* 5-bit coordinates */
} bin;

typedef struct box {
    int lo, hi; /* bins[lo, hi) */
    uint64_t pixels;
} box;

/* Stable counting sort of bins[lo, hi) by one 5-bit coordinate. */
static void sort_bins(bin *bins, int lo, int hi, int axis, bin *tmp)
{
    int start[33] = {0};
    for (int i = lo; i < hi; i++)
        start[bins[i].q[axis] + 1]++;
    for (int v = 0; v < 32; v++)
        start[v + 1] += start[v];
    for (int i = lo; i < hi; i++)
        tmp[start[bins[i].q[axis]]++] = bins[i];
    memcpy(bins + lo, tmp, (size_t)(hi - lo) * sizeof *bins);
}

/* The longest axis of a box and its extent. */
static int box_axis(const bin *bins, const box *bx, int *extent)
{
    int lo[3] = {31, 31, 31}, hi[3] = {0, 0, 0};
    for (int i = bx->lo; i < bx->hi; i++)
        for (int c = 0; c < 3; c++) {
            if (bins[i].q[c] < lo[c])
                lo[c] = bins[i].q[c];
            if (bins[i].q[c] > hi[c])
                hi[c] = bins[i].q[c];
        }
    int axis = 0;
    for (int c = 1; c < 3; c++)
        if (hi[c] - lo[c] > hi[axis] - lo[axis])
            axis = c;
    *extent = hi[axis] - lo[axis];
    return axis;
}

static int median_cut(t2v_gif_palette *pal, const uint8_t *px, size_t n)
{
    bin *hist = calloc(2 * HIST_BINS, sizeof *hist); /* bins, then sort scratch */
    if (!hist)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *c = px + 3 * i;
        bin *b = &hist[key15(c)];
        b->count++;
        for (int k = 0; k < 3; k++)
            b->sum[k] += c[k];
    }
    int used = 0;
    for (unsigned k = 0; k < HIST_BINS; k++) {
        if (!hist[k].count)
            continue;
        hist[used] = hist[k];
        hist[used].q[0] = (uint8_t)(k >> 10);
        hist[used].q[1] = (uint8_t)((k >> 5) & 31);
        hist[used].q[2] = (uint8_t)(k & 31);
        used++;
    }
    box boxes[256];
    int nbox = 1;
    boxes[0] = (box){0, used, n};
    while (nbox < 256) {
        /* split the most populous box that still spans more than one bin */
        int pick = -1, axis = 0, extent = 0;
        for (int b = 0; b < nbox; b++) {
            if (boxes[b].hi - boxes[b].lo < 2)
                continue;
            if (pick < 0 || boxes[b].pixels > boxes[pick].pixels)
                pick = b;
        }
        if (pick < 0)
            break;
        axis = box_axis(hist, &boxes[pick], &extent);
        box *bx = &boxes[pick];
        sort_bins(hist, bx->lo, bx->hi, axis, hist + HIST_BINS);
        uint64_t half = bx->pixels / 2, acc = 0;
        int cut = bx->lo + 1;
        for (int i = bx->lo; i < bx->hi - 1; i++) {
            acc += hist[i].count;
            cut = i + 1;
            if (acc >= half)
                break;
        }
        uint64_t left = 0;
        for (int i = bx->lo; i < cut; i++)
            left += hist[i].count;
        boxes[nbox] = (box){cut, bx->hi, bx->pixels - left};
        bx->hi = cut;
        bx->pixels = left;
        nbox++;
    }
    for (int b = 0; b < nbox; b++) {
        uint64_t cnt = 0, sum[3] = {0, 0, 0};
        for (int i = boxes[b].lo; i < boxes[b].hi; i++) {
            cnt += hist[i].count;
            for (int c = 0; c < 3; c++)
                sum[c] += hist[i].sum[c];
        }
        for (int c = 0; c < 3; c++)
            pal->rgb[b][c] = (uint8_t)(cnt ? (sum[c] + cnt / 2) / cnt : 0);
    }
    pal->count = nbox;
    free(hist);
    return 1;
}

int t2v_gif_palette_build(t2v_gif_palette *pal, const uint8_t *px, size_t n)
{
    memset(pal, 0, sizeof *pal);
    pal->nearest = malloc(HIST_BINS * sizeof *pal->nearest);
    if (!pal->nearest)
        return 0;
    memset(pal->nearest, 0xff, HIST_BINS * sizeof *pal->nearest);
    if (t2v_media_rgb_is_grey(px, n)) {
        for (int i = 0; i < 256; i++)
            pal->rgb[i][0] = pal->rgb[i][1] = pal->rgb[i][2] = (uint8_t)i;
        pal->count = 256;
        pal->grey = 1;
        pal->exact = 1;
        return 1;
    }
    int k = distinct_colours(pal, px, n);
    if (k <= 256) {
        pal->count = k;
        pal->exact = 1;
        return 1;
    }
    memset(pal->slot_key, 0, sizeof pal->slot_key);
    return median_cut(pal, px, n);
}

static int nearest_entry(const t2v_gif_palette *pal, const uint8_t *c)
{
    int best = 0;
    long best_d = -1;
    for (int i = 0; i < pal->count; i++) {
        long dr = (long)pal->rgb[i][0] - c[0], dg = (long)pal->rgb[i][1] - c[1],
             db = (long)pal->rgb[i][2] - c[2];
        long d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

uint8_t t2v_gif_palette_index(t2v_gif_palette *pal, const uint8_t rgb[3])
{
    if (pal->grey && rgb[0] == rgb[1] && rgb[1] == rgb[2])
        return rgb[0];
    if (pal->exact && !pal->grey) {
        uint32_t v = colour_key(rgb);
        for (unsigned h = colour_slot(v); pal->slot_key[h]; h = (h + 1) & 1023u)
            if (pal->slot_key[h] == v)
                return pal->slot_index[h];
    }
    unsigned k = key15(rgb);
    if (pal->nearest[k] == 0xffff) {
        uint8_t centre[3] = {(uint8_t)((rgb[0] & 0xf8) | 4), (uint8_t)((rgb[1] & 0xf8) | 4),
                             (uint8_t)((rgb[2] & 0xf8) | 4)};
        pal->nearest[k] = (uint16_t)nearest_entry(pal, centre);
    }
    return (uint8_t)pal->nearest[k];
}

void t2v_gif_palette_free(t2v_gif_palette *pal)
{
    free(pal->nearest);
    pal->nearest = NULL;
}
