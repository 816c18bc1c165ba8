/* yaml_events.c - shared libyaml event steps (see yaml_events.h). */
#include "yaml_events.h"

#include "../common/err.h"

int cs_yaml_next(yaml_parser_t *p, const char *name, yaml_event_t *ev)
{
    if (yaml_parser_parse(p, ev))
        return 0;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->context)
        return cs_error(CS_EFORMAT, "%s:%zu:%zu: %s (%s at line %zu)", name, p->problem_mark.line + 1,
                        p->problem_mark.column + 1, problem, p->context, p->context_mark.line + 1);
    return cs_error(CS_EFORMAT, "%s:%zu:%zu: %s", name, p->problem_mark.line + 1, p->problem_mark.column + 1,
                    problem);
}

int cs_yaml_skip(yaml_parser_t *p, const char *name, yaml_event_type_t first)
{
    int depth = first == YAML_MAPPING_START_EVENT || first == YAML_SEQUENCE_START_EVENT;
    while (depth > 0) {
        yaml_event_t ev;
        int rc = cs_yaml_next(p, name, &ev);
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
