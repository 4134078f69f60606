"""Small linear-algebra routines shared by the measurement estimators."""

from __future__ import annotations

import numpy as np
from scipy import optimize

__all__ = ["minres_one_factor"]


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
    start = np.clip(1.0 - smc, 0.005, 1.0)
    out = optimize.minimize(obj, start, method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000})
    lam = loadings(out.x)
    return lam if lam.sum() >= 0 else -lam
