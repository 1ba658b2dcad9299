"""Details of the two-pane client people trip over: the connect dialog
selects what it suggests so typing replaces it, and a failed attempt
keeps the working connection; text fields edit as in readline; Home and
End work whatever terminfo says; the tagged count and size, mc's + - *
keys, sorting by extension and in reverse, cut names marked with an
ellipsis, links marked with @ (broken ones with !) and their targets, the
overwrite question with both files' sizes and dates, and a filter that
folds case beyond ASCII.

Built on test_tui.TuiCase.
"""

import os
import re
import time
import unittest

import config
import ftptest
import peers
import tuitest
from test_tui import TuiCase, FERRY, LOCAL_MARK, REMOTE_MARK, DOWNLOAD, panes
from tuitest import Tmux

DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d"


def status_line(screen):
    return screen.rstrip("\n").split("\n")[-1]


class ConnectDialogTest(TuiCase):

    def answer_connect(self, host, port):
        """Answers the connect dialog by typing over what it suggests."""
        self.t.keys("F2")
        self.t.wait_for(r"New connection", 5, "F2 opens the site manager")
        self.t.keys("Enter")
        self.t.wait_for(r"Host or URL", 5)
        self.t.type(host)
        self.t.keys("Enter")
        self.t.wait_for(r"TLS for", 5)
        self.t.keys("Enter")
        self.t.wait_for(r"Port:", 5)
        self.t.type(str(port))
        self.t.keys("Enter")
        self.t.wait_for(r"User", 5)
        self.t.keys("Enter")
        self.t.wait_for(r"Password:", 5)
        self.t.keys("Enter")

    def test_typing_replaces_the_suggested_host(self):
        self.start_ferry()
        self.focus("remote")
        self.server.write("after-f2.txt", b"x")
        self.answer_connect("127.0.0.1", self.server.port)
        self.t.wait_for("after-f2.txt", 10,
                        "typing over the suggested host connects to the host typed")
        # ferryd offers no TLS here: the note says so after the outcome.
        s = self.t.wait_check(lambda s: self.assertRegex(
            status_line(s), r"^connected to 127\.0\.0\.1(; note: .*does not "
            r"offer TLS.*)?\s*$", Tmux.framed(s)), 5)
        self.assertIn("127.0.0.1:%d" % self.server.port, s.split("\n")[0])
        self.assertNotIn("127.0.0.1127.0.0.1", s)

    def test_failed_attempt_keeps_the_working_connection(self):
        self.start_ferry()
        self.focus("remote")
        closed = peers.free_port()
        self.answer_connect("127.0.0.1", closed)
        self.t.wait_for(r"could not connect", 10, "the failed attempt is reported")

        def kept(s):
            self.assertIn("127.0.0.1:%d" % self.server.port, s.split("\n")[0],
                          "the top line no longer shows the working connection:\n"
                          + Tmux.framed(s))
            self.assertIn(REMOTE_MARK, s, "the remote pane was emptied")
        self.t.wait_check(kept, 5)
        self.select("remote", "rdir")
        self.t.keys("Enter")
        self.t.wait_for("rdir-inner.txt", 10, "the working connection still browses")
        # And it still copies.
        self.clear_filter()
        self.select("remote", "rdir-inner.txt")
        self.t.keys("F5")
        self.wait_file(self.lpath("rdir-inner.txt"), b"inner\n")


class TextFieldTest(TuiCase):

    def test_readline_keys_edit_a_field(self):
        self.start_ferry()
        self.focus("local")
        self.t.keys("F7")
        self.t.wait_for(self.prompt_line("new directory"), 5)
        self.t.type("one two")
        self.t.keys("C-w")                    # "one "
        self.t.type("three")                  # "one three"
        self.t.keys("Home", "DC")             # "ne three"
        self.t.keys("C-e", "Left", "Left", "BSpace")   # "ne thee"
        self.t.keys("C-a", "Right", "Right")
        self.t.type("X")                      # "neX thee"
        self.t.keys("End", "Left", "Left", "Left", "C-k")   # "neX t"
        self.t.type("op")                     # "neX top"
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.isdir(self.lpath("neX top")), 10,
                       "the field did not edit to 'neX top' (found %s)"
                       % sorted(os.listdir(self.local)))
        # Ctrl-U empties what is before the cursor.
        self.t.keys("F7")
        self.t.wait_for(self.prompt_line("new directory"), 5)
        self.t.type("gone kept")
        self.t.keys("Left", "Left", "Left", "Left", "C-u", "Enter")
        self.wait_disk(lambda: os.path.isdir(self.lpath("kept")), 10, "Ctrl-U")


class HomeEndTest(TuiCase):
    """Under TERM=xterm-256color, tmux sends Home as ESC [ 1 ~, which that
    terminfo entry does not list: it must not read as Esc (which clears
    the filter)."""

    def test_home_end_under_xterm_terminfo(self):
        cmd = ["env", "TERM=xterm-256color", FERRY, self.server.url("/")]
        self.t.start(cmd, cwd=self.local, width=120, height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.focus("remote")
        self.t.keys("/")
        self.t.type("tag-")
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"tag-\": 3 match", 5)
        for key, name in (("End", "tag-3.txt"), ("Home", "tag-1.txt"), ("End", "tag-3.txt")):
            self.t.keys(key)
            self.t.keys("F6")
            self.t.wait_for(self.prompt_line("rename", name), 5,
                            "after %s the cursor is on %s" % (key, name))
            self.t.keys("Escape")
            self.t.wait_gone(r"Rename", 5)
            s = self.t.screen()
            # The key was handled before F6: the filter is still there.
            self.assertIn("/tag-]", s, "%s cleared the filter:\n%s" % (key, Tmux.framed(s)))


class TagKeysTest(TuiCase):

    def test_tag_count_size_and_mc_keys(self):
        self.start_ferry()
        self.focus("remote")
        self.t.keys("+")
        self.t.wait_for(self.prompt_line("tag the names matching"), 5)
        self.t.type("tag-*")                  # replaces the suggested "*"
        self.t.keys("Enter")
        s = self.t.wait_for(r"3 tagged, 18 B", 5, "the status line counts 3 tagged, 18 bytes")
        self.t.keys("-")
        self.t.wait_for(self.prompt_line("untag the names matching"), 5)
        self.t.type("*2.txt")
        self.t.keys("Enter")
        self.t.wait_for(r"2 tagged, 12 B", 5, "- untags by pattern")
        # * inverts: every other entry (the 16 others, 2 of them directories... ) is tagged.
        self.t.keys("*")

        def inverted(s):
            """a tagged count of every entry but the two tagged before"""
            m = re.search(r"(\d+) tagged, ", s)
            # Entry rows of the right pane: inside its frame (columns
            # 61-118), not its bottom edge (which holds the footer).
            rows = len([l for l in s.split("\n")[2:-3]
                        if len(l) > 60 and l[60] in "│|" and l[61:119].strip()])
            return m and int(m.group(1)) == rows - 2 and int(m.group(1))
        # The count and the rows are read from one screen, polled until
        # the count is the one * gives: the status line may still show
        # "2 tagged" just after the key.
        n = self.t.wait_for(inverted, 5, "* should tag every entry but the two tagged before")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete %d tagged" % n), 5, "F8 works on the inverted set")
        self.t.keys("n")


class SortTest(TuiCase):

    def test_sort_by_extension_and_reverse(self):
        for name in ("ext-1.zzz", "ext-2.aaa", "ext-3.mmm"):
            self.server.write(name, b"e")
        self.start_ferry()
        self.focus("remote")
        self.t.keys("/")
        self.t.type("ext-")
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"ext-\": 3 match", 5)

        def order(s):
            rows = {n: i for i, l in enumerate(s.split("\n")) for n in ("1", "2", "3")
                    if "ext-%s." % n in l}
            return "".join(sorted(rows, key=rows.get)) if len(rows) == 3 else None

        self.assertEqual(order(self.t.screen()), "123")
        self.t.keys("s")
        self.t.wait_for(lambda s: order(s) == "231" and "sorted by ext" in s, 5,
                        "s sorts by extension: aaa, mmm, zzz")
        self.t.keys("S")
        self.t.wait_for(lambda s: order(s) == "132" and "sorted by ext, reversed" in s, 5,
                        "S reverses it")
        self.t.wait_check(lambda s: self.assertIn("[ext reversed /ext-]", s), 5)


class NamesTest(TuiCase):

    def test_long_names_end_with_an_ellipsis(self):
        long = "a-very-long-file-name-" + "x" * 60 + "-end.txt"
        self.server.write(long, b"long")
        self.start_ferry()
        self.t.wait_for(r"a-very-long-file-name-x+\u2026", 5, "a cut name ends with …")
        self.assertNotIn("-end.txt", self.t.screen())

    def test_cut_names_end_with_a_tilde_without_utf8(self):
        """Under LANG=C (no UTF-8) a cut name ends with ~, never with bytes
        of an ellipsis the terminal cannot show."""
        long = "a-very-long-file-name-" + "x" * 60 + "-end.txt"
        self.server.write(long, b"long")
        self.start_ferry(env={"LANG": "C", "LC_ALL": "C"})
        self.t.wait_for(r"a-very-long-file-name-x+~", 5, "a cut name ends with ~")
        s = self.t.screen()
        self.assertNotIn("-end.txt", s)
        self.assertNotIn("\u2026", s)

    def test_local_links_marked_with_targets(self):
        os.symlink(LOCAL_MARK, self.lpath("good-link"))
        os.symlink("missing.txt", self.lpath("dead-link"))
        os.symlink("ldir", self.lpath("dir-link"))
        self.start_ferry()
        self.t.wait_for(r"good-link@ -> local-only\.txt", 5, "a link shows @ and its target")

        def marked(s):
            self.assertRegex(s, r"dead-link! -> missing\.txt",
                             "a broken link shows ! and its target")
            self.assertRegex(s, r"dir-link@ -> ldir\s*/\s+<DIR>", "a link to a directory")
        self.t.wait_check(marked, 5)
        # The link to a directory opens like one.
        self.select("local", "dir-link")
        self.t.keys("Enter")
        self.t.wait_for("ldir-inner.txt", 5, "Enter follows a link to a directory")


class PeerLinks:
    """Remote links as the server lists them, marked with @ and their
    target, or ! and their target when it names nothing in the folder."""

    kind = None
    want_target = True

    def test_remote_links_marked(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/target.txt", b"t\n")
        peer.symlink("target.txt", "pub/good-link")
        peer.symlink("missing.txt", "pub/dead-link")
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))
        want = r"good-link@ -> target\.txt" if self.want_target else r"good-link@"
        self.t.wait_for(want, 10, "the remote link is marked on %s" % self.kind)
        # A link to a name the folder lacks is marked broken; where the
        # listing names no target (pure-ftpd's MLSD) it cannot be told.
        dead = r"dead-link! -> missing\.txt" if self.want_target else r"dead-link@ "
        s = self.t.wait_check(lambda s: self.assertRegex(
            s, dead, "the broken remote link as %s lists it" % self.kind), 5)
        self.assertNotRegex(s, r"good-link!")


class VsftpdLinksTest(PeerLinks, TuiCase):
    kind = "vsftpd"


class PureFtpdLinksTest(PeerLinks, TuiCase):
    kind = "pure-ftpd"
    want_target = False     # its MLSD says "OS.unix=slink:" with no target


class OverwriteDialogTest(TuiCase):

    def test_question_shows_both_sizes_and_dates(self):
        ftptest.write_file(self.lpath("download-me.bin"), b"older local copy\n",
                           mtime=time.time() - 86400 * 3)
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 5)
        when = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86400 * 3))
        # Polled: the question's lines may come after its prompt.
        self.t.wait_for(r"existing: 17 B, %s \d\d:\d\d" % when, 5,
                        "the existing file's size and date")
        self.t.wait_for(r"new: +204803 B \(200 KB\), %s" % DATE, 5,
                        "the new file's size and date")
        self.t.keys("s")

    def test_question_in_a_folder_copy_shows_both(self):
        ftptest.write_file(self.lpath("rdir", "rdir-inner.txt"), b"older\n",
                           mtime=time.time() - 86400 * 5)
        self.start_ferry()
        self.select("remote", "rdir")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 10)
        when = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86400 * 5))
        self.t.wait_for(r"existing: 6 B, %s" % when, 5, "the existing file")
        self.t.wait_for(r"new: +6 B, %s" % DATE, 5, "the new file")
        self.t.keys("s")


class FilterCaseTest(TuiCase):

    def test_filter_folds_case_beyond_ascii(self):
        self.server.write("gr\u00fcn.txt", b"g")
        self.server.write("grau.txt", b"g")
        self.start_ferry()
        self.focus("remote")
        self.t.keys("/")
        self.t.type("GR\u00dc")
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"GR\u00dc\": 1 match", 5, "GRÜ finds grün")
        s = self.t.wait_check(lambda s: self.assertIn("gr\u00fcn.txt", s), 5)
        self.assertNotIn("grau.txt", s)


def manual_keys():
    """The KEYS section of ferry(1) as plain text (font escapes dropped,
    the arrow characters named)."""
    with open(os.path.join(config.SRCDIR, "man", "ferry.1"), encoding="utf-8") as f:
        text = f.read()
    section = text.split(".SH KEYS", 1)[1].split("\n.SH ", 1)[0]
    for esc, plain in (("\\fB", ""), ("\\fP", ""), ("\\fI", ""), ("\\-", "-"),
                       ("\\(ua", "Up"), ("\\(da", "Down"), (".B ", ""), (".TP", "")):
        section = section.replace(esc, plain)
    return section


class HelpTest(TuiCase):
    """? lists every key with what it does, and ferry(1) names each of them."""

    NEW = ("+", "-", "*", "S", "X", "Ctrl-X x", "Ctrl-X d", "Ctrl-X s", "r", "c", "t", "Esc", "Ctrl-C")

    def test_help_and_manual_list_every_key(self):
        self.start_ferry()
        self.t.keys("?")
        self.t.wait_for(r"ferry keys", 5, "? shows the keys")
        # The title may be drawn before the rows: read the settled screen.
        s = self.t.wait_stable(0.3, 3)
        # One column, or two of half the width each when one does not fit.
        names = set()
        for line in s.split("\n")[2:]:
            for col in (0, self.t.width // 2):
                cell = line[col:col + 16]
                if not cell.startswith("  "):
                    continue
                for name in cell[2:16].split(","):
                    if name.strip():
                        names.add(name.strip())
        for k in self.NEW:
            self.assertIn(k, names, "? does not list %s:\n%s" % (k, Tmux.framed(s)))
        manual = manual_keys()
        missing = [n for n in sorted(names) if not re.search(
            r"(^|[\s,])%s($|[\s,])" % re.escape(n), manual, re.M)]
        self.assertEqual(missing, [], "keys on the help screen that ferry(1) does not list")
        self.t.keys("Escape")

    def help_cells(self, width):
        """The help screen at width x 40: (key, description) of every line,
        each column read in its own width."""
        self.t.resize(width, 40)
        self.t.keys("?")
        s = self.t.wait_for(r"ferry keys", 5, "? shows the keys")
        s = self.t.wait_stable(0.3, 3)
        rows = s.rstrip("\n").split("\n")[2:]
        two = any(len(r) > width // 2 + 2 and r[width // 2:width // 2 + 2] == "  "
                  and r[width // 2 + 2:width // 2 + 3].strip() for r in rows)
        colw = width // 2 if two else width
        cells = []
        for r in rows:
            for col in ((0, colw) if two else (0,)):
                cell = r[col:col + colw - 1]
                if cell.startswith("  ") and cell[2:16].strip():
                    cells.append((cell[2:16].strip(), cell[17:].rstrip()))
        self.t.keys("Escape")
        self.t.wait_gone(r"ferry keys", 5)
        return cells, s

    def test_cut_help_lines_end_with_an_ellipsis(self):
        """A description too long for its column ends with "…"; one that
        fits is shown whole (at 120 and at 80 columns)."""
        self.start_ferry(width=240)
        full, _ = self.help_cells(240)
        full = dict(full)
        self.assertTrue(full, "no help lines read")
        for width in (120, 80):
            cells, s = self.help_cells(width)
            self.assertTrue(cells, "no help lines at %d columns" % width)
            cut = 0
            for key, desc in cells:
                whole = full.get(key)
                self.assertIsNotNone(whole, "%s at %d columns only:\n%s"
                                     % (key, width, Tmux.framed(s)))
                if desc == whole:
                    continue
                cut += 1
                self.assertTrue(desc.endswith("\u2026") and whole.startswith(desc[:-1]),
                                "at %d columns %r is cut without a mark (whole: %r):\n%s"
                                % (width, desc, whole, Tmux.framed(s)))
            if width == 80:
                self.assertGreater(cut, 0, "nothing cut at 80 columns: the test saw no cut")


if __name__ == "__main__":
    unittest.main(verbosity=2)
