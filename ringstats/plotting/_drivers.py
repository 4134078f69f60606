"""Figures for driver importance: bars with bootstrap whiskers and the ring diagram."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Wedge

from ..errors import RingstatsError
from ._palette import RING_COLORS, RING_LABELS, get_ax

__all__ = ["plot_importance", "plot_ring_diagram"]


def _check_result(result: object) -> None:
    from ..importance import DriverResult

    if not isinstance(result, DriverResult):
        raise RingstatsError(
            f"`driver_result` must be a DriverResult from ringstats.drivers(); got {type(result).__name__}."
        )


_KIND = {"continuous": "linear model", "binary": "promoter model", "ordinal": "ordinal model"}


def plot_importance(driver_result, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars of construct importance with bootstrap CI whiskers, coloured by ring.

    Parameters
    ----------
    driver_result : DriverResult
        Output of :func:`ringstats.importance.drivers`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.importance import drivers
    >>> w = draw("base", n=500, seed=1)
    >>> res = drivers(w.spec.validate(w.customers), spec=w.spec, n_boot=50, seed=1)
    >>> ax = plot_importance(res)
    """
    _check_result(driver_result)
    tab = driver_result.constructs.sort_values("estimate")
    ax = get_ax(ax, figsize=(6.4, 0.45 * len(tab) + 1.6))
    y = np.arange(len(tab))
    colors = [RING_COLORS[int(r)] for r in tab["ring"]]
    ax.barh(y, tab["estimate"], color=colors, height=0.65)
    if tab["ci_low"].notna().all():
        err = np.vstack([tab["estimate"] - tab["ci_low"], tab["ci_high"] - tab["estimate"]])
        ax.errorbar(tab["estimate"], y, xerr=np.clip(err, 0, None), fmt="none", ecolor="#333333",
                    capsize=3, lw=1)
    ax.set_yticks(y, labels=list(tab.index))
    measure = "R²" if driver_result.measure == "R2" else "McFadden pseudo-R²"
    ax.set_xlabel(f"Contribution to {measure} (Shapley / LMG)")
    ax.set_ylabel("Construct")
    pct = f"{100 * driver_result.ci:g}%"
    ax.set_title(f"Driver importance for {driver_result.outcome} ({_KIND[driver_result.kind]})"
                 + (f", {pct} CI" if driver_result.n_boot else ""))
    rings = sorted({int(r) for r in tab["ring"]})
    top = float(np.nanmax(np.r_[tab["estimate"].to_numpy(float), tab["ci_high"].to_numpy(float)]))
    # room on the right for the legend; "best" keeps it off the bars and whiskers
    ax.set_xlim(0, top * 1.45 if np.isfinite(top) and top > 0 else None)
    ax.legend(handles=[Patch(color=RING_COLORS[r], label=RING_LABELS[r]) for r in rings],
              loc="best", fontsize="small", frameon=True, framealpha=0.9, edgecolor="none")
    return ax


def plot_ring_diagram(driver_result, *, ax: Axes | None = None) -> Axes:
    """Three concentric rings (ring 1 innermost) shaded by their share of the explained fit.

    Each ring is drawn in its palette colour with opacity proportional to its
    share (the largest share fully opaque); the share and its bootstrap
    interval are written on the ring.

    Parameters
    ----------
    driver_result : DriverResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.importance import drivers
    >>> w = draw("base", n=500, seed=1)
    >>> res = drivers(w.spec.validate(w.customers), spec=w.spec, n_boot=50, seed=1)
    >>> ax = plot_ring_diagram(res)
    """
    _check_result(driver_result)
    rings = driver_result.rings
    ax = get_ax(ax, figsize=(5.6, 5.6))
    top = float(rings["share"].max())
    width = 1.0
    for r in (3, 2, 1):
        outer = r * width
        if r in rings.index:
            row = rings.loc[r]
            share = float(row["share"])
            alpha = 0.15 + 0.85 * max(share, 0.0) / top if top > 0 else 0.15
            face = (*to_rgb(RING_COLORS[r]), alpha)
            ci = ("" if np.isnan(row["ci_low"])
                  else f"\n[{100 * row['ci_low']:.0f}%, {100 * row['ci_high']:.0f}%]")
            label = f"Ring {r}: {100 * share:.0f}%{ci}"
        else:
            face, label = (0.9, 0.9, 0.9, 1.0), f"Ring {r}: not measured"
        ax.add_patch(Wedge((0, 0), outer, 0, 360, width=width, facecolor=face,
                           edgecolor="white", linewidth=2))
        ypos = outer - width / 2 if r > 1 else 0.0
        ax.text(0, ypos, label, ha="center", va="center", fontsize=9,
                color="black" if r == 1 or alpha < 0.7 else "white", fontweight="bold")
    lim = 3 * width + 0.1
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    measure = "R²" if driver_result.measure == "R2" else "pseudo-R²"
    ax.set_title(f"Share of explained {measure} by ring ({driver_result.outcome}, "
                 f"{_KIND[driver_result.kind]})")
    ax.set_xlabel("Shading: ring share of the explained fit (darker = larger)")
    return ax
