#!/usr/bin/env bash
# t_nothing_lost.sh - no command loses or corrupts data (issue 20): an output
# onto an input is refused (by inode: symlinks, ./ and ../ too) and the input
# is untouched; one writer per run folder (flock; readers refuse a run still
# being written; 20 concurrent starts: exactly one runs, bit-identical to an
# undisturbed run); a full disk gives one line naming the file with "No space
# left on device" and leaves nothing (tmpfs, as root); SIGINT/SIGTERM/SIGHUP
# remove temporaries, and a dead writer's are swept; a failed start leaves no
# run folder; mismatched splits, a foreign or edited index are refused.
# Every case lists the folder before and after.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy; then skip all "numpy needed for $PY"; exit 0; fi

# listing DIR: every file under DIR with its size and SHA-256, sorted.
listing() { (cd "$1" && find . -type f -exec sha256sum {} + | sort -k2) 2>/dev/null; }
# same_listing NAME DIR BEFORE: DIR's listing equals the file BEFORE.
same_listing() {
    if listing "$2" | cmp -s - "$3"; then pass "$1"; else
        fail "$1" "folder changed: $(listing "$2" | diff "$3" - | head -5)"; fi
}
# refused NAME PATTERN CMD...: exit 1, one "coreset: error:" line matching
# PATTERN, and every file under $TMP unchanged.
refused() {
    local name=$1 pat=$2; shift 2
    listing "$TMP" | grep -v ' ./err$\| ./out$' >"$TMP/.before"
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    local lines
    lines=$(grep -c '^coreset: error: ' "$TMP/err")
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q "^coreset: error: .*$pat" "$TMP/err"; then pass "$name"; else
        fail "$name" "exit $rc, want 1 with one error matching '$pat': $(head -3 "$TMP/err")"; fi
    if listing "$TMP" | grep -v ' ./err$\| ./out$\| ./.before$' | cmp -s - <(grep -v ' ./.before$' "$TMP/.before"); then
        pass "$name-nothing-changed"
    else
        fail "$name-nothing-changed" "$(listing "$TMP" | grep -v ' ./err$\| ./out$' | diff "$TMP/.before" - | head -6)"
    fi
}

run=$TMP/run
small_run "$run" || { fail small-run "coreset score failed"; exit 0; }
"$CS" -q select "$run" --rate 0.1 --by eva >/dev/null
idx=$run/coreset-eva-0.10.idx
cp "$idx" "$TMP/x.idx"
cp "$SRC" "$TMP/d.npz"
small_config "$TMP/c.yaml"

# --- 1. an output onto an input ---------------------------------------------------
refused export-onto-scores "refusing to write '$run/scores.h5'" "$CS" export "$idx" -o "$run/scores.h5"
refused export-onto-index "refusing to write '$TMP/x.idx'" "$CS" export "$TMP/x.idx" -o "$TMP/x.idx"
refused export-onto-run-yaml "refusing to write" "$CS" export "$TMP/x.idx" -o "$run/run.yaml"
refused export-onto-checkpoint "refusing to write" "$CS" export "$idx" -o "$run/checkpoint.bin"
# (a copy of the source, so that a regression could never touch the shared data)
sed "s|^# source: .*|# source: $TMP/d.npz|" "$idx" >"$TMP/d.idx"
refused export-onto-source "refusing to write '$TMP/d.npz'" "$CS" export "$TMP/d.idx" -o "$TMP/d.npz"
refused dump-cst-onto-its-run "refusing to write" "$CS" dump --h5 -o "$run/scores.h5" "$run/trajectory.cst"
refused select-onto-scores "refusing to write '$run/scores.h5'" "$CS" select "$run" --rate 0.1 --by eva -o "$run/scores.h5"
refused select-force-onto-scores "refusing to write" "$CS" select "$run" --rate 0.1 --by eva -o "$run/scores.h5" --force
refused dump-csv-onto-traj "refusing to write" "$CS" dump --csv -o "$run/trajectory.cst" "$run"
refused dump-h5-onto-traj "refusing to write" "$CS" dump --h5 -o "$run/trajectory.cst" "$run"
refused dump-h5-onto-index "refusing to write" "$CS" dump --h5 -o "$idx" "$run"
refused report-onto-traj "refusing to write" "$CS" report "$run" -o "$run/trajectory.cst"
refused report-onto-index "refusing to write" "$CS" report "$run" --index "$idx" -o "$idx"
refused train-onto-data "refusing to write '$TMP/d.npz'" "$CS" train "$TMP/d.npz" -c "$TMP/c.yaml" -o "$TMP/d.npz"
refused train-onto-config "refusing to write" "$CS" train -c "$TMP/c.yaml" -o "$TMP/c.yaml"
refused train-onto-index "refusing to write" "$CS" train -c "$TMP/c.yaml" --index "$idx" -o "$idx"
# The same file by another name: a symlink, ./ and ../, a hard link.
ln -s "$run/scores.h5" "$TMP/link.h5"
refused via-symlink "refusing to write '$TMP/link.h5': it is the input" "$CS" export "$TMP/x.idx" -o "$TMP/link.h5"
refused via-dotdot "refusing to write" bash -c "cd '$run' && '$CS_ABS' dump --csv -o ./../run/trajectory.cst ."
ln "$TMP/d.npz" "$TMP/hard.npz"
refused via-hardlink "refusing to write '$TMP/hard.npz'" "$CS" train "$TMP/d.npz" -c "$TMP/c.yaml" -o "$TMP/hard.npz"

# --- issue 15 bug 1: exact, distinct index names; no silent replacement -----------
"$CS" -q select "$run" --rate 0.125 --by eva >/dev/null && "$CS" -q select "$run" --rate 0.12 --by eva >/dev/null &&
    "$CS" -q select "$run" --rate 0.005 --by eva >/dev/null
[ -f "$run/coreset-eva-0.125.idx" ] && [ -f "$run/coreset-eva-0.12.idx" ] && [ -f "$run/coreset-eva-0.005.idx" ] &&
    ! cmp -s "$run/coreset-eva-0.125.idx" "$run/coreset-eva-0.12.idx" && pass names-exact-distinct ||
    fail names-exact-distinct "$(ls "$run")"
grep -q '^# rate: 0.125$' "$run/coreset-eva-0.125.idx" && pass name-matches-header || fail name-matches-header
[ -f "$run/coreset-eva-0.10.idx" ] && pass two-decimal-names-kept || fail two-decimal-names-kept
expect_status same-selection-again 0 "$CS" -q select "$run" --rate 0.1 --by eva
refused other-selection-same-name "holds another selection" "$CS" select "$run" --rate 0.1 --quota balanced
expect_status force-replaces 0 "$CS" -q select "$run" --rate 0.1 --quota balanced --force
grep -q '^# quota: balanced$' "$idx" && pass force-replaced || fail force-replaced
"$CS" -q select "$run" --rate 0.1 --by eva --force >/dev/null # back to the default selection
cmp -s "$idx" "$TMP/x.idx" && pass force-back || fail force-back

# --- 6-8. wrong answers with exit 0 -------------------------------------------------
"$PY" - "$SRC" "$TMP" <<'PY'
import sys, numpy as np
src, tmp = sys.argv[1:]
z = np.load(src)
d = {k: z[k] for k in z.files}
m = dict(d); m['test_images'] = np.zeros((len(d['test_images']), 32, 32), np.uint8)
np.savez(tmp + '/mixed.npz', **m)
c = dict(d); ti = d['train_images'].copy(); ti[0, 0, 0] ^= 1; c['train_images'] = ti
np.savez(tmp + '/other.npz', **c)     # another dataset of the same N
e = dict(d); e['train_images'] = d['train_images'][:0]; e['train_labels'] = d['train_labels'][:0]
np.savez(tmp + '/empty.npz', **e)
PY
refused train-mixed-shapes "split 'train' holds samples of shape 28x28, split 'test' of shape 32x32" \
    "$CS" train "$TMP/mixed.npz" -c "$TMP/c.yaml"
refused score-mixed-shapes "of shape 32x32" "$CS" score -c "$TMP/c.yaml" --set dataset.path="$TMP/mixed.npz" -o "$TMP/m"
refused train-foreign-index "was made from a dataset with sha256" "$CS" train "$TMP/other.npz" -c "$TMP/c.yaml" --index "$idx"
sed 's/^# source-sha256: \(.\)/# source-sha256: 0\1/; s/^\(# source-sha256: .\{64\}\).*/\1/' "$idx" >"$TMP/sha.idx"
refused train-edited-sha "was made from a dataset with sha256" "$CS" train -c "$TMP/c.yaml" --index "$TMP/sha.idx"
refused export-edited-sha "was made from a dataset with sha256" "$CS" export "$TMP/sha.idx" -o "$TMP/e.h5"
sed 's/^# num-classes: 2$/# num-classes: 5/' "$idx" >"$TMP/nc.idx"
refused export-edited-num-classes "says num-classes 5, but '.*' has 2 classes" "$CS" export "$TMP/nc.idx" -o "$TMP/e.h5"
refused train-edited-num-classes "says num-classes 5" "$CS" train -c "$TMP/c.yaml" --index "$TMP/nc.idx"
# Away from its run (no run.yaml at hand), the header is still not trusted.
mkdir "$TMP/away" && cp "$TMP/nc.idx" "$TMP/away/nc.idx" && sed -i '/^# run: /d' "$TMP/away/nc.idx"
refused export-away-num-classes "says num-classes 5" "$CS" export "$TMP/away/nc.idx" -o "$TMP/e.h5"
sed 's/^# split: train$/# split: test/' "$idx" >"$TMP/split.idx"
refused train-edited-split "selects from split 'test', not 'train'" "$CS" train -c "$TMP/c.yaml" --index "$TMP/split.idx"

# The run's dataset is an input of report too (it draws the thumbnails from it).
"$CS" -q score -c "$TMP/c.yaml" --set dataset.path="$TMP/d.npz" -o "$TMP/dr" || fail dataset-copy-run
refused report-onto-dataset "refusing to write '$TMP/d.npz'" "$CS" report "$TMP/dr" -o "$TMP/d.npz"

# --- 5. a failed start leaves no run folder ----------------------------------------
refused start-cuda "train.device 'cuda'" "$CS" score -c "$TMP/c.yaml" --set train.device=cuda -o "$TMP/r1"
[ ! -e "$TMP/r1" ] && pass start-cuda-no-folder || fail start-cuda-no-folder "$(ls -A "$TMP/r1")"
expect_status start-after-refusal 0 "$CS" -q score -c "$TMP/c.yaml" -o "$TMP/r1"
refused start-bad-dataset "cannot open" "$CS" score -c "$TMP/c.yaml" --set dataset.path="$TMP/none.npz" -o "$TMP/r2"
refused start-empty-split "holds no samples" "$CS" score -c "$TMP/c.yaml" --set dataset.path="$TMP/empty.npz" \
    --set dataset.normalize=none -o "$TMP/r3"
mkdir "$TMP/mine" && echo keep >"$TMP/mine/notes.txt"
refused start-in-existing-folder "train.device 'cuda'" "$CS" score -c "$TMP/c.yaml" --set train.device=cuda -o "$TMP/mine"
[ "$(ls -A "$TMP/mine")" = notes.txt ] && pass existing-folder-kept-as-was || fail existing-folder-kept-as-was "$(ls -A "$TMP/mine")"
# A config kept in the folder it names as the run: refused, and never removed.
mkdir "$TMP/cfgdir" && cp "$TMP/c.yaml" "$TMP/cfgdir/run.yaml"
refused config-in-run-folder "refusing to write '$TMP/cfgdir/run.yaml'" "$CS" score -c "$TMP/cfgdir/run.yaml" -o "$TMP/cfgdir"
[ "$(ls -A "$TMP/cfgdir")" = run.yaml ] && pass config-kept || fail config-kept "$(ls -A "$TMP/cfgdir")"
refused resume-not-a-run "" "$CS" score --resume "$TMP/mine"
refused rescore-not-a-run "" "$CS" score --rescore "$TMP/mine"

# --- 2. one writer per run folder ---------------------------------------------------
small_config "$TMP/long.yaml" 40
"$CS" -q score -c "$TMP/long.yaml" -o "$TMP/L" & lpid=$!
# The checks below are about a run in the middle of training: wait until the writer
# holds the lock and has written run.yaml and the trajectory's header (under the
# sanitizers it loads and checks the data for seconds between taking the lock and
# writing them).
for _ in $(seq 1000); do
    [ -s "$TMP/L/lock" ] && [ -s "$TMP/L/run.yaml" ] && [ -s "$TMP/L/trajectory.cst" ] && break
    sleep 0.02
done
# Stopped (SIGSTOP keeps its flock), so that it cannot finish during the checks.
kill -STOP "$lpid" 2>/dev/null
if [ -s "$TMP/L/lock" ] && kill -0 "$lpid" 2>/dev/null; then
    expect_error second-writer "run '$TMP/L' is being written by another coreset process (pid $lpid)" \
        "$CS" score -c "$TMP/long.yaml" -o "$TMP/L"
    expect_error resume-while-running "being written by another coreset process (pid $lpid)" "$CS" score --resume "$TMP/L"
    expect_error rescore-while-running "being written by another" "$CS" score --rescore "$TMP/L"
    expect_error select-while-running "still being written .*pid $lpid" "$CS" select "$TMP/L" --rate 0.1 --by eva
    expect_error report-while-running "still being written" "$CS" report "$TMP/L"
    expect_error dump-while-running "still being written" "$CS" dump --csv "$TMP/L"
    expect_error inspect-while-running "still being written" "$CS" inspect "$TMP/L"
else
    fail lock-seen "no lock file while the run trains"
fi
kill -CONT "$lpid" 2>/dev/null
wait "$lpid" && pass first-writer-finished || fail first-writer-finished
# A reader holds the run shared while it reads: a writer is refused meanwhile.
"$PY" - "$TMP/L/lock" "$CS" "$TMP/L" >"$TMP/rd.out" 2>&1 <<'PY'
import fcntl, subprocess, sys
lock, cs, run = sys.argv[1:]
with open(lock) as f:
    fcntl.flock(f, fcntl.LOCK_SH)
    p = subprocess.run([cs, 'score', '--rescore', run], capture_output=True, text=True)
print(p.returncode, p.stderr.strip())
sys.exit(0 if p.returncode == 1 and 'is being read by another coreset process' in p.stderr else 1)
PY
[ $? = 0 ] && pass writer-waits-for-reader || fail writer-waits-for-reader "$(cat "$TMP/rd.out")"
expect_status rescore-after-reader 0 "$CS" -q score --rescore "$TMP/L"
expect_status select-after 0 "$CS" -q select "$TMP/L" --rate 0.1 --by eva -o "$TMP/L.idx"

# 20 concurrent starts on one folder: one runs, the other gets the lock error,
# and the run is bit-identical to an undisturbed one.  Then kill -9 and two
# concurrent resumes: one resumes, bit-identical again.
small_config "$TMP/mid.yaml" 12
"$CS" -q score -c "$TMP/mid.yaml" -o "$TMP/ref" || fail ref-run
ok=0
for i in $(seq 20); do
    d=$TMP/c$i
    "$CS" -q score -c "$TMP/mid.yaml" -o "$d" 2>"$TMP/a.err" & pa=$!
    "$CS" -q score -c "$TMP/mid.yaml" -o "$d" 2>"$TMP/b.err" & pb=$!
    wait "$pa"; ra=$?
    wait "$pb"; rb=$?
    errs=$(cat "$TMP/a.err" "$TMP/b.err")
    if [ $((ra + rb)) = 1 ] && [ "$(grep -c 'is being written by another coreset process (pid [0-9]*)' <<<"$errs")" = 1 ] &&
        cmp -s "$d/trajectory.cst" "$TMP/ref/trajectory.cst" && cmp -s "$d/scores.h5" "$TMP/ref/scores.h5"; then
        ok=$((ok + 1))
    else
        echo "  concurrent start $i: exit $ra and $rb: $errs" >&2
    fi
    rm -rf "$d"
done
[ "$ok" = 20 ] && pass concurrent-starts-20-of-20 || fail concurrent-starts-20-of-20 "$ok of 20"
ok=0
for i in 1 2 3; do
    d=$TMP/k$i
    "$CS" -q score -c "$TMP/mid.yaml" -o "$d" & pk=$!
    for _ in $(seq 300); do [ -s "$d/checkpoint.bin" ] && break; sleep 0.01; done
    sleep "0.0$((RANDOM % 10))"
    kill -9 "$pk" 2>/dev/null; wait "$pk" 2>/dev/null
    "$CS" -q score --resume "$d" 2>"$TMP/a.err" & pa=$!
    "$CS" -q score --resume "$d" 2>"$TMP/b.err" & pb=$!
    wait "$pa"; ra=$?
    wait "$pb"; rb=$?
    errs=$(cat "$TMP/a.err" "$TMP/b.err")
    if [ -e "$d/scores.h5" ] && [ "$(grep -c 'being written by another' <<<"$errs")" -le 1 ] && [ $((ra + rb)) -le 1 ] &&
        cmp -s "$d/trajectory.cst" "$TMP/ref/trajectory.cst" && cmp -s "$d/scores.h5" "$TMP/ref/scores.h5"; then
        ok=$((ok + 1))
    else
        echo "  kill -9 + two resumes $i: exit $ra and $rb: $errs" >&2
    fi
done
[ "$ok" = 3 ] && pass kill9-concurrent-resumes-identical || fail kill9-concurrent-resumes-identical "$ok of 3"

# --- 4. signals remove temporaries; a dead writer's are swept ----------------------
# A slow export: a source with a large test split of noise, which gzip works on.
"$PY" - "$SRC" "$TMP/big.npz" <<'PY'
import sys, numpy as np
z = np.load(sys.argv[1])
d = {k: z[k] for k in z.files}
rng = np.random.default_rng(0)
d['test_images'] = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)
d['test_labels'] = rng.integers(0, 2, (60000, 1), dtype=np.uint8)
np.savez(sys.argv[2], **d)
PY
sha=$(sha256sum "$TMP/big.npz" | cut -d' ' -f1)
printf '# coreset-index 1\n# n: 546\n# m: 3\n# source: %s\n# source-sha256: %s\n# split: train\n0\n5\n9\n' \
    "$TMP/big.npz" "$sha" >"$TMP/big.idx"
mkdir "$TMP/sig"
for sig in INT TERM HUP; do
    "$PY" - "$CS" "$TMP/big.idx" "$TMP/sig/out.h5" "$sig" >"$TMP/sig.out" 2>&1 <<'PY'
import os, signal, subprocess, sys, time
cs, idx, out, sig = sys.argv[1:]
d = os.path.dirname(out)
for f in os.listdir(d):
    os.unlink(os.path.join(d, f))
# A shell that started us in the background ignores SIGINT, and a child
# inherits that: give it the default, as a terminal would.
p = subprocess.Popen([cs, '-q', 'export', idx, '-o', out], stderr=subprocess.DEVNULL,
                     preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGHUP)])
t0 = time.time()
while time.time() - t0 < 20 and not any('.tmp.' in f for f in os.listdir(d)):
    time.sleep(0.001)
seen = [f for f in os.listdir(d) if '.tmp.' in f]
time.sleep(0.02)
p.send_signal(getattr(signal, 'SIG' + sig))
rc = p.wait()
left = os.listdir(d)
print('tmp seen', seen, 'rc', rc, 'left', left)
sys.exit(0 if seen and rc == -getattr(signal, 'SIG' + sig) and not left else 1)
PY
    if [ $? = 0 ]; then pass "sig$sig-export-leaves-nothing"; else fail "sig$sig-export-leaves-nothing" "$(cat "$TMP/sig.out")"; fi
done
# SIGTERM at random moments of a score: never a temporary left, and the run resumes bit-identically.
for i in 1 2 3; do
    d=$TMP/t$i
    "$CS" -q score -c "$TMP/mid.yaml" -o "$d" & pt=$!
    for _ in $(seq 300); do [ -s "$d/checkpoint.bin" ] && break; sleep 0.01; done
    sleep "0.0$((RANDOM % 10))"
    kill -TERM "$pt" 2>/dev/null; wait "$pt"; st=$?
    left=$(ls "$d" | grep '\.tmp\.')
    if [ -z "$left" ] && { [ "$st" = 143 ] || [ -e "$d/scores.h5" ]; } && { [ -e "$d/scores.h5" ] || "$CS" -q score --resume "$d"; } &&
        cmp -s "$d/trajectory.cst" "$TMP/ref/trajectory.cst"; then
        pass "sigterm-score-$i"
    else
        fail "sigterm-score-$i" "left: $left"
    fi
done
# A dead writer's temporaries (kill -9 cannot clean up): swept by the next writer.
dead=32000
while kill -0 "$dead" 2>/dev/null || [ -d "/proc/$dead" ]; do dead=$((dead - 1)); done
echo junk >"$TMP/sig/out.h5.tmp.$dead.abcdef"
echo live >"$TMP/sig/out.h5.tmp.$$.abcdef" # a live pid's: kept
expect_status export-after-dead-writer 0 "$CS" -q export "$TMP/x.idx" -o "$TMP/sig/out.h5"
[ ! -e "$TMP/sig/out.h5.tmp.$dead.abcdef" ] && pass dead-writer-swept || fail dead-writer-swept
[ -e "$TMP/sig/out.h5.tmp.$$.abcdef" ] && pass live-writer-kept || fail live-writer-kept
rm -f "$TMP/sig/out.h5.tmp.$$.abcdef"
cp -r "$TMP/t1" "$TMP/t9" && rm -f "$TMP/t9/scores.h5"
echo junk >"$TMP/t9/checkpoint.bin.tmp.$dead.qwerty"
"$CS" -q score --rescore "$TMP/t9" && [ ! -e "$TMP/t9/checkpoint.bin.tmp.$dead.qwerty" ] && pass run-sweep ||
    fail run-sweep "$(ls "$TMP/t9")"

# --- 3. a full disk: one line naming the file, nothing left -----------------------
full=$TMP/full
mkdir "$full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$full" 2>/dev/null; then
    trap 'umount "$full" 2>/dev/null; rm -rf "$TMP"' EXIT
    remount() { umount "$full" && mount -t tmpfs -o "size=$1" tmpfs "$full"; }
    refused full-dump-h5 "cannot write '$full/t.h5': No space left on device" "$CS" dump --h5 -o "$full/t.h5" "$run"
    refused full-dump-csv "No space left on device" "$CS" dump --csv -o "$full/t.csv" "$run"
    refused full-export-h5 "cannot write '$full/x.h5': No space left on device" "$CS" export "$idx" -o "$full/x.h5"
    refused full-export-npz "'$full/x.npz'.*No space left on device" "$CS" export "$idx" --format npz -o "$full/x.npz"
    refused full-report-png "No space left on device" "$CS" report "$run" -o "$full/r.html" --png "$full/png"
    refused full-score "No space left on device" "$CS" score -c "$TMP/c.yaml" -o "$full/run"
    remount 200k # room for some rows: the write of a dataset fails in the middle
    refused full-export-midway "'$full/x.h5': cannot write dataset .*: No space left on device" \
        "$CS" export "$idx" --compression none -o "$full/x.h5"
    [ -z "$(ls -A "$full")" ] && pass full-midway-nothing-left || fail full-midway-nothing-left "$(ls -A "$full")"
    [ -z "$(ls -A "$full")" ] && pass full-nothing-left || fail full-nothing-left "$(ls -A "$full")"
    # Room for the PNGs but not the page: the PNGs are removed too.
    "$CS" -q report "$run" -o "$TMP/r.html" --png "$TMP/png"
    need=0
    for f in "$TMP"/png/*.png; do need=$((need + ($(stat -c %s "$f") + 4095) / 4096 * 4096)); done
    page=$(stat -c %s "$TMP/r.html")
    [ "$page" -gt 65536 ] || fail full-report-page-size "the page ($page bytes) must not fit in the margin"
    remount "$((need + 32768))"
    refused full-report-page "cannot write '$full/r.html'.*No space left on device" \
        "$CS" report "$run" -o "$full/r.html" --png "$full/png"
    [ -z "$(ls -A "$full")" ] && pass full-report-no-half-report || fail full-report-no-half-report "$(ls -A "$full")"
    # A score whose disk fills after some epochs stays resumable elsewhere.
    umount "$full"
    trap 'rm -rf "$TMP"' EXIT
else
    skip full-disk "not root or no tmpfs mount here: the full-disk cases need a small tmpfs"
fi
