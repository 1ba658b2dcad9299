"""Moving around the two-pane screen: going to a typed folder (g and
Alt-c) with Tab completion from the listing.

Built on test_tui.TuiCase.
"""

import os
import unittest

import ftptest
from test_tui import TuiCase
from tuitest import Tmux


def top_of(screen):
    return screen.split("\n")[:2]


class GotoTest(TuiCase):

    def goto_field(self):
        """The go-to dialog's field: the line after its prompt."""
        s = self.t.screen().split("\n")
        for i, line in enumerate(s):
            if "Go to (" in line:
                return s[i + 1].strip("│ ")
        self.fail_screen("no go-to dialog")

    def test_goto_remote_with_tab_completion(self):
        self.start_ferry()
        self.focus("remote")
        self.t.keys("g")
        self.t.wait_for(r"Go to \(remote folder\):", 5)
        self.t.type("rd")
        self.t.keys("Tab")
        self.t.wait_for(lambda s: self.goto_field() == "rdir/", 5, "Tab completes rd to rdir/")
        self.t.keys("Enter")
        self.t.wait_for("rdir-inner.txt", 10, "Enter goes there")
        self.assertIn("remote /rdir", self.t.screen().split("\n")[1])
        # Several names: as far as they agree, and the note lists them.
        self.t.keys("g")
        self.t.wait_for(r"Go to \(remote folder\):", 5)
        self.t.keys("C-u")
        self.t.type("/ta")
        self.t.keys("Tab")
        self.t.wait_for(lambda s: "/ta" == self.goto_field(), 5)
        # Not the pane's folder (/rdir): nothing completed.
        self.t.wait_for(r"no name in this folder starts so", 5)
        self.t.keys("C-u")
        self.t.type("/")
        self.t.keys("Enter")
        self.t.wait_for("tag-1.txt", 10)
        self.t.keys("g")
        self.t.wait_for(r"Go to \(remote folder\):", 5)
        self.t.keys("C-u")
        self.t.type("ta")
        self.t.keys("Tab")
        self.t.wait_for(r"3 names: tag-1\.txt tag-2\.txt tag-3\.txt", 5)
        self.assertEqual(self.goto_field(), "tag-")
        self.t.keys("Esc")
        self.t.wait_gone(r"Go to \(", 5)

    def test_goto_local_with_alt_c_and_home(self):
        ftptest.write_file(os.path.join(self.home, "in-home.txt"), b"h\n")
        self.start_ferry()
        self.focus("local")
        self.t.keys("M-c")
        self.t.wait_for(r"Go to \(local folder\):", 5, "Alt-c opens the go-to dialog")
        self.t.type(self.lpath("ltree", "su"))
        self.t.keys("Tab")
        self.t.wait_for(lambda s: self.goto_field() == self.lpath("ltree", "su"), 5)
        self.t.keys("Enter")
        self.t.wait_for(r"No such file|not found|cannot|No such", 10,
                        "a folder that does not exist is an error")
        self.t.keys("g")
        self.t.wait_for(r"Go to \(local folder\):", 5)
        self.t.keys("C-u")
        self.t.type("lt")
        self.t.keys("Tab")
        self.t.wait_for(lambda s: self.goto_field() == "ltree/", 5)
        self.t.type("sub")
        self.t.keys("Enter")
        self.t.wait_for("b.bin", 10, "a relative path from the pane's folder")
        self.t.keys("g")
        self.t.wait_for(r"Go to \(local folder\):", 5)
        self.t.keys("C-u")
        self.t.type("~")
        self.t.keys("Enter")
        self.t.wait_for("in-home.txt", 10, "~ is the home folder")


if __name__ == "__main__":
    unittest.main(verbosity=2)
