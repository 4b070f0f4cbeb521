#!/bin/sh
# SPDX-License-Identifier: MIT
# Fast Open across a real round-trip time: two network namespaces joined by
# two TUN devices and bench_relay, which holds each packet RTT/2. Client
# (bench_wsk tfo) in one, server (bench_server tfo) in the other.
#   sh bench/tfo.sh BIN_DIR RTT_MS ROUNDS     prints TRIAL lines; exit 77 = unavailable
BIN=$1 RTT=$2 ROUNDS=${3:-3}
C=owbc$$ S=owbs$$ T=$(mktemp -d)
cleanup() {
    exec 3>&- 4>&-
    [ -n "$RELAY" ] && wait "$RELAY" 2>/dev/null
    [ -n "$SERVER" ] && wait "$SERVER" 2>/dev/null
    ip netns del "$C" 2>/dev/null; ip netns del "$S" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
[ -c /dev/net/tun ] || { echo "no /dev/net/tun"; exit 77; }
ip netns add "$C" && ip netns add "$S" || { echo "ip netns add refused"; exit 77; }

mkfifo "$T/relay" "$T/server"
"$BIN/bench_relay" owbA$$ owbB$$ $((RTT * 500)) < "$T/relay" > "$T/ready" &
RELAY=$!
exec 3> "$T/relay"
i=0
until grep -q READY "$T/ready" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 50 ] && { echo "relay did not start (TUN refused?)"; exit 77; }
    sleep 0.1
done
for ns in "$C:owbA$$:10.77.0.1" "$S:owbB$$:10.77.0.2"; do
    n=${ns%%:*} rest=${ns#*:}; dev=${rest%%:*} addr=${rest#*:}
    ip link set "$dev" netns "$n" &&
    ip -n "$n" link set lo up &&
    ip -n "$n" addr add "$addr/24" dev "$dev" &&
    ip -n "$n" link set "$dev" up &&
    ip netns exec "$n" sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_fastopen' || { echo "cannot configure $n"; exit 77; }
done

ip netns exec "$S" "$BIN/bench_server" tfo 10.77.0.2 7000 < "$T/server" > "$T/sout" &
SERVER=$!
exec 4> "$T/server"
i=0
until grep -q PORT "$T/sout" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 50 ] && { echo "server did not start"; exit 1; }
    sleep 0.1
done

n=$(( RTT >= 50 ? 5 : 10 ))
r=1
while [ $r -le "$ROUNDS" ]; do
    for tfo in 0 1; do
        [ $((r % 2)) -eq 0 ] && tfo=$((1 - tfo))
        side=wsk-notfo; [ $tfo -eq 1 ] && side=wsk-tfo
        line=$(ip netns exec "$C" "$BIN/bench_wsk" tfo addr=10.77.0.2 port=7000 tfo=$tfo n=$n | grep '^RESULT')
        echo "TRIAL $side $r ${line#RESULT }"
    done
    r=$((r + 1))
done
exit 0
