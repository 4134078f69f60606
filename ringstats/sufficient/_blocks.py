"""Mergeable moment blocks: weighted means and centred cross-products.

Two kinds of block, both merged with the pairwise update of Chan, Golub & LeVeque (1979,
"Updating formulae and a pairwise algorithm for computing sample variances"), which adds
centred cross-products and a correction from the difference of the means instead of
accumulating raw sums of squares (whose cancellation loses digits on large surveys):

``CovBlock``
    complete-case moments of a set of variables: weight sum ``w``, row count ``n``,
    means ``mean`` (p,) and centred cross-product sums ``cp`` (p, p).
``PairBlock``
    pairwise-complete moments: for every pair (i, j) the rows where both are observed,
    with ``n[i, j]``, ``mean[i, j]`` (mean of variable i over those rows), ``cp[i, j]``
    (centred cross-product) and ``ss[i, j]`` (centred sum of squares of variable i over
    those rows), so that pairwise covariances (pandas ``DataFrame.cov``) and pairwise
    correlations (pandas ``DataFrame.corr``) are exact.

Within one chunk the sums are taken on data shifted by the chunk's column means, so the
chunk's own centred sums are accurate too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CovBlock", "PairBlock", "RepBlock", "cov_block", "pair_block", "rep_block"]


@dataclass(frozen=True)
class CovBlock:
    """Complete-case weighted moments of p variables (``n`` rows, weight sum ``w``)."""

    n: int
    w: float
    mean: np.ndarray
    cp: np.ndarray

    @classmethod
    def empty(cls, p: int) -> CovBlock:
        return cls(0, 0.0, np.zeros(p), np.zeros((p, p)))

    def __add__(self, other: CovBlock) -> CovBlock:
        if other.w == 0 and other.n == 0:
            return self
        if self.w == 0 and self.n == 0:
            return other
        w = self.w + other.w
        if w == 0:  # rows with zero weight only
            return CovBlock(self.n + other.n, 0.0, self.mean, self.cp)
        d = other.mean - self.mean
        mean = self.mean + d * (other.w / w)
        cp = self.cp + other.cp + np.outer(d, d) * (self.w * other.w / w)
        return CovBlock(self.n + other.n, w, mean, cp)

    def cov(self, ddof: int = 1) -> np.ndarray:
        """Covariance matrix, ``cp / (w - ddof)`` (frequency weights)."""
        return self.cp / (self.w - ddof)


@dataclass(frozen=True)
class PairBlock:
    """Pairwise-complete moments of p variables (unweighted)."""

    n: np.ndarray  # (p, p) rows with both observed
    mean: np.ndarray  # (p, p) mean of variable i over rows where i and j are observed
    cp: np.ndarray  # (p, p) centred cross-products over those rows
    ss: np.ndarray  # (p, p) centred sum of squares of variable i over those rows

    @classmethod
    def empty(cls, p: int) -> PairBlock:
        z = np.zeros((p, p))
        return cls(z.copy(), z.copy(), z.copy(), z.copy())

    def __add__(self, other: PairBlock) -> PairBlock:
        n = self.n + other.n
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(n > 0, other.n / n, 0.0)
            g = np.where(n > 0, self.n * other.n / n, 0.0)
        d = other.mean - self.mean
        d = np.where((self.n > 0) & (other.n > 0), d, 0.0)
        base = np.where(self.n > 0, self.mean, other.mean)
        mean = np.where((self.n > 0) & (other.n > 0), self.mean + d * f, base)
        cp = self.cp + other.cp + d * d.T * g
        ss = self.ss + other.ss + d * d * g
        return PairBlock(n, mean, cp, ss)

    def cov(self) -> np.ndarray:
        """Pairwise covariances with ``ddof=1`` (pandas ``DataFrame.cov``)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, self.cp / (self.n - 1), np.nan)

    def corr(self) -> np.ndarray:
        """Pairwise-complete Pearson correlations (means and variances per pair)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            r = self.cp / np.sqrt(self.ss * self.ss.T)
        return np.where(self.n > 1, r, np.nan)


def cov_block(x: np.ndarray, w: np.ndarray | None = None) -> CovBlock:
    """Moments of the complete rows of ``x`` (n, p) with optional weights (n,)."""
    ok = np.isfinite(x).all(axis=1)
    if w is not None:
        ok &= np.isfinite(w)
    x = x[ok]
    p = x.shape[1]
    if x.shape[0] == 0:
        return CovBlock.empty(p)
    if w is None:
        sw = float(x.shape[0])
        mean = x.mean(axis=0)
        xc = x - mean
        cp = xc.T @ xc
    else:
        w = w[ok]
        sw = float(w.sum())
        if sw == 0:
            return CovBlock(x.shape[0], 0.0, np.zeros(p), np.zeros((p, p)))
        mean = (w @ x) / sw
        xc = x - mean
        cp = (xc * w[:, None]).T @ xc
    return CovBlock(int(x.shape[0]), sw, mean, cp)


def pair_block(x: np.ndarray) -> PairBlock:
    """Pairwise-complete moments of ``x`` (n, p) with NaN for missing values."""
    obs = np.isfinite(x)
    o = obs.astype(float)
    shift = np.zeros(x.shape[1])
    cnt = o.sum(axis=0)
    with np.errstate(invalid="ignore"):
        shift = np.where(cnt > 0, np.nansum(np.where(obs, x, 0.0), axis=0) / np.maximum(cnt, 1), 0.0)
    xs = np.where(obs, x - shift, 0.0)
    n = o.T @ o
    s = xs.T @ o  # s[i, j]: sum of shifted x_i over rows with i and j observed
    sxx = (xs * xs).T @ o
    sxy = xs.T @ xs
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(n > 0, s / n, 0.0)
    cp = sxy - m * s.T
    ss = sxx - m * s
    mean = np.where(n > 0, m + shift[:, None], 0.0)
    return PairBlock(n, mean, cp, ss)


def rep_block(sums: np.ndarray, shift: np.ndarray) -> RepBlock:
    """Replicate moments from weighted sums (B, 1 + q + q(q+1)/2): weight, shifted values
    and their upper-triangle products (data shifted by ``shift``)."""
    q = len(shift)
    iu = np.triu_indices(q)
    sw, s1, s2u = sums[:, 0], sums[:, 1:1 + q], sums[:, 1 + q:]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(sw[:, None] > 0, s1 / sw[:, None], 0.0)
    cpu = s2u - m[:, iu[0]] * s1[:, iu[1]]
    cp = np.zeros((sums.shape[0], q, q))
    cp[:, iu[0], iu[1]] = cpu
    cp[:, iu[1], iu[0]] = cpu
    return RepBlock(sw, m + shift, cp)


@dataclass(frozen=True)
class RepBlock:
    """B weighted moment sets of q variables (bootstrap replicates): ``w`` (B,), ``mean``
    (B, q), ``cp`` (B, q, q), merged like :class:`CovBlock`, replicate by replicate."""

    w: np.ndarray
    mean: np.ndarray
    cp: np.ndarray

    @classmethod
    def empty(cls, b: int, q: int) -> RepBlock:
        return cls(np.zeros(b), np.zeros((b, q)), np.zeros((b, q, q)))

    def __add__(self, other: RepBlock) -> RepBlock:
        w = self.w + other.w
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(w > 0, other.w / w, 0.0)
            g = np.where(w > 0, self.w * other.w / w, 0.0)
        both = (self.w > 0) & (other.w > 0)
        d = np.where(both[:, None], other.mean - self.mean, 0.0)
        mean = np.where(both[:, None], self.mean + d * f[:, None],
                        np.where((self.w > 0)[:, None], self.mean, other.mean))
        cp = self.cp + other.cp + d[:, :, None] * d[:, None, :] * g[:, None, None]
        return RepBlock(w, mean, cp)
