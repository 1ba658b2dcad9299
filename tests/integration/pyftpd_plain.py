"""pyftpd_plain: pyftpdlib's plain FTP server (FTPHandler) for the client's
tests, run as its own process by peers.Pyftpdlib.

    pyftpd_plain.py PORT ROOT USER PASSWORD HOME

Serves ROOT read-write to anonymous logins (any password) and HOME
read-write to USER, on 127.0.0.1:PORT, no TLS. A refused login is
answered after 0.1 s (pyftpdlib's default is 3 s). Names are bytes: those
that are not UTF-8 are passed through as they are. Stops on SIGTERM.
"""

import signal
import sys
import warnings

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

PERMS = "elradfmwMT"    # every read and write permission pyftpdlib has


def main(argv):
    port, root, user, password, home = argv[1:6]
    auth = DummyAuthorizer()
    with warnings.catch_warnings():
        # pyftpdlib warns that anonymous write permissions are risky.
        warnings.simplefilter("ignore", RuntimeWarning)
        auth.add_anonymous(root, perm=PERMS)
    auth.add_user(user, password, home, perm=PERMS)
    FTPHandler.authorizer = auth
    FTPHandler.banner = "pyftpdlib test server ready."
    FTPHandler.auth_failed_timeout = 0.1
    # Bytes of a name that are not UTF-8 reach the file system as they
    # are (the default replaces them, so such files cannot be named).
    FTPHandler.unicode_errors = "surrogateescape"
    server = FTPServer(("127.0.0.1", int(port)), FTPHandler)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main(sys.argv)
