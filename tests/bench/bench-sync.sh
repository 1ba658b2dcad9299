#!/usr/bin/env bash
# bench-sync.sh: ferry mirror against lftp mirror and rclone, same server,
# same files, one run.
#
# One ferryd on a free 127.0.0.1 port serves one root; the three clients
# take turns on the same jobs, each run into a fresh local folder:
#
#   small     mirror 1000 files of 4 KiB into an empty folder, 4 at a time:
#             ferry mirror --parallel 4, lftp mirror --parallel=4,
#             rclone sync --transfers 4
#   large     mirror 4 files of 64 MiB into an empty folder, the same way
#   nochange  mirror an unchanged tree of 10000 files (a copy made with
#             cp -a, times kept): nothing to do, the time is the comparison
#   segments  download 1 file of 1 GiB from a ferryd with --max-rate
#             (per session): ferry get, get --segments 4, lftp pget -n 4
#             (the speed-up is what matters here, not the ratio to others)
#
# Each row runs BENCH_REPEAT times (default 3), the clients in a rotating
# order; the table shows the median and every run, and ferry's speed as
# best-other / ferry (above 1.00: ferry was faster). Every result is
# compared with its source (names and bytes); a failed run says FAILED.
#
# Usage: tests/bench/bench-sync.sh [--quick] [--help]
#   --quick    200 small files, 2 of 16 MiB, 2000 unchanged, 64 MiB segmented, one run
# Environment:
#   FERRY FERRYD LFTP RCLONE  the programs (default: this tree's, then PATH)
#   BENCH_DIR=dir       where the scratch directory is made (default /tmp)
#   BENCH_REPEAT=n      runs of each row (default 3, 1 with --quick)
#   BENCH_ROWS="r ..."  the rows to run (default: all)
#   BENCH_RATE=bytes    ferryd --max-rate for the segments row (default 64M)
#   BENCH_TIMEOUT=s     limit for the whole run (default 1800)
#   BENCH_KEEP=1        keep the scratch directory
#
# A benchmark, not a test: it exits 0 when it could measure (failed runs
# say FAILED), 1 when it could not set up.
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
    *) echo "bench-sync: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done
if [ "$quick" = 1 ]; then
    nsmall=200 nlarge=2 large_mib=16 nsame=2000 seg_mib=64 repeat=${BENCH_REPEAT:-1}
else
    nsmall=1000 nlarge=4 large_mib=64 nsame=10000 seg_mib=1024 repeat=${BENCH_REPEAT:-3}
fi
limit=${BENCH_TIMEOUT:-1800}
rate=${BENCH_RATE:-64M}

die() { echo "bench-sync: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive number"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

FERRY=${FERRY:-$top/client/ferry}
FERRYD=${FERRYD:-$top/server/ferryd}
LFTP=${LFTP:-$(command -v lftp || true)}
RCLONE=${RCLONE:-$(command -v rclone || true)}
[ -x "$FERRY" ] || die "no ferry at $FERRY (make -j2, or set FERRY=)"
[ -x "$FERRYD" ] || die "no ferryd at $FERRYD (make -j2, or set FERRYD=)"
[ -n "$LFTP" ] || die "lftp is needed (apt-get install lftp, or set LFTP=)"
[ -n "$RCLONE" ] || die "rclone is needed (apt-get install rclone, or set RCLONE=)"

base=${BENCH_DIR:-/tmp}
work=$(mktemp -d "$base/ferry-sync-bench.XXXXXX")
case $work in *[!A-Za-z0-9/._+-]*) rmdir "$work"; die "BENCH_DIR must be a plain path" ;; esac
chmod 755 "$work"
pids=()
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${pids[@]}"; do
        pkill -KILL -P "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    bench_end "$rc"
}
bench_bound

# ---------------------------------------------------------------- files
root=$work/root
mkdir -p "$root/small" "$root/large" "$root/same/a" "$root/same/b"
note "preparing files in $work"
random_files "$root/small" f%05d 1 "$nsmall" 4096
for ((i = 1; i <= nlarge; i++)); do
    head -c $((large_mib << 20)) /dev/urandom > "$root/large/$(printf 'L%02d' "$i")"
done
for ((i = 1; i <= nsame; i++)); do
    printf '%d\n' "$i" > "$root/same/$([ $((i % 2)) = 0 ] && echo a || echo b)/$(printf 's%05d' "$i")"
done
head -c $((seg_mib << 20)) /dev/urandom > "$root/seg.bin"
# Whole seconds, so listings without fractions (LIST, rclone) agree.
touch -d @1700000000 "$root"/small/* "$root"/large/* "$root"/same/*/* "$root/seg.bin"
[ "$(id -u)" = 0 ] && chown -R nobody "$root"

# ---------------------------------------------------------------- servers
start_ferryd() {   # start_ferryd NAME [ARGS...]: sets port_NAME
    local name=$1 log=$work/ferryd-$1.log port= i
    shift
    : > "$log"
    "$FERRYD" -l 127.0.0.1:0 -r "$root" --anonymous=rw --max-clients 200 "$@" 2> "$log" < /dev/null &
    pids+=($!)
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { cat "$log" >&2; die "ferryd did not start"; }
    printf -v "port_$name" '%s' "$port"
}
start_ferryd plain
start_ferryd slow --max-rate "$rate"
URL=ftp://127.0.0.1:$port_plain
SURL=ftp://127.0.0.1:$port_slow
RPASS=$("$RCLONE" obscure anonymous@)
rremote() { echo ":ftp,host=127.0.0.1,port=$1,user=anonymous,pass=$RPASS:$2"; }
LSET='set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; set ftp:passive-mode on'

# Each command is run with eval; DST is a fresh (or, for nochange, the
# prepared) local folder.
declare -A CMD
CMD[small.ferry]='"$FERRY" -q -y -c "mirror --parallel 4 small $DST" $URL'
CMD[small.lftp]='"$LFTP" -c "$LSET; open $URL; mirror --parallel=4 small $DST"'
CMD[small.rclone]='"$RCLONE" sync --transfers 4 --checkers 4 -q "$(rremote $port_plain small)" $DST'
CMD[large.ferry]='"$FERRY" -q -y -c "mirror --parallel 4 large $DST" $URL'
CMD[large.lftp]='"$LFTP" -c "$LSET; open $URL; mirror --parallel=4 large $DST"'
CMD[large.rclone]='"$RCLONE" sync --transfers 4 --checkers 4 -q "$(rremote $port_plain large)" $DST'
CMD[nochange.ferry]='"$FERRY" -q -y -c "mirror --parallel 4 same $DST" $URL'
CMD[nochange.lftp]='"$LFTP" -c "$LSET; open $URL; mirror --parallel=4 same $DST"'
CMD[nochange.rclone]='"$RCLONE" sync --transfers 4 --checkers 4 -q "$(rremote $port_plain same)" $DST'
CMD[segments.ferry1]='"$FERRY" -q -y -c "get seg.bin $DST/seg.bin" $SURL'
CMD[segments.ferry4]='"$FERRY" -q -y -c "get --segments 4 seg.bin $DST/seg.bin" $SURL'
CMD[segments.lftp4]='"$LFTP" -c "$LSET; open $SURL; pget -n 4 seg.bin -o $DST/seg.bin"'
declare -A TOOLS=([small]="ferry lftp rclone" [large]="ferry lftp rclone"
                  [nochange]="ferry lftp rclone" [segments]="ferry1 ferry4 lftp4")
declare -A SRC=([small]=small [large]=large [nochange]=same [segments]=seg.bin)
declare -A LABEL=(
    [small]="mirror $nsmall files of 4 KiB into an empty folder, 4 at a time"
    [large]="mirror $nlarge files of $large_mib MiB into an empty folder, 4 at a time"
    [nochange]="mirror an unchanged tree of $nsame files (nothing to do)"
    [segments]="download 1 file of $seg_mib MiB at --max-rate $rate per session"
)
all_rows=(small large nochange segments)
read -r -a rows <<< "${BENCH_ROWS:-${all_rows[*]}}"

# Same names and bytes below two folders.
same_tree() {
    diff -r -q "$1" "$2" > /dev/null 2>&1
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A RUNS
run_one() {   # run_one ROW TOOL N: one timed run; appends the seconds to RUNS
    local row=$1 tool=$2 n=$3 t0 t1 ok=1
    DST=$work/dst-$row-$tool-$n
    if [ "$row" = nochange ]; then
        rm -rf "$DST"; cp -a "$root/same" "$DST"
    else
        rm -rf "$DST"; mkdir -p "$DST"
    fi
    t0=$EPOCHREALTIME
    ( eval "${CMD[$row.$tool]}" ) > "$work/out-$row-$tool-$n" 2>&1 || ok=0
    t1=$EPOCHREALTIME
    if [ "$row" = segments ]; then
        cmp -s "$root/seg.bin" "$DST/seg.bin" || ok=0
    else
        same_tree "$root/${SRC[$row]}" "$DST" || ok=0
    fi
    if [ "$ok" = 1 ]; then
        RUNS[$row.$tool]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') "
    else
        RUNS[$row.$tool]+="FAILED "
        note "$row $tool run $n failed: $(tail -c 300 "$work/out-$row-$tool-$n")"
    fi
    rm -rf "$DST"
}

for row in "${rows[@]}"; do
    [ -n "${TOOLS[$row]:-}" ] || die "unknown row '$row'"
    read -r -a tools <<< "${TOOLS[$row]}"
    note "${LABEL[$row]}"
    for ((n = 0; n < repeat; n++)); do
        for ((k = 0; k < ${#tools[@]}; k++)); do
            run_one "$row" "${tools[$(((k + n) % ${#tools[@]}))]}" "$n"
        done
    done
done

# ---------------------------------------------------------------- table
echo
echo "ferry mirror vs lftp and rclone ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $repeat run(s) each)"
printf '%-64s %-8s %9s   %s\n' "job" "client" "median s" "all runs (s)"
for row in "${rows[@]}"; do
    read -r -a tools <<< "${TOOLS[$row]}"
    declare -A MED=()
    for tool in "${tools[@]}"; do
        runs=${RUNS[$row.$tool]:-}
        if [[ $runs == *FAILED* || -z $runs ]]; then
            MED[$tool]=FAILED
        else
            MED[$tool]=$(tr ' ' '\n' <<< "$runs" | grep . | median)
        fi
        printf '%-64s %-8s %9s   %s\n' "${LABEL[$row]}" "$tool" "${MED[$tool]}" "$runs"
    done
    if [ "$row" = segments ]; then
        [ "${MED[ferry1]}" != FAILED ] && [ "${MED[ferry4]}" != FAILED ] &&
            awk -v a="${MED[ferry1]}" -v b="${MED[ferry4]}" -v c="${MED[lftp4]}" \
                'BEGIN { printf "  --segments 4 speed-up over 1 connection: %.2fx; lftp pget -n 4 / ferry --segments 4: %.2f\n", a / b, (c == "FAILED" ? 0 : c / b) }'
    else
        f=${MED[ferry]} best=
        for tool in "${tools[@]}"; do
            [ "$tool" = ferry ] && continue
            m=${MED[$tool]}
            [ "$m" = FAILED ] && continue
            if [ -z "$best" ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$m; fi
        done
        [ "$f" != FAILED ] && [ -n "$best" ] &&
            awk -v f="$f" -v b="$best" 'BEGIN { printf "  ferry speed vs the best other: %.2fx (target 1.20x)\n", b / f }'
    fi
    unset MED
done
exit 0
