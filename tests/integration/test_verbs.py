"""ferryd: every FTP verb against a real server, checked with python3's
ftplib and raw control connections, and against the files on disk."""

import calendar
import fnmatch
import os
import re
import socket
import time
import unittest

import ftptest
from ftptest import Control, read_file

STAMP = calendar.timegm((2001, 2, 3, 4, 5, 6, 0, 0, 0))
SPACES = "name with  spaces.txt"
UTF8 = "h\u00e9llo w\u00f6rld \u00fc.txt"
BIN = ftptest.random_bytes(300000, seed=1)

LS_RE = re.compile(r"^([-dlcbps][-rwxsStT]{9})\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+"
                   r"([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}:\d{2}|\d{4}) (.+)$")


def parse_mlsx(line):
    """'type=file;size=3; name' -> ({'type': 'file', ...}, 'name')."""
    facts, _, name = line.partition(" ")
    out = {}
    for f in facts.split(";"):
        if f:
            k, _, v = f.partition("=")
            out[k.lower()] = v
    return out, name


# Names whose order takes more than their first bytes: shared prefixes
# shorter and longer than eight bytes, names that begin others, bytes past
# ASCII (UTF-8), upper before lower case; with numbered names, far more
# entries than one read of the directory returns, made in shuffled order.
FEW_NAMES = ["a", "ab", "abcdefg", "abcdefgh", "abcdefgh0", "abcdefgh~", "abcdefgg",
             "abcdefghij", "abcdefghii", "Z", "z", "0", "~",
             "\u00e9t\u00e9", "\u00e9", "e\u0301", "\u4e2d\u6587",
             "IMG_20230101_000001.jpg", "IMG_20230101_000002.jpg", "IMG_20230101_00000.jpg",
             "x" * 255, "x" * 254, "x" * 7 + "y"]
ORDER_NAMES = FEW_NAMES + ["n%d" % ((i * 7919) % 3000) for i in range(3000)]
ORDER_NAMES += ["same-long-prefix-%d" % ((i * 4409) % 1200) for i in range(1200)]
# NLST of these takes several pieces (over 256 KiB).
BIG_NAMES = FEW_NAMES + ["%s-%05d-\u00e9\u00e8.dat" % ("q" * (i % 13), (i * 7919) % 12000)
                         for i in range(12000)]
# TYPE A: LF goes out as CR LF, a CR LF already in the file as it is, also
# where one falls on the 1 MiB boundary of the server's reads.
LINES = b"line1\nline2\nline3\nline4\n"
CRLF_TEXT = b"x" * (1024 * 1024 - 1) + b"\r\n" + b"y\r\nz\n"


class VerbsTest(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("hello.txt", b"hello world\n")
        srv.write(SPACES, b"spaces\n")
        srv.write(UTF8, "utf-8 \u00e9\n")
        srv.write("stamp.txt", b"0123456789", mtime=STAMP)
        srv.write("bin.dat", BIN)
        srv.write("lines.txt", LINES)
        srv.write("crlf.txt", CRLF_TEXT)
        srv.write("sub/inner.txt", b"inner\n")
        srv.mkdir("sub/deeper")
        srv.write("dashes/-d/inner.txt", b"inner\n")
        srv.write("dashes/-la", b"")
        for name in ("b.txt", "a.txt", "c.log"):
            srv.write("nlstbytes/" + name, b"")
        # Folders, files and links to each (and one leading nowhere),
        # for -d and patterns ending in a slash.
        for name in ("a", "b", ".hidden"):
            srv.write("dirsonly/%s/in-%s.txt" % (name, name), b"")
        for name in ("c.txt", "d.txt"):
            srv.write("dirsonly/" + name, b"")
        srv.symlink("a", "dirsonly/la")
        srv.symlink("c.txt", "dirsonly/lf")
        srv.symlink("nowhere", "dirsonly/lnowhere")
        # Links out of the root, which lead nowhere inside it.
        srv.mkdir("outlinks")
        srv.symlink("/etc/passwd", "outlinks/passwd")
        srv.symlink("../../../etc/passwd", "outlinks/up")
        for name in ("b", ".a", "..a", "...", "a", ".ferryd-upload-T3mp0r"):
            srv.write("dotnames/" + name, b"")
        for i in range(40):
            srv.write("globdir/" + "a" * (200 + i), b"")
        for name in ORDER_NAMES:
            srv.write("order/" + name, b"")
        for name in FEW_NAMES:
            srv.write("fewnames/" + name, b"")
        # A directory that held thousands of names and keeps three: its
        # own size (st_size) stays that of the thousands on most file
        # systems, so its listing takes the large directory's way.
        for i in range(3000):
            srv.write("shrunk/gone-%04d" % i, b"")
        for i in range(3000):
            os.unlink(srv.path("shrunk/gone-%04d" % i))
        for name in ("kept-b", "kept-a", ".kept-hidden"):
            srv.write("shrunk/" + name, b"")
        for name in BIG_NAMES:
            srv.write("big/" + name, b"")
        # Readable but not searchable: the names can be read, the
        # entries' attributes cannot.
        for name in ("one", "two"):
            srv.write("perms/unsearchable/" + name, b"x")
        os.chmod(srv.path("perms/unsearchable"), 0o644)
        srv.start()
        cls.server = srv

    def setUp(self):
        self.ftp = self.server.ftp()
        self.addCleanup(self.ftp.close)

    def raw(self, login=True):
        c = Control(self.server)
        self.addCleanup(c.close)
        if login:
            c.login()
        return c

    # -- session --

    def test_greeting_is_220(self):
        c = self.raw(login=False)
        self.assertCode(c.greeting, 220)

    def test_user_pass_anonymous_and_ftp(self):
        for user in ("anonymous", "ftp", "ANONYMOUS"):
            with self.subTest(user=user):
                c = self.raw(login=False)
                self.assertCode(c.cmd("USER " + user), 331)
                self.assertCode(c.cmd("PASS someone@example.org"), 230)
                self.assertCode(c.cmd("PWD"), 257)

    def test_quit(self):
        c = self.raw()
        self.assertCode(c.cmd("QUIT"), 221)
        self.assertEqual(c.wait_closed(5), [])

    def test_quit_before_login(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd("QUIT"), 221)
        self.assertEqual(c.wait_closed(5), [])

    def test_noop(self):
        self.assertTrue(self.ftp.voidcmd("NOOP").startswith("200"))

    def test_verbs_are_case_insensitive(self):
        c = self.raw()
        self.assertCode(c.cmd("noop"), 200)
        self.assertCode(c.cmd("pwd"), 257)
        self.assertCode(c.cmd("Syst"), 215)

    # -- before login --

    def test_allowed_before_login(self):
        c = self.raw(login=False)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertCode(c.cmd("SYST"), 215)
        self.assertCode(c.cmd("FEAT"), 211)
        self.assertCode(c.cmd("HELP"), 214)
        self.assertCode(c.cmd("OPTS UTF8 ON"), 200)
        self.assertCode(c.cmd("USER anonymous"), 331)
        self.assertCode(c.cmd("PASS x@y"), 230)

    def test_refused_before_login(self):
        before = ftptest.tree_snapshot(self.server.root)
        c = self.raw(login=False)
        cmds = ["PWD", "XPWD", "CWD sub", "XCWD sub", "CDUP", "XCUP", "LIST", "NLST",
                "MLSD", "MLST hello.txt", "RETR hello.txt", "STOR new.txt", "STOU",
                "APPE hello.txt", "DELE hello.txt", "MKD newdir", "XMKD newdir",
                "RMD sub/deeper", "XRMD sub/deeper", "RNFR hello.txt", "RNTO moved.txt",
                "SIZE hello.txt", "MDTM hello.txt", "TYPE I", "MODE S", "STRU F",
                "ALLO 10", "REST 0", "PASV", "EPSV", "EPSV ALL",
                "PORT 127,0,0,1,200,10", "EPRT |1|127.0.0.1|51210|", "STAT", "STAT sub",
                "ABOR"]
        for cmd in cmds:
            with self.subTest(cmd=cmd):
                self.assertCode(c.cmd(cmd), 530, msg="for " + cmd)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertEqual(ftptest.tree_snapshot(self.server.root), before)

    # -- information --

    def test_syst(self):
        r = self.raw().cmd("SYST")
        self.assertCode(r, 215)
        self.assertTrue(r.lines[0][4:].strip(), r)

    def test_feat(self):
        r = self.raw(login=False).cmd("FEAT")
        self.assertCode(r, 211)
        self.assertGreater(len(r.lines), 2, r)
        feats = [l.strip() for l in r.lines[1:-1]]
        for l in r.lines[1:-1]:
            self.assertTrue(l.startswith(" "), "feature lines start with a space: %r" % l)
        upper = [f.upper() for f in feats]
        for want in ("SIZE", "MDTM", "REST STREAM", "UTF8", "EPSV", "EPRT", "TVFS"):
            self.assertIn(want, upper, r.text)
        mlst = [f for f in feats if f.upper().startswith("MLST ")]
        self.assertEqual(len(mlst), 1, r.text)
        facts = {x.lower() for x in mlst[0][5:].split(";") if x}
        self.assertEqual(facts, {"type*", "size*", "modify*", "perm*", "unique*"}, mlst[0])

    def test_help(self):
        r = self.raw().cmd("HELP")
        self.assertCode(r, 214)
        self.assertIn("RETR", r.text.upper())

    def test_opts_utf8(self):
        c = self.raw()
        self.assertCode(c.cmd("OPTS UTF8 ON"), 200)
        self.assertCode(c.cmd("opts utf8 on"), 200)

    def test_opts_mlst_selects_facts(self):
        c = self.raw()
        r = c.cmd("OPTS MLST type;size;")
        self.assertCode(r, 200)
        r = c.cmd("MLST hello.txt")
        self.assertCode(r, 250)
        facts, name = parse_mlsx(r.lines[1][1:])
        self.assertEqual(set(facts), {"type", "size"}, r)
        self.assertEqual(facts["size"], "12")
        self.assertCode(c.cmd("OPTS MLST modify;"), 200)
        r = c.cmd("MLST hello.txt")
        facts, name = parse_mlsx(r.lines[1][1:])
        self.assertEqual(set(facts), {"modify"}, r)
        # FEAT shows the facts now enabled.
        r = c.cmd("FEAT")
        mlst = [l.strip() for l in r.lines if l.strip().upper().startswith("MLST ")][0]
        facts = {x.lower() for x in mlst[5:].split(";") if x}
        self.assertEqual(facts, {"type", "size", "modify*", "perm", "unique"}, mlst)

    def test_stat_without_path(self):
        r = self.raw().cmd("STAT")
        self.assertCode(r, 211)
        self.assertGreater(len(r.lines), 1, r)

    def test_stat_file(self):
        r = self.raw().cmd("STAT hello.txt")
        self.assertCode(r, 211, 212, 213)
        self.assertIn("hello.txt", r.text)
        self.assertRegex(r.text, r"\b12\b")

    def test_stat_directory(self):
        r = self.raw().cmd("STAT sub")
        self.assertCode(r, 211, 212, 213)
        self.assertIn("inner.txt", r.text)
        self.assertIn("deeper", r.text)

    def test_stat_name_with_spaces(self):
        r = self.raw().cmd("STAT " + SPACES)
        self.assertCode(r, 211, 212, 213)
        self.assertIn(SPACES, r.text)

    def test_stat_missing(self):
        self.assertCode(self.raw().cmd("STAT nosuchfile"), 450, 550)

    # -- transfer parameters --

    def test_type(self):
        c = self.raw()
        self.assertCode(c.cmd("TYPE A"), 200)
        self.assertCode(c.cmd("TYPE I"), 200)
        self.assertCode(c.cmd("type i"), 200)
        self.assertCode(c.cmd("TYPE X"), 501, 504)

    def test_mode_and_stru(self):
        c = self.raw()
        self.assertCode(c.cmd("MODE S"), 200)
        self.assertCode(c.cmd("STRU F"), 200)
        self.assertCode(c.cmd("MODE B"), 501, 504)
        self.assertCode(c.cmd("STRU R"), 501, 504)

    def test_allo(self):
        self.assertCode(self.raw().cmd("ALLO 100000"), 200, 202)

    # -- navigation --

    def pwd(self, c):
        r = c.cmd("PWD")
        self.assertCode(r, 257)
        m = re.match(r'257 "((?:[^"]|"")*)"', r.lines[0])
        self.assertIsNotNone(m, r)
        return m.group(1).replace('""', '"')

    def test_pwd_cwd_cdup(self):
        c = self.raw()
        self.assertEqual(self.pwd(c), "/")
        self.assertCode(c.cmd("CWD sub"), 250)
        self.assertEqual(self.pwd(c), "/sub")
        self.assertCode(c.cmd("CWD deeper"), 250)
        self.assertEqual(self.pwd(c), "/sub/deeper")
        self.assertCode(c.cmd("CDUP"), 200, 250)
        self.assertEqual(self.pwd(c), "/sub")
        self.assertCode(c.cmd("CWD /"), 250)
        self.assertEqual(self.pwd(c), "/")
        self.assertCode(c.cmd("CWD /sub/deeper/"), 250)
        self.assertEqual(self.pwd(c), "/sub/deeper")
        self.assertCode(c.cmd("CWD ../.."), 250)
        self.assertEqual(self.pwd(c), "/")
        # Relative names resolve against the working directory.
        c.cmd("CWD sub")
        self.assertCode(c.cmd("SIZE inner.txt"), 213)

    def test_x_forms(self):
        c = self.raw()
        r = c.cmd("XPWD")
        self.assertCode(r, 257)
        self.assertIn('"/"', r.text)
        self.assertCode(c.cmd("XCWD sub"), 250)
        self.assertIn('"/sub"', c.cmd("XPWD").text)
        self.assertCode(c.cmd("XMKD xdir"), 257)
        self.assertTrue(os.path.isdir(self.server.path("sub", "xdir")))
        self.assertCode(c.cmd("XRMD xdir"), 250)
        self.assertFalse(os.path.exists(self.server.path("sub", "xdir")))
        self.assertCode(c.cmd("XCUP"), 200, 250)
        self.assertIn('"/"', c.cmd("XPWD").text)

    def test_cwd_errors(self):
        c = self.raw()
        self.assertCode(c.cmd("CWD nosuchdir"), 550)
        self.assertCode(c.cmd("CWD hello.txt"), 550)
        self.assertEqual(self.pwd(c), "/")

    # -- listings --

    def list_lines(self, cmd="LIST"):
        lines = []
        self.ftp.retrlines(cmd, lines.append)
        return lines

    def test_list_is_ls_l(self):
        lines = self.list_lines("LIST")
        entries = {}
        for l in lines:
            m = LS_RE.match(l)
            self.assertIsNotNone(m, "not an ls -l line: %r" % l)
            entries[m.group(9)] = m
        names = set(os.listdir(self.server.root))
        self.assertEqual(set(entries), names)
        for name in names:
            st = os.lstat(self.server.path(name))
            m = entries[name]
            self.assertEqual(int(m.group(5)), st.st_size, name)
            self.assertEqual(m.group(1)[0], "d" if os.path.isdir(self.server.path(name)) else "-")
        self.assertIn(SPACES, entries)  # kept whole, double space included
        self.assertIn(UTF8, entries)

    def test_list_directory_argument(self):
        lines = self.list_lines("LIST sub")
        names = {LS_RE.match(l).group(9) for l in lines}
        self.assertEqual(names, {"inner.txt", "deeper"})

    def test_list_file_argument(self):
        lines = self.list_lines("LIST hello.txt")
        self.assertEqual(len(lines), 1, lines)
        m = LS_RE.match(lines[0])
        self.assertEqual(m.group(5), "12")
        self.assertTrue(m.group(9).endswith("hello.txt"), lines)

    def test_list_names_starting_with_a_dash(self):
        # Options end at "--" (as for ls), and a word with a slash is a
        # path, not options; "-la" alone stays options (lftp, curl).
        for cmd in ("LIST", "NLST"):
            with self.subTest(cmd=cmd):
                for arg in ("dashes/-d", "-- dashes/-d", "-a -- dashes/-d", "-la dashes/-d"):
                    lines = self.list_lines("%s %s" % (cmd, arg))
                    self.assertEqual([l.rsplit("/", 1)[-1].split()[-1] for l in lines],
                                     ["inner.txt"], "%s %s: %r" % (cmd, arg, lines))
                self.ftp.cwd("dashes")
                try:
                    for arg, want in (("-- -d", ["inner.txt"]), ("-d/inner.txt", ["inner.txt"]),
                                      ("-- -la", ["-la"]), ("-la", ["-d", "-la"])):
                        lines = self.list_lines("%s %s" % (cmd, arg))
                        self.assertEqual([l.rsplit("/", 1)[-1].split()[-1] for l in lines], want,
                                         "%s %s: %r" % (cmd, arg, lines))
                finally:
                    self.ftp.cwd("/")

    def test_list_missing(self):
        self.assertFtpError((450, 550), self.list_lines, "LIST nosuchdir")

    def test_nlst(self):
        names = self.ftp.nlst()
        self.assertEqual(sorted(names), sorted(os.listdir(self.server.root)))

    def test_nlst_directory(self):
        names = self.ftp.nlst("sub")
        self.assertEqual(sorted(n.rsplit("/", 1)[-1] for n in names), ["deeper", "inner.txt"])

    def test_nlst_glob(self):
        names = self.ftp.nlst("*.txt")
        want = [n for n in os.listdir(self.server.root) if fnmatch.fnmatchcase(n, "*.txt")]
        self.assertEqual(sorted(n.rsplit("/", 1)[-1] for n in names), sorted(want))
        self.assertIn("hello.txt", names)

    def nlst_bytes(self, arg, cwd=None):
        """The bytes NLST arg sends on the data connection (in the folder
        cwd if given)."""
        c = self.raw()
        if cwd is not None:
            self.assertCode(c.cmd("CWD " + cwd), 250)
        data = c.open_pasv()
        self.assertCode(c.cmd("NLST " + arg), 125, 150)
        listing = ftptest.recv_all(data)
        data.close()
        self.assertCode(c.reply(), 226)
        return listing

    def test_nlst_lines(self):
        """A directory's names sorted, bare; a pattern's after the directory
        part the client gave; one file as the client named it."""
        self.assertEqual(self.nlst_bytes("nlstbytes"), b"a.txt\r\nb.txt\r\nc.log\r\n")
        self.assertEqual(self.nlst_bytes("nlstbytes/*.txt"),
                         b"nlstbytes/a.txt\r\nnlstbytes/b.txt\r\n")
        self.assertEqual(self.nlst_bytes("./nlstbytes//c.log"), b"./nlstbytes//c.log\r\n")

    def test_nlst_pattern_with_a_trailing_slash(self):
        """A pattern ending in slashes (as shells write "*/") matches
        folders only, links to folders among them; its matches come after
        the directory part before the pattern, without the slashes."""
        self.assertEqual(self.nlst_bytes("dirsonly/*/"),
                         b"dirsonly/a\r\ndirsonly/b\r\ndirsonly/la\r\n")
        self.assertEqual(self.nlst_bytes("./dirsonly//*//"),
                         b"./dirsonly//a\r\n./dirsonly//b\r\n./dirsonly//la\r\n")
        self.assertEqual(self.nlst_bytes("dirsonly/l*/"), b"dirsonly/la\r\n")
        self.assertEqual(self.nlst_bytes("-a dirsonly/*/"),
                         b"dirsonly/.hidden\r\ndirsonly/a\r\ndirsonly/b\r\ndirsonly/la\r\n")
        self.assertEqual(self.nlst_bytes("dirsonly/*.txt/"), b"")
        self.assertEqual(self.nlst_bytes("nlstbytes/*//"), b"")
        self.assertEqual(self.nlst_bytes("nlstby*/"), b"nlstbytes\r\n")
        self.assertEqual(self.nlst_bytes("dirsonly/*.txt"), b"dirsonly/c.txt\r\ndirsonly/d.txt\r\n")
        self.assertEqual(self.nlst_bytes("*/", cwd="dirsonly"), b"a\r\nb\r\nla\r\n")

    def test_pattern_ending_in_slash_dot_matches_folders_only(self):
        """A pattern ending in "/." (as "ls -d */." writes it) names the
        folders it matches, as one ending in a slash does: no file among
        them, named after the directory part the client gave without the
        trailing "/." and slashes."""
        want = b"dirsonly/a\r\ndirsonly/b\r\ndirsonly/la\r\n"
        for arg in ("dirsonly/*/.", "dirsonly/*/./", "dirsonly/*/.//.", "dirsonly/*//."):
            self.assertEqual(self.nlst_bytes(arg), want, arg)
        self.assertEqual(self.nlst_bytes("*/.", cwd="dirsonly"), b"a\r\nb\r\nla\r\n")
        self.assertEqual(self.nlst_bytes("./*/./", cwd="dirsonly"), b"./a\r\n./b\r\n./la\r\n")
        self.assertEqual(self.nlst_bytes("dirsonly/*.txt/."), b"")
        self.assertEqual(self.nlst_bytes("-a dirsonly/*/."),
                         b"dirsonly/.hidden\r\n" + want)
        for cmd in ("LIST dirsonly/*/.", "LIST -d dirsonly/*/./"):
            lines = self.list_lines(cmd)
            self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["a", "b", "la -> a"],
                             "%s: %r" % (cmd, lines))

    def test_list_pattern_with_a_trailing_slash(self):
        """LIST and STAT of a pattern ending in a slash show the folders
        it matches (a link to one as a link), not their contents, and no
        file."""
        for cmd in ("LIST dirsonly/*/", "LIST -d dirsonly/*/", "LIST -la dirsonly/?/"):
            lines = self.list_lines(cmd)
            names = [LS_RE.match(l).group(9) for l in lines]
            want = ["a", "b", "la -> a"] if "*" in cmd else ["a", "b"]
            self.assertEqual(names, want, "%s: %r" % (cmd, lines))
            self.assertEqual([l[0] for l in lines], ["d", "d", "l"][:len(want)], lines)
        r = self.raw().cmd("STAT dirsonly/*/")
        self.assertCode(r, 211, 212, 213)
        self.assertEqual([LS_RE.match(l.strip()).group(9) for l in r.lines[1:-1]],
                         ["a", "b", "la -> a"], r.lines)

    def test_list_d_shows_the_directory_itself(self):
        """-d (in any option word, with or without -l and -a) lists a
        folder as one line named as the client gave it, as ls -d does."""
        for opts in ("-d", "-ld", "-dl", "-lad", "-l -d", "-d -a", "-d --"):
            for arg, name in (("sub", "sub"), ("sub/", "sub/"), ("./sub", "./sub"),
                              ("dashes/-d", "dashes/-d"), ("/", "/")):
                cmd = "LIST %s %s" % (opts, arg)
                lines = self.list_lines(cmd)
                self.assertEqual(len(lines), 1, "%s: %r" % (cmd, lines))
                m = LS_RE.match(lines[0])
                self.assertIsNotNone(m, "%s: %r" % (cmd, lines))
                self.assertEqual((m.group(1)[0], m.group(9)), ("d", name), cmd)
        lines = self.list_lines("LIST -d")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["."], lines)
        self.ftp.cwd("sub")
        try:
            for cmd, name in (("LIST -d .", "."), ("LIST -d ..", ".."), ("LIST -d deeper", "deeper")):
                lines = self.list_lines(cmd)
                self.assertEqual([LS_RE.match(l).group(9) for l in lines], [name], lines)
        finally:
            self.ftp.cwd("/")
        # A link to a folder is shown as the link, a file as itself.
        lines = self.list_lines("LIST -d dirsonly/la")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["dirsonly/la -> a"], lines)
        self.assertEqual(lines[0][0], "l")
        # Ended in a slash, the path names the folder the link leads to.
        lines = self.list_lines("LIST -d dirsonly/la/")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["dirsonly/la/"], lines)
        self.assertEqual(lines[0][0], "d")
        lines = self.list_lines("LIST -d hello.txt")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["hello.txt"], lines)
        # A pattern's matches as their own lines, folders not entered.
        lines = self.list_lines("LIST -d dirsonly/[ab]*")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["a", "b"], lines)
        self.assertEqual(self.nlst_bytes("-d sub"), b"sub\r\n")
        self.assertEqual(self.nlst_bytes("-d"), b".\r\n")
        self.assertEqual(self.nlst_bytes("-ad dirsonly/*"),
                         b"dirsonly/.hidden\r\ndirsonly/a\r\ndirsonly/b\r\ndirsonly/c.txt\r\n"
                         b"dirsonly/d.txt\r\ndirsonly/la\r\ndirsonly/lf\r\ndirsonly/lnowhere\r\n")
        r = self.raw().cmd("STAT -ld sub")
        self.assertCode(r, 211, 212, 213)
        self.assertEqual(len(r.lines), 3, r.lines)
        m = LS_RE.match(r.lines[1].strip())
        self.assertEqual((m.group(1)[0], m.group(9)), ("d", "sub"), r.lines)
        # Without -d a folder's contents, as before; "-- -d" is a path.
        self.assertEqual(self.nlst_bytes("-l -a sub"), b"deeper\r\ninner.txt\r\n")
        self.assertEqual(self.nlst_bytes("-- dashes/-d"), b"inner.txt\r\n")

    def test_a_file_named_as_a_folder_is_not_a_directory(self):
        """A path (not a pattern) that ends in a slash names a folder, as in
        a shell ("ls hello.txt/": Not a directory): a file, or a link to
        one, named so is refused before any 150 by every listing verb;
        folders, links to folders and patterns ending in a slash are
        listed as before."""
        for arg in ("hello.txt/", "./hello.txt//", "dirsonly/lf/", "hello.txt/."):
            shown = "/dirsonly/lf/" if "lf" in arg else "/hello.txt/"
            c = self.raw()
            for verb in ("LIST", "NLST", "MLSD", "LIST -d", "NLST -la", "STAT", "STAT -d",
                         "MLST"):
                cmd = "%s %s" % (verb, arg)
                with self.subTest(cmd=cmd):
                    if verb in ("LIST", "NLST", "MLSD", "LIST -d", "NLST -la"):
                        c.pasv()
                    r = c.cmd(cmd)
                    self.assertEqual(r.lines, ["550 %s: Not a directory." % shown], cmd)
            self.assertCode(c.cmd("NOOP"), 200)
            c.close()
        c = self.raw()
        # A link leading nowhere, ended in a slash, leads to nothing.
        for verb in ("LIST", "LIST -d", "STAT", "MLST"):
            if verb.startswith("LIST"):
                c.pasv()
            r = c.cmd(verb + " dirsonly/lnowhere/")
            self.assertEqual(r.lines, ["550 /dirsonly/lnowhere/: No such file or directory."],
                             verb)
        self.assertEqual(self.nlst_bytes("sub/"), b"deeper\r\ninner.txt\r\n")
        self.assertEqual(self.nlst_bytes("dirsonly/la/"), b"in-a.txt\r\n")
        self.assertEqual([LS_RE.match(l).group(9) for l in self.list_lines("LIST sub/")],
                         ["deeper", "inner.txt"])
        self.assertEqual({parse_mlsx(l)[1] for l in self.list_lines("MLSD sub/")},
                         {"deeper", "inner.txt"})
        r = c.cmd("STAT sub/")
        self.assertCode(r, 213)
        self.assertEqual([LS_RE.match(l.strip()).group(9) for l in r.lines[1:-1]],
                         ["deeper", "inner.txt"], r.lines)
        self.assertEqual(self.nlst_bytes("dirsonly/*/"),
                         b"dirsonly/a\r\ndirsonly/b\r\ndirsonly/la\r\n")
        # MLST of a folder named with a slash: the folder, through a link
        # too (without the slash, the link itself).
        r = c.cmd("MLST sub/")
        self.assertCode(r, 250)
        self.assertEqual(parse_mlsx(r.lines[1][1:])[0]["type"], "dir")
        r = c.cmd("MLST dirsonly/la/")
        self.assertCode(r, 250)
        facts, name = parse_mlsx(r.lines[1][1:])
        self.assertEqual((facts["type"], name), ("dir", "/dirsonly/la"), r.lines)
        folder = parse_mlsx(c.cmd("MLST dirsonly/a").lines[1][1:])[0]
        self.assertEqual(facts["unique"], folder["unique"])
        r = c.cmd("MLST dirsonly/la")
        self.assertEqual(parse_mlsx(r.lines[1][1:])[0]["type"], "OS.unix=slink:a", r.lines)

    def test_every_verb_refuses_a_file_named_as_a_folder(self):
        """A path ending in a slash (or "/.") names a folder, as in a shell
        ("cat f/", "rm f/", "mv f/ x": Not a directory): every verb that
        takes a file, and RMD, refuses a file, or a link to one, named so,
        before any 150, and leaves it as it was; an upload to a new name so written
        is refused too (open(2) of "new/" says Is a directory) and creates
        nothing; a folder named so goes on as without the slash."""
        data = b"keep these bytes\n"
        self.server.write("slashed/f.txt", data)
        self.server.mkdir("slashed/dir")
        self.server.symlink("f.txt", "slashed/lf")
        path = self.server.path("slashed/f.txt")
        ident = (os.stat(path).st_ino, os.stat(path).st_mtime, os.stat(path).st_size, data)
        c = self.raw()
        for arg, shown in (("slashed/f.txt/", "/slashed/f.txt/"),
                           ("slashed/f.txt/.", "/slashed/f.txt/"),
                           ("/slashed//f.txt//", "/slashed/f.txt/"),
                           ("slashed/lf/", "/slashed/lf/")):
            for verb in ("RETR", "SIZE", "MDTM", "DELE", "RMD", "RNFR", "HASH", "XCRC", "XMD5",
                         "XSHA1", "XSHA256", "STOR", "APPE", "STOU", "REST 2\r\nSTOR",
                         "RANG 0 1\r\nRETR"):
                cmd = "%s %s" % (verb, arg)
                with self.subTest(cmd=cmd):
                    if verb.endswith(("RETR", "STOR", "APPE", "STOU")):
                        c.pasv()
                    if "\r\n" in verb:
                        first, verb = verb.split("\r\n")
                        self.assertCode(c.cmd(first), 350)
                    r = c.cmd("%s %s" % (verb, arg))
                    self.assertEqual(r.lines, ["550 %s: Not a directory." % shown], cmd)
            r = c.cmd("XCRC %s 0 5" % arg)
            self.assertEqual(r.lines, ["550 %s: Not a directory." % shown], arg)
            # The refused RNFR leaves nothing for an RNTO.
            self.assertCode(c.cmd("RNFR " + arg), 550)
            self.assertCode(c.cmd("RNTO slashed/renamed.txt"), 503)
        # Renaming onto a name ended in a slash: the file is no folder.
        for to in ("slashed/new/", "slashed/f.txt/", "slashed/dir/."):
            self.assertCode(c.cmd("RNFR slashed/lf"), 350)
            shown = "/" + to.rstrip("/.") + "/"
            self.assertEqual(c.cmd("RNTO " + to).lines, ["550 %s: Not a directory." % shown], to)
        self.assertUntouched(path, ident)
        self.assertEqual(os.readlink(self.server.path("slashed/lf")), "f.txt")
        self.assertEqual(sorted(os.listdir(self.server.path("slashed"))), ["dir", "f.txt", "lf"])
        # A new name: uploads are refused and create nothing; the rest
        # find nothing, as without the slash.
        for verb in ("STOR", "APPE", "STOU"):
            for arg in ("slashed/new/", "slashed/new/."):
                c.pasv()
                self.assertEqual(c.cmd("%s %s" % (verb, arg)).lines,
                                 ["550 /slashed/new/: Is a directory."], verb)
        for verb in ("RETR", "SIZE", "MDTM", "DELE", "RNFR", "HASH"):
            if verb == "RETR":
                c.pasv()
            r = c.cmd(verb + " slashed/new/")
            self.assertCode(r, 550)
            self.assertIn("No such file or directory", r.text, verb)
        self.assertEqual(sorted(os.listdir(self.server.path("slashed"))), ["dir", "f.txt", "lf"])
        # A folder named with a slash is answered as without it.
        for verb in ("SIZE", "MDTM", "DELE", "RETR", "HASH", "XCRC"):
            if verb == "RETR":
                c.pasv()
            plain = c.cmd(verb + " slashed/dir")
            if verb == "RETR":
                c.pasv()
            self.assertEqual(c.cmd(verb + " slashed/dir/").lines, plain.lines, verb)
        self.assertCode(c.cmd("MKD slashed/made/"), 257)
        self.assertTrue(os.path.isdir(self.server.path("slashed/made")))
        self.assertCode(c.cmd("CWD slashed/made/."), 250)
        self.assertCode(c.cmd("CWD /"), 250)
        # mv dir/ moved: the folder is renamed.
        self.assertCode(c.cmd("RNFR slashed/made/"), 350)
        self.assertCode(c.cmd("RNTO slashed/moved"), 250)
        self.assertTrue(os.path.isdir(self.server.path("slashed/moved")))
        self.assertCode(c.cmd("RNFR slashed/moved"), 350)
        self.assertCode(c.cmd("RNTO slashed/made/"), 250)
        self.assertCode(c.cmd("RMD slashed/made/"), 250)
        self.assertFalse(os.path.exists(self.server.path("slashed/made")))
        self.assertUntouched(path, ident)

    def test_link_to_a_folder_named_as_a_folder_stays(self):
        """A link to a folder named with a slash (or "/.") leads to the
        folder: the verbs that remove or rename a name act on the name
        itself, which is a link, no folder, and refuse it as Linux does
        (rename(2), unlink(2) and rmdir(2) of "link/": Not a directory;
        "mv link/ x" says so too); an upload over it, or over a folder so
        named, is refused as open(2) of "link/" refuses it (Is a
        directory). The link and the folder it leads to are left as they
        were; without the slash the link itself is renamed."""
        data = b"inside the folder\n"
        self.server.write("linkslash/d/in.txt", data)
        self.server.symlink("d", "linkslash/ld")
        top = self.server.path("linkslash")
        ftptest.prepare(top)   # the session may change anything there

        def untouched():
            self.assertEqual(sorted(os.listdir(top)), ["d", "ld"])
            self.assertEqual(os.readlink(os.path.join(top, "ld")), "d")
            self.assertEqual(os.listdir(os.path.join(top, "d")), ["in.txt"])
            self.assertEqual(read_file(os.path.join(top, "d", "in.txt")), data)

        c = self.raw()
        for arg in ("linkslash/ld/", "linkslash/ld/.", "/linkslash//ld//"):
            for verb in ("RNFR", "DELE", "RMD"):
                cmd = "%s %s" % (verb, arg)
                with self.subTest(cmd=cmd):
                    self.assertEqual(c.cmd(cmd).lines, ["550 /linkslash/ld/: Not a directory."])
                    untouched()
            # The refused RNFR leaves nothing for an RNTO.
            self.assertCode(c.cmd("RNFR " + arg), 550)
            self.assertCode(c.cmd("RNTO linkslash/x"), 503)
        # An upload to it, or to the folder itself so named, is refused
        # before any data.
        for arg, shown in (("linkslash/ld/", "ld/"), ("linkslash/ld/.", "ld/"),
                           ("linkslash/d/", "d/"), ("/linkslash//d/.", "d/")):
            for verb in ("STOR", "APPE", "STOU", "REST 2\r\nSTOR"):
                with self.subTest(cmd="%s %s" % (verb, arg)):
                    c.pasv()
                    if "\r\n" in verb:
                        first, verb = verb.split("\r\n")
                        self.assertCode(c.cmd(first), 350)
                    self.assertEqual(c.cmd("%s %s" % (verb, arg)).lines,
                                     ["550 /linkslash/%s: Is a directory." % shown])
                    untouched()
        # What it leads to is a folder: listed and entered through it.
        self.assertEqual(self.nlst_bytes("linkslash/ld/"), b"in.txt\r\n")
        self.assertCode(c.cmd("CWD linkslash/ld/"), 250)
        self.assertCode(c.cmd("CWD /"), 250)
        untouched()
        # Without the slash, the link is the name renamed.
        self.assertCode(c.cmd("RNFR linkslash/ld"), 350)
        self.assertCode(c.cmd("RNTO linkslash/lx"), 250)
        self.assertEqual(sorted(os.listdir(top)), ["d", "lx"])
        self.assertEqual(os.readlink(os.path.join(top, "lx")), "d")
        self.assertEqual(read_file(os.path.join(top, "d", "in.txt")), data)

    def test_link_leading_nowhere_is_listed_as_the_link(self):
        """A symbolic link whose target is missing (made outside FTP) is
        listed as ls -l lists it: its own line, with -d and without, in
        LIST and STAT; NLST names it as given. A link out of the root
        leads nowhere inside it: its line, never its target's."""
        lines = self.list_lines("LIST -d dirsonly/lnowhere")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines],
                         ["dirsonly/lnowhere -> nowhere"], lines)
        self.assertEqual(lines[0][0], "l")
        self.assertEqual(LS_RE.match(lines[0]).group(5), str(len("nowhere")))
        lines = self.list_lines("LIST dirsonly/lnowhere")
        self.assertEqual([LS_RE.match(l).group(9) for l in lines], ["lnowhere -> nowhere"], lines)
        self.assertEqual(lines[0][0], "l")
        self.assertEqual(self.nlst_bytes("dirsonly/lnowhere"), b"dirsonly/lnowhere\r\n")
        self.assertEqual(self.nlst_bytes("-d dirsonly/lnowhere"), b"dirsonly/lnowhere\r\n")
        c = self.raw()
        for cmd, name in (("STAT -d dirsonly/lnowhere", "dirsonly/lnowhere -> nowhere"),
                          ("STAT dirsonly/lnowhere", "lnowhere -> nowhere"),
                          ("STAT -ld /outlinks/passwd", "/outlinks/passwd -> /etc/passwd"),
                          ("STAT outlinks/up", "up -> ../../../etc/passwd")):
            r = c.cmd(cmd)
            self.assertCode(r, 213)
            self.assertEqual(len(r.lines), 3, r.lines)
            m = LS_RE.match(r.lines[1].strip())
            self.assertEqual((m.group(1)[0], m.group(9)), ("l", name), r.lines)
            self.assertEqual(m.group(5), str(len(name.split(" -> ")[1])), r.lines)
        # MLSD wants a folder; MLST shows the link itself.
        c.pasv()
        self.assertEqual(c.cmd("MLSD dirsonly/lnowhere").lines,
                         ["550 /dirsonly/lnowhere: No such file or directory."])
        r = c.cmd("MLST dirsonly/lnowhere")
        self.assertCode(r, 250)
        self.assertEqual(parse_mlsx(r.lines[1][1:])[0]["type"], "OS.unix=symlink", r.lines)
        self.assertCode(c.cmd("STAT dirsonly/nosuchname"), 550)

    def test_nlst_dot_names(self):
        """Names that start with dots: "." and ".." never, an upload
        temporary never, the others with -a only, in byte order."""
        self.assertEqual(self.nlst_bytes("dotnames"), b"a\r\nb\r\n")
        self.assertEqual(self.nlst_bytes("-a dotnames"),
                         b"...\r\n..a\r\n.a\r\na\r\nb\r\n")

    def test_glob_pathological_pattern_is_fast(self):
        pattern = "*a*a*a*a*a*a*a*a*a*a*a*b"
        c = self.raw()
        self.assertCode(c.cmd("CWD globdir"), 250)
        c.cmd("TYPE A")
        t0 = time.monotonic()
        data = c.open_pasv()
        r = c.cmd("NLST " + pattern)
        if r.code == 150 or r.code == 125:
            listing = ftptest.recv_all(data)
            r = c.reply()
            self.assertCode(r, 226)
            self.assertEqual(listing, b"")
        else:
            self.assertCode(r, 450, 550)
        elapsed = time.monotonic() - t0
        data.close()
        # A matcher that backtracks would take longer than any test run
        # on these 40 names of 200 to 239 a's; a bound of seconds leaves
        # room for a loaded machine (sanitizers, two shared CPUs).
        self.assertLess(elapsed, 3.0, "NLST %s took %.2fs" % (pattern, elapsed))
        # The same kind of pattern through LIST and STAT.
        t0 = time.monotonic()
        r = c.cmd("STAT " + pattern)
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertCode(c.cmd("NOOP"), 200)

    def check_mlsx_facts(self, facts, path):
        st = os.stat(path)
        if os.path.isdir(path):
            self.assertEqual(facts["type"].lower(), "dir")
            self.assertIn("e", facts["perm"])
            self.assertIn("l", facts["perm"])
        else:
            self.assertEqual(facts["type"].lower(), "file")
            self.assertEqual(int(facts["size"]), st.st_size)
            self.assertIn("r", facts["perm"])
            self.assertIn("w", facts["perm"])  # anonymous has rw here
        self.assertEqual(facts["modify"][:14], ftptest.utc_stamp(st.st_mtime))
        self.assertTrue(set(facts["perm"]) <= set("acdeflmprw"), facts)
        self.assertTrue(facts["unique"], facts)

    def test_mlsd(self):
        lines = self.list_lines("MLSD")
        seen = {}
        for l in lines:
            facts, name = parse_mlsx(l)
            self.assertTrue({"type", "modify", "perm", "unique"} <= set(facts), l)
            if facts["type"].lower() in ("cdir", "pdir"):
                continue
            seen[name] = facts
        self.assertEqual(set(seen), set(os.listdir(self.server.root)))
        for name, facts in seen.items():
            with self.subTest(name=name):
                self.check_mlsx_facts(facts, self.server.path(name))
        uniques = [f["unique"] for f in seen.values()]
        self.assertEqual(len(set(uniques)), len(uniques), "unique facts repeat")

    def test_listings_sorted_by_bytes(self):
        want = sorted(ORDER_NAMES, key=lambda n: n.encode())
        names = [n.rsplit("/", 1)[-1] for n in self.ftp.nlst("order")]
        self.assertEqual(len(names), len(want))
        self.assertEqual(names, want)
        mlsd = [parse_mlsx(l)[1] for l in self.list_lines("MLSD order")]
        self.assertEqual([n for n in mlsd if n not in (".", "..")], want)
        ls = [LS_RE.match(l).group(9) for l in self.list_lines("LIST order")]
        self.assertEqual(ls, want)
        # A directory of a few names is sorted the same way.
        want = sorted(FEW_NAMES, key=lambda n: n.encode())
        self.assertEqual([n.rsplit("/", 1)[-1] for n in self.ftp.nlst("fewnames")], want)
        mlsd = [parse_mlsx(l)[1] for l in self.list_lines("MLSD fewnames")]
        self.assertEqual([n for n in mlsd if n not in (".", "..")], want)

    def test_long_listing_bytes(self):
        """Listings longer than one piece the server sends while it makes
        the rest (the order directory's MLSD and LIST, a few hundred KiB
        each) arrive whole, like its NLST (one piece): every line once,
        each ending in CRLF, nothing between them."""
        want = sorted(ORDER_NAMES, key=lambda n: n.encode())
        data = bytearray()
        self.ftp.retrbinary("NLST order", data.extend)
        self.assertEqual(bytes(data), b"".join(n.encode() + b"\r\n" for n in want))
        for verb in ("MLSD", "LIST"):
            data = bytearray()
            self.ftp.retrbinary(verb + " order", data.extend)
            lines = bytes(data).split(b"\r\n")
            self.assertEqual(lines[-1], b"", verb)
            self.assertEqual(len(lines) - 1, len(want), verb)
            self.assertNotIn(b"\n", b"".join(lines), verb)
            for line, name in zip(lines, want):
                self.assertTrue(line.endswith(b" " + name.encode()), (verb, line, name))

    def test_large_directory_listings_whole(self):
        """A directory of 12,000 names, whose NLST (over 256 KiB) goes
        out in several pieces: NLST, LIST and MLSD each have every name
        once, in byte order, every line whole; a pattern in it picks the
        names it matches."""
        want = sorted(BIG_NAMES, key=lambda n: n.encode())
        data = bytearray()
        self.ftp.retrbinary("NLST big", data.extend)
        self.assertGreater(len(data), 256 * 1024)
        self.assertEqual(bytes(data), b"".join(n.encode() + b"\r\n" for n in want))
        for verb in ("MLSD", "LIST"):
            data = bytearray()
            self.ftp.retrbinary(verb + " big", data.extend)
            lines = bytes(data).split(b"\r\n")
            self.assertEqual(lines.pop(), b"", verb)
            self.assertEqual(len(lines), len(want), verb)
            for line, name in zip(lines, want):
                self.assertTrue(line.endswith(b" " + name.encode()), (verb, line, name))
        picked = self.ftp.nlst("big/qqqqqqqqqqqq-0*")
        self.assertEqual(picked, ["big/" + n for n in want
                                  if n.startswith("qqqqqqqqqqqq-0")])
        self.assertGreater(len(picked), 50)

    def test_listings_of_a_directory_that_shrank(self):
        """A directory that held 3,000 names and keeps three lists those
        three (the dot name with -a and MLSD only)."""
        self.assertEqual(self.ftp.nlst("shrunk"), ["kept-a", "kept-b"])
        ls = [LS_RE.match(l).group(9) for l in self.list_lines("LIST -a shrunk")]
        self.assertEqual(ls, [".kept-hidden", "kept-a", "kept-b"])
        mlsd = [parse_mlsx(l)[1] for l in self.list_lines("MLSD shrunk")]
        self.assertEqual([n for n in mlsd if n not in (".", "..")],
                         [".kept-hidden", "kept-a", "kept-b"])

    def test_abor_before_data_connection_of_a_listing(self):
        """ABOR while the server waits for the data connection of a
        listing: 426 then 226, for a long listing as for a short one, and
        the session goes on."""
        c = self.raw()
        for cmd in ("MLSD fewnames", "MLSD order", "LIST order", "NLST order"):
            with self.subTest(cmd=cmd):
                c.pasv()
                self.assertCode(c.cmd(cmd), 150)
                self.assertCode(c.cmd("ABOR"), 426)
                self.assertCode(c.reply(), 226)
                self.assertCode(c.cmd("NOOP"), 200)

    def test_mlsd_subdirectory(self):
        lines = self.list_lines("MLSD sub")
        names = {parse_mlsx(l)[1] for l in lines
                 if parse_mlsx(l)[0].get("type", "").lower() not in ("cdir", "pdir")}
        self.assertEqual(names, {"inner.txt", "deeper"})

    def test_unsearchable_directory(self):
        """LIST and MLSD need each entry's attributes: in a directory that
        can be read but not searched they are refused with the reason,
        never answered with an empty listing; NLST still lists the names."""
        names = self.ftp.nlst("perms/unsearchable")
        self.assertEqual(sorted(n.rsplit("/", 1)[-1] for n in names), ["one", "two"])
        c = self.raw()
        for verb in ("LIST", "MLSD", "STAT"):
            with self.subTest(verb=verb):
                if verb != "STAT":
                    c.pasv()
                r = c.cmd(verb + " perms/unsearchable")
                self.assertEqual(r.lines[0], "550 /perms/unsearchable: Permission denied (the "
                                 "directory can be read but not searched; NLST lists its names).")
        self.assertCode(c.cmd("NOOP"), 200)

    def test_mlsd_of_a_file_is_refused(self):
        self.assertFtpError((501, 550), self.list_lines, "MLSD hello.txt")

    def test_mlst(self):
        c = self.raw()
        r = c.cmd("MLST stamp.txt")
        self.assertCode(r, 250)
        self.assertEqual(len(r.lines), 3, r)
        self.assertTrue(r.lines[1].startswith(" "), r)
        facts, name = parse_mlsx(r.lines[1][1:])
        self.assertTrue(name.endswith("stamp.txt"), name)
        self.check_mlsx_facts(facts, self.server.path("stamp.txt"))
        self.assertEqual(facts["modify"][:14], "20010203040506")
        r = c.cmd("MLST sub")
        self.assertCode(r, 250)
        facts, name = parse_mlsx(r.lines[1][1:])
        self.assertEqual(facts["type"].lower(), "dir")
        # The same object has the same unique fact in MLST and MLSD.
        mlsd = {parse_mlsx(l)[1]: parse_mlsx(l)[0] for l in self.list_lines("MLSD")}
        self.assertEqual(mlsd["sub"]["unique"], facts["unique"])
        self.assertCode(c.cmd("MLST nosuchfile"), 550)

    def test_utf8_names(self):
        self.assertIn(UTF8, self.ftp.nlst())
        self.assertEqual(self.retr(self.ftp, UTF8), "utf-8 \u00e9\n".encode())
        name = "\u65e5\u672c\u8a9e \u00f1 \u20ac.txt"
        self.stor(self.ftp, name, b"unicode upload")
        self.assertIn(name.encode("utf-8"), os.listdir(os.fsencode(self.server.root)))
        self.assertEqual(read_file(self.server.path(name)), b"unicode upload")
        self.assertIn(name, self.ftp.nlst())
        self.ftp.delete(name)
        self.assertFalse(os.path.exists(self.server.path(name)))

    def test_rfc959_verbs_not_implemented(self):
        """REIN, ACCT and SMNT are RFC 959 commands ferryd does not
        implement: 502, not 500 as for a verb nobody defines; the session
        stays as it was."""
        c = self.raw()
        for line in ("REIN", "ACCT billing", "SMNT /mnt"):
            with self.subTest(line=line):
                r = c.cmd(line)
                self.assertEqual(r.lines[0], "502 Command not implemented: %s." % line.split()[0])
        self.assertCode(c.cmd("PWD"), 257)
        c = self.raw(login=False)
        self.assertEqual(c.cmd("REIN").lines[0], "502 Command not implemented: REIN.")

    def test_mkd_quotes_doubled(self):
        c = self.raw()
        r = c.cmd('MKD a"b')
        self.assertCode(r, 257)
        self.assertIn('"/a""b"', r.lines[0])
        self.assertTrue(os.path.isdir(self.server.path('a"b')))
        self.assertCode(c.cmd('CWD a"b'), 250)
        r = c.cmd("PWD")
        self.assertIn('"/a""b"', r.lines[0])
        c.cmd("CWD /")
        self.assertCode(c.cmd('RMD a"b'), 250)
        self.assertFalse(os.path.exists(self.server.path('a"b')))

    def test_names_with_control_bytes_refused(self):
        before = set(os.listdir(self.server.root))
        c = self.raw()
        # NUL inside a name: refused whole, not cut at the NUL.
        for verb in (b"MKD", b"RNFR", b"CWD", b"DELE", b"SIZE", b"MDTM"):
            with self.subTest(verb=verb):
                r = c.cmd(verb + b" hello.txt\x00evil")
                self.assertTrue(500 <= r.code <= 599, r)
        data = c.open_pasv()
        r = c.cmd(b"STOR hello.txt\x00evil")
        data.close()
        self.assertTrue(500 <= r.code <= 599, r)
        # A bare CR inside a name.
        r = c.cmd(b"MKD cr\rname")
        self.assertTrue(500 <= r.code <= 599, r)
        # A bare LF: may end the line; whatever happens, nothing with a control
        # byte in its name is created and the session goes on.
        c.send(b"MKD lf\nname\r\nNOOP\r\n")
        for _ in range(4):
            if c.reply().code == 200:
                break
        else:
            self.fail("no 200 for NOOP after a bare LF")
        self.assertCode(c.cmd("NOOP"), 200)
        # RNTO to a name with a NUL.
        self.assertCode(c.cmd("RNFR hello.txt"), 350)
        r = c.cmd(b"RNTO new\x00name")
        self.assertTrue(500 <= r.code <= 599, r)
        after = set(os.listdir(self.server.root))
        for n in after:
            self.assertFalse(set(n) & {"\r", "\n", "\0"}, "created %r" % n)
        self.assertNotIn("hello.txt\x00evil", after)
        self.assertIn("hello.txt", after)
        self.assertEqual(read_file(self.server.path("hello.txt")), b"hello world\n")
        created = after - before - {"lf"}
        self.assertEqual(created, set(), "created %r" % created)
        if os.path.isdir(self.server.path("lf")):
            os.rmdir(self.server.path("lf"))

    # -- files --

    def test_retr(self):
        self.assertEqual(self.retr(self.ftp, "bin.dat"), BIN)
        self.assertEqual(self.retr(self.ftp, "/sub/inner.txt"), b"inner\n")
        self.assertEqual(self.retr(self.ftp, SPACES), b"spaces\n")

    def test_retr_errors(self):
        self.assertFtpError(550, self.retr, self.ftp, "nosuchfile")
        self.assertFtpError(550, self.retr, self.ftp, "sub")
        self.assertFtpError(550, self.retr, self.ftp, "sub/deeper")
        self.assertTrue(self.ftp.voidcmd("NOOP").startswith("200"))

    def test_rest_retr(self):
        self.ftp.voidcmd("TYPE I")
        out = []
        self.ftp.retrbinary("RETR bin.dat", out.append, rest=123457)
        self.assertEqual(b"".join(out), BIN[123457:])
        # REST applies to one transfer only.
        self.assertEqual(self.retr(self.ftp, "bin.dat"), BIN)

    def test_rest_before_the_data_connection(self):
        """Clients send REST before PASV, PORT or TYPE as often as after:
        the offset holds across commands that set up the data connection or
        report state, for RETR and STOR alike; other commands cancel it."""
        c = self.raw()
        c.expect("TYPE I", 200)
        for between in (["PASV"], ["EPSV"], ["PORT"], ["EPRT"], ["TYPE I", "PASV"],
                        ["MODE S", "STRU F", "NOOP", "PASV"], ["STAT", "FEAT", "PASV"]):
            with self.subTest(between=between):
                c.expect("REST 1000", 350)
                conn = self.setup_data(c, between)
                c.expect("RETR bin.dat", 150)
                got = ftptest.recv_all(conn() if callable(conn) else conn)
                self.assertCode(c.reply(), 226)
                self.assertEqual(got, BIN[1000:])
        # REST n then PASV then STOR writes from n.
        self.server.write("rest-first.bin", b"a" * 20)
        c.expect("REST 5", 350)
        conn = self.setup_data(c, ["TYPE I", "PASV"])
        c.expect("STOR rest-first.bin", 150)
        conn.sendall(b"bbb")
        conn.close()
        self.assertCode(c.reply(), 226)
        self.assertEqual(read_file(self.server.path("rest-first.bin")), b"aaaaabbb")
        # A command that is not about the transfer cancels it.
        for other in ("PWD", "SIZE bin.dat", "CWD /"):
            with self.subTest(other=other):
                c.expect("REST 1000", 350)
                c.expect(other, 213, 250, 257)
                conn = self.setup_data(c, ["PASV"])
                c.expect("RETR bin.dat", 150)
                got = ftptest.recv_all(conn)
                self.assertCode(c.reply(), 226)
                self.assertEqual(got, BIN)

    def test_refused_transfer_uses_up_rest(self):
        """A transfer command refused before it runs (no argument, a NUL in
        the name) still ends the pending REST: the next RETR starts at 0."""
        c = self.raw()
        c.expect("TYPE I", 200)
        for refused in ("RETR", "STOR", "APPE", "HASH", b"RETR bin.dat\x00x"):
            with self.subTest(refused=refused):
                c.expect("REST 1000", 350)
                r = c.cmd(refused)
                self.assertEqual(r.code // 100, 5, r)
                conn = c.open_pasv()
                c.expect("RETR bin.dat", 150)
                got = ftptest.recv_all(conn)
                self.assertCode(c.reply(), 226)
                self.assertEqual(got, BIN)

    def setup_data(self, c, commands):
        """Sends commands on c, where PASV, EPSV, PORT and EPRT open the data
        connection; returns it (for PORT and EPRT, a function that accepts
        it once the transfer command is sent)."""
        conn = None
        for cmd in commands:
            if cmd == "PASV":
                conn = c.open_pasv()
            elif cmd == "EPSV":
                conn = c.open_epsv()
            elif cmd in ("PORT", "EPRT"):
                ls = socket.socket()
                self.addCleanup(ls.close)
                ls.settimeout(ftptest.TIMEOUT)
                ls.bind((ftptest.HOST, 0))
                ls.listen(1)
                port = ls.getsockname()[1]
                if cmd == "PORT":
                    c.expect("PORT " + ftptest.port_arg(ftptest.HOST, port), 200)
                else:
                    c.expect("EPRT |1|%s|%d|" % (ftptest.HOST, port), 200)
                conn = lambda ls=ls: ls.accept()[0]
            else:
                self.assertLess(c.cmd(cmd).code, 300, cmd)
        return conn

    def retr_ascii(self, c, name, before=()):
        """RETR name in TYPE A on the raw connection c, after the commands
        in before; returns the bytes that came."""
        c.expect("TYPE A", 200)
        data = c.open_pasv()
        for line in before:
            c.expect(line, 350)
        self.assertCode(c.cmd("RETR " + name), 150)
        got = ftptest.recv_all(data)
        data.close()
        self.assertCode(c.reply(), 226)
        return got

    def test_ascii_retr_line_ends(self):
        c = self.raw()
        self.assertEqual(self.retr_ascii(c, "lines.txt"), LINES.replace(b"\n", b"\r\n"))
        # CR LF in the file stays CR LF, wherever it falls.
        self.assertEqual(self.retr_ascii(c, "crlf.txt"), CRLF_TEXT.replace(b"z\n", b"z\r\n"))

    def test_ascii_retr_keeps_to_the_range(self):
        c = self.raw()
        # RANG counts bytes of the file, as in TYPE I: bytes 6..11 are
        # "line2\n", sent as "line2\r\n" and nothing after it.
        self.assertEqual(self.retr_ascii(c, "lines.txt", ["RANG 6 11"]), b"line2\r\n")
        self.assertEqual(self.retr_ascii(c, "lines.txt", ["RANG 0 4"]), b"line1")
        # REST alone still sends to the end.
        self.assertEqual(self.retr_ascii(c, "lines.txt", ["REST 18"]), b"line4\r\n")

    def test_rest_reply(self):
        c = self.raw()
        c.cmd("TYPE I")
        self.assertCode(c.cmd("REST 100"), 350)
        self.assertCode(c.cmd("REST 0"), 350)

    def test_size_and_mdtm(self):
        for name in ("hello.txt", "bin.dat", "stamp.txt", SPACES, UTF8):
            with self.subTest(name=name):
                st = os.stat(self.server.path(name))
                self.ftp.voidcmd("TYPE I")
                self.assertEqual(self.ftp.size(name), st.st_size)
                r = self.ftp.sendcmd("MDTM " + name)
                self.assertRegex(r, r"^213 \d{14}(\.\d+)?$")
                self.assertEqual(r[4:18], ftptest.utc_stamp(st.st_mtime))
        self.assertEqual(self.ftp.sendcmd("MDTM stamp.txt"), "213 20010203040506")

    def test_size_mdtm_errors(self):
        self.assertFtpError(550, self.ftp.sendcmd, "SIZE nosuchfile")
        self.assertFtpError(550, self.ftp.sendcmd, "MDTM nosuchfile")
        self.assertFtpError(550, self.ftp.sendcmd, "SIZE sub")

    def test_stor_and_dele(self):
        self.stor(self.ftp, "verbs-new.bin", BIN[:5000])
        self.assertEqual(read_file(self.server.path("verbs-new.bin")), BIN[:5000])
        self.assertTrue(self.ftp.delete("verbs-new.bin").startswith("250"))
        self.assertFalse(os.path.exists(self.server.path("verbs-new.bin")))
        self.assertFtpError(550, self.ftp.delete, "verbs-new.bin")
        self.assertFtpError(550, self.ftp.delete, "sub")
        self.assertTrue(os.path.isdir(self.server.path("sub")))

    def test_appe(self):
        self.server.write("verbs-appe.txt", b"one\n")
        self.stor(self.ftp, "verbs-appe.txt", b"two\n", cmd="APPE")
        self.assertEqual(read_file(self.server.path("verbs-appe.txt")), b"one\ntwo\n")

    def test_mkd_rmd(self):
        r = self.ftp.sendcmd("MKD verbs-dir")
        self.assertTrue(r.startswith('257 "/verbs-dir"'), r)
        self.assertTrue(os.path.isdir(self.server.path("verbs-dir")))
        self.assertFtpError(550, self.ftp.mkd, "verbs-dir")
        self.ftp.mkd("verbs-dir/child")
        self.assertTrue(os.path.isdir(self.server.path("verbs-dir", "child")))
        self.assertFtpError(550, self.ftp.rmd, "verbs-dir")  # not empty
        self.assertTrue(os.path.isdir(self.server.path("verbs-dir")))
        self.ftp.rmd("verbs-dir/child")
        self.assertTrue(self.ftp.sendcmd("RMD verbs-dir").startswith("250"))
        self.assertFalse(os.path.exists(self.server.path("verbs-dir")))
        self.assertFtpError(550, self.ftp.rmd, "verbs-dir")
        self.assertFtpError(550, self.ftp.rmd, "hello.txt")
        self.assertTrue(os.path.isfile(self.server.path("hello.txt")))

    def test_rnfr_rnto(self):
        self.server.write("verbs-from.txt", b"rename me")
        c = self.raw()
        self.assertCode(c.cmd("RNFR verbs-from.txt"), 350)
        self.assertCode(c.cmd("RNTO sub/verbs-to.txt"), 250)
        self.assertFalse(os.path.exists(self.server.path("verbs-from.txt")))
        self.assertEqual(read_file(self.server.path("sub", "verbs-to.txt")), b"rename me")
        # Directories too.
        self.server.mkdir("verbs-d1")
        self.assertCode(c.cmd("RNFR verbs-d1"), 350)
        self.assertCode(c.cmd("RNTO verbs-d2"), 250)
        self.assertTrue(os.path.isdir(self.server.path("verbs-d2")))
        self.assertFalse(os.path.exists(self.server.path("verbs-d1")))
        # RNFR of a missing name, and RNTO not right after RNFR.
        self.assertCode(c.cmd("RNFR nosuchfile"), 550)
        self.assertCode(c.cmd("RNTO whatever"), 503)
        os.unlink(self.server.path("sub", "verbs-to.txt"))
        os.rmdir(self.server.path("verbs-d2"))

    def test_rnto_must_follow_rnfr(self):
        # RFC 959: RNFR "must be immediately followed by" RNTO; another command
        # in between cancels the pending rename.
        self.server.write("verbs-pending.txt", b"pending")
        self.addCleanup(lambda: [os.unlink(p) for p in (self.server.path("verbs-pending.txt"),
                                 self.server.path("verbs-whatever.txt")) if os.path.exists(p)])
        c = self.raw()
        self.assertCode(c.cmd("RNTO verbs-whatever.txt"), 503)
        self.assertCode(c.cmd("RNFR verbs-pending.txt"), 350)
        self.assertCode(c.cmd("NOOP"), 200)
        self.assertCode(c.cmd("RNTO verbs-whatever.txt"), 503)
        self.assertFalse(os.path.exists(self.server.path("verbs-whatever.txt")))
        self.assertTrue(os.path.exists(self.server.path("verbs-pending.txt")))
        # A rename is used up by its RNTO.
        self.assertCode(c.cmd("RNFR verbs-pending.txt"), 350)
        self.assertCode(c.cmd("RNTO verbs-whatever.txt"), 250)
        self.assertCode(c.cmd("RNTO verbs-pending.txt"), 503)
        self.assertTrue(os.path.exists(self.server.path("verbs-whatever.txt")))

    def test_abor_without_transfer(self):
        self.assertCode(self.raw().cmd("ABOR"), 225)

    def test_transfers_in_a_row(self):
        # One session, several transfers and listings one after another.
        for i in range(5):
            self.assertEqual(self.retr(self.ftp, "hello.txt"), b"hello world\n")
            self.assertIn("hello.txt", self.ftp.nlst())


class DirPermissionTest(ftptest.TestCase):
    """Directories by their permission bits for the sessions' user. CWD
    enters one it may search (x), as cd(1) does, whether or not it may read
    it (r): an upload directory of mode 0311 can be entered, one of mode
    0644 cannot. Uploads into the 0311 one (write and search) work, STOU's
    too: making a name needs no listing of the others."""

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        srv.write("incoming/inner.txt", b"inner\n")
        srv.write("noenter/inner.txt", b"inner\n")
        os.chmod(srv.path("incoming"), 0o311)
        os.chmod(srv.path("noenter"), 0o644)
        # Before srv.cleanup (class cleanups run last first).
        cls.addClassCleanup(os.chmod, srv.path("incoming"), 0o755)
        cls.addClassCleanup(os.chmod, srv.path("noenter"), 0o755)
        srv.start()
        cls.server = srv

    def test_cwd_into_a_directory_without_read_permission(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("CWD incoming"), 250)
        self.assertIn('"/incoming"', c.cmd("PWD").text)
        self.assertCode(c.cmd("SIZE inner.txt"), 213)
        self.assertCode(c.cmd("CDUP"), 250)
        self.assertCode(c.cmd("CWD /incoming/"), 250)

    def test_cwd_into_a_directory_without_search_permission(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        r = c.cmd("CWD noenter")
        self.assertCode(r, 550)
        self.assertIn("Permission denied", r.text)
        self.assertIn('"/"', c.cmd("PWD").text)

    def upload(self, c, command, data):
        """Sends command over a passive data connection with data; returns
        its 150 and 226 replies."""
        conn = c.open_pasv()
        first = c.cmd(command)
        self.assertCode(first, 150)
        conn.sendall(data)
        conn.close()
        last = c.reply()
        self.assertCode(last, 226)
        return first, last

    def test_uploads_into_a_directory_without_read_permission(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        self.assertCode(c.cmd("TYPE I"), 200)
        self.upload(c, "STOR incoming/stored.txt", b"stored\n")
        first, _ = self.upload(c, "STOU incoming/inner.txt", b"unique\n")
        self.assertEqual(first.text, "150 FILE: inner_1.txt")
        self.assertEqual(ftptest.read_file(self.server.path("incoming/stored.txt")),
                         b"stored\n")
        self.assertEqual(ftptest.read_file(self.server.path("incoming/inner_1.txt")),
                         b"unique\n")
        self.assertEqual(ftptest.read_file(self.server.path("incoming/inner.txt")),
                         b"inner\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
