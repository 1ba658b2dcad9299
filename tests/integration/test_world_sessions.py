"""ferryd with the sessions and timings clients bring: a client that dies
after 0, 1, 4095, 4096, 65536 or N-1 bytes of STOR, APPE, RETR, LIST or
MLSD (both its connections closed at once, or curl killed with SIGKILL);
a file renamed, deleted or appended to by one session while another
downloads it, and two uploads of one name that overlap; a data
connection read at 1 KiB/s for a while and then at full speed; commands
sent one byte at a time while a transfer runs, or begun during an upload
and ended after it; PASV, RETR, PASV, RETR and QUIT sent in one write.
Bytes are compared on disk and on the wire; after a dead client the old
file is whole, no temporary is left, the session ends and the next
client is served."""

import os
import re
import signal
import subprocess
import tempfile
import shutil
import time
import unittest

import config
import ftptest
from ftptest import read_file
from test_concurrent import Sessions

N = 200000
OLD = ftptest.random_bytes(N, seed=41)
NEW = ftptest.random_bytes(N, seed=42)
NAMES = 2000


def cuts(size):
    """Where a client dies in a transfer of size bytes."""
    return (0, 1, 4095, 4096, 65536, size - 1)


def pasv_port(reply):
    """The port of a 227 reply."""
    m = re.search(r"\d+,\d+,\d+,\d+,(\d+),(\d+)", reply.text)
    return int(m.group(1)) * 256 + int(m.group(2))


class Base(Sessions, ftptest.DirTestCase):

    SERVER_ARGS = ["--anonymous=rw", "--idle-timeout=5"]

    def assert_served(self, name, want):
        """A new client downloads name whole."""
        f = ftptest.Ftp(self.server)
        try:
            f.cwd(self.dirname)
            self.assertEqual(self.retr(f, name), want)
        finally:
            f.close()


class KilledAtAnyByte(Base):
    """Both connections of a client closed together, as the kernel does
    for a process that dies, after nbytes of the transfer."""

    def die_after(self, verb, arg, nbytes):
        c = self.raw()
        data = c.open_pasv(rcvbuf=None if verb in ("STOR", "APPE") else 4096)
        c.send("%s %s\r\n" % (verb, arg))
        self.assertCode(c.reply(), 125, 150)
        if verb in ("STOR", "APPE"):
            data.sendall(NEW[:nbytes])
        else:
            got = 0
            while got < nbytes:
                chunk = data.recv(min(4096, nbytes - got))
                self.assertTrue(chunk, "%s ended after %d bytes" % (verb, got))
                got += len(chunk)
        c.close()
        data.close()

    def assert_after_death(self, files):
        self.assertTrue(self.server.wait_sessions_gone(8), self.server.log_tail())
        self.assertEqual(self.listdir(), sorted(files))
        for name, want in files.items():
            if isinstance(want, bytes):
                self.assertEqual(read_file(self.p(name)), want, name)
        self.assert_served("f.bin", files["f.bin"])

    def test_upload_keeps_the_old_file(self):
        for verb in ("STOR", "APPE"):
            for n in cuts(N):
                with self.subTest(verb=verb, nbytes=n):
                    ftptest.write_file(self.p("f.bin"), OLD)
                    self.die_after(verb, "f.bin", n)
                    if verb == "STOR":
                        self.assert_after_death({"f.bin": OLD})
                    else:
                        # An append writes in place: what reached the
                        # server is there, after the old bytes whole.
                        self.assertTrue(self.server.wait_sessions_gone(8))
                        now = read_file(self.p("f.bin"))
                        self.assertEqual(now[:N], OLD)
                        self.assertEqual(now[N:], NEW[:len(now) - N])
                        self.assertLessEqual(len(now), N + n)
                        self.assert_after_death({"f.bin": now})

    def test_download_and_listings(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        os.mkdir(self.p("big"))
        for i in range(NAMES):
            open(os.path.join(self.p("big"), "entry-%05d-with-a-longer-name" % i), "w").close()
        for verb, arg in (("RETR", "f.bin"), ("LIST", "big"), ("MLSD", "big")):
            c = self.raw()
            data = c.open_pasv()
            self.assertCode(c.cmd("%s %s" % (verb, arg)), 150)
            size = len(ftptest.recv_all(data))
            data.close()
            self.assertCode(c.reply(), 226)
            c.close()
            self.assertGreater(size, 65536)
            for n in cuts(size):
                with self.subTest(verb=verb, nbytes=n):
                    self.die_after(verb, arg, n)
                    self.assert_after_death({"f.bin": OLD, "big": None})
        self.assertEqual(len(os.listdir(self.p("big"))), NAMES)

    def test_curl_killed_while_downloading(self):
        ftptest.require_program(config.CURL, "curl")
        ftptest.write_file(self.p("f.bin"), OLD)
        tmp = tempfile.mkdtemp(prefix="ferryd-killed-")
        self.addCleanup(shutil.rmtree, tmp, True)
        out = os.path.join(tmp, "out")
        for n in (1, 4096, 65536):
            with self.subTest(nbytes=n):
                proc = subprocess.Popen(
                    [config.CURL, "-s", "--limit-rate", "20k", "-o", out,
                     self.server.url("/%s/f.bin" % self.dirname)])
                try:
                    self.assertTrue(ftptest.wait_until(
                        lambda: os.path.exists(out) and os.path.getsize(out) >= n, 20))
                finally:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(10)
                got = read_file(out)
                self.assertEqual(got, OLD[:len(got)])
                self.assert_after_death({"f.bin": OLD})


class TwoSessionsOnOneFile(Base):

    def test_rename_of_a_file_being_downloaded(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        r, rdata = self.start("RETR f.bin", rcvbuf=4096)
        first = rdata.recv(1000)
        o = self.raw()
        self.assertCode(o.cmd("RNFR f.bin"), 350)
        self.assertCode(o.cmd("RNTO g.bin"), 250)
        self.assertEqual(first + ftptest.recv_all(rdata), OLD)
        self.assertCode(r.reply(), 226)
        self.assertEqual(self.listdir(), ["g.bin"])
        self.assertEqual(read_file(self.p("g.bin")), OLD)

    def test_delete_of_a_file_being_downloaded(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        r, rdata = self.start("RETR f.bin", rcvbuf=4096)
        first = rdata.recv(1000)
        self.assertCode(self.raw().cmd("DELE f.bin"), 250)
        self.assertEqual(self.listdir(), [])
        self.assertEqual(first + ftptest.recv_all(rdata), OLD)
        self.assertCode(r.reply(), 226)

    def test_append_while_downloading(self):
        # The reader gets the old bytes whole, and of the appended ones
        # at most what was there, in order.
        ftptest.write_file(self.p("f.bin"), OLD)
        r, rdata = self.start("RETR f.bin", rcvbuf=4096)
        first = rdata.recv(1000)
        a, adata = self.start("APPE f.bin")
        self.finish_upload(a, adata, NEW)
        got = first + ftptest.recv_all(rdata)
        self.assertCode(r.reply(), 226)
        self.assertEqual(got[:N], OLD)
        self.assertEqual(got[N:], NEW[:len(got) - N])
        self.assertEqual(read_file(self.p("f.bin")), OLD + NEW)

    def test_two_uploads_of_one_name_overlapping(self):
        # The one that ends last wins whole; the other's bytes are nowhere.
        short = b"s" * 5000
        a, adata = self.start("STOR f.bin")
        adata.sendall(NEW[:N // 2])
        b, bdata = self.start("STOR f.bin")
        bdata.sendall(short[:100])
        self.finish_upload(a, adata, NEW[N // 2:])
        self.assertEqual(read_file(self.p("f.bin")), NEW)
        self.finish_upload(b, bdata, short[100:])
        self.assertEqual(self.listdir(), ["f.bin"])
        self.assertEqual(read_file(self.p("f.bin")), short)


class SlowReader(Base):
    """A download read at 1 KiB/s for longer than the idle time-out is
    slow, not stalled: it goes on, and ends whole."""

    SERVER_ARGS = ["--anonymous=rw", "--idle-timeout=2"]

    def read_slowly(self, data, seconds):
        got = b""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            got += data.recv(1024)
            time.sleep(1)
        return got

    def test_download_read_slowly_then_fast(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        r, rdata = self.start("RETR f.bin", rcvbuf=2048)
        got = self.read_slowly(rdata, 3)
        got += ftptest.recv_all(rdata)
        self.assertEqual(got, OLD)
        self.assertCode(r.reply(), 226)

    def test_listing_read_slowly_then_fast(self):
        os.mkdir(self.p("big"))
        for i in range(NAMES):
            open(os.path.join(self.p("big"), "entry-%05d-with-a-longer-name" % i), "w").close()
        f = ftptest.Ftp(self.server)
        self.addCleanup(f.close)
        want = []
        f.retrlines("LIST %s/big" % self.dirname, want.append)
        r, rdata = self.start("LIST big", rcvbuf=2048)
        got = self.read_slowly(rdata, 3)
        got += ftptest.recv_all(rdata)
        self.assertCode(r.reply(), 226)
        self.assertEqual(len(got), sum(len(w) + 2 for w in want))
        self.assertTrue(got.decode().split("\r\n")[:-1] == want)


class SlowClients(Base):

    def dribble(self, c, line):
        for b in line.encode("utf-8") + b"\r\n":
            c.send(bytes([b]))
            time.sleep(0.005)

    def test_commands_one_byte_at_a_time_across_a_transfer(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        c = self.raw()
        self.dribble(c, "PASV")
        r = c.reply()
        self.assertCode(r, 227)
        data = ftptest.data_connect(ftptest.HOST, pasv_port(r), rcvbuf=4096)
        self.addCleanup(data.close)
        self.dribble(c, "RETR f.bin")
        self.assertCode(c.reply(), 150)
        got = data.recv(4096)
        # the next command arrives byte by byte while the data flows
        for b in b"NOOP\r\n":
            c.send(bytes([b]))
            got += data.recv(4096)
        got += ftptest.recv_all(data)
        self.assertEqual(got, OLD)
        self.assertCode(c.reply(), 226)
        self.assertCode(c.reply(), 200)
        self.dribble(c, "SIZE f.bin")
        self.assertEqual(c.reply().text, "213 %d" % N)

    def test_command_begun_during_an_upload_ends_after_it(self):
        # The start of a line on the control connection while the data
        # ends neither holds back the 226 nor cuts the upload short.
        ftptest.write_file(self.p("f.bin"), OLD)
        c, data = self.start("STOR f.bin")
        data.sendall(NEW[:N // 2])
        c.send(b"NO")
        self.finish_upload(c, data, NEW[N // 2:])
        self.assertEqual(read_file(self.p("f.bin")), NEW)
        c.send(b"OP\r\n")
        self.assertCode(c.reply(), 200)
        self.assertEqual(self.listdir(), ["f.bin"])

    def test_pasv_retr_twice_and_quit_in_one_write(self):
        ftptest.write_file(self.p("a.bin"), OLD)
        ftptest.write_file(self.p("b.bin"), NEW[:N - 7])
        c = self.raw()
        c.send(b"PASV\r\nRETR a.bin\r\nPASV\r\nRETR b.bin\r\nQUIT\r\n")
        for want in (OLD, NEW[:N - 7]):
            r = c.reply()
            self.assertCode(r, 227)
            data = ftptest.data_connect(ftptest.HOST, pasv_port(r))
            self.addCleanup(data.close)
            self.assertCode(c.reply(), 150)
            self.assertEqual(ftptest.recv_all(data), want)
            self.assertCode(c.reply(), 226)
        self.assertCode(c.reply(), 221)
        self.assertEqual(c.wait_closed(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
