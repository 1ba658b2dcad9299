"""SIGHUP: ferryd reads its configuration file, the users file and the TLS
certificate again, for the sessions that start afterwards; a session
open across the reload keeps its settings and finishes its transfer. A
reload that fails (a bad line, a file the run-as user cannot read) keeps
the old configuration whole; settings fixed at start (listen) are kept
with a log line. The listener runs as the run-as user (nobody here) when
it reloads, so the users file is root:nogroup 0640 (ferryd(8), RELOAD)."""

import ftplib
import os
import shutil
import signal
import subprocess
import unittest

import config
import ftptest
import tlspeers
from test_metrics import parse
from test_server_tls import cert_fingerprint, served_fingerprint

OLD_PW = "old-Pw 1"
NEW_PW = "new-Pw 2"
BOB_PW = "bob-Pw 3"


class ReloadTest(ftptest.TestCase):

    def start(self, conf_text, users_text, extra=()):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        self.conf = os.path.join(srv.base, "ferryd.conf")
        self.users = os.path.join(srv.base, "users")
        ftptest.write_file(self.users, users_text, mode=0o640)
        ftptest.share_with_run_as(self.users)
        ftptest.write_file(self.conf, conf_text % {"users": self.users, "base": srv.base})
        srv.args = ["-f", self.conf, "--run-as", "nobody"] + list(extra)
        srv.start()
        self.server = srv
        return srv

    def replace(self, path, text, mode=0o644):
        """Replaces a file by rename, as editors and install(1) do."""
        tmp = path + ".new"
        ftptest.write_file(tmp, text, mode=mode)
        if path == self.users:
            ftptest.share_with_run_as(tmp)
        os.rename(tmp, path)

    def hup(self, expect):
        """SIGHUP to the listener; waits for the log line expect (a regex)
        that only this reload can have written."""
        srv = self.server
        before = len(srv.log_text())
        srv.proc.send_signal(signal.SIGHUP)
        self.assertTrue(ftptest.wait_until(
            lambda: ftptest.re.search(expect, srv.log_text()[before:]), timeout=10),
            "no %r after SIGHUP:\n%s" % (expect, srv.log_tail()))
        return srv.log_text()[before:]

    def served_fingerprint(self):
        return served_fingerprint(self.server)

    def test_users_config_and_certificate_reloaded(self):
        # The rate limit keeps session A's download running across the reload.
        base_conf = ("users = %(users)s\nmax-per-ip = 0\nmax-rate = 2M\n"
                     "tls-cert = %(base)s/cert.pem\ntls-key = %(base)s/key.pem\n")
        # Certificates beside the root, readable by the run-as user.
        srv = self.start_with_certs(base_conf)
        data = ftptest.random_bytes(3 * 1024 * 1024, seed=12)
        srv.write("big.bin", data)
        srv.write("keep.txt", b"x")
        srv.write("gone.txt", b"y")
        old_fp = cert_fingerprint(tlspeers.cert("server.pem"))
        new_fp = cert_fingerprint(tlspeers.cert("other.pem"))
        self.assertEqual(self.served_fingerprint(), old_fp)
        # Made before session A's download starts: only the reload is
        # left for the time that download runs.
        new_users = "alice:%s\nbob:%s\n" % (ftptest.hash_password(NEW_PW),
                                            ftptest.hash_password(BOB_PW))

        # Session A: logged in with the old password, a download running.
        a = ftptest.Ftp(srv, "alice", OLD_PW)
        self.addCleanup(a.close)
        a.voidcmd("TYPE I")
        conn = a.transfercmd("RETR big.bin")
        conn.settimeout(ftptest.TIMEOUT)
        got = [conn.recv(65536)]

        # New accounts, a new policy (no deletions), a new certificate.
        self.replace(self.users, new_users)
        self.replace(self.conf, (base_conf + "no-delete = yes\n")
                     % {"users": self.users, "base": srv.base})
        shutil.copy(tlspeers.cert("other.pem"), os.path.join(srv.base, "cert.pem"))
        shutil.copy(tlspeers.cert("other.key"), os.path.join(srv.base, "key.pem"))
        log = self.hup(r"reloaded: .*ferryd\.conf, 2 accounts")
        self.assertIn("TLS certificate reloaded", log)

        # New sessions: the new accounts, policy and certificate.
        self.assertFtpError(530, ftptest.Ftp, srv, "alice", OLD_PW)
        b = ftptest.Ftp(srv, "alice", NEW_PW)
        self.addCleanup(b.close)
        self.assertFtpError(550, b.delete, "keep.txt")
        self.assertTrue(os.path.exists(srv.path("keep.txt")))
        c = ftptest.Ftp(srv, "bob", BOB_PW)
        c.quit()
        self.assertEqual(self.served_fingerprint(), new_fp)

        # Session A: its download finishes whole; it keeps its settings
        # (deleting is still allowed there).
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            got.append(chunk)
        conn.close()
        a.voidresp()
        self.assertEqual(b"".join(got), data)
        # ...and it was still running when the reload happened.
        text = srv.log_text()
        self.assertLess(text.index("reloaded:"),
                        ftptest.re.search(r"transfer: .*RETR /big\.bin.*result=ok", text).start())
        a.delete("gone.txt")
        self.assertFalse(os.path.exists(srv.path("gone.txt")))
        a.quit()
        b.quit()

    def start_with_certs(self, conf_text):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        for src, name in (("server.pem", "cert.pem"), ("server.key", "key.pem")):
            shutil.copy(tlspeers.cert(src), os.path.join(srv.base, name))
            os.chmod(os.path.join(srv.base, name), 0o644)
        self.conf = os.path.join(srv.base, "ferryd.conf")
        self.users = os.path.join(srv.base, "users")
        ftptest.write_file(self.users, "alice:%s\n" % ftptest.hash_password(OLD_PW), mode=0o640)
        ftptest.share_with_run_as(self.users)
        ftptest.write_file(self.conf, conf_text % {"users": self.users, "base": srv.base})
        srv.args = ["-f", self.conf, "--run-as", "nobody"]
        srv.start()
        self.server = srv
        return srv

    def reloads_counted(self):
        """ferryd_reloads_total{result=...} from the metrics endpoint."""
        m = self.server.wait_log(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
        self.assertTrue(m, self.server.log_tail())
        r = subprocess.run([config.CURL, "-sS", "--max-time", "20",
                            "http://127.0.0.1:%s/metrics" % m.group(1)],
                           capture_output=True, text=True, timeout=40)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = parse(r.stdout)
        return (got['ferryd_reloads_total{result="ok"}'],
                got['ferryd_reloads_total{result="failed"}'])

    def test_failed_reload_keeps_everything(self):
        ftptest.require_program(config.CURL, "curl")
        srv = self.start("users = %(users)s\nidle-timeout = 60\nmetrics = 127.0.0.1:0\n",
                         "alice:%s\n" % ftptest.hash_password(OLD_PW))
        # A bad line: the file and line in the log, nothing changes.
        self.replace(self.users, "alice:%s\n" % ftptest.hash_password(NEW_PW))
        self.replace(self.conf, "users = %s\nidle-timeout = 60\nmetrics = 127.0.0.1:0\n"
                     "max-clients = many\n" % self.users)
        log = self.hup(r"reload failed")
        self.assertRegex(log, r"reload failed, the configuration stays as it was: "
                         r"\S*ferryd\.conf:4: --max-clients takes a number")
        ftptest.Ftp(srv, "alice", OLD_PW).quit()
        self.assertFtpError(530, ftptest.Ftp, srv, "alice", NEW_PW)

        # A users file only root can read: the listener (nobody) cannot.
        self.replace(self.conf, "users = %s\nidle-timeout = 60\nmetrics = 127.0.0.1:0\n"
                     % self.users)
        os.chmod(self.users, 0o600)
        log = self.hup(r"reload failed")
        self.assertIn("Permission denied", log)
        self.assertIn("make the file readable by its group", log)
        ftptest.Ftp(srv, "alice", OLD_PW).quit()

        # Once readable, the same reload goes through.
        ftptest.share_with_run_as(self.users)
        self.hup(r"reloaded: .*1 accounts")
        ftptest.Ftp(srv, "alice", NEW_PW).quit()
        self.assertTrue(srv.running())
        self.assertEqual(self.reloads_counted(), (1, 2))

    def test_fixed_settings_kept(self):
        """max-clients sizes the listener's tables: a reload logs the
        change and the old limit stays."""
        srv = self.start("max-clients = 1\nmax-per-ip = 0\n", "")
        one = ftptest.Ftp(srv)
        self.addCleanup(one.close)
        self.replace(self.conf, "max-clients = 5\nmax-per-ip = 0\n")
        log = self.hup(r"reloaded:")
        self.assertIn("max-clients changed; restart to apply", log)
        self.assertFtpError(421, ftptest.Ftp, srv)
        one.quit()

    def test_reload_turns_the_sandbox_on(self):
        # Started without the sandbox: the filter is compiled at the
        # reload that turns it on, and the sessions after it run under it.
        conf = "users = %(users)s\nmax-per-ip = 0\n"
        srv = self.start(conf + "no-sandbox = yes\n",
                         "alice:%s\n" % ftptest.hash_password(OLD_PW))
        srv.write("a.txt", b"sandboxed\n")
        before = ftptest.Ftp(srv, "alice", OLD_PW)
        self.addCleanup(before.close)
        self.assertEqual(self.seccomp_modes(), {"0"})
        self.replace(self.conf, conf % {"users": self.users, "base": srv.base})
        self.hup(r"reloaded: .*ferryd\.conf")
        after = ftptest.Ftp(srv, "alice", OLD_PW)
        self.addCleanup(after.close)
        self.assertEqual(self.seccomp_modes(), {"0", "2"})
        got = bytearray()
        after.retrbinary("RETR a.txt", got.extend)
        self.assertEqual(bytes(got), b"sandboxed\n")
        self.assertEqual(before.pwd(), "/")

    def seccomp_modes(self):
        """The Seccomp: values of the running sessions."""
        modes = set()
        for pid, _ in self.server.session_pids():
            try:
                with open("/proc/%d/status" % pid) as f:
                    modes |= {l.split()[1] for l in f if l.startswith("Seccomp:")}
            except OSError:
                pass        # a session of an earlier test that just ended
        return modes


class ReloadListenTest(ftptest.TestCase):
    """Without -l on the command line the file's listen lines count; a
    reload that changes them is logged and the listeners stay."""

    def test_listen_kept(self):
        # The wrapper drops the harness's "-l ADDR": the file's count.
        srv = ftptest.Server(wrapper=["sh", "-c", 'f=$1; shift 3; exec "$f" "$@"', "sh"])
        self.addCleanup(srv.cleanup)
        conf = os.path.join(srv.base, "ferryd.conf")
        ftptest.write_file(conf, "listen = 127.0.0.1:0\n")
        srv.args = ["-f", conf, "--run-as", "nobody"]
        srv.start()
        self.assertEqual(len(srv.addresses), 1)
        ftptest.write_file(conf, "listen = 127.0.0.1:0\nlisten = [::1]:0\nanonymous = off\n")
        before = len(srv.log_text())
        srv.proc.send_signal(signal.SIGHUP)
        self.assertTrue(srv.wait_log(r"listen changed; restart to apply"), srv.log_tail())
        self.assertTrue(srv.wait_log(r"reloaded:"), srv.log_tail())
        self.assertEqual(len(ftptest._LISTEN_RE.findall(srv.log_text()[before:])), 0)
        # The old listener serves; the rest of the file applies.
        self.assertFtpError(530, ftptest.Ftp, srv)

    def test_session_ignores_sighup(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        f = ftptest.Ftp(srv)
        self.addCleanup(f.close)
        pids = [p for p, _ in srv.session_pids()]
        self.assertEqual(len(pids), 1)
        os.kill(pids[0], signal.SIGHUP)
        self.assertEqual(f.pwd(), "/")
        f.quit()


if __name__ == "__main__":
    unittest.main(verbosity=2)
