#!/bin/sh
# SPDX-License-Identifier: MIT
# `make fuzz`: builds tests/fuzz/fuzz_wsk.c with clang (libFuzzer + ASan +
# UBSan) in BUILD_DIR and runs it for SECONDS, from a working copy of the
# seed corpus (tests/fuzz/corpus). A crash input lands in BUILD_DIR/crashes:
# fix the bug, then keep the input in tests/fuzz/regressions (fuzz_replay
# runs it in ctest from then on).
set -eu
build=${1:-build-fuzz} secs=${2:-300}
backend=${OPENWSK_BACKEND:-}
CC_FUZZ=${CC_FUZZ:-clang}
if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev
    else
        echo "make fuzz needs clang and its runtime: apt-get install clang libclang-rt-14-dev" >&2
        exit 1
    fi
fi
CXX_FUZZ=${CXX_FUZZ:-clang++}
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=$CC_FUZZ CXX=$CXX_FUZZ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug \
        -DOPENWSK_SANITIZE=ON -DOPENWSK_FUZZ=ON -DOPENWSK_BENCH=OFF
fi
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_wsk
mkdir -p "$build/corpus" "$build/crashes"
cp -n tests/fuzz/corpus/* "$build/corpus/" 2>/dev/null || true
echo "+ fuzz_wsk for $secs s${backend:+ on $backend}"
export OPENWSK_VERIFIER=0 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
set +e
"$build/fuzz_wsk" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len=1024 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/" "$build/corpus" 2>&1 | tee "$build/fuzz.log" | \
    grep -v "^#[0-9]*.*\(NEW\|REDUCE\|pulse\)" 
rc=$?
set -e
status=$(grep -c "^==[0-9]*==ERROR\|FUZZ FINDING\|deadly signal\|Test unit written" "$build/fuzz.log" || true)
if [ "$status" != 0 ]; then
    echo "fuzz: FINDING; crash input(s) in $build/crashes/ (keep in tests/fuzz/regressions once fixed)" >&2
    exit 1
fi
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz.log" || true
echo "fuzz: $secs s clean"
