"""tuitest: drives a full-screen terminal program in a private tmux server.

    t = Tmux()
    t.start([ferry, url], cwd=local_dir, width=120, height=40)
    t.wait_for("remote.txt")          # regex, or a predicate on the screen
    t.keys("Tab", "Down", "F5")       # tmux key names; PgUp, Backspace... too
    t.type("some text")               # literal text (send-keys -l)
    t.resize(80, 24)
    t.kill()

Each Tmux has its own server socket (tmux -L ferry-test-<pid>-<n>) and no
configuration file (-f /dev/null), so nothing of the user's tmux is touched
and kill() ends only that server. The pane stays after the program exits
(remain-on-exit), so a test can read the exit status and the last screen.
Every wait is bounded and fails with the last screen in its message.
"""

import atexit
import itertools
import os
import queue
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import config

# Seconds one tmux command may take.
TMUX_TIMEOUT = 10.0
# Default bound of wait_for().
WAIT_TIMEOUT = 10.0
# Seconds between two captures while waiting.
POLL = 0.05
# TERM inside the session: tmux's key sequences (F-keys, Home/End) are
# those of the screen terminfo entries.
TERM = "screen-256color"

# Friendly names for tmux key names.
KEY_ALIASES = {
    "PgUp": "PPage", "PageUp": "PPage",
    "PgDn": "NPage", "PageDown": "NPage",
    "Backspace": "BSpace",
    "Insert": "IC", "Ins": "IC",
    "Delete": "DC", "Del": "DC",
    "Esc": "Escape",
    "Return": "Enter",
    "Ctrl-R": "C-r",
}

_counter = itertools.count()
_live = set()


def _register(t, live):
    """Keeps the running Tmux instances, so they end with the test program:
    at exit, and from ftptest's watchdog (which stops what is in its list of
    live servers, through their stop())."""
    (_live.add if live else _live.discard)(t)
    try:
        import ftptest
    except ImportError:
        return
    with ftptest._live_lock:
        (ftptest._live_servers.add if live else ftptest._live_servers.discard)(t)


@atexit.register
def _kill_all():
    for t in list(_live):
        t.kill()


class TmuxError(AssertionError):
    """A tmux command failed or a wait ran out; an AssertionError so the
    test fails (never skips)."""


def tmux_path():
    """tmux's path, failing loudly when there is none."""
    path = getattr(config, "TMUX", "") or ""
    if not path or not os.access(path, os.X_OK):
        found = shutil.which("tmux")
        raise TmuxError("tmux is required by the TUI tests but configure did not find it "
                        "(got %r%s); install it (apt-get install tmux, or ./quickstart test) "
                        "and rerun ./configure"
                        % (path, ", though %s exists" % found if found else ""))
    return path


class Tmux:
    """One private tmux server with one session running one program."""

    def __init__(self, name=None):
        self.tmux = tmux_path()
        self.socket = name or "ferry-test-%d-%d" % (os.getpid(), next(_counter))
        self.target = "t:0.0"
        self.started = False
        self.width = self.height = None
        self.last_screen = ""
        # The wrapping shell writes the program's exit status here.
        fd, self.status_path = tempfile.mkstemp(prefix="ferry-tui-status-")
        os.close(fd)
        os.unlink(self.status_path)

    # -- tmux itself --

    def run(self, *args, check=True, timeout=TMUX_TIMEOUT):
        """Runs one tmux command on the private socket; returns stdout."""
        cmd = [self.tmux, "-L", self.socket, "-f", "/dev/null"] + [str(a) for a in args]
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TmuxError("tmux did not answer within %gs: %s" % (timeout, " ".join(cmd)))
        if check and r.returncode != 0:
            raise TmuxError("tmux exited %d: %s\n%s" % (r.returncode, " ".join(cmd),
                                                        r.stderr.decode("utf-8", "replace")))
        return r.stdout.decode("utf-8", "replace")

    # -- lifecycle --

    def start(self, cmd, cwd=None, env=None, width=120, height=40):
        """Starts cmd (a list) in a new detached session of width x height,
        in cwd, with LANG=C.UTF-8, TERM=screen-256color and env added."""
        if self.started:
            raise TmuxError("this Tmux already runs a program")
        full_env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        full_env.update(env or {})
        # Options are set in the same command queue as new-session, before
        # the pane exists, so they apply to it.
        args = ["set-option", "-g", "exit-empty", "off", ";",
                "set-option", "-g", "default-terminal", TERM, ";",
                "set-option", "-g", "remain-on-exit", "on", ";",
                "set-option", "-g", "history-limit", "0", ";",
                "set-option", "-g", "status", "off", ";",
                "new-session", "-d", "-s", "t", "-x", width, "-y", height]
        if cwd:
            args += ["-c", cwd]
        for k, v in sorted(full_env.items()):
            args += ["-e", "%s=%s" % (k, v)]
        # The program runs as the child of a shell that writes its exit
        # status to a file: tmux 3.3 does not always report the status of
        # a pane's process (not in the sanitizer build, where LeakSanitizer
        # ptrace-stops every process it checks at exit).
        script = ('"$@"; s=$?; echo "$s" > "%s.tmp" && mv "%s.tmp" "%s"; exit "$s"'
                  % (self.status_path, self.status_path, self.status_path))
        args += ["--", "/bin/sh", "-c", script, "sh"] + [str(c) for c in cmd]
        self.started = True
        _register(self, True)
        self.run(*args)
        self.width, self.height = width, height
        return self

    def kill(self):
        """Ends this private tmux server (and the program in it)."""
        if not self.started:
            return
        self.run("kill-server", check=False)
        self.started = False
        for p in (self.status_path, self.status_path + ".tmp"):
            try:
                os.unlink(p)
            except OSError:
                pass
        _register(self, False)
        # The server leaves its socket file behind; it is this Tmux's own.
        sock = os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp",
                            "tmux-%d" % os.getuid(), self.socket)
        try:
            os.unlink(sock)
        except OSError:
            pass

    def stop(self, timeout=None):
        """kill(), under the name ftptest's watchdog calls."""
        self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    # -- the pane --

    def info(self, fmt):
        return self.run("display-message", "-p", "-t", self.target, fmt).strip()

    def pid(self):
        """PID of the program in the pane."""
        return int(self.info("#{pane_pid}"))

    def pane_dead(self):
        """True once the program has exited (or the server is gone)."""
        out = self.run("display-message", "-p", "-t", self.target, "#{pane_dead}",
                       check=False).strip()
        return out != "0"

    def exit_status(self):
        """The program's exit status, or None while it runs. A program
        ended by a signal gives 128 + the signal number (as sh reports it)."""
        try:
            with open(self.status_path) as f:
                text = f.read().strip()
        except OSError:
            return None
        return int(text) if text.lstrip("-").isdigit() else None

    def wait_exit(self, timeout=WAIT_TIMEOUT):
        """Waits (bounded) until the program has exited; returns its status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.exit_status()
            if st is not None:
                return st
            time.sleep(POLL)
        raise TmuxError("the program still runs after %gs; last screen:\n%s"
                        % (timeout, self.framed(self.screen())))

    def size(self):
        w, h = self.info("#{pane_width} #{pane_height}").split()
        return int(w), int(h)

    # -- input --

    def keys(self, *keys, delay=0.0):
        """Sends keys by tmux name (Enter, Tab, F5, Up, C-r, BSpace ...) or
        alias (PgUp, PgDn, Backspace, Insert, Delete, Esc), one at a time;
        delay seconds after each."""
        for k in keys:
            self.run("send-keys", "-t", self.target, KEY_ALIASES.get(k, k))
            if delay:
                time.sleep(delay)

    def type(self, text):
        """Sends text literally (no key names)."""
        if text:
            self.run("send-keys", "-t", self.target, "-l", "--", text)

    def mouse(self, x, y, button=0):
        """Sends a mouse press at column x, row y (0-based) as a terminal
        reports it in xterm's X10 protocol (ESC [ M, then button+32,
        x+33, y+33): 0 is the left button, 64 and 65 the wheel up and
        down. For cells below column and row 94 (one byte each)."""
        if not (0 <= x < 94 and 0 <= y < 94):
            raise TmuxError("mouse position %d,%d is out of the X10 protocol's range" % (x, y))
        press = "\x1b[M" + chr(32 + button) + chr(33 + x) + chr(33 + y)
        # A button's press is followed by its release (code 3), as terminals send it.
        release = "\x1b[M" + chr(32 + 3) + chr(33 + x) + chr(33 + y) if button < 64 else ""
        self.type(press + release)

    def find_cell(self, text, screen=None):
        """(x, y) of the first cell where text starts on the screen, or None."""
        for y, line in enumerate((screen or self.screen()).split("\n")):
            x = line.find(text)
            if x >= 0:
                return x, y
        return None

    # -- output --

    def screen(self, escapes=False):
        """The visible screen as text, one line per row (trailing blanks
        dropped); escapes=True keeps the attributes as SGR sequences."""
        args = ["capture-pane", "-p", "-t", self.target]
        if escapes:
            args.append("-e")
        s = self.run(*args)
        self.last_screen = s if not escapes else self.last_screen
        return s

    def lines(self):
        return self.screen().split("\n")

    @staticmethod
    def framed(screen):
        """A screen with a frame, for failure messages."""
        rows = screen.rstrip("\n").split("\n")
        width = max([len(r) for r in rows] + [10])
        bar = "+" + "-" * width + "+"
        return "\n".join([bar] + ["|" + r.ljust(width) + "|" for r in rows] + [bar])

    def wait_for(self, what, timeout=WAIT_TIMEOUT, msg=""):
        """Polls the screen every 50 ms until what matches: a regex (str or
        compiled; returns the match) or a predicate on the screen text
        (returns its value). Fails with the last screen after timeout.
        Fails at once when the program exits."""
        if callable(what):
            pred, desc = what, getattr(what, "__doc__", None) or "the expected screen"
        else:
            rx = re.compile(what) if isinstance(what, str) else what
            pred, desc = rx.search, "/%s/" % rx.pattern
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            v = pred(s)
            if v:
                return v
            if self.pane_dead():
                # The program may have drawn what is awaited just before
                # it exited: look at its last screen once more.
                s = self.screen()
                v = pred(s)
                if v:
                    return v
                raise TmuxError("%swaiting for %s: the program exited (status %s); "
                                "last screen:\n%s" % (msg + ": " if msg else "", desc,
                                                      self.exit_status(), self.framed(s)))
            if time.monotonic() > deadline:
                raise TmuxError("%s%s did not appear within %gs; last screen:\n%s"
                                % (msg + ": " if msg else "", desc, timeout, self.framed(s)))
            time.sleep(POLL)

    def wait_check(self, check, timeout=WAIT_TIMEOUT):
        """Polls the screen until check(screen) (a function of a test's
        assertions) passes; returns that screen. After timeout, or once
        the program has exited, the check's last failure is raised, so a
        test fails with its own message, only later than at once."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            try:
                check(s)
                return s
            except AssertionError:
                dead = self.pane_dead()
                if dead:
                    s = self.screen()
                if dead or time.monotonic() > deadline:
                    check(s)
                    return s
            time.sleep(POLL)

    def wait_gone(self, what, timeout=WAIT_TIMEOUT, msg=""):
        """Waits until a regex no longer matches the screen."""
        rx = re.compile(what) if isinstance(what, str) else what

        def gone(s):
            return not rx.search(s)
        gone.__doc__ = "the end of /%s/" % rx.pattern
        return self.wait_for(gone, timeout, msg)

    def wait_change(self, before, timeout=WAIT_TIMEOUT, msg=""):
        """Waits until the screen differs from before; returns the new one."""
        def changed(s):
            return s if s != before else None
        changed.__doc__ = "a change of the screen"
        return self.wait_for(changed, timeout, msg)

    def wait_stable(self, quiet=0.3, timeout=WAIT_TIMEOUT):
        """Waits until the screen has not changed for quiet seconds."""
        deadline = time.monotonic() + timeout
        last = self.screen()
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(POLL)
            s = self.screen()
            if s != last:
                last, since = s, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return s
        return last

    def resize(self, width, height):
        """Resizes the window (and so the pane) to width x height."""
        self.run("resize-window", "-t", "t:0", "-x", width, "-y", height)
        self.width, self.height = width, height


# ---------------------------------------------------------------------------
# Key latency


class KeyTimer:
    """Times how long the program takes to answer a key: from the moment
    tmux is told to send it (send-keys) to the first output of the pane
    after it, as a control-mode client of the same tmux server sees it
    (tmux -C: one client for the whole run, its %output lines stamped by a
    reader thread as they arrive). No process is started per key and no
    screen is captured, so what is measured is the program, not the test;
    it needs a program that draws only when something changed.

        timer = KeyTimer(t)
        ms = timer.sample(["Down", "Up"] * 10)   # one time per key, in ms
        timer.close()
    """

    def __init__(self, tmux):
        self.t = tmux
        cmd = [tmux.tmux, "-L", tmux.socket, "-f", "/dev/null", "-C", "attach-session",
               "-t", "t"]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.outputs = queue.Queue()
        self.sent = 0       # keys sent, counting those sample() sent again
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.quiet()

    def _read(self):
        for line in iter(self.p.stdout.readline, b""):
            if line.startswith(b"%output "):
                self.outputs.put(time.monotonic())

    def quiet(self, gap=0.05, timeout=3.0):
        """Waits (bounded) until the pane has said nothing for gap seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.outputs.get(timeout=gap)
            except queue.Empty:
                return

    def time_key(self, key, timeout=5.0):
        """Sends one key (a tmux key name); returns the seconds until the
        pane's next output, or None when nothing came within timeout."""
        self.quiet()
        t0 = time.monotonic()
        self.p.stdin.write(("send-keys -t %s %s\n" % (self.t.target,
                                                       KEY_ALIASES.get(key, key))).encode())
        self.p.stdin.flush()
        self.sent += 1
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                stamp = self.outputs.get(timeout=left)
            except queue.Empty:
                return None
            if stamp >= t0:
                return stamp - t0

    def sample(self, keys, limit_ms=None, timeout=5.0):
        """Times each key; returns the times in ms (a key not answered
        within timeout counts as timeout). With limit_ms, a key over the
        limit is timed again, up to twice, and the last time is kept: a
        scheduler hiccup on a loaded machine passes (the CI under ASan
        has met two in a row), a program that is blocked (it stays
        blocked) does not."""
        out = []
        for k in keys:
            v = self.time_key(k, timeout)
            for _ in range(2):
                if limit_ms is None or (v is not None and v * 1000 <= limit_ms):
                    break
                again = self.time_key(k, timeout)
                v = again if again is not None else v
            out.append(timeout * 1000 if v is None else v * 1000)
            if v is None:
                break       # not answering at all: the next keys would not either
        return out

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.reader.join(timeout=5)
        self.p.stdout.close()


def describe_ms(times):
    """"median X ms, max Y ms over N keys" for a list of times in ms."""
    return "median %.1f ms, max %.1f ms over %d keys" % (statistics.median(times), max(times),
                                                         len(times))


# ---------------------------------------------------------------------------
# Attributes


_SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")


def strip_sgr(line):
    """A line of screen(escapes=True) without its attribute sequences."""
    return _SGR_RE.sub("", line)


def reverse_cells(screen_with_escapes):
    """[(row, col, char)] of the cells drawn in reverse video only."""
    return highlighted_cells(screen_with_escapes, background=False)


def highlighted_cells(screen_with_escapes, background=True):
    """[(row, col, char)] of the cells drawn in reverse video or (unless
    background is False) on a background colour, from
    screen(escapes=True)."""
    out = []
    for row, line in enumerate(screen_with_escapes.split("\n")):
        reverse = False
        bg = False
        col = 0
        pos = 0
        while pos < len(line):
            m = _SGR_RE.match(line, pos)
            if m:
                params = [p for p in re.split(r"[;:]", m.group(1))] or ["0"]
                i = 0
                while i < len(params):
                    p = params[i] or "0"
                    n = int(p) if p.isdigit() else 0
                    if n == 0:
                        reverse = bg = False
                    elif n == 7:
                        reverse = True
                    elif n == 27:
                        reverse = False
                    elif 40 <= n <= 47 or 100 <= n <= 107:
                        bg = True
                    elif n == 49:
                        bg = False
                    elif n in (38, 48):
                        skip = 2 if i + 1 < len(params) and params[i + 1] == "5" else 4
                        if n == 48:
                            bg = True
                        i += skip
                    i += 1
                pos = m.end()
                continue
            ch = line[pos]
            if reverse or (bg and background):
                out.append((row, col, ch))
            col += 1
            pos += 1
    return out


def highlighted_text(screen_with_escapes):
    """The highlighted cells of each row joined into text: {row: text}."""
    rows = {}
    for row, col, ch in highlighted_cells(screen_with_escapes):
        rows.setdefault(row, []).append(ch)
    return {r: "".join(chs) for r, chs in rows.items()}
