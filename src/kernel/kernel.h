/* SPDX-License-Identifier: MIT */
/* Shared internals of the emulated kernel services (src/kernel/). */
#ifndef OPENWSK_KERNEL_KERNEL_H
#define OPENWSK_KERNEL_KERNEL_H

#include <ntddk.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* DISPATCHER_HEADER.Type values, as on Windows. */
#define OW_OBJ_NOTIFICATION_EVENT     0
#define OW_OBJ_SYNCHRONIZATION_EVENT  1
#define OW_OBJ_MUTANT                 2
#define OW_OBJ_SEMAPHORE              5
#define OW_OBJ_THREAD                 6
#define OW_OBJ_TIMER_NOTIFICATION     8
#define OW_OBJ_TIMER_SYNCHRONIZATION  9

/* Prints "OpenWSK verifier: <message>" on one line to stderr, then bug-checks. */
DECLSPEC_NORETURN void ow_violation(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                    ULONG_PTR P4, const char *Format, ...)
    __attribute__((format(printf, 6, 7)));

/* The IRQL a page requires of its caller: a bug check (IRQL_NOT_LESS_OR_EQUAL,
 * IRQL_NOT_GREATER_OR_EQUAL) naming Who when the current IRQL is above Max
 * or below Min. irql.c. */
void ow_irql_at_most(const char *Who, KIRQL Max);
void ow_irql_at_least(const char *Who, KIRQL Min);

/* Sleeping on a 32-bit word (a futex): ow_word_wait returns when *Word may
 * no longer be Expected (or spuriously: callers look again);
 * ow_word_wake_all wakes every sleeper. exlock.c (push locks), runonce.c. */
void ow_word_wait(volatile uint32_t *Word, uint32_t Expected);
void ow_word_wake_all(volatile uint32_t *Word);

/* The dispatcher lock guards every SignalState; ow_dispatcher_signal
 * sets a header signalled and wakes waiters (thread.c uses it at exit). */
void ow_dispatcher_signal(DISPATCHER_HEADER *Header);

/* "tag 'Tag1' 3 allocations 96 bytes, ..." for the live pool, into Buf;
 * returns the number of live allocations (pool.c, for the verifier). */
ULONG ow_pool_leak_text(char *Buf, size_t Size);
/* Pool that OpenWSK allocates for the driver (an Rtl*String buffer…): the
 * leak report names Site ("RtlAnsiStringToUnicodeString (free with
 * RtlFreeUnicodeString)") beside the tag, which is in no driver's source. */
PVOID ow_pool_alloc_for(SIZE_T Size, ULONG Tag, const char *Site);

/* Take the dispatcher lock to change a SignalState; release it, waking
 * every waiter if Wake. */
void ow_dispatcher_acquire(void);
void ow_dispatcher_release(BOOLEAN Wake);

/* The one process: what PsGetCurrentProcess, IoGetCurrentProcess and
 * PsInitialSystemProcess give (thread.c). */
extern struct _KPROCESS ow_system_process;

/* ZwClose of a handle that is not a thread's: registry keys (registry.c). */
NTSTATUS ow_registry_close(HANDLE Handle);

/* The Windows printf interpreter behind DbgPrint and WPP (format.c).
 * Ext, when not NULL, prints a "%!TYPE!" conversion (Type is the text
 * between the '!'s, not terminated) and takes its arguments from ap. */
typedef void (*ow_format_ext_fn)(FILE *out, const char *Type, size_t Len, va_list *ap,
                                 void *ExtContext);
void ow_format(FILE *out, const char *Format, va_list *ap, ow_format_ext_fn Ext, void *ExtContext);

/* The buffer of an Rtl string result of `bytes` bytes: with Allocate, pool
 * made for it and its terminator (`term` bytes; Site names the call in leak
 * reports), setting *MaximumLength; otherwise the caller's, which must hold
 * `bytes` (STATUS_BUFFER_OVERFLOW). rtl.c. */
NTSTATUS ow_string_dest(PVOID *Buffer, USHORT *MaximumLength, SIZE_T bytes, SIZE_T term, BOOLEAN Allocate,
                        const char *Site);

/* WCHARs before the terminator, at most max (SIZE_MAX: no bound). */
static inline size_t ow_wcsnlen(const WCHAR *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != 0)
        n++;
    return n;
}

/* Monotonic clock in 100 ns units. */
LONGLONG ow_monotonic_100ns(void);

/* The monotonic time an NT due time (negative: relative, positive: absolute
 * system time) stands for, saturated at MAXLONGLONG (event.c). */
LONGLONG ow_due_monotonic(LONGLONG Due);

#endif
