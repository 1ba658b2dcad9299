"""contrib/fail2ban: the shipped filter, run by fail2ban's own
fail2ban-regex over a log that a real ferryd wrote while ftplib clients
failed and succeeded to log in. Each failed login is one match with the
client's address (never an address the client typed), ferryd's own ban is
the only match of mode=bans, and successful logins, refusals and every
other line match nothing. The same log in syslog's form gives the same
matches."""

import ftplib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import config

import ftptest

PASSWORD = "s3cret-Pw"
FILTER = os.path.join(config.SRCDIR, "contrib", "fail2ban", "filter.d", "ferryd.conf")
JAIL = os.path.join(config.SRCDIR, "contrib", "fail2ban", "jail.d", "ferryd.local")
# A user name that tries to put another address into the log line.
FORGED_USER = "mallory addr=10.9.9.9 attempt=1 user=x"


def fail2ban_tree():
    """(config dir, python path) of the fail2ban that fail2ban-regex belongs
    to: /etc/fail2ban for the Debian package, or the same paths below the
    folder ./quickstart unpacked it into."""
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(config.FAIL2BAN_REGEX)))
    return (os.path.join(prefix, "etc", "fail2ban"),
            os.path.join(prefix, "usr", "lib", "python3", "dist-packages"))


class Fail2banRegex:
    """fail2ban-regex with a config dir holding fail2ban's common.conf and
    the filter under test, as /etc/fail2ban would after installation."""

    def __init__(self, base):
        ftptest.require_program(config.FAIL2BAN_REGEX, "fail2ban-regex")
        etc, self.pythonpath = fail2ban_tree()
        self.confdir = os.path.join(base, "fail2ban")
        os.makedirs(os.path.join(self.confdir, "filter.d"))
        shutil.copy(os.path.join(etc, "filter.d", "common.conf"),
                    os.path.join(self.confdir, "filter.d"))
        shutil.copy(FILTER, os.path.join(self.confdir, "filter.d"))

    def run(self, log, filt, *opts):
        env = dict(os.environ)
        env["PYTHONPATH"] = self.pythonpath + ":" + env.get("PYTHONPATH", "")
        r = subprocess.run([config.FAIL2BAN_REGEX, "-c", self.confdir] + list(opts)
                           + [log, filt], capture_output=True, text=True, env=env,
                           timeout=60)
        if r.returncode != 0:
            raise AssertionError("fail2ban-regex %s %s exited %d:\n%s%s"
                                 % (log, filt, r.returncode, r.stdout, r.stderr))
        return r.stdout

    def addresses(self, log, filt):
        """The address of every matching line, in log order."""
        return self.run(log, filt, "-o", "ip").split()

    def summary(self, log, filt):
        """(lines, matched, missed) from fail2ban-regex's report."""
        out = self.run(log, filt, "--print-no-missed")
        m = re.search(r"^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed",
                      out, re.M)
        if m is None:
            raise AssertionError("no Lines: summary in fail2ban-regex output:\n" + out)
        return int(m.group(1)), int(m.group(3)), int(m.group(4))


def fail_logins(host, port, user, count):
    """Fails count logins on one ftplib connection; returns the reply codes
    (the session closes with 421 after its third failure), ending with
    'closed' if the server hung up without a reply."""
    codes = []
    f = ftplib.FTP(timeout=ftptest.TIMEOUT)
    try:
        f.connect(host, port)
        for i in range(count):
            try:
                f.login(user, "wrong-%d" % i)
                codes.append(230)
            except (EOFError, ConnectionError):
                codes.append("closed")
                break
            except ftplib.all_errors as e:
                codes.append(ftptest.ftp_code(e))
    finally:
        f.close()
    return codes


def syslog_form(text):
    """The log's lines as a syslog daemon writes them: 'Nov 21 09:58:25
    host ferryd[9972]: message' instead of ferryd's own ISO stamp."""
    out = []
    for line in text.splitlines():
        stamp, _, rest = line.partition(" ")
        t = time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
        out.append(time.strftime("%b %d %H:%M:%S", t) + " ftphost " + rest)
    return "\n".join(out) + "\n"


class Fail2banFilterTest(ftptest.TestCase):

    def test_filter_counts_failures_and_bans_of_a_real_log(self):
        srv = ftptest.Server()
        self.addCleanup(srv.cleanup)
        self.server = srv
        f2b = Fail2banRegex(srv.base)
        users = os.path.join(srv.base, "users")
        ftptest.write_file(users, "alice:%s\n" % ftptest.hash_password(PASSWORD), mode=0o600)
        srv.write("a.txt", b"contents\n")
        srv.args = ["-u", users, "--ban-after", "4", "--ban-time", "600",
                    "-l", "[::1]:0"]
        srv.start()
        v6 = [p for a, p in srv.addresses if a == "::1"][0]

        # A successful login with a download: lines that must not match.
        f = ftptest.Ftp(srv, "alice", PASSWORD)
        self.assertEqual(self.retr(f, "a.txt"), b"contents\n")
        f.quit()
        # Three failures on one IPv4 connection (the third ends it) while
        # two fail over IPv6; then a fourth over IPv4, from a user name
        # that carries another address, bans 127.0.0.1.
        results = {}
        v6_thread = threading.Thread(target=lambda: results.update(
            v6=fail_logins("::1", v6, "bob", 2)), daemon=True)
        v6_thread.start()
        self.assertEqual(fail_logins(srv.host, srv.port, "alice", 3), [530, 530, 421])
        v6_thread.join(30)
        self.assertEqual(results.get("v6"), [530, 530])
        # (The ban may end that session before its 530 is sent.)
        self.assertIn(fail_logins(srv.host, srv.port, FORGED_USER, 1), ([530], ["closed"]))
        self.assertTrue(srv.wait_log(r"banned: addr=127\.0\.0\.1 failures=4 "),
                        "ferryd did not ban" + self._log())
        # Refused while banned: logged, but not a failure.
        c = ftptest.Control(srv, greeting=False)
        self.addCleanup(c.close)
        self.assertEqual([r.code for r in c.wait_closed(timeout=10)], [421])
        self.assertTrue(srv.wait_log(r"refused 127\.0\.0\.1:\d+: address banned"), self._log())
        # Another address logs in fine.
        f = ftptest.Ftp(srv, "alice", PASSWORD, source="127.0.0.2")
        f.quit()
        srv.stop()

        log = srv.log_path
        text = srv.log_text()
        self.assertEqual(len(re.findall(r"\]: login: peer=", text)), 2, text)
        failures = re.findall(r"\]: login failed: addr=(\S+) ", text)
        self.assertEqual(sorted(failures), ["127.0.0.1"] * 4 + ["::1"] * 2, text)
        nlines = len(text.splitlines())

        # mode=normal (the default): every failure, nothing else.
        self.assertEqual(f2b.addresses(log, "ferryd"), failures)
        self.assertEqual(f2b.summary(log, "ferryd"), (nlines, 6, nlines - 6))
        users = f2b.run(log, "ferryd", "-o", "<ip> <F-USER>").splitlines()
        self.assertIn("127.0.0.1 " + FORGED_USER, users)
        # mode=bans: ferryd's one ban, nothing else.
        self.assertEqual(f2b.addresses(log, "ferryd[mode=bans]"), ["127.0.0.1"])
        self.assertEqual(f2b.summary(log, "ferryd[mode=bans]"), (nlines, 1, nlines - 1))
        # The same lines as syslog writes them.
        syslog = os.path.join(srv.base, "syslog")
        with open(syslog, "w") as out:
            out.write(syslog_form(text))
        self.assertEqual(f2b.addresses(syslog, "ferryd"), failures)
        self.assertEqual(f2b.addresses(syslog, "ferryd[mode=bans]"), ["127.0.0.1"])

    def test_jail_example_loads_with_the_filter(self):
        """fail2ban-client reads /etc/fail2ban with the filter and the
        example jail installed and prints the commands it would send its
        server: the jail watches ferryd's journal lines with the filter,
        bans on every port, and the escalation jail uses mode=bans."""
        ftptest.require_program(config.FAIL2BAN_REGEX, "fail2ban-regex")
        etc, pythonpath = fail2ban_tree()
        client = os.path.join(os.path.dirname(config.FAIL2BAN_REGEX), "fail2ban-client")
        base = tempfile.mkdtemp(prefix="ferryd-f2b-")
        self.addCleanup(shutil.rmtree, base, True)
        conf = os.path.join(base, "fail2ban")
        shutil.copytree(etc, conf)
        # Only ferryd's jails (Debian enables sshd in its own file).
        for name in os.listdir(os.path.join(conf, "jail.d")):
            os.unlink(os.path.join(conf, "jail.d", name))
        shutil.copy(FILTER, os.path.join(conf, "filter.d"))
        shutil.copy(JAIL, os.path.join(conf, "jail.d"))
        env = dict(os.environ, PYTHONPATH=pythonpath)

        def dump():
            r = subprocess.run([client, "-c", conf, "-d"], capture_output=True, text=True,
                               env=env, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return r.stdout

        out = dump()
        self.assertIn("['add', 'ferryd', 'systemd']", out)
        self.assertIn("['set', 'ferryd', 'addjournalmatch', 'SYSLOG_IDENTIFIER=ferryd']", out)
        self.assertIn("['set', 'ferryd', 'maxretry', 5]", out)
        self.assertRegex(out, r"\['set', 'ferryd', 'addfailregex', '\^login failed: addr=<ADDR>")
        self.assertRegex(out, r"\['multi-set', 'ferryd', 'action', '[^']*allports'.*"
                              r"\['port', '0:65535'\]")
        self.assertIn("['start', 'ferryd']", out)
        self.assertNotIn("'ferryd-bans'", out)       # off until enabled
        with open(os.path.join(conf, "jail.d", "zz-bans.local"), "w") as f:
            f.write("[ferryd-bans]\nenabled = true\n")
        out = dump()
        self.assertRegex(out, r"\['set', 'ferryd-bans', 'addfailregex', '\^banned: addr=<ADDR>")
        self.assertIn("['set', 'ferryd-bans', 'maxretry', 1]", out)
        self.assertIn("['start', 'ferryd-bans']", out)

if __name__ == "__main__":
    unittest.main(verbosity=2)
