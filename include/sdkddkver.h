/* SPDX-License-Identifier: MIT */
/* sdkddkver.h: the NTDDI_* version constants drivers compare against.
 * OpenWSK implements the Windows 10 1803 (RS4) surface, so that is the
 * default target; each name is guarded so a definition made earlier (by the
 * build or another header) wins. */
#ifndef OPENWSK_SDKDDKVER_H
#define OPENWSK_SDKDDKVER_H

#ifndef NTDDI_VISTA
#define NTDDI_VISTA     0x06000000
#endif
#ifndef NTDDI_WIN7
#define NTDDI_WIN7      0x06010000
#endif
#ifndef NTDDI_WIN8
#define NTDDI_WIN8      0x06020000
#endif
#ifndef NTDDI_WINBLUE
#define NTDDI_WINBLUE   0x06030000
#endif
#ifndef NTDDI_WIN10
#define NTDDI_WIN10     0x0A000000
#endif
#ifndef NTDDI_WIN10_TH2
#define NTDDI_WIN10_TH2 0x0A000001
#endif
#ifndef NTDDI_WIN10_RS1
#define NTDDI_WIN10_RS1 0x0A000002
#endif
#ifndef NTDDI_WIN10_RS2
#define NTDDI_WIN10_RS2 0x0A000003
#endif
#ifndef NTDDI_WIN10_RS3
#define NTDDI_WIN10_RS3 0x0A000004
#endif
#ifndef NTDDI_WIN10_RS4
#define NTDDI_WIN10_RS4 0x0A000005
#endif
#ifndef NTDDI_VERSION
#define NTDDI_VERSION   NTDDI_WIN10_RS4
#endif

#endif /* OPENWSK_SDKDDKVER_H */
