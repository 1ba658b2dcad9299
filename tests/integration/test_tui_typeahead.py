"""Keys typed ahead while a pane waits for the listing of a folder it was
asked to open: the pane still shows the folder it left, and what acts on
a file (copy, rename, delete, view) must not act on a file of that folder
the user no longer means. Such keys are refused, saying the pane is
still opening a folder; browsing keys go on working, and once the
listing is in, the same keys act on the new folder.

The server is slowftp.SlowFtp holding the listing of /slow (as in
test_tui_latency).
"""

import os
import re
import unittest

import ftptest
from test_tui_latency import SlowServerCase, LOCAL_MARK, REMOTE_MARK
from tuitest import Tmux

REFUSED = r"still opening a folder"


class TypeaheadTest(SlowServerCase):

    def open_slow(self):
        """Filters the remote pane by "slow" (rows slow/, slow-a.txt,
        slow-b.txt) and opens slow/: its listing is held."""
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                        "both panes listing their files")
        self.t.keys("/")
        self.t.type("slow")
        self.t.keys("Enter")
        self.t.wait_for(r'filter "slow"', 5, "the filter on slow")

    def check_refused(self, keys, what):
        """keys, typed right after Enter on slow/, are refused."""
        self.t.keys("Enter", *keys)

        def refused(s):
            last = s.rstrip("\n").split("\n")[-1]
            self.assertRegex(last, REFUSED, "%s while the pane waits for the listing of "
                             "slow/ was not refused:\n%s" % (what, Tmux.framed(s)))
            self.assertRegex(s, r"remote / ", "the held listing is no longer held")
        self.t.wait_check(refused, 5)

    def test_delete_typed_ahead_is_refused(self):
        self.open_slow()
        # Enter, Down, F8, y: meant for slow/'s second entry; the pane
        # still shows / with the cursor moved onto slow-a.txt.
        self.check_refused(["Down", "F8", "y"], "F8 y")
        s = self.t.screen()
        self.assertNotRegex(s, r"Delete slow-a\.txt\?", "F8 asked about a file of the "
                            "folder left:\n" + Tmux.framed(s))
        self.assertFalse(ftptest.wait_until(lambda: "slow-a.txt" not in self.srv.tree, 1.0),
                         "slow-a.txt, in the folder left, was deleted; screen:\n"
                         + Tmux.framed(self.t.screen()))
        self.assertIn("slow-a.txt", self.srv.tree)

    def test_copy_rename_and_view_typed_ahead_are_refused(self):
        self.open_slow()
        self.check_refused(["Down", "F5"], "F5")
        self.assertFalse(ftptest.wait_until(
            lambda: os.path.exists(os.path.join(self.local, "slow-a.txt")), 1.0),
            "slow-a.txt, in the folder left, was downloaded")
        for key in ("F6", "F3"):
            self.t.keys("Escape")           # cancels the held listing
            self.t.wait_gone(r"loading", 5)
            self.t.keys("Escape")           # clears the filter
            self.t.wait_for(r"filter cleared", 5)
            self.t.keys("/")
            self.t.type("slow")
            self.t.keys("Enter")
            self.t.wait_for(r'filter "slow"', 5)
            self.check_refused(["Down", key], key)
            s = self.t.screen()
            # Only the pane's row names it: no question, no fetch job.
            self.assertEqual(s.count("slow-a.txt"), 1, "%s acted on slow-a.txt:\n%s"
                             % (key, Tmux.framed(s)))

    def test_copy_into_a_pane_opening_a_folder_is_refused(self):
        """The target pane waits for a folder: a copy would go to the
        folder it left."""
        self.open_slow()
        self.t.keys("Enter", "Tab")
        self.t.keys("/")
        self.t.type("a.txt")
        self.t.keys("Enter", "F5")

        def refused(s):
            last = s.rstrip("\n").split("\n")[-1]
            self.assertRegex(last, REFUSED, "F5 into the pane waiting for slow/ was not "
                             "refused:\n%s" % Tmux.framed(s))
        self.t.wait_check(refused, 5)
        self.assertFalse(ftptest.wait_until(lambda: "a.txt" in self.srv.tree, 1.0),
                         "a.txt was uploaded into the folder the remote pane left")

    def test_keys_act_on_the_new_folder_once_listed(self):
        """Browsing is not refused meanwhile, and once the listing is in,
        F8 asks about the new folder's file."""
        self.srv.slow = {"/slow": 1.5}
        self.open_slow()
        self.t.keys("Enter", "Down", "Up")
        self.t.wait_for(lambda s: "held.txt" in s and "remote /slow" in s, 10,
                        "the listing of slow/")
        self.t.keys("Home", "Down", "F8")
        self.t.wait_for(r"Delete held\.txt\?", 5, "F8 on the new folder's file")
        self.t.keys("n")


if __name__ == "__main__":
    unittest.main()
