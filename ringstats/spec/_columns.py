"""Column rules: what a value of a column means (numeric conversion, binary labels)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._scales import OutcomeSpec, _examples


def _column_problems(data: pd.DataFrame) -> list[str]:
    """Column-level problems of a frame: MultiIndex columns and duplicated names."""
    if isinstance(data.columns, pd.MultiIndex):
        return ["MultiIndex columns: flatten them first, for example "
                "`data.columns = ['_'.join(map(str, c)) for c in data.columns]`"]
    dup = data.columns[data.columns.duplicated()].unique()
    if len(dup):
        return [f"duplicated column name(s): {', '.join(map(str, dup[:8]))}; every column "
                "must have a unique name (rename or drop the copies)"]
    return []


def _as_float(series: pd.Series, col: str, problems: list[str]) -> pd.Series:
    """A column as float64: nullable, categorical, boolean and numeric text converted."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    if not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series, errors="coerce")
        bad = series[converted.isna() & series.notna()]
        if len(bad):
            examples = ", ".join(repr(v) for v in pd.unique(bad.astype(str))[:3])
            problems.append(f"non-numeric text in `{col}`: {len(bad)} value(s) such as {examples}")
        series = converted
    out = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index,
                    name=series.name)
    inf = np.isinf(out.to_numpy())
    if inf.any():
        problems.append(f"infinite value(s) in `{col}`: {int(inf.sum())}")
    return out


def _binary_column(series: pd.Series, od: OutcomeSpec, codes: tuple[float, ...],
                   problems: list[str]) -> pd.Series:
    """A binary outcome as 1.0 (its positive value), 0.0 (any other answer) or NaN."""
    col = od.column
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if od.positive is None:
        num = _as_float(series, col, problems)
        if codes:
            num = num.mask(num.isin(codes))
        vals = num.dropna()
        bad = vals[~vals.isin([0.0, 1.0])]
        if len(bad):
            role = "behaviour" if od.name == "behaviour" else "binary outcome"
            problems.append(
                f"value outside its scale: {role} `{col}` must be 0/1; found "
                f"{_examples(bad)}. If it holds text labels, name the positive one: "
                f"`outcomes: {{{od.name}: {{column: {col}, kind: binary, positive: <label>}}}}`"
            )
        return num
    if pd.api.types.is_numeric_dtype(series) and not _num_equal(od.positive, 1):
        vals = series.dropna()
        if len(vals) and vals.isin([0, 1]).all():  # coded already (a validated frame)
            return series.astype("float64")
    values = series.to_numpy(dtype=object)
    observed = np.array(pd.notna(series).to_numpy(), dtype=bool)
    if codes:
        observed &= ~series.isin(codes).to_numpy()
    pos = od.positive
    is_pos = np.array([v == pos or _num_equal(v, pos) for v in values], dtype=bool) & observed
    if not is_pos.any():
        labels = ", ".join(repr(v) for v in pd.unique(pd.Series(values[observed]).astype(str))[:6])
        problems.append(f"binary outcome `{col}`: the positive value {pos!r} does not occur; "
                        f"values found: {labels}")
    out = np.where(observed, np.where(is_pos, 1.0, 0.0), np.nan)
    return pd.Series(out, index=series.index, name=series.name, dtype="float64")


def _num_equal(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False
