/* Socket objects: creation, address checks, destruction. */
#include "provider.h"
#include "verifier/verifier.h"

#include <openwsk.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_ulong live_sockets;   /* every registration's, for OwSocketsOutstanding */

ULONG OwSocketsOutstanding(void)
{
    return (ULONG)atomic_load(&live_sockets);
}

struct ow_socket *ow_socket_new(struct ow_registration *reg, enum ow_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                                int fd, PVOID context, const VOID *client_dispatch)
{
    struct ow_socket *sock = calloc(1, sizeof(*sock));
    if (sock == NULL)
        return NULL;
    sock->pub.Dispatch = ow_dispatch_for(cat);
    sock->vf_magic = OW_SOCK_LIVE;
    sock->reg = reg;
    sock->category = cat;
    sock->family = family;
    sock->type = type;
    sock->protocol = protocol;
    sock->fd = fd;
    sock->context = context;
    sock->client_dispatch = client_dispatch;
    sock->state = OW_CONN_IDLE;
    pthread_mutex_init(&sock->lock, NULL);
    ow_reg_socket_added(reg, sock);
    atomic_fetch_add(&live_sockets, 1);
    return sock;
}

void ow_socket_destroy(struct ow_socket *sock)
{
    struct ow_registration *reg = sock->reg;
    atomic_fetch_sub(&live_sockets, 1);
    ow_events_free(sock);
    pthread_mutex_destroy(&sock->lock);
    ow_reg_socket_unlink(reg, sock);
    if (!(ow_vf_enabled && ow_vf_bury_socket(sock)))   /* graveyard: docs/verifier.md */
        free(sock);
    ow_reg_socket_removed(reg);
}

size_t ow_addr_len(ADDRESS_FAMILY family)
{
    return ow_win_sockaddr_len(family);
}

NTSTATUS ow_check_addr(const struct ow_socket *sock, const SOCKADDR *addr)
{
    if (addr == NULL)
        return STATUS_INVALID_PARAMETER;
    if (addr->sa_family != sock->family)
        return STATUS_INVALID_ADDRESS;    /* of another family than the socket's */
    return STATUS_SUCCESS;
}
