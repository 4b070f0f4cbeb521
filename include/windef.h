/* SPDX-License-Identifier: MIT */
/* windef.h: the basic Windows types (BOOL, BYTE, WORD, DWORD, UINT, LPVOID,
 * LPSTR, HANDLE, TRUE/FALSE, min/max...), which OpenWSK's ntdef.h already
 * declares with Windows' sizes; no window-system types. */
#ifndef OPENWSK_WINDEF_H
#define OPENWSK_WINDEF_H

#include <ntdef.h>

#endif /* OPENWSK_WINDEF_H */
