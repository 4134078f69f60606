"""The data prelude of the plateau test, kept in one function.

:func:`resolve_plateau_data` turns (data, outcome, driver or spec, covariates, scores)
into checked arrays, one :class:`DriverData` per driver to test. It goes through the
package's one data path (:mod:`ringstats._design`): the frame check (unique, flat column
names), the spec's rules for every item and the outcome (scales, missing codes, reverse
keying), the outcome's declared kind (a binary outcome is refused: the test fits linear
models) and the conversion of plain columns. Everything below it (the fits and the
verdict) trusts its input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._design import checked_frame, clean_for, numeric_frame, outcome_spec
from .._kernels.validation import check_columns, check_option
from ..errors import RingstatsError
from ..measurement._ordinal import latent_scores
from ..measurement._scores import SCORE_TYPES, mean_scores, ring_scores
from ..spec import RingSpec

__all__ = ["DriverData", "resolve_plateau_data", "resolve_outcome"]

LEVELS = ("ring", "construct")


@dataclass(frozen=True)
class DriverData:
    """Complete cases of one driver, the outcome and the covariates.

    ``to_scale`` maps driver values to the items' scale points (latent scores; None for a
    data column or mean scores, which are in scale points already).
    """

    driver: str
    outcome: str
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    Z: np.ndarray = field(repr=False)
    covariates: tuple[str, ...] = ()
    level: str | None = None
    ring: int | None = None
    scores: str | None = None
    to_scale: Callable[[Any], np.ndarray] | None = field(default=None, repr=False)


def resolve_outcome(data: Any, outcome: str | None, spec: RingSpec | None) -> str:
    """Check ``data`` and ``spec`` and return the outcome column (default: the spec's
    default outcome, LTR)."""
    checked_frame(data)
    if spec is not None and not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    col = outcome_spec(spec, outcome).column
    check_columns(data, [col], "outcome")
    return col


def _numeric(clean: pd.DataFrame, frame: pd.DataFrame, spec: RingSpec | None,
             roles: dict[str, str]) -> pd.DataFrame:
    """Convert the columns the spec does not describe to float (one role per column)."""
    scaled = (set(spec._scaled_items()) | set(spec.outcomes)) if spec is not None else set()
    plain = {c: r for c, r in roles.items() if c not in scaled}
    if not plain:
        return clean
    clean = clean.copy() if clean is frame else clean
    for role in dict.fromkeys(plain.values()):
        cols = [c for c, r in plain.items() if r == role]
        conv = numeric_frame(clean, cols, role=role)
        for c in cols:
            clean[c] = conv[c].to_numpy()
    return clean


def _frame(d: pd.DataFrame, driver: str, outcome: str, covs: list[str], **kw: Any
           ) -> DriverData:
    d = d[[outcome, driver, *covs]].astype(float).dropna()
    return DriverData(driver=driver, outcome=outcome, x=d[driver].to_numpy(),
                      y=d[outcome].to_numpy(), Z=d[covs].to_numpy(), covariates=tuple(covs),
                      **kw)


def resolve_plateau_data(
    data: pd.DataFrame,
    *,
    outcome: str | None = None,
    driver: str | None = None,
    spec: RingSpec | None = None,
    covariates: Sequence[str] | None = None,
    levels: Sequence[str] = LEVELS,
    scores: str = "latent",
) -> list[DriverData]:
    """Checked complete cases for each driver a plateau test will fit.

    One driver (``driver`` given): the column itself, adjusted for ``covariates``. A spec
    (``driver`` None): every ring score and construct score (``levels``), scored as
    ``scores`` says, each adjusted for ``covariates`` or, when None, for the other rings'
    scores. Never modifies ``data``.
    """
    if driver is None and spec is None:
        raise RingstatsError("give `driver` (a column) or `spec` (a RingSpec); got neither.")
    outcome = resolve_outcome(data, outcome, spec)
    covs = [] if covariates is None else check_columns(data, covariates, "covariates")
    if driver is not None:
        check_columns(data, [driver], "driver")
        if driver in covs or outcome in covs:
            raise RingstatsError("`covariates` must not contain the driver or the outcome; "
                                 f"got {covs}.")
    named = ([driver] if driver is not None else []) + covs
    clean = clean_for(data, spec, outcome=outcome, columns=named, linear="the plateau test")
    roles = {outcome: "outcome", **{c: "covariate" for c in covs}}
    if driver is not None:
        roles[driver] = "driver"
    clean = _numeric(clean, data, spec, roles)
    if driver is not None:
        return [_frame(clean, driver, outcome, covs)]
    check_option(scores, "scores", SCORE_TYPES)
    levels = list(levels)
    for lv in levels:
        check_option(lv, "levels", LEVELS)
    if not levels:
        raise RingstatsError("`levels` must name 'ring' and/or 'construct'; got an empty list.")
    if scores == "latent":
        lat = {"ring": latent_scores(clean, spec=spec, level="ring")}
        if "construct" in levels:
            lat["construct"] = latent_scores(clean, spec=spec, level="construct")
        frames = [lat[k].scores for k in LEVELS if k in lat]
    else:
        lat = {}
        frames = [ring_scores(clean, spec=spec)]
        if "construct" in levels:
            frames.append(mean_scores(clean, spec=spec))
    table = pd.concat(frames, axis=1)
    table[outcome] = clean[outcome].astype(float)
    extra = list(covs)
    for c in extra:
        table[c] = clean[c].astype(float)
    jobs: list[tuple[str, str, int]] = []
    if "ring" in levels:
        jobs += [(f"ring{r}", "ring", r) for r in sorted(spec.rings) if spec.rings[r]]
    if "construct" in levels:
        jobs += [(c.name, "construct", c.ring) for c in spec.constructs]
    out = []
    for name, level, ring in jobs:
        adj = extra + ([f"ring{r}" for r in sorted(spec.rings)
                        if spec.rings[r] and r != ring] if covariates is None else [])
        # mean scores are in scale points already; latent ones map through the model
        to_scale = (partial(lat[level].to_scale, name) if scores == "latent"
                    else partial(np.asarray, dtype=float))
        out.append(_frame(table, name, outcome, adj, level=level, ring=ring, scores=scores,
                          to_scale=to_scale))
    return out
