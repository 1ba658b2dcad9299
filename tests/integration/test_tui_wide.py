"""Names of wide characters (CJK: two columns and three bytes each) in the
two-pane client's questions and viewer: what fits on the screen is shown
whole, never cut by its byte count (a delete question naming a file cut
short names another file).

Built on test_tui.TuiCase (a ferryd with the usual fixtures, a local
folder, ferry in tmux).
"""

import os
import re
import unicodedata
import unittest

import ftptest
from test_tui import TuiCase
from tuitest import Tmux

# 40 wide characters (80 columns, 120 bytes) and ".txt".
LONG = "\u9577" * 36 + "\u672b\u5c3e\u3067\u3059.txt"
SHORT = "\u65e5\u672c\u8a9e\u306e\u30d5\u30a1\u30a4\u30eb\u540d\u524d.txt"


class WideQuestionTest(TuiCase):

    def ask_delete(self, name, mark, size=None):
        """Puts the local pane's cursor on name (filtered by mark), with
        the screen resized to size (width, height) when given, and
        presses F8; returns the screen once the question shows."""
        self.focus("local")
        if size:
            self.t.resize(*size)
        self.t.keys("/")
        self.t.type(mark)
        self.t.keys("Enter")
        self.t.wait_for(r'filter "%s"' % mark, 5)
        self.t.keys("F8")
        return self.t.wait_for(lambda s: s if "Delete " in s else None, 5,
                               "F8 asks before deleting %s" % name)

    def check_whole(self, name):
        def whole(s):
            self.assertIn("Delete %s?" % name, s,
                          "the question does not show the name whole:\n" + Tmux.framed(s))
        self.t.wait_check(whole, 5)
        self.t.keys("n")
        self.t.wait_for(r"nothing deleted|not deleted|kept", 5, "n keeps the file")
        self.assertTrue(os.path.exists(self.lpath(name)))
        self.clear_filter()

    def test_delete_question_shows_a_long_wide_name_whole(self):
        ftptest.write_file(self.lpath(LONG), b"long\n")
        self.start_ferry()
        self.ask_delete(LONG, "\u672b\u5c3e")
        self.check_whole(LONG)

    def test_delete_question_on_a_narrow_screen(self):
        ftptest.write_file(self.lpath(SHORT), b"short\n")
        self.start_ferry()
        self.ask_delete(SHORT, "\u540d\u524d", (40, 16))
        self.check_whole(SHORT)

    def test_question_box_is_as_wide_as_its_text_in_columns(self):
        """The box around a question fits its widest line by the columns
        it takes (one blank, then the frame), not by its bytes."""
        ftptest.write_file(self.lpath(SHORT), b"short\n")
        self.start_ferry()
        self.ask_delete(SHORT, "\u540d\u524d")

        def hugs(s):
            self.assertRegex(s, re.escape("Delete %s? \u2502" % SHORT),
                             "the box is not as wide as the question:\n" + Tmux.framed(s))
        self.t.wait_check(hugs, 5)
        self.t.keys("n")


class WideViewerTest(TuiCase):

    def test_viewer_title_of_a_wide_name(self):
        """The viewer's title line is cut by columns: a name of wide
        characters leaves room for the rows shown, and on a narrow screen
        is cut with the ellipsis, never in the middle of a character."""
        ftptest.write_file(self.lpath(LONG), b"one row\n")
        self.start_ferry(env={"PAGER": ""})
        filter_local(self, "\u672b\u5c3e")
        self.t.keys("F3")
        self.t.wait_for("one row", 5, "the built-in viewer")

        def titled(s):
            top = s.split("\n")[0]
            self.assertIn(LONG, top, "the name is not whole:\n" + Tmux.framed(s))
            self.assertRegex(top, r"text\s+rows 1-1 of 1\s*$",
                             "the title line lost its rows:\n" + Tmux.framed(s))
        self.t.wait_check(titled, 5)
        self.t.resize(60, 20)

        def cut(s):
            top = s.split("\n")[0]
            self.assertRegex(top, "\u9577\u2026 +text +rows 1-1 of 1\\s*$",
                             "the name is not cut by columns before the rows:\n"
                             + Tmux.framed(s))
            self.assertLessEqual(columns(top.rstrip()), 60, top)
        self.t.wait_check(cut, 5)
        self.t.keys("q")

    def test_viewer_rows_use_the_screen_width(self):
        """A row of wide characters that fits the 120 columns is shown
        whole; one wider fills the screen's width and wraps onto the next
        row, or with w is cut at the screen's edge and ends with the
        ellipsis."""
        fits = "\u5b57" * 55 + "END"           # 113 columns
        wider = "\u6f22" * 60 + "TAIL"         # 124 columns
        ftptest.write_file(self.lpath("wide.txt"), (fits + "\n" + wider + "\n").encode())
        self.start_ferry(env={"PAGER": ""})
        self.select("local", "wide.txt")
        self.t.keys("F3")
        self.t.wait_for(r"wide\.txt\s+text", 5, "the built-in viewer")

        def rows(s):
            lines = s.split("\n")
            self.assertIn(fits, lines, "a row that fits the screen is not shown whole:\n"
                          + Tmux.framed(s))
            self.assertEqual(lines[2:4], ["\u6f22" * 60, "TAIL"],
                             "a row wider than the screen does not fill it and wrap:\n"
                             + Tmux.framed(s))
        self.t.wait_check(rows, 5)
        self.t.keys("w")

        def cut(s):
            lines = s.split("\n")
            self.assertIn(fits, lines, Tmux.framed(s))
            self.assertEqual(lines[2], "\u6f22" * 59 + "\u2026",
                             "a row wider than the screen does not fill it up to an "
                             "ellipsis:\n" + Tmux.framed(s))
            self.assertNotIn("TAIL", s, Tmux.framed(s))
        self.t.wait_check(cut, 5)
        self.t.keys("q")


def filter_local(case, text):
    """Filters the local pane of a TuiCase by text (its cursor on the
    first match)."""
    case.focus("local")
    case.t.keys("/")
    case.t.type(text)
    case.t.keys("Enter")
    case.t.wait_for(r'filter "%s"' % re.escape(text), 5)


def columns(text):
    """The terminal columns text takes (wide characters two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class WideSiteTest(TuiCase):

    def test_site_manager_columns_line_up_after_a_wide_name(self):
        """The URL column starts at the same column after a site name of
        wide characters as after one of ASCII letters."""
        sites = os.path.join(self.home, ".config", "ferry", "sites")
        os.makedirs(os.path.dirname(sites), exist_ok=True)
        ftptest.write_file(sites, ("[\u6771\u4eac\u306e\u30b5\u30fc\u30d0\u30fc]\n"
                                   "url = ftp://127.0.0.1:%d/\n[plain]\n"
                                   "url = ftp://127.0.0.1:%d/\n"
                                   % (self.server.port, self.server.port)).encode(), mode=0o600)
        self.start_ferry()
        self.t.keys("F2")
        self.t.wait_for(r"New connection", 5, "F2 opens the site manager")

        def aligned(s):
            at = {}
            for line in s.split("\n"):
                for name in ("\u6771\u4eac", "plain"):
                    if "site    " + name in line and "ftp://" in line:
                        at[name] = columns(line[:line.index("ftp://")])
            self.assertEqual(len(at), 2, "both sites listed:\n" + Tmux.framed(s))
            self.assertEqual(at["\u6771\u4eac"], at["plain"],
                             "the URL column does not line up after a wide name:\n"
                             + Tmux.framed(s))
        self.t.wait_check(aligned, 5)
        self.t.keys("Escape")


class WideKeyNameTest(TuiCase):

    def test_help_lines_up_keys_file_keys_of_one_and_two_columns(self):
        """A key of the keys file named by a character of two bytes and one
        column, or of three bytes and two columns, is padded by columns on
        the help screen: its description starts in the same column as a
        built-in key's."""
        keys = os.path.join(self.home, ".config", "ferry", "keys")
        os.makedirs(os.path.dirname(keys), exist_ok=True)
        ftptest.write_file(keys, "\u00e9 tag\n\u6f22 view\n".encode())
        self.start_ferry()
        self.t.keys("?")
        self.t.wait_for(r"view \(keys file\)", 5, "? lists the keys file's keys")

        def gap(line, key, what):
            """Columns from the start of key to the start of what."""
            return columns(line[line.index(key):line.index(what)])

        def aligned(s):
            lines = s.split("\n")
            builtin = [gap(l, "?, F1", "show this help") for l in lines if "show this help" in l]
            self.assertEqual(len(builtin), 1, Tmux.framed(s))
            for key, what in (("\u00e9 ", "tag (keys file)"), ("\u6f22 ", "view (keys file)")):
                line = [l for l in lines if what in l]
                self.assertEqual(len(line), 1, Tmux.framed(s))
                self.assertEqual(gap(line[0], key, what), builtin[0],
                                 "the description of %s does not line up:\n%s"
                                 % (key, Tmux.framed(s)))
        self.t.wait_check(aligned, 5)
        self.t.keys("Escape")


class WideQueueTest(TuiCase):

    def test_running_row_shows_the_end_of_a_long_wide_name_on_80_columns(self):
        """On 80 columns a running copy's row still shows its rate, its
        time left and the end of its name: the bar gives way, and a name
        too long is cut at its start (by columns, after an ellipsis), not
        at the screen's edge."""
        name = b"\xff-" + ("\u6f22" * 40 + "\U0001F600end.txt").encode()
        ftptest.write_file(os.path.join(self.local.encode(), name), b"q" * (4 << 20))
        self.start_ferry(width=80, height=24, args=["--limit-rate", "200K"])
        filter_local(self, "end.txt")
        self.t.keys("F5")

        def row(s):
            rows = [l for l in s.split("\n") if l.startswith("running")]
            self.assertEqual(len(rows), 1, Tmux.framed(s))
            self.assertRegex(rows[0], r"/s ETA \S+ +\u2026.*\u6f22\U0001F600end\.txt$",
                             "the row does not end with the name's end:\n" + Tmux.framed(s))
            self.assertLessEqual(columns(rows[0]), 80, rows[0])
        self.t.wait_check(row, 10)
        self.t.keys("x")
        self.t.wait_for(r"cancel", 5)


if __name__ == "__main__":
    unittest.main()
