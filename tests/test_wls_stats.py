"""WLSMV stage 1 (thresholds, polychorics, gamma) against lavaan 0.6.14.

Reference: ``tests/reference/wlsmv/ordinal_stats.R`` (see the README there). Tolerances:
thresholds agree to 1e-12 (both are qnorm of proportions); polychorics to 1e-7 absolute,
the precision at which lavaan's ``nlminb`` stops (its gradient at its estimate is about
3e-8 per row, ours 1e-14); gamma to 1e-7 relative to its largest element, and to 1e-9
when our code is given lavaan's own correlations, which shows that the remaining
difference is lavaan's optimiser tolerance, not the formula.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, ValidationError
from ringstats.measurement._wls import OrdinalMoments, _stats
from ringstats.measurement._wls._stats import ordinal_moments, ordinal_moments_by

REF = Path(__file__).parent / "reference" / "wlsmv"
META = json.loads((REF / "meta.json").read_text())
BFI = pd.read_csv(REF / "bfi25_data.csv")
ITEMS = [c for c in BFI.columns if c not in ("row", "gender")]


def _vec(prefix: str, what: str) -> pd.Series:
    return pd.read_csv(REF / f"{prefix}_{what}.csv", index_col=0)["value"]


def _gamma(prefix: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{prefix}_gamma.csv.gz", index_col=0)


def _data(tag: str) -> pd.DataFrame:
    if tag == "bfi":
        return BFI[ITEMS]
    d = pd.read_csv(REF / f"{tag}_data.csv")
    return d.drop(columns=[c for c in ("row",) if c in d.columns])


def _names(om: OrdinalMoments) -> list[str]:
    th = [f"{it}|t{k + 1}" for it, t in zip(om.items, om.thresholds, strict=True)
          for k in range(len(t))]
    return th + [f"{om.items[c]}~~{om.items[r]}" for r, c in om.pairs]


def _check(om: OrdinalMoments, prefix: str) -> None:
    wo = _vec(prefix, "wls_obs")
    assert _names(om) == list(wo.index)  # lavaan's order of s
    m = om.n_thresholds
    np.testing.assert_allclose(om.s[:m], _vec(prefix, "thresholds").to_numpy(),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(om.s[m:], wo.to_numpy()[m:], rtol=0, atol=1e-7)
    pc = pd.read_csv(REF / f"{prefix}_polychoric.csv", index_col=0)
    np.testing.assert_allclose(om.corr, pc.to_numpy(), rtol=0, atol=1e-7)
    g = _gamma(prefix).to_numpy()
    assert np.abs(om.gamma - g).max() <= 1e-7 * np.abs(g).max()
    np.testing.assert_allclose(om.w_diag, _vec(prefix, "wls_v_diag").to_numpy(), rtol=1e-6)


@pytest.mark.parametrize("tag", ["small", "zero", "bfi"])
def test_one_group_matches_lavaan(tag):
    om = ordinal_moments(_data(tag))
    assert om.n == META["datasets"][tag][0]["n"]
    _check(om, tag)


def test_categories_and_layout_small():
    om = ordinal_moments(_data("small"))
    assert om.categories[0] == (0.0, 1.0) and om.categories[2] == (1.0, 2.0, 3.0)
    assert [len(t) for t in om.thresholds] == [1, 1, 2, 2, 2, 2]
    assert om.s.shape == (10 + 15,) and om.gamma.shape == (25, 25)
    np.testing.assert_array_equal(om.gamma, om.gamma.T)
    assert np.all(np.linalg.eigvalsh(om.gamma) > 0)


def test_gamma_formula_exact_at_lavaans_correlations(monkeypatch):
    """Fed lavaan's own polychorics, gamma agrees to the 12 digits stored."""
    wo = _vec("bfi", "wls_obs").to_numpy()
    monkeypatch.setattr(_stats, "_polychorics", lambda tab, ta, tb, start: wo[125:].copy())
    om = ordinal_moments(_data("bfi"))
    g = _gamma("bfi").to_numpy()
    assert np.abs(om.gamma - g).max() <= 1e-9 * np.abs(g).max()


def test_zero_cells_follow_lavaans_2x2_rule(monkeypatch):
    d = _data("zero")
    wo = _vec("zero", "wls_obs")
    om = ordinal_moments(d)
    assert om.corr[1, 0] == pytest.approx(wo["w1~~w2"], abs=1e-7)
    assert om.corr[4, 0] == pytest.approx(wo["w1~~w5"], abs=1e-7)
    # without lavaan's 0.5 correction the 2 x 2 correlations would differ clearly
    monkeypatch.setattr(_stats, "_zero_add_2x2", lambda tab, *a: tab)
    raw = ordinal_moments(d)
    assert abs(raw.corr[1, 0] - wo["w1~~w2"]) > 1e-3
    assert abs(raw.corr[4, 0] - wo["w1~~w5"]) > 1e-3
    # bigger tables are never corrected: w3 x w4 (3 x 3, empty cells) is unchanged
    assert raw.corr[3, 2] == pytest.approx(om.corr[3, 2], abs=1e-12)


def test_two_groups_match_lavaan():
    by = ordinal_moments_by(BFI, "gender", items=ITEMS)
    assert list(by) == [1, 2]  # order of first appearance, as lavaan
    for g, om in by.items():
        assert om.items == tuple(ITEMS)
        assert om.n == {1: 805, 2: 1631}[g]
        _check(om, f"bfi_gender_g{g}")
    by2 = ordinal_moments_by(BFI[ITEMS], BFI["gender"].to_numpy())
    np.testing.assert_array_equal(by2[2].gamma, by[2].gamma)


def test_reference_rows_are_psych_bfi():
    """The stored rows are psych::bfi's complete rows (as in tests/reference/measurement)."""
    full = pd.read_csv(Path(__file__).parent / "reference" / "measurement" / "bfi.csv")
    complete = full.dropna(subset=ITEMS)
    np.testing.assert_array_equal(complete.index.to_numpy() + 1, BFI["row"].to_numpy())
    np.testing.assert_array_equal(complete[ITEMS].to_numpy(), BFI[ITEMS].to_numpy())
    np.testing.assert_array_equal(complete["gender"].to_numpy(), BFI["gender"].to_numpy())


# ----------------------------------------------------------------------------- input
def test_inputs_array_categorical_codes_and_listwise():
    d = _data("small")
    base = ordinal_moments(d)
    arr = ordinal_moments(d.to_numpy(), items=list(d.columns))
    np.testing.assert_array_equal(arr.gamma, base.gamma)
    # codes need not be consecutive: only their order matters
    recoded = d.replace({"y3": {1: 10, 2: 20, 3: 35}})
    np.testing.assert_allclose(ordinal_moments(recoded).gamma, base.gamma, rtol=1e-12)
    cat = d.copy()
    cat["y4"] = pd.Categorical(cat["y4"], categories=[1, 2, 3], ordered=True)
    np.testing.assert_allclose(ordinal_moments(cat).s, base.s, rtol=1e-12)
    # listwise deletion, caller's frame untouched
    holes = d.astype(float).copy()
    holes.iloc[[3, 7], [0, 4]] = np.nan
    before = holes.copy()
    om = ordinal_moments(holes)
    pd.testing.assert_frame_equal(holes, before)
    assert om.n == len(d) - 2
    ref = ordinal_moments(holes.dropna())
    np.testing.assert_array_equal(om.gamma, ref.gamma)
    sub = ordinal_moments(d, items=["y5", "y3"])
    assert sub.items == ("y5", "y3") and sub.gamma.shape == (5, 5)


def test_validation_errors():
    d = _data("small")
    with pytest.raises(InsufficientDataError, match="item `y1` is constant"):
        ordinal_moments(d.assign(y1=1))
    with pytest.raises(ValidationError, match="at most 20 categories"):
        ordinal_moments(d.assign(y2=np.arange(len(d)) % 25))
    with pytest.raises(ValidationError, match="integer-coded; it has the value 2.5"):
        ordinal_moments(d.assign(y3=d["y3"] + 0.5))
    with pytest.raises(ValidationError, match="not numeric"):
        ordinal_moments(d.assign(y3="a"))
    with pytest.raises(ValidationError, match="unordered categorical"):
        ordinal_moments(d.assign(y3=pd.Categorical(d["y3"])))
    with pytest.raises(ValidationError, match="at least two items"):
        ordinal_moments(d[["y1"]])
    with pytest.raises(ValidationError, match="not in `x`"):
        ordinal_moments(d, items=["y1", "nope"])
    with pytest.raises(ValidationError, match="2-D"):
        ordinal_moments(np.arange(10))
    with pytest.raises(InsufficientDataError, match="too few for 25 sample statistics"):
        ordinal_moments(d.iloc[:25])
    # two empty cells in a 2 x 2 table: correlation +-1
    x = np.array([[0, 0], [1, 1]] * 20)
    with pytest.raises(InsufficientDataError, match="two empty cells"):
        ordinal_moments(x, items=["a", "b"])
    with pytest.raises(InsufficientDataError, match="no complete rows"):
        ordinal_moments(pd.DataFrame({"a": [1, np.nan], "b": [np.nan, 2]}))


def test_by_reports_category_empty_in_one_group():
    d = BFI[ITEMS + ["gender"]].copy()
    men = d["gender"] == 1
    d.loc[men & (d["A1"] == 6), "A1"] = 5  # category 6 of A1 now empty among men
    with pytest.raises(InsufficientDataError, match=r"item `A1`: category 6 empty in group 1"):
        ordinal_moments_by(d, "gender")
    with pytest.raises(ValidationError, match="at least two groups"):
        ordinal_moments_by(BFI[ITEMS], np.ones(len(BFI)))
    with pytest.raises(ValidationError, match="one group per row"):
        ordinal_moments_by(BFI[ITEMS], [1, 2])
    with pytest.raises(ValidationError, match="must name a column"):
        ordinal_moments_by(BFI[ITEMS], "sex")


# ----------------------------------------------------------------------------- Monte Carlo
def test_gamma_matches_monte_carlo_covariance():
    """gamma / n is the sampling covariance of s: compare with 200 replicates."""
    rng = np.random.default_rng(20260)
    r = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, -0.2], [0.3, -0.2, 1.0]])
    cuts = [np.array([-0.6, 0.8]), np.array([0.2]), np.array([-1.0, 0.0, 0.9])]
    n, reps = 400, 200
    chol = np.linalg.cholesky(r)
    ss, gs = [], []
    for _ in range(reps):
        z = rng.standard_normal((n, 3)) @ chol.T
        x = np.column_stack([np.searchsorted(c, z[:, j]) for j, c in enumerate(cuts)])
        om = ordinal_moments(x)
        ss.append(om.s)
        gs.append(om.gamma / n)
    ss = np.array(ss)
    emp = np.cov(ss, rowvar=False)
    avg = np.mean(gs, axis=0)
    truth = np.concatenate([*cuts, [0.5, 0.3, -0.2]])
    se = np.sqrt(np.diag(avg) / reps)
    assert np.all(np.abs(ss.mean(axis=0) - truth) < 4 * se + 0.01)
    ratio = np.diag(emp) / np.diag(avg)
    assert np.all((ratio > 0.75) & (ratio < 1.3)), ratio  # sd of a variance ratio ~ 0.1
    d_e, d_a = np.sqrt(np.diag(emp)), np.sqrt(np.diag(avg))
    corr_emp = emp / np.outer(d_e, d_e)
    corr_avg = avg / np.outer(d_a, d_a)
    assert np.abs(corr_emp - corr_avg).max() < 0.2  # se of a correlation ~ 0.07
