"""Employee and customer data of the service-profit chain, aligned by team."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._data import checked_frame, clean_for, numeric_frame
from .._kernels.validation import (
    check_int,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..measurement._scores import mean_scores, ring_scores
from ..spec import RING_TOKENS, RingSpec

_NO_ITEMS = object()  # sentinel: switch a block of employee items off


def _need_column(df: pd.DataFrame, col: Any, param: str, where: str) -> None:
    if not isinstance(col, str):
        raise RingstatsError(f"`{param}` must be a column name; got {col!r}.")
    if col not in df.columns:
        avail = ", ".join(map(str, list(df.columns)[:12]))
        raise RingstatsError(
            f"`{param}` column {col!r} is not in `{where}`. Available columns: {avail}"
            f"{' ...' if df.shape[1] > 12 else ''}.")


# ----------------------------------------------------------------------------------------
# shared preparation
# ----------------------------------------------------------------------------------------
@dataclass
class _Prep:
    cust: pd.DataFrame  # customer-level: team + outcome columns (cleaned)
    teams: pd.DataFrame  # team-level predictors (team-mean scales, n_employees)
    emp_scores: pd.DataFrame  # employee-level scale scores + team
    predictors: list[str]
    outcomes: list[str]
    dropped: list[Any]


def _items(employees: pd.DataFrame, given: Any, pattern: str, param: str) -> list[str] | None:
    if given is _NO_ITEMS:
        return None
    if given is None:
        found = [c for c in employees.columns if re.fullmatch(pattern, str(c))]
        return found or None
    cols = [given] if isinstance(given, str) else list(given)
    if not cols:
        raise RingstatsError(f"`{param}` must name at least one item column; got an empty list.")
    missing = [c for c in cols if c not in employees.columns]
    if missing:
        raise RingstatsError(
            f"`{param}` names column(s) not in `employees`: {', '.join(map(str, missing))}.")
    numeric_frame(employees, cols, param="employees", role=param)
    return cols


def _customer_outcomes(customers: pd.DataFrame, spec: RingSpec, outcome: Any) -> pd.DataFrame:
    if outcome is None:
        if spec.ltr is None:
            raise RingstatsError("`outcome` must be given: the spec names no LTR column.")
        outs = [spec.ltr, "ring3"]
    else:
        outs = [outcome] if isinstance(outcome, str) else list(outcome)
    if not outs:
        raise RingstatsError("`outcome` must name at least one outcome; got an empty list.")
    cols = {}
    rs_ = None
    given = [o for o in outs if isinstance(o, str) and o in customers.columns]
    if given:  # cleaned by the spec in _prepare; text and inf refused here
        given_values = numeric_frame(customers, given, param="data", role="outcome")
    for o in outs:
        if o in given:
            cols[o] = given_values[o]
        elif o in RING_TOKENS:
            if rs_ is None:
                rs_ = ring_scores(customers, spec=spec)
            cols[o] = rs_[o]
        elif o in spec.construct_names:
            cols[o] = mean_scores(customers, spec=spec.subset([o]))[o]
        else:
            raise RingstatsError(
                f"`outcome` must be a column of `data`, 'ring1'-'ring3' or a construct of "
                f"`spec`; got {o!r}.")
    return pd.DataFrame(cols, index=customers.index)


def _prepare(customers: pd.DataFrame, employees: pd.DataFrame, spec: RingSpec, team: str,
             outcome: Any, engagement: Any, meaning: Any, min_teams: int) -> _Prep:
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    customers = checked_frame(customers, "data")
    wanted = [outcome] if isinstance(outcome, str) else list(outcome or [spec.ltr])
    customers = clean_for(customers, spec, columns=[o for o in wanted if isinstance(o, str)
                                                    and o in customers.columns], param="data")
    employees = checked_frame(employees, "employees")
    min_teams = check_int(min_teams, "min_teams", min_value=2)
    _need_column(customers, team, "team", "data")
    _need_column(employees, team, "team", "employees")
    eng = _items(employees, engagement, r"eng\d*", "engagement")
    mea = _items(employees, meaning, r"mean\d*", "meaning")
    blocks = {k: v for k, v in (("engagement", eng), ("meaning", mea)) if v}
    if not blocks:
        raise RingstatsError(
            "`engagement` and `meaning` found no employee items (default: columns eng1, eng2, "
            "... and mean1, mean2, ...); pass the item lists.")
    es = mean_scores(employees, spec=blocks)
    es[team] = employees[team].to_numpy()
    tm = es.groupby(team).agg(**{k: (k, "mean") for k in blocks},
                              n_employees=(list(blocks)[0], "count"))
    tm = tm.dropna()
    y = _customer_outcomes(customers, spec, outcome)
    cust = pd.concat([customers[[team]], y], axis=1)
    cust = cust[cust[team].notna()]
    cteams = pd.unique(cust[team])
    common = [t for t in cteams if t in tm.index]
    if not common:
        raise RingstatsError(
            f"`employees` has no team matching `data` on column {team!r} (customer teams "
            f"e.g. {list(cteams[:3])}, employee teams e.g. {list(tm.index[:3])}).")
    dropped = [t for t in cteams if t not in tm.index]
    if dropped:
        warnings.warn(f"{len(dropped)} customer team(s) have no employee data and are dropped: "
                      f"{dropped[:5]}{' ...' if len(dropped) > 5 else ''}.", RingstatsWarning,
                      stacklevel=3)
    if len(common) < min_teams:
        raise InsufficientDataError(
            f"`data` and `employees` must share at least {min_teams} teams (`min_teams`); "
            f"got {len(common)}. Team-level links need many teams.")
    cust = cust[cust[team].isin(common)]
    tm = tm.loc[common]
    es = es[es[team].isin(common)]
    return _Prep(cust=cust, teams=tm, emp_scores=es, predictors=list(blocks),
                 outcomes=list(y.columns), dropped=dropped)


def _fisher(r: float, n: int, ci: float) -> tuple[float, float, float]:
    if n <= 3 or not np.isfinite(r):
        return np.nan, np.nan, np.nan
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    se = 1 / np.sqrt(n - 3)
    q = stats.norm.ppf(0.5 + ci / 2)
    t = r * np.sqrt((n - 2) / max(1 - r * r, 1e-12))
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se)), float(2 * stats.t.sf(abs(t), n - 2))
