/* Private network namespaces for tests (Linux side; no socket types here, so
 * WDK-world tests can include it). */
#ifndef OPENWSK_TEST_NETNS_H
#define OPENWSK_TEST_NETNS_H

/* Moves the calling thread (call it before any other thread starts) into a
 * new network namespace with loopback up and net.ipv4.tcp_fastopen set to
 * tfo (skipped when tfo < 0). Returns 0, or -1 with a reason in *why when
 * namespaces are refused here (the test should then exit 77). */
int ow_test_enter_netns(int tfo, const char **why);

/* A TcpExt counter of the current namespace (/proc/net/netstat), or -1. */
long ow_test_tcpext(const char *name);

#endif
