/* SPDX-License-Identifier: MIT */
/* Where io_uring_setup is refused (container seccomp profiles,
 * kernel.io_uring_disabled), the engine falls back to epoll on its own and
 * WSK works; forcing OPENWSK_BACKEND=uring there fails WskRegister with a
 * clear status instead. Each case runs in a child, since seccomp filters
 * cannot be removed. */
#include "wsktest.h"
#include "support/nouring.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_auto(void)
{
    unsetenv("OPENWSK_BACKEND");
    if (ow_test_refuse_io_uring() < 0)
        SKIP("io_uring cannot be refused here (seccomp)");
    WT_CLIENT cl;
    wt_register(&cl);
    CHECK(strcmp(OwEngineBackend(), "epoll") == 0, "backend %s with io_uring refused", OwEngineBackend());
    /* And a socket works on it. */
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, cl.Provider.Dispatch->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM,
                                                              IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL,
                                                              NULL, NULL, NULL, NULL, wt_arm(&c)));
    CHECK_STATUS(st, STATUS_SUCCESS);
    if (NT_SUCCESS(st)) {
        PWSK_SOCKET s = (PWSK_SOCKET)c.Irp->IoStatus.Information;
        const WSK_PROVIDER_LISTEN_DISPATCH *d = s->Dispatch;
        SOCKADDR_STORAGE a = wt_addr(AF_INET, 0);
        CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&a, 0, wt_arm(&c))), STATUS_SUCCESS);
        CHECK_STATUS(wt_wait(&c, d->WskCloseSocket(s, wt_arm(&c))), STATUS_SUCCESS);
    }
    wt_free(&c);
    wt_deregister(&cl);
    return ow_test_failures ? OW_TEST_FAIL : OW_TEST_PASS;
}

static int child_forced(void)
{
    setenv("OPENWSK_BACKEND", "uring", 1);
    if (ow_test_refuse_io_uring() < 0)
        SKIP("io_uring cannot be refused here (seccomp)");
    static const WSK_CLIENT_DISPATCH dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };
    WSK_CLIENT_NPI npi = { NULL, &dispatch };
    WSK_REGISTRATION reg;
    NTSTATUS st = WskRegister(&npi, &reg);
    CHECK(!NT_SUCCESS(st), "WskRegister succeeded with a forced, refused io_uring");
    CHECK_STATUS(st, STATUS_ACCESS_DENIED);
    return ow_test_failures ? OW_TEST_FAIL : OW_TEST_PASS;
}

static int run(int (*fn)(void), const char *name)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int status = 0;
    waitpid(pid, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    printf("%s: %s\n", name, rc == OW_TEST_PASS ? "ok" : rc == OW_TEST_SKIP ? "skipped" : "FAILED");
    return rc;
}

int main(void)
{
    int a = run(child_auto, "auto selection with io_uring refused");
    int f = run(child_forced, "OPENWSK_BACKEND=uring with io_uring refused");
    if (a == OW_TEST_SKIP && f == OW_TEST_SKIP)
        return OW_TEST_SKIP;
    return (a == OW_TEST_PASS || a == OW_TEST_SKIP) && (f == OW_TEST_PASS || f == OW_TEST_SKIP) ? OW_TEST_PASS
                                                                                                 : OW_TEST_FAIL;
}
