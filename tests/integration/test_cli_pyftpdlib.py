"""ferry, the command-line client, against pyftpdlib's plain FTP server
(pyftpd_plain.py) on a loopback port (anonymous read-write on its root,
the user alice): the whole clitest set."""

import os
import unittest

import clitest
import ftptest
from ftptest import read_file


class PyftpdlibCliTest(clitest.CliTests, ftptest.TestCase):
    PEER = "pyftpdlib"
    LISTS_LINE_BREAKS = True

    # pyftpdlib answers a command line longer than 2048 bytes with "500
    # Command too long." and then, for the rest of the line, with a second
    # reply ("500 Command "" not understood."): two replies for one line.
    LONG = "x" * 2500

    def test_long_command_keeps_replies_in_step(self):
        """Commands with a name longer than the server takes are refused
        (status 5, the server's reply in the message) and every command
        after them, in the same session, gets its own reply."""
        self.put_remote("a.txt", b"hello\n")
        script = ("size {0}; ls {0}; get {0} b.txt; cd {0}; size a.txt; ls; get a.txt; "
                  "pwd".format(self.LONG))
        r = self.ferry("-k", "-v", script=script)
        self.assertEqual(r.code, clitest.REFUSED, r)
        errors = [l for l in r.err_lines if l.startswith("ferry: ")]
        self.assertEqual(len(errors), 4, r)
        for line in errors:
            self.assertRegex(line, r": 5\d\d [^\n]*$", r)
        self.assertIn("Command too long", errors[0], r)
        self.assertIn("Command too long", errors[3], r)
        self.assertEqual(len(r.out_lines), 4, r)
        self.assertTrue(r.out_lines[0].startswith("a.txt: 6 bytes"), r)
        self.assertTrue(r.out_lines[1].endswith(" a.txt"), r)
        self.assertEqual(read_file(self.local("a.txt")), b"hello\n", r)
        self.assertEqual(r.out_lines[-1], "/" + self.rel, r)
        # The refusals say nothing about what the server supports: the
        # session goes on with its usual commands.
        self.assertNotIn("from now on", r.err, r)

    def test_long_mfmt_keeps_later_times(self):
        """An upload whose STOR line the server takes but whose MFMT line
        (15 bytes longer) passes its limit: that file's time is not set,
        with a note naming it, and the next upload still gets its time."""
        deep = "/".join(["d" * 200] * 9)
        self.server.mkdir(self.rel + "/" + deep)
        # "STOR " and the path: 2040 bytes; "MFMT time " and the path: 2055.
        name = deep + "/" + "f" * (2035 - len(deep) - 1)
        up = clitest.write_local(self.local("up.bin"), b"z" * 1000)
        os.utime(up, (1500000000, 1500000000))
        r = self.ferry("-k", script="put up.bin %s; put up.bin small.bin; pwd" % name)
        self.check(r)
        self.assertEqual(read_file(self.remote(name)), b"z" * 1000, r)
        self.assertEqual(os.stat(self.remote("small.bin")).st_mtime, 1500000000,
                         "a later upload did not get its time\n%s" % r)
        notes = [l for l in r.err_lines if l.startswith("note: ") and "time" in l]
        self.assertEqual(len(notes), 1, r)
        self.assertIn("Command too long", notes[0], r)
        self.assertNotIn("uploads keep the time", notes[0], r)
        self.assertEqual(r.out_lines[-1], "/" + self.rel, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
