"""Symbolic links to directories in a served tree, a loop among them
("loop -> .", "sub/up -> .."), and recursive copies and removals of that
tree.

ferryd's MLSD shows a link to a directory inside the root as
type=OS.unix=slink:TARGET with the facts of that directory (its unique
fact among them), and a link leading out of the root as only itself
(OS.unix=symlink, nothing of the outside), to a session that may delete
(one that may delete nothing sees only files and folders:
test_links_clients.py); MLST of the link's path says the same, MLST of a
path through it describes the entry reached. lftp's mirror makes such a link
a local link, rclone asks for it as a file and is refused, and neither
goes round the loop.

ferry's mirror and get -r copy each real file of such a tree once and say
once what they passed over, and rm -r removes a link leading back up
without emptying what it leads to: on ferryd; on pyftpdlib, whose MLSD
shows a link to a directory as type=dir, where the unique fact shows
which directory leads back to one the walk is inside; on proftpd (MLSD:
OS.unix=symlink) and vsftpd (LIST: the links as links). On pyftpdlib
made to refuse DELE of a link, rm -r stops at the link leading back up
with one error instead of going round the loop."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import clitest
import config
import ftptest
import peers
from ftptest import files_of

FILES = {
    "a.txt": b"alpha\n",
    "sub/b.txt": b"bravo\n",
    "sub/deep/c.txt": b"charlie\n",
}


def make_tree(server, rel):
    """FILES under rel on server, with the links loop -> ., sub/up -> ..,
    and (outside the root) out -> a folder beside the root."""
    for name, data in FILES.items():
        server.write(rel + "/" + name, data)
    server.symlink(".", rel + "/loop")
    server.symlink("..", rel + "/sub/up")


def mlsd_facts(lines):
    """{name: {fact: value}} of MLSD lines."""
    out = {}
    for line in lines:
        facts, name = line.split("; ", 1)
        out[name] = dict(f.split("=", 1) for f in facts.split(";") if f)
    return out


class FerrydListings(ftptest.TestCase):
    """ferryd's MLSD and LIST of links, and lftp and rclone on the tree."""

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(["--anonymous=rw"])
        cls.addClassCleanup(srv.cleanup)
        make_tree(srv, "tree")
        srv.symlink("sub", "tree/alias")
        ftptest.write_file(os.path.join(srv.outside, "secret.txt"), b"outside\n")
        srv.symlink(srv.outside, "tree/abs")
        srv.symlink("../../outside", "tree/out")
        srv.start()
        cls.server = srv
        cls.tmp = tempfile.mkdtemp(prefix="ferry-links-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def mlsd(self, path):
        f = ftptest.Ftp(self.server)
        try:
            lines = []
            f.retrlines("MLSD " + path, lines.append)
            return mlsd_facts(lines)
        finally:
            f.close()

    def test_mlsd_link_to_directory_is_slink(self):
        top = self.mlsd("/tree")
        sub = self.mlsd("/tree/sub")
        root = mlsd_facts([self.mlst("/tree")])["/tree"]
        self.assertEqual(top["loop"]["type"], "OS.unix=slink:.", top)
        self.assertEqual(top["alias"]["type"], "OS.unix=slink:sub", top)
        self.assertEqual(sub["up"]["type"], "OS.unix=slink:..", sub)
        # The facts are the directory's: the unique fact names it.
        self.assertEqual(top["loop"]["unique"], root["unique"])
        self.assertEqual(top["alias"]["unique"], top["sub"]["unique"])
        self.assertEqual(sub["up"]["unique"], root["unique"])
        self.assertEqual(top["sub"]["type"], "dir")
        # A link to a file still shows the file.
        self.assertEqual(top["a.txt"]["type"], "file")

    def mlst(self, path):
        c = self.server.control()
        try:
            c.login()
            r = c.cmd("MLST " + path)
            self.assertCode(r, 250)
            return r.lines[1].strip()
        finally:
            c.close()

    def test_mlst_of_a_link_is_its_mlsd_line(self):
        # MLST of a link's own path shows what MLSD of its folder shows
        # for it (RFC 3659 7.2: the same facts as MLSD would give).
        top = self.mlsd("/tree")
        sub = self.mlsd("/tree/sub")
        for path, facts in (("/tree/loop", top["loop"]), ("/tree/alias", top["alias"]),
                            ("/tree/sub/up", sub["up"]), ("/tree/abs", top["abs"]),
                            ("/tree/out", top["out"])):
            line = mlsd_facts([self.mlst(path)])
            self.assertEqual(line, {path: facts})

    def test_mlst_through_a_link_shows_the_entry(self):
        # A path that passes through a link names what it leads to.
        sub = self.mlsd("/tree/sub")
        self.assertEqual(mlsd_facts([self.mlst("/tree/alias/deep")]),
                         {"/tree/alias/deep": sub["deep"]})
        self.assertEqual(mlsd_facts([self.mlst("/tree/alias/b.txt")]),
                         {"/tree/alias/b.txt": sub["b.txt"]})
        self.assertEqual(mlsd_facts([self.mlst("/tree/loop/sub")])["/tree/loop/sub"]["type"],
                         "dir")
        # and the root, which has no folder of its own
        self.assertEqual(mlsd_facts([self.mlst("/")])["/"]["type"], "dir")

    def test_mlsd_link_out_of_the_root_shows_only_itself(self):
        top = self.mlsd("/tree")
        for name, text in (("abs", self.server.outside), ("out", "../../outside")):
            facts = top[name]
            self.assertEqual(facts["type"], "OS.unix=symlink", top)
            # the link's own size (its text), not the outside folder's
            self.assertEqual(facts["size"], str(len(text)))
            self.assertNotIn("outside", ";".join(facts.values()))
            # shown because this session may delete
            self.assertIn("d", facts["perm"])
            # and not offered for download: RETR of it fails (RFC 3659
            # 7.5.5: "r" says RETR may be applied)
            self.assertNotIn("r", facts["perm"], (name, facts))
            c = self.server.control()
            try:
                c.login()
                self.assertCode(c.cmd("TYPE I"), 200)
                data = c.open_epsv()
                self.assertCode(c.cmd("RETR /tree/" + name), 550)
                data.close()
            finally:
                c.close()

    def test_lftp_mirror_copies_each_file_once(self):
        ftptest.require_program(config.LFTP, "lftp")
        out = os.path.join(self.tmp, "lftp")
        script = ("set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes; "
                  "open -u anonymous,guest@example.org ftp://%s:%d; mirror /tree %s"
                  % (self.server.host, self.server.port, out))
        r = subprocess.run([config.LFTP, "--norc", "-c", script], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60,
                           env=dict(os.environ, HOME=self.tmp, LC_ALL="C.UTF-8"))
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(files_of(out), FILES)
        # the links come over as links, with their targets
        self.assertEqual(os.readlink(os.path.join(out, "loop")), ".")
        self.assertEqual(os.readlink(os.path.join(out, "sub", "up")), "..")
        self.assertEqual(os.readlink(os.path.join(out, "alias")), "sub")

    def test_rclone_copy_does_not_go_round_the_loop(self):
        ftptest.require_program(config.RCLONE, "rclone")
        out = os.path.join(self.tmp, "rclone")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RCLONE_")}
        env.update(HOME=self.tmp, RCLONE_CONFIG=os.path.join(self.tmp, "rclone.conf"),
                   XDG_CONFIG_HOME=self.tmp)
        pw = subprocess.run([config.RCLONE, "obscure", "guest"], capture_output=True,
                            text=True, env=env, timeout=30).stdout.strip()
        src = ":ftp,host=%s,port=%d,user=anonymous,pass=%s:/tree" % (
            self.server.host, self.server.port, pw)
        r = subprocess.run([config.RCLONE, "copy", "--retries", "1", "--low-level-retries", "1",
                            src, out], capture_output=True, text=True, env=env, timeout=90)
        # rclone fetches no link (it asks for each as a file and is
        # refused), so it ends with errors; its copy holds each file once.
        self.assertEqual(files_of(out), FILES, r.stderr[-2000:])


class MirrorLoops(clitest.CliBase):
    """ferry's mirror, get -r and rm -r on a tree with loops, on one peer."""

    def setUp(self):
        super().setUp()
        make_tree(self.server, self.rel + "/tree")

    def copy_and_check(self, script, out, skip_lines):
        """Runs script, which copies tree into out: out holds each file
        once, and each of skip_lines starts exactly one line of output."""
        r = self.check(self.ferry(script=script))
        self.assertEqual(files_of(self.local(out)), FILES)
        lines = r.out_lines + r.err_lines
        for start in skip_lines:
            self.assertEqual(len([x for x in lines if x.startswith(start)]), 1, r)

    def test_mirror_copies_each_file_once(self):
        self.copy_and_check("mirror tree out", "out", ("skip loop ", "skip sub/up "))

    def test_get_recursive_copies_each_file_once(self):
        self.copy_and_check("get -r tree got", "got",
                            ("skipping got/loop:", "skipping got/sub/up:"))

    def skip_reasons(self, r, prefix):
        """{path: reason} of the lines that start with prefix ("skip " of
        mirror, "skipping got/" of get -r)."""
        out = {}
        for line in r.out_lines + r.err_lines:
            if line.startswith(prefix):
                m = re.match(r"(.*?) \((.*)\)$", line[len(prefix):]) if prefix == "skip " \
                    else re.match(r"(.*?): (.*)$", line[len(prefix):])
                out[m.group(1)] = m.group(2)
        return out

    def expected_reasons(self):
        """What each link is called: a symbolic link where the listing
        shows it as one, else (a directory with the unique fact of one
        above it) a link back to that directory, named."""
        if self.LINKS_LISTED_AS_LINKS:
            return {n: "a symbolic link" for n in ("loop", "sub/up", "sub/deep/back")}
        return {"loop": "a link back to tree, a folder above it",
                "sub/up": "a link back to tree, a folder above it",
                "sub/deep/back": "a link back to tree/sub, a folder above it"}

    def test_skips_say_what_a_link_is(self):
        """mirror, get -r and get -r --parallel say of each link they pass
        over what it is: a symbolic link, or which directory above it it
        leads back to; never "not a file or directory"."""
        self.server.symlink("..", self.rel + "/tree/sub/deep/back")
        want = self.expected_reasons()
        r = self.check(self.ferry(script="mirror tree out"))
        self.assertEqual(self.skip_reasons(r, "skip "), want, r)
        r = self.check(self.ferry(script="get -r --parallel 2 tree par"))
        self.assertEqual(self.skip_reasons(r, "skip "), want, r)
        r = self.check(self.ferry(script="get -r tree got"))
        self.assertEqual(self.skip_reasons(r, "skipping got/"), want, r)
        self.assertEqual(files_of(self.local("got")), FILES)

    def test_rm_recursive_leaves_what_a_link_leads_back_to(self):
        # sub/up -> .. leads to tree: removing sub removes the link only
        r = self.check(self.ferry("-y", script="rm -r tree/sub"))
        self.assertEqual(sorted(os.listdir(self.remote("tree"))), ["a.txt", "loop"], r)
        self.assertEqual(files_of(self.remote("tree")), {"a.txt": FILES["a.txt"]})


class PyftpdlibLinksStay(peers.Pyftpdlib):
    """pyftpdlib refusing DELE of a symbolic link."""

    def command(self, port):
        return super().command(port) + ["links-stay"]


class LinksStayRm(clitest.CliBase, ftptest.TestCase):
    """rm -r on a server that lists a link to a directory as a directory
    and refuses DELE on it: a link leading back to a directory being
    removed is not entered."""

    PEER = "pyftpdlib"

    @classmethod
    def start_server(cls):
        return peers.started(PyftpdlibLinksStay())

    def setUp(self):
        super().setUp()
        make_tree(self.server, self.rel + "/tree")

    def test_rm_recursive_stops_at_a_loop(self):
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20)
        self.addCleanup(proxy.close)
        url = proxy.url("/", self.server.user, self.server.password)
        r = self.check(self.ferry("-y", script="rm -r tree", url=url), clitest.REFUSED)
        self.assertIn("tree/loop: leads back up", r.err, r)
        listings = [c for c in proxy.commands if c.split(" ")[0].upper() in ("MLSD", "LIST")]
        self.assertEqual(len(listings), 1, "%s\n%s" % (listings, r))
        # Stopped there: a.txt (before loop in name order) is deleted, the
        # rest is left as it was.
        self.assertEqual(sorted(os.listdir(self.remote("tree"))), ["loop", "sub"], r)
        self.assertEqual(files_of(self.remote("tree/sub")),
                         {"b.txt": FILES["sub/b.txt"], "deep/c.txt": FILES["sub/deep/c.txt"]})

    def test_rm_recursive_leaves_what_a_link_leads_up_to(self):
        # sub/up -> .. leads to tree, above the directory removed: tree's
        # own files are not deleted through it.
        r = self.check(self.ferry("-y", script="rm -r tree/sub"), clitest.REFUSED)
        self.assertIn("tree/sub/up: leads back up", r.err, r)
        self.assertEqual(files_of(self.remote("tree")), {"a.txt": FILES["a.txt"]})
        self.assertEqual(sorted(os.listdir(self.remote("tree/sub"))), ["up"], r)


class FerrydMirror(MirrorLoops, ftptest.TestCase):
    PEER = "ferryd"
    LINKS_LISTED_AS_LINKS = True


class PyftpdlibMirror(MirrorLoops, ftptest.TestCase):
    PEER = "pyftpdlib"
    LINKS_LISTED_AS_LINKS = False


class ProftpdMirror(MirrorLoops, ftptest.TestCase):
    PEER = "proftpd"
    LINKS_LISTED_AS_LINKS = True


class VsftpdMirror(MirrorLoops, ftptest.TestCase):
    PEER = "vsftpd"
    LINKS_LISTED_AS_LINKS = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
