"""Data prelude of the asymmetry analyses: drivers, outcome, scales and dummy coding.

The frame goes through the one data path (:func:`ringstats._design.clean_for`: the spec's
scales and missing codes, unique columns, binary outcomes refused); the drivers' scales
come from the spec. Kept apart from the computation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._design import clean_for, indistinct_pairs, warn_indistinct
from .._kernels.validation import (
    check_columns,
    check_dataframe,
    check_numeric,
    check_real,
)
from ..errors import InsufficientDataError, RingstatsError
from ..measurement._scores import mean_scores
from ..spec import RingSpec, blocks_of

#: Fewest respondents a low or high dummy group may hold.
MIN_CELL = 10


@dataclass
class _Drivers:
    X: pd.DataFrame  # drivers, complete cases
    y: np.ndarray
    lo: dict[str, float]  # scale minimum per driver
    hi: dict[str, float]  # scale maximum per driver
    ring: dict[str, int] | None
    outcome: str


def _prepare(data: Any, outcome: Any, drivers: Any, spec: Any,
             analysis: str = "the asymmetry analysis") -> _Drivers:
    check_dataframe(data)
    if not isinstance(outcome, str):
        raise RingstatsError(f"`outcome` must be a column name; got {type(outcome).__name__}.")
    # the one data path: the spec's scales and missing codes on items and outcome, unique
    # column names, a binary outcome refused (these are linear models)
    cols = [drivers] if isinstance(drivers, str) else list(drivers or [])
    frame = clean_for(data, spec if isinstance(spec, RingSpec) else None, outcome=outcome,
                      columns=[c for c in cols if isinstance(c, str)], linear=analysis)
    check_columns(frame, [outcome], "outcome")
    check_numeric(frame, [outcome], "outcome")
    ring: dict[str, int] | None = None
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    if drivers is None and spec is None:
        raise RingstatsError("Give `drivers` (a list of columns) or `spec` (constructs); got neither.")
    if drivers is not None:
        cols = check_columns(frame, drivers, "drivers")
        if outcome in cols:
            raise RingstatsError(f"`drivers` must not include the outcome {outcome!r}.")
        check_numeric(frame, cols, "drivers")
        X = frame[cols].astype(float)
        if isinstance(spec, RingSpec):
            imap = spec.item_map()
            cnames = set(spec.construct_names)
            ring = {}
            for c in cols:
                if c in imap:
                    ring[c] = spec.ring_of(imap[c])
                    sc = spec.scale_of(c)
                    lo[c], hi[c] = float(sc.min), float(sc.max)
                elif c in cnames:
                    ring[c] = spec.ring_of(c)
                    sc = spec.scale_of(spec.construct(c).items[0])
                    lo[c], hi[c] = float(sc.min), float(sc.max)
            if len(ring) != len(cols):
                ring = None
    else:
        blocks = blocks_of(spec)
        if isinstance(spec, RingSpec):
            warn_indistinct(indistinct_pairs(frame, spec, list(blocks)), analysis=analysis)
        X = mean_scores(frame, spec=spec)
        if isinstance(spec, RingSpec):
            ring = {c.name: c.ring for c in spec.constructs}
            for c in spec.constructs:
                sc = spec.scale_of(c.items[0])
                lo[c.name], hi[c.name] = float(sc.min), float(sc.max)
        X = X[list(blocks)]
    for c in X.columns:
        if c not in lo:
            lo[c], hi[c] = float(X[c].min()), float(X[c].max())
            if not hi[c] > lo[c]:
                raise InsufficientDataError(f"Driver {c!r} is constant; it cannot be analysed.")
    y = pd.to_numeric(frame[outcome], errors="coerce").astype(float)
    ok = X.notna().all(axis=1) & y.notna()
    X, yv = X.loc[ok], y.loc[ok].to_numpy(float)
    if len(yv) < 3 * X.shape[1] + 10:
        raise InsufficientDataError(
            f"`data` has {len(yv)} complete rows for {X.shape[1]} drivers; at least "
            f"{3 * X.shape[1] + 10} are needed."
        )
    return _Drivers(X, yv, lo, hi, ring, outcome)


def _per_driver(value: Any, names: Sequence[str], param: str, default: dict[str, float]
                ) -> dict[str, float]:
    if value is None:
        return dict(default)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise RingstatsError(f"`{param}` names unknown driver(s) {unknown}; drivers are "
                                 f"{list(names)}.")
        out = dict(default)
        for k, v in value.items():
            out[k] = check_real(v, f"{param}[{k!r}]")
        return out
    v = check_real(value, param)
    return {c: v for c in names}


def _dummies(d: _Drivers, low: dict[str, float], high: dict[str, float]
             ) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    cols = [np.ones(len(d.y))]
    counts = {}
    for c in d.X.columns:
        x = d.X[c].to_numpy(float)
        if not low[c] < high[c]:
            raise RingstatsError(
                f"For driver {c!r} the low cut-off ({low[c]:g}) must be below the high cut-off "
                f"({high[c]:g})."
            )
        dl, dh = (x <= low[c]).astype(float), (x >= high[c]).astype(float)
        nl, nh = int(dl.sum()), int(dh.sum())
        if nl < MIN_CELL or nh < MIN_CELL or len(x) - nl - nh < MIN_CELL:
            raise InsufficientDataError(
                f"Driver {c!r}: the low group (<= {low[c]:g}) has {nl}, the high group "
                f"(>= {high[c]:g}) {nh} and the middle {len(x) - nl - nh} respondents; each "
                f"needs at least {MIN_CELL}. Change `low`/`high`."
            )
        cols += [dl, dh]
        counts[c] = (nl, nh)
    return np.column_stack(cols), counts


def _default_cuts(d: _Drivers, frac: float = 0.25) -> tuple[dict[str, float], dict[str, float]]:
    low = {c: d.lo[c] + frac * (d.hi[c] - d.lo[c]) for c in d.X.columns}
    high = {c: d.hi[c] - frac * (d.hi[c] - d.lo[c]) for c in d.X.columns}
    return low, high


