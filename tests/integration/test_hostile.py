"""ferryd against clients that hold sessions open without using them: a
command must arrive whole within --idle-timeout, however its bytes are
spread out; a session must log in within --login-timeout; one address may
hold 16 sessions unless told otherwise; a client that reads a long reply
a few bytes at a time does not keep its session beyond --idle-timeout. Also: the -v trace never shows a
password, however the PASS line is spaced or cased."""

import os
import socket
import subprocess
import threading
import time
import unittest

import config
import ftptest
from ftptest import Control


def trickle(c, stop, gap=0.4, text=b"NOOP"):
    """Sends one byte of text every gap seconds, never a line end, until
    stop is set or the server closes the connection."""
    i = 0
    while not stop.is_set():
        try:
            c.sock.sendall(text[i % len(text):i % len(text) + 1])
        except OSError:
            return
        i += 1
        stop.wait(gap)


class Base(ftptest.TestCase):

    server_args = []

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(cls.server_args)
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def trickled(self, login):
        """A session fed one byte at a time; returns (control, stop event)."""
        c = Control(self.server)
        self.addCleanup(c.close)
        if login:
            c.login()
        stop = threading.Event()
        t = threading.Thread(target=trickle, args=(c, stop), daemon=True)
        t.start()
        self.addCleanup(t.join, 5)
        self.addCleanup(stop.set)
        return c, stop

    def assertClosedWith421(self, c, lo, hi, text):
        t0 = time.monotonic()
        replies = c.wait_closed(timeout=hi + 5)
        elapsed = time.monotonic() - t0
        self.assertEqual([r.code for r in replies][-1:], [421], replies)
        self.assertIn(text, replies[-1].text)
        self.assertGreaterEqual(elapsed, lo, "closed too early")
        self.assertLessEqual(elapsed, hi, "closed too late")


class TrickleTest(Base):
    """The issue's case scaled down: sessions that send a byte now and
    then must not outlive the idle timeout."""

    server_args = ["--idle-timeout", "2", "--max-clients", "8"]

    def test_trickled_command_times_out_after_login(self):
        c, stop = self.trickled(login=True)
        self.assertClosedWith421(c, 1.5, 6, "Timeout (2 seconds idle)")

    def test_trickled_command_times_out_before_login(self):
        c, stop = self.trickled(login=False)
        self.assertClosedWith421(c, 1.5, 6, "Timeout (2 seconds idle)")

    def test_trickling_clients_do_not_lock_others_out(self):
        # As many trickling sessions as --max-clients allows: within the
        # idle timeout they are gone and a real client gets in.
        # The sessions of the tests before (closed by the server a moment
        # ago) must have left first, or they count against --max-clients.
        self.assertTrue(self.server.wait_sessions_gone(10), "earlier sessions still running")
        tricklers = [self.trickled(login=False) for _ in range(8)]
        self.assertEqual([c.greeting.code for c, _ in tricklers], [220] * 8)
        late = Control(self.server, greeting=False)
        self.addCleanup(late.close)
        self.assertEqual([r.code for r in late.wait_closed(timeout=5)], [421],
                         "the limit was not reached")
        deadline = time.monotonic() + 8
        while True:
            try:
                c = Control(self.server)
                self.addCleanup(c.close)
                if c.greeting.code == 220:
                    break
            except (OSError, AssertionError, ftptest.ConnectionClosed):
                pass
            self.assertLess(time.monotonic(), deadline, "still locked out")
            time.sleep(0.3)
        c.login()
        self.assertCode(c.cmd("NOOP"), 200)
        for tc, stop in tricklers:
            stop.set()


class SlowReaderTest(ftptest.TestCase):
    """A client that takes a long reply a few bytes at a time: the reply
    must be written within --idle-timeout, not within it per wait for
    room. ferryd runs in inetd mode on a socket whose send buffer is kept
    small, so that a slow reader makes room now and then."""

    def test_slow_reader_of_long_reply_times_out(self):
        srv = ftptest.Server()      # used for its root only
        self.addCleanup(srv.cleanup)
        # A STAT listing of about 100 KB.
        for i in range(1000):
            open(os.path.join(srv.root, "entry-%05d-%s" % (i, "x" * 24)), "w").close()
        ftptest.prepare(srv.base)
        lst = socket.socket()
        lst.bind((ftptest.HOST, 0))
        lst.listen(1)
        client = socket.socket()
        self.addCleanup(client.close)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.settimeout(10)
        client.connect(lst.getsockname())
        conn, _ = lst.accept()
        lst.close()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        with open(srv.log_path, "ab") as log:
            proc = subprocess.Popen([config.FERRYD, "-i", "-r", srv.root, "--anonymous=ro",
                                     "--idle-timeout", "3"],
                                    stdin=conn, stdout=conn, stderr=log, close_fds=True)
        conn.close()

        def reap():
            if proc.poll() is None:
                proc.kill()
            proc.wait(5)
        self.addCleanup(reap)
        c = Control.__new__(Control)
        c.server, c.sock, c.timeout, c.buf = srv, client, 10.0, b""
        self.assertCode(c.reply(), 220)
        c.login()
        c.send("STAT .\r\n")
        stop = threading.Event()
        taken = []

        def dribble():
            # 1 KiB every 200 ms, for at most 30 s: never a pause as long
            # as the idle time-out, but far too slow for the whole reply.
            t_end = time.monotonic() + 30
            while not stop.is_set() and time.monotonic() < t_end:
                try:
                    chunk = client.recv(1024)
                except OSError:
                    return
                if not chunk:
                    return
                taken.append(len(chunk))
                stop.wait(0.2)

        t = threading.Thread(target=dribble, daemon=True)
        t.start()
        self.addCleanup(t.join, 5)
        self.addCleanup(stop.set)
        t0 = time.monotonic()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - t0
        self.assertGreater(sum(taken), 0, "the reply never started")
        self.assertIsNotNone(proc.poll(),
                             "session still writing its reply after %.1f s" % elapsed)
        self.assertGreaterEqual(elapsed, 2.5, "session ended too early")
        self.assertLess(sum(taken), 90000, "the whole reply was read")

class LoginTimeoutTest(Base):

    server_args = ["--login-timeout", "4", "--idle-timeout", "30"]

    def test_login_timeout_with_commands_flowing(self):
        # Whole commands keep the session from idling, but do not log in.
        c = Control(self.server)
        self.addCleanup(c.close)
        t0 = time.monotonic()
        replies = []
        while time.monotonic() - t0 < 10:
            try:
                r = c.cmd("NOOP")
            except ftptest.ConnectionClosed:
                break
            replies.append(r)
            if r.code != 200:
                break
            time.sleep(0.4)
        elapsed = time.monotonic() - t0
        self.assertEqual(replies[-1].code, 421, replies[-3:])
        self.assertIn("Login timeout (4 seconds)", replies[-1].text)
        self.assertGreaterEqual(elapsed, 3.5)
        self.assertLessEqual(elapsed, 8)

    def test_login_timeout_ends_with_login(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5.5:
            self.assertCode(c.cmd("NOOP"), 200)
            time.sleep(0.5)


class PerAddressDefaultTest(ftptest.TestCase):

    def test_sixteen_sessions_per_address_by_default(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        self.server = srv
        held = []
        for i in range(16):
            c = Control(srv)
            self.addCleanup(c.close)
            self.assertEqual(c.greeting.code, 220, "session %d" % (i + 1))
            held.append(c)
        extra = Control(srv, greeting=False)
        self.addCleanup(extra.close)
        self.assertEqual([r.code for r in extra.wait_closed(timeout=10)], [421])
        other = Control(srv, source="127.0.0.2")
        self.addCleanup(other.close)
        self.assertEqual(other.greeting.code, 220)


class PasswordTraceTest(ftptest.TestCase):

    def test_no_form_of_pass_is_logged(self):
        srv = ftptest.Server(["-v"])
        self.addCleanup(srv.cleanup)
        srv.start()
        self.server = srv
        secrets = ["tab-secret-1", "space-secret-2", "lower-secret-3", "two-space-secret-4",
                   "bare-secret-5"]
        c = Control(srv)
        self.addCleanup(c.close)
        for line in ("PASS\t" + secrets[0], " PASS " + secrets[1], "pass " + secrets[2],
                     "PaSs  " + secrets[3], "\tPASS\t" + secrets[4]):
            c.cmd("USER someone")
            c.cmd(line)
        c.cmd("QUIT")
        c.close()
        srv.wait_sessions_gone()
        self.assertTrue(srv.wait_log(r"<- USER someone"), "-v logged no trace")
        log = srv.log_text()
        for s in secrets:
            self.assertNotIn(s, log, "a password reached the log")


if __name__ == "__main__":
    unittest.main(verbosity=2)
