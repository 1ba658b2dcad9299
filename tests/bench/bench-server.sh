#!/usr/bin/env bash
# bench-server.sh: ferryd against vsftpd and pure-ftpd on this machine, same
# clients, one run.
#
# The three servers run side by side on free 127.0.0.1 ports, each with its
# own root holding identical files, and the same clients drive them in turn:
#
#   retr     one big file (1 GiB), curl, passive (EPSV)
#   stor     one big file (1 GiB), curl, passive (EPSV), into upload/
#   lftpretr, ferryretr, lftpstor, ferrystor
#            the same with lftp (get, put) and ferry (get, put), into a
#            file of the scratch directory and from it
#   tretr    the same RETR over FTPS: curl --ssl-reqd (AUTH TLS, PROT P),
#            the certificate checked against a CA made for the run
#   tstor    the same STOR over FTPS
#   small    N files of 4 KiB downloaded in one session, curl -K (a config
#            file of URLs), passive
#   smallact the same, curl -P 127.0.0.1 (active)
#   lftpget  N files of 4 KiB downloaded in one session, lftp mget, passive
#   ferryget N files of 4 KiB downloaded in one session, ferry get -r
#   curlput  U files of 4 KiB uploaded in one session, curl -T "{...}", passive
#   curlputact N files of 4 KiB uploaded in one session, curl -P 127.0.0.1
#            -T "{...}" (active)
#   ferryput N files of 4 KiB uploaded in one session, ferry put -r
#   lftpput  N files of 4 KiB uploaded in one session, lftp mput, passive
#   size     1000 SIZE commands in one session, python3 ftplib (fastest
#            of five passes in the session)
#   mdtm, noop  the same with MDTM, NOOP
#   login    G sessions one after another: connect, log in, QUIT
#   list, nlst, mlsd  one LIST, NLST, MLSD of a directory of E entries
#            (python3 ftplib; a server without the command says n/a)
#   held     H sessions log in, then all RETR a 1 MiB file at once
#   procs    H curl processes started at once, each downloads the 1 MiB file
#   conc     M concurrent sessions, each logs in, LISTs and RETRs a small
#            file (PASV, as ftplib), then stays connected; the servers'
#            memory is read from /proc while all of them are connected
#   storm    L sessions started at once, each connects, logs in and quits
#            (conc and storm: python3, every session on one thread and one
#            epoll set, so that the client's CPU stays below the server's)
#
# The plain 1 GiB rows also report the CPU time (user + system) each
# server spent, all its processes sampled every 10 ms from /proc: on a
# shared machine the wall time depends on the other load, the CPU cost
# much less.
#
# Every timing row runs BENCH_REPEAT times (default 5), rotating which server
# goes first, and reports the median; every run is listed under the table.
# Each round of the STOR rows starts with one untimed upload.
# Every server offers TLS without requiring it (the plain rows stay plain):
# ferryd --tls-cert, vsftpd ssl_enable=YES with require_ssl_reuse=YES,
# pure-ftpd -Y 1; under the table, `openssl speed` of the suite the FTPS
# rows negotiated gives the machine's ceiling for one encrypting core.
# The ratios are ferryd / vsftpd and ferryd / pure-ftpd: below 1 means
# ferryd was faster (or used less memory per session). For the two 1 GiB
# rows the servers run on the first CPU and curl on the second (when there
# are two), the same for every server: where the scheduler puts the two
# ends of a 1 GiB transfer otherwise decides the time more than the server
# does. The held row's client (python3 threads) runs on the second CPU
# too: its 200 threads share one interpreter lock, and when they spread
# over both CPUs each hand-off of the lock wakes a thread on the other
# CPU. Unpinned, the client then spends twice the CPU time (and 3 to 8
# times the context switches) with a server that leaves the first CPU
# idle part of the time than with one that keeps it busy: the row
# measured where the scheduler put the client's threads, not the server.
# Before each timed run the script waits until few connections are
# left in TIME_WAIT (small-file runs leave about one per file), as
# bench-client.sh does.
#
# Usage: tests/bench/bench-server.sh [--quick] [--help]
#   --quick    64 MiB file, 200 small files, 200 sessions, a storm of 200,
#              50 held sessions, 50 logins, 2000 entries
# Environment:
#   FERRYD=path       ferryd binary (default: server/ferryd of this tree)
#   FERRY=path        ferry binary (default: client/ferry of this tree)
#   VSFTPD=path       vsftpd binary (default: .quickstart/root/usr/sbin/vsftpd,
#                     then vsftpd on PATH, then /usr/sbin/vsftpd)
#   PUREFTPD=path     pure-ftpd binary (default: .quickstart/root/usr/sbin/pure-ftpd,
#                     then pure-ftpd on PATH); pure-pw is taken from ../bin next
#                     to it, then from PATH
#   BENCH_DIR=dir     where the scratch directory is made (default /tmp)
#   BENCH_ONLY=name   run only ferryd, vsftpd or pure-ftpd
#   BENCH_CC=name     run in a network namespace of its own whose TCP
#                     congestion control is name, e.g. cubic (root; see
#                     netns.sh); the machine's own setting is left as it is
#   BENCH_REPEAT=n    repetitions of each timing row (default 5)
#   BENCH_ROWS="r ..." the rows to run (default: retr stor tretr tstor
#                     small curlput ferryput lftpput size conc storm; all:
#                     also lftpretr ferryretr lftpstor ferrystor smallact
#                     lftpget ferryget curlputact mdtm noop login list nlst
#                     mlsd held procs)
#   BENCH_SESSIONS=n  concurrent sessions of the conc row (default 500,
#                     200 with --quick)
#   BENCH_SESSION_TIMEOUT=s  the client's time-out of one session in the
#                     conc, storm and held rows (default 60)
#   BENCH_PASV_FILES=n  files of the curl passive rows small and curlput
#                     (default 1000 down and 100 up; 200 and 50 with --quick)
#   BENCH_CSV=file    append every run to file as CSV (see common.sh)
#   BENCH_SUITE_FILE=file  write the TLS suite the FTPS rows negotiated there
#   BENCH_TIMEOUT=s   limit for the whole run (default 3600, 900 with --quick)
#   BENCH_KEEP=1      keep the scratch directory (logs, configs)
#   BENCH_RUN_AS=user user the servers run as when started as root (default:
#                     the first of ftp nobody daemon bin with an existing home)
#   VSFTPD_EXTRA=text more vsftpd.conf lines, e.g. 'isolate_network=NO'
#   BENCH_RAMP_MS=n   start the concurrent sessions n ms apart instead of all
#                     at once (the wall time then includes the ramp)
#   BENCH_TW_MAX=n    TIME_WAIT connections allowed at the start of a timed
#                     run (default 4000; 0: do not wait)
#   BENCH_TW_WAIT=s   longest wait for them before one run (default 65)
#   BENCH_SHORT_SAMPLES=n  samples per repetition of the rows of a few
#                     milliseconds (size mdtm noop list nlst mlsd; default
#                     3): their single runs move by a third with the
#                     machine's load of the moment, so each repetition
#                     takes n of them per server, alternating the servers,
#                     and the median is over all of them
#
# This is a benchmark, not a test: it exits 0 when it could measure, even
# if some transfers failed (those cells say FAIL); it exits 1 when it could
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
    *) echo "bench-server: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    big_mib=64 nsmall=200 nput=50 nsess=200 nstorm=200 limit=${BENCH_TIMEOUT:-900}
    nheld=50 nlogin=50 nlist=2000
else
    big_mib=1024 nsmall=1000 nput=100 nsess=500 nstorm=1000 limit=${BENCH_TIMEOUT:-3600}
    nheld=200 nlogin=200 nlist=10000
fi
nsess=${BENCH_SESSIONS:-$nsess}
sess_timeout=${BENCH_SESSION_TIMEOUT:-60}
npasv=${BENCH_PASV_FILES:-$nsmall}
nput=${BENCH_PASV_FILES:-$nput}
mid_bytes=$((1024 * 1024))
nsize=1000
ramp_ms=${BENCH_RAMP_MS:-0}
repeat=${BENCH_REPEAT:-5}
short_samples=${BENCH_SHORT_SAMPLES:-3}
only=${BENCH_ONLY:-}
tw_max=${BENCH_TW_MAX:-4000}
tw_wait=${BENCH_TW_WAIT:-65}
big_bytes=$((big_mib * 1024 * 1024))
small_bytes=4096

die() { echo "bench-server: $*" >&2; exit 1; }
[[ $short_samples =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHORT_SAMPLES must be a positive number"
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

all_servers=(ferryd vsftpd pure-ftpd)
case $only in
'') servers=("${all_servers[@]}") ;;
ferryd|vsftpd|pure-ftpd) servers=("$only") ;;
*) die "BENCH_ONLY must be ferryd, vsftpd or pure-ftpd, not '$only'" ;;
esac
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive number"
default_rows=(retr stor tretr tstor small curlput ferryput lftpput size conc storm)
all_rows=("${default_rows[@]}" lftpretr ferryretr lftpstor ferrystor smallact lftpget ferryget
          curlputact mdtm noop login list nlst mlsd held procs)
read -r -a sel_rows <<< "${BENCH_ROWS:-${default_rows[*]}}"
for row in "${sel_rows[@]}"; do
    [[ " ${all_rows[*]} " == *" $row "* ]] || die "unknown row '$row' in BENCH_ROWS"
done
# Rows timed one run at a time, and the many-session kinds.
rows=() kinds=()
for row in "${sel_rows[@]}"; do
    case $row in conc|storm) kinds+=("$row") ;; *) rows+=("$row") ;; esac
done
wanted() { [[ " ${sel_rows[*]} " == *" $1 "* ]]; }
[[ $ramp_ms =~ ^[0-9]+$ ]] || die "BENCH_RAMP_MS must be a number of milliseconds"
[[ $nsess =~ ^[1-9][0-9]*$ ]] || die "BENCH_SESSIONS must be a positive number"
[[ $sess_timeout =~ ^[1-9][0-9]*$ ]] || die "BENCH_SESSION_TIMEOUT must be a positive number of seconds"
[[ $npasv =~ ^[1-9][0-9]*$ ]] && [ "$npasv" -le "$nsmall" ] || die "BENCH_PASV_FILES must be a number from 1 to $nsmall"
[[ $tw_max =~ ^[0-9]+$ ]] || die "BENCH_TW_MAX must be a number"
[[ $tw_wait =~ ^[0-9]+$ ]] || die "BENCH_TW_WAIT must be a number of seconds"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

# ---------------------------------------------------------------- tools
command -v curl >/dev/null || die "curl is needed"
command -v lftp >/dev/null || die "lftp is needed"
command -v python3 >/dev/null || die "python3 is needed"
command -v timeout >/dev/null || die "timeout (coreutils) is needed"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v openssl >/dev/null || die "openssl is needed (the FTPS rows' certificate)"

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

ferryd_bin=${FERRYD:-$top/server/ferryd}
ferry_bin=${FERRY:-$top/client/ferry}
[ -x "$ferry_bin" ] || die "no ferry at $ferry_bin (build it: make -j2, or set FERRY=)"
if want ferryd; then
    [ -x "$ferryd_bin" ] || die "no ferryd at $ferryd_bin (build it: make -j2 server/ferryd, or set FERRYD=)"
fi
vsftpd_bin=
if want vsftpd; then
    vsftpd_bin=$(first_exe "${VSFTPD:-}" "$top/.quickstart/root/usr/sbin/vsftpd" \
                 "$(command -v vsftpd || true)" /usr/sbin/vsftpd) ||
        die "no vsftpd found (set VSFTPD=path, or run ./quickstart test, which unpacks it into .quickstart/root)"
fi
pure_bin='' purepw_bin=''
if want pure-ftpd; then
    pure_bin=$(first_exe "${PUREFTPD:-}" "$top/.quickstart/root/usr/sbin/pure-ftpd" \
               "$(command -v pure-ftpd || true)") ||
        die "no pure-ftpd found (set PUREFTPD=path, or run ./quickstart test, which unpacks it into .quickstart/root)"
    purepw_bin=$(first_exe "$(dirname "$(dirname "$pure_bin")")/bin/pure-pw" \
                 "$(command -v pure-pw || true)") || die "no pure-pw next to $pure_bin or on PATH"
fi

# Two CPUs: servers on the first, clients of the 1 GiB rows and of the
# held row on the second.
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then server_cpu=0 client_cpu=1; else server_cpu=0 client_cpu=0; fi

# ---------------------------------------------------------------- scratch
base=${BENCH_DIR:-/tmp}
[ -d "$base" ] || die "BENCH_DIR $base is not a directory"
# Three roots with the big file, the client's copy, one upload per server.
need_kib=$(( (big_mib * 1024) * 7 + nsmall * 8 * 3 * (repeat + 2) + 64 * 1024 ))
avail_kib=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
[ "$avail_kib" -ge "$need_kib" ] ||
    die "$base has $((avail_kib / 1024)) MiB free, this run needs about $((need_kib / 1024)) MiB (set BENCH_DIR)"
work=$(mktemp -d "$base/ferryd-bench.XXXXXX")
chmod 755 "$work"   # the servers' unprivileged users must traverse it

declare -A PID PORT ROOT CRED

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
    for s in "${all_servers[@]}"; do stop_server "$s"; done
    bench_end "$rc"
}
bench_bound

# ---------------------------------------------------------------- client helper
cat > "$work/ftpbench.py" <<'PY'
"""FTP client side of bench-server.sh (python3 ftplib, and sessions on one
thread for the rows of many sessions at once), plus /proc helpers."""
import errno
import ftplib
import os
import re
import select
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
    """A logged-in session: FTP_USER/FTP_PASS from the environment, else
    anonymous."""
    f = ftplib.FTP(timeout=timeout)
    f.connect(host, port)
    f.login(*credentials())
    return f


def cmd_size(host, port, count, nsmall, verb='SIZE'):
    """count SIZE (MDTM, NOOP) commands in one session, five passes: prints
    the fastest pass in seconds (a pass takes ~0.1 s, so one scheduler
    hiccup would otherwise decide the row) and the number of bad replies."""
    f = login(host, port, 60)
    f.voidcmd('TYPE I')
    bad = 0
    best = None
    for _ in range(5):
        t0 = time.perf_counter()
        for i in range(count):
            try:
                if verb == 'NOOP':
                    ok = f.sendcmd('NOOP').startswith('200')
                else:
                    r = f.sendcmd('%s small/f%04d' % (verb, i % nsmall))
                    ok = r == '213 4096' if verb == 'SIZE' else r.startswith('213 ')
                if not ok:
                    bad += 1
            except ftplib.Error:
                bad += 1
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    f.quit()
    print('%.4f %d' % (best, bad))


READ, WRITE = select.EPOLLIN, select.EPOLLOUT


class Failed(Exception):
    """A session's failure, worded as the failure counts show it."""


class Loop:
    """Many sessions on one thread: each is a generator that yields
    (socket, READ or WRITE) to wait for that socket, and all of them wait
    in one epoll set (one-shot: one epoll_ctl per wait). A thread per
    session (1000 threads sharing one interpreter lock) costs the client
    two to five times the server's CPU, and the wall time then measures
    the client."""

    def __init__(self, timeout):
        self.ep = select.epoll()
        self.timeout = timeout        # seconds one wait may last (ftplib's timeout)
        self.waits = {}               # fd -> (generator, done, deadline)
        self.errors = {}
        self.live = 0

    def start(self, gen, done):
        """Runs gen; done(ok, value) is called once it has ended."""
        self.live += 1
        self._step(gen, done, None)

    def _step(self, gen, done, exc):
        try:
            sock, ev = gen.throw(exc) if exc is not None else next(gen)
        except StopIteration as e:
            self.live -= 1
            done(True, e.value)
            return
        except Exception as e:  # every failure is counted, whatever it is
            self.live -= 1
            why = str(e) if isinstance(e, Failed) else '%s: %s' % (type(e).__name__, str(e)[:70])
            self.errors[why] = self.errors.get(why, 0) + 1
            done(False, None)
            return
        fd = sock.fileno()
        # A closed socket left the set by itself, and its number may be
        # another socket's now: modify, else add.
        try:
            self.ep.modify(fd, ev | select.EPOLLONESHOT)
        except FileNotFoundError:
            self.ep.register(fd, ev | select.EPOLLONESHOT)
        self.waits[fd] = (gen, done, time.perf_counter() + self.timeout)

    def run(self, until, pending=()):
        """Runs until no session is left or the clock reaches until;
        pending holds (start time, generator, done) in time order, each
        started when due. Returns how many sessions did not end."""
        pending = list(reversed(pending))
        next_scan = 0.0
        while self.live > 0 or pending:
            now = time.perf_counter()
            while pending and pending[-1][0] <= now:
                _, gen, done = pending.pop()
                self.start(gen, done)
            if now >= until:
                break
            wait = 0.05 if not pending else min(0.05, max(pending[-1][0] - now, 0.0))
            for fd, _ in self.ep.poll(wait):
                gen, done, _ = self.waits.pop(fd)
                self._step(gen, done, None)
            now = time.perf_counter()
            if now >= next_scan:
                next_scan = now + 0.1
                for fd in [fd for fd, w in self.waits.items() if w[2] <= now]:
                    gen, done, _ = self.waits.pop(fd)
                    self.ep.modify(fd, select.EPOLLONESHOT)   # no event left armed
                    self._step(gen, done, Failed('TimeoutError: timed out'))
        return self.live + len(pending)


def g_connect(host, port):
    """A connected non-blocking socket."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, os.strerror(err))
        if err:
            yield s, WRITE
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, os.strerror(err))
    except BaseException:
        s.close()
        raise
    return s


class Ctl:
    """A control connection: its socket and the bytes read past the last reply."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def close(self):
        self.sock.close()


def g_reply(c):
    """The next whole reply on c (multi-line ones too): (code, text)."""
    start = 0
    first = None
    while True:
        end = c.buf.find(b'\n', start)
        if end < 0:
            yield c.sock, READ
            data = c.sock.recv(65536)
            if not data:
                raise EOFError('connection closed')
            c.buf += data
            continue
        line = c.buf[start:end + 1]
        start = end + 1
        if first is None:
            first = line
            if line[3:4] != b'-':
                break
        elif line[:3] == first[:3] and line[3:4] == b' ':
            break
    text = c.buf[:start].decode('latin-1')
    c.buf = c.buf[start:]
    return text[:3], text.rstrip('\r\n')


def g_send(sock, data):
    view = memoryview(data)
    while view:
        try:
            n = sock.send(view)
        except BlockingIOError:
            yield sock, WRITE
            continue
        view = view[n:]


def g_expect(c, want):
    """The next reply on c, which must start with a digit of want (else
    ftplib's kind of error)."""
    code, text = yield from g_reply(c)
    if code[0] not in want:
        raise Failed('%s: %s' % ('error_temp' if code[0] == '4' else 'error_perm', text[:70]))
    return code, text


def g_cmd(c, line, want):
    """Sends a command and reads its reply (see g_expect)."""
    yield from g_send(c.sock, line.encode('latin-1') + b'\r\n')
    return (yield from g_expect(c, want))


def g_login(host, port, user, password):
    """A logged-in control connection, as ftplib's connect and login."""
    c = Ctl((yield from g_connect(host, port)))
    try:
        yield from g_expect(c, '2')
        code, _ = yield from g_cmd(c, 'USER ' + user, '23')
        if code[0] == '3':
            yield from g_cmd(c, 'PASS ' + password, '2')
    except BaseException:
        c.close()
        raise
    return c


def g_read_all(sock, limit):
    """Everything on sock until the peer closes it (at most limit bytes)."""
    out = bytearray()
    while True:
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            yield sock, READ
            continue
        if not data:
            return bytes(out)
        out += data
        if len(out) > limit:
            raise Failed('RuntimeError: more than %d bytes' % limit)


def g_transfer(c, type_, cmd, limit):
    """TYPE, PASV, the data connection, the command, its data and its final
    reply, as ftplib's retrlines and retrbinary; returns the data."""
    yield from g_cmd(c, 'TYPE ' + type_, '2')
    _, text = yield from g_cmd(c, 'PASV', '2')
    m = re.search(r'(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)', text)
    if not m:
        raise Failed('error_proto: ' + text[:70])
    # As ftplib: the address in the reply is ignored, the control's peer used.
    host = c.sock.getpeername()[0]
    d = yield from g_connect(host, int(m.group(5)) * 256 + int(m.group(6)))
    try:
        yield from g_cmd(c, cmd, '1')
        data = yield from g_read_all(d, limit)
    finally:
        d.close()
    yield from g_expect(c, '2')
    return data


def report_failures(errors, left):
    """Why sessions failed, most frequent first, and how many never ended."""
    for why, n in sorted(errors.items(), key=lambda kv: -kv[1]):
        print('  %d x %s' % (n, why), file=sys.stderr)
    if left:
        print('  %d sessions still running at the time limit' % left, file=sys.stderr)


def credentials():
    """FTP_USER/FTP_PASS from the environment, else ftplib's anonymous."""
    user = os.environ.get('FTP_USER')
    if user:
        return user, os.environ.get('FTP_PASS', '')
    return 'anonymous', 'anonymous@'


def cmd_conc(host, port, count, server_pid, nsmall, timeout, ramp):
    """count sessions at once; each logs in, LISTs, RETRs a small file and
    stays connected until the server's memory has been read. Session i
    starts i * ramp seconds after the first (0: all at once)."""
    user, password = credentials()
    loop = Loop(timeout)
    held = []
    state = {'done': 0, 'ok': 0, 't_end': None}

    def session(i):
        c = yield from g_login(host, port, user, password)
        try:
            if not (yield from g_transfer(c, 'A', 'LIST', 1 << 20)):
                raise Failed('RuntimeError: empty LIST')
            got = yield from g_transfer(c, 'I', 'RETR small/f%04d' % (i % nsmall), 1 << 20)
            if len(got) != 4096:
                raise Failed('RuntimeError: RETR returned %d bytes' % len(got))
        except BaseException:
            c.close()
            raise
        return c

    def done(ok, c):
        state['done'] += 1
        if ok:
            state['ok'] += 1
            held.append(c)      # stays connected until the memory is read
        if state['done'] == count:
            state['t_end'] = time.perf_counter()

    overflows = listen_overflows()
    t0 = time.perf_counter()
    left = loop.run(t0 + timeout * 3,
                    [(t0 + i * ramp, session(i), done) for i in range(count)])
    t_end = state['t_end'] if left == 0 else time.perf_counter()
    rss, pss, nproc = memory(descendants(server_pid))
    overflows = listen_overflows() - overflows
    # Then each held session quits (QUIT and its reply), as ftplib's quit.
    def leave(c):
        try:
            yield from g_cmd(c, 'QUIT', '2')
        finally:
            c.close()
    quits = Loop(timeout)
    for c in held:
        quits.start(leave(c), lambda ok, v: None)
    quits.run(time.perf_counter() + timeout)
    print('%.4f %d %d %d %d %d %d' % (t_end - t0, state['ok'], count - state['ok'], rss, pss,
                                      nproc, overflows))
    report_failures(loop.errors, left)


def cmd_storm(host, port, count, timeout):
    """count sessions started at once, each connects, logs in and quits:
    prints the wall time until the last one is done, how many succeeded
    and how many failed (why goes to stderr)."""
    user, password = credentials()
    loop = Loop(timeout)
    state = {'ok': 0}

    def session():
        c = yield from g_login(host, port, user, password)
        try:
            yield from g_cmd(c, 'QUIT', '2')
        finally:
            c.close()

    def done(ok, _):
        state['ok'] += ok

    t0 = time.perf_counter()
    for _ in range(count):
        loop.start(session(), done)
    left = loop.run(t0 + timeout * 3)
    wall = time.perf_counter() - t0
    print('%.4f %d %d' % (wall, state['ok'], count - state['ok']))
    report_failures(loop.errors, left)


def cmd_logins(host, port, count):
    """count sessions one after another, each connects, logs in and quits:
    prints the seconds for all of them and the number that failed."""
    bad = 0
    t0 = time.perf_counter()
    for _ in range(count):
        try:
            f = login(host, port, 30)
            f.quit()
        except Exception as e:  # every failure is counted, whatever it is
            bad += 1
            print('  %s: %s' % (type(e).__name__, str(e)[:70]), file=sys.stderr)
    print('%.4f %d' % (time.perf_counter() - t0, bad))


def cmd_held(host, port, count, path, size, timeout):
    """count sessions log in first; then all of them RETR path at once:
    prints the seconds from the start until the last download ended and
    the number of sessions that failed."""
    threading.stack_size(256 * 1024)
    ready = threading.Barrier(count + 1, timeout=timeout * 3)
    go = threading.Event()
    lock = threading.Lock()
    state = {'bad': 0, 't_end': 0.0}

    def worker():
        f = None
        try:
            f = login(host, port, timeout)
            f.voidcmd('TYPE I')
        except Exception as e:  # every failure is counted, whatever it is
            with lock:
                state['bad'] += 1
            print('  login: %s: %s' % (type(e).__name__, str(e)[:70]), file=sys.stderr)
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            pass
        go.wait(timeout * 3)
        if f is None:
            return
        try:
            n = [0]

            def got(b):
                n[0] += len(b)
            f.retrbinary('RETR ' + path, got, blocksize=65536)
            if n[0] != size:
                raise RuntimeError('%d bytes' % n[0])
            with lock:
                state['t_end'] = max(state['t_end'], time.perf_counter())
            f.quit()
        except Exception as e:  # every failure is counted, whatever it is
            with lock:
                state['bad'] += 1
            print('  RETR: %s: %s' % (type(e).__name__, str(e)[:70]), file=sys.stderr)
            f.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass
    t0 = time.perf_counter()
    go.set()
    for t in threads:
        t.join(timeout * 3)
    print('%.4f %d' % (max(state['t_end'] - t0, 0), state['bad']))


def cmd_listing(host, port, verb, path, expect):
    """One LIST, NLST or MLSD of path: prints its seconds and the number
    of lines (NA when the server does not know the command)."""
    f = login(host, port, 60)
    lines = []
    t0 = time.perf_counter()
    try:
        f.retrlines('%s %s' % (verb, path), lines.append)
    except ftplib.error_perm as e:
        if str(e)[:3] in ('500', '502', '504'):
            print('NA 0')
            f.close()
            return
        raise
    t = time.perf_counter() - t0
    f.quit()
    names = [ln for ln in lines if ln.rstrip('/').split('/')[-1].split(' ')[-1].startswith('e')]
    print('%.4f %d' % (t, len(names) if len(names) == expect else -len(names)))


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


def cmd_cpuwatch(root, out):
    """Samples the CPU time (utime + stime) of root and every process below
    it (looked for every 100 ms) every 10 ms until SIGTERM, then writes to out the CPU seconds they
    used meanwhile: for each process its last sample less its first (0 for
    one that started after the watch). A process that ends loses at most
    its last 10 ms."""
    import signal
    hz = os.sysconf('SC_CLK_TCK')
    first, last = {}, {}
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))

    pids = []

    def sample(initial, rescan):
        if rescan:
            pids[:] = descendants(root)
        for p in pids:
            try:
                with open('/proc/%d/stat' % p) as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rindex(')') + 2:].split()
            ticks = int(fields[11]) + int(fields[12])
            if p not in first:
                first[p] = ticks if initial else 0
            last[p] = ticks

    sample(True, True)
    print('ready', flush=True)
    n = 0
    while not stop:
        time.sleep(0.01)
        n += 1
        sample(False, n % 10 == 0)   # new processes are looked for every 100 ms
    sample(False, False)
    with open(out, 'a') as f:
        f.write('%.2f\n' % (sum(last[p] - first[p] for p in last) / hz))


def main(argv):
    what = argv[1]
    if what == 'cpuwatch':
        cmd_cpuwatch(int(argv[2]), argv[3])
    elif what == 'descendants':
        print(' '.join(str(p) for p in descendants(int(argv[2]))[1:]))
    elif what == 'size':
        cmd_size(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), *argv[6:7])
    elif what == 'logins':
        cmd_logins(argv[2], int(argv[3]), int(argv[4]))
    elif what == 'held':
        cmd_held(argv[2], int(argv[3]), int(argv[4]), argv[5], int(argv[6]), float(argv[7]))
    elif what == 'listing':
        cmd_listing(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]))
    elif what == 'conc':
        cmd_conc(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]),
                 float(argv[7]), float(argv[8]))
    elif what == 'storm':
        cmd_storm(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif what == 'freeport':
        cmd_freeport()
    elif what == 'ready':
        return cmd_ready(argv[2], int(argv[3]), float(argv[4]))
    return 0


sys.exit(main(sys.argv))
PY

helper() { python3 "$work/ftpbench.py" "$@"; }
# Sets HCMD to the helper's command line as server s's user (pure-ftpd has
# no anonymous login here), for timeout and taskset to run.
helper_for() {
    local s=$1
    HCMD=(env)
    [ -z "${CRED[$s]}" ] || HCMD+=("FTP_USER=${CRED[$s]%%:*}" "FTP_PASS=${CRED[$s]#*:}")
    HCMD+=(python3 "$work/ftpbench.py")
}
# The URL of server s, with its login when it needs one.
url() { echo "ftp://${CRED[$1]:+${CRED[$1]}@}127.0.0.1:${PORT[$1]}"; }

# Many sessions need many descriptors in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- files
if [ "$(id -u)" = 0 ]; then
    # All servers give up root for the same user. vsftpd changes into the
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
    want pure-ftpd && die "pure-ftpd needs root (it chroots); run as root or set BENCH_ONLY"
fi

note "preparing files in $work (${big_mib} MiB file, $nsmall small files)"
mkdir -p "$work/client" "$work/empty"
head -c "$big_bytes" /dev/urandom > "$work/client/big.src"
mkdir -p "$work/client/small"
random_files "$work/client/small" f%04d 0 $((nsmall - 1)) "$small_bytes"

# One certificate for all servers, signed by a CA made for this run; the
# FTPS rows' curl trusts only that CA.
tls=$work/tls
mkdir -p "$tls"
(
    cd "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
        -out ca.pem -days 2 -subj /CN=bench-ca
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
        -out req.pem -subj /CN=127.0.0.1
    printf 'subjectAltName=IP:127.0.0.1\n' > ext.cnf
    openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile ext.cnf -out cert.pem
    cat cert.pem key.pem > both.pem
    chmod 644 cert.pem key.pem both.pem
) > "$tls/openssl.log" 2>&1 || { cat "$tls/openssl.log" >&2; die "cannot make the TLS certificate"; }
chmod 755 "$tls"
curl_tls=(--ssl-reqd --cacert "$tls/ca.pem")

# Each server: root (owned by the invoking user, read-only for the
# server's user: vsftpd refuses a writable anonymous root) with pub/,
# small/ and a writable upload/.
for s in "${servers[@]}"; do
    r=$work/$s/root
    mkdir -p "$r/pub" "$r/upload"
    cp "$work/client/big.src" "$r/pub/big.bin"
    cp -r "$work/client/small" "$r/small"
    head -c "$mid_bytes" "$work/client/big.src" > "$r/pub/mid.bin"
    if wanted list || wanted nlst || wanted mlsd; then
        mkdir "$r/list"
        (cd "$r/list" && seq -f 'e%05g' 1 "$nlist" | xargs touch)
    fi
    chmod -R a+rX,go-w "$r"
    chmod 755 "$work/$s"
    if [ "$as_root" = 1 ]; then chown "$runuser:$rungroup" "$r/upload"; fi
    ROOT[$s]=$r
    CRED[$s]=
done
sync

# ---------------------------------------------------------------- servers
# Each server is pinned to server_cpu; its sessions inherit that.
start_ferryd() {
    local log=$work/ferryd/ferryd.log port=
    local runas=()
    [ "$as_root" = 1 ] && runas=(--run-as "$runuser")
    : > "$log"   # there before the sed below reads it, whoever runs first
    taskset -c "$server_cpu" "$ferryd_bin" -l 127.0.0.1:0 -r "${ROOT[ferryd]}" --anonymous=rw \
        --max-clients 2000 --max-per-ip 0 "${runas[@]}" \
        --tls-cert "$tls/cert.pem" --tls-key "$tls/key.pem" 2> "$log" &
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
        echo "anon_mkdir_write_enable=YES"
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
        echo "ssl_enable=YES"
        echo "allow_anon_ssl=YES"
        echo "force_anon_logins_ssl=NO"
        echo "force_anon_data_ssl=NO"
        echo "require_ssl_reuse=YES"
        echo "ssl_ciphers=HIGH"
        echo "rsa_cert_file=$tls/cert.pem"
        echo "rsa_private_key_file=$tls/key.pem"
        [ -z "${VSFTPD_EXTRA:-}" ] || printf '%s\n' "$VSFTPD_EXTRA"
        # vsftpd looks these users up even with run_as_launching_user.
        echo "ftp_username=$runuser"
        echo "nopriv_user=$runuser"
        [ "$as_root" = 1 ] || echo "run_as_launching_user=YES"
    } > "$conf"
    taskset -c "$server_cpu" "$vsftpd_bin" "$conf" > "$log" 2>&1 < /dev/null &
    PID[vsftpd]=$!
    PORT[vsftpd]=$port
    helper ready 127.0.0.1 "$port" 10 || { cat "$conf" "$log" >&2; die "vsftpd did not start"; }
}

# pure-ftpd serves anonymous FTP only through a system account named ftp,
# which this script does not create: it gets one virtual user (PureDB),
# chrooted to its root and running as the same unprivileged user.
start_pure-ftpd() {
    local dir=$work/pure-ftpd log=$work/pure-ftpd/pure-ftpd.log port hash
    # ferryd and vsftpd let the clients in anonymously, checking no
    # password; pure-ftpd's user gets the cheapest crypt(3) hash (MD5,
    # 0.1 ms) so its logins cost about as little. With a yescrypt hash
    # (ferryd --hash-password's) each of its logins spent 90 ms of the
    # server's CPU on it: 18 s for the 200 logins in turn, and most of
    # the 1000-session rows failing on the time-out.
    hash=$(openssl passwd -1 bench-Pw) || die "cannot hash a password for pure-ftpd's user"
    printf 'bench:%s:%s:%s::%s/./::::::::::::\n' "$hash" "$(id -u "$runuser")" \
        "$(id -g "$runuser")" "${ROOT[pure-ftpd]}" > "$dir/pureftpd.passwd"
    chmod 600 "$dir/pureftpd.passwd"
    "$purepw_bin" mkdb "$dir/pureftpd.pdb" -f "$dir/pureftpd.passwd" > "$log" 2>&1 < /dev/null ||
        { cat "$log" >&2; die "pure-pw mkdb failed"; }
    port=$(helper freeport)
    # -E no anonymous, -H no reverse lookups, -f none no syslog, -U umasks
    # like vsftpd's anon_umask, -c/-C sessions in all and per address, -L
    # listings of up to 20000 names (its default, 10000, cuts NLST and MLSD
    # of the 10,000-entry directory: it counts . and ..), -Y 1
    # TLS offered.
    taskset -c "$server_cpu" "$pure_bin" -S "127.0.0.1,$port" -4 -E -l "puredb:$dir/pureftpd.pdb" \
        -H -f none -U 133:022 -c 2000 -C 2000 -I 15 -L 20000:5 -Y 1 -2 "$tls/both.pem" \
        >> "$log" 2>&1 < /dev/null &
    PID[pure-ftpd]=$!
    PORT[pure-ftpd]=$port
    CRED[pure-ftpd]=bench:bench-Pw
    helper ready 127.0.0.1 "$port" 10 || { cat "$log" >&2; die "pure-ftpd did not start"; }
}

for s in "${servers[@]}"; do "start_$s"; done
# Processes each server has while no session runs (note_cpu waits for that).
declare -A BASE_PROCS
for s in "${servers[@]}"; do BASE_PROCS[$s]=$(descendants "${PID[$s]}" | wc -w); done
note "servers: $(for s in "${servers[@]}"; do printf '%s pid %s port %s; ' "$s" "${PID[$s]}" "${PORT[$s]}"; done)"

# ---------------------------------------------------------------- measurements
# Each run prints seconds, or FAIL (the reason goes to stderr).
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'; }
xfer_limit=$((big_mib / 8 + 120))     # generous: 8 MiB/s at least
# Transfers of one small-file run that took this long count as a stall.
stall_secs=0.5

# The CPU time (user + system) a run cost its server, every process of it
# (helper cpuwatch samples them every 10 ms): on this shared machine the
# wall time depends on the other load, the CPU cost much less.
# cpu_start SERVER: starts watching, sets WATCH to the watcher's PID.
cpu_start() {
    local fifo=$work/cpuwatch.fifo line
    rm -f "$fifo"; mkfifo "$fifo"
    python3 "$work/ftpbench.py" cpuwatch "${PID[$1]}" "$work/cpu.out" > "$fifo" &
    WATCH=$!
    read -r line < "$fifo"
    rm -f "$fifo"
}
# cpu_stop ROW SERVER: once the session has ended, stops the watcher and
# appends what it measured to $work/SERVER/cpu.ROW.
cpu_stop() {
    local row=$1 s=$2 i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        [ "$(descendants "${PID[$s]}" | wc -w)" -gt "${BASE_PROCS[$s]}" ] || break
        sleep 0.1
    done
    rm -f "$work/cpu.out"
    kill -TERM "$WATCH" 2>/dev/null || true
    wait "$WATCH" 2>/dev/null || true
    cat "$work/cpu.out" >> "$work/$s/cpu.$row" 2>/dev/null || true
    # The CSV gets the timed runs' CPU too: row cpu-retr, cpu-stor-lftp, ...
    local client=curl verb=${row%%-*} cpu
    [[ $row != *-* ]] || client=${row#*-}
    [ "$client" != tls ] || client="curl FTPS"
    case $row in failed|warm-up) ;; *)
        cpu=$(cat "$work/cpu.out" 2>/dev/null || echo FAIL)
        csv_add bench-server "cpu-$row" "server CPU (user+system) of ${verb^^} $big_label" "$s" "$client" "${rep:-1}" "${cpu:-FAIL}" s 0 ;;
    esac
}

# Sets BCMD to the command line with which client c (lftp, ferry) gets
# pub/big.bin of server s into file (dir get) or puts file to
# upload/big.up (dir put).
big_cmd() {
    local c=$1 dir=$2 s=$3 file=$4
    case $c.$dir in
    lftp.get) BCMD=(lftp -c "$lftp_settings; open $(url "$s"); get pub/big.bin -o $file") ;;
    lftp.put) BCMD=(lftp -c "$lftp_settings; open $(url "$s"); put $file -o upload/big.up") ;;
    ferry.get) BCMD=("$ferry_bin" -q -y --tls=off -c "get pub/big.bin $file" "$(url "$s")") ;;
    ferry.put) BCMD=("$ferry_bin" -q -y --tls=off -c "put $file upload/big.up" "$(url "$s")") ;;
    esac
}

# run_retr SERVER [tls|lftp|ferry] [warm-up]: tls runs it over FTPS, lftp
# and ferry run it with that client into a file instead of curl into
# /dev/null; a warm-up run's server CPU is not recorded.
run_retr() {
    local s=$1 t0 got tlsargs=() dl=$work/client/big.dl
    case ${2:-} in
    lftp|ferry)
        rm -f "$dl"
        big_cmd "$2" get "$s" "$dl"
        cpu_start "$s"
        t0=$EPOCHREALTIME
        if ! taskset -c "$client_cpu" timeout "$xfer_limit" "${BCMD[@]}" < /dev/null \
                >> "$work/$2.err" 2>&1; then
            cpu_stop failed "$s"
            note "$s RETR: $2 failed ($(tail -n 1 "$work/$2.err"))"; echo FAIL; return
        fi
        local t; t=$(secs_since "$t0")
        cpu_stop "$([ "${3:-}" = warm-up ] && echo warm-up || echo "retr-$2")" "$s"
        got=$(stat -c %s "$dl" 2>/dev/null || echo 0)
        rm -f "$dl"
        if [ "$got" != "$big_bytes" ]; then note "$s RETR ($2): got $got bytes"; echo FAIL; return; fi
        echo "$t"
        return ;;
    tls) tlsargs=("${curl_tls[@]}") ;;
    esac
    cpu_start "$s"
    t0=$EPOCHREALTIME
    if ! got=$(taskset -c "$client_cpu" curl -sS "${tlsargs[@]}" --max-time "$xfer_limit" -o /dev/null \
               -w '%{size_download}' "$(url "$s")/pub/big.bin" 2>> "$work/curl.err"); then
        cpu_stop failed "$s"
        note "$s RETR: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    local t; t=$(secs_since "$t0")
    cpu_stop "retr${2:+-$2}" "$s"
    if [ "$got" != "$big_bytes" ]; then note "$s RETR: got $got bytes"; echo FAIL; return; fi
    echo "$t"
}

# run_stor SERVER REP [tls|lftp|ferry]: tls runs it over FTPS, lftp and
# ferry run it with that client instead of curl.
run_stor() {
    local s=$1 rep=$2 t0 t dest=${ROOT[$1]}/upload/big.up tlsargs=() client=curl
    case ${3:-} in
    tls) tlsargs=("${curl_tls[@]}") ;;
    lftp|ferry) client=$3 ;;
    esac
    BCMD=(curl -sS "${tlsargs[@]}" --max-time "$xfer_limit" -T "$work/client/big.src"
          "$(url "$s")/upload/big.up")
    [ "$client" = curl ] || big_cmd "$client" put "$s" "$work/client/big.src"
    rm -f "$dest"
    sync
    cpu_start "$s"
    t0=$EPOCHREALTIME
    if ! taskset -c "$client_cpu" timeout "$xfer_limit" "${BCMD[@]}" < /dev/null \
            > /dev/null 2>> "$work/$client.err"; then
        cpu_stop failed "$s"
        note "$s STOR: $client failed ($(tail -n 1 "$work/$client.err"))"; echo FAIL; return
    fi
    t=$(secs_since "$t0")
    cpu_stop "$([ "$rep" = warm-up ] && echo warm-up || echo "stor${3:+-$3}")" "$s"
    if [ "$(stat -c %s "$dest" 2>/dev/null || echo 0)" != "$big_bytes" ]; then
        note "$s STOR: stored file has the wrong size"; echo FAIL; return
    fi
    if [ "$rep" = 1 ] && ! cmp -s "$dest" "$work/client/big.src"; then
        note "$s STOR: stored file differs"; echo FAIL; return
    fi
    rm -f "$dest"
    sync
    echo "$t"
}

# Counts the transfers of a curl run (its -w lines: seconds ...) that
# stalled, adding to $work/$s/stalls.$row (runs are subshells).
count_stalls() {
    local row=$1 s=$2 out=$3 f=$work/$2/stalls.$1 n
    n=$(awk -v lim="$stall_secs" '$1 >= lim { n++ } END { print n + 0 }' <<< "$out")
    echo $(( $(cat "$f" 2>/dev/null || echo 0) + n )) > "$f"
}

# run_small SERVER [active]: npasv files passive, or nsmall files active
# (curl -P 127.0.0.1).
run_small() {
    local s=$1 cfg=$work/$1/small.curlrc t0 t out mode=() n=$npasv
    [ "${2:-}" != active ] || { mode=(-P 127.0.0.1) n=$nsmall cfg=$work/$1/smallact.curlrc; }
    if [ ! -f "$cfg" ]; then
        local u; u=$(url "$s")
        for ((i = 0; i < n; i++)); do
            printf 'url = "%s/small/f%04d"\noutput = "/dev/null"\n' "$u" "$i"
        done > "$cfg"
    fi
    t0=$EPOCHREALTIME
    if ! out=$(curl -sS "${mode[@]}" --max-time $((n + 60)) -K "$cfg" \
               -w '%{time_total} %{size_download} %{num_connects}\n' 2>> "$work/curl.err"); then
        note "$s small files: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    t=$(secs_since "$t0")
    count_stalls small "$s" "$out"
    local files bytes conns
    read -r files bytes conns < <(awk '{ n++; b += $2; c += $3 } END { print n, b, c }' <<< "$out")
    if [ "$files" != "$n" ] || [ "$bytes" != $((n * small_bytes)) ]; then
        note "$s small files: $files transfers, $bytes bytes"; echo FAIL; return
    fi
    [ "$conns" = 1 ] || note "$s small files: curl opened $conns control connections"
    echo "$t"
}

# Checks that dir holds exactly the first n small files, byte for byte.
# (One process for all of them: a cmp per file cost 5 s per run here.)
same_files() {
    python3 - "$1" "$work/client/small" "$2" <<'PY'
import os, sys
got, want, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = [e.name for e in os.scandir(got) if e.is_file(follow_symlinks=False)]
if len(files) != n:
    print('%d files instead of %d' % (len(files), n))
    sys.exit(1)
for i in range(n):
    name = 'f%04d' % i
    try:
        with open(os.path.join(got, name), 'rb') as a, open(os.path.join(want, name), 'rb') as b:
            same = a.read() == b.read()
    except OSError:
        same = False
    if not same:
        print(name + ' differs')
        sys.exit(1)
PY
}

# After an upload run of label into dir of server s: checks dir holds the
# first n small files and removes it; prints the run's time t, or FAIL.
upload_result() {
    local s=$1 label=$2 dir=$3 n=$4 t=$5 why
    if ! why=$(same_files "${ROOT[$s]}/$dir" "$n"); then
        note "$s $label: $why"; echo FAIL; return
    fi
    discard "${ROOT[$s]:?}/$dir"
    echo "$t"
}

# A fresh upload directory for row/run: prints its name below upload/.
fresh_dir() {
    local s=$1 name=$2
    mkdir -p "${ROOT[$s]}/upload/$name"
    [ "$as_root" = 0 ] || chown "$runuser:$rungroup" "${ROOT[$s]}/upload/$name"
    echo "upload/$name"
}

# run_curlput SERVER REP [active]: nput files passive, or nsmall files
# active (-P 127.0.0.1).
run_curlput() {
    local s=$1 rep=$2 dir t0 t out list n=$nput mode=() row=curlput
    [ "${3:-}" != active ] || { n=$nsmall mode=(-P 127.0.0.1) row=curlputact; }
    dir=$(fresh_dir "$s" "$row.$rep")
    list=$(for ((i = 0; i < n; i++)); do printf 'f%04d\n' "$i"; done | paste -sd, -)
    t0=$EPOCHREALTIME
    if ! out=$(cd "$work/client/small" && curl -sS "${mode[@]}" --max-time $((n + 60)) -T "{$list}" \
               -w '%{time_total} %{size_upload} %{num_connects}\n' \
               "$(url "$s")/$dir/" 2>> "$work/curl.err"); then
        note "$s curl -T: curl failed ($(tail -n 1 "$work/curl.err"))"; echo FAIL; return
    fi
    t=$(secs_since "$t0")
    count_stalls "$row" "$s" "$out"
    upload_result "$s" "curl -T" "$dir" "$n" "$t"
}

# Checks that local directory dir holds the nsmall small files and
# removes it; prints the run's time t, or FAIL.
download_result() {
    local s=$1 label=$2 dir=$3 t=$4 why
    if ! why=$(same_files "$dir" "$nsmall"); then
        note "$s $label: $why"; echo FAIL; return
    fi
    discard "$dir"
    echo "$t"
}

run_lftpget() {
    local s=$1 dir=$work/client/dl.lftp t0
    discard "$dir"; mkdir -p "$dir"
    t0=$EPOCHREALTIME
    if ! timeout $((nsmall + 60)) lftp -c "$lftp_settings; open $(url "$s"); cd small; \
            lcd $dir; mget f*" >> "$work/lftp.err" 2>&1 < /dev/null; then
        note "$s lftp mget: failed ($(tail -n 1 "$work/lftp.err"))"; echo FAIL; return
    fi
    download_result "$s" "lftp mget" "$dir" "$(secs_since "$t0")"
}

run_ferryget() {
    local s=$1 dir=$work/client/dl.ferry t0
    discard "$dir"
    t0=$EPOCHREALTIME
    if ! timeout $((nsmall + 60)) "$ferry_bin" -q -y --tls=off -c "get -r small $dir" \
            "$(url "$s")" >> "$work/ferry.err" 2>&1 < /dev/null; then
        note "$s ferry get -r: failed ($(tail -n 1 "$work/ferry.err"))"; echo FAIL; return
    fi
    download_result "$s" "ferry get -r" "$dir" "$(secs_since "$t0")"
}

run_ferryput() {
    local s=$1 rep=$2 dir t0
    dir=upload/ferry.$rep
    t0=$EPOCHREALTIME
    if ! timeout $((nsmall + 60)) "$ferry_bin" -q -y --tls=off -c "put -r $work/client/small $dir" \
            "$(url "$s")" >> "$work/ferry.err" 2>&1; then
        note "$s ferry put -r: failed ($(tail -n 1 "$work/ferry.err"))"; echo FAIL; return
    fi
    upload_result "$s" "ferry put -r" "$dir" "$nsmall" "$(secs_since "$t0")"
}

lftp_settings='set ftp:ssl-allow no; set net:max-retries 1; set net:timeout 10; set xfer:clobber on; set ftp:passive-mode on; set cmd:parallel 1; set cmd:fail-exit yes'
run_lftpput() {
    local s=$1 rep=$2 dir t0
    dir=$(fresh_dir "$s" "lftp.$rep")
    t0=$EPOCHREALTIME
    if ! timeout $((nsmall + 60)) lftp -c "$lftp_settings; open $(url "$s"); cd $dir; \
            lcd $work/client/small; mput f*" >> "$work/lftp.err" 2>&1 < /dev/null; then
        note "$s lftp mput: failed ($(tail -n 1 "$work/lftp.err"))"; echo FAIL; return
    fi
    upload_result "$s" "lftp mput" "$dir" "$nsmall" "$(secs_since "$t0")"
}

# SIZE is one small round trip after another, so its time is mostly how
# soon the scheduler wakes the other side, which on a loaded 2-CPU machine
# depends on which CPUs the two processes happen to be on. For this row
# the client runs on the servers' CPU, for all servers alike.
# run_size SERVER [VERB]: SIZE, or MDTM or NOOP.
run_size() {
    local s=$1 verb=${2:-SIZE} out t bad
    helper_for "$s"
    if ! out=$(timeout 300 taskset -c "$server_cpu" "${HCMD[@]}" size 127.0.0.1 "${PORT[$s]}" \
               "$nsize" "$nsmall" "$verb"); then
        note "$s $verb: client failed"; echo FAIL; return
    fi
    read -r t bad <<< "$out"
    if [ "$bad" != 0 ]; then note "$s $verb: $bad bad replies"; echo FAIL; return; fi
    echo "$t"
}

# Runs the helper's measurement kind with arguments against server s;
# its output is "seconds failures": prints the seconds, or FAIL.
helper_secs() {
    local s=$1 what=$2 out t bad pin=()
    shift 2
    helper_for "$s"
    [ "$what" = held ] && pin=(taskset -c "$client_cpu")
    if ! out=$(timeout 600 "${pin[@]}" "${HCMD[@]}" "$what" 127.0.0.1 "${PORT[$s]}" "$@" 2>> "$work/$s/$what.err"); then
        note "$s $what: client failed ($(tail -n 1 "$work/$s/$what.err"))"; echo FAIL; return
    fi
    read -r t bad <<< "$out"
    if [ "$t" = NA ]; then echo NA; return; fi
    if [ "$bad" != 0 ]; then note "$s $what $*: $bad (failures, or entries missing)"; echo FAIL; return; fi
    echo "$t"
}

# run_listing SERVER VERB: one listing of list/, checked for nlist names.
run_listing() {
    local s=$1 verb=$2 out t n
    helper_for "$s"
    if ! out=$(timeout 300 "${HCMD[@]}" listing 127.0.0.1 "${PORT[$s]}" "$verb" list "$nlist" \
               2>> "$work/$s/listing.err"); then
        note "$s $verb: client failed ($(tail -n 1 "$work/$s/listing.err"))"; echo FAIL; return
    fi
    read -r t n <<< "$out"
    [ "$t" = NA ] && { echo NA; return; }
    [ "$n" = "$nlist" ] || { note "$s $verb: $n names of $nlist"; echo FAIL; return; }
    echo "$t"
}

# nheld curl processes started at once, each downloads pub/mid.bin.
run_procs() {
    local s=$1 t0 t i pids=() bad=0 out=$work/client/procs u
    discard "$out"; mkdir -p "$out"
    u=$(url "$s")/pub/mid.bin
    t0=$EPOCHREALTIME
    for ((i = 0; i < nheld; i++)); do
        curl -sS --max-time 120 -o "$out/$i" "$u" 2>> "$work/curl.err" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
    t=$(secs_since "$t0")
    local n
    n=$(find "$out" -type f -size "${mid_bytes}c" | wc -l)
    discard "$out"
    if [ "$bad" != 0 ] || [ "$n" != "$nheld" ]; then
        note "$s procs: $bad curl failures, $n complete files of $nheld"; echo FAIL; return
    fi
    echo "$t"
}

# Runs the helper's many-session measurement kind (conc, storm) against
# server s and prints its result line (failed when the client itself
# failed); why sessions failed goes to $work/$s/$kind-all.err.
multi_run() {
    local s=$1 rep=$2 kind=$3 failed=$4 out err=$work/$1/$3.err
    shift 4
    helper_for "$s"
    # One thread: on the second CPU, as the held row's client.
    if ! out=$(timeout 900 taskset -c "$client_cpu" "${HCMD[@]}" "$kind" 127.0.0.1 "${PORT[$s]}" "$@" \
        2> "$err"); then
        note "$s $kind: client failed"; cat "$err" >&2
        out=$failed
    fi
    if [ -s "$err" ]; then
        note "$s $kind: failures:"; cat "$err" >&2
        sed "s/^ */run $rep: /" "$err" >> "$work/$s/$kind-all.err"
    fi
    echo "$out"
}

# Concurrent sessions: "wall ok fail rss_kib pss_kib procs overflows".
run_conc() {
    multi_run "$1" "$2" conc "FAIL 0 $nsess 0 0 0 0" "$nsess" "${PID[$1]}" "$nsmall" "$sess_timeout" \
        "$(awk -v r="$ramp_ms" 'BEGIN { print r / 1000 }')"
}

# Login storm: "wall ok fail".
run_storm() {
    multi_run "$1" "$2" storm "FAIL 0 $nstorm" "$nstorm" "$sess_timeout"
}

big_label=$([ "$big_mib" -ge 1024 ] && echo "$((big_mib / 1024)) GiB" || echo "$big_mib MiB")
# What each row is, for the CSV (and run-all.sh's table): label, client,
# bytes moved by one run.
declare -A LABEL CLIENT BYTES
for row in retr lftpretr ferryretr; do LABEL[$row]="RETR $big_label"; BYTES[$row]=$big_bytes; done
for row in stor lftpstor ferrystor; do LABEL[$row]="STOR $big_label"; BYTES[$row]=$big_bytes; done
LABEL[tretr]="FTPS RETR $big_label" BYTES[tretr]=$big_bytes
LABEL[tstor]="FTPS STOR $big_label" BYTES[tstor]=$big_bytes
for row in smallact lftpget ferryget; do LABEL[$row]="$nsmall x 4 KiB down"; done
LABEL[small]="$npasv x 4 KiB down"
for row in curlputact lftpput ferryput; do LABEL[$row]="$nsmall x 4 KiB up"; done
LABEL[curlput]="$nput x 4 KiB up"
LABEL[size]="SIZE x $nsize" LABEL[mdtm]="MDTM x $nsize" LABEL[noop]="NOOP x $nsize"
LABEL[login]="connect+login+QUIT x $nlogin in turn"
LABEL[list]="LIST of $nlist entries" LABEL[nlst]="NLST of $nlist entries" LABEL[mlsd]="MLSD of $nlist entries"
LABEL[held]="$nheld held sessions RETR 1 MiB at once" BYTES[held]=$((nheld * mid_bytes))
LABEL[procs]="$nheld curl processes x 1 MiB at once" BYTES[procs]=$((nheld * mid_bytes))
for row in retr stor tretr tstor small curlput procs; do CLIENT[$row]=curl; done
CLIENT[smallact]="curl active" CLIENT[curlputact]="curl active"
for row in lftpretr lftpstor lftpget lftpput; do CLIENT[$row]=lftp; done
for row in ferryretr ferrystor ferryget ferryput; do CLIENT[$row]=ferry; done
for row in size mdtm noop login list nlst mlsd held; do CLIENT[$row]="python3 ftplib"; done
CLIENT[small]="curl passive" CLIENT[curlput]="curl passive"

# The CSV lines of one conc or storm run (its helper's result line v).
csv_multi() {
    local kind=$1 s=$2 rep=$3 wall ok fail rss pss
    read -r wall ok fail rss pss _ <<< "$4"
    [ "$wall" != FAIL ] && [ "$ok" != 0 ] || wall=FAIL
    if [ "$kind" = conc ]; then
        csv_add bench-server conc "$nsess sessions log in at once and stay: wall time" "$s" "python3 epoll" "$rep" "$wall" s 0
        csv_add bench-server concfail "$nsess sessions at once: failures" "$s" "python3 epoll" "$rep" "$fail" count 0
        [ "$wall" = FAIL ] && pss=FAIL || pss=$(awk -v p="$pss" -v n="$ok" 'BEGIN { printf "%.1f", p / n }')
        csv_add bench-server concpss "$nsess sessions at once: server PSS per session" "$s" "/proc/PID/smaps_rollup" "$rep" "$pss" KiB 0
    else
        csv_add bench-server storm "login storm: $nstorm sessions connect+login+QUIT at once" "$s" "python3 epoll" "$rep" "$wall" s 0
        csv_add bench-server stormfail "login storm: failures" "$s" "python3 epoll" "$rep" "$fail" count 0
    fi
}

declare -A R   # R[row,server] = space-separated results of the repetitions
for ((rep = 1; rep <= repeat; rep++)); do
    # Rotate which server goes first, so none always has the warmer cache.
    order=()
    for ((k = 0; k < ${#servers[@]}; k++)); do
        order+=("${servers[(k + rep - 1) % ${#servers[@]}]}")
    done
    for row in "${rows[@]}"; do
        # Whichever server stores the first 1 GiB of a round takes seconds
        # longer (page cache and writeback catching up): one untimed upload
        # first, so no server is measured in that slot. The same holds for
        # the first download a client writes to a file (lftp and ferry):
        # in the runs of c59becb each server's slowest lftp download was
        # the one where it went first, 2.5 to 4.5 s against 0.6 to 1.5.
        case $row in
        *stor) run_stor "${order[0]}" warm-up > /dev/null ;;
        lftpretr|ferryretr) run_retr "${order[0]}" "${row%retr}" warm-up > /dev/null ;;
        esac
        samples=1
        case $row in size|mdtm|noop|list|nlst|mlsd) samples=$short_samples ;; esac
        for ((sample = 0; sample < samples; sample++)); do
        for s in "${order[@]}"; do
            settle
            case $row in
            retr) v=$(run_retr "$s") ;;
            stor) v=$(run_stor "$s" "$rep") ;;
            tretr) v=$(run_retr "$s" tls) ;;
            tstor) v=$(run_stor "$s" "$rep" tls) ;;
            small) v=$(run_small "$s") ;;
            curlput) v=$(run_curlput "$s" "$rep") ;;
            ferryput) v=$(run_ferryput "$s" "$rep") ;;
            lftpput) v=$(run_lftpput "$s" "$rep") ;;
            size) v=$(run_size "$s") ;;
            mdtm) v=$(run_size "$s" MDTM) ;;
            noop) v=$(run_size "$s" NOOP) ;;
            lftpretr) v=$(run_retr "$s" lftp) ;;
            ferryretr) v=$(run_retr "$s" ferry) ;;
            lftpstor) v=$(run_stor "$s" "$rep" lftp) ;;
            ferrystor) v=$(run_stor "$s" "$rep" ferry) ;;
            smallact) v=$(run_small "$s" active) ;;
            lftpget) v=$(run_lftpget "$s") ;;
            ferryget) v=$(run_ferryget "$s") ;;
            curlputact) v=$(run_curlput "$s" "$rep" active) ;;
            login) v=$(helper_secs "$s" logins "$nlogin") ;;
            list) v=$(run_listing "$s" LIST) ;;
            nlst) v=$(run_listing "$s" NLST) ;;
            mlsd) v=$(run_listing "$s" MLSD) ;;
            held) v=$(helper_secs "$s" held "$nheld" pub/mid.bin "$mid_bytes" "$sess_timeout") ;;
            procs) v=$(run_procs "$s") ;;
            esac
            R[$row,$s]="${R[$row,$s]:-} $v"
            csv_add bench-server "$row" "${LABEL[$row]}" "$s" "${CLIENT[$row]}" "$rep" "$v" s "${BYTES[$row]:-0}"
            note "run $rep/$repeat $row $s: $v"
        done
        done
    done
    for kind in "${kinds[@]}"; do
        for s in "${order[@]}"; do
            settle
            v=$("run_$kind" "$s" "$rep")
            R[$kind,$s]="${R[$kind,$s]:-}|$v"
            csv_multi "$kind" "$s" "$rep" "$v"
            note "run $rep/$repeat $kind $s (wall ok fail ...): $v"
        done
    done
done

# ---------------------------------------------------------------- report
# Median of a list of numbers; FAIL if any run failed.
median() { median_of "$@" || true; }
# One value per run of a '|'-separated row (conc, storm) of server s: the
# awk expression expr over its fields; FAIL for a run that failed or had no
# session succeed.
multi_values() {
    local row=$1 s=$2 expr=$3
    tr '|' '\n' <<< "${R[$row,$s]:-}" |
        awk 'NF { if ($1 == "FAIL" || $2 == 0) print "FAIL"; else printf "%.4f\n", '"$expr"' }'
}
fmt_secs() {
    if [ "$1" = FAIL ] || [ "$1" = NA ]; then echo "${1/NA/n\/a}"; else awk -v t="$1" 'BEGIN { printf "%.3f s", t }'; fi
}
fmt_rate() { # seconds -> "x.xxx s (N MiB/s)"
    [ "$1" != FAIL ] && [ "$1" != NA ] || { echo "$1"; return; }
    awk -v t="$1" -v m="$big_mib" 'BEGIN { printf "%.3f s (%.0f MiB/s)", t, (t > 0 ? m / t : 0) }'
}
ratio() { # a / b, or - when either is missing
    if [ -z "$1" ] || [ -z "$2" ] || [[ $1$2 == *FAIL* || $1$2 == *NA* ]]; then echo "-"; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

declare -A M
# shellcheck disable=SC2016 # the $n below are awk fields
for s in "${servers[@]}"; do
    for row in "${rows[@]}"; do
        # shellcheck disable=SC2086
        M[$row,$s]=$(median ${R[$row,$s]})
    done
    mapfile -t vals < <(multi_values conc "$s" '$1'); M[wall,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values conc "$s" '$4'); M[rss,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values conc "$s" '$5'); M[pss,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values conc "$s" '$4 / $2'); M[rssps,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values conc "$s" '$5 / $2'); M[pssps,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values conc "$s" '$6 / $2'); M[pps,$s]=$(median "${vals[@]}")
    mapfile -t vals < <(multi_values storm "$s" '$1'); M[storm,$s]=$(median "${vals[@]}")
    # The worst run for failures, the sum for overflows.
    M[fail,$s]=$(tr '|' '\n' <<< "${R[conc,$s]:-}" | awk 'NF { if ($3 > m) m = $3 } END { print m + 0 }')
    M[ovf,$s]=$(tr '|' '\n' <<< "${R[conc,$s]:-}" | awk 'NF { n += $7 } END { print n + 0 }')
    M[sfail,$s]=$(tr '|' '\n' <<< "${R[storm,$s]:-}" | awk 'NF { if ($3 > m) m = $3 } END { print m + 0 }')
done

get() { echo "${M[$1,$2]:-}"; }
cell() { # server formatter value
    want "$1" || { echo "-"; return; }
    "$2" "$3"
}
# One table row: label, client, formatter, median key.
table_row() {
    local label=$1 client=$2 fmt=$3 key=$4 f=ferryd
    wanted "$([ "$key" = wall ] && echo conc || echo "$key")" || return 0
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$client" \
        "$(cell ferryd "$fmt" "$(get "$key" $f)")" "$(cell vsftpd "$fmt" "$(get "$key" vsftpd)")" \
        "$(cell pure-ftpd "$fmt" "$(get "$key" pure-ftpd)")" \
        "$(ratio "$(get "$key" $f)" "$(get "$key" vsftpd)")" \
        "$(ratio "$(get "$key" $f)" "$(get "$key" pure-ftpd)")"
}
fmt_mem() { # total KiB and per-session KiB
    local total=$1 per=$2
    if [ "$per" = FAIL ] || [ "$total" = FAIL ]; then echo FAIL; return; fi
    awk -v t="$total" -v p="$per" 'BEGIN { printf "%.1f MiB (%.0f KiB/session)", t / 1024, p }'
}
mem_cell() { want "$1" || { echo "-"; return; }; fmt_mem "$(get "$2" "$1")" "$(get "${2}ps" "$1")"; }
fails_cell() { want "$1" || { echo "-"; return; }; echo "$(get "$2" "$1") of $3 failed (worst run)"; }

ferryd_ver=$(want ferryd && "$ferryd_bin" -V 2>/dev/null || echo "-")
vsftpd_ver=$(want vsftpd && "$vsftpd_bin" -v 0>&1 2>/dev/null | sed 's/^vsftpd: //' || echo "-")
pure_ver=$(want pure-ftpd && "$pure_bin" --help 2>&1 | sed -n 's/^pure-ftpd v\([^ ]*\).*/\1/p' | head -n 1 || echo "-")

echo
echo "## ferryd vs vsftpd and pure-ftpd (median of $repeat; ratios = ferryd / other, lower is better for ferryd)"
echo
echo "| benchmark | client | ferryd | vsftpd | pure-ftpd | ferryd/vsftpd | ferryd/pure-ftpd |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
table_row "RETR $big_label file" "curl, passive (EPSV)" fmt_rate retr
table_row "STOR $big_label file" "curl, passive (EPSV)" fmt_rate stor
cpu_row() { # row label: the median server CPU of the row's runs
    local row=$1 label=$2 f
    wanted "$row" || return 0
    for f in ferryd vsftpd pure-ftpd; do
        # shellcheck disable=SC2046
        M[$row,$f]=$(want "$f" && [ -s "$work/$f/cpu.$row" ] && median $(cat "$work/$f/cpu.$row") || true)
    done
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "every server process, /proc/PID/stat utime + stime" \
        "$(cell ferryd fmt_secs "$(get "$row" ferryd)")" "$(cell vsftpd fmt_secs "$(get "$row" vsftpd)")" \
        "$(cell pure-ftpd fmt_secs "$(get "$row" pure-ftpd)")" \
        "$(ratio "$(get "$row" ferryd)" "$(get "$row" vsftpd)")" \
        "$(ratio "$(get "$row" ferryd)" "$(get "$row" pure-ftpd)")"
}
cpu_row retr "RETR $big_label: server CPU (user + system)"
cpu_row stor "STOR $big_label: server CPU (user + system)"
table_row "RETR $big_label file" "lftp get, passive" fmt_rate lftpretr
table_row "RETR $big_label file" "ferry get" fmt_rate ferryretr
table_row "STOR $big_label file" "lftp put, passive" fmt_rate lftpstor
table_row "STOR $big_label file" "ferry put" fmt_rate ferrystor
table_row "FTPS: RETR $big_label file" "curl --ssl-reqd (PROT P), passive (EPSV)" fmt_rate tretr
table_row "FTPS: STOR $big_label file" "curl --ssl-reqd (PROT P), passive (EPSV)" fmt_rate tstor
table_row "$npasv files of 4 KiB downloaded, one session" "curl -K (config of URLs), passive" fmt_secs small
table_row "$nsmall files of 4 KiB downloaded, one session" "curl -K, active (-P)" fmt_secs smallact
table_row "$nsmall files of 4 KiB downloaded, one session" "lftp mget, passive" fmt_secs lftpget
table_row "$nsmall files of 4 KiB downloaded, one session" "ferry get -r" fmt_secs ferryget
table_row "$nput files of 4 KiB uploaded, one session" "curl -T \"{...}\", passive" fmt_secs curlput
table_row "$nsmall files of 4 KiB uploaded, one session" "curl -T \"{...}\", active (-P)" fmt_secs curlputact
table_row "$nsmall files of 4 KiB uploaded, one session" "ferry put -r" fmt_secs ferryput
table_row "$nsmall files of 4 KiB uploaded, one session" "lftp mput, passive" fmt_secs lftpput
table_row "$nsize SIZE commands, one session" "python3 ftplib, fastest of 5 passes, client on the server's CPU" fmt_secs size
table_row "$nsize MDTM commands, one session" "same" fmt_secs mdtm
table_row "$nsize NOOP commands, one session" "same" fmt_secs noop
table_row "$nlogin sessions in turn: connect, log in, QUIT" "python3 ftplib" fmt_secs login
table_row "LIST of $nlist entries" "python3 ftplib" fmt_secs list
table_row "NLST of $nlist entries" "python3 ftplib" fmt_secs nlst
table_row "MLSD of $nlist entries" "python3 ftplib" fmt_secs mlsd
table_row "$nheld logged-in sessions RETR 1 MiB at once" "python3 ftplib, $nheld threads" fmt_secs held
table_row "$nheld curl processes download 1 MiB at once" "curl" fmt_secs procs
table_row "$nsess concurrent sessions (login, LIST, RETR 4 KiB): wall time" "python3, one thread (epoll), PASV" fmt_secs wall
wanted conc && printf '| %d concurrent sessions: failures | same | %s | %s | %s | - | - |\n' "$nsess" \
    "$(fails_cell ferryd fail "$nsess")" "$(fails_cell vsftpd fail "$nsess")" "$(fails_cell pure-ftpd fail "$nsess")"
wanted conc && printf '| %d concurrent sessions: server RSS, summed over its processes | /proc/PID/status VmRSS | %s | %s | %s | %s | %s |\n' \
    "$nsess" "$(mem_cell ferryd rss)" "$(mem_cell vsftpd rss)" "$(mem_cell pure-ftpd rss)" \
    "$(ratio "$(get rssps ferryd)" "$(get rssps vsftpd)")" "$(ratio "$(get rssps ferryd)" "$(get rssps pure-ftpd)")"
wanted conc && printf '| %d concurrent sessions: server PSS, summed | /proc/PID/smaps_rollup Pss | %s | %s | %s | %s | %s |\n' \
    "$nsess" "$(mem_cell ferryd pss)" "$(mem_cell vsftpd pss)" "$(mem_cell pure-ftpd pss)" \
    "$(ratio "$(get pssps ferryd)" "$(get pssps vsftpd)")" "$(ratio "$(get pssps ferryd)" "$(get pssps pure-ftpd)")"
table_row "login storm: $nstorm sessions at once connect, log in, quit: wall time" "python3, one thread (epoll)" fmt_secs storm
wanted storm && printf '| login storm: failures | same | %s | %s | %s | - | - |\n' \
    "$(fails_cell ferryd sfail "$nstorm")" "$(fails_cell vsftpd sfail "$nstorm")" "$(fails_cell pure-ftpd sfail "$nstorm")"
if wanted tretr || wanted tstor; then
    # The ceiling: one core encrypting 16 KiB records with the suite the
    # FTPS rows negotiated (curl against the first server).
    suite=$(curl -sS -v "${curl_tls[@]}" --max-time 20 -o /dev/null \
            "$(url "${servers[0]}")/small/f0000" 2>&1 |
            sed -n 's/.*SSL connection using [^ ]* \/ \([^ ]*\).*/\1/p' | head -n 1)
    read -r evp speed <<< "$(tls_ceiling "$suite")"
    [ "$speed" != "?" ] || speed=
    [ -z "${BENCH_SUITE_FILE:-}" ] || echo "${suite:-unknown}" > "$BENCH_SUITE_FILE"
    other=
    [ "$evp" = aes-128-gcm ] || other="; \`openssl speed -evp aes-128-gcm -bytes 16384\` = $(tls_ceiling AES_128_GCM | cut -d' ' -f2) MiB/s"
    echo
    echo "FTPS suite: ${suite:-unknown}; ceiling: \`openssl speed -evp $evp -bytes 16384\` = ${speed:-?} MiB/s on one core$other."
    for s in "${servers[@]}"; do
        line="- $s, share of that ceiling:"
        for row in tretr tstor; do
            v=$(get "$row" "$s")
            wanted "$row" && [ -n "$v" ] && [ "$v" != FAIL ] && [ -n "$speed" ] &&
                line="$line $row $(awk -v t="$v" -v m="$big_mib" -v c="$speed" 'BEGIN { printf "%.0f%%", 100 * m / t / c }');" || true
        done
        echo "${line%;}"
    done
fi
echo
echo "All runs, in seconds (conc and storm: wall time of each run):"
echo
for row in "${rows[@]}" "${kinds[@]}"; do
    line="- $row:"
    for s in "${servers[@]}"; do
        # shellcheck disable=SC2016 # an awk field
        case $row in
        conc|storm) runs=$(multi_values "$row" "$s" '$1' | paste -sd' ' -) ;;
        *) runs=${R[$row,$s]:-}; runs=${runs# } ;;
        esac
        line="$line $s $runs;"
    done
    echo "${line%;}"
done
for row in retr stor retr-tls stor-tls; do
    [ -n "$(cat "$work"/*/cpu."$row" 2>/dev/null)" ] || continue
    line="- $row, server CPU seconds:"
    for s in "${servers[@]}"; do line="$line $s $(paste -sd' ' "$work/$s/cpu.$row" 2>/dev/null);"; done
    echo "${line%;}"
done
echo
echo "Notes:"
for s in "${servers[@]}"; do
    pps=$(get pps "$s"); [ "$pps" = FAIL ] || pps=$(printf '%.2f' "$pps")
    wanted conc && echo "- $s, concurrent sessions: $pps server processes per connected session; the kernel counted $(get ovf "$s") listen-queue overflows during its $repeat runs (TcpExt ListenOverflows: system-wide, so late retries to another server count too)."
    for f in conc storm; do
        if [ -s "$work/$s/$f-all.err" ]; then
            echo "- $s, failed sessions ($f):"
            sed 's/^/    /' "$work/$s/$f-all.err"
        fi
    done
done
for row in small curlput; do
    wanted "$row" || continue
    line="- curl transfers that took ${stall_secs} s or more ($row row, all runs):"
    for s in "${servers[@]}"; do line="$line $s $(cat "$work/$s/stalls.$row" 2>/dev/null || echo 0);"; done
    echo "${line%;}"
done
if [ "$ramp_ms" = 0 ]; then
    echo "- Concurrent sessions and the login storm all start at once; a failed session counts in the wall time with the client's ${sess_timeout} s time-out."
else
    echo "- Concurrent sessions start ${ramp_ms} ms apart (BENCH_RAMP_MS); the wall time includes that ramp. A failed session counts with the client's ${sess_timeout} s time-out."
fi
echo "- Servers run on CPU $server_cpu; curl runs on CPU $client_cpu for the $big_label rows, the held, conc and storm rows' clients on CPU $client_cpu, the SIZE client on CPU $server_cpu, the other clients anywhere."
echo "- Before each timed run the script waited until at most $tw_max TCP connections were in TIME_WAIT: $tw_waited s of waiting in all, at most $tw_top at the start of a run$([ "$tw_late" = 0 ] || echo ", $tw_late runs started above the limit after ${tw_wait}s")."
echo "- ferryd logs to a file (stderr, its default) with --max-per-ip 0; vsftpd runs with its default logging (off) and isolation (isolate, isolate_network)${VSFTPD_EXTRA:+, plus: $(tr '\n' ' ' <<< "$VSFTPD_EXTRA")}; pure-ftpd with one virtual user (PureDB) whose password has an MD5-crypt hash, no syslog. ferryd and vsftpd take the clients anonymously; the MD5 hash keeps pure-ftpd's password check about as cheap (a yescrypt hash cost it 90 ms of server CPU per login)."
echo
echo "Machine: $(machine_line) at the end;" \
     "ferryd ${ferryd_ver#ferryd }, vsftpd ${vsftpd_ver#version }, pure-ftpd ${pure_ver:--}, $("$ferry_bin" -V 2>&1 | head -n 1), $(curl --version | head -n 1 | cut -d' ' -f1-2), lftp $(lftp --version | head -n 1 | sed -n 's/.*Version \([^ ]*\).*/\1/p'), Python $(python3 -c 'import platform; print(platform.python_version())');" \
     "run as $(id -un) (server user: $runuser); RSS per session = total / sessions connected."
