"""cfa(): the public estimator, its result and the lavaan-style report."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._data import items_frame
from ..._kernels.dispatch import dispatch, is_moments
from ..._kernels.results import ResultMixin, Summary
from ..._kernels.validation import (
    check_bool,
    check_columns,
    check_numeric,
    check_option,
    check_probability,
)
from ...errors import (
    ConvergenceError,
    InsufficientDataError,
    RingstatsWarning,
    SpecError,
)
from ...spec import RingSpec, blocks_of
from .._wls._fit_ord import (
    WLSMV_NOTE,
    derived_residuals,
    fit_ordinal,
    resolve_estimator,
    summary_lines,
    threshold_rows,
    wlsmv_fit_rows,
)
from ._engine import (
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
from ._model import _INFORMATION, _NAN_POLICIES, _Structure


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class CFAResult(ResultMixin):
    """Result of :func:`cfa`.

    Attributes
    ----------
    loadings : DataFrame
        One row per item: ``construct``, ``estimate`` (unstandardised; markers are 1 and
        ``fixed`` is True), ``se``, ``z``, ``p_val``, ``ci_low``, ``ci_high``, ``std_estimate``
        (lavaan ``std.all``), ``std_se``, ``std_ci_low``, ``std_ci_high``.
    factor_covariances : DataFrame
        Factor variances and covariances, one row per pair (``lhs``, ``rhs``) with
        ``estimate``, ``se``, ``z``, ``p_val``, ``ci_low``, ``ci_high``, ``std_estimate``
        (the correlation) and ``std_se``.
    factor_correlations : DataFrame
        The factor correlation matrix (constructs x constructs).
    residual_variances : DataFrame
        One row per item: ``estimate``, ``se``, ``z``, ``p_val``, ``ci_low``, ``ci_high``,
        ``std_estimate`` (1 - R squared).
    r_squared : Series
        Share of each item's variance explained by its factor.
    fit : Series
        ``chisq``, ``df``, ``p_val``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``,
        ``rmsea_ci_high``, ``rmsea_p_close``, ``srmr``, ``loglik``, ``loglik_h1``, ``aic``,
        ``bic``, ``baseline_chisq``, ``baseline_df``, ``npar``, ``n``.
    parameters : DataFrame
        Every free and fixed parameter in lavaan's ``parameterEstimates()`` layout
        (``lhs``, ``op``, ``rhs``, ...).
    vcov : DataFrame
        Covariance matrix of the free parameters.
    loading_matrix, factor_cov, residual_cov, implied_cov, sample_cov : DataFrame
        Model matrices (Lambda, Phi, Theta, Sigma) and the sample covariance used.
    item_means : Series
        Means of the items (FIML: the saturated ML means).
    n_obs : int
        Number of rows used (pairwise: the smallest pairwise count).
    nan_policy, information : str
        How missing values and standard errors were handled.
    converged : bool
        Always True on a returned result (failures raise :class:`ConvergenceError`).
    n_iter : int
        Optimiser iterations.
    heywood : tuple of str
        Items with a negative residual variance or a standardised loading above 1.
    warnings : tuple of str
        Other notes (two-item constructs, non-positive-definite factor covariance matrix,
        the automatic choice of the ordinal estimator).
    blocks : dict
        Construct -> items.
    estimator : str
        ``"ML"`` or ``"WLSMV"`` (ordered items: polychoric correlations, DWLS, robust SEs;
        ``fit`` then also has ``chisq_scaled``, ``scaling_factor``, ``shift_parameter`` and
        the ``_scaled`` and ``_robust`` CFI, TLI and RMSEA, and the model matrices are on
        the latent-response (correlation) metric).
    thresholds : DataFrame
        WLSMV: one row per threshold (``item``, ``threshold``, ``estimate``, ``se``, ``z``,
        ``p_val``, ``ci_low``, ``ci_high``); empty for ML.
    """

    loadings: pd.DataFrame
    factor_covariances: pd.DataFrame
    factor_correlations: pd.DataFrame
    residual_variances: pd.DataFrame
    r_squared: pd.Series
    fit: pd.Series
    parameters: pd.DataFrame
    vcov: pd.DataFrame
    loading_matrix: pd.DataFrame
    factor_cov: pd.DataFrame
    residual_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    item_means: pd.Series
    n_obs: int
    nan_policy: str
    information: str
    converged: bool
    n_iter: int
    heywood: tuple[str, ...]
    warnings: tuple[str, ...]
    blocks: dict[str, tuple[str, ...]]
    estimator: str = "ML"
    thresholds: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """Every parameter in lavaan's ``parameterEstimates()`` layout (loadings,
        thresholds, variances, covariances) with the ``estimator`` named."""
        out = self.parameters.copy()
        out["estimator"] = self.estimator
        return out

    def summary(self) -> Summary:
        f = self.fit
        s = Summary(f"Confirmatory factor analysis ({self.estimator}, n = {self.n_obs}, "
                    f"missing: {self.nan_policy})")
        chi = (f"{f['chisq']:.3f} on {int(f['df'])} df, p = {f['p_val']:.4g}"
               if np.isfinite(f["chisq"]) else "n/a")
        if self.estimator == "WLSMV":
            s.add_dict(summary_lines(f), "Model test and fit (lavaan WLSMV)")
        else:
            s.add_dict({
                "chi-square": chi,
                "CFI": float(f["cfi"]),
                "TLI": float(f["tli"]),
                "RMSEA [90% CI]": (f"{f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, "
                                   f"{f['rmsea_ci_high']:.3f}]"),
                "SRMR": float(f["srmr"]),
                "log-likelihood": float(f["loglik"]),
                "AIC": float(f["aic"]),
                "BIC": float(f["bic"]),
                "free parameters": int(f["npar"]),
            }, "Fit")
        cols = ["construct", "estimate", "se", "p_val", "std_estimate", "std_se"]
        s.add_table(self.loadings[cols], "Loadings (std_estimate = standardised, lavaan std.all)")
        s.add_table(self.factor_correlations, "Factor correlations")
        s.add_table(self.residual_variances[["estimate", "se", "std_estimate"]],
                    "Residual variances")
        if len(self.thresholds):
            s.add_table(self.thresholds.set_index(["item", "threshold"])[
                ["estimate", "se", "ci_low", "ci_high"]], "Thresholds")
            s.add_note(WLSMV_NOTE)
        s.add_note(f"Standard errors from the {self.information} information matrix; "
                   "identification: " + ("first loading of each construct fixed to 1."
                                         if self.loadings["fixed"].any()
                                         else "factor variances fixed to 1."))
        if self.heywood:
            s.add_note("Heywood case (negative residual variance or standardised loading > 1): "
                       + ", ".join(self.heywood))
        for w in self.warnings:
            s.add_note(w)
        return s


# ----------------------------------------------------------------------------- public API
def _blocks_from(spec: Any) -> dict[str, tuple[str, ...]]:
    return {name: tuple(items) for name, items in blocks_of(spec).items()}


def _check_blocks(blocks: dict[str, tuple[str, ...]]) -> list[str]:
    notes = []
    seen: dict[str, str] = {}
    for name, its in blocks.items():
        if len(its) == 0:
            raise SpecError(f"construct `{name}` has no items.")
        if len(its) == 1:
            raise SpecError(
                f"construct `{name}` has a single item (`{its[0]}`); a CFA factor needs at least "
                "2 items (3 or more recommended). Drop the construct or add items."
            )
        if len(set(its)) != len(its):
            raise SpecError(f"construct `{name}` lists an item twice: {list(its)}.")
        for it in its:
            if it in seen:
                raise SpecError(
                    f"item `{it}` is listed under both `{seen[it]}` and `{name}`; cross-loadings "
                    "are not supported."
                )
            seen[it] = name
        if len(its) == 2:
            notes.append(f"construct `{name}` has only 2 items; it is identified only through its "
                         "covariances with other constructs.")
    if len(blocks) == 1 and len(next(iter(blocks.values()))) < 3:
        raise SpecError("a single construct needs at least 3 items to be identified.")
    return notes


def _prepare(data: pd.DataFrame, items: list[str]) -> np.ndarray:
    x = data[items].to_numpy(dtype=float, copy=True)
    x[~np.isfinite(x)] = np.nan
    obs = x[~np.isnan(x).all(axis=1)]
    for j, it in enumerate(items):
        col = obs[:, j]
        col = col[~np.isnan(col)]
        if col.size == 0:
            raise InsufficientDataError(f"item `{it}` has no observed values.")
        if np.ptp(col) == 0:
            raise InsufficientDataError(
                f"constant item: `{it}` has no variation (every value is {col[0]:g}); "
                "drop it from the model."
            )
    return x


def cfa(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    nan_policy: str = "listwise",
    std_lv: bool = False,
    information: str = "expected",
    ci: float = 0.95,
    estimator: str = "auto",
) -> CFAResult:
    """Fit a confirmatory factor analysis by maximum likelihood or, for ordered items, WLSMV.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per respondent (validate with ``spec.validate`` first so
        missing codes are NaN and reverse-keyed items are recoded).
    spec : RingSpec or dict
        The measurement model: a RingSpec (every construct becomes a factor measured by its
        items) or a dict mapping construct names to item columns.
    nan_policy : {"listwise", "pairwise", "fiml"}
        ``"listwise"`` drops rows with any missing item; ``"pairwise"`` fits the pairwise
        covariance matrix (``n`` is then the smallest pairwise count, a conservative choice;
        the likelihood is approximate); ``"fiml"`` maximises the casewise likelihood with a
        saturated mean structure (lavaan ``missing = "ml"``), assuming data missing at random.
    std_lv : bool
        If True, identify factors by fixing their variances to 1 and free all loadings
        (lavaan ``std.lv = TRUE``); default False: first loading of each factor fixed to 1.
    information : {"expected", "observed"}
        Information matrix for standard errors. lavaan's default is expected information for
        complete data and observed information for FIML; ``nan_policy="fiml"`` always uses
        the observed information (Hessian), as lavaan does.
    ci : float
        Confidence level of the Wald intervals.
    estimator : {"auto", "ML", "WLSMV"}
        ``"ML"``: normal-theory maximum likelihood on the covariance matrix. ``"WLSMV"``:
        the items are ordered categories (lavaan ``ordered = TRUE, estimator = "WLSMV"``):
        thresholds and polychoric correlations, DWLS estimates, robust standard errors and
        the scaled-and-shifted test (listwise deletion only; ``information`` is not used).
        ``"auto"`` (default): WLSMV when every item has at most 5 categories and
        ``nan_policy="listwise"`` (Rhemtulla, Brosseau-Liard & Savalei 2012), with a note
        in the result saying so; ML otherwise. From survey moments ``"auto"`` is ML.

    Returns
    -------
    CFAResult
        Loadings (unstandardised and standardised with SEs), factor covariances and
        correlations, residual variances, and the fit report (chi-square, CFI, TLI, RMSEA with
        90% CI, SRMR, log-likelihood, AIC, BIC).

    Raises
    ------
    ConvergenceError
        If the optimiser fails or the gradient at the solution is not close to zero.
    SpecError
        For a construct with one item, an item in two constructs, or a model with negative
        degrees of freedom.
    ValidationError
        ``estimator="WLSMV"`` with non-integer items, more than 20 categories, or
        ``nan_policy`` other than ``"listwise"``.
    InsufficientDataError
        For a constant item, fewer complete rows than items, or a non-positive-definite
        sample covariance matrix.

    Notes
    -----
    The discrepancy is :math:`F = \\log|\\Sigma| + \\mathrm{tr}(S\\Sigma^{-1}) - \\log|S| - p`
    with the biased sample covariance :math:`S` (divisor :math:`N`); the test statistic is
    :math:`\\chi^2 = N F` (lavaan's default ``likelihood = "normal"``). The optimiser is
    SciPy's ``trust-exact`` with the analytic gradient and the expected (Fisher) Hessian;
    convergence is checked on the gradient. Standard errors use
    :math:`\\mathrm{Cov}(\\hat\\theta) = I(\\hat\\theta)^{-1}/N` with the expected information
    :math:`I_{ij} = \\tfrac12 \\mathrm{tr}(\\Sigma^{-1}\\partial_i\\Sigma\\,\\Sigma^{-1}
    \\partial_j\\Sigma)`. Standardised estimates are lavaan's ``std.all`` with delta-method
    SEs. Fit indices follow lavaan 0.6 ``fitMeasures()``: CFI and TLI against the
    independence model; RMSEA :math:`=\\sqrt{\\max(\\chi^2-df,0)/(df\\,N)}` with the 90%
    interval from the noncentral chi-square (Browne & Cudeck 1993); SRMR is Bentler's
    (residual covariances scaled by the sample standard deviations, diagonal included).
    Matches ``lavaan::cfa()`` on HolzingerSwineford1939 to 3 decimals (tests). WLSMV
    (delta parameterisation, lavaan's default) minimises the diagonally weighted distance
    between the sample thresholds and polychorics and the model's (Muthen, du Toit & Spisic
    1997) and reports fit as lavaan 0.6.14 ``fitMeasures()`` does: standard, ``_scaled``
    (scaled-shifted test) and ``_robust`` CFI/TLI/RMSEA (Savalei 2021); matches lavaan on
    psych's bfi (tests/reference/wlsmv).

    References
    ----------
    Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
    analysis. *Psychometrika* 34, 183-202. Rosseel, Y. (2012). lavaan: An R package for
    structural equation modeling. *J. Stat. Softw.* 48(2).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ringstats import cfa
    >>> rng = np.random.default_rng(1)
    >>> f = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], size=400)
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(400, 6))
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = cfa(df, spec={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> round(float(res.fit["cfi"]), 2)
    1.0
    """
    if is_moments(data):
        return dispatch("cfa", data, spec=spec, nan_policy=nan_policy, std_lv=std_lv,
                        information=information, ci=ci, estimator=estimator)
    data, _ = items_frame(data, spec)
    blocks = _blocks_from(spec)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_option(information, "information", _INFORMATION)
    check_bool(std_lv, "std_lv")
    check_probability(ci, "ci")
    notes = _check_blocks(blocks)
    st = _Structure.build(blocks, std_lv)
    items = check_columns(data, list(st.items), "spec")
    check_numeric(data, items, "spec")
    x = _prepare(data, items)
    p = st.p
    est, enotes = resolve_estimator(estimator, x, items, nan_policy)
    if est == "WLSMV":
        return _cfa_wlsmv(st, x, blocks, notes + enotes, ci)
    if nan_policy == "fiml":
        return _cfa_fiml(st, x, blocks, notes, ci)

    if nan_policy == "listwise":
        xc = x[~np.isnan(x).any(axis=1)]
        n = xc.shape[0]
        if n <= p:
            raise InsufficientDataError(
                f"fewer complete rows ({n}) than items ({p}); a covariance-based CFA needs more "
                "rows than items. Use nan_policy='fiml' or 'pairwise', or collect more data."
            )
        mean = xc.mean(axis=0)
        s = np.cov(xc, rowvar=False, ddof=0)
    else:
        ok = ~np.isnan(x)
        npair = ok.T.astype(float) @ ok.astype(float)
        n = int(npair.min())
        if n <= p:
            raise InsufficientDataError(
                f"fewer pairwise-complete rows ({n}) than items ({p}); collect more data."
            )
        s = pd.DataFrame(x).cov(ddof=1).to_numpy() * (npair - 1) / npair
        mean = np.nanmean(x, axis=0)
    return _cfa_from_cov(st, s, mean, n, nan_policy, information, blocks, notes, ci)


def _cfa_from_cov(st: _Structure, s: np.ndarray, mean: np.ndarray, n: int, nan_policy: str,
                  information: str, blocks: dict, notes: list[str], ci: float) -> CFAResult:
    """ML fit, standard errors and fit report from a sample covariance (ddof 0) and n
    (shared by :func:`cfa` and the survey-moments path)."""
    p = st.p
    _check_pd(s, "sample covariance matrix" + (" (pairwise)" if nan_policy == "pairwise" else ""))
    df = p * (p + 1) // 2 - st.q
    if df < 0:
        raise SpecError(f"the model is not identified: {st.q} free parameters but only "
                        f"{p * (p + 1) // 2} variances and covariances (df = {df}).")
    theta, res = _ml_fit_cov(st, s)
    sig = st.sigma(theta)
    grad = res.jac
    gmax = float(np.max(np.abs(grad))) if grad is not None else np.inf
    if not res.success and gmax > 1e-6 or gmax > 1e-5 or not np.isfinite(res.fun):
        raise ConvergenceError(
            f"CFA did not converge (optimizer status {res.status}: {res.message}; max |gradient| "
            f"= {gmax:.2e} after {res.nit} iterations); no estimates are returned. Check for "
            "items that barely correlate with their construct, or try std_lv=True."
        )
    fmin = float(res.fun)
    # standard errors
    if information == "expected":
        info = 0.5 * _expected_info(np.linalg.inv(sig), st.dsigma(theta))
    else:
        def gfun(t: np.ndarray) -> np.ndarray:
            sg = st.sigma(t)
            iv = np.linalg.inv(sg)
            return st.grad_from_g(iv - iv @ s @ iv, t)
        h = _num_jacobian(gfun, theta)
        info = 0.25 * (h + h.T)  # (1/2) Hessian of F = information per observation
    vcov = _safe_inv(info) / n
    # fit
    ll1 = -0.5 * n * (p * np.log(2 * np.pi) + _logdet(s) + p)
    ll0 = ll1 - 0.5 * n * fmin
    chisq = n * fmin
    base = n * (np.sum(np.log(np.diag(s))) - _logdet(s))
    fit = _fit_measures(chisq, df, base, p * (p - 1) // 2, n, ll0, ll1, st.q,
                        _srmr(s, sig), )
    return _assemble(st, theta, vcov, s, sig, mean, fit, n, nan_policy, information, res.nit,
                     blocks, notes, ci)


def _standardise(st: _Structure, theta: np.ndarray) -> np.ndarray:
    """lavaan std.all of every free parameter (loadings, factor (co)variances, residuals)."""
    lam, phi, psi = st.unpack(theta)
    sig = lam @ phi @ lam.T + np.diag(psi)
    sd_y = np.sqrt(np.diag(sig))
    sd_f = np.sqrt(np.diag(phi))
    out = np.empty(st.q)
    for n, (j, k) in enumerate(st.free_lambda):
        out[n] = lam[j, k] * sd_f[k] / sd_y[j]
    nl = st.n_lambda
    for n, (a, b) in enumerate(st.free_phi):
        out[nl + n] = phi[a, b] / (sd_f[a] * sd_f[b])
    out[nl + st.n_phi:] = psi / sd_y ** 2
    return out


def _assemble(st: _Structure, theta: np.ndarray, vcov: np.ndarray, s: np.ndarray,
              sig: np.ndarray, mean: np.ndarray, fit: pd.Series, n: int, nan_policy: str,
              information: str, nit: int, blocks: dict, notes: list[str],
              ci: float) -> CFAResult:
    q = st.q
    vcov_t = vcov[:q, :q]
    se = np.sqrt(np.clip(np.diag(vcov_t), 0, None))
    zcrit = stats.norm.ppf(0.5 + ci / 2)
    std = _standardise(st, theta)
    jac, jac_fixed = st.std_jacobian(theta)
    std_se = np.sqrt(np.clip(np.diag(jac @ vcov_t @ jac.T), 0, None))
    labels = st.labels()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = theta / se
    pv = 2 * stats.norm.sf(np.abs(z))
    free = pd.DataFrame({
        "lhs": [a for a, _, _ in labels], "op": [b for _, b, _ in labels],
        "rhs": [c for _, _, c in labels], "estimate": theta, "se": se, "z": z, "p_val": pv,
        "ci_low": theta - zcrit * se, "ci_high": theta + zcrit * se, "std_estimate": std,
        "std_se": std_se, "std_ci_low": std - zcrit * std_se, "std_ci_high": std + zcrit * std_se,
        "fixed": False,
    })
    lam, phi, psi = st.unpack(theta)
    sd_y = np.sqrt(np.diag(sig))
    sd_f = np.sqrt(np.diag(phi))
    fixed_rows = []
    for (j, k) in st.fixed_lambda:
        v = lam[j, k] * sd_f[k] / sd_y[j]
        fixed_rows.append({"lhs": st.factors[k], "op": "=~", "rhs": st.items[j], "estimate": 1.0,
                           "se": 0.0, "z": np.nan, "p_val": np.nan, "ci_low": 1.0,
                           "ci_high": 1.0, "std_estimate": v, "fixed": True})
    if st.std_lv:
        for f in st.factors:
            fixed_rows.append({"lhs": f, "op": "~~", "rhs": f, "estimate": 1.0, "se": 0.0,
                               "z": np.nan, "p_val": np.nan, "ci_low": 1.0, "ci_high": 1.0,
                               "std_estimate": 1.0, "fixed": True})
    # std SEs of fixed markers (delta method through the other parameters)
    if fixed_rows:
        jf = jac_fixed
        fse = np.sqrt(np.clip(np.diag(jf @ vcov_t @ jf.T), 0, None))
        for r, v in zip(fixed_rows, fse, strict=True):
            r["std_se"] = v
            r["std_ci_low"] = r["std_estimate"] - zcrit * v
            r["std_ci_high"] = r["std_estimate"] + zcrit * v
    params = pd.concat([pd.DataFrame(fixed_rows), free], ignore_index=True) if fixed_rows \
        else free
    # order: loadings by factor/item order, then residuals, then factor (co)variances
    item_pos = {it: i for i, it in enumerate(st.items)}
    fac_pos = {f: i for i, f in enumerate(st.factors)}

    def key(row: pd.Series) -> tuple:
        if row["op"] == "=~":
            return (0, fac_pos[row["lhs"]], item_pos[row["rhs"]], 0)
        if row["lhs"] in item_pos:
            return (1, item_pos[row["lhs"]], 0, 0)
        return (2, fac_pos[row["lhs"]] if row["lhs"] == row["rhs"] else 99,
                fac_pos[row["lhs"]], fac_pos[row["rhs"]])

    keys = [key(r) for _, r in params.iterrows()]
    params = params.iloc[sorted(range(len(keys)), key=keys.__getitem__)]
    params = params.reset_index(drop=True)
    lrows = params[params["op"] == "=~"]
    loadings = lrows.rename(columns={"lhs": "construct", "rhs": "item"}).drop(columns="op")
    loadings = loadings.set_index("item")[["construct", "estimate", "se", "z", "p_val", "ci_low",
                                           "ci_high", "std_estimate", "std_se", "std_ci_low",
                                           "std_ci_high", "fixed"]]
    loadings.index.name = "item"
    rrows = params[(params["op"] == "~~") & params["lhs"].isin(st.items)]
    resid = rrows.set_index("lhs")[["estimate", "se", "z", "p_val", "ci_low", "ci_high",
                                    "std_estimate", "std_se"]]
    resid.index.name = "item"
    frows = params[(params["op"] == "~~") & params["lhs"].isin(st.factors)]
    fcov = frows.drop(columns=["op", "fixed"]).reset_index(drop=True)
    fcorr = pd.DataFrame(phi / np.outer(sd_f, sd_f), index=list(st.factors),
                         columns=list(st.factors))
    r2 = pd.Series(1.0 - psi / np.diag(sig), index=list(st.items), name="r_squared")
    lab = [f"{a} {b} {c}" for a, b, c in labels]
    heywood = tuple(st.items[j] for j in range(st.p)
                    if psi[j] < 0 or loadings.loc[st.items[j], "std_estimate"] > 1)
    warn = list(notes)
    if np.linalg.eigvalsh(phi).min() <= 0:
        warn.append("the factor covariance matrix is not positive definite (a factor correlation "
                    "is at or beyond 1): constructs are not empirically distinct.")
    fc = phi / np.outer(sd_f, sd_f)
    for a in range(len(st.factors)):
        for b in range(a + 1, len(st.factors)):
            if abs(fc[a, b]) >= 0.95:
                warn.append(f"latent correlation {fc[a, b]:.3f} between `{st.factors[a]}` and "
                            f"`{st.factors[b]}` (|r| >= .95): the two constructs are empirically "
                            "one; merge them or drop one.")
    if heywood:
        warnings.warn(f"Heywood case in CFA: {', '.join(heywood)} (negative residual variance or "
                      "standardised loading above 1).", RingstatsWarning, stacklevel=3)
    items, facs = list(st.items), list(st.factors)
    return CFAResult(
        loadings=loadings, factor_covariances=fcov, factor_correlations=fcorr,
        residual_variances=resid, r_squared=r2, fit=fit, parameters=params,
        vcov=pd.DataFrame(vcov_t, index=lab, columns=lab),
        loading_matrix=pd.DataFrame(lam, index=items, columns=facs),
        factor_cov=pd.DataFrame(phi, index=facs, columns=facs),
        residual_cov=pd.DataFrame(np.diag(psi), index=items, columns=items),
        implied_cov=pd.DataFrame(sig, index=items, columns=items),
        sample_cov=pd.DataFrame(s, index=items, columns=items),
        item_means=pd.Series(mean, index=items, name="mean"),
        n_obs=int(n), nan_policy=nan_policy, information=information, converged=True,
        n_iter=int(nit), heywood=heywood, warnings=tuple(warn),
        blocks={k: tuple(v) for k, v in blocks.items()},
    )


def _cfa_fiml(st: _Structure, x: np.ndarray, blocks: dict, notes: list[str],
              ci: float) -> CFAResult:
    x = x[~np.isnan(x).all(axis=1)]
    n, p = x.shape
    if n <= p:
        raise InsufficientDataError(f"fewer rows ({n}) than items ({p}); collect more data.")
    pats = _patterns(x)
    pstats = _fiml_stats(x, pats)
    mu1, s1 = _em_saturated(x, pats)
    _check_pd(s1, "EM-estimated covariance matrix")
    df = p * (p + 1) // 2 - st.q
    if df < 0:
        raise SpecError(f"the model is not identified (df = {df}).")
    par, res = _fiml_fit(st, x, pstats, s1, mu1)
    gmax = float(np.max(np.abs(res.jac)))
    if gmax > 1e-5 or not np.isfinite(res.fun):
        raise ConvergenceError(
            f"FIML CFA did not converge (max |gradient| = {gmax:.2e}); no estimates are returned."
        )
    q = st.q
    theta, mu = par[:q], par[q:]
    sig = st.sigma(theta)
    ll0 = _fiml_loglik(sig, mu, pstats)[0]
    ll1 = _fiml_loglik(s1, mu1, pstats)[0]

    # observed information: Hessian of -ll (analytic gradient, numerical derivative)
    def grad_ll(v: np.ndarray) -> np.ndarray:
        sg = st.sigma(v[:q])
        _, gs, gm = _fiml_loglik(sg, v[q:], pstats, grad=True)
        return np.concatenate([st.grad_from_g(gs, v[:q]), gm])

    h = -_num_jacobian(grad_ll, par)
    h = 0.5 * (h + h.T)
    vcov = _safe_inv(h)
    # baseline: independent normals, per-variable ML mean and variance on observed values
    base_ll = 0.0
    for j in range(p):
        col = x[:, j][~np.isnan(x[:, j])]
        base_ll += -0.5 * col.size * (np.log(2 * np.pi) + np.log(col.var()) + 1)
    chisq = 2 * (ll1 - ll0)
    base = 2 * (ll1 - base_ll)
    npar = q + p
    srmr = _srmr(s1, sig, mean_res=mu1 - mu)
    fit = _fit_measures(chisq, df, base, p * (p - 1) // 2, n, ll0, ll1, npar, srmr)
    return _assemble(st, theta, vcov * 1.0, s1, sig, mu, fit, n, "fiml", "observed",
                     int(res.nit), blocks, notes, ci)


def _cfa_wlsmv(st: _Structure, x: np.ndarray, blocks: dict, notes: list[str],
               ci: float) -> CFAResult:
    """WLSMV fit (ordered items) in the shape of the ML result, thresholds added."""
    out = fit_ordinal(st, x, what="WLSMV CFA")
    m, dw = out["moments"], out["dwls"]
    zc = float(stats.norm.ppf(0.5 + ci / 2))
    res = _assemble(st, out["theta"], out["vcov"], m.corr, out["sigma"], np.zeros(st.p),
                    wlsmv_fit_rows(dw), m.n, "listwise", "robust (sandwich)", dw.n_iter,
                    blocks, notes, ci)
    th = threshold_rows(dw, m, zc)
    params = derived_residuals(res.parameters, list(st.items))
    resid = res.residual_variances.copy()
    resid["se"] = 0.0
    resid[["z", "p_val", "std_se"]] = np.nan
    resid["ci_low"] = resid["ci_high"] = resid["estimate"]
    labels = [f"{a} | {b}" for a, b in zip(th["lhs"], th["rhs"], strict=True)]
    md = out["model"]
    slab = st.labels()
    labels += [" ".join(slab[i]) for i in md.keep]
    thr = th.rename(columns={"lhs": "item", "rhs": "threshold"}).drop(
        columns=["op", "std_estimate", "std_se", "std_ci_low", "std_ci_high", "fixed"])
    return dataclasses.replace(
        res, parameters=pd.concat([params, th], ignore_index=True), residual_variances=resid,
        vcov=pd.DataFrame(dw.vcov, index=labels, columns=labels), estimator="WLSMV",
        thresholds=thr.reset_index(drop=True))


#: Fit indices judged against the rules of thumb, and their keys in a robust/scaled version.
_JUDGED = ("cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high")


def judged_fit(fit: pd.Series) -> tuple[dict[str, float], str]:
    """The CFI, TLI, RMSEA (with its 90% interval) and SRMR to judge a fit by, and which
    version they are (``"standard"``, ``"robust"`` or ``"scaled"``).

    Under ML these are the standard indices. Under WLSMV the unscaled DWLS indices are too
    optimistic to hold against cut-offs (Xia & Yang 2019), so the robust indices of
    Savalei (2021; lavaan ``cfi.robust``, ``rmsea.robust``) are judged, or the scaled ones
    (lavaan ``.scaled``, Mplus' default) where the robust are not defined (NaN). The one
    rule for every summary and the HTML report.

    References
    ----------
    Savalei, V. (2021). Improving fit indices in structural equation modeling with
    categorical data. *Multivariate Behavioral Research* 56, 390-407. Xia, Y. & Yang, Y.
    (2019). RMSEA, CFI, and TLI in structural equation modeling with ordered categorical
    data: the story they tell depends on the estimation methods. *Behavior Research
    Methods* 51, 409-428.
    """
    for version in ("robust", "scaled"):
        keys = {k: (f"{k}_{version}" if not k.startswith("rmsea_ci")
                    else f"rmsea_{version}_{k[6:]}") for k in _JUDGED}
        if all(v in fit.index for v in keys.values()) and np.isfinite(
                float(fit[keys["cfi"]])) and np.isfinite(float(fit[keys["rmsea"]])):
            out = {k: float(fit[v]) for k, v in keys.items()}
            out["srmr"] = float(fit["srmr"])
            return out, version
    return {k: float(fit[k]) for k in (*_JUDGED, "srmr")}, "standard"
