/* SPDX-License-Identifier: MIT */
/* wdm.h: the kernel services a WSK client calls besides WSK (IRQL, IRPs,
 * MDLs, events and waits, spin locks, pool, Rtl helpers, threads, debug
 * output), with the WDK's names and values. Implemented in user mode by
 * src/kernel/. Includes no libc header beyond what ntdef.h does, so a driver's
 * translation unit sees only the Windows world. */
#ifndef OPENWSK_WDM_H
#define OPENWSK_WDM_H

#include <ntdef.h>
#include <ntstatus.h>
#include <intrin.h>
#include <stdarg.h>

EXTERN_C_START

/* ---- checked-build switch (header only) --------------------------------- */
/* The WDK's DBG: 1 in checked (debug) builds. Follows NDEBUG unless set. */
#ifndef DBG
#ifdef NDEBUG
#define DBG 0
#else
#define DBG 1
#endif
#endif
/* ALLOC_PRAGMA is deliberately not defined: `#pragma alloc_text` blocks are skipped. */

/* ---- IRQL (src/kernel/irql.c) ------------------------------------------- */
#define PASSIVE_LEVEL  0
#define LOW_LEVEL      0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL     5
#define PROFILE_LEVEL  15
#define CLOCK_LEVEL    13
#define IPI_LEVEL      14
#define POWER_LEVEL    14
#define HIGH_LEVEL     15

/* IRQL is per thread in OpenWSK: what the current thread would run at. */
NTKERNELAPI KIRQL KeGetCurrentIrql(void);
NTKERNELAPI KIRQL KfRaiseIrql(KIRQL NewIrql);
NTKERNELAPI VOID KeLowerIrql(KIRQL NewIrql);
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(void);
#define KeRaiseIrql(NewIrql, OldIrql) (*(OldIrql) = KfRaiseIrql(NewIrql))

/* ---- modes, waits, misc enums (header only) ----------------------------- */
typedef CCHAR KPROCESSOR_MODE;
typedef enum _MODE { KernelMode, UserMode, MaximumMode } MODE;

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue } WAIT_TYPE;
typedef enum _KWAIT_REASON {
    Executive, FreePage, PageIn, PoolAllocation, DelayExecution, Suspended, UserRequest,
    WrExecutive, WrFreePage, WrPageIn, WrPoolAllocation, WrDelayExecution, WrSuspended,
    WrUserRequest, WrEventPair, WrQueue, WrLpcReceive, WrLpcReply, WrVirtualMemory,
    WrPageOut, WrRendezvous, WrKeyedEvent, WrTerminated, WrProcessInSwap, WrCpuRateControl,
    WrCalloutStack, WrKernel, WrResource, WrPushLock, WrMutex, WrQuantumEnd, WrDispatchInt,
    WrPreempted, WrYieldExecution, WrFastMutex, WrGuardedMutex, WrRundown, WrAlertByThreadId,
    WrDeferredPreempt, MaximumWaitReason
} KWAIT_REASON;

#define IO_NO_INCREMENT         0
#define IO_NETWORK_INCREMENT    2
#define EVENT_INCREMENT         1
#define THREAD_WAIT_OBJECTS     3
#define MAXIMUM_WAIT_OBJECTS    64

/* ---- access rights, handles, objects (header only) ---------------------- */
#define DELETE                   0x00010000L
#define READ_CONTROL             0x00020000L
#define WRITE_DAC                0x00040000L
#define WRITE_OWNER              0x00080000L
#define SYNCHRONIZE              0x00100000L
#define STANDARD_RIGHTS_REQUIRED 0x000F0000L
#define STANDARD_RIGHTS_ALL      0x001F0000L
#define GENERIC_READ             0x80000000L
#define GENERIC_WRITE            0x40000000L
#define GENERIC_EXECUTE          0x20000000L
#define GENERIC_ALL              0x10000000L
#define THREAD_ALL_ACCESS        (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)

#define OBJ_INHERIT          0x00000002L
#define OBJ_PERMANENT        0x00000010L
#define OBJ_EXCLUSIVE        0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF           0x00000080L
#define OBJ_OPENLINK         0x00000100L
#define OBJ_KERNEL_HANDLE    0x00000200L

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s) do { \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);         \
        (p)->RootDirectory = (r);                        \
        (p)->Attributes = (a);                           \
        (p)->ObjectName = (n);                           \
        (p)->SecurityDescriptor = (s);                   \
        (p)->SecurityQualityOfService = NULL;            \
    } while (0)

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _OBJECT_TYPE *POBJECT_TYPE;
typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes;
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

extern POBJECT_TYPE *PsThreadType;
extern POBJECT_TYPE *ExEventObjectType;

#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread()  NtCurrentThread()

/* ---- dispatcher objects, events, waits (src/kernel/event.c) ------------- */
/* A waitable object starts with this header (events, threads), as on
 * Windows; the waits in src/kernel/event.c read Type and SignalState. */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type;
    UCHAR Signalling;
    UCHAR Size;
    UCHAR Reserved1;
    volatile LONG SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KWAIT_BLOCK {
    ULONG64 Opaque[6];
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

/* The WDK's x64 layouts (64 bytes each); services in src/kernel/timer.c. */
typedef struct DECLSPEC_ALIGN(8) _KDPC {
    UCHAR Type;
    UCHAR Importance;
    volatile USHORT Number;
    ULONG OwState;                  /* OpenWSK: queued / running */
    LIST_ENTRY DpcListEntry;
    VOID (*DeferredRoutine)(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                            PVOID SystemArgument2);
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;
typedef struct DECLSPEC_ALIGN(8) _KTIMER {
    DISPATCHER_HEADER Header;       /* waitable: signalled when it expires */
    ULARGE_INTEGER DueTime;         /* OpenWSK: monotonic, 100 ns units */
    LIST_ENTRY TimerListEntry;
    struct _KDPC *Dpc;
    ULONG Processor;
    LONG Period;                    /* milliseconds; 0 = one-shot */
} KTIMER, *PKTIMER, *PRKTIMER;
typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;

/* KeWaitForSingleObject acquires a mutex; the owner may acquire it again. */
typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;       /* SignalState 1 = free, <= 0 = owned */
    LIST_ENTRY MutantListEntry;
    struct _KTHREAD *OwnerThread;
    BOOLEAN Abandoned;
    UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

NTKERNELAPI VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State);
NTKERNELAPI LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
NTKERNELAPI LONG KeResetEvent(PRKEVENT Event);
NTKERNELAPI VOID KeClearEvent(PRKEVENT Event);
NTKERNELAPI LONG KeReadStateEvent(PRKEVENT Event);

/* Semaphores: waitable while the count is above 0; each satisfied wait
 * takes one. Releasing past Limit is a driver bug (a verifier stop). */
typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;
NTKERNELAPI VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit);
NTKERNELAPI LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore);

/* Timeouts: NULL = forever, negative = relative (100 ns units), positive =
 * absolute system time, zero = poll. */
NTKERNELAPI NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason,
                                           KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                           PLARGE_INTEGER Timeout);
#define KeWaitForMutexObject KeWaitForSingleObject
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                              KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                              BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                              PKWAIT_BLOCK WaitBlockArray);
NTKERNELAPI NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                            PLARGE_INTEGER Interval);
NTHALAPI VOID KeStallExecutionProcessor(ULONG MicroSeconds);

/* ---- time (src/kernel/event.c; calendar fields: rtl_time.c) ------------- */
NTKERNELAPI VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime);          /* 100 ns since 1601 */
NTKERNELAPI VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);
NTKERNELAPI ULONGLONG KeQueryInterruptTime(void);                        /* 100 ns since boot */
NTKERNELAPI ULONGLONG KeQueryUnbiasedInterruptTime(void);                /* ... not counting sleep */
NTKERNELAPI ULONG KeQueryTimeIncrement(void);
NTKERNELAPI VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount);
/* The range of clock tick lengths, in 100 ns units (ExQueryTimerResolution's
 * page). OpenWSK's clock has one: all three are KeQueryTimeIncrement(). */
NTKERNELAPI VOID ExQueryTimerResolution(PULONG MaximumTime, PULONG MinimumTime, PULONG CurrentTime);
/* Calendar fields of a system time, and back (src/kernel/rtl_time.c);
 * "local" is the host's time zone. */
typedef struct _TIME_FIELDS {
    CSHORT Year;            /* 1601 ... */
    CSHORT Month;           /* 1 ... 12 */
    CSHORT Day;             /* 1 ... 31 */
    CSHORT Hour;
    CSHORT Minute;
    CSHORT Second;
    CSHORT Milliseconds;
    CSHORT Weekday;         /* 0 = Sunday */
} TIME_FIELDS, *PTIME_FIELDS;
NTSYSAPI VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields);
NTSYSAPI BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time);
NTKERNELAPI VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime);
NTKERNELAPI VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime);

/* ---- spin locks (src/kernel/spinlock.c) --------------------------------- */
typedef struct _KSPIN_LOCK_QUEUE {
    struct _KSPIN_LOCK_QUEUE *volatile Next;
    PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

typedef struct _KLOCK_QUEUE_HANDLE {
    KSPIN_LOCK_QUEUE LockQueue;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

NTKERNELAPI VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock,
                                                          PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))
/* From a DPC or below: raises to DISPATCH_LEVEL if needed. */
NTKERNELAPI KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql);
/* Lists guarded by a spin lock; the Insert forms return the list's first
 * (Head) or last (Tail) entry before the insert, NULL if it was empty. */
NTKERNELAPI PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                          PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock);

/* ---- interlocked operations, full barriers like Windows (header only) --- */
#define OW_ATOMIC __ATOMIC_SEQ_CST
static __inline LONG InterlockedIncrement(LONG volatile *Addend)
{ return __atomic_add_fetch(Addend, 1, OW_ATOMIC); }
static __inline LONG InterlockedDecrement(LONG volatile *Addend)
{ return __atomic_sub_fetch(Addend, 1, OW_ATOMIC); }
static __inline LONG InterlockedExchange(LONG volatile *Target, LONG Value)
{ return __atomic_exchange_n(Target, Value, OW_ATOMIC); }
static __inline LONG InterlockedExchangeAdd(LONG volatile *Addend, LONG Value)
{ return __atomic_fetch_add(Addend, Value, OW_ATOMIC); }
static __inline LONG InterlockedAdd(LONG volatile *Addend, LONG Value)
{ return __atomic_add_fetch(Addend, Value, OW_ATOMIC); }
static __inline LONG InterlockedCompareExchange(LONG volatile *Destination, LONG Exchange,
                                                LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, OW_ATOMIC, OW_ATOMIC);
    return Comparand; /* the initial value, whether or not it matched */
}
static __inline LONG InterlockedAnd(LONG volatile *Destination, LONG Value)
{ return __atomic_fetch_and(Destination, Value, OW_ATOMIC); }
static __inline LONG InterlockedOr(LONG volatile *Destination, LONG Value)
{ return __atomic_fetch_or(Destination, Value, OW_ATOMIC); }
static __inline LONG InterlockedXor(LONG volatile *Destination, LONG Value)
{ return __atomic_fetch_xor(Destination, Value, OW_ATOMIC); }
static __inline LONG64 InterlockedIncrement64(LONG64 volatile *Addend)
{ return __atomic_add_fetch(Addend, 1, OW_ATOMIC); }
static __inline LONG64 InterlockedDecrement64(LONG64 volatile *Addend)
{ return __atomic_sub_fetch(Addend, 1, OW_ATOMIC); }
static __inline LONG64 InterlockedExchange64(LONG64 volatile *Target, LONG64 Value)
{ return __atomic_exchange_n(Target, Value, OW_ATOMIC); }
static __inline LONG64 InterlockedExchangeAdd64(LONG64 volatile *Addend, LONG64 Value)
{ return __atomic_fetch_add(Addend, Value, OW_ATOMIC); }
static __inline LONG64 InterlockedAdd64(LONG64 volatile *Addend, LONG64 Value)
{ return __atomic_add_fetch(Addend, Value, OW_ATOMIC); }
static __inline LONG64 InterlockedCompareExchange64(LONG64 volatile *Destination,
                                                    LONG64 Exchange, LONG64 Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, OW_ATOMIC, OW_ATOMIC);
    return Comparand;
}
static __inline PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value)
{ return __atomic_exchange_n(Target, Value, OW_ATOMIC); }
static __inline PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination,
                                                        PVOID Exchange, PVOID Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, OW_ATOMIC, OW_ATOMIC);
    return Comparand;
}
#define ReadNoFence(p)      __atomic_load_n((p), __ATOMIC_RELAXED)
#define WriteNoFence(p, v)  __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ReadAcquire(p)      __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define WriteRelease(p, v)  __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define KeMemoryBarrier()   __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MemoryBarrier()     __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define YieldProcessor()    __builtin_ia32_pause()

/* ---- more interlocked operations, memory accessors (header only) -------- */
/* Bit tests and the 8-, 16- and 64-bit forms: the Microsoft intrinsics of
 * <intrin.h> under their wdm.h names. */
#define BitTest                        _bittest
#define BitTest64                      _bittest64
#define InterlockedBitTestAndSet       _interlockedbittestandset
#define InterlockedBitTestAndReset     _interlockedbittestandreset
#define InterlockedBitTestAndSet64     _interlockedbittestandset64
#define InterlockedBitTestAndReset64   _interlockedbittestandreset64
#define InterlockedCompareExchange16   _InterlockedCompareExchange16
#define InterlockedAnd8                _InterlockedAnd8
#define InterlockedOr8                 _InterlockedOr8
#define InterlockedAnd64               _InterlockedAnd64
#define InterlockedOr64                _InterlockedOr64
/* NoFence: atomic, no ordering; Acquire/Release: that ordering only (on x64
 * Windows they are the full-barrier instructions; weaker is what they
 * promise). Return values as their full-barrier forms'. */
static __inline LONG InterlockedIncrementNoFence(LONG volatile *Addend)
{ return __atomic_add_fetch(Addend, 1, __ATOMIC_RELAXED); }
static __inline LONG64 InterlockedIncrementNoFence64(LONG64 volatile *Addend)
{ return __atomic_add_fetch(Addend, 1, __ATOMIC_RELAXED); }
static __inline LONG64 InterlockedDecrementRelease64(LONG64 volatile *Addend)
{ return __atomic_sub_fetch(Addend, 1, __ATOMIC_RELEASE); }
static __inline LONG64 InterlockedExchangeAddNoFence64(LONG64 volatile *Addend, LONG64 Value)
{ return __atomic_fetch_add(Addend, Value, __ATOMIC_RELAXED); }
static __inline LONG64 InterlockedCompareExchangeNoFence64(LONG64 volatile *Destination,
                                                           LONG64 Exchange, LONG64 Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
    return Comparand;
}
static __inline PVOID InterlockedExchangePointerRelease(PVOID volatile *Target, PVOID Value)
{ return __atomic_exchange_n(Target, Value, __ATOMIC_RELEASE); }
/* wdm.h's Read/Write accessors: NoFence is an atomic access with no
 * ordering, Release a store that orders what came before, Raw a plain
 * volatile access (no atomicity promised). */
static __inline LONG64 ReadNoFence64(LONG64 const volatile *Source)
{ return __atomic_load_n(Source, __ATOMIC_RELAXED); }
static __inline BOOLEAN ReadBooleanNoFence(BOOLEAN const volatile *Source)
{ return __atomic_load_n(Source, __ATOMIC_RELAXED); }
static __inline PVOID ReadPointerNoFence(PVOID const volatile *Source)
{ return __atomic_load_n(Source, __ATOMIC_RELAXED); }
static __inline VOID WritePointerNoFence(PVOID volatile *Destination, PVOID Value)
{ __atomic_store_n(Destination, Value, __ATOMIC_RELAXED); }
static __inline VOID WritePointerRelease(PVOID volatile *Destination, PVOID Value)
{ __atomic_store_n(Destination, Value, __ATOMIC_RELEASE); }
static __inline LONG64 ReadRaw64(LONG64 const volatile *Source)
{ return *Source; }
static __inline VOID WriteRaw64(LONG64 volatile *Destination, LONG64 Value)
{ *Destination = Value; }

/* ---- doubly linked lists (header only) ---------------------------------- */
static __inline VOID InitializeListHead(PLIST_ENTRY ListHead)
{ ListHead->Flink = ListHead->Blink = ListHead; }
static __inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{ return (BOOLEAN)(ListHead->Flink == ListHead); }
static __inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}
static __inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    RemoveEntryList(Entry);
    return Entry;
}
static __inline PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    RemoveEntryList(Entry);
    return Entry;
}
static __inline VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}
static __inline VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}
static __inline VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{ Entry->Next = ListHead->Next; ListHead->Next = Entry; }
static __inline PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY First = ListHead->Next;
    if (First != NULL)
        ListHead->Next = First->Next;
    return First;
}

/* ---- memory helpers (header only; RtlCompareMemory: src/kernel/rtl.c) --- */
/* The WDK defines these as memcpy, memset, memmove and memcmp; the compiler
 * builtins are the same calls, and inline for small constant sizes. */
#define RtlZeroMemory(Destination, Length)         __builtin_memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length)   __builtin_memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill)   __builtin_memset((Destination), (Fill), (Length))
#define RtlCopyMemory(Destination, Source, Length) __builtin_memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) __builtin_memmove((Destination), (Source), (Length))
#define RtlEqualMemory(a, b, Length)               (__builtin_memcmp((a), (b), (Length)) == 0)
NTSYSAPI SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

/* ---- Rtl strings and byte order (src/kernel/rtl.c, rtl_utf8.c, rtl_unicode.c) */
/* Conversions between ANSI and Unicode cover the ASCII range; other
 * characters become '?'. */
NTSYSAPI VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSYSAPI VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString);
NTSYSAPI VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString);
/* As RtlInitAnsiString, but a string longer than MAXUSHORT - 1 bytes is
 * STATUS_NAME_TOO_LONG (DestinationString untouched) instead of cut. */
NTSYSAPI NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString);
NTSYSAPI NTSTATUS RtlInitStringEx(PSTRING DestinationString, PCSZ SourceString);
/* The UNICODE_STRING form: STATUS_NAME_TOO_LONG (DestinationString
 * untouched) when the string is longer than RtlInitUnicodeString would
 * count, MAXUSHORT - 1 bytes with its terminating null. */
NTSYSAPI NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString);
/* An empty counted string over a caller's buffer of BufferSize bytes. */
static __inline VOID RtlInitEmptyUnicodeString(PUNICODE_STRING UnicodeString, PWCHAR Buffer,
                                               USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}
static __inline VOID RtlInitEmptyAnsiString(PANSI_STRING AnsiString, PCHAR Buffer, USHORT BufferSize)
{
    AnsiString->Length = 0;
    AnsiString->MaximumLength = BufferSize;
    AnsiString->Buffer = Buffer;
}
NTSYSAPI VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSYSAPI BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                       BOOLEAN CaseInSensitive);
NTSYSAPI LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                      BOOLEAN CaseInSensitive);
NTSYSAPI NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
                                               PCUNICODE_STRING SourceString,
                                               BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
                                               PCANSI_STRING SourceString,
                                               BOOLEAN AllocateDestinationString);
/* UTF-16 <-> UTF-8 (src/kernel/rtl_utf8.c): invalid input becomes U+FFFD
 * (STATUS_SOME_NOT_MAPPED); a NULL destination asks for the size. */
NTSYSAPI NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                    PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                    ULONG UnicodeStringByteCount);
NTSYSAPI NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                    PULONG UnicodeStringActualByteCount, const CHAR *UTF8StringSource,
                                    ULONG UTF8StringByteCount);
NTSYSAPI VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTSYSAPI VOID RtlFreeAnsiString(PANSI_STRING AnsiString);
/* src/kernel/rtl_unicode.c: case covers ASCII and Latin-1; integers take
 * Base 0 (a 0x/0o/0b prefix picks it), 2, 8, 10 or 16; GUIDs read and
 * write "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}". */
NTSYSAPI NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSYSAPI NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTSYSAPI WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                         BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                           BOOLEAN AllocateDestinationString);
NTSYSAPI BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                        BOOLEAN CaseInSensitive);
NTSYSAPI NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value);
NTSYSAPI NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
NTSYSAPI NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTSYSAPI NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString);
NTSYSAPI NTSTATUS RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid);

NTSYSAPI USHORT RtlUshortByteSwap(USHORT Source);
NTSYSAPI ULONG RtlUlongByteSwap(ULONG Source);
NTSYSAPI ULONGLONG RtlUlonglongByteSwap(ULONGLONG Source);
NTSYSAPI ULONG RtlRandomEx(PULONG Seed);
/* Obsolete (QuadPart does the same): sign- or zero-extended to 64 bits. */
static __inline LARGE_INTEGER RtlConvertLongToLargeInteger(LONG SignedInteger)
{
    LARGE_INTEGER r;
    r.QuadPart = SignedInteger;
    return r;
}
static __inline LARGE_INTEGER RtlConvertUlongToLargeInteger(ULONG UnsignedInteger)
{
    LARGE_INTEGER r;
    r.QuadPart = UnsignedInteger;
    return r;
}

/* ---- debug output, bug checks (src/kernel/debug.c, format.c) ------------ */
typedef enum _DPFLTR_TYPE {
    DPFLTR_SYSTEM_ID = 0,
    DPFLTR_TCPIP_ID = 30,
    DPFLTR_WSOCKTRANSPORT_ID = 70,
    DPFLTR_IHVDRIVER_ID = 77,
    DPFLTR_IHVVIDEO_ID = 78,
    DPFLTR_IHVAUDIO_ID = 79,
    DPFLTR_IHVNETWORK_ID = 80,
    DPFLTR_IHVSTREAMING_ID = 81,
    DPFLTR_IHVBUS_ID = 82,
    DPFLTR_TCPIP6_ID = 86,
    DPFLTR_DEFAULT_ID = 101
} DPFLTR_TYPE;
#define DPFLTR_ERROR_LEVEL   0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL   2
/* A breakpoint for the kernel debugger: under a Linux debugger (ptrace) it
 * stops there (SIGTRAP); without one it ends the process with a bug check,
 * as an unhandled breakpoint does on Windows without a kernel debugger
 * (KMODE_EXCEPTION_NOT_HANDLED, STATUS_BREAKPOINT). src/kernel/debug.c. */
NTSYSAPI VOID DbgBreakPoint(VOID);
#define KdBreakPoint() DbgBreakPoint()
/* An assertion breakpoint (STATUS_ASSERTION_FAILURE where DbgBreakPoint
 * raises STATUS_BREAKPOINT): stops under a debugger, else bug-checks. */
NTSYSAPI VOID DbgRaiseAssertionFailure(VOID);
/* No kernel debugger: kernel debugging is not enabled and none is attached. */
#define KD_DEBUGGER_ENABLED     ((BOOLEAN)FALSE)
#define KD_DEBUGGER_NOT_PRESENT ((BOOLEAN)TRUE)

#define DPFLTR_INFO_LEVEL    3
#define DPFLTR_MASK          0x80000000

/* Print to stderr, understanding the Windows conversions (%wZ, %Z, %ws, %S,
 * %ls, %C, %Iu, %I64x, %I32d…); %l is 32 bits, as on Windows. */
NTSYSAPI ULONG DbgPrint(PCSTR Format, ...);
NTSYSAPI ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
NTSYSAPI ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist);
NTSYSAPI ULONG vDbgPrintExWithPrefix(PCSTR Prefix, ULONG ComponentId, ULONG Level, PCSTR Format,
                                     va_list arglist);
/* MSVC drops the comma a logging macro leaves when it forwards an empty
 * __VA_ARGS__ (`#define LOG(f, ...) DbgPrint((f), __VA_ARGS__)`, `LOG("x")`
 * gives `DbgPrint(("x"), )`). __VA_OPT__ does the same in every C and C++
 * mode of GCC and Clang (GCC's `, ##__VA_ARGS__` keeps the comma under
 * -std=c11), so such drivers build unchanged. The parenthesised name calls
 * the function itself; `&DbgPrint` still names it. */
#define DbgPrint(Format, ...) (DbgPrint)(Format __VA_OPT__(,) __VA_ARGS__)
#define DbgPrintEx(ComponentId, Level, Format, ...) \
    (DbgPrintEx)(ComponentId, Level, Format __VA_OPT__(,) __VA_ARGS__)
#if DBG
#define KdPrint(_x_)   DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#else
#define KdPrint(_x_)   ((void)0)
#define KdPrintEx(_x_) ((void)0)
#endif

#define IRQL_NOT_GREATER_OR_EQUAL        0x00000009
#define IRQL_NOT_LESS_OR_EQUAL           0x0000000A
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED    0x0000000C
#define MULTIPLE_IRP_COMPLETE_REQUESTS   0x00000044
#define NO_MORE_IRP_STACK_LOCATIONS      0x00000035
#define INVALID_CANCEL_OF_FILE_OPEN      0x000000E8
#define BAD_POOL_CALLER                  0x000000C2
#define DRIVER_VERIFIER_DETECTED_VIOLATION 0x000000C4
#define KMODE_EXCEPTION_NOT_HANDLED      0x0000001E /* ASSERT: P1 = 0xC0000420 */
#define MANUALLY_INITIATED_CRASH         0x000000E2
#define KERNEL_SECURITY_CHECK_FAILURE    0x00000139 /* __fastfail: P1 = the code */

/* Prints the stop code and aborts the process. */
DECLSPEC_NORETURN NTKERNELAPI VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                                                ULONG_PTR BugCheckParameter2,
                                                ULONG_PTR BugCheckParameter3,
                                                ULONG_PTR BugCheckParameter4);
DECLSPEC_NORETURN NTKERNELAPI VOID KeBugCheck(ULONG BugCheckCode);
/* Prints "file:line: assertion failed: expr" and bug-checks. */
DECLSPEC_NORETURN NTSYSAPI VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName,
                                          ULONG LineNumber, PSTR MutableMessage);

#if DBG
#define ASSERT(exp) ((!(exp)) ? (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) \
    ((!(exp)) ? (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, (PSTR)(msg)), FALSE) : TRUE)
#define NT_VERIFY(exp) ASSERT(exp)
#define NT_VERIFYMSG(msg, exp) ASSERTMSG(msg, exp)
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
/* A statement expression: the value may be used or dropped without a warning. */
#define NT_VERIFY(exp) __extension__({ BOOLEAN ow_verified_ = (exp) ? TRUE : FALSE; ow_verified_; })
#define NT_VERIFYMSG(msg, exp) NT_VERIFY(exp)
#endif
#define NT_ASSERT(exp) ASSERT(exp)
#define NT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_ASSERT_ACTION(exp) ASSERT(exp)
#define NT_ANALYSIS_ASSUME(exp) ((void)0)
#define PAGED_CODE() ((void)ASSERT(KeGetCurrentIrql() <= APC_LEVEL))
#define PAGED_CODE_LOCKED() ((void)0)

/* ---- pool (src/kernel/pool.c) ------------------------------------------- */
typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    NonPagedPoolExecute = NonPagedPool,
    PagedPool = 1,
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    DontUseThisType = 3,
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    PagedPoolCacheAligned = 5,
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    MaxPoolType = 7,
    NonPagedPoolBase = 0,
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,
    NonPagedPoolSession = 32,
    PagedPoolSession = NonPagedPoolSession + 1,
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,
    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    NonPagedPoolSessionNx = NonPagedPoolNx + 32
} POOL_TYPE;
#define POOL_NX_ALLOCATION 512
#define POOL_COLD_ALLOCATION 256
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16

typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_REQUIRED_START          0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA               0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED           0x0000000000000002ULL
#define POOL_FLAG_SESSION                 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED           0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE        0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED               0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE       0x0000000000000080ULL
#define POOL_FLAG_PAGED                   0x0000000000000100ULL
#define POOL_FLAG_REQUIRED_END            0x0000000080000000ULL

/* Every block carries its tag; OwPool* in <openwsk.h> report per-tag use. */
NTKERNELAPI PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes); /* tag 'None' */
NTKERNELAPI PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI VOID ExFreePoolWithTag(PVOID P, ULONG Tag);   /* Tag 0: any tag */
NTKERNELAPI VOID ExFreePool(PVOID P);

static __inline PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID p = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
    if (p != NULL)
        __builtin_memset(p, 0, NumberOfBytes);
    return p;
}
static __inline PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                                                  ULONG Tag)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

typedef enum _DRIVER_RUNTIME_INIT_FLAGS { DrvRtPoolNxOptIn = 0x00000001 } DRIVER_RUNTIME_INIT_FLAGS;
/* User mode has no executable pool to opt out of: nothing to do. */
static __inline VOID ExInitializeDriverRuntime(ULONG RuntimeFlags)
{
    (void)RuntimeFlags;
}

/* ---- MDLs (src/kernel/mdl.c) -------------------------------------------- */
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PEPROCESS Process;
    PVOID MappedSystemVa;
    PVOID StartVa;          /* page-aligned */
    ULONG ByteCount;
    ULONG ByteOffset;       /* offset of the buffer within the first page */
};

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_LOCKED_PAGE_TABLES      0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES         0x0200
#define MDL_DESCRIBES_AWE           0x0400
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_ALLOCATED_MUST_SUCCEED  0x4000
#define MDL_INTERNAL                0x8000
#define MDL_MAPPING_FLAGS (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | \
                           MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_PARENT_MAPPED_SYSTEM_VA | MDL_IO_SPACE)

#define PAGE_SIZE  0x1000
#define PAGE_SHIFT 12
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((BYTE_OFFSET(Va) + ((SIZE_T)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

typedef enum _LOCK_OPERATION { IoReadAccess, IoWriteAccess, IoModifyAccess } LOCK_OPERATION;
typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;
#define MdlMappingNoWrite   0x80000000
#define MdlMappingNoExecute 0x40000000
typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = 0, MmCached = 1, MmWriteCombined = 2, MmHardwareCoherentCached,
    MmNonCachedUnordered, MmUSWCCached, MmMaximumCacheType, MmNotMapped = -1
} MEMORY_CACHING_TYPE;

#define MmGetMdlByteCount(Mdl)      ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl)     ((Mdl)->ByteOffset)
#define MmGetMdlBaseVa(Mdl)         ((Mdl)->StartVa)
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlPfnArray(Mdl)       ((PPFN_NUMBER)((Mdl) + 1))

NTKERNELAPI PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                               BOOLEAN ChargeQuota, PIRP Irp);
NTKERNELAPI VOID IoFreeMdl(PMDL Mdl);
NTKERNELAPI VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress,
                                   ULONG Length);
NTKERNELAPI VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);
NTKERNELAPI VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                     LOCK_OPERATION Operation);
NTKERNELAPI VOID MmUnlockPages(PMDL MemoryDescriptorList);
NTKERNELAPI SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length);
NTKERNELAPI VOID MmInitializeMdl(PMDL MemoryDescriptorList, PVOID BaseVa, SIZE_T Length);
NTKERNELAPI PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                               MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                               ULONG BugCheckOnFailure, ULONG Priority);
NTKERNELAPI VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);

static __inline PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    return MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, Priority);
}

/* ---- IRPs (src/kernel/irp.c; the cancel spin lock: spinlock.c) ---------- */
typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef struct _FILE_OBJECT *PFILE_OBJECT;

typedef NTSTATUS IO_COMPLETION_ROUTINE(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context);
typedef IO_COMPLETION_ROUTINE *PIO_COMPLETION_ROUTINE;
/* What a completion routine returns: go on completing the IRP, or stop
 * (the IRP stays with whoever set the routine). */
#define STATUS_CONTINUE_COMPLETION STATUS_SUCCESS
typedef enum _IO_COMPLETION_ROUTINE_RESULT {
    ContinueCompletion = STATUS_CONTINUE_COMPLETION,
    StopCompletion = STATUS_MORE_PROCESSING_REQUIRED
} IO_COMPLETION_ROUTINE_RESULT, *PIO_COMPLETION_ROUTINE_RESULT;
typedef VOID DRIVER_CANCEL(PDEVICE_OBJECT DeviceObject, PIRP Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_PAGED;
typedef NTSTATUS DRIVER_INITIALIZE(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;
/* The entry point openwsk-load looks up: exported and C-named even when the
 * driver is built with -fvisibility=hidden or as C++ (a Windows image's
 * entry point needs no export either). */
EXTERN_C __attribute__((visibility("default"))) NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject,
                                                                   PUNICODE_STRING RegistryPath);
typedef VOID DRIVER_UNLOAD(PDRIVER_OBJECT DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;
typedef NTSTATUS DRIVER_ADD_DEVICE(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE *PDRIVER_ADD_DEVICE;
typedef VOID DRIVER_STARTIO(PDEVICE_OBJECT DeviceObject, PIRP Irp);
typedef DRIVER_STARTIO *PDRIVER_STARTIO;
typedef VOID KSTART_ROUTINE(PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;
typedef VOID KDEFERRED_ROUTINE(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                               PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;
typedef VOID IO_WORKITEM_ROUTINE(PDEVICE_OBJECT DeviceObject, PVOID Context);
typedef IO_WORKITEM_ROUTINE *PIO_WORKITEM_ROUTINE;

#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_QUERY_EA                 0x07
#define IRP_MJ_SET_EA                   0x08
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION   0x0b
#define IRP_MJ_DIRECTORY_CONTROL        0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL      0x0d
#define IRP_MJ_DEVICE_CONTROL           0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0f
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_LOCK_CONTROL             0x11
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_CREATE_MAILSLOT          0x13
#define IRP_MJ_QUERY_SECURITY           0x14
#define IRP_MJ_SET_SECURITY             0x15
#define IRP_MJ_POWER                    0x16
#define IRP_MJ_SYSTEM_CONTROL           0x17
#define IRP_MJ_DEVICE_CHANGE            0x18
#define IRP_MJ_QUERY_QUOTA              0x19
#define IRP_MJ_SET_QUOTA                0x1a
#define IRP_MJ_PNP                      0x1b
#define IRP_MJ_MAXIMUM_FUNCTION         0x1b

#define SL_PENDING_RETURNED  0x01
#define SL_ERROR_RETURNED    0x02
#define SL_INVOKE_ON_CANCEL  0x20
#define SL_INVOKE_ON_SUCCESS 0x40
#define SL_INVOKE_ON_ERROR   0x80

#define IO_TYPE_IRP    6
#define IO_TYPE_DEVICE 3
#define IO_TYPE_DRIVER 4

typedef struct _IO_STACK_LOCATION {
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR Flags;
    UCHAR Control;
    union {
        struct {
            ULONG Length;
            ULONG Key;
            LARGE_INTEGER ByteOffset;
        } Read;
        struct {
            ULONG Length;
            ULONG Key;
            LARGE_INTEGER ByteOffset;
        } Write;
        struct {
            ULONG OutputBufferLength;
            ULONG InputBufferLength;
            ULONG IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            PVOID Argument1;
            PVOID Argument2;
            PVOID Argument3;
            PVOID Argument4;
        } Others;
    } Parameters;
    PDEVICE_OBJECT DeviceObject;
    PFILE_OBJECT FileObject;
    PIO_COMPLETION_ROUTINE CompletionRoutine;
    PVOID Context;
} IO_STACK_LOCATION, *PIO_STACK_LOCATION;

struct _IRP {
    CSHORT Type;
    USHORT Size;
    PMDL MdlAddress;
    ULONG Flags;
    union {
        struct _IRP *MasterIrp;
        volatile LONG IrpCount;
        PVOID SystemBuffer;
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;
    BOOLEAN PendingReturned;
    CHAR StackCount;
    CHAR CurrentLocation;
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    CCHAR ApcEnvironment;
    UCHAR AllocationFlags;
    PIO_STATUS_BLOCK UserIosb;
    PKEVENT UserEvent;
    union {
        struct {
            PVOID UserApcRoutine;
            PVOID UserApcContext;
        } AsynchronousParameters;
        LARGE_INTEGER AllocationSize;
    } Overlay;
    volatile PDRIVER_CANCEL CancelRoutine;
    PVOID UserBuffer;
    union {
        struct {
            struct {
                PVOID DriverContext[4];
            };
            PETHREAD Thread;
            PCHAR AuxiliaryBuffer;
            struct {
                LIST_ENTRY ListEntry;
                struct _IO_STACK_LOCATION *CurrentStackLocation;
            };
            PFILE_OBJECT OriginalFileObject;
        } Overlay;
        PVOID CompletionKey;
    } Tail;
    /* OpenWSK's own: completion state for the double-completion check. */
    volatile ULONG_PTR OwState;
};
/* The stack locations follow the IRP in memory. */

#define IRP_ALLOCATED_MUST_SUCCEED 0x01
#define IRP_ALLOCATED_FIXED_SIZE   0x04
#define IRP_LOOKASIDE_ALLOCATION   0x08

#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + ((StackSize) * sizeof(IO_STACK_LOCATION))))

NTKERNELAPI PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota);
NTKERNELAPI VOID IoFreeIrp(PIRP Irp);
NTKERNELAPI VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize);
NTKERNELAPI VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus);
NTKERNELAPI VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost);
#define IoCompleteRequest(Irp, PriorityBoost) IofCompleteRequest((Irp), (PriorityBoost))
NTKERNELAPI BOOLEAN IoCancelIrp(PIRP Irp);
NTKERNELAPI VOID IoAcquireCancelSpinLock(PKIRQL Irql);
NTKERNELAPI VOID IoReleaseCancelSpinLock(KIRQL Irql);
NTKERNELAPI NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                              PIO_COMPLETION_ROUTINE CompletionRoutine,
                                              PVOID Context, BOOLEAN InvokeOnSuccess,
                                              BOOLEAN InvokeOnError, BOOLEAN InvokeOnCancel);

static __inline PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP Irp)
{ return Irp->Tail.Overlay.CurrentStackLocation; }
static __inline PIO_STACK_LOCATION IoGetNextIrpStackLocation(PIRP Irp)
{ return Irp->Tail.Overlay.CurrentStackLocation - 1; }
static __inline VOID IoSetNextIrpStackLocation(PIRP Irp)
{
    Irp->CurrentLocation--;
    Irp->Tail.Overlay.CurrentStackLocation--;
}
static __inline VOID IoSkipCurrentIrpStackLocation(PIRP Irp)
{
    Irp->CurrentLocation++;
    Irp->Tail.Overlay.CurrentStackLocation++;
}
static __inline VOID IoCopyCurrentIrpStackLocationToNext(PIRP Irp)
{
    PIO_STACK_LOCATION cur = IoGetCurrentIrpStackLocation(Irp), next = IoGetNextIrpStackLocation(Irp);
    __builtin_memcpy(next, cur, offsetof(IO_STACK_LOCATION, CompletionRoutine));
    next->Control = 0;
}
static __inline VOID IoMarkIrpPending(PIRP Irp)
{ IoGetCurrentIrpStackLocation(Irp)->Control |= SL_PENDING_RETURNED; }
static __inline VOID IoSetCompletionRoutine(PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine,
                                            PVOID Context, BOOLEAN InvokeOnSuccess,
                                            BOOLEAN InvokeOnError, BOOLEAN InvokeOnCancel)
{
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(Irp);
    sp->CompletionRoutine = CompletionRoutine;
    sp->Context = Context;
    sp->Control = 0;
    if (InvokeOnSuccess)
        sp->Control = SL_INVOKE_ON_SUCCESS;
    if (InvokeOnError)
        sp->Control |= SL_INVOKE_ON_ERROR;
    if (InvokeOnCancel)
        sp->Control |= SL_INVOKE_ON_CANCEL;
    /* Arming a completion routine starts a new use of the IRP (clients that
     * skip IoReuseIrp still do this): the previous completion is history. */
    __atomic_store_n(&Irp->OwState, 0, __ATOMIC_RELEASE);
}
static __inline PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL NewCancelRoutine)
{
    return __atomic_exchange_n(&Irp->CancelRoutine, NewCancelRoutine, __ATOMIC_SEQ_CST);
}

/* ---- devices and drivers: types (header only; calls: device.c) ---------- */
#define FILE_DEVICE_NETWORK             0x00000012
#define FILE_DEVICE_NETWORK_FILE_SYSTEM 0x00000014
#define FILE_DEVICE_NULL                0x00000015
#define FILE_DEVICE_TRANSPORT           0x00000021
#define FILE_DEVICE_UNKNOWN             0x00000022
#define FILE_DEVICE_SECURE_OPEN         0x00000100
#define FILE_AUTOGENERATED_DEVICE_NAME  0x00000080

#define DO_VERIFY_VOLUME       0x00000002
#define DO_BUFFERED_IO         0x00000004
#define DO_EXCLUSIVE           0x00000008
#define DO_DIRECT_IO           0x00000010
#define DO_MAP_IO_BUFFER       0x00000020
#define DO_DEVICE_INITIALIZING 0x00000080
#define DO_SHUTDOWN_REGISTERED 0x00000800
#define DO_BUS_ENUMERATED_DEVICE 0x00001000
#define DO_POWER_PAGABLE       0x00002000
#define DO_POWER_INRUSH        0x00004000

#ifndef CTL_CODE
#define CTL_CODE(DeviceType, Function, Method, Access) \
    (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#endif
#ifndef METHOD_BUFFERED
#define METHOD_BUFFERED   0
#define METHOD_IN_DIRECT  1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER    3
#endif
#ifndef FILE_ANY_ACCESS
#define FILE_ANY_ACCESS   0
#define FILE_READ_ACCESS  0x0001
#define FILE_WRITE_ACCESS 0x0002
#endif

typedef struct _DRIVER_EXTENSION {
    PDRIVER_OBJECT DriverObject;
    PDRIVER_ADD_DEVICE AddDevice;
    ULONG Count;
    UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

struct _DEVICE_OBJECT {
    CSHORT Type;
    USHORT Size;
    LONG ReferenceCount;
    PDRIVER_OBJECT DriverObject;
    PDEVICE_OBJECT NextDevice;
    PDEVICE_OBJECT AttachedDevice;
    PIRP CurrentIrp;
    PVOID Timer;
    ULONG Flags;
    ULONG Characteristics;
    PVOID Vpb;
    PVOID DeviceExtension;
    ULONG DeviceType;
    CCHAR StackSize;
    ULONG AlignmentRequirement;
    KEVENT DeviceLock;
    PVOID Reserved;
};

struct _DRIVER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PDRIVER_EXTENSION DriverExtension;
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    PVOID FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PDRIVER_STARTIO DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
};

/* ---- threads, processes, objects, handles (src/kernel/thread.c) --------- */
/* A system thread is a real pthread; its handle and object are waitable
 * and signalled when the thread ends. */
NTKERNELAPI NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                          PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                                          PVOID StartContext);
DECLSPEC_NORETURN NTKERNELAPI NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus);
NTKERNELAPI PETHREAD PsGetCurrentThread(void);
NTKERNELAPI PEPROCESS PsGetCurrentProcess(void);
NTKERNELAPI PEPROCESS IoGetCurrentProcess(void);
NTKERNELAPI HANDLE PsGetCurrentThreadId(void);
NTKERNELAPI HANDLE PsGetCurrentProcessId(void);
#define KeGetCurrentThread() PsGetCurrentThread()
NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                               POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                               PVOID *Object,
                                               POBJECT_HANDLE_INFORMATION HandleInformation);
NTKERNELAPI LONG_PTR ObfReferenceObject(PVOID Object);
NTKERNELAPI LONG_PTR ObfDereferenceObject(PVOID Object);
#define ObReferenceObject(Object)   ObfReferenceObject(Object)
#define ObDereferenceObject(Object) ObfDereferenceObject(Object)
/* The tag only serves reference tracing in a debugger: counted untagged. */
#define ObReferenceObjectWithTag(Object, Tag)   ((void)(Tag), ObfReferenceObject(Object))
#define ObDereferenceObjectWithTag(Object, Tag) ((void)(Tag), ObfDereferenceObject(Object))
NTSYSAPI NTSTATUS ZwClose(HANDLE Handle);

/* Processors (src/kernel/thread.c): the host's CPUs as this process sees
 * them, in groups of 64 as Windows numbers them (CPU n: group n / 64,
 * number n % 64, index n). */
typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;
#define ALL_PROCESSOR_GROUPS 0xffff
NTKERNELAPI ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber);
NTKERNELAPI ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber);
NTKERNELAPI ULONG KeQueryMaximumProcessorCountEx(USHORT GroupNumber);
NTKERNELAPI USHORT KeQueryActiveGroupCount(void);

/* ---- rundown protection (src/kernel/rundown.c) --------------------------- */
/* Acquire fails once ExWaitForRundownProtectionRelease began; the wait
 * returns when every acquired reference was released (it sleeps). */
typedef struct _EX_RUNDOWN_REF {
    ULONG_PTR Count;
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;
NTKERNELAPI VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
NTKERNELAPI VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
NTKERNELAPI VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef);

/* ---- reader/writer spin locks, push locks (src/kernel/exlock.c) --------- */
/* EX_SPIN_LOCK: 32 bits the driver zeroes (there is no initialise routine).
 * Shared holders are admitted together, an exclusive holder alone; waiters
 * spin. ExAcquireSpinLockShared/Exclusive raise to DISPATCH_LEVEL and return
 * the IRQL that the matching release restores; the AtDpcLevel/FromDpcLevel
 * forms need IRQL >= DISPATCH_LEVEL and leave it alone. Not recursive. */
typedef volatile LONG EX_SPIN_LOCK, *PEX_SPIN_LOCK;
NTKERNELAPI KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
NTKERNELAPI KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
NTKERNELAPI VOID ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock);
/* TRUE when the caller, holding the lock shared, was its only holder and now
 * holds it exclusive; release it with the exclusive form. */
NTKERNELAPI BOOLEAN ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
/* No page in the DDI reference; the signatures of Microsoft's Windows
 * metadata (non-zero: acquired). */
NTKERNELAPI LOGICAL ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);

/* EX_PUSH_LOCK: pointer-sized, opaque, zero when free. Shared or exclusive,
 * at IRQL <= APC_LEVEL inside KeEnterCriticalRegion; waiters sleep, new
 * shared acquisitions wait behind a waiting exclusive one; not recursive,
 * not fair. Flags tune scheduling on Windows and are ignored here. The
 * acquire and release routines are macros over the ...Ex functions. */
typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;
#define EX_DEFAULT_PUSH_LOCK_FLAGS 0
NTKERNELAPI VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock);
NTKERNELAPI VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
/* "Reserved for internal system use" on their pages; behind the
 * ExTryAcquirePushLock* macros, which drivers use. */
NTKERNELAPI BOOLEAN ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI BOOLEAN ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
#define ExAcquirePushLockExclusive(Lock) ExAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExAcquirePushLockShared(Lock)    ExAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockExclusive(Lock) ExReleasePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockShared(Lock)    ExReleasePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockExclusive(Lock) ExTryAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockShared(Lock)    ExTryAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)

/* ---- system version and routines (src/kernel/system.c) ------------------- */
typedef struct _OSVERSIONINFOW {
    ULONG dwOSVersionInfoSize;
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, RTL_OSVERSIONINFOW, *PRTL_OSVERSIONINFOW;
typedef struct _OSVERSIONINFOEXW {
    ULONG dwOSVersionInfoSize;
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
    USHORT wServicePackMajor;
    USHORT wServicePackMinor;
    USHORT wSuiteMask;
    UCHAR wProductType;
    UCHAR wReserved;
} OSVERSIONINFOEXW, *POSVERSIONINFOEXW, RTL_OSVERSIONINFOEXW, *PRTL_OSVERSIONINFOEXW;
/* wProductType values; RtlGetVersion reports a workstation. */
#define VER_NT_WORKSTATION       0x0000001
#define VER_NT_DOMAIN_CONTROLLER 0x0000002
#define VER_NT_SERVER            0x0000003
/* Windows 10 22H2 (10.0.19045): the version whose WSK OpenWSK follows. */
NTSYSAPI NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation);
/* An exported OpenWSK routine by name, or NULL (a routine OpenWSK lacks). */
NTKERNELAPI PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName);
/* "An estimate of the amount of memory in the system", for sizing a driver's
 * buffers at initialisation. Microsoft gives no thresholds; OpenWSK's are
 * the host's physical memory: under 1 GiB small, under 4 GiB medium. */
typedef enum _MM_SYSTEM_SIZE {
    MmSmallSystem,
    MmMediumSystem,
    MmLargeSystem
} MM_SYSTEMSIZE;
NTKERNELAPI MM_SYSTEMSIZE MmQuerySystemSize(VOID);

/* ---- devices, symbolic links, IRP dispatch (src/kernel/device.c) ------- */
typedef ULONG DEVICE_TYPE;
/* The device extension is zeroed; the device is linked at the head of
 * DriverObject->DeviceObject. Names are recorded (a second device or link
 * with the same name is STATUS_OBJECT_NAME_COLLISION). */
NTKERNELAPI NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                    PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                    ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                    PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName,
                                          PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName);
/* Passes the IRP to DeviceObject's driver: next stack location, MajorFunction. */
NTKERNELAPI NTSTATUS IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
#define IoCallDriver(DeviceObject, Irp) IofCallDriver((DeviceObject), (Irp))
NTKERNELAPI PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject);

/* ---- work items (src/kernel/workitem.c) --------------------------------- */
/* Run on a pool of worker threads at PASSIVE_LEVEL. */
typedef enum _WORK_QUEUE_TYPE {
    CriticalWorkQueue, DelayedWorkQueue, HyperCriticalWorkQueue, NormalWorkQueue,
    BackgroundWorkQueue, RealTimeWorkQueue, SuperCriticalWorkQueue, MaximumWorkQueue,
    CustomPriorityWorkQueue = 32
} WORK_QUEUE_TYPE;
typedef VOID WORKER_THREAD_ROUTINE(PVOID Parameter);
typedef WORKER_THREAD_ROUTINE *PWORKER_THREAD_ROUTINE;
typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List;
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;
#define ExInitializeWorkItem(Item, Routine, Context) do { \
        (Item)->WorkerRoutine = (Routine);                \
        (Item)->Parameter = (Context);                    \
        (Item)->List.Flink = NULL;                        \
    } while (0)
NTKERNELAPI VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType);

typedef struct _IO_WORKITEM *PIO_WORKITEM;
typedef VOID IO_WORKITEM_ROUTINE_EX(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem);
typedef IO_WORKITEM_ROUTINE_EX *PIO_WORKITEM_ROUTINE_EX;
NTKERNELAPI PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject);   /* pool tag 'IoWk' */
NTKERNELAPI VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                                 WORK_QUEUE_TYPE QueueType, PVOID Context);
NTKERNELAPI VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                                   WORK_QUEUE_TYPE QueueType, PVOID Context);
NTKERNELAPI ULONG IoSizeofWorkItem(void);
NTKERNELAPI VOID IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem);

/* ---- timers and DPCs (src/kernel/timer.c) ------------------------------- */
/* DPCs run in order at DISPATCH_LEVEL on one DPC thread; a timer thread
 * expires timers. Due times: negative = relative, positive = absolute
 * system time (100 ns units). */
typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance,
                                MediumHighImportance } KDPC_IMPORTANCE;
NTKERNELAPI VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                                 PVOID DeferredContext);
NTKERNELAPI VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                                         PVOID DeferredContext);
NTKERNELAPI BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
NTKERNELAPI BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc);
NTKERNELAPI VOID KeFlushQueuedDpcs(void);
NTKERNELAPI VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance);
NTKERNELAPI VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number);
NTKERNELAPI VOID KeInitializeTimer(PKTIMER Timer);
NTKERNELAPI VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);
NTKERNELAPI BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
NTKERNELAPI BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);
NTKERNELAPI BOOLEAN KeCancelTimer(PKTIMER Timer);
NTKERNELAPI BOOLEAN KeReadStateTimer(PKTIMER Timer);

/* ---- mutexes, resources, fast mutexes (src/kernel/resource.c) ----------- */
NTKERNELAPI VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level);
NTKERNELAPI LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateMutex(PRKMUTEX Mutex);
NTKERNELAPI VOID KeEnterCriticalRegion(void);
NTKERNELAPI VOID KeLeaveCriticalRegion(void);
NTKERNELAPI VOID KeEnterGuardedRegion(void);
NTKERNELAPI VOID KeLeaveGuardedRegion(void);
NTKERNELAPI BOOLEAN KeAreApcsDisabled(void);

typedef ULONG_PTR ERESOURCE_THREAD, *PERESOURCE_THREAD;
/* Re-entrant reader/writer lock: the exclusive owner may acquire again,
 * shared or exclusive; shared acquisitions never wait for waiting writers. */
typedef struct _ERESOURCE {
    ULONG Magic;
    LONG SharedCount;
    LONG ExclusiveCount;
    LONG ExclusiveWaiters;
    struct _KTHREAD *ExclusiveOwner;
    ULONG64 Reserved[10];
} ERESOURCE, *PERESOURCE;
NTKERNELAPI NTSTATUS ExInitializeResourceLite(PERESOURCE Resource);
NTKERNELAPI NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource);
NTKERNELAPI NTSTATUS ExDeleteResourceLite(PERESOURCE Resource);
NTKERNELAPI BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI VOID ExReleaseResourceLite(PERESOURCE Resource);
#define ExReleaseResource(R) ExReleaseResourceLite(R)
NTKERNELAPI VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId);
NTKERNELAPI VOID ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource);
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource);
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource);
NTKERNELAPI BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource);
NTKERNELAPI ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource);
#define ExIsResourceAcquiredLite ExIsResourceAcquiredSharedLite
NTKERNELAPI ULONG ExGetSharedWaiterCount(PERESOURCE Resource);
NTKERNELAPI ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource);
NTKERNELAPI ERESOURCE_THREAD ExGetCurrentResourceThread(void);

typedef struct _FAST_MUTEX {
    volatile LONG Count;        /* 1 = free */
    PVOID Owner;
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;
NTKERNELAPI VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex);     /* raises to APC_LEVEL */
NTKERNELAPI VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex);
#define KeInitializeGuardedMutex(M) ExInitializeFastMutex(M)
#define KeAcquireGuardedMutex(M)    ExAcquireFastMutex(M)
#define KeReleaseGuardedMutex(M)    ExReleaseFastMutex(M)
#define KeTryToAcquireGuardedMutex(M) ExTryToAcquireFastMutex(M)

/* ---- interlocked singly linked lists (src/kernel/slist.c) --------------- */
typedef struct DECLSPEC_ALIGN(16) _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;
typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;    /* OpenWSK: the first entry */
        ULONGLONG Region;       /* OpenWSK: depth (low 16 bits) and sequence */
    };
} SLIST_HEADER, *PSLIST_HEADER;
NTKERNELAPI VOID InitializeSListHead(PSLIST_HEADER SListHead);
NTKERNELAPI PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry);
NTKERNELAPI PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead);
NTKERNELAPI PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead);
NTKERNELAPI USHORT ExQueryDepthSList(PSLIST_HEADER SListHead);
NTKERNELAPI PSLIST_ENTRY RtlFirstEntrySList(const SLIST_HEADER *ListHead);
#define ExInterlockedPushEntrySList(Head, Entry, Lock) InterlockedPushEntrySList((Head), (Entry))
#define ExInterlockedPopEntrySList(Head, Lock)         InterlockedPopEntrySList(Head)
#define ExInterlockedFlushSList(Head)                  InterlockedFlushSList(Head)

/* ---- lookaside lists (src/kernel/lookaside.c) --------------------------- */
/* Every entry is a pool block of the list's tag (never cached), so leaks
 * are reported by tag and ASan sees every use after free. */
typedef PVOID ALLOCATE_FUNCTION(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
typedef ALLOCATE_FUNCTION *PALLOCATE_FUNCTION;
typedef VOID FREE_FUNCTION(PVOID Buffer);
typedef FREE_FUNCTION *PFREE_FUNCTION;
typedef struct _LOOKASIDE_LIST_EX *PLOOKASIDE_LIST_EX;
typedef PVOID ALLOCATE_FUNCTION_EX(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                   PLOOKASIDE_LIST_EX Lookaside);
typedef ALLOCATE_FUNCTION_EX *PALLOCATE_FUNCTION_EX;
typedef VOID FREE_FUNCTION_EX(PVOID Buffer, PLOOKASIDE_LIST_EX Lookaside);
typedef FREE_FUNCTION_EX *PFREE_FUNCTION_EX;

typedef struct DECLSPEC_ALIGN(16) _GENERAL_LOOKASIDE {
    SLIST_HEADER ListHead;
    USHORT Depth;
    USHORT MaximumDepth;
    ULONG TotalAllocates;
    ULONG AllocateMisses;
    ULONG TotalFrees;
    ULONG FreeMisses;
    POOL_TYPE Type;
    ULONG Tag;
    ULONG Size;
    union { PALLOCATE_FUNCTION_EX AllocateEx; PALLOCATE_FUNCTION Allocate; };
    union { PFREE_FUNCTION_EX FreeEx; PFREE_FUNCTION Free; };
    LIST_ENTRY ListEntry;
    ULONG LastTotalAllocates;
    ULONG LastAllocateMisses;
    ULONG Future[2];
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE, GENERAL_LOOKASIDE_POOL, *PGENERAL_LOOKASIDE_POOL;
typedef struct _NPAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
    KSPIN_LOCK Lock__ObsoleteButDoNotDelete;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;
typedef struct _PAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
    FAST_MUTEX Lock__ObsoleteButDoNotDelete;
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;
typedef struct _LOOKASIDE_LIST_EX {
    GENERAL_LOOKASIDE_POOL L;
} LOOKASIDE_LIST_EX;
#define EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL 0x00000001UL
#define EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE 0x00000002UL
#define LOOKASIDE_MINIMUM_BLOCK_SIZE (RTL_SIZEOF_THROUGH_FIELD(SLIST_ENTRY, Next))

NTKERNELAPI VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside,
                                                 PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free,
                                                 ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
NTKERNELAPI VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside,
                                                PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free,
                                                ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
NTKERNELAPI NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside,
                                                 PALLOCATE_FUNCTION_EX Allocate,
                                                 PFREE_FUNCTION_EX Free, POOL_TYPE PoolType,
                                                 ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry);
NTKERNELAPI VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);

/* ---- registry (src/kernel/registry.c) ----------------------------------- */
/* An in-memory registry: openwsk-load fills <RegistryPath>\Parameters from
 * --param key=value (OwRegistrySetValue in <openwsk.h>). */
#define REG_NONE                0
#define REG_SZ                  1
#define REG_EXPAND_SZ           2
#define REG_BINARY              3
#define REG_DWORD               4
#define REG_DWORD_LITTLE_ENDIAN 4
#define REG_DWORD_BIG_ENDIAN    5
#define REG_LINK                6
#define REG_MULTI_SZ            7
#define REG_QWORD               11
#define REG_QWORD_LITTLE_ENDIAN 11

#define KEY_QUERY_VALUE        0x0001
#define KEY_SET_VALUE          0x0002
#define KEY_CREATE_SUB_KEY     0x0004
#define KEY_ENUMERATE_SUB_KEYS 0x0008
#define KEY_NOTIFY             0x0010
#define KEY_READ               0x20019
#define KEY_WRITE              0x20006
#define KEY_ALL_ACCESS         0xF003F
#define REG_OPTION_NON_VOLATILE 0x00000000L
#define REG_OPTION_VOLATILE     0x00000001L
#define REG_CREATED_NEW_KEY     0x00000001L
#define REG_OPENED_EXISTING_KEY 0x00000002L

typedef enum _KEY_VALUE_INFORMATION_CLASS {
    KeyValueBasicInformation, KeyValueFullInformation, KeyValuePartialInformation,
    KeyValueFullInformationAlign64, KeyValuePartialInformationAlign64, KeyValueLayerInformation,
    MaxKeyValueInfoClass
} KEY_VALUE_INFORMATION_CLASS;
typedef struct _KEY_VALUE_BASIC_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_BASIC_INFORMATION, *PKEY_VALUE_BASIC_INFORMATION;
typedef struct _KEY_VALUE_FULL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataOffset;
    ULONG DataLength;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_FULL_INFORMATION, *PKEY_VALUE_FULL_INFORMATION;
typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION, *PKEY_VALUE_PARTIAL_INFORMATION;

NTSYSAPI NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                            POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                              PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition);
NTSYSAPI NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                                  KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                  PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
NTSYSAPI NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex,
                                ULONG Type, PVOID Data, ULONG DataSize);
NTSYSAPI NTSTATUS ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName);
NTSYSAPI NTSTATUS ZwFlushKey(HANDLE KeyHandle);

#define RTL_REGISTRY_ABSOLUTE   0
#define RTL_REGISTRY_SERVICES   1
#define RTL_REGISTRY_CONTROL    2
#define RTL_REGISTRY_WINDOWS_NT 3
#define RTL_REGISTRY_DEVICEMAP  4
#define RTL_REGISTRY_USER       5
#define RTL_REGISTRY_MAXIMUM    6
#define RTL_REGISTRY_HANDLE     0x40000000
#define RTL_REGISTRY_OPTIONAL   0x80000000

#define RTL_QUERY_REGISTRY_SUBKEY   0x00000001
#define RTL_QUERY_REGISTRY_TOPKEY   0x00000002
#define RTL_QUERY_REGISTRY_REQUIRED 0x00000004
#define RTL_QUERY_REGISTRY_NOVALUE  0x00000008
#define RTL_QUERY_REGISTRY_NOEXPAND 0x00000010
#define RTL_QUERY_REGISTRY_DIRECT   0x00000020
#define RTL_QUERY_REGISTRY_DELETE   0x00000040
#define RTL_QUERY_REGISTRY_NOSTRING 0x00000080
#define RTL_QUERY_REGISTRY_TYPECHECK 0x00000100
#define RTL_QUERY_REGISTRY_TYPECHECK_SHIFT 24

typedef NTSTATUS RTL_QUERY_REGISTRY_ROUTINE(PWSTR ValueName, ULONG ValueType, PVOID ValueData,
                                            ULONG ValueLength, PVOID Context, PVOID EntryContext);
typedef RTL_QUERY_REGISTRY_ROUTINE *PRTL_QUERY_REGISTRY_ROUTINE;
typedef struct _RTL_QUERY_REGISTRY_TABLE {
    PRTL_QUERY_REGISTRY_ROUTINE QueryRoutine;
    ULONG Flags;
    PWSTR Name;
    PVOID EntryContext;
    ULONG DefaultType;
    PVOID DefaultData;
    ULONG DefaultLength;
} RTL_QUERY_REGISTRY_TABLE, *PRTL_QUERY_REGISTRY_TABLE;
/* DIRECT: REG_DWORD into the ULONG at EntryContext; REG_SZ into the
 * UNICODE_STRING at EntryContext (allocated when its Buffer is NULL). */
NTSYSAPI NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path,
                                         PRTL_QUERY_REGISTRY_TABLE QueryTable, PVOID Context,
                                         PVOID Environment);
NTSYSAPI NTSTATUS RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName,
                                        ULONG ValueType, PVOID ValueData, ULONG ValueLength);
NTSYSAPI NTSTATUS RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path);

/* ---- error log entries (src/kernel/errlog.c) ----------------------------- */
/* An entry is an IO_ERROR_LOG_PACKET, then DumpDataSize bytes of DumpData,
 * then NumberOfStrings NUL-terminated UTF-16 insertion strings at
 * StringOffset. IoWriteErrorLogEntry prints it as one line on stderr (there
 * is no event log) and frees it; IoFreeErrorLogEntry frees an entry that is
 * not written. Members and prototypes: the wdm.h pages of
 * IO_ERROR_LOG_PACKET, IoAllocateErrorLogEntry, IoWriteErrorLogEntry and
 * IoFreeErrorLogEntry. */
typedef struct _IO_ERROR_LOG_PACKET {
    UCHAR MajorFunctionCode;
    UCHAR RetryCount;
    USHORT DumpDataSize;
    USHORT NumberOfStrings;
    USHORT StringOffset;
    USHORT EventCategory;
    NTSTATUS ErrorCode;
    ULONG UniqueErrorValue;
    NTSTATUS FinalStatus;
    ULONG SequenceNumber;
    ULONG IoControlCode;
    LARGE_INTEGER DeviceOffset;
    ULONG DumpData[1];
} IO_ERROR_LOG_PACKET, *PIO_ERROR_LOG_PACKET;
/* ERROR_LOG_LIMIT_SIZE is 240 in Microsoft's Windows metadata
 * (Windows.Wdk.System.SystemServices). No Microsoft page gives a number for
 * ERROR_LOG_MAXIMUM_SIZE, the limit IoAllocateErrorLogEntry's page sets on
 * EntrySize: OpenWSK takes the documented ERROR_LOG_LIMIT_SIZE for it. */
#define ERROR_LOG_LIMIT_SIZE   240
#define ERROR_LOG_MAXIMUM_SIZE ERROR_LOG_LIMIT_SIZE
/* IoObject: a DEVICE_OBJECT or a DRIVER_OBJECT. Zeroed memory, or NULL when
 * EntrySize exceeds ERROR_LOG_MAXIMUM_SIZE or pool is short; at IRQL <=
 * DISPATCH_LEVEL. */
NTKERNELAPI PVOID IoAllocateErrorLogEntry(PVOID IoObject, UCHAR EntrySize);
NTKERNELAPI VOID IoWriteErrorLogEntry(PVOID ElEntry);
NTKERNELAPI VOID IoFreeErrorLogEntry(PVOID ElEntry);

/* ---- the system process (src/kernel/process.c) ------------------------- */
/* The process object of the system process ("Windows kernel opaque
 * structures", EPROCESS). OpenWSK runs in one process: this is also what
 * PsGetCurrentProcess and IoGetCurrentProcess return. */
extern NTKERNELAPI PEPROCESS PsInitialSystemProcess;

EXTERN_C_END

#endif /* OPENWSK_WDM_H */
