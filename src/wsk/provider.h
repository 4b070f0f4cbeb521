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
    ULONG vf_magic;                   /* OW_SOCK_LIVE / OW_SOCK_DEAD (src/verifier) */
    struct ow_registration *reg;
    struct ow_socket *reg_prev, *reg_next;   /* the registration's open sockets (its lock) */
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
    BOOLEAN peer_reset;               /* a call saw the connection reset */
    BOOLEAN fastopen;                 /* TCP_FASTOPEN set through WskControlSocket */
    BOOLEAN nodelay;                  /* TCP_NODELAY set by the client */
    BOOLEAN exclusive;                /* SO_EXCLUSIVEADDRUSE requested */
    BOOLEAN closing;                  /* WskCloseSocket called */
    struct ow_req *pending;           /* IRPs in flight (doubly linked) */
    unsigned npending;
    BOOLEAN recv_eof;                 /* the peer's FIN was received */
    /* Datagram sockets (datagram.c), guarded by lock. */
    BOOLEAN dg_has_remote;            /* SIO_WSK_SET_REMOTE_ADDRESS: connected UDP */
    BOOLEAN dg_has_sendto;            /* SIO_WSK_SET_SENDTO_ADDRESS */
    SOCKADDR_STORAGE dg_sendto;       /* default WskSendTo destination */
    /* Sends and receives run one at a time per direction, in call order:
     * io_uring gives no ordering between two pending sends on one socket,
     * and clients rely on FIFO completion of queued receives. */
    struct ow_lane { struct ow_req *busy, *head, *tail; } lanes[3];
    PIRP close_irp;                   /* completes after the last pending IRP */
    BOOLEAN close_irp_taken;          /* finish_close is under way */
    BOOLEAN closer_busy;              /* WskCloseSocket still cancelling: not yet freeable */

    /* Event callbacks (events.c), guarded by lock. */
    ULONG ev_mask;                    /* WSK_EVENT_* enabled on this socket */
    ULONG ev_inherit;                 /* listener: connection events for sockets it accepts by event */
    BOOLEAN ev_armed;                 /* ev_op is in the engine */
    BOOLEAN ev_running;               /* its completion (and a callback) is running */
    BOOLEAN ev_blocked;               /* data not (fully) accepted: wait for a WskReceive */
    BOOLEAN ev_dead;                  /* told the client the socket no longer works */
    struct ow_op ev_op;               /* POLL (connection) or ACCEPT (listener) */
    SOCKADDR_STORAGE ev_addr;         /* accept event: the peer */
    unsigned char *ev_held;           /* indicated data the client did not accept */
    size_t ev_held_len, ev_held_off;
    ULONG ev_static;                  /* enabled by WSK_SET_STATIC_EVENT_CALLBACKS: cannot be disabled */
    struct ow_dgram_ind *ev_dgrams;   /* datagrams a WskReceiveFromEvent did not accept */

    /* Conditional accept (conditional.c), guarded by lock. */
    BOOLEAN conditional;              /* listener: SO_CONDITIONAL_ACCEPT set */
    BOOLEAN has_inspect_id;           /* accepted socket: came through inspection */
    WSK_INSPECT_ID inspect_id;
    struct ow_held *held;             /* listener: connections pended or waiting for WskAccept */
    unsigned cond_busy;               /* held connections whose watch op is in the engine */
};

/* Nothing of the socket's is in flight: a close may finish. Under lock. */
static inline BOOLEAN ow_sock_idle(const struct ow_socket *sock)
{
    return sock->npending == 0 && !sock->ev_armed && !sock->ev_running && sock->cond_busy == 0 &&
           !sock->closer_busy;
}

static inline struct ow_socket *ow_sock(PWSK_SOCKET s) { return (struct ow_socket *)s; }

/* OW_LANE_ACCEPT: WskAccept IRPs of a conditional listener wait there for
 * an inspected connection (its busy slot is a sentinel that never runs). */
enum { OW_LANE_NONE = -1, OW_LANE_SEND = 0, OW_LANE_RECV = 1, OW_LANE_ACCEPT = 2 };

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
void ow_reg_socket_added(struct ow_registration *reg, struct ow_socket *sock);
/* Unlinked before the socket's memory goes, counted out after (WskDeregister
 * returns only once the socket is fully gone). */
void ow_reg_socket_unlink(struct ow_registration *reg, struct ow_socket *sock);
void ow_reg_socket_removed(struct ow_registration *reg);
NTSTATUS ow_reg_set_static_events(struct ow_registration *reg, ULONG mask);
ULONG ow_reg_static_events(struct ow_registration *reg);

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
/* Takes the oldest request waiting in a lane (not started), or NULL.
 * Under sock->lock. */
struct ow_req *ow_lane_pop_locked(struct ow_socket *sock, int lane);
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

/* ---- events.c ---- */
/* SO_WSK_EVENT_CALLBACK through WskControlSocket. */
NTSTATUS ow_events_control(struct ow_socket *sock, SIZE_T in_size, PVOID in, BOOLEAN have_irp);
/* (Re)starts event delivery when enabled and nothing takes precedence. */
void ow_events_arm(struct ow_socket *sock);
/* Enables the registration's static event callbacks that apply to sock
 * now (listener bound, connection connected or accepted, datagram bound). */
void ow_events_static(struct ow_socket *sock);
/* Datagram sockets: WskRelease of retained indications, and WskReceiveFrom
 * served from datagrams a WskReceiveFromEvent did not accept (returns TRUE
 * and completes Irp when there was one). */
NTSTATUS ow_events_release_datagrams(struct ow_socket *sock, PWSK_DATAGRAM_INDICATION list);
BOOLEAN ow_events_take_datagram(struct ow_socket *sock, PWSK_BUF buf, PSOCKADDR remote,
                                PULONG control_length, PULONG control_flags, PIRP irp, NTSTATUS *st);
/* WskRelease of retained data indications. */
NTSTATUS ow_events_release(struct ow_socket *sock, PWSK_DATA_INDICATION list);
/* WskReceive: serves data held back from an event first. Returns the bytes
 * copied into req's iovecs (which are advanced past them). */
size_t ow_events_take_held(struct ow_socket *sock, struct ow_req *req);
/* Event op still in the engine: the close must wait for it. */
void ow_events_cancel(struct ow_socket *sock);
void ow_events_free(struct ow_socket *sock);
/* From complete.c: finishes a close whose last pending work just ended. */
void ow_sock_close_if_idle(struct ow_socket *sock);

/* ---- datagram.c ---- */
extern const WSK_PROVIDER_DATAGRAM_DISPATCH ow_datagram_dispatch;
NTSTATUS WSKAPI ow_dgram_send_to(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                 PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                 PCMSGHDR ControlInfo, PIRP Irp);
NTSTATUS WSKAPI ow_dgram_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                      PSOCKADDR RemoteAddress, PULONG ControlLength,
                                      PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp);
NTSTATUS WSKAPI ow_dgram_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
                                       PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                       PCMSGHDR ControlInfo, PIRP Irp);
/* WskControlSocket ioctls of datagram sockets (SIO_WSK_SET_REMOTE_ADDRESS,
 * SIO_WSK_SET_SENDTO_ADDRESS): returns TRUE when ControlCode is one of them,
 * with the call's status in *st. */
BOOLEAN ow_dgram_ioctl(struct ow_socket *sock, ULONG ControlCode, SIZE_T InputSize,
                       PVOID InputBuffer, PIRP Irp, NTSTATUS *st);
/* WskRelease of a datagram socket. Receive-from events are not delivered
 * yet, so there is nothing to release: STATUS_INVALID_PARAMETER. The events
 * work extends this. */
NTSTATUS WSKAPI ow_release_datagram_list(PWSK_SOCKET Socket, PWSK_DATAGRAM_INDICATION List);

/* ---- resolve.c (WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo) ---- */
NTSTATUS WSKAPI ow_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                    PUNICODE_STRING ServiceName, ULONG NameSpace,
                                    GUID *Provider, PADDRINFOEXW Hints,
                                    PADDRINFOEXW *Result, PEPROCESS OwningProcess,
                                    PETHREAD OwningThread, PIRP Irp);
VOID WSKAPI ow_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo);
NTSTATUS WSKAPI ow_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
                                 PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
                                 ULONG Flags, PEPROCESS OwningProcess,
                                 PETHREAD OwningThread, PIRP Irp);

/* ---- client_control.c (WskControlClient) ---- */
NTSTATUS WSKAPI ow_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp);
/* For WskDeregister: completes the client's pending WSK_TRANSPORT_LIST_CHANGE
 * IRPs with STATUS_CANCELLED. (Not called yet: registration.c's to hook.) */
void ow_client_control_deregister(PWSK_CLIENT Client);

/* ---- conditional.c: SO_CONDITIONAL_ACCEPT ---- */
enum ow_cond_verdict { OW_COND_DELIVER, OW_COND_TAKEN };
/* A connection the kernel accepted on a conditional listener: runs
 * WskInspectEvent. DELIVER: hand fd out now (*id is its inspect id);
 * TAKEN: the provider keeps or closed it, accept the next one instead. */
enum ow_cond_verdict ow_cond_inspect(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote,
                                     WSK_INSPECT_ID *id);
/* WskAccept: a connection released by WskInspectComplete waits? Then the
 * call completes with it at once; returns STATUS_PENDING otherwise. */
/* A conditional listener queues WskAccept IRPs itself (see OW_LANE_ACCEPT). */
BOOLEAN ow_cond_enabled(struct ow_socket *ls);
/* An inspected connection is ready: to a waiting WskAccept or the ready list. */
void ow_cond_ready(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id);
void ow_cond_serve(struct ow_socket *ls);
NTSTATUS ow_cond_take_ready(struct ow_socket *ls, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                            PSOCKADDR local, PSOCKADDR remote, PIRP irp);
NTSTATUS ow_cond_complete(struct ow_socket *ls, PWSK_INSPECT_ID id, WSK_INSPECT_ACTION action);
NTSTATUS ow_cond_set(struct ow_socket *ls, BOOLEAN on);
void ow_cond_close(struct ow_socket *ls);
/* Hands an accepted fd to a new connection socket (listen.c). */
struct ow_socket *ow_accepted_socket(struct ow_socket *ls, int fd, PVOID ctx,
                                     const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                                     const WSK_INSPECT_ID *id);
/* Delivers an accepted socket through WskAcceptEvent (events.c); FALSE when
 * the listener's accept event is off (the caller keeps the fd). */
BOOLEAN ow_events_offer(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id);

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
