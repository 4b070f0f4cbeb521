/* SPDX-License-Identifier: MIT */
/* The verifier: checks, in the spirit of Driver Verifier, for the WSK and
 * kernel-service misuse that would bug-check (or hang) Windows, each with a
 * one-line diagnosis and a bug check. OPENWSK_VERIFIER=1 turns it on;
 * docs/verifier.md lists the checks, their codes and parameters.
 *
 * State: a table of the IRPs WSK owns (from the call until IoCompleteRequest),
 * shared with the trace, which uses it for the completion line and latency;
 * a graveyard of closed sockets, so a stale PWSK_SOCKET hits a check instead
 * of freed memory; a per-thread stack of spin-lock acquisitions. */
#include "verifier/verifier.h"
#include "wsk/provider.h"
#include "kernel/kernel.h"

#include <openwsk.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ow_vf_enabled;
int ow_vf_strict;
int ow_vf_hooked;
int ow_trace_enabled;

static BOOLEAN vf_env_read;

void ow_vf_configure(void)
{
    if (!vf_env_read) {
        vf_env_read = TRUE;
        const char *v = getenv("OPENWSK_VERIFIER");
        if (v != NULL && *v != '\0' && strcmp(v, "0") != 0) {
            ow_vf_enabled = 1;
            ow_vf_strict = strcmp(v, "strict") == 0 || strcmp(v, "2") == 0;
        }
    }
    ow_trace_configure();
    ow_vf_hooked = ow_vf_enabled || ow_trace_enabled;
}

__attribute__((constructor)) static void ow_vf_init(void)
{
    ow_vf_configure();
}

BOOLEAN OwVerifierEnabled(void)
{
    return ow_vf_enabled != 0;
}

BOOLEAN OwVerifierSetStrict(BOOLEAN Strict)
{
    BOOLEAN was = ow_vf_strict != 0;
    ow_vf_strict = Strict ? 1 : 0;
    return was;
}

BOOLEAN OwVerifierSetEnabled(BOOLEAN Enabled)
{
    BOOLEAN was = ow_vf_enabled != 0;
    ow_vf_enabled = Enabled ? 1 : 0;
    ow_vf_hooked = ow_vf_enabled || ow_trace_enabled;
    return was;
}

/* ---- the diagnosis line ---------------------------------------------------- */

static _Thread_local struct ow_vf_call *vf_current;   /* innermost WSK call on this thread */

/* "0x55d1c0a01a2b (test_verifier_io+0x1a2b)": module-relative, for addr2line. */
void ow_vf_caller_text(PVOID Caller, char *out, size_t size)
{
    Dl_info info;
    if (Caller != NULL && dladdr(Caller, &info) != 0 && info.dli_fname != NULL) {
        const char *base = strrchr(info.dli_fname, '/');
        base = base ? base + 1 : info.dli_fname;
        if (info.dli_sname != NULL)
            snprintf(out, size, "%p (%s+0x%lx, %s)", Caller, info.dli_sname,
                     (unsigned long)((char *)Caller - (char *)info.dli_saddr), base);
        else
            snprintf(out, size, "%p (%s+0x%lx)", Caller, base,
                     (unsigned long)((char *)Caller - (char *)info.dli_fbase));
        return;
    }
    snprintf(out, size, "%p", Caller);
}

_Thread_local PVOID ow_vf_free_caller;

PVOID ow_vf_current_caller(void)
{
    return vf_current != NULL ? vf_current->caller : ow_vf_free_caller;
}

void ow_vf_fail(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, PVOID Caller,
                const char *Format, ...)
{
    char what[400], where[200] = "", who[128];
    va_list ap;
    va_start(ap, Format);
    vsnprintf(what, sizeof(what), Format, ap);
    va_end(ap);
    struct ow_vf_call *c = vf_current;
    if (Caller == NULL && c != NULL)
        Caller = c->caller;
    if (c != NULL && c->sock != NULL)
        snprintf(where, sizeof(where), " in %s(socket %p, IRP %p)", c->name, c->sock, (void *)c->irp);
    else if (c != NULL)
        snprintf(where, sizeof(where), " in %s(IRP %p)", c->name, (void *)c->irp);
    ow_vf_caller_text(Caller, who, sizeof(who));
    ow_violation(Code, P1, P2, P3, P4, "%s%s, called from %s", what, where, who);
}

void ow_vf_check_irql(const char *Call, KIRQL Max, PVOID Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql > Max)
        ow_vf_fail(IRQL_NOT_LESS_OR_EQUAL, 0, irql, Max, (ULONG_PTR)Caller, Caller,
                   "%s called at IRQL %u, above its maximum %u (%s)", Call, irql, Max,
                   Max == PASSIVE_LEVEL ? "PASSIVE_LEVEL" : "DISPATCH_LEVEL");
}

/* ---- IRPs owned by WSK ------------------------------------------------------- */

#define VF_BUCKETS 1024
#define VF_RANGES 4

struct ow_vf_irp {
    struct ow_vf_irp *next;
    PIRP irp;
    const char *name;
    PVOID sock;
    PVOID caller;
    LONGLONG t0;
    BOOLEAN in_call;          /* the WSK call has not returned yet */
    BOOLEAN completed;        /* completed while in_call: the wrapper prints */
    int nranges;
    struct { ULONG_PTR lo, hi; PMDL mdl; } ranges[VF_RANGES];
    PSOCKADDR out_addr;
    /* completion, for the trace */
    NTSTATUS final;
    ULONG_PTR info;
    LONGLONG t_done;
    KIRQL irql_done;
    int tid_done;
    char done_extra[96];
};

static pthread_mutex_t vf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_vf_irp *vf_table[VF_BUCKETS];
static unsigned vf_with_ranges;   /* entries holding buffer ranges (pool-free scans) */

static unsigned vf_hash(PIRP Irp)
{
    return (unsigned)(((ULONG_PTR)Irp >> 4) * 2654435761u) % VF_BUCKETS;
}

/* Under vf_lock. */
static struct ow_vf_irp *vf_find(PIRP Irp)
{
    for (struct ow_vf_irp *e = vf_table[vf_hash(Irp)]; e; e = e->next)
        if (e->irp == Irp)
            return e;
    return NULL;
}

/* Under vf_lock. */
static BOOLEAN vf_remove(struct ow_vf_irp *e)
{
    for (struct ow_vf_irp **pp = &vf_table[vf_hash(e->irp)]; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            if (e->nranges)
                vf_with_ranges--;
            return TRUE;
        }
    }
    return FALSE;
}

void ow_vf_irp_check_idle(PIRP Irp, const char *Call, PVOID Caller)
{
    pthread_mutex_lock(&vf_lock);
    struct ow_vf_irp *e = Irp ? vf_find(Irp) : NULL;
    const char *name = e ? e->name : NULL;
    PVOID sock = e ? e->sock : NULL;
    pthread_mutex_unlock(&vf_lock);
    if (name == NULL)
        return;
    ULONG kind = strcmp(Call, "IoFreeIrp") == 0 ? 2 : strcmp(Call, "IoReuseIrp") == 0 ? 3 : 1;
    ow_vf_fail(OW_BC_IRP_STILL_PENDING, kind, (ULONG_PTR)Irp, (ULONG_PTR)sock, (ULONG_PTR)Caller,
               Caller, "IRP %p passed to %s while still pending in %s on socket %p",
               (void *)Irp, Call, name, sock);
}

/* ---- sockets --------------------------------------------------------------------- */

static void vf_check_socket(struct ow_vf_call *c, int Check)
{
    struct ow_socket *s = c->sock;
    BOOLEAN close = Check == OW_VF_CLOSE;
    if (s == NULL)
        ow_vf_fail(OW_BC_SOCKET_NOT_LIVE, 3, 0, (ULONG_PTR)c->irp, (ULONG_PTR)c->caller, NULL,
                   "NULL socket passed to %s", c->name);
    ULONG magic = __atomic_load_n(&s->vf_magic, __ATOMIC_ACQUIRE);
    if (magic == OW_SOCK_DEAD)
        ow_vf_fail(OW_BC_SOCKET_NOT_LIVE, close ? 2 : 1, (ULONG_PTR)s, (ULONG_PTR)c->irp,
                   (ULONG_PTR)c->caller, NULL,
                   close ? "socket %p closed twice (WskCloseSocket already completed)"
                         : "socket %p used after WskCloseSocket", (void *)s);
    if (magic != OW_SOCK_LIVE)
        ow_vf_fail(OW_BC_SOCKET_NOT_LIVE, 3, (ULONG_PTR)s, (ULONG_PTR)c->irp, (ULONG_PTR)c->caller,
                   NULL, "%p is not a WSK socket (no live socket signature)", (void *)s);
    ow_lock(&s->lock);
    BOOLEAN closing = s->life != OW_LIFE_OPEN;
    ow_unlock(&s->lock);
    if (closing)
        ow_vf_fail(OW_BC_SOCKET_NOT_LIVE, close ? 2 : 1, (ULONG_PTR)s, (ULONG_PTR)c->irp,
                   (ULONG_PTR)c->caller, NULL,
                   close ? "socket %p closed twice (first WskCloseSocket still pending)"
                         : "socket %p used after WskCloseSocket (close still pending)", (void *)s);
}

/* A socket's memory stays, marked dead, until 4096 later closes or the last
 * WskDeregister, so a stale PWSK_SOCKET is diagnosed, not a use-after-free. */
#define VF_GRAVES 4096
static pthread_mutex_t vf_grave_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_socket *vf_graves[VF_GRAVES];
static unsigned vf_grave_next;
static int vf_registrations;

BOOLEAN ow_vf_bury_socket(PVOID Sock)
{
    struct ow_socket *s = Sock;
    __atomic_store_n(&s->vf_magic, OW_SOCK_DEAD, __ATOMIC_RELEASE);
    pthread_mutex_lock(&vf_grave_lock);
    struct ow_socket *old = vf_graves[vf_grave_next];
    vf_graves[vf_grave_next] = s;
    vf_grave_next = (vf_grave_next + 1) % VF_GRAVES;
    pthread_mutex_unlock(&vf_grave_lock);
    free(old);
    return TRUE;
}

void ow_vf_registered(void)
{
    __atomic_add_fetch(&vf_registrations, 1, __ATOMIC_ACQ_REL);
}

void ow_vf_deregistered(void)
{
    if (__atomic_sub_fetch(&vf_registrations, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    pthread_mutex_lock(&vf_grave_lock);
    for (unsigned i = 0; i < VF_GRAVES; i++) {
        free(vf_graves[i]);
        vf_graves[i] = NULL;
    }
    vf_grave_next = 0;
    pthread_mutex_unlock(&vf_grave_lock);
    ow_vf_release_kept();
}

void ow_vf_deregister_waiting(PVOID Registration, unsigned Sockets, unsigned Captures, const char *Open,
                              PVOID Caller)
{
    if (ow_vf_strict)
        ow_vf_fail(OW_BC_DEREGISTER_WITH_OPEN, (ULONG_PTR)Registration, Sockets, Captures,
                   (ULONG_PTR)Caller, Caller,
                   "WskDeregister(%p) with %u socket(s) still open and %u capture(s) not released "
                   "(no progress for 2 s; OPENWSK_VERIFIER=strict stops here, Windows would wait): open: %s",
                   Registration, Sockets, Captures, Open);
    char who[128];
    ow_vf_caller_text(Caller, who, sizeof(who));
    fprintf(stderr, "OpenWSK verifier: WskDeregister(%p) is waiting for %u socket(s) still open and "
                    "%u capture(s) not released, as Windows does (OPENWSK_VERIFIER=strict stops here); "
                    "open: %s; called from %s\n",
            Registration, Sockets, Captures, Open, who);
}

/* ---- WSK calls ----------------------------------------------------------------------- */

void ow_vf_enter(struct ow_vf_call *c, const char *Name, PVOID Sock, PIRP Irp, PVOID Caller,
                 int SockCheck)
{
    c->name = Name;
    c->sock = Sock;
    c->irp = Irp;
    c->caller = Caller;
    c->entry = NULL;
    c->args[0] = '\0';
    c->t0 = ow_trace_enabled ? ow_trace_now_ns() : 0;
    c->outer = vf_current;
    vf_current = c;
    if (ow_vf_enabled) {
        ow_vf_check_irql(Name, DISPATCH_LEVEL, Caller);
        if (SockCheck != OW_VF_NO_SOCK)
            vf_check_socket(c, SockCheck);
    }
    if (Irp == NULL)
        return;
    struct ow_vf_irp *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return;
    e->irp = Irp;
    e->name = Name;
    e->sock = Sock;
    e->caller = Caller;
    e->t0 = c->t0;
    e->in_call = TRUE;
    pthread_mutex_lock(&vf_lock);
    struct ow_vf_irp *old = vf_find(Irp);
    if (old != NULL && ow_vf_enabled) {
        const char *name = old->name;
        PVOID sock = old->sock;
        pthread_mutex_unlock(&vf_lock);
        free(e);
        ow_vf_fail(OW_BC_IRP_STILL_PENDING, 1, (ULONG_PTR)Irp, (ULONG_PTR)sock, (ULONG_PTR)Caller,
                   NULL, "IRP %p passed to %s while still pending in %s on socket %p",
                   (void *)Irp, Name, name, sock);
    }
    if (old != NULL)   /* verifier off: the trace keeps the newer call */
        vf_remove(old);
    e->next = vf_table[vf_hash(Irp)];
    vf_table[vf_hash(Irp)] = e;
    pthread_mutex_unlock(&vf_lock);
    if (old != NULL && !old->in_call)
        free(old);
    c->entry = e;
}

void ow_vf_note_buf(struct ow_vf_call *c, const WSK_BUF *Buf)
{
    /* A WSK_BUF (or its MDL) inside an indication WskRelease already took back. */
    ow_vf_check_not_freed(Buf, "WSK_BUF");
    if (Buf != NULL)
        ow_vf_check_not_freed(Buf->Mdl, "WSK_BUF's MDL");
    /* Arguments first, as a verifier does: a too-long WSK_BUF stops here even
     * when the socket's state would have refused the call (on a connected
     * socket the same call reads or writes past the buffer). */
    if (ow_vf_enabled)
        ow_vf_check_buf(Buf);
    struct ow_vf_irp *e = c->entry;
    if (e == NULL || Buf == NULL || !ow_vf_enabled)
        return;
    pthread_mutex_lock(&vf_lock);
    int n = 0;
    for (PMDL m = Buf->Mdl; m && n < VF_RANGES; m = m->Next, n++) {
        ULONG_PTR va = (ULONG_PTR)MmGetMdlVirtualAddress(m);
        e->ranges[n].lo = va;
        e->ranges[n].hi = va + MmGetMdlByteCount(m);
        e->ranges[n].mdl = m;
    }
    if (n && !e->nranges)
        vf_with_ranges++;
    e->nranges = n;
    pthread_mutex_unlock(&vf_lock);
}

void ow_vf_note_out_addr(struct ow_vf_call *c, PSOCKADDR Addr)
{
    if (c->entry != NULL)
        c->entry->out_addr = Addr;
}

static void trace_done(struct ow_vf_irp *e)
{
    LONGLONG us = (e->t_done - e->t0) / 1000;
    ow_trace_write_at(e->t_done, e->tid_done, e->irql_done, "%s(irp %p) completed: %s%s, %lld us",
                   e->name, (void *)e->irp,
                   OwStatusName(e->final), e->done_extra, (long long)us);
}

/* Information (and an address the provider filled in), for the completion line. */
static void vf_done_extra(struct ow_vf_irp *e)
{
    const char *n = e->name;
    if (strcmp(n, "WskSocket") == 0 || strcmp(n, "WskAccept") == 0 ||
        strcmp(n, "WskSocketConnect") == 0) {
        if (NT_SUCCESS(e->final))
            snprintf(e->done_extra, sizeof(e->done_extra), ", new socket %p", (void *)e->info);
        else
            e->done_extra[0] = '\0';
    } else if (strstr(n, "Send") || strstr(n, "Receive") || strcmp(n, "WskConnectEx") == 0 ||
               strcmp(n, "WskDisconnect") == 0) {
        snprintf(e->done_extra, sizeof(e->done_extra), ", %lu bytes", (unsigned long)e->info);
    } else if (e->info != 0) {
        snprintf(e->done_extra, sizeof(e->done_extra), ", Information %#lx", (unsigned long)e->info);
    } else {
        e->done_extra[0] = '\0';
    }
    if (e->out_addr != NULL && NT_SUCCESS(e->final)) {
        char a[80];
        size_t len = strlen(e->done_extra);
        snprintf(e->done_extra + len, sizeof(e->done_extra) - len, ", %s %s",
                 strcmp(n, "WskGetLocalAddress") == 0 ? "local" : "remote",
                 ow_vf_addr_text(e->out_addr, a, sizeof(a)));
    }
}

void ow_vf_irp_completing(PIRP Irp)
{
    pthread_mutex_lock(&vf_lock);
    struct ow_vf_irp *e = vf_find(Irp);
    if (e == NULL) {
        pthread_mutex_unlock(&vf_lock);
        return;
    }
    vf_remove(e);
    e->final = Irp->IoStatus.Status;
    e->info = Irp->IoStatus.Information;
    if (ow_trace_enabled) {
        e->t_done = ow_trace_now_ns();
        e->irql_done = KeGetCurrentIrql();
        e->tid_done = ow_trace_tid();
        vf_done_extra(e);
    }
    if (e->in_call) {
        e->completed = TRUE;   /* the call prints both lines when it returns */
        pthread_mutex_unlock(&vf_lock);
        return;
    }
    pthread_mutex_unlock(&vf_lock);
    if (ow_trace_enabled)
        trace_done(e);
    free(e);
}

NTSTATUS ow_vf_leave(struct ow_vf_call *c, NTSTATUS Status)
{
    vf_current = c->outer;
    if (ow_trace_enabled) {
        if (c->sock != NULL)
            ow_trace_write(KeGetCurrentIrql(), "%s(socket %p, irp %p%s%s) = %s", c->name, c->sock,
                           (void *)c->irp, c->args[0] ? ", " : "", c->args, OwStatusName(Status));
        else
            ow_trace_write(KeGetCurrentIrql(), "%s(irp %p%s%s) = %s", c->name, (void *)c->irp,
                           c->args[0] ? ", " : "", c->args, OwStatusName(Status));
    }
    struct ow_vf_irp *e = c->entry;
    if (e == NULL)
        return Status;
    pthread_mutex_lock(&vf_lock);
    e->in_call = FALSE;
    BOOLEAN done = e->completed;
    if (!done && Status != STATUS_PENDING) {
        /* Returned without taking the IRP (e.g. no IRP was needed). */
        vf_remove(e);
        done = TRUE;
        e->completed = FALSE;
    }
    pthread_mutex_unlock(&vf_lock);
    if (done) {
        if (e->completed && ow_trace_enabled)
            trace_done(e);
        free(e);
    }
    return Status;
}

/* ---- completion routines and spin locks restore the IRQL ------------------------------ */

void ow_vf_completion_irql(PIRP Irp, PVOID Routine, KIRQL Before)
{
    KIRQL now = KeGetCurrentIrql();
    if (now == Before)
        return;
    char who[128];
    ow_vf_caller_text(Routine, who, sizeof(who));
    ow_vf_fail(OW_BC_IRQL_UNEXPECTED_VALUE, ((ULONG_PTR)now << 16) | ((ULONG_PTR)Before << 8),
               (ULONG_PTR)Routine, (ULONG_PTR)Irp, 0, Routine,
               "completion routine %s of IRP %p returned at IRQL %u, called at %u "
               "(IRQL not restored)", who, (void *)Irp, now, Before);
}

#define VF_SPIN_DEPTH 32
static _Thread_local struct { const volatile void *lock; KIRQL old; const char *acquire; } vf_spins[VF_SPIN_DEPTH];
static _Thread_local int vf_nspins;

void ow_vf_spin_acquired(const volatile void *Lock, KIRQL OldIrql, const char *Acquire)
{
    if (vf_nspins < VF_SPIN_DEPTH) {
        vf_spins[vf_nspins].lock = Lock;
        vf_spins[vf_nspins].old = OldIrql;
        vf_spins[vf_nspins].acquire = Acquire;
        vf_nspins++;
    }
}

void ow_vf_spin_releasing(const volatile void *Lock, KIRQL NewIrql, const char *Release, PVOID Caller)
{
    for (int i = vf_nspins - 1; i >= 0; i--) {
        if (vf_spins[i].lock != Lock)
            continue;
        KIRQL old = vf_spins[i].old;
        const char *acquire = vf_spins[i].acquire;
        memmove(&vf_spins[i], &vf_spins[i + 1], (size_t)(vf_nspins - i - 1) * sizeof(vf_spins[0]));
        vf_nspins--;
        if (NewIrql != old)
            ow_vf_fail(OW_BC_IRQL_UNEXPECTED_VALUE, ((ULONG_PTR)NewIrql << 16) | ((ULONG_PTR)old << 8),
                       (ULONG_PTR)Lock, (ULONG_PTR)Caller, 0, Caller,
                       "%s(%p) restores IRQL %u, but %s saved %u "
                       "(IRQL not restored by the spin-lock pair)", Release, (const void *)Lock, NewIrql,
                       acquire, old);
        return;
    }
}

/* ---- buffers ---------------------------------------------------------------------------- */

void ow_vf_check_buf(const WSK_BUF *Buf)
{
    if (Buf == NULL || Buf->Length == 0)
        return;
    if (Buf->Mdl == NULL)
        ow_vf_fail(OW_BC_BAD_WSK_BUF, 1, (ULONG_PTR)Buf, 0, Buf->Length, NULL,
                   "WSK_BUF %p has Length %lu but no MDL", (void *)Buf, (unsigned long)Buf->Length);
    ULONG first = MmGetMdlByteCount(Buf->Mdl);
    if (Buf->Offset >= first)
        ow_vf_fail(OW_BC_BAD_WSK_BUF, 2, (ULONG_PTR)Buf, (ULONG_PTR)Buf->Mdl, Buf->Offset, NULL,
                   "WSK_BUF %p Offset %lu lies outside its first MDL %p (%lu bytes)", (void *)Buf,
                   (unsigned long)Buf->Offset, (void *)Buf->Mdl, (unsigned long)first);
    SIZE_T have = 0;
    ULONG offset = Buf->Offset;
    unsigned n = 0;
    for (PMDL m = Buf->Mdl; m && have < Buf->Length; m = m->Next, n++) {
        if (!(m->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_PAGES_LOCKED |
                             MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL)))
            ow_vf_fail(OW_BC_BAD_WSK_BUF, 3, (ULONG_PTR)Buf, (ULONG_PTR)m, (ULONG)(USHORT)m->MdlFlags,
                       NULL,
                       "MDL %p (#%u of WSK_BUF %p) is neither built (MmBuildMdlForNonPagedPool) "
                       "nor locked (MmProbeAndLockPages): MdlFlags 0x%x", (void *)m, n + 1,
                       (void *)Buf, (unsigned)(USHORT)m->MdlFlags);
        have += MmGetMdlByteCount(m) - offset;
        offset = 0;
    }
    if (have < Buf->Length) {
        SIZE_T chain = 0;
        unsigned count = 0;
        for (PMDL m = Buf->Mdl; m; m = m->Next, count++)
            chain += MmGetMdlByteCount(m);
        ow_vf_fail(OW_BC_BAD_WSK_BUF, 1, (ULONG_PTR)Buf, (ULONG_PTR)Buf->Mdl, Buf->Length, NULL,
                   "WSK_BUF %p Length %lu + Offset %lu exceeds its MDL chain (%lu bytes in %u MDL%s)",
                   (void *)Buf, (unsigned long)Buf->Length, (unsigned long)Buf->Offset,
                   (unsigned long)chain, count, count == 1 ? "" : "s");
    }
}

/* Pool block [P, P+Size) freed: does a pending WSK request still use it? */
void ow_vf_pool_freeing(PVOID P, SIZE_T Size, PVOID Caller)
{
    ULONG_PTR lo = (ULONG_PTR)P, hi = lo + Size;
    pthread_mutex_lock(&vf_lock);
    for (unsigned b = 0; vf_with_ranges && b < VF_BUCKETS; b++) {
        for (struct ow_vf_irp *e = vf_table[b]; e; e = e->next) {
            for (int i = 0; i < e->nranges; i++) {
                if (e->ranges[i].lo < hi && lo < e->ranges[i].hi) {
                    PIRP irp = e->irp;
                    PVOID sock = e->sock;
                    PMDL mdl = e->ranges[i].mdl;
                    const char *name = e->name;
                    pthread_mutex_unlock(&vf_lock);
                    ow_vf_fail(OW_BC_BUFFER_FREED_IN_USE, 1, (ULONG_PTR)P, (ULONG_PTR)irp,
                               (ULONG_PTR)mdl, Caller,
                               "pool block %p (%lu bytes) freed while MDL %p over it belongs to "
                               "IRP %p, still pending in %s on socket %p",
                               P, (unsigned long)Size, (void *)mdl, (void *)irp, name, sock);
                }
            }
        }
    }
    pthread_mutex_unlock(&vf_lock);
}

void ow_vf_mdl_freeing(PMDL Mdl, PVOID Caller)
{
    pthread_mutex_lock(&vf_lock);
    for (unsigned b = 0; vf_with_ranges && b < VF_BUCKETS; b++) {
        for (struct ow_vf_irp *e = vf_table[b]; e; e = e->next) {
            for (int i = 0; i < e->nranges; i++) {
                if (e->ranges[i].mdl == Mdl) {
                    PIRP irp = e->irp;
                    PVOID sock = e->sock;
                    const char *name = e->name;
                    pthread_mutex_unlock(&vf_lock);
                    ow_vf_fail(OW_BC_BUFFER_FREED_IN_USE, 2, (ULONG_PTR)Mdl, (ULONG_PTR)irp, 0,
                               Caller, "IoFreeMdl(%p) while the MDL belongs to IRP %p, still "
                               "pending in %s on socket %p", (void *)Mdl, (void *)irp, name, sock);
                }
            }
        }
    }
    pthread_mutex_unlock(&vf_lock);
}

/* ---- unload ------------------------------------------------------------------------------ */

ULONG OwVerifierCheckUnload(void)
{
    ULONG count = OwPoolOutstandingCount();
    if (count == 0)
        return 0;
    if (!ow_vf_enabled)
        return OwPoolReportLeaks();
    char tags[300];
    ow_pool_leak_text(tags, sizeof(tags));
    ow_vf_fail(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, 0, 0, count, __builtin_return_address(0),
               "%lu pool allocation(s), %lu bytes, not freed at unload: %s", (unsigned long)count,
               (unsigned long)OwPoolOutstandingBytes(), tags);
}
