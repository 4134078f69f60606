"""The standard bivariate normal: CDF (Genz 2004), density and its rho-derivative, and the
cell probabilities of contingency tables of discretised bivariate normals.

Shared by the polychoric correlation (``measurement/_correlation``) and the ordinal sample
statistics of WLSMV (``measurement/_wls/_stats``). Everything broadcasts over arrays, so
all cells of all item pairs are evaluated at once.

References
----------
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and
t probabilities. *Statistics and Computing* 14, 251-260. Drezner, Z. & Wesolowsky, G. O.
(1990). On the computation of the bivariate normal integral. *Journal of Statistical
Computation and Simulation* 35, 101-107.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = ["CLAMP", "bvn_upper", "bvn_cdf", "bvn_pdf", "bvn_pdf_drho", "cell_probs"]

CLAMP = 10.0  # |threshold| beyond which Phi is 0 or 1 to double precision for our purpose

# Gauss-Legendre nodes/weights on [-1, 1] (20 points), reused by every call.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


def bvn_upper(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(X > h, Y > k) for standard bivariate normal with correlation r (arrays broadcast).

    Vectorised form of Genz's (2004) BVNU algorithm (Drezner & Wesolowsky 1990 with
    Gauss-Legendre quadrature; 20 nodes everywhere), accurate to about 1e-15.
    """
    h, k, r = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float),
                                  np.asarray(r, float))
    out = np.empty(h.shape)
    small = np.abs(r) < 0.925
    x = (_GL_X + 1.0)  # nodes mapped to (0, 2)
    w = _GL_W
    with np.errstate(all="ignore"):
        if small.any():
            hs_, ks_, rs_ = h[small], k[small], r[small]
            hk = hs_ * ks_
            hs = (hs_ * hs_ + ks_ * ks_) / 2.0
            asr = np.arcsin(rs_) / 2.0
            sn = np.sin(asr[..., None] * x)
            val = np.sum(w * np.exp((sn * hk[..., None] - hs[..., None]) / (1.0 - sn * sn)),
                         axis=-1)
            out[small] = val * asr / (2.0 * np.pi) + ndtr(-hs_) * ndtr(-ks_)
        big = ~small
        if big.any():
            hb, kb, rb = h[big], k[big].copy(), r[big]
            neg = rb < 0
            kb[neg] = -kb[neg]
            hk = hb * kb
            bvn = np.zeros(hb.shape)
            lt1 = np.abs(rb) < 1
            as_ = (1.0 - rb) * (1.0 + rb)
            a = np.sqrt(as_)
            bs = (hb - kb) ** 2
            c = (4.0 - hk) / 8.0
            d = (12.0 - hk) / 80.0
            asr = -(bs / as_ + hk) / 2.0
            t1 = np.where(asr > -100,
                          a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs) / 3
                                             + c * d * as_ * as_), 0.0)
            b = np.sqrt(bs)
            sp = np.sqrt(2 * np.pi) * ndtr(-b / a)
            t1 = t1 - np.where(hk > -100,
                               np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3), 0.0)
            a2 = a / 2.0
            xs = (a2[..., None] * x) ** 2
            asr2 = -(bs[..., None] / xs + hk[..., None]) / 2.0
            sp2 = 1 + c[..., None] * xs * (1 + 5 * d[..., None] * xs)
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk[..., None] / 2) * xs / (1 + rs) ** 2) / rs
            terms = np.where(asr2 > -100, np.exp(asr2) * (sp2 - ep) * w, 0.0)
            bvn = np.where(lt1, (a2 * terms.sum(axis=-1) - t1) / (2 * np.pi), 0.0)
            pos = rb > 0
            res = np.where(pos, bvn + ndtr(-np.maximum(hb, kb)), 0.0)
            lo = np.where(hb < 0, ndtr(kb) - ndtr(hb), ndtr(-hb) - ndtr(-kb))
            res = np.where(~pos & (hb >= kb), -bvn, res)
            res = np.where(~pos & (hb < kb), lo - bvn, res)
            out[big] = res
    return np.clip(out, 0.0, 1.0)


def bvn_cdf(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(X <= h, Y <= k) for the standard bivariate normal with correlation r."""
    return bvn_upper(-np.asarray(h, float), -np.asarray(k, float), r)


def cell_probs(r: np.ndarray, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    """Cell probabilities of all pairs.

    ``ta``, ``tb``: (npairs, K-1) finite-clamped inner thresholds; ``r``: (npairs,).
    Returns (npairs, K, K).
    """
    npairs, km1 = ta.shape
    inner = bvn_cdf(ta[:, :, None], tb[:, None, :], r[:, None, None])  # npairs, K-1, K-1
    big = np.zeros((npairs, km1 + 2, km1 + 2))
    big[:, 1:-1, 1:-1] = inner
    big[:, 1:-1, -1] = ndtr(ta)
    big[:, -1, 1:-1] = ndtr(tb)
    big[:, -1, -1] = 1.0
    return big[:, 1:, 1:] - big[:, :-1, 1:] - big[:, 1:, :-1] + big[:, :-1, :-1]


def bvn_pdf(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Density of the standard bivariate normal with correlation ``r`` at ``(h, k)``.

    It is also :math:`\\partial \\Phi_2(h, k; r) / \\partial r` (Plackett 1954).
    """
    h, k, r = np.asarray(h, float), np.asarray(k, float), np.asarray(r, float)
    one = 1.0 - r * r
    q = (h * h - 2.0 * r * h * k + k * k) / one
    return np.exp(-0.5 * q) / (2.0 * np.pi * np.sqrt(one))


def bvn_pdf_drho(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """:math:`\\partial \\phi_2(h, k; r) / \\partial r`: ``phi2 * (r / (1 - r^2) + h k / (1 - r^2)
    - r (h^2 - 2 r h k + k^2) / (1 - r^2)^2)``."""
    h, k, r = np.asarray(h, float), np.asarray(k, float), np.asarray(r, float)
    one = 1.0 - r * r
    q = h * h - 2.0 * r * h * k + k * k
    return bvn_pdf(h, k, r) * (r / one + h * k / one - r * q / (one * one))
