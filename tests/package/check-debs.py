#!/usr/bin/python3
"""check-debs: checks the ferryd and ferry .deb files that
dpkg-buildpackage made, without installing them on this system.

    check-debs.py DIR     (DIR holds ferryd_*.deb and ferry_*.deb)

1. Each package holds the files it must (programs, man pages, units,
   configuration file, default options, fail2ban filter, examples), the
   configuration is a conffile, and its maintainer scripts are valid
   shell.
2. Both are unpacked into a scratch root. systemd-analyze verify passes on
   the unpacked units (their ExecStart is the unpacked ferryd).
3. ferryd --check-config accepts the package's /etc/ferry/ferryd.conf
   (root, users file and user given on the command line, as scratch
   ones) and prints its settings.
4. The unpacked ferryd runs with the package's configuration file
   (address, root, users file and user overridden by scratch ones on the
   command line, syslog off), and the unpacked ferry logs in to it,
   uploads and downloads a file; the bytes on disk are checked.

Exits 0 when all holds, 1 with a message otherwise. Needs root (ferryd
drops to nobody, as it does to ferryd in the package).
"""

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

FERRYD_FILES = [
    "./usr/sbin/ferryd",
    "./usr/share/man/man8/ferryd.8.gz",
    "./lib/systemd/system/ferryd.service",
    "./lib/systemd/system/ferryd.socket",
    "./etc/ferry/ferryd.conf",
    "./lib/systemd/system/ferryd-inetd.socket",
    "./lib/systemd/system/ferryd-inetd@.service",
    "./etc/default/ferryd",
    "./etc/fail2ban/filter.d/ferryd.conf",
    "./usr/share/doc/ferryd/examples/ferryd.local",
    "./usr/share/doc/ferryd/examples/haproxy.cfg",
    "./usr/share/doc/ferryd/operations.md.gz",
]
FERRY_FILES = ["./usr/bin/ferry", "./usr/share/man/man1/ferry.1.gz"]
PASSWORD = "pkg-Pw"
DATA = b"from the package\r\n\xff\x00" * 1000


class Failure(Exception):
    pass


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        raise Failure("%s exited %d:\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def one(pattern):
    found = glob.glob(pattern)
    if len(found) != 1:
        raise Failure("expected one %s, found %s" % (pattern, found))
    return found[0]


def check_contents(deb, wanted):
    listing = run(["dpkg-deb", "-c", deb])
    names = {line.split()[-1] for line in listing.splitlines()}
    # dh_compress leaves small documents uncompressed.
    missing = [w for w in wanted
               if w not in names and not (w.endswith(".md.gz") and w[:-3] in names)]
    if missing:
        raise Failure("%s lacks %s" % (os.path.basename(deb), missing))
    with tempfile.TemporaryDirectory() as ctl:
        run(["dpkg-deb", "-e", deb, ctl])
        for script in ("preinst", "postinst", "prerm", "postrm"):
            path = os.path.join(ctl, script)
            if os.path.exists(path):
                run(["sh", "-n", path])
        if os.path.basename(deb).startswith("ferryd_"):
            with open(os.path.join(ctl, "postinst")) as f:
                postinst = f.read()
            for needed in ("adduser --system", "/srv/ftp", "/etc/ferry/users",
                           "ferryd --check-config",
                           "deb-systemd-helper enable 'ferryd.service'"):
                if needed not in postinst:
                    raise Failure("ferryd's postinst lacks %r" % needed)
            # ferryd-inetd.socket (the other way to serve port 21) is only
            # re-enabled on upgrades where the administrator enabled it.
            for sock in ("ferryd-inetd.socket", "ferryd.socket"):
                if "deb-systemd-helper debian-installed '%s'" % sock not in postinst:
                    raise Failure("ferryd's postinst enables %s on installation" % sock)
            with open(os.path.join(ctl, "conffiles")) as f:
                conffiles = f.read().split()
            if "/etc/ferry/ferryd.conf" not in conffiles:
                raise Failure("/etc/ferry/ferryd.conf is not a conffile: %s" % conffiles)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scratch_config(root, scratch):
    """The package's ferryd.conf without its syslog line (the log goes to
    stderr for this check); the rest is used as shipped."""
    with open(os.path.join(root, "etc/ferry/ferryd.conf")) as f:
        text = f.read()
    for needed in ("listen = ", "root = /srv/ftp", "users = /etc/ferry/users", "run-as = ferryd"):
        if needed not in text:
            raise Failure("the package's ferryd.conf lacks %r" % needed)
    path = os.path.join(scratch, "ferryd.conf")
    with open(path, "w") as f:
        f.write(re.sub(r"^syslog = yes$", "", text, flags=re.M))
    return path


def check_config(ferryd, root, ftproot, users):
    """ferryd --check-config on the package's own file."""
    conf = os.path.join(root, "etc/ferry/ferryd.conf")
    out = run([ferryd, "-f", conf, "-r", ftproot, "-u", users, "--run-as", "nobody",
               "--check-config"])
    for line in ("listen = 0.0.0.0:21", "listen = [::]:21", "root = " + ftproot,
                 "users = " + users, "run-as = nobody", "pasv-ports = 50000-50100",
                 "syslog = yes", "anonymous = off"):
        if "\n" + line + "\n" not in out:
            raise Failure("ferryd --check-config did not print %r:\n%s" % (line, out))


def check_running(root, scratch):
    ferryd = os.path.join(root, "usr/sbin/ferryd")
    ferry = os.path.join(root, "usr/bin/ferry")
    version = run([ferryd, "--version"]).strip()
    if not version.startswith("ferryd "):
        raise Failure("ferryd --version printed %r" % version)
    ftproot = os.path.join(scratch, "srv-ftp")
    os.mkdir(ftproot)
    nobody = pwd.getpwnam("nobody")
    os.chown(ftproot, nobody.pw_uid, nobody.pw_gid)
    users = os.path.join(scratch, "users")
    hashed = run([ferryd, "--hash-password"], input=PASSWORD + "\n").strip()
    with open(users, "w") as f:
        f.write("alice:%s\n" % hashed)
    os.chmod(users, 0o600)
    check_config(ferryd, root, ftproot, users)
    with open(os.path.join(root, "etc/default/ferryd")) as f:
        if not re.search(r'^FERRYD_OPTS=""$', f.read(), re.M):
            raise Failure("/etc/default/ferryd sets options: they belong in ferryd.conf")
    port = free_port()
    opts = ["-f", scratch_config(root, scratch), "-l", "127.0.0.1:%d" % port, "-r", ftproot,
            "-u", users, "--run-as", "nobody"]
    log_path = os.path.join(scratch, "ferryd.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([ferryd] + opts, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=log)
    try:
        deadline = time.monotonic() + 10
        while "listening on" not in open(log_path).read():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise Failure("ferryd %s did not start:\n%s" % (opts, open(log_path).read()))
            time.sleep(0.05)
        local = os.path.join(scratch, "upload me.bin")
        with open(local, "wb") as f:
            f.write(DATA)
        back = os.path.join(scratch, "back")
        os.mkdir(back)
        url = "ftp://alice:%s@127.0.0.1:%d/" % (PASSWORD, port)
        run([ferry, "-y", "-c", "put '%s'; lcd '%s'; get 'upload me.bin'" % (local, back), url],
            stdin=subprocess.DEVNULL, cwd=scratch, timeout=60)
        with open(os.path.join(ftproot, "upload me.bin"), "rb") as f:
            if f.read() != DATA:
                raise Failure("the upload's bytes differ on the server")
        with open(os.path.join(back, "upload me.bin"), "rb") as f:
            if f.read() != DATA:
                raise Failure("the download's bytes differ")
    finally:
        proc.terminate()
        proc.wait(10)
    text = open(log_path).read()
    if "login: peer=127.0.0.1" not in text or "STOR /upload me.bin" not in text:
        raise Failure("ferryd's log lacks the login or the upload:\n" + text)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: check-debs.py DIR\n")
        return 2
    if os.geteuid() != 0:
        sys.stderr.write("check-debs: run as root (ferryd drops to nobody)\n")
        return 1
    debs = argv[1]
    ferryd_deb = one(os.path.join(debs, "ferryd_*.deb"))
    ferry_deb = one(os.path.join(debs, "ferry_*.deb"))
    scratch = tempfile.mkdtemp(prefix="ferry-debs-")
    os.chmod(scratch, 0o755)
    try:
        check_contents(ferryd_deb, FERRYD_FILES)
        check_contents(ferry_deb, FERRY_FILES)
        root = os.path.join(scratch, "root")
        run(["dpkg-deb", "-x", ferryd_deb, root])
        run(["dpkg-deb", "-x", ferry_deb, root])
        # systemd's own units beside ours, for the targets they name.
        shutil.copytree("/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"),
                        symlinks=True, dirs_exist_ok=True)
        units = [os.path.join(root, "lib/systemd/system", u)
                 for u in ("ferryd.service", "ferryd.socket", "ferryd-inetd.socket",
                           "ferryd-inetd@.service")]
        # kill(1), which ExecReload= runs, as the system has it.
        kill = os.path.realpath(shutil.which("kill", path="/usr/bin:/bin"))
        os.makedirs(os.path.dirname(root + kill), exist_ok=True)
        shutil.copy(kill, root + kill)
        env = dict(os.environ, MANPATH=os.path.join(root, "usr/share/man"))
        r = subprocess.run(["systemd-analyze", "verify", "--root=" + root] + units,
                           capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 0 or r.stdout or r.stderr:
            raise Failure("systemd-analyze verify:\n" + r.stdout + r.stderr)
        check_running(root, scratch)
    except Failure as e:
        sys.stderr.write("check-debs: %s\n" % e)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("check-debs: %s and %s: contents, units and a login with the unpacked programs: ok"
          % (os.path.basename(ferryd_deb), os.path.basename(ferry_deb)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
