"""ferry, the command-line client, against pyftpdlib's plain FTP server
(pyftpd_plain.py) on a loopback port (anonymous read-write on its root,
the user alice): the whole clitest set."""

import unittest

import clitest
import ftptest


class PyftpdlibCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "pyftpdlib"


if __name__ == "__main__":
    unittest.main(verbosity=2)
