/* Reading the options the training commands share. */
#include <stdlib.h>
#include <string.h>

#include "train/common/gan_loss.h"
#include "train/common/run_opts.h"
#include "train/tganc/disc.h"

/* One shared option: 1 handled, 0 not a shared one, -1 a bad value. */
static int parse_shared(t2v_run_opts *o, int c, const char *arg)
{
    char *end;
    switch (c) {
    case T2V_OPT_PRESET: o->preset = arg; return 1;
    case T2V_OPT_DATA: o->data = arg; return 1;
    case T2V_OPT_STEPS:
        o->steps = strtoll(arg, &end, 10);
        return *end || o->steps < 0 ? -1 : 1;
    case T2V_OPT_BATCH:
        o->batch = (int)strtol(arg, &end, 10);
        return *end || o->batch < 1 || o->batch > 4096 ? -1 : 1;
    case T2V_OPT_SEED:
        o->seed = strtoull(arg, &end, 10);
        if (*end) return -1;
        o->have_seed = 1;
        return 1;
    case T2V_OPT_LOSS:
        if (!strcmp(arg, "bce")) o->loss = T2V_LOSS_BCE;
        else if (!strcmp(arg, "hinge")) o->loss = T2V_LOSS_HINGE;
        else return -1;
        return 1;
    case T2V_OPT_HEAD:
        if (!strcmp(arg, "concat")) o->head = T2V_HEAD_CONCAT;
        else if (!strcmp(arg, "projection")) o->head = T2V_HEAD_PROJECTION;
        else return -1;
        return 1;
    case T2V_OPT_SN:
    case T2V_OPT_DBN: {
        int *flag = c == T2V_OPT_SN ? &o->sn : &o->d_bn;
        if (!strcmp(arg, "on")) *flag = 1;
        else if (!strcmp(arg, "off")) *flag = 0;
        else return -1;
        return 1;
    }
    case T2V_OPT_GTEXT:
        if (!strcmp(arg, "shared")) o->shared_text = 1;
        else if (!strcmp(arg, "own")) o->shared_text = 0;
        else return -1;
        return 1;
    case T2V_OPT_NEAR: {
        float v = strtof(arg, &end);
        if (*end || !(v >= 0 && v <= 1)) return -1;
        o->near_miss = v;
        return 1;
    }
    case T2V_OPT_BETA1:
    case T2V_OPT_BETA2: {
        float v = strtof(arg, &end);
        if (*end || !(v >= 0 && v < 1)) return -1;
        if (c == T2V_OPT_BETA1) o->beta1 = v; else o->beta2 = v;
        return 1;
    }
    case T2V_OPT_LRG:
    case T2V_OPT_LRD: {
        float v = strtof(arg, &end);
        if (*end || !(v > 0 && v < 1)) return -1;
        if (c == T2V_OPT_LRG) o->lr_g = v; else o->lr_d = v;
        return 1;
    }
    case T2V_OPT_COUNT:
        o->train_count = strtol(arg, &end, 10);
        return *end || o->train_count < 1 ? -1 : 1;
    case T2V_OPT_RUN: o->run_dir = arg; return 1;
    case T2V_OPT_OUT: o->out = arg; return 1;
    case T2V_OPT_RESUME: o->resume = 1; return 1;
    case T2V_OPT_MIN:
        o->minutes = strtod(arg, &end);
        return *end || !(o->minutes > 0) ? -1 : 1;
    case T2V_OPT_CKPT:
        o->ckpt_every = (int)strtol(arg, &end, 10);
        return *end || o->ckpt_every < 1 ? -1 : 1;
    case T2V_OPT_SAMPLE:
        o->sample_every = (int)strtol(arg, &end, 10);
        return *end || o->sample_every < 0 ? -1 : 1;
    case T2V_OPT_THREADS:
        o->threads = (int)strtol(arg, &end, 10);
        return *end || o->threads < 0 || o->threads > 256 ? -1 : 1;
    case T2V_OPT_DEVICE:
        if (!strcmp(arg, "auto")) o->device = T2V_DEVICE_AUTO;
        else if (!strcmp(arg, "cpu")) o->device = T2V_DEVICE_CPU;
        else if (!strcmp(arg, "cuda")) o->device = T2V_DEVICE_CUDA;
        else return -1;
        return 1;
    case T2V_OPT_GPU:
        o->gpu_id = (int)strtol(arg, &end, 10);
        return *end || !*arg || o->gpu_id < 0 || o->gpu_id > 1023 ? -1 : 1;
    case T2V_OPT_QUIET: o->quiet = 1; return 1;
    default: return 0;
    }
}

static const char *option_name(const struct option *longopts, int code)
{
    for (const struct option *p = longopts; p->name; p++)
        if (p->val == code)
            return p->name;
    return "?";
}

int t2v_run_opts_parse(int argc, char **argv, const char *cmd, const struct option *longopts,
                       t2v_run_opts *o, t2v_own_opt_fn own, void *user, void (*usage)(FILE *))
{
    memset(o, 0, sizeof *o);
    o->preset = "small";
    o->loss = o->head = o->sn = o->d_bn = o->shared_text = -1;
    o->lr_g = o->lr_d = o->beta1 = o->beta2 = o->near_miss = -1.0f;
    o->ckpt_every = 200;
    o->sample_every = 500;
    o->seed = 1;
    o->device = T2V_DEVICE_AUTO;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == T2V_OPT_HELP) {
            usage(stdout);
            return 1;
        }
        int r = c >= T2V_OPT_OWN ? (own(user, c, optarg) == 0 ? 1 : -1)
                                 : parse_shared(o, c, optarg);
        if (r == 0) {
            usage(stderr);
            return 2;
        }
        if (r < 0) {
            fprintf(stderr, "%s: bad value '%s' for --%s\n", cmd, optarg,
                    option_name(longopts, c));
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", cmd, argv[optind]);
        return 2;
    }
    return 0;
}

void t2v_run_opts_open_error(const char *cmd, const t2v_run_opts *o, t2v_status s)
{
    if (o->device == T2V_DEVICE_CUDA && s == T2V_ERR_UNSUPPORTED)
        fprintf(stderr, "%s: --device cuda: %s (--device cpu or auto trains on the CPU)\n", cmd,
                t2v_last_error());
    else if (o->device == T2V_DEVICE_CUDA && s == T2V_ERR_INVALID && o->gpu_id > 0)
        fprintf(stderr, "%s: --gpu-id %d: %s\n", cmd, o->gpu_id, t2v_last_error());
    else
        fprintf(stderr, "%s: %s\n", cmd, t2v_last_error());
}
