"""ferryd: failed logins add up per address across connections. After
--ban-after failures (default 10) within --ban-window seconds, new
connections from that address get 421 for --ban-time seconds, and its
sessions still at the login prompt are closed; other addresses and sessions
already logged in carry on. Every failure and every ban is logged in the
one fixed form ferryd(8) documents for fail2ban."""

import os
import re
import socket
import subprocess
import threading
import time
import unittest

import config

import ftptest
from ftptest import Control

PASSWORD = "s3cret-Pw"
OTHER = "127.0.0.2"

# The fail2ban filter ferryd(8) documents, in Python's spelling: fail2ban
# replaces <HOST> with its address pattern.
FAILREGEX = re.compile(r"ferryd\[\d+\]: login failed: addr=(?P<host>\S+) attempt=")
BANREGEX = re.compile(r"ferryd\[\d+\]: banned: addr=(?P<host>\S+) ")


def users_server(args):
    srv = ftptest.Server()
    users = os.path.join(srv.base, "users")
    ftptest.write_file(users, "alice:%s\n" % ftptest.hash_password(PASSWORD), mode=0o600)
    srv.args = ["-u", users] + [str(a) for a in args]
    srv.write("a.txt", b"contents\n")
    return srv


def guess(server, count, source=None, **kw):
    """Sends count wrong passwords on one connection (at most 3, the
    per-session limit); returns the reply codes, ending with 'closed' if the
    server hung up."""
    codes = []
    c = Control(server, source=source, **kw)
    try:
        for i in range(count):
            c.cmd("USER alice")
            codes.append(c.cmd("PASS wrong-%d" % i).code)
    except ftptest.ConnectionClosed:
        codes.append("closed")
    finally:
        c.close()
    return codes


def guess_in_parallel(server, counts, source=None):
    """Runs guess() on several connections at once; returns their codes."""
    results = [None] * len(counts)

    def run(i):
        try:
            results[i] = guess(server, counts[i], source)
        except Exception as e:
            results[i] = repr(e)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(counts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def greeting(server, source=None):
    """The code of the first reply to a new connection."""
    c = Control(server, source=source, greeting=False)
    try:
        return c.reply().code
    finally:
        c.close()


class BanTest(ftptest.TestCase):

    def start(self, args):
        self.server = users_server(args)
        self.addCleanup(self.server.cleanup)
        self.server.start()
        return self.server

    def login(self, source=None):
        c = Control(self.server, source=source)
        self.addCleanup(c.close)
        c.login("alice", PASSWORD)
        return c

    def failures_logged(self):
        return [m.group("host") for m in FAILREGEX.finditer(self.server.log_text())]

    def test_guesses_from_several_connections_ban_the_address(self):
        srv = self.start(["--ban-time", "4"])
        logged_in = self.login()            # a session that is already in
        waiting = Control(srv)              # one still at the login prompt
        self.addCleanup(waiting.close)
        # Nine wrong passwords over four connections: not banned yet.
        results = guess_in_parallel(srv, [3, 3, 2, 1])
        self.assertEqual(sorted(sum(results, []), key=str),
                         [421] * 2 + [530] * 7, results)
        self.assertEqual(greeting(srv), 220, "banned after 9 failures" + self._log())
        self.assertEqual(len(self.failures_logged()), 9)
        # The tenth, on yet another connection, bans 127.0.0.1.
        self.assertIn(guess(srv, 1)[0], (530, "closed"))
        self.assertTrue(srv.wait_log(BANREGEX.pattern), "no ban line" + self._log())
        c = Control(srv, greeting=False)
        self.addCleanup(c.close)
        replies = c.wait_closed(timeout=10)
        self.assertEqual([r.code for r in replies], [421], replies)
        self.assertIn("failed logins", replies[0].text)
        # The address's session at the login prompt was closed; the one
        # logged in carries on.
        self.assertEqual(waiting.wait_closed(timeout=10), [])
        self.assertCode(logged_in.cmd("NOOP"), 200)
        self.assertCode(logged_in.cmd("SIZE a.txt"), 213)
        # Another address is not affected.
        other = self.login(source=OTHER)
        self.assertCode(other.cmd("PWD"), 257)
        # The log: ten failures and one ban, all naming the address alone.
        self.assertEqual(self.failures_logged(), ["127.0.0.1"] * 10)
        self.assertEqual([m.group("host") for m in BANREGEX.finditer(srv.log_text())],
                         ["127.0.0.1"])
        self.assertRegex(srv.log_text(), r"banned: addr=127\.0\.0\.1 failures=10 window=600 "
                         r"seconds=4 ")
        # The ban ends by itself, and the right password works again.
        ok = ftptest.wait_until(lambda: greeting(srv) == 220, timeout=15, interval=0.5)
        self.assertTrue(ok, "still banned after --ban-time" + self._log())
        self.assertCode(self.login().cmd("PWD"), 257)

    def test_counts_restart_after_a_ban(self):
        srv = self.start(["--ban-after", "2", "--ban-time", "2"])
        guess(srv, 2)
        self.assertEqual(greeting(srv), 421)
        self.assertTrue(ftptest.wait_until(lambda: greeting(srv) == 220, timeout=15,
                                           interval=0.5), self._log())
        # One failure after the ban is not enough for another.
        self.assertEqual(guess(srv, 1), [530])
        self.assertEqual(greeting(srv), 220)
        guess(srv, 1)
        self.assertEqual(greeting(srv), 421)

    def test_ipv6_address_banned_alone(self):
        srv = users_server(["--ban-after", "2"])
        self.addCleanup(srv.cleanup)
        srv.args += ["-l", "[::1]:0"]
        srv.start()
        self.server = srv
        v6 = [p for a, p in srv.addresses if a == "::1"][0]
        self.assertEqual(guess(srv, 2, host="::1", port=v6, family=socket.AF_INET6),
                         [530, "closed"])
        self.assertTrue(srv.wait_log(r"banned: addr=::1 "), self._log())
        c = Control(srv, host="::1", port=v6, family=socket.AF_INET6, greeting=False)
        self.assertEqual([r.code for r in c.wait_closed(timeout=10)], [421])
        c.close()
        self.assertEqual(greeting(srv), 220)
        self.assertEqual(self.failures_logged(), ["::1", "::1"])

    def test_ban_after_zero_never_bans(self):
        srv = self.start(["--ban-after", "0"])
        results = guess_in_parallel(srv, [3, 3, 3, 3])
        self.assertEqual(sorted(sum(results, []), key=str), [421] * 4 + [530] * 8, results)
        self.assertEqual(greeting(srv), 220)
        self.assertNotIn("banned:", srv.log_text())

    def test_ban_time_zero_never_bans(self):
        srv = self.start(["--ban-after", "1", "--ban-time", "0"])
        guess(srv, 2)
        self.assertEqual(greeting(srv), 220)
        self.assertNotIn("banned:", srv.log_text())

    def test_old_failures_leave_the_window(self):
        # The last two failures are about a second apart (ferryd's delay
        # after a wrong password); a window of 3 s leaves room for a slow
        # machine between them.
        srv = self.start(["--ban-after", "2", "--ban-window", "3"])
        guess(srv, 1)
        time.sleep(3.5)
        guess(srv, 1)
        self.assertEqual(greeting(srv), 220, "a failure older than the window counted")
        guess(srv, 1)
        self.assertEqual(greeting(srv), 421)

    def test_successful_logins_do_not_reset_the_count(self):
        srv = self.start(["--ban-after", "3"])
        for _ in range(2):
            guess(srv, 1)
            self.login().cmd("QUIT")
        guess(srv, 1)
        self.assertEqual(greeting(srv), 421)

    def test_bad_option_values(self):
        for args in (["--ban-after", "-1"], ["--ban-after", "101"], ["--ban-time", "x"],
                     ["--ban-window", "0"]):
            with self.subTest(args=args):
                r = subprocess.run([config.FERRYD] + args, capture_output=True,
                                           text=True, timeout=10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(args[0], r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
