"""pyftpd_plain: pyftpdlib's plain FTP server (FTPHandler) for the client's
tests, run as its own process by peers.Pyftpdlib.

    pyftpd_plain.py PORT ROOT USER PASSWORD HOME [links-stay]

Serves ROOT read-write to anonymous logins (any password) and HOME
read-write to USER, on 127.0.0.1:PORT, no TLS. A refused login is
answered after 0.1 s (pyftpdlib's default is 3 s). Names are bytes: those
that are not UTF-8 are passed through as they are. Stops on SIGTERM.
With links-stay, DELE of a symbolic link is refused (550), as on a
server that deletes only regular files; its MLSD still lists a link to a
directory as type=dir with that directory's unique fact.
"""

import os
import signal
import sys
import warnings

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

PERMS = "elradfmwMT"    # every read and write permission pyftpdlib has


class LinksStayHandler(FTPHandler):
    """Refuses DELE of a symbolic link."""

    def ftp_DELE(self, path):
        if os.path.islink(path):
            self.respond("550 Not a regular file.")
            return None
        return super().ftp_DELE(path)


def main(argv):
    port, root, user, password, home = argv[1:6]
    handler = LinksStayHandler if argv[6:7] == ["links-stay"] else FTPHandler
    auth = DummyAuthorizer()
    with warnings.catch_warnings():
        # pyftpdlib warns that anonymous write permissions are risky.
        warnings.simplefilter("ignore", RuntimeWarning)
        auth.add_anonymous(root, perm=PERMS)
    auth.add_user(user, password, home, perm=PERMS)
    handler.authorizer = auth
    handler.banner = "pyftpdlib test server ready."
    handler.auth_failed_timeout = 0.1
    # Bytes of a name that are not UTF-8 reach the file system as they
    # are (the default replaces them, so such files cannot be named).
    handler.unicode_errors = "surrogateescape"
    server = FTPServer(("127.0.0.1", int(port)), handler)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main(sys.argv)
