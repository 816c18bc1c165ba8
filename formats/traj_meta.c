/* traj_meta.c - the key=value lines of a trajectory's metadata. */
#include "traj_meta.h"

#include <stdio.h>
#include <string.h>

int cs_traj_meta_each(const cs_traj_header_info *h,
                      int (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen), void *ctx)
{
    const char *s = h ? h->meta : NULL, *end = s ? s + h->meta_len : NULL;
    while (s && s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *eq = memchr(s, '=', (size_t)(le - s));
        if (eq && eq > s && !memchr(s, 0, (size_t)(le - s))) {
            int rc = fn(ctx, s, (size_t)(eq - s), eq + 1, (size_t)(le - eq - 1));
            if (rc)
                return rc;
        }
        s = le + 1;
    }
    return 0;
}

typedef struct lookup {
    const char *key;
    char *out;
    size_t len;
} lookup;

static int match(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    lookup *l = ctx;
    if (klen != strlen(l->key) || memcmp(key, l->key, klen) != 0)
        return 0;
    snprintf(l->out, l->len, "%.*s", (int)vlen, val);
    return 1;
}

int cs_traj_meta_get(const cs_traj_header_info *h, const char *key, char *out, size_t len)
{
    if (len)
        out[0] = 0;
    lookup l = {key, out, len};
    return cs_traj_meta_each(h, match, &l) == 1;
}
