/* SPDX-License-Identifier: MIT */
/* Bench helpers (Linux side). No socket types here: WDK-world bench files
 * include it, as tests/support/peer.h is included by WSK tests. */
#ifndef OPENWSK_BENCH_UTIL_H
#define OPENWSK_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

uint64_t bu_now_ns(void);                 /* CLOCK_MONOTONIC */
void bu_pin_cpu(int cpu);                 /* best effort; no-op with one CPU */
void bu_raise_nofile(void);               /* RLIMIT_NOFILE up to fs.nr_open */
long bu_rss_kb(void);                     /* this process's resident set */
double bu_cpu_us(void);                   /* user + system CPU of this process */
/* Sorts v in place; returns the q-quantile (0..1). */
uint64_t bu_quantile(uint64_t *v, size_t n, double q);
/* A round-trip run's result: "rate=R p50_us=P p99_us=Q" from the n
 * latencies in lat, or "rate=R" alone when lat is NULL (run with lat=0). */
void bu_rr_result(char *res, size_t len, double rate, uint64_t *lat, size_t n);

/* The bench server (bench_server MODE ...), run as a separate process pinned
 * to the last CPU, listening on 127.0.0.1: mode "sink" reads until EOF and
 * closes, "echo" writes back what it reads. Returns its port (host order),
 * 0 on failure. bu_server_stop() ends it and reports what it saw. */
int bu_server_start(const char *mode);
void bu_server_stop(unsigned long long *conns, unsigned long long *bytes);

/* Prints "RESULT key=value ..." (the line bench/run.sh parses). */
void bu_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
