/* SPDX-License-Identifier: MIT */
/* Device objects, symbolic links and IoCallDriver. A device object is one
 * pool block (tag 'Devi') holding the DEVICE_OBJECT, its extension and a
 * copy of its name; names and symbolic links are recorded in process-wide
 * lists so collisions are reported as Windows reports them. */
#include "kernel.h"

#include <openwsk.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define OW_DEVICE_TAG 'Devi'   /* reported as 'Devi' when a device is never deleted */

typedef struct OW_DEVICE {
    DEVICE_OBJECT Device;       /* first: the caller's pointer */
    struct OW_DEVICE *Next;     /* every live device */
    UNICODE_STRING Name;        /* Buffer points into this block, or NULL */
} OW_DEVICE;

typedef struct OW_LINK {
    struct OW_LINK *Next;
    UNICODE_STRING Link;
    UNICODE_STRING Target;
} OW_LINK;

static pthread_mutex_t ow_dev_lock = PTHREAD_MUTEX_INITIALIZER;
static OW_DEVICE *ow_devices;
static OW_LINK *ow_links;
static ULONG ow_device_count, ow_link_count;

static BOOLEAN ow_name_equal(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    return a->Buffer != NULL && b->Buffer != NULL && RtlEqualUnicodeString(a, b, TRUE);
}

/* A malloc'ed copy with a NUL after the text. */
static BOOLEAN ow_copy_string(PUNICODE_STRING To, PCUNICODE_STRING From)
{
    To->Buffer = calloc(1, (size_t)From->Length + sizeof(WCHAR));
    if (To->Buffer == NULL)
        return FALSE;
    memcpy(To->Buffer, From->Buffer, From->Length);
    To->Length = From->Length;
    To->MaximumLength = (USHORT)(From->Length + sizeof(WCHAR));
    return TRUE;
}

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    if (DeviceObject == NULL || DriverObject == NULL)
        return STATUS_INVALID_PARAMETER;
    *DeviceObject = NULL;
    ow_irql_at_most("IoCreateDevice", PASSIVE_LEVEL);
    USHORT name_len = DeviceName != NULL && DeviceName->Buffer != NULL ? DeviceName->Length : 0;
    size_t ext_off = (sizeof(OW_DEVICE) + 15) & ~(size_t)15;
    size_t name_off = (ext_off + DeviceExtensionSize + 15) & ~(size_t)15;
    size_t total = name_off + name_len + sizeof(WCHAR);
    OW_DEVICE *d = ow_pool_alloc_for(total, OW_DEVICE_TAG, "IoCreateDevice (free with IoDeleteDevice)");
    if (d == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(d, 0, total);
    if (name_len > 0) {
        d->Name.Buffer = (PWCH)((char *)d + name_off);
        memcpy(d->Name.Buffer, DeviceName->Buffer, name_len);
        d->Name.Length = name_len;
        d->Name.MaximumLength = (USHORT)(name_len + sizeof(WCHAR));
    }
    PDEVICE_OBJECT dev = &d->Device;
    dev->Type = IO_TYPE_DEVICE;
    dev->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
    dev->ReferenceCount = 0;
    dev->DriverObject = DriverObject;
    dev->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    dev->Characteristics = DeviceCharacteristics;
    dev->DeviceExtension = DeviceExtensionSize ? (char *)d + ext_off : NULL;
    dev->DeviceType = DeviceType;
    dev->StackSize = 1;
    KeInitializeEvent(&dev->DeviceLock, SynchronizationEvent, TRUE);

    pthread_mutex_lock(&ow_dev_lock);
    for (OW_DEVICE *o = ow_devices; o != NULL && name_len > 0; o = o->Next)
        if (ow_name_equal(&o->Name, &d->Name)) {
            pthread_mutex_unlock(&ow_dev_lock);
            ExFreePoolWithTag(d, OW_DEVICE_TAG);
            return STATUS_OBJECT_NAME_COLLISION;
        }
    d->Next = ow_devices;
    ow_devices = d;
    ow_device_count++;
    dev->NextDevice = DriverObject->DeviceObject;   /* newest first, as Windows */
    DriverObject->DeviceObject = dev;
    pthread_mutex_unlock(&ow_dev_lock);
    *DeviceObject = dev;
    return STATUS_SUCCESS;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    OW_DEVICE *d = (OW_DEVICE *)DeviceObject;
    pthread_mutex_lock(&ow_dev_lock);
    OW_DEVICE **p = &ow_devices;
    while (*p != NULL && *p != d)
        p = &(*p)->Next;
    if (*p == NULL) {
        pthread_mutex_unlock(&ow_dev_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1400, (ULONG_PTR)DeviceObject, 0, 0,
                     "IoDeleteDevice on %p, which is not a live device object (deleted twice?)",
                     (void *)DeviceObject);
    }
    *p = d->Next;
    ow_device_count--;
    PDRIVER_OBJECT drv = DeviceObject->DriverObject;
    if (drv != NULL) {
        PDEVICE_OBJECT *q = &drv->DeviceObject;
        while (*q != NULL && *q != DeviceObject)
            q = &(*q)->NextDevice;
        if (*q != NULL)
            *q = DeviceObject->NextDevice;
    }
    pthread_mutex_unlock(&ow_dev_lock);
    DeviceObject->Type = 0;
    ExFreePoolWithTag(d, OW_DEVICE_TAG);
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    if (SymbolicLinkName == NULL || SymbolicLinkName->Buffer == NULL || DeviceName == NULL ||
        DeviceName->Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    OW_LINK *l = calloc(1, sizeof(*l));
    if (l == NULL || !ow_copy_string(&l->Link, SymbolicLinkName) ||
        !ow_copy_string(&l->Target, DeviceName)) {
        if (l != NULL) {
            free(l->Link.Buffer);
            free(l);
        }
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_lock(&ow_dev_lock);
    for (OW_LINK *o = ow_links; o != NULL; o = o->Next)
        if (ow_name_equal(&o->Link, &l->Link)) {
            pthread_mutex_unlock(&ow_dev_lock);
            free(l->Link.Buffer);
            free(l->Target.Buffer);
            free(l);
            return STATUS_OBJECT_NAME_COLLISION;
        }
    l->Next = ow_links;
    ow_links = l;
    ow_link_count++;
    pthread_mutex_unlock(&ow_dev_lock);
    return STATUS_SUCCESS;
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    if (SymbolicLinkName == NULL || SymbolicLinkName->Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&ow_dev_lock);
    OW_LINK **p = &ow_links;
    while (*p != NULL && !ow_name_equal(&(*p)->Link, SymbolicLinkName))
        p = &(*p)->Next;
    OW_LINK *l = *p;
    if (l != NULL) {
        *p = l->Next;
        ow_link_count--;
    }
    pthread_mutex_unlock(&ow_dev_lock);
    if (l == NULL)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    free(l->Link.Buffer);
    free(l->Target.Buffer);
    free(l);
    return STATUS_SUCCESS;
}

ULONG OwDeviceOutstandingCount(void)
{
    pthread_mutex_lock(&ow_dev_lock);
    ULONG n = ow_device_count;
    pthread_mutex_unlock(&ow_dev_lock);
    return n;
}

ULONG OwSymbolicLinkOutstandingCount(void)
{
    pthread_mutex_lock(&ow_dev_lock);
    ULONG n = ow_link_count;
    pthread_mutex_unlock(&ow_dev_lock);
    return n;
}

static NTSTATUS ow_invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

NTSTATUS IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp->CurrentLocation <= 1)
        ow_violation(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0,
                     "IoCallDriver on IRP %p with no stack location left", (void *)Irp);
    IoSetNextIrpStackLocation(Irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    sp->DeviceObject = DeviceObject;
    PDRIVER_OBJECT drv = DeviceObject->DriverObject;
    PDRIVER_DISPATCH fn = NULL;
    if (drv != NULL && sp->MajorFunction <= IRP_MJ_MAXIMUM_FUNCTION)
        fn = drv->MajorFunction[sp->MajorFunction];
    return (fn != NULL ? fn : ow_invalid_request)(DeviceObject, Irp);
}

PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    while (DeviceObject->AttachedDevice != NULL)
        DeviceObject = DeviceObject->AttachedDevice;
    return DeviceObject;
}
