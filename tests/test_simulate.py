"""The three-ring simulator: determinism, counter-worlds against their ground truth, calibration."""

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.measurement._scores import mean_scores, ring_scores
from ringstats.simulate import WORLDS, world_params

BASE = world_params("base")

# What each counter-world changes relative to `base`, and nothing else.
EXPECTED_CHANGES = {
    "linear": {"slopes", "knots"},
    "no_ring3": {"slopes", "moment_ring3_extra"},
    "no_moments": {"moment_ring3_extra", "moment_ring2_penalty"},
    "no_linkage": {"gamma"},
    "convex": {"slopes"},
    "inverse_s": {"slopes", "knots"},
    "inverted_u": {"slopes"},
    "u_shape": {"slopes"},
    "dutch": {"ltr_shift"},
    "null": {"slopes", "knots", "moment_ring3_extra", "moment_ring2_penalty", "gamma"},
}


def alpha(block: pd.DataFrame) -> float:
    """Cronbach's alpha on complete rows (Cronbach 1951)."""
    b = block.dropna()
    k = b.shape[1]
    return k / (k - 1) * (1 - b.var(ddof=1).sum() / b.sum(axis=1).var(ddof=1))


def icc1(y: pd.Series, group: pd.Series) -> float:
    """ICC(1) from one-way ANOVA mean squares with the n0 adjustment (Bliese 2000)."""
    d = pd.DataFrame({"y": y, "g": group}).dropna()
    n, k = len(d), d["g"].nunique()
    sizes = d.groupby("g").size()
    means = d.groupby("g")["y"].mean()
    msb = (sizes * (means - d["y"].mean()) ** 2).sum() / (k - 1)
    msw = ((d["y"] - d["g"].map(means)) ** 2).sum() / (n - k)
    n0 = (n - (sizes**2).sum() / n) / (k - 1)
    return (msb - msw) / (msb + (n0 - 1) * msw)


@pytest.fixture(scope="module")
def base():
    return rs.draw("base", n=7200, seed=0)


def test_all_worlds_listed():
    assert set(EXPECTED_CHANGES) | {"base"} == set(WORLDS)


def test_existing_worlds_unchanged_by_new_ones():
    # adding worlds must not move any draw: fingerprints of the customer and employee tables
    import hashlib

    expected = {"base": "e18ccb21de2198e0", "linear": "4ecb634bc5c18f23",
                "convex": "66f6261b3fab2bb4", "null": "968886a6ee12a8bc"}
    for world, want in expected.items():
        c, e, _, _ = rs.draw(world, n=500, seed=3)
        got = hashlib.sha256(c.to_csv().encode() + e.to_csv().encode()).hexdigest()[:16]
        assert got == want, world


def test_same_seed_same_data_and_fingerprint():
    a = rs.draw("base", n=500, seed=11)
    b = rs.draw("base", n=500, seed=11)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.employees, b.employees)
    c = rs.draw("base", n=500, seed=12)
    assert not a.customers["ltr"].equals(c.customers["ltr"])
    # A fingerprint of integer data: identical on any machine with numpy's PCG64 streams.
    items = a.customers[a.spec.items]
    assert int(items.where(items > 0, 0).to_numpy().sum()) == FINGERPRINT["items"]
    assert int(a.customers["ltr"].sum()) == FINGERPRINT["ltr"]
    assert int(a.employees[["eng1", "mean1"]].to_numpy().sum()) == FINGERPRINT["employees"]


FINGERPRINT = {"items": 36826, "ltr": 3943, "employees": 6637}  # seed 11, n 500


def test_draw_returns_consistent_parts(base):
    customers, employees, spec, truth = base
    assert len(customers) == 7200
    assert truth.latent.index.equals(customers.index)
    assert set(spec.items) <= set(customers.columns)
    assert set(truth.loadings.index) == set(spec.items)
    assert truth.loadings.between(0.70, 0.90).all()
    assert set(employees["team"]) == set(customers["team"])
    clean = spec.validate(customers)
    assert clean[spec.items].isna().mean().mean() == pytest.approx(0.01, abs=0.004)


def test_overrides_reach_the_generator():
    w = rs.draw("base", n=200, seed=1, gamma=0.1, moment_share=0.5)
    assert w.truth.gamma == 0.1
    assert (w.customers["moment"] == "emotional").mean() == pytest.approx(0.5, abs=0.1)
    with pytest.raises(rs.RingstatsError, match="unknown"):
        rs.draw("base", n=10, not_a_parameter=1)
    with pytest.raises(rs.RingstatsError, match="world"):
        rs.draw("nope", n=10)
    with pytest.raises(rs.RingstatsError, match="`n` must"):
        rs.draw("base", n=0)


@pytest.mark.parametrize("world", sorted(EXPECTED_CHANGES))
def test_counter_world_changes_only_what_its_name_says(world):
    p = world_params(world)
    changed = {k for k in p if p[k] != BASE[k]}
    assert changed == EXPECTED_CHANGES[world]


@pytest.mark.parametrize("world", sorted(EXPECTED_CHANGES))
def test_counter_world_ground_truth(world):
    t = rs.draw(world, n=400, seed=2).truth
    tb = rs.draw("base", n=400, seed=2).truth
    z = np.linspace(-2.5, 2.5, 201)
    dz = np.diff(z)
    slope = {r: np.diff(t.curves[r](z)) / dz for r in (1, 2, 3)}
    base_slope = {r: np.diff(tb.curves[r](z)) / dz for r in (1, 2, 3)}
    # base: rings 1 and 2 flatten above the hinge, ring 3 is straight
    for r in (1, 2):
        assert base_slope[r][z[1:] < -0.1].min() > 2.5 * base_slope[r][z[1:] > 0.1].max()
    assert np.ptp(base_slope[3]) < 1e-12
    if world in ("linear", "null"):
        for r in (1, 2):
            assert np.ptp(slope[r]) < 1e-12 and slope[r][0] > 0
    if world == "no_ring3":
        assert np.abs(slope[3]).max() < 1e-12
        assert t.ring_shares[3] < 0.15 < tb.ring_shares[3]
        assert t.moment_effects["ring3_extra"] == 0
    if world == "convex":
        for r in (1, 2):
            assert slope[r][z[1:] > 0.1].min() > 2 * slope[r][z[1:] < -0.1].max()
    if world == "inverted_u":
        for r in (1, 2):
            assert slope[r][z[1:] < -0.1].min() > 0 > slope[r][z[1:] > 0.1].max()
    if world == "u_shape":
        for r in (1, 2):
            assert slope[r][z[1:] < -0.1].max() < 0 < slope[r][z[1:] > 0.1].min()
    if world == "inverse_s":
        for r in (1, 2):
            mid = slope[r][np.abs(z[1:]) < 0.5]
            assert mid.max() < 0.5 * slope[r][z[1:] < -1].min()
            assert mid.max() < 0.5 * slope[r][z[1:] > 1].min()
    if world in ("no_moments", "null"):
        assert t.moment_effects["ring3_extra"] == 0 and t.moment_effects["ring2_penalty"] == 0
    elif world != "no_ring3":
        assert t.moment_effects == tb.moment_effects
    if world in ("no_linkage", "null"):
        assert t.gamma == 0 and tb.gamma > 0
    else:
        assert t.gamma == tb.gamma
    if world == "dutch":
        assert t.population_nps < tb.population_nps - 10
        for r in (1, 2, 3):
            np.testing.assert_allclose(t.curves[r](z), tb.curves[r](z))


def test_no_linkage_cuts_the_employee_customer_link():
    for world, lo, hi in (("base", 0.2, 1.0), ("no_linkage", -0.2, 0.2)):
        w = rs.draw(world, n=7200, seed=5)
        eng = w.employees.groupby("team")[["eng1", "eng2", "eng3"]].mean().mean(axis=1)
        ltr = w.customers.groupby("team")["ltr"].mean()
        r = np.corrcoef(eng, ltr.loc[eng.index])[0, 1]
        assert lo < r < hi, (world, r)


def test_base_world_lands_inside_the_evidence_targets(base):
    """Calibration targets from the evidence review, section (b)."""
    customers, employees, spec, truth = base
    d = spec.validate(customers)
    ltr = d["ltr"]
    nps = 100 * ((ltr >= 9).mean() - (ltr <= 6).mean())
    assert -6 <= nps <= 30
    assert -6 <= truth.population_nps <= 30
    alphas = [alpha(d[list(c.items)]) for c in spec.constructs]
    assert min(alphas) >= 0.75 and max(alphas) <= 0.88, alphas
    rings = ring_scores(d, spec=spec)
    X = np.column_stack([np.ones(len(d)), rings.to_numpy()])
    ok = ~np.isnan(X).any(axis=1)
    beta, *_ = np.linalg.lstsq(X[ok], ltr.to_numpy()[ok], rcond=None)
    r2 = 1 - np.var(ltr.to_numpy()[ok] - X[ok] @ beta) / np.var(ltr.to_numpy()[ok])
    assert 0.30 <= r2 <= 0.42, r2
    assert 0.015 <= icc1(ltr, d["team"]) <= 0.06
    eng = employees.groupby("team")[["eng1", "eng2", "eng3"]].mean().mean(axis=1)
    r_unit = np.corrcoef(eng, ltr.groupby(d["team"]).mean().loc[eng.index])[0, 1]
    assert 0.25 <= r_unit <= 0.45, r_unit
    cs = mean_scores(d, spec=spec)
    r3 = cs[spec.rings[3]].mean(axis=1)
    emo = d["moment"] == "emotional"
    assert r3[emo].corr(ltr[emo]) > r3[~emo].corr(ltr[~emo]) + 0.05
