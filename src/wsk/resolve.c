/* WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo.
 *
 * Both lookups return STATUS_PENDING and complete their IRP from a worker
 * thread running getaddrinfo/getnameinfo (src/engine/resolve.c), at
 * PASSIVE_LEVEL. IoCancelIrp completes the IRP with STATUS_CANCELLED at once;
 * the lookup itself finishes in the background and its result is dropped.
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
 * malloc'd UTF-8. An empty or NULL string gives *out = NULL. */
static NTSTATUS utf16_to_utf8(const UNICODE_STRING *us, char **out)
{
    *out = NULL;
    if (us == NULL || us->Length == 0)
        return STATUS_SUCCESS;
    if (us->Buffer == NULL || (us->Length & 1))
        return STATUS_INVALID_PARAMETER;
    size_t n = us->Length / 2;
    const WCHAR *w = us->Buffer;
    char *s = malloc(n * 3 + 1), *p = s;
    if (s == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; i < n; i++) {
        unsigned long c = (USHORT)w[i];
        if (c == 0)
            break;                         /* a terminator inside Length */
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && (USHORT)w[i + 1] >= 0xDC00
            && (USHORT)w[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((USHORT)w[++i] - 0xDC00);
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            free(s);
            return STATUS_INVALID_PARAMETER;   /* lone surrogate */
        }
        if (c < 0x80) {
            *p++ = (char)c;
        } else if (c < 0x800) {
            *p++ = (char)(0xC0 | (c >> 6));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *p++ = (char)(0xE0 | (c >> 12));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else {
            *p++ = (char)(0xF0 | (c >> 18));
            *p++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *p = '\0';
    if (p == s) {
        free(s);
        return STATUS_SUCCESS;
    }
    *out = s;
    return STATUS_SUCCESS;
}

/* UTF-8 -> UTF-16 into out (cap WCHARs, may be NULL to count); returns the
 * WCHARs needed, without a terminator. Invalid bytes become U+FFFD. */
static size_t utf8_to_utf16(const char *s, WCHAR *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long c;
        int extra;
        if (*p < 0x80) { c = *p; extra = 0; }
        else if ((*p & 0xE0) == 0xC0) { c = *p & 0x1F; extra = 1; }
        else if ((*p & 0xF0) == 0xE0) { c = *p & 0x0F; extra = 2; }
        else if ((*p & 0xF8) == 0xF0) { c = *p & 0x07; extra = 3; }
        else { c = 0xFFFD; extra = 0; }
        p++;
        for (int k = 0; k < extra; k++) {
            if ((*p & 0xC0) != 0x80) { c = 0xFFFD; break; }
            c = (c << 6) | (*p++ & 0x3F);
        }
        if (c >= 0x10000 && c <= 0x10FFFF) {
            c -= 0x10000;
            if (out && n + 1 < cap) {
                out[n] = (WCHAR)(0xD800 + (c >> 10));
                out[n + 1] = (WCHAR)(0xDC00 + (c & 0x3FF));
            }
            n += 2;
        } else {
            if (c > 0x10FFFF)
                c = 0xFFFD;
            if (out && n < cap)
                out[n] = (WCHAR)c;
            n++;
        }
    }
    return n;
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
    atomic_int refs;
    atomic_bool claimed;          /* who completes the IRP: worker or cancel */
    PIRP irp;
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

static void rs_put(struct rs_call *c)
{
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    free(c->node);
    free(c->service);
    free(c);
}

static BOOLEAN rs_claim(struct rs_call *c) { return !atomic_exchange(&c->claimed, true); }

/* The claimer completes the IRP: first makes sure no cancel routine still reads it. */
static void rs_complete(struct rs_call *c, NTSTATUS st)
{
    PIRP irp = c->irp;
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        KIRQL irql;
        IoAcquireCancelSpinLock(&irql);   /* the cancel routine has its reference now */
        IoReleaseCancelSpinLock(irql);
    }
    irp->Tail.Overlay.DriverContext[0] = NULL;
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static VOID rs_cancel(PDEVICE_OBJECT Dev, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Dev);
    struct rs_call *c = Irp->Tail.Overlay.DriverContext[0];
    atomic_fetch_add(&c->refs, 1);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    if (rs_claim(c)) {
        Irp->Tail.Overlay.DriverContext[0] = NULL;
        Irp->IoStatus.Status = STATUS_CANCELLED;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    rs_put(c);
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
        if (rs_claim(c)) {
            *c->result = result;
            rs_complete(c, st);
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
        if (rs_claim(c)) {
            if (NT_SUCCESS(st) && c->node_out)
                st = put_unicode(c->node_out, host);
            if (NT_SUCCESS(st) && c->service_out)
                st = put_unicode(c->service_out, serv);
            rs_complete(c, st);
        }
    }
    rs_put(c);
}

/* Marks the IRP pending, arms cancellation and starts the worker. */
static NTSTATUS rs_start(struct rs_call *c)
{
    PIRP irp = c->irp;
    atomic_init(&c->refs, 1);
    atomic_init(&c->claimed, false);
    IoSetNextIrpStackLocation(irp);
    IoMarkIrpPending(irp);
    irp->Tail.Overlay.DriverContext[0] = c;
    IoSetCancelRoutine(irp, rs_cancel);
    if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
        /* Cancelled before the routine was armed. */
        if (rs_claim(c))
            rs_complete(c, STATUS_CANCELLED);
        rs_put(c);
        return STATUS_PENDING;
    }
    if (ow_rs_spawn(rs_worker, c) < 0) {
        if (rs_claim(c))
            rs_complete(c, STATUS_INSUFFICIENT_RESOURCES);
        rs_put(c);
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
        free(c->node);
        free(c->service);
        free(c);
        return ow_complete_now(Irp, st, 0);
    }
    c->kind = RS_ADDRINFO;
    c->irp = Irp;
    c->result = Result;
    if (Hints != NULL) {
        c->ai_flags = Hints->ai_flags;
        c->family = Hints->ai_family;
        c->socktype = Hints->ai_socktype;
        c->protocol = Hints->ai_protocol;
    }
    return rs_start(c);
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
    c->irp = Irp;
    memcpy(c->addr, SockAddr, need);
    c->addrlen = need;
    c->node_out = NodeName;
    c->service_out = ServiceName;
    c->ni_flags = (int)Flags;
    return rs_start(c);
}
