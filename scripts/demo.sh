#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: runs tools/wskdemo in a private network namespace with TCP Fast
# Open on (net.ipv4.tcp_fastopen=3, loopback only), or on the host's loopback
# with a one-line note where namespaces are refused.
BUILD=${1:-build}
DEMO="$BUILD/wskdemo"
[ -x "$DEMO" ] || { echo "demo: $DEMO is not built"; exit 1; }
echo "OpenWSK demo: a WSK echo listener and a WSK client, WskConnectEx with TCP Fast Open"
if unshare -n true 2>/dev/null; then
    echo "(private network namespace, loopback only, net.ipv4.tcp_fastopen=3)"
    exec unshare -n sh -c "ip link set lo up && echo 3 > /proc/sys/net/ipv4/tcp_fastopen && exec '$DEMO'"
fi
echo "note: network namespaces are refused here; running on the host loopback with its own tcp_fastopen=$(cat /proc/sys/net/ipv4/tcp_fastopen 2>/dev/null || echo '?')"
exec "$DEMO"
