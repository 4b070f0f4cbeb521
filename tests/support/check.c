/* SPDX-License-Identifier: MIT */
/* The test vocabulary's functions (check.h): failure reports and counting,
 * skips, verdicts, and the child-process helpers for bug-check tests. */
#include "check.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int ow_test_failures;
int ow_test_fail_fast;
const char *ow_test_case;

void ow_check_failed(const char *file, int line, const char *expr, const char *fmt, ...)
{
    fprintf(stderr, "FAIL %s:%d:", file, line);
    if (ow_test_case != NULL)
        fprintf(stderr, " [%s]", ow_test_case);
    int has_message = fmt[0] != '\0' && fmt[1] != '\0';   /* more than the leading space */
    if (expr[0] != '\0')
        fprintf(stderr, " %s%s", expr, has_message ? ":" : "");
    if (has_message) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    ow_test_failures++;
    if (ow_test_fail_fast)
        exit(OW_TEST_FAIL);
}

int ow_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("skip: ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    return OW_TEST_SKIP;
}

int ow_test_result(const char *name)
{
    if (ow_test_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, ow_test_failures);
        return OW_TEST_FAIL;
    }
    printf("%s: ok\n", name);
    return OW_TEST_PASS;
}

/* Reads everything from fd into buf (NUL-terminated). */
static void read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
}

void ow_test_expect_bugcheck(const char *what, void (*fn)(void), const char *const *want)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(OW_TEST_FAIL);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        fn();
        _exit(0);   /* not reached when the violation is caught */
    }
    close(fds[1]);
    static char out[8192];
    read_all(fds[0], out, sizeof(out));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
          "%s: child status 0x%x, want death by SIGABRT; stderr: %s", what, status, out);
    for (; want && *want; want++)
        CHECK(strstr(out, *want) != NULL, "%s: stderr lacks \"%s\"; got: %s", what, *want, out);
}

void ow_test_capture_stderr(void (*fn)(void), char *buf, unsigned long size)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(OW_TEST_FAIL);
    }
    fflush(stderr);
    int saved = dup(2);
    dup2(fds[1], 2);
    close(fds[1]);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    read_all(fds[0], buf, size);
    close(fds[0]);
}

void ow_test_without_verifier(char **argv)
{
    const char *vf = getenv("OPENWSK_VERIFIER");
    if (vf == NULL || strcmp(vf, "0") == 0)
        return;
    setenv("OPENWSK_VERIFIER", "0", 1);
    execv("/proc/self/exe", argv);
    perror("execv /proc/self/exe");
}
