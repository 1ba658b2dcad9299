"""ferry, the command-line client, against proftpd started in the
foreground on a loopback port (anonymous read-write on its root, the user
alice from its own AuthUserFile): the whole clitest set."""

import unittest

import clitest
import ftptest


class ProFtpdCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "proftpd"
    LISTS_LINE_BREAKS = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
