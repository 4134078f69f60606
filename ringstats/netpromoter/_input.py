"""NPS input: the LTR column, weights and the NPS rule (from the spec or a mapping)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._data import checked_frame, numeric_frame, weights_array
from .._kernels.validation import (
    check_columns,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning

METHODS = ("adjusted_wald", "wald", "bootstrap")


P_ADJUST = ("holm", "bonferroni", "fdr_bh", "none")


#: Below this (effective) sample size a warning says the normal approximation is rough.
SMALL_N = 30


_PROMOTER = (9, 10)


_DETRACTOR = (0, 1, 2, 3, 4, 5, 6)


# ----------------------------------------------------------------------------------------
# input handling
# ----------------------------------------------------------------------------------------
@dataclass
class _Scores:
    ltr: np.ndarray  # raw values (float), NaN removed
    score: np.ndarray  # +1 promoter, 0 passive, -1 detractor
    w: np.ndarray | None  # weights or None
    index: pd.Index  # row labels kept (for pairing)
    standard: bool
    n_missing: int
    name: str


def _as_series(data: Any, ltr: Any, param: str = "data") -> tuple[pd.Series, pd.DataFrame | None]:
    """Return the LTR column as a float Series, plus the frame it came from (or None)."""
    if isinstance(data, pd.DataFrame):
        frame = checked_frame(data, param)
        if not isinstance(ltr, str):
            raise RingstatsError(
                f"`outcome` must be a column name of `{param}` when `{param}` is a DataFrame; "
                f"got {type(ltr).__name__}."
            )
        check_columns(frame, [ltr], "outcome")
        # text, infinite values, nullable and categorical dtypes: the one data path
        return numeric_frame(frame, [ltr], param=param, role="outcome")[ltr], frame
    elif isinstance(data, pd.Series):
        col, frame = data, None
    elif isinstance(data, (np.ndarray, list, tuple)):
        arr = np.asarray(data)
        if arr.ndim != 1:
            raise RingstatsError(f"`{param}` must be one-dimensional; got shape {arr.shape}.")
        col, frame = pd.Series(arr, name="ltr"), None
    else:
        raise RingstatsError(
            f"`{param}` must be a DataFrame (with an `ltr` column), a Series or a 1-D array; "
            f"got {type(data).__name__}."
        )
    if not (pd.api.types.is_numeric_dtype(col) or col.dtype == object):
        raise RingstatsError(f"`{param}` LTR values must be numeric; got dtype {col.dtype}.")
    try:
        values = pd.to_numeric(col, errors="raise").astype(float)
    except (ValueError, TypeError):
        raise RingstatsError(
            f"`{param}` LTR values must be numeric; got non-numeric values such as "
            f"{list(col[pd.to_numeric(col, errors='coerce').isna() & col.notna()].unique()[:5])}."
        ) from None
    return values, frame


def _check_scale(scale: Any) -> dict[str, set[float]] | None:
    if scale is None:
        return None
    if not isinstance(scale, Mapping) or not {"promoter", "detractor"} <= set(scale):
        raise RingstatsError(
            "`scale` must be None or a dict with keys 'promoter' and 'detractor' (and optionally "
            f"'passive'), each a list of scale values; got {scale!r}."
        )
    extra = set(scale) - {"promoter", "detractor", "passive"}
    if extra:
        raise RingstatsError(
            f"`scale` keys must be 'promoter', 'detractor' and optionally 'passive'; got extra "
            f"key(s) {sorted(extra)}."
        )
    out: dict[str, set[float]] = {}
    for key, vals in scale.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, (Sequence, set, np.ndarray)):
            raise RingstatsError(f"`scale['{key}']` must be a list of values; got {vals!r}.")
        try:
            out[key] = {float(v) for v in vals}
        except (TypeError, ValueError):
            raise RingstatsError(f"`scale['{key}']` must hold numbers; got {vals!r}.") from None
        if not out[key]:
            raise RingstatsError(f"`scale['{key}']` must not be empty.")
    keys = list(out)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            both = out[a] & out[b]
            if both:
                raise RingstatsError(
                    f"`scale` puts value(s) {sorted(both)} in both '{a}' and '{b}'."
                )
    return out


def _prepare(data: Any, ltr: Any, weights: Any, scale: Any, param: str = "data",
             min_n: int = 2) -> _Scores:
    values, frame = _as_series(data, ltr, param)
    mapping = _check_scale(scale)
    w = None
    if weights is not None:
        if isinstance(weights, str) and frame is not None:
            check_columns(frame, [weights], "weights")
        w = weights_array(frame, weights, len(values))
    keep = values.notna().to_numpy().copy()
    if w is not None:
        keep &= ~np.isnan(w)
    n_missing = int((~keep).sum())
    v = values.to_numpy(float)[keep]
    idx = values.index[keep]
    if w is not None:
        w = w[keep]
    name = str(values.name) if values.name is not None else "ltr"
    if mapping is None:
        bad = np.unique(v[(v < 0) | (v > 10)])
        if bad.size:
            raise RingstatsError(
                f"`{param}` LTR values must lie in 0..10 for a standard NPS; got "
                f"{_fmt_vals(bad)}. For another scale pass an explicit "
                "`scale={'promoter': [...], 'detractor': [...]}` mapping."
            )
        nonint = np.unique(v[v != np.round(v)])
        if nonint.size:
            raise RingstatsError(
                f"`{param}` LTR values must be whole numbers 0..10; got non-integer value(s) "
                f"{_fmt_vals(nonint)}."
            )
        score = np.where(v >= 9, 1.0, np.where(v <= 6, -1.0, 0.0))
        standard = True
    else:
        prom = np.isin(v, list(mapping["promoter"]))
        detr = np.isin(v, list(mapping["detractor"]))
        if "passive" in mapping:
            known = prom | detr | np.isin(v, list(mapping["passive"]))
            bad = np.unique(v[~known])
            if bad.size:
                raise RingstatsError(
                    f"`{param}` holds value(s) {_fmt_vals(bad)} that `scale` assigns to no group."
                )
        score = np.where(prom, 1.0, np.where(detr, -1.0, 0.0))
        standard = False
        warnings.warn(
            "A custom `scale` mapping was used: the result is not a standard 0-10 Net Promoter "
            "Score and must not be compared with NPS benchmarks.",
            RingstatsWarning,
            stacklevel=3,
        )
    n_eff = len(v) if w is None else _kish(w)
    if len(v) < min_n or n_eff < min_n:
        raise InsufficientDataError(
            f"`{param}` has {len(v)} non-missing LTR answer(s) (effective n {n_eff:.1f}); at least "
            f"{min_n} are needed for an NPS interval."
        )
    if w is not None and w.sum() <= 0:
        raise RingstatsError("`weights` must not all be zero.")
    return _Scores(v, score, w, idx, standard, n_missing, name)


def _resolve_rule(data: Any, spec: Any, ltr: str | None, scale: Any, param: str = "data"
                  ) -> tuple[Any, str, Any, tuple[str, ...]]:
    """Apply the spec to the LTR column: (cleaned data, column, scale mapping, notes).

    The one place where NPS learns its rule. With a spec, the LTR column goes through the
    spec's cleaning (missing codes, scale check); a 0-10 outcome gets the standard rule, any
    other scale only the rule the spec declares (``nps: {promoters, detractors}``), and the
    result is then labelled non-standard. Without a rule on a non-0-10 scale, a refusal that
    names the fix.
    """
    if spec is None:
        return data, "ltr" if ltr is None else ltr, scale, ()

    from ..spec import RingSpec

    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    od = spec.outcome_spec(ltr)
    if od is None:
        raise RingstatsError(
            f"`outcome` {ltr!r} is not an outcome of the spec (its LTR column is {spec.ltr!r})."
        )
    if od.kind == "binary":
        raise RingstatsError(f"NPS needs a rating outcome; `{od.column}` is declared binary.")
    frame = checked_frame(data, param) if isinstance(data, pd.DataFrame) else data
    if isinstance(frame, pd.DataFrame):
        check_columns(frame, [od.column], "outcome")
        frame = spec.clean(frame, [od.column])
    if scale is not None:
        return frame, od.column, scale, ()
    rule = od.nps_rule
    sc = od.scale
    if rule is None:
        rng = f"{sc.min}..{sc.max}" if sc is not None else "an undeclared"
        raise RingstatsError(
            f"`{od.column}` is on a {rng} scale: the Net Promoter Score is defined on 0-10. "
            f"Declare an explicit rule in the spec (`outcomes: {{{od.name}: {{column: "
            f"{od.column}, scale: {{min: ..., max: ...}}, nps: {{promoters: [...], "
            "detractors: [...]}}}`) or pass `scale={'promoter': [...], 'detractor': [...]}`; "
            "the result is then labelled as a non-standard NPS."
        )
    if od.nps_standard:
        return frame, od.column, None, ()
    note = (f"Non-standard NPS: rule from the spec ({rule.describe()}) on the "
            f"{sc.min if sc else '?'}..{sc.max if sc else '?'} scale of `{od.column}`; not "
            "comparable with 0-10 NPS benchmarks.")
    return frame, od.column, rule.as_mapping(), (note,)


def _warn_if_short_scale(s: _Scores, param: str) -> None:
    """Without a spec, a 0-10 item whose answers never exceed 7 is suspicious: say so."""
    if s.standard and len(s.ltr) >= 30 and s.ltr.max() <= 7:
        warnings.warn(
            f"`{param}`: no answer above {s.ltr.max():g} among {len(s.ltr)}: is this really a "
            "0-10 likelihood-to-recommend item? On another scale, pass `spec=` with the "
            "outcome's scale and NPS rule, or `scale={'promoter': [...], 'detractor': [...]}`.",
            RingstatsWarning, stacklevel=3)


def _fmt_vals(vals: np.ndarray, limit: int = 8) -> str:
    shown = [f"{x:g}" for x in vals[:limit]]
    return "[" + ", ".join(shown) + (", ..." if vals.size > limit else "") + "]"


def _sorted_levels(col: pd.Series) -> list[Any]:
    vals = list(col.dropna().unique())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _kish(w: np.ndarray) -> float:
    """Kish (1965) effective sample size (sum w)^2 / sum w^2."""
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def adjust_p(pv: np.ndarray, method: str) -> np.ndarray:
    """Multiplicity-adjusted p-values (statsmodels ``multipletests``; Holm 1979 by default);
    NaN p-values stay NaN and do not count as tests."""
    if method == "none":
        return pv
    from statsmodels.stats.multitest import multipletests

    ok = np.isfinite(pv)
    adj = np.full_like(pv, np.nan)
    if ok.any():
        adj[ok] = multipletests(pv[ok], method=method)[1]
    return adj
