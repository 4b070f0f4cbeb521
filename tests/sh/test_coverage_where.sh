#!/bin/bash
# SPDX-License-Identifier: MIT
# docs/coverage.md's "Where" column tells the truth: every function a row
# names is defined in one of the files the row gives. A socket call counts as
# defined where the ow_* function its dispatch table points to is (the
# `.WskBind = ow_bind` lines of src/wsk/); an event callback, in the table
# whose column reads "who calls it", where the file calls it.
# Names: the backticked ones of a "Functions" column, else the Wsk/Ke/Ex...
# names of the first column before any "(".
# And every function libopenwsk.so exports has a row; every section of
# include/wdm.h names its file.
# Args: $1 source dir, $2 build dir.
set -u
. "$(dirname "$0")/check.sh"
S=$1 B=${2:-}
doc="$S/docs/coverage.md"
[ -f "$doc" ] || ow_fatal "no $doc"

# defines FILE NAME: a definition at column 0 (its line does not end in ';'),
# a header's inline function, a #define, or a variable with an initialiser.
defines() {
    local f=$1 n=$2
    case $f in
    *.h) grep -Eq "^static (__inline|inline) .*[ *]$n\(|^#define $n\b" "$f" ;;
    *)   grep -Eq "^[A-Za-z_][A-Za-z0-9_ *]*[ *]$n *\((.*[^;])?\$|^[A-Za-z_][A-Za-z0-9_ *]*[ *]$n( *\[\])? *=" "$f" ;;
    esac
}

# implementations NAME: the ow_* functions the dispatch tables give for NAME
# (WskRelease has one per kind).
implementations() {
    grep -hoE "^ *(\.Basic = \{ )?\.$1 = [a-z_0-9]+" "$S"/src/wsk/*.c | sed 's/.* = //' | sort -u
}

rows=0 names=0
mode=""          # functions | first | callers
while IFS= read -r line; do
    case $line in
    "| "*" | Where"*|"| "*"| Where |"*)
        # a header row: which column holds the names, which the files
        IFS='|' read -r -a head <<<"$line"
        where_col=-1 func_col=1
        for i in "${!head[@]}"; do
            h=$(echo "${head[$i]}" | sed 's/^ *//; s/ *$//')
            case $h in
            Where*) where_col=$i ;;
            Functions) func_col=$i ;;
            esac
        done
        mode=first
        [ "$func_col" -ne 1 ] && mode=functions
        case $line in *"who calls it"*) mode=callers ;; esac
        continue ;;
    "|---"*) continue ;;
    "| "*) [ -n "$mode" ] || continue ;;
    *) mode=""; continue ;;
    esac
    IFS='|' read -r -a cell <<<"$line"
    files=$(echo "${cell[$where_col]}" | grep -oE '`[^`]+`' | tr -d '`')
    [ -n "$files" ] || continue                 # "—": nothing implements it
    if [ "$mode" = functions ]; then
        list=$(echo "${cell[$func_col]}" | grep -oE '`[A-Za-z_][A-Za-z0-9_]*`' | tr -d '`')
    else
        list=$(echo "${cell[1]}" | sed 's/(.*//' |
               grep -oE '\b(Wsk|Ke|Kf|Ex|Io|Mm|Rtl|Zw|Ps|Ob|Dbg|vDbg|Interlocked|Ow|NPI_)[A-Za-z0-9_]*' || true)
    fi
    [ -n "$list" ] || continue
    rows=$((rows + 1))
    for f in $files; do
        [ -f "$S/$f" ] || ow_fail "row '${cell[1]}': $f does not exist"
    done
    for n in $list; do
        names=$((names + 1))
        impl=$n
        [ "$mode" != callers ] && [ -n "$(implementations "$n")" ] && impl=$(implementations "$n")
        found=0
        for f in $files; do
            [ -f "$S/$f" ] || continue
            if [ "$mode" = callers ]; then
                grep -Eq -- "->$n\b" "$S/$f" && found=1
            else
                for i in $impl; do
                    defines "$S/$f" "$i" && found=1
                done
            fi
        done
        [ $found = 1 ] || ow_fail "$n: not $( [ "$mode" = callers ] && echo called || echo defined) in $(echo $files) (looked for $(echo $impl))"
    done
done < "$doc"

# Every section of include/wdm.h names its implementing file, or says it
# needs none, and the files it names exist.
while IFS= read -r sec; do
    case $sec in
    *"(header only"*|*src/*) ;;
    *) ow_fail "include/wdm.h section without its file: $sec" ;;
    esac
    for f in $(echo "$sec" | grep -oE 'src/[a-z_/]+\.c'); do
        [ -f "$S/$f" ] || ow_fail "include/wdm.h names $f, which does not exist"
    done
done < <(grep '^/\* ---- ' "$S/include/wdm.h")

lib="$B/libopenwsk.so"
if [ -f "$lib" ] && command -v nm >/dev/null; then
    for n in $(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u); do
        grep -q "\b$n\b" "$doc" || ow_fail "$n is exported but has no row in docs/coverage.md"
    done
else
    echo "note: no $lib or no nm: the exports were not compared"
fi

[ $rows -gt 40 ] || ow_fail "only $rows rows with a Where column found: the table format changed?"
echo "test_coverage_where: $names names in $rows rows checked"
ow_result test_coverage_where
