#!/bin/bash
# SPDX-License-Identifier: MIT
# make install puts the man pages where man(1) finds them, and each renders
# without a groff warning. Args: $1 source dir, $2 build dir.
set -eu
. "$(dirname "$0")/check.sh"
S="$1"; B="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$B" --prefix "$tmp/prefix" >/dev/null
for page in man1/openwsk-load.1 man1/openwsk-tmh.1 man1/wskcat.1 man7/openwsk.7; do
    f="$tmp/prefix/share/man/$page"
    if [ ! -f "$f" ]; then
        ow_fail "$page not installed"
        continue
    fi
    grep -q '^\.SH NAME' "$f" || ow_fail "$page has no NAME section"
    if command -v groff >/dev/null; then
        warnings=$(groff -man -Tutf8 -ww -z "$f" 2>&1 || true)
        [ -z "$warnings" ] || ow_fail "$page: $warnings"
    fi
done
# Every environment variable the library reads is documented in openwsk(7).
for var in $(grep -rhoE 'getenv\("OPENWSK_[A-Z_]+"\)' "$S/src" | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
    grep -q "$var" "$S/man/openwsk.7" || ow_fail "$var is not in openwsk(7)"
done
ow_result test_man
