/* SPDX-License-Identifier: MIT */
/* A client that defines BSD socket functions of its own (as KSOCKET's BSD
 * layer does: connect, send, recv, socket, getaddrinfo…) and is linked into
 * one program with the library must not capture the library's own libc
 * calls. Here each definition counts the call and forwards it to the kernel
 * with syscall(), so WSK keeps working either way; the test then checks
 * that no library call reached them. The engine enters the kernel through
 * syscall() (src/engine/sys.h) and takes getaddrinfo/getnameinfo from libc
 * itself (src/engine/resolve.c), so a static link must capture nothing: the
 * test fails naming every function that was captured. Under openwsk-load,
 * drivers are loaded RTLD_LOCAL and cannot capture anything
 * (tests/sh/test_load.sh proves that). */
#include "wsktest.h"

#include <sys/syscall.h>
#include <unistd.h>

static volatile LONG Captured[32];
static const char *const Names[] = { "socket", "connect", "bind", "listen", "accept", "accept4",
                                     "send", "recv", "sendto", "recvfrom", "sendmsg", "recvmsg",
                                     "setsockopt", "getsockopt", "getsockname", "getpeername",
                                     "shutdown", "getaddrinfo", "getnameinfo", "close", "read", "write",
                                     "poll", "epoll_ctl", "epoll_wait", NULL };
enum { F_SOCKET, F_CONNECT, F_BIND, F_LISTEN, F_ACCEPT, F_ACCEPT4, F_SEND, F_RECV, F_SENDTO,
       F_RECVFROM, F_SENDMSG, F_RECVMSG, F_SETSOCKOPT, F_GETSOCKOPT, F_GETSOCKNAME, F_GETPEERNAME,
       F_SHUTDOWN, F_GETADDRINFO, F_GETNAMEINFO, F_CLOSE, F_READ, F_WRITE, F_POLL, F_EPOLL_CTL,
       F_EPOLL_WAIT };
#define HIT(f) InterlockedIncrement(&Captured[f])

int socket(int d, int t, int p) { HIT(F_SOCKET); return (int)syscall(SYS_socket, d, t, p); }
int connect(int fd, const void *a, unsigned l) { HIT(F_CONNECT); return (int)syscall(SYS_connect, fd, a, l); }
int bind(int fd, const void *a, unsigned l) { HIT(F_BIND); return (int)syscall(SYS_bind, fd, a, l); }
int listen(int fd, int b) { HIT(F_LISTEN); return (int)syscall(SYS_listen, fd, b); }
int accept(int fd, void *a, unsigned *l) { HIT(F_ACCEPT); return (int)syscall(SYS_accept4, fd, a, l, 0); }
int accept4(int fd, void *a, unsigned *l, int f) { HIT(F_ACCEPT4); return (int)syscall(SYS_accept4, fd, a, l, f); }
SSIZE_T send(int fd, const void *b, SIZE_T n, int f)
{ HIT(F_SEND); return syscall(SYS_sendto, fd, b, n, f, NULL, 0); }
SSIZE_T recv(int fd, void *b, SIZE_T n, int f)
{ HIT(F_RECV); return syscall(SYS_recvfrom, fd, b, n, f, NULL, NULL); }
SSIZE_T sendto(int fd, const void *b, SIZE_T n, int f, const void *a, unsigned l)
{ HIT(F_SENDTO); return syscall(SYS_sendto, fd, b, n, f, a, l); }
SSIZE_T recvfrom(int fd, void *b, SIZE_T n, int f, void *a, unsigned *l)
{ HIT(F_RECVFROM); return syscall(SYS_recvfrom, fd, b, n, f, a, l); }
SSIZE_T sendmsg(int fd, const void *m, int f) { HIT(F_SENDMSG); return syscall(SYS_sendmsg, fd, m, f); }
SSIZE_T recvmsg(int fd, void *m, int f) { HIT(F_RECVMSG); return syscall(SYS_recvmsg, fd, m, f); }
int setsockopt(int fd, int lv, int o, const void *v, unsigned l)
{ HIT(F_SETSOCKOPT); return (int)syscall(SYS_setsockopt, fd, lv, o, v, l); }
int getsockopt(int fd, int lv, int o, void *v, unsigned *l)
{ HIT(F_GETSOCKOPT); return (int)syscall(SYS_getsockopt, fd, lv, o, v, l); }
int getsockname(int fd, void *a, unsigned *l) { HIT(F_GETSOCKNAME); return (int)syscall(SYS_getsockname, fd, a, l); }
int getpeername(int fd, void *a, unsigned *l) { HIT(F_GETPEERNAME); return (int)syscall(SYS_getpeername, fd, a, l); }
int shutdown(int fd, int how) { HIT(F_SHUTDOWN); return (int)syscall(SYS_shutdown, fd, how); }
int getaddrinfo(const char *n, const char *s, const void *h, void **r)
{ (void)n, (void)s, (void)h, (void)r; HIT(F_GETADDRINFO); return -4; /* EAI_FAIL */ }
int getnameinfo(const void *a, unsigned al, char *h, unsigned hl, char *s, unsigned sl, int f)
{ (void)a, (void)al, (void)h, (void)hl, (void)s, (void)sl, (void)f; HIT(F_GETNAMEINFO); return -4; }
/* Common names too: the engine's eventfd, epoll and readiness calls. */
int close(int fd) { HIT(F_CLOSE); return (int)syscall(SYS_close, fd); }
SSIZE_T read(int fd, void *b, SIZE_T n) { HIT(F_READ); return syscall(SYS_read, fd, b, n); }
SSIZE_T write(int fd, const void *b, SIZE_T n) { HIT(F_WRITE); return syscall(SYS_write, fd, b, n); }
int poll(void *fds, unsigned long n, int ms)
{
    struct { long s, ns; } ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    HIT(F_POLL);
    return (int)syscall(SYS_ppoll, fds, n, ms < 0 ? NULL : &ts, NULL, 8);
}
int epoll_ctl(int ep, int op, int fd, void *ev) { HIT(F_EPOLL_CTL); return (int)syscall(SYS_epoll_ctl, ep, op, fd, ev); }
int epoll_wait(int ep, void *ev, int n, int ms)
{ HIT(F_EPOLL_WAIT); return (int)syscall(SYS_epoll_pwait, ep, ev, n, ms, NULL, 8); }

int main(void)
{
    WT_CLIENT cl;
    WT_CALL c;
    wt_register(&cl);
    wt_init(&c);
    const WSK_PROVIDER_DISPATCH *pd = cl.Provider.Dispatch;

    /* Listener on 127.0.0.1:0, a WskSocketConnect to it, accept, send, receive. */
    SOCKADDR_STORAGE local = wt_addr(AF_INET, 0), remote;
    NTSTATUS st = wt_wait(&c, pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                            WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                            wt_arm(&c)));
    CHECK_STATUS(st, STATUS_SUCCESS);
    PWSK_SOCKET ls = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&local, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&local, wt_arm(&c))), STATUS_SUCCESS);
    remote = wt_addr(AF_INET, wt_port(&local));
    SOCKADDR_STORAGE any = wt_addr(AF_INET, 0);
    WT_CALL a;
    wt_init(&a);
    NTSTATUS accepting = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    st = wt_wait(&c, pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                          (PSOCKADDR)&any, (PSOCKADDR)&remote, 0, NULL, NULL, NULL,
                                          NULL, NULL, wt_arm(&c)));
    CHECK_STATUS(st, STATUS_SUCCESS);
    PWSK_SOCKET cs = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    CHECK_STATUS(wt_wait(&a, accepting), STATUS_SUCCESS);
    PWSK_SOCKET as = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    if (cs != NULL && as != NULL) {
        WT_BUF out, in;
        wt_buf_init(&out, 5, 1, 0);
        wt_buf_init(&in, 5, 1, 0);
        memcpy(out.Data, "hello", 5);
        const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch, *ad = as->Dispatch;
        CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &out.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
        CHECK_STATUS(wt_wait(&a, ad->WskReceive(as, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&a))), STATUS_SUCCESS);
        CHECK(memcmp(in.Data, "hello", 5) == 0, "echo data");
        CHECK_STATUS(wt_wait(&c, cd->WskCloseSocket(cs, wt_arm(&c))), STATUS_SUCCESS);
        CHECK_STATUS(wt_wait(&a, ad->WskCloseSocket(as, wt_arm(&a))), STATUS_SUCCESS);
        wt_buf_free(&out);
        wt_buf_free(&in);
    }
    CHECK_STATUS(wt_wait(&c, ld->WskCloseSocket(ls, wt_arm(&c))), STATUS_SUCCESS);

    /* Name resolution both ways: the client's getaddrinfo/getnameinfo would fail it. */
    static const WCHAR host[] = L"127.0.0.1";
    UNICODE_STRING hu = { sizeof(host) - sizeof(WCHAR), sizeof(host), (PWCH)host };
    PADDRINFOEXW res = NULL;
    CHECK_STATUS(wt_wait(&c, pd->WskGetAddressInfo(cl.Provider.Client, &hu, NULL, NS_ALL, NULL, NULL, &res,
                                                 NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    if (res != NULL)
        pd->WskFreeAddressInfo(cl.Provider.Client, res);
    WCHAR name[64], svc[16];
    UNICODE_STRING nu = { 0, sizeof(name), name }, su = { 0, sizeof(svc), svc };
    SOCKADDR_STORAGE lo = wt_addr(AF_INET, 80);
    CHECK_STATUS(wt_wait(&c, pd->WskGetNameInfo(cl.Provider.Client, (PSOCKADDR)&lo, sizeof(SOCKADDR_IN), &nu, &su,
                                              NI_NUMERICHOST | NI_NUMERICSERV, NULL, NULL, wt_arm(&c))),
                 STATUS_SUCCESS);
    wt_free(&a);
    wt_free(&c);
    wt_deregister(&cl);

    char list[512] = "";
    for (int i = 0; Names[i] != NULL; i++)
        if (Captured[i]) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof(list) - n, "%s%s x%ld", n ? ", " : "", Names[i], (long)Captured[i]);
        }
    CHECK(list[0] == '\0', "the client's own functions captured the library's libc calls: %s", list);
    return wt_result("test_libc_hijack");
}
