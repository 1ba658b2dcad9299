"""ferryd: checksums and attributes. HASH with OPTS HASH and RANG
(draft-bryan-ftpext-hash, draft-bryan-ftp-range), the older XSHA256, XSHA1,
XMD5 and XCRC, MFMT (draft-somers-ftp-mfxx), SITE CHMOD and AVBL, driven by
python3's ftplib, raw control connections and curl -Q. Hashes are compared
with hashlib/zlib over the bytes on disk, times and modes with os.stat, free
space with os.statvfs. Every session runs in the seccomp sandbox (the
default), so a call the new verbs need and the filter lacks kills it."""

import hashlib
import os
import re
import subprocess
import time
import unittest
import zlib

import config
import ftptest
from ftptest import Control

BIN = ftptest.random_bytes(700000, seed=10)
SPACES = "two words 1"
SECRET = b"outside the root\n"
USER, PASSWORD = "carol", "attr-secret"
STAMP = "20100203040506"
STAMP_T = ftptest.parse_stamp(STAMP)


def py_hash(alg, data):
    """The hex digest Python computes for alg as HASH names it."""
    if alg == "CRC32":
        return "%08x" % (zlib.crc32(data) & 0xffffffff)
    return hashlib.new({"SHA-256": "sha256", "SHA-1": "sha1", "MD5": "md5"}[alg],
                       data).hexdigest()


class ServerTest(ftptest.TestCase):
    """Tests against one server of the class (self.server)."""

    login = ()      # (user, password); anonymous when empty

    def raw(self):
        """A logged-in raw control connection, closed after the test."""
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login(*self.login)
        return c

    def curl_quote(self, *commands):
        """Runs curl -v listing "/" with each command sent by -Q first;
        returns (exit code, its -v trace)."""
        ftptest.require_program(config.CURL, "curl")
        cmd = [config.CURL, "-sS", "-v", "--max-time", "30", "-l"]
        for c in commands:
            cmd += ["-Q", c]
        r = subprocess.run(cmd + [self.server.url("/", *self.login)], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        return r.returncode, r.stderr.decode("utf-8", "replace")


HASH_RE = re.compile(r"^213 (\S+) (\d+)-(\d+) ([0-9a-f]+) (.+)$")


class HashTest(ServerTest):
    """HASH and its older forms on one read-write server."""

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("bin.dat", BIN)
        srv.write("empty", b"")
        srv.write(SPACES, b"spaced name\n")
        srv.write("two words", b"the shorter name\n")
        os.chmod(srv.write("locked.dat", b"no read permission\n"), 0o000)
        srv.mkdir("dir")
        ftptest.write_file(os.path.join(srv.outside, "secret.txt"), SECRET)
        srv.symlink("../outside/secret.txt", "secret_link")
        srv.symlink("/etc/passwd", "passwd_link")
        srv.symlink("bin.dat", "inside_link")
        srv.start()
        cls.server = srv

    def hash_reply(self, reply):
        self.assertCode(reply, 213)
        m = HASH_RE.match(reply.lines[0])
        self.assertIsNotNone(m, reply)
        return m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)

    def test_every_algorithm_matches_python(self):
        c = self.raw()
        for alg in ("SHA-256", "SHA-1", "MD5", "CRC32"):
            self.assertEqual(c.expect("OPTS HASH " + alg.lower(), 200).lines[0], "200 " + alg)
            got = self.hash_reply(c.cmd("HASH bin.dat"))
            self.assertEqual(got, (alg, 0, len(BIN) - 1, py_hash(alg, BIN), "bin.dat"))
            self.assertEqual(self.hash_reply(c.cmd("HASH empty"))[3], py_hash(alg, b""))

    def test_feat_marks_the_current_choice(self):
        c = self.raw()
        feat = c.expect("FEAT", 211).lines
        self.assertIn(" HASH SHA-256*;SHA-1;MD5;CRC32", feat)
        self.assertIn(" RANG STREAM", feat)
        self.assertIn(" MFMT", feat)
        self.assertIn(" AVBL", feat)
        self.assertEqual(c.cmd("OPTS HASH").lines[0], "200 SHA-256")
        c.expect("OPTS HASH MD5", 200)
        self.assertIn(" HASH SHA-256;SHA-1;MD5*;CRC32", c.expect("FEAT", 211).lines)
        # An unknown name leaves the choice alone.
        self.assertCode(c.cmd("OPTS HASH SHA-512"), 501)
        self.assertEqual(c.cmd("OPTS HASH").lines[0], "200 MD5")
        self.assertEqual(self.hash_reply(c.cmd("HASH bin.dat"))[3], py_hash("MD5", BIN))

    def test_ftplib_sendcmd(self):
        ftp = self.server.ftp()
        self.addCleanup(ftp.close)
        ftp.sendcmd("OPTS HASH SHA-1")
        resp = ftp.sendcmd("HASH " + SPACES)
        self.assertEqual(resp.split(" ", 4)[3], py_hash("SHA-1", b"spaced name\n"))
        self.assertTrue(resp.endswith(" " + SPACES), resp)

    def test_rang_limits_hash_and_retr(self):
        c = self.raw()
        self.assertCode(c.cmd("RANG 1000 1999"), 350)
        got = self.hash_reply(c.cmd("HASH bin.dat"))
        self.assertEqual(got[1:4], (1000, 1999, py_hash("SHA-256", BIN[1000:2000])))
        # The range was used up: the next HASH covers the whole file.
        self.assertEqual(self.hash_reply(c.cmd("HASH bin.dat"))[1:3], (0, len(BIN) - 1))
        # An end past the end of the file stops at the end.
        c.expect("RANG 699990 999999999", 350)
        got = self.hash_reply(c.cmd("HASH bin.dat"))
        self.assertEqual(got[1:4], (699990, len(BIN) - 1, py_hash("SHA-256", BIN[699990:])))
        # RETR sends exactly the range.
        c.expect("TYPE I", 200)
        data = c.open_pasv()
        c.expect("RANG 10 19", 350)
        self.assertCode(c.cmd("RETR bin.dat"), 150)
        self.assertEqual(ftptest.recv_all(data), BIN[10:20])
        data.close()
        self.assertCode(c.reply(), 226)

    def test_rang_and_rest(self):
        c = self.raw()
        # REST alone: HASH from the offset to the end.
        c.expect("REST 500000", 350)
        got = self.hash_reply(c.cmd("HASH bin.dat"))
        self.assertEqual(got[1:4], (500000, len(BIN) - 1, py_hash("SHA-256", BIN[500000:])))
        # REST after RANG replaces it, RANG after REST replaces that.
        c.expect("RANG 0 9", 350)
        c.expect("REST 7", 350)
        self.assertEqual(self.hash_reply(c.cmd("HASH bin.dat"))[1:4],
                         (7, len(BIN) - 1, py_hash("SHA-256", BIN[7:])))
        c.expect("REST 7", 350)
        c.expect("RANG 0 9", 350)
        self.assertEqual(self.hash_reply(c.cmd("HASH bin.dat"))[1:4],
                         (0, 9, py_hash("SHA-256", BIN[:10])))
        # "RANG 1 0" clears a range.
        c.expect("RANG 0 9", 350)
        c.expect("RANG 1 0", 350)
        self.assertEqual(self.hash_reply(c.cmd("HASH bin.dat"))[1:3], (0, len(BIN) - 1))
        # Bad ranges.
        for bad in ("RANG 9 3", "RANG 5", "RANG a b", "RANG 1 2 3", "RANG -1 4"):
            self.assertCode(c.cmd(bad), 501, msg=bad)
        c.expect("RANG 800000 800010", 350)
        self.assertCode(c.cmd("HASH bin.dat"), 554)

    def test_rang_refused_for_uploads(self):
        c = self.raw()
        c.expect("RANG 0 9", 350)
        self.assertCode(c.cmd("STOR new.dat"), 504)
        self.assertFalse(os.path.exists(self.server.path("new.dat")))
        c.expect("RANG 0 9", 350)
        self.assertCode(c.cmd("APPE bin.dat"), 504)
        self.assertEqual(ftptest.read_file(self.server.path("bin.dat")), BIN)

    def test_legacy_forms(self):
        c = self.raw()
        for verb, alg in (("XSHA256", "SHA-256"), ("XSHA1", "SHA-1"), ("XMD5", "MD5"),
                          ("XCRC", "CRC32")):
            r = c.cmd(verb + " bin.dat")
            self.assertEqual(r.lines[0], "250 " + py_hash(alg, BIN))
            r = c.cmd(verb + " bin.dat 4096")
            self.assertEqual(r.lines[0], "250 " + py_hash(alg, BIN[4096:]))
            r = c.cmd(verb + " bin.dat 100 5000")
            self.assertEqual(r.lines[0], "250 " + py_hash(alg, BIN[100:5000]))
            self.assertCode(c.cmd(verb + " bin.dat 5000 100"), 501)
        # A name that exists is taken whole; otherwise trailing numbers are
        # the range.
        self.assertEqual(c.cmd("XMD5 " + SPACES).lines[0],
                         "250 " + py_hash("MD5", b"spaced name\n"))
        self.assertEqual(c.cmd("XMD5 two words 4").lines[0],
                         "250 " + py_hash("MD5", b"the shorter name\n"[4:]))

    def test_errors(self):
        c = self.raw()
        for verb in ("HASH", "XSHA256", "XSHA1", "XMD5", "XCRC"):
            for name in ("dir", "missing.dat", "locked.dat", "/"):
                r = c.cmd("%s %s" % (verb, name))
                self.assertCode(r, 550, msg="%s %s" % (verb, name))
            self.assertCode(c.cmd(verb), 501)
        c.close()
        self.assertEqual(self.server.crash_reports(), [])

    def test_confined(self):
        c = self.raw()
        secret = {py_hash(a, SECRET) for a in ("SHA-256", "SHA-1", "MD5", "CRC32")}
        for verb in ("HASH", "XSHA256", "XSHA1", "XMD5", "XCRC"):
            for name in ("../outside/secret.txt", "/../../outside/secret.txt", "secret_link",
                         os.path.join(self.server.outside, "secret.txt"), "passwd_link",
                         "dir/../../outside/secret.txt", "/etc/passwd"):
                r = c.cmd("%s %s" % (verb, name))
                self.assertCode(r, 550, msg="%s %s" % (verb, name))
                for h in secret:
                    self.assertNotIn(h, r.text)
        # A symlink that stays inside is followed.
        self.assertEqual(self.hash_reply(c.cmd("HASH inside_link"))[3], py_hash("SHA-256", BIN))

    def test_curl_quote(self):
        code, err = self.curl_quote("OPTS HASH CRC32", "HASH bin.dat", "XSHA1 bin.dat")
        self.assertEqual(code, 0, err)
        self.assertIn("< 213 CRC32 0-%d %s bin.dat" % (len(BIN) - 1, py_hash("CRC32", BIN)), err)
        self.assertIn("< 250 " + py_hash("SHA-1", BIN), err)
        # A failed quote command fails curl (its "quote command returned error").
        code, err = self.curl_quote("HASH ../outside/secret.txt")
        self.assertEqual(code, 21, err)


class HashCostTest(ftptest.TestCase):
    """Hashing is work the session does while staying responsive, and the
    session's rate limit paces it."""

    def start(self, args=()):
        srv = ftptest.Server(["--anonymous=rw"] + list(args))
        self.addCleanup(srv.cleanup)
        self.server = srv
        return srv

    def test_abor_during_hash_of_a_large_file(self):
        srv = self.start()
        big = srv.path("big.img")
        size = 32 << 30
        with open(big, "wb") as f:
            f.truncate(size)          # sparse: reads fast, no disk used
        ftptest.prepare(big)
        srv.start()
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        c.send("HASH big.img\r\n")
        # STAT is answered while the hash runs, and shows its progress.
        time.sleep(0.3)
        st = c.cmd("STAT")
        self.assertCode(st, 213)
        m = re.search(r"HASH /big.img: (\d+) of (\d+) bytes", st.text)
        self.assertIsNotNone(m, st)
        self.assertEqual(int(m.group(2)), size)
        t0 = time.monotonic()
        c.send("ABOR\r\n")
        r = c.reply(timeout=5)
        self.assertCode(r, 426)
        m = re.search(r"after (\d+) of (\d+) bytes", r.text)
        self.assertIsNotNone(m, r)
        self.assertLess(int(m.group(1)), size)
        self.assertCode(c.reply(timeout=5), 226)
        self.assertLess(time.monotonic() - t0, 5)
        # The session goes on.
        c.expect("NOOP", 200)
        self.assertCode(c.cmd("XCRC big.img 0 4096"), 250)

    def test_rate_limit_paces_hash(self):
        # The idle timeout is shorter than the hash: a session busy hashing
        # is not idle.
        srv = self.start(["--max-rate", "256K", "--idle-timeout", "1"])
        data = ftptest.random_bytes(640 * 1024, seed=11)
        srv.write("f.dat", data)
        srv.start()
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        t0 = time.monotonic()
        r = c.cmd("HASH f.dat", timeout=30)
        elapsed = time.monotonic() - t0
        self.assertCode(r, 213)
        self.assertIn(py_hash("SHA-256", data), r.text)
        # 640 KiB at 256 KiB/s takes about 2.5 s; unpaced it takes milliseconds.
        self.assertGreater(elapsed, 1.8, "HASH was not paced by --max-rate")
        t0 = time.monotonic()
        self.assertCode(c.cmd("XMD5 f.dat", timeout=30), 250)
        self.assertGreater(time.monotonic() - t0, 1.8, "XMD5 was not paced by --max-rate")
        c.expect("NOOP", 200)


    def test_users_file_rate_paces_hash(self):
        srv = self.start()
        path = os.path.join(srv.base, "users")
        ftptest.write_file(path, "slow:%s::rw:256K\nfast:%s::rw\n" % (
            ftptest.hash_password("pw"), ftptest.hash_password("pw")), mode=0o600)
        srv.args += ["-u", path]
        data = ftptest.random_bytes(640 * 1024, seed=12)
        srv.write("f.dat", data)
        srv.start()
        times = {}
        for user in ("slow", "fast"):
            c = Control(srv)
            self.addCleanup(c.close)
            c.login(user, "pw")
            t0 = time.monotonic()
            r = c.cmd("XSHA1 f.dat", timeout=30)
            times[user] = time.monotonic() - t0
            self.assertEqual(r.lines[0], "250 " + py_hash("SHA-1", data))
        self.assertGreater(times["slow"], 1.8, times)
        self.assertLess(times["fast"], times["slow"] / 2, times)


class AttrTest(ServerTest):
    """MFMT, SITE CHMOD and AVBL for a read-write account whose home is the
    server root."""

    login = (USER, PASSWORD)

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        srv.args = ["-u", ftptest.users_file(srv, USER, PASSWORD, fields="::rw")]
        srv.write("a.txt", b"a\n")
        srv.write("sub/b.txt", b"b\n")
        srv.write(SPACES, b"c\n")
        ftptest.write_file(os.path.join(srv.outside, "secret.txt"), SECRET, mtime=1000000000,
                           mode=0o644)
        srv.symlink("../outside/secret.txt", "secret_link")
        srv.symlink("../outside", "outside_link")
        srv.symlink("a.txt", "inside_link")
        srv.start()
        cls.server = srv

    def assertOutsideUntouched(self):
        st = os.stat(os.path.join(self.server.outside, "secret.txt"))
        self.assertEqual((st.st_mtime, st.st_mode & 0o7777), (1000000000, 0o644))

    def test_mfmt_shows_in_mdtm_mlst_and_on_disk(self):
        c = self.raw()
        r = c.cmd("MFMT %s a.txt" % STAMP)
        self.assertEqual(r.lines[0], "213 Modify=%s; a.txt" % STAMP)
        self.assertEqual(os.stat(self.server.path("a.txt")).st_mtime, STAMP_T)
        self.assertEqual(c.cmd("MDTM a.txt").lines[0], "213 " + STAMP)
        self.assertIn("modify=%s;" % STAMP, c.cmd("MLST a.txt").text.lower())
        # Fractions of a second, a name with spaces, a directory.
        r = c.cmd("MFMT 20200101000000.250 " + SPACES)
        self.assertEqual(r.lines[0], "213 Modify=20200101000000; " + SPACES)
        self.assertAlmostEqual(os.stat(self.server.path(SPACES)).st_mtime,
                               ftptest.parse_stamp("20200101000000") + 0.25, places=3)
        c.expect("MFMT 19990101000000 sub", 213)
        self.assertEqual(os.stat(self.server.path("sub")).st_mtime,
                         ftptest.parse_stamp("19990101000000"))

    def test_mfmt_through_ftplib(self):
        ftp = self.server.ftp(*self.login)
        self.addCleanup(ftp.close)
        ftp.sendcmd("MFMT 20050607080910 sub/b.txt")
        self.assertEqual(ftp.sendcmd("MDTM sub/b.txt"), "213 20050607080910")

    def test_mfmt_bad_input(self):
        c = self.raw()
        before = os.stat(self.server.path("a.txt")).st_mtime
        for bad in ("MFMT 20230231000000 a.txt", "MFMT 2023010100000 a.txt",
                    "MFMT 20230101000000", "MFMT 20230101000000a.txt",
                    "MFMT 20231301000000 a.txt", "MFMT 20230101250000 a.txt",
                    "MFMT 20230101000000. a.txt", "MFMT yesterday a.txt", "MFMT"):
            self.assertCode(c.cmd(bad), 501, msg=bad)
        self.assertCode(c.cmd("MFMT 20230101000000 missing.txt"), 550)
        self.assertEqual(os.stat(self.server.path("a.txt")).st_mtime, before)

    def test_site_chmod(self):
        c = self.raw()
        self.assertCode(c.cmd("SITE CHMOD 640 sub/b.txt"), 200)
        self.assertEqual(os.stat(self.server.path("sub/b.txt")).st_mode & 0o7777, 0o640)
        self.assertCode(c.cmd("site chmod 0755 sub"), 200)
        self.assertEqual(os.stat(self.server.path("sub")).st_mode & 0o7777, 0o755)
        self.assertCode(c.cmd("SITE CHMOD 600 " + SPACES), 200)
        self.assertEqual(os.stat(self.server.path(SPACES)).st_mode & 0o7777, 0o600)
        # Set-user-ID, set-group-ID and sticky bits are refused; so is
        # anything that is not an octal mode.
        self.assertCode(c.cmd("SITE CHMOD 4755 sub/b.txt"), 504)
        for bad in ("SITE CHMOD 8 sub/b.txt", "SITE CHMOD rwx sub/b.txt", "SITE CHMOD 644",
                    "SITE CHMOD", "SITE CHMOD 644x sub/b.txt"):
            self.assertCode(c.cmd(bad), 501, msg=bad)
        self.assertEqual(os.stat(self.server.path("sub/b.txt")).st_mode & 0o7777, 0o640)
        self.assertCode(c.cmd("SITE CHMOD 644 missing.txt"), 550)
        help_ = c.cmd("SITE HELP")
        self.assertCode(help_, 214)
        self.assertIn("CHMOD", help_.text)
        self.assertCode(c.cmd("SITE EXEC /bin/sh"), 502)
        # Spaces between SITE and its command word are skipped, as between
        # words of any command; SITE alone says how it is used.
        self.assertCode(c.cmd("SITE   CHMOD 600 sub/b.txt"), 200)
        self.assertEqual(os.stat(self.server.path("sub/b.txt")).st_mode & 0o7777, 0o600)
        r = c.cmd("SITE   EXEC x")
        self.assertCode(r, 502)
        self.assertIn("Unknown SITE command EXEC (see SITE HELP)", r.text)
        for bare in ("SITE", "SITE    "):
            r = c.cmd(bare)
            self.assertCode(r, 501, msg=bare)
            self.assertIn("SITE HELP", r.text)

    def test_a_file_named_as_a_folder_keeps_its_time_and_mode(self):
        """MFMT and SITE CHMOD of a path ending in a slash (or "/."): a
        file, or a link to one, named so is no folder (550 Not a
        directory) and keeps its time and mode; a folder named so is
        changed as without the slash."""
        path = self.server.path("a.txt")
        before = os.stat(path)
        c = self.raw()
        for arg, shown in (("a.txt/", "/a.txt/"), ("a.txt/.", "/a.txt/"),
                           ("inside_link/", "/inside_link/")):
            for cmd in ("MFMT %s %s" % (STAMP, arg), "SITE CHMOD 600 " + arg):
                self.assertEqual(c.cmd(cmd).lines, ["550 %s: Not a directory." % shown], cmd)
        after = os.stat(path)
        self.assertEqual((after.st_mtime, after.st_mode), (before.st_mtime, before.st_mode))
        sub = self.server.path("sub")
        mode = os.stat(sub).st_mode & 0o777
        try:
            self.assertCode(c.cmd("MFMT %s sub/" % STAMP), 213)
            self.assertEqual(os.stat(sub).st_mtime, STAMP_T)
            self.assertCode(c.cmd("SITE CHMOD 700 sub/."), 200)
            self.assertEqual(os.stat(sub).st_mode & 0o777, 0o700)
        finally:
            os.chmod(sub, mode)

    def test_avbl_matches_statvfs(self):
        c = self.raw()
        for arg in ("", " /", " sub"):
            r = c.cmd("AVBL" + arg)
            self.assertCode(r, 213)
            sv = os.statvfs(self.server.path("sub" if "sub" in arg else ""))
            want = sv.f_bavail * sv.f_frsize
            # Other programs write meanwhile: allow 64 MiB of drift.
            self.assertLess(abs(int(r.lines[0].split()[1]) - want), 64 << 20, r)
        self.assertCode(c.cmd("AVBL a.txt"), 550)
        self.assertCode(c.cmd("AVBL missing"), 550)

    def test_confined(self):
        c = self.raw()
        outside = os.path.join(self.server.outside, "secret.txt")
        for name in ("../outside/secret.txt", "/../outside/secret.txt", "secret_link",
                     outside, "outside_link/secret.txt", "sub/../../outside/secret.txt"):
            self.assertCode(c.cmd("MFMT 20010101000000 " + name), 550, msg=name)
            self.assertCode(c.cmd("SITE CHMOD 777 " + name), 550, msg=name)
            self.assertOutsideUntouched()
        for name in ("../outside", "outside_link", self.server.outside, "/etc"):
            self.assertCode(c.cmd("AVBL " + name), 550, msg=name)
        # A symlink inside the root is followed to its target, which stays
        # inside.
        c.expect("SITE CHMOD 604 inside_link", 200)
        self.assertEqual(os.stat(self.server.path("a.txt")).st_mode & 0o7777, 0o604)

    def test_sandboxed_session_survives(self):
        before = {p for p, _ in self.server.session_pids()}
        c = self.raw()
        pids = ftptest.wait_until(lambda: [p for p, _ in self.server.session_pids()
                                           if p not in before])
        with open("/proc/%d/status" % pids[0]) as f:
            self.assertIn("Seccomp:\t2", f.read())
        c.expect("MFMT 20111111111111 a.txt", 213)
        c.expect("SITE CHMOD 644 a.txt", 200)
        c.expect("AVBL", 213)
        c.expect("XCRC a.txt", 250)
        c.expect("NOOP", 200)
        self.assertEqual(self.server.crash_reports(), [])

    def test_curl_quote(self):
        code, err = self.curl_quote("MFMT 20030405060708 sub/b.txt", "SITE CHMOD 600 sub/b.txt",
                                    "AVBL")
        self.assertEqual(code, 0, err)
        self.assertRegex(err, r"< 213 \d+")
        self.assertIn("< 213 Modify=20030405060708; sub/b.txt", err)
        st = os.stat(self.server.path("sub/b.txt"))
        self.assertEqual((st.st_mtime, st.st_mode & 0o7777),
                         (ftptest.parse_stamp("20030405060708"), 0o600))


class AttrPolicyTest(ftptest.TestCase):
    """The write verbs obey read-only accounts, --no-overwrite and the
    anonymous drop box; the file on disk stays as it was."""

    def serve(self, args):
        srv = ftptest.Server(args)
        self.addCleanup(srv.cleanup)
        srv.write("f.txt", b"f\n", mtime=1000000000)
        srv.start()
        self.server = srv
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        return srv, c

    def assertRefused(self, srv, c):
        self.assertCode(c.cmd("MFMT 20200101000000 f.txt"), 550)
        self.assertCode(c.cmd("SITE CHMOD 600 f.txt"), 550)
        st = os.stat(srv.path("f.txt"))
        self.assertEqual((st.st_mtime, st.st_mode & 0o777), (1000000000, 0o644))

    def test_read_only(self):
        srv, c = self.serve(["--anonymous=ro"])
        self.assertRefused(srv, c)
        # Reading verbs work for it.
        self.assertCode(c.cmd("XCRC f.txt"), 250)
        self.assertCode(c.cmd("AVBL"), 213)

    def test_no_overwrite(self):
        srv, c = self.serve(["--anonymous=rw", "--no-overwrite"])
        self.assertRefused(srv, c)

    def test_drop_box(self):
        srv, c = self.serve(["--anonymous=upload"])
        self.assertRefused(srv, c)
        # It may not read files, so it may not learn their hashes.
        for verb in ("HASH", "XSHA256", "XSHA1", "XMD5", "XCRC"):
            self.assertCode(c.cmd(verb + " f.txt"), 550)

    def test_anonymous_may_not_chmod(self):
        # Anonymous sessions may write, and change file times as they could
        # by uploading again, but not change modes.
        srv, c = self.serve(["--anonymous=rw"])
        r = c.cmd("SITE CHMOD 600 f.txt")
        self.assertCode(r, 550)
        self.assertIn("anonymous", r.text)
        self.assertEqual(os.stat(srv.path("f.txt")).st_mode & 0o777, 0o644)
        c.expect("SITE HELP", 214)
        c.expect("MFMT 20200101000000 f.txt", 213)
        self.assertEqual(os.stat(srv.path("f.txt")).st_mtime,
                         ftptest.parse_stamp("20200101000000"))


class RootAttrTest(ftptest.TestCase):
    """The account's root directory keeps its mode and time: SITE CHMOD and
    MFMT of it are refused like RMD and RNFR of it, however it is named,
    and later sessions still get in."""

    def test_root_refused(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.args = ["-u", ftptest.users_file(srv, USER, PASSWORD, fields="::rw")]
        srv.write("f.txt", b"f\n")
        srv.mkdir("sub")
        srv.symlink(".", "top")
        srv.start()
        os.utime(srv.root, (1000000000, 1000000000))
        mode = os.stat(srv.root).st_mode & 0o7777
        c = Control(srv)
        self.addCleanup(c.close)
        c.login(USER, PASSWORD)
        for name in ("/", ".", "sub/..", "//", "/sub/../.", "top", "/top/"):
            for line, what in (("SITE CHMOD 000 " + name, "mode"),
                               ("MFMT 20200101000000 " + name, "time")):
                r = c.cmd(line)
                self.assertCode(r, 550, msg=line)
                self.assertEqual(r.raw, b"550 Cannot change the %s of the root directory.\r\n"
                                 % what.encode(), line)
            st = os.stat(srv.root)
            self.assertEqual((st.st_mode & 0o7777, st.st_mtime), (mode, 1000000000), name)
        for line in ("RMD /", "RNFR /"):
            r = c.cmd(line)
            self.assertCode(r, 550, msg=line)
            self.assertIn("root directory", r.text, line)
        # What is below it still changes.
        c.expect("SITE CHMOD 700 sub", 200)
        c.expect("SITE CHMOD 640 top/f.txt", 200)
        self.assertEqual(os.stat(srv.path("f.txt")).st_mode & 0o7777, 0o640)
        c.expect("MFMT 20200101000000 sub/..", 550)
        c.expect("MFMT 20200101000000 sub", 213)
        self.assertEqual(os.stat(srv.path("sub")).st_mode & 0o7777, 0o700)
        # A new session logs in and lists the root.
        ftp = srv.ftp(USER, PASSWORD)
        self.addCleanup(ftp.close)
        self.assertIn("f.txt", ftp.nlst())


if __name__ == "__main__":
    unittest.main()
