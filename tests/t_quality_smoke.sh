#!/usr/bin/env bash
# t_quality_smoke.sh - bench/quality end to end on its tiny profile
# (BreastMNIST, rates 10% and 30%, random and eva, one seed, cnn-small width 8, 6
# epochs): the report has the tables the profile asks for, every number in them
# is the train JSON's, the EVA windows are the ones the val-split JSONs pick
# and were chosen without the test split, a second run trains nothing, and a
# cell run again gives the same numbers.
. "$(dirname "$0")/lib.sh"
SRC=$DATA/medmnist/breastmnist.npz
if [ ! -r "$SRC" ]; then
    skip quality_smoke "$SRC not found (set CORESET_DATA)"
    exit 0
fi
if ! have_py numpy || ! have_py h5py; then
    skip quality_smoke "$PY lacks numpy or h5py"
    exit 0
fi
W=$TMP/work
O=$TMP/out
run_bench() { "$PY" bench/quality -q --profile tiny --set dataset.path="$SRC" --work "$W" --out "$O" breastmnist; }

if run_bench >"$TMP/bench.out" 2>"$TMP/bench.err"; then pass runs; else
    fail runs "bench/quality failed: $(tail -5 "$TMP/bench.err")"
    exit 0
fi
MD=$O/quality-breastmnist.md

# The tables against the JSONs, the windows against the val JSONs.
"$PY" - "$MD" "$W" >"$TMP/check" 2>&1 <<'PY'
import json, os, re, sys
md, work = open(sys.argv[1]).read(), sys.argv[2]
bad = []
def table(title):
    m = re.search(r"^## %s \(%%\)\n\n((?:\|.*\n)+)" % re.escape(title), md, re.M)
    if not m:
        bad.append("no table '%s'" % title)
        return None
    return [[c.strip() for c in row.strip().strip("|").split("|")] for row in m.group(1).splitlines()]
def num(cell):
    return float(cell.strip("*").split("±")[0])
for title, key in (("Test accuracy", "accuracy"), ("Test macro-F1", "macro_f1"),
                   ("Test worst-class accuracy", "worst_class_accuracy")):
    rows = table(title)
    if rows is None:
        continue
    if rows[0] != ["method", "10%", "30%"]:
        bad.append("%s: header %s" % (title, rows[0]))
    names = [r[0] for r in rows[2:]]
    if names != ["random", "eva", "*full data (100%)*"]:
        bad.append("%s: rows %s" % (title, names))
    for r in rows[2:4]:
        meth = r[0]
        for col, tag in ((1, "r0.10"), (2, "r0.30")):
            j = json.load(open(os.path.join(work, "cells", meth, tag, "s0.json")))
            if abs(num(r[col]) - round(100 * j["test"][key], 2)) > 0.0051:
                bad.append("%s %s %s: table %s, json %.6f" % (title, meth, tag, r[col], j["test"][key]))
        # best per column in bold, and only the best
    for col in (1, 2):
        vals = [num(r[col]) for r in rows[2:4]]
        for r, v in zip(rows[2:4], vals):
            if (v == max(vals)) != r[col].startswith("**"):
                bad.append("%s: bold wrong in column %d: %s" % (title, col, [x[col] for x in rows[2:4]]))
    j = json.load(open(os.path.join(work, "full", "s0.json")))
    if abs(num(rows[4][1]) - round(100 * j["test"][key], 2)) > 0.0051:
        bad.append("%s full: %s vs %.6f" % (title, rows[4][1], j["test"][key]))
w = json.load(open(os.path.join(work, "windows.json")))
for tag in ("r0.10", "r0.30"):
    accs = {}
    for pair in ("1-3", "1-5"):
        stem = os.path.join(work, "windows", pair, "val", tag, "s0")
        cmd = open(stem + ".cmd").read()
        if "dataset.test_split=val" not in cmd:
            bad.append("window choice trained without the val split: " + cmd)
        j = json.load(open(stem + ".json"))
        if j["test"]["n"] != 78:
            bad.append("window choice evaluated on %d samples, BreastMNIST's val split has 78" % j["test"]["n"])
        accs[pair] = (j["test"]["accuracy"], j["test"]["macro_f1"], -["1-3", "1-5"].index(pair))
    want = max(accs, key=accs.get)
    if w["by_rate"][tag]["chosen"] != want:
        bad.append("%s: chose %s, the val JSONs say %s" % (tag, w["by_rate"][tag]["chosen"], want))
    e, l = (int(x) for x in want.split("-"))
    if not re.search(r"^\| %s%% \|.*\| epochs %d-%d and %d-%d \|$" % ("10" if tag == "r0.10" else "30", e, e + 1, l, l + 1),
                     md, re.M):
        bad.append("%s: chosen windows %s not printed" % (tag, want))
    idx = open(os.path.join(work, "cells", "eva", tag, "s0.idx")).read()
    if "# score-params: K=2 early=%d..%d late=%d..%d" % (e, e + 1, l, l + 1) not in idx:
        bad.append("%s: the eva cell was not selected with the chosen windows" % tag)
print("\n".join(bad) if bad else "ok")
PY
if [ "$(cat "$TMP/check")" = ok ]; then pass tables_match_json; else fail tables_match_json "$(head -8 "$TMP/check")"; fi

# The plot: well-formed SVG, one line per method in each of its two panels.
if "$PY" -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
lines = [e for e in r.iter() if e.tag.endswith('polyline')]
sys.exit(0 if len(lines) == 4 else 1)" "$O/quality-breastmnist.svg" 2>"$TMP/svg.err"; then pass svg_plot; else
    fail svg_plot "$(head -3 "$TMP/svg.err")"; fi

# Resumable: a second run trains nothing and writes the same tables.
trains_before=$(grep -c ' train ' "$W/commands.log")
sed -n '/^## Test accuracy/,/^## Facts/p' "$MD" >"$TMP/tables1"
run_bench >/dev/null 2>"$TMP/bench.err"
trains_after=$(grep -c ' train ' "$W/commands.log")
sed -n '/^## Test accuracy/,/^## Facts/p' "$MD" >"$TMP/tables2"
if [ "$trains_before" -gt 0 ] && [ "$trains_before" = "$trains_after" ] && cmp -s "$TMP/tables1" "$TMP/tables2"; then
    pass resumes; else fail resumes "trainings $trains_before then $trains_after, or the tables changed"; fi

# Reproducible: a cell removed and run again gives the same numbers.
cell=$W/cells/eva/r0.30/s0
cp "$cell.json" "$TMP/before.json"
rm "$cell.json" "$cell.idx"
run_bench >/dev/null 2>"$TMP/bench.err"
if [ -f "$cell.json" ] && "$PY" -c "
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop('seconds'); b.pop('seconds')
sys.exit(0 if a == b else 1)" "$TMP/before.json" "$cell.json"; then pass same_seed_same_numbers; else
    fail same_seed_same_numbers "$(diff "$TMP/before.json" "$cell.json" | head -4)"; fi

# A dataset the profile does not have is refused by name.
if "$PY" bench/quality --profile tiny --work "$TMP/w2" nosuch >/dev/null 2>"$TMP/err"; then
    fail unknown_dataset "exit 0"
elif grep -q "no dataset 'nosuch'" "$TMP/err"; then pass unknown_dataset; else
    fail unknown_dataset "$(head -2 "$TMP/err")"; fi

# select's per-class table as the report reads it: numbered rows, rows with a
# class name (one token), with and without the filter's unreliable column.
"$PY" - "$TMP" <<'PY' && pass select_table_parse || fail select_table_parse
import os, sys
sys.path.insert(0, "bench")
import quality_report as q
p = os.path.join(sys.argv[1], "t.txt")
open(p, "w").write("class     N_c  n_c kept% mean_kept mean_dropped\n0  100 10 10.00 0.5 0.4\n"
                   "1  20 2 10.00 0.5 0.4\ntotal 120 12 10.00\n")
assert q.select_table(p) == {"0": (100, 10, None), "1": (20, 2, None)}, q.select_table(p)
open(p, "w").write("class            N_c  n_c kept% mean_kept mean_dropped unreliable\n"
                   "0 N              64863 1297 2.00 0.5 0.4 3\n1 T-shirt/top    2003 40 2.00 1e-05 0.1 0\n"
                   "2 7              5 1 20.00 nan nan 0\ntotal 66871 1338 2.00 3\n")
assert q.select_table(p) == {"0": (64863, 1297, 3), "1": (2003, 40, 0), "2": (5, 1, 0)}, q.select_table(p)
PY
