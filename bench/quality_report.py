"""quality_report.py - the tables and the plot of bench/quality.

write() reads a work folder of bench/quality (cells/METHOD/rRATE/sSEED.json,
full/sSEED.json, windows.json, meta.json, the select logs and index files) and
writes OUT/quality-<dataset>.md, OUT/quality-<dataset>.svg and
OUT/quality-<dataset>.commands.txt.  Every number in them is read from those
files.  A hand-written OUT/quality-<dataset>.analysis.md, if present, is
included as the analysis section.
"""
import json
import os
import re

import numpy as np

import quality_svg

PHASES = ("holdout", "surrogate", "windows", "full", "cells")
METRICS = (("accuracy", "Test accuracy"), ("macro_f1", "Test macro-F1"),
           ("worst_class_accuracy", "Test worst-class accuracy"))


def rate_tag(r):
    return "r%.2f" % r


def pct(r):
    return "%g%%" % round(100 * r, 6)


def mean_std(xs):
    """Mean and sample standard deviation (ddof 1; 0 for one value), in percent."""
    a = 100 * np.asarray(xs, float)
    return float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else 0.0


def fmt(ms, n):
    return "%.2f ± %.2f" % ms if n > 1 else "%.2f" % ms[0]


def load_json(path):
    with open(path) as f:
        return json.load(f)


def gather(work, prof):
    """{(method, rate): [train JSON per seed, in seed order]}, [full JSONs]."""
    cells = {}
    for meth in prof["methods"]:
        for r in prof["rates"]:
            got = []
            for s in prof["seeds"]:
                p = os.path.join(work, "cells", meth, rate_tag(r), "s%d.json" % s)
                if os.path.exists(p):
                    got.append(load_json(p))
            cells[meth, r] = got
    full = [load_json(p) for s in prof["seeds"] for p in [os.path.join(work, "full", "s%d.json" % s)]
            if os.path.exists(p)]
    return cells, full


def select_table(path):
    """The per-class rows of a `coreset select` log: {class: (N_c, n_c, unreliable or None)}."""
    rows = {}
    if not os.path.exists(path):
        return rows
    ncol = 5  # N_c n_c kept% mean_kept mean_dropped, then unreliable with the filter
    for line in open(path):
        f = line.split()
        if f and f[0] == "class":
            ncol = 6 if "unreliable" in f else 5
        # "K [NAME] N_c n_c ...": the class's name (if the run recorded one)
        # is one token; the numbers are read from the right.
        elif len(f) >= ncol + 1 and (f[0].isdigit() or f[0] == "all"):
            num = f[-ncol:]
            if num[0].isdigit() and num[1].isdigit():
                rows[f[0]] = (int(num[0]), int(num[1]), int(num[5]) if ncol == 6 and num[5].isdigit() else None)
    return rows


def read_index(path):
    with open(path) as f:
        return np.array([int(x) for x in f if x.strip() and not x.startswith("#")], np.int64)


def metric_table(prof, cells, full, key, labels):
    """Rows: methods then full data; columns: rates.  Best mean per column in bold."""
    rates = prof["rates"]
    head = "| method | " + " | ".join(pct(r) for r in rates) + " |"
    lines = [head, "|---|" + "---:|" * len(rates)]
    stats = {(m, r): mean_std([j["test"][key] for j in cells[m, r]]) for m in prof["methods"] for r in rates
             if cells[m, r]}
    best = {r: max((stats[m, r][0] for m in prof["methods"] if (m, r) in stats), default=None) for r in rates}
    for m in prof["methods"]:
        row = []
        for r in rates:
            if (m, r) not in stats:
                row.append("—")
                continue
            s = fmt(stats[m, r], len(cells[m, r]))
            row.append("**%s**" % s if abs(stats[m, r][0] - best[r]) < 1e-9 else s)
        lines.append("| %s | %s |" % (labels[m], " | ".join(row)))
    if full:
        s = fmt(mean_std([j["test"][key] for j in full]), len(full))
        lines.append("| *full data (100%%)* | %s |" % " | ".join(["*%s*" % s] * len(rates)))
    return "\n".join(lines), stats


def windows_section(work):
    p = os.path.join(work, "windows.json")
    if not os.path.exists(p):
        return "(not chosen yet)\n", {}
    w = load_json(p)
    cands = w["candidates"]
    out = ["Candidates (early start - late start, K = %d): %s. Val seeds: %s. Cell: mean val accuracy (%%) of a "
           "model trained on the EVA coreset of that rate." % (w["K"], ", ".join(cands),
                                                              ", ".join(map(str, w["val_seeds"]))), "",
           "| rate | " + " | ".join(cands) + " | chosen windows |", "|---|" + "---:|" * len(cands) + "---|"]
    chosen = {}
    K = w["K"]
    for tag, b in w["by_rate"].items():
        cells = []
        for row in b["rows"]:
            s = "%.2f" % (100 * row["val_accuracy"])
            cells.append("**%s**" % s if row["pair"] == b["chosen"] else s)
        e, l = (int(x) for x in b["chosen"].split("-"))
        chosen[tag] = (e, l)
        out.append("| %s | %s | epochs %d-%d and %d-%d |" % (pct(float(tag[1:])), " | ".join(cells), e, e + K - 1,
                                                              l, l + K - 1))
    return "\n".join(out) + "\n", chosen


def eva_vs_random(prof, cells):
    """EVA (and its best variant) minus Random per rate, with the standard
    error of the difference of two means."""
    if "eva" not in prof["methods"] or "random" not in prof["methods"]:
        return ""
    variants = [m for m in prof["methods"] if m.startswith("eva")]
    out = ["| rate | EVA − Random, accuracy | EVA − Random, worst-class | best EVA variant (accuracy) − Random |",
           "|---|---:|---:|---|"]

    def diff(a, b, key):
        xa = 100 * np.array([j["test"][key] for j in cells[a]])
        xb = 100 * np.array([j["test"][key] for j in cells[b]])
        if not len(xa) or not len(xb):
            return None
        se = np.sqrt((xa.var(ddof=1) / len(xa) if len(xa) > 1 else 0) + (xb.var(ddof=1) / len(xb) if len(xb) > 1
                                                                              else 0))
        return xa.mean() - xb.mean(), se

    def show(d):
        if d is None:
            return "—"
        flag = " (> 2 SE)" if d[1] > 0 and abs(d[0]) > 2 * d[1] else ""
        return "%+.2f ± %.2f%s" % (d[0], d[1], flag)

    for r in prof["rates"]:
        acc = diff(("eva", r), ("random", r), "accuracy")
        wc = diff(("eva", r), ("random", r), "worst_class_accuracy")
        bestv, bestd = None, None
        for v in variants:
            d = diff((v, r), ("random", r), "accuracy")
            if d is not None and (bestd is None or d[0] > bestd[0]):
                bestv, bestd = v, d
        out.append("| %s | %s | %s | %s %s |" % (pct(r), show(acc), show(wc), bestv or "—", show(bestd)))
    return "\n".join(out) + "\n\nSE: standard error of the difference of the two means over the training seeds.\n"


def composition(work, prof, labels, names):
    """Samples kept per class by each method (seed 0's select log)."""
    s0 = prof["seeds"][0]
    out, header = [], None
    for m in prof["methods"]:
        row = []
        for r in prof["rates"]:
            t = select_table(os.path.join(work, "cells", m, rate_tag(r), "s%d.select.txt" % s0))
            classes = sorted((k for k in t if k.isdigit()), key=int)
            if header is None and classes:
                header = [(k, t[k][0]) for k in classes]
            if not classes:
                row.append("—")
            elif len(classes) <= 5:
                row.append("/".join(str(t[k][1]) for k in classes))
            else:
                kept = [t[k][1] for k in classes]
                row.append("min %d, max %d" % (min(kept), max(kept)))
        out.append("| %s | %s |" % (labels[m], " | ".join(row)))
    if header is None:
        return ""
    name = (lambda k: names[int(k)]) if len(names) == len(header) else (lambda k: "class " + k)
    return ("Samples kept per class (%s), training seed %d; the training split has %s.\n\n"
            % ("/".join(name(k) for k, _ in header) if len(header) <= 5 else "fewest and most over the classes",
               s0, ", ".join("%s of %s" % (n, name(k)) for k, n in header))
            + "| method | " + " | ".join(pct(r) for r in prof["rates"]) + " |\n|---|" + "---:|" * len(prof["rates"])
            + "\n" + "\n".join(out) + "\n")


def class_labels(prof, cells, full):
    """Names for the classes in label order: the profile's class_names, else
    the names the train JSONs carry, else "class K"."""
    some = next((j for v in list(cells.values()) + [full] for j in v), None)
    if some is None:
        return []
    keys = [c["class"] for c in some["test"]["classes"]]
    names = prof.get("class_names") or []
    if len(names) == len(keys):
        return ["%d %s" % (k, n) for k, n in enumerate(names)]
    return ["class " + k if k.isdigit() else "%d %s" % (i, k) for i, k in enumerate(keys)]


def per_class(prof, cells, full, labels):
    """Per rate: test accuracy of each class (its recall), mean over the
    training seeds; the worst-class column of the tables above is the minimum
    of a row.  For at most 10 classes."""
    names = class_labels(prof, cells, full)
    if not names or len(names) > 10:
        return ""
    some = next(j for v in list(cells.values()) + [full] for j in v)
    support = [c["support"] for c in some["test"]["classes"]]
    out = ["Test accuracy of each class (recall, %%), mean over the training seeds; test samples per class: %s."
           % ", ".join("%s %d" % (n, s) for n, s in zip(names, support))]

    def row(js):
        a = np.mean([[c["accuracy"] for c in j["test"]["classes"]] for j in js], axis=0)
        return " | ".join("%.1f" % (100 * x) for x in a)

    for r in prof["rates"]:
        out += ["", "**%s**" % pct(r), "", "| method | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for m in prof["methods"]:
            if cells[m, r]:
                out.append("| %s | %s |" % (labels[m], row(cells[m, r])))
        if full:
            out.append("| *full data* | %s |" % row(full))
    return "\n".join(out) + "\n"


def filter_section(work, prof, chosen):
    """What the reliability filter changes against plain EVA (same windows,
    seed 0): the unreliable samples, and the samples it swapped."""
    if "eva-filter" not in prof["methods"] or "eva" not in prof["methods"]:
        return ""
    try:
        import h5py
    except ImportError:
        h5py = None
    s0 = prof["seeds"][0]
    out = ["| rate | uncertain (late conf < τ) per class | unreliable (also focus < φ) per class | "
           "swapped out of EVA's coreset | swapped out: classes | mean late conf / focus, out → in |",
           "|---|---|---|---:|---|---|"]
    for r in prof["rates"]:
        base = os.path.join(work, "cells", "%s", rate_tag(r), "s%d" % s0)
        t = select_table(base % "eva-filter" + ".select.txt")
        unrel = "/".join(str(v[2]) for k, v in sorted(t.items(), key=lambda kv: kv[0]) if v[2] is not None)
        a, b = base % "eva" + ".idx", base % "eva-filter" + ".idx"
        if not (os.path.exists(a) and os.path.exists(b)):
            out.append("| %s | — | %s | — | — | — |" % (pct(r), unrel or "—"))
            continue
        ia, ib = read_index(a), read_index(b)
        gone, came = np.setdiff1d(ia, ib), np.setdiff1d(ib, ia)
        classes, means, uncertain = "—", "—", "—"
        tag = rate_tag(r)
        # Windows chosen at one rate serve every rate.
        pair = chosen.get(tag) or (next(iter(chosen.values())) if len(chosen) == 1 else None)
        if h5py is not None and pair:
            with h5py.File(os.path.join(work, "windows", "%d-%d" % pair, "scores.h5"), "r") as f:
                y = f["labels"][:]
                conf, focus = f["scores/late_conf"][:], f["scores/focus"][:]
            uncertain = "/".join(str(int(((y == c) & (conf < 0.7)).sum())) for c in range(int(y.max()) + 1))
            if len(gone):
                cls, cnt = np.unique(y[gone], return_counts=True)
                classes = ", ".join("%d × class %d" % (n, c) for c, n in zip(cls, cnt))
                means = "%.3f / %.3f → %.3f / %.3f" % (conf[gone].mean(), focus[gone].mean(), conf[came].mean(),
                                                      focus[came].mean())
        out.append("| %s | %s | %s | %d of %d | %s | %s |" % (pct(r), uncertain, unrel or "—", len(gone), len(ia),
                                                             classes, means))
    # Where the focus lies decides how much φ can remove.
    pair = next(iter(chosen.values()), None)
    if h5py is not None and pair:
        with h5py.File(os.path.join(work, "windows", "%d-%d" % pair, "scores.h5"), "r") as f:
            conf, focus = f["scores/late_conf"][:], f["scores/focus"][:]
        q = np.nanpercentile(focus, [0, 1, 50])
        u = focus[conf < 0.7]
        out.append("\nFocus (mean over the recorded epochs) over the training split: min %.3f, 1st percentile %.3f, "
                   "median %.3f; %d below φ = 0.7%s." % (q[0], q[1], q[2], int((focus < 0.7).sum()),
                                                                 "; of the %d uncertain ones, min %.3f" % (len(u), np.nanmin(u))
                                                                 if len(u) else ""))
    return "\n".join(out) + "\n"


def read_run_yaml(path):
    """The flat key: value pairs of a run.yaml (section.key)."""
    cfg, sec = {}, ""
    if not os.path.exists(path):
        return cfg
    for line in open(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            sec = line.split(":")[0].strip()
            continue
        k, _, v = line.strip().partition(":")
        cfg[sec + "." + k] = v.strip().strip('"')
    return cfg


def commands(work, prof, out_path):
    """Every command of the benchmark, in the order the driver runs them."""
    lines = []

    def add(*paths):
        for p in paths:
            if os.path.exists(p):
                lines.append(open(p).read().strip())

    if os.path.exists(os.path.join(work, "prep.cmd")):
        lines.append("# the val split: export every training sample, then quality_holdout.make_holdout")
        add(*(os.path.join(work, f) for f in ("prep.cmd", "prep-all.idx.cmd", "prep-all.h5.cmd")))
    lines.append("# surrogate")
    add(os.path.join(work, "surrogate.cmd"))
    wdir = os.path.join(work, "windows")
    for pair in sorted(os.listdir(wdir), key=lambda p: [int(x) for x in p.split("-")]) if os.path.isdir(wdir) else []:
        d = os.path.join(wdir, pair)
        lines.append("# EVA windows %s: rescore, then per rate and val seed: select, train on the val split" % pair)
        add(os.path.join(d, "rescore.cmd"))
        for r in prof["rates"]:
            for s in prof["val_seeds"]:
                stem = os.path.join(d, "val", rate_tag(r), "s%d" % s)
                add(stem + ".select.cmd", stem + ".cmd")
    lines.append("# full data")
    add(*(os.path.join(work, "full", "s%d.cmd" % s) for s in prof["seeds"]))
    for m in prof["methods"]:
        lines.append("# " + m)
        for r in prof["rates"]:
            for s in prof["seeds"]:
                stem = os.path.join(work, "cells", m, rate_tag(r), "s%d" % s)
                add(stem + ".select.cmd", stem + ".cmd")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = "\n".join(lines) + "\n"
    text = text.replace(os.path.abspath(work), "$WORK").replace(root + "/", "")
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# the commands of every cell; $WORK = the work folder of bench/quality\n" + text)
    os.replace(tmp, out_path)
    return text


def example(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line) and not line.startswith("#"):
            return line
    return None


def write(work, out, dataset, prof, methods, schedule, epochs):
    os.makedirs(out, exist_ok=True)
    md_path = os.path.join(out, "quality-%s.md" % dataset)
    svg_path = os.path.join(out, "quality-%s.svg" % dataset)
    cmd_path = os.path.join(out, "quality-%s.commands.txt" % dataset)
    meta = load_json(os.path.join(work, "meta.json")) if os.path.exists(os.path.join(work, "meta.json")) else {}
    labels = {m: methods[m][0] for m in prof["methods"]}
    cells, full = gather(work, prof)
    run = read_run_yaml(os.path.join(work, "surrogate", "run.yaml"))
    mach = meta.get("machine", {})
    n_seeds = len(prof["seeds"])
    done = sum(len(v) for v in cells.values())
    total = len(prof["methods"]) * len(prof["rates"]) * n_seeds
    L = ["# Quality benchmark: %s (profile %s)" % (dataset, prof["name"]), ""]
    L.append("Written by `bench/quality_report.py` from the cells of `%s`; every number below is read from the JSON "
             "of a `coreset train` run (%d of %d cells, %d full-data runs)." % (" ".join(meta.get("argv", [])), done,
                                                                                 total, len(full)))
    L.append("")
    L.append("- commit: `%s` (%s); machine: %s, %s cores; load average %s at the start, %s at the end"
             % (", ".join(meta.get("commits", [mach.get("commit", "?")])), mach.get("coreset", "?"),
                mach.get("cpu", "?"), mach.get("cores", "?"), mach.get("load_at_start", "?"),
                meta.get("load_at_end", "?")))
    ph = meta.get("phase_seconds", {})
    L.append("- ran %s to %s; wall time by phase: %s (total %.1f min)"
             % (meta.get("started", "?"), meta.get("finished", "?"),
                ", ".join("%s %.1f min" % (k, ph[k] / 60) for k in PHASES if k in ph), sum(ph.values()) / 60))
    runs = meta.get("invocations", len(meta.get("commits", [])))
    if runs > 1:
        L.append("- the benchmark was interrupted and resumed (%d invocations); a phase's wall time counts only "
                 "the invocation that finished it, so the training time of every cell is summed under *Time* below"
                 % runs)
    L.append("- profile `%s`: %s" % (prof["path"], prof["description"]))
    L += ["", "## Setup", ""]
    L.append("- data: `%s` (sha256 `%s`), training split `%s`; val split for the window choice: `%s`; test split: "
             "%s samples" % (run.get("provenance.dataset", "?"), run.get("provenance.dataset_sha256", "?")[:16] + "…",
                             run.get("dataset.train_split", "?"), prof["val"],
                             full[0]["test"]["n"] if full else "?"))
    ho = meta.get("holdout")
    if ho:
        L.append("- the source has no val split: `coreset export` wrote its training and test splits to HDF5 and "
                 "`bench/quality_holdout.py` moved a stratified %g of the training split to val (seed 0): %s; the "
                 "test split is the source's" % (ho["fraction"], ", ".join("%s %d" % kv for kv in ho["counts"].items())))
    keys = ("model.name", "model.width", "train.epochs", "train.batch_size", "train.optimizer", "train.lr",
            "train.weight_decay", "train.schedule", "train.augment_crop_padding", "train.augment_hflip",
            "train.threads", "score.eva_k")
    L.append("- surrogate (`coreset score`, one run, seed %s): %s" % (run.get("train.seed", "?"),
                                                                   ", ".join("%s=%s" % (k, run.get(k, "?"))
                                                                             for k in keys)))
    L.append("- every coreset and the full data train a fresh model of the same config%s for %d epochs, or more "
             "where that gives fewer than %d SGD steps (min_steps, the same for every method at a rate): epochs per "
             "rate %s; the full data %d epochs" % (" with " + " ".join(prof["train_sets"]) if prof["train_sets"] else "",
                                                   epochs, prof["min_steps"],
                                                   ", ".join("%s: %d" % (pct(float(t[1:])), e)
                                                             for t, e in schedule.items()), epochs))
    L.append("- training seeds %s (`train.seed`); `coreset select --seed` gets the same seed, so Random's and "
             "CCS's coresets are redrawn per seed and their spread includes the coreset's; the top-k methods keep "
             "one coreset" % ", ".join(map(str, prof["seeds"])))
    L.append("- methods (`coreset select RUN --rate R ...`, class quota proportional unless named): " +
             "; ".join("%s: `%s`" % (labels[m], " ".join(methods[m][2])) for m in prof["methods"]))
    L += ["", "## EVA windows, chosen on the validation split", ""]
    wtext, chosen = windows_section(work)
    L.append(wtext)
    L.append("The EVA rows below (and its focus-weighted, filter and quota variants) use the windows chosen for "
             "their rate; no test-split number enters the choice.")
    stats_all = {}
    for key, title in METRICS:
        L += ["", "## %s (%%)" % title, ""]
        table, stats_all[key] = metric_table(prof, cells, full, key, labels)
        L.append(table)
    L += ["", "Mean ± sample standard deviation over the training seeds; **bold**: the best mean of the column "
          "(the full-data row, repeated in every column, does not compete)."]
    L += ["", "![accuracy and worst-class accuracy against the selection rate](quality-%s.svg)" % dataset]
    L += ["", "## Facts for the analysis", "", "### EVA against Random", "", eva_vs_random(prof, cells)]
    comp = composition(work, prof, labels, class_labels(prof, cells, full))
    if comp:
        L += ["### Class composition of the coresets", "", comp]
    pc = per_class(prof, cells, full, labels)
    if pc:
        L += ["### Per-class test accuracy", "", pc]
    filt = filter_section(work, prof, chosen)
    if filt:
        L += ["### What the reliability filter changes (against plain EVA, same windows, seed %d)" % prof["seeds"][0],
              "", "Unreliable: mean confidence over the late window below τ = 0.7 and Grad-CAM focus below "
              "φ = 0.7; such samples are taken only after every reliable sample of their class.", "", filt]
    secs = [j["seconds"] for v in cells.values() for j in v] + [j["seconds"] for j in full]
    L += ["### Time", "", "%d trainings took %.1f min of training time in all (the JSONs' seconds); the phases' "
          "wall time is above." % (len(secs), sum(secs) / 60), ""]
    analysis = os.path.join(out, "quality-%s.analysis.md" % dataset)
    if os.path.exists(analysis):
        L += ["## Analysis", "", "(written by hand after the run, from the tables above: `%s`)" %
              os.path.basename(analysis), "", open(analysis).read().strip(), ""]
    text = commands(work, prof, cmd_path)
    L += ["## Commands", "", "The whole benchmark:", "", "    " + " ".join(meta.get("argv", ["bench/quality"])), "",
          "What it runs, one example of each kind ($WORK: its work folder, `runs/quality/PROFILE/DATASET`); every "
          "command of every cell is in [`%s`](%s):" % (os.path.basename(cmd_path), os.path.basename(cmd_path)), ""]
    for what, pat in (("surrogate pass", r" score .* -o "), ("rescore with a window pair", r"--rescore"),
                      ("select for the window choice", r"select \$WORK/windows/"), ("train, evaluated on val",
                                                                                r"test_split=val"),
                      ("full data", r"/full/s"), ("select a cell", r"cells/.* select|select .*cells/"),
                      ("train a cell", r"train .*--index .*cells/")):
        ex = example(text, pat)
        if ex:
            L += ["- %s:" % what, "", "      " + ex, ""]
    tmp = md_path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(L).rstrip() + "\n")
    os.replace(tmp, md_path)
    plot(svg_path, dataset, prof, cells, full, labels)
    return md_path, svg_path


def plot(path, dataset, prof, cells, full, labels):
    plots = []
    for key, title in (("accuracy", "test accuracy (%)"), ("worst_class_accuracy", "worst-class accuracy (%)")):
        series = [(m, labels[m], [mean_std([j["test"][key] for j in cells[m, r]]) if cells[m, r] else None
                                  for r in prof["rates"]]) for m in prof["methods"]]
        ref = mean_std([j["test"][key] for j in full]) if full else None
        plots.append((title, series, ref))
    legend = [(m, labels[m]) for m in prof["methods"]] + ([("full", "full data (±std band)")] if full else [])
    quality_svg.panels(path, "%s, profile %s: mean ± std over %d training seeds" % (dataset, prof["name"],
                                                                                   len(prof["seeds"])),
                       [pct(r) for r in prof["rates"]], plots, legend)
