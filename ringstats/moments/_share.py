"""How much of a ring's effect runs through contact moments (moment share)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._design import clean_for
from .._kernels.bootstrap import one_blas_thread, percentile_interval
from .._kernels.progress import progress_iter
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_seed,
)
from ..errors import RingstatsError
from ..measurement._scores import ring_scores
from ..spec import RingSpec
from ._moderation import ModerationResult, moderation


# ----------------------------------------------------------------------------------------
# moment share
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MomentShareResult(ResultMixin):
    """Result of :func:`moment_share`.

    Attributes
    ----------
    table : DataFrame
        Rows ``share`` (share of the ring-driven sum of squares that falls in the focal
        moments), ``baseline_share`` (the same with one common slope for all moments),
        ``contact_share`` (share of contacts), ``excess`` (share - baseline_share) and
        ``slope_ratio_sq`` (squared ratio of focal to reference slope, single ring only):
        estimate, ci_low, ci_high (percentile bootstrap).
    ring : int or str
    level : object
        The focal moment level.
    moderation : ModerationResult
        The model the contributions come from.
    boot : DataFrame
        Bootstrap replicates.
    n, n_boot : int
    ci : float
    """

    table: pd.DataFrame
    ring: Any
    level: Any
    moderation: ModerationResult
    boot: pd.DataFrame
    n: int
    n_boot: int
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Share of ring-{self.ring} driven loyalty variation in {self.level!r} "
                    f"moments (n = {self.n:,}, {self.n_boot} bootstrap replicates)")
        s.add_table(self.table)
        s.add_note("share = sum over focal-moment customers of the squared ring contribution "
                   "b(m)*(x - mean x), divided by the sum over all customers; compare with "
                   "baseline_share (same with one common slope) and contact_share.")
        return s


def _share_stats(y: np.ndarray, X: np.ndarray, m: np.ndarray, cols: list[int]) -> np.ndarray:
    """share, baseline, contact share, excess, slope ratio^2 for one (re)sample."""
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    one = np.ones((n, 1))
    full = np.column_stack([one, Xc, m, Xc * m[:, None]])
    beta = np.linalg.lstsq(full, y, rcond=None)[0]
    b = beta[1:1 + p]
    d = beta[2 + p:2 + 2 * p]
    contrib = Xc[:, cols] * (b[cols] + np.outer(m, d[cols]))
    c = contrib.sum(axis=1)
    common = np.column_stack([one, Xc, m])
    bc = np.linalg.lstsq(common, y, rcond=None)[0][1:1 + p]
    c0 = Xc[:, cols] @ bc[cols]
    foc = m == 1
    share = (c[foc] ** 2).sum() / (c ** 2).sum()
    base = (c0[foc] ** 2).sum() / (c0 ** 2).sum()
    ratio = ((b[cols[0]] + d[cols[0]]) / b[cols[0]]) ** 2 if len(cols) == 1 else np.nan
    return np.array([share, base, foc.mean(), share - base, ratio])


_SHARE_ROWS = ["share", "baseline_share", "contact_share", "excess", "slope_ratio_sq"]


def moment_share(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    moment: str | None = None,
    ring: int | str = 3,
    level: Any = None,
    n_boot: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    progress: bool | None = None,
) -> MomentShareResult:
    """Share of the ring-driven variation in loyalty that lies in the emotional moments.

    Parameters
    ----------
    data : DataFrame
        Customers, cleaned by ``spec.validate``.
    spec : RingSpec
        Ring scores are the drivers; ``spec.ltr`` and ``spec.moment`` are the defaults.
    outcome, moment : str, optional
        Outcome and binary moment columns (default ``spec.ltr``, ``spec.moment``).
    ring : {1, 2, 3, "all"}, default 3
        Whose contribution is decomposed; ``"all"`` sums the three ring contributions.
    level : optional
        The focal moment level (default: the non-reference level, e.g. ``"emotional"``).
    n_boot : int, default 1000
        Bootstrap replicates (customers resampled with replacement).
    seed : int, optional
    ci : float, default 0.95
    progress : bool, optional
        Progress bar (None: automatic).

    Returns
    -------
    MomentShareResult

    Notes
    -----
    **Definition.** Fit the moderation model of :func:`moderation` (all three ring scores,
    centred at the pooled mean, the moment and the ring x moment products; OLS). The ring-*r*
    contribution of customer *i* is :math:`c_i = \\hat\\beta_r(m_i)(x_{ri} - \\bar x_r)`: how
    far the model moves this customer's predicted loyalty away from the average because of
    ring *r*, with the slope of the customer's own moment. The **share** decided in focal
    moments is :math:`\\sum_{i \\in F} c_i^2 / \\sum_i c_i^2`, a sum-of-squares (variance)
    decomposition of the ring-driven part of predicted loyalty. Under *no* moderation the
    same quantity with one common slope, the **baseline share**, equals the focal moments'
    share of the ring's own spread, :math:`\\sum_F (x - \\bar x)^2 / \\sum (x - \\bar x)^2`,
    which is close to the **contact share** when the ring scores are distributed alike in
    both moments. The **excess** (share - baseline) is the part due to the moment changing
    the slope; for one ring, share/(1 - share) divided by baseline/(1 - baseline) equals
    :math:`(\\beta_F / \\beta_R)^2` exactly. Percentile bootstrap intervals resample customers.

    **Limits.** It is a model-based, descriptive split: linear within moment, attenuated by
    the measurement error of mean scores, blind to cross-terms between rings and to team
    clustering (the customer bootstrap ignores it), and it says where variation in predicted
    loyalty sits, not what would happen if emotional moments were handled better. A share
    of 0.5 with a contact share of 0.2 reads "20% of contacts carry half of the ring-3-driven
    loyalty differences" -- nothing more.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = moment_share(d, spec=w.spec, n_boot=50, seed=1)
    >>> list(res.table.index)[:3]
    ['share', 'baseline_share', 'contact_share']
    """
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    data = clean_for(data, spec, outcome=outcome or spec.ltr, linear="moment_share")
    ring = check_option(ring, "ring", (1, 2, 3, "all"))
    n_boot = check_int(n_boot, "n_boot", min_value=1)
    seed = check_seed(seed)
    ci = check_probability(ci, "ci")
    if outcome is None:
        if spec.ltr is None:
            raise RingstatsError("`outcome` must be a column name (the spec names no LTR); got None.")
        outcome = spec.ltr
    if moment is None:
        if spec.moment is None:
            raise RingstatsError("`moment` must be a column name (the spec names no moment); got None.")
        moment = spec.moment
    res = moderation(data, outcome=outcome, moderator=moment, spec=spec, ci=ci)
    if res.kind != "binary":
        raise RingstatsError(f"`moment` must be a binary column; {moment!r} is continuous.")
    focal = res.levels[1] if level is None else check_option(level, "level", res.levels)
    X = ring_scores(data, spec=spec)
    frame = pd.concat([data[outcome].astype(float).rename("__y"), X,
                       (data[moment] == focal).astype(float).where(data[moment].notna())
                       .rename("__m")], axis=1).dropna()
    y = frame["__y"].to_numpy()
    Xa = frame[list(X.columns)].to_numpy()
    m = frame["__m"].to_numpy()
    cols = [0, 1, 2] if ring == "all" else [list(X.columns).index(f"ring{ring}")]
    est = _share_stats(y, Xa, m, cols)
    rng = np.random.default_rng(seed)
    n = len(y)
    boot = np.empty((n_boot, len(_SHARE_ROWS)))
    with one_blas_thread():
        for b in progress_iter(range(n_boot), total=n_boot, desc="moment_share bootstrap",
                               enabled=progress):
            idx = rng.integers(0, n, n)
            boot[b] = _share_stats(y[idx], Xa[idx], m[idx], cols)
    lo, hi = percentile_interval(boot, ci)
    table = pd.DataFrame({"estimate": est, "ci_low": lo, "ci_high": hi},
                         index=pd.Index(_SHARE_ROWS, name="statistic"))
    if ring == "all":
        table = table.drop(index="slope_ratio_sq")
    return MomentShareResult(table=table, ring=ring, level=focal, moderation=res,
                             boot=pd.DataFrame(boot, columns=_SHARE_ROWS), n=n, n_boot=n_boot,
                             ci=ci)
