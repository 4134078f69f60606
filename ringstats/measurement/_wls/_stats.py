"""Stage 1 of WLSMV: thresholds, polychoric correlations and their asymptotic covariance.

For ordered items without covariates, as lavaan 0.6 computes them for
``cfa(..., ordered = TRUE, estimator = "WLSMV")`` (``muthen1984`` and
``lav_samplestats_step1/2``), vectorised over rows and item pairs:

1. thresholds of each item: :math:`\\tau_{jk} = \\Phi^{-1}(\\text{proportion of rows with
   category} \\le k)`, the ML estimate of the univariate probit model;
2. polychoric correlations: for each pair, the :math:`\\rho` that maximises the bivariate
   normal likelihood of the pair's table given the step-1 thresholds (two-step ML, Olsson
   1979); Newton-Raphson on all pairs at once, :math:`\\rho \\in [-0.999, 0.999]`;
   no correction for empty cells, except lavaan's ``zero.add = c(0.5, 0)``: a 2 x 2 table
   with exactly one empty cell gets 0.5 added to it, keeping the margins;
3. :math:`\\Gamma` (lavaan's ``NACOV``; Muthen 1984, Muthen & Satorra 1995): with casewise
   scores :math:`s_i` of the univariate threshold likelihoods and of the pairwise
   likelihoods with respect to :math:`\\rho`, and the block-triangular matrix of derivatives
   of the stacked estimating equations
   :math:`B = \\begin{pmatrix} A_{11} & 0 \\\\ A_{21} & A_{22} \\end{pmatrix}` estimated by
   outer products of scores (:math:`A_{11}` block diagonal by item, :math:`A_{21}` the
   cross products of the :math:`\\rho`-scores with the pairwise likelihoods' threshold scores,
   :math:`A_{22}` diagonal), :math:`\\Gamma = n\\, B^{-1} (\\sum_i s_i s_i') B^{-T}`.
   It is computed as :math:`n \\sum_i z_i z_i'` with the influence values
   :math:`z_i = B^{-1} s_i`, one BLAS product on the n x (thresholds + pairs) matrix.

Everything that depends on a row only through its pair of categories (cell probabilities,
their derivatives, :math:`A_{21}`, :math:`A_{22}`) is computed per cell of each pair's table.

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. *Psychometrika* 49, 115-132.
Muthen, B. & Satorra, A. (1995). Technical aspects of Muthen's LISCOMP approach to
estimation of latent variable relations with a comprehensive measurement model.
*Psychometrika* 60, 489-503.
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. *Psychometrika* 44, 443-460.
Rosseel, Y. (2012). lavaan: an R package for structural equation modeling. *Journal of
Statistical Software* 48(2) (``lav_muthen1984.R``, ``lav_bvord.R``, ``lav_uvord.R``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..._kernels.bvn import CLAMP, bvn_pdf, bvn_pdf_drho, cell_probs
from ...errors import ConvergenceError, InsufficientDataError, ValidationError
from . import OrdinalMoments

__all__: list[str] = []

MAX_CATEGORIES = 20
RHO_BOUND = 0.999  # lavaan's nlminb bounds for a polychoric correlation
_ROW_BLOCK = 20_000  # rows per block of the score matrix (bounds memory)


# ----------------------------------------------------------------------------- input
def _as_frame(x: Any, items: Sequence[str] | None, param: str = "x") -> pd.DataFrame:
    """The item columns of ``x`` as a float DataFrame (a copy; NaN for missing)."""
    if isinstance(x, pd.DataFrame):
        if items is None:
            items = [str(c) for c in x.columns]
        else:
            if isinstance(items, str) or not all(isinstance(i, str) for i in items):
                raise ValidationError([f"`items` must be a list of column names; got {items!r}."])
            items = list(items)
            missing = [i for i in items if i not in x.columns]
            if missing:
                raise ValidationError([f"`items` names columns not in `{param}`: {missing}."])
        out = {}
        problems = []
        for it in items:
            col = x[it]
            if isinstance(col.dtype, pd.CategoricalDtype):
                if not col.cat.ordered:
                    problems.append(f"item `{it}` is an unordered categorical; order it or "
                                    "code it as integers.")
                    continue
                codes = col.cat.codes.to_numpy()
                out[it] = np.where(codes < 0, np.nan, codes.astype(float))
                continue
            try:
                out[it] = pd.to_numeric(col, errors="raise").to_numpy(dtype=float)
            except (TypeError, ValueError):
                problems.append(f"item `{it}` is not numeric (dtype {col.dtype}); ordinal items "
                                "must be integer-coded.")
        if problems:
            raise ValidationError(problems)
        return pd.DataFrame(out, index=x.index, columns=list(items))
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError([f"`{param}` must be a numeric 2-D array or a DataFrame; got "
                               f"{type(x).__name__}."]) from None
    if arr.ndim != 2:
        raise ValidationError([f"`{param}` must be 2-D (rows x items); got {arr.ndim} "
                               "dimension(s)."])
    if items is None:
        items = [f"x{j + 1}" for j in range(arr.shape[1])]
    items = [str(i) for i in items]
    if len(items) != arr.shape[1]:
        raise ValidationError([f"`items` must name the {arr.shape[1]} columns of `{param}`; "
                               f"got {len(items)} names."])
    return pd.DataFrame(arr, columns=items)


def _check_codes(df: pd.DataFrame) -> None:
    problems = []
    if len(set(df.columns)) != df.shape[1]:
        problems.append(f"item names must be unique; got {list(df.columns)}.")
    if df.shape[1] < 2:
        problems.append(f"at least two items are needed; got {df.shape[1]}.")
    vals = df.to_numpy()
    for j, it in enumerate(df.columns):
        v = vals[:, j]
        v = v[~np.isnan(v)]
        bad = v[~np.isfinite(v) | (v != np.round(v))]
        if bad.size:
            problems.append(f"item `{it}` must be integer-coded; it has the value {bad[0]:g}.")
    if problems:
        raise ValidationError(problems)


def _categories(df: pd.DataFrame) -> tuple[tuple[float, ...], ...]:
    """Observed categories per item (sorted), checked: at least 2, at most MAX_CATEGORIES."""
    cats = []
    problems = []
    for it in df.columns:
        u = np.unique(df[it].to_numpy())
        if u.size < 2:
            raise InsufficientDataError(
                f"item `{it}` is constant (every complete row answers {u[0]:g}); thresholds "
                "and polychoric correlations need at least two observed categories. Drop the "
                "item.")
        if u.size > MAX_CATEGORIES:
            problems.append(f"item `{it}` has {u.size} distinct values; ordinal items may "
                            f"have at most {MAX_CATEGORIES} categories (treat it as "
                            "continuous or recode it).")
        cats.append(tuple(float(c) for c in u))
    if problems:
        raise ValidationError(problems)
    return tuple(cats)


def _encode(df: pd.DataFrame, cats: Sequence[Sequence[float]]) -> np.ndarray:
    """Category index (0-based) of every cell; complete rows only."""
    codes = np.empty(df.shape, dtype=np.intp)
    vals = df.to_numpy()
    for j, c in enumerate(cats):
        codes[:, j] = np.searchsorted(np.asarray(c), vals[:, j])
    return codes


# ----------------------------------------------------------------------------- kernel
def _thresholds(counts: np.ndarray, ncat: np.ndarray, n: int) -> np.ndarray:
    """(p, K-1) thresholds, padded with +CLAMP beyond each item's own K_j - 1."""
    cum = np.cumsum(counts, axis=1)[:, :-1] / n
    with np.errstate(divide="ignore"):
        tau = ndtri(np.minimum(cum, 1.0))
    k = np.arange(counts.shape[1] - 1)
    return np.where(k[None, :] < (ncat[:, None] - 1), tau, CLAMP)


def _corners(t: np.ndarray) -> np.ndarray:
    """Thresholds with the outer corners: (..., K+1) = [-C, t, +C]."""
    pad = np.full(t.shape[:-1] + (1,), CLAMP)
    return np.concatenate([-pad, t, pad], axis=-1)


def _rho_derivs(rho: np.ndarray, ea: np.ndarray, eb: np.ndarray, second: bool):
    """dP/drho (and d2P/drho2) of all cells of all pairs: (npairs, K, K)."""
    h = ea[:, :, None]
    k = eb[:, None, :]
    r = rho[:, None, None]
    f = bvn_pdf(h, k, r)
    d1 = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
    if not second:
        return d1, None
    g = bvn_pdf_drho(h, k, r)
    d2 = g[:, 1:, 1:] - g[:, :-1, 1:] - g[:, 1:, :-1] + g[:, :-1, :-1]
    return d1, d2


def _polychorics(tab: np.ndarray, ta: np.ndarray, tb: np.ndarray, start: np.ndarray,
                 tol: float = 1e-13, max_iter: int = 100) -> np.ndarray:
    """Two-step ML polychoric correlations of all pairs at once (Newton-Raphson).

    ``tab``: (npairs, K, K) counts; ``ta``, ``tb``: (npairs, K-1) padded thresholds.
    Newton steps use the observed information where it is positive, the expected
    information otherwise; steps are capped at 0.2 and halved while the log-likelihood
    falls; rho stays in [-RHO_BOUND, RHO_BOUND].
    """
    ea, eb = _corners(ta), _corners(tb)
    n = tab.sum(axis=(1, 2))
    obs = tab > 0
    rho = np.clip(start, -0.9, 0.9)
    ll = _loglik(rho, tab, ta, tb, obs)
    active = np.ones(rho.shape, bool)
    for _ in range(max_iter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        p = cell_probs(rho[idx], ta[idx], tb[idx])
        d1, d2 = _rho_derivs(rho[idx], ea[idx], eb[idx], second=True)
        t = tab[idx]
        o = obs[idx]
        pos = p > 1e-250
        pw = np.where(pos, p, 1.0)
        q1 = np.where(o, d1 / pw, 0.0)
        q2 = np.where(o, d2 / pw, 0.0)
        grad = (t * q1).sum(axis=(1, 2))
        obs_info = -(t * (q2 - q1 * q1)).sum(axis=(1, 2))
        exp_info = n[idx] * np.where(pos, d1 * d1 / pw, 0.0).sum(axis=(1, 2))
        info = np.where(obs_info > 0, obs_info, exp_info)
        step = np.clip(grad / info, -0.2, 0.2)
        new = np.clip(rho[idx] + step, -RHO_BOUND, RHO_BOUND)
        new_ll = _loglik(new, tab[idx], ta[idx], tb[idx], obs[idx])
        for _half in range(30):  # step halving while the likelihood falls
            worse = new_ll < ll[idx] - 1e-12 * np.abs(ll[idx])
            if not worse.any():
                break
            new = np.where(worse, (new + rho[idx]) / 2.0, new)
            new_ll = np.where(worse, _loglik(new, tab[idx], ta[idx], tb[idx], obs[idx]),
                              new_ll)
        moved = np.abs(new - rho[idx])
        rho[idx] = new
        ll[idx] = new_ll
        at_bound = (np.abs(new) >= RHO_BOUND) & (np.sign(grad) == np.sign(new))
        active[idx] = ~((moved < tol) | at_bound)
    else:
        if active.any():
            raise ConvergenceError(
                f"the polychoric correlations of {int(active.sum())} item pair(s) did not "
                f"converge in {max_iter} Newton steps.")
    return rho


def _loglik(r: np.ndarray, tab: np.ndarray, ta: np.ndarray, tb: np.ndarray,
            obs: np.ndarray) -> np.ndarray:
    """Pairwise log-likelihoods sum(N log P) over the non-empty cells."""
    p = cell_probs(r, ta, tb)
    safe = np.where(obs & (p > 0), p, 1e-300)
    return np.where(obs, tab * np.log(safe), 0.0).sum(axis=(1, 2))


def _zero_add_2x2(tab: np.ndarray, ncat_a: np.ndarray, ncat_b: np.ndarray,
                  names: list[tuple[str, str]]) -> np.ndarray:
    """lavaan's ``zero.add = c(0.5, 0)`` with ``zero.keep.margins = TRUE``: in a 2 x 2 table
    with one empty cell, 0.5 moves onto the empty cell and its diagonal partner and off the
    other two cells (margins kept); bigger tables are not corrected. Two empty cells mean a
    correlation of +-1: an error."""
    out = tab.copy()
    two = (ncat_a == 2) & (ncat_b == 2)
    for q in np.nonzero(two)[0]:
        t = out[q, :2, :2]
        zeros = int((t == 0).sum())
        if zeros == 0:
            continue
        if zeros >= 2:
            a, b = names[q]
            raise InsufficientDataError(
                f"the 2 x 2 table of the dichotomous items `{a}` and `{b}` has two empty "
                f"cells ({t.astype(int).tolist()}): their polychoric correlation is +-1 and "
                "its sampling variance is undefined. Drop one of the two items.")
        on_diag = t[0, 0] == 0 or t[1, 1] == 0
        sign = 1.0 if on_diag else -1.0
        t += sign * 0.5 * np.array([[1.0, -1.0], [-1.0, 1.0]])
    return out


def _moments(codes: np.ndarray, ncat: np.ndarray, items: tuple[str, ...],
             categories: tuple[tuple[float, ...], ...]) -> OrdinalMoments:
    """Thresholds, polychorics and gamma from complete category indices (n, p)."""
    n, p = codes.shape
    kmax = int(ncat.max())
    nth = ncat - 1
    m_th = int(nth.sum())
    ii, jj = np.triu_indices(p, 1)  # (j, i) with i > j, ordered by j then i: lavaan's vech
    npairs = ii.size
    m = m_th + npairs
    if n <= m:
        raise InsufficientDataError(
            f"{n} complete rows are too few for {m} sample statistics ({m_th} thresholds and "
            f"{npairs} polychoric correlations of {p} items): their asymptotic covariance "
            "(gamma) would be singular. Use more rows or fewer items.")

    # counts: univariate (p, K) and all pairwise tables (npairs, K, K), one BLAS product
    cnt = np.zeros((p * kmax, p * kmax))
    for r0 in range(0, n, _ROW_BLOCK):
        cb_ = codes[r0:r0 + _ROW_BLOCK]
        onehot = np.zeros((len(cb_), p * kmax))
        onehot[np.arange(len(cb_))[:, None], np.arange(p) * kmax + cb_] = 1.0
        cnt += onehot.T @ onehot
    cnt = cnt.reshape(p, kmax, p, kmax)
    counts = cnt[np.arange(p), :, np.arange(p), :].diagonal(axis1=1, axis2=2).copy()
    tab = cnt[ii, :, jj, :]

    tau = _thresholds(counts, ncat, n)  # (p, K-1), padded with +C
    ta, tb = tau[ii], tau[jj]
    names = [(items[a], items[b]) for a, b in zip(ii, jj, strict=False)]
    fit_tab = _zero_add_2x2(tab, ncat[ii], ncat[jj], names)

    # starting values: Pearson correlations of the category indices (as lavaan)
    z = codes - codes.mean(axis=0)
    sd = np.sqrt((z * z).sum(axis=0))
    start = ((z.T @ z) / np.outer(sd, sd))[ii, jj]
    rho = _polychorics(fit_tab, ta, tb, start)

    # ---- per-cell derivatives at the estimates
    e = _corners(tau)  # (p, K+1)
    ea, eb = e[ii], e[jj]
    prob = cell_probs(rho, ta, tb)
    obs = tab > 0
    prob_safe = np.where(obs, prob, 1.0)
    d_rho, _ = _rho_derivs(rho, ea, eb, second=False)
    dr = np.where(obs, d_rho / prob_safe, 0.0)  # rho-score of each cell (npairs, K, K)
    rr = np.sqrt(1.0 - rho * rho)[:, None, None]
    # dP_ij / d(upper corner of row category i): phi(h) [Phi((kb_j+1 - r h)/R) - Phi(...)]
    ha = ea[:, 1:-1, None]  # inner corners of a (npairs, K-1, 1)
    cb = ndtr((eb[:, None, :] - rho[:, None, None] * ha) / rr)  # (npairs, K-1, K+1)
    ga = np.exp(-0.5 * ha * ha) / np.sqrt(2 * np.pi) * (cb[:, :, 1:] - cb[:, :, :-1])
    hb = eb[:, 1:-1, None]
    ca = ndtr((ea[:, None, :] - rho[:, None, None] * hb) / rr)
    gb = np.exp(-0.5 * hb * hb) / np.sqrt(2 * np.pi) * (ca[:, :, 1:] - ca[:, :, :-1])
    # A21 entries: sum over cells of N * (rho-score) * (threshold score of the pair lik)
    w = tab * dr / prob_safe  # (npairs, K, K); zero where empty
    a21_a = (w[:, :-1, :] * ga).sum(axis=2) - (w[:, 1:, :] * ga).sum(axis=2)  # (npairs, K-1)
    a21_b = (w[:, :, :-1] * gb.transpose(0, 2, 1)).sum(axis=1) \
        - (w[:, :, 1:] * gb.transpose(0, 2, 1)).sum(axis=1)
    a22 = (tab * dr * dr).sum(axis=(1, 2))

    # ---- univariate threshold scores per category: (p, K, K-1)
    phi_t = np.exp(-0.5 * tau * tau) / np.sqrt(2 * np.pi)  # (p, K-1)
    pc = np.diff(np.concatenate([np.zeros((p, 1)), ndtr(tau), np.ones((p, 1))], axis=1),
                 axis=1)  # (p, K) category probabilities at the ML thresholds
    pc_safe = np.where(counts > 0, pc, 1.0)
    u = np.zeros((p, kmax, kmax - 1))
    kk = np.arange(kmax - 1)
    u[:, kk, kk] = phi_t / pc_safe[:, :-1]  # category k: + phi(t_k) / pi_k
    u[:, kk + 1, kk] = -phi_t / pc_safe[:, 1:]  # category k+1: - phi(t_k) / pi_k+1
    real = kk[None, :] < nth[:, None]  # (p, K-1) real thresholds
    u = u * real[:, None, :]
    # A11 per item: sum over categories of N_c u_c u_c'
    a11 = np.einsum("pc,pck,pcl->pkl", counts, u, u)
    th_pos = np.flatnonzero(real.ravel())  # position in the padded (p * (K-1)) layout
    a11_inv = np.zeros((m_th, m_th))
    start_idx = np.concatenate([[0], np.cumsum(nth)])
    for j in range(p):
        s0, s1 = start_idx[j], start_idx[j + 1]
        a11_inv[s0:s1, s0:s1] = np.linalg.inv(a11[j, :nth[j], :nth[j]])
    # A21 in the (npairs, m_th) layout
    a21 = np.zeros((npairs, p * (kmax - 1)))
    rows = np.arange(npairs)[:, None]
    a21[rows, ii[:, None] * (kmax - 1) + kk] += a21_a
    a21[rows, jj[:, None] * (kmax - 1) + kk] += a21_b
    a21 = a21[:, th_pos]
    # z_i = B^{-1} s_i:  z_th = A11^{-1} s_th,  z_rho = (s_rho - A21 z_th) / A22
    c_mat = a11_inv @ a21.T  # (m_th, npairs)
    u_flat = u.reshape(p, kmax, kmax - 1)
    dr_flat = dr.reshape(npairs, kmax * kmax)
    gamma = np.zeros((m, m))
    for r0 in range(0, n, _ROW_BLOCK):
        cb_ = codes[r0:r0 + _ROW_BLOCK]
        s_th = u_flat[np.arange(p)[None, :], cb_].reshape(len(cb_), -1)[:, th_pos]
        s_rho = dr_flat[np.arange(npairs)[None, :], cb_[:, ii] * kmax + cb_[:, jj]]
        zb = np.empty((len(cb_), m))
        zb[:, :m_th] = s_th @ a11_inv
        zb[:, m_th:] = (s_rho - s_th @ c_mat) / a22
        gamma += zb.T @ zb
    gamma *= n
    gamma = (gamma + gamma.T) / 2.0

    thresholds = tuple(tau[j, :nth[j]].copy() for j in range(p))
    corr = np.eye(p)
    corr[ii, jj] = rho
    corr[jj, ii] = rho
    s = np.concatenate([np.concatenate(thresholds), rho])
    return OrdinalMoments(items=items, n=int(n), thresholds=thresholds, corr=corr, s=s,
                          gamma=gamma, categories=categories)


# ----------------------------------------------------------------------------- public
def ordinal_moments(x: Any, *, items: Sequence[str] | None = None,
                    categories: Sequence[Sequence[float]] | None = None) -> OrdinalMoments:
    """Thresholds, polychoric correlations and their asymptotic covariance (WLSMV stage 1).

    The sample statistics lavaan 0.6 computes for ``cfa(..., ordered = TRUE, estimator =
    "WLSMV")`` with all items ordinal, no covariates and one group (see the module notes).

    Parameters
    ----------
    x : DataFrame or array of shape (n, p)
        Integer-coded ordinal items (an ordered pandas ``Categorical`` is read by its
        codes). Rows with any missing item are dropped (listwise deletion, lavaan's
        default for categorical data). The caller's data are not modified.
    items : list of str, optional
        Columns of a DataFrame to use, in model order (default all columns); for an array,
        the names of its columns (default ``x1 .. xp``).
    categories : list of lists, optional
        The category values of each item, in order; default the values observed in the
        complete rows. Every one of them must be observed (:func:`ordinal_moments_by` uses
        this to impose the pooled categories on every group).

    Returns
    -------
    OrdinalMoments
        ``s`` stacks the thresholds item by item and the correlations in lavaan's
        ``vech(R, diagonal = FALSE)`` order; ``gamma`` is lavaan's ``NACOV`` (the sampling
        covariance of ``s`` is ``gamma / n``).

    Raises
    ------
    ValidationError
        Non-numeric or non-integer codes, fewer than two items, more than 20 categories.
    InsufficientDataError
        A constant item, an unobserved category, a 2 x 2 table with two empty cells
        (correlation +-1), or no more complete rows than statistics.
    ConvergenceError
        A polychoric correlation that does not converge (not seen in practice).

    Notes
    -----
    Thresholds: :math:`\\hat\\tau_{jk} = \\Phi^{-1}(\\sum_{c \\le k} n_{jc} / n)`.
    Polychorics: two-step ML given those thresholds (Olsson 1979), lavaan's 0.5 correction
    of a 2 x 2 table with one empty cell, no other correction. Gamma: Muthen (1984)'s
    sandwich :math:`n B^{-1} (\\sum_i s_i s_i') B^{-T}` with outer-product estimates of the
    block-triangular :math:`B` (Muthen & Satorra 1995; lavaan ``muthen1984``). Reproduces
    lavaan 0.6.14 (``lavInspect(fit, "sampstat")``, ``"wls.obs"``, ``"gamma"``) to about
    1e-9 relative on psych's bfi (tests/reference/wlsmv).

    References
    ----------
    Muthen, B. (1984). *Psychometrika* 49, 115-132. Muthen, B. & Satorra, A. (1995).
    *Psychometrika* 60, 489-503. Olsson, U. (1979). *Psychometrika* 44, 443-460.

    Examples
    --------
    >>> import numpy as np
    >>> from ringstats.measurement._wls._stats import ordinal_moments
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 500)
    >>> om = ordinal_moments(np.digitize(z, [-0.5, 0.7]), items=["a", "b", "c"])
    >>> om.gamma.shape, om.n
    ((9, 9), 500)
    """
    df = _as_frame(x, items)
    _check_codes(df)
    df = df.dropna()
    if len(df) == 0:
        raise InsufficientDataError("no complete rows are left after listwise deletion.")
    if categories is None:
        cats = _categories(df)
    else:
        cats = tuple(tuple(float(c) for c in cs) for cs in categories)
        if len(cats) != df.shape[1]:
            raise ValidationError([f"`categories` must list the categories of all "
                                   f"{df.shape[1]} items; got {len(cats)}."])
        _check_fixed_categories(df, cats)
    codes = _encode(df, cats)
    ncat = np.array([len(c) for c in cats])
    return _moments(codes, ncat, tuple(df.columns), cats)


def _check_fixed_categories(df: pd.DataFrame, cats: tuple[tuple[float, ...], ...],
                            where: str = "") -> None:
    problems = []
    empty = []
    for it, cs in zip(df.columns, cats, strict=False):
        v = df[it].to_numpy()
        if len(cs) > MAX_CATEGORIES:
            problems.append(f"item `{it}` has {len(cs)} categories; ordinal items may have "
                            f"at most {MAX_CATEGORIES}.")
        extra = np.setdiff1d(np.unique(v), np.asarray(cs))
        if extra.size:
            problems.append(f"item `{it}` has the value {extra[0]:g}, not one of its "
                            f"categories {list(cs)}.")
            continue
        freq = [int((v == c).sum()) for c in cs]
        if min(freq) == 0:
            gone = [f"{c:g}" for c, f in zip(cs, freq, strict=False) if f == 0]
            empty.append(f"item `{it}`: categor{'y' if len(gone) == 1 else 'ies'} "
                         f"{', '.join(gone)} empty{where} (frequencies "
                         f"{dict(zip([f'{c:g}' for c in cs], freq, strict=False))})")
    if problems:
        raise ValidationError(problems)
    if empty:
        raise InsufficientDataError(
            "every category must be observed in every group (thresholds of an empty "
            "category are undefined, and threshold equality across groups needs the same "
            "categories): " + "; ".join(empty) + ". Collapse the empty category with a "
            "neighbour in all groups, or drop the item.")


def ordinal_moments_by(x: Any, groups: Any, *, items: Sequence[str] | None = None
                       ) -> dict[Any, OrdinalMoments]:
    """:func:`ordinal_moments` per group, with the same categories in every group.

    As lavaan's multi-group ``cfa(..., ordered = TRUE, estimator = "WLSMV", group = g)``:
    statistics are computed group by group (listwise deletion within groups); each item's
    categories are those observed in the pooled complete rows, and must all be observed
    in every group (lavaan stops otherwise; threshold equality across groups, as in
    Wu & Estabrook 2016, needs them).

    Parameters
    ----------
    x : DataFrame or array of shape (n, p)
        Integer-coded ordinal items.
    groups : str or array-like of length n
        The group of each row, or the name of a column of ``x`` holding it (that column is
        then not an item). Rows with a missing group are dropped.
    items : list of str, optional
        As in :func:`ordinal_moments`.

    Returns
    -------
    dict
        Group label -> :class:`OrdinalMoments`, in order of first appearance (lavaan's
        group order).

    Raises
    ------
    ValidationError
        ``groups`` of the wrong length or naming no column, fewer than two groups, and
        the checks of :func:`ordinal_moments`.
    InsufficientDataError
        A category observed in some group but empty in another (naming item, group and
        frequencies), and the checks of :func:`ordinal_moments` per group.

    Examples
    --------
    >>> import numpy as np
    >>> from ringstats.measurement._wls._stats import ordinal_moments_by
    >>> rng = np.random.default_rng(2)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 600)
    >>> by = ordinal_moments_by(np.digitize(z, [-0.5, 0.7]), np.repeat(["a", "b"], 300))
    >>> [(g, om.n) for g, om in by.items()]
    [('a', 300), ('b', 300)]
    """
    if isinstance(groups, str):
        if not isinstance(x, pd.DataFrame) or groups not in x.columns:
            raise ValidationError([f"`groups` = {groups!r} must name a column of `x` (a "
                                   "DataFrame); otherwise pass the group of each row."])
        g = x[groups].to_numpy()
        if items is None:
            items = [str(c) for c in x.columns if c != groups]
    else:
        g = np.asarray(groups)
        if g.ndim != 1 or len(g) != len(x):
            raise ValidationError([f"`groups` must hold one group per row of `x` ({len(x)}); "
                                   f"got shape {g.shape}."])
    df = _as_frame(x, items)
    _check_codes(df)
    keep = ~pd.isna(g) & df.notna().all(axis=1).to_numpy()
    df = df.loc[keep]
    g = g[keep]
    labels = [lab.item() if isinstance(lab, np.generic) else lab for lab in pd.unique(g)]
    if len(labels) < 2:
        raise ValidationError([f"`groups` must have at least two groups with complete rows; "
                               f"got {labels}."])
    if len(df) == 0:
        raise InsufficientDataError("no complete rows are left after listwise deletion.")
    cats = _categories(df)
    out = {}
    for lab in labels:
        sub = df.loc[np.asarray(g == lab, dtype=bool)]
        _check_fixed_categories(sub, cats, where=f" in group {lab!r}")
        codes = _encode(sub, cats)
        out[lab] = _moments(codes, np.array([len(c) for c in cats]), tuple(df.columns), cats)
    return out
