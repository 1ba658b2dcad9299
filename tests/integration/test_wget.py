"""ferryd with wget as the client: single downloads, recursive and mirror
downloads of a tree (nested and empty directories, an empty file, names
with spaces, UTF-8 and a 0xFF byte), resume (-c, REST), passive (the
default, PASV) and active mode (--no-passive-ftp, PORT), a named user and
anonymous, a refused login, globbing, and FTPS: explicit (ftps://, AUTH
TLS) and implicit (--ftps-implicit), protected and clear data connections.
Bytes are compared on disk; wget's -d trace shows which commands it sent
and ferryd's -v log how many bytes each transfer really carried."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import config
import ftptest
import tlspeers
from ftptest import read_file

DATA = ftptest.random_bytes(3 << 20, seed=21)
USER = "bob"
PASSWORD = "pw-Bob-2"

# The tree wget -r and --mirror download (relative to /tree).
TREE = {
    "top.txt": b"top level\n",
    "empty.txt": b"",
    ".hidden": b"a dot file\n",
    "name with spaces.txt": b"spaces\n",
    "caf\u00e9.txt": "utf-8 name\n".encode(),
    "\u65e5\u672c/\u30d5\u30a1\u30a4\u30eb.txt": "utf-8 directory\n".encode(),
    "a/one.bin": DATA[:100000],
    "a/b/two.bin": DATA[100000:400000],
    "a/b/c/three.txt": b"three\n",
}
EMPTY_DIRS = ["a/emptydir"]
# A name with the byte 0xFF, which on the control connection is the Telnet
# IAC byte: RFC 959 and RFC 2640 have a client send it doubled (IAC IAC).
FF_NAME = os.fsdecode(b"\xffname.bin")
FF_DATA = b"0xff in the name\n"

# Globbing: *.txt in /glob matches exactly these.
GLOB = {"a.txt": b"a\n", "b.txt": b"b\n", "with space.txt": b"space\n",
        "c.bin": b"c\n", "txt.not": b"n\n", "sub/d.txt": b"d\n"}
GLOB_MATCH = {"a.txt", "b.txt", "with space.txt"}


def files_of(top):
    """The regular files under top, but for the .listing files wget
    --mirror keeps."""
    return ftptest.files_of(top, skip={".listing"})


class WgetTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.WGET, "wget")
        srv = ftptest.Server()
        users = ftptest.users_file(srv, USER, PASSWORD)
        srv.args = ["-v", "-u", users, "--anonymous=rw", "--idle-timeout", "30",
                    "-l", "127.0.0.1:0,implicit-tls",
                    "--tls-cert", tlspeers.cert("server.pem"),
                    "--tls-key", tlspeers.cert("server.key")]
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        srv.write("name with spaces.bin", DATA[:5000])
        for rel, data in TREE.items():
            srv.write("tree/" + rel, data)
        for rel in EMPTY_DIRS:
            srv.mkdir("tree/" + rel)
        srv.write("ff/" + FF_NAME, FF_DATA)
        srv.write("ff/plain.txt", b"plain\n")
        for rel, data in GLOB.items():
            srv.write("glob/" + rel, data)
        srv.start()
        cls.server = srv
        m = re.search(r"listening on 127\.0\.0\.1:(\d+) \(implicit TLS\)", srv.log_text())
        if not m:
            raise AssertionError("no implicit-TLS listener in:\n" + srv.log_tail())
        cls.implicit_port = int(m.group(1))
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-wget-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home)

    def setUp(self):
        # Each test downloads into a directory of its own.
        self.dir = os.path.join(self.tmp, self.id().rsplit(".", 1)[-1])
        os.mkdir(self.dir)

    def wget(self, *args, ok=True):
        """Runs wget in the test's directory with its debug trace (-d):
        the commands it sends appear as "--> CMD" lines."""
        cmd = [config.WGET, "--no-config", "-d", "--tries=1", "--timeout=10"] + list(args)
        env = dict(os.environ, HOME=self.home, LC_ALL="C.UTF-8")
        env.pop("ftp_proxy", None)
        env.pop("FTP_PROXY", None)
        r = subprocess.run(cmd, cwd=self.dir, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=90, env=env)
        if ok and r.returncode != 0:
            self.fail("wget exited %d: %s\n%s%s" % (r.returncode, " ".join(cmd),
                      r.stderr.decode("utf-8", "replace")[-3000:], self._log()))
        return r

    def sent(self, r):
        """Commands wget sent, from its -d trace."""
        return [l[4:].strip() for l in r.stderr.decode("utf-8", "replace").splitlines()
                if l.startswith("--> ")]

    def url(self, path, user=None, passwd=None, scheme="ftp", port=None):
        cred = ""
        if user is not None:
            cred = "%s:%s@" % (user, passwd)
        return "%s://%s127.0.0.1:%d%s" % (scheme, cred, port or self.server.port, path)

    def local(self, *parts):
        return os.path.join(self.dir, *parts)

    def transfers(self, path):
        """Bytes of each finished RETR of path, from ferryd's -v log."""
        pat = r"transfer: peer=\S+ user=\S+ RETR %s bytes=(\d+) " % re.escape(path)
        return [int(n) for n in re.findall(pat, self.server.log_text())]

    # -- single files --

    def test_download(self):
        r = self.wget(self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        self.assertEqual(os.listdir(self.dir), ["data.bin"])

    def test_download_output_file(self):
        self.wget("-O", "out.bin", self.url("/data.bin"))
        self.assertEqual(read_file(self.local("out.bin")), DATA)

    def test_download_name_with_spaces(self):
        self.wget(self.url("/name%20with%20spaces.bin"))
        self.assertEqual(read_file(self.local("name with spaces.bin")), DATA[:5000])

    def test_download_missing_file(self):
        r = self.wget(self.url("/nosuchfile.bin"), ok=False)
        self.assertEqual(r.returncode, 8, r.stderr[-800:])      # server error response
        self.assertEqual(os.listdir(self.dir), [])

    def test_passive_is_default(self):
        r = self.wget(self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        sent = self.sent(r)
        self.assertIn("PASV", sent)
        self.assertFalse(any(c.startswith("PORT") for c in sent), sent)

    def test_active(self):
        r = self.wget("--no-passive-ftp", self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        sent = self.sent(r)
        self.assertTrue(any(c.startswith("PORT ") for c in sent), sent)
        self.assertNotIn("PASV", sent)

    # -- resume --

    def test_resume(self):
        ftptest.write_file(self.local("data.bin"), DATA[:1000000])
        before = len(self.transfers("/data.bin"))
        r = self.wget("-c", self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        self.assertIn("REST 1000000", self.sent(r))
        # ferryd sent only the missing part.
        self.assertTrue(ftptest.wait_until(
            lambda: len(self.transfers("/data.bin")) > before), self._log())
        self.assertEqual(self.transfers("/data.bin")[before:], [len(DATA) - 1000000])

    def test_resume_active(self):
        ftptest.write_file(self.local("data.bin"), DATA[:123457])
        r = self.wget("-c", "--no-passive-ftp", self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        self.assertIn("REST 123457", self.sent(r))

    def test_resume_complete_file(self):
        """A file already whole is left alone: nothing is downloaded."""
        ftptest.write_file(self.local("data.bin"), DATA)
        before = len(self.transfers("/data.bin"))
        r = self.wget("-c", self.url("/data.bin"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        self.assertFalse(any(c.startswith("RETR") for c in self.sent(r)), self.sent(r))
        self.assertEqual(len(self.transfers("/data.bin")), before)

    def test_resume_local_file_longer(self):
        """-c where the local file is longer than the remote one (the
        remote was replaced by a shorter file): wget sends REST past the
        end; ferryd refuses it, so wget fails and says so instead of
        reporting the wrong local file as saved."""
        local = b"L" * (len(DATA) + 100)
        ftptest.write_file(self.local("data.bin"), local)
        r = self.wget("-c", self.url("/data.bin"), ok=False)
        self.assertIn("REST %d" % len(local), self.sent(r))
        self.assertEqual(r.returncode, 8, r.stderr[-800:])      # server error response
        self.assertEqual(read_file(self.local("data.bin")), local)

    # -- logins --

    def test_named_user(self):
        r = self.wget("-O", "bob.bin", self.url("/data.bin", USER, PASSWORD))
        self.assertEqual(read_file(self.local("bob.bin")), DATA)
        self.assertIn("USER " + USER, self.sent(r))
        self.assertTrue(self.server.wait_log(r"login: peer=\S+ user=%s\b" % USER), self._log())

    def test_named_user_options(self):
        self.wget("--ftp-user=" + USER, "--ftp-password=" + PASSWORD, "-O", "opt.bin",
                  self.url("/data.bin"))
        self.assertEqual(read_file(self.local("opt.bin")), DATA)

    def test_anonymous(self):
        r = self.wget(self.url("/tree/top.txt"))
        self.assertEqual(read_file(self.local("top.txt")), TREE["top.txt"])
        self.assertIn("USER anonymous", self.sent(r))

    def test_wrong_password(self):
        r = self.wget(self.url("/data.bin", USER, "wrong"), ok=False)
        self.assertEqual(r.returncode, 6, r.stderr[-800:])      # authentication failure
        self.assertIn(b"Login incorrect", r.stderr)
        self.assertEqual(os.listdir(self.dir), [])
        self.assertFalse(any(c.startswith("RETR") for c in self.sent(r)), self.sent(r))

    def test_unknown_user(self):
        r = self.wget(self.url("/data.bin", "nosuchuser", "x"), ok=False)
        self.assertEqual(r.returncode, 6, r.stderr[-800:])
        self.assertEqual(os.listdir(self.dir), [])

    # -- recursive downloads --

    def check_tree(self, top):
        got = files_of(top)
        self.assertEqual(got, TREE)
        for rel in EMPTY_DIRS:
            self.assertTrue(os.path.isdir(os.path.join(top, rel)), rel)

    def test_recursive(self):
        self.wget("-r", "-nH", "-np", self.url("/tree/"))
        self.check_tree(self.local("tree"))

    def test_recursive_active(self):
        r = self.wget("-r", "-nH", "-np", "--no-passive-ftp", self.url("/tree/"))
        self.check_tree(self.local("tree"))
        self.assertNotIn("PASV", self.sent(r))

    def test_mirror(self):
        r = self.wget("--mirror", "-nH", self.url("/tree/"))
        self.check_tree(self.local("tree"))
        # --mirror keeps the listings; they name every file.
        listing = read_file(self.local("tree", ".listing")).decode("utf-8")
        for name in ("top.txt", "empty.txt", "name with spaces.txt", "caf\u00e9.txt"):
            self.assertIn(name, listing)
        # A second run finds everything up to date and downloads nothing.
        r = self.wget("--mirror", "-nH", self.url("/tree/"))
        self.assertFalse(any(c.startswith("RETR") for c in self.sent(r)), self.sent(r))
        self.check_tree(self.local("tree"))

    def test_mirror_fetches_changed_file(self):
        self.wget("--mirror", "-nH", self.url("/glob/"))
        self.assertEqual(read_file(self.local("glob", "a.txt")), GLOB["a.txt"])
        # A newer, different file on the server is fetched again; the rest not.
        os.utime(self.local("glob", "a.txt"), (1000000000, 1000000000))
        r = self.wget("--mirror", "-nH", self.url("/glob/"))
        self.assertEqual([c for c in self.sent(r) if c.startswith("RETR")], ["RETR a.txt"])
        self.assertEqual(files_of(self.local("glob")), {k: v for k, v in GLOB.items()})

    def test_recursive_name_with_ff(self):
        """wget sends a 0xFF byte in a name as it is, not doubled (RFC 959
        and RFC 2640 ask for IAC IAC). 0xFF before a byte that is no Telnet
        command cannot be one, so ferryd keeps both bytes: the RETR asks
        for the listed name and the file arrives whole."""
        r = self.wget("-r", "-nH", "-np", self.url("/ff/"))
        self.assertEqual(files_of(self.local("ff")),
                         {"plain.txt": b"plain\n", FF_NAME: FF_DATA})
        # The trace is read as UTF-8: the lone 0xFF shows as U+FFFD.
        self.assertIn("RETR \ufffdname.bin", self.sent(r))
        self.assertIsNone(self.server.wait_log(r"-> 550 /ff/", timeout=0), self._log())

    def test_ff_name_doubled_in_url(self):
        """With the byte doubled in the URL (%FF%FF), wget sends IAC IAC,
        which ferryd reads as one 0xFF: the file arrives whole."""
        self.wget("-O", "ff.bin", self.url("/ff/%FF%FFname.bin"))
        self.assertEqual(read_file(self.local("ff.bin")), FF_DATA)

    # -- globbing --

    def test_glob(self):
        r = self.wget(self.url("/glob/*.txt"))
        self.assertEqual(set(os.listdir(self.dir)), GLOB_MATCH)
        for name in GLOB_MATCH:
            self.assertEqual(read_file(self.local(name)), GLOB[name])
        self.assertEqual(sorted(c for c in self.sent(r) if c.startswith("RETR")),
                         sorted("RETR " + n for n in GLOB_MATCH))

    def test_glob_question_mark_active(self):
        self.wget("--no-passive-ftp", self.url("/glob/?.txt"))
        self.assertEqual(set(os.listdir(self.dir)), {"a.txt", "b.txt"})

    def test_glob_no_match(self):
        """A pattern that matches nothing: wget says so and fetches nothing
        (its exit status stays 0)."""
        r = self.wget(self.url("/glob/*.none"))
        self.assertIn("No matches on pattern", r.stderr.decode("utf-8", "replace"))
        self.assertEqual(os.listdir(self.dir), [])
        self.assertFalse(any(c.startswith("RETR") for c in self.sent(r)), self.sent(r))

    # -- FTPS --

    def tls_args(self):
        return ["--ca-certificate=" + tlspeers.cert("ca.pem")]

    def test_ftps_explicit(self):
        r = self.wget(*self.tls_args(), "-O", "s.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"))
        self.assertEqual(read_file(self.local("s.bin")), DATA)
        sent = self.sent(r)
        self.assertEqual(sent[0], "AUTH TLS")
        self.assertIn("PROT P", sent)

    def test_ftps_explicit_anonymous_recursive(self):
        self.wget(*self.tls_args(), "-r", "-nH", "-np", self.url("/tree/", scheme="ftps"))
        self.check_tree(self.local("tree"))

    def test_ftps_explicit_active(self):
        r = self.wget(*self.tls_args(), "--no-passive-ftp", "-O", "a.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"))
        self.assertEqual(read_file(self.local("a.bin")), DATA)
        self.assertTrue(any(c.startswith("PORT ") for c in self.sent(r)), self.sent(r))

    def test_ftps_resume(self):
        ftptest.write_file(self.local("data.bin"), DATA[:2000000])
        r = self.wget(*self.tls_args(), "-c",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"))
        self.assertEqual(read_file(self.local("data.bin")), DATA)
        self.assertIn("REST 2000000", self.sent(r))

    def test_ftps_clear_data(self):
        r = self.wget(*self.tls_args(), "--ftps-clear-data-connection", "-O", "c.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"))
        self.assertEqual(read_file(self.local("c.bin")), DATA)
        self.assertIn("PROT C", self.sent(r))

    def test_ftps_implicit(self):
        r = self.wget(*self.tls_args(), "--ftps-implicit", "-O", "i.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps",
                               port=self.implicit_port))
        self.assertEqual(read_file(self.local("i.bin")), DATA)
        self.assertNotIn("AUTH TLS", self.sent(r))

    def test_ftps_wrong_password(self):
        r = self.wget(*self.tls_args(), self.url("/data.bin", USER, "wrong", scheme="ftps"),
                      ok=False)
        self.assertEqual(r.returncode, 6, r.stderr[-800:])
        self.assertEqual(os.listdir(self.dir), [])

    def test_ftps_untrusted_certificate(self):
        """Without the test CA (only the system's) wget does not trust
        ferryd's certificate: it stops before logging in (exit status 5,
        SSL verification failure)."""
        before = self.server.log_text().count("login: ")
        r = self.wget("-O", "u.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"), ok=False)
        self.assertEqual(r.returncode, 5, r.stderr[-800:])
        self.assertNotIn("PASS " + PASSWORD, self.sent(r))
        self.assertEqual(self.server.log_text().count("login: "), before)

    def test_ftps_new_session_on_data_refused(self):
        """--no-ftps-resume-ssl makes wget start a new TLS session on the
        data connection. ferryd requires the data connection to resume the
        control connection's session (ferryd(8), as vsftpd's
        require_ssl_reuse) and answers 425; wget gives up (it ends with an
        assertion failure, SIGABRT) and the file is not written."""
        r = self.wget(*self.tls_args(), "--no-ftps-resume-ssl", "-O", "n.bin",
                      self.url("/data.bin", USER, PASSWORD, scheme="ftps"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(self.server.wait_log(r"-> 425 .*not resumed"), self._log())
        self.assertEqual(read_file(self.local("n.bin")), b"")


class WgetIPv6Test(ftptest.TestCase):
    """Over IPv6 loopback wget uses the extended commands: EPSV passive,
    EPRT active."""

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.WGET, "wget")
        srv = ftptest.Server(["-v", "--anonymous=ro"], listen="[::1]:0")
        srv.host = "::1"
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-wget6-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def fetch(self, *args):
        out = os.path.join(self.tmp, self.id().rsplit(".", 1)[-1] + ".bin")
        cmd = [config.WGET, "--no-config", "-d", "--tries=1", "--timeout=10", "-O", out]
        cmd += list(args) + ["ftp://[::1]:%d/data.bin" % self.server.port]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=90,
                           env=dict(os.environ, HOME=self.tmp, LC_ALL="C.UTF-8"))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(read_file(out), DATA)
        return [l[4:].strip() for l in r.stderr.decode("utf-8", "replace").splitlines()
                if l.startswith("--> ")]

    def test_passive_epsv(self):
        sent = self.fetch()
        self.assertIn("EPSV 2", sent)
        self.assertNotIn("PASV", sent)

    def test_active_eprt(self):
        sent = self.fetch("--no-passive-ftp")
        self.assertTrue(any(c.startswith("EPRT |2|::1|") for c in sent), sent)


if __name__ == "__main__":
    unittest.main(verbosity=2)
