/* tmpfiles.c - registry of live temporary paths, the signal handler that
 * removes them, and the sweep of a dead writer's leftovers. */
#include "tmpfiles.h"

#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Fixed storage: the handler may run at any point, so it must never see a
 * half-built entry or memory being freed.  A slot's path is written while its
 * state is FREE and only then published. */
enum { FREE = 0, FILE_SLOT = 1, DIR_SLOT = 2 };
#define SLOTS 1400    /* a raw dump of 128 runs x 9 fields, plus every afile */
#define SLOT_PATH 1024 /* a longer path is not tracked (still removed by the sweep) */
static volatile sig_atomic_t slot_state[SLOTS];
static char slot_path[SLOTS][SLOT_PATH];

int cs_tmp_register(const char *path, int is_dir)
{
    size_t len = strlen(path);
    if (len >= SLOT_PATH)
        return -1;
    for (int i = 0; i < SLOTS; i++) {
        if (slot_state[i] != FREE)
            continue;
        memcpy(slot_path[i], path, len + 1);
        atomic_signal_fence(memory_order_release); /* the path is whole before the handler may see the slot */
        slot_state[i] = is_dir ? DIR_SLOT : FILE_SLOT;
        return i;
    }
    return -1;
}

void cs_tmp_forget(int slot)
{
    if (slot >= 0 && slot < SLOTS)
        slot_state[slot] = FREE;
}

static void on_signal(int sig)
{
    int saved = errno;
    /* Files first: a registered folder is empty once its files are gone. */
    for (int pass = FILE_SLOT; pass <= DIR_SLOT; pass++)
        for (int i = 0; i < SLOTS; i++)
            if (slot_state[i] == pass) {
                if (pass == FILE_SLOT)
                    unlink(slot_path[i]);
                else
                    rmdir(slot_path[i]);
                slot_state[i] = FREE;
            }
    /* Die of the same signal, so the parent sees how we ended. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    errno = saved;
    raise(sig);
}

void cs_tmp_install_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask); /* no second signal inside the handler */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* A signal the shell set to be ignored (nohup, `cmd &` without job
         * control) stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int cs_tmp_template(char *buf, size_t n, const char *target)
{
    int k = snprintf(buf, n, "%s.tmp.%ld.XXXXXX", target, (long)getpid());
    if (k < 0 || (size_t)k >= n)
        return cs_error(CS_EINVAL, "path too long: '%s'", target);
    return 0;
}

/* The pid of "<prefix>.tmp.<pid>.<6 chars>", or 0 when the name is not one. */
static long tmp_pid(const char *name, const char *prefix)
{
    const char *p = strstr(name, ".tmp.");
    if (!p || p == name)
        return 0;
    if (prefix && ((size_t)(p - name) != strlen(prefix) || strncmp(name, prefix, strlen(prefix)) != 0))
        return 0;
    p += 5;
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (errno || end == p || pid <= 0 || *end != '.' || strlen(end + 1) != 6)
        return 0;
    return pid;
}

static int pid_is_dead(long pid)
{
    return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Remove a dead writer's temporary folder: the files in it, then itself. */
static void remove_tmp_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char sub[PATH_MAX];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
                unlink(sub);
        closedir(d);
    }
    rmdir(path);
}

int cs_tmp_sweep(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        long pid = tmp_pid(e->d_name, prefix);
        if (!pid || !pid_is_dead(pid))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            remove_tmp_dir(path);
        else if (unlink(path) != 0)
            continue;
        removed++;
    }
    closedir(d);
    return removed;
}
