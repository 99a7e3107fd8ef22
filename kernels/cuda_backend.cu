/* The CUDA backend object: opening a device, device memory, transfers,
 * error recording and the kernel table. The module's only exported symbol
 * is t2v_cuda_backend_open (see exports.map). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_backend.cuh"

/* The engine's error setter, resolved from the process when libtxt2vid is
 * loaded globally (the library, the plugins, the tests); when it is not
 * there the failure is still returned as a status. */
extern "C" t2v_status t2v_fail(t2v_status s, const char *fmt, ...) __attribute__((weak));

/* ---- errors ------------------------------------------------------------ */

void t2v_cuda_record(t2v_backend *be, t2v_status s, const char *fmt, ...)
{
    t2v_cuda *c = cuda_of(be);
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->err_status == T2V_OK) {
        c->err_status = s;
        snprintf(c->err, sizeof c->err, "%s: %s", be->name, msg);
    }
    if (t2v_fail)
        t2v_fail(s, "%s: %s", be->name, msg);
}

t2v_status t2v_cuda_take_error(t2v_backend *be)
{
    t2v_cuda *c = cuda_of(be);
    t2v_status s = c->err_status;
    if (s != T2V_OK) {
        if (t2v_fail)
            t2v_fail(s, "%s", c->err);
        c->err_status = T2V_OK;
        c->err[0] = '\0';
    }
    return s;
}

const char *t2v_cublas_status_name(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "unknown cuBLAS status";
    }
}

/* ---- scratch -------------------------------------------------------------- */

void *t2v_cuda_scratch(t2v_backend *be, size_t bytes)
{
    t2v_cuda *c = cuda_of(be);
    if (bytes <= c->scratch_bytes)
        return c->scratch;
    /* queued kernels may still read the old buffer */
    if (!CUDA_OK(be, cudaStreamSynchronize(c->stream)))
        return NULL;
    if (c->scratch) {
        CUDA_OK(be, cudaFree(c->scratch));
        c->scratch = NULL;
        c->scratch_bytes = 0;
    }
    size_t want = bytes < ((size_t)1 << 20) ? ((size_t)1 << 20) : bytes;
    if (!CUDA_OK(be, cudaMalloc(&c->scratch, want))) {
        c->scratch = NULL;
        return NULL;
    }
    c->scratch_bytes = want;
    return c->scratch;
}

/* ---- memory operations ------------------------------------------------- */

static void *mem_alloc(t2v_backend *be, size_t bytes)
{
    void *p = NULL;
    if (bytes == 0)
        bytes = 256;
    cuda_enter(be);
    cudaError_t e = cudaMalloc(&p, bytes);
    if (e != cudaSuccess) {
        /* an allocation failure is the caller's to report (T2V_ERR_NOMEM);
         * clear CUDA's last error so later launches are not blamed */
        cudaGetLastError();
        return NULL;
    }
    return p;
}

static void mem_free(t2v_backend *be, void *p)
{
    if (p) {
        cuda_enter(be);
        CUDA_OK(be, cudaFree(p));
    }
}

/* Copies are synchronous: when they return the host buffer may be reused
 * or read. cudaMemcpyDefault lets either side be host or device memory. */
static t2v_status mem_copy(t2v_backend *be, void *dst, const void *src, size_t bytes,
                           const char *what)
{
    t2v_status s = t2v_cuda_take_error(be);
    if (s != T2V_OK)
        return s;
    if (bytes == 0)
        return T2V_OK;
    cudaStream_t st = cuda_enter(be);
    cudaError_t e = cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, st);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(st);
    if (e != cudaSuccess) {
        t2v_cuda_record(be, T2V_ERR_BACKEND, "%s of %zu bytes failed: %s", what, bytes,
                        cudaGetErrorString(e));
        return t2v_cuda_take_error(be);
    }
    return T2V_OK;
}

static t2v_status mem_upload(t2v_backend *be, void *dst, const void *src, size_t bytes)
{
    return mem_copy(be, dst, src, bytes, "upload");
}

static t2v_status mem_download(t2v_backend *be, void *dst, const void *src, size_t bytes)
{
    return mem_copy(be, dst, src, bytes, "download");
}

static t2v_status mem_sync(t2v_backend *be)
{
    CUDA_OK(be, cudaStreamSynchronize(cuda_enter(be)));
    return t2v_cuda_take_error(be);
}

static void mem_close(t2v_backend *be)
{
    t2v_cuda *c = cuda_of(be);
    cudaSetDevice(c->device);
    cudaStreamSynchronize(c->stream);
    if (c->scratch)
        cudaFree(c->scratch);
    cublasDestroy(c->blas);
    cudaStreamDestroy(c->stream);
    free(c);
    free(be);
}

static const t2v_backend_memops cuda_memops = {
    mem_alloc, mem_free, mem_upload, mem_download, mem_sync, mem_close,
};

/* ---- the kernel table (order of struct t2v_kernels) ---------------------- */

static const t2v_kernels cuda_kernels = {
    cuda_gemm,
    cuda_gemm_batched,
    cuda_vol2col,
    cuda_col2vol,
    cuda_fill,
    cuda_copy,
    cuda_scale,
    cuda_axpy,
    cuda_add,
    cuda_mul,
    cuda_mul_backward,
    cuda_act_forward,
    cuda_act_backward,
    cuda_bias_add,
    cuda_bias_backward,
    cuda_modulate,
    cuda_modulate_backward,
    cuda_batchnorm_forward,
    cuda_batchnorm_backward,
    cuda_upsample2_forward,
    cuda_upsample2_backward,
    cuda_concat_forward,
    cuda_concat_backward,
    cuda_tile_forward,
    cuda_tile_backward,
    cuda_permute,
    cuda_frame_diff_forward,
    cuda_frame_diff_backward,
    cuda_glu_forward,
    cuda_glu_backward,
    cuda_row_sum,
    cuda_row_dot,
    cuda_embedding_forward,
    cuda_embedding_backward,
    cuda_lstm_cell_forward,
    cuda_lstm_cell_backward,
    cuda_bce_logits,
    cuda_hinge,
    cuda_kl_normal,
    cuda_adam,
    cuda_rng_normal,
    cuda_rng_uniform,
    cuda_to_pixels,
    cuda_translate_forward,
    cuda_translate_backward,
    cuda_bounce_forward,
    cuda_bounce_backward,
    cuda_softmax_forward,
    cuda_softmax_backward,
};

/* ---- opening ------------------------------------------------------------- */

static t2v_status open_error(char *err, size_t err_size, t2v_status s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static t2v_status open_error(char *err, size_t err_size, t2v_status s, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return s;
}

extern "C" __attribute__((visibility("default"))) t2v_status
t2v_cuda_backend_open(int gpu_id, t2v_backend **out, char *err, size_t err_size)
{
    if (!out)
        return open_error(err, err_size, T2V_ERR_INVALID, "out is NULL");
    *out = NULL;
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return open_error(err, err_size, T2V_ERR_UNSUPPORTED, "no CUDA device: %s",
                          cudaGetErrorString(e));
    }
    if (count < 1)
        return open_error(err, err_size, T2V_ERR_UNSUPPORTED,
                          "no CUDA device: the driver reports none");
    if (gpu_id < 0 || gpu_id >= count)
        return open_error(err, err_size, T2V_ERR_INVALID,
                          "CUDA device %d requested, %d device(s) present", gpu_id, count);

    e = cudaSetDevice(gpu_id);
    cudaDeviceProp prop;
    if (e == cudaSuccess)
        e = cudaGetDeviceProperties(&prop, gpu_id);
    if (e != cudaSuccess)
        return open_error(err, err_size, T2V_ERR_UNSUPPORTED, "CUDA device %d: %s", gpu_id,
                          cudaGetErrorString(e));
    if (prop.major < 7 || (prop.major == 7 && prop.minor < 5))
        return open_error(err, err_size, T2V_ERR_UNSUPPORTED,
                          "CUDA device %d (%s) has compute capability %d.%d; this build "
                          "needs 7.5 or newer",
                          gpu_id, prop.name, prop.major, prop.minor);

    t2v_backend *be = (t2v_backend *)calloc(1, sizeof *be);
    t2v_cuda *c = (t2v_cuda *)calloc(1, sizeof *c);
    if (!be || !c) {
        free(be);
        free(c);
        return open_error(err, err_size, T2V_ERR_NOMEM, "out of memory opening CUDA device %d",
                          gpu_id);
    }
    c->device = gpu_id;
    c->sm_count = prop.multiProcessorCount > 0 ? prop.multiProcessorCount : 1;
    e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking);
    if (e != cudaSuccess) {
        free(be);
        free(c);
        return open_error(err, err_size, T2V_ERR_BACKEND, "cudaStreamCreate: %s",
                          cudaGetErrorString(e));
    }
    cublasStatus_t bs = cublasCreate(&c->blas);
    if (bs == CUBLAS_STATUS_SUCCESS)
        bs = cublasSetStream(c->blas, c->stream);
    /* pointer mode host: alpha and beta are host floats */
    if (bs == CUBLAS_STATUS_SUCCESS)
        bs = cublasSetPointerMode(c->blas, CUBLAS_POINTER_MODE_HOST);
    /* full float32 products unless TF32 tensor cores are asked for */
    const char *tf32 = getenv("TXT2VID_CUDA_TF32");
    if (bs == CUBLAS_STATUS_SUCCESS && tf32 && strcmp(tf32, "1") == 0)
        bs = cublasSetMathMode(c->blas, CUBLAS_TF32_TENSOR_OP_MATH);
    if (bs != CUBLAS_STATUS_SUCCESS) {
        if (c->blas)
            cublasDestroy(c->blas);
        cudaStreamDestroy(c->stream);
        free(be);
        free(c);
        return open_error(err, err_size, T2V_ERR_BACKEND, "cuBLAS set-up: %s",
                          t2v_cublas_status_name(bs));
    }
    be->k = &cuda_kernels;
    be->mem = &cuda_memops;
    be->device = T2V_DEVICE_CUDA;
    snprintf(be->name, sizeof be->name, "cuda:%d", gpu_id);
    be->impl = c;
    *out = be;
    return T2V_OK;
}
