/* Worker threads wait on a generation counter; a job is split into one
 * contiguous chunk per participant. */
#include <pthread.h>
#include <stdlib.h>

#include "core/status_internal.h"
#include "core/threadpool.h"

struct t2v_pool {
    int size;                  /* participants, the caller included */
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t start, done;
    uint64_t generation;
    int pending;               /* workers still busy with this generation */
    int quit;
    /* the current job */
    t2v_pool_fn fn;
    void *ctx;
    int64_t n;
    int chunks;
};

static void run_chunk(t2v_pool *p, int idx)
{
    if (idx >= p->chunks)
        return;
    int64_t begin = p->n * idx / p->chunks;
    int64_t end = p->n * (idx + 1) / p->chunks;
    if (end > begin)
        p->fn(p->ctx, begin, end, idx);
}

typedef struct worker_arg { t2v_pool *p; int idx; } worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    t2v_pool *p = wa->p;
    int idx = wa->idx;
    free(wa);
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->start, &p->mu);
        if (p->quit)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        run_chunk(p, idx);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

t2v_status t2v_pool_create(int threads, t2v_pool **out)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > 256)
        threads = 256;
    t2v_pool *p = calloc(1, sizeof *p);
    if (!p)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory creating the thread pool");
    p->size = threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads > 1) {
        p->threads = calloc((size_t)threads - 1, sizeof *p->threads);
        if (!p->threads) {
            t2v_pool_destroy(p);
            return t2v_fail(T2V_ERR_NOMEM, "out of memory creating the thread pool");
        }
    }
    for (int i = 1; i < threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (wa) {
            wa->p = p;
            wa->idx = i;
        }
        if (!wa || pthread_create(&p->threads[i - 1], NULL, worker_main, wa) != 0) {
            free(wa);
            p->size = i; /* only the started workers get joined */
            t2v_pool_destroy(p);
            return t2v_fail(T2V_ERR_NOMEM, "cannot start worker thread %d", i);
        }
    }
    *out = p;
    return T2V_OK;
}

void t2v_pool_destroy(t2v_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->size; i++)
        pthread_join(p->threads[i - 1], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    free(p);
}

int t2v_pool_size(const t2v_pool *p) { return p ? p->size : 1; }

void t2v_pool_for(t2v_pool *p, int64_t n, int64_t grain, t2v_pool_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    int64_t chunks = n / grain;
    if (!p || p->size == 1 || chunks <= 1) {
        fn(ctx, 0, n, 0);
        return;
    }
    if (chunks > p->size)
        chunks = p->size;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunks = (int)chunks;
    p->pending = p->size - 1;
    p->generation++;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    run_chunk(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
