#!/usr/bin/env bash
# t_ecg_ref.sh - the ECG dataset readers against tests/ref_ecg.py, an
# independent NumPy/CSV reader: MIT-BIH beats (which beats are kept, their
# AAMI labels, the cut and resampled samples within 1e-5), PTB-XL (labels
# and splits of the first 100 records, samples of a few records bit-exact)
# and CinC records (labels through a code table, samples resampled, cut or
# padded).
. "$(dirname "$0")/lib.sh"
BIN=${CORESET_BUILD:-build/cpu}/tests/test_ecg
if [ ! -x "$BIN" ]; then skip build "no $BIN (run make test-build)"; exit 0; fi
if ! have_py numpy; then skip numpy "$PY has no numpy"; exit 0; fi

# beats NAME RECORDS BEFORE AFTER LENGTH LEADS: dump and compare.
beats() {
    local name=$1 recs=$2 before=$3 after=$4 len=$5 leads=$6
    for r in ${recs//,/ }; do
        if [ ! -f "$DATA/mitdb/$r.atr" ]; then skip "$name" "'$DATA/mitdb/$r.atr' not found"; return; fi
    done
    if ! "$BIN" --dump "$DATA/mitdb" "$TMP/$name" 1000000 ecg.split=records "ecg.records=$recs" \
        "ecg.train_records=$recs" ecg.test_records= "ecg.leads=$leads" "ecg.beat_before=$before" \
        "ecg.beat_after=$after" "ecg.beat_length=$len" 2>"$TMP/err"; then
        fail "$name" "dump: $(tail -2 "$TMP/err")"; return; fi
    if "$PY" tests/ref_ecg.py beats "$TMP/$name" "$DATA/mitdb" "$before" "$after" "$len" "$leads" ${recs//,/ } \
        >"$TMP/$name.out" 2>&1; then pass "$name"; else fail "$name" "$(tail -2 "$TMP/$name.out")"; fi
}

# Record 100's annotation counts as PhysioNet's table gives them, read by the reference.
beats beats_100_114 100,114 0.25 0.45 256 MLII
if [ ! -f "$TMP/beats_100_114.out" ]; then skip record_100_counts "no reference output (see beats_100_114)"
elif grep -q '^100 A=33 N=2239 V=1 other=1$' "$TMP/beats_100_114.out"; then pass record_100_counts
else fail record_100_counts "$(head -1 "$TMP/beats_100_114.out")"; fi
# Two leads in another order than the header's, another window and length.
beats beats_two_leads 208 0.3 0.3 100 V1,MLII

ptbxl() {
    local name=$1; shift
    if [ ! -f "$DATA/ptbxl/ptbxl_database.csv" ]; then skip "$name" "'$DATA/ptbxl' not found"; return; fi
    if ! "$BIN" --dump "$DATA/ptbxl" "$TMP/$name" 3 "$@" 2>"$TMP/err"; then
        fail "$name" "dump: $(tail -2 "$TMP/err")"; return; fi
    local mode=
    [ "$*" = ecg.multi_label=first ] && mode=first
    if "$PY" tests/ref_ecg.py ptbxl "$TMP/$name" "$DATA/ptbxl" 100 3 $mode >"$TMP/$name.out" 2>&1; then
        pass "$name"; else fail "$name" "$(tail -2 "$TMP/$name.out")"; fi
}
ptbxl ptbxl_single_label
ptbxl ptbxl_first_by_likelihood ecg.multi_label=first

# cinc NAME RATE LENGTH LEADS [KEY=VALUE...]: CinC records with a code table.
cinc() {
    local name=$1 rate=$2 len=$3 leads=$4; shift 4
    if [ ! -f "$DATA/cinc2021/E07500.hea" ]; then skip "$name" "'$DATA/cinc2021' not found"; return; fi
    printf 'code,class\n426783006,NSR\n427084000,STach\n426177001,SB\n164889003,AF\n59118001,RBBB\n713427006,RBBB\n' \
        >"$TMP/classes.csv"
    if ! "$BIN" --dump "$DATA/cinc2021" "$TMP/$name" 1000 "ecg.classes=$TMP/classes.csv" "ecg.cinc_rate=$rate" \
        "ecg.cinc_length=$len" "ecg.leads=$leads" "$@" 2>"$TMP/err"; then
        fail "$name" "dump: $(tail -2 "$TMP/err")"; return; fi
    local mode=
    [ "$*" = ecg.multi_label=first ] && mode=first
    if "$PY" tests/ref_ecg.py cinc "$TMP/$name" "$DATA/cinc2021" "$TMP/classes.csv" "$rate" "$len" "$leads" $mode \
        >"$TMP/$name.out" 2>&1; then pass "$name"; else fail "$name" "$(tail -2 "$TMP/$name.out")"; fi
}
cinc cinc_12_leads 500 5000 I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6
cinc cinc_resampled_first 257 3000 V1,II ecg.multi_label=first
