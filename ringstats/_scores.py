"""Construct and ring scores: the mean-score policy shared by every analysis module.

A construct's mean score is the mean of its answered items when at least
``min_items`` of them are answered (default: half the items, rounded up), and NaN
otherwise -- the "half rule" common in scale scoring (e.g. Newman 2014, *Missing data:
five practical guidelines*, Organizational Research Methods 17(4)). A ring score is the
mean of the ring's construct scores, NaN when one of them is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import ceil

import pandas as pd

from ._validation import check_columns, check_dataframe, check_int, check_numeric
from .errors import RingstatsError
from .spec import RingSpec

__all__: list[str] = []


def blocks_of(spec: RingSpec | Mapping[str, Sequence[str]], param: str = "spec") -> dict[str, list[str]]:
    """Construct -> item list from a RingSpec or a plain mapping."""
    if isinstance(spec, RingSpec):
        return {c.name: list(c.items) for c in spec.constructs}
    if isinstance(spec, Mapping) and spec:
        out: dict[str, list[str]] = {}
        for name, items in spec.items():
            if isinstance(items, str) or not isinstance(items, Sequence) or not items:
                raise RingstatsError(
                    f"`{param}` must map each construct to a non-empty list of item columns; "
                    f"got {items!r} for {name!r}."
                )
            out[str(name)] = list(items)
        return out
    raise RingstatsError(
        f"`{param}` must be a RingSpec or a dict of construct -> item columns; "
        f"got {type(spec).__name__}."
    )


def mean_scores(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    min_items: int | None = None,
) -> pd.DataFrame:
    """Mean score per construct, aligned to ``data.index``.

    ``data`` should already be cleaned by ``spec.validate`` (missing codes NaN,
    reverse-keyed items recoded). Rows with fewer than ``min_items`` answered items of a
    construct get NaN for that construct.
    """
    check_dataframe(data)
    blocks = blocks_of(spec)
    out = {}
    for name, items in blocks.items():
        check_columns(data, items, "spec")
        check_numeric(data, items, "spec")
        need = ceil(len(items) / 2) if min_items is None else min_items
        if min_items is not None:
            check_int(min_items, "min_items", min_value=1)
        block = data[items].astype(float)
        score = block.mean(axis=1, skipna=True)
        score[block.notna().sum(axis=1) < min(need, len(items))] = float("nan")
        out[name] = score
    return pd.DataFrame(out, index=data.index)


def ring_scores(
    data: pd.DataFrame, *, spec: RingSpec, min_items: int | None = None
) -> pd.DataFrame:
    """Mean of the construct mean scores within each ring; columns ``ring1``, ``ring2``, ``ring3``."""
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    cs = mean_scores(data, spec=spec, min_items=min_items)
    return pd.DataFrame(
        {f"ring{r}": cs[names].mean(axis=1, skipna=False) for r, names in spec.rings.items() if names},
        index=data.index,
    )
