/* base64.h - standard base64 (RFC 4648, padded) for the page's data: URIs. */
#ifndef CS_BASE64_H
#define CS_BASE64_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write the base64 text of len bytes to fp (no line breaks). */
void cs_base64_write(FILE *fp, const uint8_t *data, size_t len);

#endif
