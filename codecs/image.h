/* image.h - PNG and JPEG files into pixels, and the resize the folder
 * reader applies.
 *
 * A decoded image is h rows of w pixels of c channels (1 grey, 3 RGB),
 * interleaved (HWC, as PIL's numpy view), each value in a uint16 so that 8-
 * and 16-bit files share one path; depth says which range the file used.
 * PNG goes through libpng (palette expanded, alpha dropped, low bit depths
 * widened to 8, 16-bit samples kept); JPEG through libjpeg-turbo with its
 * default decoder settings (islow IDCT, fancy upsampling), which are also
 * PIL's, so the pixels equal PIL's decode of the same file. */
#ifndef CS_IMAGE_H
#define CS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_image {
    int w, h, c;   /* width, height, channels (1 or 3) */
    int depth;     /* bits per sample in the file: 8 or 16 */
    uint16_t *px;  /* h * w * c values, row-major, channels interleaved */
} cs_image;

typedef enum cs_image_kind { CS_IMG_UNKNOWN = 0, CS_IMG_PNG, CS_IMG_JPEG } cs_image_kind;

/* Which codec the first bytes call for (signature, not the file name). */
cs_image_kind cs_image_sniff(const uint8_t *buf, size_t len);

/* Decode buf (a whole PNG or JPEG file) into img; `what` names the file in
 * messages ("'x/y.png'").  Errors are CS_EFORMAT with the codec's own reason. */
int cs_image_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what);
int cs_png_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what);
int cs_jpeg_decode(cs_image *img, const uint8_t *buf, size_t len, const char *what);
void cs_image_release(cs_image *img); /* safe on a zeroed or released image */

/* Channels converted in place: 3 -> 1 by ITU-R 601-2 luma in 16.16 fixed
 * point, L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (PIL's convert("L")),
 * 1 -> 3 by copying the grey value.  Same count: nothing. */
int cs_image_to_channels(cs_image *img, int c);

/* Resize to ow x oh with the box filter: each output pixel is the mean of
 * the input pixels whose centres fall inside its footprint (x + 0.5 in
 * (centre - s/2, centre + s/2], s = max(in/out, 1)), rows first then
 * columns, each pass rounded to integers (PIL's Image.resize with
 * Image.BOX; for integer factors exactly the area mean of PIL's reduce and
 * OpenCV's INTER_AREA).  Upscaling picks the nearest pixel. */
int cs_image_resize(cs_image *img, int ow, int oh);

#endif
