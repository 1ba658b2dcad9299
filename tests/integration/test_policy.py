"""ferryd's account policies, driven by python ftplib, raw commands and
curl: --anonymous=upload (a drop box: anonymous users may upload new files
and make directories, but not list, download, overwrite, rename or delete),
--no-overwrite and --no-delete for every account. Each refused action gets
550 with the reason, and the tree on disk is compared byte for byte before
and after; allowed uploads land."""

import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.parse

import config
import ftptest
from ftptest import Control, read_file

DATA = ftptest.random_bytes(300000, seed=7)
OLD = b"the old contents\n"
NAME = "caf\u00e9 report \u00ff.txt"     # spaces, UTF-8 and U+00FF


def fixture(args):
    srv = ftptest.Server(args)
    srv.write("existing.txt", OLD)
    srv.write(NAME, OLD)
    srv.write("incoming/old.bin", OLD)
    srv.mkdir("incoming/empty")
    return srv


class PolicyCase(ftptest.TestCase):
    """Shared helpers: a server per class, a snapshot per test."""

    args = []

    @classmethod
    def setUpClass(cls):
        cls.server = fixture(cls.args)
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        cls.tmp = tempfile.mkdtemp(prefix="ferryd-policy-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def ftp(self):
        f = self.server.ftp()
        self.addCleanup(f.close)
        return f

    def control(self):
        c = Control(self.server)
        self.addCleanup(c.close)
        c.login()
        return c

    def refused(self, func, *args, reason, **kw):
        """func must fail with 550 whose text holds reason, changing nothing."""
        before = ftptest.tree_snapshot(self.server.root)
        e = self.assertFtpError(550, func, *args, **kw)
        self.assertIn(reason, str(e))
        self.assertEqual(ftptest.tree_snapshot(self.server.root), before, "the tree changed")
        return e

    def upload(self, c, line, data, before=()):
        """Sends data with the command line on the raw connection c, after
        the commands in before (each answered 350)."""
        conn = c.open_pasv()
        for cmd in before:
            c.expect(cmd, 350)
        r = c.expect(line, 150)
        conn.sendall(data)
        conn.close()
        self.assertCode(c.reply(), 226)
        return r

    def curl(self, *args):
        cmd = [config.CURL, "-sS", "--max-time", "30", "--connect-timeout", "10"] + list(args)
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)

    def url(self, path):
        return self.server.url(urllib.parse.quote(path))

    def local(self, name, data=None):
        p = os.path.join(self.tmp, name)
        if data is not None:
            with open(p, "wb") as f:
                f.write(data)
        return p


UPLOAD_ONLY = "upload-only account"
NO_OVERWRITE = "overwriting is disabled"
NO_DELETE = "deleting is disabled"
NO_RENAME = "renaming is disabled"
HIDDEN = "Not available (upload-only account)"
RESUME_REFUSED = "REST then STOR would write into an existing file"


class DropBoxTest(PolicyCase):

    args = ["--anonymous=upload"]

    def test_no_listing_or_download(self):
        f = self.ftp()
        self.refused(f.nlst, reason=UPLOAD_ONLY)
        self.refused(f.retrlines, "LIST", reason=UPLOAD_ONLY)
        self.refused(f.retrlines, "MLSD incoming", reason=UPLOAD_ONLY)
        self.refused(f.sendcmd, "MLST existing.txt", reason=UPLOAD_ONLY)
        self.refused(f.retrbinary, "RETR existing.txt", print, reason=UPLOAD_ONLY)
        self.refused(f.retrbinary, "RETR " + NAME, print, reason=UPLOAD_ONLY)
        self.refused(f.sendcmd, "SIZE existing.txt", reason=UPLOAD_ONLY)
        self.refused(f.sendcmd, "MDTM existing.txt", reason=UPLOAD_ONLY)
        self.refused(f.sendcmd, "STAT incoming", reason=UPLOAD_ONLY)
        # Session status, navigation and the rest still work.
        self.assertTrue(f.sendcmd("STAT").startswith("211"))
        self.assertEqual(f.cwd("incoming")[:3], "250")
        self.assertEqual(f.pwd(), "/incoming")
        self.assertTrue(f.sendcmd("NOOP").startswith("200"))

    def test_no_overwrite_rename_or_delete(self):
        f = self.ftp()
        self.refused(self.stor, f, "existing.txt", DATA, reason=NO_OVERWRITE)
        self.refused(self.stor, f, NAME, DATA, reason=NO_OVERWRITE)
        self.refused(self.stor, f, "incoming/old.bin", DATA, cmd="APPE", reason=NO_OVERWRITE)
        self.refused(self.stor, f, "incoming", DATA, reason=NO_OVERWRITE)
        self.refused(f.delete, "existing.txt", reason=NO_DELETE)
        self.refused(f.rmd, "incoming/empty", reason=NO_DELETE)
        self.refused(f.sendcmd, "RNFR existing.txt", reason=NO_RENAME)
        self.refused(f.sendcmd, "RNTO other.txt", reason=NO_RENAME)
        # REST + STOR would write into the existing file.
        f.voidcmd("TYPE I")
        self.refused(f.storbinary, "STOR existing.txt", io.BytesIO(DATA), rest=5,
                     reason=NO_OVERWRITE)
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)

    def test_uploads_land(self):
        f = self.ftp()
        self.stor(f, "new upload.bin", DATA)
        self.assertEqual(read_file(self.server.path("new upload.bin")), DATA)
        self.assertEqual(f.mkd("drop \u00e9"), "/drop \u00e9")
        self.stor(f, "drop \u00e9/" + NAME, DATA[:1000])
        self.assertEqual(read_file(self.server.path("drop \u00e9", NAME)), DATA[:1000])
        # APPE to a new name creates it; STOU picks a free name.
        self.stor(f, "appended.bin", DATA[:10], cmd="APPE")
        self.assertEqual(read_file(self.server.path("appended.bin")), DATA[:10])
        r = self.upload(self.control(), "STOU existing.txt", b"unique\n")
        m = re.search(r"FILE: (existing_[0-9a-f]{12}\.txt)$", r.text)
        self.assertTrue(m, r)
        self.assertEqual(read_file(self.server.path(m.group(1))), b"unique\n")
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)
        # The new file is now protected like any other.
        self.refused(self.stor, f, "new upload.bin", b"x", reason=NO_OVERWRITE)
        self.refused(f.retrbinary, "RETR new upload.bin", print, reason=UPLOAD_ONLY)

    def test_refusals_do_not_tell_what_is_there(self):
        """A refusal that depends on what a path holds reads the same for a
        missing name, a file and a path through a file: the drop box does
        not tell which names exist or what they are."""
        c = self.control()
        before = ftptest.tree_snapshot(self.server.root)
        for verb in ("CWD", "AVBL"):
            texts = set()
            for name in ("nothere", "existing.txt", "incoming/old.bin", "nothere/deeper",
                         "existing.txt/deeper"):
                r = c.cmd("%s %s" % (verb, name))
                self.assertEqual(r.code, 550, (verb, name, r))
                texts.add(r.text.replace("/" + name, "PATH"))
            self.assertEqual(len(texts), 1, texts)
            self.assertIn(HIDDEN, texts.pop())
        for verb in ("MKD", "STOR", "APPE", "STOU"):
            texts = set()
            for name in ("nothere/new", "existing.txt/new", "incoming/old.bin/new",
                         "nothere/deeper/new"):
                if verb == "MKD":
                    r = c.cmd("MKD " + name)
                else:
                    data = c.open_pasv()
                    r = c.cmd("%s %s" % (verb, name))
                    data.close()
                self.assertEqual(r.code, 550, (verb, name, r))
                texts.add(r.text.replace("/" + name, "PATH"))
            self.assertEqual(len(texts), 1, texts)
            self.assertIn(HIDDEN, texts.pop())
        self.assertEqual(ftptest.tree_snapshot(self.server.root), before)
        # Directories can still be entered and made, and uploads land there.
        c.expect("CWD incoming", 250)
        c.expect("MKD new-dir", 257)
        self.assertTrue(os.path.isdir(self.server.path("incoming", "new-dir")))
        c.expect("CWD /", 250)

    def test_stou_name_does_not_tell_what_is_there(self):
        """STOU stores under a name made from the wished one and a random
        part, whether or not the wished name is taken."""
        c = self.control()
        c.expect("TYPE I", 200)
        names = []
        for wish in ("existing.txt", "stou-free.txt", "incoming/old.bin"):
            r = self.upload(c, "STOU " + wish, wish.encode())
            m = re.search(r"^150 FILE: (\S+)$", r.text)
            self.assertTrue(m, r)
            stem, ext = os.path.splitext(os.path.basename(wish))
            self.assertRegex(m.group(1), "^%s_[0-9a-f]{12}%s$" % (re.escape(stem), re.escape(ext)))
            where = os.path.join(os.path.dirname(wish), m.group(1))
            self.assertEqual(read_file(self.server.path(where)), wish.encode())
            names.append(m.group(1))
        self.assertFalse(os.path.exists(self.server.path("stou-free.txt")))
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)
        self.assertEqual(read_file(self.server.path("incoming", "old.bin")), OLD)

    def test_upload_temporary_name_refused_clearly(self):
        """A name in the pattern of the server's upload temporaries cannot
        be created; the client is told so, not that it does not exist."""
        f = self.ftp()
        name = ".ferryd-upload-abcdef123456"
        for cmd in ("STOR", "APPE"):
            before = ftptest.tree_snapshot(self.server.root)
            e = self.assertFtpError(553, self.stor, f, "incoming/" + name, DATA, cmd=cmd)
            self.assertIn("reserved", str(e))
            self.assertEqual(ftptest.tree_snapshot(self.server.root), before)
        e = self.assertFtpError(553, f.mkd, name)
        self.assertIn("reserved", str(e))
        self.assertFalse(os.path.exists(self.server.path(name)))

    def test_race_to_one_name_keeps_the_first(self):
        """Two uploads to one new name: the one that finishes first stays,
        the other is refused when it ends (it passed the check at STOR
        because the name was free then)."""
        slow = Control(self.server)
        self.addCleanup(slow.close)
        slow.login()
        slow.expect("TYPE I", 200)
        data = slow.open_pasv()
        slow.expect("STOR race.bin", 150)
        data.sendall(b"slow " * 1000)
        f = self.ftp()
        self.stor(f, "race.bin", b"fast\n")
        data.sendall(b"more")
        data.close()
        r = slow.reply()
        self.assertGreaterEqual(r.code, 400, r)
        self.assertEqual(read_file(self.server.path("race.bin")), b"fast\n")
        self.assertEqual([n for n in os.listdir(self.server.root) if n.startswith(".ferryd")],
                         [])

    def test_curl(self):
        ftptest.require_program(config.CURL, "curl")
        before = ftptest.tree_snapshot(self.server.root)
        src = self.local("curl-up.bin", DATA)
        # Downloads and listings fail and fetch nothing.
        out = self.local("curl-down.bin")
        r = self.curl(self.url("/existing.txt"), "-o", out)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(out) and read_file(out), "curl downloaded something")
        r = self.curl(self.url("/incoming/"))
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn(b"old.bin", r.stdout)
        # Overwriting, deleting and renaming fail.
        r = self.curl("-T", src, self.url("/existing.txt"))
        self.assertNotEqual(r.returncode, 0)
        r = self.curl(self.url("/"), "-Q", "DELE existing.txt")
        self.assertNotEqual(r.returncode, 0)
        r = self.curl(self.url("/"), "-Q", "RNFR existing.txt", "-Q", "RNTO x.txt")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(ftptest.tree_snapshot(self.server.root), before)
        # A new upload, into a new directory, lands.
        r = self.curl("--ftp-create-dirs", "-T", src, self.url("/curl dir/up load.bin"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_file(self.server.path("curl dir", "up load.bin")), DATA)


class NoOverwriteTest(PolicyCase):

    args = ["--anonymous=rw", "--no-overwrite"]

    def test_existing_files_kept(self):
        f = self.ftp()
        self.refused(self.stor, f, "existing.txt", DATA, reason=NO_OVERWRITE)
        self.refused(self.stor, f, NAME, DATA, cmd="APPE", reason=NO_OVERWRITE)
        f.voidcmd("TYPE I")
        self.refused(f.storbinary, "STOR existing.txt", io.BytesIO(DATA), rest=3,
                     reason=NO_OVERWRITE)
        f.sendcmd("RNFR incoming/old.bin")
        self.refused(f.sendcmd, "RNTO existing.txt", reason=NO_OVERWRITE)

    def test_resumed_stor_refused(self):
        """REST n + STOR writes into a file that exists: refused whether or
        not the name exists when it is asked (another client may create it
        meanwhile), with one reply, and nothing created or changed. REST 0
        + STOR is an ordinary upload, APPE keeps its own rule."""
        c = self.control()
        c.expect("TYPE I", 200)
        replies = []
        for name in ("existing.txt", "resume-missing.bin"):
            before = ftptest.tree_snapshot(self.server.root)
            data = c.open_pasv()
            c.expect("REST 5", 350)
            r = c.cmd("STOR " + name)
            data.close()
            self.assertEqual(r.code, 550, r)
            self.assertIn(RESUME_REFUSED, r.text)
            self.assertEqual(ftptest.tree_snapshot(self.server.root), before, name)
            replies.append(r.text.replace(name, "NAME"))
        self.assertEqual(replies[0], replies[1])
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)
        # The refused STOR used up the REST: the next STOR is a new upload.
        self.upload(c, "STOR resume-after.bin", DATA[:100])
        self.assertEqual(read_file(self.server.path("resume-after.bin")), DATA[:100])
        self.upload(c, "STOR resume-zero.bin", DATA[:50], before=["REST 0"])
        self.assertEqual(read_file(self.server.path("resume-zero.bin")), DATA[:50])
        self.upload(c, "APPE resume-appe.bin", DATA[:20], before=["REST 5"])
        self.assertEqual(read_file(self.server.path("resume-appe.bin")), DATA[:20])

    def test_everything_else_allowed(self):
        f = self.ftp()
        self.assertEqual(self.retr(f, "existing.txt"), OLD)
        self.assertIn("existing.txt", f.nlst())
        self.stor(f, "fresh.bin", DATA)
        self.assertEqual(read_file(self.server.path("fresh.bin")), DATA)
        f.rename("fresh.bin", "renamed.bin")
        self.assertEqual(read_file(self.server.path("renamed.bin")), DATA)
        f.delete("renamed.bin")
        self.assertFalse(os.path.exists(self.server.path("renamed.bin")))

    def test_rename_to_upload_temporary_name_refused(self):
        f = self.ftp()
        self.stor(f, "to-hide.bin", b"x\n")
        f.sendcmd("RNFR to-hide.bin")
        e = self.assertFtpError(553, f.sendcmd, "RNTO .ferryd-upload-abcdef123456")
        self.assertIn("reserved", str(e))
        self.assertEqual(read_file(self.server.path("to-hide.bin")), b"x\n")

    def test_perm_facts(self):
        c = self.control()
        r = c.expect("MLST existing.txt", 250)
        self.assertRegex(r.text, r"perm=r?df;")

    def test_curl_overwrite_refused(self):
        ftptest.require_program(config.CURL, "curl")
        src = self.local("ow.bin", DATA)
        r = self.curl("-T", src, self.url("/existing.txt"))
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)
        r = self.curl("-T", src, self.url("/curl-new.bin"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_file(self.server.path("curl-new.bin")), DATA)


class NoDeleteTest(PolicyCase):

    args = ["--anonymous=rw", "--no-delete"]

    def test_delete_refused(self):
        f = self.ftp()
        self.refused(f.delete, "existing.txt", reason=NO_DELETE)
        self.refused(f.delete, NAME, reason=NO_DELETE)
        self.refused(f.rmd, "incoming/empty", reason=NO_DELETE)
        self.refused(f.sendcmd, "XRMD incoming/empty", reason=NO_DELETE)

    def test_rename_onto_existing_refused(self):
        """A rename that replaces removes the file or empty directory it
        lands on, as DELE or RMD would: refused, both names kept."""
        f = self.ftp()
        self.stor(f, "victim-src.txt", b"src\n")
        f.sendcmd("RNFR victim-src.txt")
        self.refused(f.sendcmd, "RNTO existing.txt", reason=NO_DELETE)
        f.mkd("dir-src")
        f.sendcmd("RNFR dir-src")
        self.refused(f.sendcmd, "RNTO incoming/empty", reason=NO_DELETE)
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)
        self.assertEqual(read_file(self.server.path("victim-src.txt")), b"src\n")
        self.assertTrue(os.path.isdir(self.server.path("incoming", "empty")))
        self.assertTrue(os.path.isdir(self.server.path("dir-src")))

    def test_uploads_and_renames_allowed(self):
        f = self.ftp()
        self.stor(f, "incoming/old.bin", DATA)
        self.assertEqual(read_file(self.server.path("incoming", "old.bin")), DATA)
        f.mkd("made")
        f.rename("made", "made2")
        self.assertTrue(os.path.isdir(self.server.path("made2")))

    def test_perm_facts(self):
        c = self.control()
        r = c.expect("MLST existing.txt", 250)
        self.assertRegex(r.text, r"perm=r?waf;")
        r = c.expect("MLST incoming", 250)
        self.assertRegex(r.text, r"perm=elcmf;")

    def test_curl_delete_refused(self):
        ftptest.require_program(config.CURL, "curl")
        r = self.curl(self.url("/"), "-Q", "DELE existing.txt")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"550", r.stderr)
        self.assertEqual(read_file(self.server.path("existing.txt")), OLD)


class PermFactsTest(PolicyCase):
    """The MLSx perm fact says what the session may do: deleting or renaming
    an entry takes a folder it may write into, whatever the account's
    rights."""

    args = ["--anonymous=rw"]

    def test_entries_of_a_folder_without_write_permission(self):
        self.server.write("locked/f.txt", OLD)
        self.server.write("open/g.txt", OLD)
        os.chmod(self.server.path("open"), 0o777)
        os.chmod(self.server.path("locked"), 0o555)
        self.addCleanup(os.chmod, self.server.path("locked"), 0o755)
        f = self.ftp()
        perms = {d + "/" + n: facts["perm"] for d in ("locked", "open")
                 for n, facts in f.mlsd(d, facts=["perm"])}
        self.assertNotRegex(perms["locked/f.txt"], "[df]")
        self.assertRegex(perms["open/g.txt"], "d")
        self.assertRegex(perms["open/g.txt"], "f")
        c = self.control()
        r = c.expect("MLST locked/f.txt", 250)
        self.assertRegex(r.text, r"perm=[^;df]*;")
        # What the fact promised is what the server does.
        self.refused(f.delete, "locked/f.txt", reason="Permission denied")


class AccountsTest(ftptest.TestCase):
    """--no-delete and --no-overwrite hold for users-file accounts too, and
    --anonymous=upload leaves them their normal rights."""

    def test_users_file_account(self):
        srv = fixture(["--anonymous=upload", "--no-delete"])
        self.addCleanup(srv.cleanup)
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "alice:%s\n" % ftptest.hash_password("pw-alice"), mode=0o600)
        srv.args += ["-u", users]
        srv.start()
        self.server = srv
        f = srv.ftp("alice", "pw-alice")
        self.addCleanup(f.close)
        self.assertEqual(self.retr(f, "existing.txt"), OLD)
        self.assertIn("existing.txt", f.nlst())
        self.stor(f, "existing.txt", DATA)
        self.assertEqual(read_file(srv.path("existing.txt")), DATA)
        e = self.assertFtpError(550, f.delete, "existing.txt")
        self.assertIn(NO_DELETE, str(e))
        self.assertTrue(os.path.exists(srv.path("existing.txt")))
        anon = srv.ftp()
        self.addCleanup(anon.close)
        e = self.assertFtpError(550, anon.nlst)
        self.assertIn(UPLOAD_ONLY, str(e))

    def test_bad_anonymous_mode(self):
        r = subprocess.run([config.FERRYD, "--anonymous=dropbox"], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("ro, rw, upload or off", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
