"""Latent-trait scores of ordinal items: a one-factor normal-ogive model and EAP scores.

Mean scores of skewed 5-point items are not an interval scale: where most answers pile up
in the top categories, a unit of the mean score covers more of the underlying trait than
elsewhere, so the *shape* of a driver -> outcome curve (a bend, a plateau) depends on the
metric it is drawn in. This module puts each construct (or ring) on the latent-trait
metric of the model that treats an answer as a cut of a continuous response:

    x_j = c  if  tau_{j,c-1} < lambda_j theta + sqrt(1 - lambda_j^2) e_j <= tau_{j,c},
    theta ~ N(0, 1), e_j ~ N(0, 1) independent,

the normal-ogive graded response model, equivalent to a factor analysis of the
discretised responses (Takane & de Leeuw 1987). It is estimated by limited information,
as Muthen (1984) and lavaan's ``ordered`` estimators do in their first stages: thresholds
from each item's marginal proportions, polychoric correlations
(:func:`ringstats._correlation.polychoric`) and one-factor minimum-residual (ULS) loadings
on them. Each respondent's score is the expected a posteriori (EAP) trait value given the
items answered, by Gauss-Hermite quadrature with the N(0, 1) prior (Bock & Mislevy 1982),
with its posterior SD as standard error.

References
----------
Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a
microcomputer environment. *Applied Psychological Measurement* 6, 431-444.
Muthen, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. *Psychometrika* 49, 115-132.
Takane, Y. & de Leeuw, J. (1987). On the relationship between item response theory and
factor analysis of discretized variables. *Psychometrika* 52, 393-408.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .._data import items_frame
from .._kernels.linalg import minres_one_factor
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_columns,
    check_int,
    check_numeric,
    check_option,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec, blocks_of
from ._correlation import polychoric

__all__ = ["latent_scores", "LatentScores"]

#: Largest absolute loading used for scoring; a Heywood case is clipped here (warned).
MAX_LOADING = 0.98
LEVELS = ("construct", "ring")


@dataclass(frozen=True)
class _Block:
    """Fitted one-factor normal-ogive model of one block of items."""

    items: tuple[str, ...]
    low: float  # response code of the first category
    loadings: np.ndarray  # (p,)
    thresholds: np.ndarray  # (p, K - 1); +-inf for categories never used
    groups: tuple[tuple[str, ...], ...]  # item groups averaged for the scale mapping

    @property
    def n_categories(self) -> int:
        return self.thresholds.shape[1] + 1

    def category_probs(self, theta: np.ndarray) -> np.ndarray:
        """P(x_j = c | theta): array (p, K, len(theta))."""
        lam = self.loadings[:, None, None]
        s = np.sqrt(1.0 - self.loadings**2)[:, None, None]
        p = len(self.items)
        bounds = np.concatenate([np.full((p, 1), -np.inf), self.thresholds,
                                 np.full((p, 1), np.inf)], axis=1)[:, :, None]
        cdf = ndtr((bounds - lam * np.asarray(theta, dtype=float)[None, None, :]) / s)
        return np.clip(np.diff(cdf, axis=1), 0.0, 1.0)

    def expected_score(self, theta: Any) -> np.ndarray:
        """Expected scale score at ``theta`` in response units: the mean over groups of the
        mean expected item response (the test characteristic curve of the scale)."""
        th = np.atleast_1d(np.asarray(theta, dtype=float))
        probs = self.category_probs(th)
        codes = self.low + np.arange(self.n_categories)
        item_ev = np.einsum("pkt,k->pt", probs, codes)
        pos = {it: j for j, it in enumerate(self.items)}
        return np.mean([item_ev[[pos[i] for i in g]].mean(axis=0) for g in self.groups], axis=0)


def _fit_block(data: pd.DataFrame, items: list[str], name: str,
               groups: Sequence[Sequence[str]]) -> _Block:
    if len(items) < 2:
        raise InsufficientDataError(
            f"`{name}`: a latent score needs at least 2 items; got {len(items)} ({items!r}). "
            "Use mean scores for single-item constructs."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RingstatsWarning)
        pc = polychoric(data, items=items, nan_policy="pairwise")
    for w in caught:
        warnings.warn(f"`{name}`: {w.message}", RingstatsWarning, stacklevel=4)
    r = pc.rho.to_numpy()
    if len(items) == 2:
        # just identified only with equal loadings
        lam = np.full(2, np.sqrt(max(r[0, 1], 0.0)))
    else:
        lam = minres_one_factor(r)
    bad = [it for it, v in zip(items, lam, strict=True) if abs(v) > MAX_LOADING]
    if bad:
        warnings.warn(
            f"`{name}`: loading(s) of {', '.join(bad)} exceed {MAX_LOADING} (a Heywood case: "
            f"the item nearly determines the factor); clipped to {MAX_LOADING} for scoring.",
            RingstatsWarning, stacklevel=4)
        lam = np.clip(lam, -MAX_LOADING, MAX_LOADING)
    weak = [it for it, v in zip(items, lam, strict=True) if v < 0.2]
    if weak:
        warnings.warn(
            f"`{name}`: item(s) {', '.join(weak)} load below 0.2 on the block's factor "
            "(reverse-keyed and not recoded, or not measuring the construct); their scores "
            "carry little information.", RingstatsWarning, stacklevel=4)
    tau = pc.thresholds.to_numpy(dtype=float)
    low = float(np.nanmin(data[items].to_numpy(dtype=float)))
    return _Block(items=tuple(items), low=low, loadings=lam, thresholds=tau,
                  groups=tuple(tuple(g) for g in groups))


def _eap(block: _Block, x: np.ndarray, n_points: int, min_items: int,
         chunk: int = 20000) -> tuple[np.ndarray, np.ndarray]:
    """EAP and posterior SD of theta for response rows ``x`` (NaN = not answered)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_points)
    logw = np.log(weights / weights.sum())
    logp = np.log(np.clip(block.category_probs(nodes), 1e-300, None))  # p, K, q
    k = block.n_categories
    codes = np.where(np.isnan(x), -1, np.round(x - block.low)).astype(int)
    if np.any(codes >= k):
        raise RingstatsError("response codes outside the fitted categories.")
    answered = (codes >= 0).sum(axis=1)
    est = np.full(x.shape[0], np.nan)
    sd = np.full(x.shape[0], np.nan)
    for s0 in range(0, x.shape[0], chunk):
        c = codes[s0:s0 + chunk]
        ll = np.broadcast_to(logw, (c.shape[0], n_points)).copy()
        for j in range(c.shape[1]):
            ok = c[:, j] >= 0
            ll[ok] += logp[j, c[ok, j], :]
        ll -= ll.max(axis=1, keepdims=True)
        post = np.exp(ll)
        post /= post.sum(axis=1, keepdims=True)
        m = post @ nodes
        est[s0:s0 + chunk] = m
        sd[s0:s0 + chunk] = np.sqrt(np.maximum(post @ nodes**2 - m**2, 0.0))
    few = answered < min_items
    est[few] = np.nan
    sd[few] = np.nan
    return est, sd


@dataclass(frozen=True)
class LatentScores(ResultMixin):
    """EAP latent-trait scores per construct or ring (see :func:`latent_scores`).

    Attributes
    ----------
    scores : pandas.DataFrame
        One column per block (construct or ``ring1``...), aligned to ``data.index``;
        standard-normal trait metric (EAP, so slightly shrunk towards 0).
    se : pandas.DataFrame
        Posterior SDs, same shape.
    loadings : pandas.DataFrame
        Tidy: block, item, loading (standardised, on the latent responses).
    thresholds : pandas.DataFrame
        Index (block, item); one column per category boundary (latent normal scale).
    reliability : pandas.Series
        Empirical reliability of each block's EAP score,
        ``var(EAP) / (var(EAP) + mean(posterior variance))``.
    level : str
        "construct" or "ring".
    """

    scores: pd.DataFrame
    se: pd.DataFrame
    loadings: pd.DataFrame
    thresholds: pd.DataFrame
    reliability: pd.Series
    level: str
    _blocks: dict

    def to_scale(self, block: str, theta: Any) -> np.ndarray:
        """Expected score on the response scale at trait value(s) ``theta``.

        For a construct the mean expected item response; for a ring the mean over its
        constructs of those (the same weighting as :func:`ringstats.ring_scores`). The
        mapping is increasing, so it carries a breakpoint or an interval over to scale
        points.
        """
        if block not in self._blocks:
            raise RingstatsError(f"`block` must be one of {list(self._blocks)}; got {block!r}.")
        return self._blocks[block].expected_score(theta)

    def summary(self) -> Summary:
        s = Summary(f"Latent-trait (EAP) scores per {self.level} "
                    f"(one-factor normal-ogive model)")
        tab = pd.DataFrame({
            "items": [len(b.items) for b in self._blocks.values()],
            "mean loading": [float(np.mean(b.loadings)) for b in self._blocks.values()],
            "reliability": self.reliability.to_numpy(),
            "score mean": self.scores.mean().to_numpy(),
            "score sd": self.scores.std().to_numpy(),
        }, index=pd.Index(list(self._blocks), name=self.level))
        s.add_table(tab, "Blocks")
        s.add_table(self.loadings.set_index(["block", "item"]), "Loadings")
        s.add_note("Thresholds from item margins, loadings by minimum residuals on polychoric "
                   "correlations, scores by EAP with a N(0, 1) prior (Bock & Mislevy 1982).")
        return s


def latent_scores(
    data: pd.DataFrame,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]],
    level: str = "construct",
    min_items: int | None = None,
    n_points: int = 81,
) -> LatentScores:
    """Latent-trait scores of ordinal items: one-factor normal-ogive model, EAP scores.

    Parameters
    ----------
    data : DataFrame
        Integer-coded item responses, cleaned by ``spec.validate`` (missing codes NaN,
        reverse-keyed items recoded). Never modified.
    spec : RingSpec or dict of construct -> item columns
        The blocks; ``level="ring"`` needs a RingSpec.
    level : {"construct", "ring"}
        One factor per construct, or one factor over all items of a ring (a
        unidimensional approximation of the ring: the constructs' own covariance is
        absorbed into the loadings).
    min_items : int, optional
        Answered items a respondent needs for a score (default half the block's items,
        rounded up, the half rule of :func:`ringstats.mean_scores`); otherwise NaN.
    n_points : int
        Gauss-Hermite quadrature points over the N(0, 1) prior. The default 81 gives
        scores to about 1e-7 for a ring of seven items with loadings near .75 (the
        simulator's); more items or higher loadings make the posterior sharper and need
        more points (tests compare against 201).

    Returns
    -------
    LatentScores
        ``.scores`` (a DataFrame like :func:`ringstats.mean_scores` or
        :func:`ringstats.ring_scores`, on the trait metric), ``.se``, ``.loadings``,
        ``.thresholds``, ``.reliability`` and ``.to_scale(block, theta)``.

    Raises
    ------
    RingstatsError
        Non-integer responses or more than 20 categories (from the polychoric step).
    InsufficientDataError
        A block with fewer than 2 items, or an item with a single category.

    Notes
    -----
    Model and estimation as in the module docstring: thresholds
    :math:`\\tau_{jc} = \\Phi^{-1}(P(x_j \\le c))`, polychoric correlations (Olsson 1979),
    one-factor ULS loadings :math:`\\lambda_j` (``psych::fa(fm = "minres")``; with two
    items :math:`\\lambda = \\sqrt{r_{12}}`), and

    .. math:: P(x_j = c \\mid \\theta) = \\Phi\\Big(\\frac{\\tau_{jc} - \\lambda_j\\theta}
       {\\sqrt{1-\\lambda_j^2}}\\Big) - \\Phi\\Big(\\frac{\\tau_{j,c-1} -
       \\lambda_j\\theta}{\\sqrt{1-\\lambda_j^2}}\\Big)

    (Takane & de Leeuw 1987). The EAP score is :math:`E[\\theta \\mid x]` under the
    N(0, 1) prior, over the answered items only (Bock & Mislevy 1982). EAP scores are
    shrunk towards 0 (their variance is their reliability), but calibrated:
    :math:`E[\\theta \\mid \\hat\\theta] = \\hat\\theta`, so a regression on them is not
    attenuated the way a regression on mean scores is. Measurement parameters are
    estimated once (two-step); analyses that bootstrap on these scores treat them as
    fixed. The metric rests on the model's assumption of a normal trait with normal
    latent responses; :func:`ringstats.polychoric` documents its own assumptions.

    Examples
    --------
    >>> import ringstats as rs
    >>> w = rs.draw("base", n=2000, seed=1)
    >>> clean = w.spec.validate(w.customers)
    >>> ls = rs.latent_scores(clean, spec=w.spec, level="ring")
    >>> list(ls.scores.columns)
    ['ring1', 'ring2', 'ring3']
    >>> bool(0.85 < ls.reliability["ring1"] < 0.95)
    True
    """
    data, _ = items_frame(data, spec)
    check_option(level, "level", LEVELS)
    n_points = check_int(n_points, "n_points", min_value=5, max_value=401)
    if min_items is not None:
        min_items = check_int(min_items, "min_items", min_value=1)
    cblocks = blocks_of(spec)
    if level == "ring":
        if not isinstance(spec, RingSpec):
            raise RingstatsError(
                f"`level='ring'` needs `spec` to be a RingSpec; got {type(spec).__name__}."
            )
        blocks = {f"ring{r}": [i for c in names for i in cblocks[c]]
                  for r, names in spec.rings.items() if names}
        groups = {f"ring{r}": [cblocks[c] for c in names]
                  for r, names in spec.rings.items() if names}
    else:
        blocks = cblocks
        groups = {c: [its] for c, its in cblocks.items()}
    all_items = [i for its in blocks.values() for i in its]
    check_columns(data, list(dict.fromkeys(all_items)), "spec")
    check_numeric(data, all_items, "spec")
    out, se, lrows, trows, rel, fitted = {}, {}, [], [], {}, {}
    for name, items in blocks.items():
        b = _fit_block(data, items, name, groups[name])
        need = ceil(len(items) / 2) if min_items is None else min(min_items, len(items))
        est, sd = _eap(b, data[items].to_numpy(dtype=float), n_points, need)
        out[name], se[name], fitted[name] = est, sd, b
        ok = np.isfinite(est)
        v = float(np.var(est[ok])) if ok.any() else np.nan
        rel[name] = v / (v + float(np.mean(sd[ok] ** 2))) if ok.any() else np.nan
        for it, lam in zip(items, b.loadings, strict=True):
            lrows.append({"block": name, "item": it, "loading": float(lam)})
        t = pd.DataFrame(b.thresholds, index=pd.MultiIndex.from_product([[name], items],
                                                                        names=["block", "item"]),
                         columns=[f"t{c}" for c in range(1, b.n_categories)])
        trows.append(t)
    return LatentScores(
        scores=pd.DataFrame(out, index=data.index),
        se=pd.DataFrame(se, index=data.index),
        loadings=pd.DataFrame(lrows),
        thresholds=pd.concat(trows) if trows else pd.DataFrame(),
        reliability=pd.Series(rel, name="reliability"),
        level=level,
        _blocks=fitted,
    )
