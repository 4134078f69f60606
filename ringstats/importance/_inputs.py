"""Driver-analysis inputs: the resolved design and the checks of the decompositions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._design import resolve
from .._kernels import shapley as core
from ..errors import RingstatsError
from ..spec import RingSpec

KINDS = ("continuous", "binary", "ordinal")


SHAPLEY_METHODS = ("auto", "exact", "sampled")


CI_METHODS = ("bca", "percentile")


#: Most drivers for the exact subset enumeration of a binary or ordinal model
#: (2**p model fits per estimate).
MAX_GLM_DRIVERS = 8


_BATCH = 100  # bootstrap replicates per job (fixed, so results do not depend on n_jobs)


# ----------------------------------------------------------------------------------------
# input preparation
# ----------------------------------------------------------------------------------------
@dataclass
class _Prepared:
    X: np.ndarray  # (n, p) drivers
    y: np.ndarray  # (n,) outcome on its own scale
    w: np.ndarray | None  # (n,) weights or None
    names: list[str]
    ring: dict[str, int] | None  # driver -> ring (construct drivers only)
    outcome: str
    n: int
    design: Any = None  # the resolved ringstats._design.Design


def _prepare(
    data: pd.DataFrame,
    *,
    outcome: str | None,
    drivers: Sequence[str] | None,
    spec: RingSpec | None,
    weights: Any,
    exact: bool = True,
    scores: str = "mean",
    kind: str | None = None,
    analysis: str = "driver importance",
    linear_only: bool = False,
) -> _Prepared:
    """Resolve the input through the one data path (:func:`ringstats._design.resolve`),
    then the checks of the decompositions: size, constant and collinear drivers."""
    d = resolve(data, spec=spec, outcome=outcome, drivers=drivers, scores=scores,
                weights=weights, kind=kind, analysis=analysis)
    if linear_only and d.kind == "binary":
        raise RingstatsError(
            f"`outcome` {d.outcome!r} is binary ({d.outcome_label}): this is a linear "
            "decomposition. Use `ringstats.drivers` or `ringstats.dominance` (logistic "
            "model), or declare the outcome continuous for a linear probability model."
        )
    names, X = d.names, d.X
    p = len(names)
    if exact and p > core.MAX_EXACT:
        raise RingstatsError(
            f"`drivers` has {p} variables; the exact decomposition handles at most {core.MAX_EXACT} "
            "(2**p subsets). Combine related drivers with `groups=` (group Shapley) or score "
            "them into constructs with `spec=`."
        )
    w = d.w
    sd = np.sqrt(np.diag(core.weighted_cov(X, w)))
    const = [names[j] for j in range(p) if not sd[j] > 1e-12 * max(1.0, np.abs(X[:, j]).max())]
    if const:
        raise RingstatsError(f"`drivers` must vary; constant in the complete rows: {', '.join(const)}.")
    corr = core.cov_to_corr(core.weighted_cov(X, w))
    if p > 1:
        ev = np.linalg.eigvalsh(corr)
        if ev[0] < 1e-10:
            raise RingstatsError(
                "`drivers` are perfectly collinear (singular correlation matrix, smallest "
                f"eigenvalue {ev[0]:.2e}); drop or combine redundant drivers."
            )
    return _Prepared(X, d.raw_y, w, names, d.rings, d.outcome, d.n, d)


def _corr_matrix(prep: _Prepared) -> np.ndarray:
    Z = np.column_stack([prep.X, prep.y])
    cov = core.weighted_cov(Z, prep.w)
    if not cov[-1, -1] > 0:
        raise RingstatsError(f"`outcome` {prep.outcome!r} must vary; it is constant.")
    return core.cov_to_corr(cov)


# ----------------------------------------------------------------------------------------
# Shapley / LMG, dominance, relative weights
# ----------------------------------------------------------------------------------------
def _check_groups(groups: Any, names: list[str]) -> tuple[list[str], list[int]]:
    if not isinstance(groups, Mapping) or not groups:
        raise RingstatsError(
            f"`groups` must be a non-empty dict of group name -> list of drivers; got {groups!r}."
        )
    seen: dict[str, str] = {}
    masks = []
    for g, members in groups.items():
        if isinstance(members, str):
            members = [members]
        mask = 0
        for m in members:
            if m not in names:
                raise RingstatsError(f"`groups` entry {g!r} names {m!r}, which is not a driver.")
            if m in seen:
                raise RingstatsError(f"`groups`: driver {m!r} is in both {seen[m]!r} and {g!r}.")
            seen[m] = str(g)
            mask |= 1 << names.index(m)
        if mask == 0:
            raise RingstatsError(f"`groups` entry {g!r} is empty.")
        masks.append(mask)
    left = [m for m in names if m not in seen]
    if left:
        raise RingstatsError(f"`groups` must cover every driver; not in any group: {', '.join(left)}.")
    if len(masks) > 16:
        raise RingstatsError(f"`groups` must have at most 16 groups; got {len(masks)}.")
    return [str(g) for g in groups], masks


def _rank(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest (ties get the smaller rank by order of appearance)."""
    order = np.argsort(-values, kind="stable", axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


def _importance_frame(values: np.ndarray, r2: float, names: list[str], index_name: str,
                      ring: Mapping[str, int] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(
        {"estimate": values, "share": values / r2 if r2 > 0 else np.nan, "rank": _rank(values)},
        index=pd.Index(names, name=index_name),
    )
    if ring is not None:
        out.insert(0, "ring", [ring[c] for c in names])
    return out
