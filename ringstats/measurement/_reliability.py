"""Internal consistency per construct: Cronbach's alpha (Feldt CI), McDonald's omega total,
composite reliability and AVE, and item diagnostics (corrected item-total correlation,
alpha if item deleted). Matches ``psych::alpha``, ``psych::omega`` and the Fornell-Larcker
formulas on lavaan's standardised loadings (tests).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._data import item_data, items_frame
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.linalg import minres_one_factor
from .._kernels.results import ResultMixin, Summary, as_result
from .._kernels.validation import (
    check_columns,
    check_numeric,
    check_option,
    check_probability,
)
from ..errors import (
    ConvergenceError,
    InsufficientDataError,
    RingstatsError,
    RingstatsWarning,
    SpecError,
)
from ..spec import RingSpec

__all__ = ["reliability", "ReliabilityResult", "cronbach_alpha"]

_NAN_POLICIES = ("pairwise", "listwise")


# ----------------------------------------------------------------------------- building blocks
def _block(data: pd.DataFrame, items: list[str], nan_policy: str, name: str) -> tuple[
        np.ndarray, int]:
    """Covariance matrix (psych: ``cov(x, use = "pairwise")``) and n for one construct."""
    x = data[items].astype(float)
    if nan_policy == "listwise":
        x = x.dropna()
    answered = x.notna().any(axis=1)
    n = int(answered.sum())
    p = len(items)
    if n <= p:
        raise InsufficientDataError(
            f"construct `{name}` has {n} usable rows for {p} items; reliability needs more "
            "rows than items."
        )
    for it in items:
        if x[it].nunique(dropna=True) < 2:
            raise InsufficientDataError(
                f"item `{it}` (construct `{name}`) is constant or has fewer than two answers; "
                "its variance is zero and reliability is undefined. Drop or fix the item."
            )
    c = x.cov(ddof=1).to_numpy()
    if not np.all(np.isfinite(c)):
        raise InsufficientDataError(
            f"some items of construct `{name}` are never answered together; their covariance "
            "is undefined."
        )
    return c, n


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return k / (k - 1) * (1.0 - np.trace(c) / c.sum())


def _std_alpha(c: np.ndarray) -> float:
    s = np.sqrt(np.diag(c))
    r = c / np.outer(s, s)
    k = r.shape[0]
    rbar = (r.sum() - k) / (k * (k - 1))
    return k * rbar / (1 + (k - 1) * rbar)


def _feldt(alpha: float, n: int, k: int, ci: float) -> tuple[float, float]:
    """Feldt (1965) interval: (1 - alpha_hat)/(1 - alpha) ~ F(n - 1, (n - 1)(k - 1))."""
    d1, d2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.ppf(1 - (1 - ci) / 2, d1, d2)
    hi = 1 - (1 - alpha) * stats.f.ppf((1 - ci) / 2, d1, d2)
    return float(lo), float(hi)


def _omega_total(c: np.ndarray) -> float:
    """psych::omega(nfactors = 1)$omega.tot: 1 - sum(u2) / sum(R), u2 = 1 - minres h2."""
    s = np.sqrt(np.diag(c))
    r = c / np.outer(s, s)
    lam = minres_one_factor(r)
    return float(1.0 - np.sum(1.0 - lam ** 2) / r.sum())


def _item_stats(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """psych::alpha r.drop and alpha if item deleted (NaN when one item would remain)."""
    k = c.shape[0]
    r_drop = np.empty(k)
    a_drop = np.full(k, np.nan)
    for i in range(k):
        keep = np.arange(k) != i
        rest = c[np.ix_(keep, keep)]
        r_drop[i] = (c[i].sum() - c[i, i]) / np.sqrt(c[i, i] * rest.sum())
        if k > 2:
            a_drop[i] = _alpha_from_cov(rest)
    return r_drop, a_drop


# ----------------------------------------------------------------------------- cronbach_alpha
def cronbach_alpha(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    ci: float = 0.95,
    nan_policy: str = "pairwise",
) -> pd.Series:
    """Cronbach's alpha of one set of items with the Feldt confidence interval.

    Parameters
    ----------
    data : DataFrame
        Item responses (reverse-keyed items already recoded).
    items : list of str
        At least two item columns.
    ci : float
        Confidence level of the interval.
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete covariances (psych's default) or complete rows only.

    Returns
    -------
    Series
        ``alpha`` (raw, from covariances), ``std_alpha`` (from correlations), ``ci_low``,
        ``ci_high``, ``n`` (rows with at least one answered item), ``n_items``.

    Raises
    ------
    InsufficientDataError
        Fewer than two items, a constant item, or no more rows than items.

    Notes
    -----
    :math:`\\alpha = \\frac{k}{k-1}\\bigl(1 - \\sum_i s_i^2 / s_X^2\\bigr)` (Cronbach 1951),
    from the pairwise covariance matrix as ``psych::alpha``. The interval is Feldt's (1965):
    :math:`(1-\\hat\\alpha)/(1-\\alpha) \\sim F(n-1, (n-1)(k-1))`, as ``psych::alpha.ci``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16, 297-334. Feldt, L. S. (1965). The approximate sampling distribution
    of Kuder-Richardson reliability coefficient twenty. *Psychometrika* 30, 357-370.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement._reliability import cronbach_alpha
    >>> w = draw("base", n=500, seed=1)
    >>> df = w.spec.validate(w.customers)
    >>> a = cronbach_alpha(df, items=["prod1", "prod2", "prod3", "prod4"])
    >>> bool(a["ci_low"] < a["alpha"] < a["ci_high"])
    True
    """
    data, cols = item_data(data, items=items)
    check_probability(ci, "ci")
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    if len(cols) < 2:
        raise InsufficientDataError(
            f"Cronbach's alpha needs at least two items; got {len(cols)} ({cols[0]!r})."
        )
    c, n = _block(data, cols, nan_policy, "items")
    a = _alpha_from_cov(c)
    lo, hi = _feldt(a, n, len(cols), ci)
    return as_result(pd.Series({"alpha": a, "std_alpha": _std_alpha(c), "ci_low": lo,
                                "ci_high": hi, "n": n, "n_items": len(cols)},
                               name="cronbach_alpha"),
                     f"Cronbach's alpha ({len(cols)} items; Feldt {100 * ci:g}% CI)")


# ----------------------------------------------------------------------------- reliability
@dataclass(frozen=True)
class ReliabilityResult(ResultMixin):
    """Result of :func:`reliability`.

    Attributes
    ----------
    table : DataFrame
        One row per construct (index ``construct``): ``ring`` (RingSpec only), ``n_items``,
        ``n``, ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``, ``std_alpha``, ``omega_total``,
        ``cr``, ``ave``, ``sqrt_ave``.
    items : DataFrame
        One row per item (index ``item``): ``construct``, ``r_drop`` (corrected item-total
        correlation), ``alpha_if_deleted``, ``mean``, ``sd``, ``std_loading`` (CFA).
    ci : float
        Confidence level of the alpha intervals.
    nan_policy : str
        Missing-data handling.
    notes : tuple of str
        Warnings raised while computing (undefined statistics, CFA problems).
    """

    table: pd.DataFrame
    items: pd.DataFrame
    ci: float
    nan_policy: str
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        s = Summary("Reliability per construct")
        s.add_table(self.table, f"Constructs (alpha with {self.ci:.0%} Feldt interval)")
        s.add_table(self.items, "Items")
        s.add_note("alpha: Cronbach (psych::alpha); omega_total: McDonald, one-factor minres "
                   "(psych::omega); cr, ave: Fornell & Larcker (1981) from the CFA standardised "
                   "loadings. Rules of thumb: alpha, omega, CR >= .70; AVE >= .50.")
        for n in self.notes:
            s.add_note(n)
        return s


def reliability(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    ci: float = 0.95,
    nan_policy: str = "pairwise",
) -> ReliabilityResult:
    """Reliability of every construct: alpha (Feldt CI), omega total, CR, AVE, item statistics.

    Parameters
    ----------
    data : DataFrame
        Item responses (validate with ``spec.validate`` first: missing codes NaN, reverse-keyed
        items recoded).
    spec : RingSpec or dict
        Constructs and their items.
    ci : float
        Confidence level of the alpha intervals.
    nan_policy : {"pairwise", "listwise"}
        Covariances from pairwise-complete rows (psych's default) or complete rows per
        construct; the CFA behind CR/AVE uses the same policy.

    Returns
    -------
    ReliabilityResult
        ``.table`` (one row per construct) and ``.items`` (one row per item).

    Raises
    ------
    InsufficientDataError
        A constant item, or no more rows than items in a construct.

    Warns
    -----
    RingstatsWarning
        One-item constructs (alpha, omega, CR, AVE are NaN), two-item constructs (omega and
        alpha-if-deleted are NaN), or a CFA that failed (CR/AVE NaN).

    Notes
    -----
    - ``alpha``: Cronbach (1951) from the pairwise covariance matrix; ``std_alpha`` from the
      correlations; Feldt (1965) F-based interval (``psych::alpha``).
    - ``omega_total``: McDonald's omega total as ``psych::omega(x, nfactors = 1)``: a
      one-factor minimum-residual (ULS) model on the item correlation matrix,
      :math:`\\omega_t = 1 - \\sum_i u_i^2 / \\mathbf 1' R \\mathbf 1` with
      :math:`u_i^2 = 1 - \\lambda_i^2`. The denominator is the *observed* variance of the
      standardised sum score, not the model-implied :math:`(\\sum\\lambda)^2 + \\sum u^2`;
      the latter is the CR below (which uses the joint ML CFA). Needs 3+ items (NaN for 2).
    - ``cr`` and ``ave``: Fornell & Larcker (1981) on the standardised loadings
      :math:`\\lambda` of ringstats' ML CFA of all constructs jointly (lavaan ``std.all``):
      :math:`CR = (\\sum\\lambda)^2 / [(\\sum\\lambda)^2 + \\sum(1-\\lambda^2)]`,
      :math:`AVE = \\overline{\\lambda^2}`. semTools' ``compRelSEM``/``AVE`` use other
      denominators and differ slightly.
    - ``r_drop``: correlation of the item with the sum of the other items of its construct;
      ``alpha_if_deleted``: alpha of the remaining items (NaN when one item would remain;
      psych reports a regression slope there).

    References
    ----------
    Cronbach (1951), *Psychometrika* 16, 297-334. Feldt (1965), *Psychometrika* 30, 357-370.
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum. Fornell, C., &
    Larcker, D. F. (1981). Evaluating structural equation models with unobservable variables
    and measurement error. *Journal of Marketing Research* 18(1), 39-50. Revelle, W. psych:
    ``alpha``, ``omega``.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement._reliability import reliability
    >>> w = draw("base", n=500, seed=1)
    >>> df = w.spec.validate(w.customers)
    >>> rel = reliability(df, spec=w.spec)
    >>> list(rel.table.columns[:4])
    ['ring', 'n_items', 'n', 'alpha']
    """
    if is_moments(data):
        return dispatch("reliability", data, spec=spec, ci=ci, nan_policy=nan_policy)
    data, blocks = items_frame(data, spec)
    check_probability(ci, "ci")
    check_option(nan_policy, "nan_policy", _NAN_POLICIES)
    all_items = [it for its in blocks.values() for it in its]
    check_columns(data, all_items, "spec")
    check_numeric(data, all_items, "spec")
    notes: list[str] = []
    rows = []
    item_rows = []
    for name, its in blocks.items():
        k = len(its)
        row: dict[str, object] = {"construct": name}
        if isinstance(spec, RingSpec):
            row["ring"] = spec.ring_of(name)
        row["n_items"] = k
        x = data[its].astype(float)
        if k < 2:
            x1 = x.dropna() if nan_policy == "listwise" else x
            if x1[its[0]].nunique(dropna=True) < 2:
                raise InsufficientDataError(
                    f"item `{its[0]}` (construct `{name}`) is constant or has fewer than two "
                    "answers; its variance is zero."
                )
            notes.append(f"construct `{name}` has one item: alpha, omega, CR and AVE are "
                         "undefined (NaN).")
            row.update(n=int(x1[its[0]].notna().sum()), alpha=np.nan, alpha_ci_low=np.nan,
                       alpha_ci_high=np.nan, std_alpha=np.nan, omega_total=np.nan)
            rows.append(row)
            item_rows.append({"item": its[0], "construct": name, "r_drop": np.nan,
                              "alpha_if_deleted": np.nan, "mean": float(x1[its[0]].mean()),
                              "sd": float(x1[its[0]].std(ddof=1))})
            continue
        c, n = _block(data, its, nan_policy, name)
        a = _alpha_from_cov(c)
        lo, hi = _feldt(a, n, k, ci)
        if k >= 3:
            om = _omega_total(c)
        else:
            om = np.nan
            notes.append(f"construct `{name}` has two items: omega total (one-factor model) "
                         "and alpha-if-item-deleted are undefined (NaN).")
        row.update(n=n, alpha=a, alpha_ci_low=lo, alpha_ci_high=hi, std_alpha=_std_alpha(c),
                   omega_total=om)
        rows.append(row)
        r_drop, a_drop = _item_stats(c)
        xs = x.dropna() if nan_policy == "listwise" else x
        for i, it in enumerate(its):
            item_rows.append({"item": it, "construct": name, "r_drop": r_drop[i],
                              "alpha_if_deleted": a_drop[i], "mean": float(xs[it].mean()),
                              "sd": float(xs[it].std(ddof=1))})
    table = pd.DataFrame(rows).set_index("construct")
    items_df = pd.DataFrame(item_rows).set_index("item")
    # CR / AVE from the joint CFA (constructs with 2+ items)
    cr, ave, lam = _cr_ave(data, blocks, nan_policy, notes)
    table["cr"] = [cr.get(nm, np.nan) for nm in table.index]
    table["ave"] = [ave.get(nm, np.nan) for nm in table.index]
    table["sqrt_ave"] = np.sqrt(table["ave"])
    items_df["std_loading"] = [lam.get(it, np.nan) for it in items_df.index]
    for nt in notes:
        warnings.warn(nt, RingstatsWarning, stacklevel=2)
    return ReliabilityResult(table=table, items=items_df, ci=float(ci), nan_policy=nan_policy,
                             notes=tuple(notes))


def _cr_ave(data: pd.DataFrame, blocks: dict[str, list[str]], nan_policy: str,
            notes: list[str]) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Fornell-Larcker CR and AVE from the standardised loadings of the joint ML CFA."""
    from ._cfa import cfa

    multi = {k: v for k, v in blocks.items() if len(v) >= 2}
    if not multi:
        return {}, {}, {}
    try:
        res = cfa(data, spec=multi, nan_policy=nan_policy, estimator="ML")
    except (ConvergenceError, InsufficientDataError, SpecError, RingstatsError) as exc:
        notes.append(f"the CFA behind CR and AVE could not be fitted ({exc}); CR and AVE are "
                     "NaN.")
        return {}, {}, {}
    lam = res.loadings["std_estimate"].astype(float)
    cr, ave = {}, {}
    for name, its in multi.items():
        lv = lam.loc[its].to_numpy()
        s = lv.sum() ** 2
        cr[name] = float(s / (s + np.sum(1.0 - lv ** 2)))
        ave[name] = float(np.mean(lv ** 2))
    if res.heywood:
        notes.append("Heywood case in the CFA behind CR/AVE (standardised loading > 1 or "
                     "negative residual variance): " + ", ".join(res.heywood) + ".")
    return cr, ave, lam.to_dict()
