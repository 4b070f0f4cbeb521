/* SPDX-License-Identifier: MIT */
/* AVL generic tables (ntddk.h's RTL_AVL_TABLE and Rtl...GenericTableAvl).
 *
 * Each element lives in one block from the caller's AllocateRoutine of
 * sizeof(RTL_BALANCED_LINKS) + BufferSize bytes: the node's links, then the
 * caller's data (a copy of the inserted buffer), which is what every routine
 * returns. Nodes never move and their data is never copied again, so a
 * pointer to an element stays valid until that element is deleted.
 *
 * Table->BalancedRoot is a sentinel: its RightChild is the root and the
 * root's Parent is the sentinel, so no link update needs a special case for
 * the root. Balance = height(right) - height(left), in -1..1 between calls;
 * DepthOfTree is kept equal to the tree's height.
 *
 * Costs: insert, lookup and delete O(log n). RtlGetElementGenericTableAvl
 * walks in order from the nearest of the first element, the last one and the
 * element it returned last (OrderedPointer, WhichOrderedElement), so a loop
 * over I = 0, 1, 2... costs O(1) a step but one random index O(n); the nodes
 * have no room for subtree sizes (the caller's AllocateRoutine gives exactly
 * the links and the data). Enumeration steps are O(1) amortised.
 *
 * Indexes count in collation order. RtlGetElementGenericTableAvl's page
 * speaks of "the Ith element inserted", but an AVL table keeps no insertion
 * order (RTL_AVL_TABLE has no member for one): index I is the element the
 * I-th step of an enumeration returns. */
#include "kernel.h"

#include <string.h>

#define OW_AVL_LEFT  0
#define OW_AVL_RIGHT 1

static PRTL_BALANCED_LINKS avl_sentinel(PRTL_AVL_TABLE Table)
{
    return &Table->BalancedRoot;
}

static PRTL_BALANCED_LINKS avl_root(PRTL_AVL_TABLE Table)
{
    return Table->BalancedRoot.RightChild;
}

static PVOID avl_data(PRTL_BALANCED_LINKS Node)
{
    return Node + 1;
}

static RTL_GENERIC_COMPARE_RESULTS avl_compare(PRTL_AVL_TABLE Table, PVOID Buffer, PRTL_BALANCED_LINKS Node)
{
    RTL_GENERIC_COMPARE_RESULTS r = Table->CompareRoutine(Table, Buffer, avl_data(Node));
    if (r != GenericLessThan && r != GenericGreaterThan && r != GenericEqual)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1C00, (ULONG_PTR)Table, (ULONG_PTR)r, 0,
                     "the CompareRoutine of AVL table %p returned %d, which is not GenericLessThan (0), "
                     "GenericGreaterThan (1) or GenericEqual (2)", (void *)Table, (int)r);
    return r;
}

static PRTL_BALANCED_LINKS avl_leftmost(PRTL_BALANCED_LINKS Node)
{
    while (Node->LeftChild != NULL)
        Node = Node->LeftChild;
    return Node;
}

static PRTL_BALANCED_LINKS avl_rightmost(PRTL_BALANCED_LINKS Node)
{
    while (Node->RightChild != NULL)
        Node = Node->RightChild;
    return Node;
}

static PRTL_BALANCED_LINKS avl_next(PRTL_AVL_TABLE Table, PRTL_BALANCED_LINKS Node)
{
    if (Node->RightChild != NULL)
        return avl_leftmost(Node->RightChild);
    PRTL_BALANCED_LINKS p = Node->Parent;
    while (p != avl_sentinel(Table) && Node == p->RightChild) {
        Node = p;
        p = p->Parent;
    }
    return p == avl_sentinel(Table) ? NULL : p;
}

static PRTL_BALANCED_LINKS avl_prev(PRTL_AVL_TABLE Table, PRTL_BALANCED_LINKS Node)
{
    if (Node->LeftChild != NULL)
        return avl_rightmost(Node->LeftChild);
    PRTL_BALANCED_LINKS p = Node->Parent;
    while (p != avl_sentinel(Table) && Node == p->LeftChild) {
        Node = p;
        p = p->Parent;
    }
    return p == avl_sentinel(Table) ? NULL : p;
}

/* Points Parent's link that held Old at New (the sentinel's is RightChild). */
static void avl_replace_child(PRTL_BALANCED_LINKS Parent, PRTL_BALANCED_LINKS Old, PRTL_BALANCED_LINKS New)
{
    if (Parent->LeftChild == Old)
        Parent->LeftChild = New;
    else
        Parent->RightChild = New;
}

/* The rotations keep every balance exact for any balances of X and its
 * child (so they serve insertion and deletion alike). */
static PRTL_BALANCED_LINKS avl_rotate_left(PRTL_BALANCED_LINKS X)
{
    PRTL_BALANCED_LINKS y = X->RightChild;
    X->RightChild = y->LeftChild;
    if (y->LeftChild != NULL)
        y->LeftChild->Parent = X;
    y->Parent = X->Parent;
    avl_replace_child(X->Parent, X, y);
    y->LeftChild = X;
    X->Parent = y;
    CHAR xb = X->Balance, yb = y->Balance;
    xb = (CHAR)(xb - 1 - (yb > 0 ? yb : 0));
    yb = (CHAR)(yb - 1 + (xb < 0 ? xb : 0));
    X->Balance = xb;
    y->Balance = yb;
    return y;
}

static PRTL_BALANCED_LINKS avl_rotate_right(PRTL_BALANCED_LINKS X)
{
    PRTL_BALANCED_LINKS y = X->LeftChild;
    X->LeftChild = y->RightChild;
    if (y->RightChild != NULL)
        y->RightChild->Parent = X;
    y->Parent = X->Parent;
    avl_replace_child(X->Parent, X, y);
    y->RightChild = X;
    X->Parent = y;
    CHAR xb = X->Balance, yb = y->Balance;
    xb = (CHAR)(xb + 1 - (yb < 0 ? yb : 0));
    yb = (CHAR)(yb + 1 + (xb > 0 ? xb : 0));
    X->Balance = xb;
    y->Balance = yb;
    return y;
}

/* Node's balance is +2 or -2: rotates; returns the subtree's new root. */
static PRTL_BALANCED_LINKS avl_rebalance(PRTL_BALANCED_LINKS Node)
{
    if (Node->Balance > 0) {
        if (Node->RightChild->Balance < 0)
            avl_rotate_right(Node->RightChild);
        return avl_rotate_left(Node);
    }
    if (Node->LeftChild->Balance > 0)
        avl_rotate_left(Node->LeftChild);
    return avl_rotate_right(Node);
}

/* Node was just linked as a leaf: retrace upwards while subtrees grow. */
static void avl_insert_fixup(PRTL_AVL_TABLE Table, PRTL_BALANCED_LINKS Node)
{
    PRTL_BALANCED_LINKS child = Node, p = Node->Parent;
    while (p != avl_sentinel(Table)) {
        p->Balance = (CHAR)(p->Balance + (child == p->LeftChild ? -1 : 1));
        if (p->Balance == 0)
            return;                     /* p's height did not change */
        if (p->Balance == 2 || p->Balance == -2) {
            avl_rebalance(p);           /* back to p's height before the insert */
            return;
        }
        child = p;
        p = p->Parent;
    }
    Table->DepthOfTree++;               /* the root's height grew */
}

/* The Side subtree of P lost one level of height: retrace upwards. */
static void avl_delete_fixup(PRTL_AVL_TABLE Table, PRTL_BALANCED_LINKS P, int Side)
{
    while (P != avl_sentinel(Table)) {
        P->Balance = (CHAR)(P->Balance + (Side == OW_AVL_LEFT ? 1 : -1));
        if (P->Balance == 1 || P->Balance == -1)
            return;                     /* was 0: P's height did not change */
        if (P->Balance == 2 || P->Balance == -2) {
            P = avl_rebalance(P);
            if (P->Balance != 0)
                return;                 /* a rotation that kept the height */
        }
        PRTL_BALANCED_LINKS parent = P->Parent;
        Side = parent->LeftChild == P ? OW_AVL_LEFT : OW_AVL_RIGHT;
        P = parent;
    }
    Table->DepthOfTree--;               /* the root's height shrank */
}

/* Where Buffer is or would go: the node and TableFoundNode, or the parent
 * and the side, or TableEmptyTree (*NodeOrParent untouched). */
static TABLE_SEARCH_RESULT avl_find(PRTL_AVL_TABLE Table, PVOID Buffer, PRTL_BALANCED_LINKS *NodeOrParent)
{
    PRTL_BALANCED_LINKS n = avl_root(Table);
    if (n == NULL)
        return TableEmptyTree;
    for (;;) {
        RTL_GENERIC_COMPARE_RESULTS r = avl_compare(Table, Buffer, n);
        if (r == GenericEqual) {
            *NodeOrParent = n;
            return TableFoundNode;
        }
        PRTL_BALANCED_LINKS next = r == GenericLessThan ? n->LeftChild : n->RightChild;
        if (next == NULL) {
            *NodeOrParent = n;
            return r == GenericLessThan ? TableInsertAsLeft : TableInsertAsRight;
        }
        n = next;
    }
}

/* Insertions and deletions renumber elements: forget RtlGetElement's place. */
static void avl_forget_ordered(PRTL_AVL_TABLE Table)
{
    Table->OrderedPointer = NULL;
    Table->WhichOrderedElement = 0;
}

VOID RtlInitializeGenericTableAvl(PRTL_AVL_TABLE Table, PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                  PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine, PRTL_AVL_FREE_ROUTINE FreeRoutine,
                                  PVOID TableContext)
{
    ow_irql_at_most("RtlInitializeGenericTableAvl", DISPATCH_LEVEL);
    memset(Table, 0, sizeof(*Table));
    Table->BalancedRoot.Parent = avl_sentinel(Table);
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

PVOID RtlInsertElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                          PBOOLEAN NewElement, PVOID NodeOrParent,
                                          TABLE_SEARCH_RESULT SearchResult)
{
    PRTL_BALANCED_LINKS parent = NodeOrParent;
    if (NewElement != NULL)
        *NewElement = FALSE;
    if (SearchResult == TableFoundNode)
        return avl_data(parent);

    /* A search result that no longer fits the tree would corrupt it. */
    BOOLEAN fits;
    switch (SearchResult) {
    case TableEmptyTree:     fits = avl_root(Table) == NULL; break;
    case TableInsertAsLeft:  fits = parent != NULL && parent->LeftChild == NULL; break;
    case TableInsertAsRight: fits = parent != NULL && parent->RightChild == NULL; break;
    default:                 fits = FALSE; break;
    }
    if (!fits)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1C01, (ULONG_PTR)Table, (ULONG_PTR)NodeOrParent,
                     (ULONG_PTR)SearchResult,
                     "RtlInsertElementGenericTableFullAvl on table %p with search result %d and node %p, "
                     "which do not describe a free place in the table (stale since the lookup?)",
                     (void *)Table, (int)SearchResult, NodeOrParent);

    if (BufferSize > (CLONG)-1 - sizeof(RTL_BALANCED_LINKS))
        return NULL;
    PRTL_BALANCED_LINKS node = Table->AllocateRoutine(Table, (CLONG)(sizeof(RTL_BALANCED_LINKS) + BufferSize));
    if (node == NULL)
        return NULL;
    memset(node, 0, sizeof(*node));
    memcpy(avl_data(node), Buffer, BufferSize);

    if (SearchResult == TableEmptyTree) {
        parent = avl_sentinel(Table);
        parent->RightChild = node;
    } else if (SearchResult == TableInsertAsLeft) {
        parent->LeftChild = node;
    } else {
        parent->RightChild = node;
    }
    node->Parent = parent;
    Table->NumberGenericTableElements++;
    avl_forget_ordered(Table);
    avl_insert_fixup(Table, node);
    if (NewElement != NULL)
        *NewElement = TRUE;
    return avl_data(node);
}

PVOID RtlInsertElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                      PBOOLEAN NewElement)
{
    PRTL_BALANCED_LINKS where = NULL;
    TABLE_SEARCH_RESULT r = avl_find(Table, Buffer, &where);
    return RtlInsertElementGenericTableFullAvl(Table, Buffer, BufferSize, NewElement, where, r);
}

PVOID RtlLookupElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID *NodeOrParent,
                                          TABLE_SEARCH_RESULT *SearchResult)
{
    PRTL_BALANCED_LINKS where = NULL;
    TABLE_SEARCH_RESULT r = avl_find(Table, Buffer, &where);
    *SearchResult = r;
    if (r == TableEmptyTree)
        return NULL;
    *NodeOrParent = where;
    return r == TableFoundNode ? avl_data(where) : NULL;
}

PVOID RtlLookupElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer)
{
    PRTL_BALANCED_LINKS where = NULL;
    return avl_find(Table, Buffer, &where) == TableFoundNode ? avl_data(where) : NULL;
}

PVOID RtlLookupFirstMatchingElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID *RestartKey)
{
    /* Equal elements are contiguous in collation order: keep going left
     * after each match. */
    PRTL_BALANCED_LINKS n = avl_root(Table), match = NULL;
    while (n != NULL) {
        RTL_GENERIC_COMPARE_RESULTS r = avl_compare(Table, Buffer, n);
        if (r == GenericEqual)
            match = n;
        n = r == GenericGreaterThan ? n->RightChild : n->LeftChild;
    }
    if (match == NULL)
        return NULL;
    *RestartKey = match;
    return avl_data(match);
}

BOOLEAN RtlDeleteElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer)
{
    PRTL_BALANCED_LINKS z = NULL;
    if (avl_find(Table, Buffer, &z) != TableFoundNode)
        return FALSE;
    /* Buffer may lie inside z (the caller passed an element back): it is
     * not read again below. */

    if (Table->RestartKey == z)         /* RtlEnumerateGenericTableAvl goes on after it */
        Table->RestartKey = avl_prev(Table, z);

    PRTL_BALANCED_LINKS p;
    int side;
    if (z->LeftChild == NULL || z->RightChild == NULL) {
        PRTL_BALANCED_LINKS child = z->LeftChild != NULL ? z->LeftChild : z->RightChild;
        p = z->Parent;
        side = p->LeftChild == z ? OW_AVL_LEFT : OW_AVL_RIGHT;
        avl_replace_child(p, z, child);
        if (child != NULL)
            child->Parent = p;
    } else {
        /* z's successor y (no left child) takes z's place; the links move,
         * the elements' data stay where they are. */
        PRTL_BALANCED_LINKS y = avl_leftmost(z->RightChild);
        if (y->Parent == z) {
            p = y;
            side = OW_AVL_RIGHT;
        } else {
            p = y->Parent;
            side = OW_AVL_LEFT;
            p->LeftChild = y->RightChild;
            if (y->RightChild != NULL)
                y->RightChild->Parent = p;
            y->RightChild = z->RightChild;
            y->RightChild->Parent = y;
        }
        y->LeftChild = z->LeftChild;
        y->LeftChild->Parent = y;
        y->Parent = z->Parent;
        avl_replace_child(z->Parent, z, y);
        y->Balance = z->Balance;
    }
    avl_delete_fixup(Table, p, side);

    Table->NumberGenericTableElements--;
    Table->DeleteCount++;
    avl_forget_ordered(Table);
    Table->FreeRoutine(Table, z);
    return TRUE;
}

PVOID RtlGetElementGenericTableAvl(PRTL_AVL_TABLE Table, ULONG I)
{
    ULONG n = Table->NumberGenericTableElements;
    if (I >= n)
        return NULL;
    /* Walk from the closest known place: the first, the last, or the one
     * found last time (WhichOrderedElement is its index + 1). */
    PRTL_BALANCED_LINKS node = avl_leftmost(avl_root(Table));
    ULONG at = 0, cost = I;
    if (n - 1 - I < cost) {
        node = avl_rightmost(avl_root(Table));
        at = n - 1;
        cost = n - 1 - I;
    }
    if (Table->WhichOrderedElement != 0) {
        ULONG c = Table->WhichOrderedElement - 1;
        if ((c > I ? c - I : I - c) < cost) {
            node = Table->OrderedPointer;
            at = c;
        }
    }
    while (at < I) {
        node = avl_next(Table, node);
        at++;
    }
    while (at > I) {
        node = avl_prev(Table, node);
        at--;
    }
    Table->OrderedPointer = node;
    Table->WhichOrderedElement = I + 1;
    return avl_data(node);
}

ULONG RtlNumberGenericTableElementsAvl(PRTL_AVL_TABLE Table)
{
    return Table->NumberGenericTableElements;
}

BOOLEAN RtlIsGenericTableEmptyAvl(PRTL_AVL_TABLE Table)
{
    return Table->NumberGenericTableElements == 0 ? TRUE : FALSE;
}

PVOID RtlEnumerateGenericTableWithoutSplayingAvl(PRTL_AVL_TABLE Table, PVOID *RestartKey)
{
    PRTL_BALANCED_LINKS node;
    if (*RestartKey == NULL)
        node = avl_root(Table) == NULL ? NULL : avl_leftmost(avl_root(Table));
    else
        node = avl_next(Table, (PRTL_BALANCED_LINKS)*RestartKey);
    if (node == NULL)
        return NULL;
    *RestartKey = node;
    return avl_data(node);
}

PVOID RtlEnumerateGenericTableAvl(PRTL_AVL_TABLE Table, BOOLEAN Restart)
{
    PVOID key = Restart ? NULL : Table->RestartKey;
    PVOID data = RtlEnumerateGenericTableWithoutSplayingAvl(Table, &key);
    Table->RestartKey = key;            /* at the end: still the last element */
    return data;
}
