"""The CFA model: loadings, factor covariances and residual variances as one parameter vector."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

_NAN_POLICIES = ("listwise", "pairwise", "fiml")


_INFORMATION = ("expected", "observed")


# ----------------------------------------------------------------------------- model structure
@dataclass(frozen=True)
class _Structure:
    """Pattern of a congeneric CFA: which item loads on which factor, and what is free."""

    items: tuple[str, ...]
    factors: tuple[str, ...]
    pattern: np.ndarray  # p x m bool
    std_lv: bool
    free_lambda: tuple[tuple[int, int], ...] = field(default=())
    fixed_lambda: tuple[tuple[int, int], ...] = field(default=())
    free_phi: tuple[tuple[int, int], ...] = field(default=())

    @classmethod
    def build(cls, blocks: Mapping[str, Sequence[str]], std_lv: bool) -> _Structure:
        factors = tuple(blocks)
        items: list[str] = []
        for f in factors:
            for it in blocks[f]:
                if it not in items:
                    items.append(it)
        p, m = len(items), len(factors)
        pattern = np.zeros((p, m), dtype=bool)
        free_l, fixed_l = [], []
        for k, f in enumerate(factors):
            for n, it in enumerate(blocks[f]):
                j = items.index(it)
                pattern[j, k] = True
                if n == 0 and not std_lv:
                    fixed_l.append((j, k))
                else:
                    free_l.append((j, k))
        free_l.sort()
        free_phi = [(a, b) for a in range(m) for b in range(a + 1) if not (std_lv and a == b)]
        return cls(tuple(items), factors, pattern, std_lv, tuple(free_l), tuple(fixed_l),
                   tuple(free_phi))

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def m(self) -> int:
        return len(self.factors)

    @property
    def n_lambda(self) -> int:
        return len(self.free_lambda)

    @property
    def n_phi(self) -> int:
        return len(self.free_phi)

    @property
    def q(self) -> int:
        return self.n_lambda + self.n_phi + self.p

    @cached_property
    def _idx(self) -> tuple[np.ndarray, ...]:
        """Index arrays of the free and fixed parameters (vectorised unpack and gradient)."""
        def split(pairs: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray]:
            if not pairs:
                return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
            a, b = zip(*pairs, strict=True)
            return np.array(a), np.array(b)

        lj, lk = split(self.free_lambda)
        fj, fk = split(self.fixed_lambda)
        pa, pb = split(self.free_phi)
        return lj, lk, fj, fk, pa, pb

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lj, lk, fj, fk, pa, pb = self._idx
        nl, nphi = self.n_lambda, self.n_phi
        lam = np.zeros((self.p, self.m))
        lam[fj, fk] = 1.0
        lam[lj, lk] = theta[:nl]
        phi = np.eye(self.m) if self.std_lv else np.zeros((self.m, self.m))
        phi[pa, pb] = theta[nl:nl + nphi]
        phi[pb, pa] = theta[nl:nl + nphi]
        psi = theta[nl + nphi:]
        return lam, phi, psi

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        lam, phi, psi = self.unpack(theta)
        out = lam @ phi @ lam.T
        out[np.diag_indices(self.p)] += psi
        return out

    def grad_from_g(self, g: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Chain rule: given symmetric G with dF = tr(G dSigma), return dF/dtheta."""
        lam, phi, _ = self.unpack(theta)
        lj, lk, _, _, pa, pb = self._idx
        dlam = 2.0 * g @ lam @ phi
        lgl = lam.T @ g @ lam
        return np.concatenate([dlam[lj, lk], np.where(pa == pb, 1.0, 2.0) * lgl[pa, pb],
                               np.diag(g)])

    def dsigma(self, theta: np.ndarray) -> np.ndarray:
        """Derivatives dSigma/dtheta_i as a (q, p, p) array (vectorised over parameters)."""
        lam, phi, _ = self.unpack(theta)
        p, nl, nphi = self.p, self.n_lambda, self.n_phi
        out = np.zeros((self.q, p, p))
        if nl:
            lp = lam @ phi  # p x m
            js, ks = (np.array(v) for v in zip(*self.free_lambda, strict=True))
            idx = np.arange(nl)
            out[idx, js, :] += lp[:, ks].T
            out[idx, :, js] += lp[:, ks].T
        if nphi:
            a_, b_ = (np.array(v) for v in zip(*self.free_phi, strict=True))
            outer = lam[:, a_].T[:, :, None] * lam[:, b_].T[:, None, :]
            out[nl:nl + nphi] = np.where((a_ == b_)[:, None, None], outer,
                                         outer + outer.transpose(0, 2, 1))
        j = np.arange(p)
        out[nl + nphi + j, j, j] = 1.0
        return out

    def labels(self) -> list[tuple[str, str, str]]:
        lab = [(self.factors[k], "=~", self.items[j]) for (j, k) in self.free_lambda]
        lab += [(self.factors[a], "~~", self.factors[b]) if a == b
                else (self.factors[b], "~~", self.factors[a]) for (a, b) in self.free_phi]
        lab += [(it, "~~", it) for it in self.items]
        return lab

    def start(self, s: np.ndarray) -> np.ndarray:
        """Start values by :func:`start_blocks` (signed one-factor loadings per block)."""
        lam, phi, resid = start_blocks(s, self.pattern, self.fixed_lambda)
        theta = np.empty(self.q)
        lj, lk, _, _, pa, pb = self._idx
        nl = self.n_lambda
        theta[:nl] = lam[lj, lk]
        theta[nl:nl + self.n_phi] = phi[pa, pb]
        theta[nl + self.n_phi:] = resid
        return theta

    def std_jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Analytic Jacobians of lavaan's ``std.all`` values with respect to ``theta``.

        Returns ``(J_free, J_fixed)``: rows follow the free parameters (loadings, factor
        (co)variances, residual variances) and the fixed markers (then the fixed unit factor
        variances under ``std_lv``). With :math:`\\sigma_j^2 = \\Sigma_{jj}` and
        :math:`\\phi_k = \\Phi_{kk}`: a loading :math:`\\lambda_{jk}\\sqrt{\\phi_k}/\\sigma_j`,
        a factor correlation :math:`\\Phi_{ab}/\\sqrt{\\phi_a\\phi_b}`, a standardised residual
        :math:`\\psi_j/\\sigma_j^2`; each differentiated by the product and chain rules, with
        :math:`\\partial\\Sigma_{jj}/\\partial\\theta` from :meth:`dsigma`. Exact, so delta-method
        standard errors carry no finite-difference noise (about 1e-10 with steps of 1e-6).
        """
        lam, phi, psi = self.unpack(theta)
        q, p, nl, nphi = self.q, self.p, self.n_lambda, self.n_phi
        j = np.arange(p)
        dsjj = self.dsigma(theta)[:, j, j]  # q x p
        sig = np.einsum("jk,kl,jl->j", lam, phi, lam) + psi
        sy = np.sqrt(sig)
        sf = np.sqrt(np.diag(phi))
        dphi = np.zeros((q, self.m))  # d phi_kk / d theta
        for n, (a, b) in enumerate(self.free_phi):
            if a == b:
                dphi[nl + n, a] = 1.0

        def loading_row(jj: int, k: int, free_at: int | None) -> np.ndarray:
            row = lam[jj, k] / (2 * sf[k] * sy[jj]) * dphi[:, k] \
                - lam[jj, k] * sf[k] / (2 * sy[jj] ** 3) * dsjj[:, jj]
            if free_at is not None:
                row[free_at] += sf[k] / sy[jj]
            return row

        out = np.zeros((q, q))
        for n, (jj, k) in enumerate(self.free_lambda):
            out[n] = loading_row(jj, k, n)
        for n, (a, b) in enumerate(self.free_phi):
            if a == b:
                continue  # a variance standardises to 1 whatever theta
            c = phi[a, b] / (sf[a] * sf[b])
            out[nl + n] = -c * (dphi[:, a] / (2 * phi[a, a]) + dphi[:, b] / (2 * phi[b, b]))
            out[nl + n, nl + n] += 1.0 / (sf[a] * sf[b])
        for jj in range(p):
            out[nl + nphi + jj] = -psi[jj] / sig[jj] ** 2 * dsjj[:, jj]
            out[nl + nphi + jj, nl + nphi + jj] += 1.0 / sig[jj]
        fixed = [loading_row(jj, k, None) for (jj, k) in self.fixed_lambda]
        fixed += [np.zeros(q)] * (self.m if self.std_lv else 0)
        return out, np.array(fixed).reshape(len(fixed), q)

# ----------------------------------------------------------------------------- start values
def start_blocks(s: np.ndarray, pattern: np.ndarray,
                 fixed_lambda: Sequence[tuple[int, int]],
                 unit: Sequence[bool] | None = None) -> tuple[np.ndarray, ...]:
    """Start values of a factor model, block by block: the one rule of CFA, SEM and WLSMV.

    Each factor's items get their first principal component on the correlation matrix,
    ``v * sqrt(ev)`` (as psych's one-factor PCA), **oriented so that the block's first item
    (its marker) loads positively** and with the size clipped to [0.2, 0.95] but the sign
    kept: reverse-keyed items start negative, and a reverse-keyed marker turns the others
    negative, where the solution is (lavaan orients the same way: marker loading +1, or the
    first loading positive under ``std.lv``). Factor correlations are those of the
    sign-weighted unit composites. Residual variances start at ``1 - communality`` (clipped
    to [0.1, 0.9]) of each variance. With a marker (``fixed_lambda``, loading 1) the factor
    takes the marker's scale, ``sd(factor) = l_marker * sd(marker)``; without, variance 1.

    Parameters
    ----------
    s : ndarray, (p, p)
        Sample covariance (or correlation) matrix of the items.
    pattern : ndarray of bool, (p, m)
        Which item loads on which factor; the block's lowest-index item is its first item.
    fixed_lambda : sequence of (item, factor)
        Loadings fixed at 1 (markers, and observed variables standing in as factors).
    unit : sequence of bool, optional
        Factors that are an observed variable (loading 1, no residual); default none.

    Returns
    -------
    lam : ndarray, (p, m)
        Loadings on the model's scale (markers 1).
    phi : ndarray, (m, m)
        Factor covariances on the model's scale.
    resid : ndarray, (p,)
        Residual variances.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, -.4, -.4], [-.4, 1, .5], [-.4, .5, 1]])
    >>> lam, phi, resid = start_blocks(r, np.ones((3, 1), bool), [(0, 0)])
    >>> bool(lam[0, 0] == 1 and (lam[1:, 0] < 0).all() and phi[0, 0] > 0)
    True
    """
    p, m = pattern.shape
    unit = np.zeros(m, dtype=bool) if unit is None else np.asarray(unit, dtype=bool)
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    lstd = np.zeros((p, m))
    comp = np.zeros((p, m))
    for k in range(m):
        idx = np.flatnonzero(pattern[:, k])
        if unit[k] or len(idx) == 1:
            lstd[idx, k] = 1.0 if unit[k] else 0.9
        else:
            vals, vecs = np.linalg.eigh(r[np.ix_(idx, idx)])
            v = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
            v = v * (1.0 if v[0] >= 0 else -1.0)  # the first item (marker) loads positively
            lstd[idx, k] = np.where(v < 0, -1.0, 1.0) * np.clip(np.abs(v), 0.2, 0.95)
        comp[idx, k] = np.where(lstd[idx, k] < 0, -1.0, 1.0)
    # correlations of the sign-weighted unit composites as factor correlations
    cs = comp.T @ r @ comp
    d = np.sqrt(np.clip(np.diag(cs), 1e-12, None))
    fcor = np.clip(cs / np.outer(d, d), -0.95, 0.95)
    np.fill_diagonal(fcor, 1.0)
    fsd = np.ones(m)
    for j, k in fixed_lambda:
        fsd[k] = lstd[j, k] * sd[j]
    fsd = np.where(fsd > 0, fsd, 1.0)
    lam = lstd * sd[:, None] / fsd[None, :]
    phi = fcor * np.outer(fsd, fsd)
    resid = np.clip(1.0 - (lstd ** 2).sum(axis=1), 0.1, 0.9) * sd ** 2
    return lam, phi, resid
