/* run_prov.c - read the `provenance:` mapping of run.yaml (see run_prov.h). */
#include "run_prov.h"
#include "../config/yaml_events.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct reader {
    const char *name;
    yaml_parser_t parser;
} reader;

static int next(reader *r, yaml_event_t *ev) { return cs_yaml_next(&r->parser, r->name, ev); }

/* Consume the rest of a node whose first event (already read) had type t. */
static int skip(reader *r, yaml_event_type_t t) { return cs_yaml_skip(&r->parser, r->name, t); }

/* A new item for key at the end of p (value and list still empty). */
static cs_prov_item *add(cs_run_prov *p, const char *key)
{
    cs_prov_item *it = realloc(p->item, sizeof *it * (size_t)(p->n + 1));
    if (!it)
        return NULL;
    p->item = it;
    it = &p->item[p->n];
    *it = (cs_prov_item){0};
    if (!(it->key = strdup(key)))
        return NULL;
    p->n++;
    return it;
}

/* Free a list's items: the item stays a scalar-like value. */
static void drop_list(cs_prov_item *it)
{
    for (int j = 0; j < it->nlist; j++)
        free(it->list[j]);
    free(it->list);
    it->list = NULL;
    it->nlist = 0;
}

/* A sequence (its start already read): each scalar into it->list (an empty
 * sequence gives an empty list, not none), and the scalars as "[a, b, c]"
 * into it->value.  Nested lists, mappings and aliases are not ours: they are
 * skipped, and the item then has no list (nothing reads it as one). */
static int read_sequence(reader *r, cs_prov_item *it)
{
    size_t len = 1;
    char *s = malloc(len + 2);
    if (!s || !(it->list = calloc(1, sizeof *it->list))) {
        free(s);
        return cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
    }
    s[0] = '[';
    s[1] = 0; /* a string at every step, even if a later step fails */
    it->value = s;
    int mixed = 0;
    for (;;) {
        yaml_event_t ev;
        int rc = next(r, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            yaml_event_type_t t = ev.type;
            yaml_event_delete(&ev);
            if ((rc = skip(r, t)))
                return rc;
            mixed = 1;
            continue;
        }
        size_t vl = ev.data.scalar.length;
        char **l = realloc(it->list, sizeof *l * (size_t)(it->nlist + 1));
        char *t = realloc(it->value, len + vl + 4);
        if (l)
            it->list = l;
        if (t)
            it->value = s = t;
        if (!l || !t || !(it->list[it->nlist] = strndup((const char *)ev.data.scalar.value, vl))) {
            yaml_event_delete(&ev);
            return cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
        }
        it->nlist++;
        if (len > 1) {
            s[len++] = ',';
            s[len++] = ' ';
        }
        memcpy(s + len, ev.data.scalar.value, vl);
        len += vl;
        s[len] = 0;
        yaml_event_delete(&ev);
    }
    s[len++] = ']';
    s[len] = 0;
    if (mixed)
        drop_list(it);
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
        cs_prov_item *it = NULL;
        if (v.type != YAML_SCALAR_EVENT && v.type != YAML_SEQUENCE_START_EVENT)
            rc = skip(r, v.type);
        else if (!(it = add(p, (const char *)k.data.scalar.value)))
            rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
        else if (v.type == YAML_SEQUENCE_START_EVENT)
            rc = read_sequence(r, it);
        else if (!(it->value = strndup((const char *)v.data.scalar.value, v.data.scalar.length)))
            rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", r->name);
        yaml_event_delete(&v);
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
        cs_prov_item *it = &p->item[i];
        drop_list(it);
        free(it->key);
        free(it->value);
    }
    free(p->item);
    p->item = NULL;
    p->n = 0;
}

int cs_run_prov_class_names(const cs_run_prov *p, int num_classes, const char **names)
{
    for (int i = 0; i < p->n; i++) {
        const cs_prov_item *it = &p->item[i];
        if (strcmp(it->key, "class_names") || !it->list || it->nlist != num_classes)
            continue;
        for (int c = 0; c < num_classes; c++)
            names[c] = it->list[c];
        return 1;
    }
    return 0;
}
