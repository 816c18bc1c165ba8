#!/usr/bin/env bash
# fuzz_run.sh BUILD_DIR SECONDS - run every libFuzzer target for SECONDS each,
# seeded from fuzz/corpus/<target>/ (and real files where the target names them).
set -u
dir=$1
secs=$2
status=0
for bin in "$dir"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus=build/fuzz-corpus/$name
    mkdir -p "$corpus"
    seeds=fuzz/corpus/${name#fuzz_}
    [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
    echo "fuzz: $name for ${secs}s" >&2
    if "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix=build/fuzz-crash- "$corpus" \
        >"build/$name.log" 2>&1; then
        echo "fuzz: $name: no finding ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' build/$name.log))"
    else
        echo "fuzz: $name: FINDING, see build/$name.log" >&2
        status=1
    fi
done
exit $status
