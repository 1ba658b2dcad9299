"""get -r -L and mirror -L (--follow-links): a remote symbolic link is
copied as what it leads to, on ferryd (a session that may delete, whose
MLSD shows the links as links), vsftpd (LIST: "l... name -> target"),
pure-ftpd and proftpd.

The tree holds two files, a link to a file, a link to a folder, a link
leading nowhere, "loop -> .", "up -> .." (the folder holding the tree,
so the tree itself once more) and, in the folder, "back -> ..". The
copy must hold each file, the file link as a regular file with the
target's bytes, the folder link as a folder with its files, no local
symbolic link and nothing from outside the tree; the links leading back
to a folder the copy is in are skipped with a note saying so, the one
leading nowhere with a note naming it (status 5), all within a bounded
time. A second mirror --delete -L copies, replaces and deletes nothing.
Without -L every link is skipped as before."""

import os
import unittest

import clitest
import ftptest
from ftptest import files_of

FILES = {
    "a.txt": b"alpha\n",
    "sub/b.txt": b"bravo\n",
}
LINKS = {
    "flink": "a.txt",
    "dlink": "sub",
    "dangling": "nowhere",
    "loop": ".",
    "up": "..",
    "sub/back": "..",
}
# What a copy following the links holds.
FOLLOWED = dict(FILES, **{
    "flink": FILES["a.txt"],
    "dlink/b.txt": FILES["sub/b.txt"],
})
# Links leading back to a folder the copy is in: skipped, each once.
LOOPS = ("loop", "up", "sub/back", "dlink/back")


def local_links(top):
    """The symbolic links under top (relative paths)."""
    out = []
    for cur, dirs, files in os.walk(top):
        for name in dirs + files:
            if os.path.islink(os.path.join(cur, name)):
                out.append(os.path.relpath(os.path.join(cur, name), top))
    return out


class FollowLinks(clitest.CliBase):
    """get -r -L and mirror -L on one peer."""

    # The server lists a link to a file as the file (ferryd).
    FILE_LINK_AS_FILE = False
    # The server lists a link leading nowhere (proftpd leaves it out).
    LISTS_DANGLING = True

    def setUp(self):
        super().setUp()
        self.put_remote("outside.txt", b"beside the tree\n")
        for rel, data in FILES.items():
            self.put_remote("tree/" + rel, data)
        for rel, target in LINKS.items():
            self.server.symlink(target, self.rel + "/tree/" + rel)

    def assertFollowed(self, r, out, prefix):
        """out holds the followed tree exactly; r noted each link leading
        back up once and the one leading nowhere, and ended with 5."""
        self.assertEqual(r.code, clitest.REFUSED if self.LISTS_DANGLING else clitest.OK, r)
        self.assertEqual(files_of(self.local(out)), FOLLOWED, r)
        self.assertEqual(local_links(self.local(out)), [], r)
        lines = r.out_lines + r.err_lines
        for name in LOOPS:
            said = [x for x in lines if x.startswith(prefix + name + ":")
                    or x.startswith(prefix + name + " (")]
            self.assertEqual(len(said), 1, "%s: %s\n%s" % (name, said, r))
            if name == "up":
                self.assertIn("a link back to", said[0], r)
            else:
                self.assertIn("a link back to tree, a folder above it", said[0], r)
        nowhere = [x for x in lines if (prefix + "dangling") in x]
        self.assertEqual(len(nowhere), 1 if self.LISTS_DANGLING else 0, r)
        if self.LISTS_DANGLING:
            self.assertRegex(nowhere[0], r"leading nowhere.*55\d", r)
        self.assertLess(r.elapsed, 20, r)

    def test_get_recursive_follows_links(self):
        r = self.ferry(script="get -r -L tree got")
        self.assertFollowed(r, "got", "skipping got/")

    def test_get_recursive_long_option(self):
        r = self.ferry(script="get --follow-links -r tree got")
        self.assertFollowed(r, "got", "skipping got/")

    def test_get_recursive_parallel_follows_links(self):
        r = self.ferry(script="get -r -L --parallel 2 tree par")
        self.assertFollowed(r, "par", "skip ")

    def test_follow_links_goes_with_a_tree(self):
        r = self.check(self.ferry(script="get -L tree/flink x"), clitest.USAGE)
        self.assertIn("-L", r.err, r)
        r = self.check(self.ferry(script="mirror -R -L . tree"), clitest.USAGE)
        self.assertIn("-L", r.err, r)
        self.assertFalse(os.path.exists(self.local("x")), r)

    def test_without_the_option_links_are_skipped(self):
        r = self.check(self.ferry(script="get -r tree got"))
        want = dict(FILES, flink=FILES["a.txt"]) if self.FILE_LINK_AS_FILE else FILES
        self.assertEqual(files_of(self.local("got")), want, r)
        self.assertEqual(local_links(self.local("got")), [], r)

    def test_mirror_follows_links_and_twice_changes_nothing(self):
        r = self.ferry(script="mirror -L --delete tree mir")
        self.assertFollowed(r, "mir", "skip ")
        before = {rel: os.stat(self.local("mir", rel)).st_ino for rel in FOLLOWED}
        r = self.ferry(script="mirror --follow-links --delete tree mir")
        self.assertEqual(r.code, clitest.REFUSED if self.LISTS_DANGLING else clitest.OK, r)
        self.assertEqual(files_of(self.local("mir")), FOLLOWED, r)
        self.assertIn("mirror: 0 copied, 0 replaced, 0 deleted", r.out + r.err, r)
        after = {rel: os.stat(self.local("mir", rel)).st_ino for rel in FOLLOWED}
        self.assertEqual(before, after, r)


class FerrydFollowLinks(FollowLinks, ftptest.TestCase):
    PEER = "ferryd"
    FILE_LINK_AS_FILE = True


class VsftpdFollowLinks(FollowLinks, ftptest.TestCase):
    PEER = "vsftpd"


class PureFtpdFollowLinks(FollowLinks, ftptest.TestCase):
    PEER = "pure-ftpd"


class ProftpdFollowLinks(FollowLinks, ftptest.TestCase):
    PEER = "proftpd"
    LISTS_DANGLING = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
