"""Tests for ringstats.culture: icc, linkage, mediation and the linkage plots."""

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from ringstats.culture import icc, linkage, mediation
from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.plotting import plot_caterpillar, plot_linkage_scatter
from ringstats.simulate import draw


@pytest.fixture(scope="module")
def base():
    w = draw("base", n=4800, seed=7)
    return w, w.spec.validate(w.customers)


def _random_intercept(icc_true=0.2, J=150, seed=0):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(5, 60, J)
    g = np.repeat(np.arange(J), sizes)
    u = rng.normal(scale=np.sqrt(icc_true), size=J)
    y = 3 + u[g] + rng.normal(scale=np.sqrt(1 - icc_true), size=len(g))
    return pd.DataFrame({"y": y, "grp": g}), sizes


def test_icc_recovers_truth_unequal_groups():
    df, sizes = _random_intercept(0.2)
    tab = icc(df, outcome="y", team="grp")
    assert tab.loc["icc1", "estimate"] == pytest.approx(0.2, abs=0.05)
    assert tab.loc["icc1", "ci_low"] < 0.2 < tab.loc["icc1", "ci_high"]
    assert tab.loc["icc1_reml", "estimate"] == pytest.approx(tab.loc["icc1", "estimate"],
                                                             abs=0.02)
    # n0 and ICC(2) by hand (Bliese 2000)
    N, J = sizes.sum(), len(sizes)
    n0 = (N - (sizes ** 2).sum() / N) / (J - 1)
    assert tab.loc["icc1", "n0"] == pytest.approx(n0)
    gm = df.groupby("grp")["y"]
    msb = (gm.size() * (gm.mean() - df["y"].mean()) ** 2).sum() / (J - 1)
    msw = ((df["y"] - gm.transform("mean")) ** 2).sum() / (N - J)
    assert tab.loc["icc2", "estimate"] == pytest.approx((msb - msw) / msb)
    assert tab.loc["icc1", "estimate"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))


def test_icc_of_simulated_team_share(base):
    w, _ = base
    lat = w.truth.latent.assign(team=w.customers["team"].to_numpy())
    tab = icc(lat, outcome=["R2", "R3"], team="team")
    # the generator puts 16% of the variance of R2 and R3 between teams
    for r in ("R2", "R3"):
        assert tab.loc[(r, "icc1"), "estimate"] == pytest.approx(0.16, abs=0.06)


def test_linkage_base_detects(base):
    w, d = base
    res = linkage(d, employees=w.employees, spec=w.spec)
    assert res.converged and res.n_teams == 120
    row = res.gamma.loc[("ring3", "meaning")]
    assert row["estimate"] > 0 and row["p_val"] < 0.05
    assert row["std_ci_low"] < w.truth.gamma < row["std_ci_high"]
    assert set(res.outcomes) == {"ltr", "ring3"}
    assert {"mean_ltr", "blup_ltr", "blup_se_ltr", "engagement", "meaning"} <= set(res.teams)
    assert res.icc.loc[("ltr", "icc1"), "estimate"] < 0.1
    assert isinstance(str(res.summary()), str)


def test_linkage_item_lists_and_outcome(base):
    w, d = base
    res = linkage(d, employees=w.employees, spec=w.spec, outcome="seen",
                  engagement=["eng1", "eng2"], meaning="mean1")
    assert res.outcomes == ("seen",)
    assert res.predictors == ("engagement", "meaning")


def test_mediation_base(base):
    w, d = base
    res = mediation(d, employees=w.employees, spec=w.spec, n_boot=200, seed=1)
    p = res.paths
    assert p.loc["indirect", "ci_low"] > 0
    assert p.loc["c", "estimate"] == pytest.approx(p.loc["c_prime", "estimate"]
                                                   + p.loc["indirect", "estimate"])
    assert p.loc["indirect", "estimate"] == pytest.approx(p.loc["a", "estimate"]
                                                          * p.loc["b", "estimate"])
    assert set(res.within.index) == {"c_prime", "b_between", "b_within"}
    again = mediation(d, employees=w.employees, spec=w.spec, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(res.paths, again.paths)


def test_plots(base):
    w, d = base
    res = linkage(d, employees=w.employees, spec=w.spec)
    assert isinstance(plot_caterpillar(res), Axes)
    assert isinstance(plot_caterpillar(res, outcome="ring3", predictor="meaning", kind="mean"),
                      Axes)
    ax = plot_linkage_scatter(res, outcome="ring3", predictor="meaning")
    assert ax.get_title() and ax.get_xlabel()
    with pytest.raises(RingstatsError, match="`kind` must be one of"):
        plot_caterpillar(res, kind="box")
    with pytest.raises(RingstatsError, match="`outcome` must be one of"):
        plot_linkage_scatter(res, outcome="nps")


def test_convergence_failure_is_flagged(base, monkeypatch):
    import statsmodels.api as sm

    w, d = base
    orig = sm.MixedLM.fit

    def bad_fit(self, *a, **k):
        r = orig(self, *a, **k)
        r.converged = False
        return r

    monkeypatch.setattr(sm.MixedLM, "fit", bad_fit)
    with pytest.warns(RingstatsWarning, match="did not converge"):
        res = linkage(d, employees=w.employees, spec=w.spec, outcome="ring3")
    assert not res.converged
    assert not res.gamma["converged"].any()


# ---------------------------------------------------------------- bad input
def test_fewer_than_min_teams(base):
    w, d = base
    few = d[d["team"] <= 8]
    with pytest.raises(InsufficientDataError, match="at least 10 teams"):
        linkage(few, employees=w.employees, spec=w.spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        with pytest.raises(InsufficientDataError, match="at least 10 teams"):
            mediation(d, employees=w.employees[w.employees["team"] <= 5], spec=w.spec, n_boot=5)


def test_team_column_missing(base):
    w, d = base
    with pytest.raises(RingstatsError, match="`team` column 'branch' is not in `data`"):
        linkage(d, employees=w.employees, spec=w.spec, team="branch")
    with pytest.raises(RingstatsError, match="`team` column 'team' is not in `employees`"):
        linkage(d, employees=w.employees.rename(columns={"team": "unit"}), spec=w.spec)
    with pytest.raises(RingstatsError, match="`team` column 'grp' is not in `data`"):
        icc(d, outcome="ltr", team="grp")


def test_employees_without_matching_teams(base):
    w, d = base
    emp = w.employees.assign(team=w.employees["team"] + 1000)
    with pytest.raises(RingstatsError, match="`employees` has no team matching `data`"):
        linkage(d, employees=emp, spec=w.spec)
    part = w.employees[w.employees["team"] > 5]
    with pytest.warns(RingstatsWarning, match="5 customer team"):
        res = linkage(d, employees=part, spec=w.spec, outcome="ring3")
    assert res.n_teams == 115 and len(res.dropped_teams) == 5


def test_other_bad_input(base):
    w, d = base
    with pytest.raises(RingstatsError, match="`engagement` names column"):
        linkage(d, employees=w.employees, spec=w.spec, engagement=["x1"])
    with pytest.raises(RingstatsError, match="found no employee items"):
        linkage(d, employees=w.employees[["team", "employee_id"]], spec=w.spec)
    with pytest.raises(RingstatsError, match="`outcome` must be a column of `data`"):
        linkage(d, employees=w.employees, spec=w.spec, outcome="happiness")
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec"):
        linkage(d, employees=w.employees, spec=None)
    with pytest.raises(RingstatsError, match="`mediator` must differ"):
        mediation(d, employees=w.employees, spec=w.spec, mediator="ltr")
    with pytest.raises(InsufficientDataError, match="at least 2 teams"):
        icc(d[d["team"] == 1], outcome="ltr", team="team")
