"""Multi-group DWLS for the ordinal invariance ladder: fit, robust inference, nested tests.

A minimal core, kept to what :mod:`ringstats.measurement._invariance_ordinal` needs (to be
merged with the generic DWLS core of ``_dwls`` once both are on main). With group weights
:math:`w_g = n_g/N`, statistics :math:`s_g` (thresholds, polychorics), model statistics
:math:`\\sigma_g(\\vartheta)`, their Jacobians :math:`\\Delta_g` and
:math:`W_g = \\mathrm{diag}(\\Gamma_g)^{-1}`:

* estimates minimise :math:`F = \\sum_g w_g (s_g - \\sigma_g)^\\top W_g (s_g - \\sigma_g)`
  (Gauss-Newton), and :math:`T = N F` (lavaan's DWLS test statistic);
* with stacked :math:`\\Delta`, :math:`W = \\oplus_g w_g W_g` and
  :math:`\\Gamma = \\oplus_g \\Gamma_g / w_g`, the information is
  :math:`P = \\Delta^\\top W \\Delta`, the robust covariance
  :math:`P^{-1}\\Delta^\\top W\\Gamma W\\Delta P^{-1}/N` (Muthen, du Toit & Spisic 1997);
* the scaled-shifted test (WLSMV) is :math:`a T + b` with
  :math:`U = W - W\\Delta P^{-1}\\Delta^\\top W`, :math:`a = \\sqrt{df/\\mathrm{tr}((U\\Gamma)^2)}`
  and :math:`b = df - a\\,\\mathrm{tr}(U\\Gamma)` (Asparouhov & Muthen 2010);
* nested models are compared by Satorra's (2000) scaled-shifted difference test, with the
  constraints :math:`A` found from the two Jacobians (:func:`satorra_2000`), as lavaan's
  ``lavTestLRT`` does by default for WLSMV.

References
----------
Asparouhov, T. & Muthen, B. (2010). Simple second order chi-square correction. Mplus
technical appendix.
Muthen, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished manuscript.
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment
structures. In Heijmans, R. D. H., Pollock, D. S. G. & Satorra, A. (eds), *Innovations in
Multivariate Statistical Analysis*, 233-247. Kluwer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import linalg, stats

from ...errors import ConvergenceError
from . import OrdinalMoments
from ._groups import OrdinalGroupModel


def _stack_gamma(moments: Sequence[OrdinalMoments], w: np.ndarray) -> np.ndarray:
    return linalg.block_diag(*[m.gamma / wg for m, wg in zip(moments, w, strict=True)])


def _traces(jac: np.ndarray, wst: np.ndarray, gam: np.ndarray,
            pinv: np.ndarray) -> tuple[float, float]:
    wj = wst[:, None] * jac
    u = np.diag(wst) - wj @ pinv @ wj.T
    ug = u @ gam
    return float(np.trace(ug)), float(np.sum(ug * ug.T))


def scaled_shifted(t: float, df: float, tr1: float, tr2: float) -> tuple[float, float, float]:
    """Mean-and-variance adjusted statistic ``a t + b`` and ``(a, b)``."""
    if df <= 0 or tr2 <= 0:
        return t, 1.0, 0.0
    a = np.sqrt(df / tr2)
    b = df - a * tr1
    return float(a * t + b), float(a), float(b)


def fit_dwls(model: OrdinalGroupModel, moments: Sequence[OrdinalMoments],
             start: np.ndarray | None = None, max_iter: int = 300,
             tol: float = 1e-10) -> dict:
    """Fit ``model`` to the groups' statistics by DWLS; robust SEs and the scaled test."""
    n = np.array([m.n for m in moments], dtype=float)
    ntot = float(n.sum())
    w = (n - 1.0) / ntot  # lavaan weighs group g's discrepancy by (n_g - 1) / N
    svec = [m.s for m in moments]
    wdiag = [m.w_diag for m in moments]
    theta = model.start(moments) if start is None else np.asarray(start, dtype=float).copy()

    def objective(th: np.ndarray) -> float:
        f = 0.0
        for g in range(model.G):
            e = svec[g] - model.implied(th, g)
            f += w[g] * float(np.sum(wdiag[g] * e * e))
        return f if np.isfinite(f) else np.inf

    f0 = objective(theta)
    converged = False
    nit = 0
    while nit < max_iter:
        nit += 1
        grad = np.zeros(model.q)
        hess = np.zeros((model.q, model.q))
        for g in range(model.G):
            e = svec[g] - model.implied(theta, g)
            jac = model.jacobian(theta, g)
            wj = (w[g] * wdiag[g])[:, None] * jac
            grad -= 2.0 * wj.T @ e
            hess += 2.0 * wj.T @ jac
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(hess, grad, rcond=None)[0]
        if np.max(np.abs(grad)) < tol:
            converged = True
            break
        t = 1.0
        while t > 1e-10:
            f1 = objective(theta + t * step)
            if f1 <= f0 + 1e-4 * t * float(grad @ step):
                break
            t *= 0.5
        else:
            break
        theta = theta + t * step
        if abs(f0 - f1) < 1e-15 and np.max(np.abs(t * step)) < 1e-9:
            f0 = f1
            converged = True
            break
        f0 = f1
    if not converged or not np.isfinite(f0):
        raise ConvergenceError(
            f"the ordinal multi-group model ({model.level}) did not converge in {nit} "
            "Gauss-Newton steps; check for items with rare categories in some group.")
    return _inference(model, moments, theta, f0, nit)


def _inference(model: OrdinalGroupModel, moments: Sequence[OrdinalMoments],
               theta: np.ndarray, fmin: float, nit: int) -> dict:
    n = np.array([m.n for m in moments], dtype=float)
    ntot = float(n.sum())
    w = n / ntot
    wfit = (n - 1.0) / ntot
    jac = np.vstack([model.jacobian(theta, g) for g in range(model.G)])
    wst = np.concatenate([wg * m.w_diag for wg, m in zip(w, moments, strict=True)])
    gam = _stack_gamma(moments, w)
    info = jac.T @ (wst[:, None] * jac)
    pinv = np.linalg.pinv(info)
    wj = wst[:, None] * jac
    meat = wj.T @ gam @ wj
    vcov = pinv @ meat @ pinv / (ntot - model.G)  # lavaan: sum_g (n_g - 1)
    df = model.G * model.n_stats - model.q
    chisq = ntot * fmin  # = sum_g (n_g - 1) F_g, lavaan's DWLS statistic
    tr1, tr2 = _traces(jac, wst, gam, pinv)
    t_ss, a, b = scaled_shifted(chisq, df, tr1, tr2)
    base = _baseline(moments, wfit, wst, gam, ntot)
    fit = _fit_indices(chisq, t_ss, df, base, ntot, model.G)
    fit.update(scaling_factor=1.0 / a, shift=b, npar=model.q, n=ntot, fmin=fmin)
    return {"theta": theta, "vcov": vcov, "fit": fit, "jac": jac, "info": info,
            "pinv": pinv, "wst": wst, "gamma": gam, "nit": nit, "model": model,
            "moments": tuple(moments)}


def _baseline(moments: Sequence[OrdinalMoments], w: np.ndarray, wst: np.ndarray,
              gam: np.ndarray, ntot: float) -> dict:
    """Independence model: thresholds free per group (fitted exactly), correlations 0."""
    rows = []
    f = 0.0
    off = 0
    for wg, m in zip(w, moments, strict=True):
        nt = m.n_thresholds
        r = m.s[nt:]
        f += wg * float(np.sum(m.w_diag[nt:] * r * r))
        rows.extend(off + np.arange(nt))
        off += len(m.s)
    jac = np.zeros((len(wst), len(rows)))
    jac[rows, np.arange(len(rows))] = 1.0
    info = jac.T @ (wst[:, None] * jac)
    tr1, tr2 = _traces(jac, wst, gam, np.linalg.inv(info))
    df = len(wst) - len(rows)
    chisq = ntot * f
    t_ss, _, _ = scaled_shifted(chisq, df, tr1, tr2)
    return {"chisq": chisq, "chisq_scaled": t_ss, "df": df}


def _cfi(t: float, df: float, tb: float, dfb: float) -> float:
    den = max(t - df, tb - dfb, 0.0)
    return 1.0 if den == 0 else 1.0 - max(t - df, 0.0) / den


def _tli(t: float, df: float, tb: float, dfb: float) -> float:
    if df <= 0:
        return 1.0
    return float(((tb / dfb) - (t / df)) / ((tb / dfb) - 1.0))


def _rmsea(t: float, df: float, ntot: float, groups: int) -> float:
    if df <= 0:
        return 0.0
    nn = ntot - groups  # lavaan's categorical RMSEA counts sum_g (n_g - 1)
    return float(np.sqrt(max(t / (nn * df) - 1.0 / nn, 0.0)) * np.sqrt(groups))


def _fit_indices(chisq: float, t_ss: float, df: int, base: dict, ntot: float,
                 groups: int) -> dict:
    tb, tbs, dfb = base["chisq"], base["chisq_scaled"], base["df"]
    return {
        "chisq": chisq, "df": df, "p_val": float(stats.chi2.sf(chisq, df)) if df > 0 else
        np.nan, "chisq_scaled": t_ss, "p_val_scaled": float(stats.chi2.sf(t_ss, df))
        if df > 0 else np.nan,
        "baseline_chisq": tb, "baseline_chisq_scaled": tbs, "baseline_df": dfb,
        "cfi": _cfi(chisq, df, tb, dfb), "tli": _tli(chisq, df, tb, dfb),
        "cfi_scaled": _cfi(t_ss, df, tbs, dfb), "tli_scaled": _tli(t_ss, df, tbs, dfb),
        "rmsea": _rmsea(chisq, df, ntot, groups),
        "rmsea_scaled": _rmsea(t_ss, df, ntot, groups),
    }


def satorra_2000(less: dict, more: dict) -> dict:
    """Scaled-shifted difference test of nested DWLS fits (Satorra 2000).

    ``less`` is the less restricted fit, ``more`` the restricted one. Everything is taken at
    the less restricted model's estimates; the restrictions :math:`A` span the orthogonal
    complement of :math:`H = \\Delta_1^+ \\Delta_0` (the restricted model's Jacobian expressed
    in the less restricted model's parameters). With
    :math:`M = P^{-1}A^\\top(AP^{-1}A^\\top)^+AP^{-1}` and
    :math:`U\\Gamma = W\\Delta M\\Delta^\\top W\\Gamma`, the statistic is
    :math:`a(T_0 - T_1) + b`, :math:`a = \\sqrt{m/\\mathrm{tr}((U\\Gamma)^2)}`,
    :math:`b = m - a\\,\\mathrm{tr}(U\\Gamma)`, on :math:`m` degrees of freedom.
    """
    t1, t0 = less["fit"]["chisq"], more["fit"]["chisq"]
    m = int(more["fit"]["df"] - less["fit"]["df"])
    if m <= 0:
        return {"chisq_diff": t0 - t1, "df_diff": m, "p_diff": np.nan, "a": np.nan,
                "b": np.nan}
    d1, d0 = less["jac"], more["jac"]
    h = np.linalg.pinv(d1) @ d0
    q, rr = np.linalg.qr(h, mode="complete")
    rank = int(np.sum(np.abs(np.diag(rr)) > max(h.shape) * np.finfo(float).eps
                      * np.abs(rr).max()))
    a_mat = q[:, rank:].T
    pinv = less["pinv"]
    apa = a_mat @ pinv @ a_mat.T
    keep = ~((np.abs(apa.sum(0)) < 1.5e-8) & (np.abs(apa.sum(1)) < 1.5e-8))
    a_mat = a_mat[keep]
    mm = pinv @ a_mat.T @ np.linalg.pinv(a_mat @ pinv @ a_mat.T) @ a_mat @ pinv
    wst, gam = less["wst"], less["gamma"]
    wd = wst[:, None] * d1
    ug = wd @ mm @ wd.T @ gam
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    stat = float((t0 - t1) * a + b)
    return {"chisq_diff": stat, "df_diff": m, "p_diff": float(stats.chi2.sf(stat, m)),
            "a": float(a), "b": float(b), "chisq_diff_unscaled": float(t0 - t1)}
