/* SPDX-License-Identifier: MIT */
/* bench_wsk: the WSK side of every figure, written as a driver writes it.
 *   bench_wsk conn|rr|stream|scale|tfo|conn-threads [n=] [c=] [size=] [addr=] [port=] [tfo=] [threads=]
 * OPENWSK_BACKEND=uring|epoll picks the engine. */
#include "wsk_bench.h"

#include <stdio.h>
#include <string.h>

static const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

int main(int argc, char **argv)
{
    struct bench_opts o;
    if (bench_parse(argc, argv, &o) < 0)
        return 1;
    static const struct { const char *mode, *server; int (*fn)(const struct bench_opts *, char *, size_t); } modes[] = {
        { "conn", "sink", WbConn }, { "rr", "echo", WbRr }, { "stream", "sink", WbStream },
        { "scale", "echo", WbScale }, { "tfo", NULL, WbTfo },
        { "conn-threads", "sink-mt", WbConnThreads },
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(o.mode, modes[i].mode) != 0)
            continue;
        bu_raise_nofile();
        /* the server starts before the engine thread exists */
        if (o.port == 0 && (modes[i].server == NULL || (o.port = bu_server_start(modes[i].server)) == 0)) {
            fprintf(stderr, "bench_wsk: cannot start bench_server (or %s needs port=)\n", o.mode);
            return 1;
        }
        bu_pin_cpu(0);
        WSK_REGISTRATION reg;
        WSK_CLIENT_NPI npi = { NULL, &ClientDispatch };
        if (!NT_SUCCESS(WskRegister(&npi, &reg)) ||
            !NT_SUCCESS(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &WbProvider))) {
            fprintf(stderr, "bench_wsk: registration failed\n");
            return 1;
        }
        const char *backend = OwEngineBackend();
        char res[512] = "";
        int errors = modes[i].fn(&o, res, sizeof(res));
        WskReleaseProviderNPI(&reg);
        WskDeregister(&reg);
        unsigned long long conns = 0, bytes = 0;
        if (modes[i].server)
            bu_server_stop(&conns, &bytes);
        bu_result("%s backend=%s errors=%d srv_conns=%llu srv_bytes=%llu", res, backend, errors, conns,
                  bytes);
        return errors ? 2 : 0;
    }
    fprintf(stderr, "bench_wsk: unknown mode %s\n", o.mode);
    return 1;
}
