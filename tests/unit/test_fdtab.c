/* SPDX-License-Identifier: MIT */
/* The engine's fd table (src/engine/internal.h): entries made in chunks as
 * fds are first used, zeroed, and never moved by later growth (a backend may
 * hold an entry while a completion it runs opens more sockets); find does
 * not make what get would. */
#include "engine/internal.h"
#include "support/check.h"

#include <string.h>

static int zeroed(const struct ow_fdent *e)
{
    static const struct ow_fdent zero;
    return memcmp(e, &zero, sizeof(zero)) == 0;
}

static void grows_in_chunks(void)
{
    struct ow_fdtab t;
    memset(&t, 0, sizeof(t));
    CHECK(ow_fdtab_find(&t, 0) == NULL, "an empty table has no entry");
    CHECK(ow_fdtab_get(&t, -1) == NULL, "no entry for a negative fd");
    CHECK(ow_fdtab_find(&t, -1) == NULL, "no entry for a negative fd");

    struct ow_fdent *e3 = ow_fdtab_get(&t, 3);
    CHECK(e3 != NULL && zeroed(e3), "fd 3: a zeroed entry");
    e3->events = 0x5;
    CHECK(ow_fdtab_find(&t, 3) == e3, "found where it was made");
    CHECK(ow_fdtab_find(&t, 5) != NULL, "fd 5 shares fd 3's chunk");
    CHECK(ow_fdtab_find(&t, (int)OW_FDTAB_CHUNK) == NULL, "the next chunk is not made yet");

    /* Far past the first chunk: the pointers array grows, entries stay put. */
    int far = 100 * (int)OW_FDTAB_CHUNK + 7;
    struct ow_fdent *ef = ow_fdtab_get(&t, far);
    CHECK(ef != NULL && zeroed(ef), "fd %d: a zeroed entry", far);
    CHECK(ow_fdtab_find(&t, 3) == e3, "fd 3's entry did not move");
    CHECK_EQ(e3->events, 0x5u);
    CHECK(ow_fdtab_find(&t, 50 * (int)OW_FDTAB_CHUNK) == NULL, "chunks between are not made");
    CHECK(ow_fdtab_get(&t, far) == ef, "get of a made entry returns it");
    ow_fdtab_free(&t);
    CHECK(ow_fdtab_find(&t, 3) == NULL, "freed: empty again");
}

int main(void)
{
    grows_in_chunks();
    return ow_test_result("test_fdtab");
}
