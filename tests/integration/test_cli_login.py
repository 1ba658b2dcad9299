"""Every way the way in can go wrong, from the TCP connect to the end of
the login: the greeting, then each command ferry sends while it opens
(AUTH TLS, FEAT, USER, PASS, TYPE, PWD), answered by a scripted stand-in
on 127.0.0.1 with silence, a line that is no reply, a line too long, a
reply that never ends, a connection closed in the middle of a reply, 421
or 530. Each case runs `ferry -c lpwd URL` and checks the exit status
that ferry(1)'s EXIT STATUS promises and the one `ferry: ` line on
stderr, word for word; then that --retry tries again exactly the
failures it says it does."""

import unittest

import clitest
import ftptest
import slowftp
from clitest import BROKEN, CONNECT, LOGIN, OK

TLS = 8                    # exit status: TLS not possible as asked
TIMEOUT = "1"              # --timeout of every run, in seconds
SSH = "SSH-2.0-OpenSSH_9.2p1 Debian-2"


class Scripted(slowftp.SlowFtp):
    """slowftp with a fault on the way in: greet says how the greeting
    goes, faults {verb: fault} what happens to a command instead of its
    answer. Faults: "silent" (nothing, the connection kept open), "garbage"
    (a line that is no reply), "long" (a line that never ends, past the
    client's limit), "flood" (a multi-line reply of short lines that never
    ends), "bulk" (one of long lines that never ends), "cut" (half a
    multi-line reply, then the connection closed), "close" (closed at
    once), "421" and "530" (those replies; 421 then closes), or a str to
    send as it is, followed by silence."""

    def __init__(self, greet="220", faults=None, **kw):
        super().__init__(**kw)
        self.greet = greet
        self.faults = dict(faults or {})
        self.connections = 0

    def _greet(self, c):
        with self.lock:
            self.connections += 1
        if self.greet == "220":
            return super()._greet(c)
        return self._fault(c, self.greet, 220)

    def _command(self, c, st, text):
        verb = text.partition(" ")[0].upper()
        if verb in self.faults:
            with self.lock:
                self.log.append(text)
            return self._fault(c, self.faults[verb], 211 if verb == "FEAT" else 331) is not False
        return super()._command(c, st, text)

    def _fault(self, c, fault, code):
        """Does fault in place of a reply with code; False ends the
        session, None goes on."""
        if fault == "421":
            self._send(c, "421 Service not available, closing control connection.")
            return False
        if fault == "530":
            self._send(c, "530 Login incorrect.")
            return None
        if fault == "close":
            return False
        if fault == "cut":
            c.sendall(b"%d-First line of a reply\r\n more of it\r\n" % code)
            return False
        if fault in ("flood", "bulk"):
            self._flood(c, code, b"x" * (1000 if fault == "bulk" else 8))
        elif fault == "long":
            c.sendall(b"%d " % code + b"x" * 6000)
        elif fault == "garbage":
            c.sendall(b"hello from a broken server\r\n")
        elif fault != "silent":
            c.sendall(fault.encode("utf-8", "surrogateescape"))
        self._hush(c)
        return False

    def _flood(self, c, code, filler):
        """Sends "code-" and inner lines, never the last one, until the
        client hangs up (or 8 MiB went out)."""
        c.settimeout(5.0)
        try:
            c.sendall(b"%d-Here it comes\r\n" % code)
            for i in range((8 << 20) // (len(filler) + 8)):
                c.sendall(b" %s%05d\r\n" % (filler, i % 100000))
        except OSError:
            pass
        c.settimeout(0.2)


# (what, tls, greet, faults, status, message after "ferry: open H:P: ").
GREETING = [
    ("greeting never comes", "off", "silent", {}, CONNECT,
     "waiting for the greeting: timed out"),
    ("closed before a greeting", "off", "close", {}, CONNECT,
     "waiting for the greeting: connection closed by the server"),
    ("closed in a multi-line greeting", "off", "cut", {}, CONNECT,
     "waiting for the greeting: connection closed by the server"),
    ("an SSH server", "off", SSH + "\r\n", {}, BROKEN,
     'not an FTP server: it sent "%s"' % SSH),
    ("an HTTP server's reply", "off",
     "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n", {}, BROKEN,
     'not an FTP server: it sent "HTTP/1.1 400 Bad Request"'),
    ("a long line of HTML, quoted short", "off",
     "<!DOCTYPE html><html><head><title>400 Bad Request</title></head>\r\n", {}, BROKEN,
     'not an FTP server: it sent "<!DOCTYPE html><html><head><title>400 Ba..."'),
    ("control characters in the greeting", "off",
     "\x1b[2J\x1b]0;owned\x07SSH-2.0-x\r\n", {}, BROKEN,
     'not an FTP server: it sent "?[2J?]0;owned?SSH-2.0-x"'),
    ("a greeting line past the limit", "off", "long", {}, BROKEN,
     "waiting for the greeting: the server sent a reply line longer than 4096 bytes"),
    ("a greeting that never ends", "off", "flood", {}, BROKEN,
     "waiting for the greeting: the server sent a reply of more than 10000 lines"),
    ("421 in the greeting", "off", "421", {}, CONNECT,
     "421 Service not available, closing control connection."),
    ("530 in the greeting", "off", "530", {}, CONNECT, "530 Login incorrect."),
]


def command_cases(verb, tls, name=None, label=None):
    """The faults of one command sent during the login, named name in
    messages and label in the cases."""
    name = name or verb
    label = label or name
    wait = "waiting for the reply to %s: " % name
    return [
        ("%s: no answer" % label, tls, "220", {verb: "silent"}, BROKEN, wait + "timed out"),
        ("%s: no reply" % label, tls, "220", {verb: "garbage"}, BROKEN,
         wait + "the server sent something that is not a reply: hello from a broken server"),
        ("%s: a line past the limit" % label, tls, "220", {verb: "long"}, BROKEN,
         wait + "the server sent a reply line longer than 4096 bytes"),
        ("%s: a reply that never ends" % label, tls, "220", {verb: "flood"}, BROKEN,
         wait + "the server sent a reply of more than 10000 lines"),
        ("%s: closed in the reply" % label, tls, "220", {verb: "cut"}, BROKEN,
         wait + "connection closed by the server"),
        ("%s: closed, no reply" % label, tls, "220", {verb: "close"}, BROKEN,
         wait + "connection closed by the server"),
        ("%s: 421" % label, tls, "220", {verb: "421"}, CONNECT,
         "421 Service not available, closing control connection."),
    ]


COMMANDS = (
    command_cases("AUTH", "require", "AUTH TLS")
    + [("AUTH TLS: 530", "require", "220", {"AUTH": "530"}, TLS,
        "TLS is required, but the server refused AUTH TLS (530 Login incorrect.)")]
    # --tls=auto: FEAT before the login asks whether TLS is offered.
    + command_cases("FEAT", "auto", label="FEAT before the login")[:3]
    + command_cases("USER", "off")
    + [("USER: 530", "off", "220", {"USER": "530"}, LOGIN, "530 Login incorrect.")]
    + command_cases("PASS", "off")
    + [("PASS: 530", "off", "220", {"PASS": "530"}, LOGIN, "530 Login incorrect.")]
    + command_cases("FEAT", "off")
    + [("FEAT: a reply of long lines that never ends", "off", "220", {"FEAT": "bulk"}, BROKEN,
        "waiting for the reply to FEAT: the server sent a reply longer than 262144 bytes"),
       ("FEAT: 530 (no features)", "off", "220", {"FEAT": "530"}, OK, None)]
    + command_cases("TYPE", "off")
    + [("TYPE: 530", "off", "220", {"TYPE": "530"}, LOGIN, "530 Login incorrect.")]
    + command_cases("PWD", "off")
    + [("PWD: 530 (no directory)", "off", "220", {"PWD": "530"}, OK, None)]
)


class LoginFaultTest(clitest.CliBase, ftptest.TestCase):
    PEER = "ferryd"

    def scripted(self, greet, faults):
        srv = Scripted(greet, faults).start()
        self.addCleanup(srv.stop)
        return srv

    def open(self, srv, tls, *more):
        return self.run_cmd([clitest.FERRY, "--tls=" + tls, "--timeout", TIMEOUT] + list(more)
                            + ["-c", "lpwd", srv.url("/")], timeout=20)

    def run_table(self, table):
        for what, tls, greet, faults, status, message in table:
            with self.subTest(what):
                srv = self.scripted(greet, faults)
                r = self.open(srv, tls)
                self.check(r, status, what)
                if message is not None:
                    self.assertEqual(r.err, "ferry: open 127.0.0.1:%d: %s\n"
                                     % (srv.port, message), r)
                else:
                    self.assertEqual(r.out_lines, [self.ldir], r)
                # Bounded: the time-out once and a margin, floods included.
                self.assertLess(r.elapsed, 8.0, r)
                srv.stop()

    def test_greeting(self):
        """The greeting: none (3), closed (3), an SSH or web server's
        line (7, named, quoted short and without control characters),
        a line too long or a reply that never ends (7), 421 or 530 (3)."""
        self.run_table(GREETING)

    def test_login_commands(self):
        """Each command of the login: no answer, no reply, a line too
        long, a reply that never ends or a connection closed in the middle
        of a reply break the login off (7, naming the command); 421 turns
        the client away (3); 530 to USER, PASS or TYPE is a refused login
        (4), to AUTH TLS under --tls=require TLS not possible (8), and to
        FEAT or PWD no harm."""
        self.run_table(COMMANDS)

    def test_retry(self):
        """--retry 1 tries a login again when it could not connect (3)
        or broke off (7), and not when it was refused (4) or TLS was not
        possible (8): two connections, or one."""
        cases = [
            ("closed before a greeting", "off", "close", {}, CONNECT, 2),
            ("421 in the greeting", "off", "421", {}, CONNECT, 2),
            ("an SSH server", "off", SSH + "\r\n", {}, BROKEN, 2),
            ("USER: no answer", "off", "220", {"USER": "silent"}, BROKEN, 2),
            ("PASS: closed in the reply", "off", "220", {"PASS": "cut"}, BROKEN, 2),
            ("FEAT: no reply", "off", "220", {"FEAT": "garbage"}, BROKEN, 2),
            ("PASS: 530", "off", "220", {"PASS": "530"}, LOGIN, 1),
            ("AUTH TLS: 530", "require", "220", {"AUTH": "530"}, TLS, 1),
        ]
        for what, tls, greet, faults, status, connections in cases:
            with self.subTest(what):
                srv = self.scripted(greet, faults)
                r = self.open(srv, tls, "--retry", "1")
                self.check(r, status, what)
                with srv.lock:
                    self.assertEqual(srv.connections, connections, r)
                srv.stop()


if __name__ == "__main__":
    unittest.main()
