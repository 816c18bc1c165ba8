/* figure.c - building figures: the item list and its error flag. */
#include "figure.h"

#include "../common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_fig_init(cs_fig *f, const char *id, int w, int h)
{
    memset(f, 0, sizeof *f);
    snprintf(f->id, sizeof f->id, "%s", id);
    f->w = w;
    f->h = h;
    return 0;
}

void cs_fig_release(cs_fig *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->items[i].pts);
        free(f->items[i].text);
        free(f->items[i].rgba);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

int cs_fig_check(const cs_fig *f)
{
    return f->failed ? cs_error(CS_ENOMEM, "out of memory drawing figure '%s'", f->id) : 0;
}

/* A new zeroed item, or NULL (and the flag set). */
static cs_fig_item *add(cs_fig *f, cs_fig_kind kind, uint32_t color)
{
    if (f->failed)
        return NULL;
    if (f->n == f->cap) {
        int cap = f->cap ? 2 * f->cap : 64;
        cs_fig_item *p = realloc(f->items, sizeof *p * (size_t)cap);
        if (!p) {
            f->failed = 1;
            return NULL;
        }
        f->items = p;
        f->cap = cap;
    }
    cs_fig_item *it = &f->items[f->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->color = color;
    return it;
}

void cs_fig_line(cs_fig *f, const float *pts, int npts, uint32_t color, float width, int dash)
{
    if (npts < 2)
        return;
    float *copy = malloc(sizeof *copy * 2 * (size_t)npts);
    cs_fig_item *it = copy ? add(f, CS_FIG_LINE, color) : NULL;
    if (!it) {
        free(copy);
        f->failed = 1;
        return;
    }
    memcpy(copy, pts, sizeof *copy * 2 * (size_t)npts);
    it->pts = copy;
    it->npts = npts;
    it->width = width;
    it->dash = dash;
}

void cs_fig_segment(cs_fig *f, float x0, float y0, float x1, float y1, uint32_t color, float width, int dash)
{
    float p[4] = {x0, y0, x1, y1};
    cs_fig_line(f, p, 2, color, width, dash);
}

void cs_fig_rect(cs_fig *f, float x, float y, float w, float h, uint32_t color)
{
    if (w <= 0 || h <= 0)
        return;
    cs_fig_item *it = add(f, CS_FIG_RECT, color);
    if (it) {
        it->x = x;
        it->y = y;
        it->w = w;
        it->h = h;
    }
}

void cs_fig_circle(cs_fig *f, float x, float y, float r, uint32_t color)
{
    cs_fig_item *it = add(f, CS_FIG_CIRCLE, color);
    if (it) {
        it->x = x;
        it->y = y;
        it->w = r;
    }
}

void cs_fig_text(cs_fig *f, float x, float y, const char *text, float size, int anchor, int vertical,
                 uint32_t color)
{
    char *copy = strdup(text);
    cs_fig_item *it = copy ? add(f, CS_FIG_TEXT, color) : NULL;
    if (!it) {
        free(copy);
        f->failed = 1;
        return;
    }
    it->x = x;
    it->y = y;
    it->text = copy;
    it->size = size;
    it->anchor = anchor;
    it->vertical = vertical;
}

void cs_fig_textf(cs_fig *f, float x, float y, float size, int anchor, uint32_t color, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_fig_text(f, x, y, buf, size, anchor, 0, color);
}

void cs_fig_image(cs_fig *f, float x, float y, float w, float h, uint8_t *rgba, int iw, int ih, int smooth)
{
    cs_fig_item *it = rgba ? add(f, CS_FIG_IMAGE, 0) : NULL;
    if (!it) {
        free(rgba);
        f->failed = 1;
        return;
    }
    it->x = x;
    it->y = y;
    it->w = w;
    it->h = h;
    it->rgba = rgba;
    it->iw = iw;
    it->ih = ih;
    it->smooth = smooth;
}

float cs_fig_text_width(const char *text, float size)
{
    /* UTF-8 continuation bytes take no room of their own. */
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    return 0.6f * size * (float)chars;
}
