"""ferryd with two sessions on one file at once: a reader gets the old or
the new file whole while a STOR replaces it; DELE, RNFR/RNTO and APPE
while a STOR of the name runs; RNTO of a file another session deleted
after RNFR (the reply names the file that is gone); and the log's line of
a rename, which names both paths; under --no-overwrite, the second of two
uploads to a new name is refused and says why."""

import os
import re
import unittest

import ftptest
from ftptest import Control, read_file

OLD = ftptest.random_bytes(4 << 20, seed=21)
NEW = ftptest.random_bytes(4 << 20, seed=22)
PART = 1 << 20


class Sessions:
    """Sessions begun on a command with their data connections."""

    def start(self, cmd, rcvbuf=None):
        """A session in the test's directory that has begun cmd: its
        control connection and its data connection."""
        c = self.raw()
        data = c.open_pasv(rcvbuf=rcvbuf)
        self.addCleanup(data.close)
        self.assertCode(c.cmd(cmd), 125, 150)
        return c, data

    def finish_upload(self, c, data, rest):
        data.sendall(rest)
        data.close()
        self.assertCode(c.reply(), 226)


class TwoSessions(Sessions, ftptest.DirTestCase):

    SERVER_ARGS = ["--anonymous=rw"]

    def test_reader_keeps_the_file_it_opened(self):
        # RETR begun before a STOR replaces the file reads the old one to
        # its end; RETR begun while the STOR runs reads the old one too.
        ftptest.write_file(self.p("f.bin"), OLD)
        r, rdata = self.start("RETR f.bin", rcvbuf=4096)
        first = rdata.recv(1000)
        w, wdata = self.start("STOR f.bin")
        wdata.sendall(NEW[:PART])
        r2, r2data = self.start("RETR f.bin")
        self.assertEqual(ftptest.recv_all(r2data), OLD)
        self.assertCode(r2.reply(), 226)
        self.finish_upload(w, wdata, NEW[PART:])
        self.assertEqual(first + ftptest.recv_all(rdata), OLD)
        self.assertCode(r.reply(), 226)
        self.assertEqual(read_file(self.p("f.bin")), NEW)
        # and a reader after it gets the new file
        r3, r3data = self.start("RETR f.bin")
        self.assertEqual(ftptest.recv_all(r3data), NEW)

    def test_dele_during_upload(self):
        # DELE removes the old file; the upload then puts the new one there.
        ftptest.write_file(self.p("f.bin"), OLD)
        w, wdata = self.start("STOR f.bin")
        wdata.sendall(NEW[:PART])
        self.assertCode(self.raw().cmd("DELE f.bin"), 250)
        self.assertEqual(self.listdir(), [])
        self.finish_upload(w, wdata, NEW[PART:])
        self.assertEqual(read_file(self.p("f.bin")), NEW)

    def test_rename_during_upload(self):
        # The old file moves away whole; the upload lands under the name.
        ftptest.write_file(self.p("f.bin"), OLD)
        w, wdata = self.start("STOR f.bin")
        wdata.sendall(NEW[:PART])
        o = self.raw()
        self.assertCode(o.cmd("RNFR f.bin"), 350)
        self.assertCode(o.cmd("RNTO moved.bin"), 250)
        self.finish_upload(w, wdata, NEW[PART:])
        self.assertEqual(self.listdir(), ["f.bin", "moved.bin"])
        self.assertEqual(read_file(self.p("moved.bin")), OLD)
        self.assertEqual(read_file(self.p("f.bin")), NEW)

    def test_upload_during_append(self):
        # A STOR finishing while an APPE runs replaces the file whole; the
        # bytes appended afterwards went to the file it replaced.
        ftptest.write_file(self.p("a.bin"), b"start\n")
        a, adata = self.start("APPE a.bin")
        adata.sendall(b"A" * PART)
        w, wdata = self.start("STOR a.bin")
        self.finish_upload(w, wdata, NEW)
        self.finish_upload(a, adata, b"A" * 1000)
        self.assertEqual(read_file(self.p("a.bin")), NEW)
        self.assertEqual(self.listdir(), ["a.bin"])

    def test_rnto_after_the_file_was_deleted_names_it(self):
        ftptest.write_file(self.p("r.txt"), b"r")
        o = self.raw()
        self.assertCode(o.cmd("RNFR r.txt"), 350)
        self.assertCode(self.raw().cmd("DELE r.txt"), 250)
        r = o.cmd("RNTO s.txt")
        self.assertCode(r, 550)
        self.assertIn("/%s/r.txt" % self.dirname, r.text)
        self.assertNotIn("s.txt", r.text)
        self.assertEqual(self.listdir(), [])
        # A missing folder on the target side is still named as such.
        ftptest.write_file(self.p("r.txt"), b"r")
        self.assertCode(o.cmd("RNFR r.txt"), 350)
        r = o.cmd("RNTO nowhere/s.txt")
        self.assertCode(r, 550)
        self.assertIn("nowhere/s.txt", r.text)

    def test_rename_is_logged_with_both_paths(self):
        ftptest.write_file(self.p("from me.txt"), b"r")
        o = self.raw()
        self.assertCode(o.cmd("RNFR from me.txt"), 350)
        self.assertCode(o.cmd("RNTO to \u00fc.txt"), 250)
        self.assertEqual(self.listdir(), ["to \u00fc.txt"])
        d = re.escape(self.dirname)
        self.assertTrue(self.server.wait_log(
            r"rename: peer=\S+ user=anonymous /%s/from me\.txt -> /%s/to \u00fc\.txt\n"
            % (d, d)), self.server.log_tail())


class TwoSessionsNoOverwrite(Sessions, ftptest.DirTestCase):
    """--no-overwrite: two uploads to a name that was free when both began."""

    SERVER_ARGS = ["--anonymous=rw", "--no-overwrite"]

    def test_second_upload_to_a_new_name_keeps_the_first(self):
        a, adata = self.start("STOR n.bin")
        adata.sendall(OLD[:PART])
        b, bdata = self.start("STOR n.bin")
        self.finish_upload(b, bdata, NEW)
        adata.sendall(OLD[PART:])
        adata.close()
        r = a.reply()
        # After 150 RFC 959 has 451 for a local refusal; the text says why.
        self.assertCode(r, 451)
        self.assertIn("n.bin was created meanwhile", r.text)
        self.assertIn("overwriting is disabled", r.text)
        self.assertIn("nothing was stored", r.text)
        self.assertEqual(read_file(self.p("n.bin")), NEW)
        self.assertEqual(self.listdir(), ["n.bin"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
