"""The two-pane client on small terminals, from 80x24 down to 30x8, and
below its least size: every row stays within the width and says whole
words (what does not fit is left out whole, or cut where an ellipsis
shows it), the two panes' frames keep their columns with names of wide
characters and combining marks, a running copy's row keeps its rate and
time left, a question keeps the keys that answer it, and a terminal too
small says so on one line and comes back when it grows.

Built on test_tui.TuiCase (a ferryd with the usual fixtures, a local
folder, ferry in tmux).
"""

import os
import re
import time
import unicodedata
import unittest

import ftptest
from test_tui import TuiCase
from tuitest import Tmux

ELLIPSIS = "\u2026"
# Every key the hint line may show, whole.
HINTS = {"/filter", "ssort", "F3view", "F4edit", "F5copy", "F6rename", "F7mkdir", "F8delete",
         "F2sites", "xcancel", "rretry", "F9menu", "?help", "F10quit"}
SIZES = ((80, 24), (59, 20), (50, 16), (40, 12), (30, 8))
CJK = "\u65e5\u672c\u8a9e\u306e\u30d5\u30a1\u30a4\u30eb\u540d.txt"
COMBINING = "cafe\u0301-e\u0301te\u0301-combining.txt"
LONG = "a-rather-long-name-for-the-queue-row.bin"
LOCAL_NAME = "local-only.txt"


def columns(text):
    """The terminal columns text takes: wide characters two, combining
    marks none."""
    n = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        n += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return n


def rows_of(screen, height):
    """The screen's rows, height of them (blank ones as "")."""
    rows = screen.split("\n")
    return (rows + [""] * height)[:height]


def cut_at(line, col):
    """The part of line that takes its first col columns."""
    n = 0
    for i, c in enumerate(line):
        if n >= col and not unicodedata.combining(c):
            return line[:i]
        n += columns(c)
    return line


class SmallScreenTest(TuiCase):

    def check_fits(self, s, width, height):
        rows = s.rstrip("\n").split("\n")
        self.assertLessEqual(len(rows), height, Tmux.framed(s))
        for r in rows:
            self.assertLessEqual(columns(r), width, "a row wider than %d columns:\n%s"
                                 % (width, Tmux.framed(s)))

    def test_key_bar_shows_whole_keys_and_quit_at_every_width(self):
        """The hint line shows keys with their whole word, never one cut
        at the edge; F10 (quit) and ? (help) stay when keys must go."""
        self.start_ferry(width=80, height=24)
        for w, h in SIZES:
            self.t.resize(w, h)

            def whole(s):
                bar = rows_of(s, h)[h - 2]
                words = bar.split()
                self.assertTrue(words, Tmux.framed(s))
                for word in words:
                    self.assertIn(word, HINTS, "a key cut on the hint line at %dx%d:\n%s"
                                  % (w, h, Tmux.framed(s)))
                for must in ("F10quit", "?help", "F5copy"):
                    self.assertIn(must, words, "%s is not on the hint line at %dx%d:\n%s"
                                  % (must, w, h, Tmux.framed(s)))
                self.check_fits(s, w, h)
            self.t.wait_check(whole, 5)

    def test_frames_headings_and_footers_at_every_width(self):
        """Both panes' frames keep their columns (names of wide characters
        and combining marks included); a heading shows its side and the end
        of the path, and ends with its sort whole, the path's end or the ellipsis; a
        footer shows whole items, never one cut by the frame."""
        ftptest.write_file(self.lpath(CJK), b"cjk\n")
        ftptest.write_file(self.lpath(COMBINING), b"mark\n")
        self.start_ferry(width=80, height=24)
        for w, h in SIZES + ((250, 30),):
            self.t.resize(w, h)
            half = w // 2

            def framed(s):
                rows = rows_of(s, h)
                self.check_fits(s, w, h)
                top = rows[1].ljust(w)
                self.assertEqual((top[0], top[half - 1], top[half], top[w - 1]),
                                 ("\u250c", "\u2510", "\u250c", "\u2510"),
                                 "the frames' corners at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                for head, side in ((top[1:half - 1], "local"), (top[half + 1:w - 1], "remote")):
                    text = head.rstrip("\u2500")
                    self.assertTrue(text.startswith(side + " "), "heading %r at %dx%d:\n%s"
                                    % (text, w, h, Tmux.framed(s)))
                    self.assertRegex(text, r"(\[name\]|%s|/local| /)$" % ELLIPSIS,
                                     "a heading cut by the frame at %dx%d:\n%s"
                                     % (w, h, Tmux.framed(s)))
                for row in rows[2:]:
                    if not row.startswith("\u2502"):
                        break
                    left = cut_at(row, half)
                    self.assertEqual((columns(left), left[-1:]), (half, "\u2502"),
                                     "the left frame is not at column %d at %dx%d:\n%s"
                                     % (half - 1, w, h, Tmux.framed(s)))
                    self.assertEqual(row[len(left):len(left) + 1], "\u2502", Tmux.framed(s))
                foot = [r for r in rows if r.startswith("\u2514")]
                self.assertEqual(len(foot), 1, Tmux.framed(s))
                for part in re.split("[\u2514\u2518]+", foot[0]):
                    text = part.strip("\u2500").strip()
                    if text:
                        self.assertRegex(text, r"^\d+ items?(, [\d.]+ [KMGTP]?B free)?$",
                                         "a footer cut by the frame at %dx%d:\n%s"
                                         % (w, h, Tmux.framed(s)))
            self.t.wait_check(framed, 5)
            if w >= 50:
                self.assertIn(CJK[:3], self.t.screen())

    def test_top_and_status_lines_end_whole_or_with_the_ellipsis(self):
        """The top line keeps the host and port; it and the status line end
        with a whole word or with the ellipsis, never a word cut short."""
        self.start_ferry(width=80, height=24)
        hostport = "127.0.0.1:%d" % self.server.port
        for w, h in SIZES:
            self.t.resize(w, h)

            def whole(s):
                rows = rows_of(s, h)
                self.check_fits(s, w, h)
                self.assertIn(hostport, rows[0], Tmux.framed(s))
                self.assertRegex(rows[0].rstrip(), "(encrypted|%s)$" % ELLIPSIS,
                                 "the top line cut at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                status = rows[h - 1].rstrip()
                self.assertTrue(status.startswith("connected to"), Tmux.framed(s))
                self.assertTrue(status.endswith(ELLIPSIS) or status.endswith(")"),
                                "the status line cut at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
            self.t.wait_check(whole, 5)

    def test_running_copy_keeps_rate_and_time_left(self):
        """A running copy's row keeps its percentage, rate and time left
        and the end of its name down to 30 columns; the panel's heading
        says whole counts."""
        ftptest.write_file(self.lpath(LONG), b"q" * (6 << 20))
        self.start_ferry(width=80, height=24, args=["--limit-rate", "100K"])
        self.select("local", "rather-long")
        self.t.keys("F5")
        self.t.wait_for(r"running", 10, "the copy runs")
        for w, h in SIZES:
            self.t.resize(w, h)

            def row(s):
                self.check_fits(s, w, h)
                rows = [r for r in s.split("\n") if "B/s" in r and "%" in r]
                self.assertEqual(len(rows), 1, "no row with a rate at %dx%d:\n%s"
                                 % (w, h, Tmux.framed(s)))
                self.assertRegex(rows[0], r"\d+%% .*[\d.]+ [KMG]?B/s ETA \S+ +(%s)?\S*bin$"
                                 % ELLIPSIS, "the row at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                head = [r for r in s.split("\n") if r.lstrip().startswith("Transfers")]
                self.assertEqual(len(head), 1, Tmux.framed(s))
                self.assertRegex(head[0].rstrip(),
                                 r"(running|queued|failed|done|skipped|cancelled|total|at once)$",
                                 "the panel's heading cut at %dx%d:\n%s"
                                 % (w, h, Tmux.framed(s)))
            self.t.wait_check(row, 5)
        # Too small, then back: the copy goes on, the screen comes back.
        self.t.resize(12, 4)
        self.t.wait_for(r"too small", 5)
        self.t.resize(80, 24)
        self.t.wait_for(r"running .*B/s", 5, "the running row after the resize")
        self.t.keys("x")
        self.t.wait_for(r"cancel", 5)

    def ask_about_existing(self):
        """Copies local-only.txt onto a server file of that name: ferry
        asks what to do with it."""
        self.server.write("local-only.txt", b"other\n")
        self.start_ferry(width=80, height=24)
        self.select("local", "local-only")
        self.t.keys("F5")
        self.t.wait_for(r"local-only\.txt exists", 5)

    def skip_back_at_80x24(self):
        """Back at 80x24 the existing-target question is there again; s
        skips the copy and leaves the server's file as it was."""
        self.t.resize(80, 24)
        self.t.wait_for(r"o = overwrite", 5)
        self.t.keys("s")
        self.t.wait_for(r"skipped", 10)
        with open(self.server.path("local-only.txt"), "rb") as f:
            self.assertEqual(f.read(), b"other\n", "s replaced the file")

    def test_existing_target_question_keeps_its_answers(self):
        """On a small screen the question about a target that exists keeps
        every key that answers it, each with its word on one row."""
        self.ask_about_existing()
        for w, h in ((80, 24), (40, 12), (40, 10), (30, 8)):
            self.t.resize(w, h)

            def answers(s):
                self.check_fits(s, w, h)
                self.assertIn("local-only.txt", s, Tmux.framed(s))
                for key in ("o = overwrite", "s = skip", "r = resume", "n = rename",
                            "a = apply to all", "Esc = stop copying"):
                    self.assertIn(key, s, "%r is not on the screen at %dx%d:\n%s"
                                  % (key, w, h, Tmux.framed(s)))
            self.t.wait_check(answers, 5)
        # Too small for the keys that answer: the screen says so instead;
        # back to 80x24 the question is there again.
        self.t.resize(12, 4)
        self.t.wait_check(lambda s: self.assertEqual(s.strip(), "too small", Tmux.framed(s)), 5)
        self.skip_back_at_80x24()

    def test_existing_target_question_at_the_least_sizes(self):
        """At 30x8 and at the least size, 20x6, the question about a
        target that exists shows what it asks and every key that answers
        it with its word; the lines of detail that do not fit scroll with
        Up and Down, the question and the keys staying."""
        self.ask_about_existing()
        answers = (r"\bo =? ?overwrite\b", r"\bs =? ?skip\b", r"\br =? ?resume\b",
                   r"\bn =? ?rename\b", r"\ba =? ?(apply to )?all\b", r"\bEsc =? ?stop\b")
        for w, h in ((30, 8), (20, 6)):
            self.t.resize(w, h)

            def asked(s, details=()):
                self.check_fits(s, w, h)
                flat = " ".join(r.strip(" \u2502") for r in s.split("\n"))
                self.assertRegex(flat, r"local-only\.txt +exists\.",
                                 "the question at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                for key in answers + details:
                    self.assertRegex(flat, key, "%r is not on the screen at %dx%d:\n%s"
                                     % (key, w, h, Tmux.framed(s)))
            self.t.wait_check(asked, 5)
            self.t.wait_check(lambda s: asked(s, (r"\bexisting: *6 B\b",)), 5)
            self.t.keys("Down", "Down", "Down")
            self.t.wait_check(lambda s: asked(s, (r"\bnew: *6 B\b",)), 5)
            self.t.keys("Up", "Up", "Up")
        self.skip_back_at_80x24()

    def scroll_delete_question(self, question, first, last, downs):
        """At 30x8 and 20x6 F8 asks question (a regex over the rows
        joined) with the keys that answer it: first shows and last not;
        Down (downs times) shows last and not first, Up as often first
        again. n keeps the files at 30x8, y answers at 20x6."""
        for w, h in self.LEAST:
            self.t.resize(w, h)
            self.t.keys("F8")

            def asked(s, shown, gone):
                self.check_fits(s, w, h)
                flat = " ".join(r.strip(" \u2502") for r in s.split("\n"))
                self.assertRegex(flat, question, Tmux.framed(s))
                self.assertRegex(flat, r"\by = yes, n / +Enter +/ Esc = no\b", Tmux.framed(s))
                self.assertIn(shown, flat.replace(" ", ""), Tmux.framed(s))
                self.assertNotIn(gone, flat.replace(" ", ""), Tmux.framed(s))
            self.t.wait_check(lambda s: asked(s, first, last), 5)
            self.t.keys(*["Down"] * downs)
            self.t.wait_check(lambda s: asked(s, last, first), 5)
            self.t.keys(*["Up"] * downs)
            self.t.wait_check(lambda s: asked(s, first, last), 5)
            if (w, h) != self.LEAST[-1]:
                self.t.keys("n")
                self.t.wait_for(r"nothing deleted", 5)
        self.t.keys("y")

    def test_delete_question_scrolls_its_names_at_the_least_sizes(self):
        """F8 on several tagged files with long names at 30x8 and 20x6:
        the question and the keys that answer it show, the names that do
        not fit scroll into view with Down (the last one too) and back
        with Up, and y still deletes them all."""
        names = ["doomed-%d-with-a-rather-long-name.txt" % i for i in range(1, 6)]
        for n in names:
            self.server.write(n, b"doomed\n")
        self.start_ferry(width=80, height=24)
        self.focus("remote")
        self.t.keys("+")
        self.t.wait_for(self.prompt_line("tag the names matching"), 5)
        self.t.type("doomed-*")
        self.t.keys("Enter")
        self.t.wait_for(r"5 tagged", 5)
        self.scroll_delete_question(r"Delete 5 tagged +entries\?", "doomed-1-", "doomed-5-", 4)
        self.wait_disk(lambda: not any(os.path.exists(self.server.path(n)) for n in names),
                       10, "y did not delete every tagged file")
        self.t.resize(80, 24)
        self.t.wait_for(r"keep-me\.txt", 5)
        self.assertTrue(os.path.exists(self.server.path("keep-me.txt")),
                        "an untagged file was deleted")

    def test_delete_question_longer_than_the_box_scrolls(self):
        """F8 on one file whose name makes the question longer than a box
        at 30x8 and 20x6 holds: its first row and the keys stay, the rest
        of the question scrolls with Down to its end and back with Up,
        and y deletes the file."""
        name = ("a-file-whose-name-is-far-too-long-for-a-small-screen-" + "x" * 50
                + "-0123456789.txt")
        self.server.write(name, b"doomed\n")
        self.start_ferry(width=80, height=24)
        self.select("remote", "0123456789.txt")
        self.scroll_delete_question(r"\bDelete\b", "a-file-", ".txt?", 8)
        self.wait_disk(lambda: not os.path.exists(self.server.path(name)), 10,
                       "y did not delete the file")

    def test_too_small_says_so_on_one_row_and_comes_back(self):
        """Below 20x6 one row says the terminal is too small, in whole
        words; the screen comes back when it grows."""
        self.start_ferry(width=80, height=24)
        for w, h in ((19, 5), (60, 5), (12, 3)):
            self.t.resize(w, h)

            def small(s):
                rows = [r for r in s.split("\n") if r.strip()]
                self.assertEqual(len(rows), 1, Tmux.framed(s))
                self.assertRegex(rows[0].strip(), r"^(ferry: )?(terminal )?too small( \(.*\))?$",
                                 "at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
            self.t.wait_check(small, 5)
        self.t.resize(80, 24)
        self.t.wait_for(lambda s: "local-only" in s and "remote-only" in s, 5,
                        "both panes back at 80x24")

    def test_help_title_is_whole(self):
        """The help screen's first row is whole on a narrow screen."""
        self.start_ferry(width=80, height=24)
        self.t.keys("?")
        self.t.wait_for(r"ferry keys", 5)
        for w, h in ((59, 20), (40, 12), (30, 8)):
            self.t.resize(w, h)

            def title(s):
                top = rows_of(s, h)[0].rstrip()
                self.assertRegex(top, r"^ferry keys( \(.*\))?$", "at %dx%d:\n%s"
                                 % (w, h, Tmux.framed(s)))
                self.check_fits(s, w, h)
            self.t.wait_check(title, 5)
        self.t.keys("Escape")

    def flat(self, rows):
        """The words of rows, one blank between them, frames left out."""
        return " ".join(" ".join(rows).replace("\u2502", " ").split())

    def test_help_wraps_at_30_columns(self):
        """At 30 columns the help screen wraps each description instead of
        cutting it, says the keys that scroll and close it, and scrolls to
        its last key."""
        self.start_ferry(width=80, height=24)
        self.t.resize(30, 20)
        self.t.keys("?")
        self.t.wait_for(r"ferry keys", 5)

        def wrapped(s):
            self.check_fits(s, 30, 20)
            rows = rows_of(s, 20)
            self.assertRegex(self.flat(rows[:2]), r"\bUp\b.*\bDown\b.*\bscroll\b.*\bclose",
                             "the keys that scroll and close:\n" + Tmux.framed(s))
            for r in rows[2:]:
                self.assertNotIn(ELLIPSIS, r, "a description cut at 30 columns:\n"
                                 + Tmux.framed(s))
            for text in ("move up one entry", "open the directory under the cursor",
                         "go to the parent directory"):
                self.assertIn(text, self.flat(rows[2:]), "at 30 columns:\n" + Tmux.framed(s))
        self.t.wait_check(wrapped, 5)
        for _ in range(60):
            if "show this help" in self.flat(rows_of(self.t.screen(), 20)):
                break
            self.t.keys("PgDn")
            time.sleep(0.05)
        self.t.wait_check(lambda s: self.assertIn("?, F1 show this help", self.flat(
            rows_of(s, 20)), "the help's last key at 30 columns:\n" + Tmux.framed(s)), 5)
        # At the least size the keys that scroll and close it stay whole.
        self.t.resize(20, 6)

        def least(s):
            self.check_fits(s, 20, 6)
            keys = self.flat(rows_of(s, 6)[:2])
            self.assertRegex(keys, r"\bUp\b.*\bDown\b.*\bEsc close", Tmux.framed(s))
            self.assertNotIn(ELLIPSIS, keys, Tmux.framed(s))
        self.t.wait_check(least, 5)
        self.t.keys("Escape")
        self.t.wait_gone(r"ferry keys", 5)

    def test_menu_readable_at_30_columns_and_at_the_least_size(self):
        """At 30 columns the menu shows the whole description of the entry
        under the cursor and the keys that run it and close it; at 20x6 it
        still shows (its title and entries) and Esc closes it."""
        self.start_ferry(width=80, height=24)
        self.t.resize(30, 12)
        self.t.keys("F9")

        def whole(text):
            def check(s):
                self.check_fits(s, 30, 12)
                flat = self.flat(rows_of(s, 12))
                self.assertRegex(flat, r"\bMenu\b", Tmux.framed(s))
                self.assertRegex(flat, r"\bEnter\b.*\bEsc\b", "the keys of the menu:\n"
                                 + Tmux.framed(s))
                self.assertIn(text, flat, "at 30 columns:\n" + Tmux.framed(s))
            return check
        self.t.wait_check(whole("open the directory under the cursor"), 5)
        self.t.keys("Down")
        self.t.wait_check(whole("go to the parent directory"), 5)
        self.t.resize(20, 6)

        def least(s):
            self.check_fits(s, 20, 6)
            self.assertRegex(self.flat(rows_of(s, 6)), r"\bMenu\b.*\bBackspace\b",
                             "the menu at 20x6:\n" + Tmux.framed(s))
        self.t.wait_check(least, 5)
        self.t.keys("Escape")
        self.t.wait_gone(r"\bMenu\b", 5)
        self.t.resize(80, 24)
        self.t.wait_for(lambda s: "local-only" in s and "remote-only" in s, 5)

    LEAST = ((30, 8), (20, 6))

    def test_viewer_and_log_at_the_least_sizes(self):
        """The file viewer and the log view at 30x8 and 20x6: the title
        starts the top row with its first word whole and the rows shown,
        the text follows, and the bottom row says how to close it."""
        self.server.write("notes.txt", b"".join(b"line %d of the notes\n" % i
                                                for i in range(1, 301)))
        self.start_ferry(width=80, height=24)
        self.select("remote", "notes.txt")
        for key, title, body in (("F3", r"notes\.txt", "line 1 of the notes"),
                                 ("L", r"log:", r"\d\d:\d\d:\d\d")):
            self.t.keys(key)
            self.t.wait_for(r"rows \d+-\d+ of \d+", 10, "the view opens")
            for w, h in self.LEAST:
                self.t.resize(w, h)

                def shown(s):
                    self.check_fits(s, w, h)
                    rows = rows_of(s, h)
                    self.assertRegex(rows[0], r"^%s(\s|%s|$)" % (title, ELLIPSIS),
                                     "the title at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                    self.assertRegex(rows[0], r"\d+-\d+", "the rows shown at %dx%d:\n%s"
                                     % (w, h, Tmux.framed(s)))
                    self.assertRegex(rows[1], body, Tmux.framed(s))
                    self.assertRegex(rows[h - 1], r"\bq( Esc)?( F3)? close\b",
                                     "the way out at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
                self.t.wait_check(shown, 5)
            self.t.resize(80, 24)
            self.t.keys("q")
            self.t.wait_gone(r"rows \d+-\d+ of \d+", 5, "q closes the view")

    def test_viewer_wraps_long_rows_at_the_least_sizes(self):
        """At 30x8 and 20x6 a long row of the viewer wraps at the screen's
        width, Down moving a screen row, End showing the last line on the
        last row; w cuts the rows, Right then shows the ellipsis at the
        left, and the bottom row still says how to close the viewer."""
        long_row = "begin " + " ".join("word%03d" % i for i in range(1, 21)) + " finish"
        self.server.write("long.txt", ("line 1\n%s\n" % long_row).encode()
                          + b"".join(b"line %d\n" % i for i in range(3, 41)))
        self.start_ferry(width=80, height=24)
        self.select("remote", "long.txt")
        self.t.keys("F3")
        self.t.wait_for(r"rows \d+-\d+ of 40", 10, "the viewer opens")
        for w, h in self.LEAST:
            self.t.resize(w, h)
            self.t.keys("Home")

            def top(s, first, second, bottom=r"\bq( Esc)?( F3)? close\b"):
                self.check_fits(s, w, h)
                rows = rows_of(s, h)
                self.assertEqual(rows[1], first, Tmux.framed(s))
                self.assertEqual(rows[2], second, Tmux.framed(s))
                self.assertRegex(rows[h - 1], bottom, Tmux.framed(s))
            part = [long_row[k:k + w].rstrip() for k in range(0, len(long_row), w)]
            self.t.wait_check(lambda s: top(s, "line 1", part[0]), 5)
            self.t.keys("Down")
            self.t.wait_check(lambda s: top(s, part[0], part[1]), 5)
            self.t.keys("Down")
            self.t.wait_check(lambda s: top(s, part[1], part[2]), 5)
            self.t.keys("End")
            self.t.wait_check(lambda s: self.assertEqual(rows_of(s, h)[h - 2], "line 40",
                                                         Tmux.framed(s)), 5)
            self.t.keys("Home", "w", "Right")
            self.t.wait_check(lambda s: top(s, ELLIPSIS, ELLIPSIS + long_row[w // 2 + 1:w // 2 + w - 1]
                                            + ELLIPSIS), 5)
            self.t.keys("w")
            self.t.wait_check(lambda s: top(s, "line 1", part[0], r"^long rows wrap"), 5)
        self.t.resize(80, 24)
        self.t.keys("q")
        self.t.wait_gone(r"rows \d+-\d+ of 40", 5, "q closes the viewer")

    def test_compare_says_what_it_found_at_the_least_sizes(self):
        """After Ctrl-X d at 30x8 and 20x6 the status line says what the
        comparison found in whole words, the tagged count not crowding it
        out."""
        self.start_ferry(width=80, height=24)
        self.t.keys("C-x")
        self.t.wait_for(r"Ctrl-X: d compare", 5)
        self.t.keys("d")
        self.t.wait_for(r"compare: left \d+ missing", 5)
        for w, h in self.LEAST:
            self.t.resize(w, h)

            def found(s):
                self.check_fits(s, w, h)
                status = rows_of(s, h)[h - 1]
                self.assertRegex(status, r"^compare: \d+ (left|L), \d+ (right|R)\b",
                                 "the status line at %dx%d:\n%s" % (w, h, Tmux.framed(s)))
            self.t.wait_check(found, 5)
        self.t.resize(120, 24)
        self.t.wait_for(r"compare: left \d+ missing on the right, \d+ newer, \d+ differ; "
                        r"right \d+ missing", 5, "the whole message on a wide line")

    def status_at(self, sizes, pattern, what):
        """Resizes to each of sizes (width, height, pattern or None for
        pattern) and waits for the status line to match its pattern."""
        for w, h, own in sizes:
            self.t.resize(w, h)

            def said(s):
                self.check_fits(s, w, h)
                status = rows_of(s, h)[h - 1].rstrip()
                self.assertRegex(status, own or pattern, "%s at %dx%d:\n%s"
                                 % (what, w, h, Tmux.framed(s)))
            self.t.wait_check(said, 5)

    def test_queue_counts_in_whole_words_at_30_and_40_columns(self):
        """The counts of a queue that ended, after a failed download and
        after a delete that worked, are whole words at 40 and 30 columns
        (said shorter at 30), never a word of them cut."""
        os.chmod(self.rpath("download-me.bin"), 0)
        self.start_ferry(width=80, height=24)
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(r"queue finished: 0 done, 1 failed; \S", 10, "the download fails")
        self.status_at(((40, 12, r"^queue finished: 0 done, 1 failed(; .*%s)?$" % ELLIPSIS),
                        (30, 8, r"^finished: 0 done, 1 failed$")), None,
                       "the counts after a failure")
        self.t.resize(80, 24)
        self.clear_filter()
        self.select("local", LOCAL_NAME)
        self.t.keys("F8")
        self.t.wait_for(r"(?i)delete .*%s" % LOCAL_NAME, 5, "F8 asks")
        self.t.keys("y")
        self.t.wait_for(r"queue finished: 1 done, 1 failed", 10, "the delete ends")
        self.status_at(((40, 12, None), (30, 8, r"^finished: 1 done, 1 failed$")),
                       r"^queue finished: 1 done, 1 failed$", "the counts after a delete")

    def test_messages_in_whole_words_at_30_columns(self):
        """Started without an address, ferry says there is no connection
        in whole words at 30 columns, and so does an action that needs
        one (f in the remote pane, which is active at the start); so does
        P given a number out of range."""
        self.start_ferry(url="", width=80, height=24, wait=False)
        self.t.wait_for(r"Esc close", 10, "the site manager opens")
        self.t.keys("Escape")
        self.t.wait_for(LOCAL_NAME, 5, "the local pane")
        self.t.keys("f")
        self.t.wait_for(r"not connected: press F2 to connect", 5, "f says why not")
        self.status_at(((40, 12, r"^not connected: press F2 to connect$"),
                        (30, 8, r"^not connected: F2 connects$")), None, "no connection")
        self.t.resize(80, 24)
        self.t.keys("P")
        self.t.wait_for(r"Transfers at once", 5, "P asks")
        self.t.keys("C-u")
        self.t.type("99")
        self.t.keys("Enter")
        self.t.wait_for(r"transfers at once: give a number from 1 to 8", 5, "P says why not")
        self.status_at(((40, 12, None), (30, 8, None)), r"^give a number from 1 to 8$",
                       "a bad number")

    def test_menu_and_site_manager_say_whole_words(self):
        """The menu's title and the site manager's keys are whole words on
        a narrow screen (a shorter form of them, not one cut)."""
        self.start_ferry(width=80, height=24)
        self.t.resize(30, 10)
        self.t.keys("F9")

        def menu(s):
            self.assertRegex(s, "\u250c\u2500 Menu( \\(Enter runs, Esc closes\\))? \u2500",
                             "the menu's title at 30x10:\n" + Tmux.framed(s))
            self.check_fits(s, 30, 10)
        self.t.wait_check(menu, 5)
        self.t.keys("Escape")
        self.t.resize(40, 14)
        self.t.keys("F2")
        keys = ("Enter connect  a add  e edit  d delete  s save as a site  Esc close",
                "Enter connect  a add  e edit  d delete  s save  Esc close",
                "Enter  a add  e edit  d delete  s save  Esc",
                "a add  e edit  d del  s save", "Enter a e d s Esc")

        def sites(s):
            rows = [r for r in s.split("\n") if re.search(r"\ba add\b|\bEnter a e\b", r)]
            self.assertEqual(len(rows), 1, "no keys in the site manager at 40x14:\n"
                             + Tmux.framed(s))
            inside = rows[0].strip(" \u2502")
            self.assertIn(inside, keys, "the site manager's keys at 40x14:\n" + Tmux.framed(s))
            self.check_fits(s, 40, 14)
        self.t.wait_check(sites, 5)
        self.t.keys("Escape")


if __name__ == "__main__":
    unittest.main()
