#!/usr/bin/env bash
# t_inspect_dataset.sh - `coreset inspect` on datasets: output on real data, and
# a clear error (exit 1, the file named) for each kind of malformed input.
. tests/lib.sh

NPZ=$DATA/medmnist/breastmnist.npz
FM=/usr/share/datasets/fashion-mnist

if [ -f "$NPZ" ]; then
    "$CS" inspect "$NPZ" >"$TMP/text" 2>"$TMP/err"
    if [ $? = 0 ] && grep -q '^format   npz' "$TMP/text" && grep -q '^classes  2' "$TMP/text" &&
        grep -Eq '^train +546  28x28 +uint8 +0 +255$' "$TMP/text" &&
        grep -Eq '^test +156 ' "$TMP/text"; then pass text_npz; else
        fail text_npz "$(cat "$TMP/text" "$TMP/err")"; fi
    if "$CS" inspect --json "$NPZ" >"$TMP/json" && "$PY" - "$TMP/json" "$NPZ" <<'PYEOF'
import json, sys
import numpy as np
j = json.load(open(sys.argv[1]))
d = np.load(sys.argv[2])
assert j["format"] == "npz" and j["num_classes"] == 2, j
for s in j["splits"]:
    x, y = d[s["name"] + "_images"], d[s["name"] + "_labels"].reshape(-1)
    assert s["samples"] == len(x) and s["shape"] == list(x.shape[1:]), s
    assert s["min"] == x.min() and s["max"] == x.max(), s
    assert s["histogram"] == np.bincount(y, minlength=2).tolist(), s
assert [s["name"] for s in j["splits"]] == ["train", "val", "test"]
PYEOF
    then pass json_npz; else fail json_npz "json does not match numpy"; fi
else
    skip text_npz "'$NPZ' not found"
    skip json_npz "'$NPZ' not found"
fi

if [ -d "$FM" ]; then
    "$CS" inspect --json "$FM" >"$TMP/fm" 2>"$TMP/err"
    if [ $? = 0 ] && grep -q '"samples": 60000' "$TMP/fm" && grep -q '"samples": 10000' "$TMP/fm" &&
        grep -q '"histogram": \[6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000\]' "$TMP/fm"
    then pass json_fashion_mnist; else fail json_fashion_mnist "$(cat "$TMP/fm" "$TMP/err")"; fi
else
    skip json_fashion_mnist "'$FM' not found"
fi

expect_error missing_file "cannot open '$TMP/nope.npz': No such file" "$CS" inspect "$TMP/nope.npz"
expect_status missing_file_status 1 "$CS" inspect "$TMP/nope.npz"

if ! have_py numpy || [ ! -f "$NPZ" ]; then
    skip bad_inputs "numpy or '$NPZ' missing"
    exit 0
fi
B=$TMP/bad
mkdir -p "$B"
"$PY" tests/ref_dataset.py make-bad "$B" "$NPZ" || fail make_bad "ref_dataset.py make-bad failed"

expect_error truncated_npz "'$B/truncated.npz': not a zip archive" "$CS" inspect "$B/truncated.npz"
expect_status truncated_npz_status 1 "$CS" inspect "$B/truncated.npz"
expect_error garbage_npz "'$B/garbage.npz': not a zip archive" "$CS" inspect "$B/garbage.npz"
expect_error crc_stored "'$B/crc_stored.npz': member 'train_images.npy': CRC mismatch" \
    "$CS" inspect "$B/crc_stored.npz"
expect_error crc_deflated "'$B/crc_deflated.npz': member 'train_images.npy': CRC mismatch" \
    "$CS" inspect "$B/crc_deflated.npz"
expect_error label_count "'$B/count.npz': split 'train': 9 labels for 10 samples" \
    "$CS" inspect "$B/count.npz"
expect_error label_negative "'$B/negative.npz': split 'train': label -1 at index 3 is negative" \
    "$CS" inspect "$B/negative.npz"
expect_error npy_short "'$B/short_images.npy': header says 100 samples, file holds 98" \
    "$CS" inspect "$B/short_images.npy"
expect_error npy_fortran "'$B/fort_images.npy': fortran_order arrays are not supported" \
    "$CS" inspect "$B/fort_images.npy"
expect_error npy_nan "'$B/nan_images.npy': split 'train': sample 4 holds NaN" \
    "$CS" inspect "$B/nan_images.npy"
expect_error npy_bad_magic "'$B/badmagic_images.npy': not a .npy array (bad magic)" \
    "$CS" inspect "$B/badmagic_images.npy"
expect_error npy_no_labels "'$B/nolabels.npy': no labels file found" "$CS" inspect "$B/nolabels.npy"
expect_error idx_bad_magic "'$B/badmagic-images-idx3-ubyte': not an IDX file (bad magic)" \
    "$CS" inspect "$B/badmagic-images-idx3-ubyte"
expect_error idx_count "'$B/idx/train-images-idx3-ubyte': 4 labels in .* for 5 samples" \
    "$CS" inspect "$B/idx"
expect_error idx_truncated "'$B/trunc-images-idx3-ubyte.gz': truncated: header says 5 items, file holds 3" \
    "$CS" inspect "$B/trunc-images-idx3-ubyte.gz"
expect_status idx_count_status 1 "$CS" inspect "$B/idx"

if have_py h5py; then
    "$PY" tests/ref_dataset.py make-h5 "$B"
    expect_error h5_nan "'$B/nan.h5': split 'train': sample 7 holds NaN" "$CS" inspect "$B/nan.h5"
    cp "$B/u8.h5" "$B/cut.h5" && truncate -s 3000 "$B/cut.h5"
    expect_error h5_truncated "cut.h5" "$CS" inspect "$B/cut.h5"
    printf 'not hdf5' >"$B/fake.h5"
    expect_error h5_not_hdf5 "'$B/fake.h5': not an HDF5 file" "$CS" inspect "$B/fake.h5"
    expect_error h5_no_dataset "'$B/u8.h5': dataset '/train/labels' has no partner '/train/pixels'" \
        "$CS" inspect --images pixels "$B/u8.h5"
else
    skip h5_bad_inputs "no h5py"
fi
