#!/usr/bin/env bash
# t_report.sh - coreset report on real runs (BreastMNIST images; one MIT-BIH
# record as 1-D beats): every section and figure present, its numbers held
# against scores.h5, the index file and the trajectory by
# tests/check_report.py; --png writes one PNG per figure; the same inputs give
# the same bytes; bad input (no run, an index of another dataset or size, a
# bad --png, an unknown score) fails with a clear message, exit 1 and nothing
# written.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py h5py; then skip all "$PY lacks h5py"; exit 0; fi
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
"$CS" -q select "$run" --rate 0.2 --by eva -o "$TMP/sel.idx" >/dev/null || { fail select "coreset select failed"; exit 0; }
"$CS" -q dump "$run" --h5 -o "$TMP/traj.h5" || { fail dump "coreset dump failed"; exit 0; }

expect_status report 0 "$CS" report "$run" --index "$TMP/sel.idx" -o "$TMP/r.html" --png "$TMP/png"
if "$PY" tests/check_report.py "$TMP/r.html" "$run/scores.h5" "$TMP/sel.idx" "$TMP/traj.h5" >"$TMP/check" 2>&1; then
    pass page-matches-run
else
    fail page-matches-run "$(head -5 "$TMP/check")"
fi

# One PNG per figure, each a PNG of the figure's size times two.
"$PY" - "$TMP/png" "$TMP/r.html" <<'PY' && pass png || fail png
import re, struct, sys
page = open(sys.argv[2]).read()
for fig in ("epochs", "classes", "scores", "plane", "traces", "samples"):
    w, h = map(int, re.search(r'<svg[^>]* id="svg-%s" width="(\d+)" height="(\d+)"' % fig, page).groups())
    b = open(f"{sys.argv[1]}/{fig}.png", "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n", fig
    assert struct.unpack(">II", b[16:24]) == (2 * w, 2 * h), (fig, struct.unpack(">II", b[16:24]), w, h)
PY

# Deterministic: the same run and index give the same bytes (no clock time).
"$CS" -q report "$run" --index "$TMP/sel.idx" -o "$TMP/r2.html"
cmp -s "$TMP/r.html" "$TMP/r2.html" && pass same-bytes || fail same-bytes

# Without an index: the default path RUN/report.html, nothing marked kept.
expect_status no-index 0 "$CS" report "$run"
[ -s "$run/report.html" ] && grep -q '<section id="classes"' "$run/report.html" &&
    ! grep -q '<section id="classes"[^>]*data-kept' "$run/report.html" && ! grep -q '<tr data-class="0" data-n="[0-9]*" data-kept' "$run/report.html" &&
    grep -q 'no index file given' "$run/report.html" && pass no-index-page || fail no-index-page

# Another score on the histograms: AUM's important end is the low one.
expect_status score-aum 0 "$CS" report "$run" --score aum -o "$TMP/aum.html"
grep -q 'data-score="aum" data-direction="low"' "$TMP/aum.html" && pass score-aum-page || fail score-aum-page

# Bad input: a clear message, exit 1, no page and no temporary left behind.
nothing_written() { [ ! -e "$TMP/bad.html" ] && [ -z "$(ls "$TMP" | grep '\.tmp\.')" ]; }
expect_error missing-run "cannot open run '$TMP/nope'" "$CS" report "$TMP/nope" -o "$TMP/bad.html"
nothing_written && pass missing-run-nothing-written || fail missing-run-nothing-written
mkdir "$TMP/empty"
expect_error not-a-run "not a run directory" "$CS" report "$TMP/empty" -o "$TMP/bad.html"
sed 's/^# source-sha256: .*/# source-sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/' \
    "$TMP/sel.idx" >"$TMP/other.idx"
expect_error other-dataset "selected from another dataset" "$CS" report "$run" --index "$TMP/other.idx" -o "$TMP/bad.html"
nothing_written && pass other-dataset-nothing-written || fail other-dataset-nothing-written
printf '# coreset-index 1\n# n: 10\n# m: 2\n# source-sha256: %s\n1\n5\n' "$(sed -n 's/^# source-sha256: //p' "$TMP/sel.idx")" \
    >"$TMP/small.idx"
expect_error other-size "indexes 10 samples" "$CS" report "$run" --index "$TMP/small.idx" -o "$TMP/bad.html"
expect_error bad-index "coreset-index" "$CS" report "$run" --index "$run/scores.h5" -o "$TMP/bad.html"
touch "$TMP/afile"
expect_error png-not-folder "is not a folder" "$CS" report "$run" --png "$TMP/afile" -o "$TMP/bad.html"
nothing_written && pass png-nothing-written || fail png-nothing-written
expect_error unknown-score "has no score 'nope'" "$CS" report "$run" --score nope -o "$TMP/bad.html"
expect_status no-run 2 "$CS" report
expect_status two-runs 2 "$CS" report "$run" "$run"

# ECG: a 1-D run on one MIT-BIH record (a few seconds), the focus filter on;
# the signals are drawn with their recomputed Grad-CAM maps.
MITDB=$DATA/mitdb
if [ ! -r "$MITDB/208.hea" ]; then skip ecg "'$MITDB' not found"; exit 0; fi
ecg=$TMP/ecg
"$CS" -q score -c configs/mitbih.yaml --set "dataset.path=$MITDB" --set ecg.records=208 --set model.width=8 \
    --set model.blocks=1,1 --set train.epochs=4 --set score.eva_k=2 --set score.el2n_to=2 --set score.du_window=2 \
    --set train.threads=2 -o "$ecg" 2>/dev/null || { fail ecg-run "coreset score failed"; exit 0; }
"$CS" -q select "$ecg" --rate 0.3 --focus-filter --tau 0.8 --phi 0.6 -o "$TMP/ecg.idx" >/dev/null
"$CS" -q dump "$ecg" --h5 -o "$TMP/ecg.h5"
expect_status ecg-report 0 "$CS" report "$ecg" --index "$TMP/ecg.idx" -o "$TMP/ecg.html"
if "$PY" tests/check_report.py "$TMP/ecg.html" "$ecg/scores.h5" "$TMP/ecg.idx" "$TMP/ecg.h5" >"$TMP/check" 2>&1; then
    pass ecg-page-matches-run
else
    fail ecg-page-matches-run "$(head -5 "$TMP/check")"
fi
grep -q '<section id="samples" data-section="samples" data-maps="[1-9][0-9]*" data-kind="signal"' "$TMP/ecg.html" &&
    grep -q 'data-tau="0.8" data-phi="0.6" data-filter="on"' "$TMP/ecg.html" &&
    pass ecg-signal-and-filter || fail ecg-signal-and-filter "$(grep -o '<section id="\(samples\|plane\)"[^>]*>' "$TMP/ecg.html")"
# MIT-BIH beats have names (AAMI N, S, V, F, Q): score records them in
# run.yaml (N quoted: YAML 1.1 reads a plain N as false), and the report,
# select's table and inspect name the classes.
grep -qx '  class_names: \["N", S, V, F, Q\]' "$ecg/run.yaml" &&
    grep -q '<td>2 V</td>' "$TMP/ecg.html" && grep -q 'class 2 (V): ' "$TMP/ecg.html" &&
    "$CS" select "$ecg" --rate 0.3 --by eva --dry-run 2>/dev/null | grep -q '^2 V  *[0-9]' &&
    "$CS" inspect "$ecg" 2>/dev/null | grep -q '(labels 0 N: [0-9]*, 1 S: ' &&
    "$CS" inspect --json "$ecg" 2>/dev/null | "$PY" -c 'import json,sys; assert json.load(sys.stdin)["provenance"]["class_names"] == list("NSVFQ")' &&
    pass ecg-class-names || fail ecg-class-names "$(grep class_names "$ecg/run.yaml"; "$CS" select "$ecg" --rate 0.3 --by eva --dry-run 2>&1 | head -4)"
