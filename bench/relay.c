/* SPDX-License-Identifier: MIT */
/* bench_relay: a delay line between two TUN devices, for the Fast Open
 * figure (netem is not available). Creates TUN devices A and B (IP packets,
 * no header), prints "READY", then forwards every packet read on one to the
 * other after holding it for delay_us (= RTT/2), until stdin reaches EOF.
 *   bench_relay TUN_A TUN_B DELAY_US
 * bench/tfo.sh moves the devices into two namespaces and addresses them. */
#include "util.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096   /* per direction; a FIFO is in time order: one fixed delay */
#define MAXPKT 2048

struct line {
    int in, out;
    unsigned head, tail;
    uint64_t due[SLOTS];
    uint16_t len[SLOTS];
    unsigned char pkt[SLOTS][MAXPKT];
};

static int tun_open(const char *name)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    if (fd < 0)
        return -1;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void take(struct line *l, uint64_t delay)
{
    while (l->tail - l->head < SLOTS) {
        unsigned i = l->tail % SLOTS;
        ssize_t n = read(l->in, l->pkt[i], MAXPKT);
        if (n <= 0)
            return;
        l->len[i] = (uint16_t)n;
        l->due[i] = bu_now_ns() + delay;
        l->tail++;
    }
    char drop[MAXPKT];   /* queue full: the packet is lost, as on a real link */
    while (read(l->in, drop, sizeof(drop)) > 0)
        ;
}

static uint64_t release(struct line *l, uint64_t now)
{
    while (l->head != l->tail) {
        unsigned i = l->head % SLOTS;
        if (l->due[i] > now)
            return l->due[i] - now;
        (void)!write(l->out, l->pkt[i], l->len[i]);
        l->head++;
    }
    return UINT64_MAX;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_relay TUN_A TUN_B DELAY_US\n");
        return 1;
    }
    uint64_t delay = (uint64_t)atol(argv[3]) * 1000;
    int a = tun_open(argv[1]), b = tun_open(argv[2]);
    if (a < 0 || b < 0) {
        perror("bench_relay: TUN");
        return 77;
    }
    struct line *ab = calloc(1, sizeof(*ab)), *ba = calloc(1, sizeof(*ba));
    ab->in = a, ab->out = b, ba->in = b, ba->out = a;
    printf("READY\n");
    fflush(stdout);
    struct pollfd p[3] = { { a, POLLIN, 0 }, { b, POLLIN, 0 }, { 0, POLLIN, 0 } };
    for (;;) {
        uint64_t now = bu_now_ns(), w1 = release(ab, now), w2 = release(ba, now);
        uint64_t wait = w1 < w2 ? w1 : w2;
        struct timespec ts = { (time_t)(wait / 1000000000u), (long)(wait % 1000000000u) };
        if (ppoll(p, 3, wait == UINT64_MAX ? NULL : &ts, NULL) < 0)
            continue;
        if (p[2].revents)
            return 0;
        if (p[0].revents & POLLIN)
            take(ab, delay);
        if (p[1].revents & POLLIN)
            take(ba, delay);
    }
}
