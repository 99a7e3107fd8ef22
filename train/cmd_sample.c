/* txt2vid sample: captions to a clip file through the generation API, the
 * same path the GStreamer element and the FFmpeg filter take. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/media/media.h"
#include "txt2vid/txt2vid.h"

#define MAX_CAPTIONS 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid sample [--model FILE] --caption TEXT [--caption TEXT ...]\n"
            "                      [--seed N] [--count N] [--device auto|cpu|cuda]\n"
            "                      [--threads N] [--stage 1|2] --out FILE.{mp4,gif,png,y4m}\n"
            "\n"
            "Generates COUNT clips for each caption (clip k of a caption uses the same\n"
            "noise as frames k*T.. of the plugins with that seed) and writes them one\n"
            "after another. --stage picks a StackGAN stage: 1 is Stage I upsampled by nearest\n"
            "neighbour to the model's size, 2 (the default) Stage II. The default model is\n"
            "%s.\n",
            t2v_default_model_path());
}

int t2v_cmd_sample(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", 1, 0, 'm'}, {"caption", 1, 0, 'c'}, {"seed", 1, 0, 's'},
        {"count", 1, 0, 'n'}, {"out", 1, 0, 'o'},     {"device", 1, 0, 'd'},
        {"threads", 1, 0, 't'}, {"help", 0, 0, 'h'},  {"stage", 1, 0, 'S'},
        {0, 0, 0, 0}};
    const char *model_path = NULL, *out = NULL, *captions[MAX_CAPTIONS];
    int ncap = 0, count = 1;
    uint64_t seed = 0;
    t2v_generator_opts go;
    t2v_generator_opts_init(&go);
    optind = 1;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'c':
            if (ncap == MAX_CAPTIONS) {
                fprintf(stderr, "txt2vid sample: at most %d captions\n", MAX_CAPTIONS);
                return 2;
            }
            captions[ncap++] = optarg;
            break;
        case 's':
            seed = strtoull(optarg, &end, 10);
            if (*end) goto bad;
            break;
        case 'n':
            count = (int)strtol(optarg, &end, 10);
            if (*end || count < 1 || count > 10000) goto bad;
            break;
        case 'o': out = optarg; break;
        case 'd':
            if (!strcmp(optarg, "auto")) go.device = T2V_DEVICE_AUTO;
            else if (!strcmp(optarg, "cpu")) go.device = T2V_DEVICE_CPU;
            else if (!strcmp(optarg, "cuda")) go.device = T2V_DEVICE_CUDA;
            else goto bad;
            break;
        case 't':
            go.threads = (int)strtol(optarg, &end, 10);
            if (*end || go.threads < 0) goto bad;
            break;
        case 'S':
            go.stage = (int)strtol(optarg, &end, 10);
            if (*end || go.stage < 1 || go.stage > 2) goto bad;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        continue;
    bad:
        fprintf(stderr, "txt2vid sample: bad value '%s'\n", optarg);
        return 2;
    }
    if (!ncap || !out || optind < argc) {
        usage(stderr);
        return 2;
    }
    if (!model_path)
        model_path = t2v_default_model_path();
    t2v_model *m;
    if (t2v_model_load(model_path, &m) != T2V_OK) {
        fprintf(stderr, "txt2vid sample: %s\n", t2v_last_error());
        return 1;
    }
    t2v_model_info mi;
    t2v_model_get_info(m, &mi);
    t2v_generator *g;
    if (t2v_generator_new(m, &go, &g) != T2V_OK) {
        fprintf(stderr, "txt2vid sample: %s\n", t2v_last_error());
        t2v_model_unref(m);
        return 1;
    }
    t2v_generator_set_seed(g, seed);
    size_t frame = (size_t)mi.channels * mi.height * mi.width, HW = (size_t)mi.height * mi.width;
    size_t total = (size_t)ncap * count * mi.frames;
    float *clip = malloc(total * frame * sizeof(float)); /* (C, total, H, W) */
    int rc = clip ? 0 : 1;
    for (int k = 0; k < ncap && rc == 0; k++) {
        t2v_caption_report rep;
        if (t2v_generator_set_caption(g, captions[k], &rep) != T2V_OK) {
            fprintf(stderr, "txt2vid sample: caption %d: %s\n", k + 1, t2v_last_error());
            rc = 1;
            break;
        }
        if (rep.unknown)
            fprintf(stderr, "txt2vid sample: warning: unknown words in caption %d: %s\n", k + 1,
                    rep.unknown_list);
        if (rep.truncated)
            fprintf(stderr, "txt2vid sample: warning: caption %d cut after %d words\n", k + 1,
                    rep.words);
        for (uint64_t f = 0; f < (uint64_t)count * mi.frames; f++) {
            const float *fr;
            if (t2v_generator_frame(g, f, &fr) != T2V_OK) {
                fprintf(stderr, "txt2vid sample: %s\n", t2v_last_error());
                rc = 1;
                break;
            }
            size_t t = (size_t)k * count * mi.frames + f;
            for (int ch = 0; ch < mi.channels; ch++)
                memcpy(clip + ((size_t)ch * total + t) * HW, fr + (size_t)ch * HW,
                       HW * sizeof(float));
        }
    }
    if (rc == 0) {
        t2v_clip_view v = {clip, mi.channels, (int)total, mi.height, mi.width};
        if (t2v_media_write_clip(out, &v, (double)mi.fps_num / mi.fps_den) != T2V_OK) {
            fprintf(stderr, "txt2vid sample: %s\n", t2v_media_last_error());
            rc = 1;
        } else {
            printf("%s: %zu frames of %dx%d at %d/%d fps\n", out, total, mi.width, mi.height,
                   mi.fps_num, mi.fps_den);
        }
    }
    free(clip);
    t2v_generator_free(g);
    t2v_model_unref(m);
    return rc;
}
