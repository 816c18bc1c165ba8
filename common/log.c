/* log.c - stderr talk for the CLI and long-running modules. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int cs_verbosity = 1;
static int progress_open;

static void vsay(int level, const char *prefix, const char *fmt, va_list ap)
{
    if (cs_verbosity < level)
        return;
    if (progress_open)
        cs_progress_done();
    if (prefix)
        fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cs_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(1, NULL, fmt, ap);
    va_end(ap);
}

void cs_verbose(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(2, NULL, fmt, ap);
    va_end(ap);
}

void cs_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(1, "coreset: warning: ", fmt, ap);
    va_end(ap);
}

void cs_progress(const char *fmt, ...)
{
    if (cs_verbosity < 1)
        return;
    int tty = isatty(2);
    va_list ap;
    va_start(ap, fmt);
    if (tty)
        fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (tty) {
        progress_open = 1;
    } else {
        fputc('\n', stderr);
    }
    fflush(stderr);
}

void cs_progress_done(void)
{
    if (progress_open) {
        fputc('\n', stderr);
        progress_open = 0;
    }
}
