"""Reliability: psych::alpha / psych::omega and Fornell-Larcker CR/AVE parity on the ECSI mobi
data (tests/reference/measurement/make_reference.R), item statistics and bad input."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.measurement._reliability import ReliabilityResult, cronbach_alpha, reliability
from ringstats.simulate import draw

REF = Path(__file__).parent / "reference" / "measurement"
TOL = 0.005  # agreed tolerance vs R; observed differences are below 1e-5
BLOCKS = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "CUEX": [f"CUEX{i}" for i in range(1, 4)],
          "PERQ": [f"PERQ{i}" for i in range(1, 8)], "PERV": ["PERV1", "PERV2"],
          "CUSA": [f"CUSA{i}" for i in range(1, 4)], "CUSL": [f"CUSL{i}" for i in range(1, 4)]}


@pytest.fixture(scope="module")
def rel(mobi):
    with pytest.warns(RingstatsWarning, match="`PERV` has two items"):
        return reliability(mobi, spec=BLOCKS)


def test_alpha_and_feldt_match_psych(rel):
    ref = pd.read_csv(REF / "reliability_mobi.csv", index_col="construct")
    t = rel.table.loc[ref.index]
    assert isinstance(rel, ReliabilityResult)
    for ours, theirs in [("alpha", "raw_alpha"), ("std_alpha", "std_alpha"),
                         ("alpha_ci_low", "feldt_lower"), ("alpha_ci_high", "feldt_upper")]:
        np.testing.assert_allclose(t[ours], ref[theirs], atol=TOL)
    assert (t["n"] == 250).all()


def test_omega_total_matches_psych(rel):
    ref = pd.read_csv(REF / "reliability_mobi.csv", index_col="construct")
    ok = ref["omega_tot"].notna()
    np.testing.assert_allclose(rel.table.loc[ref.index[ok], "omega_total"],
                               ref.loc[ok, "omega_tot"], atol=TOL)
    assert np.isnan(rel.table.loc["PERV", "omega_total"])


def test_cr_ave_match_fornell_larcker_on_lavaan(rel):
    ref = pd.read_csv(REF / "cr_ave_mobi.csv", index_col="construct")
    np.testing.assert_allclose(rel.table.loc[ref.index, "cr"], ref["cr_formula"], atol=TOL)
    np.testing.assert_allclose(rel.table.loc[ref.index, "ave"], ref["ave_formula"], atol=TOL)
    np.testing.assert_allclose(rel.table["sqrt_ave"] ** 2, rel.table["ave"])


def test_item_statistics_match_psych(rel, mobi):
    ref = pd.read_csv(REF / "reliability_mobi_items.csv", index_col="item")
    np.testing.assert_allclose(rel.items.loc[ref.index, "r_drop"], ref["r_drop"], atol=TOL)
    three = ref["construct"] != "PERV"  # psych reports a slope, not alpha, for 2-item sets
    np.testing.assert_allclose(rel.items.loc[ref.index[three], "alpha_if_deleted"],
                               ref.loc[three, "alpha_drop"], atol=TOL)
    assert rel.items.loc[["PERV1", "PERV2"], "alpha_if_deleted"].isna().all()
    np.testing.assert_allclose(rel.items["mean"], mobi[rel.items.index].mean())
    np.testing.assert_allclose(rel.items["sd"], mobi[rel.items.index].std())
    assert list(rel.items.columns[:5]) == ["construct", "r_drop", "alpha_if_deleted", "mean",
                                           "sd"]


def test_cronbach_alpha_helper(mobi, rel):
    a = cronbach_alpha(mobi, items=BLOCKS["PERQ"], ci=0.95)
    assert a["alpha"] == pytest.approx(rel.table.loc["PERQ", "alpha"])
    assert a["ci_low"] == pytest.approx(rel.table.loc["PERQ", "alpha_ci_low"])
    a90 = cronbach_alpha(mobi, items=BLOCKS["PERQ"], ci=0.90)
    assert a90["ci_low"] > a["ci_low"]


def test_ringspec_table_and_summary():
    w = draw("base", n=800, seed=2)
    df = w.spec.validate(w.customers)
    copy = df.copy()
    res = reliability(df, spec=w.spec)
    pd.testing.assert_frame_equal(df, copy)  # input not modified
    assert list(res.table.columns[:3]) == ["ring", "n_items", "n"]
    assert res.table.loc["seen", "ring"] == 3
    # the simulator's loadings U(.70, .90): alpha and CR comfortably above .70
    assert (res.table["alpha"] > 0.7).all() and (res.table["cr"] > 0.7).all()
    assert (res.table["alpha_ci_low"] < res.table["alpha"]).all()
    assert "Reliability" in str(res)
    listwise = reliability(df, spec=w.spec, nan_policy="listwise")
    assert (listwise.table["n"] < res.table["n"]).all()


def test_input_not_modified(mobi):
    copy = mobi.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        reliability(mobi, spec=BLOCKS)
    pd.testing.assert_frame_equal(mobi, copy)


def test_one_item_construct_is_nan_with_warning(mobi):
    spec = {"PERQ": BLOCKS["PERQ"], "CUSA": BLOCKS["CUSA"], "single": ["CUSCO"]}
    with pytest.warns(RingstatsWarning, match="`single` has one item"):
        res = reliability(mobi, spec=spec)
    assert res.table.loc["single", ["alpha", "omega_total", "cr", "ave"]].isna().all()
    assert res.table.loc["PERQ", "alpha"] == pytest.approx(0.8724064, abs=1e-6)
    with pytest.raises(InsufficientDataError, match="at least two items"):
        cronbach_alpha(mobi, items=["CUSCO"])


def test_bad_input(mobi):
    df = mobi[BLOCKS["CUSA"]].copy()
    df["const"] = 5
    with pytest.raises(InsufficientDataError, match="item `const`.*constant"):
        reliability(df, spec={"A": ["CUSA1", "CUSA2", "const"]})
    with pytest.raises(InsufficientDataError, match="item `const`.*constant"):
        cronbach_alpha(df, items=["CUSA1", "const"])
    with pytest.raises(InsufficientDataError, match="3 usable rows for 3 items"):
        reliability(df.head(3), spec={"A": ["CUSA1", "CUSA2", "CUSA3"]})
    with pytest.raises(RingstatsError, match="not in `data`"):
        reliability(df, spec={"A": ["CUSA1", "nope"]})
    with pytest.raises(RingstatsError, match="RingSpec or a dict"):
        reliability(df, spec=["CUSA1", "CUSA2"])
    with pytest.raises(RingstatsError, match="`ci`"):
        reliability(df, spec={"A": BLOCKS["CUSA"]}, ci=1.5)
    with pytest.raises(RingstatsError, match="nan_policy"):
        reliability(df, spec={"A": BLOCKS["CUSA"]}, nan_policy="fiml")
    with pytest.raises(RingstatsError, match="numeric"):
        reliability(df.assign(CUSA1="x"), spec={"A": BLOCKS["CUSA"]})
