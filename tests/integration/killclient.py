"""killclient: an FTP client to be killed mid-upload, for the tests and
tests/bench/upload-end.py. It logs in anonymously, starts STOR of NAME
(in DIR) over EPSV, sends BYTES bytes, prints "sent" and sleeps until it
is killed; the kernel then closes its sockets as it does for any process
that dies.

    python3 killclient.py PORT DIR NAME BYTES [--data-fd-first]

--data-fd-first gives the data socket a lower descriptor than the control
socket (the kernel closes a dead process's sockets in descriptor order).
"""

import re
import socket
import sys
import time


def main(argv):
    port, directory, name, nbytes = int(argv[1]), argv[2], argv[3], int(argv[4])
    spare = socket.socket() if "--data-fd-first" in argv[5:] else None
    c = socket.create_connection(("127.0.0.1", port))
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
    if spare is not None:
        spare.connect(("127.0.0.1", int(m.group(1))))
        data = spare
    else:
        data = socket.create_connection(("127.0.0.1", int(m.group(1))))
    c.sendall(b"STOR " + name.encode("utf-8") + b"\r\n")
    f.readline()
    data.sendall(b"x" * nbytes)
    print("sent", flush=True)
    time.sleep(120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
