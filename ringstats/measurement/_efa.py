"""Exploratory factor analysis, parallel analysis, KMO and Bartlett's test.

Extraction (minres, ML, principal components) is ringstats' own and follows ``psych::fa``
step by step (:mod:`._extract`); the rotations are factor-analyzer's ``Rotator``. ringstats
restores item and factor names, applies one sign and order convention (factor correlations
permuted together with the loadings), turns optimiser failures into
:class:`~ringstats.errors.ConvergenceError` and adds psych's fit statistics. The
correlation matrix is computed here (Pearson pairwise/listwise or polychoric).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._data import item_data
from .._kernels import linalg
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.linalg import cor_smooth
from .._kernels.progress import progress_iter
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_seed,
    renamed,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec
from . import _extract

__all__: list[str] = []

_METHODS = ("minres", "ml", "principal")
_ROTATIONS = ("oblimin", "promax", "varimax", "geomin", None)
_OBLIQUE = ("oblimin", "promax", "geomin")
_CORRELATIONS = ("pearson", "polychoric")
_NAN_POLICIES = ("pairwise", "listwise")
_PA_METHODS = ("pca", "fa")


# ----------------------------------------------------------------------------- helpers
def _select_items(data: pd.DataFrame, items: Sequence[str] | None,
                  spec: RingSpec | Mapping[str, Sequence[str]] | None
                  ) -> tuple[pd.DataFrame, list[str]]:
    """Item columns from ``items``, else from ``spec``, else every numeric column of ``data``,
    checked and cleaned through the one data path (:func:`ringstats._design.item_data`)."""
    frame, cols = item_data(data, items=items, spec=spec)
    if len(cols) < 3:
        raise InsufficientDataError(
            f"factor analysis needs at least 3 items; got {len(cols)} ({', '.join(map(str, cols))})."
        )
    return frame, cols


def _check_variance(a: np.ndarray, cols: Sequence[Any]) -> None:
    """Every item varies (at least two distinct answers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        var = np.nanvar(a, axis=0, ddof=1)
    bad = [str(c) for c, v in zip(cols, var, strict=True) if not np.isfinite(v) or v == 0]
    if bad:
        raise InsufficientDataError(
            f"item(s) with zero variance (constant or all missing): {', '.join(bad)}; "
            "a correlation matrix cannot be formed. Drop them from `items`/`spec`."
        )


def _polychoric_matrix(x: pd.DataFrame) -> np.ndarray:
    """Polychoric correlation matrix from ``ringstats._correlation.polychoric``."""
    from . import _correlation

    res: Any = _correlation.polychoric(x, items=list(x.columns))
    for attr in ("rho", "correlation", "corr", "matrix"):
        if hasattr(res, attr) and not callable(getattr(res, attr)):
            res = getattr(res, attr)
            break
    r = np.asarray(res, dtype=float)
    if r.shape != (x.shape[1], x.shape[1]):
        raise RingstatsError(f"polychoric() returned a {r.shape} matrix for {x.shape[1]} items.")
    return r


def _smooth(r: np.ndarray) -> tuple[np.ndarray, bool]:
    """Make a correlation matrix positive definite by eigenvalue flooring (psych
    ``cor.smooth`` through :func:`ringstats._kernels.linalg.cor_smooth`), only when needed."""
    if np.linalg.eigvalsh(r).min() > 1e-8:
        return r, False
    eps = 100 * np.finfo(float).eps
    return cor_smooth(r, below=eps, floor=eps), True


def _correlate(x: pd.DataFrame, correlation: str, nan_policy: str
               ) -> tuple[np.ndarray, int, list[str]]:
    """Correlation matrix, the n used for test statistics, and notes."""
    notes: list[str] = []
    a = x.to_numpy(dtype=float)
    obs = ~np.isnan(a)
    rows = obs.all(axis=1) if nan_policy == "listwise" else obs.any(axis=1)
    if not rows.all():
        a, obs = a[rows], obs[rows]
    # psych convention: n.obs = number of rows (with pairwise correlations, rows with an answer)
    n, p = a.shape
    if n <= p:
        raise InsufficientDataError(
            f"fewer rows ({n}) than items ({p}); factor analysis needs more "
            f"{'complete ' if nan_policy == 'listwise' else ''}rows than items."
        )
    _check_variance(a, x.columns)
    if correlation == "pearson":
        m = obs.astype(float)
        z = np.where(obs, a - np.nanmean(a, axis=0), 0.0)
        r = linalg.pairwise_corr(z, m)
        r.flat[:: p + 1] = 1.0
    else:
        r = _polychoric_matrix(x.loc[rows])
    if not np.all(np.isfinite(r)):
        raise InsufficientDataError(
            "the correlation matrix has undefined entries (an item pair without joint answers)."
        )
    r, smoothed = _smooth(r)
    if smoothed:
        msg = ("the correlation matrix was not positive definite and was smoothed "
               "(eigenvalues floored, as psych::cor.smooth).")
        warnings.warn(msg, RingstatsWarning, stacklevel=3)
        notes.append(msg)
    return r, n, notes


def _max_factors(p: int, method: str) -> int:
    """Largest k with non-negative model degrees of freedom ((p-k)^2 - (p+k)) / 2 >= 0."""
    if method == "principal":
        return p
    k = 0
    while k + 1 < p and (p - (k + 1)) ** 2 - (p + k + 1) >= 0:
        k += 1
    return max(k, 1)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ParallelResult(ResultMixin):
    """Result of :func:`parallel_analysis`.

    Attributes
    ----------
    eigenvalues : DataFrame
        One row per component/factor (index 1..p): ``observed``, ``random_mean``,
        ``random_quantile`` (the ``quantile`` of the random eigenvalues) and ``retain``.
    n_factors : int
        Suggested number of factors: the number of leading observed eigenvalues that exceed
        the random quantile (counting stops at the first one that does not).
    method, correlation : str
        ``"pca"`` (eigenvalues of R) or ``"fa"`` (eigenvalues of R with squared multiple
        correlations on the diagonal); the correlation type.
    quantile : float
    n_iter, n_obs : int
    """

    eigenvalues: pd.DataFrame
    n_factors: int
    method: str
    correlation: str
    quantile: float
    n_iter: int
    n_obs: int

    def summary(self) -> Summary:
        s = Summary(f"Parallel analysis ({self.method}, {self.correlation} correlations, "
                    f"n = {self.n_obs}, {self.n_iter} random data sets)")
        s.add_table(self.eigenvalues.head(min(len(self.eigenvalues), 10)), "Eigenvalues")
        s.add_note(f"Suggested number of factors: {self.n_factors} (observed eigenvalue above "
                   f"the {self.quantile:.0%} quantile of the random eigenvalues; Horn 1965, "
                   "Glorfeld 1995).")
        return s


@dataclass(frozen=True)
class EFAResult(ResultMixin):
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings, items x factors (``F1``..``Fk``).
    structure : DataFrame
        Structure matrix (item-factor correlations, loadings @ factor_correlations).
    communalities, uniquenesses : Series
        :math:`h^2 = \\mathrm{diag}(\\Lambda\\Phi\\Lambda')` and :math:`1 - h^2`.
    factor_correlations : DataFrame
        Factor correlation matrix (identity for orthogonal rotations or none).
    variance : DataFrame
        One row per factor: ``ss_loadings``, ``proportion``, ``cumulative``.
    fit : Series
        psych-style fit statistics: ``objective``, ``chisq`` (Bartlett-corrected likelihood
        chi-square), ``df``, ``p_val``, ``tli``, ``rmsea`` with ``rmsea_ci_low`` /
        ``rmsea_ci_high`` (90%), ``bic``, ``rmsr`` (root mean square off-diagonal residual).
    n_factors : int
    method, rotation, correlation, nan_policy : str
    n_obs : int
    corr : DataFrame
        The correlation matrix analysed.
    parallel : ParallelResult or None
        The parallel analysis that chose ``n_factors`` (when it was not given).
    heywood : tuple of str
        Items with a communality of 0.995 or more (Heywood or near-Heywood cases).
    notes : tuple of str
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    factor_correlations: pd.DataFrame
    variance: pd.DataFrame
    fit: pd.Series
    n_factors: int
    method: str
    rotation: str | None
    correlation: str
    nan_policy: str
    n_obs: int
    corr: pd.DataFrame
    parallel: ParallelResult | None
    heywood: tuple[str, ...]
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        s = Summary(f"Exploratory factor analysis ({self.method}, rotation: {self.rotation}, "
                    f"{self.n_factors} factor{'s' if self.n_factors != 1 else ''}, "
                    f"n = {self.n_obs})")
        tab = self.loadings.copy()
        tab["h2"] = self.communalities
        tab["u2"] = self.uniquenesses
        s.add_table(tab, "Pattern loadings")
        s.add_table(self.variance, "Variance accounted for")
        f = self.fit
        if np.isfinite(f["chisq"]):
            s.add_dict({
                "chi-square": f"{f['chisq']:.2f} on {int(f['df'])} df, p = {f['p_val']:.3g}",
                "TLI": float(f["tli"]),
                "RMSEA [90% CI]": (f"{f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, "
                                   f"{f['rmsea_ci_high']:.3f}]"),
                "BIC": float(f["bic"]),
                "RMSR": float(f["rmsr"]),
            }, "Fit (psych::fa statistics)")
        if self.rotation in _OBLIQUE:
            s.add_table(self.factor_correlations, "Factor correlations")
        s.add_note("Sign convention: each factor's loadings sum to a positive number; factors "
                   "are ordered by variance explained (psych::fa convention).")
        if self.parallel is not None:
            s.add_note(f"Number of factors chosen by parallel analysis: {self.n_factors}.")
        if self.heywood:
            s.add_note("Heywood or near-Heywood case (communality >= 0.995): "
                       + ", ".join(self.heywood))
        for note in self.notes:
            s.add_note(note)
        return s


@dataclass(frozen=True)
class KMOResult(ResultMixin):
    """Kaiser-Meyer-Olkin measure of sampling adequacy: ``overall`` and ``per_item`` (MSA)."""

    overall: float
    per_item: pd.Series
    n_obs: int

    def summary(self) -> Summary:
        s = Summary(f"Kaiser-Meyer-Olkin sampling adequacy (overall MSA = {self.overall:.3f})")
        s.add_table(self.per_item.rename("msa").to_frame(), "MSA per item")
        s.add_note("Kaiser (1974): >= .80 meritorious, .70s middling, .60s mediocre, "
                   ".50s miserable, < .50 unacceptable.")
        return s


@dataclass(frozen=True)
class BartlettResult(ResultMixin):
    """Bartlett's test of sphericity (H0: the correlation matrix is an identity)."""

    chisq: float
    df: int
    p_val: float
    n: int

    def summary(self) -> Summary:
        s = Summary("Bartlett's test of sphericity")
        s.add_dict({"chi-square": self.chisq, "df": self.df, "p_val": f"{self.p_val:.3g}",
                    "n": self.n})
        return s


# ----------------------------------------------------------------------------- parallel
def _reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrices (batched, ... x p x p) with SMCs on the diagonal."""
    inv = np.linalg.inv(r)
    smc = 1.0 - 1.0 / np.diagonal(inv, axis1=-2, axis2=-1)
    out = r.copy()
    idx = np.arange(r.shape[-1])
    out[..., idx, idx] = smc
    return out


def _eig_desc(r: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(r)[..., ::-1]


@renamed(n_iter="n_sim")
def parallel_analysis(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    n_sim: int = 100,
    quantile: float = 0.95,
    correlation: str = "pearson",
    method: str = "pca",
    nan_policy: str = "pairwise",
    seed: int | None = None,
    progress: bool | None = None,
) -> ParallelResult:
    """Horn's parallel analysis: how many factors rise above chance?

    Parameters
    ----------
    data : DataFrame
        Item responses (cleaned with ``spec.validate``).
    items, spec : list of str or RingSpec/dict, optional
        The items to analyse (default: every column of ``data``).
    n_sim : int
        Number of random data sets (default 100). Formerly ``n_iter=`` (deprecated alias).
    quantile : float
        Quantile of the random eigenvalues an observed eigenvalue must exceed (default 0.95,
        Glorfeld 1995; psych's ``fa.parallel`` compares with the mean).
    correlation : {"pearson", "polychoric"}
        For ``"pearson"`` the random data are standard normal with the same n and number of
        items; for ``"polychoric"`` each item column is permuted independently (keeping its
        categories) and the polychoric matrix recomputed, as psych does for ``cor="poly"``.
    method : {"pca", "fa"}
        Eigenvalues of the correlation matrix (``"pca"``, Horn 1965) or of the reduced
        matrix with squared multiple correlations on the diagonal (``"fa"``, Humphreys &
        Ilgen 1969).
    nan_policy : {"pairwise", "listwise"}
    seed : int, optional
    progress : bool, optional
        Progress bar (None: automatic; only shown for the slow polychoric variant).

    Returns
    -------
    ParallelResult

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    *Psychometrika* 30, 179-185. Glorfeld, L. W. (1995). An improvement on Horn's parallel
    analysis methodology. *Educ. Psychol. Meas.* 55, 377-393. Mirrors ``psych::fa.parallel``.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> pa = parallel_analysis(d, items=["prod1", "prod2", "seen1", "seen2", "seen3"], seed=1)
    >>> pa.n_factors >= 1
    True
    """
    data, cols = _select_items(data, items, spec)
    n_iter = check_int(n_sim, "n_sim", min_value=1)
    check_probability(quantile, "quantile")
    check_option(correlation, "correlation", _CORRELATIONS)
    check_option(method, "method", _PA_METHODS)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_seed(seed)
    x = data[cols].astype(float)
    r, n, _ = _correlate(x, correlation, nan_policy)
    return _parallel_from(x, r, n, n_iter=n_iter, quantile=quantile, correlation=correlation,
                          method=method, nan_policy=nan_policy, seed=seed, progress=progress)


def _parallel_from(x: pd.DataFrame, r: np.ndarray, n: int, *, n_iter: int, quantile: float,
                   correlation: str, method: str, nan_policy: str, seed: int | None,
                   progress: bool | None) -> ParallelResult:
    p = r.shape[0]
    rng = np.random.default_rng(seed)
    observed = _eig_desc(_reduced(r) if method == "fa" else r)
    rand = np.empty((n_iter, p))
    if correlation == "pearson":
        # vectorised: simulate a chunk of data sets, batch correlation + batch eigvalsh
        chunk = max(1, min(n_iter, int(4e6 // max(n * p, 1))))
        done = 0
        while done < n_iter:
            b = min(chunk, n_iter - done)
            z = rng.standard_normal((b, n, p))
            z -= z.mean(axis=1, keepdims=True)
            z /= np.sqrt((z ** 2).sum(axis=1, keepdims=True))
            rr = np.einsum("bni,bnj->bij", z, z)
            rand[done:done + b] = _eig_desc(_reduced(rr) if method == "fa" else rr)
            done += b
    else:
        xx = x.dropna() if nan_policy == "listwise" else x.dropna(how="all")
        vals = xx.to_numpy()
        mats = []
        for _ in progress_iter(range(n_iter), total=n_iter, desc="parallel analysis",
                               enabled=progress):
            perm = np.column_stack([rng.permutation(vals[:, j]) for j in range(p)])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RingstatsWarning)
                rr, _ = _smooth(_polychoric_matrix(pd.DataFrame(perm, columns=xx.columns)))
            mats.append(rr)
        rr = np.stack(mats)
        rand = _eig_desc(_reduced(rr) if method == "fa" else rr)
    q = np.quantile(rand, quantile, axis=0)
    above = observed > q
    k = int(np.argmin(above)) if not above.all() else p
    tab = pd.DataFrame({
        "observed": observed, "random_mean": rand.mean(axis=0), "random_quantile": q,
        "retain": np.arange(p) < k,
    }, index=pd.RangeIndex(1, p + 1, name="factor"))
    return ParallelResult(tab, max(k, 0), method, correlation, float(quantile), int(n_iter), n)


# ----------------------------------------------------------------------------- EFA
def efa(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    n_factors: int | None = None,
    method: str = "minres",
    rotation: str | None = "oblimin",
    correlation: str = "pearson",
    nan_policy: str = "pairwise",
    seed: int | None = None,
) -> EFAResult:
    """Exploratory factor analysis with labelled, sign-fixed, ordered output.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per respondent (clean with ``spec.validate`` first).
    items, spec : list of str or RingSpec/dict, optional
        Items to analyse (default: every column of ``data``); a spec contributes all its
        construct items (the construct assignment is not used by the EFA).
    n_factors : int, optional
        Number of factors; if None, chosen by :func:`parallel_analysis` (Horn's
        ``method="pca"``, 100 random data sets, 95% quantile, seeded with ``seed``; the
        SMC-reduced ``"fa"`` variant tends to over-extract, e.g. 8 factors on bfi where
        psych's ``fa.parallel`` and the PCA variant suggest 6).
    method : {"minres", "ml", "principal"}
        Minimum residual (psych ``fm="minres"``: L-BFGS-B on the uniquenesses with psych's
        gradient, start and scaling) or maximum likelihood (``fm="ml"``, ``factanal``'s
        objective and gradient), both ringstats' own on SciPy's optimiser; ``"principal"``
        gives principal-component loadings (eigenvectors of R scaled by the root
        eigenvalues), which is *not* psych's iterated principal-axis ``fm="pa"``.
    rotation : {"oblimin", "promax", "varimax", "geomin", None}
        ``"geomin"`` is oblique geomin (factor-analyzer ``geomin_obl``, delta = 0.01, the Mplus
        default). Oblimin is direct quartimin (gamma = 0, GPArotation's default).
    correlation : {"pearson", "polychoric"}
        Polychoric correlations (for ordinal items) come from
        ``ringstats._correlation.polychoric``.
    nan_policy : {"pairwise", "listwise"}
        Pairwise correlations (psych's default) or complete rows only.
    seed : int, optional
        Seed of the parallel analysis used when ``n_factors`` is None.

    Returns
    -------
    EFAResult

    Raises
    ------
    InsufficientDataError
        Constant items, fewer rows than items.
    RingstatsError
        ``n_factors`` larger than the data can identify, unknown options.
    ConvergenceError
        If the extraction fails to converge.

    Notes
    -----
    Sign and order convention (psych ``fa``): each factor is reflected so its loadings sum
    to a positive number, and factors are ordered by the variance they account for,
    :math:`\\mathrm{diag}(\\Phi\\Lambda'\\Lambda)` (column sums of squared loadings for
    orthogonal solutions). Communalities are :math:`\\mathrm{diag}(\\Lambda\\Phi\\Lambda')`,
    which under oblique rotation differs from factor-analyzer's ``get_communalities()``.
    Fit statistics follow psych's ``fa.stats``: the ML discrepancy of the correlation matrix
    implied by the solution (diagonal set to 1), :math:`\\chi^2 = F\\,(n - 1 - (2p+5)/6 - 2k/3)`
    on :math:`p(p-1)/2 - pk + k(k-1)/2` df, TLI against the independence model, RMSEA
    :math:`\\sqrt{\\max((\\chi^2/df - 1)/(n-1), 0)}`, BIC :math:`\\chi^2 - df\\log n`.
    The RMSEA interval solves for the noncentrality parameter with Brent's method on the
    noncentral chi-square CDF (Browne & Cudeck 1993). Matches
    ``psych::fa(bfi[1:25], nfactors=5, fm="minres", rotate="oblimin")`` (and ``fm="ml"``) to
    1e-4 in the loadings and 1e-3 in the fit statistics (tests); factor-analyzer's own
    extraction is a cross-check in the tests.

    References
    ----------
    Harman, H. H. & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
    *Psychometrika* 31, 351-368. Jennrich, R. I. & Sampson, P. F. (1966). Rotation for simple
    loadings. *Psychometrika* 31, 313-323. Revelle, W. psych: ``fa()``.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = efa(d, items=["prod1", "prod2", "prod3", "seen1", "seen2", "seen3"], n_factors=2)
    >>> res.loadings.shape
    (6, 2)
    """
    if is_moments(data):
        return dispatch("efa", data, items=items, spec=spec, n_factors=n_factors, method=method,
                        rotation=rotation, correlation=correlation, nan_policy=nan_policy,
                        seed=seed)
    data, cols = _select_items(data, items, spec)
    check_option(method, "method", _METHODS)
    check_option(rotation, "rotation", _ROTATIONS)
    check_option(correlation, "correlation", _CORRELATIONS)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_seed(seed)
    p = len(cols)
    kmax = _max_factors(p, method)
    if n_factors is not None:
        check_int(n_factors, "n_factors", min_value=1)
        if n_factors > kmax:
            raise RingstatsError(
                f"`n_factors` must be at most {kmax} for {p} items with method={method!r} "
                f"(the model needs non-negative degrees of freedom); got {n_factors}."
            )
    x = data[cols].astype(float)
    with linalg.single_thread_blas():
        r, n, notes = _correlate(x, correlation, nan_policy)
    pa = None
    k = n_factors
    if k is None:
        pa = _parallel_from(x, r, n, n_iter=100, quantile=0.95, correlation=correlation,
                            method="pca", nan_policy=nan_policy, seed=seed, progress=None)
        k = min(max(pa.n_factors, 1), kmax)
    return _efa_from_corr(r, n, notes, cols, k, method=method, rotation=rotation,
                          correlation=correlation, nan_policy=nan_policy, pa=pa)


def _efa_from_corr(r: np.ndarray, n: int, notes: list[str], cols: list[str], k: int, *,
                   method: str, rotation: str, correlation: str, nan_policy: str,
                   pa: Any) -> EFAResult:
    """Extraction, rotation and fit from a correlation matrix (shared with the
    survey-moments path)."""
    p = len(cols)
    with linalg.single_thread_blas():
        lam, phi = _extract.rotate(_extract.extract(r, k, method), rotation)
    # order by variance explained (psych), then reflect to positive column sums
    ss = np.einsum("ij,jk,ik->k", lam, phi, lam)
    order = np.argsort(-ss, kind="stable")
    lam, phi, ss = lam[:, order], phi[np.ix_(order, order)], ss[order]
    signs = np.sign(lam.sum(axis=0))
    signs[signs == 0] = 1
    lam = lam * signs
    phi = phi * np.outer(signs, signs)
    names = [f"F{i + 1}" for i in range(k)]
    structure = lam @ phi
    model = structure @ lam.T
    h2 = np.diag(model).copy()
    with linalg.single_thread_blas():
        fit = _extract.fit_statistics(r, model, k, n, float(np.linalg.slogdet(r)[1]))
    loadings = pd.DataFrame(lam, index=cols, columns=names)
    phi_df = pd.DataFrame(phi, index=names, columns=names)
    prop = ss / p
    variance = pd.DataFrame({"ss_loadings": ss, "proportion": prop,
                             "cumulative": np.cumsum(prop)}, index=pd.Index(names))
    heywood = tuple(c for c, v in zip(cols, h2, strict=True) if v >= 0.995)
    if heywood:
        warnings.warn(f"Heywood or near-Heywood case (communality >= 0.995): "
                      f"{', '.join(heywood)}; interpret with care.", RingstatsWarning,
                      stacklevel=3)
    return EFAResult(
        loadings=loadings,
        structure=pd.DataFrame(structure, index=cols, columns=names),
        communalities=pd.Series(h2, index=cols, name="h2"),
        uniquenesses=pd.Series(1 - h2, index=cols, name="u2"),
        factor_correlations=phi_df,
        variance=variance,
        fit=fit,
        n_factors=int(k),
        method=method,
        rotation=rotation,
        correlation=correlation,
        nan_policy=nan_policy,
        n_obs=int(n),
        corr=pd.DataFrame(r, index=cols, columns=cols),
        parallel=pa,
        heywood=heywood,
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------- KMO / Bartlett
def kmo(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    nan_policy: str = "pairwise",
) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Notes
    -----
    With :math:`r_{ij}` the correlations and :math:`a_{ij} = -R^{-1}_{ij} /
    \\sqrt{R^{-1}_{ii}R^{-1}_{jj}}` the partial correlations,
    :math:`MSA_j = \\sum_{i\\ne j} r_{ij}^2 / (\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j}
    a_{ij}^2)`, and the overall KMO uses the sums over all pairs (Kaiser 1970, 1974).
    Matches ``psych::KMO`` (pairwise correlations) to 1e-6 (tests).

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> round(kmo(d, spec=w.spec).overall, 1) > 0.5
    True
    """
    if is_moments(data):
        return dispatch("kmo", data, items=items, spec=spec, nan_policy=nan_policy)
    data, cols = _select_items(data, items, spec)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    r, n, _ = _correlate(data[cols].astype(float), "pearson", nan_policy)
    return _kmo_from_corr(r, n, cols)


def _kmo_from_corr(r: np.ndarray, n: int, cols: list[str]) -> KMOResult:
    """KMO from a correlation matrix (shared by :func:`kmo` and the survey-moments path)."""
    inv = np.linalg.inv(r)
    d = np.sqrt(np.diag(inv))
    a = -inv / np.outer(d, d)
    off = ~np.eye(len(cols), dtype=bool)
    r2 = np.where(off, r ** 2, 0.0)
    a2 = np.where(off, a ** 2, 0.0)
    per = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + a2.sum())
    return KMOResult(float(overall), pd.Series(per, index=cols, name="msa"), int(n))


def bartlett(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    nan_policy: str = "pairwise",
) -> BartlettResult:
    """Bartlett's test of sphericity.

    Notes
    -----
    :math:`\\chi^2 = -(n - 1 - (2p + 5)/6)\\log|R|` on :math:`p(p-1)/2` df (Bartlett 1951),
    ``psych::cortest.bartlett``; with pairwise correlations ``n`` is the number of rows.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> bartlett(d, spec=w.spec).p_val < 0.001
    True
    """
    if is_moments(data):
        return dispatch("bartlett", data, items=items, spec=spec, nan_policy=nan_policy)
    data, cols = _select_items(data, items, spec)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    r, n, _ = _correlate(data[cols].astype(float), "pearson", nan_policy)
    return _bartlett_from_corr(r, n)


def _bartlett_from_corr(r: np.ndarray, n: int) -> BartlettResult:
    """Bartlett's statistic from a correlation matrix (in memory and from moments)."""
    p = r.shape[0]
    _, logdet = np.linalg.slogdet(r)
    chisq = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    return BartlettResult(float(chisq), int(df), float(stats.chi2.sf(chisq, df)), int(n))
