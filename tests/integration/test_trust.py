"""ferryd under the timings and states that lost or leaked data before:
STAT while a transfer waits for its data connection, two APPE to one file
at once, how an upload's end is judged (a QUIT sent right behind the data,
ALLO, a client that vanishes), hidden upload temporaries on file systems
without O_TMPFILE, uploads without /proc, path walks racing with renames
or made to answer EAGAIN, names with CR or LF made outside FTP, and the
smaller edges: a name longer than NAME_MAX, REST beyond the end, MLST of a
very long path, ABOR behind another command."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

import config
import ftptest
import killclient
from ftptest import Control, read_file

OLD = b"the old contents, which must survive\n" * 100
NEW = ftptest.random_bytes(1 << 20, seed=21)
SMALL = b"small file\n"
HERE = os.path.dirname(os.path.abspath(__file__))
LIMITS = os.path.join(HERE, "syscall_limits.py")


class Base(ftptest.DirTestCase):
    """A shared server per class (server_args, started through wrapper
    with env), each test in a directory of its own."""

    server_args = ["--anonymous=rw"]
    wrapper = ()
    env = None

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(cls.server_args, wrapper=cls.wrapper, env=cls.env)
        cls.addClassCleanup(srv.cleanup)
        cls.prepare_server(srv)
        srv.start()
        cls.server = srv

    @classmethod
    def prepare_server(cls, srv):
        pass

    def upload(self, c, cmd, payload):
        data = c.open_epsv()
        self.addCleanup(data.close)
        self.assertCode(c.cmd(cmd), 150)
        data.sendall(payload)
        data.close()
        return c.reply()

    def put_old(self, name="target.bin"):
        return ftptest.put_old(self.p(name), OLD)


class StatTest(Base):
    """STAT while the server waits for the client to open the data
    connection reports the transfer that waits, from the session's own
    copy of its name."""

    def test_stat_while_waiting_for_data_connection(self):
        ftptest.write_file(self.p("small.txt"), SMALL)
        c = self.raw()
        port = c.epsv()
        self.assertCode(c.cmd("RETR small.txt"), 150)
        r = c.cmd("STAT")
        self.assertCode(r, 213)
        self.assertIn("RETR /%s/small.txt" % self.dirname, r.text)
        self.assertNotIn("(null)", r.text)
        data = ftptest.data_connect(ftptest.HOST, port)
        self.assertEqual(ftptest.recv_all(data), SMALL)
        data.close()
        self.assertCode(c.reply(), 226)

    def test_stat_while_waiting_after_an_earlier_transfer(self):
        # The earlier upload's name lived in a stack frame that is gone;
        # the waiting LIST must report itself.
        c = self.raw()
        self.assertCode(self.upload(c, "STOR prev.bin", b"previous"), 226)
        port = c.epsv()
        self.assertCode(c.cmd("LIST"), 150)
        r = c.cmd("STAT")
        self.assertCode(r, 213)
        self.assertIn("LIST /%s" % self.dirname, r.text)
        self.assertNotIn("STOR", r.text)
        self.assertNotIn("prev", r.text)
        data = ftptest.data_connect(ftptest.HOST, port)
        self.assertIn(b"prev.bin", ftptest.recv_all(data))
        data.close()
        self.assertCode(c.reply(), 226)


class AppendTest(Base):

    def test_two_appends_at_once_both_land(self):
        # Two sessions append to one file with their data interleaved on
        # the wire: every byte of both must end up in the file.
        head = b"first line\n"
        ftptest.write_file(self.p("log.txt"), head)
        a, b = b"A" * (3 << 20), b"B" * (3 << 20)
        conns = []
        for _ in range(2):
            c = self.raw()
            data = c.open_epsv()
            self.addCleanup(data.close)
            self.assertCode(c.cmd("APPE log.txt"), 150)
            conns.append((c, data))
        step = 64 << 10
        for i in range(0, len(a), step):
            conns[0][1].sendall(a[i:i + step])
            conns[1][1].sendall(b[i:i + step])
        for c, data in conns:
            data.close()
        for c, data in conns:
            self.assertCode(c.reply(), 226)
        got = read_file(self.p("log.txt"))
        self.assertEqual(len(got), len(head) + len(a) + len(b), "appended bytes were lost")
        self.assertTrue(got.startswith(head))
        self.assertEqual(got.count(b"A"), len(a))
        self.assertEqual(got.count(b"B"), len(b))


class UploadEndTest(Base):
    """When the data connection ends, is the upload complete? A client
    that already sent its next command is alive; ALLO gives the size."""

    def test_quit_right_behind_the_data_commits(self):
        # The client sends QUIT without waiting for 226 and stops sending
        # (half-close), as a pipelining script does.
        for i in range(10):
            payload = ftptest.random_bytes(256 << 10, seed=100 + i)
            c = self.raw()
            data = c.open_epsv()
            self.assertCode(c.cmd("STOR piped%d.bin" % i), 150)
            data.sendall(payload)
            data.close()
            c.send(b"QUIT\r\n")
            c.sock.shutdown(socket.SHUT_WR)
            codes = [r.code for r in c.wait_closed(timeout=10)]
            self.assertEqual(codes, [226, 221], "run %d" % i)
            self.assertEqual(read_file(self.p("piped%d.bin" % i)), payload, "run %d" % i)
        self.assertEqual(self.listdir(), ["piped%d.bin" % i for i in range(10)])

    def behind(self):
        """A logged-in raw session that runs only when this test program
        waits: both on one CPU, the session at SCHED_IDLE. What the client
        sends before it waits (the end of the data, a command, the close)
        is all there when the session judges the upload's end."""
        cpu = {sorted(os.sched_getaffinity(0))[0]}
        mine = os.sched_getaffinity(0)
        self.addCleanup(os.sched_setaffinity, 0, mine)
        before = {p for p, _ in self.server.session_pids()}
        c = self.raw()
        new = [p for p, _ in self.server.session_pids() if p not in before]
        self.assertEqual(len(new), 1, "sessions %r, before %r" % (new, before))
        os.sched_setaffinity(new[0], cpu)
        os.sched_setscheduler(new[0], os.SCHED_IDLE, os.sched_param(0))
        os.sched_setaffinity(0, cpu)
        return c

    def test_any_command_right_behind_the_data_commits(self):
        # Without ALLO, the data closed and the next command sent at once
        # (NOOP, or the next upload's EPSV and STOR), then the control
        # connection dropped without QUIT, with a FIN or a reset, before
        # the session looks: the command shows the client was alive, so
        # the upload is whole.
        runs = [(cmd, close)
                for cmd in (b"NOOP\r\n", b"EPSV\r\n", b"EPSV\r\nSTOR next.bin\r\n")
                for close in ("fin", "reset")]
        for i, (cmd, close) in enumerate(runs):
            payload = ftptest.random_bytes(256 << 10, seed=200 + i)
            path, ident = self.put_old("t%d.bin" % i)
            c = self.behind()
            data = c.open_epsv()
            self.assertCode(c.cmd("STOR t%d.bin" % i), 150)
            data.sendall(payload)
            data.close()
            c.send(cmd)
            if close == "reset":
                ftptest.reset_close(c.sock)
            else:
                c.close()
            self.server.wait_sessions_gone()
            self.assertEqual(read_file(path), payload, "run %d: %r, %s" % (i, cmd, close))
        self.assertEqual(self.listdir(), ["t%d.bin" % i for i in range(len(runs))])

    def test_allo_short_upload_of_a_vanished_client_keeps_old_file(self):
        # Half the announced bytes, the data connection closed normally,
        # the control connection closed a moment later: a client that died
        # between the two. The old file must stay.
        path, ident = self.put_old()
        for delay in (0, 0.02, 0.1):
            c = self.raw()
            self.assertCode(c.cmd("ALLO %d" % len(NEW)), 200)
            data = c.open_epsv()
            self.assertCode(c.cmd("STOR target.bin"), 150)
            data.sendall(NEW[:len(NEW) // 2])
            data.close()
            time.sleep(delay)
            c.close()
            self.server.wait_sessions_gone()
            self.assertUntouched(path, ident)
            self.assertEqual(self.listdir(), ["target.bin"], "delay %g" % delay)

    def test_allo_short_upload_answers_426(self):
        path, ident = self.put_old()
        c = self.raw()
        self.assertCode(c.cmd("ALLO %d" % len(NEW)), 200)
        r = self.upload(c, "STOR target.bin", NEW[:-1])
        self.assertCode(r, 426)
        self.assertIn("%d of the %d bytes" % (len(NEW) - 1, len(NEW)), r.text)
        self.assertIn("old file is unchanged", r.text)
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])
        # The session goes on; the whole upload with ALLO replaces the file.
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertCode(c.cmd("ALLO %d" % len(NEW)), 200)
        self.assertCode(self.upload(c, "STOR target.bin", NEW), 226)
        self.assertEqual(read_file(path), NEW)

    def test_allo_counts_for_the_next_upload_only(self):
        c = self.raw()
        self.assertCode(c.cmd("ALLO 5"), 200)
        self.assertCode(self.upload(c, "STOR five.bin", b"12345"), 226)
        self.assertCode(self.upload(c, "STOR two.bin", b"12"), 226)
        # A command that is not part of the upload cancels it too.
        self.assertCode(c.cmd("ALLO 1000"), 200)
        self.assertCode(c.cmd("PWD"), 257)
        self.assertCode(self.upload(c, "STOR three.bin", b"123"), 226)
        self.assertEqual(read_file(self.p("three.bin")), b"123")
        # More than announced is a complete upload.
        self.assertCode(c.cmd("ALLO 2"), 200)
        self.assertCode(self.upload(c, "STOR more.bin", b"1234"), 226)
        self.assertEqual(read_file(self.p("more.bin")), b"1234")

    def test_allo_short_append_says_what_was_appended(self):
        ftptest.write_file(self.p("log.txt"), b"old\n")
        c = self.raw()
        self.assertCode(c.cmd("ALLO 10"), 200)
        r = self.upload(c, "APPE log.txt", b"new\n")
        self.assertCode(r, 426)
        self.assertIn("4 bytes were appended", r.text)
        self.assertEqual(read_file(self.p("log.txt")), b"old\nnew\n")

    def test_allo_syntax(self):
        c = self.raw()
        self.assertCode(c.cmd("ALLO 100 R 10"), 200)
        for bad in ("ALLO x", "ALLO -5", "ALLO 12abc", "ALLO 99999999999999999999999"):
            self.assertCode(c.cmd(bad), 501, msg=bad)

    def test_killed_client_keeps_old_file(self):
        # A real client process killed mid-upload: the kernel closes its
        # sockets, both with a normal FIN, the data connection first. It
        # sends no ALLO, so only the timing tells its death from a client
        # waiting for the 226 (doc/design.md): when its control connection
        # hangs up later than ferryd's grace (a dying process held up on a
        # busy machine: once in a CI run under ASan), the bytes it sent
        # are stored, exactly. So up to three kills: each leaves the old
        # file or exactly those bytes, nothing beside it, and one of them
        # the old file (a server that stores killed uploads fails).
        for attempt in range(3):
            path, ident = self.put_old()
            killclient.run_and_kill(self.server.port, self.dirname, "target.bin", 300000)
            self.server.wait_sessions_gone()
            self.assertEqual(self.listdir(), ["target.bin"])
            if read_file(path) != b"x" * 300000:
                self.assertUntouched(path, ident)
                return
        self.fail("three killed uploads were all stored as finished")


class EdgesTest(Base):

    @classmethod
    def prepare_server(cls, srv):
        big = srv.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(256 << 20)
        ftptest.prepare(big)

    def test_name_longer_than_name_max_refused_before_150(self):
        c = self.raw()
        c.epsv()
        r = c.cmd("STOR " + "n" * 300)
        self.assertCode(r, 553)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertEqual(self.listdir(), [])

    def test_rest_beyond_end_refused_for_stor(self):
        ftptest.write_file(self.p("ten.bin"), b"0123456789")
        c = self.raw()
        self.assertCode(c.cmd("REST 1000000000000"), 350)
        c.epsv()
        self.assertCode(c.cmd("STOR ten.bin"), 554)
        self.assertEqual(os.stat(self.p("ten.bin")).st_size, 10)
        self.assertLess(os.stat(self.p("ten.bin")).st_blocks * 512, 1 << 20)
        # At the end itself it is a resume.
        self.assertCode(c.cmd("REST 10"), 350)
        self.assertCode(self.upload(c, "STOR ten.bin", b"abc"), 226)
        self.assertEqual(read_file(self.p("ten.bin")), b"0123456789abc")

    def test_rest_beyond_end_then_appe_appends_at_the_end(self):
        """APPE writes at the end whatever REST said: an offset past the
        end makes no hole and no 554, and it is used up by the APPE."""
        ftptest.write_file(self.p("ten.bin"), b"0123456789")
        c = self.raw()
        for rest, payload in (("11", b"abc"), ("1000000000000", b"def")):
            with self.subTest(rest=rest):
                self.assertCode(c.cmd("REST " + rest), 350)
                self.assertCode(self.upload(c, "APPE ten.bin", payload), 226)
        self.assertEqual(read_file(self.p("ten.bin")), b"0123456789abcdef")
        self.assertLess(os.stat(self.p("ten.bin")).st_blocks * 512, 1 << 20)
        self.assertCode(self.upload(c, "STOR ten.bin", b"new"), 226)
        self.assertEqual(read_file(self.p("ten.bin")), b"new")

    def test_rest_at_the_end_then_stor_resumes(self):
        """REST at exactly the size, then STOR: the new bytes go on the
        end and nothing before them changes."""
        self.put_old()
        c = self.raw()
        self.assertCode(c.cmd("REST %d" % len(OLD)), 350)
        self.assertCode(self.upload(c, "STOR target.bin", NEW), 226)
        self.assertEqual(read_file(self.p("target.bin")), OLD + NEW)

    def test_rest_beyond_end_refused_for_retr(self):
        """A resume offset past the end means the client's partial copy is
        no prefix of this file (it shrank or was replaced): 554, before
        the 150, not a 226 for no bytes that makes the copy look whole.
        At the end itself it is a finished download: 226, no bytes."""
        ftptest.write_file(self.p("ten.bin"), b"0123456789")
        c = self.raw()
        c.expect("TYPE I", 200)
        for rest in ("11", "1000000000000"):
            with self.subTest(rest=rest):
                self.assertCode(c.cmd("REST " + rest), 350)
                data = c.open_epsv()
                self.addCleanup(data.close)
                r = c.cmd("RETR ten.bin")
                self.assertCode(r, 554)
                self.assertIn("ten.bin (10 bytes)", r.text)
                data.close()
                self.assertCode(c.cmd("NOOP"), 200)
        # The refused offset is used up: the next RETR starts at 0.
        data = c.open_epsv()
        c.expect("RETR ten.bin", 150)
        self.assertEqual(ftptest.recv_all(data), b"0123456789")
        self.assertCode(c.reply(), 226)
        self.assertCode(c.cmd("REST 10"), 350)
        data = c.open_epsv()
        c.expect("RETR ten.bin", 150)
        self.assertEqual(ftptest.recv_all(data), b"")
        self.assertCode(c.reply(), 226)

    def test_mlst_of_a_very_long_path_ends_with_end(self):
        # A virtual path of 4090 bytes, its directories made one by one
        # (the host path is longer than PATH_MAX).
        rel = self.dirname
        parts = []
        while len(rel) + 200 <= 4088:
            parts.append("d%03d" % len(parts) + "x" * 195)
            rel += "/" + parts[-1]
        parts.append("e" * (4088 - len(rel)))
        rel += "/" + parts[-1]
        fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in parts:
                os.mkdir(part, dir_fd=fd)
                os.chown(part, *ftptest.session_ids(), dir_fd=fd)
                nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = nfd
        finally:
            os.close(fd)
        self.assertEqual(len("/" + rel), 4090)
        c = self.raw()
        self.assertCode(c.cmd("CWD /" + rel), 250)
        r = c.cmd("MLST", timeout=5)
        self.assertCode(r, 250)
        self.assertEqual(r.lines[-1], "250 End")
        self.assertTrue(r.lines[1].startswith(" "), r.lines[1][:80])
        self.assertTrue(r.lines[1].endswith("/" + rel), r.lines[1][-80:])

    def test_abor_behind_another_command_during_a_stall(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        data = c.open_epsv(rcvbuf=32768)
        self.addCleanup(data.close)
        self.assertCode(c.cmd("RETR big.bin"), 150)
        time.sleep(0.3)      # the server fills the socket buffers and blocks
        c.send(b"NOOP\r\n")
        time.sleep(0.2)
        t0 = time.monotonic()
        c.send(b"ABOR\r\n")
        self.assertCode(c.reply(timeout=5), 426)
        self.assertCode(c.reply(timeout=5), 226)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertCode(c.reply(timeout=5), 200)     # the NOOP, run after
        self.assertCode(c.cmd("NOOP"), 200)


class CrLfNamesTest(Base):
    """Names with CR or LF, made on the server's disk by other means, are
    left out of listings (and logged) instead of forging lines."""

    FORGED = "x\r\n-rw-r--r--   1 0 0 999 Jan  1  2000 forged.bin"

    def test_listings_leave_them_out(self):
        ftptest.write_file(self.p("good.txt"), b"good\n")
        ftptest.write_file(self.p(self.FORGED), b"evil\n")
        ftptest.write_file(self.p("two\nlines.txt"), b"evil\n")
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.cwd(self.dirname)
        self.assertEqual(f.nlst(), ["good.txt"])
        lines = []
        f.retrlines("LIST -a", lines.append)
        self.assertEqual([l.split()[-1] for l in lines], ["good.txt"], lines)
        self.assertEqual([name for name, facts in f.mlsd()], ["good.txt"])
        r = f.sendcmd("STAT .")
        self.assertNotIn("forged", r)
        self.assertIn("good.txt", r)
        self.assertTrue(self.server.wait_log(r"names with CR or LF left out of the listing of "
                                             r"/" + self.dirname))


    def test_link_targets_with_cr_or_lf_are_not_shown(self):
        # A symlink's target is shown after "->" in LIST and STAT: one
        # with CR LF would forge a line there, and on the control
        # connection (STAT) even the end of the reply.
        ftptest.write_file(self.p("good.txt"), b"good\n")
        self.server.symlink(self.FORGED, os.path.join(self.dirname, "link1"))
        self.server.symlink("x\r\n213 End of status", os.path.join(self.dirname, "link2"))
        self.server.symlink("good.txt", os.path.join(self.dirname, "link3"))
        c = self.raw()
        r = c.cmd("STAT .")
        self.assertCode(r, 213)
        self.assertEqual(r.lines[-1], "213 End of status")
        entries = r.lines[1:-1]
        self.assertEqual([l.split()[8] for l in entries], ["good.txt", "link1", "link2", "link3"],
                         r)
        self.assertNotIn("forged", r.text)
        self.assertTrue(entries[3].endswith(" link3 -> good.txt"), entries[3])
        self.assertCode(c.cmd("NOOP"), 200)     # no reply left over
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.cwd(self.dirname)
        lines = []
        f.retrlines("LIST", lines.append)
        self.assertEqual([l.split()[8] for l in lines], ["good.txt", "link1", "link2", "link3"],
                         lines)
        self.assertTrue(lines[3].endswith(" link3 -> good.txt"), lines[3])

class RenameRaceTest(Base):
    """openat2(RESOLVE_IN_ROOT) answers EAGAIN when a rename anywhere races
    with a ".." in the walk; ferryd walks again instead of failing."""

    def test_symlink_walk_while_files_are_renamed(self):
        ftptest.write_file(self.p("data.bin"), b"data\n")
        self.server.mkdir(os.path.join(self.dirname, "sub"))
        self.server.symlink("../data.bin", os.path.join(self.dirname, "sub", "up"))
        spin = os.path.join(self.server.base, "spin")
        os.mkdir(spin)
        # Another process renames a file back and forth for a few seconds.
        renamer = subprocess.Popen(
            [sys.executable, "-c",
             "import os, sys, time\n"
             "a, b = sys.argv[1] + '/a', sys.argv[1] + '/b'\n"
             "open(a, 'w').close()\n"
             "end = time.monotonic() + 4\n"
             "while time.monotonic() < end:\n"
             "    for _ in range(1000):\n"
             "        os.rename(a, b); os.rename(b, a)\n", spin])
        self.addCleanup(renamer.wait, 10)
        self.addCleanup(renamer.kill)
        c = self.raw()
        bad = []
        n = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 2.5:
            r = c.cmd("SIZE sub/up")
            n += 1
            if r.code != 213:
                bad.append(r.text)
        self.assertGreater(n, 100)
        self.assertEqual(bad[:3], [], "%d of %d walks failed" % (len(bad), n))


class OpenRetryTest(Base):
    """The same EAGAIN, made certain: strace, attached to a logged-in
    session, makes its openat2 calls answer EAGAIN (in place of the call
    it runs getpid, which the session's seccomp filter allows). A few in
    a row are walked again unseen; a walk that never gets through ends
    in an error reply, not a hang, and the session goes on."""

    def traced_session(self, when):
        """A raw session, and a function that stops strace (attached to it,
        its first openat2 calls `when` answering EAGAIN) and returns the
        number of calls made to fail."""
        before = {p for p, _ in self.server.session_pids()}
        c = self.raw()
        pid = ftptest.session_pid(self.server, before)
        detach = ftptest.strace_attach(
            self, pid, ["-e", "trace=openat2",
                        "-e", "inject=openat2:error=EAGAIN:syscall=getpid:when=" + when],
            os.path.join(self.server.base, self.dirname + ".strace"))
        return c, lambda: detach().count("(INJECTED)")

    def test_walks_that_answer_eagain_a_few_times_succeed(self):
        ftptest.write_file(self.p("data.bin"), NEW)
        for cmd in ("SIZE", "RETR"):
            with self.subTest(cmd=cmd):
                c, detach = self.traced_session("1..20")
                if cmd == "SIZE":
                    r = c.cmd("SIZE data.bin")
                    self.assertCode(r, 213)
                    self.assertEqual(r.text.split()[1], str(len(NEW)))
                else:
                    data = c.open_epsv()
                    self.addCleanup(data.close)
                    c.expect("RETR data.bin", 150)
                    self.assertEqual(ftptest.recv_all(data), NEW)
                    self.assertCode(c.reply(), 226)
                self.assertEqual(detach(), 20)
                self.assertCode(c.cmd("NOOP"), 200)

    def test_walk_that_always_answers_eagain_fails_in_time(self):
        ftptest.write_file(self.p("data.bin"), SMALL)
        c, detach = self.traced_session("1+")
        for cmd in ("SIZE data.bin", "RETR data.bin"):
            with self.subTest(cmd=cmd):
                if cmd.startswith("RETR"):
                    c.epsv()
                t0 = time.monotonic()
                r = c.cmd(cmd)
                self.assertLess(time.monotonic() - t0, 5)
                self.assertIn(r.code // 100, (4, 5), r.text)
                self.assertCode(c.cmd("NOOP"), 200)
        self.assertGreater(detach(), 1)
        # Untraced, the same session walks again.
        self.assertCode(c.cmd("SIZE data.bin"), 213)
        self.assertTrue(self.server.running())


def stale_temp(directory, age=24 * 3600):
    """A leftover upload temporary whose last write was age seconds ago."""
    path = ftptest.write_file(os.path.join(directory, ".ferryd-upload-0123456789ab"),
                              b"left over\n")
    t = time.time() - age
    os.utime(path, (t, t))
    return path


class NamedTempTest(Base):
    """A file system without O_TMPFILE (emulated with a seccomp filter
    that answers O_TMPFILE with EOPNOTSUPP, as vfat does): uploads go
    through hidden named temporaries, which clients never see and which
    are removed once stale."""

    wrapper = [sys.executable, LIMITS, "--no-tmpfile", "--"]
    server_args = ["--anonymous=rw", "--idle-timeout", "30"]

    @classmethod
    def prepare_server(cls, srv):
        cls.root_stale = stale_temp(srv.root)

    def temps(self):
        return [n for n in os.listdir(self.dir) if n.startswith(".ferryd-upload-")]

    def test_stale_temporary_in_root_removed_at_start(self):
        self.assertFalse(os.path.exists(self.root_stale))

    def test_upload_works_and_leaves_nothing(self):
        c = self.raw()
        self.assertCode(self.upload(c, "STOR a.bin", NEW), 226)
        self.assertEqual(read_file(self.p("a.bin")), NEW)
        self.assertEqual(self.listdir(), ["a.bin"])

    def test_temporary_of_a_killed_session_is_hidden_and_removed(self):
        # Only this test's session is killed: one an earlier test closed
        # may still be ending, and may be gone before a signal reaches it.
        before = {p for p, _ in self.server.session_pids()}
        c = self.raw()
        data = c.open_epsv()
        self.addCleanup(data.close)
        self.assertCode(c.cmd("STOR victim.bin"), 150)
        data.sendall(NEW[:100000])
        self.assertTrue(ftptest.wait_until(lambda: self.temps(), 5), "no temporary appeared")
        victims = [p for p, _ in self.server.session_pids() if p not in before]
        self.assertEqual(len(victims), 1, "sessions %r, before %r" % (victims, before))
        self.server.tolerated.append(r"session process %d killed by signal 9" % victims[0])
        os.kill(victims[0], signal.SIGKILL)
        self.server.wait_sessions_gone()
        data.close()
        c.close()
        temp = self.temps()
        self.assertEqual(len(temp), 1, "the killed session left no temporary to test with")
        temp = temp[0]
        # Not listed, not served, not replaceable.
        f = self.server.ftp()
        self.addCleanup(f.close)
        f.cwd(self.dirname)
        self.assertEqual(f.nlst("-a"), [])
        lines = []
        f.retrlines("LIST -a", lines.append)
        self.assertEqual(lines, [])
        self.assertEqual(list(f.mlsd()), [])
        self.assertNotIn(temp, f.sendcmd("STAT ."))
        for cmd in ("SIZE ", "MDTM ", "DELE ", "RNFR ", "MLST "):
            self.assertFtpError(550, f.sendcmd, cmd + temp)
        self.assertFtpError(550, self.retr, f, temp)
        # Still fresh: another upload into the directory keeps it...
        self.stor(f, "other.bin", b"other")
        self.assertIn(temp, os.listdir(self.dir))
        # ...and once stale, the next upload there removes it.
        os.utime(self.p(temp), (1000000000, 1000000000))
        f2 = self.server.ftp()
        self.addCleanup(f2.close)
        f2.cwd(self.dirname)
        self.stor(f2, "third.bin", b"third")
        self.assertEqual(self.listdir(), ["other.bin", "third.bin"])

    def test_stale_temporary_in_home_removed_at_login(self):
        path = stale_temp(self.server.root)
        fresh = ftptest.write_file(os.path.join(self.server.root, ".ferryd-upload-fresh0000000"),
                                   b"being written\n")
        self.addCleanup(os.unlink, fresh)
        f = self.server.ftp()
        f.quit()
        self.assertFalse(os.path.exists(path))
        self.assertTrue(os.path.exists(fresh))


class UnstorableTest(Base):
    """An upload that cannot be stored is refused before its 150, while
    the client has sent no data: into a folder the session may not write,
    over another account's file in a sticky folder (as /tmp is), which
    the session may not replace though it may create files there, and
    over a file marked immutable or append-only (chattr +i, +a) or in an
    append-only folder. RNFR, RNTO and DELE of such a file are refused
    naming the mark."""

    named_temporaries = False   # uploads written under a hidden name first

    def refused_before_data(self, c, cmd):
        """Opens the data connection, sends cmd and returns its reply,
        which must come with no data sent."""
        data = c.open_epsv()
        self.addCleanup(data.close)
        r = c.cmd(cmd, timeout=5)
        self.assertCode(r, 550, 553)
        data.close()
        self.assertCode(c.cmd("NOOP"), 200)
        return r

    def test_folder_without_write_permission(self):
        folder = self.server.mkdir(os.path.join(self.dirname, "ro"))
        self.addCleanup(os.chmod, folder, 0o755)
        os.chmod(folder, 0o555)
        c = self.raw()
        r = self.refused_before_data(c, "STOR ro/new.bin")
        self.assertIn("Permission denied", r.text)
        self.assertEqual(os.listdir(folder), [])

    def test_others_file_in_a_sticky_folder(self):
        if os.geteuid() != 0:
            raise AssertionError("this test gives a file to another account and must run as root")
        folder = self.server.mkdir(os.path.join(self.dirname, "shared"))
        path, ident = ftptest.put_old(os.path.join(folder, "theirs.bin"), OLD)
        os.chown(folder, 0, 0)
        os.chmod(folder, 0o1777)
        os.chown(path, 0, 0)
        c = self.raw()
        r = self.refused_before_data(c, "STOR shared/theirs.bin")
        self.assertIn("Permission denied", r.text)
        self.assertUntouched(path, ident)
        self.assertEqual(os.listdir(folder), ["theirs.bin"])
        # A new name there is stored.
        self.assertCode(self.upload(c, "STOR shared/mine.bin", SMALL), 226)
        self.assertEqual(read_file(os.path.join(folder, "mine.bin")), SMALL)

    def test_others_file_in_a_sticky_folder_is_not_renamed(self):
        # RNFR is refused at once, as DELE is, not after RNTO; the
        # session's own file there, or any file in a sticky folder the
        # session owns, may be renamed.
        if os.geteuid() != 0:
            raise AssertionError("this test gives a file to another account and must run as root")
        folder = self.server.mkdir(os.path.join(self.dirname, "shared"))
        path, ident = ftptest.put_old(os.path.join(folder, "theirs.bin"), OLD)
        ftptest.write_file(os.path.join(folder, "mine.bin"), SMALL)
        ftptest.prepare(os.path.join(folder, "mine.bin"))
        os.chown(folder, 0, 0)
        os.chmod(folder, 0o1777)
        os.chown(path, 0, 0)
        c = self.raw()
        self.refused_naming(c, "shared/theirs.bin: Permission denied.", "RNFR shared/theirs.bin",
                            "DELE shared/theirs.bin")
        self.assertCode(c.cmd("RNTO shared/renamed.bin"), 503)
        self.assertUntouched(path, ident)
        self.assertCode(c.cmd("RNFR shared/mine.bin"), 350)
        self.assertCode(c.cmd("RNTO shared/mine2.bin"), 250)
        self.assertEqual(sorted(os.listdir(folder)), ["mine2.bin", "theirs.bin"])
        ftptest.prepare(folder)
        os.chmod(folder, 0o1777)
        os.chown(path, 0, 0)
        self.assertCode(c.cmd("RNFR shared/theirs.bin"), 350)
        self.assertCode(c.cmd("RNTO shared/moved.bin"), 250)
        self.assertEqual(sorted(os.listdir(folder)), ["mine2.bin", "moved.bin"])

    def protect(self, path, flag):
        """chattr +flag (i: immutable, a: append-only) on path, taken off
        again when the test ends."""
        subprocess.run(["chattr", "+" + flag, path], check=True)
        self.addCleanup(subprocess.run, ["chattr", "-" + flag, path], check=True)

    def refused_naming(self, c, text, *cmds):
        """Sends cmds in turn: each is refused with text in its 550 (an
        upload before any data is sent), but REST, which is taken."""
        for cmd in cmds:
            if cmd.startswith("REST "):
                self.assertCode(c.cmd(cmd), 350)
                continue
            if cmd.startswith(("STOR ", "APPE ")):
                r = self.refused_before_data(c, cmd)
            else:
                r = c.cmd(cmd)
            self.assertCode(r, 550)
            self.assertIn(text, r.text, cmd)

    def test_immutable_file(self):
        # Nothing may replace, write, append to, rename or delete it: each
        # is refused at once, naming the reason, and data never flows.
        path, ident = self.put_old()
        self.protect(path, "i")
        c = self.raw()
        self.refused_naming(c, "target.bin: File is immutable.", "STOR target.bin", "REST 10",
                            "STOR target.bin", "APPE target.bin", "DELE target.bin",
                            "RNFR target.bin")
        ftptest.write_file(self.p("other.bin"), SMALL)
        self.assertCode(c.cmd("RNFR other.bin"), 350)
        self.refused_naming(c, "target.bin: File is immutable.", "RNTO target.bin")
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["other.bin", "target.bin"])
        # STOU leaves it alone and stores under another name.
        data = c.open_epsv()
        self.addCleanup(data.close)
        r = c.cmd("STOU target.bin")
        self.assertCode(r, 150)
        self.assertIn("FILE: target_1.bin", r.text)
        data.sendall(SMALL)
        data.close()
        self.assertCode(c.reply(), 226)
        self.assertUntouched(path, ident)
        self.assertEqual(read_file(self.p("target_1.bin")), SMALL)

    def test_append_only_file(self):
        # It may only grow: APPE is stored, replacing or writing within it
        # is refused before the data.
        path, ident = self.put_old()
        self.protect(path, "a")
        c = self.raw()
        self.refused_naming(c, "target.bin: File is append-only.", "STOR target.bin", "REST 10",
                            "STOR target.bin", "DELE target.bin", "RNFR target.bin")
        self.assertUntouched(path, ident)
        self.assertEqual(self.listdir(), ["target.bin"])
        self.assertCode(self.upload(c, "APPE target.bin", SMALL), 226)
        self.assertEqual(read_file(path), OLD + SMALL)

    def test_file_in_an_append_only_folder(self):
        # New names may be added to the folder, none replaced or removed.
        folder = self.server.mkdir(os.path.join(self.dirname, "log"))
        path, ident = ftptest.put_old(os.path.join(folder, "old.bin"), OLD)
        self.protect(folder, "a")
        c = self.raw()
        self.refused_naming(c, "log/old.bin: Folder is append-only.", "STOR log/old.bin",
                            "DELE log/old.bin", "RNFR log/old.bin")
        self.assertUntouched(path, ident)
        self.assertEqual(os.listdir(folder), ["old.bin"])
        if self.named_temporaries:
            # A named temporary could not be renamed out of the folder.
            self.refused_naming(c, "log/new.bin: Folder is append-only.", "STOR log/new.bin")
            self.assertEqual(os.listdir(folder), ["old.bin"])
            return
        self.assertCode(self.upload(c, "STOR log/new.bin", SMALL), 226)
        self.assertEqual(read_file(os.path.join(folder, "new.bin")), SMALL)

    def test_names_in_an_immutable_folder(self):
        # No name may be made, removed or renamed into it: MKD, RMD and
        # RNTO are refused naming the folder's mark, RMD of an immutable
        # folder naming its own.
        folder = self.server.mkdir(os.path.join(self.dirname, "frozen"))
        self.server.mkdir(os.path.join(self.dirname, "frozen", "old"))
        self.server.mkdir(os.path.join(self.dirname, "kept"))
        ftptest.write_file(self.p("other.bin"), SMALL)
        self.protect(folder, "i")
        self.protect(self.p("kept"), "i")
        c = self.raw()
        where = "/%s/frozen/" % self.dirname
        for cmd, name in (("MKD frozen/new", "new"), ("RMD frozen/old", "old")):
            self.assertEqual(c.cmd(cmd).raw, b"550 %s%s: Folder is immutable.\r\n"
                             % (where.encode(), name.encode()), cmd)
        self.assertEqual(c.cmd("RMD kept").raw,
                         b"550 /%s/kept: File is immutable.\r\n" % self.dirname.encode())
        self.assertCode(c.cmd("RNFR other.bin"), 350)
        self.assertEqual(c.cmd("RNTO frozen/other.bin").raw,
                         b"550 %sother.bin: Folder is immutable.\r\n" % where.encode())
        self.assertEqual(sorted(os.listdir(folder)), ["old"])
        self.assertEqual(self.listdir(), ["frozen", "kept", "other.bin"])


class NoSandboxTest(UnstorableTest):
    """Without the sandbox (--no-sandbox), a session of a server started
    as root still runs as the run-as user with no capability, CAP_FOWNER
    included: the kernel would refuse another account's file in a sticky
    folder as for a sandboxed session, and ferryd refuses it, and the
    marked files, before the data alike."""

    server_args = Base.server_args + ["--no-sandbox"]


class NoProcTest(UnstorableTest):
    """Without /proc (a mount namespace with an empty /proc), uploads are
    linked into place with linkat(AT_EMPTY_PATH); what cannot be stored is
    refused before the data as elsewhere."""

    wrapper = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount -t tmpfs none /proc && exec "$0" "$@"']
    # LeakSanitizer reads /proc at exit; the leak check runs in the other tests.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")

    def test_upload_without_proc(self):
        path, ident = self.put_old()
        os.chmod(path, 0o640)
        c = self.raw()
        self.assertCode(self.upload(c, "STOR target.bin", NEW), 226)
        self.assertEqual(read_file(path), NEW)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
        self.assertCode(self.upload(c, "STOR new.bin", b"new"), 226)
        self.assertEqual(self.listdir(), ["new.bin", "target.bin"])

    def test_first_upload_of_a_session_is_a_new_name(self):
        c = self.raw()
        self.assertCode(self.upload(c, "STOR first.bin", NEW), 226)
        self.assertEqual(read_file(self.p("first.bin")), NEW)
        self.assertEqual(self.listdir(), ["first.bin"])


class NoLinkTest(NoProcTest):
    """Without /proc and where linkat(AT_EMPTY_PATH) is refused (kernels
    before 6.10), ferryd finds out before the first upload's data and uses
    a named temporary instead of failing after the whole upload."""

    wrapper = [sys.executable, LIMITS, "--no-empty-path-link", "--"] + NoProcTest.wrapper
    named_temporaries = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
