"""The multi-group measurement model of ordered items, with Wu & Estabrook identification.

Item :math:`j` of group :math:`g` is a cut of a latent response
:math:`y^*_j = \\nu_j + \\lambda_j \\eta_{f(j)} + \\varepsilon_j` (one factor per item) at
thresholds :math:`\\tau_{j1} < \\dots < \\tau_{j,c-1}`, with
:math:`\\eta \\sim N(\\alpha_g, \\Psi_g)`. The latent responses have means
:math:`\\mu^* = \\nu + \\Lambda\\alpha` and covariance :math:`A + \\Theta` with
:math:`A = \\Lambda\\Psi\\Lambda^\\top`; their variances :math:`v_j` are

* delta parameterisation (lavaan's default): :math:`v_j = 1/\\Delta_j^2` with a free scale
  factor :math:`\\Delta_j` (the residual variance follows as :math:`1/\\Delta_j^2 - A_{jj}`);
* theta parameterisation: :math:`v_j = A_{jj} + \\theta_j` with a residual variance
  :math:`\\theta_j`.

What the data identify, and what the model is fitted to, are the standardised thresholds and
the correlations of the latent responses, stacked as in
:class:`~ringstats.measurement._wls.OrdinalMoments`:

.. math::

    \\sigma_g(\\vartheta) = \\Big(\\frac{\\tau_{jk} - \\mu^*_j}{\\sqrt{v_j}},\\;
    \\frac{A_{ij}}{\\sqrt{v_i v_j}}\\ (i > j)\\Big).

:meth:`OrdinalGroupModel.jacobian` gives :math:`\\partial\\sigma_g/\\partial\\vartheta`
analytically (chain rule through :math:`\\mu^*`, :math:`v` and :math:`A`); called with
:math:`\\vartheta`, the model returns both for every group, which is what the DWLS core
(:func:`~ringstats.measurement._wls._dwls.dwls_fit`) fits.

Identification per level follows Wu & Estabrook (2016), as semTools' ``measEq.syntax(...,
ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")`` writes it (checked against its output,
``tests/reference/invariance/ordinal_ladder.R``):

============  ==========================  ============================  =====================
level         thresholds / loadings       intercepts, scales (residuals)  latent means, variances
============  ==========================  ============================  =====================
configural    free per group              0; 1 in every group           0; 1 in every group
thresholds    equal / free per group      free in groups 2..G           0; 1 in every group
metric        equal / equal               free in groups 2..G           0; free in groups 2..G
scalar        equal / equal               0 everywhere; scales free      free in groups 2..G
strict        equal / equal               0; residual variances 1        free in groups 2..G
============  ==========================  ============================  =====================

(strict needs the theta parameterisation, where the residual variances are parameters.)
Factor covariances are free in every group. An item whose thresholds are freed by the
partial search is identified as in the configural model (intercept 0, scale 1 in every
group) and its loading is free from then on.

References
----------
Wu, H. & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
different levels of invariance for ordered categorical outcomes. *Psychometrika* 81,
1014-1045.
Muthen, B. & Asparouhov, T. (2002). Latent variable analysis with categorical outcomes:
multiple-group and growth modeling in Mplus. Mplus Web Notes 4.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import OrdinalMoments
from ._dwls import DWLSFit, dwls_fit

#: The ladder of Wu & Estabrook (2016): what is equal across groups at each level.
ORDINAL_LEVELS = ("configural", "thresholds", "metric", "scalar", "strict")
ORDINAL_EQUAL = {
    "configural": frozenset(),
    "thresholds": frozenset({"thresholds"}),
    "metric": frozenset({"thresholds", "loadings"}),
    "scalar": frozenset({"thresholds", "loadings", "intercepts"}),
    "strict": frozenset({"thresholds", "loadings", "intercepts", "residuals"}),
}
PARAMETERIZATIONS = ("delta", "theta")


class OrdinalGroupModel:
    """Parameter bookkeeping of a multi-group ordinal CFA at one invariance level.

    Parameters
    ----------
    items, factors : sequence of str
    factor_of : sequence of int
        The factor (index into ``factors``) of each item.
    n_thresholds : sequence of int
        Thresholds per item (categories - 1).
    n_groups : int
    level : str
        One of :data:`ORDINAL_LEVELS`.
    partial : sequence of (kind, item index)
        Items exempted from an equality: kind ``"thresholds"``, ``"loadings"``,
        ``"intercepts"`` or ``"residuals"``.
    parameterization : {"delta", "theta"}
    """

    def __init__(self, items: Sequence[str], factors: Sequence[str], factor_of: Sequence[int],
                 n_thresholds: Sequence[int], n_groups: int, level: str,
                 partial: Sequence[tuple[str, int]] = (), parameterization: str = "delta"):
        self.items, self.factors = tuple(items), tuple(factors)
        self.f = np.asarray(factor_of, dtype=int)
        self.nth = np.asarray(n_thresholds, dtype=int)
        self.G, self.level, self.param = int(n_groups), level, parameterization
        self.partial = tuple(partial)
        p, m = len(self.items), len(self.factors)
        self.p, self.m = p, m
        eq = ORDINAL_EQUAL[level]
        free_th = {j for k, j in self.partial if k == "thresholds"}
        exempt = {k: {j for kk, j in self.partial if kk == k} for k in
                  ("loadings", "intercepts", "residuals")}
        th_eq = "thresholds" in eq
        keys: dict[tuple, int] = {}

        def key(k: tuple) -> int:
            return keys.setdefault(k, len(keys))

        self.th_item = np.repeat(np.arange(p), self.nth)
        self.th_k = np.concatenate([np.arange(c) for c in self.nth]).astype(int)
        self.psi_ab = [(a, b) for a in range(m) for b in range(a + 1)]
        self.idx: list[dict[str, np.ndarray]] = []
        self.fixed: list[dict[str, np.ndarray]] = []
        for g in range(self.G):
            ix: dict[str, np.ndarray] = {}
            fx: dict[str, np.ndarray] = {}
            # loadings (all free: factors are scaled by their variances, std.lv)
            ix["lam"] = np.array([key(("lam", j)) if "loadings" in eq and j not in free_th
                                  and j not in exempt["loadings"] else key(("lam", j, g))
                                  for j in range(p)])
            # thresholds
            ix["tau"] = np.array([key(("tau", j, k)) if th_eq and j not in free_th
                                  else key(("tau", j, k, g))
                                  for j, k in zip(self.th_item, self.th_k, strict=True)])
            # latent-response intercepts and scales (or residual variances)
            nu, sc = np.full(p, -1), np.full(p, -1)
            if g > 0 and th_eq:
                for j in range(p):
                    if j in free_th:
                        continue
                    if "intercepts" not in eq or j in exempt["intercepts"]:
                        nu[j] = key(("nu", j, g))
                    if "residuals" not in eq or j in exempt["residuals"]:
                        sc[j] = key(("sc", j, g))
            ix["nu"], ix["sc"] = nu, sc
            fx["nu"], fx["sc"] = np.zeros(p), np.ones(p)
            # factor (co)variances: variances 1 in group 1 (and in every group until the
            # loadings are equal), covariances free
            psi = np.full(len(self.psi_ab), -1)
            for n, (a, b) in enumerate(self.psi_ab):
                if a != b or (g > 0 and "loadings" in eq):
                    psi[n] = key(("psi", a, b, g))
            ix["psi"] = psi
            fx["psi"] = np.array([1.0 if a == b else 0.0 for a, b in self.psi_ab])
            ix["al"] = np.array([key(("al", k, g)) if g > 0 and "intercepts" in eq else -1
                                 for k in range(m)])
            fx["al"] = np.zeros(m)
            self.idx.append(ix)
            self.fixed.append(fx)
        self.keys = keys
        self.q = len(keys)
        r, c = np.tril_indices(p, -1)
        order = np.lexsort((r, c))
        self.pairs = np.column_stack([r[order], c[order]])
        self.n_stats = int(self.nth.sum()) + len(self.pairs)

    # ------------------------------------------------------------------ values
    def unpack(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Local parameter values of group ``g`` (fixed ones filled in)."""
        ix, fx = self.idx[g], self.fixed[g]
        out = {"lam": theta[ix["lam"]], "tau": theta[ix["tau"]]}
        for name in ("nu", "sc", "psi", "al"):
            i = ix[name]
            out[name] = np.where(i >= 0, theta[np.maximum(i, 0)], fx[name])
        psi = np.zeros((self.m, self.m))
        for n, (a, b) in enumerate(self.psi_ab):
            psi[a, b] = psi[b, a] = out["psi"][n]
        out["Psi"] = psi
        return out

    def _core(self, v: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        lam, psi, f = v["lam"], v["Psi"], self.f
        a = np.outer(lam, lam) * psi[np.ix_(f, f)]  # Lambda Psi Lambda'
        mstar = v["nu"] + lam * v["al"][f]
        var = 1.0 / v["sc"] ** 2 if self.param == "delta" else np.diag(a) + v["sc"]
        return a, mstar, var

    def implied(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Model thresholds and correlations of group ``g`` in the order of ``s``."""
        v = self.unpack(theta, g)
        a, mstar, var = self._core(v)
        sd = np.sqrt(var)
        j = self.th_item
        z = (v["tau"] - mstar[j]) / sd[j]
        r, c = self.pairs[:, 0], self.pairs[:, 1]
        return np.concatenate([z, a[r, c] / (sd[r] * sd[c])])

    def __call__(self, theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Implied statistics and Jacobians of every group: the ``model`` argument of
        :func:`~ringstats.measurement._wls._dwls.dwls_fit`."""
        return ([self.implied(theta, g) for g in range(self.G)],
                [self.jacobian(theta, g) for g in range(self.G)])

    def jacobian(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Analytic derivative of :meth:`implied` with respect to ``theta``, (n_stats, q)."""
        v = self.unpack(theta, g)
        a, mstar, var = self._core(v)
        lam, psi, f, al = v["lam"], v["Psi"], self.f, v["al"]
        p, m, nt = self.p, self.m, len(self.th_item)
        sd = np.sqrt(var)
        j = self.th_item
        z = (v["tau"] - mstar[j]) / sd[j]
        r, c = self.pairs[:, 0], self.pairs[:, 1]
        rho = a[r, c] / (sd[r] * sd[c])
        npair = len(r)
        rows_t, rows_r = np.arange(nt), nt + np.arange(npair)
        # derivatives of sigma with respect to the latent-response quantities
        d_tau = 1.0 / sd[j]  # threshold row t, its own tau
        d_mstar = np.zeros((self.n_stats, p))
        d_mstar[rows_t, j] = -1.0 / sd[j]
        d_var = np.zeros((self.n_stats, p))
        d_var[rows_t, j] = -z / (2.0 * var[j])
        d_var[rows_r, r] += -rho / (2.0 * var[r])
        d_var[rows_r, c] += -rho / (2.0 * var[c])
        d_aoff = 1.0 / (sd[r] * sd[c])  # correlation row, its own A_rc
        # local Jacobian blocks
        pf = psi[f[r], f[c]]
        d_lam = d_mstar * al[f][None, :]
        np.add.at(d_lam, (rows_r, r), d_aoff * pf * lam[c])
        np.add.at(d_lam, (rows_r, c), d_aoff * pf * lam[r])
        npsi = len(self.psi_ab)
        pos = {ab: n for n, ab in enumerate(self.psi_ab)}
        d_psi = np.zeros((self.n_stats, npsi))
        col = np.array([pos[(max(f[i], f[k]), min(f[i], f[k]))] for i, k in zip(r, c,
                                                                               strict=True)],
                       dtype=int)
        np.add.at(d_psi, (rows_r, col), d_aoff * lam[r] * lam[c])
        if self.param == "theta":
            d_sc = d_var.copy()
            d_lam += d_var * (2.0 * lam * psi[f, f])[None, :]
            dcol = np.array([pos[(f[i], f[i])] for i in range(p)], dtype=int)
            np.add.at(d_psi, (slice(None), dcol), d_var * (lam ** 2)[None, :])
        else:
            d_sc = d_var * (-2.0 / v["sc"] ** 3)[None, :]
        d_al = np.zeros((self.n_stats, m))
        np.add.at(d_al, (slice(None), f), d_mstar * lam[None, :])
        # scatter into the free parameters
        out = np.zeros((self.n_stats, self.q))
        ix = self.idx[g]
        np.add.at(out, (rows_t, ix["tau"]), d_tau)
        for name, block in (("lam", d_lam), ("nu", d_mstar), ("sc", d_sc), ("psi", d_psi),
                            ("al", d_al)):
            i = ix[name]
            ok = np.flatnonzero(i >= 0)
            if ok.size:
                np.add.at(out.T, i[ok], block[:, ok].T)
        return out

    def fit(self, moments: Sequence[OrdinalMoments],
            start: np.ndarray | None = None) -> DWLSFit:
        """Fit this model to the groups' statistics with the DWLS core.

        Robust (Savalei 2021) CFI/TLI/RMSEA are computed for the configural level only:
        above it thresholds and intercepts are constrained across groups, where lavaan
        0.6.14 reports them as NA (see :func:`~ringstats.measurement._wls._dwls.dwls_fit`).
        """
        theta0 = self.start(moments) if start is None else np.asarray(start, dtype=float)
        return dwls_fit(moments, self, theta0,
                        what=f"the ordinal multi-group model ({self.level})",
                        robust_indices=self.level == "configural")

    # ------------------------------------------------------------------ starting values
    def start(self, moments: Sequence[OrdinalMoments]) -> np.ndarray:
        """Starting values from each group's polychorics (one-factor loadings per block)."""
        theta = np.zeros(self.q)
        seen = np.zeros(self.q, dtype=bool)
        for g, mo in enumerate(moments):
            lam = np.zeros(self.p)
            for k in range(self.m):
                js = np.flatnonzero(self.f == k)
                w, vec = np.linalg.eigh(mo.corr[np.ix_(js, js)])
                load = vec[:, -1] * np.sqrt(max(w[-1], 0.0))
                load = load * (np.sign(load.sum()) or 1.0)
                lam[js] = np.clip(load, -0.95, 0.95)
            if self.param == "theta":
                lam = lam / np.sqrt(1.0 - lam ** 2)
            ix = self.idx[g]
            tau = np.concatenate(mo.thresholds)
            if self.param == "theta":
                tau = tau * np.sqrt(1.0 + lam[self.th_item] ** 2)
            for name, val in (("lam", lam), ("tau", tau)):
                for i, x in zip(ix[name], val, strict=True):
                    if not seen[i]:
                        theta[i], seen[i] = x, True
            for n, (a, b) in enumerate(self.psi_ab):
                i = ix["psi"][n]
                if i >= 0 and not seen[i]:
                    if a == b:
                        theta[i] = 1.0
                    else:
                        ja, jb = np.flatnonzero(self.f == a), np.flatnonzero(self.f == b)
                        sub = mo.corr[np.ix_(ja, jb)] / np.outer(lam[ja], lam[jb])
                        sub = sub if self.param == "delta" else sub * np.outer(
                            np.sqrt(1 + lam[ja] ** 2), np.sqrt(1 + lam[jb] ** 2))
                        theta[i] = float(np.clip(np.median(sub), -0.9, 0.9))
                    seen[i] = True
            for i in ix["sc"]:
                if i >= 0 and not seen[i]:
                    theta[i], seen[i] = 1.0, True
        return theta

    def start_from(self, other: OrdinalGroupModel, theta: np.ndarray) -> np.ndarray:
        """Starting values from a neighbouring level's estimates (same parameterisation)."""
        out = np.zeros(self.q)
        for k, i in self.keys.items():
            j = other.keys.get(k)
            if j is None:
                name = k[0]
                if name in ("lam",) and len(k) == 2:
                    j = other.keys.get(k + (0,))
                elif name == "lam":
                    j = other.keys.get(k[:2])
                elif name == "tau" and len(k) == 3:
                    j = other.keys.get(k + (0,))
                elif name == "tau":
                    j = other.keys.get(k[:3])
            if j is not None:
                out[i] = theta[j]
            elif k[0] == "sc" or (k[0] == "psi" and k[1] == k[2]):
                out[i] = 1.0
        return out

    # ------------------------------------------------------------------ labels
    def table(self, theta: np.ndarray, vcov: np.ndarray | None, groups: Sequence) -> list[dict]:
        """Every parameter in lavaan's ``parameterEstimates()`` layout (lhs, op, rhs, group)."""
        se = np.sqrt(np.clip(np.diag(vcov), 0, None)) if vcov is not None else None
        rows = []
        for g, lab in enumerate(groups):
            v = self.unpack(theta, g)
            ix = self.idx[g]
            a, _, var = self._core(v)

            def add(lhs: str, op: str, rhs: str, i: int, est: float, kind: str,
                    lab=lab) -> None:
                rows.append({"group": lab, "lhs": lhs, "op": op, "rhs": rhs, "kind": kind,
                             "estimate": float(est), "free": bool(i >= 0),
                             "se": float(se[i]) if (se is not None and i >= 0) else np.nan})

            for j, it in enumerate(self.items):
                add(self.factors[self.f[j]], "=~", it, ix["lam"][j], v["lam"][j], "loading")
            for t, (j, k) in enumerate(zip(self.th_item, self.th_k, strict=True)):
                add(self.items[j], "|", f"t{k + 1}", ix["tau"][t], v["tau"][t], "threshold")
            for j, it in enumerate(self.items):
                add(it, "~1", "", ix["nu"][j], v["nu"][j], "intercept")
            if self.param == "delta":
                for j, it in enumerate(self.items):
                    add(it, "~*~", it, ix["sc"][j], v["sc"][j], "scale")
            for j, it in enumerate(self.items):
                resid = var[j] - a[j, j] if self.param == "delta" else v["sc"][j]
                i = ix["sc"][j] if self.param == "theta" else -1
                add(it, "~~", it, i, resid, "residual")
            for k, fac in enumerate(self.factors):
                add(fac, "~1", "", ix["al"][k], v["al"][k], "latent_mean")
            for n, (a_, b_) in enumerate(self.psi_ab):
                add(self.factors[b_], "~~", self.factors[a_], ix["psi"][n], v["psi"][n],
                    "latent_variance" if a_ == b_ else "latent_covariance")
        return rows
