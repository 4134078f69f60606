"""Export the input data of make_reference.R (run from the repo root:
``.venv/bin/python tests/reference/shape/make_data.py``)."""

from pathlib import Path

import numpy as np
import pandas as pd

from ringstats.measurement._scores import ring_scores
from ringstats.simulate import draw

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20261122)

# 1. small continuous example (n <= 300: Davies small-sample bound)
n = 250
x = rng.uniform(0, 10, n)
y = 1 + 0.50 * x - 0.40 * np.maximum(x - 5, 0) + rng.normal(0, 1.0, n)
pd.DataFrame({"x": x, "y": y}).to_csv(HERE / "seg_small.csv", index=False)
# 1b. weak kink, n <= 300 (moderate Davies p-value; breakpoint ill-determined)
n = 200
x = rng.uniform(0, 10, n)
y = 1 + 0.30 * x - 0.15 * np.maximum(x - 6, 0) + rng.normal(0, 1.0, n)
pd.DataFrame({"x": x, "y": y}).to_csv(HERE / "weak_small.csv", index=False)

# 2. discrete mean-score driver with a covariate (n > 300: asymptotic Davies bound)
n = 1000
z = rng.normal(0, 1, n)
lat = 0.5 * z + np.sqrt(0.75) * rng.normal(0, 1, n)
x = np.clip(np.round((3.6 + 0.8 * lat + rng.normal(0, 0.3, n)) * 12) / 12, 1, 5)
y = 5 + 1.2 * x - 0.9 * np.maximum(x - 3.5, 0) + 0.4 * z + rng.normal(0, 1.6, n)
pd.DataFrame({"x": x, "z": z, "y": y}).to_csv(HERE / "seg_cov.csv", index=False)

# 3. one draw of the base world: LTR on the ring-1 score, adjusted for rings 2 and 3
w = draw("base", n=2000, seed=11)
d = w.spec.validate(w.customers)
rs = ring_scores(d, spec=w.spec)
rs["ltr"] = d["ltr"].astype(float)
rs.dropna().rename(columns={"ring1": "x", "ltr": "y"}).to_csv(HERE / "base_ring1.csv",
                                                             index=False)
