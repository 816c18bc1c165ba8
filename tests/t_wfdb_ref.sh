#!/usr/bin/env bash
# t_wfdb_ref.sh - every bundled WFDB record decoded by the C reader and by an
# independent NumPy decoder (tests/ref_wfdb.py) must give the same raw samples
# and physical values (SHA-256 of each, per record).
. "$(dirname "$0")/lib.sh"
BIN=${CORESET_BUILD:-build/cpu}/tests/test_wfdb
if [ ! -x "$BIN" ]; then skip build "no $BIN (run make test-build)"; exit 0; fi
if ! have_py numpy; then skip numpy "$PY has no numpy"; exit 0; fi

# compare NAME PATTERN WANT: headers matching PATTERN, WANT of them expected.
compare() {
    local name=$1 want=$3
    local heads
    heads=$(ls $2 2>/dev/null)
    if [ -z "$heads" ]; then skip "$name" "no records at $2"; return; fi
    local n
    n=$(echo "$heads" | wc -l)
    if [ "$n" != "$want" ]; then fail "$name" "found $n headers at $2, expected $want"; return; fi
    if ! "$BIN" --digest $heads >"$TMP/c.txt" 2>"$TMP/c.err"; then
        fail "$name" "C reader: $(cat "$TMP/c.err")"; return; fi
    if ! "$PY" tests/ref_wfdb.py $heads >"$TMP/py.txt" 2>"$TMP/py.err"; then
        fail "$name" "NumPy reader: $(tail -1 "$TMP/py.err")"; return; fi
    if [ "$(wc -l <"$TMP/c.txt")" != "$want" ]; then fail "$name" "C reader gave $(wc -l <"$TMP/c.txt") digests"; return; fi
    if diff "$TMP/c.txt" "$TMP/py.txt" >"$TMP/diff"; then pass "$name"; else
        fail "$name" "digests differ: $(head -4 "$TMP/diff")"; fi
}

compare mitdb_212 "$DATA/mitdb/*.hea" 48
compare ptbxl_16 "$DATA/ptbxl/records100/*/*.hea" 500
compare cpsc2021_16 "$DATA/cpsc2021/*.hea" 18
compare cinc2021_16_offset "$DATA/cinc2021/*.hea" 50
