"""ferryd with real clients moving many files in one session whose names
hold spaces (inside, leading, trailing), UTF-8 and other bytes that URLs
and shells treat specially: curl -T {a,b,c} and curl -K, lftp mput, mget
and mirror -R, wget -r (but for names with leading spaces, which it
cannot read from LIST), and python's ftplib, also with latin-1 names
holding the byte 0xFF (which ftplib does not double: ferryd keeps a 0xFF
inside a line as it is, whatever byte follows; Telnet commands count only
before the verb). Bytes are compared on disk."""

import ftplib
import io
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

import config
import ftptest
from ftptest import read_file

NAMES = ["with space.txt", "\u00fcn\u00ef \u00e7\u00f8d\u00e9.txt", "trail ", "  lead",
         "two  spaces", "semi;colon", "pct%41.txt", "hash#x", "plus+y", "quote'q", 'dq"q']
# Names curl -T {...} can take (no comma, brace or bracket of its globbing).
CURL_GLOB = ["with space.txt", "\u00fcn\u00ef \u00e7\u00f8d\u00e9.txt", "two  spaces", "trail "]


def contents(tag, name):
    return ("%s of %s\n" % (tag, name)).encode("utf-8") * 50


class OddNames(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        for name in NAMES:
            srv.write("down/" + name, contents("down", name))
        srv.start()
        cls.server = srv

    def setUp(self):
        self.local = tempfile.mkdtemp(prefix="ferryd-names-")
        self.addCleanup(shutil.rmtree, self.local, True)
        self.remote = self.id().rsplit(".", 1)[-1]
        self.server.mkdir(self.remote)

    def run_client(self, cmd, cwd=None):
        r = subprocess.run(cmd, cwd=cwd or self.local, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120,
                           env=dict(os.environ, HOME=self.local, LC_ALL="C.UTF-8"))
        if r.returncode != 0:
            self.fail("%s exited %d: %s%s" % (cmd[0], r.returncode,
                      r.stderr.decode("utf-8", "replace")[-2000:], self._log()))
        return r

    def write_local(self, names, tag="up", top=None):
        for name in names:
            ftptest.write_file(os.path.join(top or self.local, name), contents(tag, name))

    def assertFiles(self, top, names, tag):
        self.assertEqual(sorted(os.listdir(top)), sorted(names))
        for name in names:
            self.assertEqual(read_file(os.path.join(top, name)), contents(tag, name), name)

    def lftp(self, script, cwd=None):
        ftptest.require_program(config.LFTP, "lftp")
        return self.run_client(
            [config.LFTP, "--norc", "-c", "set cmd:fail-exit yes; set net:max-retries 1; "
             "set net:timeout 10; open %s; %s" % (self.server.url("/"), script)], cwd)

    def test_curl_uploads_a_list(self):
        ftptest.require_program(config.CURL, "curl")
        self.write_local(CURL_GLOB)
        self.run_client([config.CURL, "-sS", "--max-time", "100", "-T",
                         "{%s}" % ",".join(CURL_GLOB),
                         self.server.url("/%s/" % self.remote)])
        self.assertFiles(self.server.path(self.remote), CURL_GLOB, "up")

    def test_curl_config_downloads(self):
        ftptest.require_program(config.CURL, "curl")
        cfg = os.path.join(self.local, "urls.curl")
        out = os.path.join(self.local, "out")
        os.mkdir(out)
        with open(cfg, "w", encoding="utf-8") as f:
            for name in NAMES:
                target = os.path.join(out, name).replace("\\", "\\\\").replace('"', '\\"')
                f.write('url = "%s"\noutput = "%s"\n'
                        % (self.server.url("/down/" + urllib.parse.quote(name)), target))
        log = self.server.log_text()
        self.run_client([config.CURL, "-sS", "--max-time", "100", "-K", cfg])
        self.assertFiles(out, NAMES, "down")
        self.assertEqual(self.server.log_text()[len(log):].count("session start:"), 1)

    def test_lftp_mput_mget_and_mirror(self):
        src = os.path.join(self.local, "src")
        os.mkdir(src)
        self.write_local(NAMES, top=src)
        self.lftp("cd %s; mput *" % self.remote, cwd=src)
        self.assertFiles(self.server.path(self.remote), NAMES, "up")
        got = os.path.join(self.local, "got")
        os.mkdir(got)
        self.lftp("cd down; mget *", cwd=got)
        self.assertFiles(got, NAMES, "down")
        self.lftp("mirror -R %s %s/tree" % (src, self.remote))
        self.assertFiles(self.server.path(self.remote, "tree"), NAMES, "up")

    def test_wget_recursive(self):
        ftptest.require_program(config.WGET, "wget")
        self.run_client([config.WGET, "-q", "-r", "-nH", "--restrict-file-names=nocontrol",
                         self.server.url("/down/")])
        # wget names its copy of pct%41.txt after the name decoded, and
        # reads names from LIST, whose lines cannot show leading spaces.
        shown = [n for n in NAMES if not n.startswith(" ")]
        names = [n if n != "pct%41.txt" else "pctA.txt" for n in shown]
        got = os.path.join(self.local, "down")
        self.assertEqual(sorted(os.listdir(got)), sorted(names))
        for name in shown:
            local = "pctA.txt" if name == "pct%41.txt" else name
            self.assertEqual(read_file(os.path.join(got, local)), contents("down", name))

    def test_ftplib_names(self):
        f = ftptest.Ftp(self.server)
        try:
            f.cwd(self.remote)
            for name in NAMES:
                f.storbinary("STOR " + name, io.BytesIO(contents("up", name)))
            self.assertFiles(self.server.path(self.remote), NAMES, "up")
            self.assertEqual(sorted(f.nlst()), sorted(NAMES))
            self.assertEqual(sorted(n for n, _ in f.mlsd()), sorted(NAMES))
            for name in NAMES:
                self.assertEqual(self.retr(f, name), contents("up", name))
                self.assertEqual(f.size(name), len(contents("up", name)))
                f.rename(name, name + ".old")
            self.assertEqual(sorted(os.listdir(self.server.path(self.remote))),
                             sorted(n + ".old" for n in NAMES))
        finally:
            f.close()

    def latin1_ftp(self):
        """ftplib speaking Latin-1 (0xFF sent as it is), in the test's folder."""
        f = ftplib.FTP(encoding="latin-1", timeout=ftptest.TIMEOUT)
        try:
            f.connect(self.server.host, self.server.port)
            f.login("anonymous", "guest@example.org")
            f.cwd(self.remote)
        except Exception:
            f.close()
            raise
        return f

    def test_ftplib_latin1_names_with_byte_ff(self):
        names = ["end\xff", "\xff", "\xffa\xffb", "\xff \xff", "mid\xff\xe9 x "]
        f = self.latin1_ftp()
        try:
            for name in names:
                f.storbinary("STOR " + name, io.BytesIO(name.encode("latin-1")))
            top = self.server.path(self.remote).encode()
            self.assertEqual(sorted(os.listdir(top)), sorted(n.encode("latin-1") for n in names))
            self.assertEqual(sorted(f.nlst()), sorted(names))
            for name in names:
                self.assertEqual(self.retr(f, name), name.encode("latin-1"))
                f.delete(name)
            self.assertEqual(os.listdir(top), [])
        finally:
            f.close()

    def test_ftplib_latin1_names_with_byte_ff_before_telnet_command_bytes(self):
        # "\xff" followed by one of "\xf0".."\xfe" (Latin-1 letters such
        # as "ü" and "ô") reads like a Telnet command (IP, WILL, ...);
        # inside a name it is none: the name stays whole, and a DELE of
        # one never removes the file of the name without those bytes.
        names = ["\xff\xfc", "caf\xe9\xff\xf4.txt", "x\xff\xf0 y", "\xff\xfb\x01z"]
        top = self.server.path(self.remote).encode()
        # The names a reader taking those bytes for Telnet would make.
        for stem in (b"caf\xe9.txt", b"x y", b"z"):
            ftptest.write_file(os.path.join(top, stem), b"keep")
        before = sorted(os.listdir(top))
        f = self.latin1_ftp()
        try:
            for name in names:
                f.storbinary("STOR " + name, io.BytesIO(name.encode("latin-1")))
            self.assertEqual(sorted(os.listdir(top)),
                             sorted(before + [n.encode("latin-1") for n in names]))
            self.assertEqual(sorted(f.nlst()),
                             sorted([b.decode("latin-1") for b in before] + names))
            for name in names:
                self.assertEqual(self.retr(f, name), name.encode("latin-1"))
                self.assertEqual(f.size(name), len(name.encode("latin-1")))
                f.delete(name)
            self.assertEqual(sorted(os.listdir(top)), before)
        finally:
            f.close()

    def test_telnet_commands_before_the_verb_still_go(self):
        # What clients really send: IP and DM (Synch) before ABOR, option
        # talk before a command; and a doubled 0xFF is one in a name.
        c = ftptest.Control(self.server)
        try:
            c.login()
            self.assertCode(c.cmd(b"\xff\xf4\xff\xf2NOOP"), 200)
            self.assertCode(c.cmd(b"\xff\xfb\x01\xff\xfd\x03NOOP"), 200)
            self.assertCode(c.cmd(b"\xff\xf4\xff\xf2ABOR"), 225, 226)
            r = c.cmd(b"MKD /" + self.remote.encode() + b"/d\xff\xff\xf4")
            self.assertCode(r, 257)
            self.assertTrue(os.path.isdir(os.path.join(self.server.path(self.remote).encode(),
                                                       b"d\xff\xf4")))
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
