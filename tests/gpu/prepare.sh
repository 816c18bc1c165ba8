#!/usr/bin/env bash
# prepare.sh - run HERE, before the device call: copies the small real dataset the score
# comparison trains on into tests/gpu/data/ (git-ignored, 0.6 MB), which the device call
# must carry, since the shared data folder does not travel.  Then the one device call:
#   run(command="bash tests/gpu/check.sh", carry=["tests/gpu/data"], timeout_s=540)
# and commit the four files it writes under $OUT (copy them to bench/results/gpu/).
set -eu
cd "$(dirname "$0")/../.."
src=${CORESET_DATA:-../shared/data}/medmnist/breastmnist.npz
[ -r "$src" ] || src=/work/shared/data/medmnist/breastmnist.npz
mkdir -p tests/gpu/data
cp "$src" tests/gpu/data/breastmnist.npz
echo "prepare: tests/gpu/data/breastmnist.npz ($(wc -c <tests/gpu/data/breastmnist.npz) bytes)"
