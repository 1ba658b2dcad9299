"""Moving around the two-pane screen: going to a typed folder (g and
Alt-c) with Tab completion from the listing; find (f) below a folder,
local and remote, its matches tagged, viewed and copied, a find
cancelled; synchronized browsing (=). On ferryd, and find on vsftpd and
pure-ftpd.

Built on test_tui.TuiCase.
"""

import os
import re
import shutil
import time
import unittest

import ftptest
import peers
import slowftp
from test_tui import TuiCase, LOCAL_MARK, REMOTE_MARK, panes
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
        self.t.wait_check(lambda s: self.assertIn("remote /rdir", s.split("\n")[1]), 5)
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


class FindTest(TuiCase):

    def find(self, pattern):
        self.t.keys("f")
        self.t.wait_for(r"Find names matching", 5)
        self.t.keys("C-u")
        self.t.type(pattern)
        self.t.keys("Enter")

    def test_find_local_tag_and_copy(self):
        self.start_ferry()
        self.focus("local")
        self.find("*.txt")
        self.t.wait_for(r"4 found matching \*\.txt", 10, "the local find's count")

        def found(s):
            for name in ("ltree/a.txt", "ltree/sub/deeper/c.txt", "ldir/ldir-inner.txt",
                         LOCAL_MARK):
                self.assertIn(name, panes(s))
            # The folder whole, or its end after "\u2026" when the heading is
            # too long for the pane (the sort order stays).
            self.assertRegex(panes(s).split("\n")[1], r"local find \*\.txt below \S*%s \[name\]"
                             % re.escape(self.local[-20:]))
        s = panes(self.t.wait_check(found, 5))
        self.assertNotIn("b.bin", s)
        # Tag two matches and copy them: each lands under its own name.
        self.select("local", "c.txt")
        self.t.keys("Space")
        self.clear_filter()
        self.select("local", "a.txt")
        self.t.keys("Space")
        self.clear_filter()
        self.t.keys("F5")
        self.wait_file(self.server.path("c.txt"), b"tree c\n", 15)
        self.wait_file(self.server.path("a.txt"), b"tree a\n", 15)
        # Backspace leaves the matches for the folder.
        self.focus("local")
        self.t.keys("Backspace")
        self.t.wait_for(lambda s: "ltree/a.txt" not in panes(s) and "upload-me.bin" in s, 10,
                        "Backspace shows the folder again")

    def test_find_remote_exact_set_and_view(self):
        self.start_ferry()
        self.focus("remote")
        self.find("*.txt")
        self.t.wait_for(r"8 found matching \*\.txt", 10, "the remote find's count")

        def found_remote(s):
            for name in ("rdir/rdir-inner.txt", REMOTE_MARK, "victim.txt", "keep-me.txt",
                         "old-name.txt", "tag-1.txt", "tag-2.txt", "tag-3.txt"):
                self.assertIn(name, panes(s))
        s = panes(self.t.wait_check(found_remote, 5))
        self.assertNotIn("download-me.bin", s)
        self.select("remote", "rdir-inner")
        self.t.keys("F3")
        self.t.wait_for(r"rdir/rdir-inner\.txt +text", 10, "F3 on a match")
        self.t.wait_check(lambda s: self.assertIn("inner", s), 5)
        self.t.keys("q")
        self.t.wait_gone(r"rdir-inner\.txt +text", 5)
        # A pattern nothing matches: none, and the pane says so.
        self.clear_filter()
        self.find("*.nothing")
        self.t.wait_for(r"0 found matching \*\.nothing", 10)

    def test_find_cancelled_with_esc(self):
        srv = slowftp.SlowFtp(tree={"pub/a.txt": b"a", "slow/x.txt": b"x",
                                    REMOTE_MARK: b"r"}, slow={"/slow": 30.0})
        srv.start()
        self.addCleanup(srv.stop)
        self.start_ferry(url=srv.url("/"))
        self.focus("remote")
        self.find("*.txt")
        self.t.wait_for(r"find \*\.txt below / .*loading", 10, "the find runs")
        self.t.keys("Esc")
        self.t.wait_for(r"listing cancelled", 5, "Esc cancels the find")
        s = self.t.screen()
        self.assertNotIn("loading", s.split("\n")[1])
        # The pane works again at once.
        self.select("remote", "pub")
        self.t.keys("Enter")
        self.t.wait_for("a.txt", 10, "the pane browses after the cancel")

    def test_matches_of_one_name_are_not_copied_over_each_other(self):
        """Two matches of the same name copied at once would land on one
        target, the second replacing the first without a question: the
        first is copied, the second is skipped and shown so."""
        self.server.write("f1/dup.txt", b"first\n")
        self.server.write("f2/dup.txt", b"second, longer\n")
        self.start_ferry()
        self.focus("remote")
        self.find("dup.txt")
        self.t.wait_for(r"2 found matching dup\.txt", 10)
        self.t.keys("*")
        self.t.wait_for(r"2 tagged", 5)
        self.t.keys("F5")
        self.wait_file(self.lpath("dup.txt"), b"first\n", 15)
        self.t.wait_for(r"skipped\s+<- .*f2/dup\.txt", 10, "the second match is skipped")
        self.t.wait_for(r"queue finished", 10)
        self.assertEqual(ftptest.read_file(self.lpath("dup.txt")), b"first\n")

    def test_no_copy_into_a_pane_showing_matches(self):
        """A pane showing a find's matches does not list its folder, so a
        file there of the name copied would be replaced without the
        question: F5 into it is refused, saying why, and nothing is
        replaced."""
        ftptest.write_file(self.lpath("keep-me.txt"), b"the local one\n")
        self.start_ferry()
        self.focus("remote")
        self.find("*.bin")
        self.t.wait_for(r"1 found matching \*\.bin", 10)
        self.select("local", "keep-me.txt")
        self.t.keys("F5")
        self.t.wait_for(r"the remote pane shows the matches of a find", 5,
                        "F5 into the matches is refused and says why")
        time.sleep(1)
        self.assertEqual(ftptest.read_file(self.rpath("keep-me.txt")), b"keep me\n")
        self.assertNotRegex(self.t.screen(), r"done\s+-> .*keep-me")

    def test_rename_a_match_in_its_own_folder(self):
        """F6 on a match suggests its own name (not its path, which no new
        name may hold) and renames it where it is, not into the folder
        the find started from."""
        self.server.write("f1/dup.txt", b"first\n")
        self.start_ferry()
        self.focus("remote")
        self.find("dup.txt")
        self.t.wait_for(r"1 found matching dup\.txt", 10)
        self.select("remote", "f1/dup")
        self.t.keys("F6")
        self.t.wait_for(r"Rename f1/dup\.txt to:", 5)

        def suggested(s):
            lines = s.split("\n")
            row = next(i for i, line in enumerate(lines) if "Rename f1/dup.txt to:" in line)
            self.assertEqual(lines[row + 1].strip("│ "), "dup.txt",
                             "the suggested name is not the match's own name")
        self.t.wait_check(suggested, 5)
        self.t.keys("C-u")
        self.t.type("renamed.txt")
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.exists(self.rpath("f1", "renamed.txt")), 10,
                       "the match was not renamed in its folder")
        self.assertFalse(os.path.exists(self.rpath("renamed.txt")), "the match was moved up")
        self.assertFalse(os.path.exists(self.rpath("f1", "dup.txt")))


class PeerFind:
    """f on another server (mixed into a TuiCase with kind set)."""

    kind = None

    def test_find_on_peer(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/one/two/deep match.log", b"deep\n")
        peer.write("pub/one/top.log", b"top\n")
        peer.write("pub/one/other.txt", b"no\n")
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))
        self.focus("remote")
        self.t.keys("f")
        self.t.wait_for(r"Find names matching", 5)
        self.t.keys("C-u")
        self.t.type("*.log")
        self.t.keys("Enter")
        self.t.wait_for(r"2 found matching \*\.log", 10, "find on %s" % self.kind)

        def found(s):
            self.assertIn("one/two/deep match.log", panes(s))
            self.assertIn("one/top.log", panes(s))
        self.t.wait_check(found, 5)
        self.select("remote", "deep match")
        self.t.keys("F5")
        self.wait_file(self.lpath("deep match.log"), b"deep\n", 15)


class VsftpdFindTest(PeerFind, TuiCase):
    kind = "vsftpd"


class PureFtpdFindTest(PeerFind, TuiCase):
    kind = "pure-ftpd"


class PeerGotoSync:
    """g with Tab completion and synchronized browsing on another server
    (mixed into a TuiCase with kind set)."""

    kind = None
    goto_field = GotoTest.goto_field

    def test_goto_and_sync_on_peer(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/shared dir/on-peer.txt", b"p\n")
        peer.write("pub/far side/deeper.txt", b"d\n")
        ftptest.write_file(self.lpath("shared dir", "on-local.txt"), b"l\n")
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))
        self.focus("remote")
        self.t.keys("g")
        self.t.wait_for(r"Go to \(remote folder\):", 5)
        self.t.type("fa")
        self.t.keys("Tab")
        self.t.wait_for(lambda s: self.goto_field() == "far side/", 5,
                        "Tab completes from the %s listing" % self.kind)
        self.t.keys("Enter")
        self.t.wait_for("deeper.txt", 10, "g goes there on %s" % self.kind)
        self.t.keys("Backspace")
        self.t.wait_for(REMOTE_MARK, 10)
        self.t.keys("=")
        self.t.wait_for(lambda s: "[sync]" in s.split("\n")[0], 5, "= turns it on")
        self.clear_filter()
        self.select("remote", "shared dir")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "on-peer.txt" in s and "on-local.txt" in s, 10,
                        "synchronized browsing follows on %s" % self.kind)
        self.t.keys("Backspace")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                        "and comes back up on both sides")


class VsftpdGotoSyncTest(PeerGotoSync, TuiCase):
    kind = "vsftpd"


class PureFtpdGotoSyncTest(PeerGotoSync, TuiCase):
    kind = "pure-ftpd"


class SyncTest(TuiCase):

    def test_synchronized_browsing(self):
        ftptest.write_file(self.lpath("both", "l.txt"), b"l\n")
        self.server.write("both/r.txt", b"r\n")
        self.start_ferry()
        self.t.keys("=")
        self.t.wait_for(lambda s: "[sync]" in s.split("\n")[0], 5, "= turns it on")
        self.select("remote", "both")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "r.txt" in s and "l.txt" in s, 10,
                        "entering a folder enters it on both sides")
        self.t.keys("Backspace")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                        "going up goes up on both sides")
        self.clear_filter()
        self.select("remote", "rdir")
        self.t.keys("Enter")
        self.t.wait_for("rdir-inner.txt", 10)
        self.t.wait_for(r"no folder rdir on the other side", 5)
        self.t.wait_check(lambda s: self.assertIn(LOCAL_MARK, s, "the local pane stayed"), 5)
        self.t.keys("Backspace")
        self.t.wait_for(REMOTE_MARK, 10)
        self.t.keys("=")
        self.t.wait_for(lambda s: "[sync]" not in s.split("\n")[0], 5, "= turns it off")
        self.clear_filter()
        self.select("remote", "both")
        self.t.keys("Enter")
        self.t.wait_for("r.txt", 10)
        # Keys are handled in turn: once = has turned it on again, the
        # Enter before it is done on both sides.
        self.t.keys("=")
        s = self.t.wait_for(lambda s: s if "[sync]" in s.split("\n")[0] else None, 5,
                            "= turns it on again")
        self.assertIn("r.txt", s, Tmux.framed(s))
        self.assertNotIn("l.txt", s, "off: the local pane stays")



class GoneFolderTest(TuiCase):
    """The folder a pane shows is removed, with its parent, by someone
    else: Backspace still gets out, up to the nearest folder that lists
    (saying why), instead of failing on the missing parent at every
    press."""

    def enter(self, side, name, inside):
        self.select(side, name)
        self.t.keys("Enter")
        self.t.wait_for(lambda s: inside in top_of(s)[1], 5, "Enter opens %s" % name)
        time.sleep(0.2)

    def test_backspace_out_of_a_removed_local_folder(self):
        os.makedirs(self.lpath("gone", "sub"))
        self.start_ferry()
        self.enter("local", "gone", "/gone")
        self.enter("local", "sub", "/gone/sub")
        shutil.rmtree(self.lpath("gone"))
        self.t.keys("BSpace")
        self.t.wait_for(lambda s: LOCAL_MARK in s and "/gone" not in top_of(s)[1], 5,
                        "Backspace goes up past the removed folders")
        self.t.wait_for(r"/gone: No such file or directory", 5, "the status line says why")

    def test_backspace_out_of_a_removed_remote_folder(self):
        self.server.write("rgone/rsub/inner.txt", b"x\n")
        self.start_ferry()
        self.enter("remote", "rgone", "/rgone")
        self.enter("remote", "rsub", "/rgone/rsub")
        shutil.rmtree(self.rpath("rgone"))
        self.t.keys("BSpace")
        self.t.wait_for(lambda s: REMOTE_MARK in s and "/rgone" not in top_of(s)[1], 5,
                        "Backspace goes up past the removed folders")
        s = self.t.wait_for(lambda s: s if "going up" in s else None, 5,
                            "the status line shows the server's reply")
        # ferryd's text ends with a period: it is not followed by the ';'.
        self.assertRegex(s, r"550 /rgone\S*: No such file or directory; going up",
                         "the reply and \"going up\" are not joined tidily:\n" + Tmux.framed(s))

if __name__ == "__main__":
    unittest.main(verbosity=2)
