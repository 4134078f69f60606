"""Frames and columns: the lower half of the one data path.

Checks a frame (unique, flat column names), applies the spec's rules
(:meth:`ringstats.RingSpec.clean`) to exactly the columns an analysis uses, converts
plain columns, resolves survey weights and the outcome's kind. It depends only on the
spec and the kernels, so the measurement estimators use it too; the driver design
(:mod:`ringstats._design`) builds on it. The caller's DataFrame is never modified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._kernels.validation import check_columns, check_dataframe, check_option
from .errors import InsufficientDataError, RingstatsError, ValidationError, warn
from .spec import OUTCOME_KINDS, OutcomeSpec, RingSpec, _as_float, _column_problems, blocks_of

__all__: list[str] = []

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
        raise ValidationError([f"`{param}`: {p} ({role} columns must hold finite numbers)"
                               for p in problems])
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


def item_data(
    data: Any,
    *,
    items: Sequence[str] | str | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    param: str = "data",
    items_param: str = "items",
) -> tuple[pd.DataFrame, list[str]]:
    """The item columns of an item-level analysis, checked, as a float64 frame.

    ``spec`` (a :class:`RingSpec`: its scales, missing codes and reverse keying apply; or a
    dict of construct -> items) or ``items`` (column names, converted to float: nullable,
    categorical and boolean dtypes accepted, text and infinite values refused); with
    neither, every numeric column of ``data``. Returns the frame (``data``'s index, the
    items in order, no other column) and the item names.
    """
    frame = checked_frame(data, param)
    if items is not None and spec is not None:
        raise RingstatsError(f"give either `{items_param}` or `spec`, not both; got both.")
    if spec is not None:
        clean, blocks = items_frame(frame, spec, param=param)
        cols = list(dict.fromkeys(i for its in blocks.values() for i in its))
        return numeric_frame(clean, cols, param=param, role="item"), cols
    if items is None:
        cols = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        if not cols:
            raise RingstatsError(f"`{param}` has no numeric columns; pass `{items_param}=` "
                                 "explicitly.")
    else:
        cols = check_columns(frame, items, items_param)
    return numeric_frame(frame, cols, param=param, role="item"), cols


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


def model_frame(data: Any, spec: Any, items: Sequence[str], *,
                param: str = "data") -> pd.DataFrame:
    """``items`` of ``data`` as a float64 frame, through the spec's rules (scales, missing
    codes, reverse keying; loyalty items and outcomes included) when ``spec`` is a
    :class:`RingSpec`; text and infinite values refused either way. For models that take
    observed columns beyond the construct items (SEM, multi-group CFA)."""
    frame = checked_frame(data, param)
    if isinstance(spec, RingSpec):
        frame = clean_for(frame, spec, columns=items, param=param)
    return numeric_frame(frame, items, param=param, role="item")


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
        warn(
            f"`outcome` {od.column!r} holds only 0 and 1: modelled as binary (logistic). "
            "Declare it in the spec (`kind: binary`) or pass kind='continuous' for a linear "
            "probability model.")
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


