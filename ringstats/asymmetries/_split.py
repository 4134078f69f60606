"""Split coding (Mittal, Ross & Baldasare 1998) and penalty-reward contrasts (Brandt 1987)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.regression import ols
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import check_probability
from ..errors import InsufficientDataError
from ..spec import RingSpec
from ._prepare import MIN_CELL, _default_cuts, _dummies, _per_driver, _prepare


@dataclass(frozen=True)
class AsymmetryResult(ResultMixin):
    """Split-coding slopes (``split``) and PRCA penalties/rewards (``prca``) per driver."""

    split: pd.DataFrame
    prca: pd.DataFrame
    r2_split: float
    r2_prca: float
    n: int
    outcome: str
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Asymmetry of driver effects on {self.outcome} (n = {self.n})")
        s.add_table(self.split, f"Split coding around the neutral point (R2 = {self.r2_split:.3f});"
                    " diff = beta_neg - beta_pos")
        s.add_table(self.prca, f"Penalty-reward contrasts (R2 = {self.r2_prca:.3f}); "
                    "asym = reward + penalty")
        s.add_note("Mittal, Ross & Baldasare (1998) split coding; Brandt (1987) PRCA. A positive "
                   "diff (negative asym) means losses weigh more than gains (basic factor).")
        return s


def asymmetry(
    data: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    neutral: float | Mapping[str, float] | None = None,
    low: float | Mapping[str, float] | None = None,
    high: float | Mapping[str, float] | None = None,
    ci: float = 0.95,
) -> AsymmetryResult:
    """Test whether drivers act asymmetrically: split coding and penalty-reward contrasts.

    Parameters
    ----------
    data : DataFrame
        Cleaned data (``spec.validate`` first when the data come with missing codes).
    outcome : str
        Outcome column (e.g. ``"sat"`` or ``"ltr"``).
    drivers : list of str, optional
        Driver columns. Without it, ``spec`` gives construct mean scores as drivers.
    spec : RingSpec or dict, optional
        Constructs (mean scores, :func:`ringstats._scores.mean_scores`) and their scales/rings.
    neutral : float or dict, optional
        Neutral point per driver; default the scale midpoint (from the spec, otherwise the
        midpoint of the observed range).
    low, high : float or dict, optional
        PRCA cut-offs: ``D_low = 1`` if ``x <= low``, ``D_high = 1`` if ``x >= high``, the
        middle is the reference. Default: a quarter of the scale range in from each end
        (2 and 4 on a 1-5 scale). Brandt's top-box variant is ``high=5``.
    ci : float, default 0.95

    Returns
    -------
    AsymmetryResult
        ``split``: per driver ``ring, neutral, beta_neg, se_neg, beta_pos, se_pos, diff, diff_se,
        ci_low, ci_high, t, p_val, n_below, n_above`` (diff = beta_neg - beta_pos; H0: 0).
        ``prca``: per driver ``ring, low, high, n_low, n_high, penalty, penalty_se, reward,
        reward_se, asym, asym_se, ci_low, ci_high, t, p_val`` (asym = reward + penalty; H0: 0).

    Notes
    -----
    Split coding (Mittal, Ross & Baldasare 1998): ``x- = min(x - m, 0)``,
    ``x+ = max(x - m, 0)``; all drivers' ``x-`` and ``x+`` enter one OLS regression, and
    ``beta- = beta+`` is tested with the t statistic of the contrast (classical OLS covariance;
    equals the 1-df Wald F). PRCA (Brandt 1987; Matzler & Sauerwein 2002):
    ``y = b0 + sum_k (pi_k D_low,k + rho_k D_high,k) + e``; penalty ``pi_k`` (expected
    negative), reward ``rho_k``; H0 ``rho_k + pi_k = 0``. With correlated drivers the
    coefficients are partial effects and can be unstable; see :func:`impact_asymmetry` for
    bootstrap intervals and the cut-off sensitivity.

    References
    ----------
    Mittal, V., Ross, W. T., & Baldasare, P. M. (1998). The asymmetric impact of negative and
    positive attribute-level performance. *Journal of Marketing* 62(1), 33-47.
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service components using
    customer satisfaction survey data. In Surprenant (ed.), *Add Value to Your Service*, AMA.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> res = asymmetry(w.spec.validate(w.customers), outcome="ltr", spec=w.spec)
    >>> list(res.split.index)
    ['product', 'value', 'speed', 'ease', 'seen', 'trust']
    """
    ci = check_probability(ci, "ci")
    d = _prepare(data, outcome, drivers, spec, analysis="asymmetry")
    names = list(d.X.columns)
    mid = {c: (d.lo[c] + d.hi[c]) / 2 for c in names}
    m = _per_driver(neutral, names, "neutral", mid)
    dl, dh = _default_cuts(d)
    low_c = _per_driver(low, names, "low", dl)
    high_c = _per_driver(high, names, "high", dh)
    tcrit = None
    # split coding
    cols = [np.ones(len(d.y))]
    nb, na = {}, {}
    for c in names:
        x = d.X[c].to_numpy(float) - m[c]
        nb[c], na[c] = int((x < 0).sum()), int((x > 0).sum())
        if nb[c] < MIN_CELL or na[c] < MIN_CELL:
            raise InsufficientDataError(
                f"Driver {c!r}: {nb[c]} respondents below and {na[c]} above the neutral point "
                f"{m[c]:g}; each side needs at least {MIN_CELL}. Change `neutral`."
            )
        cols += [np.minimum(x, 0), np.maximum(x, 0)]
    Xs = np.column_stack(cols)
    fit = ols(Xs, d.y)
    beta, cov, r2s, df = fit.beta, fit.cov, fit.r2, fit.df_resid
    tcrit = stats.t.ppf(0.5 + ci / 2, df)
    rows = []
    for j, c in enumerate(names):
        i_n, i_p = 1 + 2 * j, 2 + 2 * j
        diff = beta[i_n] - beta[i_p]
        se = np.sqrt(cov[i_n, i_n] + cov[i_p, i_p] - 2 * cov[i_n, i_p])
        t = diff / se
        rows.append({
            "ring": d.ring.get(c) if d.ring else np.nan, "neutral": m[c],
            "beta_neg": beta[i_n], "se_neg": np.sqrt(cov[i_n, i_n]),
            "beta_pos": beta[i_p], "se_pos": np.sqrt(cov[i_p, i_p]),
            "diff": diff, "diff_se": se, "ci_low": diff - tcrit * se, "ci_high": diff + tcrit * se,
            "t": t, "p_val": 2 * stats.t.sf(abs(t), df), "n_below": nb[c], "n_above": na[c],
        })
    split = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    # PRCA
    Xd, counts = _dummies(d, low_c, high_c)
    fit = ols(Xd, d.y)
    beta, cov, r2p, df = fit.beta, fit.cov, fit.r2, fit.df_resid
    tcrit = stats.t.ppf(0.5 + ci / 2, df)
    rows = []
    for j, c in enumerate(names):
        i_l, i_h = 1 + 2 * j, 2 + 2 * j
        asym = beta[i_h] + beta[i_l]
        se = np.sqrt(cov[i_l, i_l] + cov[i_h, i_h] + 2 * cov[i_l, i_h])
        t = asym / se
        rows.append({
            "ring": d.ring.get(c) if d.ring else np.nan, "low": low_c[c], "high": high_c[c],
            "n_low": counts[c][0], "n_high": counts[c][1],
            "penalty": beta[i_l], "penalty_se": np.sqrt(cov[i_l, i_l]),
            "reward": beta[i_h], "reward_se": np.sqrt(cov[i_h, i_h]),
            "asym": asym, "asym_se": se, "ci_low": asym - tcrit * se, "ci_high": asym + tcrit * se,
            "t": t, "p_val": 2 * stats.t.sf(abs(t), df),
        })
    prca = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    if d.ring is None:
        split = split.drop(columns="ring")
        prca = prca.drop(columns="ring")
    return AsymmetryResult(split=split, prca=prca, r2_split=r2s, r2_prca=r2p, n=len(d.y),
                           outcome=d.outcome, ci=ci)


