"""Large worlds written to Parquet in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._kernels.validation import check_int, check_seed
from ._draw import draw
from ._truth import SimulatedWorld
from ._worlds import world_params


def write_parquet(world: str, path: str | Path, *, n: int, seed: int | None = 0,
                  chunk_size: int = 500_000, **overrides: Any) -> SimulatedWorld:
    """Write ``n`` simulated customers to one Parquet file, ``chunk_size`` at a time.

    Memory stays at one chunk: chunk ``k`` is ``draw(world, n=chunk_size, seed=s_k)`` with
    ``s_k`` from ``SeedSequence([seed, k])``, customer ids continued and team ids offset by
    ``k * n_teams`` (each chunk brings its own teams, whose effects it draws). Needs
    pyarrow (``ringstats[scale]``).

    Returns
    -------
    SimulatedWorld
        The first chunk's world (its ``spec`` and ``truth`` hold for the whole file).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "big.parquet"
    >>> w = write_parquet("base", out, n=2500, seed=1, chunk_size=1000)
    >>> len(pd.read_parquet(out)), int(pd.read_parquet(out)["customer_id"].max())
    (2500, 2500)
    """
    n = check_int(n, "n", min_value=1)
    chunk_size = check_int(chunk_size, "chunk_size", min_value=1)
    seed = check_seed(seed)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from ..errors import MissingExtraError

        raise MissingExtraError("write_parquet needs pyarrow; install ringstats[scale].") from None
    n_teams = world_params(world, **overrides)["n_teams"]
    first = None
    writer = None
    try:
        for k, start in enumerate(range(0, n, chunk_size)):
            size = min(chunk_size, n - start)
            s_k = int(np.random.SeedSequence([0 if seed is None else seed, k])
                      .generate_state(1)[0])
            w = draw(world, n=size, seed=s_k, **overrides)
            cust = w.customers.copy()
            cust["customer_id"] += start
            cust["team"] += k * n_teams
            table = pa.Table.from_pandas(cust, preserve_index=False)
            if writer is None:
                first = w
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    assert first is not None
    return first
