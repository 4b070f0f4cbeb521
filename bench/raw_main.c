/* SPDX-License-Identifier: MIT */
/* bench_raw: the baselines, written directly against liburing and epoll.
 *   bench_raw conn-uring|conn-epoll|rr|stream|scale|conn-threads [n=] [c=] [size=] [tfo=] [threads=] */
#include "raw.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct bench_opts o;
    if (bench_parse(argc, argv, &o) < 0)
        return 1;
    static const struct { const char *mode, *server; int (*fn)(const struct bench_opts *, char *, size_t); } modes[] = {
        { "conn-uring", "sink", raw_conn_uring }, { "conn-epoll", "sink", raw_conn_epoll },
        { "rr", "echo", raw_rr }, { "stream", "sink", raw_stream }, { "scale", "echo", raw_scale },
        { "conn-threads", "sink-mt", raw_conn_threads },
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(o.mode, modes[i].mode) != 0)
            continue;
        bu_raise_nofile();
        if (o.port == 0 && (o.port = bu_server_start(modes[i].server)) == 0) {
            fprintf(stderr, "bench_raw: cannot start bench_server\n");
            return 1;
        }
        bu_pin_cpu(0);
        char res[512] = "";
        int errors = modes[i].fn(&o, res, sizeof(res));
        unsigned long long conns, bytes;
        bu_server_stop(&conns, &bytes);
        bu_result("%s errors=%d srv_conns=%llu srv_bytes=%llu", res, errors, conns, bytes);
        return errors ? 2 : 0;
    }
    fprintf(stderr, "bench_raw: unknown mode %s\n", o.mode);
    return 1;
}
