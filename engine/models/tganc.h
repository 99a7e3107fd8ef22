/* The TGANs-C generator: concat(z, S) -> FC -> 3D transposed convolutions
 * with batch normalisation -> a clip in [-1, 1].
 *
 *   zs (N, Z + D) -> fc -> (N, C0, T0, H0, W0) -> BN -> ReLU
 *     -> [ConvT3d -> BN -> ReLU] x stages -> Conv3d k x k x k + bias -> tanh
 *        (k = out_k: 3, or 1, which costs a ninth at full resolution)
 *     -> clip (N, channels, frames, height, width)
 *
 * BN is either the paper's affine batch norm or, with cond_bn, a batch norm
 * whose scale and shift are linear functions of S at every stage, so the
 * sentence conditions each resolution and not only the input.
 *
 * With sprite_frames (the sprite layout) the stack keeps one frame: it
 * draws a picture, and a path head moves that picture through the clip:
 *
 *   zs -> fc -> the hidden activation -> fc -> tanh x reach -> (N, T, 2) offsets (down,
 *   right) in pixels;
 *   clip frame t = the picture moved by offset t (nn.h translate; what
 *   comes from outside the picture is background, -1).
 *
 * The picture is the stack's output size. By default the frame is that
 * size too and the reach is half the frame's shorter side; with `frame`
 * set, the frame is larger, the picture starts in its middle, and the
 * reach is the margin around it, so the picture moves anywhere in the
 * frame and never out of it (a digit smaller than the frame, as in the
 * data, with no room for a second shape or an empty frame).
 *
 * What a clip shows is then drawn once, and where it is in each frame is
 * a separate output: a caption's object and its motion reach the clip
 * through different parts of the network.
 *
 * With attend, the picture's input is no longer S: it is P (N, E), the
 * caption's word embeddings (the encoder's x) weighted by a softmax over
 * its words of a learned score per vocabulary word (gen.attend.score, V).
 * The stack reads [z, P] and, with cond_bn, is modulated by P; the path
 * head reads [z, S]. With the attention on one word (the entropy term of
 * softmax_backward, weight attend_sharpen, keeps it there), P is that
 * word's embedding whatever the other words are: a caption that pairs an
 * object with a motion never seen with it draws the object as its own
 * word asks. A word's score is its own, not its neighbours', so which
 * word a caption's picture reads is the same in every sentence that has
 * it.
 *
 * With K = sprites > 1 the stack draws K pictures per clip (a batch of
 * K N, sprite-major), each from its own attention over the caption's
 * words: sprite k's score of word t is the word's score plus a positional
 * bias pos[k][t] (gen.attend.pos, K x T), so sprite k can read the k-th
 * object a caption names. The path head gives each sprite its own path
 * ((N, K, T, 2) offsets), and the clip is the pixelwise maximum of the K
 * moved pictures, as two digits overlap in the data.
 *
 * With path_rest the path head reads, instead of S, the rest of the
 * caption: R (N, E) = sum over its words of max(0, 1 - the pictures'
 * weights on the word) x_t. With the picture's weight on the digit, R is
 * the sum of the other words' embeddings, and the motion words reach the
 * path the same way whatever digit stands beside them.
 *
 * With path_follow = L the path head reads, for each picture k, the L
 * words after the word its picture reads: R_k (N, E) = sum over t of
 * w_k,t x_t, with w_k,t = the picture's attention on the L words before
 * t (a_k,t-L .. a_k,t-1). The head's input is [z, R_1 .. R_K]: the words
 * that say how the first digit moves and those that say how the second
 * does arrive apart and in the pictures' order, where the sentence vector
 * or the rest's sum mixes them. The window follows the attention, so its
 * gradient reaches the picture's scores too.
 *
 * With path_each as well, the head is one function applied to each picture
 * apart: picture k's path comes from [z, R_k] and a hidden bias of its own
 * (gen.path.sprite, K x hidden), and from nothing of the other pictures'
 * windows. Which clause moves which picture is then the network's
 * structure, not something the head has to learn: a head reading all the
 * windows can as well wire the first window to the second picture, which
 * nothing corrects while the pictures are not yet legible digits.
 *
 * With path_bounce the head gives, for each picture, four numbers instead
 * of 2T offsets: a phase and a speed along each axis, and the picture
 * travels at that speed, turning back at the edges of its reach (a
 * triangle wave, nn.h bounce_*). A path is then smooth by construction,
 * and its direction is two numbers the caption sets, where free offsets
 * let a picture jump anywhere from one frame to the next.
 *
 * The FC layer's batch statistics are per channel over its T0 x H0 x W0
 * grid, or with unit_norm0 per unit (channel and position), as a fully
 * connected layer's batch norm is: each unit is then centred over the
 * batch, so an input that is the same for every clip of a batch (the
 * sentence vector early in training) cannot become a fixed picture that
 * drowns the noise. */
#ifndef T2V_TGANC_H
#define T2V_TGANC_H

#include "text/encoder.h"

#define T2V_TGANC_MAX_STAGES 6
#define T2V_TGANC_MAX_SPRITES 4

typedef struct t2v_tganc_stage {
    int c_out;
    int k[3], s[3], p[3];   /* (T, H, W) kernel, stride, padding of ConvT3d */
} t2v_tganc_stage;

typedef struct t2v_tganc_cfg {
    int z_dim;
    int c0, base[3];        /* FC output: c0 channels at base (T0, H0, W0) */
    int n_stages;
    t2v_tganc_stage stage[T2V_TGANC_MAX_STAGES];
    int channels;           /* 1 grey, 3 RGB */
    int cond_bn;            /* 1: sentence-modulated BN at every stage */
    int unit_norm0;         /* 1: FC layer's batch statistics per unit */
    int out_k;              /* output convolution kernel: 3 (3x3x3) or 1 (1x1x1); 0 = 3 */
    int sprite_frames;      /* > 0: sprite layout, the stack's one frame moved
                               through this many frames; 0: the stack's clip */
    int path_hidden;        /* sprite layout: the path head's hidden width */
    int attend;             /* sprite layout: 1: the picture reads the caption
                               through attention over its words, the path
                               reads the sentence vector; 0: both read S */
    int sprites;            /* sprite layout with attend: pictures per clip,
                               1..T2V_TGANC_MAX_SPRITES (0 reads as 1) */
    int path_rest;          /* with attend: 1: the path head reads the sum of the
                               embeddings of the words no picture attends to,
                               not the sentence vector */
    int path_follow;        /* with attend, without path_rest: L > 0: each picture's
                               path reads the L words after its picture's word */
    int path_each;          /* with path_follow: 1: one head, shared by the pictures,
                               gives each its path from [z, its own window] and
                               its own bias; 0: one head reads every window */
    int path_bounce;        /* sprite layout: 1: the path head gives each picture a
                               phase and a speed per axis, and the picture bounces
                               between the edges of its reach (nn.h bounce_*);
                               2: and an axis gate that weighs the two speeds, so
                               a picture can move along one axis only;
                               0: the head gives every frame's offset */
    int frame[2];           /* sprite layout: the frame's (height, width), larger
                               than the picture on both sides; 0 0: the
                               picture's size */
    t2v_act act;            /* hidden activation: ReLU in the papers */
    t2v_encoder_cfg text;
    /* derived by t2v_tganc_check: output size, and the picture's in the
     * sprite layout (the stack's; height x width otherwise) */
    int frames, height, width;
    int pic_h, pic_w;
} t2v_tganc_cfg;

/* The width of the sentence input the stack reads: E with attend, else D. */
static inline int t2v_tganc_stack_sent(const t2v_tganc_cfg *cfg)
{
    return cfg->attend ? cfg->text.embed : cfg->text.sent;
}

/* ... and the path head: E with path_rest or path_each, K E with
 * path_follow, else D. */
static inline int t2v_tganc_path_sent(const t2v_tganc_cfg *cfg)
{
    if (cfg->path_follow && !cfg->path_each)
        return (cfg->sprites > 1 ? cfg->sprites : 1) * cfg->text.embed;
    return cfg->path_rest || cfg->path_each ? cfg->text.embed : cfg->text.sent;
}

/* path_bounce: the fastest a picture moves, in units of the triangle wave
 * (4 per return trip across twice the reach) per frame */
#define T2V_TGANC_BOUNCE_VMAX 1.0f

/* What the path head gives per picture: 4 numbers that bounce (5 with the
 * axis gate), or 2 offsets per frame. */
static inline int t2v_tganc_path_outputs(const t2v_tganc_cfg *cfg)
{
    return cfg->path_bounce ? 3 + cfg->path_bounce : 2 * cfg->sprite_frames;
}

/* Validates sizes and derives frames/height/width. */

t2v_status t2v_tganc_check(t2v_tganc_cfg *cfg);

/* Sprite layout: the farthest the path moves the picture, in pixels along
 * either axis: half the frame's shorter side for a picture of the frame's
 * size, else the smaller of the two margins on either side of the centred
 * picture (whole pixels: an odd margin leaves one pixel unused). */
static inline float t2v_tganc_reach(const t2v_tganc_cfg *cfg)
{
    if (cfg->pic_h == cfg->height && cfg->pic_w == cfg->width)
        return 0.5f * (float)(cfg->height < cfg->width ? cfg->height : cfg->width);
    int my = (cfg->height - cfg->pic_h) / 2, mx = (cfg->width - cfg->pic_w) / 2;
    return (float)(my < mx ? my : mx);
}

typedef struct t2v_tganc_layer {
    int C;                  /* channels */
    int64_t L;              /* T*H*W */
    int SC;                 /* statistics: SC groups of SL values per item */
    int64_t SL;             /* (C, L), or (C*L, 1) for a per-unit layer */
    int w;                  /* conv / fc weight index */
    int bn_g, bn_b;         /* affine BN (paper) */
    int mod[4];             /* cond BN: gamma.weight, gamma.bias, beta.weight, beta.bias */
    int run_mean, run_var;  /* buffers */
    t2v_conv_geom geom;     /* stages >= 1: the ConvT3d into this layer */
    float *pre, *xhat, *a;  /* BN input, normalised, activated output (N, C, L) */
    float *gamma, *beta;    /* (N, C) */
    float *save_mean, *save_invstd;
    float *da, *dxhat, *dpre, *dgamma, *dbeta;
} t2v_tganc_layer;

typedef struct t2v_tganc {
    t2v_tganc_cfg cfg;
    t2v_encoder text;
    t2v_tganc_layer layer[T2V_TGANC_MAX_STAGES + 1];
    int out_w, out_b;
    int path_w[2], path_b[2]; /* sprite layout: the path head's two layers */
    int path_pos;           /* path_each with sprites > 1: each picture's hidden bias
                               (K, hidden) */
    int att_w;              /* attend: each vocabulary word's score (V) */
    int att_pos;            /* sprites > 1: each sprite's positional bias (K, T) */
    int K, NS;              /* sprites per clip, stack batch K N */
    float attend_sharpen;   /* attend, training: weight of the attention's entropy
                               in the loss (0 at inference) */
    float axis_sharpen;     /* path_bounce 2, training: weight in the loss of the
                               mean over the pictures of 4 s (1 - s), s the axis
                               gate's sigmoid: 1 open, 0 on one axis (0 at
                               inference) */
    t2v_conv_geom out_geom;
    int N;
    float bn_momentum;      /* running-statistics update in training mode (0.1) */
    float *z;               /* (N, Z) filled by the caller */
    float *zs;              /* (K N, Z + D), with attend (K N, Z + E) */
    float *out_pre, *clip;  /* clip (N, channels, frames, H, W); out_pre has the
                               stack's K N items of its frames (1 in the sprite
                               layout) */
    float *picture, *dpicture; /* sprite layout: the stack's frames after tanh (K N) */
    float *path_h, *path_t, *off; /* (N, hidden), (N, 2TK) tanh, (N, K, T, 2) pixels;
                               path_each: (K N, hidden), (K N, 2T), (K, N, T, 2) */
    float *dpath_h, *dpath_t, *doff, *dzs_path;
    float *zs_path;         /* attend: the path's (N, Z + D), (N, Z + E) with
                               path_rest, (K N, Z + E) with path_each; else the
                               path reads zs */
    float *rest_w, *rest, *drest_w; /* path_rest: word weights (N, T), R (N, E);
                               path_follow: (K N, T), (N, K E); path_each: R (K N, E) */
    float *band;            /* path_follow: (T, T), 1 where 1 <= t - s <= L */
    int band_ready;         /* path_follow: band uploaded since the last plan */
    float *att_s, *att_a, *att_p; /* attend: scores, weights (K N, T), P (K N, E) */
    float *datt_s, *datt_a, *datt_p, *datt_x, *dz_path; /* datt_x (N, T, E) */
    float *moved, *dmoved;  /* sprites > 1: the K moved pictures (K N, C, T, H, W) */
    float *over;            /* sprites > 1: relu(max so far - sprite k), K - 1 clips */
    float *off_k, *doff_k;  /* sprites > 1 without path_each: offsets sprite-major
                               (K N, T, 2) */
    float *ws;              /* convolution workspace */
    float *dclip, *dout_pre, *dzs, *dz, *dS, *dS_tmp;
} t2v_tganc;

/* Parameters go to ps ("gen.*"), batch-norm running statistics to bufs. */
t2v_status t2v_tganc_declare(t2v_tganc *g, const t2v_tganc_cfg *cfg, t2v_params *ps,
                             t2v_params *bufs);
void t2v_tganc_plan(t2v_tganc *g, t2v_backend *be, t2v_plan *p);
t2v_status t2v_tganc_init(t2v_tganc *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                          uint64_t seed);
/* The name prefixes of the path head and of its output layer (whose shape
 * depends on path_bounce), and a fresh start for either (weights N(0,
 * 0.02) from Philox streams (seed, stream + i), biases 0, each picture's
 * hidden bias as t2v_tganc_init draws it): a run that switches its path's
 * shape, or what the path reads, keeps every other parameter. */
#define T2V_TGANC_PATH "gen.path."
#define T2V_TGANC_PATH_OUT "gen.path.l1."
t2v_status t2v_tganc_init_path(t2v_tganc *g, t2v_backend *be, t2v_params *ps, uint64_t seed,
                               uint64_t stream, int whole);
/* S (N, D) from the encoder (g->text.S, or another encoder's), z in g->z.
 * training: batch statistics (and running averages updated); else the
 * running statistics. Leaves g->clip. */
void t2v_tganc_forward(t2v_tganc *g, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       const float *S, int training);
/* dclip in g->dclip; parameter gradients accumulate; leaves dS (N, D)
 * and, with attend, the gradient of the words P read in datt_x. */
void t2v_tganc_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps, const float *S);
/* After t2v_tganc_backward: the sentence encoder g->text's gradients from
 * dS and, with attend, from the attended words. */
void t2v_tganc_text_backward(t2v_tganc *g, t2v_backend *be, t2v_params *ps);

#endif
