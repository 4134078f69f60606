"""Discriminant validity: semTools::htmt / HTMT2 parity on the ECSI mobi data
(tests/reference/measurement/make_reference.R), bootstrap, Fornell-Larcker and bad input."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.measurement._validity import HTMTResult, fornell_larcker, htmt
from ringstats.simulate import draw

REF = Path(__file__).parent / "reference" / "measurement"
TOL = 0.005  # agreed tolerance vs semTools 0.5.6 (observed: 1e-14)
BLOCKS = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "CUEX": [f"CUEX{i}" for i in range(1, 4)],
          "PERQ": [f"PERQ{i}" for i in range(1, 8)], "PERV": ["PERV1", "PERV2"],
          "CUSA": [f"CUSA{i}" for i in range(1, 4)], "CUSL": [f"CUSL{i}" for i in range(1, 4)]}


@pytest.mark.parametrize("version, fname", [(1, "htmt_mobi.csv"), (2, "htmt2_mobi.csv")])
def test_semtools_parity(mobi, version, fname):
    ref = pd.read_csv(REF / fname, index_col=0)
    res = htmt(mobi, spec=BLOCKS, version=version)
    assert isinstance(res, HTMTResult)
    assert list(res.matrix.index) == list(ref.index)
    np.testing.assert_allclose(res.matrix.to_numpy(), ref.to_numpy(), atol=TOL)
    p = res.pairs.set_index(["construct_a", "construct_b"])
    assert p.loc[("PERQ", "CUSA"), "htmt"] == pytest.approx(ref.loc["PERQ", "CUSA"], abs=TOL)
    assert len(res.pairs) == 15
    assert res.pairs["ci_low"].isna().all()


def test_flags(mobi):
    res = htmt(mobi, spec=BLOCKS)
    p = res.pairs
    np.testing.assert_array_equal(p["above_085"], p["htmt"] > 0.85)
    np.testing.assert_array_equal(p["above_090"], p["htmt"] > 0.90)


def test_bootstrap_reproducible_and_brackets(mobi):
    a = htmt(mobi, spec=BLOCKS, n_boot=200, seed=7, progress=False)
    b = htmt(mobi, spec=BLOCKS, n_boot=200, seed=7, progress=False)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    p = a.pairs
    assert (p["ci_low"] <= p["htmt"] + 0.05).all() and (p["htmt"] - 0.05 <= p["ci_high"]).all()
    assert (p["ci_low"] < p["ci_high"]).all()
    np.testing.assert_array_equal(p["ci_above_090"], p["ci_high"] > 0.90)
    assert "bootstrap" in str(a)


def test_pairwise_equals_listwise_without_missing(mobi):
    a = htmt(mobi, spec=BLOCKS, nan_policy="pairwise")
    b = htmt(mobi, spec=BLOCKS)
    np.testing.assert_allclose(a.matrix.to_numpy(), b.matrix.to_numpy(), atol=1e-12)


def test_ringspec_and_discriminant_world():
    w = draw("base", n=1500, seed=3)
    df = w.spec.validate(w.customers)
    copy = df.copy()
    res = htmt(df, spec=w.spec, n_boot=100, seed=1, progress=False)
    pd.testing.assert_frame_equal(df, copy)
    assert {"ring_a", "ring_b"} <= set(res.pairs.columns)
    # constructs of different rings are distinct in the simulator; within a ring they
    # correlate 0.8 (true HTMT about 0.8)
    cross = res.pairs[res.pairs["ring_a"] != res.pairs["ring_b"]]
    assert (cross["htmt"] < 0.8).all()


def test_fornell_larcker_matches_lavaan(mobi):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fl = fornell_larcker(mobi, spec=BLOCKS)
    std = pd.read_csv(REF / "cfa_mobi_std.csv")
    cov = std[(std["op"] == "~~") & (std["lhs"] != std["rhs"]) & std["lhs"].isin(BLOCKS)]
    for _, r in cov.iterrows():
        assert fl.loc[r["lhs"], r["rhs"]] == pytest.approx(r["est.std"], abs=TOL)
    cr = pd.read_csv(REF / "cr_ave_mobi.csv", index_col="construct")
    names = list(BLOCKS)
    np.testing.assert_allclose(np.diag(fl[names].to_numpy()), np.sqrt(cr.loc[names,
                               "ave_formula"]), atol=TOL)
    assert fl.loc["PERV", "pass"] and not fl.loc["PERQ", "pass"]
    np.testing.assert_array_equal(fl["pass"], fl["sqrt_ave"] > fl["max_corr"])


def test_bad_input(mobi):
    with pytest.raises(RingstatsError, match="at least two constructs"):
        htmt(mobi, spec={"IMAG": BLOCKS["IMAG"]})
    with pytest.raises(RingstatsError, match="`version`"):
        htmt(mobi, spec=BLOCKS, version=3)
    with pytest.raises(RingstatsError, match="`n_boot`"):
        htmt(mobi, spec=BLOCKS, n_boot=-1)
    with pytest.raises(RingstatsError, match="more than one construct"):
        htmt(mobi, spec={"A": ["IMAG1", "IMAG2"], "B": ["IMAG2", "CUEX1"]})
    df = mobi.copy()
    df["const"] = 3
    with pytest.raises(InsufficientDataError, match="item `const` is constant"):
        htmt(df, spec={"A": ["IMAG1", "IMAG2"], "B": ["CUEX1", "const"]})
    with pytest.raises(InsufficientDataError, match="at least 3 usable rows"):
        htmt(mobi.head(2), spec={"A": ["IMAG1", "IMAG2"], "B": ["CUEX1", "CUEX2"]})
    with pytest.raises(RingstatsError, match="nan_policy"):
        fornell_larcker(mobi, spec=BLOCKS, nan_policy="none")


def test_one_item_construct_nan_with_warning(mobi):
    with pytest.warns(RingstatsWarning, match="one-item construct"):
        res = htmt(mobi, spec={"A": BLOCKS["IMAG"], "B": ["CUSCO"], "C": BLOCKS["CUSA"]})
    assert np.isnan(res.matrix.loc["A", "B"])
    assert np.isfinite(res.matrix.loc["A", "C"])
    with pytest.warns(RingstatsWarning, match="one-item construct"):
        boot = htmt(mobi, spec={"A": BLOCKS["IMAG"], "B": ["CUSCO"], "C": BLOCKS["CUSA"]},
                    n_boot=50, seed=1, progress=False)
    assert boot.boot_failed == 0
    p = boot.pairs.set_index(["construct_a", "construct_b"])
    assert np.isnan(p.loc[("A", "B"), "ci_low"]) and np.isfinite(p.loc[("A", "C"), "ci_low"])
