/* SPDX-License-Identifier: MIT */
/* ntddk.h: wdm.h plus the few non-WDM declarations WSK clients use. */
#ifndef OPENWSK_NTDDK_H
#define OPENWSK_NTDDK_H

#include <wdm.h>

EXTERN_C_START

/* Processor count and number: the host's, as seen by this process. */
NTKERNELAPI ULONG KeQueryActiveProcessorCount(PULONG_PTR ActiveProcessors);
NTKERNELAPI ULONG KeGetCurrentProcessorNumber(void);

EXTERN_C_END

#endif /* OPENWSK_NTDDK_H */
