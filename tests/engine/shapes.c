/* The shape tables (see shapes.h). */
#include "shapes.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const t2v_gemm_shape t2v_gemm_shapes[] = {
    /* ta tb  M   N   K  alpha  beta  pad batch */
    {0, 0, 1, 1, 1, 1.0f, 0.0f, 0, 1},
    {0, 0, 3, 5, 7, 1.0f, 0.0f, 0, 2},
    {1, 0, 4, 3, 5, 0.5f, 1.0f, 2, 3},
    {0, 1, 5, 4, 3, 1.0f, 0.25f, 1, 1},
    {1, 1, 7, 6, 9, -1.5f, 0.0f, 3, 2},
    {0, 0, 17, 33, 65, 1.0f, 0.0f, 0, 2},
    {1, 0, 31, 9, 70, 1.0f, 1.0f, 5, 1},
    {0, 1, 66, 67, 13, 2.0f, -0.5f, 0, 2},
    {1, 1, 2, 130, 1, 1.0f, 0.0f, 1, 3},
    /* large enough for a backend to split the work across threads */
    {0, 0, 96, 80, 64, 1.0f, 0.0f, 0, 3},
    {1, 1, 70, 90, 50, 0.5f, 1.0f, 2, 2},
};
const int t2v_gemm_shape_count = COUNT(t2v_gemm_shapes);

const t2v_conv_shape t2v_conv_shapes[] = {
    /*  n c_in c_out  in D,H,W     k           stride      pad     transposed */
    {1, 1, 1, {1, 5, 7}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, 0},
    {2, 3, 5, {1, 6, 7}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, 0},
    {2, 2, 3, {1, 7, 5}, {1, 4, 4}, {1, 2, 2}, {0, 1, 1}, 0},
    {1, 3, 2, {1, 5, 6}, {1, 2, 3}, {1, 1, 2}, {0, 2, 1}, 0},
    {2, 2, 3, {3, 5, 4}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, 0},
    {1, 1, 2, {4, 6, 5}, {4, 4, 4}, {2, 2, 2}, {1, 1, 1}, 0},
    {2, 3, 2, {3, 4, 5}, {2, 1, 3}, {1, 2, 2}, {1, 0, 2}, 0},
    {2, 3, 2, {1, 3, 4}, {1, 4, 4}, {1, 2, 2}, {0, 1, 1}, 1},
    {1, 1, 3, {1, 4, 3}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, 1},
    {2, 2, 2, {1, 3, 3}, {1, 2, 3}, {1, 2, 1}, {0, 0, 2}, 1},
    {2, 3, 5, {3, 5, 7}, {4, 4, 4}, {2, 2, 2}, {1, 1, 1}, 1},
    {1, 2, 1, {2, 2, 3}, {2, 3, 3}, {2, 1, 1}, {0, 1, 2}, 1},
    {1, 1, 1, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, 1},
    /* large enough for a backend to split the work across threads */
    {2, 4, 6, {6, 10, 11}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, 0},
    {2, 6, 4, {4, 6, 6}, {4, 4, 4}, {2, 2, 2}, {1, 1, 1}, 1},
};
const int t2v_conv_shape_count = COUNT(t2v_conv_shapes);

const t2v_conv_shape t2v_conv_bad_shapes[] = {
    {1, 1, 1, {1, 2, 2}, {1, 3, 3}, {1, 1, 1}, {0, 0, 0}, 0}, /* kernel larger than input */
    {1, 1, 1, {1, 3, 3}, {1, 4, 4}, {1, 2, 2}, {0, 0, 0}, 0}, /* in + 2p - k < 0 with stride 2 */
    {1, 1, 1, {1, 1, 1}, {1, 2, 2}, {1, 1, 1}, {0, 2, 2}, 1}, /* transposed: 0 - 4 + 2 < 1 */
    {1, 2, 2, {0, 4, 4}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, 0}, /* empty input depth */
};
const int t2v_conv_bad_shape_count = COUNT(t2v_conv_bad_shapes);

const t2v_ncl_shape t2v_ncl_shapes[] = {
    {1, 1, 7}, {2, 3, 5}, {4, 2, 1}, {3, 4, 9}, {2, 1, 13}, {2, 5, 130},
    {3, 7, 5003}, /* large enough for a backend to split the work across threads */
};
const int t2v_ncl_shape_count = COUNT(t2v_ncl_shapes);

const int64_t t2v_elementwise_lengths[] = {1, 7, 64, 1000, 4099, 150001};
const int t2v_elementwise_length_count = COUNT(t2v_elementwise_lengths);

const t2v_upsample_shape t2v_upsample_shapes[] = {
    {1, 1, 1, 1, 2}, {3, 1, 2, 3, 2}, {2, 3, 2, 5, 3},
    {1, 2, 3, 1, 3}, {2, 3, 2, 2, 2}, /* dims 2 with D > 1: depth kept */
    {4, 4, 16, 17, 3},                /* large: threaded */
};
const int t2v_upsample_shape_count = COUNT(t2v_upsample_shapes);

const t2v_concat_shape t2v_concat_shapes[] = {
    {1, 1, 1, 1}, {2, 3, 1, 5}, {3, 2, 4, 7}, {2, 1, 3, 64},
    {2, 20, 13, 1000}, /* large: threaded */
};
const int t2v_concat_shape_count = COUNT(t2v_concat_shapes);

const t2v_permute_shape t2v_permute_shapes[] = {
    {2, {3, 5}, {1, 0}},
    {2, {1, 4}, {1, 0}},
    {3, {2, 3, 4}, {0, 2, 1}},
    {3, {2, 3, 4}, {2, 0, 1}},
    {4, {2, 3, 1, 5}, {0, 2, 3, 1}},
    {4, {3, 2, 4, 2}, {3, 2, 1, 0}},
    {5, {2, 3, 4, 2, 3}, {0, 2, 1, 3, 4}}, /* (N, C, T, H, W) -> (N, T, C, H, W) */
    {5, {2, 3, 2, 3, 2}, {4, 1, 3, 0, 2}},
    {5, {1, 2, 3, 4, 5}, {0, 1, 2, 3, 4}}, /* identity */
    {5, {4, 5, 8, 16, 17}, {0, 2, 1, 3, 4}}, /* large: threaded */
};
const int t2v_permute_shape_count = COUNT(t2v_permute_shapes);

const t2v_frame_diff_shape t2v_frame_diff_shapes[] = {
    {1, 1, 2, 1}, {2, 3, 4, 6}, {1, 2, 5, 7}, {2, 1, 3, 20},
    {2, 3, 8, 1500}, /* large: threaded */
};
const int t2v_frame_diff_shape_count = COUNT(t2v_frame_diff_shapes);

const t2v_rows_shape t2v_rows_shapes[] = {
    {1, 1}, {3, 7}, {5, 130}, {2, 1000}, {1, 4099},
    {3, 50001}, {700, 101}, /* large: threaded */
};
const int t2v_rows_shape_count = COUNT(t2v_rows_shapes);

const t2v_linear_shape t2v_linear_shapes[] = {
    {1, 1, 1}, {3, 5, 4}, {4, 17, 9}, {2, 64, 3}, {5, 3, 33},
};
const int t2v_linear_shape_count = COUNT(t2v_linear_shapes);

const t2v_embedding_shape t2v_embedding_shapes[] = {
    {1, 1, 1}, {5, 3, 7}, {11, 8, 20}, {3, 17, 9},
    {50, 600, 60}, /* large: threaded */
};
const int t2v_embedding_shape_count = COUNT(t2v_embedding_shapes);

const t2v_lstm_shape t2v_lstm_shapes[] = {
    /* N  T  E  H   lengths */
    {1, 1, 2, 3, {1}},
    {3, 5, 4, 3, {5, 2, 1}},
    {2, 4, 3, 5, {3, 4}},
    {4, 6, 2, 2, {6, 1, 4, 3}},
    {1, 3, 1, 1, {3}},
};
const int t2v_lstm_shape_count = COUNT(t2v_lstm_shapes);
