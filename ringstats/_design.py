"""One data path: from (data, spec, outcome, drivers, scores, weights) to a checked design.

Every analysis resolves its input here, once, at its public boundary; the numerical
kernels below trust what they get. The rules themselves live in one place each:

* the frame: a DataFrame with unique, flat column names (:func:`checked_frame`);
* scales, missing codes (global, per scale, per column), binary labels and reverse
  keying: :meth:`ringstats.RingSpec.clean`, applied by :func:`items_frame` and
  :func:`resolve` to exactly the columns an analysis uses;
* the outcome's kind and scale: the spec's :class:`~ringstats.spec.OutcomeSpec`,
  turned into the modelled vector by :func:`outcome_vector`;
* survey weights: :func:`weights_array`;
* constructs that cannot be told apart (HTMT >= .90, Henseler, Ringle & Sarstedt 2015):
  :func:`indistinct_pairs`, warned about by every driver analysis.

The caller's DataFrame is never modified: cleaning works on a copy.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._kernels.validation import check_dataframe, check_option
from .errors import InsufficientDataError, RingstatsError, RingstatsWarning, ValidationError
from .spec import (
    OUTCOME_KINDS,
    OutcomeSpec,
    RingSpec,
    _as_float,
    _column_problems,
    blocks_of,
)

__all__: list[str] = []

#: HTMT at or above this marks two constructs as empirically indistinguishable
#: (the liberal HTMT.90 criterion of Henseler, Ringle & Sarstedt 2015, *JAMS* 43:115-135).
HTMT_INDISTINCT = 0.90

#: Names of the model each outcome kind gets, shown in every summary.
MODEL_NAMES = {
    "continuous": "linear model (OLS)",
    "binary": "logistic model",
    "ordinal": "cumulative-logit (ordinal) model",
}


def checked_frame(data: Any, param: str = "data", *, min_rows: int = 1) -> pd.DataFrame:
    """``data`` if it is a DataFrame with rows and unique, flat column names; else raise."""
    check_dataframe(data, param, min_rows=min_rows)
    problems = _column_problems(data)
    if problems:
        raise ValidationError([f"`{param}`: {p}" for p in problems])
    return data


def _check_spec(spec: Any, param: str = "spec") -> None:
    if spec is not None and not isinstance(spec, RingSpec):
        raise RingstatsError(f"`{param}` must be a RingSpec or None; got {type(spec).__name__}.")


def _present(data: pd.DataFrame, columns: Sequence[str], param: str, role: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        avail = ", ".join(map(str, list(data.columns)[:12]))
        more = " ..." if data.shape[1] > 12 else ""
        raise ValidationError([
            f"unknown column: `{c}` ({role}) is not in `{param}`; available: {avail}{more}"
            for c in missing
        ])


def numeric_frame(data: pd.DataFrame, columns: Sequence[str], *, param: str = "data",
                  role: str = "column") -> pd.DataFrame:
    """``columns`` of ``data`` as float64 (nullable, categorical, boolean converted).

    For columns the spec does not describe: text and infinite values are listed in one
    :class:`~ringstats.errors.ValidationError`.
    """
    _present(data, columns, param, role)
    problems: list[str] = []
    out = {c: _as_float(data[c], c, problems).to_numpy() for c in columns}
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(out, index=data.index, columns=list(columns))


def items_frame(
    data: Any,
    spec: RingSpec | Mapping[str, Sequence[str]],
    *,
    param: str = "data",
    spec_param: str = "spec",
    min_rows: int = 1,
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """A cleaned copy of ``data`` and the construct -> items blocks of ``spec``.

    With a :class:`RingSpec`, the item columns go through :meth:`RingSpec.clean` (scales,
    missing codes, reverse keying): a 99 on a 1-5 item is a ValidationError naming the
    column, its scale and the value. With a plain dict the items are converted to float.
    """
    frame = checked_frame(data, param, min_rows=min_rows)
    blocks = blocks_of(spec, spec_param)
    items = list(dict.fromkeys(i for its in blocks.values() for i in its))
    if isinstance(spec, RingSpec):
        _present(frame, items, param, "item")
        return spec.clean(frame, [i for i in items if i in spec._scaled_items()]), blocks
    conv = numeric_frame(frame, items, param=param, role="item")
    out = frame.copy()
    for c in items:
        out[c] = conv[c].to_numpy()
    return out, blocks


def clean_for(data: Any, spec: RingSpec | None, *, outcome: str | None = None,
              columns: Sequence[str] = (), param: str = "data",
              linear: str | None = None) -> pd.DataFrame:
    """A cleaned copy of ``data`` for analyses that score the spec themselves.

    The spec's rules (:meth:`RingSpec.clean`) go to every item and to ``outcome`` and
    ``columns`` where the spec declares them; other named columns are converted to float.
    ``linear`` names an analysis that fits a linear model of the outcome: a binary outcome
    is then refused with the reason, never fitted as continuous without a word.
    """
    frame = checked_frame(data, param)
    _check_spec(spec)
    named = [c for c in ([outcome] if outcome is not None else []) + list(columns)]
    if spec is None:
        if named:
            _present(frame, named, param, "column")
        return frame
    scaled = set(spec._scaled_items()) | set(spec.outcomes)
    cols = [i for i in spec.items if i in frame.columns]
    cols += [c for c in named if c in scaled and c in frame.columns]
    out = spec.clean(frame, list(dict.fromkeys(cols)))
    if linear is not None and outcome is not None:
        od = spec.outcome_spec(outcome)
        if od is not None and od.kind == "binary":
            raise RingstatsError(
                f"`outcome` {outcome!r} is declared binary: {linear} fits a linear model of a "
                "numeric outcome. Use a rating outcome, or `ringstats.drivers(..., kind='binary')` "
                "for a logistic driver model."
            )
    return out


def weights_array(data: pd.DataFrame | None, weights: Any, n: int,
                  param: str = "weights") -> np.ndarray | None:
    """Survey weights as a float array aligned with the rows (NaN kept, negatives refused)."""
    if weights is None:
        return None
    if isinstance(weights, str):
        if data is None:
            raise RingstatsError(f"`{param}` given as a column name needs `data` to be a DataFrame.")
        w = numeric_frame(data, [weights], param="data", role=param)[weights].to_numpy()
    else:
        try:
            w = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError):
            raise RingstatsError(
                f"`{param}` must be None, a column name or an array of non-negative numbers; "
                f"got {type(weights).__name__}."
            ) from None
        if w.shape[0] != n:
            raise RingstatsError(f"`{param}` must have one value per row of `data` ({n}); "
                                 f"got {w.shape[0]}.")
    if np.isinf(w).any():
        raise RingstatsError(f"`{param}` must be finite; got {int(np.isinf(w).sum())} infinite value(s).")
    bad = np.isfinite(w) & (w < 0)
    if bad.any():
        raise RingstatsError(f"`{param}` must be non-negative; got {int(bad.sum())} negative value(s).")
    return w


def outcome_spec(spec: RingSpec | None, outcome: str | None, *,
                 param: str = "outcome") -> OutcomeSpec:
    """The outcome to model: declared in the spec, or an undeclared column (kind unknown)."""
    if outcome is not None and not isinstance(outcome, str):
        raise RingstatsError(f"`{param}` must be a column name; got {outcome!r}.")
    if spec is not None:
        od = spec.outcome_spec(outcome)
        if od is not None:
            return od
    if outcome is None:
        raise RingstatsError(f"`{param}` must be a column name (the spec names no outcome); got None.")
    return OutcomeSpec(outcome, outcome, "continuous", None)


def resolve_kind(kind: str | None, od: OutcomeSpec, y: np.ndarray, *, declared: bool) -> str:
    """The outcome kind to model: ``kind=`` if given, else the spec's, else from the values.

    An undeclared outcome holding only 0 and 1 is modelled as binary, with a warning that
    says so (never silently as a linear probability model).
    """
    if kind is not None:
        return check_option(kind, "kind", OUTCOME_KINDS)
    if declared:
        return od.kind
    vals = np.unique(y[np.isfinite(y)])
    if len(vals) == 2 and set(vals) <= {0.0, 1.0}:
        warnings.warn(
            f"`outcome` {od.column!r} holds only 0 and 1: modelled as binary (logistic). "
            "Declare it in the spec (`kind: binary`) or pass kind='continuous' for a linear "
            "probability model.", RingstatsWarning, stacklevel=4)
        return "binary"
    return "continuous"


def outcome_vector(y: np.ndarray, od: OutcomeSpec, kind: str) -> tuple[np.ndarray, int, str]:
    """The modelled outcome: (values, number of categories (0: continuous), description).

    * continuous: the values;
    * binary: a 0/1 column as is (text labels were mapped by the spec); a rating through
      the outcome's NPS rule (promoter = 1): the standard rule on 0-10, an explicit rule
      on any other scale, otherwise a refusal that names the fix;
    * ordinal: the categories present, coded 0..K-1 (at least 3).
    """
    name = od.column
    if kind == "continuous":
        return y, 0, f"{name} (continuous)"
    vals = np.unique(y)
    if kind == "binary":
        if set(vals) <= {0.0, 1.0}:
            yb = y
            label = (f"{name} = {od.positive!r}" if od.positive is not None else f"{name} = 1")
        else:
            rule = od.nps_rule
            if rule is None:
                sc = f" (scale {od.scale.describe()})" if od.scale is not None else ""
                raise RingstatsError(
                    f"kind='binary' on `outcome` {name!r}{sc} needs a 0/1 column, a text label "
                    "with its positive value (`kind: binary, positive: <label>` in the spec), or "
                    "an NPS rule naming the promoter values (`nps: {promoters: [...], "
                    "detractors: [...]}`); none is declared."
                )
            yb = np.isin(y, rule.promoters).astype(float)
            std = "" if od.nps_standard else ", non-standard rule"
            label = f"{name}: promoter ({', '.join(f'{v:g}' for v in rule.promoters)}{std})"
        if yb.min() == yb.max():
            if od.nps_rule is not None and not set(vals) <= {0.0, 1.0}:
                which = "among the promoters" if yb[0] == 1 else "among the non-promoters"
            else:
                which = "positive" if yb[0] == 1 else "negative"
            raise InsufficientDataError(
                f"`outcome` {name!r}: every complete row is {which}; a binary model needs both "
                "outcomes."
            )
        return yb, 2, label
    if len(vals) < 3:
        raise InsufficientDataError(
            f"`outcome` {name!r} must take at least 3 values for kind='ordinal'; got "
            f"{len(vals)}. Use kind='binary'."
        )
    return np.searchsorted(vals, y).astype(float), len(vals), f"{name} ({len(vals)} ordered categories)"


def indistinct_pairs(data: pd.DataFrame, spec: RingSpec, constructs: Sequence[str],
                     threshold: float = HTMT_INDISTINCT) -> list[tuple[str, str, float]]:
    """Pairs of constructs whose HTMT (point estimate) is at or above ``threshold``.

    ``data`` must be cleaned already. Constructs with fewer than two observed items are
    skipped (HTMT needs within-construct correlations).
    """
    from .measurement._validity import htmt_matrix

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


def warn_indistinct(pairs: list[tuple[str, str, float]], *, analysis: str,
                    stacklevel: int = 3) -> tuple[str, ...]:
    """Warn once per pair of indistinguishable constructs; return the messages."""
    msgs = []
    for a, b, v in pairs:
        msg = (f"constructs `{a}` and `{b}` are empirically indistinguishable (HTMT {v:.2f} >= "
               f"{HTMT_INDISTINCT:.2f}): {analysis} cannot separate their effects; consider "
               f"merging them into one construct in the spec.")
        warnings.warn(msg, RingstatsWarning, stacklevel=stacklevel)
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
    from .measurement._scores import SCORE_TYPES, spec_scores

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
        notes = warn_indistinct(indistinct_pairs(clean, spec, names), analysis=analysis,
                                stacklevel=4)
    return Design(X=X, y=y, raw_y=raw_y, w=w, names=names, rings=rings, outcome=ycol,
                  outcome_spec=od, kind=kind_, K=K, outcome_label=label, n=len(y),
                  n_dropped=int(len(ok) - ok.sum()), rows=rows, frame=clean, notes=notes)
