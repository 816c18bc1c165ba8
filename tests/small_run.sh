# small_run.sh - sourced by the select and export tests after tests/lib.sh:
# small_run DIR makes a real run directory with `coreset score` on BreastMNIST
# (546 training images) in a few seconds: a narrow cnn-small, 6 epochs, EVA
# windows 1-3 and 4-6.  Sets SRC to the dataset; the caller skips when
# it is absent (have_small_run).
SRC=$DATA/medmnist/breastmnist.npz
have_small_run() { [ -r "$SRC" ]; }
small_run() {
    cat >"$TMP/small.yaml" <<YAML
dataset:
  path: $SRC
model:
  name: cnn-small
  width: 8
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
    "$CS" -q score -c "$TMP/small.yaml" -o "$1"
}
# The binary as an absolute path, for commands run inside another folder.
CS_ABS=$(cd "$(dirname "$CS")" && pwd)/$(basename "$CS")
