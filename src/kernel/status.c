/* SPDX-License-Identifier: MIT */
/* NTSTATUS names: every code in data/ntstatus.tsv (MS-ERREF's list), from the
 * generated table status_names.h, sorted by value; where names share a value
 * the first listed wins (STATUS_SUCCESS, not STATUS_WAIT_0).
 * tests/unit/test_wdk_names.c checks every name both ways. */
#include "kernel.h"

#include <openwsk.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    NTSTATUS Status;
    const char *Name;
} OW_STATUS_NAME;

static const OW_STATUS_NAME ow_status_names[] = {
#include "status_names.h"
};

#define OW_STATUS_COUNT (sizeof(ow_status_names) / sizeof(ow_status_names[0]))

const char *OwStatusName(NTSTATUS Status)
{
    static _Thread_local char unknown[32];
    /* The first entry whose value is not below Status (unsigned order, as sorted). */
    size_t lo = 0, hi = OW_STATUS_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((ULONG)ow_status_names[mid].Status < (ULONG)Status)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < OW_STATUS_COUNT && ow_status_names[lo].Status == Status)
        return ow_status_names[lo].Name;
    snprintf(unknown, sizeof(unknown), "NTSTATUS 0x%08X", (unsigned)Status);
    return unknown;
}

BOOLEAN OwStatusFromName(const char *Name, NTSTATUS *Status)
{
    for (size_t i = 0; i < OW_STATUS_COUNT; i++)
        if (strcmp(ow_status_names[i].Name, Name) == 0) {
            *Status = ow_status_names[i].Status;
            return TRUE;
        }
    return FALSE;
}
