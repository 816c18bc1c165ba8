# small_run.sh - sourced by the select and export tests after tests/lib.sh:
# small_run DIR makes a real run directory with `coreset score` on BreastMNIST
# (546 training images) in a few seconds: a narrow cnn-small, 6 epochs, EVA
# windows 1-3 and 4-6.  Sets SRC to the dataset; the caller skips when
# it is absent (have_small_run).
SRC=$DATA/medmnist/breastmnist.npz
have_small_run() { [ -r "$SRC" ]; }
# small_config FILE [EPOCHS]: the small run's config (default 6 epochs; score
# windows of half the epochs) for tests that train or score it themselves.
small_config() {
    local ep=${2:-6}
    cat >"$1" <<YAML
dataset:
  path: $SRC
model:
  name: cnn-small
  width: 8
train:
  epochs: $ep
  batch_size: 64
  lr: 0.05
  threads: 2
score:
  eva_k: $((ep / 2))
  el2n_to: $((ep / 2))
  du_window: $((ep / 2))
YAML
}
small_run() {
    small_config "$TMP/small.yaml"
    "$CS" -q score -c "$TMP/small.yaml" -o "$1"
}
# The binary as an absolute path, for commands run inside another folder.
CS_ABS=$(cd "$(dirname "$CS")" && pwd)/$(basename "$CS")
