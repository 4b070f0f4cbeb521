/* SPDX-License-Identifier: MIT */
/* Per-thread free lists (cache.h). */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>

#ifdef OW_CACHE_OFF

/* malloc, not calloc: AddressSanitizer fills it with garbage (0xbe), so a
 * field the maker forgot to set does not pass the tests by luck. */
void *ow_cache_alloc_raw(enum ow_cache_kind kind, size_t size)
{
    (void)kind;
    return malloc(size);
}

void ow_cache_free(enum ow_cache_kind kind, void *obj, size_t size)
{
    (void)kind;
    (void)size;
    free(obj);
}

#else

__thread struct ow_cache_lists ow_cache_lists __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* At thread exit: the lists go back to malloc. */
static void drain(void *arg)
{
    struct ow_cache_lists *l = arg;
    for (int k = 0; k < OW_CACHE_KINDS; k++) {
        struct ow_cache_obj *o;
        while ((o = l->head[k]) != NULL) {
            l->head[k] = o->next;
            free(o);
        }
        l->count[k] = 0;
    }
}

static void make_key(void) { (void)pthread_key_create(&exit_key, drain); }

void ow_cache_free_slow(enum ow_cache_kind kind, void *obj, size_t size)
{
    if (!ow_cache_lists.registered) {
        /* The first free on this thread: arranges for the drain at its exit. */
        (void)pthread_once(&exit_once, make_key);
        ow_cache_lists.registered = 1;
        (void)pthread_setspecific(exit_key, &ow_cache_lists);
        ow_cache_free(kind, obj, size);
        return;
    }
    free(obj);                         /* a full list, or one holding another size */
}

#endif
