"""Recovery study: coverage of the generator's latent loadings by WLSMV 95% CIs.

Replicates ``draw("base", n=1000, seed=r)`` (5-point ordinal items cut from continuous
latent responses with known standardised loadings ``w.truth.loadings``), fits
``ringstats.cfa(..., estimator="WLSMV")`` (polychorics, DWLS, robust SEs) and, for
comparison, ``estimator="ML"``, and records whether each true latent loading lies in
``std_estimate +/- 1.96 std_se``. ``benchmarks/recovery_cfa.py`` found that ML intervals
cover the latent loadings in only about half the replicates (they target the attenuated
loadings of the discretised items); WLSMV targets the latent loadings themselves.

    nice -n 10 python benchmarks/recovery_wlsmv.py [--reps 300] [--n 1000]

Prints the coverage table and writes it to benchmarks/results/recovery_wlsmv.md.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ringstats import ConvergenceError, RingstatsWarning, cfa
from ringstats._kernels.progress import progress_iter
from ringstats.simulate import draw

OUT = Path(__file__).parent / "results" / "recovery_wlsmv.md"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--estimators", default="WLSMV,ML",
                    help="comma-separated (ML for comparison; recovery_cfa.md has it)")
    args = ap.parse_args()
    kinds = tuple(args.estimators.split(","))
    t0 = time.perf_counter()
    w0 = draw("base", n=200, seed=0)
    latent = w0.truth.loadings
    items = list(latent.index)
    est = {k: np.full((args.reps, len(items)), np.nan) for k in kinds}
    se = {k: np.full((args.reps, len(items)), np.nan) for k in kinds}
    fails = dict.fromkeys(kinds, 0)
    for r in progress_iter(range(args.reps), total=args.reps, desc="WLSMV replicates"):
        w = draw("base", n=args.n, seed=r)
        d = w.spec.validate(w.customers)
        for k in kinds:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RingstatsWarning)
                    res = cfa(d, spec=w.spec, estimator=k)
            except ConvergenceError:
                fails[k] += 1
                continue
            est[k][r] = res.loadings.loc[items, "std_estimate"].to_numpy()
            se[k][r] = res.loadings.loc[items, "std_se"].to_numpy()
    truth = latent.to_numpy()
    table = pd.DataFrame({"construct": [w0.spec.item_map()[i] for i in items],
                          "latent_loading": truth}, index=pd.Index(items, name="item"))
    summary = {}
    for k in kinds:
        ok = ~np.isnan(est[k]).any(axis=1)
        e, s = est[k][ok], se[k][ok]
        cover = ((e - 1.96 * s <= truth) & (truth <= e + 1.96 * s))
        table[f"{k}_mean"] = e.mean(axis=0)
        table[f"{k}_bias"] = e.mean(axis=0) - truth
        table[f"{k}_sd"] = e.std(axis=0, ddof=1)
        table[f"{k}_mean_se"] = s.mean(axis=0)
        table[f"{k}_coverage"] = cover.mean(axis=0)
        n_ok = int(ok.sum())
        # MC SE of the overall coverage: between-replicate SD of the per-replicate share
        per_rep = cover.mean(axis=1)
        summary[k] = (n_ok, cover.mean(), per_rep.std(ddof=1) / np.sqrt(n_ok),
                      np.sqrt(0.95 * 0.05 / n_ok))
    secs = time.perf_counter() - t0
    overall = {"construct": "(all)", "latent_loading": np.nan}
    for c in table.columns[2:]:
        overall[c] = table[c].mean()
    table.loc["overall"] = pd.Series(overall)
    fmt = table.copy()
    for c in fmt.columns[1:]:
        fmt[c] = fmt[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    lines = [
        "# recovery_wlsmv",
        "",
        f"ringstats.cfa(estimator=...) for {', '.join(kinds)} on replicates of "
        f"`draw(\"base\", n={args.n}, seed=r)`, r = 0..{args.reps - 1} (the simulated "
        "RingSpec: 7 constructs, 21 five-point items). Target: the generator's latent "
        "standardised loadings `w.truth.loadings`. "
        f"Python {platform.python_version()}, {secs:.0f} s.",
        "",
        "| estimator | replicates | convergence failures | coverage of 95% CIs | MC SE "
        "(between replicates) | MC SE (binomial, one item) |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for k, (n_ok, cov, mcse, binse) in summary.items():
        lines.append(f"| {k} | {n_ok} | {fails[k]} | {cov:.3f} | {mcse:.3f} | {binse:.3f} |")
    lines += [
        "",
        "Per item (`_coverage` = share of replicates whose interval "
        "`std_estimate +/- 1.96 std_se` contains the latent loading):",
        "",
        fmt.reset_index().to_markdown(index=False),
        "",
        "## Reading the table",
        "",
        "- WLSMV estimates the loadings of the continuous latent responses from thresholds "
        "and polychoric correlations, so its intervals are centred on the generator's "
        "loadings; its robust (sandwich) SEs should match the replicate SD (`_mean_se` vs "
        "`_sd`) and the coverage should sit in 93-97%.",
        "- ML on Pearson covariances of the 5-point items estimates the attenuated loadings "
        "of the discretised items (bias about -0.035) and misses the latent target, as "
        "`recovery_cfa.md` found.",
        "- The MC SE between replicates accounts for the correlation of the 21 items' "
        "coverage indicators within a replicate; the binomial SE is that of one item's "
        "coverage.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
