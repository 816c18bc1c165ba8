/* config.c - defaults, parsing one value by its schema entry, --set
 * overrides, cross-field validation and key look-up with "did you mean"
 * hints.  The YAML reader is config_load.c, the writers config_write.c. */
#include "config.h"

#include "../common/err.h"
#include "../common/numtext.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *field(cs_config *cfg, const cs_cfg_key *k) { return (char *)cfg + k->offset; }
static const void *cfield(const cs_config *cfg, const cs_cfg_key *k)
{
    return (const char *)cfg + k->offset;
}

void cs_config_init(cs_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        /* Defaults are checked by the tests, so a failure here is a programmer error. */
        int rc = cs_config_parse_value(cfg, &cs_config_keys[i], cs_config_keys[i].def);
        (void)rc;
    }
    memset(cfg->source, CS_CFG_DEFAULT, sizeof cfg->source);
    cs_error_clear();
}

void cs_config_release(cs_config *cfg) { memset(cfg, 0, sizeof *cfg); }

const cs_cfg_key *cs_config_find_key(const char *key)
{
    for (size_t i = 0; i < cs_config_nkeys; i++)
        if (!strcmp(cs_config_keys[i].key, key))
            return &cs_config_keys[i];
    return NULL;
}

int cs_config_is_section(const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < cs_config_nkeys; i++)
        if (!strncmp(cs_config_keys[i].key, prefix, n) && cs_config_keys[i].key[n] == '.')
            return 1;
    return 0;
}

/* Optimal-string-alignment distance (a swap of neighbours costs 1); 99 for "far". */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    /* Hints only need small distances, and the distance is at least the length difference. */
    if (n > 64 || m > 64 || n > m + 2 || m > n + 2)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *cs_config_closest_key(const char *key)
{
    static _Thread_local char section[CS_CFG_NAME_MAX];
    const char *best = NULL;
    int best_d = 99;
    size_t len = strlen(key);
    int limit = len <= 4 ? 1 : 2;
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        const char *k = cs_config_keys[i].key;
        const char *leaf = strchr(k, '.') + 1;
        int d = edit_distance(key, k);
        /* A bare leaf ("epochs") or a leaf under the wrong section ("model.epochs"). */
        const char *key_leaf = strrchr(key, '.');
        int dl = edit_distance(key_leaf ? key_leaf + 1 : key, leaf);
        if (dl < d && (!key_leaf || dl == 0))
            d = dl;
        if (d < best_d) {
            best_d = d;
            best = k;
        }
        size_t sn = (size_t)(leaf - 1 - k);
        char sec[CS_CFG_NAME_MAX];
        memcpy(sec, k, sn);
        sec[sn] = 0;
        d = edit_distance(key, sec);
        if (d < best_d) {
            best_d = d;
            memcpy(section, sec, sn + 1);
            best = section;
        }
    }
    return best_d <= limit && (size_t)best_d < len ? best : NULL;
}

void cs_config_range_text(const cs_cfg_key *k, char *buf, size_t size)
{
    char lo[32], hi[32];
    cs_double_text(k->lo, lo, sizeof lo);
    cs_double_text(k->hi, hi, sizeof hi);
    if (k->lo_kind && k->hi_kind) {
        if (k->type == CS_CFG_INT)
            snprintf(buf, size, "must be in %s..%s", lo, hi);
        else
            snprintf(buf, size, "must be in %c%s, %s%c", k->lo_kind == CS_CFG_INCL ? '[' : '(', lo, hi,
                     k->hi_kind == CS_CFG_INCL ? ']' : ')');
    } else if (k->lo_kind) {
        snprintf(buf, size, "must be %s %s", k->lo_kind == CS_CFG_INCL ? ">=" : ">", lo);
    } else if (k->hi_kind) {
        snprintf(buf, size, "must be %s %s", k->hi_kind == CS_CFG_INCL ? "<=" : "<", hi);
    } else if (size) {
        buf[0] = 0;
    }
}

void cs_config_type_text(const cs_cfg_key *k, char *buf, size_t size)
{
    switch (k->type) {
    case CS_CFG_INT: snprintf(buf, size, "an integer"); break;
    case CS_CFG_FLOAT: snprintf(buf, size, "a number"); break;
    case CS_CFG_BOOL: snprintf(buf, size, "true or false"); break;
    case CS_CFG_STRING: snprintf(buf, size, "a string"); break;
    case CS_CFG_ENUM: {
        size_t n = (size_t)snprintf(buf, size, "one of ");
        for (int i = 0; k->choices[i] && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", k->choices[i]);
        break;
    }
    }
}

/* The value as quoted in messages: at most 60 bytes, control bytes as '?'. */
static const char *shown(const char *text, char *buf, size_t size)
{
    size_t n = 0, i = 0;
    for (; text[i] && n + 4 < size && i < 60; i++)
        buf[n++] = iscntrl((unsigned char)text[i]) ? '?' : text[i];
    if (text[i]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = 0;
    return buf;
}

/* Length of the valid UTF-8 sequence at s and its code point in *cp, or 0 if
 * invalid (overlong forms, surrogates and values past U+10FFFF included). */
int cs_config_utf8_next(const unsigned char *s, unsigned *cp)
{
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!n)
        return 0;
    unsigned c = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

static int in_range(const cs_cfg_key *k, double v)
{
    if (k->lo_kind == CS_CFG_INCL && !(v >= k->lo))
        return 0;
    if (k->lo_kind == CS_CFG_EXCL && !(v > k->lo))
        return 0;
    if (k->hi_kind == CS_CFG_INCL && !(v <= k->hi))
        return 0;
    if (k->hi_kind == CS_CFG_EXCL && !(v < k->hi))
        return 0;
    return 1;
}

static int range_error(const cs_cfg_key *k, const char *text)
{
    char range[96], s[72];
    cs_config_range_text(k, range, sizeof range);
    return cs_error(CS_EINVAL, "%s %s, got %s", k->key, range, shown(text, s, sizeof s));
}

static int parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    for (int i = 0; i < 3; i++) {
        if (!strcasecmp(t, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcasecmp(t, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

int cs_config_parse_value(cs_config *cfg, const cs_cfg_key *k, const char *text)
{
    char s[72], want[256];
    int blank = !*text || isspace((unsigned char)text[0]);
    switch (k->type) {
    case CS_CFG_INT: {
        char *end;
        errno = 0;
        long v = blank ? 0 : strtol(text, &end, 10);
        if (blank || *end)
            return cs_error(CS_EINVAL, "expected an integer, got '%s'", shown(text, s, sizeof s));
        if (errno == ERANGE || v < INT_MIN || v > INT_MAX || !in_range(k, (double)v))
            return range_error(k, text);
        *(int *)field(cfg, k) = (int)v;
        return 0;
    }
    case CS_CFG_FLOAT: {
        char *end;
        double v = blank ? 0 : strtod(text, &end);
        /* strtod also reads hex floats, inf and nan; a config wants neither. */
        if (blank || *end || strpbrk(text, "xXnN") || !isfinite(v))
            return cs_error(CS_EINVAL, "expected a number, got '%s'", shown(text, s, sizeof s));
        if (!in_range(k, v))
            return range_error(k, text);
        *(double *)field(cfg, k) = v;
        return 0;
    }
    case CS_CFG_BOOL:
        if (parse_bool(text, (bool *)field(cfg, k)) != 0)
            return cs_error(CS_EINVAL, "expected true or false, got '%s'", shown(text, s, sizeof s));
        return 0;
    case CS_CFG_STRING: {
        size_t n = strlen(text);
        if (n >= k->size)
            return cs_error(CS_EINVAL, "%s is too long (%zu bytes, at most %zu)", k->key, n, k->size - 1);
        unsigned cp;
        for (size_t i = 0; i < n;) {
            int len = cs_config_utf8_next((const unsigned char *)text + i, &cp);
            if (!len)
                return cs_error(CS_EINVAL, "%s is not valid UTF-8 (byte %zu)", k->key, i + 1);
            i += (size_t)len;
        }
        const char *bad = k->check ? k->check(text) : NULL;
        if (bad)
            return cs_error(CS_EINVAL, "%s must be %s, got '%s'", k->key, bad, shown(text, s, sizeof s));
        memcpy(field(cfg, k), text, n + 1);
        return 0;
    }
    case CS_CFG_ENUM:
        for (int i = 0; k->choices[i]; i++)
            if (!strcmp(text, k->choices[i])) {
                *(int *)field(cfg, k) = i;
                return 0;
            }
        cs_config_type_text(k, want, sizeof want);
        return cs_error(CS_EINVAL, "%s must be %s, got '%s'", k->key, want, shown(text, s, sizeof s));
    }
    return cs_error(CS_EINTERNAL, "%s: unknown type %d", k->key, (int)k->type);
}

void cs_config_value_text(const cs_config *cfg, const cs_cfg_key *k, char *buf, size_t size)
{
    const void *p = cfield(cfg, k);
    switch (k->type) {
    case CS_CFG_INT: snprintf(buf, size, "%d", *(const int *)p); break;
    case CS_CFG_FLOAT: cs_double_text(*(const double *)p, buf, size); break;
    case CS_CFG_BOOL: snprintf(buf, size, "%s", *(const bool *)p ? "true" : "false"); break;
    case CS_CFG_STRING: snprintf(buf, size, "%s", (const char *)p); break;
    case CS_CFG_ENUM: snprintf(buf, size, "%s", k->choices[*(const int *)p]); break;
    }
}

int cs_config_equal(const cs_config *a, const cs_config *b)
{
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        const cs_cfg_key *k = &cs_config_keys[i];
        const void *pa = cfield(a, k), *pb = cfield(b, k);
        int same = 0;
        switch (k->type) {
        case CS_CFG_INT:
        case CS_CFG_ENUM: same = *(const int *)pa == *(const int *)pb; break;
        case CS_CFG_FLOAT: same = *(const double *)pa == *(const double *)pb; break;
        case CS_CFG_BOOL: same = *(const bool *)pa == *(const bool *)pb; break;
        case CS_CFG_STRING: same = !strcmp(pa, pb); break;
        }
        if (!same)
            return 0;
    }
    return 1;
}

int cs_config_set(cs_config *cfg, const char *assignment)
{
    char echo[128]; /* the assignment as messages repeat it, cut short if long */
    snprintf(echo, sizeof echo, "%.100s%s", assignment, strlen(assignment) > 100 ? "..." : "");
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return cs_error(CS_EINVAL, "--set %s: expected KEY=VALUE", echo);
    char key[128];
    size_t kn = (size_t)(eq - assignment);
    if (kn >= sizeof key)
        kn = sizeof key - 1;
    memcpy(key, assignment, kn);
    key[kn] = 0;
    const cs_cfg_key *k = cs_config_find_key(key);
    if (!k && cs_config_retired(key))
        return cs_error(CS_EINVAL, "--set %s: key '%s' is no longer used (%s)", echo, key, cs_config_retired(key));
    if (!k) {
        const char *hint = cs_config_closest_key(key);
        if (hint)
            return cs_error(CS_EINVAL, "--set %s: unknown key '%s', did you mean '%s'?", echo, key, hint);
        return cs_error(CS_EINVAL, "--set %s: unknown key '%s'", echo, key);
    }
    /* Parse into a copy so a bad value leaves cfg untouched. */
    cs_config tmp = *cfg;
    int rc = cs_config_parse_value(&tmp, k, eq + 1);
    if (rc) {
        cs_error_prefix("--set %s", echo);
        return rc;
    }
    *cfg = tmp;
    cfg->source[k - cs_config_keys] = CS_CFG_FROM_SET;
    return 0;
}

int cs_config_validate(const cs_config *cfg)
{
    const cs_config_train *t = &cfg->train;
    if (!cfg->dataset.path[0])
        return cs_error(CS_EINVAL, "config has no dataset.path");
    if (cfg->ecg.test_fraction + cfg->ecg.val_fraction >= 1)
        return cs_error(CS_EINVAL, "ecg.test_fraction (%g) + ecg.val_fraction (%g) leave no training beats",
                        cfg->ecg.test_fraction, cfg->ecg.val_fraction);
    if (cfg->score.el2n_from > cfg->score.el2n_to)
        return cs_error(CS_EINVAL, "score.el2n_from (%d) is after score.el2n_to (%d)", cfg->score.el2n_from,
                        cfg->score.el2n_to);
    if (t->nesterov && t->momentum == 0)
        return cs_error(CS_EINVAL, "train.nesterov needs train.momentum > 0");
    if (t->warmup_epochs > t->epochs)
        return cs_error(CS_EINVAL, "train.warmup_epochs (%g) exceeds train.epochs (%d)", t->warmup_epochs,
                        t->epochs);
    if (cfg->dropout.method != CS_DROP_NONE && cfg->dropout.revision_epochs > t->epochs)
        return cs_error(CS_EINVAL, "dropout.revision_epochs (%d) exceeds train.epochs (%d)",
                        cfg->dropout.revision_epochs, t->epochs);
    if (cfg->record.focus_for == CS_FOCUS_FOR_CANDIDATES && (cfg->dropout.method == CS_DROP_NONE || !cfg->dropout.erts))
        return cs_error(CS_EINVAL, "record.focus_for: candidates needs training-time dropout with the ERTS filter "
                                   "(dropout.method dbpd, smrd or srd, and dropout.erts: true)");
    if (cfg->score.eva_late_start && cfg->score.eva_late_start < cfg->score.eva_early_start + cfg->score.eva_k)
        return cs_error(CS_EINVAL,
                        "score.eva_late_start (%d) overlaps the early window (epochs %d to %d of score.eva_k %d)",
                        cfg->score.eva_late_start, cfg->score.eva_early_start,
                        cfg->score.eva_early_start + cfg->score.eva_k - 1, cfg->score.eva_k);
    return 0;
}
