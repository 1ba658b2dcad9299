"""ferryd: every session stays below the server root. Paths with "..",
absolute paths, symlinks inside the root that point out of it (to /etc, to a
file or a directory beside the root), renames and directories made with ".."
must neither reveal nor change anything outside. Checked on disk and in
what comes back, not only by reply codes."""

import os
import re
import unittest

import ftptest
from ftptest import Control, read_file

SECRET = b"TOP SECRET: outside the server root\n"
ETC_NAMES = set(os.listdir("/etc"))
LEAKS = (b"root:x:0:0", b"root:*:0:0", SECRET.strip())
LS_NAME = re.compile(r"^\S{10}\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\d+\s+\S+ (.+)$")


class ConfineTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("hello.txt", b"hello inside\n")
        srv.write("pub/file.txt", b"pub file\n")
        ftptest.write_file(os.path.join(srv.outside, "secret.txt"), SECRET)
        srv.symlink("/etc", "etc_link")
        srv.symlink("/etc/passwd", "passwd_link")
        srv.symlink("../outside/secret.txt", "secret_link")
        srv.symlink(srv.outside, "outside_link")
        srv.symlink("../../outside", "pub/up_link")
        srv.start()
        cls.server = srv

    def setUp(self):
        self.outside_before = ftptest.tree_snapshot(self.server.outside)
        self.base_before = set(os.listdir(self.server.base))
        self.etc_before = set(os.listdir("/etc"))

    def tearDown(self):
        self.assertOutsideUnchanged()

    def assertOutsideUnchanged(self):
        self.assertEqual(ftptest.tree_snapshot(self.server.outside), self.outside_before,
                         "the directory beside the root changed")
        self.assertEqual(set(os.listdir(self.server.base)), self.base_before,
                         "the directory holding the root changed")
        self.assertEqual(set(os.listdir("/etc")), self.etc_before, "/etc changed")
        self.assertEqual(read_file(os.path.join(self.server.outside, "secret.txt")), SECRET)

    def raw(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        return c

    def pwd(self, c):
        r = c.cmd("PWD")
        self.assertCode(r, 257)
        return re.match(r'257 "(.*)"', r.lines[0]).group(1)

    def assertNoLeak(self, data, what=""):
        for leak in LEAKS:
            self.assertNotIn(leak, data, "contents from outside the root leaked %s" % what)

    def transfer(self, c, cmd, upload=None):
        """Runs a data command over PASV; returns (final reply, bytes read)."""
        data = c.open_pasv()
        try:
            r = c.cmd(cmd)
            got = b""
            if r.code in (125, 150):
                if upload is not None:
                    data.sendall(upload)
                    data.close()
                else:
                    got = ftptest.recv_all(data)
                r = c.reply()
            return r, got
        finally:
            data.close()

    def listing_names(self, c, cmd):
        r, got = self.transfer(c, cmd)
        self.assertNoLeak(got, "by " + cmd)
        names = set()
        for line in got.decode("utf-8", "replace").splitlines():
            m = LS_NAME.match(line)
            if m:
                name = m.group(1).split(" -> ")[0]
            elif ";" in line and " " in line:
                name = line.split(" ", 1)[1]      # MLSD
            else:
                name = line                        # NLST
            names.add(name.rsplit("/", 1)[-1])
        return r, names

    # -- navigation --

    def test_cwd_dotdot_stays_at_root(self):
        c = self.raw()
        for path in ("..", "../../..", "/..", "/../../..", "../", "./../."):
            with self.subTest(path=path):
                r = c.cmd("CWD " + path)
                self.assertCode(r, 250, 550)
                self.assertEqual(self.pwd(c), "/")
        r, names = self.listing_names(c, "NLST")
        self.assertCode(r, 226)
        self.assertEqual(names, set(os.listdir(self.server.root)))
        self.assertCode(c.cmd("CWD pub"), 250)
        self.assertCode(c.cmd("CWD ../../../.."), 250, 550)
        self.assertIn(self.pwd(c), ("/", "/pub"))
        self.assertCode(c.cmd("CDUP"), 200, 250, 550)
        self.assertCode(c.cmd("CDUP"), 200, 250, 550)
        self.assertEqual(self.pwd(c), "/")

    def test_cwd_outside_names(self):
        c = self.raw()
        for path in ("../outside", "/etc", "../../etc", "~root", "../root"):
            with self.subTest(path=path):
                self.assertCode(c.cmd("CWD " + path), 550)
                self.assertEqual(self.pwd(c), "/")

    def test_list_dotdot_shows_root_only(self):
        c = self.raw()
        for cmd in ("LIST ..", "LIST ../..", "NLST ../..", "MLSD ..", "LIST /.."):
            with self.subTest(cmd=cmd):
                r, names = self.listing_names(c, cmd)
                self.assertFalse(names & {"outside", "ferryd.log", "root"}, names)
                if r.code == 226:
                    self.assertEqual(names, set(os.listdir(self.server.root)) , cmd)
                else:
                    self.assertCode(r, 450, 550)

    # -- reading outside --

    def test_retr_outside_paths(self):
        c = self.raw()
        for path in ("../../etc/passwd", "/etc/passwd", "../outside/secret.txt",
                     "/../outside/secret.txt", "../../../../../../../../etc/passwd",
                     "pub/../../outside/secret.txt", "..\\..\\etc\\passwd", "//etc/passwd",
                     "./../outside/secret.txt"):
            with self.subTest(path=path):
                r, got = self.transfer(c, "RETR " + path)
                self.assertNoLeak(got, "by RETR " + path)
                self.assertCode(r, 550, msg="RETR " + path)
                self.assertCode(c.cmd("SIZE " + path), 550)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_retr_directory_refused(self):
        c = self.raw()
        for path in ("/", "pub", "..", "etc_link", "outside_link"):
            with self.subTest(path=path):
                r, got = self.transfer(c, "RETR " + path)
                self.assertCode(r, 550)
                self.assertEqual(got, b"")

    def test_symlink_to_etc(self):
        c = self.raw()
        # The link itself may be listed in the root...
        r, names = self.listing_names(c, "LIST")
        self.assertIn("etc_link", names)
        # ...but nothing reaches /etc through it.
        self.assertCode(c.cmd("CWD etc_link"), 550)
        self.assertEqual(self.pwd(c), "/")
        for cmd in ("LIST etc_link", "NLST etc_link", "MLSD etc_link", "LIST etc_link/",
                    "NLST etc_link/*", "LIST etc_link/."):
            with self.subTest(cmd=cmd):
                r, names = self.listing_names(c, cmd)
                self.assertFalse(names & ETC_NAMES, "%s showed /etc: %s" % (cmd, names & ETC_NAMES))
                if r.code != 226:
                    self.assertCode(r, 450, 550)
        for path in ("etc_link/passwd", "etc_link/hostname", "/etc_link/passwd"):
            with self.subTest(path=path):
                r, got = self.transfer(c, "RETR " + path)
                self.assertNoLeak(got)
                self.assertEqual(got, b"")
                self.assertCode(r, 550)
                self.assertCode(c.cmd("SIZE " + path), 550)
                self.assertCode(c.cmd("MDTM " + path), 550)
                self.assertCode(c.cmd("MLST " + path), 550)
        r = c.cmd("STAT etc_link")
        listed = set(re.findall(r"[\w.+-]+", r.text))
        telltale = {"passwd", "group", "hostname", "hosts", "fstab", "os-release",
                    "shadow", "apt", "ssl", "ld.so.cache"} & ETC_NAMES
        self.assertFalse(listed & telltale, "STAT etc_link showed /etc: %r" % r)

    def test_symlink_to_file_outside(self):
        c = self.raw()
        for path in ("passwd_link", "secret_link", "/secret_link"):
            with self.subTest(path=path):
                r, got = self.transfer(c, "RETR " + path)
                self.assertNoLeak(got, "by RETR " + path)
                self.assertEqual(got, b"")
                self.assertCode(r, 550)
                self.assertCode(c.cmd("SIZE " + path), 550)
                r = c.cmd("MLST " + path)
                self.assertNotIn("size=%d;" % len(SECRET), r.text)

    def test_symlink_to_directory_outside(self):
        c = self.raw()
        for link in ("outside_link", "pub/up_link"):
            with self.subTest(link=link):
                self.assertCode(c.cmd("CWD " + link), 550)
                self.assertEqual(self.pwd(c), "/")
                r, got = self.transfer(c, "RETR %s/secret.txt" % link)
                self.assertNoLeak(got)
                self.assertCode(r, 550)
                r, names = self.listing_names(c, "NLST " + link)
                self.assertNotIn("secret.txt", names)
                r, got = self.transfer(c, "STOR %s/evil.txt" % link, upload=b"evil")
                self.assertCode(r, 550, 553)
                r, got = self.transfer(c, "APPE %s/secret.txt" % link, upload=b"evil")
                self.assertCode(r, 550, 553)
                self.assertCode(c.cmd("MKD %s/newdir" % link), 550)
                self.assertCode(c.cmd("DELE %s/secret.txt" % link), 550)
                self.assertCode(c.cmd("RNFR %s/secret.txt" % link), 550)
                self.assertOutsideUnchanged()

    def test_rename_out_through_symlink(self):
        c = self.raw()
        for target in ("outside_link/moved.txt", "pub/up_link/moved.txt"):
            with self.subTest(target=target):
                self.assertCode(c.cmd("RNFR hello.txt"), 350)
                self.assertCode(c.cmd("RNTO " + target), 550, 553)
                self.assertEqual(read_file(self.server.path("hello.txt")), b"hello inside\n")
                self.assertOutsideUnchanged()

    def test_rnto_dotdot(self):
        c = self.raw()
        self.assertCode(c.cmd("RNFR hello.txt"), 350)
        r = c.cmd("RNTO ../outside/moved.txt")
        self.assertCode(r, 550, 553)
        self.assertEqual(read_file(self.server.path("hello.txt")), b"hello inside\n")
        self.assertOutsideUnchanged()
        # "../../moved.txt" names /moved.txt inside the root, if anywhere.
        self.assertCode(c.cmd("RNFR hello.txt"), 350)
        r = c.cmd("RNTO ../../moved.txt")
        self.assertCode(r, 250, 550, 553)
        self.assertOutsideUnchanged()
        if r.code == 250:
            self.assertEqual(read_file(self.server.path("moved.txt")), b"hello inside\n")
            os.rename(self.server.path("moved.txt"), self.server.path("hello.txt"))
        self.assertTrue(os.path.isfile(self.server.path("hello.txt")))

    def test_mkd_dotdot(self):
        c = self.raw()
        for path, inside in (("../x", "x"), ("../../../y", "y"), ("/../z", "z")):
            with self.subTest(path=path):
                r = c.cmd("MKD " + path)
                self.assertCode(r, 257, 550)
                self.assertOutsideUnchanged()
                if r.code == 257:
                    self.assertTrue(os.path.isdir(self.server.path(inside)))
                    self.assertIn('"/%s"' % inside, r.lines[0])
                    os.rmdir(self.server.path(inside))
        self.assertCode(c.cmd("MKD ../outside/newdir"), 550)

    def test_stor_dotdot(self):
        c = self.raw()
        r, _ = self.transfer(c, "STOR ../evil.txt", upload=b"evil")
        self.assertCode(r, 226, 550, 553)
        self.assertOutsideUnchanged()
        if r.code == 226:
            self.assertEqual(read_file(self.server.path("evil.txt")), b"evil")
            os.unlink(self.server.path("evil.txt"))
        r, _ = self.transfer(c, "STOR ../outside/secret.txt", upload=b"evil")
        self.assertCode(r, 550, 553)

    def test_dele_and_rmd_outside(self):
        c = self.raw()
        for cmd in ("DELE ../outside/secret.txt", "DELE /../outside/secret.txt",
                    "RMD ../outside", "RMD outside_link/.", "DELE ../ferryd.log"):
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 550)
        self.assertTrue(os.path.isdir(self.server.root))

    def test_symlink_planted_during_session(self):
        c = self.raw()
        self.assertCode(c.cmd("CWD pub"), 250)
        link = self.server.symlink("/etc", "pub/late_link")
        self.addCleanup(os.unlink, link)
        r, got = self.transfer(c, "RETR late_link/passwd")
        self.assertNoLeak(got)
        self.assertCode(r, 550)
        self.assertCode(c.cmd("CWD late_link"), 550)
        self.assertEqual(self.pwd(c), "/pub")

    def test_directory_swapped_for_symlink(self):
        # The working directory is replaced by a symlink out of the root while
        # the session sits in it; later commands must not follow it.
        self.server.write("swap/own.txt", b"own\n")
        c = self.raw()
        self.assertCode(c.cmd("CWD swap"), 250)
        os.rename(self.server.path("swap"), self.server.path("swap_old"))
        self.server.symlink(self.server.outside, "swap")

        def restore():
            os.unlink(self.server.path("swap"))
            os.rename(self.server.path("swap_old"), self.server.path("swap"))
        self.addCleanup(restore)
        r, got = self.transfer(c, "RETR secret.txt")
        self.assertNoLeak(got)
        self.assertCode(r, 550)
        r, names = self.listing_names(c, "NLST")
        self.assertNotIn("secret.txt", names)
        # Writing may only land in the real directory (now swap_old), never
        # beside the root; tearDown checks the outside.
        r, _ = self.transfer(c, "STOR planted.txt", upload=b"x")
        self.assertCode(r, 226, 550, 553)
        if r.code == 226:
            self.assertEqual(read_file(self.server.path("swap_old", "planted.txt")), b"x")
        r = c.cmd("MKD planted_dir")
        self.assertCode(r, 257, 550)
        if r.code == 257:
            self.assertTrue(os.path.isdir(self.server.path("swap_old", "planted_dir")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
