"""Benchmark: a large programme analysed from survey moments (issue 16).

Target: 20 million simulated respondents in Parquet, analysed end to end (measurement:
reliability, CFA, HTMT; drivers with 200 Poisson-multiplier replicates; NPS by segment)
in under 4 GB of RAM on 2 cores; time per million rows against pandas in memory at 1
million rows.

Steps, each in a fresh subprocess so that its peak resident set size (ru_maxrss) is its
own:

1. ``write``: ``ringstats.simulate.write_parquet("base", n=N, chunk_size=500_000)``.
2. ``moments``: ``rs.summarize(path, engine="duckdb", by="segment", n_boot=200)``, the
   moments pickled beside the file, then measurement_report, reliability, cfa, htmt,
   drivers and nps_by from the moments (``--analyse-only`` re-runs this half from the
   pickle; ``--render`` rewrites the Markdown from the JSON).
3. ``pandas``: the first 1,000,000 rows read into memory, ``spec.validate``, the same
   analyses in memory (drivers with 200 ordinary bootstrap replicates, percentile
   intervals) - the peer.
4. ``moments_1m``: step 2 on the same first 1,000,000 rows, for the per-million ratio.

    python benchmarks/bench_scale.py [--n 20000000] [--path /tmp/rs_scale/big.parquet]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import write_report  # noqa: E402

CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import ringstats as rs
step, path, n, n_boot = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"step": step}
t0 = time.perf_counter()
if step == "write":
    from ringstats.simulate import write_parquet
    w = write_parquet("base", path, n=n, seed=1, chunk_size=500_000)
    w.spec.to_yaml(path + ".spec.yaml")
    out["seconds_write"] = time.perf_counter() - t0
else:
    spec = rs.RingSpec.from_yaml(path + ".spec.yaml")
    if step in ("pandas", "moments_1m"):
        import pyarrow.parquet as pq
        f = pq.ParquetFile(path)
        parts, got = [], 0
        for b in f.iter_batches(batch_size=250_000):
            parts.append(b.to_pandas()); got += len(parts[-1])
            if got >= n:
                break
        import pandas as pd
        raw = pd.concat(parts, ignore_index=True).iloc[:n]
        del parts
        out["seconds_read"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    import pickle
    store = path + f".moments_{n}_{n_boot}.pkl"
    if step == "pandas":
        data = spec.validate(raw)
        del raw
    elif step == "analyse":  # re-run the analyses from the moments of an earlier pass
        with open(store, "rb") as fh:
            data = pickle.load(fh)
        out["rows"] = data.n
    else:
        src = raw if step == "moments_1m" else path
        data = rs.summarize(src, spec=spec, by="segment", n_boot=n_boot, seed=1,
                            engine=None if step == "moments_1m" else "duckdb")
        out["rows"] = data.n
        if step == "moments":  # kept, so that the analyses can be re-run without the pass
            with open(store, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    out["seconds_prepare"] = time.perf_counter() - t1
    t = time.perf_counter()
    rel = rs.reliability(data, spec=spec)
    fit = rs.cfa(data, spec=spec)
    ht = rs.htmt(data, spec=spec)
    if step != "pandas":  # the measurement report (its row-only parts are named, not run)
        try:
            rep = rs.measurement_report(data, spec=spec)
            out["report_needs_rows"] = list(getattr(rep, "needs_rows", ()))
        except Exception as exc:  # recorded; the other analyses still run
            out["report_error"] = f"{type(exc).__name__}: {exc}"[:300]
    out["seconds_measurement"] = time.perf_counter() - t
    t = time.perf_counter()
    kw = {"n_boot": n_boot, "seed": 1, "ci_method": "percentile"}
    dr = rs.drivers(data, spec=spec, **kw)
    out["seconds_drivers"] = time.perf_counter() - t
    t = time.perf_counter()
    nb = rs.nps_by(data, by="segment")
    tot = rs.nps(data)
    out["seconds_nps"] = time.perf_counter() - t
    out["alpha"] = rel.table["alpha"].round(4).to_dict()
    out["cfi"] = float(fit.fit["cfi"]); out["rmsea"] = float(fit.fit["rmsea"])
    out["max_htmt"] = float(ht.pairs["htmt"].max())
    out["ring_share"] = dr.rings["share"].round(4).to_dict()
    out["ring_ci"] = {int(k): [round(float(a), 4), round(float(b), 4)] for k, a, b in
                      zip(dr.rings.index, dr.rings["ci_low"], dr.rings["ci_high"])}
    out["n_boot"] = dr.n_boot
    out["nps"] = round(tot.nps, 3)
    out["nps_by"] = nb["nps"].round(3).to_dict()
out["seconds_total"] = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
out["cpu_seconds"] = ru.ru_utime + ru.ru_stime
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["import_mb"] = base / 1024
print(json.dumps(out))
"""


def run(step: str, path: str, n: int, n_boot: int) -> dict:
    env = dict(os.environ, RINGSTATS_QUIET="1")
    res = subprocess.run([sys.executable, "-c", CHILD, step, path, str(n), str(n_boot)],
                         capture_output=True, text=True, env=env, check=False)
    if res.returncode:
        print(res.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"step {step} failed")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    print(json.dumps(out), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000_000)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--path", default="/tmp/rs_scale/big.parquet")
    ap.add_argument("--keep", action="store_true", help="reuse an existing file of n rows")
    ap.add_argument("--reuse", default=None, metavar="LOG",
                    help="take the steps already measured from the JSON lines of LOG "
                         "(e.g. the write step, or the 1M-row peer of an earlier run)")
    ap.add_argument("--analyse-only", action="store_true",
                    help="re-run only the analyses from the moments stored by the pass")
    ap.add_argument("--minutes", type=float, default=0.0,
                    help="with --analyse-only: minutes the full run took (for the report)")
    ap.add_argument("--render", action="store_true",
                    help="only rewrite results/bench_scale.md from results/bench_scale.json")
    args = ap.parse_args()
    if args.render:
        rec = json.loads((Path(__file__).parent / "results" / "bench_scale.json").read_text())
        return render(rec["n"], rec["n_boot"], rec["minutes"], rec["steps"])
    Path(args.path).parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    steps = {}
    if args.reuse:
        for line in Path(args.reuse).read_text().splitlines():
            if line.startswith("{"):
                rec = json.loads(line)
                if rec["step"] in ("write", "pandas", "moments_1m", "moments"):
                    steps[rec["step"]] = rec
    if not (args.keep and Path(args.path).exists()) and "write" not in steps:
        steps["write"] = run("write", args.path, args.n, 0)
    one = 1_000_000 if "pandas" in steps else min(args.n, 1_000_000)
    for step in ("pandas", "moments_1m"):
        if step not in steps:
            steps[step] = run(step, args.path, one, args.n_boot)
    if args.analyse_only:
        t0 -= 60 * args.minutes  # the full run's time, given on the command line
        steps["analyse"] = run("analyse", args.path, args.n, args.n_boot)
        if "moments" in steps:  # the pass's own figures, the analyses re-run
            steps["moments"].update({k: v for k, v in steps["analyse"].items()
                                     if k.startswith("seconds_") and k not in
                                     ("seconds_prepare", "seconds_total")})
        else:
            steps["moments"] = steps["analyse"]
    else:
        steps["moments"] = run("moments", args.path, args.n, args.n_boot)
    (Path(__file__).parent / "results" / "bench_scale.json").write_text(
        json.dumps({"n": args.n, "n_boot": args.n_boot, "minutes": (time.time() - t0) / 60,
                    "steps": steps}, indent=1) + "\n")
    return render(args.n, args.n_boot, (time.time() - t0) / 60, steps, one)


def render(n: int, n_boot: int, minutes: float, steps: dict, one: int = 1_000_000) -> int:
    """Write results/bench_scale.md from the measured steps (also ``--render`` from the
    JSON, so the text can be redone without the run)."""
    mo, pd_, m1 = steps["moments"], steps["pandas"], steps["moments_1m"]
    rows = mo["rows"]
    per_m = mo["seconds_total"] / (rows / 1e6)
    cpu_per_m = mo["cpu_seconds"] / (rows / 1e6)
    pd_per_m = (pd_["seconds_total"] - pd_["seconds_read"]) / (one / 1e6)
    pd_cpu_per_m = pd_["cpu_seconds"] / (one / 1e6)
    m1_per_m = (m1["seconds_total"] - m1["seconds_read"]) / (one / 1e6)
    analyses = mo["seconds_measurement"] + mo["seconds_drivers"] + mo["seconds_nps"]
    lines = [
        "# bench_scale: a large programme from survey moments",
        "",
        f"Machine: {os.cpu_count()} cores shared with other jobs (wall times depend on their "
        f"load; CPU seconds do not), Python {platform.python_version()}. Script: "
        f"`benchmarks/bench_scale.py --n {n}`; run took {minutes:.1f} min."
        + (" The analyses from the 20M moments were then re-run from the moments stored "
           f"by the pass (`--analyse-only`: {steps['analyse']['seconds_total']:.1f} s wall "
           f"with imports, peak {steps['analyse']['peak_mb']:.0f} MB)."
           if "analyse" in steps else ""),
        "",
        "| step | rows | wall s | CPU s | wall s per 1M rows | peak RSS (MB) |",
        "|---|---|---|---|---|---|",
    ]
    if "write" in steps:
        w = steps["write"]
        lines.append(f"| write Parquet (simulate, chunks of 500k) | {w.get('rows', n):,} | "
                     f"{w['seconds_write']:.0f} | {w.get('cpu_seconds', float('nan')):.0f} | "
                     f"{w['seconds_write'] / (w.get('rows', n) / 1e6):.1f} | "
                     f"{w['peak_mb']:.0f} |")
    lines += [
        f"| **moments via DuckDB + analyses (B = {n_boot})**, one process | {rows:,} | "
        f"{mo['seconds_total']:.0f} | {mo['cpu_seconds']:.0f} | {per_m:.1f} | "
        f"{mo['peak_mb']:.0f} |",
        f"| of which summarize (one pass) | | {mo['seconds_prepare']:.0f} | | "
        f"{mo['seconds_prepare'] / (rows / 1e6):.1f} | |",
        f"| of which analyses from moments (measurement report, reliability, CFA, HTMT, "
        f"drivers, NPS by segment) | | {analyses:.2f} | | | |",
        f"| moments in memory + analyses, first 1M rows | {one:,} | "
        f"{m1['seconds_total'] - m1['seconds_read']:.0f} | {m1['cpu_seconds']:.0f} | "
        f"{m1_per_m:.1f} | {m1['peak_mb']:.0f} |",
        f"| **peer**: pandas in memory (validate + analyses, bootstrap B = {n_boot}), "
        f"first 1M rows | {one:,} | {pd_['seconds_total'] - pd_['seconds_read']:.0f} | "
        f"{pd_['cpu_seconds']:.0f} | {pd_per_m:.1f} | {pd_['peak_mb']:.0f} |",
        "",
        f"Time per million rows, moments (DuckDB, {rows:,} rows, end to end) against pandas "
        f"in memory (1M rows): **{per_m / pd_per_m:.2f}** in wall time, "
        f"**{cpu_per_m / pd_cpu_per_m:.2f}** in CPU time ({cpu_per_m:.1f} against "
        f"{pd_cpu_per_m:.1f} CPU seconds per million rows). Peak memory of the {rows:,}-row "
        f"run: **{mo['peak_mb'] / 1024:.2f} GB** (target < 4 GB).",
        "",
        "Estimates of the large run: alpha " + json.dumps(mo["alpha"]) + f"; CFI "
        f"{mo['cfi']:.4f}, RMSEA {mo['rmsea']:.4f}; max HTMT {mo['max_htmt']:.3f}; ring "
        "shares " + json.dumps(mo["ring_share"]) + " with 95% multiplier-bootstrap "
        "intervals " + json.dumps(mo["ring_ci"]) + f"; NPS {mo['nps']} and by segment "
        + json.dumps(mo["nps_by"]) + ". The measurement report left out: "
        + (", ".join(mo.get("report_needs_rows", [])) or mo.get("report_error", "nothing"))
        + ".",
        "",
        "Reading: one pass over the file gives every moment, table, count and the "
        f"{n_boot} replicate moment sets; the analyses then take seconds whatever the "
        "number of rows. The pass is dominated by the multipliers per row (counter-based "
        "Poisson draws) and their weighted cross-products, then the pairwise contingency "
        "tables and the cleaning of each chunk by the spec. The in-memory peer's bootstrap "
        "refits every replicate on all rows, so its time grows with n x B; it also needs "
        "the whole survey in memory. The moments of the pass are kept beside the file "
        "(`*.moments_<n>_<B>.pkl`), so `--analyse-only` re-runs the analyses without the "
        "pass.",
    ]
    return write_report(Path(__file__).parent / "results" / "bench_scale.md", lines)


if __name__ == "__main__":
    raise SystemExit(main())
