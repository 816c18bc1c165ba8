/* fuzz_config.c - libFuzzer target for the YAML config loader.
 *
 * Any input must either load or fail with a message; a config that loads must
 * survive the writer: writing it and loading the output gives an equal config,
 * and so does the annotated form.  --set is fuzzed too, with the input as one
 * assignment, and the run.yaml provenance reader (run/run_prov.c) reads
 * the input as a run.yaml. */
#include "../common/err.h"
#include "../config/config.h"
#include "../run/run_prov.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const cs_config *cfg, int annotated)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (!fp)
        return;
    int rc = annotated ? cs_config_write_annotated(cfg, fp) : cs_config_write(cfg, fp);
    fclose(fp);
    if (rc == 0) {
        cs_config back;
        cs_config_init(&back);
        if (cs_config_load_mem(&back, "written", text, len) != 0 || !cs_config_equal(cfg, &back)) {
            fprintf(stderr, "round trip failed: %s\n%s\n", cs_errmsg(), text);
            abort();
        }
        cs_config_release(&back);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_config cfg;
    cs_config_init(&cfg);
    cs_error_clear();
    if (cs_config_load_mem(&cfg, "fuzz.yaml", data, size) == 0) {
        cs_config_validate(&cfg);
        round_trip(&cfg, 0);
        round_trip(&cfg, 1);
    } else if (!cs_errmsg()[0]) {
        abort(); /* every failure says why */
    }
    /* The same bytes as run.yaml: its provenance mapping reads or fails with a message. */
    cs_run_prov prov;
    cs_error_clear();
    if (cs_run_prov_read_mem(&prov, "run.yaml", data, size) != 0 && !cs_errmsg()[0])
        abort();
    cs_run_prov_release(&prov);
    /* The same bytes as one --set assignment (NUL-terminated copy). */
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = 0;
        cs_config_init(&cfg);
        if (cs_config_set(&cfg, s) == 0 && memchr(data, 0, size) == NULL)
            round_trip(&cfg, 0);
        free(s);
    }
    cs_config_release(&cfg);
    return 0;
}
