/* The short stress in `make check` (the long one is `make stress`): 4 x 50
 * concurrent WSK clients, WskConnectEx with data then random-size sends and
 * receives (1 B .. 1 MiB), against a WSK listener in this process and a plain
 * Linux echo peer, over IPv4 and IPv6, on the backend OPENWSK_BACKEND picks.
 * Every byte, every IRP and every pool allocation and descriptor is checked
 * (tests/stress/stress_core.h). About 20 MB each way. */
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
                .Clients = clients,
                .BytesMin = 1,
                .BytesMax = 200 * 1024,
                .IoMax = 1 << 20,
                .Family = v6 ? AF_INET6 : AF_INET,
                .LinuxPeer = linux_peer,
                .Seed = 1234u + (uint32_t)(v6 * 2 + linux_peer),
                .TimeoutMs = 60000,
            };
            unsigned long long f = st_round(&cl, &p, &tot);
            printf("%s, %s: %d clients, %s\n", v6 ? "IPv6" : "IPv4",
                   linux_peer ? "Linux echo peer" : "WSK listener", clients, f ? "FAILED" : "ok");
        }
    }
    printf("backend %s: %llu connections, %llu bytes out, %llu bytes echoed back, %llu IRPs completed once each\n",
           OwEngineBackend() ? OwEngineBackend() : "?", tot.Connections, tot.BytesOut, tot.BytesIn, tot.Irps);
    if (tot.Failures)
        ow_test_failures += (int)tot.Failures;
    if (tot.BytesIn != tot.BytesOut) {
        fprintf(stderr, "FAIL: %llu bytes sent, %llu echoed\n", tot.BytesOut, tot.BytesIn);
        ow_test_failures++;
    }
    wt_deregister(&cl);
    return wt_result("test_stress_short");
}
