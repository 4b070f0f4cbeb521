/* SPDX-License-Identifier: MIT */
/* Address sharing on WskBind: SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, wildcard
 * and specific addresses, as the WSK page "Sharing Transport Addresses"
 * (windows-driver-docs-pr/network/sharing-transport-addresses.md) lays
 * them out.
 *
 * Linux's rules are different (a wildcard bind after a specific one fails,
 * SO_REUSEADDR does not let two listeners share a port, and nothing returns
 * "access denied"), so the decision is taken here, in one table of this
 * process's bound sockets, before the Linux bind; the Linux socket is then
 * bound with SO_REUSEADDR and SO_REUSEPORT so that every combination the
 * matrix allows also succeeds in the kernel. Sockets of other processes are
 * not in the table: Linux alone judges those (docs/semantics.md). */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

enum share_mode { SHARE_DEFAULT, SHARE_REUSE, SHARE_EXCLUSIVE };

/* INUSE: STATUS_ADDRESS_ALREADY_EXISTS; DENIED: STATUS_ACCESS_DENIED; CHECK:
 * an access check against the first socket's security descriptor. */
enum verdict { OK, INUSE, DENIED, CHECK };

/* The page's table: [second bind's mode][second is specific]
 * [first bind's mode][first is specific]. */
static const unsigned char matrix[3][2][3][2] = {
    [SHARE_DEFAULT] = {
        { { INUSE, OK }, { INUSE, OK }, { INUSE, OK } },             /* wildcard */
        { { CHECK, INUSE }, { CHECK, DENIED }, { DENIED, INUSE } },  /* specific */
    },
    [SHARE_REUSE] = {
        { { DENIED, OK }, { OK, OK }, { DENIED, OK } },
        { { CHECK, DENIED }, { OK, OK }, { DENIED, DENIED } },
    },
    [SHARE_EXCLUSIVE] = {
        { { INUSE, INUSE }, { INUSE, INUSE }, { INUSE, INUSE } },
        { { CHECK, INUSE }, { CHECK, INUSE }, { DENIED, INUSE } },
    },
};

struct ow_binding {
    struct ow_binding *next, **pprev; /* in its bucket */
    ULONG protocol;                   /* TCP and UDP ports are separate */
    ADDRESS_FAMILY family;
    USHORT port;                      /* network order, as in the address */
    BOOLEAN specific;
    UCHAR addr[16];                   /* specific address (4 or 16 bytes) */
    enum share_mode mode;
};

/* Bound sockets hashed by port: a bind looks at its port's bucket only,
 * and a socket's release unlinks its own entry (sock->share). */
#define SHARE_BUCKETS 1024
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_binding *table[SHARE_BUCKETS];

static struct ow_binding **bucket(USHORT port)
{
    return &table[port % SHARE_BUCKETS];
}

static void insert_locked(struct ow_binding *b)
{
    struct ow_binding **head = bucket(b->port);
    b->next = *head;
    b->pprev = head;
    if (*head)
        (*head)->pprev = &b->next;
    *head = b;
}

/* Port, address and wildcard-ness of a Windows-layout address. */
static void parse(const SOCKADDR *sa, USHORT *port, UCHAR addr[16], BOOLEAN *specific)
{
    static const UCHAR zero[16];
    memset(addr, 0, 16);
    if (sa->sa_family == AF_INET) {
        const SOCKADDR_IN *in = (const SOCKADDR_IN *)sa;
        *port = in->sin_port;
        memcpy(addr, &in->sin_addr, 4);
    } else {
        const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)sa;
        *port = in6->sin6_port;
        memcpy(addr, &in6->sin6_addr, 16);
    }
    *specific = memcmp(addr, zero, 16) != 0;
}

static enum share_mode mode_of(const struct ow_socket *sock)
{
    /* Both set: exclusive use is the stronger promise, and it wins. */
    return sock->exclusive ? SHARE_EXCLUSIVE : sock->reuseaddr ? SHARE_REUSE : SHARE_DEFAULT;
}

/* The first conflict of a bind with the table, as a status. Under table_lock. */
static NTSTATUS judge(const struct ow_binding *b)
{
    for (const struct ow_binding *t = *bucket(b->port); t != NULL; t = t->next) {
        if (t->protocol != b->protocol || t->family != b->family || t->port != b->port)
            continue;
        if (t->specific && b->specific && memcmp(t->addr, b->addr, 16) != 0)
            continue;   /* two different specific addresses share nothing */
        switch (matrix[b->mode][b->specific][t->mode][t->specific]) {
        case OK:
            continue;
        case INUSE:
            return STATUS_ADDRESS_ALREADY_EXISTS;
        default:
            /* CHECK: our sockets all carry the default security descriptor,
             * which "does not permit sharing of transport addresses"
             * (a SecurityDescriptor passed to WskSocket is not evaluated). */
            return STATUS_ACCESS_DENIED;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS ow_share_bind(struct ow_socket *sock, const SOCKADDR *local)
{
    struct ow_binding *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    b->protocol = sock->protocol;
    b->family = sock->family;
    b->mode = mode_of(sock);
    parse(local, &b->port, b->addr, &b->specific);

    NTSTATUS st;
    if (b->port == 0) {
        /* Port 0: Linux picks a port no socket uses; nothing to judge, and
         * the port is this socket's alone (bound without the sharing
         * options, which would let the kernel hand one port to several
         * sockets and make every such bind scan the bound ports). */
        int rc = ow_net_bind(sock->fd, local, ow_addr_len(sock->family));
        st = rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS;
        SOCKADDR_STORAGE bound;
        size_t len = sizeof(bound);
        if (NT_SUCCESS(st) && ow_net_local_addr(sock->fd, &bound, &len) == 0)
            parse((const SOCKADDR *)&bound, &b->port, b->addr, &b->specific);
        pthread_mutex_lock(&table_lock);
    } else {
        pthread_mutex_lock(&table_lock);
        st = judge(b);
        if (NT_SUCCESS(st)) {
            int rc = ow_net_bind_shareable(sock->fd, local, ow_addr_len(sock->family));
            st = rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS;
        }
    }
    if (NT_SUCCESS(st)) {
        insert_locked(b);
        sock->share = b;
        b = NULL;
    }
    pthread_mutex_unlock(&table_lock);
    free(b);
    return st;
}

void ow_share_release_bound(struct ow_socket *sock)
{
    struct ow_binding *b = sock->share;
    pthread_mutex_lock(&table_lock);
    *b->pprev = b->next;
    if (b->next)
        b->next->pprev = b->pprev;
    pthread_mutex_unlock(&table_lock);
    sock->share = NULL;
    free(b);
}
