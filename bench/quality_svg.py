"""quality_svg.py - a small SVG line chart writer (no matplotlib here).

panels(path, title, xlabels, panels, series_style) draws side by side one
panel per metric: x is categorical (the selection rates, evenly spaced), y the
metric in percent; each series is a line with markers and ±std bars, and an
optional reference (full-data training) is a dashed horizontal line with a
grey band of ±std.  One legend for all panels, on the right.
"""
import math
import os
from xml.sax.saxutils import escape

# Distinct colours: baselines in greys and earth tones, EVA and its variants in
# blues, greens and reds so the family reads as one.
PALETTE = {
    "random": ("#000000", ""),
    "el2n": ("#8c564b", "4,2"),
    "forgetting": ("#7f7f7f", "4,2"),
    "aum": ("#bcbd22", "4,2"),
    "entropy": ("#e377c2", "4,2"),
    "ccs": ("#9467bd", "4,2"),
    "eva": ("#1f77b4", ""),
    "eva-focusw": ("#17becf", ""),
    "eva-filter": ("#2ca02c", ""),
    "eva-rcap": ("#d62728", ""),
    "eva-balanced": ("#ff7f0e", ""),
}


def nice_range(lo, hi):
    """Round the y range outwards to a step of 1, 2, 5 or 10 points."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 100.0, 10.0
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / 6
    step = next(s for s in (0.5, 1, 2, 5, 10, 20, 25, 50) if s >= raw) if raw <= 50 else 50
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    return max(lo, 0.0), min(hi, 100.0), step


def panel(out, x0, y0, w, h, title, xlabels, series, ref):
    """One panel.  series: [(key, label, [(mean, std) or None per x])];
    ref: (mean, std) or None.  Values in percent."""
    vals = [m + s * sign for _, _, pts in series for p in pts if p for m, s in [p] for sign in (-1, 1)]
    if ref:
        vals += [ref[0] - ref[1], ref[0] + ref[1]]
    lo, hi, step = nice_range(min(vals, default=0), max(vals, default=100))
    n = len(xlabels)

    def X(i):
        return x0 + w * (i + 0.5) / n

    def Y(v):
        return y0 + h - h * (v - lo) / (hi - lo)

    out.append('<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle" font-weight="bold">%s</text>'
               % (x0 + w / 2, y0 - 10, escape(title)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>' % (x0, y0, w, h))
    v = lo
    while v <= hi + 1e-9:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (x0, x0 + w, Y(v), Y(v)))
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%g</text>' % (x0 - 5, Y(v) + 4, v))
        v += step
    for i, lab in enumerate(xlabels):
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>' % (X(i), y0 + h + 16,
                                                                                            escape(lab)))
    out.append('<text x="%.1f" y="%d" font-size="12" text-anchor="middle">selection rate</text>'
               % (x0 + w / 2, y0 + h + 34))
    if ref:
        m, s = ref
        out.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#000" fill-opacity="0.07"/>'
                   % (x0, Y(min(hi, m + s)), w, max(0.0, Y(max(lo, m - s)) - Y(min(hi, m + s)))))
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-dasharray="8,4"/>'
                   % (x0, x0 + w, Y(m), Y(m)))
    for key, _, pts in series:
        color, dash = PALETTE.get(key, ("#333", ""))
        da = ' stroke-dasharray="%s"' % dash if dash else ""
        xy = [(X(i), Y(p[0])) for i, p in enumerate(pts) if p]
        if len(xy) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="%s"/>'
                       % (color, da, " ".join("%.1f,%.1f" % q for q in xy)))
        for i, p in enumerate(pts):
            if not p:
                continue
            if p[1] > 0:
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-opacity="0.6"/>'
                           % (X(i), X(i), Y(p[0] - p[1]), Y(p[0] + p[1]), color))
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %.2f ± %.2f</title></circle>'
                       % (X(i), Y(p[0]), color, escape(key), escape(xlabels[i]), p[0], p[1]))


def panels(path, title, xlabels, plots, labels):
    """plots: [(panel title, series, ref)] with series as panel() takes;
    labels: [(key, legend text)] in legend order."""
    pw, ph, left, top, gap, legend_w = 420, 320, 60, 60, 80, 230
    width = left + len(plots) * pw + (len(plots) - 1) * gap + 30 + legend_w
    height = top + ph + 60
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">%s</text>' % (left, escape(title))]
    for k, (ptitle, series, ref) in enumerate(plots):
        panel(out, left + k * (pw + gap), top, pw, ph, ptitle, xlabels, series, ref)
    lx = left + len(plots) * pw + (len(plots) - 1) * gap + 30
    for i, (key, text) in enumerate(labels):
        color, dash = PALETTE.get(key, ("#333", "8,4" if key == "full" else ""))
        y = top + 10 + 20 * i
        da = ' stroke-dasharray="%s"' % dash if dash else ""
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (lx, lx + 26, y, y, color, da))
        out.append('<text x="%d" y="%d" font-size="12">%s</text>' % (lx + 32, y + 4, escape(text)))
    out.append("</svg>")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, path)
