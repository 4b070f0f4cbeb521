# SPDX-License-Identifier: MIT
# The shell tests' share of the test vocabulary (tests/support/check.h):
# the same exit codes, "FAIL: ..." lines, and "skip: <reason>".
# Sourced by tests/sh/test_*.sh:  . "$(dirname "$0")/check.sh"
OW_TEST_PASS=0
OW_TEST_FAIL=1
OW_TEST_SKIP=77
ow_test_failures=0

# ow_fail MESSAGE: one failed check, counted; the script goes on.
ow_fail() { echo "FAIL: $*"; ow_test_failures=$((ow_test_failures + 1)); }
# ow_fatal MESSAGE: a failure after which nothing else can be checked.
ow_fatal() { echo "FAIL: $*"; exit $OW_TEST_FAIL; }
# ow_skip REASON: the test cannot run here.
ow_skip() { echo "skip: $*"; exit $OW_TEST_SKIP; }
# ow_result NAME: exits with the verdict.
ow_result() {
    if [ "$ow_test_failures" -ne 0 ]; then
        echo "$1: $ow_test_failures check(s) failed"
        exit $OW_TEST_FAIL
    fi
    echo "$1: ok"
    exit $OW_TEST_PASS
}
