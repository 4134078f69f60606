"""Likelihoods of the binary (logistic) and ordinal (cumulative-logit) driver models and their subset fits."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._kernels.linalg import damped_newton
from .._kernels.regression import logit
from ..errors import RingstatsError
from ._inputs import MAX_GLM_DRIVERS


# ----------------------------------------------------------------------------------------
# binary and ordinal models: weighted maximum likelihood by Newton's method
# ----------------------------------------------------------------------------------------
def _logit_ll(y: np.ndarray, X: np.ndarray, w: np.ndarray, tol: float = 1e-10,
              max_iter: int = 100, start: np.ndarray | None = None
              ) -> tuple[float, np.ndarray]:
    """Weighted log-likelihood at the MLE of a logistic regression (intercept added;
    the fit is the regression kernel's :func:`~ringstats._kernels.regression.logit`) and
    the coefficients (intercept first), from ``start`` if given."""
    A = np.column_stack([np.ones(len(y)), X])
    beta = logit(A, y, w, tol=tol, max_iter=max_iter, start=start)
    eta = A @ beta
    return float(w @ (y * eta - np.logaddexp(0, eta))), beta


def _ordinal_ll(y: np.ndarray, X: np.ndarray, w: np.ndarray, K: int, tol: float = 1e-10,
                max_iter: int = 100, start: np.ndarray | None = None
                ) -> tuple[float, np.ndarray]:
    """Weighted log-likelihood at the MLE of a cumulative-logit (proportional odds) model,
    and its parameters (thresholds, then slopes), from ``start`` if given.

    ``y`` holds category codes 0..K-1 (all present). Same model as statsmodels
    ``OrderedModel(distr="logit")``; Newton's method with analytic derivatives
    (the log-likelihood is concave in thresholds and slopes, Pratt 1981).
    """
    n, p = X.shape
    q = K - 1
    yi = y.astype(np.int64)
    top, bot = yi < q, yi > 0
    Ea = np.zeros((n, q))
    Ea[np.flatnonzero(top), yi[top]] = 1.0
    Ec = np.zeros((n, q))
    Ec[np.flatnonzero(bot), yi[bot] - 1] = 1.0
    A = np.column_stack([Ea, -X])
    C = np.column_stack([Ec, -X])
    cum = np.cumsum(np.bincount(yi, weights=w, minlength=K))[:-1] / w.sum()
    theta0 = np.log(cum / (1 - cum))
    par = np.concatenate([theta0, np.zeros(p)]) if start is None else np.asarray(start, float)
    if start is not None and (q > 1 and np.any(np.diff(par[:q]) <= 0)):
        par = np.concatenate([theta0, np.zeros(p)])

    def parts(par: np.ndarray):
        th = np.concatenate([[-np.inf], par[:q], [np.inf]])
        eta = X @ par[q:] if p else np.zeros(n)
        a, c = th[yi + 1] - eta, th[yi] - eta
        Fa, Fc = special.expit(a), special.expit(c)
        prob = Fa - Fc
        return a, c, Fa, Fc, prob

    def ll(par: np.ndarray) -> float:
        if q > 1 and np.any(np.diff(par[:q]) <= 0):
            return -np.inf
        *_, prob = parts(par)
        if np.any(prob <= 0):
            return -np.inf
        return float(w @ np.log(prob))

    def step(par: np.ndarray) -> np.ndarray:
        a, c, Fa, Fc, prob = parts(par)
        fa, fc = Fa * (1 - Fa), Fc * (1 - Fc)
        u, lo = fa / prob, fc / prob
        ga, gc = fa * (1 - 2 * Fa) / prob, fc * (1 - 2 * Fc) / prob
        g = A.T @ (w * u) - C.T @ (w * lo)
        haa, hcc, hac = ga - u**2, -gc - lo**2, u * lo
        H = (A * (w * haa)[:, None]).T @ A + (C * (w * hcc)[:, None]).T @ C
        M = (A * (w * hac)[:, None]).T @ C
        return -np.linalg.solve(H + M + M.T, g)

    if start is not None and not np.isfinite(ll(par)):
        par = np.concatenate([theta0, np.zeros(p)])
    par, cur = damped_newton(ll, step, par, tol=tol, max_iter=max_iter,
                             what="ordinal (cumulative logit) model")
    return cur, par


def _check_glm_size(kind: str, p: int) -> None:
    if p > MAX_GLM_DRIVERS:
        raise RingstatsError(
            f"kind={kind!r} fits 2**p models per estimate and accepts at most {MAX_GLM_DRIVERS} "
            f"constructs or drivers; got {p}. Use `spec.subset([...])` or kind='continuous'."
        )


def _glm_subset_r2(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, K: int,
                   sets: np.ndarray | None = None, starts: dict | None = None,
                   fits: dict | None = None) -> np.ndarray:
    """McFadden pseudo-R^2 of the model on each predictor subset (bit masks).

    Warm starts: each subset's Newton iterations start from ``starts[s]`` when given (the
    full-sample fits, for bootstrap replicates), else from the fit of the subset without
    its lowest driver, padded with a zero slope; the MLE is the same (the log-likelihoods
    are concave), it is reached in fewer steps. ``fits``, if a dict, receives each
    subset's parameters.
    """
    p = X.shape[1]
    if sets is None:
        sets = np.arange(2**p)
    if kind == "binary":
        ybar = w @ y / w.sum()
        ll0 = float(w.sum() * (ybar * np.log(ybar) + (1 - ybar) * np.log(1 - ybar)))
    else:
        pk = np.bincount(y.astype(np.int64), weights=w, minlength=K) / w.sum()
        ll0 = float(w.sum() * (pk[pk > 0] @ np.log(pk[pk > 0])))
    out = np.zeros(len(sets))
    q = 1 if kind == "binary" else K - 1  # intercepts/thresholds before the slopes
    done: dict[int, np.ndarray] = {} if fits is None else fits
    for k, s in enumerate(sets):
        s = int(s)
        if s == 0:
            continue
        cols = [j for j in range(p) if s >> j & 1]
        start = None if starts is None else starts.get(s)
        if start is None and (s & (s - 1)) in done:  # parent: drop the lowest driver
            par = done[s & (s - 1)]
            start = np.concatenate([par[:q], [0.0], par[q:]])
        Xs = X[:, cols]
        if kind == "binary":
            llk, par = _logit_ll(y, Xs, w, start=start)
        else:
            llk, par = _ordinal_ll(y, Xs, w, K, start=start)
        done[s] = par
        out[k] = 1.0 - llk / ll0
    return out
