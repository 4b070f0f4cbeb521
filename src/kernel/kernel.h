/* Shared internals of the emulated kernel services (src/kernel/). */
#ifndef OPENWSK_KERNEL_KERNEL_H
#define OPENWSK_KERNEL_KERNEL_H

#include <ntddk.h>

/* DISPATCHER_HEADER.Type values, as on Windows. */
#define OW_OBJ_NOTIFICATION_EVENT     0
#define OW_OBJ_SYNCHRONIZATION_EVENT  1
#define OW_OBJ_THREAD                 6

/* Prints "OpenWSK verifier: <message>" on one line to stderr, then bug-checks. */
DECLSPEC_NORETURN void ow_violation(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                    ULONG_PTR P4, const char *Format, ...)
    __attribute__((format(printf, 6, 7)));

/* The dispatcher lock guards every SignalState; ow_dispatcher_signal
 * sets a header signalled and wakes waiters (thread.c uses it at exit). */
void ow_dispatcher_signal(DISPATCHER_HEADER *Header);

/* Monotonic clock in 100 ns units. */
LONGLONG ow_monotonic_100ns(void);

#endif
