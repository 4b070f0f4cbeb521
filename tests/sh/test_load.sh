#!/bin/bash
# SPDX-License-Identifier: MIT
# openwsk-load end to end, the way a user does it: install, generate the WPP
# stand-ins with openwsk-tmh, build the sample driver (tests/drivers/) with
# the documented line `cc -shared -fPIC $(pkg-config --cflags openwsk)`, run
# it under openwsk-load, talk to it with plain TCP clients (bash /dev/tcp),
# stop it with a signal and check the exit code and the leak report.
# Args: $1 source dir, $2 build dir.
set -u
. "$(dirname "$0")/check.sh"
S="$1"; B="$2"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit $OW_TEST_FAIL; }

cmake --install "$B" --prefix "$tmp/prefix" >/dev/null || fail "cmake --install"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
LOAD="$tmp/prefix/bin/openwsk-load"
TMH="$tmp/prefix/bin/openwsk-tmh"
[ -x "$LOAD" ] || fail "openwsk-load not installed in bin/"
[ -x "$TMH" ] || fail "openwsk-tmh not installed in bin/"

"$TMH" -o "$tmp/tmh" "$S/tests/drivers/echo_driver.c" || fail "openwsk-tmh"
[ -f "$tmp/tmh/echo_driver.tmh" ] || fail "openwsk-tmh wrote no echo_driver.tmh"
CFLAGS="-std=c11 -Wall -Wextra -Werror"
build() {   # out.so source extra-flags...
    local out=$1 src=$2; shift 2
    cc $CFLAGS -shared -fPIC $(pkg-config --cflags openwsk) -I"$tmp/tmh" "$@" "$src" -o "$out" ||
        fail "building $out"
}
build "$tmp/echo_driver.so" "$S/tests/drivers/echo_driver.c"
build "$tmp/leaky_driver.so" "$S/tests/drivers/echo_driver.c" -DECHO_LEAK -DECHO_DEFINE_BSD
build "$tmp/missing_driver.so" "$S/tests/drivers/missing_driver.c"

# start NAME.so LOG: runs the driver on a free port; sets PORT and PID.
start() {
    local so=$1 log=$2
    for attempt in 1 2 3 4 5; do
        PORT=$(( 20000 + (RANDOM * 7 + $$ + attempt * 911) % 40000 ))
        "$LOAD" "$so" --param Port=$PORT --param Greeting=hello >"$log" 2>&1 &
        PID=$!
        pids+=("$PID")
        for _ in $(seq 100); do
            grep -q "running until SIGINT or SIGTERM" "$log" && return 0
            kill -0 "$PID" 2>/dev/null || break
            sleep 0.05
        done
        wait "$PID" 2>/dev/null
        grep -q "STATUS_ADDRESS_ALREADY_EXISTS" "$log" || fail "$so did not start (see $log)"
    done
    fail "no free port for $so"
}

# echo_check PORT: three concurrent clients, each sends and reads its echo.
echo_check() {
    local port=$1
    exec 5<>"/dev/tcp/127.0.0.1/$port" 6<>"/dev/tcp/127.0.0.1/$port" 7<>"/dev/tcp/127.0.0.1/$port" ||
        fail "cannot connect to 127.0.0.1:$port"
    echo "one-$port" >&5; echo "two-$port" >&6; echo "three-$port" >&7
    local a b c
    read -r -t 5 a <&5; read -r -t 5 b <&6; read -r -t 5 c <&7
    [ "$a" = "one-$port" ] && [ "$b" = "two-$port" ] && [ "$c" = "three-$port" ] ||
        fail "echo mismatch: '$a' '$b' '$c'"
    local big; big=$(head -c 20000 /dev/zero | tr '\0' 'x')
    echo "$big" >&6
    local back; read -r -t 5 back <&6
    [ "$back" = "$big" ] || fail "20000-byte echo came back with ${#back} bytes"
    exec 5>&- 6>&- 7>&-
}

# stop PID SIGNAL: signals it and returns its exit code in RC.
stop() {
    kill "-$2" "$1"
    local waited=0
    while kill -0 "$1" 2>/dev/null && [ $waited -lt 200 ]; do sleep 0.05; waited=$((waited + 1)); done
    kill -0 "$1" 2>/dev/null && fail "openwsk-load did not exit after SIG$2"
    wait "$1"; RC=$?
}

# 1. The echo driver: echoes, unloads cleanly on SIGTERM, exit 0.
start "$tmp/echo_driver.so" "$tmp/echo.log"
echo_check "$PORT"
sleep 0.2
stop "$PID" TERM
[ "$RC" = 0 ] || fail "echo driver: exit $RC, want 0"
grep -q "unloaded cleanly" "$tmp/echo.log" || fail "no clean-unload line"
grep -q "echo_driver: DriverEntry \\\\Registry\\\\Machine\\\\System\\\\CurrentControlSet\\\\Services\\\\echo_driver" "$tmp/echo.log" ||
    fail "DriverEntry did not get the registry path"
grep -q "\[TRACE_DRIVER\] DriverEntry: listening on port $PORT: STATUS_SUCCESS" "$tmp/echo.log" ||
    fail "WPP trace (%!FUNC!, %!STATUS!) not routed to DbgPrint"

# 2. A driver that leaks pool, defines BSD socket functions of its own, and
#    is stopped with SIGINT while a connection is still open: exit 2 naming
#    the tag; its connect/send/socket never capture the library's calls.
start "$tmp/leaky_driver.so" "$tmp/leaky.log"
echo_check "$PORT"
exec 8<>"/dev/tcp/127.0.0.1/$PORT"
echo ping >&8; read -r -t 5 pong <&8; [ "$pong" = ping ] || fail "open connection did not echo"
stop "$PID" INT
exec 8>&-
[ "$RC" = 2 ] || fail "leaky driver: exit $RC, want 2"
grep -q "pool tag 'Leak': 1 allocation, 24 bytes outstanding" "$tmp/leaky.log" || fail "leak of tag 'Leak' not reported"
grep -q "SIGINT received" "$tmp/leaky.log" || fail "SIGINT not reported"
grep -q "hijacked" "$tmp/leaky.log" && fail "the driver's own BSD functions captured the library's libc calls"

# 3. A missing kernel routine is named, not a crash.
"$LOAD" "$tmp/missing_driver.so" >"$tmp/missing.log" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "missing symbol: exit $RC, want 1"
grep -q "missing_driver.so needs IoRegisterPlugPlayNotification, which OpenWSK does not provide yet" "$tmp/missing.log" ||
    fail "missing symbol not named"

# 4. DriverEntry failure (no Port parameter) is reported by status name.
"$LOAD" "$tmp/echo_driver.so" >"$tmp/noport.log" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "DriverEntry failure: exit $RC, want 1"
grep -q "DriverEntry failed: STATUS_OBJECT_NAME_NOT_FOUND" "$tmp/noport.log" || fail "failure status not named"

# 5. Usage errors.
"$LOAD" >/dev/null 2>&1; [ $? = 1 ] || fail "no arguments: want exit 1"
"$LOAD" "$tmp/nonexistent.so" >"$tmp/none.log" 2>&1; [ $? = 1 ] || fail "missing file: want exit 1"
grep -q "cannot load" "$tmp/none.log" || fail "missing file not reported"

# 6. The event-driven echo driver (accept, receive with WskRelease, disconnect
#    events), on each backend: 50 concurrent plain TCP clients, over 127.0.0.1
#    and (dual-stack) ::1, each sending its own payload of a few KB and
#    reading it back byte for byte; one more connection is still open at
#    SIGTERM, which DriverUnload resets. Exit 0, nothing outstanding.
build "$tmp/event_echo_driver.so" "$S/tests/drivers/event_echo_driver.c"
EV_CLIENTS=50
for i in $(seq $EV_CLIENTS); do head -c $((1000 + i * 61)) /dev/urandom > "$tmp/ev.in.$i"; done
# ev_client HOST PORT I: sends ev.in.I and reads as many bytes back into ev.out.I.
ev_client() {
    local n; n=$(stat -c %s "$tmp/ev.in.$3")
    timeout 8 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 3
                       cat "$3" >&3 & head -c "$4" <&3 > "$5"; wait' \
        _ "$1" "$2" "$tmp/ev.in.$3" "$n" "$tmp/ev.out.$3"
}
for backend in uring epoll; do
    export OPENWSK_BACKEND=$backend
    rm -f "$tmp"/ev.out.*
    start "$tmp/event_echo_driver.so" "$tmp/event_$backend.log"
    hosts=(127.0.0.1)
    grep -q "event_echo_driver: listening on port $PORT (dual-stack)" "$tmp/event_$backend.log" && hosts+=(::1)
    cpids=()
    for i in $(seq $EV_CLIENTS); do
        ev_client "${hosts[i % ${#hosts[@]}]}" "$PORT" "$i" &
        cpids+=($!)
    done
    for i in $(seq $EV_CLIENTS); do
        wait "${cpids[i - 1]}" || fail "event driver ($backend): client $i exit $?"
        cmp -s "$tmp/ev.in.$i" "$tmp/ev.out.$i" ||
            fail "event driver ($backend): client $i echo differs ($(stat -c %s "$tmp/ev.out.$i" 2>/dev/null) of $(stat -c %s "$tmp/ev.in.$i") bytes)"
    done
    exec 8<>"/dev/tcp/127.0.0.1/$PORT" || fail "event driver ($backend): cannot connect"
    echo ping >&8; read -r -t 5 pong <&8; [ "$pong" = ping ] || fail "event driver ($backend): open connection did not echo"
    stop "$PID" TERM
    exec 8>&-
    unset OPENWSK_BACKEND
    [ "$RC" = 0 ] || fail "event driver ($backend): exit $RC, want 0"
    grep -q "event_echo_driver: unloaded after $((EV_CLIENTS + 1)) connections" "$tmp/event_$backend.log" ||
        fail "event driver ($backend): not every client was accepted"
    grep -q "event_echo_driver unloaded cleanly: no pool, IRP, socket, device or timer outstanding" "$tmp/event_$backend.log" ||
        fail "event driver ($backend): no clean-unload line"
done
# 7. A KSOCKET-style driver that defines *and calls* its own socket, bind,
#    listen, accept, connect, send, recv, getaddrinfo, htons… (issue 12: the
#    documented build bound those calls to glibc and crashed). Built exactly
#    as documented, on each backend: its calls reach its own definitions,
#    which echo through WSK; the loader names what it rebound.
LOAD_ASAN="$tmp/prefix/bin/openwsk-load-asan"
build "$tmp/bsd_driver.so" "$S/tests/drivers/bsd_driver.c"
# run_once LOADER SO LOG: DriverEntry, then SIGTERM at once; RC is the exit code.
run_once() {
    local loader=$1 so=$2 log=$3
    "$loader" "$so" >"$log" 2>&1 &
    PID=$!
    pids+=("$PID")
    for _ in $(seq 200); do
        grep -q "running until SIGINT or SIGTERM" "$log" && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$PID" 2>/dev/null && kill -TERM "$PID"
    wait "$PID"; RC=$?
}
for backend in uring epoll; do
    OPENWSK_BACKEND=$backend run_once "$LOAD" "$tmp/bsd_driver.so" "$tmp/bsd_$backend.log"
    [ "$RC" = 0 ] || fail "bsd driver ($backend): exit $RC, want 0"
    grep -q "bsd_driver: every call reached the driver's own definition" "$tmp/bsd_$backend.log" ||
        fail "bsd driver ($backend): its calls did not reach its own functions"
    grep -q "bsd_driver.so defines .*connect.* itself: its calls go to its own definitions" "$tmp/bsd_$backend.log" ||
        fail "bsd driver ($backend): the rebinding was not named"
done
# Linked -Bsymbolic, nothing needs rebinding; built -fvisibility=hidden,
# DriverEntry is still exported (wdm.h declares it so).
build "$tmp/bsd_symbolic.so" "$S/tests/drivers/bsd_driver.c" -Wl,-Bsymbolic
run_once "$LOAD" "$tmp/bsd_symbolic.so" "$tmp/bsd_symbolic.log"
[ "$RC" = 0 ] || fail "bsd driver -Bsymbolic: exit $RC"
grep -q "defines .* itself" "$tmp/bsd_symbolic.log" && fail "-Bsymbolic driver: rebinding reported"
build "$tmp/bsd_hidden.so" "$S/tests/drivers/bsd_driver.c" -fvisibility=hidden
run_once "$LOAD" "$tmp/bsd_hidden.so" "$tmp/bsd_hidden.log"
[ "$RC" = 0 ] || fail "bsd driver -fvisibility=hidden: exit $RC ($(cat "$tmp/bsd_hidden.log"))"
# A version script that makes DriverEntry local: the real cause is named.
printf '{ local: *; };\n' > "$tmp/local.map"
build "$tmp/bsd_local.so" "$S/tests/drivers/bsd_driver.c" -Wl,--version-script="$tmp/local.map"
"$LOAD" "$tmp/bsd_local.so" >"$tmp/bsd_local.log" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "local DriverEntry: exit $RC, want 1"
grep -q "exports no DriverEntry: DriverEntry is defined but local (static, or made local by a version script)" \
    "$tmp/bsd_local.log" || fail "local DriverEntry: cause not named ($(cat "$tmp/bsd_local.log"))"

# 8. openwsk-load-asan (installed by make install): the same driver built
#    with -fsanitize=address,undefined runs on each backend, and a heap
#    overflow in a driver is reported by AddressSanitizer.
[ -x "$LOAD_ASAN" ] || fail "openwsk-load-asan not installed in bin/"
SAN="-g -fsanitize=address,undefined -fno-omit-frame-pointer"
build "$tmp/bsd_asan.so" "$S/tests/drivers/bsd_driver.c" $SAN
for backend in uring epoll; do
    OPENWSK_BACKEND=$backend run_once "$LOAD_ASAN" "$tmp/bsd_asan.so" "$tmp/bsd_asan_$backend.log"
    [ "$RC" = 0 ] || fail "bsd driver under ASan ($backend): exit $RC"
    grep -q "bsd_driver: every call reached the driver's own definition" "$tmp/bsd_asan_$backend.log" ||
        fail "bsd driver under ASan ($backend): calls did not reach its own functions"
    grep -q "openwsk-load-asan: bsd_asan.so\|openwsk-load-asan: .*bsd_asan.so defines" "$tmp/bsd_asan_$backend.log" ||
        fail "bsd driver under ASan ($backend): not run by openwsk-load-asan"
done
build "$tmp/bsd_overflow.so" "$S/tests/drivers/bsd_driver.c" $SAN -DBSD_OVERFLOW
run_once "$LOAD_ASAN" "$tmp/bsd_overflow.so" "$tmp/bsd_overflow.log"
[ "$RC" != 0 ] || fail "heap overflow under openwsk-load-asan: exit 0"
grep -q "AddressSanitizer: heap-buffer-overflow" "$tmp/bsd_overflow.log" || fail "heap overflow not reported by ASan"
grep -q "in DriverEntry .*bsd_driver.c:[0-9]" "$tmp/bsd_overflow.log" || fail "the ASan report does not point into the driver"
echo "test_load: ok"
