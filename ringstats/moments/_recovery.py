"""The service-recovery paradox test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .._data import checked_frame, numeric_frame
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_columns,
    check_probability,
    check_real,
)
from ..errors import InsufficientDataError, RingstatsError
from ..spec import _as_float
from ._inputs import _tcrit


# ----------------------------------------------------------------------------------------
# service failure and recovery
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecoveryResult(ResultMixin):
    """Result of :func:`recovery_paradox`.

    Attributes
    ----------
    groups : DataFrame
        ``no_failure``, ``recovered``, ``not_recovered``: n, mean, sd, se, ci_low, ci_high.
    contrasts : DataFrame
        Welch differences ``recovered - no_failure`` (the paradox), ``recovered -
        not_recovered`` (value of recovery), ``not_recovered - no_failure`` (cost of an
        unrecovered failure): estimate, se, df, t, p_val, p_holm, ci_low, ci_high; with a
        ``margin`` also ``p_equivalence`` (TOST) for the paradox row.
    verdict : str
    outcome : str
    margin : float or None
    ci : float
    """

    groups: pd.DataFrame
    contrasts: pd.DataFrame
    verdict: str
    outcome: str
    margin: float | None
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Service failure and recovery: {self.outcome}")
        s.add_table(self.groups, "Group means")
        s.add_table(self.contrasts, "Contrasts (Welch; Holm across the three)")
        s.add_note(self.verdict)
        return s


def _binary01(data: pd.DataFrame, col: str, param: str) -> pd.Series:
    check_columns(data, [col], param)
    problems: list[str] = []
    s = _as_float(data[col], col, problems)  # nullable, categorical, boolean: as numbers
    if problems:
        raise RingstatsError(f"`{param}` must name a 0/1 column; {problems[0]}.")
    vals = set(pd.unique(s.dropna()))
    if not vals <= {0, 1}:
        raise RingstatsError(
            f"`{param}` must name a 0/1 column; {col!r} has values {sorted(vals)[:6]}.")
    return s


def recovery_paradox(
    data: pd.DataFrame,
    *,
    outcome: str,
    failure: str = "failure",
    recovered: str = "recovered",
    ci: float = 0.95,
    margin: float | None = None,
) -> RecoveryResult:
    """Compare the outcome after no failure, a recovered failure and an unrecovered failure.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Numeric outcome (e.g. ``"sat"`` or ``"ltr"``).
    failure, recovered : str
        0/1 columns; ``recovered`` may be 1 only where ``failure`` is 1.
    ci : float, default 0.95
    margin : float, optional
        Smallest difference that matters (outcome units). With it, the paradox contrast is
        also tested for equivalence (TOST, Lakens 2017), so "no difference" can be claimed
        rather than merely "not shown".

    Returns
    -------
    RecoveryResult

    Notes
    -----
    The *service recovery paradox* is the claim that customers whose failure was recovered
    end up more satisfied or loyal than customers without a failure (McCollough, Berry &
    Yadav 2000, who found little support for it). It is supported when the recovered group's
    mean is significantly *above* the no-failure mean. De Matos, Henrique & Rossi (2007)
    found it, in a meta-analysis, on satisfaction but not on repurchase intention, word of
    mouth or image. Differences are Welch t tests with Welch-Satterthwaite df; the three
    contrasts are Holm-adjusted. In survey data recovered customers are a selected group
    (who complains, which failures are fixable), so a difference is not the effect of
    recovering; only the simulated worlds assign recovery at random.

    References
    ----------
    McCollough, M. A., Berry, L. L. & Yadav, M. S. (2000). An empirical investigation of
    customer satisfaction after service failure and recovery. *Journal of Service Research*
    3(2), 121-137. De Matos, C. A., Henrique, J. L. & Rossi, C. A. V. (2007). Service
    recovery paradox: a meta-analysis. *Journal of Service Research* 10(1), 60-77.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=3000, seed=1)
    >>> res = recovery_paradox(w.customers, outcome="sat")
    >>> list(res.groups.index)
    ['no_failure', 'recovered', 'not_recovered']
    """
    data = checked_frame(data)
    ci = check_probability(ci, "ci")
    if not isinstance(outcome, str):
        raise RingstatsError(f"`outcome` must be a column name; got {outcome!r}.")
    check_columns(data, [outcome], "outcome")
    y = numeric_frame(data, [outcome], role="outcome")[outcome]
    if margin is not None:
        margin = check_real(margin, "margin", min_value=0, inclusive=False)
    f = _binary01(data, failure, "failure")
    r = _binary01(data, recovered, "recovered")
    bad = (r == 1) & (f == 0)
    if bad.any():
        raise RingstatsError(
            f"`recovered` must be 0 where `failure` is 0; {int(bad.sum())} row(s) have "
            f"{recovered}=1 and {failure}=0.")
    ok = y.notna() & f.notna() & (r.notna() | (f == 0))
    if y[ok].nunique() < 2:
        raise InsufficientDataError(
            f"`outcome` {outcome!r} must vary among the customers compared; got "
            f"{'no values' if not ok.any() else f'the single value {y[ok].iloc[0]:g}'}.")
    groups = {"no_failure": y[ok & (f == 0)], "recovered": y[ok & (f == 1) & (r == 1)],
              "not_recovered": y[ok & (f == 1) & (r == 0)]}
    small = [k for k, v in groups.items() if len(v) < 2]
    if small:
        raise InsufficientDataError(
            f"`data` must have at least 2 customers in each group; too few in: {', '.join(small)} "
            f"(counts: {', '.join(f'{k}={len(v)}' for k, v in groups.items())}).")
    rows = []
    for k, v in groups.items():
        nn, mu, sd = len(v), float(v.mean()), float(v.std())
        se = sd / np.sqrt(nn)
        tc = _tcrit(ci, nn - 1)
        rows.append({"group": k, "n": nn, "mean": mu, "sd": sd, "se": se,
                     "ci_low": mu - tc * se, "ci_high": mu + tc * se})
    gt = pd.DataFrame(rows).set_index("group")
    crow = []
    for name, a, b in (("recovered - no_failure", "recovered", "no_failure"),
                       ("recovered - not_recovered", "recovered", "not_recovered"),
                       ("not_recovered - no_failure", "not_recovered", "no_failure")):
        va, vb = gt.loc[a, "se"] ** 2, gt.loc[b, "se"] ** 2
        est = gt.loc[a, "mean"] - gt.loc[b, "mean"]
        se = float(np.sqrt(va + vb))
        dfw = (va + vb) ** 2 / (va ** 2 / (gt.loc[a, "n"] - 1) + vb ** 2 / (gt.loc[b, "n"] - 1))
        t = est / se
        tc = _tcrit(ci, dfw)
        row = {"contrast": name, "estimate": est, "se": se, "df": dfw, "t": t,
               "p_val": 2 * stats.t.sf(abs(t), dfw), "ci_low": est - tc * se,
               "ci_high": est + tc * se}
        if margin is not None:
            p1 = stats.t.sf((est + margin) / se, dfw)
            p2 = stats.t.cdf((est - margin) / se, dfw)
            row["p_equivalence"] = max(p1, p2) if name == "recovered - no_failure" else np.nan
        crow.append(row)
    ct = pd.DataFrame(crow).set_index("contrast")
    ct.insert(ct.columns.get_loc("p_val") + 1, "p_holm",
              multipletests(ct["p_val"].to_numpy(), method="holm")[1])
    par = ct.loc["recovered - no_failure"]
    rec = ct.loc["recovered - not_recovered"]
    lev = f"{100 * ci:.0f}%"
    if par["p_holm"] < 1 - ci and par["estimate"] > 0:
        v = (f"Paradox supported on {outcome}: recovered customers score {par['estimate']:.2f} "
             f"above customers without a failure ({lev} CI {par['ci_low']:.2f} to "
             f"{par['ci_high']:.2f}).")
    elif par["p_holm"] < 1 - ci:
        v = (f"No paradox on {outcome}: recovered customers stay {-par['estimate']:.2f} below "
             f"customers without a failure ({lev} CI {par['ci_low']:.2f} to {par['ci_high']:.2f}); "
             "recovery does not fully undo the failure.")
    else:
        v = (f"No paradox shown on {outcome}: recovered vs no failure differ by "
             f"{par['estimate']:.2f} ({lev} CI {par['ci_low']:.2f} to {par['ci_high']:.2f}).")
        if margin is not None:
            v += (" Equivalent within the margin." if par["p_equivalence"] < 1 - ci
                  else " Equivalence within the margin is not shown either.")
        else:
            v += " Not significant is not 'equal': give `margin` for an equivalence test."
    if rec["p_holm"] < 1 - ci and rec["estimate"] > 0:
        v += f" Recovery pays: +{rec['estimate']:.2f} against an unrecovered failure."
    else:
        v += " Recovered and unrecovered failures are not clearly different."
    v += " Observational data: who gets recovered is not random."
    return RecoveryResult(groups=gt, contrasts=ct, verdict=v, outcome=outcome, margin=margin,
                          ci=ci)
