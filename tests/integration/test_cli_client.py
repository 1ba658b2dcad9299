"""ferry's command line where the server's kind does not matter: bounds
on waiting (name lookups, silent servers, stalled transfers), against
ferryd or against stand-ins that misbehave on purpose. The set every
peer runs is in clitest.py."""

import os
import pty
import random
import re
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import clitest
import config
import slowftp
import ftptest
import peers
import tuitest
from ftptest import read_file, write_file
from clitest import OK, CONNECT, BROKEN, NOT_CONFIRMED


class SilentResolver:
    """A DNS server on a loopback address that reads queries and never
    answers, counting them."""

    def __init__(self):
        self.sock = None
        for _ in range(20):
            addr = "127.53.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind((addr, 53))
            except OSError:
                s.close()
                continue
            self.sock, self.addr = s, addr
            break
        if self.sock is None:
            raise AssertionError("no loopback address free for a DNS port")
        self.sock.settimeout(0.2)
        self.queries = 0
        self.closed = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self.closed.is_set():
            try:
                self.sock.recvfrom(4096)
                self.queries += 1
            except socket.timeout:
                continue
            except OSError:
                return

    def close(self):
        self.closed.set()
        self.sock.close()


class FullListener:
    """A loopback listener whose accept queue is full and never read: a
    connect to it gets no answer to its SYN and waits."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((ftptest.HOST, 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(8):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            self.fillers.append(c)
            c.connect_ex((ftptest.HOST, self.port))
            _, w, _ = select.select([], [c], [], 0.5)
            if not w:
                return      # this one waits: the queue is full
        self.close()
        raise AssertionError("the listener's accept queue never filled")

    def close(self):
        for c in self.fillers:
            c.close()
        self.sock.close()


class DeafServer:
    """A server that stops reading after the first NOOP and from then on
    sends "200 ok" every 2 ms without reading: a script of long commands
    fills the buffers, and the client's write blocks."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind((ftptest.HOST, 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.closed = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        replies = {b"USER": b"230 ok", b"PWD": b'257 "/"', b"FEAT": b"211 end"}
        try:
            c.settimeout(10)
            c.sendall(b"220 deaf\r\n")
            buf = b""
            while b"NOOP" not in buf and not self.closed.is_set():
                data = c.recv(4096)
                if not data:
                    return
                buf += data
                while b"\r\n" in buf and b"NOOP" not in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    c.sendall(replies.get(line.split(b" ")[0].upper(), b"200 ok") + b"\r\n")
            deadline = time.monotonic() + 60
            while not self.closed.wait(0.002) and time.monotonic() < deadline:
                c.sendall(b"200 ok\r\n")
        except OSError:
            return
        finally:
            c.close()

    def close(self):
        self.closed.set()
        self.sock.close()


class ClientTest(clitest.CliBase, ftptest.TestCase):
    PEER = "ferryd"

    def test_lookup_bounded_by_timeout(self):
        """A resolver that never answers cannot hold ferry past --timeout:
        ferry runs in a mount namespace whose /etc/resolv.conf names a
        silent resolver with timeouts adding up to minutes."""
        resolver = SilentResolver()
        self.addCleanup(resolver.close)
        conf = os.path.join(self.tmp, "resolv.conf")
        with open(conf, "w") as f:
            f.write("nameserver %s\noptions timeout:30 attempts:4\n" % resolver.addr)
        cmd = ["unshare", "--mount", "sh", "-c",
               'mount --bind "$0" /etc/resolv.conf && exec "$@"', conf,
               clitest.FERRY, "--timeout", "2", "-c", "pwd", "ftp://ferry-test.invalid:2121/"]
        r = self.run_cmd(cmd)
        self.check(r, CONNECT, "a lookup the resolver never answers")
        self.assertIn("ferry-test.invalid", r.err, r)
        self.assertLess(r.elapsed, 10.0, "--timeout 2 took %.1fs\n%s" % (r.elapsed, r))
        self.assertGreater(resolver.queries, 0, "the lookup never reached the resolver\n%s" % r)

    def test_greeting_host_sanitised(self):
        """At the prompt, the "Connected to" line shows the host as typed
        with its control characters made harmless, as every other line
        is: here a C1 CSI (U+009B, which the address accepts) in a name
        that an /etc/hosts of ferry's own mount namespace resolves."""
        srv = slowftp.SlowFtp().start()
        self.addCleanup(srv.stop)
        host = b"\xc2\x9b31mevil"
        hosts = os.path.join(self.tmp, "hosts")
        with open(hosts, "wb") as f:
            f.write(b"127.0.0.1 localhost\n127.0.0.1 " + host + b"\n")
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        cmd = [b"unshare", b"--mount", b"sh", b"-c",
               b'mount --bind "$0" /etc/hosts && exec "$@"', os.fsencode(hosts),
               os.fsencode(clitest.FERRY), b"--tls=off", b"--timeout", b"10", b"-p",
               b"ftp://%s:%d/" % (host, srv.port)]
        try:
            p = subprocess.Popen(cmd, cwd=self.ldir, env=self.env(), stdin=slave,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        finally:
            os.close(slave)
        os.write(master, b"bye\n")
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("ferry still running after 20s; killed\n%r\n%r" % (out, err))
        self.assertEqual(p.returncode, OK, (out, err))
        self.assertIn(b"Connected to ??31mevil.\n", out, (out, err))
        self.assertNotIn(b"\x9b", out + err, (out, err))

    def test_password_question_sanitised(self):
        """The password question on the terminal names the user from the
        address with its control characters made harmless (here an
        escape sequence given as %1b in the URL)."""
        srv = slowftp.SlowFtp().start()
        self.addCleanup(srv.stop)
        pid, master, screen, read_until = self.prompt_on_pty(
            ["ferry", "--tls=off", "--timeout", "10", "-p",
             "ftp://%%1b%%5b2Jx@%s:%d/" % (slowftp.HOST, srv.port)])
        self.assertTrue(read_until(b"Password for ", 10), screen[0])
        self.assertTrue(read_until(b": ", 5), screen[0])
        os.write(master, b"pw\r")
        self.assertTrue(read_until(b"ferry> ", 10), screen[0])
        os.write(master, b"bye\r")
        _, status = waitpid_bounded(pid, 15)
        self.assertIn(b"Password for ?[2Jx@%s: " % slowftp.HOST.encode(), screen[0])
        self.assertNotIn(b"\x1b[2J", screen[0])
        with srv.lock:
            self.assertIn("USER \x1b[2Jx", srv.log)

    def test_sigint_during_lookup(self):
        """Ctrl-C while the name lookup waits on a resolver that never
        answers (--timeout 30) ends it at once: status 1, one line that
        says so, and the process that was looking is gone."""
        resolver = SilentResolver()
        self.addCleanup(resolver.close)
        conf = os.path.join(self.tmp, "resolv.conf")
        with open(conf, "w") as f:
            f.write("nameserver %s\noptions timeout:30 attempts:4\n" % resolver.addr)
        p, outp, errp = self.spawn(
            ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"',
             conf, clitest.FERRY, "--timeout", "30", "-c", "pwd",
             "ftp://ferry-test.invalid:2121/"])
        self.wait_moving(p, outp, errp, lambda: resolver.queries > 0, "a query at the resolver")
        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
            kids = [int(k) for k in f.read().split()]
        self.assertEqual(len(kids), 1, "no lookup process under ferry")
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT\n%s" % self.slow_run(p, outp, errp))
        took = time.monotonic() - t0
        r = self.slow_run(p, outp, errp)
        self.assert_interrupted(r, took, "SIGINT during the name lookup",
                                r"^ferry: .*interrupted while waiting for the name resolver\n$")
        self.assertTrue(ftptest.wait_until(lambda: not os.path.exists("/proc/%d" % kids[0]), 3,
                                           0.05), "the lookup process %d still runs" % kids[0])

    def test_timeout_silent_server(self):
        """A server that accepts the connection and never greets: --timeout
        bounds the wait (the default is 30 s), and the line says the
        greeting was awaited."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind((ftptest.HOST, 0))
        s.listen(4)
        port = s.getsockname()[1]
        r = self.ferry("--timeout", "1.5", script="pwd", cd=False,
                       url="ftp://%s:%d/" % (ftptest.HOST, port))
        self.check(r, CONNECT, "a server that never greets")
        self.assertLess(r.elapsed, 10.0, "--timeout 1.5 took %.1fs\n%s" % (r.elapsed, r))
        self.assertRegex(r.err, r"^ferry: open [^ ]+: waiting for the greeting: timed out\n$", r)

    def test_timeout_stalled_transfer(self):
        """A download whose data stops flowing ends as broken after
        --timeout seconds without progress, and leaves no file."""
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, outp, errp = self.slow("get big.bin", args=("--timeout", "2"))
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= clitest.STOP_AT,
                         "%d bytes through the proxy" % clitest.STOP_AT)
        proxy.pause()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            self.fail("ferry still waiting 20s after the data stopped, with --timeout 2")
        r = self.slow_run(p, outp, errp)
        self.check(r, BROKEN, "a transfer that stalled")
        self.assertNotIn("big.bin", os.listdir(self.ldir), r)

    def assert_interrupted(self, r, took, what, err_re, limit=2.0):
        """ferry ended as an interrupted run (status 1) with an error line
        matching err_re, less than limit seconds after the signal."""
        self.check(r, NOT_CONFIRMED, what)
        self.assertRegex(r.err, err_re, r)
        self.assertLess(took, limit, "ferry took %.2fs to end after SIGINT\n%s" % (took, r))

    def sigint_when(self, p, outp, errp, srv, verb):
        """Waits (bounded) until srv got a line starting with verb, then
        sends ferry SIGINT; returns (Run, seconds from the signal to the
        end of ferry). Fails if ferry ends first or runs on 10 s."""
        def seen():
            with srv.lock:
                return any(l.upper().startswith(verb) for l in srv.log)
        self.wait_moving(p, outp, errp, seen, "%s at the server" % verb)
        time.sleep(0.3)     # ferry is inside its wait now
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT\n%s"
                      % self.slow_run(p, outp, errp))
        return self.slow_run(p, outp, errp), time.monotonic() - t0

    def test_sigint_while_server_silent(self):
        """Ctrl-C while ferry waits for the reply to a command the server
        took and never answers (--timeout 30) ends the wait at once: the
        script stops with the status of an interrupted run (1) and one
        line that says so."""
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"a\n"}, delays={"CWD": 60}).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "cd d; mkdir x", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "CWD")
        self.assert_interrupted(r, took, "SIGINT while waiting for the reply to CWD",
                                r"^ferry: cd d: .*interrupted")
        with srv.lock:
            self.assertFalse([l for l in srv.log if l.startswith("MKD")], r)

    def test_sigint_while_greeting_awaited(self):
        """Ctrl-C while the server of the URL has not greeted yet: status
        1 at once, not the connect failure (3) after --timeout."""
        srv = slowftp.SlowFtp(silent=True).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-k",
                                    "-c", "pwd", srv.url("/")])
        time.sleep(1.0)
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT")
        took = time.monotonic() - t0
        r = self.slow_run(p, outp, errp)
        self.check(r, NOT_CONFIRMED, "SIGINT while waiting for the greeting")
        self.assertIn("interrupted", r.err, r)
        self.assertLess(took, 2.0, "ferry took %.2fs to end after SIGINT\n%s" % (took, r))

    def test_sigint_stalled_download(self):
        """Ctrl-C during a download from a server gone silent on both
        connections: ABOR goes out, its reply is not awaited long, the
        temporary file goes, and ferry ends with status 1."""
        data = ftptest.random_bytes(1 << 20, seed=71)
        srv = slowftp.SlowFtp(tree={"big.bin": data}, stall_after=64 << 10).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "get big.bin", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "RETR")
        self.assert_interrupted(r, took, "SIGINT during a stalled download",
                                r"^ferry: get big.bin: .*interrupted", 3.5)
        with srv.lock:
            self.assertTrue([l for l in srv.log if "ABOR" in l], "no ABOR: %r" % srv.log)
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_sigint_stalled_listing(self):
        """Ctrl-C while a listing's data never comes (the server said 150
        and went silent): ls stops at once with status 1."""
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"a\n"}, stall_after=0).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "ls d", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "MLSD")
        self.assert_interrupted(r, took, "SIGINT during a stalled listing",
                                r"^ferry: ls d: .*interrupted", 3.5)

    def prompt_on_pty(self, argv):
        """Starts ferry with argv on a pseudo-terminal in the local
        directory; returns (pid, master fd, screen, read_until): screen[0]
        holds what ferry wrote so far, read_until(text, seconds) reads on
        until text is among it (bounded) and says whether it is."""
        pid, master = pty.fork()
        if pid == 0:
            try:
                os.chdir(self.ldir)
                os.execve(clitest.FERRY, argv, self.env())
            finally:
                os._exit(127)
        self.addCleanup(os.close, master)
        self.addCleanup(reap_pid, pid)
        screen = [b""]

        def read_until(text, seconds):
            end = time.monotonic() + seconds
            while text not in screen[0] and time.monotonic() < end:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        screen[0] += os.read(master, 4096)
                    except OSError:
                        break
            return text in screen[0]
        return pid, master, screen, read_until

    def test_sigint_at_prompt_returns_to_it(self):
        """At the prompt (-p, on a terminal), Ctrl-C typed while a command
        waits for a silent server ends that command with a line saying
        so, and the prompt comes back: the next command works (on a new
        connection)."""
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"a\n"}, delays={"MKD": 60}).start()
        self.addCleanup(srv.stop)
        pid, master, screen, read_until = self.prompt_on_pty(
            ["ferry", "--tls=off", "--timeout", "30", "-p", srv.url("/")])

        self.assertTrue(read_until(b"ferry> ", 15), screen[0])
        os.write(master, b"mkdir x\r")
        self.assertTrue(ftptest.wait_until(lambda: any(l.startswith("MKD") for l in
                                                       list(srv.log)), 15, 0.01))
        time.sleep(0.3)
        t0 = time.monotonic()
        os.write(master, b"\x03")
        self.assertTrue(read_until(b"interrupted", 5), screen[0])
        self.assertLess(time.monotonic() - t0, 2.0, screen[0])
        self.assertTrue(read_until(b"interrupted while waiting for the server\r\nferry> ", 5),
                        screen[0])
        os.write(master, b"cd d\r")
        os.write(master, b"pwd\r")
        self.assertTrue(read_until(b"\r\n/d\r\n", 15), screen[0])
        os.write(master, b"bye\r")
        _, status = waitpid_bounded(pid, 15)
        self.assertEqual(os.waitstatus_to_exitcode(status), NOT_CONFIRMED, screen[0])

    def test_sigint_at_prompt_while_connecting(self):
        """At the prompt, Ctrl-C typed while open waits for a connect the
        server never answers ends it with a line saying so, and the
        prompt comes back: the next open works."""
        lst = FullListener()
        self.addCleanup(lst.close)
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"a\n"}).start()
        self.addCleanup(srv.stop)
        pid, master, screen, read_until = self.prompt_on_pty(
            ["ferry", "--tls=off", "--timeout", "30", "-p"])

        self.assertTrue(read_until(b"ferry> ", 15), screen[0])
        os.write(master, b"open ftp://%s:%d/\r" % (ftptest.HOST.encode(), lst.port))
        time.sleep(1.0)
        self.assertNotIn(b"interrupted", screen[0])
        t0 = time.monotonic()
        os.write(master, b"\x03")
        self.assertTrue(read_until(b"interrupted while waiting for the server\r\nferry> ", 5),
                        screen[0])
        self.assertLess(time.monotonic() - t0, 2.0, screen[0])
        os.write(master, b"open %s\r" % srv.url("/").encode())
        os.write(master, b"cd d\r")
        os.write(master, b"pwd\r")
        self.assertTrue(read_until(b"\r\n/d\r\n", 15), screen[0])
        os.write(master, b"bye\r")
        waitpid_bounded(pid, 15)

    def test_sigint_mirror_parallel(self):
        """Ctrl-C while mirror --parallel 2 waits on both connections for
        a server that never answers RETR: every connection stops at once,
        status 1."""
        tree = {"d/a.txt": b"a", "d/b.txt": b"b", "d/c.txt": b"c"}
        srv = slowftp.SlowFtp(tree=tree, delays={"RETR": 60}).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "mirror --parallel 2 d m", srv.url("/")])
        def both():
            with srv.lock:
                return len([l for l in srv.log if l.startswith("RETR")]) >= 2
        self.wait_moving(p, outp, errp, both, "two RETR at the server")
        r, took = self.sigint_when(p, outp, errp, srv, "RETR")
        self.assertEqual(r.code, NOT_CONFIRMED, r)
        self.assertIn("interrupted", r.err, r)
        self.assertLess(took, 2.5, "ferry took %.2fs to end after SIGINT\n%s" % (took, r))

    def test_sigint_active_mode_no_data_connection(self):
        """Ctrl-C in active mode while the server said 150 and never opens
        the data connection: the download stops at once with status 1."""
        srv = slowftp.SlowFtp(tree={"a.txt": b"a\n"}, eprt_silent=True).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--active", "--timeout",
                                    "30", "-c", "get a.txt", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "RETR")
        self.check(r, NOT_CONFIRMED, "SIGINT while the data connection is awaited")
        self.assertIn("interrupted", r.err, r)
        self.assertLess(took, 2.0, "ferry took %.2fs to end after SIGINT\n%s" % (took, r))
        self.assertEqual(os.listdir(self.ldir), [], r)

    def sigint_after(self, p, outp, errp, delay):
        """Sends ferry SIGINT after delay seconds; returns (Run, seconds
        from the signal to the end of ferry)."""
        time.sleep(delay)
        if p.poll() is not None:
            self.fail("ferry ended before SIGINT\n%s" % self.slow_run(p, outp, errp))
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after SIGINT")
        return self.slow_run(p, outp, errp), time.monotonic() - t0

    def test_sigint_while_connecting(self):
        """Ctrl-C while the connect to the server has no answer (its
        listener's queue is full): status 1 at once with one line, not
        the connect failure (3) after --timeout."""
        lst = FullListener()
        self.addCleanup(lst.close)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-k",
                                    "-c", "pwd", "ftp://%s:%d/" % (ftptest.HOST, lst.port)])
        r, took = self.sigint_after(p, outp, errp, 1.0)
        self.assert_interrupted(r, took, "SIGINT while connecting",
                                r"^ferry: .*interrupted while waiting for the server\n$")

    def test_sigint_while_data_connecting(self):
        """Ctrl-C while the passive data connection's connect has no
        answer: the listing stops at once with status 1 and one line."""
        lst = FullListener()
        self.addCleanup(lst.close)
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"a\n"}, pasv_port=lst.port).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "ls d", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "EPSV")
        self.assert_interrupted(r, took, "SIGINT while the data connection connects",
                                r"^ferry: ls d: .*interrupted")
        with srv.lock:
            # Not taken for an EPSV that failed: no PASV after it.
            self.assertFalse([l for l in srv.log if l.upper().startswith("PASV")], r)

    def test_sigint_during_tls_handshake(self):
        """Ctrl-C while the server answered AUTH TLS with 234 and never
        goes on with the handshake: status 1 at once with one line."""
        srv = slowftp.SlowFtp(auth_silent=True).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=require", "--timeout", "30", "-k",
                                    "-c", "pwd", srv.url("/")])
        r, took = self.sigint_when(p, outp, errp, srv, "AUTH")
        self.assert_interrupted(r, took, "SIGINT during the TLS handshake",
                                r"^ferry: .*interrupted while waiting for the server\n$")

    def test_netrc_long_password(self):
        """A ~/.netrc password longer than 1 KiB is sent whole, not cut
        to its first bytes."""
        srv = slowftp.SlowFtp().start()
        self.addCleanup(srv.stop)
        pw = "".join("%04d" % i for i in range(750))  # 3000 bytes
        clitest.write_local(os.path.join(self.home, ".netrc"),
                            "machine %s login longpw password %s\n" % (slowftp.HOST, pw),
                            mode=0o600)
        r = self.run_cmd([clitest.FERRY, "--tls=off", "--timeout", "10", "-c", "pwd",
                          srv.url("/")])
        self.check(r)
        with srv.lock:
            sent = [l for l in srv.log if l.upper().startswith("PASS ")]
        self.assertEqual(sent, ["PASS " + pw], r)

    def test_tls_handshake_dribbled_times_out(self):
        """A server that answers AUTH TLS with 234 and then sends its
        handshake one byte every 0.2 s holds ferry for the --timeout as a
        whole, not for as long as it keeps sending: status 8 with one
        line."""
        srv = slowftp.SlowFtp(auth_dribble=0.2).start()
        self.addCleanup(srv.stop)
        r = self.run_cmd([clitest.FERRY, "--tls=require", "--timeout", "2", "-c", "pwd",
                          srv.url("/")], timeout=20)
        self.check(r, 8)
        self.assertRegex(r.err, r"^ferry: .*TLS handshake: timed out\n$")
        self.assertLess(r.elapsed, 6.0, r)
        self.assertGreater(r.elapsed, 1.9, r)

    def test_sigint_while_command_write_blocked(self):
        """Ctrl-C while a command cannot be written (the server stopped
        reading and the buffers are full): status 1 at once with one
        line."""
        srv = DeafServer()
        self.addCleanup(srv.close)
        script = os.path.join(self.tmp, "deaf.script")
        with open(script, "w") as f:
            f.write("quote NOOP\n" + ("quote NOOP %s\n" % ("x" * 4000)) * 3000)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30",
                                    "-b", script, "ftp://%s:%d/" % (ftptest.HOST, srv.port)])
        def sent():
            return read_file(outp).count(b"200 ok")
        # Blocked: no reply printed for a second, with many before.
        last, since = -1, time.monotonic()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and p.poll() is None:
            n = sent()
            if n != last:
                last, since = n, time.monotonic()
            elif n > 10 and time.monotonic() - since > 1.0:
                break
            time.sleep(0.1)
        if p.poll() is not None:
            self.fail("ferry ended before its write blocked\n%s" % self.slow_run(p, outp, errp))
        self.assertLess(time.monotonic(), deadline, "the command write never blocked")
        r, took = self.sigint_after(p, outp, errp, 0)
        self.check(r, NOT_CONFIRMED, "SIGINT while a command write is blocked")
        self.assertRegex(r.err, r"^ferry: quote NOOP.*: interrupted while waiting for "
                         r"the server\n$", r)
        self.assertLess(took, 2.0, "ferry took %.2fs to end after SIGINT\n%s" % (took, r))

    def test_error_about_a_long_name_keeps_its_reason(self):
        """An error or a note about a name of thousands of bytes is one line
        that still ends in its reason: the name is shortened in the
        middle."""
        long = "n" * 3000
        r = self.ferry(script="get %s" % long)
        self.check(r, clitest.USAGE)
        line = r.err_lines[-1]
        self.assertTrue(line.endswith(" has no file name to copy to: name the local copy"),
                        line[-200:])
        self.assertIn("...", line)
        self.assertLess(len(line), 3000)
        r = self.ferry(script="lcd %s" % long)
        self.check(r, clitest.LOCAL)
        self.assertTrue(r.err_lines[-1].endswith("n: File name too long"),
                        r.err_lines[-1][-200:])

    def test_refused_quote_error_names_command(self):
        """The error line of a refused quote shows the command; a long one
        is shortened with "..." rather than left out."""
        r = self.ferry(script="quote XYZZY short")
        self.check(r, clitest.REFUSED)
        self.assertRegex(r.err, r"^ferry: quote XYZZY short: ", r)
        r = self.ferry(script="quote XYZZY %s" % ("x" * 1000))
        self.check(r, clitest.REFUSED)
        line = r.err_lines[-1]
        self.assertRegex(line, r"^ferry: quote XYZZY x{100,}\.\.\.: ", r)
        self.assertLess(len(line), 1000, r)
        # A word that ends right at the limit: the one after it is still
        # shown to be missing.
        r = self.ferry(script="quote XYZZY %s b" % ("a" * 500))
        self.check(r, clitest.REFUSED)
        self.assertRegex(r.err_lines[-1], r"^ferry: quote XYZZY a+\.\.\.: ", r)

    def test_second_sigint_says_so(self):
        """A second Ctrl-C before the first was taken (here while ABOR's
        reply is awaited) ends ferry at once with status 1 and one line."""
        data = ftptest.random_bytes(1 << 20, seed=72)
        srv = slowftp.SlowFtp(tree={"big.bin": data}, stall_after=64 << 10).start()
        self.addCleanup(srv.stop)
        p, outp, errp = self.spawn([clitest.FERRY, "--tls=off", "--timeout", "30", "-c",
                                    "get big.bin", srv.url("/")])
        def aborted():
            with srv.lock:
                return any("ABOR" in l for l in srv.log)
        self.wait_moving(p, outp, errp, lambda: any("RETR" in l for l in list(srv.log)),
                         "RETR at the server")
        time.sleep(0.3)
        os.kill(p.pid, signal.SIGINT)
        ok = ftptest.wait_until(lambda: aborted() or p.poll() is not None, 10, 0.002)
        self.assertTrue(ok, "no ABOR within 10s of SIGINT")
        if p.poll() is None:
            os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running 10s after a second SIGINT")
        r = self.slow_run(p, outp, errp)
        self.check(r, NOT_CONFIRMED, "a second SIGINT")
        self.assertIn("interrupted", r.err, r)
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_timeout_server_silent_mid_transfer(self):
        """A server that goes silent mid-download, data and control: with
        --timeout 4, ABOR and QUIT after the time-out wait briefly, so
        ferry ends as broken (7) within the time-out and a small margin,
        not twice the time-out (8 s and more)."""
        data = ftptest.random_bytes(1 << 20, seed=73)
        srv = slowftp.SlowFtp(tree={"big.bin": data}, stall_after=64 << 10).start()
        self.addCleanup(srv.stop)
        r = self.run_cmd([clitest.FERRY, "--tls=off", "--timeout", "4", "-c", "get big.bin",
                          srv.url("/")])
        self.check(r, BROKEN, "a server silent mid-transfer")
        self.assertLess(r.elapsed, 6.8, "--timeout 4 took %.2fs\n%s" % (r.elapsed, r))
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_timeout_no_226(self):
        """A server that moves all the data and closes the data connection
        but never sends the 226: a download, a listing and an upload each
        end as broken (7) after --timeout, naming the wait, and the
        download leaves no file."""
        data = ftptest.random_bytes(100000, seed=74)
        srv = slowftp.SlowFtp(tree={"d/a.bin": data}, no_226=True).start()
        self.addCleanup(srv.stop)
        clitest.write_local(self.local("up.bin"), data)
        for script in ("cd d; get a.bin", "cd d; ls", "cd d; put up.bin"):
            r = self.run_cmd([clitest.FERRY, "--tls=off", "--timeout", "1.5", "-c", script,
                              srv.url("/")])
            self.check(r, BROKEN, "no 226 after %s" % script)
            self.assertIn("waiting for the server", r.err, r)
            self.assertLess(r.elapsed, 6.0, "--timeout 1.5 took %.2fs\n%s" % (r.elapsed, r))
            self.assertEqual(sorted(os.listdir(self.ldir)), ["up.bin"], r)

    def test_mirror_notes_unsafe_names(self):
        """A listing with names that could climb out of the target or name
        a path ("../x", "a/b"): mirror skips each with the same note as
        get -r, and copies the rest."""
        odd = ["../x", "a/b", "..", "."]
        srv = slowftp.SlowFtp(tree={"d/ok.txt": b"fine\n"}, odd_names={"/d": odd}).start()
        self.addCleanup(srv.stop)
        notes = {}
        for cmd in ("get -r d got", "mirror d mirrored"):
            r = self.check(self.run_cmd([clitest.FERRY, "--tls=off", "-c", cmd,
                                         srv.url("/")]))
            notes[cmd.split()[0]] = sorted(l for l in r.out_lines + r.err_lines
                                           if l.startswith("skipping "))
        self.assertEqual(notes["get"], ["skipping ../x: not a plain file name",
                                        "skipping a/b: not a plain file name"], notes)
        self.assertEqual(notes["mirror"], notes["get"])
        self.assertEqual(read_file(self.local("mirrored", "ok.txt")), b"fine\n")
        self.assertEqual(sorted(os.listdir(self.ldir)), ["got", "mirrored"])
        self.assertEqual(os.listdir(self.local("mirrored")), ["ok.txt"])

    def test_hostile_names_never_reach_the_terminal_raw(self):
        """Names a hostile server lists with escape sequences, BEL, CR, C1
        controls or bytes that are not UTF-8 are shown with '?' in their
        place by every output: listings (short, long, --json), get -r and
        mirror, their progress and notes, and error lines."""
        odd = ["e\x1b]0;title\x07x", "c\x1b[2Jlear", "r\rs", "b\u009bq", "i\udcffv", "d\x7fel"]
        srv = slowftp.SlowFtp(tree={"d/ok.txt": b"fine\n"}, odd_names={"/d": odd}).start()
        self.addCleanup(srv.stop)
        bad = ("\x1b", "\x07", "\r", "\x9b", "\x7f", "\ufffd")
        for args in (["-c", "ls d"], ["-c", "ls -l d"], ["-c", "ls -1 d"], ["--json", "-c", "ls d"],
                     ["-v", "-c", "ls d"], ["-k", "-c", "get -r d got"],
                     ["-k", "-c", "mirror d mirrored"], ["--json", "-k", "-c", "get -r d j"],
                     ["-k", "-c", "get 'd/e\x1b]0;title\x07x'"], ["-k", "-c", "cd 'd/r\rs'"],
                     ["-k", "-c", "rm 'd/c\x1b[2Jlear'"]):
            r = self.run_cmd([clitest.FERRY, "--tls=off"] + args + [srv.url("/")])
            for b in bad:
                self.assertNotIn(b, r.out + r.err, "%r reached the terminal\n%s" % (b, r))
        r = self.run_cmd([clitest.FERRY, "--tls=off", "-c", "ls -1 d", srv.url("/")])
        self.assertIn("e?]0;title?x", r.out, r)
        self.assertIn("i?v", r.out, r)

    def test_batch_file_unreadable(self):
        """-b naming a directory or a missing file: status 6 and one line
        that says why."""
        r = self.ferry("-b", self.ldir, url=True, cd=False)
        self.check(r, clitest.LOCAL, "-b with a directory")
        self.assertIn("%s: Is a directory" % self.ldir, r.err, r)
        r = self.ferry("-b", self.local("nosuch"), url=True, cd=False)
        self.check(r, clitest.LOCAL, "-b with a missing file")
        self.assertIn("nosuch: No such file or directory", r.err, r)

    def test_script_line_with_nul_byte(self):
        """A NUL byte in a script line (stdin or -b) is a usage error that
        names the line and the NUL, not a line too long; with -k the next
        line still runs, and a line over the limit is still called so."""
        stdin = ("cd /%s\nmkdir a\x00b\nmkdir after\n" % self.rel).encode()
        r = self.ferry("-k", stdin=stdin, url=True, cd=False)
        self.check(r, clitest.USAGE, "a NUL on line 2")
        self.assertIn("stdin:2:", r.err, r)
        self.assertIn("NUL", r.err, r)
        self.assertNotIn("longer than", r.err, r)
        self.assertEqual(os.listdir(self.rdir), ["after"], r)
        batch = clitest.write_local(os.path.join(self.tmp, self._testMethodName + ".ferry"),
                                    ("cd /%s\n\x00\nmkdir never\n" % self.rel).encode())
        r = self.ferry("-b", batch, url=True, cd=False)
        self.check(r, clitest.USAGE, "a NUL on line 2 of -b")
        self.assertIn(":2: ", r.err, r)
        self.assertIn("NUL", r.err, r)
        self.assertFalse(os.path.exists(self.remote("never")), r)
        r = self.ferry(stdin=b"pwd\n" + b"x" * 9000 + b"\n", url=True, cd=False)
        self.check(r, clitest.USAGE, "a line of 9000 bytes")
        self.assertIn("stdin:2: line longer than", r.err, r)

    def test_segments_verbose_notes_name_no_error(self):
        """With -v, a segment that stopped after its last byte is noted as
        such, not as a failed write ("Unknown error -1")."""
        data = ftptest.random_bytes(1 << 20, seed=41)
        self.put_remote("seg.bin", data)
        r = self.check(self.ferry("-v", script="get --segments 4 seg.bin"))
        self.assertEqual(read_file(self.local("seg.bin")), data, r)
        self.assertIn("aborting the transfer", r.err, r)
        self.assertNotIn("Unknown error", r.err, r)
        self.assertNotIn("writing the local file", r.err, r)

    def test_long_path_errors_keep_their_reason(self):
        """A tree deeper than ferry goes (64 levels, paths of 4096 bytes):
        mirror, get -r and mirror -R fail with one line that still ends in
        the reason, its long path shortened in the middle, not cut off."""
        top = self.remote("deep")
        local = self.local("ldeep")
        rel, lrel = top, local
        for i in range(90):
            name = "d%02d_" % i + "x" * 45
            rel = os.path.join(rel, name)
            lrel = os.path.join(lrel, name)
        # Made one level at a time: the whole path is longer than PATH_MAX.
        for base, parts in ((top, rel), (local, lrel)):
            os.mkdir(base)
            fd = os.open(base, os.O_RDONLY)
            for name in parts[len(base) + 1:].split("/"):
                os.mkdir(name, dir_fd=fd)
                nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            os.close(fd)
        for script in ("mirror deep out", "get -r deep out2", "mirror -R ldeep up"):
            r = self.ferry(script=script)
            self.assertNotEqual(r.code, clitest.OK, r)
            self.assertErrorLine(r, script)
            line = r.err_lines[0]
            self.assertLess(len(line), 1200, r)
            self.assertIn("...", line, r)
            self.assertRegex(line, r"\.\.\..*: (File name too long|more than \d+ directory "
                                   r"levels|[45]\d\d [^/]*)$", r)

    def test_recursive_delete_never_follows_a_link(self):
        """A server that lists a link to a directory as a directory (ferryd
        and pyftpdlib do): rm -r and mirror -R --delete remove the link,
        never what it points to."""
        self.put_remote("keep/precious", b"keep me\n")
        for top in ("victim", "extra"):
            self.server.mkdir(self.rel + "/%s/sub" % top)
            self.put_remote("%s/sub/f.txt" % top, b"f\n")
            os.symlink("../keep", self.remote(top, "lnk"))
            os.symlink("../../keep", self.remote(top, "sub", "lnk2"))
        self.server.prepare(self.rdir)
        r = self.check(self.ferry("-y", script="rm -r victim"))
        self.assertFalse(os.path.lexists(self.remote("victim")), r)
        self.assertEqual(read_file(self.remote("keep", "precious")), b"keep me\n", r)
        os.mkdir(self.local("src"))
        clitest.write_local(self.local("src", "a.txt"), b"a\n")
        r = self.check(self.ferry("-y", script="mirror -R --delete src ."))
        self.assertFalse(os.path.lexists(self.remote("extra")), r)
        self.assertFalse(os.path.lexists(self.remote("keep")), r)
        self.put_remote("keep/precious", b"keep me\n")
        self.server.mkdir(self.rel + "/d")
        os.symlink("../keep", self.remote("d", "lnk"))
        self.server.prepare(self.rdir)
        r = self.check(self.ferry("-y", script="mirror -R --delete src d"))
        self.assertFalse(os.path.lexists(self.remote("d", "lnk")), r)
        self.assertEqual(read_file(self.remote("keep", "precious")), b"keep me\n", r)

    def test_put_into_remote_name_ending_in_slash(self):
        """put's remote ending in / names a directory, as with curl -T: the
        file goes inside under its own name, and a directory that is not
        there is an error, never a file named like it."""
        clitest.write_local(self.local("a b.txt"), b"into the folder\n")
        self.server.mkdir(self.rel + "/sub")
        r = self.check(self.ferry(script="put 'a b.txt' sub/"))
        self.assertEqual(read_file(self.remote("sub", "a b.txt")), b"into the folder\n", r)
        self.assertIn("sub/a b.txt", r.out, r)
        r = self.ferry(script="put 'a b.txt' nosuch/")
        self.check(r, clitest.REFUSED, "a directory that is not there")
        self.assertFalse(os.path.lexists(self.remote("nosuch")), r)

    def test_ls_list_date_without_time_stays_that_day(self):
        """A LIST line that gives only a date ("Jan 01 2024", files older
        than half a year) is shown as that date, with no time of day made
        up from midnight UTC, in every time zone."""

        class ListOnly(slowftp.SlowFtp):
            def _cmd_FEAT(self, c, st, arg):
                self._send(c, "211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n UTF8\r\n211 End")

        srv = ListOnly(tree={"d/old.txt": b"old\n"}).start()
        self.addCleanup(srv.stop)
        for tz in ("America/New_York", "Asia/Tokyo", "UTC"):
            r = self.check(self.ferry(script="ls d", url=srv.url("/"), cd=False,
                                      env=self.env(TZ=tz)))
            lines = [l for l in r.out_lines if l.endswith(" old.txt")]
            self.assertEqual(len(lines), 1, r)
            self.assertRegex(lines[0], r" 2024-01-01 {7}old\.txt$", "TZ=%s\n%s" % (tz, r))

    def test_script_with_byte_order_mark(self):
        """A script saved with a UTF-8 byte order mark (as some Windows
        editors write it), given with -b or on stdin, runs its first
        command; a mark anywhere else is still part of the line."""
        script = ("\ufeffcd /%s\nmkdir first\n" % self.rel).encode()
        batch = clitest.write_local(os.path.join(self.tmp, self._testMethodName + ".ferry"),
                                    script)
        r = self.check(self.ferry("-b", batch, url=True, cd=False))
        self.assertTrue(os.path.isdir(self.remote("first")), r)
        r = self.check(self.ferry(stdin=script.replace(b"first", b"second"), url=True,
                                  cd=False))
        self.assertTrue(os.path.isdir(self.remote("second")), r)
        r = self.ferry(stdin=("cd /%s\n\ufeffmkdir third\n" % self.rel).encode(), url=True,
                       cd=False)
        self.check(r, clitest.USAGE, "a mark on line 2")
        self.assertFalse(os.path.exists(self.remote("third")), r)

    def test_mirror_exclude_pattern_ending_in_slash(self):
        """A mirror pattern ending in / names directories only (as in rsync
        and lftp): --exclude 'logs/' leaves the directory logs out and
        keeps a file called logs; with a / before the end it is matched
        against the path."""
        src = self.local("src")
        for rel in ("logs/a.log", "sub/logs", "sub/cache/c.bin", "keep.txt"):
            clitest.write_local(os.path.join(src, rel), rel.encode())
        r = self.check(self.ferry(script="mirror -R --exclude 'logs/' --exclude 'sub/cache/' "
                                         "src dst"))
        self.assertFalse(os.path.exists(self.remote("dst", "logs")), r)
        self.assertFalse(os.path.exists(self.remote("dst", "sub", "cache")), r)
        self.assertEqual(read_file(self.remote("dst", "sub", "logs")), b"sub/logs", r)
        self.assertEqual(read_file(self.remote("dst", "keep.txt")), b"keep.txt", r)

    def test_closed_stdout_and_stderr_stay_off_the_wire(self):
        """ferry started with standard output and error closed: what it
        prints never reaches the server (a connection that took the
        descriptor of stdout would get listings and messages as
        commands); a download to - fails with status 6."""
        srv = slowftp.SlowFtp(tree={"d/a.txt": b"hello\n"}).start()
        self.addCleanup(srv.stop)
        cmd = [clitest.FERRY, "--tls=off", "-k", "-c", "pwd; ls d; cd nosuch; get d/a.txt -; pwd",
               srv.url("/")]
        p = subprocess.Popen(cmd, cwd=self.ldir, env=self.env(), stdin=subprocess.DEVNULL,
                             pass_fds=(), preexec_fn=lambda: (os.close(1), os.close(2)))
        try:
            code = p.wait(clitest.RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.fail("ferry still running after %gs" % clitest.RUN_TIMEOUT)
        verbs = {"USER", "PASS", "FEAT", "OPTS", "TYPE", "PWD", "CWD", "EPSV", "PASV", "MLSD",
                 "LIST", "SIZE", "MDTM", "RETR", "ABOR", "QUIT", "NOOP"}
        with srv.lock:
            lines = list(srv.log)
        strays = [l for l in lines if l.split(" ")[0].upper() not in verbs]
        self.assertEqual(strays, [], "lines the server got: %r" % lines)
        self.assertIn("RETR d/a.txt", lines)
        self.assertEqual(code, clitest.LOCAL, "lines the server got: %r" % lines)

    def test_limit_rate(self):
        """--limit-rate RATE holds downloads and uploads to RATE bytes a
        second (measured from below: a slow machine only slows more), and
        the summary shows the rate kept."""
        data = ftptest.random_bytes(384 << 10, seed=61)
        self.put_remote("a.bin", data)
        r = self.check(self.ferry("--limit-rate", "256K", script="get a.bin; put a.bin b.bin"))
        self.assertEqual(read_file(self.local("a.bin")), data, r)
        self.assertEqual(read_file(self.remote("b.bin")), data, r)
        self.assertGreater(r.elapsed, 2.4, "384 KB each way at 256 KB/s took %.2fs\n%s"
                           % (r.elapsed, r))
        for line in r.out_lines:
            m = clitest.STATS_RE.match(line)
            self.assertTrue(m, r)
            unit = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[m.group(6)]
            self.assertLess(float(m.group(5)) * unit, 1.1 * (256 << 10), line)
        r = self.check(self.ferry(script="set limit-rate 128K; set limit-rate; "
                                         "set limit-rate 0; set limit-rate"))
        self.assertEqual(r.out_lines, ["limit-rate 128K", "limit-rate 0"], r)

    def test_manual_names_every_option_command_and_setting(self):
        """ferry(1) has an entry for every option `ferry --help` shows
        (OPTIONS), every command and other name `help` lists (COMMANDS)
        and every setting `set` shows."""
        usage = self.check(self.run_cmd([clitest.FERRY, "--help"])).out
        options = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", usage.split("URL =")[0]))
        self.assertIn("--iac", options, usage)
        missing = sorted(options - manual_entries("OPTIONS"))
        self.assertEqual(missing, [], "options ferry(1) has no entry for")
        r = self.check(self.ferry(script="help", url=False, cd=False))
        names = set()
        for line in r.out.splitlines():
            m = re.match(r"^  ([a-z]+) .*?(?:\(((?:[a-z]+|\?)(?:, (?:[a-z]+|\?))*)\))?$", line)
            if m:
                names.add(m.group(1))
                names.update(n.strip() for n in (m.group(2) or "").split(",") if n.strip())
        self.assertIn("mv", names, r)
        commands = manual_entries("COMMANDS")
        self.assertEqual(sorted(names - commands - {"?"}), [],
                         "commands ferry(1) has no entry for")
        r = self.check(self.ferry(script="set", url=False, cd=False))
        settings = {l.split()[0] for l in r.out_lines}
        self.assertIn("iac", settings, r)
        self.assertEqual(sorted(settings - commands), [], "settings ferry(1) has no entry for")

    # -----------------------------------------------------------------------
    # Temporaries of downloads that were killed

    def temps(self, prefix=".big.bin.ferry-"):
        """The temporaries of big.bin (names starting with prefix) in the
        local directory."""
        return sorted(n for n in os.listdir(self.ldir) if n.startswith(prefix))

    def start_get(self, script="get big.bin", prefix=".big.bin.ferry-"):
        """Starts a slow `get big.bin` (or script, which downloads big.bin
        into the local directory under a temporary whose name starts with
        prefix) and waits until its temporary holds STOP_AT bytes;
        returns (process, proxy, temporary's path)."""
        p, proxy, outp, errp = self.slow(script)
        temps = self.temps
        self.temps = lambda: temps(prefix)
        try:
            return self._start_get(p, proxy, outp, errp)
        finally:
            self.temps = temps

    def _start_get(self, p, proxy, outp, errp):
        before = set(self.temps())
        found = []

        def moving():
            new = [n for n in self.temps() if n not in before]
            if new and clitest.file_size(self.local(new[0])) >= clitest.STOP_AT:
                found.append(self.local(new[0]))
                return True
            return False
        self.wait_moving(p, outp, errp, moving, "%d bytes in a temporary" % clitest.STOP_AT)
        return p, proxy, found[0]

    def kill_get(self, script="get big.bin", prefix=".big.bin.ferry-"):
        """A `get big.bin` (or script) killed (SIGKILL) halfway; returns its
        temporary."""
        p, proxy, tmp = self.start_get(script, prefix)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(5)
        proxy.close()
        self.assertTrue(os.path.exists(tmp), "the killed download left no temporary")
        return tmp

    def test_get_after_kill_removes_temporaries(self):
        """Downloads killed with SIGKILL leave their temporaries; the next
        download of the same file removes them: the directory then holds
        the file only."""
        self.put_remote("big.bin", clitest.BIG)
        self.put_remote("other.bin", b"other\n")
        self.kill_get()
        self.kill_get()
        r = self.check(self.ferry(script="get other.bin"))
        self.assertTrue(self.temps(), "a download of another file removed big.bin's "
                        "temporaries\n%s" % r)
        r = self.check(self.ferry(script="get big.bin"))
        self.assertEqual(sorted(os.listdir(self.ldir)), ["big.bin", "other.bin"],
                         "temporaries of killed downloads are left\n%s" % r)
        self.assertTrue(read_file(self.local("big.bin")) == clitest.BIG, r)

    def test_get_r_removes_the_temporaries_of_each_file(self):
        """get -r into directories holding stale temporaries of several of
        the tree's files (left by killed downloads; the directory is read
        once for all of its files) removes each of them, at the top and in
        a subdirectory, and leaves the temporaries of names the tree does
        not have; get -c -r continues each file from its temporary."""
        files = ("t/a.bin", "t/b.bin", "t/c.bin", "t/s/d.bin")
        for rel in files:
            self.put_remote(rel, rel.encode() * 100)
        os.makedirs(self.local("t", "s"))
        stale = [("t", ".a.bin.ferry-Ab12Cd"), ("t", ".b.bin.ferry-segments.state"),
                 ("t", ".c.bin.ferry-Zz99Yy"), ("t", ".c.bin.ferry-segments"),
                 ("t/s", ".d.bin.ferry-Qq11Ww"), ("t", ".gone.bin.ferry-Ab12Cd")]
        for d, n in stale:
            write_file(self.local(d, n), b"partial")

        def check_tree(script, heads):
            """Runs script; the tree then holds the files only (their
            first bytes heads[rel] where given) and the other name's
            temporary."""
            r = self.check(self.ferry(script=script))
            self.assertEqual(sorted(os.listdir(self.local("t"))),
                             [".gone.bin.ferry-Ab12Cd", "a.bin", "b.bin", "c.bin", "s"], r)
            self.assertEqual(os.listdir(self.local("t", "s")), ["d.bin"], r)
            for rel in files:
                data = rel.encode() * 100
                head = heads.get(rel, b"")
                self.assertEqual(read_file(self.local(rel)), head + data[len(head):], r)

        check_tree("get -r t", {})
        # Resumed: a file not there yet continues from its temporary.
        for rel in ("t/a.bin", "t/s/d.bin"):
            os.unlink(self.local(rel))
            d, n = os.path.split(rel)
            write_file(self.local(d, "." + n + ".ferry-Rr22Tt"), b"X" * 150)
        check_tree("get -c -r t", {"t/a.bin": b"X" * 150, "t/s/d.bin": b"X" * 150})

    def test_get_c_after_kill_continues_from_temporary(self):
        """get -c of a file a killed download had begun continues from the
        bytes that download wrote, which become the file."""
        self.put_remote("big.bin", clitest.BIG)
        tmp = self.kill_get()
        part = clitest.file_size(tmp)
        self.assertTrue(0 < part < len(clitest.BIG), part)
        with open(tmp, "r+b") as f:
            f.write(clitest.MARK)
        r = self.check(self.ferry(script="get -c big.bin"))
        self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
        got = read_file(self.local("big.bin"))
        self.assertEqual(len(got), len(clitest.BIG), r)
        self.assertTrue(got == clitest.MARK + clitest.BIG[len(clitest.MARK):],
                        "get -c did not continue from the %d bytes already there\n%s"
                        % (part, r))

    def assert_spared(self, p, tmp, r, who, names=("big.bin",), wrote=True):
        """tmp, the temporary of p (still running), outlived the run r of
        who; p then completes, and the directory holds names, big.bin
        byte for byte (wrote: r wrote a big.bin, removed first so that it
        is p's that is checked)."""
        self.assertTrue(os.path.exists(tmp),
                        "%s removed the temporary of a running download\n%s" % (who, r))
        self.assertIsNone(p.poll(), "the slow download ended early")
        if wrote:
            os.unlink(self.local("big.bin"))
        try:
            p.wait(clitest.RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("the slow download did not end")
        self.assertEqual(p.returncode, OK)
        self.assertEqual(sorted(os.listdir(self.ldir)), sorted(names))
        self.assertTrue(read_file(self.local("big.bin")) == clitest.BIG)

    def test_get_spares_the_temporary_of_a_running_download(self):
        """A download of the same file while another one runs leaves the
        running one's temporary alone; that one still completes."""
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, tmp = self.start_get()
        r = self.check(self.ferry(script="get big.bin"))
        self.assert_spared(p, tmp, r, "a get")

    def test_mirror_after_kill_removes_temporaries(self):
        """A mirror killed with SIGKILL leaves its temporary, as a get
        does; the next mirror removes it: the directory then holds the
        file only, byte for byte."""
        self.put_remote("m/big.bin", clitest.BIG)
        self.kill_get("mirror m .")
        self.kill_get("mirror m .")
        r = self.check(self.ferry(script="mirror m ."))
        self.assertEqual(os.listdir(self.ldir), ["big.bin"],
                         "temporaries of killed mirrors are left\n%s" % r)
        self.assertTrue(read_file(self.local("big.bin")) == clitest.BIG, r)

    def test_get_spares_the_temporary_of_a_running_mirror(self):
        """A get of the file a running mirror downloads leaves the
        mirror's temporary alone; the mirror still completes."""
        self.put_remote("m/big.bin", clitest.BIG)
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, tmp = self.start_get("mirror m .")
        r = self.check(self.ferry(script="get big.bin"))
        self.assert_spared(p, tmp, r, "a get")

    def test_get_after_killed_segments_removes_its_temporaries(self):
        """A plain get (and get -c, and mirror) of a file whose segmented
        download was killed leaves no temporary or state file of it: the
        directory holds the file only, byte for byte."""
        self.put_remote("big.bin", clitest.BIG)
        self.put_remote("m/big.bin", clitest.BIG)
        for script in ("get big.bin", "get -c big.bin", "mirror m ."):
            self.kill_get("get --segments 2 big.bin")
            self.assertEqual(self.temps(), [".big.bin.ferry-segments",
                                            ".big.bin.ferry-segments.state"])
            r = self.check(self.ferry("-y", script=script))
            self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
            self.assertTrue(read_file(self.local("big.bin")) == clitest.BIG, r)
            os.unlink(self.local("big.bin"))

    def test_get_c_after_killed_segments_continues_from_its_start(self):
        """get -c of a file whose segmented download was killed continues
        from the bytes of the file's start that download completed: its
        temporary, cut to them, becomes the file."""
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, outp, errp = self.slow("get --segments 2 big.bin")
        state = self.local(".big.bin.ferry-segments.state")

        def first_range_done():
            try:
                with open(state) as f:
                    return int(f.read().split("\n")[2].split()[2])
            except (OSError, ValueError, IndexError):
                return 0
        self.wait_moving(p, outp, errp, lambda: first_range_done() > clitest.STOP_AT,
                         "%d bytes of the first range" % clitest.STOP_AT)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(5)
        proxy.close()
        done = first_range_done()
        with open(self.local(".big.bin.ferry-segments"), "r+b") as f:
            f.write(clitest.MARK)
        relay = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20)
        self.addCleanup(relay.close)
        url = relay.url("/", self.server.user, self.server.password)
        r = self.check(self.ferry(script="get -c big.bin", url=url))
        self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
        got = read_file(self.local("big.bin"))
        self.assertTrue(got == clitest.MARK + clitest.BIG[len(clitest.MARK):],
                        "get -c did not continue from the %d bytes there\n%s" % (done, r))
        rest = [int(c.split()[1]) for c in relay.commands if c.startswith("REST ")]
        self.assertEqual(len(rest), 1, r)
        self.assertGreaterEqual(rest[0], done, r)
        self.assertLess(rest[0], len(clitest.BIG), r)

    def test_segments_after_killed_get_removes_its_temporary(self):
        """get --segments of a file whose plain download was killed leaves
        no temporary of that download behind."""
        self.put_remote("big.bin", clitest.BIG)
        self.kill_get()
        r = self.check(self.ferry(script="get --segments 2 big.bin"))
        self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
        self.assertTrue(read_file(self.local("big.bin")) == clitest.BIG, r)

    def test_get_spares_the_temporary_of_running_segments(self):
        """A plain get of the file a segmented download is fetching leaves
        that download's temporary and state alone; it still completes."""
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, tmp = self.start_get("get --segments 2 big.bin")
        r = self.check(self.ferry(script="get big.bin"))
        self.assertTrue(os.path.exists(tmp + ".state"), r)
        self.assert_spared(p, tmp, r, "a get")

    def test_segments_spare_the_temporary_of_a_running_get(self):
        """get --segments of the file a plain get is fetching leaves that
        get's temporary alone; it still completes."""
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, tmp = self.start_get()
        r = self.check(self.ferry("-y", script="get --segments 2 big.bin"))
        self.assert_spared(p, tmp, r, "get --segments")

    # A name too long for ".NAME.ferry-XXXXXX" (NAME_MAX is 255 bytes).
    LONG = "\u00fc" * 120 + ".bin"

    def test_long_name_temporaries_swept_and_resumed(self):
        """A file whose name leaves no room for the usual temporary name
        gets temporaries of its own all the same: a get killed leaves one,
        the next get killed removes it and leaves its own, get -c
        continues from that, and the next download leaves none."""
        self.assertGreater(len(self.LONG.encode()), 240)
        self.put_remote(self.LONG, clitest.BIG)
        self.put_remote("other.bin", b"other\n")
        script = 'get "%s"' % self.LONG
        self.kill_get(script, ".")
        tmp = self.kill_get(script, ".")
        self.assertEqual(self.temps("."), [os.path.basename(tmp)])
        r = self.check(self.ferry(script="get other.bin"))
        self.assertEqual(self.temps("."), [os.path.basename(tmp)], "a download of another "
                         "file removed the temporary\n%s" % r)
        with open(tmp, "r+b") as f:
            f.write(clitest.MARK)
        r = self.check(self.ferry(script='get -c "%s"' % self.LONG))
        self.assertEqual(sorted(os.listdir(self.ldir)), sorted([self.LONG, "other.bin"]), r)
        got = read_file(self.local(self.LONG))
        self.assertTrue(got == clitest.MARK + clitest.BIG[len(clitest.MARK):] or
                        got == clitest.BIG, r)
        os.unlink(self.local(self.LONG))
        self.kill_get(script, ".")
        r = self.check(self.ferry(script=script))
        self.assertEqual(sorted(os.listdir(self.ldir)), sorted([self.LONG, "other.bin"]), r)
        self.assertTrue(read_file(self.local(self.LONG)) == clitest.BIG, r)

    def test_long_name_segments(self):
        """get --segments of a file with a long name works, resumes after
        a kill, and is swept by a plain get after another kill."""
        self.put_remote(self.LONG, clitest.BIG)
        script = 'get --segments 2 "%s"' % self.LONG
        self.kill_get(script, ".")
        r = self.check(self.ferry(script=script))
        self.assertIn("resuming", r.err, r)
        self.assertEqual(os.listdir(self.ldir), [self.LONG], r)
        self.assertTrue(read_file(self.local(self.LONG)) == clitest.BIG, r)
        os.unlink(self.local(self.LONG))
        self.kill_get(script, ".")
        r = self.check(self.ferry(script='get "%s"' % self.LONG))
        self.assertEqual(os.listdir(self.ldir), [self.LONG], r)
        self.assertTrue(read_file(self.local(self.LONG)) == clitest.BIG, r)

    def test_mirror_delete_spares_the_temporary_of_a_running_get(self):
        """mirror --delete into the directory a running get downloads to
        neither deletes nor lists that get's temporary; the get still
        completes."""
        self.put_remote("m/other.txt", b"other\n")
        self.put_remote("big.bin", clitest.BIG)
        p, proxy, tmp = self.start_get()
        r = self.check(self.ferry(script="mirror --delete m ."))
        self.assertNotIn(".big.bin.ferry-", r.out, r)
        self.assert_spared(p, tmp, r, "mirror --delete", ("big.bin", "other.txt"), wrote=False)

def waitpid_bounded(pid, seconds):
    """waitpid for pid, for at most seconds; kills it after that."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            return got, status
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)


def reap_pid(pid):
    """Ends and reaps pid if it still runs (a cleanup)."""
    try:
        got, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return
    if got == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def manual_entries(section):
    """The words that start the entries (.TP tags) of a section of
    ferry(1), font escapes dropped: option and command names."""
    with open(os.path.join(config.SRCDIR, "man", "ferry.1"), encoding="utf-8") as f:
        text = f.read()
    body = text.split(".SH %s\n" % section, 1)[1].split("\n.SH ", 1)[0]
    lines = body.split("\n")
    words = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() != ".TP":
            continue
        tag = re.sub(r"\\f[BIPR]|\\~|^\.B[IR]? ", " ", lines[i + 1]).replace("\\-", "-")
        words.update(w for w in re.split(r"[\s,=|\[\]\"]+", tag) if w)
    return words


class ShrinkingUploadTest(clitest.CliBase, ftptest.TestCase):
    """A local file that shrinks while put sends it, to a server that keeps
    what arrived (pyftpdlib): the upload is an error (status 6) that says
    so, never a success for a copy the server holds only part of."""

    PEER = "pyftpdlib"

    def test_file_shrinking_during_upload(self):
        data = ftptest.random_bytes(6 << 20, seed=77)
        clitest.write_local(self.local("big.bin"), data)
        p, proxy, outp, errp = self.slow("put big.bin")
        self.wait_moving(p, outp, errp, lambda: proxy.data_bytes >= 256 << 10,
                         "256 KiB through the proxy")
        os.truncate(self.local("big.bin"), 100)
        try:
            p.wait(clitest.RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("ferry still running after the file shrank")
        r = self.slow_run(p, outp, errp)
        self.check(r, clitest.LOCAL, "the local file shrank mid-upload")
        self.assertIn("shrank", r.err, r)

    def test_file_reading_shorter_than_its_size(self):
        """A file whose size says more than reading gives (Linux sysfs:
        4096 bytes, a few read) did not shrink: put copies what it reads."""
        names = ["/sys/devices/system/cpu/online", "/sys/kernel/uevent_seqnum"]
        found = [n for n in names if os.access(n, os.R_OK)]
        self.assertTrue(found, "none of %s to read" % names)
        with open(found[0], "rb") as f:
            data = f.read()
        self.assertLess(len(data), os.stat(found[0]).st_size)
        r = self.check(self.ferry(script="put %s sys.txt" % found[0]))
        self.assertEqual(read_file(self.remote("sys.txt")), data, r)


class ConnectionLimitTest(clitest.CliBase, ftptest.TestCase):
    """A server that takes one connection per address (ferryd
    --max-per-ip 1): mirror --parallel and get --segments do all their
    work over the session's connection and say, in one note, that the
    server refused the others and why."""

    PEER = "ferryd"

    @classmethod
    def start_server(cls):
        return peers.start_ferryd(["--max-per-ip", "1"])

    def test_parallel_mirror_notes_refused_connections(self):
        files = {"f%d.bin" % i: ftptest.random_bytes(5000 + i, seed=i) for i in range(6)}
        for name, data in files.items():
            self.put_remote("src/" + name, data)
        r = self.check(self.ferry(script="mirror --parallel 4 src out"))
        for name, data in files.items():
            self.assertEqual(read_file(self.local("out", name)), data, r)
        notes = [l for l in r.err_lines if "connection" in l]
        self.assertEqual(len(notes), 1, r)
        self.assertIn("3 of 3", notes[0], r)
        self.assertIn("421", notes[0], r)
        r = self.check(self.ferry("-q", script="mirror --parallel 4 src out2"))
        self.assertEqual(r.err, "", r)

    def test_segments_note_refused_connections(self):
        data = ftptest.random_bytes(1 << 20, seed=9)
        self.put_remote("seg.bin", data)
        r = self.check(self.ferry(script="get --segments 4 seg.bin"))
        self.assertEqual(read_file(self.local("seg.bin")), data, r)
        notes = [l for l in r.err_lines if "connection" in l]
        self.assertEqual(len(notes), 1, r)
        self.assertIn("3 of 3", notes[0], r)
        self.assertIn("421", notes[0], r)


class StalledBarTest(ftptest.TestCase):
    """The CLI's bar on a terminal (tmux): the rate follows the last
    seconds, and a download whose server stops sending shows "0 B/s  ETA
    stalled" within a few seconds, then a rate and a time left again once
    bytes flow; the file lands whole."""

    def test_stalled_download_bar(self):
        data = ftptest.random_bytes(8 << 20, seed=11)
        self.server = ftptest.Server(["--anonymous=rw"])
        self.server.write("s.bin", data)
        self.server.start()
        self.addCleanup(self.server.stop)
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 10)
        self.addCleanup(proxy.close)
        out = self.enterContext(tempfile.TemporaryDirectory(prefix="ferry-bar-"))
        t = tuitest.Tmux()
        self.addCleanup(t.kill)
        t.start([clitest.FERRY, "-c", "get s.bin", proxy.url("/")], cwd=out, width=100,
                height=10)
        flowing = r"s\.bin .*\] +\S+ [KM]?B +[1-9][0-9.]* [KM]B/s  ETA \d+:\d\d"
        t.wait_for(flowing, 20, "the bar shows a rate and a time left")
        proxy.pause()
        t.wait_for(r"s\.bin .* 0 B/s  ETA stalled", 15, "the bar of a stalled download")
        proxy.unpause()
        t.wait_for(flowing, 15, "the rate and the time left come back")
        self.assertEqual(t.wait_exit(120), 0)
        self.assertEqual(read_file(os.path.join(out, "s.bin")), data)


if __name__ == "__main__":
    unittest.main(verbosity=2)
