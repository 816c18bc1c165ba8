#!/usr/bin/env python3
"""check_report.py PAGE SCORES_H5 INDEX TRAJ_H5 - an independent check of the
page `coreset report RUN --index INDEX` wrote.  Parses the HTML with
html.parser and reads scores.h5, the index file and the trajectory (as
`coreset dump --h5` wrote it) with h5py and NumPy, then checks that
  - every section and every figure (an inline <svg>) is present, and the page
    has no script, no external reference and no data: URI other than PNG;
  - the class table's N_c and n_c are the label histograms of scores.h5 and of
    the index's samples, and the kept total is the index's m;
  - each class's histogram row counts that class, its kept count, its bins
    (40 equal bins over the finite range of the score), its +-inf and NaN,
    and its cut: the least important kept value when one value separates kept
    from removed, else none;
  - the confidence-focus counts follow from late_conf, focus, tau and phi, and
    min(4000, placed) points are drawn (the plane's <circle> elements);
  - the per-epoch loss, accuracy and used fractions are the trajectory's means;
  - the traced samples are the highest, median and lowest EVA of their class
    and their error norms are the trajectory's;
  - the thumbnails are the 3 highest and 3 lowest of the score per class;
  - the provenance names the dataset sha256 scores.h5 records.
Prints one line per problem and exits 1, or prints a summary and exits 0."""
import sys
from html.parser import HTMLParser

import h5py
import numpy as np

page, scores_path, index_path, traj_path = sys.argv[1:5]
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.figures, self.rows = {}, {}, {}
        self.circles, self.table, self.section, self.figure = {}, None, None, None
        self.tags, self.external = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        for k in ("src", "href", "xlink:href"):
            v = a.get(k)
            if v is not None and not (v.startswith("#") or v.startswith("data:image/png;base64,")):
                self.external.append(v)
        if tag == "section":
            self.section = a["id"]
            self.sections[a["id"]] = a
        elif tag == "figure":
            self.figure = a["id"]
            self.figures[a["id"]] = 0
        elif tag == "svg" and self.figure:
            self.figures[self.figure] += 1
        elif tag == "circle" and self.figure:
            self.circles[self.figure] = self.circles.get(self.figure, 0) + 1
        elif tag == "table" and "data-table" in a:
            self.table = a["data-table"]
            self.rows[self.table] = []
        elif tag == "tr" and self.table and any(k.startswith("data-") for k in a):
            self.rows[self.table].append(a)

    def handle_endtag(self, tag):
        if tag == "figure":
            self.figure = None
        elif tag == "table":
            self.table = None


p = Page()
p.feed(open(page, encoding="utf-8").read())

for s in ("epochs", "classes", "scores", "plane", "traces", "samples", "provenance"):
    check(s in p.sections, f"no section '{s}'")
for fig in ("epochs", "classes", "scores", "plane", "traces", "samples"):
    check(p.figures.get(f"fig-{fig}") == 1, f"figure 'fig-{fig}' missing or without its svg")
check("script" not in p.tags, "the page has a <script>")
check(not p.external, f"external references: {p.external[:3]}")

scores = h5py.File(scores_path, "r")
labels = scores["labels"][:]
N, C = len(labels), int(scores.attrs["num_classes"])
idx = np.loadtxt(index_path, dtype=np.int64, comments="#", ndmin=1)
kept = np.zeros(N, bool)
kept[idx] = True
n_c, kept_c = np.bincount(labels, minlength=C), np.bincount(labels[idx], minlength=C)

# classes
rows = p.rows.get("classes", [])
check(len(rows) == C, f"class table has {len(rows)} rows, want {C}")
for r in rows:
    c = int(r["data-class"])
    check(int(r["data-n"]) == n_c[c], f"class {c}: N_c {r['data-n']}, scores.h5 says {n_c[c]}")
    check(int(r["data-kept"]) == kept_c[c], f"class {c}: n_c {r['data-kept']}, the index holds {kept_c[c]}")
check(int(p.sections["classes"]["data-kept"]) == len(idx), "kept total differs from the index's m")
check(int(p.sections["classes"]["data-n"]) == N, "sample total differs from scores.h5")

# score histograms and cuts
name = p.sections["scores"]["data-score"]
v = scores["scores"][name][:]
high = scores["scores"][name].attrs["direction"] in (b"high", "high")
fin = v[np.isfinite(v)]
lo, hi = (fin.min(), fin.max()) if len(fin) else (0.0, 1.0)
if hi <= lo:
    hi = lo + 1
rows = p.rows.get("scores", [])
check(len(rows) == min(C, 20), f"score table has {len(rows)} rows")
for r in rows:
    c = int(r["data-class"])
    m = labels == c
    vc, kc = v[m], kept[m]
    check(int(r["data-count"]) == m.sum(), f"histogram of class {c} counts {r['data-count']}, want {m.sum()}")
    check(int(r["data-kept"]) == kc.sum(), f"histogram of class {c} keeps {r['data-kept']}, want {kc.sum()}")
    f = np.isfinite(vc)
    b = np.clip(np.floor((vc[f] - lo) / ((hi - lo) / 40)).astype(np.int64), 0, 39)
    want_bins = np.bincount(b, minlength=40)
    want_kept = np.bincount(b[kc[f]], minlength=40)
    got_bins = np.array(r["data-bins"].split(), np.int64)
    check(np.array_equal(got_bins, want_bins), f"class {c} bins {got_bins} vs {want_bins}")
    check(np.array_equal(np.array(r["data-kept-bins"].split(), np.int64), want_kept), f"class {c} kept bins")
    check(int(r["data-pos-inf"]) == np.sum(vc == np.inf) and int(r["data-nan"]) == np.isnan(vc).sum(),
          f"class {c} inf/NaN counts")
    ok = ~np.isnan(vc)
    kv, rv = vc[ok & kc], vc[ok & ~kc]
    cut = "none"
    if len(kv) and len(rv) and ((rv.max() <= kv.min()) if high else (rv.min() >= kv.max())):
        cut = kv.min() if high else kv.max()
    if cut == "none":
        check(r["data-cut"] == "none", f"class {c}: cut {r['data-cut']}, want none")
    else:
        check(r["data-cut"] != "none" and float(r["data-cut"]) == cut, f"class {c}: cut {r['data-cut']}, want {cut}")

# the confidence-focus plane
pl = p.sections["plane"]
tau, phi = float(pl["data-tau"]), float(pl["data-phi"])
lc, fo = scores["scores"]["late_conf"][:], scores["scores"]["focus"][:]
placed = ~np.isnan(lc) & ~np.isnan(fo)
conf, diffuse = lc >= tau, fo < phi
want = {"data-kept": placed & kept, "data-conf-removed": placed & ~kept & conf,
        "data-focus-removed": placed & ~kept & ~conf & diffuse, "data-other-removed": placed & ~kept & ~conf & ~diffuse,
        "data-unplaced": ~placed}
for k, w in want.items():
    check(int(pl[k]) == w.sum(), f"plane {k} = {pl[k]}, want {w.sum()}")
check(int(pl["data-drawn"]) == min(4000, placed.sum()) == p.circles.get("fig-plane", 0),
      f"plane draws {pl['data-drawn']} points ({p.circles.get('fig-plane', 0)} circles), want {min(4000, placed.sum())}")

# per epoch, against the trajectory
traj = h5py.File(traj_path, "r")
loss, corr, used, err = traj["loss"][:], traj["correct"][:], traj["used"][:], traj["err"][:]
rows = p.rows.get("epochs", [])
check(len(rows) == loss.shape[0] * loss.shape[1], f"{len(rows)} epoch rows, the trajectory has {loss.shape[:2]}")
for r in rows:
    run, e = int(r["data-run"]), int(r["data-epoch"])
    for key, col in (("data-loss", loss), ("data-accuracy", corr), ("data-used", used)):
        want = col[run, e - 1].astype(np.float64).mean()
        check(abs(float(r[key]) - want) <= 1e-6 * max(1, abs(want)), f"run {run} epoch {e}: {key} {r[key]}, want {want}")

# traces: highest, median, lowest EVA of each class
eva = scores["scores"]["eva"][:]
for r in p.rows.get("traces", []):
    c, i, kind = int(r["data-class"]), int(r["data-sample"]), r["data-kind"]
    members = np.where(labels == c)[0]
    order = members[np.lexsort((members, eva[members]))]
    want = {"highest": order[-1], "median": order[(len(order) - 1) // 2], "lowest": order[0]}[kind]
    check(i == want, f"class {c} {kind} trace is sample {i}, want {want}")
    e = np.array(r["data-err"].split(), np.float64)
    check(np.allclose(e, err[0, :, i], rtol=1e-6, atol=1e-7), f"trace of sample {i}: error norms differ")
# three per class, fewer for a class of one or two samples
want = sum(min(3, n_c[c]) for c in range(min(C, 20)))
check(len(p.rows.get("traces", [])) == want, f"{len(p.rows.get('traces', []))} traces, want {want}")

# thumbnails: the 3 most and least important by the score
for c in range(min(C, 20)):
    rs = [r for r in p.rows.get("samples", []) if int(r["data-class"]) == c]
    members = np.where((labels == c) & ~np.isnan(v))[0]
    order = members[np.lexsort((members, v[members]))]
    if high:
        order = order[::-1]  # values compared below, so the order of ties does not matter
    k = len(order)
    ntop = min(3, k)
    nbot = min(3, k - ntop)
    top = sorted(int(r["data-sample"]) for r in rs if r["data-top"] == "1")
    bot = sorted(int(r["data-sample"]) for r in rs if r["data-top"] == "0")
    check(len(top) == ntop and np.allclose(sorted(v[top]), sorted(v[order[:ntop]])), f"class {c}: top samples {top}")
    check(len(bot) == nbot and np.allclose(sorted(v[bot]), sorted(v[order[k - nbot:]])),
          f"class {c}: bottom samples {bot}")
maps = [r["data-map"] for r in p.rows.get("samples", [])]
check(maps and all(m == "yes" for m in maps), f"Grad-CAM maps missing: {maps}")
check(int(p.sections["samples"]["data-maps"]) == len(maps), "data-maps differs from the rows with a map")
for r in p.rows.get("samples", []):
    f = float(r["data-map-focus"])
    check(0 <= f <= 1, f"map focus {f} outside [0, 1]")

# provenance
prov = {r["data-key"]: r["data-value"] for r in p.rows.get("provenance", [])}
sha = scores.attrs["dataset_sha256"]
sha = sha.decode() if isinstance(sha, bytes) else sha
check(prov.get("dataset_sha256") == sha, f"provenance sha256 {prov.get('dataset_sha256')} vs scores.h5 {sha}")
for k in ("tool_version", "seed", "report_tool"):
    check(k in prov, f"provenance lacks {k}")

for msg in problems:
    print("problem:", msg)
if problems:
    sys.exit(1)
print(f"ok: {len(p.sections)} sections, {C} classes, {len(idx)} kept of {N}, {pl['data-drawn']} points")
