/* SPDX-License-Identifier: MIT */
/* The host's local addresses of one family, for SIO_ADDRESS_LIST_QUERY. */
#include "net.h"
#include "internal.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

int ow_net_local_addresses(int win_family, void *out, int max)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return -errno;
    size_t len = ow_win_sockaddr_len(win_family);
    int count = 0;
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP))
            continue;
        unsigned char win[OW_WIN_SOCKADDR_IN6_LEN];
        size_t winlen = sizeof(win);
        unsigned salen = ifa->ifa_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                              : sizeof(struct sockaddr_in);
        if (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6)
            continue;
        ow_sa_to_win(ifa->ifa_addr, salen, win, &winlen);
        if (winlen != len || ((const unsigned short *)(const void *)win)[0] != win_family)
            continue;
        if (count < max)
            memcpy((unsigned char *)out + (size_t)count * len, win, len);
        count++;
    }
    freeifaddrs(list);
    return count;
}
