/* The shape tables every backend's op tests iterate: one table per op
 * family. Small sizes that still reach the edge cases (batch 1, one channel,
 * odd and non-square sizes, stride 1 and 2, padding 0..2, kernels 1..4,
 * transposed, 2D as depth 1 and real 3D). A CUDA test runs the same tables
 * through its own backend. */
#ifndef T2V_TEST_SHAPES_H
#define T2V_TEST_SHAPES_H

#include <stdint.h>

/* gemm: op(A) (M, K), op(B) (K, N), C (M, N); pad adds to every leading
 * dimension so strided rows are exercised. */
typedef struct t2v_gemm_shape {
    int trans_a, trans_b, M, N, K;
    float alpha, beta;
    int pad;
    int batch; /* gemm_batched only */
} t2v_gemm_shape;
extern const t2v_gemm_shape t2v_gemm_shapes[];
extern const int t2v_gemm_shape_count;

/* convolution and transposed convolution (depth 1 = 2D) */
typedef struct t2v_conv_shape {
    int n, c_in, c_out;
    int in[3], k[3], stride[3], pad[3];
    int transposed;
} t2v_conv_shape;
extern const t2v_conv_shape t2v_conv_shapes[];
extern const int t2v_conv_shape_count;
/* geometries t2v_conv_geom_init must refuse (empty or negative output) */
extern const t2v_conv_shape t2v_conv_bad_shapes[];
extern const int t2v_conv_bad_shape_count;

/* per-channel ops over x (N, C, L): bias, modulate, batchnorm, tile, glu */
typedef struct t2v_ncl_shape {
    int N, C;
    int64_t L;
} t2v_ncl_shape;
extern const t2v_ncl_shape t2v_ncl_shapes[];
extern const int t2v_ncl_shape_count;

/* elementwise lengths */
extern const int64_t t2v_elementwise_lengths[];
extern const int t2v_elementwise_length_count;

/* upsample2: x (NC, D, H, W), nearest x2 in the last `dims` axes */
typedef struct t2v_upsample_shape {
    int NC, D, H, W, dims;
} t2v_upsample_shape;
extern const t2v_upsample_shape t2v_upsample_shapes[];
extern const int t2v_upsample_shape_count;

/* concat: a (N, Ca, L), b (N, Cb, L) */
typedef struct t2v_concat_shape {
    int N, Ca, Cb;
    int64_t L;
} t2v_concat_shape;
extern const t2v_concat_shape t2v_concat_shapes[];
extern const int t2v_concat_shape_count;

/* permute: x of `ndim` axes, y = x.permute(perm) */
typedef struct t2v_permute_shape {
    int ndim;
    int64_t shape[5];
    int perm[5];
} t2v_permute_shape;
extern const t2v_permute_shape t2v_permute_shapes[];
extern const int t2v_permute_shape_count;

/* frame_diff: x (N, C, T, HW) */
typedef struct t2v_frame_diff_shape {
    int N, C, T;
    int64_t HW;
} t2v_frame_diff_shape;
extern const t2v_frame_diff_shape t2v_frame_diff_shapes[];
extern const int t2v_frame_diff_shape_count;

/* row_sum / row_dot: x (rows, len) */
typedef struct t2v_rows_shape {
    int rows;
    int64_t len;
} t2v_rows_shape;
extern const t2v_rows_shape t2v_rows_shapes[];
extern const int t2v_rows_shape_count;

/* linear: x (N, in) -> y (N, out) */
typedef struct t2v_linear_shape {
    int N, in, out;
} t2v_linear_shape;
extern const t2v_linear_shape t2v_linear_shapes[];
extern const int t2v_linear_shape_count;

/* embedding: table (V, E), n ids */
typedef struct t2v_embedding_shape {
    int V, E, n;
} t2v_embedding_shape;
extern const t2v_embedding_shape t2v_embedding_shapes[];
extern const int t2v_embedding_shape_count;

/* LSTM cell (N, H) and layer x (N, T, E) -> h (N, T, H); lengths[n] valid
 * steps from t = 0, the rest is padding. */
typedef struct t2v_lstm_shape {
    int N, T, E, H;
    int lengths[4];
} t2v_lstm_shape;
extern const t2v_lstm_shape t2v_lstm_shapes[];
extern const int t2v_lstm_shape_count;

#endif
