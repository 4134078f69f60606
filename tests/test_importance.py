"""Tests for ringstats.importance and ringstats._kernels.shapley."""

from __future__ import annotations

from itertools import combinations
from math import comb
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ringstats import importance as imp
from ringstats._kernels import shapley as core
from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.importance import _drivers as imp_drivers
from ringstats.importance import _glm as imp_glm
from ringstats.simulate import draw

matplotlib.use("Agg")

REF = Path(__file__).parent / "reference" / "drivers"


# ----------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base():
    w = draw("base", n=5000, seed=2)
    return w, w.spec.validate(w.customers)


@pytest.fixture(scope="module")
def small():
    w = draw("base", n=1200, seed=3)
    return w, w.spec.validate(w.customers)


@pytest.fixture(scope="module")
def swiss():
    return pd.read_csv(REF / "swiss.csv").drop(columns="rownames")


SWISS_X = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


def _random_corr(rng, p, n=None):
    n = n or 3 * p + 20
    A = rng.normal(size=(n, p + 1)) @ rng.normal(size=(p + 1, p + 1))
    return np.corrcoef(A, rowvar=False)


def _naive_r2(corr, S):
    """R^2 of subset S from a plain least-squares fit on the correlation matrix."""
    if not S:
        return 0.0
    s = list(S)
    beta = np.linalg.lstsq(corr[np.ix_(s, s)], corr[s, -1], rcond=None)[0]
    return float(corr[s, -1] @ beta)


def _naive_lmg(corr):
    """Independent LMG: average over subset sizes of average increments (Grömping 2007, eq. 1)."""
    p = corr.shape[0] - 1
    out = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for k in range(p):
            incs = [_naive_r2(corr, S + (j,)) - _naive_r2(corr, S) for S in combinations(others, k)]
            out[j] += np.mean(incs) / p
    return out


# ----------------------------------------------------------------------------------------
# numerical core: exactness
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [1, 2, 3, 5, 7, 9])
def test_all_subset_r2_matches_direct_solves(p):
    rng = np.random.default_rng(p)
    for _ in range(3):
        corr = _random_corr(rng, p)
        r2 = core.all_subset_r2(corr)
        for mask in range(2**p):
            S = tuple(j for j in range(p) if mask >> j & 1)
            assert r2[mask] == pytest.approx(_naive_r2(corr, S), abs=1e-10)


@pytest.mark.parametrize("p", [1, 2, 4, 6, 8])
def test_lmg_equals_independent_enumeration_and_brute_force(p):
    rng = np.random.default_rng(100 + p)
    for _ in range(4):
        corr = _random_corr(rng, p)
        lmg, cond = core.shapley_from_r2(core.all_subset_r2(corr), p)
        np.testing.assert_allclose(lmg, _naive_lmg(corr), atol=1e-10, rtol=0)
        np.testing.assert_allclose(lmg, core.brute_force_lmg(corr), atol=1e-10, rtol=0)
        assert lmg.sum() == pytest.approx(_naive_r2(corr, tuple(range(p))), abs=1e-10)


def test_batch_core_equals_single():
    rng = np.random.default_rng(7)
    C = np.stack([_random_corr(rng, 6) for _ in range(5)])
    batch = core.all_subset_r2(C)
    for b in range(5):
        np.testing.assert_allclose(batch[b], core.all_subset_r2(C[b]), atol=1e-13)


def test_covariance_input_gives_same_r2():
    rng = np.random.default_rng(8)
    corr = _random_corr(rng, 5)
    d = rng.uniform(0.5, 20, size=6)
    np.testing.assert_allclose(core.all_subset_r2(corr * np.outer(d, d)), core.all_subset_r2(corr),
                               atol=1e-12)


def test_conditional_contributions_by_size():
    rng = np.random.default_rng(9)
    p = 5
    corr = _random_corr(rng, p)
    _, cond = core.shapley_from_r2(core.all_subset_r2(corr), p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for k in range(p):
            incs = [_naive_r2(corr, S + (j,)) - _naive_r2(corr, S) for S in combinations(others, k)]
            assert len(incs) == comb(p - 1, k)
            assert cond[j, k] == pytest.approx(np.mean(incs), abs=1e-10)


def test_group_shapley_sums_and_reduces_to_lmg_for_singletons():
    rng = np.random.default_rng(10)
    p = 6
    corr = _random_corr(rng, p)
    r2 = core.all_subset_r2(corr)
    single = core.group_shapley(r2[core.group_masks_to_sets([1 << j for j in range(p)])], p)
    np.testing.assert_allclose(single, core.shapley_from_r2(r2, p)[0], atol=1e-12)
    masks = [0b000011, 0b001100, 0b110000]
    g = core.group_shapley(r2[core.group_masks_to_sets(masks)], 3)
    assert g.sum() == pytest.approx(r2[-1], abs=1e-12)
    sets = [np.flatnonzero([(s >> j) & 1 for j in range(p)]) for s in core.group_masks_to_sets(masks)]
    np.testing.assert_allclose(core.r2_of_sets(corr, sets), r2[core.group_masks_to_sets(masks)],
                               atol=1e-12)


def test_weighted_cov_equals_replicated_rows():
    rng = np.random.default_rng(11)
    Z = rng.normal(size=(30, 4))
    f = rng.integers(1, 4, size=30)
    rep = np.repeat(Z, f, axis=0)
    C1 = core.cov_to_corr(core.weighted_cov(Z, f.astype(float)))
    C2 = np.corrcoef(rep, rowvar=False)
    np.testing.assert_allclose(C1, C2, atol=1e-12)


# ----------------------------------------------------------------------------------------
# swiss: relaimpo's published values and the base-R reference
# ----------------------------------------------------------------------------------------
def test_swiss_matches_relaimpo_published_values(swiss):
    res = imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X)
    # relaimpo calc.relimp(Fertility ~ ., swiss, type = "lmg", rela = TRUE):
    # R2 = 0.7067 (70.67%), Education 0.3681 of R2 (values as quoted in the project brief)
    assert res.attrs["r2"] == pytest.approx(0.7067, abs=5e-5)
    assert res.loc["Education", "share"] == pytest.approx(0.3681, abs=5e-5)
    assert res["estimate"].sum() == pytest.approx(res.attrs["r2"], abs=1e-12)


def test_swiss_matches_base_r_reference(swiss):
    ref = pd.read_csv(REF / "swiss_lmg.csv", index_col="driver")
    res = imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X)
    np.testing.assert_allclose(res["estimate"], ref.loc[SWISS_X, "lmg"], atol=1e-10)
    dom = imp.dominance(swiss, outcome="Fertility", drivers=SWISS_X)
    cond = pd.read_csv(REF / "swiss_conditional.csv", index_col="driver")
    np.testing.assert_allclose(dom.conditional.to_numpy(), cond.loc[SWISS_X].to_numpy(), atol=1e-10)
    comp = pd.read_csv(REF / "swiss_complete.csv", index_col="driver")
    np.testing.assert_array_equal(dom.complete_matrix.to_numpy(), comp.loc[SWISS_X, SWISS_X].to_numpy())
    sub = pd.read_csv(REF / "swiss_subset_r2.csv")
    corr = np.corrcoef(swiss[SWISS_X + ["Fertility"]].to_numpy(), rowvar=False)
    np.testing.assert_allclose(core.all_subset_r2(corr), sub["r2"], atol=1e-10)


def test_swiss_matches_pingouin(swiss):
    pg = pytest.importorskip("pingouin")
    lm = pg.linear_regression(swiss[SWISS_X], swiss["Fertility"], relimp=True)
    ours = imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X)
    np.testing.assert_allclose(ours["estimate"].to_numpy(), lm["relimp"].to_numpy()[1:], atol=1e-10)


def test_dominance_hierarchy(swiss):
    dom = imp.dominance(swiss, outcome="Fertility", drivers=SWISS_X)
    for _, row in dom.pairs.iterrows():
        if row["complete"] != "undetermined":
            assert row["conditional"] == row["complete"]
        if row["conditional"] != "undetermined":
            assert row["general"] == row["conditional"]
    assert "Dominance analysis" in str(dom)


def test_relative_weights_sum_and_johnson_identity(swiss):
    rw = imp.relative_weights(swiss, outcome="Fertility", drivers=SWISS_X)
    assert rw["estimate"].sum() == pytest.approx(0.706735, abs=1e-6)
    # orthogonal predictors: relative weights = squared correlations = LMG
    rng = np.random.default_rng(0)
    X = np.linalg.qr(rng.normal(size=(200, 3)) - 0)[0]
    X = X - X.mean(axis=0)
    df = pd.DataFrame(X, columns=list("abc"))
    df["y"] = X @ [1.0, 2.0, 0.5] + rng.normal(scale=0.01, size=200)
    a = imp.relative_weights(df, outcome="y", drivers=list("abc"))["estimate"]
    b = imp.shapley(df, outcome="y", drivers=list("abc"))["estimate"]
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_regression_standardized_and_vif(swiss):
    res = imp.regression(swiss, outcome="Fertility", drivers=SWISS_X)
    assert res.r2 == pytest.approx(0.706735, abs=1e-6)
    z = (swiss - swiss.mean()) / swiss.std()
    import statsmodels.api as sm

    fit = sm.OLS(z["Fertility"], sm.add_constant(z[SWISS_X])).fit(cov_type="HC3")
    np.testing.assert_allclose(res.coefficients["estimate"], fit.params[SWISS_X], atol=1e-10)
    np.testing.assert_allclose(res.coefficients["se"], fit.bse[SWISS_X], rtol=1e-8)
    assert res.coefficients["vif"].min() >= 1.0
    assert "HC3" in str(res)


def test_weights_equal_replicated_rows(swiss):
    f = np.tile([1, 2, 3], 16)[: len(swiss)]
    rep = swiss.loc[swiss.index.repeat(f)].reset_index(drop=True)
    a = imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X, weights=f)
    b = imp.shapley(rep, outcome="Fertility", drivers=SWISS_X)
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-10)
    ra = imp.regression(swiss.assign(wt=f), outcome="Fertility", drivers=SWISS_X, weights="wt")
    rb = imp.regression(rep, outcome="Fertility", drivers=SWISS_X)
    np.testing.assert_allclose(ra.coefficients["estimate"], rb.coefficients["estimate"], atol=1e-8)


def test_shapley_groups(swiss):
    groups = {"econ": ["Agriculture", "Examination", "Education"],
              "rel": ["Catholic"], "health": ["Infant.Mortality"]}
    g = imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X, groups=groups)
    assert g["estimate"].sum() == pytest.approx(0.706735, abs=1e-6)
    assert list(g.index) == ["econ", "rel", "health"]


# ----------------------------------------------------------------------------------------
# drivers(): rings, bootstrap, recovery
# ----------------------------------------------------------------------------------------
def test_drivers_base_structure_and_recovery(base):
    w, d = base
    res = imp.drivers(d, spec=w.spec, n_boot=200, seed=1)
    cons, rings = res.constructs, res.rings
    assert cons["estimate"].sum() == pytest.approx(res.r2, abs=1e-12)
    assert rings["estimate"].sum() == pytest.approx(res.r2, abs=1e-12)
    assert rings["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (cons["ci_low"] <= cons["estimate"]).all() and (cons["estimate"] <= cons["ci_high"]).all()
    truth = w.truth.ring_shares
    # True shares (latent rings): ring 1 < ring 2 < ring 3 (.28 / .34 / .38). With mean scores
    # (measurement error) the estimates are pulled together: ring 1 is recovered as the smallest
    # in every seed we tried, but ring 2 vs ring 3 (true gap .04) is ordered correctly in only
    # about half of the seeds at n = 5000 (see benchmarks/results/bench_drivers.md), so only the
    # robust part of the order is asserted; the difference CI must cover the true gap's sign
    # uncertainty (include 0 or lie above it).
    assert truth.idxmin() == 1 and rings["share"].idxmin() == 1
    assert rings.loc[1, "ci_high"] < max(rings.loc[2, "share"], rings.loc[3, "share"])
    assert res.differences.loc["ring3 - ring2", "ci_high"] > 0
    assert res.differences.loc["ring3 - ring1", "ci_high"] > 0
    assert list(res.differences.index) == ["ring3 - ring2", "ring3 - ring1", "ring2 - ring1"]
    assert set(res.ranks["level"]) == {"construct", "ring"}
    assert res.ranks["rank_repro"].between(0, 1).all()
    text = str(res)
    assert "Rings" in text and "Constructs" in text


def test_drivers_no_ring3_share_not_above(small):
    w = draw("no_ring3", n=3000, seed=4)
    d = w.spec.validate(w.customers)
    res = imp.drivers(d, spec=w.spec, n_boot=200, seed=1, ci_method="percentile")
    assert res.differences.loc["ring3 - ring2", "ci_low"] <= 0
    assert res.rings.loc[3, "share"] < res.rings.loc[2, "share"]


def test_drivers_reproducible_and_n_jobs_independent(small):
    w, d = small
    a = imp.drivers(d, spec=w.spec, n_boot=150, seed=5, n_jobs=1)
    b = imp.drivers(d, spec=w.spec, n_boot=150, seed=5, n_jobs=2)
    pd.testing.assert_frame_equal(a.constructs, b.constructs)
    pd.testing.assert_frame_equal(a.differences, b.differences)


def test_bca_vs_percentile_and_no_boot(small):
    w, d = small
    a = imp.drivers(d, spec=w.spec, n_boot=100, seed=2, ci_method="percentile")
    b = imp.drivers(d, spec=w.spec, n_boot=100, seed=2, ci_method="bca")
    q = a.boot["ring3_share"].quantile([0.025, 0.975]).to_numpy()
    np.testing.assert_allclose(a.rings.loc[3, ["ci_low", "ci_high"]].to_numpy(float), q)
    assert not np.allclose(a.rings["ci_low"], b.rings["ci_low"])
    c = imp.drivers(d, spec=w.spec, n_boot=0)
    assert c.rings["ci_low"].isna().all()
    assert "point estimates only" in str(c)


def test_bca_known_case():
    """BCa of a mean equals the percentile interval shifted by bias and skew; for a symmetric
    statistic with no bias it is close to the percentile interval."""
    rng = np.random.default_rng(0)
    boot = rng.normal(size=(4000, 1))
    jack = rng.normal(size=(500, 1))
    lo, hi = imp_drivers._ci(boot, np.array([0.0]), jack, 0.95, "bca")
    lo2, hi2 = imp_drivers._ci(boot, np.array([0.0]), None, 0.95, "percentile")
    assert lo[0] == pytest.approx(lo2[0], abs=0.1) and hi[0] == pytest.approx(hi2[0], abs=0.1)


def test_logit_and_ordinal_likelihoods_match_statsmodels(small):
    import statsmodels.api as sm
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    w, d = small
    from ringstats.measurement._scores import mean_scores

    S = mean_scores(d, spec=w.spec).join(d["ltr"]).dropna()
    X = S[["product", "seen"]].to_numpy()
    yb = (S["ltr"] >= 9).to_numpy(float)
    ll, beta = imp_glm._logit_ll(yb, X, np.ones(len(yb)))
    ref = sm.Logit(yb, sm.add_constant(X)).fit(disp=0).llf
    assert ll == pytest.approx(ref, abs=1e-6)
    present = np.unique(S["ltr"])
    yo = np.searchsorted(present, S["ltr"]).astype(float)
    llo, _ = imp_glm._ordinal_ll(yo, X, np.ones(len(yo)), len(present))
    refo = OrderedModel(yo.astype(int), X, distr="logit").fit(method="bfgs", disp=False,
                                                               maxiter=500).llf
    assert llo == pytest.approx(refo, abs=1e-4)
    # warm starts reach the same maximum (concave likelihoods)
    ll2, _ = imp_glm._logit_ll(yb, X, np.ones(len(yb)), start=beta + 0.3)
    assert ll2 == pytest.approx(ll, abs=1e-8)
    r2_cold = imp_glm._glm_subset_r2("binary", X, yb, np.ones(len(yb)), 2)
    fits: dict = {}
    imp_glm._glm_subset_r2("binary", X, yb, np.ones(len(yb)), 2, fits=fits)
    np.testing.assert_allclose(
        imp_glm._glm_subset_r2("binary", X, yb, np.ones(len(yb)), 2, starts=fits), r2_cold,
        rtol=0, atol=1e-9)
    assert llo >= refo - 1e-8


@pytest.mark.parametrize("weighted", [False, True])
def test_glm_pseudo_r2_matches_r(weighted):
    """McFadden R2 of every subset vs R glm(binomial) and MASS::polr(logistic) (make_reference.R)."""
    g = pd.read_csv(REF / "sim_glm.csv")
    ref = pd.read_csv(REF / "sim_glm_subset_r2.csv")
    ref = ref[ref["weighted"] == weighted].set_index("subset")
    X = g[["product", "speed", "seen"]].to_numpy()
    w = g["wt"].to_numpy() if weighted else np.ones(len(g))
    yb = (g["ltr"] >= 9).to_numpy(float)
    present = np.unique(g["ltr"])
    yo = np.searchsorted(present, g["ltr"]).astype(float)
    rb = imp_glm._glm_subset_r2("binary", X, yb, w, 2)
    ro = imp_glm._glm_subset_r2("ordinal", X, yo, w, len(present))
    np.testing.assert_allclose(rb[1:], ref["binary"].to_numpy(), atol=1e-7)
    # polr stops its BFGS optimiser early (default reltol): our Newton fit reaches the same or
    # a slightly higher likelihood, hence the looser tolerance and the one-sided check
    np.testing.assert_allclose(ro[1:], ref["ordinal"].to_numpy(), atol=5e-6)
    assert np.all(ro[1:] >= ref["ordinal"].to_numpy() - 1e-9)


def test_bca_matches_scipy_for_a_mean():
    from scipy import stats

    rng = np.random.default_rng(3)
    x = rng.exponential(size=150)
    boot = np.array([rng.choice(x, size=x.size).mean() for _ in range(20000)])[:, None]
    jack = np.array([np.delete(x, i).mean() for i in range(x.size)])[:, None]
    lo, hi = imp_drivers._ci(boot, np.array([x.mean()]), jack, 0.95, "bca")
    ref = stats.bootstrap((x,), np.mean, method="BCa", n_resamples=20000, random_state=4)
    assert lo[0] == pytest.approx(ref.confidence_interval.low, abs=0.01)
    assert hi[0] == pytest.approx(ref.confidence_interval.high, abs=0.01)


def test_drivers_binary_and_ordinal(small):
    w, d = small
    sub = w.spec.subset(["product", "speed", "seen"])
    rb = imp.drivers(d, spec=sub, kind="binary", n_boot=20, seed=1, ci_method="percentile")
    assert rb.measure == "McFadden pseudo-R2"
    assert rb.constructs["estimate"].sum() == pytest.approx(rb.r2, abs=1e-10)
    assert 0 < rb.r2 < 1
    ro = imp.drivers(d, spec=sub, kind="ordinal", n_boot=0)
    assert ro.rings["share"].sum() == pytest.approx(1.0, abs=1e-10)
    dom = imp.dominance(d, spec=sub, kind="binary")
    assert dom.measure == "McFadden pseudo-R2" and dom.r2 == pytest.approx(rb.r2, abs=1e-12)
    np.testing.assert_allclose(dom.general["estimate"], rb.constructs["estimate"], atol=1e-12)
    assert "McFadden" in str(dom)


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------
def test_bad_kind(small):
    w, d = small
    with pytest.raises(RingstatsError, match="`kind` must be one of"):
        imp.drivers(d, spec=w.spec, kind="poisson")


def test_outcome_outside_ltr_range(small):
    w, d = small
    bad = d.copy()
    bad.loc[bad.index[0], "ltr"] = 12
    with pytest.raises(RingstatsError, match="whole numbers 0..10"):
        imp.drivers(bad, spec=w.spec, n_boot=0)


def test_all_promoters_binary(small):
    w, d = small
    allp = d.assign(ltr=10)
    with pytest.raises(InsufficientDataError, match="every complete row is among the promoters"):
        imp.drivers(allp, spec=w.spec.subset(["product", "seen"]), kind="binary", n_boot=0)


def test_perfectly_collinear(swiss):
    df = swiss.assign(copy=2 * swiss["Education"] + 1)
    with pytest.raises(RingstatsError, match="perfectly collinear"):
        imp.shapley(df, outcome="Fertility", drivers=SWISS_X + ["copy"])


def test_too_few_rows(swiss):
    with pytest.raises(InsufficientDataError, match="at least 7 complete rows"):
        imp.shapley(swiss.head(6), outcome="Fertility", drivers=SWISS_X)


def test_too_many_drivers_for_exact():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 28)), columns=[f"x{i}" for i in range(28)])
    with pytest.raises(RingstatsError, match="at most 26.*groups="):
        imp.shapley(df, outcome="x27", drivers=[f"x{i}" for i in range(27)], method="exact")
    # dominance keeps the all-subsets array (complete dominance): 22 drivers at most
    with pytest.raises(RingstatsError, match="groups="):
        imp.dominance(df, outcome="x27", drivers=[f"x{i}" for i in range(23)])


def test_other_argument_errors(small, swiss):
    w, d = small
    with pytest.raises(RingstatsError, match="`ci_method` must be one of"):
        imp.drivers(d, spec=w.spec, ci_method="normal")
    with pytest.raises(RingstatsError, match="`n_boot` must be at least 0"):
        imp.drivers(d, spec=w.spec, n_boot=-1)
    with pytest.raises(RingstatsError, match="`weights` must be non-negative"):
        imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X, weights=-np.ones(len(swiss)))
    with pytest.raises(RingstatsError, match="`groups` must cover every driver"):
        imp.shapley(swiss, outcome="Fertility", drivers=SWISS_X, groups={"a": ["Catholic"]})
    with pytest.raises(RingstatsError, match="give `drivers`"):
        imp.shapley(swiss, outcome="Fertility")
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec"):
        imp.drivers(d, spec={"a": ["prod1"]})
    with pytest.raises(RingstatsError, match="`outcome` must be a column name"):
        imp.regression(swiss, drivers=SWISS_X)


def test_glm_driver_limit(small, monkeypatch):
    w, d = small
    monkeypatch.setattr(imp_glm, "MAX_GLM_DRIVERS", 4)
    with pytest.raises(RingstatsError, match="accepts at most 4 constructs"):
        imp.drivers(d, spec=w.spec, kind="ordinal", n_boot=0)


def test_caller_frame_untouched(small):
    w, d = small
    before = d.copy()
    imp.drivers(d, spec=w.spec, n_boot=0)
    pd.testing.assert_frame_equal(d, before)


# ----------------------------------------------------------------------------------------
# plots
# ----------------------------------------------------------------------------------------
def test_plots_return_axes(small):
    import matplotlib.pyplot as plt

    from ringstats.plotting import plot_importance, plot_ring_diagram

    w, d = small
    res = imp.drivers(d, spec=w.spec, n_boot=50, seed=1)
    ax = plot_importance(res)
    assert ax.get_title() and ax.get_xlabel()
    assert len(ax.patches) == len(res.constructs)
    ax2 = plot_ring_diagram(res)
    assert ax2.get_title()
    assert any("ring 3" in t.get_text().lower() for t in ax2.texts)
    with pytest.raises(RingstatsError, match="DriverResult"):
        plot_importance("x")
    plt.close("all")


def test_drivers_latent_scores_recover_the_ltr_truth():
    # Known truth in, estimates and intervals that cover it out. With latent-trait scores the
    # point estimates put the rings in the truth's order (1 < 2 < 3) in nearly every sample
    # of 20,000 (benchmarks/results/recovery_drivers.md), and the intervals cover the
    # population shares of LTR on the error-free ring latents.
    w = draw("base", n=20000, seed=1)
    d = w.spec.validate(w.customers)
    res = imp.drivers(d, spec=w.spec, scores="latent", n_boot=200, seed=1)
    truth = w.truth.ring_shares_ltr
    assert list(truth.sort_values().index) == [1, 2, 3]
    assert list(res.rings["share"].sort_values().index) == [1, 2, 3]
    for r in (1, 2, 3):
        assert res.rings.loc[r, "ci_low"] <= truth[r] <= res.rings.loc[r, "ci_high"]
    true_diff = {"ring3 - ring2": truth[3] - truth[2], "ring3 - ring1": truth[3] - truth[1],
                 "ring2 - ring1": truth[2] - truth[1]}
    for k, v in true_diff.items():
        assert res.differences.loc[k, "ci_low"] <= v <= res.differences.loc[k, "ci_high"], k
    # ring 3's lead over ring 1 is established at this n
    assert res.differences.loc["ring3 - ring1", "ci_low"] > 0


def test_drivers_latent_no_ring3_share_not_above():
    w = draw("no_ring3", n=3000, seed=4)
    d = w.spec.validate(w.customers)
    res = imp.drivers(d, spec=w.spec, scores="latent", n_boot=200, seed=1)
    assert res.differences.loc["ring3 - ring2", "ci_high"] < 0
    assert res.differences.loc["ring3 - ring1", "ci_high"] < 0


# ----------------------------------------------------------------------------------------
# beyond 22 drivers: streamed exact LMG and sampled Shapley values
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [1, 2, 5, 9, 13])
def test_streamed_lmg_equals_all_subsets(p):
    rng = np.random.default_rng(200 + p)
    corr = _random_corr(rng, p)
    ref, _ = core.shapley_from_r2(core.all_subset_r2(corr), p)
    for low_bits in (1, 3, 16):  # several blocks, and one block
        lmg, r2 = core.lmg_exact(corr, low_bits=low_bits)
        np.testing.assert_allclose(lmg, ref, atol=1e-12, rtol=0)
        assert r2 == pytest.approx(_naive_r2(corr, tuple(range(p))), abs=1e-12)
    if p <= 9:
        np.testing.assert_allclose(lmg, core.brute_force_lmg(corr), atol=1e-12, rtol=0)


@pytest.mark.parametrize("p", [12, 18])
def test_sampled_shapley_within_monte_carlo_error(p):
    rng = np.random.default_rng(300 + p)
    corr = _random_corr(rng, p, n=400)
    exact, r2 = core.lmg_exact(corr)
    val, se = core.shapley_sampled(corr, 2000, seed=1)
    assert val.sum() == pytest.approx(r2, abs=1e-12)  # every ordering sums to R^2
    assert np.all(se > 0)
    z = (val - exact) / se
    assert np.abs(z).max() < 4.5  # p tests at once: within a few Monte Carlo errors
    assert np.mean(z ** 2) < 3  # and the errors are about the size reported
    again, _ = core.shapley_sampled(corr, 2000, seed=1)
    np.testing.assert_array_equal(val, again)  # seeded


def test_shapley_method_choice_and_note():
    rng = np.random.default_rng(4)
    n, p = 400, 28
    X = rng.normal(size=(n, p))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(p)])
    df["y"] = X @ rng.uniform(0, 0.4, size=p) + rng.normal(size=n)
    names = [f"x{i}" for i in range(p)]
    auto = imp.shapley(df, outcome="y", drivers=names, n_perm=400, seed=1)
    assert auto.attrs["method"] == "sampled" and "exact enumeration stops at 26" in auto.attrs["note"]
    assert list(auto.columns) == ["estimate", "share", "rank", "mc_se"]
    assert auto["estimate"].sum() == pytest.approx(auto.attrs["r2"], abs=1e-12)
    with pytest.raises(RingstatsError, match="at most 26.*method='sampled'"):
        imp.shapley(df, outcome="y", drivers=names[:27], method="exact")
    small = imp.shapley(df, outcome="y", drivers=names[:10])
    assert small.attrs["method"] == "exact" and "mc_se" not in small.columns
    sampled = imp.shapley(df, outcome="y", drivers=names[:10], method="sampled", seed=2)
    z = (sampled["estimate"] - small["estimate"]) / sampled["mc_se"]
    assert z.abs().max() < 4.5
    # ring-level (group) values stay exact whatever the number of drivers
    groups = {f"g{g}": names[g::4] for g in range(4)}
    grp = imp.shapley(df, outcome="y", drivers=names, groups=groups)
    assert grp["estimate"].sum() == pytest.approx(auto.attrs["r2"], abs=1e-10)
    with pytest.raises(RingstatsError, match="`method` must be one of"):
        imp.shapley(df, outcome="y", drivers=names[:5], method="approx")


@pytest.mark.slow
def test_exact_lmg_at_26_drivers_runs():
    rng = np.random.default_rng(26)
    corr = _random_corr(rng, 26, n=500)
    lmg, r2 = core.lmg_exact(corr)
    assert lmg.sum() == pytest.approx(r2, abs=1e-10)
    val, se = core.shapley_sampled(corr, 4000, seed=3)
    assert np.abs((val - lmg) / se).max() < 5


@pytest.mark.parametrize("cov_type", ["HC3", "nonrobust"])
def test_regression_kernel_matches_statsmodels_wls(swiss, cov_type):
    import statsmodels.api as sm

    wt = np.linspace(0.5, 2.0, len(swiss))
    res = imp.regression(swiss.assign(wt=wt), outcome="Fertility", drivers=SWISS_X,
                         weights="wt", cov_type=cov_type, standardize=False)
    m = sm.WLS(swiss["Fertility"].to_numpy(float), sm.add_constant(swiss[SWISS_X].to_numpy(float)),
               weights=wt).fit(cov_type=cov_type)
    c = res.coefficients
    np.testing.assert_allclose(c["estimate"], m.params[1:], rtol=1e-10)
    np.testing.assert_allclose(c["se"], m.bse[1:], rtol=1e-10)
    np.testing.assert_allclose(c["p_val"], m.pvalues[1:], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(c["ci_low"], np.asarray(m.conf_int())[1:, 0], rtol=1e-10)
    assert res.r2 == pytest.approx(m.rsquared, abs=1e-12)
    assert res.adj_r2 == pytest.approx(m.rsquared_adj, abs=1e-12)
