"""Benchmark: binary drivers (logistic dominance, 1,000 BCa replicates, n = 26,000) and
``what_if``, before and after the bootstrap kernel (one BLAS thread inside replicate loops).

Run: ``.venv/bin/python benchmarks/bench_binary_drivers.py --label after``
(``--label before`` on a checkout without the kernel). Each run stores its figures in
``results/bench_binary_drivers_<label>.json``; the page ``results/bench_binary_drivers.md``
shows every stored label side by side.

1. ``rs.drivers(d, spec=w.spec, kind="binary", n_boot=1000, ci_method="bca", seed=1)`` on the
   simulator's ``base`` world, n = 26,000 (six constructs, promoter outcome), with the BLAS
   threads as the machine sets them ("default") and limited to one from outside ("1 thread").
   Target: seconds, not minutes, with default threads.
2. ``what_if`` with 200 replicates on ``base`` (n = 5,000) and on ECSI mobile (n = 250).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("RINGSTATS_QUIET", "1")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import ringstats as rs  # noqa: E402
from ringstats.whatif import what_if  # noqa: E402

try:
    from _report import write_report  # type: ignore[import-not-found]
except ImportError:  # run as a module
    from benchmarks._report import write_report  # type: ignore[no-redef]

RES = Path(__file__).parent / "results"


def _time(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run(label: str, skip_default: bool = False) -> dict:
    w = rs.draw("base", n=26_000, seed=1)
    d = w.spec.validate(w.customers)
    fig: dict = {"label": label, "machine": f"{platform.processor() or platform.machine()}, "
                 f"{os.cpu_count()} cores (shared)",
                 "blas_threads": [i.get("num_threads") for i in threadpool_info()]}

    def binary():
        return rs.drivers(d, spec=w.spec, kind="binary", n_boot=1000, ci_method="bca", seed=1,
                          progress=False)

    t1, r1 = _time(lambda: _with_limit(binary))
    fig["binary_1thread_s"] = round(t1, 2)
    print(f"binary drivers, 1 BLAS thread (outside limit): {t1:.1f} s")
    if not skip_default:
        t0, r0 = _time(binary)
        fig["binary_default_s"] = round(t0, 2)
        print(f"binary drivers, default BLAS threads: {t0:.1f} s")
        same = np.allclose(r0.rings["ci_low"], r1.rings["ci_low"], equal_nan=True)
        fig["same_result_default_vs_1thread"] = bool(same)
    fig["ring_shares"] = [round(float(v), 4) for v in r1.rings["share"]]
    fig["ring_share_ci"] = [[round(float(a), 4), round(float(b), 4)]
                            for a, b in zip(r1.rings["ci_low"], r1.rings["ci_high"], strict=True)]

    w5 = rs.draw("base", n=5_000, seed=2)
    d5 = w5.spec.validate(w5.customers)
    t_w, res = _time(lambda: what_if(d5, spec=w5.spec, n_boot=200, seed=1, progress=False))
    fig["whatif_base5000_s"] = round(t_w, 2)
    z = res.table.query("shift == 0")
    fig["whatif_base_nps_at_0"] = round(float(z["nps"].iloc[0]), 2)
    fig["whatif_base_observed_nps"] = round(float(res.observed["NPS"]), 2)
    print(f"what_if base n=5,000: {t_w:.1f} s; NPS at 0 {fig['whatif_base_nps_at_0']} vs "
          f"observed {fig['whatif_base_observed_nps']}")
    ec = rs.datasets.load("ecsi_mobi")
    t_e, res_e = _time(lambda: what_if(ec.data, spec=ec.spec, n_boot=200, seed=1,
                                       progress=False))
    ze = res_e.table.query("shift == 0")
    fig["whatif_ecsi_s"] = round(t_e, 2)
    fig["whatif_ecsi_nps_at_0"] = round(float(ze["nps"].iloc[0]), 2)
    fig["whatif_ecsi_observed_nps"] = round(float(res_e.observed["NPS"]), 2)
    print(f"what_if ecsi_mobi: {t_e:.1f} s; NPS at 0 {fig['whatif_ecsi_nps_at_0']} vs observed "
          f"{fig['whatif_ecsi_observed_nps']}")
    return fig


def _with_limit(fn):
    with threadpool_limits(1):
        return fn()


def page() -> list[str]:
    runs = {}
    for p in sorted(RES.glob("bench_binary_drivers_*.json")):
        f = json.loads(p.read_text())
        runs[f["label"]] = f
    lines = ["# Binary drivers and what_if: before and after the bootstrap kernel", "",
             "Binary drivers: `rs.drivers(..., kind=\"binary\", n_boot=1000, ci_method=\"bca\")` "
             "on `draw(\"base\", n=26_000)` (six constructs, promoter outcome, logistic "
             "dominance). what_if: 200 replicates, all rings, five shifts. Timings on a shared "
             "2-core machine (other jobs running), so read them to within about 30%.", "",
             "| figure | " + " | ".join(runs) + " |",
             "|---|" + "---|" * len(runs)]
    keys = [("binary_default_s", "binary drivers, default BLAS threads (s)"),
            ("binary_1thread_s", "binary drivers, BLAS limited to 1 thread from outside (s)"),
            ("same_result_default_vs_1thread", "same intervals default vs 1 thread"),
            ("ring_shares", "ring shares"),
            ("ring_share_ci", "ring share 95% BCa intervals"),
            ("whatif_base5000_s", "what_if, base n = 5,000 (s)"),
            ("whatif_base_nps_at_0", "what_if NPS at zero shift, base"),
            ("whatif_base_observed_nps", "observed NPS, base"),
            ("whatif_ecsi_s", "what_if, ecsi_mobi n = 250 (s)"),
            ("whatif_ecsi_nps_at_0", "what_if NPS at zero shift, ecsi_mobi"),
            ("whatif_ecsi_observed_nps", "observed NPS, ecsi_mobi"),
            ("blas_threads", "BLAS threads available"), ("machine", "machine")]
    for k, lab in keys:
        lines.append(f"| {lab} | " + " | ".join(str(runs[r].get(k, "–")) for r in runs) + " |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="after")
    ap.add_argument("--skip-default", action="store_true")
    args = ap.parse_args()
    fig = run(args.label, args.skip_default)
    RES.mkdir(exist_ok=True)
    (RES / f"bench_binary_drivers_{args.label}.json").write_text(json.dumps(fig, indent=1) + "\n")
    return write_report(RES / "bench_binary_drivers.md", page())


if __name__ == "__main__":
    raise SystemExit(main())
