"""Tests for ringstats.shape: R parity (segmented, davies.test, spline F test), verdicts on
clear numpy examples and a base-world draw, bad input."""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ringstats.errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ringstats.shape import (
    PlateauResult,
    PlateauTable,
    breakpoint_ci,
    davies_test,
    harrell_knots,
    marginal_effects,
    plateau,
    plateau_table,
    rcs_basis,
    segmented_fit,
)
from ringstats.simulate import draw

matplotlib.use("Agg")
REF = Path(__file__).parent / "reference" / "shape"
SETS = {"seg_small": [], "weak_small": [], "seg_cov": ["z"], "base_ring1": ["ring2", "ring3"]}


@pytest.fixture(scope="module")
def seg_ref():
    return pd.read_csv(REF / "segmented_reference.csv").set_index("dataset")


@pytest.fixture(scope="module")
def spl_ref():
    return pd.read_csv(REF / "spline_reference.csv").set_index("dataset")


def _xyz(name):
    d = pd.read_csv(REF / f"{name}.csv")
    return d["x"].to_numpy(), d["y"].to_numpy(), d[SETS[name]].to_numpy()


def _rss(x, y, Z, psi):
    X = np.column_stack([np.ones_like(x), x, Z, np.maximum(x - psi, 0)])
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(np.sum((y - X @ b) ** 2))


# ---------------------------------------------------------------------------------------
# R parity
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(SETS))
def test_davies_matches_r(name, seg_ref):
    # segmented::davies.test(lm, ~x), default k = 10, two-sided; n <= 300 uses the
    # Davies (2002) small-sample bound, n > 300 the (1987) asymptotic one
    x, y, Z = _xyz(name)
    res = davies_test(x, y, Z if Z.shape[1] else None)
    assert res.p_val == pytest.approx(seg_ref.loc[name, "davies_p"], abs=1e-6)
    assert res.best == pytest.approx(seg_ref.loc[name, "davies_best"], abs=1e-8)


@pytest.mark.parametrize("name", list(SETS))
def test_spline_nonlinearity_f_matches_r(name, spl_ref):
    # anova(lm(y ~ x + cov), lm(y ~ ns(x, Harrell knots) + cov)): same column space as RCS
    x, y, Z = _xyz(name)
    r = plateau(pd.read_csv(REF / f"{name}.csv"), outcome="y", driver="x",
                covariates=SETS[name] or None, cov_type="nonrobust")
    assert r.spline.df1 == spl_ref.loc[name, "df1"]
    assert r.spline.f == pytest.approx(spl_ref.loc[name, "f"], rel=1e-8)
    assert r.spline.p_val == pytest.approx(spl_ref.loc[name, "p_val"], abs=1e-8)


@pytest.mark.parametrize("name", list(SETS))
def test_spline_nonlinearity_f_matches_mgcv(name):
    # anova(gam(y ~ x + cov), gam(y ~ s(x, bs = "cr", k = 4, fx = TRUE) + cov), test = "F")
    # with the same Harrell knots (tests/reference/shape/make_reference.R)
    ref = pd.read_csv(REF / "spline_mgcv_reference.csv").set_index("dataset").loc[name]
    r = plateau(pd.read_csv(REF / f"{name}.csv"), outcome="y", driver="x",
                covariates=SETS[name] or None, cov_type="nonrobust", bp_ci="delta")
    assert r.spline.df1 == ref["df1"]
    assert r.spline.f == pytest.approx(ref["f"], rel=1e-8)
    assert r.spline.p_val == pytest.approx(ref["p_val"], abs=1e-8)


@pytest.mark.parametrize("name", list(SETS))
def test_segmented_never_worse_than_r(name, seg_ref):
    # our default (grid + Muggeo + Brent) reaches the global LS breakpoint: its RSS is
    # never above R's (R can stop at a local minimum when the kink is weak)
    x, y, Z = _xyz(name)
    fit = segmented_fit(x, y, Z)
    assert _rss(x, y, Z, fit.psi) <= seg_ref.loc[name, "rss"] + 1e-6


def _matching_fit(name, seg_ref):
    """Our fit at the optimum R reports: the default start where it agrees with R, the
    median start (R's own start) otherwise, or R's estimate as start for weak_small."""
    x, y, Z = _xyz(name)
    psi_r = seg_ref.loc[name, "psi"]
    for kw in ({"start": "grid"}, {"start": "median"}, {"start": "median", "psi0": psi_r}):
        fit = segmented_fit(x, y, Z, **kw)
        if abs(fit.psi - psi_r) < 1e-3:
            return fit, kw
    raise AssertionError(f"{name}: no start reproduces R's breakpoint {psi_r}")


@pytest.mark.parametrize("name", list(SETS))
def test_segmented_breakpoint_and_slopes_match_r(name, seg_ref):
    ref = seg_ref.loc[name]
    fit, kw = _matching_fit(name, seg_ref)
    assert fit.psi == pytest.approx(ref["psi"], abs=1e-4)
    # delta-method SE (R: SE of the b2*V coefficient in the final working model)
    tol = 1e-2 if "psi0" in kw else 1e-3
    assert fit.psi_se == pytest.approx(ref["psi_se"], rel=tol)
    b, cov = fit.fit.beta, fit.fit.cov_classic
    left, right = b[1], b[1] + b[-1]
    se_l = np.sqrt(cov[1, 1])
    se_r = np.sqrt(cov[1, 1] + cov[-1, -1] + 2 * cov[1, -1])
    assert left == pytest.approx(ref["slope_left"], abs=1e-4)
    assert right == pytest.approx(ref["slope_right"], abs=1e-4)
    assert se_l == pytest.approx(ref["slope_left_se"], rel=tol)
    assert se_r == pytest.approx(ref["slope_right_se"], rel=tol)


def test_default_start_agrees_with_r_on_clear_sets(seg_ref):
    # where R's bootstrap restarts reach the global optimum, our default gives R's numbers
    for name in ("seg_cov", "base_ring1"):
        x, y, Z = _xyz(name)
        fit = segmented_fit(x, y, Z)
        assert fit.psi == pytest.approx(seg_ref.loc[name, "psi"], abs=1e-4)
        assert fit.psi_se == pytest.approx(seg_ref.loc[name, "psi_se"], rel=1e-3)


def test_plateau_reports_r_style_intervals(seg_ref):
    d = pd.read_csv(REF / "seg_cov.csv")
    r = plateau(d, outcome="y", driver="x", covariates=["z"], cov_type="nonrobust",
                bp_ci="delta")
    ref = seg_ref.loc["seg_cov"]
    assert r.segmented.psi_ci_low == pytest.approx(ref["psi_ci_low"], abs=1e-3)
    assert r.segmented.psi_ci_high == pytest.approx(ref["psi_ci_high"], abs=1e-3)
    assert r.slopes.loc["left", "ci_low"] == pytest.approx(ref["slope_left_ci_low"], abs=1e-3)
    assert r.slopes.loc["right", "ci_high"] == pytest.approx(ref["slope_right_ci_high"],
                                                              abs=1e-3)


# ---------------------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------------------
def test_harrell_knots_and_rcs_linear_beyond_outer_knots():
    x = np.linspace(0, 10, 1001)
    k = harrell_knots(x, 4)
    assert k == pytest.approx(np.quantile(x, [0.05, 0.35, 0.65, 0.95]))
    B = rcs_basis(x, k)
    assert B.shape == (1001, 2)
    right = x > k[-1] + 0.01
    second = np.diff(B[right], n=2, axis=0)
    assert np.abs(second).max() < 1e-9  # linear beyond the last knot
    assert np.all(B[x < k[0]] == 0)


def test_concave_fit_is_monotone_concave():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 800)
    y = np.sqrt(x) + rng.normal(0, 0.3, 800)
    r = plateau(pd.DataFrame({"x": x, "y": y}), outcome="y", driver="x", concave=True)
    c = r.concave
    assert c.converged
    assert np.all(c.coef[c.n_free:] >= -1e-10)
    assert c.aic < r.spline.aic_linear


# ---------------------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------------------
def _frame(kind, n=3000, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    if kind == "plateau":
        y = 0.6 * np.minimum(x, 5) + rng.normal(0, 1, n)
    else:
        y = 0.3 * x + rng.normal(0, 1, n)
    return pd.DataFrame({"x": x, "y": y})


def test_clear_plateau():
    r = plateau(_frame("plateau"), outcome="y", driver="x")
    assert isinstance(r, PlateauResult)
    assert r.verdict == "plateau"
    assert r.segmented.psi_ci_low < 5 < r.segmented.psi_ci_high
    assert r.slopes.loc["left", "estimate"] == pytest.approx(0.6, abs=0.05)
    assert abs(r.slopes.loc["right", "estimate"]) < 0.06
    assert r.davies.p_val < 1e-6
    assert "plateau" in str(r)


def test_clear_linear():
    r = plateau(_frame("linear"), outcome="y", driver="x")
    assert r.verdict == "linear"
    assert r.linear.loc["x", "estimate"] == pytest.approx(0.3, abs=0.02)


def test_small_n_is_inconclusive_with_n_needed():
    d = _frame("plateau", n=3000).iloc[:0]
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 120)
    d = pd.DataFrame({"x": x, "y": 0.2 * np.minimum(x, 6) + rng.normal(0, 1.5, 120)})
    r = plateau(d, outcome="y", driver="x")
    assert r.verdict == "inconclusive"
    assert r.n_needed > r.n


def test_absolute_sesoi():
    r = plateau(_frame("plateau"), outcome="y", driver="x", sesoi=0.1)
    assert r.equivalence.sesoi == 0.1
    assert r.verdict == "plateau"
    assert r.equivalence.p_tost < 0.05


def test_base_world_table():
    w = draw("base", n=2000, seed=3)
    d = w.spec.validate(w.customers)
    tab = plateau_table(d, spec=w.spec)
    assert isinstance(tab, PlateauTable)
    t = tab.table
    assert list(t.index[:3]) == ["ring1", "ring2", "ring3"]
    assert set(t["verdict"]) <= {"plateau", "diminishing", "linear", "increasing",
                                 "inconclusive"}
    assert t.loc["ring1", "verdict"] in ("plateau", "diminishing")
    assert t.loc["ring3", "verdict"] != "plateau"
    assert tab["ring1"].covariates == ("ring2", "ring3")
    assert tab["product"].covariates == ("ring2", "ring3")


def test_marginal_effects_plateau_region():
    r = plateau(_frame("plateau"), outcome="y", driver="x")
    me = marginal_effects(r)
    assert me.plateau_region is not None
    assert me.plateau_region[0] > 4.5
    tab = me.table
    assert (tab["ci_high"] - tab["ci_low"] >= tab["pw_high"] - tab["pw_low"] - 1e-12).all()
    assert me.critical_value > 1.96
    me_lin = marginal_effects(_frame("linear"), outcome="y", driver="x", sesoi=0.15)
    assert me_lin.plateau_region is None


def test_plots_return_axes():
    from matplotlib.axes import Axes

    from ringstats.plotting import plot_curve, plot_marginal

    r = plateau(_frame("plateau", n=800), outcome="y", driver="x")
    assert isinstance(plot_curve(r), Axes)
    assert isinstance(plot_marginal(marginal_effects(r, n_sim=500)), Axes)
    import matplotlib.pyplot as plt

    plt.close("all")


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
def test_too_few_distinct_values():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.integers(1, 5, 300).astype(float), "y": rng.normal(size=300)})
    with pytest.raises(InsufficientDataError, match="at least 5 distinct values"):
        plateau(d, outcome="y", driver="x")


def test_singular_design():
    d = _frame("linear", n=300)
    d["c"] = 2 * d["x"]
    with pytest.raises(InsufficientDataError, match="singular"):
        plateau(d, outcome="y", driver="x", covariates=["c"])


@pytest.mark.parametrize("bad", [-0.1, 0, "big", float("nan")])
def test_bad_sesoi(bad):
    with pytest.raises(RingstatsError, match="`sesoi` must be"):
        plateau(_frame("linear", n=200), outcome="y", driver="x", sesoi=bad)


@pytest.mark.parametrize("bad", [0, 1, 1.5, "half"])
def test_bad_sesoi_ratio(bad):
    with pytest.raises(RingstatsError, match="`sesoi_ratio` must be"):
        plateau(_frame("linear", n=200), outcome="y", driver="x", sesoi_ratio=bad)


def test_outcome_not_numeric():
    # through the package's data path: text that reads as numbers is converted, other text
    # is a ValidationError naming the column
    from ringstats.errors import ValidationError

    d = _frame("linear", n=200)
    ref = plateau(d, outcome="y", driver="x", bp_ci="delta")
    d2 = d.assign(y=d["y"].astype(str))
    # text round trip: pandas < 3 writes floats with one digit less, so equal to 1e-12
    pd.testing.assert_frame_equal(plateau(d2, outcome="y", driver="x", bp_ci="delta").slopes,
                                  ref.slopes, rtol=1e-12, atol=1e-12)
    d3 = d.assign(y=np.where(d["y"] > 1, "high", "low"))
    with pytest.raises(ValidationError, match="non-numeric text in `y`"):
        plateau(d3, outcome="y", driver="x")


def test_other_bad_arguments():
    d = _frame("linear", n=200)
    with pytest.raises(RingstatsError, match="give `driver`"):
        plateau(d, outcome="y")
    with pytest.raises(RingstatsError, match="`driver` names column"):
        plateau(d, outcome="y", driver="nope")
    with pytest.raises(RingstatsError, match="`n_knots` must be at most 7"):
        plateau(d, outcome="y", driver="x", n_knots=9)
    with pytest.raises(RingstatsError, match="`cov_type` must be one of"):
        plateau(d, outcome="y", driver="x", cov_type="HC1")
    with pytest.raises(RingstatsError, match="`sesoi` must be given"):
        marginal_effects(d, outcome="y", driver="x")
    with pytest.raises(InsufficientDataError, match="at least 20 complete rows"):
        plateau(d.iloc[:15], outcome="y", driver="x")


@pytest.fixture
def survey_files(tmp_path):
    """A base-world survey CSV and its spec YAML on disk, for the command line."""
    w = draw("base", n=600, seed=2)
    csv = tmp_path / "survey.csv"
    w.customers.to_csv(csv, index=False)
    spec_path = tmp_path / "survey.spec.yaml"
    w.spec.to_yaml(spec_path)
    return csv, spec_path


def test_cli_plateau(survey_files, capsys):
    from ringstats.cli import main

    csv, spec_path = survey_files
    assert main(["plateau", str(csv), "--spec", str(spec_path), "--outcome", "ltr"]) == 0
    out = capsys.readouterr().out
    assert "Plateau verdicts for ltr" in out
    for name in ("ring1", "ring2", "ring3", "product", "trust"):
        assert name in out
    # reproducible: the bootstrap breakpoint intervals are seeded
    assert main(["plateau", str(csv), "--spec", str(spec_path), "--outcome", "ltr"]) == 0
    assert capsys.readouterr().out == out


# ---------------------------------------------------------------------------------------
# breakpoint intervals
# ---------------------------------------------------------------------------------------
def test_fast_profile_matches_brute_force_and_segmented_fit():
    from ringstats.shape._segmented import ls_breakpoint as _ls_breakpoint
    from ringstats.shape._segmented import profile_rss as _profile

    rng = np.random.default_rng(3)
    n = 600
    x = np.round(rng.uniform(1, 5, n) * 4) / 4  # ties, like mean scores
    z = rng.normal(size=(n, 2))
    y = np.minimum(x, 3) + z @ [0.3, -0.2] + rng.normal(size=n)
    base = np.column_stack([np.ones(n), x, z])
    grid = np.linspace(1.3, 4.7, 57)

    def brute(p):
        X = np.column_stack([base, np.maximum(x - p, 0)])
        b, *_ = np.linalg.lstsq(X, y, rcond=None)
        r = y - X @ b
        return r @ r

    np.testing.assert_allclose(_profile(x, y, base)(grid), [brute(p) for p in grid],
                               rtol=1e-10)
    fit = segmented_fit(x, y, z)
    lo, hi = fit.range
    assert _ls_breakpoint(x, y, base, lo, hi, m=12) == pytest.approx(fit.psi, abs=1e-3)


def test_breakpoint_ci_methods_on_a_sharp_kink():
    d = _frame("plateau", n=2000, seed=2)
    x, y = d["x"].to_numpy(), d["y"].to_numpy()
    out = {m: breakpoint_ci(x, y, method=m, n_boot=200, seed=1)
           for m in ("bootstrap", "profile", "delta")}
    for m, r in out.items():
        assert r.ci_low < r.psi < r.ci_high, m
        assert r.ci_low < 5 < r.ci_high, m
        assert r.ci_high - r.ci_low < 1.5, m
    assert not out["profile"].open and not out["profile"].gap
    assert out["bootstrap"].n_boot == 200 and out["bootstrap"].n_failed == 0
    # with a sharp kink the three intervals tell the same story
    widths = [r.ci_high - r.ci_low for r in out.values()]
    assert max(widths) < 2.5 * min(widths)
    again = breakpoint_ci(x, y, method="bootstrap", n_boot=200, seed=1)
    assert again.ci_low == out["bootstrap"].ci_low


def test_plateau_bootstrap_interval_is_default_and_reproducible():
    d = _frame("plateau", n=1500, seed=4)
    a = plateau(d, outcome="y", driver="x", seed=3)
    b = plateau(d, outcome="y", driver="x", seed=3)
    assert a.segmented.psi_ci_method == "bootstrap"
    assert a.segmented.psi_ci_low == b.segmented.psi_ci_low
    assert a.segmented.psi_ci_low < a.segmented.psi < a.segmented.psi_ci_high
    # R segmented's interval is always stored beside it
    assert a.segmented.psi_delta_ci_low < a.segmented.psi < a.segmented.psi_delta_ci_high
    assert "bootstrap" in str(a)
    c = plateau(d, outcome="y", driver="x", bp_ci="profile")
    assert c.verdict == a.verdict  # the verdict does not depend on the interval


def test_smoothed_kink_bootstrap_wider_than_delta():
    """Measurement error in the driver smooths the kink; the delta interval then ignores
    most of the breakpoint's uncertainty (coverage ~50% in benchmarks/oc_plateau.py)."""
    w = draw("base", n=1500, seed=21)
    d = w.spec.validate(w.customers)
    r = plateau_table(d, spec=w.spec, levels=("ring",), seed=1, trim=0.02).results["ring1"]
    s = r.segmented
    assert (s.psi_ci_high - s.psi_ci_low) > (s.psi_delta_ci_high - s.psi_delta_ci_low)


def test_trim_keeps_a_tenth_of_the_data_on_each_side():
    w = draw("base", n=1500, seed=21)
    d = w.spec.validate(w.customers)
    tab = plateau_table(d, spec=w.spec, levels=("ring",), seed=1)
    for name, r in tab.results.items():
        x = r.design.x
        lo, hi = r.segmented.range
        # at least a tenth on each side, up to ties of the discrete mean scores
        assert np.mean(x <= lo) >= 0.09 and np.mean(x > hi) >= 0.09, name
        assert lo <= r.segmented.psi <= hi
        assert lo <= r.segmented.psi_ci_low <= r.segmented.psi_ci_high <= hi
    with pytest.raises(RingstatsError, match="`trim` must be"):
        plateau_table(d, spec=w.spec, trim=0.6)


@pytest.mark.parametrize("kw, match", [
    ({"method": "wald"}, "method"),
    ({"n_boot": 5}, "n_boot"),
    ({"ci": 1.5}, "ci"),
    ({"seed": -1}, "seed"),
])
def test_breakpoint_ci_bad_input(kw, match):
    d = _frame("plateau", n=300, seed=1)
    with pytest.raises(RingstatsError, match=match):
        breakpoint_ci(d["x"], d["y"], **kw)


def test_plateau_bad_bp_ci():
    with pytest.raises(RingstatsError, match="bp_ci"):
        plateau(_frame("plateau", n=300), outcome="y", driver="x", bp_ci="wald")


def test_n_needed_is_nan_when_not_a_sample_size_question():
    # ECSI ring 1: the spline sees curvature (p = .04), no single kink is significant and the
    # plateau-sized change is already excluded -> inconclusive, and more n is not the answer
    from ringstats import datasets

    raw, spec = datasets.load("ecsi_mobi")
    with pytest.warns(RingstatsWarning, match="2 items"):  # ECSI's two-item constructs
        clean = spec.validate(raw)
    tab = plateau_table(clean, spec=spec, levels=("ring",), bp_ci="profile", scores="mean")
    r = tab["ring1"]
    assert r.verdict == "inconclusive"
    assert r.reason == "spline nonlinearity significant but no significant kink"
    assert np.isnan(r.n_needed)
    assert "not a sample-size question" in str(r)
    inc = tab.table[tab.table["verdict"] == "inconclusive"]
    assert ((inc["n_needed"] > inc["n"]) | inc["n_needed"].isna()).all()


# ---------------------------------------------------------------------------------------
# bootstrap equivalence test and driver metric
# ---------------------------------------------------------------------------------------
def test_boot_equivalence_formulae():
    from ringstats.shape._verdict import boot_equivalence as _boot_equivalence

    rng = np.random.default_rng(0)
    coef = np.column_stack([rng.normal(0.6, 0.05, 400), rng.normal(-0.45, 0.08, 400)])
    c_bc, upper, p, p_low, p_tost, n_ok = _boot_equivalence(
        coef, 0.6, -0.5, sesoi=None, sesoi_ratio=0.5, alpha=0.05, n_boot=400)
    c_hat = (0.6 - 0.5) - 0.5 * 0.6
    c_b = coef.sum(axis=1) - 0.5 * coef[:, 0]
    assert n_ok == 400
    assert c_bc == pytest.approx(2 * c_hat - c_b.mean())
    assert upper == pytest.approx(2 * c_hat - np.quantile(c_b, 0.05))
    assert p == pytest.approx(np.mean(c_b <= 2 * c_hat))
    assert (p < 0.05) == (upper < 0)
    d_b = coef.sum(axis=1) + 0.5 * coef[:, 0]
    assert p_low == pytest.approx(np.mean(d_b >= 2 * (0.1 + 0.3)))
    assert p_tost == max(p, p_low)
    # absolute bound
    c_bc2, *_ = _boot_equivalence(coef, 0.6, -0.5, sesoi=0.2, sesoi_ratio=0.5, alpha=0.05,
                                  n_boot=400)
    assert c_bc2 == pytest.approx(2 * (0.1 - 0.2) - (coef.sum(axis=1) - 0.2).mean())
    # too few replicates found a breakpoint: no decision
    coef[:60] = np.nan
    out = _boot_equivalence(coef, 0.6, -0.5, sesoi=None, sesoi_ratio=0.5, alpha=0.05,
                            n_boot=400)
    assert np.isnan(out[2]) and np.isnan(out[4]) and out[5] == 340


def test_delta_equivalence_is_default_and_bootstrap_available():
    d = _frame("plateau", n=1500, seed=4)
    a = plateau(d, outcome="y", driver="x", equivalence="bootstrap", seed=3)
    assert a.equivalence.method == "bootstrap" and a.equivalence.n_boot_ok == 200
    assert a.equivalence.contrast_upper < 0 and a.equivalence.p_val < 0.05
    assert "basic bootstrap" in str(a)
    b = plateau(d, outcome="y", driver="x", bp_ci="delta")
    assert b.equivalence.method == "delta" and np.isnan(b.equivalence.contrast_bc)
    assert b.equivalence.contrast_upper < 0 and "basic bootstrap" not in str(b)
    assert a.verdict == b.verdict == "plateau"
    assert a.scores is None  # a data column, not a spec score
    with pytest.raises(RingstatsError, match="`equivalence` must be one of"):
        plateau(d, outcome="y", driver="x", equivalence="wald")


def test_spec_mode_latent_scores_and_scale_mapping():
    w = draw("base", n=2000, seed=3)
    d = w.spec.validate(w.customers)
    lat = plateau_table(d, spec=w.spec, levels=("ring",), seed=1)
    t = lat.table
    assert lat["ring1"].scores == "latent"  # the default
    assert ((t.bp_scale_ci_low <= t.bp_scale) & (t.bp_scale <= t.bp_scale_ci_high)).all()
    assert t.bp_scale.between(1, 5).all()
    # on the latent metric the generator's knot is 0
    assert t.loc["ring1", "bp_ci_low"] < 0 < t.loc["ring1", "bp_ci_high"]
    mean = plateau_table(d, spec=w.spec, levels=("ring",), seed=1, scores="mean")
    m = mean.table
    assert mean["ring1"].scores == "mean"
    assert (m.bp_scale == m.breakpoint).all()
    # both metrics place ring 1's bend at about the same point of the response scale
    assert abs(t.loc["ring1", "bp_scale"] - m.loc["ring1", "breakpoint"]) < 0.5
    assert "scale points" in str(lat) and "scale points" not in str(mean)
    with pytest.raises(RingstatsError, match="`scores` must be one of"):
        plateau_table(d, spec=w.spec, scores="eap")


def test_cli_scores_option(survey_files, capsys):
    from ringstats.cli import main

    csv, spec_path = survey_files
    assert main(["plateau", str(csv), "--spec", str(spec_path), "--scores", "mean"]) == 0
    out = capsys.readouterr().out
    assert "Plateau verdicts" in out and "scale points" not in out
    assert main(["drivers", str(csv), "--spec", str(spec_path), "--scores", "latent"]) == 0
    assert "latent-trait" in capsys.readouterr().out


def test_ceiling_is_reported_and_warned():
    w = draw("base", n=2000, seed=3)
    d = w.spec.validate(w.customers)
    tab = plateau_table(d, spec=w.spec, levels=("ring",), seed=1)
    r = tab["ring1"]
    share = float(np.mean(r.design.y == 10))
    assert r.ceiling.max == 10 and r.ceiling.share_at_max == pytest.approx(share)
    assert tab.table["share_at_max"].to_numpy() == pytest.approx(share)
    assert share > 0.15 and "ceiling:" in str(tab) and "ceiling:" in str(r)
    # no warning where the outcome has no pile-up at its maximum
    clear = plateau(_frame("plateau", n=1500, seed=4), outcome="y", driver="x", seed=3)
    assert clear.ceiling.share_at_max < 0.01 and "ceiling:" not in str(clear)


def test_breakpoint_at_the_edge_of_the_trimmed_range_is_flagged():
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 10, 2000)
    low = pd.DataFrame({"x": x, "y": 2 * np.minimum(x, 0.4) + rng.normal(0, 0.5, 2000)})
    r = plateau(low, outcome="y", driver="x", seed=1)
    assert r.segmented.psi_at_edge and r.segmented.psi == pytest.approx(
        r.segmented.range[0])
    assert "edge of the candidate range" in str(r)
    mid = plateau(_frame("plateau", n=1500, seed=4), outcome="y", driver="x", seed=3)
    assert not mid.segmented.psi_at_edge and "edge of the candidate" not in str(mid)


@pytest.mark.parametrize("seed", [11, 12])
def test_recovery_plateau_found_in_base_and_not_in_linear(seed):
    # the benchmark finds the base plateau in >= 99.5% of samples of 5,000 (rings 1 and 2)
    # and a linear-world plateau in <= 5.5%; a failure here is a change of method
    base = draw("base", n=5000, seed=seed)
    t = plateau_table(base.spec.validate(base.customers), spec=base.spec, levels=("ring",),
                bp_ci="profile", seed=1, progress=False).table
    assert (t.loc[["ring1", "ring2"], "verdict"] == "plateau").all()
    # near the generator's knot (latent 0; the breakpoint's SD is about .25 at this n)
    assert t.loc[["ring1", "ring2"], "breakpoint"].abs().max() < 0.75
    lin = draw("linear", n=5000, seed=seed)
    tl = plateau_table(lin.spec.validate(lin.customers), spec=lin.spec, levels=("ring",),
                 bp_ci="profile", seed=1, progress=False).table
    assert (tl.loc[["ring1", "ring2"], "verdict"] != "plateau").all()


# ---------------------------------------------------------------------------------------
# shapes named by what they are (issue 12.5): TOST plateau, decline, dip
# ---------------------------------------------------------------------------------------
def _shape_frame(kind, n=3000, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    up, down = np.maximum(x - 5, 0), np.minimum(x - 5, 0)
    y = {"decline": 0.6 * down - 0.4 * up,  # rises, then falls: inverted U
         "mild_decline": 0.6 * down - 0.1 * up,  # falls by less than the sesoi
         "u": -0.4 * down + 0.6 * up}[kind]  # falls, then rises: U shape
    return pd.DataFrame({"x": x, "y": y + rng.normal(0, 1, n)})


def test_decline_after_the_kink_is_not_a_plateau():
    # before the two-sided test this curve (right slope -0.42, CI far below 0) was called
    # "plateau": the one-sided test only asked whether the slope was below the bound
    r = plateau(_shape_frame("decline"), driver="x", outcome="y", seed=1)
    assert r.verdict == "decline" and "inverted U" in r.reason
    assert r.slopes.loc["right", "ci_high"] < 0
    assert r.equivalence.p_val < 0.05 and r.equivalence.p_lower > 0.5  # upper side only
    assert r.equivalence.p_tost == max(r.equivalence.p_val, r.equivalence.p_lower)
    assert r.n_needed == r.n


def test_u_shape_gets_its_own_verdict():
    # before: "increasing" (the slope change was positive), though the curve first falls
    r = plateau(_shape_frame("u"), driver="x", outcome="y", seed=1)
    assert r.verdict == "dip" and "U shape" in r.reason
    assert r.slopes.loc["left", "ci_high"] < 0 < r.slopes.loc["right", "ci_low"]


def test_a_decline_within_the_sesoi_is_a_plateau():
    # equivalence: a slope shown within +/- sesoi is practically flat, even if negative
    r = plateau(_shape_frame("mild_decline"), driver="x", outcome="y", seed=1)
    assert r.verdict == "plateau"
    eq = r.equivalence
    assert -eq.sesoi < r.slopes.loc["right", "estimate"] < 0 and eq.p_tost < 0.05
    # an absolute bound below the decline turns it into a decline
    r2 = plateau(_shape_frame("mild_decline"), driver="x", outcome="y", seed=1, sesoi=0.02)
    assert r2.verdict == "decline"


def test_the_issue_example_decline_with_relative_bound():
    # issue 12: right slope -0.86 with the CI's upper bound -0.07 was reported as "plateau"
    rng = np.random.default_rng(12)
    x = rng.uniform(0, 10, 400)
    y = 1.0 * np.minimum(x, 7) - 0.86 * np.maximum(x - 7, 0) + rng.normal(0, 1.5, 400)
    r = plateau(pd.DataFrame({"x": x, "y": y}), driver="x", outcome="y", bp_ci="delta")
    assert r.verdict == "decline"


def test_verdict_rules_in_order():
    from ringstats.shape._verdict import Evidence, decide

    base = dict(kink=True, left_pos=True, left_neg=False, right_pos=False, right_neg=False,
                change_neg=True, change_pos=False, nonlinear=True, linear_pos=True,
                informative=True, equivalent=False, p_tost=0.3)
    assert decide(Evidence(**{**base, "equivalent": True, "right_neg": True}))[0] == "plateau"
    assert decide(Evidence(**{**base, "right_neg": True}))[0] == "decline"
    assert decide(Evidence(**{**base, "left_pos": False, "left_neg": True, "right_pos": True,
                              "change_neg": False, "change_pos": True}))[0] == "dip"
    assert decide(Evidence(**{**base, "right_pos": True}))[0] == "diminishing"
    assert decide(Evidence(**{**base, "right_pos": True, "change_neg": False,
                              "change_pos": True}))[0] == "increasing"
    assert decide(Evidence(**{**base, "kink": False, "nonlinear": False}))[0] == "linear"
    v, why = decide(Evidence(**{**base, "left_pos": False, "left_neg": True}))
    assert v == "inconclusive" and "negative below the kink" in why


# ---------------------------------------------------------------------------------------
# typed results and the split API (issue 17.3)
# ---------------------------------------------------------------------------------------
def test_sub_results_are_typed_frozen_with_summary_and_frame():
    import dataclasses

    from ringstats.shape import (
        Breakpoint,
        BreakpointCI,
        Ceiling,
        DaviesTest,
        EquivalenceTest,
        SegmentedFit,
        SplineTest,
    )

    d = _frame("plateau", n=800)
    x, y = d["x"].to_numpy(), d["y"].to_numpy()
    r = plateau(d, driver="x", outcome="y", seed=1)
    parts = [davies_test(x, y), segmented_fit(x, y), breakpoint_ci(x, y, method="profile"),
             r.spline, r.segmented, r.equivalence, r.ceiling, r.davies]
    kinds = [DaviesTest, SegmentedFit, BreakpointCI, SplineTest, Breakpoint, EquivalenceTest,
             Ceiling, DaviesTest]
    for part, kind in zip(parts, kinds, strict=True):
        assert isinstance(part, kind)
        with pytest.raises(dataclasses.FrozenInstanceError):
            part.method = "x"  # type: ignore[misc]
        frame = part.to_frame()
        assert list(frame.columns) == ["name", "value"] and len(frame) > 2
        assert part.summary().as_text() and "<table" in part._repr_html_()
    seg = parts[1]
    assert seg.slope_left == pytest.approx(seg.fit.beta[1])
    assert {"psi", "psi_se", "range_low", "range_high"} <= set(seg.to_frame()["name"])
    row = r.to_frame()
    assert row.loc[0, "driver"] == "x" and row.loc[0, "verdict"] == r.verdict


def test_plateau_table_and_deprecated_spec_call():
    w = draw("base", n=800, seed=4)
    d = w.spec.validate(w.customers)
    kw = dict(levels=("ring",), bp_ci="profile", seed=1)
    tab = plateau_table(d, spec=w.spec, progress=False, **kw)
    assert isinstance(tab, PlateauTable)
    assert list(tab.to_frame()["name"]) == ["ring1", "ring2", "ring3"]
    with pytest.warns(FutureWarning, match="plateau_table"):
        old = plateau(d, spec=w.spec, progress=False, **kw)
    pd.testing.assert_frame_equal(old.table, tab.table)
    with pytest.raises(RingstatsError, match="only apply to a spec"):
        plateau(d, driver="prod1", outcome="ltr", levels=("ring",))
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec"):
        plateau_table(d, spec="spec.yaml")


def test_points_and_curves_are_on_the_result():
    rng = np.random.default_rng(4)
    n = 1500
    z = rng.normal(size=n)
    x = rng.uniform(0, 10, n) + z
    y = 0.6 * np.minimum(x, 5) + 0.8 * z + rng.normal(0, 1, n)
    d = pd.DataFrame({"x": x, "y": y, "z": z})
    before = d.copy()
    r = plateau(d, driver="x", outcome="y", covariates=["z"], seed=1)
    pd.testing.assert_frame_equal(d, before)  # the caller's frame is untouched
    pts = r.points()
    gam = r.spline.beta[2]
    np.testing.assert_allclose(pts["y_adjusted"], y - (z - z.mean()) * gam)
    assert gam == pytest.approx(0.8, abs=0.1)
    sc, sg = r.spline_curve(grid=50), r.segmented_curve(grid=50)
    assert len(sc) == len(sg) == 50 and (sc["ci_low"] <= sc["ci_high"]).all()
    # plotting reads public fields only
    src = (Path(__file__).parents[1] / "ringstats" / "plotting" / "_shape.py").read_text()
    assert "._data" not in src and "_covariate_effects" not in src


def test_plateau_goes_through_the_data_path():
    from ringstats.errors import ValidationError

    w = draw("base", n=400, seed=2)
    raw = w.customers.copy()
    raw.loc[raw.index[0], "prod1"] = 99  # outside the 1-5 scale
    before = raw.copy()
    with pytest.raises(ValidationError, match="prod1"):
        plateau_table(raw, spec=w.spec, levels=("ring",), bp_ci="delta")
    pd.testing.assert_frame_equal(raw, before)
    dup = _frame("plateau", n=300)
    dup = pd.concat([dup, dup[["x"]]], axis=1)
    with pytest.raises(ValidationError):
        plateau(dup, driver="x", outcome="y")
