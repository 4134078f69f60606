"""Figures for the shape module: driver curves, marginal effects and what-if curves."""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.axes import Axes

from ..errors import RingstatsError
from ._palette import OUTCOME_COLOR, RING_COLORS, RING_LABELS, get_ax

__all__ = ["plot_curve", "plot_marginal", "plot_what_if"]


_UNITS = {"latent": ("latent trait, SD units", "per SD"),
          "mean": ("mean score, scale points", "per scale point"),
          None: ("driver units", "per driver unit")}


def _ring_of(name: str, default: int = 1) -> int:
    m = re.fullmatch(r"ring([123])", str(name))
    return int(m.group(1)) if m else default


def plot_curve(plateau_result, *, ax: Axes | None = None, bins: int = 12,
               color: str | None = None) -> Axes:
    """Binned means, fitted spline with its band and the segmented fit with its breakpoint CI.

    Curves are drawn with the covariates at their means; the binned means (quantile bins of
    the driver) are of the outcome minus the covariates' fitted linear effects, so both
    are on the same adjusted scale.

    Parameters
    ----------
    plateau_result : PlateauResult
        A one-driver result of :func:`ringstats.shape.plateau` (or a row of a
        :class:`~ringstats.shape.PlateauTable`).
    ax : matplotlib Axes, optional
    bins : int
        Number of quantile bins for the binned means (of the adjusted outcome when there
        are covariates).
    color : str, optional
        Line colour; default the ring colour when the driver is ``ring1/2/3``.
    """
    from ..shape import PlateauResult

    if not isinstance(plateau_result, PlateauResult):
        raise RingstatsError("`plateau_result` must be a PlateauResult; got "
                             f"{type(plateau_result).__name__}.")
    r = plateau_result
    ax = get_ax(ax)
    col = color or RING_COLORS[_ring_of(r.driver)]
    # binned means of the outcome with the covariates' linear effects removed (at their
    # means, computed by the result), so points and adjusted curves share one scale
    pts = r.points()
    lab = "binned means (adjusted)" if r.covariates else "binned means"
    q = pd.qcut(pts["x"], bins, duplicates="drop")
    bm = pts[["x", "y_adjusted"]].groupby(q, observed=True).mean()
    ax.plot(bm["x"], bm["y_adjusted"], "o", color=OUTCOME_COLOR, ms=4, label=lab)
    sc = r.spline_curve()
    ax.fill_between(sc["x"], sc["ci_low"], sc["ci_high"], color=col, alpha=0.2, lw=0)
    ax.plot(sc["x"], sc["estimate"], color=col, lw=2, label="restricted cubic spline")
    sg = r.segmented_curve()
    ax.plot(sg["x"], sg["estimate"], color="black", lw=1.2, ls="--", label="segmented fit")
    s = r.segmented
    ax.axvline(s.psi, color="black", lw=0.8, ls=":")
    ax.axvspan(max(s.psi_ci_low, pts["x"].min()), min(s.psi_ci_high, pts["x"].max()),
               color="grey", alpha=0.12, label=f"breakpoint {r.ci:.0%} CI")
    ax.set_title(f"{r.driver} -> {r.outcome}: {r.verdict}")
    ax.set_xlabel(f"{r.driver} ({_UNITS.get(r.scores, _UNITS[None])[0]})")
    ax.set_ylabel(f"{r.outcome} (outcome units)")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_marginal(marginal, *, ax: Axes | None = None, color: str | None = None) -> Axes:
    """Slope curve with its simultaneous band, the sesoi line and the plateau region."""
    from ..shape import MarginalEffects

    if not isinstance(marginal, MarginalEffects):
        raise RingstatsError("`marginal` must be a MarginalEffects result; got "
                             f"{type(marginal).__name__}.")
    m = marginal
    ax = get_ax(ax)
    col = color or RING_COLORS[_ring_of(m.driver)]
    t = m.table
    ax.fill_between(t["x"], t["ci_low"], t["ci_high"], color=col, alpha=0.2, lw=0,
                    label=f"simultaneous {m.ci:.0%} band")
    ax.plot(t["x"], t["estimate"], color=col, lw=2, label="slope dE[y]/dx")
    ax.axhline(m.sesoi, color="black", ls="--", lw=1, label=f"sesoi = {m.sesoi:.3f}")
    ax.axhline(0, color="grey", lw=0.6)
    if m.plateau_region is not None:
        ax.axvspan(*m.plateau_region, color="grey", alpha=0.15, label="plateau region")
    ax.set_title(f"Marginal effect of {m.driver} on {m.outcome}")
    unit, per = _UNITS.get(m.scores, _UNITS[None])
    ax.set_xlabel(f"{m.driver} ({unit})")
    ax.set_ylabel(f"slope ({m.outcome} units {per})")
    ax.legend(fontsize=8)
    return ax


def plot_what_if(what_if_result, *, ax: Axes | None = None, metric: str | None = None) -> Axes:
    """One line per ring: predicted NPS (or mean LTR, or the share of a binary outcome)
    against the shift, with CI bands.

    Parameters
    ----------
    what_if_result : WhatIfResult
    metric : {"nps", "mean_ltr", "delta_nps", "delta_mean_ltr"} or {"share", "delta_share"}
        The second set for a binary outcome. Default ``"nps"`` (``"share"`` for binary).
    """
    from .._kernels.validation import check_option
    from ..whatif import WhatIfResult

    if not isinstance(what_if_result, WhatIfResult):
        raise RingstatsError("`what_if_result` must be a WhatIfResult; got "
                             f"{type(what_if_result).__name__}.")
    binary = getattr(what_if_result, "kind", "continuous") == "binary"
    if metric is None:
        metric = "share" if binary else "nps"
    check_option(metric, "metric", ("share", "delta_share") if binary else
                 ("nps", "mean_ltr", "delta_nps", "delta_mean_ltr"))
    ax = get_ax(ax)
    t = what_if_result.table
    for ring, g in t.groupby("ring"):
        col = RING_COLORS.get(int(ring), OUTCOME_COLOR)
        ax.fill_between(g["shift"], g[f"{metric}_ci_low"], g[f"{metric}_ci_high"], color=col,
                        alpha=0.18, lw=0)
        ax.plot(g["shift"], g[metric], color=col, lw=2, marker="o", ms=3,
                label=RING_LABELS.get(int(ring), f"ring {ring}"))
    unit = "SD" if what_if_result.unit == "sd" else "scale points"
    label = {"nps": "predicted NPS (points)", "mean_ltr": "predicted mean LTR (0-10)",
             "delta_nps": "change in predicted NPS (points)",
             "delta_mean_ltr": "change in predicted mean LTR",
             "share": f"predicted share {what_if_result.outcome} = 1",
             "delta_share": f"change in predicted share {what_if_result.outcome} = 1"}[metric]
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_title(f"What if one ring's scores shift? ({what_if_result.model} model)")
    ax.set_xlabel(f"shift of the ring score ({unit})")
    ax.set_ylabel(label)
    ax.legend(fontsize=8)
    return ax
