/* decode_bench.c - images per second of the folder reader's decode path on
 * one core: every file of a folder read into memory first, then decoded,
 * converted to grey and box-resized to SIZE x SIZE in a loop (codecs/image.h),
 * and the whole dataset open (listing, reads, decode, resize) timed too.
 *
 *   decode_bench DIR SIZE REPEAT     (bench/decode.sh runs it against PIL) */
#include "../codecs/image.h"
#include "../common/err.h"
#include "../common/fsio.h"
#include "../datasets/dataset.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: decode_bench DIR SIZE REPEAT\n"), 2;
    int size = atoi(argv[2]), rep = atoi(argv[3]);
    char cls[4200];
    snprintf(cls, sizeof cls, "%s/train/c0", argv[1]);
    DIR *d = opendir(cls);
    if (!d)
        return fprintf(stderr, "cannot open '%s'\n", cls), 1;
    uint8_t *buf[20000];
    size_t len[20000];
    int n = 0;
    struct dirent *e;
    while (n < 20000 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[8400];
        snprintf(p, sizeof p, "%s/%s", cls, e->d_name);
        if (cs_read_file(p, &buf[n], &len[n]))
            return fprintf(stderr, "%s\n", cs_errmsg()), 1;
        n++;
    }
    closedir(d);
    double t0 = now();
    for (int r = 0; r < rep; r++)
        for (int i = 0; i < n; i++) {
            cs_image img;
            if (cs_image_decode(&img, buf[i], len[i], "'bench'") || cs_image_to_channels(&img, 1) ||
                cs_image_resize(&img, size, size))
                return fprintf(stderr, "%s\n", cs_errmsg()), 1;
            cs_image_release(&img);
        }
    double t1 = now();
    cs_dataset_opts o = {.kind = "folder", .channels = 1, .size = size};
    cs_dataset *ds;
    if (cs_dataset_open(&ds, argv[1], &o))
        return fprintf(stderr, "%s\n", cs_errmsg()), 1;
    double t2 = now();
    printf("coreset decode+grey+box-resize (memory): %d images x %d in %.3f s: %.0f images/s\n", n, rep, t1 - t0,
           n * rep / (t1 - t0));
    printf("coreset dataset open (list, read, decode, resize): %lld images in %.3f s: %.0f images/s\n",
           (long long)cs_dataset_split(ds, "train")->n, t2 - t1, (double)cs_dataset_split(ds, "train")->n / (t2 - t1));
    cs_dataset_free(ds);
    for (int i = 0; i < n; i++)
        free(buf[i]);
    return 0;
}
