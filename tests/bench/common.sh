# common.sh: what every benchmark script shares, sourced after it has set
# `limit` (seconds) and `work` (its scratch directory) and defined a
# `cleanup` function that stops its own processes and then calls
# bench_end "$rc".

# Progress on stderr, each line with the seconds since the script started
# (where a run's time goes shows in its log).
note() { printf '[bench %5ds] %s\n' "$SECONDS" "$*" >&2; }

watchdog=

# random_files DIR FORMAT FIRST LAST SIZE: files DIR/NAME of SIZE random
# bytes, NAME printf's FORMAT of each number FIRST..LAST. One process
# writes them all (a `head` per file costs 5 ms on a machine where a
# process is dear: 5 s for 1000).
random_files() {
    python3 - "$@" <<'PY'
import os, sys
d, fmt, first, last, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
for i in range(first, last + 1):
    with open(os.path.join(d, fmt % i), 'wb') as f:
        f.write(os.urandom(size))
PY
}

# Files and directories a run is done with are moved into $work/trash,
# not deleted. On ext4 without a journal, creating a file skips every
# inode of its group freed in the last minute (six while the inode table
# block is dirty) and looks each one up on the way: after 1000 files were
# deleted, the next 1000 creations cost 0.3 to 0.8 s more, for whichever
# server's or client's turn comes next (doc/performance.md, "The upload
# rows after the download rows").
# Files over 64 KiB are emptied first: their pages and blocks go (no
# gigabytes kept in the page cache or written back), their inodes stay.
# (Callers run in command substitutions too: each name gets its own
# directory.)
discard() {
    local p
    for p in "$@"; do
        [ -e "$p" ] || continue
        find "$p" -xdev -type f -size +64k -exec truncate -s 0 {} +
        mkdir -p "$work/trash"
        mv "$p" "$(mktemp -d "$work/trash/XXXXXXXX")/"
    done
}

# Ends the run: stops the watchdog, removes the scratch directory unless
# BENCH_KEEP=1, and exits with status $1. With BENCH_TRASH=DIR (run-all.sh
# sets it; same file system) the files over 64 KiB are emptied and the
# scratch directory is moved into DIR, to be deleted after the last
# script: the next script's file creations do not pay for this one's
# deletions.
bench_end() {
    if [ -n "$watchdog" ]; then kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true; fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        note "scratch directory kept: $work"
    elif [ -n "${BENCH_TRASH:-}" ] && [ -d "$BENCH_TRASH" ] &&
         [ "$(stat -c %d "$work")" = "$(stat -c %d "$BENCH_TRASH")" ] &&
         find "$work" -xdev -type f -size +64k -exec truncate -s 0 {} + 2>/dev/null &&
         mv "$work" "$BENCH_TRASH/" 2>/dev/null; then
        :
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

# Raw results. When BENCH_CSV names a file (tests/bench/run-all.sh sets
# it), every timed run is appended to it as one line:
#   script,row,label,server,client,run,value,unit,bytes
# value is in unit (s, KiB, count); bytes is the payload one run moved
# (0 when the row is not a transfer), so a reader can turn seconds into
# MiB/s. Commas within a field become semicolons.
csv_add() {
    [ -n "${BENCH_CSV:-}" ] || return 0
    local f line=
    for f in "$@"; do line+="${line:+,}${f//,/;}"; done
    echo "$line" >> "$BENCH_CSV"
}

# Median of the numbers given as arguments (FAIL when one of them is).
median_of() {
    local v
    for v in "$@"; do [ "$v" != FAIL ] || { echo FAIL; return; }; done
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The first existing executable among the arguments.
first_exe() {
    local c
    for c in "$@"; do
        if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
    done
    return 1
}

# The ceiling of one core for a TLS suite: prints "evp MiB/s", from
# `openssl speed -evp` over 16 KiB blocks (a full TLS record).
tls_ceiling() {
    local suite=$1 evp mib
    case $suite in
    *AES_256_GCM*|*AES256-GCM*) evp=aes-256-gcm ;;
    *CHACHA20*) evp=chacha20-poly1305 ;;
    *) evp=aes-128-gcm ;;
    esac
    mib=$(openssl speed -evp "$evp" -bytes 16384 -seconds 2 2>/dev/null | tail -n 1 |
          awk '{ v = $NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / 1048576 }')
    echo "$evp ${mib:-?}"
}

# One line about this machine: CPUs, kernel, CPU model, RAM, the TCP
# congestion control (ferryd and ferry send files differently under one
# that paces, BBR, and one that does not: common/conn.c), load average.
machine_line() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    echo "nproc $(nproc), kernel $(uname -r), ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), TCP congestion control $(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo unknown)${BENCH_CC_NETNS:+ (a network namespace of its own, BENCH_CC)}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
