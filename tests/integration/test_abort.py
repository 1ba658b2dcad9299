"""ferryd: ABOR and STAT during a large RETR whose data the client does not
read (the server is blocked on a full data socket). ABOR must answer 426
then 226, close the data connection, and the session goes on. ABOR is sent
the three ways clients send it: plain, after Telnet IP + Synch (IAC IP IAC
urgent, then DM, as BSD ftp does), and as ftplib's abort() (the whole line
as urgent data)."""

import re
import select
import socket
import time
import unittest

import ftptest
from ftptest import Control

BIG = 256 << 20          # sparse: large enough to fill every socket buffer
SMALL = b"small file\n"


class AbortTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        srv.write("small.txt", SMALL)
        big = srv.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(BIG)
        ftptest.prepare(big)
        srv.start()
        cls.server = srv

    def binary_pasv(self):
        """Logs in, TYPE I, and opens a passive data connection with a
        small receive buffer; returns (control, data)."""
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv(rcvbuf=32768)
        self.addCleanup(data.close)
        return c, data

    def stalled_retr(self):
        """Starts RETR big.bin and reads none of it; returns (control, data)."""
        c, data = self.binary_pasv()
        self.assertCode(c.cmd("RETR big.bin"), 125, 150)
        # The transfer is under way (its first bytes are here), then the
        # server fills the socket buffers and blocks.
        self.assertTrue(select.select([data], [], [], 10)[0], "no data after RETR")
        time.sleep(0.5)
        return c, data

    def finish(self, c, data):
        """After ABOR: the data connection ends short of the file, the
        session works, and a new transfer succeeds."""
        got = ftptest.recv_all(data, timeout=10)
        self.assertLess(len(got), BIG, "the transfer was not stopped")
        data.close()
        self.assertCode(c.cmd("NOOP"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("RETR small.txt"), 125, 150)
        self.assertEqual(ftptest.recv_all(data), SMALL)
        data.close()
        self.assertCode(c.reply(), 226)

    def test_abor_plain(self):
        c, data = self.stalled_retr()
        t0 = time.monotonic()
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.assertLess(time.monotonic() - t0, 5)
        self.finish(c, data)

    def test_abor_after_telnet_ip_synch(self):
        c, data = self.stalled_retr()
        c.send(ftptest.IAC + ftptest.IP + ftptest.IAC, socket.MSG_OOB)
        c.send(ftptest.DM + b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.finish(c, data)

    def test_abor_in_band_telnet(self):
        c, data = self.stalled_retr()
        c.send(b"\xff\xf4\xff\xf2ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.finish(c, data)

    def test_abor_ftplib(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.voidcmd("TYPE I")
        conn = f.transfercmd("RETR big.bin")
        self.addCleanup(conn.close)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
        time.sleep(0.5)
        r = f.abort()           # the whole "ABOR\r\n" as urgent data
        self.assertTrue(r.startswith("426"), r)
        r = f.getresp()
        self.assertTrue(r.startswith("226"), r)
        got = ftptest.recv_all(conn, timeout=10)
        self.assertLess(len(got), BIG)
        self.assertTrue(f.voidcmd("NOOP").startswith("200"))
        out = []
        f.retrbinary("RETR small.txt", out.append)
        self.assertEqual(b"".join(out), SMALL)

    def test_stat_during_transfer(self):
        c, data = self.stalled_retr()
        r = c.cmd("STAT")
        self.assertCode(r, 213)
        nums = [int(n) for n in re.findall(r"\d+", r.text[4:])]
        self.assertTrue(any(0 < n < BIG for n in nums),
                        "STAT during a transfer should give the bytes done: %r" % r)
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.finish(c, data)

    # -- commands written together with the transfer's --
    # They are read with it, so no new bytes on the control connection
    # announce them: the transfer must look at what was read already.

    def test_abor_in_the_same_write_as_retr(self):
        c, data = self.binary_pasv()
        t0 = time.monotonic()
        c.send(b"RETR big.bin\r\nABOR\r\n")
        self.assertCode(c.reply(timeout=10), 150)
        self.assertCode(c.reply(timeout=10), 426)
        self.assertCode(c.reply(timeout=10), 226)
        self.assertLess(time.monotonic() - t0, 5)
        self.finish(c, data)

    def test_stat_in_the_same_write_as_retr(self):
        c, data = self.binary_pasv()
        c.send(b"RETR big.bin\r\nSTAT\r\n")
        self.assertCode(c.reply(timeout=10), 150)
        r = c.reply(timeout=10)
        self.assertCode(r, 213)
        self.assertIn("RETR /big.bin", r.text)
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(), 426)
        self.assertCode(c.reply(), 226)
        self.finish(c, data)

    def test_abor_in_the_same_write_before_the_data_connection(self):
        # The client never connects: the ABOR ends the wait for it.
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        c.pasv()
        t0 = time.monotonic()
        c.send(b"RETR big.bin\r\nABOR\r\n")
        self.assertCode(c.reply(timeout=10), 150)
        self.assertCode(c.reply(timeout=10), 426)
        self.assertCode(c.reply(timeout=10), 226)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_abor_in_the_same_write_as_hash(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        t0 = time.monotonic()
        c.send(b"HASH big.bin\r\nABOR\r\n")
        r = c.reply(timeout=30)
        self.assertCode(r, 426)
        self.assertTrue(r.text.startswith("426 HASH aborted after"), r)
        self.assertCode(c.reply(timeout=10), 226)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_abor_without_transfer(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("ABOR"), 225)
        # ABOR after a finished transfer: nothing running any more.
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_pasv()
        self.assertCode(c.cmd("RETR small.txt"), 125, 150)
        self.assertEqual(ftptest.recv_all(data), SMALL)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("ABOR"), 225)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_abor_with_pasv_open_but_no_transfer(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        c.pasv()
        self.assertCode(c.cmd("ABOR"), 225, 226)
        self.assertCode(c.cmd("NOOP"), 200)

    def test_client_closes_data_during_retr(self):
        # The client drops the data connection mid-file: 426 (or 451), the
        # session goes on.
        c, data = self.stalled_retr()
        ftptest.reset_close(data)
        r = c.reply()
        self.assertCode(r, 426, 451)
        self.assertCode(c.cmd("NOOP"), 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
