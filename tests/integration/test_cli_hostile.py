"""ferry's command line against servers that break the protocol or the
connection the ways servers in the wild do: a control connection that
takes commands a little at a time, replies that come a byte at a time,
connections closed in the middle of a reply or a transfer, data
connections that stall or never come, and replies in odd shapes. Each
test runs `ferry -c` as a user would against a slowftp stand-in and
checks the exit status, the one `ferry: ` line on stderr, and what is on
disk."""

import ctypes
import os
import subprocess
import unittest

import clitest
import ftptest
import slowftp
from clitest import BROKEN

CLONE_NEWNET = 0x40000000


class SmallBuffers:
    """A network namespace whose TCP buffers are as small as the kernel
    allows (4 KiB each way), as on a slow real link: a client's write
    blocks after a few KiB, and each wake-up lets out a little. Servers
    are started in it with start(); ferry is run in it with argv()."""

    def __init__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--net", "sh", "-c",
             "ip link set lo up && sysctl -qw net.ipv4.tcp_wmem='4096 4096 4096' "
             "net.ipv4.tcp_rmem='4096 4096 4096' && echo ready && exec sleep 600"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.holder.stdout.readline()
        if line != b"ready\n":
            self.close()
            raise unittest.SkipTest("no network namespace: %r" % self.holder.stderr.read())
        self.path = "/proc/%d/ns/net" % self.holder.pid

    def start(self, srv):
        """Starts srv (a slowftp.SlowFtp) with its sockets in the namespace:
        setns(2) changes the calling thread only, so a thread of its own
        enters it and makes the listener."""
        libc = ctypes.CDLL(None, use_errno=True)
        errors = []

        def enter_and_start():
            fd = os.open(self.path, os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    errors.append(os.strerror(ctypes.get_errno()))
                    return
                srv.start()
            finally:
                os.close(fd)

        t = __import__("threading").Thread(target=enter_and_start)
        t.start()
        t.join()
        if errors:
            raise unittest.SkipTest("setns: %s" % errors[0])
        return srv

    def argv(self, cmd):
        return ["nsenter", "--net=" + self.path] + list(cmd)

    def close(self):
        self.holder.kill()
        self.holder.wait()
        for f in (self.holder.stdout, self.holder.stderr):
            f.close()


class HostileTest(clitest.CliBase, ftptest.TestCase):
    PEER = "ferryd"

    def slow(self, **faults):
        srv = slowftp.SlowFtp(**faults).start()
        self.addCleanup(srv.stop)
        return srv

    def ferry_at(self, srv, script, timeout="1.5", *more):
        return self.run_cmd([clitest.FERRY, "--tls=off", "--timeout", timeout] + list(more)
                            + ["-c", script, srv.url("/")])

    def assertTimedOut(self, r, what, limit):
        """r ended as broken (7) with one line naming the time-out, within
        limit seconds."""
        self.check(r, BROKEN, what)
        self.assertIn("timed out", r.err, r)
        self.assertLess(r.elapsed, limit, "%s took %.2fs\n%s" % (what, r.elapsed, r))

    # -- the control connection --

    def test_command_write_has_one_deadline(self):
        """A server that reads the control connection a little at a time
        (256 bytes every quarter second, over the smallest buffers) while
        it answers every command ahead: each wait for room to write is
        about 2.3 s, shorter than --timeout 3.5, but a 4 KiB command takes
        twice that to go out. The time-out is for the whole command, and
        a command the server does not take in time is not sent again on
        a new connection: ferry ends as broken (7) with one line, long
        before the script could drain (300 such commands take over 20
        minutes at that pace)."""
        ns = SmallBuffers()
        self.addCleanup(ns.close)
        srv = ns.start(slowftp.SlowFtp(sip=(256, 0.25)))
        self.addCleanup(srv.stop)
        script = os.path.join(self.tmp, "long.script")
        with open(script, "w") as f:
            f.write("quote NOOP\n" + ("quote NOOP %s\n" % ("x" * 4000)) * 300)
        r = self.run_cmd(ns.argv([clitest.FERRY, "--tls=off", "--timeout", "3.5", "-b", script,
                                  srv.url("/")]))
        self.assertTimedOut(r, "a server that reads commands slowly", 12.0)
        self.assertRegex(r.err, r"^ferry: quote NOOP x+\.\.\.: sending NOOP: ", r)
        with srv.lock:
            logins = [l for l in srv.log if l.startswith("USER")]
        self.assertEqual(len(logins), 1, "logged in again: %r" % logins)

if __name__ == "__main__":
    unittest.main()
