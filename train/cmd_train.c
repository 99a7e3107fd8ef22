/* txt2vid train: a TGANs-C run with progress, a CSV log, sample sheets,
 * loss plots, atomic checkpoints, exact resume and Ctrl-C saving. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "train/cli.h"
#include "train/eval/eval.h"
#include "train/media/media.h"
#include "train/tganc/trainer.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static void warn_data(void *user, const char *msg)
{
    (void)user;
    fprintf(stderr, "txt2vid: warning: %s\n", msg);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid train [options]\n"
            "\n"
            "  --preset NAME       tiny | small | paper (default small)\n"
            "  --data NAME         sbmg | tbmg | videos:<folder> (default sbmg)\n"
            "  --steps N           total steps of the run (default: the preset's)\n"
            "  --batch N           clips per step (default: the preset's)\n"
            "  --seed N            seed of every random choice (default 1)\n"
            "  --loss bce|hinge    adversarial loss (paper: bce)\n"
            "  --temporal none|constraint|adversarial\n"
            "                      TGANs-C without temporal term, -C, or -A\n"
            "  --lambda-tc X       weight of the coherence constraint (default 0.1)\n"
            "  --head concat|projection  how D checks the caption\n"
            "  --sn on|off         spectral normalisation in D\n"
            "  --lr-g X, --lr-d X  Adam learning rates\n"
            "  --train-count N     clips in the training split (default 10000)\n"
            "  --run-dir DIR       checkpoint, log and samples\n"
            "                      (default ~/.cache/txt2vid/runs/DATA-PRESET)\n"
            "  --out FILE          the model file written at the end (default RUN/model.gguf)\n"
            "  --resume            continue from RUN/checkpoint.gguf when it exists\n"
            "  --minutes M         stop (and save) after M minutes of this invocation\n"
            "  --ckpt-every N      checkpoint every N steps (default 200)\n"
            "  --sample-every N    sample sheet and loss plot every N steps (default 500)\n"
            "  --threads N         CPU threads (default: all cores)\n"
            "  --judge FILE        score the generator every --eval-every steps (default\n"
            "                      1000) on --eval-count test captions (default 200):\n"
            "                      RUN/eval.csv and RUN/eval.png, caption accuracy over time\n"
            "  --quiet             no progress output\n");
}

typedef struct train_opts {
    const char *preset, *data, *run_dir, *out;
    int64_t steps;
    int batch, threads, resume, quiet;
    long train_count;
    uint64_t seed;
    int have_seed;
    int loss, temporal, head, sn;       /* -1: preset's */
    float lambda_tc, lr_g, lr_d;        /* < 0: preset's */
    double minutes;
    int ckpt_every, sample_every;
    const char *judge;
    int eval_every, eval_count;
} train_opts;

static int parse(int argc, char **argv, train_opts *o)
{
    enum { O_PRESET = 256, O_DATA, O_STEPS, O_BATCH, O_SEED, O_LOSS, O_TEMPORAL, O_LAMBDA,
           O_HEAD, O_SN, O_LRG, O_LRD, O_COUNT, O_RUN, O_OUT, O_RESUME, O_MIN, O_CKPT, O_SAMPLE,
           O_THREADS, O_QUIET, O_HELP, O_JUDGE, O_EVAL_EVERY, O_EVAL_COUNT };
    static const struct option longopts[] = {
        {"preset", 1, 0, O_PRESET}, {"data", 1, 0, O_DATA}, {"steps", 1, 0, O_STEPS},
        {"batch", 1, 0, O_BATCH}, {"seed", 1, 0, O_SEED}, {"loss", 1, 0, O_LOSS},
        {"temporal", 1, 0, O_TEMPORAL}, {"lambda-tc", 1, 0, O_LAMBDA}, {"head", 1, 0, O_HEAD},
        {"sn", 1, 0, O_SN}, {"lr-g", 1, 0, O_LRG}, {"lr-d", 1, 0, O_LRD},
        {"train-count", 1, 0, O_COUNT}, {"run-dir", 1, 0, O_RUN}, {"out", 1, 0, O_OUT},
        {"resume", 0, 0, O_RESUME}, {"minutes", 1, 0, O_MIN}, {"ckpt-every", 1, 0, O_CKPT},
        {"sample-every", 1, 0, O_SAMPLE}, {"threads", 1, 0, O_THREADS}, {"quiet", 0, 0, O_QUIET},
        {"help", 0, 0, O_HELP}, {"judge", 1, 0, O_JUDGE}, {"eval-every", 1, 0, O_EVAL_EVERY},
        {"eval-count", 1, 0, O_EVAL_COUNT}, {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->preset = "small";
    o->loss = o->temporal = o->head = o->sn = -1;
    o->lambda_tc = o->lr_g = o->lr_d = -1.0f;
    o->ckpt_every = 200;
    o->sample_every = 500;
    o->eval_every = 1000;
    o->eval_count = 200;
    o->seed = 1;
    optind = 1;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_PRESET: o->preset = optarg; break;
        case O_DATA: o->data = optarg; break;
        case O_STEPS:
            o->steps = strtoll(optarg, &end, 10);
            if (*end || o->steps < 0) goto bad;
            break;
        case O_BATCH:
            o->batch = (int)strtol(optarg, &end, 10);
            if (*end || o->batch < 1 || o->batch > 4096) goto bad;
            break;
        case O_SEED:
            o->seed = strtoull(optarg, &end, 10);
            if (*end) goto bad;
            o->have_seed = 1;
            break;
        case O_LOSS:
            if (!strcmp(optarg, "bce")) o->loss = T2V_LOSS_BCE;
            else if (!strcmp(optarg, "hinge")) o->loss = T2V_LOSS_HINGE;
            else goto bad;
            break;
        case O_TEMPORAL:
            if (!strcmp(optarg, "none")) o->temporal = T2V_TEMPORAL_NONE;
            else if (!strcmp(optarg, "constraint")) o->temporal = T2V_TEMPORAL_CONSTRAINT;
            else if (!strcmp(optarg, "adversarial")) o->temporal = T2V_TEMPORAL_ADVERSARIAL;
            else goto bad;
            break;
        case O_LAMBDA:
            o->lambda_tc = strtof(optarg, &end);
            if (*end || !(o->lambda_tc >= 0)) goto bad;
            break;
        case O_HEAD:
            if (!strcmp(optarg, "concat")) o->head = T2V_HEAD_CONCAT;
            else if (!strcmp(optarg, "projection")) o->head = T2V_HEAD_PROJECTION;
            else goto bad;
            break;
        case O_SN:
            if (!strcmp(optarg, "on")) o->sn = 1;
            else if (!strcmp(optarg, "off")) o->sn = 0;
            else goto bad;
            break;
        case O_LRG:
        case O_LRD: {
            float v = strtof(optarg, &end);
            if (*end || !(v > 0 && v < 1)) goto bad;
            if (c == O_LRG) o->lr_g = v; else o->lr_d = v;
            break;
        }
        case O_COUNT:
            o->train_count = strtol(optarg, &end, 10);
            if (*end || o->train_count < 1) goto bad;
            break;
        case O_RUN: o->run_dir = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_RESUME: o->resume = 1; break;
        case O_MIN:
            o->minutes = strtod(optarg, &end);
            if (*end || !(o->minutes > 0)) goto bad;
            break;
        case O_CKPT:
            o->ckpt_every = (int)strtol(optarg, &end, 10);
            if (*end || o->ckpt_every < 1) goto bad;
            break;
        case O_SAMPLE:
            o->sample_every = (int)strtol(optarg, &end, 10);
            if (*end || o->sample_every < 0) goto bad;
            break;
        case O_THREADS:
            o->threads = (int)strtol(optarg, &end, 10);
            if (*end || o->threads < 0 || o->threads > 256) goto bad;
            break;
        case O_QUIET: o->quiet = 1; break;
        case O_JUDGE: o->judge = optarg; break;
        case O_EVAL_EVERY:
            o->eval_every = (int)strtol(optarg, &end, 10);
            if (*end || o->eval_every < 1) goto bad;
            break;
        case O_EVAL_COUNT:
            o->eval_count = (int)strtol(optarg, &end, 10);
            if (*end || o->eval_count < 1) goto bad;
            break;
        case O_HELP: usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
        continue;
    bad:
        fprintf(stderr, "txt2vid train: bad value '%s' for --%s\n", optarg,
                longopts[c - O_PRESET].name);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "txt2vid train: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Fixed captions for the sample sheets: the test split's first captions
 * (combinations never seen in training) and the training split's. */
static int sheet_captions(const t2v_tganc_recipe *rc, const char **out, char store[][160], int max)
{
    int n = 0;
    for (int split = 1; split >= 0 && n < max; split--) {
        t2v_data_options o;
        t2v_data_options_default(&o);
        o.name = rc->data;
        o.split = split ? T2V_SPLIT_TEST : T2V_SPLIT_TRAIN;
        o.seed = rc->seed;
        o.count = 64;
        t2v_dataset *ds;
        if (t2v_data_open(&o, &ds) != T2V_OK)
            continue;
        t2v_data_info di;
        t2v_data_get_info(ds, &di);
        for (long k = 0; k < di.n_captions && n < max && k < max / 2; k++) {
            snprintf(store[n], 160, "%s", t2v_data_caption_at(ds, k));
            out[n] = store[n];
            n++;
        }
        t2v_data_close(ds);
    }
    return n;
}

static void write_samples(t2v_tganc_trainer *tr, const char *run_dir, int64_t step)
{
    const t2v_tganc_recipe *rc = t2v_tganc_trainer_recipe(tr);
    const char *caps[8];
    char store[8][160];
    int n = sheet_captions(rc, caps, store, 8);
    if (n == 0)
        return;
    const t2v_tganc_cfg *g = &rc->gen;
    t2v_tganc_cfg c = *g;
    t2v_tganc_check(&c);
    size_t clip = (size_t)c.channels * c.frames * c.height * c.width;
    float *buf = malloc((size_t)n * clip * sizeof(float));
    if (!buf)
        return;
    if (t2v_tganc_standing_stats(tr, 20) == T2V_OK &&
        t2v_tganc_trainer_sample(tr, caps, n, 7, 0, buf) == T2V_OK) {
        t2v_clip_view views[8];
        for (int i = 0; i < n; i++)
            views[i] = (t2v_clip_view){buf + i * clip, c.channels, c.frames, c.height, c.width};
        char png[1200], gif[1200];
        snprintf(png, sizeof png, "%s/samples/step-%07lld.png", run_dir, (long long)step);
        snprintf(gif, sizeof gif, "%s/samples/step-%07lld.gif", run_dir, (long long)step);
        if (t2v_media_write_sheet(png, gif, views, caps, n, 4, 0) != T2V_OK)
            fprintf(stderr, "txt2vid: warning: sample sheet: %s\n", t2v_media_last_error());
    }
    free(buf);
}

/* Caption accuracy over training: a snapshot of the generator is exported
 * and scored through the generation API exactly as `txt2vid eval` does. */
typedef struct progress_eval {
    t2v_judge *judge;
    t2v_dataset *test, *train;
    int count, threads;
    char csv[1100], png[1100], snapshot[1100];
} progress_eval;

static t2v_dataset *open_judge_split(const t2v_judge *j, t2v_data_split split)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = j->cfg.dataset;
    o.split = split;
    o.frames = j->cfg.frames;
    o.height = j->cfg.height;
    o.width = j->cfg.width;
    o.channels = j->cfg.channels;
    t2v_dataset *ds = NULL;
    return t2v_data_open(&o, &ds) == T2V_OK ? ds : NULL;
}

static int progress_eval_open(progress_eval *pe, const char *judge, const char *run_dir,
                              int count, int threads)
{
    memset(pe, 0, sizeof *pe);
    pe->count = count;
    pe->threads = threads;
    snprintf(pe->csv, sizeof pe->csv, "%s/eval.csv", run_dir);
    snprintf(pe->png, sizeof pe->png, "%s/eval.png", run_dir);
    snprintf(pe->snapshot, sizeof pe->snapshot, "%s/snapshot.gguf", run_dir);
    if (t2v_judge_load(judge, NULL, threads, &pe->judge) != T2V_OK) {
        fprintf(stderr, "txt2vid train: %s\n", t2v_last_error());
        return -1;
    }
    pe->test = open_judge_split(pe->judge, T2V_SPLIT_TEST);
    pe->train = open_judge_split(pe->judge, T2V_SPLIT_TRAIN);
    if (!pe->test || !pe->train) {
        fprintf(stderr, "txt2vid train: judge data: %s\n", t2v_data_last_error());
        return -1;
    }
    return 0;
}

static void progress_eval_close(progress_eval *pe)
{
    t2v_data_close(pe->test);
    t2v_data_close(pe->train);
    t2v_judge_free(pe->judge);
}

static void progress_eval_run(progress_eval *pe, t2v_tganc_trainer *tr)
{
    t2v_model *m = NULL;
    t2v_model_clips mc;
    memset(&mc, 0, sizeof mc);
    t2v_eval_report rep;
    if (t2v_tganc_standing_stats(tr, 50) != T2V_OK ||
        t2v_tganc_export(tr, pe->snapshot, t2v_cli_command_line(), NULL, NULL, 0) != T2V_OK ||
        t2v_model_load(pe->snapshot, &m) != T2V_OK ||
        t2v_model_clips_open(&mc, m, pe->test, &pe->judge->cfg, 1000, pe->threads) != T2V_OK ||
        t2v_eval_clips(pe->judge, pe->test, pe->train, pe->count, 32, t2v_model_clip_fn, &mc,
                       &rep) != T2V_OK) {
        fprintf(stderr, "txt2vid train: warning: evaluation failed: %s\n", t2v_last_error());
    } else {
        FILE *f = fopen(pe->csv, "a");
        if (f) {
            if (ftell(f) == 0) {
                fprintf(f, "step,seconds");
                for (int k = 0; k < rep.n_attrs; k++)
                    fprintf(f, ",%s", rep.attr_name[k]);
                fprintf(f, ",all,fid\n");
            }
            fprintf(f, "%lld,%.0f", (long long)t2v_tganc_trainer_step_count(tr),
                    t2v_tganc_trainer_seconds(tr));
            for (int k = 0; k < rep.n_attrs; k++)
                fprintf(f, ",%.4f", rep.acc_gen[k]);
            fprintf(f, ",%.4f,%.3f\n", rep.all_gen, rep.fid_gen);
            fclose(f);
        }
        char cols[256] = "all";
        for (int k = 0; k < rep.n_attrs; k++) {
            size_t used = strlen(cols);
            snprintf(cols + used, sizeof cols - used, ",%s", rep.attr_name[k]);
        }
        t2v_plot_options po = {.columns = cols, .smooth = 1};
        t2v_media_plot_csv_opts(pe->csv, pe->png, "caption accuracy on unseen test captions", &po);
    }
    t2v_model_clips_close(&mc);
    if (m)
        t2v_model_unref(m);
}

static void plot_losses(const char *csv, const char *png)
{
    t2v_plot_options po = {.columns = "d_loss,g_loss,d_video,d_frame,d_motion,g_video,g_frame,"
                                      "g_motion,tc"};
    if (t2v_media_plot_csv_opts(csv, png, "TGANs-C training losses", &po) != T2V_OK)
        fprintf(stderr, "txt2vid: warning: loss plot: %s\n", t2v_media_last_error());
}

int t2v_cmd_train(int argc, char **argv)
{
    train_opts o;
    int pr = parse(argc, argv, &o);
    if (pr)
        return pr == 1 ? 0 : 2;
    t2v_tganc_recipe rc;
    if (t2v_tganc_preset(o.preset, &rc) != T2V_OK) {
        fprintf(stderr, "txt2vid train: %s\n", t2v_last_error());
        return 2;
    }
    if (o.data) snprintf(rc.data, sizeof rc.data, "%s", o.data);
    if (o.steps) rc.steps = o.steps;
    if (o.batch) rc.batch = o.batch;
    if (o.have_seed) rc.seed = o.seed;
    if (o.loss >= 0) rc.loss = (t2v_gan_loss)o.loss;
    if (o.temporal >= 0) rc.temporal = (t2v_temporal)o.temporal;
    if (o.head >= 0) rc.head = (t2v_head_kind)o.head;
    if (o.sn >= 0) rc.sn = o.sn;
    if (o.lambda_tc >= 0) rc.lambda_tc = o.lambda_tc;
    if (o.lr_g > 0) rc.lr_g = o.lr_g;
    if (o.lr_d > 0) rc.lr_d = o.lr_d;
    if (o.train_count) rc.train_count = o.train_count;

    char run_dir[1024], ckpt[1100], csv[1100], out[1100], dir_samples[1100], plot[1100];
    if (o.run_dir) {
        snprintf(run_dir, sizeof run_dir, "%s", o.run_dir);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char base[900];
        if (xdg && *xdg) snprintf(base, sizeof base, "%s/txt2vid/runs", xdg);
        else snprintf(base, sizeof base, "%s/.cache/txt2vid/runs", home ? home : ".");
        char data_name[sizeof rc.data];
        snprintf(data_name, sizeof data_name, "%s", rc.data);
        for (char *p = data_name; *p; p++)
            if (*p == '/' || *p == ':')
                *p = '_';
        if (snprintf(run_dir, sizeof run_dir, "%s/%s-%s", base, data_name, rc.preset) >=
            (int)sizeof run_dir) {
            fprintf(stderr, "txt2vid train: run folder name too long\n");
            return 2;
        }
    }
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.gguf", run_dir);
    snprintf(csv, sizeof csv, "%s/log.csv", run_dir);
    snprintf(plot, sizeof plot, "%s/loss.png", run_dir);
    snprintf(dir_samples, sizeof dir_samples, "%s/samples", run_dir);
    snprintf(out, sizeof out, "%s", o.out ? o.out : "");
    if (!o.out)
        snprintf(out, sizeof out, "%s/model.gguf", run_dir);
    if (make_dirs(dir_samples) != 0) {
        fprintf(stderr, "txt2vid train: cannot create %s: %s\n", dir_samples, strerror(errno));
        return 1;
    }
    int resuming = o.resume && access(ckpt, R_OK) == 0;
    t2v_tganc_trainer *tr;
    t2v_status s = t2v_tganc_trainer_new(&rc, resuming ? ckpt : NULL, o.threads, warn_data, NULL,
                                         &tr);
    if (s != T2V_OK) {
        fprintf(stderr, "txt2vid train: %s\n", t2v_last_error());
        return 1;
    }
    const t2v_tganc_recipe *r = t2v_tganc_trainer_recipe(tr);
    int64_t steps = o.steps ? o.steps : r->steps;
    int64_t start = t2v_tganc_trainer_step_count(tr);
    FILE *log = fopen(csv, resuming ? "a" : "w");
    if (!log) {
        fprintf(stderr, "txt2vid train: cannot write %s: %s\n", csv, strerror(errno));
        t2v_tganc_trainer_free(tr);
        return 1;
    }
    if (!resuming)
        fprintf(log, "step,seconds,d_loss,g_loss,d_video,d_frame,d_motion,g_video,g_frame,"
                     "g_motion,tc,video_real,video_wrong,video_fake,frame_real,frame_wrong,"
                     "frame_fake,motion_real,motion_wrong,motion_fake\n");
    int tty = isatty(STDERR_FILENO) && !o.quiet;
    if (!o.quiet)
        fprintf(stderr, "txt2vid train: %s on %s, preset %s, batch %d, loss %s, temporal %s, "
                        "%s step %lld of %lld, run dir %s\n",
                resuming ? "resuming" : "starting", r->data, r->preset, r->batch,
                t2v_loss_name(r->loss), t2v_temporal_name(r->temporal),
                resuming ? "at" : "from", (long long)start, (long long)steps, run_dir);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    progress_eval pe;
    int evaluating = 0;
    if (o.judge) {
        if (progress_eval_open(&pe, o.judge, run_dir, o.eval_count, o.threads) != 0) {
            progress_eval_close(&pe);
            fclose(log);
            t2v_tganc_trainer_free(tr);
            return 1;
        }
        evaluating = 1;
    }
    double t0 = now_seconds(), last_print = 0.0, last_t = t0;
    int rc_exit = 0;
    t2v_step_stats st = {0};
    double ema = 0.0;
    while (t2v_tganc_trainer_step_count(tr) < steps && !interrupted) {
        if (o.minutes > 0 && now_seconds() - t0 > o.minutes * 60.0)
            break;
        s = t2v_tganc_train_step(tr, &st);
        double t = now_seconds();
        t2v_tganc_trainer_add_seconds(tr, t - last_t);
        double dt = t - last_t;
        last_t = t;
        ema = ema == 0.0 ? dt : 0.95 * ema + 0.05 * dt;
        if (s != T2V_OK) {
            fprintf(stderr, "\ntxt2vid train: %s\n", t2v_last_error());
            rc_exit = 1;
            break;
        }
        int64_t step = t2v_tganc_trainer_step_count(tr);
        fprintf(log, "%lld,%.1f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f", (long long)step,
                t2v_tganc_trainer_seconds(tr), st.d_loss, st.g_loss, st.d_video, st.d_frame,
                st.d_motion, st.g_video, st.g_frame, st.g_motion, st.tc);
        for (int d = 0; d < 3; d++)
            for (int r = 0; r < 3; r++)
                fprintf(log, ",%.4f", st.logit[d][r]);
        fprintf(log, "\n");
        double eta = ema * (double)(steps - step);
        if (tty && t - last_print > 0.5) {
            int width = 30, fill = (int)((double)step / (double)steps * width);
            char bar[32];
            for (int i = 0; i < width; i++)
                bar[i] = i < fill ? '#' : '.';
            bar[width] = '\0';
            fprintf(stderr, "\r[%s] %lld/%lld %.2f step/s ETA %02d:%02d:%02d  D %.3f  G %.3f  ",
                    bar, (long long)step, (long long)steps, 1.0 / ema, (int)(eta / 3600),
                    (int)fmod(eta / 60, 60), (int)fmod(eta, 60), st.d_loss, st.g_loss);
            last_print = t;
        } else if (!tty && !o.quiet && (step % 50 == 0 || step == steps)) {
            fprintf(stderr, "step %lld/%lld  %.2f step/s  ETA %.0f s  D %.4f  G %.4f\n",
                    (long long)step, (long long)steps, 1.0 / ema, eta, st.d_loss, st.g_loss);
        }
        if (step % o.ckpt_every == 0) {
            fflush(log);
            if (t2v_tganc_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK)
                fprintf(stderr, "\ntxt2vid train: checkpoint failed: %s\n", t2v_last_error());
        }
        if (o.sample_every && step % o.sample_every == 0) {
            fflush(log);
            write_samples(tr, run_dir, step);
            plot_losses(csv, plot);
        }
        if (evaluating && step % o.eval_every == 0) {
            double e0 = now_seconds();
            progress_eval_run(&pe, tr);
            last_t += now_seconds() - e0; /* evaluation is not training time */
        }
    }
    if (tty)
        fprintf(stderr, "\n");
    fclose(log);
    if (evaluating)
        progress_eval_close(&pe);
    if (interrupted && !o.quiet)
        fprintf(stderr, "txt2vid train: interrupted, saving a checkpoint\n");
    if (t2v_tganc_save_checkpoint(tr, ckpt, t2v_cli_command_line()) != T2V_OK) {
        fprintf(stderr, "txt2vid train: checkpoint failed: %s\n", t2v_last_error());
        rc_exit = 1;
    }
    if (rc_exit == 0 && (t2v_tganc_standing_stats(tr, 50) != T2V_OK ||
                         t2v_tganc_export(tr, out, t2v_cli_command_line(), NULL, NULL, 0) != T2V_OK)) {
        fprintf(stderr, "txt2vid train: writing %s failed: %s\n", out, t2v_last_error());
        rc_exit = 1;
    }
    if (o.sample_every)
        plot_losses(csv, plot);
    if (!o.quiet && rc_exit == 0)
        fprintf(stderr, "txt2vid train: step %lld, %.0f s of training; model %s, checkpoint %s\n",
                (long long)t2v_tganc_trainer_step_count(tr), t2v_tganc_trainer_seconds(tr), out,
                ckpt);
    t2v_tganc_trainer_free(tr);
    return rc_exit;
}
