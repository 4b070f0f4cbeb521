/* SPDX-License-Identifier: MIT */
/* Verifier and trace (src/verifier): the internal interface that src/wsk and
 * src/kernel call. Everything here is off unless OPENWSK_VERIFIER or
 * OPENWSK_TRACE is set; each call site is guarded by one test of a global
 * (`if (ow_vf_enabled)` / `if (ow_vf_hooked)`), so the cost when off is one
 * predictable branch. docs/verifier.md lists every check. WDK world. */
#ifndef OPENWSK_VERIFIER_H
#define OPENWSK_VERIFIER_H

#include <ntddk.h>
#include <wsk.h>

/* ---- bug-check codes ------------------------------------------------------
 * Windows' own codes where Driver Verifier has one (wdm.h has the common
 * ones); OpenWSK's codes 0x0E5Cxxxx where Windows has none (it crashes later,
 * somewhere else, or hangs). P1..P4 are listed in docs/verifier.md. */
#define OW_BC_IRQL_UNEXPECTED_VALUE           0x000000C8
#define OW_BC_DRIVER_VERIFIER_IOMANAGER_VIOLATION 0x000000C9
#define OW_BC_IRP_STILL_PENDING     0x0E5C0001u  /* P1: 1 WSK call, 2 IoFreeIrp, 3 IoReuseIrp */
#define OW_BC_BAD_WSK_BUF           0x0E5C0002u  /* P1: 1 too long, 2 Offset outside, 3 MDL not built */
#define OW_BC_BUFFER_FREED_IN_USE   0x0E5C0003u  /* P1: 1 pool block, 2 MDL */
#define OW_BC_SOCKET_NOT_LIVE       0x0E5C0004u  /* P1: 1 used after close, 2 closed twice, 3 not a socket */
#define OW_BC_DEREGISTER_WITH_OPEN  0x0E5C0005u  /* P2: sockets open, P3: captures held */
#define OW_BC_USES_WSK_FREED        0x0E5C0007u  /* P1 the pointer, P2 the block, P3 who freed it */
#define OW_BC_STATE_VIOLATION       0x0E5C0006u  /* P1: 1 listen-flow call on a connecting stream
                                                    socket, 2 connect-flow call on a listener */

/* struct ow_socket.vf_magic: live, or closed and kept in the graveyard. */
#define OW_SOCK_LIVE 0x6b636f53u   /* "Sock" */
#define OW_SOCK_DEAD 0x64616544u   /* "Dead" */

/* ---- switches (read once at load from the environment) ------------------ */
extern int ow_vf_enabled;   /* OPENWSK_VERIFIER=1 (or =strict / =2) */
extern int ow_vf_strict;    /* OPENWSK_VERIFIER=strict: stream-socket flow violations stop too */
extern int ow_vf_hooked;    /* verifier or trace: WSK calls go through src/verifier/wrap.c */
extern int ow_trace_enabled;

/* Re-reads OPENWSK_TRACE / OPENWSK_VERIFIER (WskRegister calls it, so a test
 * may setenv before registering). */
void ow_vf_configure(void);

/* ---- one WSK call in progress (on the wrapper's stack) ------------------- */
struct ow_vf_irp;
struct ow_vf_call {
    const char *name;          /* "WskSend" */
    PVOID sock;                /* WSK_SOCKET* or NULL (provider-level calls) */
    PIRP irp;
    PVOID caller;              /* the client's return address */
    struct ow_vf_call *outer;  /* a call made from a completion routine inside this one */
    struct ow_vf_irp *entry;   /* the IRP's record while WSK owns it */
    LONGLONG t0;               /* ns since start */
    char args[200];            /* trace: the arguments that matter */
};

/* Prints "OpenWSK verifier: <what>: <call>(socket S, IRP I) from <caller>" on
 * one line, with the WSK call in progress on this thread when there is one,
 * then KeBugCheckEx(Code, P1..P4). */
DECLSPEC_NORETURN void ow_vf_fail(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                  ULONG_PTR P4, PVOID Caller, const char *Format, ...)
    __attribute__((format(printf, 7, 8)));

/* "0x… (function+0x…, module)" for a code address. */
void ow_vf_caller_text(PVOID Caller, char *out, size_t size);
/* The client's return address in the WSK call in progress on this thread. */
PVOID ow_vf_current_caller(void);
/* WskFreeAddressInfo (no IRP, so no ow_vf_call) says who called it. */
extern _Thread_local PVOID ow_vf_free_caller;

/* ---- memory WSK freed for the client (freed.c) ------------------------------
 * Keeps [P, P+Size) poisoned and unreused for a while; Release(Block) frees it
 * for real later. Caller NULL: the current WSK call's caller. */
void ow_vf_keep_freed(const void *P, SIZE_T Size, const char *What, const char *By, PVOID Caller,
                      void (*Release)(void *), void *Block);
/* Stops, naming the free, when P points into kept memory. Arg: "address". */
void ow_vf_check_not_freed(const void *P, const char *Arg);
void ow_vf_release_kept(void);   /* the last WskDeregister */
/* src/kernel/pool.c: ExFreePoolWithTag for memory WSK frees on a client's behalf: with the
 * verifier on, the block is accounted as freed but kept (poisoned, not
 * reused) so that a later use of it is named (src/verifier/freed.c). */
void ow_pool_free_kept(PVOID P, ULONG Tag, const char *What, const char *By);


/* IRQL at a WSK / registration entry point: stop when above Max. */
void ow_vf_check_irql(const char *Call, KIRQL Max, PVOID Caller);

/* ---- hooks in src/wsk ----------------------------------------------------- */
void ow_vf_check_buf(const WSK_BUF *Buf);               /* buf.c, verifier on */
BOOLEAN ow_vf_bury_socket(PVOID Sock);                  /* socket.c: TRUE = kept in the graveyard */
void ow_vf_registered(void);                            /* registration.c */
void ow_vf_deregistered(void);
/* WskDeregister still waiting: a report (Windows waits too), a stop when
 * OPENWSK_VERIFIER=strict. Open lists the sockets still open. */
void ow_vf_deregister_waiting(PVOID Registration, unsigned Sockets, unsigned Captures, const char *Open,
                              PVOID Caller);
/* Trace lines for the registration calls (no IRP). */
void ow_trace_plain(const char *Call, NTSTATUS Status, BOOLEAN HasStatus, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));
extern const WSK_PROVIDER_DISPATCH ow_vf_provider_dispatch;
const VOID *ow_vf_dispatch_for(int Category);           /* dispatch.c */

/* ---- hooks in src/kernel --------------------------------------------------- */
void ow_vf_irp_completing(PIRP Irp);                    /* IofCompleteRequest, ow_vf_hooked */
void ow_vf_irp_check_idle(PIRP Irp, const char *Call, PVOID Caller);   /* IoFreeIrp, IoReuseIrp */
void ow_vf_completion_irql(PIRP Irp, PVOID Routine, KIRQL Before);    /* after each routine */
void ow_vf_pool_freeing(PVOID P, SIZE_T Size, PVOID Caller);          /* ExFreePool* */
void ow_vf_mdl_freeing(PMDL Mdl, PVOID Caller);                       /* IoFreeMdl */
/* A spin lock (KSPIN_LOCK or EX_SPIN_LOCK) taken by raising the IRQL: its
 * release must restore the IRQL that Acquire (the routine's name) saved. */
void ow_vf_spin_acquired(const volatile void *Lock, KIRQL OldIrql, const char *Acquire);
void ow_vf_spin_releasing(const volatile void *Lock, KIRQL NewIrql, const char *Release, PVOID Caller);

/* ---- wrap.c <-> verifier.c ------------------------------------------------- */
/* Checks and records a WSK call (Sock is checked when SockCheck is set);
 * then the wrapper calls the provider and ow_vf_leave. */
enum { OW_VF_NO_SOCK, OW_VF_SOCK, OW_VF_CLOSE };
void ow_vf_enter(struct ow_vf_call *c, const char *Name, PVOID Sock, PIRP Irp, PVOID Caller,
                 int SockCheck);
/* Remembers the buffer's pages (pool frees overlapping them are diagnosed). */
void ow_vf_note_buf(struct ow_vf_call *c, const WSK_BUF *Buf);
/* For the trace's completion line: an address the provider fills in. */
void ow_vf_note_out_addr(struct ow_vf_call *c, PSOCKADDR Addr);
NTSTATUS ow_vf_leave(struct ow_vf_call *c, NTSTATUS Status);
/* "127.0.0.1:7000", "[::1]:7000" into out (>= 64 bytes). */
const char *ow_vf_addr_text(const SOCKADDR *a, char *out, size_t size);
/* "len=100 off=0 mdls=1" */
const char *ow_vf_buf_text(const WSK_BUF *b, char *out, size_t size);

/* ---- trace.c ---------------------------------------------------------------- */
LONGLONG ow_trace_now_ns(void);
/* Writes one line: "[ow +S.uuuuuus tTID IRQL] text" (text without newline). */
void ow_trace_write(KIRQL Irql, const char *Format, ...) __attribute__((format(printf, 2, 3)));
/* The same for an event that happened earlier (a completion seen while its
 * call was still running): its own time, thread and IRQL. */
void ow_trace_write_at(LONGLONG Ns, int Tid, KIRQL Irql, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));
int ow_trace_tid(void);
void ow_trace_configure(void);

#endif
