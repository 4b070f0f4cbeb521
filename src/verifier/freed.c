/* SPDX-License-Identifier: MIT */
/* Memory that WSK itself freed on the client's behalf (the ADDRINFOEXW list
 * of WskFreeAddressInfo, a WSK_DATA_INDICATION and its MDL at WskRelease).
 * With the verifier on it is poisoned and kept, not returned to malloc, for
 * the last OW_VF_KEPT frees: a client that still uses it (connects to an
 * ai_addr after WskFreeAddressInfo) is then named, instead of reading the
 * poison ("family 65021") or, after reuse, someone else's data. Pointer
 * comparisons only: nothing kept is read. docs/verifier.md. */
#include "verifier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OW_VF_KEPT 64

struct kept {
    const char *lo, *hi;          /* [lo, hi): what the client saw */
    const char *what, *by;        /* "ADDRINFOEXW", "WskFreeAddressInfo" */
    PVOID caller;                 /* who called `by` */
    void (*release)(void *);      /* frees it for real when it leaves the ring */
    void *block;
};

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept kept[OW_VF_KEPT];
static unsigned kept_next;

void ow_vf_keep_freed(const void *P, SIZE_T Size, const char *What, const char *By, PVOID Caller,
                      void (*Release)(void *), void *Block)
{
    if (Caller == NULL)
        Caller = ow_vf_current_caller();
    pthread_mutex_lock(&kept_lock);
    struct kept old = kept[kept_next];
    kept[kept_next] = (struct kept){ (const char *)P, (const char *)P + Size, What, By, Caller, Release, Block };
    kept_next = (kept_next + 1) % OW_VF_KEPT;
    pthread_mutex_unlock(&kept_lock);
    if (old.release != NULL)
        old.release(old.block);
}

void ow_vf_release_kept(void)
{
    pthread_mutex_lock(&kept_lock);
    struct kept all[OW_VF_KEPT];
    memcpy(all, kept, sizeof(all));
    memset(kept, 0, sizeof(kept));
    kept_next = 0;
    pthread_mutex_unlock(&kept_lock);
    for (unsigned i = 0; i < OW_VF_KEPT; i++)
        if (all[i].release != NULL)
            all[i].release(all[i].block);
}

void ow_vf_check_not_freed(const void *P, const char *Arg)
{
    if (P == NULL || !ow_vf_enabled)
        return;
    pthread_mutex_lock(&kept_lock);
    struct kept hit = { 0 };
    for (unsigned i = 0; i < OW_VF_KEPT; i++)
        if (kept[i].release != NULL && (const char *)P >= kept[i].lo && (const char *)P < kept[i].hi) {
            hit = kept[i];
            break;
        }
    pthread_mutex_unlock(&kept_lock);
    if (hit.release == NULL)
        return;
    char by[160];
    ow_vf_caller_text(hit.caller, by, sizeof(by));
    ow_vf_fail(OW_BC_USES_WSK_FREED, (ULONG_PTR)P, (ULONG_PTR)hit.lo, (ULONG_PTR)hit.caller, 0, NULL,
               "%s %p points into %s %p freed by %s at %s", Arg, P, hit.what, (const void *)hit.lo, hit.by,
               by);
}
