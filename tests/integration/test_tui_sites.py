"""Sites: the site manager on F2 (add, edit, delete, connect; the recent
hosts), the sites file it writes (plain text, mode 0600, a password only
when asked), ferry @name on the screen and on the command line (also
`open @name`), against ferryd, vsftpd and pure-ftpd.

Built on test_tui.TuiCase; HOME is the test's own, so the sites file is
HOME/.config/ferry/sites and the recent hosts HOME/.local/state/ferry/recent.
"""

import os
import stat
import subprocess
import time
import unittest

import ftptest
import peers
from test_tui import TuiCase, FERRY, LOCAL_MARK, REMOTE_MARK
from tuitest import Tmux


class SitesCase(TuiCase):
    named_user = True

    def sites_file(self):
        return os.path.join(self.home, ".config", "ferry", "sites")

    def recent_file(self):
        return os.path.join(self.home, ".local", "state", "ferry", "recent")

    def write_sites(self, text):
        os.makedirs(os.path.dirname(self.sites_file()), exist_ok=True)
        ftptest.write_file(self.sites_file(), text.encode(), mode=0o600)

    def answer(self, prompt, text=None, key="Enter"):
        """Waits for a dialog line holding prompt; types text over what it
        suggests (None: keeps it) and presses key."""
        self.t.wait_for(self.prompt_line(prompt), 5, "the dialog asks %r" % prompt)
        if text is not None:
            self.t.keys("C-u")
            self.t.type(text)
        self.t.keys(key)

    def open_manager(self):
        self.t.keys("F2")
        self.t.wait_for(r"New connection", 5, "F2 opens the site manager")

    def ferry_cli(self, *args):
        env = dict(os.environ, HOME=self.home)
        for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            env.pop(k, None)
        return subprocess.run([FERRY] + list(args), env=env, cwd=self.base,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=30)


class SiteManagerTest(SitesCase):

    def test_add_connect_restart_and_cli(self):
        self.server.write("alice/start dir/in-start.txt", b"start\n")
        os.makedirs(self.lpath("local start"))
        ftptest.write_file(self.lpath("local start", "local-start.txt"), b"l\n")
        self.start_ferry(url="", wait=False)
        self.t.wait_for(r"New connection", 10, "the site manager at start")
        self.t.keys("a")
        self.answer("Site name:", "my site")
        self.answer("Host or URL", "127.0.0.1:%d" % self.server.port)
        self.answer("TLS for my site", key="o")
        self.answer("User", peers.NAMED_USER)
        self.answer("Keep a password", key="y")
        self.answer("Password to keep", peers.NAMED_PASSWORD)
        self.answer("Remote folder", "start dir")
        self.answer("Local folder", self.lpath("local start"))
        self.answer("Data connections", key="a")
        self.t.wait_for(self.prompt_line("site", "my site", "alice"), 5,
                        "the new site is listed")
        self.t.wait_check(lambda s: self.assertIn("saved my site", s), 5)
        # On disk: plain text, mode 0600, every field.
        st = os.stat(self.sites_file())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        text = ftptest.read_file(self.sites_file()).decode()
        for line in ("[my site]", "url = ftp://127.0.0.1:%d" % self.server.port,
                     "user = alice", "password = " + peers.NAMED_PASSWORD, "tls = off",
                     "remote = start dir", "local = " + self.lpath("local start"),
                     "mode = active"):
            self.assertIn(line + "\n", text)
        # Enter connects: both start folders shown.
        self.t.keys("Enter")
        self.t.wait_for(lambda s: "in-start.txt" in s and "local-start.txt" in s, 10,
                        "the site's remote and local folders")
        self.t.wait_check(lambda s: self.assertIn("plain FTP", s.split("\n")[0]), 5)
        # The connection is a recent host, without its password.
        self.wait_disk(lambda: os.path.exists(self.recent_file()), 5, "recent hosts written")
        recent = ftptest.read_file(self.recent_file()).decode()
        # The site's TLS choice was off: the recent host says so.
        self.assertEqual(recent.split("\n")[0],
                         "ftp://alice@127.0.0.1:%d tls=off" % self.server.port)
        self.assertNotIn(peers.NAMED_PASSWORD, recent)
        # After a restart the manager lists the site and the recent host.
        self.t.keys("q")
        self.t.wait_exit()
        self.t.kill()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.start_ferry(url="", wait=False)
        self.t.wait_for(self.prompt_line("site", "my site"), 10, "the site after a restart")
        self.t.wait_check(lambda s: self.assertTrue(
            self.prompt_line("recent", "alice@127.0.0.1")(s), Tmux.framed(s)), 5)
        self.t.keys("Esc")
        self.t.keys("q")
        self.t.wait_exit()
        self.t.kill()
        # ferry @name on the screen.
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.start_ferry(url="@my site", wait=False)
        self.t.wait_for(lambda s: "in-start.txt" in s and "local-start.txt" in s, 10,
                        "ferry @name opens the site")
        # ... and on the command line, also through open @name.
        r = self.ferry_cli("-c", "ls", "@my site")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"in-start.txt", r.stdout)
        r = self.ferry_cli("-c", "open '@my site'; lpwd; pwd")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.lpath("local start").encode(), r.stdout)
        self.assertIn(b"start dir", r.stdout)
        r = self.ferry_cli("-c", "ls", "@no such site")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"no site called @no such site", r.stderr)

    def test_edit_delete_and_asked_password(self):
        self.write_sites("# mine\n[first]\nurl = ftp://127.0.0.1:%d/\n\n"
                         "[second]\nurl = 127.0.0.1:%d\nuser = alice\n"
                         % (self.server.port, self.server.port))
        self.start_ferry(url="", wait=False)
        self.t.wait_for(self.prompt_line("site", "second", "user alice"), 10)
        # Edit the second: a new name, everything else kept.
        self.t.keys("Down", "Down", "e")
        self.answer("Site name:", "renamed")
        for prompt in ("Host or URL", "TLS for renamed", "User"):
            self.answer(prompt)
        self.answer("Keep a password", key="n")
        for prompt in ("Remote folder", "Local folder", "Data connections"):
            self.answer(prompt)
        self.t.wait_for(self.prompt_line("site", "renamed", "user alice"), 5)
        text = ftptest.read_file(self.sites_file()).decode()
        self.assertIn("[renamed]\n", text)
        self.assertNotIn("[second]", text)
        self.assertNotIn("password", text)
        # Delete the first: asks, n keeps, y deletes.
        self.t.keys("Up", "d")
        self.answer("Delete the site first", key="n")
        self.t.wait_for(r"nothing deleted", 5)
        self.assertIn("[first]", ftptest.read_file(self.sites_file()).decode())
        self.t.keys("d")
        self.answer("Delete the site first", key="y")
        self.t.wait_gone(r"site +first", 5)
        self.assertNotIn("[first]", ftptest.read_file(self.sites_file()).decode())
        # A site without a kept password asks for it when connecting.
        self.t.keys("Down")
        self.t.wait_for(lambda s: any("renamed" in r for r in s.split("\n")), 5)
        self.t.keys("Enter")
        self.answer("Password for alice@127.0.0.1")
        self.t.wait_for(r"could not connect", 10, "an empty password is refused")
        self.open_manager()
        self.t.keys("Down", "Enter")
        self.answer("Password for alice@127.0.0.1", peers.NAMED_PASSWORD)
        self.t.wait_for(peers.NAMED_MARKER, 10, "the password typed logs in")

    def test_user_option_wins_over_the_site(self):
        """-u USER:PASS overrides a site's login as it overrides a URL's,
        on the screen and on the command line."""
        self.write_sites("[anon]\nurl = ftp://127.0.0.1:%d/\nuser = anonymous\n"
                         "password = guest@example.org\n" % self.server.port)
        cred = "%s:%s" % (peers.NAMED_USER, peers.NAMED_PASSWORD)
        self.start_ferry(url="@anon", wait=False, args=["-u", cred])
        self.t.wait_for(lambda s: peers.NAMED_MARKER in s and LOCAL_MARK in s, 10,
                        "ferry -u USER:PASS @site lists USER's home")
        self.t.wait_check(lambda s: self.assertIn("%s@127.0.0.1" % peers.NAMED_USER,
                                                  s.split("\n")[0]), 5)
        r = self.ferry_cli("-u", cred, "-c", "ls", "@anon")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(peers.NAMED_MARKER.encode(), r.stdout)
        r = self.ferry_cli("-c", "ls", "@anon")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(peers.NAMED_MARKER.encode(), r.stdout)
        self.assertIn(REMOTE_MARK.encode(), r.stdout)

    def test_bad_sites_file_is_named_with_its_line(self):
        self.write_sites("[a]\nurl = 127.0.0.1\ncolour = red\n")
        self.start_ferry(url="", wait=False)
        self.t.wait_for(self.prompt_line("line 3", "unknown key"), 10)
        r = self.ferry_cli("-c", "ls", "@a")
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn(b"line 3: unknown key", r.stderr)


class PeerSites:
    """A saved site on another server, opened from the manager and with
    ferry @name on the command line (mixed into a TuiCase with kind set)."""

    kind = None

    def test_site_on_peer(self):
        peer = peers.start_peer(self.kind)
        self.addCleanup(peer.cleanup)
        peer.write("pub/" + REMOTE_MARK, b"remote\n")
        peer.write("pub/on-peer.txt", b"peer\n")
        user = peer.user or "anonymous"
        self.write_sites("[peer]\nurl = ftp://127.0.0.1:%d\nuser = %s\npassword = %s\n"
                         "remote = /pub\ntls = off\n"
                         % (peer.port, user, peer.password or "guest@example.org"))
        self.start_ferry(url="", wait=False)
        self.t.wait_for(self.prompt_line("site", "peer"), 10)
        self.t.keys("Down", "Enter")
        self.t.wait_for(lambda s: "on-peer.txt" in s and LOCAL_MARK in s, 10,
                        "the site on %s" % self.kind)
        r = self.ferry_cli("-c", "ls", "@peer")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"on-peer.txt", r.stdout)


class VsftpdSitesTest(PeerSites, SitesCase):
    kind = "vsftpd"


class PureFtpdSitesTest(PeerSites, SitesCase):
    kind = "pure-ftpd"


if __name__ == "__main__":
    unittest.main(verbosity=2)
