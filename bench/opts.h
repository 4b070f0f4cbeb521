/* SPDX-License-Identifier: MIT */
/* Command-line options shared by bench_raw and bench_wsk (no socket types):
 *   PROGRAM MODE [n=COUNT] [c=IN_FLIGHT] [size=BYTES] [addr=A.B.C.D] [port=P] [tfo=0|1] [threads=T]
 *                [lat=0|1]
 * The bench server is started by the program itself unless port= is given. */
#ifndef OPENWSK_BENCH_OPTS_H
#define OPENWSK_BENCH_OPTS_H

struct bench_opts {
    const char *mode;
    long n;          /* operations (connections, round trips, sends) */
    long c;          /* in flight (connections at once) */
    long size;       /* bytes per operation */
    unsigned addr;   /* IPv4, host byte order (127.0.0.1 by default) */
    int port;        /* 0: start bench_server */
    int tfo;
    int threads;     /* calling threads (conn-threads), each with c in flight */
    int lat;         /* rr: time each round trip (1, the default); 0 for the instruction
                        counts, which measure the operation, not the bench's clock reads
                        and its selection of quantiles after the run */
};

/* Returns 0, or -1 after printing usage. */
int bench_parse(int argc, char **argv, struct bench_opts *o);

#endif
