"""The FTP clients people use, run over a tree of ferryd's that holds
symbolic links: a link to a file, a link to a folder, a link leading
nowhere, a loop ("loop -> ."), links leading out of the root (/etc, a
relative ../../.. one, and the absolute path of a real folder beside the
root holding a file), and a folder whose name has spaces holding a link
to a file and one back up (".."). Each client copies the tree (or lists
it) and must end with status 0, holding every real file and every file
reached through a link to a file, with their bytes, nothing from outside
the root, and within a bounded time (no walk round the loop). The session
is read-only: its MLSD shows a link to a file as the file, a link to a
folder that leads to none the walk is in as that folder (type=dir; past
one such link no other is a folder), and leaves out the rest, so MLSD
walkers also copy what lies below dirlink and the two links of cross/,
once:

    rclone    lsf -R, copy, check and sync (the sync also deleting what
              the tree does not hold); its FTP library takes every MLSD
              type but dir/cdir/pdir as a file and fetches it
    lftp      mirror
    wget      -r (LIST; links to files fetched as files)
    curl      the LIST of the folders (links shown with "-> target"),
              a link to a file, a file through a link to a folder,
              and refused paths through the links leading out
    ncftpget  -R
    ftplib    mlsd: only files and folders
    ferry     get -r and mirror

Every client is required: one that is missing fails the test."""

import ftplib
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

import clitest
import config
import ftptest
from ftptest import files_of

RUN_TIMEOUT = 90
SECRET = b"outside the root\n"
FILES = {
    "file.txt": b"the file\n",
    "dir/inner.txt": b"inner\n",
    "dir with spaces/x.txt": b"spaced\n",
    "cross/a/fa.txt": b"in a\n",
    "cross/b/fb.txt": b"in b\n",
}
# What a client copying the tree from LIST holds: the files, and each
# link to a file as a file of the same bytes.
COPIED = dict(FILES, **{
    "filelink": FILES["file.txt"],
    "dir with spaces/lnk.txt": FILES["file.txt"],
})
# What one walking MLSD holds: also the files below each link to a
# folder (type=dir) that leads to none the walk is in, once.
WALKED = dict(COPIED, **{
    "dirlink/inner.txt": FILES["dir/inner.txt"],
    "cross/a/to_b/fb.txt": FILES["cross/b/fb.txt"],
    "cross/b/to_a/fa.txt": FILES["cross/a/fa.txt"],
})
LINKS = {
    "filelink": "file.txt",
    "dirlink": "dir",
    "dangling": "nowhere",
    "loop": ".",
    "etc": "/etc",
    "up": "../../../../../../../etc",
    "dir with spaces/lnk.txt": "../file.txt",
    "dir with spaces/back": "..",
    # a loop of two links, neither leading above itself
    "cross/a/to_b": "../b",
    "cross/b/to_a": "../a",
}


def names_of(listing):
    """The names (with "-> target") of the lines of a LIST."""
    return {re.split(r"\s+", line, maxsplit=8)[-1]
            for line in listing.decode().splitlines()}


def no_outside_bytes(test, top):
    """Nothing under top holds bytes from outside the root."""
    for rel, data in files_of(top).items():
        test.assertNotIn(SECRET, data, rel)
        test.assertNotIn(b"root:", data, rel)


class LinksClients(ftptest.TestCase):

    @classmethod
    def setUpClass(cls):
        for path, name in ((config.RCLONE, "rclone"), (config.LFTP, "lftp"),
                           (config.WGET, "wget"), (config.CURL, "curl"),
                           (config.NCFTPGET, "ncftpget")):
            ftptest.require_program(path, name)
        clitest.require_ferry()
        srv = ftptest.Server(["--anonymous=ro"])
        cls.addClassCleanup(srv.cleanup)
        for rel, data in FILES.items():
            srv.write("t/" + rel, data)
        for rel, target in LINKS.items():
            srv.symlink(target, "t/" + rel)
        ftptest.write_file(os.path.join(srv.outside, "secret.txt"), SECRET)
        srv.symlink(srv.outside, "t/abs")
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferry-links-clients-")
        os.chmod(cls.tmp, 0o755)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        home = os.path.join(cls.tmp, "home")
        os.mkdir(home)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RCLONE_") and k.lower() not in
               ("ftp_proxy", "all_proxy", "no_proxy")}
        env.update(HOME=home, RCLONE_CONFIG=os.path.join(home, "rclone.conf"),
                   XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home, LC_ALL="C.UTF-8", TZ="UTC")
        cls.env = env
        cls.url = "ftp://anonymous:%s@%s:%d" % (urllib.parse.quote("guest@example.org", safe=""),
                                                srv.host, srv.port)

    def out(self, name):
        path = os.path.join(self.tmp, self._testMethodName + "-" + name)
        shutil.rmtree(path, ignore_errors=True)
        return path

    def run_client(self, cmd, cwd=None):
        """Runs cmd to its end within RUN_TIMEOUT (a walk round the loop
        would not end): the CompletedProcess, text."""
        try:
            return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors="replace", env=self.env, cwd=cwd,
                                  timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail("still running after %ds: %s\n%s" % (RUN_TIMEOUT, cmd, e))

    def assertOk(self, r):
        self.assertEqual(r.returncode, 0, "%s\nstdout:\n%s\nstderr:\n%s%s"
                         % (r.args, r.stdout[-3000:], r.stderr[-3000:],
                            self.server.log_tail(20)))

    def assertCopied(self, top, skip=(), want=WALKED):
        self.assertEqual(files_of(top, skip), want)
        no_outside_bytes(self, top)

    # -- rclone --

    def rclone(self, *args):
        pw = self.run_client([config.RCLONE, "obscure", "guest@example.org"]).stdout.strip()
        remote = ":ftp,host=%s,port=%d,user=anonymous,pass=%s:/t" % (
            self.server.host, self.server.port, pw)
        args = [remote if a == "REMOTE" else a for a in args]
        return self.run_client([config.RCLONE, "--contimeout", "5s", "--timeout", "20s",
                                "--retries", "1", "--low-level-retries", "1", "--stats", "0"]
                               + list(args))

    def test_rclone_lsf_lists_files_and_folders(self):
        r = self.rclone("lsf", "-R", "REMOTE")
        self.assertOk(r)
        self.assertEqual(sorted(r.stdout.splitlines()),
                         sorted(list(WALKED) + ["dir/", "dir with spaces/", "dirlink/", "cross/",
                                                "cross/a/", "cross/b/", "cross/a/to_b/",
                                                "cross/b/to_a/"]), r.stderr)

    def test_rclone_copy_and_check(self):
        out = self.out("copy")
        r = self.rclone("copy", "REMOTE", out)
        self.assertOk(r)
        self.assertCopied(out)
        r = self.rclone("check", "REMOTE", out)
        self.assertOk(r)

    def test_rclone_sync_deletes_what_the_tree_lacks(self):
        out = self.out("sync")
        ftptest.write_file(os.path.join(out, "stale.txt"), b"not on the server\n")
        r = self.rclone("sync", "REMOTE", out)
        self.assertOk(r)
        self.assertCopied(out)

    # -- lftp --

    def test_lftp_mirror(self):
        out = self.out("lftp")
        script = ("set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes; "
                  "open -u anonymous,guest@example.org ftp://%s:%d; mirror /t %s"
                  % (self.server.host, self.server.port, out))
        r = self.run_client([config.LFTP, "--norc", "-c", script])
        self.assertOk(r)
        self.assertCopied(out)

    # -- wget --

    def test_wget_recursive(self):
        out = self.out("wget")
        r = self.run_client([config.WGET, "-r", "-l", "inf", "-nH", "--cut-dirs=1", "-P", out,
                             "--tries=1", "--timeout=10", self.url + "/t/"])
        self.assertOk(r)
        self.assertCopied(out, skip=(".listing",), want=COPIED)

    # -- curl --

    def curl(self, path):
        return subprocess.run([config.CURL, "-sS", "--max-time", "20", self.url + path],
                              stdin=subprocess.DEVNULL, capture_output=True, env=self.env,
                              timeout=RUN_TIMEOUT)

    def test_curl_lists_the_links(self):
        r = self.curl("/t/")
        self.assertEqual(r.returncode, 0, r)
        ends = names_of(r.stdout)
        want = {"%s -> %s" % (n, t) for n, t in LINKS.items() if "/" not in n}
        want |= {"abs -> " + self.server.outside, "file.txt", "dir", "dir with spaces", "cross"}
        self.assertEqual(ends, want, r.stdout)
        r = self.curl("/t/dir%20with%20spaces/")
        self.assertEqual(r.returncode, 0, r)
        ends = names_of(r.stdout)
        self.assertEqual(ends,
                         {"lnk.txt -> ../file.txt", "back -> ..", "x.txt"}, r.stdout)

    def test_curl_downloads_through_links(self):
        for path, data in (("/t/filelink", FILES["file.txt"]),
                           ("/t/dirlink/inner.txt", FILES["dir/inner.txt"]),
                           ("/t/loop/dir/inner.txt", FILES["dir/inner.txt"]),
                           ("/t/dir%20with%20spaces/lnk.txt", FILES["file.txt"]),
                           ("/t/dir%20with%20spaces/back/file.txt", FILES["file.txt"])):
            r = self.curl(path)
            self.assertEqual((r.returncode, r.stdout), (0, data), (path, r.stderr))

    def test_curl_gets_nothing_from_outside(self):
        for path in ("/t/etc/passwd", "/t/up/passwd", "/t/abs/secret.txt", "/t/dangling"):
            r = self.curl(path)
            self.assertNotEqual(r.returncode, 0, path)
            self.assertEqual(r.stdout, b"", path)

    # -- ncftpget --

    def test_ncftpget_recursive(self):
        out = self.out("ncftp")
        os.mkdir(out)
        r = self.run_client([config.NCFTPGET, "-R", "-T", "-t", "20", "-P", str(self.server.port),
                             "-u", "anonymous", "-p", "guest@example.org", self.server.host,
                             out, "/t"])
        self.assertOk(r)
        self.assertCopied(os.path.join(out, "t"))

    # -- ftplib --

    def test_ftplib_mlsd_shows_files_and_folders_only(self):
        f = ftptest.Ftp(self.server)
        try:
            top = {name: facts["type"] for name, facts in f.mlsd("/t")}
            spaced = {name: facts["type"] for name, facts in f.mlsd("/t/dir with spaces")}
            a = {name: facts["type"] for name, facts in f.mlsd("/t/cross/a")}
            # past a link, no link to a folder is a folder
            to_b = {name: facts["type"] for name, facts in f.mlsd("/t/cross/a/to_b")}
            unique = {name: facts["unique"] for name, facts in f.mlsd("/t")}
            # MLST of a link's path: what MLSD shows, or the link itself
            mlst = {p: f.sendcmd("MLST " + p).splitlines()[1].split(";")[0].strip()
                    for p in ("/t/dirlink", "/t/loop", "/t/dangling")}
        finally:
            f.close()
        self.assertEqual(a, {"fa.txt": "file", "to_b": "dir"})
        self.assertEqual(to_b, {"fb.txt": "file"})
        self.assertEqual(unique["dirlink"], unique["dir"])
        self.assertEqual(mlst, {"/t/dirlink": "type=dir", "/t/loop": "type=OS.unix=slink:.",
                                "/t/dangling": "type=OS.unix=symlink"})
        self.assertEqual(top, {"file.txt": "file", "filelink": "file", "dir": "dir",
                               "dir with spaces": "dir", "dirlink": "dir", "cross": "dir"})
        self.assertEqual(spaced, {"x.txt": "file", "lnk.txt": "file"})

    # -- ferry --

    def ferry(self, script, cwd):
        os.makedirs(cwd, exist_ok=True)
        return self.run_client([clitest.FERRY, "--tls=off", "-c", script, self.url + "/"],
                               cwd=cwd)

    def test_ferry_get_recursive(self):
        cwd = self.out("ferry-get")
        r = self.ferry("get -r t got", cwd)
        self.assertOk(r)
        self.assertCopied(os.path.join(cwd, "got"))

    def test_ferry_mirror(self):
        cwd = self.out("ferry-mirror")
        r = self.ferry("mirror t mir", cwd)
        self.assertOk(r)
        self.assertCopied(os.path.join(cwd, "mir"))


class LinksShownToWhoMayRemove(ftptest.TestCase):
    """A session that may delete sees in MLSD the links that lead to no
    file as links (so that removing their folder removes the links, never
    what they lead to); one that may delete nothing (--no-delete here,
    read-only above) sees files and folders only. LIST shows them all to
    both."""

    def tree_on(self, args):
        srv = ftptest.Server(args)
        self.addCleanup(srv.cleanup)
        for rel, data in FILES.items():
            srv.write("t/" + rel, data)
        for rel, target in LINKS.items():
            srv.symlink(target, "t/" + rel)
        return srv.start()

    def listings(self, srv, path):
        f = ftptest.Ftp(srv)
        try:
            types = {name: facts["type"] for name, facts in f.mlsd(path)}
            lines = []
            f.retrlines("LIST " + path, lines.append)
        finally:
            f.close()
        return types, names_of("\n".join(lines).encode())

    def test_rw_sees_the_links_no_delete_does_not(self):
        plain = {"file.txt": "file", "filelink": "file", "dir": "dir", "dir with spaces": "dir",
                 "cross": "dir"}
        full = dict(plain, dirlink="OS.unix=slink:dir", loop="OS.unix=slink:.",
                    dangling="OS.unix=symlink", etc="OS.unix=symlink", up="OS.unix=symlink")
        rw = self.tree_on(["--anonymous=rw"])
        nodel = self.tree_on(["--anonymous=rw", "--no-delete"])
        types, names = self.listings(rw, "/t")
        self.assertEqual(types, full)
        self.assertEqual(names, {"%s -> %s" % (n, t) for n, t in LINKS.items() if "/" not in n}
                         | {"file.txt", "dir", "dir with spaces", "cross"})
        self.assertEqual(self.listings(nodel, "/t"), (dict(plain, dirlink="dir"), names))
        self.assertEqual(self.listings(rw, "/t/dir with spaces")[0],
                         {"x.txt": "file", "lnk.txt": "file", "back": "OS.unix=slink:.."})
        self.assertEqual(self.listings(nodel, "/t/dir with spaces")[0],
                         {"x.txt": "file", "lnk.txt": "file"})

    def test_rm_recursive_removes_the_links(self):
        clitest.require_ferry()
        srv = self.tree_on(["--anonymous=rw"])
        r = subprocess.run([clitest.FERRY, "--tls=off", "-y", "-c", "rm -r t",
                            srv.url("/", "anonymous", "guest")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT, env=dict(os.environ, HOME=srv.base))
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.lexists(srv.path("t")), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
