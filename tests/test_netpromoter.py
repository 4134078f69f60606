"""Tests for ringstats.netpromoter (NPS is a vendor statistic; see module docstring)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.netpromoter import nps, nps_by, nps_sample_size, nps_test
from ringstats.plotting import plot_nps


def _ltr(p: int, q: int, d: int) -> np.ndarray:
    return np.repeat([10, 8, 3], [p, q, d])


# --------------------------------------------------------------------------- worked example
def test_worked_example_wald_40_40_20_n500():
    """Market Strategies example (evidence doc (c)): 40/40/20, n = 500 -> NPS 20 +/- 6.6."""
    res = nps(_ltr(200, 200, 100), method="wald")
    assert res.nps == pytest.approx(20.0)
    half = (res.ci_high - res.ci_low) / 2
    assert round(half, 1) == 6.6
    # Var = (p + d - (p - d)^2) / n = (0.6 - 0.04) / 500
    assert res.se == pytest.approx(100 * np.sqrt(0.56 / 500))
    # same as SD of the +1/0/-1 score (ddof 0) / sqrt(n)
    score = np.repeat([1, 0, -1], [200, 200, 100])
    assert res.se == pytest.approx(100 * score.std() / np.sqrt(500))
    assert (res.promoters, res.passives, res.detractors) == pytest.approx((40, 40, 20))
    # top box 40% +/- 4.3 from the same formula family
    assert round(100 * 1.959964 * np.sqrt(0.4 * 0.6 / 500), 1) == 4.3


def test_adjusted_wald_by_hand():
    """Rocks (2016): add 3/4 to promoter and detractor counts and 3 to n."""
    res = nps(_ltr(200, 200, 100))
    assert res.method == "adjusted_wald"
    p, d, n = 200.75 / 503, 100.75 / 503, 503
    se = np.sqrt((p + d - (p - d) ** 2) / n)
    z = stats.norm.ppf(0.975)
    assert res.ci_low == pytest.approx(100 * (p - d - z * se))
    assert res.ci_high == pytest.approx(100 * (p - d + z * se))
    assert res.nps == pytest.approx(20.0)  # point estimate stays the raw NPS


def test_adjusted_wald_coverage_vectorised():
    """20,000 replicates of the closed-form interval at n = 100, 40% / 20%: 93-97%."""
    rng = np.random.default_rng(2024)
    n, p, d = 100, 0.4, 0.2
    counts = rng.multinomial(n, [p, 1 - p - d, d], size=20_000)
    pt = (counts[:, 0] + 0.75) / (n + 3)
    dt = (counts[:, 2] + 0.75) / (n + 3)
    se = np.sqrt((pt + dt - (pt - dt) ** 2) / (n + 3))
    z = stats.norm.ppf(0.975)
    cover = np.mean((pt - dt - z * se <= p - d) & (p - d <= pt - dt + z * se))
    assert 0.93 <= cover <= 0.97
    # the function agrees with the closed form on one replicate
    c = counts[0]
    res = nps(_ltr(c[0], c[1], c[2]))
    assert res.ci_low == pytest.approx(100 * (pt[0] - dt[0] - z * se[0]))


def test_bootstrap_reproducible_and_close_to_wald():
    x = _ltr(200, 200, 100)
    a = nps(x, method="bootstrap", seed=3, n_boot=2000)
    b = nps(x, method="bootstrap", seed=3, n_boot=2000)
    assert a.ci_low == b.ci_low and a.ci_high == b.ci_high
    assert a.se == pytest.approx(100 * np.sqrt(0.56 / 500), rel=0.1)
    assert a.ci_low < a.nps < a.ci_high


def test_dataframe_input_missing_and_mean_ltr():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 11, 300).astype(float)
    x[:7] = np.nan
    df = pd.DataFrame({"score": x})
    res = nps(df, outcome="score", ci=0.9)
    assert res.n == 293 and res.n_missing == 7
    v = x[~np.isnan(x)]
    assert res.mean_ltr == pytest.approx(v.mean())
    lo, hi = stats.t.interval(0.9, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
    assert (res.mean_ci_low, res.mean_ci_high) == pytest.approx((lo, hi))
    assert res.counts.sum() == 293
    assert "vendor statistic" in str(res)


def test_weights_equal_and_kish():
    x = _ltr(200, 200, 100)
    a = nps(x, weights=np.full(500, 2.0))
    b = nps(x)
    assert a.nps == pytest.approx(b.nps) and a.ci_low == pytest.approx(b.ci_low)
    w = np.r_[np.full(250, 1.0), np.full(250, 3.0)]
    c = nps(x, weights=w, method="wald")
    assert c.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    p = w[x >= 9].sum() / w.sum()
    d = w[x <= 6].sum() / w.sum()
    assert c.nps == pytest.approx(100 * (p - d))
    assert c.se == pytest.approx(100 * np.sqrt((p + d - (p - d) ** 2) / c.n_eff))


# --------------------------------------------------------------------------- bad input
def test_out_of_range_values_named():
    with pytest.raises(RingstatsError, match=r"0\.\.10.*\[-1, 11, 99\]"):
        nps(np.array([5, 9, 11, -1, 99, 10]))


def test_non_integer_values():
    with pytest.raises(RingstatsError, match=r"whole numbers.*\[7\.5\]"):
        nps(np.array([5, 9, 7.5, 10]))


def test_non_numeric_and_wrong_types():
    with pytest.raises(RingstatsError, match="numeric"):
        nps(pd.Series(["a", "b", "c"]))
    with pytest.raises(RingstatsError, match="`data` must be a DataFrame"):
        nps({"ltr": [1, 2]})
    with pytest.raises(RingstatsError, match="`outcome` names column"):
        nps(pd.DataFrame({"x": [1, 2, 3]}))
    with pytest.raises(RingstatsError, match="`method` must be one of"):
        nps(_ltr(5, 5, 5), method="exact")
    with pytest.raises(RingstatsError, match="`ci`"):
        nps(_ltr(5, 5, 5), ci=95)
    with pytest.raises(RingstatsError, match="`weights` must have one value per row"):
        nps(_ltr(5, 5, 5), weights=[1, 2])


def test_too_small_n():
    with pytest.raises(InsufficientDataError, match="at least 2"):
        nps(np.array([9.0, np.nan]))
    with pytest.warns(RingstatsWarning, match="Small sample"):
        nps(_ltr(5, 5, 5))


def test_all_promoters_degenerate():
    """Chosen behaviour: warn; Wald interval has zero width, adjusted Wald stays informative."""
    x = np.full(50, 10)
    with pytest.warns(RingstatsWarning, match="All answers are promoters"):
        w = nps(x, method="wald")
    assert w.ci_low == w.ci_high == 100
    with pytest.warns(RingstatsWarning, match="stays informative"):
        a = nps(x)
    p, d, n = 50.75 / 53, 0.75 / 53, 53
    se = np.sqrt((p + d - (p - d) ** 2) / n)
    assert a.ci_low == pytest.approx(100 * (p - d - 1.959964 * se), abs=1e-3)
    assert a.ci_high == 100  # clipped
    assert a.ci_low < 100


def test_custom_scale_mapping_warns():
    x = np.tile([1, 2, 3, 4, 5, 5, 5, 4, 1, 2], 4)
    with pytest.warns(RingstatsWarning, match="not a standard"):
        res = nps(x, scale={"promoter": [5], "detractor": [1, 2, 3]})
    assert res.nps == pytest.approx(100 * (3 - 5) / 10)
    assert not res.standard
    with pytest.raises(RingstatsError, match=r"\[4\] that `scale` assigns to no group"):
        nps(x, scale={"promoter": [5], "detractor": [1, 2, 3], "passive": [6]})
    with pytest.raises(RingstatsError, match="both 'promoter' and 'detractor'"):
        nps(x, scale={"promoter": [5], "detractor": [5]})
    with pytest.raises(RingstatsError, match="keys 'promoter' and 'detractor'"):
        nps(x, scale={"top": [5]})


# --------------------------------------------------------------------------- tests
def test_two_sample_z_by_hand():
    a, b = _ltr(200, 200, 100), _ltr(150, 200, 150)
    res = nps_test(a, b)
    pa, da, na = 200.75 / 503, 100.75 / 503, 503
    pb, db, nb = 150.75 / 503, 150.75 / 503, 503
    va = (pa + da - (pa - da) ** 2) / na
    vb = (pb + db - (pb - db) ** 2) / nb
    z = ((pb - db) - (pa - da)) / np.sqrt(va + vb)
    assert res.z == pytest.approx(z)
    assert res.p_val == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert res.difference == pytest.approx(-20.0)
    w = nps_test(a, b, method="wald")
    assert w.se == pytest.approx(100 * np.sqrt(0.56 / 500 + 0.6 / 500))
    bt = nps_test(a, b, method="bootstrap", seed=1)
    assert bt.ci_low < -20 < bt.ci_high


def test_two_groups_by_column_and_errors():
    df = pd.DataFrame({"ltr": np.r_[_ltr(60, 30, 10), _ltr(30, 30, 40)],
                       "g": ["x"] * 100 + ["y"] * 100})
    res = nps_test(df, by="g")
    assert list(res.groups.index) == ["x", "y"]
    assert res.difference == pytest.approx(-10 - 50)
    df3 = df.assign(g=["x"] * 50 + ["y"] * 50 + ["z"] * 100)
    with pytest.raises(RingstatsError, match="exactly 2 groups"):
        nps_test(df3, by="g")
    with pytest.raises(RingstatsError, match="either `b` or `by`"):
        nps_test(df, df, by="g")
    with pytest.raises(RingstatsError, match="`b` is required"):
        nps_test(df)


def test_paired_transitions_variance():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 11, 400)
    b = np.clip(a + rng.integers(-2, 3, 400), 0, 10)
    res = nps_test(pd.Series(a), pd.Series(b), paired=True)
    ca = np.where(a >= 9, 1, np.where(a <= 6, -1, 0))
    cb = np.where(b >= 9, 1, np.where(b <= 6, -1, 0))
    # delta method on the 9-cell transition multinomial: change = sum_ij pi_ij (c_j - c_i)
    cells = np.array([(i, j) for i in (1, 0, -1) for j in (1, 0, -1)])
    pi = np.array([np.mean((ca == i) & (cb == j)) for i, j in cells])
    g = cells[:, 1] - cells[:, 0]
    var = (np.sum(pi * g**2) - np.sum(pi * g) ** 2) / 400
    assert res.se == pytest.approx(100 * np.sqrt(var))
    assert res.difference == pytest.approx(100 * (cb.mean() - ca.mean()))
    assert res.transitions.to_numpy().sum() == 400
    assert res.method == "wald"
    with pytest.raises(RingstatsError, match="'wald' or 'bootstrap' when `paired=True`"):
        nps_test(a, b, paired=True, method="adjusted_wald")
    with pytest.raises(RingstatsError, match="same length"):
        nps_test(a, b[:10], paired=True)


def test_paired_aligns_on_index():
    a = pd.Series([10, 9, 3, 8], index=["r1", "r2", "r3", "r4"])
    b = pd.Series([3, 9, 8, 2], index=["r3", "r2", "r1", "r9"])
    with pytest.warns(RingstatsWarning, match="Small sample|rough"):
        nps(a)
    res = nps_test(a, b, paired=True)
    assert res.groups["n"].iloc[0] == 3
    assert res.difference == pytest.approx(100 * (0 - 1 / 3))


def test_nps_by_holm_and_pairwise():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"ltr": np.r_[rng.integers(5, 11, 300), rng.integers(0, 11, 300),
                                    rng.integers(3, 11, 300)],
                       "seg": np.repeat(["a", "b", "c"], 300)})
    tab = nps_by(df, by="seg")
    assert list(tab.index) == ["a", "b", "c"]
    for col in ("n", "nps", "ci_low", "ci_high", "diff_vs_rest", "p_val", "p_adj"):
        assert col in tab.columns
    assert np.allclose(tab["p_adj"], multipletests(tab["p_val"], method="holm")[1])
    single = nps(df[df.seg == "b"]["ltr"])
    assert tab.loc["b", "ci_low"] == pytest.approx(single.ci_low)
    pw = nps_by(df, by="seg", compare="pairwise", p_adjust="bonferroni")
    assert len(pw) == 3
    assert np.allclose(pw["p_adj"], np.minimum(pw["p_val"] * 3, 1))
    with pytest.raises(RingstatsError, match="`p_adjust` must be one of"):
        nps_by(df, by="seg", p_adjust="sidak2")
    with pytest.raises(InsufficientDataError, match="at least 2 segments"):
        nps_by(df.assign(seg="a"), by="seg")


# --------------------------------------------------------------------------- sample size
@pytest.mark.parametrize("p,d,delta,expected", [
    (0.25, 0.25, 5, 3137), (0.25, 0.25, 10, 782), (0.25, 0.25, 15, 346),
    (0.40, 0.20, 5, 3513), (0.40, 0.20, 10, 876), (0.40, 0.20, 15, 388),
    (0.50, 0.20, 5, 3827), (0.50, 0.20, 10, 955), (0.50, 0.20, 15, 423),
])
def test_sample_size_matches_evidence_table(p, d, delta, expected):
    """Evidence doc (c) table (rounded to nearest); ours rounds up: within 1."""
    res = nps_sample_size(delta=delta, promoters=p, detractors=d)
    assert abs(res["n_a"] - expected) <= 1
    assert res["n_b"] == res["n_a"]


def test_sample_size_ratio_paired_and_errors():
    r = nps_sample_size(delta=10, ratio=2)
    assert r["n_b"] == pytest.approx(2 * r["n_a"], abs=1)
    pr = nps_sample_size(delta=10, paired=True, rho=0.5)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert pr["n_a"] == int(np.ceil(z**2 * 2 * 0.56 * 0.5 / 0.01))
    with pytest.raises(RingstatsError, match="`rho` is required"):
        nps_sample_size(delta=10, paired=True)
    with pytest.raises(RingstatsError, match=r"`promoters` \+ `detractors` must be <= 1"):
        nps_sample_size(delta=10, promoters=0.7, detractors=0.5)
    with pytest.raises(RingstatsError, match="`delta`"):
        nps_sample_size(delta=0)


# --------------------------------------------------------------------------- plot
def test_plot_nps_result_and_table():
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    ax = plot_nps(nps(_ltr(200, 200, 100)))
    assert isinstance(ax, Axes) and len(ax.patches) == 3
    df = pd.DataFrame({"ltr": np.r_[_ltr(60, 30, 10), _ltr(30, 30, 40)],
                       "g": ["x"] * 100 + ["y"] * 100})
    ax2 = plot_nps(nps_by(df, by="g"))
    assert len(ax2.patches) == 6 and ax2.get_title()
    with pytest.raises(RingstatsError, match="`result_or_by_table` must be"):
        plot_nps([1, 2])
    with pytest.raises(RingstatsError, match="missing"):
        plot_nps(pd.DataFrame({"nps": [1]}))
    plt.close("all")


def test_weighted_bootstrap_and_small_segments_warning():
    x = _ltr(200, 200, 100)
    w = np.r_[np.full(250, 1.0), np.full(250, 3.0)]
    b = nps(x, weights=w, method="bootstrap", seed=1, n_boot=500)
    wald = nps(x, weights=w, method="wald")
    assert b.nps == pytest.approx(wald.nps)
    assert b.se == pytest.approx(wald.se, rel=0.2)
    df = pd.DataFrame({"ltr": x, "team": np.arange(500) % 25})
    with pytest.warns(RingstatsWarning, match="25 segment"):
        tab = nps_by(df, by="team")
    assert len(tab) == 25 and list(tab.index[:3]) == [0, 1, 2]


def test_ltr_is_a_deprecated_alias_of_outcome():

    ltr = np.repeat([10, 8, 3], [20, 20, 10])
    df = pd.DataFrame({"score": ltr})
    with pytest.warns(FutureWarning, match="`ltr=` is deprecated .* use `outcome=`"):
        old = nps(df, ltr="score")
    assert old.nps == nps(df, outcome="score").nps
    with pytest.raises(RingstatsError, match="give `outcome` only"):
        nps(df, ltr="score", outcome="score")
