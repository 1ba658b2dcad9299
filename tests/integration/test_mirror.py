"""ferry's mirror against ferryd, vsftpd and pure-ftpd: downloads and (-R)
uploads so that the target tree matches the source, checked on disk on both
sides (bytes, names with spaces and UTF-8, empty files and folders, a file
replaced by a folder); --dry-run changes nothing; a second run on an
unchanged tree sends no RETR or STOR (counted through a relay that keeps
the commands); --delete removes exactly the extras and nothing is deleted
without it; --include/--exclude; --parallel N logs in N times.

The relay (peers.ThrottleProxy at a high rate) sees every command of
every connection ferry opens, which is how the tests count logins and
transfers the same way for all three servers.

NamesTests run on all five peers (proftpd and pyftpdlib too): names with a
leading or trailing space, glob characters, a leading dash and a 0xFF
byte go down and up, and a second run moves nothing."""

import fcntl
import os
import re
import signal
import sys
import unittest

import clitest
import ftptest
import peers
import tuitest
from clitest import BROKEN, LOCAL, OK, USAGE
from ftptest import read_file

UTF8_DIR = "Ordner mit Ä Ö Ü"
UTF8_FILE = "Grüße aus Köln.txt"
OLD = 1500000000  # a fixed time for source files
SEG_DATA = ftptest.random_bytes(3 << 20, seed=31)  # a file for segmented downloads
# Runs ferry as root without root's way past permission bits.
NO_DAC = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "syscall_limits.py"), "--no-dac-override", "--"]


def temp_stem(name):
    """The stem of a download temporary's name for name: name itself up
    to 229 bytes, else its first 212 bytes, "~" and 16 hex digits of
    its 64-bit FNV-1a hash (ASCII names)."""
    if len(name) <= 229:
        return name
    h = 0xcbf29ce484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%s~%016x" % (name[:212], h)


class MirrorTests(clitest.CliBase):
    """The mirror set, run against each peer."""

    def relay(self):
        """A fast relay in front of the server; returns (proxy, url)."""
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20)
        self.addCleanup(proxy.close)
        return proxy, proxy.url("/", self.server.user, self.server.password)

    def verbs(self, proxy, verb):
        """How many commands starting with verb the relay saw."""
        return len([c for c in proxy.commands if c.split(" ")[0].upper() == verb])

    @staticmethod
    def tree_files(seed):
        """A tree's files: nested folders, UTF-8 and spaces, an empty file."""
        return {
            "a.txt": b"alpha\n",
            "with space.bin": ftptest.random_bytes(70000, seed=seed),
            "empty": b"",
            UTF8_DIR + "/" + UTF8_FILE: "Grüße\n".encode(),
            UTF8_DIR + "/deep/z.dat": ftptest.random_bytes(3000, seed=seed + 1),
        }

    def remote_tree(self):
        """The source tree on the server (src/), with an empty folder."""
        files = self.tree_files(3)
        for rel, data in files.items():
            self.put_remote("src/" + rel, data, OLD)
        self.server.mkdir(self.rel + "/src/emptydir")
        return files

    def local_tree(self, top):
        """The source tree at top, with an empty folder."""
        files = self.tree_files(5)
        for rel, data in files.items():
            ftptest.write_file(os.path.join(top, rel), data, OLD)
        os.makedirs(os.path.join(top, "emptydir"))
        return files

    def mirror(self, args, url=True):
        return self.ferry(script="mirror " + args, url=url)

    def assertSameTree(self, a, b, r=None):
        self.assertEqual(ftptest.tree_snapshot(a), ftptest.tree_snapshot(b), r)

    def plan_lines(self, r):
        """The action lines of a run: [(verb, path)]."""
        out = []
        for line in r.out_lines:
            verb, _, rest = line.partition(" ")
            if verb in ("copy", "replace", "delete", "skip"):
                out.append((verb, rest.split(" (", 1)[0]))
        return out

    # -- downloads --

    def test_download_then_nothing_to_do(self):
        """A download mirror makes the local tree equal the remote one, with
        the server's times; a second run sends no RETR and touches no file."""
        self.remote_tree()
        proxy, url = self.relay()
        r = self.check(self.mirror('src "%s"' % self.local("dst"), url))
        self.assertSameTree(self.remote("src"), self.local("dst"), r)
        self.assertEqual(os.stat(self.local("dst", UTF8_DIR, UTF8_FILE)).st_mtime, OLD, r)
        self.assertEqual(self.verbs(proxy, "RETR"), 5, r)
        self.assertIn("mirror: 8 copied, 0 replaced, 0 deleted, 0 skipped, 0 failed",
                      r.out, r)
        before = {p: os.stat(os.path.join(self.local("dst"), p)).st_ino
                  for p in ftptest.tree_snapshot(self.local("dst"))}
        proxy2, url2 = self.relay()
        r = self.check(self.mirror('src "%s"' % self.local("dst"), url2))
        self.assertEqual(self.verbs(proxy2, "RETR"), 0, r)
        self.assertEqual([v for v, _ in self.plan_lines(r)], ["skip"] * 5, r)
        after = {p: os.stat(os.path.join(self.local("dst"), p)).st_ino
                 for p in ftptest.tree_snapshot(self.local("dst"))}
        self.assertEqual(before, after, r)

    def test_summary_counts_what_was_done(self):
        """A file the server will not send fails on its own; the summary
        counts it as failed and only the files that arrived as copied."""
        for name in ("a.txt", "locked.bin", "z.txt"):
            self.put_remote("src/" + name, name.encode() + b"\n", OLD)
        os.chmod(self.remote("src", "locked.bin"), 0)
        r = self.mirror('src "%s"' % self.local("dst"))
        self.check(r, clitest.REFUSED, "a file the server cannot read")
        self.assertIn("locked.bin", r.err, r)
        self.assertEqual(sorted(os.listdir(self.local("dst"))), ["a.txt", "z.txt"], r)
        self.assertIn("mirror: 2 copied, 0 replaced, 0 deleted, 0 skipped, 1 failed",
                      r.out, r)

    def test_dry_run_changes_nothing(self):
        """--dry-run prints the plan and leaves every byte on disk as it was."""
        self.remote_tree()
        ftptest.write_file(self.local("dst", "extra.txt"), b"mine", OLD)
        ftptest.write_file(self.local("dst", "a.txt"), b"older and longer", OLD)
        before = ftptest.tree_snapshot(self.local("dst"))
        proxy, url = self.relay()
        r = self.check(self.mirror('--dry-run --delete src "%s"' % self.local("dst"), url))
        self.assertEqual(ftptest.tree_snapshot(self.local("dst")), before, r)
        self.assertEqual(self.verbs(proxy, "RETR"), 0, r)
        lines = self.plan_lines(r)
        self.assertIn(("replace", "a.txt"), lines, r)
        self.assertIn(("delete", "extra.txt"), lines, r)
        self.assertIn(("copy", UTF8_DIR + "/" + UTF8_FILE), lines, r)
        self.assertIn("nothing changed", r.out_lines[-1], r)
        # Upload side: the server's tree is left as it is too.
        top = self.local("up")
        self.local_tree(top)
        rbefore = ftptest.tree_snapshot(self.remote("src"))
        r = self.check(self.mirror('-R --dry-run --delete "%s" src' % top))
        self.assertEqual(ftptest.tree_snapshot(self.remote("src")), rbefore, r)

    def test_replace_changed_and_delete_extras(self):
        """A changed file is replaced; extras stay without --delete (a skip
        line says so) and go with it, exactly those."""
        files = self.remote_tree()
        self.check(self.mirror('src "%s"' % self.local("dst")))
        self.put_remote("src/a.txt", b"alpha, longer now\n", OLD + 100)
        ftptest.write_file(self.local("dst", "extra.txt"), b"x", OLD)
        os.makedirs(self.local("dst", "extra dir", "in"))
        r = self.check(self.mirror('src "%s"' % self.local("dst")))
        self.assertIn(("replace", "a.txt"), self.plan_lines(r), r)
        self.assertIn(("skip", "extra.txt"), self.plan_lines(r), r)
        self.assertEqual(read_file(self.local("dst", "a.txt")), b"alpha, longer now\n")
        self.assertTrue(os.path.exists(self.local("dst", "extra.txt")), r)
        r = self.check(self.mirror('--delete src "%s"' % self.local("dst")))
        self.assertEqual(sorted(p for v, p in self.plan_lines(r) if v == "delete"),
                         ["extra dir/", "extra.txt"], r)
        self.assertSameTree(self.remote("src"), self.local("dst"), r)
        self.assertEqual(read_file(self.local("dst", "with space.bin")),
                         files["with space.bin"])

    def test_file_replaced_by_folder(self):
        """A name that is a file on one side and a folder on the other is
        left alone (and said so) without --delete, swapped with it."""
        self.put_remote("src/thing/inside.txt", b"in\n", OLD)
        ftptest.write_file(self.local("dst", "thing"), b"a file", OLD)
        r = self.check(self.mirror('src "%s"' % self.local("dst")))
        self.assertEqual(read_file(self.local("dst", "thing")), b"a file", r)
        self.assertIn(("skip", "thing/"), self.plan_lines(r), r)
        r = self.check(self.mirror('--delete src "%s"' % self.local("dst")))
        self.assertEqual(read_file(self.local("dst", "thing", "inside.txt")), b"in\n", r)

    def test_include_exclude(self):
        """--include limits the files, --exclude leaves out (and protects
        from --delete) what it matches, a folder with its contents."""
        self.put_remote("src/keep.txt", b"k", OLD)
        self.put_remote("src/skip.bin", b"s", OLD)
        self.put_remote("src/cache/c.txt", b"c", OLD)
        self.put_remote("src/sub/d.txt", b"d", OLD)
        ftptest.write_file(self.local("dst", "cache", "local.txt"), b"mine", OLD)
        r = self.check(self.mirror('--delete --include "*.txt" --exclude cache src "%s"'
                                   % self.local("dst")))
        snap = ftptest.tree_snapshot(self.local("dst"))
        self.assertEqual(snap, {"keep.txt": b"k", "sub": "DIR", "sub/d.txt": b"d",
                                "cache": "DIR", "cache/local.txt": b"mine"}, r)

    def test_delete_asks_once_on_a_terminal(self):
        """On a terminal --delete asks once with the count; n changes
        nothing (status 1), y deletes exactly the extras."""
        self.remote_tree()
        self.check(self.mirror('src "%s"' % self.local("dst")))
        for name in ("x1", "x2", "x3"):
            ftptest.write_file(self.local("dst", name), b"extra", OLD)
        r = self.ferry_tty(script='mirror --delete src "%s"' % self.local("dst"), answer="n")
        self.assertEqual(r.code, clitest.NOT_CONFIRMED, r)
        self.assertEqual(r.err.count("[y/N]"), 1, r)
        self.assertIn("Delete 3 entries from", r.err, r)
        self.assertTrue(all(os.path.exists(self.local("dst", n)) for n in ("x1", "x2", "x3")))
        r = self.ferry_tty(script='mirror --delete src "%s"' % self.local("dst"), answer="y")
        self.assertEqual(r.code, OK, r)
        self.assertSameTree(self.remote("src"), self.local("dst"), r)

    def test_newer_and_size_only(self):
        """--size-only leaves a file of the same size whose time differs
        (by two days: vsftpd lists old files to the day); --newer leaves a target that is newer than the source, and
        replaces one that is older."""
        self.put_remote("src/t.txt", b"12345", OLD)
        self.put_remote("src/n.txt", b"source", OLD)
        ftptest.write_file(self.local("dst", "t.txt"), b"abcde", OLD + 200000)
        ftptest.write_file(self.local("dst", "n.txt"), b"target, newer", OLD + 200000)
        r = self.check(self.mirror('--newer src "%s"' % self.local("dst")))
        self.assertIn("skip n.txt (target not older)", r.out, r)
        self.assertIn("skip t.txt (target not older)", r.out, r)
        self.assertEqual(read_file(self.local("dst", "n.txt")), b"target, newer")
        r = self.check(self.mirror('--size-only src "%s"' % self.local("dst")))
        self.assertIn("skip t.txt (same size)", r.out, r)
        self.assertEqual(read_file(self.local("dst", "t.txt")), b"abcde")
        self.assertEqual(read_file(self.local("dst", "n.txt")), b"source")
        ftptest.write_file(self.local("dst", "n.txt"), b"target, older", OLD - 200000)
        r = self.check(self.mirror('--newer src "%s"' % self.local("dst")))
        self.assertIn("replace n.txt (source newer)", r.out, r)
        self.assertEqual(read_file(self.local("dst", "n.txt")), b"source")

    # -- uploads --

    def test_upload_then_nothing_to_do(self):
        """-R makes the remote tree equal the local one; a second run sends
        no STOR and leaves the server's files as they are."""
        top = self.local("up")
        self.local_tree(top)
        proxy, url = self.relay()
        r = self.check(self.mirror('-R "%s" dst' % top, url))
        self.assertSameTree(top, self.remote("dst"), r)
        self.assertEqual(self.verbs(proxy, "STOR"), 5, r)
        # Times kept where the server sets them (MFMT: ferryd, pure-ftpd).
        mtime = os.stat(self.remote("dst", UTF8_DIR, UTF8_FILE)).st_mtime
        if self.MFMT:
            self.assertEqual(mtime, OLD, r)
            self.assertEqual(self.verbs(proxy, "MFMT"), 5, r)
        else:
            self.assertNotEqual(mtime, OLD, r)
            self.assertEqual(self.verbs(proxy, "MFMT"), 0, r)
        before = {p: os.stat(os.path.join(self.remote("dst"), p)).st_ino
                  for p in ftptest.tree_snapshot(self.remote("dst"))}
        proxy2, url2 = self.relay()
        r = self.check(self.mirror('-R "%s" dst' % top, url2))
        self.assertEqual(self.verbs(proxy2, "STOR"), 0, r)
        after = {p: os.stat(os.path.join(self.remote("dst"), p)).st_ino
                 for p in ftptest.tree_snapshot(self.remote("dst"))}
        self.assertEqual(before, after, r)

    def test_upload_delete(self):
        """-R --delete removes exactly the remote extras (a file and a
        folder with contents); without --delete they stay."""
        top = self.local("up")
        self.local_tree(top)
        self.check(self.mirror('-R "%s" dst' % top))
        self.put_remote("dst/extra.txt", b"x")
        self.put_remote("dst/old dir/o.txt", b"o")
        r = self.check(self.mirror('-R "%s" dst' % top))
        self.assertTrue(os.path.exists(self.remote("dst", "extra.txt")), r)
        r = self.check(self.mirror('-R --delete "%s" dst' % top))
        self.assertEqual(sorted(p for v, p in self.plan_lines(r) if v == "delete"),
                         ["extra.txt", "old dir/"], r)
        self.assertSameTree(top, self.remote("dst"), r)

    # -- connections and usage --

    def test_parallel_uses_n_connections(self):
        """--parallel 3 logs in three times and copies every file once;
        --parallel 1 logs in once; without the option, four times."""
        for i in range(6):
            self.put_remote("src/f%d.bin" % i, ftptest.random_bytes(20000, seed=i), OLD)
        proxy, url = self.relay()
        r = self.check(self.mirror('--parallel 3 src "%s"' % self.local("p3"), url))
        self.assertEqual(self.verbs(proxy, "USER"), 3, r)
        self.assertEqual(self.verbs(proxy, "RETR"), 6, r)
        self.assertSameTree(self.remote("src"), self.local("p3"), r)
        proxy, url = self.relay()
        r = self.check(self.mirror('--parallel 1 src "%s"' % self.local("p1"), url))
        self.assertEqual(self.verbs(proxy, "USER"), 1, r)
        self.assertSameTree(self.remote("src"), self.local("p1"), r)
        proxy, url = self.relay()
        r = self.check(self.mirror('src "%s"' % self.local("pd"), url))
        self.assertEqual(self.verbs(proxy, "USER"), 4, "mirror's default is 4\n%s" % r)
        self.assertSameTree(self.remote("src"), self.local("pd"), r)

    def test_get_put_tree_parallel(self):
        """get -r --parallel 3 and put -r --parallel 2 copy whole trees over
        that many connections."""
        files = self.remote_tree()
        proxy, url = self.relay()
        r = self.check(self.ferry(script="get -r --parallel 3 src got", url=url))
        self.assertEqual(self.verbs(proxy, "USER"), 3, r)
        self.assertSameTree(self.remote("src"), self.local("got"), r)
        proxy, url = self.relay()
        r = self.check(self.ferry(script="put -r --parallel 2 got sent", url=url))
        self.assertEqual(self.verbs(proxy, "USER"), 2, r)
        self.assertEqual(self.verbs(proxy, "STOR"), len(files), r)
        self.assertSameTree(self.local("got"), self.remote("sent"), r)

    # -- segments --

    def test_segments_exact_bytes(self):
        """get --segments 4: four connections, each from its own REST
        offset; the file arrives byte for byte, and no temporary or state
        file is left."""
        self.put_remote("big.bin", SEG_DATA, OLD)
        proxy, url = self.relay()
        r = self.check(self.ferry(script="get --segments 4 big.bin", url=url))
        self.assertTrue(read_file(self.local("big.bin")) == SEG_DATA, r)
        self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
        self.assertEqual(self.verbs(proxy, "USER"), 4, r)
        rest = sorted(int(c.split()[1]) for c in proxy.commands if c.startswith("REST "))
        q = len(SEG_DATA) // 4
        self.assertEqual(rest, [q, 2 * q, 3 * q], r)
        self.assertEqual(os.stat(self.local("big.bin")).st_mtime, OLD, r)

    def kill_segments(self):
        """A get --segments 3 big.bin killed (SIGKILL) once 400 KB are
        saved in its state; checks what it left."""
        self.put_remote("big.bin", SEG_DATA, OLD)
        slow = peers.ThrottleProxy(self.server.host, self.server.port, rate=512 << 10)
        self.addCleanup(slow.close)
        url = slow.url("/", self.server.user, self.server.password)
        p, outp, errp = self.spawn(self.argv(script="get --segments 3 big.bin", url=url))
        state = self.local(".big.bin.ferry-segments.state")

        def progressed():
            try:
                with open(state) as f:
                    lines = f.read().split("\n")[2:]
                return sum(int(x.split()[2]) for x in lines if x) > 400000
            except (OSError, ValueError, IndexError):
                return False
        self.wait_moving(p, outp, errp, progressed, "400 KB saved in the state")
        p.send_signal(signal.SIGKILL)
        p.wait(5)
        slow.close()
        self.assertEqual(sorted(os.listdir(self.ldir)),
                         [".big.bin.ferry-segments", ".big.bin.ferry-segments.state"])

    def test_segments_resume_after_kill(self):
        """A segmented download killed halfway leaves no file under its
        name, only the temporary and its state; the same command goes on
        from where each range stopped and the bytes are exact."""
        self.kill_segments()
        proxy, url = self.relay()
        r = self.check(self.ferry(script="get --segments 3 big.bin", url=url))
        self.assertIn("resuming", r.err, r)
        self.assertTrue(read_file(self.local("big.bin")) == SEG_DATA, r)
        self.assertEqual(os.listdir(self.ldir), ["big.bin"], r)
        rest = [int(c.split()[1]) for c in proxy.commands if c.startswith("REST ")]
        third = len(SEG_DATA) // 3
        # At least one range went on from its middle, not its start.
        self.assertTrue(any(x % third != 0 for x in rest), "REST %s\n%s" % (rest, r))
        m = re.search(r"resuming big\.bin: (\d+) of (\d+) bytes there", r.err)
        self.assertTrue(m and int(m.group(1)) > 400000 and int(m.group(2)) == len(SEG_DATA), r)

    def test_mirror_delete_keeps_what_segments_resume_from(self):
        """mirror --delete into the directory of a killed segmented
        download neither lists nor deletes its temporary and state: the
        same get --segments still resumes."""
        self.kill_segments()
        self.server.mkdir(self.rel + "/none")
        r = self.check(self.mirror("--delete none ."))
        self.assertNotIn("ferry-segments", r.out, r)
        self.assertEqual(sorted(os.listdir(self.ldir)),
                         [".big.bin.ferry-segments", ".big.bin.ferry-segments.state"], r)
        r = self.check(self.ferry(script="get --segments 3 big.bin"))
        self.assertIn("resuming", r.err, r)
        self.assertTrue(read_file(self.local("big.bin")) == SEG_DATA, r)

    def test_killed_mirror_temporary_of_a_file_gone(self):
        """A mirror killed (SIGKILL) while it downloads leaves the
        temporary of that file; when the server's file is deleted before
        the next run, that run removes the temporary (and nothing else:
        a hidden file of the user's stays)."""
        self.put_remote("src/sub/gone.bin", SEG_DATA, OLD)
        self.put_remote("src/sub/keep.txt", b"keep\n", OLD)
        dst = self.local("dst")
        mine = os.path.join(dst, "sub", ".notes.txt~")
        ftptest.write_file(mine, b"mine\n", OLD)
        slow = peers.ThrottleProxy(self.server.host, self.server.port, rate=512 << 10)
        self.addCleanup(slow.close)
        url = slow.url("/", self.server.user, self.server.password)
        p, outp, errp = self.spawn(self.argv(script='mirror src "%s"' % dst, url=url))
        temps = lambda: [n for n in os.listdir(os.path.join(dst, "sub"))
                         if n.startswith(".gone.bin.ferry-")]
        self.wait_moving(p, outp, errp, lambda: slow.data_bytes > 400000 and temps(),
                         "400 KB of gone.bin downloaded")
        p.send_signal(signal.SIGKILL)
        p.wait(5)
        slow.close()
        left = temps()
        self.assertEqual(len(left), 1, os.listdir(os.path.join(dst, "sub")))
        self.assertGreater(os.path.getsize(os.path.join(dst, "sub", left[0])), 0)
        os.remove(self.remote("src/sub/gone.bin"))
        # Stale temporaries of names longer than a temporary's stem (its
        # start, "~" and a hash): one of a file the server no longer has,
        # one of a file it has, whose local copy is up to date.
        long_gone, long_kept = "g" * 240, "k" * 240
        self.put_remote("src/sub/" + long_kept, b"long\n", OLD)
        ftptest.write_file(os.path.join(dst, "sub", long_kept), b"long\n", OLD)
        for name in (long_gone, long_kept):
            ftptest.write_file(os.path.join(dst, "sub", "." + temp_stem(name) + ".ferry-Ab12Cd"),
                               b"part")
        kept_temp = "." + temp_stem(long_kept) + ".ferry-Ab12Cd"
        r = self.check(self.mirror('src "%s"' % dst))
        self.assertEqual(sorted(os.listdir(os.path.join(dst, "sub"))),
                         sorted([".notes.txt~", "keep.txt", long_kept, kept_temp]), r)
        self.assertEqual(read_file(os.path.join(dst, "sub", "keep.txt")), b"keep\n", r)
        self.assertEqual(read_file(mine), b"mine\n", r)

    def test_removes_the_temporaries_of_each_file(self):
        """mirror --parallel 2 into folders holding stale temporaries of
        several of the tree's files (killed downloads' plain ones and a
        segmented one's; each folder is read once for all of its files)
        removes each of them, at the top and in a subfolder; a temporary
        a running download holds locked stays."""
        files = {"a.bin": b"a" * 700, "b.bin": b"b" * 700, "c.bin": b"c" * 700,
                 "s/d.bin": b"d" * 700}
        for rel, data in files.items():
            self.put_remote("src/" + rel, data, OLD)
        dst = self.local("dst")
        os.makedirs(os.path.join(dst, "s"))
        for rel in (".a.bin.ferry-Ab12Cd", ".b.bin.ferry-segments",
                    ".b.bin.ferry-segments.state", ".c.bin.ferry-Zz99Yy",
                    ".c.bin.ferry-Yy88Xx", "s/.d.bin.ferry-Qq11Ww"):
            ftptest.write_file(os.path.join(dst, rel), b"partial")
        held = os.path.join(dst, ".c.bin.ferry-Hh77Gg")
        ftptest.write_file(held, b"running")
        with open(held, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)    # as a running download holds it
            r = self.check(self.mirror('--parallel 2 src "%s"' % dst))
        self.assertEqual(sorted(os.listdir(dst)),
                         [".c.bin.ferry-Hh77Gg", "a.bin", "b.bin", "c.bin", "s"], r)
        self.assertEqual(os.listdir(os.path.join(dst, "s")), ["d.bin"], r)
        for rel, data in files.items():
            self.assertEqual(read_file(os.path.join(dst, rel)), data, r)
        self.assertEqual(read_file(held), b"running", r)

    def test_remote_names_of_temporaries(self):
        """A remote file named as a download's temporary (".x.ferry-AbC123",
        as a killed download of x leaves one, uploaded later with its
        folder) would be removed as stale by the next download beside it:
        get -r leaves it out with a note instead of saying it was
        downloaded and then removing it, and mirror neither copies it
        (a second run has nothing to do) nor, with -R --delete, deletes
        the server's."""
        temp = ".x.ferry-AbC123"
        for rel in ("x", temp, ".gone.ferry-Zz9876"):
            self.put_remote("src/" + rel, b"data of " + rel.encode(), OLD)
        r = self.check(self.ferry(script="get -r src got"))
        said = sorted(os.path.basename(m) for m in re.findall(r"(?m)^downloaded (\S+):", r.out))
        self.assertEqual(sorted(os.listdir(self.local("got"))), said, r)
        self.assertEqual(said, ["x"], r)
        if temp in self.check(self.ferry(script="ls src")).out:   # not vsftpd: lists dot files
            self.assertIn("skipping got/%s: named as a download's temporary\n" % temp, r.err, r)
        r = self.check(self.mirror("src m"))
        self.assertEqual(os.listdir(self.local("m")), ["x"], r)
        r = self.check(self.mirror("src m"))
        self.assertEqual([a for a in self.plan_lines(r) if a[0] != "skip"], [], r)
        ftptest.write_file(self.local("up", "x"), b"x", OLD)
        self.put_remote("up/" + temp, b"theirs", OLD)
        self.check(self.mirror("-R --delete up up"))
        self.assertEqual(read_file(self.remote("up", temp)), b"theirs")

    def test_segments_refused_while_one_runs(self):
        """A second get --segments of a file one is downloading is refused
        (exit 6) and touches nothing; the running one ends with the exact
        bytes."""
        self.put_remote("big.bin", SEG_DATA, OLD)
        # Slow enough (each segment 6 s) that the second command ends
        # before the first on a loaded machine, then fast to the end.
        slow = peers.ThrottleProxy(self.server.host, self.server.port, rate=1 << 18)
        self.addCleanup(slow.close)
        url = slow.url("/", self.server.user, self.server.password)
        p, outp, errp = self.spawn(self.argv(script="get --segments 2 big.bin", url=url))
        self.wait_moving(p, outp, errp, lambda: slow.data_bytes > 200000, "data moving")
        r = self.check(self.ferry(script="get --segments 2 big.bin"), LOCAL,
                       "a second segmented download")
        self.assertIn("another download of it is running", r.err, r)
        self.assertFalse(os.path.exists(self.local("big.bin")), r)
        self.assertIsNone(p.poll(), "the slow download ended early")
        slow.rate = 16 << 20
        p.wait(60)
        self.assertEqual(p.returncode, OK, self.slow_run(p, outp, errp))
        self.assertTrue(read_file(self.local("big.bin")) == SEG_DATA)
        self.assertEqual(os.listdir(self.ldir), ["big.bin"])

    def test_verify_catches_a_changed_file(self):
        """--verify: a file replaced on the server while it was being
        downloaded does not verify (SIZE differs): exit 7, and no file
        under the real name; an unchanged one verifies."""
        self.put_remote("v.bin", SEG_DATA)
        r = self.check(self.ferry(script="get --verify v.bin ok.bin"))
        self.assertTrue(read_file(self.local("ok.bin")) == SEG_DATA, r)
        slow = peers.ThrottleProxy(self.server.host, self.server.port, rate=1 << 20)
        self.addCleanup(slow.close)
        url = slow.url("/", self.server.user, self.server.password)
        p, outp, errp = self.spawn(self.argv(script="get --verify v.bin bad.bin", url=url))
        self.wait_moving(p, outp, errp, lambda: slow.data_bytes > 200000, "data moving")
        # Replace the file under its name: the server goes on sending the old one.
        newer = self.remote("v.new")
        ftptest.write_file(newer, b"another file")
        self.server.prepare(newer)
        os.replace(newer, self.remote("v.bin"))
        p.wait(30)
        r = self.slow_run(p, outp, errp)
        self.check(r, BROKEN, "a changed file")
        self.assertIn("does not verify", r.err, r)
        self.assertEqual(os.listdir(self.ldir), ["ok.bin"], r)

    def test_missing_source_deletes_nothing(self):
        """A remote source that is not there (vsftpd lists it as empty) is an
        error (status 5), and --delete does not empty the target."""
        ftptest.write_file(self.local("dst", "keep.txt"), b"keep", OLD)
        r = self.ferry(script='mirror --delete nosuch "%s"' % self.local("dst"))
        self.check(r, clitest.REFUSED, "a missing source")
        self.assertEqual(read_file(self.local("dst", "keep.txt")), b"keep", r)

    def unreadable(self, rel):
        """Takes every permission from the remote directory rel (put back
        at cleanup): a server that runs as the test's user and checks
        them refuses to list it; vsftpd lists it as itself."""
        path = self.remote(rel)
        os.chmod(path, 0)
        self.addCleanup(os.chmod, path, 0o755)

    def assertRefusedOrWhole(self, r, name, whole, msg):
        """r either failed (status 5) naming name, or (a server that could
        read everything) succeeded with whole true."""
        if r.code == clitest.REFUSED:
            self.assertErrorLine(r, msg)
            self.assertIn(name, r.err, r)
        else:
            self.check(r, OK, msg)
            self.assertTrue(whole, "%s: success without every file\n%s" % (msg, r))

    def test_delete_keeps_what_the_server_will_not_list(self):
        """A remote directory the server will not read is never taken for
        an empty one (vsftpd lists it as itself, with a 226): mirror
        --delete then deletes nothing, leaving it out with a line naming
        it below the top and failing whole at the top; get -r does not
        pass a part of the tree off as all of it."""
        files = {"a.txt": b"a", "locked/b.txt": b"b", "locked/deeper/c.txt": b"c"}
        for rel, data in files.items():
            self.put_remote("src/" + rel, data, OLD)
        self.check(self.mirror("src dst"))
        before = ftptest.tree_snapshot(self.local("dst"))
        self.unreadable("src/locked")
        r = self.mirror("--delete src dst")
        self.assertEqual(ftptest.tree_snapshot(self.local("dst")), before, r)
        if r.code != OK:   # a server that cannot read it: left out, nothing deleted
            self.assertEqual(r.code, clitest.REFUSED, r)
            self.assertRegex(r.err, r"^ferry: mirror --delete src dst: skipping src/locked: .*\n"
                             r"ferry: mirror --delete src dst: --delete: nothing deleted: "
                             r"src/locked could not be read\n$", r)
        r = self.ferry(script="get -r src got")
        self.assertRefusedOrWhole(r, "locked", ftptest.files_of(self.local("got")) == files,
                                  "get -r of an unreadable folder")
        self.unreadable("src")
        r = self.mirror("--delete src dst")
        self.assertEqual(ftptest.tree_snapshot(self.local("dst")), before, r)
        self.assertRefusedOrWhole(r, "src", True, "an unreadable top")

    def test_get_r_goes_on_past_a_folder_it_cannot_list(self):
        """get -r copies the rest of a tree around a folder below its top
        the server refuses to list: one line names the folder and the
        server's reply, no local folder is made for it, and the status is
        5 (not everything was copied); over one connection and over two
        (--parallel), with the same line."""
        files = {"a.txt": b"a", "locked/b.txt": b"b", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in files.items():
            self.put_remote("src/" + rel, data, OLD)
        self.unreadable("src/locked")
        for cmd, target in (("get -r src got", "got"), ("get -r --parallel 2 src got2", "got2")):
            r = self.ferry(script=cmd)
            got = ftptest.files_of(self.local(target))
            if got == files:   # a server that reads every folder
                self.check(r, OK, "a folder the server could read")
                continue
            self.check(r, clitest.REFUSED, "an unreadable folder below the top")
            self.assertErrorLine(r, "the folder named once")
            self.assertRegex(r.err, r"^ferry: %s: skipping src/locked: the server does not "
                             r"list it: 5\d\d \S" % re.escape(cmd), r)
            self.assertEqual(got, {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}, r)
            self.assertFalse(os.path.exists(self.local(target, "locked")), r)

    def test_get_r_goes_on_past_a_file_it_cannot_read(self):
        """get -r and get of a pattern copy the rest around a file the
        server refuses to send (mode 000, as a web host's .htpasswd): one
        line names it with the server's reply, no local file is made for
        it, the files after it are copied, and the status is 5; over one
        connection as over two (--parallel)."""
        files = {"a.txt": b"a", "locked.txt": b"l", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in files.items():
            self.put_remote("src/" + rel, data, OLD)
        os.chmod(self.remote("src", "locked.txt"), 0)
        self.addCleanup(os.chmod, self.remote("src", "locked.txt"), 0o644)
        os.mkdir(self.local("pat"))
        for cmd, target, rest in (
                ("get -r src got", "got", {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}),
                ("get -r --parallel 2 src got2", "got2",
                 {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}),
                ("get 'src/*.txt' pat", "pat", {"a.txt": b"a", "zz.txt": b"zz"})):
            r = self.ferry(script=cmd)
            got = ftptest.files_of(self.local(target))
            if "locked.txt" in got:   # a server that reads every file
                self.check(r, OK, "a file the server could read")
                continue
            self.check(r, clitest.REFUSED, "an unreadable file in the tree")
            self.assertErrorLine(r, "the file named once")
            self.assertRegex(r.err, r"^ferry: %s: \S*locked.txt: 5\d\d " % re.escape(cmd), r)
            self.assertEqual(got, rest, r)

    def test_mirror_goes_on_past_a_folder_it_cannot_list(self):
        """mirror copies the rest of a tree around a folder below its top
        the server refuses to list, as get -r does and as rsync does:
        one line names the folder with the server's reply, the other
        files are copied, and with --delete nothing at all is deleted
        (that folder is unknown, not empty: its local copy stays, and so
        does every other extra), said on a line of its own; status 5."""
        for rel in ("a.txt", "locked/b.txt", "z/c.txt"):
            self.put_remote("src/" + rel, b"new", OLD + 10)
        ftptest.write_file(self.local("dst", "a.txt"), b"older", OLD)
        ftptest.write_file(self.local("dst", "extra.txt"), b"x", OLD)
        ftptest.write_file(self.local("dst", "locked", "b.txt"), b"old b", OLD)
        self.unreadable("src/locked")
        for args in ("src dst", "--delete src dst"):
            r = self.mirror(args)
            files = ftptest.files_of(self.local("dst"))
            if files.get("locked/b.txt") == b"new":   # a server that reads every folder
                self.check(r, OK, "a folder the server could read")
                continue
            self.assertEqual(r.code, clitest.REFUSED, r)
            self.assertRegex(r.err, r"(?m)^ferry: mirror %s: skipping src/locked: the server "
                             r"does not list it: 5\d\d \S" % re.escape(args), r)
            self.assertEqual(files, {"a.txt": b"new", "z/c.txt": b"new", "extra.txt": b"x",
                                     "locked/b.txt": b"old b"}, r)
            self.assertNotIn("delete ", r.out, r)
            if args.startswith("--delete"):
                self.assertRegex(r.err, r"(?m)^ferry: mirror %s: --delete: nothing deleted: "
                                 r"src/locked could not be read$" % re.escape(args), r)
                self.assertEqual(len(r.err.splitlines()), 2, r)
            else:
                self.assertErrorLine(r, "mirror " + args)

    def test_tree_of_a_file(self):
        """A file named where a folder is wanted (here or in a folder):
        mirror refuses it (5) with one line saying it is not a directory
        on the server, not with the server's refusal of CWD, and makes
        nothing; get -r of a link to a file copies the file or
        (pure-ftpd, whose MLST tells a link) says the same, never makes
        an empty folder of it; get -r and rm -r of a plain file copy and
        delete it as a file."""
        for name in ("f.txt", "sub/f.txt"):
            self.put_remote(name, b"f", OLD)
            r = self.mirror("%s dst" % name)
            self.check(r, clitest.REFUSED, "mirror of a file")
            self.assertEqual(r.err, "ferry: mirror %s dst: %s: not a directory on the "
                             "server\n" % (name, name), r)
            self.assertEqual(os.listdir(self.ldir), [], r)
        # After the mirror: vsftpd lists a file together with a link to it.
        for link in ("flink", "sub/flink"):
            os.symlink("f.txt", self.remote(link))
            r = self.ferry(script="get -r %s fl" % link)
            if r.code == OK:
                self.assertEqual(read_file(self.local("fl")), b"f", r)
                os.unlink(self.local("fl"))
                continue
            self.check(r, clitest.REFUSED, "get -r of a link to a file")
            self.assertEqual(r.err, "ferry: get -r %s fl: %s: not a directory on the "
                             "server\n" % (link, link), r)
            self.assertFalse(os.path.lexists(self.local("fl")), r)
        r = self.check(self.ferry("-y", script="get -r f.txt got.txt; rm -r f.txt"))
        self.assertEqual(read_file(self.local("got.txt")), b"f", r)
        self.assertFalse(os.path.exists(self.remote("f.txt")), r)

    def test_rm_r_goes_on_past_a_folder_it_cannot_list(self):
        """rm -r deletes everything around a folder the server refuses to
        list, as rm -r of coreutils does: one line names the folder and
        the server's reply, the folder and the folders above it stay
        (they cannot be emptied), an empty one is removed all the same, a
        second tree named goes too, and the status is 5."""
        for rel in ("a.txt", "locked/b.txt", "locked/in/c.txt", "z/c.txt", "z/zz/d.txt",
                    "zz.txt"):
            self.put_remote("d/" + rel, b"x", OLD)
        self.put_remote("e/f.txt", b"f", OLD)
        self.server.mkdir(self.rel + "/d/z/void")
        self.unreadable("d/locked")
        os.chmod(self.remote("d", "z", "void"), 0)   # root removes the test's tree as it is
        r = self.ferry("-y", script="rm -r d e")
        self.check(r, clitest.REFUSED, "an unreadable folder in the tree")
        self.assertRegex(r.err_lines[0], r"^ferry: rm -r d e: cannot delete d/locked: the server "
                         r"does not list it: 5\d\d \S", r)
        self.assertEqual(sorted(os.listdir(self.remote("d"))), ["locked"], r)
        self.assertEqual(ftptest.files_of(self.remote("d")),
                         {"locked/b.txt": b"x", "locked/in/c.txt": b"x"}, r)
        self.assertFalse(os.path.exists(self.remote("e")), r)

    def test_rm_r_of_a_missing_name(self):
        """rm -r of a name the server does not have says so in one line with
        the server's reply, status 5: a missing top is no folder left
        unread."""
        r = self.ferry("-y", script="rm -r nosuch")
        self.check(r, clitest.REFUSED, "rm -r of a missing name")
        self.assertEqual(len(r.err_lines), 1, r)
        self.assertRegex(r.err, r"^ferry: rm -r nosuch: (nosuch: )?5\d\d ", r)
        self.assertNotIn("does not list", r.err, r)

    def put_r_locked(self, top):
        """A local tree at top holding a folder locked/ that ferry cannot
        read (chmod 000, ferry run without root's override); returns the
        files of the rest."""
        files = {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in list(files.items()) + [("locked/b.txt", b"b")]:
            ftptest.write_file(self.local(top, rel), data, OLD)
        os.chmod(self.local(top, "locked"), 0)
        self.addCleanup(os.chmod, self.local(top, "locked"), 0o755)
        return files

    def test_put_r_goes_on_past_a_folder_it_cannot_read(self):
        """put -r uploads the rest of a local tree around a folder it cannot
        read: one line names it and why, no remote folder is made for it,
        and the status is 6 (a local file could not be read)."""
        files = self.put_r_locked("up")
        # Over one connection and over two.
        for cmd, target in (("put -r up", "up"), ("put -r --parallel 2 up up2", "up2")):
            r = self.run_cmd(NO_DAC + self.argv(script=cmd))
            self.assertEqual(r.code, LOCAL, r)
            # vsftpd has no MFMT, which a note says
            self.assertEqual([e for e in r.err_lines if not e.startswith("note: ")],
                             ["ferry: %s: skipping up/locked: cannot read it: "
                              "Permission denied" % cmd], r)
            self.assertEqual(ftptest.files_of(self.remote(target)), files, r)
            self.assertFalse(os.path.exists(self.remote(target, "locked")), r)

    def test_put_r_goes_on_past_a_file_it_cannot_read(self):
        """put -r and put of a pattern upload the rest around a local file
        they cannot read: one line names it and why, and the status is 6."""
        files = {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in list(files.items()) + [("locked.txt", b"l")]:
            ftptest.write_file(self.local("up", rel), data, OLD)
        os.chmod(self.local("up", "locked.txt"), 0)
        self.server.mkdir(self.rel + "/pat")
        for cmd, target, rest in (("put -r up", "up", files),
                                  ("put 'up/*.txt' pat", "pat",
                                   {"a.txt": b"a", "zz.txt": b"zz"})):
            r = self.run_cmd(NO_DAC + self.argv(script=cmd))
            self.assertEqual(r.code, LOCAL, r)
            self.assertEqual([e for e in r.err_lines if not e.startswith("note: ")],
                             ["ferry: %s: up/locked.txt: Permission denied" % cmd], r)
            self.assertEqual(ftptest.files_of(self.remote(target)), rest, r)

    def put_line_break(self, cmd, name, target, rest):
        """Runs cmd, an upload of a tree holding a local name with a line
        break (name: a pattern for it), and checks that it ends with status
        6, one error line naming it, and the rest (rest) in target;
        returns the run."""
        r = self.ferry(script=cmd)
        self.assertEqual(r.code, LOCAL, r)
        self.assertEqual(len([e for e in r.err_lines if not e.startswith("note: ")]), 1, r)
        self.assertRegex(r.err, r"(?m)^ferry: %s: \S*%s: a name cannot contain a line break$"
                         % (re.escape(cmd), name), r)
        self.assertEqual(ftptest.files_of(self.remote(target)), rest, r)
        return r

    def test_put_r_goes_on_past_a_name_with_a_line_break(self):
        """A local file whose name holds a line break, which no FTP command
        can carry, is a local name in the way: put -r, put of a pattern
        and mirror -R name it in one line, upload the rest and end with
        status 6 (not 2, a usage error)."""
        files = {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in list(files.items()) + [("new\nline.txt", b"n")]:
            ftptest.write_file(self.local("up", rel), data, OLD)
        self.server.mkdir(self.rel + "/pat")
        for cmd, target, rest in (("put -r up", "up", files),
                                  ("put -r --parallel 2 up up2", "up2", files),
                                  ("mirror -R up up3", "up3", files),
                                  ("put 'up/*.txt' pat", "pat",
                                   {"a.txt": b"a", "zz.txt": b"zz"})):
            self.put_line_break(cmd, "new.line.txt", target, rest)

    def test_put_r_goes_on_past_a_folder_with_a_line_break(self):
        """A local folder whose name holds a line break is a local name in
        the way as such a file is: put -r (also with --parallel) and mirror
        -R name it in one line, make no remote folder for it, upload the
        rest (folders after it too) and end with status 6 (not 2, a usage
        error)."""
        files = {"a.txt": b"a", "z/c.txt": b"c", "zz.txt": b"zz"}
        for rel, data in list(files.items()) + [("bad\ndir/b.txt", b"b"),
                                                ("bad\ndir/sub/d.txt", b"d")]:
            ftptest.write_file(self.local("up", rel), data, OLD)
        for cmd, target in (("put -r up", "up"), ("put -r --parallel 2 up up2", "up2"),
                            ("mirror -R up up3", "up3")):
            r = self.put_line_break(cmd, "bad.dir", target, files)
            self.assertEqual(sorted(os.listdir(self.remote(target))), ["a.txt", "z", "zz.txt"],
                             r)

    def test_mirror_r_delete_keeps_what_it_cannot_read(self):
        """mirror -R --delete never deletes what is on the server under a
        local folder it could not read: that folder is unknown, not
        empty."""
        self.put_r_locked("up")
        self.put_remote("up/locked/b.txt", b"old b", OLD)
        self.put_remote("up/locked/old.txt", b"old", OLD)
        r = self.run_cmd(NO_DAC + self.argv(script="mirror -R --delete up up"))
        self.assertNotEqual(r.code, OK, r)
        self.assertIn("up/locked", r.err, r)
        self.assertEqual(ftptest.files_of(self.remote("up", "locked")),
                         {"b.txt": b"old b", "old.txt": b"old"}, r)

    def test_delete_deletes_nothing_after_a_partial_listing(self):
        """A listing with a line ferry does not understand (vsftpd prints a
        name holding a line break as two lines) is not whole: mirror
        --delete then deletes nothing (the local copy of that name stays,
        and so does every other extra), says why, copies the rest and
        ends with status 5. A server that leaves such names out gives
        listings that look whole, and the mirror follows them."""
        self.put_remote("src/a.txt", b"a", OLD)
        self.put_remote("src/sub/new\nline.txt", b"n", OLD)
        self.put_remote("src/sub/b.txt", b"b", OLD)
        ftptest.write_file(self.local("dst", "sub", "new\nline.txt"), b"n", OLD)
        ftptest.write_file(self.local("dst", "extra.txt"), b"x", OLD)
        r = self.mirror("--delete src dst")
        if not self.LISTS_LINE_BREAKS:
            # The server leaves the name out of its listings: nothing tells
            # that they are not whole, and the mirror follows them.
            self.check(r)
            self.assertEqual(ftptest.files_of(self.local("dst")),
                             {"a.txt": b"a", "sub/b.txt": b"b"}, r)
            return
        # The first half of the name's line is read as a file "new", which
        # the server then does not have: that fails on its own line.
        self.assertEqual(r.code, clitest.REFUSED, r)
        self.assertIn("nothing deleted", r.err, r)
        self.assertIn("sub", r.err, r)
        self.assertEqual(read_file(self.local("dst", "sub", "new\nline.txt")), b"n", r)
        self.assertEqual(read_file(self.local("dst", "extra.txt")), b"x", r)
        self.assertEqual(read_file(self.local("dst", "a.txt")), b"a", r)
        self.assertEqual(read_file(self.local("dst", "sub", "b.txt")), b"b", r)
        self.assertNotIn("delete ", r.out, r)

    def test_delete_deletes_nothing_after_a_broken_listing(self):
        """A listing whose data connection breaks halfway is a failure
        (status 7), not a shorter listing: mirror --delete deletes
        nothing."""
        names = ["file-with-a-rather-long-name-%03d.txt" % i for i in range(60)]
        for name in names:
            self.put_remote("src/" + name, b"x", OLD)
        self.check(self.mirror("src dst"))
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20,
                                    cut_data_after=1000)
        self.addCleanup(proxy.close)
        url = proxy.url("/", self.server.user, self.server.password)
        r = self.check(self.mirror("--delete src dst", url), BROKEN, "a broken listing")
        self.assertEqual(proxy.cuts, 1, r)
        self.assertEqual(sorted(os.listdir(self.local("dst"))), names, r)

    def test_usage_errors(self):
        """Bad options are usage errors (status 2) and change nothing."""
        self.put_remote("src/a", b"a")
        for args in ("src", "--parallel 0 src d", "--parallel x src d", "--bogus src d",
                     "--newer --size-only src d", "--include", "src d e"):
            r = self.ferry(script="mirror " + args)
            self.check(r, USAGE, args)
        for cmd in ("get --segments 0 src/a", "get --segments 2 -r src", "get --segments",
                    "get -c --segments 2 src/a", "get --segments 2 src/a -",
                    "get --bogus src/a", "put --segments 2 x"):
            self.check(self.ferry(script=cmd), USAGE, cmd)
        self.assertEqual(os.listdir(self.ldir), [])

    def test_checksum(self):
        """--checksum: where the server offers HASH (ferryd), a file changed
        on the server with its size and time kept is found by its digest
        (sha256 of both sides) and replaced, which size and time miss;
        where it does not (vsftpd, pure-ftpd), a note says so and size and
        time decide."""
        self.remote_tree()
        self.check(self.mirror('src "%s"' % self.local("dst")))
        # Same size, same time, other bytes.
        self.put_remote("src/a.txt", b"ALPHA\n", OLD)
        r = self.check(self.mirror('src "%s"' % self.local("dst")))
        self.assertIn(("skip", "a.txt"), self.plan_lines(r), r)
        proxy, url = self.relay()
        r = self.check(self.mirror('--checksum src "%s"' % self.local("dst"), url))
        if self.HASH:
            self.assertNotIn("HASH", r.err, r)
            self.assertIn("replace a.txt (checksum differs)", r.out, r)
            self.assertIn("skip with space.bin (same checksum)", r.out, r)
            self.assertEqual(read_file(self.local("dst", "a.txt")), b"ALPHA\n", r)
            self.assertEqual(self.verbs(proxy, "HASH"), 5, r)
            self.assertEqual(self.verbs(proxy, "RETR"), 1, r)
        else:
            self.assertIn("does not offer HASH", r.err, r)
            self.assertEqual(self.verbs(proxy, "HASH"), 0, r)
            self.assertTrue(all(v == "skip" for v, _ in self.plan_lines(r)), r)
            self.assertEqual(read_file(self.local("dst", "a.txt")), b"alpha\n", r)

    def test_verify_asks_hash_or_size(self):
        """--verify asks the server for HASH where it offers it, else SIZE,
        after each file of a get, a put and a mirror."""
        self.remote_tree()
        proxy, url = self.relay()
        self.check(self.ferry(script='get --verify "src/with space.bin" w.bin; '
                              'put --verify w.bin back.bin; mirror --verify src m', url=url))
        self.assertTrue(read_file(self.remote("back.bin")) == read_file(self.remote(
            "src", "with space.bin")))
        self.assertSameTree(self.remote("src"), self.local("m"))
        verb = "HASH" if self.HASH else "SIZE"
        asked = [c for c in proxy.commands if c.startswith(verb + " ")]
        for name in ("with space.bin", "back.bin", "src/empty"):
            self.assertTrue(any(c.endswith(name) for c in asked), "%s %s not sent: %s"
                            % (verb, name, proxy.commands))


class SharedProgressTest(clitest.CliBase, ftptest.TestCase):
    """On a terminal, mirror --parallel shows one progress line for all its
    connections ("N/M" files done, the bytes of all of them), erased at the
    end."""
    PEER = "ferryd"

    def test_one_progress_line(self):
        for i in range(4):
            self.put_remote("src/big%d.bin" % i, ftptest.random_bytes(3 << 20, seed=40 + i))
        slow = peers.ThrottleProxy(self.server.host, self.server.port, rate=1 << 20)
        self.addCleanup(slow.close)
        url = slow.url("/", self.server.user, self.server.password)
        tuitest.tmux_path()
        t = tuitest.Tmux()
        self.addCleanup(t.kill)
        t.start(self.argv(script='mirror --parallel 4 src "%s"; lls' % self.local("dst"),
                          url=url), cwd=self.ldir, env={"HOME": self.home}, width=100, height=20)
        t.wait_for(r"\d/4\s+\d+% \[", 20, "one line for the four files")
        s = t.screen()
        bars = [line for line in s.split("\n") if re.search(r"\d/4\s+\d+% \[", line)]
        self.assertEqual(len(bars), 1, tuitest.Tmux.framed(s))
        t.wait_for(r"mirror: 4 copied", 60, "the summary")
        s = t.screen()
        self.assertNotRegex(s, r"\d/4\s+\d+% \[", "the progress line is left on the screen")
        self.assertEqual(ftptest.tree_snapshot(self.remote("src")),
                         ftptest.tree_snapshot(self.local("dst")))


class NamesTests(clitest.CliBase):
    """Awkward names both ways, on one peer; IAC: how the peer reads a 0xFF
    byte on the control connection (--iac)."""

    IAC = "on"
    NAMES = {
        " leading space.txt": b"l\n",
        "trailing space .txt": b"t\n",
        "a*b?[c].txt": b"g\n",
        "-dash.txt": b"d\n",
        "semi;colon #hash.txt": b"h\n",
        "\udcffbyte.bin": b"ff\n",
        " dir with lead/inner": b"i\n",
        "\udcffdir/x": b"x\n",
    }

    def count(self, verb, script):
        """Runs script through a relay; returns (run, how many verb commands)."""
        proxy = peers.ThrottleProxy(self.server.host, self.server.port, rate=256 << 20)
        self.addCleanup(proxy.close)
        url = proxy.url("/", self.server.user, self.server.password)
        r = self.check(self.ferry(script="set iac %s; %s" % (self.IAC, script), url=url))
        return r, len([c for c in proxy.commands if c.split(" ")[0].upper() == verb])

    def test_awkward_names_both_ways(self):
        for rel, data in self.NAMES.items():
            self.put_remote("src/" + rel, data, OLD)
            ftptest.write_file(self.local("up", rel), data, OLD)
        for verb, script, a, b in (("RETR", "mirror src dst", self.remote("src"),
                                    self.local("dst")),
                                   ("STOR", "mirror -R up sent", self.local("up"),
                                    self.remote("sent"))):
            r, n = self.count(verb, script)
            self.assertEqual(n, len(self.NAMES), r)
            self.assertEqual(ftptest.tree_snapshot(a), ftptest.tree_snapshot(b), r)
            r, n = self.count(verb, script)
            self.assertEqual(n, 0, r)


class FerrydNames(NamesTests, ftptest.TestCase):
    PEER = "ferryd"


class ProftpdNames(NamesTests, ftptest.TestCase):
    PEER = "proftpd"


class PyftpdlibNames(NamesTests, ftptest.TestCase):
    PEER = "pyftpdlib"
    IAC = "off"
    # pyftpdlib refuses MKD of a name that is not UTF-8 ("501 can't decode
    # path"), though it stores and lists such files.
    NAMES = {k: v for k, v in NamesTests.NAMES.items() if k != "\udcffdir/x"}


class VsftpdNames(NamesTests, ftptest.TestCase):
    PEER = "vsftpd"
    IAC = "off"


class PureFtpdNames(NamesTests, ftptest.TestCase):
    PEER = "pure-ftpd"
    IAC = "off"


class FerrydMirrorTest(MirrorTests, ftptest.TestCase):
    PEER = "ferryd"
    HASH = True     # ferryd offers HASH (SHA-256 by default)
    MFMT = True
    LISTS_LINE_BREAKS = False   # names with a line break are left out of its listings


class VsftpdMirrorTest(MirrorTests, ftptest.TestCase):
    PEER = "vsftpd"
    HASH = False
    MFMT = False
    LISTS_LINE_BREAKS = True    # LIST prints a name with a line break as two lines


class PureFtpdMirrorTest(MirrorTests, ftptest.TestCase):
    PEER = "pure-ftpd"
    HASH = False
    MFMT = True
    LISTS_LINE_BREAKS = False   # names with a line break are left out of its listings


if __name__ == "__main__":
    unittest.main(verbosity=2)
