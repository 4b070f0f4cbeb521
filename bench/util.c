/* SPDX-License-Identifier: MIT */
/* Bench helpers: clocks, CPU pinning, limits, RSS, quantiles, and starting
 * the bench_server process. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t bu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bu_pin_cpu(int cpu)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 2)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % n, &set);
    (void)sched_setaffinity(0, sizeof(set), &set);
}

void bu_raise_nofile(void)
{
    struct rlimit rl;
    long max = 1048576;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1)
            max = 1048576;
        fclose(f);
    }
    rl.rlim_cur = rl.rlim_max = (rlim_t)max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

long bu_rss_kb(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

double bu_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* Hoare's selection: moves the k-th smallest of v[0..n) to v[k], in linear
 * time on average. A sort would do, but its n log n shows up in the
 * per-operation instruction counts (Ir(2N) - Ir(N)) of the bench itself. */
static void select_kth(uint64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint64_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;   /* v[j+1 .. i-1] all equal the pivot */
    }
}

uint64_t bu_quantile(uint64_t *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    if (i >= n)
        i = n - 1;
    select_kth(v, n, i);
    return v[i];
}

void bu_rr_result(char *res, size_t len, double rate, uint64_t *lat, size_t n)
{
    if (lat == NULL)
        snprintf(res, len, "rate=%.0f", rate);
    else
        snprintf(res, len, "rate=%.0f p50_us=%.2f p99_us=%.2f", rate, (double)bu_quantile(lat, n, 0.5) / 1e3,
                 (double)bu_quantile(lat, n, 0.99) / 1e3);
}

void bu_result(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("RESULT ");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

static pid_t server_pid;
static FILE *server_out;
static int server_ctl = -1;

static void server_path(char *path, size_t len)
{
    const char *env = getenv("BENCH_SERVER");
    if (env) {
        snprintf(path, len, "%s", env);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", path, len - 1);
    path[n > 0 ? n : 0] = 0;
    char *slash = strrchr(path, '/');
    if (slash)
        slash[1] = 0;
    strncat(path, "bench_server", len - strlen(path) - 1);
}

int bu_server_start(const char *mode)
{
    char path[PATH_MAX];
    int ctl[2], out[2];
    server_path(path, sizeof(path));
    if (pipe(ctl) < 0 || pipe(out) < 0)
        return 0;
    fflush(stdout);
    server_pid = fork();
    if (server_pid < 0)
        return 0;
    if (server_pid == 0) {
        dup2(ctl[0], 0);
        dup2(out[1], 1);
        close(ctl[0]); close(ctl[1]); close(out[0]); close(out[1]);
        execl(path, "bench_server", mode, (char *)NULL);
        fprintf(stderr, "bench: cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(ctl[0]);
    close(out[1]);
    server_ctl = ctl[1];
    server_out = fdopen(out[0], "r");
    int port = 0;
    if (server_out == NULL || fscanf(server_out, "PORT %d", &port) != 1)
        port = 0;
    return port;
}

void bu_server_stop(unsigned long long *conns, unsigned long long *bytes)
{
    *conns = *bytes = 0;
    if (server_ctl >= 0)
        close(server_ctl);
    server_ctl = -1;
    if (server_out) {
        if (fscanf(server_out, " STATS conns=%llu bytes=%llu", conns, bytes) != 2)
            *conns = *bytes = 0;
        fclose(server_out);
        server_out = NULL;
    }
    if (server_pid > 0)
        waitpid(server_pid, NULL, 0);
    server_pid = 0;
}
