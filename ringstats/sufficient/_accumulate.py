"""One pass over one chunk of rows: clean with the spec, then accumulate its moments.

Cleaning is :meth:`RingSpec.validate` itself (``whole=False``: missing codes to NaN,
reverse-keyed items recoded, values checked against their scales), so a raw survey file
can go in as it is and the rules live in one place. A chunk that fails raises the spec's
:class:`~ringstats.errors.ValidationError`, with the rows of the source it covers.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from math import ceil

import numpy as np
import pandas as pd

from ..errors import RingstatsError, RingstatsWarning, ValidationError
from ._blocks import cov_block, pair_block, rep_block
from ._moments import GroupMoments, Layout, SurveyMoments
from ._multipliers import poisson_multipliers

__all__ = ["chunk_moments", "columns_needed", "SUB_ROWS"]

#: Rows per block of multipliers (bounds memory: SUB_ROWS x B doubles).
SUB_ROWS = 20_000


def columns_needed(lay: Layout) -> list[str]:
    cols = lay.spec.columns() + list(lay.by or ()) + ([lay.weights] if lay.weights else [])
    return list(dict.fromkeys(cols))


def _clean(lay: Layout, chunk: pd.DataFrame, start: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RingstatsWarning)
        try:
            return lay.spec.validate(chunk, whole=False)
        except ValidationError as exc:
            stop = start + len(chunk) - 1
            raise ValidationError(
                [f"in rows {start:,}-{stop:,} of the source (counts below are for these rows; "
                 "later rows were not read)"] + exc.problems) from None


def _weights(lay: Layout, chunk: pd.DataFrame) -> np.ndarray | None:
    if lay.weights is None:
        return None
    w = pd.to_numeric(chunk[lay.weights], errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(w) & (w < 0)
    if bad.any():
        raise RingstatsError(f"`weights` must be non-negative; column {lay.weights!r} has "
                             f"{int(bad.sum())} negative value(s) such as {w[bad][0]:g}.")
    return w


def _tables(lay: Layout, codes: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """All pairwise contingency tables at once: one-hot codes, then their cross-product
    (float32 sums of 0/1 are exact below 2**24 rows per step). A missing answer is put
    in one extra column that is dropped, so the one-hot matrix is filled by a single
    scatter of n x p ones."""
    off = np.asarray(lay.item_offsets)
    n, p = codes.shape
    width = int(off[-1])
    out = np.zeros((width, width), dtype=np.int64)
    step = 1 << 20
    for s0 in range(0, n, step):
        c, o = codes[s0:s0 + step], obs[s0:s0 + step]
        m = c.shape[0]
        onehot = np.zeros((m, width + 1), dtype=np.float32)
        col = np.where(o, off[:p] + c, width)
        flat = col + (np.arange(m, dtype=np.int64) * (width + 1))[:, None]
        onehot.ravel()[flat.ravel()] = 1.0
        out += np.rint(onehot.T @ onehot)[:width, :width].astype(np.int64)
    return out


def _group(lay: Layout, x: np.ndarray, z: np.ndarray, w: np.ndarray | None,
           answered: np.ndarray, ltr_code: np.ndarray | None, rows: np.ndarray
           ) -> GroupMoments:
    """Moments (without replicates) of the rows ``rows`` of a chunk."""
    xi = x[rows]
    items = xi[:, :len(lay.items)]
    g = GroupMoments.empty(lay)
    wr = None if w is None else w[rows]
    # drivers block: complete construct scores + outcome with positive finite weight
    zr = z[rows]
    zok = np.isfinite(zr).all(axis=1)
    if wr is not None:
        zok &= np.isfinite(wr) & (wr > 0)
    scores = cov_block(zr[zok], None if wr is None else wr[zok])
    k = lay.ltr_max - lay.ltr_min + 1
    ltr = np.zeros((3, k))
    miss = len(rows)
    if ltr_code is not None:
        lc = ltr_code[rows]
        lok = lc >= 0
        if wr is not None:
            lok &= np.isfinite(wr)
        wl = np.ones(int(lok.sum())) if wr is None else wr[lok]
        ltr[0] = np.bincount(lc[lok], minlength=k)
        ltr[1] = np.bincount(lc[lok], weights=wl, minlength=k)
        ltr[2] = np.bincount(lc[lok], weights=wl * wl, minlength=k)
        miss = int((~lok).sum())
    tabs = g.tables
    obs = np.isfinite(items)
    if lay.tables:
        codes = np.where(obs, items - np.asarray(lay.item_min), 0).astype(np.int64)
        tabs = _tables(lay, codes, obs)
    return GroupMoments(
        rows=len(rows), pairs=pair_block(xi), items=cov_block(items),
        answered=answered[rows].sum(axis=0).astype(np.int64), scores=scores, ltr=ltr,
        ltr_missing=miss, tables=tabs,
        answered_any=int(obs.any(axis=1).sum()), rep_scores=g.rep_scores, rep_ltr=g.rep_ltr,
        construct_blocks=tuple(cov_block(items[:, ix]) for ix in lay.construct_index))


def _replicates(lay: Layout, g: GroupMoments, z: np.ndarray, w: np.ndarray | None,
                ltr_code: np.ndarray | None, r: np.ndarray, m: np.ndarray) -> GroupMoments:
    """Add the replicate moments of rows ``r`` with multipliers ``m`` (len(r), B): one
    product of the multipliers with a design holding, per row, the complete-case flag,
    the shifted scores, their pairwise products and the LTR one-hot code."""
    zz = z[r]
    ok = np.isfinite(zz).all(axis=1)
    okl = np.zeros(len(r), dtype=bool) if ltr_code is None else ltr_code[r] >= 0
    if w is not None:
        wr = w[r]
        ok &= np.isfinite(wr) & (wr > 0)
        okl &= np.isfinite(wr)
        m = m * np.where(np.isfinite(wr), wr, 0.0)[:, None]
    q = zz.shape[1]
    k = lay.ltr_max - lay.ltr_min + 1
    shift = zz[ok].mean(axis=0) if ok.any() else np.zeros(q)
    zc = np.where(ok[:, None], zz - shift, 0.0)
    iu = np.triu_indices(q)
    design = np.zeros((len(r), 1 + q + len(iu[0]) + k))
    design[:, 0] = ok
    design[:, 1:1 + q] = zc
    design[:, 1 + q:1 + q + len(iu[0])] = zc[:, iu[0]] * zc[:, iu[1]]
    if ltr_code is not None:
        rows = np.flatnonzero(okl)
        design[rows, 1 + q + len(iu[0]) + ltr_code[r][rows]] = 1.0
    sums = m.T @ design
    rep_scores = g.rep_scores + rep_block(sums[:, :1 + q + len(iu[0])], shift)
    rep_ltr = g.rep_ltr + sums[:, 1 + q + len(iu[0]):] if ltr_code is not None else g.rep_ltr
    return replace(g, rep_scores=rep_scores, rep_ltr=rep_ltr)


def chunk_moments(lay: Layout, chunk: pd.DataFrame, start: int) -> SurveyMoments:
    """Moments of one chunk whose first row is row ``start`` of the source (0-based)."""
    from ..measurement._scores import score_block

    clean = _clean(lay, chunk, start)
    x = clean[list(lay.variables)].to_numpy(dtype=float)
    col = {v: j for j, v in enumerate(lay.variables)}
    blocks = [x[:, [col[i] for i in lay.spec.construct(c).items]] for c in lay.constructs]
    # the cleaned chunk is scored by the mean-score rule itself (no second validation)
    sc = np.column_stack([score_block(b, ceil(b.shape[1] / 2)) for b in blocks])
    answered = np.column_stack([np.isfinite(b).any(axis=1) for b in blocks])
    ltr_code = None
    if lay.outcome:
        y = clean[lay.outcome].to_numpy(dtype=float)
        sc = np.column_stack([sc, y])
        ltr_code = np.where(np.isfinite(y), y - lay.ltr_min, -1).astype(np.int64)
    w = _weights(lay, chunk)
    n = len(chunk)
    if lay.by is None:
        parts: list[tuple[object, np.ndarray]] = [(None, np.arange(n))]
    else:
        codes, uniq = pd.factorize(pd.MultiIndex.from_frame(chunk[list(lay.by)]))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniq) + 1))
        parts = []
        for gi in range(len(uniq)):
            rows = order[bounds[gi]:bounds[gi + 1]]
            if len(rows):
                parts.append((tuple(_plain(v) for v in uniq[gi]), rows))
    groups = {key: _group(lay, x, sc, w, answered, ltr_code, rows) for key, rows in parts}
    for s0 in range(0, n, SUB_ROWS) if lay.n_rep else ():
        s1 = min(n, s0 + SUB_ROWS)
        mult = poisson_multipliers(lay.seed, start + s0, s1 - s0, lay.n_rep)
        for key, rows in parts:
            sub = rows[(rows >= s0) & (rows < s1)]
            if len(sub):
                groups[key] = _replicates(lay, groups[key], sc, w, ltr_code, sub,
                                          mult[sub - s0])
    return SurveyMoments(lay, groups)


def _plain(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    return v.item() if isinstance(v, np.generic) else v
