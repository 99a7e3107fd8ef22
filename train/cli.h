/* The txt2vid command line: one function per subcommand. Each returns the
 * process exit status (0 ok, 1 failure, 2 usage). */
#ifndef T2V_CLI_H
#define T2V_CLI_H

#include <stdarg.h>

int t2v_cmd_train(int argc, char **argv);
int t2v_cmd_train_stackgan(int argc, char **argv);
int t2v_cmd_sample(int argc, char **argv);
int t2v_cmd_info(int argc, char **argv);
int t2v_cmd_eval(int argc, char **argv);
int t2v_cmd_judge(int argc, char **argv);
int t2v_cmd_match(int argc, char **argv);
int t2v_cmd_dataset(int argc, char **argv);

/* The whole command line as one string (for provenance); static storage. */
const char *t2v_cli_command_line(void);

/* "cmd: message" and a newline on stderr, the message printf-formatted
 * from fmt and ap. */
void t2v_cli_verror(const char *cmd, const char *fmt, va_list ap);

#endif
