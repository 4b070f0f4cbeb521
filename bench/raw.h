/* SPDX-License-Identifier: MIT */
/* The plain-C baselines of bench_raw (Linux world). Each returns the number of
 * errors and writes "key=value ..." figures into res. */
#ifndef OPENWSK_BENCH_RAW_H
#define OPENWSK_BENCH_RAW_H

#include "opts.h"

#include <stddef.h>

int raw_conn_uring(const struct bench_opts *o, char *res, size_t len);
int raw_conn_epoll(const struct bench_opts *o, char *res, size_t len);
int raw_rr(const struct bench_opts *o, char *res, size_t len);
int raw_stream(const struct bench_opts *o, char *res, size_t len);
int raw_scale(const struct bench_opts *o, char *res, size_t len);
int raw_conn_threads(const struct bench_opts *o, char *res, size_t len);   /* figure 7 */

/* socket + SO_LINGER{1,0} + bind(0.0.0.0:0), as the WSK client binds before
 * WskConnectEx; nonblock on request. -1 on failure. */
int raw_socket(int nonblock);
void raw_addr(const struct bench_opts *o, void *sockaddr_in);

#endif
