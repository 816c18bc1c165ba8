/* traj_dump_int.h - what traj_dump.c shares with the three output writers
 * (dump_csv.c, dump_h5.c, dump_raw.c): the resolved selection and the
 * writer interface. */
#ifndef CS_TRAJ_DUMP_INT_H
#define CS_TRAJ_DUMP_INT_H

#include "../formats/traj.h"
#include "traj_dump.h"

/* The resolved selection: which runs (ascending), which epochs, which fields. */
typedef struct cs_dump_plan {
    const char *path;               /* the trajectory */
    const cs_traj_header_info *hdr; /* its header (n, C, labels, metadata) */
    uint32_t fields;                /* exported fields, a subset of hdr->fields */
    int32_t *runs;                  /* selected runs, ascending */
    int nruns;
    int32_t e0, e1;                 /* selected epochs e0..e1 */
    int ntimes;                     /* e1 - e0 + 1 */
    int64_t frames;                 /* frames inside the selection */
} cs_dump_plan;

/* One output format.  begin creates the temporary output, frame receives each
 * selected frame in file order (ri, ti: its run's position in plan->runs and
 * epoch - e0), commit makes the output durable and renames it into place,
 * abort removes whatever begin created.  ctx is the writer's state. */
typedef struct cs_dump_writer {
    int (*begin)(void **ctx, const cs_dump_plan *p, const cs_dump_opts *o);
    int (*frame)(void *ctx, const cs_dump_plan *p, int ri, int ti, const cs_epoch_record *rec);
    int (*commit)(void *ctx, const cs_dump_plan *p);
    void (*abort)(void *ctx);
} cs_dump_writer;

extern const cs_dump_writer cs_dump_csv_writer;
extern const cs_dump_writer cs_dump_h5_writer;
extern const cs_dump_writer cs_dump_raw_writer;

/* The column of `bit` in rec (float or byte pointer), NULL if absent. */
const void *cs_dump_column(const cs_epoch_record *rec, uint32_t bit);

#endif
