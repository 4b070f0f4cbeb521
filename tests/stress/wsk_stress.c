/* SPDX-License-Identifier: MIT */
/* `make stress`: the soak. Rounds of STRESS_CLIENTS (default 1,000)
 * concurrent WSK clients — WskConnectEx with data, then random-size
 * WskSend/WskReceive (1 B .. 1 MiB) — cycling through IPv4/IPv6 x in-process
 * WSK listener/Linux echo peer, for STRESS_SECONDS (default 600); every other
 * round mixes in every client kind the server allows (disconnect-only and
 * receive-event clients with refusals and zero-length resumes, resets
 * mid-WAITALL, conditional reject/pend/abort), its WSK listener taking turns
 * as WskAccept IRPs, WskAcceptEvent and conditional, and running out of
 * descriptors at the start of the round. Then close and cancel races for
 * STRESS_RACE_SECONDS (default 60). Every byte, every IRP, every unhappy
 * path's status, pool allocations and descriptors are checked after each
 * round (tests/stress/stress_core.h, races_core.h). The backend is OPENWSK_BACKEND's.
 * Prints the figures docs/reliability.md reports. */
#include "stress/stress_core.h"
#include "stress/races_core.h"

#include <sys/resource.h>
#include <time.h>

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? atol(v) : dflt;
}

int main(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    long seconds = env_long("STRESS_SECONDS", 600), race_seconds = env_long("STRESS_RACE_SECONDS", 60);
    int clients = (int)env_long("STRESS_CLIENTS", 1000);
    SIZE_T bytes_max = (SIZE_T)env_long("STRESS_BYTES_MAX", 2L << 20);
    WT_CLIENT cl;
    wt_register(&cl);
    ST_TOTALS tot;
    memset(&tot, 0, sizeof(tot));
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long rounds = 0, failed_rounds = 0;
    const char *be = OwEngineBackend();
    printf("stress: backend %s, %d clients per round, %ld s\n", be, clients, seconds);
    fflush(stdout);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long el = now.tv_sec - t0.tv_sec;
        if (el >= seconds && rounds > 0)
            break;
        int combo = (int)(rounds % 4), mix = (int)((rounds / 4) & 1);
        ST_PARAMS p = {
            .Clients = clients, .BytesMin = 1, .BytesMax = bytes_max, .IoMax = 1 << 20,
            .Family = (combo & 1) ? AF_INET6 : AF_INET, .LinuxPeer = (combo >> 1) & 1,
            /* The two WSK rounds of each block of 4 take two listener kinds,
             * conditional first: a 2-minute run sees all four. */
            .Listener = (int)(((rounds / 8) * 2 + (unsigned long long)(combo & 1) + 2) % ST_L_KINDS),
            .Mix = mix, .EmfileWindow = mix && !((combo >> 1) & 1),
            .Seed = (unsigned)(rounds * 7919u + 17u), .TimeoutMs = 300000,
        };
        static const char *const listeners[ST_L_KINDS] = { "WSK listener", "WSK accept-event listener",
                                                           "conditional WSK listener",
                                                           "conditional WSK accept-event listener" };
        unsigned long long out0 = tot.BytesOut;
        unsigned long long f = st_round(&cl, &p, &tot);
        rounds++;
        failed_rounds += f != 0;
        printf("  round %llu (%s, %s%s): %d clients, %llu MB each way%s [%ld s]\n", rounds,
               (combo & 1) ? "IPv6" : "IPv4", (combo >> 1) ? "Linux echo peer" : listeners[p.Listener],
               mix ? ", every kind" : "", clients,
               (tot.BytesOut - out0) >> 20, f ? ", FAILED" : "", el);
        fflush(stdout);
        if (f)
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
    char name[64];
    snprintf(name, sizeof(name), "stress %s: %.0f s, %llu rounds (%llu failed)", be, el, rounds, failed_rounds);
    st_print_totals(stdout, name, &tot);
    RC_STATS rs;
    memset(&rs, 0, sizeof(rs));
    if (race_seconds > 0 && tot.Failures == 0) {
        rc_run(&cl, 0, (int)race_seconds, 0xC0FFEEu, &rs);
        printf("races %s: %ld s, %llu rounds (connect %llu, send %llu, send-big %llu, receive %llu, accept %llu, "
               "disconnect %llu), %llu IRPs completed once, %llu cancelled, %llu finished first, %llu failures\n",
               be, race_seconds, rs.Rounds, rs.ByOp[RC_CONNECT], rs.ByOp[RC_SEND_SMALL], rs.ByOp[RC_SEND_BIG],
               rs.ByOp[RC_RECEIVE], rs.ByOp[RC_ACCEPT], rs.ByOp[RC_DISCONNECT], rs.Completions, rs.Cancelled,
               rs.Finished, rs.Failures);
    }
    wt_failures += (int)(tot.Failures + rs.Failures);
    if (tot.BytesIn != tot.BytesOut) {
        fprintf(stderr, "FAIL: %llu bytes sent, %llu echoed\n", tot.BytesOut, tot.BytesIn);
        wt_failures++;
    }
    wt_deregister(&cl);
    return wt_result("wsk_stress");
}
