/* SPDX-License-Identifier: MIT */
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_parse(int argc, char **argv, struct bench_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->n = 10000;
    o->c = 1;
    o->size = 64;
    o->addr = 0x7f000001u;
    o->threads = 1;
    o->lat = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODE [n=] [c=] [size=] [addr=] [port=] [tfo=] [threads=] [lat=]\n", argv[0]);
        return -1;
    }
    o->mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        unsigned b[4];
        if (strncmp(a, "n=", 2) == 0)
            o->n = atol(a + 2);
        else if (strncmp(a, "c=", 2) == 0)
            o->c = atol(a + 2);
        else if (strncmp(a, "size=", 5) == 0)
            o->size = atol(a + 5);
        else if (strncmp(a, "port=", 5) == 0)
            o->port = atoi(a + 5);
        else if (strncmp(a, "threads=", 8) == 0)
            o->threads = atoi(a + 8);
        else if (strncmp(a, "lat=", 4) == 0)
            o->lat = atoi(a + 4) != 0;
        else if (strncmp(a, "tfo=", 4) == 0)
            o->tfo = atoi(a + 4);
        else if (strncmp(a, "addr=", 5) == 0 && sscanf(a + 5, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4)
            o->addr = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
        else {
            fprintf(stderr, "%s: unknown option %s\n", argv[0], a);
            return -1;
        }
    }
    if (o->c < 1)
        o->c = 1;
    if (o->threads < 1)
        o->threads = 1;
    return 0;
}
