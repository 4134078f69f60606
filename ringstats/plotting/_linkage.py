"""Figures for employee-customer linkage: caterpillar and team scatter plots."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from scipy import stats

from ..culture import LinkageResult
from ..errors import RingstatsError
from ._palette import OUTCOME_COLOR, RING_COLORS, get_ax

__all__ = ["plot_caterpillar", "plot_linkage_scatter"]

#: Sequential map from light grey to the ring-3 colour (team engagement / meaning).
CULTURE_CMAP = LinearSegmentedColormap.from_list("ringstats_culture",
                                                 ["#DDDDDD", RING_COLORS[3]])


def _check(res: object, outcome: str | None, predictor: str | None) -> tuple[str, str]:
    if not isinstance(res, LinkageResult):
        raise RingstatsError(
            f"`linkage_result` must be a LinkageResult (from ringstats.culture.linkage); got "
            f"{type(res).__name__}.")
    o = res.outcomes[0] if outcome is None else outcome
    p = res.predictors[0] if predictor is None else predictor
    if o not in res.outcomes:
        raise RingstatsError(
            f"`outcome` must be one of {{{', '.join(map(repr, res.outcomes))}}}; got {o!r}.")
    if p not in res.predictors:
        raise RingstatsError(
            f"`predictor` must be one of {{{', '.join(map(repr, res.predictors))}}}; got {p!r}.")
    return o, p


def plot_caterpillar(linkage_result: LinkageResult, *, outcome: str | None = None,
                     predictor: str | None = None, kind: str = "blup",
                     ax: Axes | None = None) -> Axes:
    """Teams sorted by their customer outcome, with intervals, coloured by team engagement.

    Parameters
    ----------
    linkage_result : LinkageResult
    outcome : str, optional
        Default: the first outcome (LTR).
    predictor : str, optional
        Team scale used for the colour (default: the first, engagement).
    kind : {"blup", "mean"}, default "blup"
        ``"blup"``: the team's empirical-Bayes effect from the null random-intercept model
        (shrunk towards 0) with +-z * conditional SD; ``"mean"``: the raw team mean with its
        t interval.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Most intervals overlapping 0 (or the grand mean) is the usual picture: team rankings on
    customer scores are mostly noise at 50-60 customers per team. If high-engagement teams
    (dark points) cluster to the right, the team link is visible.
    """
    res = linkage_result
    o, p = _check(res, outcome, predictor)
    if kind not in ("blup", "mean"):
        raise RingstatsError(f"`kind` must be one of {{'blup', 'mean'}}; got {kind!r}.")
    t = res.teams.copy()
    q = stats.norm.ppf(0.5 + res.ci / 2)
    if kind == "blup":
        est, half = t[f"blup_{o}"], q * t[f"blup_se_{o}"]
        ylab = f"Team effect on {o} (deviation from average team)"
    else:
        est = t[f"mean_{o}"]
        half = stats.t.ppf(0.5 + res.ci / 2, np.maximum(t["n_customers"] - 1, 1)) * t[f"se_{o}"]
        ylab = f"Team mean {o}"
    order = np.argsort(est.to_numpy())
    ax = get_ax(ax, figsize=(8, 4.2))
    norm = Normalize(t[p].min(), t[p].max())
    colors = CULTURE_CMAP(norm(t[p].to_numpy()[order]))
    x = np.arange(len(t))
    ax.vlines(x, (est - half).to_numpy()[order], (est + half).to_numpy()[order], colors=colors,
              lw=1)
    ax.scatter(x, est.to_numpy()[order], c=colors, s=14, zorder=3, edgecolors="none")
    if kind == "blup":
        ax.axhline(0, color=OUTCOME_COLOR, lw=1)
    else:
        ax.axhline(float(np.average(t[f"mean_{o}"], weights=t["n_customers"])),
                   color=OUTCOME_COLOR, lw=1)
    sm_ = ScalarMappable(norm=norm, cmap=CULTURE_CMAP)
    cb = ax.figure.colorbar(sm_, ax=ax, pad=0.01)
    cb.set_label(f"Team {p} (employee mean, 1-5)")
    ax.set_xlabel("Teams, sorted")
    ax.set_ylabel(ylab)
    ax.set_title(f"Caterpillar plot of {o} by team ({int(round(100 * res.ci))}% intervals)")
    ax.set_xticks([])
    return ax


def plot_linkage_scatter(linkage_result: LinkageResult, *, outcome: str | None = None,
                         predictor: str | None = None, ax: Axes | None = None) -> Axes:
    """Team engagement (or meaning) against team mean outcome, with the multilevel fit.

    Parameters
    ----------
    linkage_result : LinkageResult
    outcome, predictor : str, optional
        Defaults: the first outcome and the first predictor.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Point area is proportional to the team's number of customers. The line is the fixed part
    of the random-intercept model, :math:`\\gamma_{00} + \\gamma_{01}(E - \\bar E)`; the
    legend gives gamma with its Wald CI and the team-level correlation.
    """
    res = linkage_result
    o, p = _check(res, outcome, predictor)
    t = res.teams
    g = res.gamma.loc[(o, p)]
    ax = get_ax(ax)
    size = 60 * t["n_customers"] / t["n_customers"].max()
    ax.scatter(t[p], t[f"mean_{o}"], s=size, color=RING_COLORS[3], alpha=0.6,
               edgecolors="none", label="team")
    xs = np.linspace(t[p].min(), t[p].max(), 50)
    ax.plot(xs, g["intercept"] + g["estimate"] * (xs - g["predictor_mean"]), color=OUTCOME_COLOR,
            lw=2, label=(f"MixedLM: gamma = {g['estimate']:.2f} "
                         f"[{g['ci_low']:.2f}, {g['ci_high']:.2f}]"))
    r = res.unit_correlation.loc[(o, p), "r"]
    ax.plot([], [], " ", label=f"team-level r = {r:.2f}")
    ax.set_xlabel(f"Team {p} (employee mean, 1-5)")
    ax.set_ylabel(f"Team mean {o}")
    ax.set_title(f"Team {p} and customer {o} ({res.n_teams} teams)")
    ax.legend(fontsize="small", frameon=False)
    return ax
