/* StackGAN (Zhang et al. 2017): text to a 64x64 image (Stage I), then the
 * same scene refined to 256x256 (Stage II).
 *
 *   S (N, D) sentence vector from the text encoder (bi-LSTM + LSTM)
 *   Conditioning Augmentation: mu = act(FC(S)), logvar = act(FC(S)),
 *     c = mu + exp(logvar / 2) * eps                         (N, c_dim)
 *   Stage I:  concat(c1, z) -> FC -> (8 gf, 4, 4) BN act
 *             [residual block] -> { up x2, 3x3 conv, BN, act } per doubling
 *             ([residual block] after the first) -> 3x3 conv + bias -> tanh
 *             -> img1 (N, C, size1, size1)
 *   Stage I, layered (cfg.layered): the chain above draws the background
 *             bg; a second chain of the same shape from the same input draws
 *             an object picture (C + 1 channels: colour and alpha, tanh;
 *             layer_side square, centred, or the whole frame);
 *             a position head off = reach tanh(FC(act(FC(concat(c1, z)))))
 *             moves the picture (bilinear, transparent outside it), and
 *             img1 = bg + alpha (colour - bg), alpha = (a + 1) / 2
 *   Stage I, glyph (cfg.layered = 2): as layered, but the object picture
 *             is one channel, its alpha, drawn from concat(P, c1, z), P
 *             the caption's word embeddings weighted by a softmax over its
 *             words of a learned score per vocabulary word (its object
 *             word, as the scores start: s1.attend.score); the object's
 *             colour is one value per channel, tint = tanh(FC(concat(c1,
 *             z))) (FC(concat(S, c1, z)) with cfg.tint_sent), and
 *             img1 = bg + alpha (tint - bg). The picture learns
 *             a shape per object word, the colour head a colour per
 *             caption, the position head a place: each from the words that
 *             say it. With cfg.tint_words the tint head also reads Q, the
 *             bi-LSTM's word features hc weighted by softmax(hc u) over the
 *             caption's words (u: s1.tint.attend): a feature of "red" in
 *             "red digit" differs from one in "red background", so the
 *             head can pick the object's colour word where S mixes both.
 *   Stage II: img1 -> 3x3 conv gf2 + act -> 4x4/2 conv 2 gf2 BN act
 *             -> 4x4/2 conv 4 gf2 BN act (size1 / 4)
 *             -> concat(c2 tiled) -> 3x3 conv 4 gf2 BN act -> residual blocks
 *             -> 4 x { up x2, 3x3 conv, BN, act } -> 3x3 conv + bias -> tanh
 *             -> img2 (N, C, 4 size1, 4 size1)
 *   Stage II, residual (cfg.s2_residual): the chain's output r is a
 *             correction: img2 = clamp(up4(img1) + r, -1, 1), up4 nearest;
 *             the output layer reads [the last doubling's features,
 *             up4(img1)], so a correction can follow the picture's own
 *             edges at 256x256 (the rest of the chain sees it through a
 *             16x16 encoding), and its weights start at zero, so Stage II
 *             starts at Stage I's picture and learns what to change.
 *   Stage II, repainting (cfg.s2_bg, with s2_residual over a layered
 *             Stage I): Stage II reads the caption again for the
 *             background and paints it where Stage I's object is not:
 *             Q2 = the encoder's word features hc weighted by softmax(hc u2)
 *             over the caption's words, [b, g] = FC([Q2, S, c2]) with
 *             b = tanh (one colour per image) and the gate g = sigmoid (its
 *             bias starts at T2V_SG_GATE_BIAS, its weights at zero);
 *             the matte m = g (1 - up4(alpha1)), alpha1 Stage I's object
 *             alpha, and img2 = v + m (b - v), v = clamp(up4(img1) + r, -1,
 *             1). Where Stage I drew the wrong background, Stage II can
 *             paint the caption's over it; the residual's penalty weighs r
 *             alone.
 *
 * Both stages are a chain of nodes (t2v_sg_chain) run forward and backward
 * in order; a residual block's add node names the node whose output it
 * adds. Stage I owns the text encoder ("gen.text"); Stage II reads the
 * same sentence vector through its own CA. */
#ifndef T2V_STACKGAN_H
#define T2V_STACKGAN_H

#include "text/encoder.h"

typedef struct t2v_stackgan_cfg {
    int z_dim;          /* 100 in the paper */
    int c_dim;          /* CA output, 128 */
    int gf;             /* Stage I: 8 gf channels at 4x4, halved by every doubling */
    int size1;          /* Stage-I side: 4 * 2^k, 16 .. 256 */
    int res1;           /* 1: residual blocks at 4x4 and 8x8 (the TF code) */
    int unit_norm0;     /* 1: Stage I's FC layer normalised per unit (channel and
                           position) over the batch, not per channel: no unit can
                           settle on a picture every input draws the same */
    int layered;        /* 1: Stage I draws an object layer (colour, alpha),
                           moved by a position head, over its background;
                           2: the glyph layer (alpha from the attended words,
                           colour from a head; see above) */
    int tint_sent;      /* glyph: 1: the tint head reads the sentence vector S too,
                           not only the CA sample and the noise */
    int bg_flat;        /* glyph: 1: the background is one colour per image, the
                           spatial mean of the background chain's picture */
    int tint_words;     /* glyph: 1: the tint head reads the caption's contextual
                           word features too (the encoder's bi-LSTM outputs,
                           weighted by a softmax of a learned score of each) */
    int s2_residual;    /* 1: Stage II draws a correction of Stage I's image:
                           img2 = clamp(up4(img1) + tanh(out), -1, 1), its
                           output layer starting at zero */
    int s2_bg;          /* 1 (with s2_residual, over a layered Stage I): Stage II
                           repaints Stage I's background in a colour read from
                           the caption (above) */
    int layer_side;     /* layered: the object picture's side, 3 or 4 times a
                           power of 2, at most size1 (centred in the frame
                           before its move); 0: size1 */
    int gf2;            /* Stage II base width (encoder gf2, 2 gf2, 4 gf2) */
    int n_res2;         /* Stage-II residual blocks (4) */
    int channels;       /* 3 (RGB) or 1 */
    t2v_act act;        /* hidden activation: ReLU; tanh for gradient checks */
    t2v_act ca_act;     /* after CA's FC: LeakyReLU (TF code) or none */
    t2v_encoder_cfg text;
    int size2;          /* derived: 4 * size1 */
} t2v_stackgan_cfg;

/* Validates sizes and derives size2. */
t2v_status t2v_stackgan_check(t2v_stackgan_cfg *cfg);

/* ---- Conditioning Augmentation ------------------------------------------ */

typedef struct t2v_sg_ca {
    int sent, c;
    t2v_act act;
    int w_mu, b_mu, w_lv, b_lv;     /* FC(sent -> c) each */
    int N;
    float *mu, *logvar;             /* (N, c) */
    float *eps;                     /* (N, c): filled by the caller before forward */
    float *sigma, *half, *c_hat;    /* (N, c): exp(logvar / 2), logvar / 2, sample */
    float *kl, *dmu_kl, *dlv_kl;    /* (N, c): KL per element and its scaled gradients */
    float *dc, *dmu, *dlv, *dS, *dS_tmp;
} t2v_sg_ca;

t2v_status t2v_sg_ca_declare(t2v_sg_ca *ca, int sent, int c, t2v_act act, t2v_params *ps,
                             const char *prefix);
void t2v_sg_ca_plan(t2v_sg_ca *ca, t2v_plan *p);
t2v_status t2v_sg_ca_init(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, uint64_t seed,
                          uint64_t stream);
/* S (N, sent) -> mu, logvar, c_hat = mu + exp(logvar / 2) * eps. */
void t2v_sg_ca_forward(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, const float *S);
/* KL(N(mu, exp(logvar)) || N(0, I)) per element into ca->kl, and its
 * gradients times `scale` kept for backward (scale = weight / (N c) gives
 * weight * the mean over elements, as the official code). */
void t2v_sg_ca_kl(t2v_sg_ca *ca, t2v_backend *be, float scale);
/* ca->dc (N, c) in; with_kl adds the gradients of the last t2v_sg_ca_kl.
 * Parameter gradients accumulate; leaves ca->dS (N, sent), assigned. */
void t2v_sg_ca_backward(t2v_sg_ca *ca, t2v_backend *be, t2v_params *ps, const float *S,
                        int with_kl);

/* ---- chains -------------------------------------------------------------- */

typedef enum t2v_sg_kind {
    T2V_SG_FC = 0,      /* x (N, K) -> (N, C, H, W), no bias when BN follows */
    T2V_SG_CONV,        /* 2D conv, BN or bias, act */
    T2V_SG_UP,          /* nearest x2 */
    T2V_SG_ADD,         /* out = act(in + out of node `skip`) */
    T2V_SG_JOIN,        /* out = concat(in, cond tiled over H x W) */
    T2V_SG_OUT,         /* conv + bias, tanh */
    T2V_SG_IMAGE,       /* out = concat(in, the chain's image (N, image_c, H, W)) */
} t2v_sg_kind;

typedef struct t2v_sg_node {
    t2v_sg_kind kind;
    int C, H, W;                    /* output (N, C, H, W) */
    int Cin, Hin, Win;
    t2v_conv_geom g;
    int bn;
    int unit;                       /* BN statistics per unit (C H W groups of 1),
                                       else per channel (C groups of H W) */
    t2v_act act;
    int skip;
    int w, b, bn_g, bn_b, rm, rv;   /* parameter / buffer indices, -1 when absent */
    float *pre, *out, *mean, *invstd;
    float *dpre, *dout;
} t2v_sg_node;

#define T2V_SG_MAX_NODES 48

typedef struct t2v_sg_chain {
    int n;
    t2v_sg_node node[T2V_SG_MAX_NODES];
    int64_t in_numel;               /* per sample */
    int cond_c;                     /* JOIN: channels of the conditioning vector */
    int image_c;                    /* IMAGE: channels of the image joined */
    const float *image;             /* IMAGE: that image, set before a forward; it gets
                                       no gradient */
    float bn_momentum;              /* running-statistics update in training mode
                                       (0.1 from declare; 1/(k+1) averages batches) */
    int N;
    const float *x;                 /* input of the last forward */
    float *ws;
    float *dx;                      /* (N, in_numel), training */
    float *dcond;                   /* (N, cond_c), training */
} t2v_sg_chain;

/* ---- the two stages ------------------------------------------------------ */

/* Stage I's object layer (cfg.layered). */
#define T2V_SG_POS_HIDDEN 64        /* the position head's hidden width */
#define T2V_SG_POS_REACH 0.375f     /* its largest move, in canvas sides */

typedef struct t2v_sg_layer {
    t2v_sg_chain pic;               /* concat(c, z) -> (C + 1, side, side), tanh */
    int side;                       /* the picture's side */
    int pos_w[2], pos_b[2];         /* FC (c + Z -> hidden), FC (hidden -> 2) */
    float *pos_h, *pos_t, *off;     /* (N, hidden), (N, 2) tanh, (N, 2) pixels (down, right) */
    float *moved;                   /* (N, C + 1, size1, size1): the picture in place */
    float *colour, *araw, *alpha;   /* moved split: (N, C, L), (N, L); alpha in [0, 1] */
    float *alpha_t, *alpha3, *diff; /* alpha as (N, L, C) and (N, C, L); colour - bg */
    float *dpos_h, *dpos_t, *doff, *dx_pos;
    float *dmoved, *dcolour, *dalpha, *dalpha_t, *dalpha3;
    /* glyph (layered 2) */
    int glyph;
    int att_w, tint_w, tint_b;      /* score (V), FC (c + Z -> C) */
    float sharpen;                  /* weight of the attention's mean entropy (the trainer's) */
    float *att_s, *att_a, *att_p;   /* (N, T) scores, weights; P (N, E) */
    float *pin;                     /* (N, E + c + Z): the picture's input */
    float *tint;                    /* (N, C) */
    float *tin;                     /* cfg.tint_sent: [S, zc] */
    float *dtin_s;                  /* cfg.tint_sent: its gradient's S part (N, D) */
    int tq_w;                       /* cfg.tint_words: the words' score vector (2 hidden) */
    float *tq_s, *tq_a, *tq_p;      /* (N, T) scores, weights; Q (N, 2 hidden) */
    float *tin_q;                   /* cfg.tint_words: [Q, S?, zc] */
    float *dtq_s, *dtq_a, *dtq_p, *dx_rest;
    float *dhc;                     /* cfg.tint_words: (N, T, 2 hidden), the word features'
                                       gradient, for an encoder trained by G's loss */
    const float *S;                 /* the sentence vectors of the last forward */
    float *bg_mean, *bg_flat;       /* cfg.bg_flat: (N, C) the chain's mean, (N, C, L) tiled */
    float *dbg_mean, *dflat;        /* cfg.bg_flat: their gradients */
    float *datt_s, *datt_a, *datt_p, *dtint, *dx_tint, *dpin_zc;
    float *dwords;                  /* (N, T, E): the words' gradient through P, for an
                                       encoder trained by G's loss */
    /* Gradients of losses on the glyph itself (a trainer's object
     * discriminator), added by the next backward when not NULL: on the
     * picture before its move (N, 1, side, side) and on the tint (N, C). */
    const float *dpic_add, *dtint_add;
} t2v_sg_layer;

typedef struct t2v_sg_stage1 {
    t2v_stackgan_cfg cfg;
    t2v_encoder text;
    t2v_sg_ca ca;
    t2v_sg_chain net;               /* the image, or with cfg.layered the background */
    t2v_sg_layer layer;             /* cfg.layered */
    int N;
    float *z;                       /* (N, Z) filled by the caller */
    float *zc, *dzc, *dz;           /* (N, c + Z) */
    float *img, *dimg;              /* (N, C, size1, size1): the output and its gradient */
} t2v_sg_stage1;

#define T2V_SG_GATE_BIAS (-3.0f)    /* repainting: the gate's initial bias (g = 0.047) */

typedef struct t2v_sg_stage2 {
    t2v_stackgan_cfg cfg;
    t2v_sg_ca ca;
    t2v_sg_chain net;
    int N;
    float *img, *dimg;              /* (N, C, size2, size2) */
    /* cfg.s2_residual: img1 at size2 / 2 and size2; u = up + r; relu(u + 1)
     * and relu(u - 1) (clamp(u) = their difference - 1) */
    float *up_half, *up, *u, *lo, *hi;
    float *dhi;                     /* training: the hi term's share of dimg */
    float reg;                      /* residual: weight of the correction's mean square
                                       in the loss (a trainer's), its gradient added by
                                       backward */
    /* cfg.s2_bg: the encoder's word features (N, T, 2 hidden) and mask (N, T) of
     * the captions and Stage I's object alpha (N, size1, size1), set by the
     * owner before a forward (t2v_stackgan_plan points them at Stage I's) */
    const float *hc, *mask, *alpha1;
    int bg_att, bg_w, bg_b;         /* score vector (2 hidden), FC ([Q2, S, c2] -> C + 1) */
    float *a_half, *keep;           /* up2(alpha1); (N, L2) 1 - up4(alpha1) */
    float *gate_t, *matte, *matte_t, *matte3; /* (N, L2) gate tiled, g keep; (N, L2, C);
                                       (N, C, L2) */
    float *v;                       /* (N, C, L2) the clamped residual image */
    float *bq_s, *bq_a, *bq_p;      /* (N, T) scores, weights; Q2 (N, 2 hidden) */
    float *bin_sc, *bin;            /* [S, c2], [Q2, S, c2] */
    float *head, *bg, *gate;        /* (N, C + 1) FC output; (N, C) colour; (N) gate */
    float *bgt, *diff;              /* (N, C, L2) colour tiled, bgt - v */
    float *dv, *dbgt, *dbg, *dgate, *dhead, *dbin, *dbin_sc, *dbq_p, *dbq_a, *dbq_s;
    float *dmatte_t, *dmatte3, *dmatte, *dS_bg, *dc_bg;
} t2v_sg_stage2;

/* Parameters "gen.text.*" and "s1.*" into ps, BN statistics into bufs. */
t2v_status t2v_sg_stage1_declare(t2v_sg_stage1 *s, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                 t2v_params *bufs);
void t2v_sg_stage1_plan(t2v_sg_stage1 *s, t2v_backend *be, t2v_plan *p);
t2v_status t2v_sg_stage1_init(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps,
                              t2v_params *bufs, uint64_t seed);
/* S (N, D), z in s->z, eps in s->ca.eps -> s->img. training: batch
 * statistics (running averages updated); else the running statistics. */
void t2v_sg_stage1_forward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                           const float *S, int training);
/* s->dimg in; with_kl adds the CA's KL gradients (call t2v_sg_ca_kl first);
 * leaves s->ca.dS for the encoder's backward (and, with the glyph layer,
 * s->layer.dwords, with cfg.tint_words s->layer.dhc, for
 * t2v_encoder_backward_all). */
void t2v_sg_stage1_backward(t2v_sg_stage1 *s, t2v_backend *be, t2v_params *ps, const float *S,
                            int with_kl);

/* The glyph's picture of the last forward, before its move: (N, 1, side,
 * side) in [-1, 1] (alpha = (p + 1) / 2); NULL without the glyph layer. */
const float *t2v_sg_glyph_picture(const t2v_sg_stage1 *s);

/* The box filter by 4 in both axes: y (NC, h, h) holds the mean of each
 * 4x4 block of x (NC, 4h, 4h), the size at which a 4-times larger image
 * is seen as a smaller one; tmp holds NC * 2h * 2h floats. */
void t2v_sg_box_down4(t2v_backend *be, float *y, const float *x, float *tmp, int NC, int h);
/* Its adjoint: dx (NC, 4h, 4h) = each entry of dy (NC, h, h) over its
 * 4x4 block, divided by 16 (overwrites dx); tmp as above. */
void t2v_sg_box_down4_backward(t2v_backend *be, float *dx, const float *dy, float *tmp, int NC,
                               int h);

/* Parameters "s2.*". */
t2v_status t2v_sg_stage2_declare(t2v_sg_stage2 *s, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                 t2v_params *bufs);
void t2v_sg_stage2_plan(t2v_sg_stage2 *s, t2v_backend *be, t2v_plan *p);
t2v_status t2v_sg_stage2_init(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps,
                              t2v_params *bufs, uint64_t seed);
/* img1 (N, C, size1, size1), S (N, D), eps in s->ca.eps -> s->img. */
void t2v_sg_stage2_forward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                           const float *img1, const float *S, int training);
/* s->dimg in; no gradient flows into img1 (Stage I is frozen). */
void t2v_sg_stage2_backward(t2v_sg_stage2 *s, t2v_backend *be, t2v_params *ps, const float *S,
                            int with_kl);

/* ---- the whole generator, for generation --------------------------------- */

typedef struct t2v_stackgan {
    t2v_stackgan_cfg cfg;
    t2v_sg_stage1 s1;
    t2v_sg_stage2 s2;
} t2v_stackgan;

/* Both stages and the encoder into one parameter set and one buffer set
 * (the layout of an exported model file). */
t2v_status t2v_stackgan_declare(t2v_stackgan *g, const t2v_stackgan_cfg *cfg, t2v_params *ps,
                                t2v_params *bufs);
void t2v_stackgan_plan(t2v_stackgan *g, t2v_backend *be, t2v_plan *p);
t2v_status t2v_stackgan_init(t2v_stackgan *g, t2v_backend *be, t2v_params *ps,
                             t2v_params *bufs, uint64_t seed);

/* Noise of image `index` under `seed` into batch row `row`: Philox stream
 * (seed, index): z at offset 0, Stage-I eps at offset z_dim, Stage-II eps at
 * offset z_dim + c_dim. An image depends only on (caption, seed, index). */
void t2v_stackgan_noise(t2v_stackgan *g, t2v_backend *be, uint64_t seed, uint64_t index,
                        int row);

/* Inference (running statistics) for the whole planned batch: row j is
 * image index + j. S (N, D): the sentence vectors (g->s1.text.S after
 * t2v_encoder_forward). Leaves g->s1.img (N, C, size1, size1) and
 * g->s2.img (N, C, size2, size2), in [-1, 1], in backend memory. */
void t2v_stackgan_sample(t2v_stackgan *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                         const float *S, uint64_t seed, uint64_t index);

#endif
