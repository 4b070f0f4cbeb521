/* SPDX-License-Identifier: MIT */
/* The pending IRPs of socketless calls (src/wsk/pending.c) at WskDeregister.
 *
 * "If there are pending IRPs that were passed to the functions in
 * WSK_PROVIDER_DISPATCH, WskDeregister will also wait until those pending
 * IRPs complete." (learn.microsoft.com/windows-hardware/drivers/network/
 * unregistering-a-winsock-kernel-application): a WskGetAddressInfo and a
 * WskGetNameInfo made slow by the resolve_slow fault must have completed
 * (with their results) by the time WskDeregister returns.
 *
 * A WSK_TRANSPORT_LIST_CHANGE IRP, which only a cancel ends, is cancelled by
 * WskDeregister (WskControlClient page: the IRP is queued until the
 * transport list changes or the registration goes): completed with
 * STATUS_CANCELLED before WskDeregister returns.
 * Then IoCancelIrp on a slow lookup still completes it at once, once. */
#include "wsktest.h"
#include "engine/fault.h"

static WT_CLIENT cl, keep;   /* keep: registered throughout */

static void ustr(UNICODE_STRING *u, const WCHAR *s)
{
    RtlInitUnicodeString(u, s);
}

static NTSTATUS start_gai(WT_CALL *c, UNICODE_STRING *node, PADDRINFOEXW *res)
{
    *res = NULL;
    return cl.Provider.Dispatch->WskGetAddressInfo(cl.Provider.Client, node, NULL, NS_ALL, NULL, NULL,
                                                   res, NULL, NULL, wt_arm(c));
}

static NTSTATUS start_gni(WT_CALL *c, SOCKADDR_STORAGE *sa, UNICODE_STRING *host)
{
    return cl.Provider.Dispatch->WskGetNameInfo(cl.Provider.Client, (PSOCKADDR)sa, sizeof(SOCKADDR_IN),
                                                host, NULL, NI_NUMERICHOST, NULL, NULL, wt_arm(c));
}

static NTSTATUS start_change(WT_CALL *c)
{
    return cl.Provider.Dispatch->WskControlClient(cl.Provider.Client, WSK_TRANSPORT_LIST_CHANGE, 0, NULL,
                                                  0, NULL, NULL, wt_arm(c));
}

/* Deregistering waits for slow lookups and cancels the transport list change. */
static void deregister_with_pending(void)
{
    WT_CALL gai, gni, change;
    wt_init(&gai);
    wt_init(&gni);
    wt_init(&change);
    wt_register(&cl);

    UNICODE_STRING node;
    ustr(&node, L"127.0.0.1");
    PADDRINFOEXW res;
    SOCKADDR_STORAGE sa = wt_addr(AF_INET, 80);
    WCHAR hbuf[64];
    UNICODE_STRING host = { 0, sizeof(hbuf), hbuf };
    NTSTATUS r1 = start_gai(&gai, &node, &res);
    NTSTATUS r2 = start_gni(&gni, &sa, &host);
    NTSTATUS r3 = start_change(&change);
    CHECK_STATUS(r1, STATUS_PENDING);
    CHECK_STATUS(r2, STATUS_PENDING);
    CHECK_STATUS(r3, STATUS_PENDING);
    CHECK(gai.Completions == 0 && gni.Completions == 0, "the slow lookups completed before deregistration");

    wt_deregister(&cl);   /* WskReleaseProviderNPI, then WskDeregister */
    CHECK(gai.Completions == 1, "WskGetAddressInfo IRP still pending after WskDeregister returned");
    CHECK(gni.Completions == 1, "WskGetNameInfo IRP still pending after WskDeregister returned");
    CHECK(change.Completions == 1, "WSK_TRANSPORT_LIST_CHANGE IRP still pending after WskDeregister returned");

    /* Each completed once, with what the call produced. */
    CHECK_STATUS(wt_wait(&gai, r1), STATUS_SUCCESS);
    CHECK(res != NULL && res->ai_family == AF_INET, "address list %p", (void *)res);
    if (res != NULL)   /* through a registration still alive */
        keep.Provider.Dispatch->WskFreeAddressInfo(keep.Provider.Client, res);
    CHECK_STATUS(wt_wait(&gni, r2), STATUS_SUCCESS);
    CHECK(host.Length == 9 * sizeof(WCHAR) && memcmp(hbuf, L"127.0.0.1", host.Length) == 0,
          "host name, %u bytes", host.Length);
    CHECK_STATUS(wt_wait(&change, r3), STATUS_CANCELLED);
    wt_free(&gai);
    wt_free(&gni);
    wt_free(&change);
}

/* IoCancelIrp ends a slow lookup at once; WskDeregister then still waits
 * for the lookup's worker to let go of the call. */
static void cancel_slow_lookup(void)
{
    WT_CALL gai;
    wt_init(&gai);
    wt_register(&cl);
    UNICODE_STRING node;
    ustr(&node, L"localhost");
    PADDRINFOEXW res;
    NTSTATUS r = start_gai(&gai, &node, &res);
    CHECK_STATUS(r, STATUS_PENDING);
    IoCancelIrp(gai.Irp);
    CHECK(gai.Completions == 1, "IoCancelIrp did not complete the lookup at once");
    CHECK_STATUS(wt_wait(&gai, r), STATUS_CANCELLED);
    CHECK(res == NULL, "a cancelled lookup wrote its result");
    wt_deregister(&cl);
    CHECK(gai.Completions == 1, "%ld completions", (long)gai.Completions);
    wt_free(&gai);
}

int main(void)
{
    if (!OW_FAULTS_COMPILED) {
        SKIP("built without fault injection (resolve_slow)");
    }
    wt_register(&keep);
    ow_fault_set("resolve_slow:1/1", 1);
    deregister_with_pending();
    cancel_slow_lookup();
    ow_fault_set(NULL, 1);
    wt_deregister(&keep);
    return wt_result("test_wsk_pending");
}
