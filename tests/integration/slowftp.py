"""slowftp: a small FTP server for tests that need a server to misbehave
on purpose, in the test's own process (threads), on 127.0.0.1.

    srv = SlowFtp(tree={"pub/a.txt": b"a", "slow/x": b"x"},
                  slow={"/slow": 30.0}, mlsd_fails={"/odd"})
    srv.start()                 # srv.port, srv.url("/")
    ...
    srv.stop()

It serves a tree held in memory (names -> bytes; directories follow from
the names) to any user and password, and speaks what a browsing client
needs: USER, PASS, FEAT (MLST, UTF8, EPSV, SIZE), OPTS, TYPE, PWD, CWD,
CDUP, EPSV, PASV, MLSD, LIST, SIZE, MDTM, NOOP, QUIT, and on the tree in
memory DELE, RMD, MKD, RNFR/RNTO, RETR and STOR; other verbs get 502.
Its faults, each chosen by the test:

  - slow:       {directory: seconds}: a listing of that directory answers
                only after that long (the reply and the data both wait);
  - mlsd_fails: directories whose MLSD is answered 451 (as ferryd answers a
                directory holding a name with a line break); LIST works;
  - silent:     accept connections and never say anything (no greeting);
  - delays:     {verb: seconds}: each such command is answered that late;
  - reload_hold: seconds every listing is held once an upload (STOR)
                arrived: the reload a client does after a transfer;
  - avbl:       bytes AVBL answers (213); None: AVBL is unknown (502);
  - odd_names:  {directory: [name, ...]}: names listed as small files in
                that directory besides the tree's, as they are ("../x",
                "a/b", control characters), as a hostile server may list;
  - eprt_silent: EPRT is accepted (200), and a download after it gets
                150 and then nothing: no data connection, no reply;
  - pasv_port:  EPSV and PASV name this port (on 127.0.0.1) instead of a
                listener of the server's own;
  - auth_silent: AUTH TLS gets 234, and then nothing: no handshake;
  - auth_dribble: seconds between bytes: AUTH TLS gets 234, and then the
                start of a TLS handshake record (a ServerHello 4 KiB long)
                comes one byte at a time, that many seconds apart, so that
                the client never waits long for the next byte;
  - stall_after: bytes of a download (RETR) or a listing sent before the
                server goes silent on both connections, keeping them open
                (ABOR and QUIT are read and never answered).
  - no_226:     a download, a listing or an upload moves all its data
                and closes the data connection, and then the server goes
                silent: no 226 (what arrives is read and never answered).
  - no_pwd:     PWD is answered 502: the client never learns the name of
                its directory;
  - links:      {path: target}: symbolic links, listed as links (LIST
                "lrwxrwxrwx ... NAME -> TARGET", MLSD type=OS.unix=slink:)
                and followed by every other command (CWD, SIZE, RETR...);
                target is a path from the root;
  - bad_lines:  {directory: [line, ...]}: lines added as they are to that
                directory's listings (LIST and MLSD), as a server whose
                listing the client cannot understand sends them;
  - sip:        (bytes, seconds): after the first NOOP the server reads at
                most that many bytes of the control connection every that
                many seconds (its receive buffer is tiny), and answers
                "200 Ok." every 2 ms ahead of reading the commands: a
                script of long commands fills the buffers, and the
                client's write goes on one small step at a time.

Every socket has a timeout and every wait is bounded by the stop event, so
stop() ends it at once; threads are daemons. Lines the server received are
kept in srv.log (a list of str) for the test to look at.
"""

import socket
import threading
import time

HOST = "127.0.0.1"
# Seconds a client socket may stay quiet before the session ends.
IDLE = 60.0


class SlowFtp:

    def __init__(self, tree=None, slow=None, mlsd_fails=(), silent=False, delays=None,
                 avbl=None, reload_hold=None, stall_after=None, odd_names=None,
                 eprt_silent=False, pasv_port=None, auth_silent=False,
                 auth_dribble=None, no_226=False, sip=None, no_pwd=False, links=None,
                 bad_lines=None):
        self.tree = dict(tree or {})
        self.no_pwd = no_pwd
        self.links = dict(links or {})
        self.bad_lines = dict(bad_lines or {})
        self.sip = sip
        self.no_226 = no_226
        self.made = set()           # directories made with MKD
        self.reload_hold = reload_hold
        self.stored = False         # an upload arrived
        self.avbl = avbl
        self.stall_after = stall_after
        self.eprt_silent = eprt_silent
        self.pasv_port = pasv_port
        self.auth_silent = auth_silent
        self.auth_dribble = auth_dribble
        self.odd_names = dict(odd_names or {})
        self.delays = dict(delays or {})
        self.slow = dict(slow or {})
        self.mlsd_fails = set(mlsd_fails)
        self.silent = silent
        self.stopping = threading.Event()
        self.log = []
        self.lock = threading.Lock()
        self.socks = []
        self.listener = None
        self.port = None

    # -- lifecycle --

    def start(self, port=0):
        """Listens on port (0: a free one) and serves."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.sip is not None:
            # As small as the kernel makes it: the window opens a little
            # at a time.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
        s.bind((HOST, port))
        s.listen(16)
        s.settimeout(0.2)
        self.listener = s
        self.port = s.getsockname()[1]
        self._spawn(self._accept_loop)
        return self

    def stop(self, timeout=None):
        self.stopping.set()
        with self.lock:
            socks = list(self.socks)
        for s in socks + ([self.listener] if self.listener else []):
            try:
                s.close()
            except OSError:
                pass

    cleanup = stop

    def url(self, path="/"):
        return "ftp://%s:%d%s" % (HOST, self.port, path)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        return t

    def _track(self, s):
        with self.lock:
            self.socks.append(s)

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._track(conn)
            self._spawn(self._session, conn)

    # -- the tree --

    def _dirs(self):
        out = {"/"}
        with self.lock:
            names = list(self.tree)
            out |= self.made
        for name in names:
            parts = name.strip("/").split("/")
            for i in range(1, len(parts)):
                out.add("/" + "/".join(parts[:i]))
        return out

    def _entries(self, d):
        """[(name, is_dir, size)] directly in directory d."""
        prefix = "" if d == "/" else d.strip("/") + "/"
        seen = {}
        with self.lock:
            items = list(self.tree.items())
        for name, data in items:
            name = name.strip("/")
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            head = rest.split("/", 1)[0]
            if "/" in rest:
                seen[head] = (True, 0)
            else:
                seen.setdefault(head, (False, len(data)))
        with self.lock:
            made = list(self.made)
        for path in made:
            parent, _, head = path.rpartition("/")
            if (parent or "/") == d:
                seen[head] = (True, 0)
        for name in self.odd_names.get(d, ()):
            seen[name] = (False, 3)
        return [(n, isdir, size) for n, (isdir, size) in sorted(seen.items())]

    def _links_in(self, d):
        """[(name, target)] of the links directly in directory d."""
        out = []
        for path, target in sorted(self.links.items()):
            parent, _, name = path.rpartition("/")
            if (parent or "/") == d:
                out.append((name, target))
        return out

    @staticmethod
    def _join(cwd, arg):
        path = arg if arg.startswith("/") else cwd.rstrip("/") + "/" + arg
        parts = []
        for p in path.split("/"):
            if p in ("", "."):
                continue
            if p == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(p)
        return "/" + "/".join(parts)

    def _follow(self, path):
        """path with the links in it followed (at most a few deep)."""
        for _ in range(8):
            parts = path.strip("/").split("/")
            for i in range(1, len(parts) + 1):
                head = "/" + "/".join(parts[:i])
                if head in self.links:
                    path = self._join(self.links[head], "/".join(parts[i:]) or ".")
                    break
            else:
                return path
        return path

    # -- a session --

    def _wait(self, seconds):
        """Sleeps, ending early when the server stops; False then."""
        return not self.stopping.wait(seconds)

    def _session(self, c):
        c.settimeout(0.2)
        if self.silent:
            while self._wait(0.2):
                pass
            return
        st = {"cwd": "/", "pasv": None}
        try:
            if self._greet(c) is False:
                return
            buf = b""
            quiet_since = time.monotonic()
            while not self.stopping.is_set():
                try:
                    chunk = c.recv(4096)
                except socket.timeout:
                    if time.monotonic() - quiet_since > IDLE:
                        return
                    continue
                if not chunk:
                    return
                quiet_since = time.monotonic()
                buf += chunk
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    text = line.decode("utf-8", "replace")
                    with self.lock:
                        self.log.append(text)
                    if not self._command(c, st, text):
                        return
        except OSError:
            return
        finally:
            if st.get("pasv") is not None:
                st["pasv"].close()
            c.close()

    def _greet(self, c):
        """Greets a new connection; False ends the session."""
        self._send(c, "220 slowftp ready.")

    def _send(self, c, line):
        c.settimeout(10.0)
        c.sendall(line.encode("utf-8", "surrogateescape") + b"\r\n")
        c.settimeout(0.2)

    def _command(self, c, st, text):
        verb, _, arg = text.partition(" ")
        verb = verb.upper()
        handler = getattr(self, "_cmd_" + verb, None)
        if verb in self.delays and not self._wait(self.delays[verb]):
            return False
        if handler is None:
            self._send(c, "502 %s not implemented." % verb)
            return True
        return handler(c, st, arg) is not False

    def _cmd_USER(self, c, st, arg):
        self._send(c, "331 Any password will do.")

    def _cmd_PASS(self, c, st, arg):
        self._send(c, "230 Logged in.")

    def _cmd_FEAT(self, c, st, arg):
        self._send(c, "211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n MDTM\r\n"
                      " MLST type*;size*;modify*;\r\n UTF8\r\n211 End")

    def _cmd_OPTS(self, c, st, arg):
        self._send(c, "200 Ok.")

    def _cmd_TYPE(self, c, st, arg):
        self._send(c, "200 Ok.")

    def _cmd_NOOP(self, c, st, arg):
        self._send(c, "200 Ok.")
        if self.sip is not None:
            self._sip(c, *self.sip)
            return False

    def _sip(self, c, size, every):
        """Reads size bytes every every seconds, logging the lines, and
        sends "200 Ok." every 2 ms, until the server stops or the client
        hangs up."""
        c.setblocking(False)
        ahead, buf, last = b"", b"", 0.0
        while self._wait(0.002):
            if not ahead:
                ahead = b"200 Ok.\r\n"
            try:
                ahead = ahead[c.send(ahead):]
            except BlockingIOError:
                pass
            except OSError:
                return
            if time.monotonic() - last < every:
                continue
            last = time.monotonic()
            try:
                chunk = c.recv(size)
            except BlockingIOError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buf = self._log_lines(buf + chunk)

    def _cmd_PWD(self, c, st, arg):
        if self.no_pwd:
            self._send(c, "502 PWD not implemented.")
            return
        self._send(c, '257 "%s" is the current directory.' % st["cwd"])

    def _cmd_CWD(self, c, st, arg):
        path = self._follow(self._join(st["cwd"], arg))
        if path not in self._dirs():
            self._send(c, "550 %s: no such directory." % path)
            return
        st["cwd"] = path
        self._send(c, "250 Ok.")

    def _cmd_CDUP(self, c, st, arg):
        return self._cmd_CWD(c, st, "..")

    def _cmd_AUTH(self, c, st, arg):
        if not self.auth_silent and self.auth_dribble is None:
            self._send(c, "502 AUTH not implemented.")
            return True
        self._send(c, "234 Go ahead.")
        if self.auth_dribble is not None:
            # A handshake record of 4096 bytes, ServerHello first.
            record = b"\x16\x03\x03\x10\x00" + b"\x02\x00\x0f\xfc\x03\x03"
            for i in range(4096 + 5):
                try:
                    c.sendall(record[i:i + 1] if i < len(record) else b"\x00")
                except OSError:
                    return False
                if not self._wait(self.auth_dribble):
                    return False
        while self._wait(0.2):
            pass
        return False

    def _cmd_QUIT(self, c, st, arg):
        self._send(c, "221 Goodbye.")
        return False

    def _file(self, st, arg):
        path = self._follow(self._join(st["cwd"], arg))
        return self.tree.get(path.lstrip("/"))

    def _cmd_DELE(self, c, st, arg):
        path = self._join(st["cwd"], arg)
        key = path.lstrip("/")
        with self.lock:
            found = (self.tree.pop(key, None) is not None or
                     self.links.pop(path, None) is not None)   # a link, not what it leads to
        self._send(c, "250 Deleted." if found else "550 No such file.")

    def _cmd_RMD(self, c, st, arg):
        path = self._join(st["cwd"], arg)
        prefix = path.lstrip("/") + "/"
        with self.lock:
            full = any(n.lstrip("/").startswith(prefix) for n in self.tree)
            full = full or bool(self.bad_lines.get(path))   # what those lines stand for
        if path not in self._dirs() or full:
            self._send(c, "550 Not an empty directory.")
        else:
            self._send(c, "250 Removed.")

    def _cmd_MKD(self, c, st, arg):
        path = self._join(st["cwd"], arg)
        if path in self._dirs() or self._file(st, arg) is not None:
            self._send(c, "550 Exists.")
            return
        with self.lock:
            self.made.add(path)
        self._send(c, '257 "%s" created.' % path)

    def _cmd_RNFR(self, c, st, arg):
        if self._file(st, arg) is None:
            self._send(c, "550 No such file.")
            return
        st["rnfr"] = self._join(st["cwd"], arg).lstrip("/")
        self._send(c, "350 Ready for RNTO.")

    def _cmd_RNTO(self, c, st, arg):
        old, st["rnfr"] = st.get("rnfr"), None
        with self.lock:
            data = self.tree.pop(old, None) if old else None
            if data is not None:
                self.tree[self._join(st["cwd"], arg).lstrip("/")] = data
        self._send(c, "250 Renamed." if data is not None else "503 RNFR first.")

    def _cmd_RETR(self, c, st, arg):
        data = self._file(st, arg)
        if data is None:
            self._send(c, "550 Not a file.")
            return
        if self.stall_after is not None:
            return self._stall(c, st, data[:self.stall_after])
        if st.get("eprt"):
            return self._stall(c, st, None)
        self._send_data(c, st, data)

    def _cmd_EPRT(self, c, st, arg):
        if not self.eprt_silent:
            self._send(c, "502 EPRT not implemented.")
            return
        st["eprt"] = True
        self._send(c, "200 Ok.")

    def _stall(self, c, st, head):
        """Sends head of a download, then stays silent on both connections
        (still logging what arrives) until the server stops. head None:
        150 and no data connection at all (active mode)."""
        d = None
        if head is not None:
            d = self._accept_data(st)
            if d is None:
                self._send(c, "425 No data connection.")
                return
        self._send(c, "150 Here it comes.")
        if d is not None:
            d.settimeout(10.0)
            d.sendall(head)
        self._hush(c)
        if d is not None:
            d.close()
        return False

    def _hush(self, c):
        """Stays silent on the control connection (still logging what
        arrives) until the server stops or the client hangs up."""
        buf = b""
        while self._wait(0.05):
            try:
                chunk = c.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            buf = self._log_lines(buf + chunk)

    def _log_lines(self, buf):
        """Logs the whole lines in buf; returns the rest."""
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            with self.lock:
                self.log.append(line.decode("utf-8", "replace"))
        return buf

    def _send_data(self, c, st, payload):
        """Sends payload over the data connection the client opens."""
        d = self._accept_data(st)
        if d is None:
            self._send(c, "425 No data connection.")
            return
        self._send(c, "150 Here it comes.")
        try:
            d.settimeout(10.0)
            if self._pour(d, payload) is False:
                return False
        finally:
            d.close()
        if self.no_226:
            self._hush(c)
            return False
        self._send(c, "226 Done.")

    def _pour(self, d, payload):
        """Sends the payload of a download or listing over the data
        connection d; False ends the session (the server stops)."""
        d.sendall(payload)

    def _drink(self, d):
        """Reads an upload from the data connection d to its end; returns
        the bytes, or None to end the session (the server stops)."""
        got = []
        while True:
            chunk = d.recv(65536)
            if not chunk:
                return b"".join(got)
            got.append(chunk)

    def _cmd_STOR(self, c, st, arg):
        d = self._accept_data(st)
        if d is None:
            self._send(c, "425 No data connection.")
            return
        self._send(c, "150 Send it.")
        try:
            d.settimeout(10.0)
            got = self._drink(d)
        finally:
            d.close()
        if got is None:
            return False
        with self.lock:
            self.tree[self._join(st["cwd"], arg).lstrip("/")] = got
            self.stored = True
        if self.no_226:
            self._hush(c)
            return False
        self._send(c, "226 Stored.")

    def _cmd_SIZE(self, c, st, arg):
        data = self._file(st, arg)
        self._send(c, "213 %d" % len(data) if data is not None else "550 Not a file.")

    def _cmd_AVBL(self, c, st, arg):
        if self.avbl is None:
            self._send(c, "502 Command not implemented.")
        else:
            self._send(c, "213 %d" % self.avbl)

    def _cmd_MDTM(self, c, st, arg):
        data = self._file(st, arg)
        self._send(c, "213 20240101120000" if data is not None else "550 Not a file.")

    def _listen_data(self, st):
        if st["pasv"] is not None:
            st["pasv"].close()
            st["pasv"] = None
        if self.pasv_port is not None:
            return self.pasv_port
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((HOST, 0))
        s.listen(1)
        s.settimeout(0.2)
        self._track(s)
        st["pasv"] = s
        return s.getsockname()[1]

    def _cmd_EPSV(self, c, st, arg):
        port = self._listen_data(st)
        self._send(c, "229 Entering Extended Passive Mode (|||%d|)" % port)

    def _cmd_PASV(self, c, st, arg):
        port = self._listen_data(st)
        self._send(c, "227 Entering Passive Mode (127,0,0,1,%d,%d)" % (port >> 8, port & 255))

    def _accept_data(self, st):
        lsock, st["pasv"] = st["pasv"], None
        if lsock is None:
            return None
        deadline = time.monotonic() + 10.0
        try:
            while not self.stopping.is_set() and time.monotonic() < deadline:
                try:
                    d, _ = lsock.accept()
                    self._track(d)
                    return d
                except socket.timeout:
                    continue
            return None
        finally:
            lsock.close()

    def _listing(self, c, st, arg, mlsd):
        path = self._join(st["cwd"], arg) if arg and not arg.startswith("-") else st["cwd"]
        path = self._follow(path)
        if path not in self._dirs():
            self._send(c, "550 %s: no such directory." % path)
            return
        delay = self.slow.get(path)
        if self.stored and self.reload_hold:
            delay = self.reload_hold
        if delay and not self._wait(delay):
            return False
        if mlsd and path in self.mlsd_fails:
            self._send(c, "451 Listing too large.")
            return
        if self.stall_after is not None:
            return self._stall(c, st, b"")
        lines = []
        for name, isdir, size in self._entries(path):
            if mlsd:
                lines.append("type=%s;size=%d;modify=20240101120000; %s"
                             % ("dir" if isdir else "file", size, name))
            else:
                lines.append("%s 1 0 0 %d Jan 01 2024 %s"
                             % ("drwxr-xr-x" if isdir else "-rw-r--r--", size, name))
        for name, target in self._links_in(path):
            if mlsd:
                lines.append("type=OS.unix=slink:%s;size=%d;modify=20240101120000; %s"
                             % (target, len(target), name))
            else:
                lines.append("lrwxrwxrwx 1 0 0 %d Jan 01 2024 %s -> %s"
                             % (len(target), name, target))
        lines += self.bad_lines.get(path, [])
        self._send_data(c, st, "".join(l + "\r\n" for l in lines).encode("utf-8", "surrogateescape"))

    def _cmd_MLSD(self, c, st, arg):
        return self._listing(c, st, arg, True)

    def _cmd_LIST(self, c, st, arg):
        return self._listing(c, st, arg, False)
