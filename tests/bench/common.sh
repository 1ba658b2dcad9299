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
