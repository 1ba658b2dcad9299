"""ferryd with the special files a real tree holds (a UNIX socket left by
a program, a FIFO) and clients that read or write them in place: python's
ftplib RETR, HASH, and REST before STOR; lftp get. A file that is not a
regular one gets the permanent 550 "Not a regular file.", whatever kind
it is, never a 4xx that tells the client to try again (lftp would send
RETR again and again, waiting longer each time)."""

import ftplib
import io
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

import config
import ftptest


class SpecialFilesTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("plain.txt", b"plain\n")
        os.mkfifo(srv.path("fifo"))
        # A listening socket nobody accepts on, as a daemon leaves one.
        cls.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        cls.addClassCleanup(cls.sock.close)
        cls.sock.bind(srv.path("sock"))
        cls.sock.listen(1)
        srv.start()
        cls.server = srv

    def ftp(self):
        f = ftptest.Ftp(self.server)
        self.addCleanup(f.close)
        return f

    def assertNotRegular(self, name, call):
        with self.assertRaises(ftplib.error_perm) as cm:
            call()
        self.assertEqual(str(cm.exception), "550 /%s: Not a regular file." % name)

    def test_retr_of_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.retrbinary("RETR sock", lambda b: None))
        # The session goes on: the file next to it downloads.
        got = []
        f.retrbinary("RETR plain.txt", got.append)
        self.assertEqual(b"".join(got), b"plain\n")

    def test_retr_of_a_fifo(self):
        f = self.ftp()
        self.assertNotRegular("fifo", lambda: f.retrbinary("RETR fifo", lambda b: None))

    def test_hash_of_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.sendcmd("HASH sock"))

    def test_resumed_upload_into_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.storbinary("STOR sock", io.BytesIO(b"x"),
                                                           rest=1))
        self.assertTrue(os.path.exists(self.server.path("sock")))

    def test_resumed_upload_into_a_fifo_without_reader(self):
        f = self.ftp()
        self.assertNotRegular("fifo", lambda: f.storbinary("STOR fifo", io.BytesIO(b"x"),
                                                           rest=1))

    def test_lftp_get_of_a_socket_is_not_retried(self):
        ftptest.require_program(config.LFTP, "lftp")
        tmp = tempfile.mkdtemp(prefix="ferryd-world-")
        self.addCleanup(shutil.rmtree, tmp, True)
        script = ("set net:max-retries 3; set net:reconnect-interval-base 2; "
                  "open %s; get sock" % self.server.url(""))
        r = subprocess.run([config.LFTP, "--norc", "-d", "-c", script], cwd=tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        trace = r.stderr.decode("utf-8", "replace")
        self.assertNotEqual(r.returncode, 0, trace[-2000:])
        self.assertEqual(trace.count("---> RETR sock"), 1, trace[-2000:])
        self.assertIn("<--- 550 /sock: Not a regular file.", trace)
        self.assertEqual(os.listdir(tmp), [])


if __name__ == "__main__":
    unittest.main()
