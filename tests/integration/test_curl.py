"""ferryd with curl as the client: downloads, uploads, listings, passive
(EPSV and PASV with --disable-epsv) and active mode (-P: EPRT and PORT with
--disable-eprt), resume (-C -) and append; --ftp-method multicwd, singlecwd
and nocwd into a UTF-8 path with spaces; byte ranges (-r, curl closing the
data connection early) with a second URL in the same run; -I, -z and -R
(SIZE, MDTM); -Z (parallel sessions, up to and beyond --max-per-ip) and
-K lists of 50 URLs in one session, passive and active; -T - and -T {a,b}
with --ftp-create-dirs (parallel sessions racing to make one directory);
-X MLSD;
quote commands allowed to fail and post-quote; --ftp-pret, --ftp-account,
--ftp-alternative-to-user, --ftp-skip-pasv-ip; --crlf and ASCII type;
FTPS explicit and implicit, --ftp-ssl-control, --ftp-ssl-ccc, TLS 1.2 and
1.3. Bytes compared on disk; curl's -v trace shows which commands it
really sent and what ferryd answered."""

import calendar
import email.utils
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import config
import ftptest
import tlspeers
from ftptest import read_file

DATA = ftptest.random_bytes(3 << 20, seed=11)
SPACES = "name with spaces.bin"
DEEP_DIRS = ("deep dir", "\u00fcber \u65e5\u672c")     # "deep dir/über 日本"
DEEP_NAME = "f\u00efle \u00e4.bin"
OLD = calendar.timegm((2021, 3, 4, 5, 6, 7))            # a remote file's mtime


class CurlTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        srv.write(SPACES, DATA[:1000])
        srv.write("dir/one.txt", b"one\n")
        srv.write("dir/two.txt", b"two\n")
        srv.mkdir("uploads")
        srv.write("/".join(DEEP_DIRS + (DEEP_NAME,)), DATA[:65536])
        srv.write("old.bin", DATA[:5000], mtime=OLD)
        for i in range(50):
            srv.write("many/f%02d.txt" % i, ("file %d\n" % i) * (i + 1))
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-curl-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def curl(self, *args, ok=True, input=None):
        cmd = [config.CURL, "-sS", "-v", "--max-time", "30", "--connect-timeout", "10"]
        cmd += list(args)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL if input is None else None,
                           input=input, capture_output=True, timeout=60)
        if ok and r.returncode != 0:
            self.fail("curl exited %d: %s\n%s%s" % (r.returncode, " ".join(cmd),
                      r.stderr.decode("utf-8", "replace")[-2000:], self._log()))
        return r

    def sent(self, r):
        """Commands curl sent, from its -v trace ("> CMD")."""
        return [l[2:].strip() for l in r.stderr.decode("utf-8", "replace").splitlines()
                if l.startswith("> ")]

    def local(self, name):
        return os.path.join(self.tmp, name)

    def url(self, path):
        return self.server.url(urllib.parse.quote(path))

    def replies(self, r):
        """ferryd's reply lines, from curl's -v trace ("< 226 ...")."""
        return [l[2:].strip() for l in r.stderr.decode("utf-8", "replace").splitlines()
                if l.startswith("< ")]

    def sessions(self, r):
        """How many control connections curl opened (ferryd's greetings)."""
        return sum(1 for l in self.replies(r) if l.startswith("220 "))

    # -- downloads --

    def test_download(self):
        out = self.local("dl.bin")
        r = self.curl(self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("EPSV") for c in self.sent(r)), self.sent(r))

    def test_download_ftp_pasv(self):
        out = self.local("dl-pasv.bin")
        r = self.curl("--ftp-pasv", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)

    def test_download_disable_epsv(self):
        out = self.local("dl-noepsv.bin")
        r = self.curl("--disable-epsv", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        sent = self.sent(r)
        self.assertIn("PASV", sent)
        self.assertFalse(any(c.startswith("EPSV") for c in sent), sent)

    def test_download_active_eprt(self):
        out = self.local("dl-active.bin")
        r = self.curl("-P", "127.0.0.1", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("EPRT") for c in self.sent(r)), self.sent(r))

    def test_download_active_port(self):
        out = self.local("dl-port.bin")
        r = self.curl("-P", "127.0.0.1", "--disable-eprt", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertTrue(any(c.startswith("PORT") for c in self.sent(r)), self.sent(r))

    def test_download_name_with_spaces(self):
        out = self.local("dl-spaces.bin")
        self.curl(self.url("/" + SPACES), "-o", out)
        self.assertEqual(read_file(out), DATA[:1000])

    def test_download_missing_file_fails(self):
        out = self.local("dl-missing.bin")
        r = self.curl(self.url("/nosuchfile"), "-o", out, ok=False)
        self.assertEqual(r.returncode, 78, r.stderr[-500:])   # remote file not found

    def test_resume_download(self):
        out = self.local("dl-resume.bin")
        ftptest.write_file(out, DATA[:1000000])
        r = self.curl("-C", "-", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertIn("REST 1000000", self.sent(r))

    # -- listings --

    def test_list_directory(self):
        r = self.curl(self.url("/dir/"))
        text = r.stdout.decode()
        self.assertIn("one.txt", text)
        self.assertIn("two.txt", text)
        self.assertEqual(len(text.strip().splitlines()), 2, text)

    def test_list_only(self):
        r = self.curl("--list-only", self.url("/dir/"))
        self.assertEqual(sorted(r.stdout.decode().split()), ["one.txt", "two.txt"])

    def test_list_root_active(self):
        r = self.curl("-P", "127.0.0.1", "--list-only", self.url("/"))
        names = set(r.stdout.decode("utf-8").splitlines())
        self.assertEqual(names, set(os.listdir(self.server.root)))

    # -- uploads --

    def test_upload(self):
        src = ftptest.write_file(self.local("up.bin"), DATA)
        self.curl("-T", src, self.url("/uploads/up.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up.bin")), DATA)

    def test_upload_active(self):
        src = ftptest.write_file(self.local("up-active.bin"), DATA[:200000])
        self.curl("-P", "127.0.0.1", "-T", src, self.url("/uploads/up-active.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-active.bin")), DATA[:200000])
        self.curl("-P", "127.0.0.1", "--disable-eprt", "-T", src,
                  self.url("/uploads/up-port.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-port.bin")), DATA[:200000])

    def test_upload_disable_epsv(self):
        src = ftptest.write_file(self.local("up-pasv.bin"), DATA[:300000])
        r = self.curl("--disable-epsv", "-T", src, self.url("/uploads/up-pasv.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "up-pasv.bin")), DATA[:300000])
        self.assertIn("PASV", self.sent(r))

    def test_upload_creating_dirs(self):
        src = ftptest.write_file(self.local("deep.bin"), b"deep")
        self.curl("--ftp-create-dirs", "-T", src, self.url("/uploads/new/deeper/deep.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "new", "deeper", "deep.bin")),
                         b"deep")

    def test_upload_replaces(self):
        self.server.write("uploads/replace.bin", b"old contents")
        src = ftptest.write_file(self.local("replace.bin"), DATA[:4096])
        self.curl("-T", src, self.url("/uploads/replace.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "replace.bin")), DATA[:4096])

    def test_append(self):
        self.server.write("uploads/app.txt", b"first\n")
        src = ftptest.write_file(self.local("app.txt"), b"second\n")
        r = self.curl("--append", "-T", src, self.url("/uploads/app.txt"))
        self.assertEqual(read_file(self.server.path("uploads", "app.txt")), b"first\nsecond\n")
        self.assertTrue(any(c.startswith("APPE") for c in self.sent(r)), self.sent(r))

    def test_resume_upload(self):
        self.server.write("uploads/resume.bin", DATA[:777777])
        src = ftptest.write_file(self.local("resume.bin"), DATA)
        r = self.curl("-C", "-", "-T", src, self.url("/uploads/resume.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "resume.bin")), DATA)

    def test_quote_delete(self):
        self.server.write("uploads/gone.txt", b"x")
        self.curl("-Q", "DELE uploads/gone.txt", self.url("/"), "--list-only")
        self.assertFalse(os.path.exists(self.server.path("uploads", "gone.txt")))

    # -- --ftp-method: how curl walks to a file two directories deep --

    def test_ftp_method_download_upload(self):
        deep = "/".join(DEEP_DIRS)
        want = {"multicwd": (["CWD " + DEEP_DIRS[0], "CWD " + DEEP_DIRS[1]], DEEP_NAME),
                "singlecwd": (["CWD " + deep], DEEP_NAME),
                "nocwd": ([], deep + "/" + DEEP_NAME)}
        for method, (cwds, arg) in want.items():
            with self.subTest(method=method):
                out = self.local("deep-%s.bin" % method)
                r = self.curl("--ftp-method", method, self.url("/%s/%s" % (deep, DEEP_NAME)),
                              "-o", out)
                self.assertEqual(read_file(out), DATA[:65536])
                sent = self.sent(r)
                self.assertEqual([c for c in sent if c.startswith("CWD")], cwds, sent)
                self.assertIn("RETR " + arg, sent)
                name = "up %s \u00e9.bin" % method
                r = self.curl("--ftp-method", method, "-T", out,
                              self.url("/%s/%s" % (deep, name)))
                self.assertEqual(read_file(self.server.path(*DEEP_DIRS, name)), DATA[:65536])
                stor = name if method != "nocwd" else deep + "/" + name
                self.assertIn("STOR " + stor, self.sent(r))

    def test_ftp_method_listings(self):
        deep = "/".join(DEEP_DIRS)
        for method, verb in (("nocwd", "LIST " + deep), ("singlecwd", "LIST"),
                             ("multicwd", "LIST")):
            with self.subTest(method=method):
                # (test_ftp_method_download_upload may add files there)
                r = self.curl("--ftp-method", method, self.url("/%s/" % deep))
                names = set(os.listdir(self.server.path(*DEEP_DIRS)))
                lines = r.stdout.decode("utf-8").splitlines()
                self.assertEqual({l.split(None, 8)[8] for l in lines}, names, lines)
                self.assertIn(DEEP_NAME, names)
                self.assertIn(verb, self.sent(r))
                r = self.curl("--ftp-method", method, "-l", self.url("/%s/" % deep))
                self.assertEqual(set(r.stdout.decode("utf-8").splitlines()), names)
        # An absolute path (// after the host): singlecwd sends it whole.
        r = self.curl("--ftp-method", "singlecwd", "-l",
                      self.server.url("/" + urllib.parse.quote("/" + deep + "/")))
        self.assertIn("CWD /" + deep, self.sent(r))
        self.assertIn(DEEP_NAME, r.stdout.decode("utf-8").splitlines())

    def test_nocwd_create_dirs(self):
        """curl creates missing directories only when a CWD fails: with
        nocwd it sends the STOR alone, ferryd answers 550 and curl fails
        with its upload error; nothing is created."""
        src = ftptest.write_file(self.local("nocwd.txt"), b"n\n")
        r = self.curl("--ftp-method", "nocwd", "--ftp-create-dirs", "-T", src,
                      self.url("/uploads/nocwd new/x.txt"), ok=False)
        self.assertEqual(r.returncode, 25, r.stderr[-1000:])
        self.assertIn("STOR uploads/nocwd new/x.txt", self.sent(r))
        self.assertFalse(os.path.exists(self.server.path("uploads", "nocwd new")))
        r = self.curl("--ftp-method", "multicwd", "--ftp-create-dirs", "-T", src,
                      self.url("/uploads/nocwd new/x.txt"))
        self.assertEqual(read_file(self.server.path("uploads", "nocwd new", "x.txt")), b"n\n")

    # -- ranges: REST, then curl closes the data connection early --

    def test_range_edges(self):
        out = self.local("edge.bin")
        for args, want in ((["-r", "0-0"], DATA[:1]), (["-r", "3145700-"], DATA[3145700:]),
                           (["-r", "100-199", "-P", "127.0.0.1"], DATA[100:200]),
                           (["-r", "0-99999", "--disable-epsv"], DATA[:100000])):
            with self.subTest(args=args):
                self.curl(*args, self.url("/data.bin"), "-o", out)
                self.assertEqual(read_file(out), want)

    def test_ranges_then_second_url(self):
        a, b = self.local("r1.bin"), self.local("r2.bin")
        # -r applies to every URL of the run; curl reads the range, closes
        # the data connection (ferryd may still be sending), sends ABOR and
        # QUIT without waiting: it cannot tell whether the ABOR worked, so
        # it never reuses a session after a partial download ("partial
        # download completed, closing connection") and opens a new one for
        # the next URL. ferryd must answer ABOR (426 then 226 while it was
        # sending, else 226 for the transfer then 225) and serve the next
        # session.
        for rng, want, rest in (("100-199", DATA[100:200], 100),
                                ("-500", DATA[-500:], len(DATA) - 500)):
            with self.subTest(range=rng):
                r = self.curl("-r", rng, self.url("/data.bin"), "-o", a,
                              self.url("/data.bin"), "-o", b)
                self.assertEqual(read_file(a), want)
                self.assertEqual(read_file(b), want)
                self.assertEqual(self.sent(r).count("REST %d" % rest), 2, self.sent(r))
                self.assertEqual(self.sessions(r), 2, r.stderr[-3000:])
                self.assertIn("partial download completed, closing connection",
                              r.stderr.decode())
                replies = self.replies(r)
                self.assertEqual(sum(1 for l in replies if l.startswith("226")), 2, replies)
        # A range, then (after -:, --next) a whole file.
        r = self.curl("-r", "100-199", self.url("/data.bin"), "-o", a,
                      "-:", self.url("/" + SPACES), "-o", b)
        self.assertEqual(read_file(a), DATA[100:200])
        self.assertEqual(read_file(b), DATA[:1000])
        self.assertEqual(self.sessions(r), 2)
        self.assertTrue(self.server.running())

    # -- SIZE and MDTM: -I, -z, -R --

    def test_head(self):
        r = self.curl("-I", self.url("/old.bin"))
        out = r.stdout.decode()
        self.assertIn("Content-Length: 5000\r\n", out)
        self.assertIn("Last-Modified: %s\r\n" % email.utils.formatdate(OLD, usegmt=True), out)
        sent = self.sent(r)
        self.assertIn("SIZE old.bin", sent)
        self.assertIn("MDTM old.bin", sent)
        self.assertFalse(any(c.startswith("RETR") for c in sent), sent)

    def test_time_condition(self):
        out = self.local("cond.bin")
        if os.path.exists(out):
            os.unlink(out)
        # The file is older than the date: nothing is fetched.
        r = self.curl("-z", "Sat, 01 Jan 2022 00:00:00 GMT", self.url("/old.bin"), "-o", out)
        self.assertFalse(os.path.exists(out))
        self.assertFalse(any(c.startswith("RETR") for c in self.sent(r)), self.sent(r))
        # Newer than the date: fetched. -z -DATE: only if older.
        r = self.curl("-z", "Wed, 01 Jan 2020 00:00:00 GMT", self.url("/old.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA[:5000])
        os.unlink(out)
        self.curl("-z", "-Wed, 01 Jan 2020 00:00:00 GMT", self.url("/old.bin"), "-o", out)
        self.assertFalse(os.path.exists(out))
        # -z FILE: compared with the local file's time.
        ftptest.write_file(out, b"local", mtime=OLD + 10)
        self.curl("-z", out, self.url("/old.bin"), "-o", out)
        self.assertEqual(read_file(out), b"local")

    def test_remote_time(self):
        out = self.local("remote-time.bin")
        r = self.curl("-R", self.url("/old.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA[:5000])
        self.assertEqual(os.stat(out).st_mtime, OLD)
        self.assertIn("MDTM old.bin", self.sent(r))

    # -- many URLs: -Z (parallel sessions), -K lists in one session --

    def test_parallel(self):
        names = ["data.bin", SPACES, "old.bin", "dir/one.txt", "many/f07.txt", "many/f49.txt"]
        args = []
        for i, n in enumerate(names):
            args += [self.url("/" + n), "-o", self.local("par%d.bin" % i)]
        r = self.curl("-Z", "--parallel-max", "6", *args)
        for i, n in enumerate(names):
            self.assertEqual(read_file(self.local("par%d.bin" % i)),
                             read_file(self.server.path(n)), n)
        self.assertGreater(self.sessions(r), 1, r.stderr[-3000:])

    def test_parallel_many(self):
        """50 URLs with -Z and --parallel-max 16, ferryd's default
        --max-per-ip: 16 sessions at once, every file exact."""
        d = self.local("pmany")
        os.makedirs(d, exist_ok=True)
        args = []
        for i in range(50):
            args += [self.url("/many/f%02d.txt" % i), "-o", "%s/f%02d.txt" % (d, i)]
        r = self.curl("-Z", "--parallel-max", "16", *args)
        for i in range(50):
            self.assertEqual(read_file("%s/f%02d.txt" % (d, i)),
                             read_file(self.server.path("many", "f%02d.txt" % i)))
        self.assertGreater(self.sessions(r), 1)

    def test_parallel_over_max_per_ip(self):
        """More parallel sessions than --max-per-ip: ferryd greets the extra
        ones with 421 and closes them; curl maps a 421 to its timeout error
        (28, "Timeout was reached") at once, without waiting. The files
        whose session got in are exact."""
        srv = ftptest.Server(["--anonymous=ro", "--max-per-ip", "3"])
        self.addCleanup(srv.cleanup)
        for i in range(8):
            srv.write("p%d.txt" % i, b"p%d\n" % i * 1000)
        srv.start()
        d = self.local("pmax")
        os.makedirs(d, exist_ok=True)
        args = []
        for i in range(8):
            args += [srv.url("/p%d.txt" % i), "-o", "%s/p%d.txt" % (d, i)]
        started = time.monotonic()
        r = self.curl("-Z", "--parallel-immediate", "--parallel-max", "8", *args, ok=False)
        self.assertLess(time.monotonic() - started, 20)
        refused = sum(1 for l in self.replies(r) if l.startswith("421 Too many connections"))
        good = sum(1 for i in range(8) if os.path.exists("%s/p%d.txt" % (d, i)) and
                   read_file("%s/p%d.txt" % (d, i)) == b"p%d\n" % i * 1000)
        self.assertEqual(good + refused, 8, r.stderr[-3000:])
        self.assertGreaterEqual(good, 3)
        if refused:
            self.assertEqual(r.returncode, 28)
            self.assertIn("curl: (28) Timeout was reached", r.stderr.decode())

    def test_config_list_one_session(self):
        for active in (False, True):
            with self.subTest(active=active):
                d = self.local("many-%s" % active)
                os.makedirs(d, exist_ok=True)
                cfg = os.path.join(d, "list.cfg")
                with open(cfg, "w") as f:
                    for i in range(50):
                        f.write('url = "%s"\noutput = "%s/f%02d.txt"\n'
                                % (self.url("/many/f%02d.txt" % i), d, i))
                extra = ["-P", "127.0.0.1"] if active else []
                r = self.curl("-K", cfg, *extra)
                for i in range(50):
                    self.assertEqual(read_file("%s/f%02d.txt" % (d, i)),
                                     read_file(self.server.path("many", "f%02d.txt" % i)))
                sent = self.sent(r)
                self.assertEqual(self.sessions(r), 1)
                self.assertEqual(sent.count("USER anonymous"), 1)
                verb = "EPRT" if active else "EPSV"
                self.assertEqual(sum(1 for c in sent if c.startswith(verb)), 50, sent)
                self.assertEqual(sum(1 for c in self.replies(r) if c.startswith("226")), 50)

    def test_custom_listing_mlsd(self):
        r = self.curl("-X", "MLSD", self.url("/dir/"))
        facts = dict(l.split("; ", 1)[::-1] for l in r.stdout.decode().splitlines())
        self.assertEqual(sorted(facts), ["one.txt", "two.txt"])
        self.assertIn("size=4;", facts["one.txt"])
        self.assertIn("MLSD", self.sent(r))

    # -- uploads from stdin, several files into a new directory --

    def test_upload_empty_and_resume_new(self):
        self.curl("-T", "/dev/null", self.url("/uploads/empty.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "empty.bin")), b"")
        # -C - of a file ferryd does not have: SIZE says 550, curl sends it all.
        src = ftptest.write_file(self.local("resume-new.bin"), DATA[:9999])
        r = self.curl("-C", "-", "-T", src, self.url("/uploads/resume-new.bin"))
        self.assertEqual(read_file(self.server.path("uploads", "resume-new.bin")), DATA[:9999])
        self.assertIn("SIZE resume-new.bin", self.sent(r))

    def test_upload_stdin(self):
        self.curl("-T", "-", self.url("/uploads/stdin.bin"), input=DATA[:1 << 20])
        self.assertEqual(read_file(self.server.path("uploads", "stdin.bin")), DATA[:1 << 20])

    def test_upload_several_create_dirs(self):
        srcs = []
        for i in range(3):
            srcs.append(ftptest.write_file(self.local("multi%d.bin" % i), DATA[i:i + 70000]))
        r = self.curl("--ftp-create-dirs", "-T", "{%s}" % ",".join(srcs),
                      self.url("/uploads/multi/a b/c/"))
        for i in range(3):
            self.assertEqual(read_file(self.server.path("uploads", "multi", "a b", "c",
                                                        "multi%d.bin" % i)), DATA[i:i + 70000])
        self.assertEqual(self.sessions(r), 1)
        self.assertIn("MKD multi", self.sent(r))

    def test_parallel_uploads_create_same_dirs(self):
        """-Z -T {8 files} with --ftp-create-dirs into one missing nested
        directory: the sessions race to MKD it; the losers get 550 (File
        exists), CWD again as curl does after a failed MKD, and every file
        lands whole."""
        srcs = [ftptest.write_file(self.local("race%d.bin" % i), DATA[i:i + 100000])
                for i in range(8)]
        r = self.curl("-Z", "--parallel-immediate", "--ftp-create-dirs",
                      "-T", "{%s}" % ",".join(srcs), self.url("/uploads/race/a b/c/"))
        for i in range(8):
            self.assertEqual(read_file(self.server.path("uploads", "race", "a b", "c",
                                                        "race%d.bin" % i)), DATA[i:i + 100000])

    def test_create_dirs_through_a_file(self):
        self.server.write("uploads/plain-file", b"f")
        src = ftptest.write_file(self.local("through.txt"), b"t")
        r = self.curl("--ftp-create-dirs", "-T", src,
                      self.url("/uploads/plain-file/sub/x.txt"), ok=False)
        self.assertEqual(r.returncode, 9, r.stderr[-1000:])     # CWD refused
        self.assertIn("550 /uploads/plain-file: Not a directory.", self.replies(r))
        self.assertIn("550 /uploads/plain-file: File exists.", self.replies(r))
        self.assertEqual(read_file(self.server.path("uploads", "plain-file")), b"f")

    # -- quote commands --

    def test_quote_may_fail_and_post_quote(self):
        self.server.write("uploads/q-a.txt", b"renamed after\n")
        src = ftptest.write_file(self.local("q.txt"), b"quoted\n")
        r = self.curl("-Q", "*DELE uploads/no-such-file", "-Q", "-*DELE uploads/nor-this",
                      "-Q", "-RNFR q-a.txt", "-Q", "-RNTO q-b.txt",
                      "-T", src, self.url("/uploads/q.txt"))
        self.assertEqual(read_file(self.server.path("uploads", "q.txt")), b"quoted\n")
        self.assertFalse(os.path.exists(self.server.path("uploads", "q-a.txt")))
        self.assertEqual(read_file(self.server.path("uploads", "q-b.txt")), b"renamed after\n")
        sent = self.sent(r)
        self.assertLess(sent.index("DELE uploads/no-such-file"), sent.index("STOR q.txt"))
        self.assertLess(sent.index("STOR q.txt"), sent.index("RNFR q-a.txt"))
        self.assertTrue(any(l.startswith("550") for l in self.replies(r)))
        # Without '*' a failing quote command fails the run.
        r = self.curl("-Q", "DELE uploads/no-such-file", self.url("/dir/one.txt"), ok=False)
        self.assertEqual(r.returncode, 21, r.stderr[-1000:])    # quote error

    # -- less common options --

    def test_ftp_pret(self):
        out = self.local("pret.bin")
        r = self.curl("--ftp-pret", self.url("/dir/one.txt"), "-o", out, ok=False)
        # PRET belongs to distributed servers (drftpd); ferryd, like vsftpd
        # and proftpd, does not know it: curl stops at once with its own
        # error, no hang and no partial file.
        sent = self.sent(r)
        self.assertEqual(sent[-1], "PRET RETR one.txt", sent)
        self.assertIn("500 Unknown command PRET.", self.replies(r))
        self.assertEqual(r.returncode, 84, r.stderr[-1000:])   # PRET not accepted
        self.assertIn("PRET command not accepted: 500", r.stderr.decode())
        self.assertFalse(os.path.exists(out))

    def test_account_and_alternative_to_user(self):
        out = self.local("acct.txt")
        r = self.curl("--ftp-account", "acct1", "--ftp-alternative-to-user", "SITE NOOP",
                      self.url("/dir/one.txt"), "-o", out)
        self.assertEqual(read_file(out), b"one\n")
        # curl sends ACCT only on a 332, the alternative only on a 530 to USER.
        sent = self.sent(r)
        self.assertFalse(any(c.startswith(("ACCT", "SITE")) for c in sent), sent)
        # A refused login: curl tries the alternative, ferryd keeps saying
        # 530 and curl ends with "access denied".
        r = self.curl("--ftp-alternative-to-user", "SITE NOOP",
                      self.server.url("/dir/one.txt", "nobody", "wrong"), ok=False)
        self.assertEqual(r.returncode, 67, r.stderr[-1000:])
        self.assertEqual(self.sent(r)[-1], "SITE NOOP")
        self.assertTrue(self.replies(r)[-1].startswith("530 "), self.replies(r))

    def test_crlf_upload(self):
        src = ftptest.write_file(self.local("lines.txt"), b"a\nb\r\nc\n")
        self.curl("--crlf", "-T", src, self.url("/uploads/crlf.txt"))
        self.assertEqual(read_file(self.server.path("uploads", "crlf.txt")),
                         b"a\r\nb\r\r\nc\r\n")

    def test_ascii_type(self):
        self.server.write("uploads/text.txt", b"one\ntwo\nthree\n")
        for how in (["--use-ascii", self.url("/uploads/text.txt")],
                    [self.url("/uploads/text.txt") + ";type=a"]):
            with self.subTest(how=how[0]):
                out = self.local("ascii.txt")
                r = self.curl(*how, "-o", out)
                self.assertIn("TYPE A", self.sent(r))
                self.assertTrue(any(l.startswith("150 Opening ASCII mode")
                                    for l in self.replies(r)), self.replies(r))
                # ferryd sends CRLF (17 bytes), curl turns it back into LF.
                self.assertIn("[17 bytes data]", r.stderr.decode())
                self.assertEqual(read_file(out), b"one\ntwo\nthree\n")
        # Uploads: curl turns each LF into CRLF, ferryd CRLF into LF.
        src = ftptest.write_file(self.local("unix.txt"), b"x\ny\n\n")
        for how in (["-T", src, self.url("/uploads/unix.txt") + ";type=a"],
                    ["--use-ascii", "-T", src, self.url("/uploads/unix.txt")]):
            os.unlink(self.server.path("uploads", "unix.txt")) if os.path.exists(
                self.server.path("uploads", "unix.txt")) else None
            r = self.curl(*how)
            self.assertIn("TYPE A", self.sent(r))
            self.assertEqual(read_file(self.server.path("uploads", "unix.txt")), b"x\ny\n\n")
        # curl adds a CR before every LF, even one a CR precedes already:
        # "x\r\n" goes out as "x\r\r\n", which ferryd stores as "x\r\n"
        # (CRLF becomes LF, the lone CR stays).
        src = ftptest.write_file(self.local("dos.txt"), b"x\r\ny\r\n")
        self.curl("-T", src, self.url("/uploads/dos.txt") + ";type=a")
        self.assertEqual(read_file(self.server.path("uploads", "dos.txt")), b"x\r\ny\r\n")

    def test_skip_pasv_ip(self):
        # A ferryd whose PASV replies name an address that is not this
        # host's (TEST-NET-1, never connected to): --ftp-skip-pasv-ip
        # makes curl use the control connection's address instead.
        srv = ftptest.Server(["--anonymous=ro"], listen="127.0.0.1:0,pasv-address=192.0.2.7")
        self.addCleanup(srv.cleanup)
        srv.write("a.bin", DATA[:123456])
        srv.start()
        out = self.local("skip.bin")
        r = self.curl("--disable-epsv", "--ftp-skip-pasv-ip", srv.url("/a.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA[:123456])
        self.assertTrue(any(l.startswith("227 ") and "(192,0,2,7," in l
                            for l in self.replies(r)), self.replies(r))
        self.assertIn("Skip 192.0.2.7 for data connection, re-use 127.0.0.1 instead",
                      r.stderr.decode())

    def test_disable_epsv_and_eprt_with_several_urls(self):
        a, b = self.local("de1.bin"), self.local("de2.bin")
        r = self.curl("--disable-epsv", self.url("/data.bin"), "-o", a,
                      self.url("/" + SPACES), "-o", b)
        self.assertEqual(read_file(a), DATA)
        self.assertEqual(read_file(b), DATA[:1000])
        self.assertEqual(self.sent(r).count("PASV"), 2)
        r = self.curl("-P", "127.0.0.1", "--disable-eprt", self.url("/data.bin"), "-o", a,
                      self.url("/" + SPACES), "-o", b)
        self.assertEqual(read_file(a), DATA)
        self.assertEqual(read_file(b), DATA[:1000])
        self.assertEqual(sum(1 for c in self.sent(r) if c.startswith("PORT ")), 2)


class CurlTlsTest(ftptest.TestCase):
    """curl over FTPS: one ferryd with explicit TLS (AUTH TLS) on one
    listener and implicit TLS on another, anonymous read-write,
    certificates from tests/tls-certs.sh trusted through --cacert."""

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server(["-l", "127.0.0.1:0,implicit-tls", "-v", "--anonymous=rw",
                              "--tls-cert", tlspeers.cert("server.pem"),
                              "--tls-key", tlspeers.cert("server.key"),
                              "--idle-timeout", "30"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("data.bin", DATA)
        for i in range(12):
            srv.write("many/f%02d.txt" % i, ("tls %d\n" % i) * (i + 1))
        srv.mkdir("up")
        srv.start()
        cls.server = srv
        (_, cls.explicit), (_, cls.implicit) = srv.addresses
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-curl-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    curl = CurlTest.curl
    sent = CurlTest.sent
    replies = CurlTest.replies
    sessions = CurlTest.sessions
    local = CurlTest.local

    def tls(self, *args, **kw):
        return self.curl("--cacert", tlspeers.cert("ca.pem"), *args, **kw)

    def url(self, path, scheme="ftp"):
        port = self.implicit if scheme == "ftps" else self.explicit
        return "%s://localhost:%d%s" % (scheme, port, urllib.parse.quote(path))

    def trace(self, r):
        return r.stderr.decode("utf-8", "replace")

    def test_explicit_ssl_reqd(self):
        out = self.local("e.bin")
        r = self.tls("--ssl-reqd", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        sent = self.sent(r)
        self.assertIn("AUTH SSL", sent)            # curl's first try; ferryd takes it
        self.assertIn("PROT P", sent)
        self.assertIn("234 ", " ".join(self.replies(r)))
        r = self.tls("--ssl-reqd", "-T", out, self.url("/up/e up.bin"))
        self.assertEqual(read_file(self.server.path("up", "e up.bin")), DATA)
        r = self.tls("--ssl-reqd", "--list-only", self.url("/many/"))
        self.assertEqual(sorted(r.stdout.decode().split()),
                         ["f%02d.txt" % i for i in range(12)])

    def test_implicit(self):
        out = self.local("i.bin")
        r = self.tls(self.url("/data.bin", "ftps"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertNotIn("AUTH SSL", self.sent(r))
        self.assertIn("PROT P", self.sent(r))
        self.tls("-T", out, self.url("/up/i.bin", "ftps"))
        self.assertEqual(read_file(self.server.path("up", "i.bin")), DATA)

    def test_control_only(self):
        """--ftp-ssl-control: the login protected, the data in clear
        (PROT C)."""
        out = self.local("c.bin")
        r = self.tls("--ftp-ssl-control", self.url("/data.bin"), "-o", out)
        self.assertEqual(read_file(out), DATA)
        self.assertIn("PROT C", self.sent(r))
        self.assertIn("200 ", " ".join(l for l in self.replies(r) if "PROT" in l or
                                       l.startswith("200 ")))
        self.tls("--ftp-ssl-control", "-T", out, self.url("/up/c.bin"))
        self.assertEqual(read_file(self.server.path("up", "c.bin")), DATA)

    def test_ccc(self):
        """--ftp-ssl-ccc: ferryd refuses CCC with 534 (RFC 4217 lets a
        server keep the control connection protected; vsftpd does not know
        CCC at all). curl takes a 5xx to CCC as "go on protected" and the
        transfer works; the password was sent inside TLS either way."""
        out = self.local("ccc.bin")
        for mode in ("passive", "active"):
            with self.subTest(mode=mode):
                r = self.tls("--ssl-reqd", "--ftp-ssl-ccc", "--ftp-ssl-ccc-mode", mode,
                             self.url("/data.bin"), "-o", out)
                self.assertEqual(read_file(out), DATA)
                sent = self.sent(r)
                self.assertIn("CCC", sent)
                self.assertIn("534 CCC refused: the control connection stays protected.",
                              self.replies(r))
                self.assertLess(sent.index("CCC"), sent.index("RETR data.bin"))

    def test_data_sessions_reused(self):
        """Several files in one session: every data connection resumes the
        control connection's TLS session (as ferryd requires), and none is
        refused."""
        for extra in ([], ["--disable-epsv"]):
            with self.subTest(extra=extra):
                args = []
                for i in range(12):
                    args += [self.url("/many/f%02d.txt" % i), "-o", self.local("s%02d" % i)]
                r = self.tls("--ssl-reqd", *extra, *args)
                for i in range(12):
                    self.assertEqual(read_file(self.local("s%02d" % i)),
                                     read_file(self.server.path("many", "f%02d.txt" % i)))
                self.assertEqual(self.sessions(r), 1)
                self.assertGreaterEqual(self.trace(r).count("SSL re-using session ID"), 12)
                self.assertFalse(any(l.startswith(("425", "426", "5"))
                                     for l in self.replies(r)), self.replies(r))

    def test_active(self):
        """Active mode (-P) with PROT P. curl 7.87 and 7.88 accept ferryd's
        data connection and then never start the TLS handshake on it (a
        regression of theirs, curl issue 10666, fixed in 8.0): ferryd, the
        TLS server on every data connection, waits for a ClientHello until
        curl gives up at --max-time and closes both connections; the
        session ends, no byte sent. A curl without the bug must get the
        bytes."""
        out = self.local("act.bin")
        if os.path.exists(out):
            os.unlink(out)
        r = self.curl("--cacert", tlspeers.cert("ca.pem"), "--ssl-reqd", "-P", "127.0.0.1",
                      "--max-time", "4", self.url("/many/f05.txt"), "-o", out, ok=False)
        version = tuple(int(x) for x in re.match(
            rb"curl (\d+)\.(\d+)", subprocess.run([config.CURL, "--version"],
                                                 capture_output=True, timeout=10).stdout).groups())
        self.assertTrue(any(c.startswith("EPRT |1|127.0.0.1|") for c in self.sent(r)))
        if r.returncode == 0 or version >= (8, 0):
            self.assertEqual(r.returncode, 0, self.trace(r)[-2000:])
            self.assertEqual(read_file(out), read_file(self.server.path("many", "f05.txt")))
            return
        self.assertEqual(r.returncode, 28, self.trace(r)[-2000:])   # curl's timeout
        self.assertIn("Connection accepted from server", self.trace(r))
        self.assertFalse(os.path.exists(out))
        # curl closes both connections at once; ferryd's session ends
        # with them (no process left waiting).
        self.assertTrue(ftptest.wait_until(lambda: not self.server.session_pids()),
                        self._log())
        self.assertNotRegex(self.server.log_text(), r"RETR /many/f05\.txt bytes=[1-9]")

    def test_ranges(self):
        """-r over PROT P: curl drops the TLS data connection after the
        range (no close_notify); ferryd reports the broken or finished
        transfer, answers ABOR and QUIT, and the next session works."""
        a, b = self.local("tr1.bin"), self.local("tr2.bin")
        for rng, want in (("100-199", DATA[100:200]), ("-500", DATA[-500:])):
            with self.subTest(range=rng):
                r = self.tls("--ssl-reqd", "-r", rng, self.url("/data.bin"), "-o", a,
                             self.url("/data.bin", "ftps"), "-o", b)
                self.assertEqual(read_file(a), want)
                self.assertEqual(read_file(b), want)
                self.assertEqual(self.sessions(r), 2)
                self.assertEqual(self.sent(r).count("ABOR"), 2)
                # Each ABOR answered: 225 (the transfer had ended) or 226.
                self.assertEqual(sum(1 for l in self.replies(r)
                                     if l.startswith(("225 ", "226 ABOR"))), 2, self.replies(r))

    def test_tls_versions(self):
        out = self.local("v.bin")
        for args, version in ((["--tls-max", "1.2"], "TLSv1.2"),
                              (["--tlsv1.3"], "TLSv1.3"),
                              (["--tlsv1.2", "--tls-max", "1.3"], "TLSv1.3")):
            with self.subTest(args=args):
                r = self.tls("--ssl-reqd", *args, self.url("/data.bin"), "-o", out,
                             self.url("/many/f03.txt", "ftps"), "-o", out + ".2")
                self.assertEqual(read_file(out), DATA)
                self.assertEqual(read_file(out + ".2"),
                                 read_file(self.server.path("many", "f03.txt")))
                used = re.findall(r"SSL connection using (TLSv1\.\d)", self.trace(r))
                self.assertTrue(used, self.trace(r)[-2000:])
                self.assertEqual(set(used), {version})

    def test_upload_list(self):
        srcs = [ftptest.write_file(self.local("pu%d.bin" % i), DATA[i:i + 50000])
                for i in range(3)]
        r = self.tls("--ssl-reqd", "--ftp-create-dirs", "-T", "{%s}" % ",".join(srcs),
                     self.url("/up/new dir/x/"))
        for i in range(3):
            self.assertEqual(read_file(self.server.path("up", "new dir", "x", "pu%d.bin" % i)),
                             DATA[i:i + 50000])

    def test_parallel_one_name(self):
        """-Z to one name: curl's parallel connections share one TLS
        session cache entry (per name and port), so a data connection may
        offer the session of another control connection. ferryd refuses
        such a data connection (425, as vsftpd's require_ssl_reuse does)
        and curl reports that file failed: never wrong bytes, never a
        hang. Which transfers meet this depends on timing."""
        for i in range(6):
            p = self.local("po%d" % i)
            if os.path.exists(p):
                os.unlink(p)
        args = []
        for i in range(6):
            args += [self.url("/many/f%02d.txt" % i, "ftps"), "-o", self.local("po%d" % i)]
        why = "data connection refused: TLS session of the data connection not " \
              "resumed from the control connection\n"
        before = self.server.log_text().count(why)
        r = self.tls("-Z", "--parallel-immediate", *args, ok=False)
        self.assertIn(r.returncode, (0, 18), self.trace(r)[-2000:])
        self.assertTrue(ftptest.wait_until(lambda: not self.server.session_pids()))
        refused = self.server.log_text().count(why) - before
        good = 0
        for i in range(6):
            p = self.local("po%d" % i)
            if os.path.exists(p) and os.path.getsize(p):
                self.assertEqual(read_file(p), read_file(self.server.path("many", "f%02d.txt" % i)))
                good += 1
        self.assertEqual(good + refused, 6, self._log())


class CurlReadOnlyTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        ftptest.require_program(config.CURL, "curl")
        srv = ftptest.Server()
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        cls.server = srv

    def test_upload_refused(self):
        with tempfile.NamedTemporaryFile() as src:
            src.write(b"x")
            src.flush()
            r = subprocess.run([config.CURL, "-sS", "--max-time", "30", "-T", src.name,
                                self.server.url("/x.bin")], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(os.listdir(self.server.root), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
