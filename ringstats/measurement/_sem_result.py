"""Result of :func:`ringstats.measurement.sem`: the standardised solution, flags, summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.results import ResultMixin, Summary
from ._cfa._engine import _num_jacobian
from ._sem_model import SEMStructure
from ._wls._fit_ord import WLSMV_NOTE, summary_lines

__all__ = ["SEMResult", "standardised", "improper_flags"]

_ORDER = {"lam": 0, "beta": 1, "theta": 2, "psi": 3}


def _rows(st: SEMStructure) -> list[tuple[str, int, int, int | None]]:
    """Reported parameters: (kind, row, col, index of the free parameter or None if fixed)."""
    rows: list[tuple[str, int, int, int | None]] = [
        (kind, r, c, n) for n, (kind, r, c) in enumerate(st.free)]
    rows += [("lam", j, k, None) for j, k in st.fixed_lambda if not st.phantom[k]]
    rows += [("psi", k, k, None) for k in st.fixed_psi]
    return sorted(rows, key=lambda t: (_ORDER[t[0]], t[2] if t[0] == "lam" else t[1],
                                       t[1] if t[0] == "lam" else t[2]))


def _std_values(st: SEMStructure, theta: np.ndarray,
                rows: list[tuple[str, int, int, int | None]]) -> np.ndarray:
    """lavaan ``std.all``: both sides scaled by model-implied SDs."""
    lam, b, psi, th = st.unpack(theta)
    sig = st.sigma(theta)
    with np.errstate(invalid="ignore"):
        sd_y = np.sqrt(np.diag(sig))
        sd_f = np.sqrt(np.diag(st.latent_cov(theta)))
    out = np.empty(len(rows))
    for i, (kind, r, c, _) in enumerate(rows):
        if kind == "lam":
            out[i] = lam[r, c] * sd_f[c] / sd_y[r]
        elif kind == "beta":
            out[i] = b[r, c] * sd_f[c] / sd_f[r]
        elif kind == "psi":
            out[i] = psi[r, c] / (sd_f[r] * sd_f[c])
        else:
            out[i] = th[r] / sig[r, r]
    return out


def _label(st: SEMStructure, kind: str, r: int, c: int) -> tuple[str, str, str]:
    if kind == "lam":
        return st.latents[c], "=~", st.items[r]
    if kind == "beta":
        return st.latents[r], "~", st.latents[c]
    if kind == "psi":
        a, b = (r, c) if r <= c else (c, r)
        return st.latents[a], "~~", st.latents[b]
    return st.items[r], "~~", st.items[r]


def standardised(st: SEMStructure, theta: np.ndarray, vcov: np.ndarray,
                 zc: float) -> tuple[pd.DataFrame, pd.Series]:
    """Parameter table (lavaan ``parameterEstimates`` layout with std.all) and R squared."""
    rows = _rows(st)
    std = _std_values(st, theta, rows)
    jac = _num_jacobian(lambda t: _std_values(st, t, rows), theta)
    std_se = np.sqrt(np.clip(np.diag(jac @ vcov @ jac.T), 0, None))
    lam, b, psi, th = st.unpack(theta)
    est, se = np.empty(len(rows)), np.zeros(len(rows))
    sd_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    for i, (*_, n) in enumerate(rows):
        if n is not None:
            est[i], se[i] = theta[n], sd_free[n]
        else:
            est[i] = 1.0
    fixed = np.array([n is None for *_, n in rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(fixed, np.nan, est / se)
    labels = [_label(st, kind, r, c) for kind, r, c, _ in rows]
    params = pd.DataFrame({
        "lhs": [a for a, _, _ in labels], "op": [o for _, o, _ in labels],
        "rhs": [c for _, _, c in labels], "estimate": est, "se": se, "z": z,
        "p_val": 2 * stats.norm.sf(np.abs(z)),
        "ci_low": np.where(fixed, est, est - zc * se), "ci_high": np.where(fixed, est, est + zc * se),
        "std_estimate": std, "std_se": std_se, "std_ci_low": std - zc * std_se,
        "std_ci_high": std + zc * std_se, "fixed": fixed,
    })
    sig = st.sigma(theta)
    phi = st.latent_cov(theta)
    r2 = {it: 1.0 - th[j] / sig[j, j] for j, it in enumerate(st.items)
          if not (it in st.latents and st.phantom[st.latents.index(it)])}
    for k in st.endogenous:
        r2[st.latents[k]] = 1.0 - psi[k, k] / phi[k, k]
    return params, pd.Series(r2, name="r_squared")


def improper_flags(st: SEMStructure, theta: np.ndarray, params: pd.DataFrame,
                   r2: pd.Series) -> list[str]:
    """Negative variances, standardised loadings beyond 1, non-PD latent covariance."""
    _, _, psi, th = st.unpack(theta)
    out = []
    neg_items = [st.items[r] for k, r, _ in st.free if k == "theta" and th[r] < 0]
    if neg_items:
        out.append("negative residual variance of item(s) " + ", ".join(neg_items))
    neg_lv = [st.latents[k] for k in range(st.m) if psi[k, k] < 0]
    if neg_lv:
        out.append("negative (residual) variance of " + ", ".join(neg_lv)
                   + " (R squared above 1)")
    lo = params[(params["op"] == "=~") & (params["std_estimate"].abs() > 1)]
    if len(lo):
        out.append("standardised loading above 1 for " + ", ".join(lo["rhs"]))
    ev = np.linalg.eigvalsh(st.latent_cov(theta))
    if ev.min() <= 0:
        out.append("the latent covariance matrix is not positive definite")
    return out


@dataclass(frozen=True)
class SEMResult(ResultMixin):
    """Result of :func:`sem`.

    Attributes
    ----------
    parameters : DataFrame
        lavaan ``parameterEstimates()`` layout: ``lhs``, ``op`` (``=~`` loading, ``~``
        regression, ``~~`` (residual) (co)variance), ``rhs``, ``estimate``, ``se``, ``z``,
        ``p_val``, ``ci_low``, ``ci_high``, ``std_estimate`` (``std.all``), ``std_se``,
        ``std_ci_low``, ``std_ci_high``, ``fixed``.
    fit : Series
        ``chisq``, ``df``, ``p_val``, ``cfi``, ``tli``, ``rmsea`` with ``rmsea_ci_low`` /
        ``rmsea_ci_high``, ``srmr``, ``loglik``, ``aic``, ``bic``, ...
    r_squared : Series
        R squared of every item and every endogenous construct or observed outcome.
    effects : DataFrame
        One row per (``outcome``, ``predictor``, ``effect`` in direct/indirect/total):
        estimate with delta-method ``se``, ``z``, ``p_val``, CI, the standardised effect with
        its SE and CI and, with ``n_boot``, percentile bootstrap CIs (``boot_*``).
    ring_effects : DataFrame
        Per ring: the sum of its constructs' total effects on the outcome (``estimate``, raw
        units; ``std_estimate``, SDs of the outcome per SD of every construct of the ring),
        with delta-method (and bootstrap) CIs. Empty without a RingSpec outcome.
    outcome : str or None
        The loyalty outcome of the ring effects.
    vcov, implied_cov, sample_cov : DataFrame
    n_obs, n_iter, n_boot : int
    estimator, nan_policy, information : str
    std_lv, converged : bool
    improper : tuple of str
        Why the solution is improper (empty when it is proper).
    warnings : tuple of str
    blocks : dict
        Construct -> items of the measurement part.
    paths : tuple of (outcome, predictor)
    thresholds : DataFrame
        WLSMV: one row per threshold (``item``, ``threshold``, ``estimate``, ``se``, ...);
        empty for ML. ``estimator`` names the estimator; with WLSMV ``fit`` also has the
        scaled-and-shifted test and the ``_scaled`` and ``_robust`` CFI, TLI and RMSEA.
    """

    parameters: pd.DataFrame
    fit: pd.Series
    r_squared: pd.Series
    effects: pd.DataFrame
    ring_effects: pd.DataFrame
    outcome: str | None
    vcov: pd.DataFrame
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    n_obs: int
    estimator: str
    nan_policy: str
    information: str
    std_lv: bool
    converged: bool
    n_iter: int
    improper: tuple[str, ...]
    n_boot: int
    warnings: tuple[str, ...] = field(default=())
    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    paths: tuple[tuple[str, str], ...] = field(default=())
    thresholds: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """The tidy parameter table (one row per parameter, thresholds included), with the
        ``estimator`` named."""
        out = self.parameters.copy()
        out["estimator"] = self.estimator
        return out

    def summary(self) -> Summary:
        f = self.fit
        s = Summary(f"Structural equation model ({self.estimator}, n = {self.n_obs}, "
                    f"missing: {self.nan_policy})")
        if self.estimator == "WLSMV":
            s.add_dict({"estimator": "WLSMV", "optimizer iterations": self.n_iter,
                        **summary_lines(f),
                        "solution": "IMPROPER (see notes)" if self.improper else "proper"},
                       "Model test and fit (lavaan WLSMV)")
        else:
            self._ml_fit_lines(s)
        self._tables(s)
        return s

    def _ml_fit_lines(self, s: Summary) -> None:
        f = self.fit
        s.add_dict({
            "estimator": self.estimator,
            "optimizer iterations": self.n_iter,
            "free parameters": int(f["npar"]),
            "chi-square": f"{f['chisq']:.3f} on {int(f['df'])} df, p = {f['p_val']:.4g}",
            "CFI": float(f["cfi"]), "TLI": float(f["tli"]),
            "RMSEA [90% CI]": (f"{f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, "
                               f"{f['rmsea_ci_high']:.3f}]"),
            "SRMR": float(f["srmr"]), "log-likelihood": float(f["loglik"]),
            "AIC": float(f["aic"]), "BIC": float(f["bic"]),
            "solution": "IMPROPER (see notes)" if self.improper else "proper",
        }, "Model test and fit")

    def _tables(self, s: Summary) -> None:
        cols = ["estimate", "se", "z", "p_val", "std_estimate"]
        p = self.parameters
        for op, title, lab in (("=~", "Latent variables", lambda d: d["lhs"] + " =~ " + d["rhs"]),
                               ("~", "Regressions", lambda d: d["lhs"] + " ~ " + d["rhs"])):
            part = p[p["op"] == op]
            if len(part):
                s.add_table(part[cols].set_axis(lab(part), axis=0), title)
        cov = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"])]
        if len(cov):
            s.add_table(cov[cols].set_axis(cov["lhs"] + " ~~ " + cov["rhs"], axis=0),
                        "Covariances")
        var = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"])]
        s.add_table(var[cols].set_axis(var["lhs"], axis=0),
                    "Variances (residual variances of endogenous variables)")
        s.add_table(self.r_squared, "R-square")
        if len(self.thresholds):
            s.add_table(self.thresholds.set_index(["item", "threshold"])[
                ["estimate", "se", "ci_low", "ci_high"]], "Thresholds")
            s.add_note(WLSMV_NOTE)
        if len(self.effects):
            e = self.effects[self.effects["effect"] != "direct"]
            if len(e):
                ecols = ["estimate", "se", "ci_low", "ci_high", "std_estimate"]
                ecols += [c for c in ("boot_ci_low", "boot_ci_high") if c in e.columns]
                s.add_table(e[ecols].set_axis(e["effect"] + ": " + e["predictor"] + " -> "
                                              + e["outcome"], axis=0),
                            "Indirect and total effects (delta-method CIs)")
        if len(self.ring_effects):
            rc = ["constructs", "estimate", "ci_low", "ci_high", "std_estimate", "std_ci_low",
                  "std_ci_high"]
            rc += [c for c in ("boot_std_ci_low", "boot_std_ci_high")
                   if c in self.ring_effects.columns]
            s.add_table(self.ring_effects.set_index("label")[rc],
                        f"Ring-level total effects on {self.outcome}")
        s.add_note("std_estimate is lavaan's std.all. Standard errors from the "
                   f"{self.information} information matrix; identification: "
                   + ("latent variances fixed to 1." if self.std_lv
                      else "first loading of each construct fixed to 1."))
        for flag in self.improper:
            s.add_note("Improper solution: " + flag + ". Estimates are reported but should not "
                       "be interpreted before the model is revised.")
        for w in self.warnings:
            s.add_note(w)
