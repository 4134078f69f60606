"""Intraclass correlations within teams (ANOVA and mixed-model estimates)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from .._data import checked_frame, numeric_frame
from .._kernels.results import as_result
from .._kernels.validation import (
    check_probability,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ._inputs import _need_column


# ----------------------------------------------------------------------------------------
# ICC
# ----------------------------------------------------------------------------------------
def _anova_icc(y: np.ndarray, g: np.ndarray, ci: float) -> dict[str, float]:
    """One-way ANOVA ICC(1), ICC(2) with unequal group sizes (n0 adjustment)."""
    codes, inv = np.unique(g, return_inverse=True)
    J, N = len(codes), len(y)
    nj = np.bincount(inv).astype(float)
    sums = np.bincount(inv, weights=y)
    means = sums / nj
    grand = y.mean()
    ssb = float((nj * (means - grand) ** 2).sum())
    ssw = float(((y - means[inv]) ** 2).sum())
    dfb, dfw = J - 1, N - J
    if ssw <= 0:
        what = "is constant" if ssb <= 0 else "does not vary within any team"
        raise InsufficientDataError(
            f"the ICC needs variation within teams; the outcome {what} ({N} rows, {J} teams).")
    msb, msw = ssb / dfb, ssw / dfw
    n0 = (N - (nj ** 2).sum() / N) / (J - 1)
    icc1 = (msb - msw) / (msb + (n0 - 1) * msw)
    icc2 = (msb - msw) / msb
    F = msb / msw
    a = (1 - ci) / 2
    fl = F / stats.f.ppf(1 - a, dfb, dfw)
    fu = F * stats.f.ppf(1 - a, dfw, dfb)
    tau = max((msb - msw) / n0, 0.0)
    k_h = J / (1.0 / nj).sum()
    return {"msb": msb, "msw": msw, "F": F, "df_between": dfb, "df_within": dfw,
            "p_val": float(stats.f.sf(F, dfb, dfw)), "n0": n0, "k_harmonic": k_h,
            "n_groups": J, "n": N, "icc1": icc1, "icc1_low": (fl - 1) / (fl + n0 - 1),
            "icc1_high": (fu - 1) / (fu + n0 - 1), "icc2": icc2, "icc2_low": 1 - 1 / fl,
            "icc2_high": 1 - 1 / fu, "tau": tau, "sigma2": msw,
            "reliability_harmonic": tau / (tau + msw / k_h) if tau > 0 else 0.0}


def _fit_mixed(y: np.ndarray, X: np.ndarray, groups: np.ndarray,
               what: str) -> tuple[Any, bool, list[str]]:
    """REML random-intercept fit; statsmodels warnings become a flag and messages.

    Powell's derivative-free search is tried first; if it fails, statsmodels' default
    gradient chain (BFGS, L-BFGS, CG). Of the fits that converge, the one with the highest
    REML log-likelihood is kept (in testing the gradient chain sometimes stopped short of the
    optimum with few teams while reporting convergence).
    """
    model = sm.MixedLM(y, X, groups=groups)
    fits: list[tuple[Any, bool, list[str]]] = []
    for kwargs in ({"method": "powell", "maxiter": 5000}, {}):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                fit = model.fit(reml=True, **kwargs)
            except (np.linalg.LinAlgError, ValueError) as exc:
                fits.append((None, False, [f"{kwargs.get('method', 'default')}: {exc}"]))
                continue
        msgs = [str(w.message) for w in rec
                if issubclass(w.category, (ConvergenceWarning, RuntimeWarning, UserWarning))]
        # statsmodels retries another optimizer after a failed one ("Retrying MixedLM
        # optimization with lbfgs"); the final fit's own flag decides. A Hessian that is not
        # positive definite or non-finite estimates also count as failures.
        hess = [m for m in msgs if "hessian" in m.lower() or "singular" in m.lower()]
        ok = (bool(fit.converged) and not hess and bool(np.all(np.isfinite(fit.params)))
              and bool(np.all(np.isfinite(fit.bse_fe))))
        fits.append((fit, ok, msgs))
        if ok and kwargs:
            break  # Powell converged cleanly: no need for the gradient chain
    good = [f for f in fits if f[1]]
    if good:
        fit, converged, msgs = max(good, key=lambda f: f[0].llf)
    else:
        usable = [f for f in fits if f[0] is not None]
        if not usable:
            raise RingstatsError(f"MixedLM for {what} failed: {'; '.join(fits[0][2])}")
        fit, converged, msgs = usable[-1]
        msgs = [m for f in fits for m in f[2]]
    if not converged:
        detail = "; ".join(msgs) or "optimizer reports no convergence"
        warnings.warn(f"MixedLM for {what} did not converge cleanly ({detail}); its estimates "
                      "are flagged converged=False.", RingstatsWarning, stacklevel=3)
    return fit, converged, msgs


def _icc_frame(y: np.ndarray, g: np.ndarray, ci: float, what: str,
               null: tuple[Any, bool] | None = None) -> pd.DataFrame:
    a = _anova_icc(y, g, ci)
    if null is None:
        fit, conv, _ = _fit_mixed(y, np.ones((len(y), 1)), g, what)
    else:
        fit, conv = null
    tau = float(fit.cov_re.iloc[0, 0]) if hasattr(fit.cov_re, "iloc") else float(fit.cov_re[0, 0])
    s2 = float(fit.scale)
    rows = [
        ("icc1", a["icc1"], a["icc1_low"], a["icc1_high"], "anova (n0), F-based CI"),
        ("icc2", a["icc2"], a["icc2_low"], a["icc2_high"], "anova (n0), F-based CI"),
        ("icc1_reml", tau / (tau + s2) if tau + s2 > 0 else np.nan, np.nan, np.nan, "MixedLM REML"),
        ("tau00", tau, np.nan, np.nan, "MixedLM REML"),
        ("sigma2", s2, np.nan, np.nan, "MixedLM REML"),
    ]
    out = pd.DataFrame(rows, columns=["statistic", "estimate", "ci_low", "ci_high", "method"])
    out["n_groups"] = a["n_groups"]
    out["n"] = a["n"]
    out["n0"] = a["n0"]
    out["converged"] = conv
    return out.set_index("statistic")


def icc(data: pd.DataFrame, *, outcome: str | Sequence[str], team: str,
        ci: float = 0.95) -> pd.DataFrame:
    """Intraclass correlations of an outcome within teams.

    Parameters
    ----------
    data : DataFrame
        One row per person (customer or employee).
    outcome : str or list of str
        Numeric column(s).
    team : str
        Team (group) column.
    ci : float, default 0.95

    Returns
    -------
    DataFrame
        Indexed by ``statistic`` (and ``outcome`` first when several are given): ``icc1``,
        ``icc2`` (one-way ANOVA, F-based CI), ``icc1_reml``, ``tau00`` and ``sigma2`` (REML
        variance components of a random-intercept MixedLM; no CI); columns estimate, ci_low,
        ci_high, method, n_groups, n, n0, converged.

    Notes
    -----
    With mean squares MSB, MSW and the unequal-size group size
    :math:`n_0 = (N - \\sum n_j^2/N)/(J-1)`:
    :math:`\\mathrm{ICC}(1) = (MSB - MSW)/(MSB + (n_0 - 1)MSW)` and
    :math:`\\mathrm{ICC}(2) = (MSB - MSW)/MSB`, the reliability of the group means (Bliese
    2000; as R's ``multilevel::ICC1``/``ICC2``). Intervals invert the F ratio
    :math:`F = MSB/MSW` (McGraw & Wong 1996, case 1, with :math:`n_0` for unequal groups, so
    they are approximate): :math:`F_L = F/F_{1-\\alpha/2}(J-1, N-J)`,
    :math:`F_U = F\\,F_{1-\\alpha/2}(N-J, J-1)`, ICC(1) in
    :math:`[(F_L-1)/(F_L+n_0-1), (F_U-1)/(F_U+n_0-1)]`, ICC(2) in :math:`[1-1/F_L, 1-1/F_U]`.
    ICC(1) can be negative when MSB < MSW. The REML ICC is :math:`\\tau_{00}/(\\tau_{00}+
    \\sigma^2)`; it is bounded at 0.

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J.
    Klein & S. W. J. Kozlowski (eds.), *Multilevel theory, research, and methods in
    organizations* (pp. 349-381). Jossey-Bass. McGraw, K. O. & Wong, S. P. (1996). Forming
    inferences about some intraclass correlation coefficients. *Psychological Methods* 1(1),
    30-46.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=3000, seed=1)
    >>> tab = icc(w.customers, outcome="ltr", team="team")
    >>> list(tab.index[:2])
    ['icc1', 'icc2']
    """
    data = checked_frame(data)
    ci = check_probability(ci, "ci")
    outs = [outcome] if isinstance(outcome, str) else list(outcome)
    _need_column(data, team, "team", "data")
    for o in outs:
        _need_column(data, o, "outcome", "data")
    if len(set(outs)) != len(outs) or team in outs:
        raise RingstatsError(f"`outcome` must name distinct columns other than `team`; got {outs}.")
    values = numeric_frame(data, outs, role="outcome")
    values[team] = data[team].to_numpy()
    frames = {}
    for o in outs:
        d = values[[o, team]].dropna()
        ng = d[team].nunique()
        if ng < 2 or len(d) <= ng:
            raise InsufficientDataError(
                f"`data` must have at least 2 teams and more rows than teams for {o!r}; got "
                f"{ng} team(s) and {len(d)} complete row(s).")
        frames[o] = _icc_frame(d[o].to_numpy(dtype=float), d[team].to_numpy(), ci, o)
    if isinstance(outcome, str):
        return as_result(frames[outcome], f"Intraclass correlation of `{outcome}` within `{team}`")
    return as_result(pd.concat(frames, names=["outcome"]),
                     f"Intraclass correlations within `{team}`")
