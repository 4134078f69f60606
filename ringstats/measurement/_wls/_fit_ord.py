"""WLSMV for :func:`~ringstats.measurement.cfa` and :func:`~ringstats.measurement.sem`.

The choice of estimator (``"auto"``: ordinal when every item has at most five categories,
Rhemtulla, Brosseau-Liard & Savalei 2012), the checks ordinal estimation needs, and the
fit of a CFA or SEM structure by DWLS in the delta parameterisation (``_delta``,
``_dwls``), returned in the shapes the ML paths return.

References
----------
Rhemtulla, M., Brosseau-Liard, P. E. & Savalei, V. (2012). When can categorical variables
be treated as continuous? A comparison of robust continuous and categorical SEM estimation
methods under suboptimal conditions. *Psychological Methods* 17, 354-373.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._kernels.validation import check_option
from ...errors import SpecError, ValidationError
from . import OrdinalMoments
from ._delta import DeltaModel
from ._dwls import DWLSFit, dwls_fit

__all__ = ["ESTIMATORS", "resolve_estimator", "fit_ordinal", "AUTO_NOTE", "threshold_rows", "summary_lines", "derived_residuals", "WLSMV_NOTE",
           "wlsmv_fit_rows"]

ESTIMATORS = ("auto", "ML", "WLSMV")
#: Most categories treated as ordinal by ``estimator="auto"``.
MAX_AUTO_CATEGORIES = 5
#: Most categories ordinal estimation accepts (lavaan's limit for polychorics is similar).
MAX_CATEGORIES = 20
AUTO_NOTE = ("items have at most 5 categories: estimated as ordinal (WLSMV), Rhemtulla et al. "
             "2012; estimator='ML' overrides.")


def _distinct(x: np.ndarray) -> list[np.ndarray]:
    return [np.unique(col[~np.isnan(col)]) for col in x.T]


def looks_ordinal(x: np.ndarray, *, values: list[np.ndarray] | None = None) -> bool:
    """The ``estimator="auto"`` rule, for cfa, sem and invariance alike: every column holds
    integer codes with at most five distinct values (NaN ignored). ``values``: the columns'
    distinct values, when the caller has them already."""
    for v in _distinct(x) if values is None else values:
        if v.size == 0 or np.any(v != np.round(v)) or v.size > MAX_AUTO_CATEGORIES:
            return False
    return True


def resolve_estimator(estimator: str, x: np.ndarray, items: list[str],
                      nan_policy: str) -> tuple[str, list[str]]:
    """The estimator to use and the notes saying why.

    ``"auto"`` becomes ``"WLSMV"`` when every item holds integer codes with at most five
    distinct values (:func:`looks_ordinal`) and rows are deleted listwise (FIML and
    pairwise deletion are normal-theory ML here), else ``"ML"``. ``"WLSMV"`` needs integer-coded items with 2 to 20 categories and listwise
    deletion.
    """
    check_option(estimator, "estimator", ESTIMATORS)
    vals = _distinct(x)
    if estimator == "auto":
        if nan_policy == "listwise" and looks_ordinal(x, values=vals):
            return "WLSMV", [AUTO_NOTE]
        return "ML", []
    if estimator == "WLSMV":
        if nan_policy != "listwise":
            raise ValidationError([
                f"estimator='WLSMV' needs nan_policy='listwise' (got {nan_policy!r}): FIML "
                "is a normal-theory likelihood and pairwise polychorics are not supported; "
                "rows with a missing item are deleted listwise (lavaan's default for "
                "ordered items)."])
        for it, v in zip(items, vals, strict=True):
            if np.any(v != np.round(v)):
                raise ValidationError([
                    f"estimator='WLSMV' treats items as ordered categories, but item `{it}` "
                    f"has non-integer values (e.g. {v[v != np.round(v)][0]:g}); use "
                    "estimator='ML' for continuous items."])
            if len(v) > MAX_CATEGORIES:
                raise ValidationError([
                    f"estimator='WLSMV' accepts at most {MAX_CATEGORIES} categories per item; "
                    f"item `{it}` has {len(v)} distinct values. Use estimator='ML'."])
    return estimator, []


def _moments(x: np.ndarray, items: list[str]) -> OrdinalMoments:
    from ._stats import ordinal_moments

    return ordinal_moments(pd.DataFrame(x, columns=items), items=items)


def _resid_positions(st: Any) -> list[tuple[int, int]]:
    """(position, item) of the residual-variance parameters of a CFA or SEM structure."""
    if hasattr(st, "free_lambda"):
        base = st.n_lambda + st.n_phi
        return [(base + j, j) for j in range(st.p)]
    if any(st.phantom):
        names = [lv for lv, ph in zip(st.latents, st.phantom, strict=True) if ph]
        raise SpecError(
            "estimator='WLSMV' fits ordered items only: `paths` may relate constructs, but "
            f"not observed variables ({', '.join(names)}). Add them as items of a construct "
            "or use estimator='ML'.")
    return [(n, r) for n, (kind, r, _) in enumerate(st.free) if kind == "theta"]


def fit_ordinal(st: Any, x: np.ndarray, *, start: np.ndarray | None = None,
                what: str = "WLSMV") -> dict[str, Any]:
    """DWLS fit of a CFA or SEM structure to ordered items (one group).

    Returns a dict: ``theta`` (the structure's vector, residual variances derived),
    ``vcov`` (its robust covariance; derived residual variances by the delta method),
    ``dwls`` (the :class:`DWLSFit`), ``model`` (:class:`DeltaModel`), ``moments``,
    ``sigma`` (implied correlations), ``n``, ``nit``.
    """
    items = list(st.items)
    m = _moments(x, items)
    md = DeltaModel(st, m, _resid_positions(st))
    x0 = md.start()
    if start is not None:
        x0 = np.concatenate([m.s[:m.n_thresholds], np.asarray(start)[md.keep]])
    fit = dwls_fit([m], md, x0, what=what)
    full = md.full(fit.theta)
    jac = md.full_jacobian(fit.theta)
    vcov = jac @ fit.vcov @ jac.T
    return {"theta": full, "vcov": vcov, "dwls": fit, "model": md, "moments": m,
            "sigma": st.sigma(full), "n": m.n, "nit": fit.n_iter}


def threshold_rows(fit: DWLSFit, m: OrdinalMoments, zc: float) -> pd.DataFrame:
    """The thresholds in lavaan's ``parameterEstimates`` layout (``op = "|"``)."""
    k = m.n_thresholds
    est = fit.theta[:k]
    se = np.sqrt(np.clip(np.diag(fit.vcov)[:k], 0, None))
    lab = [(m.items[j], f"t{i + 1}") for j, t in enumerate(m.thresholds) for i in range(len(t))]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    return pd.DataFrame({
        "lhs": [a for a, _ in lab], "op": "|", "rhs": [b for _, b in lab], "estimate": est,
        "se": se, "z": z, "p_val": 2 * stats.norm.sf(np.abs(z)), "ci_low": est - zc * se,
        "ci_high": est + zc * se, "std_estimate": est, "std_se": se,
        "std_ci_low": est - zc * se, "std_ci_high": est + zc * se, "fixed": False,
    })


def wlsmv_fit_rows(fit: DWLSFit) -> pd.Series:
    """The fit report with the ML-only entries (likelihood, AIC, BIC) as NaN."""
    f = fit.fit.copy()
    for key in ("loglik", "loglik_h1", "aic", "bic"):
        f[key] = np.nan
    f.attrs["estimator"] = "WLSMV"
    return f


def derived_residuals(table: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Mark the residual variances of ordered items as derived (``1 - R^2``; no SE, as
    lavaan prints them)."""
    out = table.copy()
    sel = (out["op"] == "~~") & (out["lhs"] == out["rhs"]) & out["lhs"].isin(items)
    out.loc[sel, "se"] = 0.0
    out.loc[sel, ["z", "p_val"]] = np.nan
    out.loc[sel, "ci_low"] = out.loc[sel, "estimate"]
    out.loc[sel, "ci_high"] = out.loc[sel, "estimate"]
    out.loc[sel, "fixed"] = True
    return out


def summary_lines(f: pd.Series) -> dict[str, Any]:
    """lavaan-like model-test and fit lines of a WLSMV fit (summary tables)."""
    df = int(f["df"])
    return {
        "test statistic (DWLS)": f"{f['chisq']:.3f} on {df} df, p = {f['p_val']:.4g}",
        "scaled (scaled-shifted)": f"{f['chisq_scaled']:.3f} on {df} df, "
                                   f"p = {f['p_val_scaled']:.4g}",
        "scaling correction factor": float(f["scaling_factor"]),
        "shift parameter": float(f["shift_parameter"]),
        "CFI / scaled / robust": (f"{f['cfi']:.3f} / {f['cfi_scaled']:.3f} / "
                                  f"{f['cfi_robust']:.3f}"),
        "TLI / scaled / robust": (f"{f['tli']:.3f} / {f['tli_scaled']:.3f} / "
                                  f"{f['tli_robust']:.3f}"),
        "RMSEA [90% CI]": (f"{f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, "
                           f"{f['rmsea_ci_high']:.3f}]"),
        "RMSEA scaled [90% CI]": (f"{f['rmsea_scaled']:.3f} [{f['rmsea_scaled_ci_low']:.3f}, "
                                  f"{f['rmsea_scaled_ci_high']:.3f}]"),
        "RMSEA robust [90% CI]": (f"{f['rmsea_robust']:.3f} [{f['rmsea_robust_ci_low']:.3f}, "
                                  f"{f['rmsea_robust_ci_high']:.3f}]"),
        "SRMR": float(f["srmr"]),
        "free parameters": int(f["npar"]),
    }


#: The note every WLSMV summary carries.
WLSMV_NOTE = ("Estimator WLSMV (lavaan): polychoric correlations and thresholds, DWLS "
              "estimates, robust (sandwich) standard errors, scaled-and-shifted test; "
              "residual variances of the latent responses are derived (1 - R squared); "
              "rows with a missing item deleted listwise.")
