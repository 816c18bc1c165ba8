#!/usr/bin/env bash
# t_focus_layer.sh - record.focus_layer through coreset score (BreastMNIST, one
# epoch): the last block (fast path) and an earlier block (the backward pass)
# both give every sample a focus in [0,1], different ones; an unknown layer is
# refused before training, naming the layers the model has.
. tests/lib.sh
src=$DATA/medmnist/breastmnist.npz
if [ ! -r "$src" ]; then skip all "'$src' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py h5py; then skip all "no h5py in $PY"; exit 0; fi
cat >"$TMP/c.yaml" <<YAML
dataset:
  path: $src
model:
  name: cnn-small
  width: 8
train:
  epochs: 1
  batch_size: 64
  threads: 2
YAML
run() { "$CS" -q score -c "$TMP/c.yaml" "$@"; }

expect_status last 0 run -o "$TMP/last"
expect_status block2 0 run -o "$TMP/block2" --set record.focus_layer=block2
if [ -s "$TMP/last/scores.h5" ] && [ -s "$TMP/block2/scores.h5" ]; then
    if out=$("$PY" - "$TMP/last/scores.h5" "$TMP/block2/scores.h5" 2>&1 <<'PY'
import sys
import h5py
import numpy as np
a, b = (h5py.File(p, "r")["scores/focus"][...] for p in sys.argv[1:3])
for name, v in (("last", a), ("block2", b)):
    if not (np.isfinite(v).all() and v.min() >= 0 and v.max() <= 1 and v.std() > 0):
        sys.exit("%s: focus not in [0,1] everywhere or constant" % name)
if np.abs(a - b).max() < 1e-3:
    sys.exit("block2 gives the same focus as the last block")
PY
    ); then pass focus-per-layer; else fail focus-per-layer "$out"; fi
else
    fail focus-per-layer "no scores.h5"
fi
expect_error unknown-layer "record.focus_layer: model 'cnn-small' has no layer 'layer3'.*block1 to block3" \
    run -o "$TMP/x" --set record.focus_layer=layer3
[ ! -e "$TMP/x/trajectory.cst" ] && pass unknown-layer-writes-nothing ||
    fail unknown-layer-writes-nothing "a trajectory was written"
