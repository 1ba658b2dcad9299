"""ferryd: uploads. STOR writes an unnamed temporary file and renames it in
place only when the whole upload arrived, so a broken upload (connection
reset, ABOR, stalled transfer) leaves the old file exactly as it was and no
stray files. Also REST+STOR, APPE, STOU naming, SIZE and MDTM afterwards."""

import io
import os
import re
import threading
import time
import unittest

import ftptest
from ftptest import Control, read_file

OLD = b"the old contents, which must survive\n" * 100
NEW = ftptest.random_bytes(4 << 20, seed=7)


class UploadTest(ftptest.DirTestCase):

    SERVER_ARGS = ["--anonymous=rw"]

    def start_upload(self, c, cmd):
        data = c.open_pasv()
        self.addCleanup(data.close)
        r = c.cmd(cmd)
        self.assertCode(r, 125, 150)
        return data, r

    def upload(self, c, cmd, payload):
        data, r150 = self.start_upload(c, cmd)
        data.sendall(payload)
        data.close()
        r = c.reply()
        self.assertCode(r, 226)
        return r150

    def put_old(self, name="target.bin"):
        return ftptest.put_old(self.p(name), OLD)

    # -- STOR --

    def test_stor_new_and_replace(self):
        c = self.raw()
        self.upload(c, "STOR a.bin", NEW)
        self.assertEqual(read_file(self.p("a.bin")), NEW)
        self.upload(c, "STOR a.bin", NEW[:1000])
        self.assertEqual(read_file(self.p("a.bin")), NEW[:1000])
        self.assertEqual(self.listdir(), ["a.bin"])

    def test_stor_all_byte_values(self):
        payload = bytes(range(256)) * 64 + b"\r\n\n\r\x00\xff"
        c = self.raw()
        self.upload(c, "STOR bytes.bin", payload)
        self.assertEqual(read_file(self.p("bytes.bin")), payload)

    def test_stor_empty_file(self):
        c = self.raw()
        self.upload(c, "STOR empty.bin", b"")
        self.assertEqual(read_file(self.p("empty.bin")), b"")
        path, ident = self.put_old("target.bin")
        self.upload(c, "STOR target.bin", b"")
        self.assertEqual(read_file(path), b"")

    def test_stor_with_ftplib(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.cwd(self.dirname)
        self.stor(f, "lib.bin", NEW)
        self.assertEqual(read_file(self.p("lib.bin")), NEW)
        self.assertEqual(self.retr(f, "lib.bin"), NEW)

    def test_stor_errors(self):
        c = self.raw()
        os.mkdir(self.p("adir"))
        ftptest.prepare(self.p("adir"))
        for cmd in ("STOR nosuchdir/x.bin", "STOR adir"):
            with self.subTest(cmd=cmd):
                data = c.open_pasv()
                r = c.cmd(cmd)
                if r.code in (125, 150):
                    data.sendall(b"x")
                    data.close()
                    r = c.reply()
                data.close()
                self.assertCode(r, 550, 553)
        self.assertTrue(os.path.isdir(self.p("adir")))
        self.assertEqual(self.listdir(), ["adir"])

    def test_upload_in_progress_is_invisible(self):
        path, ident = self.put_old()
        c = self.raw()
        data, _ = self.start_upload(c, "STOR target.bin")
        data.sendall(NEW[:len(NEW) // 2])
        time.sleep(0.5)
        # Half-way: the old file is still in place and no temporary name shows.
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])
        data.sendall(NEW[len(NEW) // 2:])
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(path), NEW)
        self.assertEqual(self.listdir(), ["target.bin"])

    def test_broken_upload_data_reset_keeps_old_file(self):
        path, ident = self.put_old()
        c = self.raw()
        data, _ = self.start_upload(c, "STOR target.bin")
        data.sendall(NEW[:len(NEW) // 2])
        time.sleep(0.2)
        ftptest.reset_close(data)
        r = c.reply()
        self.assertTrue(400 <= r.code <= 599, "a reset upload must fail, got %r" % r)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])
        c.cmd("QUIT")
        c.close()
        self.server.wait_sessions_gone()
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])

    def test_broken_upload_client_vanishes_keeps_old_file(self):
        path, ident = self.put_old()
        c = self.raw()
        data, _ = self.start_upload(c, "STOR target.bin")
        data.sendall(NEW[:len(NEW) // 2])
        time.sleep(0.2)
        ftptest.reset_close(data)
        ftptest.reset_close(c.sock)
        # After the session has ended, the directory is as it was.
        self.server.wait_sessions_gone()
        time.sleep(0.2)
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])

    def test_broken_upload_of_new_file_leaves_nothing(self):
        c = self.raw()
        data, _ = self.start_upload(c, "STOR fresh.bin")
        data.sendall(NEW[:100000])
        time.sleep(0.2)
        ftptest.reset_close(data)
        r = c.reply()
        self.assertTrue(400 <= r.code <= 599, r)
        c.close()
        self.server.wait_sessions_gone()
        self.assertEqual(self.listdir(), [])

    def test_abor_during_upload_keeps_old_file(self):
        path, ident = self.put_old()
        c = self.raw()
        data, _ = self.start_upload(c, "STOR target.bin")
        data.sendall(NEW[:len(NEW) // 2])
        time.sleep(0.2)
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("NOOP"), 200)
        data.close()
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])
        # The session goes on: a complete upload still works.
        self.upload(c, "STOR target.bin", b"complete")
        self.assertEqual(read_file(path), b"complete")
        self.assertEqual(self.listdir(), ["target.bin"])

    def test_uploads_in_one_session_each_exact(self):
        # One session, uploads of many sizes one after another, some of
        # them cut by a reset: every complete one holds exactly its own
        # bytes, nothing of the one before.
        c = self.raw()
        sizes = [0, 1, 4096, 65537, 1 << 20, (1 << 20) + 3, 5, 3 << 20, 4096]
        for i, size in enumerate(sizes):
            payload = ftptest.random_bytes(size, seed=100 + i)
            self.upload(c, "STOR f%d.bin" % i, payload)
            self.assertEqual(read_file(self.p("f%d.bin" % i)), payload, "upload %d" % i)
            data, _ = self.start_upload(c, "STOR cut.bin")
            data.sendall(NEW[:(i + 1) * 300000])
            ftptest.reset_close(data)
            r = c.reply()
            self.assertTrue(400 <= r.code <= 599, "a reset upload must fail, got %r" % r)
        self.assertEqual(sorted(self.listdir()), sorted("f%d.bin" % i for i in range(len(sizes))))
        c.cmd("QUIT")
        c.close()

    def test_concurrent_uploads_never_mix(self):
        # Two sessions upload different contents to one name at once: the
        # result is one of the two whole, never a mixture.
        a = b"A" * (3 << 20)
        b = b"B" * (3 << 20)
        errors = []

        def one(payload):
            try:
                c = Control(self.server)
                try:
                    c.login()
                    c.cmd("TYPE I")
                    c.cmd("CWD " + self.dirname)
                    data = c.open_pasv()
                    r = c.cmd("STOR race.bin")
                    if r.code != 150 and r.code != 125:
                        errors.append(r)
                        return
                    for i in range(0, len(payload), 1 << 16):
                        data.sendall(payload[i:i + (1 << 16)])
                    data.close()
                    r = c.reply()
                    if r.code != 226:
                        errors.append(r)
                finally:
                    c.close()
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=one, args=(p,)) for p in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        got = read_file(self.p("race.bin"))
        self.assertIn(got, (a, b), "upload contents mixed")
        self.assertEqual(self.listdir(), ["race.bin"])

    # -- REST + STOR, APPE --

    def test_rest_stor_resumes(self):
        half = len(NEW) // 3
        ftptest.write_file(self.p("resume.bin"), NEW[:half])
        c = self.raw()
        self.assertCode(c.cmd("REST %d" % half), 350)
        self.upload(c, "STOR resume.bin", NEW[half:])
        self.assertEqual(read_file(self.p("resume.bin")), NEW)
        self.assertEqual(self.listdir(), ["resume.bin"])

    def test_rest_stor_with_ftplib(self):
        ftptest.write_file(self.p("resume2.bin"), NEW[:12345])
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.cwd(self.dirname)
        f.storbinary("STOR resume2.bin", io.BytesIO(NEW[12345:]), rest=12345)
        self.assertEqual(read_file(self.p("resume2.bin")), NEW)

    def test_rest_is_used_once(self):
        ftptest.write_file(self.p("once.bin"), b"0123456789")
        c = self.raw()
        self.assertCode(c.cmd("REST 5"), 350)
        self.upload(c, "STOR once.bin", b"abcde")
        self.assertEqual(read_file(self.p("once.bin")), b"01234abcde")
        self.upload(c, "STOR once.bin", b"whole")
        self.assertEqual(read_file(self.p("once.bin")), b"whole")

    def test_appe(self):
        ftptest.write_file(self.p("log.txt"), b"line 1\n")
        c = self.raw()
        self.upload(c, "APPE log.txt", b"line 2\n")
        self.upload(c, "APPE log.txt", b"line 3\n")
        self.assertEqual(read_file(self.p("log.txt")), b"line 1\nline 2\nline 3\n")
        # APPE to a new name creates it.
        self.upload(c, "APPE new.txt", b"first\n")
        self.assertEqual(read_file(self.p("new.txt")), b"first\n")
        self.assertEqual(self.listdir(), ["log.txt", "new.txt"])

    # -- STOU --

    def stou(self, c, arg, payload):
        r150 = self.upload(c, "STOU " + arg, payload)
        m = re.search(r"FILE: (.+)$", r150.lines[0])
        self.assertIsNotNone(m, "150 reply does not name the file: %r" % r150)
        return m.group(1).strip()

    def test_stou_naming(self):
        ftptest.write_file(self.p("report.txt"), b"original")
        c = self.raw()
        self.assertEqual(self.stou(c, "report.txt", b"one"), "report_1.txt")
        self.assertEqual(self.stou(c, "report.txt", b"two"), "report_2.txt")
        self.assertEqual(read_file(self.p("report.txt")), b"original")
        self.assertEqual(read_file(self.p("report_1.txt")), b"one")
        self.assertEqual(read_file(self.p("report_2.txt")), b"two")
        # A name already taken is skipped, never overwritten.
        ftptest.write_file(self.p("report_3.txt"), b"taken")
        self.assertEqual(self.stou(c, "report.txt", b"four"), "report_4.txt")
        self.assertEqual(read_file(self.p("report_3.txt")), b"taken")
        self.assertEqual(read_file(self.p("report_4.txt")), b"four")
        self.assertEqual(self.listdir(), ["report.txt", "report_1.txt", "report_2.txt",
                                          "report_3.txt", "report_4.txt"])

    def test_stou_names_at_the_length_limit(self):
        # A name of 255 bytes (NAME_MAX) that is taken: the numbered names
        # shorten its stem to fit, on a UTF-8 character's boundary, and keep
        # the extension.
        c = self.raw()
        long_txt = "r" * 251 + ".txt"
        ftptest.write_file(self.p(long_txt), b"original")
        self.assertEqual(self.stou(c, long_txt, b"one"), "r" * 249 + "_1.txt")
        self.assertEqual(self.stou(c, long_txt, b"two"), "r" * 249 + "_2.txt")
        self.assertEqual(read_file(self.p(long_txt)), b"original")
        self.assertEqual(read_file(self.p("r" * 249 + "_1.txt")), b"one")
        # Two-byte characters: 254 bytes, the stem cut before a whole one.
        wide = "\u00e9" * 127
        ftptest.write_file(self.p(wide), b"original")
        self.assertEqual(self.stou(c, wide, b"three"), "\u00e9" * 126 + "_1")
        self.assertEqual(read_file(self.p("\u00e9" * 126 + "_1")), b"three")
        self.assertEqual(read_file(self.p(wide)), b"original")

    def test_stou_free_name(self):
        c = self.raw()
        name = self.stou(c, "fresh.txt", b"fresh")
        self.assertIn(name, ("fresh.txt", "fresh_1.txt"))
        self.assertEqual(read_file(self.p(name)), b"fresh")
        self.assertEqual(self.listdir(), [name])

    # -- SIZE and MDTM of what was uploaded --

    def test_size_and_mdtm_after_upload(self):
        c = self.raw()
        self.upload(c, "STOR sized.bin", NEW[:777777])
        st = os.stat(self.p("sized.bin"))
        r = c.cmd("SIZE sized.bin")
        self.assertCode(r, 213)
        self.assertEqual(int(r.lines[0][4:]), st.st_size)
        self.assertEqual(st.st_size, 777777)
        r = c.cmd("MDTM sized.bin")
        self.assertCode(r, 213)
        self.assertRegex(r.lines[0], r"^213 \d{14}$")
        self.assertEqual(r.lines[0][4:], ftptest.utc_stamp(st.st_mtime))
        self.assertLess(abs(ftptest.parse_stamp(r.lines[0][4:]) - time.time()), 120)
        os.utime(self.p("sized.bin"), (1234567890, 1234567890))
        self.assertEqual(c.cmd("MDTM sized.bin").lines[0], "213 20090213233130")


class StalledUploadTest(ftptest.TestCase):
    """A stalled upload hits --idle-timeout: 421, old file kept."""

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw", "--idle-timeout", "2"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("target.bin", OLD, mtime=1000000000)
        srv.start()
        cls.server = srv

    def test_stalled_upload_times_out(self):
        path = self.server.path("target.bin")
        st = os.stat(path)
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        c.cmd("TYPE I")
        data = c.open_pasv()
        self.addCleanup(data.close)
        self.assertCode(c.cmd("STOR target.bin"), 125, 150)
        data.sendall(NEW[:100000])
        t0 = time.monotonic()
        replies = c.wait_closed(timeout=15)
        elapsed = time.monotonic() - t0
        self.assertIn(421, [r.code for r in replies], replies)
        self.assertGreater(elapsed, 1.0)
        self.assertLess(elapsed, 10.0)
        self.server.wait_sessions_gone()
        self.assertEqual(read_file(path), OLD)
        self.assertEqual(os.stat(path).st_ino, st.st_ino)
        self.assertEqual(sorted(os.listdir(self.server.root)), ["target.bin"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
