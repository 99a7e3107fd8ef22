/* One LSTM direction over a padded batch, written with the backend's
 * kernels. The input projection of every step is one batched gemm; each
 * step then adds h_prev W_hh^T and runs the cell kernel. Padding steps
 * (mask 0) carry h and c through unchanged.
 *
 * State buffer (t2v_lstm_state_floats), with S = N*H and G = N*4H:
 *   hs    (T+2, N, H)   slot t+1 holds h_t; slots 0 and T+1 stay zero, the
 *                       initial state of the forward and reverse walks
 *   cs    (T+2, N, H)   the same for c
 *   gates (T, N, 4H)    pre-activations x W_ih^T + b_ih + b_hh + h_prev W_hh^T
 *   act   (T, N, 4H)    activated gates i, f, g, o (saved by the cell)
 *   maskT (T, N)        the mask, time-major
 * Scratch buffer for backward (t2v_lstm_scratch_floats):
 *   dG    (T, N, 4H)    gate pre-activation gradients, time-major
 *   dGb   (N, T, 4H)    the same, batch-major (for dx and dW_ih)
 *   dhT   (T, N, H)     dh_all, time-major
 *   dh_cur, dh_carry, dc_a, dc_b   (N, H) each */
#include "backend/backend.h"

size_t t2v_lstm_state_floats(int N, int T, int H)
{
    size_t S = (size_t)N * H;
    return 2 * ((size_t)T + 2) * S + 2 * (size_t)T * 4 * S + (size_t)T * N;
}

size_t t2v_lstm_scratch_floats(int N, int T, int H)
{
    size_t S = (size_t)N * H;
    return 2 * (size_t)T * 4 * S + (size_t)T * S + 4 * S;
}

typedef struct lstm_state {
    float *hs, *cs, *gates, *act, *maskT;
} lstm_state;

static lstm_state state_views(float *state, int N, int T, int H)
{
    size_t S = (size_t)N * H;
    lstm_state v;
    v.hs = state;
    v.cs = v.hs + ((size_t)T + 2) * S;
    v.gates = v.cs + ((size_t)T + 2) * S;
    v.act = v.gates + (size_t)T * 4 * S;
    v.maskT = v.act + (size_t)T * 4 * S;
    return v;
}

/* time of processing step s, and the slot of the state it starts from */
static int step_time(int s, int T, int reverse) { return reverse ? T - 1 - s : s; }
static int prev_slot(int t, int reverse) { return reverse ? t + 2 : t; }

// x: (N, T, E), mask: (N, T) or NULL, w_ih: (4H, E), w_hh: (4H, H), b_ih, b_hh: (4H)
// -> h_all: (N, T, H); state: see above
void t2v_lstm_forward(t2v_backend *be, float *h_all, float *state, const float *x,
                      const float *mask, const float *w_ih, const float *w_hh,
                      const float *b_ih, const float *b_hh, int N, int T, int E, int H,
                      int reverse)
{
    const t2v_kernels *k = be->k;
    const int64_t S = (int64_t)N * H, G = 4 * S;
    lstm_state v = state_views(state, N, T, H);
    k->fill(be, v.hs, 0.0f, S);
    k->fill(be, v.hs + ((int64_t)T + 1) * S, 0.0f, S);
    k->fill(be, v.cs, 0.0f, S);
    k->fill(be, v.cs + ((int64_t)T + 1) * S, 0.0f, S);

    /* gates[t] (N, 4H) = x[:, t, :] W_ih^T: rows of x at stride T*E */
    k->gemm_batched(be, 0, 1, N, 4 * H, E, 1.0f, x, T * E, E, w_ih, E, 0, 0.0f, v.gates, 4 * H,
                    G, T);
    if (b_ih)
        k->bias_add(be, v.gates, b_ih, T * N, 4 * H, 1);
    if (b_hh)
        k->bias_add(be, v.gates, b_hh, T * N, 4 * H, 1);
    if (mask) {
        const int64_t shape[2] = {N, T};
        const int perm[2] = {1, 0};
        k->permute(be, v.maskT, mask, 2, shape, perm);
    }

    for (int s = 0; s < T; s++) {
        int t = step_time(s, T, reverse), p = prev_slot(t, reverse);
        float *gates = v.gates + t * G;
        if (s > 0) /* the first step starts from h = 0 */
            k->gemm(be, 0, 1, N, 4 * H, H, 1.0f, v.hs + p * S, H, w_hh, H, 1.0f, gates, 4 * H);
        k->lstm_cell_forward(be, v.hs + (t + 1) * S, v.cs + (t + 1) * S, v.act + t * G, gates,
                             v.hs + p * S, v.cs + p * S, mask ? v.maskT + (int64_t)t * N : NULL,
                             N, H);
    }

    /* h_all (N, T, H) from slots 1..T (T, N, H) */
    const int64_t shape[3] = {T, N, H};
    const int perm[3] = {1, 0, 2};
    k->permute(be, h_all, v.hs + S, 3, shape, perm);
}

// dh_all: (N, T, H) -> dx (N, T, E) assigned; dw_ih, dw_hh, db_ih, db_hh accumulated
void t2v_lstm_backward(t2v_backend *be, float *dx, float *dw_ih, float *dw_hh, float *db_ih,
                       float *db_hh, const float *dh_all, const float *state, float *scratch,
                       const float *x, const float *mask, const float *w_ih,
                       const float *w_hh, int N, int T, int E, int H, int reverse)
{
    const t2v_kernels *k = be->k;
    const int64_t S = (int64_t)N * H, G = 4 * S;
    lstm_state v = state_views((float *)state, N, T, H);
    float *dG = scratch;
    float *dGb = dG + T * G;
    float *dhT = dGb + T * G;
    float *dh_cur = dhT + T * S;
    float *dh_carry = dh_cur + S;
    float *dc_a = dh_carry + S, *dc_b = dc_a + S;

    {
        const int64_t shape[3] = {N, T, H};
        const int perm[3] = {1, 0, 2};
        k->permute(be, dhT, dh_all, 3, shape, perm);
    }
    k->fill(be, dh_carry, 0.0f, S);
    k->fill(be, dc_a, 0.0f, S);
    float *dc_in = dc_a, *dc_out = dc_b;
    for (int s = T - 1; s >= 0; s--) {
        int t = step_time(s, T, reverse), p = prev_slot(t, reverse);
        float *dg = dG + t * G;
        /* gradient reaching h_t: from the output and from the step after */
        k->add(be, dh_cur, dhT + t * S, dh_carry, S);
        k->lstm_cell_backward(be, dg, dh_carry, dc_out, dh_cur, dc_in, v.act + t * G,
                              v.cs + (t + 1) * S, v.cs + p * S,
                              mask ? v.maskT + (int64_t)t * N : NULL, N, H);
        /* dh_{prev} += dgates W_hh */
        k->gemm(be, 0, 0, N, H, 4 * H, 1.0f, dg, 4 * H, w_hh, H, 1.0f, dh_carry, H);
        float *tmp = dc_in;
        dc_in = dc_out;
        dc_out = tmp;
    }

    if (dx || dw_ih) {
        const int64_t shape[3] = {T, N, 4 * H};
        const int perm[3] = {1, 0, 2};
        k->permute(be, dGb, dG, 3, shape, perm);
    }
    /* rows (n, t) of dGb pair with rows (n, t) of x (N*T, E) */
    if (dx)
        k->gemm(be, 0, 0, N * T, E, 4 * H, 1.0f, dGb, 4 * H, w_ih, E, 0.0f, dx, E);
    if (dw_ih)
        k->gemm(be, 1, 0, 4 * H, E, N * T, 1.0f, dGb, 4 * H, x, E, 1.0f, dw_ih, E);
    /* rows (t, n) of dG pair with the h each step started from: slots
     * t (forward) or t+2 (reverse), contiguous over t */
    if (dw_hh)
        k->gemm(be, 1, 0, 4 * H, H, T * N, 1.0f, dG, 4 * H, v.hs + (reverse ? 2 : 0) * S, H,
                1.0f, dw_hh, H);
    if (db_ih)
        k->bias_backward(be, db_ih, dG, T * N, 4 * H, 1);
    if (db_hh)
        k->bias_backward(be, db_hh, dG, T * N, 4 * H, 1);
}
