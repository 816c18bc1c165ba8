/* oof.c - merge an out-of-fold trajectory's passes into per-run records (oof.h). */
#include "oof.h"

#include "../common/err.h"
#include "../train/folds.h"

#include <stdlib.h>

int cs_oof_feed(cs_traj_reader *r, const uint8_t *fold, int K, int T, int R, cs_score_acc *acc)
{
    const cs_traj_header_info *h = cs_traj_reader_header(r);
    const char *path = cs_traj_reader_path(r);
    int64_t frames;
    int rc = cs_traj_reader_scan(r, &frames);
    if (rc)
        return rc;
    int64_t want = (int64_t)R * K * T;
    if (frames != want)
        return cs_error(CS_EFORMAT, "'%s' holds %lld epochs, the run has %d runs x %d folds of %d epochs; hint: coreset score --resume",
                        path, (long long)frames, R, K, T);
    /* frame (p, e) sits at k = p T + e - 1: the writer appends passes in order */
    for (int64_t k = 0; k < frames; k++) {
        const cs_traj_frame_info *fi = cs_traj_reader_frame(r, k);
        if (fi->run != (int32_t)(k / T) || fi->epoch != (int32_t)(k % T) + 1)
            return cs_error(CS_EFORMAT, "'%s': frame %lld is pass %d epoch %d, expected pass %lld epoch %lld", path,
                            (long long)k, fi->run, fi->epoch, (long long)(k / T), (long long)(k % T) + 1);
    }
    cs_epoch_record m;
    if ((rc = cs_folds_record_init(&m, h->n, h->num_classes, h->fields)))
        return rc;
    for (int run = 0; run < R && !rc; run++)
        for (int e = 1; e <= T && !rc; e++) {
            for (int f = 0; f < K && !rc; f++) {
                cs_epoch_record rec;
                if ((rc = cs_traj_reader_seek(r, ((int64_t)run * K + f) * T + e - 1)))
                    break;
                if ((rc = cs_traj_reader_next(r, &rec)) == 1)
                    rc = 0, cs_folds_record_merge(&m, &rec, fold, f);
                else if (!rc)
                    rc = cs_error(CS_EFORMAT, "'%s' ends before run %d fold %d epoch %d", path, run, f, e);
            }
            m.run = run;
            m.epoch = e;
            if (!rc)
                rc = cs_score_acc_add(acc, &m);
        }
    cs_folds_record_release(&m);
    return rc;
}
