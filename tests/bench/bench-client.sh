#!/usr/bin/env bash
# bench-client.sh: ferry against curl, lftp and rclone, same server, same
# files, one run.
#
# One ferryd on a free 127.0.0.1 port serves one root, and the clients
# take turns on the same operations:
#
#   getbig      download one big file (1 GiB)
#   putbig      upload one big file (1 GiB)
#   getsmall    download 1000 files of 4 KiB in one session
#   putsmall    upload 1000 files of 4 KiB in one session
#   list        list a directory of 10000 entries, output to /dev/null
#   tgetbig     getbig over FTPS (TLS on both connections, the CA given)
#   tputbig     putbig over FTPS
#
# The FTPS rows run against a second ferryd on the same root with
# --tls=required and a certificate from tests/tls-certs.sh (the plain rows'
# ferryd offers no TLS, so ferry's default --tls=auto stays plain there).
# BENCH_TLS_SERVER=pure-ftpd runs them against pure-ftpd -Y 2 (TLS
# required) instead, to one virtual user; that needs root (pure-ftpd
# changes to its session user), and the rows say "-" without it. Under the
# table, the speed of the cipher TLS 1.3 chose (openssl speed, AES-256-GCM
# in 16 KiB records) is the ceiling, with AES-128-GCM's for comparison.
#
# Each timing row runs BENCH_REPEAT times (default 3), the clients in a
# rotating order, each run into a fresh target, and reports the median.
# Before them each client makes one untimed warm-up run of the row.
# Every small-file run leaves about 1000 TCP connections in TIME_WAIT for a
# minute, and connecting and listening on loopback slow down a lot while
# many thousands are left, so before each timed run the script waits (up to
# BENCH_TW_WAIT seconds) until at most BENCH_TW_MAX are left.
# Every transfer is compared byte for byte with its source (cmp); a row with
# a failed command or a mismatch says FAILED for that client. The ratios
# are ferry / curl and ferry / lftp: below 1.00 means ferry was faster.
#
# curl: the big rows and the listing use passive mode (EPSV). The small-file
# rows use active mode (-P 127.0.0.1): in passive mode curl 7.88 waits a
# second before a data connection whenever the 229 reply is there at its
# first look (doc/design.md, "Passive replies and curl"), rare against
# ferryd but a second outweighs the row; a few passive transfers are timed
# once and reported under the table (BENCH_PASSIVE_N).
# lftp: one transfer at a time (cmd:parallel 1, mirror --parallel=1).
# rclone (when installed): copyto, copy and lsl with an on-the-fly remote
# (:ftp,host=...:), one transfer at a time (--transfers 1 --checkers 1,
# and --multi-thread-streams 0: its ranged downloads of a big file close
# data connections early, which the FTP backend then reports as errors).
#
# Usage: tests/bench/bench-client.sh [--quick] [--help]
#   --quick    64 MiB file, 200 small files, 2000 entries, one timed run per row
# Environment:
#   FERRY=path          ferry binary (default: client/ferry of this tree)
#   FERRYD=path         ferryd binary (default: server/ferryd of this tree)
#   CURL=path LFTP=path RCLONE=path
#                       the other clients (default: from PATH; without
#                       rclone its column says -)
#   BENCH_CSV=file      append every timed run to file as CSV (see common.sh)
#   BENCH_DIR=dir       where the scratch directory is made (default /tmp)
#   BENCH_CC=name       run in a network namespace of its own whose TCP
#                       congestion control is name, e.g. cubic (root; see
#                       netns.sh); the machine's own setting is left as it is
#   BENCH_REPEAT=n      runs of each timing row (default 3, 1 with --quick)
#   BENCH_WARMUP=n      untimed runs per client before them (default 1)
#   BENCH_TIMEOUT=s     limit for the whole run (default 1200, 600 with --quick)
#   BENCH_CMD_TIMEOUT=s limit for one client command (default 300, 120 with --quick)
#   BENCH_TW_MAX=n      TIME_WAIT connections allowed at the start of a timed
#                       run (default 4000; 0: do not wait)
#   BENCH_TW_WAIT=s     longest wait for them before one run (default 65)
#   BENCH_PASSIVE_N=n   small files in the curl passive sample (default 20, 0: none)
#   BENCH_VERBOSE=1     run ferryd with -v (protocol trace in its log)
#   BENCH_KEEP=1        keep the scratch directory (server log, listings)
#   BENCH_ROWS="r ..."  the rows to run (default: all, as listed above)
#   BENCH_TLS_SERVER=s  the FTPS rows' server: ferryd (default) or pure-ftpd
#   PUREFTPD=path       pure-ftpd for BENCH_TLS_SERVER=pure-ftpd (default: the
#                       one ./quickstart unpacked, else from PATH)
#
# This is a benchmark, not a test: it exits 0 when it could measure, even
# if some transfers failed (those cells say FAILED); it exits 1 when it could
# not set up.
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
    *) echo "bench-client: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    big_mib=64 nsmall=200 nlist=2000
    repeat=${BENCH_REPEAT:-1} warmup=${BENCH_WARMUP:-1} limit=${BENCH_TIMEOUT:-600} cmd_limit=${BENCH_CMD_TIMEOUT:-120}
else
    big_mib=1024 nsmall=1000 nlist=10000
    repeat=${BENCH_REPEAT:-3} warmup=${BENCH_WARMUP:-1} limit=${BENCH_TIMEOUT:-1200} cmd_limit=${BENCH_CMD_TIMEOUT:-300}
fi
passive_n=${BENCH_PASSIVE_N:-20}
tw_max=${BENCH_TW_MAX:-4000}
tw_wait=${BENCH_TW_WAIT:-65}
big_bytes=$((big_mib * 1024 * 1024))
small_bytes=4096

die() { echo "bench-client: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive number"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number"
[[ $limit =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive number of seconds"
[[ $cmd_limit =~ ^[1-9][0-9]*$ ]] || die "BENCH_CMD_TIMEOUT must be a positive number of seconds"
[[ $tw_max =~ ^[0-9]+$ ]] || die "BENCH_TW_MAX must be a number"
[[ $tw_wait =~ ^[0-9]+$ ]] || die "BENCH_TW_WAIT must be a number of seconds"
[[ $passive_n =~ ^[0-9]+$ ]] || die "BENCH_PASSIVE_N must be a number"
[ "$passive_n" -le "$nsmall" ] || passive_n=$nsmall
[ "$nsmall" -le 9999 ] || die "at most 9999 small files"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

# ---------------------------------------------------------------- tools
FERRY=${FERRY:-$top/client/ferry}
FERRYD=${FERRYD:-$top/server/ferryd}
CURL=${CURL:-$(command -v curl || true)}
LFTP=${LFTP:-$(command -v lftp || true)}
RCLONE=${RCLONE:-$(command -v rclone || true)}
[ -x "$FERRY" ] || die "no ferry at $FERRY (build it: make -j2, or set FERRY=)"
[ -x "$FERRYD" ] || die "no ferryd at $FERRYD (build it: make -j2, or set FERRYD=)"
[ -n "$CURL" ] && [ -x "$CURL" ] || die "curl is needed (or set CURL=)"
[ -n "$LFTP" ] && [ -x "$LFTP" ] || die "lftp is needed (or set LFTP=)"
for t in timeout cmp awk sort df; do
    command -v "$t" >/dev/null || die "$t is needed"
done

# ---------------------------------------------------------------- scratch
base=${BENCH_DIR:-/tmp}
[ -d "$base" ] || die "BENCH_DIR $base is not a directory"
# The server's file, the client's copy, one download and one upload at a
# time, the small files (4 KiB of data and an inode each) several times over.
need_kib=$(( big_mib * 1024 * 4 + nsmall * 8 * 6 + nlist * 4 + 64 * 1024 ))
avail_kib=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
[ "$avail_kib" -ge "$need_kib" ] ||
    die "$base has $((avail_kib / 1024)) MiB free, this run needs about $((need_kib / 1024)) MiB (set BENCH_DIR)"
work=$(mktemp -d "$base/ferry-client-bench.XXXXXX")
# The paths go into client command lines unquoted.
case $work in
*[!A-Za-z0-9/._+-]*) rmdir "$work"; die "BENCH_DIR must be a path of plain characters (no blanks or quotes)" ;;
esac
chmod 755 "$work"   # the server's unprivileged user must traverse it

srv_pid=

stop_server() {
    local pid=$srv_pid kids k tries
    [ -n "$pid" ] || return 0
    # Sessions are child processes of the listener.
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    # ferryd lets running sessions finish after the first signal; a second
    # one ends them.
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

tls_pid=

stop_tls_server() {
    local pid=$tls_pid kids k
    [ -n "$pid" ] || return 0
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    wait "$pid" 2>/dev/null || true
    tls_pid=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    stop_tls_server
    bench_end "$rc"
}
bench_bound

# ---------------------------------------------------------------- files
root=$work/root         # served by ferryd
src=$work/src           # the clients' copies of what they upload
dl=$work/dl             # download targets
mkdir -p "$root/small" "$root/list" "$root/up" "$src/small" "$dl"

note "preparing files in $work (${big_mib} MiB file, $nsmall small files, $nlist entries)"
head -c "$big_bytes" /dev/urandom > "$root/big"
cp "$root/big" "$src/big"
random_files "$root/small" f%04d 1 "$nsmall" "$small_bytes"
cp -p "$root/small/"* "$src/small/"
mkdir -p "$work/psmall"     # the first few, for the curl passive sample
for ((i = 1; i <= passive_n; i++)); do
    printf -v f 'f%04d' "$i"
    cp -p "$src/small/$f" "$work/psmall/"
done
(cd "$root/list" && seq -f 'e%05g' 1 "$nlist" | xargs touch)
[ "$(find "$root/list" -type f | wc -l)" = "$nlist" ] || die "could not make $nlist entries"

if [ "$(id -u)" = 0 ]; then
    # ferryd started as root runs as nobody.
    chown -R nobody "$root" || die "cannot chown $root to nobody"
fi

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)

# ---------------------------------------------------------------- server
srv_log=$work/ferryd.log
srv_args=(-l 127.0.0.1:0 -r "$root" --anonymous=rw --max-clients 2000)
[ "${BENCH_VERBOSE:-0}" = 1 ] && srv_args+=(-v)
: > "$srv_log"   # there before the sed below reads it, whoever runs first
"$FERRYD" "${srv_args[@]}" 2> "$srv_log" < /dev/null &
srv_pid=$!
port=
for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$srv_log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.05
done
[ -n "$port" ] || { cat "$srv_log" >&2; die "ferryd did not start"; }
URL=ftp://127.0.0.1:$port
note "ferryd (pid $srv_pid) listening on 127.0.0.1:$port"

# The FTPS server: ferryd --tls=required, or pure-ftpd -Y 2 with one
# virtual user, on the same root.
tls_server=${BENCH_TLS_SERVER:-ferryd}
case $tls_server in
ferryd) tls_label="ferryd --tls=required" ;;
pure-ftpd) tls_label="pure-ftpd -Y 2" ;;
*) die "BENCH_TLS_SERVER must be ferryd or pure-ftpd, not '$tls_server'" ;;
esac
PUREFTPD=${PUREFTPD:-$top/.quickstart/root/usr/sbin/pure-ftpd}
[ -x "$PUREFTPD" ] || PUREFTPD=$(command -v pure-ftpd || true)
TURL= CA= tls_why= RTURL=
start_tls_ferryd() {
    local tlog=$work/ferryd-tls.log tport= i
    : > "$tlog"
    "$FERRYD" -l 127.0.0.1:0 -r "$root" --anonymous=rw --max-clients 2000 --tls=required \
        --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server.key" \
        2> "$tlog" < /dev/null &
    tls_pid=$!
    for ((i = 0; i < 100; i++)); do
        tport=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$tlog" | head -1)
        if [ -n "$tport" ]; then
            TURL=ftp://127.0.0.1:$tport
            [ -z "$RCLONE" ] ||
                RTURL=":ftp,host=127.0.0.1,port=$tport,user=anonymous,pass=$("$RCLONE" obscure anon),explicit_tls=true,no_check_certificate=true:"
            note "ferryd --tls=required (pid $tls_pid) listening on 127.0.0.1:$tport"
            return 0
        fi
        kill -0 "$tls_pid" 2>/dev/null || break
        sleep 0.05
    done
    tls_why="ferryd --tls=required did not start: $(head -c 200 "$tlog")"
    return 1
}
start_tls_server() {
    local pw_bin uid gid tport i
    command -v openssl >/dev/null || { tls_why="no openssl command"; return 1; }
    sh "$top/tests/tls-certs.sh" "$work/certs" || { tls_why="tls-certs.sh failed"; return 1; }
    CA=$work/certs/ca.pem
    if [ "$tls_server" = ferryd ]; then
        start_tls_ferryd
        return
    fi
    [ "$(id -u)" = 0 ] || { tls_why="not root (pure-ftpd changes to its session user)"; return 1; }
    [ -n "$PUREFTPD" ] && [ -x "$PUREFTPD" ] || { tls_why="no pure-ftpd (set PUREFTPD=)"; return 1; }
    pw_bin=$(dirname "$(dirname "$PUREFTPD")")/bin/pure-pw
    [ -x "$pw_bin" ] || pw_bin=$(command -v pure-pw || true)
    [ -n "$pw_bin" ] || { tls_why="no pure-pw"; return 1; }
    cat "$work/certs/server.pem" "$work/certs/server.key" > "$work/certs/pure-ftpd.pem"
    uid=$(id -u nobody) gid=$(id -g nobody)
    printf 'bench:%s:%s:%s::%s/./::::::::::::\n' "$(openssl passwd -6 bench-pw)" "$uid" "$gid" \
        "$root" > "$work/pureftpd.passwd"
    "$pw_bin" mkdb "$work/pureftpd.pdb" -f "$work/pureftpd.passwd" >/dev/null ||
        { tls_why="pure-pw mkdb failed"; return 1; }
    tport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$PUREFTPD" -S "127.0.0.1,$tport" -4 -E -H -f none -l "puredb:$work/pureftpd.pdb" \
        -U 133:022 -c 50 -C 50 -I 5 -Y 2 -2 "$work/certs/pure-ftpd.pem" \
        > "$work/pure-ftpd.log" 2>&1 < /dev/null &
    tls_pid=$!
    for ((i = 0; i < 100; i++)); do
        if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$tport && head -c 3 <&3" 2>/dev/null |
           grep -q 220; then
            TURL=ftp://bench:bench-pw@127.0.0.1:$tport
            [ -z "$RCLONE" ] ||
                RTURL=":ftp,host=127.0.0.1,port=$tport,user=bench,pass=$("$RCLONE" obscure bench-pw),explicit_tls=true,no_check_certificate=true:"
            note "pure-ftpd -Y 2 (pid $tls_pid) listening on 127.0.0.1:$tport"
            return 0
        fi
        kill -0 "$tls_pid" 2>/dev/null || break
        sleep 0.05
    done
    tls_why="pure-ftpd did not start: $(head -c 200 "$work/pure-ftpd.log")"
    return 1
}

# ---------------------------------------------------------------- commands
# Each command is a template run with eval, with these variables set:
#   DST   a fresh local target        RDST  a fresh remote target (under up/)
#   OUT   where a listing goes        SRC   the local source of an upload
LSET='set net:max-retries 1; set net:timeout 10; set xfer:clobber on; set ftp:passive-mode on; set cmd:parallel 1; set cmd:fail-exit yes'
RANGE=$(printf '%04d-%04d' 1 "$nsmall")
PRANGE=$(printf '%04d-%04d' 1 "$passive_n")

declare -A CMD
CMD[getbig.ferry]='"$FERRY" -q -y -c "get big $DST" $URL'
CMD[getbig.curl]='"$CURL" -sS -o $DST $URL/big'
CMD[getbig.lftp]='"$LFTP" -c "$LSET; open $URL; get big -o $DST"'
CMD[putbig.ferry]='"$FERRY" -q -y -c "put $SRC $RDST" $URL'
CMD[putbig.curl]='"$CURL" -sS -T $SRC $URL/$RDST'
CMD[putbig.lftp]='"$LFTP" -c "$LSET; open $URL; put $SRC -o $RDST"'
CMD[getsmall.ferry]='"$FERRY" -q -y -c "get -r small $DST" $URL'
CMD[getsmall.curl]='"$CURL" -sS -P 127.0.0.1 --create-dirs -o "$DST/f#1" "$URL/small/f[$RANGE]"'
CMD[getsmall.lftp]='"$LFTP" -c "$LSET; open $URL; mirror --parallel=1 small $DST"'
CMD[putsmall.ferry]='"$FERRY" -q -y -c "put -r $SRC $RDST" $URL'
CMD[putsmall.curl]='"$CURL" -sS -P 127.0.0.1 --ftp-create-dirs -T "$SRC/f[$RANGE]" $URL/$RDST/'
CMD[putsmall.lftp]='"$LFTP" -c "$LSET; open $URL; mirror -R --parallel=1 $SRC $RDST"'
CMD[list.ferry]='"$FERRY" -q -c "ls list" $URL > $OUT'
CMD[list.curl]='"$CURL" -sS $URL/list/ > $OUT'
CMD[list.lftp]='"$LFTP" -c "$LSET; open $URL; ls list" > $OUT'
# lftp logs in anonymously without TLS unless ftp:ssl-allow-anonymous says otherwise.
TSET='set ftp:ssl-force true; set ftp:ssl-protect-data true; set ftp:ssl-allow-anonymous true; set ssl:ca-file'
CMD[tgetbig.ferry]='"$FERRY" -q -y --ca-file $CA -c "get big $DST" $TURL'
CMD[tgetbig.curl]='"$CURL" -sS --ssl-reqd --cacert $CA -o $DST $TURL/big'
CMD[tgetbig.lftp]='"$LFTP" -c "$LSET; $TSET $CA; open $TURL; get big -o $DST"'
CMD[tputbig.ferry]='"$FERRY" -q -y --ca-file $CA -c "put $SRC $RDST" $TURL'
CMD[tputbig.curl]='"$CURL" -sS --ssl-reqd --cacert $CA -T $SRC $TURL/$RDST'
CMD[tputbig.lftp]='"$LFTP" -c "$LSET; $TSET $CA; open $TURL; put $SRC -o $RDST"'
RFLAGS="--config /dev/null -q --transfers 1 --checkers 1 --multi-thread-streams 0"
RURL=":ftp,host=127.0.0.1,port=$port,user=anonymous,pass=$([ -z "$RCLONE" ] || "$RCLONE" obscure anon):"
CMD[getbig.rclone]='"$RCLONE" $RFLAGS copyto "$RURL/big" $DST'
CMD[putbig.rclone]='"$RCLONE" $RFLAGS copyto $SRC "$RURL/$RDST"'
CMD[getsmall.rclone]='"$RCLONE" $RFLAGS copy "$RURL/small" $DST'
CMD[putsmall.rclone]='"$RCLONE" $RFLAGS copy $SRC "$RURL/$RDST"'
CMD[list.rclone]='"$RCLONE" $RFLAGS lsl "$RURL/list" > $OUT'
CMD[tgetbig.rclone]='"$RCLONE" $RFLAGS copyto "$RTURL/big" $DST'
CMD[tputbig.rclone]='"$RCLONE" $RFLAGS copyto $SRC "$RTURL/$RDST"'
# Not in the table: lftp's parsed listing, and curl in passive mode.
CMD[list.lftpcls]='"$LFTP" -c "$LSET; open $URL; cls -l list" > $OUT'
CMD[pgetsmall.curl]='"$CURL" -sS --create-dirs -o "$DST/f#1" "$URL/small/f[$PRANGE]"'
CMD[pputsmall.curl]='"$CURL" -sS --ftp-create-dirs -T "$SRC/f[$PRANGE]" $URL/$RDST/'

all_rows=(getbig putbig getsmall putsmall list tgetbig tputbig)
read -r -a rows <<< "${BENCH_ROWS:-${all_rows[*]}}"
for row in "${rows[@]}"; do
    [[ " ${all_rows[*]} " == *" $row "* ]] || die "unknown row '$row' in BENCH_ROWS"
done
tools=(ferry curl lftp)
[ -z "$RCLONE" ] || tools+=(rclone)
if [[ " ${rows[*]} " == *" tgetbig "* || " ${rows[*]} " == *" tputbig "* ]]; then
    start_tls_server || {
        note "FTPS rows skipped: $tls_why"
        read -r -a rows <<< "$(printf '%s\n' "${rows[@]}" | grep -v '^t' | tr '\n' ' ')"
    }
fi
big_label=$(if [ "$big_mib" -ge 1024 ]; then echo "$((big_mib / 1024)) GiB"; else echo "$big_mib MiB"; fi)
declare -A LABEL=(
    [getbig]="download 1 file of $big_label"
    [putbig]="upload 1 file of $big_label"
    [tgetbig]="FTPS: download 1 file of $big_label ($tls_label)"
    [tputbig]="FTPS: upload 1 file of $big_label ($tls_label)"
    [getsmall]="download $nsmall files of 4 KiB, one session"
    [putsmall]="upload $nsmall files of 4 KiB, one session"
    [list]="list a directory of $nlist entries"
)

# ---------------------------------------------------------------- checks
# Same names and same bytes in two directories: one cmp over the files
# concatenated in name order.
same_tree() {
    local a=$1 b=$2
    [ -d "$b" ] || { echo "no directory $b"; return 1; }
    if [ "$(cd "$a" && ls -A)" != "$(cd "$b" && ls -A)" ]; then
        echo "file names differ ($(cd "$b" && ls -A | wc -l) files, $(cd "$a" && ls -A | wc -l) expected)"
        return 1
    fi
    cmp -s <(cd "$a" && cat -- *) <(cd "$b" && cat -- *) || { echo "contents differ (cmp)"; return 1; }
}

same_file() {
    [ -f "$2" ] || { echo "no file $2"; return 1; }
    cmp -s "$1" "$2" || { echo "contents differ (cmp)"; return 1; }
}

# A listing names every entry: lines ending in a name eNNNNN.
listing_ok() {
    local n
    n=$(tr -d '\r' < "$1" | grep -cE '(^|[ /])e[0-9]{5}$' || true)
    [ "$n" = "$nlist" ] || { echo "listing has $n of $nlist entries"; return 1; }
}

# ---------------------------------------------------------------- runs
declare -A TIMES FAIL RUNS
seq_no=0


# run ROW TOOL [warm]: one timed run into fresh targets, then the check.
# Adds the time to TIMES[row.tool] (not for a warm-up run), or the reason
# to FAIL[row.tool].
run_one() {
    local row=$1 tool=$2 key=$1.$2 warm=${3:-} rc=0 t0 t1 why=
    local DST RDST OUT SRC
    seq_no=$((seq_no + 1))
    DST=$dl/$row-$tool-$seq_no
    RDST=up/$row-$tool-$seq_no
    OUT=/dev/null
    case $row in
    putbig|tputbig) SRC=$src/big ;;
    putsmall) SRC=$src/small ;;
    pputsmall) SRC=$work/psmall ;;
    *) SRC= ;;
    esac
    sync   # earlier writes are not flushed during this run
    [ -n "$warm" ] || settle
    t0=$EPOCHREALTIME
    eval "timeout -k 5 $cmd_limit ${CMD[$key]}" > "$work/last.out" 2> "$work/last.err" || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        why="timed out after ${cmd_limit}s"
    elif [ "$rc" != 0 ]; then
        why="exit $rc: $(head -c 200 "$work/last.err" | tr '\n' ' ')"
    else
        case $row in
        getbig|tgetbig) why=$(same_file "$root/big" "$DST") ;;
        putbig|tputbig) why=$(same_file "$src/big" "$root/$RDST") ;;
        getsmall) why=$(same_tree "$root/small" "$DST") ;;
        putsmall) why=$(same_tree "$src/small" "$root/$RDST") ;;
        pgetsmall) why=$(same_tree "$work/psmall" "$DST") ;;
        pputsmall) why=$(same_tree "$work/psmall" "$root/$RDST") ;;
        esac || true
    fi
    discard "$DST" "${root:?}/$RDST"
    local which=warm-up
    if [ -z "$warm" ]; then
        RUNS[$key]=$(( ${RUNS[$key]:-0} + 1 ))
        which="run ${RUNS[$key]}"
    fi
    if [ -n "$why" ]; then
        FAIL[$key]="${FAIL[$key]:+${FAIL[$key]}; }$which: $why"
        [ -n "$warm" ] || csv_row "$row" "$tool" "${RUNS[$key]}" FAIL
        note "  $tool: FAILED ($why)"
    elif [ -n "$warm" ]; then
        note "  $tool: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f s", b - a }') (warm-up, not counted)"
    else
        TIMES[$key]="${TIMES[$key]:-} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
        csv_row "$row" "$tool" "${RUNS[$key]}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
        note "  $tool: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f s", b - a }')"
    fi
}

# csv_row ROW TOOL RUN VALUE: one line of the raw results.
csv_row() {
    local server=ferryd bytes=0
    case $1 in t*) server=$tls_server ;; esac
    case $1 in *big) bytes=$big_bytes ;; esac
    case $1.$2 in pgetsmall.*|pputsmall.*|*.lftpcls) return 0 ;; esac
    csv_add bench-client "$1" "${LABEL[$1]}" "$server" "$2" "$3" "$4" s "$bytes"
}

# Each client lists once into a file, untimed, to check the listing.
check_listing() {
    local tool=$1 key=list.$1 rc=0 why=
    local DST= RDST= SRC= OUT=$work/listing.$1
    eval "timeout -k 5 $cmd_limit ${CMD[$key]}" 2> "$work/last.err" || rc=$?
    if [ "$rc" != 0 ]; then
        why="exit $rc: $(head -c 200 "$work/last.err" | tr '\n' ' ')"
    else
        why=$(listing_ok "$OUT") || true
    fi
    [ -z "$why" ] || { FAIL[$key]="check: $why"; note "  $tool: listing FAILED ($why)"; }
}

row_no=0
for row in "${rows[@]}"; do
    row_no=$((row_no + 1))
    note "${LABEL[$row]}"
    row_tools=("${tools[@]}")
    [ "$row" = list ] && row_tools+=(lftpcls)
    if [ "$row" = list ]; then
        for tool in "${row_tools[@]}"; do check_listing "$tool"; done
    fi
    for ((r = 0; r < warmup; r++)); do
        for tool in "${row_tools[@]}"; do run_one "$row" "$tool" warm; done
    done
    for ((r = 0; r < repeat; r++)); do
        # The clients take turns in an order that rotates from run to run
        # and from row to row.
        n=${#row_tools[@]}
        for ((j = 0; j < n; j++)); do
            run_one "$row" "${row_tools[(j + r + row_no) % n]}"
        done
    done
done

pdown= pup=
if [ "$passive_n" -gt 0 ]; then
    note "curl, passive mode, $passive_n small files in one session (once)"
    run_one pgetsmall curl
    run_one pputsmall curl
fi

# ---------------------------------------------------------------- table
# MED[row.tool]: the median, empty when a run failed.
declare -A MED
for key in "${!CMD[@]}"; do
    if [ -z "${FAIL[$key]:-}" ] && [ -n "${TIMES[$key]:-}" ]; then
        # shellcheck disable=SC2086 # one number per word
        MED[$key]=$(median_of ${TIMES[$key]})
    fi
done

cell() {
    local row=$1 tool=$2 m=${MED[$1.$2]:-}
    if [ -n "${FAIL[$row.$tool]:-}" ]; then
        printf 'FAILED'
    elif [ -z "$m" ]; then
        printf -- '-'
    elif [[ $row == *big ]]; then
        awk -v t="$m" -v s="$big_mib" 'BEGIN { printf "%.3f s (%.0f MiB/s)", t, s / t }'
    else
        awk -v t="$m" 'BEGIN { printf "%.3f s", t }'
    fi
}

ratio() {
    local a=${MED[$1.ferry]:-} b=${MED[$1.$2]:-}
    if [ -z "$a" ] || [ -z "$b" ] || [ -n "${FAIL[$1.ferry]:-}" ] || [ -n "${FAIL[$1.$2]:-}" ]; then
        printf -- '-'
    else
        awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
    fi
}

if [ "$repeat" = 1 ]; then runs="1 run per row"; else runs="median of $repeat runs"; fi
[ "$warmup" = 0 ] || runs+=" after $warmup untimed warm-up run$([ "$warmup" = 1 ] || echo s) per client"
echo
echo "### ferry vs curl vs lftp, one ferryd on 127.0.0.1 ($runs$([ "$quick" = 1 ] && echo ", --quick"))"
echo
echo "| operation | ferry | curl | lftp | rclone | ferry/curl | ferry/lftp | ferry/rclone |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$row]}" \
        "$(cell "$row" ferry)" "$(cell "$row" curl)" "$(cell "$row" lftp)" "$(cell "$row" rclone)" \
        "$(ratio "$row" curl)" "$(ratio "$row" lftp)" "$(ratio "$row" rclone)"
done
echo
echo "Ratios below 1.00: ferry faster. Wall time of the whole client process (connect, login, transfer, quit); files in the page cache, sync before each run."
echo "curl uses active mode (-P 127.0.0.1) for the small-file rows: in passive mode curl 7.88 waits a second before it opens a data connection whenever the server's 229 reply is already there the first time it looks (doc/design.md, \"Passive replies and curl\"; every server meets it). ferryd makes that rare, but a single wait outweighs a row of 1000 files$([ "$passive_n" = 0 ] || echo ' (see the passive sample below)'). lftp runs one transfer at a time (cmd:parallel 1, mirror --parallel=1)."
if [ "$tw_max" -gt 0 ]; then
    echo "Before each timed run the script waited until at most $tw_max TCP connections were in TIME_WAIT (each small-file run leaves about 1000 for a minute, and loopback connects and listens slow down while many thousands are left): $tw_waited s of waiting in all, at most $tw_top at the start of a run$([ "$tw_late" = 0 ] || echo ", $tw_late runs started above the limit after ${tw_wait}s")."
fi
if [ -n "$TURL" ]; then
    # The ceiling: what this machine encrypts with TLS 1.3's AES-256-GCM
    # in full-size records, on one CPU.
    read -r _ ceil <<< "$(tls_ceiling AES_256_GCM)"
    read -r _ ceil128 <<< "$(tls_ceiling AES_128_GCM)"
    tver=$("$FERRY" -v --ca-file "$CA" -c "pwd" "$TURL" 2>&1 | sed -n 's/^--- TLS: \([^,]*\),.*/\1/p' | head -1)
    echo "FTPS rows: $tls_label, ${tver:-TLS}; ferry --ca-file, curl --ssl-reqd --cacert, lftp ftp:ssl-force, ftp:ssl-protect-data and ftp:ssl-allow-anonymous with ssl:ca-file, rclone explicit_tls with no_check_certificate (its FTP backend takes no CA file). Ceiling: openssl speed -evp aes-256-gcm, 16 KiB blocks: ${ceil:-?} MiB/s on one CPU (aes-128-gcm: ${ceil128:-?} MiB/s)."
fi
if [ -n "${MED[list.lftpcls]:-}" ]; then
    echo "lftp cls -l (a parsed listing, as ferry ls prints): $(cell list lftpcls); ferry/lftp-cls $(ratio list lftpcls)."
elif [ -n "${FAIL[list.lftpcls]:-}" ]; then
    echo "lftp cls -l: FAILED."
fi
if [ "$passive_n" -gt 0 ]; then
    for d in get put; do
        key=p${d}small.curl act=${MED[${d}small.curl]:-}
        [ "$d" = get ] && what=download || what=upload
        if [ -n "${MED[$key]:-}" ]; then
            line=$(awk -v t="${MED[$key]}" -v n="$passive_n" 'BEGIN { printf "%.3f s, %.1f ms/file", t, t * 1000 / n }')
            [ -n "$act" ] && line+=$(awk -v t="$act" -v n="$nsmall" 'BEGIN { printf "; active mode in the table: %.1f ms/file", t * 1000 / n }')
            echo "curl passive (EPSV), $what of $passive_n small files in one session (once): $line."
        else
            echo "curl passive (EPSV), $what of $passive_n small files in one session: FAILED."
        fi
    done
fi
fails=0
for row in "${rows[@]}" pgetsmall pputsmall; do
    for tool in ferry curl lftp rclone lftpcls; do
        if [ -n "${FAIL[$row.$tool]:-}" ]; then
            [ "$fails" = 0 ] && echo && echo "Failures:"
            fails=$((fails + 1))
            echo "- $row, $tool: ${FAIL[$row.$tool]}"
        fi
    done
done

if [ "$repeat" -gt 1 ]; then
    echo
    echo "All runs (seconds, in the order run):"
    for row in "${rows[@]}"; do
        line=
        row_tools=("${tools[@]}")
        [ "$row" = list ] && row_tools+=(lftpcls)
        for tool in "${row_tools[@]}"; do
            line+="${line:+; }$tool${TIMES[$row.$tool]:- -}"
        done
        echo "- $row: $line"
    done
fi

echo
echo "Machine: $(machine_line) at the end, $load0 at the start; $("$FERRY" -V 2>&1 | head -1); $("$CURL" --version | head -1 | cut -d' ' -f1-2); lftp $("$LFTP" --version | head -1 | sed -n 's/.*Version \([^ ]*\).*/\1/p'); ferryd $("$FERRYD" -V 2>&1 | head -1 | awk '{ print $NF }')."
echo
echo "Commands (URL=$URL${TURL:+, TURL=$TURL, CA the test CA, TSET='$TSET CA'}, RURL=$RURL${RTURL:+, RTURL=$RTURL}, DST a fresh local target, RDST a fresh remote up/NAME, SRC the local copy, OUT /dev/null; LSET='$LSET'):"
echo
show() {
    local t=${CMD[$1]}
    t=${t//\"\$FERRY\"/ferry}; t=${t//\"\$CURL\"/curl}; t=${t//\"\$LFTP\"/lftp}
    t=${t//\"\$RCLONE\" \$RFLAGS/rclone $RFLAGS}
    t=${t//\$RANGE/$RANGE}; t=${t//\$PRANGE/$PRANGE}
    printf '    %-9s %-11s %s\n' "$2" "$3" "$t"
}
for row in "${rows[@]}"; do
    for tool in "${tools[@]}"; do show "$row.$tool" "$row" "$tool"; done
done
show list.lftpcls list "lftp(cls)"
if [ "$passive_n" -gt 0 ]; then
    show pgetsmall.curl getsmall "curl(pasv)"
    show pputsmall.curl putsmall "curl(pasv)"
fi
echo
