/* Text ops: embedding forward/backward (repeated ids accumulate), one LSTM
 * cell step with a padding mask, and the LSTM layer over padded batches of
 * variable lengths in both directions (the halves of a bi-LSTM): forward
 * against a double-precision LSTM, padding never reaching valid outputs,
 * state carried through padding, backward against central differences.
 * The masked softmax of word attention: forward against a double softmax
 * over each row's words (scores large enough to overflow a softmax that
 * does not subtract the maximum, rows without words), backward against
 * central differences of sum(dy y) + ent * (the rows' entropies). */
#include <math.h>

#include "op_check.h"

/* ---- embedding ---- */

typedef struct emb_ctx {
    oc_ctx *oc;
    const t2v_embedding_shape *s;
    float *table, *dtable, *y;
    int32_t *ids;
} emb_ctx;

static void emb_fwd(void *p, float *y)
{
    emb_ctx *c = p;
    oc_up(c->oc, c->dtable, c->table, (size_t)c->s->V * c->s->E);
    c->oc->k->embedding_forward(c->oc->be, c->y, c->dtable, c->ids, c->s->n, c->s->E);
    oc_down(c->oc, y, c->y, (size_t)c->s->n * c->s->E);
}

static void embedding_case(oc_ctx *oc, const t2v_embedding_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "embedding V=%d E=%d n=%d", s->V, s->E, s->n);
    emb_ctx c = {.oc = oc, .s = s};
    long nt = (long)s->V * s->E, ny = (long)s->n * s->E;
    c.table = oc_hostf(oc, nt);
    oc_uniform(oc, c.table, nt, -1.0f, 1.0f);
    int32_t host_ids[64];
    for (int i = 0; i < s->n; i++) /* covers 0 and V-1, and repeats when n > V */
        host_ids[i] = (int32_t)((i * 7) % s->V);
    host_ids[s->n - 1] = s->V - 1;
    c.ids = (int32_t *)oc_alloc(oc, (size_t)s->n);
    t2v_backend_upload(oc->be, c.ids, host_ids, (size_t)s->n * sizeof(int32_t));
    c.dtable = oc_dev(oc, c.table, nt);
    c.y = oc_alloc(oc, ny);
    double *want = oc_hostd(oc, ny);
    for (int i = 0; i < s->n; i++)
        for (int e = 0; e < s->E; e++)
            want[(long)i * s->E + e] = c.table[(long)host_ids[i] * s->E + e];
    oc->k->embedding_forward(oc->be, c.y, c.dtable, c.ids, s->n, s->E);
    oc_report(oc_compare(oc_fetch(oc, c.y, ny), want, ny, 0, 0), "%s forward", name);
    float *dy = oc_hostf(oc, ny), *g0 = oc_hostf(oc, nt);
    oc_uniform(oc, dy, ny, -1.0f, 1.0f);
    oc_uniform(oc, g0, nt, -1.0f, 1.0f);
    double *want_g = oc_hostd(oc, nt);
    for (long i = 0; i < nt; i++)
        want_g[i] = g0[i];
    for (int i = 0; i < s->n; i++)
        for (int e = 0; e < s->E; e++)
            want_g[(long)host_ids[i] * s->E + e] += dy[(long)i * s->E + e];
    float *ddy = oc_dev(oc, dy, ny), *gt = oc_dev(oc, g0, nt);
    oc->k->embedding_backward(oc->be, gt, ddy, c.ids, s->n, s->E);
    float *hg = oc_fetch(oc, gt, nt);
    oc_report(oc_compare(hg, want_g, nt, 1e-6, 1e-6),
              "%s backward dtable += rows of dy (repeated ids add)", name);
    oc_report(oc_fd_check(emb_fwd, &c, dy, ny, c.table, nt, hg, g0, 0.5, 1e-5, 1e-5, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

/* ---- one LSTM cell step ---- */

typedef struct cell_ctx {
    oc_ctx *oc;
    int N, H;
    float *gates, *hp, *cp;            /* host */
    float *dg_, *dhp_, *dcp_, *mask_;  /* backend inputs */
    float *h, *c, *act;                /* backend outputs */
} cell_ctx;

/* y = [h ; c] */
static void cell_fwd(void *p, float *y)
{
    cell_ctx *c = p;
    long nh = (long)c->N * c->H;
    oc_up(c->oc, c->dg_, c->gates, 4 * nh);
    oc_up(c->oc, c->dhp_, c->hp, nh);
    oc_up(c->oc, c->dcp_, c->cp, nh);
    c->oc->k->lstm_cell_forward(c->oc->be, c->h, c->c, c->act, c->dg_, c->dhp_, c->dcp_,
                                c->mask_, c->N, c->H);
    oc_down(c->oc, y, c->h, nh);
    oc_down(c->oc, y + nh, c->c, nh);
}

static void lstm_cell_case(oc_ctx *oc, int N, int H)
{
    char name[96];
    snprintf(name, sizeof name, "lstm_cell N=%d H=%d", N, H);
    long nh = (long)N * H;
    cell_ctx c = {.oc = oc, .N = N, .H = H};
    c.gates = oc_hostf(oc, 4 * nh);
    c.hp = oc_hostf(oc, nh);
    c.cp = oc_hostf(oc, nh);
    float *mask = oc_hostf(oc, N);
    oc_uniform(oc, c.gates, 4 * nh, -2.0f, 2.0f);
    oc_uniform(oc, c.hp, nh, -1.0f, 1.0f);
    oc_uniform(oc, c.cp, nh, -1.5f, 1.5f);
    for (int n = 0; n < N; n++) /* rows 1, 4, ... are padding */
        mask[n] = n % 3 == 1 ? 0.0f : 1.0f;
    c.dg_ = oc_dev(oc, c.gates, 4 * nh);
    c.dhp_ = oc_dev(oc, c.hp, nh);
    c.dcp_ = oc_dev(oc, c.cp, nh);
    c.mask_ = oc_dev(oc, mask, N);
    c.h = oc_alloc(oc, nh);
    c.c = oc_alloc(oc, nh);
    c.act = oc_alloc(oc, 4 * nh);
    double *wh = oc_hostd(oc, nh), *wc = oc_hostd(oc, nh), *wact = oc_hostd(oc, 4 * nh);
    ref_lstm_cell(N, H, c.gates, c.hp, c.cp, mask, wh, wc, wact);
    oc->k->lstm_cell_forward(oc->be, c.h, c.c, c.act, c.dg_, c.dhp_, c.dcp_, c.mask_, N, H);
    oc_report(oc_compare(oc_fetch(oc, c.h, nh), wh, nh, 1e-6, 1e-5),
              "%s forward h (padding rows carry h_prev)", name);
    oc_report(oc_compare(oc_fetch(oc, c.c, nh), wc, nh, 1e-6, 1e-5),
              "%s forward c (padding rows carry c_prev)", name);
    /* activated gates i, f, g, o of the token rows */
    float *hact = oc_fetch(oc, c.act, 4 * nh);
    long nt = 0;
    float *got_tok = oc_hostf(oc, 4 * nh);
    double *want_tok = oc_hostd(oc, 4 * nh);
    for (int n = 0; n < N; n++)
        if (mask[n] != 0.0f)
            for (int j = 0; j < 4 * H; j++) {
                got_tok[nt] = hact[(long)n * 4 * H + j];
                want_tok[nt++] = wact[(long)n * 4 * H + j];
            }
    oc_report(oc_compare(got_tok, want_tok, nt, 1e-6, 1e-5),
              "%s saved activated gates (sigmoid i, f, o; tanh g)", name);

    float *dhc = oc_hostf(oc, 2 * nh); /* [dh ; dc], also the loss weights */
    oc_uniform(oc, dhc, 2 * nh, -1.0f, 1.0f);
    float *ddh = oc_dev(oc, dhc, nh), *ddc = oc_dev(oc, dhc + nh, nh);
    float *gg = oc_alloc(oc, 4 * nh), *ghp = oc_alloc(oc, nh), *gcp = oc_alloc(oc, nh);
    oc->k->lstm_cell_backward(oc->be, gg, ghp, gcp, ddh, ddc, c.act, c.c, c.dcp_, c.mask_, N, H);
    float *hgg = oc_fetch(oc, gg, 4 * nh), *hghp = oc_fetch(oc, ghp, nh),
          *hgcp = oc_fetch(oc, gcp, nh);
    oc_report(oc_fd_check(cell_fwd, &c, dhc, 2 * nh, c.gates, 4 * nh, hgg, NULL, 1e-2, 1e-4,
                          3e-3, 80),
              "%s backward dgates vs finite differences", name);
    oc_report(oc_fd_check(cell_fwd, &c, dhc, 2 * nh, c.hp, nh, hghp, NULL, 1e-2, 1e-4, 3e-3, 80),
              "%s backward dh_prev vs finite differences", name);
    oc_report(oc_fd_check(cell_fwd, &c, dhc, 2 * nh, c.cp, nh, hgcp, NULL, 1e-2, 1e-4, 3e-3, 80),
              "%s backward dc_prev vs finite differences", name);
    oc_finish_case(oc, name);
}

/* ---- LSTM layer ---- */

typedef struct lstm_ctx {
    oc_ctx *oc;
    const t2v_lstm_shape *s;
    int reverse;
    float *x, *wih, *whh, *bih, *bhh;          /* host */
    float *dx_, *dwih, *dwhh, *dbih, *dbhh;    /* backend */
    float *mask_, *h_all, *state;
    long nx, nwih, nwhh, nb, nh;
} lstm_ctx;

static void lstm_fwd(void *p, float *y)
{
    lstm_ctx *c = p;
    const t2v_lstm_shape *s = c->s;
    oc_up(c->oc, c->dx_, c->x, c->nx);
    oc_up(c->oc, c->dwih, c->wih, c->nwih);
    oc_up(c->oc, c->dwhh, c->whh, c->nwhh);
    oc_up(c->oc, c->dbih, c->bih, c->nb);
    oc_up(c->oc, c->dbhh, c->bhh, c->nb);
    t2v_lstm_forward(c->oc->be, c->h_all, c->state, c->dx_, c->mask_, c->dwih, c->dwhh,
                     c->dbih, c->dbhh, s->N, s->T, s->E, s->H, c->reverse);
    oc_down(c->oc, y, c->h_all, c->nh);
}

static void lstm_layer_case(oc_ctx *oc, const t2v_lstm_shape *s, int reverse)
{
    char name[128];
    int len = snprintf(name, sizeof name, "lstm %s N=%d T=%d E=%d H=%d lengths",
                       reverse ? "reverse (bi-LSTM backward half)" : "forward", s->N, s->T,
                       s->E, s->H);
    for (int n = 0; n < s->N; n++)
        len += snprintf(name + len, sizeof name - len, "%s%d", n ? "," : " ", s->lengths[n]);
    lstm_ctx c = {.oc = oc, .s = s, .reverse = reverse};
    int N = s->N, T = s->T, E = s->E, H = s->H;
    c.nx = (long)N * T * E;
    c.nwih = 4L * H * E;
    c.nwhh = 4L * H * H;
    c.nb = 4L * H;
    c.nh = (long)N * T * H;
    c.x = oc_hostf(oc, c.nx);
    c.wih = oc_hostf(oc, c.nwih);
    c.whh = oc_hostf(oc, c.nwhh);
    c.bih = oc_hostf(oc, c.nb);
    c.bhh = oc_hostf(oc, c.nb);
    float *mask = oc_hostf(oc, (long)N * T);
    oc_uniform(oc, c.x, c.nx, -1.0f, 1.0f);
    oc_uniform(oc, c.wih, c.nwih, -0.6f, 0.6f);
    oc_uniform(oc, c.whh, c.nwhh, -0.6f, 0.6f);
    oc_uniform(oc, c.bih, c.nb, -0.3f, 0.3f);
    oc_uniform(oc, c.bhh, c.nb, -0.3f, 0.3f);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            mask[(long)n * T + t] = t < s->lengths[n] ? 1.0f : 0.0f;
    c.dx_ = oc_dev(oc, c.x, c.nx);
    c.dwih = oc_dev(oc, c.wih, c.nwih);
    c.dwhh = oc_dev(oc, c.whh, c.nwhh);
    c.dbih = oc_dev(oc, c.bih, c.nb);
    c.dbhh = oc_dev(oc, c.bhh, c.nb);
    c.mask_ = oc_dev(oc, mask, (long)N * T);
    c.h_all = oc_alloc(oc, c.nh);
    c.state = oc_alloc(oc, t2v_lstm_state_floats(N, T, H));

    double *want = oc_hostd(oc, c.nh);
    ref_lstm_layer(N, T, E, H, c.x, mask, c.wih, c.whh, c.bih, c.bhh, reverse, want);
    t2v_lstm_forward(oc->be, c.h_all, c.state, c.dx_, c.mask_, c.dwih, c.dwhh, c.dbih, c.dbhh,
                     N, T, E, H, reverse);
    float *got = oc_fetch(oc, c.h_all, c.nh);
    /* split into token and padding positions */
    float *got_tok = oc_hostf(oc, c.nh), *got_pad = oc_hostf(oc, c.nh);
    double *want_tok = oc_hostd(oc, c.nh), *want_pad = oc_hostd(oc, c.nh);
    long ntok = 0, npad = 0;
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            for (int j = 0; j < H; j++) {
                long i = ((long)n * T + t) * H + j;
                if (t < s->lengths[n]) {
                    got_tok[ntok] = got[i];
                    want_tok[ntok++] = want[i];
                } else {
                    got_pad[npad] = got[i];
                    want_pad[npad++] = want[i];
                }
            }
    oc_report(oc_compare(got_tok, want_tok, ntok, 1e-5, 1e-4), "%s forward at tokens", name);
    if (npad)
        oc_report(oc_compare(got_pad, want_pad, npad, 1e-5, 1e-4),
                  "%s forward at padding carries the state", name);

    /* padding inputs never reach any output */
    float *x2 = oc_hostf(oc, c.nx);
    memcpy(x2, c.x, (size_t)c.nx * sizeof *x2);
    for (int n = 0; n < N; n++)
        for (int t = s->lengths[n]; t < T; t++)
            for (int e = 0; e < E; e++)
                x2[((long)n * T + t) * E + e] = 25.0f * (float)(1 + ((n + t + e) % 3));
    float *dx2 = oc_dev(oc, x2, c.nx), *h2 = oc_alloc(oc, c.nh);
    float *state2 = oc_alloc(oc, t2v_lstm_state_floats(N, T, H));
    t2v_lstm_forward(oc->be, h2, state2, dx2, c.mask_, c.dwih, c.dwhh, c.dbih, c.dbhh, N, T, E,
                     H, reverse);
    double *gotd = oc_hostd(oc, c.nh);
    for (long i = 0; i < c.nh; i++)
        gotd[i] = got[i];
    oc_report(oc_compare(oc_fetch(oc, h2, c.nh), gotd, c.nh, 0, 0),
              "%s outputs unchanged when padding inputs change", name);

    /* each sample of the padded batch equals that sample run alone,
     * unpadded (batch 1, T = its length) */
    int alone_ok = 1;
    double alone_err = 0.0;
    for (int n = 0; n < N; n++) {
        int Tn = s->lengths[n];
        float *xn = oc_dev(oc, c.x + (long)n * T * E, (size_t)Tn * E);
        float *ones = oc_hostf(oc, Tn), *hn = oc_alloc(oc, (size_t)Tn * H);
        for (int t = 0; t < Tn; t++)
            ones[t] = 1.0f;
        float *mn = oc_dev(oc, ones, Tn), *stn = oc_alloc(oc, t2v_lstm_state_floats(1, Tn, H));
        t2v_lstm_forward(oc->be, hn, stn, xn, mn, c.dwih, c.dwhh, c.dbih, c.dbhh, 1, Tn, E, H,
                         reverse);
        float *hh = oc_fetch(oc, hn, (size_t)Tn * H);
        for (long i = 0; i < (long)Tn * H; i++) {
            double e = fabs((double)hh[i] - got[(long)n * T * H + i]);
            alone_err = fmax(alone_err, e);
            alone_ok &= e <= 1e-6;
        }
    }
    T2V_CHECK(alone_ok, "%s each sample equals its unpadded run alone (max err %.2g)", name,
              alone_err);

    /* backward: dh_all = loss weights; weight gradients accumulate */
    float *dh = oc_hostf(oc, c.nh), *gw0 = oc_hostf(oc, c.nwih), *gh0 = oc_hostf(oc, c.nwhh),
          *gbi0 = oc_hostf(oc, c.nb), *gbh0 = oc_hostf(oc, c.nb);
    oc_uniform(oc, dh, c.nh, -1.0f, 1.0f);
    oc_uniform(oc, gw0, c.nwih, -1.0f, 1.0f);
    oc_uniform(oc, gh0, c.nwhh, -1.0f, 1.0f);
    oc_uniform(oc, gbi0, c.nb, -1.0f, 1.0f);
    oc_uniform(oc, gbh0, c.nb, -1.0f, 1.0f);
    float *ddh = oc_dev(oc, dh, c.nh), *gdx = oc_alloc(oc, c.nx);
    float *gwih = oc_dev(oc, gw0, c.nwih), *gwhh = oc_dev(oc, gh0, c.nwhh),
          *gbih = oc_dev(oc, gbi0, c.nb), *gbhh = oc_dev(oc, gbh0, c.nb);
    float *scratch = oc_alloc(oc, t2v_lstm_scratch_floats(N, T, H));
    /* the forward of this input must be the last one before the backward */
    t2v_lstm_forward(oc->be, c.h_all, c.state, c.dx_, c.mask_, c.dwih, c.dwhh, c.dbih, c.dbhh,
                     N, T, E, H, reverse);
    t2v_lstm_backward(oc->be, gdx, gwih, gwhh, gbih, gbhh, ddh, c.state, scratch, c.dx_,
                      c.mask_, c.dwih, c.dwhh, N, T, E, H, reverse);
    float *hdx = oc_fetch(oc, gdx, c.nx), *hwih = oc_fetch(oc, gwih, c.nwih),
          *hwhh = oc_fetch(oc, gwhh, c.nwhh), *hbih = oc_fetch(oc, gbih, c.nb),
          *hbhh = oc_fetch(oc, gbhh, c.nb);
    double h = 1e-2, atol = 2e-4, rtol = 5e-3;
    oc_report(oc_fd_check(lstm_fwd, &c, dh, c.nh, c.x, c.nx, hdx, NULL, h, atol, rtol, 60),
              "%s backward dx vs finite differences", name);
    double *zero = oc_hostd(oc, c.nx);
    float *dx_pad = oc_hostf(oc, c.nx);
    long nxp = 0;
    for (int n = 0; n < N; n++)
        for (int t = s->lengths[n]; t < T; t++)
            for (int e = 0; e < E; e++)
                dx_pad[nxp++] = hdx[((long)n * T + t) * E + e];
    if (nxp)
        oc_report(oc_compare(dx_pad, zero, nxp, 0, 0), "%s backward dx = 0 at padding", name);
    oc_report(oc_fd_check(lstm_fwd, &c, dh, c.nh, c.wih, c.nwih, hwih, gw0, h, atol, rtol, 60),
              "%s backward dw_ih (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(lstm_fwd, &c, dh, c.nh, c.whh, c.nwhh, hwhh, gh0, h, atol, rtol, 60),
              "%s backward dw_hh (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(lstm_fwd, &c, dh, c.nh, c.bih, c.nb, hbih, gbi0, h, atol, rtol, 60),
              "%s backward db_ih (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(lstm_fwd, &c, dh, c.nh, c.bhh, c.nb, hbhh, gbh0, h, atol, rtol, 60),
              "%s backward db_hh (accumulating) vs finite differences", name);

    /* dx = NULL: the same weight gradients */
    float *gwih2 = oc_dev(oc, gw0, c.nwih), *gwhh2 = oc_dev(oc, gh0, c.nwhh),
          *gbih2 = oc_dev(oc, gbi0, c.nb), *gbhh2 = oc_dev(oc, gbh0, c.nb);
    t2v_lstm_forward(oc->be, c.h_all, c.state, c.dx_, c.mask_, c.dwih, c.dwhh, c.dbih, c.dbhh,
                     N, T, E, H, reverse);
    t2v_lstm_backward(oc->be, NULL, gwih2, gwhh2, gbih2, gbhh2, ddh, c.state, scratch, c.dx_,
                      c.mask_, c.dwih, c.dwhh, N, T, E, H, reverse);
    double *w1 = oc_hostd(oc, c.nwih);
    for (long i = 0; i < c.nwih; i++)
        w1[i] = hwih[i];
    oc_report(oc_compare(oc_fetch(oc, gwih2, c.nwih), w1, c.nwih, 1e-6, 1e-5),
              "%s backward with dx = NULL gives the same dw_ih", name);
    oc_finish_case(oc, name);
}

/* ---- masked softmax ---- */

typedef struct sm_ctx {
    oc_ctx *oc;
    int rows, len;
    float *x, *mask;       /* host */
    float *dx, *dmask, *y; /* backend */
} sm_ctx;

/* outputs: y (rows, len), then each row's entropy -sum y log y */
static void sm_fwd(void *p, float *out)
{
    sm_ctx *c = p;
    long n = (long)c->rows * c->len;
    oc_up(c->oc, c->dx, c->x, n);
    c->oc->k->softmax_forward(c->oc->be, c->y, c->dx, c->dmask, c->rows, c->len);
    oc_down(c->oc, out, c->y, n);
    for (int r = 0; r < c->rows; r++) {
        double h = 0.0;
        for (int i = 0; i < c->len; i++) {
            float v = out[(long)r * c->len + i];
            h -= v > 0.0f ? v * log(v) : 0.0;
        }
        out[n + r] = (float)h;
    }
}

static void softmax_case(oc_ctx *oc, int rows, int len, float scale, float ent)
{
    char name[96];
    snprintf(name, sizeof name, "softmax %d x %d, scores x%.0f, entropy weight %.2f", rows, len,
             scale, ent);
    sm_ctx c = {.oc = oc, .rows = rows, .len = len};
    long n = (long)rows * len;
    c.x = oc_hostf(oc, n);
    c.mask = oc_hostf(oc, n);
    oc_uniform(oc, c.x, n, -scale, scale);
    for (int r = 0; r < rows; r++) /* row r has (r * 3) % (len + 1) words: some none, some all */
        for (int i = 0; i < len; i++)
            c.mask[(long)r * len + i] = i < (r * 3) % (len + 1) ? 1.0f : 0.0f;
    c.dx = oc_dev(oc, c.x, n);
    c.dmask = oc_dev(oc, c.mask, n);
    c.y = oc_alloc(oc, n);
    oc->k->softmax_forward(oc->be, c.y, c.dx, c.dmask, rows, len);
    double *want = oc_hostd(oc, n);
    for (int r = 0; r < rows; r++) {
        const float *xr = c.x + (long)r * len, *mr = c.mask + (long)r * len;
        double sum = 0.0;
        for (int i = 0; i < len; i++)
            sum += mr[i] != 0.0f ? exp((double)xr[i]) : 0.0;
        for (int i = 0; i < len; i++)
            want[(long)r * len + i] = mr[i] != 0.0f ? exp((double)xr[i]) / sum : 0.0;
    }
    oc_report(oc_compare(oc_fetch(oc, c.y, n), want, n, 1e-7, 1e-5), "%s forward", name);
    float *w = oc_hostf(oc, n + rows);
    oc_uniform(oc, w, n, -1.0f, 1.0f);
    for (int r = 0; r < rows; r++)
        w[n + r] = ent;
    float *ddy = oc_dev(oc, w, n), *gx = oc_alloc(oc, n);
    oc->k->softmax_backward(oc->be, gx, c.y, ddy, rows, len, ent);
    oc_report(oc_fd_check(sm_fwd, &c, w, n + rows, c.x, n, oc_fetch(oc, gx, n), NULL,
                          scale > 10.0f ? 1e-2 : 1e-3, 1e-4, 1e-3, 96),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

static void run_checks(oc_ctx *oc)
{
    softmax_case(oc, 16, 24, 2.0f, 0.0f);
    softmax_case(oc, 16, 24, 2.0f, 0.3f);
    softmax_case(oc, 5, 7, 100.0f, 0.0f);
    for (int i = 0; i < t2v_embedding_shape_count; i++)
        embedding_case(oc, &t2v_embedding_shapes[i]);
    for (int i = 0; i < t2v_lstm_shape_count; i++)
        lstm_cell_case(oc, t2v_lstm_shapes[i].N + (i == 1 ? 2 : 0), t2v_lstm_shapes[i].H);
    lstm_cell_case(oc, 37, 257); /* large enough for a backend to use threads */
    for (int i = 0; i < t2v_lstm_shape_count; i++) {
        lstm_layer_case(oc, &t2v_lstm_shapes[i], 0);
        lstm_layer_case(oc, &t2v_lstm_shapes[i], 1);
    }
}

OC_TEST_MAIN(run_checks)
