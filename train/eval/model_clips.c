/* Generated clips for test captions, through the same generation API the
 * GStreamer element and the FFmpeg filter use. */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval.h"

t2v_status t2v_model_clips_open(t2v_model_clips *mc, t2v_model *m, const t2v_dataset *test,
                                const t2v_judge_cfg *cfg, uint64_t seed, int threads)
{
    return t2v_model_clips_open_stage(mc, m, test, cfg, seed, threads, 0);
}

t2v_status t2v_model_clips_open_stage(t2v_model_clips *mc, t2v_model *m,
                                      const t2v_dataset *test, const t2v_judge_cfg *cfg,
                                      uint64_t seed, int threads, int stage)
{
    memset(mc, 0, sizeof *mc);
    t2v_model_info info;
    t2v_model_get_info(m, &info);
    mc->ds = test;
    mc->seed = seed;
    mc->C = info.channels;
    mc->T = info.kind == T2V_MODEL_IMAGE ? 1 : info.frames;
    mc->H = info.height;
    mc->W = info.width;
    mc->jC = cfg->channels;
    mc->jT = cfg->frames;
    mc->jH = cfg->height;
    mc->jW = cfg->width;
    if (mc->T != mc->jT)
        return t2v_fail(T2V_ERR_INVALID, "the model makes clips of %d frames, the judge reads %d",
                        mc->T, mc->jT);
    if (mc->H < mc->jH || mc->W < mc->jW || mc->H % mc->jH || mc->W % mc->jW ||
        mc->H / mc->jH != mc->W / mc->jW)
        return t2v_fail(T2V_ERR_INVALID, "the model's %dx%d frames are not the judge's %dx%d "
                        "times one integer factor", mc->W, mc->H, mc->jW, mc->jH);
    if (!(mc->C == mc->jC || (mc->C == 3 && mc->jC == 1)))
        return t2v_fail(T2V_ERR_INVALID, "the model makes %d channels, the judge reads %d",
                        mc->C, mc->jC);
    t2v_generator_opts go;
    t2v_generator_opts_init(&go);
    go.device = T2V_DEVICE_CPU;
    go.threads = threads;
    go.mode = T2V_MODE_STILL;
    go.hold = 1;
    go.stage = stage;
    t2v_status s = t2v_generator_new(m, &go, &mc->gen);
    if (s != T2V_OK)
        return s;
    mc->frames = malloc((size_t)mc->C * mc->T * mc->H * mc->W * sizeof(float));
    if (!mc->frames) {
        t2v_model_clips_close(mc);
        return t2v_fail(T2V_ERR_NOMEM, "out of memory for generated clips");
    }
    return T2V_OK;
}

void t2v_model_clips_close(t2v_model_clips *mc)
{
    if (mc->gen)
        t2v_generator_free(mc->gen);
    free(mc->frames);
    memset(mc, 0, sizeof *mc);
}

/* frames (C, T, H, W) -> clip (jC, T, jH, jW): box filter by the integer
 * factor, RGB to grey (BT.601 weights) when the judge reads grey. */
static void fit_to_judge(const t2v_model_clips *mc, float *clip)
{
    int f = mc->H / mc->jH;
    double inv = 1.0 / ((double)f * f);
    static const double luma[3] = {0.299, 0.587, 0.114};
    size_t hw = (size_t)mc->H * mc->W, jhw = (size_t)mc->jH * mc->jW;
    for (int jc = 0; jc < mc->jC; jc++)
        for (int t = 0; t < mc->T; t++)
            for (int y = 0; y < mc->jH; y++)
                for (int x = 0; x < mc->jW; x++) {
                    double sum = 0.0;
                    for (int c = 0; c < mc->C; c++) {
                        if (mc->C == mc->jC && c != jc)
                            continue;
                        double wgt = mc->C == mc->jC ? 1.0 : luma[c];
                        const float *plane = mc->frames + ((size_t)c * mc->T + t) * hw;
                        double box = 0.0;
                        for (int dy = 0; dy < f; dy++)
                            for (int dx = 0; dx < f; dx++)
                                box += plane[(size_t)(y * f + dy) * mc->W + x * f + dx];
                        sum += wgt * box * inv;
                    }
                    clip[((size_t)jc * mc->T + t) * jhw + (size_t)y * mc->jW + x] = (float)sum;
                }
}

t2v_status t2v_model_clip_fn(void *user, long k, float *clip)
{
    t2v_model_clips *mc = user;
    const char *caption = t2v_data_caption(mc->ds, k, 0);
    if (!caption)
        return t2v_fail(T2V_ERR_INVALID, "test item %ld has no caption", k);
    t2v_status s = t2v_generator_set_caption(mc->gen, caption, &mc->report);
    if (s != T2V_OK)
        return s;
    t2v_generator_set_seed(mc->gen, mc->seed + (uint64_t)k);
    size_t hw = (size_t)mc->H * mc->W;
    int direct = mc->C == mc->jC && mc->H == mc->jH && mc->W == mc->jW;
    float *dst = direct ? clip : mc->frames;
    for (int t = 0; t < mc->T; t++) {
        const float *frame = NULL; // frame: (C, H, W)
        s = t2v_generator_frame(mc->gen, (uint64_t)t, &frame);
        if (s != T2V_OK)
            return s;
        for (int c = 0; c < mc->C; c++)
            memcpy(dst + ((size_t)c * mc->T + t) * hw, frame + (size_t)c * hw,
                   hw * sizeof(float));
    }
    if (!direct)
        fit_to_judge(mc, clip);
    return T2V_OK;
}
