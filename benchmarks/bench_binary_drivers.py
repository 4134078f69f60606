"""Benchmark: binary drivers (logistic dominance, 1,000 BCa replicates, n = 26,000) and
``what_if``, before and after the bootstrap kernel (one BLAS thread inside replicate loops).

Run: ``.venv/bin/python benchmarks/bench_binary_drivers.py --label after [--part ...]``
(``--label before`` on a checkout without the kernel; ``--part`` runs one measurement).
Each run stores its figures in ``results/bench_binary_drivers_<label>.json``; the page
``results/bench_binary_drivers.md`` shows every stored label side by side.

1. ``rs.drivers(d, spec=spec, kind="binary", n_boot=1000, ci_method="bca", seed=1)`` on the
   simulator's ``base`` world, n = 26,000, restricted to three constructs (one per ring),
   with the BLAS threads as the machine sets them ("default") and limited to one from
   outside ("1 thread").
   Target: seconds, not minutes, with default threads.
2. ``what_if`` with 200 replicates on ``base`` (n = 5,000) and on ECSI mobile (n = 250,
   recommend item on 1-10 with the declared rule 9-10 / 1-6).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("RINGSTATS_QUIET", "1")

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


#: Three constructs, one per ring (2**3 logistic fits per replicate); six constructs cost 8x.
CONSTRUCTS = ("product", "speed", "trust")


def _binary_problem():
    w = rs.draw("base", n=26_000, seed=1)
    return w.spec.validate(w.customers), w.spec.subset(list(CONSTRUCTS))


def _ecsi_rule(spec):
    """ECSI's recommend item is on 1-10: NPS with the rule 9-10 / 1-6, declared (non-standard)."""
    d = spec.to_dict()
    d["outcomes"].pop("ltr_scale", None)
    d["outcomes"]["ltr"] = {"column": spec.ltr, "scale": {"min": 1, "max": 10},
                            "nps": {"promoters": [9, 10], "detractors": [1, 2, 3, 4, 5, 6]}}
    return rs.RingSpec.from_dict(d)


def run(label: str, part: str, n_boot: int = 1000) -> dict:
    fig: dict = {}
    if part in ("binary_default", "binary_1thread"):
        d, spec = _binary_problem()

        def binary():
            return rs.drivers(d, spec=spec, kind="binary", n_boot=n_boot, ci_method="bca",
                              seed=1, progress=False)

        c0 = time.process_time()
        t, r = _time(binary if part == "binary_default" else lambda: _with_limit(binary))
        if n_boot != 1000:
            part = f"{part}_{n_boot}"
            fig[f"{part}_cpu_s"] = round(time.process_time() - c0, 1)
            fig[f"{part}_load"] = round(os.getloadavg()[0], 1)
        fig[f"{part}_s"] = round(t, 1)
        fig[f"{part}_ring_share_ci"] = [[round(float(a), 4), round(float(b), 4)] for a, b in
                                        zip(r.rings["ci_low"], r.rings["ci_high"], strict=True)]
        print(f"{part}: {t:.1f} s; ring share CIs {fig[f'{part}_ring_share_ci']}")
    elif part == "whatif":
        w5 = rs.draw("base", n=5_000, seed=2)
        d5 = w5.spec.validate(w5.customers)
        t_w, res = _time(lambda: what_if(d5, spec=w5.spec, n_boot=200, seed=1, progress=False))
        fig["whatif_base5000_s"] = round(t_w, 1)
        z = res.table.query("shift == 0")
        fig["whatif_base_nps_at_0"] = round(float(z["nps"].iloc[0]), 2)
        fig["whatif_base_observed_nps"] = round(float(res.observed["NPS"]), 2)
        print(f"what_if base n=5,000: {t_w:.1f} s; NPS at 0 {fig['whatif_base_nps_at_0']} vs "
              f"observed {fig['whatif_base_observed_nps']}")
        ec = rs.datasets.load("ecsi_mobi")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = ec.clean()
        spec = _ecsi_rule(ec.spec)
        t_e, res_e = _time(lambda: what_if(data, spec=spec, n_boot=200, seed=1,
                                           progress=False))
        ze = res_e.table.query("shift == 0")
        fig["whatif_ecsi_s"] = round(t_e, 1)
        fig["whatif_ecsi_nps_at_0"] = round(float(ze["nps"].iloc[0]), 2)
        fig["whatif_ecsi_observed_nps"] = round(float(res_e.observed["NPS"]), 2)
        print(f"what_if ecsi_mobi: {t_e:.1f} s; NPS at 0 {fig['whatif_ecsi_nps_at_0']} vs "
              f"observed {fig['whatif_ecsi_observed_nps']}")
    return fig


def _with_limit(fn):
    with threadpool_limits(1):
        return fn()


def page() -> list[str]:
    runs = {}
    for p in sorted(RES.glob("bench_binary_drivers_*.json"),
                    key=lambda q: (q.stem != "bench_binary_drivers_before", q.stem)):
        f = json.loads(p.read_text())
        runs[f["label"]] = f
    lines = ["# Binary drivers and what_if: before and after the bootstrap kernel", "",
             "Binary drivers: `rs.drivers(..., kind=\"binary\", n_boot=1000, ci_method=\"bca\")` "
             "on `draw(\"base\", n=26_000)` restricted to three constructs, one per ring "
             "(promoter outcome, logistic dominance, 8 fits per replicate). what_if: 200 replicates, all rings, five shifts. Timings on a shared "
             "2-core machine (other jobs running), so read them to within about 30%.", "",
             "| figure | " + " | ".join(runs) + " |",
             "|---|" + "---|" * len(runs)]
    keys = [("binary_default_s", "binary drivers, default BLAS threads (s)"),
            ("binary_1thread_s", "binary drivers, BLAS limited to 1 thread from outside (s)"),
            ("binary_default_ring_share_ci", "ring share 95% BCa intervals (default threads)"),
            ("binary_1thread_ring_share_ci", "ring share 95% BCa intervals (1 thread)"),
            ("whatif_base5000_s", "what_if, base n = 5,000 (s)"),
            ("whatif_base_nps_at_0", "what_if NPS at zero shift, base"),
            ("whatif_base_observed_nps", "observed NPS, base"),
            ("whatif_ecsi_s", "what_if, ecsi_mobi n = 250 (s)"),
            ("whatif_ecsi_nps_at_0", "what_if NPS at zero shift, ecsi_mobi"),
            ("whatif_ecsi_observed_nps", "observed NPS, ecsi_mobi"),
            ("binary_default_100_s", "binary drivers, 100 replicates, back to back (s)"),
            ("binary_default_100_cpu_s", "  CPU time of that process (s)"),
            ("binary_default_100_load", "  load average at its end"),
            ("blas_threads", "BLAS threads available"), ("machine", "machine")]
    for k, lab in keys:
        if any(k in runs[r] for r in runs):
            lines.append(f"| {lab} | " + " | ".join(str(runs[r].get(k, "–")) for r in runs)
                         + " |")
    lines += ["", "Reading: the 1,000-replicate runs ran at different loads (before: load "
              "average about 11; after: about 27), so compare the back-to-back 100-replicate "
              "pair and its CPU time (all threads of the process): the default-thread run "
              "spends 10x less CPU and finishes 3.5x sooner with the kernel, with identical "
              "ring-share intervals (same seeds, same draws; the 1,000-replicate intervals "
              "are identical too). On an idle core 1,000 replicates need about 40 s of CPU "
              "for three constructs; six constructs cost 8x (2**p logistic fits per "
              "replicate).", "",
              "what_if: the prediction at shift 0 now equals the observed NPS (base 19.11, "
              "ECSI 14.0); before it was 16.98 and 9.89. Its time is unchanged within the "
              "noise (the ECSI run now also computes HTMT for the indistinguishability "
              "check)."]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="after")
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--part", default="all",
                    choices=["all", "binary_default", "binary_1thread", "whatif"])
    args = ap.parse_args()
    parts = (["binary_default", "binary_1thread", "whatif"] if args.part == "all"
             else [args.part])
    RES.mkdir(exist_ok=True)
    path = RES / f"bench_binary_drivers_{args.label}.json"
    for part in parts:
        fig = json.loads(path.read_text()) if path.exists() else {}
        fig.update(label=args.label, machine=f"{platform.processor() or platform.machine()}, "
                   f"{os.cpu_count()} cores (shared)",
                   blas_threads=[i.get("num_threads") for i in threadpool_info()])
        fig.update(run(args.label, part, args.n_boot))
        path.write_text(json.dumps(fig, indent=1) + "\n")
    return write_report(RES / "bench_binary_drivers.md", page())


if __name__ == "__main__":
    raise SystemExit(main())
