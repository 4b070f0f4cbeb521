/* SPDX-License-Identifier: MIT */
/* ow_cache (src/engine/cache.h): what comes back from the per-thread lists
 * is zeroed and of the size asked for, whichever thread freed it, and a
 * thread's lists are freed when it ends (LeakSanitizer and valgrind see
 * them otherwise; under ASan the cache is off, so this runs on plain builds
 * too). */
#include "engine/cache.h"
#include "support/check.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define N 200

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void reuse_is_zeroed(void)
{
    void *objs[N];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            objs[i] = ow_cache_alloc(OW_CACHE_REQ, 312);
            CHECK(objs[i] != NULL, "allocation failed");
            CHECK(all_zero(objs[i], 312), "round %d: object %d not zeroed", round, i);
            memset(objs[i], 0xA5, 312);
        }
        for (int i = 0; i < N; i++)
            ow_cache_free(OW_CACHE_REQ, objs[i], 312);
    }
    ow_cache_free(OW_CACHE_REQ, NULL, 312);   /* like free(NULL) */
}

/* A kind whose size differs from what its list holds gets fresh memory of
 * the right size (ASan would catch an overrun on the plain path). */
static void size_change(void)
{
    void *a = ow_cache_alloc(OW_CACHE_OP, 64);
    memset(a, 0x5A, 64);
    ow_cache_free(OW_CACHE_OP, a, 64);
    unsigned char *b = ow_cache_alloc(OW_CACHE_OP, 4096);
    CHECK(b != NULL && all_zero(b, 4096), "a bigger object came back dirty");
    memset(b, 1, 4096);
    ow_cache_free(OW_CACHE_OP, b, 4096);
}

static void *allocator(void *arg)
{
    void **objs = arg;
    for (int i = 0; i < N; i++) {
        objs[i] = ow_cache_alloc(OW_CACHE_SOCKET, 400);
        memset(objs[i], 0x33, 400);
    }
    return NULL;
}

static void *freer(void *arg)
{
    void **objs = arg;
    for (int i = 0; i < N; i++)
        ow_cache_free(OW_CACHE_SOCKET, objs[i], 400);
    /* Cached here, then freed by this thread's exit. */
    void *again = ow_cache_alloc(OW_CACHE_SOCKET, 400);
    CHECK(again != NULL && all_zero(again, 400), "reused object not zeroed");
    ow_cache_free(OW_CACHE_SOCKET, again, 400);
    return NULL;
}

static void across_threads(void)
{
    void *objs[N];
    pthread_t t;
    CHECK(pthread_create(&t, NULL, allocator, objs) == 0, "pthread_create");
    pthread_join(t, NULL);
    CHECK(pthread_create(&t, NULL, freer, objs) == 0, "pthread_create");
    pthread_join(t, NULL);
}

int main(void)
{
    reuse_is_zeroed();
    size_change();
    across_threads();
    return ow_test_result("test_cache");
}
