"""Maximum likelihood for covariance structures: Fisher scoring, FIML (EM saturated model), fit measures."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..._kernels.fit import rmsea_ci
from ...errors import (
    ConvergenceError,
    InsufficientDataError,
)


# ----------------------------------------------------------------------------- ML core
def _expected_info(inv: np.ndarray, dsig: np.ndarray) -> np.ndarray:
    """tr(W dS_i W dS_j) for all i, j as one matrix product (W = Sigma^-1, dS symmetric).

    Equal to ``einsum("iab,jba->ij", W dS, W dS)`` but about five times faster: the trace of
    a product of symmetric matrices is the inner product of their vectorisations.
    """
    q = dsig.shape[0]
    wdw = inv @ dsig @ inv
    return wdw.reshape(q, -1) @ dsig.reshape(q, -1).T


def _logdet(a: np.ndarray) -> float:
    sign, ld = np.linalg.slogdet(a)
    return ld if sign > 0 else np.inf


def _ml_fit_cov(st: Any, s: np.ndarray, *, start: np.ndarray | None = None,
                max_iter: int = 1000) -> tuple[np.ndarray, Any]:
    """Minimise F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p (lavaan's ML, Joreskog 1969)."""
    p = st.p
    ld_s = _logdet(s)

    cache: dict[bytes, tuple[float, np.ndarray, np.ndarray | None]] = {}

    def fg(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray | None]:
        key = theta.tobytes()
        if key in cache:
            return cache[key]
        sig = st.sigma(theta)
        try:
            c = np.linalg.cholesky(sig)
        except np.linalg.LinAlgError:
            out = (np.inf, np.zeros_like(theta), None)
        else:
            inv = np.linalg.inv(sig)
            f = 2.0 * np.log(np.diag(c)).sum() + np.sum(s * inv) - ld_s - p
            g = inv - inv @ s @ inv
            out = (float(f), st.grad_from_g(g, theta), inv)
        cache.clear()
        cache[key] = out
        return out

    def fun(theta: np.ndarray) -> float:
        return fg(theta)[0]

    def jac(theta: np.ndarray) -> np.ndarray:
        return fg(theta)[1]

    def hess(theta: np.ndarray) -> np.ndarray:
        # expected Hessian of F: tr(W dS_i W dS_j) (Fisher scoring)
        inv = fg(theta)[2]
        if inv is None:
            return np.eye(len(theta))
        return _expected_info(inv, st.dsigma(theta))

    x0 = st.start(s) if start is None else start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = _fisher_scoring(fg, hess, x0, newton=True, max_iter=min(max_iter, 200))
        if not res.success and res.nit < max_iter:  # robust fallback from where scoring stopped
            res = optimize.minimize(fun, res.x if np.isfinite(res.fun) else x0, jac=jac,
                                    hess=hess, method="trust-exact",
                                    options={"gtol": 1e-9, "maxiter": max_iter})
        if np.isfinite(res.fun) and np.max(np.abs(res.jac)) < 1e-6:
            res = _newton_polish(fg, res)
    return res.x, res


def _newton_polish(fg, res: optimize.OptimizeResult, *, max_steps: int = 4,
                   gtol: float = 1e-13) -> optimize.OptimizeResult:
    """Full Newton steps from a converged point until the gradient stops shrinking.

    Near the optimum Newton's method converges quadratically, so one or two steps take a
    gradient of 1e-9 to the level of rounding (about 1e-15). The solution then no longer
    depends on where the optimiser happened to stop: the same sample covariance, however
    it was summed (in memory or merged from survey moments), gives the same estimates to
    about 1e-12 instead of to the optimiser's tolerance. A step is kept only when it
    shrinks the largest gradient component (the objective is flat to rounding here).
    """
    x, f, g = res.x, res.fun, res.jac
    gmax = float(np.max(np.abs(g)))
    steps = 0
    while gmax > gtol and steps < max_steps:
        try:
            step = np.linalg.solve(_fd_hessian(lambda v: fg(v)[1], x, g), g)
        except np.linalg.LinAlgError:
            break
        cand = x - step
        fc, gc, _ = fg(cand)
        gc_max = float(np.max(np.abs(gc))) if np.isfinite(fc) else np.inf
        if not gc_max < gmax:
            break
        x, f, g, gmax = cand, fc, gc, gc_max
        steps += 1
    return optimize.OptimizeResult(x=x, fun=f, jac=g, nit=res.nit + steps, success=res.success,
                                   status=res.status, message=res.message)


def _fisher_scoring(fg, hess, x0: np.ndarray, *, gtol: float = 1e-9, max_iter: int = 200,
                    newton: bool = False) -> optimize.OptimizeResult:
    """Fisher scoring with step halving, finished by Newton steps.

    Scoring (theta <- theta - I(theta)^-1 grad F) is safe far from the optimum: the expected
    information is positive definite for an identified model, so every step is a descent
    direction and halving guarantees a decrease; but it converges only linearly when the model
    misfits. With ``newton=True``, once max |gradient| < 1e-4 the steps use the observed
    Hessian (central differences of the analytic gradient), which converges quadratically.
    Returns ``success=False`` when it stalls, so the caller can fall back to a trust-region
    method.
    """
    x = np.asarray(x0, dtype=float).copy()
    f, g, _ = fg(x)
    nit = 0
    ok = np.isfinite(f)
    while ok and nit < max_iter:
        gmax = np.max(np.abs(g))
        if gmax < gtol:
            break
        nit += 1
        try:
            if newton and gmax < 1e-4:
                h = _fd_hessian(lambda v: fg(v)[1], x, g)
                step = np.linalg.solve(h, g)
                if step @ g <= 0:  # not a descent direction: score instead
                    step = np.linalg.solve(hess(x), g)
            else:
                step = np.linalg.solve(hess(x), g)
        except np.linalg.LinAlgError:
            ok = False
            break
        t = 1.0
        while t > 1e-6:
            cand = x - t * step
            fc, gc, _ = fg(cand)
            if np.isfinite(fc) and fc <= f + 1e-12 * abs(f):
                break
            t /= 2
        else:
            ok = np.max(np.abs(g)) < 1e-7  # at machine precision of f: accept if flat enough
            gtol = max(gtol, 1e-7) if ok else gtol
            break
        x, f, g = cand, fc, gc
    success = bool(ok and np.max(np.abs(g)) < gtol)
    return optimize.OptimizeResult(x=x, fun=f, jac=g, nit=nit, success=success,
                                   status=0 if success else 1,
                                   message="converged" if success else "scoring stalled")


# ----------------------------------------------------------------------------- FIML core
def _patterns(x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Group rows by missing-data pattern: list of (observed column index, rows)."""
    obs = ~np.isnan(x)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        if key.any():
            out.append((np.flatnonzero(key), np.flatnonzero(inv.ravel() == k)))
    return out


def _fiml_stats(x: np.ndarray, pats: list) -> list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]:
    """Per pattern: observed columns, n, mean and biased covariance (ddof 0)."""
    out = []
    for cols, rows in pats:
        sub = x[np.ix_(rows, cols)]
        mu = sub.mean(axis=0)
        dev = sub - mu
        out.append((cols, len(rows), mu, dev.T @ dev / len(rows)))
    return out


def _fiml_loglik(sig: np.ndarray, mu: np.ndarray, pstats: list,
                 grad: bool = False) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """Casewise normal log-likelihood summed by pattern; gradient w.r.t. Sigma and mu."""
    p = len(mu)
    ll = 0.0
    gs = np.zeros((p, p)) if grad else None
    gm = np.zeros(p) if grad else None
    for cols, n, xbar, s in pstats:
        so = sig[np.ix_(cols, cols)]
        try:
            c = np.linalg.cholesky(so)
        except np.linalg.LinAlgError:
            return -np.inf, gs, gm
        inv = np.linalg.inv(so)
        d = xbar - mu[cols]
        t = s + np.outer(d, d)
        ll += -0.5 * n * (len(cols) * np.log(2 * np.pi) + 2 * np.log(np.diag(c)).sum()
                          + np.sum(inv * t))
        if grad:
            # d ll / d Sigma_oo (as tr(G dSigma)):  -n/2 (inv - inv t inv)
            gs[np.ix_(cols, cols)] += -0.5 * n * (inv - inv @ t @ inv)
            gm[cols] += n * inv @ d
    return ll, gs, gm


def _em_saturated(x: np.ndarray, pats: list, tol: float = 1e-10,
                  max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """EM estimates of the saturated mean and covariance under MAR (Little & Rubin 2002, 11.2)."""
    n, p = x.shape
    mu = np.nanmean(x, axis=0)
    sig = np.diag(np.nanvar(x, axis=0))
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for cols, rows in pats:
            mis = np.setdiff1d(np.arange(p), cols)
            xo = x[np.ix_(rows, cols)]
            if len(mis) == 0:
                t1 += xo.sum(axis=0)
                t2 += xo.T @ xo
                continue
            soo = sig[np.ix_(cols, cols)]
            smo = sig[np.ix_(mis, cols)]
            b = np.linalg.solve(soo, smo.T).T  # regression of missing on observed
            xm = mu[mis] + (xo - mu[cols]) @ b.T
            full = np.empty((len(rows), p))
            full[:, cols] = xo
            full[:, mis] = xm
            t1 += full.sum(axis=0)
            t2 += full.T @ full
            cmm = sig[np.ix_(mis, mis)] - b @ smo.T
            t2[np.ix_(mis, mis)] += len(rows) * cmm
        mu_new = t1 / n
        sig_new = t2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sig_new - sig)))
        mu, sig = mu_new, sig_new
        if delta < tol:
            break
    return mu, sig


def _fiml_fit(st: Any, x: np.ndarray, pstats: list, s0: np.ndarray, mu0: np.ndarray,
              max_iter: int = 2000, start: np.ndarray | None = None) -> tuple[np.ndarray, Any]:
    ntot = sum(n for _, n, _, _ in pstats)
    q = st.q

    def fg(par: np.ndarray) -> tuple[float, np.ndarray]:
        theta, mu = par[:q], par[q:]
        sig = st.sigma(theta)
        ll, gs, gm = _fiml_loglik(sig, mu, pstats, grad=True)
        if not np.isfinite(ll):
            return np.inf, np.zeros_like(par)
        gth = st.grad_from_g(gs, theta)
        # minimise -2 ll / N
        return -2.0 * ll / ntot, -2.0 * np.concatenate([gth, gm]) / ntot

    x0 = np.concatenate([st.start(s0) if start is None else start, mu0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = optimize.minimize(lambda v: fg(v)[0], x0, jac=lambda v: fg(v)[1], method="BFGS",
                                options={"gtol": 1e-7, "maxiter": max_iter})
        # polish with a Newton step sequence on a numerical Hessian of the analytic gradient
        par = res.x
        for _ in range(20):
            g = fg(par)[1]
            if np.max(np.abs(g)) < 1e-9:
                break
            h = _num_jacobian(lambda v: fg(v)[1], par)
            h = 0.5 * (h + h.T)
            try:
                step = np.linalg.solve(h, g)
            except np.linalg.LinAlgError:
                break
            f0 = fg(par)[0]
            t = 1.0
            while t > 1e-4:
                cand = par - t * step
                if fg(cand)[0] <= f0 + 1e-14:
                    par = cand
                    break
                t /= 2
            else:
                break
        res.x = par
        res.jac = fg(par)[1]
        res.fun = fg(par)[0]
    return res.x, res


def _fd_hessian(grad, x: np.ndarray, g0: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Symmetrised forward-difference Hessian from an analytic gradient (for Newton steps)."""
    out = np.empty((x.size, x.size))
    for i in range(x.size):
        h = eps * max(1.0, abs(x[i]))
        xp = x.copy()
        xp[i] += h
        out[:, i] = (grad(xp) - g0) / h
    return 0.5 * (out + out.T)


def _num_jacobian(fun, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of a vector function."""
    f0 = np.asarray(fun(x))
    out = np.empty((f0.size, x.size))
    for i in range(x.size):
        h = eps * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        out[:, i] = (np.asarray(fun(xp)) - np.asarray(fun(xm))) / (2 * h)
    return out


def _check_pd(s: np.ndarray, what: str) -> None:
    ev = np.linalg.eigvalsh(s)
    if not np.all(np.isfinite(ev)) or ev.min() <= 1e-10 * max(ev.max(), 1e-300):
        raise InsufficientDataError(
            f"the {what} is not positive definite (smallest eigenvalue {ev.min():.3g}): items "
            "are collinear or there are too few rows. Drop redundant items or use more data."
        )


def _safe_inv(info: np.ndarray) -> np.ndarray:
    try:
        v = np.linalg.inv(info)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError("the information matrix is singular: the model is not "
                               "(empirically) identified; no estimates are returned.") from exc
    if np.any(np.diag(v) < 0):
        raise ConvergenceError("the information matrix is not positive definite at the "
                               "solution; the model is not (empirically) identified.")
    return v


def _srmr(s: np.ndarray, sig: np.ndarray, mean_res: np.ndarray | None = None) -> float:
    """Bentler's SRMR (lavaan ``srmr_bentler``): residuals scaled by sample SDs."""
    sd = np.sqrt(np.diag(s))
    r = (s - sig) / np.outer(sd, sd)
    iu = np.tril_indices(len(s))
    vals = r[iu]
    if mean_res is not None:
        vals = np.concatenate([vals, mean_res / sd])
    return float(np.sqrt(np.mean(vals ** 2)))


def _rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float, float]:
    """RMSEA 90% CI from the noncentral chi-square (Browne & Cudeck 1993), lavaan style (N)."""
    lo, hi = rmsea_ci(chisq, df, n, level)
    p_close = float(1 - stats.ncx2.cdf(chisq, df, 0.05 ** 2 * n * df))
    return lo, hi, p_close


def _fit_measures(chisq: float, df: int, base: float, base_df: int, n: int, ll0: float,
                  ll1: float, npar: int, srmr: float) -> pd.Series:
    if df > 0:
        pval = float(stats.chi2.sf(chisq, df))
        num = max(chisq - df, 0.0)
        den = max(base - base_df, chisq - df, 0.0)
        cfi = 1.0 - num / den if den > 0 else 1.0
        tli = ((base / base_df - chisq / df) / (base / base_df - 1.0)
               if base_df > 0 else np.nan)
        rmsea = float(np.sqrt(num / (df * n)))
        r_lo, r_hi, p_close = _rmsea_ci(chisq, df, n)
    else:
        pval = np.nan
        cfi, tli, rmsea, r_lo, r_hi, p_close = 1.0, np.nan, 0.0, 0.0, 0.0, np.nan
    return pd.Series({
        "chisq": chisq, "df": float(df), "p_val": pval, "cfi": cfi, "tli": tli, "rmsea": rmsea,
        "rmsea_ci_low": r_lo, "rmsea_ci_high": r_hi, "rmsea_p_close": p_close, "srmr": srmr,
        "loglik": ll0, "loglik_h1": ll1, "aic": -2 * ll0 + 2 * npar,
        "bic": -2 * ll0 + npar * np.log(n), "baseline_chisq": base,
        "baseline_df": float(base_df), "npar": float(npar), "n": float(n),
    }, name="value")
