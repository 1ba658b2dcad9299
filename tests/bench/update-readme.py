#!/usr/bin/env python3
"""update-readme.py: put one run of tests/bench/run-all.sh into the README.

Usage: tests/bench/update-readme.py OUT [--readme FILE] [--chart FILE]
                                        [--about TEXT]

OUT is run-all.sh's results directory. Three parts of the README are
replaced, each from the same run, so they never mix runs:

- in "### All rows in one run", everything from the paragraph that starts
  "The run below" to the next heading: a paragraph saying how the run was
  made (--about adds to it), OUT/summary.md, the chart and OUT/chart.txt;
- the body of "### ferryd against vsftpd and pure-ftpd": OUT/bench-server.md;
- the body of "### ferry against curl, lftp and rclone": OUT/bench-client.md.

OUT/chart.svg is copied to --chart (default doc/benchmark-all-rows.svg).
Headings and the text above "The run below" stay as written. Exits 1 with
a message when a part or a file is missing; the README is then unchanged.
"""

import argparse
import os
import re
import shutil
import sys
import textwrap

ALL_ROWS = "### All rows in one run"
SERVER = "### ferryd against vsftpd and pure-ftpd"
CLIENT = "### ferry against curl"
RUN_START = "The run below"


def fail(msg):
    print("update-readme: " + msg, file=sys.stderr)
    sys.exit(1)


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))


def section(lines, heading):
    """(first body line, end) of the section whose heading starts with
    heading: the body runs to the next heading of level 1 to 3."""
    start = next((i for i, l in enumerate(lines) if l.startswith(heading)), None)
    if start is None:
        fail("no heading starting with %r" % heading)
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"#{1,3} ", lines[i])), len(lines))
    return start + 1, end


def script_table(text):
    """A script's Markdown output without its own title (a heading of any
    level: the README's section has one)."""
    lines = text.strip("\n").split("\n")
    if lines and re.match(r"#+ ", lines[0]):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return lines


def run_line(out):
    """How the run was made, from OUT/summary.md's last lines."""
    m = re.search(r"^Run: (\d+) s, (\d+) runs per row(, --quick)?", read(os.path.join(out, "summary.md")),
                  re.M)
    if not m:
        fail("%s/summary.md has no 'Run:' line (made by an older run-all.sh?)" % out)
    return int(m.group(1)), int(m.group(2)), bool(m.group(3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--readme", default="README.md")
    ap.add_argument("--chart", default="doc/benchmark-all-rows.svg")
    ap.add_argument("--about", default="")
    args = ap.parse_args()

    summary = read(os.path.join(args.out, "summary.md")).strip("\n").split("\n")
    chart_txt = read(os.path.join(args.out, "chart.txt")).rstrip("\n").split("\n")
    server = script_table(read(os.path.join(args.out, "bench-server.md")))
    client = script_table(read(os.path.join(args.out, "bench-client.md")))
    if not os.path.exists(os.path.join(args.out, "chart.svg")):
        fail("%s/chart.svg is missing (no gnuplot?)" % args.out)
    secs, repeat, quick = run_line(args.out)
    if quick:
        fail("a --quick run does not go into the README")

    lines = read(args.readme).rstrip("\n").split("\n")

    # Later sections first, so earlier line numbers stay valid.
    s, e = section(lines, CLIENT)
    lines[s:e] = ["", "The client rows of the run above (bench-client.sh as run-all.sh runs it:",
                  "one ferryd on 127.0.0.1, the clients taking turns):", ""] + client + [""]
    s, e = section(lines, SERVER)
    lines[s:e] = ["", "The server rows of the run above (bench-server.sh as run-all.sh runs it:",
                  "every row, the three servers taking turns). Ratios here are ferryd's time",
                  "(or memory) over the other server's, so below 1 is better for ferryd.", ""] \
        + server + [""]
    s, e = section(lines, ALL_ROWS)
    first = next((i for i in range(s, e) if lines[i].startswith(RUN_START)), None)
    if first is None:
        fail("no paragraph starting %r under %r" % (RUN_START, ALL_ROWS))
    about = ("The run below (default settings, %d runs per row, %d s in all) was made "
             "on the 2-CPU machine." % (repeat, secs))
    if args.about:
        about += " " + args.about.strip()
    body = textwrap.wrap(about, 76) + [""] + summary + ["",
            "![ferryd and ferry: ratio to the best anchor per row](%s)" % args.chart, "",
            "The same as text (log scale, four characters per doubling):", ""] \
        + ["    " + l if l else "" for l in chart_txt] + [""]
    lines[first:e] = body

    shutil.copyfile(os.path.join(args.out, "chart.svg"), args.chart)
    with open(args.readme, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
