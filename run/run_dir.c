/* run_dir.c - the run folder's file names, its write lock, and the checks a
 * reader makes before it reads a run. */
#include "run_dir.h"

#include "../common/err.h"
#include "../common/outguard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cs_run_path(char *buf, size_t n, const char *run_dir, const char *name)
{
    snprintf(buf, n, "%s/%s", run_dir, name);
}

/* The pid written in the lock file by its holder, or 0. */
static long lock_holder(int fd)
{
    char buf[32];
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    if (k <= 0)
        return 0;
    buf[k] = 0;
    return strtol(buf, NULL, 10);
}

static int busy_error(const char *run_dir, long pid, const char *what, const char *hint)
{
    char who[48] = "";
    if (pid > 0)
        snprintf(who, sizeof who, " (pid %ld)", pid);
    return cs_error(CS_EBUSY, "run '%s' is %s by another coreset process%s; hint: %s", run_dir, what, who, hint);
}

/* The lock's holder for the busy message: the pid in the file is the last
 * writer's; while it runs, it is the one writing.  Otherwise the lock is held
 * shared, by a reader. */
static int held_error(const char *run_dir, int fd)
{
    long pid = lock_holder(fd);
    if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
        return busy_error(run_dir, pid, "being written", "wait for it to finish, or choose another run folder");
    return cs_error(CS_EBUSY, "run '%s' is being read by another coreset process; hint: wait for it to finish",
                    run_dir);
}

/* 1 when fd is still the file at path: a failed start of another writer may
 * have unlinked the lock file after we opened it. */
static int still_linked(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int cs_run_lock_take(cs_run_lock *lk, const char *run_dir)
{
    lk->fd = -1;
    char path[4200];
    cs_run_path(path, sizeof path, run_dir, CS_RUN_LOCK);
    int fd = -1;
    /* A reader checking the run holds a shared lock for a moment: retry for a
     * short while before calling the run busy. */
    for (int tries = 0;; tries++) {
        if (fd < 0 && (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
            return cs_error_errno(CS_EIO, "cannot open the lock file '%s'", path);
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_linked(fd, path))
                break;
            close(fd); /* locked a file that is gone: open the new one */
            fd = -1;
        } else if (errno != EWOULDBLOCK || tries >= 10) {
            int rc = errno == EWOULDBLOCK ? held_error(run_dir, fd) : cs_error_errno(CS_EIO, "cannot lock '%s'", path);
            close(fd);
            return rc;
        }
        if (tries >= 20) {
            if (fd >= 0)
                close(fd);
            return cs_error(CS_EBUSY, "cannot lock '%s': it keeps being replaced", path);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char pid[32];
    int k = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)k, 0) != k) {
        int rc = cs_error_errno(CS_EIO, "cannot write the lock file '%s'", path);
        close(fd);
        return rc;
    }
    lk->fd = fd;
    return 0;
}

void cs_run_lock_release(cs_run_lock *lk)
{
    if (lk->fd >= 0)
        close(lk->fd); /* closing the last descriptor releases the flock */
    lk->fd = -1;
}

/* The shared locks this process holds on the runs it reads: kept until it
 * exits, so no writer starts on a run while it is being read. */
static int reader_fds[8];
static int num_reader_fds;

int cs_run_check_idle(const char *run_dir)
{
    char path[4200];
    cs_run_path(path, sizeof path, run_dir, CS_RUN_LOCK);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* no lock file: no writer ever ran here (or a run from before locks) */
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        int rc = errno == EWOULDBLOCK ? busy_error(run_dir, lock_holder(fd), "still being written",
                                                      "wait for 'coreset score' to finish")
                                      : cs_error_errno(CS_EIO, "cannot lock '%s'", path);
        close(fd);
        return rc;
    }
    if (num_reader_fds < (int)(sizeof reader_fds / sizeof reader_fds[0]))
        reader_fds[num_reader_fds++] = fd;
    else
        close(fd); /* more runs than that in one process: checked, not held */
    return 0;
}

/* coreset-*.idx and coreset-*.npy: the index files select wrote here. */
static int is_index_name(const char *name)
{
    size_t l = strlen(name);
    return strncmp(name, "coreset-", 8) == 0 && l > 12 &&
           (strcmp(name + l - 4, ".idx") == 0 || strcmp(name + l - 4, ".npy") == 0);
}

int cs_run_guard(const char *run_dir, int guard_indexes)
{
    int rc;
    static const char *const owned[] = {CS_RUN_YAML, CS_RUN_TRAJ, CS_RUN_SCORES, CS_RUN_CKPT, CS_RUN_LOCK,
                                        CS_RUN_EMBED};
    char path[4200];
    if ((rc = cs_guard_input(run_dir)))
        return rc;
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
        cs_run_path(path, sizeof path, run_dir, owned[i]);
        if ((rc = cs_guard_input(path)))
            return rc;
    }
    if (!guard_indexes)
        return 0;
    DIR *d = opendir(run_dir);
    if (!d)
        return 0;
    struct dirent *e;
    while (!rc && (e = readdir(d)))
        if (is_index_name(e->d_name)) {
            cs_run_path(path, sizeof path, run_dir, e->d_name);
            rc = cs_guard_input(path);
        }
    closedir(d);
    return rc;
}

int cs_run_open_for_read(const char *run_dir, int guard_indexes)
{
    int rc = cs_run_check_idle(run_dir);
    return rc ? rc : cs_run_guard(run_dir, guard_indexes);
}
