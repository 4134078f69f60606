"""Regression kernels: ordinary least squares with robust covariances, restricted cubic
splines.

Every module that fits a linear model by least squares goes through :func:`ols`
(plateau and shape tests, impact asymmetry, what-if predictions), every logistic model of
predictions through :func:`logit`; spline terms come from
:func:`rcs_basis` with knots at :func:`harrell_knots`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ..errors import InsufficientDataError
from .linalg import damped_newton
from .validation import check_int

__all__ = ["OLSFit", "ols", "logit", "HARRELL_QUANTILES", "harrell_knots", "rcs_basis",
           "rcs_deriv"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


@dataclass(frozen=True)
class OLSFit:
    """Least-squares fit: coefficients, covariances, residuals.

    ``cov`` is the covariance asked for (``cov_type``); ``cov_classic`` the classical
    ``sigma^2 (X'X)^{-1}``. ``r2`` is centred (1 - RSS/TSS).
    """

    beta: np.ndarray
    cov: np.ndarray
    cov_classic: np.ndarray
    resid: np.ndarray
    rss: float
    df_resid: int
    sigma2: float
    r2: float
    cov_type: str


def ols(X: np.ndarray, y: np.ndarray, cov_type: str = "nonrobust") -> OLSFit:
    """Least squares by QR with classical or heteroskedasticity-consistent covariance.

    Parameters
    ----------
    X : ndarray (n, p)
        Design matrix, intercept column included by the caller.
    y : ndarray (n,)
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3"}
        HC0 is White's (1980) sandwich; HC1 scales it by n / (n - p); HC2 and HC3 weight
        each squared residual by 1 / (1 - h_ii) and 1 / (1 - h_ii)^2 (MacKinnon & White
        1985). HC3 is the small-sample choice of Long & Ervin (2000), as statsmodels
        ``cov_type="HC3"`` and R ``sandwich::vcovHC(type = "HC3")``.

    Raises
    ------
    InsufficientDataError
        When the design is rank deficient or has no residual degrees of freedom.
    """
    n, p = X.shape
    q, r = np.linalg.qr(X)
    d = np.abs(np.diag(r))
    if d.size < p or n <= p or d.min() <= 1e-9 * max(d.max(), 1.0):
        raise InsufficientDataError(
            "the design matrix is singular (a driver or covariate is constant or collinear "
            f"with the others, or there are too few rows: n={n}, columns={p}); "
            "drop the collinear column or add data."
        )
    rinv = np.linalg.solve(r, np.eye(p))
    xtx_inv = rinv @ rinv.T
    beta = rinv @ (q.T @ y)
    resid = y - X @ beta
    rss = float(resid @ resid)
    df = n - p
    sigma2 = rss / df
    cov_c = sigma2 * xtx_inv
    if cov_type == "nonrobust":
        cov = cov_c
    else:
        h = np.einsum("ij,ij->i", q, q)
        u2 = resid**2
        if cov_type == "HC1":
            u2 = u2 * n / df
        elif cov_type == "HC2":
            u2 = u2 / np.clip(1.0 - h, 1e-12, None)
        elif cov_type == "HC3":
            u2 = u2 / np.clip(1.0 - h, 1e-12, None) ** 2
        cov = xtx_inv @ (X.T @ (X * u2[:, None])) @ xtx_inv
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - rss / tss if tss > 0 else float("nan")
    return OLSFit(beta, cov, cov_c, resid, rss, df, sigma2, r2, cov_type)


def logit(X: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, *, tol: float = 1e-10,
          max_iter: int = 100, start: np.ndarray | None = None) -> np.ndarray:
    """Maximum-likelihood logistic regression coefficients by Newton's method with step
    halving (``X`` includes the intercept column; optional case weights ``w``; ``start``:
    starting coefficients, default the intercept-only MLE).

    At the MLE with an intercept the (weighted) mean fitted probability equals the observed
    share of ones (the intercept's score equation), as ``statsmodels.Logit`` and R ``glm``.

    Raises
    ------
    InsufficientDataError
        When ``y`` has one value only.
    numpy.linalg.LinAlgError
        A singular design.
    ConvergenceError
        No convergence in ``max_iter`` steps (complete separation).
    """
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    ybar = float(w @ y / w.sum())
    if not 0 < ybar < 1:
        raise InsufficientDataError("a logistic model needs both outcomes; all rows have one.")
    if start is None:
        beta = np.zeros(p)
        beta[0] = np.log(ybar / (1 - ybar))
    else:
        beta = np.asarray(start, dtype=float)

    last: dict[str, np.ndarray] = {}

    def ll(b: np.ndarray) -> float:
        # one exp per row for both log(1 + e^eta) and the fitted probability, which the
        # next Newton step reuses (it is taken at the point just evaluated)
        eta = X @ b
        e = np.exp(-np.abs(eta))
        last["b"], last["mu"] = b, np.where(eta >= 0, 1.0, e) / (1.0 + e)
        return float(w @ (y * eta - np.maximum(eta, 0.0) - np.log1p(e)))

    def step(b: np.ndarray) -> np.ndarray:
        mu = last["mu"] if last.get("b") is b else special.expit(X @ b)
        g = X.T @ (w * (y - mu))
        H = (X * (w * mu * (1 - mu))[:, None]).T @ X
        return np.linalg.solve(H, g)

    beta, _ = damped_newton(ll, step, beta, tol=tol, max_iter=max_iter,
                            what="logistic regression (complete separation?)")
    return beta


#: Harrell (2015, Regression Modeling Strategies, 2nd ed., Table 2.3) knot quantiles.
HARRELL_QUANTILES: dict[int, tuple[float, ...]] = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
    6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95),
    7: (0.025, 0.1833, 0.3417, 0.50, 0.6583, 0.8167, 0.975),
}


def harrell_knots(x: Any, n_knots: int = 4) -> np.ndarray:
    """Knots of a restricted cubic spline at Harrell's quantiles (duplicates dropped).

    Harrell (2015), *Regression Modeling Strategies*, 2nd ed., Table 2.3; quantiles of
    type 7 (R's default ``quantile``). With a discrete driver several quantiles can
    coincide; duplicated knots are dropped, so fewer knots may come back.
    """
    n_knots = check_int(n_knots, "n_knots", min_value=3, max_value=7)
    x = np.asarray(x, dtype=float)
    return np.unique(np.quantile(x, HARRELL_QUANTILES[n_knots]))


def rcs_basis(x: Any, knots: Sequence[float]) -> np.ndarray:
    """Nonlinear terms of Harrell's restricted cubic spline (``Hmisc::rcspline.eval``, norm=2).

    For knots t_1 < ... < t_k returns k - 2 columns
    ``[(x-t_j)_+^3 - (x-t_{k-1})_+^3 (t_k-t_j)/(t_k-t_{k-1})
    + (x-t_k)_+^3 (t_{k-1}-t_j)/(t_k-t_{k-1})] / (t_k-t_1)^2``; together with ``x`` they
    span the natural cubic splines with these knots (linear beyond the outer knots).
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(knots, dtype=float)
    k = t.size
    if k < 3:
        return np.empty((x.size, 0))
    norm = (t[-1] - t[0]) ** 2
    cols = []
    for j in range(k - 2):
        c = (np.maximum(x - t[j], 0) ** 3
             - np.maximum(x - t[-2], 0) ** 3 * (t[-1] - t[j]) / (t[-1] - t[-2])
             + np.maximum(x - t[-1], 0) ** 3 * (t[-2] - t[j]) / (t[-1] - t[-2]))
        cols.append(c / norm)
    return np.column_stack(cols)


def rcs_deriv(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """d/dx of :func:`rcs_basis` columns."""
    t = knots
    k = t.size
    norm = (t[-1] - t[0]) ** 2
    cols = []
    for j in range(k - 2):
        c = 3 * (np.maximum(x - t[j], 0) ** 2
                 - np.maximum(x - t[-2], 0) ** 2 * (t[-1] - t[j]) / (t[-1] - t[-2])
                 + np.maximum(x - t[-1], 0) ** 2 * (t[-2] - t[j]) / (t[-1] - t[-2]))
        cols.append(c / norm)
    return np.column_stack(cols) if cols else np.empty((x.size, 0))
