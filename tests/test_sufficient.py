"""Survey moments (rs.summarize): identical to the in-memory analyses, from pandas, DuckDB
and a Dask LocalCluster; halves merge to the whole; multiplier replicates reproducible."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ringstats as rs
from ringstats.errors import RingstatsError, ValidationError

EXACT = 1e-10  # every analysis: closed-form ones and those fitted by an optimiser (CFA ML,
# minres/ML EFA, omega), which finish with Newton steps to a gradient at rounding level


@pytest.fixture(scope="module")
def world():
    w = rs.draw("base", n=2400, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = w.spec.validate(w.customers)
    return w.customers, clean, w.spec


@pytest.fixture(scope="module")
def moments(world):
    raw, _, spec = world
    return rs.summarize(raw, spec=spec, by="segment", n_boot=40, seed=11, chunk_size=700)


def _num(df: pd.DataFrame) -> pd.DataFrame:
    return df.select_dtypes("number").astype(float)


def _diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    return float(np.nanmax(np.abs(_num(a).to_numpy() - _num(b).to_numpy())))


def _same_moments(a: rs.SurveyMoments, b: rs.SurveyMoments, reps: bool = True) -> None:
    assert sorted(map(str, a.groups)) == sorted(map(str, b.groups))
    for k in a.groups:
        ga, gb = a.groups[k], b.groups[k]
        assert ga.rows == gb.rows and ga.items.n == gb.items.n and ga.scores.n == gb.scores.n
        np.testing.assert_array_equal(ga.pairs.n, gb.pairs.n)
        np.testing.assert_allclose(ga.pairs.cp, gb.pairs.cp, rtol=1e-12, atol=1e-8)
        np.testing.assert_allclose(ga.items.mean, gb.items.mean, rtol=1e-12)
        np.testing.assert_allclose(ga.scores.cp, gb.scores.cp, rtol=1e-12, atol=1e-8)
        np.testing.assert_array_equal(ga.ltr, gb.ltr)
        np.testing.assert_array_equal(ga.tables, gb.tables)
        if reps:
            np.testing.assert_array_equal(ga.rep_ltr, gb.rep_ltr)
            np.testing.assert_allclose(ga.rep_scores.w, gb.rep_scores.w, rtol=1e-12)
            np.testing.assert_allclose(ga.rep_scores.cp, gb.rep_scores.cp, rtol=1e-10,
                                       atol=1e-8)


# ----------------------------------------------------------------------------- analyses
def _same_fit(a: pd.Series, b: pd.Series) -> None:
    a, b = a.astype(float).to_numpy(), b.astype(float).to_numpy()
    np.testing.assert_allclose(a, b, rtol=EXACT, atol=EXACT)  # chi-square, loglik: relative


def _same_measurement(m: rs.SurveyMoments, clean: pd.DataFrame, spec, n_factors: int,
                      cfa_policies=("listwise", "pairwise")) -> None:
    """Every measurement analysis from moments equals its in-memory namesake to 1e-10."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = rs.reliability(m, spec=spec), rs.reliability(clean, spec=spec)
        assert _diff(a.table, b.table) < EXACT and _diff(a.items, b.items) < EXACT
        for pol in cfa_policies:
            fa, fb = rs.cfa(m, spec=spec, nan_policy=pol), rs.cfa(clean, spec=spec,
                                                                 nan_policy=pol, estimator="ML")
            assert fa.n_obs == fb.n_obs
            assert _diff(fa.loadings, fb.loadings) < EXACT
            assert _diff(fa.parameters, fb.parameters) < EXACT
            _same_fit(fa.fit, fb.fit)
            ha, hb = rs.htmt(m, spec=spec, nan_policy=pol), rs.htmt(clean, spec=spec,
                                                                   nan_policy=pol)
            assert ha.n == hb.n and _diff(ha.matrix, hb.matrix) < EXACT
        pa, pb = rs.polychoric(m, spec=spec), rs.polychoric(clean, spec=spec)
        assert _diff(pa.rho, pb.rho) < EXACT and _diff(pa.thresholds, pb.thresholds) < EXACT
        for corr in ("pearson", "polychoric"):
            for method in ("minres", "ml"):
                ea = rs.efa(m, spec=spec, n_factors=n_factors, correlation=corr, method=method)
                eb = rs.efa(clean, spec=spec, n_factors=n_factors, correlation=corr,
                            method=method)
                assert ea.n_obs == eb.n_obs and _diff(ea.loadings, eb.loadings) < EXACT
                _same_fit(ea.fit, eb.fit)


def test_measurement_matches_in_memory(world, moments):
    _, clean, spec = world
    _same_measurement(moments, clean, spec, 3)


def test_measurement_report_from_moments(world, moments):
    # every part the moments allow, equal to the in-memory report; parallel analysis is
    # named as needing rows
    _, clean, spec = world
    for pol in ("listwise", "pairwise"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = rs.measurement_report(moments, spec=spec, nan_policy=pol)
            b = rs.measurement_report(clean, spec=spec, nan_policy=pol, seed=1,
                                      estimator="ML")
            ra = rs.reliability(moments, spec=spec, nan_policy=pol)
            rb = rs.reliability(clean, spec=spec, nan_policy=pol)
        assert _diff(ra.table, rb.table) < EXACT and _diff(ra.items, rb.items) < EXACT
        assert a.needs_rows == ("parallel_analysis",) and a.parallel is None
        assert b.needs_rows == ()
        assert _diff(a.checks, b.checks) < EXACT
        assert (a.checks["ok"] == b.checks["ok"]).all()
        assert _diff(a.loadings, b.loadings) < EXACT
        assert _diff(a.fornell_larcker, b.fornell_larcker) < EXACT
        _same_fit(a.fit, b.fit)
        assert abs(a.kmo.overall - b.kmo.overall) < EXACT
        assert float(np.max(np.abs(a.kmo.per_item - b.kmo.per_item))) < EXACT
        assert a.bartlett.n == b.bartlett.n and a.bartlett.df == b.bartlett.df
        assert a.bartlett.chisq == pytest.approx(b.bartlett.chisq, rel=EXACT)
        assert any("parallel analysis was not run" in n for n in a.notes)
        assert any("WLSMV, which needs the rows" in n for n in a.notes) == (pol == "listwise")
    assert "not run (needs the survey's rows)" in str(a)
    with pytest.raises(RingstatsError, match="non-linear"):
        rs.measurement_report(moments, spec=spec, n_boot=10)


def _bfi_spec() -> rs.RingSpec:
    return rs.RingSpec.from_dict({
        "scales": {"six": {"min": 1, "max": 6}}, "default_scale": "six",
        "constructs": {k: {"ring": r, "items": [f"{k}{i}" for i in range(1, 6)]}
                       for k, r in zip("ACENO", [1, 1, 2, 2, 3], strict=True)},
        "outcomes": {"loyalty": ["gender"]},
        "reverse_keyed": ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]})


@pytest.mark.parametrize("name", ["ecsi_mobi", "corp_rep", "bfi"])
def test_measurement_real_data_to_1e10(name):
    # real surveys with missing answers: the iteratively fitted analyses too, to 1e-10
    if name == "bfi":
        ref = Path(__file__).parent / "reference" / "measurement" / "bfi.csv"
        data, spec, k = pd.read_csv(ref), _bfi_spec(), 5
    else:
        from ringstats.errors import MissingExtraError

        try:
            ds = rs.datasets.load(name)
        except MissingExtraError:
            pytest.skip(f"{name} needs the optional data extra")
        data, spec, k = ds.data, ds.spec, 3
    m = rs.summarize(data, spec=spec, chunk_size=97)
    _same_measurement(m, spec.validate(data), spec, k)


def test_drivers_and_nps_match_in_memory(world, moments):
    _, clean, spec = world
    a, b = rs.drivers(moments, spec=spec), rs.drivers(clean, spec=spec, n_boot=0)
    assert a.n == b.n and abs(a.r2 - b.r2) < EXACT
    assert _diff(a.constructs[["estimate", "share"]], b.constructs[["estimate", "share"]]) < EXACT
    assert _diff(a.rings[["estimate", "share"]], b.rings[["estimate", "share"]]) < EXACT
    assert a.n_boot == 40 and a.ci_method == "percentile"
    assert (a.rings["ci_low"] <= a.rings["share"]).all()
    assert _diff(rs.shapley(moments, spec=spec), rs.shapley(clean, spec=spec)) < EXACT
    groups = {"r12": ["product", "value", "speed", "ease"], "r3": ["seen", "trust"]}
    assert _diff(rs.shapley(moments, spec=spec, groups=groups),
                 rs.shapley(clean, spec=spec, groups=groups)) < EXACT
    for std in (True, False):
        ra = rs.regression(moments, spec=spec, cov_type="nonrobust", standardize=std)
        rb = rs.regression(clean, spec=spec, cov_type="nonrobust", standardize=std)
        assert _diff(ra.coefficients.drop(columns="p_val"), rb.coefficients.drop(
            columns="p_val")) < 1e-9 and abs(ra.r2 - rb.r2) < EXACT
    assert _diff(rs.nps(moments).to_frame(), rs.nps(clean).to_frame()) < EXACT
    for compare in ("rest", "pairwise"):
        assert _diff(rs.nps_by(moments, by="segment", compare=compare),
                     rs.nps_by(clean, by="segment", compare=compare)) < EXACT
    boot = rs.nps(moments, method="bootstrap")
    assert boot.ci_low < boot.nps < boot.ci_high


def test_weighted_drivers_and_nps(world):
    raw, clean, spec = world
    wts = np.random.default_rng(0).uniform(0.2, 3.0, len(raw))
    raw = raw.assign(wt=wts)
    clean = clean.assign(wt=wts)
    m = rs.summarize(raw, spec=spec, by="segment", weights="wt", chunk_size=1000)
    a, b = rs.drivers(m, spec=spec), rs.drivers(clean, spec=spec, weights="wt", n_boot=0)
    assert _diff(a.constructs[["estimate"]], b.constructs[["estimate"]]) < EXACT
    assert _diff(rs.nps(m).to_frame(), rs.nps(clean, weights="wt").to_frame()) < EXACT
    assert _diff(rs.nps_by(m, by="segment"), rs.nps_by(clean, by="segment", weights="wt")) \
        < EXACT
    with pytest.raises(RingstatsError, match="give `weights=` to summarize"):
        rs.nps(m, weights="wt")


# ----------------------------------------------------------------------------- merging
def test_two_halves_add_to_the_whole(world, moments):
    raw, _, spec = world
    h = 1111
    first = rs.summarize(raw.iloc[:h], spec=spec, by="segment", n_boot=40, seed=11)
    second = rs.summarize(raw.iloc[h:], spec=spec, by="segment", n_boot=40, seed=11,
                          row_offset=h)
    _same_moments(first + second, moments)
    other = rs.summarize(raw.iloc[:h], spec=spec, n_boot=40, seed=11)
    with pytest.raises(RingstatsError, match="differ in: by"):
        first + other


def test_replicates_reproducible_and_chunk_invariant(world, moments):
    raw, _, spec = world
    again = rs.summarize(raw, spec=spec, by="segment", n_boot=40, seed=11, chunk_size=333)
    _same_moments(again, moments)
    other = rs.summarize(raw, spec=spec, by="segment", n_boot=40, seed=12, chunk_size=700)
    assert not np.allclose(other.total().rep_ltr, moments.total().rep_ltr)
    r1 = rs.drivers(again, spec=spec).boot
    r2 = rs.drivers(moments, spec=spec).boot
    np.testing.assert_allclose(r1.to_numpy(), r2.to_numpy(), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- engines
def test_duckdb_parquet_glob_and_csv(world, moments, tmp_path):
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    raw, clean, spec = world
    raw.iloc[:1000].to_parquet(tmp_path / "wave_1.parquet")
    raw.iloc[1000:].to_parquet(tmp_path / "wave_2.parquet")
    raw.to_csv(tmp_path / "all.csv", index=False)
    glob = str(tmp_path / "wave_*.parquet")
    m_duck = rs.summarize(glob, spec=spec, by="segment", n_boot=40, seed=11, chunk_size=256)
    _same_moments(m_duck, moments)
    m_pd = rs.summarize(glob, spec=spec, by="segment", n_boot=40, seed=11, engine="pandas")
    _same_moments(m_pd, moments)
    m_csv = rs.summarize(tmp_path / "all.csv", spec=spec, by="segment", n_boot=40, seed=11)
    _same_moments(m_csv, moments)
    assert _diff(rs.nps_by(m_duck, by="segment"), rs.nps_by(clean, by="segment")) < EXACT
    fa, fb = rs.cfa(m_duck, spec=spec), rs.cfa(clean, spec=spec, estimator="ML")
    assert _diff(fa.parameters, fb.parameters) < EXACT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ra, rb = rs.reliability(m_duck, spec=spec), rs.reliability(clean, spec=spec)
    assert _diff(ra.table, rb.table) < EXACT


def test_dask_local_cluster(world, moments, tmp_path):
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import dask.dataframe as dd

    raw, clean, spec = world
    raw.to_parquet(tmp_path / "survey.parquet")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        m = rs.summarize(dd.from_pandas(raw, npartitions=4), spec=spec, by="segment",
                         n_boot=40, seed=11)
        m_file = rs.summarize(tmp_path / "survey.parquet", spec=spec, by="segment", n_boot=40,
                              seed=11, engine="dask")
    _same_moments(m, moments)
    _same_moments(m_file, moments)
    assert _diff(rs.drivers(m, spec=spec).rings[["share"]],
                 rs.drivers(clean, spec=spec, n_boot=0).rings[["share"]]) < EXACT
    fa, fb = rs.cfa(m_file, spec=spec, nan_policy="pairwise"), rs.cfa(clean, spec=spec,
                                                                     nan_policy="pairwise")
    assert _diff(fa.parameters, fb.parameters) < EXACT
    ea, eb = rs.efa(m, spec=spec, n_factors=3), rs.efa(clean, spec=spec, n_factors=3)
    assert _diff(ea.loadings, eb.loadings) < EXACT


def test_spark_local(world, moments, tmp_path, monkeypatch):
    # optional: a local Spark session (pyspark and Java); the partitions' moments are made
    # by mapInPandas and added by treeReduce, equal to the pandas pass, replicates included
    pytest.importorskip("pyspark")
    import shutil
    import sys

    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    raw, clean, spec = world
    raw.to_parquet(tmp_path / "survey.parquet")
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    try:
        m = rs.summarize(spark.createDataFrame(raw).coalesce(3), spec=spec, by="segment",
                         n_boot=40, seed=11, chunk_size=500)
        m_file = rs.summarize(tmp_path / "survey.parquet", spec=spec, by="segment",
                              n_boot=40, seed=11, engine="spark")
    finally:
        spark.stop()
    _same_moments(m, moments)
    _same_moments(m_file, moments)
    fa, fb = rs.cfa(m, spec=spec), rs.cfa(clean, spec=spec, estimator="ML")
    assert _diff(fa.parameters, fb.parameters) < EXACT


# ----------------------------------------------------------------------------- errors
def test_cleaning_errors_name_rows(world):
    raw, _, spec = world
    bad = raw.copy()
    bad.loc[1500, "prod1"] = 9
    with pytest.raises(ValidationError, match=r"rows 1,400-2,099") as exc:
        rs.summarize(bad, spec=spec, chunk_size=700)
    assert any("found 1 value(s) such as 9" in p for p in exc.value.problems)
    const = raw.assign(seen1=3)
    with pytest.raises(ValidationError, match="constant item: `seen1`"):
        rs.summarize(const, spec=spec, chunk_size=700)
    with pytest.raises(ValidationError, match="unknown column: `prod1`"):
        rs.summarize(raw.drop(columns="prod1"), spec=spec)
    assert raw.loc[1500, "prod1"] != 9  # caller's frame untouched


def test_analyses_that_need_rows_say_so(world, moments):
    _, _, spec = world
    with pytest.raises(RingstatsError, match="`latent_scores` needs the survey's rows"):
        rs.latent_scores(moments, spec=spec)
    with pytest.raises(RingstatsError, match="`plateau` needs the survey's rows"):
        rs.plateau(moments, spec=spec)
    with pytest.raises(RingstatsError, match="scores='latent'"):
        rs.drivers(moments, spec=spec, scores="latent")
    with pytest.raises(RingstatsError, match="fiml"):
        rs.cfa(moments, spec=spec, nan_policy="fiml")
    with pytest.raises(RingstatsError, match="non-linear"):
        rs.htmt(moments, spec=spec, n_boot=100)
    with pytest.raises(RingstatsError, match="HC3"):
        rs.regression(moments, spec=spec)
    with pytest.raises(RingstatsError, match="n_factors"):
        rs.efa(moments, spec=spec)
    with pytest.raises(RingstatsError, match="`by` must be a column the moments were grouped"):
        rs.nps_by(moments, by="moment")


def test_cross_classified_groups(world):
    raw, clean, spec = world
    raw = raw.copy()
    raw["moment"] = raw["moment"].astype(object)
    raw.loc[raw.index[:50], "moment"] = None  # rows without a moment count in the rest
    clean = clean.assign(moment=raw["moment"])
    m = rs.summarize(raw, spec=spec, by=["segment", "moment"], chunk_size=900)
    for col in ("segment", "moment"):
        for compare in ("rest", "pairwise"):
            assert _diff(rs.nps_by(m, by=col, compare=compare),
                         rs.nps_by(clean, by=col, compare=compare)) < EXACT
    assert m.to_frame().index.names == ["segment", "moment"]


def test_summary_and_frame(moments):
    tab = moments.to_frame()
    assert list(tab.index) == ["business", "private"]
    assert tab["rows"].sum() == moments.n == 2400
    assert "Survey moments" in str(moments)


# ----------------------------------------------------------------------------- command line
def test_cli_parquet_and_engines(tmp_path, capsys):
    pytest.importorskip("duckdb")
    from ringstats.cli import main

    out = tmp_path / "big.parquet"
    assert main(["simulate", "--world", "base", "-n", "2500", "--chunk-size", "1000",
                 "--seed", "1", "-o", str(out)]) == 0
    data = pd.read_parquet(out)
    assert len(data) == 2500 and data["customer_id"].is_unique
    spec_path = str(tmp_path / "big.spec.yaml")
    spec = rs.RingSpec.from_yaml(spec_path)
    capsys.readouterr()
    assert main(["nps", str(out), "--spec", spec_path, "--format", "json"]) == 0
    text = capsys.readouterr().out
    for engine in ("pandas", "dask"):
        assert main(["nps", str(out), "--spec", spec_path, "--engine", engine,
                     "--format", "json"]) == 0
        assert capsys.readouterr().out.split('"results"')[1] == text.split('"results"')[1]
    assert main(["drivers", str(tmp_path / "*.parquet"), "--spec", spec_path,
                 "--n-boot", "20"]) == 0
    shares = rs.drivers(spec.validate(data), spec=spec, n_boot=0).rings["share"]
    out_text = capsys.readouterr().out
    assert f"{shares.iloc[0]:.3f}"[:4] in out_text
    assert main(["measure", str(out), "--spec", spec_path, "--engine", "duckdb"]) == 0
    text = capsys.readouterr().out
    assert "CFI" in text and "not run (needs the survey's rows)" in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfi = rs.cfa(spec.validate(data), spec=spec, estimator="ML").fit["cfi"]
    assert f"{cfi:.3f}" in text
