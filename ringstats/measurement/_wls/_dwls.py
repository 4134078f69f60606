"""Stages 2 and 3 of WLSMV: multi-group DWLS, robust standard errors and the adjusted tests.

Given per-group ordinal sample statistics :class:`~._wls.OrdinalMoments` (``s_g`` with
asymptotic covariance ``Gamma_g``, ``n_g`` rows) and a model ``theta -> (sigma_g(theta),
Delta_g(theta))`` (the model-implied statistics in the same order as ``s_g`` and their
Jacobian), :func:`dwls_fit` minimises

.. math:: F(\\theta) = \\sum_g \\frac{n_g}{N} (s_g - \\sigma_g)^\\top W_g (s_g - \\sigma_g),
   \\qquad W_g = \\mathrm{diag}(\\Gamma_g)^{-1}

by Gauss-Newton (Fisher) scoring with Newton finishing steps (the CFA engine's
``_fisher_scoring``) and returns the robust ("sandwich") covariance of the estimates, the test
statistic :math:`T = N F`, its mean-and-variance adjusted ("scaled and shifted") version
(Asparouhov & Muthen 2010), the same for the independence baseline, and CFI, TLI and RMSEA
in their standard, ``.scaled`` and ``.robust`` forms as lavaan 0.6.14's ``fitMeasures()``
reports them (the robust forms of Savalei 2021 through the ML discrepancy on the polychoric
correlations). :func:`satorra_2000` compares two nested fits by Satorra's (2000)
scaled-and-shifted difference test, lavaan's ``lavTestLRT`` default for WLSMV.

References
----------
Asparouhov, T. & Muthen, B. (2010). Simple second order chi-square correction. Mplus
technical appendix. Muthen, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference
using weighted least squares and quadratic estimating equations in latent variable modeling
with categorical and continuous outcomes. Unpublished manuscript. Satorra, A. & Bentler,
P. M. (1994). Corrections to test statistics and standard errors in covariance structure
analysis. In *Latent variables analysis*, 399-419. Satorra, A. (2000). Scaled and adjusted
restricted tests in multi-sample analysis of moment structures. In Heijmans, R. D. H.,
Pollock, D. S. G. & Satorra, A. (eds), *Innovations in Multivariate Statistical Analysis*,
233-247. Kluwer. Savalei, V. (2021). Improving fit
indices in structural equation modeling with categorical data. *Multivariate Behavioral
Research* 56, 390-407.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, special, stats

from ..._kernels.fit import noncentrality_ci
from ...errors import ConvergenceError
from .._cfa._engine import _fisher_scoring, _safe_inv
from . import OrdinalMoments

__all__ = ["DWLSFit", "dwls_fit", "Model", "satorra_2000"]

#: ``theta -> ([sigma_g], [Delta_g])``: implied statistics and Jacobians, one per group.
Model = Callable[[np.ndarray], tuple[Sequence[np.ndarray], Sequence[np.ndarray]]]


@dataclass(frozen=True)
class DWLSFit:
    """Estimates, robust covariance and tests of a (multi-group) DWLS fit.

    Attributes
    ----------
    theta : ndarray
        Estimates of the free parameters.
    vcov : ndarray
        Robust covariance of ``theta`` (lavaan ``se = "robust.sem"``).
    information : ndarray
        The expected information :math:`\\sum_g (n_g/N) \\Delta_g^\\top W_g \\Delta_g`.
    implied : tuple of ndarray
        :math:`\\sigma_g(\\hat\\theta)` per group.
    jacobian : tuple of ndarray
        :math:`\\Delta_g(\\hat\\theta)` per group (for :func:`satorra_2000`).
    fmin : float
        :math:`F(\\hat\\theta)` (lavaan's ``fmin`` is half of it).
    fit : Series
        ``chisq``, ``df``, ``p_val``, ``chisq_scaled``, ``p_val_scaled``,
        ``scaling_factor``, ``shift_parameter``, the baseline's ``baseline_chisq``,
        ``baseline_df``, ``baseline_chisq_scaled``, ``baseline_scaling_factor``, ``cfi``,
        ``tli``, ``cfi_scaled``, ``tli_scaled``, ``cfi_robust``, ``tli_robust``, ``rmsea``
        (and ``_ci_low``, ``_ci_high``, ``_p_close``) in the three forms, ``srmr``,
        ``npar``, ``n``.
    n_iter : int
    """

    theta: np.ndarray
    vcov: np.ndarray
    information: np.ndarray
    implied: tuple[np.ndarray, ...]
    jacobian: tuple[np.ndarray, ...]
    fmin: float
    fit: pd.Series
    n_iter: int


def _corr_of(m: OrdinalMoments, sig: np.ndarray) -> np.ndarray:
    """The implied correlation matrix (unit diagonal) from the stacked statistics."""
    r = np.eye(m.p)
    pr = m.pairs
    vals = sig[m.n_thresholds:]
    r[pr[:, 0], pr[:, 1]] = vals
    r[pr[:, 1], pr[:, 0]] = vals
    return r


def dwls_fit(moments: Sequence[OrdinalMoments], model: Model, start: np.ndarray, *,
             max_iter: int = 300, what: str = "WLSMV",
             robust_indices: bool = True) -> DWLSFit:
    """Fit a model to ordinal sample statistics by DWLS; robust SEs and adjusted tests.

    Parameters
    ----------
    moments : sequence of OrdinalMoments
        One per group (listwise-complete rows).
    model : callable
        ``theta -> (sigmas, deltas)``: per group the implied statistics (same order as
        ``moments[g].s``) and their Jacobian ``(len(s_g), len(theta))``.
    start : ndarray
        Start values.
    max_iter : int
        Scoring iterations.
    what : str
        Name used in the non-convergence error.
    robust_indices : bool
        Compute the ``_robust`` CFI/TLI/RMSEA (Savalei 2021). lavaan 0.6.14 reports them as
        NA for a model whose equality constraints involve thresholds or intercepts (its
        ML refit on the correlations drops those parameters and fails): pass False for such
        a model to report NaN, as lavaan does.

    Returns
    -------
    DWLSFit

    Raises
    ------
    ConvergenceError
        When the gradient at the end is not close to zero, or the information is singular.

    Notes
    -----
    Estimates minimise :math:`F` above; the covariance is the sandwich
    :math:`(\\Delta^\\top W\\Delta)^{-1}\\Delta^\\top W\\Gamma W\\Delta
    (\\Delta^\\top W\\Delta)^{-1}/N` summed over groups with weights :math:`n_g/N`
    (Muthen, du Toit & Spisic 1997). The test statistic is :math:`T = N F` and
    :math:`U = V - V\\Delta E^{-1}\\Delta^\\top V` gives the scaled-and-shifted statistic
    :math:`a T + (df - a\\,\\mathrm{tr}(U\\Gamma))` with
    :math:`a = \\sqrt{df / \\mathrm{tr}((U\\Gamma)^2)}` (Asparouhov & Muthen 2010), as
    lavaan's default ``test = "scaled.shifted"`` for ``estimator = "WLSMV"``.

    Examples
    --------
    >>> import numpy as np
    >>> from ringstats.measurement._wls import OrdinalMoments
    >>> from ringstats.measurement._wls._dwls import dwls_fit
    >>> th = (np.array([-0.5, 0.5]),) * 3
    >>> r = np.full((3, 3), 0.49); np.fill_diagonal(r, 1.0)
    >>> s = np.concatenate(th + (np.full(3, 0.49),))
    >>> m = OrdinalMoments(("a", "b", "c"), 500, th, r, s, np.eye(9), ((1, 2, 3),) * 3)
    >>> def model(t):  # thresholds free, one factor with equal loadings t[6]
    ...     d = np.zeros((9, 7)); d[:6, :6] = np.eye(6); d[6:, 6] = 2 * t[6]
    ...     return [np.concatenate([t[:6], np.full(3, t[6] ** 2)])], [d]
    >>> res = dwls_fit([m], model, np.r_[s[:6], 0.5])
    >>> round(float(res.theta[6]), 3)
    0.7
    """
    ms = list(moments)
    ntot = float(sum(m.n for m in ms))
    fg = np.array([m.n / ntot for m in ms])
    fg1 = np.array([(m.n - 1) / ntot for m in ms])  # lavaan: F_g weighted (n_g - 1) / N
    wd = [m.w_diag for m in ms]
    q = len(start)
    df = int(sum(len(m.s) for m in ms) - q)

    cache: dict[bytes, tuple] = {}

    def evaluate(theta: np.ndarray) -> tuple:
        key = theta.tobytes()
        if key not in cache:
            cache.clear()
            try:
                sig, dl = model(theta)
            except (np.linalg.LinAlgError, FloatingPointError, ValueError):
                cache[key] = (np.inf, np.zeros(q), None, None)
                return cache[key]
            f = 0.0
            g = np.zeros(q)
            for k, m in enumerate(ms):
                res = m.s - sig[k]
                f += fg1[k] * float(res @ (wd[k] * res))
                g -= 2.0 * fg1[k] * (dl[k].T @ (wd[k] * res))
            cache[key] = (f if np.isfinite(f) else np.inf, g, list(sig), list(dl))
        return cache[key]

    def fgrad(theta: np.ndarray) -> tuple[float, np.ndarray, None]:
        f, g, _, _ = evaluate(theta)
        return f, g, None

    def info_at(dl: list[np.ndarray], w: np.ndarray = fg) -> np.ndarray:
        return sum(w[k] * (dl[k].T @ (wd[k][:, None] * dl[k])) for k in range(len(ms)))

    def hess(theta: np.ndarray) -> np.ndarray:
        _, _, _, dl = evaluate(theta)
        return 2.0 * info_at(dl, fg1) if dl is not None else np.eye(q)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = _fisher_scoring(fgrad, hess, np.asarray(start, dtype=float), newton=True,
                              max_iter=max_iter)
    theta = res.x
    fmin, grad, sig, dl = evaluate(theta)
    gmax = float(np.max(np.abs(grad))) if np.isfinite(fmin) else np.inf
    if not np.isfinite(fmin) or gmax > 1e-5:
        raise ConvergenceError(
            f"{what} did not converge (max |gradient| = {gmax:.2e} after {res.nit} "
            "iterations); no estimates are returned. Check for items that barely correlate "
            "with their construct or categories with very few answers.")
    e = info_at(dl)
    e_inv = _safe_inv(e)  # singular / not PD: not (empirically) identified
    meat = sum(fg[k] * (dl[k].T * wd[k]) @ m.gamma @ (wd[k][:, None] * dl[k])
               for k, m in enumerate(ms))
    vcov = e_inv @ meat @ e_inv / (ntot - len(ms))
    vcov = 0.5 * (vcov + vcov.T)
    chisq = ntot * fmin  # = sum_g (n_g - 1) F_g
    ss = _scaled_shifted(chisq, df, ms, fg, dl, e_inv)
    base = _baseline(ms, fg)
    rob = _catml_robust(ms, fg, sig, dl, e_inv, df) if robust_indices else _NO_CATML
    fit = _fit_measures(chisq, df, ss, base, rob, ntot, len(ms), q, _srmr(ms, fg, sig))
    return DWLSFit(theta=theta, vcov=vcov, information=e, implied=tuple(sig),
                   jacobian=tuple(dl), fmin=float(fmin), fit=fit, n_iter=int(res.nit))


# ----------------------------------------------------------------------------- tests
def _scaled_shifted(chisq: float, df: int, ms: list[OrdinalMoments], fg: np.ndarray,
                    dl: Sequence[np.ndarray] | None, e_inv: np.ndarray | None) -> dict:
    """Scaled-and-shifted statistic from U Gamma (all groups stacked, lavaan's weights).

    ``dl=None`` means no free parameters (U = V).
    """
    v, gam = _stacked(ms, fg)
    if dl is None:
        u = np.diag(v)
    else:
        d = np.vstack(list(dl))
        vd = v[:, None] * d
        u = np.diag(v) - vd @ e_inv @ vd.T
    return _adjust(chisq, df, u @ gam)


def _stacked(ms: Sequence[OrdinalMoments], fg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All groups stacked with lavaan's weights: ``diag(V) = (f_g W_g)`` and
    ``Gamma = diag(Gamma_g / f_g)`` (block diagonal), ``f_g = n_g / N``."""
    v = np.concatenate([fg[k] * m.w_diag for k, m in enumerate(ms)])
    return v, linalg.block_diag(*[m.gamma / fg[k] for k, m in enumerate(ms)])


def _adjust(stat: float, df: float, ug: np.ndarray) -> dict:
    """Mean-and-variance adjustment of ``stat`` on ``df`` degrees of freedom from
    :math:`U\\Gamma`: :math:`a\\,stat + b`, :math:`a = \\sqrt{df/\\mathrm{tr}((U\\Gamma)^2)}`,
    :math:`b = df - a\\,\\mathrm{tr}(U\\Gamma)` (Asparouhov & Muthen 2010)."""
    tr1 = float(np.trace(ug))
    tr2 = float(np.sum(ug * ug.T))
    if df <= 0:
        return {"stat": stat, "a": np.nan, "shift": np.nan, "tr1": tr1, "tr2": tr2}
    a = math.sqrt(df / tr2)
    shift = df - a * tr1
    return {"stat": stat * a + shift, "a": a, "shift": shift, "tr1": tr1, "tr2": tr2}


def satorra_2000(moments: Sequence[OrdinalMoments], less: DWLSFit, more: DWLSFit) -> dict:
    """Scaled-and-shifted difference test of two nested DWLS fits (Satorra 2000).

    Parameters
    ----------
    moments : sequence of OrdinalMoments
        The groups' statistics both models were fitted to.
    less, more : DWLSFit
        The less restricted fit and the restricted (nested) one.

    Returns
    -------
    dict
        ``chisq_diff`` (the adjusted statistic), ``df_diff``, ``p_diff``, ``a``, ``b`` and
        ``chisq_diff_unscaled`` (:math:`T_0 - T_1`).

    Notes
    -----
    Everything is taken at the less restricted model's estimates. The restrictions
    :math:`A` span the orthogonal complement of :math:`H = \\Delta_1^+ \\Delta_0` (the
    restricted model's Jacobian in the less restricted model's parameters). With the
    information :math:`P` of the less restricted model,
    :math:`M = P^{-1}A^\\top(AP^{-1}A^\\top)^+AP^{-1}` and
    :math:`U\\Gamma = V\\Delta_1 M\\Delta_1^\\top V\\Gamma`, the statistic is
    :math:`a(T_0 - T_1) + b` on :math:`m = df_0 - df_1` degrees of freedom with
    :math:`a = \\sqrt{m/\\mathrm{tr}((U\\Gamma)^2)}`, :math:`b = m - a\\,\\mathrm{tr}(U\\Gamma)`,
    as lavaan's ``lavTestLRT(method = "satorra.2000")``, its default for WLSMV.

    Examples
    --------
    >>> import numpy as np
    >>> from ringstats.measurement._wls import OrdinalMoments
    >>> from ringstats.measurement._wls._dwls import dwls_fit, satorra_2000
    >>> th = (np.array([0.0]),) * 3
    >>> s = np.array([0.0, 0.0, 0.0, 0.30, 0.25, 0.35])
    >>> r = np.eye(3); r[np.tril_indices(3, -1)] = s[3:]; r = r + np.tril(r, -1).T
    >>> m = OrdinalMoments(("a", "b", "c"), 400, th, r, s, np.eye(6), ((0, 1),) * 3)
    >>> free = lambda t: ([t], [np.eye(6)])  # saturated
    >>> equal = lambda t: ([np.r_[t[:3], t[3], t[3], t[3]]], [np.c_[np.eye(6)[:, :3],
    ...                                                          np.r_[0, 0, 0, 1, 1, 1]]])
    >>> f1, f0 = dwls_fit([m], free, s), dwls_fit([m], equal, np.r_[s[:3], 0.3])
    >>> d = satorra_2000([m], f1, f0)
    >>> d["df_diff"], round(d["chisq_diff_unscaled"], 3)  # (n - 1) x 2 x 0.05^2
    (2, 1.995)
    >>> round(d["chisq_diff"], 3)  # Gamma = I: no adjustment
    1.995
    """
    ms = list(moments)
    t1, t0 = float(less.fit["chisq"]), float(more.fit["chisq"])
    m = int(more.fit["df"] - less.fit["df"])
    if m <= 0:
        return {"chisq_diff": t0 - t1, "df_diff": m, "p_diff": np.nan, "a": np.nan,
                "b": np.nan, "chisq_diff_unscaled": t0 - t1}
    d1, d0 = np.vstack(less.jacobian), np.vstack(more.jacobian)
    h = np.linalg.pinv(d1) @ d0
    q, rr = np.linalg.qr(h, mode="complete")
    rank = int(np.sum(np.abs(np.diag(rr)) > max(h.shape) * np.finfo(float).eps
                      * np.abs(rr).max()))
    a_mat = q[:, rank:].T
    pinv = np.linalg.pinv(less.information)
    apa = a_mat @ pinv @ a_mat.T
    a_mat = a_mat[~((np.abs(apa.sum(0)) < 1.5e-8) & (np.abs(apa.sum(1)) < 1.5e-8))]
    mm = pinv @ a_mat.T @ np.linalg.pinv(a_mat @ pinv @ a_mat.T) @ a_mat @ pinv
    ntot = float(sum(g.n for g in ms))
    v, gam = _stacked(ms, np.array([g.n / ntot for g in ms]))
    vd = v[:, None] * d1
    adj = _adjust(t0 - t1, m, vd @ mm @ vd.T @ gam)
    return {"chisq_diff": adj["stat"], "df_diff": m,
            "p_diff": float(stats.chi2.sf(adj["stat"], m)), "a": adj["a"],
            "b": adj["shift"], "chisq_diff_unscaled": t0 - t1}


def _baseline(ms: list[OrdinalMoments], fg: np.ndarray) -> dict:
    """Independence model: thresholds free (fit exactly), every polychoric zero."""
    ntot = sum(m.n for m in ms)
    f = 0.0
    dl, cols = [], sum(m.n_thresholds for m in ms)
    o = 0
    for m in ms:
        t = m.n_thresholds
        r = m.s[t:]
        f += (m.n - 1) / ntot * float(r @ (m.w_diag[t:] * r))
        d = np.zeros((len(m.s), cols))
        d[np.arange(t), o + np.arange(t)] = 1.0
        o += t
        dl.append(d)
    df = int(sum(len(m.s) for m in ms) - cols)
    e = sum(fg[k] * (dl[k].T @ (m.w_diag[:, None] * dl[k])) for k, m in enumerate(ms))
    chisq = ntot * f
    ss = _scaled_shifted(chisq, df, ms, fg, dl, np.linalg.inv(e))
    return {"chisq": chisq, "df": df, **ss}


_NO_CATML = {"xx3": np.nan, "c3": np.nan, "xx3_null": np.nan, "c3_null": np.nan,
             "df3_null": np.nan}


def _ml_corr_weight(sig: np.ndarray) -> np.ndarray:
    """ML information of the off-diagonal correlations at ``sig``:
    ``A_ik A_jl + A_il A_jk`` with ``A = sig^-1`` (pairs in vech order)."""
    a = np.linalg.inv(sig)
    r, c = np.tril_indices(len(sig), -1)
    order = np.lexsort((r, c))
    i, j = r[order], c[order]
    return a[np.ix_(i, i)] * a[np.ix_(j, j)] + a[np.ix_(i, j)] * a[np.ix_(j, i)]


def _catml_robust(ms: list[OrdinalMoments], fg: np.ndarray, sig: Sequence[np.ndarray],
                  dl: Sequence[np.ndarray], e_inv: np.ndarray, df: int) -> dict:
    """Savalei's (2021) robust CFI/TLI/RMSEA ingredients (lavaan ``lav_fit_catml_dwls``).

    The ML discrepancy between the polychoric correlations R and the implied correlations
    at the DWLS estimates gives ``XX3`` (baseline: ``-N log|R|``); its scaling
    ``c = tr(U' V U Gamma_r) / df`` with the DWLS projection
    ``U = I - Delta_r E^-1 Delta_r' W_r`` and the ML weight ``V``; baseline
    ``c0 = tr(Gamma_r) / df0``. NaN when a polychoric matrix is not positive definite.
    """
    ntot = sum(m.n for m in ms)
    xx3 = xx3_null = 0.0
    vs, ws, gs, ds = [], [], [], []
    for k, m in enumerate(ms):
        if np.linalg.eigvalsh(m.corr).min() < np.sqrt(np.finfo(float).eps):
            return _NO_CATML
        t = m.n_thresholds
        imp = _corr_of(m, sig[k])
        sgn, ld_imp = np.linalg.slogdet(imp)
        if sgn <= 0:
            return _NO_CATML
        ld_r = np.linalg.slogdet(m.corr)[1]
        xx3 += m.n * (ld_imp + np.trace(np.linalg.solve(imp, m.corr)) - ld_r - m.p)
        xx3_null += -m.n * ld_r
        vs.append(fg[k] * _ml_corr_weight(imp))
        ws.append(fg[k] * m.w_diag[t:])
        gs.append(m.gamma[t:, t:] / fg[k])
        ds.append(dl[k][t:])
    size = sum(len(w) for w in ws)
    v = np.zeros((size, size))
    gam = np.zeros((size, size))
    o = 0
    for vk, gk in zip(vs, gs, strict=True):
        n_k = vk.shape[0]
        v[o:o + n_k, o:o + n_k] = vk
        gam[o:o + n_k, o:o + n_k] = gk
        o += n_k
    d = np.vstack(ds)
    w = np.concatenate(ws)
    u = np.eye(size) - d @ e_inv @ (d.T * w)
    ks = float(np.sum((u.T @ v @ u) * gam.T))
    df0 = size
    return {"xx3": xx3 * 1.0, "c3": ks / df if df > 0 else np.nan, "xx3_null": xx3_null,
            "c3_null": float(np.trace(gam)) / df0, "df3_null": df0, "ntot": ntot}


def _srmr(ms: list[OrdinalMoments], fg: np.ndarray, sig: Sequence[np.ndarray]) -> float:
    """lavaan's SRMR for categorical data: root mean square correlation residual (lower
    triangle with the zero diagonal), averaged over groups with weights n_g/N."""
    out = 0.0
    for k, m in enumerate(ms):
        res = m.corr - _corr_of(m, sig[k])
        vals = res[np.tril_indices(m.p)]
        out += fg[k] * float(np.sqrt(np.mean(vals ** 2)))
    return out


# ----------------------------------------------------------------------------- indices
def _cfi(x2: float, df: float, x0: float, df0: float, c: float = 1.0,
         c0: float = 1.0) -> float:
    """lavaan ``lav_fit_cfi`` (with the robust ``c.hat`` corrections of Savalei 2021)."""
    if not all(np.isfinite([x2, df, x0, df0, c, c0])):
        return np.nan
    t1 = max(x2 - c * df, 0.0)
    t2 = max(x2 - c * df, x0 - c0 * df0, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def _tli(x2: float, df: float, x0: float, df0: float, c: float = 1.0,
         c0: float = 1.0) -> float:
    """lavaan ``lav_fit_tli`` (Tucker-Lewis / NNFI with ``c.hat`` corrections)."""
    if not all(np.isfinite([x2, df, x0, df0, c, c0])):
        return np.nan
    t1 = (x2 - c * df) * df0
    t2 = (x0 - c0 * df0) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _rmsea(x2: float, df: float, n: float, groups: int, c: float = 1.0) -> float:
    if not np.isfinite(x2) or not np.isfinite(c):
        return np.nan
    if df <= 0:
        return 0.0
    return math.sqrt(max(x2 / n / df - c / n, 0.0)) * math.sqrt(groups)


def _rmsea_interval(x2: float, df: float, n: float, groups: int, c: float = 1.0,
                    level: float = 0.90) -> tuple[float, float]:
    """lavaan ``lav_fit_rmsea_ci``: noncentrality limits, ``sqrt(c lam / (N df)) sqrt(G)``."""
    if not np.isfinite(x2) or not np.isfinite(c) or df < 1:
        return (np.nan, np.nan) if not np.isfinite(x2) else (0.0, 0.0)
    lam_lo, lam_hi = noncentrality_ci(x2, df, level)
    scale = math.sqrt(groups) / math.sqrt(n * df)
    return math.sqrt(c * lam_lo) * scale, math.sqrt(c * lam_hi) * scale


def _p_close(x2: float, df: float, n: float, groups: int, c: float = 1.0,
             h0: float = 0.05) -> float:
    if not np.isfinite(x2) or not np.isfinite(c) or df <= 0:
        return np.nan
    return float(1.0 - special.chndtr(x2, df, n * df / c * h0 ** 2 / groups))


def _fit_measures(chisq: float, df: int, ss: dict, base: dict, rob: dict, n: float,
                  groups: int, npar: int, srmr: float) -> pd.Series:
    x2s, x0s = ss["stat"], base["stat"]
    x0, df0 = base["chisq"], base["df"]
    xx3, c3 = rob["xx3"], rob["c3"]
    xx3s = xx3 / c3 if np.isfinite(c3) and c3 > 0 else np.nan
    if df > 0:
        cfi_r = _cfi(xx3, df, rob["xx3_null"], df0, c3, rob["c3_null"])
        tli_r = _tli(xx3, df, rob["xx3_null"], df0, c3, rob["c3_null"])
    else:
        cfi_r = tli_r = 1.0
    n = n - groups  # lavaan's RMSEA for (D)WLS divides by N - G
    lo, hi = _rmsea_interval(chisq, df, n, groups)
    lo_s, hi_s = _rmsea_interval(x2s, df, n, groups)
    lo_r, hi_r = _rmsea_interval(xx3s, df, n, groups, c3)
    out = {
        "chisq": chisq, "df": float(df),
        "p_val": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "chisq_scaled": x2s,
        "p_val_scaled": float(stats.chi2.sf(x2s, df)) if df > 0 else np.nan,
        "scaling_factor": 1.0 / ss["a"] if np.isfinite(ss["a"]) else np.nan,
        "shift_parameter": ss["shift"],
        "cfi": _cfi(chisq, df, x0, df0), "tli": _tli(chisq, df, x0, df0),
        "cfi_scaled": _cfi(x2s, df, x0s, df0), "tli_scaled": _tli(x2s, df, x0s, df0),
        "cfi_robust": cfi_r, "tli_robust": tli_r,
        "rmsea": _rmsea(chisq, df, n, groups), "rmsea_ci_low": lo, "rmsea_ci_high": hi,
        "rmsea_p_close": _p_close(chisq, df, n, groups),
        "rmsea_scaled": _rmsea(x2s, df, n, groups), "rmsea_scaled_ci_low": lo_s,
        "rmsea_scaled_ci_high": hi_s,
        "rmsea_robust": _rmsea(xx3, df, n, groups, c3), "rmsea_robust_ci_low": lo_r,
        "rmsea_robust_ci_high": hi_r,
        "srmr": srmr,
        "baseline_chisq": x0, "baseline_df": float(df0), "baseline_chisq_scaled": x0s,
        "baseline_scaling_factor": 1.0 / base["a"] if np.isfinite(base["a"]) else np.nan,
        "npar": float(npar), "n": float(n + groups),
    }
    return pd.Series(out, name="value")
