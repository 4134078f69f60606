"""Numerical core of exact Shapley / dominance analysis (no pandas, no validation).

The R^2 of every one of the 2**p subsets of p predictors is computed from the
(p+1) x (p+1) correlation matrix of the predictors and the outcome (outcome in
the last row and column) by a vectorised Schur-complement recursion: deciding
predictor j either leaves it out (drop its row and column) or conditions on it
(one sweep / Gaussian-elimination step, ``M - m m' / m_jj``), so after p steps
the remaining 1 x 1 matrix of each of the 2**p branches is the residual
variance of the outcome given that subset. Bit j of the branch index says
whether predictor j is in the subset. Every step is one numpy operation over
all branches (and over a batch of matrices, e.g. bootstrap replicates), so the
cost is about 6 * 2**p flops per matrix with no Python loop over subsets.
"""

from __future__ import annotations

from math import comb, factorial

import numpy as np

__all__: list[str] = []

#: Largest number of predictors for the all-subsets R^2 array (dominance, bootstrap).
MAX_EXACT = 22
#: Largest number of predictors for the exact LMG of :func:`lmg_exact` (streamed; 2**26
#: subsets in blocks of 2**20, a few hundred MB at most).
MAX_EXACT_LMG = 26
#: Predictors whose subsets form one block of :func:`lmg_exact` (2**16 subsets per row).
_LOW_BITS = 16


def popcount(idx: np.ndarray) -> np.ndarray:
    """Number of set bits of each non-negative integer in ``idx``."""
    idx = np.asarray(idx, dtype=np.int64)
    out = np.zeros(idx.shape, dtype=np.int64)
    x = idx.copy()
    while np.any(x):
        out += x & 1
        x >>= 1
    return out


def cov_to_corr(cov: np.ndarray) -> np.ndarray:
    """Correlation matrix (batch-aware) from a covariance matrix."""
    d = np.sqrt(np.einsum("...ii->...i", cov))
    return cov / (d[..., :, None] * d[..., None, :])


def _recursion(M: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` leave-out / condition-on steps of the Schur recursion on the leading
    predictors of a batch of matrices laid out as (m, m, B, N): N branches of B matrices,
    branches last so that every operation runs over long contiguous vectors even when the
    matrices have shrunk to 2 x 2. Returns (m - steps, m - steps, B, N * 2**steps); bit i
    of the new part of the branch index says whether the i-th leading predictor was
    conditioned on. Each step writes into one new array (peak: old and new branches)."""
    for _ in range(steps):
        m, _, B, N = M.shape
        out = np.empty((m - 1, m - 1, B, 2 * N))
        rest = M[1:, 1:]
        col = M[1:, 0]
        out[..., :N] = rest
        inc = out[..., N:]
        np.multiply(col[:, None], (col / M[0, 0])[None, :], out=inc)
        np.subtract(rest, inc, out=inc)
        M = out
    return M


def all_subset_r2(corr: np.ndarray) -> np.ndarray:
    """R^2 of every subset of predictors.

    Parameters
    ----------
    corr : array, shape (m, m) or (B, m, m)
        Correlation (or covariance) matrix with the outcome last; ``p = m - 1``
        predictors.

    Returns
    -------
    array, shape (2**p,) or (B, 2**p)
        Entry ``k`` is the R^2 of the predictors whose bits are set in ``k``.
    """
    single = corr.ndim == 2
    M = np.asarray(corr, dtype=float)
    if single:
        M = M[None]
    p = M.shape[-1] - 1
    syy = M[:, -1, -1].copy()
    resid = _recursion(np.moveaxis(M, 0, -1)[..., None], p)[0, 0]  # (B, 2**p)
    r2 = 1.0 - resid / syy[:, None]
    r2[:, 0] = 0.0
    return r2[0] if single else r2


def _size_order(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the 2**(p-1) subsets of the other p-1 predictors: sort order by size,
    reduceat boundaries and the number of subsets of each size."""
    t = np.arange(2 ** (p - 1), dtype=np.int64)
    sizes = popcount(t)
    order = np.argsort(sizes, kind="stable")
    counts = np.array([comb(p - 1, k) for k in range(p)], dtype=float)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return t[order], starts, counts


def conditional_contributions(r2: np.ndarray, p: int) -> np.ndarray:
    """Average increase in R^2 from adding predictor j to subsets of size k.

    Parameters
    ----------
    r2 : array, shape (..., 2**p)
    p : int

    Returns
    -------
    array, shape (..., p, p)
        ``[..., j, k]``: mean of ``R2(S + j) - R2(S)`` over subsets ``S`` of the
        other predictors with ``|S| = k`` (Azen & Budescu 2003, conditional
        dominance statistics). Their mean over ``k`` is the LMG / Shapley value.
    """
    r2 = np.asarray(r2, dtype=float)
    lead = r2.shape[:-1]
    out = np.empty(lead + (p, p))
    if p == 1:
        out[..., 0, 0] = r2[..., 1]
        return out
    t, starts, counts = _size_order(p)
    for j in range(p):
        bit = np.int64(1) << j
        low = t & (bit - 1)
        S = ((t >> j) << (j + 1)) | low
        inc = r2[..., S | bit] - r2[..., S]
        out[..., j, :] = np.add.reduceat(inc, starts, axis=-1) / counts
    return out


def shapley_from_r2(r2: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """LMG (= Shapley value = general dominance) and conditional dominance
    statistics from the R^2 of all subsets. Returns ``(lmg, cond)``."""
    cond = conditional_contributions(r2, p)
    return cond.mean(axis=-1), cond


def shapley_weights(p: int) -> np.ndarray:
    """Shapley weights ``|S|! (p - |S| - 1)! / p!`` for ``|S| = 0..p-1`` (and 0 for ``|S| = p``)."""
    w = np.zeros(p + 1)
    for s in range(p):
        w[s] = 1.0 / (p * comb(p - 1, s))
    return w


def lmg_exact(corr: np.ndarray, low_bits: int = _LOW_BITS) -> tuple[np.ndarray, float]:
    """Exact LMG (Shapley value of the R^2 game) without an all-subsets array.

    With Shapley weights ``w(s)`` the value of predictor j is a linear functional of the
    subset R^2 values::

        LMG_j = sum_{S contains j} R2(S) [w(|S| - 1) + w(|S|)] - sum_S R2(S) w(|S|)

    so the 2**p values are streamed: the Schur recursion first conditions on the last
    ``p - low_bits`` predictors (one small matrix per subset of them), then runs over the
    first ``low_bits`` predictors for a block of those matrices at a time; each block of
    subset R^2 values is weighted and reduced at once (a matrix-vector product with the
    subset bits). Memory stays at about 2**20 values per block whatever p (p = 26: 64
    blocks), and no (2**p, p) array is formed.

    Parameters
    ----------
    corr : array (m, m)
        Correlation (or covariance) matrix, outcome last; ``p = m - 1`` predictors.
    low_bits : int
        Predictors enumerated inside a block (tests use small values).

    Returns
    -------
    lmg : array (p,)
    r2 : float
        R^2 of the full model (the sum of ``lmg``).
    """
    C = np.asarray(corr, dtype=float)
    p = C.shape[0] - 1
    q = min(p, low_bits)
    hb = p - q
    order = list(range(q, p)) + list(range(q)) + [p]
    syy = C[-1, -1]
    heads = _recursion(C[np.ix_(order, order)][:, :, None, None], hb)[:, :, 0]  # (., ., 2**hb)
    w = shapley_weights(p)
    c = w + np.concatenate([[0.0], w[:-1]])  # w(s - 1) + w(s)
    low = np.arange(2**q, dtype=np.int64)
    pc_low = popcount(low)
    bits_low = ((low[:, None] >> np.arange(q)) & 1).astype(float)
    high = np.arange(2**hb, dtype=np.int64)
    pc_high = popcount(high)
    bits_high = ((high[:, None] >> np.arange(hb)) & 1).astype(float)
    # weights of a block row by the size of its high part: c(s_high + |low subset|)
    c_rows = c[np.arange(hb + 1)[:, None] + pc_low[None, :]]
    w_rows = w[np.arange(hb + 1)[:, None] + pc_low[None, :]]
    rows = max(1, 2**20 // 2**q)
    lmg = np.zeros(p)
    total = 0.0
    r2_full = 0.0
    for h0 in range(0, 2**hb, rows):
        hs = slice(h0, min(h0 + rows, 2**hb))
        # (rows, 2**q) subset R^2: row = subset of the high predictors, column = of the low
        V = 1.0 - _recursion(heads[:, :, hs, None], q)[0, 0] / syy
        if h0 == 0:
            V[0, 0] = 0.0
        A = V * c_rows[pc_high[hs]]
        total += float(np.einsum("rl,rl->", V, w_rows[pc_high[hs]]))
        lmg[:q] += A.sum(axis=0) @ bits_low
        lmg[q:] += bits_high[hs].T @ A.sum(axis=1)
        r2_full = float(V[-1, -1])
    return lmg - total, r2_full


def shapley_sampled(corr: np.ndarray, n_perm: int, seed: int | np.random.Generator | None = None,
                    batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values of the R^2 game by permutation sampling with antithetic pairs.

    Each permutation is paired with its reverse (Mitchell, Cooper, Frank & Holmes 2022,
    *JMLR* 23:1-46, antithetic sampling); a driver's contribution along an ordering is the
    squared entry of the outcome row of the Cholesky factor of the reordered correlation
    matrix (the R^2 added when it joins the drivers before it), so one batched Cholesky
    decomposition gives every contribution of a batch of orderings. The estimates of each
    ordering sum to the full R^2, so their mean does too.

    Parameters
    ----------
    corr : array (m, m)
        Correlation matrix, outcome last.
    n_perm : int
        Number of orderings (rounded up to an even number: ``n_perm / 2`` antithetic pairs).
    seed : int or Generator, optional
    batch : int
        Antithetic pairs per Cholesky batch.

    Returns
    -------
    value : array (p,)
        Estimated Shapley values.
    se : array (p,)
        Monte Carlo standard errors (standard deviation of the pair means / sqrt(pairs)).
    """
    C = np.asarray(corr, dtype=float)
    p = C.shape[0] - 1
    syy = C[-1, -1]
    rng = np.random.default_rng(seed)
    n_pairs = max(2, -(-int(n_perm) // 2))
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    done = 0
    while done < n_pairs:
        b = min(batch, n_pairs - done)
        perm = np.argsort(rng.random((b, p)), axis=1)
        both = np.concatenate([perm, perm[:, ::-1]])
        idx = np.concatenate([both, np.full((2 * b, 1), p)], axis=1)
        L = np.linalg.cholesky(C[idx[:, :, None], idx[:, None, :]])
        contrib = np.empty((2 * b, p))
        np.put_along_axis(contrib, both, L[:, -1, :p] ** 2 / syy, axis=1)
        pair = 0.5 * (contrib[:b] + contrib[b:])
        s1 += pair.sum(axis=0)
        s2 += (pair ** 2).sum(axis=0)
        done += b
    mean = s1 / n_pairs
    var = np.maximum(s2 - n_pairs * mean ** 2, 0.0) / (n_pairs - 1)
    return mean, np.sqrt(var / n_pairs)


def group_shapley(r2_of_groupsets: np.ndarray, g: int) -> np.ndarray:
    """Shapley values of ``g`` players from the value of each of the 2**g
    coalitions (bit i of the index = player i in), shape (..., 2**g)."""
    v = np.asarray(r2_of_groupsets, dtype=float)
    out = np.zeros(v.shape[:-1] + (g,))
    idx = np.arange(2**g, dtype=np.int64)
    sizes = popcount(idx)
    wts = np.array([factorial(s) * factorial(g - s - 1) / factorial(g) for s in range(g)])
    for i in range(g):
        bit = 1 << i
        S = idx[(idx & bit) == 0]
        out[..., i] = ((v[..., S | bit] - v[..., S]) * wts[sizes[S]]).sum(axis=-1)
    return out


def group_masks_to_sets(masks: list[int]) -> np.ndarray:
    """Predictor bitmask of the union of every coalition of groups."""
    g = len(masks)
    out = np.zeros(2**g, dtype=np.int64)
    for k in range(2**g):
        m = 0
        for i in range(g):
            if k >> i & 1:
                m |= masks[i]
        out[k] = m
    return out


def r2_of_sets(corr: np.ndarray, sets: list[np.ndarray]) -> np.ndarray:
    """R^2 of chosen predictor sets by direct solves (for many predictors)."""
    corr = np.asarray(corr, dtype=float)
    single = corr.ndim == 2
    C = corr[None] if single else corr
    out = np.zeros((C.shape[0], len(sets)))
    for k, s in enumerate(sets):
        s = np.asarray(s, dtype=np.int64)
        if s.size == 0:
            continue
        A = C[:, s[:, None], s[None, :]]
        b = C[:, s, -1]
        sol = np.linalg.solve(A, b[..., None])[..., 0]
        out[:, k] = np.einsum("bi,bi->b", b, sol) / C[:, -1, -1]
    return out[0] if single else out


def complete_dominance(r2: np.ndarray, p: int, tol: float = 1e-12) -> np.ndarray:
    """Complete dominance designations (Budescu 1993).

    Returns a (p, p) array ``D`` with ``D[i, j] = 1`` when predictor i adds more
    R^2 than j to every subset of the other predictors (including the empty
    one), ``-1`` when j does so over i, and ``0`` when undetermined.
    """
    D = np.zeros((p, p), dtype=int)
    others_all = np.arange(2**p, dtype=np.int64)
    for i in range(p):
        for j in range(i + 1, p):
            bi, bj = 1 << i, 1 << j
            S = others_all[(others_all & (bi | bj)) == 0]
            diff = r2[S | bi] - r2[S | bj]
            if np.all(diff > tol):
                D[i, j], D[j, i] = 1, -1
            elif np.all(diff < -tol):
                D[i, j], D[j, i] = -1, 1
    return D


def conditional_dominance(cond: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Conditional dominance designations from the (p, p) matrix of
    conditional contributions: ``D[i, j] = 1`` when i's average contribution
    exceeds j's at every subset size, ``-1`` the reverse, ``0`` otherwise."""
    p = cond.shape[0]
    D = np.zeros((p, p), dtype=int)
    for i in range(p):
        for j in range(i + 1, p):
            diff = cond[i] - cond[j]
            if np.all(diff > tol):
                D[i, j], D[j, i] = 1, -1
            elif np.all(diff < -tol):
                D[i, j], D[j, i] = -1, 1
    return D


def weighted_cov(Z: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted covariance matrix of the columns of ``Z`` (weights as frequency
    or survey weights; the normalisation does not matter for R^2)."""
    if w is None:
        D = Z - Z.mean(axis=0)
        return D.T @ D / (Z.shape[0] - 1)
    w = np.asarray(w, dtype=float)
    sw = w.sum()
    mu = w @ Z / sw
    D = Z - mu
    return (D * w[:, None]).T @ D / sw


def brute_force_lmg(corr: np.ndarray) -> np.ndarray:
    """Reference LMG by explicit enumeration with one solve per subset (slow;
    for tests). Uses Shapley weights |S|!(p-|S|-1)!/p!."""
    from itertools import combinations

    p = corr.shape[0] - 1

    def r2(S: tuple[int, ...]) -> float:
        if not S:
            return 0.0
        s = list(S)
        b = corr[s, -1]
        return float(b @ np.linalg.solve(corr[np.ix_(s, s)], b) / corr[-1, -1])

    out = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            w = factorial(size) * factorial(p - size - 1) / factorial(p)
            for S in combinations(others, size):
                out[j] += w * (r2(tuple(sorted(S + (j,)))) - r2(S))
    return out
