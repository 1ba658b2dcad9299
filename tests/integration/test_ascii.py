"""ferryd: the ASCII type (TYPE A) with the clients that use it.

Line ends are converted both ways (curl -B, lftp get -a / put -a, Python's
ftplib storlines / retrlines). SIZE, like REST, counts the file's own
bytes in either type (as vsftpd and pure-ftpd do; proftpd and pyftpdlib
refuse SIZE in TYPE A): a client resuming an ASCII upload of a text file
with LF line ends (curl -B -C - -T) then starts right where the server's
copy ends."""

import io
import os
import shutil
import subprocess
import tempfile
import unittest

import config

import ftptest
from ftptest import Control

UNIX = b"one\ntwo\n\nthree\n"
DOS = b"one\r\ntwo\r\n\r\nthree\r\n"


class AsciiTest(ftptest.TestCase):

    def setUp(self):
        srv = ftptest.Server(["--anonymous=rw"])
        srv.write("t.txt", UNIX)
        srv.start()
        self.addCleanup(srv.cleanup)
        self.server = srv
        self.tmp = tempfile.mkdtemp(prefix="ferry-ascii-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def local(self, name, data=None):
        """A path in the local folder, written with data if given."""
        p = os.path.join(self.tmp, name)
        return p if data is None else ftptest.write_file(p, data)

    def run_client(self, *argv):
        r = subprocess.run(list(argv), capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return r

    def test_size_in_ascii_type(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        for t in ("TYPE I", "TYPE A"):
            c.expect(t, 200)
            self.assertEqual(c.cmd("SIZE t.txt").text, "213 %d" % len(UNIX))
            self.assertCode(c.cmd("SIZE nosuch.txt"), 550)
        # What a RETR in TYPE A sends: each LF as CR LF; REST counts the
        # file's bytes.
        for rest, want in ((0, DOS), (4, DOS[5:])):
            data = c.open_pasv()
            if rest:
                c.expect("REST %d" % rest, 350)
            c.expect("RETR t.txt", 150)
            self.assertEqual(ftptest.recv_all(data), want)
            data.close()
            self.assertCode(c.reply(), 226)

    def test_curl_resumes_an_ascii_upload(self):
        ftptest.require_program(config.CURL, "curl")
        # The server holds the first two lines and a half; the local copy
        # has all.
        self.server.write("up.txt", b"one\ntwo\n\nth")
        src = self.local("up.txt", UNIX)
        self.run_client(config.CURL, "-sS", "--max-time", "30", "-B", "-C", "-", "-T", src,
                        self.server.url("/up.txt"))
        self.assertEqual(ftptest.read_file(self.server.path("up.txt")), UNIX)

    def test_curl_ascii_round_trip(self):
        ftptest.require_program(config.CURL, "curl")
        out = self.local("down.txt")
        self.run_client(config.CURL, "-sS", "--max-time", "30", "-B", self.server.url("/t.txt"),
                        "-o", out)
        self.assertEqual(ftptest.read_file(out), UNIX)
        src = self.local("up.txt", UNIX)
        self.run_client(config.CURL, "-sS", "--max-time", "30", "-B", "-T", src,
                        self.server.url("/curl.txt"))
        self.assertEqual(ftptest.read_file(self.server.path("curl.txt")), UNIX)

    def test_lftp_ascii_round_trip(self):
        ftptest.require_program(config.LFTP, "lftp")
        out = self.local("down.txt")
        src = self.local("up.txt", UNIX)
        self.run_client(config.LFTP, "-c", "set net:max-retries 1; set net:timeout 10; "
                        "open %s; get -a t.txt -o %s; put -a %s -o lftp.txt"
                        % (self.server.url("/"), out, src))
        self.assertEqual(ftptest.read_file(out), UNIX)
        self.assertEqual(ftptest.read_file(self.server.path("lftp.txt")), UNIX)

    def test_ftplib_storlines_retrlines(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.storlines("STOR lines.txt", io.BytesIO(UNIX))
        self.assertEqual(ftptest.read_file(self.server.path("lines.txt")), UNIX)
        got = []
        f.retrlines("RETR lines.txt", got.append)
        self.assertEqual(got, ["one", "two", "", "three"])
        # storlines sends CR LF for each line: a DOS file stays itself
        # on the wire and lands with LF.
        f.storlines("STOR dos.txt", io.BytesIO(DOS))
        self.assertEqual(ftptest.read_file(self.server.path("dos.txt")), UNIX)


if __name__ == "__main__":
    unittest.main()
