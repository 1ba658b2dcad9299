"""ferryd with clients killed (SIGKILL) at points all through LIST, NLST,
MLSD, RETR and STOR: before the data connection is made, after the 150,
and after some bytes of the transfer. The kernel closes a dead client's
sockets; each time the session ends and says in the log that the client's
connection was lost, the file a killed STOR was replacing is kept whole
(or, when the client died too slowly to tell from one that finished,
replaced whole by exactly the bytes sent), nothing else is left beside it,
and the next session works."""

import os
import re
import unittest

import ftptest
import killclient
from ftptest import read_file

OLD = ftptest.random_bytes(4 << 20, seed=11)
NAMES = 3000


class KilledClients(ftptest.DirTestCase):

    SERVER_ARGS = ["--anonymous=rw"]

    def kill_during(self, verb, arg, nbytes, no_data=False):
        """Runs killclient (verb arg, nbytes of data) and kills it once it
        has got that far; returns its control connection's local port."""
        opts = ["--verb=" + verb, "--say-port"] + (["--no-data"] if no_data else [])
        self.log_mark = len(self.server.log_text())
        lines = killclient.run_and_kill(self.server.port, self.dirname, arg, nbytes, *opts)
        return int(lines[0])

    def assert_session_lost(self, port):
        """The session of the client at port ended, and the log says its
        connection was lost (not an orderly end)."""
        self.assertTrue(self.server.wait_sessions_gone(10), self.server.log_tail())
        pattern = re.compile(r"session end: peer=127\.0\.0\.1:%d .*" % port)
        self.assertTrue(ftptest.wait_until(
            lambda: pattern.search(self.server.log_text()[self.log_mark:])),
            self.server.log_tail())
        line = pattern.search(self.server.log_text()[self.log_mark:]).group(0)
        self.assertIn("result=connection lost", line, self.server.log_tail())

    def assert_next_session_works(self, name, data):
        f = ftptest.Ftp(self.server)
        try:
            f.cwd(self.dirname)
            self.assertEqual(f.size(name), len(data))
            self.assertEqual(self.retr(f, name), data)
            self.assertIn(name, f.nlst())
        finally:
            f.close()

    def test_killed_during_listings(self):
        big = self.p("big")
        os.mkdir(big)
        for i in range(NAMES):
            open(os.path.join(big, "file-%05d-with-a-longish-name.txt" % i), "w").close()
        ftptest.write_file(self.p("f.bin"), OLD)
        for verb in ("LIST", "NLST", "MLSD"):
            for nbytes, no_data in ((0, True), (0, False), (1, False), (100000, False)):
                with self.subTest(verb=verb, nbytes=nbytes, no_data=no_data):
                    port = self.kill_during(verb, "big", nbytes, no_data)
                    self.assert_session_lost(port)
                    self.assert_next_session_works("f.bin", OLD)
        self.assertEqual(len(os.listdir(big)), NAMES)

    def test_killed_during_retr(self):
        ftptest.write_file(self.p("f.bin"), OLD)
        for nbytes, no_data in ((0, True), (0, False), (1, False), (5000, False),
                                (1 << 20, False)):
            with self.subTest(nbytes=nbytes, no_data=no_data):
                port = self.kill_during("RETR", "f.bin", nbytes, no_data)
                self.assert_session_lost(port)
                self.assertEqual(read_file(self.p("f.bin")), OLD)
                self.assert_next_session_works("f.bin", OLD)

    def test_killed_during_stor(self):
        for nbytes, no_data in ((0, True), (0, False), (1, False), (5000, False),
                                (300000, False)):
            with self.subTest(nbytes=nbytes, no_data=no_data):
                path, ident = ftptest.put_old(self.p("f.bin"), OLD)
                port = self.kill_during("STOR", "f.bin", nbytes, no_data)
                self.assert_session_lost(port)
                self.assertEqual(self.listdir(), ["f.bin"])
                # A client whose sockets close further apart than the
                # upload's end grace looks like one that finished: its
                # bytes, exactly. Never anything else.
                now = read_file(path)
                if now != b"x" * nbytes or no_data:
                    self.assertUntouched(path, ident)
                    now = OLD
                self.assert_next_session_works("f.bin", now)


if __name__ == "__main__":
    unittest.main(verbosity=2)
