"""ferryd: many sessions at once and the limits on them. 200 concurrent
sessions all log in and list; --max-per-ip and --max-clients answer 421 and
close; --idle-timeout closes idle sessions and stalled transfers with 421;
SIGTERM lets running sessions finish; exit statuses; inetd mode (-i)."""

import os
import signal
import socket
import subprocess
import threading
import time
import unittest

import config
import ftptest
from ftptest import Control

SESSIONS = 200


def connect_greeting(server, source=None):
    """Connects and returns (Control, greeting code)."""
    c = Control(server, source=source)
    return c, c.greeting.code


class ConcurrencyTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        # Every session comes from 127.0.0.1: lift the per-address limit.
        srv = ftptest.Server(["--max-per-ip", "0"])
        cls.addClassCleanup(srv.cleanup)
        for i in range(20):
            srv.write("file%02d.txt" % i, b"contents %d\n" % i)
        srv.start()
        cls.server = srv

    def test_200_concurrent_sessions(self):
        logged_in = threading.Barrier(SESSIONS + 1, timeout=90)
        go = threading.Barrier(SESSIONS + 1, timeout=90)
        results = [None] * SESSIONS
        want = sorted(os.listdir(self.server.root))

        def session(i):
            f = None
            try:
                f = ftptest.Ftp(self.server, timeout=30)
                logged_in.wait()
                go.wait()
                names = sorted(f.nlst())
                lines = []
                f.retrlines("LIST", lines.append)
                out = []
                f.retrbinary("RETR file%02d.txt" % (i % 20), out.append)
                f.quit()
                if names != want:
                    results[i] = "NLST gave %r" % names[:5]
                elif len(lines) != len(want):
                    results[i] = "LIST gave %d lines" % len(lines)
                elif b"".join(out) != b"contents %d\n" % (i % 20):
                    results[i] = "RETR gave %r" % b"".join(out)[:40]
                else:
                    results[i] = "ok"
            except Exception as e:
                results[i] = "%s: %s" % (type(e).__name__, e)
                for b in (logged_in, go):
                    b.abort()
            finally:
                if f is not None:
                    f.close()

        threads = [threading.Thread(target=session, args=(i,), daemon=True)
                   for i in range(SESSIONS)]
        for t in threads:
            t.start()
        peak = 0
        try:
            logged_in.wait()
            peak = len(self.server.session_pids())
            go.wait()
        except threading.BrokenBarrierError:
            pass
        for t in threads:
            t.join(120)
        failed = [(i, r) for i, r in enumerate(results) if r != "ok"]
        self.assertEqual(failed, [], "%d of %d sessions failed; first: %s%s"
                         % (len(failed), SESSIONS, failed[:5], self._log()))
        self.assertGreaterEqual(peak, SESSIONS, "sessions were not all open at once")


class PerAddressLimitTest(ftptest.TestCase):

    def setUp(self):
        self.server = ftptest.Server(["--max-per-ip", "2"])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def test_third_connection_from_one_address_refused(self):
        a, code_a = connect_greeting(self.server)
        self.addCleanup(a.close)
        b, code_b = connect_greeting(self.server)
        self.addCleanup(b.close)
        self.assertEqual((code_a, code_b), (220, 220))
        c = Control(self.server, greeting=False)
        self.addCleanup(c.close)
        replies = c.wait_closed(timeout=10)
        self.assertEqual([r.code for r in replies], [421], replies)
        # The two admitted sessions work.
        a.login()
        self.assertCode(a.cmd("NOOP"), 200)
        self.assertCode(b.cmd("NOOP"), 200)

    def test_other_address_not_counted(self):
        a, _ = connect_greeting(self.server)
        self.addCleanup(a.close)
        b, _ = connect_greeting(self.server)
        self.addCleanup(b.close)
        other, code = connect_greeting(self.server, source="127.0.0.2")
        self.addCleanup(other.close)
        self.assertEqual(code, 220)
        other.login()
        self.assertCode(other.cmd("NOOP"), 200)

    def test_slot_freed_when_a_session_ends(self):
        a, _ = connect_greeting(self.server)
        b, _ = connect_greeting(self.server)
        self.addCleanup(b.close)
        a.cmd("QUIT")
        a.close()

        def admitted():
            c, code = connect_greeting(self.server)
            if code == 220:
                self.addCleanup(c.close)
                return True
            c.close()
            return False
        self.assertTrue(ftptest.wait_until(admitted, timeout=5, interval=0.2),
                        "no new session admitted after one ended")


class MaxClientsTest(ftptest.TestCase):

    def setUp(self):
        self.server = ftptest.Server(["--max-clients", "3"])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def test_max_clients(self):
        held = []
        for src in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
            c, code = connect_greeting(self.server, source=src)
            self.addCleanup(c.close)
            self.assertEqual(code, 220, src)
            held.append(c)
        extra = Control(self.server, source="127.0.0.4", greeting=False)
        self.addCleanup(extra.close)
        replies = extra.wait_closed(timeout=10)
        self.assertEqual([r.code for r in replies], [421], replies)
        for c in held:
            c.login()
            self.assertCode(c.cmd("NOOP"), 200)
        held[0].cmd("QUIT")
        held[0].close()

        def admitted():
            c, code = connect_greeting(self.server, source="127.0.0.4")
            if code == 220:
                self.addCleanup(c.close)
                return True
            c.close()
            return False
        self.assertTrue(ftptest.wait_until(admitted, timeout=5, interval=0.2),
                        "no new session admitted after one ended")


class IdleTimeoutTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--idle-timeout", "2"])
        cls.addClassCleanup(srv.cleanup)
        big = srv.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(256 << 20)
        ftptest.prepare(big)
        srv.start()
        cls.server = srv

    def assertClosedWith421(self, c, lo=1.5, hi=8.0):
        t0 = time.monotonic()
        replies = c.wait_closed(timeout=15)
        elapsed = time.monotonic() - t0
        self.assertIn(421, [r.code for r in replies], replies)
        self.assertEqual(replies[-1].code, 421, replies)
        self.assertGreaterEqual(elapsed, lo, "closed too early")
        self.assertLessEqual(elapsed, hi, "closed too late")

    def test_idle_after_login(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertClosedWith421(c)

    def test_idle_before_login(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        self.assertClosedWith421(c, lo=1.0)

    def test_activity_keeps_session_open(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4.5:
            self.assertCode(c.cmd("NOOP"), 200)
            time.sleep(0.7)
        # Idle from the last command on.
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertClosedWith421(c)

    def test_stalled_download_times_out(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        c.cmd("TYPE I")
        data = c.open_pasv(rcvbuf=32768)
        self.addCleanup(data.close)
        self.assertCode(c.cmd("RETR big.bin"), 125, 150)
        t0 = time.monotonic()
        replies = c.wait_closed(timeout=15)
        self.assertIn(421, [r.code for r in replies], replies)
        self.assertLess(time.monotonic() - t0, 10)


class LifecycleTest(ftptest.TestCase):

    def test_sigterm_lets_sessions_finish(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.write("f.txt", b"still here\n")
        srv.start()
        self.server = srv
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        srv.proc.send_signal(signal.SIGTERM)

        def refused():
            try:
                s = socket.create_connection((srv.host, srv.port), timeout=2)
            except ConnectionRefusedError:
                return True
            except ConnectionResetError:
                # Caught in the backlog as the listener closed: try again.
                return False
            s.close()
            return False
        self.assertTrue(ftptest.wait_until(refused, timeout=5), "still accepting after SIGTERM")
        # The running session goes on.
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("RETR f.txt"), 125, 150)
        self.assertEqual(ftptest.recv_all(data), b"still here\n")
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("QUIT"), 221)
        c.close()
        try:
            rc = srv.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferryd did not exit after its last session ended")
        self.assertEqual(rc, 0)

    def test_sigterm_idle_server_exits_0(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        srv.proc.send_signal(signal.SIGTERM)
        self.assertEqual(srv.proc.wait(10), 0)

    def run_ferryd(self, *args):
        # Every call here is expected to end by itself at once.
        return subprocess.run([config.FERRYD] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=5)

    def test_exit_status_bad_option(self):
        root = ftptest.Server()         # for its empty root only
        self.addCleanup(root.cleanup)
        ftptest.prepare(root.base)
        base = ["-l", "127.0.0.1:0", "-r", root.root]
        for bad in (["--no-such-option"], ["--max-clients", "lots"],
                    ["--idle-timeout", "-5"], ["--anonymous=maybe"],
                    ["--pasv-ports", "2000-1000"], ["-l", "not an address"]):
            with self.subTest(args=bad):
                r = self.run_ferryd(*(base + bad))
                self.assertEqual(r.returncode, 2, r)

    def test_exit_status_root_missing(self):
        # A well-formed command line that cannot start: status 1.
        r = self.run_ferryd("-l", "127.0.0.1:0", "-r", "/nonexistent/ferryd/root")
        self.assertEqual(r.returncode, 1, r)

    def test_exit_status_address_in_use(self):
        busy = socket.socket()
        self.addCleanup(busy.close)
        busy.bind((ftptest.HOST, 0))
        busy.listen(1)
        root = ftptest.Server()
        self.addCleanup(root.cleanup)
        ftptest.prepare(root.base)
        r = self.run_ferryd("-l", "%s:%d" % busy.getsockname(), "-r", root.root)
        self.assertEqual(r.returncode, 1, r)

    def test_version_and_help(self):
        r = self.run_ferryd("-V")
        self.assertEqual(r.returncode, 0, r)
        self.assertTrue(r.stdout.strip(), r)
        r = self.run_ferryd("--help")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn(b"--idle-timeout", r.stdout + r.stderr)

    def test_inetd_mode(self):
        srv = ftptest.Server()      # used for its root only
        self.addCleanup(srv.cleanup)
        srv.write("f.txt", b"inetd\n")
        ftptest.prepare(srv.base)
        lst = socket.socket()
        lst.bind((ftptest.HOST, 0))
        lst.listen(1)
        client = socket.create_connection(lst.getsockname(), timeout=10)
        conn, _ = lst.accept()
        lst.close()
        with open(srv.log_path, "ab") as log:
            proc = subprocess.Popen([config.FERRYD, "-i", "-r", srv.root],
                                    stdin=conn, stdout=conn, stderr=log, close_fds=True)
        conn.close()
        try:
            c = Control.__new__(Control)
            c.server, c.sock, c.timeout, c.buf = srv, client, 10.0, b""
            client.settimeout(10)
            self.assertCode(c.reply(), 220)
            c.login()
            self.assertCode(c.cmd("PWD"), 257)
            self.assertCode(c.cmd("TYPE I"), 200)
            data = c.open_pasv()
            self.assertCode(c.cmd("RETR f.txt"), 125, 150)
            self.assertEqual(ftptest.recv_all(data), b"inetd\n")
            data.close()
            self.assertCode(c.reply(), 226)
            self.assertCode(c.cmd("QUIT"), 221)
            self.assertEqual(proc.wait(10), 0)
        finally:
            client.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
