"""Tests for ringstats._kernels.bootstrap: intervals, seeds, threads."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ringstats._kernels.bootstrap import (
    bca_interval,
    bootstrap_interval,
    bound_share,
    jackknife_acceleration,
    one_blas_thread,
    percentile_interval,
    run_replicates,
    spawn_seeds,
)


def test_percentile_interval_is_numpy_quantile_columnwise():
    rng = np.random.default_rng(0)
    b = rng.normal(size=(500, 3))
    b[:10, 1] = np.nan
    b[:, 2] = np.nan
    lo, hi = percentile_interval(b, 0.9)
    a = (1 - 0.9) / 2
    assert lo[0] == np.quantile(b[:, 0], a) and hi[0] == np.quantile(b[:, 0], 1 - a)
    assert lo[1] == np.quantile(b[10:, 1], a)
    assert np.isnan(lo[2]) and np.isnan(hi[2])
    assert percentile_interval(b[:, 0], 0.9) == (lo[0], hi[0])


def test_bca_matches_the_formula_and_reduces_to_percentile():
    rng = np.random.default_rng(1)
    x = rng.exponential(size=60)
    boot = np.array([rng.choice(x, x.size).mean() for _ in range(2000)])[:, None]
    jack = np.array([np.delete(x, i).mean() for i in range(x.size)])[:, None]
    est = np.array([x.mean()])
    lo, hi = bca_interval(boot, est, jack, 0.95)
    z0 = stats.norm.ppf(np.mean(boot[:, 0] < est[0]))
    d = jack.mean() - jack[:, 0]
    a = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    assert jackknife_acceleration(jack[:, 0]) == pytest.approx(a)
    zq = stats.norm.ppf([0.025, 0.975])
    q = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    assert (lo[0], hi[0]) == pytest.approx(tuple(np.quantile(boot[:, 0], q)))
    # skewed statistic: BCa moves right of the percentile interval
    plo, phi = percentile_interval(boot, 0.95)
    assert hi[0] > phi[0]
    # without a jackknife: the percentile interval
    assert np.allclose(bca_interval(boot, est, None, 0.95), (plo, phi))
    assert np.allclose(bootstrap_interval(boot, 0.95, method="bca", est=est, jack=jack),
                       (lo, hi))


def test_bound_share_and_seeds():
    b = np.array([[-1.0, 0.2], [0.3, 1.0], [1.0, np.nan], [0.0, 0.5]])
    assert np.allclose(bound_share(b, -1, 1), [0.5, 1 / 3])
    a1 = [np.random.default_rng(s).random() for s in spawn_seeds(7, 3)]
    a2 = [np.random.default_rng(s).random() for s in spawn_seeds(7, 3)]
    assert a1 == a2 and len(set(a1)) == 3


def _job(seed_seq, n):
    from threadpoolctl import threadpool_info

    threads = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    return np.random.default_rng(seed_seq).normal(size=n).sum(), threads


def test_run_replicates_one_blas_thread_and_independent_of_jobs():
    tasks = [(s, 100) for s in spawn_seeds(3, 4)]
    one = run_replicates(_job, tasks, n_jobs=1, progress=False)
    two = run_replicates(_job, tasks, n_jobs=2, progress=False)
    assert [v for v, _ in one] == [v for v, _ in two]
    assert all(t <= {1} for _, t in one + two)
    with one_blas_thread():
        assert _job(spawn_seeds(1, 1)[0], 3)[1] <= {1}
