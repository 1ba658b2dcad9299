"""ftptest: the harness the ferryd integration tests share.

Server starts a real ferryd on 127.0.0.1 with an ephemeral port and a fresh
server root, and stops it again (SIGTERM to its own PID, then SIGKILL).
Ftp() returns a logged-in ftplib.FTP; Control is a raw control connection for
input no ordinary client would send. Every network call has a timeout, and a
watchdog ends the whole test program (after stopping its servers) if it runs
past its time budget, so no test can hang.

Layout of a server's temporary tree:

    BASE/              owned by the session user, so an escape would succeed
    BASE/root/         the server root (-r)
    BASE/outside/      a directory beside the root, never served
    BASE/ferryd.log    ferryd's stderr

When the tests run as root, ferryd drops to `nobody`; the tree is chowned to
nobody so the sessions can read and write it (prepare()).
"""

import atexit
import calendar
import ftplib
import io
import os
import random
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import config

HOST = "127.0.0.1"
# Seconds any single network operation may take.
TIMEOUT = 10.0
# Seconds ferryd gets to print its "listening on" line.
START_TIMEOUT = 10.0
# Whole-program budget; past it the watchdog stops every server and exits 1.
BUDGET = float(os.environ.get("FERRY_TEST_BUDGET", "900"))

IAC = b"\xff"
IP = b"\xf4"
DM = b"\xf2"

_live_servers = set()
_live_lock = threading.Lock()


# ---------------------------------------------------------------------------
# Files and ownership


def session_ids():
    """uid and gid ferryd's sessions run as: nobody's when started as root,
    else the current user's."""
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
        return pw.pw_uid, pw.pw_gid
    return os.geteuid(), os.getegid()


def prepare(path):
    """Hands path (recursively, symlinks themselves not their targets) to the
    user ferryd's sessions run as. Call it after creating fixture files."""
    if os.geteuid() != 0:
        return
    uid, gid = session_ids()
    os.lchown(path, uid, gid)
    if os.path.isdir(path) and not os.path.islink(path):
        for top, dirs, files in os.walk(path):
            for name in dirs + files:
                os.lchown(os.path.join(top, name), uid, gid)


def write_file(path, data, mtime=None, mode=0o644):
    """Writes data (bytes or str) at path, creating parent directories, sets
    its mtime if given, and prepares it."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        os.makedirs(parent, exist_ok=True)
        prepare(parent)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    prepare(path)
    return path


def put_old(path, data):
    """Writes data at path with an old mtime, for a test that an upload
    leaves it alone; returns (path, identity) for assertUntouched."""
    write_file(path, data, mtime=1000000000)
    st = os.stat(path)
    return path, (st.st_ino, st.st_mtime, st.st_size, data)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def utc_stamp(t):
    """YYYYMMDDHHMMSS (UTC) of a time in seconds, as MDTM and MLSx give it."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(int(t)))


def parse_stamp(s):
    return calendar.timegm(time.strptime(s[:14], "%Y%m%d%H%M%S"))


def random_bytes(n, seed=0):
    """n reproducible pseudo-random bytes (all 256 values occur)."""
    r = random.Random(seed)
    return r.randbytes(n)


def write_tree(top, files, dirs=(), mtime=None):
    """Writes files ({relative path: bytes}) under top and makes the empty
    directories dirs; with mtime, the files get mtime, mtime + 60, ... in
    name order."""
    for i, (rel, data) in enumerate(sorted(files.items())):
        write_file(os.path.join(top, rel), data, mtime=None if mtime is None else mtime + 60 * i)
    for rel in dirs:
        os.makedirs(os.path.join(top, rel), exist_ok=True)
    prepare(top)


def files_of(top, skip=()):
    """{relative path: bytes} of the regular files under top, leaving out
    the names in skip."""
    out = {}
    for cur, dirs, files in os.walk(top):
        for f in files:
            if f not in skip:
                full = os.path.join(cur, f)
                out[os.path.relpath(full, top)] = read_file(full)
    return out


def tree_snapshot(top):
    """{relative path: bytes or 'DIR' or 'LINK->target'} for everything under
    top, to compare a tree before and after."""
    out = {}
    for cur, dirs, files in os.walk(top):
        for name in dirs + files:
            full = os.path.join(cur, name)
            rel = os.path.relpath(full, top)
            if os.path.islink(full):
                out[rel] = "LINK->" + os.readlink(full)
            elif os.path.isdir(full):
                out[rel] = "DIR"
            else:
                out[rel] = read_file(full)
    return out


def tree_snapshot_now(top):
    """tree_snapshot for a tree another process may be changing (a wait's
    condition): None when a name went away between listing and reading."""
    try:
        return tree_snapshot(top)
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------------------
# The server


def _proc_stat(pid):
    """(ppid, starttime) of pid from /proc, or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[19])


def same_process(pid, start):
    """True if pid is still the process that started at start (/proc's
    starttime): not one that ended, nor another that took its PID."""
    st = _proc_stat(pid)
    return st is not None and st[1] == start


def kill_same(pid, start):
    """SIGKILL to pid if it is still the process that started at start."""
    if same_process(pid, start):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def status_fields(pid):
    """/proc/PID/status as a dict."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def session_pid(server, before):
    """The pid of the one session of server started since `before` (a set
    of pids)."""
    pids = wait_until(lambda: [p for p, _ in server.session_pids() if p not in before])
    if len(pids) != 1:
        raise AssertionError("expected one new session, found %r" % pids)
    return pids[0]


def strace_attach(t, pid, args, out):
    """Attaches strace with options args to process pid, its output to the
    file out, and returns once pid is traced: a function that detaches it
    (and returns out's text), which test t also calls at its end."""
    tracer = subprocess.Popen(["strace", "-p", str(pid), "-o", out] + list(args),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)

    def tracer_of_pid():
        return int(status_fields(pid).get("TracerPid", "0"))

    def detach():
        if tracer.poll() is None:
            tracer.terminate()
        tracer.wait(TIMEOUT)
        tracer.stderr.close()
        if not wait_until(lambda: tracer_of_pid() == 0, timeout=TIMEOUT):
            raise AssertionError("strace never let process %d go" % pid)
        with open(out) as f:
            return f.read()
    t.addCleanup(detach)
    if not wait_until(lambda: tracer_of_pid() == tracer.pid or tracer.poll() is not None,
                      timeout=TIMEOUT) or tracer.poll() is not None:
        raise AssertionError("strace did not attach to %d: %s"
                             % (pid, tracer.stderr.read().decode(errors="replace")))
    return detach


_LISTEN_RE = re.compile(r"listening on (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)")


class ServerError(AssertionError):
    """ferryd could not be started; an AssertionError so the test fails."""


class Server:
    """A ferryd serving a fresh temporary root.

    srv = Server(["--anonymous=rw"]); srv.write("a.txt", b"x"); srv.start()
    or `with Server(args) as srv:` (starts on entry, stops on exit).
    """

    def __init__(self, args=(), listen=HOST + ":0", wrapper=(), env=None):
        self.args = [str(a) for a in args]
        self.listen = listen
        # Words before ferryd's own command line: a command that execs
        # ferryd, so the PID stays ferryd's.
        self.wrapper = [str(a) for a in wrapper]
        self.env = env                 # ferryd's environment (None: ours)
        self.tolerated = []            # log lines (regexes) a test caused on purpose
        self.base = tempfile.mkdtemp(prefix="ferryd-test-")
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        self.outside = os.path.join(self.base, "outside")
        os.mkdir(self.root, 0o755)
        os.mkdir(self.outside, 0o755)
        self.log_path = os.path.join(self.base, "ferryd.log")
        self.proc = None
        self.host = HOST
        self.port = None
        self.addresses = []      # [(addr, port)] from the "listening on" lines
        self.returncode = None

    # -- fixtures --

    def path(self, *parts):
        """Absolute path of a name inside the server root."""
        return os.path.join(self.root, *parts)

    def write(self, rel, data, mtime=None):
        return write_file(self.path(rel), data, mtime)

    def mkdir(self, rel):
        p = self.path(rel)
        os.makedirs(p, exist_ok=True)
        prepare(p)
        return p

    def symlink(self, target, rel):
        p = self.path(rel)
        os.symlink(target, p)
        prepare(p)
        return p

    # -- lifecycle --

    def start(self):
        if self.proc is not None:
            return self
        ferryd = config.FERRYD
        if not (os.path.isfile(ferryd) and os.access(ferryd, os.X_OK)):
            raise ServerError("ferryd is not built: %s (run make)" % ferryd)
        prepare(self.base)
        cmd = self.wrapper + [ferryd, "-l", self.listen, "-r", self.root] + self.args
        self.cmd = cmd
        expected = 1 + sum(1 for a in self.args if a == "-l" or a.startswith("-l"))
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, close_fds=True, env=self.env)
        with _live_lock:
            _live_servers.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            found = _LISTEN_RE.findall(self.log_text())
            if len(found) >= expected:
                break
            if self.proc.poll() is not None:
                self.returncode = self.proc.returncode
                raise ServerError("ferryd exited with %s before listening: %s\nlog:\n%s"
                                  % (self.returncode, " ".join(cmd), self.log_tail()))
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError("no 'listening on' line from ferryd within %gs: %s\nlog:\n%s"
                                  % (START_TIMEOUT, " ".join(cmd), self.log_tail()))
            time.sleep(0.02)
        self.addresses = [(a.strip("[]"), int(p)) for a, p in found]
        for addr, port in self.addresses:
            if addr == self.host:
                self.port = port
                break
        if self.port is None:
            self.stop()
            raise ServerError("no listening line for %s in:\n%s" % (self.host, self.log_tail()))
        if self.port == 0:
            self.stop()
            raise ServerError("ferryd logged port 0 instead of the port it got")
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def session_pids(self):
        """[(pid, starttime)] of ferryd's direct children (its sessions)."""
        if self.proc is None:
            return []
        out = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            st = _proc_stat(int(name))
            if st is not None and st[0] == self.proc.pid:
                out.append((int(name), st[1]))
        return out

    def wait_sessions_gone(self, timeout=5.0):
        """Waits (bounded) until ferryd has no session processes left.
        Returns True if none are left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.session_pids():
                return True
            time.sleep(0.05)
        return not self.session_pids()

    def stop(self, timeout=5.0):
        """SIGTERM to ferryd, wait, SIGKILL if needed; then its leftover
        sessions (by PID) likewise. Returns ferryd's exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            sessions = self.session_pids()
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
            # Sessions whose clients are gone end by themselves; give them a
            # moment, then kill the ones still there (same PID and start time).
            deadline = time.monotonic() + 3.0
            while sessions and time.monotonic() < deadline:
                sessions = [(p, t) for p, t in sessions if same_process(p, t)]
                if sessions:
                    time.sleep(0.05)
            for pid, start in sessions:
                kill_same(pid, start)
        self.returncode = self.proc.returncode
        with _live_lock:
            _live_servers.discard(self)
        return self.returncode

    def cleanup(self):
        """Stops the server and removes its temporary tree (kept when
        FERRY_KEEP_TMP is set). Fails if ferryd's log holds a sanitizer
        report or a session killed by a signal."""
        self.stop()
        problems = self.crash_reports()
        if not os.environ.get("FERRY_KEEP_TMP"):
            shutil.rmtree(self.base, ignore_errors=True)
        if problems:
            raise AssertionError("ferryd reported errors in its log:\n" + "\n".join(problems))

    _CRASH_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|"
                           r"killed by signal|SUMMARY: \w+Sanitizer")

    def crash_reports(self):
        """Lines of the log (with some context) that tell of a crash."""
        lines = self.log_text().splitlines()
        out = []
        for i, line in enumerate(lines):
            if self._CRASH_RE.search(line) and not any(re.search(t, line) for t in self.tolerated):
                out.extend(lines[i:i + 15])
                if len(out) > 200:
                    break
        return out

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # -- the log --

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])

    def wait_log(self, pattern, timeout=5.0):
        """Waits (bounded) for a regex in the log; returns the match or None."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.log_text())
            if m or time.monotonic() > deadline:
                return m
            time.sleep(0.05)

    # -- clients --

    def ftp(self, user="anonymous", passwd="guest@example.org", **kw):
        return Ftp(self, user, passwd, **kw)

    def control(self, **kw):
        return Control(self, **kw)

    def url(self, path="/", user=None, passwd=None):
        cred = ""
        if user is not None:
            cred = user + (":" + passwd if passwd is not None else "") + "@"
        return "ftp://%s%s:%d%s" % (cred, self.host, self.port, path)


def _stop_all():
    with _live_lock:
        servers = list(_live_servers)
    for s in servers:
        try:
            s.stop(timeout=2.0)
        except Exception:
            pass


def _watchdog():
    sys.stderr.write("ftptest: time budget of %gs exceeded; stopping\n" % BUDGET)
    sys.stderr.flush()
    _stop_all()
    os._exit(1)


atexit.register(_stop_all)
_timer = threading.Timer(BUDGET, _watchdog)
_timer.daemon = True
_timer.start()


def hash_password(password):
    """A users-file hash made by `ferryd --hash-password`."""
    r = subprocess.run([config.FERRYD, "--hash-password"], input=password + "\n",
                       capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise AssertionError("ferryd --hash-password exited %d: %s" % (r.returncode, r.stderr))
    lines = [l.strip() for l in r.stdout.splitlines() if l.strip()]
    if not lines:
        raise AssertionError("ferryd --hash-password printed nothing (stderr: %s)" % r.stderr)
    return lines[-1]


def users_file(server, name, password, fields=""):
    """Writes a users file with one account (fields: the rest of its line
    after the hash, such as "::rw") into the server's base directory (mode
    0600, as root keeps it); returns its path for -u."""
    path = os.path.join(server.base, "users")
    write_file(path, "%s:%s%s\n" % (name, hash_password(password), fields), mode=0o600)
    return path


def share_with_run_as(path, user="nobody"):
    """Makes a root-only file (a users file, a TLS key) readable by the
    run-as user's group (owner root, mode 0640), as a SIGHUP reload needs:
    the listener reads it again after dropping root (ferryd(8), RELOAD)."""
    if os.geteuid() == 0:
        os.chown(path, 0, pwd.getpwnam(user).pw_gid)
    os.chmod(path, 0o640)


def require_program(path, name):
    """Fails (never skips) when configure did not find a peer program."""
    if not path or not os.access(path, os.X_OK):
        raise AssertionError("%s is required by these tests but configure did not find it "
                             "(got %r); install it (./quickstart test) and rerun ./configure"
                             % (name, path))


# ---------------------------------------------------------------------------
# Clients


def Ftp(server, user="anonymous", passwd="guest@example.org", login=True, source=None,
        host=None, port=None, timeout=TIMEOUT):
    """A connected ftplib.FTP (logged in unless login=False)."""
    src = (source, 0) if source else None
    f = ftplib.FTP(timeout=timeout, source_address=src)
    f.connect(host or server.host, port or server.port, timeout=timeout)
    if login:
        try:
            f.login(user, passwd)
        except Exception:
            f.close()
            raise
    return f


class Reply:
    """One FTP reply: code, its lines (without CRLF) and the raw bytes."""

    def __init__(self, code, lines, raw):
        self.code = code
        self.lines = lines
        self.raw = raw

    @property
    def text(self):
        return "\n".join(self.lines)

    def __repr__(self):
        return "Reply(%r)" % self.raw[:300]


class ConnectionClosed(Exception):
    pass


class Control:
    """A raw control connection: send any bytes, read whole replies."""

    def __init__(self, server=None, host=None, port=None, source=None, timeout=TIMEOUT,
                 greeting=True, family=socket.AF_INET):
        self.server = server
        host = host or server.host
        port = port or server.port
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            if source:
                self.sock.bind((source, 0))
            self.sock.connect((host, port))
        except Exception:
            self.sock.close()
            raise
        self.timeout = timeout
        self.buf = b""
        self.greeting = self.reply() if greeting else None

    # -- bytes --

    def send(self, data, flags=0):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data, flags)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("no reply within %gs" % self.timeout)
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise ConnectionClosed("server closed the control connection")
        self.buf += chunk

    def readline(self, deadline=None):
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            self._fill(deadline)
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def reply(self, timeout=None):
        """Reads one complete reply (multi-line ones too)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        raw = self.readline(deadline)
        first = raw.rstrip(b"\r\n")
        if len(first) < 3 or not first[:3].isdigit():
            raise AssertionError("malformed reply line: %r" % raw)
        lines = [first.decode("utf-8", "replace")]
        if first[3:4] == b"-":
            end = first[:3] + b" "
            while True:
                line = self.readline(deadline)
                raw += line
                line = line.rstrip(b"\r\n")
                lines.append(line.decode("utf-8", "replace"))
                if line.startswith(end) or line == first[:3]:
                    break
        return Reply(int(first[:3]), lines, raw)

    def cmd(self, line, timeout=None):
        """Sends one command line (CRLF added) and reads its reply."""
        if isinstance(line, str):
            line = line.encode("utf-8")
        self.send(line + b"\r\n")
        return self.reply(timeout)

    def expect(self, line, *codes):
        r = self.cmd(line)
        if r.code not in codes:
            raise AssertionError("%r: expected %s, got %r%s" % (line, codes, r, self._log()))
        return r

    def _log(self):
        return ("\nferryd log:\n" + self.server.log_tail(20)) if self.server else ""

    def login(self, user="anonymous", passwd="guest@example.org"):
        self.expect("USER " + user, 331, 230)
        r = self.expect("PASS " + passwd, 230, 202)
        return r

    def wait_closed(self, timeout=None):
        """Reads until the server closes the connection (bounded); returns the
        replies seen before. Raises socket.timeout if it stays open."""
        deadline = time.monotonic() + (timeout or self.timeout)
        replies = []
        while True:
            try:
                replies.append(self.reply(max(0.01, deadline - time.monotonic())))
            except ConnectionClosed:
                return replies

    # -- data connections --

    def pasv(self):
        r = self.expect("PASV", 227)
        m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", r.text)
        if not m:
            raise AssertionError("no address in %r" % r)
        n = [int(x) for x in m.groups()]
        return "%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5]

    def epsv(self, arg=None):
        r = self.expect("EPSV" + (" " + arg if arg else ""), 229)
        m = re.search(r"\((.)\1\1(\d+)\1\)", r.text)
        if not m:
            raise AssertionError("no port in %r" % r)
        return int(m.group(2))

    def open_pasv(self, rcvbuf=None):
        host, port = self.pasv()
        return data_connect(host, port, rcvbuf=rcvbuf)

    def open_epsv(self, rcvbuf=None):
        peer = self.sock.getpeername()[0]
        return data_connect(peer, self.epsv(), rcvbuf=rcvbuf,
                            family=self.sock.family)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def data_connect(host, port, source=None, rcvbuf=None, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    try:
        if source:
            s.bind((source, 0))
        s.connect((host, port))
    except Exception:
        s.close()
        raise
    return s


def recv_all(sock, timeout=TIMEOUT, limit=None):
    """Reads a data connection to its end (bounded in time); a reset counts
    as the end. limit stops early after that many bytes."""
    deadline = time.monotonic() + timeout
    chunks = []
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("data connection still open after %gs" % timeout)
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(1 << 20)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if limit is not None and total >= limit:
            break
    return b"".join(chunks)


def active_listener(host=HOST):
    """A listening socket for PORT/EPRT; returns (socket, port)."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.bind((host, 0))
    s.listen(4)
    return s, s.getsockname()[1]


def port_arg(host, port):
    return ",".join(host.split(".") + [str(port >> 8), str(port & 255)])


def reset_close(sock):
    """Closes a socket with an RST (SO_LINGER 0) instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def wait_until(pred, timeout=5.0, interval=0.05):
    """Polls pred until it is true or timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def ftp_code(exc):
    """The reply code of an ftplib error (error_perm('550 ...') -> 550)."""
    s = str(exc.args[0]) if exc.args else str(exc)
    return int(s[:3]) if s[:3].isdigit() else None


class TestCase(unittest.TestCase):
    """unittest.TestCase with FTP assertions; self.server (if set) adds its
    log tail to failure messages."""

    server = None
    maxDiff = 4000

    def _log(self):
        srv = self.server
        return ("\nferryd log (tail):\n" + srv.log_tail(25)) if srv is not None else ""

    def assertCode(self, reply, *codes, msg=""):
        code = reply.code if isinstance(reply, Reply) else int(str(reply)[:3])
        if code not in codes:
            self.fail("expected reply %s, got %r %s%s" % (codes, reply, msg, self._log()))

    def assertFtpError(self, codes, func, *args, **kw):
        """func must raise an ftplib error whose code is in codes."""
        if isinstance(codes, int):
            codes = (codes,)
        try:
            r = func(*args, **kw)
        except ftplib.all_errors as e:
            code = ftp_code(e)
            if code not in codes:
                self.fail("expected %s, got %r%s" % (codes, e, self._log()))
            return e
        self.fail("expected an error %s, got success %r%s" % (codes, r, self._log()))

    def assertUntouched(self, path, ident):
        """path still holds the file put_old made: same contents, inode,
        mtime and size."""
        ino, mtime, size, data = ident
        self.assertEqual(read_file(path), data, "the old file was changed")
        st = os.stat(path)
        self.assertEqual((st.st_ino, st.st_mtime, st.st_size), (ino, mtime, size),
                         "the old file was replaced or touched")

    def retr(self, ftp, name):
        out = []
        ftp.retrbinary("RETR " + name, out.append)
        return b"".join(out)

    def stor(self, ftp, name, data, cmd="STOR"):
        return ftp.storbinary(cmd + " " + name, io.BytesIO(data))


class DirTestCase(TestCase):
    """A TestCase on a shared server (self.server, set by the class) where
    each test works in a directory of its own, named after the test, to
    check it exactly."""

    # Arguments of the ferryd the class starts for its tests; None: the
    # class sets self.server itself.
    SERVER_ARGS = None

    @classmethod
    def setUpClass(cls):
        if cls.SERVER_ARGS is None:
            return
        srv = Server(cls.SERVER_ARGS)
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def setUp(self):
        self.dirname = self.id().rsplit(".", 1)[-1]
        self.dir = self.server.mkdir(self.dirname)

    def p(self, name):
        return os.path.join(self.dir, name)

    def listdir(self):
        return sorted(os.listdir(self.dir))

    def raw(self):
        """A logged-in raw control connection in binary mode, in the
        test's directory."""
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        self.assertCode(c.cmd("CWD " + self.dirname), 250)
        return c
