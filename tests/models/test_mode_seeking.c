/* The mode-seeking term (train/common/mode_seeking.h): its value against a
 * direct double-precision computation, its gradient against central
 * differences, and the pairing of a batch's items by condition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t2v_test.h"
#include "train/common/mode_seeking.h"
#include "txt2vid/nn.h"

enum { N = 6, M = 40, Z = 5 };

static double mean_abs_diff(const float *a, const float *b, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += fabs((double)a[k] - b[k]);
    return s / n;
}

int main(void)
{
    float x[N * M], z[N * Z], grad[N * M], g2[N * M];
    t2v_rng_normal_host(x, N * M, 7, 0, 0);
    t2v_rng_normal_host(z, N * Z, 7, 1, 0);
    /* conditions: 0 pairs with 2 (5 is a third 0 and stays alone), 1 with
     * 4, 3 has no partner */
    const int group[N] = {0, 1, 0, 2, 1, 0};
    const float lambda = 0.8f;
    int pairs = -1;
    double ratio = -1.0;
    double loss = t2v_mode_seeking(x, N, M, z, Z, group, lambda, grad, &pairs, &ratio);
    double r02 = mean_abs_diff(x, x + 2 * M, M) / mean_abs_diff(z, z + 2 * Z, Z);
    double r14 = mean_abs_diff(x + M, x + 4 * M, M) / mean_abs_diff(z + Z, z + 4 * Z, Z);
    double want = lambda * (1.0 / (r02 + 1e-5) + 1.0 / (r14 + 1e-5)) / 2.0;
    T2V_CHECK(pairs == 2 && fabs(ratio - (r02 + r14) / 2) < 1e-6,
              "pairs (0, 2) and (1, 4): %d pairs, mean ratio %.5f (want %.5f)", pairs, ratio,
              (r02 + r14) / 2);
    T2V_CHECK(fabs(loss - want) < 1e-6 * want, "loss %.7f against the direct sum %.7f", loss,
              want);
    int zero = 1;
    for (int k = 0; k < M; k++)
        zero &= grad[3 * M + k] == 0.0f && grad[5 * M + k] == 0.0f;
    T2V_CHECK(zero, "items without a partner get no gradient");

    /* central differences of the loss w.r.t. every x entry */
    double worst = 0.0;
    for (int i = 0; i < N * M; i++) {
        float keep = x[i];
        const double h = 1e-3;
        x[i] = keep + (float)h;
        double up = t2v_mode_seeking(x, N, M, z, Z, group, lambda, g2, NULL, NULL);
        x[i] = keep - (float)h;
        double down = t2v_mode_seeking(x, N, M, z, Z, group, lambda, g2, NULL, NULL);
        x[i] = keep;
        double num = (up - down) / (2 * h);
        worst = fmax(worst, fabs(num - grad[i]) / (1e-4 + fabs(num)));
    }
    T2V_CHECK(worst < 1e-2, "gradient of all %d entries matches central differences (worst "
              "relative error %.2g)", N * M, worst);
    /* the term pushes the pair apart: a step along -grad raises their distance */
    double before = mean_abs_diff(x, x + 2 * M, M);
    for (int i = 0; i < N * M; i++)
        x[i] -= 5.0f * grad[i];
    T2V_CHECK(mean_abs_diff(x, x + 2 * M, M) > before, "descending the term separates the pair "
              "(%.4f -> %.4f)", before, mean_abs_diff(x, x + 2 * M, M));

    const int alone[N] = {0, 1, 2, 3, 4, 5};
    loss = t2v_mode_seeking(x, N, M, z, Z, alone, lambda, grad, &pairs, &ratio);
    int all_zero = 1;
    for (int i = 0; i < N * M; i++)
        all_zero &= grad[i] == 0.0f;
    T2V_CHECK(loss == 0.0 && pairs == 0 && all_zero, "no shared condition: no term, no gradient");
    return t2v_test_finish();
}
