/* SPDX-License-Identifier: MIT */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int ow_test_enter_netns(int tfo, const char **why)
{
    if (unshare(CLONE_NEWNET) < 0) {
        *why = errno == EPERM ? "unshare(CLONE_NEWNET): not permitted here" : strerror(errno);
        return -1;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        *why = "socket() in the new namespace failed";
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    if (rc < 0) {
        *why = "cannot bring loopback up in the new namespace";
        return -1;
    }
    if (tfo >= 0) {
        char text[16];
        snprintf(text, sizeof(text), "%d", tfo);
        if (write_file("/proc/sys/net/ipv4/tcp_fastopen", text) < 0) {
            *why = "cannot set net.ipv4.tcp_fastopen in the new namespace";
            return -1;
        }
    }
    return 0;
}

long ow_test_tcpext(const char *name)
{
    FILE *f = fopen("/proc/net/netstat", "r");
    if (f == NULL)
        return -1;
    char names[8192], values[8192];
    long result = -1;
    while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
        if (strncmp(names, "TcpExt:", 7) != 0)
            continue;
        char *sn, *sv;
        char *n = strtok_r(names, " \n", &sn), *v = strtok_r(values, " \n", &sv);
        while (n && v) {
            if (strcmp(n, name) == 0) {
                result = strtol(v, NULL, 10);
                break;
            }
            n = strtok_r(NULL, " \n", &sn);
            v = strtok_r(NULL, " \n", &sv);
        }
    }
    fclose(f);
    return result;
}

int ow_test_sysctl(const char *name, const char *value)
{
    char path[256] = "/proc/sys/";
    size_t at = strlen(path);
    for (const char *p = name; *p && at + 1 < sizeof(path); p++)
        path[at++] = *p == '.' ? '/' : *p;
    path[at] = '\0';
    return write_file(path, value);
}

static int full_fds[2] = { -1, -1 };

unsigned short ow_test_full_listener(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 0) < 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) < 0) {
        if (l >= 0)
            close(l);
        return 0;
    }
    /* One connection fills a backlog of 0 (Linux allows backlog + 1). */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(l);
        if (c >= 0)
            close(c);
        return 0;
    }
    full_fds[0] = l;
    full_fds[1] = c;
    return ntohs(sa.sin_port);
}

int ow_test_break_listener(unsigned short port)
{
    int broken = 0;
    for (int fd = 0; fd < 4096; fd++) {
        int listening = 0;
        socklen_t len = sizeof(listening);
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof(ss);
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening ||
            getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
            continue;
        unsigned short p = ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                    : ((struct sockaddr_in *)&ss)->sin_port;
        if (ntohs(p) == port && shutdown(fd, SHUT_RD) == 0)
            broken++;
    }
    return broken;
}

void ow_test_full_listener_close(void)
{
    for (int i = 0; i < 2; i++) {
        if (full_fds[i] >= 0)
            close(full_fds[i]);
        full_fds[i] = -1;
    }
}
