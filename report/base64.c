/* base64.c - base64 encoding, three bytes to four characters. */
#include "base64.h"

void cs_base64_write(FILE *fp, const uint8_t *data, size_t len)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        char out[4] = {digits[v >> 18 & 63], digits[v >> 12 & 63], i + 1 < len ? digits[v >> 6 & 63] : '=',
                       i + 2 < len ? digits[v & 63] : '='};
        fwrite(out, 1, 4, fp);
    }
}
