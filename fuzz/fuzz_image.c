/* fuzz_image.c - libFuzzer target: the PNG and JPEG decoders on arbitrary
 * bytes (the first byte picks which, so both are reached from any seed),
 * then the channel conversion and the box resize on whatever decoded.  A
 * decode must end in an image of the size it claims or in a message. */
#include "../codecs/image.h"
#include "../common/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    cs_image img;
    int rc = data[0] & 1 ? cs_png_decode(&img, data + 1, size - 1, "'fuzz.png'")
                         : cs_jpeg_decode(&img, data + 1, size - 1, "'fuzz.jpg'");
    if (rc) {
        if (!*cs_errmsg() || img.px)
            abort();
        return 0;
    }
    if (img.w <= 0 || img.h <= 0 || (img.c != 1 && img.c != 3) || !img.px)
        abort();
    /* Keep the resize small: the decoder's limit is 32768 a side. */
    if ((size_t)img.w * (size_t)img.h <= 1 << 20) {
        volatile uint16_t sink = img.px[(size_t)img.w * (size_t)img.h * (size_t)img.c - 1];
        (void)sink;
        if (cs_image_to_channels(&img, data[0] & 2 ? 3 : 1) == 0)
            cs_image_resize(&img, 1 + data[0] % 17, 1 + (data[0] >> 3) % 13);
    }
    cs_image_release(&img);
    return 0;
}
