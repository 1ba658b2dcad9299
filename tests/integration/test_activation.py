"""ferryd under systemd's two protocols, without systemd running:

- socket activation: systemd-socket-activate (what ferryd.socket does)
  binds one or two sockets and starts ferryd with LISTEN_FDS; ferryd
  serves on the inherited sockets instead of binding -l, and refuses a
  passed descriptor that is not a listening TCP socket; a client that
  connects while ferryd restarts on the same socket is served;
- readiness: with NOTIFY_SOCKET set (Type=notify), ferryd sends READY=1
  once it serves, RELOADING=1 (with MONOTONIC_USEC) and READY=1 around a
  SIGHUP reload, STOPPING=1 on SIGTERM; a socket it cannot use stops
  the start.
"""

import os
import signal
import socket
import subprocess
import tempfile
import unittest

import config
import ftptest
import test_systemd
from test_systemd import free_port


class ActivationBase(ftptest.TestCase):
    """A server root, a log, and ferryd started on inherited sockets."""

    def setUp(self):
        ftptest.require_program(config.SYSTEMD_SOCKET_ACTIVATE, "systemd-socket-activate")
        self.base = tempfile.mkdtemp(prefix="ferryd-activate-")
        self.addCleanup(ftptest.shutil.rmtree, self.base, True)
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "root")
        os.mkdir(self.root)
        ftptest.write_file(os.path.join(self.root, "a.txt"), b"through systemd's socket\n")
        ftptest.prepare(self.root)
        self.log_path = os.path.join(self.base, "ferryd.log")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def activate(self, listens, extra=(), names=None):
        """systemd-socket-activate -l A -l B ferryd (no -l of its own);
        names (a list) become LISTEN_FDNAMES. Returns the process (ferryd
        once a client connected)."""
        cmd = [config.SYSTEMD_SOCKET_ACTIVATE]
        for addr in listens:
            cmd += ["-l", addr]
        if names is not None:
            cmd += ["--fdname=" + ":".join(names)]
        cmd += ["-E", "ASAN_OPTIONS", "-E", "UBSAN_OPTIONS", config.FERRYD,
                "-r", self.root, "-f", "/dev/null"] + list(extra)
        with open(self.log_path, "ab") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self.addCleanup(self.stop, proc)
        return proc

    stop = staticmethod(test_systemd.InetdSocketTest.stop)

    def retr(self, host, port):
        """Logs in anonymously at host:port and downloads a.txt."""
        def attempt():
            try:
                return ftptest.Ftp(None, host=host, port=port)
            except OSError:
                return None
        f = None
        for _ in range(100):
            f = attempt()
            if f is not None:
                break
            ftptest.time.sleep(0.05)
        self.assertIsNotNone(f, self.log())
        got = []
        f.retrbinary("RETR a.txt", got.append)
        f.quit()
        return b"".join(got)



class ActivationTest(ActivationBase):

    def test_one_socket(self):
        port = free_port(20000, 32000)
        proc = self.activate(["127.0.0.1:%d" % port])
        self.assertEqual(self.retr("127.0.0.1", port), b"through systemd's socket\n")
        self.assertIn("listening on 127.0.0.1:%d (from systemd)" % port, self.log())
        # The same process: systemd-socket-activate became ferryd.
        with open("/proc/%d/comm" % proc.pid) as f:
            self.assertEqual(f.read().strip(), "ferryd")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(10), 0)
        self.assertNotRegex(self.log(), r"Sanitizer|runtime error")

    def test_two_sockets(self):
        # Below the kernel's ephemeral ports (32768 up by default), which
        # other connections may take before systemd-socket-activate binds;
        # the IPv6 one free on ::1, where it is used.
        p4 = free_port(20000, 26000)
        p6 = free_port(26001, 32000, "::1")
        # Names (FileDescriptorName=) change nothing: a socket is known by
        # its address.
        self.activate(["127.0.0.1:%d" % p4, "[::1]:%d" % p6], names=["ftp", "ftp6"])
        self.assertEqual(self.retr("127.0.0.1", p4), b"through systemd's socket\n")
        self.assertEqual(self.retr("::1", p6), b"through systemd's socket\n")
        log = self.log()
        self.assertIn("listening on 127.0.0.1:%d (from systemd)" % p4, log)
        self.assertIn("listening on [::1]:%d (from systemd)" % p6, log)
        # Only the inherited sockets: the default -l 127.0.0.1:2121 is not bound.
        self.assertEqual(log.count("listening on"), 2)

    def bad_fd(self, sock):
        """ferryd with sock as descriptor 3 and LISTEN_FDS=1 for it."""
        r = subprocess.run(["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@" 3<&%d'
                            % sock.fileno(), config.FERRYD, "-r", self.root, "-f", "/dev/null"],
                           pass_fds=(sock.fileno(),),
                           capture_output=True, text=True, timeout=30)
        return r

    def test_refuses_what_is_not_a_listening_tcp_socket(self):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(udp.close)
        r = self.bad_fd(udp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("socket 3 from systemd (LISTEN_FDS): not a stream socket", r.stderr)
        tcp = socket.socket()
        self.addCleanup(tcp.close)
        tcp.bind(("127.0.0.1", 0))
        r = self.bad_fd(tcp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("socket 3 from systemd (LISTEN_FDS): not listening", r.stderr)


class RestartTest(ActivationBase):
    """What ferryd.socket is for: systemd holds the listening socket, so a
    client that connects while ferryd restarts waits in the backlog and is
    served by the next ferryd, instead of being refused."""

    def start_on(self, lsock):
        with open(self.log_path, "ab") as log:
            proc = subprocess.Popen(
                ["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@" 3<&%d' % lsock.fileno(),
                 config.FERRYD, "-r", self.root, "-f", "/dev/null"],
                pass_fds=(lsock.fileno(),), stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self.addCleanup(self.stop, proc)
        return proc

    def test_connection_during_restart_is_served(self):
        lsock = socket.socket()
        self.addCleanup(lsock.close)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(16)
        port = lsock.getsockname()[1]
        first = self.start_on(lsock)
        self.assertEqual(self.retr("127.0.0.1", port), b"through systemd's socket\n")
        first.send_signal(signal.SIGTERM)
        self.assertEqual(first.wait(10), 0)
        # Nobody serves now; the connection waits in the socket's backlog.
        waiting = socket.create_connection(("127.0.0.1", port), timeout=ftptest.TIMEOUT)
        self.addCleanup(waiting.close)
        second = self.start_on(lsock)
        self.assertTrue(waiting.recv(100).startswith(b"220 "), self.log())
        waiting.sendall(b"QUIT\r\n")
        self.assertTrue(waiting.recv(100).startswith(b"221"))
        self.assertEqual(self.log().count("listening on 127.0.0.1:%d (from systemd)" % port), 2)
        second.send_signal(signal.SIGTERM)
        self.assertEqual(second.wait(10), 0)


class NotifyTest(ftptest.TestCase):

    def test_ready_reloading_stopping(self):
        d = tempfile.mkdtemp(prefix="ferryd-notify-")
        self.addCleanup(ftptest.shutil.rmtree, d, True)
        path = os.path.join(d, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        # The listener sends after dropping root: the connected socket
        # still works (systemd's is writable by all anyway).
        os.chmod(path, 0o600)
        sock.settimeout(ftptest.TIMEOUT)
        srv = ftptest.Server(env=dict(os.environ, NOTIFY_SOCKET=path))
        self.addCleanup(srv.cleanup)
        srv.start()
        self.assertEqual(sock.recv(4096), b"READY=1")
        # Ready means serving: a login works at once.
        f = ftptest.Ftp(srv)
        self.addCleanup(f.close)
        srv.proc.send_signal(signal.SIGHUP)
        msg = sock.recv(4096).decode()
        self.assertRegex(msg, r"^RELOADING=1\nMONOTONIC_USEC=\d+$")
        usec = int(msg.split("=")[-1])
        with open("/proc/uptime") as u:
            self.assertLess(abs(usec / 1e6 - float(u.read().split()[0])), 60)
        self.assertEqual(sock.recv(4096), b"READY=1")
        self.assertTrue(srv.wait_log(r"reloaded:"), srv.log_tail())
        f.quit()
        srv.proc.send_signal(signal.SIGTERM)
        self.assertEqual(sock.recv(4096), b"STOPPING=1")
        self.assertEqual(srv.proc.wait(10), 0)

    def test_abstract_socket(self):
        name = "ferryd-test-%d" % os.getpid()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind("\0" + name)
        sock.settimeout(ftptest.TIMEOUT)
        srv = ftptest.Server(env=dict(os.environ, NOTIFY_SOCKET="@" + name))
        self.addCleanup(srv.cleanup)
        srv.start()
        self.assertEqual(sock.recv(4096), b"READY=1")

    def test_unusable_notify_socket(self):
        srv = ftptest.Server(env=dict(os.environ, NOTIFY_SOCKET="/nonexistent/notify"))
        self.addCleanup(srv.cleanup)
        self.assertRaises(ftptest.ServerError, srv.start)
        self.assertEqual(srv.returncode, 1)
        self.assertIn("NOTIFY_SOCKET=/nonexistent/notify: No such file or directory",
                      srv.log_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
