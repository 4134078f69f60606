"""Recovery of the ring shares by ``drivers()`` on the simulated worlds.

Ground truth. ``truth.ring_shares`` is the Shapley share of each ring latent in the linear
R^2 of latent loyalty y*; ``truth.ring_shares_ltr`` the same for the observed 0-10 LTR,
whose rounding and ceiling at 10 narrow the gaps (base: .289 / .343 / .368 against .282 /
.338 / .379). A driver analysis of LTR targets the second. The rings are measured by
five-point items with skewed thresholds, so each scoring of the constructs has its own
population value (the estimand); it is computed here on one draw of 400,000 customers.

Study, world `base` (and `no_ring3` for the counter-claim):

1. population values of the ring shares for ``scores="mean"`` and ``scores="latent"``;
2. how often the point estimates put the rings in the truth's order (ring 1 < ring 2 <
   ring 3), 100 seeds per n, for both scorings;
3. coverage of the 95% BCa intervals (200 replicates) of the ring shares and of the
   pairwise differences, against ``ring_shares_ltr``, 100 seeds at n = 5,000;
4. `no_ring3` (n = 3,000, 50 seeds): how often the ring 3 - ring 2 and ring 3 - ring 1
   intervals reach 0 or below (ring 3 not significantly above the others).

Run:  .venv/bin/python benchmarks/recovery_drivers.py   (writes
benchmarks/results/recovery_drivers.md; REC_REPS=30 for a quicker look)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _report import write_report
from joblib import Parallel, delayed

from ringstats._kernels.progress import progress_iter
from ringstats.importance import drivers
from ringstats.simulate import draw

REPS = int(os.environ.get("REC_REPS", 100))
SIZES = (2_000, 5_000, 10_000, 20_000)
SCORES = ("mean", "latent")
OUT = Path(__file__).parent / "results" / "recovery_drivers.md"
PAIRS = ("ring3 - ring2", "ring3 - ring1", "ring2 - ring1")


def _shares(world: str, n: int, seed: int, scores: str, n_boot: int = 0):
    w = draw(world, n=n, seed=seed)
    return drivers(w.spec.validate(w.customers), spec=w.spec, scores=scores, n_boot=n_boot,
                   seed=seed, progress=False), w.truth


def order_job(n: int, seed: int) -> list[dict]:
    out = []
    for s in SCORES:
        res, _ = _shares("base", n, seed, s)
        sh = res.rings["share"].to_numpy()
        out.append({"n": n, "seed": seed, "scores": s, "s1": sh[0], "s2": sh[1], "s3": sh[2],
                    "order": bool(sh[0] < sh[1] < sh[2])})
    return out


def cover_job(seed: int) -> list[dict]:
    out = []
    for s in SCORES:
        res, truth = _shares("base", 5000, seed, s, n_boot=200)
        t = truth.ring_shares_ltr
        tdiff = {"ring3 - ring2": t[3] - t[2], "ring3 - ring1": t[3] - t[1],
                 "ring2 - ring1": t[2] - t[1]}
        row = {"seed": seed, "scores": s}
        for r in (1, 2, 3):
            lo, hi = res.rings.loc[r, ["ci_low", "ci_high"]]
            row[f"ring{r}"] = bool(lo <= t[r] <= hi)
        for k in PAIRS:
            lo, hi = res.differences.loc[k, ["ci_low", "ci_high"]]
            row[k] = bool(lo <= tdiff[k] <= hi)
        out.append(row)
    return out


def null_job(seed: int) -> list[dict]:
    out = []
    for s in SCORES:
        res, _ = _shares("no_ring3", 3000, seed, s, n_boot=200)
        d = res.differences
        out.append({"seed": seed, "scores": s,
                    "not_above": bool(d.loc["ring3 - ring2", "ci_low"] <= 0
                                      and d.loc["ring3 - ring1", "ci_low"] <= 0),
                    "share3": float(res.rings.loc[3, "share"])})
    return out


def main() -> int:
    t0 = time.time()
    pop_rows = []
    for world in ("base", "no_ring3"):
        for s in SCORES:
            res, truth = _shares(world, 400_000, 998, s)
            pop_rows.append({"world": world, "quantity": f"estimand, scores={s!r}",
                             **{f"ring{r}": float(res.rings.loc[r, "share"]) for r in (1, 2, 3)}})
        pop_rows.append({"world": world, "quantity": "truth: ring latents -> LTR",
                         **{f"ring{r}": float(truth.ring_shares_ltr[r]) for r in (1, 2, 3)}})
        pop_rows.append({"world": world, "quantity": "truth: ring latents -> y*",
                         **{f"ring{r}": float(truth.ring_shares[r]) for r in (1, 2, 3)}})
    pop = pd.DataFrame(pop_rows)

    par = Parallel(n_jobs=2, return_as="generator")
    tasks = [(n, 30_000 + i) for n in SIZES for i in range(REPS)]
    rows = [r for res in progress_iter(par(delayed(order_job)(*t) for t in tasks),
                                       total=len(tasks), desc="order") for r in res]
    od = pd.DataFrame(rows)
    order = od.pivot_table(index="n", columns="scores", values="order", aggfunc="mean")
    spread = od.groupby(["scores", "n"])[["s1", "s2", "s3"]].agg(["mean", "std"]).round(3)

    rows = [r for res in progress_iter(par(delayed(cover_job)(40_000 + i) for i in range(REPS)),
                                       total=REPS, desc="coverage") for r in res]
    cov = pd.DataFrame(rows).groupby("scores")[["ring1", "ring2", "ring3", *PAIRS]].mean()
    n_null = max(REPS // 2, 10)
    rows = [r for res in progress_iter(par(delayed(null_job)(50_000 + i) for i in range(n_null)),
                                       total=n_null, desc="no_ring3") for r in res]
    nul = pd.DataFrame(rows).groupby("scores").agg(not_above=("not_above", "mean"),
                                                   mean_share3=("share3", "mean"))

    base_pop = pop[pop.world == "base"].set_index("quantity")

    est_latent, est_mean = "estimand, scores='latent'", "estimand, scores='mean'"

    def gap(q: str) -> float:
        return float(base_pop.loc[q, "ring3"] - base_pop.loc[q, "ring2"])

    lat = order["latent"]
    first95 = next((n for n in SIZES if lat.loc[n] >= 0.95), None)
    mc = 1.96 * np.sqrt(0.05 * 0.95 / REPS)
    text = [
        "# Recovery of the ring shares (`drivers`)",
        "",
        "World `base` unless stated; outcome LTR (continuous), constructs as drivers, rings as "
        "groups. `scores`: construct scoring (mean = item means; latent = EAP scores).",
        "",
        "## Population values (one draw of 400,000 customers)",
        "",
        pop.to_markdown(index=False, floatfmt=".3f"),
        "",
        f"## Truth's order recovered by the point estimates ({REPS} seeds per n)",
        "",
        "Share of seeds with ring 1 < ring 2 < ring 3:",
        "",
        order.to_markdown(floatfmt=".2f"),
        "",
        "Mean and SD of the estimated shares:",
        "",
        spread.to_markdown(),
        "",
        f"## Coverage of the 95% BCa intervals of `ring_shares_ltr` (n = 5,000, {REPS} seeds, "
        f"200 replicates; Monte Carlo error +/-{mc:.3f})",
        "",
        cov.to_markdown(floatfmt=".3f"),
        "",
        f"## `no_ring3` (n = 3,000, {n_null} seeds, 200 replicates)",
        "",
        "`not_above`: share of seeds where both ring 3 - ring 2 and ring 3 - ring 1 intervals "
        "reach 0 or below.",
        "",
        nul.to_markdown(floatfmt=".3f"),
        "",
        "## Reading",
        "",
        f"- The ring order of the truth (1 < 2 < 3) holds in every estimand, but the ring 3 - "
        f"ring 2 gap shrinks: {gap('truth: ring latents -> y*'):.3f} on latent loyalty, "
        f"{gap('truth: ring latents -> LTR'):.3f} on LTR (its rounding and ceiling), "
        f"{gap(est_latent):.3f} with EAP scores and "
        f"{gap(est_mean):.3f} with mean scores: skewed items pile up in the "
        "top categories, which hides the part of ring 3's effect that lies at high trait "
        "values; EAP scores undo most of that.",
        f"- Order recovered by latent scores in {lat.loc[5000]:.0%} of seeds at n = 5,000 and "
        f"{lat.loc[20000]:.0%} at n = 20,000 (mean scores {order['mean'].loc[5000]:.0%} and "
        f"{order['mean'].loc[20000]:.0%}); first n with >= 95%: "
        f"{first95 if first95 else 'none studied'}.",
        f"- BCa intervals with latent scores cover the LTR truth in "
        f"{cov.loc['latent'].min():.0%}-{cov.loc['latent'].max():.0%} (shares and "
        f"differences); with mean scores {cov.loc['mean'].min():.0%}-"
        f"{cov.loc['mean'].max():.0%} (they centre on the mean-score estimand).",
        f"- `no_ring3`: ring 3 not significantly above the others in "
        f"{nul.loc['latent', 'not_above']:.0%} (latent) / {nul.loc['mean', 'not_above']:.0%} "
        "(mean) of seeds.",
        "",
        f"Run time {time.time() - t0:.0f} s with 2 jobs.",
    ]
    return write_report(OUT, text)


if __name__ == "__main__":
    sys.exit(main())
