/* SPDX-License-Identifier: MIT */
/* irp.c's entries for the provider beside the WDK's Io* calls. */
#ifndef OPENWSK_KERNEL_IRP_H
#define OPENWSK_KERNEL_IRP_H

#include <ntddk.h>

/* IoSetNextIrpStackLocation(Irp) then IoCompleteRequest(Irp,
 * IO_NO_INCREMENT), in fewer steps when Irp's current location is the one
 * past its owner's (an IRP the caller never passed on): a call that
 * completes before returning (ow_complete_now). */
VOID ow_irp_complete_unpassed(PIRP Irp);

#endif
