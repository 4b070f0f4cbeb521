/* SPDX-License-Identifier: MIT */
/* Per-thread free lists (cache.h). */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define OW_CACHE_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OW_CACHE_OFF 1
#endif
#endif

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

#define OW_CACHE_KEEP 64

struct free_obj {
    struct free_obj *next;
};

struct thread_lists {
    struct free_obj *head[OW_CACHE_KINDS];
    unsigned count[OW_CACHE_KINDS];
    size_t size[OW_CACHE_KINDS];
    int registered;
};

/* initial-exec: the library is built -fPIC, and the default TLS model
 * reaches this through a call to __tls_get_addr (relaxed by the linker,
 * but only after the compiler has saved registers around it in every
 * function here). Its 64 bytes fit the static TLS glibc keeps for a
 * library that is dlopened. */
static __thread struct thread_lists lists __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* At thread exit: the lists go back to malloc. */
static void drain(void *arg)
{
    struct thread_lists *l = arg;
    for (int k = 0; k < OW_CACHE_KINDS; k++) {
        struct free_obj *o;
        while ((o = l->head[k]) != NULL) {
            l->head[k] = o->next;
            free(o);
        }
        l->count[k] = 0;
    }
}

static void make_key(void) { (void)pthread_key_create(&exit_key, drain); }

/* The object of this thread's list, or NULL when it has none of `size`. */
static inline void *take(enum ow_cache_kind kind, size_t size)
{
    struct free_obj *o = lists.head[kind];
    if (o == NULL || lists.size[kind] != size)
        return NULL;
    lists.head[kind] = o->next;
    lists.count[kind]--;
    return o;
}

void *ow_cache_alloc_raw(enum ow_cache_kind kind, size_t size)
{
    void *o = take(kind, size);
    return o ? o : malloc(size);
}

/* The first free on this thread: arranges for the drain at its exit, then
 * frees as usual. Out of line, so that ow_cache_free's usual path calls
 * nothing and saves no registers. */
static __attribute__((noinline)) void free_first(enum ow_cache_kind kind, void *obj, size_t size)
{
    (void)pthread_once(&exit_once, make_key);
    lists.registered = 1;
    (void)pthread_setspecific(exit_key, &lists);
    ow_cache_free(kind, obj, size);
}

void ow_cache_free(enum ow_cache_kind kind, void *obj, size_t size)
{
    if (obj == NULL)
        return;
    if (!lists.registered) {
        free_first(kind, obj, size);
        return;
    }
    if (lists.count[kind] >= OW_CACHE_KEEP || (lists.count[kind] > 0 && lists.size[kind] != size)) {
        free(obj);
        return;
    }
    lists.size[kind] = size;
    struct free_obj *o = obj;
    o->next = lists.head[kind];
    lists.head[kind] = o;
    lists.count[kind]++;
}

#endif
