"""How the two-pane screen looks: panes in frames (line drawing, and
ASCII under TERM=vt100) at 80x24 and 200x60, and each pane's footer
(entries, tagged count and size, free space from statvfs locally and AVBL
remotely, nothing when the server does not know AVBL).

Built on test_tui.TuiCase.
"""

import os
import re
import unittest

import peers
import slowftp
from test_tui import TuiCase, FERRY, LOCAL_MARK, REMOTE_MARK
from tuitest import Tmux


def frame_rows(screen):
    return screen.split("\n")


class FrameTest(TuiCase):

    def check_frames(self, width, height, corner, edge):
        s = self.t.screen()
        rows = frame_rows(s)
        half = width // 2
        self.assertTrue(rows[1].startswith(corner), Tmux.framed(s))
        self.assertEqual(rows[1][half - 1], corner[-1] if corner != "┌" else "┐",
                         Tmux.framed(s))
        # Every row of the panes has its side edges, at both halves.
        bottom = max(i for i, r in enumerate(rows) if "items" in r)
        for r in rows[2:bottom]:
            self.assertEqual((r[0], r[half - 1], r[half], r[width - 1]), (edge,) * 4,
                             "a row without its edges:\n" + Tmux.framed(s))
        self.assertRegex(rows[bottom], r"\d+ items", Tmux.framed(s))
        return rows

    def test_frames_at_80x24_and_200x60(self):
        self.start_ferry(width=80, height=24)
        self.t.wait_stable(0.3, 3)
        self.check_frames(80, 24, "┌", "│")
        self.t.resize(200, 60)
        self.t.wait_for(lambda s: len(s.split("\n")[1]) >= 199, 5, "the frames follow a resize")
        self.t.wait_stable(0.3, 3)
        rows = self.check_frames(200, 60, "┌", "│")
        self.assertEqual(len(rows[1]), 200)

    def test_ascii_frames_on_a_vt100(self):
        cmd = ["env", "TERM=vt100", FERRY, self.server.url("/")]
        self.t.start(cmd, cwd=self.local, width=80, height=24, env={"HOME": self.home})
        self.t.wait_for(lambda s: LOCAL_MARK in s and REMOTE_MARK in s, 10)
        self.t.wait_stable(0.3, 3)
        rows = self.check_frames(80, 24, "+", "|")
        self.assertNotRegex("\n".join(rows), "[┌┐└┘│─]", "line drawing on a vt100")

    def test_footer_counts_tags_and_free_space(self):
        self.start_ferry()
        self.t.wait_stable(0.3, 3)
        s = self.t.screen()
        bottom = [r for r in s.split("\n") if "items" in r][0]
        left, right = bottom[:60], bottom[60:]
        # Local: 4 entries besides "..", and statvfs's free space.
        self.assertRegex(left, r" 4 items, [\d.]+ [KMGT]?B free ", Tmux.framed(s))
        st = os.statvfs(self.local)
        self.assertGreater(st.f_bavail, 0)
        # Remote (ferryd without AVBL here, or with it): the count.
        self.assertRegex(right, r" 12 items", Tmux.framed(s))
        self.focus("remote")
        self.t.keys("+")
        self.t.wait_for(self.prompt_line("tag the names matching"), 5)
        self.t.type("tag-*")
        self.t.keys("Enter")
        self.t.wait_for(r"12 items, 3 tagged \(18 B\)", 5, "the footer counts the tags")

    def test_avbl_free_space_and_none(self):
        srv = slowftp.SlowFtp(tree={REMOTE_MARK: b"r", "d/x": b"x"}, avbl=5 * 1024 ** 3)
        srv.start()
        self.addCleanup(srv.stop)
        self.start_ferry(url=srv.url("/"))
        self.t.wait_for(r"2 items, 5(\.0+)? GB free", 10, "AVBL's answer in the footer")
        avbl = [l for l in srv.log if l.startswith("AVBL")]
        self.assertTrue(avbl, srv.log)
        srv2 = slowftp.SlowFtp(tree={REMOTE_MARK: b"r", "d/x": b"x"})
        srv2.start()
        self.addCleanup(srv2.stop)
        self.t.kill()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.start_ferry(url=srv2.url("/"))
        self.t.wait_stable(0.3, 3)
        bottom = [r for r in self.t.screen().split("\n") if "items" in r][0]
        self.assertRegex(bottom[60:], r" 2 items ", bottom)
        self.assertNotIn("free", bottom[60:])
        # Refused once: not asked again for the next folder.
        self.select("remote", "d")
        self.t.keys("Enter")
        self.t.wait_for("x", 10)
        self.assertEqual(len([l for l in srv2.log if l.startswith("AVBL")]), 1, srv2.log)


class LogTest(TuiCase):
    named_user = True

    def test_log_view_shows_the_trace_without_passwords(self):
        self.start_ferry(url=self.server.url("/", peers.NAMED_USER, peers.NAMED_PASSWORD),
                         wait=False)
        self.t.wait_for(peers.NAMED_MARKER, 10)
        self.t.keys("L")
        self.t.wait_for(r"log: \d+ line\(s\) of protocol trace", 5, "L opens the log")
        # From the top: the login of the connection.
        self.t.keys("Home")
        self.t.wait_for(r"connect +> USER alice", 5)

        def logged_in(s):
            self.assertRegex(s, r"connect +> PASS \*\*\*\*", Tmux.framed(s))
            self.assertRegex(s, r"connect +< 230", Tmux.framed(s))
        s = self.t.wait_check(logged_in, 5)
        self.assertNotIn(peers.NAMED_PASSWORD, s)
        # The search finds the listing of the remote pane's own connection.
        self.t.keys("/")
        self.t.wait_for(self.prompt_line("Search for"), 5)
        self.t.type("> MLSD")
        self.t.keys("Enter")
        self.t.wait_for(r"found \"> MLSD\"", 5)
        self.t.keys("q")
        self.t.wait_gone(r"protocol trace", 5)
        # The whole trace never holds the password.
        self.t.keys("L")
        self.t.wait_for(r"protocol trace", 5)
        for _ in range(40):
            self.assertNotIn(peers.NAMED_PASSWORD, self.t.screen())
            self.t.keys("PgUp")
        self.t.keys("q")


def sgr_params(screen_with_escapes):
    """Every SGR parameter number the captured screen uses."""
    out = set()
    for m in re.finditer(r"\x1b\[([0-9;:]*)m", screen_with_escapes):
        out.update(int(p) for p in re.split(r"[;:]", m.group(1)) if p.isdigit())
    return out


class ConfigCase(TuiCase):

    def write_config(self, name, text):
        path = os.path.join(self.home, ".config", "ferry", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def screen_sgrs(self):
        self.t.wait_stable(0.3, 3)
        return sgr_params(self.t.screen(escapes=True))


class ThemeTest(ConfigCase):

    def test_dark_theme_by_default(self):
        self.start_ferry()
        p = self.screen_sgrs()
        self.assertIn(46, p, "the cursor row on cyan")
        self.assertIn(34, p, "directories in blue")

    def test_light_theme(self):
        self.write_config("colors", "# mine\ntheme = light\n")
        self.start_ferry()
        p = self.screen_sgrs()
        self.assertIn(44, p, "the light theme's cursor row on blue")
        self.assertNotIn(46, p)

    def test_mono_theme(self):
        self.write_config("colors", "theme = mono\n")
        self.start_ferry()
        p = self.screen_sgrs()
        self.assertFalse([n for n in p if 30 <= n <= 49 and n not in (39, 49)],
                         "colours in the mono theme: %s" % sorted(p))
        self.assertIn(7, p, "reverse video marks the cursor and the bars")

    def test_a_role_changed_and_a_bad_line(self):
        self.write_config("colors", "theme = dark\ndir = red,default,bold,underline\n")
        self.start_ferry()
        p = self.screen_sgrs()
        self.assertIn(31, p, "directories in red")
        self.assertIn(4, p, "underlined")
        self.t.kill()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.write_config("colors", "dir = purple\n")
        self.start_ferry()
        self.t.wait_for(r"colors line 1: a look is FOREGROUND", 5, "a bad colours file")
        self.t.keys("Enter")
        self.t.wait_gone(r"colors line 1", 5)
        self.assertIn(46, self.screen_sgrs(), "the default theme still")


class KeysFileTest(ConfigCase):

    def test_vi_preset_and_remapped_keys(self):
        self.write_config("keys", "# mine\npreset vi\nF12 quit\nCtrl-G goto\nq none\n")
        self.start_ferry()
        self.select("remote", "rdir")
        self.t.keys("l")
        self.t.wait_for("rdir-inner.txt", 10, "l opens (vi preset)")
        self.t.keys("h")
        self.t.wait_for(REMOTE_MARK, 10, "h goes up (vi preset)")
        self.t.keys("C-g")
        self.t.wait_for(r"Go to \(", 5, "Ctrl-G is go-to (keys file)")
        self.t.keys("Escape")
        self.t.wait_gone(r"Go to \(", 5)
        self.t.keys("q")
        self.assertAlive("q unbound by the keys file")
        self.t.keys("?")
        self.t.wait_for(self.prompt_line("F12", "quit (keys file)"), 5, "? lists the keys file")
        self.t.keys("Escape")
        self.t.keys("F12")
        self.assertEqual(self.t.wait_exit(), 0, "F12 quits (keys file)")
        self.expect_exit = True

    def test_bad_keys_file(self):
        self.write_config("keys", "F2 sites\nF13 quit\n")
        self.start_ferry()
        self.t.wait_for(r"keys line 2: unknown key", 5)
        self.t.keys("Enter")
        self.write_config("keys", "x launch\n")
        self.t.kill()
        self.t = Tmux()
        self.addCleanup(self.t.kill)
        self.start_ferry()
        self.t.wait_for(r"keys line 1: unknown action", 5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
