"""ferryd: accounts from a users file (hashes made by ferryd --hash-password).
Each user is confined to their home and cannot see another's files; a
read-only account gets 550 for every write; wrong passwords get 530 after a
delay and the third failure closes the session with 421; anonymous is off
with a users file unless asked for; -v never logs passwords."""

import io
import os
import re
import subprocess
import time
import unittest

import config
import ftptest
from ftptest import Control, read_file

PASSWORDS = {"alice": "alice-Pw.1", "bob": "bob:pw with spaces", "reader": "r3ad-only"}


def make_users_server(extra_args=(), hashes=None):
    srv = ftptest.Server()
    srv.write("shared.txt", b"shared\n")
    srv.write("alice/a_secret.txt", b"alice's secret\n")
    srv.write("bob/b_secret.txt", b"bob's secret\n")
    srv.symlink("../bob", "alice/to_bob")
    users = os.path.join(srv.base, "users")
    text = ("# ferryd users file\n"
            "\n"
            "alice:%(alice)s:alice\n"
            "bob:%(bob)s:%(bobhome)s:rw\n"
            "   \n"
            "reader:%(reader)s::ro\n") % dict(hashes, bobhome=srv.path("bob"))
    ftptest.write_file(users, text, mode=0o600)
    srv.users_file = users
    srv.args = ["-u", users] + list(extra_args)
    return srv


class UsersTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.hashes = {u: ftptest.hash_password(p) for u, p in PASSWORDS.items()}
        srv = make_users_server(hashes=cls.hashes)
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def setUp(self):
        self.snapshot = ftptest.tree_snapshot(self.server.root)

    def login(self, user):
        c = Control(self.server)
        self.addCleanup(c.close)
        self.assertCode(c.cmd("USER " + user), 331)
        self.assertCode(c.cmd("PASS " + PASSWORDS[user]), 230)
        return c

    def ftp(self, user):
        f = self.server.ftp(user, PASSWORDS[user])
        self.addCleanup(f.close)
        return f

    def nlst(self, f, *args):
        return sorted(n.rsplit("/", 1)[-1] for n in f.nlst(*args))

    def test_hash_password_output(self):
        h = self.hashes["alice"]
        self.assertTrue(h.startswith("$"), h)
        self.assertNotIn(":", h)
        self.assertNotIn(PASSWORDS["alice"], h)

    def test_user_sees_only_own_home(self):
        f = self.ftp("alice")
        self.assertEqual(f.pwd(), "/")
        self.assertEqual(self.nlst(f), ["a_secret.txt", "to_bob"])
        self.assertEqual(self.retr(f, "a_secret.txt"), b"alice's secret\n")
        f.cwd("..")
        self.assertEqual(f.pwd(), "/")
        self.assertEqual(self.nlst(f), ["a_secret.txt", "to_bob"])
        for path in ("../bob/b_secret.txt", "/bob/b_secret.txt", "../shared.txt",
                     "/../shared.txt", "to_bob/b_secret.txt"):
            with self.subTest(path=path):
                self.assertFtpError(550, self.retr, f, path)
        self.assertFtpError(550, f.cwd, "to_bob")
        self.assertFtpError(550, f.cwd, "/bob")
        lines = []
        f.retrlines("LIST", lines.append)
        text = "\n".join(lines)
        self.assertNotIn("b_secret", text)
        self.assertNotIn("shared.txt", text)

    def test_absolute_home(self):
        f = self.ftp("bob")
        self.assertEqual(self.nlst(f), ["b_secret.txt"])
        self.assertEqual(self.retr(f, "/b_secret.txt"), b"bob's secret\n")
        self.assertFtpError(550, self.retr, f, "../alice/a_secret.txt")

    def test_users_cannot_see_each_others_files(self):
        a = self.ftp("alice")
        b = self.ftp("bob")
        self.stor(a, "from_alice.txt", b"A")
        self.stor(b, "from_bob.txt", b"B")
        self.addCleanup(os.unlink, self.server.path("alice", "from_alice.txt"))
        self.addCleanup(os.unlink, self.server.path("bob", "from_bob.txt"))
        self.assertEqual(read_file(self.server.path("alice", "from_alice.txt")), b"A")
        self.assertEqual(read_file(self.server.path("bob", "from_bob.txt")), b"B")
        self.assertNotIn("from_bob.txt", self.nlst(a))
        self.assertNotIn("from_alice.txt", self.nlst(b))
        self.assertFtpError(550, self.retr, a, "../bob/from_bob.txt")
        self.assertFtpError(550, self.retr, b, "../alice/from_alice.txt")
        self.assertFalse(os.path.exists(self.server.path("from_alice.txt")))
        self.assertFalse(os.path.exists(self.server.path("from_bob.txt")))

    def test_rw_user_writes_in_home(self):
        f = self.ftp("alice")
        f.mkd("made")
        self.assertTrue(os.path.isdir(self.server.path("alice", "made")))
        self.stor(f, "made/x.txt", b"x")
        self.assertEqual(read_file(self.server.path("alice", "made", "x.txt")), b"x")
        f.rename("made/x.txt", "made/y.txt")
        f.delete("made/y.txt")
        f.rmd("made")
        self.assertFalse(os.path.exists(self.server.path("alice", "made")))

    def test_read_only_account(self):
        f = self.ftp("reader")
        self.assertEqual(self.nlst(f), ["alice", "bob", "shared.txt"])
        self.assertEqual(self.retr(f, "shared.txt"), b"shared\n")
        for cmd in ("STOR new.txt", "STOR shared.txt", "APPE shared.txt", "STOU shared.txt"):
            with self.subTest(cmd=cmd):
                e = self.assertFtpError(550, f.storbinary, cmd, io.BytesIO(b"data"))
                self.assertIn("Permission denied", str(e))
        c = self.login("reader")
        for cmd in ("DELE shared.txt", "MKD newdir", "XMKD newdir", "RMD alice",
                    "XRMD alice", "RNFR shared.txt"):
            with self.subTest(cmd=cmd):
                r = c.cmd(cmd)
                self.assertCode(r, 550, msg="for " + cmd)
                self.assertIn("Permission denied", r.text)
        self.assertCode(c.cmd("RNTO other.txt"), 503, 550)
        self.assertEqual(ftptest.tree_snapshot(self.server.root), self.snapshot)

    def test_read_only_perm_facts(self):
        c = self.login("reader")
        r = c.cmd("MLST shared.txt")
        self.assertCode(r, 250)
        perm = re.search(r"perm=([^;]*);", r.text).group(1)
        self.assertIn("r", perm)
        self.assertFalse(set(perm) & set("acdfmw"), "read-only perm fact: %r" % perm)
        c2 = self.login("alice")
        r = c2.cmd("MLST a_secret.txt")
        perm = re.search(r"perm=([^;]*);", r.text).group(1)
        self.assertIn("w", perm)

    def test_wrong_password(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        self.assertCode(c.cmd("USER alice"), 331)
        t0 = time.monotonic()
        r = c.cmd("PASS wrong")
        self.assertCode(r, 530)
        self.assertIn("Login incorrect", r.text)
        self.assertGreaterEqual(time.monotonic() - t0, 0.8, "no delay after a wrong password")
        self.assertCode(c.cmd("PWD"), 530)
        # One failure does not end the session; the right password works.
        self.assertCode(c.cmd("USER alice"), 331)
        self.assertCode(c.cmd("PASS " + PASSWORDS["alice"]), 230)
        self.assertCode(c.cmd("PWD"), 257)

    def test_password_of_another_user_refused(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        self.assertCode(c.cmd("USER alice"), 331)
        self.assertCode(c.cmd("PASS " + PASSWORDS["bob"]), 530)

    def test_three_failures_close_session(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        for i in range(2):
            self.assertCode(c.cmd("USER alice"), 331)
            self.assertCode(c.cmd("PASS wrong%d" % i), 530)
        self.assertCode(c.cmd("USER alice"), 331)
        c.send(b"PASS wrong2\r\n")
        replies = c.wait_closed(timeout=10)
        self.assertTrue(replies, "closed without a reply")
        self.assertEqual(replies[-1].code, 421, replies)

    def test_unknown_user(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        r = c.cmd("USER mallory")
        self.assertCode(r, 331, 530)
        if r.code == 331:
            r = c.cmd("PASS anything")
            self.assertCode(r, 530)
            self.assertIn("Login incorrect", r.text)
        self.assertCode(c.cmd("PWD"), 530)

    def test_anonymous_off_with_users_file(self):
        for user in ("anonymous", "ftp"):
            with self.subTest(user=user):
                c = Control(self.server)
                self.addCleanup(c.close)
                r = c.cmd("USER " + user)
                if r.code == 331:
                    r = c.cmd("PASS guest@example.org")
                self.assertCode(r, 530)
                self.assertCode(c.cmd("NLST"), 530)


class AnonymousWithUsersTest(ftptest.TestCase):
    """-u with --anonymous=ro: both kinds of login work."""

    @classmethod
    def setUpClass(cls):
        hashes = {u: ftptest.hash_password(p) for u, p in PASSWORDS.items()}
        srv = make_users_server(["--anonymous=ro", "-v"], hashes)
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def test_anonymous_and_users(self):
        anon = self.server.ftp()
        self.addCleanup(anon.close)
        self.assertEqual(sorted(anon.nlst()), ["alice", "bob", "shared.txt"])
        self.assertFtpError(550, anon.storbinary, "STOR x.txt", io.BytesIO(b"x"))
        alice = self.server.ftp("alice", PASSWORDS["alice"])
        self.addCleanup(alice.close)
        self.assertEqual(sorted(alice.nlst()), ["a_secret.txt", "to_bob"])

    def test_verbose_log_masks_passwords(self):
        for user in ("alice", "bob"):
            f = self.server.ftp(user, PASSWORDS[user])
            f.quit()
        c = Control(self.server)
        self.addCleanup(c.close)
        c.cmd("USER reader")
        c.cmd("PASS not-the-password-xyz")
        c.close()
        self.assertTrue(self.server.wait_log(r"PASS", timeout=5), "-v logged no trace")
        self.server.wait_sessions_gone()
        log = self.server.log_text()
        for secret in list(PASSWORDS.values()) + ["not-the-password-xyz"]:
            self.assertNotIn(secret, log, "password in the log")


class AnonymousEntryTest(ftptest.TestCase):
    """An entry for "anonymous" in the users file puts a password on the
    anonymous login however the client cases the name, as the anonymous
    login itself takes the name in any case."""

    def test_entry_holds_for_every_case(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.write("public.txt", b"public\n")
        srv.write("guests/welcome.txt", b"welcome\n")
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "anonymous:%s:guests\n" % ftptest.hash_password("guest-Pw"),
                           mode=0o600)
        srv.args = ["-u", users, "--anonymous=ro"]
        srv.start()
        for user in ("anonymous", "Anonymous", "ANONYMOUS"):
            c = Control(srv)
            self.addCleanup(c.close)
            r = c.cmd("USER " + user)
            self.assertCode(r, 331)
            self.assertIn("Password required", r.text)
            self.assertCode(c.cmd("PASS any@example.org"), 530)
            c.close()
            f = srv.ftp(user, "guest-Pw")
            self.addCleanup(f.close)
            self.assertEqual(f.nlst(), ["welcome.txt"])
            f.quit()


class UsersFileErrorsTest(ftptest.TestCase):

    def test_malformed_users_file(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "ok:$6$salt$hash\nthis line is not an account\n")
        ftptest.prepare(srv.base)
        r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", srv.root, "-u", users],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(("%s:2" % users).encode(), r.stderr)

    def test_duplicate_user(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "dup:$6$a$b\ndup:$6$c$d\n")
        ftptest.prepare(srv.base)
        r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", srv.root, "-u", users],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 1, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
