"""The several-nodes deployment of contrib/haproxy: HAProxy in TCP mode
with send-proxy-v2 in front of two ferryd nodes (127.0.0.2 and 127.0.0.3)
that serve one shared root, run from the shipped haproxy.cfg with its
example addresses swapped for loopback ones. Many logins through HAProxy
reach both nodes, which see the client's address, not HAProxy's; an
upload through one node is downloaded through the other; one node is
killed in the middle of an upload: new sessions go to the survivor,
sessions already there carry on, and the cut upload left nothing in the
shared root."""

import io
import os
import re
import signal
import socket
import subprocess
import time
import unittest

import config

import ftptest
from ftptest import Control

FRONT = "127.0.0.1"       # HAProxy: where clients connect
CLIENT = "127.0.0.1"      # the test's own address as a client
SOURCE = "127.0.0.9"      # HAProxy's address towards the nodes
NODES = ("127.0.0.2", "127.0.0.3")
RANGE = 8                 # passive ports per node
CFG = os.path.join(config.SRCDIR, "contrib", "haproxy", "haproxy.cfg")


def free_ports(count):
    """A run of count ports below the ephemeral range that every address
    used here can bind now; returns the first."""
    rnd = ftptest.random.Random()
    for _ in range(200):
        base = rnd.randrange(20000, 32000 - count)
        ok = True
        for port in range(base, base + count):
            for host in (FRONT,) + NODES:
                s = socket.socket()
                try:
                    s.bind((host, port))
                except OSError:
                    ok = False
                finally:
                    s.close()
                if not ok:
                    break
            if not ok:
                break
        if ok:
            return base
    raise AssertionError("no free run of %d ports" % count)


def loopback_config(front_port, node_ports, ranges):
    """contrib/haproxy/haproxy.cfg with loopback addresses and these ports.
    Every example value must be found, so the test follows the file."""
    with open(CFG) as f:
        text = f.read()
    swaps = [
        ("192.0.2.10:21", "%s:%d" % (FRONT, front_port)),
        ("10.0.0.11:21", "%s:%d" % (NODES[0], node_ports[0])),
        ("10.0.0.12:21", "%s:%d" % (NODES[1], node_ports[1])),
        ("192.0.2.10:50000-50099", "%s:%d-%d" % (FRONT, ranges[0], ranges[0] + RANGE - 1)),
        ("192.0.2.10:50100-50199", "%s:%d-%d" % (FRONT, ranges[1], ranges[1] + RANGE - 1)),
        ("server node1 10.0.0.11 ", "server node1 %s " % NODES[0]),
        ("server node2 10.0.0.12 ", "server node2 %s " % NODES[1]),
        # Checks every 200 ms instead of 2 s keep the test short.
        ("inter 2s", "inter 200ms"),
    ]
    for old, new in swaps:
        if old not in text:
            raise AssertionError("%s no longer contains %r" % (CFG, old))
        text = text.replace(old, new)
    out = []
    for line in text.splitlines():
        if line.strip().startswith("log "):
            continue              # no syslog socket in a test
        out.append(line)
        # On loopback HAProxy's address would be the client's own: give it
        # another one, so the nodes can tell the proxy from the client.
        if line.startswith("backend "):
            out.append("    source %s" % SOURCE)
    return "\n".join(out) + "\n"


class HaproxyTest(ftptest.TestCase):

    def setUp(self):
        ftptest.require_program(config.HAPROXY, "haproxy")
        base = free_ports(2 * RANGE + 1)
        self.front_port = base
        self.ranges = (base + 1, base + 1 + RANGE)
        self.nodes = []
        shared = None
        for i, host in enumerate(NODES):
            srv = ftptest.Server(["--anonymous=rw", "--proxy-protocol", "--proxy-from", SOURCE,
                                  "--pasv-address", FRONT, "--pasv-ports",
                                  "%d-%d" % (self.ranges[i], self.ranges[i] + RANGE - 1)]
                                 + (["-r", shared] if shared else []),
                                 listen="%s:0" % host)
            srv.host = host
            if shared is None:
                shared = srv.root
                srv.write("hello.txt", b"hello from the shared root\n")
            self.addCleanup(srv.cleanup)
            srv.start()
            self.nodes.append(srv)
        self.shared = shared
        self.server = self.nodes[0]
        cfg = os.path.join(self.nodes[0].base, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(loopback_config(self.front_port, [n.port for n in self.nodes], self.ranges))
        check = subprocess.run([config.HAPROXY, "-c", "-q", "-f", cfg], capture_output=True,
                               text=True, timeout=20)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.hlog = open(os.path.join(self.nodes[0].base, "haproxy.log"), "wb")
        self.addCleanup(self.hlog.close)
        self.haproxy = subprocess.Popen([config.HAPROXY, "-db", "-f", cfg],
                                        stdin=subprocess.DEVNULL, stdout=self.hlog,
                                        stderr=self.hlog)
        self.addCleanup(self.stop_haproxy)
        up = ftptest.wait_until(self.greets, timeout=10)
        self.assertTrue(up, "HAProxy did not relay a greeting")

    def stop_haproxy(self):
        if self.haproxy.poll() is None:
            self.haproxy.send_signal(signal.SIGTERM)
            try:
                self.haproxy.wait(5)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
                self.haproxy.wait(5)

    def greets(self):
        try:
            c = Control(host=FRONT, port=self.front_port, timeout=2)
        except (OSError, ftptest.ConnectionClosed, AssertionError):
            return False
        ok = c.greeting.code == 220
        c.close()
        return ok

    def session(self):
        """A logged-in control connection through HAProxy, in binary mode,
        and the index of the node serving it (told by its EPSV port)."""
        c = Control(host=FRONT, port=self.front_port)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        port = c.epsv()
        node = [i for i, lo in enumerate(self.ranges) if lo <= port < lo + RANGE]
        self.assertEqual(len(node), 1, "EPSV port %d in no node's range" % port)
        c.pending_port = port
        return c, node[0]

    def session_on(self, want, tries=12):
        for _ in range(tries):
            c, node = self.session()
            if node == want:
                return c
            c.cmd("QUIT")
            c.close()
        self.fail("no session reached node %d in %d logins" % (want + 1, tries))

    def transfer(self, c, cmd, data=None):
        """STOR (data given) or RETR over the EPSV port c already holds,
        through HAProxy's data frontend; returns the bytes read."""
        d = ftptest.data_connect(FRONT, c.pending_port)
        self.assertCode(c.cmd(cmd), 150)
        got = b""
        if data is not None:
            d.sendall(data)
            d.close()
        else:
            got = ftptest.recv_all(d)
            d.close()
        self.assertCode(c.reply(), 226)
        return got

    def test_two_nodes_one_root(self):
        # Many logins: both nodes serve, and see the client, not HAProxy.
        seen = [0, 0]
        for _ in range(16):
            c, node = self.session()
            seen[node] += 1
            c.cmd("QUIT")
            c.close()
        self.assertGreater(seen[0], 0, seen)
        self.assertGreater(seen[1], 0, seen)
        for i, srv in enumerate(self.nodes):
            logins = re.findall(r"login: peer=(\S+):\d+ user=anonymous", srv.log_text())
            self.assertEqual(len(logins), seen[i])
            self.assertEqual(set(logins), {CLIENT})
            self.assertTrue(re.search(r"session start: peer=127\.0\.0\.1:\d+ via=127\.0\.0\.9:",
                                      srv.log_text()))

        # PASV announces HAProxy's address; an upload through node 1 is
        # downloaded through node 2, byte for byte.
        data = ftptest.random_bytes(3 << 20, seed=11)
        c1 = self.session_on(0)
        self.addCleanup(c1.close)
        r = c1.expect("PASV", 227)
        self.assertIn("(127,0,0,1,", r.text)
        c1.pending_port = c1.epsv()
        self.transfer(c1, "STOR shared file.bin", data)
        c2 = self.session_on(1)
        self.addCleanup(c2.close)
        self.assertEqual(self.transfer(c2, "RETR shared file.bin"), data)
        self.assertEqual(ftptest.read_file(os.path.join(self.shared, "shared file.bin")), data)

        # Kill node 1 during an upload through it.
        c3 = self.session_on(0)
        self.addCleanup(c3.close)
        d = ftptest.data_connect(FRONT, c3.pending_port)
        self.addCleanup(d.close)
        self.assertCode(c3.cmd("STOR half.bin"), 150)
        d.sendall(ftptest.random_bytes(1 << 20, seed=12))
        victim = self.nodes[0]
        sessions = victim.session_pids()
        pids = [victim.proc.pid] + [p for p, _ in sessions]

        def writing():
            """The node's session holds the upload's unnamed temporary
            file open: the upload is under way."""
            for pid in pids[1:]:
                try:
                    for fd in os.listdir("/proc/%d/fd" % pid):
                        link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                        if link.startswith(self.shared + "/") and os.path.exists(
                                "/proc/%d/fd/%s" % (pid, fd)):
                            if os.stat("/proc/%d/fd/%s" % (pid, fd)).st_size > 0:
                                return link
                except OSError:
                    pass
            return None
        self.assertTrue(ftptest.wait_until(writing), "no upload under way on node 1")
        os.kill(victim.proc.pid, signal.SIGKILL)
        for pid, start in sessions:
            # A session this test ended with QUIT (session_on) may have
            # been leaving when the list was taken: gone now, or its PID
            # another process's (other start time).
            ftptest.kill_same(pid, start)
        victim.proc.wait(5)
        with self.assertRaises((ftptest.ConnectionClosed, OSError)):
            c3.reply(timeout=5)
        # New sessions all go to the survivor, at once; its running session
        # (c2) carries on.
        t0 = time.monotonic()
        for _ in range(8):
            c, node = self.session()
            self.assertEqual(node, 1)
            c.cmd("QUIT")
            c.close()
        self.assertLess(time.monotonic() - t0, 8)
        c2.pending_port = c2.epsv()
        self.assertEqual(self.transfer(c2, "RETR hello.txt"), b"hello from the shared root\n")
        # Nothing of the cut upload is left, not even a hidden temporary.
        self.assertEqual(sorted(os.listdir(self.shared)), ["hello.txt", "shared file.bin"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
