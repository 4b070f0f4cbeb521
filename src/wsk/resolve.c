/* SPDX-License-Identifier: MIT */
/* WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo.
 *
 * Both lookups return STATUS_PENDING and complete their IRP from a worker
 * thread running getaddrinfo/getnameinfo (src/engine/resolve.c), at
 * PASSIVE_LEVEL. IoCancelIrp completes the IRP with STATUS_CANCELLED at once;
 * the lookup itself finishes in the background and its result is dropped.
 * The IRP rules (pending, cancel, complete once, WskDeregister waits) are
 * pending.c's.
 * Results are built in Windows layout: an ADDRINFOEXW list from the pool
 * (one allocation per entry, ai_addr and ai_canonname inside it), WCHAR
 * strings, families 2/23. Decisions: docs/semantics.md, "Name resolution". */
#include "provider.h"
#include "engine/resolve.h"
#include "kernel/kernel.h"
#include "verifier/verifier.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define OW_AI_TAG   'iAwO'
#define OW_AI_MAGIC 0x4941574FU   /* "OWAI" */

/* One result entry: what the client sees comes first. */
struct ai_node {
    ADDRINFOEXW ai;
    ULONG magic;
    SOCKADDR_STORAGE addr;
    WCHAR name[];                 /* ai_canonname, when present */
};

/* ---- strings --------------------------------------------------------------- */

/* UNICODE_STRING (UTF-16, Length in bytes, maybe not NUL-terminated) ->
 * malloc'd UTF-8, through RtlUnicodeToUTF8N. The text ends at Length or at a
 * NUL inside it; an empty or NULL string gives *out = NULL; a lone surrogate
 * (which the converter would replace with U+FFFD) is an invalid name. */
static NTSTATUS utf16_to_utf8(const UNICODE_STRING *us, char **out)
{
    *out = NULL;
    if (us == NULL || us->Length == 0)
        return STATUS_SUCCESS;
    if (us->Buffer == NULL || (us->Length & 1))
        return STATUS_INVALID_PARAMETER;
    size_t n = 0;
    while (n < us->Length / sizeof(WCHAR) && us->Buffer[n] != 0)
        n++;
    if (n == 0)
        return STATUS_SUCCESS;
    ULONG need = 0;
    NTSTATUS st = RtlUnicodeToUTF8N(NULL, 0, &need, us->Buffer, (ULONG)(n * sizeof(WCHAR)));
    if (st == STATUS_SOME_NOT_MAPPED)
        return STATUS_INVALID_PARAMETER;
    char *s = malloc((size_t)need + 1);
    if (s == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlUnicodeToUTF8N(s, need, &need, us->Buffer, (ULONG)(n * sizeof(WCHAR)));
    s[need] = '\0';
    *out = s;
    return STATUS_SUCCESS;
}

/* UTF-8 -> UTF-16 into out (cap WCHARs, may be NULL to count), through
 * RtlUTF8ToUnicodeN; returns the WCHARs needed, without a terminator.
 * Invalid bytes become U+FFFD. */
static size_t utf8_to_utf16(const char *s, WCHAR *out, size_t cap)
{
    ULONG bytes = 0;
    ULONG len = (ULONG)strlen(s);
    RtlUTF8ToUnicodeN(NULL, 0, &bytes, s, len);
    if (out != NULL) {
        ULONG done = 0;
        RtlUTF8ToUnicodeN(out, (ULONG)(cap * sizeof(WCHAR)), &done, s, len);
    }
    return bytes / sizeof(WCHAR);
}

static NTSTATUS status_from_rs(enum ow_rs_status rs)
{
    switch (rs) {
    case OW_RS_OK:        return STATUS_SUCCESS;
    case OW_RS_NOT_FOUND: return STATUS_NOT_FOUND;     /* Windows 8+ (Wine's tests) */
    case OW_RS_SERVICE:   return STATUS_NOT_FOUND;
    case OW_RS_AGAIN:     return STATUS_RETRY;         /* no answer from DNS for now */
    case OW_RS_BAD_ARGS:  return STATUS_INVALID_PARAMETER;
    case OW_RS_NO_MEMORY: return STATUS_INSUFFICIENT_RESOURCES;
    case OW_RS_OVERFLOW:  return STATUS_BUFFER_TOO_SMALL;
    default:              return STATUS_UNSUCCESSFUL;
    }
}

/* ---- result lists ------------------------------------------------------------ */

VOID WSKAPI ow_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo)
{
    UNREFERENCED_PARAMETER(Client);
    while (AddrInfo != NULL) {
        struct ai_node *n = (struct ai_node *)AddrInfo;
        if (n->magic != OW_AI_MAGIC) {
            DbgPrint("openwsk: WskFreeAddressInfo: %p is not a list WskGetAddressInfo returned\n",
                     (void *)AddrInfo);
            return;
        }
        AddrInfo = AddrInfo->ai_next;
        n->magic = 0;
        ow_pool_free_kept(n, OW_AI_TAG, "ADDRINFOEXW", "WskFreeAddressInfo");
    }
}

static NTSTATUS build_list(const struct ow_rs_addr *list, PADDRINFOEXW *out)
{
    PADDRINFOEXW head = NULL, *tail = &head;
    for (const struct ow_rs_addr *a = list; a != NULL; a = a->next) {
        size_t wlen = a->canonname ? utf8_to_utf16(a->canonname, NULL, 0) + 1 : 0;
        struct ai_node *n = ow_pool_alloc_for(sizeof(*n) + wlen * sizeof(WCHAR), OW_AI_TAG,
                                              "WskGetAddressInfo (free with WskFreeAddressInfo)");
        if (n == NULL) {
            ow_free_address_info(NULL, head);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(n, 0, sizeof(*n));
        n->magic = OW_AI_MAGIC;
        memcpy(&n->addr, a->addr, a->addrlen);
        n->ai.ai_flags = a->flags;
        n->ai.ai_family = a->family;
        n->ai.ai_socktype = a->socktype;
        n->ai.ai_protocol = a->protocol;
        n->ai.ai_addrlen = a->addrlen;
        n->ai.ai_addr = (struct sockaddr *)&n->addr;
        if (wlen) {
            utf8_to_utf16(a->canonname, n->name, wlen);
            n->name[wlen - 1] = 0;
            n->ai.ai_canonname = n->name;
        }
        *tail = &n->ai;
        tail = &n->ai.ai_next;
    }
    *out = head;
    return STATUS_SUCCESS;
}

/* ---- the asynchronous call ------------------------------------------------------ */

enum rs_kind { RS_ADDRINFO, RS_NAMEINFO };

struct rs_call {
    struct ow_pending pending;    /* first: the IRP, its cancel and completion (pending.c) */
    enum rs_kind kind;
    /* WskGetAddressInfo */
    char *node, *service;
    int ai_flags, family, socktype, protocol;
    PADDRINFOEXW *result;
    /* WskGetNameInfo */
    unsigned char addr[OW_WIN_SOCKADDR_IN6_LEN];
    size_t addrlen;
    PUNICODE_STRING node_out, service_out;
    int ni_flags;
};

static void rs_free(struct rs_call *c)
{
    free(c->node);
    free(c->service);
    free(c);
}

static void rs_release(struct ow_pending *p)
{
    rs_free((struct rs_call *)p);
}

/* Copies a UTF-8 answer into the client's UNICODE_STRING. */
static NTSTATUS put_unicode(PUNICODE_STRING us, const char *s)
{
    size_t n = utf8_to_utf16(s, NULL, 0);
    size_t cap = us->MaximumLength / sizeof(WCHAR);
    if (n > cap || us->Buffer == NULL)
        return STATUS_BUFFER_TOO_SMALL;
    utf8_to_utf16(s, us->Buffer, cap);
    if (n < cap)
        us->Buffer[n] = 0;
    us->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

static void rs_worker(void *arg)
{
    struct rs_call *c = arg;
    NTSTATUS st;
    if (c->kind == RS_ADDRINFO) {
        struct ow_rs_addr *list = NULL;
        PADDRINFOEXW result = NULL;
        st = status_from_rs(ow_rs_getaddrinfo(c->node, c->service, c->ai_flags, c->family,
                                              c->socktype, c->protocol, &list));
        if (NT_SUCCESS(st))
            st = build_list(list, &result);
        ow_rs_free_addrs(list);
        if (ow_pending_claim(&c->pending)) {
            *c->result = result;
            ow_pending_finish(&c->pending, st, 0);
        } else {
            ow_free_address_info(NULL, result);   /* cancelled meanwhile */
        }
    } else {
        char host[1025], serv[32];
        host[0] = serv[0] = '\0';
        st = status_from_rs(ow_rs_getnameinfo(c->addr, c->addrlen,
                                              c->node_out ? host : NULL, sizeof(host),
                                              c->service_out ? serv : NULL, sizeof(serv),
                                              c->ni_flags));
        if (ow_pending_claim(&c->pending)) {
            if (NT_SUCCESS(st) && c->node_out)
                st = put_unicode(c->node_out, host);
            if (NT_SUCCESS(st) && c->service_out)
                st = put_unicode(c->service_out, serv);
            ow_pending_finish(&c->pending, st, 0);
        }
    }
    ow_pending_put(&c->pending);
}

/* Marks the IRP pending and cancellable, counted on the registration
 * (WskDeregister waits for it), and starts the worker. */
static NTSTATUS rs_start(PWSK_CLIENT Client, struct rs_call *c, PIRP irp)
{
    ow_pending_start(&c->pending, ow_reg_pending(Client), irp, OW_PENDING_WAIT, rs_release);
    if (ow_rs_spawn(rs_worker, c) < 0) {
        if (ow_pending_claim(&c->pending))
            ow_pending_finish(&c->pending, STATUS_INSUFFICIENT_RESOURCES, 0);
        ow_pending_put(&c->pending);
    }
    return STATUS_PENDING;
}

static NTSTATUS common_checks(PWSK_CLIENT Client, PEPROCESS OwningProcess, PETHREAD OwningThread)
{
    if (Client == NULL)
        return STATUS_INVALID_HANDLE;
    if (OwningThread != NULL && OwningProcess == NULL)
        return STATUS_INVALID_PARAMETER;   /* documented */
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        return STATUS_INVALID_DEVICE_STATE;   /* PASSIVE only: getaddrinfo blocks */
    return STATUS_SUCCESS;
}

NTSTATUS WSKAPI ow_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                    PUNICODE_STRING ServiceName, ULONG NameSpace,
                                    GUID *Provider, PADDRINFOEXW Hints,
                                    PADDRINFOEXW *Result, PEPROCESS OwningProcess,
                                    PETHREAD OwningThread, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;   /* touching nothing, as Windows */
    NTSTATUS st = common_checks(Client, OwningProcess, OwningThread);
    if (NT_SUCCESS(st) && Result == NULL)
        st = STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(st) && NameSpace != NS_ALL && NameSpace != NS_DNS
        && NameSpace != NS_TCPIP_LOCAL && NameSpace != NS_TCPIP_HOSTS)
        st = STATUS_NOT_SUPPORTED;
    if (NT_SUCCESS(st) && Provider != NULL)
        st = STATUS_NOT_SUPPORTED;
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    *Result = NULL;

    struct rs_call *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    st = utf16_to_utf8(NodeName, &c->node);
    if (NT_SUCCESS(st))
        st = utf16_to_utf8(ServiceName, &c->service);
    if (NT_SUCCESS(st) && c->node == NULL && c->service == NULL)
        st = STATUS_INVALID_PARAMETER;     /* one of them must be given */
    if (!NT_SUCCESS(st)) {
        rs_free(c);
        return ow_complete_now(Irp, st, 0);
    }
    c->kind = RS_ADDRINFO;
    c->result = Result;
    if (Hints != NULL) {
        c->ai_flags = Hints->ai_flags;
        c->family = Hints->ai_family;
        c->socktype = Hints->ai_socktype;
        c->protocol = Hints->ai_protocol;
    }
    return rs_start(Client, c, Irp);
}

NTSTATUS WSKAPI ow_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
                                 PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
                                 ULONG Flags, PEPROCESS OwningProcess,
                                 PETHREAD OwningThread, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = common_checks(Client, OwningProcess, OwningThread);
    size_t need = SockAddr ? ow_addr_len(SockAddr->sa_family) : 0;
    if (NT_SUCCESS(st) && (SockAddr == NULL || need == 0 || SockAddrLength < need))
        st = STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(st) && NodeName == NULL && ServiceName == NULL)
        st = STATUS_INVALID_PARAMETER;
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    struct rs_call *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    c->kind = RS_NAMEINFO;
    memcpy(c->addr, SockAddr, need);
    c->addrlen = need;
    c->node_out = NodeName;
    c->service_out = ServiceName;
    c->ni_flags = (int)Flags;
    return rs_start(Client, c, Irp);
}
