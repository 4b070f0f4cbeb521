/* SPDX-License-Identifier: MIT */
/* Close and cancel races, short version for `make check` (the long one is
 * tests/stress/wsk_races.c): WskCloseSocket and IoCancelIrp at random
 * moments against in-flight connect, send, receive, accept and disconnect,
 * from another thread and from completion routines; every IRP completes
 * exactly once. See tests/stress/races_core.h. */
#include "stress/races_core.h"

int main(void)
{
    WT_CLIENT cl;
    wt_register(&cl);
    const char *env = getenv("OPENWSK_RACE_ROUNDS");
    long rounds = env ? atol(env) : 300;
    RC_STATS st;
    memset(&st, 0, sizeof(st));
    rc_run(&cl, rounds, 0, 0x5eed1234u, &st);
    printf("backend %s: %llu rounds (connect %llu, send %llu, send-big %llu, receive %llu, accept %llu, disconnect %llu), "
           "%llu IRPs completed once, %llu cancelled, %llu finished first\n",
           OwEngineBackend(), st.Rounds, st.ByOp[RC_CONNECT], st.ByOp[RC_SEND_SMALL], st.ByOp[RC_SEND_BIG],
           st.ByOp[RC_RECEIVE], st.ByOp[RC_ACCEPT], st.ByOp[RC_DISCONNECT], st.Completions, st.Cancelled,
           st.Finished);
    ow_test_failures += (int)st.Failures;
    wt_deregister(&cl);
    return wt_result("test_stress_short_races");
}
