/* yaml_events.h - the libyaml event steps both YAML readers share: the config
 * loader (config_load.c) and run.yaml's provenance reader (run_prov.c). */
#ifndef CS_YAML_EVENTS_H
#define CS_YAML_EVENTS_H

#include <yaml.h>

/* The next event, or an error "NAME:LINE:COL: problem (context at line N)". */
int cs_yaml_next(yaml_parser_t *p, const char *name, yaml_event_t *ev);
/* Consume the rest of a node whose first event (already read and deleted)
 * had type `first`: nothing more for a scalar or alias, everything nested
 * for a mapping or sequence. */
int cs_yaml_skip(yaml_parser_t *p, const char *name, yaml_event_type_t first);

#endif
