/* The mode-seeking term; see mode_seeking.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/common/mode_seeking.h"

#define MS_EPS 1e-5

double t2v_mode_seeking(const float *x, int N, size_t M, const float *z, int Z, const int *group,
                        float lambda, float *grad, int *pairs, double *ratio)
{
    memset(grad, 0, (size_t)N * M * sizeof *grad);
    if (pairs)
        *pairs = 0;
    if (ratio)
        *ratio = 0.0;
    /* disjoint pairs: i with the next unpaired j > i of its group */
    int *partner = malloc((size_t)(N > 0 ? N : 1) * sizeof *partner);
    if (!partner)
        return 0.0; /* no pairs: the term is left out of this step */
    for (int i = 0; i < N; i++)
        partner[i] = -1;
    int P = 0;
    for (int i = 0; i < N; i++) {
        if (partner[i] >= 0)
            continue;
        for (int j = i + 1; j < N; j++)
            if (partner[j] < 0 && group[j] == group[i]) {
                partner[i] = j;
                partner[j] = i;
                P++;
                break;
            }
    }
    double loss = 0.0, rsum = 0.0;
    for (int i = 0; i < N; i++) {
        int j = partner[i];
        if (j < i)
            continue; /* unpaired, or counted from its first item */
        const float *a = x + (size_t)i * M, *b = x + (size_t)j * M;
        double di = 0.0, dz = 0.0;
        for (size_t k = 0; k < M; k++)
            di += fabs((double)a[k] - b[k]);
        di /= (double)M;
        for (int k = 0; k < Z; k++)
            dz += fabs((double)z[(size_t)i * Z + k] - z[(size_t)j * Z + k]);
        dz /= Z;
        double r = di / dz, inv = 1.0 / (r + MS_EPS);
        rsum += r;
        loss += lambda * inv / P;
        /* d loss / d a_k = -lambda / P * inv^2 * sign(a_k - b_k) / (M dz) */
        float g = (float)(-(double)lambda / P * inv * inv / ((double)M * dz));
        float *ga = grad + (size_t)i * M, *gb = grad + (size_t)j * M;
        for (size_t k = 0; k < M; k++) {
            float s = a[k] > b[k] ? g : a[k] < b[k] ? -g : 0.0f;
            ga[k] = s;
            gb[k] = -s;
        }
    }
    free(partner);
    if (pairs)
        *pairs = P;
    if (ratio)
        *ratio = P ? rsum / P : 0.0;
    return loss;
}
