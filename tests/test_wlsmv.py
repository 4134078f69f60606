"""WLSMV stages 2-3 (DWLS, robust SEs, scaled-shifted test, scaled/robust fit indices) and
``estimator=`` of cfa/sem, against lavaan 0.6.14 (tests/reference/wlsmv/make_dwls.R).

The core is checked on lavaan's own sample statistics (``wls.obs`` and ``gamma``) so that it
is tested independently of stage 1; the public functions are checked end to end on the raw
bfi data when stage 1 (``_wls._stats``) is available. The statistics of the CFA fits (bfi,
bfi by gender: the same rows) are the files stage 1's tests read (``ordinal_stats.R``, 12
digits); the SEM's (rows complete on its 20 items) come from ``make_dwls.R``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.errors import RingstatsError, RingstatsWarning, SpecError, ValidationError
from ringstats.measurement._cfa._model import _Structure
from ringstats.measurement._sem_model import SEMStructure
from ringstats.measurement._wls import OrdinalMoments
from ringstats.measurement._wls._delta import DeltaModel, stack_groups
from ringstats.measurement._wls._dwls import dwls_fit
from ringstats.measurement._wls._fit_ord import AUTO_NOTE

REF = Path(__file__).parent / "reference" / "wlsmv"
BFI = Path(__file__).parent / "reference" / "measurement" / "bfi.csv"
BLOCKS = {f: [f"{f}{i}" for i in range(1, 6)] for f in "ACENO"}
PATHS = "E ~ A + C\nN ~ E + C"

#: ringstats fit entry -> lavaan fitMeasures() name
FIT_NAMES = {
    "chisq": "chisq", "cfi": "cfi", "tli": "tli", "cfi_scaled": "cfi.scaled",
    "tli_scaled": "tli.scaled", "cfi_robust": "cfi.robust", "tli_robust": "tli.robust",
    "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper",
    "rmsea_scaled": "rmsea.scaled", "rmsea_scaled_ci_low": "rmsea.ci.lower.scaled",
    "rmsea_scaled_ci_high": "rmsea.ci.upper.scaled", "rmsea_robust": "rmsea.robust",
    "rmsea_robust_ci_low": "rmsea.ci.lower.robust",
    "rmsea_robust_ci_high": "rmsea.ci.upper.robust", "srmr": "srmr",
    "scaling_factor": "chisq.scaling.factor", "shift_parameter": "shift.parameter",
    "baseline_chisq": "baseline.chisq", "baseline_scaling_factor":
        "baseline.chisq.scaling.factor", "npar": "npar", "df": "df",
}


#: the fit's tag -> the stage-1 data set of ordinal_stats.R holding lavaan's statistics
STAGE1_SET = {"cfa_bfi": "bfi", "cfa_bfi_gender": "bfi_gender"}


def _lavaan_stats(tag: str, g: int) -> tuple[pd.DataFrame, np.ndarray, int]:
    """lavaan's wls.obs (name, value), gamma and n of group ``g`` of fit ``tag``."""
    if tag in STAGE1_SET:
        info = json.loads((REF / "meta.json").read_text())["datasets"][STAGE1_SET[tag]][g - 1]
        prefix = info["file_prefix"]
        obs = pd.read_csv(REF / f"{prefix}_wls_obs.csv")
        gam = pd.read_csv(REF / f"{prefix}_gamma.csv.gz", index_col=0)
        assert list(gam.index) == list(obs["name"])
        return obs, gam.to_numpy(float), int(info["n"])
    obs = pd.read_csv(REF / f"dwls_{tag}_g{g}_wlsobs.csv")
    gam = pd.read_csv(REF / f"dwls_{tag}_g{g}_gamma.csv.gz", header=None).to_numpy(float)
    n = int(pd.read_csv(REF / f"dwls_{tag}_nobs.csv")["n"].iloc[g - 1])
    return obs, gam, n


def _moments(tag: str, g: int = 1) -> OrdinalMoments:
    """OrdinalMoments from lavaan's exported wls.obs and gamma (independent of stage 1)."""
    obs, gam, n = _lavaan_stats(tag, g)
    names, s = list(obs["name"]), obs["value"].to_numpy(float)
    items = list(dict.fromkeys(x.split("|")[0] for x in names if "|" in x))
    ths = tuple(np.array([v for x, v in zip(names, s, strict=True) if x.startswith(it + "|")])
                for it in items)
    pos = {it: i for i, it in enumerate(items)}
    r = np.eye(len(items))
    for x, v in zip(names, s, strict=True):
        if "~~" in x:
            a, b = x.split("~~")
            r[pos[a], pos[b]] = r[pos[b], pos[a]] = v
    cats = tuple(tuple(float(c) for c in range(1, len(t) + 2)) for t in ths)
    return OrdinalMoments(tuple(items), n, ths, r, s, gam, cats)


def _ref_fit(tag: str) -> pd.Series:
    return pd.read_csv(REF / f"dwls_{tag}_fit.csv").set_index("measure")["value"]


def _check_fit(fit: pd.Series, tag: str) -> None:
    ref = _ref_fit(tag)
    for ours, theirs in FIT_NAMES.items():
        if theirs == "npar":  # lavaan counts the free thresholds too: checked by caller
            continue
        tol = 1e-3 * max(1.0, abs(ref[theirs])) if "chisq" in theirs else 1e-3
        assert fit[ours] == pytest.approx(ref[theirs], abs=tol), ours
    assert fit["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], rel=0.01)
    assert fit["baseline_chisq_scaled"] == pytest.approx(ref["baseline.chisq.scaled"],
                                                         rel=0.01)


def _cfa_model(m: OrdinalMoments, std_lv: bool = False) -> tuple[_Structure, DeltaModel]:
    st = _Structure.build(BLOCKS, std_lv)
    base = st.n_lambda + st.n_phi
    return st, DeltaModel(st, m, [(base + j, j) for j in range(st.p)])


# ----------------------------------------------------------------------------- the core
@pytest.fixture(scope="module")
def core_cfa():
    m = _moments("cfa_bfi")
    st, md = _cfa_model(m)
    return m, st, md, dwls_fit([m], md, md.start())


def test_core_cfa_estimates_and_robust_ses(core_cfa):
    m, st, md, fit = core_cfa
    pe = pd.read_csv(REF / "dwls_cfa_bfi_params.csv")
    lam = pe[(pe["op"] == "=~") & (pe["se"] > 0)]
    se = np.sqrt(np.diag(fit.vcov))
    k = md.n_th
    np.testing.assert_allclose(fit.theta[k:k + st.n_lambda], lam["est"], atol=1e-3)
    np.testing.assert_allclose(se[k:k + st.n_lambda], lam["se"], atol=1e-3)
    th = pe[pe["op"] == "|"]
    np.testing.assert_allclose(fit.theta[:k], th["est"], atol=1e-3)
    np.testing.assert_allclose(se[:k], th["se"], atol=1e-3)
    # lavaan's npar counts thresholds as free parameters, as does ours
    assert len(fit.theta) == _ref_fit("cfa_bfi")["npar"]


def test_core_cfa_fit_measures(core_cfa):
    _check_fit(core_cfa[3].fit, "cfa_bfi")
    # lavaan's chisq is 2 N fmin, our F is 2 fmin (N - 1)/N ... exactly (to rounding)
    assert core_cfa[3].fit["chisq"] == pytest.approx(_ref_fit("cfa_bfi")["chisq"], rel=1e-7)


def test_core_multigroup_configural_matches_lavaan():
    ms = [_moments("cfa_bfi_gender", g) for g in (1, 2)]
    mds = [_cfa_model(m)[1] for m in ms]
    model, edges = stack_groups(mds)
    fit = dwls_fit(ms, model, np.concatenate([md.start() for md in mds]))
    _check_fit(fit.fit, "cfa_bfi_gender")
    pe = pd.read_csv(REF / "dwls_cfa_bfi_gender_params.csv")
    se = np.sqrt(np.diag(fit.vcov))
    for g in (0, 1):
        lam = pe[(pe["op"] == "=~") & (pe["se"] > 0) & (pe["group"] == g + 1)]
        o = edges[g] + mds[g].n_th
        nl = len(lam)
        np.testing.assert_allclose(fit.theta[o:o + nl], lam["est"], atol=1e-3)
        np.testing.assert_allclose(se[o:o + nl], lam["se"], atol=1e-3)


def test_core_sem_matches_lavaan():
    m = _moments("sem_bfi")
    blocks = {f: BLOCKS[f] for f in "ACEN"}
    pairs = [("E", "A"), ("E", "C"), ("N", "E"), ("N", "C")]
    st = SEMStructure.build(blocks, pairs, list(m.items), False)
    md = DeltaModel(st, m, [(n, r) for n, (kd, r, _) in enumerate(st.free) if kd == "theta"])
    fit = dwls_fit([m], md, md.start())
    _check_fit(fit.fit, "sem_bfi")
    pe = pd.read_csv(REF / "dwls_sem_bfi_params.csv")
    full = md.full(fit.theta)
    se = np.sqrt(np.diag(fit.vcov))[md.n_th:]
    for (kind, r, c), est, s in zip([st.free[i] for i in md.keep], full[md.keep], se,
                                    strict=True):
        if kind == "beta":
            row = pe[(pe["op"] == "~") & (pe["lhs"] == st.latents[r])
                     & (pe["rhs"] == st.latents[c])].iloc[0]
            assert est == pytest.approx(row["est"], abs=1e-3)
            assert s == pytest.approx(row["se"], abs=1e-3)


def test_core_refuses_unidentified_and_reports_nonconvergence():
    m = _moments("cfa_bfi")
    st, md = _cfa_model(m)

    def broken(theta):
        sig, dl = md(theta)
        return sig, [np.zeros_like(dl[0])]

    with pytest.raises(rs.ConvergenceError):
        dwls_fit([m], broken, md.start())


# ----------------------------------------------------------------------------- public API
@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(BFI)


def _bfi5() -> pd.DataFrame:
    """bfi with categories 1-2 of every item collapsed (5-point items), as make_dwls.R."""
    items = [it for b in BLOCKS.values() for it in b]
    d5 = pd.read_csv(BFI)[items + ["gender"]]
    d5[items] = d5[items].clip(lower=2) - 1
    return d5


@pytest.fixture(scope="module")
def cfa_bfi(bfi):
    return rs.cfa(bfi, spec=BLOCKS, estimator="WLSMV")


def _merge(tab: pd.DataFrame, tag: str) -> pd.DataFrame:
    pe = pd.read_csv(REF / f"dwls_{tag}_params.csv")
    out = tab.merge(pe, on=["lhs", "op", "rhs"], how="left")
    assert out["est"].notna().all()
    return out


def test_cfa_wlsmv_matches_lavaan(cfa_bfi):
    res = cfa_bfi
    m = _merge(res.to_frame(), "cfa_bfi")
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-3)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-3)
    np.testing.assert_allclose(m["std_estimate"], m["std.all"], atol=1e-3)
    _check_fit(res.fit, "cfa_bfi")
    assert res.estimator == "WLSMV" and (res.to_frame()["estimator"] == "WLSMV").all()
    assert res.fit.attrs["estimator"] == "WLSMV"
    assert len(res.thresholds) == 125 and {"item", "threshold", "se"} <= set(res.thresholds)
    assert (res.to_frame()["op"] == "|").sum() == 125
    text = res.summary().as_text()
    for word in ("WLSMV", "scaled (scaled-shifted)", "shift parameter", "robust",
                 "Thresholds"):
        assert word in text
    assert np.isnan(res.fit["aic"])  # no likelihood


def test_cfa_wlsmv_std_lv_matches_lavaan(bfi):
    res = rs.cfa(bfi, spec=BLOCKS, estimator="WLSMV", std_lv=True)
    m = _merge(res.to_frame(), "cfa_bfi_stdlv")
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-3)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-3)


def test_sem_wlsmv_matches_lavaan(bfi):
    blocks = {f: BLOCKS[f] for f in "ACEN"}
    res = rs.sem(bfi, spec=blocks, paths=PATHS, estimator="WLSMV")
    m = _merge(res.to_frame(), "sem_bfi")
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-3)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-3)
    np.testing.assert_allclose(m["std_estimate"], m["std.all"], atol=1e-3)
    _check_fit(res.fit, "sem_bfi")
    assert "WLSMV" in res.summary().as_text() and len(res.thresholds) == 100


def test_auto_rule_five_categories_is_ordinal_with_note():
    d5 = _bfi5()
    blocks = {"A": BLOCKS["A"], "C": BLOCKS["C"]}
    res = rs.cfa(d5, spec=blocks)
    assert res.estimator == "WLSMV" and AUTO_NOTE in res.warnings
    assert AUTO_NOTE in res.summary().as_text()
    m = _merge(res.to_frame(), "cfa_bfi5")
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-3)
    ref = _ref_fit("cfa_bfi5")
    assert res.fit["cfi_robust"] == pytest.approx(ref["cfi.robust"], abs=1e-3)
    ml = rs.cfa(d5, spec={"N": BLOCKS["N"]}, estimator="ML")
    assert ml.estimator == "ML" and AUTO_NOTE not in ml.warnings


def test_auto_rule_more_categories_or_fiml_is_ml(bfi):
    blocks = {"N": BLOCKS["N"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        assert rs.cfa(bfi, spec=blocks).estimator == "ML"  # 6 categories
        d5 = _bfi5()
        assert rs.cfa(d5, spec=blocks, nan_policy="fiml").estimator == "ML"


def test_wlsmv_validation_errors(bfi):
    blocks = {"A": BLOCKS["A"]}
    cont = bfi[BLOCKS["A"]].astype(float) + 0.5
    with pytest.raises(ValidationError, match="non-integer"):
        rs.cfa(cont, spec=blocks, estimator="WLSMV")
    many = bfi[BLOCKS["A"]].copy()
    rng = np.random.default_rng(1)
    many["A1"] = rng.integers(0, 30, len(many))
    with pytest.raises(ValidationError, match="at most 20 categories"):
        rs.cfa(many, spec=blocks, estimator="WLSMV")
    with pytest.raises(ValidationError, match="listwise"):
        rs.cfa(bfi, spec=blocks, estimator="WLSMV", nan_policy="fiml")
    with pytest.raises(ValidationError, match="listwise"):
        rs.sem(bfi, spec={"A": BLOCKS["A"], "C": BLOCKS["C"]}, paths="A ~ C",
               estimator="WLSMV", nan_policy="fiml")
    with pytest.raises(RingstatsError, match="`estimator` must be one of"):
        rs.cfa(bfi, spec=blocks, estimator="DWLS")


def test_sem_wlsmv_refuses_observed_variables_in_paths(bfi):
    with pytest.raises(SpecError, match="observed variables"):
        rs.sem(bfi, spec={"A": BLOCKS["A"]}, paths="A ~ E1", estimator="WLSMV")


def test_moments_path_refuses_wlsmv_and_auto_is_ml():
    w = rs.draw("base", n=400, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        m = rs.summarize(w.customers, spec=w.spec)
        with pytest.raises(RingstatsError, match="WLSMV"):
            rs.cfa(m, spec=w.spec, estimator="WLSMV")
        assert rs.cfa(m, spec=w.spec).estimator == "ML"
        # the same items in memory are ordinal by default
        assert rs.cfa(w.spec.validate(w.customers), spec=w.spec).estimator == "WLSMV"


def test_caller_frame_untouched(bfi):
    before = bfi.copy()
    d5 = _bfi5()
    d5_before = d5.copy()
    rs.cfa(d5, spec={"A": BLOCKS["A"]}, estimator="WLSMV")
    pd.testing.assert_frame_equal(bfi, before)
    pd.testing.assert_frame_equal(d5, d5_before)


def test_one_auto_rule_for_cfa_sem_and_invariance():
    """`estimator="auto"` is WLSMV only for integer codes with at most 5 values, the same
    predicate in cfa, sem and invariance; non-integer 5-valued items stay ML."""
    import ringstats as rs
    from ringstats.measurement._wls._fit_ord import looks_ordinal

    w = rs.draw("base", n=500, seed=5)
    d = w.spec.validate(w.customers)
    items = [i for c in w.spec.constructs for i in c.items]
    assert looks_ordinal(d[items].to_numpy())
    halves = d.copy()
    halves[items] = halves[items] / 2  # 0.5, 1.0, ..., 2.5: five values, not codes
    assert not looks_ordinal(halves[items].to_numpy())
    blocks = {c.name: list(c.items) for c in w.spec.constructs}
    assert rs.cfa(d, spec=blocks).estimator == "WLSMV"
    assert rs.cfa(halves, spec=blocks).estimator == "ML"
    two = {k: blocks[k] for k in list(blocks)[:2]}
    d["grp"] = np.arange(len(d)) % 2
    assert rs.invariance(d, spec=two, group="grp").estimator == "WLSMV"
