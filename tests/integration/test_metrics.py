"""ferryd --metrics ADDR:PORT: the listener serves Prometheus' text format
at /metrics. A run with known actions (logins, a failed one and the ban
it causes, uploads and downloads of known sizes through curl and ftplib,
an aborted download, a data connection from the wrong address, an
active-mode connect that fails), scraped
with curl while a session is open and after: every counter equals what
the test did. A scraper that never finishes its request does not delay
logins or other scrapes; a 10 KiB request head gets 400."""

import io
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest

import config

import ftptest
from ftptest import Control

PASSWORD = "pw-Alice-2"
OTHER = "127.0.0.2"
BIG = ftptest.random_bytes(4 << 20, seed=5)
UP_A = ftptest.random_bytes(300000, seed=6)
UP_B = ftptest.random_bytes(123457, seed=7)


def parse(text):
    """{series: value} from the exposition text, e.g.
    'ferryd_logins_total{result="ok"}': 5."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            out[series] = float(value)
    return out


class MetricsTest(ftptest.TestCase):

    def setUp(self):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server()
        users = ftptest.users_file(srv, "alice", PASSWORD)
        srv.args = ["-u", users, "--anonymous=rw", "--ban-after", "1",
                    "--metrics", "127.0.0.1:0"]
        srv.write("big.bin", BIG)
        self.server = srv
        srv.start()
        self.addCleanup(srv.cleanup)
        m = srv.wait_log(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
        self.assertTrue(m, srv.log_tail())
        self.mport = int(m.group(1))
        self.murl = "http://127.0.0.1:%d/metrics" % self.mport

    def curl(self, *args):
        r = subprocess.run([config.CURL, "-sS", "--max-time", "20"] + list(args),
                           capture_output=True, timeout=40)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def scrape(self):
        return parse(self.curl(self.murl).decode())

    def wait_metric(self, series, value):
        """Scrapes until series has value (sessions end a little after
        their clients); returns the last scrape."""
        last = {}

        def check():
            nonlocal last
            last = self.scrape()
            return last.get(series) == value
        ftptest.wait_until(check, timeout=5)
        return last

    def test_counters_match_the_run(self):
        srv = self.server
        held = Control(srv)
        self.addCleanup(held.close)
        held.login()
        m = self.wait_metric("ferryd_sessions", 1)
        self.assertEqual(m["ferryd_sessions"], 1)
        self.assertEqual(m["ferryd_sessions_total"], 1)
        self.assertEqual(m['ferryd_logins_total{result="ok"}'], 1)
        self.assertEqual([v for k, v in m.items() if k.startswith("ferryd_build_info{")], [1])
        self.assertLess(abs(m["ferryd_start_time_seconds"] - time.time()), 120)

        # Two uploads (curl as alice, ftplib anonymously), one download.
        with tempfile.NamedTemporaryFile() as src:
            src.write(UP_A)
            src.flush()
            self.curl("-T", src.name, srv.url("/a.bin", "alice", PASSWORD))
        f = ftptest.Ftp(srv)
        f.storbinary("STOR b.bin", io.BytesIO(UP_B))
        f.quit()
        self.assertEqual(self.curl(srv.url("/big.bin", "anonymous", "guest")), BIG)

        # An aborted download, then a data connection from another address.
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        d = ftptest.data_connect(srv.host, c.epsv(), rcvbuf=4096)
        self.assertCode(c.cmd("RETR big.bin"), 150)
        self.assertTrue(d.recv(1000))
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        d.close()
        port = c.epsv()
        d = ftptest.data_connect(srv.host, port, source=OTHER)
        self.assertCode(c.cmd("RETR big.bin"), 150)
        self.assertCode(c.reply(), 425)
        d.close()
        # Active mode to a port where nobody listens.
        s = socket.socket()
        s.bind((ftptest.HOST, 0))
        closed_port = s.getsockname()[1]
        s.close()
        self.assertCode(c.cmd("PORT " + ftptest.port_arg(ftptest.HOST, closed_port)), 200)
        self.assertCode(c.cmd("RETR big.bin"), 150)
        self.assertCode(c.reply(), 425)
        c.cmd("QUIT")
        c.close()

        # A failed login from OTHER bans it (--ban-after 1); it is refused.
        g = Control(srv, source=OTHER)
        g.cmd("USER alice")
        try:
            g.cmd("PASS wrong")
        except ftptest.ConnectionClosed:
            pass
        g.close()
        self.assertTrue(srv.wait_log(r"banned: addr=127\.0\.0\.2 "))
        r = Control(srv, source=OTHER)
        self.assertCode(r.greeting, 421)
        r.close()

        m = self.wait_metric("ferryd_sessions", 1)
        aborted = re.search(r"RETR /big\.bin bytes=(\d+) seconds=\S+ result=aborted",
                            srv.log_text())
        self.assertTrue(aborted, srv.log_tail())
        expected = {
            "ferryd_sessions": 1,
            "ferryd_sessions_total": 6,
            'ferryd_logins_total{result="ok"}': 5,
            'ferryd_logins_total{result="failed"}': 1,
            "ferryd_bans_total": 1,
            "ferryd_banned_addresses": 1,
            'ferryd_refused_total{reason="banned"}': 1,
            'ferryd_refused_total{reason="max_per_ip"}': 0,
            'ferryd_transfer_bytes_total{direction="in"}': len(UP_A) + len(UP_B),
            'ferryd_transfer_bytes_total{direction="out"}': len(BIG) + int(aborted.group(1)),
            'ferryd_transfers_total{command="STOR",result="ok"}': 2,
            'ferryd_transfers_total{command="RETR",result="ok"}': 1,
            'ferryd_transfers_total{command="RETR",result="aborted"}': 1,
            'ferryd_transfers_total{command="RETR",result="failed"}': 0,
            'ferryd_data_connection_failures_total{reason="wrong_peer"}': 1,
            'ferryd_data_connection_failures_total{reason="timeout"}': 0,
            'ferryd_data_connection_failures_total{reason="connect"}': 1,
            'ferryd_tls_handshakes_total{result="ok"}': 0,
        }
        self.assertEqual({k: m.get(k) for k in expected}, expected)
        held.cmd("QUIT")
        held.close()
        self.assertEqual(self.wait_metric("ferryd_sessions", 0)["ferryd_sessions"], 0)

    def test_slow_scrapers_block_nothing(self):
        srv = self.server
        # Several scrapers that send half a request and wait.
        slow = []
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", self.mport), timeout=10)
            s.sendall(b"GET /metr")
            slow.append(s)
            self.addCleanup(s.close)
        t0 = time.monotonic()
        f = ftptest.Ftp(srv)
        f.quit()
        self.assertIn("ferryd_sessions_total", self.curl(self.murl).decode())
        self.assertLess(time.monotonic() - t0, 1.5)
        # Each is dropped after its 2 s, without an answer.
        for s in slow:
            s.settimeout(5)
            try:
                self.assertEqual(s.recv(100), b"")
            except ConnectionResetError:
                pass
        # A request head over 4 KiB: 400; another path: 404.
        big = socket.create_connection(("127.0.0.1", self.mport), timeout=10)
        self.addCleanup(big.close)
        big.sendall(b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 10240 + b"\r\n\r\n")
        self.assertTrue(big.recv(100).startswith(b"HTTP/1.0 400"))
        r = subprocess.run([config.CURL, "-s", "-o", "/dev/null", "-w", "%{http_code}",
                            "--max-time", "10", self.murl.replace("/metrics", "/")],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.stdout, "404")

    def test_bad_metrics_option(self):
        for arg, text in (("127.0.0.1", "ADDR:PORT"), ("::1", "ADDR:PORT"),
                          ("127.0.0.1:99999", "port")):
            with self.subTest(arg=arg):
                r = subprocess.run([config.FERRYD, "--metrics", arg], capture_output=True,
                                   text=True, timeout=10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(text, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
