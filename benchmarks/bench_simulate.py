"""Benchmark: draw 1,000,000 respondents of the `base` world.

Target (issue 2): under 10 s and under 2 GB peak memory on 2 cores. Each run happens in a
fresh subprocess so that the peak resident set size (ru_maxrss) belongs to the draw alone;
the import baseline is reported beside it. Prints the figures and the ratio to the target,
and writes them to benchmarks/results/bench_simulate.md.

    python benchmarks/bench_simulate.py [--n 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import ringstats as rs
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
# cold: includes the one-off Monte Carlo of the population constants
w = rs.draw("base", n=int(sys.argv[1]), seed=int(sys.argv[2]))
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "peak_mb": peak / 1024, "import_mb": base / 1024,
                  "rows": len(w.customers), "cols": w.customers.shape[1]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = []
    for r in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.n), str(r)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "RINGSTATS_QUIET": "1"})
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(x["seconds"] for x in runs)
    peak = max(x["peak_mb"] for x in runs)
    base = runs[0]["import_mb"]
    rows = [
        (f"time, best of {args.repeat} (s)", f"{best:.2f}", "10", f"{best / 10:.2f}"),
        ("peak memory RSS (MB)", f"{peak:.0f}", "2048", f"{peak / 2048:.2f}"),
        ("  of which imports (MB)", f"{base:.0f}", "", ""),
    ]
    head = f"ringstats.draw('base', n={args.n:,}) on {os.cpu_count()} cores, " \
           f"Python {platform.python_version()}, {platform.machine()}"
    table = ["| figure | measured | target | ratio to target |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = f"# bench_simulate\n\n{head}\n\n" + "\n".join(table) + \
        f"\n\nAll runs: {[round(x['seconds'], 2) for x in runs]} s; " \
        f"table {runs[0]['rows']:,} x {runs[0]['cols']} columns.\n"
    print(text)
    res = Path(__file__).with_name("results")
    res.mkdir(exist_ok=True)
    (res / "bench_simulate.md").write_text(text)


if __name__ == "__main__":
    main()
