#!/usr/bin/python3
"""check-debs: checks the ferryd and ferry .deb files that
dpkg-buildpackage made, without installing them on this system.

    check-debs.py DIR     (DIR holds ferryd_*.deb and ferry_*.deb)

1. Each package holds the files it must (programs, man pages, units,
   default options, fail2ban filter, examples), and its maintainer
   scripts are valid shell.
2. Both are unpacked into a scratch root. systemd-analyze verify passes on
   the unpacked units (their ExecStart is the unpacked ferryd).
3. The unpacked ferryd runs with the options of the package's
   /etc/default/ferryd (addresses, root, users file and user replaced by
   scratch ones), and the unpacked ferry logs in to it, uploads and
   downloads a file; the bytes on disk are checked.

Exits 0 when all holds, 1 with a message otherwise. Needs root (ferryd
drops to nobody, as it does to ferryd in the package).
"""

import glob
import os
import pwd
import re
import shlex
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
                           "deb-systemd-helper enable 'ferryd.service'"):
                if needed not in postinst:
                    raise Failure("ferryd's postinst lacks %r" % needed)
            # ferryd-inetd.socket (the other way to serve port 21) is only
            # re-enabled on upgrades where the administrator enabled it.
            if "deb-systemd-helper debian-installed 'ferryd-inetd.socket'" not in postinst:
                raise Failure("ferryd's postinst enables ferryd-inetd.socket on installation")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def default_options(root):
    """FERRYD_OPTS from the unpacked /etc/default/ferryd, as words."""
    with open(os.path.join(root, "etc/default/ferryd")) as f:
        text = f.read()
    m = re.search(r'^FERRYD_OPTS="([^"]*)"', text, re.M)
    if m is None:
        raise Failure("no FERRYD_OPTS in /etc/default/ferryd")
    return shlex.split(m.group(1))


def scratch_options(words, port, ftproot, users):
    """The package's options with its host paths and port replaced."""
    out = []
    replace = {"-r": ftproot, "-u": users, "--run-as": "nobody"}
    it = iter(words)
    listens = 0
    for w in it:
        if w == "-l":
            next(it)
            if listens == 0:
                out += ["-l", "127.0.0.1:%d" % port]
            listens += 1
        elif w in replace:
            next(it)
            out += [w, replace[w]]
        elif w == "--syslog":
            continue                 # the log goes to stderr for this check
        else:
            out.append(w)
    for w in ("-l", "-r", "-u", "--run-as"):
        if w not in words:
            raise Failure("the package's FERRYD_OPTS lacks %s: %s" % (w, words))
    return out


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
    port = free_port()
    opts = scratch_options(default_options(root), port, ftproot, users)
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
                 for u in ("ferryd.service", "ferryd-inetd.socket", "ferryd-inetd@.service")]
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
