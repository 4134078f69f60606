"""Data for the latent-score reference (tests/reference/latent/make_reference.R).

One draw of the simulator's `base` world (n = 1,000, seed 11), cleaned with
``spec.validate`` (missing codes -> NaN, ease4 reversed): the ring 1 and ring 2 items.
Run from the repository root: ``.venv/bin/python tests/reference/latent/make_data.py``.
"""

from pathlib import Path

import ringstats as rs

w = rs.draw("base", n=1000, seed=11)
clean = w.spec.validate(w.customers)
cols = ["prod1", "prod2", "prod3", "prod4", "val1", "val2", "val3",
        "spd1", "spd2", "spd3", "ease1", "ease2", "ease3", "ease4"]
clean[cols].to_csv(Path(__file__).with_name("latent_items.csv"), index=False, na_rep="NA")
