/* Opening the CUDA backend module: with a device, t2v_backend_open(cuda)
 * gives "cuda:N" and a bad gpu_id is refused; without one it fails with
 * T2V_ERR_UNSUPPORTED and "no CUDA device: <CUDA's reason>", and device=auto
 * falls back to the CPU. Either way the module exports its entry point
 * only, and a module path that does not load is a clear error.
 *
 * TXT2VID_CUDA_MODULE names the built module (set by meson). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "t2v_test.h"

static void check_exports(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!T2V_CHECK(h != NULL, "module %s loads with dlopen (%s)", path, h ? "ok" : dlerror()))
        return;
    T2V_CHECK(dlsym(h, T2V_CUDA_ENTRY) != NULL, "module exports %s", T2V_CUDA_ENTRY);
    static const char *hidden[] = {"cuda_gemm", "cuda_fill", "t2v_cuda_record",
                                   "cudaMalloc", "cudaGetDeviceCount"};
    for (int i = 0; i < 5; i++)
        T2V_CHECK(dlsym(h, hidden[i]) == NULL, "module does not export %s", hidden[i]);
    dlclose(h);
}

/* the entry point called directly, as backend.c does */
static int direct_open(const char *path, char *err, size_t err_size)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -1;
    t2v_cuda_open_fn fn;
    *(void **)&fn = dlsym(h, T2V_CUDA_ENTRY);
    t2v_backend *be = NULL;
    int s = fn ? (int)fn(0, &be, err, err_size) : -1;
    if (be)
        be->mem->close(be);
    return s;
}

static void check_with_device(void)
{
    t2v_backend *be = NULL;
    t2v_status s = t2v_backend_open(T2V_DEVICE_CUDA, 1, 0, &be);
    T2V_CHECK(s == T2V_OK && strcmp(t2v_backend_name(be), "cuda:0") == 0,
              "device=cuda opens cuda:0 (status %d, name %s)", (int)s,
              be ? t2v_backend_name(be) : "none");
    if (be) {
        float *p = t2v_backend_alloc(be, 1024);
        float host[256], back[256];
        for (int i = 0; i < 256; i++)
            host[i] = (float)i * 0.5f - 3.0f;
        int ok = p && t2v_backend_upload(be, p, host, sizeof host) == T2V_OK &&
                 t2v_backend_download(be, back, p, sizeof back) == T2V_OK &&
                 memcmp(host, back, sizeof host) == 0;
        T2V_CHECK(ok, "device memory round trip of 256 floats");
        t2v_backend_free(be, p);
        t2v_backend_close(be);
    }
    be = NULL;
    s = t2v_backend_open(T2V_DEVICE_CUDA, 1, 4096, &be);
    T2V_CHECK(s == T2V_ERR_INVALID && be == NULL && strstr(t2v_last_error(), "4096"),
              "gpu_id 4096 is refused: %s", t2v_last_error());
    s = t2v_backend_open(T2V_DEVICE_AUTO, 1, 0, &be);
    T2V_CHECK(s == T2V_OK && be && be->device == T2V_DEVICE_CUDA,
              "device=auto picks the GPU (%s)", be ? t2v_backend_name(be) : "none");
    t2v_backend_close(be);
}

static void check_without_device(const char *path)
{
    t2v_backend *be = NULL;
    t2v_status s = t2v_backend_open(T2V_DEVICE_CUDA, 1, 0, &be);
    T2V_CHECK(s == T2V_ERR_UNSUPPORTED && be == NULL,
              "device=cuda without a device fails with T2V_ERR_UNSUPPORTED (status %d)", (int)s);
    T2V_CHECK(strstr(t2v_last_error(), "no CUDA device: ") != NULL &&
                  strlen(strstr(t2v_last_error(), "no CUDA device: ")) > 16,
              "the message says why: \"%s\"", t2v_last_error());
    char err[256] = "";
    int ds = direct_open(path, err, sizeof err);
    T2V_CHECK(ds == T2V_ERR_UNSUPPORTED && strncmp(err, "no CUDA device: ", 16) == 0,
              "the entry point itself reports \"%s\" (status %d)", err, ds);
    s = t2v_backend_open(T2V_DEVICE_AUTO, 1, 0, &be);
    T2V_CHECK(s == T2V_OK && be && strcmp(t2v_backend_name(be), "cpu") == 0,
              "device=auto falls back to the CPU (%s)", be ? t2v_backend_name(be) : "none");
    t2v_backend_close(be);
}

static void check_bad_module(const char *path)
{
    setenv("TXT2VID_CUDA_MODULE", "/nonexistent/libtxt2vid-cuda.so", 1);
    t2v_backend *be = NULL;
    t2v_status s = t2v_backend_open(T2V_DEVICE_CUDA, 1, 0, &be);
    /* the loader's search path may still find an installed module */
    T2V_CHECK(s == T2V_OK || (s == T2V_ERR_UNSUPPORTED &&
                              strstr(t2v_last_error(), "CUDA backend unavailable")),
              "a module path that does not load is reported: %s",
              s == T2V_OK ? "an installed module answered" : t2v_last_error());
    t2v_backend_close(be);
    setenv("TXT2VID_CUDA_MODULE", path, 1);
}

int main(void)
{
    const char *path = getenv("TXT2VID_CUDA_MODULE");
    if (!path || !*path) {
        printf("# skipped: TXT2VID_CUDA_MODULE is not set\n");
        return 77;
    }
    check_exports(path);
    char err[256] = "";
    int ds = direct_open(path, err, sizeof err);
    if (ds == T2V_OK) {
        printf("# a CUDA device answers\n");
        check_with_device();
    } else {
        printf("# no CUDA device here: %s\n", err);
        check_without_device(path);
    }
    check_bad_module(path);
    return t2v_test_finish();
}
