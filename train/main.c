/* txt2vid: train, sample, evaluate and inspect text-to-video models. */
#include <stdio.h>
#include <string.h>

#include "train/cli.h"
#include "txt2vid/txt2vid.h"

static char command_line[2048];

const char *t2v_cli_command_line(void) { return command_line; }

void t2v_cli_verror(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: txt2vid <command> [options]\n"
            "\n"
            "commands:\n"
            "  dataset   build the data caches, preview data sets\n"
            "  train     train a text-to-video model (TGANs-C)\n"
            "  train-stackgan  train a text-to-image model (StackGAN, two stages)\n"
            "  sample    generate clips for captions from a model file\n"
            "  judge     train the evaluation classifier on real data\n"
            "  match     train the image-caption matching model (R-precision)\n"
            "  eval      score a model against what its captions say\n"
            "  info      print what a weights file holds\n"
            "\n"
            "'txt2vid <command> --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    size_t used = 0;
    for (int i = 0; i < argc && used + 2 < sizeof command_line; i++) {
        int n = snprintf(command_line + used, sizeof command_line - used, "%s%s", i ? " " : "",
                         argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
        if (used >= sizeof command_line)
            used = sizeof command_line - 1;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("txt2vid %s\n", T2V_VERSION_STRING);
        return 0;
    }
    if (!strcmp(cmd, "dataset"))
        return t2v_cmd_dataset(argc - 1, argv + 1);
    if (!strcmp(cmd, "train"))
        return t2v_cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "train-stackgan"))
        return t2v_cmd_train_stackgan(argc - 1, argv + 1);
    if (!strcmp(cmd, "sample"))
        return t2v_cmd_sample(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return t2v_cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "judge"))
        return t2v_cmd_judge(argc - 1, argv + 1);
    if (!strcmp(cmd, "match"))
        return t2v_cmd_match(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return t2v_cmd_info(argc - 1, argv + 1);
    fprintf(stderr, "txt2vid: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
