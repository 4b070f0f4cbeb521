/* SPDX-License-Identifier: MIT */
/* Abortive disconnect without closing the descriptor: connect() with
 * AF_UNSPEC makes Linux drop a TCP connection with a RST (tcp_disconnect),
 * which is what WskDisconnect(WSK_FLAG_ABORTIVE) asks for. */
#include "net.h"
#include "sys.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int ow_net_abort(int fd)
{
    struct sockaddr sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNSPEC;
    if (ow_sys_connect(fd, &sa, sizeof(sa)) < 0 && errno != EAFNOSUPPORT)
        return -errno;
    return 0;
}
