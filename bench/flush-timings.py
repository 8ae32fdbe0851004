"""Averages the group-commit flush timings (event 5008) of a cluster bench run saved with BENCH_FLUSH_LOG=1.

usage: python3 bench/flush-timings.py run.log [min-ticks, default 3000]
"""
import re
import sys

PATTERN = re.compile(r'of (\d+) appends \((\d+) ticks\) on writer (\d+): fence ([\d.]+) ms, ticks ([\d.]+) ms, '
                     r'pair_state ([\d.]+) ms, commit ([\d.]+)')
minimum = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
rows = [[float(x) for x in m.groups()] for m in map(PATTERN.search, open(sys.argv[1])) if m]
big = [r for r in rows if r[1] >= minimum]
if not big:
    sys.exit(f"{len(rows)} flushes, none with >= {minimum} ticks")
n, ticks = len(big), sum(r[1] for r in big)
print(f"{len(rows)} flushes, {n} with >= {minimum} ticks: avg {ticks / n:.0f} ticks, "
      f"fence {sum(r[3] for r in big) / n:.1f}, copy {sum(r[4] for r in big) / n:.1f}, "
      f"pair_state {sum(r[5] for r in big) / n:.1f}, commit {sum(r[6] for r in big) / n:.1f} ms; "
      f"copy {sum(r[4] for r in big) * 1000 / ticks:.2f} us/tick, whole flush {sum(sum(r[3:]) for r in big) * 1000 / ticks:.2f} us/tick")
