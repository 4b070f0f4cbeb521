/* Device objects, symbolic links, IoCallDriver and the registry routines
 * drivers read their parameters with. */
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
    KT_STATUS(IoCreateDevice(&drv, 100, &name, FILE_DEVICE_NETWORK, 0, FALSE, &a), STATUS_SUCCESS);
    KT_CHECK(a != NULL && a->DeviceExtension != NULL, "no device extension");
    UCHAR *ext = a->DeviceExtension, zero = 0;
    for (int i = 0; i < 100; i++)
        zero |= ext[i];
    KT_CHECK(zero == 0, "device extension not zeroed");
    KT_CHECK(((ULONG_PTR)ext & 15) == 0, "extension not 16-byte aligned");
    KT_CHECK(a->DriverObject == &drv && drv.DeviceObject == a, "not linked into the driver");
    KT_CHECK(a->Flags & DO_DEVICE_INITIALIZING, "DO_DEVICE_INITIALIZING not set");
    KT_STATUS(IoCreateDevice(&drv, 0, &name, FILE_DEVICE_NETWORK, 0, FALSE, &dup),
              STATUS_OBJECT_NAME_COLLISION);
    KT_STATUS(IoCreateDevice(&drv, 0, &name2, FILE_DEVICE_UNKNOWN, 0, FALSE, &b), STATUS_SUCCESS);
    KT_CHECK(b->DeviceExtension == NULL, "extension of size 0");
    KT_CHECK(drv.DeviceObject == b && b->NextDevice == a, "newest device first");
    KT_CHECK(OwDeviceOutstandingCount() == 2, "device count %lu", (unsigned long)OwDeviceOutstandingCount());

    KT_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);
    KT_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_OBJECT_NAME_COLLISION);
    KT_CHECK(OwSymbolicLinkOutstandingCount() == 1, "link count");
    KT_STATUS(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
    KT_STATUS(IoDeleteSymbolicLink(&link), STATUS_OBJECT_NAME_NOT_FOUND);

    /* IoCallDriver reaches MajorFunction and completes up the stack. */
    drv.MajorFunction[IRP_MJ_DEVICE_CONTROL] = Dispatch;
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    KT_STATUS(IoCallDriver(a, irp), STATUS_SUCCESS);
    KT_CHECK(irp->IoStatus.Information == 42, "dispatch routine not called");
    IoFreeIrp(irp);

    IoDeleteDevice(a);
    KT_CHECK(drv.DeviceObject == b && b->NextDevice == NULL, "unlinked");
    IoDeleteDevice(b);
    KT_CHECK(drv.DeviceObject == NULL, "list empty");
    KT_CHECK(OwPoolOutstandingCount() == pool, "device pool not freed");
    KT_CHECK(OwDeviceOutstandingCount() == 0, "device count after delete");
}

static void DeleteTwice(void)
{
    static DRIVER_OBJECT drv;
    PDEVICE_OBJECT d;
    IoCreateDevice(&drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d);
    IoDeleteDevice(d);
    IoDeleteDevice(d);
}

#define KT_SERVICE L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\kt"

static void Registry(void)
{
    ULONG port = 7000;
    WCHAR text[] = L"hello";
    KT_STATUS(OwRegistrySetValue(KT_SERVICE L"\\Parameters", L"Port", REG_DWORD, &port, sizeof(port)),
              STATUS_SUCCESS);
    KT_STATUS(OwRegistrySetValue(KT_SERVICE L"\\Parameters", L"Greeting", REG_SZ, text, sizeof(text)),
              STATUS_SUCCESS);

    /* ZwOpenKey + ZwQueryValueKey, relative opens, case-insensitive names. */
    UNICODE_STRING path, value;
    OBJECT_ATTRIBUTES oa;
    HANDLE svc, params;
    RtlInitUnicodeString(&path, L"\\REGISTRY\\MACHINE\\System\\CurrentControlSet\\Services\\KT");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_STATUS(ZwOpenKey(&svc, KEY_READ, &oa), STATUS_SUCCESS);
    RtlInitUnicodeString(&path, L"Parameters");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, svc, NULL);
    KT_STATUS(ZwOpenKey(&params, KEY_READ, &oa), STATUS_SUCCESS);
    UCHAR buf[64];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
    ULONG got = 0;
    RtlInitUnicodeString(&value, L"port");
    KT_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, sizeof(buf), &got),
              STATUS_SUCCESS);
    KT_CHECK(info->Type == REG_DWORD && info->DataLength == 4 && *(PULONG)info->Data == 7000, "Port");
    KT_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, 4, &got),
              STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(got == FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4, "needed length %lu",
             (unsigned long)got);
    RtlInitUnicodeString(&value, L"Missing");
    KT_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, sizeof(buf), &got),
              STATUS_OBJECT_NAME_NOT_FOUND);
    RtlInitUnicodeString(&value, L"Greeting");
    KT_STATUS(ZwQueryValueKey(params, &value, KeyValueFullInformation, buf, sizeof(buf), &got),
              STATUS_SUCCESS);
    PKEY_VALUE_FULL_INFORMATION full = (PKEY_VALUE_FULL_INFORMATION)buf;
    KT_CHECK(full->Type == REG_SZ && full->DataLength == sizeof(text) &&
             memcmp(buf + full->DataOffset, text, sizeof(text)) == 0, "full information");
    KT_STATUS(ZwClose(params), STATUS_SUCCESS);
    KT_STATUS(ZwClose(svc), STATUS_SUCCESS);
    KT_STATUS(ZwClose(svc), STATUS_INVALID_HANDLE);
    RtlInitUnicodeString(&path, L"\\Registry\\Machine\\Nope");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_STATUS(ZwOpenKey(&svc, KEY_READ, &oa), STATUS_OBJECT_NAME_NOT_FOUND);

    /* RtlQueryRegistryValues, DIRECT, with a default and a required value. */
    ULONG qport = 0, missing = 5, def = 99;
    UNICODE_STRING greeting = { 0, 0, NULL };
    RTL_QUERY_REGISTRY_TABLE table[4];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"Port";
    table[0].EntryContext = &qport;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[1].Name = L"Greeting";
    table[1].EntryContext = &greeting;
    table[2].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[2].Name = L"Absent";
    table[2].EntryContext = &missing;
    table[2].DefaultType = REG_DWORD;
    table[2].DefaultData = &def;
    table[2].DefaultLength = sizeof(def);
    KT_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"kt\\Parameters", table, NULL, NULL),
              STATUS_SUCCESS);
    KT_CHECK(qport == 7000, "direct DWORD %lu", (unsigned long)qport);
    KT_CHECK(missing == 99, "default %lu", (unsigned long)missing);
    KT_CHECK(greeting.Length == 10 && memcmp(greeting.Buffer, L"hello", 10) == 0, "direct string");
    RtlFreeUnicodeString(&greeting);
    table[2].Flags |= RTL_QUERY_REGISTRY_REQUIRED;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    KT_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_SERVICE L"\\Parameters", table, NULL, NULL),
              STATUS_OBJECT_NAME_NOT_FOUND);
    RtlFreeUnicodeString(&greeting);
    KT_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"absent", table, NULL, NULL),
              STATUS_OBJECT_NAME_NOT_FOUND);
    OwRegistryClear();
}

int main(void)
{
    Devices();
    static const char *const twice[] = { "IoDeleteDevice", "not a live device object", NULL };
    kt_expect_bugcheck("IoDeleteDevice twice", DeleteTwice, twice);
    Registry();
    KT_CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return kt_finish("test_device");
}
