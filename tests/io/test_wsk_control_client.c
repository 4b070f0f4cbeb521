/* SPDX-License-Identifier: MIT */
/* WskControlClient: the transport list (size query, overflow, content),
 * cached security descriptors, TDI behaviour, a pending
 * WSK_TRANSPORT_LIST_CHANGE that only a cancel (or WskDeregister) ends, and
 * the IRP rules of each code. */
#include "wsktest.h"

static WT_CLIENT cl;

static NTSTATUS ctl(ULONG code, SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out, SIZE_T *ret, PIRP irp)
{
    return cl.Provider.Dispatch->WskControlClient(cl.Provider.Client, code, in_size, in, out_size, out, ret, irp);
}

int main(void)
{
    wt_register(&cl);
    WT_CALL c;
    wt_init(&c);

    /* Transport list: size query, then the list. */
    SIZE_T need = 0;
    CHECK_STATUS(ctl(WSK_TRANSPORT_LIST_QUERY, 0, NULL, 0, NULL, &need, NULL), STATUS_BUFFER_OVERFLOW);
    CHECK(need == 4 * sizeof(WSK_TRANSPORT), "needed %lu", (unsigned long)need);
    WSK_TRANSPORT t[8];
    SIZE_T got = 0;
    CHECK_STATUS(ctl(WSK_TRANSPORT_LIST_QUERY, 0, NULL, sizeof(WSK_TRANSPORT), t, &got, NULL), STATUS_BUFFER_OVERFLOW);
    CHECK(got == need, "needed on overflow %lu", (unsigned long)got);
    memset(t, 0xcc, sizeof(t));
    CHECK_STATUS(ctl(WSK_TRANSPORT_LIST_QUERY, 0, NULL, sizeof(t), t, &got, NULL), STATUS_SUCCESS);
    CHECK(got == need, "returned %lu", (unsigned long)got);
    int seen = 0;
    static const GUID zero;
    for (SIZE_T i = 0; i < got / sizeof(WSK_TRANSPORT); i++) {
        CHECK(t[i].Version == MAKE_WSK_VERSION(1, 0), "version");
        CHECK(memcmp(&t[i].ProviderId, &zero, sizeof(zero)) == 0, "ProviderId zero");
        int k = (t[i].SocketType == SOCK_STREAM && t[i].Protocol == IPPROTO_TCP) ? 0
              : (t[i].SocketType == SOCK_DGRAM && t[i].Protocol == IPPROTO_UDP) ? 2 : -10;
        k += t[i].AddressFamily == AF_INET ? 0 : t[i].AddressFamily == AF_INET6 ? 1 : -10;
        if (k >= 0)
            seen |= 1 << k;
    }
    CHECK(seen == 0xf, "TCP/UDP over IPv4/IPv6: %#x", seen);
    /* It takes no IRP: one given is completed with STATUS_INVALID_PARAMETER. */
    CHECK_STATUS(wt_wait(&c, ctl(WSK_TRANSPORT_LIST_QUERY, 0, NULL, sizeof(t), t, NULL, wt_arm(&c))),
                 STATUS_INVALID_PARAMETER);

    /* Security descriptors: cached handle, released once. */
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)&c, cached = NULL;
    CHECK_STATUS(ctl(WSK_CACHE_SD, sizeof(sd), &sd, sizeof(cached), &cached, &got, NULL), STATUS_SUCCESS);
    CHECK(cached != NULL && got == sizeof(cached), "cached SD");
    CHECK_STATUS(ctl(WSK_RELEASE_SD, sizeof(cached), &cached, 0, NULL, NULL, NULL), STATUS_SUCCESS);
    CHECK_STATUS(ctl(WSK_RELEASE_SD, sizeof(cached), &cached, 0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* The input "contains a pointer to the SECURITY_DESCRIPTOR structure ...
     * that is being cached" (https://learn.microsoft.com/windows-hardware/drivers/network/wsk-cache-sd):
     * a NULL one is nothing to cache. Was: a handle came back. */
    PSECURITY_DESCRIPTOR none = NULL;
    cached = NULL;
    CHECK_STATUS(ctl(WSK_CACHE_SD, sizeof(none), &none, sizeof(cached), &cached, NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK(cached == NULL, "a handle for no security descriptor");

    ULONG tdi = WSK_TDI_BEHAVIOR_BYPASS_TDI;
    CHECK_STATUS(ctl(WSK_TDI_BEHAVIOR, sizeof(tdi), &tdi, 0, NULL, NULL, NULL), STATUS_SUCCESS);
    /* "If a WSK application uses the WSK_TDI_BEHAVIOR client control
     * operation, it must do so before it creates any sockets"
     * (https://learn.microsoft.com/windows-hardware/drivers/network/wsk-tdi-behavior):
     * afterwards STATUS_INVALID_DEVICE_STATE, as for
     * WSK_SET_STATIC_EVENT_CALLBACKS, even once that socket is closed.
     * Was: STATUS_SUCCESS at any time. */
    {
        PWSK_SOCKET s = wt_socket(&cl, AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
        CHECK_STATUS(ctl(WSK_TDI_BEHAVIOR, sizeof(tdi), &tdi, 0, NULL, NULL, NULL), STATUS_INVALID_DEVICE_STATE);
        wt_close(s);
        CHECK_STATUS(ctl(WSK_TDI_BEHAVIOR, sizeof(tdi), &tdi, 0, NULL, NULL, NULL), STATUS_INVALID_DEVICE_STATE);
    }
    CHECK_STATUS(ctl(0x777, 0, NULL, 0, NULL, NULL, NULL), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(wt_wait(&c, ctl(0x777, 0, NULL, 0, NULL, NULL, wt_arm(&c))), STATUS_NOT_SUPPORTED);

    /* Transport list change: pends; IRP required; a cancel ends it. */
    CHECK_STATUS(ctl(WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    NTSTATUS r = ctl(WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL, NULL, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK_STATUS(wt_wait_ms(&c, r, 200) == STATUS_TIMEOUT ? STATUS_TIMEOUT : STATUS_SUCCESS, STATUS_TIMEOUT);
    if (c.Completions == 0)
        ow_test_failures--;   /* the timeout above was the point */
    IoCancelIrp(c.Irp);
    CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);

    wt_free(&c);
    wt_deregister(&cl);
    return wt_result("test_wsk_control_client");
}
