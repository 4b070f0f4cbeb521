/* SPDX-License-Identifier: MIT */
/* Giving a driver its own definitions of names that are also defined
 * earlier in the process (libc's connect, send, getaddrinfo, htons…, or a
 * sanitizer's interceptors of them). See docs/openwsk-load.md. */
#ifndef OPENWSK_LOAD_OWN_SYMBOLS_H
#define OPENWSK_LOAD_OWN_SYMBOLS_H

#include <stddef.h>

typedef struct {
    unsigned Rebound;      /* references moved to the driver's own definition */
    unsigned Remaining;    /* references still bound elsewhere after the pass */
    char Names[512];       /* the names concerned, comma-separated (cut if long) */
    const char *Failure;   /* why the pass could not run, or NULL */
} OW_OWN_SYMBOLS;

/* Rebinds every dynamic reference of the object behind `handle` (a dlopen
 * handle) to the object's own definition of that name, as -Wl,-Bsymbolic
 * would have at link time. Returns 0 when nothing remains bound elsewhere. */
int OwBindOwnDefinitions(void *handle, OW_OWN_SYMBOLS *result);

/* Why `path` exports no `name`: a sentence, or NULL when the file's symbol
 * table does not say (stripped, unreadable, or the name is truly absent). */
const char *OwWhyNotExported(const char *path, const char *name, char *buf, size_t size);

#endif
