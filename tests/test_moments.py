"""Tests for ringstats.moments: moderation, moment_share, recovery_paradox and their plots."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from scipy import stats

from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.moments import moderation, moment_share, recovery_paradox
from ringstats.plotting import plot_johnson_neyman, plot_simple_slopes
from ringstats.simulate import draw


@pytest.fixture(scope="module")
def base():
    w = draw("base", n=3000, seed=5)
    return w, w.spec.validate(w.customers)


@pytest.fixture(scope="module")
def null_world():
    w = draw("no_moments", n=3000, seed=5)
    return w, w.spec.validate(w.customers)


def test_base_detects_ring3_interaction(base):
    w, d = base
    res = moderation(d, outcome="ltr", moderator="moment", spec=w.spec)
    assert res.levels == ("routine", "emotional")
    row = res.interactions.loc["ring3"]
    assert row["estimate"] > 0 and row["p_holm"] < 0.05
    assert row["term"] == "ring3:moment[emotional]"
    # simple slope in the focal level = reference slope + interaction
    ss = res.simple_slopes
    diff = ss.loc[("ring3", "emotional"), "estimate"] - ss.loc[("ring3", "routine"), "estimate"]
    assert diff == pytest.approx(row["estimate"])


def test_centering_does_not_change_interactions(base):
    w, d = base
    a = moderation(d, outcome="ltr", moderator="moment", spec=w.spec, center=True)
    b = moderation(d, outcome="ltr", moderator="moment", spec=w.spec, center=False)
    np.testing.assert_allclose(a.interactions["estimate"], b.interactions["estimate"], rtol=1e-8)
    np.testing.assert_allclose(a.simple_slopes["estimate"], b.simple_slopes["estimate"],
                               rtol=1e-8)


def test_holm_adjustment(base):
    w, d = base
    it = moderation(d, outcome="ltr", moderator="moment", spec=w.spec).interactions
    p = np.sort(it["p_val"].to_numpy())
    holm = np.maximum.accumulate(np.minimum(1, p * np.array([3, 2, 1])))
    np.testing.assert_allclose(np.sort(it["p_holm"].to_numpy()), holm)


def test_matches_statsmodels_formula(base):
    import statsmodels.formula.api as smf

    w, d = base
    x = d.assign(e=(d["moment"] == "emotional").astype(float),
                 s=d[["seen1", "seen2"]].mean(axis=1)).dropna(subset=["ltr", "s"])
    res = moderation(x, outcome="ltr", moderator="e", drivers=["s"], center=False)
    fit = smf.ols("ltr ~ s * e", data=x).fit(cov_type="HC3")
    assert res.interactions.loc["s", "estimate"] == pytest.approx(fit.params["s:e"])
    assert res.interactions.loc["s", "se"] == pytest.approx(fit.bse["s:e"])


def test_continuous_moderator_johnson_neyman(base):
    w, d = base
    rng = np.random.default_rng(3)
    x = d.assign(z=w.truth.latent["R3"].to_numpy() + rng.normal(size=len(d)))
    res = moderation(x, outcome="ltr", moderator="z", drivers=["seen", "speed"], spec=w.spec)
    assert res.kind == "continuous"
    assert list(res.simple_slopes.loc["seen"].index) == ["mean - 1 SD", "mean", "mean + 1 SD"]
    jn = res.johnson_neyman
    assert set(jn.columns) >= {"jn_low", "jn_high", "significant_region", "share_significant"}
    # at a finite JN root the slope's |t| equals the critical t
    tc = stats.t.ppf(0.975, res.df_resid)
    for drv in ("seen", "speed"):
        for root in jn.loc[drv, ["jn_low", "jn_high"]]:
            if np.isfinite(root):
                m = root - res.moderator_mean
                b, dd = res.params[drv], res.params[f"{drv}:z"]
                V = res.cov
                se = np.sqrt(V.loc[drv, drv] + 2 * m * V.loc[drv, f"{drv}:z"]
                             + m * m * V.loc[f"{drv}:z", f"{drv}:z"])
                assert abs(b + dd * m) / se == pytest.approx(tc, rel=1e-6)
    assert isinstance(plot_johnson_neyman(res), Axes)


def test_covariates_and_construct_drivers(base):
    w, d = base
    res = moderation(d, outcome="ltr", moderator="moment", drivers=["seen", "trust"],
                     spec=w.spec, covariates=["segment", "failure"])
    assert "segment_business" in res.coefficients.index
    assert list(res.interactions["ring"]) == [3, 3]


def test_moment_share_base_vs_null(base, null_world):
    w, d = base
    res = moment_share(d, spec=w.spec, n_boot=60, seed=1)
    t = res.table
    assert t.loc["share", "estimate"] > t.loc["baseline_share", "estimate"]
    assert t.loc["excess", "ci_low"] > 0
    # odds-ratio identity: share odds / baseline odds = (slope ratio)^2
    s, b = t.loc["share", "estimate"], t.loc["baseline_share", "estimate"]
    assert (s / (1 - s)) / (b / (1 - b)) == pytest.approx(t.loc["slope_ratio_sq", "estimate"],
                                                          rel=1e-8)
    w0, d0 = null_world
    t0 = moment_share(d0, spec=w0.spec, n_boot=60, seed=1).table
    assert t0.loc["excess", "ci_low"] < 0 < t0.loc["excess", "ci_high"]
    tall = moment_share(d, spec=w.spec, ring="all", n_boot=20, seed=1).table
    assert "slope_ratio_sq" not in tall.index


def test_recovery_paradox_on_sat_not_ltr(base):
    w, _ = base
    sat = recovery_paradox(w.customers, outcome="sat")
    assert sat.verdict.startswith("Paradox supported")
    ltr = recovery_paradox(w.customers, outcome="ltr", margin=0.5)
    assert not ltr.verdict.startswith("Paradox supported")
    assert ltr.groups.loc["no_failure", "n"] > ltr.groups.loc["recovered", "n"]
    assert "p_equivalence" in ltr.contrasts.columns


def test_plots_return_axes(base):
    w, d = base
    res = moderation(d, outcome="ltr", moderator="moment", spec=w.spec)
    ax = plot_simple_slopes(res)
    assert isinstance(ax, Axes) and ax.get_title()
    assert len(plot_simple_slopes(res, driver="ring3").lines) == 2
    with pytest.raises(RingstatsError, match="continuous moderator"):
        plot_johnson_neyman(res)
    with pytest.raises(RingstatsError, match="`driver` must be one of"):
        plot_simple_slopes(res, driver="ring9")


# ---------------------------------------------------------------- bad input
def test_moderator_with_one_level(base):
    w, d = base
    routine = d[d["moment"] == "routine"]
    with pytest.raises(InsufficientDataError, match="`moderator` must have two levels"):
        moderation(routine, outcome="ltr", moderator="moment", spec=w.spec)


def test_moderator_with_three_levels(base):
    w, d = base
    x = d.assign(tri=np.resize(["a", "b", "c"], len(d)))
    with pytest.raises(RingstatsError, match="binary or continuous"):
        moderation(x, outcome="ltr", moderator="tri", spec=w.spec)


def test_singular_design(base):
    w, d = base
    x = d.assign(a=d["seen1"].astype(float), b=2 * d["seen1"].astype(float))
    with pytest.raises(RingstatsError, match="singular design"):
        moderation(x, outcome="ltr", moderator="moment", drivers=["a", "b"])


def test_missing_columns_and_arguments(base):
    w, d = base
    with pytest.raises(RingstatsError, match="`outcome` names column"):
        moderation(d, outcome="nope", moderator="moment", spec=w.spec)
    with pytest.raises(RingstatsError, match="`moderator` names column"):
        moderation(d, outcome="ltr", moderator="nope", spec=w.spec)
    with pytest.raises(RingstatsError, match="give `drivers`"):
        moderation(d, outcome="ltr", moderator="moment")
    with pytest.raises(RingstatsError, match="`ci` must be"):
        moderation(d, outcome="ltr", moderator="moment", spec=w.spec, ci=95)
    with pytest.raises(RingstatsError, match="`ring` must be one of"):
        moment_share(d, spec=w.spec, ring=4)
    with pytest.raises(RingstatsError, match="`n_boot` must be at least 1"):
        moment_share(d, spec=w.spec, n_boot=0)


def test_recovery_bad_input(base):
    w, _ = base
    c = w.customers.copy()
    c.loc[c.index[:3], ["failure", "recovered"]] = [0, 1]
    with pytest.raises(RingstatsError, match="`recovered` must be 0 where `failure` is 0"):
        recovery_paradox(c, outcome="sat")
    with pytest.raises(RingstatsError, match="`failure` must name a 0/1 column"):
        recovery_paradox(w.customers, outcome="sat", failure="segment")
    few = w.customers[w.customers["failure"] == 0].copy()
    few = pd.concat([few, w.customers[w.customers["recovered"] == 1].head(5)])
    with pytest.raises(InsufficientDataError, match="at least 2 customers in each group"):
        recovery_paradox(few, outcome="sat")
    with pytest.raises(RingstatsError, match="`margin` must be"):
        recovery_paradox(w.customers, outcome="sat", margin=-1.0)
