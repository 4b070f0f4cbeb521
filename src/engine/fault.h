/* SPDX-License-Identifier: MIT */
/* Fault injection for tests: makes the engine fail chosen operations at the
 * points where the real failure surfaces, so the provider's real error paths
 * run. Compiled only with -DOPENWSK_FAULT_INJECTION (CMake option
 * OPENWSK_FAULT_INJECTION, ON in builds with BUILD_TESTING); otherwise every
 * hook is an inline "no fault" and the configuration calls do nothing.
 *
 * Configuration: OPENWSK_FAULTS="name:num/den,..." read at engine start, or
 * ow_fault_set() from a test; OPENWSK_FAULT_SEED (default 1) makes the
 * choice deterministic: the k-th consultation of a fault fires when
 * hash(seed, fault, k) mod den < num.
 *
 *   socket_emfile   ow_net_socket fails with -EMFILE        (INSUFFICIENT_RESOURCES)
 *   accept_emfile   an accepted connection is refused with -EMFILE
 *   submit_enomem   ow_engine_submit fails with -ENOMEM      (INSUFFICIENT_RESOURCES)
 *   sq_full         io_uring: no free SQE at first try (the engine flushes and retries)
 *   sq_stuck        io_uring: no free SQE even after a flush (-EBUSY)
 *   eagain          a send/recv/accept that would have run reports EAGAIN first
 *   send_short      the kernel sees at most half of a send's remaining window
 *   recv_short      the kernel sees at most half of a receive's window
 *   reset           the connection is reset (connect AF_UNSPEC) just before a send/recv
 *   resolve_slow    a name lookup (getaddrinfo/getnameinfo) waits 300 ms first, so a
 *                   test can act while a WskGetAddressInfo IRP is pending
 *
 * This header includes no socket header: tests (WDK world) include it. */
#ifndef OPENWSK_FAULT_H
#define OPENWSK_FAULT_H

enum ow_fault {
    OW_FAULT_SOCKET_EMFILE,
    OW_FAULT_ACCEPT_EMFILE,
    OW_FAULT_SUBMIT_ENOMEM,
    OW_FAULT_SQ_FULL,
    OW_FAULT_SQ_STUCK,
    OW_FAULT_EAGAIN,
    OW_FAULT_SEND_SHORT,
    OW_FAULT_RECV_SHORT,
    OW_FAULT_RESET,
    OW_FAULT_RESOLVE_SLOW,
    OW_FAULT_COUNT
};

struct ow_op;

#ifdef OPENWSK_FAULT_INJECTION
/* Engine hooks. ow_fault_issue, before an op's kernel call: -EBUSY
 * (sq_stuck; flags & OW_FAULT_AT_URING), -EMFILE (accept_emfile), 1 = act
 * as if the kernel said EAGAIN (eagain), 0 = go on; eagain and
 * accept_emfile only when flags & OW_FAULT_AT_MAIN (the op's own call, not
 * a readiness wait). ow_fault_io, once the send/recv window is set:
 * reset, send_short, recv_short. */
#define OW_FAULT_AT_URING 1
#define OW_FAULT_AT_MAIN  2
/* Nonzero while any fault is configured: the hooks below sit on every
 * operation's path, so with none configured each is one load, inline. */
extern int ow_fault_armed;
int ow_fault_issue_armed(struct ow_op *op, int flags);
void ow_fault_io_armed(struct ow_op *op);
int ow_fault_hit_armed(enum ow_fault f);
static inline int ow_fault_on(void) { return __atomic_load_n(&ow_fault_armed, __ATOMIC_RELAXED); }
static inline int ow_fault_issue(struct ow_op *op, int flags)
{
    return ow_fault_on() ? ow_fault_issue_armed(op, flags) : 0;
}
static inline void ow_fault_io(struct ow_op *op)
{
    if (ow_fault_on())
        ow_fault_io_armed(op);
}
/* Parses spec ("name:num/den,..."; NULL or "" = no faults) and resets the
 * counters. Returns 0, or -1 for a malformed spec (then nothing changes). */
int ow_fault_set(const char *spec, unsigned seed);
/* Engine start: applies OPENWSK_FAULTS / OPENWSK_FAULT_SEED if set. */
void ow_fault_from_env(void);
/* Consults fault f: 1 = inject now. */
static inline int ow_fault_hit(enum ow_fault f) { return ow_fault_on() ? ow_fault_hit_armed(f) : 0; }
/* How many times f fired since the last ow_fault_set. */
unsigned long ow_fault_fired(enum ow_fault f);
const char *ow_fault_name(enum ow_fault f);
#define OW_FAULTS_COMPILED 1
#else
#define OW_FAULT_AT_URING 1
#define OW_FAULT_AT_MAIN  2
static inline int ow_fault_on(void) { return 0; }
static inline int ow_fault_issue(struct ow_op *op, int flags) { (void)op; (void)flags; return 0; }
static inline void ow_fault_io(struct ow_op *op) { (void)op; }
static inline int ow_fault_set(const char *spec, unsigned seed) { (void)spec; (void)seed; return -1; }
static inline void ow_fault_from_env(void) {}
static inline int ow_fault_hit(enum ow_fault f) { (void)f; return 0; }
static inline unsigned long ow_fault_fired(enum ow_fault f) { (void)f; return 0; }
static inline const char *ow_fault_name(enum ow_fault f) { (void)f; return "?"; }
#define OW_FAULTS_COMPILED 0
#endif

#endif
