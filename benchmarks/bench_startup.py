"""Benchmark: start-up of ``import ringstats`` and of the command line, before and after.

Targets (issue 13): ``import ringstats`` under 0.5 s; ``ringstats --help`` and
``ringstats validate`` under 0.6 s; the yardstick is ``import pandas`` measured in the same
run. Every figure is the wall time of a whole fresh Python process (median of ``--repeat``
runs, the commands interleaved so that drift of a shared machine hits them alike).

"Before" is the package as of git ref ``--before`` (default: the commit before lazy
imports), unpacked with ``git archive`` into a temporary directory and put first on
``PYTHONPATH``; "after" is the working tree. Both run with this interpreter and its
installed dependencies; the command line runs as the console script does
(``from ringstats.cli import main; sys.exit(main())``). Also lists the ten slowest imports
of ``import ringstats`` (``python -X importtime``) after the change.

    python benchmarks/bench_startup.py [--repeat 15] [--before d1df86b]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import write_report  # noqa: E402

CLI = "import sys; from ringstats.cli import main; sys.exit(main())"
#: Put the package under test first: drop an editable install's finder (it would win over
#: sys.path) and prepend RINGSTATS_ROOT. Applied alike to "before" and "after".
PRELUDE = ("import os, sys; sys.meta_path[:] = [f for f in sys.meta_path "
           "if 'editable' not in repr(f).lower()]; sys.path.insert(0, os.environ['RINGSTATS_ROOT']); ")


def _unpack(ref: str, into: Path) -> Path:
    blob = subprocess.run(["git", "archive", "--format=tar", ref, "ringstats"], cwd=ROOT,
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _time(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh process."""
    c0, t0 = _cpu(), time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    dt, dc = time.perf_counter() - t0, _cpu() - c0
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr[-500:]}")
    return dt, dc


HEAVY = {"numpy", "pandas", "scipy", "matplotlib", "seaborn", "statsmodels", "pingouin",
         "factor_analyzer", "sklearn", "yaml", "joblib", "tqdm"}


def _importtime(env: dict[str, str], k: int = 10) -> list[tuple[float, str]]:
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", PRELUDE + "import ringstats"],
                         env=env, capture_output=True, text=True, check=True)
    rows = []
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and (m.group(3).startswith("ringstats") or m.group(3).split(".")[0] in HEAVY):
            rows.append((int(m.group(1)) / 1e6, m.group(3)))
    return sorted(rows, reverse=True)[:k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--before", default="d1df86b",
                    help="git ref of the package before the change (default d1df86b)")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        before = _unpack(args.before, tmpd / "before")
        survey = tmpd / "survey.csv"
        subprocess.run([py, "-c", CLI, "simulate", "-n", "2000", "--seed", "1", "-o",
                        str(survey)], check=True, capture_output=True)
        spec = survey.with_suffix(".spec.yaml")
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        base_env["RINGSTATS_QUIET"] = "1"
        envs = {"before": {**base_env, "RINGSTATS_ROOT": str(before)},
                "after": {**base_env, "RINGSTATS_ROOT": str(ROOT)}}
        cli = PRELUDE + CLI
        cases = [
            ("import pandas", "after", [py, "-c", PRELUDE + "import pandas"]),
            ("import ringstats", "before", [py, "-c", PRELUDE + "import ringstats"]),
            ("import ringstats", "after", [py, "-c", PRELUDE + "import ringstats"]),
            ("ringstats --help", "before", [py, "-c", cli, "--help"]),
            ("ringstats --help", "after", [py, "-c", cli, "--help"]),
            ("ringstats validate", "before", [py, "-c", cli, "validate", str(survey),
                                              "--spec", str(spec)]),
            ("ringstats validate", "after", [py, "-c", cli, "validate", str(survey),
                                             "--spec", str(spec)]),
        ]
        times: dict[tuple[str, str], list[float]] = {(c, w): [] for c, w, _ in cases}
        cpus: dict[tuple[str, str], list[float]] = {(c, w): [] for c, w, _ in cases}
        for _, w, cmd in cases:  # warm the file cache once
            _time(cmd, envs[w])
        for _ in range(args.repeat):
            for c, w, cmd in cases:
                wall, cpu = _time(cmd, envs[w])
                times[(c, w)].append(wall)
                cpus[(c, w)].append(cpu)
        slow = _importtime(envs["after"])
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    pandas = med[("import pandas", "after")]
    load = os.getloadavg()[0]
    targets = {"import ringstats": 0.5, "ringstats --help": 0.6, "ringstats validate": 0.6}
    lines = [
        "# Start-up: `import ringstats` and the command line, before and after lazy imports",
        "",
        f"Python {platform.python_version()}, {os.cpu_count()} cores (shared); wall time of a "
        f"fresh process, median of {args.repeat} interleaved runs (min-max in brackets). "
        f"Before: `{args.before}`; after: the working tree. "
        "`python benchmarks/bench_startup.py` reproduces it. CPU is user + system time of "
        "the process, which a busy machine inflates less than wall time (load average "
        f"{load:.1f} at the end of this run).",
        "",
        "| command | before (s) | after (s) | after / before | after / `import pandas` "
        "| target (s) |",
        "|---|---|---|---|---|---|",
        f"| `import pandas` (yardstick) | | {pandas:.3f} "
        f"[{min(times[('import pandas', 'after')]):.3f}-"
        f"{max(times[('import pandas', 'after')]):.3f}] | | 1.00 | |",
    ]
    for c, target in targets.items():
        b, a = med[(c, "before")], med[(c, "after")]
        lines.append(
            f"| `{c}` | {b:.3f} [{min(times[(c, 'before')]):.3f}-"
            f"{max(times[(c, 'before')]):.3f}] | {a:.3f} [{min(times[(c, 'after')]):.3f}-"
            f"{max(times[(c, 'after')]):.3f}] | {a / b:.2f} | {a / pandas:.2f} | {target} |")
    lines += ["", "CPU seconds (median):", "",
              "| command | before | after | after / before | after / `import pandas` |",
              "|---|---|---|---|---|",
              f"| `import pandas` | | {cmed[('import pandas', 'after')]:.3f} | | 1.00 |"]
    for c in targets:
        b, a = cmed[(c, "before")], cmed[(c, "after")]
        lines.append(f"| `{c}` | {b:.3f} | {a:.3f} | {a / b:.2f} | "
                     f"{a / cmed[('import pandas', 'after')]:.2f} |")
    lines += ["", "Slowest ringstats and third-party modules loaded by `import ringstats` after "
              "the change (`python -X importtime`, cumulative):", "", "| module | s |",
              "|---|---|"]
    lines += [f"| `{name}` | {sec:.3f} |" for sec, name in slow]
    met = [c for c, t in targets.items() if med[(c, "after")] < t]
    met_cpu = [c for c, t in targets.items() if cmed[(c, "after")] < t]
    lines += ["", "Reading: `import ringstats` now loads only the package's index (names are "
              "imported on first use), so its cost is the interpreter's; `validate` pays for "
              "pandas, NumPy and PyYAML, which it needs to read the survey. Under the target "
              f"in wall time here: {', '.join(f'`{c}`' for c in met) or 'none'}; in CPU time: "
              f"{', '.join(f'`{c}`' for c in met_cpu) or 'none'}."]
    return write_report(ROOT / "benchmarks" / "results" / "bench_startup.md", lines)


if __name__ == "__main__":
    sys.exit(main())
