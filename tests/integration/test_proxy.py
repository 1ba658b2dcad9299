"""ferryd behind a proxy: with --proxy-protocol every control connection
must come from a --proxy-from address and start with a PROXY header
(version 1 text or version 2 binary); the client address in it is the one
ferryd logs, limits (--max-per-ip), bans and holds data connections to.
Anything else is refused: other addresses get 421, a bad or missing
header a closed connection, without blocking the listener. Passive data
connections relayed by the proxy carry a header too. Also: --pasv-address
per listener and for IPv6."""

import re
import socket
import struct
import subprocess
import time
import unittest
import urllib.request

import config

import ftptest
from ftptest import Control

PROXY = "127.0.0.1"          # the test plays the proxy from here
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
DATA = b"real client bytes\n" * 1000


def v1(src, sport=40000, dst="127.0.0.1", dport=21):
    fam = "TCP6" if ":" in src else "TCP4"
    return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst, sport, dport)).encode()


def v2(src, sport=40000, dst="127.0.0.1", dport=21, tlvs=b"", local=False):
    """A version 2 header (TCP over IPv4), with TLVs after the addresses."""
    if local:
        return SIG + bytes([0x20, 0x00]) + struct.pack("!H", 0)
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport) + tlvs
    return SIG + bytes([0x21, 0x11]) + struct.pack("!H", len(body)) + body


def proxied(server, header, source=PROXY, split=None):
    """A control connection that sends header first (in two pieces when
    split is given) and then reads the greeting."""
    c = Control(server, source=source, greeting=False)
    if split:
        c.send(header[:split])
        time.sleep(0.1)
        c.send(header[split:])
    else:
        c.send(header)
    c.greeting = c.reply()
    return c


def closed_without_reply(sock, timeout):
    """True if the server closes sock (FIN or RST) within timeout without
    sending a byte."""
    sock.settimeout(timeout)
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


class ProxyTest(ftptest.TestCase):

    def start(self, args=(), **kw):
        srv = ftptest.Server(["--anonymous=rw", "--proxy-protocol", "--proxy-from",
                              "192.0.2.0/24,%s/32,::1" % PROXY] + list(args), **kw)
        srv.write("f.bin", DATA)
        self.server = srv
        srv.start()
        self.addCleanup(srv.cleanup)
        return srv

    def epsv_retr(self, c, source, header=None):
        """RETR f.bin over EPSV with the data connection from source
        (sending header first, as a proxy does); returns (bytes, final reply)."""
        port = c.epsv()
        d = ftptest.data_connect(PROXY, port, source=source)
        if header:
            d.sendall(header)
        r = c.cmd("RETR f.bin")
        data = b""
        if r.code == 150:
            data = ftptest.recv_all(d)
            r = c.reply()
        d.close()
        return data, r

    def test_v1_header_names_the_client(self):
        srv = self.start()
        c = proxied(srv, v1("198.51.100.7", 5555))
        self.addCleanup(c.close)
        self.assertCode(c.greeting, 220)
        c.login()
        m = srv.wait_log(r"session start: peer=198\.51\.100\.7:5555 via=127\.0\.0\.1:\d+")
        self.assertTrue(m, srv.log_tail())
        self.assertTrue(srv.wait_log(r"login: peer=198\.51\.100\.7:5555 user=anonymous"))
        # Active mode goes only to the real client, never to the proxy.
        self.assertCode(c.cmd("PORT 127,0,0,1,200,10"), 501)

    def test_v2_header_and_data_connections(self):
        srv = self.start()
        tlvs = b"\x01\x00\x03ftp" + b"\x04\x00\x00"     # ALPN and NOOP: skipped
        c = proxied(srv, v2("127.0.0.5", 4444, tlvs=tlvs), split=7)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        # Straight from the real client: served.
        data, r = self.epsv_retr(c, "127.0.0.5")
        self.assertCode(r, 226)
        self.assertEqual(data, DATA)
        # From another address: refused.
        data, r = self.epsv_retr(c, "127.0.0.6")
        self.assertCode(r, 425)
        self.assertEqual(data, b"")
        # Relayed by the proxy with the client's header (v1 and v2): served.
        for hdr in (v1("127.0.0.5", 1), v2("127.0.0.5", 2)):
            data, r = self.epsv_retr(c, PROXY, hdr)
            self.assertCode(r, 226)
            self.assertEqual(data, DATA)
        # Relayed for someone else, or with a broken header: refused.
        data, r = self.epsv_retr(c, PROXY, v2("127.0.0.6", 3))
        self.assertCode(r, 425)
        data, r = self.epsv_retr(c, PROXY, b"hello\r\n")
        self.assertCode(r, 425)
        self.assertIn("PROXY header", r.text)
        # Active mode to the real client's address works.
        ls, port = ftptest.active_listener("127.0.0.5")
        self.addCleanup(ls.close)
        self.assertCode(c.cmd("PORT " + ftptest.port_arg("127.0.0.5", port)), 200)
        self.assertCode(c.cmd("RETR f.bin"), 150)
        d, _ = ls.accept()
        self.assertEqual(ftptest.recv_all(d), DATA)
        d.close()
        self.assertCode(c.reply(), 226)
        self.assertTrue(srv.wait_log(r"refused data connection from 127\.0\.0\.6"))

    def test_local_header_is_the_proxy_itself(self):
        srv = self.start()
        c = proxied(srv, v2("", local=True))
        self.addCleanup(c.close)
        self.assertCode(c.greeting, 220)
        self.assertCode(c.cmd("QUIT"), 221)
        self.assertTrue(srv.wait_log(r"session start: peer=127\.0\.0\.1:\d+ via=127\.0\.0\.1"))

    def test_other_addresses_refused(self):
        srv = self.start(["--metrics", "127.0.0.1:0"])
        c = Control(srv, source="127.0.0.7")
        self.addCleanup(c.close)
        self.assertCode(c.greeting, 421)
        self.assertIn("proxy only", c.greeting.text)
        self.assertTrue(srv.wait_log(r"refused 127\.0\.0\.7:\d+: not a --proxy-from address"))
        m = srv.wait_log(r"metrics on (http://\S+)")
        with urllib.request.urlopen(m.group(1), timeout=10) as r:
            text = r.read().decode()
        self.assertIn('\nferryd_refused_total{reason="proxy"} 1\n', text)
        self.assertIn("\nferryd_sessions_total 0\n", text)

    def test_bad_and_missing_headers_are_closed_silently(self):
        srv = self.start()
        for junk in (b"USER anonymous\r\n", b"PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n",
                     SIG + b"\x21\x12\x00\x0c" + b"\x00" * 12):
            with self.subTest(junk=junk):
                s = ftptest.data_connect(srv.host, srv.port, source=PROXY)
                s.sendall(junk)
                self.assertTrue(closed_without_reply(s, 5))
                s.close()
        self.assertTrue(srv.wait_log(r"proxy: bad header from 127\.0\.0\.1:\d+: version 1 port"))
        # No header at all: closed after 5 s. Meanwhile the listener serves
        # others at once: it never waits for one connection's header.
        silent = ftptest.data_connect(srv.host, srv.port, source=PROXY)
        self.addCleanup(silent.close)
        half = ftptest.data_connect(srv.host, srv.port, source=PROXY)
        self.addCleanup(half.close)
        half.sendall(v1("192.0.2.1")[:12])
        t0 = time.monotonic()
        c = proxied(srv, v1("192.0.2.2"))
        c.login()
        c.close()
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertTrue(closed_without_reply(silent, 10))
        self.assertTrue(closed_without_reply(half, 5))
        waited = time.monotonic() - t0
        self.assertGreater(waited, 4.0)
        self.assertLess(waited, 9.0)
        self.assertTrue(srv.wait_log(r"proxy: no header from 127\.0\.0\.1:\d+ within 5 seconds"))

    def test_limits_and_bans_count_the_real_client(self):
        srv = self.start(["--max-per-ip", "2", "--ban-after", "2"])
        # Every connection comes from 127.0.0.1; the limit counts clients.
        held = [proxied(srv, v1("192.0.2.1")) for _ in range(2)]
        for c in held:
            self.addCleanup(c.close)
            self.assertCode(c.greeting, 220)
        third = proxied(srv, v1("192.0.2.1"))
        self.addCleanup(third.close)
        self.assertCode(third.greeting, 421)
        self.assertIn("from your address", third.greeting.text)
        other = proxied(srv, v2("192.0.2.2"))
        self.addCleanup(other.close)
        self.assertCode(other.greeting, 220)
        # Two wrong passwords ban 192.0.2.9, not the proxy.
        g = proxied(srv, v1("192.0.2.9"))
        self.addCleanup(g.close)
        try:
            for i in range(2):
                g.cmd("USER anonymous-no")
                g.cmd("PASS wrong%d" % i)
        except ftptest.ConnectionClosed:
            pass    # the ban ends the guessing session
        self.assertTrue(srv.wait_log(r"banned: addr=192\.0\.2\.9 "), srv.log_tail())
        self.assertTrue(srv.wait_log(r"login failed: addr=192\.0\.2\.9 attempt=1"))
        b = proxied(srv, v1("192.0.2.9"))
        self.addCleanup(b.close)
        self.assertCode(b.greeting, 421)
        ok = proxied(srv, v1("192.0.2.10"))
        self.addCleanup(ok.close)
        self.assertCode(ok.greeting, 220)
        ok.login()

    def test_option_errors(self):
        for args, text in ((["--proxy-protocol"], "needs --proxy-from"),
                           (["--proxy-from", "10.0.0.1"], "only used with --proxy-protocol"),
                           (["--proxy-protocol", "--proxy-from", "10.0.0.0/33"], "prefix length"),
                           (["--proxy-protocol", "--proxy-from", "10.0.0.1,host"], "host"),
                           (["--proxy-protocol", "--proxy-from", "10.0.0.1", "-i"], "-i"),
                           (["--pasv-address", "example.org"], "--pasv-address"),
                           (["-l", "127.0.0.1:0,pasv-address=x"], "pasv-address"),
                           (["-l", "127.0.0.1:0,mode=fast"], "unknown listener setting")):
            with self.subTest(args=args):
                r = subprocess.run([config.FERRYD] + args, capture_output=True, text=True,
                                   timeout=10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(text, r.stderr)


class PasvAddressTest(ftptest.TestCase):

    def test_ipv4_client_relayed_over_ipv6(self):
        """A dual-stack balancer: IPv4 clients, nodes reached over IPv6.
        PASV announces the IPv4 --pasv-address; the passive socket is on
        the node's IPv6 address, where the balancer relays the data."""
        srv = ftptest.Server(["--anonymous=ro", "--proxy-protocol", "--proxy-from", "::1",
                              "--pasv-address", "192.0.2.10", "--pasv-address", "2001:db8::10"],
                             listen="[::1]:0")
        srv.host = "::1"
        srv.write("f.bin", DATA)
        self.server = srv
        srv.start()
        self.addCleanup(srv.cleanup)
        c = Control(srv, greeting=False, family=socket.AF_INET6)
        self.addCleanup(c.close)
        hdr = v1("127.0.0.5", 4444, dst="192.0.2.10")
        c.send(hdr)
        self.assertCode(c.reply(), 220)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        r = c.expect("PASV", 227)
        m = re.search(r"\(192,0,2,10,(\d+),(\d+)\)", r.text)
        self.assertTrue(m, r)
        d = ftptest.data_connect("::1", int(m.group(1)) * 256 + int(m.group(2)),
                                 family=socket.AF_INET6)
        d.sendall(hdr)
        self.assertCode(c.cmd("RETR f.bin"), 150)
        self.assertEqual(ftptest.recv_all(d), DATA)
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("EPSV 1"), 229)
        self.assertTrue(srv.wait_log(r"session start: peer=127\.0\.0\.5:4444 via=\[::1\]:\d+"))

    def test_per_listener_and_global(self):
        srv = ftptest.Server(["-l", "127.0.0.2:0,pasv-address=192.0.2.10",
                              "-l", "[::1]:0,pasv-address=2001:db8::10",
                              "--pasv-address", "198.51.100.5", "--pasv-address", "2001:db8::5"])
        srv.write("f.bin", DATA)
        self.server = srv
        srv.start()
        self.addCleanup(srv.cleanup)
        ports = {a: p for a, p in srv.addresses}
        # 127.0.0.1 (no value of its own): the global IPv4 address.
        c = Control(srv)
        self.addCleanup(c.close)
        c.login()
        self.assertIn("(198,51,100,5,", c.expect("PASV", 227).text)
        # 127.0.0.2: its own.
        c2 = Control(srv, host="127.0.0.2", port=ports["127.0.0.2"])
        self.addCleanup(c2.close)
        c2.login()
        self.assertCode(c2.cmd("TYPE I"), 200)
        r = c2.expect("PASV", 227)
        self.assertIn("(192,0,2,10,", r.text)
        # The passive socket is still on the node's own address: the
        # announced one is the balancer's.
        port = int(re.search(r",(\d+),(\d+)\)", r.text).group(1)) * 256 + \
            int(re.search(r",(\d+),(\d+)\)", r.text).group(2))
        d = ftptest.data_connect("127.0.0.2", port)
        self.assertCode(c2.cmd("RETR f.bin"), 150)
        self.assertEqual(ftptest.recv_all(d), DATA)
        self.assertCode(c2.reply(), 226)
        # IPv6: EPSV carries only a port; PASV cannot carry IPv6 at all.
        c6 = Control(srv, host="::1", port=ports["::1"], family=socket.AF_INET6)
        self.addCleanup(c6.close)
        c6.login()
        self.assertCode(c6.cmd("TYPE I"), 200)
        self.assertCode(c6.cmd("PASV"), 425)
        d = ftptest.data_connect("::1", c6.epsv(), family=socket.AF_INET6)
        self.assertCode(c6.cmd("RETR f.bin"), 150)
        self.assertEqual(ftptest.recv_all(d), DATA)
        self.assertCode(c6.reply(), 226)


if __name__ == "__main__":
    unittest.main(verbosity=2)
