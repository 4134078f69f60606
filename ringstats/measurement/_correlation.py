"""Correlations for rating items: Pearson, polychoric (psych parity) and nearest-PD smoothing.

The polychoric estimator is the two-step estimator of ``psych::polychoric`` (Revelle):
thresholds from each item's marginal proportions, then, pair by pair, the correlation that
maximises the bivariate-normal likelihood of the pair's contingency table (Olsson 1979).
Everything is vectorised across pairs: the bivariate normal CDF at all cell corners of all
pairs is computed at once (Genz 2004 quadrature) and the correlations of all pairs are
optimised together by a bounded golden-section search on arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .._data import item_data
from .._kernels.bvn import CLAMP as _CLAMP
from .._kernels.bvn import bvn_cdf as _bvn_cdf  # noqa: F401  (moved; old private name kept)
from .._kernels.bvn import cell_probs as _cell_probs
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.linalg import cor_smooth
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_bool,
    check_int,
    check_option,
    check_real,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec

__all__ = ["polychoric", "PolychoricResult", "correlation", "nearest_pd"]

_NAN_POLICIES = ("pairwise", "listwise")
_METHODS = ("pearson", "polychoric")


# ----------------------------------------------------------------------------- helpers
def _neg_loglik(r: np.ndarray, tab: np.ndarray, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    p = _cell_probs(r, ta, tb)
    ok = (p > 0) & (tab > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(ok, np.log(np.where(ok, p, 1.0)), 0.0)
    return -(tab * lp).sum(axis=(1, 2))


def _golden_max(tab: np.ndarray, ta: np.ndarray, tb: np.ndarray, lo: float = -0.99999,
                hi: float = 0.99999, tol: float = 1e-8, max_iter: int = 200) -> np.ndarray:
    """Vectorised golden-section minimisation of the negative log-likelihood for all pairs."""
    m = tab.shape[0]
    gr = (np.sqrt(5.0) - 1.0) / 2.0
    a = np.full(m, lo)
    b = np.full(m, hi)
    c = b - gr * (b - a)
    d = a + gr * (b - a)
    fc = _neg_loglik(c, tab, ta, tb)
    fd = _neg_loglik(d, tab, ta, tb)
    for _ in range(max_iter):
        if np.max(b - a) < tol:
            break
        left = fc < fd  # minimum in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - gr * (b - a)
        new_d = a + gr * (b - a)
        # reuse one evaluation per pair
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_keep = np.where(left, fc, fd)
        x_eval = np.where(left, c_next, d_next)
        f_eval = _neg_loglik(x_eval, tab, ta, tb)
        fc = np.where(left, f_eval, f_keep)
        fd = np.where(left, f_keep, f_eval)
        c, d = c_next, d_next
    return (a + b) / 2.0


def _smooth(mat: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    """psych::cor.smooth with psych's defaults: eigenvalues below ``eig_tol`` become
    ``100 * eig_tol`` (:func:`ringstats._kernels.linalg.cor_smooth`)."""
    return cor_smooth(mat, below=eig_tol, floor=100.0 * eig_tol)


# ----------------------------------------------------------------------------- nearest_pd
def nearest_pd(matrix: pd.DataFrame | np.ndarray, *, eig_tol: float = 1e-12
               ) -> tuple[pd.DataFrame, bool]:
    """Smooth a correlation matrix to a positive-definite one (only when needed).

    Parameters
    ----------
    matrix : DataFrame or array
        Symmetric correlation matrix.
    eig_tol : float
        Eigenvalues below this are treated as non-positive.

    Returns
    -------
    (DataFrame, bool)
        The (possibly smoothed) matrix and whether it was changed.

    Notes
    -----
    The method of ``psych::cor.smooth`` (Revelle; Wothke 1993): eigenvalues below
    ``eig_tol`` are set to ``100 * eig_tol``, all eigenvalues are rescaled to sum to the
    number of variables, the matrix is rebuilt from the eigenvectors and rescaled to a unit
    diagonal. This is not the Frobenius-nearest correlation matrix of Higham (2002), but it is
    what psych, and so most published polychoric analyses, use. A matrix whose smallest
    eigenvalue is already above ``eig_tol`` is returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from ringstats.measurement._correlation import nearest_pd
    >>> m = np.array([[1, .9, .1], [.9, 1, .9], [.1, .9, 1]])
    >>> fixed, changed = nearest_pd(m)
    >>> changed, bool(np.linalg.eigvalsh(fixed.to_numpy()).min() > 0)
    (True, True)
    """
    if isinstance(matrix, pd.DataFrame):
        names = list(matrix.columns)
        m = matrix.to_numpy(dtype=float, copy=True)
    else:
        m = np.array(matrix, dtype=float, copy=True)
        names = list(range(m.shape[0])) if m.ndim == 2 else []
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise RingstatsError(f"`matrix` must be a square matrix; got shape {m.shape}.")
    if not np.all(np.isfinite(m)):
        raise RingstatsError("`matrix` must not contain NaN or infinite values.")
    if not np.allclose(m, m.T, atol=1e-10):
        raise RingstatsError("`matrix` must be symmetric.")
    check_real(eig_tol, "eig_tol", min_value=0.0)
    ev = np.linalg.eigvalsh(m)
    changed = bool(ev.min() < eig_tol)
    out = _smooth(m, eig_tol) if changed else m
    return pd.DataFrame(out, index=names, columns=names), changed


# ----------------------------------------------------------------------------- polychoric
@dataclass(frozen=True)
class PolychoricResult(ResultMixin):
    """Result of :func:`polychoric`.

    Attributes
    ----------
    rho : DataFrame
        Polychoric correlation matrix (item x item); smoothed when ``smoothed`` is True.
    thresholds : DataFrame
        Item x threshold (columns ``"1"`` ... ``"K-1"``) on the latent normal scale.
    n : DataFrame
        Pairwise counts of rows used for each pair.
    smoothed : bool
        Whether the matrix was not positive definite and was smoothed (psych ``cor.smooth``).
    min_eigenvalue : float
        Smallest eigenvalue of the unsmoothed matrix.
    raw_rho : DataFrame
        The unsmoothed matrix.
    global_thresholds : bool
        True when every item has the same response range and the global thresholds were
        used in every pair (psych's default); False when thresholds were taken pair by pair.
    corrected_cells : int
        Number of empty cells replaced by ``correct / n`` (only in the pairwise-threshold
        case, as in psych).
    """

    rho: pd.DataFrame
    thresholds: pd.DataFrame
    n: pd.DataFrame
    smoothed: bool
    min_eigenvalue: float
    raw_rho: pd.DataFrame
    global_thresholds: bool
    corrected_cells: int

    def summary(self) -> Summary:
        s = Summary(f"Polychoric correlations ({self.rho.shape[0]} items, "
                    f"n = {int(self.n.to_numpy().min())}-{int(self.n.to_numpy().max())})")
        s.add_table(self.rho, "Correlations")
        s.add_table(self.thresholds, "Thresholds (latent normal scale)")
        s.add_note(f"Smallest eigenvalue {self.min_eigenvalue:.4g}; "
                   + ("the matrix was smoothed to positive definite (psych cor.smooth)."
                      if self.smoothed else "no smoothing needed."))
        if self.corrected_cells:
            s.add_note(f"{self.corrected_cells} empty cells replaced by the continuity "
                       "correction.")
        return s


def _codes(data: pd.DataFrame, items: list[str], max_categories: int) -> tuple[np.ndarray, int]:
    x = data[items].to_numpy(dtype=float, copy=True)
    for j, it in enumerate(items):
        col = x[:, j]
        obs = col[~np.isnan(col)]
        if obs.size == 0:
            raise InsufficientDataError(f"item `{it}` has no observed values.")
        if not np.all(np.isfinite(obs)) or np.any(obs != np.round(obs)):
            bad = obs[(obs != np.round(obs)) | ~np.isfinite(obs)][0]
            raise RingstatsError(
                f"polychoric correlations need integer response codes; item `{it}` has the "
                f"non-integer value {bad!r}."
            )
        if np.unique(obs).size < 2:
            raise InsufficientDataError(
                f"item `{it}` has a single observed category ({obs[0]:g}); a polychoric "
                "correlation is undefined. Drop the item."
            )
    lo = np.nanmin(x)
    k = int(np.nanmax(x) - lo + 1)
    if k > max_categories:
        wide = [it for j, it in enumerate(items)
                if np.nanmax(x[:, j]) - np.nanmin(x[:, j]) + 1 > max_categories]
        raise RingstatsError(
            f"polychoric correlations are meant for items with at most {max_categories} "
            f"categories; the items span {k} values"
            + (f" (item `{wide[0]}` alone spans more)" if wide else "")
            + ". Use method='pearson' or recode."
        )
    codes = np.where(np.isnan(x), -1, x - lo).astype(int)
    return codes, k


def polychoric(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    correct: float = 0.5,
    smooth: bool = True,
    nan_policy: str = "pairwise",
    max_categories: int = 20,
) -> PolychoricResult:
    """Polychoric correlation matrix of ordinal items (two-step ML, as ``psych::polychoric``).

    Parameters
    ----------
    data : DataFrame
        Integer-coded responses (validate with ``spec.validate`` first).
    items : list of str, optional
        Columns to use; default all numeric columns (or the spec's items).
    spec : RingSpec or dict, optional
        Use the items of every construct.
    correct : float
        Continuity correction: empty cells of a pair's table are set to ``correct / n``.
        As in psych this is applied only when thresholds are estimated pair by pair (items
        with different response ranges); 0 switches it off.
    smooth : bool
        Smooth a non-positive-definite matrix with :func:`nearest_pd` (flagged by a
        :class:`~ringstats.errors.RingstatsWarning` and ``result.smoothed``).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete tables (psych) or drop every row with a missing item first.
    max_categories : int
        Items spanning more values raise an error (psych's ``max.cat`` is 8).

    Returns
    -------
    PolychoricResult

    Raises
    ------
    RingstatsError
        Non-integer codes or too many categories (naming the item).
    InsufficientDataError
        An item with a single observed category, or a pair with no complete rows.

    Notes
    -----
    Step 1 (Olsson 1979, two-step): with all items recoded to ``1..K`` from the smallest
    observed value, item thresholds are :math:`\\tau_c = \\Phi^{-1}(\\text{cumulative
    proportion} \\le c)` from each item's own non-missing values. Step 2: for each pair the
    correlation maximises :math:`\\sum_{ij} p_{ij} \\log P_{ij}(\\rho)`, where :math:`p_{ij}`
    are the observed cell proportions and :math:`P_{ij}` the bivariate-normal rectangle
    probabilities. When items do not share the same response range, psych (and this
    function) switch to ``global = FALSE``: empty rows/columns of the pair's table are
    dropped, empty cells get ``correct / n`` and thresholds come from the pair's margins.
    Bivariate normal probabilities use Genz's (2004) algorithm, vectorised over all cells of
    all pairs; :math:`\\rho` is found for all pairs at once by golden-section search on
    :math:`[-0.99999, 0.99999]` to 1e-8 (psych's ``optimize`` stops at about 1e-4).
    Matches ``psych::polychoric`` (2.2.9) on the 25 bfi items to 1e-4 (tests), also with
    unequal response ranges.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika* 44, 443-460. Genz, A. (2004). Numerical computation of
    rectangular bivariate and trivariate normal and t probabilities. *Statistics and
    Computing* 14, 251-260. Revelle, W. psych: ``polychoric``, ``cor.smooth``.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement._correlation import polychoric
    >>> w = draw("base", n=500, seed=1)
    >>> df = w.spec.validate(w.customers)
    >>> pc = polychoric(df, items=["prod1", "prod2", "prod3"])
    >>> pc.rho.shape
    (3, 3)
    """
    if is_moments(data):
        return dispatch("polychoric", data, items=items, spec=spec, correct=correct,
                        smooth=smooth, nan_policy=nan_policy, max_categories=max_categories)
    data, cols = item_data(data, items=items, spec=spec)
    if len(cols) < 2:
        raise RingstatsError(f"`items` must name at least two columns; got {cols!r}.")
    check_real(correct, "correct", min_value=0.0)
    check_bool(smooth, "smooth")
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    check_int(max_categories, "max_categories", min_value=2)
    df = data[cols]
    if nan_policy == "listwise":
        df = df.dropna()
        if len(df) == 0:
            raise InsufficientDataError("no complete rows are left after listwise deletion.")
    codes, k = _codes(df, cols, max_categories)
    p = len(cols)
    # one-hot counts for all pairs at once
    cnt = np.zeros((p * k, p * k))
    step = max(1, 2_000_000 // (p * k))  # bound the one-hot block to about 16 MB
    for s0 in range(0, codes.shape[0], step):
        block = codes[s0:s0 + step]
        onehot = np.zeros((block.shape[0], p * k))
        rows, cj = np.nonzero(block >= 0)
        onehot[rows, cj * k + block[rows, cj]] = 1.0
        cnt += onehot.T @ onehot
    maxes = np.array([np.max(codes[:, j]) for j in range(p)])
    return _polychoric_from_counts(cnt.reshape(p, k, p, k), cols, maxes, correct, smooth)


def _polychoric_from_counts(cnt: np.ndarray, cols: list[str], maxes: np.ndarray,
                            correct: float, smooth: bool) -> PolychoricResult:
    """Polychoric matrix from the pairwise tables ``cnt`` (p, k, p, k; the diagonal blocks
    hold each item's own counts) and the largest code per item (shared with the
    survey-moments path)."""
    p, k = cnt.shape[0], cnt.shape[1]
    marg = cnt[np.arange(p), :, np.arange(p), :].diagonal(axis1=1, axis2=2)  # p, k
    nobs = marg.sum(axis=1)
    cum = np.cumsum(marg, axis=1)[:, :-1] / nobs[:, None]
    tau = ndtri(cum)  # p, k-1 (may be +-inf for empty extreme categories)
    ii, jj = np.triu_indices(p, 1)
    tab = cnt[ii, :, jj, :]  # npairs, k, k
    npair = tab.sum(axis=(1, 2))
    if np.any(npair == 0):
        q = int(np.argmax(npair == 0))
        raise InsufficientDataError(
            f"items `{cols[ii[q]]}` and `{cols[jj[q]]}` are never answered together; their "
            "polychoric correlation is undefined."
        )
    global_tau = bool(np.all(maxes == maxes[0]))
    corrected = 0
    if global_tau:
        ptab = tab / npair[:, None, None]
        ta = np.clip(tau[ii], -_CLAMP, _CLAMP)
        tb = np.clip(tau[jj], -_CLAMP, _CLAMP)
    else:
        ptab = tab / npair[:, None, None]
        rowk = ptab.sum(axis=2) > 0  # npairs, k
        colk = ptab.sum(axis=1) > 0
        keep = rowk[:, :, None] & colk[:, None, :]
        zero = keep & (ptab == 0)
        if correct > 0:
            corrected = int(zero.sum())
            ptab = np.where(zero, correct / npair[:, None, None], ptab)
        # psych takes qnorm of the cumulated corrected proportions without renormalising
        ta = np.clip(ndtri(np.minimum(np.cumsum(ptab.sum(axis=2), axis=1)[:, :-1], 1.0)),
                     -_CLAMP, _CLAMP)
        tb = np.clip(ndtri(np.minimum(np.cumsum(ptab.sum(axis=1), axis=1)[:, :-1], 1.0)),
                     -_CLAMP, _CLAMP)
    rho = _golden_max(ptab, ta, tb)
    mat = np.eye(p)
    mat[ii, jj] = rho
    mat[jj, ii] = rho
    nmat = np.zeros((p, p))
    nmat[ii, jj] = npair
    nmat[jj, ii] = npair
    nmat[np.arange(p), np.arange(p)] = nobs
    min_ev = float(np.linalg.eigvalsh(mat).min())
    raw = pd.DataFrame(mat, index=cols, columns=cols)
    smoothed = False
    out = raw
    if smooth:
        out, smoothed = nearest_pd(raw)
        if smoothed:
            warnings.warn(
                f"the polychoric matrix is not positive definite (smallest eigenvalue "
                f"{min_ev:.3g}); it was smoothed (psych cor.smooth). Inspect `raw_rho`.",
                RingstatsWarning, stacklevel=3)
    elif min_ev <= 0:
        warnings.warn(
            f"the polychoric matrix is not positive definite (smallest eigenvalue "
            f"{min_ev:.3g}); smoothing was switched off.", RingstatsWarning, stacklevel=3)
    thr = pd.DataFrame(tau, index=cols, columns=[str(c) for c in range(1, k)])
    return PolychoricResult(
        rho=out, thresholds=thr, n=pd.DataFrame(nmat.astype(int), index=cols, columns=cols),
        smoothed=smoothed, min_eigenvalue=min_ev, raw_rho=raw, global_thresholds=global_tau,
        corrected_cells=corrected,
    )


# ----------------------------------------------------------------------------- correlation
def correlation(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    method: str = "pearson",
    nan_policy: str = "pairwise",
) -> pd.DataFrame:
    """Item correlation matrix, Pearson or polychoric.

    Parameters
    ----------
    data : DataFrame
        Item responses.
    items, spec
        Columns to correlate (default: all numeric columns).
    method : {"pearson", "polychoric"}
        Pearson product-moment or :func:`polychoric` (smoothed to positive definite when
        needed, with a warning).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete correlations, or drop rows with any missing item first.

    Returns
    -------
    DataFrame
        Item x item correlation matrix.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ringstats.measurement._correlation import correlation
    >>> df = pd.DataFrame(np.random.default_rng(0).integers(1, 6, (200, 3)), columns=list("abc"))
    >>> correlation(df).shape
    (3, 3)
    """
    data, cols = item_data(data, items=items, spec=spec)
    check_option(method, "method", _METHODS)
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    if method == "polychoric":
        return polychoric(data, items=cols, nan_policy=nan_policy).rho
    df = data[cols].astype(float)
    if nan_policy == "listwise":
        df = df.dropna()
    const = [c for c in cols if df[c].nunique(dropna=True) < 2]
    if const:
        raise InsufficientDataError(
            f"item `{const[0]}` is constant (or has fewer than two values); its correlations "
            "are undefined."
        )
    return df.corr(method="pearson")
