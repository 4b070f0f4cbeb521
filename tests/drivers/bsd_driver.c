/* SPDX-License-Identifier: MIT */
/* A KSOCKET-style driver: it defines BSD socket functions of its own, with
 * libc's names (socket, bind, listen, accept, connect, send, recv,
 * getsockname, closesocket, getaddrinfo, freeaddrinfo, htons), each built on
 * WSK, and calls them. Loaded after libc, a driver built the documented way
 * (`cc -shared -fPIC`, no -Bsymbolic) had its calls bound to glibc's
 * functions, whose struct addrinfo has another layout: it crashed in the
 * first call (issue 12). openwsk-load must give the driver its own
 * definitions; every call here counts itself, so a call that went elsewhere
 * shows.
 *
 * DriverEntry resolves 127.0.0.1 with its getaddrinfo, listens on an
 * ephemeral port, connects to itself, and echoes "ping"/"pong" through its
 * own send/recv; it fails DriverEntry unless every function was its own.
 * Built by tests/sh/test_load.sh exactly as docs/openwsk-load.md says;
 * -DBSD_OVERFLOW adds a heap overflow for the sanitizer build to report. */
#include <ntddk.h>
#include <wsk.h>

#define TAG_BSD 'dsBK'
#define MAX_FD 8

/* What each of our functions counted: a call bound elsewhere counts nothing. */
static LONG OwnCalls[12];
enum { C_SOCKET, C_BIND, C_LISTEN, C_ACCEPT, C_CONNECT, C_SEND, C_RECV, C_GETSOCKNAME, C_CLOSE,
       C_GETADDRINFO, C_FREEADDRINFO, C_HTONS };
static const char *const OwnNames[12] = { "socket", "bind", "listen", "accept", "connect", "send", "recv",
                                          "getsockname", "closesocket", "getaddrinfo", "freeaddrinfo",
                                          "htons" };

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI Provider;
static const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

typedef struct {
    BOOLEAN Used;
    int Type;
    PWSK_SOCKET Socket;   /* created by listen/connect, or by accept */
    SOCKADDR_IN Local;
} BSD_FD;
static BSD_FD Fds[MAX_FD];

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BsdUnload;
static IO_COMPLETION_ROUTINE SyncComplete;

static NTSTATUS SyncComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* One WSK call on a fresh IRP, waited for; returns its status and Information. */
typedef struct {
    PIRP Irp;
    KEVENT Done;
} SYNC;

static BOOLEAN SyncStart(SYNC *s)
{
    s->Irp = IoAllocateIrp(1, FALSE);
    if (s->Irp == NULL)
        return FALSE;
    KeInitializeEvent(&s->Done, NotificationEvent, FALSE);
    IoSetCompletionRoutine(s->Irp, SyncComplete, &s->Done, TRUE, TRUE, TRUE);
    return TRUE;
}

static NTSTATUS SyncFinish(SYNC *s, NTSTATUS st, ULONG_PTR *info)
{
    if (st == STATUS_PENDING)
        KeWaitForSingleObject(&s->Done, Executive, KernelMode, FALSE, NULL);
    st = s->Irp->IoStatus.Status;
    if (info != NULL)
        *info = s->Irp->IoStatus.Information;
    IoFreeIrp(s->Irp);
    return st;
}

USHORT htons(USHORT v)
{
    InterlockedIncrement(&OwnCalls[C_HTONS]);
    return RtlUshortByteSwap(v);
}

static BSD_FD *FdOf(int fd)
{
    return fd >= 0 && fd < MAX_FD && Fds[fd].Used ? &Fds[fd] : NULL;
}

int socket(int domain, int type, int protocol)
{
    UNREFERENCED_PARAMETER(protocol);
    InterlockedIncrement(&OwnCalls[C_SOCKET]);
    if (domain != AF_INET || type != SOCK_STREAM)
        return -1;
    for (int i = 0; i < MAX_FD; i++)
        if (!Fds[i].Used) {
            RtlZeroMemory(&Fds[i], sizeof(Fds[i]));
            Fds[i].Used = TRUE;
            Fds[i].Type = type;
            Fds[i].Local.sin_family = AF_INET;
            return i;
        }
    return -1;
}

int bind(int fd, const struct sockaddr *addr, int len)
{
    InterlockedIncrement(&OwnCalls[C_BIND]);
    BSD_FD *f = FdOf(fd);
    if (f == NULL || len < (int)sizeof(SOCKADDR_IN))
        return -1;
    RtlCopyMemory(&f->Local, addr, sizeof(SOCKADDR_IN));
    return 0;
}

static PWSK_SOCKET NewSocket(ULONG flags, const void *dispatch)
{
    SYNC s;
    ULONG_PTR info = 0;
    if (!SyncStart(&s))
        return NULL;
    NTSTATUS st = Provider.Dispatch->WskSocket(Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, flags, NULL,
                                               dispatch, NULL, NULL, NULL, s.Irp);
    st = SyncFinish(&s, st, &info);
    return NT_SUCCESS(st) ? (PWSK_SOCKET)info : NULL;
}

int listen(int fd, int backlog)
{
    UNREFERENCED_PARAMETER(backlog);
    InterlockedIncrement(&OwnCalls[C_LISTEN]);
    BSD_FD *f = FdOf(fd);
    if (f == NULL || f->Socket != NULL)
        return -1;
    f->Socket = NewSocket(WSK_FLAG_LISTEN_SOCKET, NULL);
    if (f->Socket == NULL)
        return -1;
    SYNC s;
    if (!SyncStart(&s))
        return -1;
    NTSTATUS st = ((PWSK_PROVIDER_LISTEN_DISPATCH)f->Socket->Dispatch)
                      ->WskBind(f->Socket, (PSOCKADDR)&f->Local, 0, s.Irp);
    return NT_SUCCESS(SyncFinish(&s, st, NULL)) ? 0 : -1;
}

int getsockname(int fd, struct sockaddr *addr, int *len)
{
    InterlockedIncrement(&OwnCalls[C_GETSOCKNAME]);
    BSD_FD *f = FdOf(fd);
    SYNC s;
    if (f == NULL || f->Socket == NULL || *len < (int)sizeof(SOCKADDR_IN) || !SyncStart(&s))
        return -1;
    NTSTATUS st = ((PWSK_PROVIDER_LISTEN_DISPATCH)f->Socket->Dispatch)
                      ->WskGetLocalAddress(f->Socket, addr, s.Irp);
    *len = sizeof(SOCKADDR_IN);
    return NT_SUCCESS(SyncFinish(&s, st, NULL)) ? 0 : -1;
}

int accept(int fd, struct sockaddr *addr, int *len)
{
    InterlockedIncrement(&OwnCalls[C_ACCEPT]);
    BSD_FD *f = FdOf(fd);
    SYNC s;
    if (f == NULL || f->Socket == NULL || !SyncStart(&s))
        return -1;
    ULONG_PTR info = 0;
    NTSTATUS st = ((PWSK_PROVIDER_LISTEN_DISPATCH)f->Socket->Dispatch)
                      ->WskAccept(f->Socket, 0, NULL, NULL, NULL, addr, s.Irp);
    st = SyncFinish(&s, st, &info);
    if (!NT_SUCCESS(st))
        return -1;
    if (len != NULL)
        *len = sizeof(SOCKADDR_IN);
    int n = socket(AF_INET, SOCK_STREAM, 0);
    if (n < 0)
        return -1;
    Fds[n].Socket = (PWSK_SOCKET)info;
    return n;
}

int connect(int fd, const struct sockaddr *addr, int len)
{
    InterlockedIncrement(&OwnCalls[C_CONNECT]);
    BSD_FD *f = FdOf(fd);
    if (f == NULL || f->Socket != NULL || len < (int)sizeof(SOCKADDR_IN))
        return -1;
    f->Socket = NewSocket(WSK_FLAG_CONNECTION_SOCKET, NULL);
    if (f->Socket == NULL)
        return -1;
    PWSK_PROVIDER_CONNECTION_DISPATCH d = (PWSK_PROVIDER_CONNECTION_DISPATCH)f->Socket->Dispatch;
    SYNC s;
    if (!SyncStart(&s))
        return -1;
    NTSTATUS st = SyncFinish(&s, d->WskBind(f->Socket, (PSOCKADDR)&f->Local, 0, s.Irp), NULL);
    if (!NT_SUCCESS(st) || !SyncStart(&s))
        return -1;
    st = SyncFinish(&s, d->WskConnect(f->Socket, (PSOCKADDR)addr, 0, s.Irp), NULL);
    return NT_SUCCESS(st) ? 0 : -1;
}

/* send and recv: one WSK_BUF over the caller's buffer. */
static int Transfer(int fd, void *buf, int len, BOOLEAN sending)
{
    BSD_FD *f = FdOf(fd);
    if (f == NULL || f->Socket == NULL || len <= 0)
        return -1;
    PMDL mdl = IoAllocateMdl(buf, (ULONG)len, FALSE, FALSE, NULL);
    if (mdl == NULL)
        return -1;
    MmBuildMdlForNonPagedPool(mdl);
    WSK_BUF wb = { mdl, 0, (SIZE_T)len };
    PWSK_PROVIDER_CONNECTION_DISPATCH d = (PWSK_PROVIDER_CONNECTION_DISPATCH)f->Socket->Dispatch;
    SYNC s;
    ULONG_PTR info = 0;
    NTSTATUS st = STATUS_INSUFFICIENT_RESOURCES;
    if (SyncStart(&s))
        st = SyncFinish(&s, sending ? d->WskSend(f->Socket, &wb, 0, s.Irp) : d->WskReceive(f->Socket, &wb, 0, s.Irp),
                        &info);
    IoFreeMdl(mdl);
    return NT_SUCCESS(st) ? (int)info : -1;
}

int send(int fd, const char *buf, int len, int flags)
{
    UNREFERENCED_PARAMETER(flags);
    InterlockedIncrement(&OwnCalls[C_SEND]);
    return Transfer(fd, (void *)buf, len, TRUE);
}

int recv(int fd, char *buf, int len, int flags)
{
    UNREFERENCED_PARAMETER(flags);
    InterlockedIncrement(&OwnCalls[C_RECV]);
    return Transfer(fd, buf, len, FALSE);
}

int closesocket(int fd)
{
    InterlockedIncrement(&OwnCalls[C_CLOSE]);
    BSD_FD *f = FdOf(fd);
    if (f == NULL)
        return -1;
    if (f->Socket != NULL) {
        SYNC s;
        if (!SyncStart(&s))
            return -1;
        SyncFinish(&s, ((PWSK_PROVIDER_BASIC_DISPATCH)f->Socket->Dispatch)->WskCloseSocket(f->Socket, s.Irp),
                   NULL);
    }
    f->Used = FALSE;
    return 0;
}

/* getaddrinfo over WskGetAddressInfo: numeric IPv4 nodes only are enough here. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    UNREFERENCED_PARAMETER(service);
    InterlockedIncrement(&OwnCalls[C_GETADDRINFO]);
    WCHAR wnode[64];
    int n = 0;
    for (; node[n] && n < 63; n++)
        wnode[n] = (WCHAR)node[n];
    wnode[n] = 0;
    UNICODE_STRING uname;
    RtlInitUnicodeString(&uname, wnode);
    ADDRINFOEXW whints = { 0 };
    whints.ai_family = hints ? hints->ai_family : AF_UNSPEC;
    whints.ai_socktype = hints ? hints->ai_socktype : 0;
    PADDRINFOEXW result = NULL;
    SYNC s;
    if (!SyncStart(&s))
        return -1;
    NTSTATUS st = SyncFinish(&s, Provider.Dispatch->WskGetAddressInfo(Provider.Client, &uname, NULL, NS_ALL, NULL,
                                                                      &whints, &result, NULL, NULL, s.Irp),
                             NULL);
    if (!NT_SUCCESS(st))
        return -1;
    struct addrinfo *a = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*a) + sizeof(SOCKADDR_IN), TAG_BSD);
    if (a != NULL) {
        a->ai_family = result->ai_family;
        a->ai_socktype = result->ai_socktype;
        a->ai_addrlen = sizeof(SOCKADDR_IN);
        a->ai_addr = (struct sockaddr *)(a + 1);
        RtlCopyMemory(a->ai_addr, result->ai_addr, sizeof(SOCKADDR_IN));
    }
    Provider.Dispatch->WskFreeAddressInfo(Provider.Client, result);
    *res = a;
    return a != NULL ? 0 : -1;
}

void freeaddrinfo(struct addrinfo *ai)
{
    InterlockedIncrement(&OwnCalls[C_FREEADDRINFO]);
    ExFreePoolWithTag(ai, TAG_BSD);
}

/* The driver's own program: an echo through itself with its BSD layer. */
static NTSTATUS SelfEcho(void)
{
    struct addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("127.0.0.1", NULL, &hints, &ai) != 0)
        return STATUS_UNSUCCESSFUL;
    SOCKADDR_IN where = *(SOCKADDR_IN *)ai->ai_addr;
    freeaddrinfo(ai);
    where.sin_port = htons(0);

    NTSTATUS st = STATUS_UNSUCCESSFUL;
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), a = -1;
    int len = sizeof(where);
    char buf[8] = { 0 };
    if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&where, sizeof(where)) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&where, &len) != 0)
        goto out;
    DbgPrint("bsd_driver: listening on 127.0.0.1:%u\n", htons(where.sin_port));
    if (connect(c, (struct sockaddr *)&where, sizeof(where)) != 0 || (a = accept(l, NULL, NULL)) < 0)
        goto out;
    if (send(c, "ping", 4, 0) != 4 || recv(a, buf, 4, 0) != 4 || RtlCompareMemory(buf, "ping", 4) != 4)
        goto out;
    if (send(a, "pong", 4, 0) != 4 || recv(c, buf, 4, 0) != 4 || RtlCompareMemory(buf, "pong", 4) != 4)
        goto out;
    st = STATUS_SUCCESS;
out:
    if (a >= 0)
        closesocket(a);
    if (c >= 0)
        closesocket(c);
    if (l >= 0)
        closesocket(l);
    return st;
}

static VOID BsdUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    WskReleaseProviderNPI(&Registration);
    WskDeregister(&Registration);
    DbgPrint("bsd_driver: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    WSK_CLIENT_NPI client = { NULL, &ClientDispatch };
    NTSTATUS st = WskRegister(&client, &Registration);
    if (!NT_SUCCESS(st))
        return st;
    st = WskCaptureProviderNPI(&Registration, WSK_INFINITE_WAIT, &Provider);
    if (!NT_SUCCESS(st)) {
        WskDeregister(&Registration);
        return st;
    }
    st = SelfEcho();
    DbgPrint("bsd_driver: echo through its own BSD layer: %s\n", NT_SUCCESS(st) ? "ok" : "FAILED");
    for (int i = 0; i < 12; i++)
        if (OwnCalls[i] == 0) {
            DbgPrint("bsd_driver: its own %s was never called\n", OwnNames[i]);
            st = STATUS_UNSUCCESSFUL;
        }
    if (!NT_SUCCESS(st)) {
        BsdUnload(DriverObject);
        return st;
    }
    DbgPrint("bsd_driver: every call reached the driver's own definition\n");
#ifdef BSD_OVERFLOW
    /* -DBSD_OVERFLOW: a one-byte heap overflow for openwsk-load-asan to catch. */
    volatile PUCHAR block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG_BSD);
    if (block != NULL) {
        block[8] = 1;
        ExFreePoolWithTag(block, TAG_BSD);
    }
#endif
    DriverObject->DriverUnload = BsdUnload;
    return STATUS_SUCCESS;
}
