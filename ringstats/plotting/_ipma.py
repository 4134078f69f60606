"""Importance-performance map: importance (Shapley) against 0-100 performance, with CIs."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._kernels.validation import check_option
from ..errors import RingstatsError
from ._palette import RING_COLORS, RING_LABELS, get_ax

__all__ = ["plot_ipma"]


def plot_ipma(ipma_result, *, ax: Axes | None = None, level: str = "construct") -> Axes:
    """Importance (x) against performance (y, 0-100) per construct or item, with CI whiskers.

    Dashed lines mark the mean importance and mean performance of the points drawn; the
    lower-right quadrant (important, performing below average) holds the candidates for
    improvement (Ringle & Sarstedt 2016).

    Parameters
    ----------
    ipma_result : IPMAResult
        Output of :func:`ringstats.ipma.ipma`.
    ax : matplotlib Axes, optional
    level : {"construct", "item"}

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import ringstats as rs
    >>> from ringstats.ipma import ipma
    >>> w = rs.draw("base", n=400, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = ipma(d, spec=w.spec, drivers_result=rs.drivers(d, spec=w.spec, n_boot=20, seed=1))
    >>> ax = plot_ipma(res, level="item")
    """
    from ..ipma import IPMAResult

    if not isinstance(ipma_result, IPMAResult):
        raise RingstatsError("`ipma_result` must be an IPMAResult from ringstats.ipma.ipma(); "
                             f"got {type(ipma_result).__name__}.")
    check_option(level, "level", ("construct", "item"))
    tab = ipma_result.constructs if level == "construct" else ipma_result.items
    ax = get_ax(ax, (6.8, 4.8))
    x = tab["importance"].to_numpy(float)
    y = tab["performance"].to_numpy(float)
    xr = float(np.nanmax(x) - np.nanmin(x)) or 1.0
    yr = float(np.nanmax(y) - np.nanmin(y)) or 1.0
    placed: list[tuple[float, float]] = []
    for name, row in tab.sort_values("performance", ascending=False).iterrows():
        col = RING_COLORS.get(int(row["ring"]), "#555555")
        xe = [[max(row["importance"] - row["importance_ci_low"], 0)],
              [max(row["importance_ci_high"] - row["importance"], 0)]]
        ye = [[max(row["performance"] - row["performance_ci_low"], 0)],
              [max(row["performance_ci_high"] - row["performance"], 0)]]
        if not np.isfinite(xe).all():
            xe = None
        ax.errorbar(row["importance"], row["performance"], xerr=xe, yerr=ye, fmt="o",
                    color=col, ecolor=col, elinewidth=1, capsize=2,
                    ms=7 if level == "construct" else 5, alpha=0.9)
        # labels of nearby points are stacked downwards so that they do not overlap
        near = sum(1 for px, py in placed if abs(px - row["importance"]) < 0.08 * xr
                   and abs(py - row["performance"]) < 0.06 * yr)
        placed.append((row["importance"], row["performance"]))
        ax.annotate(str(name), (row["importance"], row["performance"]),
                    xytext=(6, 3 - 9 * near), textcoords="offset points", va="center",
                    fontsize=8 if level == "construct" else 7)
    ax.axvline(float(np.nanmean(x)), color="#999999", lw=0.8, ls="--")
    ax.axhline(float(np.nanmean(y)), color="#999999", lw=0.8, ls="--")
    hi_x = np.nanmax(np.r_[x, tab["importance_ci_high"].to_numpy(float)])
    ax.set_xlim(0, hi_x * 1.15 if np.isfinite(hi_x) and hi_x > 0 else None)
    lo_y = np.nanmin(tab["performance_ci_low"].to_numpy(float))
    hi_y = np.nanmax(tab["performance_ci_high"].to_numpy(float))
    pad = max(3.0, 0.1 * (hi_y - lo_y))
    ax.set_ylim(max(0.0, lo_y - pad), min(100.0, hi_y + pad))
    measure = "R²" if ipma_result.measure == "R2" else "pseudo-R²"
    ax.set_xlabel(f"Importance: contribution to {measure} (Shapley)")
    ax.set_ylabel("Performance (0-100)")
    what = "constructs" if level == "construct" else "items"
    ax.set_title(f"Importance-performance map of {what} for {ipma_result.outcome} "
                 f"({100 * ipma_result.ci:g}% CI)")
    rings = sorted({int(r) for r in tab["ring"]})
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=RING_COLORS[r],
                              label=RING_LABELS[r]) for r in rings],
              fontsize=8, loc="best", frameon=True, framealpha=0.9, edgecolor="none")
    return ax
