"""Measurement plots: loading heatmaps grouped by ring, scree with parallel analysis, HTMT.

Every function takes ``ax=`` and returns the :class:`matplotlib.axes.Axes`; no global style
is changed. Computation lives in the measurement modules; these functions only draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ..errors import RingstatsError
from ..measurement._cfa import CFAResult
from ..measurement._efa import EFAResult, ParallelResult
from ..measurement._validity import HTMTResult
from ..spec import RingSpec
from ._palette import OUTCOME_COLOR, RING_COLORS, get_ax

__all__ = ["plot_loadings", "plot_scree", "plot_htmt"]


def _annotate(ax: Axes, mat: np.ndarray, *, fmt: str = "{:.2f}", mask: np.ndarray | None = None,
              bold_above: float | None = None) -> None:
    n_r, n_c = mat.shape
    size = 8 if n_r <= 25 else 6
    for i in range(n_r):
        for j in range(n_c):
            v = mat[i, j]
            if (mask is not None and mask[i, j]) or not np.isfinite(v):
                continue
            strong = bold_above is not None and abs(v) >= bold_above
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=size,
                    color="white" if abs(v) > 0.6 else "black",
                    fontweight="bold" if strong else "normal")


def _loading_matrix(result: EFAResult | CFAResult) -> tuple[pd.DataFrame, dict[str, str], str]:
    if isinstance(result, EFAResult):
        rot = result.rotation or "unrotated"
        return (result.loadings, {},
                f"EFA loadings ({result.method}, {rot}, {result.n_factors} factors)")
    if isinstance(result, CFAResult):
        tab = result.loadings
        names = list(result.blocks)
        mat = pd.DataFrame(0.0, index=tab.index, columns=names)
        for item, row in tab.iterrows():
            mat.loc[item, row["construct"]] = row["std_estimate"]
        mat = mat.where(mat != 0.0)
        return mat, {str(i): str(c) for i, c in tab["construct"].items()}, \
            "CFA standardised loadings"
    raise RingstatsError("`efa_or_cfa_result` must be an EFAResult or a CFAResult; "
                         f"got {type(result).__name__}.")


def plot_loadings(
    efa_or_cfa_result: EFAResult | CFAResult,
    *,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of loadings, rows grouped and labelled by ring.

    Parameters
    ----------
    efa_or_cfa_result : EFAResult or CFAResult
        EFA pattern loadings, or CFA standardised loadings (lavaan ``std.all``; items that
        do not load on a construct are left blank).
    spec : RingSpec or dict, optional
        Orders the rows by construct (ring 1, 2, 3 for a RingSpec), draws a line between
        constructs and colours the item labels with the ring palette. Without it, items keep
        the result's order (CFA: grouped by construct, no ring colours).
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.measurement import efa
    >>> w = draw("base", n=500, seed=1)
    >>> res = efa(w.spec.validate(w.customers), spec=w.spec, n_factors=6)
    >>> ax = plot_loadings(res, spec=w.spec)
    """
    mat, item_construct, title = _loading_matrix(efa_or_cfa_result)
    groups: list[tuple[str, list[str]]] = []
    ring_of: dict[str, int] = {}
    if spec is not None:
        if isinstance(spec, RingSpec):
            order = sorted(spec.constructs, key=lambda c: c.ring)
            groups = [(c.name, [i for i in c.items if i in mat.index]) for c in order]
            ring_of = {i: c.ring for c in spec.constructs for i in c.items}
        elif isinstance(spec, Mapping):
            groups = [(str(k), [i for i in v if i in mat.index]) for k, v in spec.items()]
        else:
            raise RingstatsError("`spec` must be a RingSpec, a dict of construct -> items or "
                                 f"None; got {type(spec).__name__}.")
        rows = [i for _, its in groups for i in its]
        rows += [i for i in mat.index if i not in rows]
        mat = mat.loc[rows]
        if isinstance(efa_or_cfa_result, CFAResult):
            cols = [g for g, _ in groups if g in mat.columns]
            mat = mat[cols + [c for c in mat.columns if c not in cols]]
    elif item_construct:
        seen: list[str] = []
        for c in item_construct.values():
            if c not in seen:
                seen.append(c)
        groups = [(c, [i for i, g in item_construct.items() if g == c]) for c in seen]
    p, k = mat.shape
    ax = get_ax(ax, figsize=(1.1 * k + 3.0, 0.28 * p + 1.6))
    vals = mat.to_numpy(dtype=float)
    im = ax.imshow(np.ma.masked_invalid(vals), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    _annotate(ax, vals, bold_above=0.4)
    ax.set_xticks(range(k))
    ax.set_xticklabels([str(c) for c in mat.columns])
    ax.set_yticks(range(p))
    ax.set_yticklabels([str(i) for i in mat.index])
    for lab, item in zip(ax.get_yticklabels(), mat.index, strict=True):
        if item in ring_of:
            lab.set_color(RING_COLORS[ring_of[item]])
            lab.set_fontweight("bold")
    pos = 0
    for _, its in groups[:-1]:
        pos += len(its)
        ax.axhline(pos - 0.5, color="black", linewidth=0.8)
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="loading")
    ax.set_xlabel("Construct" if isinstance(efa_or_cfa_result, CFAResult) else "Factor")
    ax.set_ylabel("Item (label colour = ring)" if ring_of else "Item")
    ax.set_title(title)
    return ax


def plot_scree(parallel_result: ParallelResult, *, ax: Axes | None = None) -> Axes:
    """Observed eigenvalues against the parallel-analysis reference line.

    Parameters
    ----------
    parallel_result : ParallelResult
        From :func:`ringstats.measurement.parallel_analysis`.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if not isinstance(parallel_result, ParallelResult):
        raise RingstatsError("`parallel_result` must be a ParallelResult; "
                             f"got {type(parallel_result).__name__}.")
    ev = parallel_result.eigenvalues
    ax = get_ax(ax)
    x = ev.index.to_numpy()
    ax.plot(x, ev["observed"], marker="o", color=OUTCOME_COLOR, label="observed data")
    ax.plot(x, ev["random_quantile"], linestyle="--", color=RING_COLORS[2],
            label=f"random data, {parallel_result.quantile:.0%} quantile")
    ax.plot(x, ev["random_mean"], linestyle=":", color="#999999", label="random data, mean")
    k = parallel_result.n_factors
    if k > 0:
        ax.scatter(x[:k], ev["observed"].iloc[:k], s=60, color=RING_COLORS[3], zorder=3,
                   label=f"retained ({k})")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Factor number" if parallel_result.method == "fa" else "Component number")
    ax.set_ylabel("Eigenvalue" + (" (reduced matrix)" if parallel_result.method == "fa" else ""))
    ax.set_title(f"Parallel analysis: {k} factor{'s' if k != 1 else ''} above chance")
    ax.legend(frameon=False)
    return ax


def plot_htmt(htmt_result: HTMTResult, *, ax: Axes | None = None,
              threshold: float = 0.85) -> Axes:
    """HTMT matrix as a heatmap (lower triangle); pairs at or above ``threshold`` in bold.

    Parameters
    ----------
    htmt_result : HTMTResult
        From :func:`ringstats.measurement.htmt`.
    ax : Axes, optional
    threshold : float
        Discriminant-validity threshold (0.85, Henseler, Ringle & Sarstedt 2015).

    Returns
    -------
    Axes
    """
    if not isinstance(htmt_result, HTMTResult):
        raise RingstatsError("`htmt_result` must be an HTMTResult; "
                             f"got {type(htmt_result).__name__}.")
    mat = htmt_result.matrix
    names = list(mat.index)
    n = len(names)
    if n < 2:
        raise RingstatsError("`htmt_result` must compare at least two constructs.")
    ax = get_ax(ax, figsize=(0.8 * n + 2.8, 0.7 * n + 1.8))
    # lower triangle without the empty first row and last column
    vals = mat.to_numpy(dtype=float)[1:, :-1].copy()
    mask = np.triu(np.ones_like(vals, dtype=bool), k=1)
    im = ax.imshow(np.ma.array(vals, mask=mask), cmap="YlOrRd", vmin=0, vmax=1)
    _annotate(ax, vals, mask=mask, bold_above=threshold)
    ax.set_xticks(range(n - 1))
    ax.set_xticklabels(names[:-1], rotation=45, ha="right")
    ax.set_yticks(range(n - 1))
    ax.set_yticklabels(names[1:])
    rings: dict[str, int] = {}
    pairs = htmt_result.pairs
    if {"ring_a", "ring_b"} <= set(pairs.columns):
        for _, row in pairs.iterrows():
            for c, r in ((row["construct_a"], row["ring_a"]), (row["construct_b"], row["ring_b"])):
                if pd.notna(r) and int(r) in RING_COLORS:
                    rings[str(c)] = int(r)
    for name in names:  # ring-level constructs named ring1, ring2, ring3
        if name not in rings and name.lower() in {f"ring{r}" for r in RING_COLORS}:
            rings[name] = int(name[-1])
    for lab in list(ax.get_xticklabels()) + list(ax.get_yticklabels()):
        if lab.get_text() in rings:
            lab.set_color(RING_COLORS[rings[lab.get_text()]])
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="HTMT")
    name = "HTMT" if htmt_result.version == 1 else "HTMT2"
    ax.set_title(f"{name} (bold: at or above {threshold:.2f})")
    ax.set_xlabel("Construct")
    ax.set_ylabel("Construct")
    return ax
