"""ferryd: a full disk. An upload that runs out of space answers 452, leaves
the old file exactly as it was and no temporary behind, and the session
goes on. The small file system is a 1 MiB tmpfs mounted inside the server
root for the length of the test (mounting needs root, which the project's
quickstart runs as)."""

import os
import subprocess
import unittest

import ftptest
from ftptest import Control, read_file

OLD = b"contents that must survive a full disk\n" * 10


class DiskFullTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("test_diskfull mounts a tmpfs and must run as root")
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        cls.small = srv.mkdir("small")
        uid, gid = ftptest.session_ids()
        subprocess.run(["mount", "-t", "tmpfs", "-o",
                        "size=1m,mode=0755,uid=%d,gid=%d" % (uid, gid), "tmpfs", cls.small],
                       check=True, timeout=10)
        cls.addClassCleanup(subprocess.run, ["umount", "-l", cls.small], timeout=10)
        ftptest.write_file(os.path.join(cls.small, "keep.bin"), OLD)
        srv.start()
        cls.server = srv

    def test_full_disk_answers_452_and_keeps_old_file(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("STOR small/keep.bin"), 150)
        try:
            data.sendall(ftptest.random_bytes(3 << 20, seed=3))
        except OSError:
            pass   # the server may stop reading once the disk is full
        data.close()
        self.assertCode(c.reply(), 452)
        self.assertEqual(read_file(os.path.join(self.small, "keep.bin")), OLD)
        self.assertEqual(sorted(os.listdir(self.small)), ["keep.bin"])
        # The space came back: the session goes on and a small upload works.
        self.assertCode(c.cmd("NOOP"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("STOR small/after.txt"), 150)
        data.sendall(b"fits\n")
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(os.path.join(self.small, "after.txt")), b"fits\n")

    def test_full_disk_during_appe_says_what_was_appended(self):
        # APPE writes in place: what arrived before the disk filled stays,
        # and the reply says so instead of claiming the upload was discarded.
        path = os.path.join(self.small, "log.txt")
        ftptest.write_file(path, OLD)
        self.addCleanup(os.unlink, path)
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("APPE small/log.txt"), 150)
        try:
            data.sendall(ftptest.random_bytes(3 << 20, seed=4))
        except OSError:
            pass
        data.close()
        r = c.reply()
        self.assertCode(r, 452)
        self.assertNotIn("discarded", r.text)
        kept = os.stat(path).st_size - len(OLD)
        self.assertGreater(kept, 0)
        self.assertIn("%d bytes were appended" % kept, r.text)
        self.assertTrue(read_file(path).startswith(OLD))

    def test_ferry_put_reports_the_full_disk(self):
        """ferry uploading onto the full disk: the server stops reading and
        resets the data connection; ferry reports the server's 452 (status
        5, a refusal), does not send the file again with --retry, and the
        old file stays."""
        import clitest
        src = os.path.join(self.server.base, "big.bin")
        ftptest.write_file(src, ftptest.random_bytes(3 << 20, seed=5))
        r = subprocess.run([clitest.FERRY, "--tls=off", "--retry", "2", "-v", "-c",
                            "put %s small/keep.bin" % src,
                            "ftp://%s:%d/" % (self.server.host, self.server.port)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
        errors = [l for l in r.stderr.splitlines() if l.startswith("ferry: ")]
        self.assertEqual(r.returncode, clitest.REFUSED, r.stderr)
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertRegex(errors[0], r"^ferry: put .*: 452 ", r.stderr)
        self.assertEqual(len([l for l in r.stderr.splitlines() if l.startswith("--> STOR ")]),
                         1, r.stderr)
        self.assertEqual(read_file(os.path.join(self.small, "keep.bin")), OLD)


if __name__ == "__main__":
    unittest.main(verbosity=2)
