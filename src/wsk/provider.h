/* Internal interface of the WSK provider (src/wsk). WDK world: includes the
 * WDK headers and the engine's boundary headers, never a Linux socket header. */
#ifndef OPENWSK_PROVIDER_H
#define OPENWSK_PROVIDER_H

#include <ntddk.h>
#include <wsk.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "engine/engine.h"
#include "engine/net.h"

/* Version we fully implement, reported in WSK_PROVIDER_CHARACTERISTICS. */
#define OW_WSK_HIGHEST_VERSION MAKE_WSK_VERSION(1, 0)
#define OW_WSK_LOWEST_VERSION  MAKE_WSK_VERSION(1, 0)
#define OW_CONNECT_EX_MAX_BYTES 65535u

struct ow_registration;

enum ow_category {
    OW_CAT_BASIC = WSK_FLAG_BASIC_SOCKET,
    OW_CAT_LISTEN = WSK_FLAG_LISTEN_SOCKET,
    OW_CAT_CONNECTION = WSK_FLAG_CONNECTION_SOCKET,
    OW_CAT_DATAGRAM = WSK_FLAG_DATAGRAM_SOCKET,
    OW_CAT_STREAM = WSK_FLAG_STREAM_SOCKET,
};

/* Connection-flow state of a connection or stream socket. */
enum ow_conn_state {
    OW_CONN_IDLE,         /* created */
    OW_CONN_BOUND,        /* WskBind done */
    OW_CONN_CONNECTING,   /* WskConnect/WskConnectEx in flight */
    OW_CONN_CONNECTED,    /* connected or accepted */
    OW_CONN_LISTENING,    /* listen socket bound, or stream socket after WskListen */
    OW_CONN_FAILED,       /* a connect failed: only WskCloseSocket is useful */
};

/* A stream socket commits to one flow, as WskConnectEx's remarks require. */
enum ow_stream_role { OW_ROLE_NONE, OW_ROLE_LISTENER, OW_ROLE_CONNECTION };

struct ow_req;

struct ow_socket {
    WSK_SOCKET pub;                   /* first: clients see only this */
    struct ow_registration *reg;
    enum ow_category category;
    ADDRESS_FAMILY family;            /* AF_INET or AF_INET6 (Windows values) */
    USHORT type;                      /* SOCK_STREAM / SOCK_DGRAM */
    ULONG protocol;
    int fd;
    PVOID context;                    /* client's SocketContext */
    const VOID *client_dispatch;      /* client's event table, per category */

    pthread_mutex_t lock;             /* guards what follows */
    enum ow_conn_state state;
    enum ow_stream_role role;
    BOOLEAN send_shut;                /* our FIN sent (graceful WskDisconnect) */
    BOOLEAN aborted;                  /* WskDisconnect(ABORTIVE) done */
    BOOLEAN fastopen;                 /* TCP_FASTOPEN set through WskControlSocket */
    BOOLEAN nodelay;                  /* TCP_NODELAY set by the client */
    BOOLEAN exclusive;                /* SO_EXCLUSIVEADDRUSE requested */
    BOOLEAN closing;                  /* WskCloseSocket called */
    struct ow_req *pending;           /* IRPs in flight (doubly linked) */
    unsigned npending;
    BOOLEAN recv_eof;                 /* the peer's FIN was received */
    /* Sends and receives run one at a time per direction, in call order:
     * io_uring gives no ordering between two pending sends on one socket,
     * and clients rely on FIFO completion of queued receives. */
    struct ow_lane { struct ow_req *busy, *head, *tail; } lanes[2];
    PIRP close_irp;                   /* completes after the last pending IRP */
};

static inline struct ow_socket *ow_sock(PWSK_SOCKET s) { return (struct ow_socket *)s; }

enum { OW_LANE_NONE = -1, OW_LANE_SEND = 0, OW_LANE_RECV = 1 };

typedef void (*ow_req_step_fn)(struct ow_req *req, int res);

/* One IRP in flight on a socket. The engine op is embedded; the req lives
 * until its IRP completed and any running cancel routine let go of it. */
struct ow_req {
    struct ow_op op;                  /* engine op (one stage at a time) */
    PIRP irp;
    struct ow_socket *sock;
    struct ow_req *prev, *next;       /* sock->pending */
    atomic_int refs;
    atomic_bool cancel_requested;
    atomic_bool in_engine;            /* op submitted, ->done not yet run */
    ow_req_step_fn step;              /* what to do when op completes */
    int lane;                         /* OW_LANE_* */
    BOOLEAN queued;                   /* waiting in its lane, not yet submitted */
    struct ow_req *lane_next;
    const char *what;                 /* call name, for diagnostics */
    ULONG flags;
    int stage;
    size_t total, done;               /* bytes asked / moved */
    int iovcnt;
    struct iovec *iov;                /* iov_small or heap */
    struct iovec iov_small[4];
    SOCKADDR_STORAGE addr;            /* remote address copy (connect) / accept peer */
    PSOCKADDR out_local, out_remote;  /* accept: client's buffers */
    PVOID accept_context;
    const WSK_CLIENT_CONNECTION_DISPATCH *accept_dispatch;
    void *copy;                       /* WskConnectEx: private copy of the buffer */
};

/* ---- registration.c ---- */
void ow_reg_socket_added(struct ow_registration *reg);
void ow_reg_socket_removed(struct ow_registration *reg);

/* ---- complete.c: the IRP rules in one place ---- */
/* Completes Irp at once with Status/Information and returns Status: for
 * calls that finish (or fail) before returning. Irp may be NULL. */
NTSTATUS ow_complete_now(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* Starts an asynchronous request: marks the IRP pending, arms cancellation,
 * links it to the socket, then submits req->op (prepared by the caller) to
 * the engine. Always returns STATUS_PENDING: the IRP completes later, once. */
NTSTATUS ow_req_start(struct ow_req *req);
struct ow_req *ow_req_new(struct ow_socket *sock, PIRP irp, const char *what, ow_req_step_fn step);
/* Submits req->op again for the next stage (from a step function). */
void ow_req_continue(struct ow_req *req);
/* Completes the request's IRP (from a step function, on the engine thread). */
void ow_req_finish(struct ow_req *req, NTSTATUS status, ULONG_PTR info);
void ow_req_free_unstarted(struct ow_req *req);
/* Status for an engine failure (res < 0) of req: STATUS_CANCELLED when the
 * request was cancelled (by IoCancelIrp, WskCloseSocket or an abortive
 * disconnect), whatever error the socket reported on the way. */
NTSTATUS ow_req_error(struct ow_req *req, int res);
/* Status for a WAITALL transfer that stopped short: cancelled, or the
 * socket's pending error (STATUS_CONNECTION_RESET when it has none). */
NTSTATUS ow_req_short_status(struct ow_req *req);
/* Asks every pending request of sock to finish with STATUS_CANCELLED;
 * returns how many are still pending. Caller holds no lock. */
unsigned ow_sock_cancel_all(struct ow_socket *sock);

/* ---- status_map.c ---- */
NTSTATUS ow_status_from_errno(int err);       /* err > 0 */

/* ---- buf.c ---- */
/* Describes a WSK_BUF as iovecs in req (validating Offset/Length against the
 * MDL chain). Returns STATUS_SUCCESS or the status to fail the call with. */
NTSTATUS ow_buf_to_iov(struct ow_req *req, const WSK_BUF *buf);
/* Copies out a WSK_BUF into a fresh malloc'd buffer (for WskConnectEx, whose
 * MDL the client may free as soon as the IRP completes). */
NTSTATUS ow_buf_copy(const WSK_BUF *buf, void **out, size_t *len);

/* ---- socket.c ---- */
struct ow_socket *ow_socket_new(struct ow_registration *reg, enum ow_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                                int fd, PVOID context, const VOID *client_dispatch);
const VOID *ow_dispatch_for(enum ow_category cat);
void ow_socket_destroy(struct ow_socket *sock);   /* after the close completed */
/* Validates a client address against the socket's family; 0-length => invalid. */
NTSTATUS ow_check_addr(const struct ow_socket *sock, const SOCKADDR *addr);
size_t ow_addr_len(ADDRESS_FAMILY family);

/* ---- connection.c ---- */
NTSTATUS ow_begin_connect(struct ow_socket *sock, const SOCKADDR *remote);
void ow_end_connect(struct ow_socket *sock, BOOLEAN connected);

/* ---- operations shared by the dispatch tables ---- */
NTSTATUS WSKAPI ow_close_socket(PWSK_SOCKET Socket, PIRP Irp);
NTSTATUS WSKAPI ow_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                  ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp);
NTSTATUS WSKAPI ow_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_listen(PWSK_SOCKET Socket, PIRP Irp);
NTSTATUS WSKAPI ow_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
                          const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                          PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp);
NTSTATUS WSKAPI ow_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
                                    WSK_INSPECT_ACTION Action, PIRP Irp);
NTSTATUS WSKAPI ow_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp);
NTSTATUS WSKAPI ow_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp);
NTSTATUS WSKAPI ow_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer,
                              ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_release_data(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication);
NTSTATUS WSKAPI ow_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                           ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp);
NTSTATUS WSKAPI ow_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                              PULONG ControlInfoLength, PCMSGHDR ControlInfo,
                              PULONG ControlFlags, PIRP Irp);

/* Provider-level calls (provider.c) */
NTSTATUS WSKAPI ow_wsk_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily, USHORT SocketType,
                              ULONG Protocol, ULONG Flags, PVOID SocketContext,
                              const VOID *Dispatch, PEPROCESS OwningProcess,
                              PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor,
                              PIRP Irp);
NTSTATUS WSKAPI ow_wsk_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                      PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                      ULONG Flags, PVOID SocketContext,
                                      const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                      PEPROCESS OwningProcess, PETHREAD OwningThread,
                                      PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp);

#endif
