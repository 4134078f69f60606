"""measurement_report, the `ringstats measure` command and the measurement plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import ringstats.measurement as m  # noqa: E402
from ringstats import RingstatsError  # noqa: E402
from ringstats.cli import main  # noqa: E402
from ringstats.plotting import (  # noqa: E402
    RING_COLORS,  # noqa: E402
    plot_htmt,
    plot_loadings,
    plot_scree,
)
from ringstats.simulate import draw  # noqa: E402


@pytest.fixture(scope="module")
def sim():
    w = draw("base", n=700, seed=31)
    return w, w.spec.validate(w.customers)


@pytest.fixture(scope="module")
def report(sim):
    w, d = sim
    return m.measurement_report(d, spec=w.spec, n_boot=50, seed=1)


def test_reexports():
    for name in ("reliability", "cronbach_alpha", "polychoric", "correlation", "nearest_pd",
                 "htmt", "fornell_larcker", "efa", "parallel_analysis", "kmo", "bartlett",
                 "cfa", "scores", "measurement_report"):
        assert callable(getattr(m, name)), name
        assert name in m.__all__


def test_report_contents(report, sim):
    w, _ = sim
    r = report
    assert isinstance(r, m.MeasurementReport)
    assert list(r.checks.index) == list(w.spec.construct_names)
    assert {"alpha", "omega_total", "cr", "ave", "min_std_loading", "max_htmt",
            "fornell_larcker", "ok"} <= set(r.checks.columns)
    assert (r.checks["ring"].to_numpy() == [1, 1, 2, 2, 3, 3]).all()
    # simulated items: reliable, well-fitting, HTMT below .85 in the base world
    assert (r.checks["alpha"] > 0.7).all() and (r.checks["ok"]).all()
    assert r.fit["cfi"] > 0.95 and r.fit["rmsea"] < 0.06
    assert r.htmt.n_boot == 50
    assert 0.8 < r.kmo.overall <= 1 and r.bartlett.p_val < 1e-10
    # construct latents of one ring correlate 0.8 in the simulator: parallel analysis sees rings
    assert r.parallel.n_factors == 3
    assert any("Parallel analysis suggests 3" in n for n in r.notes)
    text = str(r.summary())
    for part in ("Construct checks", "CFA fit", "HTMT", "Fornell-Larcker", "KMO", "parallel"):
        assert part in text
    assert "<table" in r._repr_html_()


def test_discriminant_failure_world_is_flagged():
    w = draw("base", n=700, seed=32, ring_corr={"12": 0.5, "13": 0.45, "23": 0.95},
             team_corr_23=0.9, construct_corr=0.92)
    d = w.spec.validate(w.customers)
    r = m.measurement_report(d, spec=w.spec, seed=1)
    ring23 = r.htmt.matrix.loc[["speed", "ease"], ["seen", "trust"]].to_numpy()
    assert ring23.max() > 0.85
    assert not r.checks.loc[["speed", "ease", "seen", "trust"], "ok"].any()
    assert (r.checks["max_htmt"] > 0.85).all()
    two = m.measurement_report(d, spec=w.spec.subset(["product", "value"]), seed=1)
    assert two.n_constructs == 2


def test_cli_text_and_command(sim, tmp_path, capsys):
    w, d = sim
    csv = tmp_path / "survey.csv"
    w.customers.to_csv(csv, index=False)
    spec_path = tmp_path / "spec.yaml"
    w.spec.to_yaml(spec_path)
    assert main(["measure", str(csv), "--spec", str(spec_path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Measurement report (6 constructs")
    assert "Construct checks" in text


def test_report_bad_inputs(sim):
    w, d = sim
    with pytest.raises(RingstatsError, match="`nan_policy` must be one of"):
        m.measurement_report(d, spec=w.spec, nan_policy="fiml")
    with pytest.raises(RingstatsError, match="`n_boot` must be"):
        m.measurement_report(d, spec=w.spec, n_boot=-1)
    with pytest.raises(RingstatsError, match="`spec` must be a RingSpec or a dict"):
        m.measurement_report(d, spec="spec.yaml")
    with pytest.raises(RingstatsError, match="must be a pandas DataFrame"):
        m.measurement_report(d.to_numpy(), spec=w.spec)


# ----------------------------------------------------------------------------- plots
def test_plot_loadings_efa_and_cfa(report, sim):
    w, d = sim
    e = m.efa(d, spec=w.spec, n_factors=6)
    ax = plot_loadings(e, spec=w.spec)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:4] == ["prod1", "prod2", "prod3", "prod4"]
    colors = {matplotlib.colors.to_hex(t.get_color()) for t in ax.get_yticklabels()}
    assert colors == {c.lower() for c in RING_COLORS.values()}
    fig, ax2 = plt.subplots()
    out = plot_loadings(report.cfa, ax=ax2)
    assert out is ax2
    assert [t.get_text() for t in ax2.get_xticklabels()] == list(w.spec.construct_names)
    plot_loadings(e)  # no spec: items in data order, no ring colours
    with pytest.raises(RingstatsError, match="must be an EFAResult or a CFAResult"):
        plot_loadings(pd.DataFrame())
    plt.close("all")


def test_plot_scree_and_htmt(report):
    ax = plot_scree(report.parallel)
    assert len(ax.lines) >= 2 and ax.get_legend() is not None
    assert "eigenvalue" in ax.get_ylabel().lower()
    ax = plot_htmt(report.htmt)
    assert ax.get_title().startswith("HTMT")
    assert len(ax.texts) == 15
    with pytest.raises(RingstatsError, match="ParallelResult"):
        plot_scree(report.htmt)
    with pytest.raises(RingstatsError, match="HTMTResult"):
        plot_htmt(report.parallel)
    with pytest.raises(RingstatsError, match="`ax` must be"):
        plot_htmt(report.htmt, ax="left")
    plt.close("all")


def test_plot_does_not_change_style(report):
    before = dict(matplotlib.rcParams)
    plot_scree(report.parallel)
    plot_htmt(report.htmt)
    after = dict(matplotlib.rcParams)
    assert before == after
    plt.close("all")
    assert np.isfinite(report.parallel.eigenvalues["observed"]).all()


def test_wlsmv_report_judges_robust_indices():
    """Under WLSMV the summary and the judged indices are the robust ones (Savalei 2021),
    the unscaled DWLS indices shown apart and not judged; ML keeps the standard ones."""
    import ringstats as rs
    from ringstats.measurement._cfa import judged_fit

    w = rs.draw("base", n=600, seed=4)
    d = w.spec.validate(w.customers)
    rep = rs.measurement_report(d, spec=w.spec, seed=1)
    assert rep.cfa.estimator == "WLSMV"
    j, version = judged_fit(rep.fit)
    assert version == "robust" and j["cfi"] == rep.fit["cfi_robust"]
    text = str(rep.summary())
    assert "CFI (robust)" in text and "RMSEA (robust) [90% CI]" in text
    assert "unscaled" in text and "scaled chi-square" in text
    ml = rs.measurement_report(d, spec=w.spec, seed=1, estimator="ML")
    j, version = judged_fit(ml.fit)
    assert version == "standard" and j["cfi"] == ml.fit["cfi"]
    assert "CFI (robust)" not in str(ml.summary())
