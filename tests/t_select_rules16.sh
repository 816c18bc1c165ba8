#!/usr/bin/env bash
# t_select_rules16.sh - the issue-16 selection rules on a real run (BreastMNIST,
# coreset score): CCS per class with --min-per-class under every quota mode,
# DUAL's Beta sampling (--dual), each against tests/ref_select_rules.py (the
# same indices from the same seed-derived keys), with --count, --seed and the
# reliability filter; exact headers; byte-identical reruns; a reference that
# fails when the header lies; bad input (one error line, nothing written).
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
header() { sed -n "s/^# $2: //p" "$1"; }
indices() { grep -v '^#' "$1"; }

if have_py numpy && have_py h5py; then
    i=0
    while read -r args; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        "$CS" -q select "$run" $args -o "$TMP/r$i.idx" >/dev/null 2>"$TMP/err"
        if [ -s "$TMP/r$i.idx" ] && "$PY" tests/ref_select_rules.py --check "$run" "$TMP/r$i.idx" >"$TMP/refout" 2>&1; then
            pass "reference-$i"
        else
            fail "reference-$i" "select $args: $(cat "$TMP/err" "$TMP/refout" 2>/dev/null)"
        fi
    done <<'ARGS'
--rate 0.2 --ccs --min-per-class 40
--rate 0.1 --ccs --min-per-class 25 --quota balanced --by eva
--rate 0.1 --ccs --min-per-class 25 --quota sqrt --seed 5
--rate 0.15 --ccs --min-per-class 35 --quota rcap --focus-filter
--count 60 --ccs --min-per-class 25 --by forgetting --hard-cutoff 0.2
--count 50 --min-per-class 20 --by el2n
--rate 0.1 --dual --seed 3
--rate 0.05 --dual --quota none --seed 9
--rate 0.3 --dual --dual-c 2 --focus-filter --by tdds
--count 40 --dual --quota balanced --seed 11
--rate 0.1 --dual --min-per-class 20 --seed 2
--rate 0.5 --dual --by el2n --seed 1
ARGS
    # The reference re-runs from the header: a header that lies fails it.
    sed 's/^# sampling: dual c=4 anchor=10$/# sampling: dual c=0.5 anchor=10/' "$TMP/r7.idx" >"$TMP/lie.idx"
    sed 's/^# quota: proportional min=40$/# quota: proportional min=1/' "$TMP/r1.idx" >"$TMP/lie2.idx"
    if ! "$PY" tests/ref_select_rules.py --check "$run" "$TMP/lie.idx" >/dev/null 2>&1 &&
        ! "$PY" tests/ref_select_rules.py --check "$run" "$TMP/lie2.idx" >/dev/null 2>&1; then
        pass reference-can-fail
    else
        fail reference-can-fail "the reference accepted a header with another c or K"
    fi
else
    skip reference "numpy or h5py missing for $PY"
fi

# Headers: the rule and every parameter; the floor shows in quota only when set.
[ "$(header "$TMP/r1.idx" quota)" = "proportional min=40" ] && [ "$(header "$TMP/r1.idx" sampling)" = "ccs drop=0.1 strata=50" ] &&
    [ "$(header "$TMP/r1.idx" score)" = aum ] && [ "$(header "$TMP/r7.idx" sampling)" = "dual c=4 anchor=10" ] &&
    [ "$(header "$TMP/r7.idx" score)" = dual ] && [ "$(header "$TMP/r7.idx" quota)" = proportional ] &&
    [ "$(header "$TMP/r9.idx" sampling)" = "dual c=2 anchor=10" ] && [ "$(header "$TMP/r10.idx" count)" = 40 ] &&
    pass headers || fail headers "$(grep -h '^# \(quota\|sampling\|score\):' "$TMP/r1.idx" "$TMP/r7.idx" "$TMP/r9.idx" | tr '\n' ' ')"

# The floor holds: every class keeps at least min(K, N_c), and a floor that
# binds changes the split (sqrt alone gives class 0, 147 of 546 samples, 21 of 55;
# the floor 25 + 2 of the 5 left).
"$PY" - "$run/scores.h5" "$TMP/r3.idx" <<'PY' && pass floor-holds || fail floor-holds
import sys, h5py, numpy as np
y = h5py.File(sys.argv[1])["labels"][:]
idx = np.loadtxt(sys.argv[2], dtype=np.int64, comments="#")
kept = np.bincount(y[idx], minlength=2)
assert (kept >= np.minimum(25, np.bincount(y))).all(), kept
PY
"$CS" -q select "$run" --rate 0.1 --ccs --quota sqrt --seed 5 -o "$TMP/nofloor.idx" >/dev/null
cmp -s <(indices "$TMP/nofloor.idx") <(indices "$TMP/r3.idx") && fail floor-changes "same indices with and without the floor" ||
    pass floor-changes

# Same seed, same bytes; another seed, another draw.
"$CS" -q select "$run" --rate 0.1 --dual --seed 3 -o "$TMP/again.idx" >/dev/null
cmp -s "$TMP/r7.idx" "$TMP/again.idx" && pass dual-same-seed || fail dual-same-seed
"$CS" -q select "$run" --rate 0.1 --dual --seed 4 -o "$TMP/other.idx" >/dev/null
cmp -s <(indices "$TMP/r7.idx") <(indices "$TMP/other.idx") && fail dual-other-seed "seeds 3 and 4 gave the same draw" ||
    pass dual-other-seed
"$CS" -q select "$run" --rate 0.2 --ccs --min-per-class 40 -o "$TMP/again1.idx" >/dev/null
cmp -s "$TMP/r1.idx" "$TMP/again1.idx" && pass ccs-floor-same-seed || fail ccs-floor-same-seed

# Bad input: one error line, non-zero exit, nothing written.
: >"$TMP/out"
: >"$TMP/err"
bad() {
    local name=$1 pat=$2; shift 2
    local before after
    before=$(ls "$run" "$TMP")
    expect_error "$name" "$pat" "$@"
    [ "$(grep -c '^coreset: error:' "$TMP/err")" = 1 ] && pass "$name-one-line" || fail "$name-one-line" "$(cat "$TMP/err")"
    after=$(ls "$run" "$TMP")
    [ "$before" = "$after" ] && pass "$name-nothing-written" || fail "$name-nothing-written" "$(diff <(echo "$before") <(echo "$after"))"
}
bad floor-over-budget "min per class 300: the 2 classes need 447 samples, more than the budget M = 55" \
    "$CS" select "$run" --rate 0.1 --ccs --min-per-class 300
bad floor-quota-none "needs per-class quotas" "$CS" select "$run" --rate 0.1 --min-per-class 5 --quota none
bad floor-zero "must be a positive integer" "$CS" select "$run" --rate 0.1 --min-per-class 0
bad dual-c-alone "applies to --dual only" "$CS" select "$run" --rate 0.1 --dual-c 2
bad dual-c-zero "must be a positive number" "$CS" select "$run" --rate 0.1 --dual --dual-c 0
bad dual-low-score "not a low-end score" "$CS" select "$run" --rate 0.1 --dual --by aum
bad dual-two-rules "exclude each other" "$CS" select "$run" --rate 0.1 --dual --ccs
# A run scored before the dual_conf helper: refused, naming it and the rescore that adds it.
cp -r "$run" "$TMP/old"
"$PY" -c "import h5py; f = h5py.File('$TMP/old/scores.h5', 'a'); del f['scores']['dual_conf']; f.close()"
run=$TMP/old
bad dual-old-run "--dual needs 'dual_conf'.*hint: coreset score --rescore" "$CS" select "$TMP/old" --rate 0.1 --dual
expect_status old-rescored 0 "$CS" -q score --rescore "$TMP/old"
expect_status old-dual-after-rescore 0 "$CS" -q select "$TMP/old" --rate 0.1 --dual --seed 3 -o "$TMP/old.idx"
cmp -s <(indices "$TMP/old.idx") <(indices "$TMP/r7.idx") && pass rescore-same-draw || fail rescore-same-draw

# TDDS and record.probs (auto: probabilities kept up to 16 classes).  Two
# datasets made from BreastMNIST's images with labels i mod C: C = 3 keeps
# them under auto, C = 17 does not, and coreset score says so; a run without
# them has no tdds, and select --by tdds names the config key to set.
relabel() { # $1 classes, $2 output .npz
    "$PY" - "$SRC" "$1" "$2" <<'PY'
import sys, numpy as np
d = np.load(sys.argv[1]); c = int(sys.argv[2])
out = {k: d[k] for k in d.keys()}
for s in ("train", "val", "test"):
    out[s + "_labels"] = (np.arange(len(d[s + "_labels"])) % c).astype(d[s + "_labels"].dtype)
np.savez(sys.argv[3], **out)
PY
}
probs_run() { # $1 classes, $2 run folder, then --set options
    local c=$1 r=$2; shift 2
    relabel "$c" "$TMP/c$c.npz" && small_config "$TMP/c$c.yaml" && sed -i "s#path: .*#path: $TMP/c$c.npz#" "$TMP/c$c.yaml" &&
        "$CS" score -c "$TMP/c$c.yaml" -o "$r" "$@" >/dev/null 2>"$TMP/score-err"
}
has_score() { "$PY" -c "import h5py, sys; sys.exit(0 if '$2' in h5py.File('$1/scores.h5')['scores'] else 1)"; }
if have_py numpy && have_py h5py; then
    probs_run 3 "$TMP/c3" && has_score "$TMP/c3" tdds && ! grep -q "record.probs auto" "$TMP/score-err" &&
        pass probs-auto-keeps-3 || fail probs-auto-keeps-3 "$(cat "$TMP/score-err")"
    expect_status tdds-3-classes 0 "$CS" -q select "$TMP/c3" --rate 0.1 --by tdds --dry-run
    probs_run 17 "$TMP/c17" && ! has_score "$TMP/c17" tdds &&
        grep -q "record.probs auto: 17 classes > 16, probabilities not kept; tdds, least_confidence and margin will be left out" "$TMP/score-err" &&
        pass probs-auto-says-17 || fail probs-auto-says-17 "$(cat "$TMP/score-err")"
    run=$TMP/c17
    bad tdds-needs-probs "'tdds' needs every epoch's probabilities with 17 classes: score with --set record.probs=yes" \
        "$CS" select "$TMP/c17" --rate 0.1 --by tdds
    probs_run 3 "$TMP/c3no" --set record.probs=no && ! has_score "$TMP/c3no" tdds &&
        grep -q "score 'tdds' not written: .*--set record.probs=yes" "$TMP/score-err" &&
        pass probs-no-warns || fail probs-no-warns "$(cat "$TMP/score-err")"
    run=$TMP/c3no
    bad tdds-needs-probs-3 "record.probs=yes" "$CS" select "$TMP/c3no" --rate 0.1 --by tdds
else
    skip probs "numpy or h5py missing for $PY"
fi
