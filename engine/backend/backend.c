/* Opening a backend: the CPU backend is built in; the CUDA backend is a
 * module loaded with dlopen, so the library runs where no CUDA runtime is
 * installed. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"

#ifndef T2V_CUDA_MODULE_DIR
#define T2V_CUDA_MODULE_DIR ""
#endif
#define T2V_CUDA_MODULE_NAME "libtxt2vid-cuda.so"

/* The module is looked for once per process: $TXT2VID_CUDA_MODULE, then the
 * install directory, then the loader's search path. A loaded module stays
 * loaded (the CUDA runtime must not be unloaded, and what it allocates
 * stays reachable), so later opens only ask it for a device. */
static pthread_once_t cuda_once = PTHREAD_ONCE_INIT;
static t2v_cuda_open_fn cuda_open_fn;
static char cuda_load_error[512];

static void load_cuda_module(void)
{
    const char *candidates[3];
    char installed[1024];
    int nc = 0;
    const char *env = getenv("TXT2VID_CUDA_MODULE");
    if (env && *env)
        candidates[nc++] = env;
    if (T2V_CUDA_MODULE_DIR[0]) {
        snprintf(installed, sizeof installed, "%s/%s", T2V_CUDA_MODULE_DIR,
                 T2V_CUDA_MODULE_NAME);
        candidates[nc++] = installed;
    }
    candidates[nc++] = T2V_CUDA_MODULE_NAME;
    snprintf(cuda_load_error, sizeof cuda_load_error, "no %s found", T2V_CUDA_MODULE_NAME);
    for (int i = 0; i < nc; i++) {
        void *h = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *e = dlerror();
            snprintf(cuda_load_error, sizeof cuda_load_error, "%s", e ? e : "cannot load");
            continue;
        }
        t2v_cuda_open_fn fn;
        *(void **)&fn = dlsym(h, T2V_CUDA_ENTRY);
        if (!fn) {
            snprintf(cuda_load_error, sizeof cuda_load_error, "%s has no %s", candidates[i],
                     T2V_CUDA_ENTRY);
            dlclose(h);
            continue;
        }
        cuda_open_fn = fn;
        return;
    }
}

static t2v_status open_cuda(int gpu_id, t2v_backend **out)
{
    pthread_once(&cuda_once, load_cuda_module);
    if (!cuda_open_fn)
        return t2v_fail(T2V_ERR_UNSUPPORTED, "CUDA backend unavailable: %s", cuda_load_error);
    char err[256] = "";
    t2v_status s = cuda_open_fn(gpu_id, out, err, sizeof err);
    if (s == T2V_OK)
        return T2V_OK;
    return t2v_fail(s, "CUDA backend unavailable: %s", err[0] ? err : "no device");
}

t2v_status t2v_backend_open(t2v_device device, int threads, int gpu_id, t2v_backend **out)
{
    if (!out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_backend_open: out is NULL");
    *out = NULL;
    switch (device) {
    case T2V_DEVICE_CPU:
        return t2v_cpu_backend_open(threads, out);
    case T2V_DEVICE_CUDA:
        return open_cuda(gpu_id, out);
    case T2V_DEVICE_AUTO:
        if (open_cuda(gpu_id, out) == T2V_OK)
            return T2V_OK;
        t2v_clear_error();
        return t2v_cpu_backend_open(threads, out);
    }
    return t2v_fail(T2V_ERR_INVALID, "unknown device %d", (int)device);
}

void t2v_backend_close(t2v_backend *be)
{
    if (be)
        be->mem->close(be);
}

const char *t2v_backend_name(const t2v_backend *be) { return be ? be->name : "none"; }

const t2v_kernels *t2v_backend_kernels(const t2v_backend *be) { return be->k; }

t2v_status t2v_backend_sync(t2v_backend *be) { return be->mem->sync(be); }

float *t2v_backend_alloc(t2v_backend *be, size_t bytes)
{
    void *p = be->mem->alloc(be, bytes);
    if (!p)
        t2v_fail(T2V_ERR_NOMEM, "%s: cannot allocate %zu bytes", be->name, bytes);
    return (float *)p;
}

void t2v_backend_free(t2v_backend *be, void *p)
{
    if (p)
        be->mem->free(be, p);
}

t2v_status t2v_backend_upload(t2v_backend *be, void *dst, const void *src, size_t bytes)
{
    return be->mem->upload(be, dst, src, bytes);
}

t2v_status t2v_backend_download(t2v_backend *be, void *dst, const void *src, size_t bytes)
{
    return be->mem->download(be, dst, src, bytes);
}
