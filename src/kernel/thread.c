/* SPDX-License-Identifier: MIT */
/* System threads: each a detached pthread with a waitable, reference-counted
 * thread object. A handle is the object's address, valid while listed in
 * the handle table (so ZwClose can reject stale or foreign handles). */
#include "kernel.h"

#include <ntifs.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#define OW_THREAD_MAGIC 0x64726854U   /* "Thrd" */

struct _KTHREAD {
    DISPATCHER_HEADER Header;   /* first: waits read it */
    ULONG Magic;
    volatile LONG RefCount;
    BOOLEAN HandleOpen;
    BOOLEAN Foreign;            /* a thread PsCreateSystemThread did not start */
    NTSTATUS ExitStatus;
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;
    struct _KTHREAD *NextHandle;
};

struct _KPROCESS {
    int Unused;
};

struct _KPROCESS ow_system_process;   /* kernel.h */
static struct _OBJECT_TYPE { int Unused; } ow_thread_type, ow_event_type;
static POBJECT_TYPE ow_thread_type_ptr = &ow_thread_type, ow_event_type_ptr = &ow_event_type;
POBJECT_TYPE *PsThreadType = &ow_thread_type_ptr;
POBJECT_TYPE *ExEventObjectType = &ow_event_type_ptr;

static pthread_mutex_t ow_handles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct _KTHREAD *ow_handles;

static _Thread_local struct _KTHREAD *ow_self;
static _Thread_local struct _KTHREAD ow_foreign_self;   /* threads not started by us */

static void ow_thread_release(struct _KTHREAD *t)
{
    if (InterlockedDecrement(&t->RefCount) == 0) {
        t->Magic = 0;
        free(t);
    }
}

static DECLSPEC_NORETURN void ow_thread_exit(NTSTATUS Status)
{
    struct _KTHREAD *t = ow_self;
    t->ExitStatus = Status;
    ow_self = NULL;
    ow_dispatcher_signal(&t->Header);
    ow_thread_release(t);   /* the running thread's own reference */
    pthread_exit(NULL);
}

static void *ow_thread_main(void *arg)
{
    struct _KTHREAD *t = arg;
    ow_self = t;
    t->StartRoutine(t->StartContext);
    ow_thread_exit(STATUS_SUCCESS);
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)ProcessHandle;
    if (ThreadHandle == NULL || StartRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    struct _KTHREAD *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->Header.Type = OW_OBJ_THREAD;
    t->Header.Size = sizeof(*t) / sizeof(LONG) > 255 ? 255 : (UCHAR)(sizeof(*t) / sizeof(LONG));
    InitializeListHead(&t->Header.WaitListHead);
    t->Magic = OW_THREAD_MAGIC;
    t->RefCount = 2;   /* the handle and the running thread */
    t->HandleOpen = TRUE;
    t->ExitStatus = STATUS_PENDING;
    t->StartRoutine = StartRoutine;
    t->StartContext = StartContext;

    pthread_mutex_lock(&ow_handles_lock);
    t->NextHandle = ow_handles;
    ow_handles = t;
    pthread_mutex_unlock(&ow_handles_lock);

    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, ow_thread_main, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        ZwClose((HANDLE)t);
        ow_thread_release(t);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *ThreadHandle = (HANDLE)t;
    if (ClientId != NULL) {
        ClientId->UniqueProcess = PsGetCurrentProcessId();
        ClientId->UniqueThread = (HANDLE)t;
    }
    return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    if (ow_self == NULL)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1300, 0, 0, 0,
                     "PsTerminateSystemThread on a thread PsCreateSystemThread did not start");
    ow_thread_exit(ExitStatus);
}

PETHREAD PsGetCurrentThread(void)
{
    if (ow_self != NULL)
        return ow_self;
    if (ow_foreign_self.Magic == 0) {
        ow_foreign_self.Header.Type = OW_OBJ_THREAD;
        InitializeListHead(&ow_foreign_self.Header.WaitListHead);
        ow_foreign_self.Magic = OW_THREAD_MAGIC;
        ow_foreign_self.RefCount = 1;
        ow_foreign_self.Foreign = TRUE;
    }
    return &ow_foreign_self;
}

PEPROCESS PsGetCurrentProcess(void)
{
    return &ow_system_process;
}

PEPROCESS IoGetCurrentProcess(void)
{
    return &ow_system_process;
}

HANDLE PsGetCurrentThreadId(void)
{
    return (HANDLE)PsGetCurrentThread();
}

HANDLE PsGetCurrentProcessId(void)
{
    return (HANDLE)(ULONG_PTR)getpid();
}

/* The open thread object behind Handle, unlinked if Unlink; NULL if none. */
static struct _KTHREAD *ow_handle_lookup(HANDLE Handle, BOOLEAN Unlink)
{
    pthread_mutex_lock(&ow_handles_lock);
    struct _KTHREAD **p = &ow_handles;
    while (*p != NULL && (HANDLE)*p != Handle)
        p = &(*p)->NextHandle;
    struct _KTHREAD *t = *p;
    if (t != NULL && Unlink) {
        *p = t->NextHandle;
        t->HandleOpen = FALSE;
    }
    pthread_mutex_unlock(&ow_handles_lock);
    return t;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object,
                                   POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)DesiredAccess, (void)AccessMode;
    if (Object == NULL)
        return STATUS_INVALID_PARAMETER;
    *Object = NULL;
    if (ObjectType != NULL && ObjectType != *PsThreadType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    struct _KTHREAD *t;
    if (Handle == NtCurrentThread()) {
        t = PsGetCurrentThread();
        InterlockedIncrement(&t->RefCount);
    } else {
        /* Take the reference under the table lock, so ZwClose cannot free it first. */
        pthread_mutex_lock(&ow_handles_lock);
        for (t = ow_handles; t != NULL && (HANDLE)t != Handle; t = t->NextHandle)
            ;
        if (t != NULL)
            InterlockedIncrement(&t->RefCount);
        pthread_mutex_unlock(&ow_handles_lock);
        if (t == NULL)
            return STATUS_INVALID_HANDLE;
    }
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = OBJ_KERNEL_HANDLE;
        HandleInformation->GrantedAccess = THREAD_ALL_ACCESS;
    }
    *Object = t;
    return STATUS_SUCCESS;
}

static struct _KTHREAD *ow_thread_object(PVOID Object, const char *who)
{
    struct _KTHREAD *t = Object;
    if (t == NULL || t->Magic != OW_THREAD_MAGIC)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1301, (ULONG_PTR)Object, 0, 0,
                     "%s on %p, which is not a referenced object", who, Object);
    return t;
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    struct _KTHREAD *t = ow_thread_object(Object, "ObReferenceObject");
    return InterlockedIncrement(&t->RefCount);
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    struct _KTHREAD *t = ow_thread_object(Object, "ObDereferenceObject");
    if (t->Foreign)
        return InterlockedDecrement(&t->RefCount);   /* lives in TLS: never freed */
    LONG left = InterlockedDecrement(&t->RefCount);
    if (left == 0) {
        t->Magic = 0;
        free(t);
    }
    return left;
}

/* Undocumented by Microsoft (ntifs.h declares it here): the rest of the
 * time slice goes to another thread, if one is ready. */
NTSTATUS NTAPI ZwYieldExecution(VOID)
{
    sched_yield();
    return STATUS_SUCCESS;
}

NTSTATUS ZwClose(HANDLE Handle)
{
    struct _KTHREAD *t = ow_handle_lookup(Handle, TRUE);
    if (t == NULL)
        return ow_registry_close(Handle);
    ow_thread_release(t);
    return STATUS_SUCCESS;
}

ULONG KeQueryActiveProcessorCount(PULONG_PTR ActiveProcessors)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (ActiveProcessors != NULL)
        *ActiveProcessors = n >= 64 ? ~(ULONG_PTR)0 : (((ULONG_PTR)1 << n) - 1);
    return (ULONG)n;
}

ULONG KeGetCurrentProcessorNumber(void)
{
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : (ULONG)cpu;
}

/* Windows numbers processors in groups of 64. */
#define OW_GROUP_SIZE 64

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    ULONG cpu = KeGetCurrentProcessorNumber();
    if (ProcNumber != NULL) {
        ProcNumber->Group = (USHORT)(cpu / OW_GROUP_SIZE);
        ProcNumber->Number = (UCHAR)(cpu % OW_GROUP_SIZE);
        ProcNumber->Reserved = 0;
    }
    return cpu;
}

/* The processors of GroupNumber among `total` numbered 0 .. total - 1. */
static ULONG in_group(ULONG total, USHORT GroupNumber)
{
    if (GroupNumber == ALL_PROCESSOR_GROUPS)
        return total;
    ULONG first = (ULONG)GroupNumber * OW_GROUP_SIZE;
    if (first >= total)
        return 0;
    return total - first < OW_GROUP_SIZE ? total - first : OW_GROUP_SIZE;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return in_group(KeQueryActiveProcessorCount(NULL), GroupNumber);
}

ULONG KeQueryMaximumProcessorCountEx(USHORT GroupNumber)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return in_group(n < 1 ? 1 : (ULONG)n, GroupNumber);
}

USHORT KeQueryActiveGroupCount(void)
{
    ULONG n = KeQueryActiveProcessorCount(NULL);
    return (USHORT)((n + OW_GROUP_SIZE - 1) / OW_GROUP_SIZE);
}
