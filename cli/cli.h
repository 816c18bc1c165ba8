/* cli.h - what the command files share: the dispatch signature, option
 * parsing with coreset's error conventions, and exit codes.
 *
 * Exit status: 0 success, 1 a runtime error (bad file, bad data), 2 a usage
 * error (unknown command or option, bad option value). */
#ifndef CS_CLI_H
#define CS_CLI_H

#include <getopt.h>
#include <stdio.h>

#define CS_EXIT_OK 0
#define CS_EXIT_ERR 1
#define CS_EXIT_USAGE 2

typedef struct cs_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *usage;                 /* full --help text; first lines are the synopsis */
    const char *summary;               /* one line for `coreset --help` */
} cs_command;

/* The table lives in main.c. */
extern const cs_command cs_commands[];
const cs_command *cs_find_command(const char *name);

/* getopt_long with coreset's conventions.  Handles -h/--help (prints usage,
 * returns 'h'; the caller returns 0), -q/-v (adjusts cs_verbosity and reads on),
 * unknown options and missing arguments (prints "coreset: error: ..." and a
 * hint, returns '?'; the caller returns 2).  Returns -1 at the end of options.
 * `shortopts` must not start with ':' (the wrapper adds it). */
int cs_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
              const cs_command *cmd);

/* Print "coreset: error: <msg>" for the library's last error. */
void cs_print_error(void);
/* Print "coreset: error: <fmt>" and return CS_EXIT_USAGE, with the help hint. */
int cs_usage_error(const cs_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse numbers strictly (whole string, range); 0 on success, else a usage error message. */
int cs_parse_double(const char *s, double *out);
int cs_parse_long(const char *s, long *out);

/* Command entry points (one file each). */
int cmd_inspect(int argc, char **argv);
extern const char cmd_inspect_usage[];
int cmd_score(int argc, char **argv);
extern const char cmd_score_usage[];
int cmd_train(int argc, char **argv);
extern const char cmd_train_usage[];
int cmd_dump(int argc, char **argv);
extern const char cmd_dump_usage[];
int cmd_select(int argc, char **argv);
extern const char cmd_select_usage[];
int cmd_export(int argc, char **argv);
extern const char cmd_export_usage[];
int cmd_report(int argc, char **argv);
extern const char cmd_report_usage[];
int cmd_import(int argc, char **argv);
extern const char cmd_import_usage[];
int cmd_selftest(int argc, char **argv);
extern const char cmd_selftest_usage[];

#endif
