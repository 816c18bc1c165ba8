#!/usr/bin/env bash
# t_select_auto.sh - coreset select --by auto on a real BreastMNIST run (its
# official val split, and a copy without one): the candidate table, the
# index header, the JSON beside the index (tests/check_auto.py rebuilds the
# choice, the std and the holdout independently), same seed -> same bytes,
# no holdout sample in the coreset, the default holdout said on stdout, and
# the refusal when a holdout would leave a class empty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/small_run.sh"
have_small_run || { skip auto "no $SRC"; exit 0; }
have_py h5py && have_py numpy || { skip auto "no numpy/h5py for $PY"; exit 0; }
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
header() { sed -n "s/^# $2: //p" "$1"; }

# The default: no option names a rule, so --by auto, on the run's val split.
"$CS" select "$run" --rate 0.1 >"$TMP/table" 2>"$TMP/err"
idx=$run/coreset-auto-0.10.idx
[ -s "$idx" ] && [ -s "$run/coreset-auto-0.10.auto.json" ] && pass default-is-auto ||
    fail default-is-auto "no $idx: $(cat "$TMP/err")"
grep -q "^val: split 'val' of .*breastmnist.npz (78 samples)$" "$TMP/table" && pass val-split-said ||
    fail val-split-said "$(head -2 "$TMP/table")"
[ "$(grep -c '^auto: \[[0-9]/6\] ' "$TMP/err")" = 6 ] && pass progress-lines || fail progress-lines "$(cat "$TMP/err")"
for k in auto-rule auto-objective auto-evaluator auto-val auto-evidence score quota sampling; do
    [ -n "$(header "$idx" $k)" ] || missing="$missing $k"
done
[ -z "$missing" ] && [ "$(header "$idx" auto-objective)" = macro-f1 ] && [ "$(header "$idx" auto-val)" = "split val (78 samples)" ] &&
    pass header-keys || fail header-keys "missing:$missing; $(grep '^# auto' "$idx")"
# The chosen rule's own plain selection is the coreset (no holdout to exclude).
opts=$(header "$idx" auto-rule | sed 's/^[^(]*(\(.*\))$/\1/')
"$CS" -q select "$run" --rate 0.1 $opts -o "$TMP/plain.idx" >/dev/null
if "$PY" tests/check_auto.py "$run" "$idx" "$TMP/table" --same-as "$TMP/plain.idx" >"$TMP/chk" 2>&1; then
    pass json-table-header; else fail json-table-header "$(cat "$TMP/chk")"; fi
# Same seed, same choice, same bytes.
"$CS" -q select "$run" --rate 0.1 -o "$TMP/again.idx" >/dev/null 2>&1
cmp -s "$idx" "$TMP/again.idx" && pass byte-identical || fail byte-identical "$(diff "$idx" "$TMP/again.idx" | head -4)"

# coreset report shows the candidate table of the JSON beside the index.
if "$CS" -q report "$run" --index "$idx" -o "$TMP/r.html" 2>"$TMP/err" && "$PY" - "$TMP/r.html" "${idx%.idx}.auto.json" <<'PY'
import json, re, sys
html, js = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
sec = re.search(r'<section id="auto" data-section="auto" data-chosen="([^"]*)" data-candidates="(\d+)"', html)
assert sec and sec.group(1) == js["chosen"] and int(sec.group(2)) == len(js["candidates"]), sec
rows = re.findall(r'<tr data-candidate="([^"]*)" data-mean="([^"]*)"( data-chosen="1")?>', html)
assert [r[0] for r in rows] == [c["name"] for c in js["candidates"]], rows
for (name, mean, chosen), c in zip(rows, js["candidates"]):
    assert abs(float(mean) - c.get("mean", 0)) < 1e-6 and bool(chosen) == (name == js["chosen"]), (name, mean)
PY
then pass report-table; else fail report-table "$(cat "$TMP/err")"; fi

# --val holdout:F on the same run: the holdout never enters the coreset.
"$CS" select "$run" --rate 0.2 --val holdout:0.15 --seed 3 --candidates random,ccs-aum,eva-band \
    -o "$TMP/h.idx" >"$TMP/htable" 2>"$TMP/err" || fail holdout-run "$(cat "$TMP/err")"
grep -q "^val: --val holdout:0.15: a stratified holdout of 0.15 of the training split, drawn from seed 3" "$TMP/htable" &&
    pass holdout-said || fail holdout-said "$(head -1 "$TMP/htable")"
if "$PY" tests/check_auto.py "$run" "$TMP/h.idx" "$TMP/htable" --holdout 0.15 3 >"$TMP/chk" 2>&1; then
    pass holdout-excluded; else fail holdout-excluded "$(cat "$TMP/chk")"; fi
# Several rates in one call: one index and one JSON each.
"$CS" -q select "$run" --rate 0.05,0.3 --candidates random,eva-easy >/dev/null 2>&1
[ -s "$run/coreset-auto-0.05.idx" ] && [ -s "$run/coreset-auto-0.30.auto.json" ] &&
    [ "$(header "$run/coreset-auto-0.30.idx" m)" = 164 ] && pass several-rates || fail several-rates "$(ls "$run")"

# --budget-seconds: Random is always evaluated, the later candidates are dropped and
# marked so (every entry of the whole portfolio still parses first).
"$CS" select "$run" --rate 0.1 --candidates all --budget-seconds 0.001 --dry-run >"$TMP/btable" 2>"$TMP/err"
# every candidate row but Random's (the portfolio's size: select/auto_portfolio.c)
rows=$(grep -c '^[a-z0-9-]* *--' "$TMP/btable")
[ "$rows" -ge 13 ] && [ "$(grep -c 'dropped (budget)$' "$TMP/btable")" = $((rows - 1)) ] && grep -q '^random .*<- chosen$' "$TMP/btable" &&
    pass budget-drops-last || fail budget-drops-last "$(cat "$TMP/btable" "$TMP/err")"

# A dataset without a val split: the default holdout (10%), said on stdout.
"$PY" -c "
import numpy as np, sys
d = np.load('$SRC'); np.savez(sys.argv[1], **{k: d[k] for k in d.files if not k.startswith('val_')})" "$TMP/noval.npz"
small_config "$TMP/noval.yaml"
sed -i "s|path: .*|path: $TMP/noval.npz|" "$TMP/noval.yaml"
"$CS" -q score -c "$TMP/noval.yaml" -o "$TMP/noval" || fail noval-score "coreset score failed"
"$CS" select "$TMP/noval" --rate 0.1 --candidates random,ccs-eva >"$TMP/ntable" 2>"$TMP/err"
grep -q "^val: no split 'val' in .*noval.npz: a stratified holdout of 0.1 of the training split, drawn from seed 0 (55 of 546 samples), excluded" "$TMP/ntable" &&
    pass default-holdout-said || fail default-holdout-said "$(head -1 "$TMP/ntable") $(cat "$TMP/err")"
if "$PY" tests/check_auto.py "$TMP/noval" "$TMP/noval/coreset-auto-0.10.idx" "$TMP/ntable" --holdout 0.1 0 >"$TMP/chk" 2>&1; then
    pass default-holdout-excluded; else fail default-holdout-excluded "$(cat "$TMP/chk")"; fi

# Refusals: a holdout that leaves a class empty; auto with a rule; auto options without auto.
expect_error holdout-empty-class "noval.npz': a 0.001 holdout of class 0 (147 training samples) leaves no sample of it to validate on" \
    "$CS" select "$TMP/noval" --rate 0.1 --val holdout:0.001
[ ! -e "$TMP/noval/coreset-auto-0.10.idx.tmp" ] && pass refusal-writes-nothing || fail refusal-writes-nothing
expect_error holdout-all "leaves none of it to select" "$CS" select "$TMP/noval" --rate 0.1 --val holdout:0.999
expect_error val-split-missing "has no split 'val'" "$CS" select "$TMP/noval" --rate 0.1 --val split
expect_error auto-with-rule "chooses the rule, score, quota and order itself" "$CS" select "$run" --rate 0.1 --by auto --quota balanced
expect_error auto-option-alone "apply to --by auto only" "$CS" select "$run" --rate 0.1 --by eva --val split
expect_error unknown-candidate "unknown candidate 'nope'" "$CS" select "$run" --rate 0.1 --candidates random,nope
expect_error several-rates-one-file "several rates" "$CS" select "$run" --rate 0.1,0.2 -o "$TMP/x.idx"
