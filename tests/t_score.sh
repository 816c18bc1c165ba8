#!/usr/bin/env bash
# t_score.sh - coreset score end to end on real data (BreastMNIST, small):
# determinism, kill -9 + --resume bit-identical to an uninterrupted run,
# --rescore, damaged trajectories, bad configs.
. tests/lib.sh
src=$DATA/medmnist/breastmnist.npz
if [ ! -r "$src" ]; then skip all "'$src' not found (set CORESET_DATA)"; exit 0; fi
cat >"$TMP/c.yaml" <<YAML
dataset:
  path: $src
model:
  name: cnn-small
  width: 16
train:
  epochs: 6
  batch_size: 64
  lr: 0.05
  threads: 2
score:
  eva_k: 3
  el2n_to: 3
  du_window: 3
YAML
run() { "$CS" -q score -c "$TMP/c.yaml" "$@"; }

expect_status fresh 0 run -o "$TMP/a"
for f in run.yaml trajectory.cst scores.h5 checkpoint.bin; do
    [ -s "$TMP/a/$f" ] && pass "wrote-$f" || fail "wrote-$f" "no $TMP/a/$f"
done
expect_status again 0 run -o "$TMP/b"
cmp -s "$TMP/a/trajectory.cst" "$TMP/b/trajectory.cst" && pass same-seed-same-trajectory ||
    fail same-seed-same-trajectory "trajectories differ"
cmp -s "$TMP/a/scores.h5" "$TMP/b/scores.h5" && pass same-seed-same-scores || fail same-seed-same-scores
expect_status other-seed 0 run -o "$TMP/s1" --set train.seed=1
cmp -s "$TMP/a/trajectory.cst" "$TMP/s1/trajectory.cst" && fail other-seed-differs || pass other-seed-differs

# kill -9 at random moments, resume, compare with the uninterrupted run.
for k in 1 2 3; do
    d=$TMP/k$k
    # The coreset process itself, not a subshell around it: kill -9 of a
    # subshell would leave coreset running beside the resume.
    "$CS" -q score -c "$TMP/c.yaml" -o "$d" & pid=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 2.5 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ ! -e "$d/run.yaml" ]; then
        rm -rf "$d"; run -o "$d" # killed before it began: nothing to resume
    elif [ -e "$d/scores.h5" ]; then
        : # finished before the kill
    else
        "$CS" -q score --resume "$d" || fail "resume-$k" "resume failed"
    fi
    if cmp -s "$TMP/a/trajectory.cst" "$d/trajectory.cst" && cmp -s "$TMP/a/scores.h5" "$d/scores.h5"; then
        pass "kill-resume-$k"
    else
        fail "kill-resume-$k" "resumed run differs from the uninterrupted one"
    fi
done

# --rescore gives the same scores.h5; new windows change EVA only.
cp -r "$TMP/a" "$TMP/r"
expect_status rescore 0 "$CS" -q score --rescore "$TMP/r"
cmp -s "$TMP/a/scores.h5" "$TMP/r/scores.h5" && pass rescore-same || fail rescore-same
expect_status rescore-windows 0 "$CS" -q score --rescore "$TMP/r" --windows 2:3,5:6
cmp -s "$TMP/a/scores.h5" "$TMP/r/scores.h5" && fail rescore-windows-differ || pass rescore-windows-differ

# A flipped byte inside a frame: a checksum error naming the frame; scores.h5 untouched.
cp -r "$TMP/a" "$TMP/f"
size=$(stat -c %s "$TMP/f/trajectory.cst")
printf '\xff' | dd of="$TMP/f/trajectory.cst" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
expect_error damaged-frame "frame .*checksum mismatch" "$CS" score --rescore "$TMP/f"
cmp -s "$TMP/a/scores.h5" "$TMP/f/scores.h5" && pass damaged-leaves-scores || fail damaged-leaves-scores

# Bad input, refused before training.
expect_error exists "already holds a run" run -o "$TMP/a"
expect_error bad-model "model.name must be one of" "$CS" score -c "$TMP/c.yaml" -o "$TMP/x1" --set model.name=vgg
expect_error bad-blocks "model.blocks must be" "$CS" score -c "$TMP/c.yaml" -o "$TMP/x2" --set model.blocks=2,x
expect_error not-a-run "run.yaml" "$CS" score --resume "$TMP/nope"
expect_error bad-windows "windows must" "$CS" score --rescore "$TMP/a" --windows 1:3,2
printf 'dataset:\n  path: %s\ntrain:\n  epoch: 3\n' "$src" >"$TMP/bad.yaml"
expect_error bad-key "bad.yaml:4:3: unknown key 'train.epoch'" "$CS" score -c "$TMP/bad.yaml" -o "$TMP/x3"
[ ! -e "$TMP/x1" ] && [ ! -e "$TMP/x2/trajectory.cst" ] && [ ! -e "$TMP/x3" ] && pass nothing-written || fail nothing-written "a refused run left a directory"
