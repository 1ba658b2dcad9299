"""ferryd over FTPS (AUTH TLS, PROT P) with the clients and timings the
world brings: a protected upload cut at TCP level without close_notify
after 0, 1, 16383, 16384, 65536, N-1 or all N bytes (with or without
ALLO; the control connection then closed, or kept for QUIT, or QUIT sent
before the cut), or by curl --ssl-reqd killed with SIGKILL, and the
whole upload with close_notify, QUIT sent right behind it or before its
close_notify; a protected download over a link that delivers 1 KiB/s,
past the idle time-out, and one whose reader stops reading; the control
connection's and a data connection's TLS handshake cut after 0, 1 or
100 bytes of the ClientHello, or never begun; a file renamed, deleted or
appended to by one session while another downloads it over TLS, and two
uploads of one name that overlap. After a dead client the old file is
whole, no temporary is left beside it, the session ends and the next
client is served."""

import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import config
import ftptest
import test_world_sessions
import tlspeers
from ftptest import read_file
from test_server_tls import TlsControl, client_hello, start_tls_server

N = 200000
OLD = ftptest.random_bytes(N, seed=141)
NEW = ftptest.random_bytes(N, seed=142)
# More than the socket buffers of both ends hold.
BIG = ftptest.random_bytes(16 << 20, seed=143)
ANON = ("anonymous", "guest@example.org")


def cut(sock):
    """Closes a TLS socket at TCP level, without close_notify, as the
    kernel does for a client that dies."""
    socket.socket.shutdown(sock, socket.SHUT_RDWR)
    sock.close()


class Base(ftptest.DirTestCase):

    SERVER_ARGS = ["--idle-timeout", "5", "--login-timeout", "3"]

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(cls.SERVER_ARGS)
        cls.addClassCleanup(cls.server.cleanup)

    def raw(self):
        """A control connection in TLS, logged in, PROT P, binary, in the
        test's directory."""
        c = TlsControl(self.server)
        self.addCleanup(c.close)
        c.secure_login(*ANON)
        self.assertCode(c.cmd("CWD " + self.dirname), 250)
        return c

    def start(self, cmd, rcvbuf=None, c=None, wrap=True):
        """A session (or c) that has begun cmd: its control connection and
        its protected data connection, handshake done (the bare socket if
        not wrap)."""
        c = c or self.raw()
        raw = ftptest.data_connect(self.server.host, c.epsv(), rcvbuf=rcvbuf)
        if not wrap:
            self.addCleanup(raw.close)
            c.send("%s\r\n" % cmd)
            self.assertCode(c.reply(), 125, 150)
            return c, raw
        d = c.ctx.wrap_socket(raw, server_hostname="localhost", session=c.sock.session,
                              do_handshake_on_connect=False)
        self.addCleanup(d.close)
        c.send("%s\r\n" % cmd)
        self.assertCode(c.reply(), 125, 150)
        d.do_handshake()
        return c, d

    def assert_served(self, name, want):
        """A new client downloads name whole over TLS."""
        c = self.raw()
        self.assertEqual(c.retr(name), want)
        self.assertCode(c.cmd("QUIT"), 221)

    def assert_old_kept(self):
        self.assertEqual(self.listdir(), ["f.bin"])
        self.assertEqual(read_file(self.p("f.bin")), OLD)


class UploadCut(Base):
    """A protected upload whose data connection ends without close_notify
    is truncated, whatever the byte it stops at (all of them, of a size
    declared with ALLO, too): the old file stays."""

    CUTS = (0, 1, 16383, 16384, 65536, N - 1, N)

    def cut_upload(self, nbytes, then, allo):
        """then: "close" the control connection after the cut, or "quit"
        once the reply came, or "quit-first": QUIT sent before the cut."""
        ftptest.write_file(self.p("f.bin"), OLD)
        c = self.raw()
        if allo:
            self.assertCode(c.cmd("ALLO %d" % N), 200, 202)
        c, d = self.start("STOR f.bin", c=c)
        d.sendall(NEW[:nbytes])
        if then == "quit-first":
            c.send("QUIT\r\n")
        cut(d)
        if then != "close":
            if then == "quit":
                c.send("QUIT\r\n")
            replies = c.wait_closed()
            self.assertEqual([r.code for r in replies], [426, 221])
            self.assertIn("old file is unchanged", replies[0].text)
        c.close()
        self.assertTrue(self.server.wait_sessions_gone(8), self.server.log_tail())
        self.assert_old_kept()

    def cut_uploads(self, then, cuts):
        """Uploads cut at each of cuts, without and with ALLO."""
        for allo in (False, True):
            for n in cuts:
                with self.subTest(allo=allo, nbytes=n):
                    self.cut_upload(n, then, allo)
        self.assert_served("f.bin", OLD)

    def test_cut_then_control_closed(self):
        self.cut_uploads("close", self.CUTS)

    def test_cut_then_quit(self):
        self.cut_uploads("quit", self.CUTS)

    def test_quit_then_cut(self):
        self.cut_uploads("quit-first", (0, N - 1, N))

    def test_curl_killed_while_uploading(self):
        ftptest.require_program(config.CURL, "curl")
        tmp = tempfile.mkdtemp(prefix="ferryd-tls-killed-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src = os.path.join(tmp, "new.bin")
        ftptest.write_file(src, NEW)
        for n in (1, 16384):
            with self.subTest(nbytes=n):
                ftptest.write_file(self.p("f.bin"), OLD)
                proc = subprocess.Popen(
                    [config.CURL, "-s", "--ssl-reqd", "--cacert", tlspeers.cert("ca.pem"),
                     "--limit-rate", "20k", "-T", src,
                     "ftp://localhost:%d/%s/f.bin" % (self.server.port, self.dirname)])
                try:
                    self.assertTrue(ftptest.wait_until(
                        lambda: self.temp_size() >= n, 20), self.server.log_tail())
                finally:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(10)
                self.assertTrue(self.server.wait_sessions_gone(8), self.server.log_tail())
                self.assert_old_kept()
        self.assert_served("f.bin", OLD)

    def temp_size(self):
        """Bytes the upload's file (unnamed until it is complete) holds so
        far, seen through its session's descriptors (-1: none open)."""
        for pid, _ in self.server.session_pids():
            fds = "/proc/%d/fd" % pid
            try:
                for fd in os.listdir(fds):
                    if os.readlink(os.path.join(fds, fd)).startswith(self.dir + "/"):
                        return os.stat(os.path.join(fds, fd)).st_size
            except OSError:
                pass
        return -1

    def test_whole_upload_with_close_notify(self):
        for allo in (False, True):
            with self.subTest(allo=allo):
                ftptest.write_file(self.p("f.bin"), OLD)
                c = self.raw()
                if allo:
                    self.assertCode(c.cmd("ALLO %d" % N), 200, 202)
                c, d = self.start("STOR f.bin", c=c)
                d.sendall(NEW)
                d.unwrap().close()
                self.assertCode(c.reply(), 226)
                self.assertEqual(self.listdir(), ["f.bin"])
                self.assertEqual(read_file(self.p("f.bin")), NEW)

    def test_quit_right_after_the_data(self):
        # QUIT sent behind the close_notify, and QUIT sent before it while
        # the last bytes are still on their way: the upload is committed.
        for quit_first in (False, True):
            with self.subTest(quit_first=quit_first):
                ftptest.write_file(self.p("f.bin"), OLD)
                c, d = self.start("STOR f.bin")
                d.sendall(NEW)
                if quit_first:
                    c.send("QUIT\r\n")
                    d.unwrap().close()
                else:
                    d.unwrap().close()
                    c.send("QUIT\r\n")
                self.assertEqual([r.code for r in c.wait_closed()], [226, 221])
                self.assertEqual(self.listdir(), ["f.bin"])
                self.assertEqual(read_file(self.p("f.bin")), NEW)


class SlowLink:
    """The client end of a protected data connection whose network
    delivers at most a given number of bytes of TLS records at a time:
    the records go through an ssl.MemoryBIO, so the kernel's receive queue
    is drained as slowly as the link is, not a whole record at once."""

    def __init__(self, ctx, raw, session):
        self.raw = raw
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_hostname="localhost",
                                session=session)
        while True:
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                self.pull(1 << 16)
        self.flush()

    def flush(self):
        pending = self.out.read()
        if pending:
            self.raw.sendall(pending)

    def pull(self, n):
        """At most n bytes of records from the network; False at its end."""
        chunk = self.raw.recv(n)
        if not chunk:
            self.inc.write_eof()
        else:
            self.inc.write(chunk)
        return bool(chunk)

    def decrypted(self):
        """The plaintext the records received so far make (b"" at the
        end, None when more records are needed)."""
        out = b""
        while True:
            try:
                got = self.obj.read(1 << 16)
            except ssl.SSLWantReadError:
                return out or None
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return out
            if not got:
                return out
            out += got


class SlowTlsReader(Base):
    """A protected download read slowly is slow, not stalled; one that is
    no longer read is cut off by the idle time-out."""

    SERVER_ARGS = ["--idle-timeout", "2"]

    def assert_running(self, c):
        """No reply has come on c: the transfer still runs."""
        self.assertEqual(c.buf, b"")
        self.assertEqual(c.sock.pending(), 0)
        self.assertEqual(select.select([c.sock], [], [], 0)[0], [])

    def test_read_at_1k_per_second_past_the_idle_timeout(self):
        ftptest.write_file(self.p("f.bin"), BIG)
        c, raw = self.start("RETR f.bin", rcvbuf=2048, wrap=False)
        link = SlowLink(c.ctx, raw, c.sock.session)
        got = b""
        end = time.monotonic() + 3
        while time.monotonic() < end:
            self.assertTrue(link.pull(1024))
            got += link.decrypted() or b""
            time.sleep(1)
        self.assert_running(c)
        while link.pull(1 << 16):
            got += link.decrypted() or b""
        got += link.decrypted() or b""
        self.assertEqual(len(got), len(BIG))
        self.assertTrue(got == BIG)
        self.assertCode(c.reply(), 226)

    def test_reader_that_stops_is_cut_off(self):
        ftptest.write_file(self.p("f.bin"), BIG)
        c, d = self.start("RETR f.bin", rcvbuf=2048)
        self.assertTrue(d.recv(1000))
        t0 = time.monotonic()
        r = c.reply(timeout=15)
        took = time.monotonic() - t0
        self.assertCode(r, 421)
        self.assertIn("stalled", r.text)
        self.assertLess(took, 2 + 3)
        self.assertGreater(took, 1.5)
        self.assertEqual(c.wait_closed(5), [])
        self.assertTrue(self.server.wait_sessions_gone(5), self.server.log_tail())
        ftptest.write_file(self.p("g.bin"), OLD)
        self.assertEqual(self.raw().retr("g.bin"), OLD)


class KilledInTheHandshake(Base):
    """A TLS handshake cut short or never begun ends within the time-outs,
    on the control connection the session, on a data connection the
    transfer."""

    SERVER_ARGS = ["--idle-timeout", "2", "--login-timeout", "2"]
    CUTS = (0, 1, 100)

    def test_control_handshake_cut(self):
        hello = client_hello()
        self.assertGreater(len(hello), 100)
        for n in self.CUTS:
            with self.subTest(nbytes=n):
                with self.server.control() as c:
                    self.assertCode(c.cmd("AUTH TLS"), 234)
                    c.sock.sendall(hello[:n])
                self.assertTrue(self.server.wait_sessions_gone(5), self.server.log_tail())
                self.assert_served_plain_and_tls()

    def test_control_handshake_never_sent(self):
        with self.server.control() as c:
            self.assertCode(c.cmd("AUTH TLS"), 234)
            t0 = time.monotonic()
            c.sock.settimeout(15)
            try:
                self.assertEqual(c.sock.recv(100), b"")
            except ConnectionResetError:
                pass
            self.assertLess(time.monotonic() - t0, 2 + 2)
        self.assertTrue(self.server.wait_sessions_gone(5), self.server.log_tail())
        self.assert_served_plain_and_tls()

    def assert_served_plain_and_tls(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        self.assert_served("f.bin", OLD)

    def test_data_handshake_cut(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        hello = client_hello()
        c = self.raw()
        for verb in ("RETR", "STOR"):
            for n in self.CUTS:
                with self.subTest(verb=verb, nbytes=n):
                    raw = ftptest.data_connect(self.server.host, c.epsv())
                    c.send("%s f.bin\r\n" % verb)
                    self.assertCode(c.reply(), 150)
                    raw.sendall(hello[:n])
                    raw.close()
                    self.assertCode(c.reply(timeout=10), 425, 426)
                    self.assertCode(c.cmd("NOOP"), 200)
                    self.assertEqual(c.retr("f.bin"), OLD)
        self.assert_old_kept()

    def test_data_handshake_never_sent(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        c = self.raw()
        for verb in ("RETR", "STOR"):
            with self.subTest(verb=verb):
                silent = ftptest.data_connect(self.server.host, c.epsv())
                self.addCleanup(silent.close)
                c.send("%s f.bin\r\n" % verb)
                self.assertCode(c.reply(), 150)
                t0 = time.monotonic()
                r = c.reply(timeout=15)
                self.assertCode(r, 425, 426)
                self.assertIn("handshake", r.text)
                self.assertLess(time.monotonic() - t0, 2 + 2)
                self.assertCode(c.cmd("NOOP"), 200)
        self.assertEqual(c.retr("f.bin"), OLD)
        self.assert_old_kept()


class TwoTlsSessionsOnOneFile(Base, test_world_sessions.TwoSessionsOnOneFile):
    """The plain-FTP tests of two sessions on one file (rename, delete,
    append during a download; two uploads of one name), over TLS."""

    def finish_upload(self, c, data, rest):
        data.sendall(rest)
        data.unwrap().close()
        self.assertCode(c.reply(), 226)


if __name__ == "__main__":
    unittest.main(verbosity=2)
