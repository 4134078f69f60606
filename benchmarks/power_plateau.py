"""How many customers does `plateau` need to call the `base` world's plateau a plateau?

`benchmarks/oc_plateau.py` shows that at n = 2,000 the verdict for rings 1 and 2 of the
`base` world is `plateau` in about 40%/33% of replicates (and `plateau` or `diminishing` in
80%/76%). This study extends the sample-size axis to find where the `plateau` verdict reaches
80%. Verdicts do not depend on the breakpoint interval, so the fast profile interval is used.

Run:  .venv/bin/python benchmarks/power_plateau.py   (writes benchmarks/results/power_plateau.md)
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
from ringstats.shape import plateau
from ringstats.simulate import draw

REPS = int(os.environ.get("POWER_REPS", 100))
SIZES = (2_000, 5_000, 10_000, 20_000, 40_000)
OUT = Path(__file__).parent / "results" / "power_plateau.md"


def one(n: int, seed: int) -> list[tuple]:
    w = draw("base", n=n, seed=seed)
    tab = plateau(w.spec.validate(w.customers), spec=w.spec, levels=("ring",),
                  bp_ci="profile", progress=False).table
    return [(n, seed, r, tab.loc[f"ring{r}", "verdict"]) for r in (1, 2)]


def main() -> int:
    t0 = time.time()
    tasks = [(n, 20_000 + i) for n in SIZES for i in range(REPS)]
    gen = Parallel(n_jobs=2, return_as="generator")(delayed(one)(*t) for t in tasks)
    rows = [r for res in progress_iter(gen, total=len(tasks), desc="replicates") for r in res]
    df = pd.DataFrame(rows, columns=["n", "seed", "ring", "verdict"])
    tab = (df.groupby(["n", "ring"])["verdict"].value_counts(normalize=True).unstack(fill_value=0)
           .reindex(columns=["plateau", "diminishing", "linear", "increasing", "inconclusive"],
                    fill_value=0.0))
    plat = tab["plateau"].unstack("ring")
    first = {r: next((n for n in SIZES if plat.loc[n, r] >= 0.8), None) for r in (1, 2)}
    mc = 1.96 * np.sqrt(0.25 / REPS)
    text = [
        "# Power of the `plateau` verdict in the `base` world",
        "",
        f"{REPS} replicates per n (seeds 20,000 + i); rings 1 and 2 truly plateau (slopes .30 "
        "-> .08 / .10 on latent loyalty at the latent median). Default settings (relative "
        f"sesoi 0.5, HC3, alpha 0.05). Monte Carlo error of a share at most +/-{mc:.3f}.",
        "",
        tab.to_markdown(floatfmt=".3f"),
        "",
        "## Reading",
        "",
        "- Smallest n studied at which `plateau` reaches 80%: "
        + ", ".join(f"ring {r} " + (f"{first[r]:,}" if first[r] else f"beyond {SIZES[-1]:,}")
                    for r in (1, 2)) + ". The verdict is consistent (its rate rises to "
        "nearly 1 with n), but proving that the upper slope is below half the lower one "
        "needs about ten times the sample that finds the bend.",
        "",
        f"Run time {time.time() - t0:.0f} s with n_jobs=2.",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(text) + "\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
