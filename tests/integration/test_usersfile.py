"""ferryd's users file at start-up: the longest line the manual allows
loads, anything odd in a line (a NUL, a CR inside a hash) is reported with
its line number instead of a misleading message or a silently locked
account, a large file loads in linear time, and a --run-as lookup that
fails for lack of file descriptors says so."""

import os
import resource
import subprocess
import time
import unittest

import config
import ftptest

PASSWORD = "s3cret-Pw"


class UsersFileTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.hash = ftptest.hash_password(PASSWORD)

    def users_file(self, data):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        path = os.path.join(srv.base, "users")
        with open(path, "wb") as f:
            f.write(data)
        ftptest.prepare(srv.base)
        return srv, path

    def start_fails(self, data):
        """Runs ferryd with the users file data; it must refuse to start.
        Returns (path, stderr)."""
        srv, path = self.users_file(data)
        r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", srv.root, "-u", path],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 1, r)
        return path, r.stderr.decode("utf-8", "replace")

    def test_line_of_8191_bytes_loads(self):
        head = "alice:%s:" % self.hash
        line = head + "h" * (8191 - len(head))
        self.assertEqual(len(line), 8191)
        srv, path = self.users_file(line.encode() + b"\nbob:" + self.hash.encode() + b"\n")
        srv.args = ["-u", path]
        srv.start()
        f = srv.ftp("bob", PASSWORD)
        f.quit()

    def test_utf8_byte_order_mark_skipped(self):
        """A byte order mark, as some editors write at the start of a file,
        is not part of the first user's name (as in ferryd.conf)."""
        srv, path = self.users_file(b"\xef\xbb\xbfalice:" + self.hash.encode() +
                                    b"\nbob:" + self.hash.encode() + b"\n")
        srv.args = ["-u", path]
        srv.start()
        for name in ("alice", "bob"):
            f = srv.ftp(name, PASSWORD)
            f.quit()

    def test_line_of_8192_bytes_refused(self):
        head = "alice:%s:" % self.hash
        line = head + "h" * (8192 - len(head))
        path, err = self.start_fails(line.encode() + b"\n")
        self.assertIn("%s:1: line too long" % path, err)

    def test_nul_byte_reported_as_such(self):
        path, err = self.start_fails(b"alice:" + self.hash.encode() + b"\nbob:x\0y:home\n")
        self.assertIn("%s:2: NUL byte" % path, err)
        self.assertNotIn("too long", err)

    def test_cr_in_hash_reported(self):
        # A CR inside the hash (say, CRLF line ends cut and re-joined)
        # would lock the account without a word.
        path, err = self.start_fails(b"alice:" + self.hash.encode() + b"\r:home:rw\n")
        self.assertIn("%s:1: password hash holds a control character" % path, err)

    def test_fifty_thousand_users_load_quickly(self):
        # Linear loading: 50,000 accounts take well under a second (the
        # quadratic version took 6.6 s on this kind of machine). The bound
        # is relative to a start with one account, plus a wide margin.
        lines = [b"user%05d:%s" % (i, self.hash.encode()) for i in range(50000)]
        lines.append(b"last:" + self.hash.encode())
        timings = []
        for data in (lines[-1] + b"\n", b"\n".join(lines) + b"\n"):
            srv, path = self.users_file(data)
            srv.args = ["-u", path]
            t0 = time.monotonic()
            srv.start()
            timings.append(time.monotonic() - t0)
            f = srv.ftp("last", PASSWORD)
            f.quit()
            srv.cleanup()
        self.assertLess(timings[1] - timings[0], 3.0,
                        "50,000 users took %.2f s longer than one" % (timings[1] - timings[0]))


class RunAsTest(ftptest.TestCase):

    def test_run_as_lookup_failure_is_not_no_such_user(self):
        if os.geteuid() != 0:
            raise AssertionError("this test runs ferryd as root (--run-as) and must run as root")
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)

        def few_fds():
            # stdin, stdout, stderr and the listening socket: nothing left
            # for opening /etc/passwd.
            resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))

        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                   ":detect_leaks=0")
        r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", srv.root,
                            "--run-as", "nobody"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30, preexec_fn=few_fds, env=env)
        err = r.stderr.decode("utf-8", "replace")
        self.assertEqual(r.returncode, 1, err)
        self.assertNotIn("no such user", err)
        self.assertIn("--run-as nobody: cannot look the user up: Too many open files", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
