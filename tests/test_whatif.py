"""Tests for ringstats.whatif.what_if."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError
from ringstats.simulate import draw
from ringstats.whatif import WhatIfResult, _shares, what_if

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
    # at shift 0 all rings give the same prediction, close to the observed values
    assert zero["mean_ltr"].nunique() == 1
    assert zero["mean_ltr"].iloc[0] == pytest.approx(r.observed["mean LTR"], abs=0.05)
    assert zero["nps"].iloc[0] == pytest.approx(r.observed["NPS"], abs=4)
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


def test_shares_exact_against_brute_force():
    rng = np.random.default_rng(0)
    pred = rng.uniform(5, 10, 60)
    e = np.sort(rng.normal(0, 1.5, 60))
    v = np.clip(np.round(pred[:, None] + e[None, :]), 0, 10)
    prom, det = _shares(pred, e)
    assert prom == pytest.approx((v >= 9).mean())
    assert det == pytest.approx((v <= 6).mean())


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
    with pytest.raises(RingstatsError, match="0-10 LTR scale"):
        what_if(bad, spec=spec, n_boot=0)
    bad["ltr"] = bad["ltr"].astype(str)
    with pytest.raises(RingstatsError, match="`outcome` must name numeric"):
        what_if(bad, spec=spec)
