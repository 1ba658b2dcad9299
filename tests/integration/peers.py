"""peers: the FTP servers the client tests talk to, all on 127.0.0.1.

Five servers with one interface: ferryd (ftptest.Server with a users file
and anonymous read-write), vsftpd, pure-ftpd and proftpd (config.VSFTPD,
config.PUREFTPD, config.PROFTPD) and pyftpdlib (pyftpd_plain.py), each
started on a free loopback port with a fresh temporary root and stopped
again by PID (SIGTERM, then SIGKILL for the server and every session
process it forked). start_peer(kind) returns a started one; .cleanup()
stops it and removes its tree.

Every peer serves a writable directory /pub. The login the client tests use
is peer.user/peer.password (None: anonymous); peer.named is a
(user, password, marker) account whose login directory holds the file
`marker`, or None; peer.bad_login is a user/password pair the server
answers with 530.

    ferryd    anonymous read-write (the server root); user alice
              (users file from `ferryd --hash-password`), home /alice.
    vsftpd    anonymous only (local_enable=NO); the anonymous root belongs
              to root (vsftpd refuses a chroot writable by its session
              user), /pub belongs to the session user. Anonymous sessions
              run as `ftp` or `nobody` when its home directory exists, else
              as the system account (uid 1-999, highest first) whose home
              exists: vsftpd changes into that home before its chroot, and
              nobody's is often /nonexistent.
    pure-ftpd only the virtual user alice (a PureDB built with pure-pw from
              a passwd file holding a crypt(3) hash), running as nobody
              with the server root as home. pure-ftpd's anonymous FTP needs
              a system account named `ftp`, which is not created here.
    proftpd   anonymous read-write (the server root) and user alice, home
              /alice, both in an AuthUserFile of its own (passwd format,
              crypt(3) hash) and running as nobody; in the foreground
              (-n) with its pid file, scoreboard and delay table in the
              peer's directory, and no PAM, wtmp, transfer log or
              controls socket.
    pyftpdlib anonymous read-write (the server root) and user alice, home
              /alice; one process for all sessions, running as this user.

vsftpd, pure-ftpd and proftpd need root (they change to their session
users and chroot); without it the peer fails to start with a message saying so.

ThrottleProxy relays the control connection of a peer and, rewriting 227
and 229 replies, its passive data connections at a bounded rate, so a test
can interrupt a transfer halfway through.
"""

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import config
import ftptest

HOST = ftptest.HOST
START_TIMEOUT = 10.0
NAMED_USER = "alice"
NAMED_PASSWORD = "alice-Pw.1"
NAMED_MARKER = "alice-home.txt"
BAD_PASSWORD = "not-the-password"
PYFTPD_PLAIN = os.path.join(config.SRCDIR, "tests", "integration", "pyftpd_plain.py")


class PeerError(AssertionError):
    """A peer server could not be started; an AssertionError so the test
    fails rather than skips."""


# ---------------------------------------------------------------------------
# Processes


def _children(pid):
    """[(pid, starttime)] of the direct children of pid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = ftptest._proc_stat(int(name))
        if st is not None and st[0] == pid:
            out.append((int(name), st[1]))
    return out


def _descendants(pid):
    """[(pid, starttime)] of every process below pid."""
    out = []
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            out.append(child)
            todo.append(child[0])
    return out


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_greeting(host, port, proc, timeout=START_TIMEOUT, tls=False):
    """Waits (bounded) until host:port accepts and sends a whole 220
    greeting (inside TLS from the first byte when tls is set, its
    certificate not checked). Returns None, or a reason why not."""
    deadline = time.monotonic() + timeout
    last = "nothing tried"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return "exited with status %s" % proc.returncode
        try:
            with socket.create_connection((host, port), timeout=1.0) as raw:
                s = raw
                if tls:
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    s = ctx.wrap_socket(raw)
                s.settimeout(max(0.1, deadline - time.monotonic()))
                buf = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
                    if re.search(rb"(^|\n)220 [^\n]*\n", buf):
                        s.sendall(b"QUIT\r\n")
                        return None
                last = "greeting cut short: %r" % buf[:200]
        except OSError as e:
            last = str(e)
        time.sleep(0.05)
    return "no 220 greeting within %gs (%s)" % (timeout, last)


# ---------------------------------------------------------------------------
# The external servers


class ExternalPeer:
    """A server program (not ferryd) serving BASE/root on a free port."""

    name = "?"
    program = None
    implicit_tls = False    # speaks TLS from the first byte (ftps://)
    keeps_partial_upload = True
    lists_modes = True
    telnet_iac = False      # reads 0xFF in commands literally, not as Telnet IAC
    lone_iac = False        # with telnet_iac: a 0xFF starting no Telnet command is the byte
    ascii_converts = False  # TYPE A: LF sent as CR LF, CR LF stored as LF
    mfmt = False            # sets file times (MFMT)
    site_chmod = False      # SITE CHMOD for the test login
    site_help = False       # SITE HELP for the test login

    def __init__(self):
        if os.geteuid() != 0:
            raise PeerError("%s changes to its session user and chroots: these tests "
                            "must run as root to start it" % self.name)
        self.base = tempfile.mkdtemp(prefix="ferry-%s-" % self.name)
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        os.mkdir(self.root, 0o755)
        self.log_path = os.path.join(self.base, "server.log")
        self.host = HOST
        self.port = None
        self.proc = None
        self.cmd = None
        self.user = None
        self.password = None
        self.named = None
        self.bad_login = ("nosuchuser", BAD_PASSWORD)

    # -- fixtures --

    def session_ids(self):
        raise NotImplementedError

    def prepare(self, path):
        """Hands path (recursively, links themselves) to the session user."""
        uid, gid = self.session_ids()
        os.lchown(path, uid, gid)
        if os.path.isdir(path) and not os.path.islink(path):
            for top, dirs, files in os.walk(path):
                for name in dirs + files:
                    os.lchown(os.path.join(top, name), uid, gid)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, rel, data, mtime=None, mode=0o644):
        p = self.path(rel)
        parent = os.path.dirname(p)
        if not os.path.isdir(parent):
            os.makedirs(parent)
            self.prepare(parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        self.prepare(p)
        return p

    def mkdir(self, rel):
        p = self.path(rel)
        os.makedirs(p, exist_ok=True)
        self.prepare(p)
        return p

    def symlink(self, target, rel):
        p = self.path(rel)
        os.symlink(target, p)
        self.prepare(p)
        return p

    # -- lifecycle --

    def command(self, port):
        raise NotImplementedError

    def start(self):
        if self.proc is not None:
            return self
        if not self.program or not os.access(self.program, os.X_OK):
            raise PeerError("%s is required by these tests but configure did not find it "
                            "(got %r); install it (./quickstart test) and rerun ./configure"
                            % (self.name, self.program))
        why = None
        for attempt in range(3):
            port = free_port()
            self.cmd = self.command(port)
            with open(self.log_path, "ab") as log:
                log.write(("--- %s\n" % " ".join(self.cmd)).encode())
                log.flush()
                self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=log, close_fds=True)
            why = wait_greeting(HOST, port, self.proc, tls=self.implicit_tls)
            if why is None:
                self.port = port
                with ftptest._live_lock:
                    ftptest._live_servers.add(self)
                return self
            self._kill()
            # Another program may have taken the port in between: try another.
        raise PeerError("%s did not start: %s\ncommand: %s\nlog:\n%s"
                        % (self.name, why, " ".join(self.cmd), self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def session_pids(self):
        """[(pid, starttime)] of the server's direct children (its sessions)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        return _children(self.proc.pid)

    def wait_sessions_gone(self, timeout=5.0):
        return ftptest.wait_until(lambda: not self.session_pids(), timeout)

    def _kill(self, timeout=5.0):
        """SIGTERM to the server, SIGKILL if it stays; then SIGKILL to each
        process it had forked that is still the same process."""
        if self.proc is None:
            return
        tree = _descendants(self.proc.pid) if self.proc.poll() is None else []
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        for pid, start in tree:
            ftptest.kill_same(pid, start)

    def stop(self, timeout=5.0):
        self._kill(timeout)
        with ftptest._live_lock:
            ftptest._live_servers.discard(self)
        return self.proc.returncode if self.proc is not None else None

    def cleanup(self):
        self.stop()
        if not os.environ.get("FERRY_KEEP_TMP"):
            shutil.rmtree(self.base, ignore_errors=True)

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

    def url(self, path="/", user=None, passwd=None):
        cred = ""
        if user is not None:
            cred = user + (":" + passwd if passwd is not None else "") + "@"
        return "ftp://%s%s:%d%s" % (cred, self.host, self.port, path)


def _vsftpd_user():
    """The account vsftpd's anonymous sessions run as: `ftp` or `nobody`
    when their home exists, else the system account (uid 1-999, highest
    first) whose home exists."""
    for name in ("ftp", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if pw.pw_uid != 0 and os.path.isdir(pw.pw_dir):
            return pw
    for pw in sorted(pwd.getpwall(), key=lambda p: -p.pw_uid):
        if 0 < pw.pw_uid < 1000 and os.path.isdir(pw.pw_dir):
            return pw
    raise PeerError("vsftpd: no system account with an existing home directory to run "
                    "anonymous sessions as")


class Vsftpd(ExternalPeer):
    """vsftpd, anonymous read-write below /pub."""

    name = "vsftpd"

    def __init__(self):
        super().__init__()
        self.program = config.VSFTPD
        self.anon = _vsftpd_user()
        self.empty = os.path.join(self.base, "empty")
        os.mkdir(self.empty, 0o755)
        self.conf = os.path.join(self.base, "vsftpd.conf")
        self.mkdir("pub")

    def session_ids(self):
        return self.anon.pw_uid, self.anon.pw_gid

    def settings(self, port):
        """vsftpd.conf as (name, value) pairs."""
        return [
            ("listen", "YES"),
            ("listen_ipv6", "NO"),
            ("listen_address", HOST),
            ("listen_port", port),
            ("background", "NO"),
            ("anonymous_enable", "YES"),
            ("anon_root", self.root),
            ("no_anon_password", "YES"),
            ("ftp_username", self.anon.pw_name),
            ("write_enable", "YES"),
            ("anon_upload_enable", "YES"),
            ("anon_mkdir_write_enable", "YES"),
            ("anon_other_write_enable", "YES"),
            ("anon_umask", "022"),
            ("local_enable", "NO"),
            ("pasv_enable", "YES"),
            ("port_enable", "YES"),
            ("connect_from_port_20", "NO"),
            ("seccomp_sandbox", "NO"),
            ("isolate", "NO"),
            ("isolate_network", "NO"),
            ("secure_chroot_dir", self.empty),
            ("use_localtime", "NO"),
            ("utf8_filesystem", "YES"),
            ("xferlog_enable", "NO"),
            ("vsftpd_log_file", os.path.join(self.base, "vsftpd-xfer.log")),
            ("dirmessage_enable", "NO"),
            ("max_per_ip", "0"),
            ("idle_session_timeout", "120"),
            ("data_connection_timeout", "60"),
        ]

    def command(self, port):
        with open(self.conf, "w") as f:
            for k, v in self.settings(port):
                f.write("%s=%s\n" % (k, v))
        return [self.program, self.conf]


class PureFtpd(ExternalPeer):
    """pure-ftpd with one virtual user (PureDB), no anonymous FTP."""

    name = "pure-ftpd"
    ascii_converts = True
    mfmt = True
    site_chmod = True
    site_help = True

    def __init__(self):
        super().__init__()
        self.program = config.PUREFTPD
        pw = pwd.getpwnam("nobody")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.prepare(self.root)
        self.mkdir("pub")
        self.write(NAMED_MARKER, b"alice\n")
        self.user, self.password = NAMED_USER, NAMED_PASSWORD
        self.named = (NAMED_USER, NAMED_PASSWORD, NAMED_MARKER)
        self.bad_login = (NAMED_USER, BAD_PASSWORD)
        self.pdb = os.path.join(self.base, "pureftpd.pdb")
        self._make_pdb()

    def session_ids(self):
        return self.uid, self.gid

    def _make_pdb(self):
        """passwd file (name:hash:uid:gid:gecos:home/./:...) compiled to a
        PureDB with `pure-pw mkdb`."""
        pure_pw = os.path.join(os.path.dirname(os.path.dirname(self.program)), "bin", "pure-pw")
        if not os.access(pure_pw, os.X_OK):
            pure_pw = shutil.which("pure-pw") or pure_pw
        passwd = os.path.join(self.base, "pureftpd.passwd")
        line = "%s:%s:%d:%d::%s/./::::::::::::\n" % (NAMED_USER, ftptest.hash_password(
            NAMED_PASSWORD), self.uid, self.gid, self.root)
        with open(passwd, "w") as f:
            f.write(line)
        os.chmod(passwd, 0o600)
        try:
            r = subprocess.run([pure_pw, "mkdb", self.pdb, "-f", passwd],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=ftptest.TIMEOUT)
        except OSError as e:
            raise PeerError("pure-ftpd: cannot run pure-pw (%s): %s" % (pure_pw, e))
        if r.returncode != 0 or not os.path.isfile(self.pdb):
            raise PeerError("pure-pw mkdb exited %d: %s%s" % (r.returncode, r.stdout, r.stderr))

    def command(self, port):
        return [self.program,
                "-S", "%s,%d" % (HOST, port),   # bind address,port
                "-4",                           # IPv4 only
                "-E",                           # no anonymous logins
                "-l", "puredb:" + self.pdb,     # virtual users
                "-H",                           # no reverse lookups
                "-f", "none",                   # no syslog
                "-U", "133:022",                # files 0644, directories 0755
                "-c", "50", "-C", "50",         # sessions in all, per address
                "-I", "2"]                      # idle minutes


def start_ferryd(extra_args=()):
    """ferryd: anonymous read-write on the root, alice in /alice; extra_args
    follow the usual ones."""
    srv = ftptest.Server()
    srv.name = "ferryd"
    srv.keeps_partial_upload = False   # a broken STOR leaves the old file
    srv.lists_modes = False            # its MLSD has no UNIX.mode fact
    srv.telnet_iac = True              # reads a doubled 0xFF as one (RFC 854)
    srv.lone_iac = True                # and keeps a 0xFF starting no Telnet command
    srv.ascii_converts = True          # TYPE A converts line ends both ways
    srv.mfmt = True                    # MFMT sets file times
    srv.site_chmod = False             # anonymous sessions may not SITE CHMOD
    srv.site_help = True               # but have SITE HELP
    srv.user = srv.password = None
    srv.named = (NAMED_USER, NAMED_PASSWORD, NAMED_MARKER)
    srv.bad_login = (NAMED_USER, BAD_PASSWORD)
    srv.prepare = ftptest.prepare
    users = os.path.join(srv.base, "users")
    ftptest.write_file(users, "%s:%s:%s:rw\n" % (NAMED_USER, ftptest.hash_password(
        NAMED_PASSWORD), NAMED_USER), mode=0o600)
    srv.args = ["-u", users, "--anonymous=rw", "--idle-timeout", "120"] + list(extra_args)
    srv.mkdir("pub")
    srv.write(os.path.join(NAMED_USER, NAMED_MARKER), b"alice\n")
    try:
        srv.start()
    except BaseException:
        srv.cleanup()
        raise
    return srv


def start_peer(kind):
    """A started peer: "ferryd", "vsftpd", "pure-ftpd", "proftpd" or
    "pyftpdlib"."""
    if kind == "ferryd":
        return start_ferryd()
    return started({"vsftpd": Vsftpd, "pure-ftpd": PureFtpd, "proftpd": ProFtpd,
                    "pyftpdlib": Pyftpdlib}[kind]())


def started(peer):
    """peer, started; its files removed if it could not start."""
    try:
        peer.start()
    except BaseException:
        peer.cleanup()
        raise
    return peer


# ---------------------------------------------------------------------------
# A slow relay


class ThrottleProxy:
    """Relays FTP control connections to host:port and their passive data
    connections, which it slows to `rate` bytes per second in each
    direction. The control relay rewrites the port in 227 and 229 replies
    to a relay of its own (the address in 227 becomes 127.0.0.1).

    pause() holds every relay (data read is kept back, nothing forwarded)
    until unpause();
    cut() resets every relayed connection but goes on accepting new ones (a
    connection that breaks in the middle); close() drops what is held and
    closes all sockets: the client side with a reset, the server side with
    a FIN. To test retries, refuse_first control connections are reset at
    once, and the first data connection is reset (both sides) once
    cut_data_after bytes went through it. The commands clients sent are
    kept in .commands (str lines), the monotonic times control connections
    arrived (refused ones too) in .arrivals.
    Threads are daemons and every socket wait is bounded."""

    CHUNK = 16384

    def __init__(self, host, port, rate=2 << 20, refuse_first=0, cut_data_after=None):
        self.host, self.port_to = host, port
        self.rate = rate
        self.refuse_first = refuse_first
        self.refused = 0
        self.cut_data_after = cut_data_after
        self.cuts = 0
        self.closed = threading.Event()
        self.paused = threading.Event()
        self.lock = threading.Lock()
        self.socks = []
        self.commands = []
        self.arrivals = []
        self.data_bytes = 0
        self.listener = self._listen()
        self.port = self.listener.getsockname()[1]
        self._spawn(self._accept_loop, self.listener, self._control)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        return t

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.bind((HOST, 0))
        s.listen(8)
        s.settimeout(0.2)
        self._track(s, "client")
        return s

    def _track(self, s, side):
        """Remembers s for close(); side is "client" (listeners and accepted
        sockets) or "server"."""
        with self.lock:
            self.socks.append((s, side))
        if self.closed.is_set():
            s.close()

    def _accept_loop(self, lsock, handler, once=False, limit=30.0):
        deadline = time.monotonic() + limit
        while not self.closed.is_set():
            if once and time.monotonic() > deadline:
                break
            try:
                conn, _ = lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(0.2)
            self._track(conn, "client")
            self._spawn(handler, conn)
            if once:
                break
        if once:
            lsock.close()

    def _connect(self, port):
        s = socket.create_connection((self.host, port), timeout=ftptest.TIMEOUT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.settimeout(0.2)
        self._track(s, "server")
        return s

    def _recv(self, s):
        """bytes, b"" at the end, or None after a reset or close()."""
        while not self.closed.is_set():
            try:
                return s.recv(self.CHUNK)
            except socket.timeout:
                continue
            except OSError:
                return None
        return None

    def _abort(self, a, b):
        """A reset on one side of a relay is passed on as a reset."""
        if self.closed.is_set():
            return      # close() takes care of every socket
        ftptest.reset_close(a)
        ftptest.reset_close(b)

    def _send(self, s, data):
        while self.paused.is_set() and not self.closed.is_set():
            time.sleep(0.01)
        if self.closed.is_set():
            return False
        try:
            s.settimeout(ftptest.TIMEOUT)
            s.sendall(data)
            s.settimeout(0.2)
            return True
        except OSError:
            return False

    def _pump(self, src, dst, throttle, rewrite=None, cut=None):
        start = time.monotonic()
        done = 0
        pending = b""
        while True:
            data = self._recv(src)
            if data is None:
                self._abort(src, dst)
                return
            if cut is not None and done + len(data) >= cut:
                ftptest.reset_close(src)
                ftptest.reset_close(dst)
                return
            if not data:
                if pending:
                    self._send(dst, pending)
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if rewrite is not None:
                pending += data
                lines = pending.split(b"\n")
                pending = lines.pop()
                data = b"".join(rewrite(l + b"\n") for l in lines)
            if data and not self._send(dst, data):
                self._abort(src, dst)
                return
            if throttle:
                done += len(data)
                with self.lock:
                    self.data_bytes += len(data)
                ahead = done / self.rate - (time.monotonic() - start)
                if ahead > 0:
                    self.closed.wait(ahead)

    def _control(self, csock):
        with self.lock:
            self.arrivals.append(time.monotonic())
            refuse = self.refused < self.refuse_first
            self.refused += refuse
        if refuse:
            ftptest.reset_close(csock)
            return
        try:
            ssock = self._connect(self.port_to)
        except OSError:
            csock.close()
            return
        self._spawn(self._pump, csock, ssock, False, self._record)
        self._pump(ssock, csock, False, self._rewrite)

    def _data(self, dport):
        """A one-shot relay to the server's data port dport; returns its port."""
        lsock = self._listen()

        def handler(csock):
            try:
                ssock = self._connect(dport)
            except OSError:
                csock.close()
                return
            cut = None
            with self.lock:
                if self.cut_data_after is not None and self.cuts == 0:
                    self.cuts = 1
                    cut = self.cut_data_after
            self._spawn(self._pump, csock, ssock, True, None, cut)
            self._pump(ssock, csock, True, None, cut)

        self._spawn(self._accept_loop, lsock, handler, True)
        return lsock.getsockname()[1]

    def _rewrite(self, line):
        m = re.match(rb"227 .*?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", line)
        if m:
            n = [int(x) for x in m.groups()]
            port = self._data(n[4] * 256 + n[5])
            new = b"127,0,0,1,%d,%d" % (port >> 8, port & 255)
            return line[:m.start(1)] + new + line[m.end(6):]
        m = re.match(rb"229 .*?\((.)\1\1(\d+)\1\)", line)
        if m:
            port = self._data(int(m.group(2)))
            return line[:m.start(2)] + str(port).encode() + line[m.end(2):]
        return line

    def _record(self, line):
        with self.lock:
            self.commands.append(line.decode("utf-8", "replace").rstrip("\r\n"))
        return line

    def pause(self):
        self.paused.set()

    def unpause(self):
        """Lets what pause() held flow again."""
        self.paused.clear()

    def cut(self):
        with self.lock:
            socks = [s for s, _ in self.socks if s is not self.listener]
            self.socks = [(s, side) for s, side in self.socks if s is self.listener]
        for s in socks:
            ftptest.reset_close(s)

    def close(self):
        self.closed.set()
        with self.lock:
            socks = list(self.socks)
        for s, side in socks:
            if side == "client":
                ftptest.reset_close(s)
                continue
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def url(self, path="/", user=None, passwd=None):
        cred = ""
        if user is not None:
            cred = user + (":" + passwd if passwd is not None else "") + "@"
        return "ftp://%s%s:%d%s" % (cred, HOST, self.port, path)


# ---------------------------------------------------------------------------
# proftpd and pyftpdlib


class ProFtpd(ExternalPeer):
    """proftpd: anonymous read-write on the server root and the user alice
    chrooted into /alice, both from an AuthUserFile of its own (passwd
    format, a crypt(3) hash) and running as nobody. Every file it would
    write outside this peer's tree is set here (pid file, scoreboard,
    delay table, system log: the peer's log) or off (wtmp, lastlog,
    transfer log, controls socket, PAM, /etc/ftpusers); only Debian's
    build binds the Unix socket /run/test.sock and removes it again at
    every start, before it reads its configuration.

    One proftpd per connection (ServerType inetd) started by
    systemd-socket-activate --inetd --accept; without that program, or
    with standalone set, proftpd's own daemon in the foreground (-n).
    proftpd's daemon waits 0.2 to 0.4 s after a session ends before it
    accepts the next connection, which makes the client tests (a few
    hundred connections one after another) three times slower; each
    session runs the same code either way."""

    name = "proftpd"
    standalone = False
    telnet_iac = True       # a doubled 0xFF is one, Telnet commands are dropped,
    lone_iac = True         # and a 0xFF before any other byte is kept as it is
    ascii_converts = True
    mfmt = True
    site_chmod = True
    site_help = True

    def __init__(self):
        super().__init__()
        self.program = config.PROFTPD
        pw = pwd.getpwnam("nobody")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.group = grp.getgrgid(self.gid).gr_name
        self.prepare(self.root)
        self.mkdir("pub")
        self.write(os.path.join(NAMED_USER, NAMED_MARKER), b"alice\n")
        self.named = (NAMED_USER, NAMED_PASSWORD, NAMED_MARKER)
        self.bad_login = (NAMED_USER, BAD_PASSWORD)
        self.conf = os.path.join(self.base, "proftpd.conf")
        self.passwd = os.path.join(self.base, "ftpd.passwd")
        self.groups = os.path.join(self.base, "ftpd.group")
        with open(self.passwd, "w") as f:
            f.write("%s:%s:%d:%d::%s:/bin/false\n" % (
                NAMED_USER, ftptest.hash_password(NAMED_PASSWORD), self.uid, self.gid,
                self.path(NAMED_USER)))
            f.write("ftp:*:%d:%d::%s:/bin/false\n" % (self.uid, self.gid, self.root))
        os.chmod(self.passwd, 0o600)
        with open(self.groups, "w") as f:
            f.write("%s:x:%d:\n" % (self.group, self.gid))
        os.chmod(self.groups, 0o600)

    def session_ids(self):
        return self.uid, self.gid

    def settings(self, port):
        """proftpd.conf's lines."""
        b = self.base
        if self._standalone():
            where = ["ServerType standalone", "DefaultAddress %s" % HOST, "SocketBindTight on",
                     "Port %d" % port]
        else:
            where = ["ServerType inetd"]
        return where + [
            'ServerName "ferry test"',
            "UseIPv6 off",
            "SystemLog %s" % self.log_path,
            "User nobody",
            "Group %s" % self.group,
            "PidFile %s/proftpd.pid" % b,
            "ScoreboardFile %s/proftpd.scoreboard" % b,
            "DelayEngine off",
            "DelayTable %s/proftpd.delay" % b,
            "ControlsEngine off",
            "WtmpLog off",
            "UseLastlog off",
            "UseReverseDNS off",
            "<IfModule mod_ident.c>",
            "  IdentLookups off",
            "</IfModule>",
            "UseFtpUsers off",
            "TransferLog none",
            "AuthPAM off",
            "AuthOrder mod_auth_file.c",
            "AuthUserFile %s" % self.passwd,
            "AuthGroupFile %s" % self.groups,
            "RequireValidShell off",
            "DefaultRoot ~",
            "Umask 022",
            "AllowOverwrite on",
            "AllowStoreRestart on",
            "MaxInstances 50",
            "TimeoutIdle 120",
            "<Anonymous %s>" % self.root,
            "  User ftp",
            "  Group %s" % self.group,
            "  UserAlias anonymous ftp",
            "  AnonRequirePassword off",
            "</Anonymous>",
        ]

    def _standalone(self):
        prog = config.SYSTEMD_SOCKET_ACTIVATE
        return self.standalone or not (prog and os.path.isfile(prog) and os.access(prog, os.X_OK))

    def command(self, port):
        with open(self.conf, "w") as f:
            f.write("\n".join(self.settings(port)) + "\n")
        if self._standalone():
            return [self.program, "-n", "-c", self.conf]
        return [config.SYSTEMD_SOCKET_ACTIVATE, "--listen=%s:%d" % (HOST, port), "--inetd",
                "--accept", self.program, "-c", self.conf]


def _pyftpdlib_python():
    """A python that imports pyftpdlib: configure's, else the system's
    (where Debian installs python3-pyftpdlib)."""
    for py in (config.PYTHON3, sys.executable, "/usr/bin/python3"):
        if py and os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", "import pyftpdlib.handlers"], capture_output=True,
                timeout=30).returncode == 0:
            return py
    raise PeerError("pyftpdlib is required (Debian: python3-pyftpdlib; ./quickstart test "
                    "installs it)")


class Pyftpdlib(ExternalPeer):
    """pyftpdlib's plain FTPHandler (pyftpd_plain.py, its own process):
    anonymous read-write on the server root, the user alice in /alice.
    One process serves every session, as the user running the tests."""

    name = "pyftpdlib"
    ascii_converts = True
    mfmt = True
    site_chmod = True
    site_help = True

    def __init__(self):
        super().__init__()
        self.program = _pyftpdlib_python()
        self.mkdir("pub")
        self.write(os.path.join(NAMED_USER, NAMED_MARKER), b"alice\n")
        self.named = (NAMED_USER, NAMED_PASSWORD, NAMED_MARKER)
        self.bad_login = (NAMED_USER, BAD_PASSWORD)

    def session_ids(self):
        return os.getuid(), os.getgid()

    def command(self, port):
        return [self.program, PYFTPD_PLAIN, str(port), self.root, NAMED_USER, NAMED_PASSWORD,
                self.path(NAMED_USER)]
