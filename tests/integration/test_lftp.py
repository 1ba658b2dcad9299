"""ferryd with lftp as the client: ls, cls, get, put, mirror (download a
tree), mirror -R (upload a tree), rm, mkdir, rmdir, in passive and active
mode; then what lftp users lean on beyond that: pget's segments and pget -c,
parallel mirrors both ways and their second runs (times set with MFMT),
mirror --delete and -c, get -c and put -c, pipelined mget and mput, find,
du, glob and cls -l over MLSD and LIST, an upload and a mirror killed half
way, transfers longer than the idle timeout and the reconnection after it,
and get, put, pget and parallel mirrors over FTPS (explicit, TLS 1.2 too,
and implicit); bytes compared on disk."""

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
    ftptest.write_tree(top, tree, dirs=["a/emptydir"])


class LftpBase(ftptest.TestCase):
    """Runs lftp -c scripts against cls.server with a private HOME."""

    passive = True
    login = "-u anonymous,guest@example.org"
    settings = ""

    @classmethod
    def make_tmp(cls, prefix):
        """cls.tmp, a scratch folder removed after the class, with lftp's
        HOME (cls.home) in it."""
        cls.tmp = tempfile.mkdtemp(prefix=prefix)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home)

    def script(self, commands, ssl_allow=False):
        return ("set ftp:passive-mode %s; set net:max-retries 1; set net:timeout 5; "
                "set net:reconnect-interval-base 1; set cmd:fail-exit yes; "
                "set xfer:clobber yes; %s%s"
                "open %s ftp://%s:%d; %s"
                % ("on" if self.passive else "off",
                   "" if ssl_allow else "set ftp:ssl-allow no; ", self.settings,
                   self.login, self.server.host, self.server.port, commands))

    def env(self):
        return dict(os.environ, HOME=self.home, LC_ALL="C.UTF-8")

    def lftp(self, commands, cwd=None, ok=True, ssl_allow=False):
        script = self.script(commands, ssl_allow)
        r = subprocess.run([config.LFTP, "--norc", "-c", script], cwd=cwd or self.tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=90,
                           env=self.env())
        if ok and r.returncode != 0:
            self.fail("lftp exited %d: %s\nstdout: %s\nstderr: %s%s"
                      % (r.returncode, script, r.stdout[-1500:], r.stderr[-1500:], self._log()))
        return r

    def local(self, *parts):
        return os.path.join(self.tmp, *parts)


class LftpTest(LftpBase):

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
        cls.make_tmp("ferryd-lftp-")

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


BIG = ftptest.random_bytes(8 << 20, seed=17)
OLD_MTIME = 1500000000          # 2017-07-14: the tree's files are older than any run


def many_tree():
    """About 100 files in nested folders, names with spaces and UTF-8,
    sizes 0 .. ~60 KB."""
    tree = {}
    folders = ["plain", "with space", "\u00fcml\u00e4ut", "deep/er/st"]
    n = 0
    for folder in folders:
        for i in range(25):
            name = ("f%02d.bin" % i if i % 3 == 0 else
                    "file %02d.txt" % i if i % 3 == 1 else "caf\u00e9 %02d \u00df.dat" % i)
            size = (n * 2417) % 61000 if n % 7 else 0
            tree["%s/%s" % (folder, name)] = BIG[n * 1000:n * 1000 + size]
            n += 1
    return tree


MANY = many_tree()


def write_old_tree(top, tree):
    for rel, data in tree.items():
        ftptest.write_file(os.path.join(top, rel), data, mtime=OLD_MTIME)
    ftptest.prepare(top)


def mtimes_of(top):
    out = {}
    for cur, dirs, files in os.walk(top):
        for f in files:
            full = os.path.join(cur, f)
            out[os.path.relpath(full, top)] = int(os.stat(full).st_mtime)
    return out


class LftpDeepTest(LftpBase):
    """What lftp users lean on beyond the basics: pget's segments, parallel
    mirrors and their second runs, continued transfers, pipelined commands,
    listings over MLSD and LIST, an upload killed half way. ferryd runs
    with -v so the tests can read which commands lftp sent."""

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.LFTP, "lftp")
        srv = ftptest.Server(["--anonymous=rw", "-v"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("big.bin", BIG)
        write_old_tree(srv.path("many"), MANY)
        write_old_tree(srv.path("bigtree"), {"a.txt": b"a\n", "big.bin": BIG,
                                             "z/z.txt": b"z\n"})
        srv.mkdir("incoming")
        srv.start()
        cls.server = srv
        cls.make_tmp("ferryd-lftp-deep-")

    # lftp closes a segment's data connection once it has the segment's
    # bytes (426 for that transfer); in active mode it also drops the
    # listening socket of a segment another connection has already fetched,
    # before ferryd connects to it (425). lftp expects both.
    @property
    def SEGMENT_REPLIES(self):
        return [r"-> 426 Data connection broken"] + (
            [] if self.passive else [r"-> 425 Cannot open data connection: Connection refused"])

    def mark(self):
        return len(self.server.log_text())

    def log_since(self, mark):
        return self.server.log_text()[mark:]

    def commands(self, log):
        """The commands lftp sent, in order, from a -v trace."""
        return re.findall(r"<- (.*)", log)

    def assertCleanLog(self, log, allowed=()):
        """No 4xx or 5xx reply besides the ones matching a regex of allowed
        (426 only right after
        an ABOR, when lftp closed a segment's data connection itself) and
        no error line."""
        lines = log.splitlines()
        bad = []
        aborting = set()
        for line in lines:
            m = re.search(r"ferryd\[(\d+)\]: \S+ (<-|->) (\d{3})?", line)
            if re.search(r"\berror\b", line, re.I):
                bad.append(line)
            if not m:
                continue
            pid = m.group(1)
            if m.group(2) == "<-":
                if line.endswith("<- ABOR"):
                    aborting.add(pid)
                continue
            code = m.group(3)
            if code is None:
                continue
            if code == "426" and pid in aborting:
                continue
            if code[0] in "45" and not any(re.search(a, line) for a in allowed):
                bad.append(line)
            if code == "226" or code == "225":
                aborting.discard(pid)
        self.assertEqual(bad, [], "\n".join(lines[-60:]))

    def transfers(self, log, verb):
        """[(path, bytes, result)] of the transfer lines for RETR or STOR."""
        return [(m.group(1), int(m.group(2)), m.group(3)) for m in
                re.finditer(r"transfer: .* %s (.*) bytes=(\d+) seconds=\S+ result=(.*)" % verb,
                            log)]

    def sessions(self, log):
        return len(re.findall(r"session start", log))

    # -- pget --

    def test_pget_segments(self):
        out = self.local("pget.bin")
        m = self.mark()
        # A rate limit keeps the first connection busy long enough for lftp
        # to start the others (over loopback it would otherwise fetch the
        # whole file alone before they logged in). lftp takes a segment
        # back into a running one when its own connection is late, so the
        # count of REST commands varies; ferryd sees at least two.
        self.lftp("set net:limit-rate 1M; pget -n 4 /big.bin -o %s" % out)
        self.assertEqual(read_file(out), BIG)
        log = self.log_since(m)
        self.assertGreaterEqual(self.sessions(log), 3, log[-3000:])
        rests = [int(c.split()[1]) for c in self.commands(log) if c.startswith("REST ")]
        self.assertGreaterEqual(len(set(rests)), 2, rests)
        self.assertTrue(set(rests) <= {2 << 20, 4 << 20, 6 << 20}, rests)
        self.assertCleanLog(log, allowed=self.SEGMENT_REPLIES)
        self.assertFalse(os.path.exists(out + ".lftp-pget-status"))

    def test_pget_continue(self):
        out = self.local("pget-c.bin")
        status = out + ".lftp-pget-status"
        p = subprocess.Popen([config.LFTP, "--norc", "-c", self.script(
            "set net:limit-rate 256K; set pget:save-status 1s; pget -n 4 /big.bin -o %s" % out)],
            cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=self.env())
        try:
            self.assertTrue(ftptest.wait_until(lambda: os.path.exists(status), 10),
                            "no pget status file")
            time.sleep(1.5)
        finally:
            p.kill()
            p.wait(10)
        # The status file: size=N, then i.pos=P and i.limit=L per segment.
        with open(status) as f:
            saved = dict(l.strip().split("=", 1) for l in f if "=" in l)
        pos = sorted(int(v) for k, v in saved.items() if k.endswith(".pos"))
        self.assertEqual(len(pos), 4, saved)
        self.assertGreater(pos[0], 0, saved)
        self.server.wait_sessions_gone()
        mid = self.mark()
        self.lftp("pget -n 4 -c /big.bin -o %s" % out)
        self.assertEqual(read_file(out), BIG)
        self.assertFalse(os.path.exists(status))
        # The second run started segments where the first had saved them:
        # the first one always; the others when their connections came in
        # before the first had reached them (over loopback it often gets
        # there first, and lftp lets it go on).
        log = self.log_since(mid)
        rests = {int(c.split()[1]) for c in self.commands(log) if c.startswith("REST ")}
        self.assertIn(pos[0], rests, log[-3000:])
        self.assertTrue(rests <= set(pos), (rests, pos))
        self.assertCleanLog(log, allowed=self.SEGMENT_REPLIES)

    # -- get -c, put -c --

    def test_reget(self):
        out = ftptest.write_file(self.local("reget.bin"), BIG[:3000000])
        m = self.mark()
        self.lftp("get -c /big.bin -o %s" % out)
        self.assertEqual(read_file(out), BIG)
        log = self.log_since(m)
        self.assertIn("REST 3000000", self.commands(log))
        self.assertEqual([b for _, b, _ in self.transfers(log, "RETR")], [len(BIG) - 3000000])

    def test_reput(self):
        self.server.write("incoming/reput.bin", BIG[:3000000])
        src = ftptest.write_file(self.local("reput-src.bin"), BIG)
        m = self.mark()
        self.lftp("put -c %s -o /incoming/reput.bin" % src)
        self.assertEqual(read_file(self.server.path("incoming", "reput.bin")), BIG)
        log = self.log_since(m)
        cmds = self.commands(log)
        # lftp asks for the size, then restarts the upload there.
        self.assertIn("REST 3000000", cmds)
        self.assertIn("STOR incoming/reput.bin", cmds)
        self.assertEqual([b for _, b, _ in self.transfers(log, "STOR")], [len(BIG) - 3000000])
        self.assertCleanLog(log)

    # -- mirror --

    def test_mirror_parallel_download_twice(self):
        dest = self.local("many-down")
        m = self.mark()
        self.lftp("mirror --parallel=4 /many %s" % dest)
        self.assertEqual(files_of(dest), MANY)
        # mirror gives the files the server's times (MLSD's modify fact).
        self.assertEqual(set(mtimes_of(dest).values()), {OLD_MTIME})
        log = self.log_since(m)
        self.assertGreaterEqual(self.sessions(log), 2)
        # lftp creates empty files without a RETR.
        self.assertEqual(len(self.transfers(log, "RETR")), len([d for d in MANY.values() if d]))
        self.assertCleanLog(log)
        m = self.mark()
        self.lftp("mirror --parallel=4 /many %s" % dest)
        self.assertEqual(self.transfers(self.log_since(m), "RETR"), [])
        self.assertEqual(files_of(dest), MANY)

    def test_mirror_parallel_upload_twice(self):
        src = self.local("many-up")
        write_old_tree(src, MANY)
        m = self.mark()
        self.lftp("mirror -R --parallel=4 %s /incoming/many" % src)
        top = self.server.path("incoming", "many")
        self.assertEqual(files_of(top), MANY)
        log = self.log_since(m)
        self.assertEqual(len(self.transfers(log, "STOR")), len(MANY))
        # lftp sets each uploaded file's time with MFMT (ferryd's FEAT lists
        # it), so the server's copies carry the local times ...
        cmds = self.commands(log)
        self.assertEqual(len([c for c in cmds if c.startswith("MFMT ")]), len(MANY))
        self.assertEqual([c for c in cmds if c.startswith("SITE UTIME")], [])
        self.assertEqual(set(mtimes_of(top).values()), {OLD_MTIME})
        # lftp makes the target's parents as mkdir -p does: MKD /incoming
        # fails, as it should, and lftp goes on. It also copies each file's
        # mode with SITE CHMOD, which ferryd refuses to anonymous sessions:
        # the files keep the server's mode, and lftp goes on.
        self.assertCleanLog(log, allowed=[
            r"-> 550 /incoming: File exists\.$",
            r"-> 550 Permission denied \(anonymous sessions may not change modes\)\.$"])
        self.assertGreaterEqual(len(re.findall(r"<- SITE CHMOD ", log)), len(MANY))
        self.assertEqual(len(re.findall(r"<- SITE CHMOD ", log)),
                         len(re.findall(r"-> 550 Permission denied \(anonymous sessions", log)))
        # ... and the second run finds nothing to send.
        m = self.mark()
        self.lftp("mirror -R --parallel=4 %s /incoming/many" % src)
        log = self.log_since(m)
        self.assertEqual(self.transfers(log, "STOR"), [])
        self.assertEqual([c for c in self.commands(log) if c.startswith("MFMT ")], [])
        self.assertEqual(files_of(top), MANY)

    def test_mirror_upload_without_feat(self):
        # Without FEAT lftp does not know of MFMT: it tries SITE UTIME
        # (which ferryd does not offer) and leaves the times alone. The
        # upload is whole all the same, and a second run sends nothing, as
        # lftp compares sizes (the server's copies are newer).
        src = self.local("many-nofeat")
        write_old_tree(src, {k: v for k, v in MANY.items() if k.startswith("plain/")})
        self.lftp("set ftp:use-feat off; mirror -R --parallel=4 %s /incoming/nofeat" % src)
        top = self.server.path("incoming", "nofeat")
        self.assertEqual(files_of(top), files_of(src))
        m = self.mark()
        self.lftp("set ftp:use-feat off; mirror -R --parallel=4 %s /incoming/nofeat" % src)
        self.assertEqual(self.transfers(self.log_since(m), "STOR"), [])

    def test_mirror_only_newer_uploads_changed(self):
        src = self.local("many-newer")
        write_old_tree(src, MANY)
        self.lftp("mirror -R --parallel=4 %s /incoming/newer" % src)
        changed = "with space/file 04.txt"
        ftptest.write_file(os.path.join(src, changed), b"changed contents\n")
        m = self.mark()
        self.lftp("mirror -R --only-newer --parallel=4 %s /incoming/newer" % src)
        log = self.log_since(m)
        self.assertEqual([p for p, _, _ in self.transfers(log, "STOR")],
                         ["/incoming/newer/" + changed])
        self.assertEqual(read_file(self.server.path("incoming", "newer", changed)),
                         b"changed contents\n")

    def test_mirror_delete(self):
        dest = self.local("many-del")
        self.lftp("mirror --parallel=4 /many %s" % dest)
        ftptest.write_file(os.path.join(dest, "plain", "extra.txt"), b"extra")
        os.makedirs(os.path.join(dest, "extra dir", "x"))
        self.lftp("mirror --delete /many %s" % dest)
        self.assertEqual(files_of(dest), MANY)
        self.assertFalse(os.path.exists(os.path.join(dest, "extra dir")))
        # The other way: mirror -R --delete removes the server's extras.
        src = self.local("many-del-up")
        write_old_tree(src, MANY)
        self.lftp("mirror -R --parallel=4 %s /incoming/del" % src)
        self.server.write("incoming/del/plain/extra \u00e9.txt", b"extra")
        self.server.mkdir("incoming/del/extra dir")
        self.server.mkdir("incoming/del/extra dir/x")
        m = self.mark()
        self.lftp("mirror -R --delete %s /incoming/del" % src)
        self.assertEqual(files_of(self.server.path("incoming", "del")), MANY)
        self.assertFalse(os.path.exists(self.server.path("incoming", "del", "extra dir")))
        self.assertEqual(self.transfers(self.log_since(m), "STOR"), [])

    def test_mirror_continue(self):
        dest = self.local("many-c")
        self.lftp("mirror /many %s" % dest)
        # A download cut short: the first half of the largest file.
        rel = max(MANY, key=lambda k: len(MANY[k]))
        half = len(MANY[rel]) // 2
        with open(os.path.join(dest, rel), "r+b") as f:
            f.truncate(half)
        m = self.mark()
        self.lftp("mirror -c /many %s" % dest)
        self.assertEqual(files_of(dest), MANY)
        log = self.log_since(m)
        self.assertIn("REST %d" % half, self.commands(log))
        self.assertEqual([b for _, b, _ in self.transfers(log, "RETR")],
                         [len(MANY[rel]) - half])

    def test_mirror_killed_then_continued(self):
        dest = self.local("bigtree-c")
        big = os.path.join(dest, "big.bin")
        p = subprocess.Popen([config.LFTP, "--norc", "-c", self.script(
            "set net:limit-rate 2M; mirror /bigtree %s" % dest)],
            cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=self.env())
        try:
            self.assertTrue(ftptest.wait_until(
                lambda: os.path.exists(big) and os.path.getsize(big) >= 1 << 20, 10),
                "mirror did not start on big.bin")
        finally:
            p.kill()
            p.wait(10)
        have = os.path.getsize(big)
        self.assertLess(have, len(BIG))
        self.server.wait_sessions_gone()
        m = self.mark()
        self.lftp("mirror -c /bigtree %s" % dest)
        self.assertEqual(files_of(dest), {"a.txt": b"a\n", "big.bin": BIG, "z/z.txt": b"z\n"})
        log = self.log_since(m)
        self.assertIn("REST %d" % have, self.commands(log))
        self.assertCleanLog(log)

    # -- one session, many commands --

    def test_pipelined_mget_mput(self):
        dest = self.local("mget")
        os.makedirs(dest)
        m = self.mark()
        self.lftp('set ftp:sync-mode off; mget -O %s "/many/with space/*"' % dest)
        want = {k.split("/", 1)[1]: v for k, v in MANY.items() if k.startswith("with space/")}
        self.assertEqual(files_of(dest), want)
        log = self.log_since(m)
        self.assertEqual(self.sessions(log), 1)
        self.assertCleanLog(log)
        m = self.mark()
        self.lftp("set ftp:sync-mode off; mkdir /incoming/mput; mput -O /incoming/mput %s/*"
                  % dest)
        self.assertEqual(files_of(self.server.path("incoming", "mput")), want)
        log = self.log_since(m)
        self.assertEqual(self.sessions(log), 1)
        self.assertEqual(len(self.transfers(log, "STOR")), len(want))
        self.assertCleanLog(log)

    # -- listings --

    def listing_commands(self, mlsd):
        # One lftp each: lftp does not keep the order of several commands'
        # output on a pipe.
        return [self.lftp("set ftp:use-mlsd %s; %s" % ("on" if mlsd else "off", c))
                .stdout.decode("utf-8")
                for c in ("find /many", "du -bs /many", "glob echo /many/plain/*",
                          "cd '/many/with space'; cls -l")]

    def test_listings_mlsd_and_list(self):
        dirs = {"/many/"}
        for rel in MANY:
            parts = rel.split("/")
            for i in range(1, len(parts)):
                dirs.add("/many/" + "/".join(parts[:i]) + "/")
        want_find = sorted(dirs | {"/many/" + k for k in MANY})
        want_glob = sorted("/many/" + k for k in MANY if k.startswith("plain/"))
        want_cls = sorted(k.split("/", 1)[1] for k in MANY if k.startswith("with space/"))
        results = {}
        for mlsd in (True, False):
            m = self.mark()
            find, du, glob, cls = self.listing_commands(mlsd)
            log = self.log_since(m)
            verbs = {c.split()[0] for c in self.commands(log)}
            if mlsd:
                self.assertIn("MLSD", verbs)
                self.assertNotIn("LIST", verbs)
            else:
                self.assertIn("LIST", verbs)
                self.assertNotIn("MLSD", verbs)
            self.assertCleanLog(log)
            self.assertEqual(sorted(find.splitlines()), want_find, find)
            self.assertEqual(du.split(), [str(sum(map(len, MANY.values()))), "/many"])
            self.assertEqual(sorted(glob.split("\n")[0].split(" /many/")),
                             sorted([want_glob[0]] + [g[len("/many/"):]
                                                      for g in want_glob[1:]]))
            # MLSD gives lftp no owner, group or link count: compare the
            # type, size, date and name.
            entries = []
            for l in cls.splitlines():
                m = re.match(r"(-)\S+ .*?(\d+) (\w{3} [ \d]\d +(?:\d\d:\d\d|\d{4})) (.*)$", l)
                self.assertTrue(m, l)
                entries.append(m.groups())
                self.assertEqual(int(m.group(2)), len(MANY["with space/" + m.group(4)]), l)
            self.assertEqual(sorted(e[3] for e in entries), want_cls, cls)
            results[mlsd] = (sorted(find.splitlines()), du, sorted(entries))
        self.assertEqual(results[True], results[False])

    # -- an upload killed half way --

    def killed_put(self, name, settings):
        """Starts lftp putting BIG over an existing 1 MiB file (1 MB/s),
        kills it (SIGKILL) a second into the upload; returns the old
        contents and the log of the upload."""
        old = BIG[:1 << 20][::-1]
        self.server.write("incoming/" + name, old)
        src = ftptest.write_file(self.local(name + "-src"), BIG)
        m = self.mark()
        p = subprocess.Popen([config.LFTP, "--norc", "-c", self.script(
            "%sset net:limit-rate 0:1M; put %s -o /incoming/%s" % (settings, src, name))],
            cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=self.env())
        try:
            self.assertTrue(self.server.wait_log(r"<- STOR incoming/%s" % name, 10),
                            self.log_since(m))
            time.sleep(1.0)
        finally:
            p.kill()
            p.wait(10)
        self.server.wait_sessions_gone()
        return old, self.log_since(m)

    def assertNoTemporary(self, name):
        self.assertEqual([n for n in os.listdir(self.server.path("incoming"))
                          if n.startswith(".")], [])
        r = self.lftp("cd /incoming; cls -1a")
        self.assertEqual([n for n in r.stdout.decode("utf-8").split() if name in n
                          or n.startswith(".")], [name], r.stdout)

    def test_killed_put_with_allo_keeps_old_file(self):
        # With ftp:use-allo lftp announces the size (ALLO 8388608): ferryd
        # knows the upload is short and keeps the old file, every time.
        old, log = self.killed_put("victim-allo.bin", "set ftp:use-allo yes; ")
        self.assertIn("ALLO %d" % len(BIG), self.commands(log))
        self.assertTrue(read_file(self.server.path("incoming", "victim-allo.bin")) == old,
                        "victim-allo.bin replaced: %s\n%s"
                        % (self.transfers(log, "STOR"), log[-2500:]))
        results = [res for _, _, res in self.transfers(log, "STOR")]
        self.assertEqual(len(results), 1, log[-3000:])
        self.assertIn(results[0], ("incomplete", "control connection lost"))
        self.assertNoTemporary("victim-allo.bin")

    def test_killed_put_default(self):
        # lftp sends no ALLO by default (ftp:use-allo no). Then only the
        # timing tells a killed lftp from one waiting for its 226: ferryd
        # keeps the old file when the control connection hangs up within
        # 100 us of the end of the data (doc/design.md). On the 2-CPU test
        # machine with other work on it, the hang-up of a killed lftp came
        # 45 to 70 us after the end of the data in most runs, but 140 us to
        # 3 ms in a few; 1 to 3 runs in 40 committed the part sent as the
        # new file (a 300 us grace did no better). What holds every time:
        # the file is either the old one or exactly the bytes lftp sent,
        # the log says which, and no temporary is left behind.
        old, log = self.killed_put("victim.bin", "")
        got = read_file(self.server.path("incoming", "victim.bin"))
        stors = self.transfers(log, "STOR")
        self.assertEqual(len(stors), 1, log[-3000:])
        _, moved, result = stors[0]
        if result == "ok":
            self.assertEqual(got, BIG[:moved])
        else:
            self.assertEqual(result, "control connection lost", log[-3000:])
            self.assertTrue(got == old, "victim.bin changed: %s" % (stors,))
        self.assertNoTemporary("victim.bin")


class LftpDeepActiveTest(LftpDeepTest):
    """The same in active mode (PORT): every data connection, each pget
    segment's too, is one ferryd opens to lftp."""
    passive = False


class LftpIdleTest(LftpBase):
    """ferryd with a short --idle-timeout: transfers that last longer are
    not cut (the control connection is quiet meanwhile, the data flows),
    and after ferryd closes an idle session lftp reconnects by itself."""

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.LFTP, "lftp")
        srv = ftptest.Server(["--anonymous=rw", "--idle-timeout", "1"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("big.bin", BIG)
        srv.write("small.txt", b"small\n")
        srv.mkdir("incoming")
        srv.start()
        cls.server = srv
        cls.make_tmp("ferryd-lftp-idle-")

    def test_slow_transfers_outlast_idle_timeout(self):
        out = self.local("slow.bin")
        # 8 MiB at 4 MB/s each way: two seconds per transfer.
        self.lftp("set net:limit-rate 4M:4M; get /big.bin -o %s; put %s -o /incoming/slow.bin"
                  % (out, out))
        self.assertEqual(read_file(out), BIG)
        self.assertEqual(read_file(self.server.path("incoming", "slow.bin")), BIG)

    def test_reconnect_after_idle_close(self):
        out = self.local("after-idle.txt")
        m = len(self.server.log_text())
        r = self.lftp("cls -1 /; sleep 2; get /small.txt -o %s; cls -1 /" % out)
        self.assertEqual(read_file(out), b"small\n")
        self.assertEqual(r.stdout.decode().split().count("/small.txt"), 2, r.stdout)
        log = self.server.log_text()[m:]
        self.assertIn("result=idle timeout", log)
        self.assertEqual(len(re.findall(r"session start", log)), 2, log)


class LftpTlsTest(LftpBase):
    """lftp over FTPS (AUTH TLS, PROT P on every data connection, the
    certificate checked against the test CA). ferryd requires each data
    connection to resume the control connection's TLS session; lftp
    (GnuTLS) does, for plain transfers, segments and parallel mirrors."""

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.LFTP, "lftp")
        srv = ftptest.Server(["--anonymous=rw", "-v", "--tls-cert", tlspeers.cert("server.pem"),
                              "--tls-key", tlspeers.cert("server.key"),
                              "-l", "%s:0,implicit-tls" % ftptest.HOST])
        cls.addClassCleanup(srv.cleanup)
        srv.write("big.bin", BIG)
        write_old_tree(srv.path("many"), MANY)
        srv.mkdir("incoming")
        srv.start()
        cls.server = srv
        cls.settings = ("set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                        "set ftp:ssl-protect-list true; set ssl:verify-certificate yes; "
                        "set ssl:ca-file %s; " % tlspeers.cert("ca.pem"))
        cls.make_tmp("ferryd-lftp-tls-")

    def lftp(self, commands, **kw):
        return LftpBase.lftp(self, commands, ssl_allow=True, **kw)

    def protected(self, log):
        """The data commands of a -v trace all came after PROT P, and no
        data connection was refused."""
        cmds = re.findall(r"<- (.*)", log)
        self.assertIn("AUTH TLS", cmds)
        self.assertIn("PROT P", cmds)
        self.assertNotRegex(log, r"-> 425 ")
        self.assertNotIn("PROT C", cmds)

    def test_get_put(self):
        m = len(self.server.log_text())
        out = self.local("tls-get.bin")
        self.lftp("get /big.bin -o %s" % out)
        self.assertEqual(read_file(out), BIG)
        self.lftp("put %s -o /incoming/tls-put.bin" % out)
        self.assertEqual(read_file(self.server.path("incoming", "tls-put.bin")), BIG)
        self.protected(self.server.log_text()[m:])

    def test_pget(self):
        out = self.local("tls-pget.bin")
        m = len(self.server.log_text())
        self.lftp("set net:limit-rate 2M; pget -n 2 /big.bin -o %s" % out)
        self.assertEqual(read_file(out), BIG)
        log = self.server.log_text()[m:]
        self.protected(log)
        self.assertIn("REST %d" % (4 << 20), re.findall(r"<- (.*)", log))

    def test_mirror_parallel(self):
        m = len(self.server.log_text())
        dest = self.local("tls-many")
        self.lftp("mirror --parallel=2 /many %s" % dest)
        self.assertEqual(files_of(dest), MANY)
        self.lftp("mirror -R --parallel=2 %s /incoming/tls-many" % dest)
        self.assertEqual(files_of(self.server.path("incoming", "tls-many")), MANY)
        log = self.server.log_text()[m:]
        self.protected(log)
        self.assertGreaterEqual(len(re.findall(r"session start", log)), 4)

    def test_tls12(self):
        # TLS 1.2 resumes by session ID or ticket, not TLS 1.3's tickets.
        m = len(self.server.log_text())
        out = self.local("tls12.bin")
        self.lftp('set ssl:priority "NORMAL:-VERS-TLS1.3"; get /big.bin -o %s; '
                  'put %s -o /incoming/tls12.bin; mirror --parallel=2 "/many/with space" %s'
                  % (out, out, self.local("tls12-many")))
        self.assertEqual(read_file(out), BIG)
        self.assertEqual(read_file(self.server.path("incoming", "tls12.bin")), BIG)
        self.assertEqual(files_of(self.local("tls12-many")),
                         {k.split("/", 1)[1]: v for k, v in MANY.items()
                          if k.startswith("with space/")})
        self.protected(self.server.log_text()[m:])

    def test_implicit_tls(self):
        m = len(self.server.log_text())
        port = [p for a, p in self.server.addresses if p != self.server.port][0]
        out = self.local("implicit.bin")
        script = ("set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes; "
                  "set xfer:clobber yes; %sopen -u anonymous,guest@example.org ftps://%s:%d; "
                  "get /big.bin -o %s; put %s -o /incoming/implicit.bin; "
                  "mirror --parallel=2 /many/plain %s"
                  % (self.settings, self.server.host, port, out, out,
                     self.local("implicit-many")))
        r = subprocess.run([config.LFTP, "--norc", "-c", script], cwd=self.tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=90,
                           env=self.env())
        self.assertEqual(r.returncode, 0, "%r%s" % (r.stderr, self._log()))
        self.assertEqual(read_file(out), BIG)
        self.assertEqual(read_file(self.server.path("incoming", "implicit.bin")), BIG)
        self.assertEqual(files_of(self.local("implicit-many")),
                         {k.split("/", 1)[1]: v for k, v in MANY.items()
                          if k.startswith("plain/")})
        log = self.server.log_text()[m:]
        cmds = re.findall(r"<- (.*)", log)
        self.assertNotIn("AUTH TLS", cmds)
        self.assertIn("PROT P", cmds)
        self.assertNotRegex(log, r"-> 425 ")


if __name__ == "__main__":
    unittest.main(verbosity=2)
