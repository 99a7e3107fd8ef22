/* Area resampling of float planes: each output pixel is the mean of the
 * source over its footprint (exact fractional overlaps). */
#ifndef TXT2VID_TRAIN_RESAMPLE_H
#define TXT2VID_TRAIN_RESAMPLE_H

/* src: (sh, sw) with row stride src_stride; dst: (dh, dw), contiguous.
 * Returns 0, or -1 when out of memory. */
int t2v_data_resample_area(const float *src, int sh, int sw, int src_stride, float *dst,
                            int dh, int dw);

#endif
