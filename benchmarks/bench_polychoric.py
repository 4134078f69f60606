"""Benchmark of ringstats' vectorised polychoric correlations.

Run: ``.venv/bin/python benchmarks/bench_polychoric.py`` (writes results/bench_polychoric.md).

1. The 25 bfi items (2,800 rows, 6 categories): seconds (best of 3) and the largest difference
   from ``psych::polychoric`` (stored in tests/reference/measurement; psych's own time there
   was measured once on this machine by make_reference.R).
2. 40 simulated 5-point items (2,800 rows, 5 factors): seconds (best of 3) and the largest
   error against the true latent correlations.
3. A naive per-pair baseline (scipy ``multivariate_normal.cdf`` per cell inside
   ``minimize_scalar``) timed on 3 pairs and extrapolated to all 300 bfi pairs.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

os.environ.setdefault("RINGSTATS_QUIET", "1")

from ringstats.measurement._correlation import polychoric  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "reference" / "measurement"
OUT = Path(__file__).parent / "results" / "bench_polychoric.md"


def _best(fun, reps: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(reps):
        t = time.perf_counter()
        out = fun()
        best = min(best, time.perf_counter() - t)
    return best, out


def _sim40(n: int = 2800, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    p, k = 40, 5
    lam = np.zeros((p, k))
    for j in range(p):
        lam[j, j % k] = rng.uniform(0.5, 0.85)
    phi = np.full((k, k), 0.3) + 0.7 * np.eye(k)
    sigma = lam @ phi @ lam.T
    np.fill_diagonal(sigma, 1.0)
    z = rng.multivariate_normal(np.zeros(p), sigma, size=n)
    cuts = np.array([-1.8, -1.0, -0.2, 0.8])
    x = np.digitize(z, cuts) + 1.0
    return pd.DataFrame(x, columns=[f"i{j + 1}" for j in range(p)]), sigma


def _naive_pair(x: np.ndarray, y: np.ndarray) -> float:
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok].astype(int), y[ok].astype(int)
    cx, cy = np.unique(x), np.unique(y)
    tab = np.array([[np.sum((x == a) & (y == b)) for b in cy] for a in cx], float)
    tx = np.r_[-8, stats.norm.ppf(np.cumsum(tab.sum(1))[:-1] / tab.sum()), 8]
    ty = np.r_[-8, stats.norm.ppf(np.cumsum(tab.sum(0))[:-1] / tab.sum()), 8]

    def nll(r: float) -> float:
        mvn = stats.multivariate_normal([0, 0], [[1, r], [r, 1]])
        f = np.array([[mvn.cdf([a, b]) for b in ty] for a in tx])
        p = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
        return -np.sum(tab * np.log(np.clip(p, 1e-300, None)))

    return optimize.minimize_scalar(nll, bounds=(-0.999, 0.999), method="bounded").x


def main() -> None:
    bfi = pd.read_csv(REF / "bfi.csv")
    items = list(bfi.columns[:25])
    ref = pd.read_csv(REF / "polychoric_bfi_rho.csv", index_col=0)
    psych_s = float(pd.read_csv(REF / "polychoric_bfi_time.csv")["seconds"].iloc[0])
    t25, pc = _best(lambda: polychoric(bfi, items=items))
    d25 = float(np.abs(pc.rho.to_numpy() - ref.to_numpy()).max())

    sim, sigma = _sim40()
    t40, pc40 = _best(lambda: polychoric(sim))
    off = ~np.eye(40, dtype=bool)
    e40 = float(np.abs(pc40.rho.to_numpy()[off] - sigma[off]).max())

    pairs = [("A1", "A2"), ("C1", "C2"), ("E1", "N1")]
    t = time.perf_counter()
    naive = [_naive_pair(bfi[a].to_numpy(), bfi[b].to_numpy()) for a, b in pairs]
    t_naive = (time.perf_counter() - t) / len(pairs) * 300
    dn = max(abs(r - pc.rho.loc[a, b]) for r, (a, b) in zip(naive, pairs, strict=True))

    rows = [
        ("bfi, 25 items (300 pairs), n = 2,800, 6 categories", f"{t25:.3f}",
         f"max abs(rho - psych) = {d25:.1e}"),
        ("psych::polychoric, same data (stored, R 4.2, psych 2.2.9)", f"{psych_s:.3f}",
         "reference"),
        ("simulated, 40 items (780 pairs), n = 2,800, 5 categories", f"{t40:.3f}",
         f"max abs(rho - true latent r) = {e40:.3f}"),
        ("naive scipy per-pair loop, extrapolated to 300 pairs", f"{t_naive:.1f}",
         f"max abs(rho - ringstats) on 3 pairs (its thresholds come from the pair margins) = {dn:.1e}"),
    ]
    table = pd.DataFrame(rows, columns=["task", "seconds", "accuracy"])
    text = (
        "# Polychoric correlations: speed\n\n"
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared). Times are the best of 3 runs (naive: 3 pairs).\n\n"
        + table.to_markdown(index=False) + "\n\n"
        "ringstats computes the bivariate-normal probabilities of all cells of all pairs in "
        "one vectorised call (Genz 2004) and optimises every pair's correlation at once by "
        "golden-section search; the naive loop calls scipy's multivariate normal CDF per "
        "cell.\n"
    )
    print(text)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
