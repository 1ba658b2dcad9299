"""ferry, the command-line client, against pure-ftpd started on a loopback
port (a PureDB virtual user): the whole clitest set."""

import unittest

import clitest
import ftptest


class PureFtpdCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "pure-ftpd"


if __name__ == "__main__":
    unittest.main(verbosity=2)
