"""Benchmark of ringstats' EFA against factor_analyzer (same process) and psych (stored).

Run: ``Rscript benchmarks/bench_efa_psych.R`` (stores psych's timing, about 10 s), then
``.venv/bin/python benchmarks/bench_efa.py`` (writes results/bench_efa.md, about 20 s).

Task: the 25 bfi personality items (2,800 rows, pairwise correlations), 5 factors, minres
extraction, oblimin rotation, psych's fit statistics. Each figure is the median of 30 calls
after a warm-up. factor_analyzer 0.5.1 is timed through ``FactorAnalyzer.fit`` where its
scikit-learn call still works (scikit-learn < 1.8), otherwise through the same steps it
runs (pandas correlation, ``_fit_factor_analysis``, ``Rotator``); it computes no fit
statistics. psych's figure comes from ``bench_efa_psych.R`` run just before (the machine is
shared, so its load at both moments is printed).
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

os.environ.setdefault("RINGSTATS_QUIET", "1")

import factor_analyzer  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402

import ringstats  # noqa: E402
from ringstats._kernels.fit import rmsea_ci  # noqa: E402
from ringstats.measurement import efa  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "measurement"
OUT = Path(__file__).parent / "results" / "bench_efa.md"
REPS = 30


def _median(fun, reps: int = REPS) -> float:
    fun()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fun()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _rmsea_ci_bisection(chisq: float, df: int, n: int, level: float = 0.90) -> tuple:
    """The interval as ringstats computed it before issue 14: 200 bisection steps each."""
    def lam_for(prob: float) -> float:
        if stats.chi2.cdf(chisq, df) < prob:
            return 0.0
        lo, hi = 0.0, max(chisq, 1.0)
        while stats.ncx2.cdf(chisq, df, hi) > prob:
            hi *= 2
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if stats.ncx2.cdf(chisq, df, mid) > prob:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    a = (1 - level) / 2
    return np.sqrt(lam_for(1 - a) / (df * (n - 1))), np.sqrt(lam_for(a) / (df * (n - 1)))


def _factor_analyzer(bfi: pd.DataFrame) -> tuple[callable, str]:
    def public() -> None:
        fa = factor_analyzer.FactorAnalyzer(n_factors=5, rotation="oblimin", method="minres")
        fa.fit(bfi)

    def steps() -> None:
        r = bfi.corr().to_numpy().copy()
        fa = factor_analyzer.FactorAnalyzer(n_factors=5, rotation=None, method="minres")
        lam = fa._fit_factor_analysis(r)
        factor_analyzer.Rotator(method="oblimin").fit_transform(lam)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            public()
            return public, "FactorAnalyzer.fit"
        except TypeError:  # scikit-learn >= 1.8 removed check_array(force_all_finite=)
            return steps, "its steps (FactorAnalyzer.fit fails on this scikit-learn)"


def _load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def main() -> None:
    bfi = pd.read_csv(REF / "bfi.csv").iloc[:, :25]
    load_py = _load()
    t_rs = _median(lambda: efa(bfi, n_factors=5, method="minres", rotation="oblimin"))
    fa_fun, fa_how = _factor_analyzer(bfi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_fa = _median(fa_fun)
    res = efa(bfi, n_factors=5)
    chisq, df, n = float(res.fit["chisq"]), int(res.fit["df"]), res.n_obs
    t_ci = _median(lambda: rmsea_ci(chisq, df, n - 1), reps=200)
    t_ci_old = _median(lambda: _rmsea_ci_bisection(chisq, df, n), reps=5)
    psych_path = Path(__file__).parent / "results" / "psych_fa_bfi_time.csv"
    if psych_path.exists():
        ps = pd.read_csv(psych_path).set_index("task")
        t_ps = float(ps.loc["data", "seconds"])
        t_ps_r = float(ps.loc["corr", "seconds"])
        ps_note = (f"{ps.loc['data', 'r']}, psych {ps.loc['data', 'psych']}, GPArotation "
                   f"{ps.loc['data', 'gparotation']}, measured {ps.loc['data', 'when']} at load "
                   f"{ps.loc['data', 'load1']}")
    else:
        t_ps = t_ps_r = float("nan")
        ps_note = "not measured (run benchmarks/bench_efa_psych.R)"
    rows = [
        ("ringstats.measurement.efa (data -> loadings, fit statistics, RMSEA CI)",
         f"{t_rs:.4f}", "1.00"),
        (f"factor_analyzer {factor_analyzer.__version__ if hasattr(factor_analyzer, '__version__') else '0.5.1'}"
         f" (same process; {fa_how})", f"{t_fa:.4f}", f"{t_fa / t_rs:.2f}"),
        ("psych::fa from the data (stored)", f"{t_ps:.4f}", f"{t_ps / t_rs:.2f}"),
        ("psych::fa from the correlation matrix (stored)", f"{t_ps_r:.4f}",
         f"{t_ps_r / t_rs:.2f}"),
        ("  of which in ringstats: RMSEA 90% CI by Brent's method (kernel)",
         f"{t_ci:.6f}", ""),
        ("  the same interval by 200 bisection steps (before issue 14)",
         f"{t_ci_old:.4f}", ""),
    ]
    table = pd.DataFrame(rows, columns=["task (bfi, 25 items, 5 factors, minres, oblimin)",
                                        "seconds (median)", "peer / ringstats"])
    text = (
        "# EFA: speed against factor_analyzer and psych\n\n"
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared; 1-minute load {load_py} when ringstats ran). "
        f"ringstats {ringstats.__version__}, numpy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}. psych: {ps_note}.\n\n"
        + table.to_markdown(index=False) + "\n\n"
        "A ratio above 1 means the peer is slower. ringstats extracts with psych's own algorithm "
        "(L-BFGS-B on the uniquenesses with psych's analytic gradient; factor_analyzer "
        "differentiates numerically), rotates with factor_analyzer's Rotator, computes "
        "pairwise correlations by four matrix products, keeps BLAS on one thread for the "
        "small-matrix loops (threaded OpenBLAS made them many times slower on the shared "
        "machine) and solves the RMSEA interval by Brent's method on scipy.special.chndtr.\n"
    )
    print(text)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
