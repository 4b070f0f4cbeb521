/* SPDX-License-Identifier: MIT */
/* AVL generic tables (src/kernel/rtl_avl.c) against their Microsoft pages:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_rtl_avl_table
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictablefullavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictablefullavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupfirstmatchingelementgenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeleteelementgenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetelementgenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlnumbergenerictableelementsavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlisgenerictableemptyavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictableavl
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictablewithoutsplayingavl
 * The heart is a randomized run of 10,000 inserts, deletes and lookups
 * compared with a plain array, the tree's shape checked through its links
 * (order, parent links, Balance, height) as it goes. */
#include "ktest.h"

#include <stddef.h>

#define KEYS 2000
#define ANY  0xFFFFFFFFu   /* a search buffer's Minor that matches every Minor */

typedef struct {
    ULONG Major;
    ULONG Minor;
    ULONG Stamp;           /* what the inserting buffer carried */
    UCHAR Tail[5];         /* an odd size: the table must copy BufferSize bytes */
} ELEM;

/* What the callbacks see, reached through TableContext (the page: the
 * context given to RtlInitializeGenericTableAvl stays with the table). */
typedef struct {
    ULONG Allocs, Frees, Compares;
    CLONG LastByteSize;
    BOOLEAN FailAllocations;
    PVOID ExpectFirst;     /* the search buffer: every compare gets it first */
    BOOLEAN BadFirst;
} CTX;

#define BLOCK_MAGIC 0x6b636f6cU

static RTL_GENERIC_COMPARE_RESULTS NTAPI compare(PRTL_AVL_TABLE Table, PVOID FirstStruct, PVOID SecondStruct)
{
    CTX *c = Table->TableContext;
    c->Compares++;
    if (c->ExpectFirst != NULL && FirstStruct != c->ExpectFirst)
        c->BadFirst = TRUE;
    const ELEM *a = FirstStruct, *b = SecondStruct;
    if (a->Major != b->Major)
        return a->Major < b->Major ? GenericLessThan : GenericGreaterThan;
    if (a->Minor == ANY || b->Minor == ANY || a->Minor == b->Minor)
        return GenericEqual;
    return a->Minor < b->Minor ? GenericLessThan : GenericGreaterThan;
}

/* Blocks carry a magic before what the table gets, so the free routine can
 * tell a block this routine returned from anything else. */
static PVOID NTAPI allocate(PRTL_AVL_TABLE Table, CLONG ByteSize)
{
    CTX *c = Table->TableContext;
    c->LastByteSize = ByteSize;
    if (c->FailAllocations)
        return NULL;
    ULONG *b = malloc(16 + ByteSize);
    if (b == NULL)
        return NULL;
    b[0] = BLOCK_MAGIC;
    c->Allocs++;
    return (UCHAR *)b + 16;
}

static VOID NTAPI release(PRTL_AVL_TABLE Table, PVOID Buffer)
{
    CTX *c = Table->TableContext;
    ULONG *b = (ULONG *)((UCHAR *)Buffer - 16);
    CHECK(b[0] == BLOCK_MAGIC, "FreeRoutine got %p, which AllocateRoutine did not return", Buffer);
    b[0] = 0;
    c->Frees++;
    free(b);
}

static void init(PRTL_AVL_TABLE t, CTX *c)
{
    memset(c, 0, sizeof(*c));
    RtlInitializeGenericTableAvl(t, compare, allocate, release, c);
}

static PRTL_BALANCED_LINKS node_of(PVOID data)
{
    return (PRTL_BALANCED_LINKS)data - 1;
}

/* The tree under Table's links: parents, order, Balance; returns the height. */
static int check_subtree(PRTL_BALANCED_LINKS n, PRTL_BALANCED_LINKS parent, ULONG *count, const ELEM **prev,
                         BOOLEAN *ok)
{
    if (n == NULL)
        return 0;
    if (n->Parent != parent) {
        FAIL("node %p: Parent %p, expected %p", (void *)n, (void *)n->Parent, (void *)parent);
        *ok = FALSE;
    }
    int hl = check_subtree(n->LeftChild, n, count, prev, ok);
    const ELEM *e = (const ELEM *)(n + 1);
    if (*prev != NULL && !((*prev)->Major < e->Major || ((*prev)->Major == e->Major && (*prev)->Minor < e->Minor))) {
        FAIL("out of order: (%u,%u) before (%u,%u)", (*prev)->Major, (*prev)->Minor, e->Major, e->Minor);
        *ok = FALSE;
    }
    *prev = e;
    (*count)++;
    int hr = check_subtree(n->RightChild, n, count, prev, ok);
    if (n->Balance != hr - hl || hr - hl > 1 || hr - hl < -1) {
        FAIL("node (%u,%u): Balance %d, heights left %d right %d", e->Major, e->Minor, n->Balance, hl, hr);
        *ok = FALSE;
    }
    return 1 + (hl > hr ? hl : hr);
}

static BOOLEAN check_tree(PRTL_AVL_TABLE t)
{
    BOOLEAN ok = TRUE;
    ULONG count = 0;
    const ELEM *prev = NULL;
    int h = check_subtree(t->BalancedRoot.RightChild, &t->BalancedRoot, &count, &prev, &ok);
    if (count != RtlNumberGenericTableElementsAvl(t)) {
        FAIL("%u nodes linked, RtlNumberGenericTableElementsAvl says %u", count, RtlNumberGenericTableElementsAvl(t));
        ok = FALSE;
    }
    if ((ULONG)h != t->DepthOfTree) {
        FAIL("height %d, DepthOfTree %u", h, t->DepthOfTree);
        ok = FALSE;
    }
    /* The fewest nodes an AVL tree of height h has: N(h) = N(h-1) + N(h-2) + 1. */
    ULONG fewest = 0, before = 0;
    for (int i = 1; i <= h; i++) {
        ULONG next = i == 1 ? 1 : fewest + before + 1;
        before = fewest;
        fewest = next;
    }
    if (count < fewest) {
        FAIL("height %d with %u nodes: an AVL tree that high has at least %u", h, count, fewest);
        ok = FALSE;
    }
    return ok;
}

static ULONG rng_state = 20240611u;
static ULONG rnd(ULONG n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

/* ---- documented layout ----------------------------------------------------- */

static void layout(void)
{
    /* RTL_AVL_TABLE's members in the page's order; RTL_BALANCED_LINKS as
     * Microsoft's metadata gives it (three pointers, CHAR Balance, UCHAR
     * Reserved[3]). Drivers allocate the table themselves: its size follows. */
    CHECK_EQ(offsetof(RTL_BALANCED_LINKS, LeftChild), sizeof(PVOID));
    CHECK_EQ(offsetof(RTL_BALANCED_LINKS, Balance), 3 * sizeof(PVOID));
    CHECK_EQ(sizeof(RTL_BALANCED_LINKS), 4 * sizeof(PVOID));
    CHECK_EQ(offsetof(RTL_AVL_TABLE, OrderedPointer), sizeof(RTL_BALANCED_LINKS));
    CHECK(offsetof(RTL_AVL_TABLE, WhichOrderedElement) < offsetof(RTL_AVL_TABLE, NumberGenericTableElements) &&
          offsetof(RTL_AVL_TABLE, NumberGenericTableElements) < offsetof(RTL_AVL_TABLE, DepthOfTree) &&
          offsetof(RTL_AVL_TABLE, DepthOfTree) < offsetof(RTL_AVL_TABLE, RestartKey) &&
          offsetof(RTL_AVL_TABLE, RestartKey) < offsetof(RTL_AVL_TABLE, DeleteCount) &&
          offsetof(RTL_AVL_TABLE, DeleteCount) < offsetof(RTL_AVL_TABLE, CompareRoutine) &&
          offsetof(RTL_AVL_TABLE, CompareRoutine) < offsetof(RTL_AVL_TABLE, AllocateRoutine) &&
          offsetof(RTL_AVL_TABLE, AllocateRoutine) < offsetof(RTL_AVL_TABLE, FreeRoutine) &&
          offsetof(RTL_AVL_TABLE, FreeRoutine) < offsetof(RTL_AVL_TABLE, TableContext),
          "RTL_AVL_TABLE members out of the page's order");
    if (sizeof(PVOID) == 8)
        CHECK_EQ(sizeof(RTL_AVL_TABLE), 104);
    CHECK_EQ(GenericLessThan, 0);
    CHECK_EQ(GenericGreaterThan, 1);
    CHECK_EQ(GenericEqual, 2);
    CHECK_EQ(TableEmptyTree, 0);
    CHECK_EQ(TableFoundNode, 1);
    CHECK_EQ(TableInsertAsLeft, 2);
    CHECK_EQ(TableInsertAsRight, 3);
}

/* ---- the randomized run ----------------------------------------------------- */

static void randomized(void)
{
    RTL_AVL_TABLE t;
    CTX c;
    init(&t, &c);
    static BOOLEAN present[KEYS];
    static ULONG stamp[KEYS];
    static PVOID where[KEYS];          /* the element's address: it must never move */
    ULONG live = 0;

    CHECK(RtlIsGenericTableEmptyAvl(&t), "a new table is not empty");
    CHECK(RtlGetElementGenericTableAvl(&t, 0) == NULL, "RtlGetElementGenericTableAvl(0) on an empty table");
    CHECK(RtlEnumerateGenericTableAvl(&t, TRUE) == NULL, "enumerating an empty table");

    for (ULONG op = 1; op <= 10000 && ow_test_failures < 20; op++) {
        ULONG k = rnd(KEYS);
        ELEM key = { .Major = k, .Minor = 7, .Stamp = op, .Tail = { 1, 2, 3, 4, (UCHAR)op } };
        ULONG allocs = c.Allocs, frees = c.Frees;
        ULONG kind = rnd(100);
        c.ExpectFirst = &key;
        if (kind < 40) {
            BOOLEAN isnew = 99;
            ELEM *e = RtlInsertElementGenericTableAvl(&t, &key, sizeof(key), &isnew);
            CHECK(e != NULL && (PVOID)e != (PVOID)&key, "op %u: insert %u returned %p", op, k, (void *)e);
            if (e == NULL)
                break;
            if (present[k]) {
                CHECK(isnew == FALSE, "op %u: NewElement %u for a key already there", op, isnew);
                CHECK(allocs == c.Allocs, "op %u: AllocateRoutine called for a duplicate", op);
                CHECK(e == where[k] && e->Stamp == stamp[k], "op %u: a duplicate insert changed the element", op);
            } else {
                CHECK(isnew == TRUE, "op %u: NewElement %u for a new key", op, isnew);
                CHECK(c.Allocs == allocs + 1, "op %u: %u allocations for one insert", op, c.Allocs - allocs);
                CHECK_EQ(c.LastByteSize, sizeof(RTL_BALANCED_LINKS) + sizeof(key));
                CHECK(memcmp(e, &key, sizeof(key)) == 0, "op %u: the element is not a copy of the buffer", op);
                CHECK(((ULONG *)((UCHAR *)node_of(e) - 16))[0] == BLOCK_MAGIC,
                      "op %u: the element does not follow the links at the start of the block", op);
                present[k] = TRUE;
                stamp[k] = op;
                where[k] = e;
                live++;
            }
        } else if (kind < 70) {
            /* Half the deletes pass the element itself as the key, as
             * drivers do: the table must not read it after freeing it. */
            PVOID arg = &key;
            if (present[k] && rnd(2) == 0)
                arg = c.ExpectFirst = where[k];
            BOOLEAN deleted = RtlDeleteElementGenericTableAvl(&t, arg);
            CHECK(deleted == present[k], "op %u: delete %u returned %u", op, k, deleted);
            CHECK(c.Frees == frees + (present[k] ? 1 : 0), "op %u: %u frees for one delete", op, c.Frees - frees);
            if (present[k]) {
                present[k] = FALSE;
                live--;
            }
        } else if (kind < 90) {
            ELEM *e = RtlLookupElementGenericTableAvl(&t, &key);
            CHECK(present[k] ? e == where[k] : e == NULL, "op %u: lookup %u gave %p", op, k, (void *)e);
        } else {
            /* The Full pair: look up, then insert where the lookup said. */
            PVOID nop = (PVOID)0x1234;
            TABLE_SEARCH_RESULT sr = (TABLE_SEARCH_RESULT)99;
            ELEM *e = RtlLookupElementGenericTableFullAvl(&t, &key, &nop, &sr);
            if (live == 0) {
                CHECK(sr == TableEmptyTree && e == NULL && nop == (PVOID)0x1234,
                      "op %u: empty table: result %d, node %p", op, sr, nop);
            } else if (present[k]) {
                CHECK(sr == TableFoundNode && e == where[k] && nop == (PVOID)node_of(e),
                      "op %u: found: result %d, element %p, node %p", op, sr, (void *)e, nop);
            } else {
                PRTL_BALANCED_LINKS parent = nop;
                CHECK(e == NULL && (sr == TableInsertAsLeft || sr == TableInsertAsRight), "op %u: result %d", op, sr);
                CHECK(sr == TableInsertAsLeft ? parent->LeftChild == NULL : parent->RightChild == NULL,
                      "op %u: the parent's side is not free", op);
            }
            BOOLEAN isnew = 99;
            ELEM *ins = RtlInsertElementGenericTableFullAvl(&t, &key, sizeof(key), &isnew, nop, sr);
            CHECK(ins != NULL && isnew == !present[k], "op %u: full insert %p NewElement %u", op, (void *)ins, isnew);
            if (ins != NULL && !present[k]) {
                CHECK(memcmp(ins, &key, sizeof(key)) == 0, "op %u: the element is not a copy of the buffer", op);
                present[k] = TRUE;
                stamp[k] = op;
                where[k] = ins;
                live++;
            }
        }
        c.ExpectFirst = NULL;
        CHECK(!c.BadFirst, "op %u: a CompareRoutine call did not get the caller's buffer first", op);
        c.BadFirst = FALSE;
        CHECK_EQ(RtlNumberGenericTableElementsAvl(&t), live);
        CHECK(RtlIsGenericTableEmptyAvl(&t) == (live == 0), "op %u: RtlIsGenericTableEmptyAvl", op);
        CHECK_EQ(c.Allocs - c.Frees, live);

        if (op % 500 == 0 || op < 50) {
            if (!check_tree(&t))
                FAIL("op %u: the tree is broken", op);
            /* Collation order, three ways: RtlGetElement (in a loop, and at
             * random places), both enumerations. */
            ULONG i = 0;
            PVOID restart = NULL;
            ELEM *en = RtlEnumerateGenericTableAvl(&t, TRUE);
            for (ULONG key2 = 0; key2 < KEYS; key2++) {
                if (!present[key2])
                    continue;
                ELEM *g = RtlGetElementGenericTableAvl(&t, i);
                ELEM *w = RtlEnumerateGenericTableWithoutSplayingAvl(&t, &restart);
                if (g != where[key2] || w != where[key2] || en != where[key2]) {
                    FAIL("op %u: element %u (key %u): get %p, without splaying %p, enumerate %p, expected %p", op,
                         i, key2, (void *)g, (void *)w, (void *)en, where[key2]);
                    break;
                }
                en = RtlEnumerateGenericTableAvl(&t, FALSE);
                i++;
            }
            CHECK(en == NULL && RtlEnumerateGenericTableWithoutSplayingAvl(&t, &restart) == NULL,
                  "op %u: the enumerations go past the last element", op);
            CHECK(RtlGetElementGenericTableAvl(&t, live) == NULL, "op %u: RtlGetElement past the end", op);
            for (int r = 0; r < 20 && live > 0; r++) {
                ULONG want = rnd(live), seen = 0;
                ELEM *g = RtlGetElementGenericTableAvl(&t, want);
                for (ULONG key2 = 0; key2 < KEYS; key2++)
                    if (present[key2] && seen++ == want)
                        CHECK(g == where[key2], "op %u: RtlGetElement(%u) is not element %u", op, want, key2);
            }
        }
    }
    CHECK(check_tree(&t), "the tree after the randomized run");

    /* A driver's clean-up (libwsk's): delete element 0 until none is left. */
    ELEM *e;
    while ((e = RtlGetElementGenericTableAvl(&t, 0)) != NULL && ow_test_failures < 20)
        CHECK(RtlDeleteElementGenericTableAvl(&t, e), "deleting element 0");
    CHECK(RtlIsGenericTableEmptyAvl(&t) && t.DepthOfTree == 0, "table not empty after the clean-up");
    CHECK(c.Allocs == c.Frees, "%u allocations, %u frees", c.Allocs, c.Frees);
}

/* ---- ordered inserts: the worst case of an unbalanced tree -------------- */

static void sequential(void)
{
    RTL_AVL_TABLE t;
    CTX c;
    init(&t, &c);
    for (ULONG k = 0; k < 10000; k++) {
        ELEM key = { .Major = k };
        RtlInsertElementGenericTableAvl(&t, &key, sizeof(key), NULL);   /* NewElement is optional */
    }
    check_tree(&t);
    CHECK(t.DepthOfTree <= 14, "10000 ordered inserts made a tree %u high (a balanced one is 14)", t.DepthOfTree);
    ELEM key = { .Major = 9999 };
    ULONG before = c.Compares;
    CHECK(RtlLookupElementGenericTableAvl(&t, &key) != NULL, "lookup of the last key");
    CHECK(c.Compares - before <= t.DepthOfTree, "a lookup took %u compares in a tree %u high",
          c.Compares - before, t.DepthOfTree);
    /* Enumerate and delete every odd element on the way: each element is
     * seen once, the even ones stay. */
    ULONG seen = 0, expect = 0;
    for (ELEM *p = RtlEnumerateGenericTableAvl(&t, TRUE); p != NULL; p = RtlEnumerateGenericTableAvl(&t, FALSE)) {
        if (p->Major != expect) {
            FAIL("enumeration while deleting: %u, expected %u", p->Major, expect);
            break;
        }
        expect++;
        seen++;
        if (p->Major % 2 == 1)
            RtlDeleteElementGenericTableAvl(&t, p);
    }
    CHECK_EQ(seen, 10000);
    CHECK_EQ(RtlNumberGenericTableElementsAvl(&t), 5000);
    CHECK_EQ(t.DeleteCount, 5000);
    check_tree(&t);
    /* Drain by enumeration from the start. */
    ELEM *p;
    while ((p = RtlEnumerateGenericTableAvl(&t, TRUE)) != NULL)
        RtlDeleteElementGenericTableAvl(&t, p);
    CHECK(RtlIsGenericTableEmptyAvl(&t) && c.Allocs == c.Frees, "%u allocations, %u frees", c.Allocs, c.Frees);
}

/* ---- failures, matching, the Full pair's placement ------------------------- */

static void details(void)
{
    RTL_AVL_TABLE t;
    CTX c;
    init(&t, &c);

    /* AllocateRoutine failing: NULL, NewElement FALSE, nothing inserted. */
    ELEM a = { .Major = 5 };
    BOOLEAN isnew = 99;
    c.FailAllocations = TRUE;
    CHECK(RtlInsertElementGenericTableAvl(&t, &a, sizeof(a), &isnew) == NULL && isnew == FALSE,
          "insert with a failing AllocateRoutine");
    CHECK(RtlIsGenericTableEmptyAvl(&t), "a failed insert left an element");
    c.FailAllocations = FALSE;

    /* The Full pair: TableInsertAsLeft/Right hang the new node there. */
    PVOID nop = NULL;
    TABLE_SEARCH_RESULT sr;
    CHECK(RtlInsertElementGenericTableAvl(&t, &a, sizeof(a), NULL) != NULL, "insert 5");
    ELEM b = { .Major = 3 };
    CHECK(RtlLookupElementGenericTableFullAvl(&t, &b, &nop, &sr) == NULL && sr == TableInsertAsLeft, "lookup 3");
    ELEM *eb = RtlInsertElementGenericTableFullAvl(&t, &b, sizeof(b), &isnew, nop, sr);
    CHECK(eb != NULL && isnew && ((PRTL_BALANCED_LINKS)nop)->LeftChild == node_of(eb) &&
          node_of(eb)->Parent == nop, "3 is not the left child of 5");
    ELEM d = { .Major = 9 };
    CHECK(RtlLookupElementGenericTableFullAvl(&t, &d, &nop, &sr) == NULL && sr == TableInsertAsRight, "lookup 9");
    ELEM *ed = RtlInsertElementGenericTableFullAvl(&t, &d, sizeof(d), &isnew, nop, sr);
    CHECK(ed != NULL && ((PRTL_BALANCED_LINKS)nop)->RightChild == node_of(ed), "9 is not the right child of 5");

    /* Several elements equal to one search buffer: the leftmost, then the
     * rest through RtlEnumerateGenericTableWithoutSplayingAvl. */
    for (ULONG m = 0; m < 4; m++) {
        ELEM x = { .Major = 7, .Minor = m };
        RtlInsertElementGenericTableAvl(&t, &x, sizeof(x), NULL);
    }
    ELEM any7 = { .Major = 7, .Minor = ANY };
    PVOID restart = NULL;
    ELEM *f = RtlLookupFirstMatchingElementGenericTableAvl(&t, &any7, &restart);
    CHECK(f != NULL && f->Major == 7 && f->Minor == 0, "first match of 7: %p", (void *)f);
    for (ULONG m = 1; m < 4; m++) {
        ELEM *n = RtlEnumerateGenericTableWithoutSplayingAvl(&t, &restart);
        CHECK(n != NULL && n->Major == 7 && n->Minor == m, "match %u after the first", m);
    }
    ELEM *after = RtlEnumerateGenericTableWithoutSplayingAvl(&t, &restart);
    CHECK(after == ed, "after the 7s comes 9");
    ELEM any8 = { .Major = 8, .Minor = ANY };
    restart = (PVOID)0x5678;
    CHECK(RtlLookupFirstMatchingElementGenericTableAvl(&t, &any8, &restart) == NULL, "a match for 8");
    CHECK(check_tree(&t), "the tree");

    while ((f = RtlEnumerateGenericTableAvl(&t, TRUE)) != NULL)
        RtlDeleteElementGenericTableAvl(&t, f);
    CHECK(c.Allocs == c.Frees, "%u allocations, %u frees", c.Allocs, c.Frees);
}

/* ---- what bug-checks ---------------------------------------------------------- */

static RTL_GENERIC_COMPARE_RESULTS NTAPI compare_like_strcmp(PRTL_AVL_TABLE Table, PVOID First, PVOID Second)
{
    (void)Table;
    ULONG a = *(ULONG *)First, b = *(ULONG *)Second;
    return (RTL_GENERIC_COMPARE_RESULTS)(a < b ? -1 : a > b);
}

static void bad_compare(void)
{
    RTL_AVL_TABLE t;
    RtlInitializeGenericTableAvl(&t, compare_like_strcmp, allocate, release, &(CTX){ 0 });
    ULONG k1 = 1, k2 = 0;
    RtlInsertElementGenericTableAvl(&t, &k1, sizeof(k1), NULL);
    RtlInsertElementGenericTableAvl(&t, &k2, sizeof(k2), NULL);
}

static void stale_full_insert(void)
{
    RTL_AVL_TABLE t;
    CTX c;
    init(&t, &c);
    ELEM a = { .Major = 1 }, b = { .Major = 2 };
    PVOID nop = NULL;
    TABLE_SEARCH_RESULT sr;
    RtlInsertElementGenericTableAvl(&t, &a, sizeof(a), NULL);
    RtlLookupElementGenericTableFullAvl(&t, &b, &nop, &sr);
    RtlInsertElementGenericTableAvl(&t, &b, sizeof(b), NULL);
    RtlInsertElementGenericTableFullAvl(&t, &b, sizeof(b), NULL, nop, sr);   /* the place is taken now */
}

int main(void)
{
    layout();
    randomized();
    sequential();
    details();
    CHECK_BUGCHECK(bad_compare, "CompareRoutine", "returned -1", "DRIVER_VERIFIER_DETECTED_VIOLATION");
    CHECK_BUGCHECK(stale_full_insert, "RtlInsertElementGenericTableFullAvl", "do not describe a free place");
    return ow_test_result("test_rtl_avl");
}
