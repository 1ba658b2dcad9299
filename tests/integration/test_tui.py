"""ferry's two-pane TUI, driven as a person uses it: a real ferryd on a
loopback port, `ferry URL` in a private tmux at 120x40 with its working
directory in a temporary local folder, keys sent with send-keys and the
screen read with capture-pane.

The screen checks look for names, percentages and prompts, not for exact
positions; what matters is checked exactly: files on the server's disk and
on the local disk (present, absent, byte for byte), and that ferry still
runs (a dead pane fails the test with its exit status and last screen).

Moving to an entry uses the filter (`/`, part of the name, Enter: the
cursor is on the first match), so no test depends on the order of rows.
Which pane is active is found the same way: a filter that matches nothing
empties the active pane only.
"""

import os
import re
import shutil
import tempfile
import time
import unittest

import config
import ftptest
import peers
import tuitest
from tuitest import Tmux

FERRY = os.path.join(config.BUILDDIR, "client", "ferry")

LOCAL_MARK = "local-only.txt"
REMOTE_MARK = "remote-only.txt"
NOMATCH = "zq9nomatch"

UPLOAD = ftptest.random_bytes(300 * 1024 + 17, seed=1)
DOWNLOAD = ftptest.random_bytes(200 * 1024 + 3, seed=2)
TREE = {
    "ltree/a.txt": b"tree a\n",
    "ltree/sub/b.bin": ftptest.random_bytes(5000, seed=3),
    "ltree/sub/deeper/c.txt": b"tree c\n",
}
BIG = 1 << 30            # sparse on the side that sends it
RATE = 6 << 20           # bytes per second through the throttling relay


def panes(screen):
    """The rows of a screen above the transfer panel (the two panes, the
    top line), where a deleted entry must be gone: the panel lists the
    delete itself."""
    out = []
    for line in screen.split("\n"):
        if line.lstrip().startswith("Transfers:"):
            break
        out.append(line)
    return "\n".join(out)


def require_ferry():
    if not (os.path.isfile(FERRY) and os.access(FERRY, os.X_OK)):
        raise AssertionError("ferry is not built: %s (run make)" % FERRY)


class TuiCase(ftptest.TestCase):
    """A ferryd with the remote fixtures, a local folder with the local
    ones, and ferry in tmux (start_ferry)."""

    server_args = ["--anonymous=rw", "-v"]
    big_remote = False
    named_user = False      # also serve peers.NAMED_USER (home /NAMED_USER)

    def setUp(self):
        require_ferry()
        tuitest.tmux_path()
        srv = ftptest.Server(self.server_args)
        self.addCleanup(srv.cleanup)
        if self.named_user:
            users = os.path.join(srv.base, "users")
            ftptest.write_file(users, "%s:%s:%s:rw\n" % (
                peers.NAMED_USER, ftptest.hash_password(peers.NAMED_PASSWORD),
                peers.NAMED_USER), mode=0o600)
            srv.args += ["-u", users]
            srv.write(os.path.join(peers.NAMED_USER, peers.NAMED_MARKER), b"alice\n")
        srv.write(REMOTE_MARK, b"remote\n")
        srv.write("download-me.bin", DOWNLOAD)
        srv.write("rdir/rdir-inner.txt", b"inner\n")
        srv.write("victim.txt", b"delete me\n")
        srv.write("keep-me.txt", b"keep me\n")
        srv.write("old-name.txt", b"rename me\n")
        for i in (1, 2, 3):
            srv.write("tag-%d.txt" % i, b"tag %d\n" % i)
        now = time.time()
        srv.write("sort-a", b"a" * 1000, mtime=now - 2000)
        srv.write("sort-b", b"b" * 3000, mtime=now - 3000)
        srv.write("sort-c", b"c" * 2000, mtime=now - 1000)
        if self.big_remote:
            big = srv.path("big.bin")
            with open(big, "wb") as f:
                f.truncate(BIG)
            ftptest.prepare(big)
        srv.start()
        self.server = srv

        self.base = tempfile.mkdtemp(prefix="ferry-tui-")
        self.addCleanup(shutil.rmtree, self.base, True)
        self.home = os.path.join(self.base, "home")
        self.local = os.path.join(self.base, "local")
        os.makedirs(self.home)
        os.makedirs(self.local)
        ftptest.write_file(self.lpath(LOCAL_MARK), b"local\n")
        ftptest.write_file(self.lpath("upload-me.bin"), UPLOAD)
        ftptest.write_file(self.lpath("ldir", "ldir-inner.txt"), b"inner\n")
        ftptest.write_file(self.lpath(".hidden-local"), b"hidden\n")
        for rel, data in TREE.items():
            ftptest.write_file(self.lpath(rel), data)

        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.side = None        # "local" or "remote" once known
        self.expect_exit = False
        self.addCleanup(self.check_alive)

    def lpath(self, *parts):
        return os.path.join(self.local, *parts)

    def rpath(self, *parts):
        """Where a name of the remote pane's first folder is on disk."""
        return self.server.path(*parts)

    # -- running ferry --

    def start_ferry(self, url=None, width=120, height=40, wait=True, args=(), env=None,
                    wrap=()):
        """Starts ferry in tmux (through the command wrap when given)."""
        url = self.server.url("/") if url is None else url
        cmd = list(wrap) + [FERRY] + list(args) + ([url] if url else [])
        self.t.start(cmd, cwd=self.local, width=width, height=height,
                     env=dict({"HOME": self.home}, **(env or {})))
        if wait:
            self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                            "both panes listing their files")

    def check_alive(self):
        """Runs last: unless the test quit ferry, it must still run."""
        if self.expect_exit or not self.t.started:
            return
        if self.t.pane_dead():
            self.fail("ferry is no longer running (exit status %s); last screen:\n%s"
                      % (self.t.exit_status(), Tmux.framed(self.t.screen())))

    def assertAlive(self, msg=""):
        time.sleep(0.1)
        if self.t.pane_dead():
            self.fail("%sferry exited (status %s); last screen:\n%s"
                      % (msg + ": " if msg else "", self.t.exit_status(),
                         Tmux.framed(self.t.screen())))

    def fail_screen(self, msg):
        self.fail("%s; screen:\n%s" % (msg, Tmux.framed(self.t.screen())))

    # -- panes and entries --

    def active_side(self):
        """Which pane is active, from the effect of a filter matching
        nothing (the active pane's entries go); the filter is cleared
        again. Only while both panes show their top folders."""
        t = self.t
        t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                   "both marker files listed")
        t.keys("/")
        t.type(NOMATCH)
        s = t.wait_for(lambda s: s if (LOCAL_MARK in s) != (REMOTE_MARK in s) else None, 5,
                       "typing a filter that matches nothing empties the active pane")
        side = "remote" if LOCAL_MARK in s else "local"
        t.keys("Escape")
        t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 5,
                   "Esc clears the filter")
        return side

    def focus(self, side):
        if self.side is None:
            self.side = self.active_side()
        if self.side != side:
            self.t.keys("Tab")
            self.side = side

    def select(self, side, name):
        """Puts the cursor on name in a pane: filter by the name, Enter."""
        self.focus(side)
        self.t.keys("/")
        self.t.type(name)
        self.t.keys("Enter")
        self.t.wait_for(re.escape(name), 5, "the filtered entry %s" % name)
        time.sleep(0.1)

    def clear_filter(self):
        self.t.keys("Escape")

    def wait_disk(self, pred, timeout=20.0, msg="", interval=0.05):
        """Waits (bounded) for a condition on the disk; fails with the screen."""
        if ftptest.wait_until(pred, timeout, interval):
            return
        self.fail_screen("%s (waited %gs)" % (msg, timeout))

    def wait_file(self, path, data, timeout=20.0):
        def same():
            try:
                return ftptest.read_file(path) == data
            except OSError:
                return False
        self.wait_disk(same, timeout, "%s does not hold the expected %d bytes" % (path, len(data)))

    def prompt_line(self, *words):
        """A predicate: a screen line holding every word (case-insensitive)."""
        rxs = [re.compile(re.escape(w), re.I) for w in words]

        def pred(s):
            for line in s.split("\n"):
                if all(r.search(line) for r in rxs):
                    return line
            return None
        pred.__doc__ = "a line with %s" % " and ".join(repr(w) for w in words)
        return pred


class LayoutTest(TuiCase):

    def test_both_panes_list_the_right_files(self):
        self.start_ferry()

        def listed(s):
            for name in (LOCAL_MARK, "upload-me.bin", "ldir", "ltree"):
                self.assertIn(name, s, "local entry missing:\n" + Tmux.framed(s))
            for name in (REMOTE_MARK, "download-me.bin", "rdir", "victim.txt", "tag-2.txt"):
                self.assertIn(name, s, "remote entry missing:\n" + Tmux.framed(s))
        s = self.t.wait_check(listed, 5)
        # Left local, right remote: on a row with both, the local one first.
        lines = s.split("\n")
        row_l = next(i for i, l in enumerate(lines) if LOCAL_MARK in l)
        col_l = lines[row_l].index(LOCAL_MARK)
        row_r = next(i for i, l in enumerate(lines) if REMOTE_MARK in l)
        col_r = lines[row_r].index(REMOTE_MARK)
        self.assertLess(col_l, 60, "the local pane is not on the left:\n" + Tmux.framed(s))
        self.assertGreaterEqual(col_r, 55, "the remote pane is not on the right:\n"
                                + Tmux.framed(s))
        # The connection line and the local path.
        self.assertIn("127.0.0.1:%d" % self.server.port, lines[0],
                      "the top line does not name the connection:\n" + Tmux.framed(s))
        self.assertTrue(self.local in s or os.path.basename(self.local) in s,
                        "the local path is not shown:\n" + Tmux.framed(s))
        # Sizes are shown: download-me.bin is 204803 bytes (200K or so).
        dl_line = next(l for l in lines if "download-me.bin" in l)
        self.assertRegex(dl_line, r"204803|200(\.0)?\s?[Kk]|19\d\.\d\s?[Kk]|20\d\s?[Kk]",
                         "no size beside download-me.bin")
        # Key hints on the bottom rows.
        tail = "\n".join(lines[-3:])
        self.assertRegex(tail, r"F5", "no key hints at the bottom:\n" + Tmux.framed(s))

    def test_help(self):
        self.start_ferry()
        before = self.t.screen()
        self.t.keys("?")
        self.t.wait_change(before, 5, "? shows help")
        # The screen is read once it is drawn whole (it may be caught halfway).
        self.t.wait_for(r"(?is)F5.*F6.*F7.*F8, Delete", 5, "the help lists the F-keys")
        self.t.keys("Escape")
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 5,
                        "Esc closes the help")
        self.assertAlive()

    def test_help_on_a_narrow_screen(self):
        """On a screen too narrow for two useful columns, the help is one
        column (scrolled), so each key's description can be read."""
        self.start_ferry()
        self.t.resize(60, 16)
        self.t.wait_for(r"ferry", 5)
        self.t.keys("?")

        def readable(s):
            for text in ("move up one entry", "move down one entry", "go to the first entry"):
                self.assertIn(text, s, "the help on 60 columns cuts the descriptions:\n"
                              + Tmux.framed(s))
        self.t.wait_check(readable, 5)
        self.t.keys("Escape")
        self.t.wait_gone(r"ferry keys", 5, "Esc closes the help")

    def test_hidden_files_toggle(self):
        self.start_ferry()
        self.focus("local")
        shown = ".hidden-local" in self.t.screen()
        self.t.keys(".")
        if shown:
            self.t.wait_gone(r"\.hidden-local", 5, "`.` hides hidden files")
        else:
            self.t.wait_for(r"\.hidden-local", 5, "`.` shows hidden files")
        self.t.keys(".")
        if shown:
            self.t.wait_for(r"\.hidden-local", 5, "`.` shows hidden files again")
        else:
            self.t.wait_gone(r"\.hidden-local", 5, "`.` hides hidden files again")

    def test_sort_cycles_name_ext_size_date(self):
        self.start_ferry()
        self.focus("remote")
        self.t.keys("/")
        self.t.type("sort-")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: all(n in s for n in ("sort-a", "sort-b", "sort-c")), 5,
                        "the filtered sort-* entries")

        def order(s):
            lines = s.split("\n")
            rows = {}
            for n in ("sort-a", "sort-b", "sort-c"):
                r = [i for i, l in enumerate(lines) if n in l]
                if not r:
                    return None
                rows[n[-1]] = r[0]
            return "".join(sorted(rows, key=rows.get))

        self.assertEqual(order(self.t.screen()), "abc", "sorted by name at first")
        # No extensions: by extension is by name. a 1000 bytes, b 3000, c
        # 2000; c newest, then a, then b.
        expected = [("ext", {"abc"}), ("size", {"bca", "acb"}), ("date", {"cab", "bac"}),
                    ("name", {"abc"})]
        for what, orders in expected:
            self.t.keys("s")
            try:
                self.t.wait_for(lambda s: order(s) in orders, 5)
            except tuitest.TmuxError:
                self.fail_screen("after `s` the rows should be sorted by %s (%s), got %s"
                                 % (what, " or ".join(sorted(orders)), order(self.t.screen())))

    def test_refresh_shows_new_remote_file(self):
        self.start_ferry()
        self.focus("remote")
        self.server.write("appeared-later.txt", b"new\n")
        self.t.keys("C-r")
        self.t.wait_for("appeared-later.txt", 5, "Ctrl-R shows a file made on the server")

    def test_utf8_and_control_characters_sanitised(self):
        self.server.write("\u017c\u00f3\u0142w-\u00fcn\u00ef.txt", b"utf8\n")
        self.server.write("ctl\x1b[7mname\x07.txt", b"ctl\n")
        self.start_ferry()
        self.t.wait_for("\u017c\u00f3\u0142w-\u00fcn\u00ef.txt", 5, "a UTF-8 name")
        s = self.t.wait_check(lambda s: self.assertRegex(
            s, r"ctl.{0,4}\[7mname", "the name with control characters is "
            "not shown (sanitised):\n" + Tmux.framed(s)), 5)
        self.assertNotIn("ctlname", s, "the escape sequence in a remote name reached the "
                         "terminal:\n" + Tmux.framed(s))


class NavigationTest(TuiCase):

    def test_enter_folder_and_back_local(self):
        self.start_ferry()
        self.select("local", "ldir")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "ldir-inner.txt" in s and LOCAL_MARK not in s, 5,
                        "Enter opens the local folder ldir")
        self.clear_filter()
        self.t.keys("BSpace")
        self.t.wait_for(lambda s: LOCAL_MARK in s and "ldir-inner.txt" not in s, 5,
                        "Backspace goes back up")

    def test_enter_folder_and_back_remote(self):
        self.start_ferry()
        self.select("remote", "rdir")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "rdir-inner.txt" in s and REMOTE_MARK not in s, 5,
                        "Enter opens the remote folder rdir")
        self.t.wait_check(lambda s: self.assertIn("/rdir", s, "the remote path is not shown"), 5)
        self.clear_filter()
        self.t.keys("BSpace")
        self.t.wait_for(lambda s: REMOTE_MARK in s and "rdir-inner.txt" not in s, 5,
                        "Backspace goes back up")

    def test_cursor_keys_answer(self):
        # Every movement key is taken without ending the program.
        self.start_ferry()
        for side in ("local", "remote"):
            self.focus(side)
            self.t.keys("Down", "j", "k", "Up", "NPage", "PPage", "End", "Home", delay=0.05)
            self.assertAlive("moving in the %s pane" % side)
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 5)


class FileOpsTest(TuiCase):

    def test_upload_with_f5(self):
        self.start_ferry()
        self.select("local", "upload-me.bin")
        self.t.keys("F5")
        self.wait_file(self.rpath("upload-me.bin"), UPLOAD)
        self.clear_filter()
        self.focus("remote")
        self.t.wait_for(lambda s: s.count("upload-me.bin") >= 2, 10,
                        "the remote pane lists the upload once it is done")

    def test_download_with_f5(self):
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        self.clear_filter()
        self.t.wait_for(lambda s: s.count("download-me.bin") >= 2, 10,
                        "the local pane lists the download once it is done")

    def test_upload_directory_recursively(self):
        self.start_ferry()
        self.select("local", "ltree")
        self.t.keys("F5")
        want = {k: v for k, v in ftptest.tree_snapshot(self.lpath("ltree")).items()}
        self.wait_disk(lambda: os.path.isdir(self.server.path("ltree")) and
                       ftptest.tree_snapshot_now(self.server.path("ltree")) == want,
                       20, "ltree was not uploaded whole")

    def test_delete_asks_no_keeps_yes_deletes(self):
        self.start_ferry()
        victim = self.server.path("victim.txt")
        self.select("remote", "victim.txt")
        # F8, then n: kept.
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "victim.txt"), 5,
                        "F8 asks, naming the file")
        self.t.keys("n")
        self.t.wait_for(lambda s: not self.prompt_line("delete", "victim.txt")(s)
                        and "nothing deleted" in s.rstrip("\n").split("\n")[-1], 5,
                        "n closes the question, saying nothing was deleted")
        self.assertTrue(os.path.exists(victim), "F8 then n deleted the file")
        # F8, then Enter: the default is No.
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "victim.txt"), 5, "F8 asks again")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: not self.prompt_line("delete", "victim.txt")(s)
                        and "nothing deleted" in s.rstrip("\n").split("\n")[-1], 5,
                        "Enter closes the question, saying nothing was deleted")
        self.assertTrue(os.path.exists(victim), "F8 then Enter (default No) deleted the file")
        # F8, then y: gone from the disk and the pane.
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "victim.txt"), 5, "F8 asks a third time")
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.exists(victim), 10, "F8 then y left the file")
        self.clear_filter()
        self.t.wait_for(lambda s: "victim.txt" not in panes(s) and REMOTE_MARK in s, 10,
                        "the deleted file leaves the pane")
        self.assertTrue(os.path.exists(self.server.path("keep-me.txt")))

    def test_delete_key_local_file(self):
        self.start_ferry()
        self.select("local", LOCAL_MARK)
        self.t.keys("DC")
        self.t.wait_for(self.prompt_line("delete", LOCAL_MARK), 5,
                        "Delete asks, naming the file")
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.exists(self.lpath(LOCAL_MARK)), 10,
                       "Delete then y left the local file")

    def test_delete_tagged_names_the_count(self):
        self.start_ferry()
        for i in (1, 2, 3):
            self.select("remote", "tag-%d.txt" % i)
            self.t.keys("IC" if i == 2 else "Space")   # Insert tags too
            time.sleep(0.1)
            self.clear_filter()
            self.t.wait_for("keep-me.txt", 5)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "3"), 5,
                        "F8 on 3 tagged files asks, with the count")
        self.t.keys("y")
        self.wait_disk(lambda: not any(os.path.exists(self.server.path("tag-%d.txt" % i))
                                       for i in (1, 2, 3)), 10,
                       "the tagged files were not all deleted")
        self.assertTrue(os.path.exists(self.server.path("keep-me.txt")),
                        "an untagged file was deleted")
        self.assertTrue(os.path.exists(self.server.path("victim.txt")),
                        "an untagged file was deleted")

    def check_delete_tree(self, side, top, root):
        """F8 on the non-empty directory top (at root on the disk): n keeps
        the whole tree, y removes it."""
        files = {os.path.join(top, "a.txt"): b"a\n",
                 os.path.join(top, "nested", "b.txt"): b"b\n",
                 os.path.join(top, "nested", "deeper", "c.txt"): b"c\n"}
        for rel, data in files.items():
            ftptest.write_file(os.path.join(root, rel), data)
        os.makedirs(os.path.join(root, top, "nested", "empty"))
        ftptest.prepare(os.path.join(root, top))
        self.start_ferry()
        self.select(side, top)
        asks = self.prompt_line("delete directory", top, "everything")
        self.t.keys("F8")
        self.t.wait_for(asks, 5, "F8 on a non-empty directory names it as a directory")
        self.t.keys("n")
        self.t.wait_for(lambda s: not asks(s)
                        and "nothing deleted" in s.rstrip("\n").split("\n")[-1], 5,
                        "n closes the question, saying nothing was deleted")
        for rel in files:
            self.assertTrue(os.path.exists(os.path.join(root, rel)),
                            "F8 then n deleted %s" % rel)
        self.t.keys("F8")
        self.t.wait_for(asks, 5, "F8 asks again")
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.lexists(os.path.join(root, top)), 10,
                       "F8 then y left the directory %s" % top)
        self.clear_filter()
        self.t.wait_for(lambda s: top not in panes(s), 10,
                        "the deleted directory leaves the pane")

    def test_delete_remote_directory_recursively(self):
        self.check_delete_tree("remote", "wipe-rtree", self.server.path())

    def test_delete_local_directory_recursively(self):
        self.check_delete_tree("local", "wipe-ltree", self.local)

    def test_delete_local_link_to_directory_removes_the_link(self):
        outside = os.path.join(self.base, "outside")
        ftptest.write_file(os.path.join(outside, "precious.txt"), b"keep\n")
        ftptest.write_file(os.path.join(outside, "sub", "also.txt"), b"keep too\n")
        link = self.lpath("wipe-link")
        os.symlink(outside, link)
        self.start_ferry()
        self.select("local", "wipe-link")
        self.t.keys("F8")
        asks = self.prompt_line("delete", "wipe-link")
        self.t.wait_for(asks, 5, "F8 on a link asks, naming it")
        self.assertNotRegex(asks(self.t.screen()), r"(?i)everything",
                            "a link to a directory is offered as a whole tree")
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.lexists(link), 10, "F8 then y left the link")
        self.assertTrue(os.path.isfile(os.path.join(outside, "precious.txt")),
                        "deleting the link deleted a file it points to")
        self.assertTrue(os.path.isfile(os.path.join(outside, "sub", "also.txt")),
                        "deleting the link deleted a file it points to")

    def test_mkdir_with_f7(self):
        self.start_ferry()
        self.focus("remote")
        before = self.t.screen()
        self.t.keys("F7")
        self.t.wait_change(before, 5, "F7 opens a dialog")
        self.t.type("made-by-f7")
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.isdir(self.server.path("made-by-f7")), 10,
                       "F7 made no remote directory")
        self.t.wait_for("made-by-f7", 5, "the new directory is listed")
        # And in the local pane.
        self.focus("local")
        before = self.t.screen()
        self.t.keys("F7")
        self.t.wait_change(before, 5, "F7 opens a dialog")
        self.t.type("local-f7")
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.isdir(self.lpath("local-f7")), 10,
                       "F7 made no local directory")

    def test_mkdir_dot_names_are_refused_so(self):
        """F7 with "." or ".." says these are not names a folder can be
        made with (not that the name holds a '/'), and makes nothing."""
        self.start_ferry()
        for side in ("remote", "local"):
            self.focus(side)
            for name in (".", ".."):
                self.t.keys("F7")
                self.t.wait_for(self.prompt_line("New directory name"), 5, "F7 opens a dialog")
                self.t.type(name)
                self.t.keys("Enter")
                line = self.t.wait_for(self.prompt_line('"." and ".." are not names'), 5,
                                       "F7 with %r in the %s pane" % (name, side))
                self.assertIn("folder", line)
                self.assertNotIn("/", line)
                self.assertAlive("after F7 with %r" % name)
                # Another message replaces it before the next try.
                self.t.keys("/")
                self.t.wait_for(r"filter: ", 5)
                self.t.keys("Escape")
                self.t.wait_for(r"filter cleared", 5)
        # F6 to "." or ".." says the same kind of thing.
        self.select("remote", "old-name.txt")
        self.t.keys("F6")
        self.t.wait_for(self.prompt_line("rename", "old-name.txt"), 5)
        self.t.keys(*(["BSpace"] * 20))
        self.t.type("..")
        self.t.keys("Enter")
        self.t.wait_for(self.prompt_line('"." and ".." are not names', "renamed"), 5,
                        "F6 to ..")
        self.assertTrue(os.path.isfile(self.server.path("old-name.txt")))

    def test_rename_with_f6(self):
        self.start_ferry()
        self.select("remote", "old-name.txt")
        before = self.t.screen()
        self.t.keys("F6")
        self.t.wait_change(before, 5, "F6 opens a dialog")
        # The field may hold the old name: erase it.
        self.t.keys(*(["BSpace"] * 20))
        self.t.type("new-name.txt")
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.exists(self.server.path("new-name.txt")), 10,
                       "F6 did not rename old-name.txt to new-name.txt")
        self.assertFalse(os.path.exists(self.server.path("old-name.txt")))
        self.assertEqual(ftptest.read_file(self.server.path("new-name.txt")), b"rename me\n")
        self.clear_filter()
        self.t.wait_for("new-name.txt", 5, "the renamed file is listed")

    def test_overwrite_question(self):
        # download-me.bin exists locally with other bytes: F5 asks.
        ftptest.write_file(self.lpath("download-me.bin"), b"older local copy\n")
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 5,
                        "an existing target asks Overwrite / Skip / Resume / Rename")

        def asks(s):
            for word in ("Overwrite", "Skip", "Resume", "Rename"):
                self.assertRegex(s, "(?i)" + word, "the question lacks %s" % word)
            self.assertRegex(s, r"(?i)all", "the question has no 'apply to all'")
        self.t.wait_check(asks, 5)
        self.t.keys("o")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)

    def test_overwrite_question_for_file_in_copied_directory(self):
        # ltree exists on the server with an older a.txt: uploading ltree
        # asks about a.txt itself; Skip keeps it, the other files go.
        self.server.write("ltree/a.txt", b"older remote a\n")
        self.start_ferry()
        self.select("local", "ltree")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("a.txt"), 10,
                        "the question names the existing file inside the directory")
        self.t.wait_for(self.prompt_line("overwrite"), 5, "the Overwrite / Skip question")
        self.t.keys("s")
        self.wait_file(self.server.path("ltree/sub/deeper/c.txt"), TREE["ltree/sub/deeper/c.txt"])
        self.wait_file(self.server.path("ltree/sub/b.bin"), TREE["ltree/sub/b.bin"])
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10, "the folder copy ends")
        self.assertEqual(ftptest.read_file(self.server.path("ltree/a.txt")),
                         b"older remote a\n", "Skip replaced the file")

    def test_overwrite_question_for_file_in_downloaded_directory(self):
        ftptest.write_file(self.lpath("rdir", "rdir-inner.txt"), b"older local\n")
        self.start_ferry()
        self.select("remote", "rdir")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("rdir-inner.txt"), 10,
                        "the question names the existing file inside the directory")
        self.t.keys("o")
        self.wait_file(self.lpath("rdir", "rdir-inner.txt"), b"inner\n")

    def test_error_in_status_line_keeps_running(self):
        self.start_ferry()
        self.focus("remote")
        before = self.t.screen()
        self.t.keys("F7")
        self.t.wait_change(before, 5, "F7 opens a dialog")
        self.t.type("rdir")             # exists already: the server refuses
        self.t.keys("Enter")
        self.t.wait_for(r"(?i)550|exist|fail|error|cannot|can't|denied", 10,
                        "an error in the status line")
        self.assertAlive("after a refused MKD")
        self.t.keys("C-r")
        self.t.wait_for(REMOTE_MARK, 5, "the program goes on after an error")


class DroppedConnectionTest(TuiCase):
    """The server closes an idle control connection after 2 s; the next
    action reopens it."""

    server_args = ["--anonymous=rw", "--idle-timeout", "2"]

    def test_refresh_after_idle_drop_reconnects(self):
        self.start_ferry()
        self.focus("remote")
        self.assertTrue(self.server.wait_log(r"result=idle timeout", 6.0),
                        "the server did not close the idle connection")
        self.server.write("after-drop.txt", b"new\n")
        self.t.keys("C-r")
        self.t.wait_for("after-drop.txt", 10, "Ctrl-R after the drop lists the folder")
        # The connection stays usable.
        self.server.write("after-drop-2.txt", b"new\n")
        self.t.keys("C-r")
        self.t.wait_for("after-drop-2.txt", 10, "a second Ctrl-R after the reconnection")
        self.assertGreaterEqual(len(re.findall(r"session start", self.server.log_text())), 2,
                                "ferry did not open a new control connection")
        self.assertAlive("after the dropped connection")

    def test_enter_folder_after_idle_drop_reconnects(self):
        self.start_ferry()
        self.select("remote", "rdir")
        self.assertTrue(self.server.wait_log(r"result=idle timeout", 6.0),
                        "the server did not close the idle connection")
        self.t.keys("Enter")
        self.t.wait_for("rdir-inner.txt", 10, "Enter after the drop opens rdir")
        # And it stays usable: back up.
        self.clear_filter()
        self.t.keys("BSpace")
        self.t.wait_for(REMOTE_MARK, 10, "Backspace after the reconnection")


def colour_sgrs(screen_with_escapes):
    """The SGR sequences of a captured screen that set a colour
    (30-37, 40-47, 90-97, 100-107, 38;..., 48;...)."""
    found = []
    for m in re.finditer(r"\x1b\[([0-9;:]*)m", screen_with_escapes):
        for p in re.split(r"[;:]", m.group(1)):
            n = int(p) if p.isdigit() else 0
            if 30 <= n <= 38 or 40 <= n <= 48 or 90 <= n <= 97 or 100 <= n <= 107:
                found.append(m.group(0))
                break
    return found


class ColourTest(TuiCase):
    """Colours by default, none under NO_COLOR, attributes alone on a
    terminal without colours."""

    def start_with_env(self, env):
        # Through env(1): tmux sets TERM itself, after the -e variables.
        cmd = ["env"] + ["%s=%s" % kv for kv in sorted(env.items())]
        cmd += [FERRY, self.server.url("/")]
        full = {"HOME": self.home}
        self.t.start(cmd, cwd=self.local, width=120, height=40, env=full)
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                        "both panes listing their files")
        self.t.wait_stable(0.3, 3)

    def test_colours_by_default(self):
        self.start_with_env({})
        s = self.t.screen(escapes=True)
        self.assertTrue(colour_sgrs(s), "no colour on a colour terminal:\n%r" % s[:2000])

    def test_no_color_draws_without_colour(self):
        self.start_with_env({"NO_COLOR": "1"})
        s = self.t.screen(escapes=True)
        self.assertEqual(colour_sgrs(s), [], "colours drawn although NO_COLOR is set")
        self.assertIsNotNone(self.active_side_by_highlight(),
                             "no pane is marked active under NO_COLOR")

    def active_side_by_highlight(self):
        """'left' or 'right': the half of the screen where the row with
        the cursor (highlighted, not the key bar or a header) holds an
        entry name."""
        s = self.t.screen(escapes=True)
        half = self.t.width // 2
        left = right = 0
        rows = s.split("\n")
        last = len(rows) - 4
        for row, col, ch in tuitest.highlighted_cells(s):
            if 1 <= row < last and ch.strip():
                if col < half:
                    left += 1
                else:
                    right += 1
        return "left" if left > right else "right" if right > left else None

    def test_monochrome_terminal_marks_the_active_pane(self):
        self.start_with_env({"TERM": "vt100", "NO_COLOR": ""})
        s = self.t.screen(escapes=True)
        self.assertEqual(colour_sgrs(s), [], "colours on a vt100")
        first = self.active_side_by_highlight()
        self.assertIsNotNone(first, "no pane is marked active on a vt100:\n%s"
                             % Tmux.framed(self.t.screen()))
        self.t.keys("Tab")
        second = self.t.wait_for(
            lambda _s: (lambda side: side if side and side != first else None)(
                self.active_side_by_highlight()),
            5, "Tab moves the highlight to the other pane on a vt100")
        self.assertNotEqual(first, second)
        self.assertAlive("on a vt100")


class ConnectTest(TuiCase):

    def test_no_url_opens_connect_dialog(self):
        self.start_ferry(url="", wait=False)
        s = self.t.wait_for(r"(?i)not connected", 10, "the top line says not connected")
        self.t.wait_for(LOCAL_MARK, 5, "the local pane lists its files")
        # The site manager is open, then the connect dialog: answer its fields as they come (a URL
        # or host, the port, the user, the password).
        answered = []
        deadline = time.monotonic() + 20
        while REMOTE_MARK not in self.t.screen():
            if time.monotonic() > deadline:
                self.fail_screen("the connect dialog did not connect (answered %s)" % answered)
            s = self.t.wait_stable(0.3, 3)
            if REMOTE_MARK in s:
                break
            if "New connection" in s:    # the site manager: a new connection
                self.t.keys("Enter")
                self.t.wait_change(s, 5, "the site manager opens the connect dialog")
                continue
            field = None
            for rx, value in ((r"TLS for .*:", ""),   # a choice: Enter keeps it
                              (r"(?i)\bport\b[^:\n]*:", str(self.server.port)),
                              (r"(?i)\bpass(word)?\b[^:\n]*:", "guest@example.org"),
                              (r"(?i)\buser(name)?\b[^:\n]*:", "anonymous"),
                              (r"(?i)\b(host|url|server|address)\b.*:", "127.0.0.1")):
                if re.search(rx, s):
                    field = (rx, value)
                    break
            if field is None or len(answered) > 8:
                time.sleep(0.2)
                continue
            self.t.keys(*(["BSpace"] * 30))
            self.t.type(field[1])
            self.t.keys("Enter")
            answered.append(field[1])
            self.t.wait_change(s, 5, "the dialog takes %s" % field[1])
        self.t.wait_for("127.0.0.1:%d" % self.server.port, 5, "the top line names the host")


class CredentialsTest(TuiCase):
    """The TUI finds its login by the same rule as the command line."""

    named_user = True

    def test_user_option_overrides_url_password_from_netrc(self):
        """-u names the user even when the URL names another; the URL's
        password is not used for it: ~/.netrc's is."""
        ftptest.write_file(os.path.join(self.home, ".netrc"),
                           "machine %s login %s password %s\n"
                           % (ftptest.HOST, peers.NAMED_USER, peers.NAMED_PASSWORD),
                           mode=0o600)
        url = self.server.url("/", "nosuchuser", "wrong-password")
        self.start_ferry(url=url, wait=False, args=["-u", peers.NAMED_USER])
        self.t.wait_for(lambda s: peers.NAMED_MARKER in s and LOCAL_MARK in s, 10,
                        "the remote pane listing %s's home" % peers.NAMED_USER)
        self.assertTrue(self.server.wait_log(r"login: peer=\S+ user=%s\b" % peers.NAMED_USER),
                        "no login as %s in the server log" % peers.NAMED_USER)


class QuitResizeTest(TuiCase):

    def test_quit_with_q(self):
        self.start_ferry()
        self.t.keys("q")
        self.expect_exit = True
        self.assertEqual(self.t.wait_exit(5), 0, "q should end ferry with status 0")

    def test_quit_with_f10(self):
        self.start_ferry()
        self.t.keys("F10")
        self.expect_exit = True
        self.assertEqual(self.t.wait_exit(5), 0, "F10 should end ferry with status 0")

    def test_resize(self):
        self.start_ferry()
        self.t.resize(80, 24)
        self.assertEqual(self.t.size(), (80, 24))
        # Names may be shortened in narrower panes.
        self.t.wait_for(lambda s: "local-only" in s and "remote-only" in s, 5,
                        "both panes at 80x24")
        self.t.resize(40, 12)
        self.t.wait_stable(0.3, 3)
        self.assertAlive("at 40x12")
        self.t.keys("Down", "Tab", "Up", delay=0.05)
        self.assertAlive("keys at 40x12")
        for w, h in ((20, 5), (1, 1), (10, 3)):
            self.t.resize(w, h)
            time.sleep(0.2)
            self.assertAlive("at %dx%d" % (w, h))
        self.t.resize(120, 40)
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 5,
                        "both panes back at 120x40")
        lines = self.t.screen().split("\n")
        self.assertIn("127.0.0.1:%d" % self.server.port, lines[0],
                      "the top line after resizing back")
        self.t.keys("q")
        self.expect_exit = True
        self.assertEqual(self.t.wait_exit(5), 0)


class LargeTransferTest(TuiCase):
    """1 GiB through a relay that slows the data to RATE bytes a second."""

    big_remote = True

    def setUp(self):
        super().setUp()
        self.proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=RATE)
        self.addCleanup(self.proxy.close)

    def transfer_line(self, name):
        """A predicate: the progress line of name (name and a percentage)."""
        pct = re.compile(r"\b\d{1,3}(?:\.\d)?\s?%")

        def pred(s):
            for line in s.split("\n"):
                if name in line and pct.search(line):
                    return line
            return None
        pred.__doc__ = "a progress line of %s with a percentage" % name
        return pred

    def browse_and_check_progress(self, name):
        t = self.t
        first = t.wait_for(self.transfer_line(name), 15, "the transfer's progress bar")
        # Browsing answers while the transfer runs.
        side = "remote" if self.side == "local" else "local"
        if side == "local":
            self.select("local", "ldir")
            t.keys("Enter")
            t0 = time.monotonic()
            t.wait_for("ldir-inner.txt", 3, "opening a folder during the transfer")
            self.clear_filter()
            t.keys("BSpace")
            t.wait_for(LOCAL_MARK, 3, "going up during the transfer")
        else:
            self.select("remote", "rdir")
            t.keys("Enter")
            t0 = time.monotonic()
            t.wait_for("rdir-inner.txt", 3, "opening a folder during the transfer")
            self.clear_filter()
            t.keys("BSpace")
            t.wait_for(REMOTE_MARK, 3, "going up during the transfer")
        self.assertLess(time.monotonic() - t0, 5)
        # The bar advances.
        t.wait_for(lambda s: (self.transfer_line(name)(s) or first) != first, 10,
                   "the progress line of %s changes" % name)
        return first

    def test_download_browse_cancel(self):
        self.start_ferry(url=self.proxy.url("/"))
        self.select("remote", "big.bin")
        self.t.keys("F5")
        self.clear_filter()
        self.browse_and_check_progress("big.bin")
        self.assertFalse(os.path.exists(self.lpath("big.bin")) and
                         os.path.getsize(self.lpath("big.bin")) == BIG,
                         "the transfer should still run")
        # Cancel.
        self.t.keys("x")
        m = self.server.wait_log(r"<- ABOR", 10)
        self.assertTrue(m, "no ABOR reached the server after x; log:\n%s"
                        % self.server.log_tail(20))
        self.t.wait_for(lambda s: not self.transfer_line("big.bin")(s), 10,
                        "the cancelled transfer leaves the panel")
        time.sleep(1.0)
        self.assertFalse(os.path.exists(self.lpath("big.bin")),
                         "a cancelled download left big.bin (%s bytes) under its real name"
                         % (os.path.getsize(self.lpath("big.bin"))
                            if os.path.exists(self.lpath("big.bin")) else "?"))
        self.assertAlive("after cancelling")

    def test_upload_quit_asks_then_cancel(self):
        big = self.lpath("big-up.bin")
        with open(big, "wb") as f:
            f.truncate(BIG)
        self.start_ferry(url=self.proxy.url("/"))
        self.select("local", "big-up.bin")
        self.t.keys("F5")
        self.clear_filter()
        self.browse_and_check_progress("big-up.bin")
        # q while a transfer runs asks first.
        self.t.keys("q")
        self.t.wait_for(r"(?i)(transfer|running|quit|exit).*\?|\?.*(y/n|yes)", 5,
                        "q during a transfer asks")
        time.sleep(0.5)
        self.assertAlive("q during a transfer")
        self.t.keys("n")
        self.t.wait_stable(0.3, 3)
        self.assertAlive("answering n to the quit question")
        self.t.wait_for(self.transfer_line("big-up.bin"), 5, "the transfer goes on after n")
        # Cancel: nothing half-written under the real name on the server.
        self.t.keys("x")
        self.t.wait_for(lambda s: not self.transfer_line("big-up.bin")(s), 10,
                        "the cancelled transfer leaves the panel")
        time.sleep(1.0)
        path = self.server.path("big-up.bin")
        self.assertFalse(os.path.exists(path) and os.path.getsize(path) != BIG,
                         "a cancelled upload left big-up.bin (%s bytes) under its real name"
                         % (os.path.getsize(path) if os.path.exists(path) else "?"))
        # Now q quits.
        self.t.keys("q")
        self.expect_exit = True
        try:
            status = self.t.wait_exit(5)
        except tuitest.TmuxError as e:
            self.expect_exit = False
            self.fail("q after the transfer was cancelled: %s" % e)
        self.assertEqual(status, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
