#!/bin/bash
# libopenwsk.so exports the API only (src/openwsk.map): no internal ow_*
# symbol, every export one of the WDK/WSK names or an Ow* extra, and the
# names a driver needs are there. Usage: test_exports.sh SOURCE_DIR BUILD_DIR
set -u
build=$2
lib=$(ls "$build"/libopenwsk.so 2>/dev/null | head -n1)
if [ -z "$lib" ] || ! command -v nm >/dev/null; then
    echo "test_exports: skip: no libopenwsk.so or no nm"
    exit 77
fi
exports=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
fail=0
leaked=$(printf '%s\n' "$exports" | grep '^ow_' || true)
if [ -n "$leaked" ]; then
    echo "FAIL: internal ow_* symbols exported:"; printf '  %s\n' $leaked
    fail=1
fi
other=$(printf '%s\n' "$exports" |
        grep -Ev '^(Wsk|Io|Ke|Kf|Ex|Mm|Rtl|Zw|Ps|Ob|Dbg|vDbg|Interlocked|Ow)|^(InitializeSListHead|NPI_WSK_INTERFACE_ID)$' || true)
if [ -n "$other" ]; then
    echo "FAIL: exported symbols outside the API:"; printf '  %s\n' $other
    fail=1
fi
for need in WskRegister WskDeregister WskCaptureProviderNPI IoAllocateIrp \
            IofCompleteRequest KeWaitForSingleObject ExAllocatePoolWithTag DbgPrint RtlUnicodeToUTF8N OwStatusName \
            NPI_WSK_INTERFACE_ID; do
    if ! printf '%s\n' "$exports" | grep -qx "$need"; then
        echo "FAIL: $need is not exported"
        fail=1
    fi
done
echo "test_exports: $(printf '%s\n' "$exports" | wc -l) symbols exported"
[ $fail -eq 0 ] && echo "test_exports: ok"
exit $fail
