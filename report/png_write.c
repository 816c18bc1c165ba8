/* png_write.c - PNG encoding through libpng's write callbacks into a growing
 * buffer; files are that buffer written through cs_afile. */
#include "png_write.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

typedef struct membuf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} membuf;

static void put_bytes(png_structp png, png_bytep data, png_size_t n)
{
    membuf *b = png_get_io_ptr(png);
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void flush_nothing(png_structp png) { (void)png; }

/* libpng reports errors by longjmp; the message is kept for ours. */
static _Thread_local char png_message[256];

static void on_error(png_structp png, png_const_charp msg)
{
    snprintf(png_message, sizeof png_message, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

int cs_png_encode(const uint8_t *rgba, int w, int h, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (w < 1 || h < 1)
        return cs_error(CS_EINVAL, "PNG of %d x %d pixels", w, h);
    png_bytep *rows = malloc(sizeof *rows * (size_t)h);
    if (!rows)
        return cs_error(CS_ENOMEM, "out of memory");
    /* volatile: it lives across the setjmp. */
    membuf *volatile buf = calloc(1, sizeof(membuf));
    png_structp png = buf ? png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning) : NULL;
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int rc = 0;
    if (!info) {
        rc = cs_error(CS_ENOMEM, "out of memory");
        goto out;
    }
    if (setjmp(png_jmpbuf(png))) {
        rc = cs_error(CS_EINTERNAL, "libpng: %s", png_message);
        goto out;
    }
    for (int y = 0; y < h; y++)
        rows[y] = (png_bytep)(rgba + (size_t)y * (size_t)w * 4);
    png_set_write_fn(png, buf, put_bytes, flush_nothing);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 9);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    if (buf->failed) {
        rc = cs_error(CS_ENOMEM, "out of memory");
        goto out;
    }
    *out = buf->data;
    *len = buf->len;
    buf->data = NULL;
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    if (buf)
        free(buf->data);
    free(buf);
    free(rows);
    return rc;
}

int cs_png_write_file(const char *path, const uint8_t *rgba, int w, int h)
{
    uint8_t *data;
    size_t len;
    int rc = cs_png_encode(rgba, w, h, &data, &len);
    if (rc)
        return rc;
    cs_afile af;
    if ((rc = cs_afile_open(&af, path))) {
        free(data);
        return rc;
    }
    if (fwrite(data, 1, len, af.fp) != len) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
        cs_afile_abort(&af);
    } else {
        rc = cs_afile_commit(&af);
    }
    free(data);
    return rc;
}
