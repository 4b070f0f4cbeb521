#!/bin/bash
# SPDX-License-Identifier: MIT
# libopenwsk.so's thread-local storage stays small. Every thread of a
# process that loads the library gets its own copy of that segment, zeroed
# when the thread starts, whether or not it ever calls WSK: the 64 KiB read
# buffers of the receive events once made it 136 KiB per thread. Buffers
# the engine threads need are per shard (ow_engine_scratch).
# Usage: test_tls_size.sh SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/check.sh"
build=$2
limit=4096
lib=$(ls "$build"/libopenwsk.so 2>/dev/null | head -n1)
if [ -z "$lib" ] || ! command -v readelf >/dev/null; then
    ow_skip "no libopenwsk.so or no readelf"
fi
memsz=$(readelf -lW "$lib" | awk '$1 == "TLS" { print $6 }')
if [ -z "$memsz" ]; then
    echo "test_tls_size: no TLS segment"
    ow_result test_tls_size
fi
bytes=$((memsz))
echo "test_tls_size: $bytes bytes of TLS per thread (limit $limit)"
if [ "$bytes" -gt "$limit" ]; then
    ow_fail "libopenwsk.so has $bytes bytes of thread-local storage per thread, over $limit:"
    readelf -sW "$lib" | awk '$4 == "TLS" && $3 >= 256 { printf "  %s: %d bytes\n", $8, $3 }'
fi
ow_result test_tls_size
