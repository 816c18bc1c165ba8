/* image_jpeg.c - JPEG decoding through libjpeg-turbo (image.h).  The
 * decoder keeps libjpeg's defaults (JDCT_ISLOW, fancy upsampling, no DCT
 * scaling), which PIL also uses, so both give the same pixels. */
#include "image.h"

#include "../common/err.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
} jerr;

static void on_exit_error(j_common_ptr ci)
{
    jerr *e = (jerr *)ci->err;
    e->pub.format_message(ci, e->msg);
    longjmp(e->jb, 1);
}

/* libjpeg's warnings include "premature end of data", which it pads with grey:
 * that file is corrupt, so the first warning is an error here. */
static void on_message(j_common_ptr ci, int level)
{
    if (level < 0)
        on_exit_error(ci);
}

int cs_jpeg_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what)
{
    memset(img, 0, sizeof *img);
    struct jpeg_decompress_struct ci;
    jerr e;
    uint8_t *volatile row = NULL;
    memset(&ci, 0, sizeof ci);
    ci.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = on_exit_error;
    e.pub.emit_message = on_message;
    e.msg[0] = 0;
    if (setjmp(e.jb)) {
        jpeg_destroy_decompress(&ci);
        free(row);
        cs_image_release(img);
        return cs_error(CS_EFORMAT, "%s: corrupt JPEG: %s", what, e.msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, buf, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    if (ci.num_components == 1)
        ci.out_color_space = JCS_GRAYSCALE;
    else if (ci.jpeg_color_space == JCS_YCbCr || ci.jpeg_color_space == JCS_RGB)
        ci.out_color_space = JCS_RGB;
    else {
        snprintf(e.msg, sizeof e.msg, "colour space %d (CMYK/YCCK) is not supported", (int)ci.jpeg_color_space);
        longjmp(e.jb, 1);
    }
    jpeg_start_decompress(&ci);
    int w = (int)ci.output_width, h = (int)ci.output_height, ch = ci.output_components;
    if (w > 1 << 15 || h > 1 << 15) {
        snprintf(e.msg, sizeof e.msg, "image larger than 32768 pixels a side");
        longjmp(e.jb, 1);
    }
    row = malloc((size_t)w * (size_t)ch);
    img->px = malloc((size_t)w * (size_t)h * (size_t)ch * sizeof *img->px);
    if (!row || !img->px) {
        snprintf(e.msg, sizeof e.msg, "out of memory");
        longjmp(e.jb, 1);
    }
    while (ci.output_scanline < ci.output_height) {
        size_t y = ci.output_scanline;
        JSAMPROW r = row;
        jpeg_read_scanlines(&ci, &r, 1);
        for (size_t i = 0; i < (size_t)w * (size_t)ch; i++)
            img->px[y * (size_t)w * (size_t)ch + i] = row[i];
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    free(row);
    img->w = w;
    img->h = h;
    img->c = ch;
    img->depth = 8;
    return 0;
}
