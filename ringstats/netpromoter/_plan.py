"""Sample size for detecting an NPS difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.results import as_result
from .._kernels.validation import (
    check_bool,
    check_probability,
    check_real,
)
from ..errors import RingstatsError


# ----------------------------------------------------------------------------------------
# sample size
# ----------------------------------------------------------------------------------------
def nps_sample_size(
    *,
    delta: float,
    promoters: float = 0.4,
    detractors: float = 0.2,
    power: float = 0.8,
    alpha: float = 0.05,
    ratio: float = 1.0,
    paired: bool = False,
    rho: float | None = None,
) -> pd.Series:
    """Respondents needed to detect a change of ``delta`` NPS points (vendor statistic).

    Parameters
    ----------
    delta : float
        Difference to detect, in NPS points (e.g. 10).
    promoters, detractors : float
        Baseline shares (proportions) of promoters and detractors; the same variance is
        assumed in both groups/waves.
    power : float, default 0.8
    alpha : float, default 0.05
        Two-sided significance level.
    ratio : float, default 1.0
        ``n_b / n_a`` for unequal groups (independent samples).
    paired : bool, default False
        Panel design: the same respondents in both waves.
    rho : float, optional
        Required when ``paired=True``: correlation of a respondent's +1/0/-1 scores between
        the two waves.

    Returns
    -------
    Series
        ``n_a``, ``n_b``, ``total`` (integers, rounded up), plus the inputs ``delta``,
        ``variance`` (of the +1/0/-1 score) and ``z_sum``.

    Notes
    -----
    Independent samples (Lewis & Sauro, MeasuringU): with ``V = p + d - (p - d)^2`` and
    ``Z = z_{1-alpha/2} + z_{power}``, ``n_a = Z^2 V (1 + 1/ratio) / Delta^2 - 3`` (the -3
    undoes the adjusted-Wald +3), ``n_b = ratio * n_a``. For ``ratio = 1`` this is
    ``n = s^2 Z^2 / Delta^2 - 3`` with ``s^2 = 2V``. Paired: ``n = Z^2 2V(1 - rho) / Delta^2``.
    Results are rounded up; the evidence table (e.g. 876 per wave for 40/20 and a 10-point
    change) rounds to the nearest integer, so values can differ by one.

    Examples
    --------
    >>> int(nps_sample_size(delta=10)["n_a"])
    877
    """
    delta = check_real(delta, "delta", min_value=0, inclusive=False)
    if delta > 200:
        raise RingstatsError(f"`delta` is in NPS points and must be <= 200; got {delta}.")
    p = check_real(promoters, "promoters", min_value=0, max_value=1)
    d = check_real(detractors, "detractors", min_value=0, max_value=1)
    if p + d > 1:
        raise RingstatsError(
            f"`promoters` + `detractors` must be <= 1; got {p} + {d} = {p + d:g}."
        )
    power = check_probability(power, "power")
    alpha = check_probability(alpha, "alpha")
    ratio = check_real(ratio, "ratio", min_value=0, inclusive=False)
    paired = check_bool(paired, "paired")
    var = p + d - (p - d) ** 2
    if var <= 0:
        raise RingstatsError(
            "The baseline shares give a score variance of 0 (all respondents in one group); "
            "choose shares strictly inside (0, 1)."
        )
    zs = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    dd = delta / 100.0
    if paired:
        if rho is None:
            raise RingstatsError("`rho` is required when `paired=True` (correlation of "
                                 "the +1/0/-1 scores between waves).")
        rho = check_real(rho, "rho", min_value=-1, max_value=1, inclusive=False)
        if ratio != 1.0:
            raise RingstatsError("`ratio` must be 1 when `paired=True`.")
        n_a = int(np.ceil(zs**2 * 2 * var * (1 - rho) / dd**2))
        n_b = n_a
        total = n_a
    else:
        n_a = int(max(np.ceil(zs**2 * var * (1 + 1 / ratio) / dd**2 - 3), 2))
        n_b = int(np.ceil(ratio * n_a))
        total = n_a + n_b
    return as_result(pd.Series({"n_a": n_a, "n_b": n_b, "total": total, "delta": delta,
                                "variance": var, "z_sum": zs}, name="nps_sample_size",
                               dtype=object), "NPS sample size (two-sample z-test)")
