/* auto_portfolio.c - the portfolio table (auto_portfolio.h).  The fast subset
 * holds the rules that won a column of bench/results/quality-*.md on the small
 * medical sets (CCS, EVA's middle band and easy end) beside Random; the others
 * are there for --candidates all. */
#include "auto_portfolio.h"

#include "../common/err.h"

#include <stdio.h>
#include <string.h>

const cs_auto_entry cs_auto_portfolio[] = {
    {"random", "--by random", 1}, /* first, and always kept */
    {"ccs-aum", "--ccs --by aum", 1},
    {"ccs-aum-balanced", "--ccs --by aum --quota balanced", 1},
    {"ccs-eva", "--ccs --by eva", 1},
    {"eva-band", "--by eva --order band:0.25:0.75", 1},
    {"eva-easy", "--by eva --order easy", 1},
    {"eva", "--by eva", 0},
    {"eva-rcap", "--by eva --quota rcap", 0},
    {"eva-balanced", "--by eva --quota balanced", 0},
    {"el2n-band", "--by el2n --order band:0.25:0.75", 0},
    {"el2n-easy", "--by el2n --order easy", 0},
    {"aum-easy", "--by aum --order easy", 0},
    {"ccs-aum-sqrt", "--ccs --by aum --quota sqrt", 0},
    {"ccs-aum-min5", "--ccs --by aum --min-per-class 5", 0}, /* CCS-CP with a floor */
    {"dual", "--dual", 0},
    /* in embedding space: left out, said so, on a run without embeddings.h5 */
    {"moderate", "--moderate", 0},
    {"kcenter", "--kcenter", 0},
    {"herding", "--herding", 0},
    {"d2", "--d2", 0},
    {"d2-strat", "--d2-strat", 0},
};

const int cs_auto_portfolio_count = (int)(sizeof cs_auto_portfolio / sizeof cs_auto_portfolio[0]);

int cs_auto_portfolio_choose(const char *list, int *chosen)
{
    int all = list && strcmp(list, "all") == 0, fast = !list || strcmp(list, "fast") == 0;
    for (int i = 0; i < cs_auto_portfolio_count; i++)
        chosen[i] = all || (fast && cs_auto_portfolio[i].fast) || i == 0;
    if (all || fast)
        return 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        int found = 0;
        for (int i = 0; i < cs_auto_portfolio_count; i++)
            if (strlen(cs_auto_portfolio[i].name) == len && strncmp(cs_auto_portfolio[i].name, p, len) == 0)
                chosen[i] = found = 1;
        if (!found) {
            char names[1024] = "";
            for (int i = 0; i < cs_auto_portfolio_count; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                         cs_auto_portfolio[i].name);
            return cs_error(CS_EINVAL, "--candidates: unknown candidate '%.*s' (known: fast, all, %s)", (int)len, p,
                            names);
        }
        p += len + (p[len] == ',');
    }
    return 0;
}
