"""Viewing and editing files from the two-pane screen, and their facts:
F3 (the built-in viewer with its search, a binary file as hex, $PAGER),
F4 ($EDITOR on a local file; on a remote one: fetched, edited, uploaded
back, asking when the server's copy changed meanwhile; nothing uploaded
when the editor changed nothing), temporary copies removed, and `i`
(file info: MLST facts and STAT remotely, lstat locally). On ferryd,
vsftpd and pure-ftpd.

Built on test_tui.TuiCase; $EDITOR and $PAGER are small shell scripts
written by each test, TMPDIR a folder of the test's own.
"""

import os
import statistics
import time
import unittest

import ftptest
import peers
import tuitest
from test_tui import TuiCase, REMOTE_MARK, DOWNLOAD, UPLOAD
from tuitest import Tmux
from test_tui_small import ELLIPSIS, columns, cut_at, rows_of

TEXT = b"".join(b"line %d of the notes\n" % i for i in range(1, 301))
TEXT = TEXT.replace(b"line 250 of the notes", b"line 250 has the needle")

# Long rows: one of words, one of wide characters with combining marks,
# one with a word far to the right, amid short ones.
LONG_WORDS = "begin " + " ".join("word%03d" % i for i in range(1, 41)) + " finish"
LONG_WIDE = "\u65e5\u672c\u8a9e" * 30 + "e\u0301" * 10 + "tail"
FAR = "line 150 " + "x" * 200 + " needle-here"
LONG_TEXT = "".join(
    (LONG_WORDS if i == 2 else LONG_WIDE if i == 3 else FAR if i == 150 else
     "line 1 short" if i == 1 else "line %d" % i) + "\n" for i in range(1, 201)).encode()


class ViewCase(TuiCase):

    def setUp(self):
        super().setUp()
        self.tmp = os.path.join(self.base, "tmp")
        os.makedirs(self.tmp)

    def script(self, name, body):
        path = os.path.join(self.base, name)
        ftptest.write_file(path, ("#!/bin/sh\n" + body).encode(), mode=0o755)
        return path

    def start(self, url=None, **env):
        env.setdefault("PAGER", "")
        env.setdefault("EDITOR", "false")
        env["TMPDIR"] = self.tmp
        self.start_ferry(url=url, env=env)

    def assert_no_temporaries(self):
        self.wait_disk(lambda: os.listdir(self.tmp) == [], 5,
                       "temporary copies left: %s" % os.listdir(self.tmp))


class ViewTest(ViewCase):

    def test_view_remote_text_and_search(self):
        self.server.write("notes.txt", TEXT)
        self.start()
        self.select("remote", "notes.txt")
        self.t.keys("F3")
        self.t.wait_for(r"notes\.txt +text +rows 1-\d+ of 300", 10, "the viewer's top line")
        # Polled: the text may be drawn after the top line.
        s = self.t.wait_for(lambda s: s if "line 1 of the notes" in s else None, 5,
                            "the file's first line")
        self.assertNotIn("needle", s)
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("needle")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"needle\" on row 250", 5, "the search moves to the match")
        self.t.wait_for(r"line 250 has the needle", 5, "the match is shown")
        self.t.keys("n")
        self.t.wait_for(r"found \"needle\" on row 250 \(from the start\)", 5, "n wraps around")
        self.t.keys("q")
        self.t.wait_gone(r"rows \d+-\d+ of 300", 5, "q closes the viewer")
        self.assert_no_temporaries()

    def test_long_search_text_cut_between_characters(self):
        # 67 wide characters are 201 bytes of UTF-8: the note quoting the
        # search text keeps whole characters, never half of one.
        self.server.write("notes.txt", TEXT)
        self.start_ferry(width=200, env={"PAGER": "", "EDITOR": "false", "TMPDIR": self.tmp})
        self.select("remote", "notes.txt")
        self.t.keys("F3")
        self.t.wait_for(r"notes\.txt +text +rows 1-\d+ of 300", 10, "the viewer's top line")
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("\u754c" * 67)
        self.t.keys("Enter")
        self.t.wait_for(r"\" not found", 5, "the search's note")
        note = [r for r in self.t.screen().splitlines() if "not found" in r][0]
        self.assertIn("\"" + "\u754c" * 66 + "\" not found", note,
                      "the note quotes whole characters")
        self.assertNotIn("?", note)

    def test_view_binary_as_hex(self):
        self.server.write("blob.bin", bytes(range(256)) * 4)
        self.start()
        self.select("remote", "blob.bin")
        self.t.keys("F3")
        self.t.wait_for(r"blob\.bin +hex +rows 1-\d+ of 64", 10)
        s = self.t.wait_for(lambda s: s if "|@ABCDEFGHIJKLMNO|" in s else None, 5,
                            "the dump's rows")
        self.assertIn("00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |........"
                      "........|", s)
        self.assertIn("00000040  40 41 42 43", s)
        self.assertIn("|@ABCDEFGHIJKLMNO|", s)
        self.t.keys("Esc")
        self.t.wait_gone(r"rows \d+-\d+ of 64", 5)
        self.assert_no_temporaries()

    def test_utf8_cut_by_the_sniff_window_is_text(self):
        # Byte 65536, where the look at the start ends, falls inside a
        # three-byte character; the file goes on well past it.
        line = "\u65e5" * 20 + "\n"
        data = (line * 17000).encode()
        self.assertEqual(data[65536] & 0xc0, 0x80)
        self.server.write("kanji.txt", data)
        self.start()
        self.select("remote", "kanji.txt")
        self.t.keys("F3")
        self.t.wait_for(r"kanji\.txt +text +rows 1-\d+ of 17000", 10, "shown as text")
        self.t.wait_for(lambda s: s if line.strip() in s else None, 5, "the characters")
        self.t.keys("q")
        self.t.wait_gone(r"rows \d+-\d+ of 17000", 5)

    def test_view_local_with_pager(self):
        out = os.path.join(self.base, "paged.out")
        pager = self.script("pager", 'cat "$1" > %s\n' % out)
        self.start(PAGER=pager)
        self.select("local", "local-only.txt")
        self.t.keys("F3")
        self.wait_disk(lambda: os.path.exists(out) and ftptest.read_file(out) == b"local\n",
                       5, "$PAGER got the file")
        self.assertAlive("after the pager")


class WrapTest(ViewCase):
    """Long rows in the viewer and the log: wrapped by columns (whole
    characters, wide ones two columns, combining marks with theirs), the
    arrows and pages moving by screen rows; w and F2 cut them instead,
    Left and Right then scrolling sideways with the ellipsis on the side
    that has more."""

    W, H = 59, 20

    def text_rows(self, s):
        """The rows between the top line and the keys."""
        return rows_of(s, self.H)[1:self.H - 1]

    def check_fits(self, s):
        for r in s.split("\n"):
            self.assertLessEqual(columns(r), self.W, "a row wider than the screen:\n%s"
                                 % Tmux.framed(s))

    def open_long(self):
        self.server.write("long.txt", LONG_TEXT)
        self.start_ferry(width=self.W, height=self.H,
                         env={"PAGER": "", "EDITOR": "false", "TMPDIR": self.tmp})
        self.select("remote", "long.txt")
        self.t.keys("F3")
        self.t.wait_for(r"rows 1-\d+ of 200", 10, "the viewer's top line")

    def span(self, rows, first, last):
        """The rows from the one starting with first to the one ending
        with last."""
        i = [k for k, r in enumerate(rows) if r.startswith(first)]
        self.assertTrue(i, "no row starts with %r" % first)
        j = [k for k in range(i[0], len(rows)) if rows[k].endswith(last)]
        self.assertTrue(j, "no row ends with %r" % last)
        return rows[i[0]:j[0] + 1]

    def test_long_rows_wrap_whole_characters(self):
        self.open_long()

        def wrapped(s):
            self.check_fits(s)
            rows = self.text_rows(s)
            self.assertEqual(rows[0], "line 1 short", Tmux.framed(s))
            words = self.span(rows, "begin", "finish")
            # Blanks at a row's end are not captured: compared without them.
            self.assertEqual("".join(words).replace(" ", ""), LONG_WORDS.replace(" ", ""),
                             Tmux.framed(s))
            self.assertEqual(len(words), 6, Tmux.framed(s))
            wide = self.span(rows[1 + len(words):], "\u65e5", "tail")
            self.assertEqual("".join(wide), LONG_WIDE, Tmux.framed(s))
            # 29 wide characters fill 58 of the 59 columns: none is split.
            self.assertEqual(wide[0], "\u65e5\u672c\u8a9e" * 9 + "\u65e5\u672c",
                             Tmux.framed(s))
        rows = self.text_rows(self.t.wait_check(wrapped, 5))
        # Down moves a screen row: to the long row's start, then its second part.
        self.t.keys("Down")
        self.t.wait_check(lambda s: self.assertTrue(
            self.text_rows(s)[0].startswith("begin word001"), Tmux.framed(s)), 5)
        self.t.keys("Down")
        self.t.wait_check(lambda s: self.assertEqual(self.text_rows(s)[0], rows[2],
                                                     Tmux.framed(s)), 5)
        self.t.keys("Up")
        self.t.wait_check(lambda s: self.assertTrue(
            self.text_rows(s)[0].startswith("begin word001"), Tmux.framed(s)), 5)
        # End shows the last line on the last row; PgUp, PgDn come back to it.
        for keys in (["End"], ["PgUp", "PgUp", "PgDn", "PgDn"]):
            self.t.keys(*keys)
            self.t.wait_check(lambda s: self.assertEqual(self.text_rows(s)[-1], "line 200",
                                                         Tmux.framed(s)), 5)
        self.t.wait_for(r"rows \d+-200 of 200", 5)
        # A search lands on the part of the long row that holds the match.
        self.t.keys("Home", "/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("needle-here")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"needle-here\" on row 150", 5)
        self.t.wait_check(lambda s: self.assertIn(
            " needle-here", "\n".join(self.text_rows(s)), Tmux.framed(s)), 5)

    def test_unwrapped_rows_scroll_sideways(self):
        self.open_long()
        self.t.wait_for(r"\bfinish\b", 5, "the long row wrapped")
        self.t.wait_for(r"\bw (F2 )?unwrap\b", 5, "the keys say how to cut long rows")
        self.t.keys("w")
        self.t.wait_for(r"Left, Right scroll sideways", 5, "w says that rows are cut")

        def cut(s):
            self.check_fits(s)
            rows = self.text_rows(s)
            self.assertEqual(rows[0], "line 1 short", Tmux.framed(s))
            self.assertTrue(rows[1].startswith("begin word001"), Tmux.framed(s))
            self.assertTrue(rows[1].endswith(ELLIPSIS), Tmux.framed(s))
            self.assertTrue(rows[2].endswith(ELLIPSIS), Tmux.framed(s))
            self.assertEqual(rows[3], "line 4", Tmux.framed(s))
            self.assertNotIn("finish", s)
        self.t.wait_check(cut, 5)
        # Right once: the ellipsis on the left of each row that has text.
        self.t.keys("Right")
        self.t.wait_for(r"\bw (F2 )?wrap +Left Right\b", 5, "the keys say how to scroll")

        def right(s):
            self.check_fits(s)
            rows = self.text_rows(s)
            self.assertTrue(rows[1].startswith(ELLIPSIS + "word004 word005"), Tmux.framed(s))
            self.assertEqual(rows[0], ELLIPSIS, Tmux.framed(s))
            self.assertTrue(rows[2].startswith(ELLIPSIS), Tmux.framed(s))
            self.assertTrue(rows[2].endswith(ELLIPSIS), Tmux.framed(s))
        self.t.wait_check(right, 5)
        # Right past the end stops where the longest row shown ends.
        self.t.keys(*["Right"] * 20)

        def far_right(s):
            self.check_fits(s)
            rows = self.text_rows(s)
            self.assertTrue(rows[1].startswith(ELLIPSIS), Tmux.framed(s))
            self.assertTrue(rows[1].endswith(" finish"), Tmux.framed(s))
            self.assertEqual(rows[2], ELLIPSIS, Tmux.framed(s))
        self.t.wait_check(far_right, 5)
        self.t.keys(*["Left"] * 20)
        self.t.wait_check(cut, 5)
        # Unwrapped, a search scrolls sideways to the match.
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("needle-here")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"needle-here\" on row 150", 5)
        self.t.wait_check(lambda s: self.assertRegex(
            "\n".join(self.text_rows(s)), "(?m)^%sx+ needle-here$" % ELLIPSIS, Tmux.framed(s)), 5)
        # F2 wraps them again.
        self.t.keys("Home", "F2")
        self.t.wait_for(r"long rows wrap", 5)
        self.t.wait_for(r"\bfinish\b", 5, "the long row wrapped again")

    def test_log_wraps_and_scrolls_sideways(self):
        name = "a-name-long-enough-to-wrap-in-the-log-" + "z" * 40 + "-end.txt"
        self.server.write(name, b"short\n")
        self.start_ferry(width=self.W, height=self.H,
                         env={"PAGER": "", "EDITOR": "false", "TMPDIR": self.tmp})
        self.select("remote", "-end.txt")
        self.t.keys("F3")
        self.t.wait_for(r"rows 1-1 of 1", 10, "the viewer's top line")
        self.t.keys("q")
        self.t.wait_gone(r"rows 1-1 of 1", 5)
        self.t.keys("L")
        self.t.wait_for(r"^log:", 5, "the log")
        self.t.wait_for(r"z+-end\.txt", 5, "the name's end in the wrapped log")
        self.t.keys("w")
        self.t.wait_gone(r"z-end\.txt", 5, "the log's rows cut")
        self.t.wait_for(r"RETR /a-name-long-enough-.*%s" % ELLIPSIS, 5, "the rows cut say so")
        self.t.keys("Right")
        self.t.wait_for(r"(?m)^%s" % ELLIPSIS, 5, "Right scrolls sideways")
        # A search scrolls sideways to the match.
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("-end.txt")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"-end\.txt\"", 5)
        self.t.wait_for(r"(?m)^%s.*z-end\.txt" % ELLIPSIS, 5, "the search shows the name's end")
        self.t.keys("q")
        self.t.wait_gone(r"^log:", 5)


# One line of nearly 16 MiB (all the viewer reads), no newline: numbered
# words, every eighth after two wide characters, a word to search for near
# its end, a word at its end.
HUGE_UNITS = 1650000
HUGE_NEEDLE = HUGE_UNITS - 400
HUGE_LINE = "".join("needle-near-end " if i == HUGE_NEEDLE else
                    ("\u65e5\u672c " if i % 8 == 0 else "") + "w%07d " % i
                    for i in range(HUGE_UNITS)) + "the-end"


def huge_column(at):
    """The column where character at of HUGE_LINE starts (its wide
    characters take two)."""
    return at + HUGE_LINE.count("\u65e5", 0, at) + HUGE_LINE.count("\u672c", 0, at)


def wrap_rows(text, width):
    """text cut into rows of at most width columns, whole characters."""
    rows, start, used, known = [], 0, 0, {}
    for i, c in enumerate(text):
        w = known.get(c)
        if w is None:
            w = known[c] = columns(c)
        if used + w > width:
            rows.append(text[start:i])
            start, used = i, 0
        used += w
    rows.append(text[start:])
    return rows


class LongLineTest(ViewCase):
    """A file that is one line of megabytes: every key of the viewer is
    answered at once (timed from the key to the screen's answer), and
    what it shows is the line wrapped by whole characters: its start,
    the next rows, its last rows at End, the row of a match."""

    W, H = 59, 20

    def text_rows(self, s):
        return rows_of(s, self.H)[1:self.H - 1]

    def timed(self, timer, key, times=None):
        """Times key (to times, in ms, when given), at most CEILING_MS."""
        from test_tui_latency import CEILING_MS
        took = timer.time_key(key)
        if times is not None and took is not None:
            times.append(took * 1000)
        self.assertTrue(took is not None and took * 1000 < CEILING_MS,
                        "%s took %s ms on a line of %d bytes (limit %d ms):\n%s"
                        % (key, "no answer in 5000" if took is None else "%.0f" % (took * 1000),
                           len(HUGE_LINE.encode()), CEILING_MS, Tmux.framed(self.t.screen())))

    def shows(self, rows, what):
        def check(s):
            self.assertEqual([r.rstrip() for r in self.text_rows(s)],
                             [r.rstrip() for r in rows], "%s:\n%s" % (what, Tmux.framed(s)))
        self.t.wait_check(check, 5)

    def test_keys_answer_at_once_on_a_line_of_megabytes(self):
        ftptest.write_file(self.lpath("huge.txt"), HUGE_LINE.encode())
        wrapped = wrap_rows(HUGE_LINE, self.W)
        page = self.H - 2
        self.start_ferry(width=self.W, height=self.H,
                         env={"PAGER": "", "EDITOR": "false", "TMPDIR": self.tmp})
        self.select("local", "huge.txt")
        self.t.wait_stable(0.3, 3)
        timer = tuitest.KeyTimer(self.t)
        self.addCleanup(timer.close)
        self.timed(timer, "F3")
        self.t.wait_for(r"rows 1-1 of 1", 10, "the viewer's top line")
        self.shows(wrapped[:page], "the line's first rows")
        self.timed(timer, "Down")
        self.shows(wrapped[1:1 + page], "Down: from the second row")
        self.timed(timer, "PgDn")
        self.shows(wrapped[1 + page:1 + 2 * page], "PgDn: the next page")
        self.timed(timer, "End")
        self.shows(wrapped[-page:], "End: the line's last rows")
        self.assertTrue(wrapped[-1].endswith("the-end"))
        self.timed(timer, "PgUp")
        self.shows(wrapped[-2 * page:-page], "PgUp: the page before")
        self.timed(timer, "Up")
        self.shows(wrapped[-2 * page - 1:-page - 1], "Up: a row before")
        self.timed(timer, "Home")
        self.shows(wrapped[:page], "Home: the first rows again")
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("needle-near-end")
        self.timed(timer, "Enter")
        self.t.wait_for(r"found \"needle-near-end\" on row 1", 5)
        at, before = 0, HUGE_LINE.index("needle-near-end")
        while before >= len(wrapped[at]):
            before -= len(wrapped[at])
            at += 1
        self.shows(wrapped[at:at + page], "the search: the row of the match on top")
        self.timed(timer, "Home")
        self.shows(wrapped[:page], "Home after the search")
        # Unwrapped: the line cut at the edge, then scrolled sideways.
        self.timed(timer, "w")
        cut = cut_at(HUGE_LINE, self.W - 1)
        self.t.wait_check(lambda s: self.assertEqual(
            self.text_rows(s)[0], cut + ELLIPSIS, Tmux.framed(s)), 5)
        self.timed(timer, "Right")
        self.t.wait_check(lambda s: self.assertTrue(
            self.text_rows(s)[0].startswith(ELLIPSIS) and
            self.text_rows(s)[0].endswith(ELLIPSIS), Tmux.framed(s)), 5)
        self.timed(timer, "End")
        self.timed(timer, "q")
        self.t.wait_gone(r"rows 1-1 of 1", 5, "q closes the viewer")

    def unwrapped_at(self, left):
        """A check: the line's row, unwrapped, shows the columns after
        left (the ellipsis in the first one), cut at the right edge."""
        def check(s):
            row = self.text_rows(s)[0]
            self.assertTrue(row.startswith(ELLIPSIS) and row.endswith(ELLIPSIS), Tmux.framed(s))
            inner = row[1:-1]
            at = HUGE_LINE.find(inner.strip())
            self.assertGreaterEqual(at, 0, "not a part of the line:\n" + Tmux.framed(s))
            col = huge_column(at)
            blank = len(inner) - len(inner.lstrip())
            self.assertEqual(col - blank, left + 1, "shown from column %d, not %d:\n%s"
                             % (col - blank, left + 1, Tmux.framed(s)))
        return check

    def test_keys_answer_at_once_far_right_on_a_line_of_megabytes(self):
        """Unwrapped, a search scrolls the line sideways to a match near
        its end, 16 MB in; Right and Left from there are answered at
        once (median under LIMIT_MS: under ASan 45-195 ms a key when each
        redraw walked the line from its start, 1-4 ms from a column kept
        near the ones shown) and show the columns they scroll to."""
        ftptest.write_file(self.lpath("huge.txt"), HUGE_LINE.encode())
        self.start_ferry(width=self.W, height=self.H,
                         env={"PAGER": "", "EDITOR": "false", "TMPDIR": self.tmp})
        self.select("local", "huge.txt")
        self.t.wait_stable(0.3, 3)
        self.t.keys("F3")
        self.t.wait_for(r"rows 1-1 of 1", 10, "the viewer's top line")
        self.t.keys("w")
        self.t.wait_for(r"long rows cut", 5, "w turns wrapping off")
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("needle-near-end")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"needle-near-end\" on row 1", 10)
        left = huge_column(HUGE_LINE.index("needle-near-end")) - self.W // 2
        step = self.W // 2
        self.t.wait_check(self.unwrapped_at(left), 5)
        self.assertIn("needle-near-end", self.text_rows(self.t.screen())[0])
        timer = tuitest.KeyTimer(self.t)
        self.addCleanup(timer.close)
        times = []
        for key in ["Right"] * 4 + ["Left"] * 6 + ["Right"] * 2:
            self.timed(timer, key, times)
            left += step if key == "Right" else -step
            self.t.wait_check(self.unwrapped_at(left), 5)
        from test_tui_latency import LIMIT_MS
        self.assertLess(statistics.median(times), LIMIT_MS,
                        "Left, Right %d columns in: %s" % (left, tuitest.describe_ms(times)))
        self.timed(timer, "q")
        self.t.wait_gone(r"rows 1-1 of 1", 5, "q closes the viewer")


class EditTest(ViewCase):

    def test_edit_remote_uploads_the_change(self):
        self.server.write("edit me.txt", b"original\n")
        editor = self.script("editor", 'printf "edited\\n" >> "$1"\n')
        self.start(EDITOR=editor)
        self.select("remote", "edit me.txt")
        self.t.keys("F4")
        self.wait_file(self.server.path("edit me.txt"), b"original\nedited\n", 15)
        self.t.wait_for(r"edit me\.txt saved to the server", 10)
        self.assert_no_temporaries()

    def test_edit_unchanged_uploads_nothing(self):
        self.server.write("same.txt", b"same\n")
        self.start(EDITOR="true")
        self.select("remote", "same.txt")
        self.t.keys("F4")
        self.t.wait_for(r"same\.txt not changed: nothing uploaded", 10)
        self.assertEqual(ftptest.read_file(self.server.path("same.txt")), b"same\n")
        self.assert_no_temporaries()

    def test_edit_asks_when_the_server_copy_changed(self):
        target = self.server.path("shared.txt")
        self.server.write("shared.txt", b"first\n")
        marker = os.path.join(self.base, "change-server")
        editor = self.script("editor", 'printf "mine\\n" >> "$1"\n'
                             'if [ -e %s ]; then mv %s %s; fi\n'
                             % (marker, marker, target))
        self.start(EDITOR=editor)
        # The marker holds what "someone else" writes to the server meanwhile.
        ftptest.write_file(marker, b"theirs, longer\n")
        self.select("remote", "shared.txt")
        self.t.keys("F4")
        self.t.wait_for(self.prompt_line("shared.txt changed on the server"), 15)
        self.t.keys("n")
        self.t.wait_for(r"shared\.txt on the server kept", 5)
        self.assertEqual(ftptest.read_file(target), b"theirs, longer\n")
        self.assert_no_temporaries()
        # Again, and y replaces it.
        ftptest.write_file(marker, b"theirs, even longer\n")
        self.clear_filter()
        self.select("remote", "shared.txt")
        self.t.keys("F4")
        self.t.wait_for(self.prompt_line("shared.txt changed on the server"), 15)
        self.t.keys("y")
        self.wait_file(target, b"theirs, longer\nmine\n", 15)
        self.t.wait_for(r"shared\.txt saved to the server", 10)
        self.assert_no_temporaries()

    def test_edit_local_file(self):
        editor = self.script("editor", 'printf "more\\n" >> "$1"\n')
        self.start(EDITOR=editor)
        self.select("local", "local-only.txt")
        self.t.keys("F4")
        self.wait_file(self.lpath("local-only.txt"), b"local\nmore\n", 10)
        self.assertAlive("after the editor")


class InfoTest(ViewCase):

    def test_file_info_remote_and_local(self):
        self.start()
        self.select("remote", "download-me.bin")
        self.t.keys("i")
        s = self.t.wait_for(self.prompt_line("size: %d bytes" % len(DOWNLOAD)), 10,
                            "the remote file's facts")

        def facts(s):
            self.assertRegex(s, r"(?i)modify: \d{14}(\.\d+)? \(\d{4}-\d\d-\d\d "
                             r"\d\d:\d\d:\d\d(\.\d+)? UTC\)", Tmux.framed(s))
            self.assertRegex(s, r"(?i)type: file", Tmux.framed(s))
        self.t.wait_check(facts, 5)
        self.t.keys("Esc")
        self.t.wait_gone(r"size: %d bytes" % len(DOWNLOAD), 5)
        self.select("local", "upload-me.bin")
        self.t.keys("i")
        self.t.wait_for(self.prompt_line("size: %d bytes" % len(UPLOAD)), 10)
        uid = os.stat(self.lpath("upload-me.bin")).st_uid

        def facts(s):
            self.assertRegex(s, r"permissions: -rw-r--r-- \(0644\)|permissions: -rw-------",
                             Tmux.framed(s))
            self.assertRegex(s, r"owner: \S+ \(%d\)" % uid, Tmux.framed(s))
            self.assertRegex(s, r"modified: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} ",
                             Tmux.framed(s))
        self.t.wait_check(facts, 5)
        self.t.keys("Enter")


class MenuTest(ViewCase):

    def test_f9_menu_runs_file_info(self):
        self.start()
        self.select("remote", "download-me.bin")
        self.t.keys("F9")
        self.t.wait_for(r"Menu \(Enter runs, Esc closes\)", 5, "F9 opens the menu")
        for _ in range(60):
            rows = tuitest.highlighted_text(self.t.screen(escapes=True)).values()
            if any("file info" in r for r in rows):
                break
            self.t.keys("Down")
            time.sleep(0.05)
        else:
            self.fail_screen("no file info in the menu")
        self.t.keys("Enter")
        self.t.wait_for(self.prompt_line("size: %d bytes" % len(DOWNLOAD)), 10,
                        "the menu's file info")
        self.t.keys("Escape")


class PeerViewEdit:
    """F4 and i on another server (mixed into a ViewCase with kind set)."""

    kind = None

    def test_edit_and_info_on_peer(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/peer-edit.txt", b"on the peer\n")
        editor = self.script("editor", 'printf "edited\\n" >> "$1"\n')
        self.start(url=peer.url("/pub/", peer.user, peer.password), EDITOR=editor)
        self.select("remote", "peer-edit.txt")
        self.t.keys("i")
        self.t.wait_for(r"(?i)size: 12 bytes|-rw\S* .* 12 ", 10, "facts on %s" % self.kind)
        self.t.keys("Esc")
        self.t.keys("F4")
        self.wait_file(peer.path("pub", "peer-edit.txt"), b"on the peer\nedited\n", 15)
        self.assert_no_temporaries()


class VsftpdViewEditTest(PeerViewEdit, ViewCase):
    kind = "vsftpd"


class PureFtpdViewEditTest(PeerViewEdit, ViewCase):
    kind = "pure-ftpd"


if __name__ == "__main__":
    unittest.main(verbosity=2)
