"""The two-pane client's file operations against their known defects:
F6 asks before replacing an existing name (local, and remote on ferryd,
vsftpd and pure-ftpd), F5 keeps working when the panes are reloaded under
its questions, F5/F6/F8 on ".." say why nothing happens, and a recursive
delete runs in the background with progress and can be cancelled.

Built on test_tui.TuiCase (a ferryd with the usual fixtures, a local
folder, ferry in tmux); the peers' cases start vsftpd or pure-ftpd from
peers.py instead.
"""

import os
import re
import signal
import time
import unittest

import ftptest
import peers
import slowftp
import tuitest
from test_tui import (TuiCase, LOCAL_MARK, REMOTE_MARK, DOWNLOAD, panes)
from tuitest import Tmux


def box_rows(s, head):
    """The rows inside the box whose first row starts with head, stripped
    ([] when there is none, or the screen was drawn before a resize)."""
    lines = s.split("\n")
    asks = [l for l in lines if "\u2502 " + head in l]
    if not asks:
        return []
    left = asks[0].index("\u2502 " + head)
    right = asks[0].find("\u2502", left + 1)
    if right < 0:
        return []
    return [l[left + 1:right].strip() for l in lines
            if len(l) > right and l[left] == "\u2502" and l[right] == "\u2502"]


OLD = ftptest.random_bytes(150 * 1024, seed=11)     # the file a rename would destroy
NEW = b"renamed file\n"


class RenameAsksTest(TuiCase):
    """Renaming onto an existing name asks (y/n, default no) and says
    which file would go, with both sizes."""

    def rename(self, side, old, new):
        self.select(side, old)
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("rename", old), 5, "F6 asks for the new name")
        self.t.type(new)            # the old name is selected: typing replaces it
        self.t.keys("Enter")

    def check_rename(self, side, path):
        """up2.dat (NEW) and up3.dat (OLD) are in side; path(name) is where
        a name of side lives on disk."""
        self.start_ferry()
        asks = self.prompt_line("up3.dat exists")
        # n (and Enter, the default) keeps both files.
        for answer in ("n", "Enter"):
            self.rename(side, "up2.dat", "up3.dat")
            self.t.wait_for(asks, 10, "F6 onto an existing name asks first")

            def shown(s):
                self.assertRegex(s, r"up3\.dat exists \(150 KB, \d{4}-\d\d-\d\d",
                                 "the question does not show the size and date of the file "
                                 "that would be replaced:\n" + Tmux.framed(s))
                self.assertRegex(s, r"Replace it with up2\.dat \(13 B, \d{4}-",
                                 "the question does not show the file renamed:\n"
                                 + Tmux.framed(s))
            self.t.wait_check(shown, 5)
            self.t.keys(answer)
            self.t.wait_for(lambda s: not asks(s) and s.rstrip("\n").split("\n")[-1]
                            .startswith("nothing renamed"), 5,
                            "%s closes the question, saying nothing was renamed" % answer)
            self.assertEqual(ftptest.read_file(path("up3.dat")), OLD,
                             "answering %s replaced up3.dat" % answer)
            self.assertEqual(ftptest.read_file(path("up2.dat")), NEW)
            self.clear_filter()
        # y replaces it.
        self.rename(side, "up2.dat", "up3.dat")
        self.t.wait_for(asks, 10, "F6 asks again")
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.exists(path("up2.dat")), 10,
                       "y did not rename up2.dat")
        self.assertEqual(ftptest.read_file(path("up3.dat")), NEW)
        # A free name is renamed without a question.
        self.clear_filter()
        self.rename(side, "up3.dat", "up4.dat")
        self.wait_disk(lambda: os.path.exists(path("up4.dat")), 10, "renaming to a free name")
        self.assertFalse(asks(self.t.screen()))

    def test_local_rename_asks_before_replacing(self):
        ftptest.write_file(self.lpath("up2.dat"), NEW)
        ftptest.write_file(self.lpath("up3.dat"), OLD)
        self.check_rename("local", self.lpath)

    def test_remote_rename_asks_before_replacing(self):
        self.server.write("up2.dat", NEW)
        self.server.write("up3.dat", OLD)
        self.check_rename("remote", self.server.path)

    def test_remote_rename_asks_when_the_pane_is_stale(self):
        """The target appeared on the server after the listing: the
        server side's check asks all the same."""
        self.server.write("up2.dat", NEW)
        self.start_ferry()
        self.server.write("up3.dat", OLD)   # not in the pane
        self.rename("remote", "up2.dat", "up3.dat")
        asks = self.prompt_line("up3.dat exists")
        self.t.wait_for(asks, 10, "a rename onto a name the pane does not show yet asks")
        self.t.keys("n")
        self.t.wait_for(r"nothing renamed", 5)
        self.assertEqual(ftptest.read_file(self.server.path("up3.dat")), OLD)


class PeerRename:
    """F6 onto an existing remote name on another server: it asks, and
    n keeps the file (mixed into a TuiCase with kind set)."""

    kind = None

    def test_rename_asks_before_replacing(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/up2.dat", NEW)
        peer.write("pub/up3.dat", OLD)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))
        self.select("remote", "up2.dat")
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("rename", "up2.dat"), 5)
        self.t.type("up3.dat")
        self.t.keys("Enter")
        asks = self.prompt_line("up3.dat exists")
        self.t.wait_for(asks, 10, "F6 onto an existing name on %s asks" % self.kind)
        self.t.keys("n")
        self.t.wait_for(r"nothing renamed", 5)
        time.sleep(0.3)
        self.assertEqual(ftptest.read_file(peer.path("pub", "up3.dat")), OLD)
        # The same with the name not yet in the pane: the server is asked.
        peer.write("pub/up5.dat", OLD)
        self.clear_filter()
        self.select("remote", "up2.dat")
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("rename", "up2.dat"), 5)
        self.t.type("up5.dat")
        self.t.keys("Enter")
        self.t.wait_for(self.prompt_line("up5.dat exists"), 10,
                        "a name the pane does not show is checked on %s" % self.kind)
        self.t.keys("y")
        self.wait_disk(lambda: ftptest.read_file(peer.path("pub", "up5.dat")) == NEW, 10,
                       "y renamed up2.dat over up5.dat on %s" % self.kind)


class VsftpdRenameTest(PeerRename, TuiCase):
    kind = "vsftpd"


class PureFtpdRenameTest(PeerRename, TuiCase):
    kind = "pure-ftpd"


class CopyUnderReloadTest(TuiCase):
    """The panes are reloaded when a transfer ends, also while F5 asks
    about an existing target: the copy goes on with the entries that were
    tagged, although the listing they came from has been replaced (and has
    grown, so its array moved) under the question."""

    def setUp(self):
        super().setUp()
        self.slow = ftptest.random_bytes(900 * 1024, seed=12)
        ftptest.write_file(self.lpath("slow-up.bin"), self.slow)
        for i in (1, 2):
            self.server.write("conflict-%d.txt" % i, b"remote %d\n" % i)
            ftptest.write_file(self.lpath("conflict-%d.txt" % i), b"older local %d\n" % i)
        self.proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=200 << 10)
        self.addCleanup(self.proxy.close)

    def test_overwrite_question_survives_a_reload(self):
        self.start_ferry(url=self.proxy.url("/"))
        self.select("local", "slow-up.bin")
        self.t.keys("F5")
        self.clear_filter()
        for i in (1, 2):
            self.select("remote", "conflict-%d.txt" % i)
            self.t.keys("Space")
            self.clear_filter()
        self.t.wait_for(lambda s: "*conflict-1.txt" in s and "*conflict-2.txt" in s, 5,
                        "two entries tagged")
        self.t.keys("F5")
        asks = self.prompt_line("conflict-1.txt", "exists")
        self.t.wait_for(asks, 5, "F5 asks about the first existing target")
        self.assertFalse(os.path.exists(self.server.path("slow-up.bin")),
                         "the upload ended before the question: the test proves nothing")
        # The upload ends under the question and the remote pane is
        # reloaded, with 60 more entries listed before the tagged ones.
        for i in range(60):
            self.server.write("aaa-%02d.txt" % i, b"new\n")
        self.wait_file(self.server.path("slow-up.bin"), self.slow, timeout=30)
        self.t.wait_for(lambda s: asks(s) and "aaa-00.txt" in panes(s), 10,
                        "the remote pane is reloaded while the question is open")
        self.t.keys("o")
        self.t.wait_for(self.prompt_line("conflict-2.txt", "exists"), 10,
                        "then it asks about the second one")
        self.t.keys("o")
        for i in (1, 2):
            self.wait_file(self.lpath("conflict-%d.txt" % i), b"remote %d\n" % i)
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10, "the copies end")
        self.assertFalse([n for n in os.listdir(self.local) if n.startswith("aaa-")],
                         "a file that was not tagged was copied")
        self.assertAlive("after answering questions across a reload")


class MlsdFallbackTest(TuiCase):
    """A directory ferryd cannot list with MLSD (a name with a line break
    inside: it answers 451) is listed with LIST instead of showing empty,
    and the status line says so."""

    def test_directory_with_a_line_break_in_a_name(self):
        self.server.write("nl/bad\nname.txt", b"x")
        self.server.write("nl/good.txt", b"good\n")
        # What the server answers (the test follows it, should it change).
        ftp = self.server.ftp()
        try:
            ftp.retrlines("MLSD /nl", lambda line: None)
            refused = None
        except Exception as e:     # ftplib.error_temp / error_perm
            refused = str(e)
        finally:
            ftp.close()
        self.start_ferry()
        self.select("remote", "nl")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "good.txt" in s and "remote /nl" in s, 10,
                        "the directory is listed, not a dead end")
        if refused is not None:
            self.assertRegex(refused, r"^4\d\d")
            self.t.wait_check(lambda s: self.assertRegex(
                s.rstrip("\n").split("\n")[-1],
                r"MLSD failed \(%s\); listed with LIST" % re.escape(refused),
                "the status line does not say LIST stood in:\n" + Tmux.framed(s)), 5)
        # And a copy out of it works.
        self.clear_filter()
        self.select("remote", "good.txt")
        self.t.keys("F5")
        self.wait_file(self.lpath("good.txt"), b"good\n")


class ParentEntryTest(TuiCase):
    """F5, F6 and F8 on ".." do nothing, and say why."""

    def test_keys_on_parent_say_why(self):
        self.start_ferry()
        self.focus("local")
        self.t.keys("Home")
        for key, word in (("F5", "copied"), ("F6", "renamed"), ("F8", "deleted")):
            self.t.keys(key)
            self.t.wait_for(r"\.\.: the parent directory is not %s" % word, 5,
                            "%s on .. says why nothing happens" % key)
            self.assertNotRegex(self.t.screen(), r"y = yes|Enter = OK",
                                "%s on .. opened a question" % key)
        self.assertTrue(os.path.isdir(self.local))

    def test_rename_on_parent_does_not_suggest_tags(self):
        """F6 with an entry tagged moves the tagged entry, wherever the
        cursor is; without tags, on "..", it says to move the cursor."""
        self.start_ferry()
        self.focus("local")
        self.t.keys("Home", "Down", "Space", "Home")
        self.t.wait_for(r"1 tagged", 5, "Space tags an entry")
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("Move the tagged entry", "into the folder:"), 5,
                        "F6 on .. with a tag asks where to move the tagged entry")
        self.t.keys("Escape")
        self.t.wait_for(r"nothing moved", 5)
        self.t.keys("Home", "Down", "Space", "Home")
        self.t.wait_gone(r"1 tagged", 5, "Space untags the entry")
        self.t.keys("F6")

        def hint(s):
            last = s.rstrip("\n").split("\n")[-1]
            self.assertRegex(last, r"^\.\.: the parent directory is not renamed",
                             "F6 on .. says why nothing happens:\n" + Tmux.framed(s))
            self.assertNotIn("tag entries", last, "F6 on .. suggests tagging, which "
                             "rename does not use:\n" + Tmux.framed(s))
        self.t.wait_check(hint, 5)


class Tagging:
    """tag(pattern): tags the names of the active pane matching pattern (+)."""

    def tag(self, pattern):
        self.t.keys("+")
        self.t.wait_for(self.prompt_line("Tag the names matching"), 5)
        self.t.type(pattern)
        self.t.keys("Enter")


class MoveTaggedTest(Tagging, TuiCase):
    """F6 with entries tagged moves them all into a folder, asked once, the
    question saying how many; a name there already is not replaced."""

    def move_to(self, count, folder):
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("Move %d tagged entries into the folder:" % count), 5,
                        "F6 asks once where the %d tagged entries go" % count)
        self.t.keys("C-u")
        self.t.type(folder)
        self.t.keys("Enter")

    def test_remote_tagged_entries_move_into_a_folder(self):
        self.start_ferry()
        self.focus("remote")
        self.tag("tag-*")
        self.t.wait_for(r"3 tagged", 5)
        self.move_to(3, "rdir")
        for i in (1, 2, 3):
            name = "tag-%d.txt" % i
            self.wait_disk(lambda: os.path.exists(self.server.path("rdir", name)), 10,
                           "%s was not moved into rdir" % name)
            self.assertFalse(os.path.exists(self.server.path(name)), name)
        self.t.wait_for(lambda s: re.search(r"^ ?3 moved to /rdir", s.split("\n")[-2]), 5,
                        "the status line says all three moved")
        self.t.wait_gone(r"tag-1\.txt", 5, "the pane is reloaded")

    def test_local_move_keeps_a_name_in_the_folder(self):
        for name in ("m-1.txt", "m-2.txt", "m-3.txt"):
            ftptest.write_file(self.lpath(name), name.encode())
        ftptest.write_file(self.lpath("into", "m-2.txt"), b"kept\n")
        self.start_ferry()
        self.focus("local")
        self.tag("m-*")
        self.t.wait_for(r"3 tagged", 5)
        self.move_to(3, self.lpath("into"))
        self.t.wait_for(r"2 of 3 moved to .*into; 1 not: a name there already", 10,
                        "the status line says one was not moved, and why")
        def read(*parts):
            with open(self.lpath(*parts), "rb") as f:
                return f.read()
        self.assertEqual(read("into", "m-1.txt"), b"m-1.txt")
        self.assertEqual(read("into", "m-3.txt"), b"m-3.txt")
        self.assertEqual(read("into", "m-2.txt"), b"kept\n", "a name in the folder was replaced")
        self.assertEqual(read("m-2.txt"), b"m-2.txt")
        self.assertFalse(os.path.exists(self.lpath("m-1.txt")))


class DeadBrowserTest(Tagging, TuiCase):
    """A move whose browser process dies before it answers fails with a
    message, and F6 works again afterwards."""

    def local_browser(self):
        """The PID of the local pane's browser: ferry's first child
        without a socket (the remote browser holds its connection; the
        transfer workers, not connected before their first job, are
        started after the local browser)."""
        def children(parent):
            out = []
            for d in os.listdir("/proc"):
                try:
                    with open("/proc/%s/stat" % d) as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                            out.append(int(d))
                except (OSError, ValueError, IndexError):
                    pass
            return out

        def sockets(pid):
            try:
                return any(os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
                           for fd in os.listdir("/proc/%d/fd" % pid))
            except OSError:
                return True

        # The pane's program is ferry, or a wrapper whose one child it is.
        ferry = self.t.pid()
        if os.path.basename(os.readlink("/proc/%d/exe" % ferry)) != "ferry":
            ferry = children(ferry)[0]
        def started(pid):
            with open("/proc/%d/stat" % pid) as f:
                return int(f.read().rsplit(")", 1)[1].split()[19])

        found = [pid for pid in children(ferry) if not sockets(pid)]
        self.assertTrue(found, "ferry has no child without a socket")
        return min(found, key=started)

    def test_move_fails_when_the_browser_dies(self):
        for name in ("d-1.txt", "d-2.txt"):
            ftptest.write_file(self.lpath(name), name.encode())
        os.makedirs(self.lpath("into"))
        self.start_ferry()
        self.focus("local")
        self.tag("d-*")
        self.t.wait_for(r"2 tagged", 5)
        pid = self.local_browser()
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("Move 2 tagged entries into the folder:"), 5)
        self.t.keys("C-u")
        self.t.type(self.lpath("into"))
        # Stopped, the browser takes the renames but never answers; then it dies.
        os.kill(pid, signal.SIGSTOP)
        try:
            self.t.keys("Enter")
            self.t.wait_gone(r"Move 2 tagged entries", 5)
            time.sleep(0.3)
        finally:
            os.kill(pid, signal.SIGKILL)
        self.t.wait_for(r"0 of 2 moved to .*into; 2 not: .*process ended", 10,
                        "the status line says the move failed, and why")
        self.assertTrue(os.path.exists(self.lpath("d-1.txt")))
        self.t.wait_for(r"d-1\.txt", 5)
        self.tag("d-*")
        self.t.wait_for(r"2 tagged", 5)
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("Move 2 tagged entries into the folder:"), 5,
                        "F6 asks again once the dead browser's move has failed")
        self.t.keys("Escape")


class DeleteQuestionTest(Tagging, TuiCase):
    """F8 on tagged entries counts the directories among them in words
    that fit the count."""

    def test_one_directory_among_tagged_entries(self):
        self.start_ferry()
        self.focus("remote")
        self.tag("rdir")
        self.tag("victim.txt")
        self.t.wait_for(r"2 tagged", 5)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("Delete 2 tagged entries, 1 of them a directory "
                                         "with everything in it?"), 5,
                        "the question about one directory among two entries")
        self.t.keys("n")
        self.t.wait_for(r"nothing deleted", 5)
        self.assertTrue(os.path.isdir(self.server.path("rdir")))
        self.tag("sort-*")
        self.t.wait_for(r"5 tagged", 5)
        ftptest.write_file(self.server.path("rdir2", "x.txt"), b"x\n")
        self.t.keys("C-r")
        # The pattern is tried on the entries shown: rdir2 must be there
        # (the reload's listing in) before it is tagged.
        half = self.t.width // 2
        self.t.wait_for(lambda s: any("rdir2" in row[half:] for row in s.split("\n")), 5,
                        "Ctrl-R shows rdir2 in the remote pane")
        self.tag("rdir2")
        self.t.wait_for(r"6 tagged", 5)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("Delete 6 tagged entries, 2 of them directories "
                                         "with everything in them?"), 5,
                        "the question about two directories among six entries")
        self.t.keys("n")
        self.t.wait_for(r"nothing deleted", 5)

    def box_rows(self, s):
        """The rows inside the box of the question, stripped."""
        return box_rows(s, "Delete ")

    def ask_delete_tagged(self, side, patterns, count):
        """Starts ferry, tags patterns in side's pane and presses F8."""
        self.start_ferry()
        self.focus(side)
        for pattern in patterns:
            self.tag(pattern)
        self.t.wait_for(r"%d tagged" % count, 5)
        self.t.keys("F8")

    def test_tagged_entries_are_named_and_esc_keeps_them(self):
        """The question lists what goes, a directory marked as going with
        everything in it; Esc deletes nothing."""
        self.ask_delete_tagged("remote", ("rdir", "victim.txt"), 2)

        def named(s):
            rows = self.box_rows(s)
            self.assertIn("rdir/ and everything in it", rows, Tmux.framed(s))
            self.assertIn("victim.txt", rows, Tmux.framed(s))
        self.t.wait_check(named, 5)
        self.t.keys("Escape")
        self.t.wait_for(r"nothing deleted", 5)
        self.assertTrue(os.path.isfile(self.server.path("rdir", "rdir-inner.txt")))
        self.assertTrue(os.path.isfile(self.server.path("victim.txt")))

    def test_many_tagged_entries_name_the_first_and_count_the_rest(self):
        for i in range(12):
            ftptest.write_file(self.lpath("many-%02d.txt" % i), b"m\n")
        self.ask_delete_tagged("local", ("many-*",), 12)

        def listed(s):
            rows = self.box_rows(s)
            self.assertIn("many-00.txt", rows, Tmux.framed(s))
            self.assertIn("many-07.txt", rows, Tmux.framed(s))
            self.assertNotIn("many-08.txt", rows, Tmux.framed(s))
            self.assertIn("and 4 more", rows, Tmux.framed(s))
        self.t.wait_check(listed, 5)
        # On a screen too low for the list, the box keeps its last row:
        # the keys that answer.
        self.t.resize(40, 10)

        def answerable(s):
            rows = self.box_rows(s)
            self.assertTrue(rows and rows[-1].startswith("y = yes"), Tmux.framed(s))
        self.t.wait_check(answerable, 5)
        # Narrower still, those keys take two rows: both stay.
        self.t.resize(20, 7)

        def both_rows(s):
            self.assertEqual(self.box_rows(s)[-2:], ["y = yes, n /", "Enter / Esc = no"],
                             Tmux.framed(s))
        self.t.wait_check(both_rows, 5)
        self.t.resize(120, 40)
        self.t.wait_check(listed, 5)
        self.t.keys("Escape")
        self.t.wait_for(r"nothing deleted", 5)
        self.assertTrue(os.path.isfile(self.lpath("many-11.txt")))


class SmallInputTest(TuiCase):
    """An input box (F7's name) on a screen too low for all its rows keeps
    the field and the keys that answer it, as a question keeps its keys."""

    def box_rows(self, s):
        """The rows inside the box of the question, stripped."""
        return box_rows(s, "New dir")

    def test_mkdir_box_keeps_field_and_keys_on_a_low_screen(self):
        self.start_ferry()
        self.focus("remote")
        self.t.keys("F7")
        self.t.wait_for(r"New directory name", 5)
        self.t.type("small-dir")
        self.t.resize(40, 5)

        def answerable(s):
            rows = self.box_rows(s)
            self.assertEqual(rows[-2:], ["small-dir", "Enter = OK, Esc = cancel"],
                             Tmux.framed(s))
        self.t.wait_check(answerable, 5)
        # Narrower still, the keys take two rows: both stay, under the field.
        self.t.resize(20, 6)

        def both_rows(s):
            self.assertEqual(self.box_rows(s)[-3:], ["small-dir", "Enter = OK, Esc", "= cancel"],
                             Tmux.framed(s))
        self.t.wait_check(both_rows, 5)
        self.t.resize(120, 40)
        self.t.wait_for(r"New directory name", 5)
        self.t.keys("Enter")
        self.assertTrue(ftptest.wait_until(lambda: os.path.isdir(self.server.path("small-dir")),
                                           10), "Enter made no directory")


class BackgroundDeleteTest(TuiCase):
    """F8 on a big directory: it is deleted in the background, the panel
    shows how many entries are gone, browsing goes on, and x stops it."""

    def make_tree(self, root, top, n):
        for i in range(n):
            ftptest.write_file(os.path.join(root, top, "d%02d" % (i % 10), "f%04d" % i), b"x")
        ftptest.prepare(os.path.join(root, top))

    def test_remote_delete_runs_in_background(self):
        top = "big-tree"
        self.make_tree(self.server.path(), top, 1500)
        self.start_ferry()
        self.select("remote", top)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", top), 5)
        self.t.keys("y")
        self.t.wait_for(r"(running|done)\s+rm .*%s/ \d+ removed" % top, 10,
                        "the panel shows the delete with its count")
        self.wait_disk(lambda: not os.path.exists(self.server.path(top)), 30,
                       "the remote tree was not deleted")
        self.t.wait_for(r"done\s+rm .*%s/ 15\d\d removed" % top, 10,
                        "the panel shows the finished delete and its count")
        self.clear_filter()
        self.t.wait_for(lambda s: top not in panes(s), 10, "the tree leaves the pane")

    def test_local_delete_runs_in_background(self):
        top = "big-ltree"
        self.make_tree(self.local, top, 300)
        self.start_ferry()
        self.select("local", top)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", top), 5)
        self.t.keys("y")
        self.t.wait_for(r"done\s+rm .*%s/ 3\d\d removed" % top, 20,
                        "the panel shows the finished delete with its count")
        self.assertFalse(os.path.exists(self.lpath(top)))


class SlowDeleteTest(TuiCase):
    """A remote delete on a server that takes 20 ms per DELE: the panel
    counts the entries removed, the remote pane can be browsed meanwhile
    (its listings are answered between two deletions), and x stops it."""

    def test_remote_delete_shows_progress_and_cancels(self):
        tree = {REMOTE_MARK: b"remote\n", "other/inside.txt": b"in\n"}
        for i in range(400):
            tree["big-tree/d%d/f%03d" % (i % 4, i)] = b"x"
        srv = slowftp.SlowFtp(tree=tree, delays={"DELE": 0.02}).start()
        self.addCleanup(srv.stop)
        self.start_ferry(url=srv.url("/"), wait=False)
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.select("remote", "big-tree")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", "big-tree"), 5)
        self.t.keys("y")
        running = re.compile(r"running\s+rm /big-tree/ (\d+) removed")
        m = self.t.wait_for(lambda s: (lambda m: m if m and int(m.group(1)) > 0 else None)(
            running.search(s)), 10, "the panel shows the running delete and a count")
        first = int(m.group(1))
        self.t.wait_for(lambda s: (lambda m: m and int(m.group(1)) > first)(running.search(s)),
                        10, "the count of removed entries grows")
        # The same pane's listings are answered while it runs.
        self.clear_filter()
        self.select("remote", "other")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "inside.txt" in s and "remote /other" in s, 10,
                        "opening a folder while the delete runs")
        self.t.wait_for(running, 5, "the delete still runs")
        # x on the selected job (the running delete) stops it.
        self.t.keys("x")
        self.t.wait_for(r"cancelled\s+rm /big-tree/ \d+ removed", 10, "x cancels the delete")
        time.sleep(0.3)
        left = sum(1 for n in srv.tree if n.startswith("big-tree/"))
        self.assertGreater(left, 0, "the cancelled delete removed everything")
        self.assertLess(left, 400, "the delete removed nothing")
        self.assertIn("other/inside.txt", srv.tree)


if __name__ == "__main__":
    unittest.main(verbosity=2)
