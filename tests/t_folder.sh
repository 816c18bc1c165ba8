#!/usr/bin/env bash
# t_folder.sh - dataset.kind folder on real images: PNG, JPEG, RGB, 16-bit
# and CSV layouts made from PneumoniaMNIST with PIL (tests/ref_folder.py),
# read by coreset and held against PIL's decode and Image.BOX resize; the
# sample order against torchvision's ImageFolder; the image cache; bad input
# refused naming the file; score -> select -> export --format folder read back
# by torchvision.datasets.ImageFolder, and --format csv's rows.
. tests/lib.sh
B=${CORESET_BUILD:-build/cpu}
BIN=$B/tests/test_folder
NPZ=$DATA/medmnist/pneumoniamnist.npz
if [ ! -r "$NPZ" ]; then skip all "'$NPZ' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py PIL || ! have_py numpy; then skip all "python3-pil and numpy needed for $PY"; exit 0; fi
D=$TMP/d
"$PY" tests/ref_folder.py make "$NPZ" "$D" || { fail make "ref_folder.py make failed"; exit 0; }
dump() { local o=$TMP/o_$1 dir=$2; shift 2; rm -rf "$o"; mkdir -p "$o"; "$BIN" dump "$dir" "$o" "$@" 2>"$TMP/err"; }

# Pixels: PNG and JPEG exact (same libjpeg-turbo, islow IDCT); resize = PIL's Image.BOX within 1 level.
# name layout channels size tolerance
while read -r name lay ch size tol; do
    o=$TMP/o_$name
    rm -rf "$o"; mkdir -p "$o"
    if "$BIN" dump "$D/$lay" "$o" channels=$ch size=$size 2>"$TMP/err" &&
        "$PY" tests/ref_folder.py check "$D" "$o" "$lay" "$ch" "$size" "$tol" >"$TMP/chk"; then
        pass "pixels-$name"; echo "  $name: $(cat "$TMP/chk")"
    else fail "pixels-$name" "$(cat "$TMP/err" "$TMP/chk" 2>/dev/null)"; fi
done <<'CASES'
png-grey png 0 0 0
png-resize20 png 0 20 1
jpeg-grey jpg 0 0 0
jpeg-224to64 jpg 1 64 1
jpeg-rgb rgb 0 0 0
jpeg-rgb-to-grey rgb 1 0 0
jpeg-rgb-to-48 rgb 3 48 1
png-16bit p16 0 0 0
CASES
grep -q '^train 30 float32 28 28$' "$TMP/o_png-16bit/meta.txt" && pass 16bit-as-float32 || fail 16bit-as-float32 "$(cat "$TMP/o_png-16bit/meta.txt")"
grep -q '^train 40 uint8 28 28$' "$TMP/o_png-grey/meta.txt" && grep -q '^val 12 ' "$TMP/o_png-grey/meta.txt" &&
    grep -q '^classes normal pneumonia$' "$TMP/o_png-grey/meta.txt" && pass splits-and-classes ||
    fail splits-and-classes "$(cat "$TMP/o_png-grey/meta.txt")"
if have_py torchvision; then
    "$PY" tests/ref_folder.py order "$D/png" "$TMP/o_png-grey" && pass order-is-torchvision || fail order-is-torchvision
else skip order-is-torchvision "python3-torchvision not installed"; fi

# CSV layout: names in 'finding', paths in 'file'; the classes sorted.
if dump csv "$D/csv" csv=labels.csv pcol=file lcol=finding &&
    "$PY" tests/ref_folder.py check "$D" "$TMP/o_csv" csv 0 0 0 >"$TMP/chk" &&
    grep -q '^classes normal pneumonia$' "$TMP/o_csv/meta.txt"; then pass csv-layout; else fail csv-layout "$(cat "$TMP/err")"; fi
"$PY" - "$D/csv/labels.csv" "$TMP/o_csv" <<'PY' && pass csv-labels || fail csv-labels
import csv, sys, numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
y = np.fromfile(sys.argv[2] + "/train.i32", dtype=np.int32)
assert list(y) == [["normal", "pneumonia"].index(r["finding"]) for r in rows]
PY

# The cache: a second open reads it (same samples); a damaged one is noticed and ignored.
dump c1 "$D/png" cache="$TMP/cache.h5" && [ -s "$TMP/cache.h5" ] &&
    dump c2 "$D/png" cache="$TMP/cache.h5" && cmp -s "$TMP/o_c1/train.f32" "$TMP/o_c2/train.f32" &&
    cmp -s "$TMP/o_c1/train.f32" "$TMP/o_png-grey/train.f32" && pass cache-roundtrip || fail cache-roundtrip "$(cat "$TMP/err")"
"$PY" - "$TMP/cache.h5" <<'PY'
import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    a = f["px_0"][...]; a[5] ^= 1; f["px_0"][...] = a
PY
dump c3 "$D/png" cache="$TMP/cache.h5" && grep -q 'image cache damaged' "$TMP/err" &&
    cmp -s "$TMP/o_c3/train.f32" "$TMP/o_png-grey/train.f32" && pass cache-checksum || fail cache-checksum "$(cat "$TMP/err")"

# Bad input: one error naming the file (and the CSV line).
bad=$TMP/bad; mkcase() { rm -rf "$bad"; cp -r "$D/$1" "$bad"; }
derr() { rm -rf "$TMP/dd"; mkdir "$TMP/dd"; "$BIN" dump "$bad" "$TMP/dd" "$@" >/dev/null 2>"$TMP/err"; }
expect_err() { if [ $1 != 0 ] && grep -q -- "$3" "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ]; then pass "$2"; else fail "$2" "$(cat "$TMP/err")"; fi; }
mkcase png; head -c 100 "$D/png/train/normal/020.png" >"$bad/train/normal/020.png"; derr; expect_err $? corrupt-png "train/normal/020.png'.*corrupt PNG"
mkcase jpg; head -c 700 "$D/jpg/train/normal/020.jpg" >"$bad/train/normal/020.jpg"; derr; expect_err $? corrupt-jpeg "train/normal/020.jpg'.*corrupt JPEG"
derr skip=1; rc=$?
[ $rc = 0 ] && grep -q '1 file(s) failed to decode' "$TMP/err" && grep -q '^skipped 1$' "$TMP/dd/meta.txt" && grep -q '^train 39 ' "$TMP/dd/meta.txt" &&
    pass on-bad-file-skip || fail on-bad-file-skip "$(cat "$TMP/err")"
mkcase png; mkdir "$bad/train/empty"; derr; expect_err $? empty-class "train/empty': empty class folder"
mkcase png; mkdir "$bad/val/covid"; cp "$D/png/val/normal/$(ls "$D/png/val/normal" | head -1)" "$bad/val/covid/"; derr; expect_err $? unknown-class-folder "val/covid': class 'covid' is not one of"
mkcase png; cp "$D/jpg/train/normal/020.jpg" "$bad/train/normal/zzz.jpg"; derr; expect_err $? mixed-sizes "zzz.jpg'.*224x224 pixels.*mixed sizes"
mkcase csv; sed -i 's#images/007.png#images/missing.png#' "$bad/labels.csv"; derr csv=labels.csv pcol=file lcol=finding
expect_err $? csv-missing-file "labels.csv' line 9: 'images/missing.png' is no file"
mkcase csv; derr csv=labels.csv pcol=file lcol=finding classes=normal; expect_err $? csv-unknown-label "labels.csv' line [0-9]*: label 'pneumonia' of 'images/[0-9]*.png' is not a class"

# Nothing written on bad input: score refuses before the run folder exists.
mkcase png; head -c 100 "$D/png/train/normal/020.png" >"$bad/train/normal/020.png"
cfg() { cat >"$TMP/cfg.yaml" <<YAML
dataset:
  path: $1
  kind: folder
model:
  name: cnn-small
  width: 8
train:
  epochs: 4
  batch_size: 16
  lr: 0.05
  threads: 1
score:
  eva_k: 2
  el2n_to: 2
  du_window: 2
YAML
}
cfg "$bad"; expect_error score-bad-file "020.png'.*corrupt PNG" "$CS" score -c "$TMP/cfg.yaml" -o "$TMP/badrun"
[ ! -e "$TMP/badrun" ] && pass nothing-written || fail nothing-written "$(ls "$TMP/badrun")"

# score -> select -> export --format folder, read back by torchvision.
cfg "$D/png"; run=$TMP/run
if "$CS" -q score -c "$TMP/cfg.yaml" -o "$run" && [ -s "$run/images.h5" ] &&
    "$CS" -q select "$run" --rate 0.5 -o "$run/cs.idx" >/dev/null; then pass score-select; else fail score-select "$(cat "$TMP/err")"; fi
expect_status export-folder 0 "$CS" export "$run/cs.idx" --format folder -o "$TMP/exp"
grep -q '^hard-linked: 44$' "$TMP/exp/coreset-manifest.txt" && grep -q '^source-sha256: ' "$TMP/exp/coreset-manifest.txt" &&
    [ "$(grep -c '^kept: ' "$TMP/exp/coreset-manifest.txt")" = 20 ] && pass manifest || fail manifest
if have_py torchvision; then
    "$PY" tests/ref_folder.py kept "$D/png" "$run/cs.idx" "$TMP/exp" >"$TMP/chk" && pass torchvision-imagefolder ||
        fail torchvision-imagefolder "$(cat "$TMP/chk")"
else skip torchvision-imagefolder "python3-torchvision not installed"; fi
expect_error export-folder-exists "exists" "$CS" export "$run/cs.idx" --format folder -o "$TMP/exp"
expect_error export-csv-imagefolder "not from a CSV" "$CS" export "$run/cs.idx" --format csv -o "$TMP/x.csv"
[ ! -e "$TMP/x.csv" ] && pass csv-nothing-written || fail csv-nothing-written

# --format csv on a CSV layout: the header and the kept rows, unchanged.
sed -i "s#path: $D/png#path: $D/csv\n  csv: labels.csv\n  csv_path_column: file\n  csv_label_column: finding#" "$TMP/cfg.yaml"
run2=$TMP/run2
if "$CS" -q score -c "$TMP/cfg.yaml" -o "$run2" && "$CS" -q select "$run2" --rate 0.3 -o "$run2/cs.idx" >/dev/null &&
    "$CS" -q export "$run2/cs.idx" --format csv -o "$TMP/kept.csv" &&
    "$PY" tests/ref_folder.py csv "$D/csv/labels.csv" "$run2/cs.idx" "$TMP/kept.csv" >"$TMP/chk"; then
    pass export-csv-rows; echo "  $(cat "$TMP/chk")"
else fail export-csv-rows "$(cat "$TMP/chk" 2>/dev/null)"; fi

# inspect: kind, classes, sizes, channels, failed files.
mkcase png; head -c 100 "$D/png/train/normal/020.png" >"$bad/train/normal/020.png"
"$CS" inspect "$bad" --set dataset.kind=folder --set dataset.on_bad_file=skip >"$TMP/insp" 2>"$TMP/err"
grep -q '^format   folder' "$TMP/insp" && grep -q '^failed to decode: 1$' "$TMP/insp" && grep -q '^train .* 39  28x28 ' "$TMP/insp" &&
    grep -q 'normal' "$TMP/insp" && pass inspect || fail inspect "$(cat "$TMP/insp" "$TMP/err")"
"$CS" inspect --json "$D/rgb" >"$TMP/insp" 2>"$TMP/err"
grep -q '"failed_files": 0' "$TMP/insp" && grep -q '"shape": \[224, 224, 3\]' "$TMP/insp" && pass inspect-json-rgb ||
    fail inspect-json-rgb "$(cat "$TMP/insp" "$TMP/err")"
