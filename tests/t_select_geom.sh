#!/usr/bin/env bash
# t_select_geom.sh - the rules in embedding space (moderate, kcenter,
# herding, d2, d2-strat) on a real BreastMNIST run against the NumPy /
# scikit-learn reference tests/ref_select_geom.py: quotas none and
# proportional, --count, the reliability filter, seeds, both stored dtypes
# and --embed-epoch; byte-identical reruns; the header names the rule, its
# parameters and the epoch; a run without embeddings is refused naming what
# to record, and nothing is written.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py h5py; then skip all "no h5py for $PY"; exit 0; fi
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
REF=tests/ref_select_geom.py
header() { sed -n "s/^# $2: //p" "$1"; }

# check NAME ARGS...: select with ARGS, then compare with the reference.
check() {
    local name=$1; shift
    if ! "$CS" -q select "$run" "$@" -o "$TMP/$name.idx" --force >/dev/null 2>"$TMP/err"; then
        fail "$name" "select $*: $(head -2 "$TMP/err")"; return; fi
    if "$PY" "$REF" --check "$run" "$TMP/$name.idx" >"$TMP/ref_out" 2>&1; then pass "$name"; else
        fail "$name" "$(cat "$TMP/ref_out")"; fi
}
# The embeddings coreset score recorded (record.embed, float16, the EVA
# windows' last epochs and the last): every rule on them first.
if [ -r "$run/embeddings.h5" ]; then
    for r in moderate kcenter herding d2 d2-strat; do
        check "recorded-$r" --rate 0.1 --$r --by aum
    done
    check recorded-kcenter-first-epoch --rate 0.2 --kcenter --embed-epoch 3 --quota none
else
    skip recorded "coreset score wrote no embeddings.h5"
fi

# Then embeddings in the documented layout from the run's own images (float32).
"$PY" "$REF" --make-embed "$run" 24 || { fail make-embed "could not write embeddings.h5"; exit 0; }

for r in moderate kcenter herding d2 d2-strat; do
    check "$r-default" --rate 0.1 --$r
    check "$r-none-count" --count 40 --quota none --$r --by aum --seed 3
    check "$r-filter" --rate 0.2 --$r --by eva --focus-filter --tau 0.9 --phi 0.9 --seed 7
done
check kcenter-seed11 --rate 0.05 --kcenter --seed 11
check d2-params --rate 0.3 --d2 --by el2n --knn 3 --gamma-f 0.5 --gamma-r 1
check d2-strat-params --rate 0.3 --d2-strat --by aum --knn 4 --d2-strata 8 --hard-cutoff 0.3 --quota balanced
check moderate-epoch3 --rate 0.25 --moderate --embed-epoch 3

# Different seeds really differ for the rule that draws (kcenter's start).
cmp -s <(grep -v '^#' "$TMP/kcenter-default.idx") <(grep -v '^#' "$TMP/kcenter-seed11.idx") &&
    fail seeds-differ "kcenter with seeds 0 and 11 kept the same samples" || pass seeds-differ

# The header: rule, every parameter, the epoch.
h=$TMP/d2-strat-params.idx
[ "$(header "$h" sampling)" = "d2-strat k=4 gamma-f=1 gamma-r=0.1 drop=0.3 strata=8" ] &&
    [ "$(header "$h" embedding)" = "embeddings.h5 epoch 6" ] && [ "$(header "$h" score)" = aum ] &&
    [ "$(header "$TMP/moderate-epoch3.idx" embedding)" = "embeddings.h5 epoch 3" ] &&
    [ "$(header "$TMP/d2-default.idx" score)" = forgetting ] &&
    pass header || fail header "$(grep '^# \(sampling\|embedding\|score\):' "$h")"

# Same seed, same bytes.
for r in kcenter d2-strat; do
    "$CS" -q select "$run" --rate 0.1 --$r --seed 5 -o "$TMP/a.idx" >/dev/null 2>&1
    "$CS" -q select "$run" --rate 0.1 --$r --seed 5 -o "$TMP/b.idx" >/dev/null 2>&1
    cmp -s "$TMP/a.idx" "$TMP/b.idx" && [ -s "$TMP/a.idx" ] && pass "same-bytes-$r" || fail "same-bytes-$r"
    rm -f "$TMP/a.idx" "$TMP/b.idx"
done

# float16 storage: the same rules read it (the reference reads the same halves).
"$PY" "$REF" --make-embed "$run" 24 --f16
check d2-f16 --rate 0.1 --d2 --by aum
check herding-f16 --rate 0.1 --herding

# A Fashion-MNIST subset (3,000 training images, 10 classes; the recorded
# embeddings, or projected pixels without them): more classes,
# and with quota none one group larger than the kNN's column block.
FM=${CORESET_FASHION:-/usr/share/datasets/fashion-mnist}
if [ -r "$FM/train-images-idx3-ubyte.gz" ]; then
    "$PY" - "$FM" "$TMP/fm3k.npz" <<'PY'
import gzip, sys, numpy as np
src, out = sys.argv[1] + "/", sys.argv[2]
x = np.frombuffer(gzip.open(src + "train-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)
y = np.frombuffer(gzip.open(src + "train-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)[:, None]
np.savez(out, train_images=x[:3000], train_labels=y[:3000], val_images=x[3000:3300],
         val_labels=y[3000:3300], test_images=x[3300:3600], test_labels=y[3300:3600])
PY
    sed "s|path: .*|path: $TMP/fm3k.npz|" "$TMP/small.yaml" >"$TMP/fm.yaml"
    if "$CS" -q score -c "$TMP/fm.yaml" --set train.epochs=4 --set score.eva_k=2 --set score.el2n_to=2 \
        --set score.du_window=2 -o "$TMP/fmrun" 2>"$TMP/err" &&
        { [ -r "$TMP/fmrun/embeddings.h5" ] || "$PY" "$REF" --make-embed "$TMP/fmrun" 32; }; then
        run=$TMP/fmrun
        for r in moderate kcenter herding d2 d2-strat; do
            check "fashion-$r" --rate 0.1 --$r --by aum --seed 2
        done
        check fashion-d2-none --rate 0.05 --d2 --by aum --quota none
        check fashion-kcenter-none --rate 0.05 --kcenter --quota none
        run=$TMP/run
    else
        fail fashion-run "coreset score on the subset: $(head -2 "$TMP/err")"
    fi
else
    skip fashion "no Fashion-MNIST at $FM (apt-get install dataset-fashion-mnist)"
fi

# Bad input: an epoch that is not stored; a run without embeddings.
expect_error bad-epoch "epoch" "$CS" select "$run" --rate 0.1 --moderate --embed-epoch 4 -o "$TMP/x.idx"
[ ! -e "$TMP/x.idx" ] && pass bad-epoch-nothing-written || fail bad-epoch-nothing-written
expect_error embed-epoch-needs-rule "embedding space" "$CS" select "$run" --rate 0.1 --embed-epoch 3
rm -f "$run/embeddings.h5"
for r in moderate d2; do
    expect_error "no-embeddings-$r" "needs the embeddings.*record.embed: true" \
        "$CS" select "$run" --rate 0.1 --$r -o "$TMP/none.idx"
    [ ! -e "$TMP/none.idx" ] && ! ls "$run"/*.idx >/dev/null 2>&1 && pass "no-embeddings-$r-nothing-written" ||
        fail "no-embeddings-$r-nothing-written" "$(ls "$TMP" "$run")"
done
