"""ferryd: bad input on the control connection gets an FTP reply and the
session goes on. Over-long lines, Telnet IAC sequences, NUL and garbage
bytes, unknown verbs, commands out of sequence, bad arguments, missing files
and refused permissions (anonymous is read-only by default)."""

import io
import os
import time
import unittest

import ftptest
from ftptest import Control


class BadInputTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server()          # anonymous read-only (the default)
        cls.addClassCleanup(srv.cleanup)
        srv.write("hello.txt", b"hello world\n")
        srv.write("dir/inner.txt", b"inner\n")
        srv.start()
        cls.server = srv
        cls.snapshot = ftptest.tree_snapshot(srv.root)

    def tearDown(self):
        # Nothing a bad command does may change the files.
        self.assertEqual(ftptest.tree_snapshot(self.server.root), self.snapshot)

    def raw(self, login=True):
        c = Control(self.server)
        self.addCleanup(c.close)
        if login:
            c.login()
        return c

    def assertAlive(self, c):
        self.assertCode(c.cmd("NOOP"), 200, msg="(session should go on)")

    def assertError(self, r, lo=500, hi=599):
        if not lo <= r.code <= hi:
            self.fail("expected a %d-%d reply, got %r%s" % (lo, hi, r, self._log()))

    # -- line length --

    def test_long_line_gets_500(self):
        c = self.raw()
        r = c.cmd(b"NOOP " + b"A" * 5000)
        self.assertCode(r, 500)
        self.assertAlive(c)

    def test_long_line_before_login(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd(b"USER " + b"u" * 10000), 500)
        self.assertAlive(c)
        c.login()
        self.assertAlive(c)

    def test_long_line_rest_is_discarded(self):
        # The part past the limit must not be read as a command of its own:
        # here it would be QUIT.
        c = self.raw()
        line = b"NOOP" + b" " * 4200 + b"QUIT"
        c.send(line + b"\r\nNOOP\r\n")
        self.assertCode(c.reply(), 500)
        self.assertCode(c.reply(), 200)
        self.assertAlive(c)

    def test_very_long_line(self):
        c = self.raw()
        c.send(b"STOR " + b"x" * 300000 + b"\r\n")
        self.assertCode(c.reply(), 500)
        self.assertAlive(c)

    def test_line_at_the_limit_is_accepted(self):
        # 4096 bytes without the CRLF is still a command line; one more is not.
        c = self.raw()
        arg = b"/" + b"d" * (4096 - len(b"SIZE /"))
        line = b"SIZE " + arg
        self.assertEqual(len(line), 4096)
        r = c.cmd(line)
        self.assertError(r)
        self.assertNotEqual(r.code, 500, r)
        self.assertCode(c.cmd(line + b"d"), 500)
        self.assertAlive(c)

    def test_long_line_in_pieces(self):
        # An over-long line that arrives in many small writes.
        c = self.raw()
        for _ in range(10):
            c.send(b"B" * 1000)
            time.sleep(0.01)
        c.send(b"\r\n")
        self.assertCode(c.reply(), 500)
        self.assertAlive(c)

    # -- Telnet --

    def test_telnet_ip_dm_stripped(self):
        c = self.raw()
        self.assertCode(c.cmd(b"\xff\xf4\xff\xf2NOOP"), 200)
        self.assertAlive(c)

    def test_telnet_option_negotiation_stripped(self):
        c = self.raw()
        # IAC WILL ECHO, IAC DO SGA before the verb.
        self.assertCode(c.cmd(b"\xff\xfb\x01\xff\xfd\x03NOOP"), 200)
        self.assertAlive(c)

    def test_telnet_before_login(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd(b"\xff\xf4\xff\xf2USER anonymous"), 331)
        self.assertCode(c.cmd(b"PASS x@y"), 230)

    def test_lone_iac_at_end_of_line(self):
        c = self.raw()
        r = c.cmd(b"NOOP\xff")
        self.assertTrue(r.code == 200 or 500 <= r.code <= 599, r)
        self.assertAlive(c)

    # -- odd bytes --

    def test_nul_bytes(self):
        c = self.raw()
        self.assertError(c.cmd(b"NO\x00OP"))
        self.assertAlive(c)
        self.assertError(c.cmd(b"\x00\x00\x00\x00"))
        self.assertAlive(c)

    def test_garbage_bytes(self):
        c = self.raw()
        self.assertError(c.cmd(b"\x80\x81\xfe"))
        self.assertAlive(c)
        self.assertError(c.cmd(bytes(range(1, 9)) + bytes(range(0x80, 0xff))))
        self.assertAlive(c)

    def test_garbage_before_login(self):
        c = self.raw(login=False)
        self.assertError(c.cmd(b"\x80\x81\xfe"))
        self.assertAlive(c)

    def test_empty_and_blank_lines(self):
        c = self.raw()
        self.assertError(c.cmd(b""))
        self.assertError(c.cmd(b"   "))
        self.assertAlive(c)

    def test_unknown_verbs(self):
        c = self.raw()
        for verb in (b"FOOBAR", b"XYZZY arg", b"SITE EXEC /bin/sh", b"A", b"RETRX hello.txt"):
            with self.subTest(verb=verb):
                self.assertCode(c.cmd(verb), 500, 502, 504)
        self.assertAlive(c)

    def test_many_commands_in_one_packet(self):
        c = self.raw()
        c.send(b"NOOP\r\n" * 100)
        for i in range(100):
            self.assertCode(c.reply(), 200, msg="reply %d" % i)
        self.assertAlive(c)

    def test_command_split_across_packets(self):
        c = self.raw()
        for b in b"NOOP\r\n":
            c.send(bytes([b]))
            time.sleep(0.01)
        self.assertCode(c.reply(), 200)

    # -- sequence --

    def test_rnto_without_rnfr(self):
        # Read-only here: the refusal may be the permission (550) or the
        # sequence (503); test_verbs checks 503 on a writable account.
        c = self.raw()
        self.assertCode(c.cmd("RNTO hello2.txt"), 503, 550)
        self.assertAlive(c)

    def test_pass_without_user(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd("PASS secret"), 503, 530)
        self.assertAlive(c)
        c.login()

    # -- arguments --

    def test_bad_arguments(self):
        c = self.raw()
        cases = [
            ("TYPE X", (501, 504)),
            ("TYPE", (501,)),
            ("MODE Z", (501, 504)),
            ("STRU Q", (501, 504)),
            ("REST abc", (501,)),
            ("REST -1", (501,)),
            ("REST", (501,)),
            ("REST 99999999999999999999999999", (501,)),
            ("PORT 1,2,3", (501,)),
            ("PORT 127,0,0,1,300,1", (501,)),
            ("PORT 127,0,0,1,1", (501,)),
            ("PORT a,b,c,d,e,f", (501,)),
            ("PORT", (501,)),
            ("EPRT |1|127.0.0.1|", (501,)),
            ("EPRT garbage", (501,)),
            ("EPRT |1|not.an.ip|5000|", (501,)),
            ("EPRT |3|127.0.0.1|5000|", (501, 522)),
            ("EPRT |1|127.0.0.1|99999|", (501,)),
            ("EPSV 7", (501, 522)),
            ("ALLO abc", (501, 202)),
            ("RETR", (501,)),
            ("SIZE", (501,)),
            ("MDTM", (501,)),
            # Write verbs: anonymous is read-only here, so 550 may come first.
            ("MKD", (501, 550)),
            ("RMD", (501, 550)),
            ("DELE", (501, 550)),
            ("RNFR", (501, 550)),
        ]
        for cmd, codes in cases:
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), *codes, msg="for " + cmd)
        self.assertAlive(c)

    def test_user_without_name(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd("USER"), 501)
        self.assertAlive(c)
        c.login()

    def test_rest_then_bad_command_keeps_session(self):
        c = self.raw()
        self.assertCode(c.cmd("REST 5"), 350)
        self.assertCode(c.cmd("REST 5x"), 501)
        self.assertAlive(c)

    # -- missing files --

    def test_missing_files(self):
        c = self.raw()
        for cmd in ("SIZE nope", "MDTM nope", "CWD nope", "RNFR nope", "DELE nope",
                    "MLST nope", "SIZE dir/nope", "CWD hello.txt/x"):
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 550, msg="for " + cmd)
        self.assertAlive(c)

    def test_retr_missing_file(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        self.assertFtpError(550, self.retr, f, "nope")
        self.assertFtpError(550, self.retr, f, "dir")
        self.assertTrue(f.voidcmd("NOOP").startswith("200"))

    # -- permissions: anonymous is read-only --

    def test_read_only_anonymous_refused_writes(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        for cmd in ("STOR new.txt", "STOR hello.txt", "APPE hello.txt", "STOU hello.txt"):
            with self.subTest(cmd=cmd):
                self.assertFtpError(550, f.storbinary, cmd, io.BytesIO(b"data"))
        c = self.raw()
        for cmd in ("DELE hello.txt", "MKD newdir", "XMKD newdir", "RMD dir", "XRMD dir",
                    "RNFR hello.txt"):
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 550, msg="for " + cmd)
        self.assertCode(c.cmd("RNTO other.txt"), 503, 550)
        self.assertAlive(c)
        # Reading still works.
        self.assertEqual(self.retr(f, "hello.txt"), b"hello world\n")

    def test_permission_denied_text(self):
        c = self.raw()
        r = c.cmd("DELE hello.txt")
        self.assertCode(r, 550)
        self.assertIn("Permission denied", r.text)


class WritableSequenceTest(ftptest.TestCase):
    """Commands out of sequence on a writable account."""

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("hello.txt", b"hello world\n")
        srv.start()
        cls.server = srv

    def test_rnto_without_rnfr(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("RNTO hello2.txt"), 503)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertEqual(sorted(os.listdir(self.server.root)), ["hello.txt"])

    def test_rnfr_failure_leaves_nothing_pending(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("RNFR nosuchfile"), 550)
        self.assertCode(c.cmd("RNTO hello2.txt"), 503)
        self.assertEqual(sorted(os.listdir(self.server.root)), ["hello.txt"])

    def test_write_verbs_without_argument(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        for cmd in ("MKD", "RMD", "DELE", "RNFR", "XMKD", "XRMD"):
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 501, msg="for " + cmd)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertEqual(sorted(os.listdir(self.server.root)), ["hello.txt"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
