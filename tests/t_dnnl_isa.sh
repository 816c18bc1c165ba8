#!/usr/bin/env bash
# t_dnnl_isa.sh - the oneDNN backend on the instruction sets of other CPUs.
# oneDNN picks its kernels by the CPU it runs on: where it has no jit kernel for
# our 16-channel-blocked layouts (a CPU without AVX-512, e.g. AMD Zen 2/3) the
# passes run on plain copies in the convolution's workspace.  That path once
# overran the workspace, corrupting the heap only on such CPUs.  ONEDNN_MAX_CPU_ISA
# makes any machine take it: test_nn_backend's op and model comparisons against
# the reference backend must pass under each cap.
. tests/lib.sh
B=${CORESET_BUILD:-build/cpu}
NNB=$B/tests/test_nn_backend
if [ ! -x "$NNB" ]; then skip dnnl-isa "'$NNB' not built (make test-build)"; exit 0; fi
for isa in AVX2 SSE41; do
    out=$(ONEDNN_MAX_CPU_ISA=$isa "$NNB" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | tail -1)
    if [ $rc = 0 ] && printf '%s\n' "$line" | grep -q ' 0 failed'; then pass "isa-$isa"
    else fail "isa-$isa" "exit $rc: $(printf '%s\n' "$out" | grep -E 'FAIL|corrupt|free' | head -3) $line"; fi
done
