/* SPDX-License-Identifier: MIT */
/* wskcat: netcat over WSK.
 *
 *   wskcat [-6] [--fastopen] [--data TEXT|-] HOST PORT
 *       connects with WskConnectEx (the --data buffer, at most 65,535 bytes,
 *       as its first buffer; "-" reads it from stdin), then relays stdin to
 *       the connection and the connection to stdout. With --data, stdin is not
 *       relayed: the buffer is sent, our side is shut down, and what the peer
 *       sends is printed until it closes.
 *   wskcat -l [-6] [--fastopen] [--count N] PORT
 *       listens on every address (WskBind + WskAccept) and echoes what each
 *       connection sends, one connection at a time; exits after N connections.
 *
 * Exit codes: 0 done, 1 usage, 2 could not connect/listen, 3 failure while
 * relaying. Every failure names its NTSTATUS. */
#include <ntddk.h>
#include <wsk.h>
#include <ip2string.h>
#include <openwsk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IO_CHUNK 16384

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI Provider;
static const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

typedef struct { PIRP Irp; KEVENT Event; } CALL;

static NTSTATUS Completed(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void CallInit(CALL *c)
{
    c->Irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&c->Event, NotificationEvent, FALSE);
}

static PIRP Arm(CALL *c)
{
    IoReuseIrp(c->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&c->Event);
    IoSetCompletionRoutine(c->Irp, Completed, &c->Event, TRUE, TRUE, TRUE);
    return c->Irp;
}

static NTSTATUS Wait(CALL *c, NTSTATUS returned)
{
    if (returned == STATUS_PENDING)
        KeWaitForSingleObject(&c->Event, Executive, KernelMode, FALSE, NULL);
    return c->Irp->IoStatus.Status;
}

static int Fail(int code, const char *what, NTSTATUS st)
{
    fprintf(stderr, "wskcat: %s: %s (0x%08X)\n", what, OwStatusName(st), (unsigned)st);
    return code;
}

/* A buffer with its MDL, for one send or receive at a time. */
typedef struct { char *Data; PMDL Mdl; WSK_BUF Buf; } BUFFER;

static void BufferInit(BUFFER *b, ULONG size)
{
    b->Data = ExAllocatePool2(POOL_FLAG_NON_PAGED, size ? size : 1, 'tacW');
    b->Mdl = IoAllocateMdl(b->Data, size ? size : 1, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(b->Mdl);
    b->Buf.Mdl = b->Mdl;
    b->Buf.Offset = 0;
    b->Buf.Length = size;
}

static void BufferFree(BUFFER *b)
{
    IoFreeMdl(b->Mdl);
    ExFreePoolWithTag(b->Data, 'tacW');
}

static BOOLEAN ParseAddress(const char *host, USHORT port, BOOLEAN v6, SOCKADDR_STORAGE *out)
{
    RtlZeroMemory(out, sizeof(*out));
    PCSTR end;
    if (strcmp(host, "localhost") == 0)
        host = v6 ? "::1" : "127.0.0.1";
    if (!v6) {
        SOCKADDR_IN *in = (SOCKADDR_IN *)out;
        in->sin_family = AF_INET;
        in->sin_port = RtlUshortByteSwap(port);
        return NT_SUCCESS(RtlIpv4StringToAddressA(host, TRUE, &end, &in->sin_addr)) && *end == '\0';
    }
    SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)out;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = RtlUshortByteSwap(port);
    return NT_SUCCESS(RtlIpv6StringToAddressA(host, &end, &in6->sin6_addr)) && *end == '\0';
}

static NTSTATUS NewSocket(ADDRESS_FAMILY af, ULONG flags, PWSK_SOCKET *out)
{
    CALL c;
    CallInit(&c);
    NTSTATUS st = Wait(&c, Provider.Dispatch->WskSocket(Provider.Client, af, SOCK_STREAM, IPPROTO_TCP,
                                                        flags, NULL, NULL, NULL, NULL, NULL, Arm(&c)));
    *out = NT_SUCCESS(st) ? (PWSK_SOCKET)c.Irp->IoStatus.Information : NULL;
    IoFreeIrp(c.Irp);
    return st;
}

static NTSTATUS Control(PWSK_SOCKET s, ULONG code, ULONG level, ULONG value)
{
    CALL c;
    CallInit(&c);
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    NTSTATUS st = Wait(&c, d->WskControlSocket(s, WskSetOption, code, level, sizeof(value), &value,
                                               0, NULL, NULL, Arm(&c)));
    IoFreeIrp(c.Irp);
    return st;
}

static void CloseSocket(PWSK_SOCKET s)
{
    CALL c;
    CallInit(&c);
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    Wait(&c, d->WskCloseSocket(s, Arm(&c)));
    IoFreeIrp(c.Irp);
}

/* Reads everything the peer sends into out (stdout or the echo), until it
 * shuts down. Returns the failure status, or STATUS_SUCCESS at its FIN. */
static NTSTATUS Pump(PWSK_SOCKET s, BOOLEAN echo)
{
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    CALL r, w;
    CallInit(&r);
    CallInit(&w);
    BUFFER b;
    BufferInit(&b, IO_CHUNK);
    NTSTATUS st;
    for (;;) {
        b.Buf.Length = IO_CHUNK;
        st = Wait(&r, d->WskReceive(s, &b.Buf, 0, Arm(&r)));
        SIZE_T n = r.Irp->IoStatus.Information;
        if (!NT_SUCCESS(st) || n == 0)
            break;
        if (echo) {
            b.Buf.Length = n;
            st = Wait(&w, d->WskSend(s, &b.Buf, 0, Arm(&w)));
            if (!NT_SUCCESS(st))
                break;
        } else if (fwrite(b.Data, 1, n, stdout) != n) {
            st = STATUS_UNSUCCESSFUL;
            break;
        } else {
            fflush(stdout);
        }
    }
    BufferFree(&b);
    IoFreeIrp(r.Irp);
    IoFreeIrp(w.Irp);
    return st;
}

static NTSTATUS Disconnect(PWSK_SOCKET s)
{
    CALL c;
    CallInit(&c);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    NTSTATUS st = Wait(&c, d->WskDisconnect(s, NULL, 0, Arm(&c)));
    IoFreeIrp(c.Irp);
    return st;
}

/* Relays stdin to the socket on a system thread while the caller prints
 * what comes back. */
typedef struct { PWSK_SOCKET Socket; NTSTATUS Status; } RELAY;

static VOID StdinToSocket(PVOID Context)
{
    RELAY *relay = Context;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = relay->Socket->Dispatch;
    CALL c;
    CallInit(&c);
    BUFFER b;
    BufferInit(&b, IO_CHUNK);
    relay->Status = STATUS_SUCCESS;
    for (;;) {
        ssize_t n = read(0, b.Data, IO_CHUNK);
        if (n <= 0)
            break;
        b.Buf.Length = (SIZE_T)n;
        relay->Status = Wait(&c, d->WskSend(relay->Socket, &b.Buf, 0, Arm(&c)));
        if (!NT_SUCCESS(relay->Status))
            break;
    }
    if (NT_SUCCESS(relay->Status))
        relay->Status = Disconnect(relay->Socket);
    BufferFree(&b);
    IoFreeIrp(c.Irp);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static int Client(const char *host, USHORT port, BOOLEAN v6, BOOLEAN fastopen, const char *data)
{
    SOCKADDR_STORAGE remote, local;
    if (!ParseAddress(host, port, v6, &remote)) {
        fprintf(stderr, "wskcat: %s is not an IPv%c address\n", host, v6 ? '6' : '4');
        return 1;
    }
    RtlZeroMemory(&local, sizeof(local));
    local.ss_family = remote.ss_family;

    BUFFER first;
    ULONG len = 0;
    static char stdin_data[65536];
    if (data && strcmp(data, "-") == 0) {
        size_t got = fread(stdin_data, 1, sizeof(stdin_data), stdin);
        if (got > 65535) {
            fprintf(stderr, "wskcat: --data - read more than 65,535 bytes, WskConnectEx's limit\n");
            return 1;
        }
        len = (ULONG)got;
        data = stdin_data;
    } else if (data) {
        size_t n = strlen(data);
        if (n > 65535) {
            fprintf(stderr, "wskcat: --data is %zu bytes; WskConnectEx takes at most 65,535\n", n);
            return 1;
        }
        len = (ULONG)n;
    }
    BufferInit(&first, len);
    if (len)
        RtlCopyMemory(first.Data, data, len);

    PWSK_SOCKET s;
    NTSTATUS st = NewSocket(remote.ss_family, WSK_FLAG_CONNECTION_SOCKET, &s);
    if (!NT_SUCCESS(st)) {
        BufferFree(&first);
        return Fail(2, "WskSocket", st);
    }
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    CALL c;
    CallInit(&c);
    int rc = 0;
    if (fastopen && !NT_SUCCESS(st = Control(s, TCP_FASTOPEN, IPPROTO_TCP, 1)))
        rc = Fail(2, "WskControlSocket(TCP_FASTOPEN)", st);
    else if (!NT_SUCCESS(st = Wait(&c, d->WskBind(s, (PSOCKADDR)&local, 0, Arm(&c)))))
        rc = Fail(2, "WskBind", st);
    else if (!NT_SUCCESS(st = Wait(&c, d->WskConnectEx(s, (PSOCKADDR)&remote, len ? &first.Buf : NULL,
                                                        0, Arm(&c)))))
        rc = Fail(2, "WskConnectEx", st);
    BufferFree(&first);
    if (rc == 0 && fastopen)
        fprintf(stderr, "wskcat: connected; first buffer in the SYN: %s\n",
                OwSocketSynCarriedData(s) ? "yes" : "no");

    if (rc == 0 && data) {
        if (!NT_SUCCESS(st = Disconnect(s)))
            rc = Fail(3, "WskDisconnect", st);
        else if (!NT_SUCCESS(st = Pump(s, FALSE)))
            rc = Fail(3, "WskReceive", st);
    } else if (rc == 0) {
        RELAY relay = { s, STATUS_SUCCESS };
        HANDLE thread;
        st = PsCreateSystemThread(&thread, 0, NULL, NULL, NULL, StdinToSocket, &relay);
        if (!NT_SUCCESS(st)) {
            rc = Fail(3, "PsCreateSystemThread", st);
        } else {
            NTSTATUS rst = Pump(s, FALSE);
            PVOID obj;
            if (NT_SUCCESS(ObReferenceObjectByHandle(thread, 0, NULL, KernelMode, &obj, NULL))) {
                /* The peer is done; if stdin still has not ended, nothing more
                 * can be delivered: leave like netcat does, without waiting. */
                LARGE_INTEGER grace;
                grace.QuadPart = -10LL * 1000 * 200;
                if (KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &grace) == STATUS_TIMEOUT) {
                    fflush(stdout);
                    _exit(NT_SUCCESS(rst) ? 0 : Fail(3, "WskReceive", rst));
                }
                ObDereferenceObject(obj);
            }
            ZwClose(thread);
            if (!NT_SUCCESS(rst))
                rc = Fail(3, "WskReceive", rst);
            else if (!NT_SUCCESS(relay.Status))
                rc = Fail(3, "WskSend", relay.Status);
        }
    }
    CloseSocket(s);
    IoFreeIrp(c.Irp);
    return rc;
}

static int Listener(USHORT port, BOOLEAN v6, BOOLEAN fastopen, long count)
{
    SOCKADDR_STORAGE addr;
    RtlZeroMemory(&addr, sizeof(addr));
    addr.ss_family = v6 ? AF_INET6 : AF_INET;
    ((SOCKADDR_IN *)&addr)->sin_port = RtlUshortByteSwap(port);
    PWSK_SOCKET ls;
    NTSTATUS st = NewSocket(addr.ss_family, WSK_FLAG_LISTEN_SOCKET, &ls);
    if (!NT_SUCCESS(st))
        return Fail(2, "WskSocket", st);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = ls->Dispatch;
    CALL c;
    CallInit(&c);
    int rc = 0;
    if (fastopen && !NT_SUCCESS(st = Control(ls, TCP_FASTOPEN, IPPROTO_TCP, 1)))
        rc = Fail(2, "WskControlSocket(TCP_FASTOPEN)", st);
    else if (!NT_SUCCESS(st = Wait(&c, d->WskBind(ls, (PSOCKADDR)&addr, 0, Arm(&c)))))
        rc = Fail(2, "WskBind", st);
    else if (!NT_SUCCESS(st = Wait(&c, d->WskGetLocalAddress(ls, (PSOCKADDR)&addr, Arm(&c)))))
        rc = Fail(2, "WskGetLocalAddress", st);
    if (rc == 0) {
        fprintf(stderr, "wskcat: listening on port %u\n", RtlUshortByteSwap(((SOCKADDR_IN *)&addr)->sin_port));
        for (long served = 0; count < 0 || served < count; served++) {
            st = Wait(&c, d->WskAccept(ls, 0, NULL, NULL, NULL, NULL, Arm(&c)));
            if (!NT_SUCCESS(st)) {
                rc = Fail(3, "WskAccept", st);
                break;
            }
            PWSK_SOCKET s = (PWSK_SOCKET)c.Irp->IoStatus.Information;
            if (!NT_SUCCESS(st = Pump(s, TRUE)))
                fprintf(stderr, "wskcat: connection ended: %s\n", OwStatusName(st));
            else
                Disconnect(s);
            CloseSocket(s);
        }
    }
    CloseSocket(ls);
    IoFreeIrp(c.Irp);
    return rc;
}

static int Usage(void)
{
    fprintf(stderr, "usage: wskcat [-6] [--fastopen] [--data TEXT|-] HOST PORT\n"
                    "       wskcat -l [-6] [--fastopen] [--count N] PORT\n");
    return 1;
}

int main(int argc, char **argv)
{
    BOOLEAN listen = FALSE, v6 = FALSE, fastopen = FALSE;
    const char *data = NULL;
    long count = -1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "-l") == 0) listen = TRUE;
        else if (strcmp(argv[i], "-6") == 0) v6 = TRUE;
        else if (strcmp(argv[i], "--fastopen") == 0) fastopen = TRUE;
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) count = strtol(argv[++i], NULL, 10);
        else return Usage();
    }
    if (argc - i != (listen ? 1 : 2))
        return Usage();
    char *end;
    long port = strtol(argv[argc - 1], &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || (!listen && port == 0)) {
        fprintf(stderr, "wskcat: bad port %s\n", argv[argc - 1]);
        return 1;
    }

    WSK_CLIENT_NPI npi = { NULL, &ClientDispatch };
    NTSTATUS st = WskRegister(&npi, &Registration);
    if (!NT_SUCCESS(st))
        return Fail(2, "WskRegister", st);
    st = WskCaptureProviderNPI(&Registration, WSK_NO_WAIT, &Provider);
    if (!NT_SUCCESS(st)) {
        WskDeregister(&Registration);
        return Fail(2, "WskCaptureProviderNPI", st);
    }
    int rc = listen ? Listener((USHORT)port, v6, fastopen, count)
                    : Client(argv[i], (USHORT)port, v6, fastopen, data);
    WskReleaseProviderNPI(&Registration);
    WskDeregister(&Registration);
    return rc;
}
