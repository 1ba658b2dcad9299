"""clitest: the ferry command line against a real server, one test set for
every peer (test_cli_ferryd.py, test_cli_vsftpd.py, test_cli_pureftpd.py,
test_cli_proftpd.py and test_cli_pyftpdlib.py each run CliTests against
theirs; peers.py starts them). CliBase holds
what running ferry takes, for tests that need one peer only
(test_cli_client.py).

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

These suites test plain FTP: every run gets --tls=off first (TLS_ARGS),
so ferry's default (TLS when the server offers it, else a note) stays out
of their output; test_cli_tls.py tests TLS and that default.
"""

import json
import os
import pty
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
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
            "rename", "mv", "help", "byebye", "bye", "quit", "exit", "set", "ascii", "binary",
            "quote", "site", "chmod", "mirror"]

# ls: type and permissions (blank when the listing gives none, as MLSD
# without UNIX.mode), size ("-" when unknown), date (and time, unless a
# LIST line gave none), name.
LS_RE = re.compile(r"^([dl-])([rwxsStT-]{9})?\s+(\d+|-)\s+(\d{4}-\d\d-\d\d \d\d:\d\d|"
                   r"\d{4}-\d\d-\d\d {6}) (.+)$")
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


class CliBase:
    """Running ferry against one peer: set-up, fixtures and checks; mixed
    into ftptest.TestCase with PEER set to "ferryd", "vsftpd",
    "pure-ftpd", "proftpd" or "pyftpdlib"."""

    PEER = None
    # Options every run starts with (plain FTP: see the module's notes).
    TLS_ARGS = ("--tls=off",)

    # -- set-up --

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_ferry()
        cls.server = cls.start_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.tmp = tempfile.mkdtemp(prefix="ferry-cli-")
        os.chmod(cls.tmp, 0o755)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        # vsftpd lists with LIST only (no MLSD): times of old files to the
        # day, and symlinks with their targets.
        cls.mlsd = cls.server.name != "vsftpd"

    @classmethod
    def start_server(cls):
        """The peer the class's tests run against, started."""
        return peers.start_peer(cls.PEER)

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
        cmd = [FERRY] + list(self.TLS_ARGS) + list(args)
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
        return self.run_cmd(self.argv(args, script, url, cd), stdin=stdin, cwd=cwd, env=env,
                            timeout=timeout)

    def run_cmd(self, cmd, stdin=None, cwd=None, env=None, timeout=RUN_TIMEOUT):
        """Runs cmd (ferry, or a wrapper around it) to its end (bounded);
        returns a Run."""
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
            entries[m.group(5)] = (m.group(1), m.group(2), size, m.group(4).rstrip())
        return entries

    def ferry_tty(self, *args, script, answer, url=True, cd=True, timeout=RUN_TIMEOUT):
        """Runs ferry with a terminal on standard input (a pty) that answers
        each question with answer; returns a Run (stderr holds what was
        asked)."""
        master, slave = pty.openpty()
        cmd = self.argv(args, script, url, cd)
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(cmd, cwd=self.ldir, env=self.env(), stdin=slave,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        finally:
            os.close(slave)
        self.addCleanup(os.close, master)
        os.write(master, answer.encode() + b"\n")
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("ferry still running after %gs with a terminal; killed" % timeout)
        return Run(cmd, p.returncode, out.decode("utf-8", "replace"),
                   err.decode("utf-8", "replace"), time.monotonic() - t0, self.ldir)

    def slow(self, script, args=()):
        """Starts ferry on script through a ThrottleProxy and returns
        (process, proxy, stdout path, stderr path); both are cleaned up."""
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=SLOW_RATE)
        self.addCleanup(proxy.close)
        url = proxy.url("/", self.server.user, self.server.password)
        p, outp, errp = self.spawn(self.argv(args, script, url))
        return p, proxy, outp, errp

    def spawn(self, cmd):
        """Starts cmd (ferry) in the background; returns (process, stdout
        path, stderr path); the process is cleaned up."""
        outp = os.path.join(self.tmp, self._testMethodName + ".out")
        errp = os.path.join(self.tmp, self._testMethodName + ".err")
        with open(outp, "wb") as out, open(errp, "wb") as err:
            p = subprocess.Popen(cmd, cwd=self.ldir, env=self.env(), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err)
        self.addCleanup(self._reap, p)
        p.cmd = cmd
        p.t0 = time.monotonic()
        return p, outp, errp

    def interrupt(self, p, outp, errp):
        """Sends SIGINT to a spawned ferry; returns its Run once it ended
        (fails if that takes more than 10 s)."""
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT")
        return self.slow_run(p, outp, errp)

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


class CliTests(CliBase):
    """The test set every peer runs."""

    # The peer lists a name holding a line break as two lines (vsftpd,
    # proftpd, pyftpdlib); False: it leaves such names out of listings.
    LISTS_LINE_BREAKS = False

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

    def test_netrc_readable_by_others(self):
        """A ~/.netrc that group or others can read gives no password, as
        with ftp(1) and Python's netrc: ferry warns, then (with no
        terminal to ask) fails the login before sending a password."""
        netrc = os.path.join(self.home, ".netrc")
        if self.server.named:
            user, pw, marker = self.server.named
        else:
            user, pw = self.server.bad_login
        write_local(netrc, "machine %s login %s password %s\n" % (ftptest.HOST, user, pw),
                    mode=0o644)
        r = self.ferry(script="ls", url=self.server.url("/"), cd=False)
        self.assertEqual(r.code, LOGIN, r)
        self.assertEqual(len(r.err_lines), 2, r)
        self.assertIn("~/.netrc can be read by others", r.err_lines[0], r)
        self.assertIn("no password", r.err_lines[1], r)
        os.chmod(netrc, 0o600)
        r = self.ferry(script="ls", url=self.server.url("/"), cd=False)
        if self.server.named:
            self.check(r)
            self.assertIn(marker, r.out, r)
        else:
            self.check(r, LOGIN, "~/.netrc names a user the server refuses")
        self.assertNotIn("read by others", r.err, r)

    def test_open_host_port_keeps_login(self):
        """open HOST PORT after a URL with a login logs in the same way to
        that server (never to another: a second name for it is another
        server)."""
        host, port = self.server.host, self.server.port
        if not self.server.named:
            r = self.check(self.ferry(script="open %s %d; cd /%s; mkdir again"
                                      % (host, port, self.rel)))
            self.assertTrue(os.path.isdir(self.remote("again")), r)
            return
        user, pw, marker = self.server.named
        url = self.server.url("/", user, pw)
        r = self.check(self.ferry(script="open %s %d; ls" % (host, port), url=url, cd=False))
        self.assertIn(marker, r.out, "open HOST PORT forgot the URL's login\n%s" % r)
        r = self.ferry(script="open localhost %d; ls" % port, url=url, cd=False)
        if self.server.name == "pure-ftpd":
            self.check(r, LOGIN, "another name for the server must not get the login")
        else:
            self.check(r)
            self.assertNotIn(marker, r.out, "the login went to another server name\n%s" % r)

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

    def test_ls_file(self):
        """ls FILE shows that one file on every server: MLSD takes only
        directories (ferryd answers 501, pure-ftpd 550), so ferry asks
        MLST for a file; vsftpd's LIST takes both."""
        t = 1614859200      # 2021-03-04 12:00:00 UTC
        self.put_remote("plain.txt", b"0123456789", mtime=t)
        self.put_remote("sub dir/inner \u00fc.txt", b"inner")
        r = self.check(self.ferry(script="ls plain.txt"))
        entries = self.ls_entries(r)
        self.assertEqual(list(entries), ["plain.txt"], r)
        kind, perms, size, date = entries["plain.txt"]
        self.assertEqual((kind, size), ("-", 10), r)
        self.assertTrue(date.startswith("2021-03-04"), r)
        r = self.check(self.ferry(script="ls 'sub dir/inner \u00fc.txt'"))
        entries = self.ls_entries(r)
        self.assertEqual(len(entries), 1, r)
        self.assertTrue(list(entries)[0].endswith("inner \u00fc.txt"), r)
        self.assertEqual(list(entries.values())[0][2], 5, r)
        r = self.ferry(script="ls no-such-file.txt")
        if self.mlsd:
            self.check(r, REFUSED)
        else:
            self.assertEqual(self.ls_entries(r), {}, r)

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

    def test_rename_never_replaces_unasked(self):
        """rename/mv onto an existing file replaces it only with -y (or a
        yes on a terminal), like get: without a terminal it changes
        nothing and exits 1."""
        self.put_remote("a.txt", b"content A")
        self.put_remote("b.txt", b"content B, longer")
        for word in ("rename", "mv"):
            r = self.ferry(script="%s a.txt b.txt" % word)
            self.check(r, NOT_CONFIRMED, "%s onto an existing file without -y" % word)
            self.assertIn("b.txt", r.err, r)
            self.assertEqual(read_file(self.remote("a.txt")), b"content A", r)
            self.assertEqual(read_file(self.remote("b.txt")), b"content B, longer", r)
        r = self.check(self.ferry("-y", script="mv a.txt b.txt"))
        self.assertEqual(os.listdir(self.rdir), ["b.txt"], r)
        self.assertEqual(read_file(self.remote("b.txt")), b"content A", r)

    def test_rename_asks_on_a_terminal(self):
        """rename/mv onto an existing file, with a terminal on standard
        input: the question names the target; n, or Enter (the default is
        no), or no -y without a terminal changes nothing and exits 1; y
        replaces it."""
        self.put_remote("a.txt", b"content A")
        self.put_remote("b.txt", b"content B, longer")
        r = self.ferry(script="mv a.txt b.txt")
        self.check(r, NOT_CONFIRMED, "mv onto an existing file without a terminal")
        for word, answer in (("rename", "n"), ("mv", "n"), ("mv", "")):
            r = self.ferry_tty(script="%s a.txt b.txt" % word, answer=answer)
            self.assertEqual(r.code, NOT_CONFIRMED, r)
            self.assertIn("Replace b.txt? [y/N]", r.err, r)
            self.assertEqual(read_file(self.remote("a.txt")), b"content A", r)
            self.assertEqual(read_file(self.remote("b.txt")), b"content B, longer", r)
        r = self.ferry_tty(script="rename a.txt b.txt", answer="y")
        self.assertEqual(r.code, OK, r)
        self.assertEqual(r.err.count("[y/N]"), 1, r)
        self.assertEqual(os.listdir(self.rdir), ["b.txt"], r)
        self.assertEqual(read_file(self.remote("b.txt")), b"content A", r)

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

    def test_upload_summary_names_the_file(self):
        """The summary line names the file as the server has it, not the
        whole local path it came from."""
        data = ftptest.random_bytes(3000, seed=7)
        src = write_local(os.path.join(self.tmp, self._testMethodName + ".src", "deep",
                                       "l1.bin"), data)
        r = self.check(self.ferry(script="put '%s'" % src))
        self.assertEqual(read_file(self.remote("l1.bin")), data, r)
        self.assertEqual(self.stats(r), [("uploaded", "l1.bin", 3000)], r)

    def test_put_recursive_names_what_it_skips(self):
        """put -r skips symbolic links and special files, and says which
        is which."""
        write_local(self.local("ltree", "a.txt"), b"a")
        os.symlink("a.txt", self.local("ltree", "link"))
        os.mkfifo(self.local("ltree", "fifo"))
        r = self.check(self.ferry(script="put -r ltree"))
        self.assertEqual(sorted(os.listdir(self.remote("ltree"))), ["a.txt"], r)
        notes = [l for l in r.err_lines if l.startswith("skipping ")]
        self.assertEqual(sorted(notes), ["skipping ltree/fifo: not a file, directory or link",
                                         "skipping ltree/link: a symbolic link"], r)

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

    def sent(self, r):
        """The commands ferry sent, from its -v trace."""
        return [l[4:] for l in r.err_lines if l.startswith("--> ")]

    def test_active_mode(self):
        """--active and `set active on`: the server opens each data
        connection back to ferry (EPRT, or PORT for servers without it),
        for firewalls that block passive ports."""
        data = ftptest.random_bytes(300000, seed=51)
        self.put_remote("a.bin", data)
        write_local(self.local("up.bin"), data[:70000])
        r = self.check(self.ferry("--active", "-v", script="get a.bin; put up.bin; ls"))
        self.assertEqual(read_file(self.local("a.bin")), data, r)
        self.assertEqual(read_file(self.remote("up.bin")), data[:70000], r)
        self.assertIn("up.bin", self._only_ls(Run(r.cmd, r.code, r.out, "", 0, "")).out, r)
        sent = self.sent(r)
        self.assertFalse([c for c in sent if c.split()[0] in ("EPSV", "PASV")], r)
        self.assertEqual(len([c for c in sent if c.split()[0] in ("EPRT", "PORT")]), 3, r)
        r = self.check(self.ferry("-v", script="set active on; get a.bin b.bin; set active off; "
                                                "get a.bin c.bin"))
        self.assertEqual(read_file(self.local("b.bin")), data, r)
        self.assertEqual(read_file(self.local("c.bin")), data, r)
        verbs = [c.split()[0] for c in self.sent(r)]
        self.assertEqual(len([v for v in verbs if v in ("EPRT", "PORT")]), 1, r)
        self.assertEqual(len([v for v in verbs if v in ("EPSV", "PASV")]), 1, r)

    def flaky(self, **kw):
        """A fast ThrottleProxy in front of the server that misbehaves as
        kw says (refuse_first, cut_data_after); returns its URL."""
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20, **kw)
        self.addCleanup(proxy.close)
        return proxy, proxy.url("/", self.server.user, self.server.password)

    def test_retry_resumes_broken_download(self):
        """--retry N: a download whose data connection is cut halfway goes
        on from where it stopped (REST) after a short wait; without it the
        download fails and leaves nothing."""
        self.put_remote("big.bin", BIG)
        proxy, url = self.flaky(cut_data_after=STOP_AT)
        r = self.ferry(script="get big.bin", url=url)
        self.check(r, BROKEN, "a cut download without --retry")
        self.assertEqual(os.listdir(self.ldir), [], r)
        proxy, url = self.flaky(cut_data_after=STOP_AT)
        r = self.check(self.ferry("--retry", "2", "-v", script="get big.bin", url=url))
        self.assertTrue(read_file(self.local("big.bin")) == BIG, "the retried download differs")
        rest = [int(c.split()[1]) for c in self.sent(r) if c.startswith("REST ")]
        self.assertEqual(len(rest), 1, r)
        self.assertTrue(0 < rest[0] < len(BIG), "REST %d\n%s" % (rest[0], r))
        self.assertEqual(len([c for c in self.sent(r) if c == "RETR big.bin"]), 2, r)
        self.assertStats(r, [("downloaded", ("big.bin",), len(BIG))])

    def test_retry_sends_broken_upload_again(self):
        """--retry N: an upload cut halfway is sent again from the start
        (the server may have kept its old file, not the part sent)."""
        write_local(self.local("big.bin"), BIG)
        proxy, url = self.flaky(cut_data_after=STOP_AT)
        r = self.check(self.ferry("--retry", "2", "-v", script="put big.bin", url=url))
        self.assertTrue(read_file(self.remote("big.bin")) == BIG, "the retried upload differs")
        self.assertEqual(len([c for c in self.sent(r) if c == "STOR big.bin"]), 2, r)
        self.assertFalse([c for c in self.sent(r) if c.startswith("REST ")], r)

    def test_retry_connect(self):
        """--retry N: connections the server side resets at once are tried
        again, waiting 1 s, then 2 s; without --retry the first one fails."""
        proxy, url = self.flaky(refuse_first=2)
        r = self.ferry(script="pwd", url=url, cd=False)
        self.check(r, CONNECT, "a reset connection without --retry")
        proxy, url = self.flaky(refuse_first=2)
        r = self.check(self.ferry("--retry", "3", script="pwd", url=url, cd=False))
        self.assertEqual(proxy.refused, 2, r)
        self.assertGreater(r.elapsed, 2.5, "no waits between the tries\n%s" % r)

    def test_retry_waits_grow(self):
        """--retry N waits longer before each new try: 1 s, then 2 s, then
        4 s between the connections the server side resets."""
        proxy, url = self.flaky(refuse_first=3)
        r = self.check(self.ferry("--retry", "3", script="pwd", url=url, cd=False))
        self.assertEqual(proxy.refused, 3, r)
        self.assertEqual(len(proxy.arrivals), 4, r)
        gaps = [b - a for a, b in zip(proxy.arrivals, proxy.arrivals[1:])]
        for gap, want in zip(gaps, (1.0, 2.0, 4.0)):
            self.assertTrue(want - 0.1 < gap < want + 1.5,
                            "waits between tries %s, expected about 1, 2, 4 s\n%s"
                            % (["%.2f" % g for g in gaps], r))

    def test_retry_resumes_on_disk(self):
        """A broken download retried with --retry goes on from the bytes
        already on disk: a partial file whose first bytes were marked
        (get -c) keeps the mark after the data connection was cut and the
        download retried, and the server sent each byte about once."""
        have = 100000
        self.put_remote("big.bin", BIG)
        write_local(self.local("big.bin"), MARK + BIG[len(MARK):have])
        proxy, url = self.flaky(cut_data_after=STOP_AT)
        r = self.check(self.ferry("--retry", "2", "-v", script="get -c big.bin", url=url))
        got = read_file(self.local("big.bin"))
        self.assertEqual(len(got), len(BIG), r)
        self.assertTrue(got == MARK + BIG[len(MARK):],
                        "the retried download did not keep the bytes on disk\n%s" % r)
        rest = [int(c.split()[1]) for c in self.sent(r) if c.startswith("REST ")]
        self.assertEqual(len(rest), 2, r)
        self.assertEqual(rest[0], have, r)
        self.assertTrue(have < rest[1] <= have + STOP_AT, "REST %r\n%s" % (rest, r))
        # The cut connection relayed less than STOP_AT bytes (those still
        # in ferry's socket when the reset came are lost, as many as a
        # busy machine leaves unread); the retry relays the rest from
        # rest[1] and nothing again.
        self.assertLess(proxy.data_bytes, STOP_AT + len(BIG) - rest[1],
                        "the retry sent again what had arrived\n%s" % r)

    def test_limit_rate_measured(self):
        """--limit-rate RATE holds each transfer to RATE bytes a second
        within 15 %, both ways: a 1 MB download and upload at 256 KB/s
        take about 4 s each (from the summary line, and on the clock)."""
        rate = 256 << 10
        data = ftptest.random_bytes(1 << 20, seed=62)
        self.put_remote("r.bin", data)
        write_local(self.local("u.bin"), data)
        r = self.check(self.ferry("--limit-rate", "256K", script="get r.bin; put u.bin"))
        self.assertEqual(read_file(self.local("r.bin")), data, r)
        self.assertEqual(read_file(self.remote("u.bin")), data, r)
        stats = [STATS_RE.match(l) for l in r.out_lines]
        self.assertEqual(len([m for m in stats if m]), 2, r)
        for m in stats:
            got = int(m.group(3)) / float(m.group(4))
            self.assertTrue(0.85 * rate <= got <= 1.15 * rate,
                            "%s: %.0f B/s, expected %d B/s +-15%%\n%s"
                            % (m.group(1), got, rate, r))
        want = 2 * len(data) / rate
        self.assertGreater(r.elapsed, 0.85 * want, r)

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

    def test_declined_overwrite_skips_that_file(self):
        """A replace not confirmed (answered no on a terminal, or no
        terminal to ask) skips that file only: the other files of a
        pattern or a tree are fetched, a line names the file skipped, and
        the command ends with status 1."""
        for name in ("a.txt", "b.txt", "c.txt"):
            self.put_remote("t/" + name, b"remote " + name.encode())
        write_local(self.local("b.txt"), b"local b")
        r = self.ferry_tty(script="get 't/*.txt'", answer="n")
        self.assertEqual(r.code, NOT_CONFIRMED, r)
        self.assertEqual(r.err.count("[y/N]"), 1, r)
        self.assertIn("Overwrite b.txt? [y/N]", r.err, r)
        self.assertIn("b.txt exists: not overwritten", r.err, r)
        self.assertEqual(sorted(os.listdir(self.ldir)), ["a.txt", "b.txt", "c.txt"], r)
        self.assertEqual(read_file(self.local("a.txt")), b"remote a.txt", r)
        self.assertEqual(read_file(self.local("b.txt")), b"local b", r)
        self.assertEqual(read_file(self.local("c.txt")), b"remote c.txt", r)
        self.assertStats(r, [("downloaded", ("a.txt",), 12), ("downloaded", ("c.txt",), 12)])
        for name in ("a.txt", "c.txt"):
            os.unlink(self.local(name))
        r = self.ferry(script="get 't/*.txt'")
        self.check(r, NOT_CONFIRMED, "a pattern over an existing file without a terminal")
        self.assertIn("b.txt exists: not overwritten (no terminal to ask: use -y)", r.err, r)
        self.assertEqual(sorted(os.listdir(self.ldir)), ["a.txt", "b.txt", "c.txt"], r)
        self.assertEqual(read_file(self.local("c.txt")), b"remote c.txt", r)
        self.assertEqual(read_file(self.local("b.txt")), b"local b", r)
        write_local(self.local("t", "b.txt"), b"local t/b")
        r = self.ferry_tty(script="get -r t", answer="n")
        self.assertEqual(r.code, NOT_CONFIRMED, r)
        self.assertIn("t/b.txt exists: not overwritten", r.err, r)
        self.assertEqual(sorted(os.listdir(self.local("t"))), ["a.txt", "b.txt", "c.txt"], r)
        self.assertEqual(read_file(self.local("t", "b.txt")), b"local t/b", r)
        self.assertEqual(read_file(self.local("t", "c.txt")), b"remote c.txt", r)

    def test_get_into_devices_pipes_and_links(self):
        """A download writes through to a character device, a FIFO and -
        (nothing is replaced, so nothing is asked); a symbolic link is
        followed: the file it names is replaced (after the usual question)
        and the link stays; a link to nothing is refused."""
        data = ftptest.random_bytes(300000, seed=41)
        self.put_remote("f.bin", data)
        null = self.local("null")
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))     # like /dev/null
        for args in ((), ("-y",)):
            r = self.check(self.ferry(*args, script="get f.bin null"))
            self.assertTrue(stat.S_ISCHR(os.lstat(null).st_mode),
                            "the device was replaced by a regular file\n%s" % r)
            self.assertStats(r, [("downloaded", ("f.bin",), len(data))])
        fifo = self.local("pipe")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(read_file(fifo)), daemon=True)
        reader.start()
        r = self.check(self.ferry("-y", script="get f.bin pipe"))
        reader.join(10)
        self.assertEqual(got, [data], r)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), r)
        write_local(self.local("real.bin"), b"old contents")
        os.symlink("real.bin", self.local("link"))
        r = self.ferry(script="get f.bin link")
        self.check(r, NOT_CONFIRMED, "download over a link to an existing file without -y")
        self.assertEqual(read_file(self.local("real.bin")), b"old contents", r)
        r = self.check(self.ferry("-y", script="get f.bin link"))
        self.assertEqual(os.readlink(self.local("link")), "real.bin", r)
        self.assertEqual(read_file(self.local("real.bin")), data, r)
        os.symlink("nowhere.bin", self.local("dangling"))
        r = self.ferry("-y", script="get f.bin dangling")
        self.check(r, LOCAL, "download through a link to nothing")
        self.assertEqual(os.readlink(self.local("dangling")), "nowhere.bin", r)
        self.assertEqual(sorted(os.listdir(self.ldir)),
                         ["dangling", "link", "null", "pipe", "real.bin"], r)

    def test_get_to_stdout(self):
        data = ftptest.random_bytes(200000, seed=42)
        self.put_remote("f.bin", data)
        p = subprocess.run(self.argv(script="get f.bin -"), cwd=self.ldir, env=self.env(),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT)
        self.assertEqual(p.returncode, OK, p.stderr)
        self.assertEqual(p.stdout, data)
        self.assertEqual(os.listdir(self.ldir), [])

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
        r = self.interrupt(p, outp, errp)
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

    def test_listing_lines_not_understood(self):
        """A name holding a line break, made on the server's disk, that the
        server lists as two lines: ls, get of a pattern and get -r each say
        in one stderr line which listing had lines ferry did not
        understand, how many, and the first; the downloads copy what they
        can and end with status 5 (not everything was done)."""
        self.put_remote("d/a.txt", b"a")
        self.put_remote("d/new\nline.txt", b"n")
        if not self.LISTS_LINE_BREAKS:
            # The server leaves the name out: nothing ferry could note.
            r = self.ferry(script="ls d; get d/*.txt")
            self.assertEqual(r.code, OK, r)
            self.assertIn("a.txt", r.out, r)
            self.assertNotIn("line", r.out + r.err, r)
            self.assertEqual(ftptest.read_file(self.local("a.txt")), b"a", r)
            self.assertFalse(os.path.exists(self.local("new")), r)
            return
        note = (r"(?m)^ferry: %s: the listing of d had 1 line not understood, left out "
                r'\(the first: "[^"\n]*line\.txt"\)$')
        r = self.ferry(script="ls d")
        self.assertEqual(r.code, OK, r)
        self.assertIn("a.txt", r.out, r)
        self.assertRegex(r.err, note % "ls d", r)
        self.assertEqual(len(r.err_lines), 1, r)
        r = self.ferry(script="get d/*.txt")
        self.assertEqual(r.code, REFUSED, r)
        self.assertRegex(r.err, note % r"get '?d/\*\.txt'?", r)
        self.assertEqual(len(r.err_lines), 1, r)
        self.assertEqual(ftptest.read_file(self.local("a.txt")), b"a", r)
        # The first half of the name reads as a file "new", which the
        # server does not have: that download fails on a line of its own.
        r = self.ferry(script="get -r d e")
        self.assertEqual(r.code, REFUSED, r)
        self.assertRegex(r.err, note % "get -r d e", r)
        self.assertEqual(ftptest.read_file(self.local("e", "a.txt")), b"a", r)

    def test_listing_lines_not_understood_pattern_goes_on(self):
        """get -r of a pattern: a directory whose listing had a line not
        understood is noted, and the directories after it are still
        copied; status 5. (The name's first half is a file the directory
        has, so nothing else fails.)"""
        self.put_remote("d/a.txt", b"a")
        self.put_remote("d/a.txt\nline.txt", b"n")
        self.put_remote("dz/b.txt", b"b")
        if not self.LISTS_LINE_BREAKS:
            # The server leaves the name out: both folders copy whole.
            r = self.ferry("-y", script="get -r 'd*'")
            self.assertEqual(r.code, OK, r)
            self.assertEqual(ftptest.read_file(self.local("d", "a.txt")), b"a", r)
            self.assertEqual(ftptest.read_file(self.local("dz", "b.txt")), b"b", r)
            self.assertEqual(sorted(os.listdir(self.local("d"))), ["a.txt"], r)
            return
        r = self.ferry("-y", script="get -r 'd*'")
        self.assertEqual(r.code, REFUSED, r)
        self.assertRegex(r.err, r"(?m)^ferry: get -r '?d\*'?: the listing of d had 1 line "
                         r"not understood", r)
        self.assertEqual(ftptest.read_file(self.local("d", "a.txt")), b"a", r)
        self.assertEqual(ftptest.read_file(self.local("dz", "b.txt")), b"b", r)

    def test_get_recursive_of_a_file(self):
        """get -r naming a file downloads that file, as put -r uploads one;
        a tree the server does not have is an error (status 5) that leaves
        no local directory behind (vsftpd lists a missing directory as an
        empty one)."""
        self.server.mkdir(self.rel + "/sub")
        self.put_remote("sub/plain.txt", b"plain\n")
        r = self.check(self.ferry(script="get -r sub/plain.txt; get -r sub/plain.txt copy.txt"))
        self.assertEqual(read_file(self.local("plain.txt")), b"plain\n", r)
        self.assertEqual(read_file(self.local("copy.txt")), b"plain\n", r)
        if self.mlsd:
            r = self.ferry(script="get -r nosuch; get -r nosuch other")
            self.check(r, REFUSED, "a missing tree")
            self.assertEqual(sorted(os.listdir(self.ldir)), ["copy.txt", "plain.txt"], r)

    def test_listed_downloads_send_no_size(self):
        """A recursive or pattern download takes each file's size for its
        progress from the listing it already read: RETR follows without a
        SIZE round trip per file, and every file arrives whole; a download
        by name still asks SIZE."""
        data = {"a.bin": ftptest.random_bytes(5000, seed=21),
                "b.bin": ftptest.random_bytes(70001, seed=22),
                "c.bin": b""}
        self.server.mkdir(self.rel + "/st")
        for name, body in data.items():
            self.put_remote("st/" + name, body)
        os.makedirs(self.local("pat"))
        r = self.check(self.ferry("-v", script="get -r st; lcd pat; get st/*.bin; get st/a.bin one"))
        for name, body in data.items():
            self.assertEqual(read_file(self.local("st", name)), body, r)
            self.assertEqual(read_file(self.local("pat", name)), body, r)
        self.assertEqual(read_file(self.local("pat", "one")), data["a.bin"], r)
        sent = self.sent(r)
        self.assertEqual(len([l for l in sent if l.startswith("RETR ")]), 7, r)
        # Without MLST, "SIZE st" asks whether the top of get -r is a file.
        self.assertEqual([l for l in sent if l.startswith("SIZE ") and l != "SIZE st"],
                         ["SIZE st/a.bin"], r)
        for name, body in data.items():
            self.assertIn("downloaded st/%s: %d bytes" % (name, len(body)), r.out, r)

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
    # Patterns, rm -r, file times

    def test_get_and_put_patterns(self):
        """get and put with a pattern copy every match (mget, mput): names
        starting with a dot only for patterns starting with one,
        directories only with -r, into the directory given or here; a
        pattern matching nothing is an error."""
        for name in ("a.log", "b.log", "c.txt", ".hidden.log", "d.log/inner.txt"):
            self.put_remote(name, name.encode())
        r = self.check(self.ferry(script="get '*.log'"))
        self.assertEqual(sorted(os.listdir(self.ldir)), ["a.log", "b.log"], r)
        self.assertEqual(read_file(self.local("b.log")), b"b.log", r)
        self.assertIn("skipping d.log: a directory (copy it with -r)", r.err, r)
        os.mkdir(self.local("into"))
        r = self.check(self.ferry(script="get -r '*.log' into"))
        self.assertEqual(sorted(os.listdir(self.local("into"))), ["a.log", "b.log", "d.log"], r)
        self.assertEqual(read_file(self.local("into", "d.log", "inner.txt")), b"d.log/inner.txt")
        self.check(self.ferry(script="get '*.none'"), REFUSED, "a pattern matching nothing")
        self.check(self.ferry(script="get '*.log' c.txt"), USAGE, "a pattern into a file")
        write_local(self.local("up", "x1.txt"), b"x1")
        write_local(self.local("up", "x2.txt"), b"x2")
        write_local(self.local("up", "y.dat"), b"y")
        self.server.mkdir(self.rel + "/sub")
        r = self.check(self.ferry(script="put 'up/x*.txt'; put 'up/*.dat' sub"))
        self.assertEqual(read_file(self.remote("x1.txt")), b"x1", r)
        self.assertEqual(read_file(self.remote("x2.txt")), b"x2", r)
        self.assertEqual(read_file(self.remote("sub", "y.dat")), b"y", r)
        self.assertStats(r, [("uploaded", ("x1.txt",), 2), ("uploaded", ("x2.txt",), 2),
                             ("uploaded", ("sub/y.dat",), 1)])
        self.check(self.ferry(script="put 'up/*.none'"), LOCAL, "a local pattern matching nothing")

    def test_rm_pattern_asks_once(self):
        """rm with a pattern (or several names) asks one question for the
        whole set, listing it, on a terminal; without one only -y
        deletes; a file named like a pattern is taken as it is."""
        for name in ("old-1.tar", "old-2.tar", "keep.tar", "odd[1].txt", "odd1.txt"):
            self.put_remote(name, b"x")
        r = self.ferry(script="rm 'old-*'")
        self.check(r, NOT_CONFIRMED, "rm of a pattern without -y and without a terminal")
        self.assertEqual(len(os.listdir(self.rdir)), 5, r)
        r = self.ferry_tty(script="rm 'old-*' keep.tar", answer="n")
        self.assertEqual(r.code, NOT_CONFIRMED, r)
        asked = r.err
        for name in ("old-1.tar", "old-2.tar", "keep.tar"):
            self.assertIn("  %s\n" % name, asked, r)
        self.assertIn("Delete these 3? [y/N]", asked, r)
        self.assertEqual(asked.count("[y/N]"), 1, r)
        self.assertEqual(len(os.listdir(self.rdir)), 5, r)
        r = self.ferry_tty(script="rm 'old-*'", answer="y")
        self.assertEqual(r.code, OK, r)
        self.assertEqual(sorted(os.listdir(self.rdir)), ["keep.tar", "odd1.txt", "odd[1].txt"])
        r = self.check(self.ferry("-y", script="rm 'odd[1].txt'"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["keep.tar", "odd1.txt"], r)

    def test_rm_recursive(self):
        """rm -r DIR deletes the tree after one question (or -y); a link in
        it is deleted, never followed; rm without -r leaves a directory."""
        self.put_remote("keep.txt", b"keep")
        self.put_remote("tree/a.txt", b"a")
        self.put_remote("tree/sub dir \u00fc/b.txt", b"b")
        self.server.mkdir(self.rel + "/tree/empty")
        self.server.symlink("../keep.txt", self.rel + "/tree/link")
        r = self.ferry(script="rm -r tree")
        self.check(r, NOT_CONFIRMED, "rm -r without -y and without a terminal")
        self.assertIn("tree", r.err, r)
        self.assertTrue(os.path.isdir(self.remote("tree")), r)
        r = self.ferry("-y", script="rm tree")
        self.assertNotEqual(r.code, OK, r)
        self.assertTrue(os.path.isdir(self.remote("tree")), r)
        r = self.check(self.ferry("-y", script="rm -r tree"))
        self.assertEqual(os.listdir(self.rdir), ["keep.txt"], r)
        self.assertEqual(read_file(self.remote("keep.txt")), b"keep", r)

    def test_preserve_times(self):
        """Downloads keep the server's modification time (single files from
        MDTM, trees from MLSD or MDTM); uploads get the local time where the
        server offers MFMT, and a server that does not is noted once;
        --no-preserve keeps the times of arrival."""
        t = 1614859200      # 2021-03-04 12:00:00 UTC
        self.put_remote("a.bin", b"a" * 100, mtime=t)
        self.put_remote("tree/b.bin", b"b" * 10, mtime=t + 60)
        r = self.check(self.ferry(script="get a.bin; get -r tree"))
        self.assertEqual(os.stat(self.local("a.bin")).st_mtime, t, r)
        self.assertEqual(os.stat(self.local("tree", "b.bin")).st_mtime, t + 60, r)
        os.unlink(self.local("a.bin"))
        r = self.check(self.ferry("--no-preserve", script="get a.bin"))
        self.assertGreater(os.stat(self.local("a.bin")).st_mtime, t + 86400, r)
        write_local(self.local("u1.bin"), b"u1")
        write_local(self.local("u2.bin"), b"u2")
        os.utime(self.local("u1.bin"), (t, t))
        os.utime(self.local("u2.bin"), (t + 120, t + 120))
        r = self.check(self.ferry(script="put u1.bin; put u2.bin"))
        notes = [l for l in r.err_lines if "file times" in l]
        if self.server.mfmt:
            self.assertEqual(os.stat(self.remote("u1.bin")).st_mtime, t, r)
            self.assertEqual(os.stat(self.remote("u2.bin")).st_mtime, t + 120, r)
            self.assertEqual(notes, [], r)
        else:
            self.assertGreater(os.stat(self.remote("u1.bin")).st_mtime, t + 86400, r)
            self.assertEqual(notes, ["note: the server cannot set file times (no MFMT); "
                                     "uploads keep the time they arrive"], r)
        r = self.check(self.ferry("--no-preserve", script="put u1.bin; set preserve; "
                                                          "put -p u2.bin"))
        self.assertIn("preserve off", r.out_lines, r)
        if self.server.mfmt:
            self.assertGreater(os.stat(self.remote("u1.bin")).st_mtime, t + 86400, r)
            self.assertEqual(os.stat(self.remote("u2.bin")).st_mtime, t + 120, r)

    # -----------------------------------------------------------------------
    # Raw commands, the transfer type, listing forms

    def test_quote_site_chmod(self):
        """quote and site print the server's whole reply; a refusal is
        status 5. chmod changes a mode where the server has SITE CHMOD for
        the login and is refused (status 5, mode unchanged) where it has
        not."""
        r = self.check(self.ferry(script="quote NOOP"))
        self.assertTrue(r.out_lines and r.out_lines[0].startswith("200"), r)
        r = self.ferry(script="quote XYZZY")
        self.assertEqual(r.code, REFUSED, r)
        self.assertTrue(r.out_lines and r.out_lines[0].startswith("5"), r)
        r = self.ferry(script="site HELP")
        if self.server.site_help:
            self.check(r)
            self.assertTrue(r.out_lines[0].startswith("214"), r)
            self.assertIn("CHMOD", r.out, r)
        else:
            self.assertEqual(r.code, REFUSED, r)
        self.put_remote("f.txt", b"f")
        os.chmod(self.remote("f.txt"), 0o644)
        r = self.ferry(script="chmod 600 f.txt")
        if self.server.site_chmod:
            self.check(r)
            self.assertEqual(stat.S_IMODE(os.stat(self.remote("f.txt")).st_mode), 0o600, r)
        else:
            self.check(r, REFUSED, "chmod where the server has no SITE CHMOD")
            self.assertEqual(stat.S_IMODE(os.stat(self.remote("f.txt")).st_mode), 0o644, r)
        self.check(self.ferry(script="chmod 9x f.txt"), USAGE, "a mode that is not octal")

    def test_ascii_and_binary(self):
        """ascii: lines end in CR LF on the wire and in LF on disk, both
        ways; binary: bytes as they are. Servers that convert (ferryd,
        pure-ftpd) send CR LF for a file with LF; vsftpd (as configured
        here) sends the file as it is, so its file holds CR LF."""
        disk = b"one\ntwo\nthree\n"
        crlf = disk.replace(b"\n", b"\r\n")
        stored = disk if self.server.ascii_converts else crlf
        self.put_remote("t.txt", stored)
        write_local(self.local("up.txt"), disk)
        r = self.check(self.ferry("-v", script="ascii; get t.txt a.txt; put up.txt; binary; "
                                              "get t.txt b.txt; put up.txt up2.txt"))
        self.assertEqual(read_file(self.local("a.txt")), disk, r)
        self.assertEqual(read_file(self.local("b.txt")), stored, r)
        self.assertEqual(read_file(self.remote("up.txt")),
                         disk if self.server.ascii_converts else crlf, r)
        self.assertEqual(read_file(self.remote("up2.txt")), disk, r)
        types = [c for c in self.sent(r) if c.startswith("TYPE ")]
        self.assertEqual(types, ["TYPE I", "TYPE A", "TYPE I"], r)
        self.check(self.ferry(script="ascii; get -c t.txt"), USAGE, "resuming in ascii mode")

    def test_ls_forms_and_json(self):
        """ls -1 prints names only, ls -l the long form; --json prints each
        listing as one JSON object and each transfer as one."""
        t = 1614859200
        self.put_remote("b.txt", b"0123456789", mtime=t)
        self.put_remote("a \u00fc.txt", b"abc", mtime=t)
        self.server.mkdir(self.rel + "/sub")
        r = self.check(self.ferry(script="ls -1"))
        self.assertEqual(r.out_lines, ["a \u00fc.txt", "b.txt", "sub"], r)
        r1 = self.check(self.ferry(script="ls"))
        r2 = self.check(self.ferry(script="ls -l"))
        self.assertEqual(r1.out_lines, r2.out_lines)
        self.assertEqual(len(self.ls_entries(r2)), 3, r2)
        r = self.check(self.ferry("--json", script="ls; ls b.txt; get b.txt; put b.txt c.txt"))
        docs = [json.loads(l) for l in r.out_lines]
        self.assertEqual(len(docs), 4, r)
        entries = {e["name"]: e for e in docs[0]["entries"]}
        self.assertEqual(sorted(entries), ["a \u00fc.txt", "b.txt", "sub"], r)
        self.assertEqual(entries["b.txt"]["type"], "file", r)
        self.assertEqual(entries["b.txt"]["size"], 10, r)
        self.assertTrue(entries["b.txt"]["modified"].startswith("2021-03-04T"), r)
        self.assertEqual(entries["sub"]["type"], "dir", r)
        self.assertEqual([e["name"] for e in docs[1]["entries"]], ["b.txt"], r)
        self.assertEqual(docs[1]["path"], "b.txt", r)
        self.assertEqual((docs[2]["transfer"], docs[2]["remote"], docs[2]["local"],
                          docs[2]["bytes"]), ("download", "b.txt", "b.txt", 10), r)
        self.assertEqual((docs[3]["transfer"], docs[3]["remote"], docs[3]["local"],
                          docs[3]["bytes"]), ("upload", "c.txt", "b.txt", 10), r)

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

    def test_name_with_0xff(self):
        """Names holding the byte 0xFF (Latin-1 "ÿ", never UTF-8) are sent
        with the byte doubled, as RFC 854 and RFC 959 say: ferryd reads it
        back as one. vsftpd and pure-ftpd read it literally, and get it
        raw after `set iac off`."""
        name = os.fsdecode(b"caf\xe9 \xff.bin")
        up = os.fsdecode(b"up\xff\xff.bin")
        data = ftptest.random_bytes(5000, seed=31)
        self.put_remote(name, data)
        write_local(self.local(up), data[:100])
        iac = "" if self.server.telnet_iac else "set iac off; "
        r = self.check(self.ferry("-y", script=iac + "get '%s'; put '%s'; size '%s'; rm '%s'"
                                  % (name, up, up, name)))
        self.assertEqual(read_file(self.local(name)), data, r)
        self.assertEqual(read_file(self.remote(up)), data[:100], r)
        self.assertEqual(os.listdir(os.fsencode(self.rdir)), [os.fsencode(up)], r)
        self.assertIn(": 100 bytes", r.out, r)

    def test_iac_option(self):
        """--iac=on (the default) sends 0xFF doubled, --iac=off as it is:
        the setting that fits the server downloads a name holding 0xFF
        (ferryd follows RFC 854: on; vsftpd and pure-ftpd read the byte
        literally: off); the other names a file that is not there, so the
        download is refused (status 5) and leaves nothing. A value other
        than on or off is a usage error. ferryd and proftpd read RFC 854's
        doubled 0xFF as one and also keep a 0xFF that starts no Telnet
        command, so both settings download the file there."""
        name = os.fsdecode(b"caf\xe9 \xff.bin")
        data = ftptest.random_bytes(7000, seed=32)
        self.put_remote(name, data)
        fits, other = ("on", "off") if self.server.telnet_iac else ("off", "on")
        r = self.ferry("--iac=" + other, script="get '%s'" % name)
        if self.server.lone_iac:
            self.check(r, msg="--iac=%s on %s" % (other, self.server.name))
            self.assertEqual(read_file(self.local(name)), data, r)
            os.unlink(self.local(name))
        else:
            self.check(r, REFUSED, "--iac=%s on %s" % (other, self.server.name))
            self.assertEqual(os.listdir(self.ldir), [], r)
        r = self.check(self.ferry("--iac=" + fits, script="get '%s'" % name))
        self.assertEqual(read_file(self.local(name)), data, r)
        os.unlink(self.local(name))
        r = self.ferry(script="get '%s'" % name)
        if self.server.telnet_iac:
            self.check(r)
            self.assertEqual(read_file(self.local(name)), data, r)
        else:
            self.check(r, REFUSED, "the default (on) on %s" % self.server.name)
            self.assertEqual(os.listdir(self.ldir), [], r)
        r = self.ferry("--iac=maybe", script="pwd")
        self.check(r, USAGE, "--iac=maybe")
        self.assertIn("--iac", r.err, r)

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
