"""ferryd with the special files a real tree holds (a UNIX socket left by
a program, a FIFO) and clients that read or write them in place: python's
ftplib RETR, HASH, and REST before STOR; lftp get. A file that is not a
regular one gets the permanent 550 "Not a regular file.", whatever kind
it is, never a 4xx that tells the client to try again (lftp would send
RETR again and again, waiting longer each time)."""

import ftplib
import io
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import unittest

import config
import ftptest


class WorldBase(ftptest.TestCase):
    """A ferryd (server_args) serving a root with plain.txt and what
    prepare(srv) adds before it starts."""

    server_args = ["--anonymous=rw"]

    @classmethod
    def setUpClass(cls):
        srv = ftptest.Server(cls.server_args)
        cls.addClassCleanup(srv.cleanup)
        srv.write("plain.txt", b"plain\n")
        cls.prepare(srv)
        srv.start()
        cls.server = srv

    @classmethod
    def prepare(cls, srv):
        pass

    def ftp(self):
        f = ftptest.Ftp(self.server)
        self.addCleanup(f.close)
        return f


class SpecialFilesTest(WorldBase):

    @classmethod
    def prepare(cls, srv):
        os.mkfifo(srv.path("fifo"))
        # A listening socket nobody accepts on, as a daemon leaves one.
        cls.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        cls.addClassCleanup(cls.sock.close)
        cls.sock.bind(srv.path("sock"))
        cls.sock.listen(1)

    def assertNotRegular(self, name, call):
        with self.assertRaises(ftplib.error_perm) as cm:
            call()
        self.assertEqual(str(cm.exception), "550 /%s: Not a regular file." % name)

    def test_retr_of_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.retrbinary("RETR sock", lambda b: None))
        # The session goes on: the file next to it downloads.
        got = []
        f.retrbinary("RETR plain.txt", got.append)
        self.assertEqual(b"".join(got), b"plain\n")

    def test_retr_of_a_fifo(self):
        f = self.ftp()
        self.assertNotRegular("fifo", lambda: f.retrbinary("RETR fifo", lambda b: None))

    def test_hash_of_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.sendcmd("HASH sock"))

    def test_resumed_upload_into_a_socket(self):
        f = self.ftp()
        self.assertNotRegular("sock", lambda: f.storbinary("STOR sock", io.BytesIO(b"x"),
                                                           rest=1))
        self.assertTrue(os.path.exists(self.server.path("sock")))

    def test_resumed_upload_into_a_fifo_without_reader(self):
        f = self.ftp()
        self.assertNotRegular("fifo", lambda: f.storbinary("STOR fifo", io.BytesIO(b"x"),
                                                           rest=1))

    def test_lftp_get_of_a_socket_is_not_retried(self):
        ftptest.require_program(config.LFTP, "lftp")
        tmp = tempfile.mkdtemp(prefix="ferryd-world-")
        self.addCleanup(shutil.rmtree, tmp, True)
        script = ("set net:max-retries 3; set net:reconnect-interval-base 2; "
                  "open %s; get sock" % self.server.url(""))
        r = subprocess.run([config.LFTP, "--norc", "-d", "-c", script], cwd=tmp,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        trace = r.stderr.decode("utf-8", "replace")
        self.assertNotEqual(r.returncode, 0, trace[-2000:])
        self.assertEqual(trace.count("---> RETR sock"), 1, trace[-2000:])
        self.assertIn("<--- 550 /sock: Not a regular file.", trace)
        self.assertEqual(os.listdir(tmp), [])


class UploadOntoSpecialFilesTest(WorldBase):
    """STOR and APPE onto a UNIX socket, a FIFO or a device node that a
    program made in the served tree: the node is not a regular file and
    not ferryd's to replace, so the upload is refused before its 150 with
    the 550 RETR gives it, and the node stays (vsftpd and pure-ftpd fail
    the open, proftpd answers 550 Not a regular file for a socket). RNTO
    onto such a node replaces it and DELE removes it, as rename(2) and
    unlink(2) do, and as vsftpd and proftpd do."""

    KINDS = {"sock": stat.S_ISSOCK, "fifo": stat.S_ISFIFO, "chr": stat.S_ISCHR}

    def node(self, kind, name):
        """Makes a node of kind (a key of KINDS) called name in the root,
        writable by everyone, as a daemon or an administrator leaves one."""
        path = self.server.path(name)
        if kind == "sock":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.addCleanup(sock.close)
            sock.bind(path)
            sock.listen(1)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))   # as /dev/null
        os.chmod(path, 0o666)
        self.addCleanup(lambda: os.path.lexists(path) and os.unlink(path))
        return path

    def assertStillNode(self, kind, path):
        st = os.lstat(path)
        self.assertTrue(self.KINDS[kind](st.st_mode), "%s is now mode %o" % (path, st.st_mode))

    def test_stor_and_appe_onto_a_node_are_refused(self):
        before = sorted(os.listdir(self.server.root))
        for kind in self.KINDS:
            for verb in ("STOR", "APPE"):
                with self.subTest(kind=kind, verb=verb):
                    name = "%s-%s" % (verb.lower(), kind)
                    path = self.node(kind, name)
                    f = self.ftp()
                    with self.assertRaises(ftplib.error_perm) as cm:
                        f.storbinary("%s %s" % (verb, name), io.BytesIO(b"data"))
                    self.assertEqual(str(cm.exception), "550 /%s: Not a regular file." % name)
                    self.assertStillNode(kind, path)
                    # The session goes on: the same bytes go to a plain name.
                    f.storbinary("STOR %s.txt" % name, io.BytesIO(b"data"))
                    self.assertEqual(ftptest.read_file(path + ".txt"), b"data")
                    os.unlink(path + ".txt")
                    os.unlink(path)
        self.assertEqual(sorted(os.listdir(self.server.root)), before)

    def test_curl_upload_onto_a_socket_and_a_fifo(self):
        ftptest.require_program(config.CURL, "curl")
        tmp = tempfile.mkdtemp(prefix="ferryd-world-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src = os.path.join(tmp, "up.bin")
        ftptest.write_file(src, b"curl data\n")
        for kind in ("sock", "fifo"):
            with self.subTest(kind=kind):
                name = "curl-" + kind
                path = self.node(kind, name)
                r = subprocess.run([config.CURL, "-sS", "-v", "-T", src, self.server.url("/" + name)],
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
                trace = r.stderr.decode("utf-8", "replace")
                self.assertEqual(r.returncode, 25, trace[-2000:])   # upload failed
                self.assertIn("< 550 /%s: Not a regular file." % name, trace)
                self.assertNotIn("< 150", trace)
                self.assertStillNode(kind, path)

    def test_rnto_onto_a_node_replaces_it(self):
        for kind in ("sock", "fifo"):
            with self.subTest(kind=kind):
                name = "rnto-" + kind
                path = self.node(kind, name)
                self.server.write(name + ".new", b"new\n")
                f = self.ftp()
                f.sendcmd("RNFR %s.new" % name)
                self.assertEqual(f.sendcmd("RNTO " + name), "250 Rename successful.")
                self.assertEqual(ftptest.read_file(path), b"new\n")
                self.assertFalse(os.path.exists(path + ".new"))

    def test_dele_of_a_node_removes_it(self):
        for kind in ("sock", "fifo"):
            with self.subTest(kind=kind):
                name = "dele-" + kind
                path = self.node(kind, name)
                self.assertEqual(self.ftp().sendcmd("DELE " + name), "250 File deleted.")
                self.assertFalse(os.path.lexists(path))

    def facts(self, line):
        return dict(f.split("=", 1) for f in line.split("; ", 1)[0].split(";") if f)

    def test_mlsd_and_mlst_perm_of_a_node(self):
        """The perm fact of a node that RETR, STOR and APPE refuse holds
        neither r nor w nor a (RFC 3659 7.5.5): a client that believes it
        would try the transfer. d and f stay: DELE and RNFR work."""
        for kind in self.KINDS:
            with self.subTest(kind=kind):
                name = "mlsx-" + kind
                self.node(kind, name)
                f = self.ftp()
                lines = []
                f.retrlines("MLSD", lines.append)
                mine = [l for l in lines if l.endswith("; " + name)]
                self.assertEqual(len(mine), 1, lines)
                listed = self.facts(mine[0])
                self.assertEqual(listed["perm"], "df", mine[0])
                # MLST shows the same facts for the name alone.
                reply = f.sendcmd("MLST " + name).splitlines()
                self.assertEqual(self.facts(reply[1].strip())["perm"], "df", reply)
                plain = [l for l in lines if l.endswith("; plain.txt")]
                self.assertEqual(self.facts(plain[0])["perm"], "rwadf", plain)


class UploadOntoSpecialFilesNoSandboxTest(UploadOntoSpecialFilesTest):
    """The same without the sandbox (--no-sandbox)."""

    server_args = WorldBase.server_args + ["--no-sandbox"]


if __name__ == "__main__":
    unittest.main()
