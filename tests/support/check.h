/* SPDX-License-Identifier: MIT */
/* The one test vocabulary, shared by every test program (unit, io, the
 * engine's Linux-side tests) and built on by wsktest.h:
 *   - exit codes OW_TEST_PASS / OW_TEST_FAIL / OW_TEST_SKIP (ctest's
 *     SKIP_RETURN_CODE, tests/sh/check.sh says the same for scripts);
 *   - CHECK(cond[, fmt, ...]), CHECK_EQ(a, b), CHECK_STATUS(st, want): each
 *     failure prints "FAIL file:line: ..." on stderr and is counted, the
 *     program goes on (or stops at once when ow_test_fail_fast is set);
 *   - FAIL(fmt, ...): a failure that no single expression states;
 *   - SKIP(fmt, ...): prints "skip: <reason>" and returns OW_TEST_SKIP;
 *   - ow_test_result(name): "name: ok" and OW_TEST_PASS, or the count of
 *     failures and OW_TEST_FAIL.
 * No WDK and no Linux socket header is needed: CHECK_STATUS expands to
 * NTSTATUS and OwStatusName, which only the tests that use it declare.
 * The functions live in check.c (library ow_testsupport). */
#ifndef OPENWSK_TEST_CHECK_H
#define OPENWSK_TEST_CHECK_H

#define OW_TEST_PASS 0
#define OW_TEST_FAIL 1
#define OW_TEST_SKIP 77

/* Failed checks so far; a test may count a failure of its own with ++. */
extern int ow_test_failures;
/* When non-zero, the first failed check exits the program with OW_TEST_FAIL
 * (for tests whose later steps would only crash after a failure). */
extern int ow_test_fail_fast;
/* Optional name of the case under way, printed in failure lines. */
extern const char *ow_test_case;

/* Reports one failed check. fmt always starts with a space (the macros
 * below prepend it), so that a check without a message needs no format. */
void ow_check_failed(const char *file, int line, const char *expr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints "skip: <reason>" on stdout; returns OW_TEST_SKIP. */
int ow_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the verdict for name; returns OW_TEST_PASS or OW_TEST_FAIL. */
int ow_test_result(const char *name);

/* CHECK(cond) or CHECK(cond, "fmt", args...): the message says what went wrong. */
#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond))                                                              \
            ow_check_failed(__FILE__, __LINE__, #cond, " " __VA_ARGS__);          \
    } while (0)

/* Integers compared as long long, both values printed. */
#define CHECK_EQ(a, b)                                                            \
    do {                                                                          \
        long long ow_a_ = (long long)(a), ow_b_ = (long long)(b);                 \
        if (ow_a_ != ow_b_)                                                       \
            ow_check_failed(__FILE__, __LINE__, #a " == " #b,                     \
                            " %s == %lld, expected %s == %lld", #a, ow_a_, #b, ow_b_); \
    } while (0)

/* Evaluates st once (it is often the call under test), names both statuses. */
#define CHECK_STATUS(st, want)                                                    \
    do {                                                                          \
        NTSTATUS ow_got_ = (st), ow_want_ = (want);                               \
        if (ow_got_ != ow_want_)                                                  \
            ow_check_failed(__FILE__, __LINE__, #st, " got %s, want %s",          \
                            OwStatusName(ow_got_), OwStatusName(ow_want_));        \
    } while (0)

/* An unconditional failure, counted like a failed CHECK. */
#define FAIL(...) ow_check_failed(__FILE__, __LINE__, "", " " __VA_ARGS__)

/* Leaves the calling function (main, or a child's body) with a skip. */
#define SKIP(...) return ow_test_skip(__VA_ARGS__)

/* Bug-check expectations (kernel-services and verifier tests): runs fn in a
 * child with stderr on a pipe and checks that the child died of SIGABRT with
 * every string of want (NULL-ended) on its stderr. */
void ow_test_expect_bugcheck(const char *what, void (*fn)(void), const char *const *want);
#define CHECK_BUGCHECK(fn, ...)                                                   \
    do {                                                                          \
        static const char *const ow_want_##fn[] = { __VA_ARGS__, NULL };          \
        ow_test_expect_bugcheck(#fn, fn, ow_want_##fn);                           \
    } while (0)

/* For tests of the provider's own answers on bad input, which the verifier
 * would stop on: when OPENWSK_VERIFIER is on, runs the program again (argv)
 * with it off, since the verifier reads the switch before main. Returns
 * only when the verifier is off (or the re-run failed: then it says so). */
void ow_test_without_verifier(char **argv);

/* Runs fn with its stderr (fd 2) captured into buf (NUL-terminated). */
void ow_test_capture_stderr(void (*fn)(void), char *buf, unsigned long size);

#endif
