"""systemd/: the units make install puts in place pass `systemd-analyze
verify`; ferryd.service's sandbox (its capability bounding set,
no_new_privs, system call filter and address families, applied by
unitexec.py as systemd applies them) lets ferryd bind a privileged port,
drop to its user, install its own session filter and serve logins,
listings, uploads and downloads in passive and active mode; and
ferryd-inetd.socket's pairing, ferryd -i on a socket systemd accepted,
serves sessions started by systemd-socket-activate under the same
sandbox."""

import ftplib
import io
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import config

import ftptest
from test_sandbox import status_fields as proc_status

PASSWORD = "unit-Pw 1"
UNITEXEC = os.path.join(config.SRCDIR, "tests", "integration", "unitexec.py")
SERVICE = os.path.join(config.BUILDDIR, "systemd", "ferryd.service")
INETD_SERVICE = os.path.join(config.BUILDDIR, "systemd", "ferryd-inetd@.service")
UNITS = ["ferryd.service", "ferryd-inetd@.service", "ferryd-inetd.socket", "ferryd.socket"]
# A name with a space, UTF-8 and a byte above 0x7f in its contents.
UPLOAD_NAME = "r\u00e9sum\u00e9 2026.txt"
UPLOAD_DATA = b"line one\r\nline two\xff\x00\n" * 500


def require_root(test):
    if os.geteuid() != 0:
        test.fail("these tests start ferryd as root, as systemd does (run make check as root)")


def children(pid):
    """PIDs whose parent is pid."""
    return [int(n) for n in os.listdir("/proc")
            if n.isdigit() and (ftptest._proc_stat(int(n)) or (0,))[0] == pid]


def free_port(low, high, host=ftptest.HOST):
    """A port in [low, high] nothing uses at host (an IPv4 or IPv6
    address) right now."""
    ports = list(range(low, high + 1))
    random.shuffle(ports)
    for port in ports:
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        try:
            s.bind((host, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise AssertionError("no free port in %d-%d" % (low, high))


def copy_kill(dest):
    """Puts the system's kill(1) at the same path below dest, where
    systemd-analyze verify --root looks for ExecReload='s program."""
    kill = os.path.realpath(shutil.which("kill", path="/usr/bin:/bin"))
    os.makedirs(os.path.dirname(dest + kill), exist_ok=True)
    shutil.copy(kill, dest + kill)


def users_file(test):
    """A users file owned by root with mode 0600, as /etc/ferry/users: the
    unit's root has no CAP_DAC_OVERRIDE, so it reads the file as its
    owner."""
    base = tempfile.mkdtemp(prefix="ferryd-users-")
    test.addCleanup(shutil.rmtree, base, True)
    path = os.path.join(base, "users")
    with open(path, "w") as f:
        f.write("alice:%s\n" % ftptest.hash_password(PASSWORD))
    os.chmod(path, 0o600)
    return path


def exercise(test, f, root, passive):
    """Uploads, lists and downloads on a logged-in ftplib.FTP; checks the
    bytes on disk and on the wire."""
    f.set_pasv(passive)
    f.storbinary("STOR " + UPLOAD_NAME, io.BytesIO(UPLOAD_DATA))
    with open(os.path.join(root, UPLOAD_NAME), "rb") as fh:
        test.assertEqual(fh.read(), UPLOAD_DATA)
    test.assertIn(UPLOAD_NAME, f.nlst())
    got = []
    f.retrbinary("RETR " + UPLOAD_NAME, got.append)
    test.assertEqual(b"".join(got), UPLOAD_DATA)
    f.delete(UPLOAD_NAME)
    test.assertFalse(os.path.exists(os.path.join(root, UPLOAD_NAME)))


class UnitFilesTest(ftptest.TestCase):

    def test_installed_units_verify(self):
        """make install DESTDIR=... then systemd-analyze verify --root on
        the installed units, which checks the binary and the man page they
        name exist there; any warning fails too."""
        ftptest.require_program(config.SYSTEMD_ANALYZE, "systemd-analyze")
        dest = tempfile.mkdtemp(prefix="ferryd-units-")
        self.addCleanup(shutil.rmtree, dest, True)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        r = subprocess.run(["make", "-s", "-C", config.BUILDDIR, "install", "DESTDIR=" + dest],
                           capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        unitdir = config.SYSTEMDSYSTEMUNITDIR
        self.assertTrue(unitdir == "no" or unitdir.startswith("/"),
                        "--with-systemdsystemunitdir is not an absolute path: %r" % unitdir)
        if unitdir == "no":
            # --with-systemdsystemunitdir=no: nothing installed; the units
            # built for the tests are checked in the root's /etc instead.
            found = [n for _, _, files in os.walk(dest) for n in files if n in UNITS]
            self.assertEqual(found, [])
            unitdir = "/etc/systemd/system"
            os.makedirs(dest + unitdir, exist_ok=True)
            for name in UNITS:
                src = os.path.join(config.BUILDDIR, "systemd", name)
                if not os.path.exists(src):
                    src = os.path.join(config.SRCDIR, "systemd", name)
                shutil.copy(src, dest + unitdir)
        installed = dest + unitdir
        self.assertEqual(sorted(os.listdir(installed)), sorted(UNITS))
        # The example configuration, where ferryd looks without -f, with
        # the installed paths filled in.
        usage = subprocess.run([config.FERRYD, "--help"], capture_output=True, text=True,
                               timeout=30).stdout
        default_conf = re.search(r"(/\S*/ferry/ferryd\.conf)", usage).group(1)
        with open(dest + default_conf) as fh:
            text = fh.read()
        self.assertIn("users = %s/users\n" % os.path.dirname(default_conf), text)
        self.assertNotIn("@sysconfdir@", text)
        for name in ("ferryd.service", "ferryd-inetd@.service"):
            with open(os.path.join(installed, name)) as fh:
                text = fh.read()
            self.assertNotIn("@sbindir@", text)
            exec_start = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
            self.assertTrue(os.access(dest + exec_start, os.X_OK), exec_start)
        # systemd's own units (targets the ours depend on) in the same root.
        shutil.copytree("/lib/systemd/system", os.path.join(dest, "usr/lib/systemd/system"),
                        symlinks=True, dirs_exist_ok=True)
        # ...and kill(1), which ExecReload= runs.
        copy_kill(dest)
        mans = [os.path.dirname(os.path.dirname(os.path.join(top, n)))
                for top, _, files in os.walk(dest) for n in files if n == "ferryd.8"]
        self.assertEqual(len(mans), 1, mans)
        env = dict(os.environ, MANPATH=mans[0], SYSTEMD_LOG_COLOR="0")
        # systemd finds units by name only on its search path, which a
        # prefix-relative unit directory (make distcheck) is not on: the
        # same bytes go to the root's /etc/systemd/system.
        etc = os.path.join(dest, "etc/systemd/system")
        if installed != etc:
            os.makedirs(etc, exist_ok=True)
            for name in UNITS:
                shutil.copy(os.path.join(installed, name), etc)
        r = subprocess.run([config.SYSTEMD_ANALYZE, "verify", "--root=" + dest]
                           + [os.path.join(etc, u) for u in UNITS],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))


class ServiceSandboxTest(ftptest.TestCase):

    def start(self):
        for attempt in range(3):
            port = free_port(700, 1023)
            # Type=notify: systemd's notification socket, as a test socket.
            notify_dir = tempfile.mkdtemp(prefix="ferryd-notify-")
            self.addCleanup(shutil.rmtree, notify_dir, True)
            self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.addCleanup(self.notify.close)
            self.notify.bind(os.path.join(notify_dir, "notify"))
            self.notify.settimeout(ftptest.TIMEOUT)
            srv = ftptest.Server(listen="%s:%d" % (ftptest.HOST, port),
                                 wrapper=[config.PYTHON3, UNITEXEC, SERVICE],
                                 env=dict(os.environ,
                                          NOTIFY_SOCKET=os.path.join(notify_dir, "notify")))
            srv.args = ["-u", users_file(self), "--run-as", "nobody"]
            try:
                srv.start()
            except ftptest.ServerError:
                srv.cleanup()
                if "Address already in use" in srv.log_text() and attempt < 2:
                    continue
                raise
            self.addCleanup(srv.cleanup)
            self.server = srv
            return srv

    def test_service_sandbox_serves_sessions(self):
        require_root(self)
        srv = self.start()
        self.assertLess(srv.port, 1024)              # CAP_NET_BIND_SERVICE kept
        # Readiness reaches systemd through the unit's filters.
        self.assertEqual(self.notify.recv(100), b"READY=1")
        self.assertFtpError(530, ftptest.Ftp, srv, "alice", "wrong")
        # The refused login's session ends on its own; on a loaded machine
        # it may still be leaving when the next one starts.
        self.assertTrue(srv.wait_sessions_gone(), "the refused session did not end")
        f = ftptest.Ftp(srv, "alice", PASSWORD)
        self.addCleanup(f.close)
        exercise(self, f, srv.root, passive=True)
        exercise(self, f, srv.root, passive=False)   # PORT: the session connects out
        f.sendcmd("EPSV")
        # The session: the run-as user, no capabilities to regain, its own
        # seccomp filter on top of the unit's.
        nobody = pwd.getpwnam("nobody").pw_uid
        sessions = [p for p, _ in srv.session_pids()]
        self.assertEqual(len(sessions), 1)
        st = proc_status(sessions[0])
        self.assertEqual(st["Uid"].split()[0], str(nobody))
        self.assertEqual(int(st["CapBnd"], 16), 0)
        self.assertEqual(st["NoNewPrivs"], "1")
        self.assertEqual(st["Seccomp"], "2")
        # The unit's two (families, calls) and the session's own.
        self.assertEqual(st["Seccomp_filters"], "3")
        listener = proc_status(srv.proc.pid)
        self.assertEqual(listener["Uid"].split()[0], str(nobody))
        self.assertEqual(int(listener["CapBnd"], 16), 0)
        f.quit()
        self.assertEqual(srv.stop(), 0)
        log = srv.log_text()
        self.assertNotIn("capability bounding set", log)
        self.assertNotIn("sandbox", log)
        self.assertRegex(log, r"transfer: .* STOR /%s bytes=%d .*result=ok"
                         % (re.escape(UPLOAD_NAME), len(UPLOAD_DATA)))


class InetdSocketTest(ftptest.TestCase):
    """systemd-socket-activate --inetd --accept does what ferryd-inetd.socket
    (Accept=yes) does: it accepts, and starts ferryd-inetd@.service's
    command with the connection on standard input and output."""

    def start(self, root, users):
        ftptest.require_program(config.SYSTEMD_SOCKET_ACTIVATE, "systemd-socket-activate")
        log = open(os.path.join(os.path.dirname(root), "activate.log"), "ab")
        self.addCleanup(log.close)
        for attempt in range(3):
            port = free_port(20000, 40000)
            cmd = [config.SYSTEMD_SOCKET_ACTIVATE, "-l", "%s:%d" % (ftptest.HOST, port),
                   "--inetd", "--accept", "-E", "ASAN_OPTIONS", "-E", "UBSAN_OPTIONS",
                   config.PYTHON3, UNITEXEC, INETD_SERVICE, config.FERRYD,
                   "-r", root, "-u", users, "--run-as", "nobody"]
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            self.addCleanup(self.stop, proc)
            if ftptest.wait_until(lambda: self.listening(port) or proc.poll() is not None,
                                  timeout=10) and proc.poll() is None:
                return proc, port
        self.fail("systemd-socket-activate did not start: " + self.activate_log(root))

    @staticmethod
    def listening(port):
        try:
            socket.create_connection((ftptest.HOST, port), timeout=1).close()
            return True
        except OSError:
            return False

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    @staticmethod
    def activate_log(root):
        try:
            with open(os.path.join(os.path.dirname(root), "activate.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def test_sessions_through_inherited_sockets(self):
        require_root(self)
        base = tempfile.mkdtemp(prefix="ferryd-inetd-")
        self.addCleanup(shutil.rmtree, base, True)
        os.chmod(base, 0o755)
        root = os.path.join(base, "root")
        os.mkdir(root)
        ftptest.write_file(os.path.join(root, "a.txt"), b"contents\n")
        ftptest.prepare(root)
        users = users_file(self)
        proc, port = self.start(root, users)

        # A wrong password is refused, in its own process.
        bad = ftplib.FTP(timeout=ftptest.TIMEOUT)
        bad.connect(ftptest.HOST, port)
        self.assertFtpError(530, bad.login, "alice", "wrong")
        bad.close()
        # Two sessions at once, each its own ferryd -i.
        one = ftplib.FTP(timeout=ftptest.TIMEOUT)
        one.connect(ftptest.HOST, port)
        one.login("alice", PASSWORD)
        self.addCleanup(one.close)
        two = ftplib.FTP(timeout=ftptest.TIMEOUT)
        two.connect(ftptest.HOST, port)
        two.login("alice", PASSWORD)
        self.addCleanup(two.close)
        self.assertEqual(one.pwd(), "/")
        one.storbinary("STOR " + UPLOAD_NAME, io.BytesIO(UPLOAD_DATA))
        got = []
        two.retrbinary("RETR " + UPLOAD_NAME, got.append)
        self.assertEqual(b"".join(got), UPLOAD_DATA)
        with open(os.path.join(root, UPLOAD_NAME), "rb") as fh:
            self.assertEqual(fh.read(), UPLOAD_DATA)
        exercise(self, two, root, passive=False)

        sessions = children(proc.pid)
        self.assertEqual(len(sessions), 2, sessions)
        nobody = pwd.getpwnam("nobody").pw_uid
        for pid in sessions:
            st = proc_status(pid)
            self.assertEqual(st["Name"], "ferryd")
            self.assertEqual(st["Uid"].split()[0], str(nobody))
            self.assertEqual(st["Seccomp"], "2")
            self.assertEqual(int(st["CapBnd"], 16), 0)
        one.quit()
        two.quit()
        self.assertTrue(ftptest.wait_until(lambda: not children(proc.pid), timeout=10),
                        "sessions still running after QUIT")
        log = self.activate_log(root)
        self.assertNotRegex(log, r"Sanitizer|runtime error|core dumped", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
