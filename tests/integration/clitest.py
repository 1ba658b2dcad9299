"""clitest: the ferry command line against a real server, one test set for
every peer (test_cli_ferryd.py, test_cli_vsftpd.py, test_cli_pureftpd.py
each run CliTests against theirs; peers.py starts them).

ferry runs as a subprocess with its commands in -c, -b FILE or on stdin
(never a terminal), HOME set to an empty per-test directory (so no
~/.netrc but the tests' own is read), LC_ALL=C.UTF-8 and TZ=UTC. Each test
works in its own remote directory /pub/TESTNAME (scripts start with a cd
into it) and its own local directory (ferry's working directory). Results
are checked on disk on both sides, along with exit codes, stdout and the
one-line `ferry: ` messages on stderr.

Transfers to interrupt go through peers.ThrottleProxy, which slows the
data to a known rate, so a test can kill ferry (SIGKILL or SIGINT) or cut
its connections while a transfer is halfway through.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import config
import ftptest
import peers
from ftptest import read_file

FERRY = os.path.join(config.BUILDDIR, "client", "ferry")
# Seconds one ferry run may take before the test kills it and fails.
RUN_TIMEOUT = 30.0

# Exit codes of ferry.
OK, NOT_CONFIRMED, USAGE, CONNECT, LOGIN, REFUSED, LOCAL, BROKEN = range(8)

COMMANDS = ["connme", "open", "ls", "dir", "cd", "pwd", "lcd", "lpwd", "lls", "size",
            "download", "get", "upload", "put", "rm", "delete", "mkdir", "rmdir",
            "rename", "mv", "help", "byebye", "bye", "quit", "exit"]

# ls: type and permissions (blank when the listing gives none, as MLSD
# without UNIX.mode), size ("-" when unknown), date, name.
LS_RE = re.compile(r"^([dl-])([rwxsStT-]{9})?\s+(\d+|-)\s+(\d{4}-\d\d-\d\d \d\d:\d\d) (.+)$")
STATS_RE = re.compile(r"^(downloaded|uploaded) (.+): (\d+) bytes in ([0-9.]+) s "
                      r"\(([0-9.]+) ([KMG]?B)/s\)$")

BIG = ftptest.random_bytes(8 << 20, seed=21)
MARK = b"<<resumed here>>"          # 16 bytes written over a partial file's start
STOP_AT = 256 << 10                 # bytes moved before a transfer is interrupted
SLOW_RATE = 2 << 20                 # bytes per second through the proxy

UTF8_REMOTE = "Grüße aus Köln.txt"
UTF8_LOCAL = "Ünïcödé lokal.txt"
UTF8_DIR = "Ordner mit Ä Ö Ü"


def require_ferry():
    """Fails (never skips) when the client is not built."""
    if not (os.path.isfile(FERRY) and os.access(FERRY, os.X_OK)):
        raise AssertionError("ferry is not built: %s (run make)" % FERRY)


class Run:
    """One finished ferry run."""

    def __init__(self, cmd, code, out, err, elapsed, cwd):
        self.cmd, self.code, self.out, self.err = cmd, code, out, err
        self.elapsed, self.cwd = elapsed, cwd

    @property
    def out_lines(self):
        return [l for l in self.out.splitlines() if l.strip()]

    @property
    def err_lines(self):
        return [l for l in self.err.splitlines() if l.strip()]

    def __str__(self):
        return ("command: %s\n  (in %s)\nexit: %s after %.2fs\nstdout:\n%s\nstderr:\n%s"
                % (" ".join(repr(a) if (" " in a or not a) else a for a in self.cmd),
                   self.cwd, self.code, self.elapsed, self.out[-3000:], self.err[-3000:]))


def write_local(path, data, mode=0o644):
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


# The tree the recursive tests copy: a nested directory, an empty one and a
# UTF-8 name with spaces.
TREE = {
    "a.txt": b"top level\n",
    "sub dir \u00fc/b \u00e4 \u00f6.bin": ftptest.random_bytes(70000, seed=3),
    "sub dir \u00fc/deeper/c.txt": b"deeper still\n",
    "sub dir \u00fc/deeper/d.bin": ftptest.random_bytes(1000, seed=4),
    "empty": None,
}


class CliTests:
    """The test set; mixed into ftptest.TestCase with PEER set to
    "ferryd", "vsftpd" or "pure-ftpd"."""

    PEER = None

    # -- set-up --

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_ferry()
        cls.server = peers.start_peer(cls.PEER)
        cls.addClassCleanup(cls.server.cleanup)
        cls.tmp = tempfile.mkdtemp(prefix="ferry-cli-")
        os.chmod(cls.tmp, 0o755)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        # vsftpd lists with LIST only (no MLSD): times of old files to the
        # day, and symlinks with their targets.
        cls.mlsd = cls.server.name != "vsftpd"

    def setUp(self):
        name = self._testMethodName
        self.rel = "pub/" + name
        self.rdir = self.server.mkdir(self.rel)
        self.ldir = os.path.join(self.tmp, name)
        os.mkdir(self.ldir)
        self.home = os.path.join(self.tmp, name + ".home")
        os.mkdir(self.home, 0o700)
        self.cd = "cd /%s; " % self.rel

    def _log(self):
        srv = self.server
        if srv is None:
            return ""
        return "\n%s log (tail):\n%s" % (srv.name, srv.log_tail(25))

    # -- fixtures --

    def remote(self, *parts):
        """Path on the server's disk inside this test's remote directory."""
        return os.path.join(self.rdir, *parts)

    def put_remote(self, rel, data, mtime=None):
        """Writes a file (mode 0644) into this test's remote directory."""
        return self.server.write(self.rel + "/" + rel, data, mtime)

    def local(self, *parts):
        return os.path.join(self.ldir, *parts)

    def login_url(self, path="/"):
        return self.server.url(path, self.server.user, self.server.password)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("ftp_proxy", "all_proxy", "no_proxy")}
        env.update(HOME=self.home, LC_ALL="C.UTF-8", TZ="UTC")
        env.update(extra)
        return env

    # -- running ferry --

    def argv(self, args=(), script=None, url=True, cd=True):
        cmd = [FERRY] + list(args)
        if script is not None:
            cmd += ["-c", (self.cd if cd else "") + script]
        if url is True:
            cmd.append(self.login_url())
        elif url:
            cmd.append(url)
        return cmd

    def ferry(self, *args, script=None, url=True, cd=True, stdin=None, cwd=None, env=None,
              timeout=RUN_TIMEOUT):
        """Runs ferry to its end (bounded); returns a Run."""
        cmd = self.argv(args, script, url, cd)
        cwd = cwd or self.ldir
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, env=env or self.env(),
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("ferry still running after %gs; killed\n%s%s"
                      % (timeout, Run(cmd, None, out.decode("utf-8", "replace"),
                                      err.decode("utf-8", "replace"), timeout, cwd),
                         self._log()))
        return Run(cmd, p.returncode, out.decode("utf-8", "replace"),
                   err.decode("utf-8", "replace"), time.monotonic() - t0, cwd)

    def check(self, r, code=OK, msg=""):
        """r exited with code; a failure exits with one `ferry: ` line."""
        if r.code != code:
            self.fail("expected exit %d, got %s\n%s\n%s%s" % (code, r.code, msg, r, self._log()))
        if code != OK:
            self.assertErrorLine(r, msg)
        return r

    def assertErrorLine(self, r, msg=""):
        lines = r.err_lines
        if len(lines) != 1 or not lines[0].startswith("ferry: "):
            self.fail("expected one stderr line starting 'ferry: '\n%s\n%s" % (msg, r))

    def stats(self, r):
        """[(verb, name, bytes)] of the transfer lines on stdout."""
        out = []
        for line in r.out_lines:
            m = STATS_RE.match(line)
            if m:
                out.append((m.group(1), m.group(2), int(m.group(3))))
        return out

    def assertStats(self, r, expected):
        """expected: [(verb, name, bytes)]; NAME may be the remote or the
        local name, or a path ending in it."""
        got = self.stats(r)
        ok = len(got) == len(expected) and all(
            g[0] == e[0] and g[2] == e[2] and any(g[1] == n or g[1].endswith("/" + n)
                                                  for n in e[1])
            for g, e in zip(got, expected))
        if not ok:
            self.fail("transfer lines: expected %r, got %r\n%s" % (expected, got, r))

    def ls_entries(self, r):
        """{name: (type, perms, size, date)} from ls output; every line must
        have the documented columns."""
        entries = {}
        for line in r.out_lines:
            m = LS_RE.match(line)
            if not m:
                self.fail("ls line without the columns type+permissions, size, "
                          "YYYY-MM-DD HH:MM, name: %r\n%s" % (line, r))
            size = None if m.group(3) == "-" else int(m.group(3))
            entries[m.group(5)] = (m.group(1), m.group(2), size, m.group(4))
        return entries

    def slow(self, script, args=()):
        """Starts ferry on script through a ThrottleProxy and returns
        (process, proxy, stdout path, stderr path); both are cleaned up."""
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=SLOW_RATE)
        self.addCleanup(proxy.close)
        url = proxy.url("/", self.server.user, self.server.password)
        cmd = self.argv(args, script, url)
        outp = os.path.join(self.tmp, self._testMethodName + ".out")
        errp = os.path.join(self.tmp, self._testMethodName + ".err")
        with open(outp, "wb") as out, open(errp, "wb") as err:
            p = subprocess.Popen(cmd, cwd=self.ldir, env=self.env(), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err)
        self.addCleanup(self._reap, p)
        p.cmd = cmd
        p.t0 = time.monotonic()
        return p, proxy, outp, errp

    def _reap(self, p):
        if p.poll() is None:
            p.kill()
        p.wait(5)

    def slow_run(self, p, outp, errp):
        """The Run of a slow() process that has ended."""
        return Run(p.cmd, p.returncode, read_file(outp).decode("utf-8", "replace"),
                   read_file(errp).decode("utf-8", "replace"), time.monotonic() - p.t0,
                   self.ldir)

    def wait_moving(self, p, outp, errp, pred, what):
        """Waits (bounded) until pred() holds while p still runs; fails if
        p ends first or it takes too long."""
        ok = ftptest.wait_until(lambda: p.poll() is not None or pred(), 15, 0.005)
        if p.poll() is not None:
            self.fail("ferry ended before %s; the transfer could not be interrupted\n%s%s"
                      % (what, self.slow_run(p, outp, errp), self._log()))
        if not ok:
            self.fail("no %s within 15s\n%s" % (what, self._log()))

    # -----------------------------------------------------------------------
    # help, and commands without a connection

    def test_help_lists_commands(self):
        r = self.check(self.ferry(script="help", url=False, cd=False))
        text = r.out + r.err
        missing = [c for c in COMMANDS if not re.search(r"(^|[^\w-])%s($|[^\w-])" % c, text)]
        self.assertEqual(missing, [], "help does not list these commands\n%s" % r)
        for cmd in ("get", "put", "rm"):
            r = self.check(self.ferry(script="help " + cmd, url=False, cd=False))
            self.assertIn(cmd, r.out, r)

    def test_usage_errors(self):
        r = self.ferry("--no-such-option", url=False)
        self.assertEqual(r.code, USAGE, r)
        # the message, then possibly the usage synopsis
        self.assertTrue(r.err.startswith("ferry: "), r)
        r = self.ferry(script="frobnicate now")
        self.check(r, USAGE)
        r = self.ferry(script="get")
        self.check(r, USAGE, "get without a file")
        r = self.ferry(script="mkdir 'unterminated")
        self.check(r, USAGE, "unterminated quote")
        self.assertEqual(os.listdir(self.rdir), [])

    # -----------------------------------------------------------------------
    # Connecting and logging in

    def test_connection_refused(self):
        # A bound socket that does not listen: connections to it are refused.
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind((ftptest.HOST, 0))
        port = s.getsockname()[1]
        r = self.ferry(script="pwd", url="ftp://%s:%d/" % (ftptest.HOST, port), cd=False,
                       timeout=15)
        self.check(r, CONNECT)
        self.assertLess(r.elapsed, 5.0, "refused connection took %.2fs\n%s" % (r.elapsed, r))

    def test_wrong_password(self):
        user, pw = self.server.bad_login
        r = self.ferry(script="pwd", url=self.server.url("/", user, pw), cd=False)
        self.check(r, LOGIN)
        self.assertLess(r.elapsed, 20.0, r)
        self.assertNotIn("/", r.out, "a command ran after a refused login\n%s" % r)

    def test_user_option(self):
        host_url = self.server.url("/")
        if self.server.named:
            user, pw, marker = self.server.named
            r = self.check(self.ferry("-u", "%s:%s" % (user, pw), script="ls", url=host_url,
                                      cd=False))
            self.assertIn(marker, r.out, "-u did not log in as %s\n%s" % (user, r))
        else:
            user, pw = self.server.bad_login
            r = self.ferry("-u", "%s:%s" % (user, pw), script="pwd", url=host_url, cd=False)
            self.check(r, LOGIN, "-u with a user the server refuses")

    def test_user_option_overrides_url(self):
        """-u names the login even when the URL names another one, as with
        curl and lftp; the URL's password is not used for -u's user, which
        takes its password from ~/.netrc instead."""
        bad_user, bad_pw = self.server.bad_login
        if not self.server.named:
            # Only anonymous logins work here: the URL's anonymous user
            # must lose against -u's user, which the server refuses.
            r = self.ferry("-u", "%s:%s" % (bad_user, bad_pw), script="pwd",
                           url=self.server.url("/", "anonymous"), cd=False)
            self.check(r, LOGIN, "-u did not win over the URL's user")
            return
        user, pw, marker = self.server.named
        r = self.ferry("-u", "%s:%s" % (user, pw), script="ls",
                       url=self.server.url("/", "nosuchuser", bad_pw), cd=False)
        self.check(r, msg="-u with a URL naming another user")
        self.assertIn(marker, r.out, "-u did not log in as %s\n%s" % (user, r))
        write_local(os.path.join(self.home, ".netrc"), "machine %s login %s password %s\n"
                    % (ftptest.HOST, user, pw), mode=0o600)
        r = self.ferry("-u", user, script="ls",
                       url=self.server.url("/", "nosuchuser", bad_pw), cd=False)
        self.check(r, msg="-u USER with the password in ~/.netrc and another user's in "
                          "the URL")
        self.assertIn(marker, r.out, "-u %s did not log in with ~/.netrc's password\n%s"
                      % (user, r))

    def test_netrc(self):
        netrc = os.path.join(self.home, ".netrc")
        if self.server.named:
            user, pw, marker = self.server.named
        else:
            user, pw = self.server.bad_login
        write_local(netrc, "machine %s\n  login %s\n  password %s\n"
                    % (ftptest.HOST, user, pw), mode=0o600)
        r = self.ferry(script="ls", url=self.server.url("/"), cd=False)
        if self.server.named:
            self.check(r)
            self.assertIn(marker, r.out, "~/.netrc was not used\n%s" % r)
        else:
            self.check(r, LOGIN, "~/.netrc names a user the server refuses")

    def test_netrc_comments(self):
        """A line whose first word starts with # is a comment, as curl and
        Python read .netrc; its words (here "account", a keyword that takes
        a value) are not tokens."""
        netrc = os.path.join(self.home, ".netrc")
        if self.server.named:
            user, pw, marker = self.server.named
        else:
            user, pw = self.server.bad_login
        write_local(netrc, "# the test account\nmachine %s login %s password %s\n"
                    % (ftptest.HOST, user, pw), mode=0o600)
        r = self.ferry(script="ls", url=self.server.url("/"), cd=False)
        if self.server.named:
            self.check(r, msg="~/.netrc starting with a comment line")
            self.assertIn(marker, r.out, "~/.netrc with a comment line was not used\n%s" % r)
        else:
            self.check(r, LOGIN, "~/.netrc (starting with a comment line) names a user "
                                 "the server refuses")

    def test_url_path(self):
        """The URL's path, relative to the login directory, is where the
        commands start."""
        self.put_remote("here.txt", b"here")
        r = self.check(self.ferry(script="pwd; get here.txt", cd=False,
                                  url=self.login_url("/%s" % self.rel)))
        self.assertEqual(r.out_lines[0].strip().strip('"'), "/" + self.rel, r)
        self.assertEqual(read_file(self.local("here.txt")), b"here", r)

    def test_open_and_connme(self):
        host, port = self.server.host, self.server.port
        r = self.check(self.ferry(script="open %s; cd /%s; mkdir via_open"
                                  % (self.login_url(), self.rel), url=False, cd=False))
        self.assertTrue(os.path.isdir(self.remote("via_open")), r)
        args = []
        if self.server.user:
            args = ["-u", "%s:%s" % (self.server.user, self.server.password)]
        r = self.check(self.ferry(*args, script="connme %s %d; cd /%s; mkdir via_connme"
                                  % (host, port, self.rel), url=False, cd=False))
        self.assertTrue(os.path.isdir(self.remote("via_connme")), r)
        # open while connected goes to the new address
        r = self.check(self.ferry(script="open %s; cd /%s; mkdir reopened"
                                  % (self.login_url(), self.rel)))
        self.assertTrue(os.path.isdir(self.remote("reopened")), r)

    def test_bye_aliases_end_the_script(self):
        for word in ("byebye", "bye", "quit", "exit"):
            r = self.check(self.ferry(script="mkdir before_%s; %s; mkdir after_%s"
                                      % (word, word, word)))
            self.assertTrue(os.path.isdir(self.remote("before_" + word)), r)
            self.assertFalse(os.path.exists(self.remote("after_" + word)),
                             "commands after %s ran\n%s" % (word, r))

    # -----------------------------------------------------------------------
    # Remote directories

    def test_pwd_and_cd(self):
        self.server.mkdir(self.rel + "/sub/deeper")
        r = self.check(self.ferry(script="pwd; cd sub; pwd; cd deeper; pwd; cd ..; pwd; cd /; pwd"))
        base = "/" + self.rel
        expected = [base, base + "/sub", base + "/sub/deeper", base + "/sub", "/"]
        got = [l.strip().strip('"') for l in r.out_lines]
        self.assertEqual(got, expected, r)

    def test_cd_missing_directory_refused(self):
        r = self.ferry(script="cd no-such-dir")
        self.check(r, REFUSED)

    def test_ls_and_dir(self):
        t = 1614859200      # 2021-03-04 12:00:00 UTC
        self.put_remote("plain.txt", b"0123456789", mtime=t)
        self.put_remote("name with spaces \u00fc.txt", b"abc")
        self.put_remote("subdir/inner.txt", b"inner")
        self.server.symlink("plain.txt", self.rel + "/link")
        r = self.check(self.ferry(script="ls"))
        entries = self.ls_entries(r)
        self.assertIn("plain.txt", entries, r)
        kind, perms, size, date = entries["plain.txt"]
        self.assertEqual((kind, size), ("-", 10), r)
        if self.server.lists_modes:
            self.assertEqual(perms, "rw-r--r--", r)
        if self.mlsd:
            self.assertEqual(date, "2021-03-04 12:00", r)
        else:
            self.assertTrue(date.startswith("2021-03-04"), r)
        self.assertIn("name with spaces \u00fc.txt", entries, "name with spaces cut\n%s" % r)
        self.assertEqual(entries["name with spaces \u00fc.txt"][2], 3, r)
        self.assertIn("subdir", entries, r)
        self.assertEqual(entries["subdir"][0], "d", r)
        if self.mlsd:
            # MLSD carries no link target; the entry is there under its name.
            self.assertTrue(any(n == "link" or n.startswith("link -> ") for n in entries), r)
        else:
            self.assertIn("link -> plain.txt", entries, r)
            self.assertEqual(entries["link -> plain.txt"][0], "l", r)
        r2 = self.check(self.ferry(script="dir"))
        self.assertEqual(sorted(r2.out_lines), sorted(r.out_lines), "dir differs from ls")
        r3 = self.check(self.ferry(script="ls subdir"))
        self.assertEqual(list(self.ls_entries(r3)), ["inner.txt"], r3)
        r4 = self.ferry(script="ls no-such-dir")
        if self.mlsd:
            self.check(r4, REFUSED)
        else:
            # vsftpd answers LIST of a missing path with an empty listing.
            self.assertEqual(self.ls_entries(r4), {}, r4)

    def test_size(self):
        self.put_remote("s.bin", b"\0" * 3145733)
        r = self.check(self.ferry(script="size s.bin"))
        self.assertEqual(r.out_lines, ["s.bin: 3145733 bytes (3.00 MB)"], r)
        r = self.ferry(script="size no-such-file")
        self.check(r, REFUSED)

    def test_mkdir_and_rmdir(self):
        r = self.check(self.ferry(script="mkdir 'new dir'; mkdir plain; mkdir plain/inner"))
        for d in ("new dir", "plain", "plain/inner"):
            self.assertTrue(os.path.isdir(self.remote(d)), "%s missing\n%s" % (d, r))
        r = self.check(self.ferry(script="rmdir 'new dir'; rmdir plain/inner; rmdir plain"))
        self.assertEqual(os.listdir(self.rdir), [], r)
        self.check(self.ferry(script="rmdir no-such-dir"), REFUSED)
        self.check(self.ferry(script="mkdir a; mkdir a"), REFUSED)

    def test_rename_and_mv(self):
        self.put_remote("a.txt", b"content A")
        self.server.mkdir(self.rel + "/sub")
        r = self.check(self.ferry(script="rename a.txt b.txt; mv b.txt 'c d \u00fc.txt'; "
                                         "mv 'c d \u00fc.txt' sub/e.txt"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["sub"], r)
        self.assertEqual(read_file(self.remote("sub", "e.txt")), b"content A")
        self.check(self.ferry(script="mv no-such-file x.txt"), REFUSED)
        self.assertFalse(os.path.exists(self.remote("x.txt")))

    def test_rm_unconfirmed_is_refused(self):
        self.put_remote("keep.txt", b"keep me")
        r = self.ferry(script="rm keep.txt")
        self.check(r, NOT_CONFIRMED, "rm without -y and without a terminal")
        self.assertEqual(read_file(self.remote("keep.txt")), b"keep me", r)
        r = self.ferry(script="delete keep.txt")
        self.check(r, NOT_CONFIRMED, "delete without -y and without a terminal")
        self.assertTrue(os.path.exists(self.remote("keep.txt")), r)

    def test_rm_and_delete_with_yes(self):
        self.put_remote("one.txt", b"1")
        self.put_remote("two \u00e4.txt", b"2")
        self.put_remote("three.txt", b"3")
        r = self.check(self.ferry("-y", script="rm one.txt; delete 'two \u00e4.txt'"))
        self.assertEqual(os.listdir(self.rdir), ["three.txt"], r)
        self.check(self.ferry("-y", script="rm no-such-file"), REFUSED)

    # -----------------------------------------------------------------------
    # Local commands

    def test_lcd_lpwd_lls(self):
        write_local(self.local("local sub", "l.txt"), b"local")
        self.put_remote("r.txt", b"remote")
        r = self.check(self.ferry(script="lpwd; lcd 'local sub'; lpwd; lls; get r.txt"))
        lines = r.out_lines
        self.assertTrue(any(l.strip() == self.ldir for l in lines), "lpwd\n%s" % r)
        self.assertTrue(any(l.strip() == self.local("local sub") for l in lines), "lpwd\n%s" % r)
        self.assertTrue(any(l.rstrip().endswith("l.txt") for l in lines), "lls\n%s" % r)
        self.assertEqual(read_file(self.local("local sub", "r.txt")), b"remote", r)
        self.assertFalse(os.path.exists(self.local("r.txt")))
        self.check(self.ferry(script="lcd no-such-local-dir"), LOCAL)

    # -----------------------------------------------------------------------
    # Transfers

    def test_get_and_download(self):
        a = ftptest.random_bytes(100000, seed=5)
        self.put_remote("a.bin", a)
        self.put_remote("b.bin", a[:5000])
        r = self.check(self.ferry(script="get a.bin; download b.bin 'copy of b.bin'"))
        self.assertEqual(read_file(self.local("a.bin")), a)
        self.assertEqual(read_file(self.local("copy of b.bin")), a[:5000])
        self.assertEqual(sorted(os.listdir(self.ldir)), ["a.bin", "copy of b.bin"],
                         "files left beside the downloads")
        self.assertStats(r, [("downloaded", ("a.bin",), 100000),
                             ("downloaded", ("b.bin", "copy of b.bin"), 5000)])

    def test_put_and_upload(self):
        a = ftptest.random_bytes(120000, seed=6)
        write_local(self.local("l1.bin"), a)
        write_local(self.local("l2.bin"), a[:7000])
        r = self.check(self.ferry(script="put l1.bin; upload l2.bin 'remote name \u00e9.bin'"))
        self.assertEqual(read_file(self.remote("l1.bin")), a)
        self.assertEqual(read_file(self.remote("remote name \u00e9.bin")), a[:7000])
        self.assertStats(r, [("uploaded", ("l1.bin",), 120000),
                             ("uploaded", ("l2.bin", "remote name \u00e9.bin"), 7000)])

    def test_upload_declares_its_size(self):
        """Every upload whose size is known is preceded by ALLO with the
        bytes it sends (the whole file, or what is left of it when
        resuming); the peers answer 200 (pure-ftpd) or 202 (vsftpd, and
        ferryd for now), and the uploads go on."""
        a = ftptest.random_bytes(70000, seed=11)
        write_local(self.local("one.bin"), a)
        write_local(self.local("two.bin"), a[:4321])
        self.put_remote("two.bin", a[:1000])
        r = self.check(self.ferry("-v", script="put one.bin; put -c two.bin"))
        self.assertEqual(read_file(self.remote("one.bin")), a, r)
        self.assertEqual(read_file(self.remote("two.bin")), a[:4321], r)
        sent = [l[4:] for l in r.err_lines if l.startswith("--> ")]
        stors = [i for i, l in enumerate(sent) if l.startswith("STOR ")]
        self.assertEqual(len(stors), 2, r)
        allos = [l for l in sent if l.startswith("ALLO ")]
        self.assertEqual(allos, ["ALLO 70000", "ALLO 3321"], r)
        self.assertIn("ALLO 70000", sent[:stors[0]], r)
        between = sent[stors[0] + 1:stors[1]]
        self.assertIn("ALLO 3321", between, r)
        self.assertEqual(between[-1], "REST 1000", "REST must come right before STOR\n%s" % r)

    def test_quiet(self):
        self.put_remote("q.bin", b"q" * 3000)
        write_local(self.local("up.bin"), b"u" * 2000)
        r = self.check(self.ferry("-q", script="get q.bin; put up.bin"))
        self.assertEqual(r.out, "", "-q printed\n%s" % r)
        self.assertEqual(read_file(self.local("q.bin")), b"q" * 3000)
        self.assertEqual(read_file(self.remote("up.bin")), b"u" * 2000)

    def test_get_overwrite_needs_yes(self):
        self.put_remote("f.txt", b"remote version")
        write_local(self.local("f.txt"), b"local version")
        r = self.ferry(script="get f.txt")
        self.check(r, NOT_CONFIRMED, "download over an existing file without -y")
        self.assertEqual(read_file(self.local("f.txt")), b"local version", r)
        self.assertEqual(os.listdir(self.ldir), ["f.txt"], r)
        r = self.check(self.ferry("-y", script="get f.txt"))
        self.assertEqual(read_file(self.local("f.txt")), b"remote version", r)

    def test_missing_remote_file(self):
        for script in ("get no-such-file.bin", "download no-such-file.bin 'local name.bin'",
                       "get -c no-such-file.bin"):
            r = self.ferry(script=script)
            self.check(r, REFUSED, script)
            self.assertEqual(os.listdir(self.ldir), [],
                             "files left behind by %r\n%s" % (script, r))

    def test_missing_local_file(self):
        r = self.ferry(script="put no-such-local.bin")
        self.check(r, LOCAL)
        self.assertEqual(os.listdir(self.rdir), [], r)

    def test_resume_partial_download(self):
        self.put_remote("big.bin", BIG)
        write_local(self.local("big.bin"), MARK + BIG[len(MARK):300000])
        r = self.check(self.ferry(script="get -c big.bin"))
        got = read_file(self.local("big.bin"))
        self.assertEqual(len(got), len(BIG), r)
        self.assertTrue(got == MARK + BIG[len(MARK):],
                        "get -c did not continue from the local file's end\n%s" % r)

    def test_resume_partial_upload(self):
        write_local(self.local("big.bin"), BIG)
        self.put_remote("big.bin", MARK + BIG[len(MARK):300000])
        r = self.check(self.ferry(script="put -c big.bin"))
        got = read_file(self.remote("big.bin"))
        self.assertEqual(len(got), len(BIG), r)
        self.assertTrue(got == MARK + BIG[len(MARK):],
                        "put -c did not continue from the remote file's end\n%s" % r)

    # -----------------------------------------------------------------------
    # Interrupted transfers

    def test_resume_download_after_kill(self):
        self.put_remote("big.bin", BIG)
        target = self.local("big.bin")
        p, proxy, outp, errp = self.slow("get -c big.bin")
        self.wait_moving(p, outp, errp, lambda: file_size(target) >= STOP_AT,
                         "%d bytes in %s" % (STOP_AT, target))
        os.kill(p.pid, signal.SIGKILL)
        p.wait(5)
        proxy.close()
        part = file_size(target)
        self.assertTrue(0 < part < len(BIG), "after the kill %s holds %d bytes" % (target, part))
        with open(target, "r+b") as f:
            f.write(MARK)
        r = self.check(self.ferry(script="get -c big.bin"))
        got = read_file(target)
        self.assertEqual(len(got), len(BIG), r)
        self.assertTrue(got == MARK + BIG[len(MARK):],
                        "get -c after a kill at %d bytes did not resume\n%s" % (part, r))

    def test_killed_download_leaves_no_file(self):
        self.put_remote("big.bin", BIG)
        p, proxy, outp, errp = self.slow("get big.bin")
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= STOP_AT,
                         "%d bytes through the proxy" % STOP_AT)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(5)
        proxy.close()
        self.assertNotIn("big.bin", os.listdir(self.ldir),
                         "a killed download left a file under the real name")
        r = self.check(self.ferry(script="get big.bin"))
        self.assertTrue(read_file(self.local("big.bin")) == BIG, r)

    def test_interrupted_download(self):
        self.put_remote("big.bin", BIG)
        p, proxy, outp, errp = self.slow("get big.bin")
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= STOP_AT,
                         "%d bytes through the proxy" % STOP_AT)
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT")
        r = self.slow_run(p, outp, errp)
        self.check(r, NOT_CONFIRMED, "SIGINT during a download")
        self.assertNotIn("big.bin", os.listdir(self.ldir),
                         "an interrupted download left a file under the real name\n%s" % r)

    def test_broken_connection(self):
        self.put_remote("big.bin", BIG)
        p, proxy, outp, errp = self.slow("get big.bin")
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= STOP_AT,
                         "%d bytes through the proxy" % STOP_AT)
        proxy.close()       # resets the client's control and data connections
        try:
            p.wait(RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running %gs after its connections were reset" % RUN_TIMEOUT)
        r = self.slow_run(p, outp, errp)
        self.check(r, BROKEN, "connections reset halfway through a download")
        self.assertNotIn("big.bin", os.listdir(self.ldir),
                         "a broken download left a file under the real name\n%s" % r)

    def test_resume_upload_after_kill(self):
        write_local(self.local("big.bin"), BIG)
        target = self.remote("big.bin")
        p, proxy, outp, errp = self.slow("put big.bin")
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= STOP_AT,
                         "%d bytes through the proxy" % STOP_AT)
        proxy.pause()
        os.kill(p.pid, signal.SIGKILL)
        p.wait(5)
        proxy.close()
        self.assertTrue(self.server.wait_sessions_gone(10), "server sessions still running")
        part = file_size(target)
        if self.server.keeps_partial_upload:
            self.assertTrue(0 < part < len(BIG), "after the kill the server holds %d bytes" % part)
            with open(target, "r+b") as f:
                f.write(MARK)
            expected = MARK + BIG[len(MARK):]
        else:
            # ferryd puts an upload in place only when it is complete.
            self.assertEqual(part, -1, "ferryd kept a broken upload")
            expected = BIG
        r = self.check(self.ferry(script="put -c big.bin"))
        got = read_file(target)
        self.assertEqual(len(got), len(BIG), r)
        self.assertTrue(got == expected,
                        "put -c after a kill at %d bytes did not resume\n%s" % (part, r))

    # -----------------------------------------------------------------------
    # Recursive copies

    def make_tree(self, write, top):
        for rel, data in TREE.items():
            write(top + "/" + rel, data)

    def test_get_recursive(self):
        def write(rel, data):
            if data is None:
                self.server.mkdir(self.rel + "/" + rel)
            else:
                self.put_remote(rel, data)
        self.make_tree(write, "tree")
        want = ftptest.tree_snapshot(self.remote("tree"))
        r = self.check(self.ferry(script="get -r tree; download -r tree 'local copy \u00fc'"))
        self.assertEqual(ftptest.tree_snapshot(self.local("tree")), want, r)
        self.assertEqual(ftptest.tree_snapshot(self.local("local copy \u00fc")), want, r)

    def test_put_recursive(self):
        def write(rel, data):
            if data is None:
                os.makedirs(self.local(rel), exist_ok=True)
            else:
                write_local(self.local(rel), data)
        self.make_tree(write, "ltree")
        want = ftptest.tree_snapshot(self.local("ltree"))
        r = self.check(self.ferry(script="put -r ltree; upload -r ltree 'remote copy \u00fc'"))
        self.assertEqual(ftptest.tree_snapshot(self.remote("ltree")), want, r)
        self.assertEqual(ftptest.tree_snapshot(self.remote("remote copy \u00fc")), want, r)

    # -----------------------------------------------------------------------
    # UTF-8 names and quoting

    def test_utf8_names_with_spaces(self):
        self.put_remote(UTF8_REMOTE, "Grüße\n")
        write_local(self.local(UTF8_LOCAL), "lokal ü\n")
        r = self.check(self.ferry(script=(
            'get "%s"; put \'%s\'; mkdir \'%s\'; rename \'%s\' "%s/verschoben ß.txt"; '
            'ls "%s"') % (UTF8_REMOTE, UTF8_LOCAL, UTF8_DIR, UTF8_LOCAL, UTF8_DIR, UTF8_DIR)))
        self.assertEqual(read_file(self.local(UTF8_REMOTE)), "Grüße\n".encode())
        self.assertEqual(read_file(self.remote(UTF8_DIR, "verschoben ß.txt")),
                         "lokal ü\n".encode())
        self.assertFalse(os.path.exists(self.remote(UTF8_LOCAL)))
        entries = self.ls_entries(self._only_ls(r))
        self.assertIn("verschoben ß.txt", entries, r)

    @staticmethod
    def _only_ls(r):
        """r with only the ls lines of its stdout (the transfer lines dropped)."""
        lines = [l for l in r.out.splitlines() if l.strip() and not STATS_RE.match(l)]
        return Run(r.cmd, r.code, "\n".join(lines), r.err, r.elapsed, r.cwd)

    def test_quoting(self):
        r = self.check(self.ferry(script=(
            "mkdir 'single q'; mkdir \"double q\"; mkdir back\\ slash; "
            "mkdir \"semi;colon\"; mkdir 'dq \"inner\"'; mkdir \"it's\"")))
        self.assertEqual(sorted(os.listdir(self.rdir)),
                         sorted(["single q", "double q", "back slash", "semi;colon",
                                 'dq "inner"', "it's"]), r)

    # -----------------------------------------------------------------------
    # Scripts: -b, stdin, failures, -k

    def test_batch_file(self):
        write_local(self.local("l \u00fc.txt"), b"batch upload")
        batch = write_local(os.path.join(self.tmp, self._testMethodName + ".ferry"), (
            "# a ferry batch file\n"
            "cd /%s\n"
            "\n"
            "   # an indented comment\n"
            "mkdir \"from batch\"\n"
            "cd 'from batch'   # a comment after a command\n"
            "put 'l \u00fc.txt'\n"
            "pwd\n") % self.rel)
        r = self.check(self.ferry("-b", batch))
        self.assertEqual(read_file(self.remote("from batch", "l \u00fc.txt")), b"batch upload", r)
        self.assertTrue(any(l.strip().strip('"') == "/%s/from batch" % self.rel
                            for l in r.out_lines), r)

    def test_commands_on_stdin(self):
        self.put_remote("s.txt", b"via stdin")
        stdin = ("cd /%s\nmkdir 'from stdin'\nget s.txt; cd 'from stdin'\npwd\n"
                 % self.rel).encode()
        r = self.check(self.ferry(stdin=stdin))
        self.assertTrue(os.path.isdir(self.remote("from stdin")), r)
        self.assertEqual(read_file(self.local("s.txt")), b"via stdin", r)
        self.assertTrue(any(l.strip().strip('"') == "/%s/from stdin" % self.rel
                            for l in r.out_lines), r)

    def test_script_stops_at_first_failure(self):
        r = self.ferry(script="mkdir one; cd no-such-dir; mkdir two")
        self.check(r, REFUSED)
        self.assertEqual(os.listdir(self.rdir), ["one"], r)
        r = self.ferry(script="mkdir three; put no-such-local.bin; mkdir four")
        self.check(r, LOCAL)
        self.assertEqual(sorted(os.listdir(self.rdir)), ["one", "three"], r)
        batch = write_local(os.path.join(self.tmp, self._testMethodName + ".ferry"),
                            "cd /%s\nmkdir five\ncd no-such-dir\nmkdir six\n" % self.rel)
        r = self.ferry("-b", batch)
        self.check(r, REFUSED)
        self.assertEqual(sorted(os.listdir(self.rdir)), ["five", "one", "three"], r)

    def test_keep_going(self):
        r = self.ferry("-k", script="mkdir one; put no-such-local.bin; mkdir two; "
                                    "cd no-such-dir; mkdir three")
        self.assertEqual(r.code, REFUSED, "-k exits with the last failure's code\n%s" % r)
        self.assertEqual(sorted(os.listdir(self.rdir)), ["one", "three", "two"], r)
        self.assertEqual(len(r.err_lines), 2, r)
        self.assertTrue(all(l.startswith("ferry: ") for l in r.err_lines), r)
        r = self.ferry("-k", script="cd no-such-dir; mkdir four; put no-such-local.bin; "
                                    "mkdir five")
        self.assertEqual(r.code, LOCAL, "-k exits with the last failure's code\n%s" % r)
        self.assertEqual(sorted(os.listdir(self.rdir)), ["five", "four", "one", "three", "two"])
        r = self.check(self.ferry("-k", script="mkdir six; pwd"))
