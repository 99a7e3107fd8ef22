/* Choosing a 256-entry palette for RGB frames and mapping pixels to it. */
#ifndef TXT2VID_GIF_PALETTE_H
#define TXT2VID_GIF_PALETTE_H

#include <stddef.h>
#include <stdint.h>

typedef struct t2v_gif_palette {
    uint8_t rgb[256][3];
    int count;          /* entries in use, 1..256 */
    int grey;           /* 1: entry i is grey level i */
    int exact;          /* 1: every input colour is in the palette */
    uint32_t slot_key[1024]; /* exact mode: colour + 1 per hash slot, 0 = empty */
    uint8_t slot_index[1024];
    uint16_t *nearest;  /* (32768) index cache keyed by 5-bit RGB, 0xffff = unknown */
} t2v_gif_palette;

/* Builds the palette of px: (n, 3) packed RGB. All-grey input gets the 256
 * grey levels; at most 256 distinct colours are kept exactly; otherwise
 * median cut over a 5-bit-per-channel histogram. Returns 0 when out of memory. */
int t2v_gif_palette_build(t2v_gif_palette *pal, const uint8_t *px, size_t n);

/* The palette index of one colour. */
uint8_t t2v_gif_palette_index(t2v_gif_palette *pal, const uint8_t rgb[3]);

void t2v_gif_palette_free(t2v_gif_palette *pal);

#endif
