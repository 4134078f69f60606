"""Survey moments: the mergeable sufficient statistics of a ring survey, per group.

:class:`SurveyMoments` holds, for every group of ``by`` (one group when ``by`` is None):

* ``pairs``: pairwise-complete moments of the items and outcomes (unweighted; reliability
  and HTMT with ``nan_policy="pairwise"``, CFA with ``"pairwise"``),
* ``items``: complete-case moments of the construct items (unweighted; CFA, HTMT and
  reliability with ``nan_policy="listwise"``),
* ``scores``: complete-case weighted moments of the construct mean scores and the LTR
  outcome (drivers, Shapley, regression of LTR on the constructs),
* ``ltr``: LTR value counts (count, weight sum, squared-weight sum per scale point; NPS),
* ``tables``: the contingency tables of every pair of items in one matrix (block (i, j) is
  item i's categories by item j's, over rows answering both; block (i, i) holds item i's
  own counts on its diagonal; polychoric correlations),
* ``rep_scores`` and ``rep_ltr``: the same moments for B Poisson(1)-multiplier bootstrap
  replicates (drivers and NPS intervals without a second pass).

Two moment sets of the same layout add exactly with ``+`` (the pooled survey).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.results import ResultMixin, Summary
from ..errors import RingstatsError
from ..spec import RingSpec
from ._blocks import CovBlock, PairBlock, RepBlock

__all__ = ["Layout", "GroupMoments", "SurveyMoments"]


@dataclass(frozen=True)
class Layout:
    """What is accumulated: the variables, their scales, the groups and the replicates."""

    spec: RingSpec
    variables: tuple[str, ...]  # items then outcomes (pairwise block, in this order)
    items: tuple[str, ...]  # construct items (complete-case block, tables)
    constructs: tuple[str, ...]
    outcome: str | None  # LTR column (scores block and counts)
    ltr_min: int
    ltr_max: int
    item_min: tuple[int, ...]
    item_levels: tuple[int, ...]
    by: tuple[str, ...] | None
    weights: str | None
    n_rep: int
    seed: int
    tables: bool

    @property
    def item_offsets(self) -> np.ndarray:
        """Start of each item's categories in the rows/columns of ``tables``."""
        return np.concatenate([[0], np.cumsum(self.item_levels)]).astype(int)

    @property
    def construct_index(self) -> tuple[list[int], ...]:
        """Per construct, the positions of its items in ``items``."""
        return tuple([self.items.index(i) for i in self.spec.construct(c).items]
                     for c in self.constructs)

    @property
    def score_vars(self) -> tuple[str, ...]:
        return self.constructs + ((self.outcome,) if self.outcome else ())

    @classmethod
    def build(cls, spec: RingSpec, *, by: tuple[str, ...] | None, weights: str | None, n_rep: int,
              seed: int, tables: bool) -> Layout:
        items = tuple(spec.items)
        variables = tuple(dict.fromkeys(list(spec.items) + list(spec.loyalty or ())
                                        + ([spec.ltr] if spec.ltr else [])))
        scales = [spec.scale_of(i) for i in items]
        return cls(spec=spec, variables=variables, items=items,
                   constructs=tuple(spec.construct_names), outcome=spec.ltr,
                   ltr_min=int(spec.ltr_scale.min), ltr_max=int(spec.ltr_scale.max),
                   item_min=tuple(int(s.min) for s in scales),
                   item_levels=tuple(int(s.n_points) for s in scales), by=by,
                   weights=weights, n_rep=int(n_rep), seed=int(seed), tables=bool(tables))


@dataclass(frozen=True, eq=False)
class GroupMoments:
    """The moments of one group (or of the whole survey): see the module docstring."""

    rows: int
    pairs: PairBlock
    items: CovBlock
    answered: np.ndarray  # rows with at least one item of each construct answered
    scores: CovBlock
    ltr: np.ndarray  # (3, K): count, weight sum, squared-weight sum per LTR point
    ltr_missing: int
    tables: np.ndarray  # (sum K, sum K) pairwise contingency tables (see module docstring)
    answered_any: int  # rows with at least one construct item answered
    rep_scores: RepBlock | None = None
    rep_ltr: np.ndarray | None = None  # (B, K) multiplier-weighted LTR counts
    #: per construct, the complete-case moments of its items (listwise within a construct,
    #: as reliability(nan_policy="listwise") uses in memory)
    construct_blocks: tuple[CovBlock, ...] = ()

    @classmethod
    def empty(cls, lay: Layout) -> GroupMoments:
        p, k, q = len(lay.variables), lay.ltr_max - lay.ltr_min + 1, len(lay.score_vars)
        kk = int(sum(lay.item_levels)) if lay.tables else 0
        tabs = np.zeros((kk, kk), dtype=np.int64)
        reps = RepBlock.empty(lay.n_rep, q) if lay.n_rep else None
        return cls(0, PairBlock.empty(p), CovBlock.empty(len(lay.items)),
                   np.zeros(len(lay.constructs), dtype=np.int64), CovBlock.empty(q),
                   np.zeros((3, k)), 0, tabs, 0, reps,
                   np.zeros((lay.n_rep, k)) if lay.n_rep else None,
                   tuple(CovBlock.empty(len(lay.spec.construct(c).items))
                         for c in lay.constructs))

    def __add__(self, other: GroupMoments) -> GroupMoments:
        return GroupMoments(
            rows=self.rows + other.rows, pairs=self.pairs + other.pairs,
            items=self.items + other.items, answered=self.answered + other.answered,
            scores=self.scores + other.scores, ltr=self.ltr + other.ltr,
            ltr_missing=self.ltr_missing + other.ltr_missing,
            tables=self.tables + other.tables,
            answered_any=self.answered_any + other.answered_any,
            rep_scores=(None if self.rep_scores is None else self.rep_scores + other.rep_scores),
            rep_ltr=None if self.rep_ltr is None else self.rep_ltr + other.rep_ltr,
            construct_blocks=tuple(a + b for a, b in zip(self.construct_blocks,
                                                         other.construct_blocks, strict=True)),
        )


@dataclass(frozen=True, eq=False)
class SurveyMoments(ResultMixin):
    """Mergeable sufficient statistics of a ring survey (see :func:`ringstats.summarize`).

    Pass it as ``data`` to the analyses that need only moments (``reliability``, ``cfa``,
    ``htmt``, ``fornell_larcker``, ``polychoric``, ``efa``, ``kmo``, ``bartlett``,
    ``measurement_report``, ``drivers``, ``shapley``, ``regression``, ``nps``,
    ``nps_by``); add two with ``+`` to pool two parts of a survey.

    Attributes
    ----------
    layout : Layout
        Variables, scales, ``by``, ``weights``, replicates and seed.
    groups : dict
        Group cell -> :class:`GroupMoments`: keys are tuples of the ``by`` columns' values
        (None for a missing value); the only key is None when ``by`` is None.
    """

    layout: Layout
    groups: dict[Any, GroupMoments] = field(default_factory=dict)

    @staticmethod
    def rows_error(name: str) -> Exception:
        """The error an analysis without a moments path raises (``check_dataframe``)."""
        from .._kernels.dispatch import needs_rows

        return needs_rows(name)

    # ---------------------------------------------------------------- accessors
    @property
    def spec(self) -> RingSpec:
        return self.layout.spec

    @property
    def by(self) -> tuple[str, ...] | None:
        """The group columns (cells of their cross-classification are the groups)."""
        return self.layout.by

    @property
    def n_rep(self) -> int:
        """Number of multiplier bootstrap replicates accumulated."""
        return self.layout.n_rep

    @property
    def seed(self) -> int:
        return self.layout.seed

    @property
    def weighted(self) -> bool:
        return self.layout.weights is not None

    @property
    def n(self) -> int:
        """Rows summarised."""
        return sum(g.rows for g in self.groups.values())

    def total(self) -> GroupMoments:
        """Moments of the whole survey (the exact merge of the groups)."""
        if not self.groups:
            return GroupMoments.empty(self.layout)
        return reduce(lambda a, b: a + b, self.groups.values())

    def _pos(self, by: str | None) -> int:
        cols = self.by or ()
        if by is None:
            if len(cols) != 1:
                raise RingstatsError(f"`by` must name one of the group columns {list(cols)}; "
                                     "got None.")
            return 0
        if by not in cols:
            raise RingstatsError(
                f"`by` must be a column the moments were grouped by ({', '.join(cols) or 'none'});"
                f" got {by!r}. Summarize with `by=[..., {by!r}]`.")
        return cols.index(by)

    def levels(self, by: str | None = None) -> list[Any]:
        """Values of group column ``by`` in sorted order (missing values left out)."""
        pos = self._pos(by)
        vals = list(dict.fromkeys(k[pos] for k in self.groups if k is not None
                                  and k[pos] is not None))
        try:
            return sorted(vals)
        except TypeError:
            return sorted(vals, key=str)

    def _merge(self, keep: Any) -> GroupMoments:
        parts = [g for k, g in self.groups.items() if keep(k)]
        return reduce(lambda a, b: a + b, parts) if parts else GroupMoments.empty(self.layout)

    def group(self, level: Any, by: str | None = None) -> GroupMoments:
        """Moments of the rows with ``by == level`` (merged over the other group columns)."""
        pos = self._pos(by)
        if level not in self.levels(self.by[pos]):  # type: ignore[index]
            raise RingstatsError(
                f"`level` must be a value of `{self.by[pos]}` in the moments "  # type: ignore[index]
                f"({', '.join(map(str, self.levels(self.by[pos])))}); got {level!r}.")  # type: ignore[index]
        return self._merge(lambda k: k is not None and k[pos] == level)

    def rest(self, level: Any, by: str | None = None) -> GroupMoments:
        """Moments of every row not in ``by == level`` (rows without a value included)."""
        pos = self._pos(by)
        return self._merge(lambda k: k is None or k[pos] != level)

    def cov(self, nan_policy: str = "pairwise") -> pd.DataFrame:
        """Covariance matrix of the items (``"listwise"``) or items and outcomes
        (``"pairwise"``), ``ddof=1``."""
        t = self.total()
        if nan_policy == "listwise":
            names, c = self.layout.items, t.items.cov()
        else:
            names, c = self.layout.variables, t.pairs.cov()
        return pd.DataFrame(c, index=list(names), columns=list(names))

    # ---------------------------------------------------------------- merging
    def __add__(self, other: SurveyMoments) -> SurveyMoments:
        if not isinstance(other, SurveyMoments):
            return NotImplemented
        if other.layout != self.layout:
            diff = [f for f in ("spec", "by", "weights", "n_rep", "seed", "tables")
                    if getattr(self.layout, f) != getattr(other.layout, f)]
            raise RingstatsError(
                "`+` needs two SurveyMoments summarised alike (same spec, by, weights, "
                f"replicates and seed); these differ in: {', '.join(diff) or 'layout'}.")
        groups = dict(self.groups)
        for k, g in other.groups.items():
            groups[k] = groups[k] + g if k in groups else g
        return SurveyMoments(self.layout, groups)

    # ---------------------------------------------------------------- reporting
    def to_frame(self) -> pd.DataFrame:
        """One row per group cell: rows, complete item rows, complete driver rows, LTR."""
        rows = []
        names = list(self.by or ("group",))
        keys = list(self.groups)
        try:
            keys.sort(key=lambda k: tuple((v is None, v) for v in (k or (None,))))
        except TypeError:
            keys.sort(key=str)
        for k in keys:
            g = self.groups[k]
            lab = k or (None,)
            row = {c: "(none)" if v is None else v for c, v in zip(names, lab, strict=True)}
            row.update(rows=g.rows, complete_items=g.items.n, complete_drivers=g.scores.n,
                       ltr_answers=int(g.ltr[0].sum()), ltr_missing=g.ltr_missing)
            rows.append(row)
        return pd.DataFrame(rows).set_index(names if len(names) > 1 else names[0])

    def summary(self) -> Summary:
        s = Summary(f"Survey moments ({self.spec.name}): {self.n:,} rows")
        s.add_dict({"rows": self.n, "groups": len(self.groups),
                    "by": ", ".join(self.by) if self.by else "(none)", "weights": self.layout.weights or "(none)",
                    "bootstrap replicates": self.n_rep, "seed": self.seed,
                    "items": len(self.layout.items), "contingency tables": self.layout.tables},
                   "Moments")
        s.add_table(self.to_frame(), "Per group")
        s.add_note("Analyses that need only moments accept this object as `data`; EAP "
                   "scores, plateau breakpoints and bootstraps of non-linear statistics need "
                   "rows (draw a sample).")
        return s
