/* The CPU backend: host memory, a thread pool, and the kernel table. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/cpu.h"
#include "core/status_internal.h"

static const t2v_kernels cpu_kernels = {
    .gemm = cpu_gemm,
    .gemm_batched = cpu_gemm_batched,
    .vol2col = cpu_vol2col,
    .col2vol = cpu_col2vol,
    .fill = cpu_fill,
    .copy = cpu_copy,
    .scale = cpu_scale,
    .axpy = cpu_axpy,
    .add = cpu_add,
    .mul = cpu_mul,
    .mul_backward = cpu_mul_backward,
    .act_forward = cpu_act_forward,
    .act_backward = cpu_act_backward,
    .bias_add = cpu_bias_add,
    .bias_backward = cpu_bias_backward,
    .modulate = cpu_modulate,
    .modulate_backward = cpu_modulate_backward,
    .batchnorm_forward = cpu_batchnorm_forward,
    .batchnorm_backward = cpu_batchnorm_backward,
    .upsample2_forward = cpu_upsample2_forward,
    .upsample2_backward = cpu_upsample2_backward,
    .concat_forward = cpu_concat_forward,
    .concat_backward = cpu_concat_backward,
    .tile_forward = cpu_tile_forward,
    .tile_backward = cpu_tile_backward,
    .permute = cpu_permute,
    .frame_diff_forward = cpu_frame_diff_forward,
    .frame_diff_backward = cpu_frame_diff_backward,
    .glu_forward = cpu_glu_forward,
    .glu_backward = cpu_glu_backward,
    .row_sum = cpu_row_sum,
    .row_dot = cpu_row_dot,
    .embedding_forward = cpu_embedding_forward,
    .embedding_backward = cpu_embedding_backward,
    .lstm_cell_forward = cpu_lstm_cell_forward,
    .lstm_cell_backward = cpu_lstm_cell_backward,
    .bce_logits = cpu_bce_logits,
    .hinge = cpu_hinge,
    .kl_normal = cpu_kl_normal,
    .adam = cpu_adam,
    .rng_normal = cpu_rng_normal,
    .rng_uniform = cpu_rng_uniform,
    .to_pixels = cpu_to_pixels,
    .translate_forward = cpu_translate_forward,
    .translate_backward = cpu_translate_backward,
    .bounce_forward = cpu_bounce_forward,
    .bounce_backward = cpu_bounce_backward,
    .softmax_forward = cpu_softmax_forward,
    .softmax_backward = cpu_softmax_backward,
};

static void *cpu_alloc(t2v_backend *be, size_t bytes)
{
    (void)be;
    void *p = NULL;
    if (bytes == 0)
        bytes = 64;
    if (posix_memalign(&p, 64, (bytes + 63) & ~(size_t)63) != 0)
        return NULL;
    return p;
}

static void cpu_free(t2v_backend *be, void *p)
{
    (void)be;
    free(p);
}

static t2v_status cpu_copy_bytes(t2v_backend *be, void *dst, const void *src, size_t bytes)
{
    (void)be;
    if (bytes)
        memmove(dst, src, bytes);
    return T2V_OK;
}

static t2v_status cpu_sync(t2v_backend *be)
{
    (void)be;
    return T2V_OK;
}

static void cpu_close(t2v_backend *be)
{
    t2v_cpu *c = be->impl;
    t2v_pool_destroy(c->pool);
    free(c);
    free(be);
}

static const t2v_backend_memops cpu_memops = {
    .alloc = cpu_alloc,
    .free = cpu_free,
    .upload = cpu_copy_bytes,
    .download = cpu_copy_bytes,
    .sync = cpu_sync,
    .close = cpu_close,
};

t2v_status t2v_cpu_backend_open(int threads, t2v_backend **out)
{
    *out = NULL;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    t2v_backend *be = calloc(1, sizeof *be);
    t2v_cpu *c = calloc(1, sizeof *c);
    if (!be || !c) {
        free(be);
        free(c);
        return t2v_fail(T2V_ERR_NOMEM, "out of memory opening the CPU backend");
    }
    t2v_status s = t2v_pool_create(threads, &c->pool);
    if (s != T2V_OK) {
        free(be);
        free(c);
        return s;
    }
    c->threads = threads;
    be->k = &cpu_kernels;
    be->mem = &cpu_memops;
    be->device = T2V_DEVICE_CPU;
    strcpy(be->name, "cpu");
    be->impl = c;
    *out = be;
    return T2V_OK;
}
