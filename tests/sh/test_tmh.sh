#!/bin/bash
# SPDX-License-Identifier: MIT
# openwsk-tmh finds the WPP configuration where the compiler finds the
# header that holds it (issue 12: win-net-test keeps trace.h one folder up
# from its sources): through #include "..." beside the source, through -I
# directories, and through -scan:FILE; with none found it says so instead of
# writing a .tmh whose trace functions are missing at load time.
# Args: $1 source dir, $2 build dir.
set -u
S="$1"; B="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$B" --prefix "$tmp/prefix" >/dev/null || fail "cmake --install"
TMH="$tmp/prefix/bin/openwsk-tmh"
[ -x "$TMH" ] || fail "openwsk-tmh not installed in bin/"
[ -e "$S/scripts/openwsk-tmh" ] && fail "scripts/openwsk-tmh should have moved to tools/"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"

# win-net-test's layout: the configuration one folder up, a second header
# that includes it, the driver source in a subfolder.
mkdir -p "$tmp/proj/inc" "$tmp/proj/drv"
cat > "$tmp/proj/trace.h" <<'H'
// begin_wpp config
// FUNC TraceInfo{LEVEL=TRACE_LEVEL_INFORMATION, FLAGS=TRACE_NET}(MSG, ...);
// end_wpp
H
cat > "$tmp/proj/inc/common.h" <<'H'
#include "trace.h"
H
cat > "$tmp/proj/drv/drv.c" <<'C'
#include <ntddk.h>
#include "common.h"
#include "drv.tmh"
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TraceInfo("drv %d", 42);
    return STATUS_SUCCESS;
}
C

# 1. Without -I the header is not found: a warning naming the way out.
"$TMH" -o "$tmp/tmh0" "$tmp/proj/drv/drv.c" 2>"$tmp/warn.log" || fail "openwsk-tmh failed without -I"
grep -q "no WPP configuration" "$tmp/warn.log" || fail "no warning when the configuration is not found"
grep -q -- "-I DIR" "$tmp/warn.log" || fail "the warning does not say -I"

# 2. -I DIR (both spellings) finds inc/common.h, which includes ../trace.h
#    by the include path too.
"$TMH" -o "$tmp/tmh1" -I "$tmp/proj/inc" -I"$tmp/proj" "$tmp/proj/drv/drv.c" 2>"$tmp/i.log" ||
    fail "openwsk-tmh -I"
grep -q "no WPP configuration" "$tmp/i.log" && fail "warned although -I found the configuration"
grep -q "#define TraceInfo" "$tmp/tmh1/drv.tmh" || fail "-I: TraceInfo not defined in drv.tmh"

# 3. -scan:FILE, as tracewpp spells it.

"$TMH" -o "$tmp/tmh2" "-scan:$tmp/proj/trace.h" "$tmp/proj/drv/drv.c" 2>/dev/null || fail "openwsk-tmh -scan:"
grep -q "#define TraceInfo" "$tmp/tmh2/drv.tmh" || fail "-scan: TraceInfo not defined"

# 4. The generated .tmh builds and traces.
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags openwsk) -I"$tmp/proj/inc" -I"$tmp/proj" \
    -I"$tmp/tmh1" "$tmp/proj/drv/drv.c" -o "$tmp/drv.so" || fail "building with the generated .tmh"
"$tmp/prefix/bin/openwsk-load" "$tmp/drv.so" >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "running until" "$tmp/run.log" && break; sleep 0.05; done
kill -TERM $pid; wait $pid
grep -q "\[TRACE_NET\] drv 42" "$tmp/run.log" || { cat "$tmp/run.log"; fail "the trace did not print"; }
"$TMH" --help | grep -q -- "-scan:FILE" || fail "--help does not document -scan"
echo "test_tmh: ok"
