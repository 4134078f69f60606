"""Figures for moments of truth: simple slopes and Johnson-Neyman plots."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..errors import RingstatsError
from ..moments import ModerationResult
from ._palette import OUTCOME_COLOR, RING_COLORS, get_ax

__all__ = ["plot_simple_slopes", "plot_johnson_neyman"]

_STYLES = ["--", "-", ":"]


def _check_result(res: object) -> ModerationResult:
    if not isinstance(res, ModerationResult):
        raise RingstatsError(
            f"`moderation_result` must be a ModerationResult (from ringstats.moments.moderation); "
            f"got {type(res).__name__}.")
    return res


def _color(res: ModerationResult, driver: str, k: int) -> str:
    if res.rings is not None and driver in res.rings:
        return RING_COLORS[res.rings[driver]]
    return f"C{k}"


def plot_simple_slopes(moderation_result: ModerationResult, *, driver: str | None = None,
                       band: bool = True, ax: Axes | None = None) -> Axes:
    """Predicted outcome against a driver, one line per moderator level, with CI bands.

    Parameters
    ----------
    moderation_result : ModerationResult
    driver : str, optional
        One driver (e.g. ``"ring3"``); default: every driver, each in its ring colour.
    band : bool, default True
        Draw the pointwise confidence band of each line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Line style marks the moderator level (dashed: reference level or mean - 1 SD; solid:
    focal level or mean + 1 SD; dotted: the mean). Lines come from
    :meth:`ModerationResult.predict_lines` (other drivers at their means). Steeper solid
    lines mean the driver weighs more in the focal moments.
    """
    res = _check_result(moderation_result)
    ax = get_ax(ax)
    drivers = list(res.drivers) if driver is None else [driver]
    for d in drivers:
        if d not in res.drivers:
            raise RingstatsError(
                f"`driver` must be one of {{{', '.join(map(repr, res.drivers))}}}; got {d!r}.")
    if res.kind == "binary":
        levels = list(res.levels)
        styles = {levels[0]: "--", levels[1]: "-"}
    else:
        levels = ["mean - 1 SD", "mean", "mean + 1 SD"]
        styles = {"mean - 1 SD": "--", "mean": ":", "mean + 1 SD": "-"}
    for k, d in enumerate(drivers):
        col = _color(res, d, k)
        lines = res.predict_lines(d)
        for lev in levels:
            sub = lines[lines["level"] == lev]
            ax.plot(sub["x"], sub["estimate"], color=col, linestyle=styles[lev], lw=2)
            if band:
                ax.fill_between(sub["x"], sub["ci_low"], sub["ci_high"], color=col, alpha=0.12,
                                lw=0)
    handles = [Line2D([], [], color=_color(res, d, k), lw=2, label=d)
               for k, d in enumerate(drivers)]
    handles += [Line2D([], [], color=OUTCOME_COLOR, linestyle=styles[lev], lw=2,
                       label=f"{res.moderator} = {lev}") for lev in levels]
    ax.legend(handles=handles, fontsize="small", frameon=False)
    xlabel = "Driver score" if len(drivers) > 1 else f"{drivers[0]} score"
    ax.set_xlabel(xlabel + " (scale points)")
    ax.set_ylabel(f"Predicted {res.outcome}")
    ax.set_title(f"Simple slopes by {res.moderator} ({int(round(100 * res.ci))}% CI bands)")
    return ax


def plot_johnson_neyman(moderation_result: ModerationResult, *, driver: str | None = None,
                        ax: Axes | None = None) -> Axes:
    """Conditional slope of a driver across a continuous moderator (Johnson-Neyman plot).

    Parameters
    ----------
    moderation_result : ModerationResult
        From :func:`~ringstats.moments.moderation` with a continuous moderator.
    driver : str, optional
        Default: the last driver (``ring3`` with ring scores).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The band is the pointwise CI of the slope; where it excludes 0 (shaded) the slope is
    significant at that moderator value (Bauer & Curran 2005). Regions are shown only over
    the observed moderator range.
    """
    res = _check_result(moderation_result)
    if res.kind != "continuous" or res.slope_curve is None:
        raise RingstatsError(
            "`moderation_result` must come from a continuous moderator for a Johnson-Neyman "
            f"plot; {res.moderator!r} is binary (use plot_simple_slopes).")
    d = res.drivers[-1] if driver is None else driver
    if d not in res.drivers:
        raise RingstatsError(
            f"`driver` must be one of {{{', '.join(map(repr, res.drivers))}}}; got {d!r}.")
    ax = get_ax(ax)
    col = _color(res, d, 0)
    cur = res.slope_curve[res.slope_curve["driver"] == d]
    ax.plot(cur["moderator_value"], cur["estimate"], color=col, lw=2, label=f"slope of {d}")
    ax.fill_between(cur["moderator_value"], cur["ci_low"], cur["ci_high"], color=col, alpha=0.2,
                    lw=0, label=f"{int(round(100 * res.ci))}% CI")
    ax.axhline(0, color=OUTCOME_COLOR, lw=1)
    sig = cur["significant"].to_numpy()
    x = cur["moderator_value"].to_numpy()
    lo, hi = ax.get_ylim()
    ax.fill_between(x, lo, hi, where=sig, color="#DDDDDD", alpha=0.5, lw=0,
                    label="slope significant")
    ax.set_ylim(lo, hi)
    jn = res.johnson_neyman.loc[d]
    for b in (jn["jn_low"], jn["jn_high"]):
        if b == b and jn["observed_min"] <= b <= jn["observed_max"]:
            ax.axvline(b, color=OUTCOME_COLOR, linestyle="--", lw=1)
    ax.set_xlabel(f"{res.moderator} (observed range)")
    ax.set_ylabel(f"Slope of {d} on {res.outcome} (per scale point)")
    ax.set_title(f"Johnson-Neyman: where does {d} matter? Moderator {res.moderator}")
    ax.legend(fontsize="small", frameon=False)
    return ax
