/* SPDX-License-Identifier: MIT */
/* wskdemo: the story of OpenWSK in one run, for `make demo`. A WSK echo
 * listener and a WSK client in one process, written as a driver would write
 * them: WskConnectEx sends its first buffer in the SYN when TCP Fast Open is
 * on, and every step prints its NTSTATUS.
 *
 * Usage: wskdemo [-6]   (scripts/demo.sh runs it in a private namespace) */
#include <ntddk.h>
#include <wsk.h>
#include <openwsk.h>

#include <stdio.h>
#include <string.h>

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI Provider;
static const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };
static int Failures;

/* ---- a synchronous call over an IRP, as drivers write it ---------------- */
typedef struct { PIRP Irp; KEVENT Event; } SYNC_CALL;

static NTSTATUS SyncCompletion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static PIRP Arm(SYNC_CALL *c)
{
    IoReuseIrp(c->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&c->Event);
    IoSetCompletionRoutine(c->Irp, SyncCompletion, &c->Event, TRUE, TRUE, TRUE);
    return c->Irp;
}

static NTSTATUS Wait(SYNC_CALL *c, NTSTATUS returned)
{
    if (returned == STATUS_PENDING) {
        LARGE_INTEGER timeout;
        timeout.QuadPart = -10LL * 1000 * 1000 * 5;   /* 5 s */
        if (KeWaitForSingleObject(&c->Event, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
            IoCancelIrp(c->Irp);
            KeWaitForSingleObject(&c->Event, Executive, KernelMode, FALSE, NULL);
        }
    }
    return c->Irp->IoStatus.Status;
}

static NTSTATUS Step(const char *what, NTSTATUS status)
{
    printf("  %-58s %s\n", what, OwStatusName(status));
    if (!NT_SUCCESS(status))
        Failures++;
    return status;
}

static PWSK_SOCKET NewSocket(SYNC_CALL *c, ADDRESS_FAMILY af, ULONG flags, const char *what)
{
    NTSTATUS st = Wait(c, Provider.Dispatch->WskSocket(Provider.Client, af, SOCK_STREAM, IPPROTO_TCP,
                                                       flags, NULL, NULL, NULL, NULL, NULL, Arm(c)));
    Step(what, st);
    return NT_SUCCESS(st) ? (PWSK_SOCKET)c->Irp->IoStatus.Information : NULL;
}

static NTSTATUS SetFastOpen(SYNC_CALL *c, PWSK_SOCKET s)
{
    ULONG on = 1;
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    return Wait(c, d->WskControlSocket(s, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP, sizeof(on), &on,
                                       0, NULL, NULL, Arm(c)));
}

static NTSTATUS CloseSocket(SYNC_CALL *c, PWSK_SOCKET s)
{
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    return Wait(c, d->WskCloseSocket(s, Arm(c)));
}

/* One client connection: WskConnectEx with the message, the server echoes it. */
static void Connection(int n, PWSK_SOCKET listener, ADDRESS_FAMILY af, PSOCKADDR remote)
{
    static const char message[] = "Hello from a WSK driver, sent with WskConnectEx";
    const ULONG len = sizeof(message) - 1;
    SYNC_CALL c, a;
    char line[128];
    c.Irp = IoAllocateIrp(1, FALSE);
    a.Irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&c.Event, NotificationEvent, FALSE);
    KeInitializeEvent(&a.Event, NotificationEvent, FALSE);
    char *out = ExAllocatePool2(POOL_FLAG_NON_PAGED, len, 'omeD');
    char *in = ExAllocatePool2(POOL_FLAG_NON_PAGED, len, 'omeD');
    PMDL outMdl = IoAllocateMdl(out, len, FALSE, FALSE, NULL);
    PMDL inMdl = IoAllocateMdl(in, len, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(outMdl);
    MmBuildMdlForNonPagedPool(inMdl);
    RtlCopyMemory(out, message, len);
    WSK_BUF outBuf = { outMdl, 0, len }, inBuf = { inMdl, 0, len };

    printf("connection %d%s\n", n, n == 1 ? " (first to this server: fetches the Fast Open cookie)" : "");
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = listener->Dispatch;
    NTSTATUS accepted = ld->WskAccept(listener, 0, NULL, NULL, NULL, NULL, Arm(&a));
    PWSK_SOCKET s = NewSocket(&c, af, WSK_FLAG_CONNECTION_SOCKET, "WskSocket(WSK_FLAG_CONNECTION_SOCKET)");
    if (s != NULL) {
        const WSK_PROVIDER_CONNECTION_DISPATCH *cd = s->Dispatch;
        SOCKADDR_STORAGE wild;
        RtlZeroMemory(&wild, sizeof(wild));
        wild.ss_family = af;
        Step("WskControlSocket(TCP_FASTOPEN = 1)", SetFastOpen(&c, s));
        Step("WskBind(wildcard)", Wait(&c, cd->WskBind(s, (PSOCKADDR)&wild, 0, Arm(&c))));
        NTSTATUS st = Wait(&c, cd->WskConnectEx(s, remote, &outBuf, 0, Arm(&c)));
        snprintf(line, sizeof(line), "WskConnectEx(%lu-byte buffer) -> %lu bytes sent",
                 (unsigned long)len, (unsigned long)c.Irp->IoStatus.Information);
        Step(line, st);
        if (NT_SUCCESS(st))
            printf("  %-58s %s\n", "first buffer rode in the SYN (TCPI_OPT_SYN_DATA)",
                   OwSocketSynCarriedData(s) ? "yes" : "no");

        NTSTATUS ast = Wait(&a, accepted);
        Step("server: WskAccept", ast);
        PWSK_SOCKET srv = NT_SUCCESS(ast) ? (PWSK_SOCKET)a.Irp->IoStatus.Information : NULL;
        if (srv != NULL) {
            const WSK_PROVIDER_CONNECTION_DISPATCH *sd = srv->Dispatch;
            char *echo = ExAllocatePool2(POOL_FLAG_NON_PAGED, len, 'omeD');
            PMDL echoMdl = IoAllocateMdl(echo, len, FALSE, FALSE, NULL);
            MmBuildMdlForNonPagedPool(echoMdl);
            WSK_BUF echoBuf = { echoMdl, 0, len };
            Step("server: WskReceive(WSK_FLAG_WAITALL)",
                 Wait(&a, sd->WskReceive(srv, &echoBuf, WSK_FLAG_WAITALL, Arm(&a))));
            Step("server: WskSend (echo)", Wait(&a, sd->WskSend(srv, &echoBuf, 0, Arm(&a))));
            Step("client: WskReceive(WSK_FLAG_WAITALL)",
                 Wait(&c, cd->WskReceive(s, &inBuf, WSK_FLAG_WAITALL, Arm(&c))));
            BOOLEAN same = c.Irp->IoStatus.Information == len && RtlEqualMemory(in, message, len);
            printf("  %-58s %s\n", "echo verified", same ? "yes" : "NO");
            if (!same)
                Failures++;
            Step("server: WskCloseSocket", CloseSocket(&a, srv));
            IoFreeMdl(echoMdl);
            ExFreePoolWithTag(echo, 'omeD');
        }
        Step("client: WskCloseSocket", CloseSocket(&c, s));
    }
    IoFreeMdl(outMdl);
    IoFreeMdl(inMdl);
    ExFreePoolWithTag(out, 'omeD');
    ExFreePoolWithTag(in, 'omeD');
    IoFreeIrp(c.Irp);
    IoFreeIrp(a.Irp);
}

int main(int argc, char **argv)
{
    ADDRESS_FAMILY af = (argc > 1 && strcmp(argv[1], "-6") == 0) ? AF_INET6 : AF_INET;
    WSK_CLIENT_NPI npi = { NULL, &ClientDispatch };

    printf("registration\n");
    if (!NT_SUCCESS(Step("WskRegister", WskRegister(&npi, &Registration))))
        return 1;
    if (!NT_SUCCESS(Step("WskCaptureProviderNPI(WSK_NO_WAIT)",
                         WskCaptureProviderNPI(&Registration, WSK_NO_WAIT, &Provider)))) {
        WskDeregister(&Registration);
        return 1;
    }
    printf("  engine backend: %s\n", OwEngineBackend());

    SYNC_CALL c;
    c.Irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&c.Event, NotificationEvent, FALSE);
    printf("echo listener\n");
    PWSK_SOCKET listener = NewSocket(&c, af, WSK_FLAG_LISTEN_SOCKET, "WskSocket(WSK_FLAG_LISTEN_SOCKET)");
    if (listener != NULL) {
        const WSK_PROVIDER_LISTEN_DISPATCH *ld = listener->Dispatch;
        SOCKADDR_STORAGE addr;
        RtlZeroMemory(&addr, sizeof(addr));
        if (af == AF_INET) {
            SOCKADDR_IN *in = (SOCKADDR_IN *)&addr;
            in->sin_family = AF_INET;
            in->sin_addr.s_addr = RtlUlongByteSwap(INADDR_LOOPBACK);
        } else {
            SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&addr;
            in6->sin6_family = AF_INET6;
            in6->sin6_addr.u.Byte[15] = 1;
        }
        Step("WskControlSocket(TCP_FASTOPEN = 1)", SetFastOpen(&c, listener));
        Step("WskBind(loopback, port 0): listens", Wait(&c, ld->WskBind(listener, (PSOCKADDR)&addr, 0, Arm(&c))));
        Step("WskGetLocalAddress", Wait(&c, ld->WskGetLocalAddress(listener, (PSOCKADDR)&addr, Arm(&c))));
        printf("  listening on port %u\n", RtlUshortByteSwap(((SOCKADDR_IN *)&addr)->sin_port));

        Connection(1, listener, af, (PSOCKADDR)&addr);
        Connection(2, listener, af, (PSOCKADDR)&addr);
        Step("listener: WskCloseSocket", CloseSocket(&c, listener));
    }
    IoFreeIrp(c.Irp);
    WskReleaseProviderNPI(&Registration);
    WskDeregister(&Registration);
    printf("WskDeregister done; pool allocations outstanding: %lu\n", (unsigned long)OwPoolOutstandingCount());
    printf(Failures ? "demo: %d step(s) failed\n" : "demo: all steps succeeded\n", Failures);
    return Failures ? 1 : 0;
}
