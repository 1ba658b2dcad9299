"""ferryd's session sandbox as the kernel reports it: a session process has
no_new_privs and a seccomp filter (mode 2), and no capability in any set,
the bounding set included; the listener has no filter and no capability;
--no-sandbox turns the filter off. A session that dies of SIGSYS (what
the filter does to a forbidden system call; the call itself is tested in
tests/unit/check_sandbox) is logged, and the listener and the other
sessions carry on. Every other integration test runs with the sandbox
on, which is the default.

A client cannot make a session call anything outside its allow-list (that
would take a bug), so InjectedCallTest makes a live, logged-in session
process run one from outside, the way a debugger would: it stops the
process with ptrace where it waits in read(2), points it back at that
system call instruction with another call number, and lets it go. The
session runs with the very filter ferryd installed for it; ferryd has no
test hook for this."""

import ctypes
import errno
import os
import platform
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unittest

import config
import ftptest
from ftptest import Control, session_pid, status_fields

LIMITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "syscall_limits.py")


def assert_only_session_killed(t, other, victim, pid):
    """Test t's session pid (client victim) died of SIGSYS, logged; the
    listener and another session (other) go on, and a new session works.
    Returns the new session's client."""
    srv = t.server
    t.assertEqual(victim.wait_closed(timeout=10), [])
    t.assertTrue(srv.wait_log(r"session process %d killed by signal %d"
                              % (pid, signal.SIGSYS)), srv.log_tail())
    t.assertTrue(srv.running())
    t.assertCode(other.cmd("NOOP"), 200)
    fresh, _ = t.open_session()
    t.assertCode(fresh.cmd("PWD"), 257)
    return fresh


# ptrace(2) requests and the x86-64 register set (struct user_regs_struct).
PTRACE_PEEKTEXT, PTRACE_GETREGS, PTRACE_SETREGS = 1, 12, 13
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
WALL = 0x40000000
NR_READ, NR_EXECVE = 0, 59


class Regs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_ulonglong) for n in (
        "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax "
        "rip cs eflags rsp ss fs_base gs_base ds es fs gs").split()]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


def _ptrace(req, pid, addr=None, data=None):
    ctypes.set_errno(0)
    r = _libc.ptrace(req, pid, addr, data)
    e = ctypes.get_errno()
    if r == -1 and e != 0:
        raise OSError(e, "ptrace(%d, %d): %s" % (req, pid, os.strerror(e)))
    return r


def inject_syscall(pid, nr, args):
    """Makes process pid, waiting in read(2), run system call nr with args
    (None: read's own) in its place when it goes on: ptrace attach,
    registers, detach. Raises PermissionError if this process may not
    trace it."""
    # Until it waits in read(2) (it may still be returning from the
    # reply's send); nothing arrives for it meanwhile.
    def in_read():
        with open("/proc/%d/syscall" % pid) as f:
            return f.read().split()[0] == str(NR_READ)
    if not ftptest.wait_until(in_read, timeout=10):
        raise AssertionError("session %d never waited in read(2)" % pid)
    _ptrace(PTRACE_ATTACH, pid)
    try:
        _, status = os.waitpid(pid, WALL)
        if not os.WIFSTOPPED(status):
            raise AssertionError("session did not stop: status %#x" % status)
        regs = Regs()
        _ptrace(PTRACE_GETREGS, pid, None, ctypes.byref(regs))
        # It waits in read(2): rip is just past the syscall instruction.
        word = _ptrace(PTRACE_PEEKTEXT, pid, ctypes.c_void_p(regs.rip - 2)) & 0xFFFF
        if struct.pack("<H", word) != b"\x0f\x05" or regs.orig_rax != NR_READ:
            raise AssertionError("session not in read(2): rip %#x, call %d"
                                 % (regs.rip, regs.orig_rax))
        regs.rip -= 2
        regs.rax = nr
        regs.orig_rax = (1 << 64) - 1   # no restart of the interrupted call
        if args is not None:
            regs.rdi, regs.rsi, regs.rdx = args
        _ptrace(PTRACE_SETREGS, pid, None, ctypes.byref(regs))
    finally:
        _ptrace(PTRACE_DETACH, pid, None, None)


@unittest.skipUnless(platform.machine() == "x86_64", "register layout of x86-64 only")
class InjectedCallTest(ftptest.TestCase):
    """A forbidden system call (execve) in a live session kills that session
    with SIGSYS, logged as such; the listener and another session go on.
    Without the sandbox the same call fails and the session ends on its
    own; the call the session was making, run again the same way, leaves
    it working (so the injection itself kills nothing)."""

    def serve(self, args=()):
        srv = ftptest.Server(["--anonymous=rw"] + list(args))
        srv.tolerated.append(r"killed by signal %d" % signal.SIGSYS)
        self.addCleanup(srv.cleanup)
        srv.start()
        self.server = srv
        return srv

    def open_session(self):
        before = {p for p, _ in self.server.session_pids()}
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("NOOP"), 200)
        return c, session_pid(self.server, before)

    def inject(self, pid, nr, args=(0, 0, 0)):
        """inject_syscall; a user who may not trace sessions (a Yama
        ptrace_scope above 1) cannot run these tests."""
        try:
            inject_syscall(pid, nr, args)
        except PermissionError:
            if os.geteuid() == 0:
                raise
            self.skipTest("this user may not ptrace ferryd's sessions")

    def test_forbidden_call_kills_the_session_only(self):
        srv = self.serve()
        other, _ = self.open_session()
        victim, pid = self.open_session()
        self.inject(pid, NR_EXECVE)
        assert_only_session_killed(self, other, victim, pid)

    def test_same_call_without_sandbox_is_not_killed(self):
        srv = self.serve(["--no-sandbox"])
        victim, pid = self.open_session()
        self.inject(pid, NR_EXECVE)
        self.assertEqual(victim.wait_closed(timeout=10), [])
        self.assertTrue(srv.wait_log(r"session end: .*result=connection lost"), srv.log_tail())
        self.assertIsNone(srv.wait_log(r"killed by signal", timeout=0.5), srv.log_tail())

    def test_allowed_call_injected_leaves_the_session_working(self):
        self.serve()
        c, pid = self.open_session()
        self.inject(pid, NR_READ, None)
        self.assertCode(c.cmd("PWD"), 257)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertIsNone(self.server.wait_log(r"killed by signal", timeout=0.5))


class FilterCompileTest(ftptest.TestCase):
    """The listener compiles the session filter once, before it serves
    anybody (libseccomp calls seccomp(2) for that). Where a filter above
    ferryd kills seccomp(2), ferryd does not start, and says why, rather
    than start and lose every session; --no-sandbox is the way round."""

    def test_no_start_without_seccomp(self):
        root = tempfile.mkdtemp(prefix="ferryd-test-")
        self.addCleanup(shutil.rmtree, root, True)
        os.chmod(root, 0o755)
        p = subprocess.run([sys.executable, LIMITS, "--no-seccomp", "--", config.FERRYD,
                            "-l", ftptest.HOST + ":0", "-r", root, "--anonymous=rw"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr.decode(), r"session sandbox: compiling the filter: killed by "
                         r"SIGSYS \(is seccomp\(2\) allowed\?\)")

    def test_no_sandbox_starts_without_seccomp(self):
        self.server = ftptest.Server(["--anonymous=rw", "--no-sandbox"],
                                     wrapper=[sys.executable, LIMITS, "--no-seccomp", "--"])
        self.addCleanup(self.server.cleanup)
        self.server.start()
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("PWD"), 257)


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
        self.assertCode(c.cmd("TYPE I"), 200)
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
        # Still no capability and not root: the kernel refuses the session
        # what it refuses a sandboxed one (another account's file in a
        # sticky folder, say), and ferryd's checks tell the same.
        for key in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(int(st[key], 16), 0, key)
        if os.geteuid() == 0:
            self.assertNotEqual(st["Uid"].split()[0], "0")
        self.assertCode(c.cmd("PWD"), 257)

    def test_session_dying_of_sigsys_leaves_the_server_running(self):
        """The listener's side of a session that dies of SIGSYS, here
        sent with kill(2): it logs the signal and serves on, on any
        machine. That the filter itself raises SIGSYS for a forbidden
        call is InjectedCallTest's (x86-64) and check_sandbox's part."""
        srv = ftptest.Server(["--anonymous=rw"])
        clients = []
        try:
            srv.start()
            self.server = srv
            other, _ = self.open_session()
            victim, pid = self.open_session()
            clients += [other, victim]
            os.kill(pid, signal.SIGSYS)
            clients.append(assert_only_session_killed(self, other, victim, pid))
        finally:
            for c in clients:
                c.close()
            # Not cleanup(): it fails on the "killed by signal" line this
            # test caused on purpose.
            srv.stop()
            shutil.rmtree(srv.base, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
