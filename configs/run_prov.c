/* run_prov.c - read the `provenance:` mapping of run.yaml (see run_prov.h). */
#include "run_prov.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct reader {
    const char *name;
    yaml_parser_t parser;
} reader;

static int next(reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return 0;
    const yaml_parser_t *y = &r->parser;
    return cs_error(CS_EFORMAT, "%s:%zu:%zu: %s", r->name, y->problem_mark.line + 1, y->problem_mark.column + 1,
                    y->problem ? y->problem : "malformed YAML");
}

/* Consume the rest of a node whose first event (already read) had type t. */
static int skip(reader *r, yaml_event_type_t t)
{
    int depth = t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT;
    while (depth > 0) {
        yaml_event_t ev;
        int rc = next(r, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT)
            depth++;
        else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT)
            depth--;
        yaml_event_delete(&ev);
    }
    return 0;
}

static int add(cs_run_prov *p, const char *key, char *value)
{
    cs_prov_item *it = realloc(p->item, sizeof *it * (size_t)(p->n + 1));
    char *k = strdup(key);
    if (!it || !k) {
        free(k);
        free(value);
        if (it)
            p->item = it;
        return cs_error(CS_ENOMEM, "out of memory");
    }
    p->item = it;
    p->item[p->n++] = (cs_prov_item){k, value};
    return 0;
}

/* A sequence of scalars (its start already read) as "[a, b, c]". */
static int read_sequence(reader *r, char **out)
{
    size_t len = 1, cap = 64;
    char *s = malloc(cap);
    if (!s)
        return cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
    s[0] = '[';
    for (;;) {
        yaml_event_t ev;
        int rc = next(r, &ev);
        if (rc) {
            free(s);
            return rc;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            yaml_mark_t m = ev.start_mark;
            yaml_event_delete(&ev);
            free(s);
            return cs_error(CS_EFORMAT, "%s:%zu:%zu: provenance: a list holds scalars only", r->name, m.line + 1,
                            m.column + 1);
        }
        size_t vl = ev.data.scalar.length;
        if (len + vl + 4 > cap) {
            cap = (len + vl + 4) * 2;
            char *t = realloc(s, cap);
            if (!t) {
                yaml_event_delete(&ev);
                free(s);
                return cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
            }
            s = t;
        }
        if (len > 1) {
            s[len++] = ',';
            s[len++] = ' ';
        }
        memcpy(s + len, ev.data.scalar.value, vl);
        len += vl;
        yaml_event_delete(&ev);
    }
    s[len++] = ']';
    s[len] = 0;
    *out = s;
    return 0;
}

/* The provenance mapping (its start already read): scalar or list values;
 * anything nested deeper is not ours and is skipped. */
static int read_provenance(reader *r, cs_run_prov *p)
{
    for (;;) {
        yaml_event_t k, v;
        int rc = next(r, &k);
        if (rc)
            return rc;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return 0;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            yaml_event_type_t t = k.type;
            yaml_event_delete(&k);
            if ((rc = skip(r, t)) || (rc = next(r, &v)))
                return rc;
            t = v.type;
            yaml_event_delete(&v);
            if ((rc = skip(r, t)))
                return rc;
            continue;
        }
        if ((rc = next(r, &v))) {
            yaml_event_delete(&k);
            return rc;
        }
        char *value = NULL;
        if (v.type == YAML_SCALAR_EVENT) {
            value = strndup((const char *)v.data.scalar.value, v.data.scalar.length);
            rc = value ? 0 : cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
        } else if (v.type == YAML_SEQUENCE_START_EVENT) {
            rc = read_sequence(r, &value);
        } else {
            rc = skip(r, v.type);
        }
        yaml_event_delete(&v);
        if (!rc && value)
            rc = add(p, (const char *)k.data.scalar.value, value);
        yaml_event_delete(&k);
        if (rc)
            return rc;
    }
}

/* The top-level mapping: find `provenance`, skip every other key's value. */
static int read_stream(reader *r, cs_run_prov *p)
{
    int depth = 0, rc;
    for (;;) {
        yaml_event_t ev;
        if ((rc = next(r, &ev)))
            return rc;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        if (t == YAML_MAPPING_START_EVENT && depth == 0) {
            depth = 1;
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_MAPPING_END_EVENT && depth == 1) {
            depth = 0;
            yaml_event_delete(&ev);
            continue;
        }
        if (depth == 1) { /* ev is a key */
            int is_prov = t == YAML_SCALAR_EVENT && !strcmp((const char *)ev.data.scalar.value, "provenance");
            yaml_event_delete(&ev);
            if (t != YAML_SCALAR_EVENT && (rc = skip(r, t)))
                return rc;
            yaml_event_t v;
            if ((rc = next(r, &v)))
                return rc;
            yaml_event_type_t vt = v.type;
            yaml_event_delete(&v);
            if (is_prov && vt == YAML_MAPPING_START_EVENT)
                rc = read_provenance(r, p);
            else
                rc = skip(r, vt);
            if (rc)
                return rc;
            continue;
        }
        yaml_event_delete(&ev); /* stream/document marks, a top-level scalar */
        if ((rc = skip(r, t)))
            return rc;
    }
}

int cs_run_prov_read_mem(cs_run_prov *p, const char *name, const void *buf, size_t len)
{
    p->item = NULL;
    p->n = 0;
    reader r = {.name = name};
    if (!yaml_parser_initialize(&r.parser))
        return cs_error(CS_ENOMEM, "out of memory reading '%s'", name);
    yaml_parser_set_input_string(&r.parser, buf, len);
    int rc = read_stream(&r, p);
    yaml_parser_delete(&r.parser);
    return rc;
}

int cs_run_prov_read(cs_run_prov *p, const char *path)
{
    uint8_t *buf;
    size_t len;
    p->item = NULL;
    p->n = 0;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    rc = cs_run_prov_read_mem(p, path, buf, len);
    free(buf);
    return rc;
}

const char *cs_run_prov_get(const cs_run_prov *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->item[i].key, key))
            return p->item[i].value;
    return NULL;
}

void cs_run_prov_release(cs_run_prov *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->item[i].key);
        free(p->item[i].value);
    }
    free(p->item);
    p->item = NULL;
    p->n = 0;
}
