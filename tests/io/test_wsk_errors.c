/* SPDX-License-Identifier: MIT */
/* Connection failures reach the client as the NTSTATUS of the one errno
 * table (docs/semantics.md): refused, network unreachable, host
 * unreachable, timed out. Runs in a private network namespace it makes
 * itself (loopback only; the unreachable routes emit no packet and the
 * timeout comes from a loopback listener whose accept queue is full).
 * Skips where namespaces are refused. */
#include "wsktest.h"
#include "support/netns.h"

#include <ip2string.h>

static WT_CLIENT cl;

static NTSTATUS connect_to(const char *ip, USHORT port, ULONG *elapsed_ms)
{
    SOCKADDR_STORAGE remote = wt_addr(AF_INET, port), wild = wt_any(AF_INET);
    PCSTR end;
    RtlIpv4StringToAddressA(ip, TRUE, &end, &((SOCKADDR_IN *)&remote)->sin_addr);
    PWSK_SOCKET s = wt_socket(&cl, AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    LARGE_INTEGER t0, t1, f;
    t0 = KeQueryPerformanceCounter(&f);
    st = wt_wait_ms(&c, d->WskConnect(s, (PSOCKADDR)&remote, 0, wt_arm(&c)), 30000);
    t1 = KeQueryPerformanceCounter(NULL);
    *elapsed_ms = (ULONG)((t1.QuadPart - t0.QuadPart) * 1000 / f.QuadPart);
    CHECK_STATUS(wt_wait(&c, d->WskCloseSocket(s, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return st;
}

int main(void)
{
    const char *why;
    if (ow_test_enter_netns(-1, &why) < 0) {
        SKIP("%s", why);
    }
    /* One SYN retry: a timed-out connect takes ~3 s instead of ~2 min. */
    if (ow_test_sysctl("net.ipv4.tcp_syn_retries", "1") < 0) {
        SKIP("cannot set net.ipv4.tcp_syn_retries in the namespace");
    }
    int have_unreachable_route = system("ip route add unreachable 198.51.100.0/24 2>/dev/null") == 0;
    USHORT full = ow_test_full_listener();
    wt_register(&cl);
    ULONG ms;

    CHECK_STATUS(connect_to("127.0.0.1", 9, &ms), STATUS_CONNECTION_REFUSED);
    CHECK_STATUS(connect_to("203.0.113.7", 80, &ms), STATUS_NETWORK_UNREACHABLE);   /* no route at all */
    if (have_unreachable_route)
        CHECK_STATUS(connect_to("198.51.100.7", 80, &ms), STATUS_HOST_UNREACHABLE);
    else
        printf("note: `ip route add unreachable` failed; host-unreachable case not run\n");
    if (full) {
        NTSTATUS st = connect_to("127.0.0.1", full, &ms);
        CHECK_STATUS(st, STATUS_IO_TIMEOUT);
        CHECK(ms >= 1000, "timed out after only %lu ms", (unsigned long)ms);
        printf("timeout after %lu ms\n", (unsigned long)ms);
    } else {
        CHECK(FALSE, "could not build a listener with a full accept queue");
    }
    ow_test_full_listener_close();
    wt_deregister(&cl);
    return wt_result("test_wsk_errors");
}
