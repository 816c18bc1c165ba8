/* opt.c - option parsing and error printing shared by every command. */
#include "cli.h"

#include "../common/err.h"
#include "../common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cs_print_error(void) { fprintf(stderr, "coreset: error: %s\n", cs_errmsg()); }

int cs_usage_error(const cs_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("coreset: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "hint: see 'coreset %s --help'\n", cmd->name);
    else
        fprintf(stderr, "hint: see 'coreset --help'\n");
    return CS_EXIT_USAGE;
}

int cs_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
              const cs_command *cmd)
{
    char spec[128];
    snprintf(spec, sizeof spec, ":%s", shortopts);
    opterr = 0;
    for (;;) {
        int prev = optind;
        int c = getopt_long(argc, argv, spec, longopts, NULL);
        if (c == 'h') {
            fputs(cmd->usage, stdout);
            return 'h';
        }
        if (c == 'q') {
            cs_verbosity = 0;
            continue;
        }
        if (c == 'v') {
            cs_verbosity = 2;
            continue;
        }
        if (c == '?' || c == ':') {
            const char *arg = argv[optind - 1 >= prev ? optind - 1 : prev];
            if (optopt && c == '?')
                cs_usage_error(cmd, "unknown option '-%c'", optopt);
            else if (c == '?')
                cs_usage_error(cmd, "unknown option '%s'", arg);
            else
                cs_usage_error(cmd, "option '%s' needs a value", arg);
            return '?';
        }
        return c;
    }
}

int cs_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

int cs_parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        return -1;
    *out = v;
    return 0;
}
