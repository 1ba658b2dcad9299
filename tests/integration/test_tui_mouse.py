"""The mouse on the two-pane screen, as a terminal reports it (xterm's
mouse protocol, typed into the pane by tmux): a click picks the pane and
the entry, a double click opens it, the wheel moves the cursor, a click
on a key of the bottom line does what the key does.

Built on test_tui.TuiCase, at 90x30 so every cell is in reach of the
X10 protocol.
"""

import time
import unittest

from test_tui import TuiCase, LOCAL_MARK, REMOTE_MARK
from tuitest import Tmux


class MouseTest(TuiCase):

    def click(self, text, button=0, twice=False):
        """Clicks on text; twice=True is a double click, whose second
        press follows the first by about a tenth of a second, as a hand
        does it. Returns the seconds between the two presses' writes."""
        pos = self.t.find_cell(text)
        self.assertIsNotNone(pos, "%s is not on the screen:\n%s" % (text, Tmux.framed(
            self.t.screen())))
        first = time.monotonic()
        self.t.mouse(pos[0], pos[1], button)
        if not twice:
            return 0.0
        time.sleep(0.1)
        self.t.mouse(pos[0], pos[1], button)
        return time.monotonic() - first

    def double_click_opens(self, text, inner, why):
        """Double-clicks text and waits for inner to appear. A double
        click is two presses within 0.4 s; where a loaded machine took
        longer to send them, the attempt does not count and is made again."""
        for _ in range(3):
            gap = self.click(text, twice=True)
            if gap < 0.35:
                self.t.wait_for(inner, 10, why)
                return
            time.sleep(0.5)     # the two slow presses were two single clicks
            if self.t.find_cell(inner) is not None:
                return
        self.fail("could not send a double click within 0.35 s three times")

    def current_name(self):
        """The name the rename dialog suggests: the entry under the cursor."""
        self.t.keys("F6")
        m = self.t.wait_for(r"Rename (.*) to:", 5)
        self.t.keys("Escape")
        self.t.wait_gone(r"Rename .* to:", 5)
        return m.group(1)

    def test_click_double_click_wheel_and_key_bar(self):
        self.start_ferry(width=90, height=30)
        self.focus("local")
        # A click on a remote entry: that pane, that entry.
        self.click("keep-me.txt")
        time.sleep(0.6)     # not a double click with the next one
        self.assertEqual(self.current_name(), "keep-me.txt")
        # Another pane's entry, then a double click opens a folder.
        self.click("ldir")
        self.assertEqual(self.current_name(), "ldir")
        self.double_click_opens("ldir", "ldir-inner.txt", "a double click opens the folder")
        self.t.keys("Backspace")
        self.t.wait_for(LOCAL_MARK, 10)
        self.double_click_opens("rdir", "rdir-inner.txt", "on the remote side too")
        self.t.keys("Backspace")
        self.t.wait_for(REMOTE_MARK, 10)
        # The wheel moves the cursor of the pane under it, three rows a turn.
        self.t.keys("Home")
        first = self.current_name()
        pos = self.t.find_cell("keep-me.txt")
        self.t.mouse(pos[0], pos[1], 65)
        time.sleep(0.3)
        moved = self.current_name()
        self.assertNotEqual(first, moved, "the wheel did not move the cursor")
        self.t.mouse(pos[0], pos[1], 64)
        time.sleep(0.3)
        self.assertEqual(self.current_name(), first, "wheel up and down come back")
        # A key on the bottom line.
        self.click("mkdir")
        self.t.wait_for(r"New directory name", 5, "a click on F7 mkdir asks for a name")
        self.t.type("made-by-mouse")
        self.t.keys("Enter")
        self.wait_disk(lambda: __import__("os").path.isdir(self.server.path("made-by-mouse")),
                       10, "the folder made")


if __name__ == "__main__":
    unittest.main(verbosity=2)
