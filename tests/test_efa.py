"""EFA, parallel analysis, KMO and Bartlett: parity with psych (stored R output) and input rules.

Reference numbers: tests/reference/measurement/make_reference.R (psych 2.2.9, GPArotation).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from ringstats import ConvergenceError, InsufficientDataError, RingstatsError
from ringstats.measurement import (
    EFAResult,
    ParallelResult,
    bartlett,
    cfa,
    efa,
    kmo,
    parallel_analysis,
)
from ringstats.simulate import draw

REF = Path(__file__).parent / "reference" / "measurement"


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REF / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="module")
def sim():
    w = draw("base", n=800, seed=11)
    return w, w.spec.validate(w.customers)


def _align(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Reorder R's columns to the best-matching ringstats factors (signs are already fixed
    by the same convention: positive column sums)."""
    k = ours.shape[1]
    c = np.corrcoef(ours.T.to_numpy(), theirs.T.to_numpy())[:k, k:]
    _, cols = linear_sum_assignment(-np.abs(c))
    return theirs.iloc[:, cols]


# ----------------------------------------------------------------------------- parity with R
def test_minres_oblimin_matches_psych(bfi):
    # psych::fa(bfi[1:25], nfactors = 5, fm = "minres", rotate = "oblimin")
    res = efa(bfi, n_factors=5, method="minres", rotation="oblimin")
    r_load = pd.read_csv(REF / "fa_bfi_minres_oblimin_5_loadings.csv", index_col=0)
    aligned = _align(res.loadings, r_load)
    # same factor order as psych (ordered by variance explained)
    assert list(aligned.columns) == list(r_load.columns)
    np.testing.assert_allclose(res.loadings.to_numpy(), aligned.to_numpy(), atol=0.01)
    assert np.abs(res.loadings.to_numpy() - aligned.to_numpy()).max() < 1e-4
    phi = pd.read_csv(REF / "fa_bfi_minres_oblimin_5_phi.csv", index_col=0)
    phi = phi.loc[aligned.columns, aligned.columns]
    np.testing.assert_allclose(res.factor_correlations.to_numpy(), phi.to_numpy(), atol=0.01)
    h2 = pd.read_csv(REF / "fa_bfi_minres_oblimin_5_h2.csv", index_col=0)["h2"]
    np.testing.assert_allclose(res.communalities.to_numpy(), h2.loc[res.loadings.index], atol=0.01)
    np.testing.assert_allclose(res.uniquenesses, 1 - res.communalities)
    assert list(res.loadings.index) == list(bfi.columns)


def test_ml_varimax_matches_psych(bfi):
    # psych::fa(bfi[1:25], nfactors = 5, fm = "ml", rotate = "varimax")
    res = efa(bfi, n_factors=5, method="ml", rotation="varimax")
    r_load = pd.read_csv(REF / "fa_bfi_ml_varimax_5_loadings.csv", index_col=0)
    aligned = _align(res.loadings, r_load)
    np.testing.assert_allclose(res.loadings.to_numpy(), aligned.to_numpy(), atol=0.01)
    # ringstats' own ML extraction follows factanal/psych step by step
    assert np.abs(res.loadings.to_numpy() - aligned.to_numpy()).max() < 1e-4
    np.testing.assert_allclose(res.factor_correlations.to_numpy(), np.eye(5))


@pytest.mark.parametrize("method", ["minres", "ml"])
def test_extraction_agrees_with_factor_analyzer(bfi, method):
    # cross-check of the own extraction against factor-analyzer 0.5.1's optimiser (numerical
    # gradient, SciPy's default L-BFGS-B settings): the same implied matrix L L'
    import factor_analyzer

    from ringstats.measurement import _extract

    r = bfi.corr().to_numpy()
    ours = _extract.extract(r, 5, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = factor_analyzer.FactorAnalyzer(n_factors=5, rotation=None, method=method)
        theirs = fa._fit_factor_analysis(r.copy())  # it writes into its argument
    np.testing.assert_allclose(ours @ ours.T, theirs @ theirs.T, atol=1e-4)


def test_promax_against_psych_pa(bfi):
    # psych::fa(bfi[1:25], nfactors = 5, fm = "pa", rotate = "promax").
    # factor-analyzer has no iterated principal-axis extraction ("principal" there is PCA),
    # so the comparable pair is minres + promax: minres and converged principal axis
    # minimise the same off-diagonal residuals, so both land on the same solution.
    res = efa(bfi, n_factors=5, method="minres", rotation="promax")
    r_load = pd.read_csv(REF / "fa_bfi_pa_promax_5_loadings.csv", index_col=0)
    aligned = _align(res.loadings, r_load)
    np.testing.assert_allclose(res.loadings.to_numpy(), aligned.to_numpy(), atol=0.01)
    # principal components are a different model: loadings are larger (no uniqueness)
    pc = efa(bfi, n_factors=5, method="principal", rotation="promax")
    assert np.abs(pc.loadings.to_numpy()).max() > np.abs(res.loadings.to_numpy()).max()


def test_kmo_bartlett_match_psych(bfi):
    # psych::KMO(bfi[1:25]); psych::cortest.bartlett(cor(bfi[1:25], use="pairwise"), n=2800)
    k = kmo(bfi)
    ref = pd.read_csv(REF / "kmo_bfi.csv", index_col=0)["msa"]
    assert k.overall == pytest.approx(ref["overall"], abs=1e-6)
    np.testing.assert_allclose(k.per_item, ref.drop("overall").loc[k.per_item.index], atol=1e-6)
    b = bartlett(bfi)
    rb = pd.read_csv(REF / "bartlett_bfi.csv")
    assert b.chisq == pytest.approx(rb["chisq"][0], rel=1e-6)
    assert b.df == int(rb["df"][0])
    assert b.p_val == pytest.approx(0.0, abs=1e-12)
    assert "Bartlett" in str(b) and "MSA" in str(k)


# ----------------------------------------------------------------------------- behaviour
def test_sign_and_order_convention(bfi):
    res = efa(bfi, n_factors=5, rotation="oblimin")
    assert (res.loadings.sum(axis=0) > 0).all()
    ss = res.variance["ss_loadings"].to_numpy()
    assert np.all(np.diff(ss) <= 1e-12)
    np.testing.assert_allclose(res.variance["cumulative"].iloc[-1], ss.sum() / 25)
    np.testing.assert_allclose(np.diag(res.factor_correlations), 1.0)
    np.testing.assert_allclose(res.structure, res.loadings @ res.factor_correlations.to_numpy())


def test_parallel_analysis_bfi(bfi):
    pa = parallel_analysis(bfi, n_sim=50, seed=3)
    assert isinstance(pa, ParallelResult)
    # psych::fa.parallel(bfi[1:25]) suggests 6 components/factors
    assert pa.n_factors == 6
    ev = pa.eigenvalues
    assert list(ev.columns) == ["observed", "random_mean", "random_quantile", "retain"]
    np.testing.assert_allclose(ev["observed"].sum(), 25.0)
    assert ev["retain"].sum() == pa.n_factors
    again = parallel_analysis(bfi, n_sim=50, seed=3)
    pd.testing.assert_frame_equal(ev, again.eigenvalues)
    fa_variant = parallel_analysis(bfi, n_sim=20, seed=3, method="fa")
    assert fa_variant.n_factors >= 5
    assert "Parallel analysis" in str(pa)


def test_parallel_chooses_factors_when_none(sim):
    w, d = sim
    res = efa(d, spec=w.spec, seed=2)
    assert isinstance(res, EFAResult)
    assert res.parallel is not None and res.n_factors == res.parallel.n_factors
    assert res.n_factors >= 3


def test_polychoric_efa_recovers_constructs(sim):
    w, d = sim
    res = efa(d, spec=w.spec, n_factors=6, correlation="polychoric", rotation="geomin")
    main = res.loadings.abs().idxmax(axis=1)
    im = w.spec.item_map()
    # every construct's items load mainly on one factor of their own
    groups = pd.Series(main).groupby(pd.Series(im)).nunique()
    assert (groups == 1).all()
    assert main.groupby(pd.Series(im)).first().nunique() == 6
    # polychoric loadings exceed Pearson loadings on 5-point items (no attenuation)
    pear = efa(d, spec=w.spec, n_factors=6, rotation="geomin")
    assert res.communalities.mean() > pear.communalities.mean()


def test_pairwise_vs_listwise_and_no_mutation(sim):
    w, d = sim
    before = d.copy()
    a = efa(d, spec=w.spec, n_factors=3, nan_policy="listwise")
    b = efa(d, spec=w.spec, n_factors=3, nan_policy="pairwise")
    assert a.n_obs < b.n_obs
    pd.testing.assert_frame_equal(d, before)
    assert "Pattern loadings" in str(a) and "<table" in a._repr_html_()


def test_smoke_efa_cfa_through_ringstats():
    """CI guard against upstream breakage (factor-analyzer's Rotator / scipy / pandas)."""
    rng = np.random.default_rng(5)
    f = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], size=600)
    lam = np.array([0.8, 0.7, 0.75, 0.7])
    x = np.hstack([f[:, [0]] * lam, f[:, [1]] * lam]) + rng.normal(size=(600, 8)) * 0.6
    cols = [f"a{i}" for i in range(1, 5)] + [f"b{i}" for i in range(1, 5)]
    df = pd.DataFrame(x, columns=cols)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # engine warnings must stay silenced
        for method in ("minres", "ml", "principal"):
            for rot in ("oblimin", "promax", "varimax", "geomin", None):
                res = efa(df, n_factors=2, method=method, rotation=rot)
                assert np.all(np.isfinite(res.loadings.to_numpy()))
    res = efa(df, n_factors=2)
    assert (res.loadings.loc[cols[:4]].abs().idxmax(axis=1) == res.loadings.loc[cols[:4]]
            .abs().idxmax(axis=1).iloc[0]).all()
    assert res.factor_correlations.iloc[0, 1] == pytest.approx(0.3, abs=0.1)
    c = cfa(df, spec={"A": cols[:4], "B": cols[4:]})
    assert c.converged and c.fit["cfi"] > 0.98
    assert c.factor_correlations.iloc[0, 1] == pytest.approx(0.3, abs=0.1)


# ----------------------------------------------------------------------------- bad input
def test_bad_inputs(sim, bfi):
    w, d = sim
    x = d[list(w.spec.items)].copy()
    const = x.assign(prod1=3.0)
    with pytest.raises(InsufficientDataError, match="zero variance.*prod1"):
        efa(const, n_factors=2)
    with pytest.raises(InsufficientDataError, match=r"fewer rows \(10\) than items \(21\)"):
        efa(x.dropna().iloc[:10], n_factors=2)
    with pytest.raises(RingstatsError, match=r"`n_factors` must be at most 15 for 21 items"):
        efa(x, n_factors=16)
    with pytest.raises(RingstatsError, match="`n_factors` must be"):
        efa(x, n_factors=0)
    with pytest.raises(RingstatsError, match="`rotation` must be one of"):
        efa(x, n_factors=2, rotation="quartimax")
    with pytest.raises(RingstatsError, match="`method` must be one of"):
        efa(x, n_factors=2, method="pa")
    with pytest.raises(RingstatsError, match="`correlation` must be one of"):
        efa(x, n_factors=2, correlation="spearman")
    with pytest.raises(RingstatsError, match="`nan_policy` must be one of"):
        efa(x, n_factors=2, nan_policy="drop")
    with pytest.raises(RingstatsError, match="not both"):
        efa(d, items=["prod1", "prod2", "prod3"], spec=w.spec)
    with pytest.raises(RingstatsError, match="not in `data`"):
        efa(d, items=["prod1", "prod2", "nope"])
    with pytest.raises(InsufficientDataError, match="at least 3 items"):
        kmo(d, items=["prod1", "prod2"])
    with pytest.raises(RingstatsError, match="must be a pandas DataFrame"):
        bartlett(x.to_numpy())
    with pytest.raises(RingstatsError, match="`quantile` must be"):
        parallel_analysis(bfi, quantile=1.5)
    with pytest.raises(RingstatsError, match="`method` must be one of"):
        parallel_analysis(bfi, method="minres")
    with pytest.raises(RingstatsError, match="`n_sim` must be"):
        parallel_analysis(bfi, n_sim=0)


def test_nonconvergence_raises(monkeypatch, bfi):
    from scipy import optimize

    from ringstats.measurement import _extract

    def broken(fun, x0, **kwargs):
        return optimize.OptimizeResult(x=np.asarray(x0), success=False, nit=1000,
                                       message="STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")

    monkeypatch.setattr(_extract.optimize, "minimize", broken)
    with pytest.raises(ConvergenceError, match="did not converge.*ITERATIONS"):
        efa(bfi, n_factors=5, method="ml")
    with pytest.raises(ConvergenceError, match="did not converge"):
        efa(bfi, n_factors=5, method="minres")


def test_rmsea_interval_kernel():
    from ringstats._kernels.fit import noncentrality_ci, rmsea_ci

    # chi-square below its df: the interval starts at 0
    assert rmsea_ci(10.0, 20, 99) == (0.0, 0.0)
    lo, hi = rmsea_ci(30.0, 20, 99)
    assert lo == 0.0 and 0 < hi < 0.2
    # the bounds put chisq at the 95% and 5% quantiles of the noncentral chi-square
    from scipy import stats

    l_lo, l_hi = noncentrality_ci(1808.943, 185)
    assert stats.ncx2.cdf(1808.943, 185, l_lo) == pytest.approx(0.95, abs=1e-10)
    assert stats.ncx2.cdf(1808.943, 185, l_hi) == pytest.approx(0.05, abs=1e-10)
    # psych (N - 1) and lavaan (N) conventions differ only in the divisor
    a, b = rmsea_ci(1808.943, 185, 2799), rmsea_ci(1808.943, 185, 2800)
    assert a[0] == pytest.approx(b[0] * np.sqrt(2800 / 2799), rel=1e-12)


def test_parallel_polychoric_permutes_columns(sim):
    w, d = sim
    pa = parallel_analysis(d, spec=w.spec, correlation="polychoric", n_sim=8, seed=4,
                           progress=False)
    assert pa.correlation == "polychoric" and pa.n_iter == 8
    # three ring dimensions stand out from permuted data
    assert pa.n_factors == 3
    assert (pa.eigenvalues["random_quantile"] < 1.5).all()


@pytest.mark.parametrize("method,rotation,expected", [
    # f <- psych::fa(bfi[, 1:25], nfactors = 5, fm = "minres", rotate = "oblimin")
    # c(f$STATISTIC, f$dof, f$TLI, f$RMSEA[1:3], f$BIC, f$rms)   (psych 2.2.9)
    ("minres", "oblimin", [1808.943, 185, 0.8672651, 0.05599015, 0.05366671, 0.05836612,
                           340.5285, 0.02898448]),
    # same with fm = "ml", rotate = "varimax"
    ("ml", "varimax", [1749.883, 185, 0.8720924, 0.05496255, 0.05263677, 0.05734094,
                       281.4688, 0.02983126]),
])
def test_fit_statistics_match_psych(bfi, method, rotation, expected):
    f = efa(bfi, n_factors=5, method=method, rotation=rotation).fit
    chisq, df, tli, rmsea, lo, hi, bic, rms = expected
    assert f["chisq"] == pytest.approx(chisq, abs=0.01)
    assert f["df"] == df
    assert f["tli"] == pytest.approx(tli, abs=1e-3)
    assert f["rmsea"] == pytest.approx(rmsea, abs=1e-4)
    assert f["rmsea_ci_low"] == pytest.approx(lo, abs=1e-4)
    assert f["rmsea_ci_high"] == pytest.approx(hi, abs=1e-4)
    assert f["bic"] == pytest.approx(bic, abs=0.01)
    assert f["rmsr"] == pytest.approx(rms, abs=1e-4)
