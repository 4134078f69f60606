"""Poisson(1) bootstrap multipliers from a counter-based generator.

The multiplier of row ``i`` in replicate ``b`` is a function of ``(seed, i, b)`` only: the
row's 64-bit word ``h = splitmix64(key(seed) + i)`` gives ``a`` (low half) and an odd
``c`` (high half); the replicate's 32-bit uniform is ``lowbias32(a + b * c)`` (a Weyl
sequence over ``b`` through a bijective mixer), turned into a Poisson(1) draw by inversion
of its distribution function (values above 12, probability 1.7e-11, are read as 12: the
32-bit resolution). So the replicates do not depend on how
the rows are cut into chunks, partitions or files, on the engine, or on the number of
workers: only on the row order of the source (``i`` counts rows from 0 in the order they
are read) and on ``seed``. The Poisson(1) multiplier bootstrap ("Poisson
bootstrap") approximates the multinomial resampling of the ordinary bootstrap as n grows
(Hanley & MacGibbon 2006, *Computational Statistics & Data Analysis* 51, 1437-1442; Chamandy
et al. 2012, "Estimating uncertainty for massive data streams", Google technical report).

splitmix64: Steele, Lea & Flood (2014), "Fast splittable pseudorandom number generators",
OOPSLA; the finaliser constants are those of Java's ``SplittableRandom``. lowbias32: C.
Wellons's hash-prospector integer hash (2018, public domain).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["poisson_multipliers"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# P(X <= k) for X ~ Poisson(1), k = 0..11, as thresholds on 32-bit integers
_T32 = np.array([round(c * 2**32) for c in np.cumsum(
    [math.exp(-1.0) / math.factorial(k) for k in range(12)])], dtype=np.uint64)
_LO = np.uint64(0xFFFFFFFF)


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _key(seed: int) -> np.uint64:
    with np.errstate(over="ignore"):
        return _mix(np.array([np.uint64(seed % 2**64) * _GOLDEN + _GOLDEN]))[0]


_H1 = np.uint32(0x7FEB352D)
_H2 = np.uint32(0x846CA68B)
_T32U = _T32.astype(np.uint32)


def _lowbias32(x: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """In place on ``x`` (uint32); ``tmp`` is scratch space of the same shape."""
    for shift, mult in ((16, _H1), (15, _H2), (16, None)):
        np.right_shift(x, np.uint32(shift), out=tmp)
        x ^= tmp
        if mult is not None:
            x *= mult
    return x


#: Rows per block of the generator: its uint32 work arrays (rows x replicates) stay in the
#: processor's cache, about twice as fast as one pass over a whole chunk (measured).
_SUB = 2048


def poisson_multipliers(seed: int, start: int, n: int, n_rep: int) -> np.ndarray:
    """Multipliers (n, n_rep) as float64 for rows ``start .. start + n - 1``."""
    if n == 0 or n_rep == 0:
        return np.zeros((n, n_rep))
    out = np.empty((n, n_rep))
    reps = np.arange(n_rep, dtype=np.uint32)[None, :]
    with np.errstate(over="ignore"):
        h = _mix(np.arange(start, start + n, dtype=np.uint64) + _key(seed))
    a = (h & _LO).astype(np.uint32)
    c = (h >> np.uint64(32)).astype(np.uint32) | np.uint32(1)
    size = min(n, _SUB)
    u = np.empty((size, n_rep), dtype=np.uint32)
    tmp = np.empty((size, n_rep), dtype=np.uint32)
    for s0 in range(0, n, _SUB):
        s1 = min(n, s0 + _SUB)
        uu, tt = u[:s1 - s0], tmp[:s1 - s0]
        np.multiply(reps, c[s0:s1, None], out=uu)  # Weyl sequence a + b * c (mod 2**32)
        uu += a[s0:s1, None]
        _lowbias32(uu, tt)
        # inversion: the draw is the number of thresholds <= u; four comparisons settle
        # 98% of the draws (X <= 3), the rest are looked up
        m = (uu >= _T32U[0]).view(np.uint8)
        for k in (1, 2, 3):
            m += (uu >= _T32U[k]).view(np.uint8)
        big = uu >= _T32U[4]
        if big.any():
            m[big] = np.searchsorted(_T32, uu[big].astype(np.uint64), side="right")
        out[s0:s1] = m
    return out
