#!/usr/bin/env bash
# t_folds.sh - out-of-fold scores (score.folds = K) on a real small run
# (BreastMNIST, 546 samples, K = 3, 6 epochs, a few seconds a run):
#  - an independent Python reading of `coreset dump --csv` (tests/oof_check.py):
#    stratified folds, every sample recorded only by the passes that held it
#    out (values there, used = 0; no values where the pass trained on it);
#  - every score in scores.h5 recomputed in NumPy (tests/ref_scores.py via
#    tests/ref_scores_dump.py) from the dump's held-out rows alone;
#  - --rescore and kill -9 + --resume give bit-identical files;
#  - K = 1 is the plain run: the same bytes as with no score.folds, no fold
#    metadata, no fold column; bad K refused.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy || ! have_py h5py; then skip all "numpy or h5py not importable by $PY"; exit 0; fi
small_config "$TMP/c.yaml"
K=3
score_k() { "$CS" -q score -c "$TMP/c.yaml" --set score.folds=$K "$@"; }

expect_status score_k3 0 score_k -o "$TMP/a"
expect_status dump_csv 0 "$CS" dump --csv -o "$TMP/a.csv" "$TMP/a"
"$PY" tests/oof_check.py "$TMP/a.csv" $K 1 6 "$TMP/merged.h5" "$T" 2>&1
"$PY" tests/ref_scores_dump.py "$TMP/merged.h5" "$TMP/a/scores.h5" k3 "$T" 2>&1 | tee "$TMP/ref.log" | grep -E '^(PASS|FAIL)'
grep -Eq "k3: ([0-9]+) of \1 scores checked" "$TMP/ref.log" && pass every_score_out_of_fold ||
    fail every_score_out_of_fold "$(grep 'scores checked' "$TMP/ref.log")"

# Negative control: one value where the pass trained on the sample must be caught.
awk -F, -v OFS=, 'NR > 1 && !done && $5 != $2 % 3 { $6 = "0.5"; done = 1 } { print }' "$TMP/a.csv" >"$TMP/leak.csv"
if "$PY" tests/oof_check.py "$TMP/leak.csv" $K 1 6 "$TMP/leak.h5" "$T" 2>&1 | grep -q "FAIL: $T:oof_values_only_held_out"; then
    pass control_leak_caught
else
    fail control_leak_caught "a training row with a value passed the check"
fi

# inspect shows the folds; the trajectory's metadata names every sample's fold.
"$CS" inspect "$TMP/a" >"$TMP/insp" 2>&1
grep -q "^passes: 3 of 3 planned (1 runs x 3 folds)" "$TMP/insp" &&
    grep -q "^folds: 3 (out-of-fold: .*samples per fold: 182 182 182)" "$TMP/insp" && pass inspect_folds ||
    fail inspect_folds "$(grep -E '^(passes|folds|runs)' "$TMP/insp")"
# Its per-epoch table: held-out loss and accuracy, mean over the passes, from the dump.
"$PY" - "$TMP/insp" "$TMP/a.csv" <<'PYEOF' && pass inspect_held_out_means || fail inspect_held_out_means "see above"
import sys, re, numpy as np, csv
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["loss"] != ""]
txt = open(sys.argv[1]).read()
ok = "per epoch (held-out pass, mean over passes)" in txt
for e in range(1, 7):
    m = re.search(rf"^\s+{e}\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", txt, re.M)
    per = [[(float(r["loss"]), int(r["correct"])) for r in rows if int(r["epoch"]) == e and int(r["run"]) == p] for p in range(3)]
    loss = np.mean([np.mean([l for l, _ in q]) for q in per])
    acc = np.mean([np.mean([c for _, c in q]) for q in per])
    good = m is not None and abs(float(m.group(1)) - loss) < 6e-5 and abs(float(m.group(2)) - acc) < 6e-5 and m.group(3) == "0.667"
    if not good:
        print(f"epoch {e}: inspect {m and m.groups()}, dump loss {loss:.4f} acc {acc:.4f}", file=sys.stderr)
    ok &= good
sys.exit(0 if ok else 1)
PYEOF
"$CS" inspect --json "$TMP/a" >"$TMP/insp.json" 2>/dev/null
"$PY" - "$TMP/insp.json" "$TMP/a.csv" <<'PYEOF' && pass metadata_folds || fail metadata_folds "see above"
import json, sys, csv
j = json.load(open(sys.argv[1]))
def find(o):
    if isinstance(o, dict):
        if "fold_of" in o:
            return o
        for v in o.values():
            r = find(v)
            if r: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
m = find(j)
rows = {}
for r in csv.DictReader(open(sys.argv[2])):
    rows[int(r["index"])] = r["fold"]
ok = m is not None and m["folds"] == "3" and m["fold_of"] == "".join(rows[i] for i in range(len(rows)))
if not ok:
    print(f"metadata {None if m is None else {k: m[k][:20] for k in m if 'fold' in k}}", file=sys.stderr)
sys.exit(0 if ok else 1)
PYEOF

# dump --h5: /fold holds the same folds as the CSV; runs are the 3 passes.
expect_status dump_h5 0 "$CS" dump --h5 -o "$TMP/a.h5" "$TMP/a"
"$PY" - "$TMP/a.h5" "$TMP/a.csv" <<'PYEOF' && pass dump_h5_fold || fail dump_h5_fold "see above"
import sys, csv, h5py, numpy as np
h = h5py.File(sys.argv[1], "r")
f = {}
for r in csv.DictReader(open(sys.argv[2])):
    f[int(r["index"])] = int(r["fold"])
ok = np.array_equal(h["fold"][...], [f[i] for i in range(len(f))]) and h["err"].shape[0] == 3 and \
    "fold_of" not in h["provenance"].attrs and h["provenance"].attrs["folds"] in (b"3", "3")
sys.exit(0 if ok else 1)
PYEOF

# --rescore reads the passes back into the same scores.h5.
cp "$TMP/a/scores.h5" "$TMP/a.scores.h5"
expect_status rescore 0 "$CS" -q score --rescore "$TMP/a"
cmp -s "$TMP/a/scores.h5" "$TMP/a.scores.h5" && pass rescore_same_bytes || fail rescore_same_bytes "scores.h5 differs"

# kill -9 inside fold 1, 2 and 3's passes (once the trajectory holds about 4,
# 8 and 14 of its 18 frames: a frame is ~8 kB here), resume, compare.
resumed=0
for k in 1 2 3; do
    d=$TMP/k$k
    want=$((3000 + (k == 3 ? 14 : 4 * k) * 8000))
    "$CS" -q score -c "$TMP/c.yaml" --set score.folds=$K -o "$d" & pid=$!
    for _ in $(seq 600); do
        [ "$(stat -c %s "$d/trajectory.cst" 2>/dev/null || echo 0)" -ge "$want" ] && break
        sleep 0.02
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ ! -e "$d/run.yaml" ]; then
        rm -rf "$d"; score_k -o "$d"
    elif [ ! -e "$d/scores.h5" ]; then
        "$CS" score --resume "$d" >"$TMP/resume.log" 2>&1 || fail "resume-$k" "resume failed: $(tail -1 "$TMP/resume.log")"
        grep '^resuming' "$TMP/resume.log" >&2
        resumed=$((resumed + 1))
    fi
    if cmp -s "$TMP/a/trajectory.cst" "$d/trajectory.cst" && cmp -s "$TMP/a.scores.h5" "$d/scores.h5"; then
        pass "kill-resume-$k"
    else
        fail "kill-resume-$k" "resumed run differs from the uninterrupted one"
    fi
done
[ "$resumed" -ge 2 ] && pass resumed_mid_run || fail resumed_mid_run "only $resumed of 3 kills left a run to resume"

# K = 1: the plain run, byte for byte; no fold anywhere.
expect_status score_plain 0 "$CS" -q score -c "$TMP/c.yaml" -o "$TMP/p"
expect_status score_k1 0 "$CS" -q score -c "$TMP/c.yaml" --set score.folds=1 -o "$TMP/p1"
cmp -s "$TMP/p/trajectory.cst" "$TMP/p1/trajectory.cst" && cmp -s "$TMP/p/scores.h5" "$TMP/p1/scores.h5" &&
    pass k1_is_plain || fail k1_is_plain "score.folds=1 changed the run's files"
"$CS" dump --csv -o "$TMP/p.csv" "$TMP/p" 2>/dev/null
head -1 "$TMP/p.csv" | grep -q '^epoch,run,index,label,err,' && ! grep -qa 'fold' "$TMP/p/trajectory.cst" &&
    pass k1_no_fold || fail k1_no_fold "$(head -1 "$TMP/p.csv")"
cmp -s "$TMP/p/scores.h5" "$TMP/a.scores.h5" && fail oof_differs_from_plain || pass oof_differs_from_plain

expect_error folds_too_many "score.folds" "$CS" -q score -c "$TMP/c.yaml" --set score.folds=11 -o "$TMP/bad"
expect_error folds_zero "score.folds" "$CS" -q score -c "$TMP/c.yaml" --set score.folds=0 -o "$TMP/bad"
[ ! -e "$TMP/bad" ] && pass bad_k_nothing_written || fail bad_k_nothing_written "$(ls "$TMP/bad")"
