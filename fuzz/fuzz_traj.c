/* fuzz_traj.c - the trajectory reader must reject arbitrary bytes with an
 * error, never crash: open the input in memory, scan it, then read and verify
 * every frame, then seek back and read one again. */
#include "../formats/traj.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_traj_reader *r = NULL;
    cs_epoch_record rec;
    int64_t frames = 0;
    if (cs_traj_reader_open_mem(&r, data, size, "fuzz.cst"))
        return 0;
    cs_traj_reader_scan(r, &frames);
    while (cs_traj_reader_next(r, &rec) == 1) {
        /* Touch both ends of every column handed out. */
        volatile float sink = 0;
        if (rec.err)
            sink += rec.err[0] + rec.err[rec.n - 1];
        if (rec.used)
            sink += rec.used[rec.n - 1];
        if (rec.probs)
            sink += rec.probs[rec.n * rec.num_classes - 1];
        (void)sink;
    }
    if (cs_traj_reader_seek(r, 0) == 0)
        cs_traj_reader_next(r, &rec);
    cs_traj_reader_free(r);
    return 0;
}
