"""ferryd's bandwidth limits: --max-rate paces each session's downloads and
uploads, and a rate in the users file replaces it for that account. Each
transfer moves a few MiB at a low rate and the rate the client sees must
be within 15% of the limit; ABOR and STAT still answer at once while a
paced transfer waits, and a paced download still goes out with sendfile(2)."""

import os
import re
import subprocess
import time
import unittest

import config
import ftptest
from ftptest import Control, read_file

RATE = 1 << 20              # --max-rate 1M
USER_RATE = 512 << 10       # alice's own limit, 512K
PASSWORD = "alice-Pw.2"
DATA = ftptest.random_bytes(3 << 20, seed=77)


class RateTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "alice:%s:alice:rw:512K\nbob:%s:bob:rw\n"
                           % (ftptest.hash_password(PASSWORD), ftptest.hash_password(PASSWORD)),
                           mode=0o600)
        srv.args = ["--max-rate", "1M", "--anonymous=rw", "-u", users]
        srv.write("data.bin", DATA)
        srv.write("alice/half.bin", DATA[:3 << 19])
        srv.mkdir("bob")
        srv.start()
        cls.server = srv

    def session(self, user="anonymous", passwd="guest"):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login(user, passwd)
        self.assertCode(c.cmd("TYPE I"), 200)
        return c

    def download(self, c, name):
        """RETR name; returns (bytes, seconds from RETR to the last byte)."""
        data = c.open_epsv()
        self.addCleanup(data.close)
        t0 = time.monotonic()
        self.assertCode(c.cmd("RETR " + name), 150)
        got = ftptest.recv_all(data, timeout=30)
        elapsed = time.monotonic() - t0
        data.close()
        self.assertCode(c.reply(), 226)
        return got, elapsed

    def upload(self, c, name, payload):
        """STOR name; returns seconds from STOR to the 226."""
        data = c.open_epsv()
        self.addCleanup(data.close)
        t0 = time.monotonic()
        self.assertCode(c.cmd("STOR " + name), 150)
        data.sendall(payload)
        data.close()
        self.assertCode(c.reply(timeout=30), 226)
        return time.monotonic() - t0

    def assertPaced(self, run, rate):
        """run() makes one transfer, checks its bytes and returns (bytes,
        seconds). The rate the client sees must never be over the limit
        by more than 15%. Under it by more than 15% only a slow (loaded)
        machine may be: then the transfer is made again, up to three times
        in all, and one within the band is enough."""
        rates = []
        for _ in range(3):
            nbytes, seconds = run()
            got = nbytes / seconds
            rates.append("%.0f" % got)
            self.assertLess(got, rate * 1.15, "%.0f bytes/s, limit %d" % (got, rate))
            if got > rate * 0.85:
                return
        self.fail("bytes/s %s, all under the limit %d by more than 15%%"
                  % (", ".join(rates), rate))

    def test_download_paced(self):
        def run():
            got, elapsed = self.download(self.session(), "data.bin")
            self.assertEqual(got, DATA)
            return len(got), elapsed
        self.assertPaced(run, RATE)

    def test_upload_paced(self):
        def run():
            elapsed = self.upload(self.session(), "up.bin", DATA)
            self.assertEqual(read_file(self.server.path("up.bin")), DATA)
            return len(DATA), elapsed
        self.assertPaced(run, RATE)

    def test_users_file_rate_replaces_max_rate(self):
        def run():
            got, elapsed = self.download(self.session("alice", PASSWORD), "half.bin")
            self.assertEqual(got, DATA[:3 << 19])
            return len(got), elapsed
        self.assertPaced(run, USER_RATE)

    def test_users_file_rate_paces_uploads(self):
        payload = DATA[:3 << 19]

        def run():
            elapsed = self.upload(self.session("alice", PASSWORD), "up.bin", payload)
            self.assertEqual(read_file(self.server.path("alice", "up.bin")), payload)
            return len(payload), elapsed
        self.assertPaced(run, USER_RATE)

    def test_abor_and_stat_answer_while_paced(self):
        c = self.session()
        data = c.open_epsv()
        self.addCleanup(data.close)
        self.assertCode(c.cmd("RETR data.bin"), 150)
        time.sleep(0.5)
        t0 = time.monotonic()
        r = c.cmd("STAT")
        self.assertCode(r, 213)
        self.assertIn("RETR /data.bin", r.text)
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.assertLess(time.monotonic() - t0, 1.0)
        got = ftptest.recv_all(data, timeout=10)
        self.assertLess(len(got), len(DATA) // 2)
        self.assertCode(c.cmd("NOOP"), 200)


    def test_paced_download_is_sent_with_sendfile(self):
        """Pacing keeps the zero copy: strace, attached to the session,
        sees every byte of a paced RETR leave in sendfile(2) calls from the
        file, and not one read of the file into the session's memory."""
        size = 512 << 10
        self.server.write("sent.bin", DATA[:size])
        path = os.path.realpath(self.server.path("sent.bin"))
        before = {p for p, _ in self.server.session_pids()}
        c = self.session()
        detach = ftptest.strace_attach(
            self, ftptest.session_pid(self.server, before),
            ["-f", "-y", "-e", "trace=sendfile,splice,read,readv,pread64,preadv,preadv2"],
            os.path.join(self.server.base, "sendfile.strace"))
        got, elapsed = self.download(c, "sent.bin")
        self.assertEqual(got, DATA[:size])
        # Paced: no faster than the limit (less its short head start).
        self.assertGreater(elapsed, 0.8 * size / RATE)
        calls = [line for line in detach().splitlines() if "<%s>" % path in line]
        sent = [int(m.group(1)) for m in (re.search(r"^(?:\d+ +)?sendfile\(.*\) = (\d+)$", line)
                                          for line in calls) if m]
        self.assertEqual(sum(sent), size, "\n".join(calls[:20]))
        self.assertGreater(len(sent), 1)
        self.assertEqual([line for line in calls if "sendfile(" not in line], [])

class RateOptionTest(ftptest.TestCase):

    def test_bad_rates_refused(self):
        root = ftptest.Server()
        self.addCleanup(root.cleanup)
        for bad in ("abc", "-1", "1.5M", "10X", "2TB", "99999999999999"):
            r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", root.root,
                                "--max-rate", bad], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=10)
            self.assertEqual(r.returncode, 2, (bad, r))
            self.assertIn(b"--max-rate", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
