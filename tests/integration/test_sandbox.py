"""ferryd's session sandbox as the kernel reports it: a session process has
no_new_privs and a seccomp filter (mode 2), and no capability in any set,
the bounding set included; the listener has no filter and no capability;
--no-sandbox turns the filter off. A session that dies of SIGSYS (what
the filter does to a forbidden system call; the call itself is tested in
tests/unit/check_sandbox) is logged, and the listener and the other
sessions carry on. Every other integration test runs with the sandbox
on, which is the default."""

import os
import shutil
import signal
import unittest

import ftptest
from ftptest import Control


def status_fields(pid):
    """/proc/PID/status as a dict."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def session_pid(server, before):
    """The pid of the one session started since `before` (a set of pids)."""
    pids = ftptest.wait_until(lambda: [p for p, _ in server.session_pids() if p not in before])
    if len(pids) != 1:
        raise AssertionError("expected one new session, found %r" % pids)
    return pids[0]


class SandboxTest(ftptest.TestCase):

    def start(self, args=()):
        self.server = ftptest.Server(["--anonymous=rw"] + list(args))
        self.addCleanup(self.server.cleanup)
        self.server.write("a.txt", b"sandboxed\n")
        return self.server.start()

    def open_session(self):
        before = {p for p, _ in self.server.session_pids()}
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        return c, session_pid(self.server, before)

    def test_session_is_locked_down(self):
        self.start()
        c, pid = self.open_session()
        st = status_fields(pid)
        self.assertEqual(st["Seccomp"], "2", st)
        self.assertEqual(st["NoNewPrivs"], "1", st)
        for key in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(int(st[key], 16), 0, key)
        if os.geteuid() == 0:
            self.assertEqual(int(st["CapBnd"], 16), 0, "bounding set left")
        # The session works as usual under its filter.
        data = c.open_epsv()
        self.assertCode(c.cmd("RETR a.txt"), 150)
        self.assertEqual(ftptest.recv_all(data), b"sandboxed\n")
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("MKD made"), 257)
        self.assertTrue(os.path.isdir(self.server.path("made")))

    def test_listener_has_no_filter_and_no_capabilities(self):
        srv = self.start()
        st = status_fields(srv.proc.pid)
        self.assertEqual(st["Seccomp"], "0")
        self.assertEqual(int(st["CapEff"], 16), 0)
        if os.geteuid() == 0:
            self.assertEqual(int(st["CapBnd"], 16), 0)

    def test_no_sandbox_option(self):
        self.start(["--no-sandbox"])
        c, pid = self.open_session()
        st = status_fields(pid)
        self.assertEqual(st["Seccomp"], "0")
        self.assertEqual(st["NoNewPrivs"], "0")
        self.assertCode(c.cmd("PWD"), 257)

    def test_session_killed_by_sigsys_leaves_the_server_running(self):
        srv = ftptest.Server(["--anonymous=rw"])
        clients = []
        try:
            srv.start()
            self.server = srv
            other, _ = self.open_session()
            victim, pid = self.open_session()
            clients += [other, victim]
            os.kill(pid, signal.SIGSYS)
            self.assertEqual(victim.wait_closed(timeout=10), [])
            self.assertTrue(srv.wait_log(r"session process %d killed by signal %d"
                                         % (pid, signal.SIGSYS)), self._log())
            self.assertTrue(srv.running())
            self.assertCode(other.cmd("NOOP"), 200)
            fresh, _ = self.open_session()
            clients.append(fresh)
            self.assertCode(fresh.cmd("PWD"), 257)
        finally:
            for c in clients:
                c.close()
            # Not cleanup(): it fails on the "killed by signal" line this
            # test caused on purpose.
            srv.stop()
            shutil.rmtree(srv.base, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
