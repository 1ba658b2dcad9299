"""ferry, the command-line client, over FTPS (RFC 4217).

Interop: vsftpd (TLS required for a local login and its data connections,
which must resume the control connection's TLS session, and close_notify
required both ways), pure-ftpd -Y 2 and pyftpdlib's TLS_FTPHandler, each
once with TLS 1.2 at most and once with TLS 1.3 (--tls-max): listings,
downloads, uploads, REST both ways, ABOR, active mode, the ASCII type,
checked byte for byte on disk. Certificates (tests/tls-certs.sh): a valid
chain trusted with --ca-file, an untrusted one, a wrong host name, an
expired one, a self-signed one, one that changed since it was accepted;
the question on a terminal (reject, once, always) and known_certs (mode
0600); --trust-fingerprint and --insecure. Modes: --tls=auto falls back to
plain FTP with a note, --tls=require and ftpes:// fail with exit code 8,
ftps:// is implicit TLS. A download cut without close_notify is a broken
transfer; --retry resumes it.

tlspeers.py starts the servers; clitest.CliBase runs ferry.
"""

import os
import re
import stat
import unittest

import clitest
import ftptest
import tlspeers
from clitest import BROKEN, LOGIN, NOT_CONFIRMED, OK, write_local
from ftptest import read_file

TLS = 8     # ferry's exit code when TLS cannot be used as asked
PROMPT = "[r]eject, accept [o]nce, accept [a]lways"


def start(peer):
    try:
        return peer.start()
    except BaseException:
        peer.cleanup()
        raise


# ---------------------------------------------------------------------------
# Interop


class TlsInterop(clitest.CliBase):
    """The transfers every TLS peer runs, with --ca-file (the chain
    verifies) and --tls-max TLS_MAX."""

    TLS_MAX = None

    @classmethod
    def make_peer(cls):
        raise NotImplementedError

    @classmethod
    def start_server(cls):
        cls.TLS_ARGS = ("--ca-file", tlspeers.cert("ca.pem"), "--tls-max", cls.TLS_MAX)
        return start(cls.make_peer())

    def version(self):
        return "TLSv" + self.TLS_MAX

    def test_session_is_protected(self):
        self.put_remote("f.txt", b"hello\n")
        r = self.check(self.ferry("-v", script="ls"))
        self.assertIn("f.txt", r.out, r)
        err = r.err
        # AUTH TLS before the name and password leave; PBSZ and PROT after.
        order = [err.find(s) for s in ("--> AUTH TLS", "--> USER ", "--> PASS ****",
                                       "--> PBSZ 0", "--> PROT P")]
        self.assertTrue(all(i >= 0 for i in order) and order == sorted(order),
                        "commands out of order or missing %r\n%s" % (order, r))
        self.assertNotIn(self.server.password, err, r)
        self.assertRegex(err, r"--- TLS: %s \S+, certificate verified" % re.escape(
            self.version()), r)
        data = re.findall(r"--- data connection: (.*)", err)
        self.assertTrue(data and all(d.startswith(self.version()) for d in data), r)
        if self.server.tls_name == "vsftpd":
            # require_ssl_reuse: a data connection that does not resume fails.
            self.assertTrue(all(d.endswith("resumed") for d in data), r)

    def test_get_and_put(self):
        data = ftptest.random_bytes(3 << 20, seed=91)
        write_local(self.local(clitest.UTF8_LOCAL), data)
        r = self.check(self.ferry("-v", script="put '%s'; ls; get '%s' 'back copy.bin'"
                                  % (clitest.UTF8_LOCAL, clitest.UTF8_LOCAL)))
        self.assertEqual(read_file(self.remote(clitest.UTF8_LOCAL)), data, r)
        self.assertEqual(read_file(self.local("back copy.bin")), data, r)
        self.assertIn(clitest.UTF8_LOCAL, r.out, r)
        self.assertIn("--> ALLO %d" % len(data), r.err, r)

    def test_resume_both_ways(self):
        down = ftptest.random_bytes(2 << 20, seed=92)
        up = ftptest.random_bytes(2 << 20, seed=93)
        self.put_remote("down.bin", down)
        write_local(self.local("down.bin"), down[:700000])
        write_local(self.local("up.bin"), up)
        self.put_remote("up.bin", up[:900000])
        r = self.check(self.ferry("-v", "-y", script="get -c down.bin; put -c up.bin"))
        self.assertIn("--> REST 700000", r.err, r)
        self.assertIn("--> REST 900000", r.err, r)
        self.assertEqual(read_file(self.local("down.bin")), down, r)
        self.assertEqual(read_file(self.remote("up.bin")), up, r)

    def test_abort_inside_tls(self):
        big = ftptest.random_bytes(8 << 20, seed=94)
        self.put_remote("big.bin", big)
        p, outp, errp = self.spawn(self.argv(("-v", "--limit-rate", "1M"), "get big.bin"))

        def moving():
            return any(os.path.getsize(self.local(n)) >= clitest.STOP_AT
                       for n in os.listdir(self.ldir) if n.startswith(".big.bin."))
        self.wait_moving(p, outp, errp, moving, "%d bytes on disk" % clitest.STOP_AT)
        r = self.interrupt(p, outp, errp)
        self.assertEqual(r.code, NOT_CONFIRMED, r)
        self.assertIn("--> ABOR", r.err, r)
        self.assertNotIn("big.bin", os.listdir(self.ldir), r)
        # The server is fine afterwards: the whole file in a new session.
        r = self.check(self.ferry(script="get big.bin"))
        self.assertEqual(read_file(self.local("big.bin")), big, r)

    def test_active_mode(self):
        data = ftptest.random_bytes(1 << 20, seed=95)
        write_local(self.local("a.bin"), data)
        r = self.check(self.ferry("--active", "-v", script="put a.bin; get a.bin b.bin; ls"))
        self.assertRegex(r.err, r"--> (EPRT|PORT) ", r)
        self.assertEqual(read_file(self.remote("a.bin")), data, r)
        self.assertEqual(read_file(self.local("b.bin")), data, r)
        self.assertIn("a.bin", r.out, r)

    def test_ascii_round_trip(self):
        text = "".join("line %d of some text\n" % i for i in range(5000)).encode()
        write_local(self.local("t.txt"), text)
        r = self.check(self.ferry(script="ascii; put t.txt; get t.txt back.txt"))
        self.assertEqual(read_file(self.local("back.txt")), text, r)
        stored = read_file(self.remote("t.txt"))
        self.assertIn(stored, (text, text.replace(b"\n", b"\r\n")), r)


class LoginNeedsTls:
    """For servers that refuse a login in clear (vsftpd's
    force_local_logins_ssl, ferryd's --tls=required)."""

    def test_login_without_tls_refused(self):
        r = self.ferry("--tls=off", script="ls")
        self.check(r, LOGIN)


class VsftpdTls12(LoginNeedsTls, TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.2"

    @classmethod
    def make_peer(cls):
        return tlspeers.VsftpdTls()


class VsftpdTls13(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.3"

    @classmethod
    def make_peer(cls):
        return tlspeers.VsftpdTls()


class PureFtpdTls12(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.2"

    @classmethod
    def make_peer(cls):
        return tlspeers.PureFtpdTls()


class PureFtpdTls13(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.3"

    @classmethod
    def make_peer(cls):
        return tlspeers.PureFtpdTls()


class PyftpdlibTls12(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.2"

    @classmethod
    def make_peer(cls):
        return tlspeers.PyftpdlibTls()


class PyftpdlibTls13(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.3"

    @classmethod
    def make_peer(cls):
        return tlspeers.PyftpdlibTls()

    def test_download_cut_without_close_notify(self):
        data = ftptest.random_bytes(1 << 20, seed=96)
        self.put_remote("cut-a.bin", data)
        r = self.check(self.ferry(script="get cut-a.bin"), BROKEN)
        self.assertIn("close_notify", r.err, r)
        self.assertNotIn("cut-a.bin", os.listdir(self.ldir), r)

    def test_retry_resumes_a_cut_download(self):
        data = ftptest.random_bytes(1 << 20, seed=97)
        self.put_remote("cut-b.bin", data)
        r = self.check(self.ferry("--retry", "1", "-v", script="get cut-b.bin"))
        self.assertIn("--> REST %d" % (len(data) // 2), r.err, r)
        self.assertEqual(read_file(self.local("cut-b.bin")), data, r)


class FerrydTls12(LoginNeedsTls, TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.2"

    @classmethod
    def make_peer(cls):
        return tlspeers.start_ferryd_tls()


class FerrydTls13(TlsInterop, ftptest.TestCase):
    TLS_MAX = "1.3"

    @classmethod
    def make_peer(cls):
        return tlspeers.start_ferryd_tls()

    def test_require_and_ftpes(self):
        self.put_remote("r.txt", b"required\n")
        r = self.check(self.ferry("--tls=require", "-v", script="get r.txt"))
        self.assertIn("--> AUTH TLS", r.err, r)
        self.assertEqual(read_file(self.local("r.txt")), b"required\n")
        url = "ftpes" + self.login_url()[3:]
        r = self.check(self.ferry(script="get r.txt r2.txt", url=url))
        self.assertEqual(read_file(self.local("r2.txt")), b"required\n")
        # Every data connection resumed the control connection's session.
        data = re.findall(r"--- data connection: (.*)", r.err + self.ferry(
            "-v", script="ls").err)
        self.assertTrue(data and all(d.endswith("resumed") for d in data), data)


class ImplicitTls(clitest.CliBase):
    """ftps://: TLS from the first byte, before the greeting."""

    @classmethod
    def make_peer(cls):
        raise NotImplementedError

    @classmethod
    def start_server(cls):
        cls.TLS_ARGS = ("--ca-file", tlspeers.cert("ca.pem"))
        return start(cls.make_peer())

    def test_implicit_tls(self):
        data = ftptest.random_bytes(1 << 20, seed=98)
        write_local(self.local("i.bin"), data)
        url = self.login_url()
        self.assertTrue(url.startswith("ftps://"), url)
        r = self.check(self.ferry("-v", script="put i.bin; get i.bin j.bin; ls", url=url))
        self.assertLess(r.err.find("--- TLS handshake"), r.err.find("<-- 220"), r)
        self.assertNotIn("--> AUTH", r.err, r)
        self.assertEqual(read_file(self.remote("i.bin")), data, r)
        self.assertEqual(read_file(self.local("j.bin")), data, r)


class FerrydImplicitTls(ImplicitTls, ftptest.TestCase):
    @classmethod
    def make_peer(cls):
        return tlspeers.start_ferryd_tls(implicit=True)


class VsftpdImplicitTls(ImplicitTls, ftptest.TestCase):
    @classmethod
    def make_peer(cls):
        return tlspeers.VsftpdTls(implicit=True)


class FerrydBothListeners(clitest.CliBase, ftptest.TestCase):
    """One ferryd with an explicit listener and an implicit-TLS one
    (-l ADDR,implicit-tls): ftpes:// to the first and ftps:// to the
    second, in turn, against the same process and files."""

    @classmethod
    def start_server(cls):
        cls.TLS_ARGS = ("--ca-file", tlspeers.cert("ca.pem"))
        return tlspeers.start_ferryd_tls(extra=["-l", "127.0.0.1:0,implicit-tls"])

    def url_to(self, scheme, port):
        srv = self.server
        return "%s://%s:%s@127.0.0.1:%d/" % (scheme, srv.user, srv.password, port)

    def test_explicit_and_implicit_listeners(self):
        (_, explicit), (_, implicit) = self.server.addresses
        self.assertNotEqual(explicit, implicit)
        data = ftptest.random_bytes(1 << 20, seed=99)
        write_local(self.local("b.bin"), data)
        r = self.check(self.ferry("-v", script="put b.bin", url=self.url_to("ftpes", explicit)))
        self.assertLess(r.err.find("<-- 220"), r.err.find("--> AUTH TLS"), r)
        self.assertEqual(read_file(self.remote("b.bin")), data, r)
        r = self.check(self.ferry("-v", script="get b.bin c.bin; put c.bin d.bin",
                                  url=self.url_to("ftps", implicit)))
        self.assertLess(r.err.find("--- TLS handshake"), r.err.find("<-- 220"), r)
        self.assertNotIn("--> AUTH", r.err, r)
        self.assertEqual(read_file(self.local("c.bin")), data, r)
        self.assertEqual(read_file(self.remote("d.bin")), data, r)
        r = self.check(self.ferry(script="get d.bin e.bin", url=self.url_to("ftpes", explicit)))
        self.assertEqual(read_file(self.local("e.bin")), data, r)
        # ftps:// against the explicit listener is a failed handshake (exit 8).
        r = self.ferry(script="ls", url=self.url_to("ftps", explicit), timeout=60)
        self.assertEqual(r.code, TLS, r)


# ---------------------------------------------------------------------------
# Certificates


class TlsCertificates(clitest.CliBase, ftptest.TestCase):
    """What ferry does about each kind of certificate. The class's server
    serves the valid chain; a test that needs another certificate starts a
    pyftpdlib of its own."""

    TLS_ARGS = ()

    @classmethod
    def start_server(cls):
        return start(tlspeers.PyftpdlibTls())

    def peer(self, certname):
        p = start(tlspeers.PyftpdlibTls(certname))
        self.addCleanup(p.cleanup)
        return p

    def url_of(self, p):
        return p.url("/", p.user, p.password)

    def store(self):
        return os.path.join(self.home, ".local", "share", "ferry", "known_certs")

    def refused(self, r, reason, certname):
        """r failed with exit 8 before any login: the reason and the
        certificate shown, nothing sent after the handshake."""
        if r.code != TLS:
            self.fail("expected exit %d, got %s\n%s" % (TLS, r.code, r))
        self.assertTrue(any(l.startswith("ferry: ") and reason in l for l in r.err_lines),
                        "no 'ferry: ' line saying %r\n%s" % (reason, r))
        self.assertIn(tlspeers.fingerprint(certname + ".pem"), r.err, r)
        self.assertIn("subject:", r.err, r)
        self.assertIn("issuer:", r.err, r)
        self.assertNotIn("--> USER", r.err, r)

    def test_verified_with_ca_file(self):
        r = self.check(self.ferry("-v", "--ca-file", tlspeers.cert("ca.pem"), script="ls",
                                  cd=False))
        self.assertIn("certificate verified", r.err, r)
        self.assertFalse(os.path.exists(self.store()), r)

    def test_system_store_by_default(self):
        """Without --ca-file the system's trust store decides (OpenSSL's
        default paths, which SSL_CERT_FILE points elsewhere): a chain it
        holds verifies, no question and no known_certs."""
        env = self.env(SSL_CERT_FILE=tlspeers.cert("ca.pem"))
        r = self.check(self.ferry("-v", script="ls", cd=False, env=env))
        self.assertIn("certificate verified", r.err, r)
        self.assertFalse(os.path.exists(self.store()), r)
        # The same store, but the name is not the certificate's: refused.
        p = self.peer("wronghost")
        r = self.ferry("-v", script="ls", url=self.url_of(p), cd=False, env=env)
        self.refused(r, "not valid for 127.0.0.1", "wronghost")

    def test_untrusted_authority_fails_in_scripts(self):
        r = self.ferry("-v", script="ls", cd=False)
        self.refused(r, "not signed by a trusted authority", "server")

    def test_wrong_host_name(self):
        p = self.peer("wronghost")
        r = self.ferry("-v", "--ca-file", tlspeers.cert("ca.pem"), script="ls",
                       url=self.url_of(p), cd=False)
        self.refused(r, "not valid for 127.0.0.1", "wronghost")

    def test_expired(self):
        p = self.peer("expired")
        r = self.ferry("-v", "--ca-file", tlspeers.cert("ca.pem"), script="ls",
                       url=self.url_of(p), cd=False)
        self.refused(r, "expired on 2020-02-01", "expired")

    def test_self_signed_fails_in_scripts(self):
        p = self.peer("selfsigned")
        r = self.ferry("-v", script="ls", url=self.url_of(p), cd=False)
        self.refused(r, "self-signed", "selfsigned")
        self.assertNotIn(PROMPT, r.err, r)
        self.assertFalse(os.path.exists(self.store()), r)

    def test_prompt_reject(self):
        p = self.peer("selfsigned")
        r = self.ferry_tty("-v", script="ls", answer="r", url=self.url_of(p), cd=False)
        self.assertEqual(r.code, TLS, r)
        self.assertIn(PROMPT, r.err, r)
        for what in ("self-signed", "subject:     CN=localhost, O=ferry tests", "issuer:",
                     "valid:", tlspeers.fingerprint("selfsigned.pem")):
            self.assertIn(what, r.err, r)
        self.assertIn("certificate rejected", r.err, r)
        self.assertNotIn("--> USER", r.err, r)
        self.assertFalse(os.path.exists(self.store()), r)

    def test_prompt_accept_once(self):
        p = self.peer("selfsigned")
        p.write("pub/once.txt", b"once\n")
        r = self.ferry_tty(script="cd pub; get once.txt", answer="o", url=self.url_of(p),
                           cd=False)
        self.assertEqual(r.code, OK, r)
        self.assertIn(PROMPT, r.err, r)
        self.assertEqual(read_file(self.local("once.txt")), b"once\n")
        self.assertFalse(os.path.exists(self.store()), r)
        # Not remembered: a script fails again.
        r = self.ferry(script="ls", url=self.url_of(p), cd=False)
        self.assertEqual(r.code, TLS, r)

    def test_prompt_accept_always(self):
        p = self.peer("selfsigned")
        r = self.ferry_tty(script="ls", answer="always", url=self.url_of(p), cd=False)
        self.assertEqual(r.code, OK, r)
        self.assertIn(PROMPT, r.err, r)
        path = self.store()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)
        line = "127.0.0.1:%d %s" % (p.port, tlspeers.fingerprint("selfsigned.pem"))
        self.assertIn(line, read_file(path).decode().splitlines())
        # Known now: scripts connect without a question.
        r = self.check(self.ferry("-v", script="ls", url=self.url_of(p), cd=False))
        self.assertIn("certificate known (known_certs)", r.err, r)

    def test_changed_certificate_is_loud(self):
        p = self.peer("selfsigned")
        old = tlspeers.fingerprint("other.pem")
        write_local(self.store(), "# accepted before\n127.0.0.1:%d %s\n" % (p.port, old))
        before = read_file(self.store())
        r = self.ferry(script="ls", url=self.url_of(p), cd=False)
        self.refused(r, "CHANGED", "selfsigned")
        self.assertIn(old, r.err, r)
        self.assertIn(self.store(), r.err, r)
        # A terminal changes nothing: no question, the same refusal.
        r = self.ferry_tty(script="ls", answer="a", url=self.url_of(p), cd=False)
        self.assertEqual(r.code, TLS, r)
        self.assertNotIn(PROMPT, r.err, r)
        self.assertIn("CHANGED", r.err, r)
        self.assertEqual(read_file(self.store()), before)

    def test_trust_fingerprint(self):
        p = self.peer("selfsigned")
        right = tlspeers.fingerprint("selfsigned.pem")
        r = self.check(self.ferry("--trust-fingerprint", right, script="ls",
                                  url=self.url_of(p), cd=False))
        # Hex without colons, lower case, as other tools print it.
        compact = "sha256:" + right[7:].replace(":", "").lower()
        self.check(self.ferry("--trust-fingerprint", compact, script="ls", url=self.url_of(p),
                              cd=False))
        r = self.ferry("--trust-fingerprint", tlspeers.fingerprint("other.pem"), script="ls",
                       url=self.url_of(p), cd=False)
        self.refused(r, "not the one --trust-fingerprint names", "selfsigned")

    def test_insecure_warns_every_time(self):
        p = self.peer("selfsigned")
        url = self.url_of(p)
        r = self.check(self.ferry("--insecure", script="ls; open %s; ls" % url, url=url,
                                  cd=False), OK)
        warnings = [l for l in r.err_lines if l.startswith("ferry: warning: --insecure")]
        self.assertEqual(len(warnings), 2, r)
        self.assertIn("self-signed", warnings[0], r)

    def test_bad_ca_file(self):
        r = self.ferry("--ca-file", os.path.join(self.home, "none.pem"), script="ls", cd=False)
        self.check(r, TLS)
        self.assertIn("cannot use --ca-file", r.err, r)

    def test_set_tls_settings(self):
        ca = tlspeers.cert("ca.pem")
        r = self.check(self.ferry(script="set ca-file %s; set tls-max 1.2; set; open %s; ls"
                                  % (ca, self.login_url()), url=False, cd=False))
        for row in ("tls ", "ca-file ", "trust-fingerprint ", "insecure ", "tls-max "):
            self.assertTrue(any(l.startswith(row) for l in r.out_lines), r)
        self.assertRegex(r.out, r"(?m)^ca-file +%s " % re.escape(ca), r)
        r = self.ferry(script="set tls-max 1.1", url=False, cd=False)
        self.check(r, clitest.USAGE)


# ---------------------------------------------------------------------------
# --tls and the schemes against a server without TLS


class TlsModes(clitest.CliBase, ftptest.TestCase):
    """Plain vsftpd (no AUTH TLS in FEAT)."""

    PEER = "vsftpd"
    TLS_ARGS = ()

    def plain_url(self, scheme):
        return "%s://127.0.0.1:%d/" % (scheme, self.server.port)

    def test_auto_falls_back_with_a_note(self):
        self.put_remote("p.txt", b"plain\n")
        r = self.check(self.ferry(script="get p.txt"))
        self.assertEqual(read_file(self.local("p.txt")), b"plain\n")
        notes = [l for l in r.err_lines if "does not offer TLS" in l]
        self.assertEqual(len(notes), 1, r)
        self.assertTrue(notes[0].startswith("note: "), r)
        # -q: quiet about it.
        r = self.check(self.ferry("-q", "-y", script="get p.txt"))
        self.assertEqual(r.err, "", r)

    def test_require_fails_with_exit_8(self):
        r = self.ferry("--tls=require", "-v", script="ls")
        self.assertEqual(r.code, TLS, r)
        self.assertIn("ferry: open 127.0.0.1:%d: TLS is required, but the server refused "
                      "AUTH TLS" % self.server.port, r.err, r)
        self.assertNotIn("--> USER", r.err, r)

    def test_ftpes_requires_tls(self):
        r = self.ferry("-v", script="ls", url=self.plain_url("ftpes"), cd=False)
        self.assertEqual(r.code, TLS, r)
        self.assertIn("TLS is required", r.err, r)
        self.assertNotIn("--> USER", r.err, r)

    def test_ftps_against_a_plain_server(self):
        r = self.ferry("--timeout", "5", script="ls", url=self.plain_url("ftps"), cd=False)
        self.assertEqual(r.code, TLS, r)
        self.assertIn("TLS handshake", r.err, r)

    def test_off_never_asks(self):
        r = self.check(self.ferry("--tls=off", "-v", script="ls"))
        self.assertNotIn("AUTH", r.err, r)
        self.assertNotIn("does not offer TLS", r.err, r)

    def test_set_tls(self):
        r = self.ferry(script="set tls require; open %s; ls" % self.plain_url("ftp"),
                       url=False, cd=False)
        self.check(r, TLS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
