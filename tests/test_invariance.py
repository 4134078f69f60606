"""Invariance ladder parity with lavaan 0.6.14 / semTools 0.5.6 (tests/reference/invariance)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.measurement import InvarianceResult, invariance

REF = Path(__file__).parent / "reference" / "invariance"
DATA = Path(__file__).parent / "reference" / "measurement"
HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
FIT_MAP = {"chisq": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
           "rmsea.ci.lower": "rmsea_ci_low", "rmsea.ci.upper": "rmsea_ci_high", "srmr": "srmr",
           "aic": "aic", "bic": "bic", "logl": "loglik", "npar": "npar", "baseline.chisq":
           "baseline_chisq"}
TOL = 1e-3


@pytest.fixture(scope="module")
def ladder(hs):
    return invariance(hs, spec=HS, group="school")


@pytest.fixture(scope="module")
def ref():
    return pd.read_csv(REF / "mi_hs_fit.csv").set_index("model")


def _check_fit(fit: pd.Series, row: pd.Series) -> None:
    for rname, pname in FIT_MAP.items():
        assert fit[pname] == pytest.approx(row[rname], rel=TOL, abs=TOL), rname


def test_ladder_matches_lavaan(ladder, ref):
    assert isinstance(ladder, InvarianceResult)
    assert ladder.groups == ("Pasteur", "Grant-White")
    for mine, theirs in [("configural", "configural"), ("metric", "metric"),
                         ("scalar", "scalar"), ("partial scalar (2 freed)", "partial"),
                         ("partial strict", "partial_strict")]:
        _check_fit(ladder.fits[mine], ref.loc[theirs])
    lrt = pd.read_csv(REF / "mi_hs_lrt.csv").set_index("model")
    t = ladder.table
    for level in ("metric", "scalar"):
        assert t.loc[level, "delta_chisq"] == pytest.approx(lrt.loc[level, "chisq_diff"], abs=TOL)
        assert t.loc[level, "p_delta"] == pytest.approx(lrt.loc[level, "p_diff"], abs=TOL)


def test_partial_search_finds_the_tutorial_model(ladder):
    # lavaan's tutorial frees the intercepts of x3 and x7 (largest score tests)
    assert ladder.freed == ("x3~1", "x7~1")
    assert ladder.highest == "partial strict"
    t = ladder.table
    assert bool(t.loc["metric", "holds"]) and not bool(t.loc["scalar", "holds"])
    assert t.loc["scalar", "delta_cfi"] < -0.01


def test_latent_means_match_lavaan(ladder):
    pe = pd.read_csv(REF / "mi_hs_partial_strict_params.csv")
    pe = pe[(pe["op"] == "~1") & (pe["group"] == 2) & pe["lhs"].isin(list(HS))]
    lm = ladder.latent_means.set_index("construct")
    for _, row in pe.iterrows():
        assert lm.loc[row.lhs, "estimate"] == pytest.approx(row.est, abs=TOL)
        assert lm.loc[row.lhs, "se"] == pytest.approx(row.se, abs=TOL)
    assert (lm["group"] == "Grant-White").all()
    assert "Latent mean differences" in str(ladder)


def test_without_partial_and_chisq_criterion(hs, ref):
    res = invariance(hs, spec=HS, group="school", partial=False)
    assert res.highest == "metric" and res.freed == ()
    _check_fit(res.fits["strict"], ref.loc["strict"])
    assert res.latent_means.empty
    chi = invariance(hs, spec=HS, group="school", criterion="chisq")
    # the chi-square test also rejects strict invariance (p = .04): one residual is freed
    assert chi.freed[:2] == ("x3~1", "x7~1") and chi.freed[2].endswith("~~x6")
    assert chi.to_frame().shape[0] == len(chi.table)


def test_bad_input(hs):
    with pytest.raises(RingstatsError, match="group"):
        invariance(hs, spec=HS, group="nope")
    one = hs.assign(school="A")
    with pytest.raises(InsufficientDataError, match="at least 2"):
        invariance(one, spec=HS, group="school")
    tiny = hs.copy()
    tiny.loc[tiny.index[:295], "school"] = "big"
    with pytest.raises(InsufficientDataError, match="more rows than items"):
        invariance(tiny, spec=HS, group="school")
    with pytest.raises(RingstatsError, match="criterion"):
        invariance(hs, spec=HS, group="school", criterion="bic")
    before = hs.copy()
    invariance(hs, spec=HS, group="school", partial=False)
    pd.testing.assert_frame_equal(hs, before)
    assert np.isfinite(before["x1"]).all()


def test_reverse_keyed_markers_match_lavaan():
    # psych's bfi by gender, A1 (the marker of A), C4 and C5 reverse-keyed and not recoded
    # (tests/reference/measurement/cfa_bfi_ac.R)
    bfi = pd.read_csv(DATA / "bfi.csv")
    res = invariance(bfi, spec={"A": ["A1", "A2", "A3", "A4", "A5"],
                                "C": ["C1", "C2", "C3", "C4", "C5"]},
                     group="gender", partial=False)
    ref = pd.read_csv(DATA / "cfa_bfi_ac_gender_fit.csv").set_index("model")
    for level in ("configural", "metric"):
        _check_fit(res.fits[level], ref.loc[level])
