"""Team-level mediation: meaning -> ring 3 experience -> loyalty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.bootstrap import one_blas_thread, percentile_interval
from .._kernels.progress import progress_iter
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_probability,
    check_seed,
    renamed,
)
from ..errors import InsufficientDataError, RingstatsError
from ..spec import RingSpec
from ._icc import _fit_mixed
from ._inputs import _NO_ITEMS, _prepare


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
