/* report.c - `coreset report`: gather (scores.h5, the index, run.yaml, the
 * trajectory, Grad-CAM from the checkpoint), draw, then write the page and
 * the PNGs.  Every input error comes out before anything is written, and
 * every file is written through a temporary and renamed.  The PNGs come
 * before the page, and a failure (a full disk) removes the PNGs this call
 * wrote, so there is the whole report or none of it. */
#include "report.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/outguard.h"
#include "../run/run_dir.h"
#include "png_write.h"
#include "raster.h"
#include "report_figs.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* PNGs at twice the page's pixel size: sharp enough for slides and papers. */
#define PNG_SCALE 2

/* Remove the PNGs written before figure k failed, and the folder if we made it. */
static void remove_pngs(const cs_report_figs *f, const char *dir, int k, int made_dir)
{
    char path[4200];
    for (int j = 0; j < k; j++)
        if (f->have[j]) {
            snprintf(path, sizeof path, "%s/%s.png", dir, f->fig[j].id);
            unlink(path);
        }
    if (made_dir)
        rmdir(dir);
}

static int write_pngs(const cs_report_figs *f, const char *dir, int *made_dir)
{
    *made_dir = !cs_path_is_dir(dir);
    int rc = cs_mkdir(dir), k = 0;
    for (; k < CS_RFIG_COUNT && !rc; k++) {
        if (!f->have[k])
            continue;
        uint8_t *px;
        int w, h;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.png", dir, f->fig[k].id);
        if ((rc = cs_raster_fig(&f->fig[k], PNG_SCALE, &px, &w, &h)))
            break;
        rc = cs_png_write_file(path, px, w, h);
        free(px);
        if (!rc)
            cs_verbose("wrote '%s' (%d x %d)", path, w, h);
    }
    if (rc)
        remove_pngs(f, dir, k, *made_dir);
    return rc;
}

static int write_html(const cs_report_data *d, const cs_report_figs *f, const char *path)
{
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    if ((rc = cs_report_html(af.fp, d, f)) || ferror(af.fp)) {
        rc = rc ? rc : cs_error_errno(CS_EIO, "cannot write '%s'", path);
        cs_afile_abort(&af);
        return rc;
    }
    if ((rc = cs_afile_commit(&af)))
        return rc;
    struct stat st;
    if (stat(path, &st) == 0)
        cs_info("wrote '%s' (%.1f KB)", path, (double)st.st_size / 1024);
    return 0;
}

/* A --png folder must be creatable: it, or its parent, exists as a folder. */
static int check_png_dir(const char *dir)
{
    if (cs_path_is_dir(dir))
        return 0;
    if (cs_path_exists(dir))
        return cs_error(CS_EIO, "--png '%s' is not a folder", dir);
    return cs_check_output_dir(dir);
}

int cs_report_write(const cs_report_args *a)
{
    static cs_report_data d; /* large (fixed paths); static keeps it off the stack */
    cs_report_figs figs = {0};
    char out[4200];
    int rc;
    cs_report_data_init(&d);
    if (a->output)
        snprintf(out, sizeof out, "%s", a->output);
    else
        cs_run_path(out, sizeof out, a->run, CS_RUN_REPORT);
    if ((rc = cs_run_open_for_read(a->run, 1)) || (a->index && (rc = cs_guard_input(a->index))))
        goto out;
    if ((rc = cs_report_gather_run(&d, a->run)) || (rc = cs_check_output_dir(out)) ||
        (a->png_dir && (rc = check_png_dir(a->png_dir))))
        goto out;
    if (a->index && ((rc = cs_report_gather_index(&d, a->index)) || (rc = cs_report_gather_auto(&d))))
        goto out;
    if ((rc = cs_report_gather_prov(&d)) || (rc = cs_report_gather_scores(&d, a->score)) ||
        (rc = cs_report_gather_traj(&d)) || (rc = cs_report_gather_cam(&d)))
        goto out;
    if ((rc = cs_report_figs_build(&figs, &d)))
        goto out;
    int made_dir = 0;
    if (a->png_dir && (rc = write_pngs(&figs, a->png_dir, &made_dir)))
        goto out;
    if ((rc = write_html(&d, &figs, out))) {
        if (a->png_dir)
            remove_pngs(&figs, a->png_dir, CS_RFIG_COUNT, made_dir);
        goto out;
    }
    if (a->png_dir)
        cs_info("wrote the figures as PNG into '%s'", a->png_dir);
out:
    cs_report_figs_release(&figs);
    cs_report_data_release(&d);
    return rc;
}
