#!/bin/sh
# SPDX-License-Identifier: MIT
# Reliability runs (docs/reliability.md).
#   stress.sh soak BUILD BUILD_ASAN SECONDS RACE_SECONDS
#       the soak (tests/stress/wsk_stress) on io_uring then epoll, SECONDS
#       each, with RACE_SECONDS of close/cancel races at the end of each;
#       then the races again under ASan+UBSan, RACE_SECONDS per backend.
#   stress.sh tsan BUILD_TSAN RACE_SECONDS
#       the races, WskCloseSocket against re-posted receives and re-armed
#       events (test_wsk_close_races, OPENWSK_RACE_ROUNDS rounds, default
#       6000 here) and the short stress under ThreadSanitizer.
set -eu
mode=$1; shift
run() { echo "+ $*"; "$@"; }
case $mode in
soak)
    build=$1 asan=$2 secs=$3 race=$4
    for be in uring epoll; do
        run env OPENWSK_BACKEND=$be STRESS_SECONDS=$secs STRESS_RACE_SECONDS=$race "$build/wsk_stress"
    done
    for be in uring epoll; do
        run env OPENWSK_BACKEND=$be RACE_SECONDS=$race \
            ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$asan/wsk_races"
    done
    ;;
tsan)
    build=$1 race=$2
    # TSan needs a non-randomised layout on some kernels ("unexpected memory mapping").
    wrap=""
    if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
        wrap="setarch $(uname -m) -R"
    fi
    for be in uring epoll; do
        run env OPENWSK_BACKEND=$be TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 RACE_SECONDS=$race \
            $wrap "$build/wsk_races"
        run env OPENWSK_BACKEND=$be TSAN_OPTIONS=halt_on_error=1 $wrap "$build/test_stress_short"
        run env OPENWSK_BACKEND=$be TSAN_OPTIONS=halt_on_error=1 $wrap "$build/test_stress_short_races"
        run env OPENWSK_BACKEND=$be TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
            OPENWSK_RACE_ROUNDS=${OPENWSK_RACE_ROUNDS:-6000} $wrap "$build/test_wsk_close_races"
    done
    ;;
*)
    echo "usage: stress.sh soak|tsan ..." >&2; exit 1 ;;
esac
