#!/usr/bin/env bash
# t_record_modes.sh - the surrogate pass's recording options on real data
# (BreastMNIST, a narrow cnn-small, 4 epochs):
#   record.eval_pass: the last epoch's records are the eval-mode model's, so
#     their accuracy (overall and per class) equals `coreset train`'s evaluation
#     of the same training on the training split; training itself is unchanged.
#   record.focus_for candidates: focus exactly for the ERTS filter's candidates
#     (conf < tau in the training pass), NaN elsewhere and in the revision epoch;
#     the same values and the same training as computing it for everyone.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/small_run.sh

if ! have_small_run; then skip all "$SRC not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy; then skip all "python3 numpy missing"; exit 0; fi

small_config "$TMP/c.yaml" 4
ERTS=(--set dropout.method=dbpd --set dropout.erts=true --set dropout.tau=0.9)
"$CS" -q score -c "$TMP/c.yaml" -o "$TMP/plain" 2>"$TMP/err" &&
    "$CS" -q score -c "$TMP/c.yaml" --set record.eval_pass=true -o "$TMP/eval" 2>>"$TMP/err" &&
    "$CS" -q score -c "$TMP/c.yaml" "${ERTS[@]}" -o "$TMP/erts" 2>>"$TMP/err" &&
    "$CS" -q score -c "$TMP/c.yaml" "${ERTS[@]}" --set record.focus_for=candidates -o "$TMP/cand" 2>>"$TMP/err" &&
    "$CS" -q train -c "$TMP/c.yaml" --set dataset.test_split=train -o "$TMP/train.json" >/dev/null 2>>"$TMP/err"
if [ $? != 0 ]; then fail runs "$(cat "$TMP/err")"; exit 0; fi
for r in plain eval erts cand; do "$CS" dump "$TMP/$r" --csv >"$TMP/$r.csv" || fail "dump_$r"; done

check() { # NAME PYTHON-BODY: run with csv() and the folder in scope
    if "$PY" - "$TMP" >"$TMP/py.out" 2>&1 <<PY
import csv, json, sys, numpy as np
D = sys.argv[1]
def csvcols(name):
    rows = list(csv.DictReader(open(f"{D}/{name}.csv")))
    f = lambda v: float(v) if v not in ("", "nan") else np.nan
    return {k: np.array([f(r[k]) for r in rows]) for k in rows[0]}
$2
PY
    then pass "$1"; else fail "$1" "$(tail -3 "$TMP/py.out")"; fi
}

check eval_pass_is_eval_mode '
p, e, j = csvcols("plain"), csvcols("eval"), json.load(open(f"{D}/train.json"))
last = e["epoch"] == 4
assert abs(e["correct"][last].mean() - j["test"]["accuracy"]) < 1e-6, (e["correct"][last].mean(), j["test"]["accuracy"])
for c in j["test"]["classes"]:
    m = last & (e["label"] == int(c["class"]))
    assert m.sum() == c["support"] and abs(e["correct"][m].mean() - c["accuracy"]) < 1e-6, c
# the training pass s records differ (train-mode BN), the training does not
assert not np.array_equal(p["conf"], e["conf"])
assert np.array_equal(p["used"], e["used"])
assert np.allclose(e["conf"], np.where(e["label"] == 0, e["prob_0"], e["prob_1"]), atol=1e-6)'

check focus_for_candidates '
a, c = csvcols("erts"), csvcols("cand")
cand = (c["conf"] < 0.9) & (c["epoch"] < 4)       # DBPD candidates; epoch 4 is the revision epoch
assert cand.sum() > 100 and (~cand).sum() > 100, cand.sum()
assert np.all(np.isnan(c["focus"]) == ~cand)
assert np.array_equal(c["focus"][cand], a["focus"][cand])
assert not np.isnan(a["focus"]).any()
for k in c:
    if k != "focus":
        assert np.array_equal(c[k], a[k]), k'

expect_error candidates_need_erts "record.focus_for: candidates needs training-time dropout with the ERTS filter" \
    "$CS" score -c "$TMP/c.yaml" --set record.focus_for=candidates -o "$TMP/bad"
if [ ! -e "$TMP/bad" ]; then pass candidates_need_erts_nothing_written; else fail candidates_need_erts_nothing_written; fi
exit 0
