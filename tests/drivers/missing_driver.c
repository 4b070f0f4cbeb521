/* SPDX-License-Identifier: MIT */
/* A driver that imports a kernel routine OpenWSK does not provide:
 * openwsk-load must name it instead of crashing. */
#include <ntddk.h>

NTKERNELAPI NTSTATUS IoRegisterPlugPlayNotification(ULONG Category, ULONG Flags, PVOID Data,
                                                    PDRIVER_OBJECT DriverObject, PVOID Callback,
                                                    PVOID Context, PVOID *Entry);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PVOID entry;
    UNREFERENCED_PARAMETER(RegistryPath);
    return IoRegisterPlugPlayNotification(0, 0, NULL, DriverObject, NULL, NULL, &entry);
}
