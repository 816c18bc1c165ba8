/* fsio.c - temp-file-and-rename writes, whole-file reads, path checks. */
#include "fsio.h"

#include "err.h"
#include "outguard.h"
#include "tmpfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cs_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int cs_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot open directory '%s'", dir);
    /* Some filesystems refuse fsync on directories (EINVAL); that is not a failure. */
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
        int rc = cs_error_errno(CS_EIO, "cannot sync directory '%s'", dir);
        close(fd);
        return rc;
    }
    close(fd);
    return 0;
}

int cs_check_output_dir(const char *path)
{
    char *dir = cs_dir_of(path);
    if (!dir)
        return cs_error(CS_ENOMEM, "out of memory");
    struct stat st;
    int rc = 0;
    if (stat(dir, &st) != 0)
        rc = cs_error_errno(CS_EIO, "cannot write '%s': directory '%s'", path, dir);
    else if (!S_ISDIR(st.st_mode))
        rc = cs_error(CS_EIO, "cannot write '%s': '%s' is not a directory", path, dir);
    else if (access(dir, W_OK) != 0)
        rc = cs_error_errno(CS_EIO, "cannot write '%s': directory '%s'", path, dir);
    free(dir);
    return rc;
}

/* Temporaries of this target left by writers that died (kill -9). */
static void sweep_stale(const char *path)
{
    char *dir = cs_dir_of(path);
    const char *base = strrchr(path, '/');
    if (dir)
        cs_tmp_sweep(dir, base ? base + 1 : path);
    free(dir);
}

int cs_afile_open(cs_afile *af, const char *path)
{
    memset(af, 0, sizeof *af);
    int rc = cs_check_output_dir(path);
    if (rc || (rc = cs_guard_output(path)))
        return rc;
    sweep_stale(path);
    size_t n = strlen(path) + 40;
    af->path = strdup(path);
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        cs_afile_abort(af);
        return cs_error(CS_ENOMEM, "out of memory");
    }
    if ((rc = cs_tmp_template(af->tmp_path, n, path))) {
        cs_afile_abort(af);
        return rc;
    }
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        rc = cs_error_errno(CS_EIO, "cannot create a temporary file for '%s'", path);
        free(af->tmp_path);
        af->tmp_path = NULL;
        cs_afile_abort(af);
        return rc;
    }
    af->tmp_slot = cs_tmp_register(af->tmp_path, 0) + 1;
    fchmod(fd, 0644);
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
        close(fd);
        cs_afile_abort(af);
        return rc;
    }
    return 0;
}

void cs_afile_abort(cs_afile *af)
{
    if (af->fp)
        fclose(af->fp);
    if (af->tmp_path)
        unlink(af->tmp_path);
    cs_tmp_forget(af->tmp_slot - 1);
    free(af->tmp_path);
    free(af->path);
    memset(af, 0, sizeof *af);
}

int cs_afile_commit(cs_afile *af)
{
    int rc = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", af->path);
        goto fail;
    }
    if (fsync(fileno(af->fp)) != 0) {
        rc = cs_error_errno(CS_EIO, "cannot sync '%s'", af->path);
        goto fail;
    }
    if (fclose(af->fp) != 0) {
        af->fp = NULL;
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", af->path);
        goto fail;
    }
    af->fp = NULL;
    if (rename(af->tmp_path, af->path) != 0) {
        rc = cs_error_errno(CS_EIO, "cannot rename '%s' to '%s'", af->tmp_path, af->path);
        goto fail;
    }
    cs_tmp_forget(af->tmp_slot - 1);
    af->tmp_slot = 0;
    free(af->tmp_path);
    af->tmp_path = NULL;
    char *dir = cs_dir_of(af->path);
    if (dir) {
        rc = cs_fsync_dir(dir);
        free(dir);
    }
    cs_afile_abort(af);
    return rc;
fail:
    cs_afile_abort(af);
    return rc;
}

int cs_read_file(const char *path, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    int rc = 0;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap + 1);
    if (!b) {
        rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", path);
        goto out;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", path);
                goto out;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                rc = cs_error_errno(CS_EIO, "cannot read '%s'", path);
            break;
        }
    }
out:
    fclose(fp);
    if (rc) {
        free(b);
        return rc;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return 0;
}

int cs_path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cs_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int cs_mkdir(const char *path)
{
    if (mkdir(path, 0755) == 0 || (errno == EEXIST && cs_path_is_dir(path)))
        return 0;
    return cs_error_errno(CS_EIO, "cannot create directory '%s'", path);
}
