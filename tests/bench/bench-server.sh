#!/usr/bin/env bash
# bench-server.sh: ferryd against vsftpd on this machine, same client, one run.
#
# Both servers run side by side on free 127.0.0.1 ports, each with its own
# root holding identical files, and the same clients drive them in turn:
#
#   RETR    one big file (1 GiB), curl, passive (EPSV)
#   STOR    one big file (1 GiB), curl, passive (EPSV), into upload/
#   small   N files of 4 KiB in one session, curl -P (active mode: curl
#           7.88 stalls about 1 s per file when it reuses one passive
#           session for many URLs)
#   SIZE    1000 SIZE commands in one session, python3 ftplib (fastest
#           of five passes in the session)
#   conc    M concurrent sessions (python3 ftplib threads), each logs in,
#           LISTs and RETRs a small file, then stays connected; the servers'
#           memory is read from /proc while all of them are connected
#
# Timing rows run BENCH_REPEAT times (default 3), alternating the servers,
# and report the median. The ratio is ferryd / vsftpd: below 1 means ferryd
# was faster (or used less memory per session).
#
# Usage: tests/bench/bench-server.sh [--quick] [--help]
#   --quick    64 MiB file, 200 small files, 200 sessions
# Environment:
#   FERRYD=path       ferryd binary (default: server/ferryd of this tree)
#   VSFTPD=path       vsftpd binary (default: .quickstart/root/usr/sbin/vsftpd,
#                     then vsftpd on PATH, then /usr/sbin/vsftpd)
#   BENCH_DIR=dir     where the scratch directory is made (default /tmp)
#   BENCH_ONLY=name   run only ferryd or only vsftpd
#   BENCH_REPEAT=n    repetitions of each timing row (default 3)
#   BENCH_TIMEOUT=s   limit for the whole run (default 1500, 600 with --quick)
#   BENCH_KEEP=1      keep the scratch directory (logs, configs)
#   BENCH_RUN_AS=user user both servers run as when started as root (default:
#                     the first of ftp nobody daemon bin with an existing home)
#   VSFTPD_EXTRA=text more vsftpd.conf lines, e.g. 'isolate_network=NO'
#   BENCH_RAMP_MS=n   start the concurrent sessions n ms apart instead of all
#                     at once (the wall time then includes the ramp)
#
# This is a benchmark, not a test: it exits 0 when it could measure, even
# if some transfers failed (those cells say FAIL); it exits 1 when it could
# not set up.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

quick=0
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "bench-server: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    big_mib=64 nsmall=200 nsess=200 limit=${BENCH_TIMEOUT:-600}
else
    big_mib=1024 nsmall=1000 nsess=500 limit=${BENCH_TIMEOUT:-1500}
fi
nsize=1000
ramp_ms=${BENCH_RAMP_MS:-0}
repeat=${BENCH_REPEAT:-3}
only=${BENCH_ONLY:-}
big_bytes=$((big_mib * 1024 * 1024))
small_bytes=4096

die() { echo "bench-server: $*" >&2; exit 1; }
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case $only in
''|both) servers=(ferryd vsftpd); only= ;;
ferryd|vsftpd) servers=("$only") ;;
*) die "BENCH_ONLY must be ferryd or vsftpd, not '$only'" ;;
esac
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive number"
[[ $ramp_ms =~ ^[0-9]+$ ]] || die "BENCH_RAMP_MS must be a number of milliseconds"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
command -v timeout >/dev/null || die "timeout (coreutils) is needed"

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

ferryd_bin=${FERRYD:-$top/server/ferryd}
if want ferryd; then
    [ -x "$ferryd_bin" ] || die "no ferryd at $ferryd_bin (build it: make -j2 server/ferryd, or set FERRYD=)"
fi
vsftpd_bin=
if want vsftpd; then
    for c in "${VSFTPD:-}" "$top/.quickstart/root/usr/sbin/vsftpd" "$(command -v vsftpd || true)" \
             /usr/sbin/vsftpd; do
        if [ -n "$c" ] && [ -x "$c" ]; then vsftpd_bin=$c; break; fi
    done
    [ -n "$vsftpd_bin" ] || die "no vsftpd found (set VSFTPD=path, or run ./quickstart test, which unpacks it into .quickstart/root)"
fi

# ---------------------------------------------------------------- scratch
base=${BENCH_DIR:-/tmp}
[ -d "$base" ] || die "BENCH_DIR $base is not a directory"
# Two roots with the big file, the client's copy, one upload per server.
need_kib=$(( (big_mib * 1024) * 5 + nsmall * 8 * 2 + 64 * 1024 ))
avail_kib=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
[ "$avail_kib" -ge "$need_kib" ] ||
    die "$base has $((avail_kib / 1024)) MiB free, this run needs about $((need_kib / 1024)) MiB (set BENCH_DIR)"
work=$(mktemp -d "$base/ferryd-bench.XXXXXX")
chmod 755 "$work"   # the servers' unprivileged users must traverse it

declare -A PID PORT ROOT

# Lists the PIDs of pid's descendants (children first), from /proc.
descendants() {
    python3 "$work/ftpbench.py" descendants "$1" 2>/dev/null || true
}

stop_server() {
    local name=$1 pid=${PID[$1]:-} kids k
    [ -n "$pid" ] || return 0
    kids=$(descendants "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    # ferryd lets running sessions finish after the first signal; a second
    # one ends them.
    local tries
    for tries in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
        if [ "$tries" = 3 ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    PID[$name]=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for s in ferryd vsftpd; do stop_server "$s"; done
    bench_end "$rc"
}
bench_bound

# ---------------------------------------------------------------- client helper
cat > "$work/ftpbench.py" <<'PY'
"""FTP client side of bench-server.sh (python3 ftplib), plus /proc helpers."""
import ftplib
import os
import socket
import sys
import threading
import time


def descendants(root):
    """root and every process below it, from the ppid fields in /proc."""
    children = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                s = f.read()
        except OSError:
            continue
        ppid = int(s[s.rindex(')') + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out = [root]
    i = 0
    while i < len(out):
        out.extend(children.get(out[i], []))
        i += 1
    return out


def memory(pids):
    """Summed VmRSS and Pss (KiB) of the processes still alive, and their count."""
    rss = pss = n = 0
    for p in pids:
        try:
            with open('/proc/%d/status' % p) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        rss += int(line.split()[1])
            try:
                with open('/proc/%d/smaps_rollup' % p) as f:
                    for line in f:
                        if line.startswith('Pss:'):
                            pss += int(line.split()[1])
            except OSError:
                pass
            n += 1
        except OSError:
            pass
    return rss, pss, n


def listen_overflows():
    """The kernel's count of connections dropped because a listen queue
    was full (TcpExt ListenOverflows, all sockets)."""
    try:
        with open('/proc/net/netstat') as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:'):
            d = dict(zip(names.split()[1:], values.split()[1:]))
            return int(d.get('ListenOverflows', 0))
    return 0


def login(host, port, timeout):
    f = ftplib.FTP(timeout=timeout)
    f.connect(host, port)
    f.login()          # anonymous
    return f


def cmd_size(host, port, count, nsmall):
    """count SIZE commands in one session, five passes: prints the fastest
    pass in seconds (a pass takes ~0.1 s, so one scheduler hiccup would
    otherwise decide the row) and the number of bad replies."""
    f = login(host, port, 60)
    f.voidcmd('TYPE I')
    bad = 0
    best = None
    for _ in range(5):
        t0 = time.perf_counter()
        for i in range(count):
            try:
                r = f.sendcmd('SIZE small/f%04d' % (i % nsmall))
                if r != '213 4096':
                    bad += 1
            except ftplib.Error:
                bad += 1
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    f.quit()
    print('%.4f %d' % (best, bad))


def cmd_conc(host, port, count, server_pid, nsmall, timeout, ramp):
    """count sessions at once; each logs in, LISTs, RETRs a small file and
    stays connected until the server's memory has been read. Session i
    starts i * ramp seconds after the first (0: all at once)."""
    threading.stack_size(256 * 1024)
    start = threading.Event()
    release = threading.Event()
    all_done = threading.Event()
    lock = threading.Lock()
    state = {'done': 0, 'ok': 0, 't_end': None}
    errors = {}

    def finish(ok, why=None):
        with lock:
            state['done'] += 1
            if ok:
                state['ok'] += 1
            else:
                errors[why] = errors.get(why, 0) + 1
            if state['done'] == count:
                state['t_end'] = time.perf_counter()
                all_done.set()

    def worker(i):
        start.wait()
        if ramp > 0:
            time.sleep(i * ramp)
        f = None
        try:
            f = login(host, port, timeout)
            lines = []
            f.retrlines('LIST', lines.append)
            if not lines:
                raise RuntimeError('empty LIST')
            buf = bytearray()
            f.retrbinary('RETR small/f%04d' % (i % nsmall), buf.extend)
            if len(buf) != 4096:
                raise RuntimeError('RETR returned %d bytes' % len(buf))
        except Exception as e:  # every failure is counted, whatever it is
            finish(False, '%s: %s' % (type(e).__name__, str(e)[:70]))
            if f is not None:
                f.close()
            return
        finish(True)
        # Stay connected until the memory has been read, even when other
        # sessions take much longer.
        release.wait(timeout * 5)
        try:
            f.quit()
        except Exception:
            f.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    overflows = listen_overflows()
    t0 = time.perf_counter()
    start.set()
    finished = all_done.wait(timeout * 3)
    t_end = state['t_end'] if finished else time.perf_counter()
    rss, pss, nproc = memory(descendants(server_pid))
    overflows = listen_overflows() - overflows
    release.set()
    for t in threads:
        t.join(timeout)
    with lock:
        ok = state['ok']
        fail = count - ok
    print('%.4f %d %d %d %d %d %d' % (t_end - t0, ok, fail, rss, pss, nproc, overflows))
    for why, n in sorted(errors.items(), key=lambda kv: -kv[1]):
        print('  %d x %s' % (n, why), file=sys.stderr)
    if not finished:
        print('  %d sessions still running at the time limit' % (count - state['done']),
              file=sys.stderr)


def cmd_freeport():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    print(s.getsockname()[1])
    s.close()


def cmd_ready(host, port, secs):
    """Waits until the server sends its 220 greeting."""
    deadline = time.time() + secs
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                if s.recv(64).startswith(b'220'):
                    s.sendall(b'QUIT\r\n')
                    return 0
        except OSError:
            pass
        time.sleep(0.1)
    return 1


def main(argv):
    what = argv[1]
    if what == 'descendants':
        print(' '.join(str(p) for p in descendants(int(argv[2]))[1:]))
    elif what == 'size':
        cmd_size(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif what == 'conc':
        cmd_conc(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]),
                 float(argv[7]), float(argv[8]))
    elif what == 'freeport':
        cmd_freeport()
    elif what == 'ready':
        return cmd_ready(argv[2], int(argv[3]), float(argv[4]))
    return 0


sys.exit(main(sys.argv))
PY

helper() { python3 "$work/ftpbench.py" "$@"; }

# Many sessions need many descriptors in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- files
if [ "$(id -u)" = 0 ]; then
    # Both servers give up root for the same user. vsftpd changes into the
    # anonymous user's home directory before it enters anon_root, so the
    # user's home must exist (nobody's is often /nonexistent).
    as_root=1 runuser=${BENCH_RUN_AS:-}
    if [ -z "$runuser" ]; then
        for u in ftp nobody daemon bin; do
            home=$(getent passwd "$u" | cut -d: -f6) || continue
            uid=$(id -u "$u" 2>/dev/null) || continue
            if [ "$uid" != 0 ] && [ -n "$home" ] && [ -d "$home" ]; then runuser=$u; break; fi
        done
    fi
    [ -n "$runuser" ] || die "no unprivileged user with an existing home directory (set BENCH_RUN_AS=user)"
    rungroup=$(id -gn "$runuser" 2>/dev/null) || die "no user $runuser"
else
    as_root=0 runuser=$(id -un) rungroup=$(id -gn)
fi

note "preparing files in $work (${big_mib} MiB file, $nsmall small files)"
mkdir -p "$work/client" "$work/empty"
head -c "$big_bytes" /dev/urandom > "$work/client/big.src"
mkdir -p "$work/client/small"
for ((i = 0; i < nsmall; i++)); do
    printf -v n 'f%04d' "$i"
    head -c "$small_bytes" /dev/urandom > "$work/client/small/$n"
done

# Each server: root (owned by the invoking user, read-only for the
# server's user: vsftpd refuses a writable anonymous root) with pub/,
# small/ and a writable upload/.
for s in "${servers[@]}"; do
    r=$work/$s/root
    mkdir -p "$r/pub" "$r/upload"
    cp "$work/client/big.src" "$r/pub/big.bin"
    cp -r "$work/client/small" "$r/small"
    chmod -R a+rX,go-w "$r"
    chmod 755 "$work/$s"
    if [ "$as_root" = 1 ]; then chown "$runuser:$rungroup" "$r/upload"; fi
    ROOT[$s]=$r
done
sync

# ---------------------------------------------------------------- servers
start_ferryd() {
    local log=$work/ferryd/ferryd.log port=
    local runas=()
    [ "$as_root" = 1 ] && runas=(--run-as "$runuser")
    "$ferryd_bin" -l 127.0.0.1:0 -r "${ROOT[ferryd]}" --anonymous=rw --max-clients 2000 \
        "${runas[@]}" 2> "$log" &
    PID[ferryd]=$!
    local tries
    for tries in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "${PID[ferryd]}" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$log" >&2; die "ferryd did not start"; }
    PORT[ferryd]=$port
    helper ready 127.0.0.1 "$port" 10 || { cat "$log" >&2; die "ferryd does not answer on port $port"; }
}

start_vsftpd() {
    local conf=$work/vsftpd/vsftpd.conf log=$work/vsftpd/vsftpd.log port
    port=$(helper freeport)
    {
        echo "listen=YES"
        echo "listen_ipv6=NO"
        echo "listen_address=127.0.0.1"
        echo "listen_port=$port"
        echo "background=NO"
        echo "anonymous_enable=YES"
        echo "local_enable=NO"
        echo "anon_root=${ROOT[vsftpd]}"
        echo "write_enable=YES"
        echo "anon_upload_enable=YES"
        echo "anon_other_write_enable=YES"
        echo "anon_umask=022"
        echo "no_anon_password=YES"
        echo "pasv_enable=YES"
        echo "port_enable=YES"
        echo "connect_from_port_20=NO"
        echo "seccomp_sandbox=NO"
        echo "max_clients=2000"
        echo "max_per_ip=2000"
        echo "secure_chroot_dir=$work/empty"
        echo "xferlog_enable=NO"
        echo "ssl_enable=NO"
        [ -z "${VSFTPD_EXTRA:-}" ] || printf '%s\n' "$VSFTPD_EXTRA"
        # vsftpd looks these users up even with run_as_launching_user.
        echo "ftp_username=$runuser"
        echo "nopriv_user=$runuser"
        [ "$as_root" = 1 ] || echo "run_as_launching_user=YES"
    } > "$conf"
    "$vsftpd_bin" "$conf" > "$log" 2>&1 < /dev/null &
    PID[vsftpd]=$!
    PORT[vsftpd]=$port
    helper ready 127.0.0.1 "$port" 10 || { cat "$conf" "$log" >&2; die "vsftpd did not start"; }
}

for s in "${servers[@]}"; do "start_$s"; done
note "servers: $(for s in "${servers[@]}"; do printf '%s pid %s port %s; ' "$s" "${PID[$s]}" "${PORT[$s]}"; done)"

# ---------------------------------------------------------------- measurements
# Each run prints seconds, or FAIL (the reason goes to stderr).
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
xfer_limit=$((big_mib / 8 + 120))     # generous: 8 MiB/s at least

run_retr() {
    local s=$1 t0 got
    t0=$EPOCHREALTIME
    if ! got=$(curl -sS --max-time "$xfer_limit" -o /dev/null -w '%{size_download}' \
               "ftp://127.0.0.1:${PORT[$s]}/pub/big.bin" 2>> "$work/curl.err"); then
        note "$s RETR: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    local t; t=$(secs_since "$t0")
    if [ "$got" != "$big_bytes" ]; then note "$s RETR: got $got bytes"; echo FAIL; return; fi
    echo "$t"
}

run_stor() {
    local s=$1 rep=$2 t0 t dest=${ROOT[$1]}/upload/big.up
    rm -f "$dest"
    sync
    t0=$EPOCHREALTIME
    if ! curl -sS --max-time "$xfer_limit" -T "$work/client/big.src" \
            "ftp://127.0.0.1:${PORT[$s]}/upload/big.up" 2>> "$work/curl.err"; then
        note "$s STOR: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    t=$(secs_since "$t0")
    if [ "$(stat -c %s "$dest" 2>/dev/null || echo 0)" != "$big_bytes" ]; then
        note "$s STOR: stored file has the wrong size"; echo FAIL; return
    fi
    if [ "$rep" = 1 ] && ! cmp -s "$dest" "$work/client/big.src"; then
        note "$s STOR: stored file differs"; echo FAIL; return
    fi
    sync
    echo "$t"
}

run_small() {
    local s=$1 cfg=$work/$1/small.curlrc t0 t out
    if [ ! -f "$cfg" ]; then
        for ((i = 0; i < nsmall; i++)); do
            printf 'url = "ftp://127.0.0.1:%s/small/f%04d"\noutput = "/dev/null"\n' "${PORT[$s]}" "$i"
        done > "$cfg"
    fi
    t0=$EPOCHREALTIME
    if ! out=$(curl -sS --max-time $((nsmall + 60)) -P 127.0.0.1 -K "$cfg" \
               -w '%{size_download} %{num_connects}\n' 2>> "$work/curl.err"); then
        note "$s small files: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    t=$(secs_since "$t0")
    local files bytes conns
    read -r files bytes conns < <(awk '{ n++; b += $1; c += $2 } END { print n, b, c }' <<< "$out")
    if [ "$files" != "$nsmall" ] || [ "$bytes" != $((nsmall * small_bytes)) ]; then
        note "$s small files: $files transfers, $bytes bytes"; echo FAIL; return
    fi
    [ "$conns" = 1 ] || note "$s small files: curl opened $conns control connections"
    echo "$t"
}

# SIZE is one small round trip after another, so its time is mostly how
# soon the scheduler wakes the other side, which on a loaded 2-CPU machine
# depends on which CPUs the two processes happen to be on. For this row
# the server's listener (whose new session process inherits it) and the
# client are pinned to the same CPU, for both servers alike.
run_size() {
    local s=$1 out t bad all
    all=$(taskset -p "${PID[$s]}" | sed 's/.*: //')
    taskset -p 1 "${PID[$s]}" > /dev/null
    if ! out=$(timeout 300 taskset 1 python3 "$work/ftpbench.py" size 127.0.0.1 "${PORT[$s]}" \
               "$nsize" "$nsmall"); then
        taskset -p "$all" "${PID[$s]}" > /dev/null
        note "$s SIZE: client failed"; echo FAIL; return
    fi
    taskset -p "$all" "${PID[$s]}" > /dev/null
    read -r t bad <<< "$out"
    if [ "$bad" != 0 ]; then note "$s SIZE: $bad bad replies"; echo FAIL; return; fi
    echo "$t"
}

# Concurrent sessions: prints "wall ok fail rss_kib pss_kib procs overflows";
# why sessions failed goes to $work/$s/conc-all.err.
run_conc() {
    local s=$1 rep=$2 out err=$work/$1/conc.err
    if ! out=$(timeout 900 python3 "$work/ftpbench.py" conc 127.0.0.1 "${PORT[$s]}" "$nsess" \
               "${PID[$s]}" "$nsmall" 60 "$(awk -v r="$ramp_ms" 'BEGIN { print r / 1000 }')" \
               2> "$err"); then
        note "$s sessions: client failed"; cat "$err" >&2
        out="FAIL 0 $nsess 0 0 0 0"
    fi
    if [ -s "$err" ]; then
        note "$s sessions: failures:"; cat "$err" >&2
        sed "s/^ */run $rep: /" "$err" >> "$work/$s/conc-all.err"
    fi
    echo "$out"
}

declare -A R   # R[row,server] = space-separated results of the repetitions
rows=(retr stor small size)
for ((rep = 1; rep <= repeat; rep++)); do
    # Alternate which server goes first, so neither always has the warmer cache.
    if [ $((rep % 2)) = 1 ]; then order=("${servers[@]}"); else
        order=(); for ((k = ${#servers[@]} - 1; k >= 0; k--)); do order+=("${servers[k]}"); done
    fi
    for row in "${rows[@]}"; do
        for s in "${order[@]}"; do
            case $row in
            retr) v=$(run_retr "$s") ;;
            stor) v=$(run_stor "$s" "$rep") ;;
            small) v=$(run_small "$s") ;;
            size) v=$(run_size "$s") ;;
            esac
            R[$row,$s]="${R[$row,$s]:-} $v"
            note "run $rep/$repeat $row $s: $v"
        done
    done
    for s in "${order[@]}"; do
        v=$(run_conc "$s" "$rep")
        R[conc,$s]="${R[conc,$s]:-}|$v"
        note "run $rep/$repeat $nsess sessions $s: wall ok fail rss_kib pss_kib procs overflows = $v"
    done
done

# ---------------------------------------------------------------- report
# Median of a list of numbers; FAIL if any run failed.
median() {
    local v
    for v in "$@"; do [ "$v" = FAIL ] && { echo FAIL; return; }; done
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# One value per concurrency run of server s: the awk expression expr over
# the fields wall ok fail rss pss procs overflows ($1..$7); FAIL for a run
# that failed or had no session connected.
conc_values() {
    local s=$1 expr=$2
    tr '|' '\n' <<< "${R[conc,$s]:-}" |
        awk 'NF { if ($1 == "FAIL" || $2 == 0) print "FAIL"; else printf "%.4f\n", '"$expr"' }'
}
fmt_secs() {
    if [ "$1" = FAIL ]; then echo FAIL; else awk -v t="$1" 'BEGIN { printf "%.3f s", t }'; fi
}
fmt_rate() { # seconds -> "x.xxx s (N MiB/s)"
    [ "$1" = FAIL ] && { echo FAIL; return; }
    awk -v t="$1" -v m="$big_mib" 'BEGIN { printf "%.3f s (%.0f MiB/s)", t, (t > 0 ? m / t : 0) }'
}
ratio() { # a / b, or - when either is missing
    if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = FAIL ] || [ "$2" = FAIL ]; then echo "-"; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
cell() { # server row-value formatter
    local s=$1 f=$2 v=$3
    want "$s" || { echo "-"; return; }
    "$f" "$v"
}

declare -A M
# shellcheck disable=SC2016 # the $n below are awk fields
for s in "${servers[@]}"; do
    for row in "${rows[@]}"; do
        # shellcheck disable=SC2086
        M[$row,$s]=$(median ${R[$row,$s]})
    done
    mapfile -t vals < <(conc_values "$s" '$1'); M[wall,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(conc_values "$s" '$4'); M[rss,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(conc_values "$s" '$5'); M[pss,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(conc_values "$s" '$4 / $2'); M[rssps,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(conc_values "$s" '$5 / $2'); M[pssps,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(conc_values "$s" '$6 / $2'); M[pps,$s]=$(median "${vals[@]}")
    # The worst run for failures, the sum for overflows.
    M[fail,$s]=$(tr '|' '\n' <<< "${R[conc,$s]:-}" | awk 'NF { if ($3 > m) m = $3 } END { print m + 0 }')
    M[ovf,$s]=$(tr '|' '\n' <<< "${R[conc,$s]:-}" | awk 'NF { n += $7 } END { print n + 0 }')
done

get() { echo "${M[$1,$2]:-}"; }
fmt_mem() { # total KiB and per-session KiB
    local total=$1 per=$2
    if [ "$per" = FAIL ] || [ "$total" = FAIL ]; then echo FAIL; return; fi
    awk -v t="$total" -v p="$per" 'BEGIN { printf "%.1f MiB (%.0f KiB/session)", t / 1024, p }'
}

f=ferryd v=vsftpd
big_label=$([ "$big_mib" -ge 1024 ] && echo "$((big_mib / 1024)) GiB" || echo "$big_mib MiB")
ferryd_ver=$(want ferryd && "$ferryd_bin" -V 2>/dev/null || echo "-")
vsftpd_ver=$(want vsftpd && "$vsftpd_bin" -v 0>&1 2>/dev/null | sed 's/^vsftpd: //' || echo "-")

echo
echo "## ferryd vs vsftpd (median of $repeat; ratio = ferryd / vsftpd, lower is better for ferryd)"
echo
echo "| benchmark | client | ferryd | vsftpd | ratio |"
echo "| --- | --- | --- | --- | --- |"
printf '| RETR %s file | curl, passive (EPSV) | %s | %s | %s |\n' "$big_label" \
    "$(cell $f fmt_rate "$(get retr $f)")" "$(cell $v fmt_rate "$(get retr $v)")" \
    "$(ratio "$(get retr $f)" "$(get retr $v)")"
printf '| STOR %s file | curl, passive (EPSV) | %s | %s | %s |\n' "$big_label" \
    "$(cell $f fmt_rate "$(get stor $f)")" "$(cell $v fmt_rate "$(get stor $v)")" \
    "$(ratio "$(get stor $f)" "$(get stor $v)")"
printf '| %d files of 4 KiB, one session | curl -P 127.0.0.1 (active mode) | %s | %s | %s |\n' "$nsmall" \
    "$(cell $f fmt_secs "$(get small $f)")" "$(cell $v fmt_secs "$(get small $v)")" \
    "$(ratio "$(get small $f)" "$(get small $v)")"
printf '| %d SIZE commands, one session | python3 ftplib, fastest of 5 passes, client and server on one CPU | %s | %s | %s |\n' "$nsize" \
    "$(cell $f fmt_secs "$(get size $f)")" "$(cell $v fmt_secs "$(get size $v)")" \
    "$(ratio "$(get size $f)" "$(get size $v)")"
printf '| %d concurrent sessions (login, LIST, RETR 4 KiB): wall time | python3 ftplib, %d threads, PASV | %s | %s | %s |\n' \
    "$nsess" "$nsess" "$(cell $f fmt_secs "$(get wall $f)")" "$(cell $v fmt_secs "$(get wall $v)")" \
    "$(ratio "$(get wall $f)" "$(get wall $v)")"
fails_cell() { want "$1" || { echo "-"; return; }; echo "$(get fail "$1") of $nsess failed (worst run)"; }
printf '| %d concurrent sessions: failures | same | %s | %s | - |\n' "$nsess" "$(fails_cell $f)" "$(fails_cell $v)"
mem_cell() { want "$1" || { echo "-"; return; }; fmt_mem "$(get "$2" "$1")" "$(get "${2}ps" "$1")"; }
printf '| %d concurrent sessions: server RSS, summed over its processes | /proc/PID/status VmRSS | %s | %s | %s |\n' \
    "$nsess" "$(mem_cell $f rss)" "$(mem_cell $v rss)" "$(ratio "$(get rssps $f)" "$(get rssps $v)")"
printf '| %d concurrent sessions: server PSS, summed | /proc/PID/smaps_rollup Pss | %s | %s | %s |\n' \
    "$nsess" "$(mem_cell $f pss)" "$(mem_cell $v pss)" "$(ratio "$(get pssps $f)" "$(get pssps $v)")"
echo
echo "Notes:"
for s in "${servers[@]}"; do
    pps=$(get pps "$s"); [ "$pps" = FAIL ] || pps=$(printf '%.2f' "$pps")
    echo "- $s, concurrent sessions: $pps server processes per connected session; the kernel counted $(get ovf "$s") listen-queue overflows during its $repeat runs (TcpExt ListenOverflows: system-wide, so late retries to the other server count too)."
    if [ -s "$work/$s/conc-all.err" ]; then
        echo "- $s, failed sessions:"
        sed 's/^/    /' "$work/$s/conc-all.err"
    fi
done
if [ "$ramp_ms" = 0 ]; then
    echo "- Concurrent sessions all start at once; a failed session counts in the wall time with the client's 60 s time-out."
else
    echo "- Concurrent sessions start ${ramp_ms} ms apart (BENCH_RAMP_MS); the wall time includes that ramp. A failed session counts with the client's 60 s time-out."
fi
echo "- Small files: one curl process and one control connection per server, active mode (curl -P 127.0.0.1: curl 7.88 stalls ~1 s per file when it reuses one passive session)."
echo "- ferryd logs to a file (stderr, its default); vsftpd runs with its default logging (off) and isolation (isolate, isolate_network)${VSFTPD_EXTRA:+, plus: $(tr '\n' ' ' <<< "$VSFTPD_EXTRA")}."
echo
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Machine: nproc $(nproc), kernel $(uname -r), ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo);" \
     "ferryd ${ferryd_ver#ferryd }, vsftpd ${vsftpd_ver#version }, $(curl --version | head -n 1 | cut -d' ' -f1-2), Python $(python3 -c 'import platform; print(platform.python_version())');" \
     "run as $(id -un) (server user: $runuser); RSS per session = total / sessions connected."
