"""Importance-performance map analysis (IPMA): what matters most and performs worst.

Importance is the driver importance of :func:`ringstats.drivers` (each construct's Shapley
contribution to the R² of the outcome, with its bootstrap interval); performance is the mean
construct or item score rescaled to 0-100,

.. math:: \\text{performance} = 100\\,(\\bar x - \\text{scale min}) / (\\text{scale max} -
   \\text{scale min}),

with a t interval. Constructs (or items) of high importance and low performance are the
candidates for improvement (Ringle & Sarstedt 2016). An item's importance is its construct's
importance times the item's weight in the construct score (1/k for a mean score of k items),
the analogue of SmartPLS's indicator-level IPMA, where the construct's total effect is
multiplied by the item's rescaled outer weight.

References
----------
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
importance-performance map analysis. *Industrial Management & Data Systems* 116(9),
1865-1886.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kernels.results import ResultMixin, Summary
from ._kernels.validation import check_dataframe, check_probability
from .errors import RingstatsError
from .spec import RingSpec

__all__ = ["ipma", "IPMAResult"]


@dataclass(frozen=True)
class IPMAResult(ResultMixin):
    """Importance-performance map (see :func:`ipma`).

    Attributes
    ----------
    constructs : DataFrame
        Index construct: ``ring``, ``importance``, ``importance_ci_low``,
        ``importance_ci_high`` (Shapley contribution to R² and its interval),
        ``performance``, ``performance_ci_low``, ``performance_ci_high`` (0-100), ``n``.
    items : DataFrame
        Index item: ``construct``, ``ring`` and the same columns, item importance being
        the construct's importance divided by its number of items.
    outcome : str
    measure : str
        The importance measure (``"R2"`` or ``"McFadden pseudo-R2"``).
    ci : float
    """

    constructs: pd.DataFrame
    items: pd.DataFrame
    outcome: str
    measure: str
    ci: float

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per construct and per item (``level`` column)."""
        c = self.constructs.reset_index().rename(columns={"construct": "name"})
        c.insert(0, "level", "construct")
        i = self.items.reset_index().rename(columns={"item": "name"})
        i.insert(0, "level", "item")
        return pd.concat([c, i], ignore_index=True)

    def summary(self) -> Summary:
        s = Summary(f"Importance-performance map for {self.outcome}")
        s.add_table(self.constructs, "Constructs (importance: Shapley contribution to "
                    f"{self.measure}; performance 0-100)")
        s.add_table(self.items, "Items (importance: construct importance / number of items)")
        s.add_note("Performance = 100 (mean - scale min) / (scale max - scale min), t interval; "
                   "Ringle & Sarstedt (2016).")
        return s


def _performance(values: pd.Series, lo: float, hi: float, ci: float) -> tuple[float, ...]:
    from scipy import stats

    v = values.dropna().to_numpy(float)
    n = v.size
    if n < 2:
        return (np.nan, np.nan, np.nan, n)
    m = v.mean()
    se = v.std(ddof=1) / np.sqrt(n)
    t = stats.t.ppf(0.5 + ci / 2, n - 1)
    f = 100.0 / (hi - lo)
    return ((m - lo) * f, (m - t * se - lo) * f, (m + t * se - lo) * f, n)


def ipma(data: pd.DataFrame, *, spec: RingSpec, drivers_result, ci: float | None = None,
         ) -> IPMAResult:
    """Importance-performance map per construct and per item.

    Parameters
    ----------
    data : DataFrame
        Survey data cleaned with ``spec.validate``.
    spec : RingSpec
        Constructs, their items and scales (for the 0-100 rescaling).
    drivers_result : DriverResult
        Output of :func:`ringstats.drivers` on the same data and spec: the importance axis.
    ci : float, optional
        Level of the performance intervals (default: the level of ``drivers_result``).

    Returns
    -------
    IPMAResult

    Examples
    --------
    >>> import ringstats as rs
    >>> from ringstats.ipma import ipma
    >>> w = rs.draw("base", n=400, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = ipma(d, spec=w.spec, drivers_result=rs.drivers(d, spec=w.spec, n_boot=0))
    >>> bool(res.constructs["performance"].between(0, 100).all())
    True
    """
    from .importance import DriverResult
    from .measurement import mean_scores

    check_dataframe(data)
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    if not isinstance(drivers_result, DriverResult):
        raise RingstatsError("`drivers_result` must be a DriverResult from ringstats.drivers(); "
                             f"got {type(drivers_result).__name__}.")
    ci = drivers_result.ci if ci is None else check_probability(ci, "ci")
    imp = drivers_result.constructs
    missing = [c for c in spec.construct_names if c not in imp.index]
    if missing:
        raise RingstatsError("`drivers_result` must come from the same spec; it has no "
                             f"construct(s) {', '.join(missing)}.")
    scores = mean_scores(data, spec=spec)
    crow, irow = [], []
    for c in spec.constructs:
        sc = spec.scales[c.scale]
        p, plo, phi, n = _performance(scores[c.name], sc.min, sc.max, ci)
        est, lo, hi = (float(imp.loc[c.name, k]) for k in ("estimate", "ci_low", "ci_high"))
        crow.append({"construct": c.name, "ring": c.ring, "importance": est,
                     "importance_ci_low": lo, "importance_ci_high": hi, "performance": p,
                     "performance_ci_low": plo, "performance_ci_high": phi, "n": n})
        k = len(c.items)
        for it in c.items:
            p, plo, phi, n = _performance(data[it], sc.min, sc.max, ci)
            irow.append({"item": it, "construct": c.name, "ring": c.ring, "importance": est / k,
                         "importance_ci_low": lo / k, "importance_ci_high": hi / k,
                         "performance": p, "performance_ci_low": plo,
                         "performance_ci_high": phi, "n": n})
    return IPMAResult(constructs=pd.DataFrame(crow).set_index("construct"),
                      items=pd.DataFrame(irow).set_index("item"),
                      outcome=drivers_result.outcome, measure=drivers_result.measure, ci=ci)
