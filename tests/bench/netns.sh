# netns.sh: sourced first by every benchmark script, with the script's
# arguments. With BENCH_CC=name (root only) the script runs again in a
# network namespace of its own, with its own loopback, whose TCP
# congestion control is name: the rows can then be compared under cubic
# and under BBR on one machine without changing the machine's setting
# (net.ipv4.tcp_congestion_control is kept per namespace). The scripts it
# starts inherit the namespace and do not start another.
if [ -n "${BENCH_CC:-}" ] && [ -z "${BENCH_CC_NETNS:-}" ]; then
    command -v unshare >/dev/null || { echo "BENCH_CC needs unshare (util-linux)" >&2; exit 1; }
    command -v ip >/dev/null || { echo "BENCH_CC needs ip (iproute2)" >&2; exit 1; }
    [ "$(id -u)" = 0 ] || { echo "BENCH_CC needs root (a network namespace of its own)" >&2; exit 1; }
    export BENCH_CC_NETNS=1
    # shellcheck disable=SC2016
    exec unshare -n sh -c 'ip link set lo up &&
        echo "$BENCH_CC" > /proc/sys/net/ipv4/tcp_congestion_control || exit 1
        exec "$@"' sh "$0" "$@"
fi
