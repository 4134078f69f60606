"""Small linear-algebra routines shared by the measurement estimators."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy import optimize

__all__ = ["minres_one_factor", "pairwise_corr", "single_thread_blas", "damped_newton", "cor_smooth",
           "polish_root"]


def minres_one_factor(r: np.ndarray) -> np.ndarray:
    """One-factor minimum-residual (ULS) loadings as ``psych::fa(fm = "minres")``.

    Minimises the off-diagonal squared residuals over the uniquenesses (bounded to
    [0.005, 1], psych's bounds), loadings from the first eigenpair of R with 1 - psi on the
    diagonal (Harman & Jones 1966; Revelle, ``psych::fa``). The sign makes the loadings
    sum to a non-negative number.
    """
    p = r.shape[0]

    def loadings(psi: np.ndarray) -> np.ndarray:
        s = r.copy()
        s[np.diag_indices(p)] = 1.0 - psi
        vals, vecs = np.linalg.eigh(s)
        return vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))

    def obj(psi: np.ndarray) -> float:
        lam = loadings(psi)
        res = r - np.outer(lam, lam)
        res[np.diag_indices(p)] = 0.0
        return float((res ** 2).sum())

    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(p, 0.5)
    def grad(psi: np.ndarray) -> np.ndarray:  # psych FAgr.minres: diag(L L') + psi - diag(R)
        return loadings(psi) ** 2 + psi - np.diag(r)

    start = np.clip(1.0 - smc, 0.005, 1.0)
    out = optimize.minimize(obj, start, method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000})
    lam = loadings(polish_root(grad, out.x, 0.005, 1.0))
    return lam if lam.sum() >= 0 else -lam


def polish_root(grad: Any, x: np.ndarray, lower: float, upper: float, *,
                max_steps: int = 6, gtol: float = 1e-13) -> np.ndarray:
    """Newton steps on ``grad(x) = 0`` from an optimiser's stopping point, within bounds.

    Quasi-Newton optimisers (L-BFGS-B on factor uniquenesses) stop when the objective
    changes by a relative 1e-9 or so, which leaves the parameters uncertain in their fifth
    or sixth digit; where exactly they stop depends on the last bits of the input. A few
    Newton steps on the stationarity condition (central-difference Jacobian of the analytic
    gradient, coordinates at a bound with the gradient pushing outwards held fixed) take
    the gradient to rounding level, so the same matrix, however it was summed (in memory or
    merged from survey moments), gives the same solution to about 1e-12. A step is kept
    only when it shrinks the largest free gradient component; otherwise ``x`` is returned
    as it came (Nocedal & Wright 2006, ch. 11).
    """
    x = np.clip(np.asarray(x, dtype=float), lower, upper)
    g = grad(x)
    at_bound = ((x <= lower) & (g > 0)) | ((x >= upper) & (g < 0))
    free = np.flatnonzero(~at_bound)
    if free.size == 0:
        return x
    gmax = float(np.max(np.abs(g[free])))
    for _ in range(max_steps):
        if not gmax > gtol:
            break
        jac = np.empty((free.size, free.size))
        for c, i in enumerate(free):
            h = 1e-6 * max(1.0, abs(x[i]))
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            jac[:, c] = (grad(xp)[free] - grad(xm)[free]) / (2 * h)
        try:
            step = np.linalg.solve(jac, g[free])
        except np.linalg.LinAlgError:
            break
        cand = x.copy()
        cand[free] = np.clip(x[free] - step, lower, upper)
        gc = grad(cand)
        gc_max = float(np.max(np.abs(gc[free])))
        if not (np.all(np.isfinite(gc)) and gc_max < gmax):
            break
        x, g, gmax = cand, gc, gc_max
    return x


def pairwise_corr(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlations, batched.

    ``x``: (..., n, p) with zeros where missing; ``m``: (..., n, p) 0/1 observed mask (float).
    Returns (..., p, p): for each pair, the correlation over the rows where both are observed
    (pandas ``DataFrame.corr()``); with complete data the ordinary correlation matrix. Pairs
    with fewer than two joint rows or no variance give NaN. Four matrix products per batch;
    centre the columns first (zeros stay zeros) when their means are large against their
    spread, the sums are taken about zero.
    """
    xt = np.swapaxes(x, -1, -2)
    mt = np.swapaxes(m, -1, -2)
    n = mt @ m
    sx = xt @ m  # sum of x_i over the rows where i and j are observed
    sxx = (xt * xt) @ m
    sxy = xt @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = sx / n
        my = np.swapaxes(mx, -1, -2)
        cov = sxy / n - mx * my
        vx = sxx / n - mx * mx
        vy = np.swapaxes(vx, -1, -2)
        r = cov / np.sqrt(vx * vy)
    return r


_CONTROLLER: Any = None


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run the block with BLAS/LAPACK (and OpenMP) limited to one thread.

    For loops over small matrices (factor extraction and rotation on 25 x 25 correlation
    matrices): threaded OpenBLAS gains nothing there and, on a machine whose cores are
    busy, its thread hand-offs made each call up to 20 times slower (measured). The
    controller is built once per process (threadpoolctl); the limit is process-wide while
    the block runs and restored afterwards.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=1):
        yield


def damped_newton(objective: Any, newton_step: Any, x0: np.ndarray, *, tol: float = 1e-10,
                  max_iter: int = 100, what: str = "Newton's method") -> tuple[np.ndarray, float]:
    """Maximise a concave ``objective`` by Newton steps with step halving.

    ``newton_step(x)`` returns the full Newton step at ``x`` (``-H^{-1} g``); a step is
    halved until the objective does not fall (down to 1/2^27 of it). Stops when the
    objective changes by less than ``tol * (1 + |objective|)``. Returns ``(x, objective)``.
    The one line search of the package: the logistic kernel and the cumulative-logit
    driver model both use it (Nocedal & Wright 2006, ch. 3, backtracking).

    Raises
    ------
    ConvergenceError
        No convergence in ``max_iter`` steps; the message names ``what``.
    """
    from ..errors import ConvergenceError

    x = np.asarray(x0, dtype=float)
    cur = objective(x)
    for _ in range(max_iter):
        step = newton_step(x)
        t = 1.0
        while True:
            trial = x + t * step
            new = objective(trial)
            if new >= cur - 1e-12 or t < 1e-8:
                break
            t /= 2
        x = trial  # the very array last evaluated (objectives may cache on it)
        done = abs(new - cur) < tol * (1 + abs(cur))
        cur = new
        if done:
            return x, cur
    raise ConvergenceError(f"{what} did not converge in {max_iter} steps.")


def cor_smooth(mat: np.ndarray, *, below: float, floor: float) -> np.ndarray:
    """psych's ``cor.smooth``: eigenvalues below ``below`` set to ``floor``, rescaled to sum
    to the number of variables, the matrix rebuilt and rescaled to a unit diagonal
    (Revelle, ``psych::cor.smooth``; Wothke 1993). The one smoothing of the package: the
    polychoric ``nearest_pd`` and EFA's non-positive-definite guard use it.
    """
    vals, vecs = np.linalg.eigh((mat + mat.T) / 2.0)
    vals = np.where(vals < below, floor, vals)
    vals = len(vals) * vals / vals.sum()
    new = (vecs * vals) @ vecs.T
    s = np.sqrt(np.diag(new))
    new = new / np.outer(s, s)
    np.fill_diagonal(new, 1.0)
    return (new + new.T) / 2.0
