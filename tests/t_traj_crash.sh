#!/usr/bin/env bash
# t_traj_crash.sh - kill -9 a trajectory writer at random moments; every time,
# open-append must find only intact frames holding the expected (seeded)
# content, cut any torn tail, and continue the file.
. tests/lib.sh
BIN=${CORESET_BUILD:-build/cpu}/tests/test_traj
if [ ! -x "$BIN" ]; then
    skip crash "'$BIN' is not built (run make test-build)"
    exit 0
fi
f=$TMP/crash.cst
prev=0 torn=0
for i in 1 2 3 4 5 6 7 8; do
    "$BIN" --write-forever "$f" 2>/dev/null &
    pid=$!
    sleep "$(printf '0.%03d' $((RANDOM % 400 + 5)))"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    if out=$("$BIN" --check-resume "$f" 2>&1); then
        frames=$(sed -n 's/^frames=\([0-9]*\) .*/\1/p' <<<"$out")
        cut=$(sed -n 's/.* cut=\([0-9]*\) .*/\1/p' <<<"$out")
        [ "${cut:-0}" -gt 0 ] && torn=$((torn + 1))
        if [ -n "$frames" ] && [ "$frames" -ge "$prev" ]; then
            pass "kill_$i"
        else
            fail "kill_$i" "frames went from $prev to '$frames': $out"
        fi
        prev=$((frames + 3))
    else
        fail "kill_$i" "$(head -3 <<<"$out")"
    fi
done
echo "crash test: $prev frames at the end, $torn of 8 kills left a torn frame" >&2
