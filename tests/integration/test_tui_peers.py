"""The two-pane client's everyday operations against vsftpd and pure-ftpd
(ferryd's are in test_tui.py and test_tui_ops.py): connect and list,
download and upload with F5 (checked byte for byte on both disks), F6
rename (a free name at once; an existing name only after the question,
n keeping both files, y replacing), F8 delete (a file, and a folder with
everything in it), F7 mkdir; in the transfer queue, X cancelling a
folder copy and Ctrl-X x everything, r retrying a failed transfer; a
name holding the byte 0xFF downloaded with F5 (sent as it is with
--iac=off, which these servers need; ferryd's case, the default, is
IacTest). PeerDirLinks, on ferryd, proftpd, pure-ftpd and pyftpdlib: a
remote link to a directory opened with Enter and copied with F5 (a link
leading back up copied once), and a link to a file copied as the file.

Built on test_tui.TuiCase; each test starts its peer from peers.py with
the fixtures in its pub/ folder, and ferry with the peer's URL.
"""

import os
import re
import unittest

import ftptest
import peers
import test_tui
from test_tui import TuiCase, LOCAL_MARK, REMOTE_MARK, DOWNLOAD, panes
import test_tui_ops
import test_tui_queue
from test_tui_ops import OLD, NEW


class PeerOps:
    """Mixed into a TuiCase with kind set to the peer's name."""

    kind = None
    # F5 both ways as test_tui checks it on ferryd, F6 as test_tui_ops does.
    test_download_with_f5 = test_tui.FileOpsTest.test_download_with_f5
    test_upload_with_f5 = test_tui.FileOpsTest.test_upload_with_f5
    rename = test_tui_ops.RenameAsksTest.rename
    check_rename = test_tui_ops.RenameAsksTest.check_rename
    # The queue's cancel and retry keys as test_tui_queue checks them.
    top = "/pub/"
    many_done = test_tui_queue.QueueCase.many_done
    test_failed_transfer_is_retried_with_r = \
        test_tui_queue.RetryTest.test_failed_transfer_is_retried_with_r

    def setUp(self):
        super().setUp()
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        for rel, data in ((REMOTE_MARK, b"remote\n"), ("download-me.bin", DOWNLOAD),
                          ("victim.txt", b"delete me\n"), ("keep-me.txt", b"keep me\n"),
                          ("rtree/a.txt", b"a\n"), ("rtree/sub/b.txt", b"b\n"),
                          ("up2.dat", NEW), ("up3.dat", OLD)):
            peer.write("pub/" + rel, data)
        self.peer = peer

    def start_ferry(self, url=None, **kw):
        if url is None:
            url = self.peer.url("/pub/", self.peer.user, self.peer.password)
        super().start_ferry(url=url, **kw)

    def rpath(self, *parts):
        return self.peer.path("pub", *parts)

    def test_connect_and_list(self):
        self.start_ferry()

        def listed(s):
            for name in (REMOTE_MARK, "download-me.bin", "victim.txt", "rtree"):
                self.assertIn(name, panes(s), "%s lists no %s" % (self.kind, name))
        s = self.t.wait_check(listed, 10)
        line = next(l for l in s.split("\n") if "download-me.bin" in l)
        self.assertRegex(line[line.index("download-me.bin"):],
                         r"204803|200(\.0)?\s?[Kk]", "no size beside download-me.bin")
        self.assertIn("127.0.0.1:%d" % self.peer.port, s.split("\n")[0],
                      "the top line does not name the %s connection" % self.kind)
        self.select("remote", "rtree")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "a.txt" in panes(s) and "sub" in panes(s), 10,
                        "Enter opens a folder on %s" % self.kind)

    def through_proxy(self, rate):
        self.proxy = peers.ThrottleProxy(peers.HOST, self.peer.port, rate=rate)
        self.addCleanup(self.proxy.close)
        self.start_ferry(url=self.proxy.url(self.top, self.peer.user, self.peer.password))

    def test_cancel_folder_then_everything(self):
        test_tui_queue.write_many(lambda rel, data: self.peer.write("pub/" + rel, data))
        test_tui_queue.CancelTest.test_cancel_folder_then_everything(self)

    def test_0xff_name_downloads_with_iac_off(self):
        download_0xff(self, lambda rel, data: self.peer.write("pub/" + rel, data),
                      ("--iac=off",))

    def test_rename_asks_before_replacing(self):
        self.check_rename("remote", self.rpath)

    def test_delete_file_and_folder(self):
        self.start_ferry()
        self.select("remote", "victim.txt")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "victim.txt"), 5)
        self.t.keys("n")
        self.t.wait_for(lambda s: not self.prompt_line("delete", "victim.txt")(s)
                        and "nothing deleted" in s.rstrip("\n").split("\n")[-1], 5,
                        "n closes the question, saying nothing was deleted")
        self.assertTrue(os.path.exists(self.rpath("victim.txt")), "F8 then n deleted it")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete", "victim.txt"), 5)
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.exists(self.rpath("victim.txt")), 10,
                       "F8 then y left victim.txt on %s" % self.kind)
        self.clear_filter()
        self.select("remote", "rtree")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", "rtree", "everything"), 5)
        self.t.keys("y")
        self.wait_disk(lambda: not os.path.lexists(self.rpath("rtree")), 15,
                       "F8 then y left the folder rtree on %s" % self.kind)
        self.clear_filter()
        self.t.wait_for(lambda s: "rtree" not in panes(s) and "victim.txt" not in panes(s)
                        and REMOTE_MARK in s, 10, "the deleted entries leave the pane")
        self.assertEqual(ftptest.read_file(self.rpath("keep-me.txt")), b"keep me\n")

    def test_mkdir_with_f7(self):
        self.start_ferry()
        self.focus("remote")
        self.t.keys("F7")
        self.t.wait_for(self.prompt_line("new directory name"), 5, "F7 asks for a name")
        self.t.type("made by f7")
        self.t.keys("Enter")
        self.wait_disk(lambda: os.path.isdir(self.rpath("made by f7")), 10,
                       "F7 made no folder on %s" % self.kind)
        self.t.wait_for("made by f7", 5, "the new folder is listed")
        self.assertTrue(os.path.exists(self.lpath(LOCAL_MARK)))


FF_NAME = os.fsdecode(b"caf\xe9 \xff.bin")     # Latin-1, never UTF-8
FF_DATA = ftptest.random_bytes(9000, seed=33)


def download_0xff(case, write, args=()):
    """F5 on the remote file FF_NAME (written with write(name, data)) in
    ferry started with args: the local copy must hold its bytes."""
    write(FF_NAME, FF_DATA)
    case.start_ferry(args=args)
    case.select("remote", "caf")
    case.t.keys("F5")
    case.wait_file(case.lpath(FF_NAME), FF_DATA)


class IacTest(TuiCase):

    def test_0xff_name_downloads_from_ferryd(self):
        """ferryd reads 0xFF doubled (the default) back as one byte."""
        download_0xff(self, self.server.write)


class VsftpdOpsTest(PeerOps, TuiCase):
    kind = "vsftpd"


class PureFtpdOpsTest(PeerOps, TuiCase):
    kind = "pure-ftpd"


if __name__ == "__main__":
    unittest.main(verbosity=2)


class PeerDirLinks:
    """A remote link to a directory, as each server lists it (ferryd and
    pure-ftpd: OS.unix=slink, proftpd: OS.unix=slink:TARGET, pyftpdlib: a
    directory): Enter opens it, F5 copies the directory's files, and a
    link leading back up (loop -> .) is copied once, never round and
    round."""

    kind = None

    def setUp(self):
        super().setUp()
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        for rel, data in ((REMOTE_MARK, b"remote\n"), ("real/a.txt", b"a\n"),
                          ("real/sub/b.txt", b"b\n")):
            peer.write("pub/" + rel, data)
        peer.symlink("real", "pub/dlink")
        peer.symlink(".", "pub/real/loop")
        peer.symlink("real/a.txt", "pub/flink")
        self.peer = peer
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))

    def done(self):
        m = re.search(r"Transfers: (\d+) running, (\d+) queued, (\d+) failed, (\d+) done",
                      self.t.screen())
        return m is not None and m.group(1) == m.group(2) == "0"

    def test_enter_opens_a_link_to_a_directory(self):
        self.select("remote", "dlink")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "a.txt" in panes(s) and "sub" in panes(s), 10,
                        "Enter opens the link to a directory on %s" % self.kind)

    def test_f5_copies_the_directory_a_link_leads_to(self):
        self.select("remote", "dlink")
        self.t.keys("F5")
        self.wait_file(self.lpath("dlink", "a.txt"), b"a\n")
        self.wait_file(self.lpath("dlink", "sub", "b.txt"), b"b\n")
        self.wait_disk(self.done, 20, "the copy of dlink ends")
        self.assertTrue(os.path.isdir(self.lpath("dlink")) and
                        not os.path.islink(self.lpath("dlink")))
        self.assertFalse(os.path.lexists(self.lpath("dlink", "loop", "loop")),
                         "the copy went round the loop")

    def test_f5_copies_a_link_back_up_once(self):
        self.select("remote", "real")
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "a.txt" in panes(s) and "loop" in panes(s), 10)
        self.select("remote", "loop")
        self.t.keys("F5")
        self.wait_file(self.lpath("loop", "a.txt"), b"a\n")
        self.wait_file(self.lpath("loop", "sub", "b.txt"), b"b\n")
        self.wait_disk(self.done, 20, "the copy of loop ends")
        self.assertFalse(os.path.lexists(self.lpath("loop", "loop", "loop")),
                         "the copy went round the loop")
        self.assertAlive()

    def test_f5_copies_the_file_a_link_leads_to(self):
        self.select("remote", "flink")
        self.t.keys("F5")
        self.wait_file(self.lpath("flink"), b"a\n")
        self.wait_disk(self.done, 20, "the copy of flink ends")
        self.assertFalse(os.path.islink(self.lpath("flink")))


    def test_f5_of_a_link_asks_once_about_an_existing_file(self):
        ftptest.write_file(self.lpath("flink"), b"older\n")
        self.focus("local")
        self.t.keys("C-r")
        half = self.t.width // 2
        self.t.wait_for(lambda s: any("flink" in row[:half] for row in s.split("\n")), 5,
                        "the local pane shows flink")
        self.select("remote", "flink")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 10)
        self.t.keys("o")
        self.wait_file(self.lpath("flink"), b"a\n")
        self.wait_disk(self.done, 20, "the copy of flink ends")
        self.assertNotRegex(self.t.screen(), r"(?i)overwrite.*skip",
                            "the question came again")

class FerrydDirLinksTest(PeerDirLinks, TuiCase):
    kind = "ferryd"


class ProftpdDirLinksTest(PeerDirLinks, TuiCase):
    kind = "proftpd"


class PyftpdlibDirLinksTest(PeerDirLinks, TuiCase):
    kind = "pyftpdlib"


class PureFtpdDirLinksTest(PeerDirLinks, TuiCase):
    kind = "pure-ftpd"
