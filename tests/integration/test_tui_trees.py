"""Folder copies and deletes of the two-pane client against servers that
are hard to walk (slowftp.SlowFtp):

  - a server that will not name its directory (no PWD): F5 of a remote
    link still tells a link to a folder (copied whole) from a link to a
    file (copied as the file), and the transfer process's connection
    stays where it was (a later copy of a plain folder works);
  - entries a folder copy leaves out (a link, the lines of a listing the
    client does not understand) are rows of the transfer panel saying
    why, in the words of get -r, and the status line's "queue finished"
    counts them;
  - F8 of a remote folder whose listing has a line not understood says
    so when the folder cannot be removed (the entry behind that line
    is still there);
  - F5 of a remote folder holding a folder the server refuses to list
    (mode 000 on the server's side; ferryd, vsftpd) copies the rest of the tree; the folder
    is a failed row with the server's refusal, which "queue finished"
    counts;
  - F8 of that remote folder deletes the rest of the tree; the folder
    and the one above it stay, and the delete's row and the status line
    fail naming the folder and the server's refusal, the status line
    after the queue's counts;
  - F8 of a remote folder holding a folder ferryd may not change stops
    at the file it cannot delete; the status line counts the failure
    after "queue finished" and says what failed, as it does for a tree
    delete that works, and the pane shows what is left;
  - F5 of a local folder holding a folder ferry cannot read (mode 000,
    ferry run without root's override) uploads the rest of the tree and
    makes no remote folder for it; it is a failed row saying why, which
    "queue finished" counts, and r uploads it once it can be read;
  - a running transfer's row on a screen 60 to 74 columns wide fits the
    row: its percentage, rate and ETA whole (the sizes done and in all
    go first), the name shortened with an ellipsis and its end (the
    extension) shown.

Built on test_tui.TuiCase: ferry in tmux at 120x40, with the local
fixtures; the remote pane is the SlowFtp.
"""

import os
import re
import sys
import unittest

import ftptest
import peers
import slowftp
from test_tui import TuiCase, REMOTE_MARK, panes
from test_tui_queue import panel
from tuitest import Tmux

# Runs ferry as root without root's way past permission bits.
NO_DAC = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "syscall_limits.py"), "--no-dac-override", "--"]

# A line of a listing that is neither MLSD nor LIST.
BAD_LINE = "this is no listing line"


class TreeCopyCase(TuiCase):
    """F5 of a remote folder, waited for to its end."""

    def copy_tree(self, name, files, absent, finished, why):
        """Copies the remote folder name with F5, waits for files ({local
        path below name: bytes}), checks absent (below name) was not made,
        shows the whole queue and waits for the status line's finished
        (a pattern; why says what it shows); returns the panel's rows."""
        self.select("remote", name)
        self.t.keys("F5")
        for rel, data in files.items():
            self.wait_file(self.lpath(name, *rel.split("/")), data)
        self.assertFalse(os.path.lexists(self.lpath(name, absent)))
        self.t.keys("t")    # the whole queue in view
        self.t.wait_for(finished, 20, why)
        return "\n".join(panel(self.t.screen()))


class NoPwdLinksTest(TuiCase):
    """F5 of remote links on a server without PWD."""

    def setUp(self):
        super().setUp()
        tree = {REMOTE_MARK: b"remote\n", "real/a.txt": b"a\n", "real/sub/b.txt": b"b\n",
                "plain/c.txt": b"c\n"}
        self.srv = slowftp.SlowFtp(tree=tree, no_pwd=True,
                                   links={"/dlink": "/real", "/flink": "/real/a.txt"}).start()
        self.addCleanup(self.srv.stop)
        self.start_ferry(url=self.srv.url("/"))

    def done(self):
        m = re.search(r"Transfers: (\d+) running, (\d+) queued, (\d+) failed, (\d+) done",
                      self.t.screen())
        return m is not None and m.group(1) == m.group(2) == m.group(3) == "0"

    def copy(self, name):
        self.select("remote", name)
        self.t.keys("F5")
        self.clear_filter()

    def test_f5_tells_a_link_to_a_folder_from_a_link_to_a_file(self):
        self.copy("dlink")
        self.wait_file(self.lpath("dlink", "a.txt"), b"a\n")
        self.wait_file(self.lpath("dlink", "sub", "b.txt"), b"b\n")
        self.copy("flink")
        self.wait_file(self.lpath("flink"), b"a\n")
        # The transfer process is where it was: a plain folder after them.
        self.copy("plain")
        self.wait_file(self.lpath("plain", "c.txt"), b"c\n")
        self.wait_disk(self.done, 20, "the copies end, none failed")
        with self.srv.lock:
            log = list(self.srv.log)
        self.assertNotIn("CWD dlink", log, "the test of the link moved the connection")


    def test_f5_of_a_folder_now_a_file(self):
        """F5 of a folder the server has since replaced by a file: the copy
        fails saying it is not a directory on the server (as mirror and
        get -r say it), not with the reply to SIZE that told it so;
        nothing is made."""
        with self.srv.lock:
            del self.srv.tree["plain/c.txt"]
            self.srv.tree["plain"] = b"now a file\n"
        self.copy("plain")
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 1 failed", 20, "the copy fails")
        rows = "\n".join(panel(self.t.screen()))
        self.assertRegex(rows, r"failed .*plain.*: not a directory on the server", rows)
        self.assertNotRegex(rows, r"213 ", rows)
        self.assertFalse(os.path.lexists(self.lpath("plain")), rows)


class LeftOutTest(TreeCopyCase):
    """A remote folder with a link and a sub-folder whose listing has a
    line not understood."""

    def setUp(self):
        super().setUp()
        tree = {REMOTE_MARK: b"remote\n", "rtree/a.txt": b"a\n", "rtree/sub/b.txt": b"b\n"}
        self.srv = slowftp.SlowFtp(tree=tree, links={"/rtree/ln": "/rtree/a.txt"},
                                   bad_lines={"/rtree/sub": [BAD_LINE]}).start()
        self.addCleanup(self.srv.stop)
        self.start_ferry(url=self.srv.url("/"))

    def test_f5_lists_what_the_copy_left_out(self):
        rows = self.copy_tree("rtree", {"a.txt": b"a\n", "sub/b.txt": b"b\n"}, "ln",
                              r"queue finished: 3 done, 0 failed, 2 skipped or left out",
                              "the status line counts the entries left out")
        s = self.t.screen()
        self.assertRegex(rows, r"skipped .*rtree/ln .*a symbolic link", rows)
        self.assertRegex(rows, r"skipped .*rtree/sub .*the listing had 1 line not understood, "
                         r"left out \(the first: \"%s\"\)" % BAD_LINE, rows)
        self.assertRegex(panel(s)[0], r"Transfers: 0 running, 0 queued, 0 failed, 3 done, "
                         r"2 skipped")
        # The folder's own row says it is listed only while it is.
        self.assertRegex(rows, r"done +<- .*rtree/", rows)
        self.assertNotIn("listing the tree", rows)

    def test_f8_says_what_the_listing_left(self):
        self.select("remote", "rtree")
        self.t.keys("F8")
        self.t.wait_for(r"(?i)delete", 5, "F8 asks")
        self.t.keys("y")
        self.t.wait_for(r"queue finished: 0 done, 1 failed; /rtree: the listing of /rtree/sub "
                        r"had 1 line not understood", 20, "the delete names the listing")
        # After the queue's counts the whole of it needs a wider line.
        self.t.resize(160, 40)
        self.t.wait_for(r"the listing of /rtree/sub had 1 line not understood, left out "
                        r"\(the first: \"%s\"\)" % BAD_LINE, 5,
                        "the delete names the line not understood")
        s = self.t.screen()
        self.assertIn("rtree", panes(s), "the folder was removed")
        self.assertNotIn("rtree/ln", self.srv.links, "the link stayed")


class UnreadableFolder:
    """A remote folder with a sub-folder the server refuses to list; kind
    names the server (peers.start_peer)."""

    kind = None

    def setUp(self):
        super().setUp()
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        for rel, data in ((REMOTE_MARK, b"remote\n"), ("utree/a.txt", b"a\n"),
                          ("utree/locked/b.txt", b"b\n"), ("utree/z/c.txt", b"c\n")):
            peer.write("pub/" + rel, data)
        self.locked = peer.path("pub", "utree", "locked")
        os.chmod(self.locked, 0)
        self.addCleanup(os.chmod, self.locked, 0o755)
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))

    def test_f5_copies_the_rest_and_fails_the_folder(self):
        rows = self.copy_tree("utree", {"a.txt": b"a\n", "z/c.txt": b"c\n"}, "locked",
                              r"queue finished: 3 done, 1 failed",
                              "the status line counts the folder not read")
        self.assertRegex(rows, r"failed .*utree/locked/ .*(?i:permission denied|failed)", rows)
        self.assertRegex(panel(self.t.screen())[0],
                         r"Transfers: 0 running, 0 queued, 1 failed, 3 done", rows)
        self.assertNotIn("listing the tree", rows)
        # Once the server lets it be read, r copies it.
        os.chmod(self.locked, 0o755)
        self.t.keys("r")
        self.wait_file(self.lpath("utree", "locked", "b.txt"), b"b\n")


    def test_f8_deletes_the_rest_and_fails_the_folder(self):
        self.select("remote", "utree")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", "utree"), 5, "F8 asks")
        self.t.keys("y")
        self.t.keys("t")    # the whole queue in view
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 1 failed, 0 done", 20,
                        "the panel counts the delete that failed")
        s = self.t.screen()
        rows = "\n".join(panel(s))
        self.assertRegex(rows, r"failed +rm .*utree/ 3 removed +cannot delete .*utree/locked: "
                         r"the server does not list it: 5\d\d ", rows)
        # The status line says it whole.
        status = s.rstrip("\n").split("\n")[-1]
        self.assertRegex(status, r"^queue finished: 0 done, 1 failed; /pub/utree: cannot "
                         r"delete /pub/utree/locked: the server does not list it: 5\d\d \S", rows)
        utree = os.path.dirname(self.locked)
        self.assertEqual(os.listdir(utree), ["locked"], rows)
        self.assertEqual(ftptest.files_of(utree), {"locked/b.txt": b"b\n"}, rows)


class FerrydUnreadableFolderTest(UnreadableFolder, TreeCopyCase):
    kind = "ferryd"


class VsftpdUnreadableFolderTest(UnreadableFolder, TreeCopyCase):
    kind = "vsftpd"


class ReadOnlyFolderDeleteTest(TuiCase):
    """F8 of a remote folder on ferryd holding a folder the server may not
    change (mode 555): the delete stops at the file it could not delete
    and fails naming it, and the queue ends as a copy's does,
    the status line counting the failure and saying what failed; the
    pane shows what is left. A tree delete that works ends the same way."""

    def setUp(self):
        super().setUp()
        peer = peers.start_ferryd()
        self.addCleanup(peer.cleanup)
        for rel, data in ((REMOTE_MARK, b"remote\n"), ("rotree/a.txt", b"a\n"),
                          ("rotree/ro/b.txt", b"b\n"), ("rotree/z/c.txt", b"c\n"),
                          ("oktree/d.txt", b"d\n"), ("oktree/sub/e.txt", b"e\n")):
            peer.write("pub/" + rel, data)
        self.ro = peer.path("pub", "rotree", "ro")
        os.chmod(self.ro, 0o555)
        self.addCleanup(os.chmod, self.ro, 0o755)
        self.peer = peer
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))

    def status(self, s):
        return s.rstrip("\n").split("\n")[-1]

    def remote_names(self, s):
        """The names the remote pane lists, top to bottom."""
        names = []
        for row in panes(s).split("\n")[2:]:
            m = re.match(r" (\S+) ", row.partition("\u2502\u2502")[2])
            if m:
                names.append(m.group(1))
        return names

    def delete_tree(self, name):
        """F8 of the remote folder name, y; returns the screen once the
        status line says the queue finished."""
        self.select("remote", name)
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", name), 5, "F8 asks")
        self.t.keys("y")
        return self.t.wait_for(lambda s: s if self.status(s).startswith("queue finished")
                               else None, 20, "the status line says the queue finished")

    def test_failed_tree_delete_ends_the_queue_saying_what_failed(self):
        s = self.delete_tree("rotree")
        self.assertRegex(self.status(s), r"^queue finished: 0 done, 1 failed; /pub/rotree: "
                         r"\S.*ro/b\.txt", Tmux.framed(s))
        # The walk stops at the file it could not delete (as rm -r does).
        self.assertEqual(ftptest.files_of(os.path.dirname(self.ro)),
                         {"ro/b.txt": b"b\n", "z/c.txt": b"c\n"}, Tmux.framed(s))
        # The pane shows what is left: the folder, and in it ro and z.
        self.clear_filter()
        self.select("remote", "rotree")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: self.remote_names(s) == ["..", "ro", "z"], 10,
                        "the pane lists what is left")

    def test_failed_delete_names_the_file_once(self):
        # ferryd's refusal names the file: the status line and the queue's
        # row say it once, with the server's reason.
        s = self.delete_tree("rotree")
        status = self.status(s)
        self.assertRegex(status, r"/pub/rotree/ro/b\.txt: Permission denied", Tmux.framed(s))
        self.assertEqual(status.count("ro/b.txt"), 1, Tmux.framed(s))
        row = [r for r in s.split("\n") if re.match(r"\|?failed +rm ", r)]
        self.assertEqual(len(row), 1, Tmux.framed(s))
        self.assertRegex(row[0], r"/pub/rotree/ro/b\.txt: Permission denied", Tmux.framed(s))
        self.assertEqual(row[0].count("ro/b.txt"), 1, Tmux.framed(s))

    def test_tree_delete_that_works_ends_the_queue(self):
        s = self.delete_tree("oktree")
        self.assertRegex(self.status(s), r"^queue finished: 1 done, 0 failed *$", Tmux.framed(s))
        self.assertFalse(os.path.lexists(self.peer.path("pub", "oktree")))
        self.t.wait_for(lambda s: "oktree" not in self.remote_names(s), 10,
                        "the pane drops the folder")


class LocalTreeUpload:
    """A local tree (files: (path, bytes) pairs) to upload to the server
    kind names (peers.start_peer); prepare() then spoils part of it."""

    kind = None
    files = ()
    wrap = ()

    def setUp(self):
        super().setUp()
        self.peer = peers.start_peer(self.kind)
        self.addCleanup(self.peer.cleanup)
        self.peer.write("pub/" + REMOTE_MARK, b"remote\n")
        for rel, data in self.files:
            ftptest.write_file(self.lpath(*rel.split("/")), data)
        self.prepare()
        self.start_ferry(url=self.peer.url("/pub/", self.peer.user, self.peer.password),
                         wrap=self.wrap)

    def prepare(self):
        pass

    def upload_rest(self, top, failed_row):
        """F5 of the local folder top: the queue ends with the one folder
        failed, its row matching failed_row, and a.txt and z/c.txt on the
        server. Returns the remote folder and the rows."""
        remote = self.peer.path("pub", top)
        self.select("local", top)
        self.t.keys("F5")
        self.t.keys("t")    # the whole queue in view
        self.t.wait_for(r"queue finished: 3 done, 1 failed", 20,
                        "the status line counts the folder left out")
        rows = "\n".join(panel(self.t.screen()))
        self.assertRegex(rows, r"failed +-> .*%s/%s" % (top, failed_row), rows)
        self.assertEqual(ftptest.files_of(remote), {"a.txt": b"a\n", "z/c.txt": b"c\n"}, rows)
        return remote, rows


class UnreadableLocalFolder(LocalTreeUpload):
    """A local folder with a sub-folder ferry cannot read."""

    files = (("lutree/a.txt", b"a\n"), ("lutree/locked/b.txt", b"b\n"),
             ("lutree/z/c.txt", b"c\n"))
    wrap = NO_DAC

    def prepare(self):
        self.locked = self.lpath("lutree", "locked")
        os.chmod(self.locked, 0)
        self.addCleanup(os.chmod, self.locked, 0o755)

    def test_f5_uploads_the_rest_and_fails_the_folder(self):
        remote, rows = self.upload_rest("lutree", r"locked/ .*cannot read it: Permission denied")
        self.assertFalse(os.path.lexists(os.path.join(remote, "locked")), rows)
        # Once it can be read, r uploads it.
        os.chmod(self.locked, 0o755)
        self.t.keys("r")
        self.wait_file(os.path.join(remote, "locked", "b.txt"), b"b\n")


class FerrydUnreadableLocalFolderTest(UnreadableLocalFolder, TreeCopyCase):
    kind = "ferryd"


class VsftpdUnreadableLocalFolderTest(UnreadableLocalFolder, TreeCopyCase):
    kind = "vsftpd"


class LineBreakLocalFolder(LocalTreeUpload):
    """A local folder holding a sub-folder whose name has a line break,
    which no FTP command can carry."""

    files = (("lbtree/a.txt", b"a\n"), ("lbtree/bad\ndir/b.txt", b"b\n"),
             ("lbtree/bad\ndir/sub/d.txt", b"d\n"), ("lbtree/z/c.txt", b"c\n"))

    def test_f5_uploads_the_rest_and_fails_the_folder(self):
        """F5 of the folder uploads the rest and lists the folder with the
        line break as one failed folder copy with the reason, nothing in
        it tried (before, the whole copy stopped there with the files
        after it never sent)."""
        self.upload_rest("lbtree", r"bad.dir/ .*a name cannot contain a line break")


class FerrydLineBreakLocalFolderTest(LineBreakLocalFolder, TreeCopyCase):
    kind = "ferryd"


class VsftpdLineBreakLocalFolderTest(LineBreakLocalFolder, TreeCopyCase):
    kind = "vsftpd"


# A name longer than a narrow row has room for, and its end.
LONG_NAME = "a-rather-long-file-name-for-a-narrow-transfer-row-end.bin"
LONG_END = "row-end.bin"


class NarrowRowTest(TuiCase):
    """A download slowed by a relay, watched on narrow screens."""

    def setUp(self):
        super().setUp()
        self.server.write(LONG_NAME, ftptest.random_bytes(4 << 20, seed=7))
        self.proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=96 << 10)
        self.addCleanup(self.proxy.close)

    def row(self, s):
        """The running transfer's row on screen s, or None."""
        for line in s.split("\n"):
            if line.startswith("running"):
                return line
        return None

    def test_running_row_fits_narrow_screens(self):
        self.start_ferry(url="ftp://%s:%d/" % (peers.HOST, self.proxy.port))
        self.select("remote", LONG_NAME)
        self.t.keys("F5")
        self.t.wait_for(lambda s: (self.row(s) or "").find("ETA") > 0 and "/s" in self.row(s), 15,
                        "the transfer runs with a rate")
        for width in (74, 67, 60):
            self.t.resize(width, 30)
            # The sizes done and in all may go; the rest stays.
            want = re.compile(r"^running +<- +\d+%(?: [\d.]+ ?\w*/[\d.]+ ?\w*)? "
                              r"[\d.]+ ?\w*/s ETA \S+ +" "\u2026\\S*" + re.escape(LONG_END) +
                              " *$")

            def fits(s):
                r = (self.row(s) or "").rstrip()
                return r if len(r) <= width and want.search(r) else None
            fits.__doc__ = "a %d-column row: percentage, rate, ETA, \u2026%s" % (
                width, LONG_END)
            self.t.wait_for(fits, 10, "the running row at %d columns" % width)


if __name__ == "__main__":
    unittest.main(verbosity=2)
