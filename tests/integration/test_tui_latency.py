"""The two-pane client never makes a key wait for the network: keys are
answered in a median under 50 ms, none over 1 s, while a listing is held
up by the server and while
a connection is being opened to a server that never answers; a pane that
waits says "loading"; Esc cancels what is pending; q and Ctrl-C quit at
once.

The servers are slowftp.SlowFtp: one that holds the listing of /slow for a
long time, one that accepts connections and stays silent, one that holds
every listing once an upload arrived (the reload after a transfer, of a
folder of 20,000 files), and ones that answer MKD, RNFR, RETR or DELE only
after a long time (x ends a fetch or a delete stuck so). Key latency is
measured by tuitest.KeyTimer (send-keys to the pane's next output, through
a tmux control-mode client) over repeated samples; the median and the
maximum are printed with the test's output.
"""

import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import unittest

import config
import ftptest
import slowftp
import tuitest
from tuitest import Tmux

FERRY = os.path.join(config.BUILDDIR, "client", "ferry")
LOCAL_MARK = "local-only.txt"
REMOTE_MARK = "remote-only.txt"
# The median time keys may take to be answered, in ms. A key answered
# from memory takes a few ms even under ASan; 50 ms is what people feel as
# a lag. The median is held to it, not each key: on a loaded machine of two
# shared CPUs one key in a run can wait for the scheduler far longer, and
# a limit on every key failed there while the program was not at fault.
LIMIT_MS = 50
# The longest any one key may take, in ms: far over a scheduler's delay,
# far under the time a key waiting for the network would take (the server
# holds its answers for HOLD seconds, and a key not answered at all counts
# as the 5 s tuitest.KeyTimer waits).
CEILING_MS = 1000
# Keys timed in each situation (alternating, so each one moves the cursor).
KEYS = ["Down", "Up"] * 8
# How long the slow server holds a listing, in seconds: far longer than
# any test step, so a blocked screen would stay blocked while keys are timed.
HOLD = 60.0
# A folder deep enough that its path does not fit an 80-column screen's
# pane heading; its "slow" folder's listing is held too.
DEEP = "a-folder-with-a-rather-long-name/and-another-one-below-it"


class SlowServerCase(ftptest.TestCase):
    """A local folder with a few files, a SlowFtp, and ferry in tmux."""

    silent = False
    delays = None           # {verb: seconds} the server waits before answering
    reload_hold = None      # seconds listings are held once an upload arrived
    many = 0                # extra files in the remote top folder

    def setUp(self):
        if not (os.path.isfile(FERRY) and os.access(FERRY, os.X_OK)):
            raise AssertionError("ferry is not built: %s (run make)" % FERRY)
        tuitest.tmux_path()
        self.base = tempfile.mkdtemp(prefix="ferry-lat-")
        self.addCleanup(shutil.rmtree, self.base, True)
        self.local = os.path.join(self.base, "local")
        self.home = os.path.join(self.base, "home")
        os.makedirs(self.home)
        for name in (LOCAL_MARK, "a.txt", "b.txt", "c.txt"):
            ftptest.write_file(os.path.join(self.local, name), b"local\n")
        # "slow" is a directory whose listing is held; slow-*.txt keep a
        # filter on "slow" showing rows the cursor can move over.
        tree = {REMOTE_MARK: b"remote\n", "pub/inside.txt": b"in\n",
                "slow/held.txt": b"held\n", "odd/listed.txt": b"odd\n",
                "slow-a.txt": b"a", "slow-b.txt": b"b",
                DEEP + "/deep.txt": b"deep", DEEP + "/slow/held.txt": b"held\n"}
        for i in range(5):
            tree["file-%d.txt" % i] = b"x" * i
        for i in range(self.many):
            tree["many-%05d.dat" % i] = b"m"
        self.srv = slowftp.SlowFtp(tree=tree, slow={"/slow": HOLD, "/%s/slow" % DEEP: HOLD},
                                   mlsd_fails={"/odd"},
                                   silent=self.silent, delays=self.delays,
                                   reload_hold=self.reload_hold).start()
        self.addCleanup(self.srv.stop)
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.timer = None

    def start_ferry(self, url=None, width=120, height=40):
        self.t.start([FERRY, url or self.srv.url("/")], cwd=self.local, width=width,
                     height=height, env={"HOME": self.home})

    def filter_to(self, text):
        """Filters the active pane on text (/ text Enter)."""
        self.t.keys("/")
        self.t.type(text)
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"%s\"" % re.escape(text), 5)

    def key_times(self, what, keys=KEYS):
        """Times keys; prints and returns the times in ms."""
        if self.timer is None:
            self.timer = tuitest.KeyTimer(self.t)
            self.addCleanup(self.timer.close)
        times = self.timer.sample(keys, limit_ms=LIMIT_MS)
        sys.stderr.write("key latency %s: %s\n" % (what, tuitest.describe_ms(times)))
        return times

    def assertFast(self, times, what):
        self.assertTrue(len(times) == len(KEYS) and statistics.median(times) < LIMIT_MS
                        and max(times) < CEILING_MS,
                        "keys %s were slow (limits: median %d ms, each %d ms; %s); screen:\n%s"
                        % (what, LIMIT_MS, CEILING_MS, tuitest.describe_ms(times),
                           Tmux.framed(self.t.screen())))

    def assertQuitsAtOnce(self, key):
        t0 = time.monotonic()
        self.t.keys(key)
        status = self.t.wait_exit(5)
        took = time.monotonic() - t0
        sys.stderr.write("%s quit ferry in %.0f ms\n" % (key, took * 1000))
        self.assertEqual(status, 0, "%s should end ferry with status 0" % key)
        self.assertLess(took, 2.0, "%s took %.1f s to quit" % (key, took))

    def open_remote(self, name):
        """Filters the remote pane (active at start) by name, which puts the
        cursor on the first match (directories come first), and opens it."""
        self.t.keys("/")
        self.t.type(name)
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"%s\"" % re.escape(name), 5, "the filter on %s" % name)
        self.t.keys("Enter")


class SlowListingTest(SlowServerCase):

    def test_keys_answer_while_a_listing_is_held(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10,
                        "both panes listing their files")
        # Open /slow: the server holds the listing; the pane says so.
        self.open_remote("slow")
        self.t.wait_for(r"remote / .*loading", 5, "the remote pane says it is loading")
        # Keys in the waiting pane (over its old entries) and in the other one.
        self.assertFast(self.key_times("in the pane waiting for a held listing"),
                        "in the waiting pane")
        self.t.keys("Tab")
        self.assertFast(self.key_times("in the other pane during a held listing"),
                        "in the other pane")
        s = self.t.screen()
        self.assertRegex(s, r"remote / .*loading", "the listing should still be held")
        # Esc (in the waiting pane) cancels the listing; browsing goes on.
        self.t.keys("Tab", "Escape")
        self.t.wait_for(r"listing cancelled", 5, "Esc cancels the held listing")
        self.t.wait_gone(r"loading", 5, "the pane no longer waits")
        self.t.keys("Escape")       # nothing pending now: Esc clears the filter
        self.t.wait_for(r"filter cleared", 5)
        self.open_remote("pub")
        self.t.wait_for(lambda s: "inside.txt" in s and "remote /pub" in s, 10,
                        "a new listing after the cancelled one")
        # q quits at once even while a listing is held.
        self.t.keys("BSpace")
        self.t.wait_for(REMOTE_MARK, 5)
        self.open_remote("slow")
        self.t.wait_for(r"remote / .*loading", 5)
        self.assertQuitsAtOnce("q")

    def test_a_long_path_leaves_room_for_loading(self):
        """On 80 columns, a pane whose path is longer than its heading
        keeps the path's end (after an ellipsis) and still says it is
        loading; Esc cancels it."""
        self.start_ferry(self.srv.url("/%s/" % DEEP), width=80, height=24)
        self.t.wait_for(lambda s: LOCAL_MARK in s and "deep.txt" in s, 10)
        self.open_remote("slow")

        def says_loading(s):
            head = s.split("\n")[1]
            self.assertRegex(head, r"remote \u2026[a-z-]*below-it \[name /slow\] loading\u2026",
                             "the heading hides that the pane is loading:\n" + Tmux.framed(s))
        self.t.wait_check(says_loading, 5)
        self.t.keys("Escape")
        self.t.wait_for(r"listing cancelled", 5, "Esc cancels the held listing")
        self.assertQuitsAtOnce("q")

    def test_a_new_listing_replaces_a_held_one(self):
        """Opening another folder while a listing is held shows that folder
        at once; the held listing never comes in over it."""
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.open_remote("slow")
        self.t.wait_for(r"remote / .*loading", 5)
        self.t.keys("/")            # the filter "slow" becomes "pub"
        self.t.keys(*(["BSpace"] * 8))
        self.t.type("pub")
        self.t.keys("Enter", "Enter")
        self.t.wait_for(lambda s: "inside.txt" in s and "remote /pub" in s, 5,
                        "the folder opened last is shown at once")
        time.sleep(1.0)
        s = self.t.screen()
        self.assertIn("remote /pub", s, "the held listing came in over the newer one")
        self.assertNotIn("loading", s)

    def test_mlsd_refused_falls_back_to_list(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.open_remote("odd")
        s = self.t.wait_for(lambda s: s if "listed.txt" in s and "remote /odd" in s else None,
                            10, "/odd listed although its MLSD is refused")
        self.assertRegex(s, r"MLSD failed \(451 Listing too large\.\); listed with LIST",
                         "the status line does not say LIST stood in for MLSD:\n"
                         + Tmux.framed(s))
        self.assertIn("MLSD", self.srv.log, "MLSD was not tried first: %s" % self.srv.log)


    def test_ctrl_c_quits_while_a_listing_is_held(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.open_remote("slow")
        self.t.wait_for(r"remote / .*loading", 5)
        self.assertQuitsAtOnce("C-c")


class ReloadAfterTransferTest(SlowServerCase):
    """An upload into a folder of 20,000 files: the reload after it is
    held by the server; keys in both panes are answered meanwhile."""

    many = 20000
    reload_hold = HOLD

    def test_keys_answer_during_the_reload_after_an_upload(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and "many-00000.dat" in s, 20,
                        "both panes listing their files")
        # The local pane: upload a.txt, the first of the files the filter
        # leaves (the cursor needs rows to move over).
        self.t.keys("Tab")
        self.t.keys("/")
        self.t.type(".txt")
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"\.txt\"", 5)
        self.t.keys("F5")
        ftptest.wait_until(lambda: self.srv.stored, 15)
        self.assertTrue(self.srv.stored, "the upload never reached the server")
        self.t.wait_for(r"remote / .*loading", 10, "the remote pane reloads after the upload")
        self.assertFast(self.key_times("in the local pane during the reload after an upload"),
                        "in the local pane during the reload")
        self.t.keys("Tab")
        self.assertFast(self.key_times("in the reloading pane of 20,000 files"),
                        "in the reloading pane")
        self.assertRegex(self.t.screen(), r"remote / .*loading", "the reload should be held")
        self.assertQuitsAtOnce("q")


class SlowCommandCase(SlowServerCase):
    """A command the server answers only after HOLD seconds, started from
    the remote pane (start() opens it); keys are timed meanwhile and q
    quits at once."""

    def check_keys_while(self, start, what):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        start()
        verb = list(self.delays)[0]
        ftptest.wait_until(lambda: any(l.startswith(verb) for l in self.srv.log), 10)
        self.assertTrue(any(l.startswith(verb) for l in self.srv.log),
                        "%s never reached the server: %s" % (verb, self.srv.log))
        self.assertFast(self.key_times("in the remote pane during a slow %s" % what),
                        "during a slow %s" % what)
        self.t.keys("Tab")
        self.assertFast(self.key_times("in the local pane during a slow %s" % what),
                        "in the other pane during a slow %s" % what)
        self.assertQuitsAtOnce("q")


class SlowMkdirTest(SlowCommandCase):

    delays = {"MKD": HOLD}

    def test_keys_answer_during_a_slow_mkdir(self):
        def start():
            self.t.keys("F7")
            self.t.wait_for(r"New directory name", 5)
            self.t.type("made-slowly")
            self.t.keys("Enter")
        self.check_keys_while(start, "MKD")


class SlowRenameTest(SlowCommandCase):

    delays = {"RNFR": HOLD}

    def test_keys_answer_during_a_slow_rename(self):
        def start():
            self.filter_to("file-")     # five rows; the cursor on file-0.txt
            self.t.keys("F6")
            self.t.wait_for(r"(?i)rename", 5)
            self.t.type("renamed-slowly.txt")
            self.t.keys("Enter")
        self.check_keys_while(start, "RNFR")


class SlowViewTest(SlowServerCase):
    """F3 on a remote file the server never sends: the screen says what it
    is fetching, keys answer in both panes, the help and the quit question
    open, and x cancels the fetch within seconds."""

    delays = {"RETR": HOLD}

    def test_keys_answer_while_a_viewed_file_is_fetched(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.filter_to("file-")         # five rows; the cursor on file-0.txt
        self.t.keys("F3")
        ftptest.wait_until(lambda: any(l.startswith("RETR") for l in self.srv.log), 10)
        self.t.wait_for(r"fetching file-0\.txt to view it \(x cancels\)", 5,
                        "the status line says what is awaited")
        self.assertFast(self.key_times("in the remote pane while a viewed file is fetched"),
                        "while a viewed file is fetched")
        self.t.keys("Tab")
        self.assertFast(self.key_times("in the local pane while a viewed file is fetched"),
                        "in the other pane while a viewed file is fetched")
        self.t.keys("?")
        self.t.wait_for(r"ferry keys", 5, "the help opens")
        self.t.keys("Escape")
        self.t.wait_gone(r"ferry keys", 5)
        self.t.keys("F10")
        self.t.wait_for(r"not finished\. Quit and stop", 5, "F10 asks about the fetch")
        self.t.keys("n")
        self.t.wait_gone(r"Quit and stop", 5)
        # The worker waits for a reply that does not come and hears no
        # cancel: the screen ends it after a short grace.
        self.t.keys("x")
        self.t.wait_for(r"cancelled\s+<- .*/file-0\.txt", 10,
                        "x cancels a fetch the server never answers")
        self.t.wait_for(r"file-0\.txt: cancelled; nothing opened", 5)
        self.assertNotRegex(self.t.screen(), r"file-0\.txt\s+text\s+rows",
                            "the viewer opened on a fetch that never finished")
        # Copies go on over a new connection.
        self.t.keys("/")
        self.t.type("a.txt")
        self.t.keys("Enter")
        self.t.wait_for(r"filter \"a\.txt\"", 5)
        self.t.keys("F5")
        self.assertTrue(ftptest.wait_until(lambda: "a.txt" in self.srv.tree, 10),
                        "no upload after the cancel; screen:\n" + Tmux.framed(self.t.screen()))
        self.t.wait_for(r"queue finished: 1 done", 10)
        self.assertQuitsAtOnce("q")


class SlowDeleteTest(SlowServerCase):
    """F8 of a remote folder whose DELE the server never answers: x ends
    the delete within seconds, saying the rest was not deleted, and the
    remote pane goes on over a new connection."""

    delays = {"DELE": HOLD}

    def test_x_ends_a_delete_the_server_never_answers(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.filter_to("pub")
        self.t.keys("F8")
        self.t.wait_for(r"Delete .*pub.*everything in it", 5)
        self.t.keys("y")
        ftptest.wait_until(lambda: any(l.startswith("DELE") for l in self.srv.log), 10)
        self.assertTrue(any(l.startswith("DELE") for l in self.srv.log),
                        "DELE never reached the server: %s" % self.srv.log)
        # The browser waits for a reply that does not come and hears no
        # cancel: the screen ends it after a short grace.
        self.t.keys("x")
        self.t.wait_for(r"cancelled\s+rm .*pub/? .*no answer from the server.*not deleted",
                        10, "x does not end a delete the server never answers")
        self.assertIn("pub/inside.txt", self.srv.tree)
        # The remote pane works again, over a new connection.
        self.t.keys("Escape")
        self.t.keys("F7")
        self.t.wait_for(r"New directory name", 5)
        self.t.type("made-after")
        self.t.keys("Enter")
        self.assertTrue(ftptest.wait_until(lambda: "/made-after" in self.srv.made, 10),
                        "no MKD after the cancel; screen:\n" + Tmux.framed(self.t.screen()))
        self.assertQuitsAtOnce("q")


class SilentServerTest(SlowServerCase):

    silent = True

    def test_keys_answer_while_connecting_to_a_silent_server(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and re.search(r"connecting", s), 10,
                        "the local pane listed while the connection is being opened")
        self.t.keys("Tab")
        self.assertFast(self.key_times("in the local pane while connecting to a silent server"),
                        "while connecting")
        self.assertRegex(self.t.screen(), r"connecting", "the connection should still be pending")
        # Esc cancels the connection being opened.
        self.t.keys("Escape")
        self.t.wait_for(r"connecting to 127\.0\.0\.1 cancelled", 5, "Esc cancels the connect")
        self.t.wait_check(lambda s: self.assertRegex(s.split("\n")[0], r"not connected"), 5)
        self.assertQuitsAtOnce("q")

    def test_ctrl_c_quits_while_connecting(self):
        self.start_ferry()
        self.t.wait_for(lambda s: LOCAL_MARK in s and re.search(r"connecting", s), 10)
        self.assertQuitsAtOnce("C-c")


if __name__ == "__main__":
    unittest.main(verbosity=2)
