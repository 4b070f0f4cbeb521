/* SPDX-License-Identifier: MIT */
/* Device objects, symbolic links, IoCallDriver. (The registry routines
 * are test_registry's.) */
#include "ktest.h"

static NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Dev);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 42;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void Devices(void)
{
    static DRIVER_OBJECT drv;
    UNICODE_STRING name, name2, link;
    PDEVICE_OBJECT a = NULL, b = NULL, dup = NULL;
    RtlInitUnicodeString(&name, L"\\Device\\KtDev");
    RtlInitUnicodeString(&name2, L"\\Device\\KtDev2");
    RtlInitUnicodeString(&link, L"\\DosDevices\\KtDev");
    ULONG pool = OwPoolOutstandingCount();
    CHECK_STATUS(IoCreateDevice(&drv, 100, &name, FILE_DEVICE_NETWORK, 0, FALSE, &a), STATUS_SUCCESS);
    CHECK(a != NULL && a->DeviceExtension != NULL, "no device extension");
    UCHAR *ext = a->DeviceExtension, zero = 0;
    for (int i = 0; i < 100; i++)
        zero |= ext[i];
    CHECK(zero == 0, "device extension not zeroed");
    CHECK(((ULONG_PTR)ext & 15) == 0, "extension not 16-byte aligned");
    CHECK(a->DriverObject == &drv && drv.DeviceObject == a, "not linked into the driver");
    CHECK(a->Flags & DO_DEVICE_INITIALIZING, "DO_DEVICE_INITIALIZING not set");
    CHECK_STATUS(IoCreateDevice(&drv, 0, &name, FILE_DEVICE_NETWORK, 0, FALSE, &dup),
                 STATUS_OBJECT_NAME_COLLISION);
    CHECK_STATUS(IoCreateDevice(&drv, 0, &name2, FILE_DEVICE_UNKNOWN, 0, FALSE, &b), STATUS_SUCCESS);
    CHECK(b->DeviceExtension == NULL, "extension of size 0");
    CHECK(drv.DeviceObject == b && b->NextDevice == a, "newest device first");
    CHECK(OwDeviceOutstandingCount() == 2, "device count %lu", (unsigned long)OwDeviceOutstandingCount());

    CHECK_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);
    CHECK_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_OBJECT_NAME_COLLISION);
    CHECK(OwSymbolicLinkOutstandingCount() == 1, "link count");
    CHECK_STATUS(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
    CHECK_STATUS(IoDeleteSymbolicLink(&link), STATUS_OBJECT_NAME_NOT_FOUND);

    /* IoCallDriver reaches MajorFunction and completes up the stack. */
    drv.MajorFunction[IRP_MJ_DEVICE_CONTROL] = Dispatch;
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    CHECK_STATUS(IoCallDriver(a, irp), STATUS_SUCCESS);
    CHECK(irp->IoStatus.Information == 42, "dispatch routine not called");
    IoFreeIrp(irp);

    IoDeleteDevice(a);
    CHECK(drv.DeviceObject == b && b->NextDevice == NULL, "unlinked");
    IoDeleteDevice(b);
    CHECK(drv.DeviceObject == NULL, "list empty");
    CHECK(OwPoolOutstandingCount() == pool, "device pool not freed");
    CHECK(OwDeviceOutstandingCount() == 0, "device count after delete");
}

static void DeleteTwice(void)
{
    static DRIVER_OBJECT drv;
    PDEVICE_OBJECT d;
    IoCreateDevice(&drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d);
    IoDeleteDevice(d);
    IoDeleteDevice(d);
}

int main(void)
{
    Devices();
    static const char *const twice[] = { "IoDeleteDevice", "not a live device object", NULL };
    ow_test_expect_bugcheck("IoDeleteDevice twice", DeleteTwice, twice);
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_device");
}
