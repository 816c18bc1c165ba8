#!/usr/bin/env bash
# t_select_cli.sh - coreset select on a real run (BreastMNIST, coreset score):
# exact budget, sorted unique indices, byte-identical reruns, --dry-run,
# per-class quotas in the table, --npy, inspect FILE.idx, CCS and the
# reliability filter against tests/ref_select.py, and bad input.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }

# The index lines of an index file, and its header value for a key.
indices() { grep -v '^#' "$1"; }
header() { sed -n "s/^# $2: //p" "$1"; }
N=$("$PY" -c "import h5py; print(h5py.File('$run/scores.h5')['labels'].shape[0])")

# RUN defaults to the current directory; the default name has the rate with 2 decimals
# (--by eva, the rule before --by auto became the default: t_select_auto.sh tests auto).
(cd "$run" && "$CS_ABS" select --rate 0.1 --by eva >"$TMP/table" 2>"$TMP/err")
idx=$run/coreset-eva-0.10.idx
[ -s "$idx" ] && pass default-name || fail default-name "no $idx: $(cat "$TMP/err")"
M=$(awk -v n="$N" 'BEGIN { m = int(0.1 * n); if (m < 0.1 * n) m++; print m }')
[ "$(indices "$idx" | wc -l)" = "$M" ] && [ "$(header "$idx" m)" = "$M" ] && [ "$(header "$idx" n)" = "$N" ] &&
    pass exact-m || fail exact-m "want M = ceil(0.1 * $N) = $M, got $(indices "$idx" | wc -l) lines, m: $(header "$idx" m)"
indices "$idx" | sort -n -u | cmp -s - <(indices "$idx") && pass sorted-unique || fail sorted-unique
awk -v n="$N" '!/^#/ && ($1 < 0 || $1 >= n) { bad = 1 } END { exit bad }' "$idx" && pass in-range || fail in-range
grep -q "^# source: /" "$idx" && grep -q "^# run: /" "$idx" && [ "$(header "$idx" score)" = eva ] &&
    [ "$(header "$idx" quota)" = proportional ] && [ "$(header "$idx" sampling)" = top ] &&
    [ "$(header "$idx" source-sha256)" = "$(sha256sum "$SRC" | cut -c1-64)" ] &&
    pass header || fail header "$(grep '^#' "$idx")"

# The table: one row per class whose n_c is the class histogram of the indices, and a total.
"$PY" - "$run/scores.h5" "$idx" "$TMP/table" <<'PY' && pass table-matches-indices || fail table-matches-indices
import sys, h5py, numpy as np
y = h5py.File(sys.argv[1])["labels"][:]
idx = np.loadtxt(sys.argv[2], dtype=np.int64, comments="#", ndmin=1)
rows = {l.split()[0]: l.split() for l in open(sys.argv[3]) if l.strip()}
for c in range(y.max() + 1):
    r = rows[str(c)]
    assert int(r[1]) == (y == c).sum() and int(r[2]) == (y[idx] == c).sum(), r
assert int(rows["total"][1]) == len(y) and int(rows["total"][2]) == len(idx)
PY

# Quota modes visible in the table: count 100 of classes (N_0, N_1).
class_n() { awk -v c="$1" '$1 == c { print $3 }' "$2"; }
sizes=$("$PY" -c "import h5py, numpy as np; print(*np.bincount(h5py.File('$run/scores.h5')['labels'][:]))")
for q in proportional balanced sqrt; do
    "$CS" select "$run" --count 100 --quota "$q" --dry-run >"$TMP/t_$q" 2>/dev/null
    want=$("$PY" - "$q" $sizes <<'PY'
import sys, math
q, n0, n1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = {"proportional": (n0, n1), "balanced": (1, 1), "sqrt": (math.sqrt(n0), math.sqrt(n1))}[q]
share = 100 * w[0] / (w[0] + w[1])
a = math.floor(share); a += (share - a) > 0.5 or ((share - a) == 0.5)  # largest remainder, ties to class 0
print(a, 100 - a)
PY
)
    got="$(class_n 0 "$TMP/t_$q") $(class_n 1 "$TMP/t_$q")"
    [ "$got" = "$want" ] && pass "quota-$q" || fail "quota-$q" "classes (N_c = $sizes): n_c $got, want $want"
done

# Byte-identical reruns; --count names the file with n<M>.
expect_status rerun 0 "$CS" select "$run" --rate 0.1 --by eva -o "$TMP/again.idx"
cmp -s "$idx" "$TMP/again.idx" && pass byte-identical || fail byte-identical "$(diff "$idx" "$TMP/again.idx" | head -3)"
"$CS" -q select "$run" --rate 0.2 --sample --seed 3 -o "$TMP/s3a.idx" >/dev/null
"$CS" -q select "$run" --rate 0.2 --sample --seed 3 -o "$TMP/s3b.idx" >/dev/null
"$CS" -q select "$run" --rate 0.2 --sample --seed 4 -o "$TMP/s4.idx" >/dev/null
cmp -s "$TMP/s3a.idx" "$TMP/s3b.idx" && pass sample-same-seed || fail sample-same-seed
cmp -s "$TMP/s3a.idx" "$TMP/s4.idx" && fail sample-other-seed "seeds 3 and 4 gave the same file" || pass sample-other-seed
expect_status count 0 "$CS" select "$run" --count 37 --by eva
[ "$(indices "$run/coreset-eva-n37.idx" | wc -l)" = 37 ] && [ "$(header "$run/coreset-eva-n37.idx" count)" = 37 ] &&
    pass count-name || fail count-name "$(ls "$run")"
expect_status rate-one 0 "$CS" select "$run" --rate 1 --by eva -o "$TMP/all.idx"
[ "$(indices "$TMP/all.idx" | wc -l)" = "$N" ] && pass rate-one-all || fail rate-one-all

# --dry-run prints the table and writes nothing.
before=$(ls "$run")
expect_status dry-run 0 "$CS" select "$run" --rate 0.3 --by eva --npy --dry-run
[ "$(ls "$run")" = "$before" ] && grep -q '^total' "$TMP/out" && pass dry-run-nothing-written ||
    fail dry-run-nothing-written "$(ls "$run")"

# --npy: an int64 .npy of the same indices beside the index.
expect_status npy 0 "$CS" select "$run" --rate 0.25 --by eva --npy -o "$TMP/q.idx"
"$PY" -c "
import numpy as np
a = np.load('$TMP/q.npy'); b = np.loadtxt('$TMP/q.idx', dtype=np.int64, comments='#')
assert a.dtype == np.dtype('<i8') and a.shape == b.shape and (a == b).all()" && pass npy-matches || fail npy-matches

# inspect FILE.idx: the header and a class histogram equal to the table's n_c.
expect_status inspect 0 "$CS" inspect "$idx"
grep -q "score: eva" "$TMP/out" && grep -q "m: $M" "$TMP/out" && pass inspect-header || fail inspect-header "$(head -5 "$TMP/out")"
for c in 0 1; do
    [ "$(awk -v c="$c" '$1 == c { print $3 }' "$TMP/out")" = "$(class_n "$c" "$TMP/table")" ] &&
        pass "inspect-histogram-$c" || fail "inspect-histogram-$c" "$(cat "$TMP/out")"
done

# CCS, the reliability filter and the other modes against the NumPy reference.
if have_py numpy && have_py h5py; then
    i=0
    while read -r args; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        "$CS" -q select "$run" $args -o "$TMP/ref$i.idx" >/dev/null
        if "$PY" tests/ref_select.py --check "$run" "$TMP/ref$i.idx" >"$TMP/refout" 2>&1; then
            pass "reference-$i"
        else
            fail "reference-$i" "select $args: $(cat "$TMP/refout")"
        fi
    done <<'ARGS'
--rate 0.1
--rate 0.2 --ccs
--rate 0.2 --ccs --quota none --hard-cutoff 0.3
--rate 0.3 --ccs --by forgetting
--rate 0.15 --ccs --by eva --quota sqrt --focus-filter
--rate 0.3 --focus-filter
--rate 0.3 --focus-filter --tau 0.9 --phi 0.5 --quota none
--rate 0.3 --focus-filter --quota balanced --by aum
--rate 0.2 --quota rcap
--rate 0.2 --sample --beta 0.5 --seed 9
--rate 0.2 --by random --seed 2
--count 50 --by el2n --order band:0.25:0.75
--rate 0.2 --by focus_weighted --quota balanced
--rate 0.123456789 --sample --beta 0.3333333333333333 --seed 4 --focus-filter --tau 0.712345678 --phi 0.456789123
--rate 0.2 --ccs --quota none --hard-cutoff 0.123456789
--count 40 --by el2n --order band:0.1:0.3333333333333333
ARGS
    # Every number in the header is the one used, written exactly (the
    # reference above re-runs from the header, so %g rounding fails it too).
    "$CS" -q select "$run" --rate 0.2 --focus-weighted --gamma 0.123456789 -o "$TMP/ref17.idx" >/dev/null
    [ "$(header "$TMP/ref14.idx" sampling)" = "sample beta=0.3333333333333333" ] &&
        [ "$(header "$TMP/ref14.idx" filter)" = "reliability tau=0.712345678 phi=0.456789123" ] &&
        [ "$(header "$TMP/ref14.idx" rate)" = 0.123456789 ] &&
        [ "$(header "$TMP/ref15.idx" sampling)" = "ccs drop=0.123456789 strata=50" ] &&
        [ "$(header "$TMP/ref16.idx" order)" = "band:0.1:0.3333333333333333" ] &&
        [ "$(header "$TMP/ref17.idx" score)" = "eva*focus^0.123456789" ] &&
        pass header-numbers-exact || fail header-numbers-exact "$(grep -h '^# \(rate\|sampling\|filter\|order\|score\):' "$TMP"/ref1[4-7].idx | tr '\n' ' ')"
    # The filter has work to do here: it must change the selection.
    "$CS" -q select "$run" --rate 0.3 --by eva -o "$TMP/nofilter.idx" >/dev/null
    cmp -s "$TMP/ref6.idx" "$TMP/nofilter.idx" && fail filter-changes "same selection with and without --focus-filter" ||
        pass filter-changes
    [ "$(header "$TMP/ref2.idx" score)" = aum ] && pass ccs-default-aum || fail ccs-default-aum
else
    skip reference "numpy or h5py missing for $PY"
fi

# The focus_weighted score of scores.h5 is --focus-weighted on eva with the
# run's score.focus_gamma: the same indices; --gamma G overrides that gamma,
# and without --gamma the gamma comes from the run (rescored with gamma 2).
fw_same() { # $1 name, $2 run, $3 header score wanted, then the --focus-weighted options
    local name=$1 r=$2 want=$3; shift 3
    "$CS" -q select "$r" --rate 0.2 --by focus_weighted -o "$TMP/$name-by.idx" >/dev/null
    "$CS" -q select "$r" --rate 0.2 --focus-weighted "$@" -o "$TMP/$name-fw.idx" >/dev/null
    if [ -s "$TMP/$name-by.idx" ] && cmp -s <(indices "$TMP/$name-by.idx") <(indices "$TMP/$name-fw.idx") &&
        [ "$(header "$TMP/$name-by.idx" score)" = focus_weighted ] && [ "$(header "$TMP/$name-fw.idx" score)" = "$want" ]; then
        pass "$name"
    else
        fail "$name" "--by focus_weighted and --focus-weighted $* differ, or headers '$(header "$TMP/$name-fw.idx" score)' (want $want)"
    fi
}
fw_same focus-weighted-score "$run" "eva*focus^1"
cp -r "$run" "$TMP/gamma2"
expect_status rescore-gamma2 0 "$CS" -q score --rescore "$TMP/gamma2" --set score.focus_gamma=2
fw_same focus-weighted-run-gamma "$TMP/gamma2" "eva*focus^2"
fw_same focus-weighted-gamma-option "$TMP/gamma2" "eva*focus^2" --gamma 2
"$CS" -q select "$run" --rate 0.2 --focus-weighted --gamma 2 -o "$TMP/g2-on-run.idx" >/dev/null
cmp -s <(indices "$TMP/g2-on-run.idx") <(indices "$TMP/focus-weighted-run-gamma-by.idx") &&
    ! cmp -s <(indices "$TMP/g2-on-run.idx") <(indices "$TMP/focus-weighted-score-by.idx") &&
    pass gamma-option-overrides || fail gamma-option-overrides "--gamma 2 on the gamma-1 run is not the gamma-2 run's selection, or equals gamma 1's"

# Bad input: one error line each, non-zero exit, nothing written.
bad() {
    local name=$1 pat=$2; shift 2
    local before after
    before=$(ls "$run" "$TMP")
    expect_error "$name" "$pat" "$@"
    [ "$(grep -c '^coreset: error:' "$TMP/err")" = 1 ] && pass "$name-one-line" || fail "$name-one-line" "$(cat "$TMP/err")"
    after=$(ls "$run" "$TMP")
    [ "$before" = "$after" ] && pass "$name-nothing-written" || fail "$name-nothing-written" "$(diff <(echo "$before") <(echo "$after"))"
}
bad rate-zero "rate must lie in (0, 1]" "$CS" select "$run" --rate 0 --by eva
bad rate-over-one "rate must lie in (0, 1]" "$CS" select "$run" --rate 1.5 --by eva
bad rate-text "rate must lie in (0, 1]" "$CS" select "$run" --rate abc --by eva
bad count-zero "count must be a positive integer" "$CS" select "$run" --count 0 --by eva
bad count-over-n "count $((N + 1)): more than the $N samples" "$CS" select "$run" --count $((N + 1)) --by eva
bad no-budget "give the budget" "$CS" select "$run"
bad both-budgets "exclude each other" "$CS" select "$run" --rate 0.1 --by eva --count 5
bad unknown-score "unknown score 'nope'" "$CS" select "$run" --rate 0.1 --by nope
bad unknown-quota "unknown quota 'fair'" "$CS" select "$run" --rate 0.1 --quota fair
bad tau-without-filter "apply to --focus-filter only" "$CS" select "$run" --rate 0.1 --by eva --tau 0.5
bad gamma-without-weighting "applies to --focus-weighted only" "$CS" select "$run" --rate 0.1 --gamma 2
bad gamma-negative "gamma must be a number >= 0" "$CS" select "$run" --rate 0.1 --focus-weighted --gamma -1
bad weighted-twice "would weight by focus twice" "$CS" select "$run" --rate 0.1 --by focus_weighted --focus-weighted
bad not-a-run "is not a run directory" "$CS" select "$TMP" --rate 0.1 --by eva
bad missing-dir "cannot write '$TMP/nope/x.idx'" "$CS" select "$run" --rate 0.1 --by eva -o "$TMP/nope/x.idx"
# The rules and quota modes are select/'s tables: the messages list them, and each one
# must be an option the command takes and its help names.
"$CS" select "$run" --rate 0.1 --top --ccs >/dev/null 2>"$TMP/err"
rules=$(sed -n 's/^coreset: error: \(.*\) exclude each other$/\1/p' "$TMP/err" | sed 's/,//g; s/ and / /')
"$CS" select "$run" --rate 0.1 --quota fair >/dev/null 2>"$TMP/err"
quotas=$(sed -n "s/^coreset: error: --quota: unknown quota 'fair' (\(.*\))$/\1/p" "$TMP/err" | sed 's/,//g')
"$CS" select --help >"$TMP/help"
missing=""
[ -n "$rules" ] && [ -n "$quotas" ] || missing="no lists in the messages"
for r in $rules; do
    grep -q -- "^  $r " "$TMP/help" || missing="$missing $r(help)"
    "$CS" -q select "$run" --rate 0.1 "$r" --dry-run >/dev/null 2>&1 || missing="$missing $r(option)"
done
for q in $quotas; do
    grep -q -- "--quota [a-z|]*\b$q\b" "$TMP/help" || missing="$missing $q(help)"
    "$CS" -q select "$run" --rate 0.1 --quota "$q" --dry-run >/dev/null 2>&1 || missing="$missing $q(option)"
done
[ -z "$missing" ] && pass tables-in-help || fail tables-in-help "rules '$rules', quotas '$quotas':$missing"

# A run without the score asked for: EVA left out by rescoring with windows that do not fit.
cp -r "$run" "$TMP/noeva"
"$CS" -q score --rescore "$TMP/noeva" --set score.eva_k=4 2>/dev/null
run=$TMP/noeva
bad run-without-score "has no score 'eva'" "$CS" select "$TMP/noeva" --rate 0.1 --by eva
