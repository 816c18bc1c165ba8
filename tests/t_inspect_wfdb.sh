#!/usr/bin/env bash
# t_inspect_wfdb.sh - `coreset inspect RECORD` on MIT-BIH record 100 (text and
# --json), and one clear error per kind of bad record (copies in a temp dir).
. "$(dirname "$0")/lib.sh"
M=$DATA/mitdb
if [ ! -r "$M/100.hea" ]; then skip mitdb "no $M/100.hea"; exit 0; fi

# --- record 100 -----------------------------------------------------------
if "$CS" inspect "$M/100" >"$TMP/t.txt" 2>"$TMP/t.err"; then
    ok=1
    for want in "^record 100 " "^  sampling rate  360 Hz$" \
        "^  length         650000 samples per signal (1805.556 s)$" \
        "^    0 MLII .*format 212, gain 200 adu/mV, baseline 1024, units mV, checksum ok$" \
        "^    1 V5 .*format 212, gain 200 adu/mV, baseline 1024, units mV, checksum ok$" \
        "^annotations    2274 in " "^  beats        2273: N 2239, A 33, V 1$" \
        "^  non-beats    1: + 1$"; do
        grep -q -- "$want" "$TMP/t.txt" || { ok=0; fail text_100 "no line matching '$want'"; }
    done
    [ $ok = 1 ] && pass text_100
else
    fail text_100 "exit status $?: $(cat "$TMP/t.err")"
fi

if have_py json; then
    if "$CS" inspect --json "$M/100.hea" >"$TMP/j.txt" 2>"$TMP/j.err" &&
        "$PY" - "$TMP/j.txt" <<'PYEOF' 2>"$TMP/py.err"; then pass json_100; else fail json_100 "$(cat "$TMP/j.err" "$TMP/py.err" | tail -3)"; fi
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "not one line"
d = json.loads(text)
assert d["record"] == "100" and d["fs"] == 360 and d["nsamples"] == 650000, d
assert [s["name"] for s in d["signals"]] == ["MLII", "V5"]
assert all(s["format"] == 212 and s["gain"] == 200 and s["baseline"] == 1024 and s["units"] == "mV"
           and s["checksum_ok"] is True for s in d["signals"])
a = d["annotations"]
assert a["total"] == 2274 and a["beats"] == 2273 and a["non_beats"] == 1, a
assert a["beat_counts"] == {"N": 2239, "A": 33, "V": 1}, a["beat_counts"]
assert a["non_beat_counts"] == {"+": 1}, a["non_beat_counts"]
PYEOF
else
    skip json_100 "$PY cannot import json"
fi

P=$DATA/ptbxl/records100/00000/00001_lr
if [ -r "$P.hea" ]; then
    expect_status ptbxl_no_annotations 0 "$CS" inspect --json "$P"
    grep -q '"nsig": 12, .*"annotations": null}$' "$TMP/out" && pass ptbxl_json ||
        fail ptbxl_json "$(head -c 300 "$TMP/out")"
else
    skip ptbxl_json "no $P.hea"
fi

# --- bad records: exit 1, exactly one "coreset: error:" line naming the problem
# bad NAME PATTERN RECORD
bad() {
    expect_error "$1" "$2" "$CS" inspect "$3"
    local rc
    "$CS" inspect "$3" >/dev/null 2>"$TMP/e2"; rc=$?
    [ "$rc" = 1 ] || fail "$1_status" "exit $rc, want 1"
    [ "$(wc -l <"$TMP/e2")" = 1 ] || fail "$1_one_line" "$(cat "$TMP/e2")"
}
fresh() { rm -rf "$TMP/r"; mkdir "$TMP/r"; cp "$M/100.hea" "$M/100.dat" "$M/100.atr" "$TMP/r/"; chmod u+w "$TMP/r"/*; }
flip() { # flip the lowest bit of byte $2 of file $1
    "$PY" -c "import sys; p,o=sys.argv[1],int(sys.argv[2]); b=bytearray(open(p,'rb').read()); b[o]^=1; open(p,'wb').write(b)" "$1" "$2"
}

fresh; flip "$TMP/r/100.dat" 300000
bad checksum_mismatch "record '100' ('.*100.dat'): signal [01] '\(MLII\|V5\)': checksum in header is -\?[0-9]*, samples sum to" "$TMP/r/100"

fresh; flip "$TMP/r/100.dat" 0
bad initial_value_mismatch "signal 0 'MLII': initial value in header is 995, first sample is 994" "$TMP/r/100"

fresh; head -c 1000000 "$M/100.dat" >"$TMP/r/100.dat"
bad truncated_dat "'.*100.dat': truncated: header of record '100' says 650000 samples per signal, file holds 333333" "$TMP/r/100"

fresh; rm "$TMP/r/100.dat"
bad missing_dat "cannot open '.*r/100.dat': No such file or directory" "$TMP/r/100"

fresh; sed -i 's/^100.dat 212 /100.dat 310 /' "$TMP/r/100.hea"
bad unknown_format "'.*100.hea': line 2: signal 0: format 310 is not supported" "$TMP/r/100.hea"

fresh; printf 'multi/2 2 360 1300000\n100 650000\n100 650000\n' >"$TMP/r/multi.hea"
bad multi_segment "'.*multi.hea': line 1: record 'multi/2' is a multi-segment record, which is not supported" "$TMP/r/multi"

fresh; sed -i 's/^100.dat 212 200 /100.dat 212 2o0 /' "$TMP/r/100.hea"
bad malformed_line "'.*100.hea': line 2: bad ADC gain '2o0'" "$TMP/r/100"

fresh; printf '100 2 360 100000\n100.dat 212 200 11 1024 995\n100.dat 212 200 11 1024 1011\n' >"$TMP/r/100.hea"
bad annotation_beyond_end "'.*100.atr': annotation [0-9]* ('.') at sample 100[0-9]* lies outside the record (100000 samples)" "$TMP/r/100"

bad missing_record "cannot open '.*nothere.hea': No such file or directory" "$TMP/r/nothere.hea"
