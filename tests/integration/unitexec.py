#!/usr/bin/python3
"""unitexec: run a service unit's ExecStart under the parts of its sandbox
that need no service manager, the way systemd applies them to the
service's main process just before exec:

  CapabilityBoundingSet=   capabilities outside the list leave the
                           bounding set (PR_CAPBSET_DROP)
  NoNewPrivileges=yes      PR_SET_NO_NEW_PRIVS
  SystemCallFilter=        an allow-list seccomp filter; groups (@name) are
                           expanded by `systemd-analyze syscall-filter`;
                           any other call kills the process (SIGSYS), as
                           systemd does without SystemCallErrorNumber=
  RestrictAddressFamilies= socket() of another family fails with
                           EAFNOSUPPORT
  SystemCallArchitectures=native   calls of other ABIs are refused

The mount namespace options (ProtectSystem=, PrivateTmp=, ...) are not
applied: they need systemd itself.

    unitexec.py UNIT PROGRAM [ARG...]

The first word of ExecStart is replaced by PROGRAM (the binary under
test) and the word $FERRYD_OPTS by the ARGs. AddressSanitizer's leak check
at exit is turned off: it stops the process with ptrace(2), which the
filter forbids just as it would in the unit (release builds have no
sanitizer).
"""

import ctypes
import errno
import os
import shlex
import socket
import subprocess
import sys

import seccomp

PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
CAP_NAMES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
]
# Highest address family number to refuse one by one; above it, all.
AF_MAX = 64


def read_service(path):
    """{key: [values]} of the unit's [Service] section; repeated keys
    accumulate, as systemd's list settings do."""
    out = {}
    section = None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if section != "Service" or "=" not in line:
                continue
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def expand_syscalls(names, seen=None):
    """The system calls a SystemCallFilter= list allows."""
    seen = set() if seen is None else seen
    calls = set()
    for name in names:
        if not name.startswith("@"):
            calls.add(name)
            continue
        if name in seen:
            continue
        seen.add(name)
        r = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True,
                           text=True, check=True)
        words = [w.strip() for w in r.stdout.splitlines()[1:]]
        calls |= expand_syscalls([w for w in words if w and not w.startswith("#")], seen)
    return calls


def drop_bounding_set(keep):
    libc = ctypes.CDLL(None, use_errno=True)
    for cap, name in enumerate(CAP_NAMES):
        if name in keep:
            continue
        if libc.prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0:
            break
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0:
            e = ctypes.get_errno()
            raise OSError(e, "PR_CAPBSET_DROP %s: %s" % (name, os.strerror(e)))
    for cap in range(len(CAP_NAMES), 64):
        if libc.prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0:
            break
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: unitexec.py UNIT PROGRAM [ARG...]\n")
        return 2
    unit, program, args = argv[1], argv[2], argv[3:]
    svc = read_service(unit)
    exec_start = shlex.split(svc["ExecStart"][-1])
    cmd = [program]
    for word in exec_start[1:]:
        cmd.extend(args if word in ("$FERRYD_OPTS", "${FERRYD_OPTS}") else [word])

    # Everything that runs a program happens before the filter goes on.
    allowed = set()
    denied = set()
    for line in svc.get("SystemCallFilter", []):
        words = line.split()
        if words and words[0].startswith("~"):
            words[0] = words[0][1:]
            denied |= expand_syscalls(words)
        else:
            allowed |= expand_syscalls(words)
    families = set()
    for line in svc.get("RestrictAddressFamilies", []):
        families |= {getattr(socket, w) for w in line.split()}

    if "CapabilityBoundingSet" in svc:
        keep = set()
        for line in svc["CapabilityBoundingSet"]:
            keep |= set(line.split())
        drop_bounding_set(keep)
    if svc.get("NoNewPrivileges", ["no"])[-1] == "yes":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")

    if families:
        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for af in range(AF_MAX):
            if af not in families:
                f.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, af))
        f.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GE, AF_MAX))
        f.load()
    if allowed:
        f = seccomp.SyscallFilter(defaction=seccomp.KILL_PROCESS)
        for name in sorted(allowed - denied):
            try:
                f.add_rule(seccomp.ALLOW, name)
            except (ValueError, RuntimeError, OSError):
                pass            # not a call on this architecture
        f.load()
    os.execv(cmd[0], cmd)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv))
