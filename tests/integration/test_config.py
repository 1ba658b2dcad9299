"""The configuration file as the ferryd binary uses it: a server started
from the file alone serves what it says, the command line overrides it,
start-up stops on a bad line with FILE:LINE, and --check-config checks
what a start would load (users file, TLS pair, root) and prints the
effective configuration, with the exit statuses ferryd(8) gives."""

import os
import subprocess
import unittest

import config
import ftptest
import tlspeers

PASSWORD = "conf-Pw 1"


def check_config(*args):
    return subprocess.run([config.FERRYD] + list(args) + ["--check-config"],
                          capture_output=True, text=True, timeout=30)


class ConfigFileTest(ftptest.TestCase):

    def setUp(self):
        self.srv = ftptest.Server()
        self.addCleanup(self.srv.cleanup)
        self.conf = os.path.join(self.srv.base, "ferryd.conf")
        self.users = os.path.join(self.srv.base, "users")
        ftptest.write_file(self.users, "alice:%s\n" % ftptest.hash_password(PASSWORD),
                           mode=0o600)

    def write_conf(self, text):
        ftptest.write_file(self.conf, text)

    def test_serves_what_the_file_says(self):
        self.write_conf("# the accounts, and no deleting\nusers = %s\nno-delete = yes\n"
                        "max-per-ip = 2\n" % self.users)
        self.srv.write("keep.txt", b"kept\n")
        self.srv.args = ["-f", self.conf]
        self.srv.start()
        # users = ...: anonymous is off, alice logs in.
        self.assertFtpError(530, ftptest.Ftp, self.srv)
        f = ftptest.Ftp(self.srv, "alice", PASSWORD)
        self.addCleanup(f.close)
        self.assertFtpError(550, f.delete, "keep.txt")
        self.assertTrue(os.path.exists(self.srv.path("keep.txt")))
        # max-per-ip = 2: a third session from 127.0.0.1 is refused.
        g = ftptest.Ftp(self.srv, "alice", PASSWORD)
        self.addCleanup(g.close)
        self.assertFtpError(421, ftptest.Ftp, self.srv, "alice", PASSWORD)

    def test_command_line_overrides(self):
        self.write_conf("users = %s\nmax-per-ip = 1\n" % self.users)
        self.srv.args = ["-f", self.conf, "--anonymous=ro", "--max-per-ip", "0"]
        self.srv.start()
        a = ftptest.Ftp(self.srv)          # anonymous, from the command line
        self.addCleanup(a.close)
        b = ftptest.Ftp(self.srv, "alice", PASSWORD)   # the file's users
        self.addCleanup(b.close)
        a.quit()
        b.quit()

    def test_bad_line_stops_the_start(self):
        self.write_conf("users = %s\n\nmax-clients = lots\n" % self.users)
        r = subprocess.run([config.FERRYD, "-f", self.conf, "-l", "127.0.0.1:0",
                            "-r", self.srv.root], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("ferryd: %s:3: --max-clients takes a number from 1 to 100000"
                      % self.conf, r.stderr)
        self.assertNotIn("listening on", r.stderr)
        # --help is about the command line, not the file's line.
        self.assertNotIn("try ferryd --help", r.stderr)

    def test_file_that_is_not_a_regular_file(self):
        """A FIFO (nobody writing) or a device named as the file is refused
        at once with exit status 1, never waited on or read without end."""
        fifo = os.path.join(self.srv.base, "fifo.conf")
        os.mkfifo(fifo)
        for path in (fifo, "/dev/zero"):
            with self.subTest(path=path):
                r = check_config("-f", path, "-r", self.srv.root)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(r.stderr, "ferryd: %s: not a regular file\n" % path)

    def test_users_file_that_is_not_a_regular_file(self):
        """The same for the users file: a FIFO is not waited on, a device
        not read without end (exit status 1, the path and why)."""
        fifo = os.path.join(self.srv.base, "fifo.users")
        os.mkfifo(fifo)
        for path in (fifo, "/dev/zero"):
            with self.subTest(path=path):
                r = check_config("--users", path, "-r", self.srv.root)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("%s: not a regular file" % path, r.stderr)

    def test_check_config_prints_the_effective_configuration(self):
        self.write_conf("listen = 127.0.0.1:2999\nlisten = [::1]:2999\nusers = %s\n"
                        "max-clients = 7\nno-delete = yes\n" % self.users)
        r = check_config("-f", self.conf, "-r", self.srv.root, "--max-clients", "9")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        for want in ("listen = 127.0.0.1:2999", "listen = [::1]:2999", "root = " + self.srv.root,
                     "users = " + self.users, "# 1 accounts in:", "anonymous = off",
                     "max-clients = 9", "no-delete = yes", "tls = off", "# tls-cert ="):
            self.assertIn(want, lines)
        # No hash is printed.
        self.assertNotIn("$", r.stdout)
        # The output is a configuration file that gives the same.
        ftptest.write_file(self.conf, r.stdout)
        again = check_config("-f", self.conf)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout.splitlines()[1:], lines[1:])

    def test_check_config_shows_the_defaults_that_hold_sessions(self):
        """With no options, a session must log in within 30 s and one
        address may hold 16 sessions (ferryd(8)); 0 lifts the limit."""
        r = check_config("-r", self.srv.root)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        for want in ("login-timeout = 30", "max-per-ip = 16", "idle-timeout = 300"):
            self.assertIn(want, lines)
        r = check_config("-r", self.srv.root, "--max-per-ip", "0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("max-per-ip = 0", r.stdout.splitlines())

    def test_check_config_loads_what_a_start_loads(self):
        cases = [
            ("lisen = 1\n", 2, "%s:1: unknown key 'lisen'" % self.conf),
            ("root = /nonexistent/ftp\n", 1,
             "%s:1: server root /nonexistent/ftp: No such file or directory" % self.conf),
            ("root = %s\n" % self.users, 1, "server root %s: Not a directory" % self.users),
            ("users = %s\n" % self.conf, 1, "%s:1: " % self.conf),
            ("tls-cert = %s\ntls-key = %s\n" % (tlspeers.cert("server.pem"),
                                                 tlspeers.cert("other.key")),
             1, "does not belong to the certificate"),
        ]
        for text, status, message in cases:
            with self.subTest(text=text):
                self.write_conf(text)
                r = check_config("-f", self.conf)
                self.assertEqual(r.returncode, status, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")
        # A missing -f file: 1; the good pair: 0.
        r = check_config("-f", self.conf + ".missing")
        self.assertEqual(r.returncode, 1)
        self.assertIn("No such file or directory", r.stderr)
        self.write_conf("root = %s\ntls-cert = %s\ntls-key = %s\n"
                        % (self.srv.root, tlspeers.cert("server.pem"),
                           tlspeers.cert("server.key")))
        r = check_config("-f", self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("tls = on", r.stdout.splitlines())


if __name__ == "__main__":
    unittest.main(verbosity=2)
