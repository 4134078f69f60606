"""Tests for ringstats.asymmetries: split coding, PRCA, impact-asymmetry and Kano."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from ringstats.asymmetries import KANO_TABLE, asymmetry, impact_asymmetry, kano
from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.plotting import plot_impact_asymmetry, plot_kano


def _sim(n: int, seed: int, kind: str = "mixed") -> pd.DataFrame:
    """Three 5-point drivers: x1 penalty-only (basic), x2 symmetric linear, x3 reward-only."""
    rng = np.random.default_rng(seed)
    probs = [0.15, 0.2, 0.3, 0.2, 0.15]  # symmetric around the midpoint 3
    X = rng.choice([1, 2, 3, 4, 5], size=(n, 3), p=probs).astype(float)
    x1, x2, x3 = X.T
    y = (1.0 * np.minimum(x1 - 3, 0)            # losses only
         + 0.5 * (x2 - 3)                       # symmetric
         + 1.0 * np.maximum(x3 - 3, 0)          # gains only
         + rng.normal(0, 1.0, n))
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "y": y})


# --------------------------------------------------------------------------- split coding / PRCA
def test_split_coding_recovers_slopes():
    df = _sim(6000, 1)
    res = asymmetry(df, outcome="y", drivers=["x1", "x2", "x3"])
    s = res.split
    assert s.loc["x1", "beta_neg"] == pytest.approx(1.0, abs=0.08)
    assert s.loc["x1", "beta_pos"] == pytest.approx(0.0, abs=0.08)
    assert s.loc["x2", "beta_neg"] == pytest.approx(0.5, abs=0.08)
    assert s.loc["x2", "beta_pos"] == pytest.approx(0.5, abs=0.08)
    assert s.loc["x1", "p_val"] < 1e-6 and s.loc["x3", "p_val"] < 1e-6
    assert s.loc["x1", "diff"] > 0 > s.loc["x3", "diff"]
    assert (s["neutral"] == 3).all()
    assert s.loc["x1", "ci_low"] < s.loc["x1", "diff"] < s.loc["x1", "ci_high"]


def test_split_matches_statsmodels_wald():
    import statsmodels.api as sm

    df = _sim(800, 2)
    res = asymmetry(df, outcome="y", drivers=["x1", "x2"], neutral={"x1": 2.5})
    X = np.column_stack([np.minimum(df.x1 - 2.5, 0), np.maximum(df.x1 - 2.5, 0),
                         np.minimum(df.x2 - 3, 0), np.maximum(df.x2 - 3, 0)])
    fit = sm.OLS(df.y.to_numpy(), sm.add_constant(X)).fit()
    tt = fit.t_test([0, 1, -1, 0, 0])
    assert res.split.loc["x1", "t"] == pytest.approx(float(tt.tvalue.squeeze()))
    assert res.split.loc["x1", "p_val"] == pytest.approx(float(tt.pvalue))
    assert res.r2_split == pytest.approx(fit.rsquared)


def test_prca_recovers_dummy_effects():
    rng = np.random.default_rng(4)
    n = 4000
    x = rng.choice([1, 2, 3, 4, 5], size=n).astype(float)
    y = -1.0 * (x <= 2) + 0.5 * (x >= 4) + rng.normal(0, 0.5, n)
    res = asymmetry(pd.DataFrame({"x": x, "y": y}), outcome="y", drivers=["x"])
    p = res.prca.loc["x"]
    assert p["penalty"] == pytest.approx(-1.0, abs=0.06)
    assert p["reward"] == pytest.approx(0.5, abs=0.06)
    assert p["asym"] == pytest.approx(p["reward"] + p["penalty"])
    assert p["p_val"] < 1e-6
    assert (p["low"], p["high"]) == (2.0, 4.0)


# --------------------------------------------------------------------------- impact-asymmetry
def test_ia_definitions():
    res = impact_asymmetry(_sim(1500, 5), outcome="y", drivers=["x1", "x2", "x3"], n_boot=100,
                           seed=1)
    t = res.table
    assert np.allclose(t["riocs"], t["reward"] + t["penalty"].abs())
    assert np.allclose(t["sgp"], t["reward"] / t["riocs"])
    assert np.allclose(t["dgp"], t["penalty"].abs() / t["riocs"])
    assert np.allclose(t["ia"], t["sgp"] - t["dgp"])
    assert ((t["ia"] >= -1) & (t["ia"] <= 1)).all()
    assert (t["ia_ci_low"] <= t["ia_ci_high"]).all()


def test_ia_recovery_across_seeds():
    """Penalty-only driver -> basic in most seeds; symmetric -> never a confident wrong class."""
    basic_hits, x2_wrong, x3_hits = 0, 0, 0
    seeds = range(6)
    for seed in seeds:
        res = impact_asymmetry(_sim(1500, 100 + seed), outcome="y", drivers=["x1", "x2", "x3"],
                               n_boot=200, seed=seed, sensitivity=False)
        cls = res.table["cls"]
        basic_hits += cls["x1"] == "basic"
        x3_hits += cls["x3"] == "excitement"
        x2_wrong += cls["x2"] in ("basic", "excitement")
    assert basic_hits >= 5
    assert x3_hits >= 5
    assert x2_wrong <= 1


def test_ia_seed_reproducible_and_sensitivity_grid():
    df = _sim(1500, 9)
    a = impact_asymmetry(df, outcome="y", drivers=["x1", "x2"], n_boot=100, seed=3)
    b = impact_asymmetry(df, outcome="y", drivers=["x1", "x2"], n_boot=100, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert set(a.sensitivity.columns) == {"driver", "low", "high", "ia", "cls_point", "label"}
    assert (a.sensitivity.groupby("driver").size() <= 9).all()
    assert a.stability["share_same"].between(0, 1).all()
    c = impact_asymmetry(df, outcome="y", drivers=["x1", "x2"], n_boot=50, seed=3,
                         rings={"x1": 1, "x2": 3})
    assert c.has_rings and list(c.table["ring"]) == [1, 3]
    with pytest.raises(RingstatsError, match="`rings` must map every driver"):
        impact_asymmetry(df, outcome="y", drivers=["x1", "x2"], n_boot=50, rings={"x1": 1})
    assert "Impact-asymmetry" in str(a)


def test_ia_on_spec_world_has_rings_and_plot():
    from matplotlib.axes import Axes

    from ringstats.simulate import draw

    w = draw("base", n=1500, seed=3)
    data = w.spec.validate(w.customers)
    res = impact_asymmetry(data, outcome="ltr", spec=w.spec, n_boot=60, seed=1)
    assert list(res.table.index) == list(w.spec.construct_names)
    assert set(res.table["ring"]) == {1, 2, 3}
    assert res.has_rings
    ax = plot_impact_asymmetry(res)
    assert isinstance(ax, Axes) and ax.get_title() and ax.get_xlabel()
    asym = asymmetry(data, outcome="ltr", spec=w.spec)
    assert "ring" in asym.split.columns
    with pytest.raises(RingstatsError, match="`ia_result` must be an IAResult"):
        plot_impact_asymmetry(asym)


def test_bad_inputs():
    df = _sim(500, 1)
    with pytest.raises(RingstatsError, match="unknown column: `zz`"):
        asymmetry(df, outcome="zz", drivers=["x1"])
    with pytest.raises(RingstatsError, match="Give `drivers`.*or `spec`"):
        asymmetry(df, outcome="y")
    with pytest.raises(RingstatsError, match="must not include the outcome"):
        asymmetry(df, outcome="y", drivers=["x1", "y"])
    with pytest.raises(RingstatsError, match="low cut-off .* must be below the high"):
        asymmetry(df, outcome="y", drivers=["x1"], low=4, high=3)
    with pytest.raises(InsufficientDataError, match="Driver 'x1'.*each needs at least 10"):
        asymmetry(df, outcome="y", drivers=["x1"], low=0.5)
    with pytest.raises(InsufficientDataError, match="above the neutral point"):
        asymmetry(df, outcome="y", drivers=["x1"], neutral=5)
    with pytest.raises(RingstatsError, match=r"`neutral` names unknown driver\(s\) \['q'\]"):
        asymmetry(df, outcome="y", drivers=["x1"], neutral={"q": 3})
    with pytest.raises(RingstatsError, match="`threshold`"):
        impact_asymmetry(df, outcome="y", drivers=["x1"], threshold=1.5)
    with pytest.raises(RingstatsError, match="`n_boot` must be at least 50"):
        impact_asymmetry(df, outcome="y", drivers=["x1"], n_boot=10)
    with pytest.raises(InsufficientDataError, match="complete rows"):
        asymmetry(df.head(15), outcome="y", drivers=["x1", "x2"])
    with pytest.raises(InsufficientDataError, match="constant"):
        asymmetry(df.assign(x1=3.0), outcome="y", drivers=["x1"])


def _ia_world(n: int, seed: int) -> pd.DataFrame:
    """x1 basic, x3 reward-only, xw wrong-signed penalty (a U), xz no effect."""
    rng = np.random.default_rng(seed)
    probs = [0.15, 0.2, 0.3, 0.2, 0.15]
    X = rng.choice([1, 2, 3, 4, 5], size=(n, 4), p=probs).astype(float)
    x1, x3, xw, xz = X.T
    y = (-1.0 * (x1 <= 2) + 1.0 * (x3 >= 4) + 0.8 * (xw <= 2) + 0.8 * (xw >= 4)
         + rng.normal(0, 1.0, n))
    return pd.DataFrame({"x1": x1, "x3": x3, "xw": xw, "xz": xz, "y": y})


def test_ia_wrong_sign_and_no_effect_get_no_category():
    res = impact_asymmetry(_ia_world(3000, 1), outcome="y", drivers=["x1", "x3", "xw", "xz"],
                           n_boot=300, seed=2)
    t = res.table
    # xw: penalty significantly positive -> IA undefined, no category, reason given
    assert t.loc["xw", "penalty"] > 0 and t.loc["xw", "penalty_ci_low"] > 0
    assert t.loc["xw", "label"] == "none (wrong sign)"
    assert pd.isna(t.loc["xw", "cls"]) and pd.isna(t.loc["xw", "cls_point"])
    assert np.isnan(t.loc["xw", "ia"]) and np.isnan(t.loc["xw", "ia_ci_low"])
    assert "penalty" in t.loc["xw", "note"] and "undefined" in t.loc["xw", "note"]
    # xz: no effect -> not significant, no category
    assert t.loc["xz", "label"] == "not significant" and pd.isna(t.loc["xz", "cls"])
    # the real ones keep their classes
    assert t.loc["x1", "cls"] == "basic" and t.loc["x3", "cls"] == "excitement"
    text = res.summary().as_text()
    assert "No category: " in text and "xw none (wrong sign)" in text
    assert "xz not significant" in text
    # sensitivity cells follow the same rule
    sw = res.sensitivity[res.sensitivity["driver"] == "xw"]
    assert len(sw) and sw["cls_point"].isna().all()


def test_ia_interval_honest_at_the_bound():
    """A reward-only driver: replicates with a positive penalty put IA at +1; the interval
    reaches the bound instead of collapsing onto it, and the note says so."""
    res = impact_asymmetry(_ia_world(3000, 1), outcome="y", drivers=["x1", "x3", "xw", "xz"],
                           n_boot=300, seed=2)
    t = res.table
    for c, bound in (("x3", 1.0), ("x1", -1.0)):
        lo, hi = t.loc[c, "ia_ci_low"], t.loc[c, "ia_ci_high"]
        assert lo < hi  # never [1, 1]
        assert min(abs(lo - bound), abs(hi - bound)) < 1e-12  # reaches the bound
        assert 0.025 < t.loc[c, "ia_at_bound"] < 0.97
        assert "reaches the bound" in t.loc[c, "note"]
    # a point IA at the bound comes from a zeroed wrong-signed, non-significant component
    at = t[(t["ia"].abs() == 1.0)]
    for _, row in at.iterrows():
        assert "counted as 0" in row["note"] and row["ia_ci_low"] < row["ia_ci_high"]
    # percentile intervals of the same replicates: same rule, same bound behaviour
    p = impact_asymmetry(_ia_world(3000, 1), outcome="y", drivers=["x1", "x3", "xw", "xz"],
                         n_boot=300, seed=2, ci_method="percentile", sensitivity=False)
    assert p.table.loc["x3", "ia_ci_high"] == 1.0 and p.table.loc["x3", "ia_ci_low"] < 1.0
    assert p.ci_method == "percentile"


def test_ia_custom_cutoffs_fill_the_sensitivity_table():
    """Skewed drivers where the default cut-offs (2 and 4) leave empty groups: the grid is
    centred on the cut-offs used, so custom cut-offs give a filled table."""
    rng = np.random.default_rng(5)
    n = 1500
    X = rng.choice([1, 2, 3, 4, 5], size=(n, 2), p=[0.002, 0.002, 0.256, 0.4, 0.34]).astype(float)
    y = -0.8 * (X[:, 0] <= 3) + 0.6 * (X[:, 1] >= 5) + rng.normal(0, 1, n)
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y})
    with pytest.raises(InsufficientDataError):
        impact_asymmetry(df, outcome="y", drivers=["a", "b"], n_boot=50, seed=1)
    res = impact_asymmetry(df, outcome="y", drivers=["a", "b"], low=3, high=5, n_boot=100,
                           seed=1)
    sens = res.sensitivity
    assert set(sens["driver"]) == {"a", "b"}
    assert ((sens["low"] == 3) & (sens["high"] == 5)).any()  # the centre cell is the main one
    assert (res.stability["n_cells"] >= 2).all()
    assert res.stability["share_same"].notna().all()


def test_ia_real_surveys_never_label_without_evidence():
    """ECSI mobile (1-10 items, custom cut-offs: its items are skewed) and corp_rep (1-7)."""
    import warnings

    import ringstats as rs

    for name, kw in (("ecsi_mobi", {"low": 6, "high": 9}), ("corp_rep", {"low": 3, "high": 6})):
        ds = rs.datasets.load(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = ds.clean()
        res = impact_asymmetry(data, outcome=ds.spec.ltr, spec=ds.spec, n_boot=200, seed=1,
                               progress=False, **kw)
        t = res.table
        none = t["cls"].isna()
        assert set(t.loc[none, "label"]) <= {"none (wrong sign)", "not significant"}
        ok = t.loc[~none]
        assert (ok["significant"]).all()
        assert (ok["penalty_ci_low"] <= 0).all() and (ok["reward_ci_high"] >= 0).all()
        fin = t[t["ia"].notna()]
        assert (fin["ia_ci_low"] < fin["ia_ci_high"]).all()  # no collapsed interval
        assert ((fin["ia_ci_low"] >= -1) & (fin["ia_ci_high"] <= 1)).all()
        assert len(res.sensitivity) > 0 and set(res.sensitivity["driver"]) == set(t.index)


# --------------------------------------------------------------------------- Kano
def test_kano_evaluation_table_every_cell():
    codes = [1, 2, 3, 4, 5]
    f, d = np.meshgrid(codes, codes, indexing="ij")
    df = pd.DataFrame({"f": f.ravel(), "d": d.ravel()})
    res = kano(df, functional=["f"], dysfunctional=["d"])
    got = res.classes["f"].to_numpy().reshape(5, 5)
    assert (got == KANO_TABLE.to_numpy()).all()
    assert got[0, 4] == "O" and got[1, 4] == "M" and got[0, 1] == "A" and got[2, 2] == "I"
    assert got[0, 0] == "Q" and got[4, 0] == "R"


def test_kano_better_worse_and_majority():
    # feature "wifi": 3 A, 1 O, 4 M, 2 I  ->  Better = 4/10, Worse = -5/10, must-be
    f = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    d = [3, 3, 3, 5, 5, 5, 5, 5, 3, 3]
    df = pd.DataFrame({"wf": f, "wd": d, "sf": ["like"] * 10, "sd": ["neutral"] * 10})
    res = kano(df, functional={"wifi": "wf", "spa": "sf"},
               dysfunctional={"wifi": "wd", "spa": "sd"})
    row = res.table.loc["wifi"]
    assert (row["A"], row["O"], row["M"], row["I"]) == (3, 1, 4, 2)
    assert row["category"] == "M"
    assert row["better"] == pytest.approx(0.4)
    assert row["worse"] == pytest.approx(-0.5)
    assert res.table.loc["spa", "category"] == "A"
    # Fong's test: 4 M against 3 A out of 10 is no category; 10 A out of 10 is
    assert not row["significant"] and row["label"] == "not significant (M vs A)"
    assert res.table.loc["spa", "significant"] and res.table.loc["spa", "label"] == "A"
    assert "No category" in str(res) and "wifi not significant (M vs A)" in str(res)
    assert "Berger" in str(res)


def test_kano_custom_answers_missing_and_errors():
    df = pd.DataFrame({"f": ["L", "M", None], "d": ["D", "D", "D"]})
    res = kano(df, functional=["f"], dysfunctional=["d"], answers=["L", "M", "N", "W", "D"])
    assert list(res.classes["f"].iloc[:2]) == ["O", "M"]
    assert pd.isna(res.classes["f"].iloc[2]) and res.table.loc["f", "n"] == 2
    bad = pd.DataFrame({"f": [1, 7, 9], "d": [5, 5, 5], "g": [1, 1, 1], "h": [5, 0, 5]})
    with pytest.raises(RingstatsError, match=r"Feature 'f' \(functional column 'f'\).*\[7, 9\]"):
        kano(bad, functional=["f"], dysfunctional=["d"])
    with pytest.raises(RingstatsError, match=r"Feature 'speed' \(dysfunctional column 'h'\).*\[0\]"):
        kano(bad, functional={"speed": "g"}, dysfunctional={"speed": "h"})
    with pytest.raises(RingstatsError, match="same length"):
        kano(bad, functional=["f", "g"], dysfunctional=["d"])
    with pytest.raises(RingstatsError, match="same feature keys"):
        kano(bad, functional={"a": "f"}, dysfunctional={"b": "d"})
    with pytest.raises(RingstatsError, match="`answers` must map codes"):
        kano(bad, functional=["f"], dysfunctional=["d"], answers={1: "love"})


def test_plot_kano():
    from matplotlib.axes import Axes

    df = pd.DataFrame({"f": [1, 2, 1, 3], "d": [5, 5, 3, 5]})
    ax = plot_kano(kano(df, functional=["f"], dysfunctional=["d"]))
    assert isinstance(ax, Axes) and ax.get_title() == "Kano Better-Worse diagram"
    with pytest.raises(RingstatsError, match="`kano_result` must be a KanoResult"):
        plot_kano(df)
