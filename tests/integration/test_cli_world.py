"""ferry, the command-line client, on names and commands met in the
world, against ferryd and the four peers: remote names that start with
'-' (which a LIST-only server such as vsftpd would read as options of its
ls), names that hold wildcards while naming one file exactly, and ls of
a name the server does not have, directory names that hold '"', and
files whose sizes sit at the edges of buffers."""

import os
import unittest

import clitest
import ftptest
from ftptest import read_file


class WorldTests(clitest.CliBase):
    """The tests every peer of this file runs."""

    def test_names_starting_with_dash(self):
        """ls, get -r and rm -r of a directory called "-d" work on what is
        in it, never on the directory around it, and ls of a file called
        "-f" shows that file."""
        self.put_remote("-d/inner.txt", b"inside\n")
        self.put_remote("-f", b"dash file\n")
        self.put_remote("outer.txt", b"outside\n")
        r = self.check(self.ferry("-q", script="ls -1 -- -d"))
        self.assertEqual(r.out_lines, ["inner.txt"], r)
        r = self.check(self.ferry("-q", script="ls -- -f"))
        self.assertEqual(len(r.out_lines), 1, r)
        self.assertTrue(r.out_lines[0].endswith(" -f"), r)
        r = self.check(self.ferry("-q", script="get -r -- -d"))
        self.assertEqual(sorted(os.listdir(self.ldir)), ["-d"], r)
        self.assertEqual(os.listdir(self.local("-d")), ["inner.txt"], r)
        self.assertEqual(read_file(self.local("-d", "inner.txt")), b"inside\n", r)
        r = self.check(self.ferry("-q", "-y", script="rm -r -- -d"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["-f", "outer.txt"], r)
        self.assertEqual(read_file(self.remote("outer.txt")), b"outside\n", r)

    def test_exact_name_with_wildcards_to_a_local_name(self):
        """A remote name that holds wildcards and names a file exactly is
        that file alone, so it downloads to the local name given."""
        self.put_remote("data[1].csv", b"one,two\n")
        self.put_remote("q?.txt", b"question\n")
        self.put_remote("q1.txt", b"not this\n")
        r = self.check(self.ferry("-q", script="get 'data[1].csv' mine.csv; "
                                               "get 'q?.txt' one.txt"))
        self.assertEqual(read_file(self.local("mine.csv")), b"one,two\n", r)
        self.assertEqual(read_file(self.local("one.txt")), b"question\n", r)
        self.assertEqual(sorted(os.listdir(self.ldir)), ["mine.csv", "one.txt"], r)


    def test_ls_of_a_missing_name_fails(self):
        """ls of a name the server does not have fails with 5 and one
        line, also where LIST answers it with an empty listing (vsftpd);
        an empty directory lists as nothing, status 0."""
        self.server.mkdir(self.rel + "/empty")
        r = self.ferry("-q", script="ls nosuch")
        self.check(r, clitest.REFUSED, "ls of a missing name")
        self.assertIn("ls nosuch: 5", r.err, r)
        r = self.check(self.ferry("-q", script="ls empty; ls -1 empty/"))
        self.assertEqual(r.out, "", r)

    def test_directory_names_with_quotes(self):
        """pwd in directories whose names hold '"' prints their names, as
        the server has them, whether its 257 reply doubles the quote (RFC
        959) or not (pure-ftpd); and get -r of an empty directory there
        comes back to where it was (before, on pure-ftpd: "/pub/...a" and
        a failed CWD back)."""
        self.server.mkdir(self.rel + '/q"r/in " q/e')
        r = self.check(self.ferry("-q", script="""cd 'q"r'; pwd; cd 'in " q'; pwd; """
                                                "get -r e; pwd"))
        here = "/" + self.rel
        self.assertEqual(r.out_lines, [here + '/q"r', here + '/q"r/in " q',
                                       here + '/q"r/in " q'], r)
        self.assertEqual(os.listdir(self.local("e")), [], r)

    def test_sizes_at_buffer_edges(self):
        """Files of 0 bytes, 64 KiB, 1 MiB and 1 MiB + 1 go up and come
        back byte for byte, each summary counting its bytes; a download
        cut at 64 KiB goes on (get -c) with the rest only."""
        sizes = {"zero": 0, "k64": 64 << 10, "m1": 1 << 20, "m1p": (1 << 20) + 1}
        data = {n: ftptest.random_bytes(k, seed=70 + k % 7) for n, k in sizes.items()}
        for name, body in data.items():
            clitest.write_local(self.local("up", name), body)
        names = sorted(sizes)
        r = self.check(self.ferry(script="; ".join("put up/%s %s" % (n, n) for n in names)))
        self.assertStats(r, [("uploaded", [n], sizes[n]) for n in names])
        for n in names:
            self.assertEqual(read_file(self.remote(n)), data[n], n)
        os.mkdir(self.local("down"))
        clitest.write_local(self.local("down", "m1p"), data["m1p"][:64 << 10])
        r = self.check(self.ferry(script="lcd down; get -c m1p; " + "; ".join(
            "get %s" % n for n in names if n != "m1p")))
        self.assertStats(r, [("downloaded", ["m1p"], sizes["m1p"] - (64 << 10))] +
                         [("downloaded", [n], sizes[n]) for n in names if n != "m1p"])
        for n in names:
            self.assertEqual(read_file(self.local("down", n)), data[n], n)

    def test_dot_files(self):
        """Names starting with '.' (a file, a folder, a file inside it)
        show in ls, come down with get -r and mirror (whose --delete
        removes a local name the server lacks, never theirs) and go with
        rm -r, also where LIST alone lists them (vsftpd leaves them out
        of a plain LIST), and a name starting with '-' still lists what
        it names."""
        self.put_remote("t/.htaccess", b"deny from all\n")
        self.put_remote("t/.config/rc", b"rc\n")
        self.put_remote("t/.config/.inner", b"inner\n")
        self.put_remote("t/plain.txt", b"plain\n")
        self.put_remote("-d/.hid", b"dash hidden\n")
        r = self.check(self.ferry("-q", script="ls -1 t; ls -1 t/.config; ls -1 -- -d"))
        self.assertEqual(r.out_lines, [".config", ".htaccess", "plain.txt",
                                       ".inner", "rc", ".hid"], r)
        r = self.check(self.ferry("-q", script="get -r t"))
        self.assertEqual(sorted(os.listdir(self.local("t"))),
                         [".config", ".htaccess", "plain.txt"], r)
        self.assertEqual(sorted(os.listdir(self.local("t", ".config"))), [".inner", "rc"], r)
        self.assertEqual(read_file(self.local("t", ".htaccess")), b"deny from all\n", r)
        self.assertEqual(read_file(self.local("t", ".config", ".inner")), b"inner\n", r)
        clitest.write_local(self.local("m", ".config", ".stale"), b"stale\n")
        r = self.check(self.ferry("-q", script="mirror --delete t m"))
        self.assertEqual(sorted(os.listdir(self.local("m"))),
                         [".config", ".htaccess", "plain.txt"], r)
        self.assertEqual(sorted(os.listdir(self.local("m", ".config"))), [".inner", "rc"], r)
        self.assertEqual(read_file(self.local("m", ".htaccess")), b"deny from all\n", r)
        r = self.check(self.ferry("-q", "-y", script="rm -r t"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["-d"], r)

    def test_exact_name_with_wildcards_in_segments_and_resumed(self):
        """get --segments and get -c of a name that holds wildcards and
        names one file exactly fetch that file whole into the local name
        given (the rest only, for -c)."""
        body = ftptest.random_bytes(300000, seed=41)
        self.put_remote("data[1].csv", body)
        self.put_remote("data1.csv", b"not this\n")
        clitest.write_local(self.local("part.csv"), body[:100000])
        r = self.check(self.ferry("-q", script="get --segments 3 'data[1].csv' seg.csv; "
                                               "get -c 'data[1].csv' part.csv"))
        self.assertEqual(read_file(self.local("seg.csv")), body, r)
        self.assertEqual(read_file(self.local("part.csv")), body, r)
        self.assertEqual(sorted(os.listdir(self.ldir)), ["part.csv", "seg.csv"], r)

    def test_escaped_wildcards(self):
        """A backslash makes the wildcard after it an ordinary character:
        get and rm of 'st\\*ar', 'q\\?' and 'a\\[1]' take the files called
        st*ar, q? and a[1] alone, to the local name given too."""
        names = ["st*ar", "star", "stXar", "q?", "qx", "a[1]", "a1"]
        for n in names:
            self.put_remote(n, n.encode() + b"\n")
        r = self.check(self.ferry("-q", script=r"get 'st\*ar'; get 'q\?'; get 'a\[1]'; "
                                               r"get 'st\*ar' mine"))
        self.assertEqual(sorted(os.listdir(self.ldir)), ["a[1]", "mine", "q?", "st*ar"], r)
        self.assertEqual(read_file(self.local("st*ar")), b"st*ar\n", r)
        self.assertEqual(read_file(self.local("mine")), b"st*ar\n", r)
        self.assertEqual(read_file(self.local("q?")), b"q?\n", r)
        self.assertEqual(read_file(self.local("a[1]")), b"a[1]\n", r)
        r = self.check(self.ferry("-q", "-y", script=r"rm 'st\*ar' 'q\?' 'a\[1]'"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["a1", "qx", "stXar", "star"], r)

    def test_put_escaped_wildcards(self):
        """put of 'st\\*ar' uploads the local file called st*ar alone (never
        star), to the remote name given or under its own name; so do
        'q\\?' and 'a\\[1]'."""
        names = ["st*ar", "star", "q?", "qx", "a[1]", "a1"]
        for n in names:
            clitest.write_local(self.local(n), n.encode() + b" here\n")
        r = self.check(self.ferry("-q", script=r"put 'st\*ar' theirs; put 'st\*ar'; "
                                               r"put 'q\?'; put 'a\[1]' one"))
        self.assertEqual(sorted(os.listdir(self.rdir)), ["one", "q?", "st*ar", "theirs"], r)
        self.assertEqual(read_file(self.remote("theirs")), b"st*ar here\n", r)
        self.assertEqual(read_file(self.remote("st*ar")), b"st*ar here\n", r)
        self.assertEqual(read_file(self.remote("q?")), b"q? here\n", r)
        self.assertEqual(read_file(self.remote("one")), b"a[1] here\n", r)


class FerrydWorldTest(WorldTests, ftptest.TestCase):
    PEER = "ferryd"


class VsftpdWorldTest(WorldTests, ftptest.TestCase):
    PEER = "vsftpd"


class PureFtpdWorldTest(WorldTests, ftptest.TestCase):
    PEER = "pure-ftpd"


class ProftpdWorldTest(WorldTests, ftptest.TestCase):
    PEER = "proftpd"


class PyftpdlibWorldTest(WorldTests, ftptest.TestCase):
    PEER = "pyftpdlib"


if __name__ == "__main__":
    unittest.main(verbosity=2)
