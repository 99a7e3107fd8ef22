/* A small test harness: every check prints what it checked, and a test
 * program exits non-zero when any check failed.
 *
 *   T2V_CHECK(cond, "what was checked %d", x);
 *   T2V_CHECK_CLOSE(got, want, atol, rtol, "conv2d forward y[%d]", i);
 *   return t2v_test_finish();
 */
#ifndef T2V_TEST_H
#define T2V_TEST_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int t2v_test_passed, t2v_test_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline int t2v_test_report(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s - ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (ok)
        t2v_test_passed++;
    else
        t2v_test_failed++;
    return ok;
}

#define T2V_CHECK(cond, ...) t2v_test_report(!!(cond), __VA_ARGS__)

/* |got - want| <= atol + rtol * |want|, and both finite */
static inline int t2v_close(double got, double want, double atol, double rtol)
{
    return isfinite(got) && isfinite(want) && fabs(got - want) <= atol + rtol * fabs(want);
}

/* Compare arrays; report one line with the worst element. */
static inline int t2v_check_arrays(const float *got, const double *want, long n, double atol,
                                   double rtol, const char *what)
{
    long worst = -1;
    double worst_excess = 0.0;
    for (long i = 0; i < n; i++) {
        double err = fabs((double)got[i] - want[i]);
        double tol = atol + rtol * fabs(want[i]);
        if (!isfinite(got[i]) || err > tol) {
            double excess = isfinite(got[i]) ? err - tol : INFINITY;
            if (worst < 0 || excess > worst_excess) {
                worst = i;
                worst_excess = excess;
            }
        }
    }
    if (worst >= 0)
        return t2v_test_report(0, "%s: element %ld got %.7g want %.7g (n=%ld)", what, worst,
                               (double)got[worst], want[worst], n);
    return t2v_test_report(1, "%s (n=%ld)", what, n);
}

static inline int t2v_test_finish(void)
{
    printf("# %d passed, %d failed\n", t2v_test_passed, t2v_test_failed);
    return t2v_test_failed ? 1 : 0;
}

#endif
