/* traj_meta.c - the key=value lines of a trajectory's metadata. */
#include "traj_meta.h"

#include "../common/err.h"

#include <stdio.h>
#include <stdlib.h>
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

/* folds=K and fold_of=<one digit per sample>: written only when K > 1, so a
 * K = 1 trajectory keeps the metadata of the builds before folds. */
int cs_traj_meta_folds(const cs_traj_header_info *h, int *K, uint8_t *fold)
{
    char v[16];
    *K = 1;
    if (!cs_traj_meta_get(h, "folds", v, sizeof v)) {
        memset(fold, 0, (size_t)h->n);
        return 0;
    }
    char *end;
    long k = strtol(v, &end, 10);
    if (end == v || *end || k < 2 || k > 10)
        return cs_error(CS_EFORMAT, "metadata folds=%s is not a fold count in 2..10", v);
    /* fold_of is too long for cs_traj_meta_get's buffers: find the line itself */
    const char *s = h->meta, *e = h->meta + h->meta_len, *key = "fold_of=";
    const char *p = NULL;
    for (const char *q = s; q < e; q++)
        if ((q == s || q[-1] == '\n') && (size_t)(e - q) > strlen(key) && !memcmp(q, key, strlen(key))) {
            p = q + strlen(key);
            break;
        }
    if (!p)
        return cs_error(CS_EFORMAT, "metadata folds=%ld without fold_of", k);
    for (int64_t i = 0; i < h->n; i++) {
        if (p + i >= e || p[i] < '0' || p[i] >= '0' + k)
            return cs_error(CS_EFORMAT, "metadata fold_of: sample %lld has no fold in 0..%ld", (long long)i, k - 1);
        fold[i] = (uint8_t)(p[i] - '0');
    }
    if (p + h->n < e && p[h->n] != '\n')
        return cs_error(CS_EFORMAT, "metadata fold_of holds more than the %lld samples", (long long)h->n);
    *K = (int)k;
    return 0;
}

size_t cs_traj_meta_put_folds(char *buf, size_t cap, int K, const uint8_t *fold, int64_t n)
{
    size_t need = 32 + (size_t)n;
    if (K <= 1 || cap < need)
        return K <= 1 ? 0 : need;
    int l = snprintf(buf, cap, "folds=%d\nfold_of=", K);
    for (int64_t i = 0; i < n; i++)
        buf[l + i] = (char)('0' + fold[i]);
    buf[l + n] = '\n';
    buf[l + n + 1] = 0;
    return (size_t)l + (size_t)n + 1;
}
