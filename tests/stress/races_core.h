/* SPDX-License-Identifier: MIT */
/* Close and cancel races, shared by tests/io/test_stress_short_races.c (a few
 * hundred rounds in `make check`) and tests/stress/wsk_races.c (thousands,
 * `make stress` and `make tsan`); the rounds are in races_core.c.
 *
 * Each round puts one operation in flight — WskConnect, WskSend (small, or
 * large to a peer that does not read), WskReceive, WskAccept, graceful
 * WskDisconnect behind a large send — and fires IoCancelIrp, WskCloseSocket,
 * or both at once, at a random moment: from another thread, or from a
 * completion routine on the engine thread. Every IRP must complete exactly
 * once (within a timeout: a missing completion is a failure), with
 * STATUS_CANCELLED or the operation's own result, and a close completes after
 * the operations it cancelled. */
#ifndef OPENWSK_RACES_CORE_H
#define OPENWSK_RACES_CORE_H

#include "wsktest.h"

#include <stdint.h>

enum { RC_CONNECT, RC_SEND_SMALL, RC_SEND_BIG, RC_RECEIVE, RC_ACCEPT, RC_DISCONNECT, RC_OPS };
enum { RK_CANCEL, RK_CLOSE, RK_BOTH, RK_KILLS };
extern const char *const rc_op_names[RC_OPS];

typedef struct RC_STATS {
    unsigned long long Rounds, Completions, Cancelled, Finished, Failures;
    unsigned long long ByOp[RC_OPS];
} RC_STATS;

/* Runs `rounds` rounds, or rounds for `seconds` when seconds > 0, adding to
 * *stats. Not reentrant: one run at a time per process. */
void rc_run(WT_CLIENT *cl, long rounds, int seconds, uint64_t seed, RC_STATS *stats);

#endif
