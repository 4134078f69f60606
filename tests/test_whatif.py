"""Tests for ringstats.whatif.what_if."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.simulate import draw
from ringstats.whatif import WhatIfResult, _ltr_parts, what_if

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def base():
    w = draw("base", n=800, seed=4)
    return w.spec.validate(w.customers), w.spec


def test_table_shape_and_reference(base):
    d, spec = base
    r = what_if(d, spec=spec, shifts=[-0.5, 0.5], n_boot=15, seed=1, progress=False)
    assert isinstance(r, WhatIfResult)
    t = r.table
    assert len(t) == 3 * 3  # rings x (shifts + 0)
    zero = t[t["shift"] == 0]
    assert np.allclose(zero["delta_nps"], 0) and np.allclose(zero["delta_nps_ci_high"], 0)
    # at shift 0 all rings give the same prediction: the observed values
    assert zero["mean_ltr"].nunique() == 1
    assert zero["mean_ltr"].iloc[0] == pytest.approx(r.observed["mean LTR"], abs=1e-9)
    assert zero["nps"].iloc[0] == pytest.approx(r.observed["NPS"], abs=1e-9)
    up = t[t["shift"] == 0.5]
    assert (up["delta_nps"] > 0).all() and (up["delta_mean_ltr"] > 0).all()
    assert (t["nps_ci_low"] <= t["nps"] + 1e-9).all() and (t["nps"] <= t["nps_ci_high"] + 1e-9).all()
    assert "What if" in str(r)


def test_seed_reproducible_and_sd_units(base):
    d, spec = base
    a = what_if(d, spec=spec, ring=1, shifts=[1.0], unit="sd", n_boot=5, seed=3, progress=False)
    b = what_if(d, spec=spec, ring=[1], shifts=[1.0], unit="sd", n_boot=5, seed=3,
                progress=False)
    pd.testing.assert_frame_equal(a.table, b.table)
    sd = a.table.query("shift == 1")["shift_points"].iloc[0]
    assert 0.3 < sd < 1.2


def test_linear_model_and_clipping(base):
    d, spec = base
    r = what_if(d, spec=spec, ring=2, shifts=[10.0], model="linear", n_boot=0,
                progress=False)
    # a shift of 10 points puts everyone at the scale maximum: same as a shift of 4
    r4 = what_if(d, spec=spec, ring=2, shifts=[4.0], model="linear", n_boot=0,
                 progress=False)
    assert r.table["nps"].iloc[-1] == pytest.approx(r4.table["nps"].iloc[-1])


def test_ltr_parts_exact_against_monte_carlo():
    """The exact expectations over the rounding position equal a Monte Carlo of
    round(c + u), u ~ U(-1/2, 1/2), clipped to 0-10; whole answers come back unchanged."""
    rng = np.random.default_rng(0)
    c = np.r_[rng.uniform(-1, 11.5, 400), np.arange(11.0)]
    u = rng.uniform(-0.5, 0.5, size=(20_000, 1))
    v = np.clip(np.round(c[None, :] + u), 0, 10)
    mean, prom, det = _ltr_parts(c, 0, 10, True)
    assert mean == pytest.approx(v.mean(), abs=0.01)
    assert prom == pytest.approx((v >= 9).mean(), abs=0.005)
    assert det == pytest.approx((v <= 6).mean(), abs=0.005)
    y = rng.integers(0, 11, 500).astype(float)
    mean, prom, det = _ltr_parts(y, 0, 10, True)
    assert (mean, prom, det) == pytest.approx((y.mean(), (y >= 9).mean(), (y <= 6).mean()))


@pytest.mark.parametrize("seed", [1, 2])
def test_zero_shift_reproduces_observed_nps_simulated(seed):
    """Simulated world: at shift 0 the predicted NPS and mean LTR are the observed ones (the
    pooled-residual smearing used before missed the NPS by several points), and the
    bootstrap interval at shift 0 covers the observed NPS."""
    w = draw("base", n=2000, seed=seed)
    d = w.spec.validate(w.customers)
    r = what_if(d, spec=w.spec, shifts=[0.5], n_boot=30, seed=1, progress=False)
    z = r.table[r.table["shift"] == 0]
    y = d[w.spec.ltr].dropna()
    nps = 100 * ((y >= 9).mean() - (y <= 6).mean())
    assert np.allclose(z["nps"], r.observed["NPS"], atol=1e-9)
    assert np.allclose(z["mean_ltr"], r.observed["mean LTR"], atol=1e-9)
    assert r.observed["NPS"] == pytest.approx(nps, abs=0.5)  # same rows up to missing scores
    assert ((z["nps_ci_low"] <= nps) & (nps <= z["nps_ci_high"])).all()
    assert r.kind == "continuous"


def _with_rule(spec, lo, hi, rule):
    from ringstats import RingSpec

    d = spec.to_dict()
    d["outcomes"].pop("ltr_scale", None)
    d["outcomes"]["ltr"] = {"column": spec.ltr, "scale": {"min": lo, "max": hi}, "nps": rule}
    return RingSpec.from_dict(d)


def _clean(name):
    import warnings

    import ringstats as rs

    ds = rs.datasets.load(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ds.clean(), ds.spec


def test_zero_shift_reproduces_observed_nps_ecsi():
    """ECSI mobile (recommend item CUSL3 on 1-10, NPS rule 9-10 / 1-6 declared): NPS at
    shift 0 = observed NPS (14.0), labelled non-standard; without a rule no NPS."""
    data, spec = _clean("ecsi_mobi")
    ruled = _with_rule(spec, 1, 10, {"promoters": [9, 10], "detractors": [1, 2, 3, 4, 5, 6]})
    r = what_if(data, spec=ruled, n_boot=30, seed=1, progress=False)
    z = r.table[r.table["shift"] == 0]
    assert r.observed["NPS"] == pytest.approx(14.0)
    assert np.allclose(z["nps"], 14.0, atol=1e-9)
    assert np.allclose(z["mean_ltr"], r.observed["mean LTR"], atol=1e-9)
    assert ((z["nps_ci_low"] <= 14.0) & (14.0 <= z["nps_ci_high"])).all()
    up = r.table[r.table["shift"] == 0.5]
    assert (up["delta_nps"] > 0).all()
    assert any("non-standard NPS" in n for n in r.notes)
    plain = what_if(data, spec=spec, n_boot=0, progress=False)
    assert plain.table["nps"].isna().all() and np.isnan(plain.observed["NPS"])
    assert np.allclose(plain.table["mean_ltr"], r.table["mean_ltr"])
    assert any("NPS not computed" in n for n in plain.notes)


def test_zero_shift_reproduces_the_corp_rep_card_nps():
    """corp_rep (recommend on 1-7) with its card's rule (promoters 7, detractors 1-4): the
    card's NPS -6.2 at shift 0; without the rule the NPS is refused (NaN, noted)."""
    data, spec = _clean("corp_rep")
    ruled = _with_rule(spec, 1, 7, {"promoters": [7], "detractors": [1, 2, 3, 4]})
    r = what_if(data, spec=ruled, n_boot=0, progress=False)
    z = r.table[r.table["shift"] == 0]
    assert round(r.observed["NPS"], 1) == -6.2 or abs(r.observed["NPS"] + 6.2) < 1.0
    assert np.allclose(z["nps"], r.observed["NPS"], atol=1e-9)
    plain = what_if(data, spec=spec, n_boot=0, progress=False)
    assert plain.table["nps"].isna().all() and plain.table["mean_ltr"].notna().all()
    assert any("NPS not computed" in n for n in plain.notes)


def test_binary_outcome_gets_a_probability_scale(base):
    d, spec = base
    d2 = d.assign(ltr=(d["ltr"] >= 9).astype(float))
    r = what_if(d2, spec=spec, shifts=[-0.5, 0.5], n_boot=20, seed=1, progress=False)
    assert r.kind == "binary"
    t = r.table
    assert "nps" not in t.columns and "mean_ltr" not in t.columns
    assert t["share"].between(0, 1).all()
    assert ((t["share_ci_low"] <= t["share"] + 1e-9) & (t["share"] <= t["share_ci_high"] + 1e-9)).all()
    z = t[t["shift"] == 0]
    assert np.allclose(z["share"], r.observed["share positive"], atol=1e-6)
    assert (t[t["shift"] == 0.5]["delta_share"] > 0).all()
    assert "share" in str(r) and "NPS" not in r.summary().as_text()
    from matplotlib.axes import Axes

    from ringstats.plotting import plot_what_if

    assert isinstance(plot_what_if(r), Axes) and isinstance(plot_what_if(r, metric="delta_share"), Axes)
    with pytest.raises(RingstatsError, match="`metric` must be one of"):
        plot_what_if(r, metric="nps")
    # promoter share of a 0-10 LTR via kind="binary" is the same model
    r2 = what_if(d, spec=spec, shifts=[-0.5, 0.5], kind="binary", n_boot=0, progress=False)
    assert np.allclose(r2.table["share"], t["share"])
    with pytest.raises(RingstatsError, match="use kind='binary'"):
        what_if(d2, spec=spec, kind="continuous", n_boot=0)


def test_plot_what_if(base):
    from matplotlib.axes import Axes

    from ringstats.plotting import plot_what_if

    d, spec = base
    r = what_if(d, spec=spec, shifts=[0.5], n_boot=5, seed=1, progress=False)
    assert isinstance(plot_what_if(r), Axes)
    assert isinstance(plot_what_if(r, metric="delta_mean_ltr"), Axes)
    with pytest.raises(RingstatsError, match="`metric` must be one of"):
        plot_what_if(r, metric="x")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_bad_input(base):
    d, spec = base
    with pytest.raises(RingstatsError, match="`model` must be one of"):
        what_if(d, spec=spec, model="gam")
    with pytest.raises(RingstatsError, match="`unit` must be one of"):
        what_if(d, spec=spec, unit="pct")
    with pytest.raises(RingstatsError, match="`ring` must be one of"):
        what_if(d, spec=spec, ring=4)
    with pytest.raises(RingstatsError, match="`shifts` must be"):
        what_if(d, spec=spec, shifts=[])
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec"):
        what_if(d, spec={"a": ["prod1"]})
    with pytest.raises(InsufficientDataError, match="at least 50 complete rows"):
        what_if(d.iloc[:30], spec=spec)
    bad = d.copy()
    bad["ltr"] = bad["ltr"] * 10
    with pytest.raises(RingstatsError, match=r"`ltr` must hold whole numbers 0\.\.10"):
        what_if(bad, spec=spec, n_boot=0)
    bad["ltr"] = bad["ltr"].astype(str)
    with pytest.raises(RingstatsError, match="`ltr`"):
        what_if(bad, spec=spec)


def test_indistinguishable_constructs_warned():
    """corp_rep: offer and reliability have HTMT > 1; what_if and impact_asymmetry say so."""
    from ringstats.asymmetries import impact_asymmetry
    from ringstats.errors import RingstatsWarning

    data, spec = _clean("corp_rep")
    with pytest.warns(RingstatsWarning, match="`offer` and `reliability` are empirically "
                                              "indistinguishable"):
        r = what_if(data, spec=spec, n_boot=0, progress=False)
    assert any("indistinguishable" in n for n in r.notes)
    with pytest.warns(RingstatsWarning, match="impact_asymmetry cannot separate"):
        impact_asymmetry(data, outcome=spec.ltr, spec=spec, low=3, high=6, n_boot=50,
                         seed=1, sensitivity=False)
