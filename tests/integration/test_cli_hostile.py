"""ferry's command line against servers that break the protocol or the
connection the ways servers in the wild do: a control connection that
takes commands a little at a time, replies that come a byte at a time,
connections closed in the middle of a reply or a transfer, data
connections that stall or never come, and replies in odd shapes. Each
test runs `ferry -c` as a user would against a slowftp stand-in and
checks the exit status, the one `ferry: ` line on stderr, and what is on
disk."""

import calendar
import ctypes
import os
import socket
import subprocess
import threading
import time
import unittest

import clitest
import ftptest
import slowftp
from clitest import BROKEN, OK

DATA = ftptest.random_bytes(200000, seed=91)
BIG = ftptest.random_bytes(1 << 20, seed=92)


class Dribbling(slowftp.SlowFtp):
    """Answers CWD to anything but "/" one byte every half second: each
    pause is short, the whole reply takes 4.5 s."""

    def _cmd_CWD(self, c, st, arg):
        if arg == "/":
            return super()._cmd_CWD(c, st, arg)
        for b in b"250 Ok.\r\n":
            c.sendall(bytes([b]))
            if not self._wait(0.5):
                return False
        return True


class CutInReply(slowftp.SlowFtp):
    """Closes the control connection in the middle of the multi-line
    reply to a CWD other than "/"."""

    def _cmd_CWD(self, c, st, arg):
        if arg == "/":
            return super()._cmd_CWD(c, st, arg)
        c.sendall(b"250-Entering the directory.\r\n Read the notes first.\r\n")
        return False


class HalfThenRest(slowftp.SlowFtp):
    """A download: 150 and half the data, then what between() does (its
    result is the handler's), then the rest of the data and its end."""

    def _cmd_RETR(self, c, st, arg):
        data = self._file(st, arg)
        d = self._accept_data(st)
        self._send(c, "150 Here it comes.")
        d.settimeout(10.0)
        d.sendall(data[:len(data) // 2])
        going_on = self.between(c)
        d.sendall(data[len(data) // 2:])
        d.close()
        return going_on


class CutAfter150(HalfThenRest):
    """Closes the control connection while the data still flows."""

    def between(self, c):
        c.close()
        self._wait(0.3)
        return False


class AnswersAbor(slowftp.SlowFtp):
    """Answers ABOR as a server that had a transfer running: 426, 226."""

    def _cmd_ABOR(self, c, st, arg):
        self._send(c, "426 Transfer aborted.")
        self._send(c, "226 Abort done.")


class DataStall(AnswersAbor):
    """A download whose data connection stalls for good after 64 KiB
    while the control connection goes on answering."""

    def _cmd_RETR(self, c, st, arg):
        data = self._file(st, arg)
        d = self._accept_data(st)
        self._send(c, "150 Here it comes.")
        d.settimeout(10.0)
        d.sendall(data[:64 << 10])
        st["held"] = d


class NeverAccepts(AnswersAbor):
    """Answers a download with 150 and never accepts the data connection
    (the kernel completed the client's connect; nobody reads or writes
    it); the control connection goes on answering."""

    def _cmd_RETR(self, c, st, arg):
        st["held"], st["pasv"] = st["pasv"], None
        self._send(c, "150 Here it comes.")


class EarlyEnd(HalfThenRest):
    """Sends the 226 of a download when half the data is out."""

    def between(self, c):
        self._send(c, "226 Done.")
        self._wait(0.5)
        return True


class ShortAnnounced(slowftp.SlowFtp):
    """Offers no SIZE; a download's 150 says how many bytes are coming,
    as vsftpd's and proftpd's do, and then the server sends half of them
    and a 226 all the same."""

    def _cmd_FEAT(self, c, st, arg):
        self._send(c, "211-Features:\r\n EPSV\r\n PASV\r\n UTF8\r\n211 End")

    def _cmd_SIZE(self, c, st, arg):
        self._send(c, "500 Unknown command.")

    def _cmd_RETR(self, c, st, arg):
        data = self._file(st, arg)
        d = self._accept_data(st)
        self._send(c, "150 Opening BINARY mode data connection for %s (%d bytes)." % (arg, len(data)))
        d.settimeout(10.0)
        d.sendall(data[:len(data) // 2])
        d.close()
        self._send(c, "226 Transfer complete.")


class BareLf(slowftp.SlowFtp):
    """Ends every reply line with a bare LF instead of CRLF."""

    def _send(self, c, line):
        c.settimeout(10.0)
        c.sendall(line.replace("\r\n", "\n").encode("utf-8", "surrogateescape") + b"\n")
        c.settimeout(0.2)


class MultilineValues(slowftp.SlowFtp):
    """Answers SIZE and MDTM with a multi-line 213 reply whose value is on
    its last line, after a line of text (RFC 959 lets any reply span
    lines)."""

    def _cmd_SIZE(self, c, st, arg):
        data = self._file(st, arg)
        if data is None:
            return super()._cmd_SIZE(c, st, arg)
        self._send(c, "213-File status follows:\r\n213 %d" % len(data))

    def _cmd_MDTM(self, c, st, arg):
        if self._file(st, arg) is None:
            return super()._cmd_MDTM(c, st, arg)
        self._send(c, "213-File status follows:\r\n213 20240101120000")


class OddMultiline(slowftp.SlowFtp):
    """Multi-line replies whose inner lines start with other codes: CWD
    to "d" has a "550 " line inside its 250 reply (which a client must
    take as text); CWD to "e" ends its "250-" reply with "200 " (which
    never ends it) and then says nothing more."""

    def _cmd_CWD(self, c, st, arg):
        if arg == "d":
            c.sendall(b"250-Changing directory.\r\n550 this line is only text\r\n")
            return super()._cmd_CWD(c, st, arg)
        if arg == "e":
            c.sendall(b"250-Changing directory.\r\n200 not the end\r\n")
            return True
        return super()._cmd_CWD(c, st, arg)

class OddCodes(slowftp.SlowFtp):
    """Answers CWD to a directory named by a code with that code: "999"
    gets "999 Sure.", "000" gets "000 Sure.", "600" gets "600-Sure."
    and its end; other directories as usual."""

    def _cmd_CWD(self, c, st, arg):
        if arg in ("999", "000"):
            self._send(c, arg + " Sure.")
            return True
        if arg == "600":
            c.sendall(b"600-Sure.\r\n600 Done.\r\n")
            return True
        return super()._cmd_CWD(c, st, arg)


CLONE_NEWNET = 0x40000000


class SmallBuffers:
    """A network namespace whose TCP buffers are as small as the kernel
    allows (4 KiB each way), as on a slow real link: a client's write
    blocks after a few KiB, and each wake-up lets out a little. Servers
    are started in it with start(); ferry is run in it with argv()."""

    def __init__(self):
        try:
            self.holder = subprocess.Popen(
                ["unshare", "--net", "sh", "-c",
                 "ip link set lo up && sysctl -qw net.ipv4.tcp_wmem='4096 4096 4096' "
                 "net.ipv4.tcp_rmem='4096 4096 4096' && echo ready && exec sleep 600"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            raise AssertionError("no unshare: %s" % e)
        line = self.holder.stdout.readline()
        if line != b"ready\n":
            self.close()
            raise AssertionError("no network namespace: %r" % self.holder.stderr.read())
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

        t = threading.Thread(target=enter_and_start)
        t.start()
        t.join()
        if errors:
            raise AssertionError("setns: %s" % errors[0])
        return srv

    def argv(self, cmd):
        return ["nsenter", "--net=" + self.path] + list(cmd)

    def close(self):
        self.holder.kill()
        self.holder.wait()
        for f in (self.holder.stdout, self.holder.stderr):
            f.close()


class FeatNeverEnds(slowftp.SlowFtp):
    """Answers FEAT with "211-Features:" and its lines, and never with
    the "211 End" line; the connection stays open (what arrives after is
    read and never answered)."""

    def _cmd_FEAT(self, c, st, arg):
        c.sendall(b"211-Features:\r\n EPSV\r\n SIZE\r\n UTF8\r\n")
        self._hush(c)
        return False


class Trickle(slowftp.SlowFtp):
    """A download or listing whose data comes 50 bytes every 0.1 s
    (500 bytes a second), never pausing as long as a second, and an
    upload read slowly too; the reply ends each as usual."""

    def _pour(self, d, payload):
        for i in range(0, len(payload), 50):
            d.sendall(payload[i:i + 50])
            if not self._wait(0.1):
                return False

    def _drink(self, d):
        """An upload is read 64 KiB every 0.5 s (128 KiB a second: reads
        as small as the download's would not open the TCP window)."""
        got = []
        while self._wait(0.5):
            chunk = d.recv(65536)
            if not chunk:
                return b"".join(got)
            got.append(chunk)
        return None


class BreaksFirstRetr(slowftp.SlowFtp):
    """A server whose FEAT does not offer REST (slowftp's does not): its
    first download is cut after a third with 426, the later ones are
    whole."""

    broke = False

    def _cmd_RETR(self, c, st, arg):
        if self.broke:
            return super()._cmd_RETR(c, st, arg)
        self.broke = True
        data = self._file(st, arg)
        d = self._accept_data(st)
        self._send(c, "150 Here it comes.")
        d.settimeout(10.0)
        d.sendall(data[:len(data) // 3])
        d.close()
        self._send(c, "426 Connection closed; transfer aborted.")


class StrayReply(slowftp.SlowFtp):
    """Answers the first CWD to anything but "/" twice: a stray "250"
    before its own reply, so every reply after it comes one command
    late on that connection."""

    strayed = False

    def _cmd_CWD(self, c, st, arg):
        if arg != "/" and not self.strayed:
            self.strayed = True
            self._send(c, "250 Directory changed.")
        return super()._cmd_CWD(c, st, arg)


class HostileTest(clitest.CliBase, ftptest.TestCase):
    PEER = "ferryd"

    def slow(self, kind=slowftp.SlowFtp, **faults):
        srv = kind(**faults).start()
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

    def test_reply_dribbled(self):
        """A reply that comes one byte every half second: no pause is as
        long as --timeout 2, the whole reply takes 4.5 s. The time-out is
        for the whole reply: broken (7) with one line, and the script
        stops there."""
        srv = self.slow(Dribbling, tree={"d/a.txt": b"a\n"})
        r = self.ferry_at(srv, "cd d; get a.txt", "2")
        self.assertTimedOut(r, "a reply one byte at a time", 4.4)
        self.assertRegex(r.err, r"^ferry: cd d: waiting for the server: ", r)
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_control_closed_in_multiline_reply(self):
        """The control connection closes in the middle of a multi-line
        reply: broken (7) with one line that says the server closed it."""
        srv = self.slow(CutInReply, tree={"d/a.txt": b"a\n"})
        r = self.ferry_at(srv, "cd d; get a.txt", "5")
        self.check(r, BROKEN, "a reply cut in its middle")
        self.assertRegex(r.err, r"^ferry: cd d: .*closed by the server", r)
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_control_closed_after_150(self):
        """The control connection closes right after the 150 of a
        download while the data goes on flowing to its end: no 226 ever
        says the file is whole, so the download fails as broken (7) and
        leaves nothing under the target name (nor a temporary file)."""
        srv = self.slow(CutAfter150, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; get a.bin", "5")
        self.check(r, BROKEN, "control closed after 150")
        self.assertRegex(r.err, r"^ferry: get a.bin: ", r)
        self.assertEqual(os.listdir(self.ldir), [], r)

    def test_data_stalls(self):
        """The data connection stalls for good after 64 KiB, or is never
        accepted after the 150 (nothing is read or written on it), while
        the control connection still answers: the download times out as
        broken (7) within --timeout 2 and a margin, and leaves nothing
        on disk."""
        for kind, data in ((DataStall, BIG), (NeverAccepts, DATA)):
            srv = self.slow(kind, tree={"d/a.bin": data})
            r = self.ferry_at(srv, "cd d; get a.bin", "2")
            self.assertTimedOut(r, kind.__name__, 6.0)
            self.assertRegex(r.err, r"^ferry: get a.bin: ", r)
            self.assertEqual(os.listdir(self.ldir), [], r)

    def test_226_before_data_ends(self):
        """The 226 comes while half the data is still to come: the
        download reads the data connection to its end, and the file is
        whole."""
        srv = self.slow(EarlyEnd, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; get a.bin", "5")
        self.check(r, OK, "226 before the data's end")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)

    def test_short_of_what_150_announced(self):
        """A server without SIZE announces 200,000 bytes in its 150, sends
        half and says 226: the download is broken (7), says how much
        came of how much, and the short file is not left under its name
        (before, status 0 and a file of half the size). Quiet or not,
        one file or a pattern."""
        srv = self.slow(ShortAnnounced, tree={"d/a.bin": DATA, "d/b.bin": DATA})
        for script in ("cd d; get a.bin", "cd d; get 'a.*'"):
            for more in ([], ["-q"]):
                r = self.ferry_at(srv, script, "5", *more)
                self.check(r, BROKEN, "%s %s: short of the 150's size" % (script, more))
                self.assertIn("the transfer ended after 100000 of 200000 bytes (226 ", r.err, r)
                self.assertFalse(os.path.exists(self.local("a.bin")), r)

    def test_bare_lf_replies(self):
        """Replies whose lines end in a bare LF (multi-line FEAT too):
        listing and download work as with CRLF."""
        srv = self.slow(BareLf, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; ls; get a.bin", "5")
        self.check(r, OK, "bare LF replies")
        self.assertIn("a.bin", r.out, r)
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)

    def test_multiline_inner_codes(self):
        """A "550 " line inside a 250 multi-line reply is text: the cd
        works and the next command gets its own reply. A "250-" reply
        that a "200 " line does not end is still owed: broken (7) after
        --timeout, one line."""
        srv = self.slow(OddMultiline, tree={"d/a.bin": DATA, "e/b.txt": b"b"})
        r = self.ferry_at(srv, "cd d; get a.bin; pwd", "5")
        self.check(r, OK, "a 550 line inside a 250 reply")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)
        self.assertEqual(r.out_lines[-1], "/d", r)
        r = self.ferry_at(srv, "cd e; pwd", "2")
        self.assertTimedOut(r, "a multi-line reply never ended", 6.0)
        self.assertRegex(r.err, r"^ferry: cd e: waiting for the server: ", r)

    def test_multiline_size_and_mdtm(self):
        """A SIZE and an MDTM answered with a multi-line 213 whose last
        line holds the value: size prints the size, and a download keeps
        the server's time, without a note (before: size failed with 5,
        "not a size in the reply to SIZE", and the download's time was
        not known)."""
        srv = self.slow(MultilineValues, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; size a.bin; get a.bin", "5")
        self.check(r, OK, "multi-line 213 replies")
        self.assertEqual(r.out_lines[0], "a.bin: %d bytes (0.19 MB)" % len(DATA), r)
        self.assertEqual(r.err, "", r)
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)
        self.assertEqual(os.stat(self.local("a.bin")).st_mtime,
                         calendar.timegm((2024, 1, 1, 12, 0, 0)), r)

    def test_feat_never_ends(self):
        """A FEAT reply whose last line never comes, on a connection the
        server keeps open: the server stopped answering, as a reply that
        does not come in time, so broken (7) within --timeout 2 and a
        margin, with one line that names the FEAT that was awaited; the
        download is not tried and nothing is on disk. With --retry the
        login is tried again."""
        srv = self.slow(FeatNeverEnds, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; get a.bin", "2")
        self.assertTimedOut(r, "a FEAT reply never ended", 6.0)
        self.assertEqual(len(r.err.splitlines()), 1, r)
        self.assertRegex(r.err, r"^ferry: .*FEAT", r)
        self.assertEqual(os.listdir(self.ldir), [], r)
        # --retry logs in again, as after a connection timed out.
        r = self.ferry_at(srv, "cd d; get a.bin", "1", "--retry", "1")
        self.assertTimedOut(r, "a FEAT reply never ended, --retry 1", 6.0)
        with srv.lock:
            self.assertEqual(len([l for l in srv.log if l == "FEAT"]), 3, srv.log)

    def test_retry_without_rest(self):
        """--retry against a server that does not offer REST: a download
        broken off after a third cannot go on from there, so it starts
        again from the first byte (no REST sent); the file is whole and
        exact, and nothing else is left in the directory."""
        srv = self.slow(BreaksFirstRetr, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; get a.bin", "5", "--retry", "1")
        self.check(r, OK, "a broken download, --retry 1, no REST")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)
        self.assertEqual(os.listdir(self.ldir), ["a.bin"], r)
        with srv.lock:
            self.assertEqual(len([l for l in srv.log if l.startswith("RETR")]), 2, srv.log)
            self.assertFalse([l for l in srv.log if l.startswith("REST")], srv.log)

    def test_trickle_is_no_stall(self):
        """--timeout counts the time without progress only: a download
        that moves 500 bytes a second for 3 s, never quiet for a second,
        completes under --timeout 1, the bytes exact."""
        data = DATA[:1500]
        srv = self.slow(Trickle, tree={"d/a.bin": data})
        r = self.ferry_at(srv, "cd d; get a.bin", "1")
        self.check(r, OK, "a trickle under --timeout 1")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), data, r)
        self.assertGreater(r.elapsed, 2.5, r)

    def test_min_rate(self):
        """--min-rate: a download that moves 500 bytes a second, slower
        than --min-rate 2K over a --timeout of 1.5 s, is broken off as
        broken (7) within about twice that, with one line naming the rate,
        and leaves nothing on disk; so are a listing and an upload that the
        server reads at 128 KiB a second under --min-rate 1M. The same download
        completes with --min-rate 200, and `set min-rate` takes and shows
        the value."""
        srv = self.slow(Trickle, tree={"d/a.bin": DATA[:20000], "e/b": b"b"})
        r = self.ferry_at(srv, "cd d; get a.bin", "1.5", "--min-rate", "2K")
        self.check(r, BROKEN, "a trickle under --min-rate")
        self.assertLess(r.elapsed, 5.0, r)
        self.assertEqual(len(r.err.splitlines()), 1, r)
        self.assertRegex(r.err, r"^ferry: get a.bin: .*slower than 2K(iB)?/s .*--min-rate", r)
        self.assertEqual(os.listdir(self.ldir), [], r)
        clitest.write_local(self.local("up.bin"), BIG)
        r = self.ferry_at(srv, "put up.bin", "1.5", "--min-rate", "1M")
        self.check(r, BROKEN, "an upload under --min-rate")
        self.assertLess(r.elapsed, 5.0, r)
        self.assertRegex(r.err, r"^ferry: put up.bin: .*slower than 1M(iB)?/s .*--min-rate", r)
        os.remove(self.local("up.bin"))
        odd = {"/e": ["n%04d" % i for i in range(400)]}
        srv = self.slow(Trickle, tree={"e/b": b"b"}, odd_names=odd)
        r = self.ferry_at(srv, "set min-rate 2K; ls /e", "1.5")
        self.check(r, BROKEN, "a listing under --min-rate")
        self.assertRegex(r.err, r"^ferry: ls /e: .*--min-rate", r)
        srv = self.slow(Trickle, tree={"d/a.bin": DATA[:1500]})
        r = self.ferry_at(srv, "set min-rate 200; set; cd d; get a.bin", "1.5")
        self.check(r, OK, "a trickle above --min-rate")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA[:1500], r)
        self.assertRegex(r.out, r"(?m)^min-rate +200 ", r)

    def test_reply_code_out_of_range(self):
        """A reply whose first digit is not 1 to 5 (RFC 959 4.2) is no
        reply, as "000" is: 999, 000 and a multi-line 600 all end as
        broken (7) with one line saying the server sent something that
        is not a reply, never as a refusal (5) or a success."""
        srv = self.slow(OddCodes, tree={"d/a.bin": DATA})
        for code in ("999", "000", "600"):
            r = self.ferry_at(srv, "cd %s; pwd" % code, "5")
            self.check(r, BROKEN, "a %s reply" % code)
            self.assertRegex(r.err, r"^ferry: cd %s: the server sent something that is "
                             r"not a reply: %s" % (code, code), r)

    def test_stray_reply(self):
        """One stray reply puts every later reply a command late: the
        first reply that cannot answer its command (213 to EPSV) says
        so, and the download runs again on a new connection instead of
        failing, or of giving EPSV up for the session. The file is whole
        and the directory is still the one changed to."""
        srv = self.slow(StrayReply, tree={"d/a.bin": DATA})
        r = self.ferry_at(srv, "cd d; get a.bin; pwd", "5")
        self.check(r, OK, "a stray reply")
        self.assertEqual(ftptest.read_file(self.local("a.bin")), DATA, r)
        self.assertEqual(r.out_lines[-1], "/d", r)
        with srv.lock:
            self.assertEqual(len([l for l in srv.log if l.startswith("USER")]), 2, srv.log)
            self.assertFalse([l for l in srv.log if l.startswith("PASV")], srv.log)

    def test_mirror_of_a_file_without_pwd(self):
        """A server without PWD (the client never learns its directory)
        and a mirror whose source turns out to be a file: refused (5)
        with one line that says it is not a directory, not with the
        reply that told the client so (SIZE's "213 5"); with --delete
        too; nothing is made on disk."""
        srv = self.slow(tree={"x": b"hello", "d/y": b"y"}, no_pwd=True)
        for script in ("mirror x loc", "mirror --delete x loc"):
            r = self.ferry_at(srv, script, "5")
            self.check(r, clitest.REFUSED, script)
            self.assertEqual(r.err, "ferry: %s: x: not a directory on the server\n" % script, r)
            self.assertEqual(os.listdir(self.ldir), [], r)

    def test_tree_of_a_file_without_pwd(self):
        """A server without PWD and a folder named to get -r or rm -r that
        turns out to be a file when the walk lists it (replaced after the
        command looked at it, while the listing's EPSV is held): refused
        (5) with one line that says it is not a directory, as mirror says
        it, not with the reply to SIZE that told the client so; nothing
        is made on disk and the file stays."""
        for script in ("get -r x", "rm -r x"):
            srv = self.slow(tree={"x/y": b"y"}, no_pwd=True, delays={"EPSV": 0.5})

            def replace(srv=srv):
                for _ in range(1000):
                    with srv.lock:
                        if "EPSV" in srv.log:
                            del srv.tree["x/y"]
                            srv.tree["x"] = b"hello"
                            return
                    time.sleep(0.01)

            t = threading.Thread(target=replace, daemon=True)
            t.start()
            r = self.ferry_at(srv, script, "5", "-y")
            t.join()
            self.check(r, clitest.REFUSED, script)
            self.assertEqual(r.err, "ferry: %s: x: not a directory on the server\n" % script, r)
            self.assertEqual(os.listdir(self.ldir), [], r)
            self.assertEqual(srv.tree, {"x": b"hello"}, r)


if __name__ == "__main__":
    unittest.main()
