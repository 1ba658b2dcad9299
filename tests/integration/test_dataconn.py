"""ferryd: data connections. PASV, EPSV (and EPSV ALL), PORT and EPRT carry
listings and files; a passive connection from another address than the
control peer's is closed and the transfer answers 425 without sending the
intruder a byte; PORT/EPRT to another host or to a port below 1024 get 501;
--pasv-ports and --pasv-address; IPv6 on ::1."""

import os
import random
import re
import socket
import time
import unittest

import ftptest
from ftptest import Control, read_file, recv_all

DATA = ftptest.random_bytes(1 << 20, seed=3)


class DataConnTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        srv.write("dir/a.txt", b"a")
        srv.write("dir/b.txt", b"b")
        srv.start()
        cls.server = srv

    def raw(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        return c

    def retr_over(self, c, data):
        """RETR data.bin over an already set-up data connection."""
        r = c.cmd("RETR data.bin")
        self.assertCode(r, 125, 150)
        got = recv_all(data)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(got, DATA)

    def nlst_over(self, c, data):
        self.assertCode(c.cmd("NLST dir"), 125, 150)
        got = recv_all(data)
        data.close()
        self.assertCode(c.reply(), 226)
        names = sorted(n.rsplit("/", 1)[-1] for n in got.decode().split("\r\n") if n)
        self.assertEqual(names, ["a.txt", "b.txt"])

    # -- passive --

    def test_pasv(self):
        c = self.raw()
        host, port = c.pasv()
        self.assertEqual(host, "127.0.0.1")
        self.assertGreaterEqual(port, 1024)
        self.retr_over(c, ftptest.data_connect(host, port))
        self.nlst_over(c, c.open_pasv())

    def test_epsv(self):
        c = self.raw()
        r = c.cmd("EPSV")
        self.assertCode(r, 229)
        m = re.search(r"\(\|\|\|(\d+)\|\)", r.text)
        self.assertIsNotNone(m, r)
        self.retr_over(c, ftptest.data_connect("127.0.0.1", int(m.group(1))))
        self.nlst_over(c, ftptest.data_connect("127.0.0.1", c.epsv("1")))
        self.assertCode(c.cmd("EPSV 2"), 522)

    def test_epsv_all(self):
        c = self.raw()
        self.assertCode(c.cmd("EPSV ALL"), 200)
        for cmd in ("PASV", "PORT 127,0,0,1,200,1", "EPRT |1|127.0.0.1|51201|"):
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 503)
        self.retr_over(c, c.open_epsv())

    def test_upload_over_pasv_and_epsv(self):
        c = self.raw()
        for name, opener in (("pasv-up.bin", c.open_pasv), ("epsv-up.bin", c.open_epsv)):
            data = opener()
            self.assertCode(c.cmd("STOR " + name), 125, 150)
            data.sendall(DATA)
            data.close()
            self.assertCode(c.reply(), 226)
            self.assertEqual(read_file(self.server.path(name)), DATA)
            os.unlink(self.server.path(name))

    def test_pasv_ports_without_range(self):
        """Without --pasv-ports the port is one the kernel could have
        picked for port 0 (its ip_local_port_range, none of its reserved
        ports), taken at random, and the connection works over both."""
        try:
            with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
                lo, hi = (int(x) for x in f.read().split())
            with open("/proc/sys/net/ipv4/ip_local_reserved_ports") as f:
                reserved = f.read().strip()
        except OSError:
            self.skipTest("no /proc/sys/net/ipv4")
        banned = set()
        for part in filter(None, reserved.split(",")):
            a, _, b = part.partition("-")
            banned.update(range(int(a), int(b or a) + 1))
        c = self.raw()
        ports = set()
        for _ in range(8):
            _, port = c.pasv()
            ports.add(port)
            ports.add(c.epsv())
        for port in ports:
            self.assertTrue(lo <= port <= hi, "port %d outside %d-%d" % (port, lo, hi))
            self.assertNotIn(port, banned)
        self.assertGreater(len(ports), 8, "ports are not picked at random")
        for opener in (c.open_pasv, c.open_epsv):
            self.retr_over(c, opener())

    def test_epsv_written_with_other_commands(self):
        """A client that writes ALLO and EPSV in one write (as ferry does),
        or EPSV and RETR, gets every reply in order, and the data connection
        the 229 names carries the file."""
        c = self.raw()
        c.send(("ALLO %d\r\nEPSV\r\n" % len(DATA)).encode())
        self.assertCode(c.reply(), 200, 202)
        r = c.reply()
        self.assertCode(r, 229)
        port = int(re.search(r"\(\|\|\|(\d+)\|\)", r.text).group(1))
        data = ftptest.data_connect("127.0.0.1", port)
        self.assertCode(c.cmd("STOR ahead.bin"), 125, 150)
        data.sendall(DATA)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(self.server.path("ahead.bin")), DATA)
        os.unlink(self.server.path("ahead.bin"))
        c.send(b"EPSV\r\nRETR data.bin\r\n")
        r = c.reply()
        self.assertCode(r, 229)
        port = int(re.search(r"\(\|\|\|(\d+)\|\)", r.text).group(1))
        data = ftptest.data_connect("127.0.0.1", port)
        self.assertCode(c.reply(), 125, 150)
        got = recv_all(data)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(got, DATA)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_new_pasv_replaces_old(self):
        c = self.raw()
        c.pasv()
        host, port = c.pasv()
        self.retr_over(c, ftptest.data_connect(host, port))

    # Each transfer verb refused before its 150, with the file the next
    # upload must not create.
    REFUSED = ("RETR nosuch.bin", "STOR nosuch/x", "APPE nosuch/x", "STOU nosuch/x",
               "MLSD nosuch", "NLST nosuch/*", "LIST nosuch/*")

    def test_refused_transfer_drops_the_passive_connection(self):
        """A transfer refused before its 150 uses up the channel PASV
        prepared: the next transfer needs a new PASV (as proftpd answers
        it) and does not read the connection the client opened for the
        refused one, even when the client has closed it: that STOR would
        store an empty file with 226."""
        for i, refused in enumerate(self.REFUSED):
            with self.subTest(refused=refused):
                name = "after-refused-%d.bin" % i
                y = self.server.path(name)
                c = self.raw()
                data = ftptest.data_connect(*c.pasv())
                self.addCleanup(data.close)
                self.assertCode(c.cmd(refused), 450, 550)
                data.close()
                r = c.cmd("STOR " + name)
                self.assertEqual(r.raw, b"425 Use PASV, EPSV, PORT or EPRT first.\r\n")
                self.assertFalse(os.path.exists(y))
                # A new PASV carries the next upload as usual.
                data = ftptest.data_connect(*c.pasv())
                self.assertCode(c.cmd("STOR " + name), 150)
                data.sendall(b"y")
                data.close()
                self.assertCode(c.reply(), 226)
                self.assertEqual(read_file(y), b"y")
                os.unlink(y)

    # -- active --

    def active_retr(self, c, setup_cmd, listener):
        self.assertCode(c.cmd(setup_cmd), 200)
        r = c.cmd("RETR data.bin")
        self.assertCode(r, 125, 150)
        conn, addr = listener.accept()
        self.assertEqual(addr[0], "127.0.0.1")
        got = recv_all(conn)
        conn.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(got, DATA)

    def test_port(self):
        c = self.raw()
        lst, port = ftptest.active_listener()
        self.addCleanup(lst.close)
        self.active_retr(c, "PORT " + ftptest.port_arg("127.0.0.1", port), lst)
        # Upload and listing too.
        self.assertCode(c.cmd("PORT " + ftptest.port_arg("127.0.0.1", port)), 200)
        self.assertCode(c.cmd("STOR port-up.bin"), 125, 150)
        conn, _ = lst.accept()
        conn.sendall(DATA[:5000])
        conn.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(self.server.path("port-up.bin")), DATA[:5000])
        os.unlink(self.server.path("port-up.bin"))
        self.assertCode(c.cmd("PORT " + ftptest.port_arg("127.0.0.1", port)), 200)
        self.assertCode(c.cmd("NLST dir"), 125, 150)
        conn, _ = lst.accept()
        got = recv_all(conn)
        conn.close()
        self.assertCode(c.reply(), 226)
        self.assertIn(b"a.txt", got)

    def test_eprt(self):
        c = self.raw()
        lst, port = ftptest.active_listener()
        self.addCleanup(lst.close)
        self.active_retr(c, "EPRT |1|127.0.0.1|%d|" % port, lst)

    def test_active_with_ftplib(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.set_pasv(False)
        out = []
        f.retrbinary("RETR data.bin", out.append)
        self.assertEqual(b"".join(out), DATA)
        self.assertEqual(sorted(f.nlst("dir"))[0].rsplit("/", 1)[-1], "a.txt")

    def test_refused_transfer_drops_the_port_target(self):
        """After a RETR refused before its 150, the next transfer has no
        PORT target: it answers 425 instead of connecting to it."""
        c = self.raw()
        lst, port = ftptest.active_listener()
        self.addCleanup(lst.close)
        self.assertCode(c.cmd("PORT " + ftptest.port_arg("127.0.0.1", port)), 200)
        self.assertCode(c.cmd("RETR nosuch.bin"), 550)
        r = c.cmd("RETR data.bin")
        self.assertEqual(r.raw, b"425 Use PASV, EPSV, PORT or EPRT first.\r\n")

    def test_port_to_another_host(self):
        c = self.raw()
        for arg in ("PORT 10,0,0,1,200,1", "PORT 127,0,0,2,200,1", "PORT 192,0,2,1,4,1",
                    "EPRT |1|127.0.0.2|51201|", "EPRT |1|10.0.0.1|51201|",
                    "EPRT |2|::1|51201|"):
            with self.subTest(cmd=arg):
                self.assertCode(c.cmd(arg), 501, 522, msg="for " + arg)
        # The refused address is not used: a transfer now has no data connection.
        self.assertCode(c.cmd("NOOP"), 200)

    def test_port_below_1024(self):
        c = self.raw()
        for arg in ("PORT 127,0,0,1,0,21", "PORT 127,0,0,1,0,22", "PORT 127,0,0,1,3,255",
                    "PORT 127,0,0,1,0,0", "EPRT |1|127.0.0.1|80|", "EPRT |1|127.0.0.1|0|"):
            with self.subTest(cmd=arg):
                self.assertCode(c.cmd(arg), 501, msg="for " + arg)
        self.assertCode(c.cmd("PORT 127,0,0,1,4,0"), 200)   # 1024 is fine

    def test_refused_port_not_connected_to(self):
        # After a refused PORT the server must not connect anywhere.
        c = self.raw()
        lst, port = ftptest.active_listener("127.0.0.2")
        self.addCleanup(lst.close)
        self.assertCode(c.cmd("PORT " + ftptest.port_arg("127.0.0.2", port)), 501)
        r = c.cmd("RETR data.bin")
        self.assertTrue(r.code >= 400, r)
        lst.settimeout(0.5)
        with self.assertRaises(socket.timeout):
            lst.accept()

    def test_abor_and_stat_while_active_connect_hangs(self):
        """ferryd's active connect to a client that does not answer (its
        listener's queue is full, so the kernel drops the SYNs) is a wait
        for the data connection like a passive one: STAT reports it and
        ABOR stops it at once, not after the 10 second connect time-out."""
        lst = socket.socket()
        self.addCleanup(lst.close)
        lst.bind(("127.0.0.1", 0))
        lst.listen(0)
        port = lst.getsockname()[1]
        for _ in range(2):
            filler = socket.socket()
            self.addCleanup(filler.close)
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.2)
        probe = socket.socket()
        self.addCleanup(probe.close)
        probe.settimeout(0.5)
        with self.assertRaises(socket.timeout, msg="the listener still takes connections"):
            probe.connect(("127.0.0.1", port))
        c = self.raw()
        self.assertCode(c.cmd("EPRT |1|127.0.0.1|%d|" % port), 200)
        self.assertCode(c.cmd("RETR data.bin"), 150)
        start = time.monotonic()
        r = c.cmd("STAT", timeout=3)
        self.assertCode(r, 213)
        self.assertIn("waiting for the data connection", r.text)
        self.assertCode(c.cmd("ABOR", timeout=3), 426)
        self.assertCode(c.reply(timeout=3), 226)
        self.assertLess(time.monotonic() - start, 5)
        self.assertCode(c.cmd("NOOP"), 200)
        self.retr_over(c, c.open_pasv())

    # -- intruders --

    def intruder_test(self, mode, upload=False):
        c = self.raw()
        if mode == "PASV":
            host, port = c.pasv()
        else:
            host, port = "127.0.0.1", c.epsv()
        intruder = ftptest.data_connect(host, port, source="127.0.0.2")
        self.addCleanup(intruder.close)
        time.sleep(0.2)
        # The real client connects too (it may find the port closed).
        real = None
        try:
            real = ftptest.data_connect(host, port)
            self.addCleanup(real.close)
        except OSError:
            pass
        before = ftptest.tree_snapshot(self.server.root)
        c.send(("STOR intruded.bin" if upload else "RETR data.bin") + "\r\n")
        if upload and real is not None:
            try:
                real.sendall(b"real")
                real.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        r = c.reply()
        if r.code in (125, 150):
            r = c.reply()
        self.assertCode(r, 425, msg="a foreign data connection must fail the transfer")
        got = recv_all(intruder, timeout=5)
        self.assertEqual(got, b"", "the intruder received %d bytes" % len(got))
        if real is not None:
            try:
                real_got = recv_all(real, timeout=5)
            except socket.timeout:
                real_got = b""
            self.assertNotEqual(real_got, DATA, "the transfer went ahead")
        # Nothing was written, and the session goes on.
        self.assertEqual(ftptest.tree_snapshot(self.server.root), before)
        self.assertCode(c.cmd("NOOP"), 200)
        self.retr_over(c, c.open_pasv())

    def test_pasv_intruder(self):
        self.intruder_test("PASV")

    def test_epsv_intruder(self):
        self.intruder_test("EPSV")

    def test_pasv_intruder_upload(self):
        self.intruder_test("PASV", upload=True)

    def test_intruder_cannot_write(self):
        # An intruder that sends data on its connection gets none of it stored.
        c = self.raw()
        host, port = c.pasv()
        intruder = ftptest.data_connect(host, port, source="127.0.0.2")
        self.addCleanup(intruder.close)
        try:
            intruder.sendall(b"EVIL" * 1000)
        except OSError:
            pass
        time.sleep(0.2)
        r = c.cmd("STOR evil.bin")
        if r.code in (125, 150):
            r = c.reply()
        self.assertCode(r, 425)
        self.assertFalse(os.path.exists(self.server.path("evil.bin")))


class PasvOptionsTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.lo = random.Random(os.getpid()).randrange(42000, 58000)
        cls.hi = cls.lo + 19
        srv = ftptest.Server(["--pasv-ports", "%d-%d" % (cls.lo, cls.hi)])
        cls.addClassCleanup(srv.cleanup)
        srv.write("f.txt", b"ranged\n")
        srv.start()
        cls.server = srv
        srv2 = ftptest.Server(["--pasv-address", "10.1.2.3"])
        cls.addClassCleanup(srv2.cleanup)
        srv2.start()
        cls.server2 = srv2

    def test_pasv_ports_range(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        ports = set()
        for _ in range(8):
            host, port = c.pasv()
            self.assertTrue(self.lo <= port <= self.hi, "PASV port %d outside %d-%d"
                            % (port, self.lo, self.hi))
            ports.add(port)
            port = c.epsv()
            self.assertTrue(self.lo <= port <= self.hi, "EPSV port %d outside range" % port)
        self.assertGreater(len(ports), 1, "ports are not picked at random")
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("RETR f.txt"), 125, 150)
        self.assertEqual(recv_all(data), b"ranged\n")
        data.close()
        self.assertCode(c.reply(), 226)

    def test_pasv_address(self):
        c = Control(self.server2)
        self.addCleanup(c.close)
        c.login()
        r = c.cmd("PASV")
        self.assertCode(r, 227)
        self.assertIn("10,1,2,3,", r.text)


class IPv6Test(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["-l", "[::1]:0"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("six.bin", DATA[:70000])
        srv.start()
        cls.server = srv
        cls.port6 = [p for a, p in srv.addresses if a == "::1"][0]

    def raw6(self):
        c = Control(self.server, host="::1", port=self.port6, family=socket.AF_INET6)
        self.addCleanup(c.close)
        c.login()
        c.cmd("TYPE I")
        return c

    def test_epsv_over_ipv6(self):
        c = self.raw6()
        data = c.open_epsv()
        self.assertCode(c.cmd("RETR six.bin"), 125, 150)
        self.assertEqual(recv_all(data), DATA[:70000])
        data.close()
        self.assertCode(c.reply(), 226)

    def test_eprt_over_ipv6(self):
        c = self.raw6()
        lst, port = ftptest.active_listener("::1")
        self.addCleanup(lst.close)
        self.assertCode(c.cmd("EPRT |2|::1|%d|" % port), 200)
        self.assertCode(c.cmd("RETR six.bin"), 125, 150)
        conn, _ = lst.accept()
        self.assertEqual(recv_all(conn), DATA[:70000])
        conn.close()
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("EPRT |1|127.0.0.1|%d|" % port), 501, 522)
        self.assertCode(c.cmd("EPRT |2|::1|80|"), 501)

    def test_ipv4_listener_still_works(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        out = []
        f.retrbinary("RETR six.bin", out.append)
        self.assertEqual(b"".join(out), DATA[:70000])


if __name__ == "__main__":
    unittest.main(verbosity=2)
