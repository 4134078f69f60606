"""Operating characteristics of ringstats.shape.plateau on the simulated worlds.

For each world and sample size, draw `REPS` independent data sets, run
``plateau(data, spec=spec, levels=("ring",))`` (LTR on each ring score, adjusted for the
other two rings; default settings: relative sesoi 0.5, HC3, alpha 0.05) and tabulate the
verdicts per ring, plus the coverage of the breakpoint CI for rings 1 and 2 in the worlds
with one true knot.

Breakpoint units. The true knot is at latent ring value 0 (the latent's median). The
fitted breakpoint lives on the observed ring-score scale (mean of item means, 1-5), so
the truth is mapped to that scale by quantiles: the observed score at the latent knot's
quantile, Phi(0) = 0.5, i.e. the population median of the ring score (computed on one
draw of 200,000 customers). A second mapping, the mean observed score of customers whose
latent is within 0.05 of the knot (E[score | latent = 0]), is shown for comparison. Both
are approximations: measurement error smears the kink over the observed scale, so the
observed-scale "true" breakpoint is not uniquely defined. The estimand of a segmented
fit to such data is the *population least-squares breakpoint*: the breakpoint of the same
fit on a very large draw (400,000 customers). Coverage of the three breakpoint intervals
(`bp_ci="bootstrap"`, the default, with 200 resamples; `"profile"`; `"delta"`, R
segmented's) is reported against it and against the latent-knot mappings.

Verdicts do not depend on the breakpoint interval, so the designs without a coverage
column use the fast profile interval.

Run:  .venv/bin/python benchmarks/oc_plateau.py   (writes benchmarks/results/oc_plateau.md)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ringstats._progress import progress_iter
from ringstats._scores import ring_scores
from ringstats.shape import breakpoint_ci, plateau
from ringstats.simulate import draw

REPS = int(os.environ.get("OC_REPS", 200))
N_JOBS = 2
DESIGN = [("base", 2000), ("linear", 2000), ("convex", 2000), ("inverse_s", 2000),
          ("base", 5000), ("linear", 5000),
          ("base", 500), ("base", 200), ("linear", 200)]
BP_DESIGN = {("base", 2000), ("convex", 2000), ("base", 5000), ("base", 500)}
OUT = Path(__file__).parent / "results" / "oc_plateau.md"


def true_breakpoints(world: str) -> dict[int, tuple[float, float]]:
    w = draw(world, n=200_000, seed=999)
    d = w.spec.validate(w.customers)
    rs = ring_scores(d, spec=w.spec)
    out = {}
    for r in (1, 2):
        knots = w.truth.breakpoints[r]
        if len(knots) != 1:
            continue
        from scipy.stats import norm

        q = norm.cdf(knots[0])
        lat = w.truth.latent[f"R{r}"].to_numpy()
        s = rs[f"ring{r}"].to_numpy()
        ok = ~np.isnan(s)
        near = ok & (np.abs(lat - knots[0]) < 0.05)
        out[r] = (float(np.quantile(s[ok], q)), float(s[near].mean()))
    big = draw(world, n=400_000, seed=998)
    tab = plateau(big.spec.validate(big.customers), spec=big.spec, levels=("ring",),
                  bp_ci="delta", progress=False).table
    return {r: (*v, float(tab.loc[f"ring{r}", "breakpoint"])) for r, v in out.items()}


def one(world: str, n: int, seed: int) -> list[dict]:
    w = draw(world, n=n, seed=seed)
    d = w.spec.validate(w.customers)
    boot = (world, n) in BP_DESIGN
    res = plateau(d, spec=w.spec, levels=("ring",), bp_ci="bootstrap" if boot else "profile",
                  n_boot=200, seed=seed, progress=False)
    rows = []
    for name, r in res.table.iterrows():
        row = {"world": world, "n": n, "seed": seed, "ring": int(r["ring"]),
               "verdict": r["verdict"], "psi": r["breakpoint"], "p_davies": r["p_davies"]}
        if boot:
            one_res = res.results[name]
            seg = one_res.segmented
            dat = one_res._data
            prof = breakpoint_ci(dat["x"], dat["y"], dat["Z"], psi=seg["psi"], method="profile")
            row.update(boot_lo=seg["psi_ci_low"], boot_hi=seg["psi_ci_high"],
                       delta_lo=seg["psi_delta_ci_low"], delta_hi=seg["psi_delta_ci_high"],
                       prof_lo=prof["ci_low"], prof_hi=prof["ci_high"])
        rows.append(row)
    return rows


def _reading(tab: pd.DataFrame, cov: pd.DataFrame) -> list[str]:
    def rate(world, n, ring, cols):
        return float(tab.loc[(world, n, ring), cols].sum())

    pb = [rate("base", 2000, r, ["plateau"]) for r in (1, 2)]
    pd_ = [rate("base", 2000, r, ["plateau", "diminishing"]) for r in (1, 2)]
    p5 = [rate("base", 5000, r, ["plateau"]) for r in (1, 2)]
    lin = max(rate(w, n, r, ["plateau"]) for (w, n) in DESIGN if w == "linear"
              for r in (1, 2, 3))
    small = [rate("base", 200, r, ["inconclusive"]) for r in (1, 2, 3)]
    return [
        f"- Target 'plateau in >= 80% of base replicates at n = 2000' is NOT met: rings 1/2 "
        f"get 'plateau' in {pb[0]:.0%}/{pb[1]:.0%} and 'plateau or diminishing' in "
        f"{pd_[0]:.0%}/{pd_[1]:.0%}; at n = 5000 'plateau' reaches {p5[0]:.0%}/{p5[1]:.0%}. "
        "Finding the bend is easy, proving the upper slope is below half the lower one is "
        "not: the slope SEs carry the breakpoint uncertainty (as R segmented) and the rings "
        "are adjusted for each other.",
        f"- False 'plateau' in the linear world: at most {lin:.1%} over all n and rings "
        "(target <= 5-10%: met).",
        f"- Small n (200, base): 'inconclusive' in {min(small):.0%}-{max(small):.0%}.",
        "- Breakpoint intervals (95%) against the population least-squares breakpoint: "
        "case bootstrap (the default) {}, inverted F test {}, delta method (R segmented) "
        "{}. Measurement error smooths the kink, so the delta interval is far too narrow; "
        "the bootstrap interval keeps its coverage at every n studied, also against the "
        "latent knot mapped to the scale ({}).".format(
            *(f"{cov[c].min():.0%}-{cov[c].max():.0%}" for c in
              ("cover_pop_boot", "cover_pop_prof", "cover_pop_delta", "cover_latent_q_boot"))),
    ]


def main() -> int:
    t0 = time.time()
    truths = {w: true_breakpoints(w) for w in ("base", "convex")}
    tasks = [(w, n, 10_000 + i) for (w, n) in DESIGN for i in range(REPS)]
    gen = Parallel(n_jobs=N_JOBS, return_as="generator")(delayed(one)(*t) for t in tasks)
    rows = [r for res in progress_iter(gen, total=len(tasks), desc="replicates") for r in res]
    df = pd.DataFrame(rows)
    verdicts = ["plateau", "diminishing", "linear", "increasing", "inconclusive"]
    tab = (df.groupby(["world", "n", "ring"])["verdict"].value_counts(normalize=True)
           .unstack(fill_value=0.0).reindex(columns=verdicts, fill_value=0.0))
    order = {(w, n): i for i, (w, n) in enumerate(DESIGN)}
    tab = tab.reset_index()
    tab["_o"] = [order[(w, n)] for w, n in zip(tab["world"], tab["n"], strict=True)]
    tab = tab.sort_values(["_o", "ring"]).drop(columns="_o").set_index(["world", "n", "ring"])
    cov_rows = []
    for world, tr in truths.items():
        for ring, (q_med, cond, pop) in tr.items():
            for n in sorted({n for (w_, n) in BP_DESIGN if w_ == world}):
                sub = df[(df.world == world) & (df.n == n) & (df.ring == ring)]
                row = {"world": world, "n": n, "ring": ring, "latent_knot_q": q_med,
                       "latent_knot_cond": cond, "population_ls": pop,
                       "mean_psi": sub.psi.mean(), "sd_psi": sub.psi.std()}
                for m in ("boot", "prof", "delta"):
                    lo, hi = sub[f"{m}_lo"], sub[f"{m}_hi"]
                    row[f"cover_pop_{m}"] = ((lo <= pop) & (pop <= hi)).mean()
                    row[f"width_{m}"] = (hi - lo).median()
                row["cover_latent_q_boot"] = ((sub.boot_lo <= q_med)
                                              & (q_med <= sub.boot_hi)).mean()
                cov_rows.append(row)
    cov = pd.DataFrame(cov_rows)
    mc = 1.96 * np.sqrt(0.25 / REPS)
    text = [
        "# Operating characteristics of `plateau` (ringstats.shape)",
        "",
        f"{REPS} replicates per row; share of replicates with each verdict (Monte Carlo "
        f"error of a share at most +/-{mc:.3f}). LTR on each ring score, adjusted for the "
        "other two rings; default settings (relative sesoi 0.5, HC3, alpha 0.05).",
        "Truth: `base` rings 1 and 2 plateau (slopes .30 -> .08 / .10 at latent 0), ring 3 "
        "linear; `linear` rings 1 and 2 linear; `convex` slopes .08/.10 -> .30; "
        "`inverse_s` steep-flat-steep with knots at -0.8 and 0.8.",
        "",
        tab.to_markdown(floatfmt=".3f"),
        "",
        "## Breakpoint intervals",
        "",
        "Truth on the observed ring-score scale: `population_ls` = the least-squares "
        "breakpoint of the same fit on 400,000 customers (the estimand); `latent_knot_q` = "
        "population median of the ring score (the latent knot 0 is the latent median); "
        "`latent_knot_cond` = mean observed score of customers with latent within 0.05 of "
        "0. Coverage of the 95% intervals: `boot` = case bootstrap, 200 resamples (the "
        "default), `prof` = inverted F test, `delta` = `psi +/- t se` as R segmented; "
        "median widths in scale points.",
        "",
        cov.to_markdown(index=False, floatfmt=".3f"),
        "",
        "## Reading",
        "",
        *_reading(tab, cov),
        "",
        f"Run time {time.time() - t0:.0f} s with n_jobs={N_JOBS}.",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(text) + "\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
