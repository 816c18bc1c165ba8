/* config_load.c - read a YAML config with libyaml's event parser and apply it
 * through the schema.
 *
 * The document is one mapping; a key is a section name whose value is a
 * mapping of that section's keys, or a full dotted key ("train.epochs") whose
 * value is a scalar.  Every problem is reported as "file:line:column: ..."
 * with libyaml's 0-based marks turned 1-based.  A key given twice, directly or
 * once dotted and once nested, is an error rather than last-one-wins, so a
 * config never silently means something other than what it says. */
#include "config.h"
#include "yaml_events.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct loader {
    const char *name;
    yaml_parser_t parser;
    cs_config *cfg;
    char **seen;     /* full dotted paths of the keys met so far */
    int *seen_line;  /* 1-based line of each */
    size_t nseen, cap;
    int skip_provenance; /* run.yaml: a top-level `provenance:` mapping is not config */
} loader;

static int next(loader *ld, yaml_event_t *ev) { return cs_yaml_next(&ld->parser, ld->name, ev); }

/* Consume one node whose first event is `first` (already read): a scalar, or
 * a whole mapping/sequence with everything nested in it. */
static int skip_node(loader *ld, const yaml_event_t *first)
{
    return cs_yaml_skip(&ld->parser, ld->name, first->type);
}

static int at(const loader *ld, yaml_mark_t m, int code, const char *fmt, ...) CS_PRINTF(4, 5);
static int at(const loader *ld, yaml_mark_t m, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cs_error(code, "%s:%zu:%zu: %s", ld->name, m.line + 1, m.column + 1, msg);
}

static const char *node_kind(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_SEQUENCE_START_EVENT: return "a sequence";
    case YAML_ALIAS_EVENT: return "an alias";
    default: return "a scalar";
    }
}

/* Plain (unquoted) empty, ~ or null: YAML's null. */
static int is_null(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

static int remember(loader *ld, const char *path, yaml_mark_t m)
{
    for (size_t i = 0; i < ld->nseen; i++)
        if (!strcmp(ld->seen[i], path)) {
            return at(ld, m, CS_EINVAL, "duplicate key '%s' (first given at line %d)", path, ld->seen_line[i]);
        }
    if (ld->nseen == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 32;
        char **s = realloc(ld->seen, cap * sizeof *s);
        if (!s)
            return cs_error(CS_ENOMEM, "out of memory reading '%s'", ld->name);
        ld->seen = s;
        int *l = realloc(ld->seen_line, cap * sizeof *l);
        if (!l)
            return cs_error(CS_ENOMEM, "out of memory reading '%s'", ld->name);
        ld->seen_line = l;
        ld->cap = cap;
    }
    ld->seen[ld->nseen] = strdup(path);
    if (!ld->seen[ld->nseen])
        return cs_error(CS_ENOMEM, "out of memory reading '%s'", ld->name);
    ld->seen_line[ld->nseen++] = (int)m.line + 1;
    return 0;
}

/* One key's value: the event after the key. */
static int apply_value(loader *ld, const cs_cfg_key *k, const yaml_event_t *ev)
{
    char want[256];
    if (ev->type != YAML_SCALAR_EVENT) {
        cs_config_type_text(k, want, sizeof want);
        return at(ld, ev->start_mark, CS_EINVAL, "expected %s, got %s", want, node_kind(ev));
    }
    const char *v = (const char *)ev->data.scalar.value;
    if (strlen(v) != ev->data.scalar.length)
        return at(ld, ev->start_mark, CS_EINVAL, "%s: value holds a NUL byte", k->key);
    if (k->type == CS_CFG_STRING && is_null(ev))
        v = "";
    int rc = cs_config_parse_value(ld->cfg, k, v);
    if (rc) {
        cs_error_prefix("%s:%zu:%zu", ld->name, ev->start_mark.line + 1, ev->start_mark.column + 1);
        return rc;
    }
    ld->cfg->source[k - cs_config_keys] = CS_CFG_FROM_FILE;
    return 0;
}

static int unknown_key(const loader *ld, yaml_mark_t m, const char *path)
{
    const char *hint = cs_config_closest_key(path);
    if (hint)
        return at(ld, m, CS_EINVAL, "unknown key '%s', did you mean '%s'?", path, hint);
    return at(ld, m, CS_EINVAL, "unknown key '%s'", path);
}

/* The events of one mapping, after its MAPPING_START; `prefix` is "" at the top. */
static int read_mapping(loader *ld, const char *prefix)
{
    yaml_event_t key, val;
    int have_key = 0, have_val = 0, rc = 0;
    for (;;) {
        if ((rc = next(ld, &key)) != 0)
            goto out;
        have_key = 1;
        if (key.type == YAML_MAPPING_END_EVENT)
            goto out;
        if (key.type != YAML_SCALAR_EVENT) {
            rc = at(ld, key.start_mark, CS_EINVAL, "expected a key name, got %s", node_kind(&key));
            goto out;
        }
        const char *name = (const char *)key.data.scalar.value;
        if (strlen(name) != key.data.scalar.length || strlen(name) + strlen(prefix) + 2 > 256) {
            rc = at(ld, key.start_mark, CS_EINVAL, "unknown key '%.60s'", name);
            goto out;
        }
        char path[256];
        size_t pn = strlen(prefix);
        memcpy(path, prefix, pn);
        if (pn)
            path[pn++] = '.';
        memcpy(path + pn, name, strlen(name) + 1);
        const cs_cfg_key *k = cs_config_find_key(path);
        int section = !k && cs_config_is_section(path);
        const char *retired = k || section ? NULL : cs_config_retired(path);
        /* run.yaml: its provenance mapping is not config, and a key an older
         * version wrote and this one removed is no longer meaningful. */
        if (ld->skip_provenance && ((!prefix[0] && strcmp(path, "provenance") == 0) || retired)) {
            if ((rc = next(ld, &val)) != 0)
                goto out;
            have_val = 1;
            rc = skip_node(ld, &val);
            yaml_event_delete(&val);
            have_val = 0;
            yaml_event_delete(&key);
            have_key = 0;
            if (rc)
                goto out;
            continue;
        }
        if (retired) {
            rc = at(ld, key.start_mark, CS_EINVAL, "key '%s' is no longer used (%s); remove it", path, retired);
            goto out;
        }
        if (!k && !section) {
            rc = unknown_key(ld, key.start_mark, path);
            goto out;
        }
        if ((rc = remember(ld, path, key.start_mark)) != 0)
            goto out;
        if ((rc = next(ld, &val)) != 0)
            goto out;
        have_val = 1;
        if (k) {
            rc = apply_value(ld, k, &val);
        } else if (val.type == YAML_MAPPING_START_EVENT) {
            rc = read_mapping(ld, path);
        } else if (val.type != YAML_SCALAR_EVENT || !is_null(&val)) {
            /* An empty section ("train:") is fine; anything else is not. */
            rc = at(ld, val.start_mark, CS_EINVAL, "'%s' is a section: expected a mapping of its keys, got %s",
                    path, node_kind(&val));
        }
        yaml_event_delete(&val);
        have_val = 0;
        yaml_event_delete(&key);
        have_key = 0;
        if (rc)
            goto out;
    }
out:
    if (have_val)
        yaml_event_delete(&val);
    if (have_key)
        yaml_event_delete(&key);
    return rc;
}

/* stream-start, at most one document holding a mapping (or nothing), stream-end. */
static int read_stream(loader *ld)
{
    yaml_event_t ev;
    int rc;
    int docs = 0;
    for (;;) {
        if ((rc = next(ld, &ev)) != 0)
            return rc;
        yaml_event_type_t t = ev.type;
        yaml_mark_t m = ev.start_mark;
        int null_doc = t == YAML_SCALAR_EVENT && is_null(&ev);
        const char *kind = node_kind(&ev);
        yaml_event_delete(&ev);
        switch (t) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            return 0;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                return at(ld, m, CS_EINVAL, "a config holds one YAML document, this is a second one");
            break;
        case YAML_MAPPING_START_EVENT:
            if ((rc = read_mapping(ld, "")) != 0)
                return rc;
            break;
        default:
            if (!null_doc)
                return at(ld, m, CS_EINVAL, "expected a mapping of config keys at the top level, got %s",
                          kind);
            break;
        }
    }
}

static int load_mem(cs_config *cfg, const char *name, const void *buf, size_t len, int run)
{
    loader ld = {.name = name, .skip_provenance = run};
    /* Load into a copy so a failed load leaves cfg as it was. */
    cs_config *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return cs_error(CS_ENOMEM, "out of memory reading '%s'", name);
    *tmp = *cfg;
    ld.cfg = tmp;
    int rc = 0;
    if (!yaml_parser_initialize(&ld.parser)) {
        rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", name);
        goto out_tmp;
    }
    yaml_parser_set_input_string(&ld.parser, buf, len);
    rc = read_stream(&ld);
    if (rc == 0)
        *cfg = *tmp;
    yaml_parser_delete(&ld.parser);
    for (size_t i = 0; i < ld.nseen; i++)
        free(ld.seen[i]);
    free(ld.seen);
    free(ld.seen_line);
out_tmp:
    free(tmp);
    return rc;
}

int cs_config_load_mem(cs_config *cfg, const char *name, const void *buf, size_t len)
{
    return load_mem(cfg, name, buf, len, 0);
}

static int load_file(cs_config *cfg, const char *path, int run)
{
    uint8_t *buf;
    size_t len;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    rc = load_mem(cfg, path, buf, len, run);
    free(buf);
    return rc;
}

int cs_config_load(cs_config *cfg, const char *path) { return load_file(cfg, path, 0); }

int cs_config_load_run(cs_config *cfg, const char *path) { return load_file(cfg, path, 1); }
