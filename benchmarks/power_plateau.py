"""How many customers does `plateau` need to call the `base` world's plateau a plateau?

Rings 1 and 2 of the `base` world bend at latent 0 (slopes .30 -> .08 / .10 on latent
loyalty). For each driver metric (``scores="latent"``, the default, and ``"mean"``) and
each n, 100 replicates of ``plateau_table(data, spec=spec, levels=("ring",))`` with the default
delta-method equivalence test give the share of `plateau` verdicts and the n at which it
reaches 80%; ``equivalence="bootstrap"`` (more conservative) is shown for the latent
metric. ``oc_plateau.py`` gives the false-claim rates of both tests.

An upper limit for any analysis of these surveys: the same test with the error-free ring
latents as drivers and latent loyalty y* as outcome (``oracle``), which no survey offers.

Run:  .venv/bin/python benchmarks/power_plateau.py   (writes benchmarks/results/power_plateau.md)
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
from ringstats.shape import plateau, plateau_table
from ringstats.simulate import draw

REPS = int(os.environ.get("POWER_REPS", 100))
SIZES = {"latent": (1_000, 2_000, 3_000, 5_000),
         "latent_boot": (2_000, 5_000, 10_000),
         "mean": (2_000, 5_000, 10_000, 20_000),
         "oracle": (500, 1_000, 2_000)}
OUT = Path(__file__).parent / "results" / "power_plateau.md"
VERDICTS = ["plateau", "diminishing", "decline", "dip", "linear", "increasing", "inconclusive"]


def one(kind: str, n: int, seed: int) -> list[tuple]:
    w = draw("base", n=n, seed=seed)
    d = w.spec.validate(w.customers)
    if kind == "oracle":
        lat = w.truth.latent
        frame = pd.DataFrame({"ring1": lat["R1"], "ring2": lat["R2"], "ring3": lat["R3"],
                              "y": lat["y_star"]})
        out = []
        for r in (1, 2):
            cov = [c for c in ("ring1", "ring2", "ring3") if c != f"ring{r}"]
            res = plateau(frame, outcome="y", driver=f"ring{r}", covariates=cov,
                          bp_ci="profile", seed=seed)
            out.append((kind, n, seed, r, res.verdict))
        return out
    boot = kind == "latent_boot"
    tab = plateau_table(d, spec=w.spec, levels=("ring",), scores="latent" if boot else kind,
                        bp_ci="profile", equivalence="bootstrap" if boot else "delta",
                        seed=seed, progress=False).table
    return [(kind, n, seed, r, tab.loc[f"ring{r}", "verdict"]) for r in (1, 2)]


def main() -> int:
    t0 = time.time()
    tasks = [(k, n, 20_000 + i) for k, sizes in SIZES.items() for n in sizes
             for i in range(REPS)]
    gen = Parallel(n_jobs=2, return_as="generator")(delayed(one)(*t) for t in tasks)
    rows = [r for res in progress_iter(gen, total=len(tasks), desc="replicates") for r in res]
    df = pd.DataFrame(rows, columns=["scores", "n", "seed", "ring", "verdict"])
    tab = (df.groupby(["scores", "n", "ring"])["verdict"].value_counts(normalize=True)
           .unstack(fill_value=0).reindex(columns=VERDICTS, fill_value=0.0))
    order = {k: i for i, k in enumerate(SIZES)}
    tab = tab.sort_index(key=lambda ix: ix.map(order) if ix.name == "scores" else ix)
    first = {}
    for k, sizes in SIZES.items():
        for r in (1, 2):
            first[(k, r)] = next((n for n in sizes if tab.loc[(k, n, r), "plateau"] >= 0.8),
                                 None)
    mc = 1.96 * np.sqrt(0.25 / REPS)

    def fmt(k: str, r: int) -> str:
        f = first[(k, r)]
        return f"{f:,}" if f else f"beyond {SIZES[k][-1]:,}"

    text = [
        "# Power of the `plateau` verdict in the `base` world",
        "",
        f"{REPS} replicates per row (seeds 20,000 + i); rings 1 and 2 truly bend (slopes .30 "
        "-> .08 / .10 on latent loyalty at the latent median). Default test (relative sesoi "
        "0.5, HC3, alpha 0.05, delta-method equivalence test). `latent`: EAP ring scores (the "
        "default); `latent_boot`: the same with the bootstrap equivalence test; `mean`: mean "
        "scores; `oracle`: the error-free ring latents as "
        "drivers and latent loyalty y* as outcome (not available in a survey: an upper "
        f"limit). Monte Carlo error of a share at most +/-{mc:.3f}.",
        "",
        tab.to_markdown(floatfmt=".3f"),
        "",
        "## Reading",
        "",
        "- Smallest n studied at which `plateau` reaches 80% (ring 1 / ring 2): latent scores "
        f"{fmt('latent', 1)} / {fmt('latent', 2)} (bootstrap test {fmt('latent_boot', 1)} / "
        f"{fmt('latent_boot', 2)}); mean scores {fmt('mean', 1)} / {fmt('mean', 2)}; oracle "
        f"{fmt('oracle', 1)} / {fmt('oracle', 2)}.",
        "- The gap between the oracle and the survey analyses is the information that five-"
        "point items lose: measurement error smooths the bend (ring reliability about .88 "
        "on the latent metric), and mean scores of skewed items also compress the top of "
        "the scale, which straightens the curve.",
        "",
        f"Run time {time.time() - t0:.0f} s with n_jobs=2.",
    ]
    return write_report(OUT, text)


if __name__ == "__main__":
    sys.exit(main())
