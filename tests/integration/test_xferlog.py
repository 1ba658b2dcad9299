"""ferryd --xferlog FILE: one line per finished file transfer in the
classic xferlog format (wu-ftpd, vsftpd's xferlog_std_format), read back
field by field as log analysers split it: current time (5 fields),
transfer time, remote host, bytes, file name, type, special action,
direction, access mode, user name, service, authentication method,
authenticated user id, completion status."""

import io
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import config

import ftptest
from ftptest import Control

PASSWORD = "pw-Alice-1"
UPNAME = "résumé 2026.txt"          # UTF-8 and a space
BIG = ftptest.random_bytes(8 << 20, seed=3)


def parse(line):
    """Splits a line the way analysers do: on blanks, 18 fields."""
    f = line.split()
    assert len(f) == 18, "not 18 fields: %r" % line
    return {
        "time": time.mktime(time.strptime(" ".join(f[0:5]), "%a %b %d %H:%M:%S %Y")),
        "seconds": int(f[5]), "host": f[6], "bytes": int(f[7]), "name": f[8],
        "type": f[9], "action": f[10], "direction": f[11], "access": f[12], "user": f[13],
        "service": f[14], "auth": f[15], "authuser": f[16], "status": f[17],
    }


class XferlogTest(ftptest.TestCase):

    def setUp(self):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server()
        users = ftptest.users_file(srv, "alice", PASSWORD)
        # Readable by the listener when it reloads (nobody's group).
        ftptest.share_with_run_as(users)
        self.log = os.path.join(srv.base, "xferlog")
        srv.args = ["-u", users, "--anonymous=rw", "--xferlog", self.log]
        srv.write("pub/notes.txt", b"line one\nline two\n")
        srv.write("big.bin", BIG)
        self.server = srv
        srv.start()
        self.addCleanup(srv.cleanup)

    def lines(self, n):
        """The log's lines once there are n (bounded wait)."""
        ftptest.wait_until(lambda: len(self.read()) >= n)
        return self.read()

    def read(self):
        try:
            with open(self.log, encoding="utf-8") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def curl(self, *args):
        r = subprocess.run([config.CURL, "-sS", "--max-time", "30"] + list(args),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_uploads_and_downloads(self):
        srv = self.server
        t0 = time.time()
        # curl uploads as alice, binary; then downloads anonymously.
        data = ftptest.random_bytes(1 << 20, seed=1)
        with tempfile.NamedTemporaryFile() as src:
            src.write(data)
            src.flush()
            self.curl("-T", src.name, srv.url("/r%C3%A9sum%C3%A9%202026.txt", "alice", PASSWORD))
        self.assertEqual(ftptest.read_file(srv.path(UPNAME)), data)
        got = self.curl("--user", "anonymous:me@example.org", srv.url("/big.bin"))
        self.assertEqual(got, BIG)
        # ftplib: an ASCII download (LF becomes CRLF on the wire) and a
        # listing, which the format has no place for.
        f = ftptest.Ftp(srv, passwd="ftp user")
        lines = []
        f.retrlines("RETR pub/notes.txt", lines.append)
        f.retrlines("LIST", lambda line: None)
        f.quit()
        log = self.lines(3)
        self.assertEqual(len(log), 3, log)
        up, down, ascii_down = [parse(l) for l in log]
        for e in (up, down, ascii_down):
            self.assertEqual(e["host"], "127.0.0.1")
            self.assertEqual((e["action"], e["service"], e["auth"], e["authuser"]),
                             ("_", "ftp", "0", "*"))
            self.assertEqual(e["status"], "c")
            self.assertGreaterEqual(e["seconds"], 1)
            self.assertLess(abs(e["time"] - t0), 60)
        self.assertEqual((up["bytes"], up["name"], up["type"], up["direction"], up["access"],
                          up["user"]),
                         (len(data), "/résumé_2026.txt", "b", "i", "r", "alice"))
        self.assertEqual((down["bytes"], down["name"], down["type"], down["direction"],
                          down["access"], down["user"]),
                         (len(BIG), "/big.bin", "b", "o", "a", "me@example.org"))
        # TYPE A: the bytes sent, CRs included; the password's space is '_'.
        self.assertEqual((ascii_down["bytes"], ascii_down["name"], ascii_down["type"],
                          ascii_down["user"]),
                         (len(b"line one\r\nline two\r\n"), "/pub/notes.txt", "a", "ftp_user"))

    def test_aborted_download_is_incomplete(self):
        srv = self.server
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        d = ftptest.data_connect(srv.host, c.epsv(), rcvbuf=4096)
        self.assertCode(c.cmd("RETR big.bin"), 150)
        got = d.recv(4096)
        self.assertTrue(got)
        c.send(b"ABOR\r\n")
        ftptest.reset_close(d)
        # 426, then 226 (ABOR ended it) or 225 (the reset ended it first).
        codes = [c.reply().code, c.reply().code]
        self.assertEqual(codes[0], 426)
        self.assertIn(codes[1], (225, 226))
        # An upload cut by a dead client is logged incomplete as well.
        s = Control(srv)
        self.addCleanup(s.close)
        s.login()
        self.assertCode(s.cmd("TYPE I"), 200)
        d = ftptest.data_connect(srv.host, s.epsv())
        self.assertCode(s.cmd("ALLO 100000"), 200, 202)
        self.assertCode(s.cmd("STOR cut.bin"), 150)
        d.sendall(b"x" * 5000)
        d.close()
        self.assertCode(s.reply(), 426)
        log = self.lines(2)
        self.assertEqual(len(log), 2, log)
        down, up = parse(log[0]), parse(log[1])
        self.assertEqual((down["name"], down["direction"], down["status"]), ("/big.bin", "o", "i"))
        self.assertLess(down["bytes"], len(BIG))
        self.assertEqual((up["name"], up["direction"], up["status"], up["bytes"]),
                         ("/cut.bin", "i", "i", 5000))
        self.assertFalse(os.path.exists(srv.path("cut.bin")))

    def hup(self):
        srv = self.server
        before = len(srv.log_text())
        srv.proc.send_signal(signal.SIGHUP)
        self.assertTrue(ftptest.wait_until(lambda: "reloaded:" in srv.log_text()[before:]),
                        srv.log_tail())
        return srv.log_text()[before:]

    def download(self):
        f = ftptest.Ftp(self.server, "alice", PASSWORD)
        self.assertEqual(self.retr(f, "pub/notes.txt"), b"line one\nline two\n")
        f.quit()

    def test_sighup_reopens_after_rotation(self):
        """logrotate: rename, create a new file the run-as user may write
        (create 0640 nobody ...), SIGHUP: new lines go to the new file."""
        self.download()
        self.assertEqual(len(self.lines(1)), 1)
        os.rename(self.log, self.log + ".1")
        ftptest.write_file(self.log, "", mode=0o640)      # owned by the run-as user
        self.assertNotIn("cannot reopen", self.hup())
        self.download()
        self.assertEqual(len(self.lines(1)), 1)
        with open(self.log + ".1") as f:
            self.assertEqual(len(f.read().splitlines()), 1)
        # A new file the run-as user cannot open: said in the log, and the
        # lines go on into the file opened before.
        os.rename(self.log, self.log + ".2")
        os.close(os.open(self.log, os.O_CREAT | os.O_WRONLY, 0o600))   # root's
        log = self.hup()
        self.assertIn("xferlog %s: cannot reopen it (Permission denied)" % self.log, log)
        self.download()
        ftptest.wait_until(lambda: len(open(self.log + ".2").read().splitlines()) == 2)
        with open(self.log + ".2") as f:
            self.assertEqual(len(f.read().splitlines()), 2)
        self.assertEqual(self.read(), [])

    def test_unwritable_log_stops_start(self):
        r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "--xferlog",
                            os.path.join(self.server.base, "no", "such", "dir", "xferlog")],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--xferlog", r.stderr)
        self.assertIn("No such file or directory", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
