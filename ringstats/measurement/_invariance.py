"""Measurement invariance across groups: the configural -> metric -> scalar -> strict ladder.

A multi-group CFA with a mean structure is fitted by maximum likelihood at each level:

- configural: same pattern of loadings in every group, everything else free;
- metric (weak): loadings equal across groups;
- scalar (strong): loadings and item intercepts equal; latent means free in every group but
  the first (the reference, mean 0);
- strict: loadings, intercepts and residual variances equal.

Per group :math:`\\Sigma_g = \\Lambda_g \\Phi_g \\Lambda_g^\\top + \\Theta_g` and
:math:`\\mu_g = \\nu_g + \\Lambda_g \\alpha_g`; the discrepancy is
:math:`F = \\sum_g \\tfrac{n_g}{N}[\\log|\\Sigma_g| + \\mathrm{tr}((S_g + d_g d_g^\\top)
\\Sigma_g^{-1}) - \\log|S_g| - p]` with :math:`d_g = \\bar x_g - \\mu_g`, and
:math:`\\chi^2 = N F` (lavaan's ``group =`` with ``group.equal =``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._data import checked_frame, model_frame
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_columns,
    check_option,
    check_real,
)
from ..errors import ConvergenceError, InsufficientDataError
from ..spec import RingSpec
from ._cfa._engine import (
    _check_pd,
    _expected_info,
    _fisher_scoring,
    _fit_measures,
    _logdet,
    _safe_inv,
)
from ._cfa._fit import _blocks_from, _check_blocks, _prepare
from ._cfa._model import _Structure
from ._invariance_ordinal import (
    _TEST,
    latent_means_table,
    ordinal_ladder,
)
from ._wls._fit_ord import MAX_AUTO_CATEGORIES, looks_ordinal
from ._wls._groups import PARAMETERIZATIONS

__all__ = ["invariance", "InvarianceResult"]

LEVELS = ("configural", "metric", "scalar", "strict")
_EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
          "strict": ("loadings", "intercepts", "residuals")}
_KIND = {"metric": "loadings", "scalar": "intercepts", "strict": "residuals"}
#: Cut-offs for a change in fit that still supports invariance: CFI drops by at most .010
#: (Cheung & Rensvold 2002) and RMSEA rises by at most .015 (Chen 2007).
DCFI, DRMSEA = -0.010, 0.015


# ----------------------------------------------------------------------------- model
class _MGModel:
    """Parameter bookkeeping of a multi-group CFA with equality constraints."""

    def __init__(self, st: _Structure, n_groups: int, equal: Sequence[str],
                 partial: Sequence[tuple[str, int]]):
        self.st, self.G = st, n_groups
        p, m = st.p, st.m
        keys: dict[tuple, int] = {}
        free_set = set(partial)

        def key(k: tuple) -> int:
            return keys.setdefault(k, len(keys))

        self.idx = []  # per group: dict of index arrays (-1 = fixed)
        marker = set(st.fixed_lambda)
        for g in range(n_groups):
            lam = np.full((p, m), -1)
            for j, k in zip(*np.nonzero(st.pattern), strict=True):
                if (j, k) in marker:
                    continue
                shared = "loadings" in equal and ("loadings", j) not in free_set
                lam[j, k] = key(("lam", j, k) if shared else ("lam", j, k, g))
            phi = np.full((m, m), -1)
            for a in range(m):
                for b in range(a + 1):
                    phi[a, b] = phi[b, a] = key(("phi", a, b, g))
            th = np.array([key(("th", j) if "residuals" in equal and ("residuals", j)
                               not in free_set else ("th", j, g)) for j in range(p)])
            nu = np.array([key(("nu", j) if "intercepts" in equal and ("intercepts", j)
                               not in free_set else ("nu", j, g)) for j in range(p)])
            al = np.full(m, -1)
            if "intercepts" in equal and g > 0:
                al = np.array([key(("al", k, g)) for k in range(m)])
            self.idx.append({"lam": lam, "phi": phi, "th": th, "nu": nu, "al": al})
        self.keys = keys
        self.q = len(keys)
        self.equal, self.partial = tuple(equal), tuple(partial)

    def unpack(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, ...]:
        ix = self.idx[g]
        lam = np.where(ix["lam"] >= 0, theta[np.maximum(ix["lam"], 0)], 0.0)
        for j, k in self.st.fixed_lambda:
            lam[j, k] = 1.0
        phi = theta[ix["phi"]]
        al = np.where(ix["al"] >= 0, theta[np.maximum(ix["al"], 0)], 0.0)
        return lam, phi, theta[ix["th"]], theta[ix["nu"]], al

    def moments(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        lam, phi, th, nu, al = self.unpack(theta, g)
        sig = lam @ phi @ lam.T + np.diag(th)
        return sig, nu + lam @ al

    def dmoments(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """dSigma_g/dtheta (q, p, p) and dmu_g/dtheta (q, p), shared parameters summed."""
        lam, phi, _, _, al = self.unpack(theta, g)
        ix = self.idx[g]
        p, m = lam.shape
        ds = np.zeros((self.q, p, p))
        dm = np.zeros((self.q, p))
        lp = lam @ phi
        j, k = np.nonzero(ix["lam"] >= 0)
        n = ix["lam"][j, k]
        np.add.at(ds, (n, j), lp[:, k].T)
        np.add.at(ds, (n, slice(None), j), lp[:, k].T)
        np.add.at(dm, (n, j), al[k])
        a, b = np.tril_indices(m)
        o = lam[:, a].T[:, :, None] * lam[:, b].T[:, None, :]
        o = np.where((a == b)[:, None, None], o, o + o.transpose(0, 2, 1))
        np.add.at(ds, ix["phi"][a, b], o)
        jj = np.arange(p)
        np.add.at(ds, (ix["th"], jj, jj), 1.0)
        np.add.at(dm, (ix["nu"], jj), 1.0)
        ok = np.flatnonzero(ix["al"] >= 0)
        np.add.at(dm, ix["al"][ok], lam[:, ok].T)
        return ds, dm

    def start_from(self, other: _MGModel, theta: np.ndarray) -> np.ndarray:
        """Start values from another model's estimates (shared <-> per-group keys)."""
        out = np.zeros(self.q)
        for k, i in self.keys.items():
            j = other.keys.get(k)
            if j is None and len(k) == 3 and k[0] in ("nu", "th"):  # per-group from shared
                j = other.keys.get(k[:2])
            if j is None and len(k) == 4:  # per-group loading from shared
                j = other.keys.get(k[:3])
            if j is None and len(k) in (2, 3) and k[0] in ("nu", "th", "lam"):
                j = other.keys.get(k + (0,))  # shared from group 1
            out[i] = theta[j] if j is not None else 0.0
        return out

    def start(self, stats_: list[tuple[int, np.ndarray, np.ndarray]]) -> np.ndarray:
        theta = np.zeros(self.q)
        for g, (_, s, mean) in enumerate(stats_):
            t0 = self.st.start(s)
            lam, phi, psi = self.st.unpack(t0)
            ix = self.idx[g]
            ok = ix["lam"] >= 0
            theta[ix["lam"][ok]] = lam[ok]
            theta[ix["phi"]] = phi
            theta[ix["th"]] = psi
            theta[ix["nu"]] = mean
        return theta

    def label(self, k: tuple) -> str:
        st = self.st
        kind = k[0]
        if kind == "lam":
            return f"{st.factors[k[2]]}=~{st.items[k[1]]}"
        if kind == "nu":
            return f"{st.items[k[1]]}~1"
        if kind == "th":
            return f"{st.items[k[1]]}~~{st.items[k[1]]}"
        if kind == "al":
            return f"{st.factors[k[1]]}~1"
        return f"{st.factors[k[1]]}~~{st.factors[k[2]]}"


def _fit_group_model(mg: _MGModel, gstats: list[tuple[int, np.ndarray, np.ndarray]],
                     start: np.ndarray | None = None) -> dict:
    ntot = sum(n for n, _, _ in gstats)
    p = mg.st.p
    ld_s = [_logdet(s) for _, s, _ in gstats]
    cache: dict[bytes, tuple] = {}
    tri = np.tril_indices(mg.st.m)
    dbl = np.where(tri[0] == tri[1], 1.0, 2.0)

    def fg(theta: np.ndarray) -> tuple[float, np.ndarray, None]:
        key = theta.tobytes()
        if key in cache:
            return cache[key]
        f, grad = 0.0, np.zeros(mg.q)
        for g, (n, s, mean) in enumerate(gstats):
            lam, phi, th, nu, al = mg.unpack(theta, g)
            sig = lam @ phi @ lam.T + np.diag(th)
            try:
                c = np.linalg.cholesky(sig)
            except np.linalg.LinAlgError:
                cache.clear()
                cache[key] = (np.inf, grad, None)
                return cache[key]
            ci = np.linalg.inv(c)
            w = ci.T @ ci
            d = mean - (nu + lam @ al)
            t = s + np.outer(d, d)
            wg = n / ntot
            f += wg * (2.0 * np.log(np.diag(c)).sum() + np.sum(t * w) - ld_s[g] - p)
            gm = w - w @ t @ w
            h = -2.0 * w @ d
            ix = mg.idx[g]
            dlam = 2.0 * gm @ lam @ phi + np.outer(h, al)
            ok = ix["lam"] >= 0
            np.add.at(grad, ix["lam"][ok], wg * dlam[ok])
            lgl = lam.T @ gm @ lam
            np.add.at(grad, ix["phi"][tri], wg * dbl * lgl[tri])
            np.add.at(grad, ix["th"], wg * np.diag(gm))
            np.add.at(grad, ix["nu"], wg * h)
            oka = ix["al"] >= 0
            np.add.at(grad, ix["al"][oka], wg * (lam.T @ h)[oka])
        cache.clear()
        cache[key] = (float(f), grad, None)
        return cache[key]

    def hess(theta: np.ndarray) -> np.ndarray:
        out = np.zeros((mg.q, mg.q))
        for g, (n, _, _) in enumerate(gstats):
            sig, _ = mg.moments(theta, g)
            w = np.linalg.inv(sig)
            ds, dm = mg.dmoments(theta, g)
            out += (n / ntot) * (_expected_info(w, ds) + 2.0 * dm @ w @ dm.T)
        return out

    x0 = mg.start(gstats) if start is None else start
    res = _fisher_scoring(fg, hess, x0, newton=True, max_iter=300)
    gmax = float(np.max(np.abs(res.jac)))
    if not np.isfinite(res.fun) or gmax > 1e-5:
        raise ConvergenceError(f"the multi-group CFA ({', '.join(mg.equal) or 'configural'}) "
                               f"did not converge (max |gradient| = {gmax:.2e}).")
    theta = res.x
    vcov = _safe_inv(0.5 * ntot * hess(theta))
    # fit
    chisq = ntot * float(res.fun)
    G = len(gstats)
    df = G * (p * (p + 1) // 2 + p) - mg.q
    base = sum(n * (np.sum(np.log(np.diag(s))) - _logdet(s)) for n, s, _ in gstats)
    ll1 = sum(-0.5 * n * (p * np.log(2 * np.pi) + _logdet(s) + p) for n, s, _ in gstats)
    srmr_g = []
    for g, (n, s, mean) in enumerate(gstats):
        sig, mu = mg.moments(theta, g)
        sd = np.sqrt(np.diag(s))
        r = ((s - sig) / np.outer(sd, sd))[np.tril_indices(p)]
        vals = np.concatenate([r, (mean - mu) / sd])
        srmr_g.append((n, float(np.sqrt(np.mean(vals ** 2)))))
    srmr = sum(n * v for n, v in srmr_g) / ntot
    fit = _fit_measures(chisq, df, base, G * p * (p - 1) // 2, ntot, ll1 - 0.5 * chisq, ll1,
                        mg.q, srmr)
    for k in ("rmsea", "rmsea_ci_low", "rmsea_ci_high"):
        fit[k] = fit[k] * np.sqrt(G)  # multiple-group RMSEA (Steiger 1998), as lavaan
    return {"theta": theta, "vcov": vcov, "fit": fit, "nit": res.nit}


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class InvarianceResult(ResultMixin):
    """Result of :func:`invariance`.

    Attributes
    ----------
    table : DataFrame
        One row per fitted level (``configural``, ``metric``, ``scalar``, ``strict``, and
        ``partial_*`` when the search freed parameters): ``chisq``, ``df``, ``p_val``,
        ``cfi``, ``tli``, ``rmsea`` (multiple-group RMSEA with its 90% CI), ``srmr``, ``aic``,
        ``bic``, the differences to the previous accepted level (``delta_chisq``,
        ``delta_df``, ``p_delta``, ``delta_cfi``, ``delta_rmsea``), ``freed`` (parameters
        freed across groups, lavaan ``group.partial`` syntax) and ``holds``.
    fits : dict
        Level -> the full fit Series.
    highest : str
        The highest level that holds (``"partial scalar"`` etc. when parameters were freed;
        ``"none"`` when even configural invariance fails to fit).
    freed : tuple of str
        Parameters freed by the partial-invariance search (lavaan syntax, e.g. ``x3~1``).
    latent_means : DataFrame
        Once (partial) scalar invariance holds: latent means of every group against the
        reference (first) group, with SE, z, p, 95% CI and ``d`` (mean difference in
        reference-group SDs). Empty otherwise.
    groups : tuple
    n_per_group : Series
    criterion : str
    warnings : tuple of str
    estimator : str
        ``"ML"`` or ``"WLSMV"``. For WLSMV the table's ``chisq`` is the DWLS statistic,
        ``chisq_scaled`` the scaled-shifted one, ``p_val``, ``cfi``, ``tli`` and ``rmsea`` are
        the *scaled* versions (lavaan's ``*.scaled``; the RMSEA interval is the scaled
        one's), ``srmr`` lavaan's SRMR on the polychoric correlations,
        ``delta_chisq``/``p_delta`` Satorra's (2000) scaled-shifted difference test, and
        ``aic``, ``bic`` are not defined (NaN). ``fits`` holds everything the DWLS core
        reports (standard, scaled and, for the configural model, robust indices).
    test : str
        The difference test used between levels.
    parameterization : str or None
        ``"delta"`` or ``"theta"`` for WLSMV (None for ML).
    """

    table: pd.DataFrame
    fits: dict[str, pd.Series]
    highest: str
    freed: tuple[str, ...]
    latent_means: pd.DataFrame
    groups: tuple
    n_per_group: pd.Series
    criterion: str
    warnings: tuple[str, ...] = field(default=())
    estimator: str = "ML"
    test: str = "chi-square difference (likelihood ratio)"
    parameterization: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> Summary:
        s = Summary(f"Measurement invariance across {len(self.groups)} groups "
                    f"({self.estimator}, n = {int(self.n_per_group.sum())}): highest level = "
                    f"{self.highest}")
        cols = (["chisq", "chisq_scaled", "df", "cfi", "rmsea"] if self.estimator == "WLSMV"
                else ["chisq", "df", "cfi", "rmsea", "srmr"])
        cols += ["delta_chisq", "delta_df", "p_delta", "delta_cfi", "delta_rmsea", "freed",
                 "holds"]
        s.add_table(self.table[cols], "Invariance ladder")
        s.add_table(self.n_per_group.to_frame("n"), "Group sizes")
        if len(self.latent_means):
            s.add_table(self.latent_means, "Latent mean differences (reference: "
                        f"{self.groups[0]})")
        if self.estimator == "WLSMV":
            s.add_note(f"Ordered items: DWLS on thresholds and polychoric correlations with "
                       f"robust SEs and the scaled-shifted test (WLSMV), Wu & Estabrook (2016) "
                       f"identification, {self.parameterization} parameterisation; CFI and "
                       f"RMSEA are the scaled indices; difference test: {self.test}.")
        s.add_note("A level holds when " + (
            "the chi-square difference test is not significant (p >= .05)."
            if self.criterion == "chisq" else
            "CFI drops by no more than .010 (Cheung & Rensvold 2002) and RMSEA rises by no "
            "more than .015 (Chen 2007) relative to the previous level; the chi-square "
            "difference test is shown but is sensitive to sample size."))
        for w in self.warnings:
            s.add_note(w)
        return s


# ----------------------------------------------------------------------------- public API
def invariance(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    group: str,
    partial: bool = True,
    criterion: str = "fit",
    max_free: int | None = None,
    alpha: float = 0.05,
    estimator: str = "auto",
    parameterization: str = "delta",
) -> InvarianceResult:
    """Test measurement invariance of the spec's constructs across the levels of ``group``.

    Parameters
    ----------
    data : DataFrame
        Item responses and the grouping column (validate with ``spec.validate`` first).
        Rows with a missing item or group are dropped (listwise, per group).
    spec : RingSpec or dict
        The measurement model, as in :func:`cfa`.
    group : str
        Column holding the groups (e.g. a segment); groups in order of first appearance, the
        first is the reference for latent means.
    partial : bool
        When a level fails, free the constrained parameter of that level whose release
        lowers chi-square most (one item at a time, refitting each candidate), until the
        level holds or ``max_free`` parameters are freed (partial invariance; Byrne,
        Shavelson & Muthén 1989). The next level builds on the partial model.
    criterion : {"fit", "chisq"}
        When a level holds: ``"fit"`` (default) uses ΔCFI ≥ -.010 and ΔRMSEA ≤ .015;
        ``"chisq"`` the chi-square difference test at ``alpha``.
    max_free : int, optional
        Largest number of parameters freed per level (default: half the items).
    alpha : float
        Level of the chi-square difference tests.
    estimator : {"auto", "ML", "WLSMV"}
        ``"ML"``: normal-theory maximum likelihood on covariances and means. ``"WLSMV"``:
        the items are ordered categories; the ladder of Wu & Estabrook (2016)
        (configural -> thresholds -> metric -> scalar -> strict) on thresholds and
        polychoric correlations, DWLS with robust standard errors and the scaled-shifted
        test, Satorra's (2000) scaled-shifted difference test and the scaled CFI/RMSEA.
        ``"auto"`` (default) picks WLSMV when every item holds integers with at most 5
        distinct values (the rule of :func:`cfa`) and says so in ``warnings``.
    parameterization : {"delta", "theta"}
        WLSMV only: scale of the latent responses (lavaan's ``parameterization``). The
        strict level is always fitted in the theta parameterisation.

    Returns
    -------
    InvarianceResult
        The ladder with Δχ², ΔCFI and ΔRMSEA, the highest level that holds, freed
        parameters and latent mean differences once (partial) scalar invariance holds.

    Notes
    -----
    Maximum likelihood on each group's covariance matrix and means (complete rows), with
    marker identification (first loading 1) and, from the scalar level on, latent means free
    in every group but the first. Chi-square, df, CFI, TLI, the multiple-group RMSEA
    (times :math:`\\sqrt{G}`, Steiger 1998) and SRMR follow lavaan 0.6; the ladder matches
    ``lavaan::cfa(group =, group.equal =)`` and semTools' ``measEq.syntax`` on
    Holzinger-Swineford by school, including the partial scalar model of the lavaan
    tutorial (intercepts of x3 and x7 free; tests/reference/invariance).

    WLSMV follows ``lavaan::cfa(ordered =, estimator = "WLSMV", group =)`` on the syntax of
    ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")``: factor
    variances 1 and intercepts 0 in every group until thresholds and loadings are equal,
    then free in the other groups; intercepts and scale factors free in the other groups
    once thresholds are equal, intercepts 0 again at the scalar level, where the latent
    means are freed. The partial search frees the thresholds, loading, intercept or
    residual variance of one item at a time (the item's thresholds all together). lavaan's
    chi-square, scaled chi-square, scaled CFI/RMSEA, ``lavTestLRT`` differences, estimates
    and robust SEs are reproduced to about 1e-5 on psych's bfi by gender
    (tests/reference/invariance/ordinal_ladder.R). Items need at least 3 categories, each
    observed in every group.

    References
    ----------
    Cheung, G. W. and Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. *Structural Equation Modeling* 9, 233-255. Chen, F. F. (2007).
    Sensitivity of goodness of fit indexes to lack of measurement invariance. *Structural
    Equation Modeling* 14, 464-504. Byrne, B. M., Shavelson, R. J. and Muthén, B. (1989).
    Testing for the equivalence of factor covariance and mean structures. *Psychological
    Bulletin* 105, 456-466. Meredith, W. (1993). Measurement invariance, factor analysis and
    factorial invariance. *Psychometrika* 58, 525-543. Wu, H. and Estabrook, R. (2016).
    Identification of confirmatory factor analysis models of different levels of invariance
    for ordered categorical outcomes. *Psychometrika* 81, 1014-1045. Satorra, A. (2000).
    Scaled and adjusted restricted tests in multi-sample analysis of moment structures. In
    *Innovations in Multivariate Statistical Analysis*, 233-247. Kluwer.

    Examples
    --------
    >>> import pandas as pd
    >>> from ringstats import datasets
    >>> hs = datasets.load("holzinger").data
    >>> res = invariance(hs, spec={"visual": ["x1", "x2", "x3"],
    ...                            "textual": ["x4", "x5", "x6"],
    ...                            "speed": ["x7", "x8", "x9"]}, group="school")
    >>> res.freed
    ('x3~1', 'x7~1')
    """
    data = checked_frame(data)
    blocks = _blocks_from(spec)
    notes = _check_blocks(blocks)
    check_option(criterion, "criterion", ("fit", "chisq"))
    check_option(estimator, "estimator", ("auto", "ML", "WLSMV"))
    check_option(parameterization, "parameterization", PARAMETERIZATIONS)
    check_real(alpha, "alpha", min_value=0, max_value=1)
    check_columns(data, group, "group")
    st = _Structure.build(blocks, False)
    items = check_columns(data, list(st.items), "spec")
    x = _prepare(model_frame(data, spec, items), items)
    gcol = data[group].to_numpy()
    ok = ~np.isnan(x).any(axis=1) & pd.notna(gcol)
    labels = tuple(pd.unique(gcol[ok]))
    if len(labels) < 2:
        raise InsufficientDataError(f"`group` column `{group}` has {len(labels)} group(s) with "
                                    "complete data; invariance needs at least 2.")
    if estimator == "auto":
        estimator = "WLSMV" if looks_ordinal(x[ok]) else "ML"
        if estimator == "WLSMV":
            notes.append(f"estimator='auto': every item has at most {MAX_AUTO_CATEGORIES} "
                         "categories, so the items are treated as ordinal (WLSMV); pass "
                         "estimator='ML' for the normal-theory ladder.")
    if estimator == "WLSMV":
        fo = [int(np.flatnonzero(st.pattern[j])[0]) for j in range(st.p)]
        out = ordinal_ladder(x[ok], gcol[ok], items=st.items, factors=st.factors,
                             factor_of=fo, group=group, partial=partial, criterion=criterion,
                             max_free=max_free, alpha=alpha,
                             parameterization=parameterization, dcfi=DCFI, drmsea=DRMSEA)
        return InvarianceResult(
            table=out["table"], fits=out["fits"], highest=out["highest"],
            freed=out["freed"], latent_means=out["latent_means"], groups=out["groups"],
            n_per_group=out["n_per_group"], criterion=criterion,
            warnings=tuple(notes) + tuple(out["notes"]), estimator="WLSMV", test=_TEST,
            parameterization=parameterization)
    gstats = []
    for lab in labels:
        xg = x[ok & (gcol == lab)]
        if xg.shape[0] <= st.p:
            raise InsufficientDataError(
                f"group {lab!r} of `{group}` has {xg.shape[0]} complete rows for {st.p} items; "
                "each group needs more rows than items. Merge small groups.")
        s = np.cov(xg, rowvar=False, ddof=0)
        _check_pd(s, f"covariance matrix of group {lab!r}")
        gstats.append((xg.shape[0], s, xg.mean(axis=0)))
    max_free = st.p // 2 if max_free is None else max_free

    def fit(level: str, freed: list[tuple[str, int]], warm: tuple | None = None):
        mg = _MGModel(st, len(labels), _EQUAL[level], freed)
        start = mg.start_from(warm[0], warm[1]["theta"]) if warm is not None else None
        return mg, _fit_group_model(mg, gstats, start)

    def holds(new: pd.Series, old: pd.Series) -> bool:
        if criterion == "chisq":
            ddf = new["df"] - old["df"]
            return bool(ddf <= 0 or stats.chi2.sf(new["chisq"] - old["chisq"], ddf) >= alpha)
        return bool(new["cfi"] - old["cfi"] >= DCFI and new["rmsea"] - old["rmsea"] <= DRMSEA)

    rows, fits = [], {}
    freed: list[tuple[str, int]] = []
    mg0, prev = fit("configural", [])
    fits["configural"] = prev["fit"]
    rows.append(_row("configural", prev["fit"], None, [], mg0, True))
    highest = "configural"
    accepted, acc_mg = prev, mg0
    broke = False
    for level in LEVELS[1:]:
        mg, cur = fit(level, freed, (acc_mg, accepted))
        name = f"partial {level}" if freed else level
        fits[name] = cur["fit"]
        ok_level = holds(cur["fit"], accepted["fit"])
        rows.append(_row(name, cur["fit"], accepted["fit"], freed, mg, ok_level))
        kind = _KIND[level]
        n_new = 0
        while not ok_level and partial and n_new < max_free and not broke:
            cands = [j for j in range(st.p) if (kind, j) not in freed
                     and not (kind == "loadings" and (j, int(np.flatnonzero(st.pattern[j])[0]))
                              in st.fixed_lambda)]
            best = None
            for j in cands:
                try:
                    mgj, fj = fit(level, freed + [(kind, j)], (mg, cur))
                except ConvergenceError:
                    continue
                if best is None or fj["fit"]["chisq"] < best[2]["fit"]["chisq"]:
                    best = (j, mgj, fj)
            if best is None:
                break
            freed.append((kind, best[0]))
            n_new += 1
            mg, cur = best[1], best[2]
            ok_level = holds(cur["fit"], accepted["fit"])
            name = f"partial {level} ({len(freed)} freed)"
            fits[name] = cur["fit"]
            rows.append(_row(name, cur["fit"], accepted["fit"], freed, mg, ok_level))
        if ok_level and not broke:
            highest = f"partial {level}" if freed else level
            accepted, acc_mg = cur, mg
        else:
            broke = True
    table = pd.DataFrame(rows).set_index("level")
    lm = pd.DataFrame()
    if "scalar" in highest or "strict" in highest:
        lm = _latent_means(acc_mg, accepted, labels)
    return InvarianceResult(
        table=table, fits=fits, highest=highest, freed=tuple(_fmt(st, f) for f in freed),
        latent_means=lm, groups=labels,
        n_per_group=pd.Series([n for n, _, _ in gstats], index=list(labels), name="n"),
        criterion=criterion, warnings=tuple(notes))


def _fmt(st: _Structure, f: tuple[str, int]) -> str:
    kind, j = f
    if kind == "loadings":
        k = int(np.flatnonzero(st.pattern[j])[0])
        return f"{st.factors[k]}=~{st.items[j]}"
    return f"{st.items[j]}~1" if kind == "intercepts" else f"{st.items[j]}~~{st.items[j]}"


def _row(level: str, fit: pd.Series, ref: pd.Series | None, freed: list, mg: _MGModel,
         holds: bool) -> dict:
    out = {"level": level}
    for k in ("chisq", "df", "p_val", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high",
              "srmr", "aic", "bic"):
        out[k] = float(fit[k])
    if ref is None:
        out.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan, delta_cfi=np.nan,
                   delta_rmsea=np.nan)
    else:
        dch, ddf = fit["chisq"] - ref["chisq"], fit["df"] - ref["df"]
        out.update(delta_chisq=float(dch), delta_df=float(ddf),
                   p_delta=float(stats.chi2.sf(dch, ddf)) if ddf > 0 else np.nan,
                   delta_cfi=float(fit["cfi"] - ref["cfi"]),
                   delta_rmsea=float(fit["rmsea"] - ref["rmsea"]))
    out["freed"] = ", ".join(_fmt(mg.st, f) for f in freed) if freed else ""
    out["holds"] = bool(holds)
    return out


def _latent_means(mg: _MGModel, res: dict, labels: tuple) -> pd.DataFrame:
    theta = res["theta"]
    _, phi0, _, _, _ = mg.unpack(theta, 0)
    return latent_means_table(theta, res["vcov"], [mg.idx[g]["al"] for g in range(1, mg.G)],
                              mg.st.factors, labels, np.diag(phi0))
