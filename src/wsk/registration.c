/* SPDX-License-Identifier: MIT */
/* Registration: WskRegister, WskCaptureProviderNPI, WskReleaseProviderNPI,
 * WskQueryProviderCharacteristics, WskDeregister. The client's
 * WSK_REGISTRATION block holds a pointer to our state; PWSK_CLIENT is that
 * state. The engine runs from the first WskRegister to the last WskDeregister. */
#include "provider.h"

#include <stdatomic.h>
#include "verifier/verifier.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* NPI_WSK_INTERFACE_ID, as Windows defines it. */
const NPIID NPI_WSK_INTERFACE_ID = {
    0x2227E803, 0x8D8B, 0x11D4, { 0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09 } };

#define OW_REG_LIVE 0x4B53574F4B53574FULL   /* "OWSKOWSK" */
#define OW_REG_GONE 0x454E4F4745524F57ULL
#define SOCKETS_DEREG (1ULL << 63)

struct ow_registration {
    PWSK_REGISTRATION block;
    WSK_CLIENT_NPI client;                /* copied: clients pass stack objects */
    WSK_CLIENT_DISPATCH client_dispatch;
    pthread_mutex_t lock;                 /* captures, and WskDeregister's wait (cond) */
    pthread_cond_t cond;
    unsigned captures;
    /* Every WskSocket and every close counts here, with one atomic step
     * each way: the open sockets, and SOCKETS_DEREG once WskDeregister
     * began (see ow_reg_socket_remove). */
    _Atomic uint64_t sockets;
    /* The open sockets made while the verifier was on, for its report of
     * what WskDeregister waits for (the only reader), linked through
     * reg_prev/reg_next; and had_socket's first setting. A lock of their
     * own, cheap (engine/lock.h). Lock order: lock, then sockets_lock. */
    ow_lock_t sockets_lock;
    struct ow_socket *open_sockets;
    atomic_bool had_socket;               /* static callbacks come before any socket */
    atomic_bool unlisted;                 /* a socket was made while the verifier was off */
    BOOLEAN deregistering;                /* under lock: no capture from then on */
    _Atomic ULONG static_events;          /* WSK_SET_STATIC_EVENT_CALLBACKS: written before any socket */
    struct ow_pending_set pending;        /* lookups, transport list changes */
};

extern const WSK_PROVIDER_DISPATCH ow_provider_dispatch;

static struct ow_registration *reg_of(PWSK_REGISTRATION r)
{
    if (r == NULL || r->ReservedRegistrationState != OW_REG_LIVE)
        return NULL;
    return r->ReservedRegistrationContext;
}

NTSTATUS WskRegister(PWSK_CLIENT_NPI WskClientNpi, PWSK_REGISTRATION WskRegistration)
{
    ow_vf_configure();   /* OPENWSK_TRACE may have been set since start-up */
    if (ow_vf_enabled)
        ow_vf_check_irql("WskRegister", PASSIVE_LEVEL, __builtin_return_address(0));
    if (WskClientNpi == NULL || WskClientNpi->Dispatch == NULL || WskRegistration == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_registration *reg = calloc(1, sizeof(*reg));
    if (reg == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    int rc = ow_engine_start();
    if (rc < 0) {
        free(reg);
        return ow_status_from_errno(-rc);
    }
    reg->block = WskRegistration;
    reg->client_dispatch = *WskClientNpi->Dispatch;
    reg->client.ClientContext = WskClientNpi->ClientContext;
    reg->client.Dispatch = &reg->client_dispatch;
    pthread_mutex_init(&reg->lock, NULL);
    pthread_cond_init(&reg->cond, NULL);
    ow_lock_init(&reg->sockets_lock);
    ow_pending_set_init(&reg->pending);
    WskRegistration->ReservedRegistrationContext = reg;
    WskRegistration->ReservedRegistrationState = OW_REG_LIVE;
    ow_vf_registered();
    if (ow_trace_enabled)
        ow_trace_plain("WskRegister", STATUS_SUCCESS, TRUE, "registration %p, client %p",
                       (void *)WskRegistration, (void *)reg);
    return STATUS_SUCCESS;
}

static BOOLEAN version_supported(USHORT v)
{
    return WSK_MAJOR_VERSION(v) == WSK_MAJOR_VERSION(OW_WSK_HIGHEST_VERSION);
}

NTSTATUS WskCaptureProviderNPI(PWSK_REGISTRATION WskRegistration, ULONG WaitTimeout,
                               PWSK_PROVIDER_NPI WskProviderNpi)
{
    /* The provider is ready as soon as WskRegister returns, so there is
     * never anything to wait for: WSK_NO_WAIT and any timeout succeed at once. */
    UNREFERENCED_PARAMETER(WaitTimeout);
    if (ow_vf_enabled)
        ow_vf_check_irql("WskCaptureProviderNPI", WaitTimeout == WSK_NO_WAIT ? DISPATCH_LEVEL : PASSIVE_LEVEL,
                         __builtin_return_address(0));
    struct ow_registration *reg = reg_of(WskRegistration);
    if (reg == NULL)
        return STATUS_DEVICE_NOT_READY;
    /* Not STATUS_DEVICE_NOT_READY, which says "not yet available" and
     * which clients that poll with WSK_NO_WAIT retry for ever. */
    if (WskProviderNpi == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!version_supported(reg->client_dispatch.Version))
        return STATUS_NOINTERFACE;
    pthread_mutex_lock(&reg->lock);
    if (reg->deregistering) {
        pthread_mutex_unlock(&reg->lock);
        return STATUS_DEVICE_NOT_READY;
    }
    reg->captures++;
    pthread_mutex_unlock(&reg->lock);
    WskProviderNpi->Client = reg;
    WskProviderNpi->Dispatch = ow_vf_hooked ? &ow_vf_provider_dispatch : &ow_provider_dispatch;
    if (ow_trace_enabled)
        ow_trace_plain("WskCaptureProviderNPI", STATUS_SUCCESS, TRUE, "registration %p, wait %lu ms",
                       (void *)WskRegistration, (unsigned long)WaitTimeout);
    return STATUS_SUCCESS;
}

VOID WskReleaseProviderNPI(PWSK_REGISTRATION WskRegistration)
{
    if (ow_vf_enabled)
        ow_vf_check_irql("WskReleaseProviderNPI", DISPATCH_LEVEL, __builtin_return_address(0));
    if (ow_trace_enabled)
        ow_trace_plain("WskReleaseProviderNPI", 0, FALSE, "registration %p", (void *)WskRegistration);
    struct ow_registration *reg = reg_of(WskRegistration);
    if (reg == NULL)
        return;
    pthread_mutex_lock(&reg->lock);
    if (reg->captures > 0)
        reg->captures--;
    pthread_cond_broadcast(&reg->cond);
    pthread_mutex_unlock(&reg->lock);
}

NTSTATUS WskQueryProviderCharacteristics(PWSK_REGISTRATION WskRegistration,
                                         PWSK_PROVIDER_CHARACTERISTICS WskProviderCharacteristics)
{
    if (reg_of(WskRegistration) == NULL)
        return STATUS_DEVICE_NOT_READY;
    if (WskProviderCharacteristics == NULL)
        return STATUS_INVALID_PARAMETER;
    WskProviderCharacteristics->HighestVersion = OW_WSK_HIGHEST_VERSION;
    WskProviderCharacteristics->LowestVersion = OW_WSK_LOWEST_VERSION;
    return STATUS_SUCCESS;
}

/* "listen socket 0x… (AF_INET6, context 0x…); connection socket …", or
 * "none" (the wait is for captures); under reg->sockets_lock. Only sockets
 * made while the verifier was on are listed (ow_reg_socket_added): of the
 * `open` sockets, the others are counted at the end. */
static void ow_reg_open_sockets_text(struct ow_registration *reg, unsigned open, char *out, size_t size)
{
    size_t used = 0;
    unsigned named = 0;
    out[0] = '\0';
    struct ow_socket *s = reg->open_sockets;
    for (; s != NULL && used + 1 < size; s = s->reg_next, named++) {
        const char *kind = s->category == OW_CAT_LISTEN       ? "listen"
                           : s->category == OW_CAT_CONNECTION ? "connection"
                           : s->category == OW_CAT_DATAGRAM   ? "datagram"
                           : s->category == OW_CAT_STREAM     ? "stream"
                                                              : "basic";
        int n = snprintf(out + used, size - used, "%s%s socket %p (%s, context %p)", used ? "; " : "", kind,
                         (void *)s, s->family == AF_INET6 ? "AF_INET6" : "AF_INET", s->context);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (s == NULL && named < open && atomic_load_explicit(&reg->unlisted, memory_order_relaxed)) {
        int n = snprintf(out + used, size - used, "%s%u socket(s) made while the verifier was off",
                         used ? "; " : "", open - named);
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
    if (used == 0)
        snprintf(out, size, "none");
}

static unsigned sockets_open(struct ow_registration *reg)
{
    return (unsigned)(atomic_load(&reg->sockets) & ~SOCKETS_DEREG);
}

VOID WskDeregister(PWSK_REGISTRATION WskRegistration)
{
    if (ow_vf_enabled)
        ow_vf_check_irql("WskDeregister", PASSIVE_LEVEL, __builtin_return_address(0));
    if (ow_trace_enabled)
        ow_trace_plain("WskDeregister", 0, FALSE, "registration %p", (void *)WskRegistration);
    struct ow_registration *reg = reg_of(WskRegistration);
    if (reg == NULL)
        return;
    pthread_mutex_lock(&reg->lock);
    reg->deregistering = TRUE;
    atomic_fetch_or(&reg->sockets, SOCKETS_DEREG);
    pthread_mutex_unlock(&reg->lock);
    /* A pending WSK_TRANSPORT_LIST_CHANGE is cancelled; pending lookups are
     * waited for: "If there are pending IRPs that were passed to the functions
     * in WSK_PROVIDER_DISPATCH, WskDeregister will also wait until those
     * pending IRPs complete" (Unregistering a Winsock Kernel Application). */
    ow_pending_deregister(&reg->pending);
    pthread_mutex_lock(&reg->lock);
    /* As documented, block until every capture is released and every socket
     * closed; say what we wait for, so a leak is not a silent hang. */
    /* Windows waits as long as it takes: echosrv's unload relies on it,
     * its sockets closing when the peer closes. The verifier reports the
     * wait and what is open after 2 s (then every 10 s) and stops only
     * when OPENWSK_VERIFIER=strict asks for it. */
    int waits = 0;
    while (reg->captures || sockets_open(reg)) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += waits == 0 ? (ow_vf_enabled ? 2 : 5) : 10;
        int rc = pthread_cond_timedwait(&reg->cond, &reg->lock, &until);
        unsigned sockets = sockets_open(reg);
        if (rc != ETIMEDOUT || !(reg->captures || sockets))
            continue;
        waits++;
        if (ow_vf_enabled) {
            char open[1024];
            ow_lock(&reg->sockets_lock);
            ow_reg_open_sockets_text(reg, sockets, open, sizeof(open));
            ow_unlock(&reg->sockets_lock);
            ow_vf_deregister_waiting(reg, sockets, reg->captures, open, __builtin_return_address(0));
        } else {
            fprintf(stderr, "OpenWSK: WskDeregister is waiting for %u socket(s) to be closed "
                            "and %u capture(s) to be released\n", sockets, reg->captures);
        }
    }
    pthread_mutex_unlock(&reg->lock);
    ow_pending_deregister(&reg->pending);   /* calls made before the last release */
    ow_client_control_deregister(reg);
    WskRegistration->ReservedRegistrationState = OW_REG_GONE;
    WskRegistration->ReservedRegistrationContext = NULL;
    pthread_cond_destroy(&reg->cond);
    pthread_mutex_destroy(&reg->lock);
    ow_pending_set_destroy(&reg->pending);
    free(reg);
    ow_engine_stop();
    ow_vf_deregistered();
}

atomic_bool ow_static_events_used;

NTSTATUS ow_reg_set_static_events(struct ow_registration *reg, ULONG mask)
{
    ow_lock(&reg->sockets_lock);
    NTSTATUS st = STATUS_SUCCESS;
    if (atomic_load_explicit(&reg->had_socket, memory_order_relaxed)) {
        st = STATUS_INVALID_DEVICE_STATE;   /* documented: before any socket is created */
    } else {
        /* Before the mask, and so before any socket of reg (see provider.h). */
        atomic_store(&ow_static_events_used, 1);
        atomic_fetch_or(&reg->static_events, mask);
    }
    ow_unlock(&reg->sockets_lock);
    return st;
}

BOOLEAN ow_reg_had_socket(struct ow_registration *reg)
{
    return atomic_load_explicit(&reg->had_socket, memory_order_acquire);
}

ULONG ow_reg_static_events(struct ow_registration *reg)
{
    /* Set only before the first socket, read on every socket's way: no lock. */
    return atomic_load_explicit(&reg->static_events, memory_order_acquire);
}

/* A socket's counting in that needs a lock: the registration's first
 * socket, or one the verifier lists. */
static __attribute__((noinline)) void added_locked(struct ow_registration *reg, struct ow_socket *sock)
{
    ow_lock(&reg->sockets_lock);
    atomic_store_explicit(&reg->had_socket, TRUE, memory_order_release);
    if (ow_vf_enabled) {
        sock->reg_prev = NULL;
        sock->reg_next = reg->open_sockets;
        if (reg->open_sockets != NULL)
            reg->open_sockets->reg_prev = sock;
        reg->open_sockets = sock;
    } else {
        atomic_store_explicit(&reg->unlisted, TRUE, memory_order_relaxed);
    }
    ow_unlock(&reg->sockets_lock);
}

/* had_socket is set under sockets_lock, where ow_reg_set_static_events
 * reads it: a socket that finds it set already (its release store, by the
 * socket that set it under the lock) comes after any mask set before it,
 * and one that does not takes the lock, as every socket used to. */
void ow_reg_socket_added(struct ow_registration *reg, struct ow_socket *sock)
{
    atomic_fetch_add(&reg->sockets, 1);
    sock->reg_prev = sock;             /* not listed, unless added_locked lists it */
    sock->reg_next = NULL;
    if (!atomic_load_explicit(&reg->had_socket, memory_order_acquire) || ow_vf_enabled) {
        added_locked(reg, sock);
        return;
    }
    atomic_store_explicit(&reg->unlisted, TRUE, memory_order_relaxed);
}

/* The last socket of a deregistering client (the count at
 * SOCKETS_DEREG | 1) is counted out under reg->lock and wakes
 * WskDeregister there: WskDeregister reads the count under that lock
 * before it waits, so the wake-up cannot be lost, and it frees the
 * registration only after this thread let the lock go. Every other socket
 * is counted out by one compare-and-swap, after which it touches nothing of
 * the registration: WskDeregister may free it from then on. */
static inline __attribute__((always_inline)) void count_out(struct ow_registration *reg)
{
    uint64_t n = atomic_load_explicit(&reg->sockets, memory_order_relaxed);
    while (n != (SOCKETS_DEREG | 1)) {
        if (atomic_compare_exchange_weak(&reg->sockets, &n, n - 1))
            return;
    }
    pthread_mutex_lock(&reg->lock);
    atomic_fetch_sub(&reg->sockets, 1);
    pthread_cond_broadcast(&reg->cond);
    pthread_mutex_unlock(&reg->lock);
}

/* Takes a socket the verifier listed out of the registration's list. */
static __attribute__((noinline)) void unlist(struct ow_registration *reg, struct ow_socket *sock)
{
    ow_lock(&reg->sockets_lock);
    if (sock->reg_prev != NULL)
        sock->reg_prev->reg_next = sock->reg_next;
    else
        reg->open_sockets = sock->reg_next;
    if (sock->reg_next != NULL)
        sock->reg_next->reg_prev = sock->reg_prev;
    ow_unlock(&reg->sockets_lock);
}

/* The socket is unlisted and freed before it is counted out: WskDeregister
 * returns only once its memory is gone. A socket the verifier does not
 * list (its reg_prev is itself) takes no lock. */
void ow_reg_socket_remove(struct ow_registration *reg, struct ow_socket *sock)
{
    if (sock->reg_prev != sock)
        unlist(reg, sock);
    ow_socket_free(sock);
    count_out(reg);
}

struct ow_pending_set *ow_reg_pending(struct ow_registration *reg)
{
    return &reg->pending;
}
