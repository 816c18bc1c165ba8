/* image.c - the codec-independent part of image.h: sniffing, channel
 * conversion and the box resize. */
#include "image.h"

#include "../common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cs_image_kind cs_image_sniff(const uint8_t *buf, size_t len)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
        return CS_IMG_PNG;
    if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
        return CS_IMG_JPEG;
    return CS_IMG_UNKNOWN;
}

int cs_image_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what)
{
    memset(img, 0, sizeof *img);
    switch (cs_image_sniff(buf, len)) {
    case CS_IMG_PNG:
        return cs_png_decode(img, buf, len, what);
    case CS_IMG_JPEG:
        return cs_jpeg_decode(img, buf, len, what);
    default:
        return cs_error(CS_EFORMAT, "%s: neither a PNG nor a JPEG file (no signature)", what);
    }
}

void cs_image_release(cs_image *img)
{
    free(img->px);
    memset(img, 0, sizeof *img);
}

int cs_image_to_channels(cs_image *img, int c)
{
    if (c == img->c)
        return 0;
    size_t n = (size_t)img->w * (size_t)img->h;
    if (img->c == 3 && c == 1) {
        for (size_t i = 0; i < n; i++) {
            const uint16_t *p = img->px + 3 * i;
            uint32_t l = (19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16;
            img->px[i] = (uint16_t)l;
        }
        img->c = 1;
        return 0;
    }
    if (img->c == 1 && c == 3) {
        uint16_t *q = malloc(n * 3 * sizeof *q);
        if (!q)
            return cs_error(CS_ENOMEM, "out of memory converting an image to RGB");
        for (size_t i = 0; i < n; i++)
            q[3 * i] = q[3 * i + 1] = q[3 * i + 2] = img->px[i];
        free(img->px);
        img->px = q;
        img->c = 3;
        return 0;
    }
    return cs_error(CS_EINVAL, "cannot convert %d channels to %d", img->c, c);
}

/* The input range [first, first+count) output position o of out draws from
 * along one axis of in pixels (see cs_image_resize). */
static void box_span(int in, int out, int o, int *first, int *count)
{
    double scale = (double)in / out;
    double fs = scale < 1.0 ? 1.0 : scale;
    double centre = (o + 0.5) * scale, half = 0.5 * fs;
    int lo = -1, hi = -1;
    /* Only pixels near the centre can qualify; test each by its centre. */
    int from = (int)floor(centre - half) - 1, to = (int)ceil(centre + half) + 1;
    for (int x = from < 0 ? 0 : from; x <= to && x < in; x++) {
        double d = (x + 0.5 - centre) / fs;
        if (d > -0.5 && d <= 0.5) {
            if (lo < 0)
                lo = x;
            hi = x;
        }
    }
    if (lo < 0) { /* cannot happen for out <= in * 2^k, but never divide by 0 */
        lo = hi = (int)centre < in ? (int)centre : in - 1;
    }
    *first = lo;
    *count = hi - lo + 1;
}

/* One pass along x (axis 0) or y (axis 1), rounding to integers.  Along y
 * whole rows are summed, so every access runs along memory. */
static uint16_t *pass(const uint16_t *src, int w, int h, int c, int ow, int oh, int axis)
{
    size_t row = (size_t)(axis == 0 ? ow : w) * (size_t)c;
    uint16_t *dst = malloc((size_t)ow * (size_t)oh * (size_t)c * sizeof *dst);
    uint32_t *acc = axis == 1 ? malloc(row * sizeof *acc) : NULL;
    if (!dst || (axis == 1 && !acc)) {
        free(dst);
        free(acc);
        return NULL;
    }
    int n_out = axis == 0 ? ow : oh, n_in = axis == 0 ? w : h;
    for (int o = 0; o < n_out; o++) {
        int first, count;
        box_span(n_in, n_out, o, &first, &count);
        uint32_t half = (uint32_t)count; /* round half up: (2 sum + count) / (2 count) */
        if (axis == 0) {
            for (int a = 0; a < oh; a++)
                for (int k = 0; k < c; k++) {
                    const uint16_t *p = src + ((size_t)a * w + first) * c + k;
                    uint32_t sum = 0;
                    for (int t = 0; t < count; t++)
                        sum += p[(size_t)t * c];
                    dst[((size_t)a * ow + o) * c + k] = (uint16_t)((2 * sum + half) / (2 * half));
                }
        } else {
            memset(acc, 0, row * sizeof *acc);
            for (int t = first; t < first + count; t++) {
                const uint16_t *p = src + (size_t)t * row;
                for (size_t i = 0; i < row; i++)
                    acc[i] += p[i];
            }
            uint16_t *q = dst + (size_t)o * row;
            for (size_t i = 0; i < row; i++)
                q[i] = (uint16_t)((2 * acc[i] + half) / (2 * half));
        }
    }
    free(acc);
    return dst;
}

int cs_image_resize(cs_image *img, int ow, int oh)
{
    if (ow <= 0 || oh <= 0)
        return cs_error(CS_EINVAL, "resize to %dx%d", ow, oh);
    if (img->w != ow) {
        uint16_t *q = pass(img->px, img->w, img->h, img->c, ow, img->h, 0);
        if (!q)
            return cs_error(CS_ENOMEM, "out of memory resizing an image");
        free(img->px);
        img->px = q;
        img->w = ow;
    }
    if (img->h != oh) {
        uint16_t *q = pass(img->px, img->w, img->h, img->c, img->w, oh, 1);
        if (!q)
            return cs_error(CS_ENOMEM, "out of memory resizing an image");
        free(img->px);
        img->px = q;
        img->h = oh;
    }
    return 0;
}
