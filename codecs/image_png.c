/* image_png.c - PNG decoding through libpng (image.h). */
#include "image.h"

#include "../common/err.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_mem {
    const uint8_t *buf;
    size_t len, pos;
    char msg[200]; /* libpng's reason, kept for the one message we return */
} png_mem;

static void mem_read(png_structp p, png_bytep out, size_t n)
{
    png_mem *m = png_get_io_ptr(p);
    if (n > m->len - m->pos)
        png_error(p, "file ends early (truncated)");
    memcpy(out, m->buf + m->pos, n);
    m->pos += n;
}

static void on_error(png_structp p, png_const_charp msg)
{
    png_mem *m = png_get_error_ptr(p);
    snprintf(m->msg, sizeof m->msg, "%s", msg);
    png_longjmp(p, 1);
}

/* Warnings (an unknown chunk, a bad gamma) do not stop a decode PIL accepts. */
static void on_warning(png_structp p, png_const_charp msg)
{
    (void)p;
    (void)msg;
}

int cs_png_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what)
{
    memset(img, 0, sizeof *img);
    png_mem m = {buf, len, 0, ""};
    png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &m, on_error, on_warning);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    /* Set before setjmp and only read after a longjmp: volatile keeps them. */
    uint8_t *volatile rows = NULL;
    png_bytep *volatile rowp = NULL;
    if (!info) {
        png_destroy_read_struct(&p, NULL, NULL);
        return cs_error(CS_ENOMEM, "%s: out of memory starting libpng", what);
    }
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_read_struct(&p, &info, NULL);
        free(rows);
        free(rowp);
        cs_image_release(img);
        return cs_error(CS_EFORMAT, "%s: corrupt PNG: %s", what, m.msg[0] ? m.msg : "libpng error");
    }
    png_set_read_fn(p, &m, mem_read);
    png_read_info(p, info);
    png_uint_32 w = png_get_image_width(p, info), h = png_get_image_height(p, info);
    int bit = png_get_bit_depth(p, info), ct = png_get_color_type(p, info);
    if (w > 1 << 15 || h > 1 << 15)
        png_error(p, "image larger than 32768 pixels a side");
    /* Palette to RGB, 1/2/4-bit grey to 8, transparency and alpha dropped:
     * the samples PIL's convert("L") / convert("RGB") starts from. */
    if (ct == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(p);
    if (ct == PNG_COLOR_TYPE_GRAY && bit < 8)
        png_set_expand_gray_1_2_4_to_8(p);
    if (ct & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(p);
    png_set_interlace_handling(p);
    png_read_update_info(p, info);
    int ch = png_get_channels(p, info), depth = png_get_bit_depth(p, info);
    if ((ch != 1 && ch != 3) || (depth != 8 && depth != 16))
        png_error(p, "unexpected layout after expansion");
    size_t stride = png_get_rowbytes(p, info);
    rows = malloc(stride * h);
    rowp = malloc(sizeof *rowp * h);
    img->px = malloc((size_t)w * h * (size_t)ch * sizeof *img->px);
    if (!rows || !rowp || !img->px)
        png_error(p, "out of memory");
    for (png_uint_32 y = 0; y < h; y++)
        rowp[y] = rows + y * stride;
    png_read_image(p, rowp);
    png_read_end(p, NULL);
    size_t n = (size_t)w * h * (size_t)ch;
    if (depth == 8)
        for (size_t i = 0; i < n; i++)
            img->px[i] = rows[(i / ((size_t)w * ch)) * stride + i % ((size_t)w * ch)];
    else
        for (size_t i = 0; i < n; i++) {
            const uint8_t *q = rows + (i / ((size_t)w * ch)) * stride + 2 * (i % ((size_t)w * ch));
            img->px[i] = (uint16_t)(q[0] << 8 | q[1]); /* PNG is big-endian */
        }
    img->w = (int)w;
    img->h = (int)h;
    img->c = ch;
    img->depth = depth;
    png_destroy_read_struct(&p, &info, NULL);
    free(rows);
    free(rowp);
    return 0;
}
