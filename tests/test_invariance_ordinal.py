"""Ordinal (WLSMV) measurement invariance: parity with lavaan/semTools, recovery, validation.

References: tests/reference/invariance/ordinal_ladder.R (lavaan 0.6.14, semTools 0.5.6):
psych::bfi A2-A5 and C1-C4 by gender, Wu & Estabrook (2016) identification, WLSMV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.measurement import invariance
from ringstats.measurement._wls import OrdinalMoments
from ringstats.measurement._wls._dwls import satorra_2000
from ringstats.measurement._wls._groups import ORDINAL_LEVELS, OrdinalGroupModel

REF = Path(__file__).parent / "reference" / "invariance"
ITEMS = ["A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4"]
SPEC = {"agree": ITEMS[:4], "consc": ITEMS[4:]}
FACTOR_OF = [0, 0, 0, 0, 1, 1, 1, 1]
MODELS = [("delta", lev) for lev in ORDINAL_LEVELS[:-1]] + [("theta", lev)
                                                           for lev in ORDINAL_LEVELS]


def _lavaan_moments() -> list[OrdinalMoments]:
    """lavaan's own per-group sample statistics, so the model and DWLS are checked alone."""
    out = []
    r, c = np.tril_indices(8, -1)
    o = np.lexsort((r, c))
    for g, n in ((1, 873), (2, 1784)):
        s = pd.read_csv(REF / f"ord_bfi_sampstat_g{g}.csv")["stat"].to_numpy()
        gam = pd.read_csv(REF / f"ord_bfi_gamma_g{g}.csv").to_numpy()
        corr = np.eye(8)
        corr[r[o], c[o]] = corr[c[o], r[o]] = s[40:]
        out.append(OrdinalMoments(tuple(ITEMS), n, tuple(s[5 * j:5 * j + 5] for j in range(8)),
                                  corr, s, gam, tuple((1, 2, 3, 4, 5, 6) for _ in ITEMS)))
    return out


@pytest.fixture(scope="module")
def lavaan_moments() -> list[OrdinalMoments]:
    return _lavaan_moments()


@pytest.fixture(scope="module")
def ladder_fits(lavaan_moments) -> dict:
    fits = {}
    for pz, lev in MODELS:
        model = OrdinalGroupModel(ITEMS, ["agree", "consc"], FACTOR_OF, [5] * 8, 2, lev, (),
                                  pz)
        fits[(pz, lev)] = (model, model.fit(lavaan_moments))
    return fits


@pytest.fixture(scope="module")
def fit_ref() -> pd.DataFrame:
    return pd.read_csv(REF / "ord_bfi_fit.csv").set_index("model")


# ----------------------------------------------------------------------------- the model
@pytest.mark.parametrize("pz,level", [("delta", "configural"), ("delta", "thresholds"),
                                      ("delta", "scalar"), ("theta", "metric"),
                                      ("theta", "strict")])
def test_jacobian_matches_finite_differences(pz, level):
    mom = _lavaan_moments()
    model = OrdinalGroupModel(ITEMS, ["agree", "consc"], FACTOR_OF, [5] * 8, 2, level,
                              [("thresholds", 2), ("intercepts", 5)], pz)
    theta = model.start(mom) + 0.05 * np.random.default_rng(3).standard_normal(model.q)
    for g in (0, 1):
        num = np.column_stack([(model.implied(theta + 1e-6 * e, g)
                                - model.implied(theta - 1e-6 * e, g)) / 2e-6
                               for e in np.eye(model.q)])
        np.testing.assert_allclose(model.jacobian(theta, g), num, atol=1e-7)


def test_parameter_counts_follow_semtools(fit_ref):
    for pz, lev in MODELS:
        model = OrdinalGroupModel(ITEMS, ["agree", "consc"], FACTOR_OF, [5] * 8, 2, lev, (),
                                  pz)
        assert model.q == fit_ref.loc[f"{pz}_{lev}", "npar"], (pz, lev)


# ----------------------------------------------------------------------------- parity
@pytest.mark.parametrize("pz,level", MODELS)
def test_fit_matches_lavaan(ladder_fits, fit_ref, pz, level):
    fit = ladder_fits[(pz, level)][1].fit
    ref = fit_ref.loc[f"{pz}_{level}"]
    assert fit["df"] == ref["df"]
    assert fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-3)
    assert fit["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], rel=0.01)
    assert fit["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], rel=1e-5)  # measured
    assert fit["baseline_chisq"] == pytest.approx(ref["baseline.chisq"], rel=1e-3)
    for ours, theirs in (("cfi_scaled", "cfi.scaled"), ("tli_scaled", "tli.scaled"),
                         ("rmsea_scaled", "rmsea.scaled"), ("cfi", "cfi"),
                         ("rmsea", "rmsea")):
        assert fit[ours] == pytest.approx(ref[theirs], abs=1e-3), ours
    assert fit["srmr"] == pytest.approx(ref["srmr"], abs=1e-6)  # measured 2e-8
    for ours, theirs in (("rmsea_scaled_ci_low", "rmsea.ci.lower.scaled"),
                         ("rmsea_scaled_ci_high", "rmsea.ci.upper.scaled")):
        assert fit[ours] == pytest.approx(ref[theirs], abs=1e-6), ours
    # robust (Savalei 2021) indices: lavaan 0.6.14 gives them for the configural model
    # only (NA once thresholds are constrained across groups), and so do we
    for ours, theirs in (("cfi_robust", "cfi.robust"), ("rmsea_robust", "rmsea.robust")):
        if np.isnan(ref[theirs]):
            assert np.isnan(fit[ours]), ours
        else:
            assert fit[ours] == pytest.approx(ref[theirs], abs=1e-6), ours  # measured 1e-8


def test_difference_tests_match_lavtestlrt(ladder_fits, lavaan_moments):
    lrt = pd.read_csv(REF / "ord_bfi_lrt.csv")
    for _, row in lrt.iterrows():
        d = satorra_2000(lavaan_moments, ladder_fits[(row.parameterization, row.against)][1],
                         ladder_fits[(row.parameterization, row.model)][1])
        assert d["df_diff"] == row.df_diff
        assert d["chisq_diff"] == pytest.approx(row.chisq_diff, rel=0.01)
        assert d["chisq_diff"] == pytest.approx(row.chisq_diff, rel=1e-5)  # measured
        assert d["p_diff"] == pytest.approx(row.p_diff, rel=0.01)


@pytest.mark.parametrize("pz,level", MODELS)
def test_estimates_match_lavaan(ladder_fits, pz, level):
    model, res = ladder_fits[(pz, level)]
    tab = pd.DataFrame(model.table(res.theta, res.vcov, [1, 2]))
    ref = pd.read_csv(REF / f"ord_bfi_{pz}_{level}_params.csv").fillna({"rhs": ""})
    both = tab.merge(ref, on=["lhs", "op", "rhs", "group"], how="left",
                     suffixes=("", "_lavaan"))
    assert both["est"].notna().all()
    np.testing.assert_allclose(both["estimate"], both["est"], atol=1e-3)
    free = both[both["free"]]
    np.testing.assert_allclose(free["se"], free["se_lavaan"], atol=1e-3)


# ----------------------------------------------------------------------------- public API
@pytest.fixture(scope="module")
def bfi_result():
    from ringstats import datasets

    bfi = datasets.load("bfi").data
    return invariance(bfi, spec=SPEC, group="gender", estimator="WLSMV")


def test_invariance_wlsmv_on_bfi_matches_lavaan(bfi_result, fit_ref):
    res = bfi_result
    assert res.estimator == "WLSMV" and "Satorra" in res.test
    assert list(res.table.index) == list(ORDINAL_LEVELS)
    assert res.highest == "strict"
    for level in ORDINAL_LEVELS:
        ref = fit_ref.loc[f"{'theta' if level == 'strict' else 'delta'}_{level}"]
        row = res.table.loc[level]
        assert row["chisq"] == pytest.approx(ref["chisq"], rel=1e-3)
        assert row["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], rel=0.01)
        assert row["cfi"] == pytest.approx(ref["cfi.scaled"], abs=1e-3)
        assert row["rmsea"] == pytest.approx(ref["rmsea.scaled"], abs=1e-3)
        assert row["rmsea_ci_low"] == pytest.approx(ref["rmsea.ci.lower.scaled"], abs=1e-3)
        assert row["rmsea_ci_high"] == pytest.approx(ref["rmsea.ci.upper.scaled"], abs=1e-3)
        assert row["srmr"] == pytest.approx(ref["srmr"], abs=1e-3)
    lrt = pd.read_csv(REF / "ord_bfi_lrt.csv")
    lrt = lrt[(lrt.parameterization == "delta") | (lrt.model == "strict")].set_index("model")
    for level in ORDINAL_LEVELS[1:]:
        assert res.table.loc[level, "delta_chisq"] == pytest.approx(
            lrt.loc[level, "chisq_diff"], rel=0.01)
    pe = pd.read_csv(REF / "ord_bfi_delta_scalar_params.csv")
    means = pe[(pe.op == "~1") & pe.lhs.isin(["agree", "consc"]) & (pe.group == 2)]
    np.testing.assert_allclose(res.latent_means["estimate"], means["est"], atol=1e-3)
    np.testing.assert_allclose(res.latent_means["se"], means["se"], atol=1e-3)
    text = str(res.summary())
    assert "WLSMV" in text and "Wu & Estabrook" in text and "scaled" in text


# ----------------------------------------------------------------------------- recovery
def _ordinal_groups(n: int, shift, seed: int) -> pd.DataFrame:
    """Two groups, two factors x 4 five-category items; item y2's thresholds shifted by
    ``shift`` (a number or one per threshold) in group b; group b's latent means .3/-.2,
    variances 1.2/0.8."""
    rng = np.random.default_rng(seed)
    lam = np.array([0.8, 0.7, 0.75, 0.6, 0.7, 0.8, 0.65, 0.7])
    f = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    tau = np.array([-1.5, -0.6, 0.3, 1.2])
    frames = []
    for g, (mu, var) in enumerate((([0, 0], [1, 1]), ([0.3, -0.2], [1.2, 0.8]))):
        cov = np.array([[var[0], 0.4 * np.sqrt(var[0] * var[1])],
                        [0.4 * np.sqrt(var[0] * var[1]), var[1]]])
        eta = rng.multivariate_normal(mu, cov, n)
        ystar = eta[:, f] * lam + rng.standard_normal((n, 8)) * np.sqrt(1 - lam ** 2)
        cuts = np.tile(tau, (8, 1))
        if g == 1:
            cuts[2] += shift
        y = np.column_stack([np.searchsorted(cuts[j], ystar[:, j]) + 1 for j in range(8)])
        df = pd.DataFrame(y.astype(float), columns=[f"y{j}" for j in range(8)])
        df["grp"] = "ab"[g]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


SIM_SPEC = {"f1": ["y0", "y1", "y2", "y3"], "f2": ["y4", "y5", "y6", "y7"]}


def _assert_partial_recovers_means(res) -> None:
    """Partial scalar (or strict) reached and group b's latent means (.3, -.2) recovered."""
    assert res.highest in ("partial scalar", "partial strict")
    lm = res.latent_means.set_index("construct")["estimate"]
    assert lm["f1"] == pytest.approx(0.3, abs=0.12)
    assert lm["f2"] == pytest.approx(-0.2, abs=0.12)


def test_partial_search_frees_the_shifted_threshold():
    # one threshold moved: no intercept and scale of y2 in group b can absorb it
    data = _ordinal_groups(1000, [0.8, 0, 0, 0], seed=11)
    res = invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV", criterion="chisq")
    assert not res.table.loc["thresholds", "holds"]
    assert res.freed[0].startswith("y2|t1")
    assert res.table["holds"].iloc[-1]
    _assert_partial_recovers_means(res)


def test_uniform_threshold_shift_is_an_intercept_difference():
    # all thresholds of y2 moved alike: Wu & Estabrook's thresholds level absorbs it in y2's
    # intercept, so it surfaces at the scalar level and the search frees y2~1
    data = _ordinal_groups(1000, 0.7, seed=11)
    res = invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV", criterion="chisq")
    assert res.table.loc["thresholds", "holds"] and res.table.loc["metric", "holds"]
    assert not res.table.loc["scalar", "holds"]
    assert res.freed[0] == "y2~1"
    _assert_partial_recovers_means(res)


def test_ladder_holds_when_invariance_holds():
    data = _ordinal_groups(800, 0.0, seed=5)
    before = data.copy()
    res = invariance(data, spec=SIM_SPEC, group="grp")  # auto: 5 categories -> WLSMV
    pd.testing.assert_frame_equal(data, before)
    assert res.estimator == "WLSMV"
    assert any("estimator='auto'" in w for w in res.warnings)
    assert res.highest == "strict" and res.freed == ()
    assert res.table["holds"].all()
    lm = res.latent_means.set_index("construct")
    assert lm.loc["f1", "ci_low"] < 0.3 < lm.loc["f1", "ci_high"]


def test_theta_parameterization_gives_the_same_ladder():
    data = _ordinal_groups(500, 0.0, seed=2)
    a = invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV", partial=False)
    b = invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV", partial=False,
                   parameterization="theta")
    np.testing.assert_allclose(a.table["chisq_scaled"], b.table["chisq_scaled"], rtol=1e-6)
    np.testing.assert_allclose(a.table["delta_chisq"], b.table["delta_chisq"], rtol=1e-5)


# ----------------------------------------------------------------------------- validation
def test_empty_category_in_a_group_names_the_fix():
    data = _ordinal_groups(300, 0.0, seed=1)
    data.loc[(data.grp == "b") & (data.y1 == 5), "y1"] = 4.0
    data.loc[data.index[0], "y1"] = 5.0  # category 5 seen in group a only
    with pytest.raises(InsufficientDataError, match=r"(?s)`y1`.*category 5.*'b'.*Collapse"):
        invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV")


def test_binary_items_and_bad_options_are_refused():
    data = _ordinal_groups(300, 0.0, seed=1)
    data["y0"] = (data["y0"] > 3).astype(float)
    with pytest.raises(InsufficientDataError, match="fewer than 3 categories"):
        invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV")
    with pytest.raises(RingstatsError, match="estimator"):
        invariance(data, spec=SIM_SPEC, group="grp", estimator="DWLS")
    with pytest.raises(RingstatsError, match="parameterization"):
        invariance(data, spec=SIM_SPEC, group="grp", estimator="WLSMV",
                   parameterization="gamma")


def test_continuous_items_stay_ml_under_auto(hs):
    res = invariance(hs, spec={"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
                               "speed": ["x7", "x8", "x9"]}, group="school")
    assert res.estimator == "ML" and res.parameterization is None
