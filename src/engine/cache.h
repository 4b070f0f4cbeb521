/* SPDX-License-Identifier: MIT */
/* ow_cache: per-thread free lists for the objects every operation makes and
 * frees (requests, sockets, and bare engine ops: the engine's forget
 * records; io_uring keeps its close ops in each shard's own list, uring.c).
 *
 * calloc and free cost about 300 instructions a pair in glibc; a connect
 * makes three such objects. A freed object goes to the freeing thread's
 * list (at most OW_CACHE_KEEP of each kind), and the next allocation on
 * that thread takes it back, zeroed. Lists are freed when their thread ends.
 *
 * Under AddressSanitizer every call goes straight to calloc/free, so a use
 * after free is still caught at the first touch. */
#ifndef OPENWSK_ENGINE_CACHE_H
#define OPENWSK_ENGINE_CACHE_H

#include <stddef.h>
#include <string.h>

enum ow_cache_kind { OW_CACHE_REQ, OW_CACHE_SOCKET, OW_CACHE_OP, OW_CACHE_KINDS };

/* Zeroes the first n bytes of p (n a constant) with unrolled 16-byte
 * stores: a memset of a few hundred bytes costs some fifty instructions
 * in glibc, and one of a constant size compiles to rep stos, which costs
 * one per 8 bytes (and in cycles more than the stores). */
static inline void ow_zero(void *p, size_t n)
{
    unsigned char *b = p;
    size_t i = 0;
#pragma GCC unroll 32
    for (; i + 16 <= n; i += 16)
        memset(b + i, 0, 16);
    memset(b + i, 0, n - i);
}

#if defined(__SANITIZE_ADDRESS__)
#define OW_CACHE_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OW_CACHE_OFF 1
#endif
#endif

#ifdef OW_CACHE_OFF

/* An object of `size` bytes (one size per kind), not zeroed, or NULL: for
 * an object whose maker writes what it needs and zeroes the rest itself (a
 * request leaves its large buffers unwritten). */
void *ow_cache_alloc_raw(enum ow_cache_kind kind, size_t size);
/* obj came from ow_cache_alloc(kind, size), or is NULL. */
void ow_cache_free(enum ow_cache_kind kind, void *obj, size_t size);
/* Nothing is listed: every object comes from ow_cache_alloc_raw. */
static inline void *ow_cache_take(enum ow_cache_kind kind, size_t size)
{
    (void)kind;
    (void)size;
    return NULL;
}

#else

#include <stdlib.h>

#define OW_CACHE_KEEP 64

struct ow_cache_obj {
    struct ow_cache_obj *next;
};

struct ow_cache_lists {
    struct ow_cache_obj *head[OW_CACHE_KINDS];
    unsigned count[OW_CACHE_KINDS];
    size_t size[OW_CACHE_KINDS];
    int registered;                    /* the drain at thread exit is arranged */
};

/* This thread's lists (cache.c). initial-exec: the library is built -fPIC,
 * and the default TLS model reaches this through a call to __tls_get_addr.
 * Its 64 bytes fit the static TLS glibc keeps for a library that is
 * dlopened. Read inline: a request is made and freed on every call, and
 * the calls to cache.c cost more than the list work. */
extern __thread struct ow_cache_lists ow_cache_lists __attribute__((tls_model("initial-exec")));

/* ow_cache_free's other cases: the thread's first free, a full list, a size
 * the list does not hold. */
void ow_cache_free_slow(enum ow_cache_kind kind, void *obj, size_t size);

/* A listed object of `size` bytes, not zeroed, or NULL when the list has
 * none: for a maker whose call of ow_cache_alloc_raw (malloc) is on a path
 * of its own, so that the usual one makes no call (ow_engine_close). */
static inline void *ow_cache_take(enum ow_cache_kind kind, size_t size)
{
    struct ow_cache_obj *o = ow_cache_lists.head[kind];
    if (o == NULL || ow_cache_lists.size[kind] != size)
        return NULL;
    ow_cache_lists.head[kind] = o->next;
    ow_cache_lists.count[kind]--;
    return o;
}

/* An object of `size` bytes (one size per kind), not zeroed, or NULL: for
 * an object whose maker writes what it needs and zeroes the rest itself (a
 * request leaves its large buffers unwritten). */
static inline void *ow_cache_alloc_raw(enum ow_cache_kind kind, size_t size)
{
    void *o = ow_cache_take(kind, size);
    return o != NULL ? o : malloc(size);
}

/* obj came from ow_cache_alloc(kind, size), or is NULL. */
static inline void ow_cache_free(enum ow_cache_kind kind, void *obj, size_t size)
{
    if (obj == NULL)
        return;
    unsigned n = ow_cache_lists.count[kind];
    if (!ow_cache_lists.registered || n >= OW_CACHE_KEEP || (n > 0 && ow_cache_lists.size[kind] != size)) {
        ow_cache_free_slow(kind, obj, size);
        return;
    }
    ow_cache_lists.size[kind] = size;
    struct ow_cache_obj *o = obj;
    o->next = ow_cache_lists.head[kind];
    ow_cache_lists.head[kind] = o;
    ow_cache_lists.count[kind] = n + 1;
}

#endif

/* The same, zeroed. Inline, so that the zeroing of a constant size is
 * unrolled at the caller (ow_zero). */
static inline void *ow_cache_alloc(enum ow_cache_kind kind, size_t size)
{
    void *o = ow_cache_alloc_raw(kind, size);
    if (o != NULL)
        ow_zero(o, size);
    return o;
}
#endif
