# common.sh: what every benchmark script shares, sourced after it has set
# `limit` (seconds) and `work` (its scratch directory) and defined a
# `cleanup` function that stops its own processes and then calls
# bench_end "$rc".

note() { echo "[bench] $*" >&2; }

watchdog=

# Ends the run: stops the watchdog, removes the scratch directory unless
# BENCH_KEEP=1, and exits with status $1.
bench_end() {
    if [ -n "$watchdog" ]; then kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true; fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        note "scratch directory kept: $work"
    else
        rm -rf "$work"
    fi
    exit "$1"
}

# Installs the traps and bounds the whole run: a watchdog sends SIGTERM to
# this script after $limit seconds. It keeps no descriptor of ours open, and
# its sleep ends with it.
bench_bound() {
    trap cleanup EXIT
    trap 'note "interrupted"; exit 130' INT
    trap 'note "stopped (time limit of ${limit}s, or SIGTERM)"; exit 124' TERM
    (
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        sleep "$limit" & sleeper=$!
        wait "$sleeper" && kill -TERM $$
    ) < /dev/null > /dev/null 2>&1 &
    watchdog=$!
}

# TCP connections in TIME_WAIT on this machine.
tw_count() {
    if command -v ss >/dev/null; then
        ss -Htan state time-wait 2>/dev/null | wc -l
    else
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "06"' | wc -l
    fi
}

# Waits until at most $tw_max connections are in TIME_WAIT, for up to
# $tw_wait seconds (set both first; tw_max 0: no waiting). Adds up the
# time waited (tw_waited), the highest count a timed run started with
# (tw_top) and the runs that started above the limit (tw_late).
tw_waited=0 tw_top=0 tw_late=0
settle() {
    local t0=$EPOCHREALTIME n
    [ "$tw_max" -gt 0 ] || return 0
    n=$(tw_count)
    while [ "$n" -gt "$tw_max" ] &&
          awk -v a="$t0" -v b="$EPOCHREALTIME" -v w="$tw_wait" 'BEGIN { exit !(b - a < w) }'; do
        sleep 1
        n=$(tw_count)
    done
    [ "$n" -le "$tw_max" ] || tw_late=$((tw_late + 1))
    [ "$n" -le "$tw_top" ] || tw_top=$n
    tw_waited=$(awk -v s="$tw_waited" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", s + b - a }')
}
