#!/usr/bin/env bash
# run-all.sh: every benchmark row in one run, with the machine's ceilings,
# one table and a chart.
#
# 1. The ceilings of this machine: loopback TCP (iperf3, one stream),
#    reading a file from the page cache (dd to /dev/null, 1 MiB blocks),
#    and `openssl speed -evp aes-128-gcm` (and the suite the FTPS rows
#    negotiated), each REPEAT times.
# 2. tests/bench/bench-server.sh with every row: ferryd, vsftpd and
#    pure-ftpd side by side on 127.0.0.1, taking turns (the first server
#    rotates from round to round): RETR/STOR of the big file with curl,
#    lftp and ferry, over FTPS with curl; the 4 KiB files down and up with
#    curl (passive and active), lftp and ferry; SIZE, MDTM, NOOP x 1000;
#    connect+login+QUIT in turn; 1000 sessions logging in at once (wall
#    time, failures, PSS per session from /proc/PID/smaps_rollup); a login
#    storm; 200 held sessions and 200 curl processes each downloading
#    1 MiB at once; LIST, NLST and MLSD of 10,000 entries. The rows of a
#    few milliseconds (SIZE, MDTM, NOOP, the listings) take three samples
#    per server in each of the REPEAT rounds (BENCH_SHORT_SAMPLES).
# 3. tests/bench/bench-client.sh: ferry against curl, lftp and rclone on
#    one ferryd (FTPS rows on pure-ftpd), same rows. Before it the machine
#    settles, for at most BENCH_SETTLE seconds (default 90; 0: not at all):
#    `sync`, then a wait until at most 4000 TCP connections are in
#    TIME_WAIT (the server rows leave tens of thousands, each for 60 s;
#    binding a port for active mode slows down among them) and at most
#    nproc tasks are runnable (/proc/stat procs_running, three samples in a
#    row a second apart). The load average is not waited for: it trails
#    by minutes (about 40 right after the 1000-session rows, with 3 to 5
#    tasks runnable). The state before and after is noted on stderr.
#    Neither script deletes files before the end of the run: what a row is
#    done with moves into a trash directory (BENCH_TRASH), deleted last
#    (ext4 without a journal makes every file creation pay for the inodes
#    freed in the minute before; see discard in common.sh).
# 4. tests/bench/summarize.py: one table (medians, all runs, ratio to the
#    best anchor, share of the ceiling) in OUT/summary.md, printed too; the
#    raw runs in OUT/raw.csv, one line per row in OUT/summary.csv; a chart
#    of ferryd's (ferry's) ratio per row in OUT/chart.svg and OUT/chart.png
#    (gnuplot), and OUT/chart.txt. Each script's own table is kept in OUT/bench-server.md
#    and OUT/bench-client.md, its progress in OUT/*.log.
#
# Usage: tests/bench/run-all.sh [--quick] [--repeat N] [--out DIR] [--help]
#   --quick      small sizes for development (64 MiB file, 200 small files,
#                200 sessions, 2000 entries) and 1 run unless --repeat
#   --repeat N   runs of every row (default 3)
#   --out DIR    where the results go (default: bench-out/ in the
#                current directory; made if missing, files replaced)
# Environment: as for bench-server.sh and bench-client.sh (FERRYD, FERRY,
# VSFTPD, PUREFTPD, BENCH_DIR, BENCH_CC, ...), and BENCH_SETTLE=s (see 3.), with
# other defaults here to keep the run under 20 minutes (the settling
# included): BENCH_TW_MAX=0 (no waiting for connections in
# TIME_WAIT to drain: on a machine shared with test suites there are
# often more than 10,000 that are not ours), BENCH_SESSION_TIMEOUT=10 (a
# session vsftpd leaves in its listen queue costs 10 s, not 60),
# BENCH_PASV_FILES=100 (curl 7.88 in passive mode waits a second before
# it connects whenever the server's reply is there at its first look, on
# every server here, so the passive rows move 100 files, as `curl -T
# "{f1,...,f100}"` does; the active ones 1000), BENCH_WARMUP=0 and BENCH_PASSIVE_N=0 for bench-client.sh.
# Needs root (pure-ftpd chroots), iperf3, openssl, curl, lftp, python3;
# rclone and gnuplot when present (./quickstart test installs them).
# A default run takes about 19 minutes (1122 to 1152 s) on the quiet
# 2-core guest of the README's runs, where a process costs milliseconds;
# the settling at most 90 s of it. Each progress line in OUT/*.log
# carries the seconds since its script started.
set -euo pipefail
# shellcheck source=netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh" "$@"
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
quick=0 repeat='' out=bench-out
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --repeat) [ $# -ge 2 ] || { echo "run-all: --repeat needs a number" >&2; exit 2; }; repeat=$2; shift ;;
    --repeat=*) repeat=${1#--repeat=} ;;
    --out) [ $# -ge 2 ] || { echo "run-all: --out needs a directory" >&2; exit 2; }; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "run-all: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$repeat" ] || { [ "$quick" = 1 ] && repeat=1 || repeat=3; }
die() { echo "run-all: $*" >&2; exit 1; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive number"
[ "$(id -u)" = 0 ] || die "run as root (pure-ftpd chroots; the servers then run as an unprivileged user)"
for t in iperf3 openssl python3 dd; do command -v "$t" >/dev/null || die "$t is needed (./quickstart test installs it)"; done
command -v gnuplot >/dev/null || echo "run-all: no gnuplot: the chart is only text (OUT/chart.txt)" >&2
mkdir -p "$out" || die "cannot make $out"
out=$(cd "$out" && pwd)
# Only this script's own files: the directory may hold others.
rm -f "$out"/{raw.csv,summary.md,summary.csv,chart.dat,chart.gp,chart.svg,chart.png,chart.txt,gnuplot.log,bench-server.md,bench-server.log,bench-client.md,bench-client.log,suite}

limit=${BENCH_TIMEOUT:-3600}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/run-all.XXXXXX")
iperf_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$iperf_pid" ]; then kill "$iperf_pid" 2>/dev/null || true; wait "$iperf_pid" 2>/dev/null || true; fi
    bench_end "$rc"
}
# shellcheck source=common.sh
. "$here/common.sh"
bench_bound
# What bench-server.sh and bench-client.sh are done with waits here until
# the end of the run (see discard in common.sh).
mkdir "$work/trash"
export BENCH_TRASH=$work/trash

export BENCH_CSV=$out/raw.csv BENCH_REPEAT=$repeat BENCH_TW_MAX=${BENCH_TW_MAX:-0}
: > "$BENCH_CSV"
t_start=$EPOCHREALTIME
load0=$(cut -d' ' -f1-3 /proc/loadavg)
qarg=()
[ "$quick" = 1 ] && qarg=(--quick)
if [ "$quick" = 1 ]; then pc_mib=256 iperf_secs=1; else pc_mib=1024 iperf_secs=3; fi

# ---------------------------------------------------------------- ceilings
note "ceilings: iperf3 on 127.0.0.1, page cache, openssl speed"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" > "$work/iperf3-server.log" 2>&1 &
iperf_pid=$!
for ((i = 0; i < 50; i++)); do
    grep -q 'listening' "$work/iperf3-server.log" 2>/dev/null && break
    sleep 0.1
done
head -c $((pc_mib * 1048576)) /dev/zero > "$work/pagecache.bin"
cat "$work/pagecache.bin" > /dev/null
for ((r = 1; r <= repeat; r++)); do
    v=$(iperf3 -c 127.0.0.1 -p "$port" -t "$iperf_secs" -J 2> "$work/iperf3.err" |
        python3 -c 'import json, sys; d = json.load(sys.stdin); print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 8 / 1048576))' 2>/dev/null) || v=FAIL
    csv_add ceiling tcp "loopback TCP, iperf3 one stream" - iperf3 "$r" "$v" MiB/s 0
    t0=$EPOCHREALTIME
    dd if="$work/pagecache.bin" of=/dev/null bs=1M 2>/dev/null
    v=$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v m="$pc_mib" 'BEGIN { printf "%.1f", m / (b - a) }')
    csv_add ceiling pagecache "page cache read, dd bs=1M" - dd "$r" "$v" MiB/s 0
    read -r _ v <<< "$(tls_ceiling AES_128_GCM)"
    csv_add ceiling evp-aes-128-gcm "openssl speed -evp aes-128-gcm" - openssl "$r" "$v" MiB/s 0
done
kill "$iperf_pid" 2>/dev/null || true; wait "$iperf_pid" 2>/dev/null || true; iperf_pid=
rm -f "$work/pagecache.bin"

# ---------------------------------------------------------------- servers
note "bench-server.sh, every row ($repeat runs; progress in $out/bench-server.log)"
if [ "$quick" = 1 ]; then sessions=200; else sessions=1000; fi
BENCH_ROWS="retr lftpretr ferryretr stor lftpstor ferrystor tretr tstor small smallact lftpget ferryget curlput curlputact lftpput ferryput size mdtm noop login list nlst mlsd held procs conc storm" \
BENCH_SESSIONS=$sessions BENCH_SESSION_TIMEOUT=${BENCH_SESSION_TIMEOUT:-10} \
BENCH_PASV_FILES=${BENCH_PASV_FILES:-100} BENCH_SUITE_FILE=$out/suite BENCH_TIMEOUT=$limit \
    "$here/bench-server.sh" "${qarg[@]}" > "$out/bench-server.md" 2> "$out/bench-server.log" ||
    note "bench-server.sh failed (exit $?): see $out/bench-server.log"

# The ceiling for the FTPS rows: the suite they negotiated, on one core.
suite=$(cat "$out/suite" 2>/dev/null || echo unknown)
for ((r = 1; r <= repeat; r++)); do
    read -r evp v <<< "$(tls_ceiling "$suite")"
    csv_add ceiling tls "openssl speed -evp $evp ($suite)" - openssl "$r" "$v" MiB/s 0
done

# ---------------------------------------------------------------- settle
# One line of the machine's state: load average, tasks runnable (not
# counting the awk that reads it), TCP connections in TIME_WAIT, dirty
# page cache.
machine_state() {
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(awk '/^procs_running/ { print $2 - 1 }' /proc/stat) runnable, $(tw_count) in TIME_WAIT, $(awk '/^Dirty:/ { print $2 }' /proc/meminfo) KiB dirty"
}
# Waits (at most $1 seconds) for what the server rows left behind to pass.
settle_machine() {
    local limit=$1 t0=$EPOCHREALTIME calm=0 ncpu
    ncpu=$(nproc)
    note "settling (at most ${limit}s): $(machine_state)"
    sync
    while awk -v a="$t0" -v b="$EPOCHREALTIME" -v w="$limit" 'BEGIN { exit !(b - a < w) }'; do
        # procs_running counts the awk reading it.
        if [ "$(tw_count)" -le 4000 ] && [ "$(awk '/^procs_running/ { print $2 - 1 }' /proc/stat)" -le "$ncpu" ]; then
            calm=$((calm + 1))
            [ "$calm" -lt 3 ] || break
        else
            calm=0
        fi
        sleep 1
    done
    note "$([ "$calm" -ge 3 ] && echo settled || echo "stopped settling") after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s: $(machine_state)"
}
settle=${BENCH_SETTLE:-90}
[[ $settle =~ ^[0-9]+$ ]] || die "BENCH_SETTLE must be a number of seconds"
[ "$settle" = 0 ] || settle_machine "$settle"

# ---------------------------------------------------------------- clients
note "bench-client.sh ($repeat runs; progress in $out/bench-client.log)"
BENCH_WARMUP=${BENCH_WARMUP:-0} BENCH_PASSIVE_N=${BENCH_PASSIVE_N:-0} BENCH_TIMEOUT=$limit \
    "$here/bench-client.sh" "${qarg[@]}" > "$out/bench-client.md" 2> "$out/bench-client.log" ||
    note "bench-client.sh failed (exit $?): see $out/bench-client.log"

# ---------------------------------------------------------------- report
python3 "$here/summarize.py" "$BENCH_CSV" "$out" || die "summarize.py failed"
if command -v gnuplot >/dev/null; then
    gnuplot "$out/chart.gp" 2> "$out/gnuplot.log" || note "gnuplot failed: see $out/gnuplot.log"
fi
machine="FTPS suite: $suite. Machine: $(machine_line) at the end, $load0 at the start."
qnote=
[ "$quick" = 1 ] && qnote=", --quick"
run="Run: $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s, $repeat runs per row$qnote."
echo
echo "$machine"
echo "$run Results in $out: summary.md, summary.csv, raw.csv, chart.svg, chart.png, chart.txt, bench-server.md, bench-client.md."
# The last lines of summary.md: tests/bench/update-readme.py reads them.
printf '\n%s\n%s\n' "$machine" "$run" >> "$out/summary.md"
