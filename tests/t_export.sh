#!/usr/bin/env bash
# t_export.sh - coreset export on a real run (BreastMNIST): round trips read
# back by an independent reader (tests/check_export.py: h5py, NumPy, the zstd
# tool), gzip/zstd/none, --format npz in the MedMNIST layout, an HDF5 source
# with groups, Fashion-MNIST's IDX folder, and refused input.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy || ! have_py h5py; then skip all "numpy and h5py needed for $PY"; exit 0; fi
run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
"$CS" -q select "$run" --rate 0.1 --by eva >/dev/null
idx=$run/coreset-eva-0.10.idx
check() { "$PY" tests/check_export.py "$@" >"$TMP/check" 2>&1; }

# Default output: beside the index, same stem, from any folder; gzip by default.
(cd "$TMP" && "$CS_ABS" export run/coreset-eva-0.10.idx 2>"$TMP/err")
out=$run/coreset-eva-0.10.h5
[ -s "$out" ] && pass default-name || fail default-name "no $out: $(cat "$TMP/err")"
check "$SRC" "$idx" "$out" "$run/scores.h5" && pass roundtrip-gzip || fail roundtrip-gzip "$(cat "$TMP/check")"
grep -q "filters \[1, 2\]" "$TMP/check" && pass gzip-shuffle-filters || fail gzip-shuffle-filters "$(cat "$TMP/check")"
"$PY" -c "
import h5py
f = h5py.File('$out')
assert f.attrs['index'].decode() == '$idx' and f.attrs['score'] == b'eva'
assert f['train_source_index'].dtype == 'int64' and f['train_score'].dtype == 'float32'" &&
    pass provenance-attrs || fail provenance-attrs

# zstd through filter 32015; none: no filter at all.
expect_status zstd 0 "$CS" export "$idx" --compression zstd -o "$TMP/z.h5"
if command -v zstd >/dev/null || "$PY" -c "import hdf5plugin, h5py; assert h5py.h5z.filter_avail(32015)" 2>/dev/null; then
    check "$SRC" "$idx" "$TMP/z.h5" "$run/scores.h5" && grep -q "32015" "$TMP/check" && pass roundtrip-zstd ||
        fail roundtrip-zstd "$(cat "$TMP/check")"
else
    skip roundtrip-zstd "neither hdf5plugin with zstd nor the zstd tool (apt-get install zstd)"
fi
expect_status none 0 "$CS" export "$idx" --compression none -o "$TMP/n.h5"
check "$SRC" "$idx" "$TMP/n.h5" "$run/scores.h5" && grep -q "filters \[\]" "$TMP/check" && pass roundtrip-none ||
    fail roundtrip-none "$(cat "$TMP/check")"

# --format npz: the MedMNIST layout, loadable with NumPy alone.
expect_status npz 0 "$CS" export "$idx" --format npz
check "$SRC" "$idx" "$run/coreset-eva-0.10.npz" "$run/scores.h5" && pass roundtrip-npz || fail roundtrip-npz "$(cat "$TMP/check")"
"$PY" -c "
import numpy as np
z = np.load('$run/coreset-eva-0.10.npz')
need = {'train_images', 'train_labels', 'val_images', 'val_labels', 'test_images', 'test_labels'}
assert need <= set(z.files), z.files
assert z['train_images'].shape[0] == z['train_labels'].shape[0] == $(grep -vc '^#' "$idx")" &&
    pass npz-medmnist-layout || fail npz-medmnist-layout

# A sparse or dense selection, a different score and quota: the round trip holds.
"$CS" -q select "$run" --count 1 --by aum --quota none -o "$TMP/one.idx" >/dev/null
"$CS" -q select "$run" --rate 1 --by random -o "$TMP/all.idx" >/dev/null
for f in one all; do
    expect_status "export-$f" 0 "$CS" export "$TMP/$f.idx"
    check "$SRC" "$TMP/$f.idx" "$TMP/$f.h5" "$run/scores.h5" && pass "roundtrip-$f" || fail "roundtrip-$f" "$(cat "$TMP/check")"
done

# An HDF5 source with one group per split keeps its names ("train/images").
"$PY" - "$SRC" "$TMP/groups.h5" <<'PY'
import sys, h5py, numpy as np
z = np.load(sys.argv[1])
with h5py.File(sys.argv[2], "w") as f:
    for s in ("train", "val", "test"):
        f.create_dataset(s + "/images", data=z[s + "_images"], chunks=True, compression="gzip")
        f.create_dataset(s + "/labels", data=z[s + "_labels"])
PY
sed -e "s|^# source: .*|# source: $TMP/groups.h5|" \
    -e "s|^# source-sha256: .*|# source-sha256: $(sha256sum "$TMP/groups.h5" | cut -c1-64)|" "$idx" >"$TMP/g.idx"
expect_status export-groups 0 "$CS" export "$TMP/g.idx"
check "$TMP/groups.h5" "$TMP/g.idx" "$TMP/g.h5" && pass roundtrip-h5-groups || fail roundtrip-h5-groups "$(cat "$TMP/check")"
"$PY" -c "import h5py; f = h5py.File('$TMP/g.h5'); assert 'train/images' in f and 'train/source_index' in f" &&
    pass h5-group-names || fail h5-group-names
# The run's scores.h5 belongs to the npz, not to this copy: no score array, and a warning says so.
grep -q "belongs to another dataset" "$TMP/err" && pass scores-of-other-dataset-skipped ||
    fail scores-of-other-dataset-skipped "$(cat "$TMP/err")"

# Fashion-MNIST's IDX folder (Debian's dataset-fashion-mnist): an index written
# by hand from coreset-index(5), its sha256 as `sha256sum * | sha256sum`.
fm=/usr/share/datasets/fashion-mnist
if [ -d "$fm" ]; then
    sha=$(cd "$fm" && LC_ALL=C sha256sum -- * | sha256sum | cut -c1-64)
    { printf '# coreset-index 1\n# n: 60000\n# m: 600\n# source: %s\n# source-sha256: %s\n# split: train\n' "$fm" "$sha"
      seq 7 100 60000; } >"$TMP/fm.idx"
    expect_status export-idx-source 0 "$CS" export "$TMP/fm.idx" -o "$TMP/fm.h5"
    check "$fm" "$TMP/fm.idx" "$TMP/fm.h5" && pass roundtrip-fashion-mnist || fail roundtrip-fashion-mnist "$(cat "$TMP/check")"
    grep -q "no scores.h5" "$TMP/err" && pass fashion-no-scores-warned || fail fashion-no-scores-warned "$(cat "$TMP/err")"
else
    skip fashion-mnist "'$fm' not found (apt-get install dataset-fashion-mnist)"
fi

# Refused: one error line each, non-zero exit, nothing written.
bad() {
    local name=$1 pat=$2; shift 2
    local before after
    before=$(ls "$run" "$TMP")
    expect_error "$name" "$pat" "$@"
    [ "$(grep -c '^coreset: error:' "$TMP/err")" = 1 ] && pass "$name-one-line" || fail "$name-one-line" "$(cat "$TMP/err")"
    after=$(ls "$run" "$TMP")
    [ "$before" = "$after" ] && pass "$name-nothing-written" || fail "$name-nothing-written" "$(diff <(echo "$before") <(echo "$after"))"
}
sed 's/^# source-sha256: ./# source-sha256: 0/' "$idx" >"$TMP/stale.idx"
bad stale-sha "was made from a dataset with sha256 .*hint: the dataset changed" "$CS" export "$TMP/stale.idx"
sed "s/^# n: .*/# n: 9999/" "$idx" >"$TMP/wrong-n.idx"
bad wrong-n "split of 9999 samples, but split 'train'" "$CS" export "$TMP/wrong-n.idx"
head -n -5 "$idx" >"$TMP/truncated.idx"
bad truncated "truncated.idx" "$CS" export "$TMP/truncated.idx"
sed '20s/.*/12x/' "$idx" >"$TMP/garbled.idx"
bad garbled "garbled.idx':20" "$CS" export "$TMP/garbled.idx"
printf 'hello\n' >"$TMP/notindex.idx"
bad not-an-index "notindex.idx" "$CS" export "$TMP/notindex.idx"
grep -v '^# source:' "$idx" >"$TMP/nosource.idx"
bad no-source "no 'source' header" "$CS" export "$TMP/nosource.idx"
bad missing-index "cannot open '$TMP/nope.idx'" "$CS" export "$TMP/nope.idx"
bad missing-dir "cannot write '$TMP/nope/x.h5'" "$CS" export "$idx" -o "$TMP/nope/x.h5"
bad bad-format "unknown format 'tiff'" "$CS" export "$idx" --format tiff
bad folder-format-on-npz "is a npz dataset: --format folder and csv" "$CS" export "$idx" --format folder -o "$TMP/f"
bad bad-compression "unknown compression 'lzma'" "$CS" export "$idx" --compression lzma
bad npz-compression "applies to --format h5" "$CS" export "$idx" --format npz --compression zstd
cp "$SRC" "$TMP/bm.npz"
sed "s|^# source: .*|# source: $TMP/bm.npz|" "$idx" >"$TMP/bm.idx"
bad output-is-source "refusing to write .*bm.npz.: it is" "$CS" export "$TMP/bm.idx" --format npz
cmp -s "$SRC" "$TMP/bm.npz" && pass source-untouched || fail source-untouched
for f in stale wrong-n truncated garbled notindex nosource; do
    [ ! -e "$TMP/$f.h5" ] || fail "no-output-$f" "$TMP/$f.h5 exists"
done
