"""The transfer queue as people use it: cancelling one transfer, a whole
folder copy, or everything (after a question); a panel that follows the
running transfer, can be enlarged and cleared; skipped and renamed copies
shown as such; counts of running, queued, failed and done in its heading;
failed transfers retried with one key; a dropped connection retried by
itself, the download going on from where it stopped (REST) on ferryd,
vsftpd and pure-ftpd, its temporary file kept from a `ferry get` meanwhile;
a folder leading back up listed as skipped; status messages that go
when they are stale; F5 on 40,000 tagged files queuing them all within
5 s under ASan, keys answered at once while they run; and copies into a
folder of 40,000 files reading it again seldom, never while it is still
read, and once more when they are done; and a folder slow to list read
again within the reload gap's ceiling while copies run.

Built on test_tui.TuiCase. Slow transfers go through peers.ThrottleProxy,
which also records the commands ferry sends and can cut every connection
in the middle of a transfer.
"""

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

import ftptest
import peers
import slowftp
import test_pipeline
import tuitest
from test_tui import TuiCase, LOCAL_MARK, REMOTE_MARK, DOWNLOAD, FERRY, panes
from tuitest import Tmux

MANY = 45                       # files in the folder "many"
MANY_SIZE = 20 * 1024


def panel(screen):
    """The transfer panel's lines: from its heading to the hint line."""
    lines = screen.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("Transfers:"):
            return lines[i:-2]
    return []


def heading(screen):
    p = panel(screen)
    return p[0] if p else ""


def write_many(write):
    """Writes the folder "many" with write(rel, data)."""
    for i in range(MANY):
        write("many/m%02d.bin" % i, ftptest.random_bytes(MANY_SIZE, seed=100 + i))


class QueueCase(TuiCase):

    top = "/"       # the remote pane's first folder

    def setUp(self):
        super().setUp()
        write_many(self.server.write)

    def through_proxy(self, rate):
        self.proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=rate)
        self.addCleanup(self.proxy.close)
        self.start_ferry(url=self.proxy.url("/"))

    def many_done(self):
        d = self.lpath("many")
        return len(os.listdir(d)) if os.path.isdir(d) else 0


class PanelTest(QueueCase):

    def test_panel_follows_counts_enlarges_and_clears(self):
        self.through_proxy(400 << 10)
        self.select("remote", "many")
        self.t.keys("F5")
        self.clear_filter()
        running = re.compile(r"running\s+<- \[.*?(m\d\d\.bin)")
        seen = set()
        deadline = time.monotonic() + 60
        heads = set()
        # Every look at the panel while files are copied shows the running one.
        while time.monotonic() < deadline:
            s = self.t.screen()
            if self.many_done() >= MANY and "running" not in heading(s).replace(
                    "0 running", ""):
                break
            h = heading(s)
            if not h:
                time.sleep(0.1)
                continue        # nothing queued yet
            m = re.search(r"Transfers: (\d+) running, (\d+) queued, (\d+) failed, (\d+) done", h)
            self.assertIsNotNone(m, "the panel heading has no counts:\n" + Tmux.framed(s))
            if int(m.group(1)) >= 1 and int(m.group(2)) > 0:
                heads.add(h)
                rows = "\n".join(panel(s)[1:])
                r = running.findall(rows)
                self.assertTrue(r, "the running transfer is not shown in the panel:\n"
                                + Tmux.framed(s))
                # Each transfer running has a line of its own.
                self.assertEqual(len(re.findall(r"(?m)^running\s", rows)), int(m.group(1)),
                                 "not every running transfer shows:\n" + Tmux.framed(s))
                seen.update(r)
            time.sleep(0.1)
        self.wait_disk(lambda: self.many_done() >= MANY, 30, "the folder was not copied")
        # Sampled every 0.1 s: many of them, up to the last ones (past the
        # point where finished transfers start being pruned from the list).
        self.assertTrue(len(seen) >= 10 and max(seen) >= "m%02d.bin" % (MANY - 8),
                        "the panel showed the running file only for %s" % sorted(seen))
        self.assertTrue(any(int(re.search(r"(\d+) done", h).group(1)) > 0 for h in heads),
                        "no heading counted done transfers while others were queued")
        s = self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed, %d done" % (MANY + 1),
                            10, "the heading counts every transfer done")
        # t enlarges the panel: more transfers shown, and back.
        small = len(panel(self.t.screen())) - 1
        self.t.keys("t")
        s = self.t.wait_for(lambda s: len(panel(s)) - 1 > small + 5, 5, "t enlarges the panel")
        self.t.keys("t")
        self.t.wait_for(lambda s: len(panel(s)) - 1 == small, 5, "t shrinks it again")
        # c clears the finished transfers: the panel goes.
        self.t.keys("c")
        self.t.wait_for(lambda s: not panel(s), 5, "c clears the finished transfers")


class SkipRenameTest(QueueCase):

    def test_skipped_and_renamed_copies_are_shown_so(self):
        ftptest.write_file(self.lpath("download-me.bin"), b"older local copy\n")
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 5)
        self.t.keys("s")
        self.t.wait_for(r"skipped\s+<- .*download-me\.bin", 5, "a skipped copy shows as skipped")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 5)
        self.t.keys("n")
        self.t.wait_for(self.prompt_line("copy under the name"), 5)
        self.t.keys("C-u")
        self.t.type("renamed-copy.bin")
        self.t.keys("Enter")
        self.wait_file(self.lpath("renamed-copy.bin"), DOWNLOAD)
        self.t.wait_for(r"done\s+<- .*renamed-copy\.bin", 5,
                        "a renamed copy shows under its new name")
        self.assertEqual(ftptest.read_file(self.lpath("download-me.bin")), b"older local copy\n")

    def test_rename_to_an_existing_name_asks_again(self):
        """The name given with "rename" in the question about an existing
        target may exist too: it is asked for again rather than replaced."""
        ftptest.write_file(self.lpath("download-me.bin"), b"older local copy\n")
        ftptest.write_file(self.lpath("keep-local.txt"), b"keep this one\n")
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 5)
        self.t.keys("n")
        self.t.wait_for(self.prompt_line("copy under the name"), 5)
        self.t.keys("C-u")
        self.t.type("keep-local.txt")
        self.t.keys("Enter")
        self.t.wait_for(self.prompt_line("keep-local.txt exists too"), 5,
                        "a name that exists too is asked for again")
        self.assertEqual(ftptest.read_file(self.lpath("keep-local.txt")), b"keep this one\n")
        self.t.keys("C-u")
        self.t.type("third-name.bin")
        self.t.keys("Enter")
        self.wait_file(self.lpath("third-name.bin"), DOWNLOAD)
        self.assertEqual(ftptest.read_file(self.lpath("keep-local.txt")), b"keep this one\n")
        self.assertEqual(ftptest.read_file(self.lpath("download-me.bin")), b"older local copy\n")

    def test_file_of_a_folder_copy_renamed_to_an_existing_name(self):
        """A file of a folder copy renamed (in the question about its
        target) to a name that exists too in that folder is not written
        over it: the copy fails, saying so."""
        self.server.write("rd2/a.txt", b"remote a\n")
        ftptest.write_file(self.lpath("rd2", "a.txt"), b"local a\n")
        ftptest.write_file(self.lpath("rd2", "c.txt"), b"local c\n")
        self.start_ferry()
        self.select("remote", "rd2")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 10)
        self.t.keys("n")
        self.t.wait_for(self.prompt_line("copy under the name"), 5)
        self.t.keys("C-u")
        self.t.type("c.txt")
        self.t.keys("Enter")
        self.t.wait_for(r"failed\s+<- .*c\.txt.*exists", 10,
                        "the renamed copy onto an existing file fails")
        self.assertEqual(ftptest.read_file(self.lpath("rd2", "c.txt")), b"local c\n")
        self.assertEqual(ftptest.read_file(self.lpath("rd2", "a.txt")), b"local a\n")

    def test_skipped_file_of_a_folder_copy(self):
        ftptest.write_file(self.lpath("rdir", "rdir-inner.txt"), b"older local\n")
        self.start_ferry()
        self.select("remote", "rdir")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 10)
        self.t.keys("s")
        self.t.wait_for(r"skipped\s+<- .*rdir-inner\.txt", 5,
                        "a skipped file of a folder copy shows as skipped")



class ResumeChoiceTest(TuiCase):
    """Resume, chosen in the question about an existing target, goes on
    from the target's size; a target larger than the file copied is no
    partial copy of it, and is left as it is with the copy failed, as
    the command line refuses it, rather than reported done."""

    def test_download_resume_onto_a_larger_local_file_fails(self):
        ftptest.write_file(self.lpath("download-me.bin"), DOWNLOAD[:1000])
        ftptest.write_file(self.lpath("keep-me.txt"), b"a longer local file\n")
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("r = resume"), 5)
        self.t.keys("r")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        self.t.wait_for(r"done\s+<- .*download-me\.bin", 10)
        self.clear_filter()
        self.select("remote", "keep-me.txt")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("r = resume"), 5)
        self.t.keys("r")
        self.t.wait_for(r"failed\s+<- .*keep-me\.txt.*larger", 10,
                        "a resume onto a larger local file fails and says why")
        self.assertEqual(ftptest.read_file(self.lpath("keep-me.txt")), b"a longer local file\n")

    def test_upload_resume_onto_a_larger_remote_file_fails(self):
        ftptest.write_file(self.lpath("keep-me.txt"), b"keep")
        self.start_ferry()
        self.select("local", "keep-me.txt")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("r = resume"), 5)
        self.t.keys("r")
        self.t.wait_for(r"failed\s+-> .*keep-me\.txt.*larger", 10,
                        "a resume onto a larger remote file fails and says why")
        self.assertEqual(ftptest.read_file(self.rpath("keep-me.txt")), b"keep me\n")
        self.clear_filter()
        ftptest.write_file(self.lpath("keep-me.txt"), b"keep me\nand more\n")
        self.select("local", "keep-me.txt")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("r = resume"), 5)
        self.t.keys("r")
        self.wait_file(self.rpath("keep-me.txt"), b"keep me\nand more\n")


class SilentServerTest(QueueCase):
    """A server that stops answering in the middle of a download (its
    relay holds every byte): quitting, or cancelling the download, leaves
    no temporary file behind, and the cancel ends well before the
    timeout of 30 s."""

    def temporaries(self):
        return [n for n in os.listdir(self.local) if n.startswith(".download-me.bin.ferry-")]

    def start_held_download(self):
        self.through_proxy(32 << 10)
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        def arriving():
            return any(os.path.getsize(self.lpath(n)) > 0 for n in self.temporaries())
        self.wait_disk(arriving, 10, "no bytes of the download arrived", interval=0.02)
        self.proxy.pause()
        time.sleep(0.5)

    def test_quit_leaves_no_temporary_file(self):
        self.start_held_download()
        self.t.keys("F10")
        self.t.wait_for(self.prompt_line("quit and stop"), 5)
        self.t.keys("y")
        self.expect_exit = True
        self.t.wait_exit(15)
        self.assertEqual(self.temporaries(), [], "quitting left the download's temporary file")
        self.assertFalse(os.path.exists(self.lpath("download-me.bin")))

    def test_cancel_ends_soon(self):
        self.start_held_download()
        t0 = time.monotonic()
        self.t.keys("x")
        self.t.wait_for(r"cancelled\s+<- .*download-me\.bin", 15,
                        "the cancelled download ends while the server says nothing")
        self.assertLess(time.monotonic() - t0, 15)
        self.wait_disk(lambda: not self.temporaries(), 5,
                       "the cancelled download left its temporary file")
        self.assertFalse(os.path.exists(self.lpath("download-me.bin")))

    def test_cancelling_message_gives_way_to_the_outcome(self):
        self.start_held_download()
        self.t.keys("x")
        self.t.wait_for(lambda s: re.search(r"cancelled\s+<- .*download-me\.bin", s), 15,
                        "the cancelled download ends")
        # The status line said "cancelling"; once the worker reported the
        # end, it says how the transfer ended.
        self.t.wait_check(lambda s: self.assertRegex(s.split("\n")[-2],
                                                     r"^ ?cancelled .*download-me\.bin"), 5)

def selected_job(screen_with_escapes):
    """The transfer panel's line drawn in reverse video (its selection), or
    "" when no panel line is."""
    rows = screen_with_escapes.split("\n")
    plain = [tuitest.strip_sgr(r) for r in rows]
    top = next((i for i, r in enumerate(plain) if r.lstrip().startswith("Transfers:")), None)
    if top is None:
        return ""
    for row, _col, _ch in tuitest.reverse_cells(screen_with_escapes):
        if row > top and row < len(plain) - 2:
            return plain[row]
    return ""


def select_job(case, pattern, tries=8):
    """Moves the panel's selection with [ and ] until the selected line
    matches pattern; the panel then stops following the running job."""
    keys = ["]", "["] + ["["] * (tries // 2) + ["]"] * tries
    for key in keys:
        case.t.keys(key)
        # The selection is read once the screen has settled after the
        # key, not at a fixed delay that a slow redraw can outrun.
        case.t.wait_stable(0.2, 3)
        line = selected_job(case.t.screen(escapes=True))
        if re.search(pattern, line):
            return line
    case.fail("no job matching %r could be selected; last screen:\n%s"
              % (pattern, case.t.framed(case.t.screen())))


class QuitQuestionTest(QueueCase):
    """The quit question asked while a transfer runs follows the queue:
    its count, and once the transfers have ended, a question that no
    longer speaks of stopping them."""

    def test_quit_question_follows_the_queue(self):
        self.through_proxy(64 << 10)     # about 3 s for the 200 KiB download
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(r"running\s+<- .*download-me\.bin", 10, "the download runs")
        self.t.keys("F10")
        self.t.wait_for(self.prompt_line("1 transfer(s) not finished", "quit and stop"), 5,
                        "F10 asks while the download runs")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        line = self.t.wait_for(self.prompt_line("transfers have finished", "quit?"), 5,
                               "the question still speaks of transfers that have ended")
        s = self.t.screen()
        self.assertNotIn("not finished", s, Tmux.framed(s))
        self.assertNotRegex(line, r"(?i)stop", line)
        self.t.keys("y")
        self.expect_exit = True
        self.assertEqual(self.t.wait_exit(10), 0, "y quits")


class CancelTest(QueueCase):

    def test_cancel_folder_then_everything(self):
        self.through_proxy(100 << 10)
        self.select("remote", "many")
        self.t.keys("F5")
        self.clear_filter()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.clear_filter()
        self.t.wait_for(r"running\s+<- \[.*m\d\d\.bin", 10, "a file of the folder runs")
        # X cancels the folder of the selected job. While the panel follows,
        # the selection is whichever copy runs first, and both run at once:
        # pick a job of the folder with [ and ] and see it selected first.
        select_job(self, r"m\d\d\.bin|many")
        # X: the whole folder copy goes, the other download stays.
        self.t.keys("X")
        self.t.wait_for(r"cancelled the copy of %smany" % re.escape(self.top), 5,
                        "X names the folder copy cancelled")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD, timeout=30)
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10)
        self.assertLess(self.many_done(), MANY, "X did not stop the folder copy")
        self.assertNotRegex("\n".join(panel(self.t.screen())), r"queued\s",
                            "files of the folder still queued")
        partial = [n for n in os.listdir(self.lpath("many")) if n.startswith(".")]
        self.assertEqual(partial, [], "a cancelled download left a temporary file")
        # Ctrl-X x asks; n keeps the queue, y cancels everything.
        self.t.keys("c")
        shutil.rmtree(self.lpath("many"))
        self.select("remote", "many")
        self.t.keys("F5")
        self.clear_filter()
        self.t.wait_for(r"running\s+<-", 10)
        self.t.keys("C-x", "x")
        self.t.wait_for(self.prompt_line("cancel all", "unfinished"), 5, "Ctrl-X x asks first")
        self.t.keys("n")
        self.t.wait_for(r"nothing cancelled", 5)
        self.t.wait_for(r"running\s+<-", 5, "n keeps the transfers going")
        self.t.keys("C-x", "C-x")
        self.t.wait_for(self.prompt_line("cancel all"), 5)
        self.t.keys("y")
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10, "y cancels everything")


    def test_cancel_folder_named_after_many_files_are_done(self):
        """Once more files of a folder copy are done than the panel keeps,
        X still names the folder, not the file selected. (The panel drops
        finished lines beyond 20 once a second while the queue runs: 32 of
        the 45 files at 50 KB/s a connection leave it a few seconds.)"""
        self.through_proxy(50 << 10)
        self.select("remote", "many")
        self.t.keys("F5")
        self.clear_filter()
        self.wait_disk(lambda: self.many_done() >= 32, 60,
                       "32 files of the folder copied")
        self.t.wait_for(r"running\s+<- \[.*m\d\d\.bin", 10, "a file of the folder runs")
        self.t.keys("X")

        def named(s):
            last = s.rstrip("\n").split("\n")[-1]
            self.assertRegex(last, r"^cancelled the copy of /many and everything it holds",
                             "X names something else than the folder copy:\n" + Tmux.framed(s))
        self.t.wait_check(named, 5)
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10)
        self.assertLess(self.many_done(), MANY, "X did not stop the folder copy")


class NewConnectionTest(QueueCase):
    """Copies queued for one server never run on another: F2 to another
    server fails the unfinished ones, and r does not send them there."""

    def test_copies_do_not_follow_a_connection_to_another_server(self):
        for i in range(4):
            ftptest.write_file(self.lpath("up-%d.bin" % i),
                               ftptest.random_bytes(200 * 1024, seed=300 + i))
        other = ftptest.Server(["--anonymous=rw"])
        self.addCleanup(other.cleanup)
        other.write("other-server.txt", b"other\n")
        other.start()
        sites = os.path.join(self.home, ".config", "ferry", "sites")
        os.makedirs(os.path.dirname(sites), exist_ok=True)
        ftptest.write_file(sites, ("[other]\nurl = ftp://127.0.0.1:%d/\ntls = off\n"
                                   % other.port).encode(), mode=0o600)
        self.through_proxy(20 << 10)
        self.focus("local")
        self.t.keys("+")
        self.t.wait_for(self.prompt_line("Tag the names matching"), 5, "+ asks for a pattern")
        self.t.type("up-*")
        self.t.keys("Enter")
        self.t.wait_for(r"4 tagged", 5)
        self.t.keys("F5")
        self.t.wait_for(r"Transfers: 2 running, 2 queued", 10, "two copies run, two wait")
        # F2, the site "other" (the row below New connection), Enter.
        self.t.keys("F2")
        self.t.wait_for(r"New connection", 5, "F2 opens the site manager")
        self.t.keys("Down", "Enter")
        self.t.wait_for(r"other-server\.txt", 10, "the other server's folder")
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10,
                        "no copy of the first server's queue goes on")
        self.t.keys("r")
        self.t.wait_for(r"4 failed transfer\(s\) were for the server connected before: "
                        r"not retried", 5, "r says why it queues nothing")
        self.t.wait_for(r"Transfers: 0 running, 0 queued", 10)
        sent = [n for n in os.listdir(other.root) if n.startswith("up-")]
        self.assertEqual(sent, [], "copies queued for the first server went to the other "
                         "one; screen:\n" + Tmux.framed(self.t.screen()))


class ListedSizeTest(QueueCase):

    def test_folder_download_sends_no_size(self):
        """F5 on a folder: every file arrives whole, each one's size comes
        from the listing (the panel shows it), and no SIZE is sent."""
        self.through_proxy(8 << 20)
        self.select("remote", "many")
        self.t.keys("F5")
        self.clear_filter()
        for i in range(MANY):
            self.wait_file(self.lpath("many", "m%02d.bin" % i),
                           ftptest.random_bytes(MANY_SIZE, seed=100 + i), timeout=30)
        self.t.wait_for(r"done\s+<- 20\.0 KB\s+%smany/m\d\d\.bin" % re.escape(self.top), 10,
                        "the panel shows a file's size")
        sizes = [c for c in self.proxy.commands if c.upper().startswith("SIZE")]
        self.assertEqual(sizes, [], "SIZE sent for files the listing gave")
        self.assertEqual(sum(1 for c in self.proxy.commands if c.upper().startswith("RETR ")),
                         MANY)


class RetryTest(QueueCase):

    def test_failed_transfer_is_retried_with_r(self):
        path = self.rpath("download-me.bin")
        os.chmod(path, 0)
        self.start_ferry()
        self.select("remote", "download-me.bin")
        self.t.keys("F5")
        self.t.wait_for(r"failed\s+<- .*download-me\.bin", 10, "the transfer fails")
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 1 failed", 5)
        os.chmod(path, 0o644)
        self.t.keys("r")
        self.wait_file(self.lpath("download-me.bin"), DOWNLOAD)
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed, 1 done", 10)


class ResumeAfterDrop:
    """A download whose connections are cut in the middle is tried again by
    itself and goes on from where it stopped (REST), against self.kind."""

    kind = None
    BIG = 3 << 20

    def test_dropped_download_resumes(self):
        data = ftptest.random_bytes(self.BIG, seed=7)
        if self.kind == "ferryd":
            self.server.write("resume-me.bin", data)
            host, port, url_path, user, pw = (self.server.host, self.server.port, "/", None,
                                              None)
            where = self.server.path("resume-me.bin")
        else:
            peer = peers.start_peer(self.kind)
            self.addCleanup(peer.cleanup)
            peer.write("pub/resume-me.bin", data)
            peer.write("pub/" + REMOTE_MARK, b"remote\n")
            host, port, url_path, user, pw = (peers.HOST, peer.port, "/pub/", peer.user,
                                              peer.password)
        proxy = peers.ThrottleProxy(host, port, rate=1 << 20)
        self.addCleanup(proxy.close)
        self.start_ferry(url=proxy.url(url_path, user, pw))
        self.select("remote", "resume-me.bin")
        self.t.keys("F5")
        self.wait_disk(lambda: proxy.data_bytes > self.BIG // 4, 20, "the download did not start")
        proxy.cut()
        self.t.wait_for(r"trying again in \d+ s \(1 of 5\)", 10,
                        "the panel says the transfer will be tried again")
        self.wait_file(self.lpath("resume-me.bin"), data, timeout=60)
        rest = [int(c.split()[1]) for c in proxy.commands
                if c.upper().startswith("REST ") and c.split()[1].isdigit()]
        self.assertTrue(rest and max(rest) > 0, "no REST with an offset after the drop: %s"
                        % [c for c in proxy.commands if not c.startswith("PASS")])
        self.assertEqual(sum(1 for c in proxy.commands if c.upper().startswith("RETR ")), 2,
                         "the download was not asked for exactly twice")
        self.t.wait_for(r"done\s+<- .*resume-me\.bin", 10)
        leftovers = [n for n in os.listdir(self.local) if n.startswith(".resume-me")]
        self.assertEqual(leftovers, [], "a temporary file was left behind")


class FerrydResumeTest(ResumeAfterDrop, QueueCase):
    kind = "ferryd"


class TemporaryHeldTest(QueueCase):
    """A download waiting to be tried again keeps its temporary file locked:
    a `ferry get` of the same file meanwhile (which clears temporaries
    nobody holds) leaves it, and the retry goes on from it (REST)."""

    BIG = 3 << 20

    def test_cli_get_between_retries_leaves_the_temporary(self):
        data = ftptest.random_bytes(self.BIG, seed=9)
        self.server.write("held.bin", data)
        self.through_proxy(1 << 20)
        self.select("remote", "held.bin")
        self.t.keys("F5")
        self.wait_disk(lambda: self.proxy.data_bytes > self.BIG // 4, 20,
                       "the download did not start")
        # The next three connections are refused: the retries wait 1, 2, 4
        # and 8 s, the gap in which the command line runs.
        self.proxy.refuse_first = self.proxy.refused + 3
        self.proxy.cut()
        self.t.wait_for(r"trying again in \d+ s \(2 of 5\)", 20,
                        "the panel says the transfer will be tried again")
        temps = [n for n in os.listdir(self.local) if n.startswith(".held.bin.ferry-")]
        self.assertEqual(len(temps), 1, "no temporary kept for the retry: %s"
                         % os.listdir(self.local))
        r = subprocess.run([FERRY, "-c", "get held.bin", self.server.url("/")],
                           cwd=self.local, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30, env=dict(os.environ, HOME=self.home))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(self.lpath(temps[0])),
                        "ferry get removed the temporary the retry still uses")
        self.t.wait_for(r"done\s+<- .*held\.bin", 40, "the retry did not end the download")
        self.assertEqual(ftptest.read_file(self.lpath("held.bin")), data)
        rest = [int(c.split()[1]) for c in self.proxy.commands
                if c.upper().startswith("REST ") and c.split()[1].isdigit()]
        self.assertTrue(rest and max(rest) > 0, "the retry did not go on from the temporary")
        leftovers = [n for n in os.listdir(self.local) if n.startswith(".held")]
        self.assertEqual(leftovers, [], "a temporary file was left behind")


class StaleTemporariesTest(QueueCase):
    """A folder copy into a local folder holding temporaries that killed
    downloads left (the transfer process reads the folder once for all
    of its files): each stale one of a file copied goes, one a running
    download holds locked stays, and so does one of a name the server
    does not have; a later copy into the folder, once the queue was
    idle, removes one that appeared after the first read."""

    def test_folder_copy_removes_the_temporaries_of_each_file(self):
        os.makedirs(self.lpath("many"))
        for n in (".m00.bin.ferry-Ab12Cd", ".m07.bin.ferry-segments",
                  ".m07.bin.ferry-segments.state", ".m44.bin.ferry-Zz99Yy",
                  ".m44.bin.ferry-Yy88Xx", ".gone.bin.ferry-Ab12Cd"):
            ftptest.write_file(self.lpath("many", n), b"partial")
        held = self.lpath("many", ".m10.bin.ferry-Hh77Gg")
        ftptest.write_file(held, b"running")
        files = ["m%02d.bin" % i for i in range(MANY)]
        data = [ftptest.random_bytes(MANY_SIZE, seed=100 + i) for i in range(MANY)]
        self.start_ferry()
        with open(held, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)    # as a running download holds it
            self.select("remote", "many")
            self.t.keys("F5")
            self.clear_filter()
            for name, d in zip(files, data):
                self.wait_file(self.lpath("many", name), d, timeout=30)
            self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed", 20,
                            "the folder copy ends")
        self.assertEqual(sorted(os.listdir(self.lpath("many"))),
                         sorted(files + [".gone.bin.ferry-Ab12Cd", ".m10.bin.ferry-Hh77Gg"]))
        self.assertEqual(ftptest.read_file(held), b"running")

        # Left by a download killed after the first copy read the folder.
        os.unlink(self.lpath("many", "m05.bin"))
        ftptest.write_file(self.lpath("many", ".m05.bin.ferry-Late01"), b"partial")
        self.select("remote", "many")
        self.t.keys("F5")
        self.t.wait_for(self.prompt_line("overwrite"), 20, "the files there are asked about")
        self.t.keys("a")
        self.t.keys("s")
        self.clear_filter()
        self.wait_file(self.lpath("many", "m05.bin"), data[5])
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed", 20,
                        "the second folder copy ends")
        self.assertEqual(sorted(os.listdir(self.lpath("many"))),
                         sorted(files + [".gone.bin.ferry-Ab12Cd", ".m10.bin.ferry-Hh77Gg"]))


class LoopTest(TuiCase):
    """A folder copy passes over a folder that leads back up to one above
    it (a link listed as a directory, here by pyftpdlib), and the panel
    says so, as `get -r` does: a skipped row naming the folder it leads to."""

    def test_folder_copy_shows_a_link_back_up_as_skipped(self):
        peer = peers.start_peer("pyftpdlib")
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/tree/a.txt", b"a\n")
        peer.write("pub/tree/sub/b.txt", b"b\n")
        peer.symlink(".", "pub/tree/loop")
        peer.symlink("..", "pub/tree/sub/up")
        self.start_ferry(url=peer.url("/pub/", peer.user, peer.password))
        self.select("remote", "tree")
        self.t.keys("F5")
        # Two copies run at once: either file may be the last.
        self.wait_file(self.lpath("tree", "a.txt"), b"a\n")
        self.wait_file(self.lpath("tree", "sub", "b.txt"), b"b\n")
        self.t.wait_for(r"skipped\s+<- .*tree/loop .*a link back to /pub/tree, a folder above "
                        r"it", 10, "the panel does not say why tree/loop was left out")
        self.t.wait_for(r"skipped\s+<- .*tree/sub/up .*a link back to /pub/tree, a folder "
                        r"above it", 10, "the panel does not say why tree/sub/up was left out")
        self.assertEqual(sorted(os.listdir(self.lpath("tree"))), ["a.txt", "sub"])


class VsftpdResumeTest(ResumeAfterDrop, QueueCase):
    kind = "vsftpd"


class PureFtpdResumeTest(ResumeAfterDrop, QueueCase):
    kind = "pure-ftpd"


class UploadAfterDrop:
    """An upload whose connections are cut in the middle is tried again by
    itself and ends whole on the server: from what the server kept (SIZE,
    REST, STOR) where it keeps a broken upload (vsftpd, pure-ftpd), from the start
    where it throws it away (ferryd writes to a temporary file)."""

    kind = None
    expect_rest = False
    BIG = 3 << 20

    def test_dropped_upload_is_tried_again(self):
        data = ftptest.random_bytes(self.BIG, seed=8)
        ftptest.write_file(self.lpath("up-again.bin"), data)
        if self.kind == "ferryd":
            host, port, url_path, user, pw = (self.server.host, self.server.port, "/", None,
                                              None)
            where = self.server.path("up-again.bin")
        else:
            peer = peers.start_peer(self.kind)
            self.addCleanup(peer.cleanup)
            peer.write("pub/" + REMOTE_MARK, b"remote\n")
            host, port, url_path, user, pw = (peers.HOST, peer.port, "/pub/", peer.user,
                                              peer.password)
            where = peer.path("pub", "up-again.bin")
        proxy = peers.ThrottleProxy(host, port, rate=1 << 20)
        self.addCleanup(proxy.close)
        self.start_ferry(url=proxy.url(url_path, user, pw))
        self.select("local", "up-again.bin")
        self.t.keys("F5")
        self.wait_disk(lambda: proxy.data_bytes > self.BIG // 4, 20, "the upload did not start")
        proxy.cut()
        self.t.wait_for(r"trying again in \d+ s \(1 of 5\)", 10,
                        "the panel says the transfer will be tried again")
        self.wait_file(where, data, timeout=60)
        stors = [c for c in proxy.commands if c.upper().startswith("STOR ")]
        rest = [int(c.split()[1]) for c in proxy.commands
                if c.upper().startswith("REST ") and c.split()[1].isdigit()]
        self.assertEqual(len(stors), 2, "the upload was not sent exactly twice: %s" % stors)
        if self.expect_rest:
            self.assertTrue(rest and max(rest) > 0, "no REST after the drop: %s" % rest)
        self.t.wait_for(r"done\s+-> .*up-again\.bin", 10)


class FerrydUploadTest(UploadAfterDrop, QueueCase):
    kind = "ferryd"


class VsftpdUploadTest(UploadAfterDrop, QueueCase):
    kind = "vsftpd"
    expect_rest = True


class PureFtpdUploadTest(UploadAfterDrop, QueueCase):
    kind = "pure-ftpd"
    expect_rest = True


class StallTest(QueueCase):
    """A download whose server stops sending: the rate shown falls to 0 and
    the time left reads "stalled" within a few seconds, not an estimate
    from the average since the start; both come back when bytes flow."""

    BIG = 8 << 20

    def test_stalled_download_says_so(self):
        self.server.write("stall.bin", ftptest.random_bytes(self.BIG, seed=3))
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 10)
        self.addCleanup(proxy.close)
        self.start_ferry(url=proxy.url("/"))
        self.select("remote", "stall.bin")
        self.t.keys("F5")
        running = r"running .* [1-9][0-9.]* [KM]B/s ETA \d+:\d\d +.*stall\.bin"
        self.t.wait_for(running, 20, "the download runs with a rate and a time left")
        proxy.pause()
        t0 = time.monotonic()
        self.t.wait_for(r"running .* 0 B/s ETA stalled +.*stall\.bin", 15,
                        "a download with nothing arriving shows 0 B/s and 'stalled'")
        self.assertLess(time.monotonic() - t0, 12)
        proxy.unpause()
        self.t.wait_for(running, 15, "the rate and the time left come back when bytes flow")
        self.t.wait_for(r"done\s+<- .*stall\.bin", 60)


class LocalDeleteCancelTest(TuiCase):
    """F8 of a local folder of 20,000 files runs in the local pane's
    process: while it runs the screen answers keys at once, x stops it
    between two entries, and the status line says it was cancelled and
    how many entries went; nothing more is deleted after that, and the
    pane lists what is left. The process is held (SIGSTOP) while the keys
    are sent, so the delete is still running whatever the machine's
    speed."""

    FILES = 20000

    def setUp(self):
        super().setUp()
        self.huge = self.lpath("huge")
        os.makedirs(self.huge)
        for i in range(self.FILES):
            with open(os.path.join(self.huge, "f%05d" % i), "wb"):
                pass

    def local_browser(self):
        """The PID of the local pane's process: ferry's first child (it
        is started before the connection's)."""
        ferry = [pid for pid, _ in peers._children(self.t.pid())]
        self.assertEqual(len(ferry), 1, ferry)
        return min(peers._children(ferry[0]), key=lambda c: (c[1], c[0]))[0]

    def test_x_stops_a_local_delete_between_entries(self):
        import signal
        from test_tui_latency import LIMIT_MS, CEILING_MS
        self.start_ferry()
        self.select("local", "huge")
        self.t.keys("F8")
        self.t.wait_for(self.prompt_line("delete directory", "huge"), 5, "F8 asks")
        pid = self.local_browser()
        os.kill(pid, signal.SIGSTOP)
        self.addCleanup(lambda: os.kill(pid, signal.SIGCONT))
        self.t.keys("y")
        self.t.wait_for(r"running\s+rm .*huge", 5, "the delete runs")
        timer = tuitest.KeyTimer(self.t)
        self.addCleanup(timer.close)
        keys = ["Tab"] * 8      # each one moves the cursor to the other pane
        times = timer.sample(keys, limit_ms=LIMIT_MS)
        self.assertTrue(len(times) == len(keys) and max(times) < CEILING_MS,
                        "keys waited for the delete (%s):\n%s"
                        % (tuitest.describe_ms(times), Tmux.framed(self.t.screen())))
        if timer.sent % 2:
            self.t.keys("Tab")  # a slow Tab was timed again: back to the local pane
        self.t.keys("x")
        self.t.wait_for(r"cancelling .*huge", 5, "x is answered")
        os.kill(pid, signal.SIGCONT)
        self.t.wait_for(r"cancelled %s: 1 removed, the rest not deleted"
                        % re.escape(self.huge), 20, "the status line says what went")
        s = self.t.screen()
        self.assertRegex("\n".join(panel(s)), r"cancelled\s+rm .*huge/", Tmux.framed(s))
        # Nothing more goes once it said so.
        self.assertEqual(len(os.listdir(self.huge)), self.FILES - 1)
        self.t.wait_stable(0.5, 3)
        self.assertEqual(len(os.listdir(self.huge)), self.FILES - 1)
        # The pane lists what is left.
        self.clear_filter()
        self.select("local", "huge")
        self.t.keys("Enter")
        self.t.wait_for(r"%d items" % (self.FILES - 1), 20, "the pane lists what is left")


class StatusTest(QueueCase):

    def test_queued_message_goes_when_the_queue_is_done(self):
        self.start_ferry()
        self.select("local", LOCAL_MARK)
        self.t.keys("F5")
        self.wait_file(self.server.path(LOCAL_MARK), b"local\n")
        self.t.wait_for(lambda s: not re.search(r"transfer\(s\) queued", s.split("\n")[-2]), 5,
                        "the status line still says transfers are queued")

    def test_connection_error_goes_when_it_works_again(self):
        srv = slowftp.SlowFtp(tree={REMOTE_MARK: b"r", "a.txt": b"a"}).start()
        port = srv.port
        self.start_ferry(url=srv.url("/"))
        self.focus("remote")
        srv.stop()
        self.t.keys("C-r")
        self.t.wait_for(lambda s: re.search(r"(?i)connect|lost|refused", s.split("\n")[-2]), 10,
                        "reloading without the server reports the connection")
        srv2 = slowftp.SlowFtp(tree={REMOTE_MARK: b"r", "back.txt": b"b"})
        srv2.start(port=port)
        self.addCleanup(srv2.stop)
        self.t.keys("C-r")
        self.t.wait_for("back.txt", 10, "the reload works once the server is back")
        s = self.t.screen()
        self.assertNotRegex(s.split("\n")[-2], r"(?i)connect|lost|refused",
                            "the stale connection error stayed:\n" + Tmux.framed(s))


# Files of the folder "pipe" uploaded through the relay, with their local
# times (distinct, in the past, whole seconds).
PIPE_FILES = [("a.bin", 5000, 1000000000), ("b.bin", 7001, 1100000000),
              ("c.bin", 0, 1200000000), ("d.bin", 3000, 1300000000)]


class PipelinedUploadTest(QueueCase):
    """A folder of several files uploaded to one server: each file's MFMT
    goes out together with the next file's ALLO and EPSV, as the command
    line's uploads do, and the last one's when the queue has nothing more
    for the transfer process. test_pipeline.ControlRelay holds the replies
    to ALLO and MFMT until the next command arrives, so an MFMT waited for
    shows on the wire. The files land byte for byte with their times; an
    MFMT refused is noted on its file's line."""

    def setUp(self):
        super().setUp()
        self.files = {}
        for i, (name, size, t) in enumerate(PIPE_FILES):
            data = ftptest.random_bytes(size, seed=400 + i)
            ftptest.write_file(self.lpath("pipe", name), data, mtime=t)
            self.files[name] = (data, t)

    def relay(self, **kw):
        r = test_pipeline.ControlRelay(self.server.host, self.server.port, **kw)
        self.addCleanup(r.close)
        return r

    def upload_pipe(self, relay, args=("--parallel", "1")):
        """F5 on the folder "pipe"; waits for every file and the panel's
        counts."""
        self.start_ferry(url=relay.url("/"), args=args)
        self.select("local", "pipe")
        self.t.keys("F5")
        self.clear_filter()
        for name, (data, _t) in self.files.items():
            self.wait_file(self.rpath("pipe", name), data, 30)
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed, %d done"
                        % (len(self.files) + 1), 20, "every upload done")

    def show_done(self):
        """t enlarges the panel; waits until every file's line is shown
        done; returns that screen."""
        self.t.keys("t")

        def every_line(s):
            return s if all(re.search(r"done\s+-> .*%s" % re.escape(n), s)
                            for n in self.files) else None
        every_line.__doc__ = "every upload's line shown done"
        return self.t.wait_for(every_line, 10, "t shows the finished uploads")

    def wait_times(self, relay, unset=()):
        def right():
            for name, (_data, t) in self.files.items():
                mtime = int(os.stat(self.rpath("pipe", name)).st_mtime)
                if (mtime == t) == (name in unset):
                    return False
            return True
        self.wait_disk(right, 10, "the files' times are not as they should be: %s\n%s"
                       % ({n: int(os.stat(self.rpath("pipe", n)).st_mtime) for n in self.files},
                          relay.dump()))

    def test_mfmt_goes_with_the_next_files_commands(self):
        relay = self.relay(hold=("ALLO", "MFMT"))
        self.upload_pipe(relay)
        self.wait_times(relay)
        wire = relay.dump()
        mfmt = [e for e in relay.commands() if e[3].upper().startswith("MFMT ")]
        self.assertEqual(len(mfmt), len(self.files), wire)
        self.assertEqual(len({e[1] for e in mfmt}), 1, "more than one transfer connection\n"
                         + wire)
        sent = relay.sent_before_reply("MFMT")
        # Every MFMT but the last went out before its reply, with the next
        # file's ALLO and EPSV.
        self.assertTrue(all(ok for _, ok in sent[:-1]),
                        "MFMT's reply awaited before the next file: %r\n%s" % (sent, wire))
        cmds = {(e[1], e[2]): e[3].split(" ")[0].upper() for e in relay.commands()}
        for _, cid, n, _line in mfmt[:-1]:
            self.assertEqual((cmds.get((cid, n + 1)), cmds.get((cid, n + 2))),
                             ("ALLO", "EPSV"), "MFMT not followed by the next upload's "
                             "commands\n" + wire)
        allo = relay.sent_before_reply("ALLO")
        self.assertTrue(len(allo) == len(self.files) and all(ok for _, ok in allo),
                        "%r\n%s" % (allo, wire))

    def test_two_transfer_processes_set_every_time(self):
        """With two transfer processes each sends its last MFMT when the
        queue has no more for it."""
        relay = self.relay(hold=("MFMT",))
        self.upload_pipe(relay, args=())
        self.wait_times(relay)

    def test_mfmt_lost_with_the_connection_is_sent_again(self):
        """The connection closes as a.bin's MFMT arrives with b.bin's
        commands: b.bin goes over a new connection and a.bin's MFMT is sent
        again there; every file gets its time, none is noted."""
        a = self.files["a.bin"][1]
        relay = self.relay(cut=("MFMT", "%s /pipe/a.bin" % ftptest.utc_stamp(a)))
        self.upload_pipe(relay)
        self.wait_times(relay)
        self.assertTrue(any(e[0] == "X" for e in relay.events), "never cut\n" + relay.dump())
        again = [e for e in relay.commands() if e[3].startswith("MFMT ")
                 and e[3].endswith("/pipe/a.bin")]
        self.assertEqual(len(again), 1, relay.dump())
        s = self.show_done()
        self.assertNotIn("the time was not set", s, Tmux.framed(s))

    def test_server_dropping_commands_sent_together(self):
        """A server that reads only the first of the commands that come
        together: after --timeout the transfer process reconnects and sends
        one command at a time; every file lands with its time."""
        relay = self.relay(first_line_only=True)
        self.upload_pipe(relay, args=("--parallel", "1", "--timeout", "2"))
        self.wait_times(relay)
        # The pane's connection, the transfer process's, and its second.
        self.assertGreaterEqual(relay.conns, 3, relay.dump())
        s = self.show_done()
        self.assertNotIn("the time was not set", s, Tmux.framed(s))

    def test_refused_mfmt_is_noted_on_its_file(self):
        b = self.files["b.bin"][1]
        relay = self.relay(answer={("MFMT", "%s /pipe/b.bin" % ftptest.utc_stamp(b)):
                                   "550 MFMT refused here."})
        self.upload_pipe(relay)
        self.wait_times(relay, unset=("b.bin",))
        self.t.keys("t")
        self.t.wait_for(r"done\s+-> .*b\.bin\s+the time was not set: 550 MFMT refused here\.",
                        10, "the refused MFMT is not noted on b.bin's line")
        s = self.t.screen()
        self.assertEqual(len(re.findall(r"the time was not set", s)), 1,
                         "a note on another file:\n" + Tmux.framed(s))

    def test_mfmt_not_understood_is_not_a_failure(self):
        """MFMT answered 502 (a server whose FEAT named it but that does
        not know it): the files keep their arrival times, no line says the
        time was not set, and MFMT is not sent again."""
        relay = self.relay(answer={("MFMT", "%s /pipe/%s" % (ftptest.utc_stamp(t), name)):
                                   "502 Command not implemented."
                                   for name, (_, t) in self.files.items()})
        self.upload_pipe(relay, args=("--parallel", "1"))
        self.wait_times(relay, unset=tuple(self.files))
        s = self.show_done()
        self.assertNotIn("the time was not set", s, Tmux.framed(s))
        mfmt = [e for e in relay.commands() if e[3].upper().startswith("MFMT ")]
        self.assertEqual(len(mfmt), 1, relay.dump())


PAR_FILES = 4                   # files in the folder "par"
PAR_SIZE = 96 * 1024            # each takes 1.5 s at --max-rate 64K


def rate_of(text):
    """Bytes per second from a rate as the panel shows it ("64.0 KB/s")."""
    m = re.match(r"([\d.]+) (B|KB|MB|GB)/s$", text)
    return float(m.group(1)) * 1024 ** ("B", "KB", "MB", "GB").index(m.group(2))


def retr_overlap(log):
    """The most RETRs ferryd had running at once, from its log: a session's
    "<- RETR" starts one, its "transfer: ... RETR" line ends it."""
    running, most = set(), 0
    for line in log.splitlines():
        m = re.search(r"ferryd\[(\d+)\]: .* (<- RETR |transfer: .* RETR )", line)
        if not m:
            continue
        if m.group(2).startswith("<-"):
            running.add(m.group(1))
        else:
            running.discard(m.group(1))
        most = max(most, len(running))
    return most


class ParallelTest(TuiCase):
    """Copies run N at once (default 2, --parallel N, P), each over a
    connection of its own with its own progress line, and the heading adds
    up their rates; with 1 they run one after the other."""

    server_args = ["--anonymous=rw", "-v", "--max-rate", "64K"]

    def setUp(self):
        super().setUp()
        self.data = {}
        for i in range(PAR_FILES):
            name = "p%d.bin" % i
            self.data[name] = ftptest.random_bytes(PAR_SIZE, seed=300 + i)
            self.server.write("par/" + name, self.data[name])

    def copy_par(self):
        """Downloads the folder "par"; returns the most progress lines seen
        running at once, and for each look at two running lines the sum
        of their rates, the heading's total rate and the screen."""
        self.select("remote", "par")
        self.t.keys("F5")
        self.clear_filter()
        running = re.compile(r"running\s+<- \[[#-]*\]\s+\d+% .*? (\S+ [KMG]?B/s) ETA "
                             r".*(p\d\.bin)")
        most, sums = 0, []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            s = self.t.screen()
            lines = running.findall("\n".join(panel(s)[1:]))
            most = max(most, len({name for _, name in lines}))
            total = re.search(r"\| (\S+ \S+/s) total, (\d+) at once", heading(s))
            self.assertIsNotNone(total or not panel(s), "no total rate in the heading:\n"
                                 + Tmux.framed(s))
            if len(lines) == 2 and rate_of(lines[0][0]) > 0 and rate_of(lines[1][0]) > 0:
                sums.append((rate_of(lines[0][0]) + rate_of(lines[1][0]),
                             rate_of(total.group(1)), s))
            if all(os.path.exists(self.lpath("par", n)) for n in self.data):
                break
            time.sleep(0.1)
        for name, data in self.data.items():
            self.wait_file(self.lpath("par", name), data, timeout=30)
        self.t.wait_for(r"Transfers: 0 running, 0 queued, 0 failed, %d done" % (PAR_FILES + 1),
                        10, "every copy done")
        return most, sums

    def test_two_at_once_by_default(self):
        self.start_ferry()
        most, sums = self.copy_par()
        self.assertEqual(most, 2, "two progress lines never ran at once")
        self.assertTrue(sums, "never saw two running lines with their rates")
        for both, total, screen in sums:
            # Each rate is shown to three digits: the total is their sum.
            self.assertAlmostEqual(total, both, delta=both * 0.02,
                                   msg="the heading's total is not the sum of the two "
                                   "rates:\n" + Tmux.framed(screen))
        self.assertEqual(retr_overlap(self.server.log_text()), 2,
                         "the server never had two downloads running at once")

    def test_one_at_a_time_then_p_sets_more(self):
        self.start_ferry(args=["--parallel", "1"])
        most, sums = self.copy_par()
        self.assertEqual(most, 1, "more than one copy ran with --parallel 1")
        self.assertEqual(retr_overlap(self.server.log_text()), 1,
                         "the server had two downloads at once with --parallel 1")
        self.t.wait_check(lambda s: self.assertRegex(heading(s), r"1 at once"), 5)
        # P asks for the number: a bad one is refused, a good one shown.
        self.t.keys("P")
        self.t.wait_for(self.prompt_line("transfers at once"), 5, "P asks how many")
        self.t.keys("C-u")
        self.t.type("9")
        self.t.keys("Enter")
        self.t.wait_for(r"give a number from 1 to 8", 5, "P refuses 9")
        self.t.keys("P")
        self.t.wait_for(self.prompt_line("transfers at once"), 5)
        self.t.keys("C-u")
        self.t.type("3")
        self.t.keys("Enter")
        self.t.wait_for(r"\| .* total, 3 at once", 5, "the heading shows the new number")

    def test_bad_parallel_option_is_a_usage_error(self):
        r = subprocess.run([FERRY, "--parallel", "0", "ftp://127.0.0.1/"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"--parallel 0: give a number from 1 to 8", r.stderr)


# Files in the local folder of the big copy, and as many other names in
# the server's folder; BIG_COPY_SAME of the local names are there too.
# F5 with all of them tagged looked each one up through the whole remote
# pane and through every target queued before it (about 2 * 10^9 name
# compares): 38 s under ASan before the copies were queued. It takes
# about 1 s now; the limit leaves room for a loaded machine.
BIG_COPY = 40000
BIG_COPY_SAME = 3
BIG_COPY_MS = 5000


class BigCopyTest(TuiCase):

    def test_copy_of_a_big_tagged_folder_queues_at_once(self):
        """Every file of a folder of BIG_COPY tagged, F5 into a folder of
        as many other files: the question about the first name there
        comes at once, the answer "overwrite all" has every copy queued
        within BIG_COPY_MS, keys are answered at once while they run, and
        the first files (the replaced ones among them) arrive whole."""
        from test_tui_compare import big_key_timer
        from test_tui_latency import CEILING_MS
        rdir = self.server.path("bigcopy")
        self.server.write("bigcopy/" + REMOTE_MARK, b"remote\n")
        ftptest.write_file(self.lpath("bigcopy", LOCAL_MARK), b"local\n")
        want = {}
        for i in range(BIG_COPY_SAME):
            name = "a-same-%d" % i
            self.server.write("bigcopy/" + name, b"old\n")
            want[name] = b"new %s\n" % name.encode()
        for i in range(BIG_COPY):
            name = "n-new-%05d" % i
            want[name] = b"new %s\n" % name.encode()
            open(os.path.join(rdir, "s-there-%05d" % i), "wb").close()
        for name, data in want.items():
            with open(self.lpath("bigcopy", name), "wb") as f:
                f.write(data)
        ftptest.prepare(rdir)
        self.t.start([FERRY, self.server.url("/bigcopy/")], cwd=self.lpath("bigcopy"),
                     width=120, height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 30, "both panes")
        self.focus("local")
        tagged = len(want) + 1
        self.t.keys("+")
        self.t.wait_for(r"Tag the names matching", 5, "+ asks for a pattern")
        self.t.keys("Enter")
        self.t.wait_for(r"\b%d tagged" % tagged, 10, "+ * tags every file")
        timer = big_key_timer(self, "F5", BIG_COPY_MS, "F5 on %d tagged files" % tagged)
        self.t.wait_for(r"a-same-0 exists", 5, "F5 asks about the first name there")
        self.t.keys("a")
        self.t.wait_for(r"a = apply to all: \[x\]", 5, "a ticks apply to all")
        t0 = time.monotonic()
        self.t.keys("o")
        self.t.wait_for(r"\b%d transfer\(s\) queued" % tagged, 120, "F5 queues every file")
        took = (time.monotonic() - t0) * 1000
        sys.stderr.write("F5: %d copies queued after the answer in %.0f ms\n" % (tagged, took))
        self.assertLess(took, BIG_COPY_MS, "queueing %d copies took %.0f ms" % (tagged, took))
        times = timer.sample(["Down", "Up"] * 4, limit_ms=CEILING_MS)
        sys.stderr.write("keys while the copies run: %s\n" % tuitest.describe_ms(times))
        self.assertLess(max(times), CEILING_MS,
                        "keys while the copies run: %s" % tuitest.describe_ms(times))
        for name in sorted(want)[:BIG_COPY_SAME + 3]:
            self.wait_file(os.path.join(rdir, name), want[name], timeout=30)


# Files in the server's folder that copies go into, and files copied
# there. Each copy's end had the remote pane read the whole folder again,
# once a second while copies ran: 12 to 14 listings in 11 to 13 s under
# ASan, the browser replaced (a new login) whenever the listing before
# was still on its way (1 to 6 times), and a tenth of a second of every
# second spent putting 40,000 names into the pane. Now it is 2 or 3.
RELOAD_BIG = 40000
RELOAD_COPIES = 400
# Copies that run at once (each on a connection of its own).
RELOAD_PARALLEL = 2
# Least time between two listings of the big folder while copies run, in
# seconds: the pane is read again only after the last listing was shown,
# and then not before QUEUE_RELOAD_GAP_MS (a few times as long as that
# listing took when longer: under ASan about 2.5 s, in a release build
# where the listing takes 0.2 s the floor). Before, the listings were as
# often, but a new one began while the last was still on its way, with a
# new login: the connections counted below.
RELOAD_EVERY_S = 1.0


def listings(proxy):
    """How many listings the proxy's clients asked for."""
    return sum(1 for c in list(proxy.commands) if c.split(" ")[0] in ("LIST", "MLSD", "NLST"))


class BigFolderReloadTest(TuiCase):

    def test_copies_into_a_big_folder_reload_it_seldom(self):
        """RELOAD_COPIES uploads into a remote folder of RELOAD_BIG files:
        keys are answered at once while they run, the folder is read
        again seldom and never while it is still read (no connection is
        opened but the copies'), and once the queue is done the pane
        counts every file copied."""
        from test_tui_latency import CEILING_MS
        rdir = self.server.path("bigdest")
        self.server.write("bigdest/" + REMOTE_MARK, b"remote\n")
        for i in range(RELOAD_BIG):
            open(os.path.join(rdir, "s-there-%05d" % i), "wb").close()
        ftptest.prepare(rdir)
        ftptest.write_file(self.lpath("up", LOCAL_MARK), b"local\n")
        for i in range(RELOAD_COPIES):
            ftptest.write_file(self.lpath("up", "u-new-%03d" % i), b"new %d\n" % i)
        last = "u-new-%03d" % (RELOAD_COPIES - 1)    # copied last
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=1 << 30)
        self.addCleanup(proxy.close)
        self.t.start([FERRY, "--parallel", str(RELOAD_PARALLEL), proxy.url("/bigdest/")],
                     cwd=self.lpath("up"), width=120, height=40, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 30, "both panes")
        self.focus("local")
        self.t.keys("+")
        self.t.wait_for(r"Tag the names matching", 5, "+ asks for a pattern")
        self.t.type("u-new-*")
        self.t.keys("Enter")
        self.t.wait_for(r"\b%d tagged" % RELOAD_COPIES, 10, "+ tags the new files")
        lists0, conns0 = listings(proxy), len(proxy.arrivals)
        t0 = time.monotonic()
        self.t.keys("F5")
        self.t.wait_for(r"\b%d transfer\(s\) queued" % RELOAD_COPIES, 20, "F5 queues the copies")
        timer = tuitest.KeyTimer(self.t)
        self.addCleanup(timer.close)
        times = []
        while not os.path.exists(os.path.join(rdir, last)) and time.monotonic() - t0 < 120:
            times += timer.sample(["Down", "Up"], limit_ms=CEILING_MS)
        took = time.monotonic() - t0
        lists, conns = listings(proxy) - lists0, len(proxy.arrivals) - conns0
        sys.stderr.write("%d copies in %.1f s: %d listings, %d connections; keys: %s\n"
                         % (RELOAD_COPIES, took, lists, conns, tuitest.describe_ms(times)))
        self.assertTrue(os.path.exists(os.path.join(rdir, last)), "the copies did not end")
        self.assertLess(max(times), CEILING_MS,
                        "keys while the copies run: %s" % tuitest.describe_ms(times))
        self.assertLessEqual(lists, 2 + took / RELOAD_EVERY_S,
                             "listings of the big folder while the copies ran for %.1f s" % took)
        self.assertLessEqual(conns, RELOAD_PARALLEL,
                             "connections opened while the copies ran (the browser replaced)")
        self.t.wait_for(r"queue finished", 60, "the queue ends")
        self.t.wait_for(r"\b%d items" % (RELOAD_BIG + 1 + RELOAD_COPIES), 30,
                        "the remote pane counts every file copied")


# Seconds every listing of the remote folder takes (slowftp holds it): 4
# times that is longer than the reload gap's ceiling of 10 s.
SLOW_LIST_S = 6.0
# Seconds the server holds the answer to a download's RETR: the copy runs
# that long, so the queue is busy while the remote pane waits for its
# reload (under the engine's reply timeout of 30 s).
HOLD_RETR_S = 25.0
# Seconds from the remote pane's first listing shown by which a file
# uploaded at once must show in it: the ceiling (10 s) and one more slow
# listing, with room for a loaded machine. Without the ceiling the pane
# waited 4 times its listing's time, and showed the file after 30 s.
SLOW_RELOAD_WITHIN_S = 22.0


class SlowListingReloadTest(TuiCase):

    def test_slow_listing_is_read_again_within_the_ceiling(self):
        """The remote folder takes SLOW_LIST_S to list. A download that runs
        for HOLD_RETR_S keeps the queue busy while a file is uploaded into
        the folder: the remote pane shows the new file while the download
        still runs, within the ceiling and a listing of the first listing
        shown."""
        srv = slowftp.SlowFtp(tree={REMOTE_MARK: b"r", "hold.bin": b"held\n"},
                              slow={"/": SLOW_LIST_S}, delays={"RETR": HOLD_RETR_S}).start()
        self.addCleanup(srv.stop)
        ftptest.write_file(self.lpath("up-new.bin"), b"new\n")
        self.start_ferry(url=srv.url("/"), wait=False)
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 30, "both panes")
        t0 = time.monotonic()
        self.select("remote", "hold.bin")
        self.t.keys("F5")
        self.clear_filter()
        self.select("local", "up-new.bin")
        self.t.keys("F5")

        def in_remote_pane(s):
            return any("up-new.bin" in line[60:] for line in panes(s).split("\n"))
        in_remote_pane.__doc__ = "up-new.bin in the remote pane"
        self.t.wait_for(in_remote_pane, max(0.0, t0 + SLOW_RELOAD_WITHIN_S - time.monotonic()),
                        "the remote pane shows the upload within %.0f s" % SLOW_RELOAD_WITHIN_S)
        sys.stderr.write("the upload shown in the remote pane %.1f s after its first listing\n"
                         % (time.monotonic() - t0))
        self.assertFalse(os.path.exists(self.lpath("hold.bin")),
                         "the download had ended: the pane was read for an idle queue")
        self.assertEqual(srv.tree.get("up-new.bin"), b"new\n")
        self.wait_file(self.lpath("hold.bin"), b"held\n", timeout=HOLD_RETR_S + 20)

if __name__ == "__main__":
    unittest.main(verbosity=2)
