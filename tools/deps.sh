#!/usr/bin/env bash
# deps.sh {build|test|demo|fuzz} - install the Debian packages coreset needs for
# a purpose, only those missing.  As root it runs apt-get; otherwise it says
# what to install and goes on (the build then fails with a clear message, and
# tests that need a missing package skip visibly).
set -u
purpose=${1:-build}

build_pkgs="pkg-config gcc make libhdf5-dev libzstd-dev libyaml-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev libopenblas-dev libdnnl-dev"
test_pkgs="$build_pkgs python3 python3-numpy python3-h5py python3-hdf5plugin python3-torch python3-yaml python3-pil python3-torchvision dataset-fashion-mnist man-db groff-base"
demo_pkgs="$build_pkgs python3-h5py dataset-fashion-mnist"
fuzz_pkgs="$build_pkgs clang libclang-rt-14-dev"

case "$purpose" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
demo) want=$demo_pkgs ;;
fuzz) want=$fuzz_pkgs ;;
*) echo "usage: deps.sh {build|test|demo|fuzz}" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "coreset: warning: missing Debian packages:$missing" >&2
    echo "hint: apt-get install -y$missing (as root)" >&2
    exit 0
fi
echo "coreset: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine.
apt-get update -qq >/dev/null 2>&1 || apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/tmp/coreset-apt.log 2>&1 || {
    tail -20 /tmp/coreset-apt.log >&2
    echo "coreset: error: apt-get install failed (log: /tmp/coreset-apt.log)" >&2
    exit 1
}
