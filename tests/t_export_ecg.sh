#!/usr/bin/env bash
# t_export_ecg.sh - `coreset export` of an ECG beat run reopens the records with
# the run's own beat options (run.yaml), not the defaults: the source's sha256
# cannot tell a 128-sample beat from a 256-sample one, so an export made with the
# defaults would hold other samples than the ones scored.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
MITDB=$DATA/mitdb
if [ ! -r "$MITDB/100.hea" ]; then skip all "$MITDB not found (set CORESET_DATA)"; exit 0; fi
if ! have_py h5py; then skip all "python3 h5py missing"; exit 0; fi

"$CS" -q score -c configs/mitbih.yaml --set "dataset.path=$MITDB" --set ecg.records=100 --set ecg.beat_length=128 \
    --set model.width=8 --set train.epochs=4 --set score.eva_k=2 --set score.el2n_to=2 --set score.du_window=2 \
    -o "$TMP/run" 2>"$TMP/err" &&
    "$CS" -q select "$TMP/run" --count 50 --by eva -o "$TMP/run/c.idx" >/dev/null 2>>"$TMP/err" &&
    "$CS" -q export "$TMP/run/c.idx" -o "$TMP/e.h5" 2>>"$TMP/err"
if [ $? = 0 ] && "$PY" - "$TMP/e.h5" <<'PY'
import sys, h5py
h = h5py.File(sys.argv[1], "r")
assert h["train_images"].shape == (50, 1, 128), h["train_images"].shape
assert h["test_images"].shape[1:] == (1, 128), h["test_images"].shape
PY
then pass beat_options_from_run; else fail beat_options_from_run "$(cat "$TMP/err")"; fi

# The export names its classes as the source did (root attribute class_names),
# and coreset reads them back from it.
"$PY" - "$TMP/e.h5" <<'PY' && "$CS" inspect --json "$TMP/e.h5" 2>/dev/null |
import sys, h5py
names = [n.decode() if isinstance(n, bytes) else n for n in h5py.File(sys.argv[1], "r").attrs["class_names"]]
assert names == ["N", "S", "V", "F", "Q"], names
PY
    "$PY" -c 'import json, sys; assert json.load(sys.stdin)["class_names"] == ["N", "S", "V", "F", "Q"]' &&
    pass class_names_exported || fail class_names_exported "$("$CS" inspect "$TMP/e.h5" 2>&1 | head -5)"
exit 0
