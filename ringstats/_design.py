"""One data path: from (data, spec, outcome, drivers, scores, weights) to a checked design.

Every analysis resolves its input here, once, at its public boundary; the numerical
kernels below trust what they get. The rules themselves live in one place each:

* the frame: a DataFrame with unique, flat column names (:func:`checked_frame`);
* scales, missing codes (global, per scale, per column), binary labels and reverse
  keying: :meth:`ringstats.RingSpec.clean`, applied by :func:`items_frame`,
  :func:`clean_for` and :func:`resolve` to exactly the columns an analysis uses;
* the outcome's kind and scale: the spec's :class:`~ringstats.spec.OutcomeSpec`,
  turned into the modelled vector by :func:`outcome_vector`;
* survey weights: :func:`weights_array`;
* constructs that cannot be told apart (HTMT >= .90, Henseler, Ringle & Sarstedt 2015):
  :func:`indistinct_pairs`, warned about by every driver analysis.

Frame- and column-level pieces live in :mod:`ringstats._data` (below the measurement
estimators, which use them); this module adds the driver design on top of measurement
(construct scores, HTMT). The caller's DataFrame is never modified: cleaning works on a copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._data import (
    MODEL_NAMES,
    _check_spec,
    _present,
    checked_frame,
    clean_for,
    items_frame,
    numeric_frame,
    outcome_spec,
    outcome_vector,
    resolve_kind,
    weights_array,
)
from ._kernels.validation import check_option
from .errors import InsufficientDataError, RingstatsError, warn
from .measurement._scores import SCORE_TYPES, spec_scores
from .measurement._validity import htmt_matrix
from .spec import OutcomeSpec, RingSpec

__all__ = [
    "Design", "resolve", "checked_frame", "clean_for", "items_frame", "numeric_frame",
    "outcome_spec", "outcome_vector", "resolve_kind", "weights_array", "indistinct_pairs",
    "warn_indistinct", "MODEL_NAMES", "HTMT_INDISTINCT",
]

#: HTMT at or above this marks two constructs as empirically indistinguishable
#: (the liberal HTMT.90 criterion of Henseler, Ringle & Sarstedt 2015, *JAMS* 43:115-135).
HTMT_INDISTINCT = 0.90


def indistinct_pairs(data: pd.DataFrame, spec: RingSpec, constructs: Sequence[str],
                     threshold: float = HTMT_INDISTINCT) -> list[tuple[str, str, float]]:
    """Pairs of constructs whose HTMT (point estimate) is at or above ``threshold``.

    ``data`` must be cleaned already. Constructs with fewer than two observed items are
    skipped (HTMT needs within-construct correlations).
    """
    blocks = {c: list(spec.construct(c).items) for c in constructs}
    if len(blocks) < 2:
        return []
    mat = htmt_matrix(data, blocks)
    out = []
    names = list(blocks)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            v = float(mat.loc[a, b])
            if np.isfinite(v) and v >= threshold:
                out.append((a, b, v))
    return out


def warn_indistinct(pairs: list[tuple[str, str, float]], *, analysis: str) -> tuple[str, ...]:
    """Warn once per pair of indistinguishable constructs; return the messages."""
    msgs = []
    for a, b, v in pairs:
        msg = (f"constructs `{a}` and `{b}` are empirically indistinguishable (HTMT {v:.2f} >= "
               f"{HTMT_INDISTINCT:.2f}): {analysis} cannot separate their effects; consider "
               f"merging them into one construct in the spec.")
        warn(msg)
        msgs.append(msg)
    return tuple(msgs)


@dataclass(frozen=True)
class Design:
    """A checked design: drivers, outcome, weights and what they mean.

    ``X`` (n, p) and ``y`` (n,) hold complete rows only (``rows`` are their positions in
    the caller's frame); ``y`` is the outcome as modelled (0/1 for binary, category codes
    0..K-1 for ordinal, ``K`` categories; 0 for continuous); ``raw_y`` is the outcome on
    its own scale; ``w`` the weights of the kept rows (positive) or None.
    """

    X: np.ndarray
    y: np.ndarray
    raw_y: np.ndarray
    w: np.ndarray | None
    names: list[str]
    rings: dict[str, int] | None
    outcome: str
    outcome_spec: OutcomeSpec
    kind: str
    K: int
    outcome_label: str
    n: int
    n_dropped: int
    rows: np.ndarray
    frame: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        return MODEL_NAMES[self.kind]


def resolve(
    data: Any,
    *,
    spec: RingSpec | None,
    outcome: str | None,
    drivers: Sequence[str] | str | None,
    scores: str = "mean",
    weights: Any = None,
    kind: str | None = None,
    analysis: str = "the analysis",
    extra_columns: Sequence[str] = (),
    min_rows: int | None = None,
    check_distinct: bool = True,
    param: str = "data",
) -> Design:
    """Resolve an analysis' input into a :class:`Design` (the one data path).

    Parameters
    ----------
    data : DataFrame
        Raw or validated survey data (validating twice is harmless).
    spec : RingSpec, optional
        Gives scales, missing codes, the outcome's kind and scale, and construct scoring.
    outcome : str, optional
        Outcome column or spec outcome name; default: the spec's default outcome (LTR).
    drivers : str or list of str, optional
        Constructs of the spec (scored with ``scores``) or plain numeric columns; None:
        every construct of the spec.
    scores : {"mean", "latent"}
        Construct scoring (:func:`ringstats.spec_scores`).
    weights : str or array, optional
    kind : {"continuous", "binary", "ordinal"}, optional
        Overrides the spec's kind.
    analysis : str
        Name used in warnings ("driver importance", ...).
    extra_columns : list of str
        Further columns the analysis needs kept in ``frame`` (moderators, covariates).
    min_rows : int, optional
        Complete rows needed (default: number of drivers + 2).
    check_distinct : bool
        Warn about construct pairs with HTMT >= .90.
    """
    frame = checked_frame(data, param)
    _check_spec(spec)
    if drivers is None and spec is None:
        raise RingstatsError("give `drivers` (a list of columns) or `spec` (a RingSpec); got neither.")
    check_option(scores, "scores", SCORE_TYPES)
    od = outcome_spec(spec, outcome)
    declared = spec is not None and spec.outcome_spec(od.column) is not None
    ycol = od.column
    if isinstance(drivers, str):
        drivers = [drivers]
    names = list(drivers) if drivers is not None else list(spec.construct_names)  # type: ignore[union-attr]
    if len(set(names)) != len(names):
        dup = sorted({c for c in names if names.count(c) > 1})
        raise RingstatsError(f"`drivers` lists column(s) more than once: {', '.join(map(str, dup))}.")
    if not names:
        raise RingstatsError("`drivers` must name at least one column; got an empty list.")
    if ycol in names:
        raise RingstatsError(f"`outcome` {ycol!r} is also listed in `drivers`.")
    from_spec = spec is not None and set(names) <= set(spec.construct_names)
    if not from_spec and scores != "mean":
        raise RingstatsError(
            f"`scores={scores!r}` scores the constructs of `spec`; `drivers` must then name "
            f"constructs of the spec, got {names!r}."
        )
    _present(frame, [ycol], param, "outcome")
    # --- clean exactly the columns this analysis uses, through the spec's rules
    spec_cols: list[str] = []
    if spec is not None:
        scaled = set(spec._scaled_items()) | set(spec.outcomes)
        if from_spec:
            spec_cols += [i for c in names for i in spec.construct(c).items]
        else:
            spec_cols += [c for c in names if c in scaled]
        if ycol in scaled or declared:
            spec_cols.append(ycol)
        spec_cols += [c for c in extra_columns if c in scaled]
        spec_cols = list(dict.fromkeys(spec_cols))
        _present(frame, spec_cols, param, "spec column")
        clean = spec.clean(frame, spec_cols)
    else:
        clean = frame
    plain = [c for c in names if not from_spec and c not in spec_cols]
    if ycol not in spec_cols:
        plain.append(ycol)
    if plain:
        conv = numeric_frame(clean, plain, param=param,
                             role="outcome" if plain == [ycol] else "driver")
        clean = clean.copy() if clean is frame else clean
        for c in plain:
            clean[c] = conv[c].to_numpy()
    if from_spec:
        Xdf = spec_scores(clean, spec=spec, level="construct", scores=scores, constructs=names)[names]
        rings = {c: spec.ring_of(c) for c in names}
    else:
        Xdf = clean[names]
        rings = None
    raw_y = clean[ycol].to_numpy(dtype=float)
    X = Xdf.to_numpy(dtype=float)
    w = weights_array(clean, weights, len(clean))
    ok = np.isfinite(X).all(axis=1) & np.isfinite(raw_y)
    if w is not None:
        ok &= np.isfinite(w) & (w > 0)
    rows = np.flatnonzero(ok)
    X, raw_y = X[ok], raw_y[ok]
    w = None if w is None else w[ok]
    p = len(names)
    need = p + 2 if min_rows is None else min_rows
    if len(raw_y) < need:
        raise InsufficientDataError(
            f"`{param}` must have at least {need} complete rows for {p} driver(s); got {len(raw_y)}."
        )
    kind_ = resolve_kind(kind, od, raw_y, declared=declared)
    y, K, label = outcome_vector(raw_y, od, kind_)
    notes: tuple[str, ...] = ()
    if check_distinct and from_spec and len(names) > 1:
        notes = warn_indistinct(indistinct_pairs(clean, spec, names), analysis=analysis)
    return Design(X=X, y=y, raw_y=raw_y, w=w, names=names, rings=rings, outcome=ycol,
                  outcome_spec=od, kind=kind_, K=K, outcome_label=label, n=len(y),
                  n_dropped=int(len(ok) - ok.sum()), rows=rows, frame=clean, notes=notes)
