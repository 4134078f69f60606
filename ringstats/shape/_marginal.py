"""Marginal effects: the slope curve dE[y]/dx of the spline fit with a simultaneous band
and the "plateau region" where the whole band lies below the sesoi."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.regression import harrell_knots, ols, rcs_basis, rcs_deriv
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_real,
    check_seed,
)
from ..errors import InsufficientDataError, RingstatsError
from ._data import resolve_plateau_data
from ._results import PlateauResult
from ._segmented import COV_TYPES

__all__ = ["marginal_effects", "MarginalEffects"]


@dataclass(frozen=True)
class MarginalEffects(ResultMixin):
    """Slope curve dE[y]/dx of the spline fit with a simultaneous band."""

    table: pd.DataFrame  # x, estimate, se, ci_low, ci_high (simultaneous), pw_low, pw_high
    critical_value: float
    sesoi: float
    plateau_region: tuple | None
    driver: str
    outcome: str
    ci: float
    scores: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The slope curve: one row per grid point."""
        return self.table.copy()

    def summary(self) -> Summary:
        s = Summary(f"Marginal effect of {self.driver} on {self.outcome}")
        reg = ("none" if self.plateau_region is None
               else f"[{self.plateau_region[0]:.3f}, {self.plateau_region[1]:.3f}]")
        s.add_dict({"sup-t critical value": self.critical_value, "sesoi": self.sesoi,
                    "plateau region (band below sesoi)": reg})
        s.add_table(self.table.iloc[:: max(1, len(self.table) // 10)], "Slope curve (excerpt)")
        return s


def marginal_effects(
    plateau_or_data: PlateauResult | pd.DataFrame,
    *,
    outcome: str | None = None,
    driver: str | None = None,
    covariates: Sequence[str] | None = None,
    sesoi: float | None = None,
    n_knots: int = 4,
    ci: float = 0.95,
    grid: int = 100,
    n_sim: int = 10000,
    seed: int | None = 0,
    cov_type: str = "HC3",
) -> MarginalEffects:
    """Slope curve dE[y]/dx of the restricted-cubic-spline fit with a simultaneous band.

    The derivative of the spline at ``grid`` points between the 1st and 99th percentile
    of the driver is ``d(g)' beta``; its pointwise SE comes from the coefficient
    covariance (``cov_type``). The simultaneous band uses the sup-t critical value:
    the ``ci`` quantile of ``max_g |d(g)' e| / se(g)`` over ``n_sim`` draws
    ``e ~ N(0, V)`` (Ruppert, Wand & Carroll 2003, sec. 6.5; Montiel Olea &
    Plagborg-Moller 2019), the simulation analogue of a Working-Hotelling band. The
    **plateau region** is the set of grid points where the upper simultaneous limit
    lies below ``sesoi`` (reported as its smallest and largest point, or None).

    Parameters
    ----------
    plateau_or_data : PlateauResult or pandas.DataFrame
        A result of :func:`plateau` (its data, knots, covariates and sesoi are reused)
        or a DataFrame with ``outcome`` and ``driver``.
    sesoi : float, optional
        Absolute slope bound; default the plateau result's sesoi (required for data).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ringstats.shape import marginal_effects
    >>> rng = np.random.default_rng(2)
    >>> x = rng.uniform(0, 10, 2000)
    >>> d = pd.DataFrame({"x": x, "y": np.minimum(x, 5) + rng.normal(0, 1, 2000)})
    >>> me = marginal_effects(d, outcome="y", driver="x", sesoi=0.3)
    >>> me.plateau_region is not None
    True
    """
    ci = check_probability(ci, "ci")
    grid = check_int(grid, "grid", min_value=5)
    n_sim = check_int(n_sim, "n_sim", min_value=100)
    seed = check_seed(seed)
    check_option(cov_type, "cov_type", COV_TYPES)
    if isinstance(plateau_or_data, PlateauResult):
        r = plateau_or_data
        x, y, Z = r.design.x, r.design.y, r.design.Z
        knots = r.spline.knots
        drv, out, metric = r.driver, r.outcome, r.scores
        if sesoi is None:
            sesoi = r.equivalence.sesoi
    elif isinstance(plateau_or_data, pd.DataFrame):
        data = plateau_or_data
        if outcome is None or driver is None:
            raise RingstatsError("with a DataFrame give both `outcome` and `driver`; got "
                                 f"outcome={outcome!r}, driver={driver!r}.")
        (d,) = resolve_plateau_data(data, outcome=outcome, driver=driver,
                                    covariates=covariates or None)
        x, y, Z = d.x, d.y, d.Z
        if len(y) < 5:
            raise InsufficientDataError(
                f"`data` must have at least 5 complete rows of `outcome` and `driver`; got "
                f"{len(y)}.")
        for role, name, v in (("driver", driver, x), ("outcome", outcome, y)):
            if np.ptp(v) == 0:
                raise InsufficientDataError(
                    f"`{role}` {name!r} must vary; every complete row has {v[0]:g}.")
        knots = harrell_knots(x, n_knots)
        drv, out, metric = driver, outcome, None
        if sesoi is None:
            raise RingstatsError("`sesoi` must be given (a positive slope) with a DataFrame; "
                                 "got None.")
    else:
        raise RingstatsError("`plateau_or_data` must be a PlateauResult or a DataFrame; got "
                             f"{type(plateau_or_data).__name__}.")
    sesoi = check_real(sesoi, "sesoi", min_value=0.0, inclusive=False)
    n = x.size
    B = rcs_basis(x, knots)
    X = np.column_stack([np.ones(n), Z, x, B])
    fit = ols(X, y, cov_type)
    j0 = 1 + Z.shape[1]
    idx = np.arange(j0, X.shape[1])
    g = np.linspace(np.quantile(x, 0.01), np.quantile(x, 0.99), grid)
    D = np.column_stack([np.ones(grid), rcs_deriv(g, knots)])
    beta = fit.beta[idx]
    V = fit.cov[np.ix_(idx, idx)]
    est = D @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", D, V, D))
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(V + 1e-14 * np.eye(V.shape[0]))
    E = rng.standard_normal((n_sim, V.shape[0])) @ L.T
    crit = float(np.quantile(np.max(np.abs(E @ D.T) / se, axis=1), ci))
    zq = stats.norm.ppf(0.5 + ci / 2)
    tab = pd.DataFrame({"x": g, "estimate": est, "se": se, "ci_low": est - crit * se,
                        "ci_high": est + crit * se, "pw_low": est - zq * se,
                        "pw_high": est + zq * se})
    tab["in_plateau"] = tab["ci_high"] < sesoi
    region = None
    if tab["in_plateau"].any():
        xs = tab.loc[tab["in_plateau"], "x"]
        region = (float(xs.min()), float(xs.max()))
    return MarginalEffects(table=tab, critical_value=crit, sesoi=float(sesoi),
                           plateau_region=region, driver=drv, outcome=out, ci=ci,
                           scores=metric)
