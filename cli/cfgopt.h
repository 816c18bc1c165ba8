/* cfgopt.h - the config options every config-taking command shares:
 * -c/--config FILE (default ./coreset.yaml when present), --set KEY=VALUE
 * (repeatable, applied after the file), --print-config. */
#ifndef CS_CFGOPT_H
#define CS_CFGOPT_H

#include "../config/config.h"

#define CS_MAX_SETS 64

typedef struct cs_cfgopt {
    const char *path;              /* -c FILE, NULL = ./coreset.yaml if present */
    const char *sets[CS_MAX_SETS]; /* --set KEY=VALUE, in order */
    int nsets;
    int print;                     /* --print-config */
} cs_cfgopt;

/* Record one --set; returns CS_EXIT_USAGE (after printing) when too many. */
int cs_cfgopt_add_set(cs_cfgopt *o, const char *assignment);
/* Load defaults, the file, the --set overrides; validate when `validate`.
 * Prints the error and returns CS_EXIT_ERR or CS_EXIT_USAGE on failure. With
 * -v, lists the keys left at their defaults. */
int cs_cfgopt_resolve(const cs_cfgopt *o, cs_config *cfg, int validate);
/* 1 when a config was given or ./coreset.yaml exists. */
int cs_cfgopt_present(const cs_cfgopt *o);

#endif
