#!/bin/bash
# SPDX-License-Identifier: MIT
# Every source file says its licence (LICENSE, MIT) in an SPDX line near its
# top: code, headers, scripts, build files, man pages. Data lists, fuzz
# inputs and prose are not source.
. "$(dirname "$0")/check.sh"
src=$1
cd "$src" || ow_fatal "no source tree at $src"
command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    ow_skip "not a git checkout: the file list comes from git ls-files"
test -f LICENSE || ow_fail "no LICENSE file"
n=0
while IFS= read -r f; do
    case $f in
        *.md|LICENSE|.gitignore|data/*|tests/fuzz/corpus/*|tests/fuzz/regressions/*|bench/results/*|*.txt) continue ;;
    esac
    n=$((n + 1))
    head -n 3 "$f" | grep -q "SPDX-License-Identifier: MIT" || ow_fail "$f: no SPDX-License-Identifier line in its first 3 lines"
done < <(git ls-files)
echo "test_spdx: $n source files checked"
ow_result test_spdx
