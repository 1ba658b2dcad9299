"""The two-pane client over FTPS, and the command line's settings in it.

Schemes against a server without TLS (ferryd, its commands recorded by a
relay, peers.ThrottleProxy): ftpes:// never sends USER or PASS in clear,
whether given at start or typed in the connect dialog; ftps:// fails at
once with the handshake's reason; ftp:// says on the status line that
the server offers no TLS. The options --active, --retry, --limit-rate,
--timeout and --no-preserve reach the screen's connections.

Against servers with TLS: vsftpd (a local login with TLS forced, data
connections that must resume the control connection's TLS session,
close_notify both ways) and pure-ftpd -Y 2: browsing, copies both ways
checked byte for byte, the lock and the TLS version in the top line, the
certificate on the `i` key. The connect dialog's TLS choice (implicit,
require) against ferryd's implicit-TLS and explicit listeners. The
certificate question (self-signed,
wrong host, changed): reject, accept once (every later connection of
the session goes on without asking, nothing stored), accept always
(known_certs, mode 0600, no question the next time), and a changed
certificate as a loud error that asks nothing.

Built on test_tui.TuiCase; tlspeers.py starts the TLS servers.
"""

import os
import re
import stat
import time
import unittest

import ftptest
import peers
import slowftp
import tlspeers
from test_tui import TuiCase, FERRY, LOCAL_MARK, REMOTE_MARK, DOWNLOAD, UPLOAD, panes
from tuitest import Tmux


def status_line(screen):
    return screen.rstrip("\n").split("\n")[-1]


def top_line(screen):
    return screen.split("\n")[0]


def start_peer(peer):
    try:
        return peer.start()
    except BaseException:
        peer.cleanup()
        raise


class TlsTuiCase(TuiCase):
    """A TuiCase whose known_certs lives in a folder of the test's own."""

    def setUp(self):
        super().setUp()
        self.data_home = os.path.join(self.base, "data")

    def store(self):
        return os.path.join(self.data_home, "ferry", "known_certs")

    def start_ferry(self, url=None, width=120, height=40, wait=True, args=(), env=None):
        url = self.server.url("/") if url is None else url
        cmd = [FERRY] + list(args) + ([url] if url else [])
        full = {"HOME": self.home, "XDG_DATA_HOME": self.data_home}
        full.update(env or {})
        self.t.start(cmd, cwd=self.local, width=width, height=height, env=full)
        if wait:
            self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15,
                            "both panes listing their files")

    def restart(self, url, args=(), wait=True):
        """Quits ferry and starts it again (a new session)."""
        self.t.keys("q")
        self.t.wait_exit(10)
        self.t.kill()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.side = None
        self.start_ferry(url=url, args=args, wait=wait)


# ---------------------------------------------------------------------------
# Schemes and settings against a server without TLS


class PlainServerTest(TlsTuiCase):
    """ferryd without TLS behind a relay that records the commands."""

    def setUp(self):
        super().setUp()
        self.proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20)
        self.addCleanup(self.proxy.close)

    def proxy_url(self, scheme="ftp", path="/"):
        return "%s://%s:%s@127.0.0.1:%d%s" % (scheme, peers.NAMED_USER, "s3cret-in-clear",
                                              self.proxy.port, path)

    def sent(self, verb):
        return [c for c in self.proxy.commands if c.upper().startswith(verb + " ")
                or c.upper() == verb]

    def assert_no_login_in_clear(self):
        cmds = list(self.proxy.commands)
        self.assertTrue(any(c.upper().startswith("AUTH TLS") for c in cmds),
                        "AUTH TLS was not asked for: %r" % cmds)
        for c in cmds:
            self.assertFalse(c.upper().startswith(("USER", "PASS")),
                             "%r went to a server without TLS in clear: %r" % (c, cmds))
        self.assertNotIn("s3cret-in-clear", "\n".join(cmds))

    def test_ftpes_url_never_logs_in_without_tls(self):
        self.start_ferry(url=self.proxy_url("ftpes"), wait=False)
        self.t.wait_for(r"could not connect|connected to", 15, "the connection's outcome")
        s = self.t.wait_check(lambda s: self.assertRegex(
            status_line(s), r"could not connect.*TLS is required", Tmux.framed(s)), 10)
        time.sleep(0.3)
        self.assert_no_login_in_clear()
        self.assertNotIn(REMOTE_MARK, s)

    def test_ftpes_typed_in_the_connect_dialog(self):
        self.start_ferry(url="", wait=False)
        self.t.wait_for(r"New connection", 10, "the site manager at start")
        self.t.keys("Enter")
        self.t.wait_for(r"Host or URL", 10, "the connect dialog")
        self.t.type(self.proxy_url("ftpes"))
        self.t.keys("Enter")
        # The URL filled in the rest: each field shows it, Enter keeps it.
        for field in ("TLS for", "Port:", "User", "Password:"):
            self.t.wait_for(self.prompt_line(field), 5,
                            "the connect dialog asks for %s" % field)

            def shown(s, field=field):
                self.assertTrue(self.prompt_line(field)(s), Tmux.framed(s))
                if field == "Port:":
                    self.assertIn(str(self.proxy.port), s, Tmux.framed(s))
                if field == "User":
                    self.assertIn(peers.NAMED_USER, s, Tmux.framed(s))
                if field == "TLS for":
                    self.assertRegex(s, r"Enter = r ", Tmux.framed(s))
            self.t.wait_check(shown, 5)
            self.t.keys("Enter")
        self.t.wait_for(r"could not connect|connected to", 15, "the connection's outcome")
        s = self.t.wait_check(lambda s: self.assertRegex(
            status_line(s), r"could not connect.*TLS is required", Tmux.framed(s)), 10)
        time.sleep(0.3)
        self.assert_no_login_in_clear()

    def test_ftps_against_a_plain_server_fails_at_once(self):
        t0 = time.monotonic()
        self.start_ferry(url=self.proxy_url("ftps"), wait=False)
        self.t.wait_for(r"could not connect", 15)
        self.assertLess(time.monotonic() - t0, 10, "ftps:// waited for a timeout")
        self.t.wait_check(lambda s: self.assertRegex(status_line(s), r"TLS handshake",
                                                     Tmux.framed(s)), 5)
        self.assertEqual(self.sent("USER"), [])

    def test_auto_says_the_session_is_plain(self):
        self.start_ferry(url=self.proxy_url("ftp").replace(
            "%s:s3cret-in-clear@" % peers.NAMED_USER, ""))
        self.t.wait_for(r"does not offer TLS", 10,
                        "the status line says the connection is plain FTP")
        s = self.t.wait_check(lambda s: self.assertRegex(top_line(s), r"(?i)plain|no TLS",
                                                         Tmux.framed(s)), 5)
        self.assertNotIn("\U0001f512", top_line(s))
        self.assertTrue(self.sent("FEAT"), self.proxy.commands)

    def test_tls_off_from_the_command_line(self):
        self.start_ferry(url=self.proxy_url("ftp", "/").replace(
            "%s:s3cret-in-clear@" % peers.NAMED_USER, ""), args=("--tls=off",))
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        self.assertFalse([c for c in self.proxy.commands if c.upper().startswith("AUTH")],
                         self.proxy.commands)

    def test_tls_off_comes_back_with_the_recent_host(self):
        """A connection made with TLS off is a recent host marked so, and
        reconnecting from it in the site manager stays off (an ftp:// URL
        alone would try AUTH TLS)."""
        self.start_ferry(url=self.proxy_url("ftp", "/").replace(
            "%s:s3cret-in-clear@" % peers.NAMED_USER, ""), args=("--tls=off",))
        self.t.keys("q")
        self.t.wait_exit()
        self.t.kill()
        recent = os.path.join(self.home, ".local", "state", "ferry", "recent")
        first = ftptest.read_file(recent).decode().split("\n")[0]
        self.assertEqual(first, "ftp://127.0.0.1:%d tls=off" % self.proxy.port)
        self.proxy.commands.clear()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.start_ferry(url="", wait=False)
        self.t.wait_for(self.prompt_line("recent", "127.0.0.1:%d tls=off" % self.proxy.port),
                        10, "the recent host with its TLS choice")
        self.t.keys("Down", "Enter")
        self.t.wait_for(lambda s: REMOTE_MARK in s and LOCAL_MARK in s, 10,
                        "connected from the recent host")
        self.assertTrue(self.sent("USER"), self.proxy.commands)
        self.assertFalse([c for c in self.proxy.commands if c.upper().startswith("AUTH")],
                         self.proxy.commands)

    def test_active_mode_reaches_the_transfers(self):
        url = "ftp://127.0.0.1:%d/" % self.proxy.port
        self.start_ferry(url=url, args=("--active",))
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        self.clear_filter()
        self.select("local", "upload-me.bin")
        self.t.keys("F5")
        self.wait_file(self.server.path("upload-me.bin"), UPLOAD)
        cmds = list(self.proxy.commands)
        self.assertTrue(any(c.upper().startswith(("EPRT", "PORT")) for c in cmds), cmds)
        self.assertFalse(any(c.upper().startswith(("EPSV", "PASV")) for c in cmds),
                         "a connection of the screen used passive mode: %r" % cmds)
        retr = [i for i, c in enumerate(cmds) if c.upper().startswith("RETR")]
        stor = [i for i, c in enumerate(cmds) if c.upper().startswith("STOR")]
        self.assertTrue(retr and stor, cmds)
        for i in retr + stor:
            self.assertTrue(any(c.upper().startswith(("EPRT", "PORT")) for c in cmds[:i]))

    def test_retry_reaches_the_connection(self):
        """The first connection is reset: --retry 2 tries again."""
        self.proxy.refuse_first = 1
        url = "ftp://127.0.0.1:%d/" % self.proxy.port
        self.start_ferry(url=url, args=("--retry", "2"))
        self.t.wait_check(lambda s: self.assertIn("connected", status_line(s)), 5)

    def test_without_retry_the_reset_is_final(self):
        self.proxy.refuse_first = 1
        url = "ftp://127.0.0.1:%d/" % self.proxy.port
        self.start_ferry(url=url, wait=False)
        self.t.wait_for(r"could not connect", 15)

    def test_limit_rate_slows_the_transfers(self):
        data = ftptest.random_bytes(1 << 20, seed=71)
        ftptest.write_file(self.lpath("rated.bin"), data)
        url = "ftp://127.0.0.1:%d/" % self.proxy.port
        self.start_ferry(url=url, args=("--limit-rate", "256K"))
        self.select("local", "rated.bin")
        t0 = time.monotonic()
        self.t.keys("F5")
        self.wait_file(self.server.path("rated.bin"), data, timeout=60)
        # 1 MiB at 256 KiB/s takes four seconds; unlimited, a blink.
        self.assertGreater(time.monotonic() - t0, 2.5, "--limit-rate did not slow the upload")

    def test_times_kept_unless_no_preserve(self):
        old = time.time() - 400 * 86400
        self.server.write("dated.txt", b"dated\n", mtime=old)
        self.server.write("dated2.txt", b"dated2\n", mtime=old)
        ftptest.write_file(self.lpath("ldated2.txt"), b"ldated2\n", mtime=old)
        url = "ftp://127.0.0.1:%d/" % self.proxy.port
        self.start_ferry(url=url)
        self.select("remote", "dated.txt")
        self.t.keys("F5")
        self.wait_file(self.lpath("dated.txt"), b"dated\n")
        self.assertLess(abs(os.stat(self.lpath("dated.txt")).st_mtime - old), 2,
                        "a download does not keep the server's time")
        # (uploads keeping their times: PureFtpdTlsTest, and test_tui_queue.)
        self.restart(url, args=("--no-preserve",))
        self.select("remote", "dated2.txt")
        self.t.keys("F5")
        self.wait_file(self.lpath("dated2.txt"), b"dated2\n")
        self.clear_filter()
        self.select("local", "ldated2.txt")
        self.t.keys("F5")
        self.wait_file(self.server.path("ldated2.txt"), b"ldated2\n")
        time.sleep(0.5)
        recent = time.time() - 3600
        self.assertGreater(os.stat(self.lpath("dated2.txt")).st_mtime, recent,
                           "--no-preserve still kept the server's time")
        self.assertGreater(os.stat(self.server.path("ldated2.txt")).st_mtime, recent,
                           "--no-preserve still set the time of an upload")
        self.assertFalse([c for c in self.proxy.commands if c.upper().startswith("MDTM")
                          and "dated2" in c], "--no-preserve still asked for the time: %r"
                         % self.proxy.commands)


class TimeoutTest(TlsTuiCase):
    """--timeout bounds the connect of the screen's connection."""

    def test_timeout_from_the_command_line(self):
        silent = slowftp.SlowFtp(silent=True)
        silent.start()
        self.addCleanup(silent.stop)
        t0 = time.monotonic()
        self.start_ferry(url="ftp://127.0.0.1:%d/" % silent.port, args=("--timeout", "2"),
                         wait=False)
        self.t.wait_for(r"could not connect", 15, "--timeout 2 ends a silent connect")
        self.assertLess(time.monotonic() - t0, 12, "the default 30 s timeout was used")


class NetrcWarningTest(TlsTuiCase):
    """A ~/.netrc others can read: its password is not used, and the
    status line says so."""

    def test_unsafe_netrc_is_reported(self):
        netrc = os.path.join(self.home, ".netrc")
        with open(netrc, "w") as f:
            f.write("machine 127.0.0.1 login anonymous password secret\n")
        os.chmod(netrc, 0o644)
        self.start_ferry(wait=False)
        self.t.wait_for(r"\.netrc can be read by others", 10,
                        "the status line warns about ~/.netrc")


# ---------------------------------------------------------------------------
# Servers with TLS


LOCK = "\U0001f512"
QUESTION = "could not be verified"


class TlsPeerCase(TlsTuiCase):
    """A TLS server from tlspeers.py serving the remote fixtures in /pub."""

    def start_tls_peer(self, peer):
        peer = start_peer(peer)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/download-me.bin", DOWNLOAD)
        peer.write("pub/rdir/rdir-inner.txt", b"inner\n")
        self.peer = peer
        return peer

    def peer_url(self, scheme=None):
        u = self.peer.url("/pub/", self.peer.user, self.peer.password)
        return scheme + u[u.index("://"):] if scheme else u

    def copy_both_ways(self):
        """F5 a file down and one up; both arrive byte for byte, and with
        their times where the server can tell (MDTM) and set (MFMT) them."""
        old = time.time() - 400 * 86400
        self.peer.write("pub/download-me.bin", DOWNLOAD, mtime=old)
        ftptest.write_file(self.lpath("upload-me.bin"), UPLOAD, mtime=old)
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD, 30)
        self.assertLess(abs(os.stat(self.lpath("download-me.bin")).st_mtime - old), 2,
                        "the download does not have the server's time")
        self.clear_filter()
        self.select("local", "upload-me.bin")
        self.t.keys("F5")
        self.wait_file(self.peer.path("pub", "upload-me.bin"), UPLOAD, 30)
        if getattr(self.peer, "mfmt", False):
            self.wait_disk(lambda: abs(os.stat(self.peer.path("pub", "upload-me.bin")).st_mtime
                                       - old) < 2, 5, "the upload was not given its time")
        self.clear_filter()

    def assert_never_asked(self, what):
        s = self.t.screen()
        if QUESTION in s:
            self.fail_screen("%s asked about the certificate again" % what)



class TlsInterop:
    """Browsing and copies over a verified TLS connection (mixed into a
    TlsPeerCase with make_peer and scheme)."""

    scheme = None

    def make_peer(self):
        raise NotImplementedError

    def test_browse_and_copy_over_tls(self):
        self.start_tls_peer(self.make_peer())
        self.start_ferry(url=self.peer_url(self.scheme),
                         args=("--ca-file", tlspeers.cert("ca.pem")))

        def secured(s):
            top = top_line(s)
            self.assertIn(LOCK, top, Tmux.framed(s))
            self.assertRegex(top, r"TLSv1\.[23]", Tmux.framed(s))
        s = self.t.wait_check(secured, 10)
        self.assertNotIn(QUESTION, s)
        self.select("remote", "rdir")
        self.t.keys("Enter")
        self.t.wait_for("rdir-inner.txt", 10, "entering a folder over TLS")
        self.t.keys("Backspace")
        self.t.wait_for(REMOTE_MARK, 10)
        self.clear_filter()
        self.copy_both_ways()
        # The certificate on request.
        self.t.keys("I")
        self.t.wait_for(self.prompt_line("Certificate:", "verified"), 5,
                        "i shows the certificate")
        fp = tlspeers.fingerprint("server.pem")

        def shown(s):
            self.assertIn(fp[:40], s, Tmux.framed(s))
            self.assertIn("CN=localhost", s, Tmux.framed(s))
        self.t.wait_check(shown, 5)
        self.t.keys("Enter")
        self.t.wait_gone(r"Certificate:", 5, "Enter closes the box")


class VsftpdTlsTest(TlsInterop, TlsPeerCase):
    """vsftpd: TLS forced for the login and the data, data connections
    that must resume the control connection's session, close_notify both
    ways; ftpes:// (TLS required)."""

    scheme = "ftpes"

    def make_peer(self):
        return tlspeers.VsftpdTls()


class VsftpdImplicitTlsTest(TlsInterop, TlsPeerCase):
    """vsftpd with implicit TLS: ftps://."""

    scheme = "ftps"

    def make_peer(self):
        return tlspeers.VsftpdTls(implicit=True)


class PureFtpdTlsTest(TlsInterop, TlsPeerCase):
    """pure-ftpd -Y 2 (TLS required), ftp:// with --tls=auto."""

    def make_peer(self):
        return tlspeers.PureFtpdTls()


class DialogTlsChoiceTest(TlsPeerCase):
    """The connect dialog's TLS choice, against one ferryd with an
    explicit-TLS and an implicit-TLS listener (TLS required on both): a
    bare host with "i" (implicit) reaches the implicit listener, "r"
    (require) the other; each session shows the lock and lists the root."""

    def connect_by_dialog(self, choice, port):
        self.t.wait_for(r"New connection", 10, "the site manager at start")
        self.t.keys("Enter")
        for prompt, text in (("Host or URL", "127.0.0.1"), ("TLS for", choice),
                             ("Port:", str(port)), ("User", "anonymous"),
                             ("Password:", self.peer.password)):
            self.t.wait_for(self.prompt_line(prompt), 10, "the dialog asks %r" % prompt)
            if prompt == "TLS for":
                self.t.keys(choice)
                continue
            self.t.keys("C-u")
            self.t.type(text)
            self.t.keys("Enter")

    def test_implicit_and_require_from_the_dialog(self):
        peer = self.start_tls_peer(tlspeers.start_ferryd_tls(
            extra=["-l", "127.0.0.1:0,implicit-tls"]))
        (_, explicit), (_, implicit) = peer.addresses
        args = ("--ca-file", tlspeers.cert("ca.pem"))
        for choice, port in (("i", implicit), ("r", explicit)):
            before = peer.log_text().count("session start")
            if choice == "i":
                self.start_ferry(url="", args=args, wait=False)
            else:
                self.restart("", args=args, wait=False)
            self.connect_by_dialog(choice, port)
            self.t.wait_for(lambda s: LOCK in top_line(s) and "pub" in s, 15,
                            "a TLS session listing the root")

            def session(s, port=port):
                self.assertRegex(top_line(s), r"TLSv1\.3", Tmux.framed(s))
                self.assertIn(":%d " % port, top_line(s), Tmux.framed(s))
            s = self.t.wait_check(session, 5)
            self.assertNotIn(QUESTION, s)
            # The listing came over a data connection, which --tls=required
            # only allows protected.
            log = peer.log_text()
            self.assertGreater(log.count("session start"), before)
            self.assertNotIn("result=no TLS", log)


class CertificateTest(TlsPeerCase):
    """What the screen does about certificates that do not verify: vsftpd
    serving a self-signed one (or one for another host), no --ca-file."""

    def start_with(self, certname, args=()):
        self.start_tls_peer(tlspeers.VsftpdTls(certname))
        self.start_ferry(url=self.peer_url(), args=args, wait=False)

    def question(self, certname, reason, subject="CN=localhost"):
        """Waits for the question; checks what it shows."""
        self.t.wait_for(QUESTION, 15, "the certificate question")
        fp = tlspeers.fingerprint(certname + ".pem")

        def shown(s):
            for what in (reason, "subject:", subject, "issuer:", "valid:", fp[:40],
                         "r = reject", "o = accept once", "a = accept always"):
                self.assertIn(what, s, "the question does not show %r:\n%s"
                              % (what, Tmux.framed(s)))
        return self.t.wait_check(shown, 5)

    def test_reject(self):
        self.start_with("selfsigned")
        self.question("selfsigned", "self-signed")
        self.t.keys("r")
        self.t.wait_for(r"could not connect", 10)

        def rejected(s):
            self.assertIn("certificate rejected", status_line(s), Tmux.framed(s))
            self.assertIn("not connected", top_line(s))
        s = self.t.wait_check(rejected, 5)
        self.assertNotIn(REMOTE_MARK, s)
        self.assertFalse(os.path.exists(self.store()))

    def test_accept_once(self):
        self.start_with("selfsigned")
        self.question("selfsigned", "self-signed")
        self.t.keys("o")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15,
                        "connected after accepting once")

        def accepted(s):
            self.assertIn(LOCK, top_line(s), Tmux.framed(s))
            self.assertIn("accepted by you", top_line(s), Tmux.framed(s))
        self.t.wait_check(accepted, 5)
        # The transfer process connects on its own: no second question.
        self.copy_both_ways()
        self.assert_never_asked("a copy")
        # Reloads and a new connection to the same server (F2, every
        # field kept) do not ask either.
        # A file new on the server shows that the reload was done.
        self.peer.write("pub/after-reload.txt", b"new\n")
        self.t.keys("C-r")
        self.t.wait_for(r"after-reload\.txt", 10, "Ctrl-R reloads the remote pane")
        self.assert_never_asked("a reload")
        self.t.wait_for(lambda s: not status_line(s).startswith("connected"), 10,
                        "the copies' messages on the status line")
        self.t.keys("F2")
        self.t.wait_for(r"New connection", 5, "F2 opens the site manager")
        self.t.keys("Enter")
        for field in ("Host or URL", "TLS for", "Port:", "User", "Password:"):
            self.t.wait_for(self.prompt_line(field), 5, "F2 asks for %s" % field)
            self.t.keys("Enter")
        self.t.wait_for(lambda s: status_line(s).startswith("connected to 127.0.0.1"), 10,
                        "F2 connects again")
        self.assert_never_asked("a new connection to the same server")
        self.assertFalse(os.path.exists(self.store()), "accept once wrote known_certs")
        # A new session asks again.
        self.restart(self.peer_url(), wait=False)
        self.question("selfsigned", "self-signed")
        self.t.keys("Escape")
        self.t.wait_for(r"could not connect", 10, "Esc rejects")

    def test_accept_always(self):
        self.start_with("selfsigned")
        self.question("selfsigned", "self-signed")
        self.t.keys("a")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15,
                        "connected after accepting always")
        path = self.store()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        line = "127.0.0.1:%d %s" % (self.peer.port, tlspeers.fingerprint("selfsigned.pem"))
        self.assertIn(line, ftptest.read_file(path).decode().splitlines())
        self.copy_both_ways()
        self.assert_never_asked("a copy")
        # The next session trusts it without a question.
        self.restart(self.peer_url())
        s = self.t.wait_check(lambda s: self.assertIn("certificate accepted before",
                                                      top_line(s), Tmux.framed(s)), 5)
        self.assertNotIn(QUESTION, s)

    def test_wrong_host_name(self):
        self.start_with("wronghost", args=("--ca-file", tlspeers.cert("ca.pem")))
        self.question("wronghost", "not valid for 127.0.0.1", "CN=wrong.example")
        self.t.keys("o")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15)

    def test_insecure_warns_and_says_so_on_top(self):
        self.start_with("selfsigned", args=("--insecure",))
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15)

        def warned(s):
            self.assertIn("NOT checked", top_line(s), Tmux.framed(s))
            self.assertRegex(status_line(s), r"warning: --insecure", Tmux.framed(s))
        s = self.t.wait_check(warned, 5)
        self.assertNotIn(QUESTION, s)

    def test_trust_fingerprint(self):
        fp = tlspeers.fingerprint("selfsigned.pem")
        self.start_with("selfsigned", args=("--trust-fingerprint", fp))
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 15)
        s = self.t.wait_check(lambda s: self.assertIn("pinned certificate", top_line(s),
                                                      Tmux.framed(s)), 5)
        self.assertNotIn(QUESTION, s)
        self.copy_both_ways()
        self.restart(self.peer_url(), args=("--trust-fingerprint",
                                            tlspeers.fingerprint("other.pem")), wait=False)
        self.t.wait_for(r"NOT THE CERTIFICATE YOU PINNED", 15,
                        "another certificate than the pinned one is a loud error")
        self.assertNotIn(QUESTION, self.t.screen())
        self.t.keys("Escape")
        self.t.wait_for(r"could not connect", 5)

    def test_changed_certificate_is_a_loud_error(self):
        self.start_tls_peer(tlspeers.VsftpdTls("selfsigned"))
        old = tlspeers.fingerprint("other.pem")
        ftptest.write_file(self.store(), ("127.0.0.1:%d %s\n" % (self.peer.port, old)).encode(),
                           mode=0o600)
        before = ftptest.read_file(self.store())
        self.start_ferry(url=self.peer_url(), wait=False)
        self.t.wait_for(r"HAS CHANGED", 15, "the changed certificate is shown")

        def shown(s):
            self.assertIn(old[:40], s, Tmux.framed(s))
            self.assertIn(tlspeers.fingerprint("selfsigned.pem")[:40], s, Tmux.framed(s))
        s = self.t.wait_check(shown, 5)
        self.assertNotIn(QUESTION, s)
        self.assertNotIn("accept once", s)
        # Keys that would accept at a question do nothing here.
        self.t.keys("a", "o", "y")
        time.sleep(0.3)
        self.assertIn("HAS CHANGED", self.t.screen())
        self.t.keys("Enter")
        self.t.wait_gone(r"!!!", 5, "Enter closes the box")
        # Had a, o or y accepted, the status line would say connected.
        s = self.t.wait_check(lambda s: self.assertIn("could not connect", status_line(s),
                                                      Tmux.framed(s)), 5)
        self.assertNotIn(REMOTE_MARK, s)
        self.assertEqual(ftptest.read_file(self.store()), before)


if __name__ == "__main__":
    unittest.main()
