"""Recovery study: coverage of the 95% CIs of ringstats' CFA standardised loadings.

Replicates ``draw("base", n=1000, seed=r)``, fits ``ringstats.cfa`` (ML, listwise, the
simulated RingSpec) and records whether each true standardised loading lies in
``std_estimate +/- 1.96 std_se``. The simulator's items are 5-point ordinal versions of
continuous latent responses, so ML on Pearson covariances estimates the loading of the
*discretised* item, which is attenuated relative to ``w.truth.loadings`` (the loading of the
latent continuous response). Coverage is therefore reported against both targets:

- ``latent``: ``w.truth.loadings`` (what a polychoric/WLSMV analysis would target);
- ``discrete``: the population loading of the observed 5-point items, obtained by fitting
  the same CFA once to a very large draw (n = 200,000; its sampling error, about 0.001, is
  small next to the replicate SEs of about 0.02).

    python benchmarks/recovery_cfa.py [--reps 200] [--n 1000] [--big 200000]

Prints the coverage table and writes it to benchmarks/results/recovery_cfa.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ringstats import ConvergenceError, cfa
from ringstats._kernels.progress import progress_iter
from ringstats.simulate import draw

OUT = Path(__file__).parent / "results" / "recovery_cfa.md"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--big", type=int, default=200_000)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    t0 = time.perf_counter()

    big = draw("base", n=args.big, seed=10_000_019)
    spec = big.spec
    latent = big.truth.loadings
    pop = cfa(spec.validate(big.customers), spec=spec).loadings["std_estimate"]
    items = list(latent.index)

    est = np.full((args.reps, len(items)), np.nan)
    se = np.full_like(est, np.nan)
    failures = 0
    for r in progress_iter(range(args.reps), total=args.reps, desc="CFA replicates"):
        w = draw("base", n=args.n, seed=r)
        try:
            res = cfa(w.spec.validate(w.customers), spec=w.spec)
        except ConvergenceError:
            failures += 1
            continue
        est[r] = res.loadings.loc[items, "std_estimate"].to_numpy()
        se[r] = res.loadings.loc[items, "std_se"].to_numpy()
    ok = ~np.isnan(est).any(axis=1)
    est, se = est[ok], se[ok]
    lo, hi = est - 1.96 * se, est + 1.96 * se
    cov_lat = ((lo <= latent.to_numpy()) & (latent.to_numpy() <= hi)).mean(axis=0)
    cov_pop = ((lo <= pop.to_numpy()) & (pop.to_numpy() <= hi)).mean(axis=0)
    table = pd.DataFrame({
        "construct": [spec.item_map()[i] for i in items],
        "latent_loading": latent.to_numpy(),
        "discrete_loading": pop.loc[items].to_numpy(),
        "mean_estimate": est.mean(axis=0),
        "bias_vs_latent": est.mean(axis=0) - latent.to_numpy(),
        "bias_vs_discrete": est.mean(axis=0) - pop.loc[items].to_numpy(),
        "sd_estimate": est.std(axis=0, ddof=1),
        "mean_se": se.mean(axis=0),
        "coverage_latent": cov_lat,
        "coverage_discrete": cov_pop,
    }, index=pd.Index(items, name="item"))
    overall = {
        "construct": "(all)", "latent_loading": np.nan, "discrete_loading": np.nan,
        "mean_estimate": np.nan,
        "bias_vs_latent": table["bias_vs_latent"].mean(),
        "bias_vs_discrete": table["bias_vs_discrete"].mean(),
        "sd_estimate": table["sd_estimate"].mean(), "mean_se": table["mean_se"].mean(),
        "coverage_latent": cov_lat.mean(), "coverage_discrete": cov_pop.mean(),
    }
    table.loc["overall"] = pd.Series(overall)
    n_ok = int(ok.sum())
    mc = np.sqrt(0.95 * 0.05 / max(n_ok, 1))
    secs = time.perf_counter() - t0

    fmt = table.copy()
    for c in fmt.columns[1:]:
        fmt[c] = fmt[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    lines = [
        "# recovery_cfa",
        "",
        f"ringstats.cfa (ML, listwise) on {n_ok} replicates of `draw(\"base\", n={args.n}, "
        f"seed=r)`, r = 0..{args.reps - 1} ({failures} convergence failures); "
        f"population loadings of the discretised items from one draw of n = {args.big:,}. "
        f"Python {platform.python_version()}, {secs:.0f} s.",
        "",
        "Coverage = share of replicates whose 95% Wald interval `std_estimate +/- 1.96 std_se` "
        f"contains the target (Monte Carlo SE of a 0.95 coverage: {mc:.3f}).",
        "",
        fmt.reset_index().to_markdown(index=False),
        "",
        "## Reading the table",
        "",
        "- `latent_loading` is the simulator's truth (`w.truth.loadings`): the standardised "
        "loading of the continuous latent response before it is cut into 5 categories. "
        "`discrete_loading` is what ML on Pearson covariances of the 5-point items converges to "
        f"(n = {args.big:,} fit). The gap (about 0.035) is the attenuation caused by "
        "discretisation; it is a property of the data, not an estimator bias.",
        "- Against the discretised-item target, the intervals should cover about 95% of the "
        "time: this checks the CFA's standard errors (`mean_se` vs `sd_estimate`) and the "
        "absence of finite-sample bias at n = 1,000. Slight under-coverage (a few items near "
        "0.90) is expected: the 5-point items with skewed thresholds are not multivariate "
        "normal, and normal-theory (expected-information) SEs are then a little too small; "
        "robust sandwich SEs (lavaan's MLR) would be the remedy.",
        "- Against the latent target, coverage collapses because every estimate is biased "
        "downwards by the attenuation. To target latent loadings, analyse polychoric "
        "correlations (ordinal CFA/WLSMV); ringstats' CFA is normal-theory ML.",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
