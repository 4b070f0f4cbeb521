/* SPDX-License-Identifier: MIT */
/* Pool: malloc with a 32-byte header (keeps malloc's 16-byte alignment)
 * holding the tag, the size and, for OpenWSK's own allocations, the routine
 * that made them; accounting per tag and routine for leak reports. Blocks
 * that must be page- or cache-aligned come from posix_memalign, with the
 * header in the alignment's slack before the block. */
#include "kernel.h"
#include "verifier/verifier.h"

#include <openwsk.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OW_POOL_LIVE  0x6c506f4fU   /* "OwPl" */
#define OW_POOL_FREED 0x72466f4fU   /* "OwFr" */
#define OW_TAG_NONE   0x656e6f4eU   /* 'enoN': "None" in memory, as Windows' ExAllocatePool */
#define OW_TAG_SLOTS  1024

typedef struct {
    ULONG Magic;
    ULONG Tag;
    SIZE_T Size;
    const char *Site;     /* OpenWSK's routine that allocated for the driver, or NULL */
    void *Base;           /* what free() takes: the header, or the aligned block's start */
} OW_POOL_HEADER;
_Static_assert(sizeof(OW_POOL_HEADER) == 32, "pool header keeps 16-byte alignment");

typedef struct {
    ULONG Tag;
    const char *Site;
    BOOLEAN Used;
    ULONG Count;
    SIZE_T Bytes;
} OW_TAG_STATS;

static pthread_mutex_t ow_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static OW_TAG_STATS ow_tags[OW_TAG_SLOTS];   /* open addressing; slots never freed */
static ULONG ow_total_count;
static SIZE_T ow_total_bytes;

/* Under ow_pool_lock; NULL only when all slots hold other tags. */
static OW_TAG_STATS *ow_tag_slot(ULONG Tag, const char *Site)
{
    ULONG h = ((Tag ^ (ULONG)(ULONG_PTR)Site) * 2654435761U) % OW_TAG_SLOTS;
    for (ULONG i = 0; i < OW_TAG_SLOTS; i++) {
        OW_TAG_STATS *s = &ow_tags[(h + i) % OW_TAG_SLOTS];
        if (!s->Used) {
            s->Used = TRUE;
            s->Tag = Tag;
            s->Site = Site;
            return s;
        }
        if (s->Tag == Tag && s->Site == Site)
            return s;
    }
    return NULL;
}

static void ow_account(ULONG Tag, const char *Site, SIZE_T Size, int Sign)
{
    pthread_mutex_lock(&ow_pool_lock);
    OW_TAG_STATS *s = ow_tag_slot(Tag, Site);
    if (s != NULL) {
        s->Count += (ULONG)Sign;
        s->Bytes += Sign > 0 ? Size : (SIZE_T)0 - Size;
    }
    ow_total_count += (ULONG)Sign;
    ow_total_bytes += Sign > 0 ? Size : (SIZE_T)0 - Size;
    pthread_mutex_unlock(&ow_pool_lock);
}

/* The ExAllocatePool2 and ExAllocatePoolWithTag pages (Remarks): "If
 * NumberOfBytes is PAGE_SIZE or greater, a page-aligned buffer is
 * allocated"; smaller blocks are 16-byte aligned on 64-bit systems. Cache
 * aligned pool (POOL_FLAG_CACHE_ALIGNED, the *CacheAligned pool types)
 * starts on a cache line. */
#define OW_POOL_ALIGN       16
#define OW_CACHE_LINE       64

static PVOID ow_pool_alloc(SIZE_T Size, ULONG Tag, BOOLEAN Zero, BOOLEAN CacheAligned, const char *Site)
{
    SIZE_T align = Size >= PAGE_SIZE ? PAGE_SIZE : CacheAligned ? OW_CACHE_LINE : OW_POOL_ALIGN;
    /* The header sits right before the block: in malloc's block when 16
     * bytes of alignment suffice, else in the first `align` bytes. */
    SIZE_T lead = align == OW_POOL_ALIGN ? sizeof(OW_POOL_HEADER) : align;
    if (Size > (SIZE_T)-1 - lead)
        return NULL;
    void *base = NULL;
    if (align == OW_POOL_ALIGN)
        base = Zero ? calloc(1, lead + Size) : malloc(lead + Size);
    else if (posix_memalign(&base, align, lead + Size) != 0)
        base = NULL;
    if (base == NULL)
        return NULL;
    PUCHAR block = (PUCHAR)base + lead;
    if (Zero && align != OW_POOL_ALIGN)
        memset(block, 0, Size);
    OW_POOL_HEADER *h = (OW_POOL_HEADER *)block - 1;
    h->Magic = OW_POOL_LIVE;
    h->Tag = Tag;
    h->Size = Size;
    h->Site = Site;
    h->Base = base;
    ow_account(Tag, Site, Size, +1);
    return block;
}

PVOID ow_pool_alloc_for(SIZE_T Size, ULONG Tag, const char *Site)
{
    return ow_pool_alloc(Size, Tag, FALSE, FALSE, Site);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    /* NonPagedPoolCacheAligned (4), PagedPoolCacheAligned (5) and their
     * MustS, session and Nx forms: the low three bits say 4 to 6. */
    ULONG base = (ULONG)PoolType & 7;
    return ow_pool_alloc(NumberOfBytes, Tag, FALSE, base >= 4 && base <= 6, NULL);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, OW_TAG_NONE);
}

/* The POOL_FLAGS page: the low 32 bits are required parameters ("allocation
 * fails if they cannot be satisfied"), the high 32 optional ("succeeds if
 * they cannot be satisfied or are unrecognized"). These are the required
 * ones OpenWSK satisfies (quota and session are meaningless in one process);
 * the reserved bits and any others fail the call. */
#define OW_POOL_FLAGS_KNOWN (POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | \
                             POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE | POOL_FLAG_NON_PAGED | \
                             POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED)

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    /* Exactly one pool kind is required, as Windows checks. */
    POOL_FLAGS kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    POOL_FLAGS required = Flags & 0xffffffffULL;
    PVOID p = NULL;
    if (kind != 0 && (kind & (kind - 1)) == 0 && Tag != 0 && (required & ~OW_POOL_FLAGS_KNOWN) == 0)
        p = ow_pool_alloc(NumberOfBytes, Tag, !(Flags & POOL_FLAG_UNINITIALIZED),
                          (Flags & POOL_FLAG_CACHE_ALIGNED) != 0, NULL);
    /* ExAllocatePool2 page, Return value: with POOL_FLAG_RAISE_ON_FAILURE a
     * failure raises an exception instead of returning NULL, so the caller
     * does not check for NULL. User mode has no structured exceptions to
     * raise: stop here, naming the cause, rather than hand back a NULL the
     * driver will dereference somewhere else. */
    if (p == NULL && (Flags & POOL_FLAG_RAISE_ON_FAILURE))
        ow_violation(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0,
                     "ExAllocatePool2 of %zu bytes (flags 0x%llx, tag 0x%08x) failed with "
                     "POOL_FLAG_RAISE_ON_FAILURE: Windows raises an exception here",
                     (size_t)NumberOfBytes, (unsigned long long)Flags, (unsigned)Tag);
    return p;
}

/* ExFreePoolWithTag's checks and accounting; returns the block's malloc
 * pointer, which the caller frees (now, or later: ow_pool_free_kept). */
static void *pool_release(PVOID P, ULONG Tag, PVOID Caller)
{
    if (P == NULL)
        ow_violation(BAD_POOL_CALLER, 0x46, 0, 0, 0, "ExFreePool of a NULL pointer");
    OW_POOL_HEADER *h = (OW_POOL_HEADER *)P - 1;
    if (h->Magic != OW_POOL_LIVE)
        ow_violation(BAD_POOL_CALLER, h->Magic == OW_POOL_FREED ? 7 : 0x46, (ULONG_PTR)P, 0, 0,
                     "ExFreePool of %p, which is %s", P,
                     h->Magic == OW_POOL_FREED ? "already freed" : "not a pool block");
    /* Bit 31 (PROTECTED_POOL) is not part of the tag proper. */
    if (Tag != 0 && ((Tag ^ h->Tag) & 0x7fffffffU) != 0)
        ow_violation(BAD_POOL_CALLER, 0xa, (ULONG_PTR)P, Tag, h->Tag,
                     "ExFreePoolWithTag of %p with tag 0x%08x, allocated with tag 0x%08x", P,
                     (unsigned)Tag, (unsigned)h->Tag);
    if (ow_vf_enabled) {   /* still under a pending WSK request? then poison it */
        ow_vf_pool_freeing(P, h->Size, Caller);
        memset(P, 0xFD, h->Size);
    }
    h->Magic = OW_POOL_FREED;
    ow_account(h->Tag, h->Site, h->Size, -1);
    return h->Base;
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    free(pool_release(P, Tag, __builtin_return_address(0)));
}

void ow_pool_free_kept(PVOID P, ULONG Tag, const char *What, const char *By)
{
    if (!ow_vf_enabled) {
        ExFreePoolWithTag(P, Tag);
        return;
    }
    SIZE_T size = ((OW_POOL_HEADER *)P - 1)->Size;
    void *block = pool_release(P, Tag, __builtin_return_address(0));
    ow_vf_keep_freed(P, size, What, By, NULL, free, block);
}

VOID ExFreePool(PVOID P)
{
    ExFreePoolWithTag(P, 0);
}

ULONG OwPoolOutstandingCount(void)
{
    pthread_mutex_lock(&ow_pool_lock);
    ULONG n = ow_total_count;
    pthread_mutex_unlock(&ow_pool_lock);
    return n;
}

SIZE_T OwPoolOutstandingBytes(void)
{
    pthread_mutex_lock(&ow_pool_lock);
    SIZE_T n = ow_total_bytes;
    pthread_mutex_unlock(&ow_pool_lock);
    return n;
}

ULONG OwPoolTagOutstandingCount(ULONG Tag)
{
    ULONG n = 0;
    pthread_mutex_lock(&ow_pool_lock);
    for (ULONG i = 0; i < OW_TAG_SLOTS; i++)
        if (ow_tags[i].Used && ow_tags[i].Tag == Tag)
            n += ow_tags[i].Count;
    pthread_mutex_unlock(&ow_pool_lock);
    return n;
}

/* The tag as the source writes it: 'Tag1' is 0x54616731, high byte first. */
static void ow_tag_text(ULONG Tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(Tag >> (24 - 8 * i));
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    out[4] = '\0';
}

ULONG OwPoolReportLeaks(void)
{
    pthread_mutex_lock(&ow_pool_lock);
    ULONG total = 0;
    for (ULONG i = 0; i < OW_TAG_SLOTS; i++) {
        const OW_TAG_STATS *s = &ow_tags[i];
        if (!s->Used || s->Count == 0)
            continue;
        char text[5];
        ow_tag_text(s->Tag, text);
        /* OpenWSK's own tags mean nothing in the driver's source: name the call. */
        fprintf(stderr, "pool tag '%s'%s%s: %lu allocation%s, %zu bytes outstanding\n", text,
                s->Site ? " from " : "", s->Site ? s->Site : "", (unsigned long)s->Count,
                s->Count == 1 ? "" : "s", (size_t)s->Bytes);
        total += s->Count;
    }
    pthread_mutex_unlock(&ow_pool_lock);
    return total;
}

ULONG ow_pool_leak_text(char *Buf, size_t Size)
{
    size_t at = 0;
    ULONG total = 0;
    Buf[0] = '\0';
    pthread_mutex_lock(&ow_pool_lock);
    for (ULONG i = 0; i < OW_TAG_SLOTS; i++) {
        const OW_TAG_STATS *s = &ow_tags[i];
        if (!s->Used || s->Count == 0)
            continue;
        char text[5];
        ow_tag_text(s->Tag, text);
        if (at < Size)
            at += (size_t)snprintf(Buf + at, Size - at, "%stag '%s'%s%s %lu allocation%s %zu bytes",
                                   total ? ", " : "", text, s->Site ? " from " : "", s->Site ? s->Site : "",
                                   (unsigned long)s->Count, s->Count == 1 ? "" : "s", (size_t)s->Bytes);
        total += s->Count;
    }
    pthread_mutex_unlock(&ow_pool_lock);
    return total;
}
