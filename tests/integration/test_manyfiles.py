"""ferryd with clients that move many files in one session: curl -T with a
list of files, curl -K with a config file of URLs, lftp mput and mget.
All passive (EPSV), one control connection each, bytes compared on disk.

curl 7.88 stalls for a second before a transfer whenever the 229 reply to
its EPSV is already there when it first looks, which happens when the
server answers on the CPU curl just gave up: on a one-CPU machine, or
when the two share one, and every time when the server also runs at a
higher priority than the client. The tests set up exactly that (server
and client on one CPU, the server at nice -10), so a server that answers
too soon stalls on every file: 40 files must take seconds, not the 40 a
stall per file would cost. (ferryd yields before the reply when the
client's command came from its CPU, and pauses briefly once it has seen a
client stall: at most one stall a session.) One test runs curl on another
CPU than the server, where ferryd does not yield; the curl upload runs
again against a ferryd with a --pasv-ports range smaller than the number
of files."""

import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import config
import ftptest
from ftptest import read_file

COUNT = 40
# Seconds the whole many-file run may take; a stall costs one per file.
BOUND = 8.0


def one_cpu():
    return {sorted(os.sched_getaffinity(0))[0]}


def other_cpu():
    """A CPU other than one_cpu()'s, or None on a single CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    return {cpus[1]} if len(cpus) > 1 else None


class ManyFilesBase(ftptest.TestCase):
    """A ferryd (started with server_args) on one CPU at nice -10, the
    files, and the checks the tests share."""

    server_args = ["--anonymous=rw"]

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        ftptest.require_program(config.LFTP, "lftp")
        srv = ftptest.Server(cls.server_args)
        cls.addClassCleanup(srv.cleanup)
        cls.files = {"f%02d.bin" % i: ftptest.random_bytes(4096 + i, seed=300 + i)
                     for i in range(COUNT)}
        for name, data in cls.files.items():
            srv.write(os.path.join("down", name), data)
        srv.start()
        # Sessions are forked from the listener and keep its CPU and
        # priority (raising it needs root, as the suite runs).
        os.sched_setaffinity(srv.proc.pid, one_cpu())
        os.setpriority(os.PRIO_PROCESS, srv.proc.pid, -10)
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-many-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def setUp(self):
        self.local = tempfile.mkdtemp(dir=self.tmp)
        self.remote = self.id().rsplit(".", 1)[-1]
        self.server.mkdir(self.remote)

    def run_pinned(self, cmd, cpu=None):
        cpu = cpu or one_cpu()
        t0 = time.monotonic()
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                           preexec_fn=lambda: os.sched_setaffinity(0, cpu), cwd=self.local)
        elapsed = time.monotonic() - t0
        if r.returncode != 0:
            self.fail("%s exited %d: %s%s" % (cmd[0], r.returncode,
                      r.stderr.decode("utf-8", "replace")[-2000:], self._log()))
        return r, elapsed

    def write_local(self):
        for name, data in self.files.items():
            with open(os.path.join(self.local, name), "wb") as f:
                f.write(data)

    def assertRemote(self):
        for name, data in self.files.items():
            self.assertEqual(read_file(self.server.path(self.remote, name)), data, name)

    def assertLocal(self):
        for name, data in self.files.items():
            self.assertEqual(read_file(os.path.join(self.local, name)), data, name)

    def sessions(self, before):
        """Sessions ferryd started since its log was before (text)."""
        return self.server.log_text()[len(before):].count("session start:")

    def curl_uploads_many_files_in_one_session(self, options=()):
        """curl -T of the files in one session; returns its run."""
        self.write_local()
        log = self.server.log_text()
        r, elapsed = self.run_pinned(
            [config.CURL, "-sS", "--max-time", "100"] + list(options) +
            ["-T", "{%s}" % ",".join(sorted(self.files)), self.server.url("/%s/" % self.remote)])
        self.assertRemote()
        self.assertEqual(self.sessions(log), 1)
        self.assertLess(elapsed, BOUND, "%d uploads took %.1f s" % (COUNT, elapsed))
        return r


class ManyFilesTest(ManyFilesBase):

    def test_curl_uploads_many_files_in_one_session(self):
        self.curl_uploads_many_files_in_one_session()

    def test_curl_config_downloads_many_files_in_one_session(self):
        cfg = os.path.join(self.local, "urls.curl")
        with open(cfg, "w") as f:
            for name in sorted(self.files):
                f.write('url = "%s"\noutput = "%s"\n'
                        % (self.server.url("/down/" + name), os.path.join(self.local, name)))
        log = self.server.log_text()
        r, elapsed = self.run_pinned([config.CURL, "-sS", "--max-time", "100", "-K", cfg])
        self.assertLocal()
        self.assertEqual(self.sessions(log), 1)
        self.assertLess(elapsed, BOUND, "%d downloads took %.1f s" % (COUNT, elapsed))

    def test_curl_on_another_cpu_downloads_many_files(self):
        """The client on another CPU than the server: ferryd answers EPSV
        without yielding its CPU (the client is not waiting for it), and
        a client seen to stall once is paused for: the files still take
        seconds, not one per file."""
        cpu = other_cpu()
        if cpu is None:
            self.skipTest("one CPU only")
        cfg = os.path.join(self.local, "urls.curl")
        with open(cfg, "w") as f:
            for name in sorted(self.files):
                f.write('url = "%s"\noutput = "%s"\n'
                        % (self.server.url("/down/" + name), os.path.join(self.local, name)))
        r, elapsed = self.run_pinned([config.CURL, "-sS", "--max-time", "100", "-K", cfg], cpu)
        self.assertLocal()
        self.assertLess(elapsed, BOUND, "%d downloads took %.1f s" % (COUNT, elapsed))

    def lftp(self, script):
        return self.run_pinned(
            [config.LFTP, "-c", "set cmd:fail-exit yes; set net:max-retries 1; "
             "set net:timeout 10; set xfer:clobber on; set ftp:passive-mode yes; "
             "open %s; %s" % (self.server.url("/"), script)])

    def test_lftp_mput_and_mget(self):
        self.write_local()
        r, elapsed = self.lftp("cd %s; mput f*.bin" % self.remote)
        self.assertRemote()
        self.assertLess(elapsed, BOUND, "mput of %d files took %.1f s" % (COUNT, elapsed))
        for name in self.files:
            os.unlink(os.path.join(self.local, name))
        r, elapsed = self.lftp("cd down; mget f*.bin")
        self.assertLocal()
        self.assertLess(elapsed, BOUND, "mget of %d files took %.1f s" % (COUNT, elapsed))


class PasvPortsManyFilesTest(ManyFilesBase):
    """The same with --pasv-ports: fewer ports than files, so one session
    listens on each port again and again."""

    lo = random.Random(os.getpid()).randrange(42000, 58000)
    server_args = ["--anonymous=rw", "--pasv-ports", "%d-%d" % (lo, lo + COUNT // 2 - 1)]

    def test_curl_uploads_many_files_in_one_session(self):
        r = self.curl_uploads_many_files_in_one_session(["-v"])
        ports = [int(p) for p in re.findall(rb"< 229 .*\(\|\|\|(\d+)\|\)", r.stderr)]
        self.assertEqual(len(ports), COUNT, r.stderr[-2000:])
        self.assertEqual([p for p in ports if not self.lo <= p < self.lo + COUNT // 2], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
