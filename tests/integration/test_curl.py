"""ferryd with curl as the client: downloads, uploads, listings, passive
(EPSV and PASV with --disable-epsv) and active mode (-P: EPRT and PORT with
--disable-eprt), resume (-C -) and append; bytes compared on disk. curl's -v
trace shows which commands it really sent."""

import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

import config
import ftptest
from ftptest import read_file

DATA = ftptest.random_bytes(3 << 20, seed=11)
SPACES = "name with spaces.bin"


class CurlTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        srv.write(SPACES, DATA[:1000])
        srv.write("dir/one.txt", b"one\n")
        srv.write("dir/two.txt", b"two\n")
        srv.mkdir("uploads")
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-curl-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def curl(self, *args, ok=True):
        cmd = [config.CURL, "-sS", "-v", "--max-time", "30", "--connect-timeout", "10"]
        cmd += list(args)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if ok and r.returncode != 0:
            self.fail("curl exited %d: %s\n%s%s" % (r.returncode, " ".join(cmd),
                      r.stderr.decode("utf-8", "replace")[-2000:], self._log()))
        return r

    def sent(self, r):
        """Commands curl sent, from its -v trace ("> CMD")."""
        return [l[2:].strip() for l in r.stderr.decode("utf-8", "replace").splitlines()
                if l.startswith("> ")]

    def local(self, name):
        return os.path.join(self.tmp, name)

    def url(self, path):
        return self.server.url(urllib.parse.quote(path))

    # -- downloads --

    def test_download(self):
        out = self.local("dl.bin")
        r = self.curl(self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("EPSV") for c in self.sent(r)), self.sent(r))

    def test_download_ftp_pasv(self):
        out = self.local("dl-pasv.bin")
        r = self.curl("--ftp-pasv", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)

    def test_download_disable_epsv(self):
        out = self.local("dl-noepsv.bin")
        r = self.curl("--disable-epsv", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        sent = self.sent(r)
        self.assertIn("PASV", sent)
        self.assertFalse(any(c.startswith("EPSV") for c in sent), sent)

    def test_download_active_eprt(self):
        out = self.local("dl-active.bin")
        r = self.curl("-P", "127.0.0.1", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("EPRT") for c in self.sent(r)), self.sent(r))

    def test_download_active_port(self):
        out = self.local("dl-port.bin")
        r = self.curl("-P", "127.0.0.1", "--disable-eprt", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("PORT") for c in self.sent(r)), self.sent(r))

    def test_download_name_with_spaces(self):
        out = self.local("dl-spaces.bin")
        self.curl(self.url("/" + SPACES), "-o", out)
        self.assertEqual(read_file(out), DATA[:1000])

    def test_download_missing_file_fails(self):
        out = self.local("dl-missing.bin")
        r = self.curl(self.url("/nosuchfile"), "-o", out, ok=False)
        self.assertEqual(r.returncode, 78, r.stderr[-500:])   # remote file not found

    def test_resume_download(self):
        out = self.local("dl-resume.bin")
        ftptest.write_file(out, DATA[:1000000])
        r = self.curl("-C", "-", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertIn("REST 1000000", self.sent(r))

    # -- listings --

    def test_list_directory(self):
        r = self.curl(self.url("/dir/"))
        text = r.stdout.decode()
        self.assertIn("one.txt", text)
        self.assertIn("two.txt", text)
        self.assertEqual(len(text.strip().splitlines()), 2, text)

    def test_list_only(self):
        r = self.curl("--list-only", self.url("/dir/"))
        self.assertEqual(sorted(r.stdout.decode().split()), ["one.txt", "two.txt"])

    def test_list_root_active(self):
        r = self.curl("-P", "127.0.0.1", "--list-only", self.url("/"))
        names = set(r.stdout.decode("utf-8").splitlines())
        self.assertEqual(names, set(os.listdir(self.server.root)))

    # -- uploads --

    def test_upload(self):
        src = ftptest.write_file(self.local("up.bin"), DATA)
        self.curl("-T", src, self.url("/uploads/up.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up.bin")), DATA)

    def test_upload_active(self):
        src = ftptest.write_file(self.local("up-active.bin"), DATA[:200000])
        self.curl("-P", "127.0.0.1", "-T", src, self.url("/uploads/up-active.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-active.bin")), DATA[:200000])
        self.curl("-P", "127.0.0.1", "--disable-eprt", "-T", src,
                  self.url("/uploads/up-port.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-port.bin")), DATA[:200000])

    def test_upload_disable_epsv(self):
        src = ftptest.write_file(self.local("up-pasv.bin"), DATA[:300000])
        r = self.curl("--disable-epsv", "-T", src, self.url("/uploads/up-pasv.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-pasv.bin")), DATA[:300000])
        self.assertIn("PASV", self.sent(r))

    def test_upload_creating_dirs(self):
        src = ftptest.write_file(self.local("deep.bin"), b"deep")
        self.curl("--ftp-create-dirs", "-T", src, self.url("/uploads/new/deeper/deep.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "new", "deeper", "deep.bin")),
                         b"deep")

    def test_upload_replaces(self):
        self.server.write("uploads/replace.bin", b"old contents")
        src = ftptest.write_file(self.local("replace.bin"), DATA[:4096])
        self.curl("-T", src, self.url("/uploads/replace.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "replace.bin")), DATA[:4096])

    def test_append(self):
        self.server.write("uploads/app.txt", b"first\n")
        src = ftptest.write_file(self.local("app.txt"), b"second\n")
        r = self.curl("--append", "-T", src, self.url("/uploads/app.txt"))
        self.assertEqual(read_file(self.server.path("uploads", "app.txt")), b"first\nsecond\n")
        self.assertTrue(any(c.startswith("APPE") for c in self.sent(r)), self.sent(r))

    def test_resume_upload(self):
        self.server.write("uploads/resume.bin", DATA[:777777])
        src = ftptest.write_file(self.local("resume.bin"), DATA)
        r = self.curl("-C", "-", "-T", src, self.url("/uploads/resume.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "resume.bin")), DATA)

    def test_quote_delete(self):
        self.server.write("uploads/gone.txt", b"x")
        self.curl("-Q", "DELE uploads/gone.txt", self.url("/"), "--list-only")
        self.assertFalse(os.path.exists(self.server.path("uploads", "gone.txt")))


class CurlReadOnlyTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def test_upload_refused(self):
        with tempfile.NamedTemporaryFile() as src:
            src.write(b"x")
            src.flush()
            r = subprocess.run([config.CURL, "-sS", "--max-time", "30", "-T", src.name,
                                self.server.url("/x.bin")], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(os.listdir(self.server.root), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
