"""Culture and the service-profit chain: employees, teams and customers.

* :func:`icc` -- ICC(1) and ICC(2) from one-way ANOVA with unequal team sizes (Bliese 2000),
  F-based intervals, and REML variance components from statsmodels ``MixedLM``.
* :func:`linkage` -- team engagement and meaning (employee survey) -> customer LTR and ring-3
  score in a random-intercept model (Raudenbush & Bryk 2002), with the unit-level correlation,
  a reliability-corrected standardised link and an explicit convergence flag.
* :func:`mediation` -- meaning (team) -> ring-3 score -> loyalty in a 2-1-1 design with a
  cluster bootstrap over teams (Preacher & Hayes 2008; Zhang, Zyphur & Preacher 2009).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ._design import checked_frame, clean_for
from ._kernels.bootstrap import one_blas_thread, percentile_interval
from ._kernels.progress import progress_iter
from ._kernels.results import ResultMixin, Summary, as_result
from ._kernels.validation import (
    check_dataframe,
    check_int,
    check_numeric,
    check_probability,
    check_seed,
    renamed,
)
from .errors import InsufficientDataError, RingstatsError, RingstatsWarning
from .measurement._scores import mean_scores, ring_scores
from .spec import RingSpec

__all__ = ["icc", "linkage", "mediation", "LinkageResult", "MediationResult"]

_RING_TOKENS = ("ring1", "ring2", "ring3")
_NO_ITEMS = object()  # sentinel: switch a block of employee items off


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
    check_dataframe(data)
    ci = check_probability(ci, "ci")
    outs = [outcome] if isinstance(outcome, str) else list(outcome)
    _need_column(data, team, "team", "data")
    for o in outs:
        _need_column(data, o, "outcome", "data")
    check_numeric(data, outs, "outcome")
    frames = {}
    for o in outs:
        d = data[[o, team]].dropna()
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
    check_numeric(employees, cols, param)
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
    for o in outs:
        if o in customers.columns:
            check_numeric(customers, [o], "outcome")
            cols[o] = customers[o].astype(float)
        elif o in _RING_TOKENS:
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
    check_dataframe(employees, "employees")
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


# ----------------------------------------------------------------------------------------
# mediation
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediationResult(ResultMixin):
    """Result of :func:`mediation`.

    Attributes
    ----------
    paths : DataFrame
        ``a`` (predictor -> mediator), ``b`` (mediator -> outcome, between teams, given the
        predictor), ``c_prime`` (direct), ``c`` (total), ``indirect`` (a*b) and
        ``proportion_mediated`` (a*b / c): estimate, se (bootstrap SD), ci_low, ci_high
        (percentile cluster bootstrap), p_val (OLS t test at team level for a, b, c', c).
    within : DataFrame
        Check model (REML MixedLM, customer level): the mediator split into its team mean
        (``b_between``) and the within-team deviation (``b_within``), with the predictor.
    boot : DataFrame
        Bootstrap replicates of a, b, c_prime, c, indirect.
    predictor, mediator, outcome : str
    n_teams, n_customers, n_boot : int
    converged : bool
        Status of the check model.
    ci : float
    """

    paths: pd.DataFrame
    within: pd.DataFrame
    boot: pd.DataFrame
    predictor: str
    mediator: str
    outcome: str
    n_teams: int
    n_customers: int
    n_boot: int
    converged: bool
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"2-1-1 mediation: team {self.predictor} -> {self.mediator} -> "
                    f"{self.outcome} ({self.n_teams} teams, {self.n_boot} cluster-bootstrap "
                    "replicates)")
        s.add_table(self.paths, "Paths (team level)")
        s.add_table(self.within, "Check: between vs within-team mediator slope (MixedLM)")
        s.add_note("The indirect effect runs through team means only (the predictor does not "
                   "vary within teams). Team means of the mediator carry sampling error, which "
                   "attenuates b and inflates the direct effect (Luedtke et al. 2008).")
        return s


def _team_ols(Y: np.ndarray, Xs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    X = np.column_stack([np.ones(len(Y)), *Xs])
    beta, *_ = np.linalg.lstsq(X, Y, rcond=None)
    resid = Y - X @ beta
    df = len(Y) - X.shape[1]
    s2 = resid @ resid / df
    cov = s2 * np.linalg.inv(X.T @ X)
    return beta, np.sqrt(np.diag(cov)), df


def _paths(x: np.ndarray, m: np.ndarray, y: np.ndarray) -> np.ndarray:
    """a, b, c', c, indirect from team-level arrays (fast closed forms)."""
    xc = x - x.mean()
    mc = m - m.mean()
    yc = y - y.mean()
    sxx, smm, sxm = xc @ xc, mc @ mc, xc @ mc
    sxy, smy = xc @ yc, mc @ yc
    a = sxm / sxx
    c = sxy / sxx
    det = sxx * smm - sxm * sxm
    b = (sxx * smy - sxm * sxy) / det
    cp = (smm * sxy - sxm * smy) / det
    return np.array([a, b, cp, c, a * b])


@renamed(customers="data")
def mediation(
    data: pd.DataFrame,
    *,
    employees: pd.DataFrame,
    spec: RingSpec,
    team: str = "team",
    outcome: str | None = None,
    mediator: str = "ring3",
    meaning: Sequence[str] | str | None = None,
    n_boot: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    min_teams: int = 10,
    progress: bool | None = None,
) -> MediationResult:
    """Team meaning -> ring-3 experience -> loyalty: the indirect effect with a team bootstrap.

    Parameters
    ----------
    data, employees, spec, team
        As in :func:`linkage` (``customers=`` is a deprecated alias of ``data``).
    outcome : str, optional
        Customer outcome (default ``spec.ltr``).
    mediator : str, default "ring3"
        Customer-level mediator (a column, a ring token or a construct name).
    meaning : list of str, optional
        Employee items of the team-level predictor (default: ``mean<k>`` columns).
    n_boot : int, default 1000
    seed : int, optional
    ci : float, default 0.95
    min_teams : int, default 10
    progress : bool, optional

    Returns
    -------
    MediationResult

    Notes
    -----
    **Design.** Meaning is measured on employees and aggregated to the team (level 2); the
    mediator and the outcome are customer answers (level 1): a 2-1-1 design. Because the
    predictor has no within-team variation, the indirect effect can only travel through the
    between-team part of the mediator (Zhang, Zyphur & Preacher 2009). We therefore estimate
    every path at team level on team means: :math:`a` from :math:`\\bar M_j = a_0 + a X_j`,
    :math:`b` and the direct effect :math:`c'` from :math:`\\bar Y_j = b_0 + c' X_j + b \\bar
    M_j`, the total effect :math:`c` from :math:`\\bar Y_j = c_0 + c X_j` (OLS, unweighted, so
    :math:`c = c' + ab` exactly); this is the between-team slope that the
    centred-within-context model with the mean reintroduced (CWC(M), Zhang et al. 2009)
    estimates when teams are of similar size. The within-team slope of the mediator is
    reported in ``within`` only as a check -- it is not part of the indirect effect.
    **Inference.** The indirect effect :math:`ab` is not normal, so its CI is the percentile
    interval of a cluster bootstrap that resamples whole teams (with their customers and
    employees) (Preacher & Hayes 2008). The proportion mediated :math:`ab/c` is unstable when
    :math:`c` is near 0; read it only when the total effect is clearly non-zero.
    **Limits.** Manifest team means carry sampling error, attenuating *b* and biasing *c'*
    (Lüdtke et al. 2008); a cross-sectional mediation is a decomposition of associations, not
    proof of a causal chain.

    References
    ----------
    Preacher, K. J. & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing
    and comparing indirect effects in multiple mediator models. *Behavior Research Methods*
    40(3), 879-891. Zhang, Z., Zyphur, M. J. & Preacher, K. J. (2009). Testing multilevel
    mediation using hierarchical linear models. *Organizational Research Methods* 12(4),
    695-719. Lüdtke, O. et al. (2008). The multilevel latent covariate model. *Psychological
    Methods* 13(3), 203-229.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=3000, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = mediation(d, employees=w.employees, spec=w.spec, n_boot=50, seed=1)
    >>> list(res.paths.index)
    ['a', 'b', 'c_prime', 'c', 'indirect', 'proportion_mediated']
    """
    ci = check_probability(ci, "ci")
    n_boot = check_int(n_boot, "n_boot", min_value=1)
    seed = check_seed(seed)
    if outcome is None:
        if spec is None or not isinstance(spec, RingSpec) or spec.ltr is None:
            raise RingstatsError("`outcome` must be given: the spec names no LTR column.")
        outcome = spec.ltr
    if not isinstance(mediator, str) or not isinstance(outcome, str):
        raise RingstatsError("`outcome` and `mediator` must be single names; got "
                             f"{outcome!r} and {mediator!r}.")
    if mediator == outcome:
        raise RingstatsError(f"`mediator` must differ from `outcome`; both are {outcome!r}.")
    # only meaning is used: engagement items are switched off
    prep = _prepare(data, employees, spec, team, [mediator, outcome], _NO_ITEMS, meaning,
                    min_teams)
    if "meaning" not in prep.predictors:
        raise RingstatsError("`meaning` found no employee items (default: mean1, mean2, ...).")
    d = prep.cust[[team, mediator, outcome]].dropna()
    tmeans = d.groupby(team)[[mediator, outcome]].mean()
    tab = prep.teams[["meaning"]].join(tmeans, how="inner").dropna()
    if len(tab) < min_teams:
        raise InsufficientDataError(
            f"`data` must have complete mediator and outcome data in at least {min_teams} "
            f"teams; got {len(tab)}.")
    x = tab["meaning"].to_numpy(float)
    m = tab[mediator].to_numpy(float)
    y = tab[outcome].to_numpy(float)
    est = _paths(x, m, y)
    ba, sa, dfa = _team_ols(m, [x])
    bb, sb, dfb = _team_ols(y, [x, m])
    bc, sc, dfc = _team_ols(y, [x])
    pv = {"a": 2 * stats.t.sf(abs(ba[1] / sa[1]), dfa),
          "b": 2 * stats.t.sf(abs(bb[2] / sb[2]), dfb),
          "c_prime": 2 * stats.t.sf(abs(bb[1] / sb[1]), dfb),
          "c": 2 * stats.t.sf(abs(bc[1] / sc[1]), dfc)}
    rng = np.random.default_rng(seed)
    J = len(tab)
    boot = np.empty((n_boot, 5))
    with one_blas_thread():
        for k in progress_iter(range(n_boot), total=n_boot, desc="mediation bootstrap",
                               enabled=progress):
            idx = rng.integers(0, J, J)
            xb = x[idx]
            if np.ptp(xb) == 0:
                boot[k] = np.nan
                continue
            boot[k] = _paths(xb, m[idx], y[idx])
    names = ["a", "b", "c_prime", "c", "indirect"]
    bdf = pd.DataFrame(boot, columns=names)
    prop_boot = bdf["indirect"] / bdf["c"]
    rows = []
    for i, nme in enumerate(names):
        col = bdf[nme].dropna()
        c_lo, c_hi = percentile_interval(col.to_numpy(), ci)
        rows.append({"path": nme, "estimate": est[i], "se": float(col.std()),
                     "ci_low": c_lo, "ci_high": c_hi, "p_val": pv.get(nme, np.nan)})
    pcol = prop_boot.replace([np.inf, -np.inf], np.nan).dropna()
    p_lo, p_hi = percentile_interval(pcol.to_numpy(), ci)
    rows.append({"path": "proportion_mediated", "estimate": est[4] / est[3],
                 "se": float(pcol.std()), "ci_low": p_lo, "ci_high": p_hi, "p_val": np.nan})
    paths = pd.DataFrame(rows).set_index("path")
    bdf["proportion_mediated"] = prop_boot

    # check model: CWC(M) at customer level
    dd = d[d[team].isin(tab.index)]
    g = dd[team].to_numpy()
    mbar = dd[team].map(tab[mediator]).to_numpy(float)
    xw = dd[mediator].to_numpy(float) - mbar
    xm = dd[team].map(tab["meaning"]).to_numpy(float)
    X = np.column_stack([np.ones(len(dd)), xm - xm.mean(), mbar - mbar.mean(), xw])
    fit, conv, _ = _fit_mixed(dd[outcome].to_numpy(float), X, g, "mediation check model")
    q = stats.norm.ppf(0.5 + ci / 2)
    fe, bse = np.asarray(fit.fe_params), np.asarray(fit.bse_fe)
    within = pd.DataFrame({"estimate": fe[1:], "se": bse[1:],
                           "ci_low": fe[1:] - q * bse[1:], "ci_high": fe[1:] + q * bse[1:],
                           "p_val": 2 * stats.norm.sf(np.abs(fe[1:] / bse[1:]))},
                          index=pd.Index(["c_prime", "b_between", "b_within"], name="term"))
    return MediationResult(paths=paths, within=within, boot=bdf, predictor="meaning",
                           mediator=mediator, outcome=outcome, n_teams=J,
                           n_customers=len(dd), n_boot=n_boot, converged=conv, ci=ci)


