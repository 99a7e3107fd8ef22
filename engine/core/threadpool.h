/* A fixed pool of worker threads for the CPU backend. The calling thread
 * takes part; OpenBLAS runs single-threaded inside the tasks, so the two
 * never compete for the cores. */
#ifndef T2V_THREADPOOL_H
#define T2V_THREADPOOL_H

#include <stdint.h>

#include "txt2vid/status.h"

typedef struct t2v_pool t2v_pool;

/* fn(ctx, begin, end, worker): handle items [begin, end). worker is in
 * [0, t2v_pool_size()) and is the same for one chunk, so per-worker scratch
 * buffers can be indexed by it. */
typedef void (*t2v_pool_fn)(void *ctx, int64_t begin, int64_t end, int worker);

t2v_status t2v_pool_create(int threads, t2v_pool **out);
void t2v_pool_destroy(t2v_pool *p);
int t2v_pool_size(const t2v_pool *p);
/* Splits [0, n) into at most size() contiguous chunks of at least `grain`
 * items and waits for all of them. Not reentrant: a task must not call it. */
void t2v_pool_for(t2v_pool *p, int64_t n, int64_t grain, t2v_pool_fn fn, void *ctx);

#endif
