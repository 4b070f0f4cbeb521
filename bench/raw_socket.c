/* SPDX-License-Identifier: MIT */
#include "raw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int raw_socket(int nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return -1;
    struct linger l = { 1, 0 };
    struct sockaddr_in any;
    memset(&any, 0, sizeof(any));
    any.sin_family = AF_INET;
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0 ||
        bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void raw_addr(const struct bench_opts *o, void *out)
{
    struct sockaddr_in *sa = out;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl(o->addr);
    sa->sin_port = htons((unsigned short)o->port);
}
