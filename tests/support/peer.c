/* SPDX-License-Identifier: MIT */
/* The test peer of peer.h: blocking plain sockets, one thread per
 * connection, all joined by ow_peer_stop(). */
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct peer_conn {
    struct peer_conn *next;
    struct ow_peer *peer;
    pthread_t thread;
    int fd;
};

struct ow_peer {
    enum ow_peer_mode mode;
    int ipv6;
    int lfd;
    unsigned short port;
    pthread_t thread;
    atomic_int stopping;
    atomic_int accepted;
    pthread_mutex_t lock;         /* conns */
    struct peer_conn *conns;
};

uint64_t ow_peer_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void *conn_main(void *arg)
{
    struct peer_conn *c = arg;
    static const size_t bufsize = 64 * 1024;
    char *buf = malloc(bufsize);
    uint64_t total = 0, h = OW_PEER_HASH_INIT;
    for (;;) {
        ssize_t n = buf ? recv(c->fd, buf, bufsize, 0) : -1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (c->peer->mode == OW_PEER_ECHO && write_all(c->fd, buf, (size_t)n) < 0)
            break;
        total += (uint64_t)n;
        h = ow_peer_hash(h, buf, (size_t)n);
    }
    if (c->peer->mode == OW_PEER_SINK && !atomic_load(&c->peer->stopping)) {
        uint64_t reply[2] = { total, h };
        (void)write_all(c->fd, reply, sizeof(reply));
    }
    shutdown(c->fd, SHUT_WR);
    free(buf);
    return NULL;
}

static void *accept_main(void *arg)
{
    struct ow_peer *p = arg;
    for (;;) {
        int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (atomic_load(&p->stopping)) {
            if (fd >= 0)
                close(fd);
            return NULL;
        }
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        struct peer_conn *c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->peer = p;
        c->fd = fd;
        if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_mutex_lock(&p->lock);
        c->next = p->conns;
        p->conns = c;
        pthread_mutex_unlock(&p->lock);
        atomic_fetch_add(&p->accepted, 1);
    }
}

static int listen_loopback(struct ow_peer *p)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    if (p->ipv6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_loopback;
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*s4);
    }
    p->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->lfd < 0)
        return -1;
    if (bind(p->lfd, (struct sockaddr *)&ss, len) < 0 || listen(p->lfd, 4096) < 0   /* stress: 1,000 handshakes at once */
        || getsockname(p->lfd, (struct sockaddr *)&ss, &len) < 0) {
        int e = errno;
        close(p->lfd);
        errno = e;
        return -1;
    }
    p->port = ntohs(p->ipv6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                            : ((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

struct ow_peer *ow_peer_start(int ipv6, enum ow_peer_mode mode)
{
    struct ow_peer *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->ipv6 = ipv6 != 0;
    p->mode = mode;
    atomic_init(&p->stopping, 0);
    atomic_init(&p->accepted, 0);
    pthread_mutex_init(&p->lock, NULL);
    if (listen_loopback(p) < 0) {
        free(p);
        return NULL;
    }
    int rc = pthread_create(&p->thread, NULL, accept_main, p);
    if (rc != 0) {
        close(p->lfd);
        free(p);
        errno = rc;
        return NULL;
    }
    return p;
}

void ow_peer_stop(struct ow_peer *p)
{
    if (p == NULL)
        return;
    atomic_store(&p->stopping, 1);
    shutdown(p->lfd, SHUT_RDWR);   /* wakes accept() */
    pthread_join(p->thread, NULL);
    close(p->lfd);
    /* No new connections now; wake each handler out of recv()/send(). */
    struct peer_conn *c = p->conns;
    for (struct peer_conn *it = c; it != NULL; it = it->next)
        shutdown(it->fd, SHUT_RDWR);
    while (c != NULL) {
        struct peer_conn *next = c->next;
        pthread_join(c->thread, NULL);
        close(c->fd);
        free(c);
        c = next;
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

unsigned short ow_peer_port(const struct ow_peer *p) { return p->port; }

int ow_peer_accepted(const struct ow_peer *p)
{
    return atomic_load(&p->accepted);
}

size_t ow_peer_win_addr(const struct ow_peer *p, void *buf, size_t len)
{
    unsigned char sa[28];
    size_t n = p->ipv6 ? 28 : 16;
    if (len < n)
        return 0;
    memset(sa, 0, sizeof(sa));
    uint16_t family = p->ipv6 ? 23 : 2;   /* Windows AF_INET6 / AF_INET */
    uint16_t port = htons(p->port);
    memcpy(sa, &family, 2);
    memcpy(sa + 2, &port, 2);
    if (p->ipv6)
        memcpy(sa + 8, &in6addr_loopback, 16);   /* after sin6_flowinfo */
    else
        sa[4] = 127, sa[7] = 1;
    memcpy(buf, sa, n);
    return n;
}
