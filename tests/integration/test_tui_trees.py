"""Folder copies and deletes of the two-pane client against servers that
are hard to walk (slowftp.SlowFtp):

  - a server that will not name its directory (no PWD): F5 of a remote
    link still tells a link to a folder (copied whole) from a link to a
    file (copied as the file), and the transfer process's connection
    stays where it was (a later copy of a plain folder works);

Built on test_tui.TuiCase: ferry in tmux at 120x40, with the local
fixtures; the remote pane is the SlowFtp.
"""

import re
import unittest

import slowftp
from test_tui import TuiCase, REMOTE_MARK


class NoPwdLinksTest(TuiCase):
    """F5 of remote links on a server without PWD."""

    def setUp(self):
        super().setUp()
        tree = {REMOTE_MARK: b"remote\n", "real/a.txt": b"a\n", "real/sub/b.txt": b"b\n",
                "plain/c.txt": b"c\n"}
        self.srv = slowftp.SlowFtp(tree=tree, no_pwd=True,
                                   links={"/dlink": "/real", "/flink": "/real/a.txt"}).start()
        self.addCleanup(self.srv.stop)
        self.start_ferry(url=self.srv.url("/"))

    def done(self):
        m = re.search(r"Transfers: (\d+) running, (\d+) queued, (\d+) failed, (\d+) done",
                      self.t.screen())
        return m is not None and m.group(1) == m.group(2) == m.group(3) == "0"

    def copy(self, name):
        self.select("remote", name)
        self.t.keys("F5")
        self.clear_filter()

    def test_f5_tells_a_link_to_a_folder_from_a_link_to_a_file(self):
        self.copy("dlink")
        self.wait_file(self.lpath("dlink", "a.txt"), b"a\n")
        self.wait_file(self.lpath("dlink", "sub", "b.txt"), b"b\n")
        self.copy("flink")
        self.wait_file(self.lpath("flink"), b"a\n")
        # The transfer process is where it was: a plain folder after them.
        self.copy("plain")
        self.wait_file(self.lpath("plain", "c.txt"), b"c\n")
        self.wait_disk(self.done, 20, "the copies end, none failed")
        with self.srv.lock:
            log = list(self.srv.log)
        self.assertNotIn("CWD dlink", log, "the test of the link moved the connection")


if __name__ == "__main__":
    unittest.main(verbosity=2)
