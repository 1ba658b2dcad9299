"""killclient: an FTP client to be killed mid-upload, for the tests and
tests/bench/upload-end.py. It logs in anonymously, starts STOR of NAME
(in DIR) over EPSV, sends BYTES bytes, prints "sent" and sleeps until it
is killed; the kernel then closes its sockets as it does for any process
that dies.

    python3 killclient.py PORT DIR NAME BYTES [--data-fd-first] [--verb=VERB]
                          [--no-data] [--say-port]

--data-fd-first gives the data socket a lower descriptor than the control
socket (the kernel closes a dead process's sockets in descriptor order).
--verb=RETR (or LIST, NLST, MLSD) reads BYTES bytes of that transfer
instead (NAME is its argument), with a small receive buffer so that the
server has more to send. --no-data sends the command but never opens the
data connection. --say-port prints the control connection's local port
(which names the session in ferryd's log) first, on a line of its own.
The tests run it with run_and_kill.
"""

import os
import re
import socket
import subprocess
import sys
import time


def run_and_kill(port, directory, name, nbytes, *opts):
    """Runs this client with those arguments, waits for its "sent" (and
    a moment more, for the server to take what it sent) and kills it;
    returns the lines it printed before "sent"."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(port), directory,
                             name, str(nbytes)] + list(opts), stdout=subprocess.PIPE)
    lines = []
    try:
        for line in proc.stdout:
            if line.strip() == b"sent":
                break
            lines.append(line.decode().strip())
        else:
            raise AssertionError("killclient ended before it sent: %r" % lines)
        time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()
    return lines


def main(argv):
    port, directory, name, nbytes = int(argv[1]), argv[2], argv[3], int(argv[4])
    opts = argv[5:]
    verb = next((o.split("=", 1)[1] for o in opts if o.startswith("--verb=")), "STOR")
    spare = socket.socket() if "--data-fd-first" in opts else None
    c = socket.create_connection(("127.0.0.1", port))
    if "--say-port" in opts:
        print(c.getsockname()[1], flush=True)
    f = c.makefile("rb")

    def cmd(line):
        c.sendall(line.encode("utf-8") + b"\r\n")
        while True:
            reply = f.readline()
            if not reply:
                raise SystemExit("killclient: the server closed the connection")
            if reply[3:4] == b" ":
                return reply

    f.readline()
    for line in ("USER anonymous", "PASS x", "TYPE I", "CWD " + directory):
        cmd(line)
    m = re.search(rb"\|\|\|(\d+)\|", cmd("EPSV"))
    line = verb.encode() + b" " + name.encode("utf-8") + b"\r\n"
    if "--no-data" in opts:
        c.sendall(line)
        f.readline()
        print("sent", flush=True)
        time.sleep(120)
        return 0
    data = spare if spare is not None else socket.socket()
    if verb != "STOR":
        data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    data.connect(("127.0.0.1", int(m.group(1))))
    c.sendall(line)
    f.readline()
    if verb == "STOR":
        data.sendall(b"x" * nbytes)
    else:
        got = 0
        while got < nbytes:
            chunk = data.recv(min(4096, nbytes - got))
            if not chunk:
                break
            got += len(chunk)
    print("sent", flush=True)
    time.sleep(120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
