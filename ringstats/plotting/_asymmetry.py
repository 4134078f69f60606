"""Figures for asymmetric effects: the impact-asymmetry grid and the Kano Better/Worse plot."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..errors import RingstatsError
from ._palette import OUTCOME_COLOR, RING_COLORS, RING_LABELS, get_ax

__all__ = ["plot_impact_asymmetry", "plot_kano"]

_REGION = {"basic": "#D55E00", "performance": "#BBBBBB", "excitement": "#56B4E9"}


def plot_impact_asymmetry(ia_result, *, ax: Axes | None = None) -> Axes:
    """Impact-asymmetry (IA) against range of impact (RIOCS) with basic / performance /
    excitement regions and bootstrap CI whiskers. Each point is labelled with its category
    or the reason it has none; drivers with IA undefined are listed, not drawn.

    Parameters
    ----------
    ia_result : IAResult
        Output of :func:`ringstats.asymmetries.impact_asymmetry`. Points are coloured by
        ring when the analysis used a RingSpec.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> from ringstats.asymmetries import impact_asymmetry
    >>> w = draw("base", n=2000, seed=1)
    >>> res = impact_asymmetry(w.spec.validate(w.customers), outcome="ltr", spec=w.spec,
    ...                        n_boot=100, seed=1)
    >>> ax = plot_impact_asymmetry(res)
    """
    from ..asymmetries import IAResult

    if not isinstance(ia_result, IAResult):
        raise RingstatsError(
            f"`ia_result` must be an IAResult from impact_asymmetry(); got {type(ia_result).__name__}."
        )
    tab = ia_result.table
    t = ia_result.threshold
    ax = get_ax(ax, (6.8, 4.6))
    xmax = float(np.nanmax(tab["riocs_ci_high"].to_numpy(float))) * 1.15
    xmax = xmax if np.isfinite(xmax) and xmax > 0 else 1.0
    ax.axhspan(t, 1.05, color=_REGION["excitement"], alpha=0.15, lw=0)
    ax.axhspan(-t, t, color=_REGION["performance"], alpha=0.2, lw=0)
    ax.axhspan(-1.05, -t, color=_REGION["basic"], alpha=0.12, lw=0)
    for y, lab in ((0.6, "excitement"), (0.0, "performance"), (-0.6, "basic")):
        ax.text(xmax * 0.02, y, lab, ha="left", va="center", fontsize=9, color="#444444",
                style="italic")
    # label positions: stacked downwards so that no two labels overlap (points close in IA
    # are common: ring scores often share a class)
    sep = 0.085
    order = tab["ia"].astype(float).sort_values(ascending=False, na_position="last").index
    label_y: dict = {}
    prev = np.inf
    for name in order:
        y0 = float(tab.loc[name, "ia"]) + 0.03
        label_y[name] = min(y0, prev - sep) if np.isfinite(prev) else y0
        prev = label_y[name]
    skipped = []
    for name, row in tab.iterrows():
        if not np.isfinite(row["ia"]):
            skipped.append(f"{name}: {row.get('label', 'IA undefined')}")
            continue
        ring = row.get("ring") if ia_result.has_rings else None
        color = RING_COLORS.get(int(ring), OUTCOME_COLOR) if ring is not None and \
            np.isfinite(ring) else OUTCOME_COLOR
        x, y = row["riocs"], row["ia"]
        ax.errorbar(x, y, yerr=[[y - row["ia_ci_low"]], [row["ia_ci_high"] - y]],
                    xerr=[[x - row["riocs_ci_low"]], [row["riocs_ci_high"] - x]],
                    fmt="o", color=color, ecolor=color, elinewidth=1, capsize=2, ms=6)
        moved = abs(label_y[name] - (y + 0.03)) > 1e-9
        ax.annotate(f"{name} ({row.get('label', row['cls'])})", (x, y), xytext=(x + 0.02 * xmax, label_y[name]),
                    textcoords="data", fontsize=8, va="center",
                    arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.6}
                    if moved else None)
    if skipped:
        ax.text(0.99, 0.01, "not shown (IA undefined): " + "; ".join(skipped),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="#444444")
    ax.axhline(0, color="#777777", lw=0.6)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("range of impact RIOCS = reward + |penalty| (outcome units)")
    ax.set_ylabel("impact asymmetry IA = SGP - DGP")
    ax.set_title(f"Impact-asymmetry on {ia_result.outcome} ({100 * ia_result.ci:g}% bootstrap CI)")
    if ia_result.has_rings:
        rings = sorted({int(r) for r in tab["ring"].dropna()})
        handles = [Line2D([], [], marker="o", ls="", color=RING_COLORS[r], label=RING_LABELS[r])
                   for r in rings]
        ax.legend(handles=handles, fontsize=8, loc="upper right", frameon=False)
    return ax


def plot_kano(kano_result, *, ax: Axes | None = None) -> Axes:
    """Kano Better against ``|Worse|`` (Berger et al. 1993) with the four quadrants.

    Parameters
    ----------
    kano_result : KanoResult
        Output of :func:`ringstats.asymmetries.kano`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from ringstats.asymmetries import kano
    >>> df = pd.DataFrame({"f": [1, 2, 1, 3], "d": [5, 5, 3, 5]})
    >>> ax = plot_kano(kano(df, functional=["f"], dysfunctional=["d"]))
    """
    from ..asymmetries import KanoResult

    if not isinstance(kano_result, KanoResult):
        raise RingstatsError(
            f"`kano_result` must be a KanoResult from kano(); got {type(kano_result).__name__}."
        )
    tab = kano_result.table
    ax = get_ax(ax, (5.6, 5.0))
    ax.axhline(0.5, color="#777777", lw=0.8, ls="--")
    ax.axvline(0.5, color="#777777", lw=0.8, ls="--")
    for (x, y, lab) in ((0.25, 0.6, "attractive"), (0.75, 0.6, "one-dimensional"),
                        (0.75, 0.4, "must-be"), (0.25, 0.4, "indifferent")):
        ax.text(x, y, lab, ha="center", va="center", fontsize=9, color="#444444", style="italic")
    x = tab["worse"].abs().to_numpy(float)
    y = tab["better"].to_numpy(float)
    ax.scatter(x, y, color=OUTCOME_COLOR, zorder=3)
    for name, xi, yi in zip(tab.index, x, y, strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=8)
    ax.set_xlim(-0.05, 1.1)
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("|Worse| = (O + M) / (A + O + M + I)  (share)")
    ax.set_ylabel("Better = (A + O) / (A + O + M + I)  (share)")
    ax.set_title("Kano Better-Worse diagram")
    return ax
