"""The client's layers, read from what the build made: the engine is a
library of its own (client/engine/libferryengine.a) that both front ends
(client/cli/libferrycli.a, client/tui/libferrytui.a and
libferrytuiview.a) and ferry link; no function the engine defines is
defined again in a front end (credential rules, path joining, the tree
walk, the anonymous names live once); and only the engine talks to the
network (the front ends call no socket, connect, name lookup or TLS
function themselves).

Uses nm(1) from binutils on the built archives and binary.
"""

import os
import shutil
import subprocess
import unittest

import config

CLIENT = os.path.join(config.BUILDDIR, "client")
ENGINE = os.path.join(CLIENT, "engine", "libferryengine.a")
FRONT_ENDS = [os.path.join(CLIENT, "cli", "libferrycli.a"),
              os.path.join(CLIENT, "tui", "libferrytui.a"),
              os.path.join(CLIENT, "tui", "libferrytuiview.a")]
FERRY = os.path.join(CLIENT, "ferry")
# Calls that open or use network connections, look names up or speak TLS.
NETWORK = ("socket", "connect", "accept", "bind", "listen", "getaddrinfo",
           "gethostbyname", "send", "sendto", "recv", "recvfrom")


def nm(path, *flags):
    """[(type letter, symbol)] from nm with flags (external symbols)."""
    tool = shutil.which("nm")
    if tool is None:
        raise AssertionError("nm (binutils) is not installed")
    if not os.path.isfile(path):
        raise AssertionError("%s is not built (run make)" % path)
    out = subprocess.run([tool, "-g"] + list(flags) + [path], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[-2]) == 1:
            rows.append((parts[-2], parts[-1]))
    return rows


def defined_functions(path):
    return {sym for kind, sym in nm(path, "--defined-only") if kind == "T"}


class LayersTest(unittest.TestCase):

    def test_engine_is_a_library_both_front_ends_use(self):
        engine = defined_functions(ENGINE)
        self.assertIn("ftp_list", engine)
        self.assertIn("creds_resolve", engine)
        for lib in FRONT_ENDS:
            used = {sym for kind, sym in nm(lib, "--undefined-only")}
            self.assertTrue(used & engine, "%s uses nothing of the engine" % lib)
        self.assertTrue(engine & defined_functions(FERRY), "ferry does not link the engine")

    def test_no_front_end_defines_an_engine_function_again(self):
        engine = defined_functions(ENGINE)
        seen = {}
        for lib in FRONT_ENDS:
            funcs = defined_functions(lib)
            self.assertFalse(funcs & engine, "%s defines engine functions again: %s"
                             % (lib, sorted(funcs & engine)))
            for other, theirs in seen.items():
                self.assertFalse(funcs & theirs, "%s and %s both define %s"
                                 % (lib, other, sorted(funcs & theirs)))
            seen[lib] = funcs

    def test_only_the_engine_talks_to_the_network(self):
        for lib in FRONT_ENDS:
            used = {sym.split("@")[0] for kind, sym in nm(lib, "--undefined-only")}
            calls = sorted(s for s in used if s in NETWORK or s.startswith("SSL_"))
            self.assertEqual(calls, [], "%s calls the network itself" % lib)
        used = {sym.split("@")[0] for kind, sym in nm(ENGINE, "--undefined-only")}
        for call in ("getaddrinfo", "SSL_new"):
            self.assertIn(call, used, "the engine is where names are looked up and "
                          "TLS is spoken")


if __name__ == "__main__":
    unittest.main(verbosity=2)
