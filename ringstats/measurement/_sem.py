"""Structural equation models by maximum likelihood: the rings -> loyalty in latent terms.

The measurement model comes from the spec (every construct a factor measured by its items, as
in :func:`~ringstats.measurement.cfa`), the structural model from ``paths``; by default every
construct of every ring predicts the loyalty outcome (a latent factor when the spec has
loyalty items, the observed LTR otherwise). The model-implied covariance matrix is

.. math:: \\Sigma(\\theta) = \\Lambda (I-B)^{-1} \\Psi (I-B)^{-\\top} \\Lambda^\\top + \\Theta

(see ``_sem_model``), fitted with the same ML and FIML cores as the CFA. Indirect and total
effects come from :math:`T = (I-B)^{-1} - I` (Bollen 1987), with delta-method standard errors
and optional percentile bootstrap intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._data import checked_frame, model_frame
from .._kernels.bootstrap import one_blas_thread, percentile_interval
from .._kernels.progress import progress_iter
from .._kernels.validation import (
    check_bool,
    check_columns,
    check_int,
    check_option,
    check_probability,
    check_seed,
)
from ..errors import ConvergenceError, InsufficientDataError, RingstatsWarning, SpecError
from ..spec import RING_LABELS, RingSpec, blocks_of
from ._cfa._engine import (
    _check_pd,
    _em_saturated,
    _expected_info,
    _fiml_fit,
    _fiml_loglik,
    _fiml_stats,
    _fit_measures,
    _logdet,
    _ml_fit_cov,
    _num_jacobian,
    _patterns,
    _safe_inv,
    _srmr,
)
from ._cfa._fit import _check_blocks, _prepare
from ._sem_model import SEMStructure, parse_paths
from ._sem_result import SEMResult, improper_flags, standardised
from ._wls._fit_ord import (
    ESTIMATORS,
    derived_residuals,
    fit_ordinal,
    resolve_estimator,
    threshold_rows,
    wlsmv_fit_rows,
)

__all__ = ["sem", "SEMResult"]

_NAN_POLICIES = ("listwise", "fiml")
_ESTIMATORS = ESTIMATORS
_INFORMATION = ("expected", "observed")


# ----------------------------------------------------------------------------- model from spec
def _model(spec: Any, paths: Any, columns: Sequence[str]
           ) -> tuple[dict[str, tuple[str, ...]], list[tuple[str, str]], str | None, dict]:
    """Blocks, paths, the loyalty outcome (if any) and construct -> ring."""
    blocks = {k: tuple(v) for k, v in blocks_of(spec).items()}
    rings: dict[str, int] = {}
    outcome = None
    if isinstance(spec, RingSpec):
        rings = {c.name: c.ring for c in spec.constructs}
        loy_name = "loyalty" if "loyalty" not in blocks else "loyalty_latent"
        if spec.loyalty:
            outcome = loy_name
        elif spec.ltr:
            outcome = spec.ltr
        if paths is None:
            if outcome is None:
                raise SpecError("`spec` names no loyalty outcome (`outcomes.loyalty` or "
                                "`outcomes.ltr`); pass `paths=` to define the structural model.")
            pairs = [(outcome, c) for c in blocks]
        else:
            pairs = parse_paths(paths)
        used = {n for pair in pairs for n in pair}
        if spec.loyalty and loy_name in used:
            blocks[loy_name] = tuple(spec.loyalty)
        if outcome not in used:
            outcome = None
    else:
        if paths is None:
            raise SpecError("`paths` is required when `spec` is a dict (the default paths, every "
                            "construct -> loyalty, need a RingSpec with an outcome).")
        pairs = parse_paths(paths)
    return blocks, pairs, outcome, rings


# ----------------------------------------------------------------------------- fitting
def _fit(st: SEMStructure, x: np.ndarray, nan_policy: str, information: str, *,
         start: np.ndarray | None = None, with_se: bool = True,
         estimator: str = "ML") -> dict[str, Any]:
    p, q = st.p, st.q
    df = p * (p + 1) // 2 - q
    if df < 0:
        raise SpecError(f"the model is not identified: {q} free parameters but only "
                        f"{p * (p + 1) // 2} variances and covariances (df = {df}).")
    if estimator == "WLSMV":
        o = fit_ordinal(st, x, start=start, what="WLSMV SEM")
        return {"theta": o["theta"], "n": o["n"], "s": o["moments"].corr,
                "mean": np.zeros(p), "nit": o["nit"], "df": df, "vcov": o["vcov"],
                "fit": wlsmv_fit_rows(o["dwls"]), "dwls": o["dwls"], "moments": o["moments"]}
    if nan_policy == "fiml":
        return _fit_fiml(st, x, df, start=start, with_se=with_se)
    xc = x[~np.isnan(x).any(axis=1)]
    n = xc.shape[0]
    if n <= p:
        raise InsufficientDataError(
            f"fewer complete rows ({n}) than observed variables ({p}); use nan_policy='fiml' "
            "or collect more data.")
    mean = xc.mean(axis=0)
    s = np.cov(xc, rowvar=False, ddof=0)
    _check_pd(s, "sample covariance matrix")
    theta, res = _ml_fit_cov(st, s, start=start, max_iter=300)
    _check_converged(res)
    out = {"theta": theta, "n": n, "s": s, "mean": mean, "nit": int(res.nit), "df": df}
    if not with_se:
        return out
    sig = st.sigma(theta)
    if information == "expected":
        info = 0.5 * _expected_info(np.linalg.inv(sig), st.dsigma(theta))
    else:
        def gfun(t: np.ndarray) -> np.ndarray:
            iv = np.linalg.inv(st.sigma(t))
            return st.grad_from_g(iv - iv @ s @ iv, t)
        h = _num_jacobian(gfun, theta)
        info = 0.25 * (h + h.T)
    vcov = _safe_inv(info) / n
    fmin = float(res.fun)
    ll1 = -0.5 * n * (p * np.log(2 * np.pi) + _logdet(s) + p)
    ll0 = ll1 - 0.5 * n * fmin
    base = n * (np.sum(np.log(np.diag(s))) - _logdet(s))
    out["vcov"] = vcov
    out["fit"] = _fit_measures(n * fmin, df, base, p * (p - 1) // 2, n, ll0, ll1, q,
                               _srmr(s, sig))
    return out


def _check_converged(res: Any) -> None:
    gmax = float(np.max(np.abs(res.jac))) if res.jac is not None else np.inf
    if (not res.success and gmax > 1e-6) or gmax > 1e-5 or not np.isfinite(res.fun):
        raise ConvergenceError(
            f"SEM did not converge (max |gradient| = {gmax:.2e} after {res.nit} iterations); "
            "no estimates are returned. Check for constructs that are nearly collinear or "
            "items that barely load, or use the default marker identification (std_lv=False), "
            "which can represent a negative residual variance that std_lv=True cannot.")


def _fit_fiml(st: SEMStructure, x: np.ndarray, df: int, *, start: np.ndarray | None,
              with_se: bool) -> dict[str, Any]:
    x = x[~np.isnan(x).all(axis=1)]
    n, p = x.shape
    if n <= p:
        raise InsufficientDataError(f"fewer rows ({n}) than observed variables ({p}).")
    pats = _patterns(x)
    pstats = _fiml_stats(x, pats)
    mu1, s1 = _em_saturated(x, pats)
    _check_pd(s1, "EM-estimated covariance matrix")
    par, res = _fiml_fit(st, x, pstats, s1, mu1, start=start)
    _check_converged(res)
    q = st.q
    theta, mu = par[:q], par[q:]
    out = {"theta": theta, "n": n, "s": s1, "mean": mu, "nit": int(res.nit), "df": df}
    if not with_se:
        return out
    sig = st.sigma(theta)

    def grad_ll(v: np.ndarray) -> np.ndarray:
        _, gs, gm = _fiml_loglik(st.sigma(v[:q]), v[q:], pstats, grad=True)
        return np.concatenate([st.grad_from_g(gs, v[:q]), gm])

    h = -_num_jacobian(grad_ll, par)
    vcov = _safe_inv(0.5 * (h + h.T))[:q, :q]
    ll0 = _fiml_loglik(sig, mu, pstats)[0]
    ll1 = _fiml_loglik(s1, mu1, pstats)[0]
    base_ll = 0.0
    for j in range(p):
        col = x[:, j][~np.isnan(x[:, j])]
        base_ll += -0.5 * col.size * (np.log(2 * np.pi) + np.log(col.var()) + 1)
    out["vcov"] = vcov
    out["fit"] = _fit_measures(2 * (ll1 - ll0), df, 2 * (ll1 - base_ll), p * (p - 1) // 2, n,
                               ll0, ll1, q + p, _srmr(s1, sig, mean_res=mu1 - mu))
    return out


# ----------------------------------------------------------------------------- effects
def _effect_index(st: SEMStructure) -> list[tuple[int, int, str]]:
    """(outcome, predictor, kind) of every structurally non-zero direct/indirect/total effect."""
    m = st.m
    bpat = np.zeros((m, m))
    _, r, c = st._idx["beta"]
    bpat[r, c] = 1.0
    paths = np.linalg.inv(np.eye(m) - bpat) - np.eye(m)  # number of paths l -> k
    out = []
    for k in range(m):
        for l_ in range(m):
            if paths[k, l_] > 0.5:
                if bpat[k, l_]:
                    out.append((k, l_, "direct"))
                if paths[k, l_] - bpat[k, l_] > 0.5:
                    out.append((k, l_, "indirect"))
                out.append((k, l_, "total"))
    return out


def _effects(st: SEMStructure, theta: np.ndarray, index: list[tuple[int, int, str]],
             rings: list[tuple[int, list[int]]], outcome: int | None) -> np.ndarray:
    """Effects (unstandardised, then std.all) followed by ring totals (both scales)."""
    _, b, _, _ = st.unpack(theta)
    t = np.linalg.inv(np.eye(st.m) - b) - np.eye(st.m)
    sd = np.sqrt(np.clip(np.diag(st.latent_cov(theta)), 1e-300, None))
    kinds = {"direct": b, "indirect": t - b, "total": t}
    raw = np.array([kinds[kd][k, l_] for k, l_, kd in index])
    std = np.array([kinds[kd][k, l_] * sd[l_] / sd[k] for k, l_, kd in index])
    ring_raw = np.array([t[outcome, cs].sum() for _, cs in rings]) if rings else np.zeros(0)
    ring_std = (np.array([(t[outcome, cs] * sd[cs]).sum() / sd[outcome] for _, cs in rings])
                if rings else np.zeros(0))
    return np.concatenate([raw, std, ring_raw, ring_std])


def _wald(est: np.ndarray, se: np.ndarray, z: float) -> dict[str, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        zv = est / se
    return {"estimate": est, "se": se, "z": zv, "p_val": 2 * stats.norm.sf(np.abs(zv)),
            "ci_low": est - z * se, "ci_high": est + z * se}


# ----------------------------------------------------------------------------- public API
def sem(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    paths: str | Mapping[str, Sequence[str] | str] | None = None,
    estimator: str = "auto",
    nan_policy: str = "listwise",
    std_lv: bool = False,
    information: str = "expected",
    ci: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
) -> SEMResult:
    """Fit a structural equation model: constructs measured by items, regressions among them.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per respondent (validate with ``spec.validate`` first).
    spec : RingSpec or dict
        The measurement model (construct -> items). With a RingSpec and no ``paths``, the
        structural model is the rings' default: every construct -> the loyalty outcome, a
        latent factor ``loyalty`` when the spec lists loyalty items, else the observed LTR.
    paths : str or dict, optional
        Structural paths in lavaan syntax (``"SAT ~ QUAL + VAL"``, one regression per line or
        separated by ``;``; labels such as ``a*QUAL`` are ignored) or a dict
        ``{"SAT": ["QUAL", "VAL"]}``. Names are constructs of the spec or observed columns
        (an observed variable enters as a single-indicator latent, as in lavaan; observed
        exogenous variables get free variances, lavaan's ``fixed.x = FALSE``). With a
        RingSpec, ``loyalty`` names the loyalty factor. Only recursive models.
    estimator : {"auto", "ML", "WLSMV"}
        ``"ML"``: normal-theory maximum likelihood (lavaan's default for continuous data).
        ``"WLSMV"``: every observed variable is an ordered item (polychorics, DWLS, robust
        SEs, scaled-and-shifted test; listwise deletion; paths among constructs only).
        ``"auto"`` (default): WLSMV when every observed variable has at most 5 categories
        and ``nan_policy="listwise"`` (Rhemtulla, Brosseau-Liard & Savalei 2012), noted in
        the result; ML otherwise.
    nan_policy : {"listwise", "fiml"}
        ``"fiml"`` maximises the casewise likelihood (lavaan ``missing = "ml"``), assuming
        data missing at random; SEs then come from the observed information, as in lavaan.
    std_lv : bool
        Identify factors by fixing their (residual) variances to 1 instead of the first
        loading (lavaan ``std.lv = TRUE``).
    information : {"expected", "observed"}
        Information matrix for standard errors of complete-data fits.
    ci : float
        Confidence level of the Wald and bootstrap intervals.
    n_boot : int
        Bootstrap resamples (rows) for percentile intervals of the effects (0: none).
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    SEMResult
        Estimates with SEs, z, p and CIs, the standardised solution (``std.all``), R squared
        of every endogenous variable, fit, direct/indirect/total effects, ring-level total
        effects on loyalty, and flags for improper solutions.

    Raises
    ------
    SpecError
        For unknown names in ``paths``, a feedback loop, a single-item construct or a model
        with negative degrees of freedom.
    ConvergenceError
        When the optimiser does not reach a zero gradient (no estimates are returned).

    Notes
    -----
    ML discrepancy, fit indices and SEs are those of :func:`cfa` (lavaan 0.6 defaults).
    Direct effects are :math:`B`, total effects :math:`T=(I-B)^{-1}-I` and indirect effects
    :math:`T-B` (Bollen 1987); standardised effects scale by the model-implied latent standard
    deviations (lavaan ``std.all``). A ring's total effect is the sum of the total effects of
    its constructs on the outcome: on the standardised scale, the change in loyalty (in SDs)
    when every construct of the ring rises by one SD. Delta-method SEs use a numerical
    Jacobian; bootstrap intervals are percentiles of refits on resampled rows (Bollen &
    Stine 1990). Matches ``lavaan::sem()`` to 1e-3 on Holzinger-Swineford with structural
    paths (complete and FIML) and on the ECSI model (tests/reference/sem).

    References
    ----------
    Bollen, K. A. (1987). Total, direct, and indirect effects in structural equation models.
    *Sociological Methodology* 17, 37-69. Bollen, K. A. and Stine, R. (1990). Direct and
    indirect effects: classical and bootstrap estimates of variability. *Sociological
    Methodology* 20, 115-140. Rosseel, Y. (2012). lavaan. *J. Stat. Softw.* 48(2).

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats import sem
    >>> w = draw("base", n=600, seed=3)
    >>> res = sem(w.spec.validate(w.customers), spec=w.spec)
    >>> res.outcome
    'loyalty'
    >>> list(res.ring_effects["ring"])
    [1, 2, 3]
    """
    data = checked_frame(data)
    check_option(estimator, "estimator", _ESTIMATORS)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_option(information, "information", _INFORMATION)
    check_bool(std_lv, "std_lv")
    check_probability(ci, "ci")
    check_int(n_boot, "n_boot", min_value=0)
    check_seed(seed)
    blocks, pairs, outcome, rings = _model(spec, paths, list(map(str, data.columns)))
    notes = _check_blocks(blocks)
    st = SEMStructure.build(blocks, pairs, list(map(str, data.columns)), std_lv)
    items = check_columns(data, list(st.items), "spec")
    x = _prepare(model_frame(data, spec, items), items)
    estimator, enotes = resolve_estimator(estimator, x, items, nan_policy)
    notes += enotes
    info = "observed" if nan_policy == "fiml" else information
    if estimator == "WLSMV":
        info = "robust (sandwich)"
    fit = _fit(st, x, nan_policy, info, estimator=estimator)
    theta, vcov = fit["theta"], fit["vcov"]
    zc = float(stats.norm.ppf(0.5 + ci / 2))
    # effects and ring totals
    index = _effect_index(st)
    pos = {f: k for k, f in enumerate(st.latents)}
    out_k = pos.get(outcome) if outcome is not None else None
    ring_groups: list[tuple[int, list[int]]] = []
    if out_k is not None and rings:
        reach = {l_ for k, l_, kd in index if k == out_k and kd == "total"}
        for r in sorted(set(rings.values())):
            cs = [pos[c] for c, rr in rings.items() if rr == r and pos.get(c) in reach]
            if cs:
                ring_groups.append((r, cs))

    def eff(t: np.ndarray) -> np.ndarray:
        return _effects(st, t, index, ring_groups, out_k)

    e_hat = eff(theta)
    jac = _num_jacobian(eff, theta)
    e_se = np.sqrt(np.clip(np.diag(jac @ vcov @ jac.T), 0, None))
    boot = None
    n_fail = 0
    if n_boot:
        rng = np.random.default_rng(seed)
        reps = []
        rows = np.flatnonzero(~np.isnan(x).all(axis=1))
        with one_blas_thread():
            for _ in progress_iter(range(n_boot), total=n_boot, desc="SEM bootstrap"):
                xb = x[rng.choice(rows, size=rows.size, replace=True)]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        fb = _fit(st, xb, nan_policy, info, start=theta, with_se=False,
                                  estimator=estimator)
                    reps.append(eff(fb["theta"]))
                except (ConvergenceError, InsufficientDataError, np.linalg.LinAlgError):
                    n_fail += 1
        if reps:
            boot = np.vstack(percentile_interval(np.array(reps), ci))
    ne, nr = len(index), len(ring_groups)
    effects = pd.DataFrame({
        "outcome": [st.latents[k] for k, _, _ in index],
        "predictor": [st.latents[l_] for _, l_, _ in index],
        "effect": [kd for _, _, kd in index],
        **_wald(e_hat[:ne], e_se[:ne], zc),
        "std_estimate": e_hat[ne:2 * ne], "std_se": e_se[ne:2 * ne],
        "std_ci_low": e_hat[ne:2 * ne] - zc * e_se[ne:2 * ne],
        "std_ci_high": e_hat[ne:2 * ne] + zc * e_se[ne:2 * ne],
    })
    ring_fx = pd.DataFrame({
        "ring": [r for r, _ in ring_groups],
        "label": [RING_LABELS.get(r, f"Ring {r}") for r, _ in ring_groups],
        "constructs": [", ".join(st.latents[c] for c in cs) for _, cs in ring_groups],
        **_wald(e_hat[2 * ne:2 * ne + nr], e_se[2 * ne:2 * ne + nr], zc),
        "std_estimate": e_hat[2 * ne + nr:], "std_se": e_se[2 * ne + nr:],
        "std_ci_low": e_hat[2 * ne + nr:] - zc * e_se[2 * ne + nr:],
        "std_ci_high": e_hat[2 * ne + nr:] + zc * e_se[2 * ne + nr:],
    })
    if boot is not None:
        effects["boot_ci_low"], effects["boot_ci_high"] = boot[0, :ne], boot[1, :ne]
        effects["boot_std_ci_low"] = boot[0, ne:2 * ne]
        effects["boot_std_ci_high"] = boot[1, ne:2 * ne]
        ring_fx["boot_ci_low"] = boot[0, 2 * ne:2 * ne + nr]
        ring_fx["boot_ci_high"] = boot[1, 2 * ne:2 * ne + nr]
        ring_fx["boot_std_ci_low"] = boot[0, 2 * ne + nr:]
        ring_fx["boot_std_ci_high"] = boot[1, 2 * ne + nr:]
    if n_fail:
        notes.append(f"{n_fail} of {n_boot} bootstrap refits failed to converge and were "
                     "dropped.")
    params, r2 = standardised(st, theta, vcov, zc)
    thresholds = pd.DataFrame()
    if estimator == "WLSMV":
        th = threshold_rows(fit["dwls"], fit["moments"], zc)
        params = pd.concat([derived_residuals(params, list(st.items)), th], ignore_index=True)
        thresholds = th.rename(columns={"lhs": "item", "rhs": "threshold"})[
            ["item", "threshold", "estimate", "se", "z", "p_val", "ci_low", "ci_high"]]
    improper = improper_flags(st, theta, params, r2)
    if improper:
        warnings.warn("Improper SEM solution: " + "; ".join(improper), RingstatsWarning,
                      stacklevel=2)
    sig = st.sigma(theta)
    return SEMResult(
        parameters=params, fit=fit["fit"], r_squared=r2, effects=effects, ring_effects=ring_fx,
        outcome=outcome, vcov=pd.DataFrame(vcov, index=[" ".join(lb) for lb in st.labels()],
                                           columns=[" ".join(lb) for lb in st.labels()]),
        implied_cov=pd.DataFrame(sig, index=list(st.items), columns=list(st.items)),
        sample_cov=pd.DataFrame(fit["s"], index=list(st.items), columns=list(st.items)),
        n_obs=int(fit["n"]), estimator=estimator, nan_policy=nan_policy, information=info,
        std_lv=std_lv, converged=True, n_iter=fit["nit"], improper=tuple(improper),
        n_boot=n_boot, warnings=tuple(notes), blocks=blocks,
        paths=tuple(pairs), thresholds=thresholds,
    )
