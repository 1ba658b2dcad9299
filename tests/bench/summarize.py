#!/usr/bin/env python3
"""summarize.py: the table and chart of tests/bench/run-all.sh.

Usage: summarize.py RAW.CSV OUTDIR

RAW.CSV holds one line per run (see tests/bench/common.sh, csv_add):
    script,row,label,server,client,run,value,unit,bytes
from bench-server.sh (ferryd against vsftpd and pure-ftpd), bench-client.sh
(ferry against curl, lftp and rclone) and run-all.sh's ceilings (script
"ceiling", value in MiB/s).

For every row it takes the median of the runs of each server (or client),
the best anchor (the fastest other server or client; for memory the
smallest), ferryd's (ferry's) ratio to it, speed-wise: best anchor time /
ferryd time, so above 1.00 means ferryd was faster; for memory best
anchor PSS / ferryd PSS), and for bulk transfers the share of the
machine's ceiling (loopback TCP from iperf3; for FTPS the lower of that
and `openssl speed` of the suite).

It writes OUTDIR/summary.md (the table, printed as well), OUTDIR/summary.csv
(one line per row), OUTDIR/chart.dat and OUTDIR/chart.gp (gnuplot input for
OUTDIR/chart.svg and chart.png: ferryd's and ferry's ratio per row), and OUTDIR/chart.txt (the same as text
bars).
"""

import csv
import math
import os
import statistics
import sys

SUBJECT = {'bench-server': 'ferryd', 'bench-client': 'ferry'}
ANCHORS = {'bench-server': ['vsftpd', 'pure-ftpd'],
           'bench-client': ['curl', 'lftp', 'rclone']}
# Rows whose bytes are one bulk transfer: their share of a ceiling counts.
BULK = {'retr', 'stor', 'lftpretr', 'lftpstor', 'ferryretr', 'ferrystor', 'tretr', 'tstor',
        'getbig', 'putbig', 'tgetbig', 'tputbig'}
TLS_ROWS = {'tretr', 'tstor', 'tgetbig', 'tputbig'}


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def median(vals):
    """Median of the runs; None when a run failed or none was made; 'NA'
    when the server does not have the command."""
    if not vals:
        return None
    if any(v == 'NA' for v in vals):
        return 'NA'
    nums = [num(v) for v in vals]
    if any(n is None for n in nums):
        return None
    return statistics.median(nums)


def fmt(value, unit, nbytes):
    if value is None:
        return 'FAIL'
    if value == 'NA':
        return 'n/a'
    if unit == 's':
        s = '%.3f s' % value if value < 100 else '%.0f s' % value
        if nbytes and value > 0:
            s += ' (%.0f MiB/s)' % (nbytes / 1048576 / value)
        return s
    if unit == 'KiB':
        return '%.0f KiB' % value
    if unit == 'count':
        return '%d' % value
    return '%g %s' % (value, unit)


def main(argv):
    raw, out = argv[1], argv[2]
    rows = {}       # (script, row) -> {'label','unit','bytes','runs': {who: [values]}}
    order = []
    ceil = {}
    with open(raw, newline='') as f:
        for rec in csv.reader(f):
            if len(rec) != 9:
                continue
            script, row, label, server, client, _run, value, unit, nbytes = rec
            if script == 'ceiling':
                ceil.setdefault(row, []).append(value)
                continue
            who = server if script == 'bench-server' else client
            key = (script, row)
            if key not in rows:
                rows[key] = {'label': label, 'unit': unit, 'bytes': int(nbytes or 0),
                             'client': client if script == 'bench-server' else server,
                             'runs': {}}
                order.append(key)
            rows[key]['runs'].setdefault(who, []).append(value)
            if script == 'bench-server' and who == SUBJECT[script]:
                rows[key]['client'] = client

    def ceiling(name):
        m = median(ceil.get(name, []))
        return m if isinstance(m, float) else None
    tcp = ceiling('tcp')
    tls = ceiling('tls')
    pagecache = ceiling('pagecache')

    lines = []
    lines.append('| bench | row | measured with | ferryd / ferry | anchors | ratio to best anchor |'
                 ' of ceiling | all runs |')
    lines.append('|---|---|---|---|---|---:|---:|---|')
    summary = []
    chart = []
    for key in order:
        script, row = key
        r = rows[key]
        subject = SUBJECT[script]
        unit, nbytes = r['unit'], r['bytes']
        runs = r['runs']
        med = {who: median(vals) for who, vals in runs.items()}
        if unit == 'count':     # failures: the worst run, not the median
            med = {who: (max(num(v) or 0 for v in vals) if vals else None)
                   for who, vals in runs.items()}
        mine = med.get(subject)
        anchors = [(a, med[a]) for a in ANCHORS[script] if a in med]
        usable = [(a, v) for a, v in anchors if isinstance(v, float)]
        best = min(usable, key=lambda av: av[1]) if usable else None
        ratio = None
        if unit != 'count' and best and isinstance(mine, float) and mine > 0:
            ratio = best[1] / mine
        share = None
        if row in BULK and isinstance(mine, float) and mine > 0 and nbytes:
            c = tcp
            if row in TLS_ROWS and tls:
                c = min(tcp, tls) if tcp else tls
            if c:
                share = nbytes / 1048576 / mine / c
        where = 'ferryd' if script == 'bench-server' else 'ferry'
        what = r['client'] if script == 'bench-server' else 'on %s' % r['client']
        anchor_txt = '; '.join('%s %s' % (a, fmt(v, unit, nbytes)) for a, v in anchors) or '-'
        runs_txt = '; '.join('%s %s' % (who, ' '.join(vals)) for who, vals in runs.items())
        rtxt = '-' if ratio is None else '%.2f%s' % (ratio, '' if ratio >= 0.995 else ' (short)')
        if unit == 'count':
            rtxt = '-'
        lines.append('| %s | %s | %s | %s %s | %s | %s | %s | %s |' % (
            'server' if script == 'bench-server' else 'client', r['label'], what, where,
            fmt(mine, unit, nbytes), anchor_txt,
            ('%s (best: %s)' % (rtxt, best[0])) if best and ratio is not None else rtxt,
            '-' if share is None else '%.0f%%' % (100 * share), runs_txt))
        summary.append([script, row, r['label'], what, subject,
                        '' if not isinstance(mine, float) else '%.4f' % mine,
                        best[0] if best else '', '' if not best else '%.4f' % best[1],
                        '' if ratio is None else '%.3f' % ratio,
                        '' if share is None else '%.3f' % share, unit])
        if ratio is not None:
            chart.append(('%s: %s, %s' % ('srv' if script == 'bench-server' else 'cli',
                                          r['label'], what), ratio))

    notes = []
    if tcp:
        notes.append('loopback TCP (iperf3, one stream): %.0f MiB/s' % tcp)
    if pagecache:
        notes.append('reading a file from the page cache (dd, 1 MiB blocks): %.0f MiB/s' % pagecache)
    if tls:
        notes.append('TLS (`openssl speed -evp`, 16 KiB blocks, one core, the negotiated suite): %.0f MiB/s' % tls)
    for name in sorted(ceil):
        if name.startswith('evp-'):
            m = ceiling(name)
            if m:
                notes.append('`openssl speed -evp %s`: %.0f MiB/s' % (name[4:], m))
    text = '\n'.join(lines) + '\n\n'
    text += ('Ratio: best anchor / ferryd (ferry) for times and memory, so above 1.00 ferryd '
             '(ferry) is ahead and "(short)" marks a row below the target of 1.00. Failures '
             'are the worst run. Ceilings (median of the runs): ' + '; '.join(notes) + '.\n')
    with open(os.path.join(out, 'summary.md'), 'w') as f:
        f.write(text)
    sys.stdout.write(text)
    with open(os.path.join(out, 'summary.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['script', 'row', 'label', 'measured_with', 'subject', 'subject_median',
                    'best_anchor', 'best_anchor_median', 'ratio', 'share_of_ceiling', 'unit'])
        w.writerows(summary)

    # The chart: one bar per row, ferryd's (ferry's) ratio, a line at 1.
    with open(os.path.join(out, 'chart.dat'), 'w') as f:
        for i, (label, ratio) in enumerate(chart):
            f.write('%d\t%.3f\t"%s"\n' % (i, ratio, label.replace('"', "'")))
    top = max([r for _, r in chart] + [2])
    low = min([r for _, r in chart] + [0.5])
    with open(os.path.join(out, 'chart.gp'), 'w') as f:
        f.write('''set terminal svg size 1000,%d dynamic font "sans,11"
set output "%s"
set title "ferryd and ferry: best anchor's time / ours, per row (above 1: ahead)"
set style fill solid 0.8
set boxwidth 0.7 relative
set yrange [-0.6:%d-0.4] reverse
set logscale x 2
set xrange [%g:%g]
set xlabel "ratio (log scale): bars to the right of 1 are rows where ours is ahead"
set ytics out nomirror
set grid x
unset key
set arrow from 1,-0.6 to 1,%d-0.4 nohead lw 2 lc rgb "black"
plot "%s" using (1):1:($2 < 1 ? $2 : 1):($2 < 1 ? 1 : $2):($1 - 0.35):($1 + 0.35):($2 >= 1 ? 0x2e8b57 : 0xcd5c5c):yticlabels(3) with boxxyerror lc rgb variable
set terminal pngcairo size 1000,%d font "sans,9"
set output "%s"
replot
''' % (120 + 22 * len(chart), os.path.join(out, 'chart.svg'), len(chart), low / 1.3, top * 1.3,
            len(chart), os.path.join(out, 'chart.dat'),
            120 + 22 * len(chart), os.path.join(out, 'chart.png')))
    with open(os.path.join(out, 'chart.txt'), 'w') as f:
        # Log scale around the bar at 1: four characters per doubling,
        # to the right where ours is ahead, to the left where it is behind.
        width = max([len(lab) for lab, _ in chart] + [10])
        f.write('%-*s %6s %20s|%s\n' % (width, 'row', 'ratio', '1/32  1/8   1/2   ', ' 2   8   32'))
        for label, ratio in chart:
            n = max(-20, min(20, int(round(math.log2(ratio) * 4)))) if ratio > 0 else -20
            left = ' ' * (20 + min(n, 0)) + '#' * -min(n, 0)
            f.write('%-*s %6.2f %s|%s\n' % (width, label, ratio, left, '#' * max(n, 0)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
