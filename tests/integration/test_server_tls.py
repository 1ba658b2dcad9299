"""ferryd over FTPS (RFC 4217), driven by real clients.

The replies to AUTH, PBSZ, PROT and CCC and FEAT's lines; curl (explicit
--ssl-reqd, implicit ftps://, uploads, downloads, many files in one
session, TLS 1.2 and 1.3), lftp (ftp:ssl-force, ftp:ssl-protect-data, the
certificate verified with the test CA), python's ftplib.FTP_TLS (prot_p,
its data connections resuming the control connection's session); and the
defences: --tls=required refusing a login in clear (534) and transfers
without PROT P (521), a passive port taken by a client with a fresh TLS
session or another control connection's session (425, no byte of the
file reaches it), an upload cut without close_notify (426, the old file
kept), STAT and ABOR inside a TLS transfer, the certificate reloaded on
SIGHUP while a session goes on, and a -v trace that never shows the
password. One ferryd serves explicit TLS on one listener and implicit TLS
on another (-l ADDR,implicit-tls); ferryd -i runs explicit and implicit
TLS on a socket a test inetd accepted, and AUTH TLS over pipes. Every server runs with its seccomp sandbox on (the default), so
OpenSSL's system calls are covered too. Certificates come from
tests/tls-certs.sh (tlspeers.certs()).
"""

import ftplib
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import config
import ftptest
import tlspeers
from ftptest import read_file

PASSWORD = "s3cret-Passw0rd"
USER = "alice"


def server_context(tls_max=None):
    """A client context trusting the test CA, for 127.0.0.1."""
    ctx = ssl.create_default_context(cafile=tlspeers.cert("ca.pem"))
    if tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def cert_fingerprint(pem_path):
    """SHA-256 of the DER form of the first certificate in a PEM file."""
    with open(pem_path) as f:
        text = f.read()
    end = "-----END CERTIFICATE-----"
    der = ssl.PEM_cert_to_DER_cert(text[:text.index(end) + len(end)] + "\n")
    return hashlib.sha256(der).hexdigest()


def served_fingerprint(srv):
    """SHA-256 of the certificate a new session of srv presents after
    AUTH TLS."""
    with socket.create_connection((srv.host, srv.port), ftptest.TIMEOUT) as raw:
        raw.recv(100)
        raw.sendall(b"AUTH TLS\r\n")
        raw.recv(100)
        s = server_context().wrap_socket(raw, server_hostname="localhost")
        fp = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
        s.close()
        return fp


class SessionReusingFTP_TLS(ftplib.FTP_TLS):
    """ftplib.FTP_TLS whose data connections resume the control
    connection's TLS session, as RFC 4217 servers that bind data
    connections ask (ftplib itself starts a fresh session for each)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size


def start_tls_server(extra=(), certname="server", copy_certs=False):
    """A ferryd with TLS (-v), anonymous read-write and alice with a
    password. copy_certs puts the certificate and key beside the server
    root, readable after ferryd drops its privileges (for reloads)."""
    srv = ftptest.Server()
    users = os.path.join(srv.base, "users")
    ftptest.write_file(users, "%s:%s::rw\n" % (USER, ftptest.hash_password(PASSWORD)),
                       mode=0o600)
    cert, key = tlspeers.cert(certname + ".pem"), tlspeers.cert(certname + ".key")
    if copy_certs:
        for src, name in ((cert, "cert.pem"), (key, "key.pem")):
            shutil.copy(src, os.path.join(srv.base, name))
            os.chmod(os.path.join(srv.base, name), 0o644)
        cert, key = os.path.join(srv.base, "cert.pem"), os.path.join(srv.base, "key.pem")
        # A reload reads the users file again as the run-as user: its group.
        ftptest.share_with_run_as(users)
    srv.args = ["-v", "-u", users, "--anonymous=rw", "--tls-cert", cert, "--tls-key", key,
                "--idle-timeout", "30"] + list(extra)
    srv.tls_files = (cert, key)
    try:
        srv.start()
    except BaseException:
        srv.cleanup()
        raise
    return srv


class TlsControl(ftptest.Control):
    """A raw control connection that can turn to TLS (AUTH TLS) and make
    protected data connections."""

    def __init__(self, server, ctx=None, tls_first=False, **kw):
        """tls_first: implicit TLS, the handshake before the greeting."""
        self.ctx = ctx or server_context()
        super().__init__(server, greeting=not tls_first, **kw)
        if tls_first:
            self.sock = self.ctx.wrap_socket(self.sock, server_hostname="localhost")
            self.greeting = self.reply()

    def auth(self):
        self.expect("AUTH TLS", 234)
        self.sock = self.ctx.wrap_socket(self.sock, server_hostname="localhost")

    def secure_login(self, user=USER, passwd=PASSWORD):
        self.auth()
        self.login(user, passwd)
        self.expect("PBSZ 0", 200)
        self.expect("PROT P", 200)
        self.expect("TYPE I", 200)

    def retr(self, name):
        """A protected download of name; the bytes (226 checked)."""
        d = self.data(self.epsv())
        self.send("RETR %s\r\n" % name)
        if self.reply().code != 150:
            raise AssertionError("RETR %s: no 150%s" % (name, self._log()))
        got = recv_tls_all(d)
        d.close()
        r = self.reply()
        if r.code != 226:
            raise AssertionError("RETR %s: %r%s" % (name, r, self._log()))
        return got

    def data(self, port, session="own"):
        """A TLS data connection to port: resuming this control
        connection's session ("own"), a fresh one (None), or the given
        ssl.SSLSession. The handshake runs at its first use, after the
        transfer command (ferryd starts it once the command came)."""
        raw = ftptest.data_connect(self.server.host, port)
        if session == "own":
            session = self.sock.session
        return self.ctx.wrap_socket(raw, server_hostname="localhost", session=session,
                                    do_handshake_on_connect=False)


def recv_tls_all(sock, timeout=ftptest.TIMEOUT):
    """Everything a TLS data connection delivers until it ends."""
    sock.settimeout(timeout)
    out = b""
    while True:
        try:
            chunk = sock.recv(1 << 16)
        except (ssl.SSLError, ConnectionResetError, OSError):
            break
        if not chunk:
            break
        out += chunk
    return out


def no_plain_greeting(test, host, port):
    """A client speaking plain FTP to an implicit-TLS port gets no 220."""
    with socket.create_connection((host, port), 5) as p:
        p.sendall(b"USER x\r\n")
        p.settimeout(ftptest.TIMEOUT)
        try:
            got = p.recv(100)
        except (socket.timeout, ConnectionResetError):
            got = b""
        test.assertFalse(got.startswith(b"220"), got)


# ---------------------------------------------------------------------------
# The commands


class TlsCommands(ftptest.TestCase):
    """AUTH, PBSZ, PROT, CCC and FEAT on the wire."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server()
        cls.addClassCleanup(cls.server.cleanup)

    def test_feat_lists_tls(self):
        with self.server.control() as c:
            feat = c.expect("FEAT", 211).text
        for line in (" AUTH TLS", " PBSZ", " PROT"):
            self.assertIn(line + "\n", feat + "\n", feat)

    def test_replies_in_clear(self):
        with self.server.control() as c:
            self.assertCode(c.cmd("PBSZ 0"), 503)
            self.assertCode(c.cmd("PROT P"), 503)
            self.assertCode(c.cmd("AUTH KERBEROS_V4"), 504)
            self.assertCode(c.cmd("CCC"), 534)

    def test_replies_inside_tls(self):
        with TlsControl(self.server) as c:
            c.auth()
            self.assertCode(c.cmd("PROT P"), 503)           # PBSZ first
            self.assertCode(c.cmd("PBSZ 0"), 200)
            self.assertCode(c.cmd("PROT S"), 536)
            self.assertCode(c.cmd("PROT E"), 536)
            self.assertCode(c.cmd("PROT X"), 504)
            self.assertCode(c.cmd("PROT P"), 200)
            self.assertCode(c.cmd("AUTH TLS"), 503)
            self.assertCode(c.cmd("CCC"), 534)
            c.login(USER, PASSWORD)
            self.assertIn("TLSv1.3", c.sock.version())
            self.assertCode(c.cmd("NOOP"), 200)

    def test_session_logs_tls_version_and_suite(self):
        for tls_max in (None, "1.2"):
            with TlsControl(self.server, ctx=server_context(tls_max)) as c:
                c.auth()
                c.login(USER, PASSWORD)
                version, suite = c.sock.version(), c.sock.cipher()[0]
                port = c.sock.getsockname()[1]
            self.assertEqual(version, "TLSv1.2" if tls_max else "TLSv1.3")
            self.assertTrue(self.server.wait_log(r"session 127\.0\.0\.1:%d: TLS %s %s\n" % (
                port, re.escape(version), re.escape(suite))), self.server.log_tail())

    def test_prot_c_moves_data_in_clear(self):
        """PROT C (allowed unless --tls=required) takes data connections
        back to clear text; the control connection stays in TLS."""
        self.server.write("clear.txt", b"in clear\n")
        with TlsControl(self.server) as c:
            c.secure_login()
            self.assertCode(c.cmd("PROT C"), 200)
            d = c.open_epsv()
            self.assertCode(c.cmd("RETR clear.txt"), 150)
            self.assertEqual(ftptest.recv_all(d), b"in clear\n")
            d.close()
            self.assertCode(c.reply(), 226)
            self.assertIsInstance(c.sock, ssl.SSLSocket)

    def test_quit_ends_tls_cleanly(self):
        """The control connection's TLS ends with close_notify after QUIT."""
        with TlsControl(self.server) as c:
            c.auth()
            self.assertCode(c.cmd("QUIT"), 221)
            c.sock.settimeout(5)
            c.sock = c.sock.unwrap()     # raises unless the server's close_notify came

    def test_auth_ssl_alias(self):
        with TlsControl(self.server) as c:
            self.assertCode(c.cmd("AUTH SSL"), 234)
            c.sock = c.ctx.wrap_socket(c.sock, server_hostname="localhost")
            c.login(USER, PASSWORD)

    def test_pipelined_bytes_after_auth_are_dropped(self):
        """Commands sent in clear right behind AUTH TLS never run inside
        TLS (the STARTTLS command injection): they are dropped."""
        self.server.write("victim.txt", b"still here\n")
        with TlsControl(self.server) as c:
            c.send("AUTH TLS\r\nUSER %s\r\nPASS %s\r\nDELE victim.txt\r\n" % (USER, PASSWORD))
            self.assertCode(c.reply(), 234)
            c.sock = c.ctx.wrap_socket(c.sock, server_hostname="localhost")
            # The first reply inside TLS answers the first command sent inside it.
            self.assertCode(c.cmd("NOOP"), 200)
            self.assertCode(c.cmd("DELE victim.txt"), 530)
        self.assertEqual(read_file(self.server.path("victim.txt")), b"still here\n")

    def test_failed_handshake_ends_session(self):
        with self.server.control() as c:
            self.assertCode(c.cmd("AUTH TLS"), 234)
            c.send("USER alice\r\n")      # not a TLS ClientHello
            c.sock.settimeout(10)
            data = b""
            while True:
                try:
                    chunk = c.sock.recv(4096)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
            self.assertNotIn(b"331", data)
        self.assertTrue(self.server.wait_log(r"TLS handshake failed"), self.server.log_tail())

    def test_plain_server_has_no_tls(self):
        with ftptest.Server(["--anonymous=ro"]) as plain:
            with plain.control() as c:
                self.assertNotIn("AUTH", c.expect("FEAT", 211).text)
                self.assertCode(c.cmd("AUTH TLS"), 502)
                self.assertCode(c.cmd("CCC"), 502)

    def test_options_refused(self):
        for args, msg in (
                (["--tls=required"], "--tls=required needs a certificate"),
                (["--tls=maybe"], "--tls must be off, on or required"),
                (["--implicit-tls"], "--implicit-tls needs TLS"),
                (["--tls-cert", "/nonexistent/x.pem"], "/nonexistent/x.pem")):
            r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0"] + args,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(msg, r.stderr.decode(), args)

    def test_fifo_certificate_or_key_refused(self):
        """A FIFO named as the certificate or the key (nobody writing to
        it) stops the start with a message at once instead of hanging."""
        d = tempfile.mkdtemp(prefix="ferryd-tls-fifo-")
        self.addCleanup(shutil.rmtree, d, True)
        fifo = os.path.join(d, "pem")
        os.mkfifo(fifo)
        for args in (["--tls-cert", fifo],
                     ["--tls-cert", tlspeers.cert("server.pem"), "--tls-key", fifo]):
            r = subprocess.run([config.FERRYD, "-l", "127.0.0.1:0"] + args,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn("%s: not a regular file" % fifo, r.stderr.decode(), args)


def client_hello(ctx=None):
    """The bytes a client sends first in a TLS handshake."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = (ctx or server_context()).wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


class TlsHandshakeTiming(ftptest.TestCase):
    """A session not logged in is held no longer than --login-timeout
    (with a much longer --idle-timeout): silent after AUTH TLS, sending
    the ClientHello a byte at a time, each byte within the timeout, or
    sending commands without reading their replies, in clear or in TLS."""

    LOGIN_TIMEOUT = 3

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(["--login-timeout", str(cls.LOGIN_TIMEOUT),
                                       "--idle-timeout", "60"])
        cls.addClassCleanup(cls.server.cleanup)

    def closed_after(self, c, hello, interval, limit=20.0):
        """Seconds until the server closes c while hello goes out a byte
        every interval seconds; fails after limit."""
        t0 = time.monotonic()
        c.sock.settimeout(interval)
        sent = 0
        while time.monotonic() - t0 < limit:
            try:
                if sent < len(hello):
                    c.sock.send(hello[sent:sent + 1])
                    sent += 1
                if not c.sock.recv(4096):
                    return time.monotonic() - t0
            except socket.timeout:
                continue
            except OSError:
                return time.monotonic() - t0
        self.fail("session still open after %.0f s (%d of %d bytes of the ClientHello "
                  "sent)" % (limit, sent, len(hello)))

    def test_silent_after_auth(self):
        with self.server.control() as c:
            self.assertCode(c.cmd("AUTH TLS"), 234)
            took = self.closed_after(c, b"", 0.5)
        self.assertLess(took, self.LOGIN_TIMEOUT + 2)

    def test_replies_never_read(self):
        for tls in (False, True):
            before = {p for p, _ in self.server.session_pids()}
            with TlsControl(self.server) as c:
                if tls:
                    c.auth()
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                t0 = time.monotonic()
                c.sock.settimeout(0.2)
                try:
                    while time.monotonic() - t0 < 1.5:
                        c.sock.send(b"HELP\r\n" * 50)
                except OSError:     # socket.timeout, ssl.SSLWantWriteError
                    pass
                gone = ftptest.wait_until(lambda: not [p for p, _ in self.server.session_pids()
                                                       if p not in before], timeout=15)
                took = time.monotonic() - t0
            self.assertTrue(gone, "tls=%s: session alive after %.0f s" % (tls, took))
            self.assertLess(took, self.LOGIN_TIMEOUT + 3, tls)

    def test_dribbled_client_hello(self):
        hello = client_hello()
        self.assertGreater(len(hello), 100)
        with self.server.control() as c:
            self.assertCode(c.cmd("AUTH TLS"), 234)
            took = self.closed_after(c, hello, 0.5)
        self.assertLess(took, self.LOGIN_TIMEOUT + 2)
        # The server still serves.
        with TlsControl(self.server) as c:
            c.secure_login()
            self.assertCode(c.cmd("NOOP"), 200)


# ---------------------------------------------------------------------------
# Clients


class TlsClients(ftptest.TestCase):
    """curl, lftp and ftplib against one ferryd with TLS offered."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.data = ftptest.random_bytes(3 << 20, seed=71)
        cls.server.write("pub/data.bin", cls.data)
        cls.server.mkdir("up")

    def local(self, name):
        return os.path.join(self.tmp, name)

    def curl(self, *args, ok=True):
        ftptest.require_program(config.CURL, "curl")
        cmd = [config.CURL, "-sS", "-v", "--max-time", "60", "--cacert",
               tlspeers.cert("ca.pem")] + list(args)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=90)
        if ok and r.returncode != 0:
            self.fail("curl exited %d: %s\n%s%s" % (r.returncode, " ".join(cmd),
                      r.stderr.decode("utf-8", "replace")[-2000:], self._log()))
        return r

    def url(self, path, scheme="ftp"):
        return "%s://%s:%s@localhost:%d%s" % (scheme, USER, PASSWORD, self.server.port, path)

    def test_curl_explicit_download_upload(self):
        got = self.local("curl.bin")
        r = self.curl("--ssl-reqd", self.url("/pub/data.bin"), "-o", got)
        self.assertEqual(read_file(got), self.data)
        trace = r.stderr.decode("utf-8", "replace")
        self.assertRegex(trace, r"> AUTH (TLS|SSL)")
        self.assertIn("> PROT P", trace)
        self.curl("--ssl-reqd", "-T", got, self.url("/up/curl up.bin").replace(" ", "%20"))
        self.assertEqual(read_file(self.server.path("up", "curl up.bin")), self.data)

    def test_curl_many_files_one_session(self):
        names = ["m%02d.txt" % i for i in range(20)]
        for i, n in enumerate(names):
            self.server.write("many/" + n, b"file %d\n" % i * (i + 1))
        before = self.server.log_text().count("session start")
        args = ["--ssl-reqd"]
        for n in names:
            args += [self.url("/many/" + n), "-o", self.local(n)]
        self.curl(*args)
        for i, n in enumerate(names):
            self.assertEqual(read_file(self.local(n)), b"file %d\n" % i * (i + 1), n)
        self.assertEqual(self.server.log_text().count("session start") - before, 1,
                         self.server.log_tail())

    def test_curl_tls12(self):
        got = self.local("curl12.bin")
        r = self.curl("--ssl-reqd", "--tls-max", "1.2", self.url("/pub/data.bin"), "-o", got)
        self.assertEqual(read_file(got), self.data)
        self.assertRegex(r.stderr.decode("utf-8", "replace"), r"TLSv1\.2")
        self.curl("--ssl-reqd", "--tls-max", "1.2", "-T", got, self.url("/up/c12.bin"))
        self.assertEqual(read_file(self.server.path("up", "c12.bin")), self.data)

    def test_lftp_verified(self):
        ftptest.require_program(config.LFTP, "lftp")
        home = self.local("lftp-home")
        os.makedirs(home, exist_ok=True)
        src = self.local("lftp-src")
        os.makedirs(src, exist_ok=True)
        files = {"a b.bin": self.data[:500000], "c.txt": b"text\n" * 1000}
        for n, d in files.items():
            with open(os.path.join(src, n), "wb") as f:
                f.write(d)
        script = ("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "
                  "set xfer:clobber yes; set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                  "set ftp:ssl-protect-list true; set ssl:verify-certificate yes; "
                  "set ssl:ca-file %s; open -u %s,%s ftp://localhost:%d; "
                  "mkdir -p lftp; cd lftp; mput -O . %s; cls -1; get 'a b.bin' -o '%s'"
                  % (tlspeers.cert("ca.pem"), USER, PASSWORD, self.server.port,
                     " ".join("'%s'" % os.path.join(src, n) for n in files),
                     self.local("lftp back.bin")))
        r = subprocess.run([config.LFTP, "--norc", "-c", script], cwd=self.tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=90,
                           env=dict(os.environ, HOME=home, LC_ALL="C.UTF-8"))
        self.assertEqual(r.returncode, 0, "%r\n%r\n%s" % (r.stdout, r.stderr,
                                                          self.server.log_tail(60)))
        for n, d in files.items():
            self.assertEqual(read_file(self.server.path("lftp", n)), d, n)
            self.assertIn(n, r.stdout.decode("utf-8", "replace"))
        self.assertEqual(read_file(self.local("lftp back.bin")), files["a b.bin"])

    def test_lftp_refuses_wrong_ca(self):
        """Verification really runs: the wrong CA fails the connection."""
        ftptest.require_program(config.LFTP, "lftp")
        script = ("set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes; "
                  "set ftp:ssl-force true; set ssl:verify-certificate yes; "
                  "set ssl:ca-file %s; open -u %s,%s ftp://localhost:%d; ls"
                  % (tlspeers.cert("selfsigned.pem"), USER, PASSWORD, self.server.port))
        r = subprocess.run([config.LFTP, "--norc", "-c", script], cwd=self.tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                           env=dict(os.environ, HOME=self.tmp, LC_ALL="C.UTF-8"))
        self.assertNotEqual(r.returncode, 0, r)

    def ftplib_session(self, tls_max=None, cls=SessionReusingFTP_TLS):
        ftp = cls(context=server_context(tls_max), timeout=ftptest.TIMEOUT)
        ftp.connect("localhost", self.server.port)
        ftp.login(USER, PASSWORD)
        ftp.prot_p()
        return ftp

    def check_ftplib(self, tls_max):
        ftp = self.ftplib_session(tls_max)
        try:
            want = "TLSv1.2" if tls_max == "1.2" else "TLSv1.3"
            self.assertEqual(ftp.sock.version(), want)
            ftp.mkd("py" + want)
            ftp.cwd("py" + want)
            for i in range(5):
                ftp.storbinary("STOR f%d.bin" % i, _bytes_io(self.data[:100000 * (i + 1)]))
            names = sorted(ftp.nlst())
            self.assertEqual(names, ["f%d.bin" % i for i in range(5)])
            for i in range(5):
                got = []
                ftp.retrbinary("RETR f%d.bin" % i, got.append)
                self.assertEqual(b"".join(got), self.data[:100000 * (i + 1)])
            ftp.quit()
        finally:
            ftp.close()
        log = self.server.log_text()
        self.assertIn("TLS %s" % want, log)
        # Every data connection resumed the control connection's session.
        data = [l for l in log.splitlines() if "data connection " + want in l]
        self.assertGreaterEqual(len(data), 11, log)

    def test_ftplib_prot_p_tls13(self):
        self.check_ftplib(None)

    def test_ftplib_prot_p_tls12(self):
        self.check_ftplib("1.2")

    def test_ftplib_without_session_reuse_refused(self):
        """Python's ftplib as shipped starts a fresh TLS session for each
        data connection: refused, like a thief, before any byte moves."""
        ftp = self.ftplib_session(cls=ftplib.FTP_TLS)
        got = []
        try:
            try:
                ftp.retrbinary("RETR pub/data.bin", got.append)
                reply = "no error"
            except ftplib.error_temp as e:
                reply = str(e)
            except (ssl.SSLError, OSError):
                # ftplib's own close of the refused connection failed; the
                # reply is still waiting.
                try:
                    reply = ftp.getresp()
                except ftplib.error_temp as e:
                    reply = str(e)
        finally:
            ftp.close()
        self.assertEqual(got, [])
        self.assertIn("425", reply)
        self.assertIn("not resumed", reply)

    def test_rest_stou_and_listings_inside_tls(self):
        """REST on download (curl -C and ftplib) and on upload (curl -C -
        after a partial file), STOU, LIST and MLSD, all under PROT P."""
        half = len(self.data) // 3
        part = self.local("part.bin")
        with open(part, "wb") as f:
            f.write(self.data[:half])
        r = self.curl("--ssl-reqd", "-C", "-", self.url("/pub/data.bin"), "-o", part)
        self.assertIn("REST %d" % half, r.stderr.decode("utf-8", "replace"))
        self.assertEqual(read_file(part), self.data)
        self.server.write("up/resumed.bin", self.data[:half])
        full = self.local("full.bin")
        with open(full, "wb") as f:
            f.write(self.data)
        r = self.curl("--ssl-reqd", "-C", "-", "-T", full, self.url("/up/resumed.bin"))
        trace = r.stderr.decode("utf-8", "replace")
        self.assertRegex(trace, r"> (APPE|REST %d)" % half)
        self.assertEqual(read_file(self.server.path("up", "resumed.bin")), self.data)

        ftp = self.ftplib_session()
        try:
            got = []
            ftp.retrbinary("RETR pub/data.bin", got.append, rest=len(self.data) - 1000)
            self.assertEqual(b"".join(got), self.data[-1000:])
            ftp.cwd("up")
            reply = ftp.storbinary("STOU", _bytes_io(b"unique\n"))
            self.assertTrue(reply.startswith("226"), reply)
            stored = [n for n in os.listdir(self.server.path("up"))
                      if read_file(self.server.path("up", n)) == b"unique\n"]
            self.assertEqual(len(stored), 1, os.listdir(self.server.path("up")))
            facts = dict(ftp.mlsd("/pub"))
            self.assertEqual(facts["data.bin"]["size"], str(len(self.data)))
            lines = []
            ftp.retrlines("LIST /pub", lines.append)
            self.assertTrue(any(l.endswith(" data.bin") for l in lines), lines)
            ftp.quit()
        finally:
            ftp.close()

    def test_stat_and_abor_inside_tls(self):
        big = ftptest.random_bytes(16 << 20, seed=72)
        self.server.write("big.bin", big)
        with TlsControl(self.server) as c:
            c.secure_login()
            # A slow reader: the transfer is still running when STAT comes.
            port = c.epsv()
            d = c.data(port)
            d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.send("RETR big.bin\r\n")
            self.assertCode(c.reply(), 150)
            first = d.recv(1000)
            self.assertTrue(first)
            c.send("STAT\r\n")
            r = c.reply()
            self.assertCode(r, 213)
            self.assertIn("big.bin", r.text)
            c.send("ABOR\r\n")
            codes = [c.reply().code, c.reply().code]
            self.assertEqual(codes, [426, 226])
            d.close()
            # The session goes on: a listing over a new protected connection.
            port = c.epsv()
            d = c.data(port)
            c.send("NLST\r\n")
            self.assertCode(c.reply(), 150)
            self.assertIn(b"big.bin", recv_tls_all(d))
            self.assertCode(c.reply(), 226)

    def test_verbose_trace_hides_password(self):
        ftp = self.ftplib_session()
        ftp.quit()
        log = self.server.log_text()
        self.assertIn("PASS <hidden>", log)
        self.assertNotIn(PASSWORD, log)


def _bytes_io(data):
    import io
    return io.BytesIO(data)


# ---------------------------------------------------------------------------
# Binding and integrity


class TlsBinding(ftptest.TestCase):
    """Data connections belong to their control connection; uploads end
    with close_notify."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.secret = ftptest.random_bytes(1 << 20, seed=73)
        cls.server.write("secret.bin", cls.secret)

    def steal(self, session_of):
        """A thief connects to the passive port first, with the TLS
        session session_of gives (None: a fresh one)."""
        with TlsControl(self.server) as c, TlsControl(self.server, ctx=None) as other:
            c.secure_login()
            other.ctx = c.ctx
            other.secure_login()
            port = c.epsv()
            raw = ftptest.data_connect(self.server.host, port)
            c.send("RETR secret.bin\r\n")
            self.assertCode(c.reply(), 150)
            session = other.sock.session if session_of == "other" else None
            try:
                thief = c.ctx.wrap_socket(raw, server_hostname="localhost", session=session)
                got = recv_tls_all(thief)
                thief.close()
            except (ssl.SSLError, OSError):
                got = b""
            r = c.reply()
            self.assertCode(r, 425)
            self.assertIn("not resumed", r.text)
            self.assertEqual(got, b"")
            # The owner's next transfer works.
            port = c.epsv()
            d = c.data(port)
            c.send("RETR secret.bin\r\n")
            self.assertCode(c.reply(), 150)
            self.assertEqual(recv_tls_all(d), self.secret)
            self.assertCode(c.reply(), 226)
        self.assertTrue(self.server.wait_log(r"data connection refused"), self.server.log_tail())

    def test_port_theft_with_fresh_session(self):
        self.steal(None)

    def test_port_theft_with_another_connections_session(self):
        self.steal("other")

    def second_theft(self, tls_max):
        """A thief whose fresh session was refused tries again with the
        session its refused handshake left it (under TLS 1.2 a session
        ticket): refused again, the control connection's binding is not
        something a data connection can hand out."""
        ctx = server_context(tls_max)
        with TlsControl(self.server, ctx=ctx) as c:
            c.secure_login()
            session = None
            for attempt in range(3):
                raw = ftptest.data_connect(self.server.host, c.epsv())
                c.send("RETR secret.bin\r\n")
                self.assertCode(c.reply(), 150)
                try:
                    thief = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
                    session = thief.session or session
                    got = recv_tls_all(thief)
                    thief.close()
                except (ssl.SSLError, OSError):
                    got = b""
                r = c.reply()
                self.assertCode(r, 425, msg="attempt %d" % attempt)
                self.assertEqual(got, b"", "attempt %d" % attempt)
            self.assertEqual(c.retr("secret.bin"), self.secret)

    def test_second_theft_with_the_refused_session_tls12(self):
        self.second_theft("1.2")

    def test_second_theft_with_the_refused_session_tls13(self):
        self.second_theft(None)

    def test_abor_while_the_data_handshake_waits(self):
        """A data connection that never starts its TLS handshake does not
        hold the session: ABOR still ends the transfer."""
        with TlsControl(self.server) as c:
            c.secure_login()
            port = c.epsv()
            silent = ftptest.data_connect(self.server.host, port)
            try:
                c.send("RETR secret.bin\r\n")
                self.assertCode(c.reply(), 150)
                c.send("STAT\r\n")
                self.assertCode(c.reply(), 213)
                c.send("ABOR\r\n")
                self.assertEqual([c.reply().code, c.reply().code], [426, 226])
                silent.settimeout(5)
                try:
                    got = silent.recv(100)
                except (ConnectionResetError, socket.timeout):
                    got = b""
                self.assertEqual(got, b"")
            finally:
                silent.close()
            self.assertCode(c.cmd("NOOP"), 200)

    def test_abor_while_close_notify_waits(self):
        """A client that stops reading a protected download near its end
        leaves no room for the server's close_notify behind the last bytes:
        ABOR is still answered at once and the session goes on. (Which
        sizes end in that wait depends on the socket buffers: several are
        tried.)"""
        for size in (48 << 10, 96 << 10, 192 << 10):
            self.server.write("tail.bin", ftptest.random_bytes(size, seed=76))
            with TlsControl(self.server) as c:
                c.secure_login()
                port = c.epsv()
                raw = ftptest.data_connect(self.server.host, port, rcvbuf=4096)
                d = c.ctx.wrap_socket(raw, server_hostname="localhost", session=c.sock.session,
                                      do_handshake_on_connect=False)
                try:
                    c.send("RETR tail.bin\r\n")
                    self.assertCode(c.reply(), 150)
                    d.do_handshake()
                    time.sleep(1)
                    t0 = time.monotonic()
                    c.send("ABOR\r\nNOOP\r\n")
                    codes = []
                    while not codes or codes[-1] != 200:
                        codes.append(c.reply(timeout=5).code)
                    self.assertLess(time.monotonic() - t0, 5, size)
                    self.assertTrue(set(codes) <= {426, 226, 225, 200}, (size, codes))
                finally:
                    d.close()

    def upload(self, name, data, clean):
        with TlsControl(self.server) as c:
            c.secure_login()
            port = c.epsv()
            d = c.data(port)
            c.send("STOR %s\r\n" % name)
            self.assertCode(c.reply(), 150)
            d.sendall(data)
            if clean:
                d.unwrap().close()
            else:
                # TCP FIN without close_notify, as a client killed mid-way.
                socket.socket.shutdown(d, socket.SHUT_RDWR)
                d.close()
            return c.reply()

    def test_upload_without_close_notify_keeps_old_file(self):
        old = b"the old contents\n"
        self.server.write("keep.bin", old)
        r = self.upload("keep.bin", ftptest.random_bytes(1 << 20, seed=74), clean=False)
        self.assertCode(r, 426)
        self.assertIn("old file is unchanged", r.text)
        self.assertEqual(read_file(self.server.path("keep.bin")), old)

    def test_upload_with_close_notify_replaces(self):
        new = ftptest.random_bytes(1 << 20, seed=75)
        self.server.write("replace.bin", b"old\n")
        r = self.upload("replace.bin", new, clean=True)
        self.assertCode(r, 226)
        self.assertEqual(read_file(self.server.path("replace.bin")), new)


# ---------------------------------------------------------------------------
# --tls-session-reuse


# The note ferryd logs, once per session, when a data connection did not
# resume the control connection's TLS session and was accepted anyway.
REUSE_NOTE = re.compile(r"ferryd\[(\d+)\]: session \S+: data connection accepted without "
                        r"resuming the control connection's TLS session "
                        r"\(--tls-session-reuse=optional\)")


def ftplib_reply(ftp, run):
    """Runs run(), a transfer by ftp; the reply that ended it, as text.
    A refused data connection may also break ftplib's own TLS calls
    before it reads the reply: the reply is read then."""
    try:
        return run()
    except ftplib.error_temp as e:
        return str(e)
    except (ssl.SSLError, OSError, EOFError):
        try:
            return ftp.getresp()
        except ftplib.error_temp as e:
            return str(e)


class TlsReuseRequired(ftptest.TestCase):
    """The default (--tls-session-reuse=required): Python's ftplib as
    shipped (a fresh TLS session on every data connection) can log in
    but moves no byte under PROT P."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.write("pub/f.bin", ftptest.random_bytes(100000, seed=81))

    def test_ftplib_list_retr_stor_refused(self):
        ftp = ftplib.FTP_TLS(context=server_context(), timeout=ftptest.TIMEOUT)
        try:
            ftp.connect("localhost", self.server.port)
            ftp.login(USER, PASSWORD)
            ftp.prot_p()
            lines, got = [], []
            replies = [
                ftplib_reply(ftp, lambda: ftp.retrlines("LIST pub", lines.append)),
                ftplib_reply(ftp, lambda: ftp.retrbinary("RETR pub/f.bin", got.append)),
                ftplib_reply(ftp, lambda: ftp.storbinary("STOR new.bin",
                                                         _bytes_io(b"x" * 100000))),
            ]
            for r in replies:
                self.assertTrue(r.startswith("425"), replies)
                self.assertIn("not resumed from the control connection", r)
            self.assertEqual((lines, got), ([], []))
            self.assertFalse(os.path.exists(self.server.path("new.bin")))
        finally:
            ftp.close()
        self.assertNotRegex(self.server.log_text(), REUSE_NOTE)


class TlsReuseOptional(ftptest.TestCase):
    """--tls-session-reuse=optional: data connections that start a fresh
    TLS session or offer another control connection's are accepted; they
    are still TLS, uploads still need close_notify, and a data connection
    from another address than the control connection's is still refused."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(["--tls-session-reuse=optional"])
        cls.addClassCleanup(cls.server.cleanup)
        cls.data = ftptest.random_bytes(1 << 20, seed=82)
        cls.server.write("secret.bin", cls.data)

    def ftplib_round_trip(self, tls_max, name):
        mark = len(self.server.log_text())
        ftp = ftplib.FTP_TLS(context=server_context(tls_max), timeout=ftptest.TIMEOUT)
        try:
            ftp.connect("localhost", self.server.port)
            ftp.login(USER, PASSWORD)
            ftp.prot_p()
            self.assertEqual(ftp.sock.version(), "TLSv1.2" if tls_max else "TLSv1.3")
            data = ftptest.random_bytes(700001, seed=len(name))
            self.assertTrue(ftp.storbinary("STOR " + name, _bytes_io(data)).startswith("226"))
            self.assertEqual(read_file(self.server.path(name)), data)
            got = []
            self.assertTrue(ftp.retrbinary("RETR " + name, got.append).startswith("226"))
            self.assertEqual(b"".join(got), data)
            got = []
            ftp.retrbinary("RETR secret.bin", got.append)
            self.assertEqual(b"".join(got), self.data)
            lines = []
            ftp.retrlines("LIST", lines.append)
            self.assertTrue(any(l.endswith(" " + name) for l in lines), lines)
            ftp.quit()
        finally:
            ftp.close()
        self.assertTrue(ftptest.wait_until(
            lambda: "session end" in self.server.log_text()[mark:], timeout=5))
        log = self.server.log_text()[mark:]
        self.assertNotIn("data connection refused", log)
        # Four data connections, none resumed: the note comes once.
        notes = REUSE_NOTE.findall(log)
        self.assertEqual(len(notes), 1, log)
        return notes[0]

    def test_ftplib_without_session_reuse_tls13(self):
        self.ftplib_round_trip(None, "py13.bin")

    def test_ftplib_without_session_reuse_tls12(self):
        self.ftplib_round_trip("1.2", "py12.bin")

    def test_note_once_per_session(self):
        pids = [self.ftplib_round_trip(None, "s%d.bin" % i) for i in range(2)]
        self.assertNotEqual(pids[0], pids[1])

    def test_another_connections_session_accepted(self):
        with TlsControl(self.server) as c, TlsControl(self.server) as other:
            c.secure_login()
            other.ctx = c.ctx
            other.secure_login()
            for _ in range(2):
                port = c.epsv()
                d = c.data(port, session=other.sock.session)
                c.send("RETR secret.bin\r\n")
                self.assertCode(c.reply(), 150)
                self.assertEqual(recv_tls_all(d), self.data)
                d.close()
                self.assertCode(c.reply(), 226)

    def test_upload_without_close_notify_still_refused(self):
        old = b"the old contents\n"
        self.server.write("keep.bin", old)
        with TlsControl(self.server) as c:
            c.secure_login()
            d = c.data(c.epsv(), session=None)
            c.send("STOR keep.bin\r\n")
            self.assertCode(c.reply(), 150)
            d.sendall(ftptest.random_bytes(1 << 20, seed=83))
            socket.socket.shutdown(d, socket.SHUT_RDWR)
            d.close()
            r = c.reply()
            self.assertCode(r, 426)
            self.assertIn("old file is unchanged", r.text)
            self.assertEqual(read_file(self.server.path("keep.bin")), old)
            # A fresh session that ends with close_notify stores the file.
            new = ftptest.random_bytes(300000, seed=84)
            d = c.data(c.epsv(), session=None)
            c.send("STOR keep.bin\r\n")
            self.assertCode(c.reply(), 150)
            d.sendall(new)
            d.unwrap().close()
            self.assertCode(c.reply(), 226)
            self.assertEqual(read_file(self.server.path("keep.bin")), new)

    def intruder(self, passive, verb):
        """A client at 127.0.0.2 takes the passive port of a session
        connected from 127.0.0.1, with a fresh TLS session: refused (425)
        before its handshake, no byte moves either way."""
        before = ftptest.tree_snapshot(self.server.root)
        with TlsControl(self.server) as c:
            c.secure_login()
            if passive == "PASV":
                host, port = c.pasv()
            else:
                host, port = self.server.host, c.epsv()
            raw = ftptest.data_connect(host, port, source="127.0.0.2")
            self.addCleanup(raw.close)
            c.send("%s\r\n" % verb)
            r = c.reply()
            if r.code in (125, 150):
                r = c.reply()
            self.assertCode(r, 425)
            self.assertIn("another address", r.text)
            try:
                thief = c.ctx.wrap_socket(raw, server_hostname="localhost")
                if verb.startswith("STOR"):
                    thief.sendall(b"EVIL" * 1000)
                got = recv_tls_all(thief, timeout=5)
                thief.close()
            except (ssl.SSLError, OSError):
                got = b""
            self.assertEqual(got, b"")
            self.assertEqual(ftptest.tree_snapshot(self.server.root), before)
            # The session goes on, with its own data connection.
            self.assertEqual(c.retr("secret.bin"), self.data)
        self.assertTrue(self.server.wait_log(r"refused data connection from 127\.0\.0\.2"))

    def test_other_address_refused_epsv_retr(self):
        self.intruder("EPSV", "RETR secret.bin")

    def test_other_address_refused_pasv_stor(self):
        self.intruder("PASV", "STOR intruded.bin")


class TlsReuseOption(ftptest.TestCase):
    """The option's values, from the command line and the file."""

    server = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ferryd-reuse-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_ferryd(self, *args):
        return subprocess.run([config.FERRYD, "-l", "127.0.0.1:0", "-r", self.tmp,
                               "--tls-cert", tlspeers.cert("server.pem"),
                               "--tls-key", tlspeers.cert("server.key")] + list(args),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=30)

    def test_bad_value_refused_at_start(self):
        for arg in ("--tls-session-reuse=maybe", "--tls-session-reuse=", "--tls-session-reuse=NO"):
            r = self.run_ferryd(arg)
            self.assertEqual(r.returncode, 2, (arg, r.stderr))
            self.assertIn("--tls-session-reuse must be required or optional, not '%s'"
                          % arg.split("=", 1)[1], r.stderr.decode(), arg)
        conf = os.path.join(self.tmp, "bad.conf")
        with open(conf, "w") as f:
            f.write("anonymous = ro\ntls-session-reuse = sometimes\n")
        r = self.run_ferryd("-f", conf)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("%s:2: --tls-session-reuse must be required or optional, not 'sometimes'"
                      % conf, r.stderr.decode())

    def test_help_and_check_config(self):
        r = subprocess.run([config.FERRYD, "--help"], capture_output=True, text=True, timeout=30)
        self.assertIn("--tls-session-reuse=required|optional", r.stdout)
        r = self.run_ferryd("--check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("tls-session-reuse = required", r.stdout.decode().splitlines())
        r = self.run_ferryd("--check-config", "--tls-session-reuse=optional")
        self.assertIn("tls-session-reuse = optional", r.stdout.decode().splitlines())

    def test_configuration_file_key(self):
        conf = os.path.join(self.tmp, "ferryd.conf")
        with open(conf, "w") as f:
            f.write("tls-cert = %s\ntls-key = %s\nanonymous = rw\ntls-session-reuse = optional\n"
                    % (tlspeers.cert("server.pem"), tlspeers.cert("server.key")))
        srv = ftptest.Server(["-f", conf])
        self.addCleanup(srv.cleanup)
        self.server = srv
        r = subprocess.run([config.FERRYD, "-f", conf, "-r", srv.root, "--check-config"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        self.assertIn("tls-session-reuse = optional", r.stdout.decode().splitlines())
        srv.start()
        data = ftptest.random_bytes(200000, seed=85)
        ftp = ftplib.FTP_TLS(context=server_context(), timeout=ftptest.TIMEOUT)
        try:
            ftp.connect("localhost", srv.port)
            ftp.login()
            ftp.prot_p()
            self.assertTrue(ftp.storbinary("STOR conf.bin", _bytes_io(data)).startswith("226"))
            got = []
            ftp.retrbinary("RETR conf.bin", got.append)
            self.assertEqual(b"".join(got), data)
            ftp.quit()
        finally:
            ftp.close()
        self.assertEqual(read_file(srv.path("conf.bin")), data)
        self.assertTrue(srv.wait_log(REUSE_NOTE.pattern), srv.log_tail())

    def test_reload_applies_to_new_sessions(self):
        """SIGHUP reads the key again, like the other TLS settings: the
        sessions started after it follow the new value."""
        # The listener reads the files again after dropping root.
        os.chmod(self.tmp, 0o755)
        for src, name in (("server.pem", "cert.pem"), ("server.key", "key.pem")):
            shutil.copy(tlspeers.cert(src), os.path.join(self.tmp, name))
            os.chmod(os.path.join(self.tmp, name), 0o644)
        conf = os.path.join(self.tmp, "ferryd.conf")
        text = "tls-cert = %s/cert.pem\ntls-key = %s/key.pem\nanonymous = ro\n" % (self.tmp,
                                                                                   self.tmp)
        with open(conf, "w") as f:
            f.write(text)
        os.chmod(conf, 0o644)
        srv = ftptest.Server(["-f", conf])
        self.addCleanup(srv.cleanup)
        self.server = srv
        srv.start()
        srv.write("r.txt", b"reloaded\n")

        def retr():
            ftp = ftplib.FTP_TLS(context=server_context(), timeout=ftptest.TIMEOUT)
            try:
                ftp.connect("localhost", srv.port)
                ftp.login()
                ftp.prot_p()
                got = []
                reply = ftplib_reply(ftp, lambda: ftp.retrbinary("RETR r.txt", got.append))
                return reply, b"".join(got)
            finally:
                ftp.close()

        reply, got = retr()
        self.assertTrue(reply.startswith("425"), reply)
        with open(conf, "w") as f:
            f.write(text + "tls-session-reuse = optional\n")
        before = len(srv.log_text())
        srv.proc.send_signal(signal.SIGHUP)
        self.assertTrue(ftptest.wait_until(lambda: "reloaded" in srv.log_text()[before:],
                                           timeout=10), srv.log_tail())
        reply, got = retr()
        self.assertTrue(reply.startswith("226"), reply)
        self.assertEqual(got, b"reloaded\n")


# ---------------------------------------------------------------------------
# --tls=required, implicit TLS


class TlsRequired(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(["--tls=required"])
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.write("f.txt", b"protected\n")

    def test_login_in_clear_refused(self):
        with self.server.control() as c:
            r = c.cmd("USER " + USER)
            self.assertCode(r, 534)
            self.assertIn("AUTH TLS", r.text)
            self.assertCode(c.cmd("PASS " + PASSWORD), 503)
        self.assertNotIn(PASSWORD, self.server.log_text())

    def test_transfer_without_prot_p_refused(self):
        with TlsControl(self.server) as c:
            c.auth()
            c.login(USER, PASSWORD)
            r = c.cmd("RETR f.txt")
            self.assertCode(r, 521)
            self.assertIn("PROT P", r.text)
            self.assertCode(c.cmd("LIST"), 521)
            self.assertCode(c.cmd("PBSZ 0"), 200)
            self.assertCode(c.cmd("PROT C"), 534)
            self.assertCode(c.cmd("PROT P"), 200)
            self.assertCode(c.cmd("TYPE I"), 200)
            port = c.epsv()
            d = c.data(port)
            c.send("RETR f.txt\r\n")
            self.assertCode(c.reply(), 150)
            self.assertEqual(recv_tls_all(d), b"protected\n")
            self.assertCode(c.reply(), 226)

    def test_curl_without_tls_fails(self):
        ftptest.require_program(config.CURL, "curl")
        r = subprocess.run([config.CURL, "-sS", "--max-time", "20",
                            "ftp://%s:%s@127.0.0.1:%d/f.txt" % (USER, PASSWORD, self.server.port)],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"")


class TlsImplicit(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(["--implicit-tls"])
        cls.addClassCleanup(cls.server.cleanup)
        cls.data = ftptest.random_bytes(2 << 20, seed=76)
        cls.server.write("i.bin", cls.data)
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def test_curl_ftps(self):
        ftptest.require_program(config.CURL, "curl")
        base = "ftps://%s:%s@localhost:%d/" % (USER, PASSWORD, self.server.port)
        got = os.path.join(self.tmp, "i.bin")
        for args in (["-o", got, base + "i.bin"], ["-T", got, base + "back.bin"]):
            r = subprocess.run([config.CURL, "-sS", "--max-time", "30", "--cacert",
                                tlspeers.cert("ca.pem")] + args, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_file(got), self.data)
        self.assertEqual(read_file(self.server.path("back.bin")), self.data)

    def test_greeting_only_inside_tls(self):
        raw = socket.create_connection((self.server.host, self.server.port), ftptest.TIMEOUT)
        try:
            s = server_context().wrap_socket(raw, server_hostname="localhost")
            self.assertTrue(s.recv(100).startswith(b"220 "))
            s.close()
        finally:
            raw.close()
        # A plain client gets no greeting in clear.
        no_plain_greeting(self, self.server.host, self.server.port)
        self.assertTrue(self.server.wait_log(r"result=no TLS"), self.server.log_tail())


class TlsListeners(ftptest.TestCase):
    """One ferryd, two listeners: explicit TLS (AUTH TLS) on one and
    implicit TLS (-l ADDR,implicit-tls) on the other, at the same time."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_tls_server(["-l", "127.0.0.1:0,implicit-tls"])
        cls.addClassCleanup(cls.server.cleanup)
        (_, cls.explicit), (_, cls.implicit) = cls.server.addresses
        cls.data = ftptest.random_bytes(2 << 20, seed=79)
        cls.server.write("l.bin", cls.data)
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def curl(self, *args):
        ftptest.require_program(config.CURL, "curl")
        r = subprocess.run([config.CURL, "-sS", "-v", "--max-time", "30", "--cacert",
                            tlspeers.cert("ca.pem")] + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode("utf-8", "replace")[-2000:])
        return r.stderr.decode("utf-8", "replace")

    def test_listening_lines(self):
        log = self.server.log_text()
        self.assertRegex(log, r"listening on 127\.0\.0\.1:%d\n" % self.explicit)
        self.assertRegex(log, r"listening on 127\.0\.0\.1:%d \(implicit TLS\)\n"
                         % self.implicit)

    def test_curl_on_both_listeners(self):
        cred = "%s:%s@localhost" % (USER, PASSWORD)
        for scheme, port, name in (("ftp", self.explicit, "e"), ("ftps", self.implicit, "i")):
            got = os.path.join(self.tmp, name + ".bin")
            url = "%s://%s:%d/" % (scheme, cred, port)
            trace = self.curl("--ssl-reqd", "-o", got, url + "l.bin")
            self.assertEqual(read_file(got), self.data, scheme)
            self.assertIn("> PROT P", trace)
            if scheme == "ftp":
                self.assertRegex(trace, r"> AUTH (TLS|SSL)")
            else:
                self.assertNotRegex(trace, r"> AUTH (TLS|SSL)")
            self.curl("--ssl-reqd", "-T", got, url + "back-%s.bin" % name)
            self.assertEqual(read_file(self.server.path("back-%s.bin" % name)), self.data)

    def test_greetings(self):
        """The explicit listener greets in clear; the implicit one only
        inside TLS, and the session there is TLS from the first reply."""
        with socket.create_connection((self.server.host, self.explicit), ftptest.TIMEOUT) as p:
            p.settimeout(ftptest.TIMEOUT)
            self.assertTrue(p.recv(100).startswith(b"220 "))
        with TlsControl(self.server, port=self.implicit, tls_first=True) as c:
            c.login(USER, PASSWORD)
            self.assertCode(c.cmd("AUTH TLS"), 503)      # already inside TLS
            self.assertCode(c.cmd("PBSZ 0"), 200)
            self.assertCode(c.cmd("PROT P"), 200)
            self.assertCode(c.cmd("TYPE I"), 200)
            self.assertEqual(c.retr("l.bin"), self.data)
        no_plain_greeting(self, self.server.host, self.implicit)

    def test_configuration_file(self):
        """The setting goes through the option parser from a configuration
        file too, and --check-config prints it back."""
        conf = os.path.join(self.tmp, "ferryd.conf")
        with open(conf, "w") as f:
            f.write("listen = 127.0.0.1:0,implicit-tls\nlisten = 127.0.0.1:0\n"
                    "tls-cert = %s\ntls-key = %s\nanonymous = ro\n"
                    % (tlspeers.cert("server.pem"), tlspeers.cert("server.key")))
        srv = ftptest.Server(["-f", conf])
        srv.listen = "127.0.0.1:0,implicit-tls"   # -l replaces the file's listen lines
        self.addCleanup(srv.cleanup)
        r = subprocess.run([config.FERRYD, "-f", conf, "-r", srv.root, "--check-config"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([l for l in r.stdout.decode().splitlines() if l.startswith("listen")],
                         ["listen = 127.0.0.1:0,implicit-tls", "listen = 127.0.0.1:0"])
        srv.start()
        self.assertRegex(srv.log_text(), r"listening on 127\.0\.0\.1:%d \(implicit TLS\)"
                         % srv.port)
        with TlsControl(srv, tls_first=True) as c:
            self.assertCode(c.greeting, 220)
            c.login()

    def test_options_refused(self):
        for args, msg in (
                (["-l", "127.0.0.1:0,implicit-tls"], "implicit-tls needs TLS"),
                (["-l", "127.0.0.1:0,implicit-tls", "--tls=off", "--tls-cert",
                  tlspeers.cert("server.pem")], "implicit-tls needs TLS"),
                (["-l", "127.0.0.1:0,implicit"], "unknown listener setting 'implicit'"),
                (["-i", "-l", "127.0.0.1:0,implicit-tls", "--tls-cert",
                  tlspeers.cert("server.pem")], "cannot be used with -i")):
            r = subprocess.run([config.FERRYD] + args, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(msg, r.stderr.decode(), args)


# ---------------------------------------------------------------------------
# inetd mode (-i)


class InetdServer:
    """ferryd -i as inetd runs it: a listening socket here accepts one
    connection at a time and starts `ferryd -i` with that socket as its
    standard input and output. The root and the users come from a Server
    that is never started."""

    def __init__(self, args):
        self.fixture = ftptest.Server()
        users = os.path.join(self.fixture.base, "users")
        ftptest.write_file(users, "%s:%s::rw\n" % (USER, ftptest.hash_password(PASSWORD)),
                           mode=0o600)
        ftptest.prepare(self.fixture.base)
        self.args = [config.FERRYD, "-i", "-r", self.fixture.root, "-u", users,
                     "--anonymous=rw", "--idle-timeout", "30", "--tls-cert",
                     tlspeers.cert("server.pem"), "--tls-key", tlspeers.cert("server.key")]
        self.args += list(args)
        self.procs = []
        self.lst = socket.socket()
        self.lst.bind((ftptest.HOST, 0))
        self.lst.listen(4)
        self.lst.settimeout(ftptest.TIMEOUT)
        self.port = self.lst.getsockname()[1]
        self.host = ftptest.HOST
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.lst.accept()
            except OSError:
                return
            with open(self.fixture.log_path, "ab") as log:
                self.procs.append(subprocess.Popen(self.args, stdin=conn, stdout=conn,
                                                   stderr=log, close_fds=True))
            conn.close()

    def log_tail(self, n=20):
        return self.fixture.log_tail(n)

    def wait(self, timeout=ftptest.TIMEOUT):
        """The exit statuses of the sessions, once every one has ended."""
        return [p.wait(timeout) for p in self.procs]

    def cleanup(self):
        self.lst.close()
        self.thread.join(5)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)
        self.fixture.cleanup()


class PipeTls:
    """A TLS client over ferryd -i's standard input and output as pipes
    (ssh, tests): the TLS records travel through the pipes."""

    def __init__(self, proc):
        self.proc = proc
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = None
        self.buf = b""

    def _pump(self, deadline):
        """Sends what TLS has to send; reads what the server sent."""
        pending = self.out.read()
        if pending:
            self.proc.stdin.write(pending)
            self.proc.stdin.flush()
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("nothing from ferryd -i")
        r, _, _ = select.select([self.proc.stdout], [], [], left)
        if r:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise ftptest.ConnectionClosed("ferryd -i closed its output")
            if self.obj is None:
                self.buf += chunk
            else:
                self.inc.write(chunk)

    def _tls(self, op, *args):
        deadline = time.monotonic() + ftptest.TIMEOUT
        while True:
            try:
                result = op(*args)
                pending = self.out.read()
                if pending:
                    self.proc.stdin.write(pending)
                    self.proc.stdin.flush()
                return result
            except ssl.SSLWantReadError:
                self._pump(deadline)

    def start_tls(self):
        self.obj = server_context().wrap_bio(self.inc, self.out, server_hostname="localhost")
        self._tls(self.obj.do_handshake)

    def send(self, line):
        data = line.encode() + b"\r\n"
        if self.obj is None:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        else:
            self._tls(self.obj.write, data)

    def reply(self):
        """One whole reply (the last line "NNN text") as (code, text)."""
        deadline = time.monotonic() + ftptest.TIMEOUT
        while True:
            lines = self.buf.split(b"\r\n")
            for i, line in enumerate(lines[:-1]):
                if len(line) > 3 and line[:3].isdigit() and line[3:4] == b" ":
                    self.buf = b"\r\n".join(lines[i + 1:])
                    text = b"\n".join(lines[:i + 1]).decode("utf-8", "replace")
                    return int(line[:3]), text
            if self.obj is None:
                self._pump(deadline)
            else:
                self.buf += self._tls(self.obj.read, 65536)

    def cmd(self, line):
        self.send(line)
        return self.reply()


class TlsInetd(ftptest.TestCase):
    """ferryd -i with TLS: explicit (AUTH TLS) and implicit (--implicit-tls)
    on a socket inetd accepted, with protected transfers, and AUTH TLS over
    plain pipes."""

    def inetd(self, *args):
        srv = InetdServer(args)
        self.addCleanup(srv.cleanup)
        return srv

    def transfers(self, c, srv):
        """A protected download and upload on control connection c."""
        data = ftptest.random_bytes(1 << 20, seed=80)
        ftptest.write_file(srv.fixture.path("in.bin"), data)
        self.assertCode(c.cmd("PBSZ 0"), 200)
        self.assertCode(c.cmd("PROT P"), 200)
        self.assertCode(c.cmd("TYPE I"), 200)
        self.assertEqual(c.retr("in.bin"), data)
        port = c.epsv()
        d = c.data(port)
        c.send("STOR up.bin\r\n")
        self.assertCode(c.reply(), 150)
        d.sendall(data[::-1])
        d.unwrap().close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(srv.fixture.path("up.bin")), data[::-1])
        self.assertCode(c.cmd("QUIT"), 221)

    def test_explicit_auth_tls(self):
        srv = self.inetd()
        with TlsControl(srv) as c:
            self.assertIn(" AUTH TLS", c.expect("FEAT", 211).text)
            c.auth()
            c.login(USER, PASSWORD)
            self.assertIn("TLSv1.3", c.sock.version())
            self.transfers(c, srv)
        self.assertEqual(srv.wait(), [0])

    def test_implicit_tls(self):
        srv = self.inetd("--implicit-tls")
        with TlsControl(srv, tls_first=True) as c:
            self.assertCode(c.greeting, 220)
            c.login(USER, PASSWORD)
            self.transfers(c, srv)
        # curl's ftps:// through the same inetd, download and upload.
        ftptest.require_program(config.CURL, "curl")
        url = "ftps://%s:%s@localhost:%d/" % (USER, PASSWORD, srv.port)
        got = os.path.join(srv.fixture.base, "curl.bin")
        for args in (["-o", got, url + "up.bin"], ["-T", got, url + "curl-up.bin"]):
            r = subprocess.run([config.CURL, "-sS", "--max-time", "30", "--cacert",
                                tlspeers.cert("ca.pem")] + args, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_file(got), read_file(srv.fixture.path("up.bin")))
        self.assertEqual(read_file(srv.fixture.path("curl-up.bin")), read_file(got))
        self.assertEqual(srv.wait(), [0, 0, 0])

    def test_plain_client_on_implicit(self):
        """A client speaking plain FTP to an implicit-TLS inetd session
        gets no greeting; the session ends."""
        srv = self.inetd("--implicit-tls")
        no_plain_greeting(self, srv.host, srv.port)
        self.assertEqual(len(srv.wait()), 1)

    def test_auth_tls_over_pipes(self):
        fixture = ftptest.Server()
        self.addCleanup(fixture.cleanup)
        fixture.write("p.txt", b"through pipes\n")
        ftptest.prepare(fixture.base)
        with open(fixture.log_path, "ab") as log:
            proc = subprocess.Popen([config.FERRYD, "-i", "-r", fixture.root, "--tls-cert",
                                     tlspeers.cert("server.pem"), "--tls-key",
                                     tlspeers.cert("server.key"), "--tls=required"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        def end():
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            proc.stdin.close()
            proc.stdout.close()
        self.addCleanup(end)
        c = PipeTls(proc)
        self.assertEqual(c.reply()[0], 220)
        self.assertEqual(c.cmd("USER anonymous")[0], 534)     # --tls=required
        self.assertEqual(c.cmd("AUTH TLS")[0], 234)
        c.start_tls()
        self.assertEqual(c.obj.version(), "TLSv1.3")
        self.assertEqual(c.cmd("USER anonymous")[0], 331)
        self.assertEqual(c.cmd("PASS guest@example.org")[0], 230)
        self.assertEqual(c.cmd("SIZE p.txt"), (213, "213 14"))
        code, text = c.cmd("STAT p.txt")
        self.assertEqual(code, 213, text)
        self.assertIn("p.txt", text)
        self.assertEqual(c.cmd("QUIT")[0], 221)
        self.assertEqual(proc.wait(ftptest.TIMEOUT), 0)


# ---------------------------------------------------------------------------
# SIGHUP


class TlsReload(ftptest.TestCase):

    def test_sighup_reloads_for_new_sessions_only(self):
        srv = start_tls_server(copy_certs=True)
        self.addCleanup(srv.cleanup)
        data = ftptest.random_bytes(300000, seed=77)
        srv.write("r.bin", data)
        old_fp = cert_fingerprint(tlspeers.cert("server.pem"))
        new_fp = cert_fingerprint(tlspeers.cert("other.pem"))
        self.assertNotEqual(old_fp, new_fp)

        def served():
            return served_fingerprint(srv)

        with TlsControl(srv) as live:
            live.secure_login()
            self.assertEqual(served(), old_fp)
            cert, key = srv.tls_files
            shutil.copy(tlspeers.cert("other.pem"), cert)
            shutil.copy(tlspeers.cert("other.key"), key)
            srv.proc.send_signal(signal.SIGHUP)
            self.assertTrue(srv.wait_log(r"TLS certificate reloaded"), srv.log_tail())
            self.assertEqual(served(), new_fp)
            # The session that was running goes on, with its certificate.
            for _ in range(2):
                self.assertEqual(live.retr("r.bin"), data)
            fp = hashlib.sha256(live.sock.getpeercert(binary_form=True)).hexdigest()
            self.assertEqual(fp, old_fp)
            # A broken pair is refused; the loaded one stays.
            with open(key, "w") as f:
                f.write("not a key\n")
            srv.proc.send_signal(signal.SIGHUP)
            self.assertTrue(srv.wait_log(r"reload failed, the configuration stays as it was: "
                                         r".*key\.pem"), srv.log_tail())
            self.assertEqual(served(), new_fp)
            self.assertTrue(srv.running())


class TlsMetrics(ftptest.TestCase):
    """--metrics counts TLS handshakes: control and data connections that
    completed, and a data connection refused for not resuming."""

    def test_handshakes_counted(self):
        srv = start_tls_server(["--metrics", "127.0.0.1:0"])
        self.addCleanup(srv.cleanup)
        m = srv.wait_log(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
        self.assertTrue(m, srv.log_tail())
        url = "http://127.0.0.1:%d/metrics" % int(m.group(1))
        srv.write("m.bin", b"metrics" * 1000)

        def counts():
            r = subprocess.run([config.CURL, "-sS", "--max-time", "10", url],
                               capture_output=True, timeout=20)
            self.assertEqual(r.returncode, 0, r.stderr)
            got = {}
            for line in r.stdout.decode().splitlines():
                for res in ("ok", "failed"):
                    if line.startswith('ferryd_tls_handshakes_total{result="%s"} ' % res):
                        got[res] = float(line.split()[-1])
            return got

        self.assertEqual(counts(), {"ok": 0, "failed": 0})
        with TlsControl(srv) as c:
            c.secure_login()
            for _ in range(2):
                self.assertEqual(c.retr("m.bin"), b"metrics" * 1000)
            # A data connection with a fresh session: refused, counted.
            port = c.epsv()
            raw = ftptest.data_connect(srv.host, port)
            c.send("RETR m.bin\r\n")
            self.assertCode(c.reply(), 150)
            try:
                thief = c.ctx.wrap_socket(raw, server_hostname="localhost")
                recv_tls_all(thief)
                thief.close()
            except (ssl.SSLError, OSError):
                pass
            self.assertCode(c.reply(), 425)
        last = {}

        def settled():
            nonlocal last
            last = counts()
            return last == {"ok": 3, "failed": 1}
        ftptest.wait_until(settled, timeout=5)
        self.assertEqual(last, {"ok": 3, "failed": 1})


if __name__ == "__main__":
    unittest.main()
