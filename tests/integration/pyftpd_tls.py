"""pyftpd_tls: pyftpdlib's FTPS server (TLS_FTPHandler) for the TLS tests,
run as its own process by tlspeers.PyftpdlibTls.

    pyftpd_tls.py PORT ROOT CERT KEY USER PASSWORD [--tls-max 1.2]

Serves ROOT (read-write) to USER on 127.0.0.1:PORT, TLS required on the
control and data connections (AUTH TLS, PROT P), the certificate chain
CERT with its key KEY; with --tls-max 1.2, no TLS 1.3. Stops on SIGTERM.

One deliberate fault, for the client's tests: the first download of a
file whose name starts with "cut-" sends only the first half, then
closes the data connection without TLS close_notify and still answers
226. Later downloads of the same file are whole.
"""

import os
import signal
import sys

from OpenSSL import SSL
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FileProducer, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

CUT_PREFIX = "cut-"
_cut_done = set()


def _to_cut(file):
    """True for the first download of a cut- file (and notes it)."""
    name = getattr(file, "name", "")
    if not os.path.basename(name).startswith(CUT_PREFIX) or name in _cut_done:
        return False
    _cut_done.add(name)
    return True


class HalfProducer(FileProducer):
    """Gives the first half of the file, then nothing."""

    def __init__(self, file, type):
        super().__init__(file, type)
        self.left = os.fstat(file.fileno()).st_size // 2

    def more(self):
        if self.left <= 0:
            return b""
        data = self.file.read(min(self.buffer_size, self.left))
        self.left -= len(data)
        return data


class CuttingDTP(TLS_DTPHandler):
    """Ends a cut download's connection without close_notify."""

    cut = False

    def close(self):
        if self.cut:
            self._error = True   # SSLConnection.close then skips SSL_shutdown
        super().close()


class Handler(TLS_FTPHandler):
    dtp_handler = CuttingDTP

    def push_dtp_data(self, data, isproducer=False, file=None, cmd=None):
        if cmd == "RETR" and isproducer and file is not None and _to_cut(file):
            data = HalfProducer(file, self._current_type)
            self._cut_next = True
        super().push_dtp_data(data, isproducer, file, cmd)
        if getattr(self, "_cut_next", False) and self.data_channel is not None:
            self.data_channel.cut = True
            self._cut_next = False

    def _on_dtp_connection(self):
        super()._on_dtp_connection()
        if getattr(self, "_cut_next", False) and self.data_channel is not None:
            self.data_channel.cut = True
            self._cut_next = False


def main(argv):
    port, root, cert, key, user, password = argv[1:7]
    rest = argv[7:]
    options = SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 | SSL.OP_NO_TLSv1 | SSL.OP_NO_TLSv1_1
    if rest[:2] == ["--tls-max", "1.2"]:
        options |= SSL.OP_NO_TLSv1_3
    auth = DummyAuthorizer()
    auth.add_user(user, password, root, perm="elradfmwMT")
    Handler.authorizer = auth
    Handler.certfile = cert
    Handler.keyfile = key
    Handler.ssl_options = options
    Handler.tls_control_required = True
    Handler.tls_data_required = True
    Handler.banner = "pyftpdlib TLS test server ready."
    server = FTPServer(("127.0.0.1", int(port)), Handler)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main(sys.argv)
