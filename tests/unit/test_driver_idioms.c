/* SPDX-License-Identifier: MIT */
/* Written the way WDK drivers are: only <ntddk.h>, SAL, MSVC pragmas and
 * SEH, role typedefs, multi-char pool tags. It must build unchanged and the
 * services must behave at run time. */
#include <ntddk.h>

#include "support/check.h"   /* the test harness, not part of the driver */

#pragma warning(push)
#pragma warning(disable:4201)   /* nameless struct/union */

EXTERN_C_START
DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD DriverUnload;
IO_COMPLETION_ROUTINE IdiomCompletion;
KSTART_ROUTINE IdiomWorker;
EXTERN_C_END

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, DriverUnload)
#error "ALLOC_PRAGMA must stay undefined"
#endif

#define IDIOM_TAG 'ksWT'

typedef struct DECLSPEC_ALIGN(16) _IDIOM_CONTEXT {
    KEVENT Done;
    union {
        ULONG Flags;
        struct {
            ULONG Completed : 1;
            ULONG Pending : 1;
        };
    };
    volatile LONG Completions;
} IDIOM_CONTEXT, *PIDIOM_CONTEXT;
C_ASSERT(sizeof(IDIOM_CONTEXT) % 16 == 0);
C_ASSERT(sizeof(ULONG) == 4 && sizeof(WCHAR) == 2);


_Use_decl_annotations_
NTSTATUS IdiomCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PIDIOM_CONTEXT ctx = (PIDIOM_CONTEXT)Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    ctx->Completed = 1;
    ctx->Pending = Irp->PendingReturned;
    InterlockedIncrement(&ctx->Completions);
    KeSetEvent(&ctx->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_
VOID IdiomWorker(PVOID StartContext)
{
    PIDIOM_CONTEXT ctx = (PIDIOM_CONTEXT)StartContext;
    PAGED_CODE();
    InterlockedIncrement(&ctx->Completions);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

_Use_decl_annotations_
VOID DriverUnload(PDRIVER_OBJECT DriverObject)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DriverObject);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status = STATUS_SUCCESS;
    PIDIOM_CONTEXT ctx;
    PIRP irp;
    HANDLE thread;
    PVOID threadObject;

    UNREFERENCED_PARAMETER(RegistryPath);
    PAGED_CODE();
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    DriverObject->DriverUnload = DriverUnload;

    ctx = (PIDIOM_CONTEXT)ExAllocatePoolZero(NonPagedPoolNx, sizeof(*ctx), IDIOM_TAG);
    if (ctx == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    CHECK(ctx->Flags == 0 && ctx->Completions == 0);
    KeInitializeEvent(&ctx->Done, NotificationEvent, FALSE);

    irp = IoAllocateIrp(1, FALSE);
    CHECK(irp != NULL);
    IoSetCompletionRoutine(irp, IdiomCompletion, ctx, TRUE, TRUE, TRUE);
    __try {
        IoSetNextIrpStackLocation(irp);
        IoMarkIrpPending(irp);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    CHECK(NT_SUCCESS(status));
    CHECK(KeWaitForSingleObject(&ctx->Done, Executive, KernelMode, FALSE, NULL) == STATUS_SUCCESS);
    CHECK(ctx->Completed && ctx->Pending && ctx->Completions == 1);
    IoFreeIrp(irp);

    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, IdiomWorker, ctx);
    CHECK(NT_SUCCESS(status));
    status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, NULL, KernelMode, &threadObject, NULL);
    CHECK(NT_SUCCESS(status));
    ZwClose(thread);
    KeWaitForSingleObject(threadObject, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(threadObject);
    CHECK(ctx->Completions == 2);
    NT_VERIFY(ctx->Completions == 2);
    NT_ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);

    {
        PUCHAR raw = (PUCHAR)ExAllocatePoolUninitialized(NonPagedPool, 64, IDIOM_TAG);
        PVOID two = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, IDIOM_TAG);
        CHECK(raw != NULL && two != NULL);
        RtlFillMemory(raw, 64, 0xab);
        CHECK(raw[63] == 0xab);
        ExFreePoolWithTag(two, IDIOM_TAG);
        ExFreePoolWithTag(raw, IDIOM_TAG);
    }
    KdPrint(("idioms: %wZ ok, tag %x\n", &DriverObject->DriverName, (ULONG)IDIOM_TAG));
    ExFreePoolWithTag(ctx, IDIOM_TAG);
    return STATUS_SUCCESS;
}

#pragma warning(pop)

int main(void)
{
    DRIVER_OBJECT driver;
    UNICODE_STRING path;
    RtlZeroMemory(&driver, sizeof(driver));
    RtlInitUnicodeString(&driver.DriverName, L"\\Driver\\Idioms");
    RtlInitUnicodeString(&path, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Idioms");
    CHECK(IDIOM_TAG == 0x6b735754);   /* MSVC's value for 'ksWT' */
    CHECK(DriverEntry(&driver, &path) == STATUS_SUCCESS);
    driver.DriverUnload(&driver);
    return ow_test_result("test_driver_idioms");
}
