#!/bin/bash
# SPDX-License-Identifier: MIT
# wskcat as a user runs it: an echo listener and a client that sends with
# WskConnectEx; refused connections exit 2 naming the NTSTATUS.
# Args: $1 source dir, $2 build dir.
set -u
. "$(dirname "$0")/check.sh"
B="$2"
tmp=$(mktemp -d)
trap 'kill $lpid 2>/dev/null; rm -rf "$tmp"' EXIT

for backend in uring epoll; do
    export OPENWSK_BACKEND=$backend
    for fam in "" "-6"; do
        host=127.0.0.1; [ -n "$fam" ] && host=::1
        # Emptied here, not by the listener's own redirection: that runs in
        # the forked child, and until it does the loop below would read the
        # previous listener's port (under load, a client was refused there).
        : > "$tmp/l.err"
        "$B/wskcat" -l $fam --count 2 0 2>>"$tmp/l.err" & lpid=$!
        port=""
        for _ in $(seq 50); do
            port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/l.err")
            [ -n "$port" ] && break
            sleep 0.1
        done
        [ -n "$port" ] || ow_fatal "listener did not start ($backend $fam): $(cat "$tmp/l.err")"

        out=$(timeout 10 "$B/wskcat" $fam --data "hello over WSK" "$host" "$port") || ow_fatal "client exit $? ($backend $fam)"
        [ "$out" = "hello over WSK" ] || ow_fatal "echo was '$out' ($backend $fam)"

        head -c 200000 /dev/urandom > "$tmp/in"
        timeout 10 "$B/wskcat" $fam "$host" "$port" < "$tmp/in" > "$tmp/out" || ow_fatal "relay client exit $? ($backend $fam)"
        cmp -s "$tmp/in" "$tmp/out" || ow_fatal "relayed 200000 bytes differ ($backend $fam): got $(wc -c < "$tmp/out")"
        wait $lpid || ow_fatal "listener exit $? ($backend $fam)"
    done
    # Nothing listens on the port any more. Asked on the family of the
    # listener that had it (the last, IPv6): an IPv4 listener of a test
    # running beside this one may have been given the same number.
    timeout 10 "$B/wskcat" -6 --data x ::1 "$port" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || ow_fatal "refused connection exit $rc, want 2"
    grep -q STATUS_CONNECTION_REFUSED "$tmp/err" || ow_fatal "refusal message: $(cat "$tmp/err")"
done
"$B/wskcat" 2>/dev/null; [ $? -eq 1 ] || ow_fatal "usage exit code"
echo "test_wskcat: ok"
