/* SPDX-License-Identifier: MIT */
/* Private network namespaces for tests (Linux side; no socket types here, so
 * WDK-world tests can include it). */
#ifndef OPENWSK_TEST_NETNS_H
#define OPENWSK_TEST_NETNS_H

/* Moves the calling thread (call it before any other thread starts) into a
 * new network namespace with loopback up and net.ipv4.tcp_fastopen set to
 * tfo (skipped when tfo < 0). Returns 0, or -1 with a reason in *why when
 * namespaces are refused here (the test should then SKIP, support/check.h). */
int ow_test_enter_netns(int tfo, const char **why);

/* Writes value to /proc/sys/<name with dots as slashes>; 0 or -1. */
int ow_test_sysctl(const char *name, const char *value);

/* A 127.0.0.1 listener whose accept queue is full (backlog 0, one connection
 * never accepted), so new SYNs to it are dropped: connects time out.
 * Returns the port (host order) or 0; ow_test_full_listener_close() ends it. */
unsigned short ow_test_full_listener(void);
void ow_test_full_listener_close(void);

/* Breaks this process's listening TCP sockets on port (host order) for good:
 * shutdown(SHUT_RD) on a listener makes Linux fail every later accept with
 * EINVAL, the way a listener the stack gave up on fails, which no WSK call
 * can cause. Returns how many it broke. */
int ow_test_break_listener(unsigned short port);

/* A TcpExt counter of the current namespace (/proc/net/netstat), or -1. */
long ow_test_tcpext(const char *name);

#endif
