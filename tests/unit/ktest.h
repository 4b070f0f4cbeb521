/* Helpers for the kernel-services unit tests: checks that count failures,
 * stderr capture, and running code that must bug-check in a child process. */
#ifndef OPENWSK_KTEST_H
#define OPENWSK_KTEST_H

#include <ntddk.h>
#include <openwsk.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int kt_failures;
#define KT_CHECK(cond, ...)                                                   \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, "\n");                                            \
            kt_failures++;                                                    \
        }                                                                     \
    } while (0)
#define KT_STATUS(st, want) \
    KT_CHECK((st) == (want), "got %s, want %s", OwStatusName(st), OwStatusName(want))

static __attribute__((unused)) int kt_finish(const char *name)
{
    if (kt_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, kt_failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

/* Reads everything from fd into buf (NUL-terminated). */
static __attribute__((unused)) void kt_read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
}

/* Runs fn in a child with stderr on a pipe; checks that the child died of
 * SIGABRT and that its stderr contains every string in want (NULL-ended). */
static __attribute__((unused)) void kt_expect_bugcheck(const char *what, void (*fn)(void), const char *const *want)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(1);
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
    kt_read_all(fds[0], out, sizeof(out));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    KT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
             "%s: child status 0x%x, want death by SIGABRT; stderr: %s", what, status, out);
    for (; want && *want; want++)
        KT_CHECK(strstr(out, *want) != NULL, "%s: stderr lacks \"%s\"; got: %s", what, *want, out);
}

/* Captures what fn writes to stderr (fd 2) into buf. */
static __attribute__((unused)) void kt_capture_stderr(void (*fn)(void), char *buf, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(1);
    }
    fflush(stderr);
    int saved = dup(2);
    dup2(fds[1], 2);
    close(fds[1]);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    kt_read_all(fds[0], buf, size);
    close(fds[0]);
}

#endif
