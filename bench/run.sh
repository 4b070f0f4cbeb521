#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: builds are done by the Makefile; this runs every figure in a
# private network namespace (or on the host loopback, with a note), then
# writes bench/results/results.csv and results.png and prints the table.
#   sh bench/run.sh [BUILD_DIR]
# Environment: BENCH_ROUNDS (default 5), BENCH_QUICK=1 (smaller counts).
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
BIN=$BUILD/bench
OUT=$HERE/results
for p in bench_raw bench_wsk bench_wsk_shared bench_server bench_relay; do
    [ -x "$BIN/$p" ] || { echo "bench: $BIN/$p is not built (configure with -DOPENWSK_BENCH=ON)"; exit 1; }
done

if [ -z "$OW_BENCH_INNER" ]; then
    sh "$HERE/report.sh" --deps   # the namespace below has no network to fetch it
    if unshare -n true 2>/dev/null; then
        OW_BENCH_INNER=netns exec unshare -n sh "$0" "$BUILD"
    fi
    echo "note: network namespaces are refused here: running on the host loopback (its sysctls as they are)"
    OW_BENCH_INNER=host
fi
export OW_BENCH_INNER BENCH_SERVER=$BIN/bench_server
if [ "$OW_BENCH_INNER" = netns ]; then
    ip link set lo up
    echo 65535 > /proc/sys/net/core/somaxconn
    echo 65535 > /proc/sys/net/ipv4/tcp_max_syn_backlog
    echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range
    echo 3 > /proc/sys/net/ipv4/tcp_fastopen
    echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
fi

ROUNDS=${BENCH_ROUNDS:-5}
K=1; [ -n "$BENCH_QUICK" ] && K=4
mkdir -p "$OUT"
RAW=$OUT/raw.csv
echo "figure,case,side,round,metric,value" > "$RAW"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# trial FIGURE CASE SIDE ROUND -- command...: one run, its RESULT figures as rows.
trial() {
    fig=$1 cas=$2 side=$3 round=$4; shift 5
    line=$(timeout "${BENCH_TIMEOUT:-90}" "$@" 2>"$T/err" | grep '^RESULT')
    case $line in *errors=0*) ;; *) echo "  ! $fig $cas $side round $round: ${line:-no result} $(head -c 300 "$T/err")" ;; esac
    echo "$line" | tr ' ' '\n' | grep = | while IFS== read -r k v; do
        case $k in backend|errors|srv_conns|srv_bytes|syn_data) ;; *) echo "$fig,$cas,$side,$round,$k,$v" >> "$RAW" ;; esac
    done
}
wsk_u="env OPENWSK_BACKEND=uring $BIN/bench_wsk"
wsk_e="env OPENWSK_BACKEND=epoll $BIN/bench_wsk"

# Each round runs every side once, the order reversed on even rounds.
sides() { if [ $(($1 % 2)) -eq 1 ]; then echo "$2"; else echo "$2" | tr ' ' '\n' | tac | tr '\n' ' '; fi; }

echo "OpenWSK benchmarks: $ROUNDS rounds, $(nproc) CPUs, kernel $(uname -r), $OW_BENCH_INNER"
r=1
while [ $r -le $ROUNDS ]; do
    printf '  round %d/%d: connection rate' "$r" "$ROUNDS"
    for c in 1 64; do
        n=$((c == 1 ? 6000 / K : 12000 / K))
        for s in $(sides $r "raw-uring wsk-uring raw-epoll wsk-epoll"); do
            case $s in
            raw-uring) trial conn "c=$c" $s $r -- "$BIN/bench_raw" conn-uring n=$n c=$c ;;
            raw-epoll) trial conn "c=$c" $s $r -- "$BIN/bench_raw" conn-epoll n=$n c=$c ;;
            wsk-uring) trial conn "c=$c" $s $r -- $wsk_u conn n=$n c=$c ;;
            wsk-epoll) trial conn "c=$c" $s $r -- $wsk_e conn n=$n c=$c ;;
            esac
        done
    done
    printf ', ping-pong'
    for s in $(sides $r "raw-uring wsk-uring wsk-epoll"); do
        case $s in
        raw-uring) trial rr "64 B" $s $r -- "$BIN/bench_raw" rr n=$((20000 / K)) ;;
        wsk-uring) trial rr "64 B" $s $r -- $wsk_u rr n=$((20000 / K)) ;;
        wsk-epoll) trial rr "64 B" $s $r -- $wsk_e rr n=$((20000 / K)) ;;
        esac
    done
    printf ', throughput\n'
    for c in 1 16; do
        for s in $(sides $r "raw-uring wsk-uring wsk-epoll"); do
            case $s in
            raw-uring) trial stream "c=$c" $s $r -- "$BIN/bench_raw" stream n=$((8192 / K)) size=65536 c=$c ;;
            wsk-uring) trial stream "c=$c" $s $r -- $wsk_u stream n=$((8192 / K)) size=65536 c=$c ;;
            wsk-epoll) trial stream "c=$c" $s $r -- $wsk_e stream n=$((8192 / K)) size=65536 c=$c ;;
            esac
        done
    done
    r=$((r + 1))
done

# Figure 7, thread scaling: T = 1, 2, 4, ... up to half the CPUs; clients on
# CPUs 0..T-1, bench_server sink-mt on the other half (one thread and
# SO_REUSEPORT listener per CPU). Each T and Fast Open setting is a pair of
# its own in report.sh (written to pairs-threads.txt here).
NCPU=$(nproc)
TMAX=$((NCPU / 2)); [ "$TMAX" -lt 1 ] && TMAX=1
TS=""; t=1
while [ $t -le $TMAX ]; do TS="$TS $t"; t=$((t * 2)); done
echo "  thread scaling: T =$TS (up to half of $NCPU CPUs; the server has the other half)"
if [ "$TMAX" -eq 1 ]; then
    echo "  note: figure 7 stops at T = 1: with $NCPU CPUs the clients get CPU 0 and the server CPU 1;"
    echo "        a second client thread would share a CPU with the server and measure contention, not scaling"
fi
: > "$OUT/pairs-threads.txt"
for t in $TS; do
    for f in 0 1; do
        cas="T=$t"; [ $f = 1 ] && cas="T=$t TFO"
        for e in uring epoll; do
            echo "threads|$cas|rate|wsk-$e|raw-uring|conn/s|higher|7 threads $cas: WSK $e / raw liburing" >> "$OUT/pairs-threads.txt"
        done
    done
done
r=1
while [ $r -le $ROUNDS ]; do
    printf '  round %d/%d: thread scaling\n' "$r" "$ROUNDS"
    for t in $TS; do
        n=$((12000 / K * t))
        for f in 0 1; do
            cas="T=$t"; [ $f = 1 ] && cas="T=$t TFO"
            for s in $(sides $r "raw-uring wsk-uring wsk-epoll"); do
                case $s in
                raw-uring) trial threads "$cas" $s $r -- "$BIN/bench_raw" conn-threads n=$n c=64 threads=$t tfo=$f ;;
                # T engine shards pinned to the clients' CPUs 0..T-1, as the raw
                # side has T rings there (the default, one shard per CPU, would
                # put one on the server's half).
                wsk-uring) trial threads "$cas" $s $r -- env OPENWSK_ENGINE_THREADS=$t OPENWSK_ENGINE_PIN=1 $wsk_u conn-threads n=$n c=64 threads=$t tfo=$f ;;
                wsk-epoll) trial threads "$cas" $s $r -- env OPENWSK_ENGINE_THREADS=$t OPENWSK_ENGINE_PIN=1 $wsk_e conn-threads n=$n c=64 threads=$t tfo=$f ;;
                esac
            done
        done
    done
    r=$((r + 1))
done

# Both ends hold n descriptors each: 50,000 needs a hard RLIMIT_NOFILE above
# it (raising the hard limit needs CAP_SYS_RESOURCE); else the largest n that fits.
BIG=50000
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 50200 ]; then
    ulimit -Sn "$hard"
    BIG=$(( (hard - 200) / 1000 * 1000 ))
    echo "  note: hard RLIMIT_NOFILE is $hard here (no CAP_SYS_RESOURCE to raise it): the 50,000 figure runs at $BIG"
fi
export BENCH_BIG=$BIG
echo "  scale: 10,000 and $BIG held connections"
for r in 1 2; do
    for n in 10000 $BIG; do
        for s in $(sides $r "raw-epoll wsk-uring wsk-epoll"); do
            case $s in
            raw-epoll) trial scale "n=$( [ $n = 10000 ] && echo 10000 || echo big)" $s $r -- "$BIN/bench_raw" scale n=$((n / K)) c=256 ;;
            wsk-uring) trial scale "n=$( [ $n = 10000 ] && echo 10000 || echo big)" $s $r -- $wsk_u scale n=$((n / K)) c=256 ;;
            wsk-epoll) trial scale "n=$( [ $n = 10000 ] && echo 10000 || echo big)" $s $r -- $wsk_e scale n=$((n / K)) c=256 ;;
            esac
        done
    done
done

echo "  per-operation instructions (callgrind)"
if command -v valgrind >/dev/null 2>&1; then
    # Ir(2N) - Ir(N), divided by N: instructions per operation, start-up cancelled.
    ir() {
        valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" "$@" > /dev/null 2>"$T/cg.err"
        awk '/^summary:/ { print $2 }' "$T/cg.out"
    }
    # Of that, the program's own functions: any function with code lines in
    # bench/ (with what the compiler inlined into it, such as the WDK
    # header's IoSetCompletionRoutine), self cost. The rest is the library's
    # and libc's. Printed beside each WSK row, not a figure of its own.
    own_ir() {
        callgrind_annotate --auto=no --inclusive=no --threshold=100 "$T/cg.out" 2>/dev/null | awk '
            /^ *[0-9,]+ +\(/ {
                v = $1; gsub(",", "", v); rest = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", rest)
                split(rest, w, " "); n = split(w[1], a, ":"); fn = a[n]   # file:function [object]
                q = index(fn, sprintf("%c", 39)); if (q) fn = substr(fn, 1, q - 1)   # a recursion level: f'"'"'2
                cost[fn] += v; if (a[1] ~ /(^|\/)bench\//) own[fn] = 1
            }
            END { t = 0; for (f in own) t += cost[f]; print t }'
    }
    # Three rounds each: the epoll engine's count moves by hundreds between
    # runs (how many turns its loop takes per operation depends on timing,
    # and valgrind's timing is not a normal run's); the report takes the
    # median. A round is about 2 s.
    perop() { # FIG CASE SIDE MODE-CMD...
        fig=$1 cas=$2 side=$3; shift 3
        for r in 1 2 3; do
            a=$(ir "$@" n=1000) oa=$(own_ir)
            b=$(ir "$@" n=2000) ob=$(own_ir)
            [ -n "$a" ] && [ -n "$b" ] && echo "$fig,$cas,$side,$r,ir,$(((b - a) / 1000))" >> "$RAW"
            case $side in
            wsk-*) [ -n "$oa" ] && [ -n "$ob" ] && [ "$oa" != 0 ] &&
                   echo "$fig,$cas,$side,$r,ir_own,$(((ob - oa) / 1000))" >> "$RAW" ;;
            esac
        done
        case $side in
        wsk-*) awk -F, -v f="$fig" -v c="$cas" -v s="$side" '
            function median(x, n,   i, j, v) {
                for (i = 2; i <= n; i++) { v = x[i]; for (j = i - 1; j >= 1 && x[j] > v; j--) x[j + 1] = x[j]; x[j + 1] = v }
                return x[int((n + 1) / 2)]
            }
            $1 == f && $2 == c && $3 == s && $5 == "ir" { t[++n] = $6 + 0 }
            $1 == f && $2 == c && $3 == s && $5 == "ir_own" { o[++m] = $6 + 0 }
            END { if (n && m) printf "    %-9s %-13s %5d (median of %d), of which the program'"'"'s own functions %d, OpenWSK and libc %d\n", c, s, median(t, n), n, median(o, m), median(t, n) - median(o, m) }' "$RAW" ;;
        esac
    }
    perop callgrind "connect" raw-epoll "$BIN/bench_raw" conn-epoll c=1
    perop callgrind "connect" raw-uring "$BIN/bench_raw" conn-uring c=1
    perop callgrind "send+recv" raw-uring "$BIN/bench_raw" rr lat=0
    # Under valgrind the io_uring engine waits in poll(2) on its ring fd, not
    # in io_uring_enter (src/engine/uring.c): one more system call per wait
    # than a normal run, a few instructions each.
    for e in epoll uring; do
        export OPENWSK_BACKEND=$e
        perop callgrind "connect" wsk-$e "$BIN/bench_wsk" conn c=1
        perop callgrind "send+recv" wsk-$e "$BIN/bench_wsk" rr lat=0
    done
    # The shared library, as a driver linked with pkg-config runs it (the
    # rows above link the static one): its thread-local reads and calls
    # into libc go through the dynamic linker's tables.
    export OPENWSK_BACKEND=uring
    perop callgrind "connect" wsk-uring-so "$BIN/bench_wsk_shared" conn c=1
    perop callgrind "send+recv" wsk-uring-so "$BIN/bench_wsk_shared" rr lat=0
    unset OPENWSK_BACKEND
else
    echo "  note: valgrind is missing (apt-get install valgrind): skipped"
fi

echo "  Fast Open over a delayed path (TUN relay)"
for rtt in 10 50; do
    if [ "$OW_BENCH_INNER" = netns ]; then
        sh "$HERE/tfo.sh" "$BIN" "$rtt" 3 > "$T/tfo" 2>&1
        rc=$?
        if [ $rc -ne 0 ]; then
            echo "  note: Fast Open at RTT $rtt ms skipped: $(grep -v RESULT "$T/tfo" | tail -n 2 | tr '\n' ' ')"
            continue
        fi
        grep '^TRIAL' "$T/tfo" | while read -r _ side round rest; do
            echo "$rest" | tr ' ' '\n' | grep = | while IFS== read -r k v; do
                case $k in first_read_ms) echo "tfo,RTT $rtt ms,$side,$round,$k,$v" >> "$RAW" ;; esac
            done
        done
        grep 'syn_data=' "$T/tfo" | sed -n 's/.*\(syn_data=[0-9/]*\).*/    RTT '"$rtt"' ms: \1/p' | head -n 2
    else
        echo "  note: needs network namespaces: skipped"
    fi
done

sh "$HERE/report.sh" "$OUT"
