"""ferryd with lftp as the client: ls, cls, get, put, mirror (download a
tree), mirror -R (upload a tree), rm, mkdir, rmdir, in passive and active
mode; bytes compared on disk."""

import os
import shutil
import subprocess
import tempfile
import unittest

import config
import ftptest
from ftptest import read_file

DATA = ftptest.random_bytes(2 << 20, seed=5)
TREE = {
    "top.txt": b"top level\n",
    "name with spaces.txt": b"spaces\n",
    "caf\u00e9.txt": "utf-8 name\n".encode(),
    "a/one.bin": DATA[:100000],
    "a/b/two.bin": DATA[100000:400000],
    "a/b/c/three.txt": b"three\n",
    "empty.txt": b"",
}


def write_tree(top, tree):
    for rel, data in tree.items():
        ftptest.write_file(os.path.join(top, rel), data)
    os.makedirs(os.path.join(top, "a", "emptydir"), exist_ok=True)
    ftptest.prepare(top)


def files_of(top):
    """{relative path: bytes} of the regular files under top."""
    out = {}
    for cur, dirs, files in os.walk(top):
        for f in files:
            full = os.path.join(cur, f)
            out[os.path.relpath(full, top)] = read_file(full)
    return out


class LftpTest(ftptest.TestCase):

    passive = True

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.LFTP, "lftp")
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        write_tree(srv.path("tree"), TREE)
        srv.mkdir("incoming")
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-lftp-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home)

    def lftp(self, commands, cwd=None, ok=True, ssl_allow=False):
        script = ("set ftp:passive-mode %s; set net:max-retries 1; set net:timeout 5; "
                  "set net:reconnect-interval-base 1; set cmd:fail-exit yes; "
                  "set xfer:clobber yes; %s"
                  "open -u anonymous,guest@example.org ftp://%s:%d; %s"
                  % ("on" if self.passive else "off",
                     "" if ssl_allow else "set ftp:ssl-allow no; ",
                     self.server.host, self.server.port, commands))
        env = dict(os.environ, HOME=self.home, LC_ALL="C.UTF-8")
        r = subprocess.run([config.LFTP, "--norc", "-c", script], cwd=cwd or self.tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=90,
                           env=env)
        if ok and r.returncode != 0:
            self.fail("lftp exited %d: %s\nstdout: %s\nstderr: %s%s"
                      % (r.returncode, script, r.stdout[-1500:], r.stderr[-1500:], self._log()))
        return r

    def local(self, *parts):
        return os.path.join(self.tmp, *parts)

    def test_ls(self):
        r = self.lftp("ls /tree")
        text = r.stdout.decode("utf-8")
        for name in ("top.txt", "name with spaces.txt", "caf\u00e9.txt", "a", "empty.txt"):
            self.assertIn(name, text)
        self.assertEqual(len(text.strip().splitlines()), 5, text)

    def test_default_settings(self):
        # lftp's defaults first try AUTH TLS; its refusal must not break the
        # session.
        r = self.lftp("ls /tree/a/b", ssl_allow=True)
        self.assertIn("two.bin", r.stdout.decode())

    def test_cls(self):
        r = self.lftp("cd /tree/a/b; cls -1")
        self.assertEqual(r.stdout.decode().split(), ["c/", "two.bin"])
        r = self.lftp("cd /tree; cls -1 --sort=name")
        names = sorted(l.rstrip("/") for l in r.stdout.decode("utf-8").splitlines())
        self.assertEqual(names, sorted(os.listdir(self.server.path("tree"))))

    def test_get(self):
        out = self.local("got-%s.bin" % self.passive)
        self.lftp("get /data.bin -o %s" % out)
        self.assertEqual(read_file(out), DATA)

    def test_get_name_with_spaces(self):
        out = self.local("spaces-%s.txt" % self.passive)
        self.lftp('get "/tree/name with spaces.txt" -o %s' % out)
        self.assertEqual(read_file(out), b"spaces\n")

    def test_put(self):
        src = ftptest.write_file(self.local("put-src.bin"), DATA[:1500000])
        name = "put-%s.bin" % self.passive
        self.lftp("put %s -o /incoming/%s" % (src, name))
        self.assertEqual(read_file(self.server.path("incoming", name)), DATA[:1500000])

    def test_put_replaces(self):
        name = "replace-%s.txt" % self.passive
        self.server.write("incoming/" + name, b"old")
        src = ftptest.write_file(self.local("replace-src.txt"), b"new contents")
        self.lftp("put %s -o /incoming/%s" % (src, name))
        self.assertEqual(read_file(self.server.path("incoming", name)), b"new contents")

    def test_mirror_download(self):
        dest = self.local("mirror-down-%s" % self.passive)
        self.lftp("mirror /tree %s" % dest)
        self.assertEqual(files_of(dest), files_of(self.server.path("tree")))
        self.assertTrue(os.path.isdir(os.path.join(dest, "a", "emptydir")))

    def test_mirror_upload(self):
        src = self.local("mirror-src-%s" % self.passive)
        write_tree(src, TREE)
        name = "uptree-%s" % self.passive
        self.lftp("mirror -R %s /incoming/%s" % (src, name))
        self.assertEqual(files_of(self.server.path("incoming", name)), files_of(src))
        self.assertTrue(os.path.isdir(self.server.path("incoming", name, "a", "emptydir")))

    def test_rm_mkdir_rmdir_mv(self):
        d = "ops-%s" % self.passive
        self.server.write("incoming/%s-victim.txt" % d, b"x")
        self.lftp("cd /incoming; mkdir %s; mv %s-victim.txt %s/moved.txt; "
                  "rm %s/moved.txt; rmdir %s" % (d, d, d, d, d))
        self.assertEqual([n for n in os.listdir(self.server.path("incoming")) if n.startswith(d)],
                         [])

    def test_rm_recursive(self):
        d = "rmtree-%s" % self.passive
        write_tree(self.server.path("incoming", d), TREE)
        self.lftp("rm -r /incoming/%s" % d)
        self.assertFalse(os.path.exists(self.server.path("incoming", d)))

    def test_cat(self):
        r = self.lftp("cat /tree/a/b/c/three.txt")
        self.assertEqual(r.stdout, b"three\n")

    def test_failed_get_fails(self):
        r = self.lftp("get /nosuchfile -o %s" % self.local("nothing"), ok=False)
        self.assertNotEqual(r.returncode, 0)


class LftpActiveTest(LftpTest):
    passive = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
