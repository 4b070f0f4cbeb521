#!/bin/bash
# SPDX-License-Identifier: MIT
# libopenwsk.so exports the API only (src/openwsk.map): no internal ow_*
# symbol, every export one of the WDK/WSK names or an Ow* extra, and the
# names a driver needs are there. Usage: test_exports.sh SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/check.sh"
build=$2
lib=$(ls "$build"/libopenwsk.so 2>/dev/null | head -n1)
if [ -z "$lib" ] || ! command -v nm >/dev/null; then
    ow_skip "no libopenwsk.so or no nm"
fi
exports=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
leaked=$(printf '%s\n' "$exports" | grep '^ow_' || true)
if [ -n "$leaked" ]; then
    ow_fail "internal ow_* symbols exported:"; printf '  %s\n' $leaked
fi
other=$(printf '%s\n' "$exports" |
        grep -Ev '^(Wsk|Io|Ke|Kf|Ex|Mm|Rtl|Zw|Ps|Ob|Dbg|vDbg|Interlocked|Ow)|^(InitializeSListHead|NPI_WSK_INTERFACE_ID)$' || true)
if [ -n "$other" ]; then
    ow_fail "exported symbols outside the API:"; printf '  %s\n' $other
fi
for need in WskRegister WskDeregister WskCaptureProviderNPI IoAllocateIrp \
            IofCompleteRequest KeWaitForSingleObject ExAllocatePoolWithTag DbgPrint RtlUnicodeToUTF8N OwStatusName \
            NPI_WSK_INTERFACE_ID; do
    if ! printf '%s\n' "$exports" | grep -qx "$need"; then
        ow_fail "$need is not exported"
    fi
done
echo "test_exports: $(printf '%s\n' "$exports" | wc -l) symbols exported"
ow_result test_exports
