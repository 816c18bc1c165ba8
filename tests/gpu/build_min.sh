#!/usr/bin/env bash
# build_min.sh [OUTDIR] - the CUDA backend's checks built from nn/, train/ (Grad-CAM and
# focus) and common/ alone, with nvcc and cc, no Makefile and none of the libraries the
# full coreset binary links (HDF5, zstd, libyaml, libpng, OpenBLAS, oneDNN), which the
# device machine may not have.  Builds OUTDIR (default build/gpu-min)/{op_matrix,
# test_nn_backend, test_cuda_host, train_gpu_bench}.  cuDNN as the Makefile finds it:
# CUDNN_HOME, else CUDA_HOME's copy, else python3's nvidia-cudnn wheel.
set -eu
cd "$(dirname "$0")/../.."
O=${1:-build/gpu-min}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
NVCC=${NVCC:-$CUDA_HOME/bin/nvcc}
PY=${PY:-python3}
if [ -z "${CUDNN_HOME:-}" ]; then
    if [ -f "$CUDA_HOME/include/cudnn.h" ]; then CUDNN_HOME=$CUDA_HOME
    else CUDNN_HOME=$("$PY" -c 'import nvidia.cudnn as m; print(list(m.__path__)[0])' 2>/dev/null || true); fi
fi
[ -f "$CUDNN_HOME/include/cudnn.h" ] || { echo "build_min: no cudnn.h (CUDNN_HOME='$CUDNN_HOME')" >&2; exit 1; }
CUDNN_LIB=
for f in "$CUDNN_HOME"/lib64/libcudnn.so "$CUDNN_HOME"/lib/libcudnn.so "$CUDNN_HOME"/lib64/libcudnn.so.9 \
    "$CUDNN_HOME"/lib/libcudnn.so.9; do [ -f "$f" ] && { CUDNN_LIB=$f; break; }; done
[ -n "$CUDNN_LIB" ] || { echo "build_min: no libcudnn under $CUDNN_HOME" >&2; exit 1; }
# cuBLAS and the runtime: CUDA_HOME's, else the wheels beside cuDNN's (nvidia/cublas, ...)
NV=$(dirname "$CUDNN_HOME")
LIBDIRS="$CUDA_HOME/lib64"
for d in "$NV"/cublas/lib "$NV"/cuda_runtime/lib "$NV"/cu13/lib; do [ -d "$d" ] && LIBDIRS="$LIBDIRS $d"; done
LFLAGS="$CUDNN_LIB -Wl,-rpath,$(dirname "$CUDNN_LIB")"
for d in $LIBDIRS; do LFLAGS="$LFLAGS -L$d -Wl,-rpath,$d"; done
mkdir -p "$O/obj"
ARCH=${CUDA_ARCH:--gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90}
CFLAGS="-O2 -g -std=c11 -D_GNU_SOURCE -fopenmp -DCS_CUDA -DCS_GIT_DESC=\"min\" -I$CUDA_HOME/include"
NVFLAGS="-O2 -std=c++17 $ARCH -Xcompiler -fPIC -I. -I$CUDA_HOME/include -I$CUDNN_HOME/include"
objs=
for f in nn/*.c common/err.c common/rng.c common/omp_wait.c train/cam_layer.c train/gradcam.c train/focus.c; do
    o=$O/obj/$(echo "$f" | tr / _).o
    cc $CFLAGS -c -o "$o" "$f" &
    objs="$objs $o"
done
for f in nn/cuda/*.cu; do
    o=$O/obj/$(echo "$f" | tr / _).o
    # shellcheck disable=SC2086
    "$NVCC" $NVFLAGS -c -o "$o" "$f" &
    objs="$objs $o"
done
# shellcheck disable=SC2086
"$NVCC" $NVFLAGS -c -o "$O/obj/test_cuda_host.o" tests/cuda/test_cuda_host.cu &
wait
LIBS="$LFLAGS -lcublas -lcudart -lstdc++ -lm -lpthread"
# shellcheck disable=SC2086
{
    cc $CFLAGS -o "$O/op_matrix" tests/gpu/op_matrix.c $objs $LIBS
    cc $CFLAGS -o "$O/test_nn_backend" tests/test_nn_backend.c $objs $LIBS
    cc $CFLAGS -o "$O/train_gpu_bench" bench/train_gpu_bench.c $objs $LIBS
    cc -fopenmp -o "$O/test_cuda_host" "$O/obj/test_cuda_host.o" $objs $LIBS
}
echo "build_min: $O/{op_matrix,test_nn_backend,test_cuda_host,train_gpu_bench} (cuDNN $CUDNN_LIB)"
