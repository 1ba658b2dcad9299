"""The two-pane client's compare (mc's Ctrl-X d, listed in ? and ferry(1)):
on each side it tags what the other side lacks, what is newer there and
what differs in size or kind, and says how many of each; and its
synchronize (Ctrl-X s): a dialog with the plan that makes the other side
match the active one through the whole tree below the two folders,
deletes off until d, run through the queue (against ferryd and
pure-ftpd: a changed file two levels down, a file only on one side in a
nested folder, a new folder, extras deleted only after d); run into the
local folder it removes the stale temporaries of files the server no
longer has (not a locked one), and with a remote listing not whole
(slowftp) it deletes nothing and removes no temporary. Ctrl-X x
still cancels every transfer (test_tui_queue.py).

A ferryd with one folder of files made for the comparison, the same names
in a local folder, ferry in tmux on both."""

import fcntl
import os
import re
import sys
import unittest

import ftptest
import peers
import slowftp
import tuitest
from test_tui import FERRY, TuiCase, LOCAL_MARK, REMOTE_MARK
from tuitest import Tmux

T0 = 1600000000
FILES = {
    # name: (local (data, mtime) or None, remote (data, mtime) or None)
    "same.txt": ((b"same\n", T0), (b"same\n", T0)),
    "newer-here.txt": ((b"new\n", T0 + 3600), (b"old\n", T0)),
    "newer-there.txt": ((b"old\n", T0), (b"new\n", T0 + 3600)),
    "size.txt": ((b"short\n", T0), (b"longer one\n", T0)),
    "only-here.txt": ((b"x\n", T0), None),
    "only-there.txt": (None, (b"y\n", T0)),
}


class CompareTest(TuiCase):

    def rows(self, screen, width=120):
        """{name: (tagged, side)} of the pane rows on screen."""
        out = {}
        half = width // 2
        for line in screen.split("\n"):
            if line.lstrip().startswith("Transfers:"):
                break
            for side, cell in (("local", line[:half]), ("remote", line[half:])):
                m = re.match(r"^[\s|\u2502]*([* ])\s?(\S.*?)\s{2,}", cell)
                if m:
                    out.setdefault(side, {})[m.group(2).strip()] = m.group(1) == "*"
        return out

    def start_on_folders(self):
        """Makes the same names on both sides in cmp/ (FILES), starts ferry on them."""
        rdir = "cmp"
        files = FILES
        os.makedirs(self.lpath(rdir))
        ftptest.write_file(self.lpath(rdir, LOCAL_MARK), b"local\n", T0)
        self.server.write(rdir + "/" + REMOTE_MARK, b"remote\n", T0)
        for name, (loc, rem) in files.items():
            if loc:
                ftptest.write_file(self.lpath(rdir, name), loc[0], loc[1])
            if rem:
                self.server.write(rdir + "/" + name, rem[0], rem[1])
        cmd = [FERRY, self.server.url("/" + rdir + "/")]
        self.t.start(cmd, cwd=self.lpath(rdir), width=120, height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10, "both panes")

    def test_synchronize_runs_the_plan(self):
        """Ctrl-X s on the left pane: the dialog shows the plan (no deletes
        until d), y queues it, and the remote folder ends up equal to the
        local one, extras deleted."""
        self.start_on_folders()
        self.focus("local")
        self.t.keys("C-x", "s")
        s = self.t.wait_for(r"Make the right folder \(and below\) match the left one", 10,
                            "Ctrl-X s")
        s = self.t.wait_stable(0.3, 3)   # the dialog drawn in full
        self.assertRegex(s, r"2 to copy, 3 to replace \(22 B\), 0 to delete, 3 skipped")
        self.assertIn("copy only-here.txt (missing)", s)
        self.assertIn("replace newer-here.txt (time differs (source newer))", s)
        self.assertIn("deletes off", s)
        self.t.keys("d")
        self.t.wait_for(r"2 to copy, 3 to replace \(22 B\), 2 to delete, 1 skipped", 5, "d turns deletes on")
        self.t.wait_for(r"delete only-there\.txt \(not in the source\)", 5, "d lists the delete")
        self.t.keys("y")
        rdir = self.server.path("cmp")
        want = {n: d for n, d in ftptest.tree_snapshot(self.lpath("cmp")).items()}
        self.wait_disk(lambda: ftptest.tree_snapshot_now(rdir) == want, 20,
                       "the remote folder equal to the local one")

    def test_compare_marks_each_side(self):
        """Ctrl-X d tags, on each side, what the other lacks, what is newer
        there and what differs in size; ? lists the key."""
        self.start_on_folders()
        self.t.keys("C-x")
        self.t.wait_for(r"Ctrl-X: d compare", 5, "Ctrl-X says what follows")
        self.t.keys("d")
        s = self.t.wait_for(r"compare: left \d+ missing", 5, "Ctrl-X d compares")
        s = self.t.wait_stable(0.3, 3)   # the dialog drawn in full
        rows = self.rows(s)
        tagged = {side: sorted(n for n, t in rows.get(side, {}).items() if t)
                  for side in ("local", "remote")}
        self.assertEqual(tagged["local"], sorted([LOCAL_MARK, "newer-here.txt", "only-here.txt",
                                                  "size.txt"]), Tmux.framed(s))
        self.assertEqual(tagged["remote"], sorted([REMOTE_MARK, "newer-there.txt",
                                                   "only-there.txt", "size.txt"]),
                         Tmux.framed(s))
        self.assertRegex(s, r"compare: left 2 missing on the right, 1 newer, 1 differ; "
                            r"right 2 missing on the left, 1 newer, 1 differ")
        # The help lists it.
        self.t.keys("?")
        self.t.wait_for(r"Ctrl-X d\s+compare the two folders", 5, "? lists Ctrl-X d")
        self.t.keys("Escape")


# Files on each side of the big compare, none on both: every one is
# tagged. Ctrl-X d took 5 s and more when each tag looked its name up
# through the whole pane; under ASan it takes well under a second now.
CMP_BIG = 40000
CMP_BIG_MS = 2000


def big_key_timer(case, key, limit_ms, what):
    """Times key on case's ferry (up to 60 s) and fails the test when it
    took limit_ms or more; says the time on stderr. Returns the KeyTimer
    for the keys after it (closed with the test)."""
    timer = tuitest.KeyTimer(case.t)
    case.addCleanup(timer.close)
    took = timer.time_key(key, timeout=60)
    case.assertTrue(took is not None and took * 1000 < limit_ms,
                    "%s took %s ms (limit %d ms)"
                    % (what, "over 60000" if took is None else "%.0f" % (took * 1000), limit_ms))
    sys.stderr.write("%s: %.0f ms\n" % (what, took * 1000))
    return timer


class CompareBigTest(TuiCase):

    rows = CompareTest.rows

    def test_compare_of_big_folders_answers_at_once(self):
        """Ctrl-X d on two folders of CMP_BIG files each, all missing on
        the other side: d is answered within CMP_BIG_MS, the summary
        counts them all, rows on both sides show the tag, and keys after
        it are answered at once."""
        from test_tui_latency import CEILING_MS
        os.makedirs(self.lpath("bigcmp"))
        ftptest.write_file(self.lpath("bigcmp", LOCAL_MARK), b"local\n", T0)
        self.server.write("bigcmp/" + REMOTE_MARK, b"remote\n", T0)
        rdir = self.server.path("bigcmp")
        for i in range(CMP_BIG):
            open(self.lpath("bigcmp", "z-here-%05d" % i), "wb").close()
            open(os.path.join(rdir, "z-there-%05d" % i), "wb").close()
        ftptest.prepare(rdir)
        self.t.start([FERRY, self.server.url("/bigcmp/")], cwd=self.lpath("bigcmp"), width=120,
                     height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 30, "both panes")
        self.t.keys("C-x")
        self.t.wait_for(r"Ctrl-X: d compare", 5, "Ctrl-X says what follows")
        timer = big_key_timer(self, "d", CMP_BIG_MS,
                              "Ctrl-X d on %d files a side" % CMP_BIG)
        n = CMP_BIG + 1
        # (the line is cut at the screen's width after the right side's count)
        self.t.wait_for(r"compare: left %d missing on the right, 0 newer, 0 differ; "
                            r"right %d missing on the left" % (n, n), 10,
                            "Ctrl-X d counts every file")
        s = self.t.wait_stable(0.3, 3)
        rows = self.rows(s)
        for side, prefix in (("local", "z-here-"), ("remote", "z-there-")):
            shown = {k: v for k, v in rows.get(side, {}).items() if k.startswith(prefix)}
            self.assertTrue(shown and all(shown.values()),
                            "%s rows not all tagged: %s\n%s" % (side, shown, Tmux.framed(s)))
        times = timer.sample(["Down", "Up"] * 4, limit_ms=CEILING_MS)
        self.assertLess(max(times), CEILING_MS,
                        "keys after the compare: %s" % tuitest.describe_ms(times))


# The tree synchronized: (local data or None, remote data or None), all at T0.
TREE = {
    "top.txt": (b"top\n", b"top\n"),
    "a/same.txt": (b"same\n", b"same\n"),
    "a/b/deep.txt": (b"changed two levels down\n", b"old\n"),
    "a/b/extra.txt": (None, b"only on the server\n"),
    "a/only-here.txt": (b"only here\n", None),
    "fresh/sub/x.txt": (b"in a new folder\n", None),
}


class SyncTreeCase(TuiCase):
    """Ctrl-X s through a whole tree; rpath and put_remote name the server's side."""

    def rpath(self, *parts):
        return self.server.path(*parts)

    def put_remote(self, rel, data, mtime):
        self.server.write(rel, data, mtime)

    def url(self, path):
        return self.server.url(path)

    def start_on_tree(self):
        os.makedirs(self.lpath("tree"))
        ftptest.write_file(self.lpath("tree", LOCAL_MARK), b"local\n", T0)
        self.put_remote("tree/" + REMOTE_MARK, b"remote\n", T0)
        for rel, (loc, rem) in TREE.items():
            if loc is not None:
                os.makedirs(os.path.dirname(self.lpath("tree", rel)), exist_ok=True)
                ftptest.write_file(self.lpath("tree", rel), loc, T0)
            if rem is not None:
                self.put_remote("tree/" + rel, rem, T0)
        cmd = [FERRY, self.url("/tree/")]
        self.t.start(cmd, cwd=self.lpath("tree"), width=120, height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10, "both panes")

    def open_dialog(self):
        self.t.keys("C-x", "s")
        self.t.wait_for(r"Make the right folder \(and below\) match the left one", 20,
                        "Ctrl-X s reads both trees and shows the plan")
        return self.t.screen()

    def open_dialog_from_right(self):
        """Ctrl-X s from the right pane: the plan that makes the local
        folder match the server's."""
        self.focus("remote")
        self.t.keys("C-x", "s")
        self.t.wait_for(r"Make the left folder \(and below\) match the right one", 20,
                        "Ctrl-X s from the right pane")


class SyncTreeTest(SyncTreeCase):
    """Ctrl-X s on TREE against ferryd, both ways."""

    def test_synchronize_goes_through_the_tree(self):
        """The plan covers what is below folders on both sides; n and Esc
        change nothing; Enter (y) without d copies and replaces but keeps
        the extras; with d the remote tree ends up equal to the local one."""
        self.start_on_tree()
        self.focus("local")
        before = ftptest.tree_snapshot(self.rpath("tree"))
        s = self.open_dialog()
        self.assertIn("replace a/b/deep.txt (size differs (4 -> 24 bytes))", s, Tmux.framed(s))
        self.assertIn("copy a/only-here.txt (missing)", s, Tmux.framed(s))
        self.assertIn("copy fresh/ (missing)", s, Tmux.framed(s))
        self.assertIn("copy fresh/sub/x.txt (missing)", s, Tmux.framed(s))
        self.assertRegex(s, r"skip a/b/extra\.txt \(", Tmux.framed(s))
        self.assertRegex(s, r"5 to copy, 1 to replace \(56 B\), 0 to delete, 4 skipped")
        self.assertIn("deletes off", s)
        self.t.keys("n")
        self.t.wait_for(r"nothing synchronized", 5, "n cancels")
        s = self.open_dialog()
        self.t.keys("Escape")
        self.t.wait_for(r"nothing synchronized", 5, "Esc cancels")
        self.assertEqual(ftptest.tree_snapshot(self.rpath("tree")), before,
                         "n or Esc changed the server's tree")
        # Enter without d: everything copied, the extras kept.
        self.open_dialog()
        self.t.keys("Enter")
        want = ftptest.tree_snapshot(self.lpath("tree"))
        self.wait_disk(lambda: all((ftptest.tree_snapshot_now(self.rpath("tree")) or {}).get(k) == v
                                   for k, v in want.items()), 30,
                       "every local entry copied to the server")
        got = ftptest.tree_snapshot(self.rpath("tree"))
        self.assertEqual(got.get("a/b/extra.txt"), b"only on the server\n",
                         "an extra deleted without d")
        self.assertEqual(got.get(REMOTE_MARK), b"remote\n", "an extra deleted without d")
        # d, then y: the extras go.
        s = self.open_dialog()
        self.t.keys("d")
        self.t.wait_for(r"deletes on", 5, "d turns deletes on")
        s = self.t.wait_stable(0.3, 3)   # the dialog drawn in full
        self.assertRegex(s, r"0 to copy, \d+ to replace \(\d+ B\), 2 to delete", Tmux.framed(s))
        self.assertIn("delete a/b/extra.txt (not in the source)", s, Tmux.framed(s))
        self.t.keys("y")
        self.wait_disk(lambda: ftptest.tree_snapshot_now(self.rpath("tree")) == want, 30,
                       "the server's tree equal to the local one")

    def test_synchronize_downloads_the_tree(self):
        """From the right pane, with d: the local tree ends up equal to the
        server's, nested folders made, local extras deleted."""
        self.start_on_tree()
        self.open_dialog_from_right()
        s = self.t.wait_stable(0.3, 3)   # the dialog drawn in full
        self.assertIn("replace a/b/deep.txt (size differs (24 -> 4 bytes))", s, Tmux.framed(s))
        self.assertIn("copy a/b/extra.txt (missing)", s, Tmux.framed(s))
        self.t.keys("d")
        self.t.wait_for(r"deletes on", 5, "d turns deletes on")
        s = self.t.wait_stable(0.3, 3)   # the dialog drawn in full
        self.assertIn("delete fresh/ (not in the source)", s, Tmux.framed(s))
        self.t.keys("y")
        want = ftptest.tree_snapshot(self.rpath("tree"))
        self.wait_disk(lambda: ftptest.tree_snapshot_now(self.lpath("tree")) == want, 30,
                       "the local tree equal to the server's")


class SyncCancelTest(SyncTreeCase):
    """Esc while the trees are read: through a relay that holds the
    server's answers, the screen says it is reading, Esc cancels at once
    and nothing is planned or changed."""

    def url(self, path):
        self.proxy = peers.ThrottleProxy(peers.HOST, self.server.port)
        self.addCleanup(self.proxy.close)
        return self.proxy.url(path)

    def test_esc_cancels_the_reading(self):
        self.start_on_tree()
        self.focus("local")
        before = (ftptest.tree_snapshot(self.lpath("tree")),
                  ftptest.tree_snapshot(self.rpath("tree")))
        self.proxy.pause()
        self.t.keys("C-x", "s")
        self.t.wait_for(r"synchronize: reading both folders\.\.\. \(Esc cancels\)", 5,
                        "the bottom line says the trees are being read")
        self.t.keys("Escape")
        self.t.wait_for(r"synchronize cancelled", 5, "Esc cancels the reading")
        self.assertNotIn("Make the right folder", self.t.screen())
        self.assertEqual((ftptest.tree_snapshot(self.lpath("tree")),
                          ftptest.tree_snapshot(self.rpath("tree"))), before,
                         "a cancelled synchronize changed a tree")


class SyncTemporaryTest(SyncTreeCase):
    """A synchronize run into the local folder removes the stale
    temporaries (".NAME.ferry-XXXXXX", what a killed download leaves) of
    files the server no longer has, as mirror does; not one a running
    download holds locked, not one of a file still there, not the user's
    own hidden files, and nothing when the dialog is answered n."""

    def test_synchronize_into_local_clears_stale_temporaries(self):
        self.start_on_tree()
        a = self.lpath("tree", "a")
        stale = os.path.join(a, ".gone.bin.ferry-Ab12Cd")
        held = os.path.join(a, ".held.bin.ferry-Zz99Yy")
        kept = os.path.join(a, ".same.txt.ferry-Qq11Ww")    # same.txt is up to date
        mine = os.path.join(a, ".notes.txt~")
        for path in (stale, held, kept, mine):
            ftptest.write_file(path, b"part")
        with open(held, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)    # as a running download holds it
            self.open_dialog_from_right()
            self.t.keys("n")
            self.t.wait_for(r"nothing synchronized", 5, "n cancels")
            self.assertTrue(os.path.exists(stale), "n removed a temporary")
            self.open_dialog_from_right()
            self.t.keys("y")
            self.wait_file(self.lpath("tree", "a", "b", "deep.txt"), b"old\n", 30)
            self.wait_disk(lambda: not os.path.exists(stale), 10,
                           "the stale temporary of a file the server no longer has removed")
        self.assertEqual(sorted(os.listdir(a)),
                         sorted([".held.bin.ferry-Zz99Yy", ".notes.txt~", ".same.txt.ferry-Qq11Ww",
                                 "b", "only-here.txt", "same.txt"]))
        for path in (held, kept, mine):
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"part", path)


class SyncIncompleteTest(SyncTreeCase):
    """A remote tree with a listing line not understood: a synchronize
    into the local folder removes no temporary (the file it belongs to
    may be behind that line) and, with d, deletes nothing."""

    def test_incomplete_listing_keeps_temporaries(self):
        tree = {REMOTE_MARK: b"remote\n", "sub/b.txt": b"b\n"}
        srv = slowftp.SlowFtp(tree=tree, bad_lines={"/sub": ["this is no listing line"]}).start()
        self.addCleanup(srv.stop)
        os.makedirs(self.lpath("sync", "sub"))
        ftptest.write_file(self.lpath("sync", LOCAL_MARK), b"local\n", T0)
        stale = self.lpath("sync", "sub", ".gone.bin.ferry-Ab12Cd")
        extra = self.lpath("sync", "sub", "extra.txt")
        ftptest.write_file(stale, b"part")
        ftptest.write_file(extra, b"extra\n")
        self.t.start([FERRY, srv.url("/")], cwd=self.lpath("sync"), width=120, height=40,
                     env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10, "both panes")
        self.open_dialog_from_right()
        self.t.keys("d")
        self.t.wait_for(r"deletes on", 5, "d turns deletes on")
        s = self.t.wait_stable(0.3, 3)
        self.assertRegex(s, r"\d+ to copy, 0 to replace \(\d+ B\), 0 to delete", Tmux.framed(s))
        self.t.keys("y")
        self.wait_file(self.lpath("sync", "sub", "b.txt"), b"b\n", 30)
        with open(stale, "rb") as f:
            self.assertEqual(f.read(), b"part")
        with open(extra, "rb") as f:
            self.assertEqual(f.read(), b"extra\n")


# A tree of many small files for the synchronize that queues them all
# (just under the 10,000 entries it reads): in all/, BIG_DIRS folders of
# BIG_FILES files each, every one a byte longer on the local side, so
# each one is a replace the queue gets; the folders' names are long, as
# paths deep in real trees are.
BIG_DIRS = 33
BIG_FILES = 300
BIG_FOLDER = "a-folder-whose-name-is-long-as-in-real-trees-" * 4 + "%03d"
# The longest y may take to queue them, in ms: under ASan it takes about
# 0.5 s with each target found by binary search, near 6 s when each one is
# looked for entry by entry through the other tree.
BIG_QUEUE_MS = 2000


class SyncBigTreeTest(SyncTreeCase):
    """Ctrl-X s on a tree of 9,900 files that all differ: y queues every
    replace within BIG_QUEUE_MS (each queued copy looks its target up in
    the other side's tree), and the keys after it are answered at once."""

    def write_big_tree(self, top, data, mtime):
        for d in range(BIG_DIRS):
            folder = os.path.join(top, "all", BIG_FOLDER % d)
            os.makedirs(folder)
            for f in range(BIG_FILES):
                path = os.path.join(folder, "f%04d.txt" % f)
                with open(path, "wb") as out:
                    out.write(data)
                os.utime(path, (mtime, mtime))
        ftptest.prepare(top)

    def test_queueing_a_big_tree_answers_at_once(self):
        from test_tui_latency import CEILING_MS
        os.makedirs(self.lpath("big"))
        ftptest.write_file(self.lpath("big", LOCAL_MARK), b"local\n", T0)
        self.server.write("big/" + REMOTE_MARK, b"remote\n", T0)
        self.write_big_tree(self.lpath("big"), b"new\n", T0)
        self.write_big_tree(self.server.path("big"), b"old", T0)
        self.t.start([FERRY, self.server.url("/big/")], cwd=self.lpath("big"), width=120,
                     height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10, "both panes")
        self.focus("local")
        self.t.keys("C-x", "s")
        self.t.wait_for(r"Make the right folder \(and below\) match the left one", 120,
                        "Ctrl-X s reads both trees and shows the plan")
        s = self.t.wait_stable(0.3, 5)
        total = BIG_DIRS * BIG_FILES
        self.assertRegex(s, r"1 to copy, %d to replace \([^)]+\), 0 to delete, 1 skipped"
                         % total, Tmux.framed(s))
        timer = big_key_timer(self, "y", BIG_QUEUE_MS, "y queueing %d replaces" % total)
        self.t.wait_for(r"synchronize: %d queued" % (total + 1), 10, "y queues the plan")
        times = timer.sample(["Down", "Up"] * 4, limit_ms=CEILING_MS)
        self.assertLess(max(times), CEILING_MS,
                        "keys after queueing %d: %s\n%s" % (total, tuitest.describe_ms(times),
                                                             Tmux.framed(self.t.screen())))
        self.wait_file(self.server.path("big", "all", BIG_FOLDER % 0, "f0000.txt"), b"new\n", 30)
        self.t.keys("C-x", "x")


class PureFtpdSyncTreeTest(SyncTreeTest):
    """The same against pure-ftpd (peers.py)."""

    def setUp(self):
        super().setUp()
        self.peer = peers.start_peer("pure-ftpd")
        self.addCleanup(self.peer.cleanup)

    def rpath(self, *parts):
        return self.peer.path("pub", *parts)

    def put_remote(self, rel, data, mtime):
        self.peer.write("pub/" + rel, data, mtime)

    def url(self, path):
        return self.peer.url("/pub" + path, self.peer.user, self.peer.password)


if __name__ == "__main__":
    unittest.main(verbosity=2)
