/* cfgopt.c - resolve -c / --set / --print-config into a validated config. */
#include "cfgopt.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/outguard.h"
#include "cli.h"

#include <stdio.h>

#define DEFAULT_CONFIG "coreset.yaml"

int cs_cfgopt_add_set(cs_cfgopt *o, const char *assignment)
{
    if (o->nsets == CS_MAX_SETS)
        return cs_usage_error(NULL, "at most %d --set options", CS_MAX_SETS);
    o->sets[o->nsets++] = assignment;
    return 0;
}

int cs_cfgopt_present(const cs_cfgopt *o) { return o->path || cs_path_exists(DEFAULT_CONFIG); }

int cs_cfgopt_resolve(const cs_cfgopt *o, cs_config *cfg, int validate)
{
    cs_config_init(cfg);
    const char *path = o->path ? o->path : (cs_path_exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : NULL);
    /* The config is an input: no output of the command may replace it. */
    if (path && (cs_guard_input(path) || cs_config_load(cfg, path))) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    for (int i = 0; i < o->nsets; i++)
        if (cs_config_set(cfg, o->sets[i])) {
            cs_print_error();
            return CS_EXIT_USAGE;
        }
    if (validate && cs_config_validate(cfg)) {
        cs_print_error();
        if (!path)
            fprintf(stderr, "hint: give a config with -c FILE, or put one in ./%s\n", DEFAULT_CONFIG);
        return CS_EXIT_ERR;
    }
    if (cs_verbosity >= 2) {
        cs_verbose("config: %s; keys left at their defaults:", path ? path : "(none)");
        cs_config_print_defaults_used(cfg, stderr);
    }
    return CS_EXIT_OK;
}
