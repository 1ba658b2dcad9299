"""ferry, the command-line client, against ferryd (anonymous read-write,
and a users-file account for -u and ~/.netrc): the whole clitest set."""

import unittest

import clitest
import ftptest


class FerrydCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "ferryd"


if __name__ == "__main__":
    unittest.main(verbosity=2)
