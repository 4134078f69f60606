"""Bootstrap kernel: percentile and BCa intervals, seed spawning, and a replicate runner that
keeps BLAS to one thread.

Every bootstrap in ringstats draws its replicate streams from here (:func:`spawn_seeds`,
:func:`rng_streams`), forms its intervals here (:func:`percentile_interval`,
:func:`bca_interval`, :func:`bootstrap_interval`) and runs its replicate loops through
:func:`run_replicates` or inside :func:`one_blas_thread`.

Why one BLAS thread: a replicate solves many small systems (a few columns, thousands of
rows). Multithreaded BLAS splits each small product over every core and the threads spend
more time synchronising than computing; with several jobs each starting its own BLAS pool
the cores are oversubscribed. On a 26,000-row survey the 1,000 BCa replicates of binary
drivers took 216 s with the default threads and 8.7 s with one (issue 12); on the simulator
the same run spends 10x less CPU with one thread (``benchmarks/results/bench_binary_drivers.md``).
Replicate loops are parallel over replicates (joblib), never inside one.

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
Statistical Association* 82(397), 171-185.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 13-14.
Chapman & Hall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy import stats

from .linalg import single_thread_blas
from .progress import progress_iter

__all__ = [
    "spawn_seeds",
    "rng_streams",
    "one_blas_thread",
    "run_replicates",
    "percentile_interval",
    "bca_interval",
    "bootstrap_interval",
    "jackknife_acceleration",
    "bound_share",
]

CI_METHODS = ("bca", "percentile")


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
def spawn_seeds(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seed sequences of ``seed`` (``SeedSequence.spawn``).

    Child ``i`` depends only on ``seed`` and ``i``, so a replicate batch draws the same
    numbers whichever worker runs it: results do not depend on ``n_jobs``.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return ss.spawn(n)


def rng_streams(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.Generator]:
    """``n`` independent generators spawned from ``seed`` (see :func:`spawn_seeds`)."""
    return [np.random.default_rng(s) for s in spawn_seeds(seed, n)]


# ----------------------------------------------------------------------------------------
# threads
# ----------------------------------------------------------------------------------------
@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS (and OpenMP) pools to one thread inside the block (threadpoolctl; one
    cached controller, :func:`ringstats._kernels.linalg.single_thread_blas`)."""
    with single_thread_blas():
        yield


def run_replicates(
    job: Callable[..., Any],
    tasks: Sequence[tuple],
    *,
    n_jobs: int = 1,
    progress: bool | None = None,
    desc: str | None = None,
) -> list[Any]:
    """Run ``job(*task)`` for every task, in order, with one BLAS thread per worker.

    ``n_jobs == 1`` runs in this process inside :func:`one_blas_thread`. Otherwise joblib
    (loky) runs the tasks with ``inner_max_num_threads=1``, so each worker's BLAS uses one
    thread and ``n_jobs`` workers use ``n_jobs`` cores. Tasks should carry their own seed
    (:func:`spawn_seeds`) so that the results do not depend on ``n_jobs``.
    """
    if n_jobs == 1:
        with one_blas_thread():
            gen: Iterable[Any] = (job(*t) for t in tasks)
            return list(progress_iter(gen, total=len(tasks), desc=desc, enabled=progress))
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="loky", inner_max_num_threads=1):
        it = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(job)(*t) for t in tasks)
        return list(progress_iter(it, total=len(tasks), desc=desc, enabled=progress))


# ----------------------------------------------------------------------------------------
# intervals
# ----------------------------------------------------------------------------------------
def _levels(ci: float) -> np.ndarray:
    alpha = (1 - ci) / 2
    return np.array([alpha, 1 - alpha])


def percentile_interval(boot: np.ndarray, ci: float, *, min_finite: int = 1
                        ) -> tuple[np.ndarray, np.ndarray] | tuple[float, float]:
    """Percentile interval (Efron & Tibshirani 1993, ch. 13) of each column of ``boot``.

    Non-finite replicates are dropped column by column; a column with fewer than
    ``min_finite`` finite replicates gets NaN. ``numpy.quantile``'s default (linear)
    interpolation, as R's ``quantile(type = 7)``. A 1-D ``boot`` gives two floats.
    """
    b = np.asarray(boot, dtype=float)
    one = b.ndim == 1
    b2 = b[:, None] if one else b
    lo = np.full(b2.shape[1], np.nan)
    hi = np.full(b2.shape[1], np.nan)
    q = _levels(ci)
    for k in range(b2.shape[1]):
        v = b2[:, k]
        v = v[np.isfinite(v)]
        if v.size >= max(min_finite, 1):
            lo[k], hi[k] = np.quantile(v, q)
    return (float(lo[0]), float(hi[0])) if one else (lo, hi)


def jackknife_acceleration(jack: np.ndarray) -> float:
    """BCa acceleration from jackknife (leave-one-out or delete-a-group) estimates
    (Efron 1987, eq. 6.6; Efron & Tibshirani 1993, eq. 14.15); 0 when they do not vary."""
    jk = np.asarray(jack, dtype=float)
    jk = jk[np.isfinite(jk)]
    if jk.size < 2:
        return 0.0
    d = jk.mean() - jk
    den = 6 * (np.sum(d**2)) ** 1.5
    return float(np.sum(d**3) / den) if den > 0 else 0.0


def bca_interval(boot: np.ndarray, est: np.ndarray, jack: np.ndarray | None, ci: float, *,
                 min_finite: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated intervals (Efron 1987), column-wise.

    ``boot`` (B, k) replicates, ``est`` (k,) estimates, ``jack`` (m, k) jackknife estimates
    for the acceleration (None: percentile intervals). The bias correction counts ties with
    the estimate as half below and keeps the proportion inside [1/(2B), 1 - 1/(2B)]; a
    column without spread gets the percentile interval.
    """
    boot = np.asarray(boot, dtype=float)
    est = np.atleast_1d(np.asarray(est, dtype=float))
    good = np.isfinite(boot)
    lo = np.full(boot.shape[1], np.nan)
    hi = np.full(boot.shape[1], np.nan)
    for k in range(boot.shape[1]):
        bk = boot[good[:, k], k]
        if len(bk) < min_finite:
            continue
        q = _levels(ci)
        if jack is not None and np.ptp(bk) > 0 and np.isfinite(est[k]):
            prop = (np.sum(bk < est[k]) + 0.5 * np.sum(bk == est[k])) / len(bk)
            prop = np.clip(prop, 1 / (2 * len(bk)), 1 - 1 / (2 * len(bk)))
            z0 = stats.norm.ppf(prop)
            a = jackknife_acceleration(jack[:, k])
            zq = stats.norm.ppf(q)
            q = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
        lo[k], hi[k] = np.quantile(bk, q)
    return lo, hi


def bootstrap_interval(boot: np.ndarray, ci: float, *, method: str = "percentile",
                       est: np.ndarray | None = None, jack: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa interval of each column of ``boot`` (``method`` in
    ``{"percentile", "bca"}``); BCa needs ``est`` and ``jack``."""
    b = np.asarray(boot, dtype=float)
    b = b[:, None] if b.ndim == 1 else b
    if method == "bca":
        if est is None:
            raise ValueError("BCa intervals need the estimate `est`.")
        return bca_interval(b, est, jack, ci)
    return percentile_interval(b, ci)  # type: ignore[return-value]


def bound_share(boot: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Share of the finite replicates of each column at or beyond ``lower`` or ``upper``:
    how much of a bootstrap distribution piles on the bound of a bounded statistic."""
    b = np.asarray(boot, dtype=float)
    b = b[:, None] if b.ndim == 1 else b
    fin = np.isfinite(b)
    at = fin & ((b <= lower) | (b >= upper))
    with np.errstate(invalid="ignore"):
        return at.sum(axis=0) / np.maximum(fin.sum(axis=0), 1)
