/* SPDX-License-Identifier: MIT */
/* Linux side of udp_peer.h. */
#include "udp_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ow_udp_peer {
    int fd, ipv6;
    int stop_pipe[2];
    pthread_t thread;
    atomic_int count;
    unsigned short port;
};

static void *peer_main(void *arg)
{
    struct ow_udp_peer *p = arg;
    static const char prefix[] = "echo:";
    unsigned char buf[65536 + sizeof(prefix)];
    for (;;) {
        struct pollfd pfd[2] = { { .fd = p->fd, .events = POLLIN }, { .fd = p->stop_pipe[0], .events = POLLIN } };
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[1].revents)
            break;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        ssize_t n = recvfrom(p->fd, buf + 5, sizeof(buf) - 5, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
        if (n < 0)
            continue;
        memcpy(buf, prefix, 5);
        (void)sendto(p->fd, buf, (size_t)n + 5, 0, (struct sockaddr *)&ss, sl);
        atomic_fetch_add(&p->count, 1);
    }
    return NULL;
}

struct ow_udp_peer *ow_udp_peer_start(int ipv6)
{
    struct ow_udp_peer *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->ipv6 = ipv6;
    p->fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (p->fd < 0 || pipe(p->stop_pipe) < 0)
        goto fail;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    if (ipv6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_loopback;
        sl = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof(*s4);
    }
    if (bind(p->fd, (struct sockaddr *)&ss, sl) < 0 || getsockname(p->fd, (struct sockaddr *)&ss, &sl) < 0)
        goto fail;
    p->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);   /* same offset for v6 */
    if (pthread_create(&p->thread, NULL, peer_main, p) != 0)
        goto fail;
    return p;
fail:
    if (p->fd >= 0)
        close(p->fd);
    free(p);
    return NULL;
}

void ow_udp_peer_stop(struct ow_udp_peer *p)
{
    if (p == NULL)
        return;
    if (write(p->stop_pipe[1], "x", 1) < 0) {
        /* the thread still ends when the fds close below */
    }
    pthread_join(p->thread, NULL);
    close(p->stop_pipe[0]);
    close(p->stop_pipe[1]);
    close(p->fd);
    free(p);
}

unsigned short ow_udp_peer_port(const struct ow_udp_peer *p) { return p->port; }

int ow_udp_peer_count(const struct ow_udp_peer *p) { return atomic_load(&((struct ow_udp_peer *)p)->count); }

size_t ow_udp_peer_win_addr(const struct ow_udp_peer *p, void *buf, size_t len)
{
    unsigned char a[28];
    memset(a, 0, sizeof(a));
    unsigned short port = htons(p->port);
    if (p->ipv6) {
        if (len < 28)
            return 0;
        unsigned short fam = 23;
        memcpy(a, &fam, 2);
        memcpy(a + 2, &port, 2);
        memcpy(a + 8, &in6addr_loopback, 16);
        memcpy(buf, a, 28);
        return 28;
    }
    if (len < 16)
        return 0;
    unsigned short fam = 2;
    uint32_t lo = htonl(INADDR_LOOPBACK);
    memcpy(a, &fam, 2);
    memcpy(a + 2, &port, 2);
    memcpy(a + 4, &lo, 4);
    memcpy(buf, a, 16);
    return 16;
}

int ow_udp_send_once(int ipv6, const void *win_dst, size_t dstlen, const void *data, size_t len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (dstlen > sizeof(ss))
        return -EINVAL;
    memcpy(&ss, win_dst, dstlen);
    ss.ss_family = ipv6 ? AF_INET6 : AF_INET;
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, (socklen_t)dstlen);
    int rc = n < 0 ? -errno : 0;
    close(fd);
    return rc;
}
