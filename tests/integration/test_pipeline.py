"""ferry's uploads of many files: commands sent together (pipelining).

Before each upload ferry writes ALLO and the data connection's command
(EPSV) in one write, and an upload's MFMT goes out with the next file's
ALLO and EPSV; the replies are read in order. A relay on the control
connection (ControlRelay) shows it on the wire: it holds the reply to ALLO
and to MFMT back until the client's next command has arrived (or HOLD
seconds passed), so a client that waits for the reply before sending on
is seen waiting. The files must land byte for byte with the local
modification time (where the server has MFMT) on ferryd, vsftpd and
pure-ftpd, over plain FTP and TLS.

Failures stay per file: the relay answers a chosen ALLO (452) or MFMT
(550) itself, in the server's place and in order, and ferry must report
that file as before (exit code and one `ferry: ` line for a refused ALLO,
a note for MFMT). A relay that passes on only the first of the commands
that arrive together (a server that drops the rest) makes ferry fall back
to one command at a time after --timeout, and the uploads still land.
A connection that closes before an MFMT's reply (the relay cuts it when
that MFMT arrives) costs no file its time: ferry logs in again and sends
that MFMT once more; lost again, the file is noted by name.
"""

import os
import re
import socket
import threading
import time
import unittest

import clitest
import ftptest
import peers
import tlspeers
from clitest import OK, REFUSED, write_local
from ftptest import read_file

HOST = "127.0.0.1"
# Seconds a held reply waits for the client's next command.
HOLD = 1.0
# Local times the uploaded files carry (distinct, in the past, whole seconds).
TIMES = [1000000000, 1100000000, 1200000000]
FILES = [("a.bin", ftptest.random_bytes(5000, seed=71)),
         ("b.bin", ftptest.random_bytes(7001, seed=72)),
         ("c.bin", ftptest.random_bytes(0, seed=73))]

REPLY_END = re.compile(rb"^(\d{3}) ")
REPLY_MORE = re.compile(rb"^(\d{3})-")


class ControlRelay:
    """Relays FTP control connections to host:port; data connections go
    straight to the server (its 229 and 227 replies name 127.0.0.1).

    Every command line and every reply is kept in .events, in the order the
    relay passed them on: ("C", n, line) for the client's n-th command of
    its connection (lines as str) and ("R", n, code) for the final reply to
    it. hold: verbs whose final reply waits until the client's next command
    arrived (at most HOLD seconds). answer: {(verb, argument): reply line}:
    such a command is not passed on; the relay answers it itself, in its
    place among the server's replies. first_line_only: of the lines that
    arrive in one read only the first is passed on (the rest are dropped).
    cut: (verb, argument): the first time such a command arrives, neither
    it nor what came with it is passed on and the connection is closed
    (("X", n, line) in .events); cuts: how many times that is done (on as
    many connections). Threads are daemons and every socket wait is
    bounded."""

    def __init__(self, host, port, hold=(), answer=None, first_line_only=False, cut=None,
                 cuts=1):
        self.host, self.port_to = host, port
        self.hold = set(hold)
        self.answer = dict(answer or {})
        self.first_line_only = first_line_only
        self.cut = cut
        self.cuts = cuts
        self.closed = threading.Event()
        self.lock = threading.Condition()
        self.events = []
        self.conns = 0
        self.socks = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((HOST, 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path="/", user=None, passwd=None):
        cred = ""
        if user is not None:
            cred = user + (":" + passwd if passwd is not None else "") + "@"
        return "ftp://%s%s:%d%s" % (cred, HOST, self.port, path)

    def close(self):
        self.closed.set()
        for s in [self.listener] + self.socks:
            try:
                s.close()
            except OSError:
                pass

    def _accept(self):
        while not self.closed.is_set():
            try:
                c, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                s = socket.create_connection((self.host, self.port_to), timeout=ftptest.TIMEOUT)
            except OSError:
                c.close()
                continue
            for x in (c, s):
                x.settimeout(0.2)
                self.socks.append(x)
            with self.lock:
                self.conns += 1
                conn = {"id": self.conns, "client": c, "server": s, "sent": 0,
                        "pending": [], "done": False}
            threading.Thread(target=self._from_client, args=(conn,), daemon=True).start()
            threading.Thread(target=self._from_server, args=(conn,), daemon=True).start()

    def _recv(self, s):
        while not self.closed.is_set():
            try:
                return s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return b""
        return b""

    def _send(self, s, data):
        try:
            s.settimeout(ftptest.TIMEOUT)
            s.sendall(data)
            s.settimeout(0.2)
        except OSError:
            pass

    def _end(self, conn):
        with self.lock:
            conn["done"] = True
            self.lock.notify_all()
        for k in ("client", "server"):
            try:
                conn[k].shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _emit_answers(self, conn):
        """Sends the relay's own answers that are next in line (lock held)."""
        while conn["pending"] and conn["pending"][0][2] is not None:
            n, _verb, reply = conn["pending"].pop(0)
            self.events.append(("R", conn["id"], n, int(reply[:3])))
            self._send(conn["client"], reply.encode() + b"\r\n")

    def _from_client(self, conn):
        buf = b""
        while True:
            data = self._recv(conn["client"])
            if not data:
                break
            buf += data
            lines = []
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append(line + b"\n")
            if self.first_line_only and len(lines) > 1:
                lines, buf = lines[:1], b""
            out = b""
            with self.lock:
                if self._cut_here(conn, lines):
                    break
                for raw in lines:
                    text = raw.decode("utf-8", "replace").rstrip("\r\n")
                    verb, _, arg = text.partition(" ")
                    verb = verb.upper()
                    conn["sent"] += 1
                    n = conn["sent"]
                    self.events.append(("C", conn["id"], n, text))
                    reply = self.answer.get((verb, arg))
                    conn["pending"].append((n, verb, reply))
                    if reply is None:
                        out += raw
                self.lock.notify_all()
                if out:
                    self._send(conn["server"], out)
                self._emit_answers(conn)
        self._end(conn)

    def _cut_here(self, conn, lines):
        """True (once) when lines hold the command to cut the connection at
        (lock held): recorded, and nothing of lines passed on."""
        for raw in lines:
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            if self.cut is not None and (verb.upper(), arg) == self.cut:
                self.cuts -= 1
                if self.cuts <= 0:
                    self.cut = None
                self.events.append(("X", conn["id"], conn["sent"] + 1, text))
                return True
        return False

    def _from_server(self, conn):
        buf = b""
        reply, multi = [], None
        while True:
            data = self._recv(conn["server"])
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line += b"\n"
                reply.append(line)
                m = REPLY_MORE.match(line)
                if multi is None and m:
                    multi = m.group(1)
                    continue
                m = REPLY_END.match(line)
                if m is None or (multi is not None and m.group(1) != multi):
                    continue
                code = int(m.group(1))
                self._pass_reply(conn, code, b"".join(reply))
                reply, multi = [], None
        self._end(conn)

    def _pass_reply(self, conn, code, text):
        with self.lock:
            if code < 200:
                self._send(conn["client"], text)   # a preliminary reply
                return
            if conn["pending"]:
                n, verb, _ = conn["pending"].pop(0)
            else:
                n, verb = 0, ""                    # the greeting
            if verb in self.hold:
                end = time.monotonic() + HOLD
                while conn["sent"] <= n and not conn["done"] and time.monotonic() < end:
                    self.lock.wait(0.05)
            self.events.append(("R", conn["id"], n, code))
            self._send(conn["client"], text)
            self._emit_answers(conn)

    # -- what the tests read --

    def commands(self):
        return [e for e in self.events if e[0] == "C"]

    def sent_before_reply(self, verb):
        """For each command of verb (not answered by the relay): whether the
        client's next command arrived before that command's reply was
        passed on. [(line, True/False)], in order."""
        out = []
        ev = list(self.events)
        for i, e in enumerate(ev):
            if e[0] != "C" or not e[3].upper().startswith(verb + " "):
                continue
            cid, n = e[1], e[2]
            reply_at = next((j for j, x in enumerate(ev)
                             if x[0] == "R" and x[1] == cid and x[2] == n), len(ev))
            next_at = next((j for j, x in enumerate(ev)
                            if x[0] == "C" and x[1] == cid and x[2] == n + 1), len(ev))
            out.append((e[3], next_at < reply_at))
        return out

    def dump(self):
        return "\n".join(repr(e) for e in self.events)


def make_files(base):
    """The local files to upload, with their times: {name: (data, mtime)}."""
    os.makedirs(base, exist_ok=True)
    files = {}
    for (name, data), t in zip(FILES, TIMES):
        path = write_local(os.path.join(base, name), data)
        os.utime(path, (t, t))
        files[name] = (data, t)
    return files


class PipelineTests(clitest.CliBase):
    """The wire checks every peer runs."""

    def relay(self, **kw):
        r = ControlRelay(self.server.host, self.server.port, **kw)
        self.addCleanup(r.close)
        return r

    def relay_url(self, relay):
        return relay.url("/", self.server.user, self.server.password)

    def assertLanded(self, files, rdir, r, unset=()):
        for name, (data, t) in files.items():
            self.assertEqual(read_file(self.remote(rdir, name)), data, "%s\n%s" % (name, r))
            if self.server.mfmt:
                mtime = int(os.stat(self.remote(rdir, name)).st_mtime)
                if name in unset:
                    self.assertNotEqual(mtime, t, "%s: the time was set\n%s" % (name, r))
                else:
                    self.assertEqual(mtime, t, "%s: the time was not set\n%s" % (name, r))

    def test_tree_upload_sends_commands_together(self):
        """put -r: ALLO and EPSV leave together, and each MFMT with the next
        file's ALLO; everything lands with its time."""
        files = make_files(self.local("src"))
        relay = self.relay(hold=("ALLO", "MFMT"))
        r = self.check(self.ferry(script="put -r src dst", url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r)
        wire = "%s\n%s" % (relay.dump(), r)
        allo = relay.sent_before_reply("ALLO")
        self.assertEqual(len(allo), len(files), wire)
        self.assertTrue(all(ok for _, ok in allo),
                        "ALLO's reply awaited before the next command: %r\n%s" % (allo, wire))
        cmds = [e[3].split(" ")[0].upper() for e in relay.commands()]
        for i, c in enumerate(cmds):
            if c == "ALLO":
                self.assertIn(cmds[i + 1], ("EPSV", "PASV"), wire)
        if self.server.mfmt:
            mfmt = relay.sent_before_reply("MFMT")
            self.assertEqual(len(mfmt), len(files), wire)
            # Every MFMT but the last went out with the next file's ALLO.
            self.assertTrue(all(ok for _, ok in mfmt[:-1]),
                            "MFMT's reply awaited before the next file: %r\n%s" % (mfmt, wire))

    def test_mput_sends_commands_together(self):
        """mput (a pattern) takes the same path."""
        files = make_files(self.local())
        relay = self.relay(hold=("ALLO",))
        r = self.check(self.ferry(script="put *.bin", url=self.relay_url(relay)))
        self.assertLanded(files, "", r)
        allo = relay.sent_before_reply("ALLO")
        self.assertTrue(len(allo) == len(files) and all(ok for _, ok in allo),
                        "%r\n%s\n%s" % (allo, relay.dump(), r))


class FerrydPipelineTest(PipelineTests, ftptest.TestCase):
    PEER = "ferryd"

    def test_mfmt_refused_is_noted_for_its_file(self):
        """An MFMT refused (550) for one file: a note names that file, the
        others get their times, and the run succeeds."""
        files = make_files(self.local("src"))
        relay = self.relay(answer={("MFMT", "%s dst/b.bin" % ftptest.utc_stamp(TIMES[1])):
                                   "550 MFMT refused here."})
        r = self.check(self.ferry(script="put -r src dst", url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r, unset=("b.bin",))
        self.assertEqual(r.err_lines, ["note: dst/b.bin: the time was not set: "
                                       "550 MFMT refused here."], "%s\n%s" % (relay.dump(), r))
        self.assertEqual([s[1] for s in self.stats(r)], ["dst/a.bin", "dst/b.bin", "dst/c.bin"],
                         r)

    def test_allo_refused_stops_at_its_file(self):
        """ALLO refused for want of room (452) for the second file: ferry
        reports that file and stops, exit 5, as it did before; the first
        file is complete with its time, nothing of the others arrives."""
        files = make_files(self.local("src"))
        relay = self.relay(answer={("ALLO", str(len(FILES[1][1]))): "452 No room for it."})
        r = self.check(self.ferry(script="put -r src dst", url=self.relay_url(relay)),
                       REFUSED)
        self.assertRegex(r.err_lines[0], r"^ferry: .*b\.bin: 452 No room for it\.$", r)
        self.assertLanded({"a.bin": files["a.bin"]}, "dst", r)
        self.assertEqual(sorted(os.listdir(self.remote("dst"))), ["a.bin"], r)
        self.assertNotIn("STOR dst/b.bin", [e[3] for e in relay.commands()], relay.dump())

    def test_mfmt_refused_for_the_last_file(self):
        """The last file's MFMT goes out at the end of the command: a refusal
        is still noted for it, before the next command runs."""
        files = make_files(self.local("src"))
        relay = self.relay(answer={("MFMT", "%s dst/c.bin" % ftptest.utc_stamp(TIMES[2])):
                                   "550 Not that one."})
        r = self.check(self.ferry(script="put -r src dst; pwd", url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r, unset=("c.bin",))
        self.assertEqual(r.err_lines, ["note: dst/c.bin: the time was not set: "
                                       "550 Not that one."], r)

    def test_server_dropping_commands_sent_together(self):
        """A server that reads only the first of the commands that come
        together: after --timeout ferry reconnects and sends one command at
        a time; every file lands with its time."""
        files = make_files(self.local("src"))
        relay = self.relay(first_line_only=True)
        r = self.check(self.ferry("--timeout", "2", script="put -r src dst",
                                  url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r)
        self.assertGreaterEqual(relay.conns, 2, relay.dump())
        # On the new connection every ALLO's reply came before EPSV was sent.
        allo = relay.sent_before_reply("ALLO")
        later = [e for e in relay.commands() if e[1] == relay.conns and e[3].startswith("ALLO")]
        self.assertEqual(len(later), len(files), relay.dump())
        self.assertFalse(any(ok for _, ok in allo[-len(files):]), relay.dump())

    def test_mfmt_not_understood_is_noted_once(self):
        """MFMT answered 502 (a server that does not know it): one note
        about the server, none per file, and no MFMT after the first; the
        run succeeds."""
        files = make_files(self.local("src"))
        relay = self.relay(answer={("MFMT", "%s dst/%s" % (ftptest.utc_stamp(t), name)):
                                   "502 Command not implemented."
                                   for (name, _), t in zip(FILES, TIMES)})
        r = self.check(self.ferry(script="put -r src dst", url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r, unset=files.keys())
        self.assertEqual(r.err_lines, ["note: the server cannot set file times (MFMT: 502 "
                                       "Command not implemented.); uploads keep the time they "
                                       "arrive"], r)
        mfmt = [e for e in relay.commands() if e[3].upper().startswith("MFMT ")]
        self.assertEqual(len(mfmt), 1, relay.dump())

    # -- the connection closes before an MFMT's reply --

    def mfmt_of(self, relay, path):
        """The connections (relay ids) an MFMT for path was passed on over."""
        return [e[1] for e in relay.commands()
                if e[3].upper().startswith("MFMT ") and e[3].endswith(" " + path)]

    def assertNoTimeNotes(self, r, relay):
        self.assertEqual([l for l in r.err_lines if l.startswith("note: ")], [],
                         "%s\n%s" % (relay.dump(), r))

    def test_mfmt_lost_with_the_connection_is_sent_again(self):
        """put -r: the connection closes as a.bin's MFMT arrives (with
        b.bin's ALLO and EPSV). ferry logs in again, sends that MFMT again
        there with b.bin's commands; every file lands with its time, nothing
        is noted and the run succeeds."""
        files = make_files(self.local("src"))
        relay = self.relay(cut=("MFMT", "%s dst/a.bin" % ftptest.utc_stamp(TIMES[0])))
        r = self.check(self.ferry("--retry", "2", script="put -r src dst",
                                  url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r)
        self.assertNoTimeNotes(r, relay)
        self.assertEqual(relay.conns, 2, relay.dump())
        self.assertEqual(self.mfmt_of(relay, "dst/a.bin"), [2], relay.dump())
        # On the new connection it went out after the login, with b.bin's ALLO.
        second = [e[3].split(" ")[0].upper() for e in relay.commands() if e[1] == 2]
        i = second.index("MFMT")
        self.assertIn("PASS", second[:i], relay.dump())
        self.assertEqual(second[i + 1:i + 3], ["ALLO", "EPSV"], relay.dump())
        self.assertEqual([s[1] for s in self.stats(r)], ["dst/a.bin", "dst/b.bin", "dst/c.bin"],
                         r)

    def put_with_mfmt_cut(self, index, script):
        """Runs script (an upload of *.bin with --retry) through a relay
        that closes the connection at the MFMT of the index-th file: every
        file lands with its time, no note, and that MFMT went out once more
        on the second connection."""
        name = FILES[index][0]
        files = make_files(self.local())
        relay = self.relay(cut=("MFMT", "%s %s" % (ftptest.utc_stamp(TIMES[index]), name)))
        r = self.check(self.ferry("--retry", "2", script=script, url=self.relay_url(relay)))
        self.assertLanded(files, "", r)
        self.assertNoTimeNotes(r, relay)
        self.assertEqual(self.mfmt_of(relay, name), [2], relay.dump())

    def test_mput_mfmt_lost_with_the_connection_is_sent_again(self):
        """mput (a pattern) with --retry: the same for the second file."""
        self.put_with_mfmt_cut(1, "put *.bin")

    def test_last_files_mfmt_lost_with_the_connection(self):
        """The last file's MFMT goes out at the end of the command: when the
        connection closes before its reply, ferry logs in again and sends it
        there."""
        self.put_with_mfmt_cut(2, "put *.bin; pwd")

    def test_mfmt_lost_twice_is_noted_for_its_file(self):
        """The connection closes at a.bin's MFMT, and again when it is sent
        once more: that file's time is not set and a note names it, with
        the reason (not the note about servers without MFMT); the other
        files land with their times and the run succeeds."""
        files = make_files(self.local("src"))
        relay = self.relay(cut=("MFMT", "%s dst/a.bin" % ftptest.utc_stamp(TIMES[0])),
                           cuts=2)
        r = self.check(self.ferry("--retry", "2", script="put -r src dst",
                                  url=self.relay_url(relay)))
        self.assertLanded(files, "dst", r, unset=("a.bin",))
        notes = [l for l in r.err_lines if l.startswith("note: ")]
        self.assertEqual(len(notes), 1, "%s\n%s" % (relay.dump(), r))
        self.assertRegex(notes[0], r"^note: dst/a\.bin: the time was not set: \S.*"
                         r"connection closed", r)
        self.assertNotIn("uploads keep the time", r.err, r)
        self.assertEqual(len([e for e in relay.events if e[0] == "X"]), 2, relay.dump())


class VsftpdPipelineTest(PipelineTests, ftptest.TestCase):
    PEER = "vsftpd"


class PureFtpdPipelineTest(PipelineTests, ftptest.TestCase):
    PEER = "pure-ftpd"


class TlsPipeline(clitest.CliBase):
    """Over TLS the relay cannot read the commands: ferry's own trace shows
    ALLO and EPSV sent before the first reply to them."""

    def test_tree_upload_over_tls(self):
        files = make_files(self.local("src"))
        r = self.check(self.ferry("-v", script="put -r src dst"))
        self.assertIn("--- TLS: ", r.err, r)
        for name, (data, t) in files.items():
            self.assertEqual(read_file(self.remote("dst", name)), data, r)
            if self.server.mfmt:
                self.assertEqual(int(os.stat(self.remote("dst", name)).st_mtime), t, r)
        trace = [l for l in r.err_lines if l.startswith(("-->", "<--"))]
        for i, line in enumerate(trace):
            if line.startswith("--> ALLO "):
                self.assertRegex(trace[i + 1], r"^--> (EPSV|PASV)", "\n".join(trace))


class FerrydTlsPipelineTest(TlsPipeline, ftptest.TestCase):

    @classmethod
    def start_server(cls):
        cls.TLS_ARGS = ("--ca-file", tlspeers.cert("ca.pem"))
        return tlspeers.start_ferryd_tls()


class PureFtpdTlsPipelineTest(TlsPipeline, ftptest.TestCase):

    @classmethod
    def start_server(cls):
        cls.TLS_ARGS = ("--ca-file", tlspeers.cert("ca.pem"))
        return peers.started(tlspeers.PureFtpdTls())


if __name__ == "__main__":
    unittest.main(verbosity=2)
