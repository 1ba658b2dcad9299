#!/usr/bin/env python3
"""upload-end.py: how ferryd judges the end of an upload, measured.

In stream mode an upload ends when the client closes the data connection,
and a client that dies closes it too. ferryd decides without waiting (see
doc/design.md): exact with ALLO; otherwise "alive" when the client sent
anything more on the control connection, "dead" when the control
connection has already hung up, and "finished" otherwise. This script
runs each way an upload can end RUNS times against a fresh ferryd and
counts how often the upload was committed (the target replaced) or
discarded (the old file kept), next to what a perfect judge would do.

Usage: tests/bench/upload-end.py [RUNS]   (default 30; run from the build tree)
It prints a Markdown table. It needs the built ferryd and runs it as the
integration tests do (tests/integration/ftptest.py).
"""

import os
import signal
import socket
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(os.getcwd(), "tests", "integration"),
                os.path.join(TOP, "tests", "integration")]
import ftptest  # noqa: E402
from ftptest import Control  # noqa: E402

KILLCLIENT = os.path.join(TOP, "tests", "integration", "killclient.py")

OLD = b"old contents\n" * 1000
NEW = bytes(range(256)) * 2048      # 512 KiB
HALF = NEW[:len(NEW) // 2]


def start_upload(srv, name, allo=False):
    c = Control(srv)
    c.login()
    c.cmd("TYPE I")
    if allo:
        c.cmd("ALLO %d" % len(NEW))
    data = c.open_epsv()
    r = c.cmd("STOR " + name)
    if r.code != 150:
        raise RuntimeError("STOR: %r" % r)
    return c, data


def live_waits(srv, name):
    c, data = start_upload(srv, name)
    data.sendall(NEW)
    data.close()
    c.reply()
    c.cmd("QUIT")
    c.close()


def pipelined_quit(srv, name):
    c, data = start_upload(srv, name)
    data.sendall(NEW)
    data.close()
    c.send(b"QUIT\r\n")
    c.close()


def live_closes_without_quit(srv, name):
    # Finished, reads the 226, then just closes (no QUIT).
    c, data = start_upload(srv, name)
    data.sendall(NEW)
    data.close()
    c.reply()
    c.close()


def dies_between(delay_ms, allo=False):
    def run(srv, name):
        c, data = start_upload(srv, name, allo)
        data.sendall(HALF)
        data.close()
        time.sleep(delay_ms / 1000.0)
        c.close()
    return run


def killed(data_fd_first):
    def run(srv, name):
        args = [sys.executable, KILLCLIENT, str(srv.port), "/", name, "262144"]
        if data_fd_first:
            args.append("--data-fd-first")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE)
        try:
            proc.stdout.readline()
            time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc.stdout.close()
    return run


SCENARIOS = [
    # (description, function, the right outcome)
    ("finished, waits for the 226, then QUIT", live_waits, "commit"),
    ("finished, QUIT sent right behind the data", pipelined_quit, "commit"),
    ("finished, reads the 226 and closes without QUIT", live_closes_without_quit, "commit"),
    ("killed (SIGKILL) mid-upload, control socket opened first", killed(False), "discard"),
    ("killed (SIGKILL) mid-upload, data socket on the lower fd", killed(True), "discard"),
    ("data closed halfway, control closed 0 ms later", dies_between(0), "discard"),
    ("data closed halfway, control closed 1 ms later", dies_between(1), "discard"),
    ("data closed halfway, control closed 10 ms later", dies_between(10), "discard"),
    ("data closed halfway, control closed 100 ms later", dies_between(100), "discard"),
    ("as above (100 ms) with ALLO before STOR", dies_between(100, allo=True), "discard"),
]


def main(argv):
    runs = int(argv[1]) if len(argv) > 1 else 30
    print("| how the upload ended | right outcome | committed | discarded |")
    print("| --- | --- | ---: | ---: |")
    for desc, fn, want in SCENARIOS:
        srv = ftptest.Server(["--anonymous=rw", "--max-per-ip", "0"])
        srv.start()
        committed = discarded = 0
        try:
            for i in range(runs):
                name = "t%03d.bin" % i
                ftptest.write_file(srv.path(name), OLD)
                fn(srv, name)
                srv.wait_sessions_gone(10)
                got = ftptest.read_file(srv.path(name))
                if got == OLD:
                    discarded += 1
                else:
                    committed += 1
        finally:
            srv.cleanup()
        print("| %s | %s | %d of %d | %d of %d |" % (desc, want, committed, runs, discarded, runs),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
