/* auto_portfolio.h - the candidate rules `coreset select --by auto` tries.
 *
 * Each entry is the option string a user would give `coreset select` for
 * that rule, parsed by the command's own option parser (the caller passes it
 * to select/auto.c), so adding a rule to the search is one line of
 * auto_portfolio.c.  Random is the first entry and is always evaluated: the
 * choice can always fall back on it. */
#ifndef CS_AUTO_PORTFOLIO_H
#define CS_AUTO_PORTFOLIO_H

typedef struct cs_auto_entry {
    const char *name;    /* for --candidates and the table */
    const char *options; /* as typed after `coreset select RUN --rate R` */
    int fast;            /* 1: in the default subset */
} cs_auto_entry;

extern const cs_auto_entry cs_auto_portfolio[];
extern const int cs_auto_portfolio_count;

/* The entries a --candidates value names, in portfolio order, into
 * chosen[cs_auto_portfolio_count] (1 = try it): NULL or "fast" = the default
 * subset, "all", or a comma list of names.  Random is always chosen.  An
 * unknown name is CS_EINVAL with the list of known ones. */
int cs_auto_portfolio_choose(const char *list, int *chosen);

#endif
