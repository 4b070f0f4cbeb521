/* SPDX-License-Identifier: MIT */
/* The short stress in `make check` (the long one is `make stress`):
 * rounds of concurrent WSK clients (tests/stress/stress_core.h), on the
 * backend OPENWSK_BACKEND picks:
 *  - 4 rounds of 50 echo clients (WskConnectEx with data, then random-size
 *    sends and receives, 1 B .. 1 MiB) against a WSK listener in this
 *    process and a plain Linux echo peer, over IPv4 and IPv6;
 *  - 5 rounds of 40 clients of every kind the server allows — disconnect-only
 *    and receive-event clients (refusals, partial takes, zero-length resumes),
 *    peers that reset mid-WAITALL, conditional reject / pend / abort — one
 *    per listener (WskAccept IRPs, WskAcceptEvent, conditional with either)
 *    and one on the Linux peer; the listener rounds run out of descriptors
 *    (accept_emfile) at the start and must recover.
 * Every byte, every IRP, every unhappy path's status, pool allocations and
 * descriptors are checked. */
#include "stress/stress_core.h"

int main(void)
{
    WT_CLIENT cl;
    wt_register(&cl);
    ST_TOTALS tot;
    memset(&tot, 0, sizeof(tot));
    const char *env = getenv("OPENWSK_STRESS_CLIENTS");
    int clients = env ? atoi(env) : 50;
    for (int v6 = 0; v6 <= 1; v6++) {
        for (int linux_peer = 0; linux_peer <= 1; linux_peer++) {
            ST_PARAMS p = {
                .Clients = clients, .BytesMin = 1, .BytesMax = 200 * 1024, .IoMax = 1 << 20,
                .Family = v6 ? AF_INET6 : AF_INET, .LinuxPeer = linux_peer,
                .Seed = 1234u + (unsigned)(v6 * 2 + linux_peer), .TimeoutMs = 60000,
            };
            unsigned long long f = st_round(&cl, &p, &tot);
            printf("%s, %s: %d echo clients, %s\n", v6 ? "IPv6" : "IPv4",
                   linux_peer ? "Linux echo peer" : "WSK listener", clients, f ? "FAILED" : "ok");
        }
    }
    static const char *const listeners[ST_L_KINDS] = { "WskAccept", "WskAcceptEvent", "conditional, WskAccept",
                                                       "conditional, WskAcceptEvent" };
    for (int l = 0; l <= ST_L_KINDS; l++) {
        ST_PARAMS p = {
            .Clients = clients * 4 / 5, .BytesMin = 1, .BytesMax = 100 * 1024, .IoMax = 256 * 1024,
            .Family = (l & 1) ? AF_INET6 : AF_INET, .LinuxPeer = l == ST_L_KINDS, .Listener = l % ST_L_KINDS,
            .Mix = 1, .EmfileWindow = l < ST_L_KINDS, .Seed = 777u + (unsigned)l, .TimeoutMs = 60000,
        };
        unsigned long long f = st_round(&cl, &p, &tot);
        printf("%s: %d clients of every kind%s, %s\n", l == ST_L_KINDS ? "Linux echo peer" : listeners[l],
               p.Clients, p.EmfileWindow ? ", out of descriptors then back" : "", f ? "FAILED" : "ok");
    }
    st_print_totals(stdout, OwEngineBackend() ? OwEngineBackend() : "?", &tot);
    if (tot.Failures)
        ow_test_failures += (int)tot.Failures;
    if (tot.BytesIn != tot.BytesOut) {
        fprintf(stderr, "FAIL: %llu bytes sent, %llu echoed\n", tot.BytesOut, tot.BytesIn);
        ow_test_failures++;
    }
    wt_deregister(&cl);
    return wt_result("test_stress_short");
}
