/* svg_write.c - figure items to SVG elements.  Coordinates are written with
 * one decimal: the page stays small and nothing visible is lost. */
#include "svg_write.h"

#include "../common/err.h"
#include "base64.h"
#include "png_write.h"

#include <stdlib.h>

void cs_html_escape(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

/* fill="#rrggbb" plus an opacity attribute when not opaque. */
static void paint(FILE *fp, const char *attr, uint32_t c)
{
    fprintf(fp, " %s=\"#%06x\"", attr, c >> 8);
    if ((c & 0xff) != 0xff)
        fprintf(fp, " %s-opacity=\"%.2f\"", attr, (double)(c & 0xff) / 255.0);
}

static int image(FILE *fp, const cs_fig_item *it)
{
    uint8_t *png;
    size_t len;
    int rc = cs_png_encode(it->rgba, it->iw, it->ih, &png, &len);
    if (rc)
        return rc;
    fprintf(fp, "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" preserveAspectRatio=\"none\"%s href=\"data:image/png;base64,",
            (double)it->x, (double)it->y, (double)it->w, (double)it->h,
            it->smooth ? "" : " style=\"image-rendering:pixelated\"");
    cs_base64_write(fp, png, len);
    fputs("\"/>\n", fp);
    free(png);
    return 0;
}

/* Runs of circles or rectangles of one colour share a <g> carrying the
 * paint, which keeps a scatter of thousands of points about half as long. */
typedef struct group {
    int open;
    uint32_t color;
} group;

static void group_for(FILE *fp, group *g, const cs_fig_item *it)
{
    int groupable = it->kind == CS_FIG_CIRCLE || it->kind == CS_FIG_RECT;
    if (g->open && (!groupable || it->color != g->color)) {
        fputs("</g>\n", fp);
        g->open = 0;
    }
    if (groupable && !g->open) {
        fputs("<g", fp);
        paint(fp, "fill", it->color);
        fputs(">\n", fp);
        g->open = 1;
        g->color = it->color;
    }
}

int cs_svg_write(FILE *fp, const cs_fig *f, const char *title)
{
    int rc = cs_fig_check(f);
    if (rc)
        return rc;
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"svg-%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
            f->id, f->w, f->h, f->w, f->h);
    cs_html_escape(fp, title);
    fputs("\" font-family=\"sans-serif\">\n", fp);
    group g = {0};
    for (int i = 0; i < f->n && !rc; i++) {
        const cs_fig_item *it = &f->items[i];
        group_for(fp, &g, it);
        switch (it->kind) {
        case CS_FIG_LINE:
            fputs("<polyline fill=\"none\"", fp);
            paint(fp, "stroke", it->color);
            fprintf(fp, " stroke-width=\"%.1f\"%s points=\"", (double)it->width,
                    it->dash ? " stroke-dasharray=\"6 4\"" : "");
            for (int k = 0; k < it->npts; k++)
                fprintf(fp, "%s%.1f,%.1f", k ? " " : "", (double)it->pts[2 * k], (double)it->pts[2 * k + 1]);
            fputs("\"/>\n", fp);
            break;
        case CS_FIG_RECT:
            fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", (double)it->x,
                    (double)it->y, (double)it->w, (double)it->h);
            break;
        case CS_FIG_CIRCLE:
            fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", (double)it->x, (double)it->y, (double)it->w);
            break;
        case CS_FIG_TEXT:
            fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\"", (double)it->x, (double)it->y, (double)it->size);
            if (it->anchor != CS_FIG_START)
                fprintf(fp, " text-anchor=\"%s\"", it->anchor == CS_FIG_MIDDLE ? "middle" : "end");
            if (it->vertical)
                fprintf(fp, " transform=\"rotate(-90 %.1f %.1f)\"", (double)it->x, (double)it->y);
            paint(fp, "fill", it->color);
            fputc('>', fp);
            cs_html_escape(fp, it->text);
            fputs("</text>\n", fp);
            break;
        case CS_FIG_IMAGE:
            rc = image(fp, it);
            break;
        }
    }
    if (g.open)
        fputs("</g>\n", fp);
    fputs("</svg>\n", fp);
    return rc;
}
