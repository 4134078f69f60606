"""SEM parity with lavaan 0.6.14 (tests/reference/sem/make_reference.R), effects and bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ringstats.errors import ConvergenceError, RingstatsError, RingstatsWarning, SpecError
from ringstats.measurement import SEMResult, sem

REF = Path(__file__).parent / "reference" / "sem"
DATA = Path(__file__).parent / "reference" / "measurement"
HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
HS_PATHS = "textual ~ a*visual\nspeed ~ b*visual + c*textual"
ECSI = {"Image": [f"IMAG{i}" for i in range(1, 6)], "Quality": [f"PERQ{i}" for i in range(1, 8)],
        "Value": ["PERV1", "PERV2"], "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
ECSI_PATHS = {"Quality": ["Image"], "Value": ["Image", "Quality"],
              "Satisfaction": ["Image", "Quality", "Value"], "CUSCO": ["Satisfaction"],
              "Loyalty": ["Image", "Satisfaction", "CUSCO"]}
FIT_MAP = {"chisq": "chisq", "df": "df", "pvalue": "p_val", "baseline.chisq": "baseline_chisq",
           "cfi": "cfi", "tli": "tli", "logl": "loglik", "unrestricted.logl": "loglik_h1",
           "aic": "aic", "bic": "bic", "rmsea": "rmsea", "rmsea.ci.lower": "rmsea_ci_low",
           "rmsea.ci.upper": "rmsea_ci_high", "srmr": "srmr", "npar": "npar", "ntotal": "n"}
TOL = 1e-3


def _row(frame: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    hit = frame[(frame["lhs"] == lhs) & (frame["op"] == op) & (frame["rhs"] == rhs)]
    if hit.empty and op == "~~":
        hit = frame[(frame["lhs"] == rhs) & (frame["op"] == op) & (frame["rhs"] == lhs)]
    assert len(hit) == 1, (lhs, op, rhs)
    return hit.iloc[0]


def _compare(res: SEMResult, stem: str, defined: dict[str, tuple[str, str, str]]) -> None:
    """Every parameter, SE, std.all and std SE, every fit index, R2 and defined effect."""
    ref = pd.read_csv(REF / f"{stem}_fit.csv").set_index("measure")["value"]
    for rname, pname in FIT_MAP.items():
        assert res.fit[pname] == pytest.approx(ref[rname], rel=TOL, abs=TOL), rname
    pe = pd.read_csv(REF / f"{stem}_params.csv")
    std = pd.read_csv(REF / f"{stem}_std.csv")
    pe = pe[pe["op"] != "~1"]
    n_checked = 0
    for (_, row), (_, srow) in zip(pe.iterrows(), std[std["op"] != "~1"].iterrows(),
                                   strict=True):
        if row.op == ":=" and row.lhs not in defined:
            continue  # checked by the caller (ring totals)
        if row.op == ":=":
            k = defined[row.lhs]
            got = res.effects[(res.effects["outcome"] == k[0]) & (res.effects["predictor"] == k[1])
                              & (res.effects["effect"] == k[2])].iloc[0]
        else:
            got = _row(res.parameters, row.lhs, row.op, row.rhs)
        assert got["estimate"] == pytest.approx(row.est, abs=TOL), (row.lhs, row.op, row.rhs)
        assert got["se"] == pytest.approx(row.se, abs=TOL), (row.lhs, row.op, row.rhs)
        assert got["std_estimate"] == pytest.approx(row["std.all"], abs=TOL), (row.lhs, row.rhs)
        if np.isfinite(srow.se) and srow.se > 0:
            assert got["std_se"] == pytest.approx(srow.se, abs=TOL), (row.lhs, row.op, row.rhs)
        n_checked += 1
    assert n_checked == len(pe) - sum((pe["op"] == ":=") & ~pe["lhs"].isin(defined))
    r2 = pd.read_csv(REF / f"{stem}_r2.csv").dropna()
    for _, row in r2.iterrows():
        assert res.r_squared[row.variable] == pytest.approx(row.r2, abs=TOL), row.variable


def test_holzinger_swineford_with_paths_matches_lavaan(hs):
    res = sem(hs, spec=HS, paths=HS_PATHS)
    _compare(res, "sem_hs", {"ind": ("speed", "visual", "indirect"),
                             "tot": ("speed", "visual", "total")})
    assert res.converged and not res.improper and res.n_obs == 301
    assert round(res.fit["chisq"], 3) == 85.306  # saturated structure: equals the CFA


def test_fiml_sem_matches_lavaan():
    hsm = pd.read_csv(DATA / "holzinger39_missing.csv")
    res = sem(hsm, spec=HS, paths=HS_PATHS, nan_policy="fiml")
    assert res.information == "observed"
    _compare(res, "sem_hs_fiml", {"ind": ("speed", "visual", "indirect"),
                                  "tot": ("speed", "visual", "total")})


def test_ecsi_model_matches_lavaan_and_is_flagged_improper(mobi):
    with pytest.warns(RingstatsWarning, match="Improper SEM solution"):
        res = sem(mobi, spec=ECSI, paths=ECSI_PATHS)
    _compare(res, "sem_ecsi", {
        "tot_Satisfaction_Loyalty": ("Loyalty", "Satisfaction", "total"),
        "ind_Quality_Loyalty": ("Loyalty", "Quality", "indirect"),
        "tot_Image_Loyalty": ("Loyalty", "Image", "total")})
    assert any("Loyalty" in f for f in res.improper)
    assert "IMPROPER" in str(res) and "Improper solution" in str(res)


def test_ring_default_model_matches_lavaan():
    from ringstats import datasets

    ds = datasets.load("ecsi_mobi")
    data = ds.spec.validate(ds.data)
    res = sem(data, spec=ds.spec)
    assert res.outcome == "CUSL3"
    assert set(res.paths) == {("CUSL3", c) for c in ("quality", "value", "service", "connection")}
    _compare(res, "sem_rings_mobi", {})
    pe = pd.read_csv(REF / "sem_rings_mobi_params.csv").set_index("lhs")
    ring1 = res.ring_effects.set_index("ring").loc[1]
    assert ring1["estimate"] == pytest.approx(pe.loc["ring1", "est"], abs=TOL)
    assert ring1["se"] == pytest.approx(pe.loc["ring1", "se"], abs=TOL)
    assert ring1["std_estimate"] == pytest.approx(pe.loc["ring1", "std.all"], abs=TOL)
    assert list(res.ring_effects["ring"]) == [1, 2, 3]


def test_latent_loyalty_default_and_bootstrap():
    from ringstats import datasets

    ds = datasets.load("corp_rep")
    data = ds.spec.validate(ds.data)
    res = sem(data, spec=ds.spec, n_boot=20, seed=1)
    assert res.outcome == "loyalty"
    assert res.blocks["loyalty"] == ("cusl_2", "cusl_3")
    assert {"boot_ci_low", "boot_ci_high"} <= set(res.effects.columns)
    rf = res.ring_effects
    assert list(rf["ring"]) == [1, 2, 3]
    assert (rf["boot_std_ci_low"] <= rf["boot_std_ci_high"]).all()
    again = sem(data, spec=ds.spec, n_boot=20, seed=1)
    pd.testing.assert_frame_equal(rf, again.ring_effects)


def test_indirect_effect_is_product_of_paths(hs):
    res = sem(hs, spec=HS, paths=HS_PATHS)
    p = res.parameters
    a = _row(p, "textual", "~", "visual")["estimate"]
    c = _row(p, "speed", "~", "textual")["estimate"]
    ind = res.effects.query("outcome == 'speed' and predictor == 'visual' and "
                            "effect == 'indirect'")["estimate"].iloc[0]
    assert ind == pytest.approx(a * c, rel=1e-10)
    assert res.to_frame().shape[0] == len(p)
    assert "<table" in res._repr_html_()


def test_std_lv_same_fit(hs):
    a = sem(hs, spec=HS, paths=HS_PATHS)
    b = sem(hs, spec=HS, paths=HS_PATHS, std_lv=True)
    assert b.fit["chisq"] == pytest.approx(a.fit["chisq"], rel=1e-7)
    np.testing.assert_allclose(b.effects["std_estimate"], a.effects["std_estimate"], atol=1e-6)


def test_does_not_modify_input(hs):
    before = hs.copy()
    sem(hs, spec=HS, paths=HS_PATHS)
    pd.testing.assert_frame_equal(hs, before)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("paths, match", [
    ("textual ~ nothere", "neither a construct"),
    ("textual ~ x1", "indicator of construct"),
    ("textual ~ textual", "on itself"),
    ("textual ~ visual\ntextual ~ visual", "twice"),
    ("textual =~ x1", "regression lines"),
    ("textual ~ speed\nspeed ~ textual", "feedback loop"),
    (42, "lavaan-style text"),
])
def test_bad_paths_raise(hs, paths, match):
    with pytest.raises(SpecError, match=match):
        sem(hs, spec=HS, paths=paths)


def test_dict_spec_needs_paths_and_options_checked(hs):
    with pytest.raises(SpecError, match="`paths` is required"):
        sem(hs, spec=HS)
    with pytest.raises(RingstatsError, match="estimator"):
        sem(hs, spec=HS, paths=HS_PATHS, estimator="GLS")
    with pytest.raises(RingstatsError, match="nan_policy"):
        sem(hs, spec=HS, paths=HS_PATHS, nan_policy="drop")


def test_nonconvergence_raises(hs, monkeypatch):
    import ringstats.measurement._sem as mod

    real = mod._ml_fit_cov
    monkeypatch.setattr(mod, "_ml_fit_cov", lambda st, s, **kw: real(st, s, max_iter=2))
    with pytest.raises(ConvergenceError, match="did not converge"):
        sem(hs, spec=HS, paths=HS_PATHS)


@pytest.mark.slow
def test_ring_paths_cover_their_truth_on_the_simulator():
    """Small version of benchmarks/recovery_sem.py (100 replicates there)."""
    import importlib.util

    path = Path(__file__).parents[1] / "benchmarks" / "recovery_sem.py"
    spec = importlib.util.spec_from_file_location("recovery_sem", path)
    mod = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(path.parent))
    draws, truth = mod.run(reps=8, n=1000, seed0=500)
    tab = mod.summarise(draws, truth)
    assert tab["coverage"].mean() >= 0.8
    assert (tab["bias"].abs() < 0.05).all()


# --------------------------------------------------------------------------- reverse-keyed markers
BFI_AC = {"A": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3", "C4", "C5"]}


@pytest.mark.parametrize("stem, kw", [("cfa_bfi_ac", {}), ("cfa_bfi_ac_stdlv", {"std_lv": True}),
                                      ("cfa_bfi_ac_fiml", {"nan_policy": "fiml"})])
def test_reverse_keyed_markers_match_lavaan_cfa(stem, kw):
    # A ~ C saturates the structure: fit and measurement part equal lavaan's CFA
    # (tests/reference/measurement/cfa_bfi_ac.R; A1, the marker of A, is reverse-keyed)
    bfi = pd.read_csv(DATA / "bfi.csv")
    res = sem(bfi, spec=BFI_AC, paths="A ~ C", estimator="ML", **kw)
    assert res.converged
    ref = pd.read_csv(DATA / f"{stem}_fit.csv").set_index("measure")["value"]
    for rname, pname in FIT_MAP.items():
        assert res.fit[pname] == pytest.approx(ref[rname], rel=TOL, abs=TOL), rname
    pe = pd.read_csv(DATA / f"{stem}_params.csv")
    for _, row in pe[(pe["op"] == "=~") | ((pe["op"] == "~~") & pe["lhs"].str.len().eq(2))
                     ].iterrows():
        got = _row(res.parameters, row.lhs, row.op, row.rhs)
        assert got["std_estimate"] == pytest.approx(row["std.all"], abs=TOL), (row.lhs, row.rhs)
        if not kw.get("std_lv"):  # std_lv fixes A's residual, not its variance: other scale
            assert got["estimate"] == pytest.approx(row.est, abs=TOL), (row.lhs, row.rhs)
    cov = pe.set_index(["lhs", "op", "rhs"])["est"]
    beta = _row(res.parameters, "A", "~", "C")
    assert beta["estimate"] < 0
    if not kw.get("std_lv"):
        assert beta["estimate"] == pytest.approx(
            cov[("A", "~~", "C")] / cov[("C", "~~", "C")], abs=TOL)


@pytest.mark.parametrize("std_lv", [False, True])
def test_all_markers_negative_simulated(std_lv):
    # three factors whose first item loads -0.7; recoding the markers reflects the factors
    rng = np.random.default_rng(5)
    lam = np.kron(np.eye(3), np.array([[-0.7], [0.6], [0.75], [0.65]]))
    b = np.array([[0, 0, 0], [0.5, 0, 0], [0.3, 0.4, 0]])
    a = np.linalg.inv(np.eye(3) - b)
    phi = a @ np.diag([1.0, 0.75, 0.6]) @ a.T
    sig = lam @ phi @ lam.T + 0.5 * np.eye(12)
    blocks = {f: [f"{f}{i}" for i in range(1, 5)] for f in ("F", "G", "H")}
    cols = [c for v in blocks.values() for c in v]
    d = pd.DataFrame(rng.multivariate_normal(np.zeros(12), sig, size=500), columns=cols)
    paths = "G ~ F\nH ~ F + G"
    res = sem(d, spec=blocks, paths=paths, estimator="ML", std_lv=std_lv)
    ref = sem(d.assign(F1=-d["F1"], G1=-d["G1"], H1=-d["H1"]), spec=blocks, paths=paths,
              estimator="ML", std_lv=std_lv)
    assert res.converged and ref.converged
    assert res.fit["chisq"] == pytest.approx(ref.fit["chisq"], rel=1e-6)
    p, q = res.parameters, ref.parameters
    for op in ("~", "~~"):  # paths and (residual) variances: both sides reflected alike
        np.testing.assert_allclose(p.loc[p["op"] == op, "estimate"],
                                   q.loc[q["op"] == op, "estimate"], atol=1e-5)
    sel = p["op"] == "=~"
    sign = np.where(p.loc[sel, "rhs"].isin(["F1", "G1", "H1"]), 1.0, -1.0)
    np.testing.assert_allclose(p.loc[sel, "estimate"], sign * q.loc[sel, "estimate"].to_numpy(),
                               atol=1e-5)
    assert (_row(p, "G", "~", "F")["estimate"] > 0) and (_row(p, "H", "~", "G")["estimate"] > 0)
