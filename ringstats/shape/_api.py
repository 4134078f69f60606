"""Public entry points of the plateau test: :func:`plateau` (one driver) and
:func:`plateau_table` (every ring and construct of a spec)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .._kernels.progress import progress_enabled, progress_iter
from ..errors import RingstatsError
from ..spec import RingSpec
from ._data import resolve_plateau_data
from ._fit import DEFAULT_SESOI_RATIO, fit_plateau, plateau_options
from ._results import PlateauResult, PlateauTable

__all__ = ["plateau", "plateau_table"]

_TABLE_ONLY = ("levels", "scores", "progress")


def plateau(
    data: pd.DataFrame,
    *,
    driver: str | None = None,
    outcome: str | None = None,
    covariates: Sequence[str] | None = None,
    sesoi: float | None = None,
    sesoi_ratio: float = DEFAULT_SESOI_RATIO,
    ci: float = 0.95,
    n_knots: int = 4,
    alpha: float = 0.05,
    concave: bool = False,
    cov_type: str = "HC3",
    bp_ci: str = "bootstrap",
    equivalence: str = "delta",
    trim: float = 0.10,
    n_boot: int = 200,
    seed: int | None = None,
    spec: RingSpec | None = None,
    **table_options: Any,
) -> PlateauResult:
    """Test whether the effect of one driver on an outcome plateaus, and name its shape.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    driver : str
        Numeric driver column.
    outcome : str, optional
        Numeric outcome column; default the LTR column of ``spec`` when one is given.
    covariates : list of str, optional
        Columns to adjust for (linear terms).
    sesoi : float, optional
        Smallest effect size of interest, as an absolute slope in outcome units per driver
        unit (per scale point for mean scores), e.g. 0.25 LTR points per scale point. Default
        None: a relative bound, see ``sesoi_ratio``.
    sesoi_ratio : float
        Used when ``sesoi`` is None: a plateau means the slope above the breakpoint is less
        than ``sesoi_ratio`` times the slope below it (default 0.5, "the curve at least
        halves its slope"). The test is then on the linear contrast
        ``slope_right - sesoi_ratio * slope_left < 0``, which keeps the bound's uncertainty
        in the standard error. The evidence review's example bound (0.05 LTR points per
        scale point) is far below what n of a few thousand can establish, so the default
        is relative; pre-register an absolute bound when you have one.
    ci : float
        Confidence level of the reported intervals.
    n_knots : int
        Knots of the restricted cubic spline (3-7; Harrell's quantiles).
    alpha : float
        Level of the Davies, nonlinearity and one-sided equivalence tests.
    concave : bool
        Also fit a monotone increasing, concave curve (bounded least squares on a hinge
        basis) and report its AIC next to the linear and spline fits.
    cov_type : {"HC3", "nonrobust"}
        Covariance of the linear, spline and segmented slope estimates (HC3:
        MacKinnon & White 1985). The breakpoint SE and the Davies test always use the
        classical OLS variance, as R ``segmented`` does.
    levels : sequence of {"ring", "construct"}
        With ``spec``: which scores get a row.
    bp_ci : {"bootstrap", "profile", "delta"}
        Interval for the breakpoint (see :func:`breakpoint_ci`): case-bootstrap
        percentile interval (default; about nominal coverage on the simulator), inverted
        F test (fast, undercovers when the kink is smoothed by measurement error), or the
        delta-method interval of R ``segmented`` (parity with R; undercovers badly then).
        The verdict does not depend on this choice.
    equivalence : {"delta", "bootstrap"}
        How the right slope is tested against the sesoi. ``"delta"`` (default): a t test of
        the contrast at the estimated breakpoint with the delta-method SE of R
        ``segmented::slope`` (it carries the breakpoint's uncertainty). ``"bootstrap"``: the
        basic bootstrap of the contrast with the breakpoint searched again in every case
        resample, which also corrects the optimism of choosing the breakpoint that fits
        best; more conservative (Notes).
    ci : float
        Confidence level of the reported intervals.
    n_knots : int
        Knots of the restricted cubic spline (3-7; Harrell's quantiles).
    alpha : float
        Level of the Davies, nonlinearity, slope-sign and equivalence tests.
    concave : bool
        Also fit a monotone increasing, concave curve (bounded least squares on a hinge
        basis) and report its AIC next to the linear and spline fits.
    cov_type : {"HC3", "nonrobust"}
        Covariance of the linear, spline and segmented slope estimates (HC3:
        MacKinnon & White 1985). The breakpoint SE and the Davies test always use the
        classical OLS variance, as R ``segmented`` does.
    bp_ci : {"bootstrap", "profile", "delta"}
        Interval for the breakpoint (see :func:`breakpoint_ci`): case-bootstrap
        percentile interval (default; about nominal coverage on the simulator), inverted
        F test (fast, undercovers when the kink is smoothed by measurement error), or the
        delta-method interval of R ``segmented`` (parity with R; undercovers badly then).
        The verdict does not depend on this choice.
    trim : float
        Smallest share of observations on each side of a breakpoint (default 0.10): the
        slope above the breakpoint must rest on at least a tenth of the data. A breakpoint
        near the edge makes the right slope noisy, and the least-squares search picks the
        noisiest, flattest one (Andrews 1993 trims 15% for the same reason). The Davies
        test keeps R's grid.
    n_boot : int
        Bootstrap resamples for the breakpoint interval and the equivalence test (at least
        20; default 200).
    seed : int, optional
        Seed of the breakpoint bootstrap.
    spec : RingSpec, optional
        Only to default ``outcome`` to the spec's LTR. *Deprecated:* ``plateau(data,
        spec=spec)`` without ``driver`` (with ``levels``, ``scores``, ``progress``) still
        returns a :class:`PlateauTable` with a ``FutureWarning`` for one release; use
        :func:`plateau_table`.

    Returns
    -------
    PlateauResult
        Verdict, reason and the numbers behind it, with typed parts (``spline``,
        ``segmented``, ``davies``, ``equivalence``, ``ceiling``, ``design``).

    See Also
    --------
    plateau_table : the same test for every ring and construct of a spec.
    marginal_effects : the slope curve with a simultaneous band.

    Notes
    -----
    The test has five components: (a) a linear fit (OLS, HC3 standard errors, MacKinnon &
    White 1985); (b) a restricted cubic spline with knots at Harrell's (2015, Table 2.3)
    quantiles and an F test that its nonlinear terms are zero (``rms::anova``); (c) a
    one-breakpoint segmented regression (least squares; breakpoint SE and slopes as R
    ``segmented``, Muggeo 2003) and the Davies (1987, 2002) test for a kink exactly as
    ``segmented::davies.test``; (d) two one-sided tests (TOST; Schuirmann 1987, Lakens
    2017) that the slope above the breakpoint lies within +/- the smallest effect size of
    interest; (e) a verdict named by the shape it establishes, with the numbers behind it
    and a rough sample size needed to decide; optionally (f) a monotone increasing,
    concave least-squares fit (cf. ``scam``'s ``micv`` basis; Pya & Wood 2015).

    *Verdict rules* (all tests at level ``alpha``; one-sided bounds at 1 - alpha; in this
    order):

    - **plateau**: Davies p < alpha, the left slope's lower bound > 0, and the right slope
      shown within +/- the sesoi by two one-sided tests: ``right - bound`` significantly
      below 0 *and* ``right + bound`` significantly above 0 (``p_tost`` = the larger
      p-value; relative bound ``bound = sesoi_ratio * left``, its uncertainty kept in the
      SE). A curve that turns down steeply after the kink is not a plateau.
    - **decline**: Davies p < alpha, left slope's lower bound > 0, right slope's upper
      bound < 0: the curve turns down after the kink (inverted U).
    - **dip**: Davies p < alpha, left slope's upper bound < 0, right slope's lower bound
      > 0: the curve falls, then rises (U shape).
    - **diminishing**: Davies p < alpha, slope change significantly negative, right
      slope's lower bound > 0, not shown within the sesoi.
    - **increasing**: Davies p < alpha, the slope change at the driver's median
      significantly positive, right slope's lower bound > 0 and the left slope not
      significantly negative (convex).
    - **linear**: Davies p >= alpha, spline nonlinearity p >= alpha, linear slope's lower
      bound > 0, *and* informative data: the lower bound of the slope change at a
      pre-specified breakpoint (the driver's median) lies above a plateau-sized change
      (the change that would bring the linear slope down to the sesoi).
    - **inconclusive**: everything else (the reason says which rule failed).

    Until version 0.x the plateau rule tested the upper side only (right slope below the
    bound), so a significant decline after the kink was called "plateau" and a U shape
    "increasing"; ``benchmarks/results/oc_plateau.md`` shows the verdicts that changed.

    *Sample size to decide.* For an inconclusive verdict ``n_needed = n * (h / d)^2``,
    with ``h`` the half-width of the deciding interval and ``d`` the distance of its
    estimate from the bound. When the plateau contrast and the slope change at the median
    are both negative, the larger of the two requirements (equivalence contrast below 0;
    slope change away from 0, a stand-in for the Davies test); otherwise the slope change
    at the median against the plateau-sized change (the "linear" route). It
    assumes the estimate stays where it is and the SE shrinks as 1/sqrt(n): a rough
    guide, not a power analysis. ``inf`` means the estimate is on the wrong side. For a
    "diminishing" verdict it is the n at which the plateau contrast would become
    significant (``n`` itself when its estimate is not below the bound); for the other
    decided verdicts it is ``n``. It is NaN for an inconclusive verdict whose deciding
    interval is already narrow enough while another rule fails (for example a significant
    spline nonlinearity without a significant kink: no single breakpoint fits the curve).

    *Equivalence test.* A ``plateau`` verdict claims that at the reported breakpoint the
    slope above is below the bound. The least-squares breakpoint is the one where the bend
    looks sharpest, so the contrast ``right - ratio * left`` at it is more negative than at
    the population's own least-squares breakpoint; where a curve keeps flattening towards
    the top (a kink smoothed by measurement error, an outcome ceiling) the population
    contrast at a higher breakpoint is more negative too. On the simulator
    (``benchmarks/results/oc_plateau.md``, 200 replicates per design) the delta-method test
    (the default) made a false claim, a plateau where the population ratio at the
    reported breakpoint is .5 or more, in at most 6% of replicates in any design (Monte
    Carlo error about 3%), the bootstrap test (``equivalence="bootstrap"``: case resamples
    that search the breakpoint again, basic bootstrap of Davison & Hinkley 1997, eq. 5.6,
    upper bound ``2 c - q_alpha(c*)``, p-value ``P*(c* <= 2 c)``, bias-corrected contrast
    ``2 c - mean(c*)``) in at most 3%, at about half the power. Choose the bootstrap for a
    claim that should also hold at the population's least-squares breakpoint.

    *Driver metric and ceilings.* A plateau is a statement about the shape of a curve,
    and shape is not invariant to monotone rescaling of either axis. Mean scores of
    skewed five-point items compress the top of the trait into the top category, so a
    bend in the trait flattens less in scale points (on the simulator's ``base`` world
    the population ratio of right to left slope is about .36 in mean scores and .21 on
    the latent metric; the generator bends latent loyalty to .27 of its slope). The
    latent metric (the default) therefore finds a real bend with far fewer customers. A
    0-10 LTR with many 10s has a ceiling of its own, which flattens every driver's curve
    at the top; in mean scores of skewed items the squeezed top of the driver hides most
    of it, on the latent metric it shows in full. Then a driver that is linear in latent
    loyalty can earn ``plateau`` in LTR: ring 3 of ``base`` in about 11% of samples of
    2,000, the rings of the ``linear`` world in up to 7%. Such a verdict is true of LTR
    (it stops rising) but says nothing about the driver. Every result reports the share of
    the outcome at its maximum (``ceiling``); summaries warn above 15%.

    *Breakpoint CI.* By default a case-bootstrap percentile interval. The delta-method
    interval of R ``segmented`` (Muggeo 2003; ``bp_ci="delta"``, always stored as
    ``segmented["psi_delta_ci_low"/"psi_delta_ci_high"]``) assumes a sharp, clearly
    identified kink: on the simulator's ``base`` world at n = 2,000 it covered the
    population breakpoint in about half the replicates (``benchmarks/oc_plateau.py``).
    The Davies test is slightly conservative (an upper bound of the p-value).

    References
    ----------
    Andrews, D. W. K. (1993). Tests for parameter instability and structural change with
    unknown change point. Econometrica 61, 821-856.
    Davies, R. B. (1987). Biometrika 74, 33-43; (2002) Biometrika 89, 484-489.
    Davison, A. C. & Hinkley, D. V. (1997). Bootstrap Methods and their Application.
    Cambridge University Press.
    Harrell, F. E. (2015). Regression Modeling Strategies, 2nd ed. Springer.
    Lakens, D. (2017). Equivalence tests. Soc. Psychol. Personal. Sci. 8, 355-362.
    MacKinnon, J. G. & White, H. (1985). J. Econometrics 29, 305-325.
    Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points.
    Statistics in Medicine 22, 3055-3071.
    Schuirmann, D. J. (1987). J. Pharmacokinet. Biopharm. 15, 657-680.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ringstats.shape import plateau
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(0, 10, 1500)
    >>> y = 0.6 * np.minimum(x, 5) + rng.normal(0, 1, 1500)
    >>> res = plateau(pd.DataFrame({"x": x, "y": y}), driver="x", outcome="y")
    >>> res.verdict, bool(4.5 < res.segmented.psi < 5.5)
    ('plateau', True)
    >>> y2 = 0.6 * np.minimum(x, 5) - 0.4 * np.maximum(x - 5, 0) + rng.normal(0, 1, 1500)
    >>> plateau(pd.DataFrame({"x": x, "y": y2}), driver="x", outcome="y").verdict
    'decline'
    """
    if driver is None and spec is not None:
        warnings.warn("plateau(data, spec=...) without `driver` is deprecated and will be "
                      "removed in the next release; use plateau_table(data, spec=...), which "
                      "returns the same PlateauTable.", FutureWarning, stacklevel=2)
        return plateau_table(  # type: ignore[return-value]
            data, spec=spec, outcome=outcome, covariates=covariates, sesoi=sesoi,
            sesoi_ratio=sesoi_ratio, ci=ci, n_knots=n_knots, alpha=alpha, concave=concave,
            cov_type=cov_type, bp_ci=bp_ci, equivalence=equivalence, trim=trim,
            n_boot=n_boot, seed=seed, **table_options)
    if table_options:
        bad = sorted(table_options)
        if set(bad) <= set(_TABLE_ONLY):
            raise RingstatsError(f"{', '.join(f'`{b}`' for b in bad)} only apply to a spec: "
                                 "use plateau_table(data, spec=...).")
        raise RingstatsError(f"plateau() got unexpected keyword argument(s) {bad}.")
    opts = plateau_options(sesoi=sesoi, sesoi_ratio=sesoi_ratio, ci=ci, n_knots=n_knots,
                           alpha=alpha, concave=concave, cov_type=cov_type, bp_ci=bp_ci,
                           equivalence=equivalence, trim=trim, n_boot=n_boot, seed=seed)
    if driver is None:
        raise RingstatsError("give `driver` (a column); for every ring and construct of a "
                             "spec use plateau_table(data, spec=...).")
    (d,) = resolve_plateau_data(data, outcome=outcome, driver=driver, spec=spec,
                                covariates=covariates)
    return fit_plateau(d, opts)


def plateau_table(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    covariates: Sequence[str] | None = None,
    levels: Sequence[str] = ("ring", "construct"),
    scores: str = "latent",
    sesoi: float | None = None,
    sesoi_ratio: float = DEFAULT_SESOI_RATIO,
    ci: float = 0.95,
    n_knots: int = 4,
    alpha: float = 0.05,
    concave: bool = False,
    cov_type: str = "HC3",
    bp_ci: str = "bootstrap",
    equivalence: str = "delta",
    trim: float = 0.10,
    n_boot: int = 200,
    seed: int | None = None,
    progress: bool | None = None,
) -> PlateauTable:
    """Plateau verdicts for every ring score and construct score of a spec.

    Each row is :func:`plateau` of the outcome on one score. Options shared with
    :func:`plateau` (``sesoi`` to ``n_boot``) mean the same there.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (run ``spec.validate`` first).
    spec : RingSpec
        The rings and constructs to test.
    outcome : str, optional
        Numeric outcome column; default the spec's LTR column.
    covariates : list of str, optional
        Columns to adjust for (linear terms). Default: each ring score and construct is
        adjusted for the **other rings'** scores (constructs of the same ring are left out:
        they correlate about .8 with the driver).
    levels : sequence of {"ring", "construct"}
        Which scores get a row.
    scores : {"latent", "mean"}
        The metric of the drivers. ``"latent"`` (default): EAP scores of a
        one-factor normal-ogive model per ring and per construct
        (:func:`ringstats.latent_scores`), in SD units of the trait, with breakpoints also
        mapped to scale points (``bp_scale``). ``"mean"``: mean scores in scale points. The
        latent metric shows a bend in the trait sharply; it also shows the outcome's
        ceiling in full (Notes).
    seed : int, optional
        Seed of the breakpoint bootstrap (the k-th driver uses ``seed + k``).
    progress : bool, optional
        Progress bar over the drivers (default: on in terminals and notebooks, off in tests
        and with ``RINGSTATS_QUIET=1``).

    Returns
    -------
    PlateauTable
        ``.table`` (one row per ring and construct: verdict and the numbers behind it),
        ``.results`` (name -> :class:`PlateauResult`), ``summary()``, ``to_frame()``.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=3000, seed=1)
    >>> tab = rs.plateau_table(w.spec.validate(w.customers), spec=w.spec,
    ...                        levels=("ring",), bp_ci="profile", progress=False)
    >>> tab.table.loc["ring1", "verdict"]
    'plateau'
    """
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    opts = plateau_options(sesoi=sesoi, sesoi_ratio=sesoi_ratio, ci=ci, n_knots=n_knots,
                           alpha=alpha, concave=concave, cov_type=cov_type, bp_ci=bp_ci,
                           equivalence=equivalence, trim=trim, n_boot=n_boot, seed=seed)
    jobs = resolve_plateau_data(data, outcome=outcome, spec=spec, covariates=covariates,
                                levels=levels, scores=scores)
    show = progress_enabled(progress) and opts.bp_ci == "bootstrap"
    rows, results = [], {}
    for k, d in enumerate(progress_iter(jobs, total=len(jobs), desc="plateau", enabled=show)):
        res = fit_plateau(d, opts, seed=None if opts.seed is None else opts.seed + k)
        results[d.driver] = res
        rows.append({"name": d.driver, "level": d.level, "ring": d.ring, **res.key_numbers()})
    table = pd.DataFrame(rows).set_index("name")
    constructs = [d.driver for d in jobs if d.level == "construct"]
    notes: tuple[str, ...] = ()
    if len(constructs) > 1:
        from .._design import clean_for, indistinct_pairs, warn_indistinct

        clean = clean_for(data, spec)
        notes = warn_indistinct(indistinct_pairs(clean, spec, constructs),
                                analysis="the plateau table")
    return PlateauTable(table=table, results=results, outcome=jobs[0].outcome, notes=notes)
