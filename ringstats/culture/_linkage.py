"""Team-level linkage of employee engagement and meaning to customer outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_probability,
    renamed,
)
from ..spec import RingSpec
from ._icc import _anova_icc, _fit_mixed, _icc_frame
from ._inputs import _fisher, _prepare


# ----------------------------------------------------------------------------------------
# linkage
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkageResult(ResultMixin):
    """Result of :func:`linkage`.

    Attributes
    ----------
    gamma : DataFrame
        One row per (outcome, predictor): the random-intercept model
        ``outcome_ij = g00 + gamma * predictor_j + u_j + r_ij`` (predictor = team mean,
        grand-mean centred): intercept (fitted outcome at the average team), predictor_mean,
        estimate, se, z, p_val, ci_low, ci_high (Wald), ``gamma_std``
        with ``std_ci_low``/``std_ci_high`` (the link as a correlation of true team means,
        see Notes), tau00 (residual team variance), sigma2, reliability_predictor,
        n_teams, n, converged.
    unit_correlation : DataFrame
        Correlation of the team means (unweighted) with Fisher CI and p, and the same
        corrected for the unreliability of both team means (``r_corrected``).
    icc : DataFrame
        ICC table (:func:`icc`) of every customer outcome and employee scale.
    teams : DataFrame
        Per team: predictors, n_employees, n_customers, and per outcome the mean, its SE
        and the empirical-Bayes team effect (``blup_<outcome>``, ``blup_se_<outcome>``) from
        the null model.
    outcomes, predictors : tuple of str
    converged : bool
        False if any MixedLM fit did not converge cleanly (details in ``messages``).
    messages : tuple of str
        Optimizer messages, including failed first attempts that statsmodels retried.
    n_teams, n_customers, n_employees : int
    dropped_teams : tuple
        Customer teams without employee data.
    ci : float
    """

    gamma: pd.DataFrame
    unit_correlation: pd.DataFrame
    icc: pd.DataFrame
    teams: pd.DataFrame
    outcomes: tuple
    predictors: tuple
    converged: bool
    messages: tuple
    n_teams: int
    n_customers: int
    n_employees: int
    dropped_teams: tuple
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Employee-customer linkage: {self.n_teams} teams, "
                    f"{self.n_customers:,} customers, {self.n_employees:,} employees")
        s.add_table(self.gamma[["estimate", "se", "p_val", "ci_low", "ci_high", "gamma_std",
                                "std_ci_low", "std_ci_high", "converged"]],
                    "Random-intercept link (gamma per scale point; gamma_std = corrected "
                    "correlation of team means)")
        s.add_table(self.unit_correlation, "Team-level correlations")
        s.add_table(self.icc[["estimate", "ci_low", "ci_high"]], "ICCs")
        if not self.converged:
            s.add_note("Some MixedLM fits did not converge: " + "; ".join(self.messages))
        elif self.messages:
            s.add_note("Optimizer notes (final fits converged): " + "; ".join(self.messages))
        s.add_note("Cross-sectional team-level association: it does not show that engagement "
                   "causes customer loyalty (the reverse and common causes are possible).")
        return s


@renamed(customers="data")
def linkage(
    data: pd.DataFrame,
    *,
    employees: pd.DataFrame,
    spec: RingSpec,
    team: str = "team",
    outcome: str | Sequence[str] | None = None,
    engagement: Sequence[str] | str | None = None,
    meaning: Sequence[str] | str | None = None,
    ci: float = 0.95,
    min_teams: int = 10,
) -> LinkageResult:
    """Link team-level employee engagement and meaning to customer outcomes.

    Parameters
    ----------
    data : DataFrame
        One row per customer with a team column (raw or cleaned by ``spec.validate``;
        the spec's rules are applied either way). Formerly ``customers=`` (deprecated
        alias, one release).
    employees : DataFrame
        One row per employee with the team column and the engagement/meaning items.
    spec : RingSpec
    team : str, default "team"
        Team column in both tables.
    outcome : str or list, optional
        Customer outcomes: columns, ``"ring1"``..``"ring3"`` (ring scores) or construct
        names. Default: ``[spec.ltr, "ring3"]``.
    engagement, meaning : list of str, optional
        Employee item columns (default: columns named ``eng<k>`` and ``mean<k>``). Each
        employee's scale score is the mean of the answered items (half rule); the team's
        value is the mean over its employees.
    ci : float, default 0.95
    min_teams : int, default 10
        Fewer shared teams raise :class:`~ringstats.errors.InsufficientDataError`.

    Returns
    -------
    LinkageResult

    Notes
    -----
    For each outcome *y* and team predictor *E* (one predictor per model) the REML
    random-intercept model :math:`y_{ij} = \\gamma_{00} + \\gamma_{01}(E_j - \\bar E) + u_j +
    r_{ij}` is fitted with statsmodels ``MixedLM``; :math:`\\gamma_{01}` gets a Wald CI and
    p-value (normal reference; with 100+ teams close to Satterthwaite/Kenward-Roger).
    ``gamma_std`` rescales it to the correlation of the *true* team means, correcting for
    the unreliability of the employee team mean (regression dilution):
    :math:`\\gamma_{std} = \\gamma_{01}/\\lambda_E\\cdot\\sqrt{\\tau_E/\\tau_{y}}`, where
    :math:`\\tau_E` is the between-team variance of the employee scale (ANOVA),
    :math:`\\lambda_E = \\tau_E/(\\tau_E + \\sigma^2_E/\\tilde k)` the reliability of its team
    means (:math:`\\tilde k` the harmonic mean team size) and :math:`\\tau_y` the between-team
    variance of *y* in the null model. Its CI rescales the Wald CI (the constants are treated
    as known). This is the scale of the simulator's ``truth.gamma`` (the correlation
    between a team's true engagement or meaning and the team part of ring 2 or ring 3).
    Convergence problems are never silent: every fit's status is in ``converged`` and a
    :class:`~ringstats.errors.RingstatsWarning` is issued.

    References
    ----------
    Raudenbush, S. W. & Bryk, A. S. (2002). *Hierarchical linear models* (2nd ed.). Sage.
    Bliese, P. D. (2000), see :func:`icc`. Harter, J. K., Schmidt, F. L. & Hayes, T. L. (2002).
    Business-unit-level relationship between employee satisfaction, employee engagement, and
    business outcomes. *Journal of Applied Psychology* 87(2), 268-279.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=3000, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = linkage(d, employees=w.employees, spec=w.spec)
    >>> res.n_teams, res.converged
    (120, True)
    """
    ci = check_probability(ci, "ci")
    prep = _prepare(data, employees, spec, team, outcome, engagement, meaning, min_teams)
    q = stats.norm.ppf(0.5 + ci / 2)
    tm = prep.teams
    msgs: list[str] = []
    all_conv = True
    # employee scales: ICC and reliability of team means
    emp_icc = {}
    pred_info = {}
    for p in prep.predictors:
        d = prep.emp_scores[[p, team]].dropna()
        a = _anova_icc(d[p].to_numpy(float), d[team].to_numpy(), ci)
        pred_info[p] = a
        emp_icc[f"employee {p}"] = _icc_frame(d[p].to_numpy(float), d[team].to_numpy(), ci,
                                              f"employee {p}")
    cust_icc = {}
    team_out = tm.copy()
    team_out["n_customers"] = prep.cust.groupby(team).size().reindex(tm.index).fillna(0)
    grows, crows = [], []
    for o in prep.outcomes:
        d = prep.cust[[team, o]].dropna()
        g = d[team].to_numpy()
        yv = d[o].to_numpy(float)
        null, conv0, m0 = _fit_mixed(yv, np.ones((len(yv), 1)), g, f"{o} (null model)")
        cust_icc[o] = _icc_frame(yv, g, ci, o, null=(null, conv0))
        all_conv &= conv0
        msgs += [f"{o} null: {m}" for m in m0]
        tau_y = float(np.asarray(null.cov_re)[0, 0])
        re = pd.Series({k: float(np.asarray(v)[0]) for k, v in null.random_effects.items()})
        rcov = pd.Series({k: float(np.asarray(v)[0, 0]) for k, v in null.random_effects_cov.items()})
        stats_o = d.groupby(team)[o].agg(["mean", "std", "count"])
        team_out[f"mean_{o}"] = stats_o["mean"].reindex(tm.index)
        team_out[f"se_{o}"] = (stats_o["std"] / np.sqrt(stats_o["count"])).reindex(tm.index)
        team_out[f"blup_{o}"] = re.reindex(tm.index)
        team_out[f"blup_se_{o}"] = np.sqrt(rcov.reindex(tm.index))
        a_y = _anova_icc(yv, g, ci)
        for p in prep.predictors:
            pc = tm[p] - tm[p].mean()
            x = pc.reindex(g).to_numpy(float)
            fit, conv, m1 = _fit_mixed(yv, np.column_stack([np.ones(len(yv)), x]), g,
                                       f"{o} ~ {p}")
            all_conv &= conv
            msgs += [f"{o} ~ {p}: {m}" for m in m1]
            est, se = float(fit.fe_params[1]), float(fit.bse_fe[1])
            info = pred_info[p]
            lam = info["reliability_harmonic"]
            scale = (np.sqrt(info["tau"] / tau_y) / lam) if (lam > 0 and tau_y > 0) else np.nan
            grows.append({"outcome": o, "predictor": p, "intercept": float(fit.fe_params[0]),
                          "predictor_mean": float(tm[p].mean()),
                          "estimate": est, "se": se, "z": est / se,
                          "p_val": float(2 * stats.norm.sf(abs(est / se))),
                          "ci_low": est - q * se, "ci_high": est + q * se,
                          "gamma_std": est * scale, "std_ci_low": (est - q * se) * scale,
                          "std_ci_high": (est + q * se) * scale,
                          "tau00": float(np.asarray(fit.cov_re)[0, 0]), "sigma2": float(fit.scale),
                          "reliability_predictor": lam, "n_teams": int(len(np.unique(g))),
                          "n": len(yv), "converged": conv})
            r = float(np.corrcoef(tm[p], team_out[f"mean_{o}"])[0, 1])
            lo, hi, pv = _fisher(r, len(tm), ci)
            rel_y = a_y["reliability_harmonic"]
            corr = np.sqrt(lam * rel_y) if lam > 0 and rel_y > 0 else np.nan
            crows.append({"outcome": o, "predictor": p, "r": r, "ci_low": lo, "ci_high": hi,
                          "p_val": pv, "n_teams": len(tm), "reliability_outcome": rel_y,
                          "reliability_predictor": lam, "r_corrected": r / corr,
                          "corrected_ci_low": max(lo / corr, -1.0),
                          "corrected_ci_high": min(hi / corr, 1.0)})
    gamma = pd.DataFrame(grows).set_index(["outcome", "predictor"])
    unit = pd.DataFrame(crows).set_index(["outcome", "predictor"])
    icc_tab = pd.concat({**cust_icc, **emp_icc}, names=["variable"])
    team_out.index.name = team
    return LinkageResult(
        gamma=gamma, unit_correlation=unit, icc=icc_tab, teams=team_out.reset_index(),
        outcomes=tuple(prep.outcomes), predictors=tuple(prep.predictors),
        converged=bool(all_conv), messages=tuple(msgs), n_teams=len(tm),
        n_customers=len(prep.cust), n_employees=len(prep.emp_scores),
        dropped_teams=tuple(prep.dropped), ci=ci)
