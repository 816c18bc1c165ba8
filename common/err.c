/* err.c - the thread-local error message behind err.h. */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char msg[1024];

int cs_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return code;
}

int cs_error_errno(int code, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = strlen(msg);
    snprintf(msg + len, sizeof msg - len, ": %s", strerror(e));
    return code;
}

void cs_error_prefix(const char *fmt, ...)
{
    char old[sizeof msg];
    memcpy(old, msg, sizeof msg);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Copy by hand: snprintf("%s") of a buffer as large as msg draws
     * -Wformat-truncation, and truncating here is what we want. */
    if (n < 0 || (size_t)n + 3 >= sizeof msg)
        return;
    size_t room = sizeof msg - (size_t)n - 3, len = strlen(old);
    if (len > room)
        len = room;
    msg[n] = ':';
    msg[n + 1] = ' ';
    memcpy(msg + n + 2, old, len);
    msg[(size_t)n + 2 + len] = 0;
}

const char *cs_errmsg(void) { return msg[0] ? msg : "unknown error"; }

void cs_error_clear(void) { msg[0] = 0; }

void *cs_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        cs_error(CS_ENOMEM, "out of memory allocating %zu bytes", n);
    return p;
}

void *cs_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        cs_error(CS_ENOMEM, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}
