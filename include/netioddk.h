/* SPDX-License-Identifier: MIT */
/* netioddk.h: the Network Programming Interface identifiers a WSK client
 * needs (NPI_WSK_INTERFACE_ID is an NPIID; SO_WSK_EVENT_CALLBACK and
 * extension control carry a PNPIID). */
#ifndef OPENWSK_NETIODDK_H
#define OPENWSK_NETIODDK_H

#include <ntdef.h>

typedef GUID NPIID, *PNPIID;
typedef const NPIID *PCNPIID;

#endif /* OPENWSK_NETIODDK_H */
