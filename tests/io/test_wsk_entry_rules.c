/* SPDX-License-Identifier: MIT */
/* Entry-point rules that hold across the whole WSK surface.
 *
 * 1. The IRP is checked first. Every call that takes an IRP returns
 *    STATUS_INVALID_PARAMETER for a NULL one, whatever else is wrong with
 *    its arguments (wsk-facts.md 3.5: observed on Windows, "the IRP check
 *    comes first"). Each call below gets a NULL IRP plus another bad
 *    argument that has its own status. Was: WskSendEx with control
 *    information returned STATUS_NOT_SUPPORTED, WskReceiveEx with
 *    ControlFlags STATUS_INVALID_PARAMETER only by luck (issue 11 item 18).
 * 2. A UDP socket with WSK_FLAG_LISTEN_SOCKET: WskSocket succeeds and
 *    WskBind completes with STATUS_NOT_IMPLEMENTED, as observed on Windows
 *    (wsk-facts.md 3.4; the WskSocket page's Flags). Was: WskSocket failed
 *    with STATUS_NOT_SUPPORTED (issue 11 item 13). */
#include "wsktest.h"

static WT_CLIENT cl;

#define NULL_IRP(call) CHECK_STATUS((call), STATUS_INVALID_PARAMETER)

static void irp_first(void)
{
    puts("-- NULL IRP first");
    PWSK_SOCKET cs = wt_socket(&cl, AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    SOCKADDR_STORAGE v6 = wt_any(AF_INET6);   /* wrong family: STATUS_INVALID_ADDRESS with an IRP */
    WSK_BUF none = { 0 };
    CMSGHDR ctl = { 0 };
    ULONG ctl_len = sizeof(ctl), ctl_flags = 0;

    NULL_IRP(cd->WskBind(cs, (PSOCKADDR)&v6, 1, NULL));
    NULL_IRP(cd->WskConnect(cs, (PSOCKADDR)&v6, 1, NULL));
    NULL_IRP(cd->WskConnectEx(cs, (PSOCKADDR)&v6, NULL, 1, NULL));
    NULL_IRP(cd->WskGetLocalAddress(cs, NULL, NULL));
    NULL_IRP(cd->WskGetRemoteAddress(cs, NULL, NULL));
    NULL_IRP(cd->WskSend(cs, &none, WSK_FLAG_OOB, NULL));
    NULL_IRP(cd->WskReceive(cs, &none, WSK_FLAG_DRAIN, NULL));
    NULL_IRP(cd->WskDisconnect(cs, &none, WSK_FLAG_ABORTIVE | 0x100, NULL));
    NULL_IRP(cd->WskSendEx(cs, &none, WSK_FLAG_OOB, sizeof(ctl), &ctl, NULL));   /* was NOT_SUPPORTED */
    NULL_IRP(cd->WskReceiveEx(cs, &none, WSK_FLAG_DRAIN, &ctl_len, &ctl, &ctl_flags, NULL));
    NULL_IRP(cd->WskControlSocket(cs, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, 0, NULL, 0, NULL, NULL, NULL));
    NULL_IRP(cd->WskCloseSocket(cs, NULL));
    wt_close(cs);

    PWSK_SOCKET ls = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    WSK_INSPECT_ID id = { 0, 0 };
    NULL_IRP(ld->WskBind(ls, (PSOCKADDR)&v6, 1, NULL));
    NULL_IRP(ld->WskAccept(ls, 1, NULL, NULL, NULL, NULL, NULL));
    NULL_IRP(ld->WskInspectComplete(ls, &id, (WSK_INSPECT_ACTION)99, NULL));
    NULL_IRP(ld->WskGetLocalAddress(ls, NULL, NULL));
    wt_close(ls);

    PWSK_SOCKET ss = wt_socket(&cl, AF_INET, WSK_FLAG_STREAM_SOCKET, NULL, NULL);
    const WSK_PROVIDER_STREAM_DISPATCH *sd = ss->Dispatch;
    NULL_IRP(sd->WskListen(ss, NULL));
    NULL_IRP(sd->WskAccept(ss, 1, NULL, NULL, NULL, NULL, NULL));
    NULL_IRP(sd->WskSendEx(ss, &none, 0, sizeof(ctl), &ctl, NULL));
    wt_close(ss);

    PWSK_SOCKET ds;
    CHECK_STATUS(wt_socket_ex(&cl, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, &ds),
                 STATUS_SUCCESS);
    const WSK_PROVIDER_DATAGRAM_DISPATCH *dd = ds->Dispatch;
    WSK_BUF_LIST list = { NULL, { 0 } };
    NULL_IRP(dd->WskBind(ds, (PSOCKADDR)&v6, 1, NULL));
    NULL_IRP(dd->WskSendTo(ds, &none, 1, NULL, sizeof(ctl), &ctl, NULL));
    NULL_IRP(dd->WskReceiveFrom(ds, &none, 1, NULL, &ctl_len, &ctl, &ctl_flags, NULL));
    NULL_IRP(dd->WskSendMessages(ds, &list, 1, NULL, sizeof(ctl), &ctl, NULL));
    NULL_IRP(dd->WskGetLocalAddress(ds, NULL, NULL));
    wt_close(ds);

    const WSK_PROVIDER_DISPATCH *pd = cl.Provider.Dispatch;
    NULL_IRP(pd->WskSocket(NULL, AF_INET, SOCK_STREAM, IPPROTO_TCP, 0x99, NULL, NULL, NULL, NULL, NULL, NULL));
    NULL_IRP(pd->WskSocketConnect(NULL, SOCK_STREAM, IPPROTO_TCP, NULL, NULL, 0x99, NULL, NULL, NULL, NULL, NULL,
                                  NULL));
    NULL_IRP(pd->WskGetAddressInfo(NULL, NULL, NULL, 0x99, NULL, NULL, NULL, NULL, NULL, NULL));
    NULL_IRP(pd->WskGetNameInfo(NULL, NULL, 0, NULL, NULL, 0x99, NULL, NULL, NULL));
    NULL_IRP(pd->WskControlClient(cl.Provider.Client, WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL, NULL, NULL));
}

static void udp_listen_socket(ADDRESS_FAMILY af)
{
    printf("-- UDP listen socket (family %u)\n", af);
    PWSK_SOCKET s;
    CHECK_STATUS(wt_socket_ex(&cl, af, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &s), STATUS_SUCCESS);
    if (s == NULL)
        return;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = s->Dispatch;
    WT_CALL c;
    wt_init(&c);
    SOCKADDR_STORAGE any = wt_any(af), addr;
    CHECK_STATUS(wt_wait(&c, ld->WskBind(s, (PSOCKADDR)&any, 0, wt_arm(&c))), STATUS_NOT_IMPLEMENTED);
    /* Never bound, so never listening: the listen calls say so. */
    CHECK_STATUS(wt_wait(&c, ld->WskAccept(s, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(s, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    /* Options still work on it. */
    ULONG on = 1;
    CHECK_STATUS(wt_wait(&c, ld->WskControlSocket(s, WskSetOption, SO_RCVBUF, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                               NULL, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    wt_close(s);
}

int main(void)
{
    wt_register(&cl);
    irp_first();
    udp_listen_socket(AF_INET);
    udp_listen_socket(AF_INET6);
    wt_deregister(&cl);
    return wt_result("test_wsk_entry_rules");
}
