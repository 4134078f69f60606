"""Construct scores: mean scores and CFA factor scores (regression, Bartlett)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ringstats import RingstatsError, cfa
from ringstats.measurement import scores
from ringstats.measurement._scores import blocks_of, mean_scores, ring_scores
from ringstats.simulate import draw


@pytest.fixture(scope="module")
def sim():
    w = draw("base", n=1500, seed=21)
    return w, w.spec.validate(w.customers)


def test_regression_scores_track_true_latent(sim):
    w, d = sim
    s = scores(d, spec=w.spec, method="regression")
    truth = w.truth.latent
    for c in w.spec.construct_names:
        ok = s[c].notna()
        assert np.corrcoef(s.loc[ok, c], truth.loc[ok, c])[0, 1] > 0.9, c
    b = scores(d, spec=w.spec, method="bartlett")
    # regression scores have the larger validity, Bartlett scores the larger spread
    for c in w.spec.construct_names:
        ok = s[c].notna()
        r_reg = np.corrcoef(s.loc[ok, c], truth.loc[ok, c])[0, 1]
        r_bart = np.corrcoef(b.loc[ok, c], truth.loc[ok, c])[0, 1]
        assert r_reg >= r_bart - 1e-9
        assert b[c].std() > s[c].std()


def test_formulas_match_cfa_matrices(sim):
    w, d = sim
    sub = w.spec.subset(["seen", "trust"])
    res = cfa(d, spec=sub, std_lv=True, estimator="ML")
    items = list(sub.items)
    lam = res.loading_matrix.loc[items].to_numpy()
    phi = res.factor_cov.to_numpy()
    theta = res.residual_cov.loc[items, items].to_numpy()
    sigma = lam @ phi @ lam.T + theta
    x = d[items].dropna()
    xc = x.to_numpy() - res.item_means.loc[items].to_numpy()
    reg = xc @ np.linalg.solve(sigma, lam @ phi)
    ti = np.linalg.inv(theta)
    bart = xc @ (np.linalg.solve(lam.T @ ti @ lam, lam.T @ ti)).T
    s_reg = scores(d, spec=sub, method="regression").loc[x.index]
    s_bart = scores(d, spec=sub, method="bartlett").loc[x.index]
    np.testing.assert_allclose(s_reg.to_numpy(), reg, atol=1e-10)
    np.testing.assert_allclose(s_bart.to_numpy(), bart, atol=1e-10)
    # Bartlett scores are conditionally unbiased: W Lambda = I
    w_b = np.linalg.solve(lam.T @ ti @ lam, lam.T @ ti)
    np.testing.assert_allclose(w_b @ lam, np.eye(2), atol=1e-10)


def test_index_alignment_with_missing(sim):
    w, d = sim
    d2 = d.copy()
    d2.index = [f"r{i}" for i in range(len(d2))][::-1]
    d2.loc["r5", "seen1"] = np.nan
    d2.loc["r7", list(w.spec.construct("trust").items)] = np.nan
    lw = scores(d2, spec=w.spec, method="regression", nan_policy="listwise")
    assert list(lw.index) == list(d2.index)
    incomplete = d2[list(w.spec.items)].isna().any(axis=1)
    assert lw[incomplete].isna().all(axis=None)
    assert lw[~incomplete].notna().all(axis=None)
    pw = scores(d2, spec=w.spec, method="regression", nan_policy="pairwise")
    assert list(pw.index) == list(d2.index)
    assert pw.loc["r5"].notna().all()
    assert np.isnan(pw.loc["r7", "trust"]) and pw.loc["r7", "seen"] == pw.loc["r7", "seen"]
    # complete rows: pairwise scoring differs from listwise only through the FIML fit
    both = ~incomplete
    assert np.corrcoef(pw.loc[both, "seen"], lw.loc[both, "seen"])[0, 1] > 0.999
    bp = scores(d2, spec=w.spec, method="bartlett", nan_policy="pairwise")
    assert np.isnan(bp.loc["r7", "trust"]) and np.isfinite(bp.loc["r7", "seen"])


def test_mean_method_is_mean_scores(sim):
    w, d = sim
    pd.testing.assert_frame_equal(scores(d, spec=w.spec), mean_scores(d, spec=w.spec))
    pd.testing.assert_frame_equal(scores(d, spec=w.spec, method="mean", min_items=3),
                                  mean_scores(d, spec=w.spec, min_items=3))
    rs = ring_scores(d, spec=w.spec)
    assert list(rs.columns) == ["ring1", "ring2", "ring3"]
    assert blocks_of(w.spec)["seen"] == ["seen1", "seen2", "seen3", "seen4"]


def test_dict_spec_and_no_mutation(sim):
    w, d = sim
    before = d.copy()
    s = scores(d, spec={"A": ["prod1", "prod2", "prod3"], "B": ["seen1", "seen2", "seen3"]},
               method="bartlett")
    assert list(s.columns) == ["A", "B"]
    pd.testing.assert_frame_equal(d, before)


def test_bad_inputs(sim):
    w, d = sim
    with pytest.raises(RingstatsError, match="`method` must be one of"):
        scores(d, spec=w.spec, method="pca")
    with pytest.raises(RingstatsError, match="`nan_policy` must be one of"):
        scores(d, spec=w.spec, method="regression", nan_policy="fiml")
    with pytest.raises(RingstatsError, match="`min_items` must be"):
        scores(d, spec=w.spec, min_items=0)
    with pytest.raises(RingstatsError, match="not in `data`"):
        scores(d, spec={"A": ["prod1", "nope", "prod3"]}, method="regression")
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec or a dict"):
        scores(d, spec=["prod1"], method="regression")
    with pytest.raises(RingstatsError, match="must be a pandas DataFrame"):
        scores(d.to_numpy(), spec=w.spec)
