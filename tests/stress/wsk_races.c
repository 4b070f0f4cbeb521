/* SPDX-License-Identifier: MIT */
/* `make tsan` / `make stress`: close and cancel races for RACE_SECONDS
 * (default 60) or RACE_ROUNDS rounds (tests/stress/races_core.h). */
#include "stress/races_core.h"

int main(void)
{
    const char *s = getenv("RACE_SECONDS"), *r = getenv("RACE_ROUNDS");
    int seconds = s ? atoi(s) : (r ? 0 : 60);
    long rounds = r ? atol(r) : 0;
    WT_CLIENT cl;
    wt_register(&cl);
    RC_STATS st;
    memset(&st, 0, sizeof(st));
    rc_run(&cl, rounds, seconds, 0xABCDEFu, &st);
    printf("races %s: %llu rounds (connect %llu, send %llu, send-big %llu, receive %llu, accept %llu, disconnect %llu), "
           "%llu IRPs completed once, %llu cancelled, %llu finished first, %llu failures\n",
           OwEngineBackend(), st.Rounds, st.ByOp[RC_CONNECT], st.ByOp[RC_SEND_SMALL], st.ByOp[RC_SEND_BIG],
           st.ByOp[RC_RECEIVE], st.ByOp[RC_ACCEPT], st.ByOp[RC_DISCONNECT], st.Completions, st.Cancelled,
           st.Finished, st.Failures);
    wt_failures += (int)st.Failures;
    wt_deregister(&cl);
    return wt_result("wsk_races");
}
