/* Routines shared by the op tests of every backend: backend buffers with
 * sentinel guards, host/backend transfers, seeded random inputs, array
 * comparison and central finite-difference gradient checks.
 *
 * Each test program is one translation unit that includes this header,
 * defines `static void run_checks(oc_ctx *oc)` and ends with
 * OC_TEST_MAIN(run_checks). The program takes the device as its first
 * argument ("cpu", the default, or "cuda"), so a CUDA suite registers the
 * same programs with another argument and iterates the same shape tables. */
#ifndef T2V_TEST_OP_CHECK_H
#define T2V_TEST_OP_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reference.h"
#include "shapes.h"
#include "t2v_test.h"
#include "txt2vid/nn.h"

/* floats of sentinel before and after every backend buffer */
#define OC_GUARD 64
#define OC_MAX_BUFS 256

typedef struct oc_buf {
    float *base;   /* backend memory: guard | n floats | guard */
    size_t n;
    int is_host;   /* host scratch (no guards) */
} oc_buf;

typedef struct oc_ctx {
    t2v_backend *be;
    const t2v_kernels *k;
    oc_buf bufs[OC_MAX_BUFS];
    int nbufs;
    uint64_t stream;  /* next random stream for inputs */
    int alloc_failed;
} oc_ctx;

/* the sentinel: a quiet NaN with a payload no kernel computes */
extern const uint32_t oc_sentinel_bits;
float oc_sentinel(void);

/* Backend buffer of n floats between guards; the interior is filled with
 * the sentinel too, so an output the kernel forgets to write reads NaN. */
float *oc_alloc(oc_ctx *oc, size_t n);
/* backend buffer holding a copy of host[n] */
float *oc_dev(oc_ctx *oc, const float *host, size_t n);
/* host scratch of n floats / doubles, freed by oc_release */
float *oc_hostf(oc_ctx *oc, size_t n);
double *oc_hostd(oc_ctx *oc, size_t n);
void oc_up(oc_ctx *oc, float *dev, const float *host, size_t n);
void oc_down(oc_ctx *oc, float *host, const float *dev, size_t n);
/* downloads into fresh host scratch */
float *oc_fetch(oc_ctx *oc, const float *dev, size_t n);

/* Number of backend buffers whose guards were overwritten; the first
 * damaged one is described in why. */
int oc_guards_damaged(oc_ctx *oc, char *why, size_t why_size);
/* frees every buffer of the case */
void oc_release(oc_ctx *oc);

/* seeded inputs from the Philox stream: uniform in [lo, hi) */
void oc_uniform(oc_ctx *oc, float *host, size_t n, float lo, float hi);
/* random sign, magnitude in [lo, hi): keeps inputs away from kinks at 0 */
void oc_away_from_zero(oc_ctx *oc, float *host, size_t n, float lo, float hi);

/* Result of a comparison: the worst element relative to its tolerance. */
typedef struct oc_cmp {
    int ok;
    long n, worst;
    double got, want, max_err;
} oc_cmp;

/* |got - want| <= atol + rtol |want|, elementwise, finite */
oc_cmp oc_compare(const float *got, const double *want, long n, double atol, double rtol);
/* the same with got in double (differences of two downloads) */
oc_cmp oc_compare_d(const double *got, const double *want, long n, double atol, double rtol);
/* every element bitwise equal */
oc_cmp oc_compare_exact(const float *got, const float *want, long n);

/* Forward of the op under test: uploads the current host inputs, runs the
 * backend and downloads the output into y[n_out]. */
typedef void (*oc_forward_fn)(void *ctx, float *y);

/* Central differences of L = sum_i w_i y_i with respect to x_host (which the
 * forward reads), compared with the analytic gradient grad - base (base
 * NULL: zero), at up to max_points elements spread over x. Steps of h in
 * float; the tolerance is atol + rtol |fd| plus the float32 noise floor
 * of L divided by 2h. */
oc_cmp oc_fd_check(oc_forward_fn fwd, void *ctx, const float *w, long n_out, float *x_host,
                   long n_x, const float *grad, const float *base, double h, double atol,
                   double rtol, int max_points);

/* ---- reporting (in the test program's translation unit) ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline int oc_report(oc_cmp r, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r.ok)
        return t2v_test_report(1, "%s (max err %.2g)", what, r.max_err);
    return t2v_test_report(0, "%s: element %ld of %ld got %.8g want %.8g (max err %.2g)", what,
                           r.worst, r.n, r.got, r.want, r.max_err);
}

/* reports the guards of every buffer of the case, then frees them */
static inline void oc_finish_case(oc_ctx *oc, const char *what)
{
    char why[256] = "";
    int damaged = oc_guards_damaged(oc, why, sizeof why);
    int nb = 0;
    for (int i = 0; i < oc->nbufs; i++)
        nb += !oc->bufs[i].is_host;
    if (oc->alloc_failed)
        t2v_test_report(0, "%s: a backend allocation failed: %s", what, t2v_last_error());
    else if (damaged)
        t2v_test_report(0, "%s sentinels: %d buffer(s) written out of bounds: %s", what, damaged,
                        why);
    else
        t2v_test_report(1, "%s sentinels intact around %d buffers", what, nb);
    oc_release(oc);
}

int oc_open(oc_ctx *oc, int argc, char **argv);
void oc_close(oc_ctx *oc);

#define OC_TEST_MAIN(fn)                                                                      \
    int main(int argc, char **argv)                                                           \
    {                                                                                         \
        oc_ctx oc;                                                                            \
        int rc = oc_open(&oc, argc, argv);                                                    \
        if (rc)                                                                               \
            return rc;                                                                        \
        fn(&oc);                                                                              \
        oc_close(&oc);                                                                        \
        return t2v_test_finish();                                                             \
    }

#endif
