#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what the build needs when it is missing: on Debian/Ubuntu as root
# with apt-get; elsewhere prints the exact command and stops.
set -e
PKGS="cmake make gcc g++ pkg-config liburing-dev iproute2"
missing=""
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v c++ >/dev/null 2>&1 || missing="$missing g++"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
if ! pkg-config --exists liburing 2>/dev/null; then missing="$missing liburing-dev"; fi
[ -z "$missing" ] && exit 0
echo "openwsk: missing build dependencies:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "openwsk: installing them: apt-get update && apt-get install -y$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q $missing
    exit 0
fi
echo "openwsk: please run (as root):"
echo "    apt-get update && apt-get install -y $PKGS"
exit 1
