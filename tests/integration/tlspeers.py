"""tlspeers: FTPS servers for the client's TLS tests (test_cli_tls.py), all
on 127.0.0.1, with certificates made once per run by tests/tls-certs.sh
(the openssl command): certs() is their folder, cert(name) one file.

    VsftpdTls      vsftpd with ssl_enable, require_ssl_reuse (data
                   connections must resume the control connection's TLS
                   session), force_local_logins_ssl, force_local_data_ssl,
                   strict_ssl_read_eof and strict_ssl_write_shutdown (both
                   ends of every data connection need close_notify); or
                   implicit TLS (ftps://). A local user login: vsftpd's
                   session account, authenticated by a PAM service file of
                   this peer's own (pam_permit, any password), removed at
                   cleanup, chrooted into the server root.
    PureFtpdTls    pure-ftpd -Y 2 (TLS required), its certificate and key
                   in one file (-2).
    PyftpdlibTls   pyftpdlib's TLS_FTPHandler (pyftpd_tls.py, its own
                   process), TLS required on both connections; a file
                   named cut-* is cut short without close_notify the first
                   time it is downloaded.

Each takes the certificate to serve (a name from tls-certs.sh: "server"
for the valid chain, "expired", "wronghost", "selfsigned", "other") and
has .tls_name, the name the tests use in messages.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import config
import peers

CERTS_SCRIPT = os.path.join(config.SRCDIR, "tests", "tls-certs.sh")
PYFTPD_SCRIPT = os.path.join(config.SRCDIR, "tests", "integration", "pyftpd_tls.py")
_certs = None


def certs():
    """The folder with the test certificates (made on first use)."""
    global _certs
    if _certs is None:
        d = tempfile.mkdtemp(prefix="ferry-tls-certs-")
        atexit.register(shutil.rmtree, d, True)
        r = subprocess.run(["sh", CERTS_SCRIPT, d], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise peers.PeerError("tls-certs.sh failed (%d): %s" % (r.returncode, r.stderr))
        # The servers read them as their session users, too.
        os.chmod(d, 0o755)
        for name in os.listdir(d):
            os.chmod(os.path.join(d, name), 0o644)
        _certs = d
    return _certs


def cert(name):
    """Path of one file of the test set ("ca.pem", "server.key", ...)."""
    return os.path.join(certs(), name)


def fingerprint(name):
    """SHA256:AB:... of a certificate, as openssl prints it."""
    r = subprocess.run(["openssl", "x509", "-in", cert(name), "-noout", "-fingerprint",
                        "-sha256"], capture_output=True, text=True, timeout=30, check=True)
    return "SHA256:" + r.stdout.strip().split("=", 1)[1]


class VsftpdTls(peers.Vsftpd):
    """vsftpd requiring TLS for a local user's login and data."""

    tls_name = "vsftpd"

    def __init__(self, certname="server", implicit=False):
        super().__init__()
        self.certname = certname
        self.implicit_tls = implicit
        self.user, self.password = self.anon.pw_name, "any-Passw0rd"
        self.bad_login = ("nosuchuser", peers.BAD_PASSWORD)
        # A service name of this peer's own: PAM reads /etc/pam.d/NAME.
        self.pam_name = "ferry-test-" + os.path.basename(self.base)
        self.pam_file = os.path.join("/etc/pam.d", self.pam_name)

    def settings(self, port):
        out = [(k, v) for k, v in super().settings(port)
               if k not in ("anonymous_enable", "local_enable", "anon_root")]
        out += [
            ("anonymous_enable", "NO"),
            ("local_enable", "YES"),
            ("pam_service_name", self.pam_name),
            ("local_root", self.root),
            ("chroot_local_user", "YES"),
            ("local_umask", "022"),
            ("ssl_enable", "YES"),
            ("implicit_ssl", "YES" if self.implicit_tls else "NO"),
            ("rsa_cert_file", cert(self.certname + ".pem")),
            ("rsa_private_key_file", cert(self.certname + ".key")),
            ("ssl_ciphers", "HIGH"),
            ("ssl_sslv2", "NO"),
            ("ssl_sslv3", "NO"),
            ("ssl_tlsv1", "YES"),
            ("require_ssl_reuse", "YES"),
            ("force_local_logins_ssl", "YES"),
            ("force_local_data_ssl", "YES"),
            ("strict_ssl_read_eof", "YES"),
            ("strict_ssl_write_shutdown", "YES"),
            ("debug_ssl", "YES"),
        ]
        return out

    def start(self):
        if self.proc is None:
            with open(self.pam_file, "w") as f:
                f.write("# ferry's tests: any password, for %s only\n"
                        "auth required pam_permit.so\n"
                        "account required pam_permit.so\n"
                        "session required pam_permit.so\n" % self.base)
        return super().start()

    def cleanup(self):
        super().cleanup()
        try:
            os.unlink(self.pam_file)
        except FileNotFoundError:
            pass

    def url(self, path="/", user=None, passwd=None):
        u = super().url(path, user, passwd)
        return "ftps" + u[3:] if self.implicit_tls else u


class PureFtpdTls(peers.PureFtpd):
    """pure-ftpd refusing sessions without TLS (-Y 2)."""

    tls_name = "pure-ftpd"

    def __init__(self, certname="server"):
        super().__init__()
        both = os.path.join(self.base, "cert-and-key.pem")
        with open(both, "w") as out:
            for part in (certname + ".pem", certname + ".key"):
                with open(cert(part)) as f:
                    out.write(f.read())
        os.chmod(both, 0o600)
        self.certfile = both

    def command(self, port):
        return super().command(port) + ["-Y", "2", "-2", self.certfile]


def start_ferryd_tls(implicit=False, extra=()):
    """ferryd with --tls=required (the test chain), as peers.start_ferryd
    sets it up, logged into anonymously; implicit: TLS from the first byte
    (ftps:// URLs); extra: more options."""
    args = ["--tls=required", "--tls-cert", cert("server.pem"), "--tls-key", cert("server.key")]
    if implicit:
        args.append("--implicit-tls")
    srv = peers.start_ferryd(args + list(extra))
    srv.tls_name = "ferryd"
    srv.user, srv.password = "anonymous", "guest-Passw0rd@example.org"
    if implicit:
        plain_url = srv.url
        srv.url = lambda path="/", user=None, passwd=None: "ftps" + plain_url(path, user,
                                                                              passwd)[3:]
    return srv


def _pyftpd_python():
    """A python that imports pyftpdlib and OpenSSL: configure's, else the
    system's (where Debian installs python3-pyftpdlib)."""
    for py in (config.PYTHON3, sys.executable, "/usr/bin/python3"):
        if py and os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", "import pyftpdlib.handlers, OpenSSL"], capture_output=True,
                timeout=30).returncode == 0:
            return py
    raise peers.PeerError("pyftpdlib with pyOpenSSL is required (Debian: python3-pyftpdlib "
                          "python3-openssl; ./quickstart test installs them)")


class PyftpdlibTls(peers.ExternalPeer):
    """pyftpdlib's FTPS server, one user, TLS required."""

    name = tls_name = "pyftpdlib"
    mfmt = True

    def __init__(self, certname="server", tls_max=None):
        super().__init__()
        self.program = _pyftpd_python()
        self.certname = certname
        self.tls_max = tls_max
        self.user, self.password = peers.NAMED_USER, peers.NAMED_PASSWORD
        self.bad_login = (peers.NAMED_USER, peers.BAD_PASSWORD)
        self.mkdir("pub")

    def session_ids(self):
        return os.getuid(), os.getgid()

    def command(self, port):
        cmd = [self.program, PYFTPD_SCRIPT, str(port), self.root, cert(self.certname + ".pem"),
               cert(self.certname + ".key"), self.user, self.password]
        if self.tls_max:
            cmd += ["--tls-max", self.tls_max]
        return cmd
