"""CFA parity with lavaan 0.6.14 (tests/reference/measurement/make_reference.R) and bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import (
    ConvergenceError,
    InsufficientDataError,
    RingstatsError,
    SpecError,
    ValidationError,
)
from ringstats.measurement import CFAResult, cfa

REF = Path(__file__).parent / "reference" / "measurement"
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
            "speed": ["x7", "x8", "x9"]}
FIT_MAP = {"chisq": "chisq", "df": "df", "pvalue": "p_val", "baseline.chisq": "baseline_chisq",
           "cfi": "cfi", "tli": "tli", "logl": "loglik", "unrestricted.logl": "loglik_h1",
           "aic": "aic", "bic": "bic", "rmsea": "rmsea", "rmsea.ci.lower": "rmsea_ci_low",
           "rmsea.ci.upper": "rmsea_ci_high", "srmr": "srmr", "npar": "npar", "ntotal": "n"}


@pytest.fixture(scope="module")
def hs_missing():
    return pd.read_csv(REF / "holzinger39_missing.csv")


def _compare(res: CFAResult, stem: str, tol_est: float = 1e-4, tol_fit: float = 1e-4):
    ref = pd.read_csv(REF / f"{stem}_fit.csv").set_index("measure")["value"]
    for rname, pname in FIT_MAP.items():
        assert res.fit[pname] == pytest.approx(ref[rname], rel=tol_fit, abs=tol_fit), rname
    pe = pd.read_csv(REF / f"{stem}_params.csv")
    pe = pe[pe["op"] != "~1"]
    mine = res.parameters.set_index(["lhs", "op", "rhs"])
    for _, row in pe.iterrows():
        key = (row.lhs, row.op, row.rhs)
        if key not in mine.index:
            key = (row.rhs, row.op, row.lhs)
        got = mine.loc[key]
        assert got["estimate"] == pytest.approx(row["est"], abs=tol_est), key
        assert got["se"] == pytest.approx(row["se"], abs=tol_est), key
        assert got["std_estimate"] == pytest.approx(row["std.all"], abs=tol_est), key
    std = pd.read_csv(REF / f"{stem}_std.csv") if (REF / f"{stem}_std.csv").exists() else None
    if std is not None:
        std = std[std["op"] != "~1"]
        for _, row in std.iterrows():
            key = (row.lhs, row.op, row.rhs)
            if key not in mine.index:
                key = (row.rhs, row.op, row.lhs)
            if row.lhs == row.rhs and row.lhs in res.factor_cov.index:
                continue  # factor variances: std 1 by definition
            assert mine.loc[key, "std_se"] == pytest.approx(row["se"], abs=1e-3), key


def test_holzinger_swineford_matches_lavaan(hs):
    res = cfa(hs, spec=HS_MODEL)
    # the published lavaan numbers, to 3 decimals
    f = res.fit
    assert round(f["chisq"], 3) == 85.306 and f["df"] == 24
    assert round(f["cfi"], 3) == 0.931
    assert round(f["tli"], 3) == 0.896
    assert round(f["rmsea"], 3) == 0.092
    assert round(f["rmsea_ci_low"], 3) == 0.071 and round(f["rmsea_ci_high"], 3) == 0.114
    assert round(f["srmr"], 3) == 0.065
    assert round(f["loglik"], 3) == -3737.745
    assert round(f["aic"], 3) == 7517.490 and round(f["bic"], 3) == 7595.339
    lo = res.loadings
    assert lo.loc[["x2", "x3", "x5", "x6", "x8", "x9"], "estimate"].round(3).tolist() == [
        0.554, 0.729, 1.113, 0.926, 1.180, 1.082]
    assert lo.loc[["x2", "x3", "x5", "x6", "x8", "x9"], "se"].round(3).tolist() == [
        0.100, 0.109, 0.065, 0.055, 0.165, 0.151]
    assert lo.loc["x1", "fixed"] and lo.loc["x1", "estimate"] == 1.0
    # every parameter, SE and std.all against the stored lavaan output
    _compare(res, "cfa_hs")
    assert res.converged and res.n_obs == 301


def test_observed_information_matches_lavaan(hs):
    _compare(cfa(hs, spec=HS_MODEL, information="observed"), "cfa_hs_observed")


def test_listwise_and_fiml_match_lavaan(hs_missing):
    _compare(cfa(hs_missing, spec=HS_MODEL, nan_policy="listwise"), "cfa_hs_listwise")
    res = cfa(hs_missing, spec=HS_MODEL, nan_policy="fiml")
    assert res.information == "observed"
    _compare(res, "cfa_hs_fiml")


def test_pairwise_runs_and_is_close_to_fiml(hs_missing):
    pw = cfa(hs_missing, spec=HS_MODEL, nan_policy="pairwise")
    fi = cfa(hs_missing, spec=HS_MODEL, nan_policy="fiml")
    ok = hs_missing[[f"x{i}" for i in range(1, 10)]].notna().to_numpy().astype(int)
    assert pw.n_obs == int((ok.T @ ok).min())
    np.testing.assert_allclose(pw.loadings["std_estimate"], fi.loadings["std_estimate"],
                               atol=0.05)


def test_std_lv_gives_same_fit_and_std_solution(hs):
    a = cfa(hs, spec=HS_MODEL)
    b = cfa(hs, spec=HS_MODEL, std_lv=True)
    assert b.fit["chisq"] == pytest.approx(a.fit["chisq"], rel=1e-8)
    np.testing.assert_allclose(b.loadings["std_estimate"], a.loadings["std_estimate"], atol=1e-6)
    assert not b.loadings["fixed"].any()
    np.testing.assert_allclose(np.diag(b.factor_cov), 1.0)


def test_ringspec_input_and_summary(hs):
    from ringstats.spec import RingSpec

    spec = RingSpec.from_dict({
        "scales": {"any": {"min": 0, "max": 10}}, "default_scale": "any",
        "constructs": {k: {"ring": i + 1, "items": v}
                       for i, (k, v) in enumerate(HS_MODEL.items())},
        "outcomes": {"ltr": "x1"} if False else {"loyalty": ["ageyr"]},
    })
    # the spec's scale is applied: HS scores are not whole numbers 0..10
    with pytest.raises(ValidationError, match=r"`x1` must hold whole numbers 0..10 \(scale `any`\)"):
        cfa(hs, spec=spec)
    items = [i for v in HS_MODEL.values() for i in v]
    res = cfa(hs.assign(**{c: hs[c].round().clip(0, 10) for c in items}), spec=spec)
    assert list(res.factor_correlations.index) == ["visual", "textual", "speed"]
    text = str(res)
    assert "CFI" in text and "RMSEA" in text and "x9" in text
    assert "<table" in res._repr_html_()


def test_does_not_modify_input(hs):
    before = hs.copy()
    cfa(hs, spec=HS_MODEL)
    pd.testing.assert_frame_equal(hs, before)


# --------------------------------------------------------------------------- bad input
def test_single_item_construct_raises(hs):
    with pytest.raises(SpecError, match="single item"):
        cfa(hs, spec={"visual": ["x1", "x2", "x3"], "lonely": ["x4"]})


def test_item_in_two_constructs_raises(hs):
    with pytest.raises(SpecError, match="listed under both"):
        cfa(hs, spec={"a": ["x1", "x2", "x3"], "b": ["x3", "x4", "x5"]})


def test_constant_item_raises(hs):
    d = hs.copy()
    d["x2"] = 3.0
    with pytest.raises(InsufficientDataError, match="constant item: `x2`"):
        cfa(d, spec=HS_MODEL)


def test_fewer_rows_than_items_raises(hs):
    with pytest.raises(InsufficientDataError, match="fewer complete rows"):
        cfa(hs.iloc[:8], spec=HS_MODEL)


def test_non_pd_covariance_raises(hs):
    d = hs.copy()
    d["x3"] = d["x1"] + d["x2"]  # exact collinearity
    with pytest.raises(InsufficientDataError, match="not positive definite"):
        cfa(d, spec=HS_MODEL)


def test_bad_options_raise(hs):
    with pytest.raises(RingstatsError, match="`nan_policy` must be one of"):
        cfa(hs, spec=HS_MODEL, nan_policy="drop")
    with pytest.raises(RingstatsError, match="`information` must be one of"):
        cfa(hs, spec=HS_MODEL, information="sandwich")
    with pytest.raises(SpecError, match="must be a RingSpec or a dict"):
        cfa(hs, spec=["x1", "x2"])
    with pytest.raises(RingstatsError, match="not in `data`"):
        cfa(hs, spec={"a": ["x1", "x2", "nope"]})
    with pytest.raises(RingstatsError, match="`ci` must be"):
        cfa(hs, spec=HS_MODEL, ci=95)


def test_nonconvergence_raises(hs, monkeypatch):
    import ringstats.measurement._cfa._fit as mod

    real = mod._ml_fit_cov

    def broken(st, s, **kw):
        theta, res = real(st, s, max_iter=1)
        return theta, res

    monkeypatch.setattr(mod, "_ml_fit_cov", broken)
    with pytest.raises(ConvergenceError, match="did not converge"):
        cfa(hs, spec=HS_MODEL)


def test_heywood_is_flagged():
    # r12 = r13 = .8, r23 = .5 implies a standardised loading of sqrt(1.28) for item a
    r = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    rng = np.random.default_rng(3)
    d = pd.DataFrame(rng.multivariate_normal(np.zeros(3), r, size=2000), columns=["a", "b", "c"])
    with pytest.warns(Warning, match="Heywood"):
        res = cfa(d, spec={"A": ["a", "b", "c"]})
    assert res.heywood == ("a",)
    assert res.fit["df"] == 0
    assert "Heywood" in str(res)


# --------------------------------------------------------------------------- reverse-keyed markers
BFI_AC = {"A": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3", "C4", "C5"]}


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(REF / "bfi.csv")


@pytest.mark.parametrize("stem, kw", [("cfa_bfi_ac", {}), ("cfa_bfi_ac_stdlv", {"std_lv": True}),
                                      ("cfa_bfi_ac_fiml", {"nan_policy": "fiml"})])
def test_reverse_keyed_markers_match_lavaan(bfi, stem, kw):
    # A1 (the marker of A), C4 and C5 are reverse-keyed and not recoded (cfa_bfi_ac.R)
    res = cfa(bfi, spec=BFI_AC, estimator="ML", **kw)
    assert res.converged
    _compare(res, stem)
    lo = res.loadings["estimate"]
    assert lo["A1"] > 0 and (lo[["A2", "A3", "A4", "A5", "C4", "C5"]] < 0).all()


def _negative_markers(n: int = 500, seed: int = 11, missing: float = 0.0):
    """Three factors of four items whose first item (the marker) loads -0.7."""
    rng = np.random.default_rng(seed)
    lstd = np.array([-0.7, 0.6, 0.75, 0.65])
    lam = np.kron(np.eye(3), lstd[:, None])
    phi = np.array([[1, .3, .4], [.3, 1, .2], [.4, .2, 1]])
    sig = lam @ phi @ lam.T
    sig[np.diag_indices(12)] = 1.0
    blocks = {f: [f"{f}{i}" for i in range(1, 5)] for f in ("F", "G", "H")}
    cols = [c for v in blocks.values() for c in v]
    d = pd.DataFrame(rng.multivariate_normal(np.zeros(12), sig, size=n), columns=cols)
    if missing:  # MCAR in four items (a marker among them): few patterns, a quick FIML
        for c in ("F1", "F2", "G3", "H4"):
            d.loc[rng.random(n) < missing, c] = np.nan
    return d, blocks, lam


@pytest.mark.parametrize("kw", [{}, {"std_lv": True}, {"nan_policy": "fiml"}])
def test_all_markers_negative_simulated(kw):
    d, blocks, lam = _negative_markers(missing=0.1 if kw.get("nan_policy") else 0.0)
    markers = [v[0] for v in blocks.values()]
    res = cfa(d, spec=blocks, estimator="ML", **kw)
    # the same data with the markers recoded: an equivalent model, reflected factors
    ref = cfa(d.assign(**{c: -d[c] for c in markers}), spec=blocks, estimator="ML", **kw)
    assert res.converged and ref.converged
    assert res.fit["chisq"] == pytest.approx(ref.fit["chisq"], rel=1e-6)
    # markers keep their sign (1 under the marker rule; the first item loads positively
    # under std_lv too, as in lavaan), the other items' loadings are reflected
    assert (res.loadings.loc[markers, "estimate"] > 0).all()
    if not kw.get("std_lv"):
        assert (res.loadings.loc[markers, "estimate"] == 1.0).all()
    sign = np.where(res.loadings.index.isin(markers), 1.0, -1.0)
    np.testing.assert_allclose(res.loadings["estimate"], sign * ref.loadings["estimate"],
                               atol=1e-5)
    np.testing.assert_allclose(res.factor_cov, ref.factor_cov, atol=1e-5)
    # and the truth is recovered (standardised loadings, oriented on the marker)
    truth = -lam[lam != 0]
    np.testing.assert_allclose(res.loadings["std_estimate"], truth, atol=0.1)
