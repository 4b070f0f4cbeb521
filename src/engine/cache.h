/* SPDX-License-Identifier: MIT */
/* ow_cache: per-thread free lists for the objects every operation makes and
 * frees (requests, sockets, and bare engine ops: the engine's forget
 * records, a socket's close).
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

enum ow_cache_kind { OW_CACHE_REQ, OW_CACHE_SOCKET, OW_CACHE_OP, OW_CACHE_KINDS };

/* A zeroed object of `size` bytes (one size per kind), or NULL. */
void *ow_cache_alloc(enum ow_cache_kind kind, size_t size);
/* The same, not zeroed: for an object whose maker writes what it needs and
 * zeroes the rest itself (a request leaves its large buffers unwritten). */
void *ow_cache_alloc_raw(enum ow_cache_kind kind, size_t size);
/* obj came from ow_cache_alloc(kind, size), or is NULL. */
void ow_cache_free(enum ow_cache_kind kind, void *obj, size_t size);

#endif
