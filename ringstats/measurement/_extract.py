"""Factor extraction, rotation and fit statistics behind :func:`ringstats.measurement.efa`.

Extraction is ringstats' own, on SciPy's L-BFGS-B, and follows ``psych::fa`` (``fac``):

* ``minres``: the uniquenesses ``psi`` minimise the sum of squared off-diagonal residuals
  of R against the loadings from the first k eigenpairs of R with ``1 - psi`` on the
  diagonal (Harman & Jones 1966), with psych's gradient ``diag(L L' + Psi - R)``;
* ``ml``: ``psi`` minimise the ML discrepancy through the eigenvalues of
  ``Psi^-1/2 R Psi^-1/2`` with the gradient of ``factanal`` (Joreskog 1967; Lawley &
  Maxwell 1971);
* ``principal``: principal-component loadings (eigenvectors of R times the root
  eigenvalues), not psych's iterated principal axis.

Both iterative methods start from ``1 - SMC``, bound ``psi`` to [0.005, 1] and optimise on
psych's scale (``parscale = 0.01``, L-BFGS-B memory 5, ``factr = 1e7``), so they land on
psych's solutions; a few Newton steps on the gradient (``polish_root``) then take the
stopping point to the exact stationary point, so the result no longer depends on the last
bits of R (in memory or from survey moments: equal to 1e-12). The loadings of ``minres``
come from ``R - Psi`` (psych ``FAout.wls``), of ``ml`` from the scaled eigenvectors
(``FAout``). Rotations are factor-analyzer's
``Rotator`` (GPA, Jennrich 2002). The fit statistics are psych's ``fa.stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from .._kernels.fit import rmsea_ci
from .._kernels.linalg import polish_root
from ..errors import ConvergenceError

__all__: list[str] = []

_LOWER, _UPPER = 0.005, 1.0  # psych's bounds on the uniquenesses
_SCALE = 0.01  # psych's parscale
_OPTIONS = {"maxcor": 5, "ftol": 1e7 * np.finfo(float).eps, "gtol": 1e-12, "maxiter": 1000}


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1 / diag(R^-1)``, clipped to [0, 1] (psych ``smc``)."""
    try:
        inv_diag = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        return np.ones(r.shape[0])
    return np.clip(1.0 - 1.0 / inv_diag, 0.0, 1.0)


def _top(vals: np.ndarray, vecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest eigenpairs in descending order (``eigh`` returns ascending)."""
    return vals[:-k - 1:-1], vecs[:, :-k - 1:-1]


def _minres_fg(x: np.ndarray, r: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """psych ``fit.residuals`` (fm = "minres") and ``FAgr.minres`` on the scaled parameters."""
    psi = x * _SCALE
    s = r.copy()
    s.flat[:: r.shape[0] + 1] = 1.0 - psi
    vals, vecs = _top(*np.linalg.eigh(s), k)
    eps = np.finfo(float).eps
    lam = vecs * np.sqrt(np.where(vals < eps, 100 * eps, vals))
    resid = s - lam @ lam.T
    f = float(np.sum(np.tril(resid, -1) ** 2))
    # psych's gradient uses pmax(values, 0) instead of the 100 eps floor
    lam_g = vecs * np.sqrt(np.maximum(vals, 0.0))
    g = np.einsum("ij,ij->i", lam_g, lam_g) + psi - np.diag(r)
    return f, g * _SCALE


def _ml_fg(x: np.ndarray, r: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """``factanal``'s ``FAfn`` and ``FAgr`` (psych fm = "ml") on the scaled parameters."""
    psi = x * _SCALE
    sc = 1.0 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(r * np.outer(sc, sc))
    e = vals[: r.shape[0] - k]
    f = -float(np.sum(np.log(e) - e) - k + r.shape[0])
    tv, tvec = _top(vals, vecs, k)
    lam = np.sqrt(psi)[:, None] * tvec * np.sqrt(np.maximum(tv - 1.0, 0.0))
    g = (np.einsum("ij,ij->i", lam, lam) + psi - np.diag(r)) / psi ** 2
    return f, g * _SCALE


def _loadings(psi: np.ndarray, r: np.ndarray, k: int, method: str) -> np.ndarray:
    if method == "minres":  # psych FAout.wls
        s = r.copy()
        s.flat[:: r.shape[0] + 1] -= psi
        vals, vecs = _top(*np.linalg.eigh(s), k)
        return vecs * np.sqrt(np.maximum(vals, 0.0))
    sc = 1.0 / np.sqrt(psi)  # factanal FAout
    vals, vecs = _top(*np.linalg.eigh(r * np.outer(sc, sc)), k)
    return np.sqrt(psi)[:, None] * vecs * np.sqrt(np.maximum(vals - 1.0, 0.0))


def extract(r: np.ndarray, k: int, method: str) -> np.ndarray:
    """Unrotated loadings (p x k) of the correlation matrix ``r`` by ``method``.

    Raises :class:`~ringstats.errors.ConvergenceError` when the optimiser stops without
    converging or the loadings are not finite.
    """
    if method == "principal":
        vals, vecs = _top(*np.linalg.eigh(r), k)
        return vecs * np.sqrt(np.maximum(vals, 0.0))
    fg = _minres_fg if method == "minres" else _ml_fg
    start = np.clip(np.diag(r) - smc(r), _LOWER, _UPPER)
    p = r.shape[0]
    with np.errstate(all="ignore"):
        res = optimize.minimize(fg, start / _SCALE, args=(r, k), jac=True, method="L-BFGS-B",
                                bounds=[(_LOWER / _SCALE, _UPPER / _SCALE)] * p,
                                options=_OPTIONS)
        x = polish_root(lambda v: fg(v, r, k)[1], res.x, _LOWER / _SCALE, _UPPER / _SCALE)
        lam = _loadings(x * _SCALE, r, k, method)
    if not res.success or not np.all(np.isfinite(lam)):
        why = res.message if not res.success else "non-finite loadings"
        raise ConvergenceError(
            f"factor extraction ({method}, {k} factors) did not converge: {why}; no estimates "
            "are returned. Try fewer factors or method='minres'."
        )
    return lam


def rotate(lam: np.ndarray, rotation: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Rotated loadings and factor correlations by factor-analyzer's ``Rotator``."""
    k = lam.shape[1]
    if rotation is None or k == 1:
        return lam, np.eye(k)
    from factor_analyzer import Rotator

    rot = Rotator(method="geomin_obl" if rotation == "geomin" else rotation)
    out = np.asarray(rot.fit_transform(lam), dtype=float)
    phi = np.eye(k) if rot.phi_ is None else np.asarray(rot.phi_, dtype=float)
    if not np.all(np.isfinite(out)) or not np.all(np.isfinite(phi)):
        raise ConvergenceError(f"the {rotation} rotation did not converge; no estimates are "
                               "returned.")
    return out, phi


_FIT_NAMES = ["objective", "chisq", "df", "p_val", "tli", "rmsea", "rmsea_ci_low",
              "rmsea_ci_high", "bic", "rmsr"]


def fit_statistics(r: np.ndarray, model: np.ndarray, k: int, n: int,
                   logdet_r: float) -> pd.Series:
    """psych ``fa.stats``: ML objective of the implied correlation matrix ``model``
    (``Lambda Phi Lambda'``, diagonal set to that of R), Bartlett-corrected chi-square, TLI,
    RMSEA with its 90% interval (N - 1 convention), BIC and RMSR. ``logdet_r`` is
    ``log|R|`` (for the independence model)."""
    p = r.shape[0]
    sigma = model.copy()
    sigma.flat[:: p + 1] = np.diag(r)
    resid = r - sigma
    rmsr = float(np.sqrt(np.mean(resid[np.tril_indices(p, -1)] ** 2)))
    df = p * (p - 1) // 2 - p * k + k * (k - 1) // 2
    out = dict.fromkeys(_FIT_NAMES, np.nan)
    out["rmsr"] = rmsr
    out["df"] = float(df)
    try:
        mir = np.linalg.solve(sigma, r)
    except np.linalg.LinAlgError:
        return pd.Series(out)
    sign, logdet = np.linalg.slogdet(mir)
    if sign <= 0 or df <= 0:
        return pd.Series(out)
    obj = float(np.trace(mir) - logdet - p)
    chisq = obj * ((n - 1) - (2 * p + 5) / 6 - 2 * k / 3)
    chisq0 = -logdet_r * ((n - 1) - (2 * p + 5) / 6)
    df0 = p * (p - 1) / 2
    lo, hi = rmsea_ci(chisq, df, n - 1)
    out.update(objective=obj, chisq=chisq, p_val=float(special.chdtrc(df, chisq)),
               tli=(chisq0 / df0 - chisq / df) / (chisq0 / df0 - 1),
               rmsea=float(np.sqrt(max((chisq / df - 1) / (n - 1), 0.0))),
               rmsea_ci_low=lo, rmsea_ci_high=hi, bic=chisq - df * np.log(n))
    return pd.Series(out)
