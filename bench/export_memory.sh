#!/usr/bin/env bash
# export_memory.sh [GB] - peak resident memory of `coreset export` writing a
# 10% coreset of a dataset of GB gigabytes (default 2.2): HDF5 with gzip, zstd
# and no compression, and .npz.  Writes bench/results/export_memory.txt and
# exits 1 if any peak reaches 200 MB.
#
# The source is synthesised in a temporary folder with h5py (uint8 images
# 3x64x64, chunked, the layout "train_images"/"train_labels" plus small val and
# test splits) and deleted afterwards.  The index is written by hand from
# coreset-index(5) (10% of the training samples, uniformly at random, seed 0):
# export needs only the index and the source, and a run of `coreset score` on
# 2 GB would take hours on the CPU without changing what export does.  Peak
# RSS comes from /usr/bin/time -v; every output is spot-checked against the
# source (h5py / NumPy) before its number counts.
set -eu
GB=${1:-2.2}
CS=${CORESET_BIN:-./coreset}
PY=${PY:-/usr/bin/python3}
LIMIT_KB=$((200 * 1024))
out=bench/results/export_memory.txt
desc=$(git describe --always --dirty 2>/dev/null || echo unknown) # before the results file changes
dir=$(mktemp -d "${TMPDIR:-/tmp}/coreset-exportmem-XXXXXX")
trap 'rm -rf "$dir"' EXIT
need_kb=$("$PY" -c "print(int($GB * 1.3 * 1024 * 1024))")
free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
    echo "export_memory.sh: $((free_kb / 1024)) MB free in $dir, need $((need_kb / 1024)) MB" >&2
    exit 1
fi

"$PY" - "$dir" "$GB" <<'PY'
import hashlib, sys
import h5py, numpy as np
d, gb = sys.argv[1], float(sys.argv[2])
shape = (3, 64, 64)
row = int(np.prod(shape))
n = int(gb * 1e9 / row) + 1
rng = np.random.default_rng(0)
# Smooth images plus noise: compressible like real pictures, not like zeros.
yy, xx = np.mgrid[0:64, 0:64]
with h5py.File(d + "/src.h5", "w") as f:
    for split, count in (("train", n), ("val", 2000), ("test", 2000)):
        x = f.create_dataset(split + "_images", (count,) + shape, dtype="u1", chunks=(256,) + shape)
        y = f.create_dataset(split + "_labels", (count,), dtype="i8")
        for s in range(0, count, 8192):
            k = min(8192, count - s)
            phase = rng.integers(0, 64, size=(k, 3, 1, 1))
            base = ((xx + yy + phase) * 2) % 256
            x[s:s + k] = (base + rng.integers(0, 32, size=(k,) + shape)).astype("u1")
            y[s:s + k] = rng.integers(0, 10, size=k)
h = hashlib.sha256()
with open(d + "/src.h5", "rb") as f:
    for b in iter(lambda: f.read(1 << 24), b""):
        h.update(b)
idx = np.sort(rng.choice(n, size=-(-n // 10), replace=False))
with open(d + "/ten.idx", "w") as f:
    f.write("# coreset-index 1\n# n: %d\n# m: %d\n# source: %s/src.h5\n# source-sha256: %s\n# split: train\n"
            % (n, len(idx), d, h.hexdigest()))
    f.write("".join("%d\n" % i for i in idx))
PY

# Spot-check 200 kept rows and the whole val split of an output against the source.
spot_check() {
    "$PY" - "$dir/src.h5" "$dir/ten.idx" "$1" <<'PY'
import sys, h5py, numpy as np
sys.path.insert(0, "tests")
from check_export import zstd_dataset  # zstd chunks without a zstd-enabled hdf5plugin
src, idx_path, out = sys.argv[1:4]
idx = np.loadtxt(idx_path, dtype=np.int64, comments="#")
if out.endswith(".npz"):
    o = np.load(out, mmap_mode="r")
    get = lambda k: o[k]
else:
    o = h5py.File(out, "r")
    zstd = lambda d: 32015 in [d.id.get_create_plist().get_filter(i)[0] for i in range(d.id.get_create_plist().get_nfilters())]
    get = lambda k: zstd_dataset(o[k]) if zstd(o[k]) and not h5py.h5z.filter_avail(32015) else o[k]
with h5py.File(src, "r") as s:
    pick = np.sort(np.random.default_rng(1).choice(len(idx), 200, replace=False))
    x = get("train_images")
    assert x.shape[0] == len(idx)
    for k in pick:
        assert (x[k] == s["train_images"][idx[k]]).all(), k
    assert (np.asarray(get("train_source_index")) == idx).all()
    assert (np.asarray(get("val_images")) == s["val_images"][:]).all()
PY
}

src_bytes=$(stat -c %s "$dir/src.h5")
{
    echo "# bench/export_memory.sh $GB  ($(date -u +%Y-%m-%d), $desc)"
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores shared"
    echo "# source: synthetic HDF5, $(sed -n 's/^# n: //p' "$dir/ten.idx") train images 3x64x64 uint8 + 2000 val + 2000 test, $((src_bytes / 1000000)) MB"
    echo "# index: 10% uniformly at random, $(sed -n 's/^# m: //p' "$dir/ten.idx") samples"
    printf '%-34s %12s %10s %12s\n' "command" "peak RSS MB" "wall s" "output MB"
} | tee "$out"
worst=0
for args in "--compression gzip -o $dir/out.h5" "--compression zstd -o $dir/out.h5" \
            "--compression none -o $dir/out.h5" "--format npz -o $dir/out.npz"; do
    rm -f "$dir"/out.*
    # shellcheck disable=SC2086
    /usr/bin/time -v "$CS" -q export "$dir/ten.idx" $args 2>"$dir/time"
    kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$dir/time")
    o=$(echo "$args" | awk '{ print $NF }')
    spot_check "$o"
    [ "$kb" -gt "$worst" ] && worst=$kb
    printf '%-34s %12.1f %10s %12d\n' "export $(echo "$args" | sed "s|$dir/||")" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
        "$wall" $(($(stat -c %s "$o") / 1000000)) | tee -a "$out"
done
if [ "$worst" -lt "$LIMIT_KB" ]; then
    echo "# peak RSS at most $((worst / 1024)) MB: under the 200 MB limit" | tee -a "$out"
else
    echo "# peak RSS $((worst / 1024)) MB: over the 200 MB limit" | tee -a "$out"
    exit 1
fi
