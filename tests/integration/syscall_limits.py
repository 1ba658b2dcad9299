"""syscall_limits: runs a program with some system calls answering as they do
on other systems, to test ferryd's fall-backs on this one.

    python3 syscall_limits.py [--no-tmpfile] [--no-empty-path-link] -- PROGRAM ARGS...

--no-tmpfile           open/openat with O_TMPFILE fail with EOPNOTSUPP, as on
                       file systems without unnamed temporary files (vfat,
                       older NFS and FUSE file systems)
--no-empty-path-link   linkat with AT_EMPTY_PATH fails with ENOENT, as on
                       kernels before 6.10 for a process without
                       CAP_DAC_READ_SEARCH
--no-seccomp           seccomp(2) kills the process (SIGSYS), as a service
                       manager's system call filter without it does
--no-dac-override      a program run as root reads and writes files by their
                       permission bits, as any other user does (it runs
                       without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)

A seccomp filter (installed with prctl, no library needed) makes the calls
fail; it is inherited by the program (exec) and everything it forks. Every
other call, and these calls without those flags, work as usual.
"""

import ctypes
import errno
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000

# struct seccomp_data: int nr; __u32 arch; __u64 ip; __u64 args[6]
OFF_NR, OFF_ARCH, OFF_ARGS = 0, 4, 16

# (audit arch, {syscall: number}) per machine; open(2) exists on x86_64 only.
ARCHES = {
    "x86_64": (0xC000003E, {"open": 2, "openat": 257, "linkat": 265, "seccomp": 317}),
    "aarch64": (0xC00000B7, {"openat": 56, "linkat": 37, "seccomp": 277}),
}
O_TMPFILE_BIT = 0o20000000      # __O_TMPFILE (without O_DIRECTORY)
AT_EMPTY_PATH = 0x1000

BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JSET_K = 0x45
BPF_RET_K = 0x06


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def build(rules, arch, numbers):
    """rules: [(syscall number, argument index, flag bit, action)]. The
    filter: wrong arch -> allow; for each rule, nr == n and (arg & bit)
    -> action (argument index None: nr == n alone); else allow."""
    prog = [insn(BPF_LD_W_ABS, 0, 0, OFF_ARCH),
            insn(BPF_JEQ_K, 1, 0, arch),
            insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)]
    for nr, arg, bit, action in rules:
        if arg is None:
            prog += [insn(BPF_LD_W_ABS, 0, 0, OFF_NR),
                     insn(BPF_JEQ_K, 0, 1, nr),
                     insn(BPF_RET_K, 0, 0, action)]
            continue
        # Low 32 bits of the argument (little-endian machines).
        prog += [insn(BPF_LD_W_ABS, 0, 0, OFF_NR),
                 insn(BPF_JEQ_K, 0, 3, nr),
                 insn(BPF_LD_W_ABS, 0, 0, OFF_ARGS + 8 * arg),
                 insn(BPF_JSET_K, 0, 1, bit),
                 insn(BPF_RET_K, 0, 0, action)]
    prog.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(prog)


def main(argv):
    if "--" not in argv:
        sys.stderr.write(__doc__)
        return 2
    sep = argv.index("--")
    opts, cmd = argv[1:sep], argv[sep + 1:]
    machine = platform.machine()
    if machine not in ARCHES:
        sys.stderr.write("syscall_limits: no syscall table for %s\n" % machine)
        return 2
    arch, nums = ARCHES[machine]
    rules = []
    caps = []
    for o in opts:
        if o == "--no-tmpfile":
            if "open" in nums:
                rules.append((nums["open"], 1, O_TMPFILE_BIT,
                              SECCOMP_RET_ERRNO | errno.EOPNOTSUPP))
            rules.append((nums["openat"], 2, O_TMPFILE_BIT, SECCOMP_RET_ERRNO | errno.EOPNOTSUPP))
        elif o == "--no-empty-path-link":
            rules.append((nums["linkat"], 4, AT_EMPTY_PATH, SECCOMP_RET_ERRNO | errno.ENOENT))
        elif o == "--no-seccomp":
            rules.append((nums["seccomp"], None, 0, SECCOMP_RET_KILL_PROCESS))
        elif o == "--no-dac-override":
            caps += [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH]
        else:
            sys.stderr.write("syscall_limits: unknown option %s\n" % o)
            return 2
    code = build(rules, arch, nums)
    buf = ctypes.create_string_buffer(code, len(code))
    # struct sock_fprog { unsigned short len; struct sock_filter *filter; }
    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fprog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                           ctypes.c_ulong]
    # Out of the bounding set, a capability is not given to what root
    # runs next (execve).
    for cap in caps:
        if os.geteuid() == 0 and libc.prctl(PR_CAPBSET_DROP, cap, None, 0, 0) != 0:
            sys.stderr.write("syscall_limits: PR_CAPBSET_DROP: %s\n"
                             % os.strerror(ctypes.get_errno()))
            return 1
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        sys.stderr.write("syscall_limits: PR_SET_NO_NEW_PRIVS: %s\n"
                         % os.strerror(ctypes.get_errno()))
        return 1
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        sys.stderr.write("syscall_limits: PR_SET_SECCOMP: %s\n" % os.strerror(ctypes.get_errno()))
        return 1
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
