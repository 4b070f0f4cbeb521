/* SPDX-License-Identifier: MIT */
/* OPENWSK_TRACE=<file>: one line per WSK call (arguments, returned status)
 * and per completion (final status, Information, latency), with time,
 * thread and IRQL. Set before WskRegister, which reads it. */
#include "wsktest.h"

#include <unistd.h>

static WT_CLIENT cl;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The line containing needle (copied into line), or NULL. */
static const char *find_line(const char *text, const char *needle, char *line, size_t size)
{
    const char *p = strstr(text, needle);
    if (p == NULL)
        return NULL;
    const char *start = p;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= size)
        n = size - 1;
    memcpy(line, start, n);
    line[n] = '\0';
    return line;
}

int main(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/openwsk-trace-%d.txt", (int)getpid());
    setenv("OPENWSK_TRACE", path, 1);
    wt_register(&cl);
    const WSK_PROVIDER_DISPATCH *pd = cl.Provider.Dispatch;

    WT_CALL c, a, r;
    wt_init(&c);
    wt_init(&a);
    wt_init(&r);
    CHECK_STATUS(wt_wait(&c, pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                        wt_arm(&c))), STATUS_SUCCESS);
    PWSK_SOCKET ls = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE addr = wt_addr(AF_INET, 0), wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    NTSTATUS ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    CHECK_STATUS(wt_wait(&c, pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                        wt_arm(&c))), STATUS_SUCCESS);
    PWSK_SOCKET cs = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    WT_BUF b, got;
    wt_buf_init(&b, 1000, 2, 0);
    wt_buf_init(&got, 1000, 1, 0);
    /* A documented failure, traced with its status. */
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &b.Wsk, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, cd->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    PWSK_SOCKET ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;
    NTSTATUS rr = sd->WskReceive(ss, &got.Wsk, WSK_FLAG_WAITALL, wt_arm(&r));
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &b.Wsk, WSK_FLAG_NODELAY, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&r, rr), STATUS_SUCCESS);
    CHECK(r.Irp->IoStatus.Information == 1000, "received %lu", (unsigned long)r.Irp->IoStatus.Information);
    PIRP recv_irp = r.Irp;
    const WSK_PROVIDER_BASIC_DISPATCH *bd;
    bd = ss->Dispatch;
    CHECK_STATUS(wt_wait(&c, bd->WskCloseSocket(ss, wt_arm(&c))), STATUS_SUCCESS);
    bd = cs->Dispatch;
    CHECK_STATUS(wt_wait(&c, bd->WskCloseSocket(cs, wt_arm(&c))), STATUS_SUCCESS);
    bd = ls->Dispatch;
    CHECK_STATUS(wt_wait(&c, bd->WskCloseSocket(ls, wt_arm(&c))), STATUS_SUCCESS);
    wt_buf_free(&b);
    wt_buf_free(&got);
    wt_deregister(&cl);

    char *text = slurp(path);
    CHECK(text != NULL, "no trace file %s", path);
    if (text != NULL) {
        char needle[160], line[600];
        CHECK(strstr(text, "WskRegister(registration ") != NULL, "no WskRegister line");
        CHECK(strstr(text, "WskDeregister(registration ") != NULL, "no WskDeregister line");
        /* Call lines: time, thread, IRQL, call, socket, IRP, arguments, status. */
        snprintf(needle, sizeof(needle), "WskSend(socket %p, irp %p, 1000 bytes at offset 0 in 2 MDLs, flags 0) = STATUS_INVALID_DEVICE_STATE",
                 (void *)cs, (void *)c.Irp);
        CHECK(find_line(text, needle, line, sizeof(line)) != NULL, "no line with \"%s\" in:\n%s", needle, text);
        CHECK(strncmp(line, "[ow +0.", 7) == 0 && strstr(line, "s t") && strstr(line, " PASSIVE ] "),
              "call line prefix: %s", line);
        snprintf(needle, sizeof(needle), "WskSend(socket %p, irp %p, 1000 bytes at offset 0 in 2 MDLs, flags NODELAY) = STATUS_PENDING",
                 (void *)cs, (void *)c.Irp);
        CHECK(find_line(text, needle, line, sizeof(line)) != NULL, "no line with \"%s\"", needle);
        snprintf(needle, sizeof(needle), "WskReceive(socket %p, irp %p, 1000 bytes at offset 0 in 1 MDL, flags WAITALL) = STATUS_PENDING",
                 (void *)ss, (void *)recv_irp);
        CHECK(find_line(text, needle, line, sizeof(line)) != NULL, "no line with \"%s\"", needle);
        /* Completion lines: the final status by name, Information, latency. */
        snprintf(needle, sizeof(needle), "WskReceive(irp %p) completed: STATUS_SUCCESS, 1000 bytes, ", (void *)recv_irp);
        CHECK(find_line(text, needle, line, sizeof(line)) != NULL, "no line with \"%s\"", needle);
        size_t len = strlen(line);
        CHECK(len > 3 && strcmp(line + len - 3, " us") == 0, "no latency: %s", line);
        CHECK(strstr(line, " DISPATCH] ") != NULL, "completion not at DISPATCH_LEVEL: %s", line);
        snprintf(needle, sizeof(needle), ") completed: STATUS_SUCCESS, new socket %p, ", (void *)ss);
        CHECK(strstr(text, needle) != NULL, "no accept completion \"%s\"", needle);
        snprintf(needle, sizeof(needle), ") completed: STATUS_INVALID_DEVICE_STATE, 0 bytes, ");
        CHECK(strstr(text, needle) != NULL, "no failed completion \"%s\"", needle);
        CHECK(strstr(text, ") completed: STATUS_SUCCESS, local 127.0.0.1:") != NULL, "no local address");
        snprintf(needle, sizeof(needle), "WskCloseSocket(socket %p, irp ", (void *)ls);
        CHECK(strstr(text, needle) != NULL, "no close line \"%s\"", needle);
    }
    unlink(path);
    wt_free(&c);
    wt_free(&a);
    wt_free(&r);
    return wt_result("test_trace");
}
