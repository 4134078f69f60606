"""Tests for ringstats.latent_scores: parity with lavaan (ordered ULS) and psych, EAP by
quadrature against numerical integration in R, recovery on the simulator, missing data,
bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.measurement._ordinal import _Block, _eap, latent_scores
from ringstats.simulate import CONSTRUCTS, draw

REF = Path(__file__).parent / "reference" / "latent"
BLOCKS = {
    "prod": ["prod1", "prod2", "prod3", "prod4"],
    "ease": ["ease1", "ease2", "ease3", "ease4"],
    "ring1": ["prod1", "prod2", "prod3", "prod4", "val1", "val2", "val3"],
}


@pytest.fixture(scope="module")
def items():
    return pd.read_csv(REF / "latent_items.csv")


@pytest.fixture(scope="module")
def world():
    w = draw("base", n=6000, seed=17)
    return w, w.spec.validate(w.customers)


@pytest.fixture(scope="module")
def construct_fit(world):
    w, d = world
    return latent_scores(d, spec=w.spec)


# ---------------------------------------------------------------------------------------
# parity with R
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", list(BLOCKS))
def test_loadings_and_thresholds_match_lavaan_and_psych(block, items):
    # lavaan::cfa(ordered = items, estimator = "ULS", std.lv = TRUE, missing = "pairwise")
    # and psych::fa(polychoric, fm = "minres"): tests/reference/latent/make_reference.R
    cols = BLOCKS[block]
    ls = latent_scores(items, spec={block: cols})
    ref = pd.read_csv(REF / f"latent_{block}_loadings.csv").set_index("item").loc[cols]
    ours = ls.loadings.set_index("item").loc[cols, "loading"].to_numpy()
    np.testing.assert_allclose(ours, ref["psych_minres"].to_numpy(), atol=1e-4)
    np.testing.assert_allclose(ours, ref["lavaan_std"].to_numpy(), atol=1e-4)
    thr = pd.read_csv(REF / f"latent_{block}_thresholds.csv").set_index("item").loc[cols]
    np.testing.assert_allclose(ls.thresholds.loc[block].loc[cols].to_numpy(),
                               thr[["t1", "t2", "t3", "t4"]].to_numpy(), atol=1e-8)


@pytest.mark.parametrize("block", list(BLOCKS))
def test_eap_matches_numerical_integration_in_r(block, items):
    # EAP and posterior SD by R integrate() with lavaan's loadings and thresholds
    cols = BLOCKS[block]
    lam = (pd.read_csv(REF / f"latent_{block}_loadings.csv").set_index("item")
           .loc[cols, "lavaan_std"].to_numpy())
    tau = (pd.read_csv(REF / f"latent_{block}_thresholds.csv").set_index("item")
           .loc[cols, ["t1", "t2", "t3", "t4"]].to_numpy())
    ref = pd.read_csv(REF / f"latent_{block}_eap.csv")
    b = _Block(items=tuple(cols), low=1.0, loadings=lam, thresholds=tau,
               groups=(tuple(cols),))
    x = items[cols].to_numpy(dtype=float)[:100]
    est, sd = _eap(b, x, n_points=201, min_items=1)
    ok = ref["eap"].notna().to_numpy()
    np.testing.assert_allclose(est[ok], ref.loc[ok, "eap"].to_numpy(), atol=1e-10)
    np.testing.assert_allclose(sd[ok], ref.loc[ok, "psd"].to_numpy(), atol=1e-10)


# ---------------------------------------------------------------------------------------
# recovery and properties on the simulator
# ---------------------------------------------------------------------------------------
def test_construct_loadings_recover_the_generator(world, construct_fit):
    # each construct is exactly a one-factor normal-ogive model in the generator
    w, d = world
    ls = construct_fit
    est = ls.loadings.set_index("item")["loading"]
    true = w.truth.loadings[est.index]
    assert np.max(np.abs(est - true)) < 0.05
    assert abs(float(np.mean(est - true))) < 0.015


def test_thresholds_recover_the_generator(world, construct_fit):
    w, d = world
    ls = construct_fit
    thr = ls.thresholds.drop(index="ease4", level="item").to_numpy()
    true = np.tile(w.truth.params["thresholds"], (thr.shape[0], 1))
    # SE of a threshold at n = 6,000: about 0.04 at -1.8, 0.02 in the middle
    np.testing.assert_allclose(thr, true, atol=0.15)
    assert np.abs(thr - true).mean() < 0.03


def test_eap_is_calibrated_and_beats_mean_scores(world, construct_fit):
    # E[theta | EAP] = EAP: regressing the true construct latent on the score gives slope 1;
    # mean scores of skewed items correlate less with the latent
    w, d = world
    ls = construct_fit
    ms = rs.mean_scores(d, spec=w.spec)
    for c in CONSTRUCTS:
        s, t = ls.scores[c], w.truth.latent[c]
        ok = s.notna()
        slope = np.polyfit(s[ok], t[ok], 1)[0]
        assert slope == pytest.approx(1.0, abs=0.07), c
        r_lat = np.corrcoef(s[ok], t[ok])[0, 1]
        r_mean = np.corrcoef(ms[c][ok], t[ok])[0, 1]
        assert r_lat > r_mean, c
        rel = ls.reliability[c]
        assert rel == pytest.approx(r_lat**2, abs=0.03), c  # empirical reliability


def test_ring_level_scores_and_scale_mapping(world):
    w, d = world
    ls = latent_scores(d, spec=w.spec, level="ring")
    assert list(ls.scores.columns) == ["ring1", "ring2", "ring3"]
    assert ls.level == "ring"
    for r in (1, 2, 3):
        assert np.corrcoef(ls.scores[f"ring{r}"].fillna(0), w.truth.latent[f"R{r}"])[0, 1] > 0.85
    g = np.linspace(-3, 3, 61)
    m = ls.to_scale("ring1", g)
    assert np.all(np.diff(m) > 0) and 1 < m.min() < m.max() < 5
    # the expected ring score at theta = 0 is close to the median ring mean score
    med = float(rs.ring_scores(d, spec=w.spec)["ring1"].median())
    assert float(ls.to_scale("ring1", 0.0)[0]) == pytest.approx(med, abs=0.15)
    with pytest.raises(RingstatsError, match="`block` must be one of"):
        ls.to_scale("ring9", 0.0)
    assert "reliability" in str(ls)


def test_missing_items_half_rule_and_data_untouched(world):
    w, d = world
    cols = list(CONSTRUCTS["product"][1])
    sub = d[cols].iloc[:200].copy()
    sub.iloc[0, :3] = np.nan  # one of four answered: below the half rule
    sub.iloc[1, :2] = np.nan  # two of four answered: scored
    before = sub.copy()
    ls = latent_scores(sub, spec={"product": cols})
    pd.testing.assert_frame_equal(sub, before)
    assert np.isnan(ls.scores.iloc[0, 0]) and np.isnan(ls.se.iloc[0, 0])
    assert np.isfinite(ls.scores.iloc[1, 0])
    assert ls.se.iloc[1, 0] > ls.se.iloc[2:, 0].median()  # fewer items, wider posterior
    one = latent_scores(sub, spec={"product": cols}, min_items=1)
    assert np.isfinite(one.scores.iloc[0, 0])
    assert list(ls.scores.index) == list(sub.index)


@pytest.mark.parametrize("level", ["construct", "ring"])
def test_quadrature_is_converged(world, level):
    w, d = world
    a = latent_scores(d.iloc[:1000], spec=w.spec, level=level).scores
    b = latent_scores(d.iloc[:1000], spec=w.spec, level=level, n_points=201).scores
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-6)


def test_heywood_case_is_clipped_and_warned():
    rng = np.random.default_rng(2)
    z = rng.normal(size=800)
    x = {f"i{k}": np.digitize(z + rng.normal(scale=s, size=800), [-1, 0, 1]) + 1.0
         for k, s in enumerate((0.0, 0.0, 0.6, 0.8))}
    with pytest.warns(RingstatsWarning, match="Heywood"):
        ls = latent_scores(pd.DataFrame(x), spec={"f": list(x)})
    assert ls.loadings["loading"].abs().max() <= 0.98


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
def test_bad_input(world):
    w, d = world
    with pytest.raises(RingstatsError, match="`level` must be one of"):
        latent_scores(d, spec=w.spec, level="item")
    with pytest.raises(RingstatsError, match="needs `spec` to be a RingSpec"):
        latent_scores(d, spec={"a": ["prod1", "prod2"]}, level="ring")
    with pytest.raises(InsufficientDataError, match="at least 2 items"):
        latent_scores(d, spec={"a": ["prod1"]})
    with pytest.raises(RingstatsError, match="integer response codes"):
        latent_scores(d.assign(prod1=d["prod1"] + 0.5), spec={"a": ["prod1", "prod2"]})
    with pytest.raises(RingstatsError, match="`n_points` must be at least 5"):
        latent_scores(d, spec=w.spec, n_points=2)
    with pytest.raises(RingstatsError, match="unknown column: `nope` \\(item\\)"):
        latent_scores(d, spec={"a": ["prod1", "nope"]})
    with pytest.raises(RingstatsError, match="`data` must be a pandas DataFrame"):
        latent_scores(d.to_numpy(), spec=w.spec)


def test_drivers_latent_scores(world):
    w, d = world
    res = rs.drivers(d, spec=w.spec, scores="latent", n_boot=0)
    assert res.scores == "latent"
    assert res.rings["share"].sum() == pytest.approx(1.0)
    mean = rs.drivers(d, spec=w.spec, n_boot=0)
    # the latent scores keep more of ring 3's lead over ring 2 (benchmarks/recovery_drivers)
    gap_lat = res.rings.loc[3, "share"] - res.rings.loc[2, "share"]
    gap_mean = mean.rings.loc[3, "share"] - mean.rings.loc[2, "share"]
    assert gap_lat > gap_mean
    assert "latent-trait" in str(res)
    with pytest.raises(RingstatsError, match="`scores` must be one of"):
        rs.drivers(d, spec=w.spec, scores="factor", n_boot=0)


def test_scores_method_eap_is_latent_scores(world):
    w, d = world
    a = rs.scores(d.iloc[:800], spec=w.spec, method="latent")
    b = latent_scores(d.iloc[:800], spec=w.spec).scores
    pd.testing.assert_frame_equal(a, b)
