/* Backend internals: the object behind t2v_backend and what a backend module
 * (CPU here, CUDA in kernels/) provides. Only engine/ includes this. */
#ifndef T2V_BACKEND_INTERNAL_H
#define T2V_BACKEND_INTERNAL_H

#include <stddef.h>

#include "txt2vid/nn.h"

typedef struct t2v_backend_memops {
    void *(*alloc)(t2v_backend *be, size_t bytes);
    void (*free)(t2v_backend *be, void *p);
    t2v_status (*upload)(t2v_backend *be, void *dst, const void *src, size_t bytes);
    t2v_status (*download)(t2v_backend *be, void *dst, const void *src, size_t bytes);
    t2v_status (*sync)(t2v_backend *be);
    void (*close)(t2v_backend *be);
} t2v_backend_memops;

struct t2v_backend {
    const t2v_kernels *k;
    const t2v_backend_memops *mem;
    t2v_device device;
    char name[32];
    void *impl;           /* the backend's own state */
};

/* The CPU backend. */
t2v_status t2v_cpu_backend_open(int threads, t2v_backend **out);

/* The CUDA backend lives in a loadable module (kernels/); it exports
 * this one symbol. */
#define T2V_CUDA_ENTRY "t2v_cuda_backend_open"
typedef t2v_status (*t2v_cuda_open_fn)(int gpu_id, t2v_backend **out,
                                       char *err, size_t err_size);

#endif
