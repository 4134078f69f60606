"""Benchmark of WLSMV against lavaan: stage 1 (thresholds, polychorics, gamma) and the fit.

Run: ``.venv/bin/python benchmarks/bench_wls_stats.py`` (writes results/bench_wls_stats.md;
calls ``Rscript benchmarks/bench_wls_stats.R`` for lavaan's figures when R is installed).

1. The 25 bfi items (2,436 complete rows, 6 categories; 425 statistics).
2. Issue 15's target: 30 simulated 5-category items x 10,000 rows (555 statistics).

For each: our seconds (best of 3) for stage 1 (``ordinal_moments``) and for the complete
``cfa(..., estimator="WLSMV")`` call (estimates, robust SEs, scaled test, every fit index),
lavaan's stage 1 (``cfa(..., estimator = "WLSMV", do.fit = FALSE)``, best of 2) and full
WLSMV fit, and the largest differences of ``s``, ``gamma``, the loadings and the scaled
chi-square from lavaan's. ``bench_sem.py`` runs the same comparison beside semopy.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("RINGSTATS_QUIET", "1")

from ringstats.measurement import cfa  # noqa: E402
from ringstats.measurement._wls._stats import ordinal_moments  # noqa: E402

HERE = Path(__file__).resolve().parent
REF = HERE.parent / "tests" / "reference" / "wlsmv"
OUT = HERE / "results" / "bench_wls_stats.md"


def _best(fun, reps: int = 3):
    best, out = np.inf, None
    for _ in range(reps):
        t = time.perf_counter()
        out = fun()
        best = min(best, time.perf_counter() - t)
    return best, out


def _sim(p: int = 30, n: int = 10_000, seed: int = 15) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.5, 0.8, p)
    f = rng.standard_normal((n, 3))
    grp = np.repeat(np.arange(3), p // 3)
    z = lam * f[:, grp] + np.sqrt(1 - lam**2) * rng.standard_normal((n, p))
    cuts = np.sort(rng.normal(0, 0.8, (p, 4)), axis=1)
    x = np.column_stack([np.searchsorted(cuts[j], z[:, j]) + 1 for j in range(p)])
    return pd.DataFrame(x, columns=[f"y{j + 1}" for j in range(p)])


def _lavaan(df: pd.DataFrame, factors: int, tmp: Path, tag: str) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    data, out = tmp / f"{tag}.csv", tmp / f"{tag}_lav.csv"
    df.to_csv(data, index=False)
    subprocess.run(["Rscript", str(HERE / "bench_wls_stats.R"), str(data), str(out),
                    str(factors)], check=True)
    t = pd.read_csv(out).iloc[0]
    s = np.fromfile(tmp / f"{tag}_lav_s.bin")
    m = s.size
    g = np.fromfile(tmp / f"{tag}_lav_gamma.bin").reshape(m, m)
    return {"stats_s": float(t["stats_s"]), "fit_s": float(t["fit_s"]), "s": s, "gamma": g,
            "lavaan": str(t["lavaan"]), "chisq_scaled": float(t["chisq_scaled"]),
            "lambda": np.fromfile(tmp / f"{tag}_lav_lambda.bin")}


def blocks_for(df: pd.DataFrame, factors: int) -> dict[str, list[str]]:
    """Consecutive blocks of items, one per factor, named as the R script names them."""
    it = list(df.columns)
    size = len(it) / factors
    return {f"F{k + 1}": [c for j, c in enumerate(it) if int(np.ceil((j + 1) / size)) == k + 1]
            for k in range(factors)}


def compare(tag: str, df: pd.DataFrame, factors: int, tmp: Path) -> dict:
    """One row of the comparison: our stage 1 and full fit beside lavaan's."""
    sec, om = _best(lambda: ordinal_moments(df))
    spec = blocks_for(df, factors)
    fit_sec, res = _best(lambda: cfa(df, spec=spec, estimator="WLSMV"))
    lav = _lavaan(df, factors, tmp, tag)
    row = {"data": tag, "rows": len(df), "items": df.shape[1], "statistics": om.s.size,
           "ringstats_stage1_s": round(sec, 3), "ringstats_fit_s": round(fit_sec, 3)}
    if lav is not None:
        lam = res.loadings["estimate"].to_numpy()
        row.update({
            "lavaan_stage1_s": lav["stats_s"], "lavaan_fit_s": lav["fit_s"],
            "speedup_stage1": round(lav["stats_s"] / sec, 1),
            "speedup_fit": round(lav["fit_s"] / fit_sec, 1),
            "max_abs_diff_s": float(np.abs(om.s - lav["s"]).max()),
            "max_diff_gamma_rel": float(np.abs(om.gamma - lav["gamma"]).max()
                                        / np.abs(lav["gamma"]).max()),
            "max_abs_diff_loadings": float(np.abs(lam - lav["lambda"]).max()),
            "chisq_scaled_rel_diff": float(abs(res.fit["chisq_scaled"] / lav["chisq_scaled"]
                                               - 1)),
        })
    return row


def sim30() -> pd.DataFrame:
    """Issue 15's size: 30 five-category items x 10,000 rows, three factors."""
    return _sim()


def main() -> None:
    bfi = pd.read_csv(REF / "bfi25_data.csv")
    cases = [("bfi", bfi.drop(columns=["row", "gender"]), 5), ("sim30x10000", _sim(), 3)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tag, df, nf in cases:
            rows.append(compare(tag, df, nf, Path(tmp)))
            print(rows[-1])
    tab = pd.DataFrame(rows)
    text = [
        "# WLSMV against lavaan: stage 1 (sample statistics, gamma) and the complete fit",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        "2 shared cores (timings vary with the load of other jobs).",
        "",
        tab.to_markdown(index=False),
        "",
        "Reading: `ordinal_moments` computes the thresholds, the polychoric correlations and",
        "Muthen's (1984) gamma in one vectorised pass (per-cell derivatives of every pair,",
        "one BLAS product for the score cross-products); lavaan loops over pairs in R.",
        "Differences from lavaan are its nlminb stopping tolerance for the correlations",
        "(about 3e-8); given lavaan's own correlations gamma agrees to 1e-11",
        "(tests/test_wls_stats.py). The fit columns time a complete `cfa(...,",
        "estimator='WLSMV')` call (estimates, robust SEs, scaled test, all fit indices)",
        "against lavaan's `cfa(..., ordered = TRUE, estimator = 'WLSMV')`.",
    ]
    OUT.write_text("\n".join(text) + "\n")
    print(OUT)


if __name__ == "__main__":
    main()
