"""Polychoric correlations: psych::polychoric parity (tests/reference/measurement), speed,
recovery on the simulator, nearest-PD smoothing and bad input."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from ringstats._kernels.bvn import bvn_cdf as _bvn_cdf
from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.measurement._correlation import (
    PolychoricResult,
    correlation,
    nearest_pd,
    polychoric,
)
from ringstats.simulate import draw

REF = Path(__file__).parent / "reference" / "measurement"
TOL = 0.005  # parity tolerance vs psych 2.2.9 (observed: about 2e-5)


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(REF / "bfi.csv")


@pytest.fixture(scope="module")
def bfi_poly(bfi):
    return polychoric(bfi, items=list(bfi.columns[:25]))


def test_bvn_cdf_matches_scipy():
    rng = np.random.default_rng(3)
    for r in (-0.99, -0.95, -0.6, 0.0, 0.4, 0.92, 0.93, 0.97, 0.999):
        h, k = rng.normal(size=2) * 1.5
        ref = multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([h, k])
        assert _bvn_cdf(h, k, r) == pytest.approx(ref, abs=1e-7)


def test_psych_parity_rho(bfi_poly):
    ref = pd.read_csv(REF / "polychoric_bfi_rho.csv", index_col=0)
    assert isinstance(bfi_poly, PolychoricResult)
    assert list(bfi_poly.rho.index) == list(ref.index)
    diff = np.abs(bfi_poly.rho.to_numpy() - ref.to_numpy()).max()
    assert diff < TOL
    assert not bfi_poly.smoothed and bfi_poly.min_eigenvalue > 0
    assert bfi_poly.global_thresholds


def test_psych_parity_thresholds(bfi_poly):
    ref = pd.read_csv(REF / "polychoric_bfi_tau.csv", index_col=0)
    np.testing.assert_allclose(bfi_poly.thresholds.to_numpy(), ref.to_numpy(), atol=1e-8)


def test_pairwise_counts(bfi, bfi_poly):
    x = bfi[["A1", "C3"]].notna()
    assert bfi_poly.n.loc["A1", "C3"] == int((x["A1"] & x["C3"]).sum())
    assert bfi_poly.n.loc["A1", "A1"] == int(x["A1"].sum())


def test_input_not_modified(bfi):
    copy = bfi.copy()
    polychoric(bfi, items=["A1", "A2", "A3"])
    pd.testing.assert_frame_equal(bfi, copy)


def test_recovery_on_simulator():
    w = draw("base", n=3000, seed=11)
    df = w.spec.validate(w.customers)
    pc = polychoric(df, spec=w.spec)
    lam = w.truth.loadings
    for a, b in [("prod1", "prod2"), ("seen1", "seen3"), ("spd1", "spd2")]:
        assert abs(pc.rho.loc[a, b] - lam[a] * lam[b]) < 0.05


def test_unequal_ranges_use_pairwise_thresholds():
    rng = np.random.default_rng(1)
    z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=2000)
    df = pd.DataFrame({"a": np.digitize(z[:, 0], [-1, 0, 1]) + 1,  # 1..4
                       "b": np.digitize(z[:, 1], [-.5, .5]) + 1})  # 1..3
    pc = polychoric(df)
    assert not pc.global_thresholds
    assert abs(pc.rho.loc["a", "b"] - 0.5) < 0.06


def test_listwise_vs_pairwise(bfi):
    items = ["A1", "A2", "C1", "C2"]
    pw = polychoric(bfi, items=items)
    lw = polychoric(bfi, items=items, nan_policy="listwise")
    n_complete = int(bfi[items].notna().all(axis=1).sum())
    assert (lw.n.to_numpy() == n_complete).all()
    assert np.abs(pw.rho.to_numpy() - lw.rho.to_numpy()).max() < 0.05


def test_correlation_methods(bfi):
    items = ["A1", "A2", "A3"]
    pear = correlation(bfi, items=items)
    np.testing.assert_allclose(pear.to_numpy(), bfi[items].corr().to_numpy())
    poly = correlation(bfi, items=items, method="polychoric")
    assert (np.abs(poly.to_numpy()) >= np.abs(pear.to_numpy()) - 1e-9).all()
    lw = correlation(bfi, items=items, nan_policy="listwise")
    np.testing.assert_allclose(lw.to_numpy(), bfi[items].dropna().corr().to_numpy())
    by_spec = correlation(bfi, spec={"A": items})
    pd.testing.assert_frame_equal(by_spec, pear)


def test_nearest_pd_flags_and_fixes():
    m = np.array([[1, .9, .1], [.9, 1, .9], [.1, .9, 1]])
    fixed, changed = nearest_pd(m)
    assert changed
    ev = np.linalg.eigvalsh(fixed.to_numpy())
    assert ev.min() > 0
    np.testing.assert_allclose(np.diag(fixed.to_numpy()), 1.0)
    same, changed2 = nearest_pd(np.eye(3))
    assert not changed2
    np.testing.assert_array_equal(same.to_numpy(), np.eye(3))


def test_non_pd_polychoric_is_smoothed_with_warning():
    # three items whose pairwise-complete tables imply an impossible correlation pattern
    rng = np.random.default_rng(5)
    n = 600
    z = rng.normal(size=n)
    e = rng.normal(size=n)
    a = z
    b = z * 0.98 + e * 0.2
    c = -z * 0.98 + e * 0.2
    cut = [-1, 0, 1]
    df = pd.DataFrame({"a": np.digitize(a, cut), "b": np.digitize(b, cut),
                       "c": np.digitize(c, cut)}).astype(float)
    # hide rows so each pair comes from a different part of the sample
    df.loc[:199, "a"] = np.nan
    df.loc[200:399, "b"] = np.nan
    df.loc[400:, "c"] = np.nan
    df.loc[:199, "c"] = np.digitize(z[:200] * 0.98 + e[:200] * 0.2, cut)
    with pytest.warns(RingstatsWarning, match="not positive definite"):
        pc = polychoric(df)
    assert pc.smoothed and pc.min_eigenvalue < 0
    assert np.linalg.eigvalsh(pc.rho.to_numpy()).min() > 0
    with pytest.warns(RingstatsWarning, match="smoothing was switched off"):
        raw = polychoric(df, smooth=False)
    assert not raw.smoothed


def test_bad_input():
    df = pd.DataFrame({"a": [1, 2, 3, 1, 2, 3], "b": [1, 1, 1, 1, 1, 1],
                       "c": [1.5, 2, 3, 1, 2, 3], "d": [1, 3, 2, 2, 1, 3],
                       "wide": [0, 10, 20, 30, 5, 15]})
    with pytest.raises(InsufficientDataError, match="item `b` has a single observed category"):
        polychoric(df, items=["a", "b"])
    with pytest.raises(RingstatsError, match="integer response codes; item `c`"):
        polychoric(df, items=["a", "c"])
    with pytest.raises(RingstatsError, match="at most 20 categories.*item `wide`"):
        polychoric(df, items=["a", "wide"])
    with pytest.raises(RingstatsError, match="at least two columns"):
        polychoric(df, items=["a"])
    with pytest.raises(RingstatsError, match="nan_policy"):
        polychoric(df, items=["a", "d"], nan_policy="all")
    with pytest.raises(RingstatsError, match="not in `data`"):
        polychoric(df, items=["a", "zz"])
    with pytest.raises(RingstatsError, match="either `items` or `spec`"):
        polychoric(df, items=["a", "d"], spec={"x": ["a", "d"]})
    with pytest.raises(RingstatsError, match="method"):
        correlation(df, items=["a", "d"], method="spearman")
    with pytest.raises(InsufficientDataError, match="item `b` is constant"):
        correlation(df, items=["a", "b"])
    with pytest.raises(RingstatsError, match="square"):
        nearest_pd(np.ones((2, 3)))
    with pytest.raises(RingstatsError, match="symmetric"):
        nearest_pd(np.array([[1, .2], [.3, 1]]))
    gap = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "d": [np.nan, np.nan, 1, 2]})
    with pytest.raises(InsufficientDataError, match="never answered together"):
        polychoric(gap)


def test_no_warning_on_pd(bfi):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RingstatsWarning)
        polychoric(bfi, items=["A1", "A2", "A3", "A4"])


def test_psych_parity_unequal_ranges(bfi):
    # education (1-5) beside 6-point items: psych sets global = FALSE (pairwise thresholds)
    ref = pd.read_csv(REF / "polychoric_bfi_local_rho.csv", index_col=0)
    pc = polychoric(bfi, items=list(ref.index))
    assert not pc.global_thresholds
    assert np.abs(pc.rho.to_numpy() - ref.to_numpy()).max() < TOL
