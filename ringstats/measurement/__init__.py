"""Measuring beneath the surface: reliability, correlations, EFA, CFA, validity and scores.

The public face of the measurement domain. The estimators live in private modules
(``_reliability``, ``_correlation``, ``_efa``, ``_cfa``, ``_sem``, ``_invariance``,
``_validity``, ``_scores``); this module re-exports them and bundles them in
:func:`measurement_report`, whose summary is what
``ringstats measure survey.csv --spec spec.yaml`` prints.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._data import items_frame
from .._kernels.dispatch import is_moments, needs_rows
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import check_int, check_option, check_seed
from ..errors import RingstatsWarning
from ..spec import RingSpec, blocks_of
from ._cfa import CFAResult, cfa, judged_fit
from ._correlation import PolychoricResult, correlation, nearest_pd, polychoric
from ._efa import (
    BartlettResult,
    EFAResult,
    KMOResult,
    ParallelResult,
    bartlett,
    efa,
    kmo,
    parallel_analysis,
)
from ._invariance import InvarianceResult, invariance
from ._ordinal import LatentScores, latent_scores
from ._reliability import ReliabilityResult, cronbach_alpha, reliability
from ._scores import mean_scores, ring_scores, scores
from ._sem import SEMResult, sem
from ._validity import HTMTResult, fornell_larcker, htmt

__all__ = [
    "reliability", "ReliabilityResult", "cronbach_alpha",
    "polychoric", "PolychoricResult", "correlation", "nearest_pd",
    "efa", "EFAResult", "parallel_analysis", "ParallelResult",
    "kmo", "KMOResult", "bartlett", "BartlettResult",
    "cfa", "CFAResult", "sem", "SEMResult", "invariance", "InvarianceResult",
    "htmt", "HTMTResult", "fornell_larcker",
    "scores", "mean_scores", "ring_scores", "latent_scores", "LatentScores",
    "measurement_report", "MeasurementReport",
]

_REPORT_NAN = ("listwise", "pairwise")


@dataclass(frozen=True)
class MeasurementReport(ResultMixin):
    """Everything needed to judge a ring measurement model, in one object.

    Attributes
    ----------
    checks : DataFrame
        One row per construct: ``ring`` (RingSpec only), ``alpha``, ``omega_total``, ``cr``,
        ``ave``, ``min_std_loading``, ``max_htmt`` (largest HTMT with another construct),
        ``fornell_larcker`` (True when sqrt(AVE) exceeds every latent correlation) and
        ``ok`` (alpha and CR >= .70, AVE >= .50, every standardised loading >= .60 and
        HTMT < .85). Fornell-Larcker is shown but not part of ``ok``: it misses and
        over-flags discriminant-validity problems (Henseler, Ringle & Sarstedt 2015), so HTMT
        is the criterion used.
    reliability : ReliabilityResult
    cfa : CFAResult
    loadings : DataFrame
        Standardised CFA loadings per item (``construct``, ``std_estimate``, ``std_se``,
        ``std_ci_low``, ``std_ci_high``).
    fit : Series
        The CFA fit report (chi-square, CFI, TLI, RMSEA with CI, SRMR, ...).
    htmt : HTMTResult
    fornell_larcker : DataFrame
    kmo : KMOResult
    bartlett : BartlettResult
    parallel : ParallelResult or None
        None when the report was made from survey moments (see ``needs_rows``).
    n_constructs : int
    nan_policy : str
    notes : tuple of str
    needs_rows : tuple of str
        Parts that were not run because they need the survey's rows (from a
        ``SurveyMoments``: ``"parallel_analysis"``); empty from a DataFrame.
    """

    checks: pd.DataFrame
    reliability: ReliabilityResult
    cfa: CFAResult
    loadings: pd.DataFrame
    fit: pd.Series
    htmt: HTMTResult
    fornell_larcker: pd.DataFrame
    kmo: KMOResult
    bartlett: BartlettResult
    parallel: ParallelResult | None
    n_constructs: int
    nan_policy: str
    notes: tuple[str, ...] = field(default=())
    needs_rows: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        f = self.fit
        s = Summary(f"Measurement report ({self.n_constructs} constructs, "
                    f"n = {self.cfa.n_obs}, missing: {self.nan_policy})")
        s.add_table(self.checks, "Construct checks")
        j, version = judged_fit(f)
        tag = "" if version == "standard" else f" ({version})"
        lines = {"chi-square": f"{f['chisq']:.2f} on {int(f['df'])} df, p = {f['p_val']:.3g}"}
        if self.cfa.estimator == "WLSMV":
            lines["scaled chi-square"] = (f"{f['chisq_scaled']:.2f} on {int(f['df'])} df, "
                                          f"p = {f['p_val_scaled']:.3g}")
        lines.update({
            f"CFI{tag}": j["cfi"], f"TLI{tag}": j["tli"],
            f"RMSEA{tag} [90% CI]": (f"{j['rmsea']:.3f} [{j['rmsea_ci_low']:.3f}, "
                                     f"{j['rmsea_ci_high']:.3f}]"),
            "SRMR": j["srmr"],
        })
        if version != "standard":
            lines["CFI / TLI / RMSEA unscaled"] = (f"{f['cfi']:.3f} / {f['tli']:.3f} / "
                                                   f"{f['rmsea']:.3f} (optimistic under "
                                                   "DWLS; not judged)")
        s.add_dict(lines, f"CFA fit ({self.cfa.estimator})")
        s.add_table(self.loadings, "Standardised loadings (CFA)")
        s.add_table(self.reliability.table, "Reliability")
        s.add_table(self.htmt.matrix, "HTMT")
        s.add_table(self.fornell_larcker, "Fornell-Larcker (sqrt AVE on the diagonal)")
        s.add_dict({
            "KMO (overall MSA)": self.kmo.overall,
            "lowest item MSA": f"{self.kmo.per_item.min():.3f} ({self.kmo.per_item.idxmin()})",
            "Bartlett chi-square": f"{self.bartlett.chisq:.1f} on {self.bartlett.df} df, "
                                   f"p = {self.bartlett.p_val:.3g}",
            "parallel analysis": (f"{self.parallel.n_factors} factor(s) above chance "
                                  f"(spec has {self.n_constructs} constructs)"
                                  if self.parallel is not None else
                                  "not run (needs the survey's rows)"),
        }, "Factorability and dimensionality")
        s.add_note("Rules of thumb: CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08 (Hu & Bentler "
                   "1999); alpha, CR >= .70 and AVE >= .50 (Fornell & Larcker 1981); HTMT < .85 "
                   "(Henseler, Ringle & Sarstedt 2015). Thresholds are conventions, not tests.")
        for note in self.notes:
            s.add_note(note)
        return s


def _checks(rel: ReliabilityResult, loadings: pd.DataFrame, ht: HTMTResult,
            fl: pd.DataFrame, blocks: dict[str, list[str]]) -> pd.DataFrame:
    tab = rel.table
    names = list(blocks)
    mat = ht.matrix.loc[names, names].to_numpy(dtype=float).copy()
    np.fill_diagonal(mat, np.nan)
    out = pd.DataFrame(index=pd.Index(names, name="construct"))
    if "ring" in tab.columns:
        out["ring"] = tab.loc[names, "ring"]
    for col in ("alpha", "omega_total", "cr", "ave"):
        out[col] = tab.loc[names, col].astype(float)
    out["min_std_loading"] = loadings.groupby("construct")["std_estimate"].min().loc[names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out["max_htmt"] = np.nanmax(mat, axis=1) if len(names) > 1 else np.nan
    out["fornell_larcker"] = fl.loc[names, "pass"].astype(bool)
    out["ok"] = ((out["alpha"] >= 0.70) & (out["cr"] >= 0.70) & (out["ave"] >= 0.50)
                 & (out["min_std_loading"] >= 0.60) & ~(out["max_htmt"] >= 0.85))
    return out


def measurement_report(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    n_boot: int = 0,
    seed: int | None = None,
    nan_policy: str = "listwise",
    estimator: str = "auto",
) -> MeasurementReport:
    """Reliability, CFA fit, loadings, discriminant validity and factorability in one report.

    Parameters
    ----------
    data : DataFrame or SurveyMoments
        Item responses cleaned by ``spec.validate``, or the moments of
        :func:`ringstats.summarize`: then every part but the parallel analysis runs
        (reliability, CFA, HTMT, Fornell-Larcker, KMO, Bartlett), equal to the in-memory
        report on the same rows; ``needs_rows`` names the part that was not run.
    spec : RingSpec or dict
        The measurement model (at least two constructs).
    n_boot : int
        Bootstrap resamples for the HTMT intervals (0: point estimates only; must be 0
        with moments).
    seed : int, optional
        Seed of the HTMT bootstrap and of the parallel analysis.
    nan_policy : {"listwise", "pairwise"}
        Missing-data handling passed to every part (the CFA and Fornell-Larcker with
        ``"pairwise"`` use the pairwise covariance matrix).
    estimator : {"auto", "ML", "WLSMV"}
        The CFA's estimator (see :func:`cfa`): ``"auto"`` fits items with at most 5
        categories as ordinal (WLSMV) when ``nan_policy="listwise"``; the report names it.

    Returns
    -------
    MeasurementReport
        ``summary()`` renders HTML tables in a notebook and text in a terminal.

    Notes
    -----
    Parts: :func:`reliability` (alpha, omega total, CR, AVE), :func:`cfa` (ML, lavaan parity),
    :func:`htmt` and :func:`fornell_larcker`, :func:`kmo` and :func:`bartlett` on all items,
    and :func:`parallel_analysis` (Horn, 100 random data sets, 95% quantile) as a check of
    dimensionality against the number of constructs.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> rep = measurement_report(d, spec=w.spec, seed=1)
    >>> rep.checks.shape[0]
    6
    """
    from_moments = is_moments(data)
    if from_moments:
        blocks = blocks_of(spec)
    else:
        data, blocks = items_frame(data, spec)
    check_int(n_boot, "n_boot", min_value=0)
    check_seed(seed)
    check_option(nan_policy, "nan_policy", _REPORT_NAN)
    if from_moments and n_boot:
        raise needs_rows("measurement_report", "n_boot > 0 bootstraps HTMT, a non-linear "
                                               "statistic, by resampling rows; use n_boot=0 "
                                               "with moments")
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RingstatsWarning)
        rel = reliability(data, spec=spec, nan_policy=nan_policy)
        fit = cfa(data, spec=blocks, nan_policy=nan_policy, estimator=estimator)
        ht = htmt(data, spec=blocks, n_boot=n_boot, seed=seed, nan_policy=nan_policy)
        fl = fornell_larcker(data, spec=blocks, nan_policy=nan_policy, fitted=fit)
        items = [c for its in blocks.values() for c in its]
        k = kmo(data, items=items, nan_policy=nan_policy)
        b = bartlett(data, items=items, nan_policy=nan_policy)
        pa = None if from_moments else parallel_analysis(data, items=items, seed=seed,
                                                         nan_policy=nan_policy)
    for w in caught:
        if issubclass(w.category, RingstatsWarning) and str(w.message) not in notes:
            notes.append(str(w.message))
    # every flag of the measurement model travels with the report (CFA notes, HTMT >= .90)
    for msg in fit.warnings:
        if msg not in notes:
            notes.append(f"CFA: {msg}")
    if fit.heywood and not any("Heywood" in n for n in notes):
        notes.append(f"CFA: Heywood case in {', '.join(fit.heywood)} (negative residual "
                     "variance or standardised loading above 1).")
    high = ht.pairs[ht.pairs["htmt"] >= 0.90]
    for _, r in high.iterrows():
        notes.append(f"HTMT {r['htmt']:.2f} >= .90 between `{r['construct_a']}` and "
                     f"`{r['construct_b']}`: not empirically distinct (Henseler, Ringle & "
                     "Sarstedt 2015); driver, plateau and asymmetry results cannot separate "
                     "them. Consider merging them into one construct.")
    loadings = fit.loadings[["construct", "std_estimate", "std_se", "std_ci_low",
                             "std_ci_high"]].copy()
    checks = _checks(rel, loadings, ht, fl, blocks)
    if pa is None:
        notes.append("From survey moments: parallel analysis was not run (it compares the "
                     "eigenvalues with those of random data sets of the survey's size and, for "
                     "polychoric correlations, permutes the rows); run it on a sample of rows. "
                     "Every other part equals the in-memory report on the same rows.")
    elif pa.n_factors != len(blocks):
        notes.append(f"Parallel analysis suggests {pa.n_factors} factor(s) for "
                     f"{len(blocks)} constructs: constructs may be merged (highly correlated "
                     "constructs, e.g. within a ring) or split.")
    bad = list(checks.index[~checks["ok"]])
    if bad:
        notes.append("Constructs failing at least one check: " + ", ".join(bad) + ".")
    return MeasurementReport(
        checks=checks, reliability=rel, cfa=fit, loadings=loadings, fit=fit.fit, htmt=ht,
        fornell_larcker=fl, kmo=k, bartlett=b, parallel=pa, n_constructs=len(blocks),
        nan_policy=nan_policy, notes=tuple(notes),
        needs_rows=("parallel_analysis",) if from_moments else (),
    )
