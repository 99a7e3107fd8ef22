/* Fully connected layer: y = x W^T + b, written with the backend's gemm. */
#include "backend/backend.h"

// x: (N, in), w: (out, in), b: (out) or NULL -> y: (N, out)
void t2v_linear_forward(t2v_backend *be, float *y, const float *x, const float *w,
                        const float *b, int N, int in, int out)
{
    be->k->gemm(be, 0, 1, N, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
    if (b)
        be->k->bias_add(be, y, b, N, out, 1);
}

// dy: (N, out) -> dx (N, in) assigned; dw (out, in), db (out) accumulated
void t2v_linear_backward(t2v_backend *be, float *dx, float *dw, float *db, const float *dy,
                         const float *x, const float *w, int N, int in, int out)
{
    if (dx)
        be->k->gemm(be, 0, 0, N, in, out, 1.0f, dy, out, w, in, 0.0f, dx, in);
    if (dw)
        be->k->gemm(be, 1, 0, out, in, N, 1.0f, dy, out, x, in, 1.0f, dw, in);
    if (db)
        be->k->bias_backward(be, db, dy, N, out, 1);
}
