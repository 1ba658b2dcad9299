#!/usr/bin/env bash
# bench-tui.sh: ferry's TUI on a 100,000-entry remote folder beside Midnight
# Commander (mc) on the same 100,000 entries as a local folder, one run.
#
# One ferryd on a free 127.0.0.1 port serves a root whose folder list/
# holds the entries (e000001 ... e100000, empty files). Each program runs in
# its own private tmux server (tests/integration/tuitest.py) at 120x40 and
# is measured the same way:
#
#   first paint   from starting the program until the first entry's name
#                 is on the screen (capture-pane polled without a pause)
#   Down          one key at a time, from send-keys until the screen
#                 (with attributes) differs from the one before the key
#   PgDn          the same with PgDn
#
# ferry opens ftp://127.0.0.1:PORT/list/ and its remote pane is made the
# active one (Tab) before the keys; mc opens list/ in its left pane. The
# first-paint row is the median of BENCH_REPEAT starts (default 3); the key
# rows give the median and 95th percentile of BENCH_KEYS presses (default
# 60) and BENCH_PAGES presses (default 20). The resolution is one
# capture-pane (a few ms); it is the same for both programs.
#
# Usage: tests/bench/bench-tui.sh [--quick] [--help]
#   --quick    10,000 entries, one start, fewer keys
# Environment:
#   FERRY=path FERRYD=path MC=path TMUX_BIN=path   the programs
#   BENCH_ENTRIES=n     entries in the folder (default 100000)
#   BENCH_REPEAT=n      starts per program for the first paint (default 3)
#   BENCH_KEYS=n        Down presses (default 60); BENCH_PAGES=n PgDn presses (20)
#   BENCH_DIR=dir       where the scratch directory is made (default /tmp)
#   BENCH_TIMEOUT=s     limit for the whole run (default 900)
#   BENCH_KEEP=1        keep the scratch directory
#
# This is a benchmark, not a test: it exits 0 when it could measure (a
# program that could not be measured says FAILED in its cells), and 1 when
# it could not set up (mc missing among others).
set -euo pipefail
# shellcheck source=netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh" "$@"
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

quick=0
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "bench-tui: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    entries=${BENCH_ENTRIES:-10000} repeat=${BENCH_REPEAT:-1}
    nkeys=${BENCH_KEYS:-20} npages=${BENCH_PAGES:-5}
else
    entries=${BENCH_ENTRIES:-100000} repeat=${BENCH_REPEAT:-3}
    nkeys=${BENCH_KEYS:-60} npages=${BENCH_PAGES:-20}
fi
limit=${BENCH_TIMEOUT:-900}

die() { echo "bench-tui: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for v in entries repeat nkeys npages limit; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number (got '${!v}')"
done
[ "$entries" -le 999999 ] || die "at most 999999 entries"

# ---------------------------------------------------------------- tools
FERRY=${FERRY:-$top/client/ferry}
FERRYD=${FERRYD:-$top/server/ferryd}
MC=${MC:-$(command -v mc || true)}
TMUX_BIN=${TMUX_BIN:-$(command -v tmux || true)}
PYTHON3=${PYTHON3:-$(command -v python3 || true)}
[ -x "$FERRY" ] || die "no ferry at $FERRY (build it: make -j2, or set FERRY=)"
[ -x "$FERRYD" ] || die "no ferryd at $FERRYD (build it: make -j2, or set FERRYD=)"
if [ -z "$MC" ] || [ ! -x "$MC" ]; then
    echo "bench-tui: Midnight Commander (mc) is needed as the reference; install it with:" >&2
    echo "    apt-get install mc        (or: ./quickstart test)" >&2
    exit 1
fi
[ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ] || die "tmux is needed: apt-get install tmux (or set TMUX_BIN=)"
[ -n "$PYTHON3" ] && [ -x "$PYTHON3" ] || die "python3 is needed"
[ -f "$top/tests/integration/tuitest.py" ] || die "no tests/integration/tuitest.py under $top"

# ---------------------------------------------------------------- scratch
base=${BENCH_DIR:-/tmp}
[ -d "$base" ] || die "BENCH_DIR $base is not a directory"
work=$(mktemp -d "$base/ferry-tui-bench.XXXXXX")
chmod 755 "$work"   # the server's unprivileged user must traverse it

srv_pid=

stop_server() {
    local pid=$srv_pid kids k tries
    [ -n "$pid" ] || return 0
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for tries in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
        if [ "$tries" = 3 ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    srv_pid=
}

meas_pid=

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # The measuring program ends its own tmux servers; on a time-out it is
    # stopped by its PID, which ends them too (SIGTERM handler).
    if [ -n "$meas_pid" ]; then kill -TERM "$meas_pid" 2>/dev/null || true; wait "$meas_pid" 2>/dev/null || true; fi
    stop_server
    bench_end "$rc"
}
bench_bound

# ---------------------------------------------------------------- files
root=$work/root
mkdir -p "$root/list" "$work/local" "$work/home" "$work/empty"
note "making $entries entries in $root/list"
(cd "$root/list" && seq -f 'e%06g' 1 "$entries" | xargs touch)
[ "$(find "$root/list" -type f | wc -l)" = "$entries" ] || die "could not make $entries entries"
echo "local file" > "$work/local/local-file.txt"
if [ "$(id -u)" = 0 ]; then
    chown -R nobody "$root" || die "cannot chown $root to nobody"
fi

# ---------------------------------------------------------------- server
srv_log=$work/ferryd.log
: > "$srv_log"   # there before the sed below reads it, whoever runs first
"$FERRYD" -l 127.0.0.1:0 -r "$root" --anonymous=ro 2> "$srv_log" < /dev/null &
srv_pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$srv_log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$srv_pid" 2>/dev/null || die "ferryd exited: $(tail -n5 "$srv_log")"
    sleep 0.05
done
[ -n "$port" ] || die "ferryd printed no listening line: $(tail -n5 "$srv_log")"
note "ferryd on 127.0.0.1:$port"

# ---------------------------------------------------------------- measure
results=$work/results.txt
BENCH_FERRY=$FERRY BENCH_MC=$MC BENCH_TMUX=$TMUX_BIN BENCH_PORT=$port BENCH_WORK=$work \
BENCH_N=$entries BENCH_R=$repeat BENCH_K=$nkeys BENCH_P=$npages \
    "$PYTHON3" - "$top/tests/integration" > "$results" <<'PYEOF' &
import os, signal, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import config
config.TMUX = os.environ["BENCH_TMUX"]
import tuitest

env = os.environ
work = env["BENCH_WORK"]
n, repeat = int(env["BENCH_N"]), int(env["BENCH_R"])
nkeys, npages = int(env["BENCH_K"]), int(env["BENCH_P"])
first = "e%06d" % 1
live = []


def stop(*_):
    for t in live:
        t.kill()
    sys.exit(124)


signal.signal(signal.SIGTERM, stop)
LIMIT = 60.0


def log(msg):
    sys.stderr.write("[bench] %s\n" % msg)


def start(cmd, cwd):
    t = tuitest.Tmux()
    live.append(t)
    t0 = time.monotonic()
    t.start(cmd, cwd=cwd, env={"HOME": os.path.join(work, "home")})
    while True:
        s = t.screen()
        if first in s:
            return t, time.monotonic() - t0
        if time.monotonic() - t0 > LIMIT:
            raise RuntimeError("no %s on the screen after %gs:\n%s"
                               % (first, LIMIT, tuitest.Tmux.framed(s)))
        if t.pane_dead():
            raise RuntimeError("the program exited:\n" + tuitest.Tmux.framed(s))


def finish(t):
    t.kill()
    live.remove(t)


def key_latency(t, key, count):
    out = []
    for _ in range(count):
        before = t.screen(escapes=True)
        t0 = time.monotonic()
        t.keys(key)
        while True:
            if t.screen(escapes=True) != before:
                out.append(time.monotonic() - t0)
                break
            if time.monotonic() - t0 > 10:
                raise RuntimeError("no redraw within 10 s after %s" % key)
        time.sleep(0.02)
    return out


def remote_active(t):
    """Whether ferry's remote pane is the active one: a filter that matches
    nothing empties the active pane only."""
    t.keys("/")
    t.type("zq9nomatch")
    s = t.wait_for(lambda s: s if ("local-file.txt" in s) != (first in s) else None, 10)
    t.keys("Escape")
    t.wait_for(lambda s: "local-file.txt" in s and first in s, 10)
    return "local-file.txt" in s


def p95(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


def fmt(v):
    return "%.1f ms" % (v * 1000)


def measure(name, cmd, cwd, prepare=None):
    row = {"name": name}
    try:
        paints = []
        for i in range(repeat):
            t, dt = start(cmd, cwd)
            paints.append(dt)
            log("%s: first paint %.3f s" % (name, dt))
            if i < repeat - 1:
                finish(t)
        row["paint"] = statistics.median(paints)
        t.wait_stable(0.5, 20)
        if prepare:
            prepare(t)
        d = key_latency(t, "Down", nkeys)
        p = key_latency(t, "NPage", npages)
        row["down"] = (statistics.median(d), p95(d))
        row["pgdn"] = (statistics.median(p), p95(p))
        finish(t)
    except Exception as e:           # a benchmark row, not a test
        log("%s: FAILED: %s" % (name, e))
        row["error"] = str(e).split("\n")[0]
        for t in list(live):
            finish(t)
    return row


def ferry_prepare(t):
    if not remote_active(t):
        t.keys("Tab")
        time.sleep(0.3)


url = "ftp://127.0.0.1:%s/list/" % env["BENCH_PORT"]
rows = [
    measure("ferry (remote, FTP)", [env["BENCH_FERRY"], url], os.path.join(work, "local"),
            ferry_prepare),
    measure("mc (local)", [env["BENCH_MC"], "-u", os.path.join(work, "root", "list"),
                           os.path.join(work, "empty")], work),
]

print("| program | first paint | Down median | Down p95 | PgDn median | PgDn p95 |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    if "error" in r:
        print("| %s | FAILED | FAILED | FAILED | FAILED | FAILED |" % r["name"])
        continue
    print("| %s | %s | %s | %s | %s | %s |" % (
        r["name"], fmt(r["paint"]), fmt(r["down"][0]), fmt(r["down"][1]),
        fmt(r["pgdn"][0]), fmt(r["pgdn"][1])))
for r in rows:
    if "error" in r:
        print("\n%s: %s" % (r["name"], r["error"]))
PYEOF
meas_pid=$!
wait "$meas_pid" || note "the measurement exited with $?"
meas_pid=

echo "## ferry TUI vs mc: $entries entries, 120x40 in tmux"
echo
echo "first paint: median of $repeat starts; keys: $nkeys Down and $npages PgDn, one at a time"
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
cat "$results"
