"""ferry, the command-line client, against vsftpd started on a loopback
port (anonymous read-write below /pub): the whole clitest set."""

import unittest

import clitest
import ftptest


class VsftpdCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "vsftpd"
    LISTS_LINE_BREAKS = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
