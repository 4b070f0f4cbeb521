#!/bin/bash
# wskcat as a user runs it: an echo listener and a client that sends with
# WskConnectEx; refused connections exit 2 naming the NTSTATUS.
# Args: $1 source dir, $2 build dir.
set -u
B="$2"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'kill $lpid 2>/dev/null; rm -rf "$tmp"' EXIT

for backend in uring epoll; do
    export OPENWSK_BACKEND=$backend
    for fam in "" "-6"; do
        host=127.0.0.1; [ -n "$fam" ] && host=::1
        "$B/wskcat" -l $fam --count 2 0 2>"$tmp/l.err" & lpid=$!
        port=""
        for _ in $(seq 50); do
            port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$tmp/l.err")
            [ -n "$port" ] && break
            sleep 0.1
        done
        [ -n "$port" ] || fail "listener did not start ($backend $fam): $(cat "$tmp/l.err")"

        out=$(timeout 10 "$B/wskcat" $fam --data "hello over WSK" "$host" "$port") || fail "client exit $? ($backend $fam)"
        [ "$out" = "hello over WSK" ] || fail "echo was '$out' ($backend $fam)"

        head -c 200000 /dev/urandom > "$tmp/in"
        timeout 10 "$B/wskcat" $fam "$host" "$port" < "$tmp/in" > "$tmp/out" || fail "relay client exit $? ($backend $fam)"
        cmp -s "$tmp/in" "$tmp/out" || fail "relayed 200000 bytes differ ($backend $fam): got $(wc -c < "$tmp/out")"
        wait $lpid || fail "listener exit $? ($backend $fam)"
    done
    # Nothing listens on the port any more.
    timeout 10 "$B/wskcat" --data x 127.0.0.1 "$port" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "refused connection exit $rc, want 2"
    grep -q STATUS_CONNECTION_REFUSED "$tmp/err" || fail "refusal message: $(cat "$tmp/err")"
done
"$B/wskcat" 2>/dev/null; [ $? -eq 1 ] || fail "usage exit code"
echo "test_wskcat: ok"
