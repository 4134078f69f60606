"""Drivers, moderators and covariates of the moments-of-truth models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.regression import OLSFit, ols
from .._kernels.validation import (
    check_columns,
    check_numeric,
)
from ..errors import InsufficientDataError, RingstatsError
from ..measurement._scores import mean_scores, ring_scores
from ..spec import RING_TOKENS, RingSpec


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def _resolve_drivers(data: pd.DataFrame, drivers: Sequence[str] | str | None,
                     spec: RingSpec | None) -> tuple[pd.DataFrame, dict[str, int] | None]:
    """Driver columns (ring scores, construct scores or data columns) and their rings."""
    if spec is not None and not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    if drivers is None:
        if spec is None:
            raise RingstatsError(
                "give `drivers` (a list of columns) or `spec` (a RingSpec); got neither.")
        X = ring_scores(data, spec=spec)
        return X, {c: int(c[-1]) for c in X.columns}
    if isinstance(drivers, str):
        drivers = [drivers]
    names = list(drivers)
    if not names:
        raise RingstatsError("`drivers` must name at least one driver; got an empty list.")
    if spec is not None and set(names) <= set(RING_TOKENS) and not set(names) & set(data.columns):
        X = ring_scores(data, spec=spec)[names]
        return X, {c: int(c[-1]) for c in names}
    if spec is not None and set(names) <= set(spec.construct_names):
        X = mean_scores(data, spec=spec.subset(names))[names]
        return X, {c: spec.ring_of(c) for c in names}
    names = check_columns(data, names, "drivers")
    check_numeric(data, names, "drivers")
    return data[names].astype(float), None


def _moderator(data: pd.DataFrame, moderator: str) -> tuple[str, pd.Series, tuple | None]:
    """Return kind ('binary'/'continuous'), the numeric moderator and (reference, focal)."""
    if not isinstance(moderator, str):
        raise RingstatsError(f"`moderator` must be a column name; got {moderator!r}.")
    check_columns(data, [moderator], "moderator")
    col = data[moderator]
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [c for c in col.cat.categories if (col == c).any()]
    elif pd.api.types.is_bool_dtype(col):
        levels = [v for v in (False, True) if (col == v).any()]
    elif pd.api.types.is_numeric_dtype(col):
        uniq = np.sort(col.dropna().unique())
        if len(uniq) > 2:
            return "continuous", col.astype(float), None
        levels = list(uniq)
    else:
        levels = sorted(col.dropna().unique(), key=str)
    if len(levels) < 2:
        raise InsufficientDataError(
            f"`moderator` must have two levels (or be continuous); column {moderator!r} has "
            f"{len(levels)} level(s): {', '.join(map(repr, levels))}.")
    if len(levels) > 2:
        raise RingstatsError(
            f"`moderator` must be binary or continuous; column {moderator!r} has {len(levels)} "
            f"levels: {', '.join(map(repr, levels[:6]))}. Recode it to two levels.")
    ref, focal = levels
    m = pd.Series(np.where(col.isna(), np.nan, (col == focal).astype(float)), index=data.index)
    return "binary", m, (ref, focal)


def _covariate_frame(data: pd.DataFrame, covariates: Sequence[str] | str | None) -> pd.DataFrame:
    if covariates is None:
        return pd.DataFrame(index=data.index)
    if isinstance(covariates, str):
        covariates = [covariates]
    cols = check_columns(data, list(covariates), "covariates")
    parts = []
    for c in cols:
        s = data[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(s.astype(float).rename(c))
        else:
            dm = pd.get_dummies(s, prefix=c, drop_first=True, dtype=float)
            dm[s.isna().to_numpy()] = np.nan
            parts.append(dm)
    return pd.concat(parts, axis=1)


def _tcrit(ci: float, df: float) -> float:
    return float(stats.t.ppf(0.5 + ci / 2, df))


def _fit_ols(y: np.ndarray, X: pd.DataFrame) -> OLSFit:
    """OLS with HC3 standard errors (the regression kernel), after a rank check that names
    the model terms."""
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        raise RingstatsError(
            f"singular design: the {X.shape[1]} model terms ({', '.join(X.columns)}) have rank "
            f"{rank}; some drivers or covariates are constant or exact combinations of others.")
    return ols(X.to_numpy(dtype=float), np.asarray(y, dtype=float), cov_type="HC3")
