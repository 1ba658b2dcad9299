"""ferryd with rclone (its FTP backend) as the client: copy and sync of a
tree up and down (nested directories, an empty file, an empty directory,
names with spaces and UTF-8, a 10 MiB file, 300 small files over several
concurrent sessions), a second sync that moves only what changed,
modification times set by MFMT and read back by MLSD, the listing and file
commands (lsf, lsjson, size, mkdir, rmdir, deletefile, moveto, cat, rcat,
about), a named user and anonymous, a wrong password, --max-per-ip at
rclone's concurrency, and FTPS (explicit and implicit TLS, the certificate
verified against the test CA).

FTPS and rclone's concurrency: ferryd accepts a protected data connection
only if it resumes its own control connection's TLS session. rclone before
1.64 (Debian 12 has 1.60) shares one TLS session cache among all its
connections to a host, so with several control connections at once a data
connection may offer another one's ticket and be refused (425); the FTPS
round trips therefore run rclone on one connection (ONE_CONNECTION), and
the default-concurrency tests require success from rclone 1.64 on and a
clear failure (exit code, the 425 reason, whole files) before. Against
ferryd --tls-session-reuse=optional rclone's default concurrency must
succeed whatever its version, three round trips in a row.

rclone reads no configuration of the user's: HOME, RCLONE_CONFIG and the
XDG folders point into a temporary folder, and every remote is an
on-the-fly one (:ftp,host=...,pass=OBSCURED:path). Every rclone run has
short connect/IO timeouts, one try and one low-level try, so a failure
shows instead of being retried away, and a subprocess timeout."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import config
import ftptest
import tlspeers
from ftptest import read_file, files_of

USER = "alice"
PASSWORD = "s3cret-Passw0rd"
BIG = ftptest.random_bytes(10 << 20, seed=11)
# A tree with the names and shapes a user has; mtimes are set per test.
TREE = {
    "top.txt": b"top level\n",
    "name with spaces.txt": b"spaces\n",
    "caf\u00e9 \u65e5\u672c.txt": "utf-8 name\n".encode(),
    "a/one.bin": BIG[:100000],
    "a/b/two.bin": BIG[100000:400000],
    "a/b/c/three.txt": b"three\n",
    "dir with space/\u00fcber.txt": b"nested utf-8\n",
    "empty.txt": b"",
    "big.bin": BIG,
}
EMPTY_DIR = os.path.join("a", "emptydir")
# Flags on every run: fail fast, never retry a failure away, no stats.
COMMON = ["--contimeout", "5s", "--timeout", "20s", "--retries", "1",
          "--low-level-retries", "1", "--stats", "0"]
RUN_TIMEOUT = 120
# rclone on one FTP connection: its checks first, then its transfers.
ONE_CONNECTION = ["--ftp-concurrency", "1", "--transfers", "1", "--checkers", "1",
                  "--check-first"]


def write_tree(top, tree, mtime=None):
    ftptest.write_tree(top, tree, dirs=[EMPTY_DIR], mtime=mtime)


def transfers_in(log):
    """[(verb, path)] of the transfer lines in a piece of ferryd's log."""
    return re.findall(r"transfer: peer=\S+ user=\S+ (\w+) (.*) bytes=\d+ seconds=\S+ result=ok",
                      log)


def rclone_version():
    r = subprocess.run([config.RCLONE, "version"], capture_output=True, text=True, timeout=30)
    m = re.search(r"v(\d+)\.(\d+)", r.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


# rclone 1.64 gave each FTP connection its own TLS session cache.
FIXED_SESSION_CACHE = False


class RcloneCase(ftptest.TestCase):
    """Runs rclone against cls.server with a private HOME and config."""

    @classmethod
    def make_home(cls):
        ftptest.require_program(config.RCLONE, "rclone")
        global FIXED_SESSION_CACHE
        FIXED_SESSION_CACHE = rclone_version() >= (1, 64)
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-rclone-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        home = os.path.join(cls.tmp, "home")
        os.mkdir(home)
        conf = os.path.join(home, "rclone.conf")
        open(conf, "w").close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RCLONE_")}
        env.update(HOME=home, RCLONE_CONFIG=conf, XDG_CONFIG_HOME=home,
                   XDG_CACHE_HOME=home, LC_ALL="C.UTF-8")
        env.pop("SSL_CERT_FILE", None)
        env.pop("SSL_CERT_DIR", None)
        cls.env = env
        cls.obscured = {}

    def obscure(self, password):
        if password not in self.obscured:
            r = subprocess.run([config.RCLONE, "obscure", password], capture_output=True,
                               text=True, timeout=30, env=self.env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.obscured[password] = r.stdout.strip()
        return self.obscured[password]

    def remote(self, path="", user="anonymous", password="guest@example.org", port=None,
               **opts):
        """An on-the-fly rclone remote for path on the server."""
        parts = [":ftp", "host=" + self.server.host, "port=%d" % (port or self.server.port),
                 "user=" + user, "pass=" + self.obscure(password)]
        parts += ["%s=%s" % kv for kv in sorted(opts.items())]
        return ",".join(parts) + ":" + path

    def rclone(self, *args, ok=True, input=None, env=None, timeout=RUN_TIMEOUT):
        cmd = [config.RCLONE] + COMMON + [str(a) for a in args]
        r = subprocess.run(cmd, cwd=self.tmp, input=input, capture_output=True,
                           timeout=timeout, env=dict(self.env, **(env or {})))
        r.out = r.stdout.decode("utf-8", "replace")
        r.err = r.stderr.decode("utf-8", "replace")
        if ok and r.returncode != 0:
            self.fail("rclone exited %d: %s\nstdout: %s\nstderr: %s%s"
                      % (r.returncode, " ".join(cmd), r.out[-1500:], r.err[-3000:],
                         self._log()))
        return r

    def local(self, *parts):
        return os.path.join(self.tmp, *parts)

    def log_mark(self):
        return len(self.server.log_text())

    def log_since(self, mark):
        return self.server.log_text()[mark:]


class RclonePlainTest(RcloneCase):
    """Plain FTP: anonymous read-write and alice, same root."""

    @classmethod
    def setUpClass(cls):
        cls.make_home()
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        users = ftptest.users_file(srv, USER, PASSWORD, fields="::rw")
        srv.args = ["-u", users, "--anonymous=rw", "--idle-timeout", "30"]
        srv.start()
        cls.server = srv

    def test_copy_tree_up_and_down(self):
        src = self.local("copy-src")
        write_tree(src, TREE)
        self.rclone("copy", "--create-empty-src-dirs", src, self.remote("copy-up"))
        self.assertEqual(ftptest.tree_snapshot(self.server.path("copy-up")),
                         ftptest.tree_snapshot(src))
        r = self.rclone("check", src, self.remote("copy-up"))
        self.assertIn("0 differences found", r.err)
        self.assertIn("%d matching files" % len(TREE), r.err)
        # Down again, into a fresh folder: the same bytes, the empty folder too.
        down = self.local("copy-down")
        self.rclone("copy", "--create-empty-src-dirs", self.remote("copy-up"), down)
        self.assertEqual(ftptest.tree_snapshot(down), ftptest.tree_snapshot(src))
        self.rclone("check", self.remote("copy-up"), down)

    def test_empty_dir_needs_create_empty_src_dirs(self):
        # rclone's default copies files only: a folder with no file is not
        # made on the server unless asked for.
        src = self.local("noempty-src")
        write_tree(src, {"a/x.txt": b"x"})
        self.rclone("copy", src, self.remote("noempty"))
        self.assertEqual(read_file(self.server.path("noempty", "a", "x.txt")), b"x")
        self.assertFalse(os.path.exists(self.server.path("noempty", EMPTY_DIR)))

    def test_odd_names_mlsd_list_pasv(self):
        # Glob characters, a leading space, a leading dash, dot files,
        # quotes: sync up and down by MLSD and EPSV (rclone's choice with
        # ferryd), by LIST (-a, so dot files show) and by PASV.
        odd = {
            "star*dir/[br]ack/a*b?.txt": b"glob\n",
            "q?mark/x#%.txt": b"hash percent\n",
            " lead/ leading space.txt": b"leading space\n",
            "-dash.txt": b"dash\n",
            ".hidden/.dot": b"dot\n",
            "back\\slash.txt": b"backslash\n",
            'semi;colon & "quote".txt': b"quote\n",
            "caf\u00e9/\u00fcber \u65e5\u672c.txt": "utf-8\n".encode(),
        }
        for name, opts in (("odd-mlsd", {}),
                           ("odd-list", {"disable_mlsd": "true", "force_list_hidden": "true"}),
                           ("odd-pasv", {"disable_epsv": "true"})):
            src = self.local(name + "-src")
            write_tree(src, odd, mtime=1400000000)
            self.rclone("sync", src, self.remote(name, **opts))
            self.assertEqual(files_of(self.server.path(name)), odd, name)
            self.rclone("check", src, self.remote(name, **opts))
            down = self.local(name + "-down")
            self.rclone("sync", self.remote(name, **opts), down)
            self.assertEqual(files_of(down), odd, name)
            # Times came back through the listing (or MDTM after LIST).
            for rel in odd:
                self.assertEqual(os.stat(os.path.join(down, rel)).st_mtime,
                                 os.stat(os.path.join(src, rel)).st_mtime, (name, rel))
            mark = self.log_mark()
            self.rclone("sync", src, self.remote(name, **opts))
            self.assertEqual(transfers_in(self.log_since(mark)), [], name)

    def test_many_small_files_concurrent_sessions(self):
        src = self.local("many-src")
        files = {"d%d/f%03d.txt" % (i % 3, i): ("file %d\n" % i).encode() * (i % 7)
                 for i in range(300)}
        write_tree(src, files)
        mark = self.log_mark()
        self.rclone("sync", "--transfers", "4", "--checkers", "8", src, self.remote("many"))
        log = self.log_since(mark)
        self.assertEqual({k: v for k, v in ftptest.tree_snapshot(self.server.path("many")).items()
                          if v != "DIR"}, files)
        stors = [p for v, p in transfers_in(log) if v == "STOR"]
        self.assertEqual(sorted(stors), sorted("/many/" + k for k in files))
        # Several sessions carried them, all within ferryd's default
        # --max-per-ip (16): none refused.
        sessions = set(re.findall(r"ferryd\[(\d+)\]: login: ", log))
        self.assertGreaterEqual(len(sessions), 4, log[-2000:])
        self.assertLessEqual(len(sessions), 16)
        self.assertNotIn("refused", log)
        # A second sync with nothing changed moves nothing (times match to
        # rclone's precision for this remote, sizes too).
        mark = self.log_mark()
        r = self.rclone("sync", "-v", "--transfers", "4", "--checkers", "8", src,
                        self.remote("many"))
        self.assertEqual(transfers_in(self.log_since(mark)), [])
        self.assertNotIn("Copied", r.err)
        # Down into an empty folder over as many sessions.
        down = self.local("many-down")
        self.rclone("sync", "--transfers", "4", "--checkers", "8", self.remote("many"), down)
        self.assertEqual(files_of(down), files)

    def test_second_sync_moves_only_the_change(self):
        src = self.local("resync-src")
        base = 1600000000
        write_tree(src, TREE, mtime=base)
        self.rclone("sync", src, self.remote("resync"))
        # The server's files have the local times (MFMT), to the second,
        # and rclone reads them back the same (MLSD modify facts).
        for rel in TREE:
            self.assertEqual(os.stat(self.server.path("resync", rel)).st_mtime,
                             os.stat(os.path.join(src, rel)).st_mtime, rel)
        r = self.rclone("lsl", self.remote("resync"))
        listed = {}
        for line in r.out.splitlines():
            m = re.match(r"\s*(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+ (.*)$", line)
            self.assertTrue(m, line)
            listed[m.group(3)] = (int(m.group(1)), m.group(2))
        want = {rel: (len(data), time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(
            os.stat(os.path.join(src, rel)).st_mtime))) for rel, data in TREE.items()}
        self.assertEqual(listed, want)
        # Nothing changed: nothing moves.
        mark = self.log_mark()
        r = self.rclone("sync", "-v", src, self.remote("resync"))
        self.assertEqual(transfers_in(self.log_since(mark)), [])
        self.assertNotIn("Copied", r.err)
        # One file changed (same size, new time), one deleted: one upload,
        # one delete, nothing else.
        changed = os.path.join(src, "a", "b", "c", "three.txt")
        ftptest.write_file(changed, b"THREE\n", mtime=base + 100000)
        os.unlink(os.path.join(src, "top.txt"))
        mark = self.log_mark()
        r = self.rclone("sync", "-v", src, self.remote("resync"))
        log = self.log_since(mark)
        self.assertEqual(transfers_in(log), [("STOR", "/resync/a/b/c/three.txt")])
        self.assertEqual(re.findall(r"delete: peer=\S+ user=\S+ (.*)", log), ["/resync/top.txt"])
        self.assertEqual(re.findall(r"INFO  : (.*?): Copied", r.err), ["a/b/c/three.txt"])
        self.assertEqual(re.findall(r"INFO  : (.*?): Deleted", r.err), ["top.txt"])
        self.assertEqual(read_file(self.server.path("resync", "a", "b", "c", "three.txt")),
                         b"THREE\n")
        self.assertEqual(os.stat(self.server.path("resync", "a", "b", "c", "three.txt")).st_mtime,
                         base + 100000)
        self.assertFalse(os.path.exists(self.server.path("resync", "top.txt")))
        self.rclone("check", src, self.remote("resync"))
        # New local times on every file, same sizes: --size-only moves nothing.
        for rel in TREE:
            if rel != "top.txt":
                os.utime(os.path.join(src, rel), (base + 500000, base + 500000))
        mark = self.log_mark()
        self.rclone("sync", "--size-only", src, self.remote("resync"))
        self.assertEqual(transfers_in(self.log_since(mark)), [])

    def test_listings(self):
        stamp = 1500000000
        for i, (rel, data) in enumerate(sorted(TREE.items())):
            self.server.write(os.path.join("list", rel), data, mtime=stamp + i)
        self.server.mkdir(os.path.join("list", EMPTY_DIR))
        r = self.rclone("lsf", "-R", self.remote("list"))
        dirs = {"a/", "a/b/", "a/b/c/", "a/emptydir/", "dir with space/"}
        self.assertEqual(sorted(r.out.splitlines()), sorted(set(TREE) | dirs))
        r = self.rclone("lsjson", "-R", self.remote("list"))
        got = {e["Path"]: e for e in json.loads(r.out)}
        self.assertEqual(set(got), set(TREE) | {d.rstrip("/") for d in dirs})
        for i, (rel, data) in enumerate(sorted(TREE.items())):
            self.assertFalse(got[rel]["IsDir"])
            self.assertEqual(got[rel]["Size"], len(data))
            self.assertEqual(got[rel]["ModTime"],
                             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp + i)), rel)
        self.assertTrue(got["a/emptydir"]["IsDir"])
        r = self.rclone("size", "--json", self.remote("list"))
        size = json.loads(r.out)
        self.assertEqual((size["count"], size["bytes"]), (len(TREE), sum(map(len, TREE.values()))))

    def test_file_commands(self):
        self.rclone("mkdir", self.remote("ops/new dir/deep"))
        self.assertTrue(os.path.isdir(self.server.path("ops", "new dir", "deep")))
        self.rclone("rmdir", self.remote("ops/new dir/deep"))
        self.assertFalse(os.path.exists(self.server.path("ops", "new dir", "deep")))
        self.assertTrue(os.path.isdir(self.server.path("ops", "new dir")))
        # rcat: stdin to a file; cat: a file to stdout.
        self.rclone("rcat", self.remote("ops/from stdin \u00e9.bin"), input=BIG[:300000])
        self.assertEqual(read_file(self.server.path("ops", "from stdin \u00e9.bin")),
                         BIG[:300000])
        r = self.rclone("cat", self.remote("ops/from stdin \u00e9.bin"))
        self.assertEqual(r.stdout, BIG[:300000])
        # moveto: a rename on the server (no copy: the inode stays).
        ino = os.stat(self.server.path("ops", "from stdin \u00e9.bin")).st_ino
        mark = self.log_mark()
        self.rclone("moveto", self.remote("ops/from stdin \u00e9.bin"),
                    self.remote("ops/new dir/renamed.bin"))
        self.assertEqual(transfers_in(self.log_since(mark)), [])
        self.assertFalse(os.path.exists(self.server.path("ops", "from stdin \u00e9.bin")))
        self.assertEqual(os.stat(self.server.path("ops", "new dir", "renamed.bin")).st_ino, ino)
        self.rclone("deletefile", self.remote("ops/new dir/renamed.bin"))
        self.assertEqual(os.listdir(self.server.path("ops", "new dir")), [])
        # A missing file: rclone fails, and says so.
        r = self.rclone("cat", self.remote("ops/missing.txt"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not found", r.err)
        # rmdir of a folder that is not empty fails, and leaves it.
        self.server.write("ops/full/x.txt", b"x")
        r = self.rclone("rmdir", self.remote("ops/full"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(read_file(self.server.path("ops", "full", "x.txt")), b"x")

    def test_tree_commands(self):
        for rel, data in TREE.items():
            self.server.write(os.path.join("tree-ops", rel), data)
        self.server.mkdir("tree-ops/e1")     # each level the session's own
        self.server.mkdir("tree-ops/e1/e2")
        # copyto between two places on the server: down on one session,
        # up on another at the same time (FTP has no server-side copy).
        self.rclone("copyto", self.remote("tree-ops/big.bin"), self.remote("tree-copy/big2.bin"))
        self.assertEqual(read_file(self.server.path("tree-copy", "big2.bin")), BIG)
        # touch: a given time on an existing file (MFMT), a new empty file.
        self.rclone("touch", "-t", "2021-05-06T07:08:09", self.remote("tree-copy/big2.bin"))
        self.assertEqual(os.stat(self.server.path("tree-copy", "big2.bin")).st_mtime,
                         1620284889)
        self.rclone("touch", self.remote("tree-copy/new.txt"))
        self.assertEqual(read_file(self.server.path("tree-copy", "new.txt")), b"")
        # rmdirs: only the empty folders go.
        self.rclone("rmdirs", self.remote("tree-ops"))
        self.assertFalse(os.path.exists(self.server.path("tree-ops", "e1")))
        self.assertEqual(read_file(self.server.path("tree-ops", "a", "b", "c", "three.txt")),
                         b"three\n")
        # delete with a filter: the .txt files only, folders stay.
        self.rclone("delete", "--include", "*.txt", self.remote("tree-ops"))
        self.assertEqual(sorted(files_of(self.server.path("tree-ops"))),
                         sorted(k for k in TREE if not k.endswith(".txt")))
        # purge: everything.
        self.rclone("purge", self.remote("tree-ops"))
        self.assertFalse(os.path.exists(self.server.path("tree-ops")))
        # move between folders of the server: renames, nothing transferred.
        mark = self.log_mark()
        self.rclone("move", self.remote("tree-copy"), self.remote("tree-moved"))
        self.assertEqual(transfers_in(self.log_since(mark)), [])
        self.assertEqual(files_of(self.server.path("tree-moved")),
                         {"big2.bin": BIG, "new.txt": b""})
        self.assertEqual(files_of(self.server.path("tree-copy")), {})

    def test_about_not_supported_by_the_ftp_backend(self):
        # rclone's FTP backend has no About: it says so itself, without
        # asking the server anything odd.
        r = self.rclone("about", self.remote(""), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("doesn't support about", r.err)

    def test_named_user(self):
        src = self.local("alice-src")
        write_tree(src, {"x/y.txt": b"alice's\n", "big.bin": BIG[:2000000]})
        mark = self.log_mark()
        self.rclone("copy", src, self.remote("alice-up", user=USER, password=PASSWORD))
        self.assertEqual(read_file(self.server.path("alice-up", "x", "y.txt")), b"alice's\n")
        self.assertEqual(read_file(self.server.path("alice-up", "big.bin")), BIG[:2000000])
        self.assertIn("user=%s" % USER, self.log_since(mark))
        self.assertNotIn("user=anonymous", self.log_since(mark))
        r = self.rclone("lsf", self.remote("alice-up", user=USER, password=PASSWORD))
        self.assertEqual(sorted(r.out.split()), ["big.bin", "x/"])

    def test_wrong_password(self):
        start = time.monotonic()
        r = self.rclone("lsf", self.remote("", user=USER, password="wrong"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("530", r.err)
        self.assertLess(time.monotonic() - start, 60)
        # Nothing was written by a refused copy either.
        src = self.local("refused-src")
        write_tree(src, {"z.txt": b"z"})
        r = self.rclone("copy", src, self.remote("refused", user=USER, password="wrong"),
                        ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(self.server.path("refused")))


class RcloneMaxPerIpTest(RcloneCase):
    """rclone's unlimited connections against --max-per-ip 3."""

    LIMIT = 3

    @classmethod
    def setUpClass(cls):
        cls.make_home()
        srv = ftptest.Server(["--anonymous=rw", "--max-per-ip", str(cls.LIMIT),
                              "--idle-timeout", "30"])
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def setUp(self):
        # Each test starts with no session of an earlier one left.
        self.assertTrue(self.server.wait_sessions_gone(10))

    def test_default_concurrency_at_the_limit(self):
        src = self.local("limit-src")
        files = {"f%02d.txt" % i: ("%d\n" % i).encode() * (i + 1) for i in range(40)}
        write_tree(src, files)
        r = self.rclone("copy", "--transfers", "4", "--checkers", "8", src,
                        self.remote("limit"), ok=False)
        # Past the limit: either done, or a clear failure naming the
        # refusal; whatever arrived is whole.
        if r.returncode != 0:
            self.assertIn("421 Too many connections from your address", r.err)
        else:
            self.assertEqual(len(os.listdir(self.server.path("limit"))), len(files))
        for name in os.listdir(self.server.path("limit")) if os.path.isdir(
                self.server.path("limit")) else []:
            self.assertEqual(read_file(self.server.path("limit", name)), files[name])

    def test_concurrency_within_the_limit(self):
        # --ftp-concurrency at the limit with transfers + checkers below it
        # (rclone's own rule): all arrives.
        src = self.local("within-src")
        files = {"f%02d.txt" % i: ("%d\n" % i).encode() * (i + 1) for i in range(40)}
        write_tree(src, files)
        mark = self.log_mark()
        self.rclone("copy", "--transfers", "1", "--checkers", "1",
                    "--ftp-concurrency", str(self.LIMIT), src, self.remote("within"))
        self.assertEqual({k: v for k, v in ftptest.tree_snapshot(
            self.server.path("within")).items() if v != "DIR"}, files)
        self.assertNotIn("too many sessions", self.log_since(mark))


class RcloneTlsTest(RcloneCase):
    """FTPS: explicit (AUTH TLS) on one listener, implicit on another; the
    certificate is checked against the test CA (SSL_CERT_FILE, read by
    rclone's Go TLS client), transfers under PROT P."""

    @classmethod
    def setUpClass(cls):
        cls.make_home()
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        users = ftptest.users_file(srv, USER, PASSWORD, fields="::rw")
        srv.args = ["-v", "-u", users, "--anonymous=rw", "--tls-cert", tlspeers.cert("server.pem"),
                    "--tls-key", tlspeers.cert("server.key"), "--idle-timeout", "30",
                    "-l", "127.0.0.1:0,implicit-tls"]
        srv.start()
        cls.server = srv
        (_, cls.explicit), (_, cls.implicit) = srv.addresses
        cls.ca_env = {"SSL_CERT_FILE": tlspeers.cert("ca.pem")}

    def tls_remote(self, path, implicit=False, **opts):
        if implicit:
            return self.remote(path, user=USER, password=PASSWORD, port=self.implicit,
                               tls="true", **opts)
        return self.remote(path, user=USER, password=PASSWORD, port=self.explicit,
                           explicit_tls="true", **opts)

    def round_trip(self, name, implicit, flags=(), version="1.3", **opts):
        src = self.local(name + "-src")
        write_tree(src, TREE)
        mark = self.log_mark()
        remote = self.tls_remote(name, implicit, **opts)
        self.rclone("copy", *flags, src, remote, env=self.ca_env)
        self.assertEqual(files_of(self.server.path(name)), files_of(src))
        down = self.local(name + "-down")
        self.rclone("copy", *flags, remote, down, env=self.ca_env)
        self.assertEqual(files_of(down), files_of(src))
        self.rclone("check", *flags, src, remote, env=self.ca_env)
        log = self.log_since(mark)
        # Every session was in TLS, every data connection protected.
        logins = re.findall(r"ferryd\[(\d+)\]: login: ", log)
        tls = set(re.findall(r"ferryd\[(\d+)\]: session \S+: TLS TLSv%s " % re.escape(version),
                             log))
        self.assertTrue(logins)
        self.assertTrue(set(logins) <= tls, log[-3000:])
        self.assertGreaterEqual(len(re.findall(r"data connection TLSv%s \S+ resumed"
                                               % re.escape(version), log)),
                                len(transfers_in(log)))
        self.assertNotIn("data connection refused", log)

    def test_explicit_tls(self):
        self.round_trip("explicit", False, ONE_CONNECTION)

    def test_implicit_tls(self):
        self.round_trip("implicit", True, ONE_CONNECTION)

    def test_explicit_tls12(self):
        # TLS 1.2 resumes by its own tickets.
        self.round_trip("explicit12", False, ONE_CONNECTION, version="1.2",
                        disable_tls13="true")

    def test_certificate_checked(self):
        # Without the test CA the certificate is refused; with
        # no_check_certificate it is taken.
        r = self.rclone("lsf", self.tls_remote(""), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("certificate", r.err)
        self.server.write("nocheck.txt", b"taken\n")
        r = self.rclone("cat", self.tls_remote("nocheck.txt", no_check_certificate="true"))
        self.assertEqual(r.stdout, b"taken\n")

    def default_concurrency(self, name, implicit):
        """rclone's defaults (4 transfers, 8 checkers): several control
        connections at once, each with its own data connections.

        Each data connection must resume its own control connection's TLS
        session. rclone before 1.64 keeps one TLS session cache for all
        its connections to a host (rclone issue 7234), so under
        concurrency a data connection may offer another control
        connection's ticket, which ferryd refuses (425). From 1.64 on each
        connection has its own cache and all must go through; before, the
        failure must be a clear one: a non-zero exit naming the refusal,
        and every file on the server whole."""
        src = self.local(name + "-src")
        files = {"f%03d.txt" % i: ("%d\n" % i).encode() * (i + 1) for i in range(60)}
        files["big.bin"] = BIG
        write_tree(src, files)
        mark = self.log_mark()
        up = self.rclone("copy", src, self.tls_remote(name, implicit), env=self.ca_env, ok=False)
        down_dir = self.local(name + "-down")
        down = self.rclone("copy", self.tls_remote(name, implicit), down_dir, env=self.ca_env,
                           ok=False)
        log = self.log_since(mark)
        self.assertGreater(len(set(re.findall(r"ferryd\[(\d+)\]: login: ", log))), 1)
        on_server = files_of(self.server.path(name))
        for rel, data in on_server.items():
            self.assertEqual(data, files[rel], rel)
        if FIXED_SESSION_CACHE:
            self.assertEqual((up.returncode, down.returncode), (0, 0),
                             "up: %s\ndown: %s" % (up.err[-2000:], down.err[-2000:]))
            self.assertEqual(on_server, files)
            self.assertEqual(files_of(down_dir), files)
            return
        for r in (up, down):
            if r.returncode != 0:
                self.assertIn("425 Can't open data connection: TLS session of the data "
                              "connection not resumed from the control connection", r.err)
            else:
                self.assertNotIn("ERROR", r.err)
        if up.returncode == 0:
            self.assertEqual(on_server, files)
        if down.returncode == 0:
            self.assertEqual(files_of(down_dir), on_server)
        # ferryd names the reason in its log, once per refused connection.
        refused = log.count("data connection refused: TLS session of the data connection not "
                            "resumed from the control connection")
        self.assertEqual(refused > 0, up.returncode != 0 or down.returncode != 0, refused)

    def test_explicit_tls_default_concurrency(self):
        self.default_concurrency("explicit-conc", False)

    def test_implicit_tls_default_concurrency(self):
        self.default_concurrency("implicit-conc", True)


class RcloneTlsReuseOptionalTest(RcloneCase):
    """ferryd with --tls-session-reuse=optional: rclone at its default
    concurrency over explicit FTPS goes through whatever its version,
    since a data connection offering another control connection's
    session (rclone before 1.64) is accepted."""

    @classmethod
    def setUpClass(cls):
        cls.make_home()
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        users = ftptest.users_file(srv, USER, PASSWORD, fields="::rw")
        srv.args = ["-v", "-u", users, "--anonymous=off", "--tls-cert",
                    tlspeers.cert("server.pem"), "--tls-key", tlspeers.cert("server.key"),
                    "--idle-timeout", "30", "--tls-session-reuse=optional"]
        srv.start()
        cls.server = srv
        cls.ca_env = {"SSL_CERT_FILE": tlspeers.cert("ca.pem")}

    def test_default_concurrency_three_times(self):
        # ~45 files: the named tree, 36 small ones, in three folders.
        files = dict(TREE)
        for i in range(36):
            files["s%d/f%02d.txt" % (i % 3, i)] = ("%d\n" % i).encode() * (i * 37 + 1)
        self.assertGreaterEqual(len(files), 45)
        src = self.local("opt-src")
        write_tree(src, files)
        unbound = 0
        for k in range(3):
            name = "opt%d" % k
            remote = self.remote(name, user=USER, password=PASSWORD, explicit_tls="true")
            mark = self.log_mark()
            self.rclone("copy", src, remote, env=self.ca_env)
            self.assertEqual(files_of(self.server.path(name)), files_of(src), "round %d" % k)
            down = self.local(name + "-down")
            self.rclone("copy", remote, down, env=self.ca_env)
            self.assertEqual(files_of(down), files_of(src), "round %d" % k)
            # FTP has no hashes: --download compares the bytes.
            self.rclone("check", "--download", src, remote, env=self.ca_env)
            log = self.log_since(mark)
            # Several sessions at once, each in TLS, every transfer protected.
            logins = set(re.findall(r"ferryd\[(\d+)\]: login: ", log))
            self.assertGreater(len(logins), 1, log[-3000:])
            tls = set(re.findall(r"ferryd\[(\d+)\]: session \S+: TLS TLSv1\.3 ", log))
            self.assertTrue(logins <= tls, log[-3000:])
            self.assertGreaterEqual(len(re.findall(r"data connection TLSv1\.3 ", log)),
                                    len(transfers_in(log)))
            self.assertEqual(len([t for t in transfers_in(log) if t[0] == "STOR"]), len(files))
            self.assertNotIn("data connection refused", log)
            # The note on data connections not resumed: at most once per session.
            notes = re.findall(r"ferryd\[(\d+)\]: session \S+: data connection accepted "
                               r"without resuming", log)
            self.assertEqual(len(notes), len(set(notes)), notes)
            unbound += len(notes)
        # rclone before 1.64 offers other sessions' tickets: the option is
        # what let those data connections through (seen in most sessions).
        if not FIXED_SESSION_CACHE:
            self.assertGreater(unbound, 0)


if __name__ == "__main__":
    unittest.main()
