/* SPDX-License-Identifier: MIT */
/* Linux half of name resolution: getaddrinfo/getnameinfo with Windows values
 * translated at this boundary (see resolve.h). */
#include "fault.h"
#include "internal.h"
#include "net.h"
#include "resolve.h"

#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fault "resolve_slow": the lookup takes 300 ms more, as a slow DNS would. */
static void fault_delay(void)
{
    if (ow_fault_hit(OW_FAULT_RESOLVE_SLOW)) {
        struct timespec ts = { 0, 300 * 1000 * 1000 };
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
}

/* Windows AI_* (ws2def.h) */
#define W_AI_PASSIVE     0x1
#define W_AI_CANONNAME   0x2
#define W_AI_NUMERICHOST 0x4
#define W_AI_NUMERICSERV 0x8
#define W_AI_ALL         0x100
#define W_AI_ADDRCONFIG  0x400
#define W_AI_V4MAPPED    0x800
/* Windows NI_* */
#define W_NI_NOFQDN      0x01
#define W_NI_NUMERICHOST 0x02
#define W_NI_NAMEREQD    0x04
#define W_NI_NUMERICSERV 0x08
#define W_NI_DGRAM       0x10

static enum ow_rs_status from_eai(int rc)
{
    switch (rc) {
    case 0:            return OW_RS_OK;
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
                       return OW_RS_NOT_FOUND;
    case EAI_AGAIN:    return OW_RS_AGAIN;
    case EAI_BADFLAGS:
    case EAI_FAMILY:
    case EAI_SOCKTYPE: return OW_RS_BAD_ARGS;
    case EAI_SERVICE:  return OW_RS_SERVICE;
    case EAI_MEMORY:   return OW_RS_NO_MEMORY;
    case EAI_OVERFLOW: return OW_RS_OVERFLOW;
    default:           return OW_RS_FAIL;
    }
}

static int flags_to_linux(int w)
{
    return ((w & W_AI_PASSIVE) ? AI_PASSIVE : 0) | ((w & W_AI_CANONNAME) ? AI_CANONNAME : 0)
         | ((w & W_AI_NUMERICHOST) ? AI_NUMERICHOST : 0) | ((w & W_AI_NUMERICSERV) ? AI_NUMERICSERV : 0)
         | ((w & W_AI_ALL) ? AI_ALL : 0) | ((w & W_AI_ADDRCONFIG) ? AI_ADDRCONFIG : 0)
         | ((w & W_AI_V4MAPPED) ? AI_V4MAPPED : 0);
}

/* libc's own getaddrinfo/freeaddrinfo/getnameinfo, looked up in libc
 * itself: called by name they would resolve to a client's functions of the
 * same names (a BSD layer defines them) when it is linked into one program
 * with the library (see sys.h). No syscall exists for these. Should libc.so.6
 * not be loaded (a fully static program), the linked names are all there is. */
static struct {
    int (*getaddrinfo)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    void (*freeaddrinfo)(struct addrinfo *);
    int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int);
} libc;
static pthread_once_t libc_once = PTHREAD_ONCE_INIT;

static void libc_bind(void)
{
    /* NOLOAD: libc is loaded already; the reference is kept for good. */
    void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    void *gai = h ? dlsym(h, "getaddrinfo") : NULL, *fai = h ? dlsym(h, "freeaddrinfo") : NULL,
         *gni = h ? dlsym(h, "getnameinfo") : NULL;
    if (gai == NULL || fai == NULL || gni == NULL) {
        libc.getaddrinfo = getaddrinfo;
        libc.freeaddrinfo = freeaddrinfo;
        libc.getnameinfo = getnameinfo;
        return;
    }
    /* POSIX guarantees data/function pointer conversion for dlsym results. */
    *(void **)&libc.getaddrinfo = gai;
    *(void **)&libc.freeaddrinfo = fai;
    *(void **)&libc.getnameinfo = gni;
}

enum ow_rs_status ow_rs_getaddrinfo(const char *node, const char *service, int ai_flags,
                                    int family, int socktype, int protocol,
                                    struct ow_rs_addr **out)
{
    *out = NULL;
    fault_delay();
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = flags_to_linux(ai_flags);
    hints.ai_family = family == 0 ? AF_UNSPEC : family == OW_WIN_AF_INET ? AF_INET
                    : family == OW_WIN_AF_INET6 ? AF_INET6 : -1;
    if (hints.ai_family < 0)
        return OW_RS_BAD_ARGS;
    hints.ai_socktype = socktype;    /* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3 on both */
    hints.ai_protocol = protocol;    /* IANA numbers on both */
    pthread_once(&libc_once, libc_bind);
    int rc = libc.getaddrinfo(node, service, &hints, &res);
    if (rc != 0)
        return rc == EAI_SYSTEM && errno == ENOMEM ? OW_RS_NO_MEMORY : from_eai(rc);

    struct ow_rs_addr *head = NULL, **tail = &head;
    enum ow_rs_status st = OW_RS_OK;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        struct ow_rs_addr *a = calloc(1, sizeof(*a));
        if (a == NULL) {
            st = OW_RS_NO_MEMORY;
            break;
        }
        a->flags = ai_flags;
        a->family = ai->ai_family == AF_INET ? OW_WIN_AF_INET : OW_WIN_AF_INET6;
        a->socktype = ai->ai_socktype;
        a->protocol = ai->ai_protocol;
        a->addrlen = sizeof(a->addr);
        ow_sa_to_win(ai->ai_addr, ai->ai_addrlen, a->addr, &a->addrlen);
        if (ai->ai_canonname != NULL && head == NULL) {
            a->canonname = strdup(ai->ai_canonname);
            if (a->canonname == NULL) {
                free(a);
                st = OW_RS_NO_MEMORY;
                break;
            }
        }
        *tail = a;
        tail = &a->next;
    }
    libc.freeaddrinfo(res);
    if (st != OW_RS_OK) {
        ow_rs_free_addrs(head);
        return st;
    }
    if (head == NULL)
        return OW_RS_NOT_FOUND;
    *out = head;
    return OW_RS_OK;
}

void ow_rs_free_addrs(struct ow_rs_addr *list)
{
    while (list != NULL) {
        struct ow_rs_addr *next = list->next;
        free(list->canonname);
        free(list);
        list = next;
    }
}

enum ow_rs_status ow_rs_getnameinfo(const void *win_addr, size_t len, char *host, size_t hostlen,
                                    char *serv, size_t servlen, int ni_flags)
{
    fault_delay();
    if (ni_flags & ~(W_NI_NOFQDN | W_NI_NUMERICHOST | W_NI_NAMEREQD | W_NI_NUMERICSERV | W_NI_DGRAM))
        return OW_RS_BAD_ARGS;
    int flags = ((ni_flags & W_NI_NOFQDN) ? NI_NOFQDN : 0)
              | ((ni_flags & W_NI_NUMERICHOST) ? NI_NUMERICHOST : 0)
              | ((ni_flags & W_NI_NAMEREQD) ? NI_NAMEREQD : 0)
              | ((ni_flags & W_NI_NUMERICSERV) ? NI_NUMERICSERV : 0)
              | ((ni_flags & W_NI_DGRAM) ? NI_DGRAM : 0);
    struct sockaddr_storage ss;
    unsigned sslen;
    if (ow_sa_from_win(win_addr, len, &ss, &sslen) < 0)
        return OW_RS_BAD_ARGS;
    pthread_once(&libc_once, libc_bind);
    int rc = libc.getnameinfo((struct sockaddr *)&ss, sslen, host, host ? (socklen_t)hostlen : 0,
                              serv, serv ? (socklen_t)servlen : 0, flags);
    return from_eai(rc);
}

struct spawn_arg { void (*fn)(void *); void *arg; };

static void *spawn_main(void *p)
{
    struct spawn_arg a = *(struct spawn_arg *)p;
    free(p);
    a.fn(a.arg);
    return NULL;
}

int ow_rs_spawn(void (*fn)(void *), void *arg)
{
    struct spawn_arg *a = malloc(sizeof(*a));
    if (a == NULL)
        return -ENOMEM;
    a->fn = fn;
    a->arg = arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    int rc = pthread_create(&t, &attr, spawn_main, a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(a);
        return -rc;
    }
    return 0;
}
