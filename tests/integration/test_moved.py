"""ferryd: folders that another session renames under a session's feet.

A session's working directory is a name (ferryd(8), CONFINEMENT): once
another session renames the folder, relative names fail with 550 and
touch nothing, until a CWD or a new folder of that name. A transfer
already under way keeps its file: an upload lands in the renamed folder,
and the transfer log (ferryd's log and --xferlog) names the file where
it is, not where it was. An upload that fails removes only its own file."""

import os
import re
import select
import time
import unittest

import ftptest
from ftptest import Control
from test_xferlog import parse

OLD = b"already here\n"
HEAD = ftptest.random_bytes(64 << 10, seed=11)
TAIL = ftptest.random_bytes(64 << 10, seed=12)
BIG = 256 << 20          # sparse: large enough to fill every socket buffer


class MovedTest(ftptest.TestCase):

    def setUp(self):
        srv = ftptest.Server()
        self.xferlog = os.path.join(srv.base, "xferlog")
        srv.args = ["--anonymous=rw", "--xferlog", self.xferlog]
        srv.write("d/old.txt", OLD)
        big = srv.path("d", "big.bin")
        with open(big, "wb") as f:
            f.truncate(BIG)
        ftptest.prepare(big)
        srv.start()
        self.addCleanup(srv.cleanup)
        self.server = srv

    def session(self, cwd=None):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        c.expect("TYPE I", 200)
        if cwd:
            c.expect("CWD " + cwd, 250)
        return c

    def rename(self, src, dst):
        """Another session renames src to dst."""
        c = self.session()
        c.expect("RNFR " + src, 350)
        c.expect("RNTO " + dst, 250)
        c.close()

    def logged(self, verb, n=1):
        """The paths of the first n transfers of verb in ferryd's log and
        in the xferlog (bounded wait)."""
        pat = r"transfer: peer=\S+ user=\S+ %s (\S+) " % verb
        ftptest.wait_until(lambda: len(re.findall(pat, self.server.log_text())) >= n)
        ftptest.wait_until(lambda: len(self.xferlog_lines()) >= n)
        return (re.findall(pat, self.server.log_text()),
                [parse(l)["name"] for l in self.xferlog_lines()])

    def xferlog_lines(self):
        try:
            with open(self.xferlog, encoding="utf-8") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def store(self, c, name):
        """A whole STOR of HEAD as name on c."""
        data = c.open_pasv()
        c.expect("STOR " + name, 150)
        data.sendall(HEAD)
        data.close()
        self.assertCode(c.reply(), 226)

    def upload_begins(self, cmd, cwd="d"):
        """Starts an upload in cwd and sends its first part; returns
        (control, data, 150 reply)."""
        c = self.session(cwd)
        data = c.open_pasv()
        self.addCleanup(data.close)
        r = c.expect(cmd, 150)
        data.sendall(HEAD)
        time.sleep(0.2)
        return c, data, r

    # -- the working directory is a name --

    def test_relative_names_in_a_renamed_cwd_fail(self):
        a = self.session("d")
        self.rename("d", "e")
        r = a.expect("PWD", 257)
        self.assertIn('"/d"', r.text)
        data = a.open_pasv()
        r = a.cmd("STOR f.txt")
        data.close()
        self.assertCode(r, 550)
        self.assertIn("/d/f.txt", r.text)
        # The refused STOR used up its channel: RETR gets one of its own.
        data = a.open_pasv()
        r = a.cmd("RETR old.txt")
        data.close()
        self.assertCode(r, 550)
        self.assertCode(a.cmd("DELE old.txt"), 550)
        self.assertCode(a.cmd("MKD sub"), 550)
        self.assertEqual(sorted(os.listdir(self.server.root)), ["e"])
        self.assertEqual(sorted(os.listdir(self.server.path("e"))), ["big.bin", "old.txt"])
        # CWD to the new name, and all works there.
        a.expect("CWD /e", 250)
        self.store(a, "f.txt")
        self.assertEqual(ftptest.read_file(self.server.path("e", "f.txt")), HEAD)
        self.assertEqual(self.logged("STOR"), (["/e/f.txt"], ["/e/f.txt"]))

    def test_a_new_folder_of_the_old_name_takes_relative_names(self):
        a = self.session("d")
        self.rename("d", "e")
        self.session().expect("MKD /d", 257)
        self.store(a, "f.txt")
        self.assertEqual(ftptest.read_file(self.server.path("d", "f.txt")), HEAD)
        self.assertFalse(os.path.exists(self.server.path("e", "f.txt")))
        self.assertEqual(self.logged("STOR"), (["/d/f.txt"], ["/d/f.txt"]))

    # -- transfers under way keep their file; the log names where it is --

    def check_upload_lands_in_renamed(self, verb, cmd, name, before=b""):
        c, data, r = self.upload_begins(cmd)
        if verb == "STOU":
            name = re.search(r"FILE: (\S+)", r.text).group(1)
        self.rename("d", "e")
        data.sendall(TAIL)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertFalse(os.path.exists(self.server.path("d")))
        self.assertEqual(ftptest.read_file(self.server.path("e", name)), before + HEAD + TAIL)
        where = "/e/" + name
        self.assertEqual(self.logged(verb), ([where], [where]))

    def test_stor_into_a_folder_renamed_meanwhile(self):
        self.check_upload_lands_in_renamed("STOR", "STOR f.txt", "f.txt")

    def test_stor_replacing_in_a_folder_renamed_meanwhile(self):
        self.check_upload_lands_in_renamed("STOR", "STOR old.txt", "old.txt")

    def test_appe_into_a_folder_renamed_meanwhile(self):
        self.check_upload_lands_in_renamed("APPE", "APPE old.txt", "old.txt", before=OLD)

    def test_resumed_stor_into_a_folder_renamed_meanwhile(self):
        c = self.session("d")
        c.expect("REST 4", 350)
        data = c.open_pasv()
        self.addCleanup(data.close)
        c.expect("STOR old.txt", 150)
        data.sendall(HEAD)
        time.sleep(0.2)
        self.rename("d", "e")
        data.sendall(TAIL)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(ftptest.read_file(self.server.path("e", "old.txt")),
                         OLD[:4] + HEAD + TAIL)
        self.assertEqual(self.logged("STOR"), (["/e/old.txt"], ["/e/old.txt"]))

    def test_stou_into_a_folder_renamed_meanwhile(self):
        self.check_upload_lands_in_renamed("STOU", "STOU u.txt", None)

    def test_retr_from_a_folder_renamed_meanwhile(self):
        c = self.session("d")
        data = c.open_pasv(rcvbuf=32768)
        self.addCleanup(data.close)
        c.expect("RETR big.bin", 150)
        self.assertTrue(select.select([data], [], [], 10)[0], "no data after RETR")
        time.sleep(0.3)
        self.rename("d", "e")
        got = ftptest.recv_all(data, timeout=60)
        self.assertEqual(len(got), BIG)
        self.assertCode(c.reply(timeout=30), 226)
        self.assertEqual(self.logged("RETR"), (["/e/big.bin"], ["/e/big.bin"]))

    # -- a failed upload removes its own file only --

    def test_failed_stou_leaves_a_new_file_of_its_old_name(self):
        c, data, r = self.upload_begins("STOU u.txt")
        name = re.search(r"FILE: (\S+)", r.text).group(1)
        self.rename("d", "e")
        # Another session makes a new d with a file of the STOU's name.
        b = self.session()
        b.expect("MKD /d", 257)
        self.store(b, "/d/" + name)
        # The STOU is aborted: nothing of it is stored, and the other
        # file stays.
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426, 226)
        data.close()
        ftptest.wait_until(lambda: not os.path.exists(self.server.path("e", name)))
        self.assertCode(c.cmd("NOOP"), 200, 226)
        self.assertEqual(ftptest.read_file(self.server.path("d", name)), HEAD)
        self.assertFalse(os.path.exists(self.server.path("e", name)))


if __name__ == "__main__":
    unittest.main()
