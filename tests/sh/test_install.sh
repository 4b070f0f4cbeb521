#!/bin/bash
# SPDX-License-Identifier: MIT
# make install into a temporary prefix, then build a user's WSK client with
# nothing but `pkg-config --cflags --libs openwsk`, and run it.
# Args: $1 source dir, $2 build dir.
set -eu
. "$(dirname "$0")/check.sh"
S="$1"; B="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$B" --prefix "$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
pkg-config --exists openwsk || ow_fatal "openwsk.pc not found under lib/pkgconfig"
cat > "$tmp/client.c" <<'C'
#include <ntddk.h>
#include <wsk.h>

#ifndef _KERNEL_MODE
#error "pkg-config --cflags openwsk must define _KERNEL_MODE, as the WDK's compiler settings do"
#endif

static const WSK_CLIENT_DISPATCH Dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

_Use_decl_annotations_
NTSTATUS Run(void)
{
    UNICODE_STRING name;
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI npi;
    WSK_CLIENT_NPI client = { NULL, &Dispatch };
    RtlInitUnicodeString(&name, L"\\Device\\OpenWsk");
    if (name.Length != 15 * sizeof(WCHAR))
        return STATUS_UNSUCCESSFUL;
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tsnI');
    if (p == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag(p, 'tsnI');
    NTSTATUS st = WskRegister(&client, &reg);
    if (!NT_SUCCESS(st))
        return st;
    st = WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &npi);
    if (NT_SUCCESS(st))
        WskReleaseProviderNPI(&reg);
    WskDeregister(&reg);
    return st;
}

int main(void) { return Run() == STATUS_SUCCESS ? 0 : 1; }
C
cc -std=c11 -Wall -Wextra -Werror "$tmp/client.c" -o "$tmp/client" $(pkg-config --cflags --libs openwsk)
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/client" || ow_fatal "the client built against the installed library failed"
cc -std=c11 -Wall -Wextra -Werror "$tmp/client.c" -o "$tmp/client-static" $(pkg-config --cflags openwsk) "$tmp/prefix/lib/libopenwsk.a" -luring -lpthread
"$tmp/client-static" || ow_fatal "static client failed"
test -f "$tmp/prefix/include/openwsk/wsk.h" || ow_fatal "headers not installed"
# The loaders, plain and sanitized, and the WPP stand-in's generator.
for tool in openwsk-load openwsk-load-asan openwsk-tmh; do
    test -x "$tmp/prefix/bin/$tool" || ow_fatal "$tool not installed in bin/"
done
"$tmp/prefix/bin/openwsk-load-asan" --help | grep -q "usage: openwsk-load" ||
    ow_fatal "openwsk-load-asan does not run"
echo "test_install: ok"
